/*
 * cmd_search.c - `s`: search memory for bytes, words, dwords, qwords, ASCII
 * or UTF-16 text.
 *
 *   s [-b|-w|-d|-q|-a|-u] Range Pattern
 *   s -[1]a Range Pattern        (the "1" flag prints addresses only)
 *
 * Each hit prints one line at the hit address in the display format WinDbg
 * uses for the type (kd logs): db for -b and -a, dW (words and characters)
 * for -u and -w, dc for -d, dq for -q. Word, dword and qword patterns match
 * at multiples of their size from the range start, as dbgeng's
 * SearchVirtual granularity does; bytes and text match anywhere.
 *
 * The scan reads the readable runs of the range in large chunks, skipping
 * holes with ps_vm_next_readable, and keeps the last pattern-length-minus-one
 * bytes of a run so that a match across a chunk or page boundary is found.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

#define SEARCH_CHUNK (1u << 20)
#define PATTERN_MAX 1024
/* ps_vm_next_readable gives up on hostile tables after a budget and says
 * where it stopped; a search resumes from there at most this many times. */
#define SEARCH_RESUMES 64

typedef struct search_spec {
	char type;          /* b w d q a u */
	unsigned elem;      /* value size */
	int addresses_only; /* the "1" flag */
	uint8_t pattern[PATTERN_MAX];
	size_t len;
} search_spec;

static const char *hit_format(char type)
{
	switch (type) {
	case 'w':
	case 'u':
		return "dW";
	case 'd':
		return "dc";
	case 'q':
		return "dq";
	default:
		return "db";
	}
}

/* "-a", "-[1]a", "-d"...; returns where the range starts. */
static const char *parse_type(ps_session *s, const char *cmd, const char *args, search_spec *sp,
			      FILE *out)
{
	const char *p = args;

	sp->type = 'b';
	if (*p != '-')
		return p;
	p++;
	if (*p == '[') {
		p++;
		while (*p && *p != ']') {
			if (*p == '1')
				sp->addresses_only = 1;
			p++;
		}
		if (*p != ']') {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return NULL;
		}
		p++;
	}
	if (!strchr("bwdqau", *p) || !*p || (p[1] && p[1] != ' ' && p[1] != '\t')) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
		return NULL;
	}
	sp->type = *p;
	return ps_cmd_skip_blanks(p + 1);
}

/* A quoted string (or a bare word) with C escapes, into UTF-8 bytes. */
static const char *parse_text(const char *p, char *dst, size_t cap, size_t *n)
{
	char quote = 0;

	*n = 0;
	if (*p == '"' || *p == '\'')
		quote = *p++;
	while (*p && (quote ? *p != quote : (*p != ' ' && *p != '\t'))) {
		char c = *p++;

		if (c == '\\' && *p) {
			c = *p++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == '0')
				c = 0;
		}
		if (*n < cap)
			dst[(*n)++] = c;
	}
	if (quote && *p == quote)
		p++;
	return p;
}

static ps_status parse_pattern(ps_session *s, const char *cmd, const char *args, const char *p,
			       search_spec *sp, FILE *out)
{
	sp->len = 0;
	if (!*p) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
		return PS_EARG;
	}
	if (sp->type == 'a' || sp->type == 'u') {
		char text[PATTERN_MAX];
		size_t n, i;

		p = parse_text(p, text, sizeof(text), &n);
		if (n == 0 || *ps_cmd_skip_blanks(p)) {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return PS_EARG;
		}
		for (i = 0; i < n; i++) {
			if (sp->type == 'a') {
				sp->pattern[sp->len++] = (uint8_t)text[i];
			} else if (sp->len + 2 <= PATTERN_MAX) {
				/* Plain UTF-16LE; characters beyond ASCII are taken
				 * byte for byte, as typed. */
				sp->pattern[sp->len++] = (uint8_t)text[i];
				sp->pattern[sp->len++] = 0;
			}
		}
		return PS_OK;
	}
	while (*p) {
		uint64_t v;
		const char *after;

		if (*p == '\'' || *p == '"') {
			/* 'H' 'e': characters as values of the element size. */
			char text[PATTERN_MAX];
			size_t n, i;

			p = parse_text(p, text, sizeof(text), &n);
			for (i = 0; i < n && sp->len + sp->elem <= PATTERN_MAX; i++) {
				memset(sp->pattern + sp->len, 0, sp->elem);
				sp->pattern[sp->len] = (uint8_t)text[i];
				sp->len += sp->elem;
			}
		} else {
			if (ps_cmd_eval(s, p, &after, &v, out) != PS_OK)
				return PS_EARG;
			if (after == p) {
				ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
				return PS_EARG;
			}
			if (sp->len + sp->elem > PATTERN_MAX) {
				ps_cmd_syntax_error(s, out, "Pattern too long error", cmd, args, p);
				return PS_EARG;
			}
			if (sp->elem == 1 && v > 0xff) {
				ps_cmd_syntax_error(s, out, "Overflow error", cmd, args, p);
				return PS_EARG;
			}
			{
				unsigned b;

				for (b = 0; b < sp->elem; b++)
					sp->pattern[sp->len + b] = (uint8_t)(v >> (8 * b));
			}
			sp->len += sp->elem;
			p = after;
		}
		p = ps_cmd_skip_blanks(p);
	}
	return sp->len ? PS_OK : PS_EARG;
}

static void report_hit(ps_session *s, const search_spec *sp, uint64_t va, FILE *out)
{
	char a[PS_ADDR_BUF];

	if (sp->addresses_only)
		fprintf(out, "%s\n", ps_cmd_fmt_addr(s, va, a));
	else
		ps_cmd_display_line(s, hit_format(sp->type), va, out);
}

/* memmem is a GNU extension; memchr on the first byte does the same job
 * portably and is as fast for the patterns people search for. */
static const uint8_t *find_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t len)
{
	const uint8_t *p = hay, *last;

	if (len == 0 || n < len)
		return NULL;
	last = hay + (n - len);
	while (p <= last) {
		p = memchr(p, needle[0], (size_t)(last - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, len) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Find every match in buf[0..n), whose first byte is at `base`, that starts
 * at an allowed offset from `start`. */
static void scan_buffer(ps_session *s, const search_spec *sp, const uint8_t *buf, size_t n,
			uint64_t base, uint64_t start, uint64_t end, FILE *out)
{
	size_t i = 0;

	while (i + sp->len <= n) {
		const uint8_t *hit = find_bytes(buf + i, n - i, sp->pattern, sp->len);
		uint64_t va;

		if (!hit)
			break;
		i = (size_t)(hit - buf);
		va = base + i;
		if (va >= end)
			break;
		if (sp->elem == 1 || (va - start) % sp->elem == 0)
			report_hit(s, sp, va, out);
		i++;
	}
}

ps_status ps_cmd_search(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	search_spec *sp;
	ps_cmd_range r;
	const char *p, *rest;
	uint64_t start, end, cursor;
	uint8_t *buf;
	size_t carry = 0;
	int resumes = 0;
	ps_status st;

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return PS_ENOMEM;
	p = parse_type(s, cmd, args, sp, out);
	if (!p) {
		free(sp);
		return PS_EARG;
	}
	sp->elem = sp->type == 'w' ? 2 : sp->type == 'd' ? 4 : sp->type == 'q' ? 8 : 1;
	st = ps_cmd_parse_range(s, cmd, p, sp->elem, &r, &rest, out);
	if (st == PS_OK && (!r.have_start || !r.have_count)) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, rest);
		st = PS_EARG;
	}
	if (st == PS_OK)
		st = parse_pattern(s, cmd, args, rest, sp, out);
	if (st != PS_OK) {
		free(sp);
		return st;
	}
	start = r.start;
	end = r.count > (UINT64_MAX - start) / sp->elem ? UINT64_MAX : start + r.count * sp->elem;
	buf = malloc(SEARCH_CHUNK + PATTERN_MAX);
	if (!buf || !s->vm) {
		free(buf);
		free(sp);
		return buf ? PS_OK : PS_ENOMEM;
	}

	cursor = start;
	while (cursor < end) {
		uint64_t next, want;
		size_t done = 0;

		st = ps_vm_next_readable(s->vm, cursor, end, &next, NULL);
		if (st == PS_EFORMAT && next > cursor && resumes++ < SEARCH_RESUMES) {
			cursor = next;
			carry = 0;
			continue;
		}
		if (st != PS_OK || next >= end)
			break;
		if (next != cursor)
			carry = 0;
		want = end - next < SEARCH_CHUNK ? end - next : SEARCH_CHUNK;
		ps_vm_read(s->vm, next, buf + carry, (size_t)want, &done, NULL);
		if (done == 0) {
			/* Said to be readable, yet not: step past this page. */
			uint64_t page_end = (next | (PS_PAGE_SIZE - 1)) + 1;

			carry = 0;
			if (page_end <= next)
				break;
			cursor = page_end;
			continue;
		}
		scan_buffer(s, sp, buf, carry + done, next - carry, start, end, out);
		{
			size_t total = carry + done;
			size_t keep = sp->len - 1 < total ? sp->len - 1 : total;

			memmove(buf, buf + total - keep, keep);
			carry = keep;
		}
		if (next + done < next)
			break;
		cursor = next + done;
	}
	free(buf);
	free(sp);
	return PS_OK;
}
