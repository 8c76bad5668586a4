/*
 * cmd_poolfind.c - `!poolfind Tag [PoolType]`: every allocation with a tag,
 * first in the big-page table, then in the pool pages.
 *
 * PoolType, as WinDbg's documentation lists it: 0 nonpaged (the default), 1
 * paged, 2 special pool, 4 session pool. Newer WinDbg also takes -nonpaged,
 * -paged, -session and -tag TAG, accepted here too. The tag is four
 * case-sensitive characters with * and ?, or a 0x value.
 *
 * Two output formats, chosen by the dump's Windows build as the WinDbg of
 * its time printed them (docs/pool.md has the sources):
 *
 * Windows 7 (the seed article, kdexts' SearchPool and CheckSingleFilterAndPrint):
 *   Scanning large pool allocation table for Tag: Thre
 *   Scanning large pool allocation table for Tag: Thre (8a957000 : 8aa57000)
 *
 *   *89bc1b48 size:  2d8 previous size:   68  (Allocated) Thre (Protected)
 *   *8a957000 :large page allocation, Tag  is MSKK, size  is 0x1000 bytes
 *
 * Windows 10:
 *
 *   Scanning large pool allocation table for tag 0x65726854 (Thre) (ffffe001`... : ...)
 *
 *
 *   Searching nonpaged pool (ffff800000000000 : ffffffffffffffff) for tag 0x65726854 (Thre)
 *
 *   ffffe0010f2c4080 : tag Thre, size     0x860, Nonpaged pool
 *
 * (the modern form prints the data address after the header and the size
 * without it). Where the pages are and why the scan is fast: pool_scan.c.
 * Progress goes to stderr, and only when stderr is a terminal.
 */
#include "cmd/cmd_pool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

typedef struct find_args {
	ps_tag_pattern pattern;
	unsigned type;          /* 0 nonpaged, 1 paged, 2 special, 4 session */
} find_args;

static int word_is(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t');
}

static ps_status parse(ps_session *s, const char *args, find_args *fa, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args);
	int have_tag = 0;
	ps_error err;

	memset(fa, 0, sizeof *fa);
	while (*p) {
		if (word_is(p, "-nonpaged")) {
			fa->type = 0;
			p += 9;
		} else if (word_is(p, "-paged")) {
			fa->type = 1;
			p += 6;
		} else if (word_is(p, "-session")) {
			fa->type = 4;
			p += 8;
		} else if (word_is(p, "-tag") || !have_tag) {
			char tag[8];
			size_t n;

			if (word_is(p, "-tag"))
				p = ps_cmd_skip_blanks(p + 4);
			/* -tag "AB C" keeps its blank. */
			if (*p == '"') {
				const char *q = strchr(p + 1, '"');
				n = q ? (size_t)(q - p - 1) : strlen(p + 1);
				if (n > 4)
					n = 4;
				memset(tag, ' ', 4);
				memcpy(tag, p + 1, n);
				tag[4] = '\0';
				p = q ? q + 1 : p + strlen(p);
				ps_error_clear(&err);
				if (ps_tag_pattern_parse(tag, &fa->pattern, NULL, &err) != PS_OK)
					goto bad;
				/* The blanks are part of the tag: parse stopped at the first. */
				fa->pattern.tag = (uint32_t)(uint8_t)tag[0] | (uint32_t)(uint8_t)tag[1] << 8 |
						  (uint32_t)(uint8_t)tag[2] << 16 | (uint32_t)(uint8_t)tag[3] << 24;
				fa->pattern.value = fa->pattern.tag & fa->pattern.mask;
			} else {
				ps_error_clear(&err);
				if (ps_tag_pattern_parse(p, &fa->pattern, &p, &err) != PS_OK)
					goto bad;
			}
			have_tag = 1;
		} else {
			uint64_t v;
			const char *end;

			if (ps_cmd_eval(s, p, &end, &v, out) != PS_OK)
				return PS_EARG;
			fa->type = (unsigned)v;
			p = end;
		}
		p = ps_cmd_skip_blanks(p);
	}
	if (!have_tag) {
		fputs("Usage: !poolfind Tag [PoolType]  (PoolType 0 nonpaged, 1 paged, 2 special, 4 session)\n",
		      out);
		return PS_EARG;
	}
	if (fa->type != 0 && fa->type != 1 && fa->type != 2 && fa->type != 4) {
		fprintf(out, "!poolfind: PoolType %u is not one of 0 (nonpaged), 1 (paged), 2 (special), "
			     "4 (session)\n", fa->type);
		return PS_EARG;
	}
	return PS_OK;
bad:
	fprintf(out, "!poolfind: %s\n", err.message);
	return PS_EARG;
}

static unsigned wanted_pools(unsigned type)
{
	switch (type) {
	case 1: return PS_POOL_PAGED;
	case 4: return PS_POOL_SESSION_PAGED | PS_POOL_SESSION_NONPAGED;
	default: return PS_POOL_NONPAGED;
	}
}

/* What poolscope adds to a big-page line whose memory cannot be read. */
static const char *unreadable_mark(const ps_big_page *b)
{
	if (b->freed || b->readable)
		return "";
	switch (b->state) {
	case PS_PAGE_VALID:
	case PS_PAGE_TRANSITION:
		return " (not in the dump)";
	case PS_PAGE_PAGEFILE:
		return " (paged out)";
	default:
		return " (not mapped)";
	}
}

/* The big-page table's part. Returns the number of hits. */
static size_t scan_big(ps_session *s, const ps_big_table *t, const find_args *fa, int modern, FILE *out)
{
	unsigned want = wanted_pools(fa->type);
	char a[PS_ADDR_BUF], tag[5];
	size_t hits = 0;

	for (size_t i = 0; i < t->count; i++) {
		const ps_big_page *b = &t->entries[i];

		if (!ps_tag_pattern_match(&fa->pattern, b->tag))
			continue;
		ps_cmd_pool_addr(s, b->va, a);
		if (modern) {
			/* The modern lines name the pool: only the asked-for one. */
			if (b->freed || !(ps_cmd_pool_big_kind(b->pool_type) & want))
				continue;
			fprintf(out, "%s : tag %s, size %#9" PRIx64 ", %s%s\n", a, ps_cmd_pool_tag4(b->tag, 1, tag),
				b->bytes, ps_cmd_pool_region_name(ps_cmd_pool_big_kind(b->pool_type)),
				unreadable_mark(b));
		} else {
			/* kdexts lists every table entry with the tag, freed ones too. */
			fprintf(out, "*%s :%slarge page allocation, Tag %3s %s, size %3s 0x%" PRIx64 " bytes%s\n", a,
				b->freed ? "free " : "", b->freed ? "was" : "is", ps_cmd_pool_tag4(b->tag, 0, tag),
				b->freed ? "was" : "is", b->bytes, unreadable_mark(b));
		}
		hits++;
	}
	return hits;
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	unsigned *last = ctx;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;

	if (pct == *last)
		return;
	*last = pct;
	if (done >= total)
		fputs("\r                                        \r", stderr);
	else
		fprintf(stderr, "\rScanning pool pages: %3u%%", pct);
}

static void print_hits(ps_session *s, const ps_pool_scan_result *r, int modern, FILE *out)
{
	unsigned hs = ps_cmd_pointer_size(s) == 8 ? 16 : 8;
	char a[PS_ADDR_BUF], tag[5];

	for (size_t i = 0; i < r->count; i++) {
		const ps_pool_block *b = &r->hits[i].block;

		if (modern) {
			fprintf(out, "%s : tag %s, size %#9" PRIx32 ", %s\n", ps_cmd_pool_addr(s, b->va + hs, a),
				ps_cmd_pool_tag4(b->tag, 1, tag), b->size > hs ? b->size - hs : 0,
				ps_cmd_pool_region_name(r->hits[i].pool));
		} else if (b->allocated) {
			fprintf(out, "*%s size: %4" PRIx32 " previous size: %4" PRIx32 "  (Allocated) %s%s\n",
				ps_cmd_pool_addr(s, b->va, a), b->size, b->previous_size,
				ps_cmd_pool_tag4(b->tag, 1, tag), (b->tag & PS_POOL_PROTECTED) ? " (Protected)" : "");
		} else {
			fprintf(out, "*%s size: %4" PRIx32 " previous size: %4" PRIx32 "  (Free)      %s\n",
				ps_cmd_pool_addr(s, b->va, a), b->size, b->previous_size,
				ps_cmd_pool_tag4(b->tag, 0, tag));
		}
	}
}

static void print_damage(ps_session *s, const ps_pool_scan_result *r, FILE *out)
{
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF];

	if (r->damaged_pages) {
		fprintf(out, "\n*** %" PRIu64 " pool page%s with a damaged header chain; the blocks before the "
			     "damage are listed above:\n", r->damaged_pages, r->damaged_pages == 1 ? "" : "s");
		for (size_t i = 0; i < r->damage_count; i++)
			fprintf(out, "***   %s: %s at %s\n", ps_cmd_pool_addr(s, r->damage[i].page_va, a),
				r->damage[i].problem, ps_cmd_pool_addr(s, r->damage[i].problem_va, b));
		if (r->damaged_pages > r->damage_count)
			fprintf(out, "***   ... and %" PRIu64 " more\n", r->damaged_pages - r->damage_count);
	}
	if (r->note[0])
		fprintf(out, "\n*** part of the address space was not scanned: %s\n", r->note);
}

/* Special pool is not laid out by the lab nor walked here: say what WinDbg
 * says when there is none, with the range globals when the symbols have them. */
static ps_status special_pool(ps_session *s, const find_args *fa, FILE *out)
{
	uint64_t start = 0, end = 0;
	ps_symbol sym;
	ps_error err;
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF], t[5];

	if (s->symbols && ps_symbols_lookup(s->symbols, "nt!MmSpecialPoolStart", &sym) == PS_OK) {
		ps_error_clear(&err);
		(void)ps_vm_read_ptr(s->vm, sym.address, &start, &err);
	}
	if (s->symbols && ps_symbols_lookup(s->symbols, "nt!MmSpecialPoolEnd", &sym) == PS_OK) {
		ps_error_clear(&err);
		(void)ps_vm_read_ptr(s->vm, sym.address, &end, &err);
	}
	ps_cmd_pool_tag4(fa->pattern.tag, 0, t);
	fprintf(out, "\nSearching special pool (%s : %s) for Tag: %s\n\n", ps_cmd_pool_addr(s, start, a),
		ps_cmd_pool_addr(s, end, b), t);
	if (start && end > start)
		fputs("poolscope does not walk special pool pages yet\n", out);
	fprintf(out, "The %s tag could not be found in special pool.\n", t);
	return PS_OK;
}

/* One big-page table's part: the "Scanning" line with its range, then its
 * hits and notes. `session` is NULL for the kernel's table. */
static void big_section(ps_session *s, const ps_big_table *big, const uint32_t *session, const find_args *fa,
			int modern, FILE *out)
{
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF], t[5], which[32] = "";

	ps_cmd_pool_tag4(fa->pattern.tag, 0, t);
	ps_cmd_pool_addr(s, big->table_va, a);
	ps_cmd_pool_addr(s, big->table_va + ps_big_table_bytes(big), b);
	/* poolscope's wording for a session's table (WinDbg reads only the
	 * current session's; docs/pool.md). */
	if (session)
		snprintf(which, sizeof which, "session %x ", *session);
	if (modern) {
		fprintf(out, "\nScanning %slarge pool allocation table for tag 0x%08" PRIx32 " (%s) (%s : %s)\n\n",
			which, fa->pattern.tag, t, a, b);
	} else {
		if (!session)
			fprintf(out, "Scanning large pool allocation table for Tag: %s\n", t);
		fprintf(out, "Scanning %slarge pool allocation table for Tag: %s (%s : %s)\n\n", which, t, a, b);
	}
	scan_big(s, big, fa, modern, out);
	for (size_t i = 0; i < big->note_count; i++)
		fprintf(out, "%s\n", big->notes[i]);
	if (big->notes_dropped)
		fprintf(out, "(%zu more problems with the large pool allocation table)\n", big->notes_dropped);
}

ps_status ps_cmd_poolfind(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	find_args fa;
	ps_cmd_big_tables big;
	ps_error err;
	ps_pool_scan_options o;
	ps_pool_scan_result r;
	int modern;
	unsigned last_pct = 101;
	char a[PS_ADDR_BUF], b[PS_ADDR_BUF], t[5];
	const char *pool_word;
	ps_status st;

	if (parse(s, args, &fa, out) != PS_OK)
		return PS_EARG;
	if (!s->vm || ps_vm_paging(s->vm) == PS_PAGING_NONE) {
		fprintf(out, "%s is a triage dump: it holds no pool pages\n", s->path);
		return PS_EUNSUPPORTED;
	}
	if (fa.type == 2)
		return special_pool(s, &fa, out);
	modern = ps_cmd_pool_modern(s);
	ps_cmd_pool_tag4(fa.pattern.tag, 0, t);

	ps_cmd_pool_big_tables_read(s, &big);
	if (!big.global)
		fputs("unable to get large pool allocation table - either wrong symbols or pool tagging is "
		      "disabled\n", out);
	else
		big_section(s, big.global, NULL, &fa, modern, out);
	/* Session pool's big allocations are in each session's own table. */
	for (size_t i = 0; fa.type == 4 && i < big.session_count; i++)
		if (big.session[i])
			big_section(s, big.session[i], &big.session_id[i], &fa, modern, out);

	memset(&o, 0, sizeof o);
	o.pools = wanted_pools(fa.type);
	o.pattern = fa.pattern;
	o.include_free = !modern;
	o.threads = 2;
	o.big = big.all;
	o.big_count = big.all_count;
	if (isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.progress_ctx = &last_pct;
	}
	if (modern) {
		int wide = ps_cmd_pointer_size(s) == 8;

		pool_word = fa.type == 1 ? "paged" : fa.type == 4 ? "session" : "nonpaged";
		fprintf(out, "\nSearching %s pool (%s : %s) for tag 0x%08" PRIx32 " (%s)\n\n", pool_word,
			ps_cmd_pool_addr(s, wide ? UINT64_C(0xFFFF800000000000) : UINT64_C(0x80000000), a),
			ps_cmd_pool_addr(s, wide ? UINT64_MAX : UINT64_C(0xFFFFFFFF), b), fa.pattern.tag, t);
	}
	fflush(out);
	ps_error_clear(&err);
	st = ps_pool_scan(s->vm, &o, &r, &err);
	if (st != PS_OK) {
		fprintf(out, "!poolfind: %s\n", err.message);
		ps_cmd_pool_big_tables_free(&big);
		return st;
	}
	print_hits(s, &r, modern, out);
	print_damage(s, &r, out);
	ps_pool_scan_result_free(&r);
	ps_cmd_pool_big_tables_free(&big);
	return PS_OK;
}
