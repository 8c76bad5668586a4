#!/usr/bin/env bash
# test_seed_poolfind.sh - !poolfind and !pool on the seed's lab dumps:
# environment 2 on Windows 7 x86 (the article's), Windows 7 x64 and Windows
# 10 1809, environment 1's MSKK big pages, and small-x86's freed blocks and
# session pool.
#
# 1. Against the truth file: `!poolfind Thre 0` lists exactly the lab's
#    thread objects ((Protected) on 7601, plain 'tag Thre' lines on 1809),
#    every sample thread among them; `!pool <thread> 2` stars the Thre block
#    and prints `Pooltag Thre : Thread objects, Binary : nt!ps`; the KTHREAD
#    is at +0x30 of its block on 7601 x86 (`? thread - block` = 0x30); and
#    `!poolfind MSKK 1` lists every MSKK big page of environment 1.
# 2. Golden outputs: tests/golden/pool/{poolfind,pool}-SCENARIO__WHAT.cmd
#    holds a -c command line, the .txt beside it what poolscope prints, byte
#    for byte. WHAT starting with "nosym" runs without a symbol path. The
#    store is the relative path store-SCENARIO, so outputs do not depend on
#    where the test runs. To update after a deliberate change:
#    PS_UPDATE_GOLDEN=1, then review the diff.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${PS_SHARED_DIR:-$src/../shared}
golden="$src/tests/golden/pool"
bin="$build/poolscope"
lab="$build/poolscope-lab"
tags="$shared/data/pooltag.txt"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }
[ -f "$tags" ] || { echo "FAIL: $tags missing"; exit 1; }

export TZ=UTC
unset _NT_SYMBOL_PATH POOLTAG
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fail=0
for s in seed-env2 seed-env2-x64 seed-env2-1809 seed-env1 small-x86; do
	"$lab" "$src/scenarios/$s.scn" -o "$s.dmp" --truth "$s.json" --symbols "store-$s" -q ||
		{ echo "FAIL: poolscope-lab could not write $s"; exit 1; }
done

ps() { # ps SCENARIO COMMANDS
	"$bin" -z "$1.dmp" -y "store-$1" --tags "$tags" -c "$2" 2>/dev/null
}

# One value from a truth file (python3 is in scripts/deps.sh).
truth() { # truth SCENARIO EXPRESSION-ON-t
	python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print($2)" "$1.json"
}

# ---- 1. the truth -----------------------------------------------------------

for s in seed-env2 seed-env2-x64 seed-env2-1809; do
	ps "$s" '!poolfind Thre 0' >find.txt
	want=$(truth "$s" "sum(x['allocs'] - x['frees'] for x in t['pool']['tags'] if x['tag'] == 'Thre')")
	total=$(truth "$s" "t['pool']['threads']['total']")
	if [ "$s" = seed-env2-1809 ]; then
		got=$(grep -c ' : tag Thre, size ' find.txt)
		if grep -q Protected find.txt; then echo "FAIL: $s: (Protected) on Windows 10"; fail=$((fail + 1)); fi
	else
		got=$(grep -c ' (Allocated) Thre (Protected)$' find.txt)
	fi
	if [ "$got" != "$want" ] || [ "$got" != "$total" ]; then
		echo "FAIL: $s: !poolfind Thre 0 lists $got thread blocks, the truth $want ($total threads)"
		fail=$((fail + 1))
	fi
	# Every sample thread's block (Windows 10 prints the address after the
	# 16-byte header).
	for b in $(truth "$s" "' '.join(x['block'][2:] for x in t['pool']['threads']['sample'])"); do
		if [ "$s" = seed-env2-1809 ]; then
			a=$(printf '%016x' $((0x$b + 16)))
			line="$a : tag Thre, size "
		elif [ "$s" = seed-env2 ]; then
			line="*$b size: "
		else
			line="*$(printf '%016x' $((0x$b))) size: "
		fi
		if ! grep -qF -- "$line" find.txt; then
			echo "FAIL: $s: sample thread block $b is not listed"
			fail=$((fail + 1))
		fi
	done
	# !pool on a TestApp.exe thread: its KTHREAD address.
	read -r block kthread off <<<"$(truth "$s" "' '.join(next((x['block'], hex(int(x['ethread'], 16)), x['kthread_offset']) for x in t['pool']['threads']['sample'] if x['process'] == 'TestApp.exe'))")"
	ps "$s" "!pool $kthread 2; ? $kthread - $block" >pool.txt
	if ! grep -qF -- '		Pooltag Thre : Thread objects, Binary : nt!ps' pool.txt ||
	   ! grep -q "^\*.*(Allocated) \*Thre" pool.txt ||
	   [ "$(grep -c '(Allocated)' pool.txt)" != 1 ]; then
		echo "FAIL: $s: !pool $kthread 2 does not star the one Thre block with its Pooltag line"
		cat pool.txt
		fail=$((fail + 1))
	fi
	if [ "$s" = seed-env2 ] && ! grep -qF 'Evaluate expression: 48 = 00000030' pool.txt; then
		echo "FAIL: $s: the KTHREAD is not at +0x30 of its block ($off)"
		fail=$((fail + 1))
	fi
done

ps seed-env1 '!poolfind MSKK 1' >mskk.txt
want=$(truth seed-env1 "sum(x['big_allocs'] - x['big_frees'] for x in t['pool']['tags'] if x['tag'] == 'MSKK')")
got=$(grep -c ':large page allocation, Tag  is MSKK, size  is 0x1000 bytes$' mskk.txt)
if [ "$got" != "$want" ]; then
	echo "FAIL: seed-env1: !poolfind MSKK 1 lists $got big pages, the truth $want"
	fail=$((fail + 1))
fi

# Session pool's big allocations live in the session's own table
# (MM_SESSION_SPACE.PoolTrackBigPages): !poolfind TAG 4 lists each in-use
# one, and !pool on any byte of one gives its large-page form in the
# session's region.
ps small-x86 '!poolfind Gla5 4' >gla5.txt
want=$(truth small-x86 "sum(x['big_allocs'] - x['big_frees'] for x in t['pool']['tags'] if x['tag'] == 'Gla5')")
got=$(grep -c ':large page allocation, Tag  is Gla5, size  is 0x2000 bytes$' gla5.txt)
if [ "$got" != "$want" ] || [ "$want" = 0 ]; then
	echo "FAIL: small-x86: !poolfind Gla5 4 lists $got session big pages, the truth $want"
	fail=$((fail + 1))
fi
for va in $(truth small-x86 "' '.join(b['va'][2:] for b in t['pool']['big_pages']['sample'] if b['tag'] == 'Gla5' and not b['freed'])"); do
	ps small-x86 "!pool $va+1234" >gla5-pool.txt
	if ! grep -qF "Pool page $(printf '%08x' $((0x$va + 0x1234))) region is Paged session pool" gla5-pool.txt ||
	   ! grep -qF "*$va : large page allocation, tag is Gla5, size is 0x2000 bytes" gla5-pool.txt; then
		echo "FAIL: small-x86: !pool $va+1234 is not the Gla5 session big page"
		cat gla5-pool.txt
		fail=$((fail + 1))
	fi
done

# ---- 2. golden outputs --------------------------------------------------------

count=0
for cmd in "$golden"/poolfind-*.cmd "$golden"/pool-*.cmd; do
	[ -f "$cmd" ] || continue
	name=$(basename "$cmd" .cmd)
	rest=${name#*-}            # drop poolfind- / pool-
	scn=${rest%%__*}
	what=${rest#*__}
	[ -f "$scn.dmp" ] || { echo "FAIL: $name: no scenario $scn"; fail=$((fail + 1)); continue; }
	path=(-y "store-$scn")
	case $what in nosym*) path=() ;; esac
	count=$((count + 1))
	"$bin" -z "$scn.dmp" "${path[@]}" --tags "$tags" -c "$(cat "$cmd")" >out.txt 2>/dev/null
	if [ "${PS_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp out.txt "$golden/$name.txt"
		echo "updated $name"
		continue
	fi
	if ! diff -u "$golden/$name.txt" out.txt; then
		echo "FAIL: $name differs from its golden output"
		fail=$((fail + 1))
	fi
done
[ "$count" -gt 0 ] || { echo "FAIL: no golden files in $golden"; exit 1; }

# The seed's lines, said outright so a golden refreshed by mistake cannot
# hide them.
check() {
	if ! grep -qF -- "$2" "$golden/$1.txt"; then
		echo "FAIL: $1 lacks: $2"
		fail=$((fail + 1))
	fi
}
check pool-seed-env2__thread 'Pool page 850d6bd0 region is Nonpaged pool'
check pool-seed-env2__thread '*850d6ba0 size:  2e8 previous size:  2e8  (Allocated) *Thre (Protected)'
check pool-seed-env2__thread '		Pooltag Thre : Thread objects, Binary : nt!ps'
check pool-seed-env2__quiet '*850d6ba0 size:  2e8 previous size:  2e8  (Allocated) *Thre (Protected)'
check pool-seed-env2__big ' : large page allocation, tag is Mm  , size is 0x12000 bytes'
check poolfind-seed-env2__nosym-proc 'unable to get large pool allocation table - either wrong symbols or pool tagging is disabled'
check poolfind-seed-env2__proc 'Scanning large pool allocation table for Tag: Proc (8526a000 : 8536a000)'
check poolfind-seed-env2-1809__proc 'Scanning large pool allocation table for tag 0x636f7250 (Proc)'
check poolfind-small-x86__irp '(Free)      Irp '

if [ "$fail" -ne 0 ]; then
	echo "FAIL: $fail problem(s)"
	exit 1
fi
echo "$count golden outputs match; !poolfind and !pool agree with the truth"
