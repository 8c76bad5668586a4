/*
 * layouts_7601_x86.c - built-in layouts for Windows 7 SP1 x86 (build 7601).
 *
 * Offsets from ../shared/reference/formats.md §3-§5, whose sources for this
 * build are the Vergilius headers for 6.1.7601.17514 x86 ([VERG]) and
 * volatility's win7_sp1_x86 vtypes ([VOL2-VT]). Sizes the sheet leaves out
 * are 0 (unknown). KTHREAD.Priority sits inside ApcState (a union with
 * ApcStateFill[23]), as in the PDB.
 */
#include "sym/layouts_internal.h"

#define B 7601u, 7601u
#define SRC "Vergilius 6.1.7601.17514 x86 / volatility win7_sp1_x86 (formats.md "

static const ps_layout_field kprocess[] = {
	LF("Header", 0x0, 0x10, "_DISPATCHER_HEADER"),
	LF("DirectoryTableBase", 0x18, 4, "Uint4B"),
	LF("ThreadListHead", 0x2C, 8, "_LIST_ENTRY"),
};

static const ps_layout_field eprocess[] = {
	LF("Pcb", 0x0, 0x98, "_KPROCESS"),
	LF("CreateTime", 0xA0, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0xA8, 8, "_LARGE_INTEGER"),
	LF("UniqueProcessId", 0xB4, 4, "Ptr32 Void"),
	LF("ActiveProcessLinks", 0xB8, 8, "_LIST_ENTRY"),
	LF("CommitCharge", 0xD0, 4, "Uint4B"),
	LF("VirtualSize", 0xE0, 4, "Uint4B"),
	LF("SessionProcessLinks", 0xE4, 8, "_LIST_ENTRY"),
	LF("ObjectTable", 0xF4, 4, "Ptr32 _HANDLE_TABLE"),
	LF("Token", 0xF8, 4, "_EX_FAST_REF"),
	LF("InheritedFromUniqueProcessId", 0x140, 4, "Ptr32 Void"),
	LF("Session", 0x168, 4, "Ptr32 Void"),
	LF("ImageFileName", 0x16C, 15, "[15] UChar"),
	LF("ThreadListHead", 0x188, 8, "_LIST_ENTRY"),
	LF("ActiveThreads", 0x198, 4, "Uint4B"),
	LF("Peb", 0x1A8, 4, "Ptr32 _PEB"),
	LF("Flags", 0x270, 4, "Uint4B"),
	LF("ExitStatus", 0x274, 4, "Int4B"),
	LF("VadRoot", 0x278, 0x20, "_MM_AVL_TABLE"),
};

static const ps_layout_field kthread[] = {
	LF("Header", 0x0, 0x10, "_DISPATCHER_HEADER"),
	LF("InitialStack", 0x28, 4, "Ptr32 Void"),
	LF("StackLimit", 0x2C, 4, "Ptr32 Void"),
	LF("KernelStack", 0x30, 4, "Ptr32 Void"),
	LF("ApcState", 0x40, 0x18, "_KAPC_STATE"),
	LF("Priority", 0x57, 1, "Char"),
	LF("State", 0x68, 1, "UChar"),
	LF("Teb", 0x88, 4, "Ptr32 Void"),
	LF("TrapFrame", 0x128, 4, "Ptr32 _KTRAP_FRAME"),
	LF("Process", 0x150, 4, "Ptr32 _KPROCESS"),
	LF("WaitReason", 0x187, 1, "UChar"),
	LF("Win32Thread", 0x18C, 4, "Ptr32 Void"),
	LF("StackBase", 0x190, 4, "Ptr32 Void"),
	LF("ThreadListEntry", 0x1E0, 8, "_LIST_ENTRY"),
};

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x200, "_KTHREAD"),
	LF("CreateTime", 0x200, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x208, 8, "_LARGE_INTEGER"),
	LF("ExitStatus", 0x210, 4, "Int4B"),
	LF("StartAddress", 0x218, 4, "Ptr32 Void"),
	LF("Cid", 0x22C, 8, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x260, 4, "Ptr32 Void"),
	LF("ThreadListEntry", 0x268, 8, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x280, 4, "Uint4B"),
};

static const ps_layout_field tracker[] = {
	LF("Key", 0x0, 4, "Int4B"),
	LF("NonPagedAllocs", 0x4, 4, "Int4B"),
	LF("NonPagedFrees", 0x8, 4, "Int4B"),
	LF("NonPagedBytes", 0xC, 4, "Uint4B"),
	LF("PagedAllocs", 0x10, 4, "Uint4B"),
	LF("PagedFrees", 0x14, 4, "Uint4B"),
	LF("PagedBytes", 0x18, 4, "Uint4B"),
};

static const ps_layout_field big_pages[] = {
	LF("Va", 0x0, 4, "Ptr32 Void"),
	LF("Key", 0x4, 4, "Uint4B"),
	LF("PoolType", 0x8, 4, "Uint4B"),
	LF("NumberOfBytes", 0xC, 4, "Uint4B"),
};

static const ps_layout_field pool_descriptor[] = {
	LF("PoolType", 0x0, 4, "_POOL_TYPE"),
	LF("RunningAllocs", 0x40, 4, "Int4B"),
	LF("RunningDeAllocs", 0x44, 4, "Int4B"),
	LF("TotalBigPages", 0x48, 4, "Int4B"),
	LF("ThreadsProcessingDeferrals", 0x4C, 4, "Int4B"),
	LF("TotalBytes", 0x50, 4, "Uint4B"),
	LF("PoolIndex", 0x80, 4, "Uint4B"),
	LF("TotalPages", 0xC0, 4, "Int4B"),
	LF("PendingFrees", 0x100, 4, "Ptr32 Ptr32 Void"),
	LF("PendingFreeDepth", 0x104, 4, "Int4B"),
	LF("ListHeads", 0x140, 0x1000, "[512] _LIST_ENTRY"),
};

static const ps_layout_field handle_table[] = {
	LF("TableCode", 0x0, 4, "Uint4B"),
	LF("QuotaProcess", 0x4, 4, "Ptr32 _EPROCESS"),
	LF("UniqueProcessId", 0x8, 4, "Ptr32 Void"),
	LF("HandleTableList", 0x10, 8, "_LIST_ENTRY"),
	LF("HandleCount", 0x30, 4, "Int4B"),
	LF("NextHandleNeedingPool", 0x34, 4, "Uint4B"),
};

static const ps_layout_field handle_entry[] = {
	LF("Object", 0x0, 4, "Ptr32 Void"),
	LF("GrantedAccess", 0x4, 4, "Uint4B"),
};

static const ps_layout_field object_type[] = {
	LF("Name", 0x8, 8, "_UNICODE_STRING"),
	LF("Index", 0x14, 1, "UChar"),
	LF("TotalNumberOfObjects", 0x18, 4, "Uint4B"),
	LF("TotalNumberOfHandles", 0x1C, 4, "Uint4B"),
	LF("Key", 0x7C, 4, "Uint4B"),
};

/* SessionId from Vergilius (not in formats.md); the rest §3.4, §3.6. */
static const ps_layout_field session_space[] = {
	LF("SessionId", 0x8, 4, "Uint4B"),
	LF("PagedPool", 0xE00, 0x1140, "_POOL_DESCRIPTOR"),
	LF("PoolTrackTableExpansion", 0x1FC8, 4, "Ptr32 Void"),
	LF("PoolTrackTableExpansionSize", 0x1FCC, 4, "Uint4B"),
	LF("PoolTrackBigPages", 0x1FD0, 4, "Ptr32 Void"),
	LF("PoolTrackBigPagesSize", 0x1FD4, 4, "Uint4B"),
};

static const ps_layout layouts[] = {
	LAYOUT("_KPROCESS", PS_ARCH_X86, B, 0x98, kprocess, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X86, B, 0x2C0, eprocess, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X86, B, 0x200, kthread, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X86, B, 0x2B8, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X86, B, 0x1C, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X86, B, 0x10, big_pages, SRC "§3.5)"),
	LAYOUT("_POOL_DESCRIPTOR", PS_ARCH_X86, B, 0x1140, pool_descriptor, SRC "§3.6)"),
	LAYOUT("_HANDLE_TABLE", PS_ARCH_X86, B, 0, handle_table, SRC "§4.4)"),
	LAYOUT("_HANDLE_TABLE_ENTRY", PS_ARCH_X86, B, 8, handle_entry, SRC "§4.4)"),
	LAYOUT("_OBJECT_TYPE", PS_ARCH_X86, B, 0, object_type, SRC "§4.3)"),
	LAYOUT("_MM_SESSION_SPACE", PS_ARCH_X86, B, 0, session_space, SRC "§3.4, §3.6; SessionId: Vergilius)"),
};

const ps_layout_table ps_layouts_7601_x86 = { layouts, LAYOUT_COUNT(layouts) };
