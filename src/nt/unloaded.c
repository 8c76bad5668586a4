/*
 * unloaded.c - the kernel's list of recently unloaded drivers.
 *
 * Triage dumps carry the list themselves (dump_triage.c reads it). Full and
 * kernel dumps keep it in nt!MmUnloadedDrivers, a ring of 50
 * _UNLOADED_DRIVERS records that KDBG points to; reading that ring needs its
 * layout and ordering checked against a real dump first, so it is not done
 * yet and those dumps report an empty list.
 */
#include "nt/kernel_internal.h"

size_t ps_kernel_unloaded_count(const ps_kernel *k)
{
	return ps_dump_triage_unloaded_count(k->dump);
}

const ps_triage_unloaded *ps_kernel_unloaded(const ps_kernel *k, size_t i)
{
	if (i >= ps_dump_triage_unloaded_count(k->dump))
		return NULL;
	return &ps_dump_triage_unloaded(k->dump)[i];
}
