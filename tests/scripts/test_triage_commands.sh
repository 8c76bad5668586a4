#!/usr/bin/env bash
# test_triage_commands.sh - golden tests of kd commands on the real triage dump.
#
# Each tests/golden/triage/NAME.cmd holds a -c command line; NAME.txt is what
# `poolscope -z triage_x64.dmp -c "$(cat NAME.cmd)"` must print, byte for
# byte. Times print in the local zone, so the zone is pinned to UTC.
# To update after a deliberate change: run with PS_UPDATE_GOLDEN=1 and review
# the diff before committing.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
shared=${PS_SHARED_DIR:?PS_SHARED_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
dump="$shared/data/triage_x64.dmp"
golden="$src/tests/golden/triage"
bin="$build/poolscope"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -r "$dump" ] || { echo "FAIL: $dump not readable"; exit 1; }

export TZ=UTC
fail=0 count=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

for cmd in "$golden"/*.cmd; do
	name=$(basename "$cmd" .cmd)
	count=$((count + 1))
	"$bin" -z "$dump" -c "$(cat "$cmd")" >"$tmp" 2>/dev/null
	if [ "${PS_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$tmp" "$golden/$name.txt"
		echo "updated $name"
		continue
	fi
	if ! diff -u "$golden/$name.txt" "$tmp"; then
		echo "FAIL: $name differs from its golden output"
		fail=$((fail + 1))
	fi
done
[ "$count" -gt 0 ] || { echo "FAIL: no golden files in $golden"; exit 1; }
echo "$((count - fail)) of $count golden outputs match"
[ "$fail" -eq 0 ]
