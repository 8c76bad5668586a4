/*
 * kernel.h - the nt layer: kernel data found in a dump.
 *
 * KDBG (KDDEBUGGER_DATA64) from the header pointer or the triage copy,
 * checked and decoded; the loaded-module list from PsLoadedModuleList
 * (KLDR_DATA_TABLE_ENTRY) or the triage driver list. Layouts:
 * ../shared/reference/formats.md §2 and §5.5.
 */
#ifndef POOLSCOPE_KERNEL_H
#define POOLSCOPE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/dump.h"
#include "poolscope/error.h"
#include "poolscope/pe.h"
#include "poolscope/vm.h"

typedef struct ps_kernel ps_kernel;

typedef struct ps_module {
	uint64_t base;
	uint64_t size;          /* SizeOfImage */
	uint64_t entry;         /* KLDR DllBase entry point, 0 if unknown */
	uint64_t ldr_entry;     /* VA of the KLDR_DATA_TABLE_ENTRY, 0 for triage */
	char name[64];          /* WinDbg module name: "nt", "hal", "SIoctl" */
	char image_name[260];   /* BaseDllName: "SIoctl.sys" */
	char path[520];         /* FullDllName, UTF-8 */
	/* From the driver list (triage) or from the PE header in the dump. */
	uint32_t timestamp;
	uint32_t checksum;
	int have_header_fields; /* timestamp/checksum are known */
} ps_module;

/* Open the kernel view of a dump: build the kernel address space, find
 * KDBG, walk the module list. Damage along the way becomes warnings
 * (ps_kernel_warning) and partial results, not failure; failure is only for
 * a dump with no usable kernel view at all. */
ps_status ps_kernel_open(const ps_dump *d, ps_kernel **out, ps_error *err);
void ps_kernel_close(ps_kernel *k);

const ps_dump *ps_kernel_dump(const ps_kernel *k);
ps_vm *ps_kernel_vm(ps_kernel *k);

size_t ps_kernel_warning_count(const ps_kernel *k);
const char *ps_kernel_warning(const ps_kernel *k, size_t i);

/* KDBG: PS_ENOTFOUND when the dump has no usable block. `raw` is the decoded
 * block (at least 0x340 bytes, zero padded). */
ps_status ps_kernel_kdbg(const ps_kernel *k, const uint8_t **raw, size_t *size, uint64_t *va);
/* A pointer-sized KDBG field by its offset (formats.md §2.3); x86 values
 * are masked to 32 bits. PS_ENOTFOUND when the block is shorter. */
ps_status ps_kernel_kdbg_field(const ps_kernel *k, unsigned offset, uint64_t *value);

/* Windows 8+ x64 keeps KDBG encoded in memory (formats.md §2.4). Non-zero
 * when the block the dump names failed its OwnerTag check on such a target,
 * so that ps_kernel_decode_kdbg is worth trying; 0 once it is decoded. */
int ps_kernel_kdbg_encoded(const ps_kernel *k);

/* Decode that block with the values of nt!KiWaitNever and nt!KiWaitAlways
 * and the address of nt!KdpDataBlockEncoded (symbols give all three), check
 * it (OwnerTag 'KDBG', a plausible Header.Size) and adopt it: KDBG fields
 * and the kernel base come from it from then on, the encoded-KDBG warning
 * goes, and the module list is walked again if KDBG places
 * PsLoadedModuleList elsewhere than the first walk started. Then
 * *modules_reloaded (nullable) is set: ps_module pointers and a ps_symbols
 * opened over this kernel are stale and must be reopened. PS_EFORMAT when
 * the values do not decode the block: the kernel keeps no KDBG and its
 * warning now says why instead of "decoding needs symbols". PS_EINVALID
 * when there is no encoded block. */
ps_status ps_kernel_decode_kdbg(ps_kernel *k, uint64_t wait_never, uint64_t wait_always,
				uint64_t block_encoded_va, int *modules_reloaded, ps_error *err);

/* The decoding alone, in place, on each whole 8-byte qword of `size` bytes:
 * t = ROL64(E ^ N, N & 0xFF); t = BSWAP64(t ^ B); D = t ^ A (formats.md
 * §2.4; N = KiWaitNever, A = KiWaitAlways, B = &KdpDataBlockEncoded). */
void ps_kdbg_decode(void *block, size_t size, uint64_t wait_never, uint64_t wait_always,
		    uint64_t block_encoded_va);

uint64_t ps_kernel_base(const ps_kernel *k);

size_t ps_kernel_module_count(const ps_kernel *k);
const ps_module *ps_kernel_module(const ps_kernel *k, size_t i);
/* Module containing `va`, or NULL. */
const ps_module *ps_kernel_module_at(const ps_kernel *k, uint64_t va);
/* By WinDbg module name (case-insensitive), or NULL. */
const ps_module *ps_kernel_module_named(const ps_kernel *k, const char *name);

/* Recently unloaded drivers, as lm's "Unloaded modules:" lists them, most
 * recent first: a triage dump's own list, else nt!MmUnloadedDrivers found
 * through KDBG (src/nt/unloaded.c; empty without a usable KDBG). */
size_t ps_kernel_unloaded_count(const ps_kernel *k);
const ps_triage_unloaded *ps_kernel_unloaded(const ps_kernel *k, size_t i);

/* One process of the active process list (src/nt/processes.c). */
typedef struct ps_process_entry {
	uint64_t eprocess;
	uint64_t pid;
	uint64_t session_space;   /* EPROCESS.Session: MM_SESSION_SPACE, 0 for none */
	char name[16];            /* ImageFileName */
} ps_process_entry;

struct ps_symbols;
/* Walk PsActiveProcessHead (symbol, else KDBG) through
 * EPROCESS.ActiveProcessLinks, offsets from the symbol service. Bounded and
 * Blink-checked: a broken or endless list stops the walk with a message in
 * `warning` (nullable) and keeps what was read. Free *out with free(). */
ps_status ps_kernel_processes(ps_kernel *k, struct ps_symbols *syms, ps_process_entry **out, size_t *count,
			      char *warning, size_t warning_size, ps_error *err);

/* PE reader callback context for an image mapped in the kernel space. */
typedef struct ps_kernel_image_reader {
	ps_kernel *kernel;
	uint64_t base;
	uint64_t size;
	ps_status last;         /* status of the last failed read */
} ps_kernel_image_reader;
ps_status ps_kernel_image_read(void *ctx, uint32_t rva, void *buf, size_t len);

#endif
