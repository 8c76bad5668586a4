/*
 * nt_7601_x64.h - Windows 7 SP1 (6.1.7601) x64 kernel types, from
 * /work/shared/reference/formats.md (section cited on each check). Sizes
 * not in formats.md are marked with their source.
 */
#ifndef LAB_NT_7601_X64_H
#define LAB_NT_7601_X64_H

#include "nt_base.h"

/* ---- pool (formats.md §3) ---------------------------------------------- */

/* 2003 - Windows 7 declare the x64 bitfields on a ULONG (§3.1). */
typedef struct _POOL_HEADER {
	union {
		struct {
			ULONG PreviousSize : 8;
			ULONG PoolIndex : 8;
			ULONG BlockSize : 8;
			ULONG PoolType : 8;
		};
		ULONG Ulong1;
	};
	ULONG PoolTag;
	union {
		struct _EPROCESS *ProcessBilled;
		struct {
			USHORT AllocatorBackTraceIndex;
			USHORT PoolTagHash;
		};
	};
} POOL_HEADER, *PPOOL_HEADER;
LAB_FIELD(POOL_HEADER, Ulong1, 0x0, "§3.1");
LAB_FIELD(POOL_HEADER, PoolTag, 0x4, "§3.1");
LAB_FIELD(POOL_HEADER, ProcessBilled, 0x8, "§3.1");
LAB_FIELD(POOL_HEADER, AllocatorBackTraceIndex, 0x8, "§3.1");
LAB_FIELD(POOL_HEADER, PoolTagHash, 0xA, "§3.1");
LAB_SIZE(POOL_HEADER, 0x10, "§3.1");

typedef struct _POOL_TRACKER_TABLE {
	LONG Key;
	LONG NonPagedAllocs;
	LONG NonPagedFrees;
	SIZE_T NonPagedBytes;
	ULONG PagedAllocs;
	ULONG PagedFrees;
	SIZE_T PagedBytes;
} POOL_TRACKER_TABLE, *PPOOL_TRACKER_TABLE;
LAB_FIELD(POOL_TRACKER_TABLE, Key, 0x00, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedAllocs, 0x04, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedFrees, 0x08, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedBytes, 0x10, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedAllocs, 0x18, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedFrees, 0x1C, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedBytes, 0x20, "§3.4");
LAB_SIZE(POOL_TRACKER_TABLE, 0x28, "§3.4");

typedef struct _POOL_TRACKER_BIG_PAGES {
	PVOID Va;
	ULONG Key;
	ULONG PoolType;
	SIZE_T NumberOfBytes;
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Va, 0x00, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Key, 0x08, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, PoolType, 0x0C, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, NumberOfBytes, 0x10, "§3.5");
LAB_SIZE(POOL_TRACKER_BIG_PAGES, 0x18, "§3.5");

typedef struct _POOL_DESCRIPTOR {
	POOL_TYPE PoolType;
	ULONG_PTR NonPagedLock;         /* union with PagedLock (KGUARDED_MUTEX) */
	UCHAR Reserved_010[0x30];
	LONG RunningAllocs;
	LONG RunningDeAllocs;
	LONG TotalBigPages;
	LONG ThreadsProcessingDeferrals;
	ULONG_PTR TotalBytes;
	UCHAR Reserved_058[0x28];
	ULONG PoolIndex;
	UCHAR Reserved_084[0x3C];
	LONG TotalPages;
	UCHAR Reserved_0C4[0x3C];
	PVOID *PendingFrees;
	LONG PendingFreeDepth;
	UCHAR Reserved_10C[0x34];
	LIST_ENTRY ListHeads[256];
} POOL_DESCRIPTOR, *PPOOL_DESCRIPTOR;
LAB_FIELD(POOL_DESCRIPTOR, PoolType, 0x000, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, NonPagedLock, 0x008, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningAllocs, 0x040, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningDeAllocs, 0x044, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalBigPages, 0x048, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ThreadsProcessingDeferrals, 0x04C, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalBytes, 0x050, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PoolIndex, 0x080, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalPages, 0x0C0, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFrees, 0x100, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFreeDepth, 0x108, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ListHeads, 0x140, "§3.6");
LAB_SIZE(POOL_DESCRIPTOR, 0x1140, "§3.6");

/* MM_PAGED_POOL_INFO (ntdiff/headers Win7_SP1/x64 ntoskrnl.exe
 * _MM_PAGED_POOL_INFO.h: Mutex 0x0, PagedPoolAllocationMap 0x38,
 * FirstPteForPagedPool 0x48, PagedPoolHint 0x50, PagedPoolCommit 0x58,
 * AllocatedPagedPool 0x60; size 0x68). !vm reads AllocatedPagedPool in
 * nt!MmPagedPoolInfo and in each MM_SESSION_SPACE.PagedPoolInfo. */
typedef struct _MM_PAGED_POOL_INFO {
	UCHAR Reserved_000[0x58];
	ULONGLONG PagedPoolCommit;
	ULONGLONG AllocatedPagedPool;
} MM_PAGED_POOL_INFO, *PMM_PAGED_POOL_INFO;
LAB_FIELD(MM_PAGED_POOL_INFO, PagedPoolCommit, 0x58, "ntdiff Win7_SP1 x64");
LAB_FIELD(MM_PAGED_POOL_INFO, AllocatedPagedPool, 0x60, "ntdiff Win7_SP1 x64");
LAB_SIZE(MM_PAGED_POOL_INFO, 0x68, "ntdiff Win7_SP1 x64");

/* MM_SESSION_SPACE: ReferenceCount, u and SessionId from the 7601 type data
 * (Vergilius; the lab writes them, lab/processes.c); CommittedPages,
 * SessionPoolAllocationFailures, WsListEntry and PagedPoolInfo from
 * ntdiff/headers Win7_SP1/x64 _MM_SESSION_SPACE.h (the offsets the lab
 * writer uses, docs/lab.md); the pool fields from formats.md §3.4/§3.6.
 * Ends at its real size, 0x1F80; the lab gives it two pages. */
typedef struct _MM_SESSION_SPACE {
	LONG ReferenceCount;
	union {
		ULONG LongFlags;
	} u;
	ULONG SessionId;
	UCHAR Reserved_00C[0x2C];
	ULONGLONG CommittedPages;
	UCHAR Reserved_040[0x24];
	ULONG SessionPoolAllocationFailures[4];
	UCHAR Reserved_074[0x34];
	LIST_ENTRY WsListEntry;
	UCHAR Reserved_0B8[0xAE0];
	MM_PAGED_POOL_INFO PagedPoolInfo;
	UCHAR Reserved_C00[0xC0];
	POOL_DESCRIPTOR PagedPool;
	UCHAR Reserved_1E00[0x130];
	PPOOL_TRACKER_TABLE PoolTrackTableExpansion;
	SIZE_T PoolTrackTableExpansionSize;
	PPOOL_TRACKER_BIG_PAGES PoolTrackBigPages;
	SIZE_T PoolTrackBigPagesSize;
	UCHAR Reserved_1F50[0x30];
} MM_SESSION_SPACE, *PMM_SESSION_SPACE;
LAB_FIELD(MM_SESSION_SPACE, SessionId, 0x8, "Vergilius 7601");
LAB_FIELD(MM_SESSION_SPACE, CommittedPages, 0x38, "ntdiff Win7_SP1 x64");
LAB_FIELD(MM_SESSION_SPACE, SessionPoolAllocationFailures, 0x64, "ntdiff Win7_SP1 x64");
LAB_FIELD(MM_SESSION_SPACE, WsListEntry, 0xA8, "ntdiff Win7_SP1 x64");
LAB_FIELD(MM_SESSION_SPACE, PagedPoolInfo, 0xB98, "ntdiff Win7_SP1 x64");
LAB_FIELD(MM_SESSION_SPACE, PagedPool, 0xCC0, "§3.6");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansion, 0x1F30, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansionSize, 0x1F38, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPages, 0x1F40, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPagesSize, 0x1F48, "§3.4");
LAB_SIZE(MM_SESSION_SPACE, 0x1F80, "ntdiff Win7_SP1 x64 (CpuQuotaBlock @0x1F78 is the last field); the lab gives it two pages");

/* MMPAGING_FILE: nt!MmPagingFile[i] points at one per paging file; !vm
 * prints Size, FreeSpace, MinimumSize, MaximumSize (pages) and the name.
 * Geoff Chappell's MMPAGING_FILE page, 6.1 x64: Size 0x00, MaximumSize
 * 0x08, MinimumSize 0x10, FreeSpace 0x18, PeakUsage 0x20, HighestPage
 * 0x28, File 0x30, Entry[2] 0x38, so PageFileName 0x48; size 0x90. */
typedef struct _MMPAGING_FILE {
	ULONG_PTR Size;
	ULONG_PTR MaximumSize;
	ULONG_PTR MinimumSize;
	ULONG_PTR FreeSpace;
	ULONG_PTR PeakUsage;
	ULONG_PTR HighestPage;
	PVOID File;
	PVOID Entry[2];
	UNICODE_STRING PageFileName;
	UCHAR Reserved_058[0x38];
} MMPAGING_FILE, *PMMPAGING_FILE;
LAB_FIELD(MMPAGING_FILE, FreeSpace, 0x18, "Chappell 6.1 x64");
LAB_FIELD(MMPAGING_FILE, PageFileName, 0x48, "Chappell 6.1 x64");
LAB_SIZE(MMPAGING_FILE, 0x90, "Chappell 6.1 x64");


/* ---- objects and handles (formats.md §4) ------------------------------- */

typedef struct _OBJECT_HEADER {
	LONG_PTR PointerCount;
	union {
		LONG_PTR HandleCount;
		PVOID NextToFree;
	};
	EX_PUSH_LOCK Lock;
	UCHAR TypeIndex;
	UCHAR TraceFlags;
	UCHAR InfoMask;
	UCHAR Flags;
	UCHAR Reserved_01C[4];
	union {
		struct _OBJECT_CREATE_INFORMATION *ObjectCreateInfo;
		PVOID QuotaBlockCharged;
	};
	PVOID SecurityDescriptor;
	QUAD Body;
} OBJECT_HEADER, *POBJECT_HEADER;
LAB_FIELD(OBJECT_HEADER, PointerCount, 0x00, "§4.1");
LAB_FIELD(OBJECT_HEADER, HandleCount, 0x08, "§4.1");
LAB_FIELD(OBJECT_HEADER, Lock, 0x10, "§4.1");
LAB_FIELD(OBJECT_HEADER, TypeIndex, 0x18, "§4.1");
LAB_FIELD(OBJECT_HEADER, TraceFlags, 0x19, "§4.1");
LAB_FIELD(OBJECT_HEADER, InfoMask, 0x1A, "§4.1");
LAB_FIELD(OBJECT_HEADER, Flags, 0x1B, "§4.1");
LAB_FIELD(OBJECT_HEADER, ObjectCreateInfo, 0x20, "§4.1");
LAB_FIELD(OBJECT_HEADER, SecurityDescriptor, 0x28, "§4.1");
LAB_FIELD(OBJECT_HEADER, Body, 0x30, "§4.1");

/* Size 0xD0 from the 7601 type data (Vergilius). */
typedef struct _OBJECT_TYPE {
	LIST_ENTRY TypeList;
	UNICODE_STRING Name;
	PVOID DefaultObject;
	UCHAR Index;
	UCHAR Reserved_029[3];
	ULONG TotalNumberOfObjects;
	ULONG TotalNumberOfHandles;
	UCHAR Reserved_034[0x84];
	ULONG Key;
	LIST_ENTRY CallbackList;
} OBJECT_TYPE, *POBJECT_TYPE;
LAB_FIELD(OBJECT_TYPE, Name, 0x10, "§4.3");
LAB_FIELD(OBJECT_TYPE, Index, 0x28, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfObjects, 0x2C, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfHandles, 0x30, "§4.3");
LAB_FIELD(OBJECT_TYPE, Key, 0xB8, "§4.3");
LAB_SIZE(OBJECT_TYPE, 0xD0, "Vergilius 7601 x64");

typedef struct _HANDLE_TABLE_ENTRY {
	union {
		PVOID Object;
		ULONG ObAttributes;
		ULONG_PTR Value;
	};
	union {
		ULONG GrantedAccess;
		struct {
			USHORT GrantedAccessIndex;
			USHORT CreatorBackTraceIndex;
		};
		ULONG NextFreeTableEntry;
	};
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;
LAB_FIELD(HANDLE_TABLE_ENTRY, Object, 0x0, "§4.4");
LAB_FIELD(HANDLE_TABLE_ENTRY, GrantedAccess, 0x8, "§4.4");
LAB_SIZE(HANDLE_TABLE_ENTRY, 0x10, "§4.4");

/* Size 0x68 from the 7601 type data (Vergilius). */
typedef struct _HANDLE_TABLE {
	ULONG_PTR TableCode;
	struct _EPROCESS *QuotaProcess;
	PVOID UniqueProcessId;
	EX_PUSH_LOCK HandleLock;
	LIST_ENTRY HandleTableList;
	UCHAR Reserved_030[0x28];
	LONG HandleCount;
	ULONG NextHandleNeedingPool;
	UCHAR Reserved_060[0x8];
} HANDLE_TABLE, *PHANDLE_TABLE;
LAB_FIELD(HANDLE_TABLE, TableCode, 0x00, "§4.4");
LAB_FIELD(HANDLE_TABLE, QuotaProcess, 0x08, "§4.4");
LAB_FIELD(HANDLE_TABLE, UniqueProcessId, 0x10, "§4.4");
LAB_FIELD(HANDLE_TABLE, HandleTableList, 0x20, "§4.4");
LAB_FIELD(HANDLE_TABLE, HandleCount, 0x58, "§4.4");
LAB_FIELD(HANDLE_TABLE, NextHandleNeedingPool, 0x5C, "§4.4");
LAB_SIZE(HANDLE_TABLE, 0x68, "Vergilius 7601 x64");

/* ---- processes and threads (formats.md §5) ----------------------------- */

typedef struct _KAPC_STATE {
	LIST_ENTRY ApcListHead[2];
	struct _KPROCESS *Process;
	UCHAR KernelApcInProgress;
	UCHAR KernelApcPending;
	UCHAR UserApcPending;
} KAPC_STATE, *PKAPC_STATE;
LAB_FIELD(KAPC_STATE, Process, 0x20, "§5.4");
LAB_SIZE(KAPC_STATE, 0x30, "§5.4 (Priority at ApcState+0x2B)");

typedef struct _KPROCESS {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_018[0x10];
	ULONG_PTR DirectoryTableBase;
	LIST_ENTRY ThreadListHead;
	UCHAR Reserved_040[0x120];
} KPROCESS, *PKPROCESS;
LAB_FIELD(KPROCESS, Header, 0x00, "§5.1");
LAB_FIELD(KPROCESS, DirectoryTableBase, 0x28, "§5.1");
LAB_FIELD(KPROCESS, ThreadListHead, 0x30, "§5.1");
LAB_SIZE(KPROCESS, 0x160, "§5.1");

/* MM_AVL_TABLE (EPROCESS.VadRoot): only its size matters here. */
typedef struct _MM_AVL_TABLE {
	UCHAR Reserved_000[0x40];
} MM_AVL_TABLE;

typedef struct _EPROCESS {
	KPROCESS Pcb;
	UCHAR Reserved_160[0x8];
	LARGE_INTEGER CreateTime;
	LARGE_INTEGER ExitTime;
	UCHAR Reserved_178[0x8];
	PVOID UniqueProcessId;
	LIST_ENTRY ActiveProcessLinks;
	UCHAR Reserved_198[0x20];
	ULONG_PTR CommitCharge;
	UCHAR Reserved_1C0[0x18];
	ULONG_PTR VirtualSize;
	LIST_ENTRY SessionProcessLinks;
	UCHAR Reserved_1F0[0x10];
	PHANDLE_TABLE ObjectTable;
	EX_FAST_REF Token;
	UCHAR Reserved_210[0x80];
	PVOID InheritedFromUniqueProcessId;
	UCHAR Reserved_298[0x40];
	PVOID Session;
	UCHAR ImageFileName[15];
	UCHAR Reserved_2EF[0x19];
	LIST_ENTRY ThreadListHead;
	UCHAR Reserved_318[0x8];
	PVOID Wow64Process;
	ULONG ActiveThreads;
	UCHAR Reserved_32C[0xC];
	struct _PEB *Peb;
	UCHAR Reserved_340[0x100];
	ULONG Flags;
	LONG ExitStatus;
	MM_AVL_TABLE VadRoot;
	UCHAR Reserved_488[0x48];
} EPROCESS, *PEPROCESS;
LAB_FIELD(EPROCESS, Pcb, 0x000, "§5.1");
LAB_FIELD(EPROCESS, CreateTime, 0x168, "§5.2");
LAB_FIELD(EPROCESS, ExitTime, 0x170, "§5.2");
LAB_FIELD(EPROCESS, UniqueProcessId, 0x180, "§5.2");
LAB_FIELD(EPROCESS, ActiveProcessLinks, 0x188, "§5.2");
LAB_FIELD(EPROCESS, CommitCharge, 0x1B8, "§5.2");
LAB_FIELD(EPROCESS, VirtualSize, 0x1D8, "§5.2");
LAB_FIELD(EPROCESS, SessionProcessLinks, 0x1E0, "§5.2");
LAB_FIELD(EPROCESS, ObjectTable, 0x200, "§5.2");
LAB_FIELD(EPROCESS, Token, 0x208, "§5.2");
LAB_FIELD(EPROCESS, InheritedFromUniqueProcessId, 0x290, "§5.2");
LAB_FIELD(EPROCESS, Session, 0x2D8, "§5.2");
LAB_FIELD(EPROCESS, ImageFileName, 0x2E0, "§5.2");
LAB_FIELD(EPROCESS, ThreadListHead, 0x308, "§5.2");
LAB_FIELD(EPROCESS, Wow64Process, 0x320, "§5.2");
LAB_FIELD(EPROCESS, ActiveThreads, 0x328, "§5.2");
LAB_FIELD(EPROCESS, Peb, 0x338, "§5.2");
LAB_FIELD(EPROCESS, Flags, 0x440, "§5.2");
LAB_FIELD(EPROCESS, ExitStatus, 0x444, "§5.2");
LAB_FIELD(EPROCESS, VadRoot, 0x448, "§5.2");
LAB_SIZE(EPROCESS, 0x4D0, "§5.2");

typedef struct _KTHREAD {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_018[0x10];
	PVOID InitialStack;
	PVOID StackLimit;
	PVOID KernelStack;
	UCHAR Reserved_040[0x10];
	union {
		KAPC_STATE ApcState;
		struct {
			UCHAR ApcStateFill[0x2B];
			CHAR Priority;
		};
	};
	UCHAR Reserved_080[0x38];
	PVOID Teb;
	UCHAR Reserved_0C0[0xA4];
	UCHAR State;
	UCHAR Reserved_165[0x73];
	struct _KTRAP_FRAME *TrapFrame;
	UCHAR Reserved_1E0[0x30];
	struct _KPROCESS *Process;
	UCHAR Reserved_218[0x53];
	UCHAR WaitReason;
	UCHAR Reserved_26C[0x4];
	PVOID Win32Thread;
	PVOID StackBase;
	UCHAR Reserved_280[0x78];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_308[0x58];
} KTHREAD, *PKTHREAD;
LAB_FIELD(KTHREAD, Header, 0x000, "§5.4");
LAB_FIELD(KTHREAD, InitialStack, 0x028, "§5.4");
LAB_FIELD(KTHREAD, StackLimit, 0x030, "§5.4");
LAB_FIELD(KTHREAD, KernelStack, 0x038, "§5.4");
LAB_FIELD(KTHREAD, ApcState, 0x050, "§5.4");
LAB_FIELD(KTHREAD, Priority, 0x07B, "§5.4");
LAB_FIELD(KTHREAD, Teb, 0x0B8, "§5.4");
LAB_FIELD(KTHREAD, State, 0x164, "§5.4");
LAB_FIELD(KTHREAD, TrapFrame, 0x1D8, "§5.4");
LAB_FIELD(KTHREAD, Process, 0x210, "§5.4");
LAB_FIELD(KTHREAD, WaitReason, 0x26B, "§5.4");
LAB_FIELD(KTHREAD, Win32Thread, 0x270, "§5.4");
LAB_FIELD(KTHREAD, StackBase, 0x278, "§5.4");
LAB_FIELD(KTHREAD, ThreadListEntry, 0x2F8, "§5.4");
LAB_SIZE(KTHREAD, 0x360, "§5.4");

typedef struct _ETHREAD {
	KTHREAD Tcb;
	LARGE_INTEGER CreateTime;
	union {
		LARGE_INTEGER ExitTime;
		LIST_ENTRY KeyedWaitChain;
	};
	LONG ExitStatus;
	UCHAR Reserved_37C[0xC];
	PVOID StartAddress;
	UCHAR Reserved_390[0x20];
	CLIENT_ID Cid;
	UCHAR Reserved_3C0[0x50];
	PVOID Win32StartAddress;
	UCHAR Reserved_418[0x8];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_430[0x18];
	union {
		ULONG CrossThreadFlags;
		struct {
			ULONG Terminated : 1;
		};
	};
	UCHAR Reserved_44C[0x4C];
} ETHREAD, *PETHREAD;
LAB_FIELD(ETHREAD, Tcb, 0x000, "§5.3");
LAB_FIELD(ETHREAD, CreateTime, 0x360, "§5.3");
LAB_FIELD(ETHREAD, ExitTime, 0x368, "§5.3");
LAB_FIELD(ETHREAD, ExitStatus, 0x378, "§5.3");
LAB_FIELD(ETHREAD, StartAddress, 0x388, "§5.3");
LAB_FIELD(ETHREAD, Cid, 0x3B0, "§5.3");
LAB_FIELD(ETHREAD, Win32StartAddress, 0x410, "§5.3");
LAB_FIELD(ETHREAD, ThreadListEntry, 0x420, "§5.3");
LAB_FIELD(ETHREAD, CrossThreadFlags, 0x448, "§5.3");
LAB_SIZE(ETHREAD, 0x498, "§5.3");

/* KPRCB: Number at 0x24 and the size 0x4D00 from the 7601 type data
 * (Vergilius); the thread pointers from formats.md §5.4. */
typedef struct _KPRCB {
	ULONG MxCsr;
	UCHAR Reserved_004[0x4];
	struct _KTHREAD *CurrentThread;
	struct _KTHREAD *NextThread;
	struct _KTHREAD *IdleThread;
	UCHAR Reserved_020[0x4];
	ULONG Number;
	UCHAR Reserved_028[0x4CD8];
} KPRCB, *PKPRCB;
LAB_FIELD(KPRCB, CurrentThread, 0x8, "§5.4");
LAB_FIELD(KPRCB, IdleThread, 0x18, "§5.4");
LAB_FIELD(KPRCB, Number, 0x24, "Vergilius 7601 x64");
LAB_SIZE(KPRCB, 0x4D00, "Vergilius 7601 x64");

#endif
