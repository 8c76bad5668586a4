/*
 * findtag_main.c - `poolscope findtag TAG PATH...`: which driver files on
 * disk allocate pool with a tag.
 *
 * Each PATH is an image file or a folder; folders are searched for *.sys,
 * *.dll and *.exe (any case) down to FT_MAX_DEPTH levels, in name order so
 * the report is the same on every machine. A clang/MSVC-built image whose
 * PDB (the name in its CodeView record) lies beside it and matches its GUID
 * and age gets function names and ranges from it. The report is the one
 * `!findtag` prints (docs/findtag.md). Exit status: 0 when some allocation
 * site was confirmed, 1 when none was, 2 on a usage error.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/findtag_main.h"
#include "core/mapfile.h"
#include "poolscope/findtag.h"
#include "poolscope/pdb.h"
#include "poolscope/pe.h"

#define FT_MAX_DEPTH 8
#define FT_MAX_FILES 100000

typedef struct ft_paths {
	char **v;
	size_t n, cap;
} ft_paths;

static int add_path(ft_paths *p, const char *path)
{
	char *copy;

	if (p->n >= FT_MAX_FILES)
		return -1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **n = realloc(p->v, cap * sizeof *n);
		if (!n)
			return -1;
		p->v = n;
		p->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -1;
	p->v[p->n++] = copy;
	return 0;
}

static int is_image_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcasecmp(dot, ".sys") == 0 || strcasecmp(dot, ".dll") == 0 ||
		       strcasecmp(dot, ".exe") == 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(ft_paths *p, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	ft_paths here = {0};

	if (depth > FT_MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		add_path(&here, e->d_name);
	}
	closedir(d);
	if (here.n)
		qsort(here.v, here.n, sizeof *here.v, name_cmp);
	for (size_t i = 0; i < here.n; i++) {
		size_t len = strlen(dir) + strlen(here.v[i]) + 2;
		char *full = malloc(len);
		struct stat stt;

		if (full) {
			snprintf(full, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", here.v[i]);
			if (stat(full, &stt) == 0) {
				if (S_ISDIR(stt.st_mode))
					collect(p, full, depth + 1);
				else if (S_ISREG(stt.st_mode) && is_image_name(here.v[i]))
					add_path(p, full);
			}
			free(full);
		}
		free(here.v[i]);
	}
	free(here.v);
}

/* ---- one file ---------------------------------------------------------------------- */

typedef struct ft_file {
	const char *path;
	char stem[128];
	void *map;
	size_t size;
	ps_pe pe;
	ps_pe_file pf;
	ps_pdb *pdb;
	ps_findtag_result result;
	int have_result;
	char error[PS_ERROR_MESSAGE_MAX];
} ft_file;

static const char *stem_of(const char *path, char *buf, size_t n)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t len;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	len = dot ? (size_t)(dot - base) : strlen(base);
	if (len >= n)
		len = n - 1;
	memcpy(buf, base, len);
	buf[len] = 0;
	return buf;
}

/* The image's PDB when it lies beside the file and matches. */
static void open_pdb(ft_file *f)
{
	ps_pe_codeview cv;
	const char *name, *slash;
	char path[4096];
	uint8_t guid[16];
	uint32_t age;
	ps_pdb *pdb;

	if (ps_pe_read_codeview(ps_pe_file_read, &f->pf, &f->pe, &cv, NULL) != PS_OK)
		return;
	name = cv.pdb_name;
	for (const char *c = name; *c; c++)
		if (*c == '\\' || *c == '/')
			name = c + 1;
	slash = strrchr(f->path, '/');
	if (slash)
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - f->path), f->path, name);
	else
		snprintf(path, sizeof path, "%s", name);
	if (!name[0] || ps_pdb_open(path, &pdb, NULL) != PS_OK)
		return;
	if (ps_pdb_identity(pdb, guid, &age, NULL) != PS_OK || memcmp(guid, cv.guid, 16) != 0 || age != cv.age) {
		ps_pdb_close(pdb);
		return;
	}
	f->pdb = pdb;
}

static const ps_pdb_symbol *pdb_function(ft_file *f, uint32_t rva)
{
	const ps_pdb_symbol *s;

	if (!f->pdb)
		return NULL;
	s = ps_pdb_symbol_at(f->pdb, rva, NULL);
	return s && s->is_code ? s : NULL;
}

static int function_at(void *ctx, uint32_t rva, ps_findtag_function *out)
{
	const ps_pdb_symbol *s = pdb_function(ctx, rva);

	if (!s || !s->size || rva - s->rva >= s->size)
		return 0;
	out->rva = s->rva;
	out->size = s->size;
	snprintf(out->name, sizeof out->name, "%s", s->name);
	return 1;
}

static const char *name_at(void *ctx, uint32_t rva, char *buf, size_t n)
{
	ft_file *f = ctx;
	const ps_pdb_symbol *s = f->pdb ? ps_pdb_symbol_at(f->pdb, rva, NULL) : NULL;

	if (s && rva > s->rva)
		snprintf(buf, n, "%s!%s+0x%x", f->stem, s->name, rva - s->rva);
	else if (s)
		snprintf(buf, n, "%s!%s", f->stem, s->name);
	else
		snprintf(buf, n, "%s+0x%x", f->stem, rva);
	return buf;
}

static void scan_file(ft_file *f, uint32_t tag)
{
	ps_findtag_image img;
	ps_error err;

	stem_of(f->path, f->stem, sizeof f->stem);
	ps_error_clear(&err);
	if (ps_map_file(f->path, "PE image", &f->map, &f->size, &err) != PS_OK) {
		snprintf(f->error, sizeof f->error, "%s", err.message);
		return;
	}
	f->pf.data = f->map;
	f->pf.size = f->size;
	f->pf.pe = NULL;
	if (ps_pe_parse_headers(ps_pe_file_read, &f->pf, &f->pe, &err) != PS_OK) {
		snprintf(f->error, sizeof f->error, "%s", err.message);
		return;
	}
	f->pf.pe = &f->pe;
	open_pdb(f);
	memset(&img, 0, sizeof img);
	img.name = f->path;
	img.read = ps_pe_file_read;
	img.read_ctx = &f->pf;
	img.function_at = f->pdb ? function_at : NULL;
	img.function_ctx = f;
	if (ps_findtag_scan(&img, tag, &f->result, &err) != PS_OK) {
		snprintf(f->error, sizeof f->error, "%s", err.message);
		ps_findtag_result_free(&f->result);
		return;
	}
	f->have_result = 1;
}

static void findtag_usage(FILE *out)
{
	fprintf(out,
		"usage: poolscope findtag TAG PATH...\n"
		"\n"
		"Find which driver allocates pool with TAG: every PATH is an image file\n"
		"or a folder searched for *.sys, *.dll and *.exe (%d levels deep). TAG is\n"
		"up to four characters as !poolused prints them (MSKK) or a number\n"
		"(0x4B4B534D). A PDB beside an image gives function names.\n"
		"Exit status: 0 when an allocation site was found, 1 when none, 2 on error.\n"
		"See docs/findtag.md.\n",
		FT_MAX_DEPTH);
}

int ps_cli_findtag(int argc, char **argv)
{
	ft_paths paths = {0};
	ft_file *files;
	ps_findtag_report_image *rep;
	uint32_t tag;
	ps_error err;
	size_t sites = 0;
	int i;

	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		findtag_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		findtag_usage(stderr);
		return 2;
	}
	ps_error_clear(&err);
	if (ps_findtag_parse_tag(argv[0], &tag, &err) != PS_OK) {
		fprintf(stderr, "poolscope findtag: %s\n", err.message);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat stt;
		if (stat(argv[i], &stt) != 0) {
			fprintf(stderr, "poolscope findtag: %s: no such file or folder\n", argv[i]);
			return 2;
		}
		if (S_ISDIR(stt.st_mode))
			collect(&paths, argv[i], 0);
		else
			add_path(&paths, argv[i]);
	}
	files = calloc(paths.n ? paths.n : 1, sizeof *files);
	rep = calloc(paths.n ? paths.n : 1, sizeof *rep);
	if (!files || !rep) {
		fprintf(stderr, "poolscope findtag: out of memory\n");
		return 2;
	}
	for (size_t k = 0; k < paths.n; k++) {
		files[k].path = paths.v[k];
		scan_file(&files[k], tag);
		rep[k].image_name = files[k].path;
		rep[k].result = files[k].have_result ? &files[k].result : NULL;
		rep[k].error = files[k].error;
		rep[k].name = name_at;
		rep[k].name_ctx = &files[k];
		sites += files[k].have_result ? files[k].result.site_count : 0;
	}
	ps_findtag_report(stdout, tag, rep, paths.n, "the file");
	for (size_t k = 0; k < paths.n; k++) {
		ps_findtag_result_free(&files[k].result);
		if (files[k].pdb)
			ps_pdb_close(files[k].pdb);
		if (files[k].map)
			ps_unmap_file(files[k].map, files[k].size);
		free(paths.v[k]);
	}
	free(paths.v);
	free(files);
	free(rep);
	return sites ? 0 : 1;
}
