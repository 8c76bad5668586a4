/*
 * cmd_dt.c - dt: a structure's layout, and its values at an address.
 *
 *   dt [-r[N]] [-v] [module!]Type [Field] [Address]
 *
 * From the module's PDB (the kernel's when no module is named), in WinDbg's
 * layout (dt page, Windows Internals and kd logs):
 *
 *   nt!_EPROCESS                              (only when no module was named)
 *      +0x000 Pcb              : _KPROCESS
 *      +0x0b4 UniqueProcessId  : Ptr32 Void
 *      +0x0d8 ProcessDelete    : Pos 9, 1 Bit
 *
 * three blanks, the offset as +0x%03x, the member name left-aligned in 16
 * columns, " : " and the type as dt spells it (the PDB reader's dt style).
 * With an address each member shows its value instead: integers as 0x..
 * (signed ones as 0n..), pointers as "0x82f63ac0 _EPROCESS_QUOTA_BLOCK",
 * bitfields as 0y<bits>, character arrays as a quoted string, _LIST_ENTRY
 * as "[ 0x.. - 0x.. ]", _LARGE_INTEGER as "0x01cad9e3`0c7ba7b1", enums as "0n1 ( PagedPool )"; "??" where memory
 * cannot be read. -r expands embedded structures, N levels deep (all, up to
 * 9, without N), each level indented three more columns.
 *
 * Without a PDB for the kernel, the built-in layout of the build (sym/
 * layouts_*.c) is printed, after a line that says so and names its source;
 * it lists only the fields poolscope itself reads.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_symbols.h"
#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"
#include "poolscope/layouts.h"

#define DT_MAX_DEPTH 9
#define DT_MAX_LINES 20000

typedef struct dt_ctx {
	ps_session *s;
	FILE *out;
	ps_pdb *pdb;
	int have_address;
	int max_depth;
	const char *field;      /* only this member (top level), or NULL */
	size_t lines;
} dt_ctx;

/* ---- values -------------------------------------------------------------- */

static int read_bytes(ps_session *s, uint64_t va, void *buf, size_t n)
{
	return s->vm && ps_vm_read(s->vm, va, buf, n, NULL, NULL) == PS_OK;
}

static uint64_t le_value(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = n; i > 0; i--)
		v = (v << 8) | b[i - 1];
	return v;
}

/* "0x82f63ac0" or "0xfffff800`12345678". */
static void pointer_text(const ps_session *s, uint64_t v, char *buf, size_t n)
{
	char addr[PS_ADDR_BUF];

	snprintf(buf, n, "0x%s", ps_cmd_fmt_addr(s, v, addr));
}

/* The type after its modifiers (const, volatile). */
static int resolve(ps_pdb *pdb, ps_type_id id, ps_type *t)
{
	int guard = 0;

	if (ps_pdb_type(pdb, id, t, NULL) != PS_OK)
		return 0;
	while (t->kind == PS_TYPE_MODIFIER && guard++ < 16)
		if (ps_pdb_type(pdb, t->target, t, NULL) != PS_OK)
			return 0;
	return 1;
}

static void enum_value(dt_ctx *c, const ps_type *t, int64_t v, char *buf, size_t n)
{
	ps_type_member *items = NULL;
	size_t count = 0, i;

	snprintf(buf, n, "0n%" PRId64, v);
	if (ps_pdb_type_members(c->pdb, t->id, &items, &count, NULL) != PS_OK)
		return;
	for (i = 0; i < count; i++) {
		if ((int64_t)items[i].offset == v) {
			snprintf(buf, n, "0n%" PRId64 " ( %s )", v, items[i].name);
			break;
		}
	}
	free(items);
}

/* The value of a member at va, as dt prints it after the colon. */
static void value_text(dt_ctx *c, const ps_type *t, ps_type_id id, uint64_t va, char *buf, size_t n)
{
	char name[256], ptr[40];
	uint8_t b[16];
	uint64_t v;

	ps_pdb_type_name(c->pdb, id, PS_TYPE_STYLE_DT, name, sizeof(name));
	switch (t->kind) {
	case PS_TYPE_BITFIELD: {
		ps_type base;
		size_t size = 4, i;

		if (resolve(c->pdb, t->target, &base) && base.size && base.size <= 8)
			size = (size_t)base.size;
		if (!read_bytes(c->s, va, b, size)) {
			snprintf(buf, n, "??");
			return;
		}
		v = le_value(b, size) >> t->bit_position;
		snprintf(buf, n, "0y");
		for (i = t->bit_length; i > 0 && 2 + t->bit_length - i + 1 < n; i--)
			buf[2 + t->bit_length - i] = (v >> (i - 1)) & 1 ? '1' : '0';
		buf[2 + (t->bit_length < n - 3 ? t->bit_length : n - 3)] = 0;
		return;
	}
	case PS_TYPE_POINTER:
		if (!read_bytes(c->s, va, b, t->size ? (size_t)t->size : 4)) {
			snprintf(buf, n, "??");
			return;
		}
		pointer_text(c->s, le_value(b, t->size ? (size_t)t->size : 4), ptr, sizeof(ptr));
		/* "Ptr32 _EPROCESS" -> "0x82f63ac0 _EPROCESS" */
		snprintf(buf, n, "%s %s", ptr, strncmp(name, "Ptr", 3) == 0 && strchr(name, ' ') ? strchr(name, ' ') + 1 : name);
		return;
	case PS_TYPE_ENUM:
		if (!read_bytes(c->s, va, b, t->size && t->size <= 8 ? (size_t)t->size : 4)) {
			snprintf(buf, n, "??");
			return;
		}
		v = le_value(b, t->size && t->size <= 8 ? (size_t)t->size : 4);
		enum_value(c, t, (int64_t)(int32_t)v, buf, n);
		return;
	case PS_TYPE_BASE: {
		size_t size = t->size && t->size <= 8 ? (size_t)t->size : 0;

		if (size == 0) {
			snprintf(buf, n, "%s", name);
			return;
		}
		if (!read_bytes(c->s, va, b, size)) {
			snprintf(buf, n, "??");
			return;
		}
		v = le_value(b, size);
		if (strcmp(name, "UChar") == 0 || strcmp(name, "Char") == 0) {
			/* "0x41 'A'", "0n3 ''": the character when printable. */
			char ch[4] = "";

			if (isprint((int)(uint8_t)v))
				snprintf(ch, sizeof(ch), "%c", (char)v);
			if (name[0] == 'U')
				snprintf(buf, n, "0x%" PRIx64 " '%s'", v, ch);
			else
				snprintf(buf, n, "0n%d '%s'", (int)(int8_t)v, ch);
		}
		else if (strncmp(name, "Int", 3) == 0) {
			int64_t sv = size == 8 ? (int64_t)v : size == 4 ? (int32_t)v : size == 2 ? (int16_t)v : (int8_t)v;

			snprintf(buf, n, "0n%" PRId64, sv);
		} else if (size == 8 && v > 0xffffffffu)
			snprintf(buf, n, "0x%" PRIx64 "`%08" PRIx64, v >> 32, v & 0xffffffffu);
		else
			snprintf(buf, n, "0x%" PRIx64, v);
		return;
	}
	case PS_TYPE_ARRAY: {
		ps_type elem;

		/* Character arrays read as strings: [15]  "System". */
		if (resolve(c->pdb, t->target, &elem) && elem.kind == PS_TYPE_BASE && elem.size == 1 &&
		    t->count && t->count <= 256) {
			char text[260];
			uint8_t raw[256];
			size_t i, k = 0;

			if (!read_bytes(c->s, va, raw, (size_t)t->count)) {
				snprintf(buf, n, "[%" PRIu64 "] ??", t->count);
				return;
			}
			for (i = 0; i < t->count && raw[i]; i++)
				text[k++] = isprint(raw[i]) ? (char)raw[i] : '.';
			text[k] = 0;
			snprintf(buf, n, "[%" PRIu64 "]  \"%s\"", t->count, text);
			return;
		}
		snprintf(buf, n, "%s", name);
		return;
	}
	case PS_TYPE_STRUCT:
	case PS_TYPE_CLASS:
	case PS_TYPE_UNION:
		if (t->name && strcmp(t->name, "_LIST_ENTRY") == 0 && t->size) {
			size_t p = (size_t)t->size / 2;
			char f[40], k[40];

			if (!read_bytes(c->s, va, b, (size_t)t->size)) {
				snprintf(buf, n, "%s ??", name);
				return;
			}
			pointer_text(c->s, le_value(b, p), f, sizeof(f));
			pointer_text(c->s, le_value(b + p, p), k, sizeof(k));
			snprintf(buf, n, "%s [ %s - %s ]", name, f, k);
			return;
		}
		if (t->name && (strcmp(t->name, "_LARGE_INTEGER") == 0 || strcmp(t->name, "_ULARGE_INTEGER") == 0) &&
		    t->size == 8) {
			if (!read_bytes(c->s, va, b, 8)) {
				snprintf(buf, n, "%s ??", name);
				return;
			}
			v = le_value(b, 8);
			if (v)
				snprintf(buf, n, "%s 0x%08" PRIx64 "`%08" PRIx64, name, v >> 32, v & 0xffffffffu);
			else
				snprintf(buf, n, "%s 0x0", name);
			return;
		}
		snprintf(buf, n, "%s", name);
		return;
	default:
		snprintf(buf, n, "%s", name);
		return;
	}
}

/* ---- layouts ------------------------------------------------------------- */

static int is_record(const ps_type *t)
{
	return t->kind == PS_TYPE_STRUCT || t->kind == PS_TYPE_CLASS || t->kind == PS_TYPE_UNION;
}

static void dump_members(dt_ctx *c, ps_type_id id, uint64_t base, int depth, int indent)
{
	ps_type_member *members = NULL;
	size_t count = 0, i;

	if (ps_pdb_type_members(c->pdb, id, &members, &count, NULL) != PS_OK)
		return;
	for (i = 0; i < count && c->lines < DT_MAX_LINES; i++) {
		const ps_type_member *mb = &members[i];
		char text[600];
		ps_type t;

		if (depth == 0 && c->field && strcasecmp(c->field, mb->name) != 0)
			continue;
		if (!resolve(c->pdb, mb->type, &t)) {
			fprintf(c->out, "%*s+0x%03" PRIx64 " %-16s : <type 0x%x>\n", indent, "", mb->offset,
				mb->name, (unsigned)mb->type);
			c->lines++;
			continue;
		}
		if (c->have_address)
			value_text(c, &t, mb->type, base + mb->offset, text, sizeof(text));
		else
			ps_pdb_type_name(c->pdb, mb->type, PS_TYPE_STYLE_DT, text, sizeof(text));
		fprintf(c->out, "%*s+0x%03" PRIx64 " %-16s : %s\n", indent, "", mb->offset, mb->name, text);
		c->lines++;
		if (is_record(&t) && depth < c->max_depth)
			dump_members(c, t.id, base + mb->offset, depth + 1, indent + 3);
	}
	free(members);
}

static void dump_layout(ps_session *s, const ps_layout *l, const char *field, int have_address,
			uint64_t base, FILE *out)
{
	size_t i;

	fprintf(out, "*** No PDB for nt: the built-in layout of %s (%s) ***\n", l->type, l->source);
	for (i = 0; i < l->field_count; i++) {
		const ps_layout_field *f = &l->fields[i];
		char text[300];
		uint8_t b[8];

		if (field && strcasecmp(field, f->name) != 0)
			continue;
		if (f->bit_length)
			snprintf(text, sizeof(text), "Pos %u, %u Bit%s", f->bit_position, f->bit_length,
				 f->bit_length == 1 ? "" : "s");
		else
			snprintf(text, sizeof(text), "%s", f->dt_type);
		if (have_address && f->size && f->size <= 8) {
			if (!read_bytes(s, base + f->offset, b, f->size)) {
				snprintf(text, sizeof(text), "??");
			} else {
				uint64_t v = le_value(b, f->size);
				char num[40];

				if (f->bit_length) {
					v >>= f->bit_position;
					v &= f->bit_length < 64 ? (UINT64_C(1) << f->bit_length) - 1 : UINT64_MAX;
					snprintf(text, sizeof(text), "0x%" PRIx64, v);
				} else if (strncmp(f->dt_type, "Ptr", 3) == 0 && strchr(f->dt_type, ' ')) {
					pointer_text(s, v, num, sizeof(num));
					snprintf(text, sizeof(text), "%s %s", num, strchr(f->dt_type, ' ') + 1);
				} else {
					snprintf(text, sizeof(text), "0x%" PRIx64, v);
				}
			}
		}
		fprintf(out, "   +0x%03x %-16s : %s\n", f->offset, f->name, text);
	}
}

/* ---- the command ----------------------------------------------------------- */

static int has_member(ps_pdb *pdb, ps_type_id id, const char *name)
{
	ps_type_member *members = NULL;
	size_t count = 0, i;
	int found = 0;

	if (ps_pdb_type_members(pdb, id, &members, &count, NULL) != PS_OK)
		return 0;
	for (i = 0; i < count && !found; i++)
		found = strcasecmp(members[i].name, name) == 0;
	free(members);
	return found;
}

/* A word after the type that names no member is the address. */
static ps_status classify_address(ps_session *s, const char *cmd, const char *args, const char *w,
				  uint64_t *address, int *have_address, FILE *out)
{
	const char *end;

	if (*have_address || ps_cmd_eval(s, w, &end, address, out) != PS_OK)
		return PS_EARG;
	if (*end) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
		return PS_EARG;
	}
	*have_address = 1;
	if (ps_cmd_pointer_size(s) == 4)
		*address &= 0xffffffffu;
	else if (s->vm)
		*address = ps_vm_canonical(s->vm, *address);
	return PS_OK;
}

ps_status ps_cmd_dt(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	char words[8][256];
	/* as long as a word, so a type name is never cut */
	char type[sizeof(words[0])] = "";
	size_t nwords = 0, i;
	const char *p = args;
	char module[64] = "";
	const char *field = NULL;
	int max_depth = 0, have_address = 0;
	uint64_t address = 0;
	const ps_module *m = NULL;
	ps_pdb *pdb = NULL;
	ps_type_id id = 0;
	const char *extra[2];
	size_t nextra = 0;
	dt_ctx c;

	while (*(p = ps_cmd_skip_blanks(p)) && nwords < 8) {
		size_t k = 0;

		while (*p && *p != ' ' && *p != '\t' && k + 1 < sizeof(words[0]))
			words[nwords][k++] = *p++;
		words[nwords++][k] = 0;
	}
	for (i = 0; i < nwords; i++) {
		const char *w = words[i];

		if (w[0] == '-' && !type[0]) {
			if (w[1] == 'r') {
				max_depth = w[2] ? (isdigit((unsigned char)w[2]) ? w[2] - '0' : -1) : DT_MAX_DEPTH;
				if (max_depth < 0) {
					ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
					return PS_EARG;
				}
			} else if (!strchr("vbai", w[1]) || !w[1]) {
				ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
				return PS_EARG;
			}
			continue;
		}
		if (!type[0]) {
			const char *bang = strchr(w, '!');

			if (bang) {
				size_t len = (size_t)(bang - w);

				if (len >= sizeof(module))
					len = sizeof(module) - 1;
				memcpy(module, w, len);
				module[len] = 0;
				snprintf(type, sizeof(type), "%.255s", bang + 1);
			} else {
				snprintf(type, sizeof(type), "%.255s", w);
			}
			continue;
		}
		if (nextra < 2) {
			extra[nextra++] = w;
			continue;
		}
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
		return PS_EARG;
	}
	if (!type[0]) {
		fprintf(out, "Usage: dt [-r[N]] [module!]Type [Field] [Address]\n");
		return PS_EARG;
	}
	if (!s->kernel) {
		fprintf(out, "Symbol %s%s%s not found.\n", module, module[0] ? "!" : "", type);
		return PS_ENOTFOUND;
	}

	/* The named module, else the kernel first and then every module. */
	if (module[0]) {
		m = ps_kernel_module_named(s->kernel, module);
		pdb = m && s->symbols ? ps_symbols_module_pdb(s->symbols, m) : NULL;
		if (pdb && ps_pdb_type_named(pdb, type, &id, NULL) != PS_OK)
			pdb = NULL;
	} else if (s->symbols) {
		size_t count = ps_kernel_module_count(s->kernel);
		const ps_module *nt = ps_kernel_module_at(s->kernel, ps_kernel_base(s->kernel));

		for (i = 0; i <= count && !pdb; i++) {
			const ps_module *cand = i == 0 ? nt : ps_kernel_module(s->kernel, i - 1);

			if (!cand || (i > 0 && cand == nt))
				continue;
			pdb = ps_symbols_module_pdb(s->symbols, cand);
			if (pdb && ps_pdb_type_named(pdb, type, &id, NULL) == PS_OK)
				m = cand;
			else
				pdb = NULL;
		}
	}
	if (!pdb) {
		const ps_module *nt = ps_kernel_module_at(s->kernel, ps_kernel_base(s->kernel));
		const ps_dump_info *info = ps_dump_get_info(s->dump);
		const ps_layout *l = NULL;

		if (!module[0] || (nt && strcasecmp(module, nt->name) == 0))
			l = ps_layout_find(info->minor_version, info->arch, type);
		if (!l) {
			fprintf(out, "Symbol %s%s%s not found.\n", module, module[0] ? "!" : "", type);
			return PS_ENOTFOUND;
		}
		for (i = 0; i < nextra; i++) {
			if (!field && ps_layout_field_named(l, extra[i]))
				field = extra[i];
			else if (classify_address(s, cmd, args, extra[i], &address, &have_address, out) != PS_OK)
				return PS_EARG;
		}
		dump_layout(s, l, field, have_address, address, out);
		return PS_OK;
	}
	for (i = 0; i < nextra; i++) {
		if (!field && has_member(pdb, id, extra[i]))
			field = extra[i];
		else if (classify_address(s, cmd, args, extra[i], &address, &have_address, out) != PS_OK)
			return PS_EARG;
	}
	if (!module[0]) {
		ps_type t;

		if (ps_pdb_type(pdb, id, &t, NULL) == PS_OK && t.name && t.name[0])
			fprintf(out, "%s!%s\n", m->name, t.name);
		else
			fprintf(out, "%s!%s\n", m->name, type);
	}
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.out = out;
	c.pdb = pdb;
	c.have_address = have_address;
	c.max_depth = max_depth;
	c.field = field;
	{
		ps_type t;

		if (ps_pdb_type(pdb, id, &t, NULL) == PS_OK && t.kind == PS_TYPE_ENUM) {
			/* An enum lists its enumerators: "   PagedPool = 0n1". */
			ps_type_member *items = NULL;
			size_t count = 0;

			if (ps_pdb_type_members(pdb, id, &items, &count, NULL) == PS_OK)
				for (i = 0; i < count; i++)
					fprintf(out, "   %s = 0n%" PRId64 "\n", items[i].name, (int64_t)items[i].offset);
			free(items);
			return PS_OK;
		}
	}
	dump_members(&c, id, address, 0, 3);
	if (field && c.lines == 0) {
		fprintf(out, "Cannot find specified field members.\n");
		return PS_ENOTFOUND;
	}
	return PS_OK;
}
