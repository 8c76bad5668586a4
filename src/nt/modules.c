/*
 * modules.c - the loaded-module list.
 *
 * Triage dumps store the list themselves (the driver list with its string
 * pool). Other dumps are walked: PsLoadedModuleList is a LIST_ENTRY whose
 * Flinks lead through KLDR_DATA_TABLE_ENTRY records (InLoadOrderLinks at
 * +0) back to the head (formats.md §5.5). The walk is bounded, stops at the
 * first address seen twice, and keeps what it read when an entry cannot be
 * read. Timestamp and checksum come from the triage list or, failing that,
 * from the PE header mapped at the module's base.
 */
#include "nt/kernel_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes.h"
#include "core/format.h"
#include "core/utf16.h"

typedef struct ldr_layout {
	unsigned read_size;
	unsigned dll_base, entry_point, size_of_image;
	unsigned full_name, base_name;
	unsigned ustr_buffer;   /* UNICODE_STRING.Buffer offset */
} ldr_layout;

static const ldr_layout ldr_x64 = { 0x68, 0x30, 0x38, 0x40, 0x48, 0x58, 8 };
static const ldr_layout ldr_x86 = { 0x34, 0x18, 0x1C, 0x20, 0x24, 0x2C, 4 };

/* Longest name buffer we read: MAX_PATH characters and then some. */
#define MAX_NAME_BYTES 1024


static int header_unset(uint64_t v)
{
	return v == 0 || (uint32_t)v == 0x45474150u; /* 'PAGE': never filled in */
}

/* ---- a set of visited entry addresses ---------------------------------- */

typedef struct addr_set {
	uint64_t *slots;   /* 0 = empty; entry addresses are never 0 */
	size_t size, used;
} addr_set;

static size_t addr_hash(uint64_t a, size_t size)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdull;
	a ^= a >> 33;
	return (size_t)a & (size - 1);
}

/* 1 if added, 0 if already present, -1 on allocation failure. */
static int set_add(addr_set *s, uint64_t a)
{
	size_t i;

	if (2 * (s->used + 1) > s->size) {
		size_t n = s->size ? 2 * s->size : 256;
		uint64_t *fresh = calloc(n, sizeof *fresh);
		if (!fresh)
			return -1;
		for (size_t j = 0; j < s->size; j++) {
			if (!s->slots[j])
				continue;
			for (i = addr_hash(s->slots[j], n); fresh[i]; i = (i + 1) & (n - 1))
				;
			fresh[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = fresh;
		s->size = n;
	}
	for (i = addr_hash(a, s->size); s->slots[i]; i = (i + 1) & (s->size - 1))
		if (s->slots[i] == a)
			return 0;
	s->slots[i] = a;
	s->used++;
	return 1;
}

/* ---- module records ---------------------------------------------------- */

static ps_module *grow(ps_kernel *k, size_t *cap)
{
	if (k->module_count == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		ps_module *m = realloc(k->modules, n * sizeof *m);
		if (!m)
			return NULL;
		k->modules = m;
		*cap = n;
	}
	memset(&k->modules[k->module_count], 0, sizeof *k->modules);
	return &k->modules[k->module_count];
}

static const char *file_part(const char *path)
{
	const char *slash = strrchr(path, '\\');
	return slash ? slash + 1 : path;
}

/* Copy a string, cutting it to fit (names longer than MAX_PATH are junk). */
static void copy_cut(char *dst, size_t dst_size, const char *src)
{
	size_t n = strlen(src);
	if (n >= dst_size)
		n = dst_size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A UNICODE_STRING inside `entry` at `off`, read into out (UTF-8). */
static int read_ustr(ps_kernel *k, const uint8_t *entry, unsigned off, unsigned buf_off,
		     char *out, size_t out_size)
{
	uint8_t bytes[MAX_NAME_BYTES];
	size_t len = ps_le16(entry + off) & ~1u;
	uint64_t buf = k->pointer_size == 8 ? ps_le64(entry + off + buf_off) : ps_le32(entry + off + buf_off);

	out[0] = '\0';
	if (len == 0 || buf == 0)
		return 0;
	if (len > sizeof bytes)
		len = sizeof bytes;
	if (ps_vm_read(k->vm, ps_vm_canonical(k->vm, buf), bytes, len, NULL, NULL) != PS_OK)
		return -1;
	ps_utf16_to_utf8(bytes, len, out, out_size);
	return 1;
}

static void walk_list(ps_kernel *k, uint64_t head)
{
	const ldr_layout *l = k->pointer_size == 8 ? &ldr_x64 : &ldr_x86;
	uint8_t entry[0x68];
	addr_set seen = { 0 };
	size_t cap = 0;
	uint64_t cur;
	ps_error err;
	char a[20], b[20];

	if (ps_vm_read_ptr(k->vm, head, &cur, &err) != PS_OK) {
		kernel_warn(k, "PsLoadedModuleList at %s cannot be read: %s", ps_format_addr(a, head, k->pointer_size), err.message);
		return;
	}
	cur = ps_vm_canonical(k->vm, cur);
	while (cur != head) {
		ps_module *m;
		int added;

		if (cur == 0) {
			kernel_warn(k, "module list: entry %zu has a null Flink; keeping %zu modules",
				    k->module_count, k->module_count);
			break;
		}
		if (k->module_count >= KERNEL_MAX_MODULES) {
			kernel_warn(k, "module list: more than %d entries; stopped there", KERNEL_MAX_MODULES);
			break;
		}
		added = set_add(&seen, cur);
		if (added == 0) {
			kernel_warn(k, "module list loops back to %s after %zu entries; stopped there",
				    ps_format_addr(a, cur, k->pointer_size), k->module_count);
			break;
		}
		if (ps_vm_read(k->vm, cur, entry, l->read_size, NULL, &err) != PS_OK) {
			kernel_warn(k, "module list entry %zu at %s cannot be read (%s); keeping %zu modules",
				    k->module_count, ps_format_addr(a, cur, k->pointer_size), err.message, k->module_count);
			break;
		}
		if (added < 0 || !(m = grow(k, &cap))) {
			kernel_warn(k, "out of memory after %zu modules", k->module_count);
			break;
		}
		if (k->pointer_size == 8) {
			m->base = ps_le64(entry + l->dll_base);
			m->entry = ps_le64(entry + l->entry_point);
		} else {
			m->base = ps_le32(entry + l->dll_base);
			m->entry = ps_le32(entry + l->entry_point);
		}
		m->base = ps_vm_canonical(k->vm, m->base);
		m->size = ps_le32(entry + l->size_of_image);
		m->ldr_entry = cur;
		if (read_ustr(k, entry, l->base_name, l->ustr_buffer, m->image_name, sizeof m->image_name) < 0)
			kernel_warn(k, "module at %s: BaseDllName cannot be read", ps_format_addr(b, m->base, k->pointer_size));
		if (read_ustr(k, entry, l->full_name, l->ustr_buffer, m->path, sizeof m->path) < 0)
			kernel_warn(k, "module at %s: FullDllName cannot be read", ps_format_addr(b, m->base, k->pointer_size));
		if (!m->image_name[0] && m->path[0])
			copy_cut(m->image_name, sizeof m->image_name, file_part(m->path));
		k->module_count++;
		cur = ps_vm_canonical(k->vm, k->pointer_size == 8 ? ps_le64(entry) : ps_le32(entry));
	}
	free(seen.slots);
}

static ps_status take_triage_list(ps_kernel *k, ps_error *err)
{
	size_t n = ps_dump_triage_driver_count(k->dump);
	const ps_triage_driver *drv = ps_dump_triage_drivers(k->dump);

	k->modules = calloc(n, sizeof *k->modules);
	if (!k->modules)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %zu modules", ps_dump_name(k->dump), n);
	for (size_t i = 0; i < n; i++) {
		ps_module *m = &k->modules[i];
		m->base = ps_vm_canonical(k->vm, drv[i].base);
		m->size = drv[i].size;
		m->timestamp = drv[i].timestamp;
		m->checksum = drv[i].checksum;
		m->have_header_fields = 1;
		copy_cut(m->path, sizeof m->path, drv[i].name);
		copy_cut(m->image_name, sizeof m->image_name, file_part(drv[i].name));
	}
	k->module_count = n;
	return PS_OK;
}

/* Timestamp and checksum from the PE header mapped in the dump. */
static void read_header_fields(ps_kernel *k, ps_module *m)
{
	ps_kernel_image_reader r = { k, m->base, m->size, PS_OK };
	ps_pe pe;

	if (ps_pe_parse_headers(ps_kernel_image_read, &r, &pe, NULL) == PS_OK) {
		m->timestamp = pe.time_date_stamp;
		m->checksum = pe.checksum;
		m->have_header_fields = 1;
	}
}

static int by_base_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static ps_status build_index(ps_kernel *k, ps_error *err)
{
	uint64_t (*pairs)[2];

	if (!k->module_count)
		return PS_OK;
	pairs = malloc(k->module_count * sizeof *pairs);
	k->by_base = malloc(k->module_count * sizeof *k->by_base);
	if (!pairs || !k->by_base) {
		free(pairs);
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for the module index", ps_dump_name(k->dump));
	}
	for (size_t i = 0; i < k->module_count; i++) {
		pairs[i][0] = k->modules[i].base;
		pairs[i][1] = i;
	}
	qsort(pairs, k->module_count, sizeof *pairs, by_base_cmp);
	for (size_t i = 0; i < k->module_count; i++)
		k->by_base[i] = (size_t)pairs[i][1];
	free(pairs);
	return PS_OK;
}

ps_status kernel_load_modules(ps_kernel *k, ps_error *err)
{
	const ps_dump_info *info = ps_dump_get_info(k->dump);
	ps_status st;

	if (ps_dump_triage_driver_count(k->dump) > 0) {
		st = take_triage_list(k, err);
		if (st != PS_OK)
			return st;
	} else {
		uint64_t from_kdbg = 0, head = 0;
		uint64_t from_header = header_unset(info->ps_loaded_module_list)
			? 0 : ps_vm_canonical(k->vm, info->ps_loaded_module_list);
		char a[20], b[20];

		if (ps_kernel_kdbg_field(k, 0x48, &from_kdbg) == PS_OK)
			from_kdbg = ps_vm_canonical(k->vm, from_kdbg);
		if (from_kdbg && from_header && from_kdbg != from_header)
			kernel_warn(k, "KDBG says PsLoadedModuleList is at %s, the dump header %s; using KDBG's",
				    ps_format_addr(a, from_kdbg, k->pointer_size), ps_format_addr(b, from_header, k->pointer_size));
		head = from_kdbg ? from_kdbg : from_header;
		k->module_list_head = head;
		if (head)
			walk_list(k, head);
		else
			kernel_warn(k, "neither KDBG nor the dump header locates PsLoadedModuleList");
		for (size_t i = 0; i < k->module_count; i++)
			read_header_fields(k, &k->modules[i]);
	}
	kernel_name_modules(k->modules, k->module_count, k->kernel_base);
	return build_index(k, err);
}

/* ---- lookups ----------------------------------------------------------- */

size_t ps_kernel_module_count(const ps_kernel *k)
{
	return k->module_count;
}

const ps_module *ps_kernel_module(const ps_kernel *k, size_t i)
{
	return i < k->module_count ? &k->modules[i] : NULL;
}

const ps_module *ps_kernel_module_at(const ps_kernel *k, uint64_t va)
{
	size_t lo = 0, hi = k->module_count;
	const ps_module *m;

	/* Last module whose base is <= va. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->modules[k->by_base[mid]].base <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	m = &k->modules[k->by_base[lo - 1]];
	return va - m->base < m->size ? m : NULL;
}

const ps_module *ps_kernel_module_named(const ps_kernel *k, const char *name)
{
	for (size_t i = 0; i < k->module_count; i++)
		if (strcasecmp(k->modules[i].name, name) == 0)
			return &k->modules[i];
	return NULL;
}

ps_status ps_kernel_image_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
	ps_kernel_image_reader *r = ctx;
	ps_status st;

	/* Never read past the image: the next module may sit right behind. */
	if (!ps_in_bounds(rva, len, r->size)) {
		r->last = PS_EINVALID;
		return PS_EINVALID;
	}
	st = ps_vm_read(r->kernel->vm, r->base + rva, buf, len, NULL, NULL);
	if (st != PS_OK)
		r->last = st;
	return st;
}
