#!/usr/bin/env bash
# test_seed_symbols.sh - the seed's symbol steps on the seed-env1 lab dump:
# u at the tag hit in SIoctl, ln on the IAT slot, lmva, and dt, x, uf, lm.
#
# poolscope-lab writes the dump and its symbol store (--symbols). Each
# tests/golden/seed/VARIANT-NAME.cmd holds a -c command line and
# VARIANT-NAME.txt what poolscope prints, byte for byte; VARIANT says which
# symbols the session gets:
#   seed     the store without SIoctl's PDB: the seed had none, so u names
#            SIoctl+0x... and ln still finds nt!ExAllocatePoolWithTag with
#            its prototype, as in the article
#   full     the whole store: SIoctl!SioctlFillBuffers+0x23 and friends
#   exports  no symbol path: names from the export tables only
# The store is given as the relative path "store", so PDB paths in the
# output do not depend on where the test runs. Times print in UTC.
# To update after a deliberate change: PS_UPDATE_GOLDEN=1, then review.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
golden="$src/tests/golden/seed"
bin="$build/poolscope"
lab="$build/poolscope-lab"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }

export TZ=UTC
unset _NT_SYMBOL_PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

"$lab" "$src/scenarios/seed-env1.scn" -o env1.dmp --symbols store -q ||
	{ echo "FAIL: poolscope-lab could not write the dump and its store"; exit 1; }
[ -d store/SIoctl.pdb ] || { echo "FAIL: the store has no SIoctl.pdb"; exit 1; }
[ -d store/ntoskrnl.pdb ] || { echo "FAIL: the store has no ntoskrnl.pdb"; exit 1; }
mkdir seed-store
cp -r store/. seed-store/
rm -rf seed-store/SIoctl.pdb
mv store full-store

fail=0 count=0
for cmd in "$golden"/*.cmd; do
	name=$(basename "$cmd" .cmd)
	variant=${name%%-*}
	rm -f store
	case $variant in
	seed) ln -s seed-store store; path=(-y store) ;;
	full) ln -s full-store store; path=(-y store) ;;
	exports) path=() ;;
	*) echo "FAIL: $name: unknown variant '$variant'"; fail=$((fail + 1)); continue ;;
	esac
	count=$((count + 1))
	"$bin" -z env1.dmp "${path[@]}" -c "$(cat "$cmd")" >out.txt 2>/dev/null
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

# What a reader of the seed checks, said once more outright so a golden
# refreshed by mistake cannot hide it.
check() {
	if ! grep -qF -- "$2" "$golden/$1.txt"; then
		echo "FAIL: $1 lacks: $2"
		fail=$((fail + 1))
	fi
}
check seed-steps 'nt!KdpBreakpointTable+0x1ff:'
check seed-steps '82e12583 004d53          add     byte ptr [ebp+53h],cl'
check seed-steps '82e12588 67004600        add     byte ptr [bp+0],al'
check seed-steps '82e1258c 69006c006500    imul    eax,dword ptr [eax],65006Ch'
check seed-steps 'SIoctl+0x4323:'
check seed-steps '9196b323 684d534b4b      push    4B4B534Dh'
check seed-steps '9196b328 6800100000      push    1000h'
check seed-steps '9196b32d 6a01            push    1'
check seed-steps '9196b32f ff1510909691    call    dword ptr [SIoctl+0x2010 (91969010)]'
check seed-steps '9196b335 4e              dec     esi'
check seed-steps '9196b336 75eb            jne     SIoctl+0x4323 (9196b323)'
check seed-steps '9196b338 cc              int     3'
check seed-steps '9196b339 eb07            jmp     SIoctl+0x4342 (9196b342)'
check seed-steps '   nt!ExAllocatePoolWithTag   |  ('
check seed-steps ')   nt!ExDeferredFreePool'
check seed-steps 'Exact matches:'
check seed-steps '    nt!ExAllocatePoolWithTag (_POOL_TYPE, unsigned long, unsigned long)'
check seed-steps '91967000 9196f000   SIoctl     (no symbols)'
check seed-steps '    Loaded symbol image file: SIoctl.sys'
check seed-steps '    Image path: SIoctl.sys'
check seed-steps '    Image name: SIoctl.sys'
check seed-steps '    Timestamp:        Mon Apr 12 09:37:08 2010 (4BC2E9C4)'
check seed-steps '    CheckSum:         000106CF'
check seed-steps '    ImageSize:        00008000'
check full-symbols 'SIoctl!SioctlFillBuffers+0x23:'
check full-symbols 'call    dword ptr [SIoctl!_imp__ExAllocatePoolWithTag (91969010)]'
check exports-names '    nt!ExAllocatePoolWithTag (<no parameter info>)'
check exports-names '(export symbols)       ntoskrnl.exe'
check full-dt '   +0x0b4 UniqueProcessId  : Ptr32 Void'
check exports-dt '   +0x0b4 UniqueProcessId  : Ptr32 Void'
check exports-dt 'built-in layout of _EPROCESS'

echo "$((count - fail)) of $count golden outputs match"
[ "$fail" -eq 0 ]
