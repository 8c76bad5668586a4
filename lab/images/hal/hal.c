/*
 * hal.c - the lab's hal.dll: a handful of real HAL exports (performance
 * counter, stall loop, firmware return and, on i686, the IRQL routines),
 * importing KeBugCheckEx from the kernel like the real HAL does.
 */
#define LAB_BUILDING_HAL
#include "ntmini.h"

static LONGLONG HalpPerformanceCounter;
static ULONG HalpStallScaleFactor = 100;
static KIRQL HalpCurrentIrql;

LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER Frequency)
{
	LARGE_INTEGER now;

	if (Frequency != NULL)
		Frequency->QuadPart = 3579545;  /* the ACPI PM timer's rate */
	now.QuadPart = ++HalpPerformanceCounter;
	return now;
}

VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds)
{
	volatile ULONG spin = MicroSeconds * HalpStallScaleFactor;

	while (spin != 0)
		spin--;
}

VOID NTAPI HalReturnToFirmware(ULONG Routine)
{
	KeBugCheckEx(0xE2, Routine, 0, 0, 0);  /* MANUALLY_INITIATED_CRASH */
}

#if defined(__i386__)
KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql)
{
	KIRQL old = HalpCurrentIrql;

	if (NewIrql < old)
		KeBugCheckEx(0x9, old, NewIrql, 0, 0);  /* IRQL_NOT_GREATER_OR_EQUAL */
	HalpCurrentIrql = NewIrql;
	return old;
}

VOID FASTCALL KfLowerIrql(KIRQL NewIrql)
{
	if (NewIrql > HalpCurrentIrql)
		KeBugCheckEx(0x8, HalpCurrentIrql, NewIrql, 0, 0);
	HalpCurrentIrql = NewIrql;
}
#endif

/* The HAL's private dispatch table: pointers the kernel calls through
 * (and the reason the image has base relocations on x86_64 too). */
PVOID HalPrivateDispatchTable[] = {
	(PVOID)KeQueryPerformanceCounter,
	(PVOID)KeStallExecutionProcessor,
	(PVOID)HalReturnToFirmware,
};

BOOLEAN NTAPI HalInitSystem(ULONG Phase, PVOID LoaderBlock)
{
	HalpStallScaleFactor = Phase == 0 ? 100 : 250;
	HalpCurrentIrql = 0;
	return LoaderBlock != NULL;
}
