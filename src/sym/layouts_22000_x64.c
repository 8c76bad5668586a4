/*
 * layouts_22000_x64.c - built-in layouts for Windows 11 21H2, 22H2 and 23H2 x64
 * (builds 22000-22631).
 *
 * Offsets from ../shared/reference/formats.md §3-§5 and the sources it
 * cites for this build (see SRC). Structures shared with other Win8+ x64
 * builds (POOL_HEADER, HANDLE_TABLE, OBJECT_TYPE) are in layouts_common.c.
 * KTHREAD.Priority sits inside ApcState (a union with ApcStateFill[43]).
 */
#include "sym/layouts_internal.h"

#define B 22000u, 22631u
#define SRC "Vergilius 10.0.22000.1 / 22621.382 / 22631.2428 x64 (formats.md "

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x480, "_KTHREAD"),
	LF("CreateTime", 0x480, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x488, 8, "_LARGE_INTEGER"),
	LF("StartAddress", 0x4A0, 8, "Ptr64 Void"),
	LF("Cid", 0x4C8, 0x10, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x520, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x538, 0x10, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x560, 4, "Uint4B"),
	LF("ExitStatus", 0x598, 4, "Int4B"),
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
	LAYOUT("_KPROCESS", PS_ARCH_X64, B, 0x438, ps_kprocess_x64_19041, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X64, B, 0xB80, ps_eprocess_x64_19041, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X64, B, 0x480, ps_kthread_x64_win10, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, 22000u, 22000u, 0x8F0, ethread, SRC "§5.3)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, 22001u, 22631u, 0x900, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X64, B, 0x50, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X64, B, 0x20, big_pages, SRC "§3.5)"),
};

const ps_layout_table ps_layouts_22000_x64 = { layouts, LAYOUT_COUNT(layouts) };
