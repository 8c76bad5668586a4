/*
 * findtag_internal.h - what findtag.c (the image: bytes, imports, function
 * starts, hits) and findtag_flow.c (following a value to a call) share.
 */
#ifndef PS_POOL_FINDTAG_INTERNAL_H
#define PS_POOL_FINDTAG_INTERNAL_H

#include <Zydis/Zydis.h>
#include <stddef.h>
#include <stdint.h>

#include "poolscope/findtag.h"
#include "poolscope/pe.h"

/* An IAT slot and the routine it imports. */
typedef struct ft_slot {
	uint32_t rva;
	const char *name;     /* points into the image's import list */
} ft_slot;

typedef struct ft_export {
	uint32_t rva;
	const char *name;
} ft_export;

typedef struct ft_image {
	const ps_findtag_image *src;
	ps_pe pe;
	unsigned bits;          /* 32 or 64 */
	uint64_t base;
	uint8_t *map;           /* the image as mapped, `size` bytes */
	uint32_t size;
	uint8_t *present;       /* one flag per 4 KiB page */
	ZydisDecoder decoder;

	ps_pe_import *imports;
	size_t import_count;
	ft_slot *slots;         /* sorted by rva */
	size_t slot_count;
	ps_pe_export *export_list;
	ft_export *exports;     /* named exports, sorted by rva */
	size_t export_count;
	ps_pe_runtime_function *pdata;
	size_t pdata_count;

	/* Function starts seen by a linear sweep of the code (direct call
	 * targets, exports, the entry point, .pdata) and after ret/jmp and
	 * padding; built on first need. */
	int sweep_done;
	uint32_t *strong_starts;
	size_t strong_count;
	uint32_t *weak_starts;
	size_t weak_count;
	/* Callee stack pops (x86 `ret N`), cached by target. */
	struct { uint32_t rva; int16_t pops; } pop_cache[64];
	size_t pop_cache_count;
	/* Instructions the walks may still decode in this image. */
	long budget;
} ft_image;

#define FT_PAGE 4096u

/* Read the image (findtag_image.c); res gets the page counts. */
ps_status ft_image_load(ft_image *img, const ps_findtag_image *src, ps_findtag_result *res,
			ps_error *err);
void ft_image_free(ft_image *img);
/* Find function starts by a linear sweep of the code (once). */
void ft_sweep(ft_image *img);
/* The nearest strong start at or before rva and the next one after it (0
 * when none); 0 when there is none before. */
int ft_strong_start(const ft_image *img, uint32_t rva, uint32_t *start, uint32_t *next);
int ft_weak_start(const ft_image *img, uint32_t rva, uint32_t *start);
/* The .pdata entry whose range holds rva, or NULL. */
const ps_pe_runtime_function *ft_pdata_at(const ft_image *img, uint32_t rva);

/* Bytes at rva that are present in the image, at most `want`; *avail gets
 * how many (0 when rva is outside or its page is missing). */
const uint8_t *ft_bytes(const ft_image *img, uint32_t rva, size_t want, size_t *avail);
/* True when rva lies in a section marked as code or executable. */
int ft_is_code(const ft_image *img, uint32_t rva);
/* Decode the instruction at rva (operands too when ops is not NULL). */
int ft_decode(const ft_image *img, uint32_t rva, ZydisDecodedInstruction *insn,
	      ZydisDecodedOperand *ops);
/* The import routine whose IAT slot is at rva, or NULL. */
const char *ft_import_at_slot(const ft_image *img, uint32_t rva);
/* The export whose address is rva, or NULL. */
const char *ft_export_at(const ft_image *img, uint32_t rva);
/* Routine a direct call at `target` reaches: an export of this image, or an
 * import through a `jmp [slot]` thunk; NULL for other code. */
const char *ft_direct_callee(const ft_image *img, uint32_t target);
/* x86: bytes the function at rva pops on return (`ret N`), -1 unknown. */
int ft_callee_pops(ft_image *img, uint32_t rva);

/* What following one tag immediate found. */
typedef struct ft_flow_out {
	ps_findtag_site *sites;        /* appended to; the caller frees */
	size_t site_count, site_cap;
	int visited;                   /* the watched instruction was reached */
	char other_call[48];           /* a non-allocator call that got the tag */
} ft_flow_out;

/* Follow values from `start` (an instruction boundary, the state unknown)
 * and record every allocator call whose Tag argument holds `tag` (or the
 * tag with the protected bit). `watch` is the tag instruction whose
 * reaching is reported in out->visited. function_start/function_end bound
 * the loop search (end 0: unknown). */
ps_status ft_flow_run(ft_image *img, uint32_t start, uint32_t watch, uint32_t tag,
		      uint32_t function_start, uint32_t function_end, ft_flow_out *out);

/* True when the instruction at call_rva can run again before its function
 * returns: a path of direct branches from the instruction after it leads
 * back to it (bounded; [lo, hi) limits the search when hi > lo). */
int ft_in_loop(const ft_image *img, uint32_t call_rva, uint32_t lo, uint32_t hi);

#endif
