/*
 * findtag_report.c - the text `!findtag` and `poolscope findtag` print.
 *
 * WinDbg has no such command, so the format is ours (docs/findtag.md):
 *
 *   Tag MSKK (0x4B4B534D) in 9 images: 1 confirmed allocation site, 1 unconfirmed hit
 *     SIoctl.sys  SIoctl+0x4323  ExAllocatePoolWithTag(PagedPool, 0x1000, 'MSKK')  in a loop
 *   Unconfirmed (tag bytes not used as an allocator argument):
 *     ntoskrnl.exe  nt!KdpBreakpointTable+0x200  data in .data
 *
 * One line per site or hit: image, address (the instruction holding the
 * tag; for unconfirmed hits the tag bytes), then what was found. The
 * parenthesised triple is always (pool, size, tag) whatever the routine's
 * real argument order; "?" marks a value that is not a constant. Columns
 * are aligned over the whole report.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/findtag.h"
#include "poolscope/pooltag.h"

static const char *location(const ps_findtag_report_image *im, uint32_t rva, char *buf, size_t n)
{
	if (im->name && im->name(im->name_ctx, rva, buf, n))
		return buf;
	snprintf(buf, n, "+0x%x", rva);
	return buf;
}

static void describe_site(const ps_findtag_report_image *im, const ps_findtag_site *s, uint32_t tag,
			  char *buf, size_t n)
{
	char pool[160], size[32], tagtext[8], via[320], name[300];

	if (s->pool_varies)
		snprintf(pool, sizeof pool, "varies");
	else if (!s->have_pool)
		snprintf(pool, sizeof pool, "?");
	else if (s->pool_is_flags)
		ps_findtag_pool_flags_text(s->pool, pool, sizeof pool);
	else
		ps_findtag_pool_type_text(s->pool, pool, sizeof pool);
	if (s->size_varies)
		snprintf(size, sizeof size, "varies");
	else if (s->have_size)
		snprintf(size, sizeof size, "0x%" PRIx64, s->size);
	else
		snprintf(size, sizeof size, "?");
	ps_tag_text(tag, tagtext);
	via[0] = 0;
	if (s->wrapper_rva)
		snprintf(via, sizeof via, "  via %s", location(im, s->wrapper_rva, name, sizeof name));
	snprintf(buf, n, "%s(%s, %s, '%s')%s%s%s", s->allocator, pool, size, tagtext,
		 s->in_loop ? "  in a loop" : "", via, s->protected_tag ? "  (protected)" : "");
}

static void describe_hit(const ps_findtag_hit *h, char *buf, size_t n)
{
	switch (h->reason) {
	case PS_FINDTAG_DATA:
		snprintf(buf, n, "data in %s", h->section[0] ? h->section : "no section");
		break;
	case PS_FINDTAG_NOT_OPERAND:
		snprintf(buf, n, "code in %s, not an instruction's immediate", h->section);
		break;
	case PS_FINDTAG_OTHER_CALL:
		snprintf(buf, n, "code: passed to %s, not an allocator", h->other_call);
		break;
	case PS_FINDTAG_UNANALYSED:
		snprintf(buf, n, "code: not analysed (the image's instruction budget ran out)");
		break;
	default:
		snprintf(buf, n, "code: reaches no allocator's Tag argument");
		break;
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void ps_findtag_report(FILE *out, uint32_t tag, const ps_findtag_report_image *images,
		       size_t count, const char *source)
{
	size_t sites = 0, hits = 0, partial = 0, failed = 0;
	int wimg = 0, wloc = 0;
	char tagtext[8], loc[300], what[600];

	ps_tag_text(tag, tagtext);
	for (size_t i = 0; i < count; i++) {
		const ps_findtag_report_image *im = &images[i];
		const ps_findtag_result *r = im->result;
		int len = (int)strlen(im->image_name);

		if (!r) {
			failed++;
			continue;
		}
		if (r->pages_missing)
			partial++;
		if (r->site_count || r->hit_count) {
			if (len > wimg)
				wimg = len;
		}
		sites += r->site_count;
		hits += r->hit_count;
		for (size_t k = 0; k < r->site_count; k++) {
			const ps_findtag_site *s = &r->sites[k];
			int l = (int)strlen(location(im, s->tag_rva ? s->tag_rva : s->call_rva, loc, sizeof loc));
			if (l > wloc)
				wloc = l;
		}
		for (size_t k = 0; k < r->hit_count; k++) {
			int l = (int)strlen(location(im, r->hits[k].rva, loc, sizeof loc));
			if (l > wloc)
				wloc = l;
		}
	}

	fprintf(out, "Tag %s (0x%08X) in %zu %s: ", tagtext, tag, count, plural(count, "image", "images"));
	if (sites)
		fprintf(out, "%zu confirmed allocation %s", sites, plural(sites, "site", "sites"));
	else
		fprintf(out, "no confirmed allocation site");
	if (hits)
		fprintf(out, ", %zu unconfirmed %s\n", hits, plural(hits, "hit", "hits"));
	else
		fprintf(out, ", no unconfirmed hit\n");

	for (size_t i = 0; i < count; i++) {
		const ps_findtag_report_image *im = &images[i];
		const ps_findtag_result *r = im->result;

		for (size_t k = 0; r && k < r->site_count; k++) {
			const ps_findtag_site *s = &r->sites[k];
			location(im, s->tag_rva ? s->tag_rva : s->call_rva, loc, sizeof loc);
			describe_site(im, s, tag, what, sizeof what);
			fprintf(out, "  %-*s  %-*s  %s\n", wimg, im->image_name, wloc, loc, what);
		}
	}
	if (hits) {
		fprintf(out, "Unconfirmed (tag bytes not used as an allocator argument):\n");
		for (size_t i = 0; i < count; i++) {
			const ps_findtag_report_image *im = &images[i];
			const ps_findtag_result *r = im->result;

			for (size_t k = 0; r && k < r->hit_count; k++) {
				location(im, r->hits[k].rva, loc, sizeof loc);
				describe_hit(&r->hits[k], what, sizeof what);
				fprintf(out, "  %-*s  %-*s  %s\n", wimg, im->image_name, wloc, loc, what);
			}
		}
	}
	for (size_t i = 0; i < count; i++) {
		const ps_findtag_result *r = images[i].result;
		if (r && r->truncated)
			fprintf(out, "%s: more than %u hits, the rest not examined\n", images[i].image_name,
				PS_FINDTAG_MAX_HITS);
	}
	if (partial) {
		int w = 0;
		fprintf(out, "Searched in part (pages missing from %s):\n", source ? source : "the image");
		for (size_t i = 0; i < count; i++) {
			const ps_findtag_result *r = images[i].result;
			int len = (int)strlen(images[i].image_name);
			if (r && r->pages_missing && len > w)
				w = len;
		}
		for (size_t i = 0; i < count; i++) {
			const ps_findtag_result *r = images[i].result;
			if (r && r->pages_missing)
				fprintf(out, "  %-*s  %u of %u pages missing\n", w, images[i].image_name,
					r->pages_missing, r->pages_total);
		}
	}
	if (failed) {
		fprintf(out, "Not searched:\n");
		for (size_t i = 0; i < count; i++)
			if (!images[i].result)
				fprintf(out, "  %s  %s\n", images[i].image_name,
					images[i].error ? images[i].error : "could not be read");
	}
}
