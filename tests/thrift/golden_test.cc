// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Golden wire bytes: what the generated code writes for two calls, and the exact
// reply the server sends, byte for byte, as a Cassandra client expects them
// (framed transport, strict binary protocol, field ids from the reference).
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thrift/transport/TBufferTransports.h>

#include "tests/thrift/thrift_test_util.h"

namespace cairn::thrift::test {
namespace {

std::string Hex(const std::string& s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(k[c >> 4]);
    out.push_back(k[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view h) {
  std::string out;
  auto v = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    if (h[i] == ' ') {
      --i;
      continue;
    }
    out.push_back(static_cast<char>(v(h[i]) * 16 + v(h[i + 1])));
  }
  return out;
}

// Bytes a generated client writes for one call.
template <typename Fn>
std::string ClientBytes(Fn&& send) {
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
  auto framed = std::make_shared<at::transport::TFramedTransport>(buffer);
  auto proto = std::make_shared<at::protocol::TBinaryProtocol>(framed);
  gen::CassandraClient client(proto);
  send(client);
  return buffer->getBufferAsString();
}

TEST(ThriftGoldenTest, DescribeVersionCall) {
  std::string bytes = ClientBytes([](gen::CassandraClient& c) { c.send_describe_version(); });
  EXPECT_EQ(Hex(bytes),
            "0000001d"                          // frame length 29
            "80010001"                          // strict version 1, T_CALL
            "00000010" + Hex("describe_version") +
            "00000000"                          // seqid
            "00");                              // empty args struct
}

TEST(ThriftGoldenTest, InsertCall) {
  std::string bytes = ClientBytes([](gen::CassandraClient& c) {
    c.send_insert("k", Parent("cf"), Col("a", "v", 1), gen::ConsistencyLevel::QUORUM);
  });
  const std::string body =
      "80010001" "00000006" + Hex("insert") + "00000000"
      "0b0001" "00000001" + Hex("k") +                    // 1: binary key
      "0c0002" "0b0003" "00000002" + Hex("cf") + "00" +   // 2: ColumnParent{3: cf}
      "0c0003"                                            // 3: Column
      "0b0001" "00000001" + Hex("a") +                    //    1: name
      "0b0002" "00000001" + Hex("v") +                    //    2: value
      "0a0003" "0000000000000001" "00"                    //    3: timestamp
      "080004" "00000002"                                 // 4: consistency QUORUM
      "00";
  char len[9];
  std::snprintf(len, sizeof len, "%08x", static_cast<unsigned>(body.size() / 2));
  EXPECT_EQ(Hex(bytes), std::string(len) + body);
}

TEST(ThriftGoldenTest, ServerReplyToDescribeVersion) {
  cairn::test::ScratchDir dir;
  TestNode node(dir.str());
  node.Start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(node.port()));
  ::inet_pton(AF_INET, kHost, &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // seqid 5 on the wire, written by hand.
  std::string call = Unhex("0000001d 80010001 00000010") + "describe_version" +
                     Unhex("00000005 00");
  ASSERT_EQ(::send(fd, call.data(), call.size(), 0), static_cast<ssize_t>(call.size()));
  const std::string expected = Unhex("0000002a 80010002 00000010") + "describe_version" +
                               Unhex("00000005") +
                               Unhex("0b0000 00000006") + "20.1.0" +  // 0: success string
                               Unhex("00");
  std::string reply;
  char buf[256];
  while (reply.size() < expected.size()) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 5000), 0);
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(Hex(reply), Hex(expected));
}

}  // namespace
}  // namespace cairn::thrift::test
