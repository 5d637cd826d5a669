// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Gossip messages and the transport interface gossip talks through.
// Cassandra counterparts: GossipDigest, GossipDigestSyn, GossipDigestAck, GossipDigestAck2,
// EchoMessage (REQUEST_RESPONSE to an ECHO) and GossipShutdown, and the verbs
// GOSSIP_DIGEST_SYN / _ACK / _ACK2, ECHO, GOSSIP_SHUTDOWN of MessagingService.
//
// The messages are plain C++ values. gossip/ never serialises them: the owner's transport
// does (node/ maps them onto its internode IDL), and in tests an in-memory transport hands
// copies straight to another Gossiper. The fields, the handshake and a suggested IDL are in
// gossip/PROTOCOL.md.
//
// One round, A initiating with B:
//   A -> B  SYN  {cluster, partitioner, digests of everything A knows}
//   B -> A  ACK  {digests B wants newer data for, states B has that are newer than A's}
//   A -> B  ACK2 {states A has for the digests B asked for}
// plus ECHO/ECHO_REPLY, by which a node checks a peer really answers before marking it
// up, and SHUTDOWN, by which a node that stops cleanly tells its live peers at once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "gossip/endpoint_state.h"

namespace cairn::gossip {

// "I know `endpoint` at (generation, max_version)". In an ACK's request list,
// max_version is the version the requester already has: send everything newer.
struct GossipDigest {
  std::string endpoint;
  int32_t generation = 0;
  int32_t max_version = 0;

  friend bool operator==(const GossipDigest&, const GossipDigest&) = default;
};

struct GossipDigestSyn {
  // A SYN from another cluster or with another partitioner is dropped with a warning.
  std::string cluster_name;
  std::string partitioner;
  std::vector<GossipDigest> digests;
};

struct GossipDigestAck {
  std::vector<GossipDigest> digests;            // requests
  std::map<std::string, EndpointState> states;  // deltas (heartbeat + newer app states)
};

struct GossipDigestAck2 {
  std::map<std::string, EndpointState> states;
};

// Cassandra's ECHO verb: "are you there?". The answer is an EchoReply.
struct EchoRequest {};
struct EchoReply {};

// Sent by a node that is stopping cleanly to each live peer, which marks it down at once
// instead of waiting for the failure detector.
struct GossipShutdown {};

using GossipMessage = std::variant<GossipDigestSyn, GossipDigestAck, GossipDigestAck2, EchoRequest,
                                   EchoReply, GossipShutdown>;

// The verbs, named as in Cassandra's MessagingService.Verb, for fault hooks and metrics.
enum class GossipVerb : uint8_t {
  kSyn = 0,        // GOSSIP_DIGEST_SYN
  kAck = 1,        // GOSSIP_DIGEST_ACK
  kAck2 = 2,       // GOSSIP_DIGEST_ACK2
  kEcho = 3,       // ECHO
  kEchoReply = 4,  // REQUEST_RESPONSE to an ECHO
  kShutdown = 5,   // GOSSIP_SHUTDOWN
};
inline GossipVerb VerbOf(const GossipMessage& msg) { return static_cast<GossipVerb>(msg.index()); }
const char* VerbName(GossipVerb verb);

// How a Gossiper sends. Implemented by node/ over the internode messaging layer and by
// the tests over an in-memory network.
//
// Contract: Send is one-way and best effort -- it may drop the message (peer down,
// queue full, partition) and must not report failure to the Gossiper, which treats
// silence as the failure detector's business. Send is called on the Gossiper's strand
// and must not call back into the Gossiper synchronously (queue the delivery instead);
// replies arrive later through Gossiper::Handle on the same strand.
class GossipTransport {
 public:
  virtual ~GossipTransport() = default;
  virtual void Send(const std::string& to, GossipMessage msg) = 0;
};

}  // namespace cairn::gossip
