#!/usr/bin/env bash
# Failover time, vigil against keepalived, from packet timestamps (issue 4):
# SIGKILL / SIGTERM / link-down at VRRPv2 advert_int 1 and VRRPv3 0.1 and 0.03,
# the median of RUNS runs per cell (default 5). Run as root.
#   bench/failover.sh [RUNS] [CELL-FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor -p vigil-vrrpd -p vigil-checkerd -p vigil-e2e
exec target/release/vigil-bench-failover "${1:-5}" "${2:-}"
