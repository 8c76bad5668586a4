/*
 * layouts_26100_x64.c - built-in layouts for Windows 11 24H2 x64 (build 26100).
 *
 * Offsets from ../shared/reference/formats.md §3-§5 and the sources it
 * cites for this build (see SRC). Structures shared with other Win8+ x64
 * builds (POOL_HEADER, HANDLE_TABLE, OBJECT_TYPE) are in layouts_common.c.
 * KTHREAD.Priority sits inside ApcState (a union with ApcStateFill[43]).
 */
#include "sym/layouts_internal.h"

#define B 26100u, 26100u
#define SRC "ntdiff Win11 24H2 x64 headers (formats.md "

static const ps_layout_field kprocess[] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("DirectoryTableBase", 0x28, 8, "Uint8B"),
	LF("ThreadListHead", 0x30, 0x10, "_LIST_ENTRY"),
	LF("UserDirectoryTableBase", 0x158, 8, "Uint8B"),
};

static const ps_layout_field eprocess[] = {
	LF("Pcb", 0x0, 0x1C8, "_KPROCESS"),
	LF("UniqueProcessId", 0x1D0, 8, "Ptr64 Void"),
	LF("ActiveProcessLinks", 0x1D8, 0x10, "_LIST_ENTRY"),
	LF("Flags", 0x1F4, 4, "Uint4B"),
	LF("CreateTime", 0x1F8, 8, "_LARGE_INTEGER"),
	LF("VirtualSize", 0x228, 8, "Uint8B"),
	LF("SessionProcessLinks", 0x230, 0x10, "_LIST_ENTRY"),
	LF("Token", 0x248, 8, "_EX_FAST_REF"),
	LF("InheritedFromUniqueProcessId", 0x2D0, 8, "Ptr64 Void"),
	LF("Peb", 0x2E0, 8, "Ptr64 _PEB"),
	LF("Session", 0x2E8, 8, "Ptr64 Void"),
	LF("ObjectTable", 0x300, 8, "Ptr64 _HANDLE_TABLE"),
	LF("WoW64Process", 0x310, 8, "Ptr64 _EWOW64PROCESS"),
	LF("ImageFilePointer", 0x330, 8, "Ptr64 _FILE_OBJECT"),
	LF("ImageFileName", 0x338, 15, "[15] UChar"),
	LF("ThreadListHead", 0x370, 0x10, "_LIST_ENTRY"),
	LF("ActiveThreads", 0x380, 4, "Uint4B"),
	LF("CommitCharge", 0x3D8, 8, "Uint8B"),
	LF("ExitStatus", 0x554, 4, "Int4B"),
	LF("VadRoot", 0x558, 8, "_RTL_AVL_TREE"),
	LF("ExitTime", 0x5C0, 8, "_LARGE_INTEGER"),
};

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x4C0, "_KTHREAD"),
	LF("CreateTime", 0x4C0, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x4C8, 8, "_LARGE_INTEGER"),
	LF("StartAddress", 0x4E0, 8, "Ptr64 Void"),
	LF("Cid", 0x508, 0x10, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x560, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x578, 0x10, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x5A0, 4, "Uint4B"),
	LF("ExitStatus", 0x5D8, 4, "Int4B"),
};

static const ps_layout_field tracker[] = {
	LF("Key", 0x0, 4, "Int4B"),
	LF("NonPagedBytes", 0x8, 8, "Uint8B"),
	LF("NonPagedAllocs", 0x10, 8, "Uint8B"),
	LF("NonPagedFrees", 0x18, 8, "Uint8B"),
	LF("PagedBytes", 0x20, 8, "Uint8B"),
	LF("PagedAllocs", 0x28, 8, "Uint8B"),
	LF("PagedFrees", 0x30, 8, "Uint8B"),
	LF("AvailableLimit", 0x38, 0x10, "[2] Int8B"),
	LF("LimitInfo", 0x48, 8, "Ptr64 _POOL_LIMIT_TABLE_ENTRY"),
};

static const ps_layout_field big_pages[] = {
	LF("Va", 0x0, 8, "Uint8B"),
	LF("Key", 0x8, 4, "Uint4B"),
	LB("Pattern", 0xC, 4, 0, 8),
	LB("PoolType", 0xC, 4, 8, 12),
	LB("SlushSize", 0xC, 4, 20, 12),
	LF("NumberOfBytes", 0x10, 8, "Uint8B"),
	LF("ProcessBilled", 0x18, 8, "Ptr64 _EPROCESS"),
};

static const ps_layout layouts[] = {
	LAYOUT("_KPROCESS", PS_ARCH_X64, B, 0x1C8, kprocess, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X64, B, 0x840, eprocess, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X64, B, 0x4C0, ps_kthread_x64_win10, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, B, 0x788, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X64, B, 0x50, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X64, B, 0x20, big_pages, SRC "§3.5)"),
};

const ps_layout_table ps_layouts_26100_x64 = { layouts, LAYOUT_COUNT(layouts) };
