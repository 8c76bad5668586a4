/*
 * kd_data.c - the kernel debugger's data: KdDebuggerDataBlock (KDBG),
 * KdVersionBlock and the print buffer, plus KdpBreakpointTable.
 *
 * KdpBreakpointTable reproduces the seed's false positive: in the article,
 * `s -a` over nt finds the bytes "MSKK" at nt!KdpBreakpointTable+0x200
 * followed by the UTF-16 text "gFileInfo...", which is data, not an
 * allocation. The object below puts those bytes at the same offset so that
 * a tag search over the lab's nt hits it too.
 */
#include "ntinternal.h"

/* KDDEBUGGER_DATA64 (types/nt_kd.h): 0x340 bytes on Windows 7 and 0x380 on
 * Windows 10 1809 (formats.md 2.1). The header's OwnerTag and Size are set
 * so the block is real initialised data, in .data; the lab fills the rest. */
_Alignas(16) KDDEBUGGER_DATA64 KdDebuggerDataBlock = {
	.Header = { .OwnerTag = 0x4742444B /* 'KDBG' */, .Size = sizeof(KDDEBUGGER_DATA64) },
};

/* DBGKD_GET_VERSION64, 0x28 bytes (formats.md 2.1). */
#if LAB_NT_BUILD == 17763
DBGKD_GET_VERSION64 KdVersionBlock = { 0xF, 17763, 6, 2, 0x07, 0x8664, 0x0C, 3, 0x31, 0, { 0 }, 0, 0, 0 };
#elif defined(__x86_64__)
DBGKD_GET_VERSION64 KdVersionBlock = { 0xF, 7601, 6, 2, 0x07, 0x8664, 0x0C, 3, 0x31, 0, { 0 }, 0, 0, 0 };
#else
DBGKD_GET_VERSION64 KdVersionBlock = { 0xF, 7601, 6, 2, 0x03, 0x014C, 0x0C, 3, 0x31, 0, { 0 }, 0, 0, 0 };
#endif

LIST_ENTRY KdpDebuggerDataListHead = { &KdpDebuggerDataListHead, &KdpDebuggerDataListHead };

CHAR KdPrintDefaultCircularBuffer[0x1000];
PVOID KdPrintCircularBuffer = KdPrintDefaultCircularBuffer;
PVOID KdPrintCircularBufferEnd = KdPrintDefaultCircularBuffer + sizeof KdPrintDefaultCircularBuffer;
PVOID KdPrintWritePointer = KdPrintDefaultCircularBuffer;
ULONG KdPrintRolloverCount;
PVOID KdPrintCircularBufferPtr = KdPrintDefaultCircularBuffer;
ULONG KdPrintBufferSize = sizeof KdPrintDefaultCircularBuffer;

/* BREAKPOINT_ENTRY table (32 entries of 16 bytes = 0x200), then the bytes
 * that made the seed's `s -a` hit inside nt: "MSKK" and a UTF-16 string. */
struct kd_breakpoint_table {
	UCHAR Entries[0x200];
	CHAR Tag[4];
	USHORT Name[24];
};
struct kd_breakpoint_table KdpBreakpointTable = {
	{ 0 },
	{ 'M', 'S', 'K', 'K' },
	u"gFileInformationClass",
};
