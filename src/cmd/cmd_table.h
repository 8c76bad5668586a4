/*
 * cmd_table.h - the command words the session dispatches, and the functions
 * behind them that live in this layer's command-family files.
 *
 * cmd_table.c maps a word ("db", "lmvm", "!vtop") to its function; session.c
 * asks it with ps_cmd_find. The `?` and `.formats` functions are declared in
 * cmd_eval.h.
 */
#ifndef PS_CMD_TABLE_H
#define PS_CMD_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "cmd/cmd.h"

/* The entry for a command word (the text up to the first blank or, for
 * words like "db" and "lm", where the arguments start). NULL when unknown.
 * *word_len receives how many characters of `line` the word takes. */
const ps_cmd_entry *ps_cmd_find(const char *line, size_t *word_len);

/* cmd_display.c: db dw dd dq dp dc da du and d. */
ps_status ps_cmd_display(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_search.c: s -b -w -d -q -a -u. */
ps_status ps_cmd_search(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_modules.c: lm and its option forms, !for_each_module. */
ps_status ps_cmd_lm(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_for_each_module(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_registers.c: r. */
ps_status ps_cmd_registers(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_target.c: .bugcheck, vertarget, q. */
ps_status ps_cmd_bugcheck(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_vertarget(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_quit(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_pte.c: !vtop and !pte. */
ps_status ps_cmd_vtop(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_pte(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
