// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/hints/record_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "common/checksum.h"
#include "common/coding.h"

namespace cairn::hints {

namespace {

uint32_t LengthCrc(const char* length_bytes) {
  return Checksum32(std::string_view(length_bytes, 4));
}

Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOErrorFromErrno("write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

void AppendRecord(std::string* dst, std::string_view body) {
  const size_t start = dst->size();
  PutFixed32(dst, static_cast<uint32_t>(body.size()));
  const uint32_t length_crc = LengthCrc(dst->data() + start);
  PutFixed32(dst, length_crc);
  dst->append(body.data(), body.size());
  // The body checksum covers the length too, so a record is checked as a whole.
  std::string covered(dst->data() + start, 4);
  covered.append(body.data(), body.size());
  PutFixed32(dst, Checksum32(covered));
}

Result<std::string> PreadUpTo(int fd, uint64_t offset, size_t n) {
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOErrorFromErrno("pread", errno);
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  out.resize(done);
  return out;
}

Result<RecordRead> ReadRecord(int fd, uint64_t file_size, uint64_t offset) {
  RecordRead rec;
  if (offset >= file_size) {
    rec.state = RecordState::kEnd;
    return rec;
  }
  const uint64_t left = file_size - offset;
  if (left < 8) {
    rec.state = RecordState::kTornTail;
    rec.reason = "incomplete record header";
    return rec;
  }
  CAIRN_ASSIGN_OR_RETURN(std::string head, PreadUpTo(fd, offset, 8));
  if (head.size() < 8) {  // the file shrank under us: nothing more to read
    rec.state = RecordState::kTornTail;
    rec.reason = "incomplete record header";
    return rec;
  }
  const uint32_t length = DecodeFixed32(head.data());
  const uint32_t length_crc = DecodeFixed32(head.data() + 4);
  if (LengthCrc(head.data()) != length_crc) {
    // Space the file system extended but never wrote reads as zeros: a crash after the
    // size update and before the data. Anything else is damage.
    if (std::all_of(head.begin(), head.end(), [](char c) { return c == 0; })) {
      rec.state = RecordState::kTornTail;
      rec.reason = "zeroed record header";
    } else {
      rec.state = RecordState::kCorrupt;
      rec.reason = "record length checksum mismatch";
    }
    return rec;
  }
  if (length > kMaxRecordBody) {
    rec.state = RecordState::kCorrupt;
    rec.reason = "record length " + std::to_string(length) + " above the limit";
    return rec;
  }
  const uint64_t total = kRecordOverhead + static_cast<uint64_t>(length);
  if (total > left) {
    rec.state = RecordState::kTornTail;
    rec.reason = "record extends past the end of the file";
    return rec;
  }
  CAIRN_ASSIGN_OR_RETURN(std::string rest, PreadUpTo(fd, offset + 8, length + 4u));
  if (rest.size() < length + 4u) {
    rec.state = RecordState::kTornTail;
    rec.reason = "record extends past the end of the file";
    return rec;
  }
  const uint32_t body_crc = DecodeFixed32(rest.data() + length);
  rest.resize(length);
  std::string covered(head.data(), 4);
  covered += rest;
  if (Checksum32(covered) != body_crc) {
    // The last record of the file with a bad body: the crash cut its write.
    rec.state = total == left ? RecordState::kTornTail : RecordState::kCorrupt;
    rec.reason = "record checksum mismatch";
    return rec;
  }
  rec.state = RecordState::kRecord;
  rec.body = std::move(rest);
  rec.next_offset = offset + total;
  return rec;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::IOErrorFromErrno("open " + path, errno);
  }
  Result<std::string> data = PreadUpTo(fd, 0, max_bytes);
  ::close(fd);
  if (!data.ok()) return data.status().WithContext(path);
  return data;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOErrorFromErrno("fsync " + dir, err);
  return Status::OK();
}

Status WriteFileAtomically(const std::string& dir, const std::string& name,
                           std::string_view data, bool sync) {
  const std::string path = dir + "/" + name;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOErrorFromErrno("open " + tmp, errno);
  Status s = PwriteAll(fd, data, 0, tmp);
  if (s.ok() && sync && ::fsync(fd) != 0) s = Status::IOErrorFromErrno("fsync " + tmp, errno);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::IOErrorFromErrno("rename " + tmp, errno);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return sync ? SyncDirectory(dir) : Status::OK();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::IOErrorFromErrno("unlink " + path, errno);
  }
  return Status::OK();
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::IOErrorFromErrno("opendir " + dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Status CreateDirectories(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("directory is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) return Status::IOError(dir + " is not a directory");
  return Status::OK();
}

Result<std::shared_ptr<AppendFile>> AppendFile::Create(const std::string& path,
                                                       std::string_view header) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOErrorFromErrno("create " + path, errno);
  std::shared_ptr<AppendFile> file(new AppendFile(path, fd));
  CAIRN_RETURN_IF_ERROR(file->Append(header));
  return file;
}

Result<std::shared_ptr<AppendFile>> AppendFile::OpenForAppend(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open " + path, errno);
  std::shared_ptr<AppendFile> file(new AppendFile(path, fd));
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOErrorFromErrno("stat " + path, errno);
  file->size_ = static_cast<uint64_t>(st.st_size);
  return file;
}

AppendFile::~AppendFile() { ::close(fd_); }

Status AppendFile::Append(std::string_view bytes) {
  if (broken_) return Status::IOError(path_ + " failed an earlier write");
  Status s = PwriteAll(fd_, bytes, size_, path_);
  if (!s.ok()) {
    broken_ = true;
    return s;
  }
  size_ += bytes.size();
  return Status::OK();
}

Status AppendFile::Sync() {
  if (::fdatasync(fd_) != 0) return Status::IOErrorFromErrno("fdatasync " + path_, errno);
  return Status::OK();
}

Status GroupSync::Sync(std::unique_lock<std::mutex>& lock,
                       const std::shared_ptr<AppendFile>& file, bool new_file) {
  if (!error_.ok()) return error_;
  const uint64_t ticket = ++requested_;
  if (std::find(dirty_.begin(), dirty_.end(), file) == dirty_.end()) dirty_.push_back(file);
  dir_dirty_ = dir_dirty_ || new_file;
  while (completed_ < ticket && error_.ok()) {
    if (leader_active_) {
      ++waiting_;
      cv_.wait(lock);
      --waiting_;
      continue;
    }
    // Lead one round for every ticket handed out so far.
    leader_active_ = true;
    std::vector<std::shared_ptr<AppendFile>> files;
    files.swap(dirty_);
    const bool sync_dir = dir_dirty_;
    dir_dirty_ = false;
    const uint64_t target = requested_;
    lock.unlock();
    if (before_round_) before_round_();
    Status s = sync_dir ? SyncDirectory(directory_) : Status::OK();
    for (const auto& f : files) {
      if (!s.ok()) break;
      s = f->Sync();
    }
    files.clear();  // may close files rolled meanwhile; do it without the mutex
    lock.lock();
    leader_active_ = false;
    ++rounds_;
    if (!s.ok()) {
      error_ = s;
    } else {
      completed_ = target;
    }
    cv_.notify_all();
  }
  return error_;
}

}  // namespace cairn::hints
