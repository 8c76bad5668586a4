/*
 * findtag_drv.c - the test corpus of `poolscope findtag`: one driver that
 * allocates pool in every way the tag finder must recognise, compiled by
 * clang (MSVC-style) and mingw-w64 gcc at -O0, -O2 and -Os for i686 and
 * x86_64 (CMakeLists.txt here). tests/scripts/test_findtag_corpus.sh runs
 * the finder over every build and checks each site below.
 *
 * Each case has its own tag, so a test can ask about one case at a time.
 * Tags are written as drivers write them, reversed: 'pLtF' is "FtLp" in
 * memory. What each tag must give (allocator, pool, size, loop):
 *   FtLp  ExAllocatePoolWithTag(PagedPool, 0x1000) in a loop
 *   FtWr  ExAllocatePoolWithTag(NonPagedPool, size) inside the wrapper
 *         FtAlloc(size): the size is the caller's
 *   FtPt  ExAllocatePoolWithTag(PagedPool, 0x80) through FtAllocTag(pool,
 *         size, tag), a wrapper that passes its parameters on
 *   FtNl  ExInitializeNPagedLookasideList, size 0x40 (nonpaged implied)
 *   FtPl  ExInitializePagedLookasideList, size 0x60 (paged implied)
 *   FtQu  ExAllocatePoolWithQuotaTag(PagedPool, 0x30)
 *   FtPr  ExAllocatePoolWithTagPriority(NonPagedPool, 0x50)
 *   FtP2  ExAllocatePool2(POOL_FLAG_PAGED, 0x70)
 *   FtR1, FtR2  ExAllocatePoolWithTag(NonPagedPool, 0x20) with the tag
 *         chosen at run time, so it travels through a register
 *   FtCt  compared with a pool header's tag: code, but no allocation
 *   FtDt  only in a string table: data, no allocation
 * FtLp is also freed with ExFreePoolWithTag: that hit is not an allocation
 * either.
 */
#include "ntmini.h"

#define FT_LOOP_TAG 'pLtF'
#define FT_WRAP_TAG 'rWtF'
#define FT_PASS_TAG 'tPtF'
#define FT_NPLL_TAG 'lNtF'
#define FT_PLL_TAG 'lPtF'
#define FT_QUOTA_TAG 'uQtF'
#define FT_PRIO_TAG 'rPtF'
#define FT_POOL2_TAG '2PtF'
#define FT_REG1_TAG '1RtF'
#define FT_REG2_TAG '2RtF'
#define FT_CMP_TAG 'tCtF'

#define FT_BUFFERS 16

static NPAGED_LOOKASIDE_LIST FtNpagedList;
static PAGED_LOOKASIDE_LIST FtPagedList;
PVOID FtBuffers[FT_BUFFERS];
PVOID FtMisc[8];
ULONG FtCount;

/* Data only: the tag text in a table of names that is printed, never
 * allocated with. */
const char *FtNames[] = { "FtDt", "other" };

/* A wrapper with the tag inside: the size comes from the callers.
 * External and not inlined, so every build keeps it a function. */
LAB_NOINLINE PVOID NTAPI FtAlloc(SIZE_T Size)
{
	return ExAllocatePoolWithTag(NonPagedPool, Size, FT_WRAP_TAG);
}

/* A wrapper that passes everything on: the tag is the caller's. */
LAB_NOINLINE PVOID NTAPI FtAllocTag(POOL_TYPE Pool, SIZE_T Size, ULONG Tag)
{
	FtCount++;
	return ExAllocatePoolWithTag(Pool, Size, Tag);
}

/* The leak of the seed, in miniature: a counted loop of page-sized paged
 * allocations. */
LAB_NOINLINE VOID NTAPI FtFill(ULONG Count)
{
	ULONG i;

	for (i = 0; i < Count && i < FT_BUFFERS; i++)
		FtBuffers[i] = ExAllocatePoolWithTag(PagedPool, 0x1000, FT_LOOP_TAG);
}

LAB_NOINLINE VOID NTAPI FtDrain(VOID)
{
	ULONG i;

	for (i = 0; i < FT_BUFFERS; i++)
		if (FtBuffers[i] != NULL)
			ExFreePoolWithTag(FtBuffers[i], FT_LOOP_TAG);
}

/* The tag is picked at run time, so it reaches the call in a register. */
LAB_NOINLINE PVOID NTAPI FtAllocChosen(ULONG Which)
{
	ULONG tag = Which & 1 ? FT_REG1_TAG : FT_REG2_TAG;

	return ExAllocatePoolWithTag(NonPagedPool, 0x20, tag);
}

/* Reads a tag but allocates nothing with it. */
LAB_NOINLINE ULONG NTAPI FtIsOurs(const ULONG *Header)
{
	return Header[1] == FT_CMP_TAG;
}

LAB_NOINLINE VOID NTAPI FtOthers(VOID)
{
	ExInitializeNPagedLookasideList(&FtNpagedList, NULL, NULL, 0, 0x40, FT_NPLL_TAG, 0);
	ExInitializePagedLookasideList(&FtPagedList, NULL, NULL, 0, 0x60, FT_PLL_TAG, 0);
	FtMisc[0] = ExAllocatePoolWithQuotaTag(PagedPool, 0x30, FT_QUOTA_TAG);
	FtMisc[1] = ExAllocatePoolWithTagPriority(NonPagedPool, 0x50, FT_PRIO_TAG, NormalPoolPriority);
	FtMisc[2] = ExAllocatePool2(POOL_FLAG_PAGED, 0x70, FT_POOL2_TAG);
	FtMisc[3] = FtAllocTag(PagedPool, 0x80, FT_PASS_TAG);
	FtMisc[4] = FtAlloc(0x90);
	FtMisc[5] = FtAlloc(0xa0);
}

static VOID NTAPI FtUnload(PDRIVER_OBJECT DriverObject)
{
	FtDrain();
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	FtFill(FT_BUFFERS);
	FtOthers();
	FtMisc[6] = FtAllocChosen(DriverObject->Flags);
	if (FtMisc[6] != NULL && FtIsOurs(FtMisc[6]))
		DbgPrint("%s\n", FtNames[0]);
	DriverObject->DriverUnload = FtUnload;
	return STATUS_SUCCESS;
}
