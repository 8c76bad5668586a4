/*
 * modules.c - the loaded-module list: nt!PsLoadedModuleList and one
 * KLDR_DATA_TABLE_ENTRY per image (formats.md §5.5), kernel first.
 *
 * Each entry is a nonpaged 'MmLd' pool block (formats.md §3.2 names MmLd as
 * the tag of loader entries) holding the entry and its FullDllName text;
 * BaseDllName points at the file name inside that same text, so the two
 * UNICODE_STRINGs share one buffer.
 */
#include "lab.h"

#include <string.h>

#include "core/bytes.h"

#define TAG_MMLD 0x644C6D4Du   /* 'MmLd' */

static void put_unicode_string(uint8_t *dst, int is64, uint16_t len, uint16_t max, uint64_t buf)
{
	ps_put_le16(dst, len);
	ps_put_le16(dst + 2, max);
	if (is64)
		ps_put_le64(dst + 8, buf);
	else
		ps_put_le32(dst + 4, (uint32_t)buf);
}

static void put_ptr(uint8_t *dst, int is64, uint64_t v)
{
	if (is64)
		ps_put_le64(dst, v);
	else
		ps_put_le32(dst, (uint32_t)v);
}

ps_status lab_build_module_list(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	int is64 = lab_arch_is_64(l->sc.arch);
	unsigned ps = is64 ? 8 : 4;
	uint64_t head, entries[LAB_MAX_MODULES];
	ps_status st;

	if ((st = lab_global_va(l, "PsLoadedModuleList", 2 * ps, &head, err)) != PS_OK)
		return st;
	for (size_t i = 0; i < l->module_count; i++) {
		lab_module *m = &l->modules[i];
		const char *path = m->spec->path, *name = m->spec->name;
		size_t plen = strlen(path), nlen = strlen(name);
		uint8_t buf[0xA0 + 2 * 256 + 2 + 2 * 64 + 2];
		uint32_t text = p->ldr_size;
		uint32_t size = text + (uint32_t)(plen + 1) * 2;
		uint64_t va, base_text;
		int shared = plen >= nlen && strcmp(path + plen - nlen, name) == 0;

		if (!shared)
			size += (uint32_t)(nlen + 1) * 2;
		memset(buf, 0, sizeof buf);
		if ((st = lab_pool_alloc(l, &l->nonpaged, TAG_MMLD, size, &va, err)) != PS_OK)
			return st;
		m->ldr_entry = entries[i] = va;
		for (size_t c = 0; c < plen; c++)
			ps_put_le16(buf + text + c * 2, (uint8_t)path[c]);
		base_text = va + text + (plen - nlen) * 2;
		if (!shared) {
			uint32_t t2 = text + (uint32_t)(plen + 1) * 2;
			for (size_t c = 0; c < nlen; c++)
				ps_put_le16(buf + t2 + c * 2, (uint8_t)name[c]);
			base_text = va + t2;
		}
		put_ptr(buf + p->ldr_dll_base, is64, m->img.base);
		put_ptr(buf + p->ldr_entry_point, is64, m->img.entry_rva ? m->img.base + m->img.entry_rva : 0);
		ps_put_le32(buf + p->ldr_size_of_image, m->img.size_of_image);
		put_unicode_string(buf + p->ldr_full_name, is64, (uint16_t)(plen * 2), (uint16_t)(plen * 2 + 2), va + text);
		put_unicode_string(buf + p->ldr_base_name, is64, (uint16_t)(nlen * 2), (uint16_t)(nlen * 2 + 2), base_text);
		/* LDRP_ENTRY_PROCESSED | LDRP_IMAGE_DLL-style flags of a loaded driver. */
		ps_put_le32(buf + p->ldr_flags, 0x09104000);
		ps_put_le16(buf + p->ldr_load_count, 1);
		if ((st = lab_vwrite(&l->pg, 0, va, buf, size, err)) != PS_OK)
			return st;
	}
	/* Link: head <-> e0 <-> e1 ... <-> head (InLoadOrderLinks at 0). */
	for (size_t i = 0; i < l->module_count; i++) {
		uint64_t prev = i ? entries[i - 1] : head;
		uint64_t next = i + 1 < l->module_count ? entries[i + 1] : head;
		if ((st = lab_write_list_head(l, entries[i], next, prev, err)) != PS_OK)
			return st;
	}
	if (l->module_count == 0)
		return lab_write_list_head(l, head, head, head, err);
	return lab_write_list_head(l, head, entries[0], entries[l->module_count - 1], err);
}
