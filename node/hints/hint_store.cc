// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Hint files (FORMAT.md, "Hint files"):
//   file       := header record*
//   header     := magic[8]="CAIRNHNT" version:u32=1 seq:u64 host_id_length:u16 host_id
//                 header_crc:u32 (low 32 bits of XXH3-64 of the preceding header bytes)
//   record     := length:u32 length_crc:u32 body[length] body_crc:u32   (record_file.h)
//   body       := created_at_micros:u64 (int64) mutation[length - 8]
// Checkpoints (`<hint file stem>.checkpoint`, 64 bytes):
//   checkpoint := slot slot
//   slot       := magic[8]="CAIRNHCP" version:u32=1 generation:u64 offset:u64 crc:u32
//   generation g lives in slot g % 2; the valid slot with the highest generation wins.
#include "node/hints/hint_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <optional>
#include <set>
#include <tuple>

#include "common/checksum.h"
#include "common/coding.h"
#include "common/logging.h"

namespace cairn::hints {

namespace {

constexpr char kHintMagic[] = "CAIRNHNT";
constexpr char kCheckpointMagic[] = "CAIRNHCP";
constexpr uint32_t kHintVersion = 1;
constexpr uint32_t kCheckpointVersion = 1;
constexpr size_t kMaxHostIdBytes = 128;
constexpr size_t kCheckpointSlotBytes = 32;
constexpr char kHintsSuffix[] = ".hints";
constexpr char kCheckpointSuffix[] = ".checkpoint";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ValidHostId(std::string_view id) {
  if (id.empty() || id.size() > kMaxHostIdBytes || id[0] == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == ':';
  });
}

bool ParseDecimal(std::string_view s, uint64_t* v) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<uint64_t>(c - '0');
  }
  *v = r;
  return true;
}

// "<host_id>-<seq>-<version>" (the host id may itself contain '-').
std::string FileStem(const std::string& host_id, uint64_t seq) {
  return host_id + "-" + std::to_string(seq) + "-" + std::to_string(kHintVersion);
}

bool ParseStem(std::string_view stem, std::string* host_id, uint64_t* seq, uint64_t* version) {
  size_t v = stem.rfind('-');
  if (v == std::string_view::npos || v == 0) return false;
  size_t s = stem.rfind('-', v - 1);
  if (s == std::string_view::npos || s == 0) return false;
  if (!ParseDecimal(stem.substr(v + 1), version)) return false;
  if (!ParseDecimal(stem.substr(s + 1, v - s - 1), seq)) return false;
  std::string_view host = stem.substr(0, s);
  if (!ValidHostId(host)) return false;
  *host_id = std::string(host);
  return true;
}

std::string EncodeHeader(const std::string& host_id, uint64_t seq) {
  std::string h(kHintMagic, 8);
  PutFixed32(&h, kHintVersion);
  PutFixed64(&h, seq);
  PutFixed16(&h, static_cast<uint16_t>(host_id.size()));
  h += host_id;
  PutFixed32(&h, Checksum32(h));
  return h;
}

size_t HeaderSize(const std::string& host_id) { return 8 + 4 + 8 + 2 + host_id.size() + 4; }

std::string EncodeCheckpointSlot(uint64_t generation, uint64_t offset) {
  std::string s(kCheckpointMagic, 8);
  PutFixed32(&s, kCheckpointVersion);
  PutFixed64(&s, generation);
  PutFixed64(&s, offset);
  PutFixed32(&s, Checksum32(s));
  return s;
}

// The offset a checkpoint file records, or nullopt when neither slot is valid.
std::optional<uint64_t> DecodeCheckpoint(std::string_view data) {
  std::optional<uint64_t> best_offset;
  uint64_t best_generation = 0;
  for (size_t slot = 0; slot < 2; ++slot) {
    if (data.size() < (slot + 1) * kCheckpointSlotBytes) break;
    std::string_view s = data.substr(slot * kCheckpointSlotBytes, kCheckpointSlotBytes);
    if (s.substr(0, 8) != std::string_view(kCheckpointMagic, 8)) continue;
    if (DecodeFixed32(s.data() + 8) != kCheckpointVersion) continue;
    if (DecodeFixed32(s.data() + 28) != Checksum32(s.substr(0, 28))) continue;
    const uint64_t generation = DecodeFixed64(s.data() + 12);
    if (generation % 2 != slot) continue;  // a slot holds only its own generations
    if (!best_offset || generation > best_generation) {
      best_generation = generation;
      best_offset = DecodeFixed64(s.data() + 20);
    }
  }
  return best_offset;
}

// The delivery checkpoint of one hint file while it is being delivered. Created with
// temp + rename (so it always has both slots), then updated in place: generation g goes
// to slot g % 2 with one pwrite and one fdatasync, so a torn update leaves the previous
// generation intact in the other slot. No rename or directory fsync per hint.
class Checkpoint {
 public:
  static Result<std::unique_ptr<Checkpoint>> Create(const std::string& dir,
                                                    const std::string& name, uint64_t offset,
                                                    bool sync) {
    std::string data(kCheckpointSlotBytes, '\0');  // slot 0: nothing yet
    data += EncodeCheckpointSlot(1, offset);        // slot 1: generation 1
    CAIRN_RETURN_IF_ERROR(WriteFileAtomically(dir, name, data, sync));
    const std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOErrorFromErrno("open " + path, errno);
    return std::unique_ptr<Checkpoint>(new Checkpoint(path, fd, sync));
  }
  ~Checkpoint() { ::close(fd_); }

  Status Update(uint64_t offset) {
    ++generation_;
    const std::string slot = EncodeCheckpointSlot(generation_, offset);
    const off_t at = static_cast<off_t>((generation_ % 2) * kCheckpointSlotBytes);
    ssize_t n;
    do {
      n = ::pwrite(fd_, slot.data(), slot.size(), at);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(slot.size())) {
      return n < 0 ? Status::IOErrorFromErrno("write " + path_, errno)
                   : Status::IOError("short write " + path_);
    }
    if (sync_ && ::fdatasync(fd_) != 0) return Status::IOErrorFromErrno("fdatasync " + path_, errno);
    return Status::OK();
  }

 private:
  Checkpoint(std::string path, int fd, bool sync) : path_(std::move(path)), fd_(fd), sync_(sync) {}
  const std::string path_;
  const int fd_;
  const bool sync_;
  uint64_t generation_ = 1;
};

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

struct HintStore::HintFile {
  HintFile(uint64_t s, std::string n) : seq(s), name(std::move(n)) {}
  const uint64_t seq;
  const std::string name;  // "<stem>.hints"
  // Guarded by HintStore::mu_:
  uint64_t bytes = 0;        // file size as known (appended so far, or found at Open)
  uint64_t pending = 0;      // undelivered hints known to be in the file
  uint64_t next_offset = 0;  // first undelivered record
  std::shared_ptr<AppendFile> writer;  // while this is the host's active file
  bool dir_synced = true;              // false until a sync round covered its creation

  std::string Stem() const { return name.substr(0, name.size() - (sizeof(kHintsSuffix) - 1)); }
  std::string CheckpointName() const { return Stem() + kCheckpointSuffix; }
};

struct HintStore::HostState {
  explicit HostState(std::string id) : host_id(std::move(id)) {}
  const std::string host_id;
  // Serializes Deliver's checkpoint updates and file removals with DeleteHints, so a
  // checkpoint is never recreated for a file DeleteHints removed. Taken before mu_.
  std::mutex io_mu;
  // Guarded by HintStore::mu_:
  std::deque<std::shared_ptr<HintFile>> files;  // by seq; `active` is the last one
  std::shared_ptr<HintFile> active;
  bool delivering = false;
  uint64_t epoch = 0;  // bumped by DeleteHints

  void SealActive() {
    if (active == nullptr) return;
    active->writer.reset();  // the fd closes once no sync round holds it
    active = nullptr;
  }
};

Result<std::unique_ptr<HintStore>> HintStore::Open(HintStoreOptions options) {
  if (options.directory.empty()) return Status::InvalidArgument("hints directory is empty");
  if (options.max_file_bytes == 0) return Status::InvalidArgument("max_file_bytes is 0");
  std::unique_ptr<HintStore> store(new HintStore(std::move(options)));
  CAIRN_RETURN_IF_ERROR(store->Init());
  return store;
}

HintStore::HintStore(HintStoreOptions options)
    : options_(std::move(options)), group_(options_.directory, options_.before_sync_round) {}

HintStore::~HintStore() = default;

std::string HintStore::PathOf(const std::string& name) const {
  return options_.directory + "/" + name;
}

Status HintStore::Init() {
  CAIRN_RETURN_IF_ERROR(CreateDirectories(options_.directory));
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(options_.directory));
  std::vector<std::tuple<uint64_t, std::string, std::string>> hint_files;  // seq, name, host
  std::set<std::string> checkpoints;
  uint64_t max_seq = 0;
  for (const std::string& name : names) {
    std::string host;
    uint64_t seq = 0;
    uint64_t version = 0;
    if (EndsWith(name, ".tmp")) {
      // An interrupted checkpoint creation: the previous checkpoint (if any) still holds.
      CAIRN_RETURN_IF_ERROR(RemoveFile(PathOf(name)));
    } else if (EndsWith(name, kHintsSuffix) &&
               ParseStem(std::string_view(name).substr(0, name.size() - 6), &host, &seq,
                         &version)) {
      max_seq = std::max(max_seq, seq);
      if (version != kHintVersion) {
        CAIRN_LOG(WARN) << "hints: " << PathOf(name) << " has unsupported version " << version
                        << "; ignored";
        continue;
      }
      hint_files.emplace_back(seq, name, host);
    } else if (EndsWith(name, kCheckpointSuffix)) {
      checkpoints.insert(name);
    } else if (!EndsWith(name, ".corrupt")) {
      CAIRN_LOG(WARN) << "hints: ignoring unexpected file " << PathOf(name);
    }
  }
  std::sort(hint_files.begin(), hint_files.end());
  for (const auto& [seq, name, host] : hint_files) {
    checkpoints.erase(name.substr(0, name.size() - 6) + kCheckpointSuffix);
    CAIRN_RETURN_IF_ERROR(LoadFile(name, host, seq));
  }
  // Checkpoints of files that were fully delivered (deleted) before a crash.
  for (const std::string& name : checkpoints) {
    CAIRN_RETURN_IF_ERROR(RemoveFile(PathOf(name)));
  }
  next_seq_ = max_seq + 1;
  uint64_t total = 0;
  for (const auto& [id, host] : hosts_) {
    for (const auto& f : host->files) total += f->pending;
  }
  if (total > 0) {
    CAIRN_LOG(INFO) << "hints: " << total << " pending hints for " << hosts_.size()
                    << " hosts in " << options_.directory;
  }
  return Status::OK();
}

Status HintStore::LoadFile(const std::string& name, const std::string& host_id, uint64_t seq) {
  const std::string path = PathOf(name);
  const std::string checkpoint_path =
      PathOf(name.substr(0, name.size() - 6) + kCheckpointSuffix);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open " + path, errno);
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOErrorFromErrno("stat " + path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const size_t header_size = HeaderSize(host_id);

  auto drop = [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RemoveFile(path));
    return RemoveFile(checkpoint_path);
  };
  if (size < header_size) {
    // Cut while being created: a file's header reaches the disk with its first hint, so
    // a file without a whole header never held an acknowledged hint.
    CAIRN_LOG(INFO) << "hints: removing " << path << " (" << size << " bytes, no complete header)";
    return drop();
  }
  CAIRN_ASSIGN_OR_RETURN(std::string header, PreadUpTo(fd, 0, header_size));
  if (header != EncodeHeader(host_id, seq)) {
    CAIRN_LOG(WARN) << "hints: " << path << " has a damaged header (magic, version, sequence, "
                    << "host id or checksum at offset 0); renamed to " << name << ".corrupt";
    if (::rename(path.c_str(), (path + ".corrupt").c_str()) != 0) {
      return Status::IOErrorFromErrno("rename " + path, errno);
    }
    return RemoveFile(checkpoint_path);
  }

  uint64_t start = header_size;
  Result<std::string> cp = ReadSmallFile(checkpoint_path, 2 * kCheckpointSlotBytes);
  if (cp.ok()) {
    std::optional<uint64_t> offset = DecodeCheckpoint(*cp);
    if (offset && *offset >= header_size && *offset <= size) {
      start = *offset;
    } else {
      CAIRN_LOG(WARN) << "hints: unreadable delivery checkpoint " << checkpoint_path
                      << "; delivering " << path << " from the start";
    }
  } else if (!cp.status().IsNotFound()) {
    return cp.status();
  }

  uint64_t count = 0;
  uint64_t offset = start;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(RecordRead r, ReadRecord(fd, size, offset));
    if (r.state == RecordState::kRecord && r.body.size() < 8) {
      r.state = RecordState::kCorrupt;
      r.reason = "hint record shorter than 8 bytes";
    }
    if (r.state == RecordState::kRecord) {
      ++count;
      offset = r.next_offset;
      continue;
    }
    if (r.state == RecordState::kTornTail) {
      CAIRN_LOG(INFO) << "hints: " << path << " ends with a torn record at offset " << offset
                      << " (" << r.reason << "); ignored";
    } else if (r.state == RecordState::kCorrupt) {
      CAIRN_LOG(WARN) << "hints: corrupt record in " << path << " at offset " << offset << " ("
                      << r.reason << "); the " << size - offset
                      << " bytes from there will be skipped";
    }
    break;
  }
  if (count == 0) return drop();  // fully delivered, or nothing readable left

  std::shared_ptr<HostState> host = HostLocked(host_id);  // single-threaded at Open
  auto file = std::make_shared<HintFile>(seq, name);
  file->bytes = size;
  file->pending = count;
  file->next_offset = start;
  host->files.push_back(std::move(file));
  return Status::OK();
}

std::shared_ptr<HintStore::HostState> HintStore::HostLocked(const std::string& host_id) {
  auto it = hosts_.find(host_id);
  if (it == hosts_.end()) {
    it = hosts_.emplace(host_id, std::make_shared<HostState>(host_id)).first;
  }
  return it->second;
}

Status HintStore::Store(const std::string& host_id, int64_t created_at_micros,
                        std::string_view mutation) {
  if (!ValidHostId(host_id)) return Status::InvalidArgument("invalid host id '" + host_id + "'");
  if (mutation.size() > kMaxHintMutationBytes) {
    return Status::InvalidArgument("hint of " + std::to_string(mutation.size()) +
                                   " bytes is too large");
  }
  std::string body;
  body.reserve(8 + mutation.size());
  PutFixed64(&body, static_cast<uint64_t>(created_at_micros));
  body.append(mutation.data(), mutation.size());
  std::string record;
  record.reserve(body.size() + kRecordOverhead);
  AppendRecord(&record, body);

  std::unique_lock<std::mutex> lock(mu_);
  CAIRN_RETURN_IF_ERROR(group_.error());
  std::shared_ptr<HostState> host = HostLocked(host_id);
  std::shared_ptr<HintFile> file = host->active;
  if (file != nullptr && file->pending > 0 &&
      file->bytes + record.size() > options_.max_file_bytes) {
    host->SealActive();  // roll: a file holds at least one hint, so big hints still fit
    file = nullptr;
  }
  if (file == nullptr) {
    const uint64_t seq = next_seq_++;
    auto created = std::make_shared<HintFile>(seq, FileStem(host_id, seq) + kHintsSuffix);
    CAIRN_ASSIGN_OR_RETURN(created->writer, AppendFile::Create(PathOf(created->name),
                                                               EncodeHeader(host_id, seq)));
    created->bytes = created->writer->size();
    created->next_offset = created->bytes;
    created->dir_synced = !options_.sync;
    host->files.push_back(created);
    host->active = created;
    file = std::move(created);
  }
  Status s = file->writer->Append(record);
  if (!s.ok()) {
    // A partial record may be on disk: nothing may follow it. Readers see a torn tail.
    host->SealActive();
    return s;
  }
  file->bytes = file->writer->size();
  ++file->pending;
  if (options_.sync) {
    const bool new_file = !file->dir_synced;
    file->dir_synced = true;
    std::shared_ptr<AppendFile> writer = file->writer;
    CAIRN_RETURN_IF_ERROR(group_.Sync(lock, writer, new_file));
  }
  ++hints_stored_;
  return Status::OK();
}

std::vector<std::string> HintStore::HostsWithHints() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, host] : hosts_) {
    for (const auto& f : host->files) {
      if (f->pending > 0) {
        out.push_back(id);
        break;
      }
    }
  }
  return out;
}

uint64_t HintStore::PendingHints(const std::string& host_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hosts_.find(host_id);
  if (it == hosts_.end()) return 0;
  uint64_t n = 0;
  for (const auto& f : it->second->files) n += f->pending;
  return n;
}

uint64_t HintStore::TotalPendingHints() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& [id, host] : hosts_) {
    for (const auto& f : host->files) n += f->pending;
  }
  return n;
}

uint64_t HintStore::TotalBytesOnDisk() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& [id, host] : hosts_) {
    for (const auto& f : host->files) n += f->bytes;
  }
  return n;
}

HintStoreMetrics HintStore::metrics() const {
  std::lock_guard<std::mutex> lock(mu_);
  HintStoreMetrics m;
  m.hints_stored = hints_stored_;
  m.sync_rounds = group_.rounds();
  m.sync_waiters = group_.waiting();
  return m;
}

Status HintStore::Deliver(const std::string& host_id, int64_t expire_before_micros,
                          const std::function<Status(const Hint&)>& send,
                          HintDeliveryStats* stats) {
  HintDeliveryStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  std::shared_ptr<HostState> host;
  std::vector<std::shared_ptr<HintFile>> files;
  uint64_t epoch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hosts_.find(host_id);
    if (it == hosts_.end() || it->second->delivering) return Status::OK();
    host = it->second;
    host->delivering = true;
    host->SealActive();  // Stores from now on go to a new file
    files.assign(host->files.begin(), host->files.end());
    epoch = host->epoch;
  }
  struct Done {  // clears `delivering` however we leave (send() may throw)
    HintStore* store;
    HostState* host;
    ~Done() {
      std::lock_guard<std::mutex> lock(store->mu_);
      host->delivering = false;
    }
  } done{this, host.get()};

  for (const auto& file : files) {
    bool stop = false;
    Status s = DeliverFile(host, epoch, file, expire_before_micros, send, stats, &stop);
    if (!s.ok() || stop) return s;
  }
  return Status::OK();
}

Status HintStore::DeliverFile(const std::shared_ptr<HostState>& host, uint64_t epoch,
                              const std::shared_ptr<HintFile>& file,
                              int64_t expire_before_micros,
                              const std::function<Status(const Hint&)>& send,
                              HintDeliveryStats* stats, bool* stop) {
  const std::string path = PathOf(file->name);
  uint64_t offset;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (host->epoch != epoch) {
      *stop = true;
      return Status::OK();
    }
    offset = file->next_offset;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return Status::IOErrorFromErrno("open " + path, errno);
    CAIRN_LOG(WARN) << "hints: " << path << " disappeared; its hints are lost";
    std::lock_guard<std::mutex> io(host->io_mu);
    return RetireFile(host, epoch, file);
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOErrorFromErrno("stat " + path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  std::unique_ptr<Checkpoint> checkpoint;
  bool unsaved = false;  // offset moved past expired hints since the last checkpoint
  // Records `offset` as the first undelivered record, durably. Returns false (and sets
  // *stop) when DeleteHints removed the host's files meanwhile.
  auto save = [&](Status* status) -> bool {
    std::lock_guard<std::mutex> io(host->io_mu);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (host->epoch != epoch) {
        *stop = true;
        return false;
      }
    }
    if (checkpoint == nullptr) {
      Result<std::unique_ptr<Checkpoint>> c =
          Checkpoint::Create(options_.directory, file->CheckpointName(), offset, options_.sync);
      if (!c.ok()) {
        *status = c.status();
        return false;
      }
      checkpoint = std::move(c).value();
    } else {
      *status = checkpoint->Update(offset);
      if (!status->ok()) return false;
    }
    unsaved = false;
    return true;
  };
  // Counts one hint of the file as done (delivered or expired).
  auto advance = [&](uint64_t next) -> bool {
    std::lock_guard<std::mutex> lock(mu_);
    if (host->epoch != epoch) {
      *stop = true;
      return false;
    }
    offset = next;
    file->next_offset = next;
    if (file->pending > 0) --file->pending;
    return true;
  };

  for (;;) {
    Result<RecordRead> read = ReadRecord(fd, size, offset);
    if (!read.ok()) {
      Status status;
      if (unsaved) save(&status);
      *stop = true;
      return read.status().WithContext(path);
    }
    RecordRead& r = *read;
    if (r.state == RecordState::kRecord && r.body.size() < 8) {
      r.state = RecordState::kCorrupt;
      r.reason = "hint record shorter than 8 bytes";
    }
    if (r.state != RecordState::kRecord) {
      if (r.state == RecordState::kCorrupt) {
        CAIRN_LOG(WARN) << "hints: corrupt record in " << path << " at offset " << offset
                        << " (" << r.reason << "); skipping the rest of the file ("
                        << size - offset << " bytes)";
        ++stats->skipped_corrupt;
      } else if (r.state == RecordState::kTornTail) {
        CAIRN_LOG(INFO) << "hints: " << path << " ends with a torn record at offset " << offset
                        << " (" << r.reason << "); ignored";
      }
      std::lock_guard<std::mutex> io(host->io_mu);
      return RetireFile(host, epoch, file);
    }
    const int64_t created_at = static_cast<int64_t>(DecodeFixed64(r.body.data()));
    if (created_at < expire_before_micros) {
      if (!advance(r.next_offset)) return Status::OK();
      ++stats->expired;
      unsaved = true;
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (host->epoch != epoch) {
        *stop = true;
        return Status::OK();
      }
    }
    Hint hint{host->host_id, created_at, r.body.substr(8)};
    Status sent = send(hint);
    if (!sent.ok()) {
      ++stats->failed;
      *stop = true;
      if (unsaved) {
        Status status;
        save(&status);
        if (!status.ok()) {
          CAIRN_LOG(WARN) << "hints: cannot save delivery checkpoint for " << path << ": "
                          << status.ToString();
        }
      }
      return sent;
    }
    ++stats->delivered;
    if (!advance(r.next_offset)) return Status::OK();
    Status status;
    if (!save(&status)) return status;  // OK when DeleteHints stopped us
  }
}

Status HintStore::RetireFile(const std::shared_ptr<HostState>& host, uint64_t epoch,
                             const std::shared_ptr<HintFile>& file) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (host->epoch != epoch) return Status::OK();  // DeleteHints removed it already
    auto it = std::find(host->files.begin(), host->files.end(), file);
    if (it != host->files.end()) host->files.erase(it);
  }
  CAIRN_RETURN_IF_ERROR(RemoveFile(PathOf(file->name)));
  // The hint file must be gone before its checkpoint: the other order could leave a
  // file without its progress after a power failure, and redeliver all of it.
  if (options_.sync) CAIRN_RETURN_IF_ERROR(SyncDirectory(options_.directory));
  return RemoveFile(PathOf(file->CheckpointName()));
}

Status HintStore::DeleteHints(const std::string& host_id) {
  std::shared_ptr<HostState> host;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hosts_.find(host_id);
    if (it == hosts_.end()) return Status::OK();
    host = it->second;
  }
  std::lock_guard<std::mutex> io(host->io_mu);
  std::deque<std::shared_ptr<HintFile>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++host->epoch;
    host->SealActive();
    files.swap(host->files);
  }
  Status result;
  for (const auto& f : files) {
    Status s = RemoveFile(PathOf(f->name));
    if (s.ok()) s = RemoveFile(PathOf(f->CheckpointName()));
    if (!s.ok() && result.ok()) result = s;
  }
  if (result.ok() && options_.sync && !files.empty()) result = SyncDirectory(options_.directory);
  if (!files.empty()) {
    CAIRN_LOG(INFO) << "hints: deleted " << files.size() << " hint files for " << host_id;
  }
  return result;
}

}  // namespace cairn::hints
