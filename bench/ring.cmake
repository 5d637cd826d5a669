# bench/ring.cmake: ring/ micro-benchmarks (included by bench/CMakeLists.txt).
cairn_add_benchmark(murmur3_bench SOURCES murmur3_bench.cc LIBS cairn::ring)
