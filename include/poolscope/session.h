/*
 * session.h - the cmd layer's entry point: a kd session over one dump.
 *
 * A session owns the dump, its kernel view and the command state. Commands
 * are given as text in WinDbg's kd language and print what WinDbg prints.
 */
#ifndef POOLSCOPE_SESSION_H
#define POOLSCOPE_SESSION_H

#include <stdio.h>

#include "poolscope/error.h"

typedef struct ps_session ps_session;

typedef struct ps_session_options {
	const char *symbol_path; /* -y, may be NULL */
	int quiet;               /* no banner */
	const char *tags_path;   /* --tags pooltag.txt, may be NULL (then $POOLTAG
	                            and the standard places, see pooltag.h) */
} ps_session_options;

/* Open `path`. Problems that leave a partial view print as warnings on
 * `diag` (may be NULL); only a dump that cannot be opened at all fails. */
ps_status ps_session_open(const char *path, const ps_session_options *opt, FILE *diag,
			  ps_session **out, ps_error *err);
void ps_session_close(ps_session *s);

/* Print the opening banner WinDbg-style (dump type, build, bugcheck...). */
void ps_session_banner(ps_session *s, FILE *out);

/* Run one line: commands separated by ';' (WinDbg splits on ';' outside
 * quotes). Output and command errors go to `out`. Returns the status of the
 * last command. */
ps_status ps_session_exec(ps_session *s, const char *line, FILE *out);

/* The prompt text, "0: kd> ". */
const char *ps_session_prompt(ps_session *s);

/* True after `q`. */
int ps_session_quit(const ps_session *s);

#endif
