# bench/common.cmake: common/ micro-benchmarks (see bench/README.md, "Micro-benchmarks
# (Google Benchmark)"): comparators and the read digest.
cairn_add_benchmark(comparator_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/comparator_bench.cc
  LIBS cairn::common
)
cairn_add_benchmark(digest_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/digest_bench.cc
  LIBS cairn::common
)
