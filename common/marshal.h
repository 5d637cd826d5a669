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
// Orderings worth knowing (all copied from Cassandra, quirks included):
//   - the empty value sorts first for every type, ReversedType included;
//   - DateType compares unsigned bytes, so pre-1970 dates sort after post-1970 ones;
//     TimestampType (its replacement) compares signed longs;
//   - UUIDType orders by version, then time (version 1) or unsigned msb, then unsigned
//     lsb; TimeUUIDType breaks timestamp ties with a *signed* byte compare of the lsb
//     (CASSANDRA-8730); LexicalUUIDType is java.util.UUID.compareTo (signed msb, lsb);
//   - DoubleType/FloatType follow Java's Double.compare: -0.0 < 0.0, NaN after +inf;
//   - CompositeType compares component by component, then by the end-of-component
//     byte (-1 < 0 < 1), then a prefix before its extensions.
//
// Types are immutable and thread-safe after construction.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

class AbstractType;
using TypePtr = std::shared_ptr<const AbstractType>;

class AbstractType {
 public:
  virtual ~AbstractType() = default;

  // The name Cassandra reports for this type, fully qualified, e.g.
  // "org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db.marshal.UTF8Type,...)".
  virtual std::string Name() const = 0;

  // <0, 0, >0 as a orders before, equal to, or after b. An empty value orders before
  // every non-empty value (Cassandra's convention; also for ReversedType, whose empty
  // value still means "unbounded" in slices). Both inputs are assumed valid; invalid
  // inputs give some deterministic order and never read out of bounds.
  virtual int Compare(std::string_view a, std::string_view b) const = 0;

  // OK when the bytes are a valid value of this type; InvalidArgument naming the
  // problem otherwise, with Cassandra's MarshalException text
  // (e.g. "Expected 8 or 0 byte long (7)"). The empty value is valid for every type.
  virtual Status Validate(std::string_view bytes) const = 0;

  // A human-readable rendering, for tools (sstabledump, the CLI): numbers in decimal
  // (doubles as Java prints them), UUIDs in their 8-4-4-4-12 form, dates as
  // "yyyy-MM-dd HH:mm:ss.SSSZ" in UTC, booleans as true/false, text as is, bytes and
  // counters' malformed values in hex, composites as ':'-joined escaped components
  // (Cassandra's AbstractCompositeType.getString). The empty value renders as "".
  virtual std::string ToString(std::string_view bytes) const = 0;

  // True when Compare is plain unsigned byte order (lets callers use memcmp).
  virtual bool IsByteOrder() const { return false; }
  // True for ReversedType(...).
  virtual bool IsReversed() const { return false; }
  // True for CounterColumnType.
  virtual bool IsCounter() const { return false; }
  // True for CompositeType(...).
  virtual bool IsComposite() const { return false; }

  // The type parameters: a CompositeType's component types, a ReversedType's base
  // type; empty for every other type.
  virtual const std::vector<TypePtr>& SubTypes() const;
};

// Parses a type name such as "UTF8Type", "org.apache.cassandra.db.marshal.LongType" or
// "CompositeType(UTF8Type, ReversedType(LongType))"; blanks around names, commas and
// parentheses are ignored. Unknown names, parameters on a type that takes none, a
// CompositeType without components, a ReversedType without exactly one parameter and
// malformed syntax give InvalidArgument.
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

// ---------------------------------------------------------------------------------
// Value builders: the byte forms Cassandra's serializers produce (big-endian).

// LongType, DateType, TimestampType and CounterColumnType values.
std::string EncodeLong(int64_t v);
// Int32Type values.
std::string EncodeInt32(int32_t v);
// IntegerType values: the shortest two's complement form (Java's BigInteger.toByteArray).
std::string EncodeVarint(int64_t v);
// DoubleType / FloatType values (IEEE 754 bits, big-endian).
std::string EncodeDouble(double v);
std::string EncodeFloat(float v);
// BooleanType values: one byte, 1 or 0.
std::string EncodeBoolean(bool v);
// UUID text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) to its 16 bytes;
// InvalidArgument for anything else.
Result<std::string> UuidFromString(std::string_view text);

// ---------------------------------------------------------------------------------
// CompositeType values.
//
// A composite value is a sequence of components, each
//   <2-byte big-endian length><value bytes><end-of-component byte>
// The end-of-component (EOC) byte is 0 in stored cell names. Slice bounds set it on
// their last component: -1 sorts before every name with that prefix, 1 after every
// one (Cassandra's CompositeType.Builder: < uses -1, >= uses 0, <= and > use 1).

// Builds a composite from its component values; the last component's EOC byte is
// `last_eoc` (-1, 0 or 1), the others' 0. REQUIRES: each component < 65536 bytes.
std::string MakeComposite(std::initializer_list<std::string_view> components,
                          int last_eoc = 0);
std::string MakeComposite(const std::vector<std::string>& components, int last_eoc = 0);

// Splits a composite value into its component values. InvalidArgument when the bytes
// are not a well-formed composite. When `last_eoc` is non-null it receives the last
// component's EOC byte (0 for the empty value).
Result<std::vector<std::string>> SplitComposite(std::string_view bytes,
                                                int* last_eoc = nullptr);

}  // namespace cairn
