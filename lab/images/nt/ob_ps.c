/*
 * ob_ps.c - object manager and process manager exports: handle references,
 * ZwClose, system threads. Handles are looked up in the current process's
 * HANDLE_TABLE and decoded to an OBJECT_HEADER the way the build does it
 * (formats.md §4.4), object types through ObTypeIndexTable with the
 * Windows 10 TypeIndex encoding (§4.3).
 */
#include "ntinternal.h"

#define OB_INFO_CREATOR 0x01
#define OB_INFO_NAME 0x02
#define OB_INFO_HANDLE 0x04
#define OB_INFO_QUOTA 0x08
#define OB_INFO_PROCESS 0x10

/* A level-0 table: one page of entries, handle = index * 4. */
PHANDLE_TABLE_ENTRY NTAPI ExpLookupHandleTableEntry(PHANDLE_TABLE HandleTable, HANDLE Handle)
{
	ULONG_PTR index = (ULONG_PTR)Handle >> 2;
	PHANDLE_TABLE_ENTRY entries;

	if (HandleTable == NULL || index == 0 || index >= 0x1000 / sizeof(HANDLE_TABLE_ENTRY))
		return NULL;
	entries = (PHANDLE_TABLE_ENTRY)(HandleTable->TableCode & ~(ULONG_PTR)3);
	return entries != NULL ? &entries[index] : NULL;
}

static POBJECT_HEADER ObpEntryObjectHeader(PHANDLE_TABLE_ENTRY Entry)
{
#if LAB_NT_BUILD >= 9600
	return (POBJECT_HEADER)((Entry->LowValue >> 16) & ~(LONG_PTR)0xF);
#else
	return (POBJECT_HEADER)(Entry->Value & ~(ULONG_PTR)7);
#endif
}

POBJECT_TYPE NTAPI ObGetObjectType(PVOID Object)
{
	POBJECT_HEADER header = (POBJECT_HEADER)((UCHAR *)Object - __builtin_offsetof(OBJECT_HEADER, Body));
	UCHAR index = header->TypeIndex;

#if LAB_NT_BUILD >= 10240
	index ^= ObHeaderCookie ^ (UCHAR)((ULONG_PTR)header >> 8);
#endif
	return index < 64 ? ObTypeIndexTable[index] : NULL;
}

/* The optional headers sit below OBJECT_HEADER in InfoMask bit order,
 * creator info closest (formats.md §4.2): the one for `bit` is at the
 * header minus the sizes of the present ones up to and including it. */
static PVOID ObpHeaderInfo(POBJECT_HEADER Header, UCHAR Bit)
{
	static const USHORT sizes[5] = {
		sizeof(OBJECT_HEADER_CREATOR_INFO), sizeof(OBJECT_HEADER_NAME_INFO),
		sizeof(OBJECT_HEADER_HANDLE_INFO), sizeof(OBJECT_HEADER_QUOTA_INFO),
		sizeof(OBJECT_HEADER_PROCESS_INFO),
	};
	ULONG offset = 0;

	if (!(Header->InfoMask & Bit))
		return NULL;
	for (ULONG i = 0; i < 5 && (1u << i) <= Bit; i++)
		if (Header->InfoMask & (1u << i))
			offset += sizes[i];
	return (UCHAR *)Header - offset;
}

POBJECT_HEADER_CREATOR_INFO NTAPI ObpHeaderCreatorInfo(POBJECT_HEADER Header)
{
	return ObpHeaderInfo(Header, OB_INFO_CREATOR);
}

POBJECT_HEADER_HANDLE_INFO NTAPI ObpHeaderHandleInfo(POBJECT_HEADER Header)
{
	return ObpHeaderInfo(Header, OB_INFO_HANDLE);
}

POBJECT_HEADER_QUOTA_INFO NTAPI ObpHeaderQuotaInfo(POBJECT_HEADER Header)
{
	return ObpHeaderInfo(Header, OB_INFO_QUOTA);
}

POBJECT_HEADER_PROCESS_INFO NTAPI ObpHeaderProcessInfo(POBJECT_HEADER Header)
{
	return ObpHeaderInfo(Header, OB_INFO_PROCESS);
}

POBJECT_HEADER_NAME_INFO NTAPI ObQueryNameInfo(PVOID Object)
{
	return ObpHeaderInfo((POBJECT_HEADER)((UCHAR *)Object - __builtin_offsetof(OBJECT_HEADER, Body)), OB_INFO_NAME);
}

NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType,
					 KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
	PKTHREAD thread = KeGetCurrentThread();
	PEPROCESS process = thread->Process != NULL ? (PEPROCESS)thread->Process : PsInitialSystemProcess;
	PHANDLE_TABLE_ENTRY entry;
	POBJECT_HEADER header;

	if (process == NULL || (entry = ExpLookupHandleTableEntry(process->ObjectTable, Handle)) == NULL ||
	    (header = ObpEntryObjectHeader(entry)) == NULL)
		return (NTSTATUS)0xC0000008L;   /* STATUS_INVALID_HANDLE */
	if (ObjectType != NULL && ObGetObjectType(&header->Body) != ObjectType)
		return (NTSTATUS)0xC0000024L;   /* STATUS_OBJECT_TYPE_MISMATCH */
	header->PointerCount++;
	*Object = &header->Body;
	return STATUS_SUCCESS;
}

VOID NTAPI ObfDereferenceObject(PVOID Object)
{
	POBJECT_HEADER header = (POBJECT_HEADER)((UCHAR *)Object - __builtin_offsetof(OBJECT_HEADER, Body));

	if (--header->PointerCount == 0)
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
#if LAB_NT_BUILD >= 9200
	PETHREAD thread = ExAllocatePoolWithTag(NonPagedPool, sizeof(ETHREAD), 0x65726854);
#else
	PETHREAD thread = ExAllocatePoolWithTag(NonPagedPool, sizeof(ETHREAD), 0xE5726854);
#endif

	if (thread == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	thread->Tcb.Header.Type = 6;            /* ThreadObject */
	thread->Tcb.State = 1;                  /* Ready */
	thread->Tcb.Process = (PKPROCESS)PsInitialSystemProcess;
	thread->StartAddress = (PVOID)StartRoutine;
	thread->Win32StartAddress = StartContext;
	thread->Cid.UniqueProcess = (HANDLE)4;
	thread->Cid.UniqueThread = (HANDLE)thread;
	*ThreadHandle = (HANDLE)thread;
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus)
{
	PETHREAD self = (PETHREAD)KeGetCurrentThread();

	self->Tcb.State = 4;                    /* Terminated */
	self->ExitStatus = ExitStatus;
	self->Terminated = 1;
	KiSwapThread(&self->Tcb, KiProcessorBlock[0]);
	return ExitStatus;
}
