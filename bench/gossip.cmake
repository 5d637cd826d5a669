# bench/gossip.cmake: gossip/ micro-benchmarks (see bench/README.md, "Gossip").
cairn_add_benchmark(gossip_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/gossip_bench.cc
  LIBS cairn::gossip
)
