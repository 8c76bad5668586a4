/*
 * trap.c - KiFastCallEntry, the system-call entry the seed's user-mode
 * threads show at the bottom of their kernel stacks. The real one is
 * assembly; this C stand-in dispatches through a service table so the
 * disassembly has the familiar shape of an indirect call.
 */
#include "ntinternal.h"

typedef LONG_PTR (NTAPI *KSERVICE)(ULONG_PTR *Arguments);

static KSERVICE KiServiceTable[4];
ULONG KiServiceLimit = 4;

LONG_PTR NTAPI KiFastCallEntry(ULONG ServiceNumber, ULONG_PTR *Arguments)
{
	if (ServiceNumber >= KiServiceLimit || KiServiceTable[ServiceNumber] == NULL)
		return (LONG_PTR)0xC000001CL;   /* STATUS_INVALID_SYSTEM_SERVICE */
	return KiServiceTable[ServiceNumber](Arguments);
}
