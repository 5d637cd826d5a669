# Thrift: the load generator and ping server of the single-node Thrift benchmark
# (bench/run_thrift_bench.sh; figures in bench/README.md, "Thrift (single node)").
if(TARGET cairn::thrift)
  cairn_add_benchmark(thrift_bench SOURCES thrift_bench.cc LIBS cairn::thrift cairn::stress_histogram)
endif()
