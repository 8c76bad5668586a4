/*
 * gnudrv.c - gnudrv.sys, a driver built the GNU way (mingw-w64 gcc, GNU ld,
 * an import library made by dlltool): different section layout, a COFF
 * symbol table, GNU code generation. Allocates with tag GnDv and keeps a
 * lookaside list with tag GnLk.
 */
#include "ntmini.h"

#define GNU_TAG 'vDnG'                  /* "GnDv" */

static NPAGED_LOOKASIDE_LIST GnuLookaside;
static PVOID GnuBuffers[8];

/* Absolute pointers, so GNU ld emits base relocations on x86_64 too. */
PVOID GnuState[] = { &GnuLookaside, GnuBuffers };

static VOID NTAPI GnuUnload(PDRIVER_OBJECT DriverObject)
{
	ULONG i;

	for (i = 0; i < sizeof GnuBuffers / sizeof GnuBuffers[0]; i++)
		if (GnuBuffers[i] != NULL)
			ExFreePoolWithTag(GnuBuffers[i], GNU_TAG);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	ULONG i;

	ExInitializeNPagedLookasideList(&GnuLookaside, NULL, NULL, 0, 0x100, 'kLnG', 0);
	for (i = 0; i < sizeof GnuBuffers / sizeof GnuBuffers[0]; i++) {
		GnuBuffers[i] = ExAllocatePoolWithTag(i & 1 ? PagedPool : NonPagedPool, 0x200, GNU_TAG);
		if (GnuBuffers[i] == NULL)
			return STATUS_INSUFFICIENT_RESOURCES;
	}
	DriverObject->DriverUnload = GnuUnload;
	DbgPrint("gnudrv: %u buffers\n", i);
	return STATUS_SUCCESS;
}
