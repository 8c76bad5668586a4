/*
 * allocators.c - the kernel routines that take a pool tag, where their
 * arguments are, and the names of pool types and pool flags.
 *
 * Argument positions are the documented prototypes (learn.microsoft.com,
 * "wdm.h", "ntddk.h", "ndis.h", "fltkernel.h", "storport.h" pages of each
 * routine). All are NTAPI (stdcall on x86: the callee pops its arguments;
 * the first four in rcx, rdx, r8, r9 on x64). ExAllocatePool2 and
 * ExAllocatePool3 take POOL_FLAGS, a ULONG64, first: two stack slots on x86.
 * The *Zero / *Uninitialized routines are inline wrappers in wdm.h in
 * recent WDKs; they are listed for drivers that import them from a library
 * of their own.
 *
 * POOL_TYPE values: the WDK's enum (also in the kernel PDB's _POOL_TYPE);
 * the flag bits POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8 and
 * POOL_RAISE_IF_ALLOCATION_FAILURE 16 (ntddk.h), POOL_COLD_ALLOCATION 256,
 * POOL_NX_ALLOCATION 512 and POOL_ZERO_ALLOCATION 1024 (wdm.h).
 * POOL_FLAGS: learn.microsoft.com/windows-hardware/drivers/kernel/pool_flags
 * (the low 32 bits are required flags, the high 32 optional).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "poolscope/findtag.h"

/* name, args, pool, size, tag, wide (x86 64-bit arg), pool is flags, implied pool */
static const ps_findtag_allocator allocators[] = {
	{"ExAllocatePoolWithTag", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolWithQuotaTag", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolWithTagPriority", 4, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePool2", 3, 0, 1, 2, 0, 1, -1},
	{"ExAllocatePool3", 5, 0, 1, 2, 0, 1, -1},
	{"ExAllocatePoolZero", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolUninitialized", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolQuotaZero", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolQuotaUninitialized", 3, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolPriorityZero", 4, 0, 1, 2, -1, 0, -1},
	{"ExAllocatePoolPriorityUninitialized", 4, 0, 1, 2, -1, 0, -1},
	/* (Lookaside, Allocate, Free, Flags, Size, Tag, Depth) */
	{"ExInitializeNPagedLookasideList", 7, -1, 4, 5, -1, 0, 0},
	{"ExInitializePagedLookasideList", 7, -1, 4, 5, -1, 0, 1},
	/* (Lookaside, Allocate, Free, PoolType, Flags, Size, Tag, Depth) */
	{"ExInitializeLookasideListEx", 8, 3, 5, 6, -1, 0, -1},
	/* (PoolType, PoolTag) */
	{"ExAllocateCacheAwareRundownProtection", 2, 0, -1, 1, -1, 0, -1},
	{"FsRtlAllocatePoolWithTag", 3, 0, 1, 2, -1, 0, -1},
	{"FsRtlAllocatePoolWithQuotaTag", 3, 0, 1, 2, -1, 0, -1},
	/* (VirtualAddress, Length, Tag) and (NdisHandle, Length, Tag, Priority):
	 * nonpaged pool */
	{"NdisAllocateMemoryWithTag", 3, -1, 1, 2, -1, 0, 0},
	{"NdisAllocateMemoryWithTagPriority", 4, -1, 1, 2, -1, 0, 0},
	/* (Instance, PoolType, NumberOfBytes, Tag) */
	{"FltAllocatePoolAlignedWithTag", 4, 1, 2, 3, -1, 0, -1},
	/* (HwDeviceExtension, NumberOfBytes, Tag, BufferPointer): nonpaged */
	{"StorPortAllocatePool", 4, -1, 1, 2, -1, 0, 0},
};

const ps_findtag_allocator *ps_findtag_allocator_named(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(allocators) / sizeof(allocators[0]); i++)
		if (strcmp(allocators[i].name, name) == 0)
			return &allocators[i];
	return NULL;
}

static const struct {
	uint32_t value;
	const char *name;
} pool_types[] = {
	{0, "NonPagedPool"},
	{1, "PagedPool"},
	{2, "NonPagedPoolMustSucceed"},
	{3, "DontUseThisType"},
	{4, "NonPagedPoolCacheAligned"},
	{5, "PagedPoolCacheAligned"},
	{6, "NonPagedPoolCacheAlignedMustS"},
	{7, "MaxPoolType"},
	{32, "NonPagedPoolSession"},
	{33, "PagedPoolSession"},
	{34, "NonPagedPoolMustSucceedSession"},
	{35, "DontUseThisTypeSession"},
	{36, "NonPagedPoolCacheAlignedSession"},
	{37, "PagedPoolCacheAlignedSession"},
	{38, "NonPagedPoolCacheAlignedMustSSession"},
	{512, "NonPagedPoolNx"},
	{516, "NonPagedPoolNxCacheAligned"},
	{544, "NonPagedPoolSessionNx"},
};

static const struct {
	uint64_t bit;
	const char *name;
} pool_type_flags[] = {
	{8, "POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"},
	{16, "POOL_RAISE_IF_ALLOCATION_FAILURE"},
	{256, "POOL_COLD_ALLOCATION"},
	{1024, "POOL_ZERO_ALLOCATION"},
};

static const struct {
	uint64_t bit;
	const char *name;
} pool_flags[] = {
	{0x1, "POOL_FLAG_USE_QUOTA"},
	{0x2, "POOL_FLAG_UNINITIALIZED"},
	{0x4, "POOL_FLAG_SESSION"},
	{0x8, "POOL_FLAG_CACHE_ALIGNED"},
	{0x10, "POOL_FLAG_RESERVED1"},
	{0x20, "POOL_FLAG_RAISE_ON_FAILURE"},
	{0x40, "POOL_FLAG_NON_PAGED"},
	{0x80, "POOL_FLAG_NON_PAGED_EXECUTE"},
	{0x100, "POOL_FLAG_PAGED"},
	{0x200, "POOL_FLAG_RESERVED2"},
	{0x400, "POOL_FLAG_RESERVED3"},
	{UINT64_C(0x100000000), "POOL_FLAG_SPECIAL_POOL"},
};

static const char *pool_type_name(uint64_t v)
{
	for (size_t i = 0; i < sizeof(pool_types) / sizeof(pool_types[0]); i++)
		if (pool_types[i].value == v)
			return pool_types[i].name;
	return NULL;
}

/* Append "|name" (or "name" first) to buf; keeps buf terminated when full. */
static void append_name(char *buf, size_t n, const char *name)
{
	size_t len = strlen(buf);

	if (len + 1 >= n)
		return;
	snprintf(buf + len, n - len, "%s%s", len ? "|" : "", name);
}

static void append_hex(char *buf, size_t n, uint64_t v)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%" PRIx64, v);
	append_name(buf, n, hex);
}

const char *ps_findtag_pool_type_text(uint64_t pool_type, char *buf, size_t n)
{
	const char *name = pool_type_name(pool_type);
	uint64_t base = pool_type, rest;

	if (!n)
		return buf;
	buf[0] = 0;
	if (name) {
		snprintf(buf, n, "%s", name);
		return buf;
	}
	for (size_t i = 0; i < sizeof(pool_type_flags) / sizeof(pool_type_flags[0]); i++)
		base &= ~pool_type_flags[i].bit;
	name = pool_type_name(base);
	if (!name) {
		snprintf(buf, n, "0x%" PRIx64, pool_type);
		return buf;
	}
	append_name(buf, n, name);
	rest = pool_type & ~base;
	for (size_t i = 0; i < sizeof(pool_type_flags) / sizeof(pool_type_flags[0]); i++) {
		if (rest & pool_type_flags[i].bit) {
			append_name(buf, n, pool_type_flags[i].name);
			rest &= ~pool_type_flags[i].bit;
		}
	}
	return buf;
}

const char *ps_findtag_pool_flags_text(uint64_t flags, char *buf, size_t n)
{
	uint64_t rest = flags;

	if (!n)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(pool_flags) / sizeof(pool_flags[0]); i++) {
		if (rest & pool_flags[i].bit) {
			append_name(buf, n, pool_flags[i].name);
			rest &= ~pool_flags[i].bit;
		}
	}
	if (rest || !flags)
		append_hex(buf, n, rest);
	return buf;
}
