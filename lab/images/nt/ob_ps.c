/*
 * ob_ps.c - object manager and process manager exports: handle references,
 * ZwClose, system threads. The object header cookie and the type index
 * table are the Windows 7+ ones (reference/formats.md 4.1, 4.3).
 */
#include "ntinternal.h"

NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType,
					 KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
	ULONG_PTR index = (ULONG_PTR)Handle >> 2;
	PVOID *table = PspCidTable;

	if (table == NULL || index == 0 || index >= 0x400)
		return (NTSTATUS)0xC0000008L;   /* STATUS_INVALID_HANDLE */
	*Object = (PVOID)((ULONG_PTR)table[index] & ~(ULONG_PTR)7);
	if (ObjectType != NULL && ObTypeIndexTable[ObHeaderCookie & 63] != ObjectType)
		return (NTSTATUS)0xC0000024L;   /* STATUS_OBJECT_TYPE_MISMATCH */
	return STATUS_SUCCESS;
}

VOID NTAPI ObfDereferenceObject(PVOID Object)
{
	LONG_PTR *header = (LONG_PTR *)Object - (sizeof(PVOID) == 8 ? 6 : 6);

	if (--header[0] == 0)
		ExFreePoolWithTag(header, 0);
}

NTSTATUS NTAPI ZwClose(HANDLE Handle)
{
	PVOID object;
	NTSTATUS status = ObReferenceObjectByHandle(Handle, 0, NULL, 0, &object, NULL);

	if (status == STATUS_SUCCESS)
		ObfDereferenceObject(object);
	return status;
}

NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, PVOID ObjectAttributes,
				    HANDLE ProcessHandle, PVOID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
	/* ETHREAD is a 'Thre' pool block on Windows 8+ ('Thr\xe5' before). */
	KTHREAD_LITE *thread = ExAllocatePoolWithTag(NonPagedPool, 0x2e8, 0xE5726854);

	if (thread == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	thread->KernelStack = (PVOID)StartRoutine;
	thread->NextThread = StartContext;
	thread->State = 1;
	*ThreadHandle = (HANDLE)thread;
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus)
{
	KTHREAD_LITE *self = KeGetCurrentThreadLite();

	self->State = 4;                        /* Terminated */
	self->WaitStatus = ExitStatus;
	KiSwapThread(self, KiProcessorBlock[0]);
	return ExitStatus;
}
