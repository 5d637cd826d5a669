// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Frame encoding and checking. Layout (node/net/PROTOCOL.md):
//   +-------+---------+--------+----------+---------------------+
//   | magic | version | length | checksum | payload (length B)  |
//   | u32le | u16le   | u32le  | u32le    | compact Envelope    |
//   +-------+---------+--------+----------+---------------------+
// The checksum is seeded with version and length so a flipped bit in either is caught
// even when the damaged length still fits under the size bound.
#include "node/net/frame.h"

#include "common/checksum.h"
#include "common/coding.h"

namespace cairn::net {

uint32_t FrameChecksum(uint16_t version, std::string_view payload) {
  const uint64_t seed = (static_cast<uint64_t>(version) << 32) | payload.size();
  return static_cast<uint32_t>(Checksum64(payload, seed));
}

void EncodeFrameHeader(char* dst, std::string_view payload) {
  EncodeFixed32(dst, kFrameMagic);
  dst[4] = static_cast<char>(kFrameVersion & 0xff);
  dst[5] = static_cast<char>(kFrameVersion >> 8);
  EncodeFixed32(dst + 6, static_cast<uint32_t>(payload.size()));
  EncodeFixed32(dst + 10, FrameChecksum(kFrameVersion, payload));
}

void AppendFrame(std::string* dst, std::string_view payload) {
  char header[kFrameHeaderSize];
  EncodeFrameHeader(header, payload);
  dst->append(header, kFrameHeaderSize);
  dst->append(payload);
}

Result<FrameHeader> ParseFrameHeader(const char* src, uint32_t max_payload) {
  const uint32_t magic = DecodeFixed32(src);
  if (magic != kFrameMagic) {
    return Status::Corruption("bad frame magic " + std::to_string(magic));
  }
  FrameHeader h;
  h.version = DecodeFixed16(src + 4);
  if (h.version != kFrameVersion) {
    return Status::Corruption("unsupported frame version " + std::to_string(h.version));
  }
  h.length = DecodeFixed32(src + 6);
  if (h.length > max_payload) {
    return Status::Corruption("frame length " + std::to_string(h.length) + " exceeds limit " +
                              std::to_string(max_payload));
  }
  h.checksum = DecodeFixed32(src + 10);
  return h;
}

Status VerifyFramePayload(const FrameHeader& header, std::string_view payload) {
  if (payload.size() != header.length) {
    return Status::Corruption("frame payload is " + std::to_string(payload.size()) +
                              " bytes, header says " + std::to_string(header.length));
  }
  const uint32_t actual = FrameChecksum(header.version, payload);
  if (actual != header.checksum) {
    return Status::Corruption("frame checksum mismatch: stored " + std::to_string(header.checksum) +
                              ", computed " + std::to_string(actual));
  }
  return Status::OK();
}

}  // namespace cairn::net
