/*
 * cmd_eval.h - the `?` (evaluate expression) and `.formats` commands.
 *
 * Both evaluate a MASM expression in the session's environment (s->env) and
 * print what WinDbg prints; neither needs the kernel view, so they work on
 * sessions whose s->kernel is NULL.
 */
#ifndef PS_CMD_EVAL_H
#define PS_CMD_EVAL_H

#include <stdio.h>

#include "cmd/cmd.h"

/* `? expr`: "Evaluate expression: 48 = 00000030" (x86) or
 * "Evaluate expression: 48 = 00000000`00000030" (x64). */
ps_status ps_cmd_evaluate(ps_session *s, const char *cmd, const char *args, FILE *out);

/* `.formats expr`: the value as hex, decimal, octal, binary, characters,
 * time stamp, float and double, in WinDbg's layout. */
ps_status ps_cmd_formats(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
