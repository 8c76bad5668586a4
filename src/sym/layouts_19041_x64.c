/*
 * layouts_19041_x64.c - built-in layouts for Windows 10 2004 to 22H2 x64
 * (builds 19041-19045 share one kernel layout: formats.md §5).
 *
 * Offsets from ../shared/reference/formats.md §3-§5 and the sources it
 * cites for this build (see SRC). Structures shared with other Win8+ x64
 * builds (POOL_HEADER, HANDLE_TABLE, OBJECT_TYPE) are in layouts_common.c.
 * KTHREAD.Priority sits inside ApcState (a union with ApcStateFill[43]).
 */
#include "sym/layouts_internal.h"

#define B 19041u, 19045u
#define SRC "Vergilius 10.0.19045.2965 x64 / volatility win10_x64_19041 (formats.md "

static const ps_layout_field ethread[] = {
	LF("Tcb", 0x0, 0x430, "_KTHREAD"),
	LF("CreateTime", 0x430, 8, "_LARGE_INTEGER"),
	LF("ExitTime", 0x438, 8, "_LARGE_INTEGER"),
	LF("StartAddress", 0x450, 8, "Ptr64 Void"),
	LF("Cid", 0x478, 0x10, "_CLIENT_ID"),
	LF("Win32StartAddress", 0x4D0, 8, "Ptr64 Void"),
	LF("ThreadListEntry", 0x4E8, 0x10, "_LIST_ENTRY"),
	LF("CrossThreadFlags", 0x510, 4, "Uint4B"),
	LF("ExitStatus", 0x548, 4, "Int4B"),
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

/* SessionId from Vergilius (not in formats.md); the rest §3.4. */
static const ps_layout_field session_space[] = {
	LF("SessionId", 0x8, 4, "Uint4B"),
	LF("PoolTrackTableExpansion", 0x3D0, 8, "Ptr64 Void"),
	LF("PoolTrackTableExpansionSize", 0x3D8, 8, "Uint8B"),
	LF("PoolTrackBigPages", 0x3E0, 8, "Ptr64 Void"),
	LF("PoolTrackBigPagesSize", 0x3E8, 8, "Uint8B"),
};

/* nt!ExPoolState, the segment-heap pool (formats.md §3.7, confidence M). */
static const ps_layout_field pool_heap_state[] = {
	LF("HeapManager", 0x0, 8, "_RTLP_HP_HEAP_MANAGER"),
	LF("NumberOfPools", 0x38D0, 4, "Uint4B"),
	LF("PoolNode", 0x3900, 0x83000, "[64] _EX_HEAP_POOL_NODE"),
	LF("SpecialHeaps", 0x86900, 0x20, "[4] Ptr64 _SEGMENT_HEAP"),
};

static const ps_layout layouts[] = {
	LAYOUT("_KPROCESS", PS_ARCH_X64, B, 0x438, ps_kprocess_x64_19041, SRC "§5.1)"),
	LAYOUT("_EPROCESS", PS_ARCH_X64, B, 0xA40, ps_eprocess_x64_19041, SRC "§5.2)"),
	LAYOUT("_KTHREAD", PS_ARCH_X64, B, 0x430, ps_kthread_x64_win10, SRC "§5.4)"),
	LAYOUT("_ETHREAD", PS_ARCH_X64, B, 0x898, ethread, SRC "§5.3)"),
	LAYOUT("_POOL_TRACKER_TABLE", PS_ARCH_X64, B, 0x38, tracker, SRC "§3.4)"),
	LAYOUT("_POOL_TRACKER_BIG_PAGES", PS_ARCH_X64, B, 0x18, big_pages, SRC "§3.5)"),
	LAYOUT("_MM_SESSION_SPACE", PS_ARCH_X64, B, 0, session_space, SRC "§3.4; SessionId: Vergilius)"),
	LAYOUT("_EX_POOL_HEAP_MANAGER_STATE", PS_ARCH_X64, B, 0x86940, pool_heap_state,
	       SRC "§3.7, from MemProcFS vmmwinpool.c; confidence M)"),
};

const ps_layout_table ps_layouts_19041_x64 = { layouts, LAYOUT_COUNT(layouts) };
