/*
 * kdbg_decode.c - decoding the KDBG block a Windows 8+ x64 kernel keeps
 * encoded in memory (formats.md §2.4).
 *
 * While nt!KdpDataBlockEncoded is set, every qword of nt!KdDebuggerDataBlock
 * is stored encoded with nt!KiWaitNever (N), nt!KiWaitAlways (A) and the
 * address of KdpDataBlockEncoded itself (B); nt!KdCopyDataBlock undoes it
 * as t = ROL64(E ^ N, N & 0xFF); t = BSWAP64(t ^ B); D = t ^ A. Dumps
 * Windows writes carry the block decoded; raw memory captures turned into
 * dumps do not. The three values come from the kernel's PDB, which the
 * symbol service opens only after the kernel view exists, so decoding is a
 * second step the caller takes (src/cmd/session.c does, right after the
 * symbols). As volatility and QEMU's elf2dmp do, the header is decoded
 * first and must read 'KDBG' with a plausible Size before the rest is
 * trusted: wrong values give garbage, and garbage is refused.
 */
#include "nt/kernel_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/format.h"

static uint64_t rol64(uint64_t v, unsigned n)
{
	/* The x64 ROL masks a 64-bit count to 6 bits. */
	n &= 63;
	return n ? (v << n) | (v >> (64 - n)) : v;
}

static uint64_t bswap64(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 8; i++, v >>= 8)
		r = (r << 8) | (v & 0xFF);
	return r;
}

void ps_kdbg_decode(void *block, size_t size, uint64_t wait_never, uint64_t wait_always,
		    uint64_t block_encoded_va)
{
	uint8_t *b = block;

	for (size_t off = 0; off + 8 <= size; off += 8) {
		uint64_t t = rol64(ps_le64(b + off) ^ wait_never, (unsigned)(wait_never & 0xFF));
		t = bswap64(t ^ block_encoded_va);
		ps_put_le64(b + off, t ^ wait_always);
	}
}

int ps_kernel_kdbg_encoded(const ps_kernel *k)
{
	return k && k->kdbg_encoded;
}

/* Up to `want` encoded bytes into buf; how many could be had. */
static size_t read_encoded(ps_kernel *k, uint8_t *buf, size_t want)
{
	size_t done = 0;

	if (k->kdbg_encoded_copy) {
		size_t size = 0;
		const uint8_t *copy = ps_dump_triage_kdbg(k->dump, &size);

		done = copy ? (size < want ? size : want) : 0;
		if (done)
			memcpy(buf, copy, done);
		return done;
	}
	if (ps_vm_read(k->vm, k->kdbg_encoded_va, buf, want, &done, NULL) == PS_OK)
		return want;
	return done;
}

/* After the block is adopted: the module list, if KDBG places it elsewhere,
 * and the names that depend on the kernel base. */
static ps_status refresh_modules(ps_kernel *k, uint64_t old_base, int *reloaded, ps_error *err)
{
	uint64_t head = 0;

	if (ps_dump_triage_driver_count(k->dump) == 0 && ps_kernel_kdbg_field(k, 0x48, &head) == PS_OK &&
	    head && ps_vm_canonical(k->vm, head) != k->module_list_head) {
		free(k->modules);
		free(k->by_base);
		k->modules = NULL;
		k->by_base = NULL;
		k->module_count = 0;
		if (reloaded)
			*reloaded = 1;
		return kernel_load_modules(k, err);
	}
	if (k->kernel_base != old_base)
		kernel_name_modules(k->modules, k->module_count, k->kernel_base);
	return PS_OK;
}

/* A refusal: the error, and the same words in place of the kernel's
 * "decoding needs symbols" warning, which no longer tells the story. */
static ps_status refuse(ps_kernel *k, ps_error *err, ps_status st, const char *fmt, ...) PS_PRINTF(4, 5);
static ps_status refuse(ps_kernel *k, ps_error *err, ps_status st, const char *fmt, ...)
{
	char msg[PS_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (k->kdbg_encoded_warning != SIZE_MAX)
		ps_warnings_remove(&k->warnings, k->kdbg_encoded_warning);
	k->kdbg_encoded_warning = k->warnings.count;
	kernel_warn(k, "%s", msg);
	if (k->warnings.count <= k->kdbg_encoded_warning)
		k->kdbg_encoded_warning = SIZE_MAX;
	return ps_error_set(err, st, "%s", msg);
}

ps_status ps_kernel_decode_kdbg(ps_kernel *k, uint64_t wait_never, uint64_t wait_always,
				uint64_t block_encoded_va, int *modules_reloaded, ps_error *err)
{
	uint8_t head[0x18], *block;
	uint64_t old_base;
	uint32_t tag, size;
	size_t got;
	char a[20], n[20], w[20], b[20];

	if (modules_reloaded)
		*modules_reloaded = 0;
	if (!k || !k->kdbg_encoded)
		return ps_error_set(err, PS_EINVALID, "no encoded KDBG block to decode");
	ps_format_addr(a, k->kdbg_encoded_va, k->pointer_size);
	if (read_encoded(k, head, sizeof head) < sizeof head)
		return refuse(k, err, PS_ENOTPRESENT, "KDBG at %s: the 0x18-byte header cannot be read", a);
	ps_kdbg_decode(head, sizeof head, wait_never, wait_always, block_encoded_va);
	tag = ps_le32(head + 0x10);
	size = ps_le32(head + 0x14);
	if (tag != KDBG_OWNER_TAG)
		return refuse(k, err, PS_EFORMAT,
				    "KDBG at %s does not decode with KiWaitNever %s, KiWaitAlways %s and "
				    "KdpDataBlockEncoded at %s: OwnerTag reads 0x%08x, not 'KDBG'",
				    a, ps_format_addr(n, wait_never, 8), ps_format_addr(w, wait_always, 8),
				    ps_format_addr(b, block_encoded_va, 8), tag);
	if (size < KDBG_MIN_SIZE || size > KDBG_MAX_SIZE)
		return refuse(k, err, PS_EFORMAT,
				    "KDBG at %s decodes to OwnerTag 'KDBG' but Header.Size 0x%x, which is implausible "
				    "(0x%x to 0x%x)", a, size, KDBG_MIN_SIZE, KDBG_MAX_SIZE);
	block = malloc(size);
	if (!block)
		return ps_error_set(err, PS_ENOMEM, "KDBG at %s: out of memory for 0x%x bytes", a, size);
	/* A block cut short by a missing page is kept as far as whole qwords
	 * go, as an unencoded one would be (kernel_adopt_kdbg warns). */
	got = read_encoded(k, block, size) & ~(size_t)7;
	ps_kdbg_decode(block, got, wait_never, wait_always, block_encoded_va);

	free(k->kdbg);
	k->kdbg = NULL;
	k->kdbg_size = 0;
	old_base = k->kernel_base;
	kernel_adopt_kdbg(k, block, got, k->kdbg_encoded_va, "decoded KDBG");
	free(block);
	if (!k->kdbg)
		return ps_error_set(err, PS_ENOMEM, "KDBG at %s: out of memory", a);
	k->kdbg_encoded = 0;
	if (k->kdbg_encoded_warning != SIZE_MAX)
		ps_warnings_remove(&k->warnings, k->kdbg_encoded_warning);
	k->kdbg_encoded_warning = SIZE_MAX;
	if (!k->kernel_base)
		k->kernel_base = old_base;
	kernel_load_unloaded(k);
	return refresh_modules(k, old_base, modules_reloaded, err);
}
