/*
 * nt_7601_x86.h - Windows 7 SP1 (6.1.7601) x86 kernel types, from
 * /work/shared/reference/formats.md (section cited on each check). Sizes
 * not in formats.md are marked with their source.
 */
#ifndef LAB_NT_7601_X86_H
#define LAB_NT_7601_X86_H

#include "nt_base.h"

/* ---- pool (formats.md §3) ---------------------------------------------- */

typedef struct _POOL_HEADER {
	union {
		struct {
			USHORT PreviousSize : 9;
			USHORT PoolIndex : 7;
			USHORT BlockSize : 9;
			USHORT PoolType : 7;
		};
		ULONG Ulong1;
	};
	union {
		ULONG PoolTag;
		struct {
			USHORT AllocatorBackTraceIndex;
			USHORT PoolTagHash;
		};
	};
} POOL_HEADER, *PPOOL_HEADER;
LAB_FIELD(POOL_HEADER, Ulong1, 0x0, "§3.1");
LAB_FIELD(POOL_HEADER, PoolTag, 0x4, "§3.1");
LAB_FIELD(POOL_HEADER, AllocatorBackTraceIndex, 0x4, "§3.1");
LAB_FIELD(POOL_HEADER, PoolTagHash, 0x6, "§3.1");
LAB_SIZE(POOL_HEADER, 0x8, "§3.1");

typedef struct _POOL_TRACKER_TABLE {
	LONG Key;
	LONG NonPagedAllocs;
	LONG NonPagedFrees;
	ULONG NonPagedBytes;
	ULONG PagedAllocs;
	ULONG PagedFrees;
	ULONG PagedBytes;
} POOL_TRACKER_TABLE, *PPOOL_TRACKER_TABLE;
LAB_FIELD(POOL_TRACKER_TABLE, Key, 0x00, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedAllocs, 0x04, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedFrees, 0x08, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedBytes, 0x0C, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedAllocs, 0x10, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedFrees, 0x14, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedBytes, 0x18, "§3.4");
LAB_SIZE(POOL_TRACKER_TABLE, 0x1C, "§3.4");

typedef struct _POOL_TRACKER_BIG_PAGES {
	PVOID Va;
	ULONG Key;
	ULONG PoolType;
	ULONG NumberOfBytes;
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Va, 0x0, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Key, 0x4, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, PoolType, 0x8, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, NumberOfBytes, 0xC, "§3.5");
LAB_SIZE(POOL_TRACKER_BIG_PAGES, 0x10, "§3.5");

typedef struct _POOL_DESCRIPTOR {
	POOL_TYPE PoolType;
	ULONG NonPagedLock;             /* union with PagedLock (KGUARDED_MUTEX) */
	UCHAR Reserved_008[0x38];
	LONG RunningAllocs;
	LONG RunningDeAllocs;
	LONG TotalBigPages;
	LONG ThreadsProcessingDeferrals;
	ULONG TotalBytes;
	UCHAR Reserved_054[0x2C];
	ULONG PoolIndex;
	UCHAR Reserved_084[0x3C];
	LONG TotalPages;
	UCHAR Reserved_0C4[0x3C];
	PVOID *PendingFrees;
	LONG PendingFreeDepth;
	UCHAR Reserved_108[0x38];
	LIST_ENTRY ListHeads[512];
} POOL_DESCRIPTOR, *PPOOL_DESCRIPTOR;
LAB_FIELD(POOL_DESCRIPTOR, PoolType, 0x000, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, NonPagedLock, 0x004, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningAllocs, 0x040, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningDeAllocs, 0x044, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalBigPages, 0x048, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ThreadsProcessingDeferrals, 0x04C, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalBytes, 0x050, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PoolIndex, 0x080, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, TotalPages, 0x0C0, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFrees, 0x100, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFreeDepth, 0x104, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ListHeads, 0x140, "§3.6");
LAB_SIZE(POOL_DESCRIPTOR, 0x1140, "§3.6");

/* MM_PAGED_POOL_INFO (ntdiff/headers Win7_SP1 x86 ntoskrnl type data:
 * Mutex 0x0, PagedPoolAllocationMap 0x20, FirstPteForPagedPool 0x28,
 * MaximumSize 0x2C, PagedPoolHint 0x30, AllocatedPagedPool 0x34; size 0x38).
 * !vm reads AllocatedPagedPool in nt!MmPagedPoolInfo and in each session's
 * MM_SESSION_SPACE.PagedPoolInfo (docs/lab.md). */
typedef struct _MM_PAGED_POOL_INFO {
	UCHAR Reserved_000[0x34];
	ULONG AllocatedPagedPool;
} MM_PAGED_POOL_INFO, *PMM_PAGED_POOL_INFO;
LAB_FIELD(MM_PAGED_POOL_INFO, AllocatedPagedPool, 0x34, "ntdiff Win7_SP1 x86");
LAB_SIZE(MM_PAGED_POOL_INFO, 0x38, "ntdiff Win7_SP1 x86");

/* MM_SESSION_SPACE: ReferenceCount, u and SessionId from the 7601 type data
 * (Vergilius; the lab writes them, lab/processes.c); CommittedPages,
 * SessionPoolAllocationFailures, WsListEntry and PagedPoolInfo from the
 * ntdiff/headers Win7_SP1 x86 type data (the offsets the lab writer uses,
 * docs/lab.md); the pool fields from formats.md §3.4/§3.6. Two pages, as
 * the lab allocates it. */
typedef struct _MM_SESSION_SPACE {
	LONG ReferenceCount;
	union {
		ULONG LongFlags;
	} u;
	ULONG SessionId;
	UCHAR Reserved_00C[0x1C];
	ULONG CommittedPages;
	UCHAR Reserved_02C[0x14];
	ULONG SessionPoolAllocationFailures[4];
	UCHAR Reserved_050[0x20];
	LIST_ENTRY WsListEntry;
	UCHAR Reserved_078[0xCC0];
	MM_PAGED_POOL_INFO PagedPoolInfo;
	UCHAR Reserved_D70[0x90];
	POOL_DESCRIPTOR PagedPool;
	UCHAR Reserved_1F40[0x88];
	PPOOL_TRACKER_TABLE PoolTrackTableExpansion;
	ULONG PoolTrackTableExpansionSize;
	PPOOL_TRACKER_BIG_PAGES PoolTrackBigPages;
	ULONG PoolTrackBigPagesSize;
	UCHAR Reserved_1FD8[0x28];
} MM_SESSION_SPACE, *PMM_SESSION_SPACE;
LAB_FIELD(MM_SESSION_SPACE, SessionId, 0x8, "Vergilius 7601");
LAB_FIELD(MM_SESSION_SPACE, CommittedPages, 0x28, "ntdiff Win7_SP1 x86");
LAB_FIELD(MM_SESSION_SPACE, SessionPoolAllocationFailures, 0x40, "ntdiff Win7_SP1 x86");
LAB_FIELD(MM_SESSION_SPACE, WsListEntry, 0x70, "ntdiff Win7_SP1 x86");
LAB_FIELD(MM_SESSION_SPACE, PagedPoolInfo, 0xD38, "ntdiff Win7_SP1 x86");
LAB_FIELD(MM_SESSION_SPACE, PagedPool, 0xE00, "§3.6");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansion, 0x1FC8, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansionSize, 0x1FCC, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPages, 0x1FD0, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPagesSize, 0x1FD4, "§3.4");
LAB_SIZE(MM_SESSION_SPACE, 0x2000, "two pages, lab/processes.c");

/* MMPAGING_FILE: nt!MmPagingFile[i] points at one per paging file; !vm
 * prints Size, FreeSpace, MinimumSize, MaximumSize (pages) and the name.
 * ntdiff/headers Win7_SP1 x86 ntoskrnl type data; Geoff Chappell's
 * MMPAGING_FILE page gives the same offsets and size 0x50 for 6.1 x86. */
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
	UCHAR Reserved_02C[0x24];
} MMPAGING_FILE, *PMMPAGING_FILE;
LAB_FIELD(MMPAGING_FILE, FreeSpace, 0xC, "ntdiff Win7_SP1 x86");
LAB_FIELD(MMPAGING_FILE, PageFileName, 0x24, "ntdiff Win7_SP1 x86");
LAB_SIZE(MMPAGING_FILE, 0x50, "ntdiff Win7_SP1 x86; Chappell 6.1 x86");


/* ---- objects and handles (formats.md §4) ------------------------------- */

typedef struct _OBJECT_HEADER {
	LONG PointerCount;
	union {
		LONG HandleCount;
		PVOID NextToFree;
	};
	EX_PUSH_LOCK Lock;
	UCHAR TypeIndex;
	UCHAR TraceFlags;
	UCHAR InfoMask;
	UCHAR Flags;
	union {
		struct _OBJECT_CREATE_INFORMATION *ObjectCreateInfo;
		PVOID QuotaBlockCharged;
	};
	PVOID SecurityDescriptor;
	QUAD Body;
} OBJECT_HEADER, *POBJECT_HEADER;
LAB_FIELD(OBJECT_HEADER, PointerCount, 0x00, "§4.1");
LAB_FIELD(OBJECT_HEADER, HandleCount, 0x04, "§4.1");
LAB_FIELD(OBJECT_HEADER, Lock, 0x08, "§4.1");
LAB_FIELD(OBJECT_HEADER, TypeIndex, 0x0C, "§4.1");
LAB_FIELD(OBJECT_HEADER, TraceFlags, 0x0D, "§4.1");
LAB_FIELD(OBJECT_HEADER, InfoMask, 0x0E, "§4.1");
LAB_FIELD(OBJECT_HEADER, Flags, 0x0F, "§4.1");
LAB_FIELD(OBJECT_HEADER, ObjectCreateInfo, 0x10, "§4.1");
LAB_FIELD(OBJECT_HEADER, SecurityDescriptor, 0x14, "§4.1");
LAB_FIELD(OBJECT_HEADER, Body, 0x18, "§4.1");

/* OBJECT_TYPE: TypeInfo (OBJECT_TYPE_INITIALIZER) and TypeLock are in the
 * gap before Key; size 0x88 from the 7601 type data (Vergilius). */
typedef struct _OBJECT_TYPE {
	LIST_ENTRY TypeList;
	UNICODE_STRING Name;
	PVOID DefaultObject;
	UCHAR Index;
	UCHAR Reserved_015[3];
	ULONG TotalNumberOfObjects;
	ULONG TotalNumberOfHandles;
	UCHAR Reserved_020[0x5C];
	ULONG Key;
	LIST_ENTRY CallbackList;
} OBJECT_TYPE, *POBJECT_TYPE;
LAB_FIELD(OBJECT_TYPE, Name, 0x08, "§4.3");
LAB_FIELD(OBJECT_TYPE, Index, 0x14, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfObjects, 0x18, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfHandles, 0x1C, "§4.3");
LAB_FIELD(OBJECT_TYPE, Key, 0x7C, "§4.3");
LAB_SIZE(OBJECT_TYPE, 0x88, "Vergilius 7601 x86");

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
LAB_FIELD(HANDLE_TABLE_ENTRY, GrantedAccess, 0x4, "§4.4");
LAB_SIZE(HANDLE_TABLE_ENTRY, 0x8, "§4.4");

/* Size 0x3C from the 7601 type data (Vergilius). */
typedef struct _HANDLE_TABLE {
	ULONG_PTR TableCode;
	struct _EPROCESS *QuotaProcess;
	PVOID UniqueProcessId;
	EX_PUSH_LOCK HandleLock;
	LIST_ENTRY HandleTableList;
	UCHAR Reserved_018[0x18];
	LONG HandleCount;
	ULONG NextHandleNeedingPool;
	UCHAR Reserved_038[0x4];
} HANDLE_TABLE, *PHANDLE_TABLE;
LAB_FIELD(HANDLE_TABLE, TableCode, 0x00, "§4.4");
LAB_FIELD(HANDLE_TABLE, QuotaProcess, 0x04, "§4.4");
LAB_FIELD(HANDLE_TABLE, UniqueProcessId, 0x08, "§4.4");
LAB_FIELD(HANDLE_TABLE, HandleTableList, 0x10, "§4.4");
LAB_FIELD(HANDLE_TABLE, HandleCount, 0x30, "§4.4");
LAB_FIELD(HANDLE_TABLE, NextHandleNeedingPool, 0x34, "§4.4");
LAB_SIZE(HANDLE_TABLE, 0x3C, "Vergilius 7601 x86");

/* ---- processes and threads (formats.md §5) ----------------------------- */

typedef struct _KAPC_STATE {
	LIST_ENTRY ApcListHead[2];
	struct _KPROCESS *Process;
	UCHAR KernelApcInProgress;
	UCHAR KernelApcPending;
	UCHAR UserApcPending;
	UCHAR Reserved_017[1];
} KAPC_STATE, *PKAPC_STATE;
LAB_FIELD(KAPC_STATE, Process, 0x10, "§5.4");
LAB_SIZE(KAPC_STATE, 0x18, "§5.4 (Priority at ApcState+0x17)");

typedef struct _KPROCESS {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_010[0x8];
	ULONG DirectoryTableBase;
	UCHAR Reserved_01C[0x10];
	LIST_ENTRY ThreadListHead;
	UCHAR Reserved_034[0x64];
} KPROCESS, *PKPROCESS;
LAB_FIELD(KPROCESS, Header, 0x00, "§5.1");
LAB_FIELD(KPROCESS, DirectoryTableBase, 0x18, "§5.1");
LAB_FIELD(KPROCESS, ThreadListHead, 0x2C, "§5.1");
LAB_SIZE(KPROCESS, 0x98, "§5.1");

/* MM_AVL_TABLE (EPROCESS.VadRoot): only its size matters here. */
typedef struct _MM_AVL_TABLE {
	UCHAR Reserved_000[0x20];
} MM_AVL_TABLE;

typedef struct _EPROCESS {
	KPROCESS Pcb;
	UCHAR Reserved_098[0x8];
	LARGE_INTEGER CreateTime;
	LARGE_INTEGER ExitTime;
	UCHAR Reserved_0B0[0x4];
	PVOID UniqueProcessId;
	LIST_ENTRY ActiveProcessLinks;
	UCHAR Reserved_0C0[0x10];
	ULONG_PTR CommitCharge;
	UCHAR Reserved_0D4[0xC];
	ULONG_PTR VirtualSize;
	LIST_ENTRY SessionProcessLinks;
	UCHAR Reserved_0EC[0x8];
	PHANDLE_TABLE ObjectTable;
	EX_FAST_REF Token;
	UCHAR Reserved_0FC[0x44];
	PVOID InheritedFromUniqueProcessId;
	UCHAR Reserved_144[0x24];
	PVOID Session;
	UCHAR ImageFileName[15];
	UCHAR Reserved_17B[0xD];
	LIST_ENTRY ThreadListHead;
	UCHAR Reserved_190[0x8];
	ULONG ActiveThreads;
	UCHAR Reserved_19C[0xC];
	struct _PEB *Peb;
	UCHAR Reserved_1AC[0xC4];
	ULONG Flags;
	LONG ExitStatus;
	MM_AVL_TABLE VadRoot;
	UCHAR Reserved_298[0x28];
} EPROCESS, *PEPROCESS;
LAB_FIELD(EPROCESS, Pcb, 0x000, "§5.1");
LAB_FIELD(EPROCESS, CreateTime, 0x0A0, "§5.2");
LAB_FIELD(EPROCESS, ExitTime, 0x0A8, "§5.2");
LAB_FIELD(EPROCESS, UniqueProcessId, 0x0B4, "§5.2");
LAB_FIELD(EPROCESS, ActiveProcessLinks, 0x0B8, "§5.2");
LAB_FIELD(EPROCESS, CommitCharge, 0x0D0, "§5.2");
LAB_FIELD(EPROCESS, VirtualSize, 0x0E0, "§5.2");
LAB_FIELD(EPROCESS, SessionProcessLinks, 0x0E4, "§5.2");
LAB_FIELD(EPROCESS, ObjectTable, 0x0F4, "§5.2");
LAB_FIELD(EPROCESS, Token, 0x0F8, "§5.2");
LAB_FIELD(EPROCESS, InheritedFromUniqueProcessId, 0x140, "§5.2");
LAB_FIELD(EPROCESS, Session, 0x168, "§5.2");
LAB_FIELD(EPROCESS, ImageFileName, 0x16C, "§5.2");
LAB_FIELD(EPROCESS, ThreadListHead, 0x188, "§5.2");
LAB_FIELD(EPROCESS, ActiveThreads, 0x198, "§5.2");
LAB_FIELD(EPROCESS, Peb, 0x1A8, "§5.2");
LAB_FIELD(EPROCESS, Flags, 0x270, "§5.2");
LAB_FIELD(EPROCESS, ExitStatus, 0x274, "§5.2");
LAB_FIELD(EPROCESS, VadRoot, 0x278, "§5.2");
LAB_SIZE(EPROCESS, 0x2C0, "§5.2");

typedef struct _KTHREAD {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_010[0x18];
	PVOID InitialStack;
	PVOID StackLimit;
	PVOID KernelStack;
	UCHAR Reserved_034[0xC];
	union {
		KAPC_STATE ApcState;
		struct {
			UCHAR ApcStateFill[0x17];
			CHAR Priority;
		};
	};
	UCHAR Reserved_058[0x10];
	UCHAR State;
	UCHAR Reserved_069[0x1F];
	PVOID Teb;
	UCHAR Reserved_08C[0x9C];
	struct _KTRAP_FRAME *TrapFrame;
	UCHAR Reserved_12C[0x24];
	struct _KPROCESS *Process;
	UCHAR Reserved_154[0x33];
	UCHAR WaitReason;
	UCHAR Reserved_188[0x4];
	PVOID Win32Thread;
	PVOID StackBase;
	UCHAR Reserved_194[0x4C];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_1E8[0x18];
} KTHREAD, *PKTHREAD;
LAB_FIELD(KTHREAD, Header, 0x000, "§5.4");
LAB_FIELD(KTHREAD, InitialStack, 0x028, "§5.4");
LAB_FIELD(KTHREAD, StackLimit, 0x02C, "§5.4");
LAB_FIELD(KTHREAD, KernelStack, 0x030, "§5.4");
LAB_FIELD(KTHREAD, ApcState, 0x040, "§5.4");
LAB_FIELD(KTHREAD, Priority, 0x057, "§5.4");
LAB_FIELD(KTHREAD, State, 0x068, "§5.4");
LAB_FIELD(KTHREAD, Teb, 0x088, "§5.4");
LAB_FIELD(KTHREAD, TrapFrame, 0x128, "§5.4");
LAB_FIELD(KTHREAD, Process, 0x150, "§5.4");
LAB_FIELD(KTHREAD, WaitReason, 0x187, "§5.4");
LAB_FIELD(KTHREAD, Win32Thread, 0x18C, "§5.4");
LAB_FIELD(KTHREAD, StackBase, 0x190, "§5.4");
LAB_FIELD(KTHREAD, ThreadListEntry, 0x1E0, "§5.4");
LAB_SIZE(KTHREAD, 0x200, "§5.4");

typedef struct _ETHREAD {
	KTHREAD Tcb;
	LARGE_INTEGER CreateTime;
	union {
		LARGE_INTEGER ExitTime;
		LIST_ENTRY KeyedWaitChain;
	};
	LONG ExitStatus;
	UCHAR Reserved_214[0x4];
	PVOID StartAddress;
	UCHAR Reserved_21C[0x10];
	CLIENT_ID Cid;
	UCHAR Reserved_234[0x2C];
	PVOID Win32StartAddress;
	UCHAR Reserved_264[0x4];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_270[0x10];
	union {
		ULONG CrossThreadFlags;
		struct {
			ULONG Terminated : 1;
		};
	};
	UCHAR Reserved_284[0x34];
} ETHREAD, *PETHREAD;
LAB_FIELD(ETHREAD, Tcb, 0x000, "§5.3");
LAB_FIELD(ETHREAD, CreateTime, 0x200, "§5.3");
LAB_FIELD(ETHREAD, ExitTime, 0x208, "§5.3");
LAB_FIELD(ETHREAD, ExitStatus, 0x210, "§5.3");
LAB_FIELD(ETHREAD, StartAddress, 0x218, "§5.3");
LAB_FIELD(ETHREAD, Cid, 0x22C, "§5.3");
LAB_FIELD(ETHREAD, Win32StartAddress, 0x260, "§5.3");
LAB_FIELD(ETHREAD, ThreadListEntry, 0x268, "§5.3");
LAB_FIELD(ETHREAD, CrossThreadFlags, 0x280, "§5.3");
LAB_SIZE(ETHREAD, 0x2B8, "§5.3");

/* KPRCB: Number at 0x3CC and the size 0x3628 from the 7601 type data
 * (Vergilius); the thread pointers from formats.md §5.4. */
typedef struct _KPRCB {
	USHORT MinorVersion;
	USHORT MajorVersion;
	struct _KTHREAD *CurrentThread;
	struct _KTHREAD *NextThread;
	struct _KTHREAD *IdleThread;
	UCHAR Reserved_010[0x3BC];
	ULONG Number;
	UCHAR Reserved_3D0[0x3258];
} KPRCB, *PKPRCB;
LAB_FIELD(KPRCB, CurrentThread, 0x4, "§5.4");
LAB_FIELD(KPRCB, IdleThread, 0xC, "§5.4");
LAB_FIELD(KPRCB, Number, 0x3CC, "Vergilius 7601 x86");
LAB_SIZE(KPRCB, 0x3628, "Vergilius 7601 x86");

#endif
