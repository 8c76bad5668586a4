/*
 * vm_internal.h - what the mm layer's files share: the ps_vm object, the
 * description of each paging mode, and the translation cache.
 *
 * Not a public header: nothing outside src/mm/ includes it.
 */
#ifndef PS_MM_VM_INTERNAL_H
#define PS_MM_VM_INTERNAL_H

#include <stdint.h>

#include "poolscope/vm.h"

/* Bits every mode agrees on (formats.md §6.1, §6.2). */
#define PS_PTE_VALID      (1ull << 0)
#define PS_PTE_LARGE      (1ull << 7)  /* PS: only meaningful when VALID */
#define PS_PTE_PROTOTYPE  (1ull << 10)
#define PS_PTE_TRANSITION (1ull << 11)

#define PS_MM_MAX_LEVELS 4

/* One level of a mode's walk. */
typedef struct ps_mm_level {
	const char *name;    /* Intel name of the entries at this level */
	unsigned shift;      /* VA bit the index starts at */
	unsigned bits;       /* index width */
	int large_ok;        /* a valid entry here may have PS set */
} ps_mm_level;

/* Everything the walker needs to know about a paging mode. */
typedef struct ps_mm_mode {
	const char *name;
	int level_count;
	unsigned entry_size;         /* 4 or 8 */
	uint64_t top_mask;           /* DTB -> address of the top table */
	uint64_t valid_pfn_mask;     /* address bits of a hardware-valid entry */
	uint64_t transition_pfn_mask;/* address bits of a transition entry */
	uint64_t pagefile_high_mask; /* MMPTE_SOFTWARE.PageFileHigh */
	int top_present_only;        /* PAE PDPTEs: P bit and address only */
	ps_mm_level level[PS_MM_MAX_LEVELS];
} ps_mm_mode;

/* The paging description for a mode, or NULL for PS_PAGING_NONE. */
const ps_mm_mode *ps_mm_mode_get(ps_paging mode);

/* What a not-valid, not-transition entry means (formats.md §6.2). */
ps_page_state ps_mm_software_state(const ps_mm_mode *m, uint64_t entry);

/*
 * The translation cache: virtual page number -> the page's bytes in the
 * mapped dump. Direct-mapped; a slot holds only pages that were readable, and
 * since the dump never changes there is nothing to invalidate.
 */
#define PS_VM_CACHE_SLOTS 64

typedef struct ps_vm_cache {
	uint64_t tag[PS_VM_CACHE_SLOTS];   /* vpn + 1; 0 = empty */
	const uint8_t *page[PS_VM_CACHE_SLOTS];
} ps_vm_cache;

void ps_vm_cache_init(ps_vm_cache *c);
const uint8_t *ps_vm_cache_get(const ps_vm_cache *c, uint64_t va);
void ps_vm_cache_put(ps_vm_cache *c, uint64_t va, const uint8_t *page);

/*
 * The next-readable search's memo of tables found empty (vm_scan.c). It lives
 * in the ps_vm so a scan that calls ps_vm_next_readable once per page does not
 * clear 64 KiB each time: a slot counts only when its generation is the
 * current call's.
 */
#define PS_VM_MEMO_SLOTS 4096 /* power of two */

typedef struct ps_vm_memo {
	uint32_t generation;
	uint32_t used;
	uint32_t gen[PS_VM_MEMO_SLOTS];
	uint64_t key[PS_VM_MEMO_SLOTS];
} ps_vm_memo;

struct ps_vm {
	const ps_dump *dump;
	ps_paging mode;
	uint64_t dtb;
	const ps_mm_mode *desc;  /* NULL: a triage space served from blocks */
	int wide;                /* 8-byte pointers */
	ps_vm_cache cache;
	ps_vm_memo *memo;        /* allocated by the first search */
	uint64_t scan_budget;    /* steps one search may take (tests lower it) */
};

/* 64 Mi entry reads or page probes: well under a second, and 256 GiB of
 * mapped-but-absent pages, far more than real kernels have. */
#define PS_VM_SCAN_BUDGET (1ull << 26)

/*
 * The linear address the page tables index for `va`, or 0 in *ok when the
 * address cannot be mapped in this mode (non-canonical on x64; above 4 GiB
 * and not a sign-extended 32-bit address on x86).
 */
uint64_t ps_vm_linear(const ps_vm *vm, uint64_t va, int *ok);

/* What one entry of a walk leads to (translate.c). */
typedef enum ps_mm_step_kind {
	PS_MM_TABLE,  /* *addr: physical address of the next level's table */
	PS_MM_PAGE,   /* *addr: base of a page of *size bytes; *state VALID or TRANSITION */
	PS_MM_STOP    /* *state says why the walk ends here */
} ps_mm_step_kind;

ps_mm_step_kind ps_mm_step(const ps_mm_mode *m, int level, uint64_t entry, uint64_t *addr,
			   uint64_t *size, ps_page_state *state);

/* Read entry `index` of the table at physical `table_pa`. Returns 0 when the
 * table's page is not in the dump. */
int ps_mm_entry(const ps_vm *vm, uint64_t table_pa, uint64_t index, uint64_t *entry_pa,
		uint64_t *entry);

/* The bytes of the 4 KiB page holding physical address `pa`, or NULL. */
const uint8_t *ps_mm_phys_page(const ps_vm *vm, uint64_t pa);

/* Triage spaces (vm_triage.c). */
ps_status ps_vm_triage_read(ps_vm *vm, uint64_t va, void *buf, size_t len, size_t *done,
			    ps_error *err);
ps_status ps_vm_triage_next(ps_vm *vm, uint64_t va, uint64_t end, uint64_t *next,
			    ps_error *err);

#endif
