/*
 * tcpip.c - the lab's tcpip.sys: TCP endpoints (TcpE) and connections
 * (TTcb) from nonpaged pool (ExAllocatePool2 on x86_64, the Windows 10
 * allocator; ExAllocatePoolWithTag on i686), a worker thread, a timer
 * wait, and the HAL's stall loop.
 */
#include "ntmini.h"

#define TCP_ENDPOINT_TAG 'EpcT'         /* "TcpE" */
#define TCP_TCB_TAG 'bcTT'              /* "TTcb" */

typedef struct _TCP_ENDPOINT {
	LIST_ENTRY Link;
	USHORT LocalPort;
	USHORT State;
	PVOID Tcb;
} TCP_ENDPOINT;

static LIST_ENTRY TcpEndpoints = { &TcpEndpoints, &TcpEndpoints };
static HANDLE TcpWorker;
static LONG TcpTimerObject[4];

static PVOID TcpAllocate(SIZE_T Size, ULONG Tag)
{
#if defined(__x86_64__)
	return ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, Tag);
#else
	return ExAllocatePoolWithTag(NonPagedPool, Size, Tag);
#endif
}

static TCP_ENDPOINT *TcpCreateEndpoint(USHORT Port)
{
	TCP_ENDPOINT *ep = TcpAllocate(sizeof *ep, TCP_ENDPOINT_TAG);

	if (ep == NULL)
		return NULL;
	ep->LocalPort = Port;
	ep->State = 2;                          /* LISTEN */
	ep->Tcb = TcpAllocate(0x2A0, TCP_TCB_TAG);
	ep->Link.Flink = &TcpEndpoints;
	ep->Link.Blink = TcpEndpoints.Blink;
	TcpEndpoints.Blink->Flink = &ep->Link;
	TcpEndpoints.Blink = &ep->Link;
	return ep;
}

static VOID NTAPI TcpWorkerRoutine(PVOID Context)
{
	LARGE_INTEGER timeout;

	timeout.QuadPart = -10000000;           /* 1 s, relative */
	KeWaitForSingleObject(TcpTimerObject, 0, 0, FALSE, &timeout);
	KeStallExecutionProcessor(50);
	PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	static const USHORT ports[] = { 135, 445, 139 };
	NTSTATUS status;
	ULONG i;

	for (i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (TcpCreateEndpoint(ports[i]) == NULL)
			return STATUS_INSUFFICIENT_RESOURCES;
	status = PsCreateSystemThread(&TcpWorker, 0x1F03FF, NULL, NULL, NULL, TcpWorkerRoutine, NULL);
	if (status == STATUS_SUCCESS)
		ZwClose(TcpWorker);
	return status;
}
