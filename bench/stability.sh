#!/usr/bin/env bash
# 100 instances on one pair at VRRPv3 advert_int 0.01 s, vigil then keepalived, each
# for SECONDS (default 600): spurious transitions and CPU per node (issue 4). Run as root.
#   bench/stability.sh [SECONDS] [INSTANCES] [ADVERT_INT]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor -p vigil-vrrpd -p vigil-checkerd -p vigil-e2e
exec target/release/vigil-bench-stability "${1:-600}" "${2:-100}" "${3:-0.01}"
