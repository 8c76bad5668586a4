/*
 * clfs.c - the lab's clfs.sys (Common Log File System): its allocations go
 * through lookaside lists (ClfI marshal buffers, ClfA containers, the
 * tags in the seed's !poolused) plus one direct ClfJ allocation.
 */
#include "ntmini.h"

static PAGED_LOOKASIDE_LIST ClfsMarshalLookaside;
static NPAGED_LOOKASIDE_LIST ClfsContainerLookaside;
static PVOID ClfsMdlReference;

/* Lookaside lists by index (absolute pointers: base relocations). */
PVOID ClfsLookasideLists[] = { &ClfsMarshalLookaside, &ClfsContainerLookaside };

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	ExInitializePagedLookasideList(&ClfsMarshalLookaside, NULL, NULL, 0, 0x18000, 'IflC', 0);
	ExInitializeNPagedLookasideList(&ClfsContainerLookaside, NULL, NULL, 0, 0x58, 'AflC', 0);
	ClfsMdlReference = ExAllocatePoolWithTag(NonPagedPool, 0x40, 'JflC');
	if (ClfsMdlReference == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	DbgPrint("CLFS: lookaside lists ready\n");
	return STATUS_SUCCESS;
}
