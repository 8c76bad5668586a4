/*
 * ntmini.h - the few kernel declarations the lab's Windows images need.
 *
 * There is no Windows SDK or WDK on the build machine, so the kernel, the HAL
 * and the test drivers declare what they use here, with the names and values
 * the WDK documents (POOL_TYPE values from the ExAllocatePoolWithTag docs and
 * the article the project was seeded from). Only what the images use: these
 * sources are compiled for Windows (clang --target=*-windows-msvc, mingw-w64
 * gcc) and never run.
 */
#ifndef LAB_NTMINI_H
#define LAB_NTMINI_H

#if defined(_WIN32) && defined(__i386__)
#define NTAPI __stdcall
#define FASTCALL __fastcall
#else
#define NTAPI
#define FASTCALL
#endif

#if defined(_WIN32)
#define NTKERNELAPI __declspec(dllimport)
#define NTEXPORT __declspec(dllexport)
#else
#define NTKERNELAPI
#define NTEXPORT
#endif

/* Code sections: drivers put pageable code in PAGE and DriverEntry in
 * INIT, as the WDK samples do with #pragma alloc_text. */
#if defined(_MSC_VER)
#define LAB_CODE_SEG(name) __declspec(code_seg(name))
#elif defined(__GNUC__)
#define LAB_CODE_SEG(name) __attribute__((section(name)))
#else
#define LAB_CODE_SEG(name)
#endif

/* The breakpoint instruction (int 3): an intrinsic for MSVC-style clang. */
#if defined(_MSC_VER)
#define LAB_BREAKPOINT() __debugbreak()
#else
#define LAB_BREAKPOINT() __asm__ volatile("int3")
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LAB_NOINLINE __attribute__((noinline))
#define LAB_ALIGNED_CODE(n) __attribute__((aligned(n)))
#else
#define LAB_NOINLINE
#define LAB_ALIGNED_CODE(n)
#endif

/* Kernel sources define the functions themselves; drivers import them. */
#ifdef LAB_BUILDING_KERNEL
#undef NTKERNELAPI
#define NTKERNELAPI
#endif

typedef void VOID, *PVOID;
typedef char CHAR, CCHAR;
typedef unsigned char UCHAR, BOOLEAN, *PUCHAR;
typedef short SHORT;
typedef unsigned short USHORT, WCHAR, *PWCH, *PWSTR;
typedef const unsigned short *PCWSTR;
typedef int INT;
typedef long LONG, NTSTATUS;
typedef unsigned long ULONG, *PULONG;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG, ULONG64;
typedef const char *PCSTR;
#if defined(_WIN64) || defined(__x86_64__)
typedef unsigned long long ULONG_PTR;
typedef long long LONG_PTR;
#else
typedef unsigned long ULONG_PTR;
typedef long LONG_PTR;
#endif
typedef ULONG_PTR SIZE_T, PFN_NUMBER, KSPIN_LOCK;
typedef PVOID HANDLE, *PHANDLE;
typedef UCHAR KIRQL;
typedef ULONG ACCESS_MASK;
typedef CCHAR KPROCESSOR_MODE;

#define TRUE 1
#define FALSE 0
#define NULL ((void *)0)
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
	struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY;

typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

/* POOL_TYPE: drivers see the WDK's enum (wdm.h values, as the seed
 * article lists them); the kernel declares the one of its own build
 * (nt/types/nt_pool_type.h), so its PDB shows that build's _POOL_TYPE. */
#if defined(LAB_BUILDING_KERNEL) && defined(LAB_NT_BUILD)
#include "nt_pool_type.h"
#else
typedef enum _POOL_TYPE {
	NonPagedPool = 0,
	NonPagedPoolExecute = 0,
	PagedPool = 1,
	NonPagedPoolMustSucceed = 2,
	DontUseThisType = 3,
	NonPagedPoolCacheAligned = 4,
	PagedPoolCacheAligned = 5,
	NonPagedPoolCacheAlignedMustS = 6,
	MaxPoolType = 7,
	NonPagedPoolBase = 0,
	NonPagedPoolBaseMustSucceed = 2,
	NonPagedPoolBaseCacheAligned = 4,
	NonPagedPoolBaseCacheAlignedMustS = 6,
	NonPagedPoolSession = 32,
	PagedPoolSession = 33,
	NonPagedPoolMustSucceedSession = 34,
	DontUseThisTypeSession = 35,
	NonPagedPoolCacheAlignedSession = 36,
	PagedPoolCacheAlignedSession = 37,
	NonPagedPoolCacheAlignedMustSSession = 38,
	NonPagedPoolNx = 512,
	NonPagedPoolNxCacheAligned = 516,
	NonPagedPoolSessionNx = 544
} POOL_TYPE;
#endif

typedef enum _EX_POOL_PRIORITY {
	LowPoolPriority = 0,
	NormalPoolPriority = 16,
	HighPoolPriority = 32
} EX_POOL_PRIORITY;

/* ExAllocatePool2 flags (Windows 10 2004 WDK). */
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_NON_PAGED     0x0000000000000040ULL
#define POOL_FLAG_PAGED         0x0000000000000100ULL

typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _IRP IRP, *PIRP;
typedef NTSTATUS (NTAPI *PDRIVER_DISPATCH)(PDEVICE_OBJECT, PIRP);
typedef VOID (NTAPI *PDRIVER_UNLOAD)(PDRIVER_OBJECT);
typedef VOID (NTAPI *PKSTART_ROUTINE)(PVOID);

/* Only the members the drivers touch; the real objects are larger. */
struct _DRIVER_OBJECT {
	SHORT Type;
	SHORT Size;
	PDEVICE_OBJECT DeviceObject;
	ULONG Flags;
	PVOID DriverStart;
	ULONG DriverSize;
	PVOID DriverSection;
	PVOID DriverExtension;
	UNICODE_STRING DriverName;
	PUNICODE_STRING HardwareDatabase;
	PVOID FastIoDispatch;
	PVOID DriverInit;
	PVOID DriverStartIo;
	PDRIVER_UNLOAD DriverUnload;
	PDRIVER_DISPATCH MajorFunction[28];
};

typedef struct _IO_STATUS_BLOCK {
	union {
		NTSTATUS Status;
		PVOID Pointer;
	} u;
	ULONG_PTR Information;
} IO_STATUS_BLOCK;

struct _IRP {
	SHORT Type;
	USHORT Size;
	PVOID MdlAddress;
	ULONG Flags;
	PVOID SystemBuffer;
	LIST_ENTRY ThreadListEntry;
	IO_STATUS_BLOCK IoStatus;
};

#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define FILE_DEVICE_UNKNOWN 0x00000022
#define IO_NO_INCREMENT 0

/* Lookaside lists: opaque here, sized like the real ones (0x80 on x64,
 * 0x80 on x86 with its cache-line alignment), which is all a caller needs. */
typedef struct _NPAGED_LOOKASIDE_LIST {
	_Alignas(16) UCHAR Opaque[0x80];
} NPAGED_LOOKASIDE_LIST, PAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;
typedef PVOID (NTAPI *PALLOCATE_FUNCTION)(POOL_TYPE, SIZE_T, ULONG);
typedef VOID (NTAPI *PFREE_FUNCTION)(PVOID);

/* ---- the kernel's exports (ntoskrnl.def lists the same names) ---------- */
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, EX_POOL_PRIORITY Priority);
NTKERNELAPI PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
NTKERNELAPI VOID NTAPI ExFreePool(PVOID P);
NTKERNELAPI VOID NTAPI ExDeferredFreePool(PVOID PoolDesc, BOOLEAN bMultipleThreads);
NTKERNELAPI VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
NTKERNELAPI NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTKERNELAPI NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName, ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName);
NTKERNELAPI VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost);
NTKERNELAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);
NTKERNELAPI ULONG DbgPrint(PCSTR Format, ...);
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType, KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation);
NTKERNELAPI NTSTATUS NTAPI ZwClose(HANDLE Handle);
NTKERNELAPI NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, PVOID ObjectAttributes, HANDLE ProcessHandle, PVOID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext);
NTKERNELAPI NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus);
NTKERNELAPI VOID NTAPI ObfDereferenceObject(PVOID Object);

/* Exported data. */
#ifndef LAB_BUILDING_KERNEL
NTKERNELAPI extern LIST_ENTRY PsLoadedModuleList;
NTKERNELAPI extern ULONG KeNumberProcessors;
#endif

/* ---- the HAL's exports --------------------------------------------------- */
#ifdef LAB_BUILDING_HAL
#define NTHALAPI
#else
#define NTHALAPI NTKERNELAPI
#endif
NTHALAPI LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER Frequency);
NTHALAPI VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds);
NTHALAPI VOID NTAPI HalReturnToFirmware(ULONG Routine);
#if defined(__i386__)
NTHALAPI KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql);
NTHALAPI VOID FASTCALL KfLowerIrql(KIRQL NewIrql);
#endif

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

#endif
