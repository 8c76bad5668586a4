/*
 * pooltag.c - reading pooltag.txt and looking tags up (see pooltag.h).
 *
 * The file is small (a few thousand lines), so it is read whole and split
 * into entries once: exact tags go into a table sorted by tag value for
 * binary search, wildcard tags into a list tried in file order.
 */
#include "poolscope/pooltag.h"
#include "poolscope/pool.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* pooltag.txt is about 250 KB; anything past this is not a tag file. */
#define TAGDB_MAX_BYTES (64u << 20)

struct ps_tagdb {
	char *text;            /* the file, with entry fields NUL-terminated in place */
	ps_tag_info *exact;    /* sorted by value, then line */
	uint32_t *exact_value;
	size_t exact_count;
	ps_tag_info *wild;     /* file order */
	ps_tag_pattern *wild_pattern;
	size_t wild_count;
};

static uint32_t tag_value(const char tag[4])
{
	return (uint32_t)(uint8_t)tag[0] | (uint32_t)(uint8_t)tag[1] << 8 |
	       (uint32_t)(uint8_t)tag[2] << 16 | (uint32_t)(uint8_t)tag[3] << 24;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int is_comment(const char *line)
{
	return strncasecmp(line, "rem", 3) == 0 || strncmp(line, "//", 2) == 0;
}

/* Split "TAG - binary - description" in place. The description keeps any
 * further " - " it contains. Returns 0 for lines that are not entries. */
static int parse_line(char *line, unsigned lineno, ps_tag_info *e)
{
	char *dash1, *dash2, *tag;
	size_t len;

	if (is_comment(line) || line[0] == ' ' || line[0] == '\t' || line[0] == '\0')
		return 0;
	dash1 = strstr(line, " - ");
	if (!dash1)
		return 0;
	*dash1 = '\0';
	tag = line;
	len = strlen(tag);
	while (len > 4 && tag[len - 1] == ' ')
		tag[--len] = '\0';
	if (len == 0 || len > 4)
		return 0;
	memset(e->tag, ' ', 4);
	memcpy(e->tag, tag, len);
	e->tag[4] = '\0';
	e->line = lineno;

	dash2 = strstr(dash1 + 3, " - ");
	if (dash2) {
		*dash2 = '\0';
		e->binary = trim(dash1 + 3);
		e->description = trim(dash2 + 3);
	} else {
		/* "TAG - description" with no binary column. */
		e->binary = "";
		e->description = trim(dash1 + 3);
	}
	if (strcmp(e->binary, "<unknown>") == 0)
		e->binary = "";
	return 1;
}

static int has_wildcard(const char tag[4])
{
	return memchr(tag, '?', 4) || memchr(tag, '*', 4);
}

static int cmp_exact(const void *a, const void *b)
{
	const ps_tag_info *x = a, *y = b;
	uint32_t vx = tag_value(x->tag), vy = tag_value(y->tag);

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

ps_status ps_tagdb_load_memory(const char *text, size_t len, const char *name, ps_tagdb **out,
			       ps_error *err)
{
	ps_tagdb *db;
	size_t lines = 1, e = 0, w = 0;
	unsigned lineno = 0;
	char *p;

	*out = NULL;
	if (len > TAGDB_MAX_BYTES)
		return ps_error_set(err, PS_EFORMAT, "%s: %zu bytes is too large for a pooltag file", name, len);
	db = calloc(1, sizeof *db);
	if (!db || !(db->text = malloc(len + 1)))
		goto nomem;
	memcpy(db->text, text, len);
	db->text[len] = '\0';
	for (size_t i = 0; i < len; i++)
		lines += db->text[i] == '\n';
	db->exact = calloc(lines, sizeof *db->exact);
	db->wild = calloc(lines, sizeof *db->wild);
	db->wild_pattern = calloc(lines, sizeof *db->wild_pattern);
	if (!db->exact || !db->wild || !db->wild_pattern)
		goto nomem;

	/* Walk lines by length, not by NUL, so stray NUL bytes in a damaged
	 * file only cost the line they sit in. */
	for (p = db->text; p < db->text + len;) {
		char *line = p, *nl = memchr(p, '\n', (size_t)(db->text + len - p));
		size_t line_len = nl ? (size_t)(nl - line) : (size_t)(db->text + len - line);
		ps_tag_info entry;

		lineno++;
		p = line + line_len + 1;
		line[line_len] = '\0';
		if (memchr(line, '\0', line_len) != NULL)
			continue;
		if (!parse_line(line, lineno, &entry))
			continue;
		/* Wildcard entries match the way !poolfind patterns do. */
		if (has_wildcard(entry.tag)) {
			if (ps_tag_pattern_parse(entry.tag, &db->wild_pattern[w], NULL, NULL) != PS_OK)
				continue;
			db->wild[w++] = entry;
		} else
			db->exact[e++] = entry;
	}
	qsort(db->exact, e, sizeof *db->exact, cmp_exact);
	db->exact_value = malloc((e ? e : 1) * sizeof *db->exact_value);
	if (!db->exact_value)
		goto nomem;
	for (size_t i = 0; i < e; i++)
		db->exact_value[i] = tag_value(db->exact[i].tag);
	db->exact_count = e;
	db->wild_count = w;
	*out = db;
	return PS_OK;
nomem:
	ps_tagdb_free(db);
	return ps_error_set(err, PS_ENOMEM, "%s: out of memory reading the pooltag file", name);
}

ps_status ps_tagdb_load(const char *path, ps_tagdb **out, ps_error *err)
{
	FILE *f;
	char *buf;
	struct stat st;
	size_t got;
	ps_status rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return ps_error_set(err, errno == ENOENT ? PS_ENOTFOUND : PS_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > TAGDB_MAX_BYTES) {
		fclose(f);
		return ps_error_set(err, PS_EIO, "%s: not a regular file of a plausible size", path);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory", path);
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	rc = ps_tagdb_load_memory(buf, got, path, out, err);
	free(buf);
	return rc;
}

ps_status ps_tagdb_open_default(const char *explicit_path, ps_tagdb **out, char *used, size_t n,
				ps_error *err)
{
	char path[4096];
	const char *env, *candidates[4];
	size_t count = 0;

	*out = NULL;
	if (explicit_path && *explicit_path)
		candidates[count++] = explicit_path;
	else if ((env = getenv("POOLTAG")) && *env)
		candidates[count++] = env;
	else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		path[0] = '\0';
		if (xdg && *xdg)
			snprintf(path, sizeof path, "%s/poolscope/pooltag.txt", xdg);
		else if (home && *home)
			snprintf(path, sizeof path, "%s/.config/poolscope/pooltag.txt", home);
		if (path[0])
			candidates[count++] = path;
		candidates[count++] = "/usr/local/share/poolscope/pooltag.txt";
		candidates[count++] = "/usr/share/poolscope/pooltag.txt";
	}
	for (size_t i = 0; i < count; i++) {
		ps_status rc = ps_tagdb_load(candidates[i], out, err);
		if (rc == PS_OK) {
			if (used)
				snprintf(used, n, "%s", candidates[i]);
			return PS_OK;
		}
		/* An explicit file that is missing is an error, not a fallback. */
		if (rc != PS_ENOTFOUND || count == 1)
			return rc;
	}
	return ps_error_set(err, PS_ENOTFOUND, "no pooltag.txt found (use --tags FILE or set POOLTAG)");
}

void ps_tagdb_free(ps_tagdb *db)
{
	if (!db)
		return;
	free(db->text);
	free(db->exact);
	free(db->exact_value);
	free(db->wild);
	free(db->wild_pattern);
	free(db);
}

size_t ps_tagdb_count(const ps_tagdb *db)
{
	return db ? db->exact_count + db->wild_count : 0;
}

const ps_tag_info *ps_tagdb_find(const ps_tagdb *db, uint32_t tag)
{
	size_t lo = 0, hi;

	if (!db)
		return NULL;
	tag &= 0x7FFFFFFFu;
	hi = db->exact_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (db->exact_value[mid] < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < db->exact_count && db->exact_value[lo] == tag)
		return &db->exact[lo];
	for (size_t i = 0; i < db->wild_count; i++)
		if (ps_tag_pattern_match(&db->wild_pattern[i], tag))
			return &db->wild[i];
	return NULL;
}

const char *ps_tag_text(uint32_t tag, char *buf)
{
	tag &= 0x7FFFFFFFu;
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(tag >> (8 * i));
		buf[i] = isprint(c) ? (char)c : '.';
	}
	buf[4] = '\0';
	return buf;
}

const char *ps_tagdb_describe(const ps_tagdb *db, uint32_t tag, char *buf, size_t n)
{
	const ps_tag_info *e = ps_tagdb_find(db, tag);
	char text[5];

	if (!e)
		snprintf(buf, n, "UNKNOWN pooltag '%s', please update pooltag.txt", ps_tag_text(tag, text));
	else if (e->binary[0])
		snprintf(buf, n, "%s , Binary: %s", e->description, e->binary);
	else
		snprintf(buf, n, "%s", e->description);
	return buf;
}
