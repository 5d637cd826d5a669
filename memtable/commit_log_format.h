// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Constants and small encoders of the commit log segment format. The layout is specified
// in memtable/COMMITLOG_FORMAT.md; change the doc, this file and the golden-bytes test
// (tests/memtable/commit_log_test.cc, CommitLogFormatTest.GoldenBytes) together.
//
//   segment  := header block*                      (file size = segment_size_bytes)
//   header   := magic[8] version:u32 block_size:u32 segment_id:u64 reserved:u32 hcrc:u32
//   block    := fragment* trailer?                 (block_size bytes, the first block
//                                                   starts after the 32-byte header)
//   fragment := crc:u32 length:u16 type:u8 payload[length]
//   trailer  := 0x00{1..6}                          (a block tail too short for a header)
// All integers are little-endian. crc is the low 32 bits of XXH3-64, seeded with the
// segment id, over the 3 bytes length+type and the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::memtable::commitlog {

// "CAIRNLOG" in ASCII, the first 8 bytes of every segment.
inline constexpr char kMagic[8] = {'C', 'A', 'I', 'R', 'N', 'L', 'O', 'G'};
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr uint32_t kBlockSize = 32 * 1024;
// crc (4) + length (2) + type (1).
inline constexpr size_t kFragmentHeaderSize = 7;

enum class FragmentType : uint8_t {
  kZero = 0,    // never written: preallocated zeros or a block trailer
  kFull = 1,    // a whole record
  kFirst = 2,   // first fragment of a record that continues in the next block
  kMiddle = 3,  // interior fragment
  kLast = 4,    // last fragment
  kEndOfSegment = 5,  // length 0: the writer closed this segment; nothing follows
};

// Writes the 32-byte segment header.
std::string EncodeSegmentHeader(uint64_t segment_id);

// The fragment checksum: low 32 bits of XXH3-64(length+type bytes, payload; seed id).
// `covered` is the bytes from offset 4 of the fragment to its end.
uint32_t FragmentChecksum(uint64_t segment_id, std::string_view covered);

// Appends one fragment (header + payload) to *dst.
void AppendFragment(std::string* dst, uint64_t segment_id, FragmentType type,
                    std::string_view payload);

// Segment file names in the commit log directory:
//   CommitLog-<version>-<id>.log       a segment (live, or left by an earlier process)
//   CommitLog-<version>-<id>.log.tmp   a segment being prepared; deleted on open
//   CommitLog-<version>-<id>.recycle   a fully flushed segment kept for reuse; never replayed
std::string SegmentFileName(uint64_t segment_id);
std::string TempSegmentFileName(uint64_t segment_id);
std::string RecycleFileName(uint64_t segment_id);

enum class SegmentFileKind { kSegment, kTemp, kRecycle };
// Parses a name made by one of the functions above (any version number); false for
// anything else.
bool ParseSegmentFileName(std::string_view name, uint64_t* segment_id, uint32_t* version,
                          SegmentFileKind* kind);

}  // namespace cairn::memtable::commitlog
