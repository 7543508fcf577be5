#!/usr/bin/env bash
# Benchmark: `vigild -t` against `keepalived -t` on one generated configuration with
# 10,000 VRRP instances and 2,000 real servers. Prints wall time and peak RSS of each
# (median of RUNS runs) and the ratios. Run as root (keepalived needs the interfaces the
# file names; they are created as veth pairs in a private network namespace).
#
#   bench/config-load.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/deps.sh >/dev/null
cargo build --release -q -p vigil-supervisor
vigild=$PWD/target/release/vigild

work=$(mktemp -d)
ns=vigil-bench-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

python3 bench/gen-large-config.py --instances 10000 --real-servers 2000 --interfaces 40 \
    > "$work/large.conf"
ip netns add "$ns"
for i in $(seq 0 39); do
    ip -n "$ns" link add "vb$i" type veth peer name "vb${i}p"
    ip -n "$ns" link set "vb$i" up
done

# One measurement: "seconds kilobytes" of the command, via GNU time.
measure() {
    /usr/bin/time -f '%e %M' -o "$work/t" ip netns exec "$ns" "$@" >/dev/null 2>&1 || true
    cat "$work/t"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for tool in vigil keepalived; do
    : > "$work/$tool.s"; : > "$work/$tool.kb"
    for _ in $(seq "$runs"); do
        if [ "$tool" = vigil ]; then
            r=$(measure "$vigild" -t -f "$work/large.conf" -i bench)
        else
            r=$(measure keepalived -t -f "$work/large.conf" -i bench)
        fi
        echo "${r% *}" >> "$work/$tool.s"
        echo "${r#* }" >> "$work/$tool.kb"
    done
done
vs=$(median < "$work/vigil.s"); vk=$(median < "$work/vigil.kb")
ks=$(median < "$work/keepalived.s"); kk=$(median < "$work/keepalived.kb")
lines=$(wc -l < "$work/large.conf")
echo "configuration: 10000 VRRP instances, 2000 real servers, $lines lines; median of $runs runs"
printf '%-12s %10s %12s\n' tool 'time (s)' 'peak RSS (KiB)'
printf '%-12s %10s %12s\n' vigild "$vs" "$vk" keepalived "$ks" "$kk"
awk -v vs="$vs" -v ks="$ks" -v vk="$vk" -v kk="$kk" 'BEGIN {
    printf "keepalived/vigil time ratio: %.1fx   memory ratio: %.1fx\n", ks / (vs > 0 ? vs : 0.001), kk / vk }'
