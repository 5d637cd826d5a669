// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The compact-protocol codec (node/net/codec.h) on the gossip messages, Endpoint parsing,
// and decoding of hostile input.
#include "node/net/codec.h"

#include <gtest/gtest.h>

#include "node/net/endpoint.h"
#include "node/net/message.h"
#include "tests/lib/test_util.h"

namespace cairn::net {
namespace {

internode::EndpointState State(int generation, int version) {
  internode::EndpointState s;
  s.generation = generation;
  s.heartbeat_version = version;
  internode::VersionedValue status;
  status.value = "NORMAL,-9223372036854775807";
  status.version = version - 1;
  s.states[internode::ApplicationState::STATUS] = status;
  internode::VersionedValue host_id;
  host_id.value = "5b6f8e3e-8f3a-4c8e-9c3e-0d7c3e1f2a4b";
  host_id.version = 2;
  s.states[internode::ApplicationState::HOST_ID] = host_id;
  s.states[99] = internode::VersionedValue();  // a state from a newer node
  return s;
}

TEST(CodecTest, GossipSynAckAck2RoundTrip) {
  internode::GossipDigestSyn syn;
  syn.cluster_name = "Test Cluster";
  syn.partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  for (int i = 1; i <= 3; ++i) {
    internode::GossipDigest d;
    d.endpoint = "127.0.0." + std::to_string(i);
    d.generation = 1700000000 + i;
    d.max_version = 10 * i;
    syn.digests.push_back(d);
  }
  internode::GossipDigestSyn syn2;
  ASSERT_OK(Deserialize(Serialize(syn), &syn2));
  EXPECT_EQ(syn, syn2);

  internode::GossipDigestAck ack;
  ack.digests = syn.digests;
  ack.states["127.0.0.2"] = State(1700000002, 42);
  internode::GossipDigestAck ack2;
  ASSERT_OK(Deserialize(Serialize(ack), &ack2));
  EXPECT_EQ(ack, ack2);
  EXPECT_EQ(ack2.states.at("127.0.0.2").states.at(99).version, 0);

  internode::GossipDigestAck2 a2;
  a2.states = ack.states;
  internode::GossipDigestAck2 a2b;
  ASSERT_OK(Deserialize(Serialize(a2), &a2b));
  EXPECT_EQ(a2, a2b);

  internode::GossipShutdown shutdown;
  EXPECT_EQ(Serialize(shutdown), std::string(1, '\0'));  // an empty struct is its stop byte
  ASSERT_OK(Deserialize(Serialize(shutdown), &shutdown));
}

// Golden bytes of the compare-and-set messages (internode.thrift, compact protocol:
// a field header is (id delta << 4) | type, binary = 8, struct = 12, bool true = 1 /
// false = 2; strings are a varint length and the bytes; 0 ends a struct).
TEST(CodecTest, PaxosMessagesGoldenBytes) {
  internode::PaxosProposal proposal;
  proposal.ballot = std::string("\x01\x02", 2);
  proposal.mutation = "m";
  const std::string proposal_bytes("\x18\x02\x01\x02\x18\x01m\x00", 8);
  EXPECT_EQ(Serialize(proposal), proposal_bytes);

  internode::PaxosPrepareRequest prepare;
  prepare.keyspace = "ks";
  prepare.table_id = "T";
  prepare.key = "k";
  prepare.ballot = "B";
  EXPECT_EQ(Serialize(prepare), std::string("\x18\x02ks\x18\x01T\x18\x01k\x18\x01" "B\x00", 14));

  internode::PaxosPrepareResponse promise;
  promise.promised = true;
  promise.in_progress = proposal;
  promise.most_recent_commit = proposal;
  EXPECT_EQ(Serialize(promise),
            std::string("\x11\x1c", 2) + proposal_bytes + "\x1c" + proposal_bytes +
                std::string(1, '\0'));

  internode::PaxosProposeRequest propose;
  propose.keyspace = "ks";
  propose.table_id = "T";
  propose.key = "k";
  propose.proposal = proposal;
  EXPECT_EQ(Serialize(propose), std::string("\x18\x02ks\x18\x01T\x18\x01k\x1c", 11) +
                                    proposal_bytes + std::string(1, '\0'));
  internode::PaxosProposeResponse refused;
  refused.accepted = false;
  EXPECT_EQ(Serialize(refused), std::string("\x12\x00", 2));
  internode::PaxosProposeRequest back;
  ASSERT_OK(Deserialize(Serialize(propose), &back));
  EXPECT_EQ(back, propose);
  EXPECT_EQ(VerbName(internode::Verb::PAXOS_PREPARE), "PAXOS_PREPARE");
  EXPECT_EQ(static_cast<int>(internode::Verb::PAXOS_COMMIT), 32);
}

TEST(CodecTest, MissingRequiredFieldIsCorruption) {
  // An EchoMessage's bytes are an empty struct (one stop byte), which lacks every
  // required field of a GossipDigest.
  internode::GossipDigest d;
  Status st = Deserialize(Serialize(internode::EchoMessage()), &d);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

TEST(CodecTest, ForgedHugeSizesDoNotAllocate) {
  // Field 3 (list of structs) claiming 2^31-1 elements, then field 1 (string) claiming
  // 2^31-1 bytes: both exceed the input and must fail without trying to allocate.
  internode::GossipDigestSyn syn;
  const std::string huge_list = std::string("\x39\xf0\xff\xff\xff\x07", 6);
  EXPECT_TRUE(Deserialize(huge_list, &syn).IsCorruption());
  const std::string huge_string = std::string("\x18\xff\xff\xff\xff\x07", 6);
  EXPECT_TRUE(Deserialize(huge_string, &syn).IsCorruption());
}

TEST(CodecTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  internode::GossipDigestAck ack;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    Deserialize(bytes, &ack).IgnoreError();  // any result but a crash is fine
  }
}

TEST(EndpointTest, ParseAndPrint) {
  auto a = Endpoint::Parse("127.0.0.2:7001");
  ASSERT_OK(a.status());
  EXPECT_EQ(a->ToString(), "127.0.0.2:7001");
  auto b = Endpoint::Parse("127.0.0.3");
  ASSERT_OK(b.status());
  EXPECT_EQ(b->port, kDefaultStoragePort);
  auto c = Endpoint::Parse("[::1]:7000");
  ASSERT_OK(c.status());
  EXPECT_EQ(c->ToString(), "[::1]:7000");
  auto d = Endpoint::Parse("::1");
  ASSERT_OK(d.status());
  EXPECT_EQ(d->port, kDefaultStoragePort);
  EXPECT_FALSE(Endpoint::Parse("127.0.0.1:").ok());
  EXPECT_FALSE(Endpoint::Parse("127.0.0.1:70000").ok());
  EXPECT_FALSE(Endpoint::Parse("localhost:7000").ok());
  EXPECT_FALSE(Endpoint::Parse("[::1").ok());
  EXPECT_TRUE(*a < *Endpoint::Parse("127.0.0.2:7002"));
  EXPECT_EQ(EndpointHash()(*a), EndpointHash()(*Endpoint::Parse("127.0.0.2:7001")));
}

TEST(MessageTest, VerbNames) {
  EXPECT_EQ(VerbName(internode::Verb::GOSSIP_DIGEST_SYN), "GOSSIP_DIGEST_SYN");
  EXPECT_EQ(VerbName(static_cast<Verb>(77)), "VERB_77");
}

TEST(MessageTest, FailureResponsesMapToStatuses) {
  const Endpoint peer = *Endpoint::Parse("127.0.0.9:7000");
  internode::FailureResponse f;
  f.reason = internode::FailureReason::OVERLOADED;
  EXPECT_TRUE(FailureToStatus(peer, Serialize(f)).IsOverloaded());
  f.reason = internode::FailureReason::UNKNOWN_VERB;
  EXPECT_TRUE(FailureToStatus(peer, Serialize(f)).IsNotSupported());
  f.reason = internode::FailureReason::HANDLER_ERROR;
  f.__set_message("boom");
  Status st = FailureToStatus(peer, Serialize(f));
  EXPECT_TRUE(st.IsIOError());
  EXPECT_NE(st.message().find("boom"), std::string::npos);
  EXPECT_TRUE(FailureToStatus(peer, "garbage").IsIOError());
}

}  // namespace
}  // namespace cairn::net
