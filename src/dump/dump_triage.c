/*
 * dump_triage.c - triage (small) dumps, DumpType 4.
 *
 * A triage dump stores no physical pages. Right after the main header a
 * TRIAGE_DUMP header (formats.md §1.7) gives file offsets of what the
 * kernel chose to save: the driver list with its string pool, a copy of
 * KDBG, the current thread's stack, one "data page" and a list of data
 * blocks, each a virtual range copied verbatim. The virtual ranges are
 * exposed as ps_triage_block, sorted and made disjoint at open so that a
 * lookup by VA is a binary search. Layout details and how they were checked
 * against a real dump: docs/dump-formats.md.
 */
#include "dump/dump_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/utf16.h"

#define TRIAGE_VALID 0x44475254u /* 'TRGD' at ValidOffset */

/* Where TRIAGE_DUMP32/64 keep the fields that differ in position. */
typedef struct triage_layout {
	uint32_t size;
	uint32_t ptr_size;
	uint32_t data_page_address, data_page_offset, data_page_size,
		debugger_data_offset, debugger_data_size, data_blocks_offset,
		data_blocks_count;
	uint32_t block_size;     /* {VA, u32 FileOffset, u32 Size} */
	uint32_t driver_size;    /* DUMP_DRIVER_ENTRY */
	uint32_t ldr;            /* KLDR_DATA_TABLE_ENTRY within it */
	uint32_t ldr_dll_base, ldr_size_of_image, ldr_checksum, ldr_timestamp;
	/* DUMP_UNLOADED_DRIVERS: {UNICODE_STRING Name; WCHAR DriverName[12];
	 * PVOID StartAddress; PVOID EndAddress}, after a count. */
	uint32_t unloaded_header, unloaded_size, unloaded_name, unloaded_start;
} triage_layout;

/* x64: TopOfStack is a u64 and 16 bytes of ArchitectureSpecific follow. */
static const triage_layout triage64 = {
	.size = 0x80, .ptr_size = 8,
	.data_page_address = 0x60, .data_page_offset = 0x68, .data_page_size = 0x6C,
	.debugger_data_offset = 0x70, .debugger_data_size = 0x74,
	.data_blocks_offset = 0x78, .data_blocks_count = 0x7C,
	.block_size = 16, .driver_size = 0x90, .ldr = 8,
	.ldr_dll_base = 0x30, .ldr_size_of_image = 0x40, .ldr_checksum = 0x78,
	.ldr_timestamp = 0x80,
	.unloaded_header = 8, .unloaded_size = 0x38, .unloaded_name = 0x10, .unloaded_start = 0x28,
};

static const triage_layout triage32 = {
	.size = 0x68, .ptr_size = 4,
	.data_page_address = 0x4C, .data_page_offset = 0x50, .data_page_size = 0x54,
	.debugger_data_offset = 0x58, .debugger_data_size = 0x5C,
	.data_blocks_offset = 0x60, .data_blocks_count = 0x64,
	.block_size = 12, .driver_size = 0x4C, .ldr = 4,
	.ldr_dll_base = 0x18, .ldr_size_of_image = 0x20, .ldr_checksum = 0x40,
	.ldr_timestamp = 0x44,
	.unloaded_header = 4, .unloaded_size = 0x28, .unloaded_name = 0x08, .unloaded_start = 0x20,
};

static uint64_t read_ptr(const uint8_t *p, const triage_layout *l)
{
	return l->ptr_size == 8 ? ps_le64(p) : ps_le32(p);
}

/* Clip [off, off+size) to the file; returns the usable size (0 = none). */
static uint64_t clip_to_file(ps_dump *d, const char *what, uint64_t off, uint64_t size)
{
	if (ps_in_bounds(off, size, d->size))
		return size;
	if (off >= d->size) {
		dump_warn(d, "%s at file offset 0x%llx (0x%llx bytes) lies past the end of the file (0x%zx bytes); "
			  "ignoring it", what, (unsigned long long)off, (unsigned long long)size, d->size);
		return 0;
	}
	dump_warn(d, "%s at file offset 0x%llx (0x%llx bytes) is cut short by the end of the file; keeping 0x%llx bytes",
		  what, (unsigned long long)off, (unsigned long long)size,
		  (unsigned long long)(d->size - off));
	return d->size - off;
}

/* How many entries of `entry_size` bytes fit from `off`, warning when the
 * stated count does not. */
static uint64_t clip_count(ps_dump *d, const char *what, uint64_t off, uint64_t count, uint64_t entry_size)
{
	uint64_t fit = off <= d->size ? (d->size - off) / entry_size : 0;

	if (count <= fit)
		return count;
	dump_warn(d, "%s at file offset 0x%llx claims %llu entries, the file holds at most %llu; using %llu",
		  what, (unsigned long long)off, (unsigned long long)count,
		  (unsigned long long)fit, (unsigned long long)fit);
	return fit;
}

static void add_block(ps_dump *d, const char *what, uint64_t va, uint64_t off, uint64_t size)
{
	size = clip_to_file(d, what, off, size);
	if (size == 0)
		return;
	if (va + size - 1 < va) {
		dump_warn(d, "%s at VA 0x%llx (0x%llx bytes) wraps around the address space; clipping it",
			  what, (unsigned long long)va, (unsigned long long)size);
		size = 0 - va;
		if (size == 0)
			return;
	}
	d->blocks[d->block_count++] = (ps_triage_block){ va, off, (uint32_t)size };
}

static int block_cmp(const void *a, const void *b)
{
	const ps_triage_block *x = a, *y = b;
	if (x->va != y->va)
		return x->va < y->va ? -1 : 1;
	/* Same start: the larger block first, so it wins the overlap. */
	return x->size > y->size ? -1 : x->size < y->size;
}

/* Sort by VA and trim overlaps so each VA has exactly one source: where
 * two blocks cover the same bytes, the earlier-starting one is used. */
static void normalize_blocks(ps_dump *d)
{
	size_t out = 0;

	qsort(d->blocks, d->block_count, sizeof *d->blocks, block_cmp);
	for (size_t i = 0; i < d->block_count; i++) {
		ps_triage_block b = d->blocks[i];
		if (out) {
			const ps_triage_block *p = &d->blocks[out - 1];
			uint64_t end = p->va + p->size; /* may be 0 at the top of the space */
			if (end == 0 || b.va + b.size - 1 < end)
				continue; /* wholly covered */
			if (b.va < end) {
				uint64_t cut = end - b.va;
				b.va += cut;
				b.file_offset += cut;
				b.size -= (uint32_t)cut;
			}
		}
		d->blocks[out++] = b;
	}
	d->block_count = out;
}

/* The 18 leading u32 fields are common to both layouts; from TopOfStack on
 * the x64 one has 8-byte addresses and an ArchitectureSpecific union. */
static void decode_triage_header(ps_triage_info *t, const uint8_t *p, const triage_layout *l)
{
	t->service_pack_build = ps_le32(p + 0x00);
	t->size_of_dump = ps_le32(p + 0x04);
	t->valid_offset = ps_le32(p + 0x08);
	t->context_offset = ps_le32(p + 0x0C);
	t->exception_offset = ps_le32(p + 0x10);
	t->mm_offset = ps_le32(p + 0x14);
	t->unloaded_drivers_offset = ps_le32(p + 0x18);
	t->prcb_offset = ps_le32(p + 0x1C);
	t->process_offset = ps_le32(p + 0x20);
	t->thread_offset = ps_le32(p + 0x24);
	t->call_stack_offset = ps_le32(p + 0x28);
	t->size_of_call_stack = ps_le32(p + 0x2C);
	t->driver_list_offset = ps_le32(p + 0x30);
	t->driver_count = ps_le32(p + 0x34);
	t->string_pool_offset = ps_le32(p + 0x38);
	t->string_pool_size = ps_le32(p + 0x3C);
	t->broken_driver_offset = ps_le32(p + 0x40);
	t->triage_options = ps_le32(p + 0x44);
	t->top_of_stack = read_ptr(p + 0x48, l);
	t->data_page_address = read_ptr(p + l->data_page_address, l);
	t->data_page_offset = ps_le32(p + l->data_page_offset);
	t->data_page_size = ps_le32(p + l->data_page_size);
	t->debugger_data_offset = ps_le32(p + l->debugger_data_offset);
	t->debugger_data_size = ps_le32(p + l->debugger_data_size);
	t->data_blocks_offset = ps_le32(p + l->data_blocks_offset);
	t->data_blocks_count = ps_le32(p + l->data_blocks_count);
}

static ps_status load_blocks(ps_dump *d, const triage_layout *l, ps_error *err)
{
	const ps_triage_info *t = &d->triage;
	uint64_t off = t->data_blocks_offset, count = t->data_blocks_count;

	if (off == 0)
		count = 0;
	count = clip_count(d, "data block list", off, count, l->block_size);
	d->blocks = calloc(count + 2, sizeof *d->blocks);
	if (!d->blocks)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %llu triage data blocks",
				    d->name, (unsigned long long)count);
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = d->data + off + i * l->block_size;
		add_block(d, "data block", read_ptr(e, l), ps_le32(e + l->ptr_size),
			  ps_le32(e + l->ptr_size + 4));
	}
	if (t->call_stack_offset && t->size_of_call_stack)
		add_block(d, "call stack", t->top_of_stack, t->call_stack_offset, t->size_of_call_stack);
	if (t->data_page_address && t->data_page_offset && t->data_page_size)
		add_block(d, "data page", t->data_page_address, t->data_page_offset, t->data_page_size);
	normalize_blocks(d);
	return PS_OK;
}

static void read_driver_name(ps_dump *d, ps_triage_driver *drv, size_t index, uint64_t name_off,
			     uint64_t pool_off, uint64_t pool_size)
{
	uint64_t units, avail;

	drv->name[0] = '\0';
	if (!ps_in_bounds(name_off, 4, d->size)) {
		dump_warn(d, "driver %zu: name offset 0x%llx lies outside the file", index,
			  (unsigned long long)name_off);
		return;
	}
	if (pool_off && ps_in_bounds(pool_off, pool_size, d->size) &&
	    (name_off < pool_off || name_off - pool_off >= pool_size))
		dump_warn(d, "driver %zu: name offset 0x%llx lies outside the string pool [0x%llx, 0x%llx)",
			  index, (unsigned long long)name_off, (unsigned long long)pool_off,
			  (unsigned long long)(pool_off + pool_size));
	/* A pool entry is {u32 length in characters, WCHAR[length], NUL}. */
	units = ps_le32(d->data + name_off);
	avail = (d->size - name_off - 4) / 2;
	if (units > avail) {
		dump_warn(d, "driver %zu: name at 0x%llx claims %llu characters, only %llu are in the file",
			  index, (unsigned long long)name_off, (unsigned long long)units,
			  (unsigned long long)avail);
		units = avail;
	}
	if (units > sizeof drv->name)
		units = sizeof drv->name; /* the UTF-8 result is cut to fit anyway */
	ps_utf16_to_utf8(d->data + name_off + 4, (size_t)units * 2, drv->name, sizeof drv->name);
}

static ps_status load_drivers(ps_dump *d, const triage_layout *l, ps_error *err)
{
	const ps_triage_info *t = &d->triage;
	uint64_t off = t->driver_list_offset, count = t->driver_count;
	uint64_t pool_off = t->string_pool_offset, pool_size = t->string_pool_size;

	if (off == 0 || count == 0)
		return PS_OK;
	if (pool_off && !ps_in_bounds(pool_off, pool_size, d->size))
		dump_warn(d, "string pool at 0x%llx (0x%llx bytes) runs past the end of the file",
			  (unsigned long long)pool_off, (unsigned long long)pool_size);
	count = clip_count(d, "driver list", off, count, l->driver_size);
	if (count == 0)
		return PS_OK;
	d->drivers = calloc(count, sizeof *d->drivers);
	if (!d->drivers)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %llu triage drivers",
				    d->name, (unsigned long long)count);
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = d->data + off + i * l->driver_size;
		const uint8_t *ldr = e + l->ldr;
		ps_triage_driver *drv = &d->drivers[i];

		drv->base = read_ptr(ldr + l->ldr_dll_base, l);
		drv->size = ps_le32(ldr + l->ldr_size_of_image);
		drv->checksum = ps_le32(ldr + l->ldr_checksum);
		drv->timestamp = ps_le32(ldr + l->ldr_timestamp);
		read_driver_name(d, drv, (size_t)i, ps_le32(e), pool_off, pool_size);
	}
	d->driver_count = (size_t)count;
	return PS_OK;
}

/* The list keeps only the last few unloads (the kernel's MmUnloadedDrivers
 * holds 50), so a larger count is damage. */
#define TRIAGE_MAX_UNLOADED 64

static ps_status load_unloaded(ps_dump *d, const triage_layout *l, ps_error *err)
{
	uint64_t off = d->triage.unloaded_drivers_offset, count;

	if (!off)
		return PS_OK;
	if (!ps_in_bounds(off, l->unloaded_header, d->size)) {
		dump_warn(d, "unloaded-driver list at 0x%llx lies outside the file", (unsigned long long)off);
		return PS_OK;
	}
	count = ps_le32(d->data + off);
	if (count > TRIAGE_MAX_UNLOADED) {
		dump_warn(d, "unloaded-driver list at 0x%llx claims %llu entries; reading %d",
			  (unsigned long long)off, (unsigned long long)count, TRIAGE_MAX_UNLOADED);
		count = TRIAGE_MAX_UNLOADED;
	}
	off += l->unloaded_header;
	count = clip_count(d, "unloaded-driver list", off, count, l->unloaded_size);
	if (!count)
		return PS_OK;
	d->unloaded = calloc(count, sizeof *d->unloaded);
	if (!d->unloaded)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %llu unloaded drivers",
				    d->name, (unsigned long long)count);
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = d->data + off + i * l->unloaded_size;
		ps_triage_unloaded *u = &d->unloaded[i];
		/* The name lives inline (DriverName); Name.Length bounds it. */
		size_t len = ps_le16(e);
		if (len > 24)
			len = 24;
		ps_utf16_to_utf8(e + l->unloaded_name, len, u->name, sizeof u->name);
		u->start = read_ptr(e + l->unloaded_start, l);
		u->end = read_ptr(e + l->unloaded_start + l->ptr_size, l);
	}
	d->unloaded_count = (size_t)count;
	return PS_OK;
}

static void load_kdbg(ps_dump *d)
{
	uint64_t off = d->triage.debugger_data_offset;
	uint64_t size = d->triage.debugger_data_size;

	if (!off || !size)
		return;
	size = clip_to_file(d, "KDBG copy", off, size);
	if (size) {
		d->kdbg = d->data + off;
		d->kdbg_size = (size_t)size;
	}
}

ps_status dump_triage_init(ps_dump *d, ps_error *err)
{
	const triage_layout *l = d->info.arch == PS_ARCH_X64 ? &triage64 : &triage32;
	uint64_t h = d->info.header_size;
	const uint8_t *t;
	ps_status st;

	if (!ps_in_bounds(h, l->size, d->size)) {
		dump_warn(d, "triage dump is cut short before its triage header at 0x%llx: nothing but the main header",
			  (unsigned long long)h);
		return PS_OK;
	}
	t = d->data + h;
	decode_triage_header(&d->triage, t, l);
	d->has_triage = 1;
	if (d->triage.size_of_dump > d->size)
		dump_warn(d, "triage header says the dump is 0x%x bytes, the file has 0x%zx",
			  d->triage.size_of_dump, d->size);
	if (!ps_in_bounds(d->triage.valid_offset, 4, d->size) ||
	    ps_le32(d->data + d->triage.valid_offset) != TRIAGE_VALID)
		dump_warn(d, "no 'TRGD' validity mark at ValidOffset 0x%x: the dump may be incomplete",
			  d->triage.valid_offset);
	st = load_blocks(d, l, err);
	if (st == PS_OK)
		st = load_drivers(d, l, err);
	if (st == PS_OK)
		st = load_unloaded(d, l, err);
	if (st == PS_OK)
		load_kdbg(d);
	return st;
}

size_t ps_dump_triage_block_count(const ps_dump *d)
{
	return d->block_count;
}

const ps_triage_block *ps_dump_triage_blocks(const ps_dump *d)
{
	return d->blocks;
}

const uint8_t *ps_dump_triage_va(const ps_dump *d, uint64_t va, size_t *avail)
{
	size_t lo = 0, hi = d->block_count;

	if (avail)
		*avail = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->blocks[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const ps_triage_block *b = &d->blocks[lo - 1];
	if (va - b->va >= b->size)
		return NULL;
	if (avail)
		*avail = b->size - (size_t)(va - b->va);
	return d->data + b->file_offset + (va - b->va);
}

const ps_triage_info *ps_dump_triage_info(const ps_dump *d)
{
	return d->has_triage ? &d->triage : NULL;
}

size_t ps_dump_triage_driver_count(const ps_dump *d)
{
	return d->driver_count;
}

const ps_triage_driver *ps_dump_triage_drivers(const ps_dump *d)
{
	return d->drivers;
}

size_t ps_dump_triage_unloaded_count(const ps_dump *d)
{
	return d->unloaded_count;
}

const ps_triage_unloaded *ps_dump_triage_unloaded(const ps_dump *d)
{
	return d->unloaded;
}

const uint8_t *ps_dump_triage_kdbg(const ps_dump *d, size_t *size)
{
	if (size)
		*size = d->kdbg ? d->kdbg_size : 0;
	return d->kdbg;
}
