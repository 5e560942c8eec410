#!/usr/bin/env bash
# The benchmark, one command: builds the release binary and the bare-hyper ceiling, installs
# the load generator (wrk, from apt) if missing, then runs bench/run.py, which pins the server
# to core 0 and wrk to core 1, warms up, repeats each workload and prints the table.
#   bench/run.sh                 # full run (peers included when installable)
#   bench/run.sh --quick         # 3 s runs, no peers, no scale figures
#   bench/run.sh --help          # every option
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin meetmock --example hyper_ceiling
if ! command -v wrk >/dev/null 2>&1 || ! command -v taskset >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q wrk util-linux
fi
exec python3 bench/run.py "$@"
