// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The internode frame: how one message is delimited and checked on a TCP connection.
// The byte layout, a worked example and the rules for corrupt input are in
// node/net/PROTOCOL.md; tests/net/frame_test.cc pins the golden bytes. Change the three
// together.
//
//   frame    := header payload
//   header   := magic:fixed32 version:fixed16 length:fixed32 checksum:fixed32   (14 bytes)
//   magic    =  0x4E524143 ("CARN" on the wire)
//   version  =  1
//   length   =  payload bytes, 0 <= length <= the receiver's max frame size
//   checksum =  low 32 bits of XXH3-64(payload, seed = version << 32 | length)
//   payload  := an Envelope (internode.thrift) in Thrift's TCompactProtocol
// All integers little-endian, as in every other Cairn format (common/coding.h).
//
// Thread-safety: free functions over caller-owned buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::net {

inline constexpr uint32_t kFrameMagic = 0x4E524143;  // bytes 43 41 52 4E, "CARN"
inline constexpr uint16_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderSize = 14;
// Default bound on a frame's payload; the receiver's MessagingOptions may lower or raise
// it (up to kMaxFrameSizeLimit).
inline constexpr uint32_t kDefaultMaxFrameSize = 16u << 20;
inline constexpr uint32_t kMaxFrameSizeLimit = 256u << 20;

struct FrameHeader {
  uint16_t version = kFrameVersion;
  uint32_t length = 0;
  uint32_t checksum = 0;
};

// The checksum of a frame with this version and payload.
uint32_t FrameChecksum(uint16_t version, std::string_view payload);

// Writes the 14-byte header for `payload` at dst[0..14).
void EncodeFrameHeader(char* dst, std::string_view payload);

// Appends header + payload to *dst.
void AppendFrame(std::string* dst, std::string_view payload);

// Parses the 14 bytes at `src`. Corruption when the magic is wrong, the version is not
// one this build reads, or length > max_payload. Never reads past src + 14.
Result<FrameHeader> ParseFrameHeader(const char* src, uint32_t max_payload);

// Corruption when `payload` does not match header.checksum (or header.length).
Status VerifyFramePayload(const FrameHeader& header, std::string_view payload);

}  // namespace cairn::net
