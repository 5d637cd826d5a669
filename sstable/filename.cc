// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/filename.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "sstable/format.h"

namespace cairn::sstable {

namespace fs = std::filesystem;

std::string_view ComponentName(Component c) {
  switch (c) {
    case Component::kData: return "Data.db";
    case Component::kIndex: return "Index.db";
    case Component::kSummary: return "Summary.db";
    case Component::kFilter: return "Filter.db";
    case Component::kStatistics: return "Statistics.db";
    case Component::kTOC: return "TOC.txt";
  }
  return "";
}

std::string ComponentFileName(uint64_t generation, Component c) {
  return "cairn-" + std::to_string(generation) + "-" + std::string(ComponentName(c));
}

std::string ComponentPath(std::string_view dir, uint64_t generation, Component c,
                          bool temporary) {
  std::string p(dir);
  if (!p.empty() && p.back() != '/') p += '/';
  p += ComponentFileName(generation, c);
  if (temporary) p += ".tmp";
  return p;
}

bool ParseComponentFileName(std::string_view name, uint64_t* generation, Component* c,
                            bool* temporary) {
  constexpr std::string_view kPrefix = "cairn-";
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  *temporary = name.ends_with(".tmp");
  if (*temporary) name.remove_suffix(4);
  uint64_t gen = 0;
  size_t i = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
    if (i >= 19) return false;  // keep well inside uint64
    gen = gen * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  if (i == 0 || i >= name.size() || name[i] != '-') return false;
  std::string_view rest = name.substr(i + 1);
  for (Component comp : kAllComponents) {
    if (rest == ComponentName(comp)) {
      *generation = gen;
      *c = comp;
      return true;
    }
  }
  return false;
}

namespace {
struct DirEntry {
  std::string path;
  uint64_t generation;
  Component component;
  bool temporary;
};

Status ScanDir(const std::string& dir, std::vector<DirEntry>* out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IOError("list " + dir + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("list " + dir + ": " + ec.message());
    DirEntry e;
    std::string name = it->path().filename().string();
    if (ParseComponentFileName(name, &e.generation, &e.component, &e.temporary)) {
      e.path = it->path().string();
      out->push_back(std::move(e));
    }
  }
  if (ec) return Status::IOError("list " + dir + ": " + ec.message());
  return Status::OK();
}
}  // namespace

Result<std::vector<uint64_t>> ListGenerations(const std::string& dir) {
  std::vector<DirEntry> entries;
  CAIRN_RETURN_IF_ERROR(ScanDir(dir, &entries));
  std::set<uint64_t> gens;
  for (const DirEntry& e : entries) {
    if (e.component == Component::kTOC && !e.temporary) gens.insert(e.generation);
  }
  return std::vector<uint64_t>(gens.begin(), gens.end());
}

Status RemoveIncompleteSSTables(const std::string& dir, size_t* removed) {
  std::vector<DirEntry> entries;
  CAIRN_RETURN_IF_ERROR(ScanDir(dir, &entries));
  std::set<uint64_t> complete;
  for (const DirEntry& e : entries) {
    if (e.component == Component::kTOC && !e.temporary) complete.insert(e.generation);
  }
  size_t n = 0;
  for (const DirEntry& e : entries) {
    if (!e.temporary && complete.count(e.generation) != 0) continue;
    std::error_code ec;
    if (!fs::remove(e.path, ec) && ec) return Status::IOError("remove " + e.path + ": " + ec.message());
    ++n;
  }
  if (removed != nullptr) *removed = n;
  if (n > 0) return SyncDir(dir);
  return Status::OK();
}

Status DeleteSSTableFiles(const std::string& dir, uint64_t generation) {
  // TOC first: from then on the generation is invisible and incomplete.
  std::vector<Component> order = {Component::kTOC};
  for (Component c : kTocComponents) order.push_back(c);
  for (Component c : order) {
    for (bool tmp : {false, true}) {
      std::string p = ComponentPath(dir, generation, c, tmp);
      std::error_code ec;
      if (!fs::remove(p, ec) && ec) return Status::IOError("remove " + p + ": " + ec.message());
    }
  }
  return Status::OK();
}

}  // namespace cairn::sstable
