// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "thrift/conversion.h"

#include <thrift/TApplicationException.h>

#include <algorithm>
#include <cctype>

namespace cairn::thrift {

namespace {

constexpr char kCompactionPackage[] = "org.apache.cassandra.db.compaction.";

TypePtr ParseOrThrow(const std::string& name) {
  auto t = ParseType(name);
  if (!t.ok()) ThrowInvalid(t.status().message());
  return *t;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string ResolveCompactionStrategy(const std::string& name) {
  std::string full = name.find('.') == std::string::npos ? kCompactionPackage + name : name;
  static const char* kKnown[] = {"SizeTieredCompactionStrategy", "LeveledCompactionStrategy",
                                 "DateTieredCompactionStrategy", "TimeWindowCompactionStrategy"};
  for (const char* k : kKnown) {
    if (full == std::string(kCompactionPackage) + k) return full;
  }
  ThrowInvalid("Unable to find compaction strategy class '" + full + "'");
}

}  // namespace

void ThrowInvalid(const std::string& why) {
  gen::InvalidRequestException e;
  e.why = why;
  throw e;
}

void ThrowStatus(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      ThrowInvalid(status.message());
    case Status::Code::kUnavailable:
      throw gen::UnavailableException();
    case Status::Code::kTimedOut: {
      gen::TimedOutException e;
      e.__set_acknowledged_by(0);
      throw e;
    }
    default:
      throw ::apache::thrift::TApplicationException(
          ::apache::thrift::TApplicationException::INTERNAL_ERROR,
          "Internal error processing request: " + status.ToString());
  }
}

std::string BytesToHex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

node::TableSchema TableFromThrift(const gen::CfDef& def) {
  node::TableSchema t;
  t.metadata.keyspace = def.keyspace;
  t.metadata.name = def.name;
  std::string column_type = def.__isset.column_type ? def.column_type : "Standard";
  if (Lower(column_type) == "super") {
    t.is_super = true;
  } else if (Lower(column_type) != "standard") {
    ThrowInvalid("Invalid column type " + column_type);
  }
  t.metadata.comparator =
      ParseOrThrow(def.__isset.comparator_type ? def.comparator_type : "BytesType");
  if (t.is_super) {
    t.subcomparator = ParseOrThrow(
        def.__isset.subcomparator_type ? def.subcomparator_type : "BytesType");
  }
  t.metadata.key_validator =
      ParseOrThrow(def.__isset.key_validation_class ? def.key_validation_class : "BytesType");
  t.metadata.default_validator = ParseOrThrow(
      def.__isset.default_validation_class ? def.default_validation_class : "BytesType");

  const AbstractType& names = t.is_super ? *t.subcomparator : *t.metadata.comparator;
  if (def.__isset.column_metadata) {
    for (const gen::ColumnDef& cd : def.column_metadata) {
      if (!names.Validate(cd.name).ok()) {
        ThrowInvalid("Column name " + BytesToHex(cd.name) + " is not valid for comparator " +
                     names.Name());
      }
      node::ColumnDefinition c;
      c.name = cd.name;
      c.validator = ParseOrThrow(cd.validation_class);
      if (cd.__isset.index_type) c.index_type = static_cast<int32_t>(cd.index_type);
      if (cd.__isset.index_name) c.index_name = cd.index_name;
      if (cd.__isset.index_options) c.index_options = cd.index_options;
      t.column_metadata.push_back(std::move(c));
    }
  }
  if (def.__isset.gc_grace_seconds) t.metadata.gc_grace_seconds = def.gc_grace_seconds;
  if (def.__isset.default_time_to_live) {
    t.metadata.default_time_to_live = def.default_time_to_live;
  }
  if (def.__isset.bloom_filter_fp_chance) {
    t.metadata.bloom_filter_fp_chance = def.bloom_filter_fp_chance;
  }
  if (def.__isset.min_compaction_threshold) {
    t.metadata.compaction.min_threshold = def.min_compaction_threshold;
  }
  if (def.__isset.max_compaction_threshold) {
    t.metadata.compaction.max_threshold = def.max_compaction_threshold;
  }
  if (def.__isset.comment) t.comment = def.comment;
  if (def.__isset.read_repair_chance) t.read_repair_chance = def.read_repair_chance;
  if (def.__isset.dclocal_read_repair_chance) {
    t.dclocal_read_repair_chance = def.dclocal_read_repair_chance;
  }
  if (def.__isset.compaction_strategy) {
    t.compaction_strategy = ResolveCompactionStrategy(def.compaction_strategy);
  }
  if (def.__isset.compaction_strategy_options) {
    t.compaction_strategy_options = def.compaction_strategy_options;
  }
  if (def.__isset.compression_options) t.compression_options = def.compression_options;
  if (def.__isset.caching) t.caching = def.caching;
  if (def.__isset.cells_per_row_to_cache) t.cells_per_row_to_cache = def.cells_per_row_to_cache;
  if (def.__isset.speculative_retry) t.speculative_retry = def.speculative_retry;
  // index_interval is the retired spelling of min_index_interval.
  if (def.__isset.min_index_interval) {
    t.min_index_interval = def.min_index_interval;
  } else if (def.__isset.index_interval) {
    t.min_index_interval = def.index_interval;
  }
  if (def.__isset.max_index_interval) {
    t.max_index_interval = def.max_index_interval;
  } else {
    t.max_index_interval = std::max(t.min_index_interval, t.max_index_interval);
  }
  if (def.__isset.memtable_flush_period_in_ms) {
    t.memtable_flush_period_in_ms = def.memtable_flush_period_in_ms;
  }
  if (def.__isset.triggers) {
    for (const gen::TriggerDef& td : def.triggers) t.triggers.push_back({td.name, td.options});
  }
  if (def.__isset.key_alias) t.key_alias = def.key_alias;
  return t;
}

gen::CfDef TableToThrift(const node::TableSchema& t) {
  gen::CfDef d;
  d.keyspace = t.metadata.keyspace;
  d.name = t.metadata.name;
  d.__set_column_type(t.is_super ? "Super" : "Standard");
  d.__set_comparator_type(t.metadata.comparator->Name());
  if (t.is_super) d.__set_subcomparator_type(t.subcomparator->Name());
  d.__set_comment(t.comment);
  d.__set_read_repair_chance(t.read_repair_chance);
  d.__set_dclocal_read_repair_chance(t.dclocal_read_repair_chance);
  d.__set_gc_grace_seconds(t.metadata.gc_grace_seconds);
  d.__set_default_validation_class(t.metadata.default_validator->Name());
  d.__set_key_validation_class(t.metadata.key_validator->Name());
  d.__set_min_compaction_threshold(t.metadata.compaction.min_threshold);
  d.__set_max_compaction_threshold(t.metadata.compaction.max_threshold);
  // Cassandra 3.x reports the partition key column's name; "key" is its default name.
  d.__set_key_alias(t.key_alias.value_or("key"));
  std::vector<gen::ColumnDef> columns;
  for (const node::ColumnDefinition& c : t.column_metadata) {
    gen::ColumnDef cd;
    cd.name = c.name;
    cd.validation_class = c.validator->Name();
    if (c.index_type.has_value()) {
      cd.__set_index_type(static_cast<gen::IndexType::type>(*c.index_type));
      if (!c.index_name.empty()) cd.__set_index_name(c.index_name);
      if (!c.index_options.empty()) cd.__set_index_options(c.index_options);
    }
    columns.push_back(std::move(cd));
  }
  d.__set_column_metadata(std::move(columns));
  d.__set_compaction_strategy(t.compaction_strategy);
  d.__set_compaction_strategy_options(t.compaction_strategy_options);
  d.__set_compression_options(t.compression_options);
  d.__set_bloom_filter_fp_chance(t.metadata.bloom_filter_fp_chance);
  d.__set_min_index_interval(t.min_index_interval);
  d.__set_max_index_interval(t.max_index_interval);
  d.__set_memtable_flush_period_in_ms(t.memtable_flush_period_in_ms);
  d.__set_caching(t.caching);
  d.__set_cells_per_row_to_cache(t.cells_per_row_to_cache);
  d.__set_default_time_to_live(t.metadata.default_time_to_live);
  d.__set_speculative_retry(t.speculative_retry);
  std::vector<gen::TriggerDef> triggers;
  for (const node::TriggerDefinition& tr : t.triggers) {
    gen::TriggerDef td;
    td.name = tr.name;
    td.options = tr.options;
    triggers.push_back(std::move(td));
  }
  d.__set_triggers(std::move(triggers));
  return d;
}

node::KeyspaceSchema KeyspaceFromThrift(const gen::KsDef& def) {
  node::KeyspaceSchema ks;
  ks.name = def.name;
  ks.strategy_class = def.strategy_class;
  if (def.__isset.strategy_options) ks.strategy_options = def.strategy_options;
  ks.durable_writes = def.__isset.durable_writes ? def.durable_writes : true;
  for (const gen::CfDef& cf : def.cf_defs) {
    if (cf.keyspace != def.name) {
      ThrowInvalid("CfDef (" + cf.name + ") had a keyspace definition that did not match KsDef");
    }
  }
  for (const gen::CfDef& cf : def.cf_defs) ks.tables.push_back(TableFromThrift(cf));
  return ks;
}

gen::KsDef KeyspaceToThrift(const node::KeyspaceSchema& ks) {
  gen::KsDef d;
  d.name = ks.name;
  d.strategy_class = ks.strategy_class;
  d.__set_strategy_options(ks.strategy_options);
  d.__set_durable_writes(ks.durable_writes);
  for (const node::TableSchema& t : ks.tables) d.cf_defs.push_back(TableToThrift(t));
  return d;
}

gen::Column ColumnFromCell(const Cell& cell) {
  gen::Column c;
  c.name = cell.name;
  c.__set_value(cell.value);
  c.__set_timestamp(cell.timestamp);
  if (cell.kind == CellKind::kExpiring) c.__set_ttl(cell.ttl);
  return c;
}

}  // namespace cairn::thrift
