/*
 * paging_modes.c - the three paging modes as data, and what a Windows
 * software PTE means.
 *
 * The walker in translate.c is the same for every mode; what differs (levels,
 * entry size, where large pages may sit, which bits hold the page frame) is
 * described here. Sources: formats.md §6.1 and §6.2; Intel SDM vol. 3 ch. 4
 * for the hardware layouts; the MMPTE_* types of Windows 7 and 10 (Vergilius
 * data, volatility vtypes) for the software ones.
 */
#include "mm/vm_internal.h"

static const ps_mm_mode mode_x86 = {
	.name = "x86",
	.level_count = 2,
	.entry_size = 4,
	.top_mask = 0xFFFFF000ull,
	/* PSE-36 (bits 13-20 of a 4 MiB PDE) is not used by Windows. */
	.valid_pfn_mask = 0xFFFFF000ull,
	.transition_pfn_mask = 0xFFFFF000ull,  /* MMPTE_TRANSITION.PageFrameNumber:20 */
	.pagefile_high_mask = 0xFFFFF000ull,   /* MMPTE_SOFTWARE.PageFileHigh:20 at 12 */
	.level = {
		{ "PDE", 22, 10, 1 },
		{ "PTE", 12, 10, 0 },
	},
};

static const ps_mm_mode mode_pae = {
	.name = "PAE",
	.level_count = 3,
	.entry_size = 8,
	/* The PDPT is 32-byte aligned and need not start a page. */
	.top_mask = 0xFFFFFFE0ull,
	.valid_pfn_mask = 0x000FFFFFFFFFF000ull,
	/* MMPTE_TRANSITION.PageFrameNumber:26 at bit 12 (Windows 7 and 10 PAE). */
	.transition_pfn_mask = 0x0000003FFFFFF000ull,
	.pagefile_high_mask = 0xFFFFFFFF00000000ull,
	.top_present_only = 1,
	.level = {
		{ "PDPTE", 30, 2, 0 },
		{ "PDE", 21, 9, 1 },
		{ "PTE", 12, 9, 0 },
	},
};

static const ps_mm_mode mode_x64 = {
	.name = "x64",
	.level_count = 4,
	.entry_size = 8,
	.top_mask = 0x000FFFFFFFFFF000ull,     /* low 12 bits of CR3 may be a PCID */
	.valid_pfn_mask = 0x000FFFFFFFFFF000ull,
	/*
	 * MMPTE_TRANSITION declares 36 PFN bits, but Windows 10 1909+ keeps flags
	 * in the high ones; like volatility3 (maxphyaddr 45, PR #475) we keep
	 * physical address bits 12-44 only.
	 */
	.transition_pfn_mask = 0x00001FFFFFFFF000ull,
	.pagefile_high_mask = 0xFFFFFFFF00000000ull,
	.level = {
		{ "PML4E", 39, 9, 0 },
		{ "PDPTE", 30, 9, 1 },
		{ "PDE", 21, 9, 1 },
		{ "PTE", 12, 9, 0 },
	},
};

const ps_mm_mode *ps_mm_mode_get(ps_paging mode)
{
	switch (mode) {
	case PS_PAGING_X86: return &mode_x86;
	case PS_PAGING_PAE: return &mode_pae;
	case PS_PAGING_X64: return &mode_x64;
	case PS_PAGING_NONE: break;
	}
	return NULL;
}

ps_page_state ps_mm_software_state(const ps_mm_mode *m, uint64_t entry)
{
	if (entry & PS_PTE_PROTOTYPE)
		return PS_PAGE_PROTOTYPE;
	if (entry & PS_PTE_TRANSITION)
		return PS_PAGE_TRANSITION;
	if (entry & m->pagefile_high_mask)
		return PS_PAGE_PAGEFILE;
	/* Protection bits alone: committed but never touched. */
	if (entry != 0)
		return PS_PAGE_DEMAND_ZERO;
	return PS_PAGE_INVALID;
}
