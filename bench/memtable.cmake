# bench/memtable.cmake: memtable/ micro-benchmarks (see bench/README.md, "Commit log").
cairn_add_benchmark(commit_log_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/commit_log_bench.cc
  LIBS cairn::memtable
)
