/*
 * unloaded.c - the kernel's list of recently unloaded drivers, as lm's
 * "Unloaded modules:" section lists them.
 *
 * Triage dumps carry the list themselves (dump_triage.c reads it). Full and
 * kernel dumps keep it in nt!MmUnloadedDrivers: KDBG's MmUnloadedDrivers
 * slot (0x220) holds the address of that pointer, which points to a ring of
 * MI_UNLOADED_DRIVERS (50) _UNLOADED_DRIVERS records in nonpaged pool, and
 * its MmLastUnloadedDriver slot (0x228) the address of the ULONG index of the
 * next slot to fill (ReactOS ntoskrnl/mm/ARM3/sysldr.c, MiRememberUnloaded-
 * Driver; volatility's unloadedmodules plugin). The list is read once, when
 * the kernel view opens (and again after an encoded KDBG is decoded), before
 * any symbols, so the record layout comes from the built-in layouts.
 *
 * Order: most recent first, walking back from MmLastUnloadedDriver - 1 and
 * wrapping, which is the order the triage writer stores them in; unused
 * slots (no name) are left out. Names are shown in full: the ring keeps the
 * whole UNICODE_STRING, unlike the triage copy that cuts them to 12
 * characters.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/format.h"
#include "core/utf16.h"
#include "nt/kernel_internal.h"
#include "poolscope/layouts.h"
#include "poolscope/vm.h"

#define MI_UNLOADED_DRIVERS 50
/* A driver file name; anything longer than a path component is garbage. */
#define UNLOADED_MAX_NAME_BYTES 0x200
#define KDBG_MM_UNLOADED_DRIVERS 0x220
#define KDBG_MM_LAST_UNLOADED_DRIVER 0x228

typedef struct ring_layout {
	uint32_t size, name, start, end;
	uint32_t buffer;      /* UNICODE_STRING.Buffer, relative to Name */
} ring_layout;

static int field(const ps_layout *l, const char *name, uint32_t *off)
{
	const ps_layout_field *f = ps_layout_field_named(l, name);

	if (!f)
		return 0;
	*off = f->offset;
	return 1;
}

static int find_layout(ps_kernel *k, ring_layout *r)
{
	const ps_dump_info *info = ps_dump_get_info(k->dump);
	const ps_layout *l = ps_layout_find(info->minor_version, info->arch, "_UNLOADED_DRIVERS");
	const ps_layout *us = ps_layout_find(info->minor_version, info->arch, "_UNICODE_STRING");

	if (!l || !us || !l->size || !field(l, "Name", &r->name) || !field(l, "StartAddress", &r->start) ||
	    !field(l, "EndAddress", &r->end) || !field(us, "Buffer", &r->buffer)) {
		kernel_warn(k, "no _UNLOADED_DRIVERS layout for build %u; unloaded drivers not listed",
			    info->minor_version);
		return 0;
	}
	r->size = l->size;
	return r->size <= 0x100 && r->end + k->pointer_size <= r->size && r->name + r->buffer + k->pointer_size <= r->size;
}

static uint64_t get_ptr(const ps_kernel *k, const uint8_t *p)
{
	return k->pointer_size == 8 ? ps_le64(p) : ps_le32(p);
}

/* One record into `u`: 1 when it names a driver, 0 for an unused slot,
 * -1 (with a warning) when it cannot be read or makes no sense. */
static int read_record(ps_kernel *k, const ring_layout *r, uint64_t va, unsigned slot, ps_triage_unloaded *u)
{
	uint8_t rec[0x100], name[UNLOADED_MAX_NAME_BYTES];
	char a[PS_ADDR_BUF];
	uint16_t len;
	uint64_t buf;

	if (ps_vm_read(k->vm, va, rec, r->size, NULL, NULL) != PS_OK)
		return -1;
	len = ps_le16(rec + r->name);
	buf = get_ptr(k, rec + r->name + r->buffer);
	if (len == 0 || buf == 0)
		return 0;
	if (len > UNLOADED_MAX_NAME_BYTES || (len & 1)) {
		kernel_warn(k, "MmUnloadedDrivers slot %u at %s: name length 0x%x is implausible; entry skipped", slot,
			    ps_format_addr(a, va, k->pointer_size), len);
		return -2;
	}
	if (ps_vm_read(k->vm, ps_vm_canonical(k->vm, buf), name, len, NULL, NULL) != PS_OK) {
		kernel_warn(k, "MmUnloadedDrivers slot %u: name at %s cannot be read; entry skipped", slot,
			    ps_format_addr(a, buf, k->pointer_size));
		return -2;
	}
	ps_utf16_to_utf8(name, len, u->name, sizeof u->name);
	u->start = get_ptr(k, rec + r->start);
	u->end = get_ptr(k, rec + r->end);
	return 1;
}

void kernel_load_unloaded(ps_kernel *k)
{
	char a[PS_ADDR_BUF];
	uint64_t ptr_va, last_va, ring;
	uint32_t last;
	unsigned unreadable = 0;
	ring_layout r;

	free(k->unloaded);
	k->unloaded = NULL;
	k->unloaded_count = 0;
	if (ps_dump_get_info(k->dump)->dump_type == 4 || !k->kdbg)
		return;
	/* A KDBG too short for the slots, or without them: nothing to say. */
	if (ps_kernel_kdbg_field(k, KDBG_MM_UNLOADED_DRIVERS, &ptr_va) != PS_OK ||
	    ps_kernel_kdbg_field(k, KDBG_MM_LAST_UNLOADED_DRIVER, &last_va) != PS_OK || !ptr_va || !last_va)
		return;
	if (!find_layout(k, &r))
		return;
	ptr_va = ps_vm_canonical(k->vm, ptr_va);
	if (ps_vm_read_ptr(k->vm, ptr_va, &ring, NULL) != PS_OK) {
		kernel_warn(k, "nt!MmUnloadedDrivers at %s cannot be read; unloaded drivers not listed",
			    ps_format_addr(a, ptr_va, k->pointer_size));
		return;
	}
	if (!ring)
		return; /* no driver unloaded since boot */
	ring = ps_vm_canonical(k->vm, ring);
	if (ps_vm_read_u32(k->vm, ps_vm_canonical(k->vm, last_va), &last, NULL) != PS_OK) {
		kernel_warn(k, "nt!MmLastUnloadedDriver at %s cannot be read; unloaded drivers not listed",
			    ps_format_addr(a, last_va, k->pointer_size));
		return;
	}
	if (last > MI_UNLOADED_DRIVERS) {
		kernel_warn(k, "nt!MmLastUnloadedDriver is %u, beyond the ring's %d slots; reading the whole ring",
			    last, MI_UNLOADED_DRIVERS);
		last = MI_UNLOADED_DRIVERS;
	}
	k->unloaded = calloc(MI_UNLOADED_DRIVERS, sizeof *k->unloaded);
	if (!k->unloaded) {
		kernel_warn(k, "out of memory for the unloaded-driver list");
		return;
	}
	for (unsigned j = 0; j < MI_UNLOADED_DRIVERS; j++) {
		unsigned slot = (last + 2 * MI_UNLOADED_DRIVERS - 1 - j) % MI_UNLOADED_DRIVERS;
		int got = read_record(k, &r, ring + (uint64_t)slot * r.size, slot, &k->unloaded[k->unloaded_count]);

		if (got == 1)
			k->unloaded_count++;
		else if (got == -1)
			unreadable++;
	}
	if (unreadable)
		kernel_warn(k, "MmUnloadedDrivers ring at %s: %u of %d records cannot be read; they are left out",
			    ps_format_addr(a, ring, k->pointer_size), unreadable, MI_UNLOADED_DRIVERS);
}

size_t ps_kernel_unloaded_count(const ps_kernel *k)
{
	if (k->unloaded)
		return k->unloaded_count;
	return ps_dump_triage_unloaded_count(k->dump);
}

const ps_triage_unloaded *ps_kernel_unloaded(const ps_kernel *k, size_t i)
{
	if (k->unloaded)
		return i < k->unloaded_count ? &k->unloaded[i] : NULL;
	if (i >= ps_dump_triage_unloaded_count(k->dump))
		return NULL;
	return &ps_dump_triage_unloaded(k->dump)[i];
}
