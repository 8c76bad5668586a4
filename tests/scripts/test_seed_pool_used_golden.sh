#!/usr/bin/env bash
# test_seed_pool_used_golden.sh - the seed's !poolused:
#  - seed-env1 at scale 1, `!poolused 4` with the shared pooltag.txt (which
#    lacks MSKK), byte for byte (tests/golden/pool/poolused-seed-env1.txt),
#    topped by "MSKK 0 0 415447 1701670912 UNKNOWN pooltag 'MSKK', ...";
#  - seed-env2 (scale 0.001) and its 1809 variant: `!poolused 2` tops with
#    Thre, "Thread objects , Binary: nt!ps"; a tag filter with wildcards;
#  - hostile tracker data, patched into a DumpType 1 lab dump: an absurd
#    PoolTrackTableSize is refused with a message, a size that runs the
#    table into unmapped memory gives the readable part and a note, and
#    the dump patched back reads cleanly.
# To update the golden file after a deliberate change: PS_UPDATE_GOLDEN=1.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
shared=${PS_SHARED_DIR:?PS_SHARED_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin="$build/poolscope"
lab="$build/poolscope-lab"
golden="$src/tests/golden/pool"
tags="$shared/data/pooltag.txt"
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }
[ -f "$tags" ] || { echo "FAIL: $tags missing"; exit 1; }
unset _NT_SYMBOL_PATH POOLTAG
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

grep -q '^ *MSKK' "$tags" && fail "the shared pooltag.txt knows MSKK: the golden output assumes it does not"

"$lab" "$src/scenarios/seed-env1.scn" --scale 1 -o env1.dmp --symbols store -q || { echo "FAIL: lab"; exit 1; }
"$bin" -z env1.dmp -y store --tags "$tags" -c '!poolused 4' >poolused-seed-env1.txt 2>&1
if [ "${PS_UPDATE_GOLDEN:-}" = 1 ]; then
	cp poolused-seed-env1.txt "$golden/poolused-seed-env1.txt"
elif ! diff -u "$golden/poolused-seed-env1.txt" poolused-seed-env1.txt; then
	fail "!poolused 4 on seed-env1 differs from its golden output"
fi
first=$(sed -n 7p poolused-seed-env1.txt | tr -s ' ')
[ "$first" = " MSKK 0 0 415447 1701670912 UNKNOWN pooltag 'MSKK', please update pooltag.txt" ] ||
	fail "first row is '$first'"

for v in seed-env2 seed-env2-1809; do
	"$lab" "$src/scenarios/$v.scn" --scale 0.001 -o "$v.dmp" --symbols "store-$v" -q || { fail "$v: lab"; continue; }
	"$bin" -z "$v.dmp" -y "store-$v" --tags "$tags" -c '!poolused 2' >"$v.txt" 2>&1
	sed -n 7p "$v.txt" | grep -q '^ Thre .* Thread objects , Binary: nt!ps$' || fail "$v: !poolused 2 does not top with Thre"
	"$bin" -z "$v.dmp" -y "store-$v" --tags "$tags" -c '!poolused 0 Th?e' >"$v-filter.txt" 2>&1
	rows=$(grep -E '^ .{4} +-?[0-9]+ ' "$v-filter.txt" | grep -v '^ TOTAL')
	[ "$(printf '%s\n' "$rows" | cut -c2-5)" = Thre ] || fail "$v: the filter Th?e shows: $rows"
done

# Hostile tracker data: a DumpType 1 dump, PoolTrackTableSize patched in place.
"$lab" "$src/scenarios/seed-env1.scn" --scale 0.001 --type 1 -o h.dmp --truth h.json --symbols hstore -q ||
	{ echo "FAIL: lab --type 1"; exit 1; }
patch() { # patch VALUE: PoolTrackTableSize = VALUE in h.dmp itself (a
	# copy of the 2 GiB sparse file would cost real disk writes)
	python3 - "$1" <<'PY'
import json, struct, sys
t = json.load(open('h.json'))
va = int(t['globals']['PoolTrackTableSize']['va'], 16)
br = t['boot_region']
pa = int(br['pa'], 16) + va - int(br['start'], 16)
off, before = int(t['dump']['header_size'], 16), 0
for r in t['physical_memory']['runs']:
    s, e = int(r['start'], 16), int(r['end'], 16)
    if s <= pa < e:
        off += before * 4096 + (pa - s)
        break
    before += int(r['page_count'], 16)
with open('h.dmp', 'r+b') as f:
    f.seek(off)
    f.write(struct.pack('<I', int(sys.argv[1])))
PY
}
size=$(python3 -c "import json; print(json.load(open('h.json'))['pool']['tracker']['size'])")
patch 1073741825 && "$bin" -z h.dmp -y hstore -c '!poolused 4' >absurd.txt 2>&1
grep -q 'out of range.*refused' absurd.txt || fail "an absurd PoolTrackTableSize is not refused: $(cat absurd.txt)"
patch 1048577 && "$bin" -z h.dmp -y hstore -c '!poolused 4' >partial.txt 2>&1
grep -q 'unreadable page(s) .* skipped (partial counts)' partial.txt || fail "no note about unreadable table pages"
# What lies past the real table is other pool data, read as entries (as
# WinDbg would); the table is still printed, with its total.
grep -q '^ Tag    Allocs' partial.txt && grep -q '^ TOTAL ' partial.txt || fail "no partial output: $(head -12 partial.txt)"
# Patched back, the same dump reads cleanly: the patch, not the dump, did it.
patch "$size" && "$bin" -z h.dmp -y hstore -c '!poolused 4' >restored.txt 2>&1
grep -q '^\*\*\*' restored.txt && fail "notes after restoring the size: $(head -3 restored.txt)"
grep -q '^ MSKK        0        0       415  1699840 ' restored.txt || fail "restored dump lacks MSKK"

[ $fails = 0 ] && echo "!poolused golden and hostile checks pass" || echo "$fails failure(s)"
[ $fails = 0 ]
