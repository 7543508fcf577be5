#!/usr/bin/env bash
# 1,000 instances at advert_int 1 over four links on one node, vigil against
# keepalived (issue 4): time until all are MASTER, advert lateness, CPU and RSS of the
# VRRP process. Run as root.
#   bench/scale.sh [INSTANCES] [WINDOW_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor -p vigil-vrrpd -p vigil-checkerd -p vigil-e2e
exec target/release/vigil-bench-scale "${1:-1000}" "${2:-30}"
