/*
 * ke.c - the scheduler routines a waiting thread's stack shows in the seed's
 * `!thread` output (KeWaitForSingleObject -> KiCommitThreadWait ->
 * KiSwapThread -> KiSwapContext), and KeBugCheckEx. The lab writes return
 * addresses inside these functions into the stacks it fabricates.
 */
#include "ntinternal.h"

static KTHREAD_LITE KiInitialThread;

KTHREAD_LITE *NTAPI KeGetCurrentThreadLite(VOID)
{
	KTHREAD_LITE **prcb = KiProcessorBlock[0];

	return prcb != NULL && prcb[1] != NULL ? prcb[1] : &KiInitialThread;
}

BOOLEAN FASTCALL KiSwapContext(KTHREAD_LITE *OldThread, KTHREAD_LITE *NewThread)
{
	NewThread->ContextSwitches++;
	NewThread->State = 2;                   /* Running */
	OldThread->NextThread = NewThread;
	return OldThread->WaitStatus != 0;
}

LONG FASTCALL KiSwapThread(KTHREAD_LITE *Thread, PVOID Prcb)
{
	KTHREAD_LITE **prcb = Prcb;
	KTHREAD_LITE *next = prcb != NULL && prcb[2] != NULL ? prcb[2] : &KiInitialThread;

	if (KiSwapContext(Thread, next))
		Thread->WaitStatus = 0x101;     /* STATUS_ALERTED */
	if (prcb != NULL)
		prcb[1] = next;
	return Thread->WaitStatus;
}

LONG NTAPI KiCommitThreadWait(KTHREAD_LITE *Thread, PVOID Object, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout)
{
	LIST_ENTRY *waiters = Object;

	Thread->State = 5;                      /* Waiting */
	Thread->WaitMode = (UCHAR)WaitMode;
	Thread->WaitListEntry.Flink = waiters;
	Thread->WaitListEntry.Blink = waiters->Blink;
	waiters->Blink->Flink = &Thread->WaitListEntry;
	waiters->Blink = &Thread->WaitListEntry;
	if (Timeout != NULL && Timeout->QuadPart == 0)
		return 0x102;                   /* STATUS_TIMEOUT */
	return KiSwapThread(Thread, KiProcessorBlock[0]);
}

NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
				     PLARGE_INTEGER Timeout)
{
	KTHREAD_LITE *thread = KeGetCurrentThreadLite();

	thread->WaitReason = (UCHAR)WaitReason;
	thread->Alertable = Alertable;
	if (((LONG *)Object)[1] > 0) {          /* DISPATCHER_HEADER.SignalState */
		((LONG *)Object)[1]--;
		return STATUS_SUCCESS;
	}
	return KiCommitThreadWait(thread, (LONG *)Object + 2, WaitMode, Timeout);
}

VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
	KiBugCheckData[0] = BugCheckCode;
	KiBugCheckData[1] = P1;
	KiBugCheckData[2] = P2;
	KiBugCheckData[3] = P3;
	KiBugCheckData[4] = P4;
	for (;;)
		KiSwapThread(KeGetCurrentThreadLite(), NULL);
}
