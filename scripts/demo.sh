#!/usr/bin/env bash
# The demo: a lab of network namespaces (two vigild nodes and a client on a bridge)
# running the real daemons on a generated configuration. It shows the election, kills
# the master, prints the failover's timeline from packet timestamps, and removes
# everything it made, also when interrupted. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor -p vigil-vrrpd -p vigil-checkerd -p vigil-e2e
exec "${CARGO_TARGET_DIR:-target}/release/vigil-demo"
