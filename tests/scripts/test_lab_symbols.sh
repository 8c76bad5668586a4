#!/bin/bash
# test_lab_symbols.sh - the lab's symbol store and the real Windows types in
# its kernels' PDBs (issue 3, item 6).
#
# poolscope-lab --symbols DIR writes DIR/<image>/<TimeDateStamp><SizeOfImage>/
# <image> and DIR/<pdb>/<GUID><age>/<pdb> for every module of seed-env1
# (7601 x86) and seed-env1-1809 (17763 x64); each PDB's GUID and age, as
# llvm-pdbutil reads them, must be its directory key and the truth file's.
# The kernel PDBs must declare _EPROCESS etc. at formats.md's offsets, and
# the lab writer's own offsets (poolscope-lab --print-profile, lab/profile.c)
# must agree with the PDB's (lab/images/nt/types/): two transcriptions of
# formats.md checking each other.
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
PDBUTIL=$(command -v llvm-pdbutil-14 || command -v llvm-pdbutil) ||
	{ echo "FAIL: llvm-pdbutil (Debian package llvm-14) is needed" >&2; exit 1; }

# A small reader of `llvm-pdbutil dump -types` output: structure sizes,
# member offsets (through nested members: "ApcState.Process"), bitfields,
# enumerators and procedure argument lists.
cat >"$TMP/pdbtypes.py" <<'PY'
import re, subprocess, sys

class Types:
    def __init__(self, pdbutil, pdb):
        out = subprocess.run([pdbutil, 'dump', '-types', pdb], capture_output=True, text=True, check=True).stdout
        self.recs = {}
        cur = None
        head = re.compile(r'^\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+\](?: `(.*)`)?')
        for line in out.splitlines():
            m = head.match(line)
            if m:
                cur = {'kind': m.group(2), 'name': m.group(3), 'lines': []}
                self.recs[int(m.group(1), 16)] = cur
            elif cur is not None:
                cur['lines'].append(line.strip())
        self.complete = {}
        for ti, r in self.recs.items():
            if r['kind'] in ('LF_STRUCTURE', 'LF_UNION', 'LF_ENUM') and not self._forward(r):
                self.complete.setdefault(r['name'], ti)

    @staticmethod
    def _forward(r):
        return any('forward ref' in l for l in r['lines'])

    def _attr(self, r, key):
        for l in r['lines']:
            m = re.search(key + r'(?::| =)? (0x[0-9A-F]+|\d+)', l)
            if m:
                return int(m.group(1), 0)
        return None

    def struct(self, name):
        ti = self.complete.get(name)
        if ti is None:
            raise KeyError('no complete type ' + name)
        return ti

    def size(self, name):
        return self._attr(self.recs[self.struct(name)], 'sizeof')

    def members(self, ti):
        r = self.recs[ti]
        fl = self._attr(r, 'field list')
        res = []
        for l in self.recs[fl]['lines']:
            m = re.match(r'- LF_MEMBER \[name = `(.*?)`, Type = (0x[0-9A-F]+).*?, offset = (\d+)', l)
            if m:
                res.append((m.group(1), int(m.group(2), 16), int(m.group(3))))
        return res

    def resolve(self, ti):
        r = self.recs.get(ti)
        if r and r['kind'] in ('LF_STRUCTURE', 'LF_UNION') and self._forward(r):
            return self.complete.get(r['name'], ti)
        return ti

    def offset(self, path):
        """'_KTHREAD.ApcState.Process' -> (offset, type index of the member)"""
        parts = path.split('.')
        ti, off = self.struct(parts[0]), 0
        for p in parts[1:]:
            for name, mti, moff in self.members(ti):
                if name == p:
                    off += moff
                    ti = self.resolve(mti)
                    break
            else:
                raise KeyError(path)
        return off, ti

    def bitfield(self, path):
        off, ti = self.offset(path)
        r = self.recs[ti]
        m = re.search(r'bit offset = (\d+), # bits = (\d+)', ' '.join(r['lines']))
        return off, int(m.group(1)), int(m.group(2))

    def enumerators(self, name):
        fl = self._attr(self.recs[self.struct(name)], 'field list')
        return [(m.group(1), int(m.group(2))) for m in
                (re.match(r'- LF_ENUMERATE \[(\w+) = (\d+)\]', l) for l in self.recs[fl]['lines']) if m]

    def arguments(self, proc_ti):
        pl = self._attr(self.recs[proc_ti], 'param list')
        return [re.search(r'`(.*)`', l).group(1) for l in self.recs[pl]['lines'] if '`' in l]

def proc_type(pdbutil, pdb, name):
    out = subprocess.run([pdbutil, 'dump', '-symbols', pdb], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    for i, l in enumerate(lines):
        if re.search(r'S_GPROC32 .*`%s`$' % re.escape(name), l):
            return int(re.search(r'type = `(0x[0-9A-F]+)', lines[i + 2]).group(1), 16)
    raise KeyError(name)
PY

store_check() { # scenario dir truth
	python3 - "$PDBUTIL" "$2" "$3" "$TMP" <<'PY'
import json, os, re, subprocess, sys, filecmp
pdbutil, store, truth, tmp = sys.argv[1:5]
t = json.load(open(truth))
bad = 0
def fail(msg):
    global bad
    print('FAIL: ' + msg, file=sys.stderr)
    bad += 1
pdbs = 0
for m in t['modules']:
    name = m['name']
    key = '%08X%x' % (int(m['timestamp'], 16), int(m['size'], 16))
    if m['image_key'] != key:
        fail('%s: truth image_key %s, want %s' % (name, m['image_key'], key))
    img = os.path.join(store, name, key, name)
    if not os.path.isfile(img):
        fail('missing ' + img)
        continue
    data = open(img, 'rb').read()
    pe = int.from_bytes(data[0x3C:0x40], 'little')
    if data[pe:pe + 4] != b'PE\0\0' or int.from_bytes(data[pe + 8:pe + 12], 'little') != int(m['timestamp'], 16):
        fail('%s: the stored image is not the PE file with TimeDateStamp %s' % (img, m['timestamp']))
    if 'pdb_path' not in m:
        if 'pdb_key' in m:
            fail('%s: a PDB key without a PDB path' % name)
        continue
    pdb = m['pdb_path'].replace('\\', '/').split('/')[-1]
    path = os.path.join(store, pdb, m['pdb_key'], pdb)
    if not os.path.isfile(path):
        fail('missing ' + path)
        continue
    pdbs += 1
    s = subprocess.run([pdbutil, 'dump', '-summary', path], capture_output=True, text=True).stdout
    g = re.search(r'GUID: \{([0-9A-F-]+)\}', s)
    a = re.search(r'Age: (\d+)', s)
    if not g or not a:
        fail('%s: llvm-pdbutil reads no GUID/age' % path)
        continue
    # llvm-pdbutil prints the GUID in registry form, Data1-Data2-Data3-Data4.
    want = g.group(1).replace('-', '') + '%X' % int(a.group(1))
    if want != m['pdb_key']:
        fail('%s: directory key %s, the PDB says %s' % (name, m['pdb_key'], want))
    if g.group(1) != m['pdb_guid'] or int(a.group(1)) != m['pdb_age']:
        fail('%s: truth GUID/age %s/%s, the PDB says %s/%s' % (name, m['pdb_guid'], m['pdb_age'], g.group(1), a.group(1)))
# Nothing else in the store: one directory per image name and PDB name.
entries = sorted(os.listdir(store))
want = sorted(set([m['name'] for m in t['modules']] +
                  [m['pdb_path'].replace('\\', '/').split('/')[-1] for m in t['modules'] if 'pdb_path' in m]))
if entries != want:
    fail('store entries %s, want %s' % (entries, want))
if pdbs < 6:
    fail('only %d PDBs in the store' % pdbs)
kernel = [m for m in t['modules'] if m['name'] == 'ntoskrnl.exe'][0]
print(os.path.join(store, 'ntoskrnl.pdb', kernel['pdb_key'], 'ntoskrnl.pdb'))
sys.exit(1 if bad else 0)
PY
}

declare -A KPDB
for pair in "seed-env1 7601-x86" "seed-env1-1809 17763-x64"; do
	set -- $pair
	scn=$1 tag=$2
	if ! "$LAB" -q "$SRC/scenarios/$scn.scn" -o "$TMP/$scn.dmp" --truth "$TMP/$scn.json" \
		--symbols "$TMP/store-$scn" 2>"$TMP/err"; then
		bad "$scn: $(cat "$TMP/err")"
		continue
	fi
	if KPDB[$tag]=$(store_check "$scn" "$TMP/store-$scn" "$TMP/$scn.json"); then ok; else bad "$scn: symbol store"; fi
	# Writing the same store again keeps it as it is.
	"$LAB" -q "$SRC/scenarios/$scn.scn" -o "$TMP/$scn.dmp" --symbols "$TMP/store-$scn" 2>"$TMP/err" &&
		ok || bad "$scn: second run into the same store: $(cat "$TMP/err")"
done
# The 7601 x64 kernel, for the profile check.
"$LAB" -q "$SRC/scenarios/seed-env1-x64.scn" -o "$TMP/x64.dmp" --truth "$TMP/x64.json" \
	--symbols "$TMP/store-x64" 2>"$TMP/err" || bad "seed-env1-x64: $(cat "$TMP/err")"
KPDB[7601-x64]=$(store_check seed-env1-x64 "$TMP/store-x64" "$TMP/x64.json") && ok || bad "seed-env1-x64: symbol store"

# x86 and x64 lab drivers share image keys: a second architecture in the
# same store is refused with a message, never silently mixed.
"$LAB" -q "$SRC/scenarios/seed-env1.scn" -o "$TMP/mix.dmp" --symbols "$TMP/store-seed-env1-1809" 2>"$TMP/err"
rc=$?
[ $rc = 1 ] && grep -q "already holds a different file under this key" "$TMP/err" && ok ||
	bad "mixed architectures in one store: exit $rc, $(cat "$TMP/err")"
# An unwritable store: exit 1, the path in the message.
"$LAB" -q "$SRC/scenarios/small-x86.scn" -o "$TMP/u.dmp" --symbols "$TMP/nodir/sub" 2>"$TMP/err"
rc=$?
[ $rc = 1 ] && grep -q "nodir/sub: cannot create directory" "$TMP/err" && ok || bad "unwritable store: exit $rc, $(cat "$TMP/err")"

# The kernels' types, as llvm-pdbutil reads them.
python3 - "$PDBUTIL" "$TMP" "${KPDB[7601-x86]:-none}" "${KPDB[7601-x64]:-none}" "${KPDB[17763-x64]:-none}" "$LAB" <<'PY'
import subprocess, sys
sys.path.insert(0, sys.argv[2])
from pdbtypes import Types, proc_type
pdbutil, tmp, x86, x64, rs5, lab = sys.argv[1:7]
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print('FAIL: %s: %r, want %r' % (what, got, want), file=sys.stderr)
        bad += 1

t86, t64, t17 = Types(pdbutil, x86), Types(pdbutil, x64), Types(pdbutil, rs5)
# The brief's spot values (formats.md §5.2).
check('7601 x86 sizeof _EPROCESS', t86.size('_EPROCESS'), 0x2C0)
check('7601 x86 _EPROCESS.UniqueProcessId', t86.offset('_EPROCESS.UniqueProcessId')[0], 0xB4)
check('17763 sizeof _EPROCESS', t17.size('_EPROCESS'), 0x850)
check('17763 _EPROCESS.UniqueProcessId', t17.offset('_EPROCESS.UniqueProcessId')[0], 0x2E0)
check('7601 x64 sizeof _EPROCESS', t64.size('_EPROCESS'), 0x4D0)
# Every type the later issues read is declared, with its formats.md size.
for t, name, sizes in ((t86, '7601 x86', {'_POOL_HEADER': 8, '_POOL_TRACKER_TABLE': 0x1C, '_POOL_TRACKER_BIG_PAGES': 0x10,
                                          '_POOL_DESCRIPTOR': 0x1140, '_KDDEBUGGER_DATA64': 0x340, '_ETHREAD': 0x2B8,
                                          '_KTHREAD': 0x200, '_HANDLE_TABLE_ENTRY': 8, '_DBGKD_GET_VERSION64': 0x28}),
                       (t64, '7601 x64', {'_POOL_HEADER': 0x10, '_POOL_TRACKER_TABLE': 0x28, '_POOL_TRACKER_BIG_PAGES': 0x18,
                                          '_POOL_DESCRIPTOR': 0x1140, '_KDDEBUGGER_DATA64': 0x340, '_ETHREAD': 0x498,
                                          '_KTHREAD': 0x360, '_HANDLE_TABLE_ENTRY': 0x10}),
                       (t17, '17763', {'_POOL_HEADER': 0x10, '_POOL_TRACKER_TABLE': 0x38, '_POOL_TRACKER_BIG_PAGES': 0x18,
                                       '_POOL_DESCRIPTOR': 0x1140, '_KDDEBUGGER_DATA64': 0x380, '_ETHREAD': 0x810,
                                       '_KTHREAD': 0x5F0, '_HANDLE_TABLE': 0x80, '_HANDLE_TABLE_ENTRY': 0x10})):
    for s, size in sizes.items():
        check('%s sizeof %s' % (name, s), t.size(s), size)
    for s in ('_OBJECT_HEADER', '_OBJECT_TYPE', '_HANDLE_TABLE', '_KLDR_DATA_TABLE_ENTRY', '_KPRCB',
              '_MM_SESSION_SPACE', '_OBJECT_HEADER_NAME_INFO', '_OBJECT_HEADER_CREATOR_INFO',
              '_OBJECT_HEADER_QUOTA_INFO', '_CLIENT_ID', '_EX_FAST_REF', '_KPROCESS'):
        try:
            t.size(s)
        except KeyError:
            check('%s declares %s' % (name, s), False, True)
# Bitfields of POOL_HEADER (formats.md §3.1): x86 9/7/9/7 on USHORTs.
check('x86 PreviousSize', t86.bitfield('_POOL_HEADER.PreviousSize'), (0, 0, 9))
check('x86 PoolIndex', t86.bitfield('_POOL_HEADER.PoolIndex'), (0, 9, 7))
check('x86 BlockSize', t86.bitfield('_POOL_HEADER.BlockSize'), (2, 0, 9))
check('x86 PoolType', t86.bitfield('_POOL_HEADER.PoolType'), (2, 9, 7))
for t, name in ((t64, '7601 x64'), (t17, '17763')):
    check(name + ' BlockSize', t.bitfield('_POOL_HEADER.BlockSize')[1:], (16, 8) if t is t64 else (0, 8))
    check(name + ' PoolTag', t.offset('_POOL_HEADER.PoolTag')[0], 4)
check('17763 TypeIndex', t17.offset('_OBJECT_HEADER.TypeIndex')[0], 0x18)
check('17763 PoolTrackTable order', t17.offset('_POOL_TRACKER_TABLE.NonPagedBytes')[0], 8)
check('7601 x64 PoolTrackTable order', t64.offset('_POOL_TRACKER_TABLE.NonPagedBytes')[0], 0x10)
# _POOL_TYPE: Windows 7 without the no-execute types, 1809 with them.
e86, e17 = dict(t86.enumerators('_POOL_TYPE')), dict(t17.enumerators('_POOL_TYPE'))
check('7601 _POOL_TYPE', [e86.get(k) for k in ('NonPagedPool', 'PagedPool', 'NonPagedPoolMustSucceed',
      'DontUseThisType', 'NonPagedPoolCacheAligned', 'PagedPoolCacheAligned', 'NonPagedPoolCacheAlignedMustS',
      'NonPagedPoolSession', 'PagedPoolSession', 'NonPagedPoolNx')], [0, 1, 2, 3, 4, 5, 6, 32, 33, None])
check('17763 NonPagedPoolNx', e17.get('NonPagedPoolNx'), 512)
# The seed's "Exact matches: nt!ExAllocatePoolWithTag (_POOL_TYPE, unsigned long, unsigned long)".
check('x86 ExAllocatePoolWithTag arguments', t86.arguments(proc_type(pdbutil, x86, 'ExAllocatePoolWithTag')),
      ['_POOL_TYPE', 'unsigned long', 'unsigned long'])

# The lab writer's offsets against the PDB's.
for arch, build, t in (('x86', '7601', t86), ('x86-pae', '7601', t86), ('x64', '7601', t64), ('x64', '17763', t17)):
    out = subprocess.run([lab, '--print-profile', arch, build], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    n = 0
    for line in out.splitlines():
        parts = line.split()
        if parts[1] == 'sizeof':
            check('%s %s sizeof %s' % (arch, build, parts[0]), t.size(parts[0]), int(parts[2], 16))
        else:
            check('%s %s %s' % (arch, build, parts[0]), t.offset(parts[0])[0], int(parts[1], 16))
        n += 1
    check('%s %s profile lines' % (arch, build), n >= 30, True)
sys.exit(1 if bad else 0)
PY
[ $? = 0 ] && ok || bad "kernel PDB types"

"$LAB" --print-profile x64 1234 >/dev/null 2>"$TMP/err"; [ $? = 2 ] && grep -q "no such arch and build" "$TMP/err" && ok ||
	bad "--print-profile of an unknown build"

echo "$passes passed, $fails failed"
[ $fails = 0 ]
