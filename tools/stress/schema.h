// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress's synchronous conversations with the cluster before a run, over the
// generated Thrift client (framed, strict binary): creating (or dropping and recreating)
// the keyspace and column families it writes to, waiting for schema agreement, and
// probing whether the cluster supports the counter workloads.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "tools/stress/options.h"
#include "tools/stress/token_ring.h"

namespace cairn::stress {

// Prints one line of what setup did (e.g. "created keyspace ...").
using SetupLog = std::function<void(const std::string&)>;

// Creates o.keyspace (o.replication_strategy, o.replication_factor) with o.column_family
// (BytesType) and, for counter workloads, o.counter_column_family (CounterColumnType),
// when missing; drops it first with o.drop; adds missing column families to an existing
// keyspace (whose replication it leaves alone, saying so when it differs). Then waits up
// to 30 s for every reachable node to report the same schema version. Talks to the first
// node of o.nodes that answers. Errors: IOError (no node reachable) or InvalidArgument
// (the server refused, with its message).
Status SetUpSchema(const StressOptions& o, const SetupLog& log);

// For counter workloads: adds 0 to a counter of key KeyName(0) at ONE. NotSupported with
// "counters are not supported by this cluster (...)" when the server answers with an
// InvalidRequestException saying so; OK otherwise (or for other workloads).
Status ProbeCounters(const StressOptions& o);

// For token-aware routing: asks the first node of o.nodes that answers for
// describe_partitioner and describe_ring(o.keyspace). IOError when no node answers,
// InvalidArgument with the server's message when it refuses (e.g. an unknown keyspace).
Result<RingDescription> DescribeRing(const StressOptions& o);

}  // namespace cairn::stress
