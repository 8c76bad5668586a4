/*
 * symbols_lookup.c - names for addresses and addresses for names (ln, u,
 * x, expressions), and the prototypes ln prints under "Exact matches:".
 *
 * Within a module the table is sorted by RVA, so the nearest symbol is a
 * binary search; names have their own sorted index, compared
 * case-insensitively as WinDbg does by default (an exact-case match wins).
 */
#include "nt/symbols_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/format.h"
#include "core/wildcard.h"

static void fill(ps_symbols *s, size_t mi, const sym_entry *e, ps_symbol *out)
{
	const ps_module *m = ps_kernel_module(s->kernel, mi);

	memset(out, 0, sizeof *out);
	out->module = m;
	snprintf(out->name, sizeof out->name, "%s", e->name);
	out->address = m->base + e->rva;
	out->size = e->size;
	out->source = s->mods[mi].info.source;
	out->type_index = e->type_index;
}

ps_status ps_symbols_at(ps_symbols *s, uint64_t va, ps_symbol *sym, ps_symbol *next)
{
	const ps_module *m = ps_kernel_module_at(s->kernel, va);
	size_t mi = symbols_module_index(s, m), lo, hi, at;
	const sym_module *sm;
	uint64_t rva;

	if (mi == (size_t)-1)
		return PS_ENOTFOUND;
	symbols_build_table(s, mi);
	sm = &s->mods[mi];
	rva = va - m->base;
	if (rva > UINT32_MAX)
		return PS_ENOTFOUND;
	/* First entry above rva. */
	for (lo = 0, hi = sm->nsyms; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (sm->syms[mid].rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return PS_ENOTFOUND;
	/* Of several names at that address, the first (a procedure before its
	 * public, exports by name). */
	at = lo - 1;
	while (at > 0 && sm->syms[at - 1].rva == sm->syms[lo - 1].rva)
		at--;
	fill(s, mi, &sm->syms[at], sym);
	if (next) {
		if (lo < sm->nsyms)
			fill(s, mi, &sm->syms[lo], next);
		else
			memset(next, 0, sizeof *next);
	}
	return PS_OK;
}

/* Exact-case match first, else the first case-insensitive one. */
static const sym_entry *find_in_module(ps_symbols *s, size_t mi, const char *name)
{
	const sym_module *sm;
	const sym_entry *folded = NULL;
	size_t lo, hi;

	symbols_build_table(s, mi);
	sm = &s->mods[mi];
	for (lo = 0, hi = sm->nsyms; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcasecmp(sm->syms[sm->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sm->nsyms; lo++) {
		const sym_entry *e = &sm->syms[sm->by_name[lo]];
		if (strcasecmp(e->name, name) != 0)
			break;
		if (strcmp(e->name, name) == 0)
			return e;
		if (!folded)
			folded = e;
	}
	return folded;
}

ps_status ps_symbols_lookup(ps_symbols *s, const char *name, ps_symbol *out)
{
	const char *bang = strchr(name, '!');
	const sym_entry *e;
	size_t mi;

	memset(out, 0, sizeof *out);
	if (bang) {
		char module[260];
		size_t len = (size_t)(bang - name);
		if (len >= sizeof module)
			return PS_ENOTFOUND;
		memcpy(module, name, len);
		module[len] = '\0';
		mi = symbols_module_index(s, ps_kernel_module_named(s->kernel, module));
		if (mi == (size_t)-1 || !(e = find_in_module(s, mi, bang + 1)))
			return PS_ENOTFOUND;
		fill(s, mi, e, out);
		return PS_OK;
	}
	/* A bare name: the kernel first, then every module in list order. */
	mi = symbols_module_index(s, symbols_nt(s));
	if (mi != (size_t)-1 && (e = find_in_module(s, mi, name))) {
		fill(s, mi, e, out);
		return PS_OK;
	}
	for (size_t i = 0; i < s->nmods; i++) {
		if (i == mi)
			continue;
		if ((e = find_in_module(s, i, name))) {
			fill(s, i, e, out);
			return PS_OK;
		}
	}
	return PS_ENOTFOUND;
}

ps_status ps_symbols_match(ps_symbols *s, const char *module_pattern, const char *name_pattern,
			   ps_symbol_visit_fn fn, void *ctx)
{
	const char *mp = module_pattern && *module_pattern ? module_pattern : "*";
	const char *np = name_pattern && *name_pattern ? name_pattern : "*";
	int any_module = 0;

	for (size_t i = 0; i < s->nmods; i++) {
		const ps_module *m = ps_kernel_module(s->kernel, i);
		const sym_module *sm;
		if (!ps_wildcard_match(mp, m->name))
			continue;
		any_module = 1;
		symbols_build_table(s, i);
		sm = &s->mods[i];
		for (size_t j = 0; j < sm->nsyms; j++) {
			ps_symbol sym;
			if (!ps_wildcard_match(np, sm->syms[j].name))
				continue;
			fill(s, i, &sm->syms[j], &sym);
			if (fn(ctx, &sym))
				return PS_OK;
		}
	}
	return any_module ? PS_OK : PS_ENOTFOUND;
}

const char *ps_symbols_format(ps_symbols *s, uint64_t va, char *buf, size_t n)
{
	const ps_module *m = ps_kernel_module_at(s->kernel, va);
	ps_symbol sym;
	uint64_t off;

	if (!buf || !n)
		return "";
	if (!m) {
		char addr[PS_ADDR_BUF];
		snprintf(buf, n, "%s", ps_format_addr(addr, va, s->pointer_size));
		return buf;
	}
	if (ps_symbols_at(s, va, &sym, NULL) == PS_OK) {
		off = va - sym.address;
		if (off)
			snprintf(buf, n, "%s!%s+0x%" PRIx64, m->name, sym.name, off);
		else
			snprintf(buf, n, "%s!%s", m->name, sym.name);
		return buf;
	}
	/* No symbol before va: WinDbg falls back to module+offset. */
	off = va - m->base;
	if (off)
		snprintf(buf, n, "%s+0x%" PRIx64, m->name, off);
	else
		snprintf(buf, n, "%s", m->name);
	return buf;
}

ps_status ps_symbols_prototype(ps_symbols *s, const ps_symbol *sym, char *buf, size_t n)
{
	ps_pdb *pdb;
	ps_type t;
	ps_type_id *args = NULL;
	size_t nargs = 0, used = 0;
	ps_error err;
	ps_status st;

	if (!buf || n < 3)
		return PS_EARG;
	buf[0] = '\0';
	if (!sym || !sym->module || !sym->type_index || sym->source != PS_SYMSRC_PDB)
		return PS_ENOTFOUND;
	pdb = ps_symbols_module_pdb(s, sym->module);
	if (!pdb || ps_pdb_type(pdb, sym->type_index, &t, &err) != PS_OK ||
	    t.kind != PS_TYPE_PROCEDURE)
		return PS_ENOTFOUND;
	st = ps_pdb_procedure_args(pdb, sym->type_index, &args, &nargs, &err);
	if (st != PS_OK)
		return st;
	used = (size_t)snprintf(buf, n, "(");
	if (nargs == 0)
		used += (size_t)snprintf(buf + used, n - used, "void");
	for (size_t i = 0; i < nargs && used < n; i++) {
		char name[256];
		/* A trailing "no type" marks a variable argument list. */
		if (args[i] == 0)
			snprintf(name, sizeof name, "...");
		else if (ps_pdb_type_name(pdb, args[i], PS_TYPE_STYLE_C, name, sizeof name) != PS_OK)
			snprintf(name, sizeof name, "<type 0x%x>", (unsigned)args[i]);
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name);
	}
	free(args);
	if (used >= n - 1)
		return PS_ENOMEM;
	snprintf(buf + used, n - used, ")");
	return PS_OK;
}
