// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/format.h"

#include <fcntl.h>
#include <snappy.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/checksum.h"
#include "common/coding.h"

namespace cairn::sstable {

std::string_view MagicFor(Component c) {
  switch (c) {
    case Component::kData: return kDataMagic;
    case Component::kIndex: return kIndexMagic;
    case Component::kSummary: return kSummaryMagic;
    case Component::kFilter: return kFilterMagic;
    case Component::kStatistics: return kStatisticsMagic;
    case Component::kTOC: break;
  }
  return {};
}

void PutFileHeader(std::string* dst, Component c) {
  dst->append(MagicFor(c));
  PutFixed32(dst, kFormatVersion);
}

Status CorruptionAt(const std::string& path, uint64_t offset, std::string_view what) {
  return Status::Corruption(path + ": " + std::string(what) + " at offset " +
                            std::to_string(offset));
}

Status CheckFileHeader(std::string_view bytes, Component c, const std::string& path) {
  if (bytes.size() < kFileHeaderSize) return CorruptionAt(path, 0, "file shorter than header");
  if (bytes.substr(0, kMagicSize) != MagicFor(c)) return CorruptionAt(path, 0, "bad magic");
  uint32_t version = DecodeFixed32(bytes.data() + kMagicSize);
  if (version != kFormatVersion) {
    return CorruptionAt(path, kMagicSize, "unsupported format version " + std::to_string(version));
  }
  return Status::OK();
}

namespace {
// The type byte is covered by using it as the hash seed (no copy of the payload).
uint32_t BlockChecksum(std::string_view payload, uint8_t type) {
  return static_cast<uint32_t>(Checksum64(payload, type));
}
}  // namespace

void AppendBlockTrailer(std::string* dst, std::string_view payload, uint8_t type) {
  // `payload` may view *dst itself (callers append the trailer to the block they
  // checksum): compute before appending, which may reallocate.
  const uint32_t checksum = BlockChecksum(payload, type);
  dst->push_back(static_cast<char>(type));
  PutFixed32(dst, checksum);
}

Status DecodeBlock(std::string_view stored, const std::string& path, uint64_t offset,
                   size_t expected_size, std::string* out) {
  if (stored.size() < kBlockTrailerSize) return CorruptionAt(path, offset, "block too short");
  std::string_view payload = stored.substr(0, stored.size() - kBlockTrailerSize);
  const char* trailer = stored.data() + payload.size();
  uint8_t type = static_cast<uint8_t>(trailer[0]);
  if (DecodeFixed32(trailer + 1) != BlockChecksum(payload, type)) {
    return CorruptionAt(path, offset, "block checksum mismatch");
  }
  if (type == kBlockRaw) {
    if (expected_size != SIZE_MAX && payload.size() != expected_size) {
      return CorruptionAt(path, offset, "block has wrong length");
    }
    out->assign(payload);
    return Status::OK();
  }
  if (type != kBlockSnappy) return CorruptionAt(path, offset, "unknown block type");
  size_t n = 0;
  if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &n) ||
      (expected_size != SIZE_MAX && n != expected_size) || n > kMaxBlockSize) {
    return CorruptionAt(path, offset, "bad compressed block length");
  }
  out->resize(n);
  if (!snappy::RawUncompress(payload.data(), payload.size(), out->data())) {
    return CorruptionAt(path, offset, "corrupt compressed block");
  }
  return Status::OK();
}

std::string EncodeToc(const uint64_t sizes[5]) {
  std::string s(kTocFirstLine);
  s += "\n";
  for (size_t i = 0; i < 5; ++i) {
    s += ComponentName(kTocComponents[i]);
    s += " " + std::to_string(sizes[i]) + "\n";
  }
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(Checksum64(s)));
  s += "checksum ";
  s += hex;
  s += "\n";
  return s;
}

Status DecodeToc(std::string_view text, const std::string& path, uint64_t sizes[5]) {
  // Re-encoding from the parsed sizes and comparing is the strictest check there is.
  size_t pos = 0;
  auto next_line = [&](std::string_view* line) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    *line = text.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || line != kTocFirstLine) {
    return CorruptionAt(path, 0, "bad TOC magic/version line");
  }
  for (size_t i = 0; i < 5; ++i) {
    size_t line_offset = pos;
    std::string_view want = ComponentName(kTocComponents[i]);
    if (!next_line(&line) || !line.starts_with(want) || line.size() <= want.size() + 1 ||
        line[want.size()] != ' ' || line.size() > want.size() + 21) {
      return CorruptionAt(path, line_offset, "bad TOC component line");
    }
    uint64_t v = 0;
    for (char ch : line.substr(want.size() + 1)) {
      if (ch < '0' || ch > '9' || v > (UINT64_MAX - 9) / 10) {
        return CorruptionAt(path, line_offset, "bad TOC size");
      }
      v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    sizes[i] = v;
  }
  if (EncodeToc(sizes) != text) return CorruptionAt(path, pos, "TOC checksum mismatch");
  return Status::OK();
}

void EncodeIndexEntry(std::string* dst, const IndexEntry& e) {
  PutLengthPrefixed(dst, e.key.token.bytes);
  PutLengthPrefixed(dst, e.key.key);
  PutVarint64(dst, e.position);
  PutVarint64(dst, e.size);
  PutVarint32(dst, e.header_size);
  PutVarint32(dst, static_cast<uint32_t>(e.columns.size()));
  for (const ColumnIndexEntry& c : e.columns) {
    PutLengthPrefixed(dst, c.first_name);
    PutLengthPrefixed(dst, c.last_name);
    PutVarint64(dst, c.offset);
    PutVarint64(dst, c.width);
  }
}

bool DecodeIndexEntry(Decoder* in, IndexEntry* e) {
  std::string_view token, key;
  uint32_t ncols;
  if (!in->GetLengthPrefixed(&token) || !in->GetLengthPrefixed(&key) ||
      !in->GetVarint64(&e->position) || !in->GetVarint64(&e->size) ||
      !in->GetVarint32(&e->header_size) || !in->GetVarint32(&ncols)) {
    return false;
  }
  e->key.token.bytes.assign(token);
  e->key.key.assign(key);
  if (e->header_size > e->size || e->position > UINT64_MAX - e->size) return false;
  // Each column entry takes at least 4 bytes: bound the allocation by the input.
  if (ncols > in->remaining() / 4) return false;
  e->columns.resize(ncols);
  uint64_t next = e->header_size;
  for (ColumnIndexEntry& c : e->columns) {
    std::string_view first, last;
    if (!in->GetLengthPrefixed(&first) || !in->GetLengthPrefixed(&last) ||
        !in->GetVarint64(&c.offset) || !in->GetVarint64(&c.width)) {
      return false;
    }
    // Chunks tile the cells of the partition in order.
    if (c.offset != next || c.width > e->size - c.offset) return false;
    next = c.offset + c.width;
    c.first_name.assign(first);
    c.last_name.assign(last);
  }
  if (ncols > 0 && next != e->size) return false;
  return true;
}

// ---- WritableFile ----

Result<std::unique_ptr<WritableFile>> WritableFile::Create(std::string path,
                                                           const WriteHook* hook) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOErrorFromErrno("create " + path, errno);
  return std::unique_ptr<WritableFile>(new WritableFile(std::move(path), fd, hook));
}

WritableFile::~WritableFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status WritableFile::WriteRaw(std::string_view data) {
  if (fd_ < 0) return Status::IOError(path_ + ": write after close");
  if (hook_ != nullptr && *hook_) CAIRN_RETURN_IF_ERROR((*hook_)(path_, data.size()));
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOErrorFromErrno("write " + path_, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status WritableFile::Append(std::string_view data) {
  constexpr size_t kBufferSize = 64 * 1024;
  size_ += data.size();
  if (buf_.size() + data.size() <= kBufferSize) {
    buf_.append(data);
    return Status::OK();
  }
  CAIRN_RETURN_IF_ERROR(Flush());
  if (data.size() >= kBufferSize) return WriteRaw(data);
  buf_.append(data);
  return Status::OK();
}

Status WritableFile::Flush() {
  if (buf_.empty()) return Status::OK();
  Status s = WriteRaw(buf_);
  buf_.clear();
  return s;
}

Status WritableFile::Sync() {
  CAIRN_RETURN_IF_ERROR(Flush());
  if (::fdatasync(fd_) != 0) return Status::IOErrorFromErrno("fdatasync " + path_, errno);
  return Status::OK();
}

Status WritableFile::Close() {
  Status s = Flush();
  if (fd_ >= 0) {
    if (::close(fd_) != 0 && s.ok()) s = Status::IOErrorFromErrno("close " + path_, errno);
    fd_ = -1;
  }
  return s;
}

// ---- RandomAccessFile ----

Result<std::unique_ptr<RandomAccessFile>> RandomAccessFile::Open(std::string path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::IOErrorFromErrno("open " + path, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOErrorFromErrno("fstat " + path, err);
  }
  return std::unique_ptr<RandomAccessFile>(
      new RandomAccessFile(std::move(path), fd, static_cast<uint64_t>(st.st_size)));
}

RandomAccessFile::~RandomAccessFile() { ::close(fd_); }

Status RandomAccessFile::Read(uint64_t offset, size_t n, std::string* out) const {
  if (offset > size_ || n > size_ - offset) {
    return CorruptionAt(path_, offset, "read of " + std::to_string(n) + " bytes past end of file");
  }
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOErrorFromErrno("pread " + path_, errno);
    }
    if (r == 0) return CorruptionAt(path_, offset + done, "unexpected end of file");
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

void RandomAccessFile::Prefetch(uint64_t offset, size_t n) const {
  if (offset >= size_) return;
  (void)::posix_fadvise(fd_, static_cast<off_t>(offset),
                        static_cast<off_t>(std::min<uint64_t>(n, size_ - offset)),
                        POSIX_FADV_WILLNEED);
}

// ---- ReadaheadReader ----

Status ReadaheadReader::Read(uint64_t offset, size_t n, std::string_view* out) {
  if (offset >= window_offset_ && offset - window_offset_ <= window_.size() &&
      n <= window_.size() - (offset - window_offset_)) {
    *out = std::string_view(window_).substr(offset - window_offset_, n);
    return Status::OK();
  }
  // A read that starts inside or right after the window continues it (the block that
  // straddles the window's end starts inside it).
  const bool sequential =
      !window_.empty() && offset >= window_offset_ && offset - window_offset_ <= window_.size();
  next_size_ = sequential ? std::min(next_size_ * 2, max_window_) : kMinReadahead;
  // Past `limit` (or with a bad offset) read just what was asked; Read reports a short file.
  size_t len = n;
  if (offset < limit_ && n <= limit_ - offset) {
    len =
        static_cast<size_t>(std::max<uint64_t>(n, std::min<uint64_t>(next_size_, limit_ - offset)));
  }
  window_offset_ = offset;
  Status s = file_->Read(offset, len, &window_);
  if (!s.ok()) {
    window_.clear();
    return s;
  }
  if (next_size_ == max_window_ && offset + len < limit_) {
    file_->Prefetch(offset + len,
                    static_cast<size_t>(std::min<uint64_t>(max_window_, limit_ - offset - len)));
  }
  *out = std::string_view(window_).substr(0, n);
  return Status::OK();
}

Status ReadWholeFile(const std::string& path, uint64_t max_size, std::string* out) {
  CAIRN_ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  if (file->size() > max_size) return CorruptionAt(path, 0, "file too large");
  return file->Read(0, file->size(), out);
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open dir " + dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = Status::IOErrorFromErrno("fsync dir " + dir, errno);
  ::close(fd);
  return s;
}

}  // namespace cairn::sstable
