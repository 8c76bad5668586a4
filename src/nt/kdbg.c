/*
 * kdbg.c - finding and checking KDDEBUGGER_DATA64 ("KDBG").
 *
 * Triage dumps carry a copy of the block (DebuggerDataOffset); other dumps
 * name its VA in the header (KdDebuggerDataBlock) and we read it through the
 * kernel space. Either way the 0x18-byte DBGKD_DEBUG_DATA_HEADER64 must say
 * OwnerTag 'KDBG' at +0x10, and Size at +0x14 tells how much follows
 * (formats.md §2.1). On Windows 8+ x64 the in-memory block may be encoded
 * (formats.md §2.4); decoding needs KiWaitNever, KiWaitAlways and
 * KdpDataBlockEncoded, which only symbols give, and symbols come after the
 * kernel view: here such a block is only recorded and reported, and
 * kdbg_decode.c decodes it when the caller has the three values.
 */
#include "nt/kernel_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/format.h"

#define WIN8_BUILD 9200


static uint64_t mask(const ps_kernel *k, uint64_t v)
{
	return k->pointer_size == 4 ? v & 0xFFFFFFFFu : v;
}

void kernel_adopt_kdbg(ps_kernel *k, const uint8_t *bytes, size_t avail, uint64_t va, const char *where)
{
	uint32_t size = ps_le32(bytes + 0x14);
	size_t use = size;
	char a[20];

	if (size < KDBG_MIN_SIZE || size > KDBG_MAX_SIZE) {
		kernel_warn(k, "%s at %s: Header.Size 0x%x is implausible; using the 0x%zx bytes at hand",
			    where, ps_format_addr(a, va, k->pointer_size), size, avail);
		use = avail;
	} else if (size > avail) {
		kernel_warn(k, "%s at %s: Header.Size is 0x%x but only 0x%zx bytes could be read",
			    where, ps_format_addr(a, va, k->pointer_size), size, avail);
		use = avail;
	}
	if (use > KDBG_MAX_SIZE)
		use = KDBG_MAX_SIZE;
	k->kdbg_buffer = use > KDBG_MIN_BUFFER ? use : KDBG_MIN_BUFFER;
	k->kdbg = calloc(1, k->kdbg_buffer);
	if (!k->kdbg) {
		kernel_warn(k, "out of memory for the KDBG block");
		return;
	}
	memcpy(k->kdbg, bytes, use);
	k->kdbg_size = use;
	k->kdbg_va = va;
	if (use >= 0x20)
		k->kernel_base = mask(k, ps_le64(k->kdbg + 0x18));
}

static int tag_ok(ps_kernel *k, const uint8_t *h, uint64_t va, const char *where)
{
	const ps_dump_info *info = ps_dump_get_info(k->dump);
	uint32_t tag = ps_le32(h + 0x10);
	char a[20];

	if (tag == KDBG_OWNER_TAG)
		return 1;
	if (info->arch == PS_ARCH_X64 && info->minor_version >= WIN8_BUILD) {
		/* The first such block is the one to decode: the triage copy
		 * when there is one (it is what the dump kept). */
		if (!k->kdbg_encoded) {
			k->kdbg_encoded = 1;
			k->kdbg_encoded_va = va;
			k->kdbg_encoded_copy = h == ps_dump_triage_kdbg(k->dump, NULL);
			k->kdbg_encoded_warning = k->warnings.count;
		}
		kernel_warn(k, "KDBG at %s is encoded; decoding needs symbols (OwnerTag reads 0x%08x)",
			    ps_format_addr(a, va, k->pointer_size), tag);
		if (k->warnings.count <= k->kdbg_encoded_warning)
			k->kdbg_encoded_warning = SIZE_MAX;
	} else
		kernel_warn(k, "%s at %s: OwnerTag 0x%08x is not 'KDBG'", where, ps_format_addr(a, va, k->pointer_size), tag);
	return 0;
}

static void read_from_memory(ps_kernel *k, uint64_t va)
{
	uint8_t head[0x18], *block;
	size_t done = 0, want;
	ps_error err;
	ps_status st;
	char a[20];

	st = ps_vm_read(k->vm, va, head, sizeof head, NULL, &err);
	if (st != PS_OK) {
		kernel_warn(k, "KDBG at %s cannot be read: %s", ps_format_addr(a, va, k->pointer_size), err.message);
		return;
	}
	if (!tag_ok(k, head, va, "KDBG"))
		return;
	want = ps_le32(head + 0x14);
	if (want < sizeof head || want > KDBG_MAX_SIZE)
		want = KDBG_MAX_SIZE;
	block = malloc(want);
	if (!block) {
		kernel_warn(k, "out of memory for the KDBG block");
		return;
	}
	st = ps_vm_read(k->vm, va, block, want, &done, &err);
	if (st != PS_OK && done < sizeof head) {
		memcpy(block, head, sizeof head);
		done = sizeof head;
	}
	kernel_adopt_kdbg(k, block, st == PS_OK ? want : done, va, "KDBG");
	free(block);
}

void kernel_find_kdbg(ps_kernel *k)
{
	const ps_dump_info *info = ps_dump_get_info(k->dump);
	uint64_t va = ps_vm_canonical(k->vm, info->kd_debugger_data_block);
	size_t size = 0;
	const uint8_t *copy = ps_dump_triage_kdbg(k->dump, &size);

	if (copy) {
		if (size < 0x18) {
			kernel_warn(k, "the triage dump's KDBG copy is only 0x%zx bytes", size);
		} else if (tag_ok(k, copy, va, "the triage dump's KDBG copy")) {
			kernel_adopt_kdbg(k, copy, size, va, "the triage dump's KDBG copy");
			return;
		}
	}
	/* A header field never filled in still reads 'PAGE' (formats.md §1.1). */
	if (!va || (uint32_t)va == 0x45474150u) {
		if (!copy)
			kernel_warn(k, "the dump header gives no KdDebuggerDataBlock address");
		return;
	}
	/* A rejected triage copy: the block itself is rarely stored too. */
	if (copy && ps_dump_triage_va(k->dump, va, NULL) == NULL)
		return;
	read_from_memory(k, va);
}

ps_status ps_kernel_kdbg(const ps_kernel *k, const uint8_t **raw, size_t *size, uint64_t *va)
{
	if (!k->kdbg)
		return PS_ENOTFOUND;
	if (raw)
		*raw = k->kdbg;
	if (size)
		*size = k->kdbg_size;
	if (va)
		*va = k->kdbg_va;
	return PS_OK;
}

ps_status ps_kernel_kdbg_field(const ps_kernel *k, unsigned offset, uint64_t *value)
{
	if (!k->kdbg || !ps_in_bounds(offset, 8, k->kdbg_size))
		return PS_ENOTFOUND;
	*value = mask(k, ps_le64(k->kdbg + offset));
	return PS_OK;
}
