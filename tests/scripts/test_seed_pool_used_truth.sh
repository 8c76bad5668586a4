#!/usr/bin/env bash
# test_seed_pool_used_truth.sh - !poolused against what the lab allocated:
# for every seed scenario (Windows 7 x86 PAE, 7 x64, 10 1809 x64; env1 and
# env2) at scale 0.001, with the symbol store (-y) and without it, each
# tag's Allocs (allocations minus frees) and Used bytes in each pool equal
# the truth file's, for every tag the lab allocated (1809 spreads each tag
# over four per-processor tables, so only the sum is right). !poolused 8
# is checked against the first session's tags (small-x86 has session pool). Without -y the tracker
# table size and the per-processor array are found by heuristics, which the
# output must say.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin="$build/poolscope"
lab="$build/poolscope-lab"
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -x "$lab" ] || { echo "FAIL: $lab not built"; exit 1; }
unset _NT_SYMBOL_PATH POOLTAG
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fails=0
for v in seed-env1 seed-env1-x64 seed-env1-1809 seed-env2 seed-env2-x64 seed-env2-1809 small-x86; do
	"$lab" "$src/scenarios/$v.scn" --scale 0.001 -o "$v.dmp" --truth "$v.json" --symbols "store-$v" -q ||
		{ echo "FAIL: $v: poolscope-lab"; fails=$((fails + 1)); continue; }
	"$bin" -z "$v.dmp" -y "store-$v" -c '!poolused 1' >"$v-sym.txt" 2>&1
	"$bin" -z "$v.dmp" -c '!poolused 1' >"$v-nosym.txt" 2>&1
	"$bin" -z "$v.dmp" -y "store-$v" -c '!poolused 9' >"$v-session.txt" 2>&1
	python3 - "$v" <<'PY' || fails=$((fails + 1))
import json, re, sys
v = sys.argv[1]
truth = json.load(open(v + '.json'))
bad = []

def text(key):
    return ''.join(chr(c) if 0x20 <= c < 0x7f else '.' for c in key.to_bytes(4, 'little'))

def expected(sel):
    want = {}
    for t in truth['pool']['tags']:
        if not sel(t):
            continue
        k = text(int(t['key'], 16))
        e = want.setdefault(k, [0, 0, 0, 0])
        i = 0 if t['pool'] == 'nonpaged' else 2
        e[i] += t['allocs'] - t['frees']
        e[i + 1] += t['bytes']
    return want

def parse(path):
    got, lines = {}, open(path).read().splitlines()
    for line in lines:
        if line.startswith(' ') and len(line) > 6 and not line.startswith(' Tag ') and not line.startswith(' TOTAL') \
                and re.match(r'^ .{4}(\s+-?\d+){8} ', line):
            n = line[5:].split()
            got[line[1:5]] = [int(n[2]), int(n[3]), int(n[6]), int(n[7])]
    return got, lines

def compare(name, want, got):
    if not want:
        bad.append('%s: the truth has no tags' % name)
    for k, e in want.items():
        if got.get(k) != e:
            bad.append('%s: tag %r: !poolused %s, truth %s' % (name, k, got.get(k), e))
    for k, g in got.items():
        if k not in want and any(g[i] for i in (0, 1, 2, 3)):
            bad.append('%s: tag %r in !poolused %s but not in the truth' % (name, k, g))

system = expected(lambda t: t['pool'] in ('nonpaged', 'paged'))
for kind in ('sym', 'nosym'):
    got, lines = parse('%s-%s.txt' % (v, kind))
    compare('%s %s' % (v, kind), system, got)
    notes = [l for l in lines if l.startswith('***')]
    if kind == 'nosym' and not any('guessed' in l for l in notes):
        bad.append('%s nosym: no note that the table size was guessed' % v)
    if kind == 'nosym' and truth['pool']['tracker']['per_processor'] and not any('ExPoolTagTables' in l for l in notes):
        bad.append('%s nosym: no note about the per-processor tables' % v)
    if kind == 'sym' and notes:
        bad.append('%s sym: unexpected notes %s' % (v, notes))
sessions = sorted({t['session'] for t in truth['pool']['tags'] if t['pool'] == 'session'})
if sessions:
    got, _ = parse(v + '-session.txt')
    compare('%s session %s' % (v, sessions[0]), expected(lambda t: t['pool'] == 'session' and t['session'] == sessions[0]), got)
for b in bad:
    print('FAIL:', b)
print('%s: %d tags checked, %s' % (v, len(system), 'ok' if not bad else '%d problems' % len(bad)))
sys.exit(1 if bad else 0)
PY
done
[ $fails = 0 ] && echo "all variants match" || echo "$fails variant(s) failed"
[ $fails = 0 ]
