/*
 * sympath.c - parse a WinDbg symbol path and search it for a PDB or image.
 *
 * Syntax (Microsoft's "Symbol path for Windows debuggers" page): entries
 * separated by ';', surrounding blanks ignored, empty entries skipped.
 *   DIR                     a plain folder: DIR/name.pdb, then DIR as a store
 *   cache*DIR               a local cache: searched here, and entries to its
 *                           right copy, download and decompress into it
 *   srv*S1*S2*...*Sn        a chain of stores (folders or http(s) URLs),
 *   symsrv*symsrv.dll*S1... searched left to right; a file found past the
 *                           first store is copied into the first one
 *   srv*URL                 one server: downloads go to the cache*DIR in
 *                           effect, else the default downstream store
 *   srv*                    the default store and Microsoft's public server,
 *                           as WinDbg expands it
 * The default downstream store is $XDG_CACHE_HOME/poolscope/symbols, else
 * $HOME/.cache/poolscope/symbols (read once, when the path is parsed).
 * Windows paths (C:\..., \\server\share) are kept for .sympath but skipped
 * with a note when searching. docs/symbols.md has the user's view.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "poolscope/sympath.h"
#include "sym/symstore_internal.h"

#define SYMPATH_MAX_TEXT 16384
#define SYMPATH_MAX_ENTRIES 64
#define SYMPATH_MAX_STORES 8
#define MS_PUBLIC_SERVER "https://msdl.microsoft.com/download/symbols"

typedef struct entry {
	ps_sympath_kind kind;
	char *dir;                 /* FOLDER, CACHE */
	const char *cache;         /* points at an owned string, or NULL */
	int search_cache_first;    /* SERVER: the cache is not searched elsewhere */
	size_t nstores;
	char *stores[SYMPATH_MAX_STORES];
	ps_symsrv_http http[SYMPATH_MAX_STORES]; /* .url set for URL stores */
} entry;

struct ps_sympath {
	char *text;
	char *default_cache;       /* NULL when neither XDG_CACHE_HOME nor HOME */
	size_t n;
	entry entries[SYMPATH_MAX_ENTRIES];
};

static int is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* C:\x, C:/x, \\server\share: meaningful on Windows only. */
static int is_windows_path(const char *s)
{
	if (isalpha((unsigned char)s[0]) && s[1] == ':')
		return 1;
	return s[0] == '\\';
}

static char *dup_span(const char *b, size_t len)
{
	char *p = malloc(len + 1);
	if (p) {
		memcpy(p, b, len);
		p[len] = '\0';
	}
	return p;
}

/* A trimmed copy of [b, e) with ~/ expanded and trailing slashes removed
 * (not from a URL's "://" nor from "/" itself). */
static char *clean_location(const char *b, const char *e)
{
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	while (e - b > 1 && e[-1] == '/' && !(e - b >= 3 && e[-2] == '/' && e[-3] == ':'))
		e--;
	const char *home = getenv("HOME");
	if (e - b >= 1 && b[0] == '~' && (e - b == 1 || b[1] == '/') && home && home[0]) {
		size_t hl = strlen(home), rest = (size_t)(e - b - 1);
		char *p = malloc(hl + rest + 1);
		if (p) {
			memcpy(p, home, hl);
			memcpy(p + hl, b + 1, rest);
			p[hl + rest] = '\0';
		}
		return p;
	}
	return dup_span(b, (size_t)(e - b));
}

static char *default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char buf[PS_SYM_PATH_MAX];
	int len;
	/* The XDG spec ignores a relative XDG_CACHE_HOME. */
	if (xdg && xdg[0] == '/')
		len = snprintf(buf, sizeof buf, "%s/poolscope/symbols", xdg);
	else if (home && home[0] == '/')
		len = snprintf(buf, sizeof buf, "%s/.cache/poolscope/symbols", home);
	else
		return NULL;
	if (len < 0 || (size_t)len >= sizeof buf)
		return NULL;
	return dup_span(buf, (size_t)len);
}

static int ieq_span(const char *b, const char *e, const char *word)
{
	size_t len = strlen(word);
	return (size_t)(e - b) == len && strncasecmp(b, word, len) == 0;
}

/* Parse one non-empty, trimmed entry [b, e). */
static ps_status parse_entry(ps_sympath *sp, const char *b, const char *e,
			     const char **current_cache, ps_error *err)
{
	entry *en = &sp->entries[sp->n];
	const char *star = memchr(b, '*', (size_t)(e - b));
	const char *head_end = star ? star : e;
	while (head_end > b && isspace((unsigned char)head_end[-1]))
		head_end--;

	if (star && ieq_span(b, head_end, "cache")) {
		en->kind = PS_SYMPATH_CACHE;
		const char *db = star + 1;
		while (db < e && isspace((unsigned char)*db))
			db++;
		if (db == e) {
			if (!sp->default_cache)
				return ps_error_set(err, PS_EARG,
						    "symbol path: 'cache*' needs a folder "
						    "(no HOME or XDG_CACHE_HOME for the default)");
			en->dir = strdup(sp->default_cache);
		} else {
			en->dir = clean_location(db, e);
		}
		if (!en->dir)
			return ps_error_set(err, PS_ENOMEM, "symbol path: out of memory");
		en->cache = en->dir;
		*current_cache = en->dir;
		sp->n++;
		return PS_OK;
	}

	int srv = star && ieq_span(b, head_end, "srv");
	int symsrv = star && ieq_span(b, head_end, "symsrv");
	if (!srv && !symsrv) {
		/* WinDbg takes anything else, '*' included, as a folder name. */
		en->kind = PS_SYMPATH_FOLDER;
		en->dir = clean_location(b, e);
		if (!en->dir)
			return ps_error_set(err, PS_ENOMEM, "symbol path: out of memory");
		en->cache = *current_cache ? *current_cache : sp->default_cache;
		sp->n++;
		return PS_OK;
	}

	en->kind = PS_SYMPATH_SERVER;
	const char *p = star + 1;
	if (symsrv) {
		/* symsrv*DLL*stores: the DLL is SymSrv's own business. */
		const char *next = memchr(p, '*', (size_t)(e - p));
		p = next ? next + 1 : e;
	}
	int empty_first = 0;
	for (;;) {
		const char *q = memchr(p, '*', (size_t)(e - p));
		const char *end = q ? q : e;
		char *loc = clean_location(p, end);
		if (!loc)
			return ps_error_set(err, PS_ENOMEM, "symbol path: out of memory");
		if (loc[0] == '\0') {
			/* srv**URL: the default downstream store in that place. */
			free(loc);
			if (en->nstores == 0)
				empty_first = 1;
		} else if (en->nstores == SYMPATH_MAX_STORES) {
			free(loc);
			return ps_error_set(err, PS_EARG,
					    "symbol path: more than %d stores in '%.*s'",
					    SYMPATH_MAX_STORES, (int)(e - b), b);
		} else {
			en->stores[en->nstores++] = loc;
		}
		if (!q)
			break;
		p = q + 1;
	}
	if (en->nstores == 0) {
		/* "srv*": WinDbg's default, Microsoft's public symbol server. */
		en->stores[0] = strdup(MS_PUBLIC_SERVER);
		if (!en->stores[0])
			return ps_error_set(err, PS_ENOMEM, "symbol path: out of memory");
		en->nstores = 1;
	}
	for (size_t i = 0; i < en->nstores; i++)
		if (is_url(en->stores[i]))
			en->http[i].url = en->stores[i];

	const char *first = en->stores[0];
	if (!empty_first && !is_url(first) && !is_windows_path(first)) {
		en->cache = first;
	} else if (*current_cache) {
		en->cache = *current_cache; /* searched already, as its cache* entry */
	} else {
		en->cache = sp->default_cache;
		en->search_cache_first = en->cache != NULL;
	}
	sp->n++;
	return PS_OK;
}

static void free_entry(entry *en)
{
	free(en->dir);
	for (size_t i = 0; i < en->nstores; i++)
		free(en->stores[i]);
}

void ps_sympath_free(ps_sympath *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->n; i++)
		free_entry(&sp->entries[i]);
	free(sp->text);
	free(sp->default_cache);
	free(sp);
}

ps_status ps_sympath_parse(const char *text, ps_sympath **out, ps_error *err)
{
	if (!out)
		return ps_error_set(err, PS_EARG, "symbol path: no output");
	*out = NULL;
	if (!text)
		text = "";
	size_t len = strlen(text);
	if (len > SYMPATH_MAX_TEXT)
		return ps_error_set(err, PS_EARG, "symbol path: %zu characters, more than %d", len,
				    SYMPATH_MAX_TEXT);
	ps_sympath *sp = calloc(1, sizeof *sp);
	if (!sp || !(sp->text = dup_span(text, len))) {
		free(sp);
		return ps_error_set(err, PS_ENOMEM, "symbol path: out of memory");
	}
	sp->default_cache = default_cache_dir();

	const char *current_cache = NULL;
	const char *p = text, *end = text + len;
	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *b = p, *e = semi ? semi : end;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (b < e) {
			ps_status st = PS_OK;
			if (sp->n == SYMPATH_MAX_ENTRIES)
				st = ps_error_set(err, PS_EARG,
						  "symbol path: more than %d entries",
						  SYMPATH_MAX_ENTRIES);
			else
				st = parse_entry(sp, b, e, &current_cache, err);
			if (st != PS_OK) {
				/* A half-built entry is freed with the rest. */
				if (sp->n < SYMPATH_MAX_ENTRIES)
					free_entry(&sp->entries[sp->n]);
				ps_sympath_free(sp);
				return st;
			}
		}
		if (!semi)
			break;
		p = semi + 1;
	}
	*out = sp;
	return PS_OK;
}

const char *ps_sympath_text(const ps_sympath *sp)
{
	return sp ? sp->text : "";
}

size_t ps_sympath_count(const ps_sympath *sp)
{
	return sp ? sp->n : 0;
}

ps_status ps_sympath_entry_at(const ps_sympath *sp, size_t i, ps_sympath_entry *out)
{
	if (!sp || !out || i >= sp->n)
		return PS_ENOTFOUND;
	const entry *en = &sp->entries[i];
	out->kind = en->kind;
	out->dir = en->dir;
	out->cache = en->cache;
	out->nstores = en->nstores;
	out->stores = (const char *const *)en->stores;
	return PS_OK;
}

static int usable_local(ps_symsearch *s, const char *dir)
{
	if (is_windows_path(dir)) {
		ps_symlog(s->log, "%s - skipped: a Windows path", dir);
		return 0;
	}
	return 1;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static ps_status search_entry(ps_sympath *sp, entry *en, ps_symsearch *s)
{
	const char *unpack = en->cache ? en->cache : sp->default_cache;
	switch (en->kind) {
	case PS_SYMPATH_FOLDER:
		if (!usable_local(s, en->dir))
			return PS_ENOTFOUND;
		if (!is_dir(en->dir)) {
			ps_symlog(s->log, "%s - no such folder", en->dir);
			return PS_ENOTFOUND;
		}
		if (ps_symstore_find_flat(s, en->dir) == PS_OK)
			return PS_OK;
		return ps_symstore_find_local(s, en->dir, NULL, unpack);
	case PS_SYMPATH_CACHE:
		return ps_symstore_find_local(s, en->dir, NULL, en->dir);
	case PS_SYMPATH_SERVER:
		if (en->search_cache_first &&
		    ps_symstore_find_local(s, en->cache, NULL, en->cache) == PS_OK)
			return PS_OK;
		for (size_t i = 0; i < en->nstores; i++) {
			ps_status st;
			if (en->http[i].url)
				st = ps_symsrv_http_find(s, &en->http[i], en->cache);
			else if (usable_local(s, en->stores[i]))
				st = ps_symstore_find_local(s, en->stores[i], en->cache, unpack);
			else
				st = PS_ENOTFOUND;
			if (st == PS_OK)
				return PS_OK;
		}
		return PS_ENOTFOUND;
	}
	return PS_ENOTFOUND;
}

static ps_status search(ps_sympath *sp, const char *name, const char *id, int want_pdb,
			ps_sympath_verify_fn verify, void *ctx, char *path, size_t n, FILE *log,
			ps_error *err)
{
	ps_symsearch s;
	if (!sp || !path || n == 0)
		return ps_error_set(err, PS_EARG, "symbol path: bad arguments");
	path[0] = '\0';
	memset(&s, 0, sizeof s);
	ps_status st = ps_symsearch_init(&s, name, id, want_pdb, err);
	if (st != PS_OK)
		return st;
	s.verify = verify;
	s.verify_ctx = ctx;
	s.log = log;
	s.out = path;
	s.out_size = n;
	if (sp->n == 0)
		return ps_error_set(err, PS_ENOTFOUND, "%s: the symbol path is empty", s.rel);
	ps_symlog(log, "looking for %s", s.rel);
	for (size_t i = 0; i < sp->n; i++)
		if (search_entry(sp, &sp->entries[i], &s) == PS_OK)
			return PS_OK;
	return ps_error_set(err, PS_ENOTFOUND, "%s: not found on the symbol path '%s'", s.rel,
			    sp->text);
}

/* The key's middle part ("3844...2") from the full key. */
static void key_id(const char *key, char *id, size_t n)
{
	const char *a = strchr(key, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;
	size_t len = (a && b) ? (size_t)(b - a - 1) : 0;
	if (len >= n)
		len = 0;
	memcpy(id, a ? a + 1 : "", len);
	id[len] = '\0';
}

ps_status ps_sympath_find_pdb_verified(ps_sympath *sp, const char *pdb_name,
				       const uint8_t guid[16], uint32_t age,
				       ps_sympath_verify_fn verify, void *ctx, char *path,
				       size_t n, FILE *log, ps_error *err)
{
	char key[600], id[64];
	if (ps_symstore_pdb_key(pdb_name, guid, age, key, sizeof key) != PS_OK)
		return ps_error_set(err, PS_EARG, "symbol path: unusable PDB name '%s'",
				    pdb_name ? pdb_name : "(null)");
	key_id(key, id, sizeof id);
	return search(sp, pdb_name, id, 1, verify, ctx, path, n, log, err);
}

ps_status ps_sympath_find_pdb(ps_sympath *sp, const char *pdb_name, const uint8_t guid[16],
			      uint32_t age, char *path, size_t n, FILE *log, ps_error *err)
{
	return ps_sympath_find_pdb_verified(sp, pdb_name, guid, age, NULL, NULL, path, n, log,
					    err);
}

ps_status ps_sympath_find_image_verified(ps_sympath *sp, const char *name, uint32_t timestamp,
					 uint32_t size_of_image, ps_sympath_verify_fn verify,
					 void *ctx, char *path, size_t n, FILE *log,
					 ps_error *err)
{
	char key[600], id[64];
	if (ps_symstore_image_key(name, timestamp, size_of_image, key, sizeof key) != PS_OK)
		return ps_error_set(err, PS_EARG, "symbol path: unusable image name '%s'",
				    name ? name : "(null)");
	key_id(key, id, sizeof id);
	return search(sp, name, id, 0, verify, ctx, path, n, log, err);
}

ps_status ps_sympath_find_image(ps_sympath *sp, const char *name, uint32_t timestamp,
				uint32_t size_of_image, char *path, size_t n, FILE *log,
				ps_error *err)
{
	return ps_sympath_find_image_verified(sp, name, timestamp, size_of_image, NULL, NULL, path,
					      n, log, err);
}
