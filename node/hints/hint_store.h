// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// HintStore keeps hinted-handoff hints durably on the coordinator (Cassandra 3.x's
// hints/HintsStore, HintsDescriptor, HintsWriter and HintsDispatcher): a write a replica
// did not acknowledge is stored here as a hint for that replica, and delivered to it
// when gossip sees it up again (within max_hint_window). The on-disk layout is in
// node/hints/FORMAT.md.
//
// Overview
//   Each target host has a series of hint files `<host_id>-<seq>-1.hints` in the store's
//   directory. At most one file per host is *active* (appended to by Store); the others
//   are sealed. Every Open starts fresh files: files left by an earlier process are only
//   read, delivered and deleted, so a torn tail is never appended to.
//   Store pwrites a checksummed record into the host's active file and, when
//   options.sync, waits for an fdatasync that covers it. Concurrent Stores (for any
//   hosts) share fdatasync rounds: a leader syncs every file written since the last round
//   for all writers queued behind it (group commit).
//   Deliver seals the host's active file (later Stores go to a new one), then reads the
//   sealed files oldest first and hands each hint to the caller's `send`. Progress is kept
//   in a checkpoint file per partially delivered hint file (offset of the first
//   undelivered record), updated durably after every acknowledged hint; a fully delivered
//   file is deleted with its checkpoint.
//
// Delivery guarantee
//   A hint for which send() returned OK is never handed to send() again, also after a
//   restart, except after a crash (or power failure, when sync) that happens between
//   send() returning OK and the checkpoint update reaching the disk: then that one
//   in-flight hint is delivered once more. Hints are idempotent mutations (same cells,
//   same timestamps), so a duplicate is harmless. With options.sync == false the
//   checkpoint is not fsynced, so after a power failure more hints may be redelivered.
//
// Corruption
//   Never crashes, never returns a corrupt hint. A torn tail (the last record of a file
//   cut by a crash) ends the file silently. A damaged record followed by more data is
//   logged at WARN with file and offset; the rest of that file is skipped (records carry
//   no resynchronisation marks), counted in HintDeliveryStats::skipped_corrupt, and the
//   file is deleted once its valid prefix is delivered. A file with a damaged header is
//   renamed to `<name>.corrupt` at Open and ignored.
//
// Thread-safety: every public method may be called concurrently from any thread. The
//   destructor must not race with other calls. One mutex guards the in-memory state; it
//   is held across pwrite(2) of a record (page-cache speed, as in memtable/commit_log.h)
//   and file creation, never across fdatasync, reading for delivery, or send().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "node/hints/record_file.h"

namespace cairn::hints {

struct HintStoreOptions {
  // Directory holding the hint files (Cassandra's hints_directory, e.g. <data>/hints);
  // created if missing. Nothing else should live there. REQUIRED.
  std::string directory;

  // A host's active file is sealed and a new one started when appending the next hint
  // would take it beyond this many bytes (a single larger hint gets a file of its own).
  // Cassandra's max_hints_file_size_in_mb. Default: 32 MiB.
  uint64_t max_file_bytes = 32u << 20;

  // When true, Store returns only after an fdatasync covering the hint, and delivery
  // checkpoints and file deletions are fsynced. Tests may turn it off (then a process
  // crash loses nothing, a power failure may lose recent hints). Default: true.
  bool sync = true;

  // Test seam: called by each group-commit leader before its fdatasync round, with no
  // lock held. Default: empty.
  std::function<void()> before_sync_round;
};

// Counters for tests and metrics (a snapshot).
struct HintStoreMetrics {
  uint64_t hints_stored = 0;  // Store calls that returned OK (since Open)
  uint64_t sync_rounds = 0;   // group-commit rounds (fdatasync of every file written)
  uint64_t sync_waiters = 0;  // Stores waiting right now behind a running round
};

struct Hint {
  std::string host_id;        // target node's host id (UUID text)
  int64_t created_at_micros;  // wall clock when the coordinator stored it
  std::string mutation;       // opaque bytes (an encoded cairn::Mutation)
};

// Counters of one Deliver call (added to, never reset, so one object can sum calls).
struct HintDeliveryStats {
  uint64_t delivered = 0;        // send() returned OK
  uint64_t failed = 0;           // send() failed (delivery stopped there)
  uint64_t skipped_corrupt = 0;  // damaged places: each skips the rest of one file
  uint64_t expired = 0;          // dropped unsent: created_at < expire_before_micros
};

// The largest mutation Store accepts (a hint record's body is 8 bytes more).
inline constexpr size_t kMaxHintMutationBytes = kMaxRecordBody - 8;

class HintStore {
 public:
  // Opens (creating if needed) the directory and reads what is on disk: removes *.tmp
  // files and orphaned checkpoints, deletes fully delivered files, counts the pending
  // hints of every file from its checkpoint on (validating every record: this reads all
  // undelivered hints once), renames files with a damaged header to *.corrupt.
  // Returns InvalidArgument for bad options, IOError when the directory cannot be
  // created or read.
  static Result<std::unique_ptr<HintStore>> Open(HintStoreOptions options);

  ~HintStore();
  HintStore(const HintStore&) = delete;
  HintStore& operator=(const HintStore&) = delete;

  // Durably appends a hint for `host_id` (returns after fdatasync when options.sync).
  // Concurrent callers share one fdatasync (group commit). Thread-safe.
  // Errors: InvalidArgument for an empty or unsafe host id (allowed: letters, digits and
  // `-_.:`, at most 128 bytes, not starting with '.') or a mutation above
  // kMaxHintMutationBytes; IOError when the file cannot be written or synced. A failed
  // fdatasync is sticky: every later Store fails too (reopen the store to recover).
  Status Store(const std::string& host_id, int64_t created_at_micros,
               std::string_view mutation);

  // Host ids with undelivered hints, sorted.
  std::vector<std::string> HostsWithHints() const;
  // Undelivered hints of a host / of all hosts. Exact, except that hints behind a
  // damaged record that Open could not see are not counted, and hints in the part of a
  // file that a crash tore are counted until delivery finds the tear.
  uint64_t PendingHints(const std::string& host_id) const;
  uint64_t TotalPendingHints() const;

  // Delivers the host's hints oldest first: calls send(hint) for each (from the calling
  // thread, with no lock held); OK -> the hint is done and never delivered again (see
  // "Delivery guarantee"); a non-OK status stops delivery there and is returned, leaving
  // that hint and later ones pending. Hints with created_at < expire_before_micros are
  // dropped without calling send (stats->expired). Hints stored after Deliver began go
  // to a new file and wait for the next call. Only one delivery per host at a time: a
  // second concurrent call for the same host returns OK doing nothing. If DeleteHints
  // for the host runs meanwhile, delivery stops (OK) before the next hint.
  // `stats` may be null. Other errors: IOError reading a file or writing a checkpoint
  // (the hint just sent may then be redelivered later).
  Status Deliver(const std::string& host_id, int64_t expire_before_micros,
                 const std::function<Status(const Hint&)>& send, HintDeliveryStats* stats);

  // Drops every hint for the host (the node left the ring), including its active file.
  // Thread-safe; a Store racing with it may land before (dropped) or after (kept).
  Status DeleteHints(const std::string& host_id);

  // Bytes of all hint files on disk (delivered prefixes of partially delivered files
  // included, checkpoints and *.corrupt files not).
  uint64_t TotalBytesOnDisk() const;

  HintStoreMetrics metrics() const;

  const HintStoreOptions& options() const { return options_; }

 private:
  struct HintFile;
  struct HostState;

  explicit HintStore(HintStoreOptions options);
  Status Init();
  // Reads an existing hint file at Open: header, checkpoint, record count.
  Status LoadFile(const std::string& name, const std::string& host_id, uint64_t seq);
  std::shared_ptr<HostState> HostLocked(const std::string& host_id);
  std::string PathOf(const std::string& name) const;
  // Delivers one sealed file. Sets *stop when delivery must not continue with the next
  // file (send failed, DeleteHints ran); returns the status Deliver returns.
  Status DeliverFile(const std::shared_ptr<HostState>& host, uint64_t epoch,
                     const std::shared_ptr<HintFile>& file, int64_t expire_before_micros,
                     const std::function<Status(const Hint&)>& send,
                     HintDeliveryStats* stats, bool* stop);
  // Removes a finished file (and its checkpoint) from disk and memory unless DeleteHints
  // already did. REQUIRES: host->io_mu held.
  Status RetireFile(const std::shared_ptr<HostState>& host, uint64_t epoch,
                    const std::shared_ptr<HintFile>& file);

  const HintStoreOptions options_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<HostState>> hosts_;
  uint64_t next_seq_ = 1;
  uint64_t hints_stored_ = 0;
  GroupSync group_;
};

}  // namespace cairn::hints
