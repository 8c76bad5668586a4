/*
 * symbols.c - the symbol service's lifetime, symbol path, reload and
 * per-module state (symbols.h).
 *
 * Each module of the kernel view has one sym_module, in the kernel's list
 * order. A module is loaded (PDB or exports read) the first time someone
 * asks for its symbols; .reload forgets and loads again.
 */
#include "nt/symbols_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t symbols_module_index(const ps_symbols *s, const ps_module *m)
{
	if (!m)
		return (size_t)-1;
	for (size_t i = 0; i < s->nmods; i++)
		if (ps_kernel_module(s->kernel, i) == m)
			return i;
	/* A copy of a module record: match it by base. */
	for (size_t i = 0; i < s->nmods; i++)
		if (ps_kernel_module(s->kernel, i)->base == m->base)
			return i;
	return (size_t)-1;
}

const ps_module *symbols_nt(const ps_symbols *s)
{
	const ps_module *m = ps_kernel_module_at(s->kernel, ps_kernel_base(s->kernel));
	return m ? m : ps_kernel_module_named(s->kernel, "nt");
}

ps_status ps_symbols_open(ps_kernel *k, const char *sympath, ps_symbols **out, ps_error *err)
{
	const ps_dump_info *di;
	ps_symbols *s;
	ps_status st;

	*out = NULL;
	if (!k)
		return ps_error_set(err, PS_EARG, "ps_symbols_open: no kernel view");
	s = calloc(1, sizeof *s);
	if (!s)
		return ps_error_set(err, PS_ENOMEM, "out of memory for the symbol service");
	s->kernel = k;
	di = ps_dump_get_info(ps_kernel_dump(k));
	s->build = di->minor_version;
	s->arch = di->arch;
	s->pointer_size = di->arch == PS_ARCH_X64 ? 8 : 4;
	s->nmods = ps_kernel_module_count(k);
	s->mods = calloc(s->nmods ? s->nmods : 1, sizeof *s->mods);
	if (!s->mods) {
		size_t n = s->nmods;
		free(s);
		return ps_error_set(err, PS_ENOMEM, "out of memory for the symbols of %zu modules", n);
	}
	st = ps_sympath_parse(sympath, &s->path, err);
	if (st != PS_OK) {
		ps_symbols_close(s);
		return st;
	}
	*out = s;
	return PS_OK;
}

void ps_symbols_close(ps_symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmods; i++)
		symbols_unload_module(&s->mods[i]);
	free(s->mods);
	ps_sympath_free(s->path);
	free(s);
}

ps_status ps_symbols_set_path(ps_symbols *s, const char *sympath, ps_error *err)
{
	ps_sympath *fresh;
	ps_status st = ps_sympath_parse(sympath, &fresh, err);

	if (st != PS_OK)
		return st;
	ps_sympath_free(s->path);
	s->path = fresh;
	return PS_OK;
}

const char *ps_symbols_path(const ps_symbols *s)
{
	const char *t = s->path ? ps_sympath_text(s->path) : NULL;
	return t ? t : "";
}

/* A module by WinDbg name ("SIoctl") or image file name ("SIoctl.sys"). */
static size_t module_by_name(const ps_symbols *s, const char *name)
{
	size_t i = symbols_module_index(s, ps_kernel_module_named(s->kernel, name));

	if (i != (size_t)-1)
		return i;
	for (i = 0; i < s->nmods; i++)
		if (strcasecmp(ps_kernel_module(s->kernel, i)->image_name, name) == 0)
			return i;
	return (size_t)-1;
}

/* WinDbg's .reload defers loading: forgetting everything and loading the
 * kernel's symbols now keeps a reload over a slow symbol server short; the
 * other modules load when first asked for. */
ps_status ps_symbols_reload(ps_symbols *s, const char *module, FILE *log, ps_error *err)
{
	size_t i;

	if (module && *module) {
		i = module_by_name(s, module);
		if (i == (size_t)-1)
			return ps_error_set(err, PS_ENOTFOUND, "%s: no such module", module);
		symbols_unload_module(&s->mods[i]);
		symbols_load_module(s, i, log);
		return PS_OK;
	}
	for (i = 0; i < s->nmods; i++)
		symbols_unload_module(&s->mods[i]);
	i = symbols_module_index(s, symbols_nt(s));
	if (i != (size_t)-1)
		symbols_load_module(s, i, log);
	return PS_OK;
}

ps_status ps_symbols_module(ps_symbols *s, const ps_module *m, int load, ps_module_symbols *out)
{
	size_t i = symbols_module_index(s, m);

	memset(out, 0, sizeof *out);
	if (i == (size_t)-1)
		return PS_ENOTFOUND;
	if (!s->mods[i].loaded && load)
		symbols_load_module(s, i, NULL);
	if (!s->mods[i].loaded) {
		out->source = PS_SYMSRC_DEFERRED;
		return PS_OK;
	}
	*out = s->mods[i].info;
	return PS_OK;
}

ps_pdb *ps_symbols_module_pdb(ps_symbols *s, const ps_module *m)
{
	size_t i = symbols_module_index(s, m);

	if (i == (size_t)-1)
		return NULL;
	if (!s->mods[i].loaded)
		symbols_load_module(s, i, NULL);
	return s->mods[i].pdb;
}
