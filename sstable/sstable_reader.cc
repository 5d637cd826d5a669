// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTableReader: see the header for the read path and FORMAT.md for the layout.
// Every length or offset read from disk is checked against the file (or the verified
// block it came from) before it is used, so a corrupt file yields Corruption naming the
// file and offset instead of a crash or a huge allocation.
#include "sstable/sstable_reader.h"

#include <algorithm>
#include <cassert>
#include <optional>

#include "common/checksum.h"
#include "common/coding.h"
#include "sstable/bloom_filter.h"
#include "sstable/format.h"

namespace cairn::sstable {

namespace {
struct SummaryEntry {
  DecoratedKey first;
  uint64_t offset;  // of the index block in the Index file
  uint64_t size;    // payload bytes, without the block trailer
};

// Verifies header and trailing checksum of a small component; returns the body.
Status CheckSmallComponent(const std::string& bytes, Component c, const std::string& path,
                           std::string_view* body) {
  CAIRN_RETURN_IF_ERROR(CheckFileHeader(bytes, c, path));
  if (bytes.size() < kFileHeaderSize + 4) return CorruptionAt(path, 0, "file too short");
  size_t end = bytes.size() - 4;
  if (DecodeFixed32(bytes.data() + end) != Checksum32(std::string_view(bytes).substr(0, end))) {
    return CorruptionAt(path, end, "checksum mismatch");
  }
  *body = std::string_view(bytes).substr(kFileHeaderSize, end - kFileHeaderSize);
  return Status::OK();
}
}  // namespace

class SSTableReader::Impl {
 public:
  std::string dir_;
  uint64_t generation_ = 0;
  TypePtr comparator_;
  std::unique_ptr<RandomAccessFile> data_;
  std::unique_ptr<RandomAccessFile> index_;
  uint64_t sizes_[5] = {};
  uint64_t toc_size_ = 0;
  std::vector<SummaryEntry> summary_;
  BloomFilter filter_;
  Stats stats_;
  std::vector<uint64_t> block_offsets_;
  uint64_t block_table_offset_ = 0;
  uint64_t stream_size_ = 0;
  uint64_t block_size_ = 0;
  const uint64_t reader_id_ = BlockCache::NewReaderId();
  std::shared_ptr<BlockCache> cache_;
  mutable std::atomic<uint64_t> data_blocks_read_{0};
  mutable std::atomic<uint64_t> index_blocks_read_{0};
  std::atomic<bool> obsolete_{false};

  Status Load(const SSTableOptions& options);
  Status LoadDataFooter();

  // Data block i, verified and decompressed (from the block cache when it is there).
  // `use_cache` false: neither look up nor fill the cache (scans).
  Status ReadDataBlock(size_t i, std::shared_ptr<const std::string>* out,
                       bool use_cache = true) const;
  // Data block i for a scan: read through `readahead`, verified and decompressed into
  // *out (whose capacity is reused); the block cache is neither read nor filled.
  Status ReadDataBlockForScan(size_t i, ReadaheadReader* readahead, std::string* out) const;
  // Index block `s` (a summary position): its verified payload and the offset of each
  // entry (from the block cache when it is there).
  struct IndexBlock {
    std::string payload;
    std::vector<uint32_t> offsets;
    // TokenPrefix of each entry's token: the binary search compares these, contiguous,
    // and reads an entry's bytes in `payload` only on a tie.
    std::vector<uint64_t> prefixes;
  };
  Status ReadIndexBlock(size_t s, std::shared_ptr<const IndexBlock>* out) const;
  // Reads and validates index block `s`; fills `entries` too when not null. Reads
  // through `readahead` (scans) when not null, else with one pread.
  Status DecodeIndexBlock(size_t s, IndexBlock* block, std::vector<IndexEntry>* entries,
                          ReadaheadReader* readahead = nullptr) const;
  // The summary position whose block may hold `key`, or SIZE_MAX.
  size_t FindSummary(const DecoratedKey& key) const;
  Status FindEntry(const DecoratedKey& key, IndexEntry* out, bool* found) const;
  const std::string& data_path() const { return data_->path(); }
};

// Reads byte ranges of the uncompressed Data stream, remembering the last block so that
// consecutive reads of one block (a partition header, then its cells; or neighbouring
// partitions during a scan) decode it once. A range inside one block is returned as a
// view into that block, without a copy; only a range that spans blocks is copied.
//
// Two modes. Point reads (use_cache): blocks come from and go to the block cache.
// Scans (!use_cache): the cache is bypassed so a scan does not evict the hot blocks of
// point reads, the Data file is read through a ReadaheadReader (few large preads), and
// one block buffer is decompressed into again and again (no allocation per block).
class StreamReader {
 public:
  explicit StreamReader(const SSTableReader::Impl* r, bool use_cache = true)
      : r_(r), use_cache_(use_cache) {
    if (!use_cache_) readahead_.emplace(r->data_.get(), r->block_table_offset_);
  }

  // Points *out at bytes [pos, pos + n) of the stream. The view is valid until the next
  // Read or the reader's destruction.
  Status Read(uint64_t pos, uint64_t n, std::string_view* out) {
    if (pos > r_->stream_size_ || n > r_->stream_size_ - pos) {
      return CorruptionAt(r_->data_path(), pos, "index points past the end of the data stream");
    }
    if (n == 0) {
      *out = {};
      return Status::OK();
    }
    size_t b = pos / r_->block_size_;
    CAIRN_RETURN_IF_ERROR(LoadBlock(b));
    uint64_t in_block = pos - static_cast<uint64_t>(b) * r_->block_size_;
    if (n <= block_.size() - in_block) {
      *out = block_.substr(in_block, n);
      return Status::OK();
    }
    spanning_.clear();
    spanning_.reserve(n);
    while (n > 0) {
      b = pos / r_->block_size_;
      CAIRN_RETURN_IF_ERROR(LoadBlock(b));
      in_block = pos - static_cast<uint64_t>(b) * r_->block_size_;
      uint64_t take = std::min<uint64_t>(n, block_.size() - in_block);
      spanning_.append(block_.substr(in_block, take));
      pos += take;
      n -= take;
    }
    *out = spanning_;
    return Status::OK();
  }

 private:
  // Makes block `b` current (block_).
  Status LoadBlock(size_t b) {
    if (b == cached_) return Status::OK();
    cached_ = SIZE_MAX;
    if (use_cache_) {
      CAIRN_RETURN_IF_ERROR(r_->ReadDataBlock(b, &shared_block_));
      block_ = *shared_block_;
    } else {
      CAIRN_RETURN_IF_ERROR(r_->ReadDataBlockForScan(b, &*readahead_, &own_block_));
      block_ = own_block_;
    }
    cached_ = b;
    return Status::OK();
  }

  const SSTableReader::Impl* r_;
  const bool use_cache_;
  size_t cached_ = SIZE_MAX;
  std::string_view block_;                           // the bytes of block cached_
  std::shared_ptr<const std::string> shared_block_;  // point reads: from the cache
  std::string own_block_;                            // scans: reused
  std::optional<ReadaheadReader> readahead_;         // scans
  std::string spanning_;                             // a range that spans blocks
};

Status SSTableReader::Impl::ReadDataBlock(size_t i, std::shared_ptr<const std::string>* out,
                                          bool use_cache) const {
  const BlockCache::Key cache_key{reader_id_, 0, i};
  if (cache_ != nullptr && use_cache) {
    if (auto hit = cache_->Lookup(cache_key)) {
      *out = std::static_pointer_cast<const std::string>(hit);
      return Status::OK();
    }
  }
  if (i >= block_offsets_.size()) {
    return CorruptionAt(data_path(), i, "block number out of range");
  }
  uint64_t start = block_offsets_[i];
  uint64_t end = i + 1 < block_offsets_.size() ? block_offsets_[i + 1] : block_table_offset_;
  uint64_t expected = std::min<uint64_t>(block_size_, stream_size_ - i * block_size_);
  std::string stored;
  CAIRN_RETURN_IF_ERROR(data_->Read(start, end - start, &stored));
  data_blocks_read_.fetch_add(1, std::memory_order_relaxed);
  auto block = std::make_shared<std::string>();
  CAIRN_RETURN_IF_ERROR(DecodeBlock(stored, data_path(), start, expected, block.get()));
  if (cache_ != nullptr && use_cache) cache_->Insert(cache_key, block, block->size() + 64);
  *out = std::move(block);
  return Status::OK();
}

Status SSTableReader::Impl::ReadDataBlockForScan(size_t i, ReadaheadReader* readahead,
                                                 std::string* out) const {
  if (i >= block_offsets_.size()) {
    return CorruptionAt(data_path(), i, "block number out of range");
  }
  uint64_t start = block_offsets_[i];
  uint64_t end = i + 1 < block_offsets_.size() ? block_offsets_[i + 1] : block_table_offset_;
  uint64_t expected = std::min<uint64_t>(block_size_, stream_size_ - i * block_size_);
  std::string_view stored;
  CAIRN_RETURN_IF_ERROR(readahead->Read(start, end - start, &stored));
  data_blocks_read_.fetch_add(1, std::memory_order_relaxed);
  return DecodeBlock(stored, data_path(), start, expected, out);
}

Status SSTableReader::Impl::ReadIndexBlock(size_t s,
                                           std::shared_ptr<const IndexBlock>* out) const {
  const BlockCache::Key cache_key{reader_id_, 1, s};
  if (cache_ != nullptr) {
    if (auto hit = cache_->Lookup(cache_key)) {
      *out = std::static_pointer_cast<const IndexBlock>(hit);
      return Status::OK();
    }
  }
  auto block = std::make_shared<IndexBlock>();
  CAIRN_RETURN_IF_ERROR(DecodeIndexBlock(s, block.get(), nullptr));
  if (cache_ != nullptr) {
    cache_->Insert(cache_key, block,
                   block->payload.size() +
                       block->offsets.size() * (sizeof(uint32_t) + sizeof(uint64_t)) + 64);
  }
  *out = std::move(block);
  return Status::OK();
}

Status SSTableReader::Impl::DecodeIndexBlock(size_t s, IndexBlock* block,
                                             std::vector<IndexEntry>* entries,
                                             ReadaheadReader* readahead) const {
  const SummaryEntry& se = summary_[s];
  std::string owned;
  std::string_view stored;
  if (readahead != nullptr) {
    CAIRN_RETURN_IF_ERROR(readahead->Read(se.offset, se.size + kBlockTrailerSize, &stored));
  } else {
    CAIRN_RETURN_IF_ERROR(index_->Read(se.offset, se.size + kBlockTrailerSize, &owned));
    stored = owned;
  }
  index_blocks_read_.fetch_add(1, std::memory_order_relaxed);
  CAIRN_RETURN_IF_ERROR(
      DecodeBlock(stored, index_->path(), se.offset, se.size, &block->payload));
  // Every entry is validated once here, so lookups in a cached block can trust it.
  block->offsets.clear();
  block->prefixes.clear();
  const std::string& payload = block->payload;
  Decoder in(payload);
  // Entries decode straight into `entries` when the caller wants them (scans), else into
  // two scratch entries used in turn (each is compared with the one before).
  IndexEntry scratch[2];
  while (!in.empty()) {
    const size_t rel = payload.size() - in.remaining();
    const uint64_t at = se.offset + rel;
    const size_t k = block->offsets.size();
    IndexEntry* e = &scratch[k % 2];
    if (entries != nullptr) {
      // Reuse the caller's entries from the previous block: their strings keep capacity.
      if (k == entries->size()) entries->emplace_back();
      e = &(*entries)[k];
    }
    if (!DecodeIndexEntry(&in, e)) return CorruptionAt(index_->path(), at, "malformed index entry");
    if (e->position > stream_size_ || e->size > stream_size_ - e->position) {
      return CorruptionAt(index_->path(), at, "index entry points past the end of the data");
    }
    if (k > 0) {
      const IndexEntry& prev = entries != nullptr ? (*entries)[k - 1] : scratch[(k - 1) % 2];
      if (!(prev.key < e->key)) {
        return CorruptionAt(index_->path(), at, "index entries out of order");
      }
    }
    block->offsets.push_back(static_cast<uint32_t>(rel));
    block->prefixes.push_back(TokenPrefix(e->key.token.bytes));
  }
  if (entries != nullptr) entries->resize(block->offsets.size());
  if (block->offsets.empty()) return CorruptionAt(index_->path(), se.offset, "empty index block");
  return Status::OK();
}

namespace {
// The (token, key) of the entry at `offset` of a validated index block, as views.
void PeekIndexKey(const std::string& payload, uint32_t offset, std::string_view* token,
                  std::string_view* key) {
  Decoder in(std::string_view(payload).substr(offset));
  bool ok = in.GetLengthPrefixed(token) && in.GetLengthPrefixed(key);
  assert(ok && "index block validated at load");
  (void)ok;
}

int CompareKey(std::string_view token, std::string_view key, const DecoratedKey& target) {
  int c = token.compare(target.token.bytes);
  return c != 0 ? c : key.compare(target.key);
}
}  // namespace

size_t SSTableReader::Impl::FindSummary(const DecoratedKey& key) const {
  // Last entry whose first key <= key.
  auto it = std::upper_bound(summary_.begin(), summary_.end(), key,
                             [](const DecoratedKey& k, const SummaryEntry& e) { return k < e.first; });
  if (it == summary_.begin()) return SIZE_MAX;
  return static_cast<size_t>(it - summary_.begin()) - 1;
}

Status SSTableReader::Impl::FindEntry(const DecoratedKey& key, IndexEntry* out,
                                      bool* found) const {
  *found = false;
  size_t s = FindSummary(key);
  if (s == SIZE_MAX) return Status::OK();
  std::shared_ptr<const IndexBlock> block;
  CAIRN_RETURN_IF_ERROR(ReadIndexBlock(s, &block));
  // Binary search on the token prefixes, and on a tie on the keys, decoded in place as
  // views: no allocation per probe.
  const uint64_t target = TokenPrefix(key.token.bytes);
  size_t lo = 0, hi = block->offsets.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    bool less;
    if (block->prefixes[mid] != target) {
      less = block->prefixes[mid] < target;
    } else {
      std::string_view token, k;
      PeekIndexKey(block->payload, block->offsets[mid], &token, &k);
      less = CompareKey(token, k, key) < 0;
    }
    if (less) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  std::string_view token, k;
  if (lo < block->offsets.size() &&
      (PeekIndexKey(block->payload, block->offsets[lo], &token, &k),
       CompareKey(token, k, key) == 0)) {
    Decoder in(std::string_view(block->payload).substr(block->offsets[lo]));
    if (!DecodeIndexEntry(&in, out)) {
      return CorruptionAt(index_->path(), summary_[s].offset + block->offsets[lo],
                          "malformed index entry");
    }
    *found = true;
  }
  return Status::OK();
}

namespace {

// Decodes a partition header: token, key, deletion, range tombstones.
Status DecodeHeader(std::string_view bytes, const IndexEntry& e, const std::string& path,
                    PartitionUpdate* out) {
  Decoder in(bytes);
  std::string_view token, key;
  uint32_t nrt;
  if (!in.GetLengthPrefixed(&token) || !in.GetLengthPrefixed(&key) ||
      !DecodeDeletionTime(&in, &out->deletion) || !in.GetVarint32(&nrt) ||
      nrt > in.remaining() / 14) {  // an rt takes at least 14 bytes
    return CorruptionAt(path, e.position, "malformed partition header");
  }
  if (token != e.key.token.bytes || key != e.key.key) {
    return CorruptionAt(path, e.position, "partition key differs from the index");
  }
  out->range_tombstones.resize(nrt);
  for (RangeTombstone& rt : out->range_tombstones) {
    std::string_view start, end;
    if (!in.GetLengthPrefixed(&start) || !in.GetLengthPrefixed(&end) ||
        !DecodeDeletionTime(&in, &rt.deletion)) {
      return CorruptionAt(path, e.position, "malformed range tombstone");
    }
    rt.start.assign(start);
    rt.end.assign(end);
  }
  if (!in.empty()) return CorruptionAt(path, e.position, "partition header has trailing bytes");
  return Status::OK();
}

// Decodes the cells in `bytes` (a run of whole cells starting at stream offset `pos`)
// into (*out)[*count...], keeping those `filter` selects (all when null). Slots past
// *count are reused, so a caller that decodes partition after partition into the same
// vector (a scan) stops allocating once the strings have grown. Names must increase
// within the run; the previous name is a view into `bytes`, not a copy.
Status DecodeCells(std::string_view bytes, uint64_t pos, const std::string& path,
                   const CellFilter* filter, const AbstractType& comparator, std::vector<Cell>* out,
                   size_t* count) {
  Decoder in(bytes);
  std::string_view prev_name;
  bool have_prev = false;
  while (!in.empty()) {
    const size_t at = bytes.size() - in.remaining();
    CellView v;
    if (!DecodeCellView(&in, &v)) return CorruptionAt(path, pos + at, "malformed cell");
    if (have_prev && comparator.Compare(prev_name, v.name) >= 0) {
      return CorruptionAt(path, pos + at, "cells out of order");
    }
    have_prev = true;
    prev_name = v.name;
    if (filter != nullptr && !filter->Selects(v.name, comparator)) continue;
    if (*count == out->size()) out->emplace_back();
    Cell& c = (*out)[(*count)++];
    c.name.assign(v.name);
    c.value.assign(v.value);
    c.timestamp = v.timestamp;
    c.kind = v.kind;
    c.ttl = v.ttl;
    c.local_time = v.local_time;
  }
  return Status::OK();
}

// Reads partition `e` through `stream`, keeping what `filter` selects (all when null).
// With a column index only the chunks that may hold selected names are read. Cells are
// decoded into the slots of out->cells, which scans reuse from partition to partition.
Status ReadPartition(StreamReader* stream, const IndexEntry& e, const CellFilter* filter,
                     const AbstractType& cmp, const std::string& path, PartitionUpdate* out) {
  out->deletion = DeletionTime();
  out->range_tombstones.clear();
  size_t count = 0;
  std::string_view buf;
  const bool whole = filter == nullptr || filter->kind == CellFilter::Kind::kAll ||
                     e.columns.empty();
  if (whole) {
    CAIRN_RETURN_IF_ERROR(stream->Read(e.position, e.size, &buf));
    CAIRN_RETURN_IF_ERROR(DecodeHeader(buf.substr(0, e.header_size), e, path, out));
    CAIRN_RETURN_IF_ERROR(DecodeCells(buf.substr(e.header_size), e.position + e.header_size, path,
                                      filter, cmp, &out->cells, &count));
  } else {
    CAIRN_RETURN_IF_ERROR(stream->Read(e.position, e.header_size, &buf));
    CAIRN_RETURN_IF_ERROR(DecodeHeader(buf, e, path, out));
    // Which column-index chunks can hold selected names.
    std::vector<bool> need(e.columns.size(), false);
    if (filter->kind == CellFilter::Kind::kSlice) {
      for (size_t i = 0; i < e.columns.size(); ++i) {
        const ColumnIndexEntry& c = e.columns[i];
        if (!filter->finish.empty() && cmp.Compare(c.first_name, filter->finish) > 0) break;
        if (!filter->start.empty() && cmp.Compare(c.last_name, filter->start) < 0) continue;
        need[i] = true;
      }
    } else {
      for (const std::string& name : filter->names) {
        // First chunk whose last name >= name; it holds `name` if its first name <= name.
        auto it = std::lower_bound(e.columns.begin(), e.columns.end(), name,
                                   [&](const ColumnIndexEntry& c, const std::string& n) {
                                     return cmp.Compare(c.last_name, n) < 0;
                                   });
        if (it != e.columns.end() && cmp.Compare(it->first_name, name) <= 0) {
          need[static_cast<size_t>(it - e.columns.begin())] = true;
        }
      }
    }
    // Read runs of adjacent needed chunks with one stream read each.
    for (size_t i = 0; i < need.size();) {
      if (!need[i]) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < need.size() && need[j]) ++j;
      uint64_t from = e.position + e.columns[i].offset;
      uint64_t to = e.position + e.columns[j - 1].offset + e.columns[j - 1].width;
      CAIRN_RETURN_IF_ERROR(stream->Read(from, to - from, &buf));
      // Chunks may be skipped: order is checked within each run.
      CAIRN_RETURN_IF_ERROR(DecodeCells(buf, from, path, filter, cmp, &out->cells, &count));
      i = j;
    }
  }
  out->cells.resize(count);
  if (filter != nullptr && filter->kind != CellFilter::Kind::kAll) {
    std::erase_if(out->range_tombstones,
                  [&](const RangeTombstone& rt) { return !filter->Overlaps(rt, cmp); });
  }
  return Status::OK();
}

}  // namespace

Status SSTableReader::Impl::LoadDataFooter() {
  const std::string& path = data_->path();
  uint64_t size = data_->size();
  std::string header;
  if (size < kFileHeaderSize + kBlockTrailerSize + kDataFooterSize) {
    return CorruptionAt(path, 0, "file too short");
  }
  CAIRN_RETURN_IF_ERROR(data_->Read(0, kFileHeaderSize, &header));
  CAIRN_RETURN_IF_ERROR(CheckFileHeader(header, Component::kData, path));
  std::string footer;
  uint64_t footer_at = size - kDataFooterSize;
  CAIRN_RETURN_IF_ERROR(data_->Read(footer_at, kDataFooterSize, &footer));
  if (DecodeFixed32(footer.data() + 28) != Checksum32(std::string_view(footer).substr(0, 28))) {
    return CorruptionAt(path, footer_at, "footer checksum mismatch");
  }
  block_table_offset_ = DecodeFixed64(footer.data());
  uint64_t count = DecodeFixed64(footer.data() + 8);
  stream_size_ = DecodeFixed64(footer.data() + 16);
  block_size_ = DecodeFixed32(footer.data() + 24);
  if (block_size_ == 0 || block_size_ > kMaxBlockSize || block_table_offset_ < kFileHeaderSize ||
      count > (size - kFileHeaderSize) / kBlockTrailerSize ||
      block_table_offset_ + count * 8 + kBlockTrailerSize != footer_at ||
      stream_size_ > count * block_size_ ||
      (count > 0 && stream_size_ <= (count - 1) * block_size_) || (count == 0 && stream_size_ != 0)) {
    return CorruptionAt(path, footer_at, "inconsistent footer");
  }
  std::string stored, table;
  CAIRN_RETURN_IF_ERROR(data_->Read(block_table_offset_, count * 8 + kBlockTrailerSize, &stored));
  CAIRN_RETURN_IF_ERROR(DecodeBlock(stored, path, block_table_offset_, count * 8, &table));
  block_offsets_.resize(count);
  uint64_t prev = kFileHeaderSize;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t off = DecodeFixed64(table.data() + i * 8);
    // Blocks are contiguous from the header to the table, each >= its trailer.
    if ((i == 0 && off != kFileHeaderSize) || (i > 0 && off < prev + kBlockTrailerSize)) {
      return CorruptionAt(path, block_table_offset_ + i * 8, "bad block offset");
    }
    block_offsets_[i] = prev = off;
  }
  if (count > 0 && block_table_offset_ < prev + kBlockTrailerSize) {
    return CorruptionAt(path, block_table_offset_, "bad block table offset");
  }
  if (count == 0 && block_table_offset_ != kFileHeaderSize) {
    return CorruptionAt(path, footer_at, "inconsistent footer");
  }
  return Status::OK();
}

Status SSTableReader::Impl::Load(const SSTableOptions& options) {
  // TOC: exists (else NotFound), intact, and every component has the recorded size.
  const std::string toc_path = ComponentPath(dir_, generation_, Component::kTOC);
  std::string toc;
  CAIRN_RETURN_IF_ERROR(ReadWholeFile(toc_path, kMaxTocSize, &toc));
  toc_size_ = toc.size();
  CAIRN_RETURN_IF_ERROR(DecodeToc(toc, toc_path, sizes_));

  std::string bytes[5];
  for (size_t i = 0; i < 5; ++i) {
    Component c = kTocComponents[i];
    std::string path = ComponentPath(dir_, generation_, c);
    auto f = RandomAccessFile::Open(path);
    if (!f.ok()) {
      if (f.status().IsNotFound()) return Status::Corruption(path + ": missing component listed in TOC");
      return f.status();
    }
    if ((*f)->size() != sizes_[i]) {
      return CorruptionAt(path, (*f)->size(),
                          "file size differs from TOC (" + std::to_string(sizes_[i]) +
                              "): truncated or extended");
    }
    if (c == Component::kData) {
      data_ = std::move(*f);
    } else if (c == Component::kIndex) {
      index_ = std::move(*f);
    } else {
      CAIRN_RETURN_IF_ERROR((*f)->Read(0, (*f)->size(), &bytes[i]));
    }
  }
  CAIRN_RETURN_IF_ERROR(LoadDataFooter());
  {
    std::string header;
    CAIRN_RETURN_IF_ERROR(index_->Read(0, std::min<uint64_t>(index_->size(), kFileHeaderSize), &header));
    CAIRN_RETURN_IF_ERROR(CheckFileHeader(header, Component::kIndex, index_->path()));
  }

  // Statistics.
  std::string_view body;
  std::string path = ComponentPath(dir_, generation_, Component::kStatistics);
  CAIRN_RETURN_IF_ERROR(CheckSmallComponent(bytes[4], Component::kStatistics, path, &body));
  {
    Decoder in(body);
    Status s = Stats::DecodeFrom(&in, &stats_);
    if (!s.ok() || !in.empty()) return CorruptionAt(path, kFileHeaderSize, "malformed statistics");
  }
  cache_ = options.block_cache;
  if (options.comparator) {
    if (options.verify_comparator && options.comparator->Name() != stats_.comparator) {
      return Status::InvalidArgument(path + ": SSTable was written with comparator " +
                                     stats_.comparator + ", opened with " +
                                     options.comparator->Name());
    }
    comparator_ = options.comparator;
  } else {
    auto parsed = ParseType(stats_.comparator);
    if (!parsed.ok()) return parsed.status().WithContext(path);
    comparator_ = *parsed;
  }

  // Filter.
  path = ComponentPath(dir_, generation_, Component::kFilter);
  CAIRN_RETURN_IF_ERROR(CheckSmallComponent(bytes[3], Component::kFilter, path, &body));
  {
    Decoder in(body);
    uint32_t k;
    uint64_t m;
    if (!in.GetFixed32(&k) || !in.GetFixed64(&m) || k < 1 || k > 30 || m == 0 ||
        in.remaining() != (m + 7) / 8 || m > in.remaining() * 8) {
      return CorruptionAt(path, kFileHeaderSize, "malformed bloom filter header");
    }
    filter_ = BloomFilter(k, m, std::string(in.rest()));
  }

  // Summary.
  path = ComponentPath(dir_, generation_, Component::kSummary);
  CAIRN_RETURN_IF_ERROR(CheckSmallComponent(bytes[2], Component::kSummary, path, &body));
  {
    Decoder in(body);
    uint32_t interval, count;
    if (!in.GetVarint32(&interval) || !in.GetVarint32(&count) || count > in.remaining() / 4) {
      return CorruptionAt(path, kFileHeaderSize, "malformed summary header");
    }
    summary_.resize(count);
    uint64_t next = kFileHeaderSize;
    for (SummaryEntry& e : summary_) {
      uint64_t at = kFileHeaderSize + (body.size() - in.remaining());
      std::string_view token, key;
      if (!in.GetLengthPrefixed(&token) || !in.GetLengthPrefixed(&key) ||
          !in.GetVarint64(&e.offset) || !in.GetVarint64(&e.size)) {
        return CorruptionAt(path, at, "malformed summary entry");
      }
      // Index blocks tile the Index file in order.
      if (e.offset != next || e.size > index_->size() ||
          e.offset + e.size + kBlockTrailerSize > index_->size()) {
        return CorruptionAt(path, at, "summary entry points outside the index");
      }
      next = e.offset + e.size + kBlockTrailerSize;
      e.first = DecoratedKey{Token{std::string(token)}, std::string(key)};
      if (&e != &summary_.front() && !((&e - 1)->first < e.first)) {
        return CorruptionAt(path, at, "summary entries out of order");
      }
    }
    if (!in.empty() || next != index_->size()) {
      return CorruptionAt(path, kFileHeaderSize, "summary does not cover the index");
    }
  }
  return Status::OK();
}

// ---- Iterator ----

namespace {
constexpr size_t kIndexReadahead = 64 * 1024;

class SSTableIterator final : public PartitionIterator {
 public:
  SSTableIterator(std::shared_ptr<const SSTableReader> owner, const SSTableReader::Impl* r)
      : owner_(std::move(owner)),
        r_(r),
        stream_(r, /*use_cache=*/false),
        // Index entries are about a third of the Data bytes here: a smaller window.
        index_readahead_(r->index_.get(), r->index_->size(), kIndexReadahead) {}

  void SeekToFirst() override {
    Reset();
    LoadBlock(0);
    Settle();
  }

  void Seek(const DecoratedKey& target) override {
    Reset();
    size_t s = r_->FindSummary(target);
    LoadBlock(s == SIZE_MAX ? 0 : s);
    if (!status_.ok()) return;
    pos_ = static_cast<size_t>(
        std::lower_bound(entries_.begin(), entries_.end(), target,
                         [](const IndexEntry& e, const DecoratedKey& k) { return e.key < k; }) -
        entries_.begin());
    Settle();
  }

  bool Valid() const override { return valid_; }
  void Next() override {
    ++pos_;
    Settle();
  }
  const DecoratedKey& key() const override { return entries_[pos_].key; }
  const PartitionUpdate& partition() const override { return partition_; }
  Status status() const override { return status_; }

 private:
  void Reset() {
    valid_ = false;
    status_ = Status::OK();
    entries_.clear();
    pos_ = 0;
  }
  void LoadBlock(size_t s) {
    block_ = s;
    pos_ = 0;
    // Scans (compaction, range reads) bypass the block cache so they do not evict the
    // hot blocks of point reads. The entries and the block buffer are reused.
    if (s < r_->summary_.size()) {
      status_ = r_->DecodeIndexBlock(s, &index_scratch_, &entries_, &index_readahead_);
    } else {
      entries_.clear();
    }
  }
  // Moves to the next index block when the current one is exhausted, then reads the
  // partition at pos_.
  void Settle() {
    valid_ = false;
    if (!status_.ok()) return;
    while (pos_ >= entries_.size()) {
      if (block_ + 1 >= r_->summary_.size()) return;
      LoadBlock(block_ + 1);
      if (!status_.ok()) return;
    }
    status_ = ReadPartition(&stream_, entries_[pos_], nullptr, *r_->comparator_, r_->data_path(),
                            &partition_);
    valid_ = status_.ok();
  }

  std::shared_ptr<const SSTableReader> owner_;
  const SSTableReader::Impl* r_;
  StreamReader stream_;
  size_t block_ = 0;
  std::vector<IndexEntry> entries_;
  size_t pos_ = 0;
  PartitionUpdate partition_;
  SSTableReader::Impl::IndexBlock index_scratch_;
  ReadaheadReader index_readahead_;
  Status status_;
  bool valid_ = false;
};
}  // namespace

// ---- SSTableReader ----

SSTableReader::SSTableReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SSTableReader::~SSTableReader() {
  if (impl_->obsolete_.load()) {
    std::string dir = impl_->dir_;
    uint64_t gen = impl_->generation_;
    impl_.reset();  // close descriptors first
    // Best effort: a failure leaves files that RemoveIncompleteSSTables (TOC gone) or
    // the store's next obsolete-file sweep removes.
    DeleteSSTableFiles(dir, gen).IgnoreError();
  }
}

Result<std::shared_ptr<SSTableReader>> SSTableReader::Open(const std::string& dir,
                                                           uint64_t generation,
                                                           const SSTableOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->dir_ = dir;
  impl->generation_ = generation;
  CAIRN_RETURN_IF_ERROR(impl->Load(options));
  return std::shared_ptr<SSTableReader>(new SSTableReader(std::move(impl)));
}

Result<std::optional<PartitionUpdate>> SSTableReader::Get(const DecoratedKey& key,
                                                          const CellFilter& filter) const {
  const Impl& r = *impl_;
  if (!r.filter_.MayContain(key.key)) return std::optional<PartitionUpdate>();
  if (r.stats_.partition_count == 0 || key < r.stats_.first_key || r.stats_.last_key < key) {
    return std::optional<PartitionUpdate>();
  }
  IndexEntry entry;
  bool found = false;
  CAIRN_RETURN_IF_ERROR(r.FindEntry(key, &entry, &found));
  if (!found) return std::optional<PartitionUpdate>();
  StreamReader stream(&r);
  PartitionUpdate update;
  CAIRN_RETURN_IF_ERROR(
      ReadPartition(&stream, entry, &filter, *r.comparator_, r.data_path(), &update));
  return std::optional<PartitionUpdate>(std::move(update));
}

bool SSTableReader::MayContain(std::string_view key) const { return impl_->filter_.MayContain(key); }

std::unique_ptr<PartitionIterator> SSTableReader::NewIterator() const {
  return std::make_unique<SSTableIterator>(shared_from_this(), impl_.get());
}

const Stats& SSTableReader::stats() const { return impl_->stats_; }
uint64_t SSTableReader::generation() const { return impl_->generation_; }
const std::string& SSTableReader::dir() const { return impl_->dir_; }
uint64_t SSTableReader::data_size() const { return impl_->sizes_[0]; }
uint64_t SSTableReader::total_size() const {
  uint64_t n = impl_->toc_size_;
  for (uint64_t s : impl_->sizes_) n += s;
  return n;
}
std::vector<std::string> SSTableReader::files() const {
  std::vector<std::string> out;
  for (Component c : kAllComponents) out.push_back(ComponentPath(impl_->dir_, impl_->generation_, c));
  return out;
}
const AbstractType& SSTableReader::comparator() const { return *impl_->comparator_; }
void SSTableReader::MarkObsolete() { impl_->obsolete_.store(true); }
bool SSTableReader::obsolete() const { return impl_->obsolete_.load(); }
uint64_t SSTableReader::data_blocks_read() const { return impl_->data_blocks_read_.load(); }
uint64_t SSTableReader::index_blocks_read() const { return impl_->index_blocks_read_.load(); }

}  // namespace cairn::sstable
