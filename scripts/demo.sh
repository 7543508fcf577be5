#!/usr/bin/env bash
# The demo: a lab of network namespaces (two vigild nodes and a client on a bridge)
# running the real daemons on a generated configuration. It shows the election, then a
# power loss of the master, its return and a graceful stop while the client pings the
# virtual address; prints each one's timeline and the client's view from packet
# timestamps and a verdict against the RFC bounds; and removes everything it made, also
# when interrupted. Run as root. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor -p vigil-vrrpd -p vigil-checkerd -p vigil-e2e
exec "${CARGO_TARGET_DIR:-target}/release/vigil-demo"
