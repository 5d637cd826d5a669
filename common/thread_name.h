// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Names the calling thread, so `top -H`, `ps -T`, perf and gdb show what each of a
// node's threads is (cl-sync, rpc-io-0, net-io...). Linux keeps at most 15 bytes; longer
// names are cut. Best effort: a failure leaves the inherited name.
#pragma once

#include <string_view>

namespace cairn {

void SetThreadName(std::string_view name);

}  // namespace cairn
