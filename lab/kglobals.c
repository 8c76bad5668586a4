/*
 * kglobals.c - the kernel's global variables, found by name in the lab's
 * ntoskrnl.exe (exports or the .syms sidecar). When the image lacks one, the
 * lab gives it storage of its own in nonpaged memory and says so in the
 * truth file, so a dump is still complete.
 */
#include "lab.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

ps_status lab_global_va(lab *l, const char *name, uint32_t size, uint64_t *va, ps_error *err)
{
	lab_global *g;
	uint64_t addr;
	ps_status st;

	for (size_t i = 0; i < l->global_count; i++) {
		if (strcmp(l->globals[i].name, name) == 0) {
			*va = l->globals[i].va;
			return PS_OK;
		}
	}
	if (l->global_count >= LAB_MAX_GLOBALS)
		return ps_error_set(err, PS_ENOMEM, "too many kernel globals");
	g = &l->globals[l->global_count];
	snprintf(g->name, sizeof g->name, "%s", name);
	if (lab_image_symbol(&l->kernel->img, name, &addr) == 0) {
		g->from_image = 1;
	} else {
		lab_region *r = &l->boot_extra;
		size = (size + 15) & ~15u;
		if (size == 0 || size > 4096)
			return ps_error_set(err, PS_EARG, "kernel global %s: bad size %u", name, size);
		if (!r->cur_page || r->cur_used + size > 4096) {
			if ((st = lab_region_pages(l, &l->nonpaged, 1, &r->cur_page, err)) != PS_OK)
				return st;
			r->cur_used = 0;
		}
		addr = r->cur_page + r->cur_used;
		r->cur_used += size;
		if (!l->quiet)
			lab_warn(l, "the kernel image has no symbol %s; the lab gives it storage at 0x%llx",
				 name, (unsigned long long)addr);
	}
	g->va = addr;
	l->global_count++;
	*va = addr;
	return PS_OK;
}

ps_status lab_write_u16(lab *l, uint64_t va, uint16_t v, ps_error *err)
{
	uint8_t b[2];
	ps_put_le16(b, v);
	return lab_vwrite(&l->pg, 0, va, b, 2, err);
}

ps_status lab_write_u32(lab *l, uint64_t va, uint32_t v, ps_error *err)
{
	uint8_t b[4];
	ps_put_le32(b, v);
	return lab_vwrite(&l->pg, 0, va, b, 4, err);
}

ps_status lab_write_u64(lab *l, uint64_t va, uint64_t v, ps_error *err)
{
	uint8_t b[8];
	ps_put_le64(b, v);
	return lab_vwrite(&l->pg, 0, va, b, 8, err);
}

ps_status lab_write_global_ptr(lab *l, const char *name, uint64_t value, ps_error *err)
{
	uint64_t va;
	ps_status st = lab_global_va(l, name, lab_ptr_size(&l->pg), &va, err);
	if (st != PS_OK)
		return st;
	return lab_vwrite_ptr(&l->pg, va, value, err);
}

/* LIST_ENTRY { Flink, Blink } in the native pointer size. */
ps_status lab_write_list_head(lab *l, uint64_t head, uint64_t first, uint64_t last, ps_error *err)
{
	ps_status st = lab_vwrite_ptr(&l->pg, head, first, err);
	if (st != PS_OK)
		return st;
	return lab_vwrite_ptr(&l->pg, head + lab_ptr_size(&l->pg), last, err);
}
