/*
 * cmd_symbols.h - names for addresses as the commands print them, and the
 * symbol commands (ln, x, .reload, .sympath, !sym; dt in cmd_dt.c).
 *
 * Every command that names an address (u, ub, uf, r, ln, the disassembler's
 * operands) asks here, so they all agree: "nt!ExAllocatePoolWithTag+0x1a"
 * from a PDB or the export table, "SIoctl+0x4323" inside a module without
 * symbols, nothing outside every module.
 */
#ifndef PS_CMD_SYMBOLS_H
#define PS_CMD_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/cmd.h"

/* The name of va into buf; returns 0 (buf empty) when va is in no module. */
int ps_cmd_symbol_name(ps_session *s, uint64_t va, char *buf, size_t n);

/* The same as a disassembler callback (ctx is the session). */
int ps_cmd_disasm_namer(void *ctx, uint64_t va, char *buf, size_t n);

/* True when a symbol starts exactly at va (u prints a label line there). */
int ps_cmd_symbol_starts_at(ps_session *s, uint64_t va);

/* The function around va: from its PDB procedure (start and size) or, on
 * x64, from the image's .pdata. Returns 0 when neither knows it. */
int ps_cmd_function_extent(ps_session *s, uint64_t va, uint64_t *start, uint64_t *end);

ps_status ps_cmd_ln(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_x(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_reload(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_sympath(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_sym(ps_session *s, const char *cmd, const char *args, FILE *out);
/* cmd_dt.c */
ps_status ps_cmd_dt(ps_session *s, const char *cmd, const char *args, FILE *out);

#endif
