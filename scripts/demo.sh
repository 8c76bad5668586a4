#!/usr/bin/env bash
# demo.sh BUILD - the main job on demo data: the seed's environment 1 (a
# Windows 7 SP1 x86 PAE system whose paged pool was eaten by SIoctl.sys
# allocating tag MSKK), written by the lab at the seed's own scale, then
# investigated step by step with the seed's commands.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$build/demo"
mkdir -p "$out"
dump="$out/seed-env1.dmp"
store="$out/symbols"

rm -rf "$store"
"$build/poolscope-lab" "$root/scenarios/seed-env1.scn" --scale 1 -o "$dump" \
	--truth "$out/seed-env1.json" --symbols "$store"
# As in the seed, the vendor's PDB is not at hand: only Microsoft's are.
rm -rf "$store/SIoctl.pdb"
echo "wrote $dump ($(du -h --apparent-size "$dump" | cut -f1), $(du -h "$dump" | cut -f1) on disk) and its symbol store"

tags=()
if [ -f "$root/../shared/data/pooltag.txt" ]; then
	tags=(--tags "$root/../shared/data/pooltag.txt")
fi
# WinDbg prints times in the local zone; the seed was written in Tokyo.
export TZ=${TZ:-Asia/Tokyo}
kd() { "$build/poolscope" -z "$dump" -y "$store" "${tags[@]}" -c "$1"; }

# The addresses the seed reads off earlier output (the tag hits in nt and
# in the driver, the IAT slot its call goes through) are looked up first; then the
# whole investigation runs as one kd session, as in the article.
hits=$(kd '!for_each_module s -a @#Base @#End "MSKK"' | awk '!/kd>/ && NF > 1 { print $1 }')
first=$(echo "$hits" | head -n 1)
hit=$(echo "$hits" | tail -n 1)
slot=$(kd "u $hit-1" | sed -n 's/.*call .*dword ptr \[.*(\([0-9a-f`]*\))\].*/\1/p' | head -n 1)

echo
kd "!vm 5; !poolused 4; lm; !for_each_module s -a @#Base @#End \"MSKK\"; u $first-1; u $hit-1; ln poi($slot); .formats 4B4B534Dh; lmva $hit"

echo
echo "and in one step, every allocation site of the tag:"
kd '!findtag MSKK'
