// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/database.h"

#include <algorithm>
#include <cctype>
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

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), store_(options_.system_file) {}

Database::~Database() { Close().IgnoreError(); }  // errors were logged by the engine

Result<std::unique_ptr<Database>> Database::Open(DatabaseOptions options) {
  if (options.system_file.empty()) {
    std::filesystem::path data(options.engine.data_directory);
    options.system_file = (data.parent_path() / "system" / "schema.cairn").string();
    if (data.parent_path().empty()) options.system_file = "system/schema.cairn";
  }
  CAIRN_ASSIGN_OR_RETURN(auto partitioner, ring::Partitioner::ByName(options.partitioner));
  options.engine.partitioner = std::string(partitioner->Name());
  std::unique_ptr<Database> db(new Database(std::move(options)));
  db->partitioner_ = partitioner;
  const DatabaseOptions& opts = db->options_;

  auto schema = std::make_shared<Schema>();
  Status st = db->store_.Load(&db->local_, schema.get());
  if (st.IsNotFound()) {
    // A new node: choose its identity and tokens, and save them before anything else.
    db->local_.cluster_name = opts.cluster_name;
    db->local_.host_id = NewUuidString();
    db->local_.partitioner = std::string(partitioner->Name());
    std::set<Token> tokens;
    if (!opts.initial_tokens.empty()) {
      for (const std::string& t : opts.initial_tokens) {
        CAIRN_ASSIGN_OR_RETURN(Token token, partitioner->TokenFromString(t));
        tokens.insert(token);
      }
    } else {
      int n = std::max(1, opts.num_tokens);
      while (static_cast<int>(tokens.size()) < n) tokens.insert(partitioner->GetRandomToken());
    }
    for (const Token& t : tokens) db->local_.tokens.push_back(partitioner->TokenToString(t));
    schema->version = NewUuidString();
    CAIRN_RETURN_IF_ERROR(db->store_.Save(db->local_, *schema));
    CAIRN_LOG(INFO) << "new node: host id " << db->local_.host_id << ", "
                    << db->local_.tokens.size() << " tokens, system file "
                    << db->store_.path();
  } else if (!st.ok()) {
    return st;
  } else {
    if (db->local_.cluster_name != opts.cluster_name) {
      return Status::InvalidArgument("Saved cluster name " + db->local_.cluster_name +
                                     " != configured name " + opts.cluster_name);
    }
    if (db->local_.partitioner != partitioner->Name()) {
      return Status::InvalidArgument("Cannot start node with partitioner " +
                                     std::string(partitioner->Name()) +
                                     ": its data was written with " + db->local_.partitioner);
    }
    CAIRN_LOG(INFO) << "loaded schema version " << schema->version << " ("
                    << schema->keyspaces.size() << " keyspaces) from " << db->store_.path();
  }
  for (const std::string& t : db->local_.tokens) {
    CAIRN_ASSIGN_OR_RETURN(Token token, partitioner->TokenFromString(t));
    db->tokens_.push_back(std::move(token));
  }
  std::sort(db->tokens_.begin(), db->tokens_.end());

  std::vector<TableMetadata> tables;
  for (const auto& [name, ks] : schema->keyspaces) {
    for (const TableSchema& t : ks.tables) tables.push_back(t.metadata);
  }
  auto raw = partitioner.get();
  CAIRN_ASSIGN_OR_RETURN(db->engine_,
                         StorageEngine::Open(opts.engine, std::move(tables),
                                             [raw](std::string_view key) {
                                               return raw->Decorate(key);
                                             }));
  db->schema_ = std::move(schema);
  return db;
}

std::shared_ptr<const Schema> Database::schema() const {
  std::lock_guard lock(snapshot_mu_);
  return schema_;
}

std::shared_ptr<Schema> Database::CopySchema() const {
  return std::make_shared<Schema>(*schema());
}

Status Database::Publish(std::shared_ptr<Schema> next) {
  next->version = NewUuidString();
  CAIRN_RETURN_IF_ERROR(store_.Save(local_, *next));
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
  next->keyspaces.emplace(name, std::move(ks));
  CAIRN_RETURN_IF_ERROR(Publish(next));
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
  CAIRN_RETURN_IF_ERROR(Publish(next));
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
  CAIRN_RETURN_IF_ERROR(Publish(next));
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
  it->second.tables.push_back(std::move(table));
  CAIRN_RETURN_IF_ERROR(Publish(next));
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
  CAIRN_RETURN_IF_ERROR(Publish(next));
  // The engine keeps the metadata it opened the table with; the storage-relevant
  // options that can change (gc_grace, TTL, thresholds) apply from the next restart.
  // TODO(thrift): ask the engine for an UpdateTable to apply them at once.
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
  CAIRN_RETURN_IF_ERROR(Publish(next));
  engine_->DropTable(dropped.id).IgnoreError();  // absent only if never opened
  RemoveTableFiles(dropped);
  CAIRN_LOG(INFO) << "dropped column family " << keyspace << "." << name << " (schema version "
                  << next->version << ")";
  return next->version;
}

Status Database::Truncate(const std::string& keyspace, const std::string& name) {
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
  // A fresh id: the old SSTables and commit log records belong to a table that no
  // longer exists, so neither reads nor replay can see them again.
  TableMetadata old = table->metadata;
  table->metadata.id = NewTableId();
  TableMetadata fresh = table->metadata;
  // The engine knows a table by name too, so the old store goes first. On failure the
  // old store is reopened: the schema on disk still names it.
  engine_->DropTable(old.id).IgnoreError();  // absent only if never opened
  Status st = engine_->AddTable(fresh);
  if (st.ok()) {
    st = Publish(next);
    if (!st.ok()) engine_->DropTable(fresh.id).IgnoreError();  // being undone
  }
  if (!st.ok()) {
    Status reopened = engine_->AddTable(old);
    if (!reopened.ok()) CAIRN_LOG(ERROR) << "cannot reopen " << name << ": " << reopened.ToString();
    return st;
  }
  RemoveTableFiles(old);
  CAIRN_LOG(INFO) << "truncated " << keyspace << "." << name;
  return Status::OK();
}

Status Database::Apply(Mutation mutation) { return engine_->Apply(std::move(mutation)); }

std::shared_ptr<ColumnFamilyStore> Database::Store(const TableId& id) const {
  return engine_->GetTable(id);
}

Status Database::Drain() { return engine_->Drain(); }

Status Database::Close() {
  if (engine_ == nullptr) return Status::OK();
  return engine_->Close();
}

}  // namespace cairn::node
