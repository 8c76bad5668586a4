/*
 * cmd_findtag.h - `!findtag TAG`: which loaded image allocates pool with a
 * tag (no WinDbg equivalent; docs/findtag.md).
 */
#ifndef PS_CMD_FINDTAG_H
#define PS_CMD_FINDTAG_H

#include <stdio.h>

#include "cmd/cmd.h"

/* !findtag TAG: every loaded module's image, searched for TAG. */
ps_status ps_cmd_findtag(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
