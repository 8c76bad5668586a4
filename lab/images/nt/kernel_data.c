/*
 * kernel_data.c - the lab kernel's global variables, under their real names.
 *
 * poolscope-lab loads ntoskrnl.exe, finds these through the sidecar symbol
 * list (ntoskrnl.exe.syms, made from the linker map) and fills them with the
 * scenario's values; the reader finds them through the PDB and KDBG. Types
 * follow the Windows 7 kernel where the seed's commands read them (page
 * counts are pointer-sized PFN_NUMBERs, ExPoolFailures and the other
 * counters !vm reads with GetUlongValue are ULONGs). The pool, object and
 * process globals carry the build's real types (types/), so the PDB says
 * what they point at. Nothing here runs.
 */
#include "ntinternal.h"

/* ---- processes, modules, handles ---------------------------------------- */
LIST_ENTRY PsLoadedModuleList = { &PsLoadedModuleList, &PsLoadedModuleList };
LIST_ENTRY PsActiveProcessHead = { &PsActiveProcessHead, &PsActiveProcessHead };
LIST_ENTRY MmLoadedUserImageList = { &MmLoadedUserImageList, &MmLoadedUserImageList };
LIST_ENTRY ExpSystemResourcesList = { &ExpSystemResourcesList, &ExpSystemResourcesList };
LIST_ENTRY KeBugCheckCallbackListHead = { &KeBugCheckCallbackListHead, &KeBugCheckCallbackListHead };
LIST_ENTRY IopErrorLogListHead = { &IopErrorLogListHead, &IopErrorLogListHead };
LIST_ENTRY MiSessionWsList = { &MiSessionWsList, &MiSessionWsList };
PHANDLE_TABLE PspCidTable;
PKPRCB KiProcessorBlock[64];
ULONG KeNumberProcessors = 1;
ULONG KeTimeIncrement = 156001;
PVOID KeLoaderBlock;
ULONG_PTR KiBugCheckData[5];
PEPROCESS PsInitialSystemProcess;
EPROCESS KiInitialProcess;          /* the idle process, in .data as in Windows */

/* ---- objects ------------------------------------------------------------- */
POBJECT_TYPE ObTypeIndexTable[64];
UCHAR ObHeaderCookie;
POBJECT_TYPE ObpTypeObjectType;
PVOID ObpRootDirectoryObject;

/* ---- build identification ------------------------------------------------ */
#if LAB_NT_BUILD == 17763
CHAR NtBuildLab[64] = "17763.1.amd64fre.rs5_release.180914-1434";
#elif defined(__x86_64__)
CHAR NtBuildLab[64] = "7601.17514.amd64fre.win7sp1_rtm.101119-1850";
#else
CHAR NtBuildLab[64] = "7601.17514.x86fre.win7sp1_rtm.101119-1850";
#endif
#if LAB_NT_BUILD == 7601
ULONG CmNtCSDVersion = 0x100;   /* service pack 1 in the high byte */
#else
ULONG CmNtCSDVersion;
#endif

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
PMMPAGING_FILE MmPagingFile[16];
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

/* !vm reads AllocatedPagedPool from nt!MmPagedPoolInfo (the build's
 * MM_PAGED_POOL_INFO, types/nt_<build>_<arch>.h). */
MM_PAGED_POOL_INFO MmPagedPoolInfo;
PVOID MmPagedPoolInformation;

/* POOL_DESCRIPTOR is 0x1140 bytes on Windows 7 and 1809 (formats.md
 * 3.6); the lab writes its fields. */
_Alignas(64) POOL_DESCRIPTOR NonPagedPoolDescriptor;
PPOOL_DESCRIPTOR ExpPagedPoolDescriptor[17];    /* paged pool 0 plus up to 16 more */
ULONG ExpNumberOfPagedPools;
PPOOL_DESCRIPTOR ExpNonPagedPoolDescriptor[16];
ULONG ExpNumberOfNonPagedPools;

PPOOL_TRACKER_TABLE PoolTrackTable;
SIZE_T PoolTrackTableSize;
/* Windows 8+: one tracker table per processor, indexed by KPRCB.Number
 * ([0] is PoolTrackTable in the lab); !poolused sums them. Empty on 7601. */
PPOOL_TRACKER_TABLE ExPoolTagTables[64];
SIZE_T PoolTrackTableMask;
PPOOL_TRACKER_BIG_PAGES PoolBigPageTable;
SIZE_T PoolBigPageTableSize;
SIZE_T PoolBigPageTableHash;
ULONG ExpPoolFlags;
ULONG ExPoolFailures;                   /* "N pool allocations have failed" in !vm */
ULONG PoolHitTag;

/* The current session's MM_SESSION_SPACE (x64 keeps a pointer). */
PMM_SESSION_SPACE MmSessionSpace;

/* ---- KDBG encoding (formats.md 2.4): x64 keeps nt!KdDebuggerDataBlock
 * encoded with these while KdpDataBlockEncoded is set (Windows 8+); the lab
 * writes the block in clear and leaves them 0. */
#if defined(__x86_64__)
ULONG_PTR KiWaitNever;
ULONG_PTR KiWaitAlways;
#endif
#if LAB_NT_BUILD >= 9200 && defined(__x86_64__)
UCHAR KdpDataBlockEncoded;
#endif

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
