/*
 * pe_exports.c - the export directory of a PE image.
 *
 * IMAGE_EXPORT_DIRECTORY (PE/COFF spec, "The .edata Section"): Name at
 * +12, Base (the ordinal bias) at +16, NumberOfFunctions +20,
 * NumberOfNames +24, and the RVAs of three tables: the export address
 * table (one RVA a function, +28), the name pointer table (+32) and the
 * name ordinal table (16-bit indexes into the address table, +36). An
 * address-table RVA that points inside the export directory's own range is
 * a forwarder: the RVA of a "DLL.Name" or "DLL.#Ordinal" string. A
 * forwarder is only text here; nothing follows it, so forwarding loops
 * cannot make the reader loop.
 *
 * Counts come from the image, so they are bounded: at most 65536 entries
 * (name ordinals are 16 bits), and a table that starts inside the export
 * directory must also end inside it, as every linker lays it out.
 */
#include "poolscope/pe.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define EXPORT_DIR_SIZE 40
#define MAX_EXPORTS 65536u

typedef struct export_reader {
	ps_pe_read_fn read;
	void *ctx;
	uint32_t dir_rva, dir_size;
	ps_status first;       /* first failure, reported at the end */
	ps_error *err;
} export_reader;

/* Remember the first failure; later ones only add to the partial result. */
static void note(export_reader *r, ps_status st, const ps_error *e)
{
	if (r->first == PS_OK) {
		r->first = st;
		if (r->err && e)
			*r->err = *e;
	}
}

static int in_dir(const export_reader *r, uint32_t rva)
{
	return rva >= r->dir_rva && rva - r->dir_rva < r->dir_size;
}

/* How many `elem`-byte entries of a table at `rva` to read, given the
 * declared count: capped at MAX_EXPORTS and, for a table inside the
 * directory, at the directory's end. */
static uint32_t bounded_count(export_reader *r, const char *what, uint32_t rva, uint32_t declared,
			      uint32_t elem)
{
	uint32_t n = declared;
	ps_error e;

	if (n > MAX_EXPORTS) {
		ps_error_set(&e, PS_EFORMAT, "PE export directory at RVA 0x%x declares %u %s; at most %u are read",
			     r->dir_rva, declared, what, MAX_EXPORTS);
		note(r, PS_EFORMAT, &e);
		n = MAX_EXPORTS;
	}
	if (in_dir(r, rva)) {
		uint32_t fit = (r->dir_size - (rva - r->dir_rva)) / elem;
		if (n > fit) {
			ps_error_set(&e, PS_EFORMAT, "PE export directory at RVA 0x%x (0x%x bytes): %u %s at RVA 0x%x run past its end; %u are read",
				     r->dir_rva, r->dir_size, declared, what, rva, fit);
			note(r, PS_EFORMAT, &e);
			n = fit;
		}
	}
	return n;
}

static ps_status read_table(export_reader *r, const char *what, uint32_t rva, uint32_t n, uint32_t elem,
			    uint8_t **out)
{
	ps_error e;
	ps_status st;

	*out = NULL;
	if (n == 0)
		return PS_OK;
	*out = malloc((size_t)n * elem);
	if (!*out) {
		ps_error_set(&e, PS_ENOMEM, "PE export %s: out of memory for %u entries", what, n);
		note(r, PS_ENOMEM, &e);
		return PS_ENOMEM;
	}
	st = r->read(r->ctx, rva, *out, (size_t)n * elem);
	if (st != PS_OK) {
		ps_error_set(&e, st, "PE export %s at RVA 0x%x (%u entries) cannot be read: %s",
			     what, rva, n, ps_status_name(st));
		note(r, st, &e);
		free(*out);
		*out = NULL;
	}
	return st;
}

static int by_rva(const void *a, const void *b)
{
	const ps_pe_export *x = a, *y = b;
	int xf = x->forwarder[0] != '\0', yf = y->forwarder[0] != '\0';

	if (xf != yf)
		return xf - yf;
	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	if (x->ordinal != y->ordinal)
		return x->ordinal < y->ordinal ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Fill the RVA or forwarder of export `e` from address-table entry `fn`. */
static void set_target(export_reader *r, ps_pe_export *e, uint32_t fn)
{
	ps_error err;

	if (!in_dir(r, fn)) {
		e->rva = fn;
		return;
	}
	e->rva = 0;
	if (ps_pe_read_string(r->read, r->ctx, fn, e->forwarder, sizeof e->forwarder, &err) != PS_OK) {
		ps_error_prefix(&err, "PE export ordinal %u: forwarder: ", e->ordinal);
		note(r, err.status, &err);
	}
	/* An unreadable forwarder still is one: keep it recognisable. */
	if (e->forwarder[0] == '\0')
		strcpy(e->forwarder, "?");
}

ps_status ps_pe_read_exports(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_export **out, size_t *count, ps_error *err)
{
	export_reader r = { read, ctx, pe->directories[PS_PE_DIR_EXPORT].rva,
			    pe->directories[PS_PE_DIR_EXPORT].size, PS_OK, err };
	uint8_t dir[EXPORT_DIR_SIZE];
	uint8_t *functions = NULL, *names = NULL, *ordinals = NULL, *named = NULL;
	uint32_t base, nfun, nname, fun_rva, name_rva, ord_rva;
	ps_pe_export *list = NULL;
	size_t n = 0;
	ps_status st;

	*out = NULL;
	*count = 0;
	if (r.dir_rva == 0 || r.dir_size == 0)
		return ps_error_set(err, PS_ENOTFOUND, "PE image has no export directory");
	st = read(ctx, r.dir_rva, dir, sizeof dir);
	if (st != PS_OK)
		return ps_error_set(err, st, "PE export directory at RVA 0x%x cannot be read: %s",
				    r.dir_rva, ps_status_name(st));
	base = ps_le32(dir + 16);
	fun_rva = ps_le32(dir + 28);
	name_rva = ps_le32(dir + 32);
	ord_rva = ps_le32(dir + 36);
	nfun = bounded_count(&r, "functions", fun_rva, ps_le32(dir + 20), 4);
	nname = bounded_count(&r, "names", name_rva, ps_le32(dir + 24), 4);
	if (nname)
		nname = bounded_count(&r, "name ordinals", ord_rva, nname, 2);

	if (read_table(&r, "address table", fun_rva, nfun, 4, &functions) != PS_OK)
		nfun = 0;
	if (read_table(&r, "name pointer table", name_rva, nname, 4, &names) != PS_OK ||
	    read_table(&r, "name ordinal table", ord_rva, nname, 2, &ordinals) != PS_OK)
		nname = 0;

	/* One entry a name, plus one for each function no name points at. */
	list = calloc((size_t)nname + nfun + 1, sizeof *list);
	named = calloc((size_t)nfun + 1, 1);
	if (!list || !named) {
		free(list);
		list = NULL;
		st = ps_error_set(err, PS_ENOMEM, "PE export directory at RVA 0x%x: out of memory for %u exports",
				  r.dir_rva, nname + nfun);
		goto done;
	}
	for (uint32_t i = 0; i < nname; i++) {
		uint32_t idx = ps_le16(ordinals + 2 * i);
		ps_pe_export *e = &list[n];
		ps_error ne;

		if (idx >= nfun) {
			ps_error_set(&ne, PS_EFORMAT, "PE export name %u has ordinal index %u, beyond the %u functions",
				     i, idx, nfun);
			note(&r, PS_EFORMAT, &ne);
			continue;
		}
		e->ordinal = base + idx;
		if (ps_pe_read_string(read, ctx, ps_le32(names + 4 * i), e->name, sizeof e->name, &ne) != PS_OK) {
			ps_error_prefix(&ne, "PE export name %u (ordinal %u): ", i, e->ordinal);
			note(&r, ne.status, &ne);
			e->name[0] = '\0';
		}
		set_target(&r, e, ps_le32(functions + 4 * idx));
		named[idx] = 1;
		n++;
	}
	for (uint32_t idx = 0; idx < nfun; idx++) {
		uint32_t fn = ps_le32(functions + 4 * idx);
		/* Unused slots (gaps between ordinals) hold 0. */
		if (named[idx] || fn == 0)
			continue;
		list[n].ordinal = base + idx;
		set_target(&r, &list[n], fn);
		n++;
	}
	qsort(list, n, sizeof *list, by_rva);
	st = r.first;

done:
	free(functions);
	free(names);
	free(ordinals);
	free(named);
	if (list && n == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	*count = n;
	return st;
}
