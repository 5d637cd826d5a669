// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The server against hostile or broken clients: oversized frame headers, garbage,
// truncated frames, disconnects mid-frame, missing required arguments, and many idle
// connections. After each, a normal client must still be served, and memory and threads
// must stay bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <fstream>
#include <thrift/TApplicationException.h>
#include <thrift/transport/TBufferTransports.h>

#include "tests/thrift/thrift_test_util.h"

namespace cairn::thrift::test {
namespace {


long ReadStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

int ThreadCount() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/task");
  while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
  ::closedir(d);
  return n;
}

class ThriftRobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<TestNode>(dir_.str());
    node_->Start();
  }
  // A fresh normal client still gets answers.
  void ExpectServing() {
    Client c(node_->port());
    std::string v;
    c->describe_version(v);
    EXPECT_EQ(v, "20.1.0");
  }
  cairn::test::ScratchDir dir_;
  std::unique_ptr<TestNode> node_;
};

TEST_F(ThriftRobustnessTest, HugeFrameHeaderIsRefusedWithoutAllocating) {
  Client steady(node_->port());  // an established client must be unaffected
  long rss_before = ReadStatusKb("VmRSS:");
  for (uint32_t len : {0x7fffffffu, 0x80000000u, 0xffffffffu, (1u << 20) + 1}) {
    int fd = Connect(node_->port());
    ASSERT_GE(fd, 0);
    SendAll(fd, FrameLength(len));
    SendAll(fd, std::string(1000, 'x'));
    EXPECT_TRUE(ClosedByServer(fd)) << "frame length " << len;
    ::close(fd);
  }
  long rss_after = ReadStatusKb("VmRSS:");
  EXPECT_LT(rss_after - rss_before, 64 * 1024) << "RSS grew by " << (rss_after - rss_before)
                                               << " KiB";
  std::string v;
  steady->describe_version(v);
  EXPECT_EQ(v, "20.1.0");
  ExpectServing();
}

TEST_F(ThriftRobustnessTest, FrameAtTheLimitIsReadAndABadMessageIsSkipped) {
  // A frame of exactly max_frame_bytes is accepted; its content is not a message, so
  // the server logs and drops it, and the same connection serves the next frame.
  int fd = Connect(node_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, FrameLength(1u << 20) + std::string(1u << 20, '\x01'));
  std::string call = FrameLength(29) + std::string("\x80\x01\x00\x01\x00\x00\x00\x10", 8) +
                     "describe_version" + std::string(5, '\0');
  SendAll(fd, call);
  std::string reply;
  char buf[256];
  while (reply.size() < 46) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 5000), 0);
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    reply.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(reply.find("20.1.0"), std::string::npos);
  ::close(fd);
  ExpectServing();
}

TEST_F(ThriftRobustnessTest, GarbageBytesKeepTheServerServing) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    int fd = Connect(node_->port());
    ASSERT_GE(fd, 0);
    std::string junk(rng() % 300, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    if (round % 2 == 0) junk = FrameLength(static_cast<uint32_t>(junk.size())) + junk;
    SendAll(fd, junk);
    ::close(fd);
  }
  int fd = Connect(node_->port());
  SendAll(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // "GET " as a length is > 1 GiB
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
  ExpectServing();
}

TEST_F(ThriftRobustnessTest, TruncatedFramesAndMidFrameDisconnects) {
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(node_->port());
    ASSERT_GE(fd, 0);
    SendAll(fd, FrameLength(500) + std::string(static_cast<size_t>(i * 10), 'a'));
    ::close(fd);  // disconnect in the middle of the frame
  }
  // A client that sends half a frame and waits does not block others.
  int stalled = Connect(node_->port());
  SendAll(stalled, FrameLength(100) + "abc");
  ExpectServing();
  ::close(stalled);
  ExpectServing();
}

TEST_F(ThriftRobustnessTest, MissingRequiredArgumentGetsApplicationException) {
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
  auto framed = std::make_shared<at::transport::TFramedTransport>(buffer);
  at::protocol::TBinaryProtocol proto(framed);
  proto.writeMessageBegin("set_keyspace", at::protocol::T_CALL, 7);
  proto.writeStructBegin("set_keyspace_args");
  proto.writeFieldStop();  // the required keyspace argument is missing
  proto.writeStructEnd();
  proto.writeMessageEnd();
  framed->flush();
  int fd = Connect(node_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, buffer->getBufferAsString());
  // Read one framed reply.
  std::string reply;
  char buf[4096];
  while (reply.size() < 4 || reply.size() < 4 + ntohl(*reinterpret_cast<const uint32_t*>(reply.data()))) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 5000), 0);
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto in = std::make_shared<at::transport::TMemoryBuffer>();
  in->resetBuffer(reinterpret_cast<uint8_t*>(reply.data() + 4), static_cast<uint32_t>(reply.size() - 4));
  at::protocol::TBinaryProtocol rp(in);
  std::string name;
  at::protocol::TMessageType type;
  int32_t seqid = 0;
  rp.readMessageBegin(name, type, seqid);
  EXPECT_EQ(name, "set_keyspace");
  EXPECT_EQ(type, at::protocol::T_EXCEPTION);
  EXPECT_EQ(seqid, 7);
  at::TApplicationException x;
  x.read(&rp);
  EXPECT_EQ(x.getType(), at::TApplicationException::PROTOCOL_ERROR);
  ExpectServing();
}

TEST_F(ThriftRobustnessTest, ThousandIdleConnectionsCostNoThreads) {
  Client warm(node_->port());  // let the worker pool start
  std::string v;
  warm->describe_version(v);
  const int threads_before = ThreadCount();
  std::vector<int> fds;
  for (int i = 0; i < 1000; ++i) {
    int fd = Connect(node_->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    fds.push_back(fd);
  }
  ExpectServing();
  warm->describe_version(v);
  EXPECT_EQ(v, "20.1.0");
  EXPECT_LE(ThreadCount(), threads_before + 1);
  for (int fd : fds) ::close(fd);
  ExpectServing();
}

}  // namespace
}  // namespace cairn::thrift::test
