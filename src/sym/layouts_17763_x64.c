/*
 * layouts_17763_x64.c - built-in layouts for Windows 10 1809 x64 (build 17763).
 *
 * Offsets from ../shared/reference/formats.md §3-§5 and the sources it
 * cites for this build (see SRC). Structures shared with other Win8+ x64
 * builds (POOL_HEADER, HANDLE_TABLE, OBJECT_TYPE) are in layouts_common.c.
 * KTHREAD.Priority sits inside ApcState (a union with ApcStateFill[43]).
 */
#include "sym/layouts_internal.h"

#define B 17763u, 17763u
#define SRC "Vergilius 10.0.17763.107 x64 / volatility win10_x64_17763 (formats.md "

static const ps_layout_field kprocess[] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("DirectoryTableBase", 0x28, 8, "Uint8B"),
	LF("ThreadListHead", 0x30, 0x10, "_LIST_ENTRY"),
	LF("UserDirectoryTableBase", 0x278, 8, "Uint8B"),
};

static const ps_layout_field eprocess[] = {
	LF("Pcb", 0x0, 0x2D8, "_KPROCESS"),
	LF("UniqueProcessId", 0x2E0, 8, "Ptr64 Void"),
	LF("ActiveProcessLinks", 0x2E8, 0x10, "_LIST_ENTRY"),
	LF("Flags", 0x304, 4, "Uint4B"),
	LF("CreateTime", 0x308, 8, "_LARGE_INTEGER"),
	LF("VirtualSize", 0x338, 8, "Uint8B"),
	LF("SessionProcessLinks", 0x340, 0x10, "_LIST_ENTRY"),
	LF("Token", 0x358, 8, "_EX_FAST_REF"),
	LF("InheritedFromUniqueProcessId", 0x3E0, 8, "Ptr64 Void"),
	LF("Peb", 0x3F8, 8, "Ptr64 _PEB"),
	LF("Session", 0x400, 8, "Ptr64 Void"),
	LF("ObjectTable", 0x418, 8, "Ptr64 _HANDLE_TABLE"),
	LF("WoW64Process", 0x428, 8, "Ptr64 _EWOW64PROCESS"),
	LF("ImageFilePointer", 0x448, 8, "Ptr64 _FILE_OBJECT"),
	LF("ImageFileName", 0x450, 15, "[15] UChar"),
	LF("ThreadListHead", 0x488, 0x10, "_LIST_ENTRY"),
	LF("ActiveThreads", 0x498, 4, "Uint4B"),
	LF("CommitCharge", 0x4F0, 8, "Uint8B"),
	LF("ExitStatus", 0x624, 4, "Int4B"),
	LF("VadRoot", 0x628, 8, "_RTL_AVL_TREE"),
	LF("ExitTime", 0x690, 8, "_LARGE_INTEGER"),
};

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x5F0, "_KTHREAD"),
	LF("CreateTime", 0x5F0, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x5F8, 8, "_LARGE_INTEGER"),
	LF("StartAddress", 0x610, 8, "Ptr64 Void"),
	LF("Cid", 0x638, 0x10, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x690, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x6A8, 0x10, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x6D0, 4, "Uint4B"),
	LF("ExitStatus", 0x700, 4, "Int4B"),
};

static const ps_layout_field tracker[] = {
	LF("Key", 0x0, 4, "Int4B"),
	LF("NonPagedBytes", 0x8, 8, "Uint8B"),
	LF("NonPagedAllocs", 0x10, 8, "Uint8B"),
	LF("NonPagedFrees", 0x18, 8, "Uint8B"),
	LF("PagedBytes", 0x20, 8, "Uint8B"),
	LF("PagedAllocs", 0x28, 8, "Uint8B"),
	LF("PagedFrees", 0x30, 8, "Uint8B"),
};

static const ps_layout_field big_pages[] = {
	LF("Va", 0x0, 8, "Uint8B"),
	LF("Key", 0x8, 4, "Uint4B"),
	LB("Pattern", 0xC, 4, 0, 8),
	LB("PoolType", 0xC, 4, 8, 12),
	LB("SlushSize", 0xC, 4, 20, 12),
	LF("NumberOfBytes", 0x10, 8, "Uint8B"),
};

static const ps_layout_field pool_descriptor[] = {
	LF("PoolType", 0x0, 4, "_POOL_TYPE"),
	LF("RunningAllocs", 0x40, 4, "Int4B"),
	LF("PagesAllocated", 0x48, 8, "Uint8B"),
	LF("BigPagesAllocated", 0x50, 8, "Uint8B"),
	LF("BytesAllocated", 0x58, 8, "Uint8B"),
	LF("RunningDeallocs", 0x80, 4, "Int4B"),
	LF("PagesDeallocated", 0x88, 8, "Uint8B"),
	LF("BigPagesDeallocated", 0x90, 8, "Uint8B"),
	LF("BytesDeallocated", 0x98, 8, "Uint8B"),
	LF("PoolIndex", 0xC0, 4, "Uint4B"),
	LF("PoolTypeCopy", 0xC4, 4, "Uint4B"),
	LF("PendingFrees", 0x100, 8, "_SINGLE_LIST_ENTRY"),
	LF("ThreadsProcessingDeferrals", 0x108, 4, "Int4B"),
	LF("PendingFreeDepth", 0x10C, 4, "Int4B"),
	LF("ListHeads", 0x140, 0x1000, "[256] _LIST_ENTRY"),
};

/* SessionId from Vergilius (not in formats.md); the rest §3.4, §3.6. */
static const ps_layout_field session_space[] = {
	LF("SessionId", 0x8, 4, "Uint4B"),
	LF("PagedPool", 0xD80, 0x1140, "_POOL_DESCRIPTOR"),
	LF("PoolTrackTableExpansion", 0x2028, 8, "Ptr64 Void"),
	LF("PoolTrackTableExpansionSize", 0x2030, 8, "Uint8B"),
	LF("PoolTrackBigPages", 0x2038, 8, "Ptr64 Void"),
	LF("PoolTrackBigPagesSize", 0x2040, 8, "Uint8B"),
};

static const ps_layout layouts[] = {
	LAYOUT("_KPROCESS", PS_ARCH_X64, B, 0x2D8, kprocess, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X64, B, 0x850, eprocess, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X64, B, 0x5F0, ps_kthread_x64_win10, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, B, 0x810, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X64, B, 0x38, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X64, B, 0x18, big_pages, SRC "§3.5)"),
	LAYOUT("_POOL_DESCRIPTOR", PS_ARCH_X64, B, 0x1140, pool_descriptor, SRC "§3.6)"),
	LAYOUT("_MM_SESSION_SPACE", PS_ARCH_X64, B, 0, session_space, SRC "§3.4, §3.6; SessionId: Vergilius)"),
};

const ps_layout_table ps_layouts_17763_x64 = { layouts, LAYOUT_COUNT(layouts) };
