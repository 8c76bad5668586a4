#!/usr/bin/env bash
# test_findtag_seed.sh - `!findtag` on the seed's environment 1 (lab dumps
# of seed-env1 on Windows 7 x86, Windows 7 x64 and Windows 10 1809 x64, at
# scale 0.001): the article's conclusion in one command. MSKK must name
# SIoctl.sys calling ExAllocatePoolWithTag for 0x1000 bytes of PagedPool in
# a loop, and the MSKK bytes inside nt's KdpBreakpointTable must be listed
# as an unconfirmed data hit.
#
# Each variant runs twice: with the lab's symbol store (-y store: function
# names from the PDBs, SIoctl!SioctlFillBuffers+0x23) and without (module
# + offset, SIoctl+0x4323, the address `u` shows in the article). Other
# lab drivers' tags (VmbK, ClfI, ClfA, GnDv, TcpE, CIcr) run too. Output is
# compared with tests/golden/findtag/seed-<variant>-<syms|nosyms>.txt
# (PS_UPDATE_GOLDEN=1 to refresh, then review).
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
golden="$src/tests/golden/findtag"
bin="$build/poolscope"
lab="$build/poolscope-lab"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }

unset _NT_SYMBOL_PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fail=0 checks=0
check() { # FILE TEXT
	checks=$((checks + 1))
	if ! grep -qF -- "$2" "$1"; then
		echo "FAIL: $1 lacks: $2"
		fail=$((fail + 1))
	fi
}

cmds='!findtag MSKK; !findtag VmbK; !findtag ClfI; !findtag ClfA; !findtag GnDv; !findtag TcpE; !findtag CIcr'
for variant in seed-env1 seed-env1-x64 seed-env1-1809; do
	rm -rf store
	"$lab" "$src/scenarios/$variant.scn" --scale 0.001 -o "$variant.dmp" --symbols store -q ||
		{ echo "FAIL: poolscope-lab could not write $variant"; fail=$((fail + 1)); continue; }
	"$bin" -z "$variant.dmp" -y store -c "$cmds" >"$variant-syms.txt" 2>/dev/null
	"$bin" -z "$variant.dmp" -c "$cmds" >"$variant-nosyms.txt" 2>/dev/null
	for kind in syms nosyms; do
		out="$variant-$kind.txt"
		check "$out" "Tag MSKK (0x4B4B534D) in 8 images: 1 confirmed allocation site, 1 unconfirmed hit"
		check "$out" "ExAllocatePoolWithTag(PagedPool, 0x1000, 'MSKK')  in a loop"
		if [ "$(grep -c "^  SIoctl.sys " "$out")" != 1 ]; then
			echo "FAIL: $out: SIoctl.sys should have exactly one MSKK line"
			fail=$((fail + 1))
		fi
		check "$out" "  ntoskrnl.exe  "
		check "$out" "data in .data"
		if [ "${PS_UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$out" "$golden/$out"
			echo "updated $out"
		elif ! diff -u "$golden/$out" "$out"; then
			echo "FAIL: $out differs from its golden output"
			fail=$((fail + 1))
		fi
	done
	check "$variant-syms.txt" "SIoctl.sys    SIoctl!SioctlFillBuffers+0x"
	check "$variant-syms.txt" "ntoskrnl.exe  nt!KdpBreakpointTable+0x200    data in .data"
done
# The article's own address, on the x86 dump without SIoctl's PDB.
check seed-env1-nosyms.txt "  SIoctl.sys    SIoctl+0x4323       ExAllocatePoolWithTag(PagedPool, 0x1000, 'MSKK')  in a loop"
check seed-env1-syms.txt "  SIoctl.sys    SIoctl!SioctlFillBuffers+0x23  ExAllocatePoolWithTag(PagedPool, 0x1000, 'MSKK')  in a loop"

# Usage errors print a usage line and change nothing.
"$bin" -z seed-env1.dmp -c '!findtag; !findtag TOOLONG' >usage.txt 2>&1
check usage.txt "Usage: !findtag TAG"
check usage.txt "!findtag: a tag has one to four characters, not 'TOOLONG'"

echo "$((checks - fail)) passed, $fail failed"
[ "$fail" = 0 ]
