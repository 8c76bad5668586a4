/*
 * unloaded.c - nt!MmUnloadedDrivers, the kernel's ring of recently unloaded
 * drivers, from the scenario's `unloaded` lines.
 *
 * Windows keeps MI_UNLOADED_DRIVERS (50) records in one nonpaged block
 * tagged 'MmDT'; MiRememberUnloadedDriver fills slot MmLastUnloadedDriver,
 * then advances that index, and the record's name is a UNICODE_STRING whose
 * buffer is a separate nonpaged allocation (ReactOS ntoskrnl/mm/ARM3/
 * sysldr.c; volatility's unloadedmodules plugin; Vergilius
 * _UNLOADED_DRIVERS). KDBG's MmUnloadedDrivers and MmLastUnloadedDriver
 * slots (0x220, 0x228) hold the two globals' addresses (kdbg.c).
 */
#include "lab.h"

#include <string.h>

#include "core/bytes.h"

#define MI_UNLOADED_DRIVERS 50
#define TAG_MMDT 0x54446D4Du /* 'MmDT' as stored */

/* _UNLOADED_DRIVERS: Vergilius 6.1.7601 x86/x64 through 10.0.26100 x64;
 * the shape has not changed since Windows XP (volatility vtypes). */
typedef struct unloaded_layout {
	uint32_t size;
	uint32_t name;        /* UNICODE_STRING Name */
	uint32_t name_buffer; /* Name.Buffer inside the record */
	uint32_t start;       /* PVOID StartAddress; EndAddress follows */
	uint32_t time;        /* LARGE_INTEGER CurrentTime */
} unloaded_layout;

static const unloaded_layout layout_x86 = { 0x18, 0x0, 0x4, 0x8, 0x10 };
static const unloaded_layout layout_x64 = { 0x28, 0x0, 0x8, 0x10, 0x20 };

ps_status lab_build_unloaded(lab *l, ps_error *err)
{
	int is64 = lab_ptr_size(&l->pg) == 8;
	const unloaded_layout *lay = is64 ? &layout_x64 : &layout_x86;
	uint8_t ring[0x28 * MI_UNLOADED_DRIVERS] = { 0 };
	uint64_t ring_va, va;
	ps_status st;

	if (l->sc.unloaded_count == 0)
		return PS_OK;
	if ((st = lab_pool_alloc(l, &l->nonpaged, TAG_MMDT, lay->size * MI_UNLOADED_DRIVERS, &ring_va, err)) != PS_OK)
		return st;
	for (size_t i = 0; i < l->sc.unloaded_count; i++) {
		const lab_unloaded_spec *u = &l->sc.unloaded[i];
		uint8_t *e = ring + i * lay->size, name[128];
		size_t len = strlen(u->name);
		uint64_t buf_va;
		/* an unload a few minutes apart each, before the crash */
		uint64_t when = l->sc.system_time - (uint64_t)(l->sc.unloaded_count - i) * 1800000000ull;

		for (size_t c = 0; c < len; c++)
			ps_put_le16(name + 2 * c, (uint8_t)u->name[c]);
		if ((st = lab_pool_alloc(l, &l->nonpaged, TAG_MMDT, (uint32_t)(2 * len), &buf_va, err)) != PS_OK)
			return st;
		if ((st = lab_vwrite(&l->pg, 0, buf_va, name, 2 * len, err)) != PS_OK)
			return st;
		ps_put_le16(e + lay->name, (uint16_t)(2 * len));
		ps_put_le16(e + lay->name + 2, (uint16_t)(2 * len));
		if (is64) {
			ps_put_le64(e + lay->name_buffer, buf_va);
			ps_put_le64(e + lay->start, u->start);
			ps_put_le64(e + lay->start + 8, u->end);
		} else {
			ps_put_le32(e + lay->name_buffer, (uint32_t)buf_va);
			ps_put_le32(e + lay->start, (uint32_t)u->start);
			ps_put_le32(e + lay->start + 4, (uint32_t)u->end);
		}
		ps_put_le64(e + lay->time, when);
	}
	if ((st = lab_vwrite(&l->pg, 0, ring_va, ring, lay->size * MI_UNLOADED_DRIVERS, err)) != PS_OK)
		return st;
	if ((st = lab_write_global_ptr(l, "MmUnloadedDrivers", ring_va, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "MmLastUnloadedDriver", 4, &va, err)) != PS_OK)
		return st;
	if ((st = lab_write_u32(l, va, (uint32_t)(l->sc.unloaded_count % MI_UNLOADED_DRIVERS), err)) != PS_OK)
		return st;
	l->unloaded_ring = ring_va;
	return PS_OK;
}
