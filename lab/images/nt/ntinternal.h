/*
 * ntinternal.h - declarations shared between the lab kernel's source files:
 * its globals and the internal routines that are not exported.
 */
#ifndef LAB_NTINTERNAL_H
#define LAB_NTINTERNAL_H

#define LAB_BUILDING_KERNEL
#include "ntmini.h"

/* kernel_data.c */
extern LIST_ENTRY PsActiveProcessHead;
extern PVOID PspCidTable;
extern PVOID KiProcessorBlock[64];
extern ULONG KeNumberProcessors;
extern ULONG_PTR KiBugCheckData[5];
extern PVOID ObTypeIndexTable[64];
extern UCHAR ObHeaderCookie;
extern PVOID MmNonPagedPoolStart, MmNonPagedPoolEnd, MmPagedPoolStart, MmPagedPoolEnd;
extern SIZE_T MmAllocatedNonPagedPool;
extern ULONG MmSpecialPoolTag;
extern PVOID PoolTrackTable;
extern SIZE_T PoolTrackTableSize, PoolTrackTableMask;
extern PVOID PoolBigPageTable;
extern SIZE_T PoolBigPageTableSize;
extern ULONG ExPoolFailures;
extern ULONG PoolHitTag;
extern PVOID ExpPagedPoolDescriptor[17];
extern ULONG ExpNumberOfPagedPools;

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
typedef struct _KTHREAD_LITE {
	LIST_ENTRY WaitListEntry;
	PVOID KernelStack;
	UCHAR State;
	UCHAR WaitReason;
	UCHAR WaitMode;
	UCHAR Alertable;
	LONG WaitStatus;
	ULONG ContextSwitches;
	struct _KTHREAD_LITE *NextThread;
} KTHREAD_LITE;
LONG FASTCALL KiSwapThread(KTHREAD_LITE *Thread, PVOID Prcb);
LONG NTAPI KiCommitThreadWait(KTHREAD_LITE *Thread, PVOID Object, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout);
BOOLEAN FASTCALL KiSwapContext(KTHREAD_LITE *OldThread, KTHREAD_LITE *NewThread);
KTHREAD_LITE *NTAPI KeGetCurrentThreadLite(VOID);

/* rtl.c */
ULONG NTAPI KdpPrintString(PCSTR String);

#endif
