#!/bin/bash
# Check keepalived.conf corpus files against the real keepalived (`keepalived -t`).
#
# Usage: check-with-keepalived.sh [FILE.conf ...]
#   With no arguments every valid/*.conf next to this script is checked.
#
# A private network namespace (vigil-corpus-$$, deleted on exit) provides the
# interfaces the corpus assumes: lo, eth0, eth1, eth2 and bond0, all up
# (dummy links; veth pairs with "vp-*" peers if the kernel has no dummy driver).
# Every file is checked with `ip netns exec` inside it.
# keepalived runs with its working directory set to the file's directory.
# If the first line of a file is "# config-id: NAME", keepalived gets "-i NAME".
#
# keepalived -t is not side-effect free (config_save_dir receives a copy of
# the configuration, for example), so each run also gets a private mount
# namespace with a fresh tmpfs on /run; the corpus keeps every file that
# keepalived may create under /run/vigil-test/, which exists (empty) there.
#
# A file PASSes only if keepalived exits 0 AND prints nothing at all: with -t a
# clean configuration produces no output, and keepalived sometimes exits 0
# after logging a problem (e.g. "Unknown keyword" at top level, an invalid
# CPU id, a missing include), so any output at all (WARNING, Unknown
# keyword, errors) is a FAIL.
#
# Environment: KEEPALIVED (default /usr/sbin/keepalived). Needs root.
# Exit status: 0 if all files pass, 1 otherwise, 2 on setup failure.

set -u

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
here=$(cd "$(dirname "$0")" && pwd)
ns=vigil-corpus-$$

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
	set -- "$here"/valid/*.conf
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

pass=0
fail=0
for f in "$@"; do
	if [ ! -f "$f" ]; then
		echo "FAIL $f (no such file)"
		fail=$((fail + 1))
		continue
	fi
	dir=$(cd "$(dirname "$f")" && pwd)
	base=$(basename "$f")
	args=(-t -f "$base")
	id=$(sed -n '1s/^#[[:space:]]*config-id:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$f")
	if [ -n "$id" ]; then
		args+=(-i "$id")
	fi
	out=$(ip netns exec "$ns" unshare --mount --propagation private \
		/bin/sh -c 'mount -t tmpfs vigil-corpus-run /run &&
			mkdir -p /run/vigil-test &&
			cd "$1" && shift && exec "$@"' \
		sh "$dir" "$KEEPALIVED" "${args[@]}" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		echo "PASS $f"
		pass=$((pass + 1))
	else
		echo "FAIL $f (exit $rc${id:+, config-id $id})"
		if [ -n "$out" ]; then
			printf '%s\n' "$out" | sed 's/^/    /'
		fi
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
