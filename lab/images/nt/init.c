/*
 * init.c - the kernel's entry point. On Windows the loader calls
 * KiSystemStartup with the loader parameter block; the lab only needs the
 * entry to exist (the PE header points at it) and to store KeLoaderBlock.
 */
#include "ntinternal.h"

extern PVOID KeLoaderBlock;

VOID NTAPI KiSystemStartup(PVOID LoaderBlock)
{
	KeLoaderBlock = LoaderBlock;
	KeNumberProcessors = 1;
	KiProcessorBlock[0] = (PKPRCB)LoaderBlock;
	KiInitialThread.Tcb.Header.Type = 6;    /* ThreadObject */
	DbgPrint("Lab kernel started\n");
	KeWaitForSingleObject(&PsActiveProcessHead, 0, 0, FALSE, NULL);
}
