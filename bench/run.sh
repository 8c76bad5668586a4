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
dump="$work/seed-env1-x64-full.dmp"

if [ ! -f "$dump" ]; then
	echo "writing a full (type 1) dump of seed-env1-x64 (all 2 GiB of its RAM) ..."
	"$build/poolscope-lab" "$root/scenarios/seed-env1-x64.scn" --type 1 -o "$dump" --truth "$work/bench.json"
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

# PDB symbol lookups: a generated program with many functions, linked with
# lld-link /DEBUG so its PDB has a realistic number of procedures.
pdbdir="$work/pdb"
if [ ! -f "$pdbdir/many.pdb" ]; then
	mkdir -p "$pdbdir"
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "int f%d(int x) { return x * %d + %d; }\n", i, i, i % 7;
	             printf "int __stdcall DllMain(void *a, unsigned b, void *c) { return f1(1); }\n" }' > "$pdbdir/many.c"
	clang --target=x86_64-pc-windows-msvc -O1 -g -gcodeview -c "$pdbdir/many.c" -o "$pdbdir/many.obj"
	lld-link /dll /noentry /nodefaultlib /debug /out:"$pdbdir/many.dll" /pdb:"$pdbdir/many.pdb" "$pdbdir/many.obj" >/dev/null
fi
echo
"$build/bench/pdb_lookup" "$pdbdir/many.pdb" 1000000

echo
"$root/bench/poolfind.sh" "$build"
