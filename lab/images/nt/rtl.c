/*
 * rtl.c - run-time library and debug print exports.
 */
#include "ntinternal.h"

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source)
{
	USHORT n = 0;

	Destination->Buffer = (PWSTR)Source;
	if (Source != NULL)
		while (Source[n] != 0 && n < 0x7FFE)
			n++;
	Destination->Length = (USHORT)(n * 2);
	Destination->MaximumLength = (USHORT)(n * 2 + 2);
}

/* Appends to the circular print buffer the debugger's !dbgprint reads. */
ULONG NTAPI KdpPrintString(PCSTR String)
{
	CHAR *out = KdPrintWritePointer;
	ULONG n = 0;

	while (String[n] != 0 && n < 512) {
		if (out >= (CHAR *)KdPrintCircularBufferEnd) {
			out = KdPrintCircularBuffer;
			KdPrintRolloverCount++;
		}
		*out++ = String[n++];
	}
	KdPrintWritePointer = out;
	return n;
}

ULONG DbgPrint(PCSTR Format, ...)
{
	return KdpPrintString(Format) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
