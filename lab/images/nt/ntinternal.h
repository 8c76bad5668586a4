/*
 * ntinternal.h - declarations shared between the lab kernel's source files:
 * the Windows types of the build being compiled (types/nt_types.h), its
 * globals and the internal routines that are not exported.
 */
#ifndef LAB_NTINTERNAL_H
#define LAB_NTINTERNAL_H

#define LAB_BUILDING_KERNEL
#include "ntmini.h"
#include "nt_types.h"

/* kernel_data.c */
extern LIST_ENTRY PsActiveProcessHead;
extern LIST_ENTRY PsLoadedModuleList;
extern PHANDLE_TABLE PspCidTable;
extern PKPRCB KiProcessorBlock[64];
extern ULONG KeNumberProcessors;
extern ULONG_PTR KiBugCheckData[5];
extern POBJECT_TYPE ObTypeIndexTable[64];
extern UCHAR ObHeaderCookie;
extern PVOID MmNonPagedPoolStart, MmNonPagedPoolEnd, MmPagedPoolStart, MmPagedPoolEnd;
extern SIZE_T MmAllocatedNonPagedPool;
extern ULONG MmSpecialPoolTag;
extern PPOOL_TRACKER_TABLE PoolTrackTable;
extern SIZE_T PoolTrackTableSize, PoolTrackTableMask;
extern PPOOL_TRACKER_BIG_PAGES PoolBigPageTable;
extern SIZE_T PoolBigPageTableSize;
extern ULONG ExPoolFailures;
extern ULONG PoolHitTag;
extern PPOOL_DESCRIPTOR ExpPagedPoolDescriptor[17];
extern ULONG ExpNumberOfPagedPools;
extern PEPROCESS PsInitialSystemProcess;

/* kd_data.c */
extern PVOID KdPrintWritePointer, KdPrintCircularBufferEnd;
extern PVOID KdPrintCircularBuffer;
extern ULONG KdPrintRolloverCount;

/* pool_pages.c */
PVOID NTAPI MiAllocatePoolPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
SIZE_T NTAPI MiFreePoolPages(PVOID StartingAddress);

/* pool_tracker.c */
VOID NTAPI ExpInsertPoolTracker(ULONG Key, SIZE_T NumberOfBytes, POOL_TYPE PoolType);
VOID NTAPI ExpRemovePoolTracker(ULONG Key, SIZE_T NumberOfBytes, POOL_TYPE PoolType);

/* ke.c */
extern ETHREAD KiInitialThread;
LONG FASTCALL KiSwapThread(PKTHREAD Thread, PKPRCB Prcb);
LONG NTAPI KiCommitThreadWait(PKTHREAD Thread, PVOID Object, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout);
BOOLEAN FASTCALL KiSwapContext(PKTHREAD OldThread, PKTHREAD NewThread);
PKTHREAD NTAPI KeGetCurrentThread(VOID);

/* sysload.c */
PKLDR_DATA_TABLE_ENTRY NTAPI MiLookupDataTableEntry(PVOID AddressWithinSection, BOOLEAN ResourceHeld);

/* rtl.c */
ULONG NTAPI KdpPrintString(PCSTR String);

#endif
