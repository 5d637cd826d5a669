// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Client threads and the reporting loop of cairn-stress (runner.h).
#include "tools/stress/runner.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace cairn::stress {

uint64_t ErrorCounts::Total() const {
  uint64_t t = 0;
  for (uint64_t v : n) t += v;
  return t;
}

void ErrorCounts::Merge(const ErrorCounts& o) {
  for (size_t i = 0; i < n.size(); ++i) n[i] += o.n[i];
}

void OpTotals::Merge(const OpTotals& o) {
  latency.Merge(o.latency);
  ok += o.ok;
  partitions += o.partitions;
  cells += o.cells;
  not_found += o.not_found;
  errors.Merge(o.errors);
}

void OpTotals::Reset() {
  latency.Reset();
  ok = partitions = cells = not_found = 0;
  errors = ErrorCounts{};
}

OpTotals Stats::Combined() const {
  OpTotals t;
  for (const OpTotals& o : by_type) t.Merge(o);
  return t;
}

void Stats::Merge(const Stats& o) {
  for (size_t i = 0; i < by_type.size(); ++i) by_type[i].Merge(o.by_type[i]);
  for (size_t i = 0; i < first_message.size(); ++i) {
    if (first_message[i].empty()) first_message[i] = o.first_message[i];
  }
}

void RoutingCounts::Merge(const RoutingCounts& o) {
  primary += o.primary;
  replica += o.replica;
  non_replica += o.non_replica;
  no_key += o.no_key;
}

void Stats::Reset() {
  for (OpTotals& t : by_type) t.Reset();
  for (std::string& m : first_message) m.clear();
}

namespace {

constexpr uint64_t kReconnectDelayNs = 200'000'000;
constexpr uint64_t kGiveUpNs = 10'000'000'000;
constexpr int kConnectTimeoutMs = 2000;

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

int64_t NowMicrosSinceEpoch() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;
};

// State shared by the client threads of one run.
struct Shared {
  const StressOptions* o = nullptr;
  ConsistencySetting cl;
  std::vector<Address> addresses;
  const TokenRing* ring = nullptr;  // token-aware routing when set; addresses = its nodes
  std::atomic<uint64_t> issued{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> sequence{0};
  std::atomic<int> ready{0};
  std::atomic<int> finished{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::mutex fatal_mu;
  std::string fatal;  // GUARDED_BY(fatal_mu): a reply that makes going on pointless

  void Fatal(const std::string& why) {
    std::lock_guard<std::mutex> l(fatal_mu);
    if (fatal.empty()) fatal = why;
    stop.store(true);
  }
};

struct PendingOp {
  OpType type = OpType::kWrite;
  std::vector<uint64_t> keys;
  uint64_t due_ns = 0;
  uint64_t sent_ns = 0;
  uint64_t cells = 0;
  int32_t rows_requested = 0;
};

struct Connection {
  int fd = -1;
  size_t address = 0;
  RequestCodec codec;
  std::string out;
  size_t out_done = 0;
  std::vector<uint8_t> in = std::vector<uint8_t>(4096);
  size_t in_len = 0;
  int32_t seqid = 0;
  bool busy = false;
  bool want_out = false;  // registered for EPOLLOUT: a request did not fit the socket
  PendingOp op;
  std::string range_cursor;  // the last key of the previous page; "" = the ring's start
  uint64_t retry_at_ns = 0;
};

bool WaitFd(int fd, short events, uint64_t deadline_ns) {
  for (;;) {
    const uint64_t now = NowNanos();
    if (now >= deadline_ns) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>((deadline_ns - now) / 1'000'000 + 1));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

class ClientThread {
 public:
  ClientThread(Shared* shared, int index, std::vector<size_t> addresses)
      : s_(shared), o_(*shared->o), rng_(Mix64(shared->o->seed, static_cast<uint64_t>(index) + 1)) {
    idle_by_node_.resize(shared->addresses.size());
    conns_.resize(addresses.size());
    for (size_t i = 0; i < addresses.size(); ++i) {
      conns_[i] = std::make_unique<Connection>();
      conns_[i]->address = addresses[i];
    }
    const int threads = o_.threads;
    if (o_.rate > 0) period_ns_ = static_cast<uint64_t>(1e9 * threads / o_.rate);
  }

  void Run() {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    for (size_t i = 0; i < conns_.size(); ++i) Open(i);
    s_->ready.fetch_add(1);
    while (!s_->go.load()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    Loop();
    for (auto& c : conns_) {
      if (c->fd >= 0) ::close(c->fd);
    }
    ::close(epfd_);
    s_->finished.fetch_add(1);
  }

  // Moves the statistics recorded since the last call into *out (whose previous contents
  // are dropped).
  void TakeInterval(Stats* out) {
    out->Reset();
    std::lock_guard<std::mutex> l(mu_);
    std::swap(*out, interval_);
  }

  // REQUIRES: Run() has returned.
  const RoutingCounts& routing() const { return routing_; }
  bool gave_up() const { return gave_up_; }
  const std::string& give_up_reason() const { return give_up_reason_; }

 private:
  void Loop() {
    uint64_t next_due = NowNanos();
    uint64_t last_usable = NowNanos();
    uint64_t next_timeout_check = 0;
    bool exhausted = false;
    epoll_event events[64];
    for (;;) {
      uint64_t now = NowNanos();
      const bool stopping = exhausted || s_->stop.load(std::memory_order_relaxed);
      if (stopping && busy_ == 0) return;
      if (live_ > 0) last_usable = now;
      if (!stopping && live_ == 0 && now - last_usable > kGiveUpNs) {
        gave_up_ = true;
        give_up_reason_ = "no connection to " + s_->addresses[conns_[0]->address].name +
                          " for 10 s: " + last_connect_error_;
        return;
      }
      // Issue work on idle connections.
      while (!stopping && idle_count_ > 0) {
        uint64_t due = now;
        if (period_ns_ > 0) {
          if (next_due > now) break;
          due = next_due;
          next_due += period_ns_;
        }
        if (o_.operations > 0 &&
            s_->issued.fetch_add(1, std::memory_order_relaxed) >= o_.operations) {
          exhausted = true;
          break;
        }
        Prepare(due, &next_);
        Send(Route(next_), now);
      }
      // Reopen failed connections.
      if (!stopping) {
        for (size_t i = 0; i < conns_.size(); ++i) {
          if (conns_[i]->fd < 0 && conns_[i]->retry_at_ns <= now) Open(i);
        }
      }
      // Wait: until the next throttled slot, or at most 20 ms (stop flag, timeouts).
      uint64_t wait_ns = 20'000'000;
      if (period_ns_ > 0 && idle_count_ > 0 && !stopping) {
        wait_ns = next_due > now ? std::min(wait_ns, next_due - now) : 0;
      }
      timespec ts{static_cast<time_t>(wait_ns / 1'000'000'000),
                  static_cast<long>(wait_ns % 1'000'000'000)};
      int n = ::epoll_pwait2(epfd_, events, 64, &ts, nullptr);
      if (n < 0 && errno == ENOSYS) {
        n = ::epoll_wait(epfd_, events, 64, static_cast<int>((wait_ns + 999'999) / 1'000'000));
      }
      for (int k = 0; k < n; ++k) {
        const size_t i = events[k].data.u32;
        Connection& c = *conns_[i];
        if (c.fd < 0) continue;
        if (events[k].events & EPOLLOUT) {
          Flush(i);
          if (c.fd < 0) continue;
        }
        if (events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(i);
      }
      now = NowNanos();
      if (now >= next_timeout_check) {
        next_timeout_check = now + 50'000'000;
        const uint64_t limit = static_cast<uint64_t>(o_.timeout_ms) * 1'000'000;
        for (size_t i = 0; i < conns_.size(); ++i) {
          Connection& c = *conns_[i];
          if (c.busy && now - c.op.sent_ns > limit) {
            Fail(i, ErrorKind::kClientTimeout,
                 "no reply within " + std::to_string(o_.timeout_ms) + " ms from " +
                     s_->addresses[c.address].name);
          }
        }
      }
    }
  }

  // Connects connection i and selects the keyspace; on failure schedules a retry.
  void Open(size_t i) {
    Connection& c = *conns_[i];
    const Address& a = s_->addresses[c.address];
    c.retry_at_ns = NowNanos() + kReconnectDelayNs;
    int fd = ::socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_connect_error_ = std::strerror(errno);
      return;
    }
    auto fail = [&](const std::string& why) {
      last_connect_error_ = why;
      ::close(fd);
    };
    const uint64_t deadline = NowNanos() + uint64_t{kConnectTimeoutMs} * 1'000'000;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len) != 0) {
      if (errno != EINPROGRESS) return fail(std::string("connect: ") + std::strerror(errno));
      if (!WaitFd(fd, POLLOUT, deadline)) return fail("connect: timed out");
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return fail(std::string("connect: ") + std::strerror(err));
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // set_keyspace, synchronously.
    c.codec.EncodeSetKeyspace(++c.seqid, o_.keyspace, &c.out);
    for (size_t done = 0; done < c.out.size();) {
      ssize_t w = ::write(fd, c.out.data() + done, c.out.size() - done);
      if (w > 0) {
        done += static_cast<size_t>(w);
      } else if (w < 0 && errno == EAGAIN) {
        if (!WaitFd(fd, POLLOUT, deadline)) return fail("set_keyspace: write timed out");
      } else {
        return fail(std::string("set_keyspace: ") + std::strerror(errno));
      }
    }
    const uint64_t reply_deadline = NowNanos() + uint64_t(o_.timeout_ms) * 1'000'000;
    size_t have = 0;
    std::vector<uint8_t> buf(4);
    for (;;) {
      size_t need = 4;
      if (have >= 4) {
        need =
            4 + ((size_t{buf[0]} << 24) | (size_t{buf[1]} << 16) | (size_t{buf[2]} << 8) | buf[3]);
        if (buf.size() < need) buf.resize(need);
      }
      if (have >= need && have >= 4 && need > 4) break;
      ssize_t r = ::read(fd, buf.data() + have, need - have);
      if (r > 0) {
        have += static_cast<size_t>(r);
      } else if (r < 0 && errno == EAGAIN) {
        if (!WaitFd(fd, POLLIN, reply_deadline)) return fail("set_keyspace: no reply");
      } else {
        return fail(r == 0 ? "set_keyspace: connection closed"
                           : std::string("set_keyspace: ") + std::strerror(errno));
      }
    }
    Reply r = c.codec.DecodeVoid(buf.data() + 4, have - 4, c.seqid, true);
    if (r.error != ErrorKind::kNone) {
      fail("set_keyspace " + o_.keyspace + ": " + r.message);
      if (r.error == ErrorKind::kInvalid)
        s_->Fatal("set_keyspace " + o_.keyspace + ": " + r.message);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    c.fd = fd;
    c.busy = false;
    c.want_out = false;
    c.in_len = 0;
    ++live_;
    PushIdle(i);
  }

  void PushIdle(size_t i) {
    idle_by_node_[conns_[i]->address].push_back(i);
    ++idle_count_;
  }

  size_t TakeIdle(size_t node) {
    std::deque<size_t>& q = idle_by_node_[node];
    const size_t i = q.front();
    q.pop_front();
    --idle_count_;
    return i;
  }

  // An idle connection to any node, taking the nodes in turn. REQUIRES: idle_count_ > 0.
  size_t TakeAnyIdle() {
    for (size_t k = 0; k < idle_by_node_.size(); ++k) {
      const size_t node = (any_cursor_ + k) % idle_by_node_.size();
      if (!idle_by_node_[node].empty()) {
        any_cursor_ = node + 1;
        return TakeIdle(node);
      }
    }
    assert(false && "TakeAnyIdle without an idle connection");
    return 0;
  }

  // The idle connection `op` goes out on: token-aware, one to the primary replica of its
  // first key, else to the next replica, else any; otherwise any.
  // REQUIRES: idle_count_ > 0.
  size_t Route(const PendingOp& op) {
    if (s_->ring != nullptr) {
      if (op.keys.empty()) {
        ++routing_.no_key;
        return TakeAnyIdle();
      }
      const std::vector<uint32_t>& replicas = s_->ring->ReplicasFor(KeyName(op.keys[0]));
      for (size_t r = 0; r < replicas.size(); ++r) {
        if (!idle_by_node_[replicas[r]].empty()) {
          ++(r == 0 ? routing_.primary : routing_.replica);
          return TakeIdle(replicas[r]);
        }
      }
      ++routing_.non_replica;
    }
    return TakeAnyIdle();
  }

  uint64_t NextKey() {
    const Distribution& pop = o_.population;
    if (pop.kind() == Distribution::Kind::kSequential) {
      return pop.min() + s_->sequence.fetch_add(1, std::memory_order_relaxed) % pop.range();
    }
    return pop.Sample(rng_);
  }

  OpType ChooseType() {
    switch (o_.workload) {
      case Workload::kWrite:
        return OpType::kWrite;
      case Workload::kRead:
        return OpType::kRead;
      case Workload::kRange:
        return OpType::kRange;
      case Workload::kCounterWrite:
        return OpType::kCounterWrite;
      case Workload::kCounterRead:
        return OpType::kCounterRead;
      case Workload::kMixed:
        return rng_.Below(static_cast<uint64_t>(o_.read_weight + o_.write_weight)) <
                       static_cast<uint64_t>(o_.read_weight)
                   ? OpType::kRead
                   : OpType::kWrite;
    }
    return OpType::kWrite;
  }

  // Chooses the next operation's type and keys into *op.
  void Prepare(uint64_t due, PendingOp* op) {
    op->type = ChooseType();
    op->keys.clear();
    op->cells = 0;
    op->due_ns = due;
    switch (op->type) {
      case OpType::kWrite:
      case OpType::kCounterWrite:
        for (int b = 0; b < o_.batch; ++b) {
          const uint64_t id = NextKey();
          // The same key twice in one batch is written once.
          if (std::find(op->keys.begin(), op->keys.end(), id) == op->keys.end()) {
            op->keys.push_back(id);
          }
        }
        break;
      case OpType::kRead:
      case OpType::kCounterRead:
        op->keys.push_back(NextKey());
        break;
      case OpType::kRange:
        break;
    }
  }

  // Sends next_ on idle connection i (taken off the idle lists by the caller).
  void Send(size_t i, uint64_t now) {
    Connection& c = *conns_[i];
    std::swap(c.op, next_);
    PendingOp& op = c.op;
    ++c.seqid;
    const int32_t max_columns = static_cast<int32_t>(o_.columns.max());
    switch (op.type) {
      case OpType::kWrite:
      case OpType::kCounterWrite: {
        const bool counter = op.type == OpType::kCounterWrite;
        const std::string& cf = counter ? o_.counter_column_family : o_.column_family;
        mutations_.clear();
        const int64_t ts = NowMicrosSinceEpoch();
        for (const uint64_t id : op.keys) {
          auto& list = mutations_[KeyName(id)][cf];
          const int n = ColumnsFor(o_.columns, id);
          list.resize(static_cast<size_t>(n));
          for (int col = 0; col < n; ++col) {
            gen::ColumnOrSuperColumn& cosc = list[static_cast<size_t>(col)].column_or_supercolumn;
            if (counter) {
              gen::CounterColumn cc;
              cc.name = ColumnName(col);
              cc.value = 1;
              cosc.__set_counter_column(cc);
            } else {
              gen::Column column;
              column.name = ColumnName(col);
              ValueFor(o_.cell_size, id, col, &value_);
              column.__set_value(value_);
              column.__set_timestamp(ts);
              cosc.__set_column(std::move(column));
            }
            list[static_cast<size_t>(col)].__isset.column_or_supercolumn = true;
          }
          op.cells += static_cast<uint64_t>(n);
        }
        c.codec.EncodeBatchMutate(c.seqid, mutations_, s_->cl.write, &c.out);
        break;
      }
      case OpType::kRead:
      case OpType::kCounterRead: {
        const uint64_t id = op.keys[0];
        c.codec.EncodeGetSlice(
            c.seqid, KeyName(id),
            op.type == OpType::kRead ? o_.column_family : o_.counter_column_family, max_columns,
            s_->cl.read, &c.out);
        break;
      }
      case OpType::kRange:
        // After the first page, the page starts with the previous page's last key again.
        op.rows_requested = o_.page_size + (c.range_cursor.empty() ? 0 : 1);
        c.codec.EncodeGetRangeSlices(c.seqid, o_.column_family, c.range_cursor, op.rows_requested,
                                     max_columns, s_->cl.read, &c.out);
        break;
    }
    c.out_done = 0;
    c.in_len = 0;
    c.busy = true;
    ++busy_;
    op.sent_ns = now;
    Flush(i);
  }

  void Flush(size_t i) {
    Connection& c = *conns_[i];
    while (c.out_done < c.out.size()) {
      ssize_t w = ::write(c.fd, c.out.data() + c.out_done, c.out.size() - c.out_done);
      if (w < 0 && errno == EAGAIN) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u32 = static_cast<uint32_t>(i);
        ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
        c.want_out = true;
        return;
      }
      if (w <= 0) {
        Fail(
            i, ErrorKind::kConnection,
            std::string("write to ") + s_->addresses[c.address].name + ": " + std::strerror(errno));
        return;
      }
      c.out_done += static_cast<size_t>(w);
    }
    if (c.want_out) {
      c.want_out = false;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
    }
  }

  void OnReadable(size_t i) {
    Connection& c = *conns_[i];
    for (;;) {
      if (c.in_len == c.in.size()) c.in.resize(c.in.size() * 2);
      ssize_t r = ::read(c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len);
      if (r < 0 && errno == EAGAIN) return;
      if (r <= 0) {
        const std::string why = r == 0 ? "connection closed by " + s_->addresses[c.address].name
                                       : std::string("read from ") + s_->addresses[c.address].name +
                                             ": " + std::strerror(errno);
        if (c.busy) {
          Fail(i, ErrorKind::kConnection, why);
        } else {
          Close(i, why);
        }
        return;
      }
      c.in_len += static_cast<size_t>(r);
      if (c.in_len < 4) continue;
      const size_t len =
          (size_t{c.in[0]} << 24) | (size_t{c.in[1]} << 16) | (size_t{c.in[2]} << 8) | c.in[3];
      if (c.in_len < 4 + len) {
        if (c.in.size() < 4 + len) c.in.resize(4 + len);
        continue;
      }
      if (!c.busy || c.in_len > 4 + len) {
        // A reply nobody asked for, or more than one: the stream is out of step.
        Fail(i, ErrorKind::kOther, "unexpected bytes from " + s_->addresses[c.address].name);
        return;
      }
      Complete(i, c.in.data() + 4, len);
      return;
    }
  }

  void Complete(size_t i, const uint8_t* body, size_t len) {
    Connection& c = *conns_[i];
    const uint64_t now = NowNanos();
    PendingOp& op = c.op;
    Reply reply;
    uint64_t partitions = 0, cells = 0, not_found = 0;
    switch (op.type) {
      case OpType::kWrite:
      case OpType::kCounterWrite:
        reply = c.codec.DecodeVoid(body, len, c.seqid, false);
        partitions = op.keys.size();
        cells = op.cells;
        break;
      case OpType::kRead:
      case OpType::kCounterRead:
        reply = c.codec.DecodeGetSlice(body, len, c.seqid, &cells_);
        if (reply.error != ErrorKind::kNone) break;
        cells = cells_.size();
        partitions = cells_.empty() ? 0 : 1;
        not_found = cells_.empty() ? 1 : 0;
        if (o_.verify && op.type == OpType::kRead) {
          reply = VerifyPartition(o_, op.keys[0], cells_, o_.workload == Workload::kRead);
        }
        break;
      case OpType::kRange: {
        reply = c.codec.DecodeGetRangeSlices(body, len, c.seqid, &rows_);
        if (reply.error != ErrorKind::kNone) break;
        const bool wrapped = static_cast<int32_t>(rows_.size()) < op.rows_requested;
        for (size_t r = 0; r < rows_.size(); ++r) {
          const gen::KeySlice& row = rows_[r];
          if (r == 0 && !c.range_cursor.empty() && row.key == c.range_cursor) continue;
          if (row.columns.empty()) continue;  // a deleted partition ("range ghost")
          ++partitions;
          cells += row.columns.size();
          if (o_.verify && reply.error == ErrorKind::kNone) {
            uint64_t id = 0;
            if (!ParseKeyName(row.key, &id)) {
              reply = {ErrorKind::kCorrupt, "range scan returned a key the tool never writes: '" +
                                                row.key.substr(0, 40) + "'"};
            } else {
              reply = VerifyPartition(o_, id, row.columns, false);
            }
          }
        }
        c.range_cursor = wrapped || rows_.empty() ? std::string() : rows_.back().key;
        break;
      }
    }
    c.busy = false;
    --busy_;
    c.in_len = 0;
    PushIdle(i);
    const uint64_t start = period_ns_ > 0 ? op.due_ns : op.sent_ns;
    Record(op.type, reply, now - std::min(now, start), partitions, cells, not_found);
  }

  void Record(OpType type, const Reply& reply, uint64_t latency_ns, uint64_t partitions,
              uint64_t cells, uint64_t not_found) {
    {
      std::lock_guard<std::mutex> l(mu_);
      OpTotals& t = interval_.by_type[static_cast<size_t>(type)];
      if (reply.error == ErrorKind::kNone) {
        ++t.ok;
        t.latency.Record(latency_ns);
        t.partitions += partitions;
        t.cells += cells;
        t.not_found += not_found;
      } else {
        ++t.errors[reply.error];
        std::string& m = interval_.first_message[static_cast<size_t>(reply.error)];
        if (m.empty()) m = reply.message.empty() ? ErrorKindName(reply.error) : reply.message;
      }
    }
    s_->completed.fetch_add(1, std::memory_order_relaxed);
  }

  // The request in flight on connection i failed: count it, close the connection.
  void Fail(size_t i, ErrorKind kind, const std::string& why) {
    Connection& c = *conns_[i];
    if (c.busy) {
      c.busy = false;
      --busy_;
      Record(c.op.type, Reply{kind, why}, 0, 0, 0, 0);
    }
    Close(i, why);
  }

  void Close(size_t i, const std::string& why) {
    Connection& c = *conns_[i];
    if (c.fd < 0) return;
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    --live_;
    last_connect_error_ = why;
    c.retry_at_ns = NowNanos() + kReconnectDelayNs;
    c.range_cursor.clear();
    std::deque<size_t>& q = idle_by_node_[c.address];
    const auto it = std::find(q.begin(), q.end(), i);
    if (it != q.end()) {
      q.erase(it);
      --idle_count_;
    }
  }

  Shared* s_;
  const StressOptions& o_;
  Rng rng_;
  uint64_t period_ns_ = 0;  // this thread's share of --rate; 0 = unthrottled
  int epfd_ = -1;
  std::vector<std::unique_ptr<Connection>> conns_;
  // Open connections with nothing in flight, per node (index into s_->addresses), each
  // list in the order they became idle; idle_count_ is their total.
  std::vector<std::deque<size_t>> idle_by_node_;
  size_t idle_count_ = 0;
  size_t any_cursor_ = 0;  // TakeAnyIdle starts at this node
  PendingOp next_;         // the operation being prepared
  RoutingCounts routing_;
  size_t busy_ = 0;
  int live_ = 0;
  std::string last_connect_error_ = "never connected";
  bool gave_up_ = false;
  std::string give_up_reason_;
  // Scratch space reused by every operation.
  std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>> mutations_;
  std::string value_;
  std::vector<gen::ColumnOrSuperColumn> cells_;
  std::vector<gen::KeySlice> rows_;

  std::mutex mu_;
  Stats interval_;  // GUARDED_BY(mu_)
};

Result<std::vector<Address>> Resolve(const std::vector<Endpoint>& nodes) {
  std::vector<Address> out;
  for (const Endpoint& e : nodes) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(e.host.c_str(), std::to_string(e.port).c_str(), &hints, &res);
    if (rc != 0 || res == nullptr) {
      return Status::InvalidArgument("cannot resolve " + e.host + ": " + ::gai_strerror(rc));
    }
    Address a;
    std::memcpy(&a.addr, res->ai_addr, res->ai_addrlen);
    a.len = res->ai_addrlen;
    a.name = e.ToString();
    ::freeaddrinfo(res);
    out.push_back(a);
  }
  return out;
}

}  // namespace

RunResult RunWorkload(const StressOptions& o, const ConsistencySetting& cl,
                      const std::function<void(const IntervalReport&)>& on_interval,
                      const TokenRing* ring) {
  RunResult result;
  result.consistency = cl;
  result.token_aware = ring != nullptr;
  Result<std::vector<Address>> addresses = Resolve(ring != nullptr ? ring->nodes() : o.nodes);
  if (!addresses.ok()) {
    result.aborted = true;
    result.abort_reason = addresses.status().message();
    return result;
  }
  Shared s;
  s.o = &o;
  s.cl = cl;
  s.addresses = std::move(*addresses);
  s.ring = ring;

  // Connection j goes to thread j mod threads, and to node j mod |nodes| (round-robin)
  // or, token-aware, (j / threads) mod |nodes|: each thread then reaches every node.
  const int nthreads = std::max(1, std::min(o.threads, o.connections));
  std::vector<std::vector<size_t>> plan(static_cast<size_t>(nthreads));
  for (int j = 0; j < o.connections; ++j) {
    const size_t node = ring != nullptr ? static_cast<size_t>(j / nthreads) % s.addresses.size()
                                        : static_cast<size_t>(j) % s.addresses.size();
    plan[static_cast<size_t>(j % nthreads)].push_back(node);
  }
  std::vector<std::unique_ptr<ClientThread>> clients;
  std::vector<std::thread> threads;
  for (int t = 0; t < nthreads; ++t) {
    clients.push_back(std::make_unique<ClientThread>(&s, t, plan[static_cast<size_t>(t)]));
  }
  for (auto& c : clients) threads.emplace_back([&c] { c->Run(); });
  while (s.ready.load() < nthreads) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const uint64_t start = NowNanos();
  s.go.store(true);
  const uint64_t interval_ns = static_cast<uint64_t>(o.interval_s * 1e9);
  const uint64_t deadline =
      o.duration_s > 0 ? start + static_cast<uint64_t>(o.duration_s * 1e9) : UINT64_MAX;
  uint64_t last_report = start;
  uint64_t next_report = start + interval_ns;
  Stats scratch;
  auto collect = [&](uint64_t now, bool final) {
    Stats interval;
    for (auto& c : clients) {
      c->TakeInterval(&scratch);
      interval.Merge(scratch);
    }
    result.stats.Merge(interval);
    IntervalReport r;
    r.end_s = static_cast<double>(now - start) / 1e9;
    r.length_s = static_cast<double>(now - last_report) / 1e9;
    r.totals = interval.Combined();
    // Skip an empty sliver after the last full interval.
    if (final && !result.intervals.empty() && r.totals.Operations() == 0 &&
        r.length_s < 0.5 * o.interval_s) {
      return;
    }
    r.done_fraction = o.operations > 0 ? static_cast<double>(s.completed.load()) /
                                             static_cast<double>(o.operations)
                                       : std::min(1.0, r.end_s / o.duration_s);
    last_report = now;
    if (on_interval) on_interval(r);
    result.intervals.push_back(std::move(r));
  };
  for (;;) {
    const uint64_t now = NowNanos();
    if (s.finished.load() == nthreads) break;
    if (now >= deadline) s.stop.store(true);
    if (now >= next_report) {
      collect(now, false);
      next_report += interval_ns;
      if (next_report <= now) next_report = now + interval_ns;  // we were descheduled
      continue;
    }
    const uint64_t wake = std::min({next_report, deadline, now + 5'000'000});
    std::this_thread::sleep_for(std::chrono::nanoseconds(wake - now));
  }
  for (auto& t : threads) t.join();
  const uint64_t end = NowNanos();
  result.elapsed_s = static_cast<double>(end - start) / 1e9;
  // The last, partial interval.
  collect(end, /*final=*/true);
  {
    std::lock_guard<std::mutex> l(s.fatal_mu);
    if (!s.fatal.empty()) {
      result.aborted = true;
      result.abort_reason = s.fatal;
    }
  }
  int gave_up = 0;
  for (auto& c : clients) result.routing.Merge(c->routing());
  for (auto& c : clients) {
    if (c->gave_up()) {
      ++gave_up;
      if (!result.aborted && result.abort_reason.empty()) result.abort_reason = c->give_up_reason();
    }
  }
  if (gave_up == nthreads) result.aborted = true;
  return result;
}

}  // namespace cairn::stress
