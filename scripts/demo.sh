#!/usr/bin/env bash
# demo.sh BUILD - the main job on demo data: write the seed's environment-1
# dump with the lab (Windows 7 SP1 x86 PAE, SIoctl.sys allocating tag MSKK)
# and run on it the seed's commands that exist so far.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$build/demo"
mkdir -p "$out"

"$build/poolscope-lab" "$root/scenarios/seed-env1.scn" -o "$out/seed-env1.dmp" --truth "$out/seed-env1.json"
echo "wrote $out/seed-env1.dmp ($(du -h --apparent-size "$out/seed-env1.dmp" | cut -f1))"
echo

ps() { "$build/poolscope" -z "$out/seed-env1.dmp" -c "$1"; }

ps 'lm'
hits=$(ps '!for_each_module s -a @#Base @#End "MSKK"')
printf '%s\n' "$hits"
# The seed's step 9: the module that holds the hit outside nt.
hit=$(printf '%s\n' "$hits" | awk '!/kd>/ && NF > 1 { a = $1 } END { print a }')
if [ -n "$hit" ]; then
	ps "lmva $hit"
fi
TZ=${TZ:-Asia/Tokyo} ps '.formats 4B4B534Dh'
