#!/usr/bin/env python3
"""check_sioctl.py - fail the build when SIoctl.sys drifts from the seed.

The article's evidence is a byte sequence: on i686,
    SIoctl+0x4323: 68 4d 53 4b 4b  push 4B4B534Dh
                   68 00 10 00 00  push 1000h
                   6a 01           push 1
                   ff 15 <IAT>     call dword ptr [SIoctl+0x2010]
                   4e              dec esi
                   75 eb           jne SIoctl+0x4323
                   cc              int 3
                   eb 07           jmp SIoctl+0x4342
with SizeOfImage 0x8000, TimeDateStamp 4BC2E9C4 and CheckSum 000106CF. On x86_64 the loop is
mov ecx,1 / mov edx,1000h / mov r8d,4B4B534Dh / call [__imp_ExAllocatePoolWithTag]
/ dec esi / jne. A compiler change can silently move registers or hoist
the IAT load, so the build checks the bytes here (in the file, no loader).

usage: check_sioctl.py SIoctl.sys x86|x64
"""
import struct
import sys


def fail(msg):
    sys.exit('check_sioctl: %s' % msg)


def main(path, arch):
    data = open(path, 'rb').read()
    pe = struct.unpack_from('<I', data, 0x3C)[0]
    nsec, stamp = struct.unpack_from('<HI', data, pe + 6)
    optsize = struct.unpack_from('<H', data, pe + 20)[0]
    opt = pe + 24
    base = struct.unpack_from('<I' if arch == 'x86' else '<Q', data, opt + (28 if arch == 'x86' else 24))[0]
    size_of_image = struct.unpack_from('<I', data, opt + 56)[0]
    sections = []
    for i in range(nsec):
        s = opt + optsize + 40 * i
        name = data[s:s + 8].rstrip(b'\0').decode()
        vsize, va, rawsize, raw = struct.unpack_from('<IIII', data, s + 8)
        sections.append((name, va, vsize, raw, rawsize))

    def read(rva, n):
        for _, va, vsize, raw, rawsize in sections:
            if va <= rva and rva + n <= va + min(vsize, rawsize):
                return data[raw + rva - va: raw + rva - va + n]
        fail('%s: RVA %#x not in the file' % (path, rva))

    # The PE checksum (imagehlp's CheckSumMappedFile): 16-bit words summed
    # with end-around carry, the CheckSum field taken as zero, plus the
    # file length. Computed here independently of pe_stamp.
    field = opt + 64
    total = 0
    for i in range(0, len(data) - 1, 2):
        if i in (field, field + 2):
            continue
        total += data[i] | data[i + 1] << 8
        total = (total & 0xFFFF) + (total >> 16)
    if len(data) & 1:
        total += data[-1]
        total = (total & 0xFFFF) + (total >> 16)
    total = ((total & 0xFFFF) + (total >> 16)) + len(data)
    stored = struct.unpack_from('<I', data, field)[0]
    if stored != total:
        fail('%s: CheckSum field %08X, the file sums to %08X' % (path, stored, total))
    if arch == 'x86' and stored != 0x106CF:
        fail('%s: CheckSum %08X, want the seed\'s 000106CF' % (path, stored))
    if stamp != 0x4BC2E9C4:
        fail('%s: TimeDateStamp %08X, want 4BC2E9C4' % (path, stamp))
    if arch == 'x86':
        if size_of_image != 0x8000:
            fail('%s: SizeOfImage %#x, want 0x8000' % (path, size_of_image))
        want = (bytes.fromhex('684d534b4b 6800100000 6a01 ff15') +
                struct.pack('<I', base + 0x2010) + bytes.fromhex('4e 75eb cc eb07'))
        got = read(0x4323, len(want))
        if got != want:
            fail('%s: at RVA 0x4323 %s, want %s' % (path, got.hex(' '), want.hex(' ')))
    else:
        page = [s for s in sections if s[0] == 'PAGE']
        if not page:
            fail('%s: no PAGE section' % path)
        _, va, vsize, raw, rawsize = page[0]
        code = data[raw:raw + min(vsize, rawsize)]
        head = bytes.fromhex('b901000000 ba00100000 41b84d534b4b ff15')
        at = code.find(head)
        if at < 0:
            fail('%s: PAGE has no "mov ecx,1 / mov edx,1000h / mov r8d,4B4B534Dh / call [rip+x]"' % path)
        rel = struct.unpack_from('<i', code, at + len(head))[0]
        slot = va + at + len(head) + 4 + rel
        tail = code[at + len(head) + 4: at + len(head) + 8]
        if tail[:2] != b'\xff\xce' or tail[2] != 0x75:
            fail('%s: loop does not end with "dec esi / jne": %s' % (path, tail.hex(' ')))
        if slot != 0x2020:
            fail('%s: call goes through RVA %#x, want the ExAllocatePoolWithTag slot 0x2020' % (path, slot))


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[2] not in ('x86', 'x64'):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
