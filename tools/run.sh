#!/usr/bin/env bash
# Installs what is missing, builds Cairn, and runs one node in the foreground:
#   tools/run.sh                           single node on 127.0.0.1:9160, data under ./data
#   tools/run.sh --config cairn.yaml       settings from a file (docs/configuration.md)
#   tools/run.sh --listen_address 127.0.0.2 --rpc_address 127.0.0.2 --data_file_directories d2/data
# Every argument goes to build/node/cairnd; Ctrl-C or SIGTERM drains and stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/tools/install-deps.sh"
cmake -S "$ROOT" -B "$ROOT/build" -G Ninja >/dev/null
cmake --build "$ROOT/build" --target cairnd
exec "$ROOT/build/node/cairnd" "$@"
