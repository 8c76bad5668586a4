/*
 * volmgrx.c - the lab's volmgrx.sys (Volume Manager Extension): allocates
 * its per-volume extensions with tag VmbK in both pools (the seed's
 * !poolused shows VmbK with nonpaged and paged allocations) and times its
 * start with the HAL's performance counter.
 */
#include "ntmini.h"

#define VMB_TAG 'KbmV'                  /* "VmbK" in memory */

typedef struct _VMB_EXTENSION {
	LIST_ENTRY Link;
	ULONG DiskNumber;
	ULONG State;
	LARGE_INTEGER Arrived;
	PVOID Packet;
} VMB_EXTENSION;

static LIST_ENTRY VmbExtensions = { &VmbExtensions, &VmbExtensions };
static ULONG VmbCount;

static VMB_EXTENSION *VmbCreateExtension(ULONG Disk)
{
	VMB_EXTENSION *ext = ExAllocatePoolWithTag(NonPagedPool, sizeof *ext, VMB_TAG);

	if (ext == NULL)
		return NULL;
	ext->DiskNumber = Disk;
	ext->State = 1;
	ext->Arrived = KeQueryPerformanceCounter(NULL);
	ext->Packet = ExAllocatePoolWithTagPriority(PagedPool, 0x6B000, VMB_TAG, NormalPoolPriority);
	ext->Link.Flink = &VmbExtensions;
	ext->Link.Blink = VmbExtensions.Blink;
	VmbExtensions.Blink->Flink = &ext->Link;
	VmbExtensions.Blink = &ext->Link;
	VmbCount++;
	return ext;
}

static VOID NTAPI VmbUnload(PDRIVER_OBJECT DriverObject)
{
	while (VmbExtensions.Flink != &VmbExtensions) {
		VMB_EXTENSION *ext = (VMB_EXTENSION *)VmbExtensions.Flink;
		VmbExtensions.Flink = ext->Link.Flink;
		if (ext->Packet != NULL)
			ExFreePoolWithTag(ext->Packet, VMB_TAG);
		ExFreePoolWithTag(ext, VMB_TAG);
	}
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	ULONG disk;

	for (disk = 0; disk < 2; disk++)
		if (VmbCreateExtension(disk) == NULL)
			return STATUS_INSUFFICIENT_RESOURCES;
	DriverObject->DriverUnload = VmbUnload;
	KeStallExecutionProcessor(10);
	return STATUS_SUCCESS;
}
