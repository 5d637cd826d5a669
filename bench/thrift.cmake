# Thrift: the load generator and ping server of the single-node Thrift benchmark
# (bench/run_thrift_bench.sh; figures in bench/README.md, "Thrift (single node)").
if(TARGET cairn::thrift)
  cairn_add_benchmark(thrift_bench SOURCES thrift_bench.cc LIBS cairn::thrift cairn::stress_histogram)
endif()
# Encode/decode of batch_mutate and get_slice messages with the generated code only
# (bench/README.md, "Micro-benchmarks (Google Benchmark)").
if(TARGET cairn::thrift_gen)
  cairn_add_benchmark(thrift_codec_bench
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/thrift_codec_bench.cc
    LIBS cairn::thrift_gen
  )
endif()
