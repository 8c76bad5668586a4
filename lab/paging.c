/*
 * paging.c - writing and walking x86, PAE and x64 page tables.
 *
 * Entry formats: Intel SDM vol. 3A §4.3 (32-bit), §4.4 (PAE), §4.5 (4-level);
 * the software (invalid) PTE states and the self-map: formats.md §6.2-6.3.
 * Valid Windows kernel PTEs carry bit 11 (MMPTE_HARDWARE.Write on MP
 * kernels), so a reader that looks at the transition bit before the valid bit
 * is caught by the lab's dumps.
 */
#include "paging.h"

#include <string.h>

#include "core/bytes.h"

#define TABLE_BITS_K (LAB_PTE_P | LAB_PTE_RW | LAB_PTE_A | LAB_PTE_D)
#define TABLE_BITS_U (TABLE_BITS_K | LAB_PTE_US)

static unsigned esize(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X86 ? 4 : 8;
}

static uint64_t addr_mask(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X86 ? 0xFFFFF000ull : 0x000FFFFFFFFFF000ull;
}

static int top_level(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X64 ? 4 : pg->arch == LAB_ARCH_X86_PAE ? 3 : 2;
}

/* The level whose entries the kernel half shares between address spaces. */
static int shared_level(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X64 ? 4 : 2;
}

static unsigned index_at(const lab_paging *pg, uint64_t va, int level)
{
	if (pg->arch == LAB_ARCH_X86)
		return level == 2 ? (unsigned)((va >> 22) & 0x3FF) : (unsigned)((va >> 12) & 0x3FF);
	if (pg->arch == LAB_ARCH_X86_PAE && level == 3)
		return (unsigned)((va >> 30) & 3);
	return (unsigned)((va >> (12 + 9 * (level - 1))) & 0x1FF);
}

static uint64_t read_entry(const lab_paging *pg, uint64_t pa)
{
	uint8_t b[8] = { 0 };
	lab_phys_read(pg->pm, pa, b, esize(pg));
	return esize(pg) == 4 ? ps_le32(b) : ps_le64(b);
}

static ps_status write_entry(lab_paging *pg, uint64_t pa, uint64_t v, ps_error *err)
{
	uint8_t b[8];
	if (esize(pg) == 4)
		ps_put_le32(b, (uint32_t)v);
	else
		ps_put_le64(b, v);
	return lab_phys_write(pg->pm, pa, b, esize(pg), err);
}

int lab_is_kernel_va(const lab_paging *pg, uint64_t va)
{
	if (pg->arch == LAB_ARCH_X64)
		return va >= 0xFFFF800000000000ull;
	return va >= 0x80000000ull && va <= 0xFFFFFFFFull;
}

unsigned lab_ptr_size(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X64 ? 8 : 4;
}

uint64_t lab_large_page_size(const lab_paging *pg)
{
	return pg->arch == LAB_ARCH_X86 ? (4ull << 20) : (2ull << 20);
}

/* Physical address of the table at `level` for this space (PAE: the PDPT
 * is not page aligned). */
static uint64_t root_table(const lab_paging *pg, size_t space)
{
	return pg->dtb[space];
}

/* Physical address of the entry for va at `level` in `space`, creating the
 * tables above it when `create`. 0 when a level is missing (and !create). */
static ps_status entry_pa(lab_paging *pg, size_t space, uint64_t va, int level,
			  int create, uint64_t *out, ps_error *err)
{
	int kernel = lab_is_kernel_va(pg, va);
	uint64_t table = root_table(pg, space);
	ps_status st;

	for (int l = top_level(pg); l > level; l--) {
		uint64_t epa = table + (uint64_t)index_at(pg, va, l) * esize(pg);
		uint64_t e = read_entry(pg, epa);
		if (!(e & LAB_PTE_P)) {
			uint64_t pfn, v;
			if (!create) {
				*out = 0;
				return PS_OK;
			}
			if ((st = lab_phys_alloc(pg->pm, &pfn, err)) != PS_OK)
				return st;
			if (!lab_phys_page(pg->pm, pfn))
				return ps_error_set(err, PS_ENOMEM, "page table: out of memory");
			v = (pfn << 12) | (kernel ? TABLE_BITS_K : TABLE_BITS_U);
			if ((st = write_entry(pg, epa, v, err)) != PS_OK)
				return st;
			if (kernel && l == shared_level(pg)) {
				/* Enter the new kernel table in every address space. */
				for (size_t s = 0; s < pg->space_count; s++) {
					uint64_t other;
					if (s == space)
						continue;
					if (pg->arch == LAB_ARCH_X86_PAE)
						other = pg->pae_pd[s][index_at(pg, va, 3)];
					else
						other = root_table(pg, s);
					other += (uint64_t)index_at(pg, va, l) * esize(pg);
					if ((st = write_entry(pg, other, v, err)) != PS_OK)
						return st;
				}
			}
			e = v;
		} else if (l <= 3 && (e & LAB_PTE_PS) && (l == 2 || pg->arch == LAB_ARCH_X64)) {
			return ps_error_set(err, PS_EARG, "address 0x%llx is inside a large page",
					    (unsigned long long)va);
		}
		table = e & addr_mask(pg);
	}
	*out = table + (uint64_t)index_at(pg, va, level) * esize(pg);
	return PS_OK;
}

static ps_status install_selfmap(lab_paging *pg, size_t space, ps_error *err)
{
	uint64_t root = pg->dtb[space];
	ps_status st = PS_OK;

	if (pg->arch == LAB_ARCH_X64) {
		st = write_entry(pg, root + pg->selfmap_index * 8ull, root | TABLE_BITS_K | LAB_PTE_NX, err);
	} else if (pg->arch == LAB_ARCH_X86) {
		st = write_entry(pg, root + 0x300 * 4ull, root | TABLE_BITS_K, err);
	} else {
		/* PD3 entries 0-3 map the four page directories at 0xC0600000. */
		for (int i = 0; i < 4 && st == PS_OK; i++)
			st = write_entry(pg, pg->pae_pd[space][3] + i * 8ull,
					 pg->pae_pd[space][i] | TABLE_BITS_K | LAB_PTE_NX, err);
	}
	return st;
}

static ps_status new_page(lab_paging *pg, uint64_t *pa, ps_error *err)
{
	uint64_t pfn;
	ps_status st = lab_phys_alloc(pg->pm, &pfn, err);
	if (st != PS_OK)
		return st;
	if (!lab_phys_page(pg->pm, pfn))
		return ps_error_set(err, PS_ENOMEM, "page table: out of memory");
	*pa = pfn << 12;
	return PS_OK;
}

static ps_status make_space(lab_paging *pg, size_t s, uint64_t root_pfn, ps_error *err)
{
	ps_status st;

	if (pg->arch == LAB_ARCH_X86_PAE) {
		uint64_t pdpt;
		if (s == 0) {
			/* The System PDPT starts a page of its own, like 0x185000. */
			if (root_pfn && lab_phys_claim(pg->pm, root_pfn, 1, NULL) == PS_OK) {
				pdpt = root_pfn << 12;
				lab_phys_page(pg->pm, root_pfn);
			} else if ((st = new_page(pg, &pdpt, err)) != PS_OK) {
				return st;
			}
		} else {
			/* Process PDPTs are 32-byte slots in shared pages, so
			 * their DirectoryTableBase is not page aligned. */
			if (!pg->pdpt_page || pg->pdpt_next >= 128) {
				if ((st = new_page(pg, &pg->pdpt_page, err)) != PS_OK)
					return st;
				pg->pdpt_next = (unsigned)(lab_phys_random(pg->pm) % 64);
			}
			pdpt = pg->pdpt_page + pg->pdpt_next * 32ull;
			pg->pdpt_next++;
		}
		pg->dtb[s] = pdpt;
		for (int i = 0; i < 4; i++) {
			if ((st = new_page(pg, &pg->pae_pd[s][i], err)) != PS_OK)
				return st;
			/* PDPTEs hold only P and the address (SDM §4.4.1). */
			if ((st = write_entry(pg, pdpt + i * 8ull, pg->pae_pd[s][i] | LAB_PTE_P, err)) != PS_OK)
				return st;
		}
		if (s > 0) {
			uint8_t buf[4096];
			for (int i = 2; i < 4; i++) {
				lab_phys_read(pg->pm, pg->pae_pd[0][i], buf, sizeof buf);
				if ((st = lab_phys_write(pg->pm, pg->pae_pd[s][i], buf, sizeof buf, err)) != PS_OK)
					return st;
			}
		}
	} else {
		uint64_t root;
		if (s == 0 && root_pfn && lab_phys_claim(pg->pm, root_pfn, 1, NULL) == PS_OK) {
			root = root_pfn << 12;
			lab_phys_page(pg->pm, root_pfn);
		} else if ((st = new_page(pg, &root, err)) != PS_OK) {
			return st;
		}
		pg->dtb[s] = root;
		if (s > 0) {
			uint8_t buf[2048];
			lab_phys_read(pg->pm, pg->dtb[0] + 2048, buf, sizeof buf);
			if ((st = lab_phys_write(pg->pm, root + 2048, buf, sizeof buf, err)) != PS_OK)
				return st;
		}
	}
	return install_selfmap(pg, s, err);
}

ps_status lab_paging_init(lab_paging *pg, lab_arch arch, lab_physmem *pm,
			  unsigned selfmap_index, uint64_t root_pfn, ps_error *err)
{
	memset(pg, 0, sizeof *pg);
	pg->arch = arch;
	pg->pm = pm;
	if (arch == LAB_ARCH_X64) {
		if (selfmap_index < 256 || selfmap_index > 511)
			return ps_error_set(err, PS_EARG, "self-map index 0x%x is not in the kernel half", selfmap_index);
		pg->selfmap_index = selfmap_index;
		pg->pte_base = 0xFFFF000000000000ull | ((uint64_t)selfmap_index << 39);
	} else {
		pg->selfmap_index = 0x300;
		pg->pte_base = 0xC0000000ull;
	}
	pg->space_count = 1;
	return make_space(pg, 0, root_pfn, err);
}

ps_status lab_paging_new_space(lab_paging *pg, size_t *space, ps_error *err)
{
	ps_status st;
	if (pg->space_count >= LAB_MAX_SPACES)
		return ps_error_set(err, PS_ENOMEM, "too many address spaces");
	if ((st = make_space(pg, pg->space_count, 0, err)) != PS_OK)
		return st;
	*space = pg->space_count++;
	return PS_OK;
}

ps_status lab_set_pte(lab_paging *pg, size_t space, uint64_t va, uint64_t raw, ps_error *err)
{
	uint64_t epa;
	ps_status st;
	if (lab_is_kernel_va(pg, va))
		space = 0;
	if ((st = entry_pa(pg, space, va, 1, 1, &epa, err)) != PS_OK)
		return st;
	return write_entry(pg, epa, raw, err);
}

ps_status lab_map_page(lab_paging *pg, size_t space, uint64_t va, uint64_t pa,
		       uint64_t bits, ps_error *err)
{
	if (va & 0xFFF || pa & 0xFFF)
		return ps_error_set(err, PS_EARG, "map 0x%llx -> 0x%llx: not page aligned",
				    (unsigned long long)va, (unsigned long long)pa);
	if (pg->arch == LAB_ARCH_X86)
		bits &= ~LAB_PTE_NX;
	return lab_set_pte(pg, space, va, pa | bits | LAB_PTE_P, err);
}

ps_status lab_map_large(lab_paging *pg, uint64_t va, uint64_t pa, ps_error *err)
{
	uint64_t size = lab_large_page_size(pg), epa, v;
	ps_status st;

	if ((va & (size - 1)) || (pa & (size - 1)))
		return ps_error_set(err, PS_EARG, "large page 0x%llx -> 0x%llx: not aligned",
				    (unsigned long long)va, (unsigned long long)pa);
	if ((st = entry_pa(pg, 0, va, 2, 1, &epa, err)) != PS_OK)
		return st;
	if (read_entry(pg, epa) & LAB_PTE_P)
		return ps_error_set(err, PS_EARG, "large page at 0x%llx: already mapped", (unsigned long long)va);
	/* Kernel code pages: P, RW, A, D, PS, G and the software Write bit. */
	v = pa | TABLE_BITS_K | LAB_PTE_PS | LAB_PTE_G | 0x800;
	if ((st = write_entry(pg, epa, v, err)) != PS_OK)
		return st;
	if (pg->arch != LAB_ARCH_X64) {
		for (size_t s = 1; s < pg->space_count; s++) {
			uint64_t other = pg->arch == LAB_ARCH_X86_PAE ? pg->pae_pd[s][index_at(pg, va, 3)] : pg->dtb[s];
			other += (uint64_t)index_at(pg, va, 2) * esize(pg);
			if ((st = write_entry(pg, other, v, err)) != PS_OK)
				return st;
		}
	}
	return PS_OK;
}

void lab_walk_va(const lab_paging *pg, size_t space, uint64_t va, lab_walk *w)
{
	uint64_t table = root_table(pg, space);

	memset(w, 0, sizeof *w);
	if (lab_is_kernel_va(pg, va))
		space = 0;
	table = root_table(pg, space);
	if (pg->arch == LAB_ARCH_X64 && va >= 0x0000800000000000ull && va < 0xFFFF800000000000ull) {
		w->state = LAB_VA_UNMAPPED;
		w->level = 4;
		return;
	}
	for (int l = top_level(pg); l >= 1; l--) {
		uint64_t epa = table + (uint64_t)index_at(pg, va, l) * esize(pg);
		uint64_t e = read_entry(pg, epa);
		w->pte = e;
		w->pte_pa = epa;
		w->level = l;
		if (!(e & LAB_PTE_P)) {
			if (l > 1) {
				w->state = LAB_VA_UNMAPPED;
				return;
			}
			/* PageFileHigh: bits 12-31 on x86, 32-63 on PAE/x64. */
			uint64_t high = pg->arch == LAB_ARCH_X86 ? e >> 12 : e >> 32;
			if ((e & 0x800) && !(e & 0x400)) {
				w->state = LAB_VA_TRANSITION;
				w->pa = (e & addr_mask(pg)) | (va & 0xFFF);
			} else if (e & 0x400) {
				w->state = LAB_VA_PROTOTYPE;
			} else if (high == 0) {
				w->state = LAB_VA_DEMANDZERO;
			} else {
				w->state = LAB_VA_PAGEFILE;
			}
			return;
		}
		if (l == 2 && (e & LAB_PTE_PS)) {
			uint64_t size = lab_large_page_size(pg);
			w->state = LAB_VA_VALID;
			w->large = 1;
			w->pa = (e & addr_mask(pg) & ~(size - 1)) | (va & (size - 1));
			return;
		}
		table = e & addr_mask(pg);
	}
	w->state = LAB_VA_VALID;
	w->pa = table | (va & 0xFFF);
}

ps_status lab_vwrite(lab_paging *pg, size_t space, uint64_t va, const void *buf,
		     size_t len, ps_error *err)
{
	const uint8_t *src = buf;
	while (len) {
		lab_walk w;
		size_t n = 4096 - (size_t)(va & 0xFFF);
		ps_status st;
		if (n > len)
			n = len;
		lab_walk_va(pg, space, va, &w);
		if (w.state != LAB_VA_VALID && w.state != LAB_VA_TRANSITION)
			return ps_error_set(err, PS_EINVALID, "lab write: 0x%llx is not mapped",
					    (unsigned long long)va);
		if ((st = lab_phys_write(pg->pm, w.pa, src, n, err)) != PS_OK)
			return st;
		src += n;
		va += n;
		len -= n;
	}
	return PS_OK;
}

ps_status lab_vread(const lab_paging *pg, size_t space, uint64_t va, void *buf,
		    size_t len, ps_error *err)
{
	uint8_t *dst = buf;
	while (len) {
		lab_walk w;
		size_t n = 4096 - (size_t)(va & 0xFFF);
		if (n > len)
			n = len;
		lab_walk_va(pg, space, va, &w);
		if (w.state != LAB_VA_VALID && w.state != LAB_VA_TRANSITION)
			return ps_error_set(err, PS_EINVALID, "lab read: 0x%llx is not mapped",
					    (unsigned long long)va);
		lab_phys_read(pg->pm, w.pa, dst, n);
		dst += n;
		va += n;
		len -= n;
	}
	return PS_OK;
}

ps_status lab_vwrite_ptr(lab_paging *pg, uint64_t va, uint64_t value, ps_error *err)
{
	uint8_t b[8];
	if (lab_ptr_size(pg) == 8)
		ps_put_le64(b, value);
	else
		ps_put_le32(b, (uint32_t)value);
	return lab_vwrite(pg, 0, va, b, lab_ptr_size(pg), err);
}
