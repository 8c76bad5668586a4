/*
 * findtag_image.c - an image as the tag finder sees it: its bytes in the
 * mapped layout (pages that could not be read are marked missing), its IAT
 * slots and exports by RVA, its .pdata, and the function starts a linear
 * sweep of its code finds.
 *
 * The image is copied once into a buffer of SizeOfImage bytes (bounded by
 * the module size in a dump and a hard cap), section by section and page
 * by page, so that a page missing from a dump costs one failed read and
 * everything after works on plain memory.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "pool/findtag_internal.h"

#define FT_MAX_IMAGE (256u << 20)   /* larger than any driver or kernel */
#define FT_PAGE_TRIED 1
#define FT_PAGE_FAILED 2
#define FT_SCN_CNT_CODE 0x00000020u
#define FT_SCN_MEM_EXECUTE 0x20000000u

/* ---- bytes --------------------------------------------------------------------- */

static int page_ok(const ft_image *img, uint32_t page)
{
	return img->present[page] == FT_PAGE_TRIED;
}

const uint8_t *ft_bytes(const ft_image *img, uint32_t rva, size_t want, size_t *avail)
{
	size_t n = 0;

	*avail = 0;
	if (rva >= img->size || !page_ok(img, rva / FT_PAGE))
		return NULL;
	n = FT_PAGE - rva % FT_PAGE;
	while (n < want && rva + n < img->size && page_ok(img, (uint32_t)((rva + n) / FT_PAGE)))
		n += FT_PAGE;
	if (n > want)
		n = want;
	if (n > img->size - rva)
		n = img->size - rva;
	*avail = n;
	return img->map + rva;
}

static uint64_t section_extent(const ps_pe_section *s)
{
	return s->virtual_size ? s->virtual_size : s->raw_size;
}

int ft_is_code(const ft_image *img, uint32_t rva)
{
	for (unsigned i = 0; i < img->pe.number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &img->pe.sections[i];
		if (rva >= s->virtual_address && rva - s->virtual_address < section_extent(s))
			return (s->characteristics & (FT_SCN_CNT_CODE | FT_SCN_MEM_EXECUTE)) != 0;
	}
	return 0;
}

int ft_decode(const ft_image *img, uint32_t rva, ZydisDecodedInstruction *insn,
	      ZydisDecodedOperand *ops)
{
	size_t avail;
	const uint8_t *p = ft_bytes(img, rva, ZYDIS_MAX_INSTRUCTION_LENGTH, &avail);

	if (!p)
		return 0;
	if (ops)
		return ZYAN_SUCCESS(ZydisDecoderDecodeFull(&img->decoder, p, avail, insn, ops));
	return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&img->decoder, NULL, p, avail, insn));
}

/* ---- names ------------------------------------------------------------------------ */

const char *ft_import_at_slot(const ft_image *img, uint32_t rva)
{
	size_t lo = 0, hi = img->slot_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->slots[mid].rva == rva)
			return img->slots[mid].name;
		if (img->slots[mid].rva < rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *ft_export_at(const ft_image *img, uint32_t rva)
{
	size_t lo = 0, hi = img->export_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->exports[mid].rva == rva)
			return img->exports[mid].name;
		if (img->exports[mid].rva < rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The IAT slot a `jmp [slot]` / `jmp [rip+x]` at rva goes through, or 0. */
static uint32_t thunk_slot(const ft_image *img, uint32_t rva)
{
	ZydisDecodedInstruction insn;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	const ZydisDecodedOperandMem *m;
	ZyanU64 va;

	if (!ft_decode(img, rva, &insn, ops) || insn.mnemonic != ZYDIS_MNEMONIC_JMP ||
	    ops[0].type != ZYDIS_OPERAND_TYPE_MEMORY)
		return 0;
	m = &ops[0].mem;
	if (m->index != ZYDIS_REGISTER_NONE)
		return 0;
	if (m->base == ZYDIS_REGISTER_RIP) {
		if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(&insn, &ops[0], img->base + rva, &va)))
			return 0;
	} else if (m->base == ZYDIS_REGISTER_NONE) {
		va = (uint64_t)m->disp.value & (img->bits == 32 ? 0xffffffffu : UINT64_MAX);
	} else {
		return 0;
	}
	if (va < img->base || va - img->base >= img->size)
		return 0;
	return (uint32_t)(va - img->base);
}

const char *ft_direct_callee(const ft_image *img, uint32_t target)
{
	const char *name = ft_export_at(img, target);
	uint32_t slot;

	if (name)
		return name;
	slot = thunk_slot(img, target);
	return slot ? ft_import_at_slot(img, slot) : NULL;
}

#define FT_POPS_SCAN 4096

int ft_callee_pops(ft_image *img, uint32_t rva)
{
	ZydisDecodedInstruction insn;
	uint32_t at = rva;
	int pops = -1;
	size_t slot;

	if (img->bits != 32)
		return 0;
	for (size_t i = 0; i < img->pop_cache_count; i++)
		if (img->pop_cache[i].rva == rva)
			return img->pop_cache[i].pops;
	for (int n = 0; n < FT_POPS_SCAN && img->budget > 0; n++) {
		if (!ft_is_code(img, at) || !ft_decode(img, at, &insn, NULL))
			break;
		img->budget--;
		if (insn.meta.category == ZYDIS_CATEGORY_RET) {
			pops = insn.raw.imm[0].size ? (int)(insn.raw.imm[0].value.u & 0xffff) : 0;
			break;
		}
		at += insn.length;
	}
	slot = img->pop_cache_count < 64 ? img->pop_cache_count++ : rva % 64;
	img->pop_cache[slot].rva = rva;
	img->pop_cache[slot].pops = (int16_t)pops;
	return pops;
}

/* ---- loading ---------------------------------------------------------------------- */

static int slot_cmp(const void *a, const void *b)
{
	const ft_slot *x = a, *y = b;
	return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int export_cmp(const void *a, const void *b)
{
	const ft_export *x = a, *y = b;
	return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static void read_names(ft_image *img)
{
	const ps_findtag_image *src = img->src;

	/* Partial tables are fine: a slot or export that could not be read
	 * only leaves a call unresolved. */
	ps_pe_read_imports(src->read, src->read_ctx, &img->pe, &img->imports, &img->import_count, NULL);
	if (img->import_count) {
		img->slots = malloc(img->import_count * sizeof *img->slots);
		if (img->slots) {
			for (size_t i = 0; i < img->import_count; i++) {
				if (!img->imports[i].name[0])
					continue;
				img->slots[img->slot_count].rva = img->imports[i].iat_rva;
				img->slots[img->slot_count].name = img->imports[i].name;
				img->slot_count++;
			}
			qsort(img->slots, img->slot_count, sizeof *img->slots, slot_cmp);
		}
	}
	ps_pe_read_exports(src->read, src->read_ctx, &img->pe, &img->export_list, &img->export_count, NULL);
	if (img->export_count) {
		size_t n = img->export_count;
		img->export_count = 0;
		img->exports = malloc(n * sizeof *img->exports);
		if (img->exports) {
			for (size_t i = 0; i < n; i++) {
				if (!img->export_list[i].name[0] || !img->export_list[i].rva)
					continue;
				img->exports[img->export_count].rva = img->export_list[i].rva;
				img->exports[img->export_count].name = img->export_list[i].name;
				img->export_count++;
			}
			qsort(img->exports, img->export_count, sizeof *img->exports, export_cmp);
		}
	}
	if (img->bits == 64)
		ps_pe_read_pdata(src->read, src->read_ctx, &img->pe, &img->pdata, &img->pdata_count, NULL);
}

ps_status ft_image_load(ft_image *img, const ps_findtag_image *src, ps_findtag_result *res,
			ps_error *err)
{
	uint64_t size;
	uint32_t pages;
	ps_status st;

	memset(img, 0, sizeof *img);
	img->src = src;
	st = ps_pe_parse_headers(src->read, src->read_ctx, &img->pe, err);
	if (st != PS_OK)
		return st;
	if (img->pe.machine == 0x14c)
		img->bits = 32;
	else if (img->pe.machine == 0x8664)
		img->bits = 64;
	else
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: machine 0x%x is neither x86 nor x64",
				    src->name, img->pe.machine);
	size = img->pe.size_of_image;
	if (src->size_limit && size > src->size_limit)
		size = src->size_limit;
	if (size > FT_MAX_IMAGE)
		size = FT_MAX_IMAGE;
	if (size == 0)
		return ps_error_set(err, PS_EFORMAT, "%s: SizeOfImage is 0", src->name);
	img->size = (uint32_t)size;
	img->base = src->base ? src->base : img->pe.image_base;
	if (img->bits == 32)
		img->base &= 0xffffffffu;
	pages = (uint32_t)((size + FT_PAGE - 1) / FT_PAGE);
	img->map = calloc(size, 1);
	img->present = calloc(pages, 1);
	if (!img->map || !img->present)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for a %u-byte image", src->name,
				    img->size);
	ZydisDecoderInit(&img->decoder,
			 img->bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
			 img->bits == 64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32);

	/* Each section's pages, each page once; a page two sections share is
	 * read in two parts. */
	for (unsigned i = 0; i < img->pe.number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &img->pe.sections[i];
		uint64_t start = s->virtual_address, end = start + section_extent(s);

		if (end > size)
			end = size;
		for (uint64_t at = start; at < end;) {
			uint32_t page = (uint32_t)(at / FT_PAGE);
			uint64_t stop = ((uint64_t)page + 1) * FT_PAGE;

			if (stop > end)
				stop = end;
			if (!(img->present[page] & FT_PAGE_TRIED))
				res->pages_total++;
			img->present[page] |= FT_PAGE_TRIED;
			if (src->read(src->read_ctx, (uint32_t)at, img->map + at, (size_t)(stop - at)) != PS_OK)
				img->present[page] |= FT_PAGE_FAILED;
			at = stop;
		}
	}
	for (uint32_t p = 0; p < pages; p++)
		if (img->present[p] & FT_PAGE_FAILED)
			res->pages_missing++;
	read_names(img);
	img->budget = 3000000;
	return PS_OK;
}

void ft_image_free(ft_image *img)
{
	free(img->map);
	free(img->present);
	free(img->imports);
	free(img->slots);
	free(img->export_list);
	free(img->exports);
	free(img->pdata);
	free(img->strong_starts);
	free(img->weak_starts);
	memset(img, 0, sizeof *img);
}

/* ---- function starts ------------------------------------------------------------------ */

typedef struct ft_list {
	uint32_t *v;
	size_t n, cap;
} ft_list;

static void list_add(ft_list *l, uint32_t rva)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		uint32_t *n = realloc(l->v, cap * sizeof *n);
		if (!n)
			return;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->n++] = rva;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t out = 0;

	if (!v || !n)
		return 0;
	qsort(v, n, sizeof *v, u32_cmp);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	return out;
}

/* Alignment filler between functions: nop forms, int 3, and gcc's
 * `lea esi,[esi+0]`. */
static int is_padding(const ft_image *img, uint32_t rva, const ZydisDecodedInstruction *insn)
{
	ZydisDecodedInstruction full;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

	if (insn->meta.category == ZYDIS_CATEGORY_NOP || insn->mnemonic == ZYDIS_MNEMONIC_INT3)
		return 1;
	if (insn->mnemonic != ZYDIS_MNEMONIC_LEA || !ft_decode(img, rva, &full, ops))
		return 0;
	return ops[1].mem.base == ops[0].reg.value && ops[1].mem.index == ZYDIS_REGISTER_NONE &&
	       ops[1].mem.disp.value == 0;
}

void ft_sweep(ft_image *img)
{
	ft_list strong = {0}, weak = {0};

	if (img->sweep_done)
		return;
	img->sweep_done = 1;
	for (unsigned i = 0; i < img->pe.number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &img->pe.sections[i];
		uint64_t end = (uint64_t)s->virtual_address + section_extent(s);
		uint32_t rva = s->virtual_address;
		int boundary = 1;

		if (!(s->characteristics & (FT_SCN_CNT_CODE | FT_SCN_MEM_EXECUTE)))
			continue;
		if (end > img->size)
			end = img->size;
		while (rva < end && img->budget > 0) {
			ZydisDecodedInstruction insn;

			img->budget--;
			if (!ft_decode(img, rva, &insn, NULL)) {
				rva++;
				boundary = 1;
				continue;
			}
			if (boundary) {
				if (is_padding(img, rva, &insn)) {
					rva += insn.length;
					continue;
				}
				list_add(&weak, rva);
				boundary = 0;
			}
			if (insn.meta.category == ZYDIS_CATEGORY_CALL && insn.raw.imm[0].is_relative) {
				uint64_t t = (uint64_t)rva + insn.length + (uint64_t)insn.raw.imm[0].value.s;
				if (img->bits == 32)
					t &= 0xffffffffu;
				if (t < img->size && ft_is_code(img, (uint32_t)t))
					list_add(&strong, (uint32_t)t);
			}
			if (insn.meta.category == ZYDIS_CATEGORY_RET ||
			    insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
			    insn.mnemonic == ZYDIS_MNEMONIC_INT3)
				boundary = 1;
			rva += insn.length;
		}
	}
	if (img->pe.entry_point && ft_is_code(img, img->pe.entry_point))
		list_add(&strong, img->pe.entry_point);
	for (size_t i = 0; i < img->export_count; i++)
		if (ft_is_code(img, img->exports[i].rva))
			list_add(&strong, img->exports[i].rva);
	for (size_t i = 0; i < img->pdata_count; i++)
		list_add(&strong, img->pdata[i].begin_rva);
	img->strong_starts = strong.v;
	img->strong_count = sort_unique(strong.v, strong.n);
	img->weak_starts = weak.v;
	img->weak_count = sort_unique(weak.v, weak.n);
}

/* Index of the last entry <= rva in a sorted list, or -1. */
static long last_at_or_before(const uint32_t *v, size_t n, uint32_t rva)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

int ft_strong_start(const ft_image *img, uint32_t rva, uint32_t *start, uint32_t *next)
{
	long i = last_at_or_before(img->strong_starts, img->strong_count, rva);

	if (i < 0)
		return 0;
	*start = img->strong_starts[i];
	*next = (size_t)(i + 1) < img->strong_count ? img->strong_starts[i + 1] : 0;
	return 1;
}

int ft_weak_start(const ft_image *img, uint32_t rva, uint32_t *start)
{
	long i = last_at_or_before(img->weak_starts, img->weak_count, rva);

	if (i < 0)
		return 0;
	*start = img->weak_starts[i];
	return 1;
}

const ps_pe_runtime_function *ft_pdata_at(const ft_image *img, uint32_t rva)
{
	size_t lo = 0, hi = img->pdata_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const ps_pe_runtime_function *f = &img->pdata[mid];
		if (rva < f->begin_rva)
			hi = mid;
		else if (rva >= f->end_rva)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}
