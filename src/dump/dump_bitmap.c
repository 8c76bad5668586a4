/*
 * dump_bitmap.c - the page map of bitmap dumps (DumpType 5 and 6).
 *
 * After the main header comes an 'SDMP' (kernel) or 'FDMP' (complete)
 * header with a bitmap of physical pages (formats.md §1.5):
 *   +0x20 FirstPage  file offset of the first stored page
 *   +0x28 TotalPresentPages   set bits
 *   +0x30 Pages      bits in the bitmap
 *   +0x38 bitmap     bit p (LSB first) set = page p is stored
 * Stored pages follow FirstPage in ascending PFN order, so
 *   offset(p) = FirstPage + 0x1000 * (set bits below p).
 * Counting those bits on every lookup would be linear, so open builds a rank
 * index without touching any page data: a 64-bit count per 4096-bit
 * superblock plus a 16-bit count per 512-bit block inside it. A lookup then
 * adds two table entries and popcounts at most eight words.
 */
#include "dump/dump_internal.h"

#include <stdlib.h>

#include "core/bytes.h"

#define BMP_SDMP 0x504D4453u /* 'SDMP' */
#define BMP_FDMP 0x504D4446u /* 'FDMP' */
#define BMP_DUMP 0x504D5544u /* 'DUMP' */
#define BMP_HEADER_SIZE 0x38u

#define SUPER_BITS 4096u
#define SUB_BITS 512u

static unsigned popcount64(uint64_t v)
{
	/* Portable SWAR popcount; compilers turn it into popcnt when allowed. */
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* The i-th 64-bit word of the bitmap, zero-padded past the last bit. */
static uint64_t bitmap_word(const ps_dump *d, uint64_t i)
{
	uint64_t first_bit = i * 64;
	uint64_t bytes = (d->bitmap_bits + 7) / 8;
	uint64_t off = i * 8;
	uint64_t w = 0;

	if (off + 8 <= bytes) {
		w = ps_le64(d->bitmap + off);
	} else {
		for (uint64_t b = off; b < bytes; b++)
			w |= (uint64_t)d->bitmap[b] << (8 * (b - off));
	}
	if (d->bitmap_bits - first_bit < 64)
		w &= (1ull << (d->bitmap_bits - first_bit)) - 1;
	return w;
}

int dump_bitmap_present(const ps_dump *d)
{
	uint64_t h = d->info.header_size;
	uint32_t sig;

	if (!ps_in_bounds(h, BMP_HEADER_SIZE, d->size))
		return 0;
	sig = ps_le32(d->data + h);
	return (sig == BMP_SDMP || sig == BMP_FDMP) && ps_le32(d->data + h + 4) == BMP_DUMP;
}

static ps_status build_rank(ps_dump *d, ps_error *err, uint64_t *total)
{
	uint64_t words = (d->bitmap_bits + 63) / 64;
	uint64_t supers = (d->bitmap_bits + SUPER_BITS - 1) / SUPER_BITS;
	uint64_t subs = (d->bitmap_bits + SUB_BITS - 1) / SUB_BITS;
	uint64_t count = 0, in_super = 0;

	/* Bounded by the file: the bitmap was clamped to the bytes present,
	 * and the index costs 3 bytes per 64 bytes of bitmap. */
	d->rank_super = calloc(supers ? supers : 1, sizeof *d->rank_super);
	d->rank_sub = calloc(subs ? subs : 1, sizeof *d->rank_sub);
	if (!d->rank_super || !d->rank_sub)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for the rank index of a %llu-bit bitmap",
				    d->name, (unsigned long long)d->bitmap_bits);
	for (uint64_t w = 0; w < words; w++) {
		if (w % (SUPER_BITS / 64) == 0) {
			d->rank_super[w / (SUPER_BITS / 64)] = count;
			in_super = 0;
		}
		if (w % (SUB_BITS / 64) == 0)
			d->rank_sub[w / (SUB_BITS / 64)] = (uint16_t)in_super;
		unsigned c = popcount64(bitmap_word(d, w));
		count += c;
		in_super += c;
	}
	*total = count;
	return PS_OK;
}

ps_status dump_bitmap_init(ps_dump *d, ps_error *err)
{
	uint64_t h = d->info.header_size;
	const uint8_t *b;
	uint64_t first_page, present, pages, bytes, avail, total = 0, file_pages;
	uint32_t sig;
	ps_status st;

	if (!ps_in_bounds(h, BMP_HEADER_SIZE, d->size)) {
		dump_warn(d, "bitmap dump (DumpType %u) is cut short before its bitmap header at 0x%llx: "
			  "no physical pages", d->info.dump_type, (unsigned long long)h);
		return PS_OK;
	}
	b = d->data + h;
	sig = ps_le32(b);
	if ((sig != BMP_SDMP && sig != BMP_FDMP) || ps_le32(b + 4) != BMP_DUMP) {
		dump_warn(d, "no 'SDMP'/'FDMP' bitmap header at 0x%llx (found %08x %08x): no physical pages",
			  (unsigned long long)h, sig, ps_le32(b + 4));
		return PS_OK;
	}
	d->info.bitmap_signature = sig;
	first_page = ps_le64(b + 0x20);
	present = ps_le64(b + 0x28);
	pages = ps_le64(b + 0x30);

	/* A bitmap longer than the file keeps only the bytes present. */
	avail = d->size - (h + BMP_HEADER_SIZE);
	bytes = pages / 8 + (pages % 8 != 0);
	if (bytes > avail) {
		dump_warn(d, "bitmap of %llu bits at 0x%llx runs past the end of the file; using the %llu bits present",
			  (unsigned long long)pages, (unsigned long long)(h + BMP_HEADER_SIZE),
			  (unsigned long long)(avail * 8));
		pages = avail * 8;
		bytes = avail;
	}
	d->bitmap = b + BMP_HEADER_SIZE;
	d->bitmap_bits = pages;
	d->first_page = first_page;

	st = build_rank(d, err, &total);
	if (st != PS_OK)
		return st;
	if (total != present)
		dump_warn(d, "bitmap header says %llu pages are present but %llu bits are set",
			  (unsigned long long)present, (unsigned long long)total);

	if (first_page < h + BMP_HEADER_SIZE + bytes)
		dump_warn(d, "FirstPage 0x%llx lies inside the bitmap header or bitmap (which end at 0x%llx)",
			  (unsigned long long)first_page, (unsigned long long)(h + BMP_HEADER_SIZE + bytes));
	file_pages = first_page <= d->size ? (d->size - first_page) / PS_PAGE_SIZE : 0;
	d->stored_pages = total;
	if (total > file_pages) {
		dump_warn(d, "bitmap marks %llu pages present but the file holds only %llu after FirstPage 0x%llx; "
			  "the last %llu are missing",
			  (unsigned long long)total, (unsigned long long)file_pages,
			  (unsigned long long)first_page, (unsigned long long)(total - file_pages));
		d->stored_pages = file_pages;
	}
	d->info.present_pages = d->stored_pages;
	d->page_limit = d->bitmap_bits;
	d->map_kind = DUMP_MAP_BITMAP;
	return PS_OK;
}

const uint8_t *dump_bitmap_page(const ps_dump *d, uint64_t pfn, uint64_t *offset)
{
	uint64_t word, bit, rank, off;

	if (pfn >= d->bitmap_bits)
		return NULL;
	word = pfn / 64;
	bit = pfn % 64;
	if (!((d->bitmap[word * 8 + bit / 8] >> (bit % 8)) & 1))
		return NULL;
	rank = d->rank_super[pfn / SUPER_BITS] + d->rank_sub[pfn / SUB_BITS];
	for (uint64_t w = (pfn / SUB_BITS) * (SUB_BITS / 64); w < word; w++)
		rank += popcount64(bitmap_word(d, w));
	rank += popcount64(bitmap_word(d, word) & ((1ull << bit) - 1));
	if (rank >= d->stored_pages)
		return NULL;
	off = d->first_page + rank * PS_PAGE_SIZE;
	if (offset)
		*offset = off;
	return d->data + off;
}
