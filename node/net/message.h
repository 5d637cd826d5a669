// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Message: one decoded internode message as handlers and response callbacks see it (the
// Envelope of internode.thrift with the sender as an Endpoint), and the encoding of an
// Envelope into one frame (frame.h) and back.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/internode_types.h"
#include "node/net/endpoint.h"

namespace cairn::net {

using Verb = internode::Verb::type;
using FailureReason = internode::FailureReason::type;

// Envelope.flags bits (internode.thrift).
inline constexpr int32_t kFlagResponse = 1 << 0;
inline constexpr int32_t kFlagFailure = 1 << 1;

// "ECHO", "GOSSIP_DIGEST_SYN", ...; "VERB_<n>" for numbers this build does not know.
std::string VerbName(Verb verb);

struct Message {
  Verb verb = internode::Verb::ECHO;
  // The request id: nonzero for requests and their responses, 0 for one-way messages.
  int64_t id = 0;
  // The sender's listen endpoint (where a response goes).
  Endpoint from;
  int32_t flags = 0;
  // Sender's wall clock at creation, microseconds since the epoch.
  int64_t created_at_us = 0;
  // Requests: how long the sender waits for the response. 0 otherwise.
  int32_t timeout_ms = 0;
  // The compact serialization of the verb's message struct (codec.h).
  std::string payload;

  bool is_response() const { return (flags & kFlagResponse) != 0; }
  bool is_failure() const { return (flags & kFlagFailure) != 0; }
  bool is_request() const { return id != 0 && !is_response(); }
};

// The frame (header + compact Envelope) carrying `msg`.
std::string EncodeMessageFrame(const Message& msg);

// Decodes a frame payload (already checked against its header) into *msg. Corruption
// when the Envelope does not parse, the sender's address is not an IP, or its port or
// flags are out of range.
Status DecodeMessage(std::string_view frame_payload, Message* msg);

// The Status a failure response stands for: OVERLOADED -> Overloaded, UNKNOWN_VERB ->
// NotSupported, INVALID -> InvalidArgument, others -> IOError; with the peer and message.
Status FailureToStatus(const Endpoint& peer, std::string_view failure_payload);

}  // namespace cairn::net
