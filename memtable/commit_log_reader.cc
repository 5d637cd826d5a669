// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/commit_log_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/checksum.h"
#include "common/coding.h"
#include "common/logging.h"
#include "memtable/commit_log_format.h"

namespace cairn::memtable {

using commitlog::FragmentType;
using commitlog::kFragmentHeaderSize;
using commitlog::kSegmentHeaderSize;

std::string CommitLogCorruption::ToString() const {
  return file + " at offset " + std::to_string(offset) + ": " + reason + " (" +
         std::to_string(bytes) + " bytes skipped)";
}

namespace {

Status ReadWholeFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open " + path, errno);
  out->clear();
  char buf[1 << 16];
  Status s;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      s = Status::IOErrorFromErrno("read " + path, errno);
      break;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return s;
}

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Parses and checks the segment header; on success sets *id and *block_size.
Status CheckHeader(const std::string& path, std::string_view data, uint64_t expected_id,
                   uint64_t* id, uint32_t* block_size) {
  if (data.size() < kSegmentHeaderSize) {
    return Status::Corruption(path + ": file is " + std::to_string(data.size()) +
                              " bytes, shorter than the 32-byte commit log segment header");
  }
  if (std::memcmp(data.data(), commitlog::kMagic, sizeof(commitlog::kMagic)) != 0) {
    return Status::Corruption(path + ": bad magic number at offset 0, not a Cairn commit log segment");
  }
  uint32_t version = DecodeFixed32(data.data() + 8);
  if (version != commitlog::kFormatVersion) {
    return Status::NotSupported(path + ": commit log format version " + std::to_string(version) +
                                ", this build reads only version " +
                                std::to_string(commitlog::kFormatVersion));
  }
  uint32_t stored = DecodeFixed32(data.data() + 28);
  if (Checksum32(data.substr(0, 28)) != stored) {
    return Status::Corruption(path + ": segment header checksum mismatch");
  }
  *block_size = DecodeFixed32(data.data() + 12);
  // A block must hold the header plus one fragment header, and a fragment's length is u16.
  if (*block_size < kSegmentHeaderSize + kFragmentHeaderSize ||
      *block_size > 0xffff + kFragmentHeaderSize) {
    return Status::Corruption(path + ": invalid block size " + std::to_string(*block_size));
  }
  *id = DecodeFixed64(data.data() + 16);
  if (expected_id != 0 && *id < expected_id) {
    return Status::Corruption(path + ": header holds segment id " + std::to_string(*id) +
                              " but the file name says " + std::to_string(expected_id));
  }
  return Status::OK();
}

}  // namespace

Status ReadCommitLogSegment(const std::string& path, uint64_t expected_id,
                            const ReplayCallback& callback, ReplayStats* stats) {
  std::string data;
  CAIRN_RETURN_IF_ERROR(ReadWholeFile(path, &data));
  uint64_t id = 0;
  uint32_t block = 0;
  CAIRN_RETURN_IF_ERROR(CheckHeader(path, data, expected_id, &id, &block));
  stats->segments++;
  if (expected_id != 0 && id > expected_id) {
    // A recycled file whose renames were lost in a crash: it got its new header, but the
    // directory still shows an older name. It was never used under the new id (the log
    // syncs the directory before appending to a segment), and its old records had all
    // been flushed (that is why it was recycled), so there is nothing to replay.
    CAIRN_LOG(INFO) << "commit log " << path << ": recycled segment (header id " << id
                    << "), nothing to replay";
    return Status::OK();
  }

  const uint64_t size = std::min<uint64_t>(data.size(), UINT32_MAX);
  uint64_t pos = kSegmentHeaderSize;
  std::string record;
  bool in_record = false;
  uint64_t record_start = 0;
  bool damaged = false;     // inside a damaged region
  uint64_t damage = 0;      // where it starts
  std::string damage_reason;
  bool clean_end = false;
  bool dropping = false;  // skipping the rest of a record whose start was in the damage

  auto start_damage = [&](uint64_t at, std::string reason) {
    if (!damaged) {
      damaged = true;
      damage = in_record ? record_start : at;
      damage_reason = std::move(reason);
    }
    in_record = false;
    record.clear();
  };
  auto report = [&](uint64_t at, uint64_t bytes, std::string reason) {
    CommitLogCorruption c{path, at, bytes, std::move(reason)};
    CAIRN_LOG(WARN) << "commit log corruption in " << c.ToString()
                    << "; replaying the intact records after it";
    stats->corruptions.push_back(std::move(c));
  };
  auto deliver = [&](uint64_t end, std::string_view payload) -> Status {
    stats->records++;
    stats->record_bytes += payload.size();
    return callback(ReplayPosition{id, static_cast<uint32_t>(end)}, payload);
  };

  while (pos < size) {
    const uint64_t next_block = (pos / block + 1) * block;
    const uint64_t left = std::min(next_block, size) - pos;
    if (left < kFragmentHeaderSize) {
      if (next_block > size) {  // the file ends inside a header: truncated
        start_damage(pos, "truncated fragment header");
      }
      pos = next_block;  // otherwise a block trailer, padding by definition
      continue;
    }
    const char* p = data.data() + pos;
    const uint32_t crc = DecodeFixed32(p);
    const uint16_t len = DecodeFixed16(p + 4);
    const auto type = static_cast<FragmentType>(static_cast<uint8_t>(p[6]));
    if (crc == 0 && len == 0 && type == FragmentType::kZero) {
      start_damage(pos, "unwritten (zero) fragment header");
      pos = next_block;
      continue;
    }
    if (kFragmentHeaderSize + len > left) {
      start_damage(pos, "fragment length " + std::to_string(len) + " runs past the " +
                            (next_block > size ? "end of the file" : "block"));
      pos = next_block;
      continue;
    }
    std::string_view payload(p + kFragmentHeaderSize, len);
    if (commitlog::FragmentChecksum(id, std::string_view(p + 4, 3 + len)) != crc) {
      start_damage(pos, "checksum mismatch");
      pos = next_block;
      continue;
    }
    // An intact fragment: any damage before it is in the middle of the segment.
    if (damaged) {
      report(damage, pos - damage, damage_reason);
      damaged = false;
      dropping = true;
    }
    const uint64_t end = pos + kFragmentHeaderSize + len;
    switch (type) {
      case FragmentType::kEndOfSegment:
        if (in_record) report(record_start, pos - record_start, "record cut by end of segment");
        in_record = false;
        clean_end = true;
        break;
      case FragmentType::kFull:
        if (in_record) report(record_start, pos - record_start, "record missing its last fragment");
        in_record = false;
        CAIRN_RETURN_IF_ERROR(deliver(end, payload));
        break;
      case FragmentType::kFirst:
        if (in_record) report(record_start, pos - record_start, "record missing its last fragment");
        in_record = true;
        record_start = pos;
        record.assign(payload);
        break;
      case FragmentType::kMiddle:
      case FragmentType::kLast:
        if (!in_record) {
          // The rest of a record whose start was lost. Right after a damaged region that
          // region was just reported; anywhere else it is a damage of its own.
          if (!dropping) report(pos, end - pos, "fragment without a first fragment");
          break;
        }
        record.append(payload);
        if (type == FragmentType::kLast) {
          in_record = false;
          CAIRN_RETURN_IF_ERROR(deliver(end, record));
        }
        break;
      default:
        report(pos, end - pos, "unknown fragment type " + std::to_string(static_cast<int>(type)));
        in_record = false;
        break;
    }
    if (type != FragmentType::kMiddle) dropping = false;
    if (clean_end) break;
    pos = end;
  }

  if (!clean_end && (damaged || in_record)) {
    const uint64_t start = damaged ? damage : record_start;
    const uint64_t bytes = data.size() - start;
    const bool all_zero = AllZero(std::string_view(data).substr(start));
    if (start == kSegmentHeaderSize && all_zero) {
      // Never written to: a prepared segment that was not used before the crash.
      CAIRN_LOG(DEBUG) << "commit log " << path << ": empty segment";
      return Status::OK();
    }
    stats->torn_tails++;
    stats->torn_tail_bytes += bytes;
    CAIRN_LOG(INFO) << "commit log " << path << ": torn tail at offset " << start << " ("
                    << bytes << " bytes"
                    << (all_zero ? ", all zeros" : "")
                    << ", " << (damaged ? damage_reason : "partial record")
                    << ") skipped; the records before it were replayed";
  }
  return Status::OK();
}

}  // namespace cairn::memtable
