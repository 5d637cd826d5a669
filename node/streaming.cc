// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.

#include "node/streaming.h"

#include <algorithm>
#include <future>
#include <thread>

#include "common/checksum.h"
#include "common/logging.h"
#include "node/internode_convert.h"
#include "node/net/codec.h"

namespace cairn::node {

namespace wire = ::cairn::net::internode;

namespace {

// XXH3-64 over every partition's key, then its encoded bytes, in order (seeded by the
// previous value, so order matters).
int64_t SectionChecksum(const std::vector<wire::KeyedPartition>& partitions) {
  uint64_t h = 0;
  for (const wire::KeyedPartition& kp : partitions) {
    h = Checksum64(kp.key, h);
    h = Checksum64(kp.partition, h);
  }
  return static_cast<int64_t>(h);
}

// A bootstrap has one session per (table, range, source): enough to show a whole one.
constexpr size_t kKeptFinishedSessions = 512;

}  // namespace

StreamService::StreamService(StreamOptions options, Database* db,
                             net::MessagingService* messaging, const Clock* clock)
    : options_(options),
      db_(db),
      messaging_(messaging),
      clock_(clock),
      throttle_(clock, static_cast<double>(std::max<int64_t>(options.throughput_mbits, 0)) *
                           1e6 / 8) {
  if (messaging_ != nullptr) {
    messaging_->RegisterHandler(wire::Verb::STREAM_PULL,
                                [this](net::Message m) { HandlePull(std::move(m)); });
  }
}

size_t StreamService::StartSession(StreamSessionInfo info) {
  std::lock_guard lock(mu_);
  return AddSessionLocked(std::move(info));
}

size_t StreamService::AddSessionLocked(StreamSessionInfo info) {
  sessions_.push_back(std::move(info));
  // Forget old finished sessions.
  while (sessions_.size() > kKeptFinishedSessions && sessions_.front().done) {
    sessions_.pop_front();
    ++first_index_;
  }
  return first_index_ + sessions_.size() - 1;
}

void StreamService::UpdateSession(size_t index,
                                  const std::function<void(StreamSessionInfo&)>& fn) {
  std::lock_guard lock(mu_);
  if (index < first_index_ || index - first_index_ >= sessions_.size()) return;
  fn(sessions_[index - first_index_]);
}

std::vector<StreamSessionInfo> StreamService::Sessions() const {
  std::lock_guard lock(mu_);
  return {sessions_.begin(), sessions_.end()};
}

uint64_t StreamService::bytes_sent() const {
  std::lock_guard lock(mu_);
  return bytes_sent_;
}

uint64_t StreamService::bytes_received() const {
  std::lock_guard lock(mu_);
  return bytes_received_;
}

void StreamService::Throttle(uint64_t bytes) { throttle_.Acquire(bytes); }

void StreamService::HandlePull(net::Message msg) {
  wire::StreamPullRequest req;
  Status st = net::Deserialize(msg.payload, &req);
  Result<std::vector<KeyBounds>> bounds =
      st.ok() ? BoundsFromWire(req.bounds) : Result<std::vector<KeyBounds>>(st);
  if (!bounds.ok() || req.max_bytes <= 0) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID,
                                    bounds.ok() ? "max_bytes must be positive"
                                                : bounds.status().ToString())
        .IgnoreError();
    return;
  }
  auto store = db_->Store(req.table_id);
  if (store == nullptr) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID,
                                    "unknown table id " + UuidToString(req.table_id))
        .IgnoreError();
    return;
  }
  wire::StreamPullResponse resp;
  resp.done = true;
  size_t bytes = 0;
  for (const KeyBounds& b : *bounds) {
    std::unique_ptr<PartitionIterator> it = store->NewScanIterator();
    if (!SeekToStart(it.get(), b)) continue;
    for (; it->Valid(); it->Next()) {
      const DecoratedKey& k = it->key();
      if (!b.Contains(k)) {
        if (b.end.CompareTo(k) < 0) break;
        continue;  // at or before an exclusive start
      }
      if (bytes >= static_cast<size_t>(req.max_bytes)) {
        resp.done = false;
        break;
      }
      wire::KeyedPartition kp;
      kp.key = k.key;
      kp.partition = EncodePartition(it->partition());
      bytes += kp.key.size() + kp.partition.size();
      resp.partitions.push_back(std::move(kp));
    }
    if (!it->status().ok()) {
      messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR,
                                      it->status().ToString())
          .IgnoreError();
      return;
    }
    if (!resp.done) break;
  }
  resp.checksum = SectionChecksum(resp.partitions);
  Throttle(bytes);
  {
    // The sending side of the receiver's session (netstats): one entry per (peer,
    // session), done with the last section.
    std::lock_guard lock(mu_);
    bytes_sent_ += bytes;
    const std::string peer = msg.from.address.to_string();
    StreamSessionInfo* out = nullptr;
    for (auto it = sessions_.rbegin(); it != sessions_.rend(); ++it) {
      if (!it->incoming && !it->done && it->id == req.session && it->peer == peer) {
        out = &*it;
        break;
      }
    }
    if (out == nullptr) {
      StreamSessionInfo info;
      info.id = req.session;
      info.peer = peer;
      info.incoming = false;
      info.keyspace = req.keyspace;
      if (auto schema = db_->schema(); const KeyspaceSchema* ks = schema->FindKeyspace(req.keyspace)) {
        for (const TableSchema& t : ks->tables) {
          if (t.metadata.id == req.table_id) info.table = t.metadata.name;
        }
      }
      AddSessionLocked(std::move(info));
      out = &sessions_.back();
    }
    out->bytes += bytes;
    out->partitions += resp.partitions.size();
    if (resp.done) {
      out->done = true;
      out->sstables += 1;
    }
  }
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
}

Result<uint64_t> StreamService::Fetch(const std::string& session, const std::string& source_name,
                                      const net::Endpoint& source, const TableMetadata& table,
                                      std::vector<KeyBounds> bounds) {
  if (messaging_ == nullptr) return Status::InvalidArgument("streaming needs internode messaging");
  auto store = db_->Store(table.id);
  if (store == nullptr) {
    return Status::InvalidArgument("unknown table " + table.keyspace + "." + table.name);
  }
  std::sort(bounds.begin(), bounds.end(), [](const KeyBounds& a, const KeyBounds& b) {
    return ComparePositions(a.start, b.start) < 0;
  });
  StreamSessionInfo info;
  info.id = session;
  info.peer = source_name;
  info.incoming = true;
  info.keyspace = table.keyspace;
  info.table = table.name;
  const size_t index = StartSession(info);
  auto fail = [&](const Status& st) {
    UpdateSession(index, [&](StreamSessionInfo& s) {
      s.done = true;
      s.error = st.ToString();
    });
    return st;
  };

  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<ColumnFamilyStore::Import> import,
                         store->BeginImport(1024));
  uint64_t received = 0;
  std::optional<DecoratedKey> last;
  while (!bounds.empty()) {
    wire::StreamPullRequest req;
    req.session = session;
    req.keyspace = table.keyspace;
    req.table_id = table.id;
    req.bounds = BoundsToWire(bounds);
    req.max_bytes = options_.section_bytes;
    auto promise = std::make_shared<std::promise<Result<net::Message>>>();
    auto future = promise->get_future();
    Status sent = messaging_->SendRequest(
        source, wire::Verb::STREAM_PULL, req, std::chrono::milliseconds(options_.section_timeout_ms),
        [promise](Result<net::Message> r) { promise->set_value(std::move(r)); });
    if (!sent.ok()) return fail(sent);
    Result<net::Message> answer = future.get();
    if (!answer.ok()) return fail(answer.status());
    wire::StreamPullResponse resp;
    Status st = net::Deserialize(answer->payload, &resp);
    if (!st.ok()) return fail(st);
    if (SectionChecksum(resp.partitions) != resp.checksum) {
      return fail(Status::Corruption("stream section from " + source_name + " for " +
                                     table.keyspace + "." + table.name +
                                     " does not match its checksum"));
    }
    uint64_t section_bytes = 0;
    for (const wire::KeyedPartition& kp : resp.partitions) {
      CAIRN_ASSIGN_OR_RETURN(PartitionUpdate p, DecodePartition(kp.partition));
      DecoratedKey key = db_->Decorate(kp.key);
      if (last.has_value() && !(*last < key)) {
        return fail(Status::Corruption("stream section from " + source_name +
                                       " is out of key order"));
      }
      st = import->Add(key, p);
      if (!st.ok()) return fail(st);
      section_bytes += kp.key.size() + kp.partition.size();
      last = std::move(key);
    }
    received += section_bytes;
    {
      std::lock_guard lock(mu_);
      bytes_received_ += section_bytes;
    }
    const uint64_t n = resp.partitions.size();
    UpdateSession(index, [&](StreamSessionInfo& s) {
      s.bytes += section_bytes;
      s.partitions += n;
    });
    if (resp.done) break;
    if (!last.has_value()) break;  // not done yet nothing sent: cannot advance
    bounds = BoundsAfter(bounds, *last);
  }
  if (import->partitions() == 0) {
    import->Abandon();
  } else {
    Status st = import->Finish();
    if (!st.ok()) return fail(st);
    UpdateSession(index, [](StreamSessionInfo& s) { s.sstables += 1; });
  }
  UpdateSession(index, [](StreamSessionInfo& s) { s.done = true; });
  CAIRN_LOG(INFO) << "stream session " << session << ": received " << received << " bytes of "
                  << table.keyspace << "." << table.name << " from " << source_name;
  return received;
}

}  // namespace cairn::node
