// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/commit_log_format.h"

#include <charconv>

#include "common/checksum.h"
#include "common/coding.h"

namespace cairn::memtable::commitlog {

// Header layout (32 bytes, see COMMITLOG_FORMAT.md "Segment header"):
//   [0,8) magic  [8,12) version  [12,16) block_size  [16,24) segment_id
//   [24,28) reserved (0)  [28,32) low 32 bits of XXH3-64 (seed 0) over [0,28)
std::string EncodeSegmentHeader(uint64_t segment_id) {
  std::string h(kMagic, sizeof(kMagic));
  PutFixed32(&h, kFormatVersion);
  PutFixed32(&h, kBlockSize);
  PutFixed64(&h, segment_id);
  PutFixed32(&h, 0);
  PutFixed32(&h, Checksum32(h));
  return h;
}

uint32_t FragmentChecksum(uint64_t segment_id, std::string_view covered) {
  return static_cast<uint32_t>(Checksum64(covered, segment_id));
}

void AppendFragment(std::string* dst, uint64_t segment_id, FragmentType type,
                    std::string_view payload) {
  const size_t start = dst->size();
  PutFixed32(dst, 0);  // checksum, filled in below
  PutFixed16(dst, static_cast<uint16_t>(payload.size()));
  dst->push_back(static_cast<char>(type));
  dst->append(payload.data(), payload.size());
  std::string_view covered(dst->data() + start + 4, dst->size() - start - 4);
  EncodeFixed32(dst->data() + start, FragmentChecksum(segment_id, covered));
}

namespace {
constexpr std::string_view kPrefix = "CommitLog-";

std::string BaseName(uint64_t segment_id) {
  return std::string(kPrefix) + std::to_string(kFormatVersion) + "-" +
         std::to_string(segment_id);
}

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}
}  // namespace

std::string SegmentFileName(uint64_t segment_id) { return BaseName(segment_id) + ".log"; }
std::string TempSegmentFileName(uint64_t segment_id) {
  return BaseName(segment_id) + ".log.tmp";
}
std::string RecycleFileName(uint64_t segment_id) { return BaseName(segment_id) + ".recycle"; }

bool ParseSegmentFileName(std::string_view name, uint64_t* segment_id, uint32_t* version,
                          SegmentFileKind* kind) {
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  if (name.ends_with(".log")) {
    *kind = SegmentFileKind::kSegment;
    name.remove_suffix(4);
  } else if (name.ends_with(".log.tmp")) {
    *kind = SegmentFileKind::kTemp;
    name.remove_suffix(8);
  } else if (name.ends_with(".recycle")) {
    *kind = SegmentFileKind::kRecycle;
    name.remove_suffix(8);
  } else {
    return false;
  }
  size_t dash = name.find('-');
  uint64_t v;
  if (dash == std::string_view::npos || !ParseNumber(name.substr(0, dash), &v) ||
      v > UINT32_MAX || !ParseNumber(name.substr(dash + 1), segment_id)) {
    return false;
  }
  *version = static_cast<uint32_t>(v);
  return true;
}

}  // namespace cairn::memtable::commitlog
