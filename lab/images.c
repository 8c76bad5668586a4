/*
 * images.c - loading the kernel, HAL and drivers and placing them in the
 * simulated kernel's memory.
 *
 * Images come from E1's builds (lab/images, loaded by image_load.c): a
 * kernel per Windows build in <arch>-<build>/ when there is one (the 1809
 * kernel in x64-17763/), everything else in <arch>/. The
 * kernel and the HAL sit in the boot region, mapped with large pages as
 * Windows maps them; on x86 and Windows 7 x64 the boot region maps physical
 * memory one-to-one from its base (VA 0x82e0f000 -> PA 0x2e0f000), drivers
 * get 4 KiB pages scattered over physical memory.
 */
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PTE_KERNEL (LAB_PTE_RW | LAB_PTE_A | LAB_PTE_D | LAB_PTE_G | 0x800)

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int names_match(const lab_module *m, const char *dll)
{
	return strcasecmp(m->spec->name, dll) == 0 || strcasecmp(m->spec->file, dll) == 0 ||
	       (m->spec->is_kernel && (strcasecmp(dll, "ntoskrnl.exe") == 0 ||
				       strcasecmp(dll, "ntkrnlpa.exe") == 0 ||
				       strcasecmp(dll, "ntkrnlmp.exe") == 0 ||
				       strcasecmp(dll, "ntkrpamp.exe") == 0));
}

static int resolve(void *ctx, const char *dll, const char *name, uint64_t *va)
{
	lab *l = ctx;
	for (size_t i = 0; i < l->module_count; i++) {
		const lab_export *e;
		if (!names_match(&l->modules[i], dll))
			continue;
		e = lab_image_export(&l->modules[i].img, name);
		if (e) {
			*va = e->va;
			return 0;
		}
	}
	return -1;
}

/* Claim the boot region's physical frames before anything else takes
 * pages, so the one-to-one placement works whenever the RAM is there. */
ps_status lab_reserve_boot_region(lab *l, ps_error *err)
{
	uint64_t large = l->sc.arch == LAB_ARCH_X86 ? (4ull << 20) : (2ull << 20);
	uint64_t lo = l->kernel->img.base, hi = lo + l->kernel->img.size_of_image;
	uint64_t pfn, count;
	ps_status st;

	/* The HAL joins the kernel when it is near (as in every real layout). */
	for (size_t i = 0; i < l->module_count; i++) {
		lab_module *m = &l->modules[i];
		uint64_t b = m->img.base, e = b + m->img.size_of_image;
		if (strcasecmp(m->spec->name, "hal.dll") != 0)
			continue;
		if ((b < lo ? lo - b : b - lo) < (32ull << 20)) {
			if (b < lo)
				lo = b;
			if (e > hi)
				hi = e;
		}
	}
	lo &= ~(large - 1);
	hi = (hi + large - 1) & ~(large - 1);
	count = (hi - lo) / 4096;
	st = PS_ENOTFOUND;
	if (l->prof.boot_region_va && lo >= l->prof.boot_region_va) {
		pfn = (lo - l->prof.boot_region_va) / 4096;
		st = lab_phys_claim(l->pm, pfn, count, NULL);
	}
	if (st != PS_OK && (st = lab_phys_alloc_contig(l->pm, count, large / 4096, &pfn, err)) != PS_OK)
		return ps_error_prefix(err, "boot region 0x%llx-0x%llx: ", (unsigned long long)lo,
				       (unsigned long long)hi);
	l->boot_region_start = lo;
	l->boot_region_end = hi;
	l->boot_region_pa = pfn * 4096;
	for (size_t i = 0; i < l->module_count; i++) {
		lab_module *m = &l->modules[i];
		if (m->img.base >= lo && m->img.base + m->img.size_of_image <= hi)
			m->in_boot_region = 1;
	}
	return PS_OK;
}

static ps_status map_module(lab *l, lab_module *m, ps_error *err)
{
	ps_status st;
	if (!m->in_boot_region) {
		for (uint64_t off = 0; off < m->img.size_of_image; off += 4096) {
			uint64_t pfn;
			if ((st = lab_phys_alloc(l->pm, &pfn, err)) != PS_OK)
				return st;
			if ((st = lab_map_page(&l->pg, 0, m->img.base + off, pfn * 4096, PTE_KERNEL, err)) != PS_OK)
				return ps_error_prefix(err, "mapping %s: ", m->spec->name);
		}
	}
	if ((st = lab_vwrite(&l->pg, 0, m->img.base, m->img.mapped, m->img.size_of_image, err)) != PS_OK)
		return ps_error_prefix(err, "copying %s: ", m->spec->name);
	/* Remember where the seed's tag bytes are ("MSKK", the s -a search). */
	for (uint32_t i = 0; i + 4 <= m->img.size_of_image; i++) {
		if (memcmp(m->img.mapped + i, "MSKK", 4) == 0 && l->tag_hit_count < LAB_MAX_TAG_HITS) {
			lab_tag_hit *h = &l->tag_hits[l->tag_hit_count++];
			snprintf(h->module, sizeof h->module, "%s", m->spec->name);
			h->va = m->img.base + i;
		}
	}
	return PS_OK;
}

/* The module a context symbol names: "nt" is the kernel, others match the
 * image's file name without its extension, ignoring case. */
static lab_module *module_for(lab *l, const char *name, size_t len)
{
	if (len == 2 && strncmp(name, "nt", 2) == 0)
		return l->kernel;
	for (size_t i = 0; i < l->module_count; i++) {
		const char *f = l->modules[i].img.file_name;
		const char *dot = strrchr(f, '.');
		size_t flen = dot ? (size_t)(dot - f) : strlen(f);
		if (flen == len && strncasecmp(f, name, len) == 0)
			return &l->modules[i];
	}
	return NULL;
}

/* Context registers given as "module!symbol[+offset]" (a crash address
 * inside a real function, wherever the image ends up) get their values. */
static ps_status resolve_context_symbols(lab *l, ps_error *err)
{
	for (size_t i = 0; i < l->sc.reg_count; i++) {
		lab_reg *r = &l->sc.regs[i];
		char name[96];
		const char *bang, *plus;
		uint64_t va, off = 0;
		lab_module *m;

		if (!r->symbol[0])
			continue;
		bang = strchr(r->symbol, '!');
		m = module_for(l, r->symbol, (size_t)(bang - r->symbol));
		plus = strchr(bang, '+');
		snprintf(name, sizeof name, "%.*s", (int)(plus ? plus - bang - 1 : (ptrdiff_t)strlen(bang + 1)), bang + 1);
		if (plus)
			off = strtoull(plus + 1, NULL, 0);
		if (!m || lab_image_symbol(&m->img, name, &va) != 0)
			return ps_error_set(err, PS_EFORMAT, "%s: context %s: no symbol %s", l->scn_name,
					    r->name, r->symbol);
		r->value = va + off;
	}
	return PS_OK;
}

ps_status lab_load_images(lab *l, ps_error *err)
{
	const char *sub = l->sc.arch == LAB_ARCH_X64 ? "x64" : "x86";
	uint16_t machine = l->sc.arch == LAB_ARCH_X64 ? 0x8664 : 0x14C;
	ps_status st;

	/* The kernel first: PsLoadedModuleList starts with nt. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->sc.module_count; i++) {
			const lab_module_spec *spec = &l->sc.modules[i];
			lab_module *m;
			char path[1024];
			if (spec->is_kernel != (pass == 0))
				continue;
			/* What differs per Windows build (the kernel, with its types)
			 * is in DIR/<arch>-<build>/, the rest in DIR/<arch>/. */
			snprintf(path, sizeof path, "%s/%s-%u/%s", l->image_dir, sub, l->sc.build, spec->file);
			if (!file_exists(path))
				snprintf(path, sizeof path, "%s/%s/%s", l->image_dir, sub, spec->file);
			if (!file_exists(path))
				snprintf(path, sizeof path, "%s/%s", l->image_dir, spec->file);
			m = &l->modules[l->module_count];
			memset(m, 0, sizeof *m);
			m->spec = spec;
			if ((st = lab_image_load(path, spec->base, &m->img, err)) != PS_OK)
				return ps_error_prefix(err, "%s:%d: ", l->scn_name, spec->line);
			l->module_count++;
			if (m->img.machine != machine)
				return ps_error_set(err, PS_EFORMAT, "%s:%d: %s is for machine 0x%x, not %s",
						    l->scn_name, spec->line, path, m->img.machine, lab_arch_name(l->sc.arch));
			if (spec->is_kernel)
				l->kernel = m;
		}
	}
	/* No two images may overlap, and each must stay in kernel space. */
	for (size_t i = 0; i < l->module_count; i++) {
		lab_module *a = &l->modules[i];
		uint64_t ae = a->img.base + a->img.size_of_image;
		if (!lab_is_kernel_va(&l->pg, ae - 1) || ae < a->img.base)
			return ps_error_set(err, PS_EFORMAT, "%s:%d: %s at 0x%llx runs past the end of kernel space",
					    l->scn_name, a->spec->line, a->spec->name, (unsigned long long)a->img.base);
		for (size_t k = 0; k < i; k++) {
			lab_module *b = &l->modules[k];
			uint64_t be = b->img.base + b->img.size_of_image;
			if (a->img.base < be && b->img.base < ae)
				return ps_error_set(err, PS_EFORMAT,
						    "%s:%d: %s (0x%llx-0x%llx) overlaps %s (0x%llx-0x%llx, line %d)",
						    l->scn_name, a->spec->line, a->spec->name, (unsigned long long)a->img.base,
						    (unsigned long long)ae, b->spec->name, (unsigned long long)b->img.base,
						    (unsigned long long)be, b->spec->line);
		}
	}
	for (size_t i = 0; i < l->module_count; i++)
		if ((st = lab_image_bind(&l->modules[i].img, resolve, l, err)) != PS_OK)
			return ps_error_prefix(err, "binding %s: ", l->modules[i].spec->name);
	return resolve_context_symbols(l, err);
}

ps_status lab_map_images(lab *l, ps_error *err)
{
	uint64_t large = lab_large_page_size(&l->pg);
	ps_status st;

	for (uint64_t va = l->boot_region_start; va < l->boot_region_end; va += large)
		if ((st = lab_map_large(&l->pg, va, l->boot_region_pa + (va - l->boot_region_start), err)) != PS_OK)
			return st;
	for (size_t i = 0; i < l->module_count; i++)
		if ((st = map_module(l, &l->modules[i], err)) != PS_OK)
			return st;
	return PS_OK;
}

void lab_free_images(lab *l)
{
	for (size_t i = 0; i < l->module_count; i++)
		lab_image_free(&l->modules[i].img);
	l->module_count = 0;
}
