# SSTable micro-benchmarks (see bench/README.md, "SSTable").
cairn_add_benchmark(sstable_block_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sstable_block_bench.cc
  LIBS cairn::sstable Snappy::snappy
)
