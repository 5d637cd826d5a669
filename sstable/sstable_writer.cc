// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTableWriter. Layout written (FORMAT.md has the full grammar):
//
//   Data    := header block* block_table footer
//              blocks cut the uncompressed partition stream every block_size bytes
//   Index   := header index_block*      (index_interval entries per block)
//   Summary := header body checksum     (one entry per index block)
//   Filter, Statistics := header body checksum
//   TOC     := text, written and renamed last
//
// Partitions are serialized into a logical byte stream; the stream is cut into
// fixed-size blocks (Cassandra's CompressedSequentialWriter chunks), each compressed and
// checksummed on its own. An Index entry addresses a partition by its offset in the
// uncompressed stream, so reading offset P touches block P / block_size only.
#include "sstable/sstable_writer.h"

#include <snappy.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "common/checksum.h"
#include "common/coding.h"
#include "sstable/bloom_filter.h"
#include "sstable/format.h"

namespace cairn::sstable {

class SSTableWriter::Impl {
 public:
  Impl(std::string dir, uint64_t generation, SSTableOptions options)
      : dir_(std::move(dir)), generation_(generation), options_(std::move(options)) {}

  Status Init(uint64_t expected_partitions);
  Status Add(const DecoratedKey& key, const PartitionUpdate& update);
  Status Finish(ReplayPosition rp);
  void Abandon();

  uint64_t bytes_written() const {
    return finished_ ? finished_size_
                     : (data_ ? data_->size() : 0) + (index_ ? index_->size() : 0);
  }

  std::string dir_;
  uint64_t generation_;
  SSTableOptions options_;
  Stats stats_;
  uint64_t partitions_ = 0;

 private:
  Status Fail(Status s) {
    if (!s.ok()) failed_ = true;
    return s;
  }
  void CollectStats(const DecoratedKey& key, const PartitionUpdate& update, uint64_t size);
  Status AppendToStream(std::string_view bytes);
  Status FlushDataBlock();
  Status FlushIndexBlock();
  Status WriteSmallComponent(Component c, const std::string& body, uint64_t* size);
  Status DoFinish(ReplayPosition rp);

  std::unique_ptr<WritableFile> data_;
  std::unique_ptr<WritableFile> index_;
  std::string block_;               // the current uncompressed Data block
  std::string compressed_;          // scratch
  uint64_t stream_size_ = 0;        // uncompressed bytes of partitions so far
  std::vector<uint64_t> block_offsets_;
  std::string index_block_;
  uint32_t index_block_entries_ = 0;
  DecoratedKey index_block_first_;
  std::string summary_entries_;
  uint32_t summary_count_ = 0;
  std::vector<uint64_t> key_hashes_;
  DecoratedKey last_key_;
  std::string partition_buf_;
  bool failed_ = false;
  bool finished_ = false;
  uint64_t finished_size_ = 0;
};

Status SSTableWriter::Impl::Init(uint64_t expected_partitions) {
  const SSTableOptions& o = options_;
  if (!o.comparator) return Status::InvalidArgument("SSTableOptions.comparator is required");
  if (!(o.bloom_fp_chance > 0.0 && o.bloom_fp_chance < 1.0)) {
    return Status::InvalidArgument("bloom_fp_chance must be in (0, 1)");
  }
  if (o.block_size < 4096 || o.block_size > (16u << 20)) {
    return Status::InvalidArgument("block_size must be in [4 KiB, 16 MiB]");
  }
  if (o.column_index_size == 0) return Status::InvalidArgument("column_index_size must be > 0");
  if (o.index_interval == 0 || o.index_interval > 65536) {
    return Status::InvalidArgument("index_interval must be in [1, 65536]");
  }
  for (Component c : kAllComponents) {
    std::error_code ec;
    if (std::filesystem::exists(ComponentPath(dir_, generation_, c), ec)) {
      return Status::IOError("sstable generation " + std::to_string(generation_) +
                             " already exists in " + dir_);
    }
  }
  key_hashes_.reserve(std::min<uint64_t>(expected_partitions, 1u << 20));
  block_.reserve(o.block_size);
  stats_.comparator = o.comparator->Name();
  stats_.partitioner = o.partitioner;
  stats_.block_size = static_cast<uint32_t>(o.block_size);
  stats_.compressed = o.compress;

  CAIRN_ASSIGN_OR_RETURN(data_, WritableFile::Create(
                                    ComponentPath(dir_, generation_, Component::kData, true),
                                    &options_.write_hook));
  Status s = [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(index_, WritableFile::Create(
                                       ComponentPath(dir_, generation_, Component::kIndex, true),
                                       &options_.write_hook));
    std::string header;
    PutFileHeader(&header, Component::kData);
    CAIRN_RETURN_IF_ERROR(data_->Append(header));
    header.clear();
    PutFileHeader(&header, Component::kIndex);
    return index_->Append(header);
  }();
  if (!s.ok()) Abandon();
  return s;
}

void SSTableWriter::Impl::CollectStats(const DecoratedKey& key, const PartitionUpdate& u,
                                       uint64_t size) {
  Stats& st = stats_;
  auto ts = [&](int64_t t) {
    if (st.min_timestamp == kNoTimestamp || t < st.min_timestamp) st.min_timestamp = t;
    if (st.max_timestamp == kNoTimestamp || t > st.max_timestamp) st.max_timestamp = t;
  };
  auto ldt = [&](int32_t t) { st.max_local_deletion_time = std::max(st.max_local_deletion_time, t); };
  if (!u.deletion.IsLive()) {
    ts(u.deletion.marked_for_delete_at);
    ldt(u.deletion.local_deletion_time);
    st.AddDropTime(u.deletion.local_deletion_time);
    ++st.tombstone_count;
  }
  for (const RangeTombstone& rt : u.range_tombstones) {
    ts(rt.deletion.marked_for_delete_at);
    ldt(rt.deletion.local_deletion_time);
    st.AddDropTime(rt.deletion.local_deletion_time);
    ++st.tombstone_count;
    ++st.range_tombstone_count;
  }
  for (const Cell& c : u.cells) {
    ts(c.timestamp);
    ++st.cell_count;
    switch (c.kind) {
      case CellKind::kLive:
      case CellKind::kCounter:
        ldt(kNoLocalTime);
        break;
      case CellKind::kExpiring:
        ++st.expiring_cell_count;
        ldt(c.local_time);
        st.AddDropTime(c.local_time);
        break;
      case CellKind::kTombstone:
        ++st.tombstone_count;
        ldt(c.local_time);
        st.AddDropTime(c.local_time);
        break;
    }
  }
  if (st.partition_count == 0) st.first_key = key;
  st.last_key = key;
  ++st.partition_count;
  st.uncompressed_data_size += size;
  st.max_partition_size = std::max(st.max_partition_size, size);
}

Status SSTableWriter::Impl::Add(const DecoratedKey& key, const PartitionUpdate& update) {
  if (failed_ || finished_ || !data_) return Status::InvalidArgument("writer is not usable");
  if (partitions_ > 0 && !(last_key_ < key)) {
    return Status::InvalidArgument("SSTableWriter::Add: keys must be strictly increasing");
  }
  // Partition := token:lp key:lp deletion rt_count:varint32 rt* cell*
  std::string& p = partition_buf_;
  p.clear();
  PutLengthPrefixed(&p, key.token.bytes);
  PutLengthPrefixed(&p, key.key);
  EncodeDeletionTime(&p, update.deletion);
  PutVarint32(&p, static_cast<uint32_t>(update.range_tombstones.size()));
  for (const RangeTombstone& rt : update.range_tombstones) {
    PutLengthPrefixed(&p, rt.start);
    PutLengthPrefixed(&p, rt.end);
    EncodeDeletionTime(&p, rt.deletion);
  }
  IndexEntry entry;
  entry.key = key;
  entry.position = stream_size_;
  entry.header_size = static_cast<uint32_t>(p.size());
  // Column index: a chunk closes once it holds >= column_index_size bytes of cells.
  ColumnIndexEntry chunk;
  chunk.offset = p.size();
  const Cell* prev = nullptr;
  for (const Cell& c : update.cells) {
    if (prev != nullptr && options_.comparator->Compare(prev->name, c.name) >= 0) {
      return Status::InvalidArgument("SSTableWriter::Add: cells not normalized");
    }
    if (p.size() == chunk.offset) chunk.first_name = c.name;
    EncodeCell(&p, c);
    if (p.size() - chunk.offset >= options_.column_index_size) {
      chunk.last_name = c.name;
      chunk.width = p.size() - chunk.offset;
      entry.columns.push_back(chunk);
      chunk.offset = p.size();
    }
    prev = &c;
  }
  if (p.size() > chunk.offset) {
    chunk.last_name = update.cells.back().name;
    chunk.width = p.size() - chunk.offset;
    entry.columns.push_back(std::move(chunk));
  }
  // A single chunk is no better than reading the partition: narrow partitions carry none.
  if (entry.columns.size() < 2) entry.columns.clear();
  entry.size = p.size();

  Status s = AppendToStream(p);
  if (!s.ok()) return Fail(s);
  if (index_block_entries_ == 0) index_block_first_ = key;
  EncodeIndexEntry(&index_block_, entry);
  if (++index_block_entries_ >= options_.index_interval) {
    s = FlushIndexBlock();
    if (!s.ok()) return Fail(s);
  }
  key_hashes_.push_back(BloomFilter::Hash(key.key));
  CollectStats(key, update, entry.size);
  last_key_ = key;
  ++partitions_;
  return Status::OK();
}

Status SSTableWriter::Impl::AppendToStream(std::string_view bytes) {
  stream_size_ += bytes.size();
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), options_.block_size - block_.size());
    block_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (block_.size() == options_.block_size) CAIRN_RETURN_IF_ERROR(FlushDataBlock());
  }
  return Status::OK();
}

Status SSTableWriter::Impl::FlushDataBlock() {
  block_offsets_.push_back(data_->size());
  std::string_view payload = block_;
  uint8_t type = kBlockRaw;
  if (options_.compress) {
    snappy::Compress(block_.data(), block_.size(), &compressed_);
    // Keep compression only when it saves at least 1/8 (leveldb's rule).
    if (compressed_.size() < block_.size() - block_.size() / 8) {
      payload = compressed_;
      type = kBlockSnappy;
    }
  }
  std::string trailer;
  AppendBlockTrailer(&trailer, payload, type);
  CAIRN_RETURN_IF_ERROR(data_->Append(payload));
  CAIRN_RETURN_IF_ERROR(data_->Append(trailer));
  block_.clear();
  return Status::OK();
}

Status SSTableWriter::Impl::FlushIndexBlock() {
  if (index_block_entries_ == 0) return Status::OK();
  // Summary entry := first_token:lp first_key:lp offset:varint64 size:varint64
  PutLengthPrefixed(&summary_entries_, index_block_first_.token.bytes);
  PutLengthPrefixed(&summary_entries_, index_block_first_.key);
  PutVarint64(&summary_entries_, index_->size());
  PutVarint64(&summary_entries_, index_block_.size());
  ++summary_count_;
  AppendBlockTrailer(&index_block_, index_block_, kBlockRaw);
  CAIRN_RETURN_IF_ERROR(index_->Append(index_block_));
  index_block_.clear();
  index_block_entries_ = 0;
  return Status::OK();
}

Status SSTableWriter::Impl::WriteSmallComponent(Component c, const std::string& body,
                                                uint64_t* size) {
  std::string bytes;
  PutFileHeader(&bytes, c);
  bytes += body;
  PutFixed32(&bytes, Checksum32(bytes));
  CAIRN_ASSIGN_OR_RETURN(auto f, WritableFile::Create(ComponentPath(dir_, generation_, c, true),
                                                      &options_.write_hook));
  CAIRN_RETURN_IF_ERROR(f->Append(bytes));
  if (options_.sync) CAIRN_RETURN_IF_ERROR(f->Sync());
  *size = f->size();
  return f->Close();
}

Status SSTableWriter::Impl::DoFinish(ReplayPosition rp) {
  stats_.replay_position = rp;
  uint64_t sizes[5] = {};
  // Data: last block, block table, footer.
  if (!block_.empty()) CAIRN_RETURN_IF_ERROR(FlushDataBlock());
  uint64_t table_offset = data_->size();
  std::string table;
  for (uint64_t off : block_offsets_) PutFixed64(&table, off);
  AppendBlockTrailer(&table, table, kBlockRaw);
  std::string footer;
  PutFixed64(&footer, table_offset);
  PutFixed64(&footer, block_offsets_.size());
  PutFixed64(&footer, stream_size_);
  PutFixed32(&footer, static_cast<uint32_t>(options_.block_size));
  PutFixed32(&footer, Checksum32(footer));
  CAIRN_RETURN_IF_ERROR(data_->Append(table));
  CAIRN_RETURN_IF_ERROR(data_->Append(footer));
  CAIRN_RETURN_IF_ERROR(FlushIndexBlock());
  for (WritableFile* f : {data_.get(), index_.get()}) {
    if (options_.sync) CAIRN_RETURN_IF_ERROR(f->Sync());
    CAIRN_RETURN_IF_ERROR(f->Close());
  }
  sizes[0] = data_->size();
  sizes[1] = index_->size();

  // Summary := index_interval:varint32 count:varint32 entry*
  std::string body;
  PutVarint32(&body, options_.index_interval);
  PutVarint32(&body, summary_count_);
  body += summary_entries_;
  CAIRN_RETURN_IF_ERROR(WriteSmallComponent(Component::kSummary, body, &sizes[2]));

  // Filter := num_hashes:fixed32 num_bits:fixed64 bits
  BloomFilter filter = BloomFilter::Build(key_hashes_, options_.bloom_fp_chance);
  body.clear();
  PutFixed32(&body, filter.num_hashes());
  PutFixed64(&body, filter.num_bits());
  body += filter.bits();
  CAIRN_RETURN_IF_ERROR(WriteSmallComponent(Component::kFilter, body, &sizes[3]));

  body.clear();
  stats_.EncodeTo(&body);
  CAIRN_RETURN_IF_ERROR(WriteSmallComponent(Component::kStatistics, body, &sizes[4]));

  // Make the components durable under their final names, then publish the TOC.
  for (Component c : kTocComponents) {
    std::error_code ec;
    std::filesystem::rename(ComponentPath(dir_, generation_, c, true),
                            ComponentPath(dir_, generation_, c), ec);
    if (ec) return Status::IOError("rename " + ComponentPath(dir_, generation_, c) + ": " + ec.message());
  }
  if (options_.sync) CAIRN_RETURN_IF_ERROR(SyncDir(dir_));
  {
    CAIRN_ASSIGN_OR_RETURN(
        auto toc, WritableFile::Create(ComponentPath(dir_, generation_, Component::kTOC, true),
                                       &options_.write_hook));
    CAIRN_RETURN_IF_ERROR(toc->Append(EncodeToc(sizes)));
    if (options_.sync) CAIRN_RETURN_IF_ERROR(toc->Sync());
    CAIRN_RETURN_IF_ERROR(toc->Close());
    finished_size_ = toc->size();
  }
  std::error_code ec;
  std::filesystem::rename(ComponentPath(dir_, generation_, Component::kTOC, true),
                          ComponentPath(dir_, generation_, Component::kTOC), ec);
  if (ec) return Status::IOError("rename TOC in " + dir_ + ": " + ec.message());
  if (options_.sync) CAIRN_RETURN_IF_ERROR(SyncDir(dir_));
  for (uint64_t s : sizes) finished_size_ += s;
  return Status::OK();
}

Status SSTableWriter::Impl::Finish(ReplayPosition rp) {
  if (failed_ || finished_ || !data_) return Status::InvalidArgument("writer is not usable");
  Status s = DoFinish(rp);
  if (!s.ok()) return Fail(s);
  finished_ = true;
  data_.reset();
  index_.reset();
  return Status::OK();
}

void SSTableWriter::Impl::Abandon() {
  if (finished_) return;
  data_.reset();  // closes the descriptors
  index_.reset();
  // Removes temporaries and anything already renamed, TOC first.
  DeleteSSTableFiles(dir_, generation_).IgnoreError();  // best effort; startup cleanup retries
  failed_ = true;
}

// ---- SSTableWriter ----

SSTableWriter::SSTableWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SSTableWriter::~SSTableWriter() { impl_->Abandon(); }

Result<std::unique_ptr<SSTableWriter>> SSTableWriter::Create(std::string dir, uint64_t generation,
                                                             uint64_t expected_partitions,
                                                             SSTableOptions options) {
  auto impl = std::make_unique<Impl>(std::move(dir), generation, std::move(options));
  CAIRN_RETURN_IF_ERROR(impl->Init(expected_partitions));
  return std::unique_ptr<SSTableWriter>(new SSTableWriter(std::move(impl)));
}

Status SSTableWriter::Add(const DecoratedKey& key, const PartitionUpdate& update) {
  return impl_->Add(key, update);
}
void SSTableWriter::SetAncestors(std::vector<uint64_t> generations) {
  impl_->stats_.ancestors = std::move(generations);
}

Status SSTableWriter::Finish(ReplayPosition rp) { return impl_->Finish(rp); }
void SSTableWriter::Abandon() { impl_->Abandon(); }
uint64_t SSTableWriter::bytes_written() const { return impl_->bytes_written(); }
uint64_t SSTableWriter::partitions_written() const { return impl_->partitions_; }
uint64_t SSTableWriter::generation() const { return impl_->generation_; }
const Stats& SSTableWriter::stats() const { return impl_->stats_; }

}  // namespace cairn::sstable
