// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// AsyncDispatch: how a session (the per-connection handler) answers a request after
// the call that received it has returned, so that a request waiting for the commit
// log's fdatasync or for replicas holds no thread.
//
// The server (thrift/server.h) reads a frame, reads the message header (name, type,
// seqid) and, when the connection's handler implements AsyncDispatch, offers it the
// request first:
//   - DispatchAsync returns false: the method is not answered asynchronously. Nothing
//     was read past the header; the server runs the generated (synchronous) processor
//     on the whole frame, as for a handler without AsyncDispatch.
//   - DispatchAsync returns true: the handler took the request. It has read the
//     arguments (and readMessageEnd) from `in`, and calls `reply` exactly once, from
//     any thread, possibly before DispatchAsync returns, with the complete reply message
//     (a T_REPLY or T_EXCEPTION message in the strict binary protocol, without the
//     frame header). The server frames and sends it. Until then the server reads no
//     further request from that connection (one request in flight per connection), so
//     replies keep the requests' order.
//   - DispatchAsync throws apache::thrift::protocol::TProtocolException (arguments that
//     do not decode): `reply` was not and will not be called; the server answers a
//     TApplicationException(PROTOCOL_ERROR), as the synchronous processor does.
// DispatchAsync runs on a server I/O thread and must not block. `reply` may be called
// after the connection closed or the server stopped: the reply is then dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace apache::thrift::protocol {
class TProtocol;
}

namespace cairn::thrift {

class AsyncDispatch {
 public:
  using Reply = std::function<void(std::string message)>;

  virtual ~AsyncDispatch() = default;

  virtual bool DispatchAsync(const std::string& name, int32_t seqid,
                             apache::thrift::protocol::TProtocol* in, Reply reply) = 0;
};

}  // namespace cairn::thrift
