/*
 * cmd_dh.h - `!dh`: the headers of a PE image in the dump, as WinDbg's
 * extension prints them.
 */
#ifndef PS_CMD_DH_H
#define PS_CMD_DH_H

#include <stdio.h>

#include "cmd/cmd.h"

/* !dh [-f|-s|-a|-h] ADDRESS. */
ps_status ps_cmd_dh(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
