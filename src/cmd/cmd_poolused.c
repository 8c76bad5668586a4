/*
 * cmd_poolused.c - `!poolused [Flags [TagString]]`: per-tag pool usage from
 * the tag tracker tables (src/pool/tracker.c), laid out as the kdexts
 * extension of the Windows 7 era prints it.
 *
 * Flags (learn.microsoft.com "!poolused"): 1 verbose (allocations, frees
 * and their difference per pool), 2 sort by nonpaged bytes, 4 sort by paged
 * bytes (2 wins when both are given), 8 the session pool instead of the
 * system pools. TagString is case-sensitive, * and ? wildcards, padded
 * with * to four characters (the extension reads it into "****").
 *
 * Layout: the format strings of the Server 2003 kdexts source that
 * circulates publicly (header lines, " %c%c%c%c %8ld %8I64ld  %8ld %8I64ld"
 * rows, " TOTAL" line, rows of tags without bytes left out unless verbose),
 * checked against the learn.microsoft.com example, which shows the
 * description appended to each row and "Sorting by  Tag" with two blanks.
 * The seed (Windows 7, whitespace collapsed) shows a blank between the last
 * number and the description; that it is one blank, not a tab as in later
 * versions, is not confirmed. Sorting by tag is by the tag's characters
 * (the docs example: "AGP " before "AcdN"); ties in the byte sorts go by
 * tag. Allocs is allocations minus frees, the allocations in use.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_pool_usage.h"
#include "cmd/cmd_util.h"
#include "poolscope/pool.h"

enum { SORT_TAG, SORT_NONPAGED, SORT_PAGED };

typedef struct row {
	const ps_pool_tag_usage *t;
	int64_t np_diff, np_bytes, p_diff, p_bytes;
	uint8_t chars[4];
} row;

static int cmp_tag(const void *x, const void *y)
{
	return memcmp(((const row *)x)->chars, ((const row *)y)->chars, 4);
}

static int cmp_nonpaged(const void *x, const void *y)
{
	const row *a = x, *b = y;

	if (a->np_bytes != b->np_bytes)
		return a->np_bytes > b->np_bytes ? -1 : 1;
	return cmp_tag(x, y);
}

static int cmp_paged(const void *x, const void *y)
{
	const row *a = x, *b = y;

	if (a->p_bytes != b->p_bytes)
		return a->p_bytes > b->p_bytes ? -1 : 1;
	return cmp_tag(x, y);
}

/* The extension's CheckSingleFilter: four characters, '?' any one, '*'
 * anything from there on; case-sensitive. */
static int tag_matches(const uint8_t tag[4], const char filter[4])
{
	for (int i = 0; i < 4; i++) {
		if (filter[i] == '*')
			return 1;
		if (filter[i] != '?' && (uint8_t)filter[i] != tag[i])
			return 0;
	}
	return 1;
}

static void print_tag(const uint8_t c[4], FILE *out)
{
	for (int i = 0; i < 4; i++)
		fputc(c[i] >= 0x20 && c[i] < 0x7F ? c[i] : '.', out);
}

ps_status ps_cmd_poolused(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	char filter[4] = { '*', '*', '*', '*' };
	const char *p = ps_cmd_skip_blanks(args);
	unsigned long flags = 0;
	ps_pool_usage *u = NULL;
	const ps_tagdb *db;
	ps_error err;
	row *rows;
	size_t n = 0;
	int64_t tot[8] = { 0 };
	int sort_by;
	ps_status st;

	(void)cmd;
	if (!s->kernel || !s->symbols) {
		fputs("unable to get PoolTrackTable - no kernel view of this dump\n", out);
		return PS_EUNSUPPORTED;
	}
	if (*p) {
		char *end;
		flags = strtoul(p, &end, 16);
		if (end == p) {
			fprintf(out, "Invalid flags '%s'\n", p);
			return PS_EARG;
		}
		p = ps_cmd_skip_blanks(end);
		for (int i = 0; i < 4 && *p && *p != ' ' && *p != '\t'; i++)
			filter[i] = *p++;
	}
	ps_error_clear(&err);
	if (flags & 8) {
		ps_pool_session *sessions = NULL;
		size_t ns = 0;
		if ((st = ps_pool_sessions(s->kernel, s->symbols, &sessions, &ns, &err)) != PS_OK || ns == 0) {
			fprintf(out, "unable to find a session: %s\n", st != PS_OK ? err.message : "no sessions");
			free(sessions);
			return st != PS_OK ? st : PS_ENOTFOUND;
		}
		/* WinDbg shows the current process's session; without a notion
		 * of the current process here, the first one (docs/pool.md). */
		st = ps_pool_session_usage_read(s->kernel, s->symbols, sessions[0].session_space, &u, &err);
		free(sessions);
	} else {
		st = ps_pool_usage_read(s->kernel, s->symbols, &u, &err);
	}
	if (st != PS_OK) {
		fprintf(out, "unable to get pool usage: %s\n", err.message);
		return st;
	}
	if (!(rows = calloc(u->count ? u->count : 1, sizeof *rows))) {
		ps_pool_usage_free(u);
		fputs("out of memory\n", out);
		return PS_ENOMEM;
	}
	for (size_t i = 0; i < u->note_count; i++)
		fprintf(out, "*** %s\n", u->notes[i]);
	db = ps_cmd_tags(s, out);
	for (size_t i = 0; i < u->count; i++) {
		const ps_pool_tag_usage *t = &u->tags[i];
		row *r = &rows[n];

		r->t = t;
		for (int c = 0; c < 4; c++)
			r->chars[c] = (uint8_t)(t->key >> (8 * c));
		if (!tag_matches(r->chars, filter))
			continue;
		r->np_diff = ps_pool_usage_diff(u, t->nonpaged_allocs, t->nonpaged_frees);
		r->np_bytes = ps_pool_usage_bytes(u, t->nonpaged_bytes);
		r->p_diff = ps_pool_usage_diff(u, t->paged_allocs, t->paged_frees);
		r->p_bytes = ps_pool_usage_bytes(u, t->paged_bytes);
		if (!(flags & 1) && r->np_bytes == 0 && r->p_bytes == 0)
			continue;
		n++;
	}
	sort_by = (flags & 2) ? SORT_NONPAGED : (flags & 4) ? SORT_PAGED : SORT_TAG;
	qsort(rows, n, sizeof *rows, sort_by == SORT_NONPAGED ? cmp_nonpaged : sort_by == SORT_PAGED ? cmp_paged : cmp_tag);

	fprintf(out, "   Sorting by %s\n", sort_by == SORT_NONPAGED ? "NonPaged Pool Consumed" :
		sort_by == SORT_PAGED ? "Paged Pool Consumed" : " Tag");
	fputs("\n  Pool Used:\n", out);
	if (!(flags & 1)) {
		fputs("            NonPaged            Paged\n", out);
		fputs(" Tag    Allocs     Used    Allocs     Used\n", out);
	} else {
		fputs("            NonPaged                    Paged\n", out);
		fputs(" Tag    Allocs    Frees     Diff     Used   Allocs    Frees     Diff     Used\n", out);
	}
	for (size_t i = 0; i < n; i++) {
		const row *r = &rows[i];
		char desc[512];

		fputc(' ', out);
		print_tag(r->chars, out);
		if (!(flags & 1)) {
			fprintf(out, " %8" PRId64 " %8" PRId64 "  %8" PRId64 " %8" PRId64, r->np_diff, r->np_bytes,
				r->p_diff, r->p_bytes);
		} else {
			fprintf(out, " %8" PRIu64 " %8" PRIu64 " %8" PRId64 " %8" PRId64 " %8" PRIu64 " %8" PRIu64
				" %8" PRId64 " %8" PRId64, r->t->nonpaged_allocs, r->t->nonpaged_frees, r->np_diff,
				r->np_bytes, r->t->paged_allocs, r->t->paged_frees, r->p_diff, r->p_bytes);
		}
		fprintf(out, " %s\n", ps_tagdb_describe(db, r->t->key, desc, sizeof desc));
		tot[0] += (int64_t)r->t->nonpaged_allocs;
		tot[1] += (int64_t)r->t->nonpaged_frees;
		tot[2] += r->np_diff;
		tot[3] += r->np_bytes;
		tot[4] += (int64_t)r->t->paged_allocs;
		tot[5] += (int64_t)r->t->paged_frees;
		tot[6] += r->p_diff;
		tot[7] += r->p_bytes;
	}
	if (!(flags & 1))
		fprintf(out, " TOTAL    %8" PRId64 " %8" PRId64 "  %8" PRId64 " %8" PRId64 "\n", tot[2], tot[3], tot[6],
			tot[7]);
	else
		fprintf(out, " TOTAL    %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64
			" %8" PRId64 " %8" PRId64 "\n", tot[0], tot[1], tot[2], tot[3], tot[4], tot[5], tot[6], tot[7]);
	free(rows);
	ps_pool_usage_free(u);
	return PS_OK;
}
