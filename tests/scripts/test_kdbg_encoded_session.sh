#!/usr/bin/env bash
# test_kdbg_encoded_session.sh - a Windows 10 1809 dump whose KDBG is kept encoded
# (formats.md §2.4), as a user meets it: poolscope-lab writes the seed's
# 1809 scenario twice, plain and with `kdbg-encoded yes` (same seed, same
# layout), and a symbol store.
#   without -y   the warning says decoding needs symbols; vertarget still
#                works from the dump header; !vm and !poolused say KDBG is
#                missing
#   with -y      KDBG decodes: the transcript of a command set and the
#                diagnostics are those of the plain dump, byte for byte
#   hostile      KiWaitNever patched in the dump: dbgeng's partially-corrupt
#                banner and why, the commands still run
# The lab refuses the keyword where Windows never encodes KDBG.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin="$build/poolscope"
lab="$build/poolscope-lab"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }

export TZ=UTC
unset _NT_SYMBOL_PATH POOLTAG
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=$((fail + 1)); }
has() { grep -qF -- "$2" "$1" || no "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || no "$1 has: $2"; }

cp "$src/scenarios/seed-env1-1809.scn" plain.scn
{ cat plain.scn; echo "kdbg-encoded yes"; } >enc.scn
"$lab" plain.scn -o plain.dmp --memory 64M -q || { echo "FAIL: poolscope-lab plain.scn"; exit 1; }
"$lab" enc.scn -o enc.dmp --memory 64M -t enc.json --symbols store -q ||
	{ echo "FAIL: poolscope-lab enc.scn"; exit 1; }
cmp -s plain.dmp enc.dmp && no "the encoded dump is the plain one"

# ---- the lab's keyword ----------------------------------------------------
refuse() { # scenario file, expected message part
	if "$lab" "$1" -o refused.dmp -q 2>err.txt; then
		no "poolscope-lab accepted $1"
	else
		has err.txt "$2"
	fi
}
{ cat "$src/scenarios/small-x86.scn"; echo "kdbg-encoded yes"; } >x86.scn
line=$(wc -l <x86.scn)
refuse x86.scn "x86.scn:$line: kdbg-encoded: only x64 Windows 8 and later (build 9200+) keep KDBG encoded; this scenario is x86 build 7601"
{ cat "$src/scenarios/seed-env1-x64.scn"; echo "kdbg-encoded yes"; } >win7.scn
line=$(wc -l <win7.scn)
refuse win7.scn "win7.scn:$line: kdbg-encoded: only x64 Windows 8 and later (build 9200+) keep KDBG encoded; this scenario is x64 build 7601"
{ cat plain.scn; echo "kdbg-encoded maybe"; } >maybe.scn
line=$(wc -l <maybe.scn)
refuse maybe.scn "maybe.scn:$line: kdbg-encoded: expected yes or no"
grep -qF '"kdbg_encoded": true' enc.json || no "the truth file does not say kdbg_encoded"
for key in ki_wait_never ki_wait_always kdp_data_block_encoded; do
	grep -qF "\"$key\"" enc.json || no "the truth file lacks $key"
done

# ---- without symbols --------------------------------------------------------
cmds='vertarget; !vm; !poolused 4'
"$bin" -z enc.dmp -c "$cmds" >nosym.out 2>nosym.err || no "poolscope without -y failed"
has nosym.err 'WARNING: KDBG at fffff803`1ae21000 is encoded; decoding needs symbols (OwnerTag reads 0xe55745b1)'
lacks nosym.err 'PARTIALLY CORRUPT'
has nosym.out 'Kernel base = 0xfffff803`1ae1d000 PsLoadedModuleList = 0xfffff803`1ae21610'
has nosym.out 'Windows 10 Kernel Version 17763 MP (4 procs) Free x64'
lacks nosym.out 'Edition build lab:'
has nosym.out '*** no usable KDBG (it is encoded; decoding needs nt'"'"'s PDB): figures only it locates are not shown'
has nosym.out 'unable to get pool usage: unable to get PoolTrackTable: no symbol and no readable KDBG.PoolTrackTable'
# vertarget is the header's but for the KDBG line
"$bin" -z plain.dmp -c vertarget 2>/dev/null | grep -vF 'Edition build lab:' >plain-vt.out
"$bin" -z enc.dmp -c vertarget 2>/dev/null >enc-vt.out
diff -u plain-vt.out enc-vt.out >/dev/null || no "vertarget without symbols differs from the plain dump's beyond the build lab line"

# the attempt to decode leaves no trace on the module list (nt still deferred)
# (the unloaded-driver ring is found through KDBG: the plain dump lists it,
# the still-encoded one cannot until symbols decode the block)
"$bin" -z plain.dmp -c lm 2>/dev/null >plain-lm-all.out
"$bin" -z enc.dmp -c lm 2>/dev/null >enc-lm.out
has plain-lm-all.out 'Unloaded modules:'
lacks enc-lm.out 'Unloaded modules:'
sed '/^$/,$d' plain-lm-all.out >plain-lm.out
diff -u plain-lm.out enc-lm.out || no "lm without symbols differs from the plain dump's"

# ---- with symbols: the plain dump's transcript --------------------------------
cmds='vertarget; lm; !vm 5; !poolused 4; !poolfind Thre 0; .bugcheck; r; dt nt!_EPROCESS UniqueProcessId; lmv m nt'
"$bin" -z plain.dmp -y store -c "$cmds" >plain.out 2>plain.err || no "poolscope on the plain dump failed"
"$bin" -z enc.dmp -y store -c "$cmds" >enc.out 2>enc.err || no "poolscope on the encoded dump failed"
diff -u plain.out enc.out || no "the encoded dump's transcript differs from the plain dump's"
diff -u plain.err enc.err || no "the encoded dump's diagnostics differ from the plain dump's"
has enc.out 'Edition build lab: 17763.1.amd64fre.rs5_release.180914-1434'
has enc.out 'PagedPool Usage:              533 (       2132 Kb)'
has enc.out ' MSKK        0        0       415  1699840 UNKNOWN pooltag'
lacks enc.err 'encoded'
[ "$(wc -l <enc.out)" -gt 80 ] || no "the transcript is too short to mean anything"

# ---- hostile: KiWaitNever is not what the block was encoded with -------------
python3 - <<'EOF' || no "could not patch KiWaitNever"
import json
n = int(json.load(open("enc.json"))["kdbg_encoding"]["ki_wait_never"], 16)
data = bytearray(open("enc.dmp", "rb").read())
needle = n.to_bytes(8, "little")
at = data.find(needle)
assert at >= 0 and data.find(needle, at + 1) < 0, "KiWaitNever's value is not unique in the dump"
data[at:at + 8] = (n ^ 0x100).to_bytes(8, "little")
open("bad.dmp", "wb").write(data)
EOF
"$bin" -z bad.dmp -y store -c 'vertarget; lm; !vm' >bad.out 2>bad.err || no "poolscope on the damaged dump failed"
lacks bad.err 'decoding needs symbols'
has bad.err "WARNING: KDBG at fffff803\`1ae21000 does not decode with KiWaitNever"
has bad.err "OwnerTag reads 0x4742544b, not 'KDBG'"
has bad.err '**************************************************************************'
has bad.err 'THIS DUMP FILE IS PARTIALLY CORRUPT.'
has bad.err 'KdDebuggerDataBlock is not present or unreadable.'
has bad.out 'Kernel base = 0xfffff803`1ae1d000'
has bad.out 'fffff803`1ae1d000 fffff803`1ae28000   nt         (deferred)'
has bad.out '*** no usable KDBG (it is encoded and does not decode): figures only it locates are not shown'

[ "$fail" -eq 0 ] && echo "encoded KDBG: all checks passed"
[ "$fail" -eq 0 ]
