// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "gossip/messages.h"

namespace cairn::gossip {

const char* VerbName(GossipVerb verb) {
  switch (verb) {
    case GossipVerb::kSyn:
      return "GOSSIP_DIGEST_SYN";
    case GossipVerb::kAck:
      return "GOSSIP_DIGEST_ACK";
    case GossipVerb::kAck2:
      return "GOSSIP_DIGEST_ACK2";
    case GossipVerb::kEcho:
      return "ECHO";
    case GossipVerb::kEchoReply:
      return "ECHO_REPLY";
    case GossipVerb::kShutdown:
      return "GOSSIP_SHUTDOWN";
  }
  return "UNKNOWN";
}

}  // namespace cairn::gossip
