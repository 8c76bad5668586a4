/*
 * test_pdb_types.c - the PDB type reader against llvm-pdbutil.
 *
 * For the fixture program (tests/fixtures/pdb_types.c, x64 and x86) and the
 * lab kernels' PDBs, `llvm-pdbutil dump -types` is run and parsed here, and
 * every record it lists is checked against what ps_pdb_type and friends
 * make of it: struct/union/class definitions (name, size, field count,
 * every member's name, offset and type), forward references (resolved to
 * the definition pdbutil names), bitfields, arrays, enums and their values,
 * pointers, modifiers, procedures and their argument lists. A wrong offset
 * in any leaf decoder shows up as a mismatch here.
 *
 * Then the names WinDbg prints (ln's C prototypes, dt's member types), and
 * hostile type streams wrapped in small MSF files (tests/unit/msf_build.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "msf_build.h"
#include "poolscope/pdb.h"
#include "sym/pdb_internal.h"

/* ---- llvm-pdbutil's view --------------------------------------------------- */

struct pu_member {
	char *name;
	uint64_t value;   /* offset, or enumerator value */
	uint32_t type;
};

struct pu_rec {
	uint32_t id;
	char leaf[32];
	char *name;
	/* tags */
	int fwd;
	uint32_t fwd_to;      /* 0: unresolved ("= 0x...") */
	uint64_t size;
	uint32_t fields, underlying;
	/* field lists */
	struct pu_member *members;  /* LF_MEMBER / LF_ENUMERATE, in order */
	size_t nmembers, nentries;  /* entries: every kind but LF_INDEX */
	uint32_t continuation;
	/* arrays, bitfields, pointers, modifiers */
	uint32_t elem, referent;
	unsigned bf_off, bf_bits;
	int ptr64, is_const, is_volatile;
	/* procedures and argument lists */
	uint32_t ret, arglist;
	unsigned nargs;
	uint32_t *args;
	size_t nargs_list;
};

struct pu_dump {
	struct pu_rec *recs;
	size_t n;
	uint32_t shown;   /* "Showing N records" */
};

static struct pu_rec *pu_find(struct pu_dump *d, uint32_t id)
{
	return id >= 0x1000 && id - 0x1000 < d->n ? &d->recs[id - 0x1000] : NULL;
}

static char *dup_between(const char *s, char open, char close)
{
	const char *a = strchr(s, open), *b;
	char *r;

	if (!a)
		return NULL;
	b = strchr(a + 1, close);
	if (!b)
		return NULL;
	r = malloc((size_t)(b - a));
	memcpy(r, a + 1, (size_t)(b - a - 1));
	r[b - a - 1] = '\0';
	return r;
}

static void pu_member_add(struct pu_rec *r, char *name, uint64_t value, uint32_t type)
{
	r->members = realloc(r->members, (r->nmembers + 1) * sizeof *r->members);
	r->members[r->nmembers++] = (struct pu_member){name, value, type};
}

static void pu_detail(struct pu_rec *r, const char *line)
{
	const char *p;
	unsigned x;

	while (*line == ' ')
		line++;
	if (strncmp(line, "- ", 2) == 0) {
		if (strncmp(line, "- LF_INDEX", 10) == 0) {
			p = strstr(line, "continuation = 0x");
			if (p)
				r->continuation = (uint32_t)strtoul(p + 17, NULL, 16);
			return;
		}
		r->nentries++;
		if (strncmp(line, "- LF_MEMBER ", 12) == 0) {
			char *name = dup_between(line, '`', '`');
			const char *t = strstr(line, "Type = 0x"), *o = strstr(line, "offset = ");
			pu_member_add(r, name, o ? strtoull(o + 9, NULL, 10) : ~0ull,
				      t ? (uint32_t)strtoul(t + 9, NULL, 16) : 0);
		} else if (strncmp(line, "- LF_ENUMERATE [", 16) == 0) {
			const char *eq = strstr(line, " = ");
			char *name = malloc((size_t)(eq - line));
			size_t n = (size_t)(eq - (line + 16));
			uint64_t v;
			memcpy(name, line + 16, n);
			name[n] = '\0';
			v = eq[3] == '-' ? (uint64_t)strtoll(eq + 3, NULL, 10) : strtoull(eq + 3, NULL, 10);
			pu_member_add(r, name, v, 0);
		}
		return;
	}
	if ((p = strstr(line, "field list: 0x")))
		r->fields = (uint32_t)strtoul(p + 14, NULL, 16);
	if ((p = strstr(line, "underlying type: 0x")))
		r->underlying = (uint32_t)strtoul(p + 19, NULL, 16);
	if (strncmp(line, "options:", 8) == 0) {
		if ((p = strstr(line, "forward ref (")))
			r->fwd = 1, r->fwd_to = p[13] == '-' ? (uint32_t)strtoul(p + 18, NULL, 16) : 0;
		if ((p = strstr(line, "sizeof ")))
			r->size = strtoull(p + 7, NULL, 10);
	}
	if (strncmp(line, "size: ", 6) == 0) {
		r->size = strtoull(line + 6, NULL, 10);
		if ((p = strstr(line, "element type: 0x")))
			r->elem = (uint32_t)strtoul(p + 16, NULL, 16);
	}
	if (sscanf(line, "type = 0x%x", &x) == 1) {
		r->elem = x;
		if ((p = strstr(line, "bit offset = ")))
			r->bf_off = (unsigned)strtoul(p + 13, NULL, 10);
		if ((p = strstr(line, "# bits = ")))
			r->bf_bits = (unsigned)strtoul(p + 9, NULL, 10);
	}
	if (sscanf(line, "referent = 0x%x", &x) == 1) {
		r->referent = x;
		r->ptr64 = strstr(line, "kind = ptr64") != NULL;
		if ((p = strstr(line, "modifiers = "))) {
			r->is_const = strstr(p, "const") != NULL;
			r->is_volatile = strstr(p, "volatile") != NULL;
		}
	}
	if (sscanf(line, "return type = 0x%x", &x) == 1) {
		r->ret = x;
		if ((p = strstr(line, "# args = ")))
			r->nargs = (unsigned)strtoul(p + 9, NULL, 10);
		if ((p = strstr(line, "param list = 0x")))
			r->arglist = (uint32_t)strtoul(p + 15, NULL, 16);
	}
	if (strcmp(r->leaf, "LF_ARGLIST") == 0 &&
	    (sscanf(line, "0x%x", &x) == 1 || strncmp(line, "<no type>", 9) == 0)) {
		if (strncmp(line, "<no type>", 9) == 0)
			x = 0;
		r->args = realloc(r->args, (r->nargs_list + 1) * sizeof *r->args);
		r->args[r->nargs_list++] = x;
	}
}

static int pu_load(const char *pdb, struct pu_dump *d)
{
	static const char *tools[] = {"llvm-pdbutil", "llvm-pdbutil-14", "llvm-pdbutil-15",
				      "llvm-pdbutil-16"};
	char cmd[1024], line[4096];
	struct pu_rec *cur = NULL;

	memset(d, 0, sizeof *d);
	for (size_t t = 0; t < sizeof tools / sizeof tools[0] && !d->n; t++) {
		FILE *f;
		snprintf(cmd, sizeof cmd, "%s dump -types '%s' 2>/dev/null", tools[t], pdb);
		f = popen(cmd, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			unsigned id;
			char leaf[32];
			line[strcspn(line, "\n")] = '\0';
			if (strstr(line, "Showing ") && strstr(line, " records")) {
				/* "Showing 2,210 records": digits with separators */
				d->shown = 0;
				for (const char *c = strstr(line, "Showing ") + 8; *c != ' '; c++)
					if (*c >= '0' && *c <= '9')
						d->shown = d->shown * 10 + (unsigned)(*c - '0');
				continue;
			}
			if (sscanf(line, " 0x%x | %31s [size", &id, leaf) == 2 && strchr(line, '|')) {
				if (id < 0x1000 || id - 0x1000 != d->n)
					continue;  /* not the next record: not a header */
				d->recs = realloc(d->recs, (d->n + 1) * sizeof *d->recs);
				cur = &d->recs[d->n++];
				memset(cur, 0, sizeof *cur);
				cur->id = id;
				snprintf(cur->leaf, sizeof cur->leaf, "%s", leaf);
				cur->name = dup_between(strchr(line, ']'), '`', '`');
				continue;
			}
			if (cur)
				pu_detail(cur, line);
		}
		pclose(f);
	}
	return d->n > 0;
}

static void pu_free(struct pu_dump *d)
{
	for (size_t i = 0; i < d->n; i++) {
		for (size_t j = 0; j < d->recs[i].nmembers; j++)
			free(d->recs[i].members[j].name);
		free(d->recs[i].members);
		free(d->recs[i].args);
		free(d->recs[i].name);
	}
	free(d->recs);
}

static int is_tag(const char *leaf)
{
	return !strcmp(leaf, "LF_STRUCTURE") || !strcmp(leaf, "LF_CLASS") ||
	       !strcmp(leaf, "LF_UNION") || !strcmp(leaf, "LF_ENUM");
}

/* ---- comparing ------------------------------------------------------------ */

struct tally {
	unsigned tags, members, bitfields, arrays, enums, procs, fwds;
};

/* The field list chain as pdbutil shows it: members in order, entry count. */
static void pu_chain(struct pu_dump *d, uint32_t list, struct pu_member **v, size_t *n,
		     size_t *entries)
{
	*v = NULL;
	*n = *entries = 0;
	for (int hops = 0; list && hops < 256; hops++) {
		struct pu_rec *f = pu_find(d, list);
		if (!f || strcmp(f->leaf, "LF_FIELDLIST"))
			break;
		*v = realloc(*v, (*n + f->nmembers + 1) * sizeof **v);
		memcpy(*v + *n, f->members, f->nmembers * sizeof **v);
		*n += f->nmembers;
		*entries += f->nentries;
		list = f->continuation;
	}
}

static void check_tag(ps_pdb *pdb, struct pu_dump *d, struct pu_rec *r, struct tally *t)
{
	ps_error err = {0};
	ps_type ty;
	ps_status st = ps_pdb_type(pdb, r->id, &ty, &err);

	CHECK_EQ_U64(st, PS_OK);
	if (st != PS_OK) {
		fprintf(stderr, "  type 0x%x: %s\n", r->id, err.message);
		return;
	}
	CHECK_STR(ty.name, r->name);
	if (r->fwd) {
		t->fwds++;
		if (r->fwd_to) {
			CHECK_EQ_U64(ty.id, r->fwd_to);
			CHECK(!ty.forward_ref);
		} else {
			CHECK_EQ_U64(ty.id, r->id);
			CHECK(ty.forward_ref);
		}
		return;
	}
	t->tags++;
	CHECK_EQ_U64(ty.id, r->id);
	CHECK(!ty.forward_ref);

	struct pu_member *want;
	size_t nwant, entries;
	pu_chain(d, r->fields, &want, &nwant, &entries);
	CHECK_EQ_U64(ty.member_count, entries);

	if (!strcmp(r->leaf, "LF_ENUM")) {
		ps_type u;
		t->enums++;
		CHECK_EQ_U64(ty.kind, PS_TYPE_ENUM);
		CHECK_EQ_U64(ty.target, r->underlying);
		CHECK_EQ_U64(ps_pdb_type(pdb, r->underlying, &u, NULL), PS_OK);
		CHECK_EQ_U64(ty.size, u.size);
	} else {
		CHECK_EQ_U64(ty.kind, !strcmp(r->leaf, "LF_UNION") ? PS_TYPE_UNION
				      : !strcmp(r->leaf, "LF_CLASS") ? PS_TYPE_CLASS : PS_TYPE_STRUCT);
		CHECK_EQ_U64(ty.size, r->size);
	}

	ps_type_member *got;
	size_t ngot;
	st = ps_pdb_type_members(pdb, r->id, &got, &ngot, &err);
	CHECK_EQ_U64(st, PS_OK);
	if (st != PS_OK) {
		fprintf(stderr, "  members of 0x%x %s: %s\n", r->id, r->name, err.message);
		free(want);
		return;
	}
	CHECK_EQ_U64(ngot, nwant);
	for (size_t i = 0; i < ngot && i < nwant; i++) {
		t->members++;
		CHECK_STR(got[i].name, want[i].name);
		CHECK_EQ_U64(got[i].offset, want[i].value);
		CHECK_EQ_U64(got[i].type, want[i].type);
		/* Bitfield and array members: the member's type record too. */
		struct pu_rec *mt = pu_find(d, got[i].type);
		if (mt && !strcmp(mt->leaf, "LF_BITFIELD")) {
			ps_type b;
			t->bitfields++;
			CHECK_EQ_U64(ps_pdb_type(pdb, got[i].type, &b, NULL), PS_OK);
			CHECK_EQ_U64(b.kind, PS_TYPE_BITFIELD);
			CHECK_EQ_U64(b.bit_position, mt->bf_off);
			CHECK_EQ_U64(b.bit_length, mt->bf_bits);
			CHECK_EQ_U64(b.target, mt->elem);
		}
	}
	free(got);
	free(want);

	/* The name finds a definition of that name (the first one). */
	if (!strstr(r->name, "<unnamed") && r->name[0]) {
		ps_type_id found;
		struct pu_rec *fr;
		CHECK_EQ_U64(ps_pdb_type_named(pdb, r->name, &found, &err), PS_OK);
		fr = pu_find(d, found);
		CHECK(fr && !fr->fwd && fr->name && !strcmp(fr->name, r->name));
		CHECK(found <= r->id);
	}
}

static void check_record(ps_pdb *pdb, struct pu_dump *d, struct pu_rec *r, struct tally *t)
{
	ps_error err = {0};
	ps_type ty;
	ps_status st;

	if (is_tag(r->leaf)) {
		check_tag(pdb, d, r, t);
		return;
	}
	st = ps_pdb_type(pdb, r->id, &ty, &err);
	if (!strcmp(r->leaf, "LF_POINTER")) {
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_POINTER);
		CHECK_EQ_U64(ty.target, r->referent);
		CHECK_EQ_U64(ty.size, r->ptr64 ? 8 : 4);
	} else if (!strcmp(r->leaf, "LF_MODIFIER")) {
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_MODIFIER);
		CHECK_EQ_U64(ty.target, r->referent);
		CHECK_EQ_U64(ty.is_const, r->is_const);
		CHECK_EQ_U64(ty.is_volatile, r->is_volatile);
	} else if (!strcmp(r->leaf, "LF_ARRAY")) {
		ps_type e;
		t->arrays++;
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_ARRAY);
		CHECK_EQ_U64(ty.size, r->size);
		CHECK_EQ_U64(ty.target, r->elem);
		CHECK_EQ_U64(ps_pdb_type(pdb, r->elem, &e, NULL), PS_OK);
		if (e.size)
			CHECK_EQ_U64(ty.count, r->size / e.size);
	} else if (!strcmp(r->leaf, "LF_BITFIELD")) {
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_BITFIELD);
		CHECK_EQ_U64(ty.bit_position, r->bf_off);
		CHECK_EQ_U64(ty.bit_length, r->bf_bits);
		CHECK_EQ_U64(ty.target, r->elem);
	} else if (!strcmp(r->leaf, "LF_PROCEDURE") || !strcmp(r->leaf, "LF_MFUNCTION")) {
		ps_type_id *args;
		size_t nargs;
		struct pu_rec *al = pu_find(d, r->arglist);
		t->procs++;
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_PROCEDURE);
		CHECK_EQ_U64(ty.target, r->ret);
		CHECK_EQ_U64(ty.member_count, r->nargs);
		CHECK_EQ_U64(ty.arglist, r->arglist);
		CHECK_EQ_U64(ps_pdb_procedure_args(pdb, r->id, &args, &nargs, &err), PS_OK);
		CHECK_EQ_U64(nargs, r->nargs);
		CHECK(al != NULL);
		if (al) {
			CHECK_EQ_U64(nargs, al->nargs_list);
			for (size_t i = 0; i < nargs && i < al->nargs_list; i++)
				CHECK_EQ_U64(args[i], al->args[i]);
		}
		free(args);
	} else if (!strcmp(r->leaf, "LF_ARGLIST")) {
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_ARGLIST);
		CHECK_EQ_U64(ty.member_count, r->nargs_list);
	} else if (!strcmp(r->leaf, "LF_FIELDLIST")) {
		CHECK_EQ_U64(st, PS_OK);
		CHECK_EQ_U64(ty.kind, PS_TYPE_FIELDLIST);
	}
}

/* Every record pdbutil lists, and nothing past them. */
static void compare_with_pdbutil(const char *path, unsigned min_tags)
{
	struct pu_dump d;
	struct tally t = {0};
	ps_pdb *pdb = NULL;
	ps_error err = {0};
	ps_type ty;

	printf("comparing %s with llvm-pdbutil\n", path);
	CHECK(pu_load(path, &d));
	CHECK_EQ_U64(d.n, d.shown);
	CHECK_EQ_U64(ps_pdb_open(path, &pdb, &err), PS_OK);
	if (!pdb || !d.n) {
		fprintf(stderr, "  %s: %s\n", path, pdb ? "llvm-pdbutil gave no records" : err.message);
		pu_free(&d);
		ps_pdb_close(pdb);
		return;
	}
	for (size_t i = 0; i < d.n; i++)
		check_record(pdb, &d, &d.recs[i], &t);
	CHECK_EQ_U64(ps_pdb_type(pdb, (ps_type_id)(0x1000 + d.n), &ty, &err), PS_ENOTFOUND);
	printf("  %zu records: %u definitions (%u enums), %u forward refs, %u members, %u bitfields, "
	       "%u arrays, %u procedures\n", d.n, t.tags, t.enums, t.fwds, t.members, t.bitfields,
	       t.arrays, t.procs);
	CHECK(t.tags >= min_tags);
	ps_pdb_close(pdb);
	pu_free(&d);
}

/* ---- names as WinDbg prints them ------------------------------------------ */

static const char *member_type_name(ps_pdb *pdb, const char *type, const char *member,
				    ps_type_style style, char *buf, size_t n)
{
	ps_type_id id;
	ps_type_member *m;
	size_t count;

	snprintf(buf, n, "<no %s.%s>", type, member);
	if (ps_pdb_type_named(pdb, type, &id, NULL) != PS_OK ||
	    ps_pdb_type_members(pdb, id, &m, &count, NULL) != PS_OK)
		return buf;
	for (size_t i = 0; i < count; i++)
		if (!strcmp(m[i].name, member))
			ps_pdb_type_name(pdb, m[i].type, style, buf, n);
	free(m);
	return buf;
}

#define CHECK_DT(pdb, type, member, want)                                              \
	CHECK_STR(member_type_name(pdb, type, member, PS_TYPE_STYLE_DT, buf, sizeof buf), want)
#define CHECK_CN(pdb, type, member, want)                                              \
	CHECK_STR(member_type_name(pdb, type, member, PS_TYPE_STYLE_C, buf, sizeof buf), want)

/* The C names of a function's arguments, joined as ln prints them. */
static const char *prototype(ps_pdb *pdb, const char *function, char *out, size_t n)
{
	const ps_pdb_symbol *s = ps_pdb_symbol_named(pdb, function);
	ps_type_id *args;
	size_t count, len = 0;
	char name[256];

	snprintf(out, n, "<no %s>", function);
	if (!s || !s->type_index ||
	    ps_pdb_procedure_args(pdb, s->type_index, &args, &count, NULL) != PS_OK)
		return out;
	len = (size_t)snprintf(out, n, "(");
	for (size_t i = 0; i < count; i++) {
		ps_pdb_type_name(pdb, args[i], PS_TYPE_STYLE_C, name, sizeof name);
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? ", " : "", name);
	}
	snprintf(out + len, n - len, ")");
	free(args);
	return out;
}

static void check_fixture_names(const char *path, int ptr64)
{
	const char *P = ptr64 ? "Ptr64" : "Ptr32";
	char buf[256], want[256], proto[512];
	ps_pdb *pdb = NULL;
	ps_error err = {0};
	ps_type_id id;
	ps_type ty;

	CHECK_EQ_U64(ps_pdb_open(path, &pdb, &err), PS_OK);
	if (!pdb)
		return;
#define WANT(fmt) (snprintf(want, sizeof want, fmt, P), want)
	CHECK_DT(pdb, "base_types", "C", "Char");
	CHECK_DT(pdb, "base_types", "SC", "Char");
	CHECK_DT(pdb, "base_types", "UC", "UChar");
	CHECK_DT(pdb, "base_types", "S", "Int2B");
	CHECK_DT(pdb, "base_types", "US", "Uint2B");
	CHECK_DT(pdb, "base_types", "I", "Int4B");
	CHECK_DT(pdb, "base_types", "UI", "Uint4B");
	CHECK_DT(pdb, "base_types", "L", "Int4B");
	CHECK_DT(pdb, "base_types", "UL", "Uint4B");
	CHECK_DT(pdb, "base_types", "LL", "Int8B");
	CHECK_DT(pdb, "base_types", "ULL", "Uint8B");
	CHECK_DT(pdb, "base_types", "F", "Float");
	CHECK_DT(pdb, "base_types", "D", "Float");
	CHECK_DT(pdb, "base_types", "B", "Bool");
	CHECK_DT(pdb, "base_types", "W", "Wchar");
	CHECK_DT(pdb, "base_types", "P", WANT("%s Void"));
	CHECK_DT(pdb, "base_types", "CStr", WANT("%s Char"));
	CHECK_DT(pdb, "base_types", "VolatilePtr", WANT("%s Uint4B"));
	CHECK_DT(pdb, "base_types", "CVInt", "Int4B");
	snprintf(want, sizeof want, "%s %s Char", P, P);
	CHECK_DT(pdb, "base_types", "Argv", want);
	snprintf(want, sizeof want, "%s %s Void", P, P);
	CHECK_DT(pdb, "base_types", "PtrPtr", want);
	CHECK_DT(pdb, "base_types", "Self", WANT("%s base_types"));
	CHECK_DT(pdb, "_LIST_ENTRY", "Flink", WANT("%s _LIST_ENTRY"));
	CHECK_DT(pdb, "tree_node", "Siblings", "_LIST_ENTRY");
	CHECK_DT(pdb, "uses_opaque", "Handle", WANT("%s opaque_handle"));

	CHECK_DT(pdb, "arrays", "Bytes", "[16] UChar");
	CHECK_DT(pdb, "arrays", "Matrix", "[3] [5] Uint4B");
	CHECK_DT(pdb, "arrays", "Cube", "[2] [3] [4] Int2B");
	CHECK_DT(pdb, "arrays", "Nodes", WANT("[4] %s tree_node"));
	CHECK_DT(pdb, "arrays", "Lists", "[2] _LIST_ENTRY");
	CHECK_DT(pdb, "arrays", "Name", "[32] Uint2B");
	CHECK_DT(pdb, "arrays", "Handlers", WANT("[28] %s     void "));
	CHECK_DT(pdb, "arrays", "Times", "[3] _LARGE_INTEGER");
	CHECK_DT(pdb, "arrays", "Small", "[7] small_enum");
	CHECK_DT(pdb, "arrays", "Tail", "[0] Uint4B");

	CHECK_DT(pdb, "callbacks", "Dispatch", WANT("%s     long "));
	CHECK_DT(pdb, "callbacks", "Allocate", WANT("%s     void * "));
	CHECK_DT(pdb, "callbacks", "Print", WANT("%s     int "));
	CHECK_DT(pdb, "callbacks", "ServiceRoutine", WANT("%s     unsigned char "));
	CHECK_DT(pdb, "callbacks", "Unload", WANT("%s     void "));
	CHECK_DT(pdb, "callbacks", "Classify", WANT("%s     _POOL_TYPE "));
	CHECK_DT(pdb, "callbacks", "Find", WANT("%s     forest * "));

	CHECK_DT(pdb, "mixed_bits", "Flag0", "Pos 0, 1 Bit");
	CHECK_DT(pdb, "mixed_bits", "Flag1", "Pos 1, 2 Bits");
	CHECK_DT(pdb, "mixed_bits", "Rest", "Pos 3, 5 Bits");
	CHECK_DT(pdb, "mixed_bits", "Short13", "Pos 3, 13 Bits");
	CHECK_DT(pdb, "mixed_bits", "Mid", "Pos 3, 4 Bits");
	CHECK_DT(pdb, "mixed_bits", "High", "Pos 7, 25 Bits");
	CHECK_DT(pdb, "mixed_bits", "Wide", "Pos 0, 40 Bits");
	CHECK_DT(pdb, "mixed_bits", "After", "Uint4B");
	CHECK_DT(pdb, "_MMPTE_HARDWARE", "PageFrameNumber", "Pos 12, 36 Bits");
	CHECK_DT(pdb, "_MMPTE_HARDWARE", "NoExecute", "Pos 63, 1 Bit");
	CHECK_DT(pdb, "dispatcher_header", "u", "dispatcher_header::<unnamed-tag>");

	CHECK_CN(pdb, "base_types", "P", "void *");
	CHECK_CN(pdb, "base_types", "CStr", "const char *");
	CHECK_CN(pdb, "base_types", "Argv", "char **");
	CHECK_CN(pdb, "base_types", "ULL", "unsigned __int64");
	CHECK_CN(pdb, "base_types", "UL", "unsigned long");
	CHECK_CN(pdb, "base_types", "W", "wchar_t");
	CHECK_CN(pdb, "_LIST_ENTRY", "Flink", "_LIST_ENTRY *");
	CHECK_CN(pdb, "arrays", "Bytes", "unsigned char [16]");
	CHECK_CN(pdb, "arrays", "Matrix", "unsigned long [3][5]");
	CHECK_CN(pdb, "callbacks", "Dispatch", "<function> *");
	CHECK_CN(pdb, "mixed_bits", "High", "unsigned long");

	CHECK_STR(prototype(pdb, "ExAllocatePoolWithTag", proto, sizeof proto),
		  "(_POOL_TYPE, unsigned __int64, unsigned long)");
	CHECK_STR(prototype(pdb, "FixturePrintf", proto, sizeof proto), "(const char *, ...)");
	CHECK_STR(prototype(pdb, "FixtureNoArgs", proto, sizeof proto), "()");
	CHECK_STR(prototype(pdb, "FixtureManyArgs", proto, sizeof proto),
		  "(char, short, int, long, __int64, float, double, const char *, _LIST_ENTRY *, "
		  "tree_node **, <function> *)");

	/* Lookups: definitions, not forward references; anonymous tags and
	 * unknown names are not found. */
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "big_offsets", &id, &err), PS_OK);
	CHECK_EQ_U64(ps_pdb_type(pdb, id, &ty, &err), PS_OK);
	CHECK_EQ_U64(ty.size, 0x20008 + (ptr64 ? 16 : 8));  /* ends with a LIST_ENTRY */
	CHECK(!ty.forward_ref);
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "opaque_handle", &id, &err), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "<unnamed-tag>", &id, &err), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "no_such_type", &id, &err), PS_ENOTFOUND);
	CHECK(strstr(err.message, "no_such_type") != NULL);

	/* A field list continued through LF_INDEX comes back whole, in
	 * declaration order. */
	ps_type_member *m;
	size_t n;
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "many_members", &id, &err), PS_OK);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, id, &m, &n, &err), PS_OK);
	CHECK_EQ_U64(n, 4096);
	int ordered = n == 4096;
	for (size_t i = 0; i < n; i++)
		ordered &= m[i].offset == 4 * i;
	CHECK(ordered);
	if (n == 4096) {
		CHECK_STR(m[0].name, "m0_0_0_0_0_0");
		CHECK_STR(m[4095].name, "m3_3_3_3_3_3");
	}
	free(m);
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "many_enumerators", &id, &err), PS_OK);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, id, &m, &n, &err), PS_OK);
	CHECK_EQ_U64(n, 4097);
	if (n == 4097) {
		CHECK_STR(m[4096].name, "ENUMERATOR_LAST");
		CHECK_EQ_U64(m[4096].offset, 4096);
		CHECK_EQ_U64(m[4096].type, 0);
	}
	free(m);
	ps_pdb_close(pdb);
#undef WANT
}

static void check_lab_kernel(const char *path, const char *want_proto)
{
	char proto[512];
	ps_pdb *pdb = NULL;
	ps_error err = {0};

	CHECK_EQ_U64(ps_pdb_open(path, &pdb, &err), PS_OK);
	if (!pdb) {
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	CHECK_STR(prototype(pdb, "ExAllocatePoolWithTag", proto, sizeof proto), want_proto);
	ps_pdb_close(pdb);
}

/* ---- hostile type streams ------------------------------------------------- */

struct tpi_build {
	uint8_t buf[4096];
	size_t len;
	uint32_t records;
};

static void tb_init(struct tpi_build *b)
{
	memset(b, 0, sizeof *b);
	b->len = 56;
}

static void tb_bytes(struct tpi_build *b, const void *p, size_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void tb_u16(struct tpi_build *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	tb_bytes(b, x, 2);
}

static void tb_u32(struct tpi_build *b, uint32_t v)
{
	uint8_t x[4];
	msf_put32(x, v);
	tb_bytes(b, x, 4);
}

/* Start a record of `leaf`; returns where its length goes. */
static size_t tb_begin(struct tpi_build *b, uint16_t leaf)
{
	size_t at = b->len;
	tb_u16(b, 0);
	tb_u16(b, leaf);
	return at;
}

static void tb_end(struct tpi_build *b, size_t at)
{
	while ((b->len - at) % 4) {
		b->buf[b->len] = (uint8_t)(0xF0 + 4 - (b->len - at) % 4);
		b->len++;
	}
	b->buf[at] = (uint8_t)(b->len - at - 2);
	b->buf[at + 1] = (uint8_t)((b->len - at - 2) >> 8);
	b->records++;
}

/* A struct record: count, property, field list, size, name. */
static void tb_struct(struct tpi_build *b, uint16_t count, uint16_t prop, uint32_t fields,
		      uint16_t size, const char *name)
{
	size_t at = tb_begin(b, 0x1505);
	tb_u16(b, count);
	tb_u16(b, prop);
	tb_u32(b, fields);
	tb_u32(b, 0);
	tb_u32(b, 0);
	tb_u16(b, size);
	tb_bytes(b, name, strlen(name) + 1);
	tb_end(b, at);
}

/* An LF_MEMBER entry inside a field list being built. */
static void tb_member(struct tpi_build *b, uint32_t type, uint16_t offset, const char *name)
{
	tb_u16(b, 0x150D);
	tb_u16(b, 3);
	tb_u32(b, type);
	tb_u16(b, offset);
	tb_bytes(b, name, strlen(name) + 1);
	while (b->len % 4) {
		b->buf[b->len] = (uint8_t)(0xF0 + 4 - b->len % 4);
		b->len++;
	}
}

/* The built file must outlive the ps_pdb that reads it: tb_close frees both. */
static uint8_t *tb_file;

static ps_pdb *tb_open(struct tpi_build *b, uint32_t version, uint32_t end_delta)
{
	size_t size;
	ps_pdb *pdb = NULL;
	ps_error err = {0};

	msf_put32(b->buf, version);
	msf_put32(b->buf + 4, 56);
	msf_put32(b->buf + 8, 0x1000);
	msf_put32(b->buf + 12, 0x1000 + b->records + end_delta);
	msf_put32(b->buf + 16, (uint32_t)(b->len - 56));
	tb_file = msf_build_tpi(b->buf, (uint32_t)b->len, &size);
	if (!tb_file || ps_pdb_open_memory(tb_file, size, "hostile.pdb", &pdb, &err) != PS_OK) {
		fprintf(stderr, "cannot open the built PDB: %s\n", err.message);
		exit(1);
	}
	return pdb;
}

static void tb_close(ps_pdb *pdb)
{
	ps_pdb_close(pdb);
	free(tb_file);
	tb_file = NULL;
}

static void check_hostile(void)
{
	struct tpi_build b;
	ps_pdb *pdb;
	ps_error err = {0};
	ps_type t;
	ps_type_member *m;
	ps_type_id *args;
	size_t n;
	char name[128];

	/* A good stream: 0x1000 field list, 0x1001 struct. */
	tb_init(&b);
	size_t at = tb_begin(&b, 0x1203);
	tb_member(&b, 0x74, 0, "A");
	tb_member(&b, 0x22, 4, "B");
	tb_end(&b, at);
	tb_struct(&b, 2, 0, 0x1000, 8, "good");
	pdb = tb_open(&b, 20040203, 0);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1001, &t, &err), PS_OK);
	CHECK_STR(t.name, "good");
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1001, &m, &n, &err), PS_OK);
	CHECK_EQ_U64(n, 2);
	free(m);
	/* Index and simple-type bounds. */
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1002, &t, &err), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0xFFFFFFF0u, &t, &err), PS_ENOTFOUND);
	CHECK(strstr(err.message, "0xfffffff0") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x0FFF, &t, &err), PS_EFORMAT);
	CHECK(ps_pdb_type_name(pdb, 0xFFFFFFF0u, PS_TYPE_STYLE_DT, name, sizeof name) != PS_OK);
	CHECK_STR(name, "<type 0xfffffff0>");
	tb_close(pdb);

	/* Wrong version, short header, no stream. */
	pdb = tb_open(&b, 19961031, 0);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_EUNSUPPORTED);
	CHECK(strstr(err.message, "19961031") != NULL);
	tb_close(pdb);
	{
		uint8_t *file;
		size_t size;
		struct msf_stream s[2] = {{NULL, 0}, {NULL, 0}};
		file = msf_build(s, 2, &size);
		CHECK_EQ_U64(ps_pdb_open_memory(file, size, "notpi.pdb", &pdb, &err), PS_OK);
		CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_ENOTFOUND);
		CHECK(strstr(err.message, "no type stream") != NULL);
		CHECK_EQ_U64(ps_pdb_type_named(pdb, "x", &(ps_type_id){0}, &err), PS_ENOTFOUND);
		ps_pdb_close(pdb);
		struct msf_stream s3[3] = {{NULL, 0}, {NULL, 0}, {"short", 5}};
		free(file);
		file = msf_build(s3, 3, &size);
		CHECK_EQ_U64(ps_pdb_open_memory(file, size, "short.pdb", &pdb, &err), PS_OK);
		CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_EFORMAT);
		CHECK(strstr(err.message, "shorter than its") != NULL);
		ps_pdb_close(pdb);
		free(file);
	}

	/* Record length 0 in the middle: records before it still read. */
	tb_init(&b);
	tb_struct(&b, 0, 0x80, 0, 0, "first");
	tb_u32(&b, 0x15050000);  /* length 0, kind LF_STRUCTURE */
	b.records++;
	tb_struct(&b, 0, 0, 0, 4, "unreachable");
	pdb = tb_open(&b, 20040203, 0);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_OK);
	CHECK(t.forward_ref);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1001, &t, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "length 0") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1002, &t, &err), PS_EFORMAT);
	CHECK_EQ_U64(ps_pdb_type_named(pdb, "unreachable", &(ps_type_id){0}, &err), PS_ENOTFOUND);
	tb_close(pdb);

	/* A record running past the end, and a header promising 4 billion
	 * types: the index stays as small as the stream. */
	tb_init(&b);
	tb_struct(&b, 0, 0, 0, 4, "ok");
	tb_u16(&b, 0x200);
	tb_u16(&b, 0x1505);
	tb_u32(&b, 0);
	b.records++;
	pdb = tb_open(&b, 20040203, 0xF0000000u);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_OK);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1001, &t, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "runs past") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0xE0000000u, &t, &err), PS_EFORMAT);
	tb_close(pdb);

	/* Field list continued into itself; two lists continuing into each
	 * other; a continuation that is not a field list. */
	tb_init(&b);
	at = tb_begin(&b, 0x1203);               /* 0x1000: -> itself */
	tb_member(&b, 0x74, 0, "A");
	tb_u16(&b, 0x1404);
	tb_u16(&b, 0);
	tb_u32(&b, 0x1000);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1203);               /* 0x1001: -> 0x1002 */
	tb_member(&b, 0x74, 0, "B");
	tb_u16(&b, 0x1404);
	tb_u16(&b, 0);
	tb_u32(&b, 0x1002);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1203);               /* 0x1002: -> 0x1001 */
	tb_member(&b, 0x74, 4, "C");
	tb_u16(&b, 0x1404);
	tb_u16(&b, 0);
	tb_u32(&b, 0x1001);
	tb_end(&b, at);
	tb_struct(&b, 1, 0, 0x1000, 4, "self_loop");     /* 0x1003 */
	tb_struct(&b, 2, 0, 0x1001, 8, "pair_loop");     /* 0x1004 */
	tb_struct(&b, 1, 0, 0x1004, 4, "not_a_list");    /* 0x1005 */
	tb_struct(&b, 0xFFFF, 0, 0x1002, 4, "huge_count"); /* 0x1006 */
	pdb = tb_open(&b, 20040203, 0);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1003, &m, &n, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "LF_INDEX loop") != NULL);
	CHECK(m == NULL && n == 0);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1004, &m, &n, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "LF_INDEX loop") != NULL);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1005, &m, &n, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "field list 0x1004") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1006, &t, &err), PS_OK);
	CHECK_EQ_U64(t.member_count, 0xFFFF);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1006, &m, &n, &err), PS_EFORMAT);
	tb_close(pdb);

	/* Types that refer to themselves: a modifier, an array, a pointer. */
	tb_init(&b);
	at = tb_begin(&b, 0x1001);               /* 0x1000 modifier of itself */
	tb_u32(&b, 0x1000);
	tb_u16(&b, 1);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1503);               /* 0x1001 array of itself */
	tb_u32(&b, 0x1001);
	tb_u32(&b, 0x23);
	tb_u16(&b, 16);
	tb_u16(&b, 0);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1002);               /* 0x1002 pointer to itself */
	tb_u32(&b, 0x1002);
	tb_u32(&b, 0x1000C);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1201);               /* 0x1003 arglist claiming 2^30 */
	tb_u32(&b, 0x40000000);
	tb_u32(&b, 0x74);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1008);               /* 0x1004 procedure using it */
	tb_u32(&b, 0x74);
	tb_u16(&b, 0);
	tb_u16(&b, 1);
	tb_u32(&b, 0x1003);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1505);               /* 0x1005 struct, bad size leaf */
	tb_u16(&b, 0);
	tb_u16(&b, 0);
	tb_u32(&b, 0);
	tb_u32(&b, 0);
	tb_u32(&b, 0);
	tb_u16(&b, 0x80FF);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1506);               /* 0x1006 union, name without NUL */
	tb_u16(&b, 0);
	tb_u16(&b, 0);
	tb_u32(&b, 0);
	tb_u16(&b, 4);
	tb_bytes(&b, "abcdef", 6);
	tb_end(&b, at);
	at = tb_begin(&b, 0x1203);               /* 0x1007 field list, unknown entry */
	tb_u16(&b, 0x1234);
	tb_u16(&b, 0);
	tb_end(&b, at);
	tb_struct(&b, 1, 0, 0x1007, 4, "odd_fields");    /* 0x1008 */
	pdb = tb_open(&b, 20040203, 0);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1000, &t, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "deeper than 64") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1001, &t, &err), PS_EFORMAT);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1002, &t, &err), PS_OK);
	CHECK_EQ_U64(t.size, 8);
	/* 64 levels of "Ptr64 " do not fit: the name is cut, the error stays. */
	CHECK_EQ_U64(ps_pdb_type_name(pdb, 0x1002, PS_TYPE_STYLE_DT, name, sizeof name), PS_EFORMAT);
	CHECK(strncmp(name, "Ptr64 Ptr64 Ptr64 ", 18) == 0);
	CHECK_EQ_U64(ps_pdb_type_name(pdb, 0x1002, PS_TYPE_STYLE_C, name, sizeof name), PS_EFORMAT);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1003, &t, &err), PS_EFORMAT);
	CHECK_EQ_U64(ps_pdb_procedure_args(pdb, 0x1004, &args, &n, &err), PS_EFORMAT);
	CHECK(args == NULL && n == 0);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1005, &t, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "numeric leaf") != NULL);
	CHECK_EQ_U64(ps_pdb_type(pdb, 0x1006, &t, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "name runs past") != NULL);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x1008, &m, &n, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "unknown entry kind 0x1234") != NULL);
	CHECK_EQ_U64(ps_pdb_procedure_args(pdb, 0x1005, &args, &n, &err), PS_EFORMAT);
	CHECK_EQ_U64(ps_pdb_procedure_args(pdb, 0x74, &args, &n, &err), PS_EARG);
	CHECK_EQ_U64(ps_pdb_type_members(pdb, 0x74, &m, &n, &err), PS_EARG);
	tb_close(pdb);

	/* Names too long for the caller's buffer are cut, and say so. */
	tb_init(&b);
	tb_struct(&b, 0, 0, 0, 4, "a_rather_long_structure_name");
	pdb = tb_open(&b, 20040203, 0);
	CHECK_EQ_U64(ps_pdb_type_name(pdb, 0x1000, PS_TYPE_STYLE_C, name, 8), PS_ENOMEM);
	CHECK_STR(name, "a_rathe");
	tb_close(pdb);
}

/* The fixture's type stream cut in half: the first half still reads. */
static void check_truncated(const char *path)
{
	ps_pdb *pdb = NULL, *cut = NULL;
	ps_error err = {0};
	const uint8_t *tpi;
	size_t size, file_size;
	uint8_t *file;
	ps_type t;
	unsigned ok = 0, bad = 0;

	if (ps_pdb_open(path, &pdb, &err) != PS_OK ||
	    pdb_stream(pdb, PDB_STREAM_TPI, &tpi, &size, &err) != PS_OK) {
		CHECK(!"fixture TPI stream");
		ps_pdb_close(pdb);
		return;
	}
	file = msf_build_tpi(tpi, (uint32_t)(size / 2), &file_size);
	CHECK_EQ_U64(ps_pdb_open_memory(file, file_size, "cut.pdb", &cut, &err), PS_OK);
	for (ps_type_id id = 0x1000; id < 0x3000; id++) {
		ps_status st = ps_pdb_type(cut, id, &t, &err);
		if (st == PS_OK)
			ok++;
		else if (st == PS_EFORMAT && strstr(err.message, "cannot be read"))
			bad++;
	}
	printf("  truncated stream: %u types read, %u reported unreadable\n", ok, bad);
	CHECK(ok > 100);
	CHECK(bad > 100);
	CHECK_EQ_U64(ps_pdb_type_named(cut, "gen_1", &(ps_type_id){0}, &err), PS_OK);
	CHECK_EQ_U64(ps_pdb_type_named(cut, "many_enumerators", &(ps_type_id){0}, &err), PS_ENOTFOUND);
	ps_pdb_close(cut);
	ps_pdb_close(pdb);
	free(file);
}

int main(void)
{
	char path[1024];

	check_hostile();

	compare_with_pdbutil(check_build_path(path, sizeof path, "tests/fixtures/pdb_types_x64.pdb"), 300);
	check_fixture_names(path, 1);
	check_truncated(path);
	compare_with_pdbutil(check_build_path(path, sizeof path, "tests/fixtures/pdb_types_x86.pdb"), 300);
	check_fixture_names(path, 0);

	compare_with_pdbutil(check_build_path(path, sizeof path, "lab/images/x86/ntoskrnl.pdb"), 10);
	check_lab_kernel(path, "(_POOL_TYPE, unsigned long, unsigned long)");
	compare_with_pdbutil(check_build_path(path, sizeof path, "lab/images/x64/ntoskrnl.pdb"), 10);
	check_lab_kernel(path, "(_POOL_TYPE, unsigned __int64, unsigned long)");
	return CHECK_DONE();
}
