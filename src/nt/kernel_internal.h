/*
 * kernel_internal.h - the ps_kernel object shared by the nt layer's files.
 */
#ifndef PS_NT_KERNEL_INTERNAL_H
#define PS_NT_KERNEL_INTERNAL_H

#include <stdarg.h>

#include "core/warnings.h"
#include "poolscope/kernel.h"

/* Smallest block handed out by ps_kernel_kdbg (kernel.h promises 0x340). */
#define KDBG_MIN_BUFFER 0x340
/* Largest Header.Size we accept: 19041 uses 0x380; leave room for growth,
 * refuse what can only be garbage. */
#define KDBG_MAX_SIZE 0x1000
/* Smallest Header.Size of any Windows (XP, formats.md §2.1). */
#define KDBG_MIN_SIZE 0x290
#define KDBG_OWNER_TAG 0x4742444Bu /* 'KDBG' */

/* Module list walks stop here; real systems load a few hundred. */
#define KERNEL_MAX_MODULES 10000

struct ps_kernel {
	const ps_dump *dump;
	ps_vm *vm;
	unsigned pointer_size;          /* 4 or 8 */

	uint8_t *kdbg;                  /* NULL when none was found */
	size_t kdbg_size;               /* usable bytes (Header.Size, clipped) */
	size_t kdbg_buffer;             /* allocated, >= KDBG_MIN_BUFFER */
	uint64_t kdbg_va;
	/* A Windows 8+ x64 block that failed its OwnerTag check: probably
	 * encoded (formats.md §2.4), for ps_kernel_decode_kdbg. */
	int kdbg_encoded;
	uint64_t kdbg_encoded_va;
	int kdbg_encoded_copy;          /* it is the triage dump's copy */
	size_t kdbg_encoded_warning;    /* index of its warning, or SIZE_MAX */

	uint64_t kernel_base;

	uint64_t module_list_head;      /* where the list walk started, 0 if none */
	ps_module *modules;
	size_t module_count;
	size_t *by_base;                /* module indices sorted by base */

	/* nt!MmUnloadedDrivers, most recent first (unloaded.c); NULL when not
	 * read, and then a triage dump's own list is used */
	ps_triage_unloaded *unloaded;
	size_t unloaded_count;

	ps_warnings warnings;
};

void kernel_warn(ps_kernel *k, const char *fmt, ...) PS_PRINTF(2, 3);

/* Take `avail` bytes of a block whose OwnerTag was checked as the KDBG
 * (kdbg.c); `where` names it in warnings. */
void kernel_adopt_kdbg(ps_kernel *k, const uint8_t *bytes, size_t avail, uint64_t va, const char *where);

/* The steps of ps_kernel_open, in order. */
void kernel_find_kdbg(ps_kernel *k);
ps_status kernel_load_modules(ps_kernel *k, ps_error *err);
/* Read nt!MmUnloadedDrivers through KDBG (not for triage dumps). */
void kernel_load_unloaded(ps_kernel *k);

/* Fill m->name for every module, in list order, WinDbg style; the module
 * at kernel_base (or the first one when no module is there) is "nt". */
void kernel_name_modules(ps_module *mods, size_t count, uint64_t kernel_base);
/* The WinDbg module name for an image file name ("hal.dll" -> "hal"). */
void kernel_module_name(const char *image_name, int is_kernel, char *out, size_t out_size);

#endif
