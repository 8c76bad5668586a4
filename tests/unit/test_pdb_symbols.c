/*
 * test_pdb_symbols.c - the PDB reader's container and symbols.
 *
 * 1. Every lab PDB and the lld-link fixture PDBs against llvm-pdbutil: GUID
 *    and age (-summary), every public (-publics) and global data symbol
 *    (-globals) at its segment:offset turned into an RVA with the section
 *    headers (-section-headers), every procedure (-symbols) with its code
 *    size and type index - and nothing we report that llvm-pdbutil does not.
 * 2. Anchors in the lab kernel's PDB (ExAllocatePoolWithTag and the symbol
 *    after it, KdDebuggerDataBlock, PsActiveProcessHead, x86 decorations).
 * 3. A synthetic PDB written here (so each field is known), then hostile
 *    variants of it: nil streams, oversized streams and directories, block
 *    indices out of range, symbol records of length 0 or running past their
 *    stream, and truncation at many lengths of synthetic and real PDBs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/pdb.h"

/* ---- llvm-pdbutil, parsed ---- */

struct expect {
	ps_pdb_sym_kind kind;
	char name[256];
	uint16_t seg;
	uint32_t off, size, type;
};

struct reference {
	char guid[64];
	unsigned age;
	uint32_t section_va[64];
	size_t sections;
	struct expect *items;
	size_t count, cap;
};

static FILE *run_pdbutil(const char *what, const char *path)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "llvm-pdbutil dump %s '%s' 2>/dev/null", what, path);
	return popen(cmd, "r");
}

static struct expect *push(struct reference *r)
{
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->items = realloc(r->items, r->cap * sizeof *r->items);
		if (!r->items)
			abort();
	}
	memset(&r->items[r->count], 0, sizeof r->items[0]);
	return &r->items[r->count++];
}

/* "  1260 | S_PUB32 [size = 40] `name`" -> kind and name. */
static int record_header(const char *line, ps_pdb_sym_kind *kind, char *name, size_t n)
{
	static const struct { const char *tag; ps_pdb_sym_kind kind; } tags[] = {
		{ "| S_PUB32 [", PS_PDB_PUBLIC },   { "| S_GDATA32 [", PS_PDB_DATA },
		{ "| S_LDATA32 [", PS_PDB_DATA },   { "| S_GPROC32 [", PS_PDB_FUNCTION },
		{ "| S_LPROC32 [", PS_PDB_FUNCTION },
	};
	const char *a, *b;

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		if (!strstr(line, tags[i].tag))
			continue;
		a = strchr(line, '`');
		b = a ? strchr(a + 1, '`') : NULL;
		if (!b || (size_t)(b - a - 1) >= n)
			return 0;
		memcpy(name, a + 1, (size_t)(b - a - 1));
		name[b - a - 1] = '\0';
		*kind = tags[i].kind;
		return 1;
	}
	return 0;
}

static void parse_records(struct reference *r, FILE *f)
{
	char line[2048], name[256];
	struct expect *cur = NULL;
	ps_pdb_sym_kind kind;
	const char *p;

	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "| S_")) {
			cur = NULL;
			if (record_header(line, &kind, name, sizeof name)) {
				cur = push(r);
				cur->kind = kind;
				strcpy(cur->name, name);
			}
			continue;
		}
		if (!cur)
			continue;
		if ((p = strstr(line, "addr = ")) != NULL) {
			unsigned seg = 0;
			unsigned long off = 0;
			if (sscanf(p, "addr = %u:%lu", &seg, &off) == 2) {
				cur->seg = (uint16_t)seg;
				cur->off = (uint32_t)off;
			}
		}
		if ((p = strstr(line, "code size = ")) != NULL)
			cur->size = (uint32_t)strtoul(p + 12, NULL, 10);
		if ((p = strstr(line, "type = `0x")) != NULL)
			cur->type = (uint32_t)strtoul(p + 8, NULL, 16);
		else if ((p = strstr(line, "type = 0x")) != NULL)
			cur->type = (uint32_t)strtoul(p + 7, NULL, 16);
	}
}

static int load_reference(const char *path, struct reference *r)
{
	char line[1024];
	FILE *f;

	memset(r, 0, sizeof *r);
	if (!(f = run_pdbutil("-summary", path)))
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *p;
		if ((p = strstr(line, "GUID: ")) != NULL)
			sscanf(p + 6, "%63s", r->guid);
		else if ((p = strstr(line, "Age: ")) != NULL)
			r->age = (unsigned)strtoul(p + 5, NULL, 10);
	}
	pclose(f);
	if (!(f = run_pdbutil("-section-headers", path)))
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, " virtual address") && r->sections < 64)
			r->section_va[r->sections++] = (uint32_t)strtoul(line, NULL, 16);
	}
	pclose(f);
	static const char *const parts[] = { "-publics", "-globals", "-symbols" };
	for (size_t i = 0; i < 3; i++) {
		if (!(f = run_pdbutil(parts[i], path)))
			return 0;
		parse_records(r, f);
		pclose(f);
	}
	return r->guid[0] != '\0';
}

/* ---- comparison ---- */

static void format_guid(const uint8_t g[16], char *out, size_t n)
{
	snprintf(out, n, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", ps_le32(g),
		 ps_le16(g + 4), ps_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

/* Index of the symbol at rva named `name` (or with that raw name), or -1. */
static long find_at(const ps_pdb_symbol *syms, size_t count, uint32_t rva, const char *name)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].rva < rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < count && syms[lo].rva == rva; lo++)
		if (strcmp(syms[lo].name, name) == 0 || strcmp(syms[lo].raw_name, name) == 0)
			return (long)lo;
	return -1;
}

static void compare_with_pdbutil(const char *path, size_t *checked)
{
	struct reference ref;
	const ps_pdb_symbol *syms;
	size_t count, missing = 0, wrong = 0, extra = 0;
	char guid[64];
	uint8_t g[16];
	uint32_t age;
	char *seen;
	ps_error err;
	ps_pdb *pdb;

	CHECK(load_reference(path, &ref));
	CHECK(ps_pdb_open(path, &pdb, &err) == PS_OK);
	if (!pdb) {
		fprintf(stderr, "%s\n", err.message);
		free(ref.items);
		return;
	}
	CHECK(ps_pdb_identity(pdb, g, &age, &err) == PS_OK);
	format_guid(g, guid, sizeof guid);
	CHECK_STR(guid, ref.guid);
	CHECK_EQ_U64(age, ref.age);
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_OK);
	CHECK(ref.count > 0);
	seen = calloc(count + 1, 1);

	for (size_t i = 0; i < ref.count; i++) {
		const struct expect *e = &ref.items[i];
		uint32_t rva;
		long at;

		if (e->seg == 0 || e->seg > ref.sections)
			continue;   /* absolute symbols have no RVA */
		rva = ref.section_va[e->seg - 1] + e->off;
		at = find_at(syms, count, rva, e->name);
		if (at < 0) {
			fprintf(stderr, "%s: %s at rva 0x%x (%u:%u) missing\n", path, e->name, rva,
				e->seg, e->off);
			missing++;
			continue;
		}
		seen[at] = 1;
		if (e->kind == PS_PDB_FUNCTION &&
		    (syms[at].kind != PS_PDB_FUNCTION || syms[at].size != e->size ||
		     syms[at].type_index != e->type)) {
			fprintf(stderr, "%s: procedure %s: kind %d size %u type 0x%x, expected size "
				"%u type 0x%x\n", path, e->name, syms[at].kind, syms[at].size,
				syms[at].type_index, e->size, e->type);
			wrong++;
		}
		if (e->kind == PS_PDB_DATA &&
		    (syms[at].kind != PS_PDB_DATA || syms[at].type_index != e->type)) {
			fprintf(stderr, "%s: data %s: kind %d type 0x%x, expected 0x%x\n", path,
				e->name, syms[at].kind, syms[at].type_index, e->type);
			wrong++;
		}
		/* A public is found by its own (raw) name too. */
		if (e->kind == PS_PDB_PUBLIC && !ps_pdb_symbol_named(pdb, e->name)) {
			fprintf(stderr, "%s: public %s not found by name\n", path, e->name);
			wrong++;
		}
		(*checked)++;
	}
	for (size_t i = 0; i < count; i++) {
		if (!seen[i]) {
			fprintf(stderr, "%s: %s at 0x%x is not in llvm-pdbutil's output\n", path,
				syms[i].name, syms[i].rva);
			extra++;
		}
	}
	CHECK_EQ_U64(missing, 0);
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(extra, 0);
	/* Sorted by RVA, and every lookup lands on an entry at or before it. */
	for (size_t i = 1; i < count; i++)
		if (syms[i - 1].rva > syms[i].rva) {
			CHECK(!"symbols sorted by RVA");
			break;
		}
	free(seen);
	free(ref.items);
	ps_pdb_close(pdb);
}

static void test_lab_and_fixtures(void)
{
	static const char *const dirs[] = { "lab/images/x86", "lab/images/x64", "tests/fixtures" };
	size_t files = 0, checked = 0;
	char dir[1024], path[2048];

	for (size_t d = 0; d < 3; d++) {
		DIR *dh = opendir(check_build_path(dir, sizeof dir, dirs[d]));
		struct dirent *de;

		CHECK(dh != NULL);
		if (!dh)
			continue;
		while ((de = readdir(dh)) != NULL) {
			size_t n = strlen(de->d_name);
			if (n < 5 || strcmp(de->d_name + n - 4, ".pdb") != 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			compare_with_pdbutil(path, &checked);
			files++;
		}
		closedir(dh);
	}
	printf("compared %zu PDBs, %zu symbols with llvm-pdbutil\n", files, checked);
	CHECK(files >= 16);     /* 7 lab images x 2 architectures, 2 fixtures */
	CHECK(checked > 1000);
}

/* ---- anchors ---- */

static void test_kernel_anchors(const char *arch)
{
	const ps_pdb_symbol *s, *next, *t;
	char rel[64], path[1024];
	ps_error err;
	ps_pdb *pdb;

	snprintf(rel, sizeof rel, "lab/images/%s/ntoskrnl.pdb", arch);
	CHECK(ps_pdb_open(check_build_path(path, sizeof path, rel), &pdb, &err) == PS_OK);
	if (!pdb)
		return;
	CHECK_STR(ps_pdb_name(pdb), path);
	s = ps_pdb_symbol_named(pdb, "ExAllocatePoolWithTag");
	CHECK(s && s->kind == PS_PDB_FUNCTION && s->is_code && s->size > 0 && s->type_index >= 0x1000);
	if (s) {
		CHECK(ps_pdb_symbol_at(pdb, s->rva, &next) == s);
		CHECK(next && strcmp(next->name, "ExDeferredFreePool") == 0);
		CHECK(ps_pdb_symbol_at(pdb, s->rva + s->size - 1, NULL) == s);
		CHECK(ps_pdb_symbol_at(pdb, 0, &next) == NULL);
		CHECK(next != NULL && next->rva > 0);
	}
	t = ps_pdb_symbol_named(pdb, "KdDebuggerDataBlock");
	CHECK(t && t->kind == PS_PDB_DATA && !t->is_code);
	t = ps_pdb_symbol_named(pdb, "PsActiveProcessHead");
	CHECK(t && t->kind == PS_PDB_DATA);
	CHECK(ps_pdb_symbol_named(pdb, "NoSuchSymbolAnywhere") == NULL);
	if (strcmp(arch, "x86") == 0) {
		/* WinDbg shows nt!ExAllocatePoolWithTag; the record says
		 * _ExAllocatePoolWithTag@12. */
		CHECK(ps_pdb_symbol_named(pdb, "_ExAllocatePoolWithTag@12") == s);
		CHECK(s && strcmp(s->raw_name, "_ExAllocatePoolWithTag@12") == 0);
		t = ps_pdb_symbol_named(pdb, "IofCompleteRequest");
		CHECK(t && strcmp(t->raw_name, "@IofCompleteRequest@8") == 0);
	} else {
		CHECK(s && strcmp(s->raw_name, "ExAllocatePoolWithTag") == 0);
	}
	ps_pdb_close(pdb);
}

/* ---- a synthetic PDB ---- */

#define BS 512
#define NSTREAMS 12

struct stream {
	uint8_t data[4096];
	uint32_t size;   /* PDB_NIL: 0xFFFFFFFF */
};

struct image {
	uint8_t *bytes;
	size_t size;
	size_t dir_off;                /* file offset of the directory */
	size_t list_off[NSTREAMS];     /* file offset of each block list */
};

static uint32_t blocks_of(uint32_t size)
{
	return size == 0xFFFFFFFFu ? 0 : (size + BS - 1) / BS;
}

/* Superblock in block 0, free block maps in 1-2, stream data, then the
 * directory (contiguous blocks) and the block map block. */
static void msf_write(const struct stream *s, uint32_t n, struct image *img)
{
	uint32_t next = 3, dir_bytes = 4 + 4 * n, dir_first, map_block, total;
	uint32_t first[NSTREAMS];
	uint8_t *b;

	for (uint32_t i = 0; i < n; i++) {
		first[i] = next;
		next += blocks_of(s[i].size);
		dir_bytes += 4 * blocks_of(s[i].size);
	}
	dir_first = next;
	map_block = dir_first + blocks_of(dir_bytes);
	total = map_block + 1;
	b = calloc(total, BS);
	memcpy(b, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
	ps_put_le32(b + 32, BS);
	ps_put_le32(b + 36, 1);
	ps_put_le32(b + 40, total);
	ps_put_le32(b + 44, dir_bytes);
	ps_put_le32(b + 52, map_block);
	for (uint32_t i = 0; i < n; i++)
		if (s[i].size != 0xFFFFFFFFu)
			memcpy(b + (size_t)first[i] * BS, s[i].data, s[i].size);
	img->dir_off = (size_t)dir_first * BS;
	uint8_t *d = b + img->dir_off;
	size_t pos = 4 + 4 * n;
	ps_put_le32(d, n);
	for (uint32_t i = 0; i < n; i++) {
		ps_put_le32(d + 4 + 4 * i, s[i].size);
		img->list_off[i] = img->dir_off + pos;
		for (uint32_t k = 0; k < blocks_of(s[i].size); k++, pos += 4)
			ps_put_le32(d + pos, first[i] + k);
	}
	for (uint32_t k = 0; k < blocks_of(dir_bytes); k++)
		ps_put_le32(b + (size_t)map_block * BS + 4 * k, dir_first + k);
	img->bytes = b;
	img->size = (size_t)total * BS;
}

static void put(struct stream *s, const void *p, size_t n)
{
	memcpy(s->data + s->size, p, n);
	s->size += (uint32_t)n;
}

static void put32(struct stream *s, uint32_t v)
{
	uint8_t b[4];
	ps_put_le32(b, v);
	put(s, b, 4);
}

static void put16(struct stream *s, uint16_t v)
{
	uint8_t b[2];
	ps_put_le16(b, v);
	put(s, b, 2);
}

/* A CodeView record: length, kind, fields, name, padding to 4. Returns
 * its offset. */
static uint32_t record(struct stream *s, uint16_t kind, const uint8_t *fields, size_t n,
		       const char *name)
{
	uint32_t at = s->size;
	size_t len = 2 + n + strlen(name) + 1;
	size_t pad = (4 - (2 + len) % 4) % 4;

	put16(s, (uint16_t)(len + pad));
	put16(s, kind);
	put(s, fields, n);
	put(s, name, strlen(name) + 1);
	for (size_t i = 0; i < pad; i++)
		put(s, "", 1);
	return at;
}

static uint32_t pub(struct stream *s, uint32_t flags, uint16_t seg, uint32_t off, const char *name)
{
	uint8_t f[10];
	ps_put_le32(f, flags);
	ps_put_le32(f + 4, off);
	ps_put_le16(f + 8, seg);
	return record(s, 0x110E, f, 10, name);
}

static uint32_t data_sym(struct stream *s, uint16_t kind, uint32_t type, uint16_t seg,
			 uint32_t off, const char *name)
{
	uint8_t f[10];
	ps_put_le32(f, type);
	ps_put_le32(f + 4, off);
	ps_put_le16(f + 8, seg);
	return record(s, kind, f, 10, name);
}

static uint32_t proc(struct stream *s, uint16_t kind, uint32_t size, uint32_t type, uint16_t seg,
		     uint32_t off, const char *name)
{
	uint8_t f[35] = { 0 };
	ps_put_le32(f + 12, size);
	ps_put_le32(f + 24, type);
	ps_put_le32(f + 28, off);
	ps_put_le16(f + 32, seg);
	return record(s, kind, f, 35, name);
}

static void gsi(struct stream *s, const uint32_t *offs, size_t n)
{
	put32(s, 0xFFFFFFFFu);
	put32(s, 0xF12F091Au);
	put32(s, (uint32_t)(8 * n));
	put32(s, 0);
	for (size_t i = 0; i < n; i++) {
		put32(s, offs[i] + 1);
		put32(s, 1);
	}
}

enum { ST_INFO = 1, ST_DBI = 3, ST_SECTIONS = 5, ST_SYMREC, ST_PUBLICS, ST_GLOBALS, ST_MODULE,
       ST_OMAP, ST_SECTIONS_ORIG };

static void section(struct stream *s, const char *name, uint32_t va)
{
	uint8_t hdr[40] = { 0 };

	memcpy(hdr, name, strlen(name));
	ps_put_le32(hdr + 8, 0x1000);
	ps_put_le32(hdr + 12, va);
	put(s, hdr, 40);
}

enum {
	BAD_MODULE = 1,   /* a zero-length record ends the module stream */
	BAD_SYMREC = 2,   /* a record runs past the symbol record stream */
	OMAP = 4,         /* the image moved after linking: an OMAP map gives
	                     the final RVAs of the original layout */
	DUP_HASH = 8      /* 400 public hash records name the same record */
};

/* The synthetic PDB's streams, with the variations in `flags`. */
static void synthetic(struct stream *st, int flags)
{
	int bad_module = flags & BAD_MODULE, bad_symrec = flags & BAD_SYMREC;
	int omap = flags & OMAP;
	struct stream *s;
	uint32_t pubs[6], globs[2], foo;
	uint8_t end_rec[4] = { 2, 0, 6, 0 };

	memset(st, 0, sizeof(struct stream) * NSTREAMS);
	st[2].size = st[4].size = 0xFFFFFFFFu;

	s = &st[ST_INFO];
	put32(s, 20000404);
	put32(s, 0x5eed);
	put32(s, 5);
	for (int i = 0; i < 16; i++)
		put(s, &(uint8_t){ (uint8_t)(0x10 + i) }, 1);
	put32(s, 0);      /* string buffer */
	put32(s, 0);      /* hash size */
	put32(s, 1);      /* capacity */
	put32(s, 0);      /* present words */
	put32(s, 0);      /* deleted words */

	s = &st[ST_MODULE];
	put32(s, 4);
	foo = proc(s, 0x1110, 0x20, 0x1001, 1, 0x10, "Foo");
	put(s, end_rec, 4);
	proc(s, 0x110F, 0x8, 0x1002, 1, 0x40, "StaticBar");
	data_sym(s, 0x110C, 0x75, 2, 0x30, "StaticInBar");  /* nested: not a symbol */
	put(s, end_rec, 4);
	data_sym(s, 0x110C, 0x22, 2, 0x8, "gCounter");
	if (bad_module)
		put32(s, 0x11100000);   /* length 0 */

	s = &st[ST_SYMREC];
	pubs[0] = pub(s, 2, 1, 0x10, "_Foo@8");
	pubs[1] = pub(s, 2, 1, 0x10, "_Foo@8");            /* lld's duplicate */
	pubs[2] = pub(s, 2, 1, 0x60, "@Fast@4");
	pubs[3] = pub(s, 0, 2, 0x0, "_gData");
	pubs[4] = pub(s, 2, 1, 0x80, "?Cpp@@YAXXZ");
	pubs[5] = pub(s, 0, 0, 0x5, "__absolute");         /* no RVA */
	globs[0] = data_sym(s, 0x110D, 0x74, 2, 0x0, "gData");
	{
		uint8_t f[10];
		ps_put_le32(f, 0);
		ps_put_le32(f + 4, foo);
		ps_put_le16(f + 8, 1);
		globs[1] = record(s, 0x1125, f, 10, "Foo");
	}
	if (bad_symrec) {
		pubs[5] = s->size;
		put16(s, 200);
		put16(s, 0x110E);
	}

	gsi(&st[ST_GLOBALS], globs, 2);
	s = &st[ST_PUBLICS];
	for (int i = 0; i < 7; i++)
		put32(s, 0);
	if (flags & DUP_HASH) {
		static uint32_t many[400];
		for (size_t i = 0; i < 400; i++)
			many[i] = pubs[2];
		gsi(s, many, 400);
	} else {
		gsi(s, pubs, 6);
	}

	if (!omap) {
		section(&st[ST_SECTIONS], ".text", 0x1000);
		section(&st[ST_SECTIONS], ".data", 0x3000);
	} else {
		/* Final layout: .text moved to 0x7000 in two pieces, the code
		 * at original 0x1040..0x104f (StaticBar) dropped. */
		static const uint32_t map[][2] = {
			{ 0x1000, 0x7000 }, { 0x1040, 0 }, { 0x1050, 0x9000 },
			{ 0x2000, 0 },      { 0x3000, 0x3000 },
		};
		section(&st[ST_SECTIONS], ".text", 0x7000);
		section(&st[ST_SECTIONS], ".data", 0x3000);
		section(&st[ST_SECTIONS_ORIG], ".text", 0x1000);
		section(&st[ST_SECTIONS_ORIG], ".data", 0x3000);
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
			put32(&st[ST_OMAP], map[i][0]);
			put32(&st[ST_OMAP], map[i][1]);
		}
	}

	s = &st[ST_DBI];
	put32(s, 0xFFFFFFFFu);
	put32(s, 19990903);
	put32(s, 6);                         /* DBI age */
	put16(s, ST_GLOBALS);
	put16(s, 0);
	put16(s, ST_PUBLICS);
	put16(s, 0);
	put16(s, ST_SYMREC);
	put16(s, 0);
	put32(s, 64 + 12);                   /* module info: one record */
	for (int i = 0; i < 5; i++)
		put32(s, 0);
	put32(s, 22);                        /* optional debug header */
	put32(s, 0);
	put16(s, 0);
	put16(s, 0x14C);                     /* x86 */
	put32(s, 0);
	{
		uint8_t m[64] = { 0 };
		ps_put_le16(m + 34, ST_MODULE);
		ps_put_le32(m + 36, st[ST_MODULE].size);
		put(s, m, 64);
		put(s, "a.obj\0a.obj\0", 12);
	}
	for (int i = 0; i < 11; i++)
		put16(s, i == 5 ? ST_SECTIONS : omap && i == 4 ? ST_OMAP :
			 omap && i == 10 ? ST_SECTIONS_ORIG : 0xFFFF);
}

static const ps_pdb_symbol *at_exact(ps_pdb *pdb, uint32_t rva)
{
	const ps_pdb_symbol *s = ps_pdb_symbol_at(pdb, rva, NULL);
	return s && s->rva == rva ? s : NULL;
}

static void test_synthetic(void)
{
	static struct stream st[NSTREAMS];
	const ps_pdb_symbol *syms, *s, *next;
	struct image img;
	size_t count;
	uint8_t g[16];
	uint32_t age;
	ps_error err;
	ps_pdb *pdb;

	synthetic(st, 0);
	msf_write(st, NSTREAMS, &img);
	CHECK(ps_pdb_open_memory(img.bytes, img.size, "synthetic.pdb", &pdb, &err) == PS_OK);
	if (!pdb)
		return;
	CHECK(ps_pdb_identity(pdb, g, &age, &err) == PS_OK);
	CHECK_EQ_U64(g[0], 0x10);
	CHECK_EQ_U64(g[15], 0x1f);
	CHECK_EQ_U64(age, 6);           /* the DBI age, not the info stream's 5 */
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_OK);
	CHECK_EQ_U64(count, 6);
	for (size_t i = 0; i < count; i++)
		printf("  synthetic: %#x %s [%s] kind %d\n", syms[i].rva, syms[i].name,
		       syms[i].raw_name, syms[i].kind);
	s = ps_pdb_symbol_named(pdb, "Foo");
	CHECK(s && s->kind == PS_PDB_FUNCTION && s->rva == 0x1010 && s->size == 0x20 &&
	      s->type_index == 0x1001);
	CHECK(s && strcmp(s->raw_name, "_Foo@8") == 0);
	CHECK(ps_pdb_symbol_named(pdb, "_Foo@8") == s);
	s = ps_pdb_symbol_named(pdb, "StaticBar");
	CHECK(s && s->rva == 0x1040 && s->type_index == 0x1002);
	s = ps_pdb_symbol_named(pdb, "Fast");
	CHECK(s && s->kind == PS_PDB_PUBLIC && s->rva == 0x1060 && s->is_code);
	CHECK(s && strcmp(s->raw_name, "@Fast@4") == 0);
	s = ps_pdb_symbol_named(pdb, "gData");
	CHECK(s && s->kind == PS_PDB_DATA && s->rva == 0x3000 && s->type_index == 0x74);
	CHECK(ps_pdb_symbol_named(pdb, "_gData") == s);
	s = ps_pdb_symbol_named(pdb, "?Cpp@@YAXXZ");
	CHECK(s && s->rva == 0x1080 && strcmp(s->name, "?Cpp@@YAXXZ") == 0);
	s = ps_pdb_symbol_named(pdb, "gCounter");
	CHECK(s && s->kind == PS_PDB_DATA && s->rva == 0x3008);
	CHECK(ps_pdb_symbol_named(pdb, "StaticInBar") == NULL);
	CHECK(ps_pdb_symbol_named(pdb, "__absolute") == NULL);
	CHECK(ps_pdb_symbol_named(pdb, "absolute") == NULL);
	/* Lookups between symbols, before the first, after the last. */
	s = ps_pdb_symbol_at(pdb, 0x1030, &next);
	CHECK(s && strcmp(s->name, "Foo") == 0);
	CHECK(next && strcmp(next->name, "StaticBar") == 0);
	CHECK(ps_pdb_symbol_at(pdb, 0xfff, &next) == NULL);
	CHECK(next && next->rva == 0x1010);
	s = ps_pdb_symbol_at(pdb, 0x9000, &next);
	CHECK(s && strcmp(s->name, "gCounter") == 0 && next == NULL);
	CHECK(at_exact(pdb, 0x1080) != NULL);
	ps_pdb_close(pdb);
	free(img.bytes);
}

/* OMAP: original segment:offset, then the map to the final RVA. */
static void test_omap(void)
{
	static struct stream st[NSTREAMS];
	const ps_pdb_symbol *syms, *s;
	struct image img;
	size_t count;
	ps_error err;
	ps_pdb *pdb;

	synthetic(st, OMAP);
	msf_write(st, NSTREAMS, &img);
	CHECK(ps_pdb_open_memory(img.bytes, img.size, "omap.pdb", &pdb, &err) == PS_OK);
	if (!pdb)
		return;
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_OK);
	s = ps_pdb_symbol_named(pdb, "Foo");
	CHECK(s && s->rva == 0x7010);
	s = ps_pdb_symbol_named(pdb, "Fast");
	CHECK(s && s->rva == 0x9010);
	s = ps_pdb_symbol_named(pdb, "?Cpp@@YAXXZ");
	CHECK(s && s->rva == 0x9030);
	CHECK(ps_pdb_symbol_named(pdb, "StaticBar") == NULL);   /* dropped code */
	s = ps_pdb_symbol_named(pdb, "gCounter");
	CHECK(s && s->rva == 0x3008);
	CHECK_EQ_U64(count, 5);
	ps_pdb_close(pdb);
	free(img.bytes);
}

/* A problem in part of the streams: an error naming it, and the rest. */
static void test_damaged_records(void)
{
	static struct stream st[NSTREAMS];
	const ps_pdb_symbol *syms;
	struct image img;
	size_t count;
	ps_error err;
	ps_pdb *pdb;

	synthetic(st, BAD_MODULE);
	msf_write(st, NSTREAMS, &img);
	CHECK(ps_pdb_open_memory(img.bytes, img.size, "zero-length.pdb", &pdb, &err) == PS_OK);
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "zero-length.pdb") && strstr(err.message, "length below 2"));
	CHECK_EQ_U64(count, 6);   /* the bad record is last */
	CHECK(ps_pdb_symbol_named(pdb, "gCounter") != NULL);
	/* The failure is remembered, not met again on every call. */
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_EFORMAT);
	ps_pdb_close(pdb);
	free(img.bytes);

	synthetic(st, BAD_SYMREC);
	msf_write(st, NSTREAMS, &img);
	CHECK(ps_pdb_open_memory(img.bytes, img.size, "past-end.pdb", &pdb, &err) == PS_OK);
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "not a record") != NULL);
	CHECK(ps_pdb_symbol_named(pdb, "Foo") != NULL);
	ps_pdb_close(pdb);
	free(img.bytes);

	/* One record named by 400 hash records counts once. */
	synthetic(st, DUP_HASH);
	msf_write(st, NSTREAMS, &img);
	CHECK(ps_pdb_open_memory(img.bytes, img.size, "dup.pdb", &pdb, &err) == PS_OK);
	CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_OK);
	CHECK_EQ_U64(count, 5);   /* Foo, StaticBar, Fast, gData, gCounter */
	CHECK(ps_pdb_symbol_named(pdb, "Fast") != NULL);
	ps_pdb_close(pdb);
	free(img.bytes);
}

/* Hostile containers: each gives its error, none crashes. */
static void test_hostile_container(void)
{
	static struct stream st[NSTREAMS];
	const ps_pdb_symbol *syms;
	struct image img;
	size_t count;
	uint8_t *copy;
	ps_error err;
	ps_pdb *pdb;

	synthetic(st, 0);
	msf_write(st, NSTREAMS, &img);
	copy = malloc(img.size);

#define FRESH() memcpy(copy, img.bytes, img.size)
	/* Not an MSF file. */
	FRESH();
	copy[10] = 'X';
	CHECK(ps_pdb_open_memory(copy, img.size, "magic.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "magic.pdb: not a PDB") != NULL);
	/* Block size not a power of two in range. */
	FRESH();
	ps_put_le32(copy + 32, 1000);
	CHECK(ps_pdb_open_memory(copy, img.size, "bs.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "block size 1000") != NULL);
	/* A huge directory. */
	FRESH();
	ps_put_le32(copy + 44, 0x7FFFFFF0u);
	CHECK(ps_pdb_open_memory(copy, img.size, "dir.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "stream directory") != NULL);
	/* The block map address outside the file. */
	FRESH();
	ps_put_le32(copy + 52, 0x10000);
	CHECK(ps_pdb_open_memory(copy, img.size, "map.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "block map address") != NULL);
	/* A directory block index out of range. */
	FRESH();
	ps_put_le32(copy + (size_t)ps_le32(copy + 52) * BS, 0xFFFFFF00u);
	CHECK(ps_pdb_open_memory(copy, img.size, "dirblock.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "past the file's") != NULL);
	/* Far too many streams. */
	FRESH();
	ps_put_le32(copy + img.dir_off, 0x40000000u);
	CHECK(ps_pdb_open_memory(copy, img.size, "streams.pdb", &pdb, &err) == PS_EFORMAT);
	/* A stream larger than the file. */
	FRESH();
	ps_put_le32(copy + img.dir_off + 4 + 4 * ST_SYMREC, 0x7FFFFFFFu);
	CHECK(ps_pdb_open_memory(copy, img.size, "big.pdb", &pdb, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "stream 6 claims") != NULL);
	/* A stream block index out of range: the container opens, the stream
	 * does not read, the other symbols still come. */
	FRESH();
	ps_put_le32(copy + img.list_off[ST_SYMREC], 0xFFFFu);
	CHECK(ps_pdb_open_memory(copy, img.size, "block.pdb", &pdb, &err) == PS_OK);
	if (pdb) {
		CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_EFORMAT);
		CHECK(strstr(err.message, "block index 65535") != NULL);
		CHECK(ps_pdb_symbol_named(pdb, "StaticBar") != NULL);
		ps_pdb_close(pdb);
	}
	/* The DBI stream nil: no symbols, a clear reason. The block lists of
	 * the others shift, which the reader must survive too. */
	FRESH();
	ps_put_le32(copy + img.dir_off + 4 + 4 * ST_DBI, 0xFFFFFFFFu);
	if (ps_pdb_open_memory(copy, img.size, "nil.pdb", &pdb, &err) == PS_OK) {
		CHECK(ps_pdb_symbols(pdb, &syms, &count, &err) == PS_ENOTFOUND);
		CHECK(strstr(err.message, "stream 3 is nil") != NULL);
		CHECK(count == 0 && ps_pdb_symbol_at(pdb, 0x1010, NULL) == NULL);
		ps_pdb_close(pdb);
	} else {
		CHECK(!"nil DBI: container opens");
	}
	/* Every truncation. */
	for (size_t n = 0; n < img.size; n += 7) {
		if (ps_pdb_open_memory(copy, n, "cut.pdb", &pdb, &err) != PS_OK) {
			CHECK(err.message[0] != '\0');
			continue;
		}
		uint8_t g[16];
		uint32_t age;
		(void)ps_pdb_identity(pdb, g, &age, &err);
		(void)ps_pdb_symbols(pdb, &syms, &count, &err);
		CHECK(count <= 6);
		ps_pdb_close(pdb);
	}
	free(copy);
	free(img.bytes);
}

/* Lengths to cut at: dense over the first blocks, sparser after, and the
 * whole file last. */
static size_t next_length(size_t n, size_t size)
{
	size_t step = n < 8192 ? 61 : 509;

	if (n == size)
		return size + 1;
	return n + step > size ? size : n + step;
}

/* A real PDB cut at many lengths and with bytes flipped: errors, no crash. */
static void test_real_truncated(void)
{
	char path[1024];
	const ps_pdb_symbol *syms;
	size_t size, count, opened = 0;
	uint8_t *bytes;
	ps_error err;
	ps_pdb *pdb;
	FILE *f;

	f = fopen(check_build_path(path, sizeof path, "lab/images/x64/SIoctl.pdb"), "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	bytes = malloc(size);
	CHECK(fread(bytes, 1, size, f) == size);
	fclose(f);
	for (size_t n = 0; n <= size; n = next_length(n, size)) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, bytes, n);
		if (ps_pdb_open_memory(cut, n, "cut.pdb", &pdb, &err) == PS_OK) {
			opened++;
			(void)ps_pdb_symbols(pdb, &syms, &count, &err);
			(void)ps_pdb_symbol_at(pdb, 0x1000, NULL);
			ps_pdb_close(pdb);
		} else {
			CHECK(strstr(err.message, "cut.pdb") != NULL);
		}
		free(cut);
	}
	/* lld writes the directory last: only the whole file opens. */
	CHECK(opened >= 1);

	/* Bytes overwritten at random (a fixed sequence): errors or partial
	 * symbols, never a crash. */
	uint32_t seed = 12345;
	uint8_t *copy = malloc(size);
	for (int round = 0; round < 3000; round++) {
		memcpy(copy, bytes, size);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % size;
			seed = seed * 1103515245u + 12345u;
			copy[at] = (uint8_t)(seed >> 16);
		}
		if (ps_pdb_open_memory(copy, size, "flipped.pdb", &pdb, &err) == PS_OK) {
			(void)ps_pdb_symbols(pdb, &syms, &count, &err);
			(void)ps_pdb_symbol_at(pdb, 0x1000, NULL);
			(void)ps_pdb_symbol_named(pdb, "DriverEntry");
			ps_pdb_close(pdb);
		}
	}
	free(copy);
	free(bytes);
}

int main(void)
{
	test_synthetic();
	test_omap();
	test_damaged_records();
	test_hostile_container();
	test_kernel_anchors("x86");
	test_kernel_anchors("x64");
	test_lab_and_fixtures();
	test_real_truncated();
	return CHECK_DONE();
}
