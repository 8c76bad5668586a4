/*
 * test_pe_dirs.c - PE exports, imports, CodeView records and x64 .pdata,
 * and the !dh command.
 *
 * 1. Every lab image (<build>/lab/images/{x86,x64}): what the reader finds
 *    must equal what llvm-readobj prints for the same file, parsed here at
 *    test time (--coff-exports, --coff-imports, --coff-debug-directory,
 *    --unwind), and the CodeView GUID and age must equal llvm-pdbutil's
 *    summary of the PDB beside the image.
 * 2. The same images mapped in a seed-env1 lab dump (x86 and x64), read
 *    through ps_kernel_image_read, give the same answers as the files.
 * 3. The real triage dump: nt's CodeView record (its debug directory page
 *    is not in the dump, so the answer must say so).
 * 4. Hostile images built here: huge counts, unterminated names, cyclic
 *    forwarders, import lists without terminators, thunks outside the image.
 * 5. !dh on SIoctl (lab, x86 and x64) and nt (triage) against
 *    tests/golden/dh; set
 *    PS_UPDATE_GOLDEN=1 to rewrite them (then review the diff).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* popen, strtok_r, open_memstream, setenv, mkdtemp */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/dump.h"
#include "poolscope/kernel.h"
#include "poolscope/pe.h"
#include "poolscope/session.h"

/* ---- helpers ---- */

/* All of a command's standard output. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = realloc(buf, cap);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	if (pclose(p) != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* The value after "key: " on a line, trimmed; NULL if the line has none. */
static const char *field(const char *line, const char *key, char *out, size_t n)
{
	const char *p = line;

	while (*p == ' ')
		p++;
	if (strncmp(p, key, strlen(key)) != 0 || p[strlen(key)] != ':')
		return NULL;
	p += strlen(key) + 1;
	if (*p == ' ')
		p++;
	snprintf(out, n, "%s", p);
	return out;
}

static void guid_text(const uint8_t g[16], char *out)
{
	sprintf(out, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", ps_le32(g), ps_le16(g + 4),
		ps_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* ---- 1. lab image files against llvm-readobj ---- */

typedef struct image_file {
	char path[1024];
	uint8_t *data;
	size_t size;
	ps_pe pe;
	ps_pe_file pf;
} image_file;

static int open_image(image_file *im, const char *arch, const char *name)
{
	char rel[256];
	ps_error err;

	snprintf(rel, sizeof rel, "lab/images/%s/%s", arch, name);
	check_build_path(im->path, sizeof im->path, rel);
	im->data = check_read_file(im->path, &im->size);
	if (!im->data)
		return 0;
	im->pf = (ps_pe_file){ im->data, im->size, NULL };
	if (ps_pe_parse_headers(ps_pe_file_read, &im->pf, &im->pe, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", im->path, err.message);
		free(im->data);
		return 0;
	}
	im->pf.pe = &im->pe;
	return 1;
}

static void check_exports_vs_tool(image_file *im)
{
	char cmd[2048], line[1024], v[256], name[256] = "";
	ps_pe_export *ex = NULL;
	size_t n = 0, tool_count = 0, matched = 0;
	uint32_t ordinal = 0, rva = 0;
	ps_error err;
	ps_status st;
	char *text, *save = NULL;

	snprintf(cmd, sizeof cmd, "llvm-readobj --coff-exports '%s'", im->path);
	text = run(cmd);
	CHECK(text != NULL);
	if (!text)
		return;
	st = ps_pe_read_exports(ps_pe_file_read, &im->pf, &im->pe, &ex, &n, &err);
	if (strstr(text, "Export {") == NULL) {
		CHECK_EQ_U64(st, PS_ENOTFOUND);
		free(text);
		return;
	}
	if (st != PS_OK)
		fprintf(stderr, "%s: %s\n", im->path, err.message);
	CHECK_EQ_U64(st, PS_OK);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(line, sizeof line, "%s", l);
		if (field(line, "Ordinal", v, sizeof v))
			ordinal = (uint32_t)strtoul(v, NULL, 0);
		else if (field(line, "Name", v, sizeof v))
			snprintf(name, sizeof name, "%s", v);
		else if (field(line, "RVA", v, sizeof v))
			rva = (uint32_t)strtoul(v, NULL, 0);
		else if (strcmp(line, "}") == 0 && rva != 0) {
			int found = 0;
			tool_count++;
			for (size_t i = 0; i < n; i++)
				if (ex[i].ordinal == ordinal && strcmp(ex[i].name, name) == 0 && ex[i].rva == rva)
					found = 1;
			if (!found)
				fprintf(stderr, "%s: export %u %s 0x%x not read\n", im->path, ordinal, name, rva);
			CHECK(found);
			matched += (size_t)found;
			name[0] = '\0';
			rva = 0;
		}
	}
	CHECK_EQ_U64(n, tool_count);
	for (size_t i = 1; i < n; i++)
		CHECK(ex[i - 1].rva <= ex[i].rva);
	printf("  %s: %zu exports, %zu match llvm-readobj\n", im->path, n, matched);
	free(ex);
	free(text);
}

static void check_imports_vs_tool(image_file *im, ps_pe_import **keep, size_t *keep_n)
{
	char cmd[2048], line[1024], v[512], dll[64] = "";
	ps_pe_import *imp = NULL;
	size_t n = 0, k = 0;
	uint32_t iat = 0, index = 0, ptr = im->pe.is_pe32_plus ? 8 : 4;
	ps_error err;
	ps_status st;
	char *text, *save = NULL;

	snprintf(cmd, sizeof cmd, "llvm-readobj --coff-imports '%s'", im->path);
	text = run(cmd);
	CHECK(text != NULL);
	if (!text)
		return;
	st = ps_pe_read_imports(ps_pe_file_read, &im->pf, &im->pe, &imp, &n, &err);
	if (st != PS_OK)
		fprintf(stderr, "%s: %s\n", im->path, err.message);
	CHECK_EQ_U64(st, strstr(text, "Import {") ? PS_OK : PS_ENOTFOUND);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(line, sizeof line, "%s", l);
		if (field(line, "Name", v, sizeof v)) {
			snprintf(dll, sizeof dll, "%.63s", v);
			index = 0;
		} else if (field(line, "ImportAddressTableRVA", v, sizeof v)) {
			iat = (uint32_t)strtoul(v, NULL, 0);
		} else if (field(line, "Symbol", v, sizeof v)) {
			/* "Name (hint)" */
			char *paren = strrchr(v, '(');
			unsigned hint = paren ? (unsigned)strtoul(paren + 1, NULL, 0) : 0;
			if (paren && paren > v)
				paren[-1] = '\0';
			CHECK(k < n);
			if (k < n) {
				CHECK_STR(imp[k].dll, dll);
				CHECK_STR(imp[k].name, v);
				CHECK_EQ_U64(imp[k].hint, hint);
				CHECK_EQ_U64(imp[k].iat_rva, iat + index * ptr);
			}
			k++;
			index++;
		}
	}
	CHECK_EQ_U64(n, k);
	printf("  %s: %zu imports, as llvm-readobj lists them\n", im->path, n);
	free(text);
	if (keep) {
		*keep = imp;
		*keep_n = n;
	} else {
		free(imp);
	}
}

static void check_codeview_vs_tools(image_file *im, ps_pe_codeview *keep)
{
	char cmd[2048], line[1024], v[512], pdb[1100], want_guid[64] = "", want_name[300] = "";
	char got_guid[64], *text, *save = NULL, *dot;
	unsigned want_age = 0, pdb_age = 0;
	ps_pe_codeview cv;
	ps_error err;
	ps_status st;

	snprintf(cmd, sizeof cmd, "llvm-readobj --coff-debug-directory '%s'", im->path);
	text = run(cmd);
	CHECK(text != NULL);
	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(line, sizeof line, "%s", l);
		if (field(line, "PDBGUID", v, sizeof v)) {
			/* "(0A 75 3B ...)": bytes as stored */
			uint8_t g[16];
			const char *p = strchr(v, '(');
			for (int i = 0; i < 16 && p; i++)
				g[i] = (uint8_t)strtoul(p + 1, (char **)&p, 16);
			guid_text(g, want_guid);
		} else if (field(line, "PDBAge", v, sizeof v)) {
			want_age = (unsigned)strtoul(v, NULL, 0);
		} else if (field(line, "PDBFileName", v, sizeof v)) {
			snprintf(want_name, sizeof want_name, "%.299s", v);
		}
	}
	free(text);
	st = ps_pe_read_codeview(ps_pe_file_read, &im->pf, &im->pe, &cv, &err);
	if (!want_name[0]) {
		CHECK_EQ_U64(st, PS_ENOTFOUND);
		printf("  %s: no CodeView record, as llvm-readobj says\n", im->path);
		return;
	}
	if (st != PS_OK)
		fprintf(stderr, "%s: %s\n", im->path, err.message);
	CHECK_EQ_U64(st, PS_OK);
	guid_text(cv.guid, got_guid);
	CHECK_STR(got_guid, want_guid);
	CHECK_EQ_U64(cv.age, want_age);
	CHECK_STR(cv.pdb_name, want_name);
	if (keep)
		*keep = cv;

	/* The PDB beside the image must describe itself the same way. */
	snprintf(pdb, sizeof pdb, "%s", im->path);
	dot = strrchr(pdb, '.');
	if (dot)
		strcpy(dot, ".pdb");
	snprintf(cmd, sizeof cmd, "llvm-pdbutil dump -summary '%s'", pdb);
	text = run(cmd);
	CHECK(text != NULL);
	if (!text)
		return;
	want_guid[0] = '\0';
	save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(line, sizeof line, "%s", l);
		if (field(line, "GUID", v, sizeof v) && v[0] == '{')
			snprintf(want_guid, sizeof want_guid, "%.36s", v + 1);
		else if (field(line, "Age", v, sizeof v))
			pdb_age = (unsigned)strtoul(v, NULL, 0);
	}
	free(text);
	CHECK_STR(got_guid, want_guid);
	CHECK_EQ_U64(cv.age, pdb_age);
	printf("  %s: %s {%s} age %u, as in the PDB\n", im->path, cv.pdb_name, got_guid, cv.age);
}

static void check_pdata_vs_tool(image_file *im)
{
	char cmd[2048], line[1024], v[512], *text, *save = NULL;
	ps_pe_runtime_function *rf = NULL, want = { 0, 0, 0 };
	size_t n = 0, k = 0;
	ps_error err;
	ps_status st;

	st = ps_pe_read_pdata(ps_pe_file_read, &im->pf, &im->pe, &rf, &n, &err);
	if (im->pe.directories[PS_PE_DIR_EXCEPTION].size == 0) {
		CHECK_EQ_U64(st, PS_ENOTFOUND);
		return;
	}
	if (!im->pe.is_pe32_plus) {
		CHECK_EQ_U64(st, PS_EUNSUPPORTED);
		return;
	}
	CHECK_EQ_U64(st, PS_OK);
	snprintf(cmd, sizeof cmd, "llvm-readobj --unwind '%s'", im->path);
	text = run(cmd);
	CHECK(text != NULL);
	if (!text)
		return;
	/* Addresses print as VAs at the preferred base: "Sym (0x11000)". */
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *paren;
		snprintf(line, sizeof line, "%s", l);
		paren = strrchr(line, '(');
		if (field(line, "StartAddress", v, sizeof v) && paren)
			want.begin_rva = (uint32_t)(strtoull(paren + 1, NULL, 0) - im->pe.image_base);
		else if (field(line, "EndAddress", v, sizeof v) && paren)
			want.end_rva = (uint32_t)(strtoull(paren + 1, NULL, 0) - im->pe.image_base);
		else if (field(line, "UnwindInfoAddress", v, sizeof v) && paren) {
			want.unwind_rva = (uint32_t)(strtoull(paren + 1, NULL, 0) - im->pe.image_base);
			CHECK(k < n);
			if (k < n) {
				CHECK_EQ_U64(rf[k].begin_rva, want.begin_rva);
				CHECK_EQ_U64(rf[k].end_rva, want.end_rva);
				CHECK_EQ_U64(rf[k].unwind_rva, want.unwind_rva);
			}
			k++;
		}
	}
	CHECK_EQ_U64(n, k);
	CHECK(n > 0);
	printf("  %s: %zu .pdata entries, as llvm-readobj --unwind lists them\n", im->path, n);
	free(text);
	free(rf);
}

static void check_lab_files(void)
{
	static const char *const names[] = {
		"ntoskrnl.exe", "hal.dll", "SIoctl.sys", "volmgrx.sys", "clfs.sys", "ci.dll", "tcpip.sys", "gnudrv.sys",
	};
	static const char *const arches[] = { "x86", "x64" };

	printf("lab image files\n");
	for (int a = 0; a < 2; a++) {
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			image_file im;
			if (!open_image(&im, arches[a], names[i])) {
				fprintf(stderr, "%s/%s: missing (build the lab_images target)\n", arches[a], names[i]);
				CHECK(0);
				continue;
			}
			check_exports_vs_tool(&im);
			check_imports_vs_tool(&im, NULL, NULL);
			check_codeview_vs_tools(&im, NULL);
			check_pdata_vs_tool(&im);
			free(im.data);
		}
	}
}

/* What the seed needs from the files, stated once more in plain values. */
static void check_seed_facts(void)
{
	image_file im;
	ps_pe_import *imp = NULL;
	ps_pe_export *ex = NULL;
	size_t n = 0;
	int found = 0;
	ps_error err;

	if (!open_image(&im, "x86", "SIoctl.sys")) {
		CHECK(0);
		return;
	}
	CHECK_EQ_U64(ps_pe_read_imports(ps_pe_file_read, &im.pf, &im.pe, &imp, &n, &err), PS_OK);
	for (size_t i = 0; i < n; i++)
		if (strcmp(imp[i].name, "ExAllocatePoolWithTag") == 0) {
			CHECK_STR(imp[i].dll, "ntoskrnl.exe");
			CHECK_EQ_U64(imp[i].iat_rva, 0x2010);
			found = 1;
		}
	CHECK(found);
	free(imp);
	free(im.data);

	if (!open_image(&im, "x86", "ntoskrnl.exe")) {
		CHECK(0);
		return;
	}
	found = 0;
	CHECK_EQ_U64(ps_pe_read_exports(ps_pe_file_read, &im.pf, &im.pe, &ex, &n, &err), PS_OK);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ex[i].name, "ExAllocatePoolWithTag") == 0 || strcmp(ex[i].name, "ExDeferredFreePool") == 0)
			found++;
	CHECK_EQ_U64(found, 2);
	free(ex);
	free(im.data);
}

/* ---- 2. the same images in lab dumps ---- */

static int make_dump(const char *scenario, const char *path)
{
	char lab[1024], cmd[4096];
	const char *src = getenv("PS_SOURCE_DIR");

	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(cmd, sizeof cmd, "'%s' '%s/scenarios/%s.scn' -q -o '%s'", lab, src ? src : "..", scenario, path);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		return 0;
	}
	return 1;
}

static void check_module_in_dump(ps_kernel *k, const char *module, const char *arch, const char *file)
{
	const ps_module *m = ps_kernel_module_named(k, module);
	ps_kernel_image_reader r;
	image_file im;
	ps_pe pe;
	ps_pe_import *fi = NULL, *di = NULL;
	ps_pe_export *fe = NULL, *de = NULL;
	ps_pe_codeview fcv, dcv;
	size_t fin = 0, din = 0, fen = 0, den = 0;
	ps_error err;
	ps_status fst, dst;

	CHECK(m != NULL);
	if (!m || !open_image(&im, arch, file)) {
		CHECK(0);
		return;
	}
	r = (ps_kernel_image_reader){ k, m->base, m->size, PS_OK };
	CHECK_EQ_U64(ps_pe_parse_headers(ps_kernel_image_read, &r, &pe, &err), PS_OK);

	fst = ps_pe_read_imports(ps_pe_file_read, &im.pf, &im.pe, &fi, &fin, &err);
	dst = ps_pe_read_imports(ps_kernel_image_read, &r, &pe, &di, &din, &err);
	if (dst != fst)
		fprintf(stderr, "%s in dump: %s\n", module, err.message);
	CHECK_EQ_U64(dst, fst);
	CHECK_EQ_U64(din, fin);
	for (size_t i = 0; i < din && i < fin; i++) {
		CHECK_STR(di[i].dll, fi[i].dll);
		CHECK_STR(di[i].name, fi[i].name);
		CHECK_EQ_U64(di[i].iat_rva, fi[i].iat_rva);
	}
	fst = ps_pe_read_exports(ps_pe_file_read, &im.pf, &im.pe, &fe, &fen, &err);
	dst = ps_pe_read_exports(ps_kernel_image_read, &r, &pe, &de, &den, &err);
	CHECK_EQ_U64(dst, fst);
	CHECK_EQ_U64(den, fen);
	for (size_t i = 0; i < den && i < fen; i++) {
		CHECK_STR(de[i].name, fe[i].name);
		CHECK_EQ_U64(de[i].rva, fe[i].rva);
		CHECK_EQ_U64(de[i].ordinal, fe[i].ordinal);
	}
	fst = ps_pe_read_codeview(ps_pe_file_read, &im.pf, &im.pe, &fcv, &err);
	dst = ps_pe_read_codeview(ps_kernel_image_read, &r, &pe, &dcv, &err);
	CHECK_EQ_U64(dst, fst);
	if (dst == PS_OK && fst == PS_OK) {
		CHECK(memcmp(dcv.guid, fcv.guid, 16) == 0);
		CHECK_EQ_U64(dcv.age, fcv.age);
		CHECK_STR(dcv.pdb_name, fcv.pdb_name);
	}
	printf("  %s at 0x%llx: %zu imports, %zu exports, CodeView %s - as in %s/%s\n", module,
	       (unsigned long long)m->base, din, den, dst == PS_OK ? dcv.pdb_name : "(none)", arch, file);
	free(fi);
	free(di);
	free(fe);
	free(de);
	free(im.data);
}

static void check_lab_dump(const char *scenario, const char *arch, const char *dir)
{
	char path[1024];
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_error err;

	printf("lab dump %s\n", scenario);
	snprintf(path, sizeof path, "%s/%s.dmp", dir, scenario);
	CHECK(make_dump(scenario, path));
	if (ps_dump_open(path, &d, &err) != PS_OK || ps_kernel_open(d, &k, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		CHECK(0);
		ps_dump_close(d);
		return;
	}
	check_module_in_dump(k, "SIoctl", arch, "SIoctl.sys");
	check_module_in_dump(k, "nt", arch, "ntoskrnl.exe");
	check_module_in_dump(k, "hal", arch, "hal.dll");
	if (strcmp(arch, "x86") == 0) {
		const ps_module *m = ps_kernel_module_named(k, "SIoctl");
		CHECK(m && m->base == 0x91967000u);
	}
	ps_kernel_close(k);
	ps_dump_close(d);
}

/* ---- 3. the real triage dump ---- */

static void check_triage(void)
{
	char path[1024];
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	const ps_module *m;
	ps_kernel_image_reader r;
	ps_pe pe;
	ps_pe_codeview cv;
	ps_pe_export *ex = NULL;
	ps_pe_runtime_function *rf = NULL;
	size_t n = 0;
	ps_error err;
	ps_status st;

	printf("triage dump\n");
	check_shared_path(path, sizeof path, "data/triage_x64.dmp");
	if (ps_dump_open(path, &d, &err) != PS_OK || ps_kernel_open(d, &k, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		CHECK(0);
		ps_dump_close(d);
		return;
	}
	m = ps_kernel_module_named(k, "nt");
	CHECK(m != NULL);
	if (!m)
		goto out;
	r = (ps_kernel_image_reader){ k, m->base, m->size, PS_OK };
	CHECK_EQ_U64(ps_pe_parse_headers(ps_kernel_image_read, &r, &pe, &err), PS_OK);
	CHECK_EQ_U64(pe.directories[PS_PE_DIR_DEBUG].rva, 0x107A0);
	/* Only nt's header page is in this dump: the debug directory at RVA
	 * 0x107a0 is not, and the reader must say so rather than guess. */
	st = ps_pe_read_codeview(ps_kernel_image_read, &r, &pe, &cv, &err);
	printf("  nt CodeView: %s (%s)\n", ps_status_name(st), st == PS_OK ? cv.pdb_name : err.message);
	if (st == PS_OK) {
		CHECK_STR(cv.pdb_name, "ntkrnlmp.pdb");
	} else {
		CHECK_EQ_U64(st, PS_ENOTPRESENT);
		CHECK(strstr(err.message, "RVA 0x107a0") != NULL);
	}
	st = ps_pe_read_exports(ps_kernel_image_read, &r, &pe, &ex, &n, &err);
	printf("  nt exports: %s, %zu read (%s)\n", ps_status_name(st), n, st == PS_OK ? "" : err.message);
	CHECK(st == PS_OK || st == PS_ENOTPRESENT);
	CHECK(st != PS_OK || n > 1000);
	free(ex);
	st = ps_pe_read_pdata(ps_kernel_image_read, &r, &pe, &rf, &n, &err);
	printf("  nt .pdata: %s, %zu read (%s)\n", ps_status_name(st), n, st == PS_OK ? "" : err.message);
	CHECK(st == PS_OK || st == PS_ENOTPRESENT);
	free(rf);
out:
	ps_kernel_close(k);
	ps_dump_close(d);
}

/* ---- 4. hostile images ---- */

/* A PE32+ image laid out as its own file (section raw data at the same
 * offsets as its RVAs), 0x4000 bytes: headers, then one section at 0x1000
 * of 0x3000 bytes that holds whatever a test writes there. */
#define HOSTILE_SIZE 0x4000u

static void hostile_image(uint8_t *b, ps_pe *pe, ps_pe_file *pf)
{
	uint8_t *nt = b + 0x80, *opt = nt + 24, *sec = opt + 240;
	ps_error err;

	memset(b, 0, HOSTILE_SIZE);
	ps_put_le16(b, 0x5A4D);
	ps_put_le32(b + 0x3C, 0x80);
	ps_put_le32(nt, 0x00004550);
	ps_put_le16(nt + 4, 0x8664);
	ps_put_le16(nt + 6, 1);
	ps_put_le16(nt + 20, 240);
	ps_put_le16(nt + 22, 0x22);
	ps_put_le16(opt, 0x20B);
	ps_put_le32(opt + 56, HOSTILE_SIZE);
	ps_put_le32(opt + 60, 0x400);
	ps_put_le32(opt + 108, 16);
	memcpy(sec, ".data\0\0\0", 8);
	ps_put_le32(sec + 8, 0x3000);
	ps_put_le32(sec + 12, 0x1000);
	ps_put_le32(sec + 16, 0x3000);
	ps_put_le32(sec + 20, 0x1000);
	ps_put_le32(sec + 36, 0xC0000040);
	*pf = (ps_pe_file){ b, HOSTILE_SIZE, NULL };
	CHECK_EQ_U64(ps_pe_parse_headers(ps_pe_file_read, pf, pe, &err), PS_OK);
	pf->pe = pe;
}

static void set_dir(ps_pe *pe, int i, uint32_t rva, uint32_t size)
{
	pe->directories[i].rva = rva;
	pe->directories[i].size = size;
}

static void check_hostile_exports(void)
{
	static uint8_t b[HOSTILE_SIZE];
	ps_pe pe;
	ps_pe_file pf;
	ps_pe_export *ex = NULL;
	size_t n = 0;
	ps_error err;
	ps_status st;
	clock_t t0;

	/* A directory at 0x1000 (0x200 bytes) with two functions: one plain,
	 * one forwarded to itself ("SELF.Fn" - a loop for a loader, a
	 * string for us), both named. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_EXPORT, 0x1000, 0x200);
	ps_put_le32(b + 0x1000 + 16, 5);         /* Base */
	ps_put_le32(b + 0x1000 + 20, 2);         /* NumberOfFunctions */
	ps_put_le32(b + 0x1000 + 24, 2);         /* NumberOfNames */
	ps_put_le32(b + 0x1000 + 28, 0x1040);
	ps_put_le32(b + 0x1000 + 32, 0x1050);
	ps_put_le32(b + 0x1000 + 36, 0x1060);
	ps_put_le32(b + 0x1040, 0x2000);         /* function 0 */
	ps_put_le32(b + 0x1044, 0x1100);         /* function 1: forwarder */
	ps_put_le32(b + 0x1050, 0x1080);
	ps_put_le32(b + 0x1054, 0x1090);
	ps_put_le16(b + 0x1060, 1);
	ps_put_le16(b + 0x1062, 0);
	strcpy((char *)b + 0x1080, "Fn");
	strcpy((char *)b + 0x1090, "Plain");
	strcpy((char *)b + 0x1100, "SELF.Fn");
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK_EQ_U64(st, PS_OK);
	CHECK_EQ_U64(n, 2);
	if (n == 2) {
		CHECK_STR(ex[0].name, "Plain");
		CHECK_EQ_U64(ex[0].rva, 0x2000);
		CHECK_EQ_U64(ex[0].ordinal, 5);
		CHECK_STR(ex[1].name, "Fn");
		CHECK_EQ_U64(ex[1].rva, 0);
		CHECK_STR(ex[1].forwarder, "SELF.Fn");
		CHECK_EQ_U64(ex[1].ordinal, 6);
	}
	free(ex);

	/* Huge counts: bounded by the directory and the cap, quickly. */
	ps_put_le32(b + 0x1000 + 20, 0xFFFFFFFFu);
	ps_put_le32(b + 0x1000 + 24, 0xFFFFFFFFu);
	t0 = clock();
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK_EQ_U64(st, PS_EFORMAT);
	CHECK(strstr(err.message, "declares 4294967295 functions") != NULL);
	CHECK(n <= 0x200);
	CHECK((clock() - t0) / CLOCKS_PER_SEC < 5);
	printf("  huge export counts: %s\n", err.message);
	free(ex);

	/* Tables outside the directory with a huge count: the 65536 cap. */
	set_dir(&pe, PS_PE_DIR_EXPORT, 0x1000, 0x30);
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK(st != PS_OK);
	CHECK(n <= 65536);
	free(ex);

	/* A name that runs to the end of the image without a terminator. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_EXPORT, 0x1000, 0x100);
	ps_put_le32(b + 0x1000 + 20, 1);
	ps_put_le32(b + 0x1000 + 24, 1);
	ps_put_le32(b + 0x1000 + 28, 0x1040);
	ps_put_le32(b + 0x1000 + 32, 0x1050);
	ps_put_le32(b + 0x1000 + 36, 0x1060);
	ps_put_le32(b + 0x1040, 0x2000);
	ps_put_le32(b + 0x1050, HOSTILE_SIZE - 8);
	memset(b + HOSTILE_SIZE - 8, 'A', 8);
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK(st != PS_OK);
	CHECK(strstr(err.message, "before its terminator") != NULL);
	CHECK_EQ_U64(n, 1);
	if (n == 1)
		CHECK_EQ_U64(ex[0].rva, 0x2000);
	printf("  unterminated export name: %s\n", err.message);
	free(ex);

	/* A long name is cut to the field, not an error. */
	memset(b + 0x1200, 'B', 300);
	ps_put_le32(b + 0x1050, 0x1200);
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK_EQ_U64(st, PS_OK);
	if (n == 1)
		CHECK_EQ_U64(strlen(ex[0].name), sizeof ex[0].name - 1);
	free(ex);

	/* A name ordinal beyond the functions. */
	ps_put_le16(b + 0x1060, 7);
	st = ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	CHECK_EQ_U64(st, PS_EFORMAT);
	CHECK(strstr(err.message, "ordinal index 7") != NULL);
	free(ex);
}

static void check_hostile_imports(void)
{
	static uint8_t b[HOSTILE_SIZE];
	ps_pe pe;
	ps_pe_file pf;
	ps_pe_import *imp = NULL;
	size_t n = 0;
	ps_error err;
	ps_status st;

	/* One DLL, three thunks: by name, by ordinal, and one pointing
	 * outside the image; then the terminators. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_IMPORT, 0x1000, 40);
	ps_put_le32(b + 0x1000, 0x1100);         /* OriginalFirstThunk */
	ps_put_le32(b + 0x1000 + 12, 0x1300);    /* Name */
	ps_put_le32(b + 0x1000 + 16, 0x1200);    /* FirstThunk */
	ps_put_le64(b + 0x1100, 0x1400);
	ps_put_le64(b + 0x1108, (1ull << 63) | 42);
	ps_put_le64(b + 0x1110, 0x7FFFFFF0);
	strcpy((char *)b + 0x1300, "ntoskrnl.exe");
	ps_put_le16(b + 0x1400, 0x77);
	strcpy((char *)b + 0x1402, "ExAllocatePoolWithTag");
	st = ps_pe_read_imports(ps_pe_file_read, &pf, &pe, &imp, &n, &err);
	CHECK_EQ_U64(st, PS_EFORMAT);
	CHECK(strstr(err.message, "outside the 0x4000-byte image") != NULL);
	CHECK_EQ_U64(n, 3);
	if (n == 3) {
		CHECK_STR(imp[0].name, "ExAllocatePoolWithTag");
		CHECK_EQ_U64(imp[0].hint, 0x77);
		CHECK_EQ_U64(imp[0].iat_rva, 0x1200);
		CHECK_STR(imp[1].name, "");
		CHECK_EQ_U64(imp[1].ordinal, 42);
		CHECK_EQ_U64(imp[1].iat_rva, 0x1208);
		CHECK_STR(imp[2].name, "");
		CHECK_EQ_U64(imp[2].iat_rva, 0x1210);
	}
	printf("  thunk outside the image: %s\n", err.message);
	free(imp);

	/* Descriptors without a terminator: every one names a DLL, up to
	 * the end of the section, where reading stops with an error. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_IMPORT, 0x1000, 20);
	strcpy((char *)b + 0x1FF0, "a.dll");
	for (uint32_t at = 0x2000; at + 20 <= HOSTILE_SIZE; at += 20) {
		ps_put_le32(b + at + 12, 0x1FF0);
		ps_put_le32(b + at + 16, 0x1FE0);   /* an empty IAT */
	}
	set_dir(&pe, PS_PE_DIR_IMPORT, 0x2000, 20);
	st = ps_pe_read_imports(ps_pe_file_read, &pf, &pe, &imp, &n, &err);
	CHECK(st != PS_OK);
	CHECK(strstr(err.message, "cannot be read") != NULL);
	CHECK_EQ_U64(n, 0);
	printf("  import descriptors without a terminator: %s\n", err.message);
	free(imp);

	/* A thunk list without a terminator that wraps into the IAT itself. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_IMPORT, 0x1000, 40);
	ps_put_le32(b + 0x1000 + 12, 0x1300);
	ps_put_le32(b + 0x1000 + 16, 0x2000);
	strcpy((char *)b + 0x1300, "x.dll");
	for (uint32_t at = 0x2000; at < HOSTILE_SIZE; at += 8)
		ps_put_le64(b + at, (1ull << 63) | 1);
	st = ps_pe_read_imports(ps_pe_file_read, &pf, &pe, &imp, &n, &err);
	CHECK(st != PS_OK);
	CHECK_EQ_U64(n, (HOSTILE_SIZE - 0x2000) / 8);
	free(imp);
}

static void check_hostile_debug_and_pdata(void)
{
	static uint8_t b[HOSTILE_SIZE];
	ps_pe pe;
	ps_pe_file pf;
	ps_pe_codeview cv;
	ps_pe_runtime_function *rf = NULL;
	size_t n = 0;
	ps_error err;
	ps_status st;

	/* An RSDS record whose name has no terminator inside SizeOfData: the
	 * name ends at SizeOfData. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_DEBUG, 0x1000, 28 * 2);
	ps_put_le32(b + 0x1000 + 12, 13);            /* a POGO entry first */
	ps_put_le32(b + 0x1000 + 28 + 12, 2);
	ps_put_le32(b + 0x1000 + 28 + 16, 24 + 6);
	ps_put_le32(b + 0x1000 + 28 + 20, 0x1100);
	ps_put_le32(b + 0x1100, 0x53445352);
	for (int i = 0; i < 16; i++)
		b[0x1104 + i] = (uint8_t)i;
	ps_put_le32(b + 0x1114, 3);
	memcpy(b + 0x1118, "abc.pdbXXXX", 11);
	st = ps_pe_read_codeview(ps_pe_file_read, &pf, &pe, &cv, &err);
	CHECK_EQ_U64(st, PS_OK);
	CHECK_STR(cv.pdb_name, "abc.pd");
	CHECK_EQ_U64(cv.age, 3);
	CHECK_EQ_U64(cv.guid[15], 15);

	/* NB10 only: not found, and said so. */
	ps_put_le32(b + 0x1100, 0x3031424E);
	st = ps_pe_read_codeview(ps_pe_file_read, &pf, &pe, &cv, &err);
	CHECK_EQ_U64(st, PS_ENOTFOUND);
	CHECK(strstr(err.message, "NB10") != NULL);

	/* A record outside the image. */
	ps_put_le32(b + 0x1000 + 28 + 20, 0x7FFFFF00);
	st = ps_pe_read_codeview(ps_pe_file_read, &pf, &pe, &cv, &err);
	CHECK(st != PS_OK && st != PS_ENOTFOUND);
	CHECK(strstr(err.message, "RVA 0x7fffff00") != NULL);

	/* A huge debug directory: bounded. */
	set_dir(&pe, PS_PE_DIR_DEBUG, 0x1000, 0xFFFFFFF0u);
	st = ps_pe_read_codeview(ps_pe_file_read, &pf, &pe, &cv, &err);
	CHECK(st != PS_OK);

	/* .pdata: good entries, an empty range, unsorted order, and a
	 * directory that runs past the image. */
	hostile_image(b, &pe, &pf);
	set_dir(&pe, PS_PE_DIR_EXCEPTION, 0x1000, 12 * 3);
	ps_put_le32(b + 0x1000, 0x2100);
	ps_put_le32(b + 0x1004, 0x2180);
	ps_put_le32(b + 0x1008, 0x3000);
	ps_put_le32(b + 0x100C, 0x2000);
	ps_put_le32(b + 0x1010, 0x2080);
	ps_put_le32(b + 0x1014, 0x3010);
	ps_put_le32(b + 0x1018, 0x2200);
	ps_put_le32(b + 0x101C, 0x2200);
	st = ps_pe_read_pdata(ps_pe_file_read, &pf, &pe, &rf, &n, &err);
	CHECK_EQ_U64(st, PS_EFORMAT);
	CHECK_EQ_U64(n, 2);
	if (n == 2) {
		CHECK_EQ_U64(rf[0].begin_rva, 0x2000);
		CHECK_EQ_U64(rf[1].begin_rva, 0x2100);
	}
	free(rf);
	set_dir(&pe, PS_PE_DIR_EXCEPTION, 0x3FF4, 0xFFFFFFF0u);
	st = ps_pe_read_pdata(ps_pe_file_read, &pf, &pe, &rf, &n, &err);
	CHECK(st != PS_OK);
	printf("  .pdata past the image: %s\n", err.message);
	free(rf);

	/* Not x64: refused. */
	pe.machine = 0x14C;
	st = ps_pe_read_pdata(ps_pe_file_read, &pf, &pe, &rf, &n, &err);
	CHECK_EQ_U64(st, PS_EUNSUPPORTED);
	CHECK(rf == NULL && n == 0);
}

/* ---- 5. !dh against golden files ---- */

static void check_golden(const char *dump, const char *command, const char *golden_name)
{
	char golden[1024], *got = NULL, *want;
	size_t got_len = 0, want_len = 0;
	const char *src = getenv("PS_SOURCE_DIR");
	ps_session *s = NULL;
	ps_session_options opt = { .quiet = 1 };
	ps_error err;
	FILE *out;

	snprintf(golden, sizeof golden, "%s/tests/golden/dh/%s", src ? src : "..", golden_name);
	if (ps_session_open(dump, &opt, NULL, &s, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", dump, err.message);
		CHECK(0);
		return;
	}
	out = open_memstream(&got, &got_len);
	ps_session_exec(s, command, out);
	fclose(out);
	ps_session_close(s);
	if (getenv("PS_UPDATE_GOLDEN") && strcmp(getenv("PS_UPDATE_GOLDEN"), "1") == 0) {
		FILE *f = fopen(golden, "wb");
		CHECK(f != NULL);
		if (f) {
			fwrite(got, 1, got_len, f);
			fclose(f);
		}
		printf("  updated %s\n", golden);
	}
	want = (char *)check_read_file(golden, &want_len);
	CHECK(want != NULL);
	if (want) {
		int same = want_len == got_len && memcmp(want, got, got_len) == 0;
		if (!same)
			fprintf(stderr, "%s: `%s` differs from %s:\n%s\n", dump, command, golden, got);
		CHECK(same);
		printf("  %s: `%s` matches %s (%zu bytes)\n", dump, command, golden_name, got_len);
	}
	free(want);
	free(got);
}

int main(void)
{
	char dir[] = "/tmp/test_pe_dirs.XXXXXX", path[1100], triage[1024];

	/* !dh prints time stamps in the local zone, as WinDbg does. */
	setenv("TZ", "UTC", 1);
	tzset();

	check_lab_files();
	check_seed_facts();

	if (!mkdtemp(dir)) {
		CHECK(0);
		return CHECK_DONE();
	}
	check_lab_dump("seed-env1", "x86", dir);
	check_lab_dump("seed-env1-x64", "x64", dir);
	check_triage();

	printf("hostile images\n");
	check_hostile_exports();
	check_hostile_imports();
	check_hostile_debug_and_pdata();

	printf("!dh\n");
	snprintf(path, sizeof path, "%s/seed-env1.dmp", dir);
	check_golden(path, "!dh SIoctl", "sioctl_x86.txt");
	snprintf(path, sizeof path, "%s/seed-env1-x64.dmp", dir);
	check_golden(path, "!dh SIoctl", "sioctl_x64.txt");
	check_shared_path(triage, sizeof triage, "data/triage_x64.dmp");
	check_golden(triage, "!dh nt", "nt_triage.txt");
	check_golden(triage, "!dh -f nt", "nt_triage_f.txt");

	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
