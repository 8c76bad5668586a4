/*
 * symbols_load.c - reading one module's symbols.
 *
 * The image mapped in the dump gives its headers, CodeView record (PDB
 * name, GUID, age) and export table. The symbol path is searched for a PDB
 * whose info stream has the same GUID and age (a candidate that does not
 * match is passed over, as DbgHelp passes over a "mismatched pdb"); without
 * one the exports stand in. What WinDbg would print about it is kept as the
 * module's note.
 */
#include "nt/symbols_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes.h"

/* IMAGE_EXPORT_DIRECTORY.Name: the RVA of the image's own name
 * (PE/COFF specification, "Export Directory Table", offset 12). */
#define EXPORT_DIR_NAME_OFFSET 12
/* Largest image file read from a symbol store (ntoskrnl is ~10 MiB). */
#define IMAGE_FILE_MAX (256L << 20)

void symbols_unload_module(sym_module *sm)
{
	ps_pdb_close(sm->pdb);
	free(sm->exports);
	free(sm->syms);
	free(sm->by_name);
	memset(sm, 0, sizeof *sm);
}

struct pdb_match {
	const ps_pe_codeview *cv;
	ps_pdb *pdb;        /* the accepted candidate, left open */
	FILE *log;
};

/* ps_sympath_verify_fn: open the candidate and compare its identity. */
static int pdb_matches(void *ctx, const char *path)
{
	struct pdb_match *pm = ctx;
	uint8_t guid[16];
	uint32_t age;
	ps_pdb *pdb;
	ps_error err;

	if (ps_pdb_open(path, &pdb, &err) != PS_OK) {
		if (pm->log)
			fprintf(pm->log, "%s - %s\n", path, err.message);
		return 0;
	}
	if (ps_pdb_identity(pdb, guid, &age, &err) != PS_OK ||
	    memcmp(guid, pm->cv->guid, 16) != 0 || age != pm->cv->age) {
		if (pm->log)
			fprintf(pm->log, "%s - mismatched pdb\n", path);
		ps_pdb_close(pdb);
		return 0;
	}
	ps_pdb_close(pm->pdb);
	pm->pdb = pdb;
	return 1;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	return b;
}

static void note_add(ps_module_symbols *info, const char *fmt, const char *arg)
{
	size_t used = strlen(info->note);
	char line[400];

	snprintf(line, sizeof line, fmt, arg);
	snprintf(info->note + used, sizeof info->note - used, "%s%s", used ? "\n" : "", line);
}

static void try_pdb(ps_symbols *s, sym_module *sm, const ps_pe_codeview *cv, FILE *log)
{
	struct pdb_match pm = { cv, NULL, log };
	const char *name = base_name(cv->pdb_name);
	ps_error err;
	ps_status st;

	if (!s->path || !*name)
		return;
	st = ps_sympath_find_pdb_verified(s->path, name, cv->guid, cv->age, pdb_matches, &pm,
					  sm->info.pdb_path, sizeof sm->info.pdb_path, log, &err);
	if (st == PS_OK && pm.pdb) {
		sm->pdb = pm.pdb;
		sm->info.source = PS_SYMSRC_PDB;
		return;
	}
	ps_pdb_close(pm.pdb);
	sm->info.pdb_path[0] = '\0';
	if (log && st != PS_ENOTFOUND)
		fprintf(log, "%s: %s\n", name, err.message);
}

/* The name the image gives itself in its export directory, if readable. */
static void export_dir_name(ps_kernel_image_reader *rd, const ps_pe *pe, char *buf, size_t n)
{
	uint8_t dir[EXPORT_DIR_NAME_OFFSET + 4];
	uint32_t rva = pe->directories[PS_PE_DIR_EXPORT].rva;
	ps_error err;

	if (!rva || pe->directories[PS_PE_DIR_EXPORT].size < sizeof dir)
		return;
	if (ps_kernel_image_read(rd, rva, dir, sizeof dir) != PS_OK)
		return;
	if (ps_pe_read_string(ps_kernel_image_read, rd, ps_le32(dir + EXPORT_DIR_NAME_OFFSET), buf,
			      n, &err) != PS_OK)
		buf[0] = '\0';
}

static int load_exports(sym_module *sm, ps_pe_read_fn read, void *ctx, const ps_pe *pe, FILE *log,
			const char *module_name)
{
	ps_pe_export *ex = NULL;
	size_t n = 0, named = 0;
	ps_error err;
	ps_status st = ps_pe_read_exports(read, ctx, pe, &ex, &n, &err);

	if (st != PS_OK && st != PS_ENOTFOUND && log)
		fprintf(log, "%s: exports: %s\n", module_name, err.message);
	for (size_t i = 0; ex && i < n; i++)
		if (ex[i].rva && ex[i].name[0])
			named++;
	if (!named) {
		free(ex);
		return 0;
	}
	sm->exports = ex;
	sm->nexports = n;
	sm->info.source = PS_SYMSRC_EXPORTS;
	return 1;
}

/* The image file from the symbol path (name.sys/<TIMESTAMP><SIZE>/name.sys),
 * for what the dump does not hold: a triage dump keeps nt's headers but
 * not its debug directory or exports, as WinDbg also fetches the image. */
typedef struct image_file {
	uint8_t *data;
	ps_pe_file file;
	ps_pe pe;
} image_file;

static int image_file_load(ps_symbols *s, const ps_module *m, uint32_t timestamp, uint32_t size,
			   image_file *img, FILE *log)
{
	char path[1024];
	ps_error err;
	FILE *f;
	long len;

	memset(img, 0, sizeof *img);
	if (!s->path || !m->image_name[0] || !timestamp || !size)
		return 0;
	if (ps_sympath_find_image(s->path, m->image_name, timestamp, size, path, sizeof path, log,
				  &err) != PS_OK)
		return 0;
	f = fopen(path, "rb");
	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && len <= IMAGE_FILE_MAX &&
	    fseek(f, 0, SEEK_SET) == 0 && (img->data = malloc((size_t)len)) &&
	    fread(img->data, 1, (size_t)len, f) == (size_t)len) {
		img->file.data = img->data;
		img->file.size = (size_t)len;
		if (ps_pe_parse_headers(ps_pe_file_read, &img->file, &img->pe, &err) == PS_OK) {
			img->file.pe = &img->pe;
			fclose(f);
			return 1;
		}
		if (log)
			fprintf(log, "%s: %s\n", path, err.message);
	}
	fclose(f);
	free(img->data);
	memset(img, 0, sizeof *img);
	return 0;
}

void symbols_load_module(ps_symbols *s, size_t i, FILE *log)
{
	sym_module *sm = &s->mods[i];
	const ps_module *m = ps_kernel_module(s->kernel, i);
	const char *file_name = m->image_name[0] ? m->image_name : m->name;
	ps_kernel_image_reader rd = { s->kernel, m->base, m->size, PS_OK };
	image_file img = { 0 };
	int have_pe, have_img = 0, have_cv = 0;
	uint32_t timestamp = m->have_header_fields ? m->timestamp : 0;
	ps_pe_codeview cv;
	ps_pe pe;
	ps_error err;

	symbols_unload_module(sm);
	sm->loaded = 1;
	sm->info.source = PS_SYMSRC_NONE;
	snprintf(sm->info.image_name, sizeof sm->info.image_name, "%s", file_name);

	have_pe = ps_pe_parse_headers(ps_kernel_image_read, &rd, &pe, &err) == PS_OK;
	if (!have_pe && log)
		fprintf(log, "%s: image headers at %#llx: %s\n", m->name, (unsigned long long)m->base,
			err.message);
	if (have_pe) {
		char own[260] = "";
		timestamp = pe.time_date_stamp;
		export_dir_name(&rd, &pe, own, sizeof own);
		if (own[0])
			snprintf(sm->info.image_name, sizeof sm->info.image_name, "%s", own);
		if (pe.checksum == 0)
			note_add(&sm->info, "*** WARNING: Unable to verify checksum for %s", file_name);
		have_cv = ps_pe_read_codeview(ps_kernel_image_read, &rd, &pe, &cv, &err) == PS_OK;
	}
	if (!have_cv) {
		have_img = image_file_load(s, m, timestamp, have_pe ? pe.size_of_image : (uint32_t)m->size,
					   &img, log);
		if (have_img)
			have_cv = ps_pe_read_codeview(ps_pe_file_read, &img.file, &img.pe, &cv, &err) == PS_OK;
	}
	if (have_cv) {
		sm->info.have_codeview = 1;
		memcpy(sm->info.guid, cv.guid, 16);
		sm->info.age = cv.age;
		snprintf(sm->info.pdb_name, sizeof sm->info.pdb_name, "%s", cv.pdb_name);
		try_pdb(s, sm, &cv, log);
	}
	if (sm->info.source != PS_SYMSRC_PDB) {
		int found = have_pe && load_exports(sm, ps_kernel_image_read, &rd, &pe, log, m->name);
		if (!found && !have_img)
			have_img = image_file_load(s, m, timestamp,
						   have_pe ? pe.size_of_image : (uint32_t)m->size, &img, log);
		if (!found && have_img)
			load_exports(sm, ps_pe_file_read, &img.file, &img.pe, log, m->name);
	}
	free(img.data);
	if (sm->info.source == PS_SYMSRC_EXPORTS)
		note_add(&sm->info,
			 "*** ERROR: Symbol file could not be found.  Defaulted to export symbols for %s - ",
			 sm->info.image_name);
	else if (sm->info.source == PS_SYMSRC_NONE)
		note_add(&sm->info, "*** ERROR: Module load completed but symbols could not be loaded for %s",
			 file_name);
}

/* ---- the symbol table --------------------------------------------------- */

/* Sort keys carry the original position, so equal keys keep their order
 * (qsort is not stable) and no comparison needs outside state. */
typedef struct sort_key {
	const char *name;
	uint32_t rva;
	uint32_t index;
} sort_key;

static int key_by_rva(const void *a, const void *b)
{
	const sort_key *x = a, *y = b;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int key_by_name(const void *a, const void *b)
{
	const sort_key *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = x->rva < y->rva ? -1 : x->rva > y->rva;
	return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

static int key_by_rva_name(const void *a, const void *b)
{
	const sort_key *x = a, *y = b;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Order syms[0..n) by RVA (exports: then by name; PDB: keeping the
 * reader's order at one address, procedure first) and index it by name. */
static int index_table(sym_module *sm, size_t n, int exports)
{
	sort_key *k = malloc((n ? n : 1) * sizeof *k);
	sym_entry *sorted = malloc((n ? n : 1) * sizeof *sorted);

	sm->by_name = malloc((n ? n : 1) * sizeof *sm->by_name);
	if (!k || !sorted || !sm->by_name) {
		free(k);
		free(sorted);
		return -1;
	}
	for (size_t j = 0; j < n; j++)
		k[j] = (sort_key){ sm->syms[j].name, sm->syms[j].rva, (uint32_t)j };
	qsort(k, n, sizeof *k, exports ? key_by_rva_name : key_by_rva);
	for (size_t j = 0; j < n; j++)
		sorted[j] = sm->syms[k[j].index];
	free(sm->syms);
	sm->syms = sorted;
	for (size_t j = 0; j < n; j++)
		k[j] = (sort_key){ sorted[j].name, sorted[j].rva, (uint32_t)j };
	qsort(k, n, sizeof *k, key_by_name);
	for (size_t j = 0; j < n; j++)
		sm->by_name[j] = k[j].index;
	free(k);
	return 0;
}

void symbols_build_table(ps_symbols *s, size_t i)
{
	sym_module *sm = &s->mods[i];
	size_t n = 0;

	if (!sm->loaded)
		symbols_load_module(s, i, NULL);
	if (sm->syms_built)
		return;
	sm->syms_built = 1;
	if (sm->info.source == PS_SYMSRC_PDB) {
		const ps_pdb_symbol *ps = NULL;
		size_t count = 0;
		ps_error err;
		/* A damaged stream still leaves what was read before it. */
		(void)ps_pdb_symbols(sm->pdb, &ps, &count, &err);
		if (count > UINT32_MAX)
			count = UINT32_MAX;
		sm->syms = calloc(count ? count : 1, sizeof *sm->syms);
		for (size_t j = 0; sm->syms && ps && j < count; j++)
			if (ps[j].name && ps[j].name[0])
				sm->syms[n++] = (sym_entry){ ps[j].name, ps[j].rva, ps[j].size,
							     ps[j].type_index };
	} else if (sm->info.source == PS_SYMSRC_EXPORTS) {
		sm->syms = calloc(sm->nexports ? sm->nexports : 1, sizeof *sm->syms);
		for (size_t j = 0; sm->syms && j < sm->nexports; j++)
			if (sm->exports[j].rva && sm->exports[j].name[0])
				sm->syms[n++] = (sym_entry){ sm->exports[j].name, sm->exports[j].rva, 0, 0 };
	}
	if (!sm->syms || index_table(sm, n, sm->info.source == PS_SYMSRC_EXPORTS) != 0) {
		free(sm->syms);
		sm->syms = NULL;
		n = 0;
	}
	sm->nsyms = n;
}
