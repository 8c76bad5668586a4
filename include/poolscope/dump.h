/*
 * dump.h - the dump layer: Windows crash dump files, read in place.
 *
 * Knows file formats only: DUMP_HEADER32/64, run-based full dumps (type 1),
 * bitmap dumps (types 5 and 6, 'SDMP' and 'FDMP') and triage dumps (type 4).
 * It maps physical page numbers to bytes of the file; it knows nothing of
 * virtual memory or Windows objects. Layouts: ../shared/reference/formats.md §1.
 */
#ifndef POOLSCOPE_DUMP_H
#define POOLSCOPE_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

#define PS_PAGE_SIZE 0x1000u

typedef struct ps_dump ps_dump;

typedef enum ps_arch {
	PS_ARCH_UNKNOWN = 0,
	PS_ARCH_X86,
	PS_ARCH_X64
} ps_arch;

typedef enum ps_paging {
	PS_PAGING_NONE = 0, /* triage dumps: no page tables, only stored blocks */
	PS_PAGING_X86,      /* two-level, 4-byte entries */
	PS_PAGING_PAE,      /* three-level, 8-byte entries */
	PS_PAGING_X64       /* four-level */
} ps_paging;

/* Raw DumpType values (formats.md §1.3). */
enum {
	PS_DUMPTYPE_FULL = 1,
	PS_DUMPTYPE_SUMMARY = 2,
	PS_DUMPTYPE_HEADER = 3,
	PS_DUMPTYPE_TRIAGE = 4,
	PS_DUMPTYPE_BITMAP = 5,
	PS_DUMPTYPE_BITMAP_LIVE = 6
};

typedef struct ps_phys_run {
	uint64_t base_page;
	uint64_t page_count;
} ps_phys_run;

typedef struct ps_exception_record {
	uint32_t code;
	uint32_t flags;
	uint64_t record;
	uint64_t address;
	uint32_t number_parameters;
	uint64_t information[15];
} ps_exception_record;

typedef struct ps_dump_info {
	ps_arch arch;
	ps_paging paging;
	uint32_t header_size;        /* 0x1000 or 0x2000 */
	uint32_t major_version;      /* 0xF free build, 0xC checked */
	uint32_t minor_version;      /* NT build number */
	uint32_t dump_type;          /* raw DumpType */
	uint32_t bitmap_signature;   /* 'SDMP' or 'FDMP' for bitmap dumps, else 0 */
	uint64_t directory_table_base;
	uint64_t pfn_database;
	uint64_t ps_loaded_module_list;
	uint64_t ps_active_process_head;
	uint32_t machine_image_type; /* 0x14C, 0x8664 */
	uint32_t number_processors;
	uint32_t bugcheck_code;
	uint64_t bugcheck_parameters[4];
	uint64_t kd_debugger_data_block;
	uint64_t system_time;        /* FILETIME, 0 if not filled in */
	uint64_t system_uptime;      /* 100 ns units, 0 if not filled in */
	int64_t required_dump_space;
	uint32_t product_type;
	uint32_t suite_mask;
	uint32_t mini_dump_fields;
	char version_user[33];
	char comment[129];
	/* CONTEXT record as stored in the header (x86 0x2CC bytes, x64 0x4D0). */
	const uint8_t *context;
	size_t context_size;
	ps_exception_record exception;
	/* PhysicalMemoryBlock from the header. */
	size_t run_count;
	const ps_phys_run *runs;
	uint64_t number_of_pages;
	uint64_t present_pages;      /* pages whose data is stored in the file */
	uint64_t file_size;
} ps_dump_info;

/* A virtual range stored verbatim in a triage dump (data blocks, the data
 * page, the call stack). */
typedef struct ps_triage_block {
	uint64_t va;
	uint64_t file_offset;
	uint32_t size;
} ps_triage_block;

/* A driver from a triage dump's driver list. */
typedef struct ps_triage_driver {
	uint64_t base;
	uint64_t size;
	uint32_t checksum;
	uint32_t timestamp;
	char name[260]; /* UTF-8, from the string pool */
} ps_triage_driver;

/* A driver from a triage dump's unloaded-driver list (most recent first, as
 * stored). */
typedef struct ps_triage_unloaded {
	uint64_t start;
	uint64_t end;
	char name[64];  /* UTF-8 */
} ps_triage_unloaded;

/* Open a dump file read-only and memory-map it. On a damaged file the
 * function fails with a message, or succeeds and records warnings
 * (ps_dump_warning) for what it had to skip. */
ps_status ps_dump_open(const char *path, ps_dump **out, ps_error *err);

/* Same, over bytes the caller owns (tests, fuzzing). `data` must outlive the
 * dump. `name` is used in messages. */
ps_status ps_dump_open_memory(const void *data, size_t size, const char *name,
			      ps_dump **out, ps_error *err);

void ps_dump_close(ps_dump *d);

const ps_dump_info *ps_dump_get_info(const ps_dump *d);
const char *ps_dump_name(const ps_dump *d);

/* Whole file, for scans that want to run over the bytes linearly. */
const uint8_t *ps_dump_bytes(const ps_dump *d, size_t *size);

/* Warnings collected while opening (truncation, inconsistent counts...). */
size_t ps_dump_warning_count(const ps_dump *d);
const char *ps_dump_warning(const ps_dump *d, size_t i);

/* 4 KiB of page data for a physical page number, in place, or NULL when the
 * page is not stored in this dump. O(1) for runs and bitmaps after open. */
const uint8_t *ps_dump_page(const ps_dump *d, uint64_t pfn);

/* Say that the dump bytes [p, p + len), from ps_dump_page or ps_dump_bytes,
 * are not needed for now. A dump mapped from a file lets those pages leave
 * the process's resident set (the page cache keeps them and the next read
 * maps them again), so a scan over a 4 GiB dump does not end with 4 GiB
 * resident. Nothing happens for dumps over memory the caller owns, or for
 * bytes outside the dump. */
void ps_dump_release(const ps_dump *d, const void *p, size_t len);

/* File offset of a stored page: PS_ENOTPRESENT when not stored. */
ps_status ps_dump_page_offset(const ps_dump *d, uint64_t pfn, uint64_t *offset, ps_error *err);

/* Copy physical bytes (may cross pages). PS_ENOTPRESENT names the first
 * missing page. */
ps_status ps_dump_read_physical(const ps_dump *d, uint64_t pa, void *buf, size_t len, ps_error *err);

/* Highest physical page number that can be stored, plus one. */
uint64_t ps_dump_page_limit(const ps_dump *d);

/* Triage dumps (empty for other types). */
size_t ps_dump_triage_block_count(const ps_dump *d);
const ps_triage_block *ps_dump_triage_blocks(const ps_dump *d);
/* Pointer to the stored bytes for `va` and how many follow contiguously. */
const uint8_t *ps_dump_triage_va(const ps_dump *d, uint64_t va, size_t *avail);
size_t ps_dump_triage_driver_count(const ps_dump *d);
const ps_triage_driver *ps_dump_triage_drivers(const ps_dump *d);
/* The unloaded-driver list of a triage dump (UnloadedDriversOffset). */
size_t ps_dump_triage_unloaded_count(const ps_dump *d);
const ps_triage_unloaded *ps_dump_triage_unloaded(const ps_dump *d);
/* The KDBG copy stored in a triage dump, or NULL. */
const uint8_t *ps_dump_triage_kdbg(const ps_dump *d, size_t *size);

/* The triage header's fields as stored (formats.md §1.7), for the copies it
 * points at that have no accessor above (KPRCB, EPROCESS, ETHREAD, MmInfo,
 * unloaded drivers). Offsets are file offsets and are NOT checked: check
 * them with ps_in_bounds against ps_dump_bytes before use. NULL for dumps
 * that are not triage dumps or whose triage header is cut off. */
typedef struct ps_triage_info {
	uint32_t service_pack_build;
	uint32_t size_of_dump;
	uint32_t valid_offset;
	uint32_t context_offset;
	uint32_t exception_offset;
	uint32_t mm_offset;
	uint32_t unloaded_drivers_offset;
	uint32_t prcb_offset;
	uint32_t process_offset;
	uint32_t thread_offset;
	uint32_t call_stack_offset;
	uint32_t size_of_call_stack;
	uint32_t driver_list_offset;
	uint32_t driver_count;
	uint32_t string_pool_offset;
	uint32_t string_pool_size;
	uint32_t broken_driver_offset;
	uint32_t triage_options;
	uint64_t top_of_stack;
	uint64_t data_page_address;
	uint32_t data_page_offset;
	uint32_t data_page_size;
	uint32_t debugger_data_offset;
	uint32_t debugger_data_size;
	uint32_t data_blocks_offset;
	uint32_t data_blocks_count;
} ps_triage_info;

const ps_triage_info *ps_dump_triage_info(const ps_dump *d);

#endif
