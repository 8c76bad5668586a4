/*
 * cmd_modules.c - `lm` in its option forms and `!for_each_module`.
 *
 * lm's layout is WinDbg's (lm page and kd logs): a header
 * "start    end        module name" (x86) or
 * "start             end                 module name" (x64), then a line a
 * module, sorted by start address:
 *   "91967000 9196f000   SIoctl     (deferred)             "
 * i.e. the name left-aligned in 8 columns, a blank, a one-letter flag (T for
 * a missing time stamp, C for a missing checksum), a blank and the symbol
 * state left-aligned in 23 columns, followed by the local PDB for
 * "(pdb symbols)" or the image's name for "(export symbols)". lm loads
 * nothing: a module is "(deferred)" until a command needed its symbols.
 *
 * The verbose block (lmv) follows WinDbg 10's order: "Loaded symbol image
 * file" once symbols were loaded, Image path, Image name,
 * Timestamp, CheckSum, ImageSize, versions when the version resource is in
 * the dump, Translations, "Information from resource tables:" and the
 * resource strings. Without a version resource WinDbg lists the four
 * translations it tried, and so does this. Last, where WinDbg has nothing,
 * the PDB the image's CodeView record names (Symbol file, PDB GUID, PDB
 * age), so that a reader without the PDB knows what to fetch.
 *
 * !for_each_module substitutes @#Base, @#End, @#ModuleName... textually and
 * runs the command once a module, in the module list's order.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"
#include "core/wildcard.h"

typedef struct lm_options {
	int verbose;
	const char *pattern;      /* m: module name */
	const char *path_pattern; /* M: image path */
	int have_address;
	uint64_t address;
} lm_options;

static int by_base(const void *a, const void *b)
{
	const ps_module *const *x = a, *const *y = b;

	if ((*x)->base != (*y)->base)
		return (*x)->base < (*y)->base ? -1 : 1;
	return 0;
}

static int time_stamp_known(const ps_module *m)
{
	return m->have_header_fields && m->timestamp != 0 && m->timestamp != 0xFFFFFFFFu &&
	       m->timestamp != 0xFFFFFFFEu;
}

static char module_flag(const ps_module *m)
{
	if (!time_stamp_known(m))
		return 'T';
	if (m->checksum == 0)
		return 'C';
	return ' ';
}

/* The symbol column: "(deferred)", "(pdb symbols)" and the local PDB,
 * "(export symbols)" and the image's own name, "(no symbols)". lm does not
 * load symbols: it shows what earlier commands loaded. */
static void symbol_state(ps_session *s, const ps_module *m, ps_module_symbols *ms, char *state,
			 size_t n, const char **detail)
{
	memset(ms, 0, sizeof(*ms));
	ms->source = PS_SYMSRC_DEFERRED;
	if (s->symbols)
		ps_symbols_module(s->symbols, m, 0, ms);
	*detail = "";
	switch (ms->source) {
	case PS_SYMSRC_PDB:
		snprintf(state, n, "(pdb symbols)");
		*detail = ms->pdb_path;
		break;
	case PS_SYMSRC_EXPORTS:
		snprintf(state, n, "(export symbols)");
		*detail = ms->image_name[0] ? ms->image_name : m->image_name;
		break;
	case PS_SYMSRC_NONE:
		snprintf(state, n, "(no symbols)");
		break;
	default:
		snprintf(state, n, "(deferred)");
		break;
	}
}

static void print_module_line(ps_session *s, const ps_module *m, FILE *out)
{
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF], state[32];
	ps_module_symbols ms;
	const char *detail;

	symbol_state(s, m, &ms, state, sizeof(state), &detail);
	fprintf(out, "%s %s   %-8s %c %-23s%s\n", ps_cmd_fmt_addr(s, m->base, a),
		ps_cmd_fmt_addr(s, m->base + m->size, b), m->name, module_flag(m), state, detail);
}

/* The PDB the image names in its CodeView record, and where it was found:
 * not WinDbg's lmv (which shows only the path on the module line), but what
 * a reader without the PDB needs to fetch it. */
/* debug_missing: the RVA of a debug directory that could not be read, or
 * UINT32_MAX when not even the headers could. */
static void print_pdb_identity(const ps_module_symbols *ms, uint32_t debug_missing, FILE *out)
{
	const uint8_t *g = ms->guid;

	if (!ms->have_codeview) {
		if (debug_missing == UINT32_MAX)
			fprintf(out, "    Symbol file:      unknown: the image headers are not in the dump\n");
		else if (debug_missing)
			fprintf(out, "    Symbol file:      unknown: the debug directory (RVA %" PRIX32
				     ") is not in the dump\n", debug_missing);
		return;
	}
	if (ms->source == PS_SYMSRC_PDB)
		fprintf(out, "    Symbol file:      %s\n", ms->pdb_path);
	else
		fprintf(out, "    Symbol file:      %s (not loaded)\n", ms->pdb_name);
	fprintf(out,
		"    PDB GUID:         {%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}\n",
		g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
		g[14], g[15]);
	fprintf(out, "    PDB age:          %" PRIx32 "\n", ms->age);
}

static void print_version_number(FILE *out, const char *label, uint32_t ms, uint32_t ls)
{
	fprintf(out, "    %s%u.%u.%u.%u\n", label, (unsigned)(ms >> 16), (unsigned)(ms & 0xffff),
		(unsigned)(ls >> 16), (unsigned)(ls & 0xffff));
}

static void print_resource_string(FILE *out, const char *label, const char *value)
{
	if (value[0])
		fprintf(out, "        %-18s%s\n", label, value);
}

static void print_module_verbose(ps_session *s, const ps_module *m, FILE *out)
{
	ps_kernel_image_reader reader;
	ps_pe pe;
	ps_pe_version ver;
	int have_pe = 0, have_ver = 0;
	uint32_t stamp = m->timestamp, sum = m->checksum;
	uint64_t size = m->size;
	int stamp_known = time_stamp_known(m);
	char when[64];
	size_t i;
	ps_module_symbols ms;
	uint32_t debug_missing = 0;

	memset(&ms, 0, sizeof(ms));
	ms.source = PS_SYMSRC_DEFERRED;

	memset(&reader, 0, sizeof(reader));
	reader.kernel = s->kernel;
	reader.base = m->base;
	reader.size = m->size;
	if (s->kernel && ps_pe_parse_headers(ps_kernel_image_read, &reader, &pe, NULL) == PS_OK) {
		have_pe = 1;
		if (ps_pe_read_version(ps_kernel_image_read, &reader, &pe, &ver, NULL) == PS_OK &&
		    ver.present)
			have_ver = 1;
		if (!m->have_header_fields) {
			stamp = pe.time_date_stamp;
			sum = pe.checksum;
			stamp_known = stamp != 0 && stamp != 0xFFFFFFFFu && stamp != 0xFFFFFFFEu;
		}
		if (size == 0)
			size = pe.size_of_image;
	}

	if (s->symbols)
		ps_symbols_module(s->symbols, m, 0, &ms);
	if (!ms.have_codeview && have_pe) {
		/* Not loaded yet: the image still names its PDB, when its debug
		 * directory is in the dump. */
		ps_pe_codeview cv;
		ps_status cst = ps_pe_read_codeview(ps_kernel_image_read, &reader, &pe, &cv, NULL);

		if (cst == PS_OK) {
			ms.have_codeview = 1;
			memcpy(ms.guid, cv.guid, sizeof(ms.guid));
			ms.age = cv.age;
			snprintf(ms.pdb_name, sizeof(ms.pdb_name), "%s", cv.pdb_name);
		} else if (cst != PS_ENOTFOUND && pe.directories[PS_PE_DIR_DEBUG].size) {
			debug_missing = pe.directories[PS_PE_DIR_DEBUG].rva;
		}
	}
	if (!ms.have_codeview && !have_pe)
		debug_missing = UINT32_MAX;
	if (ms.source != PS_SYMSRC_DEFERRED)
		fprintf(out, "    Loaded symbol image file: %s\n",
			ms.image_name[0] ? ms.image_name : m->image_name);
	fprintf(out, "    Image path: %s\n", m->path[0] ? m->path : m->image_name);
	fprintf(out, "    Image name: %s\n", m->image_name);
	if (stamp_known)
		fprintf(out, "    Timestamp:        %s (%08" PRIX32 ")\n",
			ps_cmd_fmt_ctime((time_t)stamp, when, sizeof(when)), stamp);
	else
		fprintf(out, "    Timestamp:        unavailable (%08" PRIX32 ")\n", stamp);
	if (sum)
		fprintf(out, "    CheckSum:         %08" PRIX32 "\n", sum);
	else
		fprintf(out, "    CheckSum:         missing\n");
	fprintf(out, "    ImageSize:        %08" PRIX32 "\n", (uint32_t)size);
	if (!have_ver) {
		fprintf(out, "    Translations:     0000.04b0 0000.04e4 0409.04b0 0409.04e4\n");
		fprintf(out, "    Information from resource tables:\n");
		print_pdb_identity(&ms, debug_missing, out);
		return;
	}
	print_version_number(out, "File version:     ", ver.file_version_ms, ver.file_version_ls);
	print_version_number(out, "Product version:  ", ver.product_version_ms,
			     ver.product_version_ls);
	fprintf(out, "    Translations:    ");
	for (i = 0; i < ver.translation_count && i < PS_PE_MAX_TRANSLATIONS; i++)
		fprintf(out, " %04x.%04x", (unsigned)(ver.translations[i] >> 16),
			(unsigned)(ver.translations[i] & 0xffff));
	fputc('\n', out);
	fprintf(out, "    Information from resource tables:\n");
	print_resource_string(out, "CompanyName:", ver.company_name);
	print_resource_string(out, "ProductName:", ver.product_name);
	print_resource_string(out, "InternalName:", ver.internal_name);
	print_resource_string(out, "OriginalFilename:", ver.original_filename);
	print_resource_string(out, "ProductVersion:", ver.product_version);
	print_resource_string(out, "FileVersion:", ver.file_version);
	print_resource_string(out, "FileDescription:", ver.file_description);
	print_resource_string(out, "LegalCopyright:", ver.legal_copyright);
	print_pdb_identity(&ms, debug_missing, out);
}

/* Option letters and their arguments: "lmvm nt", "lm v m nt", "lmva addr". */
static ps_status parse_lm(ps_session *s, const char *cmd, const char *args, lm_options *o,
			  char *store, size_t store_size, FILE *out)
{
	/* Work on "<letters after lm> <args>" as one list of words. */
	char *words[32];
	size_t nwords = 0, i;
	char *p;

	memset(o, 0, sizeof(*o));
	snprintf(store, store_size, "%s %s", cmd + 2, args);
	for (p = store; *p && nwords < 32;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		words[nwords++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	for (i = 0; i < nwords; i++) {
		char *w = words[i];

		for (; *w; w++) {
			char c = *w;
			char *arg;

			if (c == 'm' || c == 'M' || c == 'a') {
				arg = w[1] ? w + 1 : (i + 1 < nwords ? words[++i] : NULL);
				if (!arg) {
					ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
					return PS_EARG;
				}
				if (c == 'm')
					o->pattern = arg;
				else if (c == 'M')
					o->path_pattern = arg;
				else {
					if (ps_cmd_eval(s, arg, NULL, &o->address, out) != PS_OK)
						return PS_EARG;
					if (s->vm)
						o->address = ps_vm_canonical(s->vm, o->address);
					o->have_address = 1;
				}
				break;
			}
			if (c == 'v')
				o->verbose = 1;
			else if (strchr("DolkufntsiecpP1", c) == NULL) {
				ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, NULL);
				return PS_EARG;
			}
		}
	}
	return PS_OK;
}

ps_status ps_cmd_lm(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	lm_options o;
	char store[1024];
	const ps_module **list;
	size_t count, i, n = 0;
	ps_status st;

	st = parse_lm(s, cmd, args, &o, store, sizeof(store), out);
	if (st != PS_OK)
		return st;
	if (ps_cmd_pointer_size(s) == 4)
		fprintf(out, "start    end        module name\n");
	else
		fprintf(out, "start             end                 module name\n");
	if (!s->kernel)
		return PS_OK;
	count = ps_kernel_module_count(s->kernel);
	list = calloc(count ? count : 1, sizeof(*list));
	if (!list)
		return PS_ENOMEM;
	for (i = 0; i < count; i++) {
		const ps_module *m = ps_kernel_module(s->kernel, i);

		if (!m)
			continue;
		if (o.pattern && !ps_wildcard_match(o.pattern, m->name))
			continue;
		if (o.path_pattern && !ps_wildcard_match(o.path_pattern, m->path[0] ? m->path : m->image_name))
			continue;
		if (o.have_address && (o.address < m->base || o.address - m->base >= m->size))
			continue;
		list[n++] = m;
	}
	qsort(list, n, sizeof(*list), by_base);
	for (i = 0; i < n; i++) {
		print_module_line(s, list[i], out);
		if (o.verbose)
			print_module_verbose(s, list[i], out);
	}
	free(list);
	/* WinDbg ends a full listing with the drivers unloaded most recently,
	 * in the order the kernel keeps them. */
	count = ps_kernel_unloaded_count(s->kernel);
	if (count && !o.pattern && !o.path_pattern && !o.have_address) {
		fprintf(out, "\nUnloaded modules:\n");
		for (i = 0; i < count; i++) {
			const ps_triage_unloaded *u = ps_kernel_unloaded(s->kernel, i);
			char a[PS_ADDR_BUF], b[PS_ADDR_BUF];

			fprintf(out, "%s %s   %s\n", ps_cmd_fmt_addr(s, u->start, a),
				ps_cmd_fmt_addr(s, u->end, b), u->name);
		}
	}
	return PS_OK;
}

/* ---- !for_each_module ---------------------------------------------------- */

#define FOR_EACH_MAX_DEPTH 2
#define FOR_EACH_LINE_MAX 8192

typedef struct alias_value {
	const char *name;
	char value[280];
} alias_value;

static void set_alias(alias_value *a, const char *name, const char *fmt, ...) PS_PRINTF(3, 4);

static void set_alias(alias_value *a, const char *name, const char *fmt, ...)
{
	va_list ap;

	a->name = name;
	va_start(ap, fmt);
	vsnprintf(a->value, sizeof(a->value), fmt, ap);
	va_end(ap);
}

static size_t module_aliases(ps_session *s, const ps_module *m, size_t index, alias_value *a)
{
	size_t n = 0;
	int w = ps_cmd_pointer_size(s) == 4 ? 8 : 16;

	/* Longer names first so that @#ModuleNameSize is not read as
	 * @#ModuleName followed by "Size". */
	set_alias(&a[n++], "@#LoadedImageNameSize", "%zx", strlen(m->image_name) + 1);
	set_alias(&a[n++], "@#MappedImageNameSize", "1");
	set_alias(&a[n++], "@#SymbolFileNameSize", "%zx", strlen(m->image_name) + 1);
	set_alias(&a[n++], "@#ModuleNameSize", "%zx", strlen(m->name) + 1);
	set_alias(&a[n++], "@#ImageNameSize", "%zx", strlen(m->image_name) + 1);
	set_alias(&a[n++], "@#LoadedImageName", "%s", m->image_name);
	set_alias(&a[n++], "@#MappedImageName", "%s", "");
	set_alias(&a[n++], "@#SymbolFileName", "%s", m->image_name);
	set_alias(&a[n++], "@#ProductVersion", "%s", "");
	set_alias(&a[n++], "@#TimeDateStamp", "%" PRIx32, m->timestamp);
	set_alias(&a[n++], "@#FileVersion", "%s", "");
	set_alias(&a[n++], "@#ModuleIndex", "%zx", index);
	set_alias(&a[n++], "@#ModuleName", "%s", m->name);
	set_alias(&a[n++], "@#ImageName", "%s", m->image_name);
	set_alias(&a[n++], "@#SymbolType", "%x", 0u); /* DEBUG_SYMTYPE_NONE: deferred */
	set_alias(&a[n++], "@#ImageSize", "%" PRIx64, m->size);
	set_alias(&a[n++], "@#Checksum", "%" PRIx32, m->checksum);
	set_alias(&a[n++], "@#Flags", "%x", 0u);
	set_alias(&a[n++], "@#Base", "%0*" PRIx64, w, m->base);
	set_alias(&a[n++], "@#Size", "%" PRIx64, m->size);
	set_alias(&a[n++], "@#End", "%0*" PRIx64, w, m->base + m->size);
	return n;
}

/* Replace every alias in `text`; fails when the result would not fit. */
static int substitute(const char *text, const alias_value *a, size_t n, char *dst, size_t cap)
{
	size_t len = 0;

	while (*text) {
		size_t i, add = 1;
		const char *piece = text;

		if (text[0] == '@' && text[1] == '#') {
			for (i = 0; i < n; i++) {
				size_t k = strlen(a[i].name);

				if (strncmp(text, a[i].name, k) == 0) {
					piece = a[i].value;
					add = strlen(a[i].value);
					text += k - 1;
					break;
				}
			}
		}
		if (len + add + 1 > cap)
			return 0;
		memcpy(dst + len, piece, add);
		len += add;
		text++;
	}
	dst[len] = 0;
	return 1;
}

ps_status ps_cmd_for_each_module(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	alias_value aliases[24];
	char body[FOR_EACH_LINE_MAX], line[FOR_EACH_LINE_MAX];
	size_t len = strlen(args), count, i;
	ps_status last = PS_OK;

	if (len == 0 || strcmp(args, "-?") == 0) {
		fprintf(out, "Usage: !for_each_module [\"CommandString\"]\n");
		return len ? PS_OK : PS_EARG;
	}
	if (len >= sizeof(body)) {
		fprintf(out, "Command string too long\n");
		return PS_EARG;
	}
	/* A command string in double quotes loses them. */
	if (len >= 2 && args[0] == '"' && args[len - 1] == '"') {
		memcpy(body, args + 1, len - 2);
		body[len - 2] = 0;
	} else {
		memcpy(body, args, len + 1);
	}
	if (!s->kernel)
		return PS_OK;
	if (s->for_each_depth >= FOR_EACH_MAX_DEPTH) {
		fprintf(out, "!for_each_module nested too deeply\n");
		return PS_EARG;
	}
	s->for_each_depth++;
	count = ps_kernel_module_count(s->kernel);
	for (i = 0; i < count && !s->quit; i++) {
		const ps_module *m = ps_kernel_module(s->kernel, i);
		size_t n;

		if (!m)
			continue;
		n = module_aliases(s, m, i, aliases);
		if (!substitute(body, aliases, n, line, sizeof(line))) {
			fprintf(out, "Command string too long after substitution for %s\n", m->name);
			last = PS_EARG;
			continue;
		}
		last = ps_session_exec(s, line, out);
	}
	s->for_each_depth--;
	return last;
}
