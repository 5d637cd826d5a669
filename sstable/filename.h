// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Names of SSTable component files, and the directory-level operations the store needs
// at startup: list the complete generations, remove what a crash left behind.
//
// A generation G in directory D is the set of files
//   D/cairn-G-Data.db, -Index.db, -Summary.db, -Filter.db, -Statistics.db, -TOC.txt
// (G in decimal, no padding). While being written each file carries the suffix ".tmp".
// The TOC is renamed into place last, so a generation is complete iff its TOC exists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::sstable {

enum class Component : uint8_t { kData, kIndex, kSummary, kFilter, kStatistics, kTOC };

// Every component, the TOC last (the order the writer renames them in).
inline constexpr Component kAllComponents[] = {Component::kData,    Component::kIndex,
                                               Component::kSummary, Component::kFilter,
                                               Component::kStatistics, Component::kTOC};

// "Data.db", "Index.db", "Summary.db", "Filter.db", "Statistics.db", "TOC.txt".
std::string_view ComponentName(Component c);

// "cairn-<generation>-<ComponentName>" (no directory).
std::string ComponentFileName(uint64_t generation, Component c);
// dir + "/" + ComponentFileName(...), plus ".tmp" when `temporary`.
std::string ComponentPath(std::string_view dir, uint64_t generation, Component c,
                          bool temporary = false);

// Parses a file name (no directory). Returns false for names that are not SSTable
// components. `temporary` is set when the name ends with ".tmp".
bool ParseComponentFileName(std::string_view name, uint64_t* generation, Component* c,
                            bool* temporary);

// The generations in `dir` whose TOC exists (complete SSTables), ascending.
Result<std::vector<uint64_t>> ListGenerations(const std::string& dir);

// Removes every ".tmp" component and every component of a generation without a TOC
// (an SSTable whose writer crashed, or whose deletion was interrupted). The store calls
// this at startup, before opening any SSTable and before any writer runs in `dir`.
// Returns the number of files removed through *removed when non-null.
Status RemoveIncompleteSSTables(const std::string& dir, size_t* removed = nullptr);

// Deletes the components of one generation, TOC first (so a crash midway leaves an
// incomplete generation that RemoveIncompleteSSTables will finish off). Missing files
// are not an error.
Status DeleteSSTableFiles(const std::string& dir, uint64_t generation);

}  // namespace cairn::sstable
