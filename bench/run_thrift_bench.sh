#!/usr/bin/env bash
# Reproduces the "Thrift (single node)" figures of bench/README.md. Builds nothing:
#   ninja -C BUILD cairnd thrift_bench && bench/run_thrift_bench.sh BUILD [runs]
# Each run: the ping server (the ceiling), then cairnd with commitlog_sync periodic
# (setup, fill, inserts; SIGTERM drains the memtables into SSTables; restart; reads from
# SSTables, page cache warm), then cairnd with commitlog_sync batch (inserts), each at 1,
# 8 and 32 connections. Servers listen on 127.0.0.9 with data in a temporary directory.
# Ends with the median of every figure over the runs.
# Environment: DURATION_S (5), WARMUP_S (1), KEYS (200000), CONNECTIONS (1,8,32),
# CLIENT_THREADS (1), SERVER_FLAGS (extra cairnd flags, e.g. "--rpc_max_threads 32"),
# PING_FLAGS (ping server thread flags; default: what cairnd uses by default).
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-3}
BENCH="$BUILD/bench/thrift_bench"
CAIRND="$BUILD/node/cairnd"
HOST=127.0.0.9
PORT=${PORT:-9161}
DURATION_S=${DURATION_S:-5}
WARMUP_S=${WARMUP_S:-1}
KEYS=${KEYS:-200000}
CONNECTIONS=${CONNECTIONS:-1,8,32}
CLIENT_THREADS=${CLIENT_THREADS:-1}
SERVER_FLAGS=${SERVER_FLAGS:-}
PING_FLAGS=${PING_FLAGS:---io_threads $(nproc) --worker_threads 0}
for f in "$BENCH" "$CAIRND"; do
  [[ -x $f ]] || { echo "missing $f: ninja -C $BUILD cairnd thrift_bench" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/cairn-thrift-bench.XXXXXX)
RESULTS="$WORK/results.txt"
SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server LOG CMD...: starts CMD in the background, waits for its "serving"/"server
# on" line.
start_server() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q -e "serving thrift on" -e "ping server on" "$log"; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "server did not start" >&2; cat "$log" >&2; exit 1
}
stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || { echo "server exited with $?" >&2; exit 1; }
  SERVER_PID=""
}
start_cairnd() {  # start_cairnd SYNC_MODE DATA_DIR
  start_server "$WORK/cairnd.log" "$CAIRND" --listen_address $HOST --rpc_address $HOST \
    --rpc_port $PORT --data_file_directories "$2/data" --commitlog_directory "$2/commitlog" \
    --commitlog_sync "$1" --log_level warn $SERVER_FLAGS
}
bench() {  # bench LABEL WORKLOAD [args]
  local label=$1 workload=$2; shift 2
  "$BENCH" --host $HOST --port $PORT --workload "$workload" --label "$label" \
    --connections "$CONNECTIONS" --threads "$CLIENT_THREADS" --warmup_s "$WARMUP_S" \
    --duration_s "$DURATION_S" --keys "$KEYS" "$@" | tee -a "$RESULTS"
}

echo "== $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== cairnd flags: ${SERVER_FLAGS:-(defaults)}; ping server: $PING_FLAGS"
for run in $(seq 1 "$RUNS"); do
  echo "== run $run/$RUNS"
  # shellcheck disable=SC2086
  start_server "$WORK/ping.log" "$BENCH" --serve_ping --host $HOST --port $PORT $PING_FLAGS
  bench ping ping
  stop_server

  DATA="$WORK/data-periodic-$run"
  start_cairnd periodic "$DATA"
  "$BENCH" --host $HOST --port $PORT --setup
  "$BENCH" --host $HOST --port $PORT --workload fill --connections 32 --keys "$KEYS" \
    --label fill >/dev/null
  bench periodic insert
  stop_server  # SIGTERM: drain, so the reads below come from SSTables
  start_cairnd periodic "$DATA"
  bench sstable read
  stop_server

  DATA="$WORK/data-batch-$run"
  start_cairnd batch "$DATA"
  "$BENCH" --host $HOST --port $PORT --setup
  bench batch insert
  stop_server
  rm -rf "$WORK"/data-*-"$run"
done

echo "== medians over $RUNS runs (label workload conns: ops/s, p50/p95/p99/p99.9 us)"
awk '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    k = sprintf("%-8s %-6s %3d", f["label"], f["workload"], f["conns"])
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    ops[k] = ops[k] " " f["ops_per_s"]; p50[k] = p50[k] " " f["p50_us"]
    p95[k] = p95[k] " " f["p95_us"]; p99[k] = p99[k] " " f["p99_us"]; p999[k] = p999[k] " " f["p999_us"]
    err[k] += f["errors"]; empty[k] += f["empty"]
  }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "%s: %7.0f ops/s  %6.0f %6.0f %6.0f %7.0f us  (errors %d, empty %d)\n", k,
        median(ops[k]), median(p50[k]), median(p95[k]), median(p99[k]), median(p999[k]), err[k], empty[k]
    }
  }' "$RESULTS"
