/*
 * test_pool_page.c - the small-pool page walker on hand-built x86 and x64
 * pages, and on damaged ones.
 */
#include "check.h"
#include "core/bytes.h"
#include "poolscope/pool.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Write a header the way formats.md §3.1 lays it out, independently of the
 * reader's decoder. */
static void put_header(uint8_t *p, unsigned hs, uint32_t prev, uint32_t size, uint8_t type, uint32_t tag)
{
	if (hs == 8) {
		ps_put_le16(p, (uint16_t)(prev / 8));
		ps_put_le16(p + 2, (uint16_t)((size / 8) | (uint32_t)type << 9));
	} else {
		p[0] = (uint8_t)(prev / 16);
		p[1] = 0;
		p[2] = (uint8_t)(size / 16);
		p[3] = type;
	}
	ps_put_le32(p + 4, tag);
}

/* A page of blocks with the given sizes (the last one runs to the end). */
static void build(uint8_t *page, unsigned hs, const uint32_t *sizes, size_t n)
{
	uint32_t off = 0, prev = 0;

	memset(page, 0xCC, 0x1000);
	for (size_t i = 0; i < n; i++) {
		uint32_t size = i + 1 == n ? 0x1000 - off : sizes[i];
		uint8_t type = i + 1 == n ? 0 : (uint8_t)(i % 2 ? 3 : 2);
		put_header(page + off, hs, prev, size, type, i == 0 ? TAG('T', 'h', 'r', 0xE5) : TAG('A', 'b', 'c', 'd'));
		prev = size;
		off += size;
	}
}

static void test_good(unsigned hs)
{
	uint8_t page[0x1000];
	uint32_t sizes[] = { 0x2e0, 0x60, 0x2e0, 0 };
	ps_pool_page pg;
	const ps_pool_block *b;

	if (hs == 16)
		sizes[0] = sizes[2] = 0x4a0;
	build(page, hs, sizes, 4);
	ps_pool_walk_page(page, 0x8ab94000u, hs, &pg);
	CHECK(pg.complete);
	CHECK_EQ_U64(pg.count, 4);
	CHECK_EQ_U64(pg.blocks[0].va, 0x8ab94000u);
	CHECK_EQ_U64(pg.blocks[0].size, sizes[0]);
	CHECK_EQ_U64(pg.blocks[0].previous_size, 0);
	CHECK_EQ_U64(pg.blocks[0].tag, TAG('T', 'h', 'r', 0xE5));
	CHECK(pg.blocks[0].tag & PS_POOL_PROTECTED);
	CHECK(pg.blocks[0].allocated);
	CHECK_EQ_U64(pg.blocks[1].previous_size, sizes[0]);
	CHECK_EQ_U64(pg.blocks[1].pool_type, 3);
	CHECK(!pg.blocks[3].allocated);
	CHECK_EQ_U64(pg.blocks[3].va + pg.blocks[3].size, 0x8ab95000u);
	b = ps_pool_page_block_at(&pg, 0x8ab94030u);
	CHECK(b == &pg.blocks[0]);
	b = ps_pool_page_block_at(&pg, 0x8ab94000u + sizes[0]);
	CHECK(b == &pg.blocks[1]);
	CHECK(ps_pool_page_block_at(&pg, 0x8ab95000u) == NULL);
}

static void test_damaged(unsigned hs)
{
	uint8_t page[0x1000];
	uint32_t sizes[] = { 0x100, 0x200, 0 };
	ps_pool_page pg;

	/* BlockSize 0 in the second header. */
	build(page, hs, sizes, 3);
	put_header(page + 0x100, hs, 0x100, 0, 2, 0);
	ps_pool_walk_page(page, 0x1000, hs, &pg);
	CHECK(!pg.complete && pg.count == 1 && strstr(pg.problem, "BlockSize 0"));
	CHECK_EQ_U64(pg.problem_va, 0x1100);

	/* A block running past the page end. */
	build(page, hs, sizes, 3);
	put_header(page + 0x100, hs, 0x100, hs == 8 ? 0xFF8 : 0xFF0, 2, 0);
	ps_pool_walk_page(page, 0x1000, hs, &pg);
	CHECK(!pg.complete && pg.count == 1 && strstr(pg.problem, "runs past the page end"));

	/* PreviousSize not matching. */
	build(page, hs, sizes, 3);
	put_header(page + 0x100, hs, 0x80, 0x200, 2, 0);
	ps_pool_walk_page(page, 0x1000, hs, &pg);
	CHECK(!pg.complete && pg.count == 1 && strstr(pg.problem, "does not match"));

	/* A first block whose PreviousSize is not 0. */
	build(page, hs, sizes, 3);
	put_header(page, hs, 0x40, 0x100, 2, 0);
	ps_pool_walk_page(page, 0x1000, hs, &pg);
	CHECK(!pg.complete && pg.count == 0);

	/* Smallest blocks everywhere: bounded by the page. */
	uint32_t prev = 0;
	for (uint32_t off = 0; off < 0x1000; off += hs) {
		put_header(page + off, hs, prev, hs, 2, 0);
		prev = hs;
	}
	ps_pool_walk_page(page, 0x1000, hs, &pg);
	CHECK(pg.complete && pg.count == 0x1000 / hs);

	/* A bad header size is reported, not walked. */
	ps_pool_walk_page(page, 0x1000, 12, &pg);
	CHECK(!pg.complete && pg.count == 0 && pg.problem[0]);
}

int main(void)
{
	test_good(8);
	test_good(16);
	test_damaged(8);
	test_damaged(16);
	return CHECK_DONE();
}
