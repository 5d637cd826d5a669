# db_bench: Cairn's storage engine against RocksDB and LevelDB (benchmark-only
# dependencies: Debian's librocksdb-dev and libleveldb-dev).
find_package(RocksDB CONFIG QUIET)
find_library(LEVELDB_LIBRARY leveldb)
find_library(ROCKSDB_LIBRARY rocksdb)
if(ROCKSDB_LIBRARY AND LEVELDB_LIBRARY)
  cairn_add_benchmark(db_bench SOURCES db_bench.cc LIBS cairn::node cairn::ring
    ${ROCKSDB_LIBRARY} ${LEVELDB_LIBRARY})
else()
  message(STATUS "db_bench skipped: librocksdb-dev and libleveldb-dev are needed")
endif()
