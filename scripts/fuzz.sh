#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS - run every libFuzzer target for SECONDS each, starting
# from its seed corpus; new crash inputs are left in fuzz/crashes/.
set -eu
build=$1; secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/fuzz/crashes"
for t in "$build"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	work=$(mktemp -d)
	cp -r "$root/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
	echo "== $name ($secs s)"
	"$t" -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="$root/fuzz/crashes/$name-" "$work" 2>&1 | tail -n 3
	rm -rf "$work"
done
