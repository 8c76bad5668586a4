/*
 * ci.c - the lab's ci.dll (Code Integrity), a kernel-mode DLL with
 * exports: image-hash work buffers charged to the caller's quota (CIcr)
 * and a hash cache (CIha).
 */
#include "ntmini.h"

typedef struct _CI_HASH_ENTRY {
	struct _CI_HASH_ENTRY *Next;
	UCHAR Hash[20];
} CI_HASH_ENTRY;

static CI_HASH_ENTRY *CipHashCache;
static ULONG CipOptions;

NTSTATUS NTAPI CiValidateImageHeader(PVOID ImageBase, SIZE_T ImageSize)
{
	UCHAR *work = ExAllocatePoolWithQuotaTag(PagedPool, ImageSize < 0x1000 ? 0x1000 : ImageSize, 'rcIC');
	CI_HASH_ENTRY *entry;
	SIZE_T i;

	if (work == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	entry = ExAllocatePoolWithTag(PagedPool, sizeof *entry, 'ahIC');
	if (entry != NULL) {
		for (i = 0; i < sizeof entry->Hash; i++)
			entry->Hash[i] = ((UCHAR *)ImageBase)[i] ^ work[i];
		entry->Next = CipHashCache;
		CipHashCache = entry;
	}
	ExFreePoolWithTag(work, 'rcIC');
	return STATUS_SUCCESS;
}

/* The callbacks handed to the kernel (absolute pointers: base relocations). */
PVOID CiCallbackTable[] = { (PVOID)CiValidateImageHeader };

NTSTATUS NTAPI CiInitialize(ULONG Options, PVOID Callbacks)
{
	CipOptions = Options;
	if (Callbacks != NULL)
		((PVOID *)Callbacks)[0] = CiCallbackTable[0];
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	return STATUS_SUCCESS;
}
