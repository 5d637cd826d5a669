# bench/memtable.cmake: memtable/ micro-benchmarks (see bench/README.md, "Commit log" and
# "Micro-benchmarks (Google Benchmark)").
cairn_add_benchmark(commit_log_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/commit_log_bench.cc
  LIBS cairn::memtable
)
# ring/ only for the partitioners that decorate the keys.
cairn_add_benchmark(memtable_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/memtable_bench.cc
  LIBS cairn::memtable cairn::ring
)
