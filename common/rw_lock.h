// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// RwLock: a reader-writer lock that prefers writers. std::shared_mutex on glibc prefers
// readers, so a steady stream of readers (every write to the storage engine takes the
// memtable-switch lock shared) could starve the one writer (a memtable switch) forever.
// Satisfies the SharedMutex requirements, so std::shared_lock / std::unique_lock work.
#pragma once

#include <pthread.h>

namespace cairn {

class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  bool try_lock() { return pthread_rwlock_trywrlock(&lock_) == 0; }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&lock_) == 0; }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace cairn
