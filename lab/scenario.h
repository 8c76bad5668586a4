/*
 * scenario.h - the lab's scenario: what kind of Windows system to lay out.
 *
 * A scenario is a small line-oriented text file (docs/scenario-format.md).
 * The parser turns it into a lab_scenario value and checks everything it can
 * check without the images: numbers, ranges, alignment, overlaps between
 * memory runs, duplicate processes. Checks that need image sizes (module
 * overlaps) happen when the images are loaded.
 */
#ifndef LAB_SCENARIO_H
#define LAB_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef enum lab_arch {
	LAB_ARCH_NONE = 0,
	LAB_ARCH_X86,      /* 2-level, 4-byte entries */
	LAB_ARCH_X86_PAE,  /* PDPT + 2 levels, 8-byte entries */
	LAB_ARCH_X64       /* 4 levels */
} lab_arch;

#define LAB_MAX_RUNS 32
#define LAB_MAX_MODULES 64
#define LAB_MAX_PROCESSES 256
#define LAB_MAX_COUNTERS 64
#define LAB_MAX_REGS 40
#define LAB_NO_SESSION 0xFFFFFFFFu   /* System, smss.exe: no session */

typedef struct lab_run {
	uint64_t base_page;
	uint64_t page_count;
} lab_run;

typedef struct lab_module_spec {
	char file[64];        /* file name in the images directory */
	char name[64];        /* BaseDllName ("ntoskrnl.exe" for any kernel file) */
	char path[256];       /* FullDllName */
	uint64_t base;
	int is_kernel;
	int line;
} lab_module_spec;

typedef struct lab_process_spec {
	char name[16];        /* ImageFileName: 15 characters at most */
	uint64_t pid;
	uint64_t parent;
	uint32_t session;     /* LAB_NO_SESSION when not given */
	uint64_t peb;         /* 0: none (System); otherwise a user VA */
	int line;
} lab_process_spec;

typedef struct lab_counter {
	char name[48];        /* kernel global, e.g. "MmAvailablePages" */
	uint64_t value;
	int line;
} lab_counter;

/* pool TAG COUNT SIZE paged|nonpaged|session [module NAME] [freed N] [sid N] */
typedef enum lab_pool_kind {
	LAB_POOL_NONPAGED = 0,
	LAB_POOL_PAGED = 1,
	LAB_POOL_SESSION = 2    /* session paged pool (PagedPoolSession) */
} lab_pool_kind;

#define LAB_MAX_POOL_LINES 256
#define LAB_MAX_THREAD_LINES 64
#define LAB_MAX_VM 64
#define LAB_NO_PID UINT64_MAX

typedef struct lab_pool_spec {
	uint32_t tag;         /* as stored in memory: 'MSKK' = 0x4B4B534D */
	uint64_t count;       /* at scale 1 */
	uint64_t freed;       /* of count, at scale 1 */
	uint32_t size;        /* requested bytes */
	lab_pool_kind pool;
	uint32_t session;     /* session pool: the session id */
	char module[64];      /* who allocates it (truth only) */
	int line;
} lab_pool_spec;

/* threads PROCESS COUNT [terminated] [start VA] */
typedef struct lab_thread_spec {
	char process[16];     /* image name, or empty when pid is given */
	uint64_t pid;         /* LAB_NO_PID when the name is given */
	uint64_t count;       /* at scale 1 */
	int terminated;
	uint64_t start;       /* Win32StartAddress / StartAddress */
	int line;
} lab_thread_spec;

/* unloaded NAME START END: one record of nt!MmUnloadedDrivers, in the
 * order the drivers were unloaded (oldest first); at most MI_UNLOADED_DRIVERS */
#define LAB_MAX_UNLOADED 50
typedef struct lab_unloaded_spec {
	char name[64];        /* file name, "dump_dumpfve.sys" */
	uint64_t start, end;  /* where the image was mapped */
	int line;
} lab_unloaded_spec;

/* pagefile PATH current KB free KB minimum KB maximum KB: one paging file,
 * nt!MmPagingFile[i] (sizes in Kb as !vm prints them, multiples of 4) */
#define LAB_MAX_PAGEFILES 16
typedef struct lab_pagefile_spec {
	char path[128];       /* "\\??\\C:\\pagefile.sys" */
	uint64_t current_kb, free_kb, minimum_kb, maximum_kb;
	int line;
} lab_pagefile_spec;

/* vm KEY [INDEX] VALUE: one figure of !vm (docs/scenario-format.md) */
typedef struct lab_vm_value {
	char key[24];
	uint32_t index;       /* paged-usage N, session ID */
	uint64_t value;
	uint64_t value2;      /* session: commit (KB); value is paged pool (KB) */
	int line;
} lab_vm_value;

typedef struct lab_reg {
	char name[8];         /* "eip", "rsp", "cs", "efl"... lower case */
	uint64_t value;
	/* "nt!KeBugCheckEx+0x30": a symbol of a loaded image, resolved when the
	 * images are in place (value is 0 until then); empty for a number. */
	char symbol[96];
} lab_reg;

typedef struct lab_scenario {
	lab_arch arch;
	uint32_t build;
	uint32_t dump_type;   /* 1 or 5 */
	uint32_t processors;
	uint64_t seed;
	lab_run runs[LAB_MAX_RUNS];
	size_t run_count;
	lab_module_spec modules[LAB_MAX_MODULES];
	size_t module_count;
	lab_process_spec processes[LAB_MAX_PROCESSES];
	size_t process_count;
	lab_counter counters[LAB_MAX_COUNTERS];
	size_t counter_count;
	uint32_t bugcheck_code;
	uint64_t bugcheck_params[4];
	int has_bugcheck;
	lab_reg regs[LAB_MAX_REGS];
	size_t reg_count;
	uint64_t system_time;   /* FILETIME */
	uint64_t uptime;        /* 100 ns units */
	char csd_version[64];   /* "Service Pack 1" */
	uint32_t service_pack;
	char build_lab[96];     /* NtBuildLab string */
	size_t reserved_lines;  /* thread/handle/handles lines seen */
	lab_pool_spec pools[LAB_MAX_POOL_LINES];
	size_t pool_count;
	lab_thread_spec threads[LAB_MAX_THREAD_LINES];
	size_t thread_count;
	lab_vm_value vm[LAB_MAX_VM];
	size_t vm_count;
	/* scale F as a fraction SCALE_NUM / 1000000: every pool and thread
	 * COUNT and the scaled vm figures are multiplied by it (1000000 = the
	 * seed's own figures). --scale overrides. */
	uint64_t scale_ppm;
	/* kdbg-encoded yes: write KDBG encoded as Windows 8+ x64 keeps it in
	 * memory (formats.md §2.4); x64 builds 9200 and later only. */
	int kdbg_encoded;
	int kdbg_encoded_line;
	lab_unloaded_spec unloaded[LAB_MAX_UNLOADED];
	size_t unloaded_count;
	lab_pagefile_spec pagefiles[LAB_MAX_PAGEFILES];
	size_t pagefile_count;
} lab_scenario;

#define LAB_SCALE_ONE 1000000u

/* count * scale, rounded to nearest; a nonzero count stays at least 1. */
uint64_t lab_scaled(const lab_scenario *sc, uint64_t count);
/* Parse "0.001", "1", "1e-3", "0.5": at most 1000, at least 1e-6. */
int lab_parse_scale(const char *s, uint64_t *ppm);

/* Warnings (ignored reserved keywords) go to `warn` if not NULL. */
typedef void (*lab_warn_fn)(void *ctx, const char *msg);

/* Parse scenario text. `name` names the input in messages ("seed-env1.scn").
 * On failure err says "<name>:<line>: what was wrong". The text need not be
 * NUL-terminated and may hold any bytes. */
ps_status lab_scenario_parse(const char *text, size_t len, const char *name,
			     lab_scenario *sc, lab_warn_fn warn, void *warn_ctx,
			     ps_error *err);

/* Read and parse a file (at most 4 MiB). */
ps_status lab_scenario_load(const char *path, lab_scenario *sc, lab_warn_fn warn,
			    void *warn_ctx, ps_error *err);

/* Cut the memory runs so that they hold at most `bytes` of RAM (the
 * --memory option: small test dumps from the seed scenarios). */
ps_status lab_scenario_limit_memory(lab_scenario *sc, uint64_t bytes, ps_error *err);

/* Parse "128M", "2G", "0x8000000", "65536K". Returns 0 on success. */
int lab_parse_size(const char *s, uint64_t *out);

uint64_t lab_scenario_total_pages(const lab_scenario *sc);
/* One past the highest physical page. */
uint64_t lab_scenario_max_page(const lab_scenario *sc);

const char *lab_arch_name(lab_arch arch);
int lab_arch_is_64(lab_arch arch);

#endif
