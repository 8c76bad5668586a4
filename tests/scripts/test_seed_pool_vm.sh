#!/usr/bin/env bash
# test_seed_pool_vm.sh - !vm against the lab: every figure of every seed
# scenario (Windows 7 x86 PAE, 7 x64, 10 1809; env1 and env2) at scale
# 0.001 equals the truth file's vm section, with the symbol store and
# without it (then the lines that need the PDB are left out and a note names
# them), the paging files equal the truth's (with the PDB) or are named in
# that note (without); env2 shows the Excessive NonPaged Pool Usage banner and env1 the
# failure banner; and seed-env1 at scale 1 prints the seed's `!vm 5` figures
# byte for byte (tests/golden/pool/vm-seed-env1.txt).
# To update the golden file after a deliberate change: PS_UPDATE_GOLDEN=1.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin="$build/poolscope"
lab="$build/poolscope-lab"
golden="$src/tests/golden/pool"
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }
unset _NT_SYMBOL_PATH POOLTAG
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fails=0
for v in seed-env1 seed-env1-x64 seed-env1-1809 seed-env2 seed-env2-x64 seed-env2-1809; do
	"$lab" "$src/scenarios/$v.scn" --scale 0.001 -o "$v.dmp" --truth "$v.json" --symbols "store-$v" -q ||
		{ echo "FAIL: $v: poolscope-lab"; fails=$((fails + 1)); continue; }
	"$bin" -z "$v.dmp" -y "store-$v" -c '!vm 5' >"$v-sym.txt" 2>&1
	"$bin" -z "$v.dmp" -c '!vm 5' >"$v-nosym.txt" 2>&1
	python3 - "$v" <<'PY' || fails=$((fails + 1))
import json, re, sys
v = sys.argv[1]
truth = json.load(open(v + '.json'))
vm = truth['pool']['vm']
labels = {'Physical Memory': 'physical-memory', 'Available Pages': 'available', 'ResAvail Pages': 'resavail',
          'Locked IO Pages': 'locked-io', 'Free System PTEs': 'free-system-ptes', 'Modified Pages': 'modified',
          'Modified PF Pages': 'modified-pf', 'NonPagedPool Usage': 'nonpaged-usage',
          'NonPagedPool Max': 'nonpaged-max', 'PagedPool Usage': 'paged-usage', 'PagedPool Maximum': 'paged-max',
          'Shared Commit': 'shared-commit', 'Special Pool': 'special-pool', 'Shared Process': 'shared-process',
          'PagedPool Commit': 'paged-commit', 'Driver Commit': 'driver-commit', 'Committed pages': 'committed',
          'Commit limit': 'commit-limit', 'Modified No Write Pages': 'modified-no-write'}
pdb_only = {'locked-io', 'free-system-ptes', 'modified-pf', 'special-pool', 'failures'}
bad = []
for kind in ('sym', 'nosym'):
    text = open('%s-%s.txt' % (v, kind)).read()
    got, session = {}, None
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r'^(.*?):\s+(\d+) \(\s*(\d+) Kb\)$', line)
        if m:
            label, pages, kb = m.group(1), int(m.group(2)), int(m.group(3))
            if kb != pages * 4:
                bad.append('%s %s: %r: %d pages but %d Kb' % (v, kind, label, pages, kb))
            p = re.match(r'^PagedPool\s+(\d+)(?: Usage)?$', label)
            key = 'paged-usage-' + p.group(1) if p else labels.get(label)
            if key is None:
                bad.append('%s %s: unknown line %r' % (v, kind, line))
            got[key] = pages
            continue
        m = re.match(r'^\*+ (\d+) pool allocations have failed', line)
        if m:
            got['failures'] = int(m.group(1))
        m = re.match(r'^Session ID (\w+) @', line)
        if m:
            session = int(m.group(1), 16)
        m = re.match(r'^(Paged Pool|Commit) Usage:\s+(\d+) ?K', line)
        if m and session is not None:
            got['session-%d-%s' % (session, 'paged-pool' if m.group(1) == 'Paged Pool' else 'commit')] = int(m.group(2)) // 4
    for key, want in vm.items():
        if kind == 'nosym' and key in pdb_only:
            if key in got:
                bad.append('%s nosym: %s shown without symbols' % (v, key))
            continue
        if (key == 'failures' and want == 0) or (key == 'modified-no-write' and kind == 'sym' and key not in got):
            continue
        if got.get(key) != want:
            bad.append('%s %s: %s = %s, truth %s' % (v, kind, key, got.get(key), want))
    if 'locked-io' not in vm and kind == 'sym' and got.get('locked-io') not in (0, None):
        bad.append('%s: locked-io %s' % (v, got.get('locked-io')))
    if kind == 'nosym' and 'not shown' not in text:
        bad.append('%s nosym: no note about the lines left out' % v)
    # The paging files: name, Current, Free Space, Minimum, Maximum in Kb
    # with the PDB; without it no Page File lines and the note names them.
    pf_got = re.findall(r'Page File: (.*)\n\s*Current:\s+(\d+) Kb  Free Space:\s+(\d+) Kb\n'
                        r'\s*Minimum:\s+(\d+) Kb  Maximum:\s+(\d+) Kb\n', text)
    pf_want = [(f['name'], str(f['current_kb']), str(f['free_kb']), str(f['minimum_kb']), str(f['maximum_kb']))
               for f in truth['pool']['pagefiles']]
    if not pf_want:
        bad.append('%s: the scenario has no pagefile line' % v)
    if kind == 'sym' and pf_got != pf_want:
        bad.append('%s sym: paging files %r, truth %r' % (v, pf_got, pf_want))
    if kind == 'nosym' and (pf_got or 'Page File' not in text):
        bad.append('%s nosym: Page File lines without symbols, or no note' % v)
    if v.startswith('seed-env2') and 'Excessive NonPaged Pool Usage' not in text:
        bad.append('%s %s: no Excessive NonPaged Pool Usage banner' % (v, kind))
    if kind == 'sym' and vm['failures'] and 'pool allocations have failed' not in text:
        bad.append('%s: no failure banner' % v)
for b in bad:
    print('FAIL:', b)
print('%s: %d figures, %s' % (v, len(vm), 'ok' if not bad else '%d problems' % len(bad)))
sys.exit(1 if bad else 0)
PY
done

# The seed's !vm 5, at scale 1 (28 MB on disk, about a second).
"$lab" "$src/scenarios/seed-env1.scn" --scale 1 -o env1.dmp --symbols store -q ||
	{ echo "FAIL: poolscope-lab at scale 1"; exit 1; }
"$bin" -z env1.dmp -y store -c '!vm 5' >vm-seed-env1.txt 2>&1
if [ "${PS_UPDATE_GOLDEN:-}" = 1 ]; then
	cp vm-seed-env1.txt "$golden/vm-seed-env1.txt"
elif ! diff -u "$golden/vm-seed-env1.txt" vm-seed-env1.txt; then
	echo "FAIL: !vm 5 on seed-env1 differs from its golden output"
	fails=$((fails + 1))
fi
for want in 'PagedPool Usage:      428544 (   1714176 Kb)' 'PagedPool Maximum:    523264 (   2093056 Kb)' \
	'	Page File: \??\C:\pagefile.sys' '	  Current:   2096696 Kb  Free Space:   2096692 Kb' \
	'	  Minimum:   2096696 Kb  Maximum:      6290088 Kb' \
	'********** 34553 pool allocations have failed **********'; do
	grep -qF -- "$want" vm-seed-env1.txt || { echo "FAIL: no '$want'"; fails=$((fails + 1)); }
done
[ $fails = 0 ] && echo "!vm matches" || echo "$fails failure(s)"
[ $fails = 0 ]
