#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmarks need, once; safe to run again.
set -euo pipefail

need_apt=()
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v keepalived >/dev/null 2>&1 || need_apt+=(keepalived)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v ping >/dev/null 2>&1 || need_apt+=(iputils-ping)
command -v nft >/dev/null 2>&1 || need_apt+=(nftables)
# systemd-analyze and systemd-sysusers check the packaging files.
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: need root to install: ${need_apt[*]}" >&2
        exit 1
    fi
    echo "deps: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# keepalived's package enables a service; vigil's tests run it by hand only.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet keepalived 2>/dev/null; then
    systemctl stop keepalived || true
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "deps: cargo not found; install Rust (rustup) first" >&2
    exit 1
fi
if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi
