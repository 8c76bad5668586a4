/*
 * cmd_symbols.c - names for addresses in a session (see cmd_symbols.h) and
 * the symbol commands: ln, x, .reload, .sympath, !sym.
 *
 * Names come from the session's symbol service (nt/symbols.c): a PDB when
 * the symbol path has the module's, else its export table. Inside a module
 * without a symbol before the address WinDbg writes the module and the
 * offset from its base, "SIoctl+0x4323"; outside every module, nothing.
 *
 * Layouts, from WinDbg's kd output:
 *   ln:  "(82f37bab)   nt!ExAllocatePoolWithTag   |  (82f38660)   nt!ExDeferredFreePool"
 *        then, when the address is a symbol's own, "Exact matches:" and
 *        "    nt!ExAllocatePoolWithTag (_POOL_TYPE, unsigned long, unsigned long)"
 *        ("(<no parameter info>)" without a type, "= <no type information>"
 *        for data).
 *   x:   the address left-aligned in 17 columns, a blank, the name and the
 *        same suffix: "82f37bab          nt!ExAllocatePoolWithTag (...)".
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_symbols.h"
#include "cmd/cmd_util.h"

int ps_cmd_symbol_name(ps_session *s, uint64_t va, char *buf, size_t n)
{
	const ps_module *m = ps_cmd_module_at(s, va);

	if (n)
		buf[0] = 0;
	if (!m)
		return 0;
	if (s->symbols) {
		ps_symbols_format(s->symbols, va, buf, n);
		return 1;
	}
	if (va == m->base)
		snprintf(buf, n, "%s", m->name);
	else
		snprintf(buf, n, "%s+0x%" PRIx64, m->name, va - m->base);
	return 1;
}

int ps_cmd_disasm_namer(void *ctx, uint64_t va, char *buf, size_t n)
{
	return ps_cmd_symbol_name(ctx, va, buf, n);
}

int ps_cmd_symbol_starts_at(ps_session *s, uint64_t va)
{
	ps_symbol sym;

	return s->symbols && ps_cmd_module_at(s, va) &&
	       ps_symbols_at(s->symbols, va, &sym, NULL) == PS_OK && sym.address == va;
}

/* The .pdata entry of an x64 image that covers va. */
static int pdata_extent(ps_session *s, const ps_module *m, uint64_t va, uint64_t *start, uint64_t *end)
{
	ps_kernel_image_reader reader;
	ps_pe pe;
	ps_pe_runtime_function *rf = NULL;
	size_t count = 0, lo = 0, hi;
	uint32_t rva = (uint32_t)(va - m->base);
	int found = 0;

	memset(&reader, 0, sizeof(reader));
	reader.kernel = s->kernel;
	reader.base = m->base;
	reader.size = m->size;
	if (ps_pe_parse_headers(ps_kernel_image_read, &reader, &pe, NULL) != PS_OK || !pe.is_pe32_plus)
		return 0;
	if (ps_pe_read_pdata(ps_kernel_image_read, &reader, &pe, &rf, &count, NULL) != PS_OK)
		return 0;
	/* Entries are sorted by address (the loader's binary search needs
	 * it); search, then check rather than trust. */
	hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rf[mid].end_rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < count && rf[lo].begin_rva <= rva && rva < rf[lo].end_rva) {
		*start = m->base + rf[lo].begin_rva;
		*end = m->base + rf[lo].end_rva;
		found = 1;
	}
	free(rf);
	return found;
}

int ps_cmd_function_extent(ps_session *s, uint64_t va, uint64_t *start, uint64_t *end)
{
	const ps_module *m = ps_cmd_module_at(s, va);
	ps_symbol sym;

	if (!m || !s->kernel)
		return 0;
	/* A PDB procedure knows its length. */
	if (s->symbols && ps_symbols_at(s->symbols, va, &sym, NULL) == PS_OK && sym.size &&
	    va - sym.address < sym.size) {
		*start = sym.address;
		*end = sym.address + sym.size;
		return 1;
	}
	return pdata_extent(s, m, va, start, end);
}

/* ---- what follows a symbol's name in ln and x ----------------------------- */

static int symbol_is_data(ps_session *s, const ps_symbol *sym)
{
	ps_pdb *pdb;
	const ps_pdb_symbol *ps;

	if (sym->source != PS_SYMSRC_PDB || !sym->module)
		return 0;
	pdb = ps_symbols_module_pdb(s->symbols, sym->module);
	ps = pdb ? ps_pdb_symbol_named(pdb, sym->name) : NULL;
	return ps && !ps->is_code;
}

/* " (_POOL_TYPE, unsigned long, unsigned long)", " (<no parameter info>)"
 * or " = <no type information>". */
static void symbol_suffix(ps_session *s, const ps_symbol *sym, char *buf, size_t n)
{
	char proto[512];

	if (ps_symbols_prototype(s->symbols, sym, proto, sizeof(proto)) == PS_OK)
		snprintf(buf, n, " %s", proto);
	else if (symbol_is_data(s, sym))
		snprintf(buf, n, " = <no type information>");
	else
		snprintf(buf, n, " (<no parameter info>)");
}

/* ---- ln ------------------------------------------------------------------ */

ps_status ps_cmd_ln(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args), *after;
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF], suffix[600];
	ps_symbol sym, next;
	const ps_module *m;
	uint64_t va;
	ps_status st;

	if (*p) {
		st = ps_cmd_eval(s, p, &after, &va, out);
		if (st != PS_OK)
			return st;
		if (*ps_cmd_skip_blanks(after)) {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, ps_cmd_skip_blanks(after));
			return PS_EARG;
		}
	} else {
		va = ps_cmd_current_ip(s);
	}
	if (ps_cmd_pointer_size(s) == 4)
		va &= 0xffffffffu;
	else if (s->vm)
		va = ps_vm_canonical(s->vm, va);
	m = ps_cmd_module_at(s, va);
	if (!m || !s->symbols)
		return PS_OK; /* WinDbg prints nothing for an address in no module */
	if (ps_symbols_at(s->symbols, va, &sym, &next) != PS_OK) {
		/* A module without symbols: its base, named by the module. */
		fprintf(out, "(%s)   %s+0x%" PRIx64 "\n", ps_cmd_fmt_addr(s, m->base, a), m->name,
			va - m->base);
		return PS_OK;
	}
	fprintf(out, "(%s)   %s!%s", ps_cmd_fmt_addr(s, sym.address, a), m->name, sym.name);
	if (va != sym.address)
		fprintf(out, "+0x%" PRIx64, va - sym.address);
	if (next.module)
		fprintf(out, "   |  (%s)   %s!%s", ps_cmd_fmt_addr(s, next.address, b), next.module->name,
			next.name);
	fputc('\n', out);
	if (va == sym.address) {
		symbol_suffix(s, &sym, suffix, sizeof(suffix));
		fprintf(out, "Exact matches:\n    %s!%s%s\n", m->name, sym.name, suffix);
	}
	return PS_OK;
}

/* ---- x ------------------------------------------------------------------- */

typedef struct x_ctx {
	ps_session *s;
	FILE *out;
	size_t count;
} x_ctx;

#define X_MAX_LINES 100000

static int x_visit(void *ctx, const ps_symbol *sym)
{
	x_ctx *x = ctx;
	char a[PS_ADDR_BUF], suffix[600];

	symbol_suffix(x->s, sym, suffix, sizeof(suffix));
	fprintf(x->out, "%-17s %s!%s%s\n", ps_cmd_fmt_addr(x->s, sym->address, a), sym->module->name,
		sym->name, suffix);
	return ++x->count >= X_MAX_LINES;
}

ps_status ps_cmd_x(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args);
	char module[128], name[512];
	const char *bang;
	size_t len;
	x_ctx x;

	/* Sorting and display options change nothing in this output's
	 * columns; accept the common ones. */
	while (*p == '/') {
		if (!strchr("aAnNzZvtpq0123", p[1]) || !p[1]) {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return PS_EARG;
		}
		p = ps_cmd_skip_blanks(p + 2);
	}
	if (!*p) {
		fprintf(out, "Usage: x [options] Module!Symbol\n");
		return PS_EARG;
	}
	bang = strchr(p, '!');
	if (bang) {
		len = (size_t)(bang - p);
		if (len >= sizeof(module))
			len = sizeof(module) - 1;
		memcpy(module, p, len);
		module[len] = 0;
		snprintf(name, sizeof(name), "%s", bang + 1);
	} else {
		/* Without a module WinDbg looks at the current scope's locals;
		 * a dump has none, so search every module. */
		snprintf(module, sizeof(module), "*");
		snprintf(name, sizeof(name), "%s", p);
	}
	len = strlen(name);
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		name[--len] = 0;
	if (!s->symbols)
		return PS_OK;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.out = out;
	if (ps_symbols_match(s->symbols, module, name, x_visit, &x) == PS_ENOTFOUND)
		fprintf(out, "Couldn't resolve error at '%s'\n", p);
	return PS_OK;
}

/* ---- .reload, .sympath, !sym ------------------------------------------------ */

static void print_note(FILE *out, const ps_module_symbols *ms)
{
	if (ms->note[0])
		fprintf(out, "%s\n", ms->note);
}

/* .reload [/f] [/v] [module]: forget the symbols (of one module) so they
 * load again; /f loads them now and prints what loading says. */
ps_status ps_cmd_reload(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args);
	char module[260] = "";
	int force = 0, verbose = s->sym_noisy;
	ps_error err;
	size_t i, count;

	while (*p == '/') {
		if (p[1] == 'f')
			force = 1;
		else if (p[1] == 'v')
			verbose = 1;
		else if (!p[1] || !strchr("nusi", p[1])) {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return PS_EARG;
		}
		p = ps_cmd_skip_blanks(p + 2);
	}
	if (*p) {
		size_t n = 0;

		while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '=' && n + 1 < sizeof(module))
			n++;
		memcpy(module, p, n);
		module[n] = 0;
	}
	if (!s->symbols || !s->kernel) {
		fprintf(out, "No kernel view: no symbols to load\n");
		return PS_ENOTFOUND;
	}
	ps_error_clear(&err);
	if (!module[0])
		fprintf(out, "Loading Kernel Symbols\n");
	if (ps_symbols_reload(s->symbols, module[0] ? module : NULL, verbose ? out : NULL, &err) !=
	    PS_OK) {
		fprintf(out, "%s\n", err.message);
		return err.status;
	}
	count = ps_kernel_module_count(s->kernel);
	if (!module[0]) {
		for (i = 0; i < count; i++)
			fputc('.', out);
		fputc('\n', out);
	}
	if (!force && !module[0])
		return PS_OK;
	for (i = 0; i < count; i++) {
		const ps_module *m = ps_kernel_module(s->kernel, i);
		ps_module_symbols ms;

		if (!m || (module[0] && strcasecmp(m->name, module) != 0 &&
			   strcasecmp(m->image_name, module) != 0))
			continue;
		if (ps_symbols_module(s->symbols, m, 1, &ms) == PS_OK)
			print_note(out, &ms);
	}
	return PS_OK;
}

ps_status ps_cmd_sympath(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args);
	int append = cmd[8] == '+';
	ps_error err;

	if (!s->symbols) {
		fprintf(out, "No kernel view: no symbol path\n");
		return PS_ENOTFOUND;
	}
	if (*p || append) {
		const char *old = ps_symbols_path(s->symbols);
		size_t n = strlen(old) + strlen(p) + 2;
		char *text = malloc(n);

		if (!text) {
			fprintf(out, "Out of memory\n");
			return PS_ENOMEM;
		}
		if (append && *old)
			snprintf(text, n, "%s;%s", old, p);
		else
			snprintf(text, n, "%s", p);
		ps_error_clear(&err);
		if (ps_symbols_set_path(s->symbols, text, &err) != PS_OK) {
			fprintf(out, "%s\n", err.message);
			free(text);
			return err.status;
		}
		free(text);
	}
	fprintf(out, "Symbol search path is: %s\n", *ps_symbols_path(s->symbols) ? ps_symbols_path(s->symbols) : "<empty>");
	fprintf(out, "Expanded Symbol search path is: %s\n", ps_symbols_path(s->symbols));
	return PS_OK;
}

ps_status ps_cmd_sym(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args);

	if (strcmp(p, "noisy") == 0) {
		s->sym_noisy = 1;
		fprintf(out, "noisy mode - symbol prompts on\n");
	} else if (strcmp(p, "quiet") == 0) {
		s->sym_noisy = 0;
		fprintf(out, "quiet mode - symbol prompts on\n");
	} else if (!*p) {
		fprintf(out, "%s mode - symbol prompts on\n", s->sym_noisy ? "noisy" : "quiet");
	} else {
		fprintf(out, "!sym: unknown option '%s' (noisy, quiet)\n", p);
		(void)cmd;
		return PS_EARG;
	}
	return PS_OK;
}
