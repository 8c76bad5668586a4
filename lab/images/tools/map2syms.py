#!/usr/bin/env python3
"""map2syms.py - turn an lld-link /MAP file into the lab's symbol sidecar.

Writes "<image>.syms": one "name rva" line per public or static symbol
(rva in hex), the list lab_image_symbol() reads at run time, so the C lab
never needs python. i686 names are undecorated the way WinDbg shows them
(_Name -> Name, _Name@12 -> Name, @Name@8 -> Name). Optionally also writes
a GNU .def (decorated names, for dlltool) for the exports listed in the
image's own .def, so mingw-w64 drivers can import from the lab kernel.

usage: map2syms.py MAP OUT.syms ARCH [--def IN.def --gnu-def OUT.def]
"""
import re
import sys

LINE = re.compile(r'^\s*([0-9a-fA-F]{4}):([0-9a-fA-F]{8})\s+(\S+)\s+([0-9a-fA-F]{8,16})\s')


def undecorate(name, arch):
    if arch != 'x86':
        return name
    if name.startswith('@'):                    # fastcall: @Name@8
        return name[1:].split('@')[0]
    if name.startswith('_'):
        name = name[1:]
    m = re.match(r'^(.*)@\d+$', name)           # stdcall: Name@12
    return m.group(1) if m else name


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    map_path, out_path, arch = argv[1], argv[2], argv[3]
    opts = dict(zip(argv[4::2], argv[5::2]))
    base = None
    symbols = {}
    decorated = {}
    with open(map_path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = re.search(r'Preferred load address is ([0-9a-fA-F]+)', line)
            if m:
                base = int(m.group(1), 16)
                continue
            m = LINE.match(line)
            if not m or base is None:
                continue
            raw, va = m.group(3), int(m.group(4), 16)
            if raw.startswith('?') or raw == '@feat.00' or va < base:
                continue
            name = undecorate(raw, arch)
            symbols.setdefault(name, va - base)
            decorated.setdefault(name, raw)
    if base is None:
        sys.exit('map2syms: %s: no "Preferred load address" line' % map_path)
    with open(out_path, 'w') as out:
        out.write('# %s: name rva (hex), from the linker map\n' % out_path.split('/')[-1])
        for name, rva in sorted(symbols.items(), key=lambda kv: (kv[1], kv[0])):
            out.write('%s %x\n' % (name, rva))
    if '--def' in opts and '--gnu-def' in opts:
        write_gnu_def(opts['--def'], opts['--gnu-def'], arch, decorated)


def write_gnu_def(def_path, out_path, arch, decorated):
    lines = []
    with open(def_path) as f:
        for line in f:
            line = line.split(';')[0].strip()
            if not line or line.upper().startswith(('EXPORTS', 'LIBRARY')):
                if line.upper().startswith('LIBRARY'):
                    lines.append(line)
                    lines.append('EXPORTS')
                continue
            parts = line.split()
            name, data = parts[0], 'DATA' in parts[1:]
            if arch == 'x86' and not data:
                raw = decorated.get(name)
                if raw is None:
                    sys.exit('map2syms: export %s not in the map' % name)
                name = raw[1:] if raw.startswith('_') else raw
            lines.append('\t%s%s' % (name, ' DATA' if data else ''))
    with open(out_path, 'w') as out:
        out.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main(sys.argv)
