// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The internode frame (node/net/frame.h, PROTOCOL.md): golden bytes of the worked
// example, and every kind of corruption a reader must reject.
#include "node/net/frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/net/codec.h"
#include "node/net/message.h"
#include "tests/lib/test_util.h"

namespace cairn::net {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// The worked example of PROTOCOL.md: an ECHO request from 127.0.0.1:7000.
Message ExampleMessage() {
  internode::EchoMessage echo;
  echo.__set_data("hi");
  Message msg;
  msg.verb = internode::Verb::ECHO;
  msg.id = 1;
  msg.from = *Endpoint::Parse("127.0.0.1:7000");
  msg.flags = 0;
  msg.created_at_us = 1700000000000000;
  msg.timeout_ms = 1000;
  msg.payload = Serialize(echo);
  return msg;
}

TEST(FrameTest, GoldenBytesOfTheWorkedExample) {
  const std::string frame = EncodeMessageFrame(ExampleMessage());
  // Header: magic "CARN", version 1, length 42, checksum 0x95a95f0c.
  EXPECT_EQ(Hex(frame.substr(0, kFrameHeaderSize)), "43 41 52 4e 01 00 2a 00 00 00 0c 5f a9 95");
  // Envelope, compact protocol (annotated field by field in PROTOCOL.md).
  EXPECT_EQ(Hex(frame.substr(kFrameHeaderSize)),
            "15 02 16 02 1c 18 09 31 32 37 2e 30 2e 30 2e 31 15 b0 6d 00 15 00 16 80 80 f2 81 83 "
            "89 85 06 15 d0 0f 18 05 18 02 68 69 00 00");
}

TEST(FrameTest, GoldenHeaderOfASmallPayload) {
  std::string frame;
  AppendFrame(&frame, "hello");
  EXPECT_EQ(Hex(frame), "43 41 52 4e 01 00 05 00 00 00 c8 0d 21 c6 68 65 6c 6c 6f");
}

TEST(FrameTest, RoundTrip) {
  const Message in = ExampleMessage();
  const std::string frame = EncodeMessageFrame(in);
  auto header = ParseFrameHeader(frame.data(), kDefaultMaxFrameSize);
  ASSERT_OK(header.status());
  ASSERT_EQ(header->length + kFrameHeaderSize, frame.size());
  std::string_view payload(frame.data() + kFrameHeaderSize, header->length);
  ASSERT_OK(VerifyFramePayload(*header, payload));
  Message out;
  ASSERT_OK(DecodeMessage(payload, &out));
  EXPECT_EQ(out.verb, in.verb);
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.from, in.from);
  EXPECT_EQ(out.flags, in.flags);
  EXPECT_EQ(out.created_at_us, in.created_at_us);
  EXPECT_EQ(out.timeout_ms, in.timeout_ms);
  EXPECT_EQ(out.payload, in.payload);
  EXPECT_TRUE(out.is_request());
  internode::EchoMessage echo;
  ASSERT_OK(Deserialize(out.payload, &echo));
  EXPECT_EQ(echo.data, "hi");
}

TEST(FrameTest, BadMagicIsCorruption) {
  std::string frame;
  AppendFrame(&frame, "hello");
  frame[0] = 'X';
  auto header = ParseFrameHeader(frame.data(), kDefaultMaxFrameSize);
  EXPECT_TRUE(header.status().IsCorruption()) << header.status().ToString();
}

TEST(FrameTest, UnknownVersionIsCorruption) {
  std::string frame;
  AppendFrame(&frame, "hello");
  frame[4] = 2;
  auto header = ParseFrameHeader(frame.data(), kDefaultMaxFrameSize);
  EXPECT_TRUE(header.status().IsCorruption()) << header.status().ToString();
}

TEST(FrameTest, OversizedLengthIsRejectedFromTheHeaderAlone) {
  std::string frame;
  AppendFrame(&frame, std::string(100, 'x'));
  auto header = ParseFrameHeader(frame.data(), 99);
  EXPECT_TRUE(header.status().IsCorruption()) << header.status().ToString();
  ASSERT_OK(ParseFrameHeader(frame.data(), 100).status());
}

TEST(FrameTest, EveryFlippedPayloadBitFailsTheChecksum) {
  std::string frame;
  AppendFrame(&frame, "a payload of some length");
  auto header = ParseFrameHeader(frame.data(), kDefaultMaxFrameSize);
  ASSERT_OK(header.status());
  for (size_t i = kFrameHeaderSize; i < frame.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      std::string_view payload(bad.data() + kFrameHeaderSize, header->length);
      EXPECT_TRUE(VerifyFramePayload(*header, payload).IsCorruption()) << i << ":" << bit;
    }
  }
}

TEST(FrameTest, ChecksumCoversTheLength) {
  // A frame whose length field was damaged to a smaller, still-valid value fails its
  // checksum over the shorter payload.
  std::string frame;
  AppendFrame(&frame, "0123456789");
  frame[6] = 9;
  auto header = ParseFrameHeader(frame.data(), kDefaultMaxFrameSize);
  ASSERT_OK(header.status());
  EXPECT_TRUE(
      VerifyFramePayload(*header, std::string_view(frame.data() + kFrameHeaderSize, 9)).IsCorruption());
}

TEST(FrameTest, GarbageEnvelopeIsCorruption) {
  Message msg;
  for (std::string garbage : {std::string(), std::string("\xff\xff\xff\xff", 4), std::string(64, '\x19'),
                              std::string("\x18\x7f\xff\xff\xff\x0f", 6)}) {
    EXPECT_TRUE(DecodeMessage(garbage, &msg).IsCorruption()) << Hex(garbage);
  }
  // A truncated envelope.
  const std::string frame = EncodeMessageFrame(ExampleMessage());
  for (size_t n = 0; n + 1 < frame.size() - kFrameHeaderSize; ++n) {
    EXPECT_TRUE(DecodeMessage(std::string_view(frame.data() + kFrameHeaderSize, n), &msg).IsCorruption())
        << n;
  }
}

TEST(FrameTest, BadSenderAddressIsCorruption) {
  internode::Envelope env;
  env.verb = internode::Verb::ECHO;
  env.sender.address = "not-an-ip";
  env.sender.port = 7000;
  Message msg;
  EXPECT_TRUE(DecodeMessage(Serialize(env), &msg).IsCorruption());
  env.sender.address = "127.0.0.1";
  env.sender.port = 70000;
  EXPECT_TRUE(DecodeMessage(Serialize(env), &msg).IsCorruption());
  env.sender.port = 7000;
  env.flags = 8;
  EXPECT_TRUE(DecodeMessage(Serialize(env), &msg).IsCorruption());
  env.flags = kFlagResponse;
  ASSERT_OK(DecodeMessage(Serialize(env), &msg));
  EXPECT_TRUE(msg.is_response());
}

// Senders alternate on one thread (the codec remembers the last address it formatted and
// parsed): each message still carries, and decodes to, its own sender; a bad address after
// a good one is still refused.
TEST(FrameTest, SendersOfConsecutiveMessagesStayTheirOwn) {
  const std::vector<std::string> senders = {"127.0.0.1:7000", "127.0.0.2:7000", "127.0.0.1:7001",
                                            "[::1]:7000", "127.0.0.1:7000"};
  for (int round = 0; round < 2; ++round) {
    for (const std::string& sender : senders) {
      Message in = ExampleMessage();
      in.from = *Endpoint::Parse(sender);
      const std::string frame = EncodeMessageFrame(in);
      Message out;
      ASSERT_OK(DecodeMessage(std::string_view(frame).substr(kFrameHeaderSize), &out));
      EXPECT_EQ(out.from, in.from) << sender;
      EXPECT_EQ(out.from.ToString(), sender);
    }
  }
  internode::Envelope env;
  env.verb = internode::Verb::ECHO;
  env.sender.address = "127.0.0.1";
  env.sender.port = 7000;
  Message msg;
  ASSERT_OK(DecodeMessage(Serialize(env), &msg));
  env.sender.address = "127.0.0.1x";
  EXPECT_TRUE(DecodeMessage(Serialize(env), &msg).IsCorruption());
}

}  // namespace
}  // namespace cairn::net
