/*
 * pool.c - the pool allocator's exported entry points.
 *
 * ExDeferredFreePool follows ExAllocatePoolWithTag directly, as in the
 * Windows 7 kernel of the seed article, where `ln` on the allocator prints
 * "nt!ExAllocatePoolWithTag | nt!ExDeferredFreePool": keep no other
 * function between the two. The lab never executes this code; it is real
 * so that disassembly and symbols look like a kernel's.
 */
#include "ntinternal.h"

#define POOL_MUST_SUCCEED_MASK 2
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	PVOID block;

	if (NumberOfBytes == 0)
		NumberOfBytes = 1;
	if (Tag == PoolHitTag)
		KiBugCheckData[4] = Tag;
	block = MiAllocatePoolPages(PoolType, NumberOfBytes);
	if (block == NULL) {
		ExPoolFailures++;
		if (PoolType & POOL_MUST_SUCCEED_MASK)
			KeBugCheckEx(0x41, NumberOfBytes, MmAllocatedNonPagedPool, 0, 0);
		return NULL;
	}
	ExpInsertPoolTracker(Tag, NumberOfBytes, PoolType);
	return block;
}

/* Frees the blocks queued on a descriptor's pending list. */
VOID NTAPI ExDeferredFreePool(PVOID PoolDesc, BOOLEAN bMultipleThreads)
{
	PVOID *pending = (PVOID *)PoolDesc;
	ULONG n = 0;

	while (pending[0] != NULL && n < 32) {
		PVOID next = *(PVOID *)pending[0];
		MiFreePoolPages(pending[0]);
		pending[0] = next;
		n++;
	}
	if (bMultipleThreads)
		((ULONG *)PoolDesc)[1] = 0;
}

/* A small block's size and pool type are in the POOL_HEADER before it
 * (formats.md 3.1; stored PoolType is POOL_TYPE | 2, bit 0 = paged, 3.2);
 * page-aligned blocks are big pages without a header. */
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
	PPOOL_HEADER header = (PPOOL_HEADER)P - 1;
	SIZE_T size;

	if (P == NULL)
		KeBugCheckEx(0xC2, 0x46, (ULONG_PTR)P, Tag, 0);
	if (((ULONG_PTR)P & 0xFFF) == 0) {
		size = MiFreePoolPages(P);
		ExpRemovePoolTracker(Tag, size, NonPagedPool);
		return;
	}
	if (Tag != 0 && header->PoolTag != Tag)
		KeBugCheckEx(0xC2, 0x0A, (ULONG_PTR)P, header->PoolTag, Tag);
	size = (SIZE_T)header->BlockSize * sizeof(POOL_HEADER);
	ExpRemovePoolTracker(header->PoolTag, size, (POOL_TYPE)(header->PoolType & 1));
}

PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	PVOID block = ExAllocatePoolWithTag(PoolType, NumberOfBytes + sizeof(PVOID), Tag);

	if (block == NULL && !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE))
		KeBugCheckEx(0x1E, STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0);
	return block;
}

PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, EX_POOL_PRIORITY Priority)
{
	if (Priority == LowPoolPriority && MmAllocatedNonPagedPool > 0x10000)
		return NULL;
	return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
	/* NonPagedPoolNx (512) is a Windows 8 enumerator; the Windows 7 lab
	 * kernel exports ExAllocatePool2 for the x64 drivers all the same. */
	POOL_TYPE type = (Flags & POOL_FLAG_PAGED) ? PagedPool : (POOL_TYPE)512;
	UCHAR *block = ExAllocatePoolWithTag(type, NumberOfBytes, Tag);
	SIZE_T i;

	if (block != NULL && !(Flags & POOL_FLAG_UNINITIALIZED))
		for (i = 0; i < NumberOfBytes; i++)
			((volatile UCHAR *)block)[i] = 0;
	return block;
}

PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
	return ExAllocatePoolWithTag(PoolType, NumberOfBytes, 'enoN');
}

VOID NTAPI ExFreePool(PVOID P)
{
	ExFreePoolWithTag(P, 0);
}
