/*
 * format.c - WinDbg's address notation (see format.h).
 */
#include "core/format.h"

#include <inttypes.h>
#include <stdio.h>

const char *ps_format_addr(char *buf, uint64_t va, unsigned pointer_size)
{
	if (pointer_size == 4)
		snprintf(buf, PS_ADDR_BUF, "%08" PRIx32, (uint32_t)va);
	else
		snprintf(buf, PS_ADDR_BUF, "%08" PRIx32 "`%08" PRIx32, (uint32_t)(va >> 32), (uint32_t)va);
	return buf;
}
