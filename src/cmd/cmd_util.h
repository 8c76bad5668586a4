/*
 * cmd_util.h - helpers the command files share: address ranges as WinDbg
 * parses them, reading memory with holes, registers of the crash context,
 * and WinDbg's ways of printing times.
 */
#ifndef PS_CMD_UTIL_H
#define PS_CMD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cmd/cmd.h"

/* Ranges without L? may not exceed this many bytes (WinDbg's 256 MB). */
#define PS_CMD_RANGE_LIMIT 0x10000000u

typedef struct ps_cmd_range {
	uint64_t start;
	uint64_t count;      /* elements */
	int have_start;      /* an address was given */
	int have_count;      /* an end address or L count was given */
} ps_cmd_range;

/* Parse `start`, `start end` (end inclusive), `start L count`,
 * `start L?count` from `text`; `elem` is the element size used to convert an
 * end address into a count. Stops at the first word that cannot continue the
 * range and sets *end there. Prints WinDbg's error and fails on bad input;
 * an empty text gives have_start = 0. */
ps_status ps_cmd_parse_range(ps_session *s, const char *cmd, const char *text, unsigned elem,
			     ps_cmd_range *r, const char **end, FILE *out);

/* Read len bytes at va into buf; valid[i] says whether byte i could be read.
 * Returns how many bytes were readable. Holes are skipped page by page. */
size_t ps_cmd_read_span(ps_session *s, uint64_t va, uint8_t *buf, uint8_t *valid, size_t len);

/* Print "<message>" for a failed command in WinDbg's caret form:
 * "       ^ Syntax error in 'db 1 2 3'" with the caret under `at`. */
void ps_cmd_syntax_error(const ps_session *s, FILE *out, const char *kind, const char *cmd, const char *args,
			 const char *at);

const char *ps_cmd_skip_blanks(const char *p);

/* Registers of the crash context. PS_ENOTFOUND for an unknown name.
 * *bits receives the register's width (8, 16, 32 or 64). */
ps_status ps_cmd_register(const ps_session *s, const char *name, uint64_t *value, unsigned *bits);

/* Instruction pointer of the crash context, 0 if unknown. */
uint64_t ps_cmd_current_ip(const ps_session *s);

/* "Mon Apr 12 18:37:08 2010" in local time, as ctime writes it (no newline). */
const char *ps_cmd_fmt_ctime(time_t t, char *buf, size_t n);

/* Module containing va, or NULL (needs the kernel view). */
const ps_module *ps_cmd_module_at(const ps_session *s, uint64_t va);

/* One full line of a d* format ("db", "dW", "dc", "dq"...) at va, as the
 * search command prints its hits. */
void ps_cmd_display_line(ps_session *s, const char *word, uint64_t va, FILE *out);


#endif
