/*
 * layouts_7601_x64.c - built-in layouts for Windows 7 SP1 x64 (build 7601).
 *
 * Offsets from ../shared/reference/formats.md §3-§5, whose sources for this
 * build are the Vergilius headers for 6.1.7601.17514 x64 ([VERG]) and
 * volatility's win7_sp1_x64 vtypes ([VOL2-VT]). Windows 7 x64 declares the
 * POOL_HEADER bitfields on one ULONG (formats.md §3.1). KTHREAD.Priority
 * sits inside ApcState (a union with ApcStateFill[43]).
 */
#include "sym/layouts_internal.h"

#define B 7601u, 7601u
#define SRC "Vergilius 6.1.7601.17514 x64 / volatility win7_sp1_x64 (formats.md "

static const ps_layout_field kprocess[] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("DirectoryTableBase", 0x28, 8, "Uint8B"),
	LF("ThreadListHead", 0x30, 0x10, "_LIST_ENTRY"),
};

static const ps_layout_field eprocess[] = {
	LF("Pcb", 0x0, 0x160, "_KPROCESS"),
	LF("CreateTime", 0x168, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x170, 8, "_LARGE_INTEGER"),
	LF("UniqueProcessId", 0x180, 8, "Ptr64 Void"),
	LF("ActiveProcessLinks", 0x188, 0x10, "_LIST_ENTRY"),
	LF("CommitCharge", 0x1B8, 8, "Uint8B"),
	LF("VirtualSize", 0x1D8, 8, "Uint8B"),
	LF("SessionProcessLinks", 0x1E0, 0x10, "_LIST_ENTRY"),
	LF("ObjectTable", 0x200, 8, "Ptr64 _HANDLE_TABLE"),
	LF("Token", 0x208, 8, "_EX_FAST_REF"),
	LF("InheritedFromUniqueProcessId", 0x290, 8, "Ptr64 Void"),
	LF("Session", 0x2D8, 8, "Ptr64 Void"),
	LF("ImageFileName", 0x2E0, 15, "[15] UChar"),
	LF("ThreadListHead", 0x308, 0x10, "_LIST_ENTRY"),
	LF("Wow64Process", 0x320, 8, "Ptr64 Void"),
	LF("ActiveThreads", 0x328, 4, "Uint4B"),
	LF("Peb", 0x338, 8, "Ptr64 _PEB"),
	LF("Flags", 0x440, 4, "Uint4B"),
	LF("ExitStatus", 0x444, 4, "Int4B"),
	LF("VadRoot", 0x448, 0x40, "_MM_AVL_TABLE"),
};

static const ps_layout_field kthread[] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("InitialStack", 0x28, 8, "Ptr64 Void"),
	LF("StackLimit", 0x30, 8, "Ptr64 Void"),
	LF("KernelStack", 0x38, 8, "Ptr64 Void"),
	LF("ApcState", 0x50, 0x30, "_KAPC_STATE"),
	LF("Priority", 0x7B, 1, "Char"),
	LF("Teb", 0xB8, 8, "Ptr64 Void"),
	LF("State", 0x164, 1, "UChar"),
	LF("TrapFrame", 0x1D8, 8, "Ptr64 _KTRAP_FRAME"),
	LF("Process", 0x210, 8, "Ptr64 _KPROCESS"),
	LF("WaitReason", 0x26B, 1, "UChar"),
	LF("Win32Thread", 0x270, 8, "Ptr64 Void"),
	LF("StackBase", 0x278, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x2F8, 0x10, "_LIST_ENTRY"),
};

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x360, "_KTHREAD"),
	LF("CreateTime", 0x360, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x368, 8, "_LARGE_INTEGER"),
	LF("ExitStatus", 0x378, 4, "Int4B"),
	LF("StartAddress", 0x388, 8, "Ptr64 Void"),
	LF("Cid", 0x3B0, 0x10, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x410, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x420, 0x10, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x448, 4, "Uint4B"),
};

static const ps_layout_field pool_header[] = {
	LB("PreviousSize", 0x0, 4, 0, 8),
	LB("PoolIndex", 0x0, 4, 8, 8),
	LB("BlockSize", 0x0, 4, 16, 8),
	LB("PoolType", 0x0, 4, 24, 8),
	LF("PoolTag", 0x4, 4, "Uint4B"),
	LF("ProcessBilled", 0x8, 8, "Ptr64 _EPROCESS"),
};

static const ps_layout_field tracker[] = {
	LF("Key", 0x0, 4, "Int4B"),
	LF("NonPagedAllocs", 0x4, 4, "Int4B"),
	LF("NonPagedFrees", 0x8, 4, "Int4B"),
	LF("NonPagedBytes", 0x10, 8, "Uint8B"),
	LF("PagedAllocs", 0x18, 4, "Uint4B"),
	LF("PagedFrees", 0x1C, 4, "Uint4B"),
	LF("PagedBytes", 0x20, 8, "Uint8B"),
};

static const ps_layout_field big_pages[] = {
	LF("Va", 0x0, 8, "Ptr64 Void"),
	LF("Key", 0x8, 4, "Uint4B"),
	LF("PoolType", 0xC, 4, "Uint4B"),
	LF("NumberOfBytes", 0x10, 8, "Uint8B"),
};

static const ps_layout_field pool_descriptor[] = {
	LF("PoolType", 0x0, 4, "_POOL_TYPE"),
	LF("RunningAllocs", 0x40, 4, "Int4B"),
	LF("RunningDeAllocs", 0x44, 4, "Int4B"),
	LF("TotalBigPages", 0x48, 4, "Int4B"),
	LF("ThreadsProcessingDeferrals", 0x4C, 4, "Int4B"),
	LF("TotalBytes", 0x50, 8, "Uint8B"),
	LF("PoolIndex", 0x80, 4, "Uint4B"),
	LF("TotalPages", 0xC0, 4, "Int4B"),
	LF("PendingFrees", 0x100, 8, "Ptr64 Ptr64 Void"),
	LF("PendingFreeDepth", 0x108, 4, "Int4B"),
	LF("ListHeads", 0x140, 0x1000, "[256] _LIST_ENTRY"),
};

static const ps_layout_field handle_table[] = {
	LF("TableCode", 0x0, 8, "Uint8B"),
	LF("QuotaProcess", 0x8, 8, "Ptr64 _EPROCESS"),
	LF("UniqueProcessId", 0x10, 8, "Ptr64 Void"),
	LF("HandleTableList", 0x20, 0x10, "_LIST_ENTRY"),
	LF("HandleCount", 0x58, 4, "Int4B"),
	LF("NextHandleNeedingPool", 0x5C, 4, "Uint4B"),
};

static const ps_layout_field handle_entry[] = {
	LF("Object", 0x0, 8, "Ptr64 Void"),
	LF("GrantedAccess", 0x8, 4, "Uint4B"),
};

static const ps_layout_field object_type[] = {
	LF("Name", 0x10, 0x10, "_UNICODE_STRING"),
	LF("Index", 0x28, 1, "UChar"),
	LF("TotalNumberOfObjects", 0x2C, 4, "Uint4B"),
	LF("TotalNumberOfHandles", 0x30, 4, "Uint4B"),
	LF("Key", 0xB8, 4, "Uint4B"),
};

/* SessionId from Vergilius (not in formats.md); the rest §3.4, §3.6. */
static const ps_layout_field session_space[] = {
	LF("SessionId", 0x8, 4, "Uint4B"),
	LF("PagedPool", 0xCC0, 0x1140, "_POOL_DESCRIPTOR"),
	LF("PoolTrackTableExpansion", 0x1F30, 8, "Ptr64 Void"),
	LF("PoolTrackTableExpansionSize", 0x1F38, 8, "Uint8B"),
	LF("PoolTrackBigPages", 0x1F40, 8, "Ptr64 Void"),
	LF("PoolTrackBigPagesSize", 0x1F48, 8, "Uint8B"),
};

static const ps_layout layouts[] = {
	LAYOUT("_KPROCESS", PS_ARCH_X64, B, 0x160, kprocess, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X64, B, 0x4D0, eprocess, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X64, B, 0x360, kthread, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, B, 0x498, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_HEADER", PS_ARCH_X64, B, 0x10, pool_header, SRC "§3.1)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X64, B, 0x28, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X64, B, 0x18, big_pages, SRC "§3.5)"),
	LAYOUT("_POOL_DESCRIPTOR", PS_ARCH_X64, B, 0x1140, pool_descriptor, SRC "§3.6)"),
	LAYOUT("_HANDLE_TABLE", PS_ARCH_X64, B, 0, handle_table, SRC "§4.4)"),
	LAYOUT("_HANDLE_TABLE_ENTRY", PS_ARCH_X64, B, 0x10, handle_entry, SRC "§4.4)"),
	LAYOUT("_OBJECT_TYPE", PS_ARCH_X64, B, 0, object_type, SRC "§4.3)"),
	LAYOUT("_MM_SESSION_SPACE", PS_ARCH_X64, B, 0, session_space, SRC "§3.4, §3.6; SessionId: Vergilius)"),
};

const ps_layout_table ps_layouts_7601_x64 = { layouts, LAYOUT_COUNT(layouts) };
