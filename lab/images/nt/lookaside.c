/*
 * lookaside.c - ExInitializeNPagedLookasideList / ExInitializePagedLookasideList:
 * record the allocation parameters (tag, size, depth) the way the real
 * GENERAL_LOOKASIDE does, so drivers that use them import real exports.
 */
#include "ntinternal.h"

typedef struct _GENERAL_LOOKASIDE_LITE {
	SINGLE_LIST_ENTRY ListHead;
	USHORT Depth;
	USHORT MaximumDepth;
	ULONG TotalAllocates;
	ULONG AllocateMisses;
	ULONG TotalFrees;
	ULONG FreeMisses;
	POOL_TYPE Type;
	ULONG Tag;
	ULONG Size;
	PALLOCATE_FUNCTION Allocate;
	PFREE_FUNCTION Free;
	LIST_ENTRY ListEntry;
} GENERAL_LOOKASIDE_LITE;

_Static_assert(sizeof(GENERAL_LOOKASIDE_LITE) <= sizeof(NPAGED_LOOKASIDE_LIST), "lookaside fits");

static LIST_ENTRY ExNPagedLookasideListHead = { &ExNPagedLookasideListHead, &ExNPagedLookasideListHead };
static LIST_ENTRY ExPagedLookasideListHead = { &ExPagedLookasideListHead, &ExPagedLookasideListHead };

static VOID ExpInitializeLookaside(GENERAL_LOOKASIDE_LITE *l, POOL_TYPE type, PALLOCATE_FUNCTION Allocate,
				   PFREE_FUNCTION Free, SIZE_T Size, ULONG Tag, LIST_ENTRY *head)
{
	l->ListHead.Next = NULL;
	l->Depth = 4;
	l->MaximumDepth = 256;
	l->TotalAllocates = l->AllocateMisses = l->TotalFrees = l->FreeMisses = 0;
	l->Type = type;
	l->Tag = Tag;
	l->Size = (ULONG)Size;
	l->Allocate = Allocate ? Allocate : ExAllocatePoolWithTag;
	l->Free = Free ? Free : ExFreePool;
	l->ListEntry.Flink = head;
	l->ListEntry.Blink = head->Blink;
	head->Blink->Flink = &l->ListEntry;
	head->Blink = &l->ListEntry;
}

VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
					   PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
	ExpInitializeLookaside((GENERAL_LOOKASIDE_LITE *)Lookaside, (POOL_TYPE)(NonPagedPool | Flags),
			       Allocate, Free, Size, Tag, &ExNPagedLookasideListHead);
}

VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
					  PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
	ExpInitializeLookaside((GENERAL_LOOKASIDE_LITE *)Lookaside, (POOL_TYPE)(PagedPool | Flags),
			       Allocate, Free, Size, Tag, &ExPagedLookasideListHead);
}
