/*
 * findtag.c - search one image for a pool tag and sort the hits into
 * allocation sites and the rest.
 *
 * For each occurrence of the tag's four bytes (as stored: 'MSKK' is
 * 4D 53 4B 4B, the bytes of both the ASCII text and the immediate of
 * `push 4B4B534Dh`; also with the protected bit in the last byte):
 *   - in a section that is not code: data, unconfirmed;
 *   - in code: the instructions that hold the bytes as an immediate are
 *     found by decoding at each of the 14 bytes before the hit (an
 *     immediate is the last field of an encoding); for each, values are
 *     followed (findtag_flow.c) from the start of the function holding it,
 *     taken from the caller's symbols, .pdata, the direct call targets and
 *     exports a linear sweep finds, the code after a ret or jmp, and at
 *     last the instruction itself. The first walk that carries the
 *     immediate into an allocator's Tag argument confirms the hit.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "pool/findtag_internal.h"

#define FT_MAX_CANDIDATES 4
#define FT_START_WINDOW 0x10000u

ps_status ps_findtag_parse_tag(const char *text, uint32_t *tag, ps_error *err)
{
	char buf[16];
	size_t n;

	if (!text)
		return ps_error_set(err, PS_EARG, "no tag given");
	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n'))
		n--;
	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		uint64_t v = 0;
		if (n == 2)
			return ps_error_set(err, PS_EARG, "'0x' needs hex digits after it");
		for (size_t i = 2; i < n; i++) {
			int c = (unsigned char)text[i];
			if (!isxdigit(c) || i > 9)
				return ps_error_set(err, PS_EARG, "'%.*s' is not a 32-bit hex tag", (int)n, text);
			v = v * 16 + (uint64_t)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		}
		if (v == 0)
			return ps_error_set(err, PS_EARG, "tag 0 names no pool tag");
		*tag = (uint32_t)v;
		return PS_OK;
	}
	if (n >= 2 && (text[0] == '\'' || text[0] == '"') && text[n - 1] == text[0]) {
		text++;
		n -= 2;
	}
	if (n == 0 || n > 4)
		return ps_error_set(err, PS_EARG, "a tag has one to four characters, not '%.*s'", (int)n, text);
	/* Short tags are padded with blanks, as pooltag.txt and the pool
	 * headers hold them. */
	memset(buf, ' ', 4);
	memcpy(buf, text, n);
	*tag = ps_le32(buf);
	return PS_OK;
}

/* ---- hits ------------------------------------------------------------------------------ */

static const ps_pe_section *section_of(const ft_image *img, uint32_t rva)
{
	for (unsigned i = 0; i < img->pe.number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &img->pe.sections[i];
		uint64_t extent = s->virtual_size ? s->virtual_size : s->raw_size;
		if (rva >= s->virtual_address && rva - s->virtual_address < extent)
			return s;
	}
	return NULL;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Every rva where the tag's bytes are, sorted, at most PS_FINDTAG_MAX_HITS. */
static ps_status find_hits(const ft_image *img, uint32_t tag, uint32_t **out, size_t *count,
			   int *truncated)
{
	uint8_t t[4];
	uint32_t *hits = malloc(PS_FINDTAG_MAX_HITS * sizeof *hits);
	size_t n = 0, u = 0;
	int protect = !(tag & 0x80000000u);

	*out = NULL;
	*count = 0;
	if (!hits)
		return PS_ENOMEM;
	ps_put_le32(t, tag);
	for (unsigned i = 0; i < img->pe.number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &img->pe.sections[i];
		uint64_t start = s->virtual_address;
		uint64_t end = start + (s->virtual_size ? s->virtual_size : s->raw_size);

		if (end > img->size)
			end = img->size;
		for (uint64_t at = start; at + 4 <= end;) {
			const uint8_t *p = memchr(img->map + at, t[0], (size_t)(end - 3 - at));
			size_t avail;
			uint32_t rva;

			if (!p)
				break;
			rva = (uint32_t)(p - img->map);
			at = (uint64_t)rva + 1;
			if (p[1] != t[1] || p[2] != t[2] || (p[3] != t[3] && !(protect && p[3] == (t[3] | 0x80))))
				continue;
			if (!ft_bytes(img, rva, 4, &avail) || avail < 4)
				continue;
			if (n == PS_FINDTAG_MAX_HITS) {
				*truncated = 1;
				break;
			}
			hits[n++] = rva;
		}
	}
	/* Sections that overlap find the same bytes twice. */
	qsort(hits, n, sizeof *hits, u32_cmp);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || hits[u - 1] != hits[i])
			hits[u++] = hits[i];
	*out = hits;
	*count = u;
	return PS_OK;
}

/* Instructions whose 32-bit (or 64-bit) immediate starts at `hit`. */
static size_t candidates(const ft_image *img, uint32_t hit, uint32_t *out)
{
	size_t n = 0;

	for (uint32_t back = 1; back < ZYDIS_MAX_INSTRUCTION_LENGTH && back <= hit; back++) {
		ZydisDecodedInstruction insn;
		uint32_t at = hit - back;

		if (!ft_is_code(img, at) || !ft_decode(img, at, &insn, NULL))
			continue;
		for (int k = 0; k < 2; k++) {
			if (insn.raw.imm[k].size >= 32 && insn.raw.imm[k].offset == back &&
			    !insn.raw.imm[k].is_relative && n < FT_MAX_CANDIDATES) {
				out[n++] = at;
				break;
			}
		}
	}
	return n;
}

/* ---- deciding a hit --------------------------------------------------------------------- */

static int site_uses(const ft_flow_out *f, uint32_t insn_rva)
{
	for (size_t i = 0; i < f->site_count; i++)
		if (f->sites[i].tag_rva == insn_rva)
			return 1;
	return 0;
}

/* Walk from the likely starts of the function holding `c` until one
 * carries its immediate to an allocator. */
static ps_status follow(ft_image *img, uint32_t c, uint32_t tag, ft_flow_out *f)
{
	uint32_t starts[8], lo = 0, hi = 0, s, w = 0, next;
	size_t n = 0;
	ps_findtag_function fn;
	const ps_pe_runtime_function *rf;

	if (img->src->function_at && img->src->function_at(img->src->function_ctx, c, &fn) &&
	    fn.rva <= c) {
		starts[n++] = fn.rva;
		lo = fn.rva;
		hi = fn.size ? fn.rva + fn.size : 0;
	}
	rf = ft_pdata_at(img, c);
	if (rf) {
		starts[n++] = rf->begin_rva;
		if (!hi) {
			lo = rf->begin_rva;
			hi = rf->end_rva;
		}
	}
	ft_sweep(img);
	if (ft_strong_start(img, c, &s, &next) && c - s <= FT_START_WINDOW) {
		starts[n++] = s;
		if (!hi) {
			lo = s;
			hi = next > c ? next : 0;
		}
	}
	/* The code after a ret or jmp may be a block inside the function
	 * (a loop head after a jump into its condition), so the two before
	 * it are tried too. */
	for (int k = 0; k < 3; k++) {
		uint32_t from = k ? w - 1 : c;
		if ((k && w == 0) || !ft_weak_start(img, from, &w) || c - w > FT_START_WINDOW)
			break;
		starts[n++] = w;
	}
	starts[n++] = c;

	for (size_t i = 0; i < n; i++) {
		ps_status st;
		int dup = 0;

		for (size_t j = 0; j < i; j++)
			dup |= starts[j] == starts[i];
		if (dup)
			continue;
		if (img->budget <= 0)
			return PS_OK;
		st = ft_flow_run(img, starts[i], c, tag, lo, hi, f);
		if (st != PS_OK)
			return st;
		if (site_uses(f, c))
			return PS_OK;
	}
	return PS_OK;
}

static ps_status add_hit(ps_findtag_result *r, const ps_findtag_hit *h)
{
	ps_findtag_hit *n = realloc(r->hits, (r->hit_count + 1) * sizeof *n);

	if (!n)
		return PS_ENOMEM;
	r->hits = n;
	r->hits[r->hit_count++] = *h;
	return PS_OK;
}

static int site_cmp(const void *a, const void *b)
{
	const ps_findtag_site *x = a, *y = b;

	if (x->tag_rva != y->tag_rva)
		return x->tag_rva < y->tag_rva ? -1 : 1;
	if (x->call_rva != y->call_rva)
		return x->call_rva < y->call_rva ? -1 : 1;
	return x->inner_call_rva < y->inner_call_rva ? -1 : x->inner_call_rva > y->inner_call_rva;
}

ps_status ps_findtag_scan(const ps_findtag_image *src, uint32_t tag, ps_findtag_result *out,
			  ps_error *err)
{
	ft_image img;
	ft_flow_out flow;
	uint32_t *hits = NULL;
	size_t count = 0;
	ps_status st;

	memset(out, 0, sizeof *out);
	memset(&flow, 0, sizeof flow);
	st = ft_image_load(&img, src, out, err);
	if (st != PS_OK) {
		ft_image_free(&img);
		return st;
	}
	out->machine = img.pe.machine;
	out->base = img.base;
	st = find_hits(&img, tag, &hits, &count, &out->truncated);
	if (st != PS_OK)
		goto nomem;
	out->hits_total = count;

	for (size_t i = 0; i < count; i++) {
		const ps_pe_section *sec = section_of(&img, hits[i]);
		ps_findtag_hit h;
		uint32_t cand[FT_MAX_CANDIDATES];
		size_t nc = 0;
		int confirmed = 0;

		memset(&h, 0, sizeof h);
		h.rva = hits[i];
		if (sec)
			memcpy(h.section, sec->name, sizeof h.section);
		if (!ft_is_code(&img, hits[i])) {
			h.reason = PS_FINDTAG_DATA;
		} else if ((nc = candidates(&img, hits[i], cand)) == 0) {
			h.reason = PS_FINDTAG_NOT_OPERAND;
		} else {
			h.insn_rva = cand[0];
			flow.other_call[0] = 0;
			/* A walk for an earlier hit may have confirmed this one. */
			for (size_t k = 0; k < nc && !confirmed; k++)
				confirmed = site_uses(&flow, cand[k]);
			for (size_t k = 0; k < nc && !confirmed && img.budget > 0; k++) {
				st = follow(&img, cand[k], tag, &flow);
				if (st != PS_OK)
					goto nomem;
				confirmed = site_uses(&flow, cand[k]);
			}
			if (img.budget <= 0 && !confirmed)
				h.reason = PS_FINDTAG_UNANALYSED;
			else if (flow.other_call[0])
				h.reason = PS_FINDTAG_OTHER_CALL;
			else
				h.reason = PS_FINDTAG_NOT_ARGUMENT;
			memcpy(h.other_call, flow.other_call, sizeof h.other_call);
		}
		/* A tag read from a global names the data itself. */
		if (!confirmed)
			confirmed = site_uses(&flow, hits[i]);
		if (!confirmed) {
			st = add_hit(out, &h);
			if (st != PS_OK)
				goto nomem;
		}
	}

	/* Each site names the hit its tag came from. */
	for (size_t i = 0; i < flow.site_count; i++) {
		ps_findtag_site *s = &flow.sites[i];
		for (size_t k = 0; k < count; k++) {
			if (hits[k] == s->tag_rva || (hits[k] > s->tag_rva && hits[k] - s->tag_rva < 15)) {
				s->hit_rva = hits[k];
				break;
			}
		}
	}
	if (flow.site_count)
		qsort(flow.sites, flow.site_count, sizeof *flow.sites, site_cmp);
	out->sites = flow.sites;
	out->site_count = flow.site_count;
	free(hits);
	ft_image_free(&img);
	return PS_OK;

nomem:
	free(hits);
	free(flow.sites);
	ft_image_free(&img);
	return ps_error_set(err, PS_ENOMEM, "%s: out of memory while searching for the tag", src->name);
}

void ps_findtag_result_free(ps_findtag_result *r)
{
	if (!r)
		return;
	free(r->sites);
	free(r->hits);
	memset(r, 0, sizeof *r);
}
