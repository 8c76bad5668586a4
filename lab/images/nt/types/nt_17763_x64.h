/*
 * nt_17763_x64.h - Windows 10 1809 (10.0.17763) x64 kernel types, from
 * /work/shared/reference/formats.md (section cited on each check). Sizes
 * not in formats.md are marked with their source.
 */
#ifndef LAB_NT_17763_X64_H
#define LAB_NT_17763_X64_H

#include "nt_base.h"

/* ---- pool (formats.md §3) ---------------------------------------------- */

/* Windows 8+ declare the bitfields on two USHORTs; the byte positions are
 * those of Windows 7 (§3.1). */
typedef struct _POOL_HEADER {
	union {
		struct {
			USHORT PreviousSize : 8;
			USHORT PoolIndex : 8;
			USHORT BlockSize : 8;
			USHORT PoolType : 8;
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

/* 1709+ order: the byte counts come first (§3.4). */
typedef struct _POOL_TRACKER_TABLE {
	LONG Key;
	ULONGLONG NonPagedBytes;
	ULONGLONG NonPagedAllocs;
	ULONGLONG NonPagedFrees;
	ULONGLONG PagedBytes;
	ULONGLONG PagedAllocs;
	ULONGLONG PagedFrees;
} POOL_TRACKER_TABLE, *PPOOL_TRACKER_TABLE;
LAB_FIELD(POOL_TRACKER_TABLE, Key, 0x00, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedBytes, 0x08, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedAllocs, 0x10, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, NonPagedFrees, 0x18, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedBytes, 0x20, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedAllocs, 0x28, "§3.4");
LAB_FIELD(POOL_TRACKER_TABLE, PagedFrees, 0x30, "§3.4");
LAB_SIZE(POOL_TRACKER_TABLE, 0x38, "§3.4");

typedef struct _POOL_TRACKER_BIG_PAGES {
	PVOID Va;
	ULONG Key;
	ULONG Pattern : 8;
	ULONG PoolType : 12;
	ULONG SlushSize : 12;
	ULONGLONG NumberOfBytes;
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Va, 0x00, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, Key, 0x08, "§3.5");
LAB_FIELD(POOL_TRACKER_BIG_PAGES, NumberOfBytes, 0x10, "§3.5");
LAB_SIZE(POOL_TRACKER_BIG_PAGES, 0x18, "§3.5");

typedef struct _POOL_DESCRIPTOR {
	POOL_TYPE PoolType;
	ULONG_PTR NonPagedLock;         /* union with PagedLock (FAST_MUTEX) */
	UCHAR Reserved_010[0x30];
	LONG RunningAllocs;
	ULONG_PTR PagesAllocated;
	ULONG_PTR BigPagesAllocated;
	ULONG_PTR BytesAllocated;
	UCHAR Reserved_060[0x20];
	LONG RunningDeAllocs;
	ULONG_PTR PagesDeallocated;
	ULONG_PTR BigPagesDeallocated;
	ULONG_PTR BytesDeallocated;
	UCHAR Reserved_0A0[0x20];
	ULONG PoolIndex;
	ULONG PoolTypeCopy;
	UCHAR Reserved_0C8[0x38];
	PVOID *PendingFrees;
	LONG ThreadsProcessingDeferrals;
	LONG PendingFreeDepth;
	UCHAR Reserved_110[0x30];
	LIST_ENTRY ListHeads[256];
} POOL_DESCRIPTOR, *PPOOL_DESCRIPTOR;
LAB_FIELD(POOL_DESCRIPTOR, PoolType, 0x000, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, NonPagedLock, 0x008, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningAllocs, 0x040, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PagesAllocated, 0x048, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, BigPagesAllocated, 0x050, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, BytesAllocated, 0x058, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, RunningDeAllocs, 0x080, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PagesDeallocated, 0x088, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, BigPagesDeallocated, 0x090, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, BytesDeallocated, 0x098, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PoolIndex, 0x0C0, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PoolTypeCopy, 0x0C4, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFrees, 0x100, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ThreadsProcessingDeferrals, 0x108, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, PendingFreeDepth, 0x10C, "§3.6");
LAB_FIELD(POOL_DESCRIPTOR, ListHeads, 0x140, "§3.6");
LAB_SIZE(POOL_DESCRIPTOR, 0x1140, "§3.6");

/* MM_PAGED_POOL_INFO (Windows 10 x64 type data, ntdiff/headers
 * Win10_1809_RS5_17754 as the lab writer cites it, and the Vergilius
 * 17763 layout: Lock 0x0, PagedPoolAllocationMap 0x8 (RTL_BITMAP_EX),
 * FirstPteForPagedPool 0x18, MaximumSize 0x20, PagedPoolHint 0x28,
 * AllocatedPagedPool 0x30; size 0x38). */
typedef struct _MM_PAGED_POOL_INFO {
	UCHAR Reserved_000[0x20];
	ULONGLONG MaximumSize;
	ULONGLONG PagedPoolHint;
	ULONGLONG AllocatedPagedPool;
} MM_PAGED_POOL_INFO, *PMM_PAGED_POOL_INFO;
LAB_FIELD(MM_PAGED_POOL_INFO, MaximumSize, 0x20, "ntdiff Win10 1809 x64");
LAB_FIELD(MM_PAGED_POOL_INFO, AllocatedPagedPool, 0x30, "ntdiff Win10 1809 x64");
LAB_SIZE(MM_PAGED_POOL_INFO, 0x38, "ntdiff Win10 1809 x64");

/* MM_SESSION_SPACE: ReferenceCount, u and SessionId from the 17763 type
 * data (Vergilius; the lab writes them, lab/processes.c); CommittedPages,
 * SessionPoolAllocationFailures, WsListEntry and PagedPoolInfo from the
 * ntdiff/headers Win10_1809_RS5_17754 x64 type data (the offsets the lab
 * writer uses, docs/lab.md); the pool fields from formats.md §3.4/§3.6.
 * Padded to the five pages the lab allocates (lab/profile.c ss_size). */
typedef struct _MM_SESSION_SPACE {
	LONG ReferenceCount;
	union {
		ULONG LongFlags;
	} u;
	ULONG SessionId;
	UCHAR Reserved_00C[0x24];
	ULONGLONG CommittedPages;
	UCHAR Reserved_038[0x20];
	ULONG SessionPoolAllocationFailures[4];
	UCHAR Reserved_068[0x28];
	LIST_ENTRY WsListEntry;
	MM_PAGED_POOL_INFO PagedPoolInfo;
	UCHAR Reserved_0D8[0xCA8];
	POOL_DESCRIPTOR PagedPool;
	UCHAR Reserved_1EC0[0x168];
	PPOOL_TRACKER_TABLE PoolTrackTableExpansion;
	SIZE_T PoolTrackTableExpansionSize;
	PPOOL_TRACKER_BIG_PAGES PoolTrackBigPages;
	SIZE_T PoolTrackBigPagesSize;
	UCHAR Reserved_2048[0x2FB8];
} MM_SESSION_SPACE, *PMM_SESSION_SPACE;
LAB_FIELD(MM_SESSION_SPACE, SessionId, 0x8, "Vergilius 17763");
LAB_FIELD(MM_SESSION_SPACE, CommittedPages, 0x30, "ntdiff Win10 1809 x64");
LAB_FIELD(MM_SESSION_SPACE, SessionPoolAllocationFailures, 0x58, "ntdiff Win10 1809 x64");
LAB_FIELD(MM_SESSION_SPACE, WsListEntry, 0x90, "ntdiff Win10 1809 x64");
LAB_FIELD(MM_SESSION_SPACE, PagedPoolInfo, 0xA0, "ntdiff Win10 1809 x64");
LAB_FIELD(MM_SESSION_SPACE, PagedPool, 0xD80, "§3.6");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansion, 0x2028, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackTableExpansionSize, 0x2030, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPages, 0x2038, "§3.4");
LAB_FIELD(MM_SESSION_SPACE, PoolTrackBigPagesSize, 0x2040, "§3.4");
LAB_SIZE(MM_SESSION_SPACE, 0x5000, "five pages, lab/profile.c");

/* MMPAGING_FILE: nt!MmPagingFile[i] points at one per paging file; !vm
 * prints Size, FreeSpace, MinimumSize, MaximumSize (pages) and the name.
 * ntdiff/headers Win10_1809_RS5 x64 ntoskrnl type data: Size 0x00,
 * MaximumSize 0x08, MinimumSize 0x10, FreeSpace 0x18, PeakUsage 0x20,
 * HighestPage 0x28, FreeReservationSpace 0x30, File 0x38, Entry[2] 0x40,
 * PfnsToFree 0x50, PageFileName 0x60; size 0x120. */
typedef struct _MMPAGING_FILE {
	ULONG_PTR Size;
	ULONG_PTR MaximumSize;
	ULONG_PTR MinimumSize;
	ULONG_PTR FreeSpace;
	ULONG_PTR PeakUsage;
	ULONG_PTR HighestPage;
	ULONG_PTR FreeReservationSpace;
	PVOID File;
	PVOID Entry[2];
	UCHAR PfnsToFree[0x10];
	UNICODE_STRING PageFileName;
	UCHAR Reserved_070[0xB0];
} MMPAGING_FILE, *PMMPAGING_FILE;
LAB_FIELD(MMPAGING_FILE, FreeSpace, 0x18, "ntdiff Win10_1809_RS5 x64");
LAB_FIELD(MMPAGING_FILE, PageFileName, 0x60, "ntdiff Win10_1809_RS5 x64");
LAB_SIZE(MMPAGING_FILE, 0x120, "ntdiff Win10_1809_RS5 x64");


/* ---- objects and handles (formats.md §4) ------------------------------- */

typedef struct _OBJECT_HEADER {
	LONG_PTR PointerCount;
	union {
		LONG_PTR HandleCount;
		PVOID NextToFree;
	};
	EX_PUSH_LOCK Lock;
	UCHAR TypeIndex;            /* stored ^ ObHeaderCookie ^ (header >> 8) (§4.3) */
	union {
		UCHAR TraceFlags;
		struct {
			UCHAR DbgRefTrace : 1;
			UCHAR DbgTracePermanent : 1;
		};
	};
	UCHAR InfoMask;
	union {
		UCHAR Flags;
		struct {
			UCHAR NewObject : 1;
			UCHAR KernelObject : 1;
			UCHAR KernelOnlyAccess : 1;
			UCHAR ExclusiveObject : 1;
			UCHAR PermanentObject : 1;
			UCHAR DefaultSecurityQuota : 1;
			UCHAR SingleHandleEntry : 1;
			UCHAR DeletedInline : 1;
		};
	};
	ULONG Reserved;
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

/* Size 0xD8 from the 17763 type data (Vergilius). */
typedef struct _OBJECT_TYPE {
	LIST_ENTRY TypeList;
	UNICODE_STRING Name;
	PVOID DefaultObject;
	UCHAR Index;
	UCHAR Reserved_029[3];
	ULONG TotalNumberOfObjects;
	ULONG TotalNumberOfHandles;
	UCHAR Reserved_034[0x8C];
	ULONG Key;
	LIST_ENTRY CallbackList;
} OBJECT_TYPE, *POBJECT_TYPE;
LAB_FIELD(OBJECT_TYPE, Name, 0x10, "§4.3");
LAB_FIELD(OBJECT_TYPE, Index, 0x28, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfObjects, 0x2C, "§4.3");
LAB_FIELD(OBJECT_TYPE, TotalNumberOfHandles, 0x30, "§4.3");
LAB_FIELD(OBJECT_TYPE, Key, 0xC0, "§4.3");
LAB_SIZE(OBJECT_TYPE, 0xD8, "Vergilius 17763 x64");

/* Windows 8.1+ x64 entry (§4.4): header = (LowValue >> 16) & ~0xF, sign-
 * extended through ObjectPointerBits. */
typedef struct _HANDLE_TABLE_ENTRY {
	union {
		LONG_PTR VolatileLowValue;
		LONG_PTR LowValue;
		struct {
			ULONG_PTR Unlocked : 1;
			ULONG_PTR RefCnt : 16;
			ULONG_PTR Attributes : 3;
			ULONG_PTR ObjectPointerBits : 44;
		};
	};
	union {
		LONG_PTR HighValue;
		struct _HANDLE_TABLE_ENTRY *NextFreeHandleEntry;
		struct {
			ULONG GrantedAccessBits : 25;
			ULONG NoRightsUpgrade : 1;
			ULONG Spare1 : 6;
			ULONG Spare2;
		};
	};
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;
LAB_FIELD(HANDLE_TABLE_ENTRY, LowValue, 0x0, "§4.4");
LAB_FIELD(HANDLE_TABLE_ENTRY, HighValue, 0x8, "§4.4");
LAB_SIZE(HANDLE_TABLE_ENTRY, 0x10, "§4.4");

typedef struct _HANDLE_TABLE_FREE_LIST {
	EX_PUSH_LOCK FreeListLock;
	PHANDLE_TABLE_ENTRY FirstFreeHandleEntry;
	PHANDLE_TABLE_ENTRY LastFreeHandleEntry;
	LONG HandleCount;
	ULONG HighWaterMark;
	UCHAR Reserved_020[0x20];
} HANDLE_TABLE_FREE_LIST, *PHANDLE_TABLE_FREE_LIST;
LAB_FIELD(HANDLE_TABLE_FREE_LIST, HandleCount, 0x18, "§4.4");
LAB_SIZE(HANDLE_TABLE_FREE_LIST, 0x40, "§4.4");

typedef struct _HANDLE_TABLE {
	ULONG NextHandleNeedingPool;
	LONG ExtraInfoPages;
	ULONG_PTR TableCode;
	struct _EPROCESS *QuotaProcess;
	LIST_ENTRY HandleTableList;
	ULONG UniqueProcessId;
	ULONG Flags;
	EX_PUSH_LOCK HandleContentionEvent;
	EX_PUSH_LOCK HandleTableLock;
	HANDLE_TABLE_FREE_LIST FreeLists[1];
} HANDLE_TABLE, *PHANDLE_TABLE;
LAB_FIELD(HANDLE_TABLE, NextHandleNeedingPool, 0x00, "§4.4");
LAB_FIELD(HANDLE_TABLE, TableCode, 0x08, "§4.4");
LAB_FIELD(HANDLE_TABLE, QuotaProcess, 0x10, "§4.4");
LAB_FIELD(HANDLE_TABLE, HandleTableList, 0x18, "§4.4");
LAB_FIELD(HANDLE_TABLE, UniqueProcessId, 0x28, "§4.4");
LAB_FIELD(HANDLE_TABLE, FreeLists, 0x40, "§4.4 (FreeLists[0].HandleCount at 0x58)");
LAB_SIZE(HANDLE_TABLE, 0x80, "§4.4");

/* ---- processes and threads (formats.md §5) ----------------------------- */

typedef struct _KAPC_STATE {
	LIST_ENTRY ApcListHead[2];
	struct _KPROCESS *Process;
	union {
		UCHAR InProgressFlags;
		struct {
			UCHAR KernelApcInProgress : 1;
			UCHAR SpecialApcInProgress : 1;
		};
	};
	UCHAR KernelApcPending;
	UCHAR UserApcPendingAll;
} KAPC_STATE, *PKAPC_STATE;
LAB_FIELD(KAPC_STATE, Process, 0x20, "§5.4");
LAB_SIZE(KAPC_STATE, 0x30, "§5.4 (Priority at ApcState+0x2B)");

typedef struct _KPROCESS {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_018[0x10];
	ULONG_PTR DirectoryTableBase;
	LIST_ENTRY ThreadListHead;
	UCHAR Reserved_040[0x238];
	ULONGLONG UserDirectoryTableBase;
	UCHAR Reserved_280[0x58];
} KPROCESS, *PKPROCESS;
LAB_FIELD(KPROCESS, Header, 0x00, "§5.1");
LAB_FIELD(KPROCESS, DirectoryTableBase, 0x28, "§5.1");
LAB_FIELD(KPROCESS, ThreadListHead, 0x30, "§5.1");
LAB_FIELD(KPROCESS, UserDirectoryTableBase, 0x278, "§5.1");
LAB_SIZE(KPROCESS, 0x2D8, "§5.1");

typedef struct _RTL_AVL_TREE {
	struct _RTL_BALANCED_NODE *Root;
} RTL_AVL_TREE;

typedef struct _EPROCESS {
	KPROCESS Pcb;
	UCHAR Reserved_2D8[0x8];
	PVOID UniqueProcessId;
	LIST_ENTRY ActiveProcessLinks;
	UCHAR Reserved_2F8[0xC];
	ULONG Flags;
	LARGE_INTEGER CreateTime;
	UCHAR Reserved_310[0x28];
	ULONG_PTR VirtualSize;
	LIST_ENTRY SessionProcessLinks;
	UCHAR Reserved_350[0x8];
	EX_FAST_REF Token;
	UCHAR Reserved_360[0x80];
	PVOID InheritedFromUniqueProcessId;
	UCHAR Reserved_3E8[0x10];
	struct _PEB *Peb;
	PVOID Session;
	UCHAR Reserved_408[0x10];
	PHANDLE_TABLE ObjectTable;
	UCHAR Reserved_420[0x8];
	struct _EWOW64PROCESS *WoW64Process;
	UCHAR Reserved_430[0x18];
	struct _FILE_OBJECT *ImageFilePointer;
	UCHAR ImageFileName[15];
	UCHAR Reserved_45F[0x29];
	LIST_ENTRY ThreadListHead;
	ULONG ActiveThreads;
	UCHAR Reserved_49C[0x54];
	ULONG_PTR CommitCharge;
	UCHAR Reserved_4F8[0x12C];
	LONG ExitStatus;
	RTL_AVL_TREE VadRoot;
	UCHAR Reserved_630[0x60];
	LARGE_INTEGER ExitTime;
	UCHAR Reserved_698[0x1B8];
} EPROCESS, *PEPROCESS;
LAB_FIELD(EPROCESS, Pcb, 0x000, "§5.1");
LAB_FIELD(EPROCESS, UniqueProcessId, 0x2E0, "§5.2");
LAB_FIELD(EPROCESS, ActiveProcessLinks, 0x2E8, "§5.2");
LAB_FIELD(EPROCESS, Flags, 0x304, "§5.2");
LAB_FIELD(EPROCESS, CreateTime, 0x308, "§5.2");
LAB_FIELD(EPROCESS, VirtualSize, 0x338, "§5.2");
LAB_FIELD(EPROCESS, SessionProcessLinks, 0x340, "§5.2");
LAB_FIELD(EPROCESS, Token, 0x358, "§5.2");
LAB_FIELD(EPROCESS, InheritedFromUniqueProcessId, 0x3E0, "§5.2");
LAB_FIELD(EPROCESS, Peb, 0x3F8, "§5.2");
LAB_FIELD(EPROCESS, Session, 0x400, "§5.2");
LAB_FIELD(EPROCESS, ObjectTable, 0x418, "§5.2");
LAB_FIELD(EPROCESS, WoW64Process, 0x428, "§5.2");
LAB_FIELD(EPROCESS, ImageFilePointer, 0x448, "§5.2");
LAB_FIELD(EPROCESS, ImageFileName, 0x450, "§5.2");
LAB_FIELD(EPROCESS, ThreadListHead, 0x488, "§5.2");
LAB_FIELD(EPROCESS, ActiveThreads, 0x498, "§5.2");
LAB_FIELD(EPROCESS, CommitCharge, 0x4F0, "§5.2");
LAB_FIELD(EPROCESS, ExitStatus, 0x624, "§5.2");
LAB_FIELD(EPROCESS, VadRoot, 0x628, "§5.2");
LAB_FIELD(EPROCESS, ExitTime, 0x690, "§5.2");
LAB_SIZE(EPROCESS, 0x850, "§5.2");

typedef struct _KTHREAD {
	DISPATCHER_HEADER Header;
	UCHAR Reserved_018[0x10];
	PVOID InitialStack;
	PVOID StackLimit;
	PVOID StackBase;
	UCHAR Reserved_040[0x18];
	PVOID KernelStack;
	UCHAR Reserved_060[0x30];
	struct _KTRAP_FRAME *TrapFrame;
	union {
		KAPC_STATE ApcState;
		struct {
			UCHAR ApcStateFill[0x2B];
			CHAR Priority;
		};
	};
	UCHAR Reserved_0C8[0x28];
	PVOID Teb;
	UCHAR Reserved_0F8[0x8C];
	UCHAR State;
	UCHAR Reserved_185[0x43];
	PVOID Win32Thread;
	UCHAR Reserved_1D0[0x50];
	struct _KPROCESS *Process;
	UCHAR Reserved_228[0x5B];
	UCHAR WaitReason;
	UCHAR Reserved_284[0x74];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_308[0x2E8];
} KTHREAD, *PKTHREAD;
LAB_FIELD(KTHREAD, Header, 0x000, "§5.4");
LAB_FIELD(KTHREAD, InitialStack, 0x028, "§5.4");
LAB_FIELD(KTHREAD, StackLimit, 0x030, "§5.4");
LAB_FIELD(KTHREAD, StackBase, 0x038, "§5.4");
LAB_FIELD(KTHREAD, KernelStack, 0x058, "§5.4");
LAB_FIELD(KTHREAD, TrapFrame, 0x090, "§5.4");
LAB_FIELD(KTHREAD, ApcState, 0x098, "§5.4");
LAB_FIELD(KTHREAD, Priority, 0x0C3, "§5.4");
LAB_FIELD(KTHREAD, Teb, 0x0F0, "§5.4");
LAB_FIELD(KTHREAD, State, 0x184, "§5.4");
LAB_FIELD(KTHREAD, Win32Thread, 0x1C8, "§5.4");
LAB_FIELD(KTHREAD, Process, 0x220, "§5.4");
LAB_FIELD(KTHREAD, WaitReason, 0x283, "§5.4");
LAB_FIELD(KTHREAD, ThreadListEntry, 0x2F8, "§5.4");
LAB_SIZE(KTHREAD, 0x5F0, "§5.4");

typedef struct _ETHREAD {
	KTHREAD Tcb;
	LARGE_INTEGER CreateTime;
	union {
		LARGE_INTEGER ExitTime;
		LIST_ENTRY KeyedWaitChain;
	};
	UCHAR Reserved_608[0x8];
	PVOID StartAddress;
	UCHAR Reserved_618[0x20];
	CLIENT_ID Cid;
	UCHAR Reserved_648[0x48];
	PVOID Win32StartAddress;
	UCHAR Reserved_698[0x10];
	LIST_ENTRY ThreadListEntry;
	UCHAR Reserved_6B8[0x18];
	union {
		ULONG CrossThreadFlags;
		struct {
			ULONG Terminated : 1;
		};
	};
	UCHAR Reserved_6D4[0x2C];
	LONG ExitStatus;
	UCHAR Reserved_704[0x10C];
} ETHREAD, *PETHREAD;
LAB_FIELD(ETHREAD, Tcb, 0x000, "§5.3");
LAB_FIELD(ETHREAD, CreateTime, 0x5F0, "§5.3");
LAB_FIELD(ETHREAD, ExitTime, 0x5F8, "§5.3");
LAB_FIELD(ETHREAD, StartAddress, 0x610, "§5.3");
LAB_FIELD(ETHREAD, Cid, 0x638, "§5.3");
LAB_FIELD(ETHREAD, Win32StartAddress, 0x690, "§5.3");
LAB_FIELD(ETHREAD, ThreadListEntry, 0x6A8, "§5.3");
LAB_FIELD(ETHREAD, CrossThreadFlags, 0x6D0, "§5.3");
LAB_FIELD(ETHREAD, ExitStatus, 0x700, "§5.3");
LAB_SIZE(ETHREAD, 0x810, "§5.3");

/* KPRCB: Number at 0x24 and the size 0x6900 from the 17763 type data
 * (Vergilius); the thread pointers from formats.md §5.4. */
typedef struct _KPRCB {
	ULONG MxCsr;
	UCHAR Reserved_004[0x4];
	struct _KTHREAD *CurrentThread;
	struct _KTHREAD *NextThread;
	struct _KTHREAD *IdleThread;
	UCHAR Reserved_020[0x4];
	ULONG Number;
	UCHAR Reserved_028[0x68D8];
} KPRCB, *PKPRCB;
LAB_FIELD(KPRCB, CurrentThread, 0x8, "§5.4");
LAB_FIELD(KPRCB, IdleThread, 0x18, "§5.4");
LAB_FIELD(KPRCB, Number, 0x24, "Vergilius 17763 x64");
LAB_SIZE(KPRCB, 0x6900, "Vergilius 17763 x64");

#endif
