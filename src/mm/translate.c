/*
 * translate.c - the page walk: virtual address -> physical address, for x86,
 * PAE and x64 alike, driven by the mode descriptions in paging_modes.c.
 *
 * The walk has a fixed depth (at most four table reads), so page tables that
 * point back at themselves (the Windows self-map) or anywhere else cannot make
 * it loop. A table page the dump does not hold ends the walk with
 * PS_ENOTPRESENT naming the level and the physical address.
 */
#include <inttypes.h>
#include <string.h>

#include "core/bytes.h"
#include "mm/vm_internal.h"

const uint8_t *ps_mm_phys_page(const ps_vm *vm, uint64_t pa)
{
	uint64_t pfn = pa >> 12;

	if (pfn >= ps_dump_page_limit(vm->dump))
		return NULL;
	return ps_dump_page(vm->dump, pfn);
}

int ps_mm_entry(const ps_vm *vm, uint64_t table_pa, uint64_t index, uint64_t *entry_pa,
		uint64_t *entry)
{
	unsigned size = vm->desc->entry_size;
	uint64_t pa = table_pa + index * size;
	const uint8_t *page = ps_mm_phys_page(vm, pa);

	*entry_pa = pa;
	if (!page)
		return 0;
	/* Entries are naturally aligned, so one never straddles two pages. */
	*entry = size == 8 ? ps_le64(page + (pa & 0xFFF)) : ps_le32(page + (pa & 0xFFF));
	return 1;
}

ps_mm_step_kind ps_mm_step(const ps_mm_mode *m, int level, uint64_t entry, uint64_t *addr,
			   uint64_t *size, ps_page_state *state)
{
	int last = level == m->level_count - 1;

	if (entry & PS_PTE_VALID) {
		if (level == 0 && m->top_present_only) {
			*addr = entry & m->valid_pfn_mask;
			return PS_MM_TABLE;
		}
		if (last || (m->level[level].large_ok && (entry & PS_PTE_LARGE))) {
			*size = 1ull << m->level[level].shift;
			*addr = entry & m->valid_pfn_mask & ~(*size - 1);
			*state = PS_PAGE_VALID;
			return PS_MM_PAGE;
		}
		*addr = entry & m->valid_pfn_mask;
		return PS_MM_TABLE;
	}
	if (level == 0 && m->top_present_only) {
		*state = PS_PAGE_INVALID;
		return PS_MM_STOP;
	}
	/*
	 * A transition entry's page is on a standby or modified list: still in
	 * RAM, so the walk goes on through it. Bit 7 of an entry that is not
	 * valid belongs to Protection, never PS (volatility3 PR #518).
	 */
	if ((entry & PS_PTE_TRANSITION) && !(entry & PS_PTE_PROTOTYPE)) {
		*addr = entry & m->transition_pfn_mask;
		if (last) {
			*size = 0x1000;
			*state = PS_PAGE_TRANSITION;
			return PS_MM_PAGE;
		}
		return PS_MM_TABLE;
	}
	*state = ps_mm_software_state(m, entry);
	return PS_MM_STOP;
}

static ps_status table_missing(const ps_vm *vm, const ps_mm_mode *m, int level, uint64_t va,
			       uint64_t entry_pa, ps_error *err)
{
	return ps_error_set(err, PS_ENOTPRESENT,
			    "%s: translating 0x%016" PRIx64 " (%s): the page holding its %s at "
			    "physical 0x%" PRIx64 " is not in the dump",
			    ps_dump_name(vm->dump), va, m->name, m->level[level].name, entry_pa);
}

ps_status ps_vm_translate(ps_vm *vm, uint64_t va, ps_translation *t, ps_error *err)
{
	const ps_mm_mode *m = vm->desc;
	uint64_t lin, table;
	int ok;

	memset(t, 0, sizeof *t);
	t->va = va;
	t->page_size = 0x1000;
	t->state = PS_PAGE_INVALID;
	if (!m)
		return ps_error_set(err, PS_EUNSUPPORTED,
				    "%s: a triage dump holds no page tables, so 0x%016" PRIx64
				    " cannot be translated (only its stored blocks can be read)",
				    ps_dump_name(vm->dump), va);
	lin = ps_vm_linear(vm, va, &ok);
	if (!ok)
		return PS_OK;
	table = vm->dtb & m->top_mask;
	for (int i = 0; i < m->level_count; i++) {
		const ps_mm_level *lv = &m->level[i];
		uint64_t index = (lin >> lv->shift) & ((1ull << lv->bits) - 1);
		uint64_t entry_pa, entry = 0, addr = 0, size = 0;
		ps_page_state state = PS_PAGE_INVALID;

		if (!ps_mm_entry(vm, table, index, &entry_pa, &entry))
			return table_missing(vm, m, i, va, entry_pa, err);
		t->levels[i].entry_pa = entry_pa;
		t->levels[i].entry = entry;
		t->level_count = i + 1;
		switch (ps_mm_step(m, i, entry, &addr, &size, &state)) {
		case PS_MM_TABLE:
			table = addr;
			continue;
		case PS_MM_PAGE:
			t->state = state;
			t->page_size = size;
			t->pa = addr | (lin & (size - 1));
			t->present_in_dump = ps_mm_phys_page(vm, t->pa) != NULL;
			return PS_OK;
		case PS_MM_STOP:
			t->state = state;
			return PS_OK;
		}
	}
	return PS_OK; /* not reached: the last level always ends the walk */
}
