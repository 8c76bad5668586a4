#!/usr/bin/env bash
# bench/poolfind.sh BUILD - the pool benchmark of issue 4: on a 4 GiB lab
# kernel dump holding about a million pool allocations (bench/poolfind-4g.scn),
# `!poolfind` over the nonpaged and the paged pool and `!poolused`, each as a
# ratio of `cat dump >/dev/null`, with CPU use (over 100% means both cores
# worked) and peak resident memory. Target: !poolfind within 2x of cat,
# using both cores, peak RSS under 200 MB.
#
# Times are the best of three runs with the page cache warm, the floor
# included. Peak RSS comes from GNU time (Debian package `time`, in
# scripts/deps.sh).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$build/bench"
mkdir -p "$work"
dump="$work/poolfind-4g.dmp"
store="$work/poolfind-4g-store"
gtime=/usr/bin/time

if [ ! -f "$dump" ] || [ "$root/bench/poolfind-4g.scn" -nt "$dump" ]; then
	echo "writing the 4 GiB pool benchmark dump (about a million allocations) ..."
	"$build/poolscope-lab" "$root/bench/poolfind-4g.scn" -o "$dump" --truth "$work/poolfind-4g.json" \
		--symbols "$store" -q
fi
size=$(stat -c %s "$dump")
cat "$dump" >/dev/null # warm the page cache

# run3 LABEL COMMAND...: best wall time of three runs, with the CPU share and
# the peak RSS of that run.
run3() {
	local label=$1; shift
	local best="" cpu="" rss=""
	for _ in 1 2 3; do
		local out
		if [ -x "$gtime" ]; then
			out=$("$gtime" -f '%e %P %M' "$@" 2>&1 >/dev/null | tail -1)
		else
			local t0 t1
			t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
			out="$(echo "$t0 $t1" | awk '{ print $2 - $1 }') ? ?"
		fi
		read -r t c m <<<"$out"
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t cpu=$c rss=$m
		fi
	done
	echo "$label|$best|$cpu|$rss"
}

results=()
results+=("$(run3 "cat dump >/dev/null (floor)" cat "$dump")")
results+=("$(run3 '!poolfind Thre 0 (nonpaged)' "$build/poolscope" -z "$dump" -y "$store" -c '!poolfind Thre 0')")
results+=("$(run3 '!poolfind MmSt 1 (paged)' "$build/poolscope" -z "$dump" -y "$store" -c '!poolfind MmSt 1')")
results+=("$(run3 '!poolused' "$build/poolscope" -z "$dump" -y "$store" -c '!poolused')")

floor=$(echo "${results[0]}" | cut -d'|' -f2)
threads=$(python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print(t['pool']['threads']['total'])" \
	"$work/poolfind-4g.json" 2>/dev/null || echo '?')
printf 'dump: %s (%.1f GiB, %s thread objects)\n' "$dump" "$(echo "$size" | awk '{print $1/1073741824}')" "$threads"
printf '%-34s %9s %8s %6s %10s\n' "benchmark" "seconds" "x cat" "CPU" "peak RSS"
for r in "${results[@]}"; do
	IFS='|' read -r label t c m <<<"$r"
	ratio=$(echo "$t $floor" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "?" }')
	mb=$(echo "$m" | awk '{ if ($1 ~ /^[0-9]+$/) printf "%.0f MB", $1 / 1024; else print "?" }')
	printf '%-34s %9.3f %8s %6s %10s\n' "$label" "$t" "$ratio" "$c" "$mb"
done
