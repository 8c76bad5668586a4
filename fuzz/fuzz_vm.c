/*
 * fuzz_vm.c - fuzz the page walker, reader and next-readable search with
 * page tables made of fuzzer bytes.
 *
 * Input:
 *   byte 0    paging mode (x86, PAE, x64)
 *   byte 1    where the top table is: pfn 1 + (b & 3); PAE also puts the
 *             PDPT at offset 32 * (b >> 2) inside that page
 *   byte 2    which of physical pages 0-7 the dump stores (a bit each)
 *   byte 3    bit 0: also store pfn 0x200-0x201; bit 1: also 0x40000-0x40001
 *   then      11-byte records {u8 page, u16 index, u64 value}: write `value`
 *             as entry `index` of stored page `page` (modulo the counts)
 * Every stored page starts zeroed. The addresses tried are a fixed list
 * (self-map bases, large-page boundaries, the x64 canonical hole, the top
 * of the address space) plus the first 64 written values taken as addresses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "poolscope/dump.h"
#include "poolscope/vm.h"

#define MAX_RUNS 10
#define MAX_RECORDS 1024
#define MAX_PROBED 64

static const uint64_t fixed_va[] = {
	0, 0xFF8, 0x1000, 0x1FFFF8, 0x200000, 0x3FFFF8, 0x400000, 0x40000000, 0x7FFFFFF8,
	0xC0000000, 0xC0300C00, 0xC0600000, 0xC0603018, 0xFFFFF000, 0xFFFFFFF8,
	0xFFFFFFFFC0300C00ull, 0x00007FFFFFFFFFF8ull, 0x0000800000000000ull,
	0xFFFF800000000000ull, 0xFFFFF68000000000ull, 0xFFFFF6FB7DBED000ull,
	0xFFFFF6FB7DBEDF68ull, 0xFFFFFFFFFFFFFFF8ull,
};

static void probe(ps_vm *vm, uint64_t va)
{
	ps_translation t;
	ps_error err;
	uint8_t buf[0x30];
	size_t done;
	uint64_t v, next;

	ps_vm_translate(vm, va, &t, &err);
	ps_vm_read(vm, va, buf, sizeof buf, &done, &err);
	ps_vm_read_ptr(vm, va, &v, &err);
	ps_vm_next_readable(vm, va, va + 0x1000000, &next, &err);
	ps_vm_canonical(vm, va);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ps_paging modes[3] = { PS_PAGING_X86, PS_PAGING_PAE, PS_PAGING_X64 };
	ps_phys_run runs[MAX_RUNS];
	size_t run_count = 0, pages = 0, header, file_size, nrec;
	uint64_t written[MAX_PROBED];
	uint8_t *file, *h;
	ps_paging mode;
	uint64_t dtb, next;
	unsigned es;
	int wide;
	ps_dump *d = NULL;
	ps_vm *vm = NULL;
	ps_error err;

	if (size < 4)
		return 0;
	mode = modes[data[0] % 3];
	wide = mode == PS_PAGING_X64;
	es = mode == PS_PAGING_X86 ? 4 : 8;
	dtb = (1u + (data[1] & 3u)) << 12;
	if (mode == PS_PAGING_PAE)
		dtb += 32u * (data[1] >> 2);

	for (unsigned pfn = 0; pfn < 8; pfn++) {
		if (!(data[2] & (1u << pfn)))
			continue;
		if (run_count && runs[run_count - 1].base_page + runs[run_count - 1].page_count == pfn)
			runs[run_count - 1].page_count++;
		else
			runs[run_count++] = (ps_phys_run){ pfn, 1 };
		pages++;
	}
	if (data[3] & 1) {
		runs[run_count++] = (ps_phys_run){ 0x200, 2 };
		pages += 2;
	}
	if (data[3] & 2) {
		runs[run_count++] = (ps_phys_run){ 0x40000, 2 };
		pages += 2;
	}

	header = wide ? 0x2000 : 0x1000;
	file_size = header + pages * 0x1000;
	file = calloc(1, file_size);
	if (!file)
		return 0;
	h = file;
	memcpy(h, wide ? "PAGEDU64" : "PAGEDUMP", 8);
	ps_put_le32(h + 8, 0xF);
	ps_put_le32(h + 0xC, wide ? 19041 : 7601);
	if (wide) {
		ps_put_le64(h + 0x10, dtb);
		ps_put_le32(h + 0x30, 0x8664);
		ps_put_le32(h + 0x88, (uint32_t)run_count);
		ps_put_le64(h + 0x90, pages);
		for (size_t i = 0; i < run_count; i++) {
			ps_put_le64(h + 0x98 + 16 * i, runs[i].base_page);
			ps_put_le64(h + 0xA0 + 16 * i, runs[i].page_count);
		}
		ps_put_le32(h + 0xF98, 1);
	} else {
		ps_put_le32(h + 0x10, (uint32_t)dtb);
		ps_put_le32(h + 0x20, 0x14C);
		h[0x5C] = mode == PS_PAGING_PAE;
		ps_put_le32(h + 0x64, (uint32_t)run_count);
		ps_put_le32(h + 0x68, (uint32_t)pages);
		for (size_t i = 0; i < run_count; i++) {
			ps_put_le32(h + 0x6C + 8 * i, (uint32_t)runs[i].base_page);
			ps_put_le32(h + 0x70 + 8 * i, (uint32_t)runs[i].page_count);
		}
		ps_put_le32(h + 0xF88, 1);
	}
	ps_put_le64(h + 0xFA0, file_size);

	nrec = (size - 4) / 11;
	if (nrec > MAX_RECORDS)
		nrec = MAX_RECORDS;
	for (size_t r = 0; r < nrec; r++) {
		const uint8_t *rec = data + 4 + 11 * r;
		uint64_t value = ps_le64(rec + 3);
		if (r < MAX_PROBED)
			written[r] = value;
		if (pages == 0)
			continue;
		size_t page = rec[0] % pages;
		size_t index = ps_le16(rec + 1) % (0x1000 / es);
		uint8_t *p = file + header + page * 0x1000 + index * es;
		if (es == 8)
			ps_put_le64(p, value);
		else
			ps_put_le32(p, (uint32_t)value);
	}

	if (ps_dump_open_memory(file, file_size, "fuzz_vm", &d, &err) != PS_OK) {
		free(file);
		return 0;
	}
	if (ps_vm_create_kernel(d, &vm, &err) == PS_OK) {
		for (size_t i = 0; i < sizeof fixed_va / sizeof fixed_va[0]; i++)
			probe(vm, fixed_va[i]);
		/* Enough addresses to reach every path; more only slow the fuzzer. */
		for (size_t r = 0; r < nrec && r < MAX_PROBED; r++) {
			probe(vm, written[r]);
			probe(vm, written[r] & ~0xFFFull);
		}
		ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err);
		ps_vm_destroy(vm);
	}
	ps_dump_close(d);
	free(file);
	return 0;
}
