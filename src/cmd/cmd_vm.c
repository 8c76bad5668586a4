/*
 * cmd_vm.c - `!vm [Flags]`: the memory manager's counters, the pool
 * descriptors' usage and, with flag 4, each session's paged pool and
 * commit, as WinDbg's kdexts extension prints them.
 *
 * Which global feeds which line, and the banners' rules, are those of the
 * Server 2003 kdexts vm.c that circulates publicly (docs/lab.md has the
 * table; docs/pool.md the details): "Excessive NonPaged Pool Usage" when
 * the nonpaged descriptor's pages exceed 4 * (max pages / 5), "Excessive
 * Paged Pool Usage" when MmPagedPoolInfo.AllocatedPagedPool pages exceed
 * 95 * (max bytes / 100) bytes, "N pool allocations have failed" when
 * nt!ExPoolFailures is not 0, "Running out of physical memory" when
 * ResAvail - Locked IO < 100, "Running out of system PTEs" below 1024.
 *
 * Two layouts. Windows 7 targets: the Windows 7-era extension, which the
 * seed's two `!vm 5` blocks match line for line (no Free NP PTEs / Free
 * Special NP, Modified PF Pages present, no Session Commit): a tab, the
 * label padded to 20 columns, the pages in 8 and the Kb in 10
 * ("\tPhysical Memory:      130940 (    523760 Kb)", a Vista-era output with
 * its whitespace intact; the seed's own whitespace is collapsed, so the
 * widths come from that one sample). Windows 10 targets: the current
 * extension, no header, numbers right-aligned at column 33 and Kb in 11
 * ("Physical Memory:           524158 (    2096632 Kb)", "PagedPool  0:",
 * several public outputs); its lines read from nt!MiState (Processor
 * Commit, Session Commit, Kernel Stacks, Pages For MDLs, ...) are not
 * printed: the lab does not lay them out and no source here says where
 * 1809 keeps them.
 *
 * Without the kernel PDB the globals that are not in KDBG (Locked IO
 * Pages, Free System PTEs, Modified PF Pages, Special Pool, the failure
 * counter, MmPagedPoolInfo, MiSessionWsList, MmPagingFile) are unknown:
 * their lines are left out and a note says so. Paging files: printed when
 * nt!MmPagingFile[i] points at an MMPAGING_FILE (its Size, FreeSpace,
 * MinimumSize, MaximumSize and PageFileName from the PDB's type).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_pool_usage.h"
#include "cmd/cmd_util.h"
#include "poolscope/pool.h"

/* KDBG slots (formats.md §2.3): addresses of the globals. */
#define KD_EXP_PAGED_POOL_DESCRIPTOR 0x068
#define KD_EXP_NUMBER_OF_PAGED_POOLS 0x070
#define KD_MM_NUMBER_OF_PAGING_FILES 0x0E0
#define KD_MM_NUMBER_OF_PHYSICAL_PAGES 0x0F8
#define KD_MM_MAXIMUM_NON_PAGED_POOL_IN_BYTES 0x100
#define KD_MM_SIZE_OF_PAGED_POOL_IN_BYTES 0x140
#define KD_MM_TOTAL_COMMIT_LIMIT 0x148
#define KD_MM_TOTAL_COMMITTED_PAGES 0x150
#define KD_MM_SHARED_COMMIT 0x158
#define KD_MM_DRIVER_COMMIT 0x160
#define KD_MM_PROCESS_COMMIT 0x168
#define KD_MM_PAGED_POOL_COMMIT 0x170
#define KD_MM_MODIFIED_PAGE_LIST_HEAD 0x198
#define KD_MM_MODIFIED_NO_WRITE_PAGE_LIST_HEAD 0x1A0
#define KD_MM_AVAILABLE_PAGES 0x1A8
#define KD_MM_RESIDENT_AVAILABLE_PAGES 0x1B0
#define KD_NON_PAGED_POOL_DESCRIPTOR 0x1C0

#define MAX_POOLS 64
#define KB 4                    /* 4 KiB pages */

typedef struct vm_value {
	uint64_t v;
	int have;
} vm_value;

typedef struct vm_figures {
	int modern;                     /* Windows 10 layout */
	unsigned psize;
	vm_value physical, paging_files, available, resavail, locked_io, free_ptes, pte_failures;
	vm_value modified, modified_pf, modified_no_write;
	vm_value nonpaged_usage, nonpaged_max_bytes, paged_max_bytes, allocated_paged;
	uint64_t paged_usage[MAX_POOLS + 1];
	size_t paged_pools;             /* entries in paged_usage */
	int have_paged;
	vm_value failures, shared_commit, special_pool, shared_process, paged_commit, driver_commit;
	vm_value committed, commit_limit, commit_failures;
	char missing[512];              /* lines left out for want of symbols */
} vm_figures;

static void missing(vm_figures *f, const char *what)
{
	size_t n = strlen(f->missing);

	snprintf(f->missing + n, sizeof f->missing - n, "%s%s", n ? ", " : "", what);
}

/* A global by name through the symbol service; `size` 4 for a ULONG, else
 * pointer-sized. */
static int sym_value(ps_session *s, const char *name, unsigned size, uint64_t *v)
{
	ps_symbol sym;
	uint32_t v32;

	if (ps_symbols_lookup(s->symbols, name, &sym) != PS_OK)
		return 0;
	if (size == 4) {
		if (ps_vm_read_u32(s->vm, sym.address, &v32, NULL) != PS_OK)
			return 0;
		*v = v32;
		return 1;
	}
	return ps_vm_read_ptr(s->vm, sym.address, v, NULL) == PS_OK;
}

/* A global whose address KDBG holds (pointer-sized value). */
static int kdbg_value(ps_session *s, unsigned off, uint64_t *v)
{
	uint64_t addr;

	return ps_kernel_kdbg_field(s->kernel, off, &addr) == PS_OK && addr &&
	       ps_vm_read_ptr(s->vm, addr, v, NULL) == PS_OK;
}

static void get_kd(ps_session *s, vm_value *out, const char *name, unsigned off)
{
	out->have = sym_value(s, name, 0, &out->v) || kdbg_value(s, off, &out->v);
}

static void get_sym(ps_session *s, vm_figures *f, vm_value *out, const char *name, unsigned size, const char *line)
{
	out->have = sym_value(s, name, size, &out->v);
	if (!out->have && line)
		missing(f, line);
}

/* Fallbacks for fields the built-in layouts do not list (no kernel PDB):
 * ntdiff/headers type data, the same offsets docs/lab.md cites. */
typedef struct fallback_field {
	const char *type, *field;
	uint32_t build;
	unsigned psize;
	uint32_t offset, size;
} fallback_field;

static const fallback_field fallbacks[] = {
	{ "_MM_PAGED_POOL_INFO", "AllocatedPagedPool", 7601, 4, 0x34, 4 },
	{ "_MM_PAGED_POOL_INFO", "AllocatedPagedPool", 7601, 8, 0x60, 8 },
	{ "_MM_PAGED_POOL_INFO", "AllocatedPagedPool", 17763, 8, 0x30, 8 },
	{ "_MM_SESSION_SPACE", "PagedPoolInfo.AllocatedPagedPool", 7601, 4, 0xD38 + 0x34, 4 },
	{ "_MM_SESSION_SPACE", "PagedPoolInfo.AllocatedPagedPool", 7601, 8, 0xB98 + 0x60, 8 },
	{ "_MM_SESSION_SPACE", "PagedPoolInfo.AllocatedPagedPool", 17763, 8, 0xA0 + 0x30, 8 },
	{ "_MM_SESSION_SPACE", "CommittedPages", 7601, 4, 0x28, 4 },
	{ "_MM_SESSION_SPACE", "CommittedPages", 7601, 8, 0x38, 8 },
	{ "_MM_SESSION_SPACE", "CommittedPages", 17763, 8, 0x30, 8 },
	{ "_MM_SESSION_SPACE", "SessionPoolAllocationFailures", 7601, 4, 0x40, 16 },
	{ "_MM_SESSION_SPACE", "SessionPoolAllocationFailures", 7601, 8, 0x64, 16 },
	{ "_MM_SESSION_SPACE", "SessionPoolAllocationFailures", 17763, 8, 0x58, 16 },
};

static int field_of(ps_session *s, const char *type, const char *field, uint64_t *off, uint64_t *size)
{
	const ps_dump_info *di = ps_dump_get_info(s->dump);
	ps_field_info fi;

	if (ps_symbols_field_info(s->symbols, type, field, &fi) == PS_OK) {
		*off = fi.offset;
		*size = fi.size;
		return 1;
	}
	for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++) {
		const fallback_field *b = &fallbacks[i];
		if (strcmp(b->type, type) == 0 && strcmp(b->field, field) == 0 && di &&
		    b->build == di->minor_version && b->psize == ps_vm_pointer_size(s->vm)) {
			*off = b->offset;
			*size = b->size;
			return 1;
		}
	}
	return 0;
}

static int read_sized(ps_session *s, uint64_t va, uint64_t size, uint64_t *v)
{
	uint32_t v32;

	if (size == 4) {
		if (ps_vm_read_u32(s->vm, va, &v32, NULL) != PS_OK)
			return 0;
		*v = v32;
		return 1;
	}
	return ps_vm_read_u64(s->vm, va, v, NULL) == PS_OK;
}

/* A pool descriptor's pages in use: Windows 7 TotalPages + TotalBigPages,
 * Windows 10 (Pages and BigPages) Allocated - Deallocated (formats.md
 * §3.6). */
static int descriptor_usage(ps_session *s, uint64_t desc, uint64_t *pages)
{
	static const char *const w7[] = { "TotalPages", "TotalBigPages" };
	static const char *const w10[] = { "PagesAllocated", "PagesDeallocated", "BigPagesAllocated",
					   "BigPagesDeallocated" };
	uint64_t v[4], off, size;

	if (field_of(s, "_POOL_DESCRIPTOR", "TotalPages", &off, &size)) {
		for (int i = 0; i < 2; i++) {
			if (!field_of(s, "_POOL_DESCRIPTOR", w7[i], &off, &size) ||
			    !read_sized(s, desc + off, size, &v[i]))
				return 0;
		}
		*pages = (uint64_t)((int64_t)(int32_t)v[0] + (int64_t)(int32_t)v[1]);
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		if (!field_of(s, "_POOL_DESCRIPTOR", w10[i], &off, &size) || !read_sized(s, desc + off, size, &v[i]))
			return 0;
	}
	*pages = (v[0] - v[1]) + (v[2] - v[3]);
	return 1;
}

static void gather(ps_session *s, vm_figures *f)
{
	uint64_t addr, n, off, size;
	ps_symbol sym;

	get_kd(s, &f->physical, "nt!MmNumberOfPhysicalPages", KD_MM_NUMBER_OF_PHYSICAL_PAGES);
	/* MmNumberOfPagingFiles is a ULONG: read 4 bytes at its address. */
	if (ps_kernel_kdbg_field(s->kernel, KD_MM_NUMBER_OF_PAGING_FILES, &addr) == PS_OK && addr &&
	    read_sized(s, addr, 4, &n)) {
		f->paging_files.v = n;
		f->paging_files.have = 1;
		/* MmPagingFile[] and MMPAGING_FILE come only from the PDB. */
		if (n > 0 && ps_symbols_lookup(s->symbols, "nt!MmPagingFile", &sym) != PS_OK)
			missing(f, "Page File");
	}
	get_kd(s, &f->available, "nt!MmAvailablePages", KD_MM_AVAILABLE_PAGES);
	get_kd(s, &f->resavail, "nt!MmResidentAvailablePages", KD_MM_RESIDENT_AVAILABLE_PAGES);
	get_sym(s, f, &f->locked_io, "nt!MmSystemLockPagesCount", 4, "Locked IO Pages");
	get_sym(s, f, &f->free_ptes, "nt!MmTotalFreeSystemPtes", 4, "Free System PTEs");
	if (f->free_ptes.have && f->psize == 4 && !f->modern) {
		/* x86: the extra PTEs count while MiAddPtesCount is 0 (vm.c). */
		uint64_t add = 1, e1 = 0, e2 = 0;
		if (sym_value(s, "nt!MiAddPtesCount", 4, &add) && add == 0) {
			sym_value(s, "nt!MiExtraPtes1", 4, &e1);
			sym_value(s, "nt!MiExtraPtes2", 4, &e2);
			f->free_ptes.v += e1 + e2;
		}
	}
	get_sym(s, f, &f->pte_failures, "nt!MmPteFailures", 4, NULL);
	/* MMPFNLIST.Total is the list head's first member. */
	get_kd(s, &f->modified, "nt!MmModifiedPageListHead", KD_MM_MODIFIED_PAGE_LIST_HEAD);
	get_kd(s, &f->modified_no_write, "nt!MmModifiedNoWritePageListHead", KD_MM_MODIFIED_NO_WRITE_PAGE_LIST_HEAD);
	get_sym(s, f, &f->modified_pf, "nt!MmTotalPagesForPagingFile", 4, "Modified PF Pages");

	/* The nonpaged descriptor (one nonpaged pool in the lab; several
	 * would be listed as "NonPagedPool N Used"). */
	if ((ps_symbols_lookup(s->symbols, "nt!NonPagedPoolDescriptor", &sym) == PS_OK && (addr = sym.address)) ||
	    (ps_kernel_kdbg_field(s->kernel, KD_NON_PAGED_POOL_DESCRIPTOR, &addr) == PS_OK && addr))
		f->nonpaged_usage.have = descriptor_usage(s, addr, &f->nonpaged_usage.v);
	get_kd(s, &f->nonpaged_max_bytes, "nt!MmMaximumNonPagedPoolInBytes", KD_MM_MAXIMUM_NON_PAGED_POOL_IN_BYTES);

	/* Paged pools 0..ExpNumberOfPagedPools through the pointer array. */
	{
		uint64_t count = 0, array = 0;
		if ((ps_symbols_lookup(s->symbols, "nt!ExpNumberOfPagedPools", &sym) == PS_OK &&
		     read_sized(s, sym.address, 4, &count)) ||
		    (ps_kernel_kdbg_field(s->kernel, KD_EXP_NUMBER_OF_PAGED_POOLS, &addr) == PS_OK && addr &&
		     read_sized(s, addr, 4, &count))) {
			if (ps_symbols_lookup(s->symbols, "nt!ExpPagedPoolDescriptor", &sym) == PS_OK)
				array = sym.address;
			else if (ps_kernel_kdbg_field(s->kernel, KD_EXP_PAGED_POOL_DESCRIPTOR, &addr) == PS_OK)
				array = addr;
		}
		if (count > MAX_POOLS)
			count = MAX_POOLS;
		for (uint64_t i = 0; array && i <= count; i++) {
			uint64_t desc;
			if (ps_vm_read_ptr(s->vm, array + i * f->psize, &desc, NULL) != PS_OK ||
			    !descriptor_usage(s, desc, &f->paged_usage[i]))
				break;
			f->paged_pools = (size_t)i + 1;
		}
		f->have_paged = f->paged_pools > 0;
	}
	if (ps_symbols_lookup(s->symbols, "nt!MmPagedPoolInfo", &sym) == PS_OK &&
	    field_of(s, "_MM_PAGED_POOL_INFO", "AllocatedPagedPool", &off, &size))
		f->allocated_paged.have = read_sized(s, sym.address + off, size, &f->allocated_paged.v);
	get_kd(s, &f->paged_max_bytes, "nt!MmSizeOfPagedPoolInBytes", KD_MM_SIZE_OF_PAGED_POOL_IN_BYTES);
	get_sym(s, f, &f->failures, "nt!ExPoolFailures", 4, "pool allocation failures");
	get_kd(s, &f->shared_commit, "nt!MmSharedCommit", KD_MM_SHARED_COMMIT);
	get_sym(s, f, &f->special_pool, "nt!MmSpecialPagesInUse", 4, "Special Pool");
	get_kd(s, &f->shared_process, "nt!MmProcessCommit", KD_MM_PROCESS_COMMIT);
	get_kd(s, &f->paged_commit, "nt!MmPagedPoolCommit", KD_MM_PAGED_POOL_COMMIT);
	get_kd(s, &f->driver_commit, "nt!MmDriverCommit", KD_MM_DRIVER_COMMIT);
	get_kd(s, &f->committed, "nt!MmTotalCommittedPages", KD_MM_TOTAL_COMMITTED_PAGES);
	get_kd(s, &f->commit_limit, "nt!MmTotalCommitLimit", KD_MM_TOTAL_COMMIT_LIMIT);
	if (ps_symbols_lookup(s->symbols, "nt!MiChargeCommitmentFailures", &sym) == PS_OK) {
		uint64_t a = 0, b = 0;
		read_sized(s, sym.address, 4, &a);
		read_sized(s, sym.address + 4, 4, &b);
		f->commit_failures.v = a + b;
		f->commit_failures.have = 1;
	}
}

/* ---- printing ------------------------------------------------------------ */

static void line(const vm_figures *f, FILE *out, const char *label, vm_value v)
{
	if (!v.have)
		return;
	if (f->modern) {
		int w = 33 - (int)strlen(label);
		fprintf(out, "%s%*" PRIu64 " (%11" PRIu64 " Kb)\n", label, w > 1 ? w : 1, v.v, v.v * KB);
	} else {
		fprintf(out, "\t%-20s%8" PRIu64 " (%10" PRIu64 " Kb)\n", label, v.v, v.v * KB);
	}
}

static vm_value val(uint64_t v)
{
	vm_value r = { v, 1 };
	return r;
}

/* The paging files: MmPagingFile[i] -> MMPAGING_FILE. */
static void print_paging_files(ps_session *s, const vm_figures *f, FILE *out)
{
	static const char *const names[] = { "Size", "FreeSpace", "MinimumSize", "MaximumSize" };
	const char *tab = f->modern ? "" : "\t";
	ps_symbol sym;
	uint64_t n = f->paging_files.v < 16 ? f->paging_files.v : 16;

	if (f->paging_files.have && f->paging_files.v == 0) {
		fputs("\n************ NO PAGING FILE *********************\n\n", out);
		return;
	}
	if (ps_symbols_lookup(s->symbols, "nt!MmPagingFile", &sym) != PS_OK)
		return;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pf, v[4], off, size, buf_off, len_off, len = 0, buf = 0;
		char name[520];
		uint8_t raw[1024];
		size_t k = 0;

		if (ps_vm_read_ptr(s->vm, sym.address + i * f->psize, &pf, NULL) != PS_OK || pf == 0)
			continue;
		for (int j = 0; j < 4; j++)
			if (!field_of(s, "_MMPAGING_FILE", names[j], &off, &size) || !read_sized(s, pf + off, size, &v[j]))
				return;
		if (field_of(s, "_MMPAGING_FILE", "PageFileName.Length", &len_off, &size) &&
		    field_of(s, "_MMPAGING_FILE", "PageFileName.Buffer", &buf_off, &size)) {
			read_sized(s, pf + len_off, 2, &len);
			ps_vm_read_ptr(s->vm, pf + buf_off, &buf, NULL);
		}
		len &= 0xFFFF;
		if (len > sizeof raw)
			len = sizeof raw;
		if (buf == 0) {
			fprintf(out, "%sNo Name for Paging File\n", tab);
		} else if (ps_vm_read(s->vm, buf, raw, (size_t)len, NULL, NULL) != PS_OK) {
			fprintf(out, "%sPaging File Name paged out\n", tab);
		} else {
			for (size_t c = 0; c + 1 < len && k + 1 < sizeof name; c += 2)
				name[k++] = raw[c + 1] ? '?' : (char)raw[c];
			name[k] = '\0';
			fprintf(out, "%sPage File: %s\n", tab, name);
		}
		fprintf(out, "%s  Current: %9" PRIu64 " Kb  Free Space: %9" PRIu64 " Kb\n", tab, v[0] * KB, v[1] * KB);
		fprintf(out, "%s  Minimum: %9" PRIu64 " Kb  Maximum:    %9" PRIu64 " Kb\n", tab, v[2] * KB, v[3] * KB);
	}
}

static void print_sessions(ps_session *s, const vm_figures *f, FILE *out)
{
	ps_pool_session *list = NULL;
	size_t n = 0;
	uint64_t pp_off, pp_size, cp_off, cp_size, fl_off, fl_size;
	int have_pp, have_cp, have_fl;
	ps_error err;

	ps_error_clear(&err);
	fputs(f->modern ? "\nTerminal Server Memory Usage By Session:\n\n" :
	      "\n\tTerminal Server Memory Usage By Session:\n\n", out);
	if (ps_pool_sessions(s->kernel, s->symbols, &list, &n, &err) != PS_OK) {
		fprintf(out, "Unable to list the sessions: %s\n", err.message);
		return;
	}
	have_pp = field_of(s, "_MM_SESSION_SPACE", "PagedPoolInfo.AllocatedPagedPool", &pp_off, &pp_size);
	have_cp = field_of(s, "_MM_SESSION_SPACE", "CommittedPages", &cp_off, &cp_size);
	have_fl = field_of(s, "_MM_SESSION_SPACE", "SessionPoolAllocationFailures", &fl_off, &fl_size);
	for (size_t i = 0; i < n; i++) {
		uint64_t sp = list[i].session_space, pp = 0, cp = 0, failures = 0;
		char addr[32];

		if (f->psize == 8)
			snprintf(addr, sizeof addr, "%016" PRIx64, sp);
		else
			snprintf(addr, sizeof addr, "%08" PRIx64, sp);
		if (have_pp)
			read_sized(s, sp + pp_off, pp_size, &pp);
		if (have_cp)
			read_sized(s, sp + cp_off, cp_size, &cp);
		for (unsigned j = 0; have_fl && j < 4; j++) {
			uint64_t v = 0;
			read_sized(s, sp + fl_off + 4 * j, 4, &v);
			failures += v;
		}
		if (f->modern) {
			fprintf(out, "Session ID %x @ %s:\n", list[i].id, addr);
			fprintf(out, "Paged Pool Usage: %8" PRIu64 " Kb\n", pp * KB);
			if (failures)
				fprintf(out, "\n*** %" PRIu64 " Pool Allocation Failures ***\n\n", failures);
			fprintf(out, "Commit Usage:     %8" PRIu64 " Kb\n\n", cp * KB);
		} else {
			fprintf(out, "\n\tSession ID %x @ %s:\n", list[i].id, addr);
			fprintf(out, "\tPaged Pool Usage:    %8" PRIu64 "K\n", pp * KB);
			if (failures)
				fprintf(out, "\n\t*** %" PRIu64 " Pool Allocation Failures ***\n\n", failures);
			fprintf(out, "\tCommit Usage:        %8" PRIu64 "K\n", cp * KB);
		}
	}
	free(list);
}

ps_status ps_cmd_vm(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const ps_dump_info *di;
	const char *p = ps_cmd_skip_blanks(args);
	const char *tab;
	uint64_t flags = 0, paged_total = 0;
	vm_figures f;

	(void)cmd;
	if (!s->kernel || !s->symbols) {
		fputs("!vm needs the kernel view of the dump\n", out);
		return PS_EUNSUPPORTED;
	}
	if (*p && ps_cmd_eval(s, p, &p, &flags, out) != PS_OK)
		return PS_EARG;
	memset(&f, 0, sizeof f);
	di = ps_dump_get_info(s->dump);
	f.modern = di && di->minor_version >= 9200;
	f.psize = ps_vm_pointer_size(s->vm);
	gather(s, &f);
	tab = f.modern ? "" : "\t";

	/* Without KDBG and without the PDB most figures have no address. */
	if (ps_kernel_kdbg(s->kernel, NULL, NULL, NULL) != PS_OK) {
		const char *why = "";

		if (ps_kernel_kdbg_encoded(s->kernel))
			why = ps_symbols_module_pdb(s->symbols, ps_kernel_module_named(s->kernel, "nt"))
				      ? " (it is encoded and does not decode)"
				      : " (it is encoded; decoding needs nt's PDB)";
		fprintf(out, "*** no usable KDBG%s: figures only it locates are not shown\n", why);
	}
	if (f.missing[0])
		fprintf(out, "*** no kernel symbols: not shown: %s\n", f.missing);
	if (!f.modern) {
		fputs("\n*** Virtual Memory Usage ***\n", out);
		line(&f, out, "Physical Memory:", f.physical);
		print_paging_files(s, &f, out);
	} else {
		print_paging_files(s, &f, out);
		line(&f, out, "Physical Memory:", f.physical);
	}
	line(&f, out, "Available Pages:", f.available);
	line(&f, out, "ResAvail Pages:", f.resavail);
	if (f.resavail.have && f.locked_io.have && (int64_t)(f.resavail.v - f.locked_io.v) < 100)
		fprintf(out, "\n%s********** Running out of physical memory **********\n\n", tab);
	line(&f, out, "Locked IO Pages:", f.locked_io);
	line(&f, out, "Free System PTEs:", f.free_ptes);
	if (f.free_ptes.have && f.free_ptes.v < 1024)
		fprintf(out, "\n%s********** Running out of system PTEs **************\n\n", tab);
	if (f.pte_failures.have && f.pte_failures.v)
		fprintf(out, "\n%s******* %" PRIu64 " system PTE allocations have failed ******\n\n", tab,
			f.pte_failures.v);
	line(&f, out, "Modified Pages:", f.modified);
	line(&f, out, "Modified PF Pages:", f.modified_pf);
	if (f.available.have && f.modified.have && f.available.v < 50 && f.modified.v > 200)
		fprintf(out, "%s********** High Number Of Modified Pages ********\n", tab);
	if (f.modern) {
		line(&f, out, "Modified No Write Pages:", f.modified_no_write);
	} else if (f.modified_no_write.have && f.physical.have &&
		   f.modified_no_write.v > (f.physical.v / 100) * 3) {
		fputs("\t********** High Number Of Modified No Write Pages ********\n", out);
		fprintf(out, "\tModified No Write Pages: %" PRIu64 "   (%8" PRIu64 " Kb)\n", f.modified_no_write.v,
			f.modified_no_write.v * KB);
	}
	line(&f, out, "NonPagedPool Usage:", f.nonpaged_usage);
	if (f.nonpaged_max_bytes.have)
		line(&f, out, "NonPagedPool Max:", val(f.nonpaged_max_bytes.v / 4096));
	if (f.nonpaged_usage.have && f.nonpaged_max_bytes.have &&
	    f.nonpaged_usage.v > 4 * ((f.nonpaged_max_bytes.v / 4096) / 5))
		fprintf(out, "%s********** Excessive NonPaged Pool Usage *****\n", tab);
	for (size_t i = 0; i < f.paged_pools; i++) {
		char label[32];
		if (f.modern)
			snprintf(label, sizeof label, "PagedPool %2zu:", i);
		else
			snprintf(label, sizeof label, "PagedPool %zu Usage:", i);
		line(&f, out, label, val(f.paged_usage[i]));
		paged_total += f.paged_usage[i];
	}
	if (f.allocated_paged.have && f.paged_max_bytes.have &&
	    f.allocated_paged.v * 4096 > 95 * (f.paged_max_bytes.v / 100))
		fprintf(out, "%s********** Excessive Paged Pool Usage *****\n", tab);
	if (f.have_paged)
		line(&f, out, "PagedPool Usage:", val(paged_total));
	if (f.paged_max_bytes.have)
		line(&f, out, "PagedPool Maximum:", val(f.paged_max_bytes.v / 4096));
	if (f.failures.have && f.failures.v)
		fprintf(out, "\n%s********** %" PRIu64 " pool allocations have failed **********\n\n", tab, f.failures.v);
	line(&f, out, "Shared Commit:", f.shared_commit);
	line(&f, out, "Special Pool:", f.special_pool);
	line(&f, out, "Shared Process:", f.shared_process);
	line(&f, out, "PagedPool Commit:", f.paged_commit);
	line(&f, out, "Driver Commit:", f.driver_commit);
	line(&f, out, "Committed pages:", f.committed);
	line(&f, out, "Commit limit:", f.commit_limit);
	if (f.committed.have && f.commit_limit.have && f.committed.v + 100 > f.commit_limit.v)
		fprintf(out, "\n%s********** Number of committed pages is near limit ********\n", tab);
	if (f.commit_failures.have && f.commit_failures.v)
		fprintf(out, "\n%s********** %" PRIu64 " commit requests have failed  **********\n\n", tab,
			f.commit_failures.v);
	fputs("\n", out);
	if (flags & 4)
		print_sessions(s, &f, out);
	return PS_OK;
}
