// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Endpoint: where a node listens for internode messages, listen_address:storage_port
// (Cassandra's InetAddressAndPort). Nodes are named by their endpoint throughout the
// messaging layer: outbound connections are keyed by it, responses are sent to the
// requester's endpoint, and fault rules select peers by it.
//
// Thread-safety: a value type.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::net {

// Cassandra's storage_port default.
inline constexpr uint16_t kDefaultStoragePort = 7000;

struct Endpoint {
  boost::asio::ip::address address = boost::asio::ip::address_v4::loopback();
  uint16_t port = kDefaultStoragePort;

  // "127.0.0.2:7000", "[::1]:7000", or an address alone ("127.0.0.2", "::1"), which takes
  // `default_port`. InvalidArgument when the address or port does not parse.
  static Result<Endpoint> Parse(std::string_view text, uint16_t default_port = kDefaultStoragePort);
  // Builds from a textual address; InvalidArgument when it does not parse.
  static Result<Endpoint> FromAddress(std::string_view address, uint16_t port);

  // "127.0.0.2:7000" or "[::1]:7000".
  std::string ToString() const;

  friend bool operator==(const Endpoint& a, const Endpoint& b) {
    return a.port == b.port && a.address == b.address;
  }
  friend bool operator!=(const Endpoint& a, const Endpoint& b) { return !(a == b); }
  friend bool operator<(const Endpoint& a, const Endpoint& b) {
    if (a.address != b.address) return a.address < b.address;
    return a.port < b.port;
  }
};

struct EndpointHash {
  size_t operator()(const Endpoint& e) const;
};

}  // namespace cairn::net
