/*
 * pool_tracker.c - per-tag counters in PoolTrackTable, the table !poolused
 * reads, in the build's POOL_TRACKER_TABLE (types/, formats.md 3.4: the
 * Windows 7 and 1809 layouts differ); the lab fills the table itself, this
 * code only shows the shape.
 */
#include "ntinternal.h"

static POOL_TRACKER_TABLE *ExpFindPoolTracker(ULONG Key)
{
	POOL_TRACKER_TABLE *table = PoolTrackTable;
	SIZE_T hash, i;

	if (table == NULL || PoolTrackTableSize == 0)
		return NULL;
	hash = ((40543 * Key) ^ (Key >> 16)) & PoolTrackTableMask;
	for (i = 0; i < PoolTrackTableSize; i++) {
		POOL_TRACKER_TABLE *e = &table[(hash + i) % PoolTrackTableSize];
		if ((ULONG)e->Key == Key || e->Key == 0) {
			e->Key = (LONG)Key;
			return e;
		}
	}
	return NULL;
}

VOID NTAPI ExpInsertPoolTracker(ULONG Key, SIZE_T NumberOfBytes, POOL_TYPE PoolType)
{
	POOL_TRACKER_TABLE *e = ExpFindPoolTracker(Key & ~0x80000000UL);

	if (e == NULL)
		return;
	if (PoolType & 1) {
		e->PagedAllocs++;
		e->PagedBytes += NumberOfBytes;
	} else {
		e->NonPagedAllocs++;
		e->NonPagedBytes += NumberOfBytes;
	}
}

VOID NTAPI ExpRemovePoolTracker(ULONG Key, SIZE_T NumberOfBytes, POOL_TYPE PoolType)
{
	POOL_TRACKER_TABLE *e = ExpFindPoolTracker(Key & ~0x80000000UL);

	if (e == NULL)
		return;
	if (PoolType & 1) {
		e->PagedFrees++;
		e->PagedBytes -= NumberOfBytes;
	} else {
		e->NonPagedFrees++;
		e->NonPagedBytes -= NumberOfBytes;
	}
}
