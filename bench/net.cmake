# bench/net.cmake: internode messaging (node/net/) micro-benchmarks (bench/README.md,
# "Messaging").
cairn_add_benchmark(messaging_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/messaging_bench.cc
  LIBS cairn::net
)
