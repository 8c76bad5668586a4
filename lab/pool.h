/*
 * pool.h - the lab's kernel pool: small blocks with POOL_HEADERs in 4 KiB
 * pages, big-page allocations, the accounting behind the tracker tables and
 * pool descriptors, thread objects, and the !vm figures
 * (docs/lab.md, "The pool").
 *
 * Layouts come from ../shared/reference/formats.md §3 (pool), §4 (objects)
 * and §5 (threads) through the profile (profile.c); nothing here is shared
 * with the reader.
 */
#ifndef LAB_POOL_H
#define LAB_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "lab.h"

#define LAB_PROTECTED_POOL 0x80000000u   /* formats.md §3.2 */
#define LAB_POOL_TAG_SAMPLES 8
#define LAB_MAX_PAGED_POOLS 16
#define LAB_MAX_SESSIONS 16

/* One POOL_DESCRIPTOR the lab keeps: the nonpaged pool, paged pools 0..N
 * (0 takes the big allocations, 1..N the small blocks round-robin, as
 * ReactOS's ExAllocatePoolWithTag picks them), one per session. */
typedef struct lab_pool_desc {
	lab_region *region;
	int kind;                   /* lab_pool_kind */
	uint32_t pool_index;        /* PoolIndex in the headers of its blocks */
	uint32_t session;           /* session descriptors */
	uint64_t session_space;     /* MM_SESSION_SPACE VA, session descriptors */
	/* the small-block page being filled */
	uint64_t cur_page;
	uint32_t cur_used, cur_prev_units;
	/* what the lab laid out */
	uint64_t pages;             /* small-block pages */
	uint64_t big_pages;
	uint64_t running_allocs, running_frees;
	uint64_t bytes;             /* bytes in use (tracker sense) */
	uint64_t va;                /* where the descriptor is written */
	uint64_t figure;            /* usage !vm prints (pages): max(scenario figure, pages + big_pages) */
} lab_pool_desc;

/* Per tag and pool: what the tracker tables must sum to. */
typedef struct lab_tag_stat {
	uint32_t tag;               /* tracker key: protected bit cleared */
	int kind;                   /* lab_pool_kind */
	uint32_t session;
	uint64_t allocs, frees, bytes;
	char module[64];
	uint64_t sample[LAB_POOL_TAG_SAMPLES];   /* addresses of allocated blocks (header VA; big: the page) */
	size_t samples;
	uint64_t big_allocs;        /* of allocs, big-page ones */
	uint64_t big_frees;         /* of frees, big-page ones */
	uint64_t big_untabled;      /* big allocations kept out of the big-page table (the table itself) */
} lab_tag_stat;

typedef struct lab_big_entry {
	uint64_t va;
	uint32_t tag;               /* as given, protected bit kept */
	uint32_t pool_type;         /* POOL_TYPE: 0, 1, 33 */
	uint64_t bytes;             /* requested */
	uint32_t session;
	int freed;
} lab_big_entry;

typedef struct lab_thread {
	uint64_t block, object_header, ethread;
	uint64_t pid, tid;
	size_t process;             /* index in l->processes */
	int terminated, quota;
} lab_thread;

/* One processor's part of a tag in the Windows 10 per-processor tables. */
typedef struct lab_cpu_share {
	uint32_t key;
	unsigned cpu;
	uint64_t slot;
	int64_t np_allocs, np_frees, np_bytes, p_allocs, p_frees, p_bytes;
} lab_cpu_share;

typedef struct lab_pool_state {
	lab_pool_desc nonpaged;
	lab_pool_desc paged[LAB_MAX_PAGED_POOLS + 1];
	uint32_t paged_pools;       /* ExpNumberOfPagedPools */
	uint64_t paged_weight[LAB_MAX_PAGED_POOLS + 1];   /* small-block share of pools 1..N */
	lab_pool_desc sessions[LAB_MAX_SESSIONS];
	size_t session_count;
	lab_tag_stat *tags;
	size_t tag_count, tag_cap;
	lab_big_entry *big;
	size_t big_count, big_cap;
	/* threads: every one is in the dump; the truth keeps a sample */
	lab_thread *threads;
	size_t thread_count, thread_cap;
	uint64_t threads_total, threads_terminated;
	/* tables */
	uint64_t track_table, track_size;       /* PoolTrackTable, entries (power of two + 1) */
	uint64_t per_cpu[64];                   /* ExPoolTagTables[] (Windows 10) */
	uint64_t big_table, big_size;           /* PoolBigPageTable, entries */
	uint64_t paged_desc_block;              /* the 'Pool' allocation holding paged descriptors */
	lab_cpu_share *shares;                  /* per-processor parts, for the truth */
	size_t share_count, share_cap;
	/* !vm figures as written */
	struct lab_vm_written {
		char name[40];
		uint64_t value;
	} vm[48];
	size_t vm_count;
	int finished;
} lab_pool_state;

/* pool_blocks.c */
ps_status lab_pool_init(lab *l, ps_error *err);
void lab_pool_free(lab *l);
/* A tracked allocation: small block (returns the header VA in *block) or
 * big pages (returns the page VA), of `bytes` requested bytes. `freed`
 * leaves a free block (small) or a free big-table entry (big). */
ps_status lab_pool_allocate(lab *l, int kind, uint32_t session, uint32_t tag, uint32_t bytes,
			    const char *module, int freed, uint64_t *block, ps_error *err);
/* Bytes the tracker charges for a request: the block (small) or pages (big). */
uint64_t lab_pool_charge(const lab *l, uint32_t bytes);
lab_pool_desc *lab_pool_session_desc(lab *l, uint32_t session, ps_error *err);
lab_tag_stat *lab_pool_tag(lab *l, uint32_t tag, int kind, uint32_t session, const char *module);

/* pool_scenario.c: the scenario's pool lines at its scale; lab_build_pool
 * runs lines, threads and tables (after the processes exist). */
ps_status lab_build_pool_lines(lab *l, ps_error *err);
ps_status lab_build_pool(lab *l, ps_error *err);
/* pool_threads.c */
ps_status lab_build_threads(lab *l, ps_error *err);
/* pool_tables.c: tracker tables, big-page table, descriptors, !vm globals */
ps_status lab_build_pool_tables(lab *l, ps_error *err);
/* pool_truth.c */
struct json_t;
void lab_pool_truth(const lab *l, struct json_t *root);

#endif
