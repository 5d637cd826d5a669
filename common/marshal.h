// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Comparators and validators (Cassandra's org.apache.cassandra.db.marshal types).
//
// A column family's comparator orders cell names; its validators check values and keys.
// Each type validates raw bytes and orders them exactly as Cassandra does, so slices,
// counts and paging give the same answers as on Cassandra for the same data.
//
// Supported: BytesType, AsciiType, UTF8Type, LongType, Int32Type, IntegerType,
// UUIDType, TimeUUIDType, LexicalUUIDType, BooleanType, DoubleType, FloatType, DateType,
// TimestampType, CounterColumnType, CompositeType(...), ReversedType(...), each by short
// name or by full `org.apache.cassandra.db.marshal.` name.
//
// Types are immutable and thread-safe after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

class AbstractType {
 public:
  virtual ~AbstractType() = default;

  // The name Cassandra reports for this type, fully qualified, e.g.
  // "org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db.marshal.UTF8Type,...)".
  virtual std::string Name() const = 0;

  // <0, 0, >0 as a orders before, equal to, or after b. An empty value orders before
  // every non-empty value (Cassandra's convention; also for ReversedType, whose empty
  // value still means "unbounded" in slices). Both inputs are assumed valid.
  virtual int Compare(std::string_view a, std::string_view b) const = 0;

  // OK when the bytes are a valid value of this type; InvalidArgument naming the
  // problem otherwise (e.g. "Expected 8 or 0 byte long (7)").
  virtual Status Validate(std::string_view bytes) const = 0;

  // A human-readable rendering, for tools (sstabledump, the CLI).
  virtual std::string ToString(std::string_view bytes) const = 0;

  // True when Compare is plain unsigned byte order (lets callers use memcmp).
  virtual bool IsByteOrder() const { return false; }
  // True for ReversedType(...).
  virtual bool IsReversed() const { return false; }
  // True for CounterColumnType.
  virtual bool IsCounter() const { return false; }
};

using TypePtr = std::shared_ptr<const AbstractType>;

// Parses a type name such as "UTF8Type", "org.apache.cassandra.db.marshal.LongType" or
// "CompositeType(UTF8Type,ReversedType(LongType))". Unknown names give InvalidArgument.
Result<TypePtr> ParseType(std::string_view name);

// The BytesType singleton (the default comparator and validator).
TypePtr BytesTypeInstance();

// Adapts a type to the std::less shape for ordered containers.
struct TypeLess {
  const AbstractType* type;
  bool operator()(std::string_view a, std::string_view b) const {
    return type->Compare(a, b) < 0;
  }
};

}  // namespace cairn
