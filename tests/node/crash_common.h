// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// What crash_writer writes and crash_test checks: write n puts cell "c<n % 7>" = a value
// derived from n into partition "k<n>", and cell "w<n>" into wide partition "wide<n % 16>".
// Also CopyLikeACrash, which the in-process crash tests (storage_engine_test,
// cleanup_test, storage_service_test) use to see a live engine's files as a crash would
// leave them.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "common/checksum.h"
#include "common/coding.h"
#include "common/logging.h"
#include "node/storage_engine.h"

namespace cairn::crashtest {

inline node::TableMetadata Table() {
  node::TableMetadata t;
  t.keyspace = "crash";
  t.name = "t";
  t.id = std::string("crash-test-table", 16);
  t.gc_grace_seconds = 0;
  return t;
}

inline DecoratedKey Decorate(std::string_view key) {
  DecoratedKey k;
  PutBigEndian64(&k.token.bytes, Checksum64(key));
  k.key.assign(key);
  return k;
}

inline std::string ValueFor(uint64_t n) {
  return "value-" + std::to_string(n) + "-" + std::string(40 + n % 50, 'x');
}

inline Mutation WriteFor(uint64_t n) {
  Mutation m;
  m.keyspace = "crash";
  m.key = "k" + std::to_string(n);
  PartitionUpdate u;
  u.cells.push_back(Cell::Live("c" + std::to_string(n % 7), ValueFor(n),
                               static_cast<int64_t>(n + 1)));
  m.updates.push_back({Table().id, u});
  return m;
}

inline Result<std::unique_ptr<node::StorageEngine>> OpenEngine(const std::string& dir,
                                                              bool small_memtables) {
  node::StorageEngineOptions o;
  o.data_directory = dir + "/data";
  o.commitlog_directory = dir + "/commitlog";
  o.commitlog_sync = memtable::CommitLogSyncMode::kBatch;
  o.commitlog_segment_size_bytes = 1 << 20;
  o.memtable_space_bytes = small_memtables ? (256 << 10) : (64 << 20);
  return node::StorageEngine::Open(o, {Table()}, Decorate);
}

// Copies a live engine's directory `from` to `to` as a crash would leave it; the engine
// keeps running. Files that vanish while copying (the commit log's allocator renames
// temporaries) are skipped, as they would be absent or incomplete after a crash anyway.
inline void CopyLikeACrash(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path target = to / fs::relative(it->path(), from, ec);
    if (it->is_directory(ec)) {
      fs::create_directories(target, ec);
    } else {
      fs::create_directories(target.parent_path(), ec);
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
    }
  }
}

}  // namespace cairn::crashtest
