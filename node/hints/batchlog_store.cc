// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Batch log files (FORMAT.md, "Batch log"):
//   file    := header record*
//   header  := magic[8]="CAIRNBLG" version:u32=1 seq:u64 header_crc:u32
//              (low 32 bits of XXH3-64 of the 20 bytes before it)
//   record  := length:u32 length_crc:u32 body[length] body_crc:u32   (record_file.h)
//   body    := 0x01 id:lp written_at_micros:u64 (int64) count:varint32 mutation:lp{count}
//            | 0x02 id:lp
//   lp      := length:varint32 bytes[length]
#include "node/hints/batchlog_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>
#include <utility>

#include "common/checksum.h"
#include "common/coding.h"
#include "common/logging.h"

namespace cairn::hints {

namespace {

constexpr char kBatchlogMagic[] = "CAIRNBLG";
constexpr uint32_t kBatchlogVersion = 1;
constexpr size_t kHeaderSize = 24;
constexpr uint8_t kStoreRecord = 1;
constexpr uint8_t kRemoveRecord = 2;
constexpr char kPrefix[] = "batchlog-";
constexpr char kSuffix[] = "-1.log";

std::string LogName(uint64_t seq) { return kPrefix + std::to_string(seq) + kSuffix; }

// The sequence number of a "batchlog-<seq>-1.log" name.
bool ParseLogName(std::string_view name, uint64_t* seq) {
  const std::string_view prefix(kPrefix), suffix(kSuffix);
  if (name.size() <= prefix.size() + suffix.size()) return false;
  if (name.substr(0, prefix.size()) != prefix) return false;
  if (name.substr(name.size() - suffix.size()) != suffix) return false;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 19) return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *seq = v;
  return true;
}

std::string EncodeHeader(uint64_t seq) {
  std::string h(kBatchlogMagic, 8);
  PutFixed32(&h, kBatchlogVersion);
  PutFixed64(&h, seq);
  PutFixed32(&h, Checksum32(h));
  return h;
}

std::string StoreBody(const StoredBatch& b) {
  std::string body;
  body.push_back(static_cast<char>(kStoreRecord));
  PutLengthPrefixed(&body, b.id);
  PutFixed64(&body, static_cast<uint64_t>(b.written_at_micros));
  PutVarint32(&body, static_cast<uint32_t>(b.mutations.size()));
  for (const std::string& m : b.mutations) PutLengthPrefixed(&body, m);
  return body;
}

// Decodes a record body; false when it is malformed.
bool DecodeBody(std::string_view body, uint8_t* type, StoredBatch* batch) {
  Decoder d(body);
  std::string_view id;
  if (!d.GetByte(type) || !d.GetLengthPrefixed(&id) || id.empty()) return false;
  batch->id = std::string(id);
  if (*type == kRemoveRecord) return d.empty();
  if (*type != kStoreRecord) return false;
  uint64_t written_at;
  uint32_t count;
  if (!d.GetFixed64(&written_at) || !d.GetVarint32(&count)) return false;
  if (count > d.remaining()) return false;  // each mutation takes at least one byte
  batch->written_at_micros = static_cast<int64_t>(written_at);
  batch->mutations.clear();
  batch->mutations.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view m;
    if (!d.GetLengthPrefixed(&m)) return false;
    batch->mutations.emplace_back(m);
  }
  return d.empty();
}

}  // namespace

Result<std::unique_ptr<BatchlogStore>> BatchlogStore::Open(BatchlogOptions options) {
  if (options.directory.empty()) return Status::InvalidArgument("batchlog directory is empty");
  std::unique_ptr<BatchlogStore> store(new BatchlogStore(std::move(options)));
  CAIRN_RETURN_IF_ERROR(store->Init());
  return store;
}

BatchlogStore::BatchlogStore(BatchlogOptions options)
    : options_(std::move(options)), group_(options_.directory) {}

BatchlogStore::~BatchlogStore() = default;

std::string BatchlogStore::PathOf(const std::string& name) const {
  return options_.directory + "/" + name;
}

Status BatchlogStore::Init() {
  CAIRN_RETURN_IF_ERROR(CreateDirectories(options_.directory));
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(options_.directory));
  std::vector<std::pair<uint64_t, std::string>> logs;
  for (const std::string& name : names) {
    uint64_t seq;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
      // An interrupted compaction: the log it was replacing is still there.
      CAIRN_RETURN_IF_ERROR(RemoveFile(PathOf(name)));
    } else if (ParseLogName(name, &seq)) {
      logs.emplace_back(seq, name);
      seq_ = std::max(seq_, seq);
    } else if (name.size() < 8 || name.substr(name.size() - 8) != ".corrupt") {
      CAIRN_LOG(WARN) << "batchlog: ignoring unexpected file " << PathOf(name);
    }
  }
  std::sort(logs.begin(), logs.end());
  std::vector<std::string> old_names;
  for (const auto& [seq, name] : logs) {
    CAIRN_RETURN_IF_ERROR(ReplayFile(name, seq));
    old_names.push_back(name);
  }
  std::lock_guard<std::mutex> lock(mu_);
  CAIRN_RETURN_IF_ERROR(RewriteLocked(old_names));
  compactions_ = 0;
  if (!batches_.empty()) {
    CAIRN_LOG(INFO) << "batchlog: " << batches_.size() << " batches in " << options_.directory;
  }
  return Status::OK();
}

Status BatchlogStore::ReplayFile(const std::string& name, uint64_t seq) {
  const std::string path = PathOf(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open " + path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOErrorFromErrno("stat " + path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  CAIRN_ASSIGN_OR_RETURN(std::string header, PreadUpTo(fd, 0, kHeaderSize));
  if (header.size() < kHeaderSize) {
    // Cut while a compaction created it under its final name? Never: logs are renamed
    // into place complete. Still harmless: nothing in it.
    CAIRN_LOG(INFO) << "batchlog: " << path << " has no complete header; ignored";
    return Status::OK();
  }
  if (header != EncodeHeader(seq)) {
    CAIRN_LOG(WARN) << "batchlog: " << path << " has a damaged header (magic, version, "
                    << "sequence or checksum at offset 0); renamed to " << name << ".corrupt";
    if (::rename(path.c_str(), (path + ".corrupt").c_str()) != 0) {
      return Status::IOErrorFromErrno("rename " + path, errno);
    }
    return Status::OK();
  }
  uint64_t offset = kHeaderSize;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(RecordRead r, ReadRecord(fd, size, offset));
    uint8_t type = 0;
    StoredBatch batch;
    if (r.state == RecordState::kRecord && !DecodeBody(r.body, &type, &batch)) {
      r.state = RecordState::kCorrupt;
      r.reason = "malformed batch log record";
    }
    if (r.state == RecordState::kEnd) break;
    if (r.state == RecordState::kTornTail) {
      CAIRN_LOG(INFO) << "batchlog: " << path << " ends with a torn record at offset " << offset
                      << " (" << r.reason << "); ignored";
      break;
    }
    if (r.state == RecordState::kCorrupt) {
      CAIRN_LOG(WARN) << "batchlog: corrupt record in " << path << " at offset " << offset
                      << " (" << r.reason << "); skipping the rest of the file ("
                      << size - offset << " bytes)";
      break;
    }
    const uint64_t record_bytes = r.next_offset - offset;
    offset = r.next_offset;
    if (type == kRemoveRecord) {
      auto it = batches_.find(batch.id);
      if (it != batches_.end()) {
        live_bytes_ -= it->second.record_bytes;
        batches_.erase(it);
      }
    } else if (batches_.find(batch.id) == batches_.end()) {
      live_bytes_ += record_bytes;
      std::string id = batch.id;
      batches_.emplace(std::move(id), Entry{std::move(batch), record_bytes});
    }
  }
  return Status::OK();
}

Status BatchlogStore::RewriteLocked(const std::vector<std::string>& old_names) {
  std::vector<const Entry*> live;
  live.reserve(batches_.size());
  for (const auto& [id, e] : batches_) live.push_back(&e);
  std::sort(live.begin(), live.end(), [](const Entry* a, const Entry* b) {
    return std::tie(a->batch.written_at_micros, a->batch.id) <
           std::tie(b->batch.written_at_micros, b->batch.id);
  });
  const uint64_t seq = seq_ + 1;
  std::string data = EncodeHeader(seq);
  for (const Entry* e : live) AppendRecord(&data, StoreBody(e->batch));
  const std::string name = LogName(seq);
  CAIRN_RETURN_IF_ERROR(WriteFileAtomically(options_.directory, name, data, options_.sync));
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<AppendFile> file,
                         AppendFile::OpenForAppend(PathOf(name)));
  // The new log is complete and durable: from here on the old ones are redundant.
  seq_ = seq;
  log_ = std::move(file);
  log_name_ = name;
  live_bytes_ = data.size() - kHeaderSize;
  ++compactions_;
  Status result;
  for (const std::string& old : old_names) {
    if (old == name) continue;
    Status s = RemoveFile(PathOf(old));
    if (!s.ok() && result.ok()) result = s;
  }
  // Not syncing the directory: an old log that comes back after a power failure is
  // replayed before the new one and yields the same batches.
  return result;
}

Status BatchlogStore::RecoverLocked() {
  if (log_ != nullptr && !log_->broken()) return Status::OK();
  return RewriteLocked({log_name_});
}

Status BatchlogStore::Store(const StoredBatch& batch) {
  if (batch.id.empty() || batch.id.size() > kMaxBatchIdBytes) {
    return Status::InvalidArgument("batch id must be 1 to " + std::to_string(kMaxBatchIdBytes) +
                                   " bytes");
  }
  const std::string body = StoreBody(batch);
  if (body.size() > kMaxRecordBody) {
    return Status::InvalidArgument("batch of " + std::to_string(body.size()) +
                                   " bytes is too large");
  }
  std::string record;
  AppendRecord(&record, body);

  std::unique_lock<std::mutex> lock(mu_);
  CAIRN_RETURN_IF_ERROR(group_.error());
  CAIRN_RETURN_IF_ERROR(RecoverLocked());
  if (batches_.find(batch.id) == batches_.end()) {
    CAIRN_RETURN_IF_ERROR(log_->Append(record));
    live_bytes_ += record.size();
    batches_.emplace(batch.id, Entry{batch, record.size()});
  }
  // Also for a duplicate: the first copy may still be waiting for its sync.
  if (!options_.sync) return Status::OK();
  std::shared_ptr<AppendFile> log = log_;
  return group_.Sync(lock, log, /*new_file=*/false);
}

Status BatchlogStore::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end()) return Status::OK();
  live_bytes_ -= it->second.record_bytes;
  batches_.erase(it);
  Status s = RecoverLocked();
  if (s.ok()) {
    std::string body;
    body.push_back(static_cast<char>(kRemoveRecord));
    PutLengthPrefixed(&body, id);
    std::string record;
    AppendRecord(&record, body);
    s = log_->Append(record);
  }
  if (!s.ok()) return s;
  const uint64_t log_bytes = log_->size();
  const uint64_t dead = log_bytes - kHeaderSize - live_bytes_;
  if (log_bytes >= options_.compact_min_bytes && dead > live_bytes_) {
    return RewriteLocked({log_name_});
  }
  return Status::OK();
}

std::vector<StoredBatch> BatchlogStore::OlderThan(int64_t micros) const {
  std::vector<StoredBatch> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, e] : batches_) {
      if (e.batch.written_at_micros < micros) out.push_back(e.batch);
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredBatch& a, const StoredBatch& b) {
    return std::tie(a.written_at_micros, a.id) < std::tie(b.written_at_micros, b.id);
  });
  return out;
}

size_t BatchlogStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_.size();
}

uint64_t BatchlogStore::LogBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_ == nullptr ? 0 : log_->size();
}

uint64_t BatchlogStore::compactions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compactions_;
}

}  // namespace cairn::hints
