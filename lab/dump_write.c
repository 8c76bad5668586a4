/*
 * dump_write.c - the crash dump file: DUMP_HEADER32 / DUMP_HEADER64
 * (formats.md §1.2, §1.8), then page data either as physical runs
 * (DumpType 1, §1.4) or as an 'SDMP' bitmap dump (DumpType 5, §1.5) holding
 * only the kernel's pages, as a Windows kernel memory dump does.
 *
 * Header bytes Windows does not fill keep the repeating "PAGE" pattern
 * (§1.1). Pages that are all zeros are not written: the file is created at
 * its final size with ftruncate and only non-zero pages are stored, so a
 * multi-GiB dump is a sparse file written in well under a second.
 */
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"

static const uint8_t zero_page[4096];


uint64_t lab_reg_value(const lab *l, const char *name, uint64_t dflt)
{
	for (size_t i = 0; i < l->sc.reg_count; i++)
		if (strcmp(l->sc.regs[i].name, name) == 0)
			return l->sc.regs[i].value;
	return dflt;
}

/* CONTEXT layouts: formats.md §1.8. */
static void context_x86(const lab *l, uint8_t *c)
{
	static const struct { const char *r; uint16_t off; uint32_t dflt; } f[] = {
		{ "gs", 0x8C, 0x00 }, { "fs", 0x90, 0x30 }, { "es", 0x94, 0x23 }, { "ds", 0x98, 0x23 },
		{ "edi", 0x9C, 0 }, { "esi", 0xA0, 0 }, { "ebx", 0xA4, 0 }, { "edx", 0xA8, 0 },
		{ "ecx", 0xAC, 0 }, { "eax", 0xB0, 0 }, { "ebp", 0xB4, 0 }, { "eip", 0xB8, 0 },
		{ "cs", 0xBC, 0x08 }, { "efl", 0xC0, 0x246 }, { "esp", 0xC4, 0 }, { "ss", 0xC8, 0x10 },
	};
	memset(c, 0, 0x2CC);
	ps_put_le32(c, 0x1003F);     /* CONTEXT_ALL for i386 */
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		ps_put_le32(c + f[i].off, (uint32_t)lab_reg_value(l, f[i].r, f[i].dflt));
}

static void context_x64(const lab *l, uint8_t *c)
{
	static const struct { const char *r; uint16_t off; } q[] = {
		{ "rax", 0x78 }, { "rcx", 0x80 }, { "rdx", 0x88 }, { "rbx", 0x90 }, { "rsp", 0x98 },
		{ "rbp", 0xA0 }, { "rsi", 0xA8 }, { "rdi", 0xB0 }, { "r8", 0xB8 }, { "r9", 0xC0 },
		{ "r10", 0xC8 }, { "r11", 0xD0 }, { "r12", 0xD8 }, { "r13", 0xE0 }, { "r14", 0xE8 },
		{ "r15", 0xF0 }, { "rip", 0xF8 },
	};
	static const struct { const char *r; uint16_t off; uint16_t dflt; } s[] = {
		{ "cs", 0x38, 0x10 }, { "ds", 0x3A, 0x2B }, { "es", 0x3C, 0x2B },
		{ "fs", 0x3E, 0x53 }, { "gs", 0x40, 0x2B }, { "ss", 0x42, 0x18 },
	};
	memset(c, 0, 0x4D0);
	ps_put_le32(c + 0x30, 0x10001F);   /* CONTEXT_FULL | DEBUG_REGISTERS for AMD64 */
	ps_put_le32(c + 0x34, 0x1F80);     /* MxCsr */
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		ps_put_le16(c + s[i].off, (uint16_t)lab_reg_value(l, s[i].r, s[i].dflt));
	ps_put_le32(c + 0x44, (uint32_t)lab_reg_value(l, "efl", 0x286));
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		ps_put_le64(c + q[i].off, lab_reg_value(l, q[i].r, 0));
	ps_put_le32(c + 0x118, 0x1F80);    /* FltSave.MxCsr */
}

static uint64_t ip(const lab *l)
{
	return lab_arch_is_64(l->sc.arch) ? lab_reg_value(l, "rip", 0) : lab_reg_value(l, "eip", 0);
}

static int page_in_dump(const lab *l, uint64_t pfn)
{
	if (l->dump_type == 1)
		return lab_phys_is_ram(l->pm, pfn);
	return lab_phys_is_used(l->pm, pfn) && !lab_phys_is_user(l->pm, pfn) && lab_phys_is_ram(l->pm, pfn);
}

static void fill_header(lab *l, uint8_t *h, uint64_t file_size)
{
	int is64 = lab_arch_is_64(l->sc.arch);
	const lab_process *sys = &l->processes[0];
	uint64_t mods = 0, procs = 0;
	uint64_t total = lab_scenario_total_pages(&l->sc);

	for (size_t i = 0; i < l->global_count; i++) {
		if (strcmp(l->globals[i].name, "PsLoadedModuleList") == 0)
			mods = l->globals[i].va;
		if (strcmp(l->globals[i].name, "PsActiveProcessHead") == 0)
			procs = l->globals[i].va;
	}
	for (size_t i = 0; i + 4 <= (is64 ? 0x2000u : 0x1000u); i += 4)
		memcpy(h + i, "PAGE", 4);
	if (is64) {
		uint8_t *pmb = h + 0x88, *ex = h + 0xF00;
		memcpy(h + 4, "DU64", 4);
		ps_put_le32(h + 0x8, 0xF);
		ps_put_le32(h + 0xC, l->sc.build);
		ps_put_le64(h + 0x10, sys->dtb_raw);
		ps_put_le64(h + 0x18, l->pfn_database);
		ps_put_le64(h + 0x20, mods);
		ps_put_le64(h + 0x28, procs);
		ps_put_le32(h + 0x30, 0x8664);
		ps_put_le32(h + 0x34, l->sc.processors);
		ps_put_le32(h + 0x38, l->sc.bugcheck_code);
		ps_put_le32(h + 0x3C, 0);
		for (int i = 0; i < 4; i++)
			ps_put_le64(h + 0x40 + i * 8, l->sc.bugcheck_params[i]);
		memset(h + 0x60, 0, 32);
		ps_put_le64(h + 0x80, l->kdbg_va);
		ps_put_le32(pmb, (uint32_t)l->sc.run_count);
		ps_put_le32(pmb + 4, 0);
		ps_put_le64(pmb + 8, total);
		for (size_t i = 0; i < l->sc.run_count; i++) {
			ps_put_le64(pmb + 0x10 + i * 16, l->sc.runs[i].base_page);
			ps_put_le64(pmb + 0x18 + i * 16, l->sc.runs[i].page_count);
		}
		context_x64(l, h + 0x348);
		memset(ex, 0, 0x98);
		ps_put_le32(ex, 0x80000003);           /* breakpoint, as KeBugCheck2 records */
		ps_put_le32(ex + 4, 1);                /* EXCEPTION_NONCONTINUABLE */
		ps_put_le64(ex + 0x10, ip(l));
		ps_put_le32(h + 0xF98, l->dump_type);
		ps_put_le32(h + 0xF9C, 0);
		ps_put_le64(h + 0xFA0, file_size);
		ps_put_le64(h + 0xFA8, l->sc.system_time);
		ps_put_le64(h + 0x1030, l->sc.uptime);
		ps_put_le32(h + 0x1038, 0);            /* MiniDumpFields */
		ps_put_le32(h + 0x103C, 0);            /* SecondaryDataState */
		ps_put_le32(h + 0x1040, 1);            /* ProductType: VER_NT_WORKSTATION */
		ps_put_le32(h + 0x1044, 0x110);        /* SuiteMask: TERMINAL | SINGLEUSERTS */
		ps_put_le32(h + 0x1048, 0);            /* WriterStatus */
		h[0x104C] = 0;
		h[0x104D] = 2;                         /* KdSecondaryVersion */
		h[0x104E] = h[0x104F] = 0;
	} else {
		uint8_t *pmb = h + 0x64, *ex = h + 0x7D0;
		memcpy(h + 4, "DUMP", 4);
		ps_put_le32(h + 0x8, 0xF);
		ps_put_le32(h + 0xC, l->sc.build);
		ps_put_le32(h + 0x10, (uint32_t)sys->dtb_raw);
		ps_put_le32(h + 0x14, (uint32_t)l->pfn_database);
		ps_put_le32(h + 0x18, (uint32_t)mods);
		ps_put_le32(h + 0x1C, (uint32_t)procs);
		ps_put_le32(h + 0x20, 0x14C);
		ps_put_le32(h + 0x24, l->sc.processors);
		ps_put_le32(h + 0x28, l->sc.bugcheck_code);
		for (int i = 0; i < 4; i++)
			ps_put_le32(h + 0x2C + i * 4, (uint32_t)l->sc.bugcheck_params[i]);
		memset(h + 0x3C, 0, 32);
		h[0x5C] = l->sc.arch == LAB_ARCH_X86_PAE;
		h[0x5D] = 0;
		h[0x5E] = h[0x5F] = 0;
		ps_put_le32(h + 0x60, (uint32_t)l->kdbg_va);
		ps_put_le32(pmb, (uint32_t)l->sc.run_count);
		ps_put_le32(pmb + 4, (uint32_t)total);
		for (size_t i = 0; i < l->sc.run_count; i++) {
			ps_put_le32(pmb + 8 + i * 8, (uint32_t)l->sc.runs[i].base_page);
			ps_put_le32(pmb + 12 + i * 8, (uint32_t)l->sc.runs[i].page_count);
		}
		context_x86(l, h + 0x320);
		memset(ex, 0, 0x50);
		ps_put_le32(ex, 0x80000003);
		ps_put_le32(ex + 4, 1);
		ps_put_le32(ex + 0xC, (uint32_t)ip(l));
		ps_put_le32(h + 0xF88, l->dump_type);
		ps_put_le32(h + 0xF8C, 0);
		ps_put_le32(h + 0xF90, 0);
		ps_put_le32(h + 0xF94, 1);
		ps_put_le32(h + 0xF98, 0x110);
		ps_put_le32(h + 0xF9C, 0);
		ps_put_le64(h + 0xFA0, file_size);
		ps_put_le64(h + 0xFB8, l->sc.uptime);
		ps_put_le64(h + 0xFC0, l->sc.system_time);
	}
}

static int write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static ps_status write_page(int fd, const lab *l, uint64_t pfn, uint64_t off, const char *path, ps_error *err)
{
	const uint8_t *page = lab_phys_peek(l->pm, pfn);
	if (!page || memcmp(page, zero_page, sizeof zero_page) == 0)
		return PS_OK;   /* a hole in the sparse file reads as zeros */
	if (write_at(fd, page, 4096, off) != 0)
		return ps_error_set(err, PS_EIO, "%s: write at offset 0x%llx: %s", path,
				    (unsigned long long)off, strerror(errno));
	return PS_OK;
}

ps_status lab_write_dump(lab *l, const char *path, ps_error *err)
{
	int is64 = lab_arch_is_64(l->sc.arch);
	uint32_t hsize = is64 ? 0x2000 : 0x1000;
	uint64_t max_page = lab_scenario_max_page(&l->sc);
	uint64_t data_off = hsize, pages = 0, size;
	uint8_t *hdr = NULL, *bmp = NULL;
	size_t bmp_size = 0;
	ps_status st = PS_OK;
	int fd;

	if (l->dump_type == 5) {
		uint64_t bits = (max_page + 7) & ~7ull;
		bmp_size = 0x38 + (size_t)(bits / 8);
		bmp = calloc(1, bmp_size);
		if (!bmp)
			return ps_error_set(err, PS_ENOMEM, "out of memory for the dump bitmap");
		for (uint64_t p = 0; p < max_page; p++) {
			if (page_in_dump(l, p)) {
				bmp[0x38 + p / 8] |= (uint8_t)(1u << (p % 8));
				pages++;
			}
		}
		data_off = (hsize + bmp_size + 0xFFF) & ~0xFFFull;
		memcpy(bmp, "SDMP", 4);
		memcpy(bmp + 4, "DUMP", 4);
		ps_put_le64(bmp + 0x20, data_off);    /* FirstPage */
		ps_put_le64(bmp + 0x28, pages);       /* TotalPresentPages */
		ps_put_le64(bmp + 0x30, bits);        /* Pages (bits in the bitmap) */
	} else {
		pages = lab_scenario_total_pages(&l->sc);
	}
	size = data_off + pages * 4096;
	l->file_size = size;
	l->dump_pages = pages;
	hdr = malloc(hsize);
	if (!hdr) {
		free(bmp);
		return ps_error_set(err, PS_ENOMEM, "out of memory");
	}
	fill_header(l, hdr, size);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(hdr);
		free(bmp);
		return ps_error_set(err, PS_EIO, "%s: cannot create: %s", path, strerror(errno));
	}
	if (ftruncate(fd, (off_t)size) != 0 || write_at(fd, hdr, hsize, 0) != 0 ||
	    (bmp && write_at(fd, bmp, bmp_size, hsize) != 0)) {
		st = ps_error_set(err, PS_EIO, "%s: %s", path, strerror(errno));
	} else if (l->dump_type == 5) {
		uint64_t off = data_off;
		for (uint64_t p = 0; p < max_page && st == PS_OK; p++) {
			if (!(bmp[0x38 + p / 8] & (1u << (p % 8))))
				continue;
			st = write_page(fd, l, p, off, path, err);
			off += 4096;
		}
	} else {
		uint64_t off = data_off;
		for (size_t r = 0; r < l->sc.run_count && st == PS_OK; r++) {
			for (uint64_t i = 0; i < l->sc.runs[r].page_count && st == PS_OK; i++) {
				st = write_page(fd, l, l->sc.runs[r].base_page + i, off, path, err);
				off += 4096;
			}
		}
	}
	if (close(fd) != 0 && st == PS_OK)
		st = ps_error_set(err, PS_EIO, "%s: %s", path, strerror(errno));
	free(hdr);
	free(bmp);
	return st;
}
