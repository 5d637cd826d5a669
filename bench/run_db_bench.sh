#!/usr/bin/env bash
# Reproduces the storage-engine figures of bench/README.md: Cairn, RocksDB and LevelDB
# on the same workloads in one run. Usage: bench/run_db_bench.sh [build dir] [num keys]
set -euo pipefail
BUILD=${1:-build}
NUM=${2:-1000000}
B="$BUILD/bench/db_bench"
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(date -u +%F)"
echo "== point workloads, 1 thread"
"$B" --num="$NUM" --threads=1 \
  --benchmarks=fillrandom,readhot,flush,compact,reopen,readrandom,readmissing,readseq
echo "== puts, 2 threads"
"$B" --num="$NUM" --threads=2 --benchmarks=fillrandom
echo "== durable puts (Cairn batch mode / sync=true), 1 and 32 threads; periodic 32 threads"
"$B" --num="$NUM" --threads=1 --benchmarks=fillsync
"$B" --num="$NUM" --threads=32 --benchmarks=fillsync,fillrandom
echo "== durable puts through ApplyAsync (Cairn only): 32 and 256 in flight, 1 and 2 threads"
for T in 1 2; do
  for F in 32 256; do
    "$B" --engines=cairn --num="$NUM" --threads=$T --inflight=$F --benchmarks=fillasync
  done
done
echo "== wide partitions: 1000 partitions x ($NUM / 1000) cells, 100-cell slices"
"$B" --num="$NUM" --threads=1 --benchmarks=fillwide,flush,slice100
