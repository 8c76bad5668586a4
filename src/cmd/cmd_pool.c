/*
 * cmd_pool.c - `!pool Address [Flags]`: the pool page holding an address,
 * block by block, as WinDbg's kdexts prints it; and the helpers !poolfind
 * shares.
 *
 *   Pool page 8ab94030 region is Nonpaged pool
 *    8ab94000 size:  2e8 previous size:    0  (Allocated)  Thre (Protected)
 *   *8ab942e8 size:  2e8 previous size:  2e8  (Allocated) *Thre (Protected)
 *   		Pooltag Thre : Thread objects, Binary : nt!ps
 *    8ab945d0 size:   30 previous size:  2e8  (Free)       Thre
 *
 * Columns, the star before the address and the tag of the block holding the
 * address, "(Free)" padded to the width of "(Allocated)", the two tabs of the
 * Pooltag line and its "Owning component : Unknown (update pooltag.txt)"
 * form follow kdexts' ListPoolPage and PrintPoolTagComponent (the published
 * 2003 sources) and public captures of WinDbg 6 and 10 (docs/pool.md). A
 * big allocation prints
 *   *ffff8287ad34f000 : large page allocation, tag is Proc, size is 0x1000 bytes
 * Flags: 1 adds each block's contents, 2 prints only the block holding the
 * address, 0x80000000 leaves out the region line and the Pooltag line. A
 * damaged page prints the blocks read before the damage, kdexts' "Bad ..."
 * line and its diagnosis box.
 */
#include "cmd/cmd_pool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"
#include "core/bytes.h"

#define PAGE UINT64_C(0x1000)

/* KDBG fields holding the addresses of the pool range globals (§2.3). */
#define KDBG_NONPAGED_START 0x110
#define KDBG_NONPAGED_END 0x118
#define KDBG_PAGED_START 0x120
#define KDBG_PAGED_END 0x128

#define FLAG_CONTENTS 0x1u
#define FLAG_ONLY_CONTAINING 0x2u
#define FLAG_QUIET 0x80000000u

const char *ps_cmd_pool_addr(const ps_session *s, uint64_t va, char *buf)
{
	if (ps_cmd_pointer_size(s) == 4)
		snprintf(buf, PS_ADDR_BUF, "%08" PRIx32, (uint32_t)va);
	else
		snprintf(buf, PS_ADDR_BUF, "%016" PRIx64, va);
	return buf;
}

const char *ps_cmd_pool_region_name(unsigned kind)
{
	switch (kind) {
	case PS_POOL_NONPAGED: return "Nonpaged pool";
	case PS_POOL_PAGED: return "Paged pool";
	case PS_POOL_SESSION_PAGED: return "Paged session pool";
	case PS_POOL_SESSION_NONPAGED: return "Nonpaged session pool";
	default: return "Unknown";
	}
}

unsigned ps_cmd_pool_big_kind(uint32_t pool_type)
{
	if (pool_type & 0x20)
		return (pool_type & 1) ? PS_POOL_SESSION_PAGED : PS_POOL_SESSION_NONPAGED;
	return (pool_type & 1) ? PS_POOL_PAGED : PS_POOL_NONPAGED;
}

const char *ps_cmd_pool_tag4(uint32_t tag, int strip, char *buf)
{
	if (strip)
		tag &= ~PS_POOL_PROTECTED;
	for (int i = 0; i < 4; i++) {
		uint8_t c = (uint8_t)(tag >> (8 * i));
		buf[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '.';
	}
	buf[4] = '\0';
	return buf;
}

void ps_cmd_pool_tag_line(ps_session *s, uint32_t tag, FILE *out)
{
	const ps_tagdb *db = ps_cmd_tags(s, out);
	const ps_tag_info *ti = db ? ps_tagdb_find(db, tag & ~PS_POOL_PROTECTED) : NULL;
	char t[5];

	if (!ti || !ti->description || !ti->description[0]) {
		fputs("\t\tOwning component : Unknown (update pooltag.txt)\n", out);
		return;
	}
	fprintf(out, "\t\tPooltag %s : %s", ps_cmd_pool_tag4(tag, 1, t), ti->description);
	if (ti->binary && ti->binary[0])
		fprintf(out, ", Binary : %s", ti->binary);
	fputc('\n', out);
}

void ps_cmd_pool_big_tables_read(ps_session *s, ps_cmd_big_tables *t)
{
	ps_pool_session *list = NULL;
	size_t n = 0;
	ps_error err;

	memset(t, 0, sizeof *t);
	if (!s->symbols || !s->vm || !s->kernel)
		return;
	ps_error_clear(&err);
	if (ps_big_table_read(s->symbols, s->vm, &t->global, &err) != PS_OK)
		t->global = NULL;
	ps_error_clear(&err);
	if (ps_pool_sessions(s->kernel, s->symbols, &list, &n, &err) == PS_OK && n > 0) {
		t->session = calloc(n, sizeof *t->session);
		t->session_id = calloc(n, sizeof *t->session_id);
		if (t->session && t->session_id) {
			t->session_count = n;
			for (size_t i = 0; i < n; i++) {
				t->session_id[i] = list[i].id;
				ps_error_clear(&err);
				if (ps_big_table_read_session(s->symbols, s->vm, list[i].session_space, list[i].id,
							      &t->session[i], &err) != PS_OK)
					t->session[i] = NULL;
			}
		}
	}
	free(list);
	t->all = calloc(1 + t->session_count, sizeof *t->all);
	if (t->all) {
		if (t->global)
			t->all[t->all_count++] = t->global;
		for (size_t i = 0; i < t->session_count; i++)
			if (t->session[i])
				t->all[t->all_count++] = t->session[i];
	}
}

void ps_cmd_pool_big_tables_free(ps_cmd_big_tables *t)
{
	ps_big_table_free(t->global);
	for (size_t i = 0; i < t->session_count; i++)
		ps_big_table_free(t->session[i]);
	free(t->session);
	free(t->session_id);
	free(t->all);
	memset(t, 0, sizeof *t);
}

const ps_big_page *ps_cmd_pool_big_find(const ps_cmd_big_tables *t, uint64_t va)
{
	const ps_big_page *bp;

	for (size_t i = 0; i < t->all_count; i++)
		if ((bp = ps_big_table_find(t->all[i], va)) != NULL)
			return bp;
	return NULL;
}

int ps_cmd_pool_modern(const ps_session *s)
{
	return ps_dump_get_info(s->dump)->minor_version >= 10240;
}

/* ---- !pool ------------------------------------------------------------------ */

/* A KDBG range global's value (the field holds the variable's address). */
static int kdbg_value(ps_session *s, unsigned off, uint64_t *v)
{
	uint64_t where;
	ps_error err;

	if (!s->kernel || ps_kernel_kdbg_field(s->kernel, off, &where) != PS_OK || !where)
		return 0;
	ps_error_clear(&err);
	return ps_vm_read_ptr(s->vm, where, v, &err) == PS_OK;
}

/* The region of a page without allocated blocks to go by: the KDBG ranges,
 * as kdexts' GetPoolRegion uses them. */
static unsigned kdbg_region(ps_session *s, uint64_t va)
{
	uint64_t a, b;

	if (kdbg_value(s, KDBG_NONPAGED_START, &a) && kdbg_value(s, KDBG_NONPAGED_END, &b) && a < b &&
	    va >= a && va < b)
		return PS_POOL_NONPAGED;
	if (kdbg_value(s, KDBG_PAGED_START, &a) && kdbg_value(s, KDBG_PAGED_END, &b) && a < b &&
	    va >= a && va < b)
		return PS_POOL_PAGED;
	return PS_POOL_UNKNOWN;
}

static void region_line(ps_session *s, uint64_t addr, unsigned kind, FILE *out)
{
	char a[PS_ADDR_BUF];

	fprintf(out, "Pool page %s region is %s\n", ps_cmd_pool_addr(s, addr, a),
		ps_cmd_pool_region_name(kind));
}

/* The quota-charged process of a block, when the header has one: x64
 * ProcessBilled (before Windows 8, which encodes it), x86 the last pointer
 * of the block (kdexts: QuotaProcessAtEndOfPoolBlock). */
static uint64_t billed_process(ps_session *s, const uint8_t *page, const ps_pool_block *b)
{
	uint64_t off = b->va & (PAGE - 1);
	unsigned ptr = ps_cmd_pointer_size(s);

	if (!(b->pool_type & 0x8) || !b->allocated)
		return 0;
	if (ptr == 8) {
		if (ps_dump_get_info(s->dump)->minor_version >= 9200 || off + 16 > PAGE)
			return 0;
		return ps_le64(page + off + 8);
	}
	if (b->size < 12 || off + b->size > PAGE)
		return 0;
	return ps_le32(page + off + b->size - 4);
}

static void block_line(ps_session *s, const uint8_t *page, const ps_pool_block *b, int star, FILE *out)
{
	char a[PS_ADDR_BUF], t[5];
	char c = star ? '*' : ' ';

	fprintf(out, "%c%s size: %4" PRIx32 " previous size: %4" PRIx32 " ", c, ps_cmd_pool_addr(s, b->va, a),
		b->size, b->previous_size);
	if (!b->allocated) {
		fprintf(out, " (Free)      %c%s\n", c, ps_cmd_pool_tag4(b->tag, 1, t));
		return;
	}
	fprintf(out, " (Allocated) %c%s%s", c, ps_cmd_pool_tag4(b->tag, 1, t),
		(b->tag & PS_POOL_PROTECTED) ? " (Protected)" : "");
	uint64_t proc = billed_process(s, page, b);
	if (proc)
		fprintf(out, " Process: %s", ps_cmd_pool_addr(s, proc, a));
	fputc('\n', out);
}

/* Flag 1: the block's bytes after its header, four dwords a line. */
static void block_contents(ps_session *s, const uint8_t *page, const ps_pool_block *b, unsigned hs,
			   FILE *out)
{
	uint64_t off = (b->va & (PAGE - 1)) + hs;
	uint32_t n = b->size > hs ? (b->size - hs) / 4 : 0;
	char a[PS_ADDR_BUF];

	if (n == 0 || off + (uint64_t)n * 4 > PAGE) {
		fputc('\n', out);
		return;
	}
	for (uint32_t m = 0; m < n; m++) {
		if (m % 4 == 0) {
			if (m)
				fputc('\n', out);
			fprintf(out, "    %s ", ps_cmd_pool_addr(s, b->va + hs + (uint64_t)m * 4, a));
		}
		fprintf(out, " %08" PRIx32, ps_le32(page + off + (uint64_t)m * 4));
	}
	fputs("\n\n", out);
}

/* kdexts' complaint about the header the walk stopped at, then its box. */
static void damage_report(ps_session *s, const uint8_t *page, const ps_pool_page *pg, FILE *out)
{
	char a[PS_ADDR_BUF], p[PS_ADDR_BUF];
	uint64_t off = pg->problem_va & (PAGE - 1);
	unsigned unit = pg->header_size;
	uint32_t last = pg->count ? pg->blocks[pg->count - 1].size : 0;
	ps_pool_block b;

	memset(&b, 0, sizeof b);
	if (off + pg->header_size <= PAGE)
		ps_pool_decode_header(page + off, pg->problem_va, pg->header_size, &b);
	ps_cmd_pool_addr(s, pg->problem_va, a);
	if (b.size >= PAGE || (b.size && b.size > PAGE - off))
		fprintf(out, "Bad allocation size @%s, too large\n", a);
	else if (b.size == 0 && off + pg->header_size <= PAGE)
		fprintf(out, "Bad allocation size @%s, zero is invalid\n", a);
	else if (b.previous_size != last)
		fprintf(out, "Bad previous allocation size @%s, last size was %" PRIx32 "\n", a, last / unit);
	fputs("\n***\n*** An error (or corruption) in the pool was detected;\n"
	      "*** Attempting to diagnose the problem.\n***\n", out);
	fprintf(out, "*** %s at %s\n***\n\n", pg->problem, a);
	fprintf(out, "Pool page [ %s ] is __inVALID.\n", ps_cmd_pool_addr(s, pg->va, p));
}

static ps_status big_form(ps_session *s, uint64_t addr, const ps_big_page *bp, unsigned flags, FILE *out)
{
	char a[PS_ADDR_BUF], t[5];

	if (!(flags & FLAG_QUIET))
		region_line(s, addr, ps_cmd_pool_big_kind(bp->pool_type), out);
	fprintf(out, "*%s : large page allocation, tag is %s, size is 0x%" PRIx64 " bytes\n",
		ps_cmd_pool_addr(s, bp->va, a), ps_cmd_pool_tag4(bp->tag, 0, t), bp->bytes);
	if (!(flags & FLAG_QUIET))
		ps_cmd_pool_tag_line(s, bp->tag, out);
	return PS_OK;
}

ps_status ps_cmd_pool(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	uint64_t addr = 0, flags64 = 0, page_va;
	unsigned flags, hs;
	const char *rest;
	ps_cmd_big_tables big;
	const ps_big_page *bp;
	ps_error err;
	uint8_t *page;
	ps_pool_page *pg;
	char a[PS_ADDR_BUF];
	ps_status st = PS_OK;
	unsigned kind;

	args = ps_cmd_skip_blanks(args);
	if (!*args) {
		fputs("Usage: !pool Address [Flags]\n", out);
		return PS_EARG;
	}
	if (ps_cmd_eval(s, args, &rest, &addr, out) != PS_OK)
		return PS_EARG;
	rest = ps_cmd_skip_blanks(rest);
	if (*rest && ps_cmd_eval(s, rest, &rest, &flags64, out) != PS_OK)
		return PS_EARG;
	flags = (unsigned)flags64;
	if (!s->vm || ps_vm_paging(s->vm) == PS_PAGING_NONE) {
		fprintf(out, "%s is a triage dump: it holds no pool pages\n", s->path);
		return PS_EUNSUPPORTED;
	}
	addr = ps_vm_canonical(s->vm, addr);
	page_va = addr & ~(PAGE - 1);
	hs = ps_cmd_pointer_size(s) == 8 ? 16 : 8;

	/* A big allocation has no header to walk: the table says what it is
	 * (the kernel's, or a session's for session pool). */
	ps_cmd_pool_big_tables_read(s, &big);
	bp = ps_cmd_pool_big_find(&big, addr);
	if (bp) {
		st = big_form(s, addr, bp, flags, out);
		ps_cmd_pool_big_tables_free(&big);
		return st;
	}

	page = malloc(PAGE);
	pg = malloc(sizeof *pg);
	if (!page || !pg) {
		free(page);
		free(pg);
		ps_cmd_pool_big_tables_free(&big);
		fputs("!pool: out of memory\n", out);
		return PS_ENOMEM;
	}
	ps_error_clear(&err);
	if (ps_vm_read(s->vm, page_va, page, PAGE, NULL, &err) != PS_OK) {
		if (!(flags & FLAG_QUIET))
			region_line(s, addr, kdbg_region(s, addr), out);
		ps_cmd_pool_addr(s, page_va, a);
		if (big.global) {
			fprintf(out, "%s is not a valid small pool allocation, checking large pool...\n", a);
			fprintf(out, "%s is freed (or corrupt) pool\n", a);
		} else {
			fputs("unable to get pool big page table - either wrong symbols or pool tagging is "
			      "disabled\n", out);
			fprintf(out, "%s: Unable to get contents of pool block\n", a);
		}
		st = PS_ENOTPRESENT;
		goto done;
	}
	ps_pool_walk_page(page, page_va, hs, pg);
	kind = PS_POOL_UNKNOWN;
	for (size_t i = 0; i < pg->count && kind == PS_POOL_UNKNOWN; i++)
		if (pg->blocks[i].allocated)
			kind = ps_pool_kind(pg->blocks[i].pool_type, ps_dump_get_info(s->dump)->minor_version);
	if (kind == PS_POOL_UNKNOWN)
		kind = kdbg_region(s, addr);
	if (!(flags & FLAG_QUIET))
		region_line(s, addr, kind, out);
	for (size_t i = 0; i < pg->count; i++) {
		const ps_pool_block *b = &pg->blocks[i];
		int star = addr >= b->va && addr - b->va < b->size;

		if ((flags & FLAG_ONLY_CONTAINING) && !star)
			continue;
		block_line(s, page, b, star, out);
		if (star && !(flags & FLAG_QUIET))
			ps_cmd_pool_tag_line(s, b->tag, out);
		if (flags & FLAG_CONTENTS)
			block_contents(s, page, b, hs, out);
	}
	if (!pg->complete) {
		ps_cmd_pool_addr(s, page_va, a);
		if (pg->count == 0 && big.global) {
			/* The first header is bad: kdexts looks in the big-page
			 * table (done above) and gives up. */
			fprintf(out, "%s is not a valid small pool allocation, checking large pool...\n", a);
			fprintf(out, "%s is freed (or corrupt) pool\n", a);
		} else {
			if (pg->count == 0)
				fputs("unable to get pool big page table - either wrong symbols or pool tagging "
				      "is disabled\n", out);
			damage_report(s, page, pg, out);
		}
		st = PS_EFORMAT;
	}
done:
	free(page);
	free(pg);
	ps_cmd_pool_big_tables_free(&big);
	return st;
}
