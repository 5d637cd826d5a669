// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/database.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

#include "common/logging.h"

namespace cairn::node {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string KeyspaceNameError(const std::string& name) {
  return "Keyspace name must not be empty, more than 48 characters long, or contain "
         "non-alphanumeric-underscore characters (got \"" + name + "\")";
}

}  // namespace

Database::Database(DatabaseOptions options) : options_(std::move(options)) {}

Database::~Database() { Close().IgnoreError(); }  // errors were logged by the engine

namespace {

// Reads the three schema and identity tables from `stores` (SchemaAndLocalTables() order).
Status DecodeStores(const std::vector<const ColumnFamilyStore*>& stores, int32_t now,
                    StoredSchema* out) {
  SystemTableContent content[3];
  for (size_t i = 0; i < 3; ++i) {
    Status st = ReadSystemTable(*stores[i], now, &content[i]);
    if (!st.ok()) {
      return Status::Corruption("cannot read the schema from " + stores[i]->metadata().keyspace +
                                "." + stores[i]->metadata().name + ": " + st.ToString());
    }
  }
  return DecodeSchemaTables(content[0], content[1], content[2], out);
}

void SortTables(KeyspaceSchema* ks) {
  std::sort(ks->tables.begin(), ks->tables.end(), [](const TableSchema& a, const TableSchema& b) {
    return a.metadata.name < b.metadata.name;
  });
}

}  // namespace

Status Database::ReadSchemaFromDisk(StoredSchema* out) const {
  std::vector<std::unique_ptr<ColumnFamilyStore>> owned;
  std::vector<const ColumnFamilyStore*> stores;
  for (const TableMetadata& t : SchemaAndLocalTables()) {
    ColumnFamilyStoreOptions o;
    o.directory = (std::filesystem::path(options_.engine.data_directory) / t.keyspace /
                   t.DirectoryName())
                      .string();
    o.partitioner = options_.engine.partitioner;
    o.sync_sstables = options_.engine.sync_sstables;
    o.clock = options_.engine.clock;
    auto cfs = ColumnFamilyStore::Open(t, std::move(o));
    if (!cfs.ok()) {
      return Status::Corruption("cannot open system table " + t.keyspace + "." + t.name + ": " +
                                cfs.status().ToString());
    }
    owned.push_back(std::move(cfs).value());
    stores.push_back(owned.back().get());
  }
  return DecodeStores(stores, options_.engine.clock->NowSeconds(), out);
}

Status Database::ReadSchemaFromEngine(StoredSchema* out) const {
  std::vector<std::shared_ptr<ColumnFamilyStore>> owned;
  std::vector<const ColumnFamilyStore*> stores;
  for (const TableMetadata& t : SchemaAndLocalTables()) {
    owned.push_back(engine_->GetTable(t.id));
    if (owned.back() == nullptr) return Status::NotFound("system table " + t.name);
    stores.push_back(owned.back().get());
  }
  return DecodeStores(stores, options_.engine.clock->NowSeconds(), out);
}

Status Database::CheckIdentity(const LocalState& local) const {
  if (local.cluster_name != options_.cluster_name) {
    return Status::InvalidArgument("Saved cluster name " + local.cluster_name +
                                   " != configured name " + options_.cluster_name);
  }
  if (local.partitioner != partitioner_->Name()) {
    return Status::InvalidArgument("Cannot start node with partitioner " +
                                   std::string(partitioner_->Name()) +
                                   ": its data was written with " + local.partitioner);
  }
  return Status::OK();
}

Result<std::unique_ptr<Database>> Database::Open(DatabaseOptions options) {
  if (options.legacy_system_file.empty()) {
    std::filesystem::path data(options.engine.data_directory);
    options.legacy_system_file = (data.parent_path() / "system" / "schema.cairn").string();
    if (data.parent_path().empty()) options.legacy_system_file = "system/schema.cairn";
  }
  CAIRN_ASSIGN_OR_RETURN(auto partitioner, ring::Partitioner::ByName(options.partitioner));
  options.engine.partitioner = std::string(partitioner->Name());
  std::unique_ptr<Database> db(new Database(std::move(options)));
  db->partitioner_ = partitioner;
  const DatabaseOptions& opts = db->options_;

  // 1. The schema as the system tables' SSTables hold it.
  StoredSchema stored;
  CAIRN_RETURN_IF_ERROR(db->ReadSchemaFromDisk(&stored));
  bool migrate = false;
  if (!stored.has_local && stored.schema.keyspaces.empty()) {
    LegacySystemFile legacy(opts.legacy_system_file);
    Status st = legacy.Load(&stored.local, &stored.schema);
    if (st.ok()) {
      stored.has_local = migrate = true;
      for (auto& [name, ks] : stored.schema.keyspaces) SortTables(&ks);
      CAIRN_LOG(INFO) << "migrating the schema from " << legacy.path() << " to system tables";
    } else if (!st.IsNotFound()) {
      return st;
    }
  }
  if (stored.has_local) CAIRN_RETURN_IF_ERROR(db->CheckIdentity(stored.local));

  // 2. The engine with every table, replaying the commit log.
  std::vector<TableMetadata> tables = SystemTables();
  for (const auto& [name, ks] : stored.schema.keyspaces) {
    for (const TableSchema& t : ks.tables) tables.push_back(t.metadata);
  }
  auto raw = partitioner.get();
  CAIRN_ASSIGN_OR_RETURN(db->engine_,
                         StorageEngine::Open(opts.engine, std::move(tables),
                                             [raw](std::string_view key) {
                                               return raw->Decorate(key);
                                             }));

  // 3. The schema again, with whatever replay added.
  StoredSchema current;
  if (migrate) {
    current = std::move(stored);
  } else {
    CAIRN_RETURN_IF_ERROR(db->ReadSchemaFromEngine(&current));
  }
  db->last_timestamp_ = current.max_timestamp;
  db->local_ = current.local;
  auto schema = std::make_shared<Schema>(std::move(current.schema));
  std::vector<Mutation> writes;
  if (!current.has_local) {
    // 4. A new node: choose its identity and tokens.
    db->local_.cluster_name = opts.cluster_name;
    db->local_.host_id = NewUuidString();
    db->local_.partitioner = std::string(partitioner->Name());
    std::set<Token> tokens;
    if (!opts.initial_tokens.empty()) {
      for (const std::string& t : opts.initial_tokens) {
        CAIRN_ASSIGN_OR_RETURN(Token token, partitioner->TokenFromString(t));
        tokens.insert(token);
      }
    } else if (opts.defer_new_tokens) {
      // The StorageService allocates them against the ring it learns from gossip.
    } else {
      int n = std::max(1, opts.num_tokens);
      while (static_cast<int>(tokens.size()) < n) tokens.insert(partitioner->GetRandomToken());
    }
    for (const Token& t : tokens) db->local_.tokens.push_back(partitioner->TokenToString(t));
    CAIRN_LOG(INFO) << "new node: host id " << db->local_.host_id << ", "
                    << db->local_.tokens.size() << " tokens";
  } else if (!stored.has_local) {
    // Identity written by a start that crashed before flushing it: check it now.
    CAIRN_RETURN_IF_ERROR(db->CheckIdentity(db->local_));
  }
  if (migrate || !current.has_local) {
    std::lock_guard lock(db->schema_mu_);
    writes.push_back(LocalStateMutation(db->local_, db->NextTimestamp()));
    if (migrate) {
      for (const auto& [name, ks] : schema->keyspaces) {
        writes.push_back(KeyspaceMutation(ks, /*with_tables=*/true, db->NextTimestamp()));
      }
    }
    CAIRN_RETURN_IF_ERROR(db->Publish(schema, std::move(writes)));
    if (migrate) {
      std::error_code ec;
      std::filesystem::rename(opts.legacy_system_file, opts.legacy_system_file + ".migrated", ec);
      if (ec) {
        CAIRN_LOG(WARN) << "could not rename " << opts.legacy_system_file << ": " << ec.message();
      }
    }
  } else {
    schema->version = SchemaVersion(*schema);
    std::lock_guard lock(db->snapshot_mu_);
    db->schema_ = schema;
  }
  for (const std::string& t : db->local_.tokens) {
    CAIRN_ASSIGN_OR_RETURN(Token token, partitioner->TokenFromString(t));
    db->tokens_.push_back(std::move(token));
  }
  std::sort(db->tokens_.begin(), db->tokens_.end());
  CAIRN_RETURN_IF_ERROR(db->ReadSavedGeneration());
  CAIRN_RETURN_IF_ERROR(db->ReconcileEngineTables());
  // 5. The saved peers, as the replayed commit log left them.
  CAIRN_RETURN_IF_ERROR(db->ReadPeers());
  CAIRN_LOG(INFO) << "schema version " << db->schema()->version << " ("
                  << db->schema()->keyspaces.size() << " keyspaces) from the system tables";
  return db;
}

Status Database::ReconcileEngineTables() {
  auto schema = this->schema();
  std::set<TableId> wanted;
  for (const TableMetadata& t : SystemTables()) wanted.insert(t.id);
  for (const auto& [name, ks] : schema->keyspaces) {
    for (const TableSchema& t : ks.tables) wanted.insert(t.metadata.id);
  }
  // A schema change replayed from the commit log (never acknowledged) may have dropped
  // or replaced tables the engine opened, and created others.
  for (const auto& cfs : engine_->Tables()) {
    if (wanted.count(cfs->metadata().id) > 0) continue;
    TableMetadata gone = cfs->metadata();
    CAIRN_LOG(INFO) << "closing " << gone.keyspace << "." << gone.name
                    << ": dropped by a replayed schema change";
    engine_->DropTable(gone.id).IgnoreError();  // present: just listed
    RemoveTableFiles(gone);
  }
  for (const auto& [name, ks] : schema->keyspaces) {
    for (const TableSchema& t : ks.tables) {
      if (engine_->GetTable(t.metadata.id) != nullptr) continue;
      CAIRN_LOG(INFO) << "opening " << t.metadata.keyspace << "." << t.metadata.name
                      << ": created by a replayed schema change";
      CAIRN_RETURN_IF_ERROR(engine_->AddTable(t.metadata));
    }
  }
  return Status::OK();
}

std::shared_ptr<const Schema> Database::schema() const {
  std::lock_guard lock(snapshot_mu_);
  return schema_;
}

std::shared_ptr<Schema> Database::CopySchema() const {
  return std::make_shared<Schema>(*schema());
}

int64_t Database::NextTimestamp() {
  last_timestamp_ = std::max(last_timestamp_ + 1, options_.engine.clock->NowMicros());
  return last_timestamp_;
}

Status Database::Publish(std::shared_ptr<Schema> next, std::vector<Mutation> mutations) {
  for (Mutation& m : mutations) CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(m)));
  // Cassandra's SchemaKeyspace.flush(): the next startup reads the schema from SSTables
  // before it replays the commit log, so a change is acknowledged only once flushed.
  for (const TableMetadata& t : SchemaAndLocalTables()) {
    CAIRN_RETURN_IF_ERROR(engine_->Flush(t.id));
  }
  for (auto& [name, ks] : next->keyspaces) SortTables(&ks);
  next->version = SchemaVersion(*next);
  std::lock_guard lock(snapshot_mu_);
  schema_ = std::move(next);
  return Status::OK();
}

Status Database::PrepareTable(TableSchema* table) const {
  CAIRN_RETURN_IF_ERROR(ValidateTable(*table));
  const AbstractType* names_type = table->is_super && table->subcomparator
                                       ? table->subcomparator.get()
                                       : table->metadata.comparator.get();
  std::set<std::string, TypeLess> names(TypeLess{names_type});
  for (const ColumnDefinition& c : table->column_metadata) {
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("Duplicate column names in column_metadata");
    }
  }
  return Status::OK();
}

void Database::RemoveTableFiles(const TableMetadata& table) const {
  std::filesystem::path dir = std::filesystem::path(options_.engine.data_directory) /
                              table.keyspace / table.DirectoryName();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) CAIRN_LOG(WARN) << "could not remove " << dir.string() << ": " << ec.message();
}

Result<std::string> Database::AddKeyspace(KeyspaceSchema ks) {
  std::lock_guard lock(schema_mu_);
  if (IsSystemKeyspace(ks.name)) {
    return Status::InvalidArgument(ks.name + " keyspace is not user-modifiable");
  }
  auto next = CopySchema();
  for (const auto& [name, existing] : next->keyspaces) {
    if (EqualsIgnoreCase(name, ks.name)) {
      return Status::InvalidArgument("Keyspace names must be case-insensitively unique (\"" +
                                     ks.name + "\" conflicts with \"" + name + "\")");
    }
  }
  if (!IsValidSchemaName(ks.name)) return Status::InvalidArgument(KeyspaceNameError(ks.name));
  CAIRN_ASSIGN_OR_RETURN(ks.strategy_class, ResolveStrategyClass(ks.strategy_class));
  CAIRN_RETURN_IF_ERROR(ValidateReplication(ks));
  std::set<std::string> seen;
  for (TableSchema& t : ks.tables) {
    t.metadata.keyspace = ks.name;
    t.metadata.id = NewTableId();
    CAIRN_RETURN_IF_ERROR(PrepareTable(&t));
    if (!seen.insert(t.metadata.name).second) {
      return Status::InvalidArgument("Cannot add already existing table \"" + t.metadata.name +
                                     "\" to keyspace \"" + ks.name + "\"");
    }
  }
  std::vector<TableMetadata> added;
  for (const TableSchema& t : ks.tables) added.push_back(t.metadata);
  std::string name = ks.name;
  Mutation write = KeyspaceMutation(ks, /*with_tables=*/true, NextTimestamp());
  next->keyspaces.emplace(name, std::move(ks));
  CAIRN_RETURN_IF_ERROR(Publish(next, {std::move(write)}));
  for (TableMetadata& m : added) CAIRN_RETURN_IF_ERROR(engine_->AddTable(std::move(m)));
  CAIRN_LOG(INFO) << "created keyspace " << name << " (schema version " << next->version << ")";
  return next->version;
}

Result<std::string> Database::UpdateKeyspace(KeyspaceSchema ks) {
  std::lock_guard lock(schema_mu_);
  if (IsSystemKeyspace(ks.name)) {
    return Status::InvalidArgument(ks.name + " keyspace is not user-modifiable");
  }
  auto next = CopySchema();
  auto it = next->keyspaces.find(ks.name);
  if (it == next->keyspaces.end()) {
    return Status::InvalidArgument("Keyspace " + ks.name + " does not exist");
  }
  CAIRN_ASSIGN_OR_RETURN(ks.strategy_class, ResolveStrategyClass(ks.strategy_class));
  CAIRN_RETURN_IF_ERROR(ValidateReplication(ks));
  it->second.strategy_class = ks.strategy_class;
  it->second.strategy_options = ks.strategy_options;
  it->second.durable_writes = ks.durable_writes;
  Mutation write = KeyspaceMutation(it->second, /*with_tables=*/false, NextTimestamp());
  CAIRN_RETURN_IF_ERROR(Publish(next, {std::move(write)}));
  CAIRN_LOG(INFO) << "updated keyspace " << ks.name << " (schema version " << next->version
                  << ")";
  return next->version;
}

Result<std::string> Database::DropKeyspace(const std::string& name) {
  std::lock_guard lock(schema_mu_);
  if (IsSystemKeyspace(name)) {
    return Status::InvalidArgument(name + " keyspace is not user-modifiable");
  }
  auto next = CopySchema();
  auto it = next->keyspaces.find(name);
  if (it == next->keyspaces.end()) {
    return Status::InvalidArgument("Cannot drop non existing keyspace '" + name + "'.");
  }
  std::vector<TableMetadata> dropped;
  for (const TableSchema& t : it->second.tables) dropped.push_back(t.metadata);
  next->keyspaces.erase(it);
  CAIRN_RETURN_IF_ERROR(Publish(
      next, {DropKeyspaceMutation(name, NextTimestamp(), options_.engine.clock->NowSeconds())}));
  for (const TableMetadata& m : dropped) {
    engine_->DropTable(m.id).IgnoreError();  // absent only if never opened
    RemoveTableFiles(m);
  }
  std::error_code ec;
  std::filesystem::remove(std::filesystem::path(options_.engine.data_directory) / name, ec);
  CAIRN_LOG(INFO) << "dropped keyspace " << name << " (schema version " << next->version << ")";
  return next->version;
}

Result<std::string> Database::AddTable(TableSchema table) {
  std::lock_guard lock(schema_mu_);
  const std::string ks_name = table.metadata.keyspace;
  const std::string cf_name = table.metadata.name;
  auto next = CopySchema();
  auto it = next->keyspaces.find(ks_name);
  if (IsSystemKeyspace(ks_name)) {
    return Status::InvalidArgument(ks_name + " keyspace is not user-modifiable");
  }
  if (it == next->keyspaces.end()) {
    if (!IsValidSchemaName(ks_name)) return Status::InvalidArgument(KeyspaceNameError(ks_name));
    return Status::InvalidArgument("Cannot add table '" + cf_name + "' to non existing keyspace '" +
                                   ks_name + "'.");
  }
  table.metadata.id = NewTableId();
  CAIRN_RETURN_IF_ERROR(PrepareTable(&table));
  if (it->second.FindTable(cf_name) != nullptr) {
    return Status::InvalidArgument("Cannot add already existing table \"" + cf_name +
                                   "\" to keyspace \"" + ks_name + "\"");
  }
  TableMetadata metadata = table.metadata;
  Mutation write = TableMutation(table, NextTimestamp());
  it->second.tables.push_back(std::move(table));
  CAIRN_RETURN_IF_ERROR(Publish(next, {std::move(write)}));
  CAIRN_RETURN_IF_ERROR(engine_->AddTable(std::move(metadata)));
  CAIRN_LOG(INFO) << "created column family " << ks_name << "." << cf_name
                  << " (schema version " << next->version << ")";
  return next->version;
}

Result<std::string> Database::UpdateTable(TableSchema table) {
  std::lock_guard lock(schema_mu_);
  const std::string ks_name = table.metadata.keyspace;
  const std::string cf_name = table.metadata.name;
  if (IsSystemKeyspace(ks_name)) {
    return Status::InvalidArgument(ks_name + " keyspace is not user-modifiable");
  }
  auto next = CopySchema();
  auto it = next->keyspaces.find(ks_name);
  TableSchema* old = nullptr;
  if (it != next->keyspaces.end()) {
    for (TableSchema& t : it->second.tables) {
      if (t.metadata.name == cf_name) old = &t;
    }
  }
  if (old == nullptr) return Status::InvalidArgument("Could not find table definition to modify.");
  if (old->metadata.comparator->Name() != table.metadata.comparator->Name()) {
    return Status::InvalidArgument(
        "Column family comparators do not match or are not compatible (found " +
        table.metadata.comparator->Name() + "; expected " + old->metadata.comparator->Name() +
        ").");
  }
  if (old->is_super != table.is_super) {
    return Status::InvalidArgument(std::string("Column family types do not match (found ") +
                                   (table.is_super ? "Super" : "Standard") + "; expected " +
                                   (old->is_super ? "Super" : "Standard") + ").");
  }
  table.metadata.id = old->metadata.id;
  CAIRN_RETURN_IF_ERROR(PrepareTable(&table));
  *old = std::move(table);
  CAIRN_RETURN_IF_ERROR(Publish(next, {TableMutation(*old, NextTimestamp())}));
  // The open table picks up gc_grace, compaction thresholds and the bloom filter chance
  // at once (the default TTL is applied from the schema by the write path).
  Status applied = engine_->UpdateTable(old->metadata);
  if (!applied.ok()) {
    CAIRN_LOG(WARN) << "table options of " << ks_name << "." << cf_name
                    << " apply from the next restart: " << applied.ToString();
  }
  CAIRN_LOG(INFO) << "updated column family " << ks_name << "." << cf_name
                  << " (schema version " << next->version << ")";
  return next->version;
}

Result<std::string> Database::DropTable(const std::string& keyspace, const std::string& name) {
  std::lock_guard lock(schema_mu_);
  if (IsSystemKeyspace(keyspace)) {
    return Status::InvalidArgument(keyspace + " keyspace is not user-modifiable");
  }
  auto next = CopySchema();
  auto it = next->keyspaces.find(keyspace);
  if (it == next->keyspaces.end()) {
    return Status::InvalidArgument("Keyspace " + keyspace + " does not exist");
  }
  auto& tables = it->second.tables;
  auto t = std::find_if(tables.begin(), tables.end(),
                        [&](const TableSchema& s) { return s.metadata.name == name; });
  if (t == tables.end()) return Status::InvalidArgument("unconfigured table " + name);
  TableMetadata dropped = t->metadata;
  tables.erase(t);
  CAIRN_RETURN_IF_ERROR(Publish(
      next, {DropTableMutation(keyspace, name, NextTimestamp(),
                               options_.engine.clock->NowSeconds())}));
  engine_->DropTable(dropped.id).IgnoreError();  // absent only if never opened
  RemoveTableFiles(dropped);
  CAIRN_LOG(INFO) << "dropped column family " << keyspace << "." << name << " (schema version "
                  << next->version << ")";
  return next->version;
}

Status Database::Truncate(const std::string& keyspace, const std::string& name,
                          const TableId& new_id) {
  std::lock_guard lock(schema_mu_);
  auto next = CopySchema();
  auto it = next->keyspaces.find(keyspace);
  TableSchema* table = nullptr;
  if (it != next->keyspaces.end()) {
    for (TableSchema& t : it->second.tables) {
      if (t.metadata.name == name) table = &t;
    }
  }
  if (table == nullptr) return Status::InvalidArgument("unconfigured table " + name);
  if (!new_id.empty() && table->metadata.id == new_id) return Status::OK();
  // A fresh id: the old SSTables and commit log records belong to a table that no
  // longer exists, so neither reads nor replay can see them again. The new id is made
  // durable first; only then does the engine swap the stores (atomically, so a failure
  // leaves the old store and its unflushed writes in place).
  auto previous = CopySchema();
  TableMetadata old = table->metadata;
  table->metadata.id = new_id.empty() ? NewTableId() : new_id;
  TableMetadata fresh = table->metadata;
  CAIRN_RETURN_IF_ERROR(Publish(next, {TableMutation(*table, NextTimestamp())}));
  Status st = engine_->ReplaceTable(old.id, fresh);
  if (!st.ok()) {
    // Put the old id back in the system tables; the data was never touched.
    const TableSchema* undo = previous->FindTable(keyspace, name);
    Status undone = Publish(previous, {TableMutation(*undo, NextTimestamp())});
    if (!undone.ok()) {
      CAIRN_LOG(ERROR) << "truncate of " << keyspace << "." << name
                       << " failed and could not be undone: " << undone.ToString();
    }
    return st;
  }
  RemoveTableFiles(old);
  CAIRN_LOG(INFO) << "truncated " << keyspace << "." << name;
  return Status::OK();
}

Status Database::Apply(Mutation mutation) { return engine_->Apply(std::move(mutation)); }
void Database::ApplyAsync(Mutation mutation, StorageEngine::WriteCallback done) {
  engine_->ApplyAsync(std::move(mutation), std::move(done));
}

std::shared_ptr<ColumnFamilyStore> Database::Store(const TableId& id) const {
  return engine_->GetTable(id);
}

Status Database::Drain() { return engine_->Drain(); }

std::vector<Token> Database::tokens() const {
  std::lock_guard lock(snapshot_mu_);
  return tokens_;
}

namespace {
constexpr std::string_view kGenerationCell = "gossip_generation";
// Cells SaveLocalCell may write: their names start with this (bootstrap_state, ...).
constexpr std::string_view kMembershipCellPrefix = "bootstrap_";
}  // namespace

std::optional<std::string> Database::GetLocalCell(std::string_view name) const {
  std::lock_guard snap(snapshot_mu_);
  auto it = local_cells_.find(name);
  if (it == local_cells_.end()) return std::nullopt;
  return it->second;
}

Status Database::SaveLocalCell(std::string_view name, std::string value) {
  if (!name.starts_with(kMembershipCellPrefix)) {
    return Status::InvalidArgument("system.local: '" + std::string(name) +
                                   "' is not a membership cell");
  }
  std::lock_guard lock(schema_mu_);
  Mutation m;
  m.keyspace = SystemLocalTable().keyspace;
  m.key = "local";
  PartitionUpdate update;
  update.cells.push_back(Cell::Live(std::string(name), value, NextTimestamp()));
  m.updates.push_back({SystemLocalTable().id, std::move(update)});
  CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(m)));
  CAIRN_RETURN_IF_ERROR(engine_->Flush(SystemLocalTable().id));
  std::lock_guard snap(snapshot_mu_);
  local_cells_[std::string(name)] = std::move(value);
  return Status::OK();
}

Status Database::ReadSavedGeneration() {
  auto store = engine_->GetTable(SystemLocalTable().id);
  if (store == nullptr) return Status::NotFound("system table local");
  SystemTableContent content;
  CAIRN_RETURN_IF_ERROR(ReadSystemTable(*store, options_.engine.clock->NowSeconds(), &content));
  for (const auto& [key, cells] : content.partitions) {
    for (const Cell& c : cells) {
      if (c.name.starts_with(kMembershipCellPrefix)) {
        std::lock_guard snap(snapshot_mu_);
        local_cells_[c.name] = c.value;
        continue;
      }
      if (c.name != kGenerationCell) continue;
      int32_t g = 0;
      auto [p, ec] = std::from_chars(c.value.data(), c.value.data() + c.value.size(), g);
      if (ec != std::errc() || p != c.value.data() + c.value.size()) {
        return Status::Corruption("system.local: cell gossip_generation is not a number");
      }
      saved_generation_ = g;
    }
  }
  return Status::OK();
}

Status Database::SetTokens(const std::vector<std::string>& tokens) {
  std::vector<Token> parsed;
  for (const std::string& t : tokens) {
    CAIRN_ASSIGN_OR_RETURN(Token token, partitioner_->TokenFromString(t));
    parsed.push_back(std::move(token));
  }
  std::sort(parsed.begin(), parsed.end());
  std::lock_guard lock(schema_mu_);
  LocalState next = local_;
  next.tokens = tokens;
  CAIRN_RETURN_IF_ERROR(engine_->Apply(LocalStateMutation(next, NextTimestamp())));
  CAIRN_RETURN_IF_ERROR(engine_->Flush(SystemLocalTable().id));
  std::lock_guard snap(snapshot_mu_);
  local_ = std::move(next);
  tokens_ = std::move(parsed);
  return Status::OK();
}

Status Database::SaveGossipGeneration(int32_t generation) {
  std::lock_guard lock(schema_mu_);
  Mutation m;
  m.keyspace = SystemLocalTable().keyspace;
  m.key = "local";
  PartitionUpdate update;
  update.cells.push_back(
      Cell::Live(std::string(kGenerationCell), std::to_string(generation), NextTimestamp()));
  m.updates.push_back({SystemLocalTable().id, std::move(update)});
  CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(m)));
  CAIRN_RETURN_IF_ERROR(engine_->Flush(SystemLocalTable().id));
  saved_generation_ = generation;
  return Status::OK();
}

Status Database::ReadPeers() {
  auto store = engine_->GetTable(SystemPeersTable().id);
  if (store == nullptr) return Status::NotFound("system table peers");
  SystemTableContent content;
  Status st = ReadSystemTable(*store, options_.engine.clock->NowSeconds(), &content);
  if (!st.ok()) return Status::Corruption("cannot read system.peers: " + st.ToString());
  std::map<std::string, PeerInfo> peers;
  CAIRN_RETURN_IF_ERROR(DecodePeers(content, &peers));
  std::lock_guard lock(peers_mu_);
  peers_ = std::move(peers);
  last_peer_timestamp_ = content.max_timestamp;
  return Status::OK();
}

int64_t Database::NextPeerTimestamp() {
  last_peer_timestamp_ = std::max(last_peer_timestamp_ + 1, options_.engine.clock->NowMicros());
  return last_peer_timestamp_;
}

std::map<std::string, PeerInfo> Database::peers() const {
  std::lock_guard lock(peers_mu_);
  return peers_;
}

Result<bool> Database::SavePeer(const PeerInfo& peer) {
  if (peer.endpoint.empty()) return Status::InvalidArgument("a peer without an endpoint");
  std::lock_guard lock(peers_mu_);
  auto it = peers_.find(peer.endpoint);
  if (it != peers_.end() && it->second == peer) return false;
  CAIRN_RETURN_IF_ERROR(engine_->Apply(PeerMutation(peer, NextPeerTimestamp())));
  peers_[peer.endpoint] = peer;
  return true;
}

Result<bool> Database::RemovePeer(const std::string& endpoint) {
  std::lock_guard lock(peers_mu_);
  if (peers_.count(endpoint) == 0) return false;
  CAIRN_RETURN_IF_ERROR(engine_->Apply(
      RemovePeerMutation(endpoint, NextPeerTimestamp(), options_.engine.clock->NowSeconds())));
  peers_.erase(endpoint);
  return true;
}

Result<std::vector<std::string>> Database::SchemaMutations() const {
  std::vector<std::string> out;
  for (const TableMetadata& t : {SchemaKeyspacesTable(), SchemaTablesTable()}) {
    auto store = engine_->GetTable(t.id);
    if (store == nullptr) return Status::NotFound("system table " + t.name);
    auto it = store->NewScanIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Mutation m;
      m.keyspace = t.keyspace;
      m.key = it->key().key;
      m.updates.push_back({t.id, it->partition()});
      out.emplace_back();
      m.EncodeTo(&out.back());
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  return out;
}

Result<bool> Database::MergeSchemaMutations(const std::vector<std::string>& encoded) {
  const TableId keyspaces_id = SchemaKeyspacesTable().id, tables_id = SchemaTablesTable().id;
  std::vector<Mutation> mutations;
  for (const std::string& e : encoded) {
    Mutation m;
    CAIRN_RETURN_IF_ERROR(Mutation::Decode(e, &m));
    for (const Mutation::Update& u : m.updates) {
      if (u.table_id != keyspaces_id && u.table_id != tables_id) {
        return Status::InvalidArgument("schema pull: a mutation for a non-schema table");
      }
    }
    mutations.push_back(std::move(m));
  }
  std::lock_guard lock(schema_mu_);
  const std::string before = schema()->version;
  for (Mutation& m : mutations) CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(m)));
  // Flushed before anything is acknowledged, as for a local change (Publish).
  for (const TableMetadata& t : SchemaAndLocalTables()) {
    CAIRN_RETURN_IF_ERROR(engine_->Flush(t.id));
  }
  StoredSchema current;
  CAIRN_RETURN_IF_ERROR(ReadSchemaFromEngine(&current));
  last_timestamp_ = std::max(last_timestamp_, current.max_timestamp);
  auto next = std::make_shared<Schema>(std::move(current.schema));
  for (auto& [name, ks] : next->keyspaces) SortTables(&ks);
  next->version = SchemaVersion(*next);
  if (next->version == before) return false;
  // Tables the merge adds are opened before the schema naming them is published, so a
  // node never lists a table it would refuse writes for; tables it drops are closed
  // after (ReconcileEngineTables).
  for (const auto& [name, ks] : next->keyspaces) {
    for (const TableSchema& t : ks.tables) {
      if (engine_->GetTable(t.metadata.id) != nullptr) continue;
      // A table renamed to a new id (truncate) is swapped by ReconcileEngineTables.
      if (engine_->GetTable(t.metadata.keyspace, t.metadata.name) != nullptr) continue;
      CAIRN_RETURN_IF_ERROR(engine_->AddTable(t.metadata));
    }
  }
  {
    std::lock_guard snap(snapshot_mu_);
    schema_ = next;
  }
  CAIRN_RETURN_IF_ERROR(ReconcileEngineTables());
  CAIRN_LOG(INFO) << "merged a peer's schema: version " << before << " -> " << next->version
                  << " (" << next->keyspaces.size() << " keyspaces)";
  return true;
}

Status Database::Close() {
  if (engine_ == nullptr) return Status::OK();
  return engine_->Close();
}

}  // namespace cairn::node
