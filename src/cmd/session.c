/*
 * session.c - a kd session over one dump: open the dump and its kernel view,
 * bind the expression environment, split command lines and dispatch them.
 *
 * A dump whose kernel view cannot be built (no KDBG, a broken module list)
 * still opens: the session keeps the dump and a kernel-space reader so that
 * memory, registers and the bug check remain available, and it says so on
 * the diagnostic stream.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/bytes.h"
#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

/* A line longer than this is refused rather than split. */
#define SESSION_LINE_MAX 65536

/* ---- the expression environment ---------------------------------------- */

static ps_status env_read(void *ctx, uint64_t va, void *buf, size_t len, ps_error *err)
{
	ps_session *s = ctx;

	if (!s->vm)
		return ps_error_set(err, PS_ENOTPRESENT, "Memory access error");
	return ps_vm_read(s->vm, va, buf, len, NULL, err);
}

static ps_status env_reg(void *ctx, const char *name, uint64_t *value)
{
	return ps_cmd_register(ctx, name, value, NULL);
}

/* A module name gives its base ("nt", "SIoctl"); anything else is a
 * symbol: "nt!ExAllocatePoolWithTag", or a bare name searched in every
 * module, nt first, as WinDbg does. */
static ps_status env_symbol(void *ctx, const char *name, uint64_t *value)
{
	ps_session *s = ctx;
	const ps_module *m;
	ps_symbol sym;

	if (!s->kernel)
		return PS_ENOTFOUND;
	m = ps_kernel_module_named(s->kernel, name);
	if (m) {
		*value = m->base;
		return PS_OK;
	}
	if (!s->symbols || ps_symbols_lookup(s->symbols, name, &sym) != PS_OK)
		return PS_ENOTFOUND;
	*value = sym.address;
	return PS_OK;
}

/* ---- open and close ---------------------------------------------------- */

static void print_warnings(FILE *diag, const char *(*get)(const void *, size_t),
			   const void *obj, size_t count)
{
	size_t i;

	if (!diag)
		return;
	for (i = 0; i < count; i++)
		fprintf(diag, "WARNING: %s\n", get(obj, i));
}

static const char *dump_warning(const void *d, size_t i)
{
	return ps_dump_warning(d, i);
}

static const char *kernel_warning(const void *k, size_t i)
{
	return ps_kernel_warning(k, i);
}

/* What WinDbg prints when a dump's KdDebuggerDataBlock cannot be used
 * (dbgeng's target-data check, as printed on loading such a dump). */
static void kdbg_corrupt(FILE *diag, const char *why)
{
	static const char stars[] =
		"**************************************************************************";

	if (!diag)
		return;
	fprintf(diag, "%s\nTHIS DUMP FILE IS PARTIALLY CORRUPT.\n"
		      "KdDebuggerDataBlock is not present or unreadable.\n%s\n", stars, stars);
	if (why[0])
		fprintf(diag, "WARNING: %s\n", why);
}

/* Start the symbols afresh after an attempt to decode KDBG: they hold
 * module pointers (a new module list needs new ones) and the kernel base,
 * and looking the three names up loaded nt's symbols, which the session
 * should show as deferred, as it does for a dump whose KDBG was clear. */
static void reopen_symbols(ps_session *s, const char *sympath, FILE *diag)
{
	ps_error e;

	ps_symbols_close(s->symbols);
	s->symbols = NULL;
	ps_error_clear(&e);
	if (ps_symbols_open(s->kernel, sympath, &s->symbols, &e) != PS_OK) {
		s->symbols = NULL;
		if (diag)
			fprintf(diag, "WARNING: symbol path '%s': %s\n", sympath ? sympath : "", e.message);
	}
}

/* Windows 8+ x64 keeps KDBG encoded in memory; with the kernel's PDB the
 * three values that decode it are at hand (formats.md §2.4). Without them
 * the kernel's own warning says decoding needs symbols; when they do not
 * decode the block, the kernel's warning says why. -1 when the caller is
 * to print dbgeng's banner, with `why` (may be empty) beside it. */
static int decode_kdbg(ps_session *s, char *why, size_t why_size)
{
	static const char *const names[] = { "nt!KiWaitNever", "nt!KiWaitAlways", "nt!KdpDataBlockEncoded" };
	uint64_t addr[3], value[2];
	uint8_t raw[8];
	ps_symbol sym;
	ps_error e;

	for (int i = 0; i < 3; i++) {
		if (ps_symbols_lookup(s->symbols, names[i], &sym) != PS_OK)
			return 0;
		addr[i] = sym.address;
	}
	for (int i = 0; i < 2; i++) {
		ps_error_clear(&e);
		if (ps_vm_read(s->vm, addr[i], raw, 8, NULL, &e) != PS_OK) {
			char a[20];

			snprintf(why, why_size, "cannot decode KDBG: %s at %s cannot be read: %s", names[i],
				 ps_format_addr(a, addr[i], 8), e.message);
			return -1;
		}
		value[i] = ps_le64(raw);
	}
	ps_error_clear(&e);
	return ps_kernel_decode_kdbg(s->kernel, value[0], value[1], addr[2], NULL, &e) == PS_OK ? 0 : -1;
}

ps_status ps_session_open(const char *path, const ps_session_options *opt, FILE *diag,
			  ps_session **out, ps_error *err)
{
	ps_session *s;
	ps_status st;
	ps_error kerr;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory opening a session", path);
	s->path = strdup(path);
	if (!s->path) {
		free(s);
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory opening a session", path);
	}
	st = ps_dump_open(path, &s->dump, err);
	if (st != PS_OK) {
		free(s->path);
		free(s);
		return st;
	}
	print_warnings(diag, dump_warning, s->dump, ps_dump_warning_count(s->dump));

	ps_error_clear(&kerr);
	st = ps_kernel_open(s->dump, &s->kernel, &kerr);
	if (st == PS_OK) {
		/* Its warnings are printed once KDBG had its chance to decode. */
		s->vm = ps_kernel_vm(s->kernel);
	} else {
		s->kernel = NULL;
		if (diag)
			fprintf(diag, "WARNING: no kernel view of %s: %s\n", path, kerr.message);
		ps_error_clear(&kerr);
		if (ps_vm_create_kernel(s->dump, &s->own_vm, &kerr) == PS_OK) {
			s->vm = s->own_vm;
			if (diag)
				fprintf(diag, "WARNING: continuing with the dump's memory only "
					      "(no modules)\n");
		} else if (diag) {
			fprintf(diag, "WARNING: no virtual memory view of %s: %s\n", path,
				kerr.message);
		}
	}

	if (s->kernel) {
		const char *sympath = opt && opt->symbol_path ? opt->symbol_path : getenv("_NT_SYMBOL_PATH");

		ps_error_clear(&kerr);
		if (ps_symbols_open(s->kernel, sympath, &s->symbols, &kerr) != PS_OK) {
			s->symbols = NULL;
			if (diag)
				fprintf(diag, "WARNING: symbol path '%s': %s\n", sympath ? sympath : "",
					kerr.message);
		}
		char why[PS_ERROR_MESSAGE_MAX + 64] = "";
		int failed = 0;

		if (s->symbols && ps_kernel_kdbg_encoded(s->kernel)) {
			failed = decode_kdbg(s, why, sizeof why) < 0;
			reopen_symbols(s, sympath, diag);
		}

		print_warnings(diag, kernel_warning, s->kernel, ps_kernel_warning_count(s->kernel));
		if (failed)
			kdbg_corrupt(diag, why);
	}
	if (opt && opt->tags_path && !(s->tags_path = strdup(opt->tags_path))) {
		ps_session_close(s);
		return ps_error_set(err, PS_ENOMEM, "out of memory");
	}
	s->cpu = 0;
	snprintf(s->prompt, sizeof(s->prompt), "%u: kd> ", s->cpu);
	s->env.ctx = s;
	s->env.pointer_size = ps_cmd_pointer_size(s);
	s->env.read = s->vm ? env_read : NULL;
	s->env.reg = env_reg;
	s->env.symbol = env_symbol;
	*out = s;
	return PS_OK;
}

void ps_session_close(ps_session *s)
{
	if (!s)
		return;
	if (s->symbols)
		ps_symbols_close(s->symbols);
	ps_tagdb_free(s->tags);
	free(s->tags_path);
	if (s->kernel)
		ps_kernel_close(s->kernel);
	if (s->own_vm)
		ps_vm_destroy(s->own_vm);
	if (s->dump)
		ps_dump_close(s->dump);
	free(s->path);
	free(s);
}

const ps_tagdb *ps_cmd_tags(ps_session *s, FILE *out)
{
	ps_error err;

	if (!s->tags_tried) {
		s->tags_tried = 1;
		ps_error_clear(&err);
		if (ps_tagdb_open_default(s->tags_path, &s->tags, NULL, 0, &err) != PS_OK) {
			s->tags = NULL;
			/* Only an explicit file is worth a message; without one,
			 * WinDbg too just prints UNKNOWN pooltag. */
			if (s->tags_path && out)
				fprintf(out, "pooltag.txt: %s\n", err.message);
		}
	}
	return s->tags;
}

const char *ps_session_prompt(ps_session *s)
{
	return s->prompt;
}

int ps_session_quit(const ps_session *s)
{
	return s->quit;
}

/* WinDbg's second banner line for each kind of dump. */
static const char *dump_kind(const ps_dump_info *info)
{
	switch (info->dump_type) {
	case PS_DUMPTYPE_TRIAGE:
		return "Mini Kernel Dump File: Only registers and stack trace are available";
	case PS_DUMPTYPE_FULL:
		return "Kernel Complete Dump File: Full address space is available";
	case PS_DUMPTYPE_SUMMARY:
		return "Kernel Summary Dump File: Only kernel address space is available";
	case PS_DUMPTYPE_BITMAP:
	case PS_DUMPTYPE_BITMAP_LIVE:
		if (info->bitmap_signature == 0x504D4446u) /* 'FDMP' */
			return "Kernel Bitmap Dump File: Full address space is available";
		return "Kernel Bitmap Dump File: Kernel address space is available, "
		       "User address space may not be available.";
	default:
		return "Kernel Dump File: Only registers and stack trace are available";
	}
}

void ps_session_banner(ps_session *s, FILE *out)
{
	const ps_dump_info *info = ps_dump_get_info(s->dump);

	fprintf(out, "\nLoading Dump File [%s]\n%s\n\n", s->path, dump_kind(info));
	{
		const char *path = s->symbols ? ps_symbols_path(s->symbols) : NULL;

		fprintf(out, "Symbol search path is: %s\n", path && *path ? path : "*** Invalid ***");
	}
	fprintf(out, "Executable search path is: \n");
	ps_cmd_vertarget(s, "vertarget", "", out);
}

/* ---- dispatch ------------------------------------------------------------ */

static ps_status run_one(ps_session *s, char *text, FILE *out)
{
	const ps_cmd_entry *e;
	size_t word_len;
	char word[64];
	const char *args;

	while (*text == ' ' || *text == '\t')
		text++;
	/* Trailing blanks are not part of the arguments. */
	{
		size_t n = strlen(text);

		while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r' ||
				 text[n - 1] == '\n'))
			text[--n] = 0;
	}
	if (!*text)
		return PS_OK;
	/* "$$" starts a comment that runs to the end of the command. */
	if (text[0] == '$' && text[1] == '$')
		return PS_OK;
	e = ps_cmd_find(text, &word_len);
	if (word_len >= sizeof(word))
		word_len = sizeof(word) - 1;
	memcpy(word, text, word_len);
	word[word_len] = 0;
	args = ps_cmd_skip_blanks(text + word_len);
	if (!e) {
		if (word[0] == '!') {
			fprintf(out, "No export %s found\n", word + 1);
		} else {
			fprintf(out, "%*s^ Syntax error in '%s'\n", (int)strlen(s->prompt), "", text);
		}
		return PS_EARG;
	}
	return e->fn(s, word, args, out);
}

ps_status ps_session_exec(ps_session *s, const char *line, FILE *out)
{
	ps_status last = PS_OK;
	size_t len = strlen(line);
	char *copy, *start, *p;
	char quote = 0;

	if (len > SESSION_LINE_MAX) {
		fprintf(out, "Command line too long (%zu characters)\n", len);
		return PS_EARG;
	}
	copy = malloc(len + 1);
	if (!copy) {
		fprintf(out, "Out of memory\n");
		return PS_ENOMEM;
	}
	memcpy(copy, line, len + 1);
	start = copy;
	for (p = copy;; p++) {
		if (*p == '"' || *p == '\'') {
			if (!quote)
				quote = *p;
			else if (quote == *p)
				quote = 0;
			continue;
		}
		if (*p == '\\' && quote && p[1]) {
			p++;
			continue;
		}
		if (*p == 0 || (*p == ';' && !quote)) {
			int at_end = *p == 0;

			*p = 0;
			last = run_one(s, start, out);
			fflush(out);
			if (at_end || s->quit)
				break;
			start = p + 1;
		}
	}
	free(copy);
	return last;
}
