/*
 * sysload.c - the loaded-module list: MiLookupDataTableEntry finds the
 * KLDR_DATA_TABLE_ENTRY (formats.md §5.5) of the image containing an
 * address, walking nt!PsLoadedModuleList, which the lab fills.
 */
#include "ntinternal.h"

PKLDR_DATA_TABLE_ENTRY NTAPI MiLookupDataTableEntry(PVOID AddressWithinSection, BOOLEAN ResourceHeld)
{
	LIST_ENTRY *link = PsLoadedModuleList.Flink;
	ULONG n = 0;

	while (link != NULL && link != &PsLoadedModuleList && n++ < 1024) {
		PKLDR_DATA_TABLE_ENTRY entry = (PKLDR_DATA_TABLE_ENTRY)link;
		UCHAR *base = entry->DllBase;

		if ((UCHAR *)AddressWithinSection >= base && (UCHAR *)AddressWithinSection < base + entry->SizeOfImage)
			return entry;
		link = link->Flink;
	}
	return NULL;
}
