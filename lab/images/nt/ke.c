/*
 * ke.c - the scheduler routines a waiting thread's stack shows in the seed's
 * `!thread` output (KeWaitForSingleObject -> KiCommitThreadWait ->
 * KiSwapThread -> KiSwapContext), and KeBugCheckEx. The lab writes return
 * addresses inside these functions into the stacks it fabricates. They work
 * on the build's real KTHREAD and KPRCB (types/), so their code reads the
 * documented offsets.
 */
#include "ntinternal.h"

/* The boot thread, in .data as in Windows. */
ETHREAD KiInitialThread;

PKTHREAD NTAPI KeGetCurrentThread(VOID)
{
	PKPRCB prcb = KiProcessorBlock[0];

	return prcb != NULL && prcb->CurrentThread != NULL ? prcb->CurrentThread : &KiInitialThread.Tcb;
}

BOOLEAN FASTCALL KiSwapContext(PKTHREAD OldThread, PKTHREAD NewThread)
{
	NewThread->State = 2;                   /* Running */
	NewThread->KernelStack = OldThread->KernelStack;
	return OldThread->Header.SignalState != 0;
}

LONG FASTCALL KiSwapThread(PKTHREAD Thread, PKPRCB Prcb)
{
	PKTHREAD next = Prcb != NULL && Prcb->NextThread != NULL ? Prcb->NextThread : &KiInitialThread.Tcb;

	if (KiSwapContext(Thread, next))
		Thread->Header.SignalState = 0x101;     /* STATUS_ALERTED */
	if (Prcb != NULL) {
		Prcb->CurrentThread = next;
		Prcb->NextThread = NULL;
	}
	return Thread->Header.SignalState;
}

LONG NTAPI KiCommitThreadWait(PKTHREAD Thread, PVOID Object, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout)
{
	LIST_ENTRY *waiters = Object;

	Thread->State = 5;                      /* Waiting */
	Thread->Priority = (CHAR)(WaitMode == 0 ? Thread->Priority : Thread->Priority + 1);
	Thread->ThreadListEntry.Flink = waiters;
	Thread->ThreadListEntry.Blink = waiters->Blink;
	waiters->Blink->Flink = &Thread->ThreadListEntry;
	waiters->Blink = &Thread->ThreadListEntry;
	if (Timeout != NULL && Timeout->QuadPart == 0)
		return 0x102;                   /* STATUS_TIMEOUT */
	return KiSwapThread(Thread, KiProcessorBlock[0]);
}

NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
				     PLARGE_INTEGER Timeout)
{
	DISPATCHER_HEADER *header = Object;
	PKTHREAD thread = KeGetCurrentThread();

	thread->WaitReason = (UCHAR)WaitReason;
	thread->ApcState.KernelApcPending = Alertable;
	if (header->SignalState > 0) {
		header->SignalState--;
		return STATUS_SUCCESS;
	}
	return KiCommitThreadWait(thread, &header->WaitListHead, WaitMode, Timeout);
}

VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
	KiBugCheckData[0] = BugCheckCode;
	KiBugCheckData[1] = P1;
	KiBugCheckData[2] = P2;
	KiBugCheckData[3] = P3;
	KiBugCheckData[4] = P4;
	for (;;)
		KiSwapThread(KeGetCurrentThread(), NULL);
}
