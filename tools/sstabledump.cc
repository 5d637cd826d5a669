// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// sstabledump: prints one SSTable as JSON, like Cassandra's sstabledump; with
// --metadata prints its Statistics instead, like sstablemetadata.
//
//   sstabledump [options] <path to any component, e.g. data/cairn-5-Data.db>
//   sstabledump [options] <directory> <generation>
//
// Options:
//   --comparator TYPE  render cell names with TYPE's ToString (e.g. UTF8Type);
//                      default: hex. When given it must match the recorded one.
//   --validator TYPE   render cell values with TYPE's ToString; default: hex.
//   --key HEX          print only the partition whose key bytes are HEX (a scan:
//                      the tool cannot compute tokens).
//   --metadata         print the Statistics component as a JSON object.
//
// Output (one JSON array, a partition per element):
//   {"key": hex, "token": hex,
//    "deletion": {"marked_for_delete_at": µs, "local_deletion_time": s},   // if any
//    "range_tombstones": [{"start", "end", "marked_for_delete_at", "local_deletion_time"}],
//    "cells": [{"name", "kind": "live"|"expiring"|"tombstone", "timestamp",
//               "value" (live, expiring), "ttl" and "expires_at" (expiring),
//               "deleted_at" (tombstone)}]}
// Exit status: 0 OK, 1 usage error, 2 the SSTable could not be opened or read.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "common/counter.h"
#include "common/marshal.h"
#include "sstable/filename.h"
#include "sstable/sstable_reader.h"

namespace {

using cairn::sstable::Component;

std::string Hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

bool Unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char ch : hex.substr(i, 2)) {
      v <<= 4;
      if (ch >= '0' && ch <= '9') v |= ch - '0';
      else if (ch >= 'a' && ch <= 'f') v |= ch - 'a' + 10;
      else if (ch >= 'A' && ch <= 'F') v |= ch - 'A' + 10;
      else return false;
    }
    out->push_back(static_cast<char>(v));
  }
  return true;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string Render(const cairn::TypePtr& type, std::string_view bytes) {
  return Quote(type ? type->ToString(bytes) : Hex(bytes));
}

void PrintDeletionFields(const cairn::DeletionTime& d) {
  std::cout << "\"marked_for_delete_at\": " << d.marked_for_delete_at
            << ", \"local_deletion_time\": " << d.local_deletion_time;
}

void PrintPartition(const cairn::DecoratedKey& key, const cairn::PartitionUpdate& p,
                    const cairn::TypePtr& names, const cairn::TypePtr& values) {
  std::cout << "  {\"key\": " << Quote(Hex(key.key)) << ", \"token\": " << Quote(Hex(key.token.bytes));
  if (!p.deletion.IsLive()) {
    std::cout << ",\n   \"deletion\": {";
    PrintDeletionFields(p.deletion);
    std::cout << "}";
  }
  if (!p.range_tombstones.empty()) {
    std::cout << ",\n   \"range_tombstones\": [";
    for (size_t i = 0; i < p.range_tombstones.size(); ++i) {
      const cairn::RangeTombstone& rt = p.range_tombstones[i];
      std::cout << (i ? ",\n     " : "\n     ") << "{\"start\": " << Render(names, rt.start)
                << ", \"end\": " << Render(names, rt.end) << ", ";
      PrintDeletionFields(rt.deletion);
      std::cout << "}";
    }
    std::cout << "]";
  }
  std::cout << ",\n   \"cells\": [";
  for (size_t i = 0; i < p.cells.size(); ++i) {
    const cairn::Cell& c = p.cells[i];
    std::cout << (i ? ",\n     " : "\n     ") << "{\"name\": " << Render(names, c.name);
    switch (c.kind) {
      case cairn::CellKind::kLive:
        std::cout << ", \"kind\": \"live\", \"timestamp\": " << c.timestamp
                  << ", \"value\": " << Render(values, c.value);
        break;
      case cairn::CellKind::kExpiring:
        std::cout << ", \"kind\": \"expiring\", \"timestamp\": " << c.timestamp
                  << ", \"value\": " << Render(values, c.value) << ", \"ttl\": " << c.ttl
                  << ", \"expires_at\": " << c.local_time;
        break;
      case cairn::CellKind::kTombstone:
        std::cout << ", \"kind\": \"tombstone\", \"timestamp\": " << c.timestamp
                  << ", \"deleted_at\": " << c.local_time;
        break;
      case cairn::CellKind::kCounter: {
        std::vector<cairn::CounterShard> shards;
        cairn::DecodeCounterContext(c.value, &shards);
        std::cout << ", \"kind\": \"counter\", \"timestamp\": " << c.timestamp
                  << ", \"value\": " << cairn::CounterTotal(c.value) << ", \"shards\": "
                  << shards.size();
        break;
      }
    }
    std::cout << "}";
  }
  std::cout << "]}";
}

void PrintMetadata(const cairn::sstable::SSTableReader& r) {
  const cairn::sstable::Stats& s = r.stats();
  std::cout << "{\n"
            << "  \"generation\": " << r.generation() << ",\n"
            << "  \"data_size\": " << r.data_size() << ",\n"
            << "  \"total_size\": " << r.total_size() << ",\n"
            << "  \"partitioner\": " << Quote(s.partitioner) << ",\n"
            << "  \"comparator\": " << Quote(s.comparator) << ",\n"
            << "  \"first_key\": " << Quote(Hex(s.first_key.key)) << ",\n"
            << "  \"first_token\": " << Quote(Hex(s.first_key.token.bytes)) << ",\n"
            << "  \"last_key\": " << Quote(Hex(s.last_key.key)) << ",\n"
            << "  \"last_token\": " << Quote(Hex(s.last_key.token.bytes)) << ",\n"
            << "  \"min_timestamp\": " << s.min_timestamp << ",\n"
            << "  \"max_timestamp\": " << s.max_timestamp << ",\n"
            << "  \"max_local_deletion_time\": " << s.max_local_deletion_time << ",\n"
            << "  \"partition_count\": " << s.partition_count << ",\n"
            << "  \"cell_count\": " << s.cell_count << ",\n"
            << "  \"expiring_cell_count\": " << s.expiring_cell_count << ",\n"
            << "  \"tombstone_count\": " << s.tombstone_count << ",\n"
            << "  \"range_tombstone_count\": " << s.range_tombstone_count << ",\n"
            << "  \"uncompressed_data_size\": " << s.uncompressed_data_size << ",\n"
            << "  \"max_partition_size\": " << s.max_partition_size << ",\n"
            << "  \"compression_ratio\": "
            << (s.uncompressed_data_size ? static_cast<double>(r.data_size()) /
                                               static_cast<double>(s.uncompressed_data_size)
                                         : 1.0)
            << ",\n"
            << "  \"block_size\": " << s.block_size << ",\n"
            << "  \"compressed\": " << (s.compressed ? "true" : "false") << ",\n"
            << "  \"replay_position\": {\"segment_id\": " << s.replay_position.segment_id
            << ", \"offset\": " << s.replay_position.offset << "},\n"
            << "  \"tombstone_drop_times\": [";
  for (size_t i = 0; i < s.tombstone_drop_times.size(); ++i) {
    std::cout << (i ? ", " : "") << "[" << s.tombstone_drop_times[i].first << ", "
              << s.tombstone_drop_times[i].second << "]";
  }
  std::cout << "]\n}\n";
}

int Usage() {
  std::cerr << "usage: sstabledump [--comparator TYPE] [--validator TYPE] [--key HEX] "
               "[--metadata] <component file | directory generation>\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  cairn::TypePtr names, values;
  bool metadata = false;
  bool has_key = false;
  std::string key;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto type_arg = [&](cairn::TypePtr* out) {
      if (i + 1 >= argc) return false;
      auto t = cairn::ParseType(argv[++i]);
      if (!t.ok()) {
        std::cerr << "sstabledump: " << t.status().ToString() << "\n";
        return false;
      }
      *out = *t;
      return true;
    };
    if (a == "--comparator") {
      if (!type_arg(&names)) return 1;
    } else if (a == "--validator") {
      if (!type_arg(&values)) return 1;
    } else if (a == "--metadata") {
      metadata = true;
    } else if (a == "--key") {
      if (i + 1 >= argc || !Unhex(argv[++i], &key)) return Usage();
      has_key = true;
    } else if (a == "--help" || a == "-h") {
      Usage();
      return 0;
    } else if (a.starts_with("--")) {
      return Usage();
    } else {
      positional.emplace_back(a);
    }
  }
  std::string dir;
  uint64_t generation = 0;
  if (positional.size() == 1) {
    std::string path = positional[0];
    size_t slash = path.rfind('/');
    dir = slash == std::string::npos ? "." : path.substr(0, slash);
    Component c;
    bool tmp;
    if (!cairn::sstable::ParseComponentFileName(
            slash == std::string::npos ? path : path.substr(slash + 1), &generation, &c, &tmp)) {
      std::cerr << "sstabledump: not an SSTable component: " << path << "\n";
      return 1;
    }
  } else if (positional.size() == 2) {
    dir = positional[0];
    char* end = nullptr;
    generation = std::strtoull(positional[1].c_str(), &end, 10);
    if (end == positional[1].c_str() || *end != '\0') return Usage();
  } else {
    return Usage();
  }

  cairn::sstable::SSTableOptions options;
  options.comparator = names ? names : cairn::BytesTypeInstance();
  options.verify_comparator = names != nullptr;  // dumping needs no ordering
  auto reader = cairn::sstable::SSTableReader::Open(dir, generation, options);
  if (!reader.ok()) {
    std::cerr << "sstabledump: " << reader.status().ToString() << "\n";
    return 2;
  }
  if (metadata) {
    PrintMetadata(**reader);
    return 0;
  }
  auto it = (*reader)->NewIterator();
  std::cout << "[";
  bool first = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (has_key && it->key().key != key) continue;
    std::cout << (first ? "\n" : ",\n");
    first = false;
    PrintPartition(it->key(), it->partition(), names, values);
  }
  std::cout << "\n]\n";
  if (!it->status().ok()) {
    std::cerr << "sstabledump: " << it->status().ToString() << "\n";
    return 2;
  }
  return 0;
}
