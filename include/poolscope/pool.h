/*
 * pool.h - the pool layer: pool headers and pages.
 *
 * Before Windows 10 19H1, small pool allocations live in 4 KiB pages carved
 * into blocks, each starting with a POOL_HEADER (x86: 8 bytes, 8-byte units;
 * x64: 16 bytes, 16-byte units; formats.md §3.1-§3.3). The first block of a
 * page has PreviousSize 0, each block's PreviousSize equals the BlockSize of
 * the one before it, and the chain ends exactly at the page end. Allocations
 * larger than a page's worth are big pages with no header (PoolBigPageTable).
 */
#ifndef POOLSCOPE_POOL_H
#define POOLSCOPE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"
#include "poolscope/symbols.h"
#include "poolscope/vm.h"

/* The protected-tag bit that object allocations carry before Windows 8. */
#define PS_POOL_PROTECTED 0x80000000u

typedef struct ps_pool_block {
	uint64_t va;            /* address of the POOL_HEADER */
	uint32_t size;          /* bytes, header included */
	uint32_t previous_size; /* bytes */
	uint8_t pool_type;      /* as stored: 0 = free */
	uint8_t pool_index;
	uint32_t tag;           /* as stored, protected bit included */
	int allocated;          /* pool_type != 0 */
} ps_pool_block;

#define PS_POOL_MAX_BLOCKS 512  /* 4096 / 8 */

typedef struct ps_pool_page {
	uint64_t va;                    /* page start */
	unsigned header_size;           /* 8 or 16 */
	size_t count;                   /* blocks walked */
	ps_pool_block blocks[PS_POOL_MAX_BLOCKS];
	int complete;                   /* the chain ended exactly at the page end */
	/* When not complete: where and why the walk stopped. */
	uint64_t problem_va;
	char problem[160];
} ps_pool_page;

/* Walk one 4 KiB pool page whose bytes are `page` and whose address is
 * `page_va`; `header_size` is 8 (x86) or 16 (x64). Never fails: a damaged
 * chain stops the walk with `complete` 0 and a problem text ("BlockSize 0",
 * "block runs past the page end", "PreviousSize 0x.. does not match the
 * previous block's size 0x.."), keeping the blocks read before it. */
void ps_pool_walk_page(const uint8_t *page, uint64_t page_va, unsigned header_size,
		       ps_pool_page *out);

/* The block containing `va`, or NULL. */
const ps_pool_block *ps_pool_page_block_at(const ps_pool_page *pg, uint64_t va);

/* Decode one POOL_HEADER at `p` (header_size 8 or 16). */
void ps_pool_decode_header(const uint8_t *p, uint64_t va, unsigned header_size, ps_pool_block *b);

/* ---- tag tracker tables (src/pool/tracker.c; formats.md §3.4) ---------- */

struct ps_kernel;
struct ps_symbols;

/* One tag's counters summed over every table read. Counters keep the
 * width of the build's fields (32 or 64 bits) and wrap as the kernel's do;
 * use the _diff helpers for the in-use counts !poolused prints. */
typedef struct ps_pool_tag_usage {
	uint32_t key;                   /* tracker key (protected bit cleared) */
	uint64_t nonpaged_allocs, nonpaged_frees, nonpaged_bytes;
	uint64_t paged_allocs, paged_frees, paged_bytes;
} ps_pool_tag_usage;

typedef struct ps_pool_usage {
	ps_pool_tag_usage *tags;        /* sorted by key */
	size_t count;
	unsigned count_bits, bytes_bits;   /* field widths: 32 or 64 */
	size_t tables;                  /* distinct tables summed */
	uint64_t table_entries;         /* entries per table (PoolTrackTableSize) */
	int size_guessed;               /* no PoolTrackTableSize: formats.md §3.4 heuristic */
	char **notes;                   /* what was skipped or guessed, for the output */
	size_t note_count;
} ps_pool_usage;

/* The system-wide tag usage: nt!PoolTrackTable plus, where the build has
 * them, the per-processor tables nt!ExPoolTagTables[0..KeNumberProcessors)
 * (distinct pointers only), summed per tag. Unreadable table pages are
 * skipped with a note (partial result); a table size above 1<<24 entries is
 * refused. Fails only when no table can be found at all. */
ps_status ps_pool_usage_read(struct ps_kernel *k, struct ps_symbols *syms, ps_pool_usage **out, ps_error *err);
/* A session's pool usage: MM_SESSION_SPACE.PoolTrackTableExpansion /
 * PoolTrackTableExpansionSize of the session at `session_space`. */
ps_status ps_pool_session_usage_read(struct ps_kernel *k, struct ps_symbols *syms, uint64_t session_space,
				     ps_pool_usage **out, ps_error *err);
void ps_pool_usage_free(ps_pool_usage *u);

/* In-use counts: allocs - frees and bytes at the counters' width, signed. */
int64_t ps_pool_usage_diff(const ps_pool_usage *u, uint64_t allocs, uint64_t frees);
int64_t ps_pool_usage_bytes(const ps_pool_usage *u, uint64_t bytes);

/* The sessions of the system, for !vm and !poolused 8: nt!MiSessionWsList
 * through MM_SESSION_SPACE.WsListEntry when the kernel PDB gives both, else
 * the distinct EPROCESS.Session values in process-list order. */
typedef struct ps_pool_session {
	uint64_t session_space;
	uint32_t id;
} ps_pool_session;
ps_status ps_pool_sessions(struct ps_kernel *k, struct ps_symbols *syms, ps_pool_session **out, size_t *count,
			   ps_error *err);

/* ---- The big-page table (bigpages.c) --------------------------------------
 *
 * nt!PoolBigPageTable points at PoolBigPageTableSize _POOL_TRACKER_BIG_PAGES
 * entries (formats.md §3.5); neither global is in KDBG, so the table needs
 * the kernel's symbols. An entry whose Va has bit 0 set is free (never used,
 * or the allocation was freed and the entry keeps its old Va | 1). */

/* Tables larger than this are refused as hostile (1.5 GiB of x64 entries). */
#define PS_BIG_TABLE_MAX_ENTRIES (UINT64_C(1) << 26)

typedef struct ps_big_page {
	uint64_t va;            /* first page of the allocation (bit 0 cleared) */
	uint64_t bytes;         /* NumberOfBytes, or NumberOfPages * 4096 */
	uint64_t entry_va;      /* address of the table entry */
	uint32_t tag;           /* Key as stored */
	uint32_t pool_type;     /* POOL_TYPE: bit 0 paged, 0x20 session */
	uint8_t freed;          /* Va bit 0 was set (and Key is not 0) */
	uint8_t readable;       /* the first page can be read from the dump */
	uint8_t state;          /* ps_page_state of the first page */
} ps_big_page;

#define PS_BIG_TABLE_NOTES 8

typedef struct ps_big_table {
	uint64_t table_va;      /* value of nt!PoolBigPageTable */
	uint64_t size;          /* value of nt!PoolBigPageTableSize (entries) */
	uint64_t entry_size;    /* sizeof(_POOL_TRACKER_BIG_PAGES) */
	ps_big_page *entries;   /* entries with a tag, in table order */
	size_t count;
	size_t in_use;          /* of them, not freed */
	size_t *by_va;          /* indexes of the in-use entries, by address */
	uint64_t entries_unread; /* entries on table pages that could not be read */
	/* What went wrong, in WinDbg's words where it has some
	 * ("8526b000: Unable to get contents of big pool block"). */
	char notes[PS_BIG_TABLE_NOTES][200];
	size_t note_count;
	size_t notes_dropped;
} ps_big_table;

/* Read the table through the kernel's symbols (nt!PoolBigPageTable,
 * nt!PoolBigPageTableSize and the layout of _POOL_TRACKER_BIG_PAGES, from the
 * PDB or the built-in layouts). PS_ENOTFOUND when the symbols do not give the
 * table; a table of absurd size, unreadable table pages and absurd entries
 * give partial results and notes, not failure. */
ps_status ps_big_table_read(ps_symbols *sym, ps_vm *vm, ps_big_table **out, ps_error *err);

/* A session's own table of big session-pool allocations: the
 * MM_SESSION_SPACE at session_space holds PoolTrackBigPages and
 * PoolTrackBigPagesSize (formats.md §3.4; PDB or built-in layout). `id`
 * names the session in notes. Same hostile-input rules as above. */
ps_status ps_big_table_read_session(ps_symbols *sym, ps_vm *vm, uint64_t session_space, uint32_t id,
				    ps_big_table **out, ps_error *err);
void ps_big_table_free(ps_big_table *t);

/* Bytes the table spans (its size clamped to PS_BIG_TABLE_MAX_ENTRIES). */
uint64_t ps_big_table_bytes(const ps_big_table *t);

/* The in-use allocation whose pages contain `va`, or NULL. */
const ps_big_page *ps_big_table_find(const ps_big_table *t, uint64_t va);

/* Pages an entry covers (at least one; absurd sizes are clamped by the
 * reader to what the dump's physical memory could hold). */
uint64_t ps_big_page_count(const ps_big_page *b);

/* ---- Tag patterns (pool_tagpattern.c) --------------------------------------
 *
 * What !poolfind and !poolused take: four characters, case-sensitive, with ?
 * for any one character and * for any rest; shorter text is padded with
 * blanks; "0x" starts a 32-bit value. A tag matches ignoring its protected
 * bit (unless the pattern's fourth character has the top bit itself). */
typedef struct ps_tag_pattern {
	uint32_t value;
	uint32_t mask;
	uint32_t tag;           /* as typed, for messages: 'Thre', or the 0x value */
} ps_tag_pattern;

/* Parse a pattern word from `text`; *end (nullable) is set after it. */
ps_status ps_tag_pattern_parse(const char *text, ps_tag_pattern *p, const char **end, ps_error *err);

static inline int ps_tag_pattern_match(const ps_tag_pattern *p, uint32_t tag)
{
	return (tag & p->mask) == p->value;
}

/* ---- Scanning pool pages (pool_scan.c) -------------------------------------
 *
 * Finds the small-pool pages of an address range without trusting any range
 * globals: every readable 4 KiB page is walked, and a page counts as a pool
 * page when its header chain is complete (ps_pool_page.complete). Which pool
 * it belongs to comes from its allocated blocks' PoolType (Vista+: stored as
 * POOL_TYPE | 2, bit 0 paged, 0x20 session; formats.md §3.2). See
 * docs/pool.md for why and how fast. */
enum {
	PS_POOL_NONPAGED = 1,
	PS_POOL_PAGED = 2,
	PS_POOL_SESSION_NONPAGED = 4,
	PS_POOL_SESSION_PAGED = 8,
	PS_POOL_UNKNOWN = 16,            /* only free blocks: no type to go by */
	PS_POOL_ANY = 31
};

/* PS_POOL_* of a block's stored PoolType on build `build`, or
 * PS_POOL_UNKNOWN for a free block. */
unsigned ps_pool_kind(uint8_t stored_type, uint32_t build);

typedef struct ps_pool_hit {
	ps_pool_block block;
	uint8_t pool;           /* PS_POOL_* of its page */
} ps_pool_hit;

typedef struct ps_pool_damage {
	uint64_t page_va;
	uint64_t problem_va;
	char problem[160];
} ps_pool_damage;

typedef void (*ps_pool_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct ps_pool_scan_options {
	uint64_t start, end;    /* VA range, end exclusive; 0, 0 = the kernel half */
	unsigned pools;         /* PS_POOL_* mask of pages to report; 0 = all */
	ps_tag_pattern pattern; /* mask 0 matches every block */
	int include_free;       /* report free blocks whose tag matches too */
	unsigned threads;       /* worker threads; 0 = 2 */
	/* Big-page tables (the global one, each session's): pages of their
	 * in-use allocations and of the tables themselves are skipped. */
	const ps_big_table *const *big;
	size_t big_count;
	ps_pool_progress_fn progress; /* nullable; called from one worker */
	void *progress_ctx;
} ps_pool_scan_options;

#define PS_POOL_SCAN_DAMAGE 16

typedef struct ps_pool_scan_result {
	ps_pool_hit *hits;      /* by address */
	size_t count;
	uint64_t pages_examined; /* readable pages walked */
	uint64_t pool_pages;    /* pages with a complete chain */
	uint64_t damaged_pages; /* pool-like pages whose chain breaks */
	ps_pool_damage damage[PS_POOL_SCAN_DAMAGE]; /* the first of them, by address */
	size_t damage_count;
	char note[256];         /* a range the scan had to give up on, or "" */
} ps_pool_scan_result;

/* Scan with worker threads, each with its own address space over vm's dump
 * and DTB (vm itself is not used by the workers). Pages are read in place,
 * in physical order; results come back in address order, so the output does
 * not depend on the thread count. */
ps_status ps_pool_scan(ps_vm *vm, const ps_pool_scan_options *opt, ps_pool_scan_result *out,
		       ps_error *err);
void ps_pool_scan_result_free(ps_pool_scan_result *r);

#endif
