/*
 * kdbg.c - KDDEBUGGER_DATA64 ("KDBG"), KdVersionBlock and the kernel
 * globals they point at (formats.md §2).
 *
 * KDBG fields hold the address of each kernel global, except KernBase,
 * MmPageSize and the Offset and Size values (§2.2). The x86 kernel stores its
 * 32-bit addresses zero-extended in the 64-bit slots, and its list header is
 * a 32-bit LIST_ENTRY in the first 8 bytes, leaving 0x08-0x0F zero (the
 * pattern volatility's KDBG scanner relies on, §2.1). The lab writes the
 * block in clear, as Windows-written dumps carry it (§2.4), unless the
 * scenario says `kdbg-encoded yes`: then it is encoded as a running Windows
 * 8+ x64 kernel keeps it, with KiWaitNever and KiWaitAlways drawn from the
 * seed and KdpDataBlockEncoded set.
 */
#include "lab.h"

#include <string.h>

#include "core/bytes.h"

typedef struct kdbg_ptr {
	uint16_t off;
	const char *name;
	uint8_t essential;   /* give it lab storage when the image lacks it */
} kdbg_ptr;

/* formats.md §2.3 */
static const kdbg_ptr kdbg_ptrs[] = {
	{ 0x048, "PsLoadedModuleList", 1 }, { 0x050, "PsActiveProcessHead", 1 },
	{ 0x058, "PspCidTable", 0 }, { 0x060, "ExpSystemResourcesList", 0 },
	{ 0x068, "ExpPagedPoolDescriptor", 0 }, { 0x070, "ExpNumberOfPagedPools", 0 },
	{ 0x078, "KeTimeIncrement", 0 }, { 0x080, "KeBugCheckCallbackListHead", 0 },
	{ 0x088, "KiBugCheckData", 1 }, { 0x090, "IopErrorLogListHead", 0 },
	{ 0x098, "ObpRootDirectoryObject", 0 }, { 0x0A0, "ObpTypeObjectType", 0 },
	{ 0x0A8, "MmSystemCacheStart", 0 }, { 0x0B0, "MmSystemCacheEnd", 0 },
	{ 0x0B8, "MmSystemCacheWs", 0 }, { 0x0C0, "MmPfnDatabase", 1 },
	{ 0x0C8, "MmSystemPtesStart", 0 }, { 0x0D0, "MmSystemPtesEnd", 0 },
	{ 0x0D8, "MmSubsectionBase", 0 }, { 0x0E0, "MmNumberOfPagingFiles", 0 },
	{ 0x0E8, "MmLowestPhysicalPage", 1 }, { 0x0F0, "MmHighestPhysicalPage", 1 },
	{ 0x0F8, "MmNumberOfPhysicalPages", 1 }, { 0x100, "MmMaximumNonPagedPoolInBytes", 1 },
	{ 0x108, "MmNonPagedSystemStart", 0 }, { 0x110, "MmNonPagedPoolStart", 1 },
	{ 0x118, "MmNonPagedPoolEnd", 1 }, { 0x120, "MmPagedPoolStart", 1 },
	{ 0x128, "MmPagedPoolEnd", 1 }, { 0x130, "MmPagedPoolInformation", 0 },
	{ 0x140, "MmSizeOfPagedPoolInBytes", 1 }, { 0x148, "MmTotalCommitLimit", 1 },
	{ 0x150, "MmTotalCommittedPages", 1 }, { 0x158, "MmSharedCommit", 1 },
	{ 0x160, "MmDriverCommit", 1 }, { 0x168, "MmProcessCommit", 1 },
	{ 0x170, "MmPagedPoolCommit", 1 }, { 0x178, "MmExtendedCommit", 0 },
	{ 0x180, "MmZeroedPageListHead", 0 }, { 0x188, "MmFreePageListHead", 0 },
	{ 0x190, "MmStandbyPageListHead", 0 }, { 0x198, "MmModifiedPageListHead", 0 },
	{ 0x1A0, "MmModifiedNoWritePageListHead", 0 }, { 0x1A8, "MmAvailablePages", 1 },
	{ 0x1B0, "MmResidentAvailablePages", 1 }, { 0x1B8, "PoolTrackTable", 0 },
	{ 0x1C0, "NonPagedPoolDescriptor", 0 }, { 0x1C8, "MmHighestUserAddress", 1 },
	{ 0x1D0, "MmSystemRangeStart", 1 }, { 0x1D8, "MmUserProbeAddress", 1 },
	{ 0x1E0, "KdPrintCircularBuffer", 0 }, { 0x1E8, "KdPrintCircularBufferEnd", 0 },
	{ 0x1F0, "KdPrintWritePointer", 0 }, { 0x1F8, "KdPrintRolloverCount", 0 },
	{ 0x200, "MmLoadedUserImageList", 0 }, { 0x208, "NtBuildLab", 1 },
	{ 0x218, "KiProcessorBlock", 0 }, { 0x220, "MmUnloadedDrivers", 0 },
	{ 0x228, "MmLastUnloadedDriver", 0 }, { 0x230, "MmTriageActionTaken", 0 },
	{ 0x238, "MmSpecialPoolTag", 0 }, { 0x240, "KernelVerifier", 0 },
	{ 0x248, "MmVerifierData", 0 }, { 0x250, "MmAllocatedNonPagedPool", 1 },
	{ 0x258, "MmPeakCommitment", 0 }, { 0x260, "MmTotalCommitLimitMaximum", 0 },
	{ 0x268, "CmNtCSDVersion", 1 }, { 0x270, "MmPhysicalMemoryBlock", 1 },
	{ 0x278, "MmSessionBase", 0 }, { 0x280, "MmSessionSize", 0 },
	{ 0x288, "MmSystemParentTablePage", 0 }, { 0x290, "MmVirtualTranslationBase", 0 },
	{ 0x2C8, "KdPrintCircularBufferPtr", 0 }, { 0x2D0, "KdPrintBufferSize", 0 },
	{ 0x2D8, "KeLoaderBlock", 0 },
};

/* Counters a scenario may set that are ULONGs in the kernel; the rest are
 * pointer-sized (PFN_NUMBER / SIZE_T). */
static int counter_is_ulong(const char *name)
{
	return strcmp(name, "MmNumberOfPagingFiles") == 0 || strcmp(name, "MmTotalFreeSystemPtes") == 0 ||
	       strcmp(name, "MmTotalPagesForPagingFile") == 0;
}

static ps_status set_ptr_global(lab *l, const char *name, uint64_t value, ps_error *err)
{
	return lab_write_global_ptr(l, name, value, err);
}

/* PHYSICAL_MEMORY_DESCRIPTOR in the native layout (formats.md §1.4). */
static ps_status write_memory_block(lab *l, ps_error *err)
{
	int is64 = lab_ptr_size(&l->pg) == 8;
	uint32_t size = (is64 ? 16 : 8) * (uint32_t)(l->sc.run_count + 1);
	uint8_t buf[16 * (LAB_MAX_RUNS + 1)] = { 0 };
	uint64_t va;
	ps_status st;

	if ((st = lab_pool_alloc(l, &l->nonpaged, 0x68506D4D /* 'MmPh' */, size, &va, err)) != PS_OK)
		return st;
	ps_put_le32(buf, (uint32_t)l->sc.run_count);
	if (is64)
		ps_put_le64(buf + 8, lab_scenario_total_pages(&l->sc));
	else
		ps_put_le32(buf + 4, (uint32_t)lab_scenario_total_pages(&l->sc));
	for (size_t i = 0; i < l->sc.run_count; i++) {
		if (is64) {
			ps_put_le64(buf + 16 + i * 16, l->sc.runs[i].base_page);
			ps_put_le64(buf + 24 + i * 16, l->sc.runs[i].page_count);
		} else {
			ps_put_le32(buf + 8 + i * 8, (uint32_t)l->sc.runs[i].base_page);
			ps_put_le32(buf + 12 + i * 8, (uint32_t)l->sc.runs[i].page_count);
		}
	}
	if ((st = lab_vwrite(&l->pg, 0, va, buf, size, err)) != PS_OK)
		return st;
	return set_ptr_global(l, "MmPhysicalMemoryBlock", va, err);
}

static ps_status write_values(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	uint64_t total = lab_scenario_total_pages(&l->sc);
	uint64_t va;
	ps_status st;
	char lab_str[96];

	struct { const char *name; uint64_t value; } v[] = {
		{ "MmPfnDatabase", l->pfn_database },
		{ "MmNumberOfPhysicalPages", total },
		{ "MmLowestPhysicalPage", l->sc.runs[0].base_page },
		{ "MmHighestPhysicalPage", lab_scenario_max_page(&l->sc) - 1 },
		{ "MmSystemRangeStart", p->system_range_start },
		{ "MmHighestUserAddress", p->highest_user },
		{ "MmUserProbeAddress", p->user_probe },
		{ "MmNonPagedPoolStart", l->nonpaged.base },
		{ "MmNonPagedPoolEnd", l->nonpaged.end },
		{ "MmPagedPoolStart", l->paged.base },
		{ "MmPagedPoolEnd", l->paged.end },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if ((st = set_ptr_global(l, v[i].name, v[i].value, err)) != PS_OK)
			return st;
	for (size_t i = 0; i < l->sc.counter_count; i++) {
		const lab_counter *c = &l->sc.counters[i];
		if ((st = lab_global_va(l, c->name, 64, &va, err)) != PS_OK)
			return st;
		st = counter_is_ulong(c->name) ? lab_write_u32(l, va, (uint32_t)c->value, err)
					       : lab_vwrite_ptr(&l->pg, va, c->value, err);
		if (st != PS_OK)
			return st;
	}
	/* NtBuildLab is a char array; CmNtCSDVersion a ULONG, SP in bits 8-15. */
	memset(lab_str, 0, sizeof lab_str);
	memcpy(lab_str, l->sc.build_lab, strnlen(l->sc.build_lab, 63));
	if ((st = lab_global_va(l, "NtBuildLab", 64, &va, err)) != PS_OK ||
	    (st = lab_vwrite(&l->pg, 0, va, lab_str, 64, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "CmNtCSDVersion", 4, &va, err)) != PS_OK ||
	    (st = lab_write_u32(l, va, l->sc.service_pack << 8, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "KeNumberProcessors", 4, &va, err)) != PS_OK ||
	    (st = lab_write_u32(l, va, l->sc.processors, err)) != PS_OK)
		return st;
	/* KiBugCheckData: code and four parameters, as KeBugCheckEx saves them. */
	if ((st = lab_global_va(l, "KiBugCheckData", 5 * 8, &va, err)) != PS_OK ||
	    (st = lab_vwrite_ptr(&l->pg, va, l->sc.bugcheck_code, err)) != PS_OK)
		return st;
	for (int i = 0; i < 4; i++)
		if ((st = lab_vwrite_ptr(&l->pg, va + (i + 1) * lab_ptr_size(&l->pg),
					 l->sc.bugcheck_params[i], err)) != PS_OK)
			return st;
	return write_memory_block(l, err);
}

static uint64_t sign_extend32(uint64_t v)
{
	return (v & 0x80000000ull) ? (v | 0xFFFFFFFF00000000ull) : v;
}

/* DBGKD_GET_VERSION64 (formats.md §2.1). Pointers are sign-extended on x86
 * as kdinit.c casts them through LONG_PTR. */
static ps_status write_version_block(lab *l, uint64_t list_head, ps_error *err)
{
	int is64 = lab_arch_is_64(l->sc.arch);
	uint8_t b[0x28] = { 0 };
	uint64_t va, mods;
	uint16_t flags = 0x2 | (l->sc.processors > 1 ? 0x1 : 0) | (is64 ? 0x4 : 0);
	ps_status st;

	if ((st = lab_global_va(l, "KdVersionBlock", 0x28, &va, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "PsLoadedModuleList", 16, &mods, err)) != PS_OK)
		return st;
	ps_put_le16(b + 0, 0xF);
	ps_put_le16(b + 2, (uint16_t)l->sc.build);
	b[4] = 6;                    /* ProtocolVersion */
	b[5] = is64 ? 2 : 0;         /* KdSecondaryVersion: AMD64 context */
	ps_put_le16(b + 6, flags);
	ps_put_le16(b + 8, is64 ? 0x8664 : 0x14C);
	b[0xA] = 0x0C;               /* MaxPacketType */
	b[0xB] = 3;                  /* MaxStateChange */
	b[0xC] = 0x31;               /* MaxManipulate (as E1's image) */
	ps_put_le64(b + 0x10, is64 ? l->kernel->img.base : sign_extend32(l->kernel->img.base));
	ps_put_le64(b + 0x18, is64 ? mods : sign_extend32(mods));
	ps_put_le64(b + 0x20, is64 ? list_head : sign_extend32(list_head));
	return lab_vwrite(&l->pg, 0, va, b, sizeof b, err);
}

/* splitmix64: the encoding values come from the seed without drawing on
 * the physical allocator's stream, so an encoded dump keeps the layout of
 * its plain twin page for page. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t ror64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? (v >> n) | (v << (64 - n)) : v;
}

static uint64_t bswap64(uint64_t v)
{
	uint64_t r = 0;
	for (int i = 0; i < 8; i++, v >>= 8)
		r = (r << 8) | (v & 0xFF);
	return r;
}

/* The inverse of nt!KdCopyDataBlock's decoding (formats.md §2.4): per
 * qword D, t = D ^ A; t = BSWAP64(t) ^ B; E = ROR64(t, N & 0xFF) ^ N. */
static void encode_block(uint8_t *b, size_t size, uint64_t n, uint64_t a, uint64_t addr)
{
	for (size_t off = 0; off + 8 <= size; off += 8) {
		uint64_t t = ps_le64(b + off) ^ a;
		t = bswap64(t) ^ addr;
		ps_put_le64(b + off, ror64(t, (unsigned)(n & 0xFF)) ^ n);
	}
}

/* Encode the block in `k` and set the kernel globals that decode it. The
 * three must be the image's own symbols: a reader finds them in its PDB. */
static ps_status encode_kdbg(lab *l, uint8_t *k, size_t size, ps_error *err)
{
	static const char *const names[] = { "KiWaitNever", "KiWaitAlways", "KdpDataBlockEncoded" };
	uint64_t va[3], n, a;
	uint8_t one = 1;
	ps_status st;

	for (int i = 0; i < 3; i++)
		if (lab_image_symbol(&l->kernel->img, names[i], &va[i]) != 0)
			return ps_error_set(err, PS_EUNSUPPORTED,
					    "%s: kdbg-encoded: the kernel image %s has no symbol %s",
					    l->scn_name, l->kernel->spec->file, names[i]);
	n = mix64(l->sc.seed ^ 0x4B69576169744E76ull);   /* "KiWaitNv" */
	a = mix64(l->sc.seed ^ 0x4B69576169744177ull);   /* "KiWaitAw" */
	if (!n)
		n = 1;
	if (!a)
		a = 1;
	if ((st = lab_write_u64(l, va[0], n, err)) != PS_OK ||
	    (st = lab_write_u64(l, va[1], a, err)) != PS_OK ||
	    (st = lab_vwrite(&l->pg, 0, va[2], &one, 1, err)) != PS_OK)
		return st;
	encode_block(k, size, n, a, va[2]);
	l->kdbg_wait_never = n;
	l->kdbg_wait_always = a;
	l->kdbg_block_encoded_va = va[2];
	return PS_OK;
}

ps_status lab_build_kdbg(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	uint8_t k[0x380];
	uint64_t kdbg, head, va;
	ps_status st;

	if ((st = write_values(l, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "KdDebuggerDataBlock", p->kdbg_size, &kdbg, err)) != PS_OK)
		return st;
	if ((st = lab_global_va(l, "KdpDebuggerDataListHead", 16, &head, err)) != PS_OK)
		return st;
	l->kdbg_va = kdbg;
	memset(k, 0, sizeof k);
	if (lab_arch_is_64(l->sc.arch)) {
		ps_put_le64(k + 0, head);
		ps_put_le64(k + 8, head);
	} else {
		ps_put_le32(k + 0, (uint32_t)head);
		ps_put_le32(k + 4, (uint32_t)head);
	}
	ps_put_le32(k + 0x10, 0x4742444B);           /* 'KDBG' */
	ps_put_le32(k + 0x14, p->kdbg_size);
	ps_put_le64(k + 0x18, l->kernel->img.base);
	ps_put_le16(k + 0x36, l->sc.arch == LAB_ARCH_X86_PAE ? 1 : 0);  /* PaeEnabled:1 */
	for (size_t i = 0; i < sizeof kdbg_ptrs / sizeof kdbg_ptrs[0]; i++) {
		const kdbg_ptr *f = &kdbg_ptrs[i];
		uint64_t addr;
		if (!f->essential) {
			if (lab_image_symbol(&l->kernel->img, f->name, &addr) != 0)
				continue;
		}
		if ((st = lab_global_va(l, f->name, 64, &addr, err)) != PS_OK)
			return st;
		ps_put_le64(k + f->off, addr);
	}
	ps_put_le64(k + 0x138, 0x1000);              /* MmPageSize is a value */
	/* Offsets and sizes the debugger extensions use (§2.3). */
	ps_put_le16(k + 0x29A, (uint16_t)p->kt_teb);
	ps_put_le16(k + 0x29C, (uint16_t)p->kt_kernel_stack);
	ps_put_le16(k + 0x29E, (uint16_t)p->kt_initial_stack);
	ps_put_le16(k + 0x2A0, (uint16_t)p->kt_apc_process);
	ps_put_le16(k + 0x2A2, (uint16_t)p->kt_state);
	ps_put_le16(k + 0x2A8, (uint16_t)p->ep_size);
	ps_put_le16(k + 0x2AA, (uint16_t)p->ep_peb);
	ps_put_le16(k + 0x2AC, (uint16_t)p->ep_parent_pid);
	ps_put_le16(k + 0x2AE, (uint16_t)p->kprocess_dtb);
	ps_put_le16(k + 0x2B4, (uint16_t)p->prcb_current_thread);
	ps_put_le16(k + 0x2C0, (uint16_t)p->et_size);
	if (p->kdbg_size >= 0x368) {
		/* Windows 8+ tail (§2.3, offsets M). */
		ps_put_le32(k + 0x340, p->kt_stack_limit);
		ps_put_le32(k + 0x344, p->kt_stack_base);
		ps_put_le16(k + 0x350, (uint16_t)p->prcb_idle_thread);
		ps_put_le16(k + 0x35C, (uint16_t)p->kt_wait_reason);
	}
	if (p->kdbg_has_pte_base)
		ps_put_le64(k + 0x360, l->pg.pte_base);
	if (l->sc.kdbg_encoded && (st = encode_kdbg(l, k, p->kdbg_size, err)) != PS_OK)
		return st;
	if ((st = lab_vwrite(&l->pg, 0, kdbg, k, p->kdbg_size, err)) != PS_OK)
		return st;
	if ((st = lab_write_list_head(l, head, kdbg, kdbg, err)) != PS_OK)
		return st;
	(void)va;
	return write_version_block(l, head, err);
}
