#!/bin/bash
# Run the real keepalived's configuration check (`keepalived -t`) on every
# broken/*.conf next to this script (or on the files given) and print one line
# per file:
#
#     FILE<TAB>EXIT CODE<TAB>FIRST MESSAGE
#
# With -a, every further message keepalived printed follows on its own line,
# indented by a TAB (this is what KEEPALIVED.md was built from).
#
# keepalived exits 5 when it logged any configuration complaint and 0 when it
# accepted the file; "(none)" in the message column means it printed nothing.
#
# Each run happens inside a private network namespace (vigil-broken-$$) that
# has lo, eth0, eth1, eth2 and bond0 up (veth pairs with "vp-*" peers, because
# the dummy link type may be missing), and a private mount namespace with a
# fresh tmpfs on /run, because `keepalived -t` is not side-effect free. The
# working directory is the file's directory, so relative includes resolve
# against broken/. The namespace is deleted on exit.
#
# keepalived gets TIMEOUT seconds per file (default 20); a run that is killed
# shows exit code 124 and "(timed out)" (keepalived 2.2.7 can loop forever on
# some files).
#
# Environment: KEEPALIVED (default /usr/sbin/keepalived), TIMEOUT. Needs root.
# Exit status: 0 on success (whatever keepalived said), 2 on setup failure.

set -u

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
TIMEOUT=${TIMEOUT:-20}
here=$(cd "$(dirname "$0")" && pwd)
ns=vigil-broken-$$
all=0

if [ "${1:-}" = "-a" ]; then
	all=1
	shift
fi

cleanup() {
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ "$(id -u)" -ne 0 ]; then
	echo "must run as root (needs ip netns)" >&2
	exit 2
fi
if [ ! -x "$KEEPALIVED" ]; then
	echo "keepalived not found at $KEEPALIVED" >&2
	exit 2
fi

if [ $# -eq 0 ]; then
	set -- "$here"/*.conf
fi

ip netns add "$ns" || exit 2
ip -n "$ns" link set lo up || exit 2
for ifname in eth0 eth1 eth2 bond0; do
	if ! ip -n "$ns" link add "$ifname" type dummy 2>/dev/null; then
		ip -n "$ns" link add "$ifname" type veth peer name "vp-$ifname" || exit 2
		ip -n "$ns" link set "vp-$ifname" up || exit 2
	fi
	ip -n "$ns" link set "$ifname" up || exit 2
done

for f in "$@"; do
	base=$(basename "$f")
	if [ ! -f "$f" ]; then
		printf '%s\t-\t(no such file)\n' "$base"
		continue
	fi
	dir=$(cd "$(dirname "$f")" && pwd)
	out=$(ip netns exec "$ns" unshare --mount --propagation private \
		/bin/sh -c 'mount -t tmpfs vigil-broken-run /run &&
			mkdir -p /run/vigil-test &&
			cd "$1" && shift && exec "$@"' \
		sh "$dir" timeout -s KILL "$TIMEOUT" "$KEEPALIVED" -t -f "$base" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -eq 137 ]; then
		rc=124
		out="(timed out)${out:+
$out}"
	fi
	if [ -z "$out" ]; then
		printf '%s\t%s\t(none)\n' "$base" "$rc"
		continue
	fi
	printf '%s\t%s\t%s\n' "$base" "$rc" "$(printf '%s\n' "$out" | head -n 1)"
	if [ "$all" -eq 1 ]; then
		printf '%s\n' "$out" | tail -n +2 | sed 's/^/\t/'
	fi
done
