/*
 * layouts_common.c - built-in layouts of structures that keep their shape
 * across every supported build of an architecture: list entries, strings,
 * client ids, the object header and its optional headers, the loaded-module
 * entry, the x86 pool header, the KDBG block and the version block.
 *
 * Ranges: x86 7601 (Windows 7 SP1) to 19045 (Windows 10 22H2), x64 7601 to
 * 26100 (Windows 11 24H2), the builds formats.md covers; a structure whose
 * layout changes inside that range lives in the per-build files instead.
 */
#include "sym/layouts_internal.h"

#define X86_FIRST 7601u
#define X86_LAST 19045u
#define X64_FIRST 7601u
#define X64_LAST LAYOUT_BUILD_LAST

/* ---- lists, strings, ids (formats.md §5.3, §5.5) ------------------------ */

static const ps_layout_field list_x86[] = {
	LF("Flink", 0x0, 4, "Ptr32 _LIST_ENTRY"),
	LF("Blink", 0x4, 4, "Ptr32 _LIST_ENTRY"),
};
static const ps_layout_field list_x64[] = {
	LF("Flink", 0x0, 8, "Ptr64 _LIST_ENTRY"),
	LF("Blink", 0x8, 8, "Ptr64 _LIST_ENTRY"),
};

static const ps_layout_field ustr_x86[] = {
	LF("Length", 0x0, 2, "Uint2B"),
	LF("MaximumLength", 0x2, 2, "Uint2B"),
	LF("Buffer", 0x4, 4, "Ptr32 Wchar"),
};
static const ps_layout_field ustr_x64[] = {
	LF("Length", 0x0, 2, "Uint2B"),
	LF("MaximumLength", 0x2, 2, "Uint2B"),
	LF("Buffer", 0x8, 8, "Ptr64 Wchar"),
};

static const ps_layout_field cid_x86[] = {
	LF("UniqueProcess", 0x0, 4, "Ptr32 Void"),
	LF("UniqueThread", 0x4, 4, "Ptr32 Void"),
};
static const ps_layout_field cid_x64[] = {
	LF("UniqueProcess", 0x0, 8, "Ptr64 Void"),
	LF("UniqueThread", 0x8, 8, "Ptr64 Void"),
};

/* Header.Type of KPROCESS (3) and KTHREAD (6), formats.md §4.3, §5.1. */
static const ps_layout_field dispatcher_header[] = {
	LF("Type", 0x0, 1, "UChar"),
};

/* KAPC_STATE: .Process at +0x10 / +0x20 (formats.md §5.4). */
static const ps_layout_field apc_state_x86[] = {
	LF("ApcListHead", 0x0, 0x10, "[2] _LIST_ENTRY"),
	LF("Process", 0x10, 4, "Ptr32 _KPROCESS"),
};
static const ps_layout_field apc_state_x64[] = {
	LF("ApcListHead", 0x0, 0x20, "[2] _LIST_ENTRY"),
	LF("Process", 0x20, 8, "Ptr64 _KPROCESS"),
};

/* KPRCB.CurrentThread / IdleThread (formats.md §5.4). */
static const ps_layout_field prcb_x86[] = {
	LF("CurrentThread", 0x4, 4, "Ptr32 _KTHREAD"),
	LF("IdleThread", 0xC, 4, "Ptr32 _KTHREAD"),
};
static const ps_layout_field prcb_x64[] = {
	LF("CurrentThread", 0x8, 8, "Ptr64 _KTHREAD"),
	LF("IdleThread", 0x18, 8, "Ptr64 _KTHREAD"),
};

/* ---- KLDR_DATA_TABLE_ENTRY (formats.md §5.5) ---------------------------- */

static const ps_layout_field kldr_x86[] = {
	LF("InLoadOrderLinks", 0x0, 8, "_LIST_ENTRY"),
	LF("ExceptionTable", 0x8, 4, "Ptr32 Void"),
	LF("ExceptionTableSize", 0xC, 4, "Uint4B"),
	LF("GpValue", 0x10, 4, "Ptr32 Void"),
	LF("NonPagedDebugInfo", 0x14, 4, "Ptr32 _NON_PAGED_DEBUG_INFO"),
	LF("DllBase", 0x18, 4, "Ptr32 Void"),
	LF("EntryPoint", 0x1C, 4, "Ptr32 Void"),
	LF("SizeOfImage", 0x20, 4, "Uint4B"),
	LF("FullDllName", 0x24, 8, "_UNICODE_STRING"),
	LF("BaseDllName", 0x2C, 8, "_UNICODE_STRING"),
	LF("Flags", 0x34, 4, "Uint4B"),
	LF("LoadCount", 0x38, 2, "Uint2B"),
};
static const ps_layout_field kldr_x64[] = {
	LF("InLoadOrderLinks", 0x0, 0x10, "_LIST_ENTRY"),
	LF("ExceptionTable", 0x10, 8, "Ptr64 Void"),
	LF("ExceptionTableSize", 0x18, 4, "Uint4B"),
	LF("GpValue", 0x20, 8, "Ptr64 Void"),
	LF("NonPagedDebugInfo", 0x28, 8, "Ptr64 _NON_PAGED_DEBUG_INFO"),
	LF("DllBase", 0x30, 8, "Ptr64 Void"),
	LF("EntryPoint", 0x38, 8, "Ptr64 Void"),
	LF("SizeOfImage", 0x40, 4, "Uint4B"),
	LF("FullDllName", 0x48, 0x10, "_UNICODE_STRING"),
	LF("BaseDllName", 0x58, 0x10, "_UNICODE_STRING"),
	LF("Flags", 0x68, 4, "Uint4B"),
	LF("LoadCount", 0x6C, 2, "Uint2B"),
};

/* ---- objects (formats.md §4.1, §4.2) ------------------------------------ */

static const ps_layout_field objhdr_x86[] = {
	LF("PointerCount", 0x0, 4, "Int4B"),
	LF("HandleCount", 0x4, 4, "Int4B"),
	LF("Lock", 0x8, 4, "_EX_PUSH_LOCK"),
	LF("TypeIndex", 0xC, 1, "UChar"),
	LF("TraceFlags", 0xD, 1, "UChar"),
	LF("InfoMask", 0xE, 1, "UChar"),
	LF("Flags", 0xF, 1, "UChar"),
	LF("ObjectCreateInfo", 0x10, 4, "Ptr32 _OBJECT_CREATE_INFORMATION"),
	LF("SecurityDescriptor", 0x14, 4, "Ptr32 Void"),
	LF("Body", 0x18, 8, "_QUAD"),
};
static const ps_layout_field objhdr_x64[] = {
	LF("PointerCount", 0x0, 8, "Int8B"),
	LF("HandleCount", 0x8, 8, "Int8B"),
	LF("Lock", 0x10, 8, "_EX_PUSH_LOCK"),
	LF("TypeIndex", 0x18, 1, "UChar"),
	LF("TraceFlags", 0x19, 1, "UChar"),
	LF("InfoMask", 0x1A, 1, "UChar"),
	LF("Flags", 0x1B, 1, "UChar"),
	LF("ObjectCreateInfo", 0x20, 8, "Ptr64 _OBJECT_CREATE_INFORMATION"),
	LF("SecurityDescriptor", 0x28, 8, "Ptr64 Void"),
	LF("Body", 0x30, 8, "_QUAD"),
};

static const ps_layout_field creator_x86[] = {
	LF("TypeList", 0x0, 8, "_LIST_ENTRY"),
	LF("CreatorUniqueProcess", 0x8, 4, "Ptr32 Void"),
	LF("CreatorBackTraceIndex", 0xC, 2, "Uint2B"),
};
static const ps_layout_field creator_x64[] = {
	LF("TypeList", 0x0, 0x10, "_LIST_ENTRY"),
	LF("CreatorUniqueProcess", 0x10, 8, "Ptr64 Void"),
	LF("CreatorBackTraceIndex", 0x18, 2, "Uint2B"),
};
static const ps_layout_field nameinfo_x86[] = {
	LF("Directory", 0x0, 4, "Ptr32 _OBJECT_DIRECTORY"),
	LF("Name", 0x4, 8, "_UNICODE_STRING"),
	LF("ReferenceCount", 0xC, 4, "Int4B"),
};
static const ps_layout_field nameinfo_x64[] = {
	LF("Directory", 0x0, 8, "Ptr64 _OBJECT_DIRECTORY"),
	LF("Name", 0x8, 0x10, "_UNICODE_STRING"),
	LF("ReferenceCount", 0x18, 4, "Int4B"),
};
static const ps_layout_field padding_info[] = {
	LF("PaddingAmount", 0x0, 4, "Uint4B"),
};

/* ---- x86 POOL_HEADER, Windows 7 to 10 (formats.md §3.1) ----------------- */

static const ps_layout_field pool_header_x86[] = {
	LB("PreviousSize", 0x0, 2, 0, 9),
	LB("PoolIndex", 0x0, 2, 9, 7),
	LB("BlockSize", 0x2, 2, 0, 9),
	LB("PoolType", 0x2, 2, 9, 7),
	LF("PoolTag", 0x4, 4, "Uint4B"),
};

/* ---- x64, Windows 8 and later (formats.md §3.1, §4.3, §4.4) ------------ */

/* Win8+ declares the x64 POOL_HEADER bitfields on two USHORTs. */
static const ps_layout_field pool_header_x64_w8[] = {
	LB("PreviousSize", 0x0, 2, 0, 8),
	LB("PoolIndex", 0x0, 2, 8, 8),
	LB("BlockSize", 0x2, 2, 0, 8),
	LB("PoolType", 0x2, 2, 8, 8),
	LF("PoolTag", 0x4, 4, "Uint4B"),
	LF("ProcessBilled", 0x8, 8, "Ptr64 _EPROCESS"),
};

static const ps_layout_field handle_table_x64_w8[] = {
	LF("NextHandleNeedingPool", 0x0, 4, "Uint4B"),
	LF("TableCode", 0x8, 8, "Uint8B"),
	LF("QuotaProcess", 0x10, 8, "Ptr64 _EPROCESS"),
	LF("HandleTableList", 0x18, 0x10, "_LIST_ENTRY"),
	LF("UniqueProcessId", 0x28, 4, "Uint4B"),
	LF("FreeLists", 0x40, 0x40, "[1] _HANDLE_TABLE_FREE_LIST"),
};

/* Win8.1+: the object pointer is bits 20-63 of LowValue. */
static const ps_layout_field handle_entry_x64_w81[] = {
	LB1("Unlocked", 0x0, 8, 0),
	LB("RefCnt", 0x0, 8, 1, 16),
	LB("Attributes", 0x0, 8, 17, 3),
	LB("ObjectPointerBits", 0x0, 8, 20, 44),
	LB("GrantedAccessBits", 0x8, 4, 0, 25),
	LB1("NoRightsUpgrade", 0x8, 4, 25),
};

static const ps_layout_field object_type_x64_w10[] = {
	LF("Name", 0x10, 0x10, "_UNICODE_STRING"),
	LF("Index", 0x28, 1, "UChar"),
	LF("TotalNumberOfObjects", 0x2C, 4, "Uint4B"),
	LF("TotalNumberOfHandles", 0x30, 4, "Uint4B"),
	LF("Key", 0xC0, 4, "Uint4B"),
};

/* ---- KDDEBUGGER_DATA64 (formats.md §2.3; the same on x86 and x64) ------- */

#define KQ(name, off) LF(name, off, 8, "Uint8B")
#define KW(name, off) LF(name, off, 2, "Uint2B")
#define KD(name, off) LF(name, off, 4, "Uint4B")

static const ps_layout_field kdbg_fields[] = {
	LF("Header", 0x000, 0x18, "_DBGKD_DEBUG_DATA_HEADER64"),
	KQ("KernBase", 0x018), KQ("BreakpointWithStatus", 0x020), KQ("SavedContext", 0x028),
	KW("ThCallbackStack", 0x030), KW("NextCallback", 0x032), KW("FramePointer", 0x034),
	LB1("PaeEnabled", 0x036, 2, 0),
	KQ("KiCallUserMode", 0x038), KQ("KeUserCallbackDispatcher", 0x040),
	KQ("PsLoadedModuleList", 0x048), KQ("PsActiveProcessHead", 0x050),
	KQ("PspCidTable", 0x058), KQ("ExpSystemResourcesList", 0x060),
	KQ("ExpPagedPoolDescriptor", 0x068), KQ("ExpNumberOfPagedPools", 0x070),
	KQ("KeTimeIncrement", 0x078), KQ("KeBugCheckCallbackListHead", 0x080),
	KQ("KiBugcheckData", 0x088), KQ("IopErrorLogListHead", 0x090),
	KQ("ObpRootDirectoryObject", 0x098), KQ("ObpTypeObjectType", 0x0A0),
	KQ("MmSystemCacheStart", 0x0A8), KQ("MmSystemCacheEnd", 0x0B0),
	KQ("MmSystemCacheWs", 0x0B8), KQ("MmPfnDatabase", 0x0C0),
	KQ("MmSystemPtesStart", 0x0C8), KQ("MmSystemPtesEnd", 0x0D0),
	KQ("MmSubsectionBase", 0x0D8), KQ("MmNumberOfPagingFiles", 0x0E0),
	KQ("MmLowestPhysicalPage", 0x0E8), KQ("MmHighestPhysicalPage", 0x0F0),
	KQ("MmNumberOfPhysicalPages", 0x0F8), KQ("MmMaximumNonPagedPoolInBytes", 0x100),
	KQ("MmNonPagedSystemStart", 0x108), KQ("MmNonPagedPoolStart", 0x110),
	KQ("MmNonPagedPoolEnd", 0x118), KQ("MmPagedPoolStart", 0x120),
	KQ("MmPagedPoolEnd", 0x128), KQ("MmPagedPoolInformation", 0x130),
	KQ("MmPageSize", 0x138), KQ("MmSizeOfPagedPoolInBytes", 0x140),
	KQ("MmTotalCommitLimit", 0x148), KQ("MmTotalCommittedPages", 0x150),
	KQ("MmSharedCommit", 0x158), KQ("MmDriverCommit", 0x160),
	KQ("MmProcessCommit", 0x168), KQ("MmPagedPoolCommit", 0x170),
	KQ("MmExtendedCommit", 0x178), KQ("MmZeroedPageListHead", 0x180),
	KQ("MmFreePageListHead", 0x188), KQ("MmStandbyPageListHead", 0x190),
	KQ("MmModifiedPageListHead", 0x198), KQ("MmModifiedNoWritePageListHead", 0x1A0),
	KQ("MmAvailablePages", 0x1A8), KQ("MmResidentAvailablePages", 0x1B0),
	KQ("PoolTrackTable", 0x1B8), KQ("NonPagedPoolDescriptor", 0x1C0),
	KQ("MmHighestUserAddress", 0x1C8), KQ("MmSystemRangeStart", 0x1D0),
	KQ("MmUserProbeAddress", 0x1D8), KQ("KdPrintCircularBuffer", 0x1E0),
	KQ("KdPrintCircularBufferEnd", 0x1E8), KQ("KdPrintWritePointer", 0x1F0),
	KQ("KdPrintRolloverCount", 0x1F8), KQ("MmLoadedUserImageList", 0x200),
	KQ("NtBuildLab", 0x208), KQ("KiNormalSystemCall", 0x210),
	KQ("KiProcessorBlock", 0x218), KQ("MmUnloadedDrivers", 0x220),
	KQ("MmLastUnloadedDriver", 0x228), KQ("MmTriageActionTaken", 0x230),
	KQ("MmSpecialPoolTag", 0x238), KQ("KernelVerifier", 0x240),
	KQ("MmVerifierData", 0x248), KQ("MmAllocatedNonPagedPool", 0x250),
	KQ("MmPeakCommitment", 0x258), KQ("MmTotalCommitLimitMaximum", 0x260),
	KQ("CmNtCSDVersion", 0x268), KQ("MmPhysicalMemoryBlock", 0x270),
	KQ("MmSessionBase", 0x278), KQ("MmSessionSize", 0x280),
	KQ("MmSystemParentTablePage", 0x288), KQ("MmVirtualTranslationBase", 0x290),
	KW("OffsetKThreadNextProcessor", 0x298), KW("OffsetKThreadTeb", 0x29A),
	KW("OffsetKThreadKernelStack", 0x29C), KW("OffsetKThreadInitialStack", 0x29E),
	KW("OffsetKThreadApcProcess", 0x2A0), KW("OffsetKThreadState", 0x2A2),
	KW("OffsetKThreadBStore", 0x2A4), KW("OffsetKThreadBStoreLimit", 0x2A6),
	KW("SizeEProcess", 0x2A8), KW("OffsetEprocessPeb", 0x2AA),
	KW("OffsetEprocessParentCID", 0x2AC), KW("OffsetEprocessDirectoryTableBase", 0x2AE),
	KW("SizePrcb", 0x2B0), KW("OffsetPrcbDpcRoutine", 0x2B2),
	KW("OffsetPrcbCurrentThread", 0x2B4), KW("OffsetPrcbMhz", 0x2B6),
	KW("OffsetPrcbCpuType", 0x2B8), KW("OffsetPrcbVendorString", 0x2BA),
	KW("OffsetPrcbProcStateContext", 0x2BC), KW("OffsetPrcbNumber", 0x2BE),
	KW("SizeEThread", 0x2C0),
	KQ("KdPrintCircularBufferPtr", 0x2C8), KQ("KdPrintBufferSize", 0x2D0),
	KQ("KeLoaderBlock", 0x2D8),
	KW("SizePcr", 0x2E0), KW("OffsetPcrSelfPcr", 0x2E2),
	KW("OffsetPcrCurrentPrcb", 0x2E4), KW("OffsetPcrContainedPrcb", 0x2E6),
	KW("OffsetPcrInitialBStore", 0x2E8), KW("OffsetPcrBStoreLimit", 0x2EA),
	KW("OffsetPcrInitialStack", 0x2EC), KW("OffsetPcrStackLimit", 0x2EE),
	KW("OffsetPrcbPcrPage", 0x2F0), KW("OffsetPrcbProcStateSpecialReg", 0x2F2),
	KW("GdtR0Code", 0x2F4), KW("GdtR0Data", 0x2F6), KW("GdtR0Pcr", 0x2F8),
	KW("GdtR3Code", 0x2FA), KW("GdtR3Data", 0x2FC), KW("GdtR3Teb", 0x2FE),
	KW("GdtLdt", 0x300), KW("GdtTss", 0x302),
	KW("Gdt64R3CmCode", 0x304), KW("Gdt64R3CmTeb", 0x306),
	KQ("IopNumTriageDumpDataBlocks", 0x308), KQ("IopTriageDumpDataBlocks", 0x310),
	KQ("VfCrashDataBlock", 0x318), KQ("MmBadPagesDetected", 0x320),
	KQ("MmZeroedPageSingleBitErrorsDetected", 0x328), KQ("EtwpDebuggerData", 0x330),
	KW("OffsetPrcbContext", 0x338),
	/* Windows 8 and later: formats.md §2.3 "Win8+ tail" (confidence M). */
	KW("OffsetPrcbMaxBreakpoints", 0x33A), KW("OffsetPrcbMaxWatchpoints", 0x33C),
	KD("OffsetKThreadStackLimit", 0x340), KD("OffsetKThreadStackBase", 0x344),
	KD("OffsetKThreadQueueListEntry", 0x348), KD("OffsetEThreadIrpList", 0x34C),
	KW("OffsetPrcbIdleThread", 0x350), KW("OffsetPrcbNormalDpcState", 0x352),
	KW("OffsetPrcbDpcStack", 0x354), KW("OffsetPrcbIsrStack", 0x356),
	KW("SizeKDPC_STACK_FRAME", 0x358), KW("OffsetKPriQueueThreadListHead", 0x35A),
	KW("OffsetKThreadWaitReason", 0x35C), KW("Padding", 0x35E),
	KQ("PteBase", 0x360), KQ("RetpolineStubFunctionTable", 0x368),
	KD("RetpolineStubFunctionTableSize", 0x370), KD("RetpolineStubOffset", 0x374),
	KD("RetpolineStubSize", 0x378),
};
/* Entries through OffsetPrcbContext: the Windows 7 block (Header.Size 0x340). */
#define KDBG_FIELDS_WIN7 135

/* _UNLOADED_DRIVERS, one record of the nt!MmUnloadedDrivers ring: the same
 * shape from Windows XP to 11 (Vergilius 6.1.7601 x86/x64 ... 10.0.26100
 * x64; ReactOS ntoskrnl/include/internal/mm.h; volatility vtypes and its
 * unloadedmodules plugin). */
static const ps_layout_field unloaded_x86[] = {
	LF("Name", 0x0, 8, "_UNICODE_STRING"),
	LF("StartAddress", 0x8, 4, "Ptr32 Void"),
	LF("EndAddress", 0xC, 4, "Ptr32 Void"),
	LF("CurrentTime", 0x10, 8, "_LARGE_INTEGER"),
};
static const ps_layout_field unloaded_x64[] = {
	LF("Name", 0x0, 0x10, "_UNICODE_STRING"),
	LF("StartAddress", 0x10, 8, "Ptr64 Void"),
	LF("EndAddress", 0x18, 8, "Ptr64 Void"),
	LF("CurrentTime", 0x20, 8, "_LARGE_INTEGER"),
};

static const ps_layout_field kdbg_header[] = {
	LF("List", 0x0, 0x10, "_LIST_ENTRY64"),
	LF("OwnerTag", 0x10, 4, "Uint4B"),
	LF("Size", 0x14, 4, "Uint4B"),
};

/* DBGKD_GET_VERSION64 (formats.md §2.1). */
static const ps_layout_field get_version[] = {
	LF("MajorVersion", 0x0, 2, "Uint2B"),
	LF("MinorVersion", 0x2, 2, "Uint2B"),
	LF("ProtocolVersion", 0x4, 1, "UChar"),
	LF("KdSecondaryVersion", 0x5, 1, "UChar"),
	LF("Flags", 0x6, 2, "Uint2B"),
	LF("MachineType", 0x8, 2, "Uint2B"),
	LF("MaxPacketType", 0xA, 1, "UChar"),
	LF("MaxStateChange", 0xB, 1, "UChar"),
	LF("MaxManipulate", 0xC, 1, "UChar"),
	LF("Simulation", 0xD, 1, "UChar"),
	LF("Unused", 0xE, 2, "Uint2B"),
	LF("KernBase", 0x10, 8, "Uint8B"),
	LF("PsLoadedModuleList", 0x18, 8, "Uint8B"),
	LF("DebuggerDataList", 0x20, 8, "Uint8B"),
};

#define S_LIST "formats.md §5.5 (Vergilius _LIST_ENTRY)"
#define S_USTR "formats.md §5.5 (UNICODE_STRING; Vergilius, volatility vtypes)"
#define S_CID "formats.md §5.3 (CLIENT_ID; Vergilius)"
#define S_DISP "formats.md §5.1 Header.Type; size from Vergilius / ntdiff _DISPATCHER_HEADER"
#define S_APC "formats.md §5.4 ApcState.Process; size from Vergilius _KAPC_STATE"
#define S_PRCB "formats.md §5.4 (Vergilius; QEMU windbgstub constants)"
#define S_KLDR "formats.md §5.5 (Vergilius _KLDR_DATA_TABLE_ENTRY, volatility vtypes, rizin dmp specs)"
#define S_OBJ "formats.md §4.1 (volatility vtypes win7/win8/win10, Vergilius 7601-22631); size from Vergilius"
#define S_OPT "formats.md §4.2 optional header sizes (volatility vtypes, Vergilius)"
#define S_POOL86 "formats.md §3.1 x86 POOL_HEADER (volatility vtypes win7_sp1_x86 ... win10_x86, Vergilius 19045 x86)"
#define S_UNLOADED "Vergilius _UNLOADED_DRIVERS 7601-26100; ReactOS mm.h; volatility vtypes"
#define S_KDBG "formats.md §2.3 (volatility3 kdbg.json, rekall crashdump.py, ReactOS wdbgexts.h)"
#define S_KDBG_7 S_KDBG "; Header.Size 0x340 on Windows 7"
#define S_KDBG_10 S_KDBG "; Win8+ tail from ReactOS wdbgexts.h member order (confidence M); Header.Size 0x380 from 1809"
#define S_KDBG_24H2 S_KDBG "; Win8+ tail (confidence M); Header.Size unknown for 24H2 (formats.md §8)"
#define S_VER "formats.md §2.1 DBGKD_GET_VERSION64 (ReactOS wdbgexts.h, Vergilius 19045)"

/* Shared member tables (see layouts_internal.h). */
const ps_layout_field ps_kthread_x64_win10[KTHREAD_X64_WIN10_FIELDS] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("InitialStack", 0x28, 8, "Ptr64 Void"),
	LF("StackLimit", 0x30, 8, "Ptr64 Void"),
	LF("StackBase", 0x38, 8, "Ptr64 Void"),
	LF("KernelStack", 0x58, 8, "Ptr64 Void"),
	LF("TrapFrame", 0x90, 8, "Ptr64 _KTRAP_FRAME"),
	LF("ApcState", 0x98, 0x30, "_KAPC_STATE"),
	LF("Priority", 0xC3, 1, "Char"),
	LF("Teb", 0xF0, 8, "Ptr64 Void"),
	LF("State", 0x184, 1, "UChar"),
	LF("Win32Thread", 0x1C8, 8, "Ptr64 Void"),
	LF("Process", 0x220, 8, "Ptr64 _KPROCESS"),
	LF("WaitReason", 0x283, 1, "UChar"),
	LF("ThreadListEntry", 0x2F8, 0x10, "_LIST_ENTRY"),
};

const ps_layout_field ps_kprocess_x64_19041[KPROCESS_X64_19041_FIELDS] = {
	LF("Header", 0x0, 0x18, "_DISPATCHER_HEADER"),
	LF("DirectoryTableBase", 0x28, 8, "Uint8B"),
	LF("ThreadListHead", 0x30, 0x10, "_LIST_ENTRY"),
	LF("UserDirectoryTableBase", 0x388, 8, "Uint8B"),
};

const ps_layout_field ps_eprocess_x64_19041[EPROCESS_X64_19041_FIELDS] = {
	LF("Pcb", 0x0, 0x438, "_KPROCESS"),
	LF("UniqueProcessId", 0x440, 8, "Ptr64 Void"),
	LF("ActiveProcessLinks", 0x448, 0x10, "_LIST_ENTRY"),
	LF("Flags", 0x464, 4, "Uint4B"),
	LF("CreateTime", 0x468, 8, "_LARGE_INTEGER"),
	LF("VirtualSize", 0x498, 8, "Uint8B"),
	LF("SessionProcessLinks", 0x4A0, 0x10, "_LIST_ENTRY"),
	LF("Token", 0x4B8, 8, "_EX_FAST_REF"),
	LF("InheritedFromUniqueProcessId", 0x540, 8, "Ptr64 Void"),
	LF("Peb", 0x550, 8, "Ptr64 _PEB"),
	LF("Session", 0x558, 8, "Ptr64 Void"),
	LF("ObjectTable", 0x570, 8, "Ptr64 _HANDLE_TABLE"),
	LF("WoW64Process", 0x580, 8, "Ptr64 _EWOW64PROCESS"),
	LF("ImageFilePointer", 0x5A0, 8, "Ptr64 _FILE_OBJECT"),
	LF("ImageFileName", 0x5A8, 15, "[15] UChar"),
	LF("ThreadListHead", 0x5E0, 0x10, "_LIST_ENTRY"),
	LF("ActiveThreads", 0x5F0, 4, "Uint4B"),
	LF("CommitCharge", 0x648, 8, "Uint8B"),
	LF("ExitStatus", 0x7D4, 4, "Int4B"),
	LF("VadRoot", 0x7D8, 8, "_RTL_AVL_TREE"),
	LF("ExitTime", 0x840, 8, "_LARGE_INTEGER"),
};

static const ps_layout common[] = {
	LAYOUT("_LIST_ENTRY", PS_ARCH_X86, X86_FIRST, X86_LAST, 8, list_x86, S_LIST),
	LAYOUT("_LIST_ENTRY", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x10, list_x64, S_LIST),
	LAYOUT("_UNICODE_STRING", PS_ARCH_X86, X86_FIRST, X86_LAST, 8, ustr_x86, S_USTR),
	LAYOUT("_UNICODE_STRING", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x10, ustr_x64, S_USTR),
	LAYOUT("_CLIENT_ID", PS_ARCH_X86, X86_FIRST, X86_LAST, 8, cid_x86, S_CID),
	LAYOUT("_CLIENT_ID", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x10, cid_x64, S_CID),
	LAYOUT("_DISPATCHER_HEADER", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x10, dispatcher_header, S_DISP),
	LAYOUT("_DISPATCHER_HEADER", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x18, dispatcher_header, S_DISP),
	LAYOUT("_KAPC_STATE", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x18, apc_state_x86, S_APC),
	LAYOUT("_KAPC_STATE", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x30, apc_state_x64, S_APC),
	LAYOUT("_KPRCB", PS_ARCH_X86, X86_FIRST, X86_LAST, 0, prcb_x86, S_PRCB),
	LAYOUT("_KPRCB", PS_ARCH_X64, X64_FIRST, X64_LAST, 0, prcb_x64, S_PRCB),
	LAYOUT("_KLDR_DATA_TABLE_ENTRY", PS_ARCH_X86, X86_FIRST, X86_LAST, 0, kldr_x86, S_KLDR),
	LAYOUT("_KLDR_DATA_TABLE_ENTRY", PS_ARCH_X64, X64_FIRST, X64_LAST, 0, kldr_x64, S_KLDR),
	LAYOUT("_OBJECT_HEADER", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x20, objhdr_x86, S_OBJ),
	LAYOUT("_OBJECT_HEADER", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x38, objhdr_x64, S_OBJ),
	LAYOUT("_OBJECT_HEADER_CREATOR_INFO", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x10, creator_x86, S_OPT),
	LAYOUT("_OBJECT_HEADER_CREATOR_INFO", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x20, creator_x64, S_OPT),
	LAYOUT("_OBJECT_HEADER_NAME_INFO", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x10, nameinfo_x86, S_OPT),
	LAYOUT("_OBJECT_HEADER_NAME_INFO", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x20, nameinfo_x64, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_HANDLE_INFO", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x8, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_HANDLE_INFO", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x10, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_QUOTA_INFO", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x10, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_QUOTA_INFO", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x20, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_PROCESS_INFO", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x8, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_PROCESS_INFO", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x10, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_AUDIT_INFO", PS_ARCH_X64, 9200, X64_LAST, 0x10, S_OPT),
	LAYOUT_OPAQUE("_OBJECT_HEADER_EXTENDED_INFO", PS_ARCH_X64, 14393, X64_LAST, 0x10, S_OPT),
	LAYOUT("_OBJECT_HEADER_PADDING_INFO", PS_ARCH_X86, 9200, X86_LAST, 4, padding_info, S_OPT),
	LAYOUT("_OBJECT_HEADER_PADDING_INFO", PS_ARCH_X64, 9200, X64_LAST, 4, padding_info, S_OPT),
	LAYOUT("_POOL_HEADER", PS_ARCH_X86, X86_FIRST, X86_LAST, 8, pool_header_x86, S_POOL86),
	LAYOUT("_DBGKD_DEBUG_DATA_HEADER64", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x18, kdbg_header, S_KDBG),
	LAYOUT("_DBGKD_DEBUG_DATA_HEADER64", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x18, kdbg_header, S_KDBG),
	LAYOUT("_POOL_HEADER", PS_ARCH_X64, 9200, X64_LAST, 0x10, pool_header_x64_w8,
	       "formats.md §3.1 x64, Win8+ USHORT bitfields (volatility vtypes win8 ... win10_x64_19041, Vergilius 22631)"),
	LAYOUT("_HANDLE_TABLE", PS_ARCH_X64, 9200, X64_LAST, 0x80, handle_table_x64_w8,
	       "formats.md §4.4 Win8+/10/11 x64 (volatility vtypes, Vergilius)"),
	LAYOUT("_HANDLE_TABLE_ENTRY", PS_ARCH_X64, 9600, X64_LAST, 0x10, handle_entry_x64_w81,
	       "formats.md §4.4 Win8.1+ x64 (volatility win8.py/win10.py, Vergilius)"),
	LAYOUT("_OBJECT_TYPE", PS_ARCH_X64, 10240, X64_LAST, 0, object_type_x64_w10,
	       "formats.md §4.3 Win10/11 x64 (Vergilius)"),
	{ "_KDDEBUGGER_DATA64", PS_ARCH_X86, 7601, 7601, 0x340, kdbg_fields, KDBG_FIELDS_WIN7, S_KDBG_7 },
	{ "_KDDEBUGGER_DATA64", PS_ARCH_X64, 7601, 7601, 0x340, kdbg_fields, KDBG_FIELDS_WIN7, S_KDBG_7 },
	LAYOUT("_KDDEBUGGER_DATA64", PS_ARCH_X86, 17763, X86_LAST, 0x380, kdbg_fields, S_KDBG_10),
	LAYOUT("_KDDEBUGGER_DATA64", PS_ARCH_X64, 17763, 22631, 0x380, kdbg_fields, S_KDBG_10),
	LAYOUT("_KDDEBUGGER_DATA64", PS_ARCH_X64, 26100, X64_LAST, 0, kdbg_fields, S_KDBG_24H2),
	LAYOUT("_UNLOADED_DRIVERS", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x18, unloaded_x86, S_UNLOADED),
	LAYOUT("_UNLOADED_DRIVERS", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x28, unloaded_x64, S_UNLOADED),
	LAYOUT("_DBGKD_GET_VERSION64", PS_ARCH_X86, X86_FIRST, X86_LAST, 0x28, get_version, S_VER),
	LAYOUT("_DBGKD_GET_VERSION64", PS_ARCH_X64, X64_FIRST, X64_LAST, 0x28, get_version, S_VER),
};

const ps_layout_table ps_layouts_common = { common, LAYOUT_COUNT(common) };
