/*
 * cmd_pool_usage.h - `!poolused` and `!vm`: pool and memory usage as
 * WinDbg's kdexts extension prints them (cmd_poolused.c, cmd_vm.c).
 */
#ifndef PS_CMD_POOL_USAGE_H
#define PS_CMD_POOL_USAGE_H

#include <stdio.h>

#include "cmd/cmd.h"

/* !poolused [Flags [TagString]]. */
ps_status ps_cmd_poolused(ps_session *s, const char *cmd, const char *args, FILE *out);
/* !vm [Flags]. */
ps_status ps_cmd_vm(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
