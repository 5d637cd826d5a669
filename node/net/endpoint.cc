// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Endpoint parsing and printing.
#include "node/net/endpoint.h"

#include <algorithm>
#include <charconv>

namespace cairn::net {

Result<Endpoint> Endpoint::FromAddress(std::string_view address, uint16_t port) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return Status::InvalidArgument("bad IP address '" + std::string(address) + "'");
  Endpoint e;
  e.address = addr;
  e.port = port;
  return e;
}

Result<Endpoint> Endpoint::Parse(std::string_view text, uint16_t default_port) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {  // [v6]:port
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("bad endpoint '" + std::string(text) + "'");
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return Status::InvalidArgument("bad endpoint '" + std::string(text) + "'");
      }
      port_text = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // v4:port
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }  // else: v4 or bare v6 without a port
  uint16_t port = default_port;
  if (!port_text.empty() || text.ends_with(":")) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value > 65535 ||
        port_text.empty()) {
      return Status::InvalidArgument("bad port in endpoint '" + std::string(text) + "'");
    }
    port = static_cast<uint16_t>(value);
  }
  return FromAddress(host, port);
}

std::string Endpoint::ToString() const {
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

size_t EndpointHash::operator()(const Endpoint& e) const {
  size_t h;
  if (e.address.is_v4()) {
    h = std::hash<uint32_t>()(e.address.to_v4().to_uint());
  } else {
    const auto bytes = e.address.to_v6().to_bytes();
    h = std::hash<std::string_view>()(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  return h ^ (std::hash<uint16_t>()(e.port) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

}  // namespace cairn::net
