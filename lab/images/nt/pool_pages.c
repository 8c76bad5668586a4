/*
 * pool_pages.c - where pool blocks come from: a bump pointer over the pool
 * ranges the lab writes into MmNonPagedPoolStart/MmPagedPoolStart. Never
 * executed; it gives ExAllocatePoolWithTag a callee to disassemble.
 */
#include "ntinternal.h"

static UCHAR *MiNextNonPaged;
static UCHAR *MiNextPaged;

PVOID NTAPI MiAllocatePoolPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
	UCHAR **next = (PoolType & 1) ? &MiNextPaged : &MiNextNonPaged;
	UCHAR *end = (PoolType & 1) ? MmPagedPoolEnd : MmNonPagedPoolEnd;
	UCHAR *block;

	if (*next == NULL)
		*next = (PoolType & 1) ? MmPagedPoolStart : MmNonPagedPoolStart;
	NumberOfBytes = (NumberOfBytes + 15) & ~(SIZE_T)15;
	if ((SIZE_T)(end - *next) < NumberOfBytes)
		return NULL;
	block = *next;
	*next += NumberOfBytes;
	if (!(PoolType & 1))
		MmAllocatedNonPagedPool += NumberOfBytes >> 12;
	return block;
}

SIZE_T NTAPI MiFreePoolPages(PVOID StartingAddress)
{
	UCHAR *p = StartingAddress;

	if (p >= (UCHAR *)MmNonPagedPoolStart && p < (UCHAR *)MmNonPagedPoolEnd && MmAllocatedNonPagedPool)
		MmAllocatedNonPagedPool--;
	return 0x1000;
}
