/*
 * kernel_data.c - the lab kernel's global variables, under their real names.
 *
 * poolscope-lab loads ntoskrnl.exe, finds these through the sidecar symbol
 * list (ntoskrnl.exe.syms, made from the linker map) and fills them with the
 * scenario's values; the reader finds them through the PDB and KDBG. Types
 * follow the Windows 7 kernel where the seed's commands read them (page
 * counts are pointer-sized PFN_NUMBERs, ExPoolFailures and the other
 * counters !vm reads with GetUlongValue are ULONGs). Nothing here runs.
 */
#define LAB_BUILDING_KERNEL
#include "ntmini.h"

/* ---- processes, modules, handles ---------------------------------------- */
LIST_ENTRY PsLoadedModuleList = { &PsLoadedModuleList, &PsLoadedModuleList };
LIST_ENTRY PsActiveProcessHead = { &PsActiveProcessHead, &PsActiveProcessHead };
LIST_ENTRY MmLoadedUserImageList = { &MmLoadedUserImageList, &MmLoadedUserImageList };
LIST_ENTRY ExpSystemResourcesList = { &ExpSystemResourcesList, &ExpSystemResourcesList };
LIST_ENTRY KeBugCheckCallbackListHead = { &KeBugCheckCallbackListHead, &KeBugCheckCallbackListHead };
LIST_ENTRY IopErrorLogListHead = { &IopErrorLogListHead, &IopErrorLogListHead };
LIST_ENTRY MiSessionWsList = { &MiSessionWsList, &MiSessionWsList };
PVOID PspCidTable;
PVOID KiProcessorBlock[64];
ULONG KeNumberProcessors = 1;
ULONG KeTimeIncrement = 156001;
PVOID KeLoaderBlock;
ULONG_PTR KiBugCheckData[5];

/* ---- objects ------------------------------------------------------------- */
PVOID ObTypeIndexTable[64];
UCHAR ObHeaderCookie;
PVOID ObpTypeObjectType;
PVOID ObpRootDirectoryObject;

/* ---- build identification ------------------------------------------------ */
#if defined(__x86_64__)
CHAR NtBuildLab[64] = "7601.17514.amd64fre.win7sp1_rtm.101119-1850";
#else
CHAR NtBuildLab[64] = "7601.17514.x86fre.win7sp1_rtm.101119-1850";
#endif
ULONG CmNtCSDVersion = 0x100;   /* service pack 1 in the high byte */

/* ---- physical memory ----------------------------------------------------- */
PVOID MmPfnDatabase;
PFN_NUMBER MmNumberOfPhysicalPages;
PFN_NUMBER MmLowestPhysicalPage;
PFN_NUMBER MmHighestPhysicalPage;
PFN_NUMBER MmAvailablePages;
PFN_NUMBER MmResidentAvailablePages;
PVOID MmPhysicalMemoryBlock;

/* MMPFNLIST heads (Total is the first member); KDBG points at them. */
typedef struct _MMPFNLIST {
	PFN_NUMBER Total;
	ULONG ListName;
	PFN_NUMBER Flink;
	PFN_NUMBER Blink;
	ULONG_PTR Lock;
} MMPFNLIST;
MMPFNLIST MmZeroedPageListHead, MmFreePageListHead, MmStandbyPageListHead;
MMPFNLIST MmModifiedPageListHead, MmModifiedNoWritePageListHead;

/* ---- commit -------------------------------------------------------------- */
PFN_NUMBER MmTotalCommittedPages;
PFN_NUMBER MmTotalCommitLimit;
PFN_NUMBER MmTotalCommitLimitMaximum;
PFN_NUMBER MmPeakCommitment;
PFN_NUMBER MmSharedCommit;
PFN_NUMBER MmDriverCommit;
PFN_NUMBER MmProcessCommit;
PFN_NUMBER MmPagedPoolCommit;
PFN_NUMBER MmExtendedCommit;
ULONG MiChargeCommitmentFailures[2];
ULONG MmPageFileFullExtendPages;
ULONG MmPageFileFullExtendCount;

/* ---- paging files -------------------------------------------------------- */
ULONG MmNumberOfPagingFiles;
PVOID MmPagingFile[16];
ULONG MmTotalPagesForPagingFile;

/* ---- system PTEs and locked pages ---------------------------------------- */
ULONG MmTotalFreeSystemPtes[2];  /* [0] system PTEs, [1] nonpaged PTEs: !vm reads both */
ULONG MmPteFailures[2];
ULONG MmSystemLockPagesCount;
ULONG MiAddPtesCount;
ULONG MiExtraPtes1;
ULONG MiExtraPtes2;
ULONG MmSpecialPagesInUse;
ULONG MiSpecialPagesNonPaged;
ULONG MiSpecialPagesNonPagedMaximum;

/* ---- address space layout ------------------------------------------------ */
PVOID MmNonPagedSystemStart;
PVOID MmNonPagedPoolStart;
PVOID MmNonPagedPoolEnd;
PVOID MmPagedPoolStart;
PVOID MmPagedPoolEnd;
PVOID MmSystemPtesStart;
PVOID MmSystemPtesEnd;
PVOID MmSystemCacheStart;
PVOID MmSystemCacheEnd;
PVOID MmSystemCacheWs;
PVOID MmSubsectionBase;
PVOID MmHighestUserAddress;
PVOID MmSystemRangeStart;
ULONG_PTR MmUserProbeAddress;
ULONG_PTR MmSessionBase;
ULONG_PTR MmSessionSize;
ULONG_PTR MmSystemParentTablePage;
ULONG_PTR MmVirtualTranslationBase;

/* ---- pool ---------------------------------------------------------------- */
SIZE_T MmAllocatedNonPagedPool;         /* pages, despite the name (!vm multiplies by PageSize) */
SIZE_T MmMaximumNonPagedPoolInBytes;
SIZE_T MmSizeOfPagedPoolInBytes;
ULONG MmSpecialPoolTag;

/* MM_PAGED_POOL_INFO: !vm reads AllocatedPagedPool from nt!MmPagedPoolInfo. */
typedef struct _MM_PAGED_POOL_INFO {
	ULONG_PTR Mutex[8];
	PVOID PagedPoolAllocationMap;
	PVOID FirstPteForPagedPool;
	PVOID LastPteForPagedPool;
	PVOID NextPdeForPagedPoolExpansion;
	ULONG PagedPoolHint;
	SIZE_T PagedPoolCommit;
	SIZE_T AllocatedPagedPool;
} MM_PAGED_POOL_INFO;
MM_PAGED_POOL_INFO MmPagedPoolInfo;
PVOID MmPagedPoolInformation;

/* POOL_DESCRIPTOR is 0x1140 bytes on Windows 7 x86 and x64
 * (reference/formats.md 3.6); the lab writes its fields. */
typedef struct _POOL_DESCRIPTOR_STORAGE {
	_Alignas(64) UCHAR Bytes[0x1140];
} POOL_DESCRIPTOR_STORAGE;
POOL_DESCRIPTOR_STORAGE NonPagedPoolDescriptor;
PVOID ExpPagedPoolDescriptor[17];       /* pointers: paged pool 0 plus up to 16 more */
ULONG ExpNumberOfPagedPools;
PVOID ExpNonPagedPoolDescriptor[16];
ULONG ExpNumberOfNonPagedPools;

PVOID PoolTrackTable;
SIZE_T PoolTrackTableSize;
/* Windows 8+: one tracker table per processor, indexed by KPRCB.Number
 * ([0] is PoolTrackTable); !poolused sums them. Zero on Windows 7. */
PVOID ExPoolTagTables[64];
SIZE_T PoolTrackTableMask;
PVOID PoolBigPageTable;
SIZE_T PoolBigPageTableSize;
SIZE_T PoolBigPageTableHash;
ULONG ExpPoolFlags;
ULONG ExPoolFailures;                   /* "N pool allocations have failed" in !vm */
ULONG PoolHitTag;

/* ---- unloaded drivers and triage ----------------------------------------- */
PVOID MmUnloadedDrivers;
ULONG MmLastUnloadedDriver;
ULONG MmTriageActionTaken;
ULONG KernelVerifier;
PVOID MmVerifierData;
ULONG_PTR MmBadPagesDetected;
ULONG_PTR MmZeroedPageSingleBitErrorsDetected;
PVOID VfCrashDataBlock;
PVOID EtwpDebuggerData;
ULONG IopNumTriageDumpDataBlocks;
PVOID IopTriageDumpDataBlocks[64];
