#!/usr/bin/env bash
# The demo on an embedded default configuration. Today it shows what vigil understands
# of a keepalived.conf: the check, the diagnostics of a broken variant, the canonical
# re-print and the typed model. (The failover lab joins it with the VRRP daemon.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor
vigild=$PWD/target/release/vigild

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

cat > "$work/keepalived.conf" <<'CONF'
! A two-node VRRP pair in front of an LVS-DR director (documentation addresses).
global_defs {
    @lb1 router_id lb1
    @lb2 router_id lb2
    script_user root
    enable_script_security
}
$VIP=192.0.2.100
vrrp_script chk_lb {
    script "/bin/true"
    interval 1
    weight -20
}
vrrp_instance VI_1 {
    @lb1 state MASTER
    @lb2 state BACKUP
    interface eth0
    virtual_router_id 51
    @lb1 priority 150
    @lb2 priority 100
    version 3
    advert_int 0.1
    virtual_ipaddress {
        ${VIP}/24 dev eth0
    }
    track_script {
        chk_lb
    }
}
$RS= \
real_server 198.51.100.${N} 80 { \
    weight 1 \
    TCP_CHECK { \
        connect_timeout 2 \
    } \
}
virtual_server ${VIP} 80 {
    delay_loop 5
    lvs_sched wlc
    lvs_method DR
    protocol TCP
    ~SEQ(N, 11, 13) $RS
}
CONF
sed -e 's/virtual_router_id 51/virtual_router_id 351/' -e 's/chk_lb$/chk_lbb/' \
    "$work/keepalived.conf" > "$work/broken.conf"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "vigild -t on the embedded configuration (config-id lb1)"
"$vigild" -t -i lb1 -f "$work/keepalived.conf" && echo "exit status $?"
step "a broken variant: every problem at once, with file:line:column"
"$vigild" -t -i lb1 -f "$work/broken.conf" || echo "exit status $?"
step "vigild --print-config -i lb2: conditionals, macros and ~SEQ resolved"
"$vigild" --print-config -i lb2 -f "$work/keepalived.conf"
step "vigild --dump-config: the typed model the daemons receive (first lines)"
"$vigild" --dump-config -i lb2 -f "$work/keepalived.conf" | head -n 40
