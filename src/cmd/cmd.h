/*
 * cmd.h - what the command files of the cmd layer share: the session state
 * and the signature every command has.
 *
 * One file per command family (cmd_eval.c for ? and .formats, cmd_display.c
 * for d*, ...). Each exports ps_cmd_<name> functions that the table in
 * cmd_table.c maps from command words.
 */
#ifndef PS_CMD_H
#define PS_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "core/format.h"
#include "poolscope/dump.h"
#include "poolscope/error.h"
#include "poolscope/expr.h"
#include "poolscope/kernel.h"
#include "poolscope/pooltag.h"
#include "poolscope/session.h"
#include "poolscope/symbols.h"
#include "poolscope/vm.h"

struct ps_session {
	char *path;
	ps_dump *dump;
	ps_kernel *kernel;     /* may be NULL if the kernel view failed */
	ps_vm *vm;             /* kernel address space (owned by kernel or session) */
	ps_vm *own_vm;         /* set when the session had to create vm itself */
	unsigned cpu;          /* processor shown in the prompt */
	int quit;
	char prompt[32];
	ps_expr_env env;       /* expression environment bound to this session */
	/* Text substitutions for !for_each_module (@#Base etc.), NULL outside. */
	const char *const *alias_names;
	const char *const *alias_values;
	int alias_count;
	/* Where a d* command without a range continues: the last display
	 * command's word ("db", "dq"...) and the address after its output. */
	char last_display[4];
	uint64_t next_display;
	int have_next_display;
	int for_each_depth;    /* !for_each_module nesting, bounded */
	/* Where u without an address continues (the address after the last
	 * instruction u, ub or uf printed). */
	uint64_t next_unassemble;
	int have_next_unassemble;
	/* Names and types (NULL without a kernel view). The path comes from
	 * -y, else _NT_SYMBOL_PATH, and .sympath changes it. */
	ps_symbols *symbols;
	int sym_noisy;         /* !sym noisy: symbol loading reports each place tried */
	/* The pool tag database, loaded on first use (ps_cmd_tags). */
	char *tags_path;       /* --tags, NULL for the default search */
	ps_tagdb *tags;
	int tags_tried;
};

/* `args` is the text after the command word, leading blanks removed. The
 * command prints its output and its own error messages (WinDbg's wording)
 * to `out` and returns a status. */
typedef ps_status (*ps_cmd_fn)(ps_session *s, const char *cmd, const char *args, FILE *out);

typedef struct ps_cmd_entry {
	const char *name;      /* "db", "!vtop", ".formats", "?" */
	ps_cmd_fn fn;
	int prefix;            /* matches when the word starts with name (d*, s) */
} ps_cmd_entry;

/* Evaluate an expression in the session's environment; on failure prints
 * WinDbg's error (e.g. "Couldn't resolve error at 'foo'") and returns it. */
ps_status ps_cmd_eval(ps_session *s, const char *text, const char **end, uint64_t *value, FILE *out);

/* Address formatting as WinDbg prints it: 8 hex digits on x86,
 * "fffff804`7bdf5a80" on x64. buf must hold PS_ADDR_BUF bytes. */
const char *ps_cmd_fmt_addr(const ps_session *s, uint64_t va, char *buf);
unsigned ps_cmd_pointer_size(const ps_session *s);

/* The session's pooltag database, loaded the first time a command needs it;
 * NULL when none is found (commands then print WinDbg's UNKNOWN pooltag
 * text). A missing --tags file is reported once on `out`. */
const ps_tagdb *ps_cmd_tags(ps_session *s, FILE *out);

#endif
