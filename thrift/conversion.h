// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Conversions between the generated Thrift structs and Cairn's types (Cassandra's
// ThriftConversion): KsDef/CfDef <-> node::KeyspaceSchema/TableSchema with Cassandra
// 3.x's implicit defaults, cells <-> Column, and Status -> Thrift exception.
//
// Functions that validate throw cassandra::InvalidRequestException with Cassandra's
// message; they never touch the database.
#pragma once

#include <string>

#include "common/cell.h"
#include "common/status.h"
#include "gen-cpp/Cassandra.h"
#include "node/schema_store.h"

namespace cairn::thrift {

namespace gen = ::cairn::cassandra;

// Throws InvalidRequestException(why).
[[noreturn]] void ThrowInvalid(const std::string& why);
// Throws the Thrift exception for a non-OK status: InvalidArgument -> Invalid
// Request, Unavailable -> UnavailableException, TimedOut -> TimedOutException, anything
// else -> TApplicationException(INTERNAL_ERROR). REQUIRES: !status.ok().
[[noreturn]] void ThrowStatus(const Status& status);

// CfDef -> TableSchema with Cassandra's implicit defaults (ThriftConversion.fromThrift).
// The id is left empty: the database assigns it.
node::TableSchema TableFromThrift(const gen::CfDef& def);
gen::CfDef TableToThrift(const node::TableSchema& table);

// KsDef -> KeyspaceSchema including its column families. Checks that every CfDef names
// this keyspace.
node::KeyspaceSchema KeyspaceFromThrift(const gen::KsDef& def);
gen::KsDef KeyspaceToThrift(const node::KeyspaceSchema& ks);

// A live cell as a Thrift Column (ttl set for expiring cells).
gen::Column ColumnFromCell(const Cell& cell);

// Lower-case hex of bytes (Cassandra's ByteBufferUtil.bytesToHex).
std::string BytesToHex(std::string_view bytes);

}  // namespace cairn::thrift
