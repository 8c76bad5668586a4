/*
 * nt_base.h - the layout-checking macros and the Windows types whose shape
 * is the same in every kernel build the lab makes (7601 x86, 7601 x64,
 * 17763 x64), differing only with the pointer size.
 *
 * These headers exist so that the lab kernel's PDB declares the real
 * Windows types (`dt nt!_EPROCESS` on a lab dump must show Windows'
 * offsets). They are a transcription of /work/shared/reference/formats.md,
 * made independently of the lab writer's own tables (lab/profile.c), which
 * must not include them: tests/scripts/test_lab_symbols.sh compares the two
 * through the PDB. Every documented field sits at its documented offset,
 * checked by LAB_FIELD; gaps are `UCHAR Reserved_<offset>[n]` padding.
 * Field names and types are the ones Windows' own PDBs use where known.
 */
#ifndef LAB_NT_BASE_H
#define LAB_NT_BASE_H

#if defined(__x86_64__) || defined(_WIN64)
#define LAB_NT_X64 1
#else
#define LAB_NT_X64 0
#endif

/* A documented field at a documented offset; `src` names the section of
 * formats.md (or the other source) it comes from. */
#define LAB_FIELD(type, field, off, src) \
	_Static_assert(__builtin_offsetof(type, field) == (off), #type "." #field " at " #off " (" src ")")
#define LAB_SIZE(type, size, src) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") == " #size " (" src ")")

/* Types pointed at but never laid out here. */
struct _PEB;
struct _FILE_OBJECT;
struct _KTRAP_FRAME;
struct _OBJECT_DIRECTORY;
struct _OBJECT_CREATE_INFORMATION;
struct _EWOW64PROCESS;
struct _RTL_BALANCED_NODE;
struct _KPROCESS;
struct _KTHREAD;
struct _EPROCESS;
struct _ETHREAD;

/* CLIENT_ID (formats.md §5.3): two pointers. */
typedef struct _CLIENT_ID {
	PVOID UniqueProcess;
	PVOID UniqueThread;
} CLIENT_ID, *PCLIENT_ID;
LAB_FIELD(CLIENT_ID, UniqueThread, LAB_NT_X64 ? 0x8 : 0x4, "§5.3");
LAB_SIZE(CLIENT_ID, LAB_NT_X64 ? 0x10 : 0x8, "§5.3");

/* EX_FAST_REF (formats.md §4.1: the low 3 bits x86 / 4 bits x64 are a
 * reference count, the rest the object pointer). */
typedef struct _EX_FAST_REF {
	union {
		PVOID Object;
#if LAB_NT_X64
		ULONGLONG RefCnt : 4;
		ULONGLONG Value;
#else
		ULONG RefCnt : 3;
		ULONG Value;
#endif
	};
} EX_FAST_REF, *PEX_FAST_REF;
LAB_SIZE(EX_FAST_REF, sizeof(PVOID), "§4.1");

/* EX_PUSH_LOCK: one pointer-sized word (formats.md §4.1, OBJECT_HEADER.Lock). */
typedef struct _EX_PUSH_LOCK {
	union {
		struct {
			ULONG_PTR Locked : 1;
			ULONG_PTR Waiting : 1;
			ULONG_PTR Waking : 1;
			ULONG_PTR MultipleShared : 1;
#if LAB_NT_X64
			ULONG_PTR Shared : 60;
#else
			ULONG_PTR Shared : 28;
#endif
		};
		ULONG_PTR Value;
		PVOID Ptr;
	};
} EX_PUSH_LOCK, *PEX_PUSH_LOCK;
LAB_SIZE(EX_PUSH_LOCK, sizeof(PVOID), "§4.1");

/* DISPATCHER_HEADER, the start of KPROCESS and KTHREAD: Type (3 process,
 * 6 thread) is the byte at 0 (formats.md §4.3 validation helpers). */
typedef struct _DISPATCHER_HEADER {
	union {
		struct {
			UCHAR Type;
			UCHAR Reserved_001[3];
		};
		LONG Lock;
	};
	LONG SignalState;
	LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;
LAB_FIELD(DISPATCHER_HEADER, Type, 0x0, "§5.1, §5.4");
LAB_SIZE(DISPATCHER_HEADER, LAB_NT_X64 ? 0x18 : 0x10, "KPROCESS.Header");

/* ---- objects (formats.md §4.2: the optional headers below OBJECT_HEADER) -- */

typedef struct _OBJECT_HEADER_CREATOR_INFO {
	LIST_ENTRY TypeList;
	PVOID CreatorUniqueProcess;
	USHORT CreatorBackTraceIndex;
	USHORT Reserved;
#if LAB_NT_X64
	UCHAR Reserved_01C[4];
#endif
} OBJECT_HEADER_CREATOR_INFO, *POBJECT_HEADER_CREATOR_INFO;
LAB_FIELD(OBJECT_HEADER_CREATOR_INFO, TypeList, 0x0, "§4.2");
LAB_FIELD(OBJECT_HEADER_CREATOR_INFO, CreatorUniqueProcess, LAB_NT_X64 ? 0x10 : 0x8, "§4.2");
LAB_FIELD(OBJECT_HEADER_CREATOR_INFO, CreatorBackTraceIndex, LAB_NT_X64 ? 0x18 : 0xC, "§4.2");
LAB_SIZE(OBJECT_HEADER_CREATOR_INFO, LAB_NT_X64 ? 0x20 : 0x10, "§4.2");

typedef struct _OBJECT_HEADER_NAME_INFO {
	struct _OBJECT_DIRECTORY *Directory;
	UNICODE_STRING Name;
	LONG ReferenceCount;
#if LAB_NT_X64
	UCHAR Reserved_01C[4];
#endif
} OBJECT_HEADER_NAME_INFO, *POBJECT_HEADER_NAME_INFO;
LAB_FIELD(OBJECT_HEADER_NAME_INFO, Directory, 0x0, "§4.2");
LAB_FIELD(OBJECT_HEADER_NAME_INFO, Name, LAB_NT_X64 ? 0x8 : 0x4, "§4.2");
LAB_FIELD(OBJECT_HEADER_NAME_INFO, ReferenceCount, LAB_NT_X64 ? 0x18 : 0xC, "§4.2");
LAB_SIZE(OBJECT_HEADER_NAME_INFO, LAB_NT_X64 ? 0x20 : 0x10, "§4.2");

/* Only their sizes are documented (§4.2). */
typedef struct _OBJECT_HEADER_HANDLE_INFO {
	UCHAR Reserved_000[LAB_NT_X64 ? 0x10 : 0x8];
} OBJECT_HEADER_HANDLE_INFO, *POBJECT_HEADER_HANDLE_INFO;
LAB_SIZE(OBJECT_HEADER_HANDLE_INFO, LAB_NT_X64 ? 0x10 : 0x8, "§4.2");

typedef struct _OBJECT_HEADER_QUOTA_INFO {
	UCHAR Reserved_000[LAB_NT_X64 ? 0x20 : 0x10];
} OBJECT_HEADER_QUOTA_INFO, *POBJECT_HEADER_QUOTA_INFO;
LAB_SIZE(OBJECT_HEADER_QUOTA_INFO, LAB_NT_X64 ? 0x20 : 0x10, "§4.2");

typedef struct _OBJECT_HEADER_PROCESS_INFO {
	UCHAR Reserved_000[LAB_NT_X64 ? 0x10 : 0x8];
} OBJECT_HEADER_PROCESS_INFO, *POBJECT_HEADER_PROCESS_INFO;
LAB_SIZE(OBJECT_HEADER_PROCESS_INFO, LAB_NT_X64 ? 0x10 : 0x8, "§4.2");

/* _QUAD, the type of OBJECT_HEADER.Body. */
typedef union _QUAD {
	LONGLONG UseThisFieldToCopy;
	double DoNotUseThisField;
} QUAD;

/* ---- modules (formats.md §5.5) ----------------------------------------- */

/* The fields after LoadCount are not in formats.md; the tail is padding up
 * to 0x50 (x86) / 0xA0 (x64), the size the lab gives each entry. */
typedef struct _KLDR_DATA_TABLE_ENTRY {
	LIST_ENTRY InLoadOrderLinks;
	PVOID ExceptionTable;
	ULONG ExceptionTableSize;
	PVOID GpValue;
	PVOID NonPagedDebugInfo;
	PVOID DllBase;
	PVOID EntryPoint;
	ULONG SizeOfImage;
	UNICODE_STRING FullDllName;
	UNICODE_STRING BaseDllName;
	ULONG Flags;
	USHORT LoadCount;
#if LAB_NT_X64
	UCHAR Reserved_06E[0x32];
#else
	UCHAR Reserved_03A[0x16];
#endif
} KLDR_DATA_TABLE_ENTRY, *PKLDR_DATA_TABLE_ENTRY;
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, InLoadOrderLinks, 0x00, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, ExceptionTable, LAB_NT_X64 ? 0x10 : 0x08, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, ExceptionTableSize, LAB_NT_X64 ? 0x18 : 0x0C, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, GpValue, LAB_NT_X64 ? 0x20 : 0x10, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, NonPagedDebugInfo, LAB_NT_X64 ? 0x28 : 0x14, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, DllBase, LAB_NT_X64 ? 0x30 : 0x18, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, EntryPoint, LAB_NT_X64 ? 0x38 : 0x1C, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, SizeOfImage, LAB_NT_X64 ? 0x40 : 0x20, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, FullDllName, LAB_NT_X64 ? 0x48 : 0x24, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, BaseDllName, LAB_NT_X64 ? 0x58 : 0x2C, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, Flags, LAB_NT_X64 ? 0x68 : 0x34, "§5.5");
LAB_FIELD(KLDR_DATA_TABLE_ENTRY, LoadCount, LAB_NT_X64 ? 0x6C : 0x38, "§5.5");
LAB_FIELD(UNICODE_STRING, Buffer, LAB_NT_X64 ? 0x8 : 0x4, "§5.5");
LAB_SIZE(UNICODE_STRING, LAB_NT_X64 ? 0x10 : 0x8, "§5.5");

#endif
