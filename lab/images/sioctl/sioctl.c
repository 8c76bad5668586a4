/*
 * sioctl.c - SIoctl.sys, the leaking driver of the seed article.
 *
 * Shaped after the WDK's SIoctl sample: a control device with create/close,
 * device-control and unload routines; the dispatch routines in PAGE and
 * DriverEntry in a discardable INIT section. Its device-control handler
 * carries the leak the article found: a count-down loop calling
 * ExAllocatePoolWithTag(PagedPool, 0x1000, 'KKSM') and keeping nothing.
 *
 * Layout targets (checked by check_sioctl.py at build time, see
 * lab/images/README.md): on i686 the loop is exactly the seed's
 *     SIoctl+0x4323: push 4B4B534Dh / push 1000h / push 1 /
 *     call dword ptr [SIoctl+0x2010] / dec esi / jne SIoctl+0x4323 /
 *     int 3 / jmp SIoctl+0x4342
 * which needs clang -Os with -mllvm -disable-machine-licm (otherwise the
 * IAT load is hoisted into a register), PAGE as the fourth section, the
 * code before the loop exactly 0x323 bytes long, and the hand-made import
 * table of imports_x86.s. The driver has no read-only data of its own (its
 * strings are writable arrays) so that the IAT starts .rdata.
 */
#include "ntmini.h"

/* Make INIT discardable, as link.exe marks it: the section is created here
 * with the D flag before the first function placed in it. */
#if defined(_WIN32)
__asm__(".section INIT,\"xrD\"\n\t.text\n");
#endif

#define SIOCTL_TYPE 40000
#define CTL_CODE(type, fn, method, access) (((ULONG)(type) << 16) | ((access) << 14) | ((fn) << 2) | (method))
#define IOCTL_SIOCTL_METHOD_IN_DIRECT CTL_CODE(SIOCTL_TYPE, 0x900, 1, 0)
#define IOCTL_SIOCTL_METHOD_OUT_DIRECT CTL_CODE(SIOCTL_TYPE, 0x901, 2, 0)
#define IOCTL_SIOCTL_METHOD_BUFFERED CTL_CODE(SIOCTL_TYPE, 0x902, 0, 0)
#define IOCTL_SIOCTL_METHOD_NEITHER CTL_CODE(SIOCTL_TYPE, 0x903, 3, 0)

#define SIOCTL_TAG 'KKSM'               /* "MSKK" in memory */

/* The request as the dispatch routine sees it: the IRP plus the fields of
 * its current stack location the sample reads (a simplification of
 * IO_STACK_LOCATION.Parameters.DeviceIoControl). */
typedef struct _SIOCTL_REQUEST {
	IRP Irp;
	ULONG OutputBufferLength;
	ULONG InputBufferLength;
	ULONG IoControlCode;
	PVOID Type3InputBuffer;
	PVOID UserBuffer;
} SIOCTL_REQUEST;

/* Writable on purpose: see the layout note at the top. */
static char SioctlName[] = "SIOCTL.SYS: ";
static char SioctlMsgCreate[] = "%sCreate/Close\n";
static char SioctlMsgIrp[] = "%sIrp %p SystemBuffer %p Flags %x\n";
static char SioctlMsgLengths[] = "%sInputBufferLength %u OutputBufferLength %u\n";
static char SioctlMsgData[] = "%sData: %.*s\n";
static char SioctlMsgFill[] = "%sallocating %u buffers\n";
static char SioctlMsgSmall[] = "%sbuffer too small\n";
static char SioctlMsgUnknown[] = "%sERROR: unrecognized IOCTL %x\n";
static char SioctlMsgUnload[] = "%sunloading\n";
static char SioctlMsgNoDevice[] = "%sCouldn't create the device object\n";
static char SioctlMsgNoLink[] = "%sCouldn't create the symbolic link\n";
/* External: clang would move a never-written static array to .rdata. */
char SioctlReply[] = "This String is from Device Driver !!!";
static WCHAR SioctlNtDeviceName[] = u"\\Device\\SIOCTL";
static WCHAR SioctlDosDeviceName[] = u"\\DosDevices\\IoctlTest";

static PDEVICE_OBJECT SioctlDevice;
static UNICODE_STRING SioctlNtName;
static UNICODE_STRING SioctlDosName;
static ULONG SioctlRequests;
static ULONG SioctlFillCalls;
static ULONG SioctlEmptyFills;

NTSTATUS NTAPI SioctlCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS NTAPI SioctlDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID NTAPI SioctlUnloadDriver(PDRIVER_OBJECT DriverObject);
VOID NTAPI SioctlFillBuffers(ULONG Count);

/* Dispatch table copied into the driver object: absolute pointers, so the
 * image carries base relocations on both architectures (external, or clang
 * folds the never-written table into DriverEntry). */
PDRIVER_DISPATCH SioctlDispatch[3] = { SioctlCreateClose, SioctlCreateClose, SioctlDeviceControl };

/* ---- .text: callable at any IRQL ----------------------------------------- */

NTSTATUS NTAPI SioctlCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	DbgPrint(SioctlMsgCreate, SioctlName);
	Irp->IoStatus.u.Status = STATUS_SUCCESS;
	Irp->IoStatus.Information = 0;
	IofCompleteRequest(Irp, IO_NO_INCREMENT);
	return STATUS_SUCCESS;
}

/* ---- PAGE: passive-level routines ------------------------------------------ */

LAB_CODE_SEG("PAGE") VOID NTAPI SioctlPrintIrpInfo(SIOCTL_REQUEST *Request)
{
	DbgPrint(SioctlMsgIrp, SioctlName, &Request->Irp, Request->Irp.SystemBuffer, Request->Irp.Flags);
	DbgPrint(SioctlMsgLengths, SioctlName, Request->InputBufferLength, Request->OutputBufferLength);
}

LAB_CODE_SEG("PAGE") VOID NTAPI SioctlPrintChars(char *Buffer, SIZE_T Count)
{
	if (Buffer != NULL && Count > 0)
		DbgPrint(SioctlMsgData, SioctlName, (int)Count, Buffer);
}

/* Copies the reply string into an output buffer; returns bytes written. */
LAB_CODE_SEG("PAGE") ULONG NTAPI SioctlCopyReply(char *Out, ULONG OutLength)
{
	ULONG n = 0;

	while (n < OutLength && n < sizeof SioctlReply) {
		Out[n] = SioctlReply[n];
		n++;
	}
	return n;
}

LAB_CODE_SEG("PAGE") NTSTATUS NTAPI SioctlDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	SIOCTL_REQUEST *request = (SIOCTL_REQUEST *)Irp;
	char *buffer = Irp->SystemBuffer;
	NTSTATUS status = STATUS_SUCCESS;
	ULONG inLength = request->InputBufferLength;
	ULONG outLength = request->OutputBufferLength;

	SioctlRequests++;
	if (inLength == 0 || outLength == 0) {
		DbgPrint(SioctlMsgSmall, SioctlName);
		status = STATUS_INVALID_DEVICE_REQUEST;
		goto done;
	}
	SioctlPrintIrpInfo(request);
	Irp->IoStatus.Information = 0;
	switch (request->IoControlCode) {
	case IOCTL_SIOCTL_METHOD_BUFFERED:
		SioctlPrintChars(buffer, inLength);
		if (inLength >= sizeof(ULONG))
			SioctlFillBuffers(*(ULONG *)buffer);
		Irp->IoStatus.Information = SioctlCopyReply(buffer, outLength);
		break;
	case IOCTL_SIOCTL_METHOD_IN_DIRECT:
		SioctlPrintChars(buffer, inLength);
		Irp->IoStatus.Information = SioctlCopyReply(request->UserBuffer, outLength);
		break;
	case IOCTL_SIOCTL_METHOD_OUT_DIRECT:
		SioctlPrintChars(buffer, inLength);
		Irp->IoStatus.Information = SioctlCopyReply(request->UserBuffer, outLength);
		break;
	case IOCTL_SIOCTL_METHOD_NEITHER:
		SioctlPrintChars(request->Type3InputBuffer, inLength);
		Irp->IoStatus.Information = SioctlCopyReply(request->UserBuffer, outLength);
		break;
	default:
		status = STATUS_INVALID_DEVICE_REQUEST;
		DbgPrint(SioctlMsgUnknown, SioctlName, request->IoControlCode);
		break;
	}
done:
	Irp->IoStatus.u.Status = status;
	IofCompleteRequest(Irp, IO_NO_INCREMENT);
	return status;
}

LAB_CODE_SEG("PAGE") VOID NTAPI SioctlUnloadDriver(PDRIVER_OBJECT DriverObject)
{
	DbgPrint(SioctlMsgUnload, SioctlName);
	IoDeleteSymbolicLink(&SioctlDosName);
	if (DriverObject->DeviceObject != NULL)
		IoDeleteDevice(DriverObject->DeviceObject);
}

/* The leak: allocates Count pages of paged pool and keeps none of them.
 * The empty-request branch after the loop is what puts the seed's
 * `int 3 / jmp SIoctl+0x4342` behind the loop: the jump skips its 7-byte
 * `add dword ptr [SioctlEmptyFills],2`. */
LAB_CODE_SEG("PAGE") LAB_NOINLINE LAB_ALIGNED_CODE(256) VOID NTAPI SioctlFillBuffers(ULONG Count)
{
	SioctlFillCalls++;
	DbgPrint(SioctlMsgFill, SioctlName, Count);
	if (Count != 0) {
		for (; Count != 0; --Count)
			ExAllocatePoolWithTag(PagedPool, 0x1000, SIOCTL_TAG);
		LAB_BREAKPOINT();
	} else {
		SioctlEmptyFills += 2;
	}
}


/* ---- INIT: discarded once the driver is loaded ----------------------------- */

LAB_CODE_SEG("INIT") NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NTSTATUS status;

	RtlInitUnicodeString(&SioctlNtName, SioctlNtDeviceName);
	status = IoCreateDevice(DriverObject, 0, &SioctlNtName, FILE_DEVICE_UNKNOWN, 0x100, FALSE, &SioctlDevice);
	if (status != STATUS_SUCCESS) {
		DbgPrint(SioctlMsgNoDevice, SioctlName);
		return status;
	}
	DriverObject->MajorFunction[IRP_MJ_CREATE] = SioctlDispatch[0];
	DriverObject->MajorFunction[IRP_MJ_CLOSE] = SioctlDispatch[1];
	DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SioctlDispatch[2];
	DriverObject->DriverUnload = SioctlUnloadDriver;
	RtlInitUnicodeString(&SioctlDosName, SioctlDosDeviceName);
	status = IoCreateSymbolicLink(&SioctlDosName, &SioctlNtName);
	if (status != STATUS_SUCCESS) {
		DbgPrint(SioctlMsgNoLink, SioctlName);
		IoDeleteDevice(SioctlDevice);
	}
	return status;
}
