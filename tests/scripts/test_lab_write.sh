#!/bin/bash
# test_lab_write.sh - poolscope-lab writes every scenario as a full (type 1)
# and a kernel bitmap (type 5) dump: the files exist, their size equals the
# header's RequiredDumpSpace, the magics and DumpType are right, the truth
# file parses and agrees with the dump; hostile scenarios fail with a clear
# message naming the line, never a crash.
set -u
BUILD=${PS_BUILD_DIR:-build}
SRC=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB="$BUILD/poolscope-lab"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

[ -x "$LAB" ] || { echo "FAIL: $LAB not built" >&2; exit 1; }

u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
u64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
str() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null; }

"$LAB" --help >/dev/null && ok || bad "--help"

for scn in seed-env1 seed-env2 seed-env1-x64 seed-env2-x64 seed-env1-1809 small-x86; do
	for type in 1 5; do
		out="$TMP/$scn-$type.dmp"
		truth="$TMP/$scn-$type.json"
		if ! "$LAB" -q "$SRC/scenarios/$scn.scn" -o "$out" --truth "$truth" --type "$type" --memory 64M 2>"$TMP/err"; then
			bad "$scn type $type: $(cat "$TMP/err")"
			continue
		fi
		size=$(stat -c %s "$out")
		case "$(str "$out" 0 8)" in
		PAGEDUMP) hsize=4096; req=$(u64 "$out" $((0xFA0))); dt=$(u32 "$out" $((0xF88))) ;;
		PAGEDU64) hsize=8192; req=$(u64 "$out" $((0xFA0))); dt=$(u32 "$out" $((0xF98))) ;;
		*) bad "$scn type $type: bad magic"; continue ;;
		esac
		[ "$req" = "$size" ] && ok || bad "$scn type $type: RequiredDumpSpace $req != file size $size"
		[ "$dt" = "$type" ] && ok || bad "$scn type $type: DumpType $dt"
		if [ "$type" = 5 ]; then
			[ "$(str "$out" $hsize 8)" = "SDMPDUMP" ] && ok || bad "$scn: no SDMP header"
			first=$(u64 "$out" $((hsize + 0x20)))
			present=$(u64 "$out" $((hsize + 0x28)))
			[ $((first + present * 4096)) = "$size" ] && ok || bad "$scn: FirstPage + pages != size"
		else
			runs_pages=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['physical_memory']['total_pages'])" "$truth")
			[ $((hsize + runs_pages * 4096)) = "$size" ] && ok || bad "$scn type 1: size is not header + RAM"
		fi
		if python3 - "$truth" "$size" "$type" "$scn" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
size, typ, scn = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
assert t["format"] == "poolscope-lab-truth"
assert t["dump"]["type"] == typ and t["dump"]["file_size"] == size
assert t["modules"][0]["name"] == "ntoskrnl.exe"
assert int(t["modules"][0]["base"], 16) == int(t["kernel_base"], 16)
assert t["processes"][0]["name"] == "System" and t["processes"][0]["pid"] == 4
assert all(p["eprocess"] != "0x0" for p in t["processes"])
states = {p["state"] for p in t["probes"]}
assert {"valid", "transition", "pagefile", "demandzero", "invalid"} <= states, states
assert any(p.get("large_page") for p in t["probes"]), "no large-page probe"
assert any(h["module"] == "SIoctl.sys" for h in t["tag_hits"]), "no MSKK in SIoctl"
assert t["mm"]["MmNumberOfPhysicalPages"] == 16384
assert t["kdbg_size"] == ("0x380" if t["build"] == 17763 else "0x340")
if typ == 5:
    assert not any(p["in_dump"] for p in t["probes"] if p["space"] == "process"), "user page in a kernel dump"
PY
		then ok; else bad "$scn type $type: truth check"; fi
	done
done

# Same seed, same dump; another seed, another layout.
"$LAB" -q "$SRC/scenarios/small-x86.scn" -o "$TMP/a.dmp" --memory 32M --type 5 &&
"$LAB" -q "$SRC/scenarios/small-x86.scn" -o "$TMP/b.dmp" --memory 32M --type 5 &&
"$LAB" -q "$SRC/scenarios/small-x86.scn" -o "$TMP/c.dmp" --memory 32M --type 5 --seed 99 || bad "determinism runs"
cmp -s "$TMP/a.dmp" "$TMP/b.dmp" && ok || bad "same seed gave different dumps"
cmp -s "$TMP/a.dmp" "$TMP/c.dmp" && bad "another seed gave the same dump" || ok

# The seed's 2 GiB as a sparse type-1 file.
"$LAB" -q "$SRC/scenarios/seed-env1.scn" -o "$TMP/big.dmp" --type 1 || bad "seed-env1 full size"
[ "$(stat -c %s "$TMP/big.dmp")" = $((4096 + 524174 * 4096)) ] && ok || bad "seed-env1 type 1 size"
rm -f "$TMP/big.dmp"

# Hostile scenarios: exit 1 (not a signal), a message naming file and line.
hostile() { # name expected-message text
	printf '%b' "$3" >"$TMP/$1.scn"
	"$LAB" "$TMP/$1.scn" -o "$TMP/h.dmp" 2>"$TMP/err" >/dev/null
	rc=$?
	[ $rc = 1 ] && ok || bad "$1: exit $rc"
	grep -q -- "$2" "$TMP/err" && ok || bad "$1: expected '$2', got: $(cat "$TMP/err")"
}
HEAD='arch x86-pae\nbuild 7601\nmemory 0x1000-0x9f000\nmemory 0x100000-0x4000000\n'
hostile unknown "unknown.scn:5: unknown keyword 'frobnicate'" "${HEAD}frobnicate 1\n"
hostile badnum "badnum.scn:2: bad number" "arch x64\nbuild 76o1\n"
hostile overlap "overlap.scn:6: SIoctl.sys .*overlaps ntoskrnl.exe" "${HEAD}kernel ntoskrnl.exe base 0x82e0f000\nmodule SIoctl.sys base 0x82e10000\nprocess System pid 4\n"
hostile small "memory too small" "arch x86\nbuild 7601\nmemory 0x1000-0x800000\nkernel ntoskrnl.exe base 0x82e0f000\nprocess System pid 4\n"
hostile align "align.scn:5: module base 0x82e0f800 is not page aligned" "${HEAD}kernel ntoskrnl.exe base 0x82e0f800\n"
hostile noimage "noimage.scn:6:" "${HEAD}kernel ntoskrnl.exe base 0x82e0f000\nmodule nosuch.sys base 0x91000000\nprocess System pid 4\n"
hostile runs "runs.scn:4: memory: .*overlaps" "arch x64\nbuild 7601\nmemory 0x1000-0x9f000\nmemory 0x2000-0x3000\n"
hostile binary "binary.scn:1:" "\x01\x02\x7f\xff"
"$LAB" "$TMP/nonexistent.scn" -o "$TMP/h.dmp" 2>"$TMP/err"; [ $? = 1 ] && grep -q "cannot open" "$TMP/err" && ok || bad "missing scenario"
"$LAB" "$SRC/scenarios/small-x86.scn" -o "$TMP/nodir/x.dmp" 2>"$TMP/err"; [ $? = 1 ] && grep -q "cannot create" "$TMP/err" && ok || bad "unwritable output"
"$LAB" "$SRC/scenarios/small-x86.scn" 2>/dev/null; [ $? = 2 ] && ok || bad "missing -o"

echo "$passes passed, $fails failed"
[ $fails = 0 ]
