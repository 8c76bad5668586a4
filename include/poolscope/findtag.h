/*
 * findtag.h - the pool layer's answer to "which driver owns this tag".
 *
 * The manual method (the seed article, steps 3-9) is: search every image
 * for the tag's four bytes, disassemble around each hit, and read whether
 * the bytes are the Tag argument of a call to ExAllocatePoolWithTag or one
 * of its relatives. This does the same for one image at a time: every
 * occurrence of the tag bytes in the image's sections is a hit; a hit inside
 * an instruction's immediate is followed through registers and stack slots
 * to the calls after it, and a call whose target is a pool allocator (by its
 * import, its export name or a wrapper that passes its parameters on) and
 * whose Tag argument holds the value makes a confirmed allocation site,
 * with the pool type and size when they are constants too. Every other hit
 * is unconfirmed, with the reason.
 *
 * Images are read through a ps_pe_read_fn, so the same code serves images
 * mapped in a dump (pages missing from the dump are skipped and counted)
 * and files on disk. All work is bounded by the image's size and fixed
 * instruction budgets; hostile images give partial results, never a hang.
 * docs/findtag.md describes the method, its limits and the report format.
 */
#ifndef POOLSCOPE_FINDTAG_H
#define POOLSCOPE_FINDTAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "poolscope/error.h"
#include "poolscope/pe.h"

/* A tag as the command line gives it: up to four characters ("MSKK",
 * "Ip" = "Ip  ", quotes allowed) or a number ("0x4B4B534D"). The result is
 * the 32-bit value as stored in memory: 'MSKK' gives 0x4B4B534D. */
ps_status ps_findtag_parse_tag(const char *text, uint32_t *tag, ps_error *err);

/* What the caller knows of a function, from a PDB or a symbol table. */
typedef struct ps_findtag_function {
	uint32_t rva;
	uint32_t size;          /* 0 when unknown */
	char name[128];
} ps_findtag_function;

/* The function containing `rva`: fill *out and return 1, or return 0. */
typedef int (*ps_findtag_function_fn)(void *ctx, uint32_t rva, ps_findtag_function *out);

typedef struct ps_findtag_image {
	const char *name;       /* for messages: "SIoctl.sys" */
	ps_pe_read_fn read;
	void *read_ctx;
	/* The address the image's code is relocated for: the module's base in
	 * a dump; 0 for "the ImageBase in its header" (files on disk). */
	uint64_t base;
	/* Bytes the image may span at most (the module size in a dump), 0 for
	 * SizeOfImage alone. */
	uint64_t size_limit;
	ps_findtag_function_fn function_at;   /* nullable */
	void *function_ctx;
} ps_findtag_image;

/* Argument values as decoded at a site. */
typedef struct ps_findtag_site {
	uint32_t tag_rva;       /* instruction whose immediate holds the tag */
	uint32_t hit_rva;       /* the tag bytes themselves */
	uint32_t call_rva;      /* the call (or tail jump) that passes the tag */
	uint32_t function_rva;  /* start of the function holding the call, 0 if unknown */
	char allocator[48];     /* "ExAllocatePoolWithTag" */
	/* Called through a wrapper: call_rva calls the wrapper at wrapper_rva,
	 * which calls the allocator at inner_call_rva. 0 when direct. */
	uint32_t wrapper_rva;
	uint32_t inner_call_rva;
	/* Pool type (POOL_TYPE, with its flag bits) or, for ExAllocatePool2/3,
	 * POOL_FLAGS. pool_implied: the allocator fixes the pool
	 * (ExInitializeNPagedLookasideList, NdisAllocateMemory...). */
	int have_pool;
	int pool_is_flags;
	int pool_implied;
	uint64_t pool;
	int have_size;
	uint64_t size;
	/* Different walks (or loop iterations) passed different constants:
	 * have_pool / have_size are 0 then. */
	int pool_varies;
	int size_varies;
	int in_loop;            /* the call can run again without leaving its function */
	int protected_tag;      /* the argument carries the protected bit 0x80000000 */
} ps_findtag_site;

typedef enum ps_findtag_reason {
	PS_FINDTAG_DATA = 1,        /* in a section that is not code */
	PS_FINDTAG_NOT_OPERAND,     /* in code, but in no instruction's immediate */
	PS_FINDTAG_NOT_ARGUMENT,    /* an immediate that reaches no allocator's Tag argument */
	PS_FINDTAG_OTHER_CALL,      /* passed to a call that is no allocator (other_call) */
	PS_FINDTAG_UNANALYSED       /* the image's instruction budget ran out first */
} ps_findtag_reason;

typedef struct ps_findtag_hit {
	uint32_t rva;           /* the tag bytes */
	uint32_t insn_rva;      /* the instruction holding them (code hits), else 0 */
	ps_findtag_reason reason;
	char section[9];
	char other_call[48];    /* PS_FINDTAG_OTHER_CALL: "ExFreePoolWithTag" */
} ps_findtag_hit;

#define PS_FINDTAG_MAX_HITS 4096    /* per image; more set `truncated` */

typedef struct ps_findtag_result {
	uint16_t machine;       /* IMAGE_FILE_MACHINE_I386 / AMD64 */
	uint64_t base;          /* the base the addresses were decoded with */
	ps_findtag_site *sites;
	size_t site_count;
	ps_findtag_hit *hits;   /* unconfirmed hits only */
	size_t hit_count;
	size_t hits_total;      /* every hit found, confirmed or not */
	uint32_t pages_total;   /* pages of the image's sections */
	uint32_t pages_missing; /* of those, pages that could not be read */
	int truncated;          /* more than PS_FINDTAG_MAX_HITS hits */
} ps_findtag_result;

/* Search one image for `tag`. PS_OK with partial results when parts of the
 * image are missing (pages_missing says how many); an error only when the
 * headers cannot be read or memory runs out. Free with
 * ps_findtag_result_free (also after a failure). */
ps_status ps_findtag_scan(const ps_findtag_image *img, uint32_t tag, ps_findtag_result *out,
			  ps_error *err);
void ps_findtag_result_free(ps_findtag_result *r);

/* ---- the allocators it knows (src/pool/allocators.c) ---------------------- */

typedef struct ps_findtag_allocator {
	const char *name;
	uint8_t arg_count;
	int8_t pool_arg;        /* -1: none (implied_pool or none) */
	int8_t size_arg;
	int8_t tag_arg;
	int8_t wide_arg;        /* an argument of 64 bits on x86 (POOL_FLAGS), -1 none */
	int8_t pool_is_flags;   /* pool_arg is POOL_FLAGS */
	int16_t implied_pool;   /* POOL_TYPE the allocator fixes, -1 none */
} ps_findtag_allocator;

/* By exact name, or NULL. */
const ps_findtag_allocator *ps_findtag_allocator_named(const char *name);

/* "PagedPool", "NonPagedPoolNx", "PagedPool|POOL_QUOTA_FAIL_INSTEAD_OF_RAISE",
 * "0x1234" for a value with no name. */
const char *ps_findtag_pool_type_text(uint64_t pool_type, char *buf, size_t n);
/* "POOL_FLAG_PAGED", "POOL_FLAG_NON_PAGED|POOL_FLAG_UNINITIALIZED". */
const char *ps_findtag_pool_flags_text(uint64_t flags, char *buf, size_t n);

/* ---- the report (src/pool/findtag_report.c, format in docs/findtag.md) ---- */

/* Name of an address inside an image: "SIoctl+0x4323",
 * "SIoctl!SioctlFillBuffers+0x23". */
typedef const char *(*ps_findtag_name_fn)(void *ctx, uint32_t rva, char *buf, size_t n);

typedef struct ps_findtag_report_image {
	const char *image_name;          /* "SIoctl.sys" */
	const ps_findtag_result *result; /* NULL: the image could not be read */
	const char *error;               /* why, when result is NULL */
	ps_findtag_name_fn name;
	void *name_ctx;
} ps_findtag_report_image;

/* Print the report for `tag` over `count` images: the summary line,
 * confirmed sites, unconfirmed hits, then images read only in part or not
 * at all. `source` says what a missing page is missing from ("the dump",
 * "the file"). */
void ps_findtag_report(FILE *out, uint32_t tag, const ps_findtag_report_image *images,
		       size_t count, const char *source);

#endif
