// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Envelope <-> Message and frame building. The envelope is serialized straight into a
// buffer that starts with room for the frame header, so building a frame copies the
// payload bytes once.
#include "node/net/message.h"

#include "node/net/codec.h"
#include "node/net/frame.h"

namespace cairn::net {

namespace {

// A node's messages nearly all carry the same sender address, and formatting it
// (inet_ntop, which uses sprintf) or parsing it (inet_pton) on every message costs about
// as much as the rest of the envelope. Each thread keeps the last one it did.
const std::string& AddressText(const boost::asio::ip::address& address) {
  thread_local boost::asio::ip::address last;
  thread_local std::string text;
  thread_local bool valid = false;
  if (!valid || address != last) {
    text = address.to_string();
    last = address;
    valid = true;
  }
  return text;
}

Result<Endpoint> EndpointFromText(const std::string& address, uint16_t port) {
  thread_local std::string last_text;
  thread_local boost::asio::ip::address last;
  thread_local bool valid = false;
  if (valid && address == last_text) {
    Endpoint e;
    e.address = last;
    e.port = port;
    return e;
  }
  Result<Endpoint> e = Endpoint::FromAddress(address, port);
  if (e.ok()) {
    last_text = address;
    last = e->address;
    valid = true;
  }
  return e;
}

}  // namespace

std::string VerbName(Verb verb) {
  auto it = internode::_Verb_VALUES_TO_NAMES.find(static_cast<int>(verb));
  if (it == internode::_Verb_VALUES_TO_NAMES.end()) {
    return "VERB_" + std::to_string(static_cast<int>(verb));
  }
  return it->second;
}

std::string EncodeMessageFrame(const Message& msg) {
  internode::Envelope env;
  env.verb = msg.verb;
  env.id = msg.id;
  env.sender.address = AddressText(msg.from.address);
  env.sender.port = msg.from.port;
  env.flags = msg.flags;
  env.created_at_us = msg.created_at_us;
  env.timeout_ms = msg.timeout_ms;
  // The generated struct owns a copy; one more copy below builds the frame.
  env.payload = msg.payload;

  auto buffer = std::make_shared<codec_internal::Buffer>(
      static_cast<uint32_t>(kFrameHeaderSize + msg.payload.size() + 64));
  const uint8_t zeros[kFrameHeaderSize] = {};
  buffer->write(zeros, kFrameHeaderSize);
  codec_internal::Protocol protocol(buffer);
  env.write(&protocol);

  uint8_t* data = nullptr;
  uint32_t size = 0;
  buffer->getBuffer(&data, &size);
  char* bytes = reinterpret_cast<char*>(data);
  EncodeFrameHeader(bytes, std::string_view(bytes + kFrameHeaderSize, size - kFrameHeaderSize));
  return std::string(bytes, size);
}

Status DecodeMessage(std::string_view frame_payload, Message* msg) {
  internode::Envelope env;
  CAIRN_RETURN_IF_ERROR(Deserialize(frame_payload, &env));
  if (env.sender.port < 0 || env.sender.port > 65535) {
    return Status::Corruption("bad sender port " + std::to_string(env.sender.port));
  }
  auto from = EndpointFromText(env.sender.address, static_cast<uint16_t>(env.sender.port));
  if (!from.ok()) return Status::Corruption("bad sender: " + from.status().message());
  if ((env.flags & ~(kFlagResponse | kFlagFailure)) != 0) {
    return Status::Corruption("unknown envelope flags " + std::to_string(env.flags));
  }
  msg->verb = env.verb;
  msg->id = env.id;
  msg->from = *from;
  msg->flags = env.flags;
  msg->created_at_us = env.created_at_us;
  msg->timeout_ms = env.timeout_ms;
  msg->payload = std::move(env.payload);
  return Status::OK();
}

Status FailureToStatus(const Endpoint& peer, std::string_view failure_payload) {
  internode::FailureResponse failure;
  if (!Deserialize(failure_payload, &failure).ok()) {
    return Status::IOError("undecodable failure response from " + peer.ToString());
  }
  std::string text = "from " + peer.ToString();
  if (failure.__isset.message) text += ": " + failure.message;
  switch (failure.reason) {
    case internode::FailureReason::OVERLOADED:
      return Status::Overloaded(text);
    case internode::FailureReason::UNKNOWN_VERB:
      return Status::NotSupported(text);
    case internode::FailureReason::INVALID:
      return Status::InvalidArgument(text);
    default:
      return Status::IOError(text);
  }
}

}  // namespace cairn::net
