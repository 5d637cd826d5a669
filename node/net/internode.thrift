# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# The internode IDL: what Cairn nodes say to each other on storage_port (7000).
# Every frame (node/net/PROTOCOL.md) carries one Envelope serialized with Thrift's
# TCompactProtocol; the Envelope's payload is itself the compact serialization of the
# message struct its verb names (the table under `enum Verb`). Generated C++ lands in
# namespace cairn::net::internode, built at build time into cairn_internode_gen.
#
# Compatibility rules (this file is a wire format: see PROTOCOL.md, "Versions"):
#   - never renumber or reuse a field id, a verb or an ApplicationState value;
#   - new fields are `optional` (old readers skip them: compact protocol skips unknown
#     field ids), new verbs get new numbers (old nodes answer UNKNOWN_VERB).

namespace cpp cairn.net.internode
namespace py cairn_internode

# Cassandra's Verb (org.apache.cassandra.net.Verb). A response carries the verb of the
# request it answers (with FLAG_RESPONSE in Envelope.flags), so its payload can be
# decoded without remembering what was asked.
#
#   verb                 kind        payload (request)   payload (response)
#   ECHO                 request     EchoMessage         EchoMessage (same bytes back)
#   GOSSIP_DIGEST_SYN    one-way     GossipDigestSyn     -
#   GOSSIP_DIGEST_ACK    one-way     GossipDigestAck     -
#   GOSSIP_DIGEST_ACK2   one-way     GossipDigestAck2    -
#   GOSSIP_SHUTDOWN      one-way     GossipShutdown      -
#   SCHEMA_PULL          request     SchemaPullRequest   SchemaPullResponse
#   MUTATION             request     MutationMessage     MutationAck
#   READ                 request     ReadCommand         ReadResponse
#   READ_REPAIR          request     MutationMessage     MutationAck
#   RANGE_SLICE          request     RangeSliceCommand   RangeSliceResponse
#   HINT                 request     MutationMessage     MutationAck
#   BATCH_STORE          request     BatchStore          MutationAck
#   BATCH_REMOVE         one-way     BatchRemove         -
#   TRUNCATE             request     TruncateRequest     TruncateResponse
#   STREAM_PULL          request     StreamPullRequest   StreamPullResponse
#   STREAM_REQUEST       request     StreamRequest       StreamRequestResponse
#   HINT_TRANSFER        request     HintTransfer        MutationAck
#   VALIDATION           request     ValidationRequest   ValidationResponse
#   COUNTER_MUTATION     request     CounterMutationRequest CounterMutationResponse
#   PAXOS_PREPARE        request     PaxosPrepareRequest PaxosPrepareResponse
#   PAXOS_PROPOSE        request     PaxosProposeRequest PaxosProposeResponse
#   PAXOS_COMMIT         request     PaxosProposeRequest MutationAck
#
# 11 is reserved (Cassandra's MUTATION_RSP: Cairn answers MUTATION with a response
# instead); 26..29 are reserved for streaming (20 is SCHEMA_PULL). node/storage_proxy.h
# says what the replication verbs do, node/streaming.h what STREAM_PULL and
# STREAM_REQUEST do, node/storage_service.h who sends STREAM_REQUEST and HINT_TRANSFER.
enum Verb {
  ECHO = 1,
  GOSSIP_DIGEST_SYN = 2,
  GOSSIP_DIGEST_ACK = 3,
  GOSSIP_DIGEST_ACK2 = 4,
  GOSSIP_SHUTDOWN = 5,
  MUTATION = 10,
  READ = 12,
  READ_REPAIR = 13,
  RANGE_SLICE = 14,
  HINT = 15,
  BATCH_STORE = 16,
  BATCH_REMOVE = 17,
  TRUNCATE = 18,
  # Cassandra's MIGRATION_REQUEST: "send me your schema" (node/storage_service.h).
  SCHEMA_PULL = 20,
  STREAM_PULL = 21,
  STREAM_REQUEST = 22,
  HINT_TRANSFER = 23,
  VALIDATION = 24,
  COUNTER_MUTATION = 25,
  PAXOS_PREPARE = 30,
  PAXOS_PROPOSE = 31,
  PAXOS_COMMIT = 32,
}

# Why a request failed on the replica (payload of a response with FLAG_FAILURE).
enum FailureReason {
  UNKNOWN = 0,
  OVERLOADED = 1,      # the replica's handler queue was full; nothing was done
  UNKNOWN_VERB = 2,    # the replica has no handler for the verb
  HANDLER_ERROR = 3,   # the handler failed (message says why)
  INVALID = 4,         # the payload could not be decoded
}

# An endpoint as peers see it: the node's listen_address and storage_port
# (Cassandra's InetAddressAndPort). `address` is the textual IP ("127.0.0.2", "::1").
struct InetAddressAndPort {
  1: required string address,
  2: required i32 port,
}

# Envelope.flags bits (mirrored as constants in node/net/message.h).
#   bit 0 FLAG_RESPONSE  this answers request `id`
#   bit 1 FLAG_FAILURE   with FLAG_RESPONSE: payload is a FailureResponse
# Other bits are reserved and must be zero.
struct Envelope {
  1: required Verb verb,
  # Request id chosen by the sender of the request, unique per sender while the request is
  # outstanding; a response repeats it. 0 for one-way messages.
  2: required i64 id,
  # Where the sender listens: responses and replies go there.
  3: required InetAddressAndPort sender,
  4: required i32 flags,
  # Sender's wall clock when the message was created, microseconds since the Unix epoch.
  5: required i64 created_at_us,
  # How long the sender will wait for the answer (requests), 0 when it does not wait.
  6: required i32 timeout_ms,
  7: required binary payload,
}

struct FailureResponse {
  1: required FailureReason reason,
  2: optional string message,
}

# ECHO (Cassandra's EchoMessage): a liveness probe; the handler answers the same bytes.
struct EchoMessage {
  1: optional binary data,
}

# ---- Gossip (Cassandra's gms package: GossipDigestSyn/Ack/Ack2, EndpointState). ----

# Cassandra's ApplicationState ordinals (3.x), so gossipinfo reads the same.
enum ApplicationState {
  STATUS = 0,
  LOAD = 1,
  SCHEMA = 2,
  DC = 3,
  RACK = 4,
  RELEASE_VERSION = 5,
  REMOVAL_COORDINATOR = 6,
  INTERNAL_IP = 7,
  RPC_ADDRESS = 8,
  SEVERITY = 10,
  NET_VERSION = 11,
  HOST_ID = 12,
  TOKENS = 13,
  RPC_READY = 14,
}

# The shapes below are gossip/PROTOCOL.md's "Encoding" section, so node/'s transport
# adapter copies gossip/messages.h values field by field. An endpoint is named by its
# address string as peers reach it ("127.0.0.2", or "127.0.0.2:7001" when ports differ).

# What a node knows of one endpoint, in one line: generation (the endpoint's start time,
# seconds since the epoch) and the highest version among its heartbeat and states. In an
# ACK's request list, max_version is the version the requester already has.
struct GossipDigest {
  1: required string endpoint,
  2: required i32 generation,
  3: required i32 max_version,
}

# Cassandra's VersionedValue.
struct VersionedValue {
  1: required string value,
  2: required i32 version,
}

# Cassandra's EndpointState: heartbeat (generation, version) plus application states (keys
# are ApplicationState values; unknown keys from newer nodes are carried, not rejected).
struct EndpointState {
  1: required i32 generation,
  2: required i32 heartbeat_version,
  3: required map<i32, VersionedValue> states,
}

# Round 1, initiator -> peer: "this is what I know". A peer in another cluster or with
# another partitioner ignores the SYN.
struct GossipDigestSyn {
  1: required string cluster_name,
  2: required string partitioner,
  3: required list<GossipDigest> digests,
}

# Round 2, peer -> initiator: digests of what the peer wants, and the states where the
# peer is newer (keyed by endpoint).
struct GossipDigestAck {
  1: required list<GossipDigest> digests,
  2: required map<string, EndpointState> states,
}

# Round 3, initiator -> peer: the states the peer asked for.
struct GossipDigestAck2 {
  1: required map<string, EndpointState> states,
}

# GOSSIP_SHUTDOWN: a node stopping cleanly tells its live peers, which mark it down at once.
struct GossipShutdown {
}

# ---- Schema pull (Cassandra's MIGRATION_REQUEST / MigrationTask). ----

# SCHEMA_PULL request: sent to a live peer whose gossiped SCHEMA differs from ours.
struct SchemaPullRequest {
  # The requester's schema version (informational, for logs).
  1: optional string schema_version,
}

# SCHEMA_PULL response: the responder's whole schema as the mutations of its schema
# tables (system_schema.keyspaces and system_schema.tables, one per partition, tombstones
# included), each encoded as the commit log encodes a Mutation
# (memtable/COMMITLOG_FORMAT.md, "Mutation payload"). The requester applies them to its
# own schema tables: cells reconcile by timestamp, so every node converges on the same
# schema whatever the order of pulls (Cassandra's SchemaKeyspace.mergeSchema).
struct SchemaPullResponse {
  1: required string schema_version,
  2: required list<binary> mutations,
}

# ---- Replication (node/storage_proxy.h; Cassandra's StorageProxy verbs). ----
# Mutations and partitions travel in the commit log's binary encoding
# (memtable/COMMITLOG_FORMAT.md, "Mutation payload": Mutation::EncodeTo,
# PartitionUpdate::EncodeTo), tables by their 16-byte id.

# MUTATION, READ_REPAIR and HINT: apply this mutation durably (commit log, then memtable)
# and answer MutationAck. A replica that does not know a table of the mutation (its
# schema is behind) answers HANDLER_ERROR.
struct MutationMessage {
  1: required binary mutation,
}

struct MutationAck {
}

# Which cells of a partition a read selects (common/partition_iterator.h CellFilter).
enum FilterKind {
  ALL_CELLS = 0,
  NAMES = 1,
  SLICE = 2,
}

struct CellFilter {
  1: required FilterKind kind,
  2: optional list<binary> names,   # NAMES: sorted by the comparator, unique
  3: optional binary start,         # SLICE: inclusive, empty = from the first
  4: optional binary finish,        # SLICE: inclusive, empty = to the last
}

# READ: the partition `key` of table `table_id`, selected by `filter`: every version of
# the selected cells with the deletions that cover them (ColumnFamilyStore::Read).
# digest_only: answer the digest alone.
struct ReadCommand {
  1: required string keyspace,
  2: required binary table_id,
  3: required binary key,
  4: required CellFilter filter,
  5: required bool digest_only,
}

# `data` absent: the replica has no such partition (digest_only: never set). `digest`:
# XXH3-128 of the data as the coordinator would compute it (node/storage_proxy.h,
# "Digests"), always set.
struct ReadResponse {
  1: optional binary data,
  2: required binary digest,
}

# A position in ring order (node/coordinator.h RingPosition).
enum PositionKind {
  BEFORE_ALL = 0,  # before every key
  KEY = 1,
  TOKEN_END = 2,   # after every key of `token`
  AFTER_ALL = 3,   # after every key
}

struct RingPosition {
  1: required PositionKind kind,
  2: optional binary token,        # KEY and TOKEN_END
  3: optional binary key,          # KEY
}

struct KeyBounds {
  1: required RingPosition start_position,
  2: required bool start_inclusive,
  3: required RingPosition end_position,    # inclusive
}

# RANGE_SLICE: the partitions within `bounds` (in ring order, walked in order), each
# selected by `filter`, at most `max_rows` of them.
struct RangeSliceCommand {
  1: required string keyspace,
  2: required binary table_id,
  3: required list<KeyBounds> bounds,
  4: required CellFilter filter,
  5: required i32 max_rows,
}

struct KeyedPartition {
  1: required binary key,
  2: required binary partition,
}

struct RangeSliceResponse {
  1: required list<KeyedPartition> partitions,
}

# BATCH_STORE: keep this batch in the batch log until BATCH_REMOVE (or replay it, if no
# remove comes within the batch log timeout). id: 16 bytes (a time-based UUID).
struct BatchStore {
  1: required binary id,
  2: required i64 written_at_us,
  3: required list<binary> mutations,
}

struct BatchRemove {
  1: required binary id,
}

# TRUNCATE: drop every row of the table; the table continues under `new_table_id`
# (chosen by the coordinator, the same on every node).
struct TruncateRequest {
  1: required string keyspace,
  2: required string table,
  3: required binary new_table_id,
}

struct TruncateResponse {
}

# ---- Streaming (node/streaming.h; Cassandra's streaming sessions, pull-based). ----

# STREAM_PULL: the next section of every partition of `table_id` within `bounds` (in
# ring order), whole (every cell version and tombstone the source holds), up to about
# `max_bytes` of encoded partitions. The receiver asks again with its bounds advanced
# past the last key it got, until `done`.
struct StreamPullRequest {
  1: required string session,     # the receiver's session id (logs, netstats)
  2: required string keyspace,
  3: required binary table_id,
  4: required list<KeyBounds> bounds,
  5: required i32 max_bytes,
}

# `checksum`: XXH3-64 over every partition's key then encoded partition, in order
# (node/streaming.h): a section damaged anywhere between the source's SSTables and the
# receiver is refused, beyond the frame checksum of each message.
struct StreamPullResponse {
  1: required list<KeyedPartition> partitions,
  2: required i64 checksum,
  3: required bool done,          # nothing left within the bounds after these
}

# STREAM_REQUEST: "fetch these ranges" (a decommissioning node asks each new owner of
# its ranges to pull them from it; a removenode coordinator asks each new owner to pull
# a dead node's ranges from the survivors). The receiver pulls every fetch with
# STREAM_PULL, one new SSTable per fetch, and answers when all are in (or fails).
struct StreamFetch {
  1: required string source,      # the endpoint to pull from (gossip name)
  2: required string keyspace,
  3: required binary table_id,
  4: required list<KeyBounds> bounds,
}

struct StreamRequest {
  1: required string session,     # the requester's operation id (logs, netstats)
  2: required string reason,      # "decommission", "removenode"
  3: required list<StreamFetch> fetches,
}

struct StreamRequestResponse {
  1: required i64 bytes,          # bytes received in all
}

# HINT_TRANSFER: store these hints (for the host `target_host_id`) as if this node had
# written them (a decommissioning node hands its undelivered hints to another node).
struct TransferredHint {
  1: required i64 created_at_us,
  2: required binary mutation,    # the encoded mutation, as a hint holds it
}

struct HintTransfer {
  1: required string target_host_id,
  2: required list<TransferredHint> hints,
}

# ---- Anti-entropy repair (node/repair.h) ----

# A token range that does not wrap (right may be the minimum token: to the end of the
# ring), split into `leaves` equal spans: the leaves of one Merkle tree.
struct RepairSegment {
  1: required binary left,        # token bytes (common/token.h)
  2: required binary right,
  3: required i32 leaves,
}

# VALIDATION: hash this node's data of `table_id` in each segment into its leaves.
struct ValidationRequest {
  1: required string session,
  2: required string keyspace,
  3: required binary table_id,
  4: required list<RepairSegment> segments,
}

struct ValidationResponse {
  1: required list<list<i64>> leaves,   # per segment, per leaf (node/repair.h)
  2: required i64 partitions,           # partitions hashed in all
}

# ---- Counters (common/counter.h, node/storage_proxy.h) ----

# COUNTER_MUTATION: the coordinator, not a replica, asks a replica to lead increments:
# add the deltas to its own shard and replicate the result at `consistency`.
struct CounterDelta {
  1: required binary name,
  2: required i64 delta,
}

struct CounterMutationRequest {
  1: required string keyspace,
  2: required binary key,
  3: required binary table_id,
  4: required list<CounterDelta> deltas,
  5: required i64 timestamp,
  6: required i32 consistency,    # node/consistency.h ConsistencyLevel
}

# code: 0 applied at the consistency level; 1 unavailable; 2 timed out (acknowledged_by
# replicas had it); 3 invalid request; 4 other error. message says why.
struct CounterMutationResponse {
  1: required i32 code,
  2: optional string message,
  3: optional i32 acknowledged_by,
}

# ---- Compare-and-set (node/paxos_state.h, node/storage_proxy.h "Compare-and-set") ----

# A Paxos proposal or commit: a ballot (16 bytes, node/paxos_state.h; empty: none) and
# the mutation it carries (Mutation::EncodeTo, memtable/COMMITLOG_FORMAT.md; empty: a
# bare ballot).
struct PaxosProposal {
  1: required binary ballot,
  2: required binary mutation,
}

# PAXOS_PREPARE: promise `ballot` for the partition `key` of `table_id`.
struct PaxosPrepareRequest {
  1: required string keyspace,
  2: required binary table_id,
  3: required binary key,
  4: required binary ballot,
}

# promised: in_progress is the replica's last accepted proposal; refused: its ballot is
# the one the replica promised instead. most_recent_commit: the latest commit it knows.
struct PaxosPrepareResponse {
  1: required bool promised,
  2: required PaxosProposal in_progress,
  3: required PaxosProposal most_recent_commit,
}

# PAXOS_PROPOSE (accept `proposal` unless a newer ballot was promised) and PAXOS_COMMIT
# (apply it and remember it as the most recent commit; answered with MutationAck).
struct PaxosProposeRequest {
  1: required string keyspace,
  2: required binary table_id,
  3: required binary key,
  4: required PaxosProposal proposal,
}

struct PaxosProposeResponse {
  1: required bool accepted,
}
