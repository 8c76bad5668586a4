#!/usr/bin/env bash
# bench/run.sh BUILD - benchmarks, reported as ratios against reading the
# dump file once (`cat dump >/dev/null`), which is the floor.
#
#   open+lm : opening a multi-GiB lab dump and listing modules
#   s -a    : searching every module's image range for a string, and the
#             whole kernel half of the address space
#
# Times are the best of several runs; the page cache is warm for every
# measurement, the floor included, so the ratios compare like with like.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$build/bench"
mkdir -p "$work"
mem=${BENCH_MEMORY:-4G}
dump="$work/bench-$mem.dmp"

if [ ! -f "$dump" ]; then
	echo "writing a full (type 1) lab dump with $mem of RAM ..."
	"$build/poolscope-lab" "$root/scenarios/seed-env1-x64.scn" --type 1 --memory "$mem" -o "$dump" --truth "$work/bench.json"
fi
size=$(stat -c %s "$dump")

best() { # best wall time in seconds of N runs of a command
	local n=$1; shift
	local b=""
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
		b=$(echo "$t0 $t1 $b" | awk '{ d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3 }')
	done
	echo "$b"
}

cat_t=$(best 3 cat "$dump")
lm_t=$(best 5 "$build/poolscope" -z "$dump" -c "lm")
s_t=$(best 3 "$build/poolscope" -z "$dump" -c '!for_each_module s -a @#Base @#End "MSKK"')
# The whole upper half of the x64 address space: mostly holes, which the
# scan must skip table by table rather than page by page.
half_t=$(best 3 "$build/poolscope" -z "$dump" -c 's -a ffff8000`00000000 L?7fff`ffffffff "MSKK"')

printf 'dump: %s (%.1f GiB)\n' "$dump" "$(echo "$size" | awk '{print $1/1073741824}')"
printf '%-34s %10s %10s\n' "benchmark" "seconds" "x cat"
printf '%-34s %10.4f %10s\n' "cat dump >/dev/null (floor)" "$cat_t" "1.00"
printf '%-34s %10.4f %10.4f\n' "open + lm" "$lm_t" "$(echo "$lm_t $cat_t" | awk '{print $1/$2}')"
printf '%-34s %10.4f %10.4f\n' "s -a over every module's range" "$s_t" "$(echo "$s_t $cat_t" | awk '{print $1/$2}')"
printf '%-34s %10.4f %10.4f\n' "s -a over the kernel half (128 TiB)" "$half_t" "$(echo "$half_t $cat_t" | awk '{print $1/$2}')"
