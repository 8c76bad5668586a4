/*
 * cmd_findtag.c - `!findtag TAG` over every image loaded in the dump.
 *
 * Each module in the loaded-module list is read from the dump at its base
 * (ps_kernel_image_read: pages missing from the dump are skipped and the
 * report says how many) and searched with ps_findtag_scan. Names come from
 * the session's symbols: a PDB on the symbol path gives function names and
 * ranges ("SIoctl!SioctlFillBuffers+0x23"), otherwise module+offset or the
 * nearest export, as WinDbg would name the address.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_findtag.h"
#include "poolscope/findtag.h"

#define FT_MAX_MODULES 4096

typedef struct ft_module_ctx {
	ps_session *s;
	const ps_module *m;
} ft_module_ctx;

static int function_at(void *ctx, uint32_t rva, ps_findtag_function *out)
{
	ft_module_ctx *c = ctx;
	uint64_t va = c->m->base + rva;
	ps_symbol sym;

	if (!c->s->symbols || ps_symbols_at(c->s->symbols, va, &sym, NULL) != PS_OK)
		return 0;
	if (sym.source != PS_SYMSRC_PDB || !sym.size || sym.address > va || va - sym.address >= sym.size ||
	    sym.address < c->m->base)
		return 0;
	out->rva = (uint32_t)(sym.address - c->m->base);
	out->size = (uint32_t)sym.size;
	snprintf(out->name, sizeof out->name, "%.127s", sym.name);
	return 1;
}

static const char *name_at(void *ctx, uint32_t rva, char *buf, size_t n)
{
	ft_module_ctx *c = ctx;

	if (c->s->symbols)
		return ps_symbols_format(c->s->symbols, c->m->base + rva, buf, n);
	snprintf(buf, n, "%s+0x%x", c->m->name, rva);
	return buf;
}

static const char *why(ps_status st, const ps_error *err)
{
	if (st == PS_ENOTPRESENT || st == PS_EINVALID || st == PS_EPAGEDOUT)
		return "its headers are not in the dump";
	return err->message[0] ? err->message : ps_status_name(st);
}

ps_status ps_cmd_findtag(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	char word[32];
	size_t n = 0, count;
	uint32_t tag;
	ps_error err;
	ps_findtag_result *results;
	ps_findtag_report_image *rep;
	ft_module_ctx *ctx;
	ps_kernel_image_reader *readers;
	char (*errors)[PS_ERROR_MESSAGE_MAX];

	(void)cmd;
	while (args[n] && args[n] != ' ' && args[n] != '\t' && n + 1 < sizeof word) {
		word[n] = args[n];
		n++;
	}
	word[n] = 0;
	ps_error_clear(&err);
	if (!n || ps_findtag_parse_tag(word, &tag, &err) != PS_OK) {
		if (n)
			fprintf(out, "!findtag: %s\n", err.message);
		fprintf(out, "Usage: !findtag TAG   (TAG: up to 4 characters, or 0x hex)\n");
		return PS_EARG;
	}
	if (!s->kernel) {
		fprintf(out, "!findtag: no kernel view of this dump, no module list to search\n");
		return PS_ENOTFOUND;
	}
	count = ps_kernel_module_count(s->kernel);
	if (count > FT_MAX_MODULES)
		count = FT_MAX_MODULES;
	results = calloc(count ? count : 1, sizeof *results);
	rep = calloc(count ? count : 1, sizeof *rep);
	ctx = calloc(count ? count : 1, sizeof *ctx);
	readers = calloc(count ? count : 1, sizeof *readers);
	errors = calloc(count ? count : 1, sizeof *errors);
	if (!results || !rep || !ctx || !readers || !errors) {
		free(results);
		free(rep);
		free(ctx);
		free(readers);
		free(errors);
		fprintf(out, "!findtag: out of memory\n");
		return PS_ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		const ps_module *m = ps_kernel_module(s->kernel, i);
		ps_findtag_image img;
		ps_status st;

		ctx[i].s = s;
		ctx[i].m = m;
		readers[i].kernel = s->kernel;
		readers[i].base = m->base;
		readers[i].size = m->size;
		memset(&img, 0, sizeof img);
		img.name = m->image_name[0] ? m->image_name : m->name;
		img.read = ps_kernel_image_read;
		img.read_ctx = &readers[i];
		img.base = m->base;
		img.size_limit = m->size;
		img.function_at = function_at;
		img.function_ctx = &ctx[i];
		rep[i].image_name = img.name;
		rep[i].name = name_at;
		rep[i].name_ctx = &ctx[i];
		ps_error_clear(&err);
		st = ps_findtag_scan(&img, tag, &results[i], &err);
		if (st == PS_OK) {
			rep[i].result = &results[i];
		} else {
			snprintf(errors[i], sizeof errors[i], "%s", why(st, &err));
			rep[i].error = errors[i];
		}
	}
	ps_findtag_report(out, tag, rep, count, "the dump");
	for (size_t i = 0; i < count; i++)
		ps_findtag_result_free(&results[i]);
	free(results);
	free(rep);
	free(ctx);
	free(readers);
	free(errors);
	return PS_OK;
}
