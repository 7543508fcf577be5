#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, property, corpus, CLI and
# keepalived-comparison tests. Run as root on Debian (namespaces, keepalived).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --quiet 2>&1 | tee /tmp/vigil-test.$$.log
passed=$(grep -Eo '[0-9]+ passed' /tmp/vigil-test.$$.log | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' /tmp/vigil-test.$$.log | awk '{s+=$1} END {print s+0}')
rm -f /tmp/vigil-test.$$.log
echo "$passed passed, $failed failed"
