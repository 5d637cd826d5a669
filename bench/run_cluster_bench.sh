#!/usr/bin/env bash
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# The 3-node cluster benchmark of issues 5 and 7, in one command: creates a 3-node
# cluster with tools/cairn-cluster on 127.0.0.151-153 in its own folder under /tmp
# (commitlog_sync periodic unless --commitlog batch, ring_delay_ms 1000, 16 tokens per
# node, rpc_io_threads of a third of the cores, at least 1), starts the nodes one at a time, and runs cairn-stress against it with keyspace
# cairn_stress at RF=3 (SimpleStrategy), 32 connections on one client thread:
#
#   write   unthrottled, OPS operations per level, --cl ONE,QUORUM,ALL (keys seq 1..OPS)
#   read    unthrottled, OPS operations per level, --cl ONE,QUORUM,ALL, --verify
#           (keys uniform over the written 1..OPS)
#   mixed   read=3,write=1, unthrottled, OPS operations at --mixed-cl (default QUORUM),
#           --verify
#   rate    writes, then reads, at a fixed --rate (default 5000 op/s) for --rate-duration
#           (default 20s) at --rate-cl (default QUORUM): p99 counted from when each
#           operation was due
#
# each with token-aware routing and without (--routing both|on|off), --runs times; the
# two routings alternate inside a run (even runs start with the other one), so that the
# machine's load hits both alike. Then it prints one table of medians over the runs
# (ops/s, p50 and p99 in ms, with the range of the runs' ops/s and p99), the load
# average before and after each run, the issue-5 targets with met / not met, and
# destroys the cluster (--keep leaves it running).
#
# Usage: bench/run_cluster_bench.sh [BUILD_DIR] [options]     (BUILD_DIR default build)
#   --runs N              repetitions; the table shows medians (default 1)
#   --ops N               operations per unthrottled level (default 200000)
#   --routing R           both (default), on (--token-aware), off (--no-token-aware)
#   --commitlog MODE      periodic (default) or batch
#   --rate N              the fixed-rate runs' op/s (default 5000; 0 skips them)
#   --rate-duration T     (default 20s)
#   --rate-cl L, --mixed-cl L   (default QUORUM)
#   --rf N                replication factor (default 3)
#   --first-address A     node1's address; the others follow (default 127.0.0.151)
#   --set KEY=VALUE       a cairnd setting for every node (repeatable), e.g.
#                         --set max_background_writes=128
#   --out DIR             where the JSON results go (default: the cluster folder, kept)
#   --keep                do not destroy the cluster at the end
# Needs: BUILD_DIR/node/cairnd and BUILD_DIR/tools/cairn-stress (it builds nothing),
# python3. Results: bench/README.md, "3-node cluster (RF=3, loopback)".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=build
if [[ $# -gt 0 && $1 != -* ]]; then BUILD=$1; shift; fi
RUNS=1 OPS=200000 ROUTING=both COMMITLOG=periodic RATE=5000 RATE_DURATION=20s
RATE_CL=QUORUM MIXED_CL=QUORUM RF=3 FIRST=127.0.0.151 OUT="" KEEP=0 SETS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --ops) OPS=$2; shift 2 ;;
    --routing) ROUTING=$2; shift 2 ;;
    --commitlog) COMMITLOG=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --rate-duration) RATE_DURATION=$2; shift 2 ;;
    --rate-cl) RATE_CL=$2; shift 2 ;;
    --mixed-cl) MIXED_CL=$2; shift 2 ;;
    --rf) RF=$2; shift 2 ;;
    --first-address) FIRST=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '3,41p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_cluster_bench.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
# Three nodes and the client share this machine's cores, so each node has about a third
# of them: one Thrift I/O thread per node (cairnd's default is one per core, for a node
# that owns its machine). --set rpc_io_threads=N overrides it. bench/README.md, "Thrift
# I/O threads of co-located nodes", has the measurements behind it.
if [[ " ${SETS[*]} " != *" rpc_io_threads="* ]]; then
  SETS=(--set "rpc_io_threads=$(( $(nproc) / 3 > 1 ? $(nproc) / 3 : 1 ))" "${SETS[@]}")
fi
case $ROUTING in both) MODES="on off" ;; on|off) MODES=$ROUTING ;;
  *) echo "--routing: both, on or off" >&2; exit 2 ;; esac
case $COMMITLOG in periodic|batch) ;; *) echo "--commitlog: periodic or batch" >&2; exit 2 ;; esac

CAIRND=$(cd "$BUILD" && pwd)/node/cairnd
STRESS=$(cd "$BUILD" && pwd)/tools/cairn-stress
for b in "$CAIRND" "$STRESS"; do
  [[ -x $b ]] || { echo "missing $b: ninja -C $BUILD cairnd cairn-stress" >&2; exit 3; }
done

BASE=$(mktemp -d /tmp/cairn-cluster-bench.XXXXXX)
OUT=${OUT:-$BASE/results}
mkdir -p "$OUT"
CLUSTER=(python3 "$ROOT/tools/cairn-cluster" --dir "$BASE" -c bench)
IFS=. read -r A B C D <<<"$FIRST"
ADDRS=("$A.$B.$C.$D" "$A.$B.$C.$((D + 1))" "$A.$B.$C.$((D + 2))")
NODES=$(IFS=,; echo "${ADDRS[*]}")

cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "cluster kept: ${CLUSTER[*]} status"
  else
    "${CLUSTER[@]}" destroy >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

log() { echo "[$(date +%H:%M:%S)] $*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
wait_log() {  # FILE PATTERN SECONDS
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; exit 1
    fi
    sleep 0.2
  done
}

log "cluster in $BASE: 3 nodes on ${ADDRS[*]}, commitlog_sync $COMMITLOG ${SETS[*]}, load $(load)"
"${CLUSTER[@]}" create bench -n 3 --first-address "$FIRST" --num_tokens 16 --cairnd "$CAIRND" \
  --set ring_delay_ms=1000 --set commitlog_sync="$COMMITLOG" "${SETS[@]}" >/dev/null
# One at a time: a new node picks its tokens against the ring it has learned.
for i in 1 2 3; do
  "${CLUSTER[@]}" start "node$i" >/dev/null
  wait_log "$BASE/bench/node$i/logs/cairnd.log" "joined the ring" 60
  for ((j = 1; j < i; ++j)); do
    wait_log "$BASE/bench/node$j/logs/cairnd.log" "node ${ADDRS[$((i - 1))]} is in the ring" 60
  done
done
log "ring formed"

# Schema (RF=$RF), then until a write at ALL succeeds everywhere (every node sees the
# others up).
S=("$STRESS" --nodes "$NODES" --connections 32 --quiet)
"${S[@]}" write -n 1000 --drop --rf "$RF" --keys 1000 >"$OUT/setup.txt"
for attempt in $(seq 1 60); do
  "${S[@]}" write -n 300 --cl ALL --keys 1000 --json "$OUT/ready.json" >/dev/null || true
  if python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["runs"][0]["total"]; sys.exit(t["errors"]["total"] != 0 or t["ok"] == 0)' "$OUT/ready.json"; then
    break
  fi
  ((attempt == 60)) && { echo "writes at ALL still fail after 30 s" >&2; exit 1; }
  sleep 0.5
done
log "cluster ready (RF=$RF, writes at ALL succeed)"

flag() { [[ $1 == on ]] && echo --token-aware || echo --no-token-aware; }
for run in $(seq 1 "$RUNS"); do
  ORDER=$MODES
  # Even runs take the routings in the other order: neither always runs second.
  if ((run % 2 == 0)) && [[ $MODES == "on off" ]]; then ORDER="off on"; fi
  for mode in $ORDER; do
    T=$(flag "$mode")
    P="$OUT/run${run}-${mode}"
    echo "$(load)" >"$P-load-before.txt"
    log "run $run, token-aware $mode: write (load $(load))"
    "${S[@]}" "$T" write -n "$OPS" --keys "$OPS" --cl ONE,QUORUM,ALL --json "$P-write.json" \
      >"$P-write.txt"
    log "run $run, token-aware $mode: read (load $(load))"
    "${S[@]}" "$T" read -n "$OPS" --keys "$OPS" --cl ONE,QUORUM,ALL --verify \
      --json "$P-read.json" >"$P-read.txt"
    log "run $run, token-aware $mode: mixed (load $(load))"
    "${S[@]}" "$T" mixed --ratio read=3,write=1 -n "$OPS" --keys "$OPS" --cl "$MIXED_CL" \
      --verify --json "$P-mixed.json" >"$P-mixed.txt"
    if [[ $RATE != 0 ]]; then
      log "run $run, token-aware $mode: $RATE op/s (load $(load))"
      "${S[@]}" "$T" write --rate "$RATE" --duration "$RATE_DURATION" \
        --pop "uniform(1..$OPS)" --cl "$RATE_CL" --json "$P-ratewrite.json" >"$P-ratewrite.txt"
      "${S[@]}" "$T" read --rate "$RATE" --duration "$RATE_DURATION" --keys "$OPS" \
        --cl "$RATE_CL" --verify --json "$P-rateread.json" >"$P-rateread.txt"
    fi
    echo "$(load)" >"$P-load-after.txt"
  done
done
log "done (load $(load)); results in $OUT"

python3 - "$OUT" "$RUNS" "$MODES" "$RATE" "$RATE_CL" "$MIXED_CL" <<'EOF'
import json, os, statistics, sys
out, runs, modes, rate, rate_cl, mixed_cl = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4], sys.argv[5], sys.argv[6]

def runs_of(run, mode, what):
    p = os.path.join(out, "run%d-%s-%s.json" % (run, mode, what))
    return json.load(open(p))["runs"] if os.path.exists(p) else []

rows = [("write", "ONE"), ("write", "QUORUM"), ("write", "ALL"),
        ("read", "ONE"), ("read", "QUORUM"), ("read", "ALL"),
        ("mixed", mixed_cl)]
if rate != "0":
    rows += [("ratewrite", rate_cl), ("rateread", rate_cl)]
label = {"ratewrite": "write %s/s" % rate, "rateread": "read %s/s" % rate}
med = {}  # (what, cl, mode) -> (ops, p50, p99)
print("\n3-node cluster, RF from the keyspace, 32 connections; medians of %d run(s)" % runs)
print("ops/s (range) | p50 ms | p99 ms (range); errors summed over the runs")
hdr = "%-21s" % "workload / CL"
for m in modes:
    hdr += " | %-44s" % ("token-aware " + m)
print(hdr)
for what, cl in rows:
    line = "%-21s" % ("%s %s" % (label.get(what, what), cl))
    for m in modes:
        ops, p50, p99, errs = [], [], [], 0
        for r in range(1, runs + 1):
            for x in runs_of(r, m, what):
                if x["label"] != cl:
                    continue
                t = x["total"]
                ops.append(t["ops_per_s"])
                p50.append(t["latency_ms"]["p50"])
                p99.append(t["latency_ms"]["p99"])
                errs += t["errors"]["total"]
        if not ops:
            line += " | %-44s" % "-"
            continue
        med[(what, cl, m)] = (statistics.median(ops), statistics.median(p50), statistics.median(p99))
        cell = "%6.0f (%5.0f-%5.0f) | %5.2f | %5.2f (%5.2f-%5.2f)" % (
            statistics.median(ops), min(ops), max(ops), statistics.median(p50),
            statistics.median(p99), min(p99), max(p99))
        if errs:
            cell += " E%d" % errs
        line += " | %-44s" % cell
    print(line)
print("\nload average (1/5/15 min) before / after each run:")
for r in range(1, runs + 1):
    for m in modes:
        p = os.path.join(out, "run%d-%s-load" % (r, m))
        try:
            print("  run %d token-aware %-3s %s / %s" % (r, m, open(p + "-before.txt").read().strip(),
                                                        open(p + "-after.txt").read().strip()))
        except OSError:
            pass
print("\nissue-5 targets (medians):")
for m in modes:
    def get(w, cl):
        return med.get((w, cl, m))
    for w in ("write", "read"):
        q, a = get(w, "QUORUM"), get(w, "ALL")
        if q:
            ok = q[0] >= 20000 and q[2] <= 5
            print("  [%s] %s QUORUM >= 20,000 op/s with p99 <= 5 ms: %.0f op/s, p99 %.2f ms: %s"
                  % (m, w, q[0], q[2], "met" if ok else "NOT met"))
        if q and a:
            ratio = a[0] / q[0]
            print("  [%s] %s ALL >= 0.85x QUORUM: %.2fx: %s" % (m, w, ratio,
                                                             "met" if ratio >= 0.85 else "NOT met"))
    for w in ("ratewrite", "rateread"):
        x = get(w, rate_cl)
        if x:
            print("  [%s] %s at %s: p99 <= 1 ms: p99 %.2f ms: %s" % (
                m, label[w], rate_cl, x[2], "met" if x[2] <= 1 else "NOT met"))
EOF
