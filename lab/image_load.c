/*
 * image_load.c - the lab's PE loader: read one of its Windows images, map
 * it the way the kernel would, relocate it to the scenario's base, list its
 * exports and imports, and bind the imports.
 *
 * Written from the PE/COFF specification (Microsoft, "PE Format"), not
 * from the reader's src/sym: the lab and the reader must not share layout
 * code, or one wrong offset would pass both. The layouts used here:
 *   DOS header: e_magic "MZ" @0, e_lfanew u32 @0x3C
 *   NT headers: "PE\0\0", then the COFF header (20 bytes): Machine u16 @0,
 *     NumberOfSections u16 @2, TimeDateStamp u32 @4, SizeOfOptionalHeader
 *     u16 @16, Characteristics u16 @18 (0x0001 IMAGE_FILE_RELOCS_STRIPPED)
 *   optional header: Magic u16 @0 (0x10B PE32, 0x20B PE32+),
 *     AddressOfEntryPoint @16, ImageBase @28 (u32) / @24 (u64),
 *     SectionAlignment @32, FileAlignment @36, SizeOfImage @56,
 *     SizeOfHeaders @60, CheckSum @64, NumberOfRvaAndSizes @92 / @108,
 *     data directories (RVA, size) from @96 / @112
 *   section header (40 bytes): VirtualSize @8, VirtualAddress @12,
 *     SizeOfRawData @16, PointerToRawData @20
 *   base relocation block: PageRVA u32, BlockSize u32 (header included),
 *     then u16 entries: type in the top 4 bits, page offset in the low 12
 *   export directory: NumberOfFunctions @20, NumberOfNames @24,
 *     AddressOfFunctions @28, AddressOfNames @32, AddressOfNameOrdinals @36;
 *     a function RVA inside the export directory is a forwarder string
 *   import descriptor (20 bytes): OriginalFirstThunk @0, Name @12,
 *     FirstThunk @16; thunks are pointer-sized, high bit = by ordinal,
 *     otherwise the RVA of a u16 hint and the name
 *   debug directory entry (28 bytes): Type u32 @12 (2 = CodeView),
 *     SizeOfData @16, AddressOfRawData @20; CodeView "RSDS" @0, GUID @4
 *     (Data1 u32, Data2 u16, Data3 u16 little-endian, Data4 8 bytes),
 *     age u32 @20, then the PDB path @24
 *
 * Every RVA and count is checked against the mapped size before use, every
 * walk is bounded: a hostile file gives an error, never a crash.
 */
#include "lab_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define LAB_PE_MAX_FILE (64u << 20)     /* the lab's images are a few KB */
#define LAB_PE_MAX_IMAGE (256u << 20)
#define LAB_PE_MAX_EXPORTS 65536u
#define LAB_PE_MAX_IMPORTS 65536u
#define LAB_PE_MAX_DLLS 1024u
#define LAB_PE_MAX_SYMBOLS 200000u

#define DIR_EXPORT 0
#define DIR_IMPORT 1
#define DIR_BASERELOC 5
#define DIR_DEBUG 6

typedef struct pe_file {
	const char *path;
	const uint8_t *data;
	size_t size;
	int pe32plus;
	uint64_t image_base;    /* preferred, from the header */
	uint32_t size_of_headers;
	uint16_t characteristics;
	uint32_t ndirs;
	uint32_t dir_rva[16];
	uint32_t dir_size[16];
	size_t sections;        /* file offset of the section table */
	uint16_t nsections;
	size_t opt;             /* file offset of the optional header */
} pe_file;

/* ---- small helpers --------------------------------------------------------- */

static ps_status read_file(const char *path, uint8_t **out, size_t *size, ps_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL)
		return ps_error_set(err, PS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return ps_error_set(err, PS_EIO, "%s: cannot size the file", path);
	}
	if ((unsigned long)len > LAB_PE_MAX_FILE) {
		fclose(f);
		return ps_error_set(err, PS_EFORMAT, "%s: %ld bytes is too large for a lab image", path, len);
	}
	buf = malloc(len ? (size_t)len : 1);
	if (buf == NULL) {
		fclose(f);
		return ps_error_set(err, PS_ENOMEM, "%s: cannot allocate %ld bytes", path, len);
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return ps_error_set(err, PS_EIO, "%s: short read", path);
	}
	fclose(f);
	*out = buf;
	*size = (size_t)len;
	return PS_OK;
}

/* A NUL-terminated string at `rva` in the mapped image, copied into dst;
 * fails when it runs off the image or does not fit. */
static int mapped_string(const lab_image *img, uint32_t rva, char *dst, size_t dstsize)
{
	size_t n = 0;

	if (rva >= img->size_of_image)
		return -1;
	while (rva + n < img->size_of_image && img->mapped[rva + n] != 0) {
		if (n + 1 >= dstsize)
			return -1;
		dst[n] = (char)img->mapped[rva + n];
		n++;
	}
	if (rva + n >= img->size_of_image)
		return -1;
	dst[n] = '\0';
	return 0;
}

static uint64_t read_ptr(const lab_image *img, uint32_t rva)
{
	return img->machine == 0x8664 ? ps_le64(img->mapped + rva) : ps_le32(img->mapped + rva);
}

static unsigned ptr_size(const lab_image *img)
{
	return img->machine == 0x8664 ? 8 : 4;
}

/* ---- headers --------------------------------------------------------------- */

static ps_status parse_headers(pe_file *pe, lab_image *img, ps_error *err)
{
	const uint8_t *d = pe->data;
	uint32_t e_lfanew, coff;
	uint16_t optsize, magic;

	if (!ps_in_bounds(0, 0x40, pe->size) || d[0] != 'M' || d[1] != 'Z')
		return ps_error_set(err, PS_EFORMAT, "%s: no MZ header", pe->path);
	e_lfanew = ps_le32(d + 0x3C);
	if (!ps_in_bounds(e_lfanew, 24, pe->size) || memcmp(d + e_lfanew, "PE\0\0", 4) != 0)
		return ps_error_set(err, PS_EFORMAT, "%s: no PE signature at offset 0x%x", pe->path, e_lfanew);
	coff = e_lfanew + 4;
	img->machine = ps_le16(d + coff);
	pe->nsections = ps_le16(d + coff + 2);
	img->timestamp = ps_le32(d + coff + 4);
	optsize = ps_le16(d + coff + 16);
	pe->characteristics = ps_le16(d + coff + 18);
	pe->opt = coff + 20;
	if (!ps_in_bounds(pe->opt, optsize, pe->size) || optsize < 2)
		return ps_error_set(err, PS_EFORMAT, "%s: optional header (%u bytes at 0x%zx) runs past the file",
				    pe->path, optsize, pe->opt);
	magic = ps_le16(d + pe->opt);
	if (magic == 0x10B && img->machine == 0x14C && optsize >= 96) {
		pe->pe32plus = 0;
		pe->image_base = ps_le32(d + pe->opt + 28);
		pe->ndirs = ps_le32(d + pe->opt + 92);
	} else if (magic == 0x20B && img->machine == 0x8664 && optsize >= 112) {
		pe->pe32plus = 1;
		pe->image_base = ps_le64(d + pe->opt + 24);
		pe->ndirs = ps_le32(d + pe->opt + 108);
	} else {
		return ps_error_set(err, PS_EUNSUPPORTED,
				    "%s: machine 0x%x with optional header magic 0x%x is not an i386 PE32 or AMD64 PE32+ image",
				    pe->path, img->machine, magic);
	}
	img->entry_rva = ps_le32(d + pe->opt + 16);
	img->size_of_image = ps_le32(d + pe->opt + 56);
	pe->size_of_headers = ps_le32(d + pe->opt + 60);
	img->checksum = ps_le32(d + pe->opt + 64);
	if (img->size_of_image == 0 || img->size_of_image > LAB_PE_MAX_IMAGE)
		return ps_error_set(err, PS_EFORMAT, "%s: SizeOfImage 0x%x is not a plausible image size",
				    pe->path, img->size_of_image);
	if (pe->size_of_headers > img->size_of_image)
		return ps_error_set(err, PS_EFORMAT, "%s: SizeOfHeaders 0x%x exceeds SizeOfImage 0x%x",
				    pe->path, pe->size_of_headers, img->size_of_image);
	if (pe->ndirs > 16)
		pe->ndirs = 16;
	{
		size_t dirs = pe->opt + (pe->pe32plus ? 112 : 96);
		if (dirs + 8 * (size_t)pe->ndirs > pe->opt + optsize)
			return ps_error_set(err, PS_EFORMAT, "%s: %u data directories do not fit the optional header",
					    pe->path, pe->ndirs);
		for (uint32_t i = 0; i < pe->ndirs; i++) {
			pe->dir_rva[i] = ps_le32(d + dirs + 8 * i);
			pe->dir_size[i] = ps_le32(d + dirs + 8 * i + 4);
		}
	}
	pe->sections = pe->opt + optsize;
	if (!ps_in_bounds(pe->sections, 40 * (uint64_t)pe->nsections, pe->size))
		return ps_error_set(err, PS_EFORMAT, "%s: section table (%u sections at 0x%zx) runs past the file",
				    pe->path, pe->nsections, pe->sections);
	return PS_OK;
}

static ps_status map_sections(pe_file *pe, lab_image *img, ps_error *err)
{
	size_t headers = pe->size_of_headers < pe->size ? pe->size_of_headers : pe->size;

	img->mapped = calloc(1, img->size_of_image);
	if (img->mapped == NULL)
		return ps_error_set(err, PS_ENOMEM, "%s: cannot allocate 0x%x bytes for the image",
				    pe->path, img->size_of_image);
	memcpy(img->mapped, pe->data, headers);
	for (uint16_t i = 0; i < pe->nsections; i++) {
		const uint8_t *s = pe->data + pe->sections + 40 * (size_t)i;
		uint32_t vsize = ps_le32(s + 8), va = ps_le32(s + 12);
		uint32_t rawsize = ps_le32(s + 16), raw = ps_le32(s + 20);
		uint32_t span = vsize ? vsize : rawsize;
		uint32_t copy = rawsize < span ? rawsize : span;

		if (!ps_in_bounds(va, span, img->size_of_image))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: section %u (RVA 0x%x, size 0x%x) lies outside SizeOfImage 0x%x",
					    pe->path, i, va, span, img->size_of_image);
		if (copy == 0)
			continue;
		if (!ps_in_bounds(raw, copy, pe->size))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: section %u raw data (0x%x bytes at file offset 0x%x) runs past the file (%zu bytes)",
					    pe->path, i, copy, raw, pe->size);
		memcpy(img->mapped + va, pe->data + raw, copy);
	}
	return PS_OK;
}

/* ---- base relocations ------------------------------------------------------ */

static ps_status relocate(pe_file *pe, lab_image *img, ps_error *err)
{
	uint64_t delta = img->base - pe->image_base;
	uint32_t rva, end;

	/* No relocation directory: an image with nothing to fix up (all
	 * RIP-relative code) loads anywhere, unless the linker stripped them. */
	if (pe->ndirs <= DIR_BASERELOC || pe->dir_size[DIR_BASERELOC] == 0) {
		if (delta != 0 && (pe->characteristics & 0x0001))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: relocations stripped, cannot load at 0x%llx instead of 0x%llx",
					    pe->path, (unsigned long long)img->base, (unsigned long long)pe->image_base);
		goto done;
	}
	rva = pe->dir_rva[DIR_BASERELOC];
	if (!ps_in_bounds(rva, pe->dir_size[DIR_BASERELOC], img->size_of_image))
		return ps_error_set(err, PS_EFORMAT, "%s: relocation directory (RVA 0x%x, 0x%x bytes) outside the image",
				    pe->path, rva, pe->dir_size[DIR_BASERELOC]);
	end = rva + pe->dir_size[DIR_BASERELOC];
	/* Each block is at least 8 bytes and the walk only moves forward, so it
	 * ends within dir_size / 8 steps. */
	while (end - rva >= 8) {
		uint32_t page = ps_le32(img->mapped + rva);
		uint32_t block = ps_le32(img->mapped + rva + 4);

		if (block < 8 || block > end - rva || (block & 1))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: relocation block at RVA 0x%x has size %u (must be 8..%u and even)",
					    pe->path, rva, block, end - rva);
		for (uint32_t i = 8; i + 2 <= block; i += 2) {
			uint16_t entry = ps_le16(img->mapped + rva + i);
			unsigned type = entry >> 12;
			uint64_t target = (uint64_t)page + (entry & 0xFFF);

			if (type == 0)          /* IMAGE_REL_BASED_ABSOLUTE: padding */
				continue;
			if (type == 3) {        /* IMAGE_REL_BASED_HIGHLOW */
				if (!ps_in_bounds(target, 4, img->size_of_image))
					goto outside;
				ps_put_le32(img->mapped + target, (uint32_t)(ps_le32(img->mapped + target) + delta));
			} else if (type == 10) { /* IMAGE_REL_BASED_DIR64 */
				if (!ps_in_bounds(target, 8, img->size_of_image))
					goto outside;
				ps_put_le64(img->mapped + target, ps_le64(img->mapped + target) + delta);
			} else {
				return ps_error_set(err, PS_EUNSUPPORTED,
						    "%s: relocation type %u at RVA 0x%llx (block at RVA 0x%x) is not handled",
						    pe->path, type, (unsigned long long)target, rva);
			}
			continue;
outside:
			return ps_error_set(err, PS_EFORMAT, "%s: relocation at RVA 0x%llx (block at RVA 0x%x) is outside the image",
					    pe->path, (unsigned long long)target, rva);
		}
		rva += block;
	}
done:
	/* The loader records where the image really is in its mapped header. */
	if (pe->pe32plus)
		ps_put_le64(img->mapped + pe->opt + 24, img->base);
	else
		ps_put_le32(img->mapped + pe->opt + 28, (uint32_t)img->base);
	return PS_OK;
}

/* ---- exports --------------------------------------------------------------- */

static ps_status parse_exports(pe_file *pe, lab_image *img, ps_error *err)
{
	uint32_t dir, dsize, nfuncs, nnames, funcs, names, ords;
	size_t count = 0;

	if (pe->ndirs <= DIR_EXPORT || pe->dir_size[DIR_EXPORT] == 0)
		return PS_OK;
	dir = pe->dir_rva[DIR_EXPORT];
	dsize = pe->dir_size[DIR_EXPORT];
	if (!ps_in_bounds(dir, 40, img->size_of_image))
		return ps_error_set(err, PS_EFORMAT, "%s: export directory at RVA 0x%x outside the image", pe->path, dir);
	nfuncs = ps_le32(img->mapped + dir + 20);
	nnames = ps_le32(img->mapped + dir + 24);
	funcs = ps_le32(img->mapped + dir + 28);
	names = ps_le32(img->mapped + dir + 32);
	ords = ps_le32(img->mapped + dir + 36);
	if (nfuncs > LAB_PE_MAX_EXPORTS || nnames > nfuncs)
		return ps_error_set(err, PS_EFORMAT, "%s: export directory claims %u functions and %u names",
				    pe->path, nfuncs, nnames);
	if (!ps_in_bounds(funcs, 4 * (uint64_t)nfuncs, img->size_of_image) ||
	    !ps_in_bounds(names, 4 * (uint64_t)nnames, img->size_of_image) ||
	    !ps_in_bounds(ords, 2 * (uint64_t)nnames, img->size_of_image))
		return ps_error_set(err, PS_EFORMAT, "%s: export tables (functions 0x%x, names 0x%x, ordinals 0x%x) outside the image",
				    pe->path, funcs, names, ords);
	if (nnames == 0)
		return PS_OK;
	img->exports = calloc(nnames, sizeof *img->exports);
	if (img->exports == NULL)
		return ps_error_set(err, PS_ENOMEM, "%s: cannot allocate %u exports", pe->path, nnames);
	for (uint32_t i = 0; i < nnames; i++) {
		lab_export *e = &img->exports[count];
		uint16_t index = ps_le16(img->mapped + ords + 2 * i);
		uint32_t rva;

		if (index >= nfuncs)
			return ps_error_set(err, PS_EFORMAT, "%s: export name %u has ordinal index %u of %u",
					    pe->path, i, index, nfuncs);
		rva = ps_le32(img->mapped + funcs + 4 * (size_t)index);
		if (rva >= dir && rva - dir < dsize)
			continue;               /* a forwarder ("NTDLL.RtlFoo"): nothing here */
		if (rva >= img->size_of_image)
			return ps_error_set(err, PS_EFORMAT, "%s: export %u points at RVA 0x%x outside the image",
					    pe->path, i, rva);
		if (mapped_string(img, ps_le32(img->mapped + names + 4 * i), e->name, sizeof e->name) != 0)
			return ps_error_set(err, PS_EFORMAT, "%s: export name %u is unterminated or longer than %zu bytes",
					    pe->path, i, sizeof e->name - 1);
		e->rva = rva;
		e->va = img->base + rva;
		count++;
	}
	img->export_count = count;
	return PS_OK;
}

/* ---- imports --------------------------------------------------------------- */

static ps_status parse_imports(pe_file *pe, lab_image *img, ps_error *err)
{
	uint32_t desc;
	unsigned psize = ptr_size(img);
	uint64_t ordinal_flag = psize == 8 ? 0x8000000000000000ull : 0x80000000ull;
	size_t cap = 0;

	if (pe->ndirs <= DIR_IMPORT || pe->dir_size[DIR_IMPORT] == 0)
		return PS_OK;
	desc = pe->dir_rva[DIR_IMPORT];
	for (uint32_t d = 0;; d++, desc += 20) {
		char dll[sizeof img->imports[0].dll];
		uint32_t ilt, iat, name;

		if (d >= LAB_PE_MAX_DLLS)
			return ps_error_set(err, PS_EFORMAT, "%s: more than %u import descriptors", pe->path, LAB_PE_MAX_DLLS);
		if (!ps_in_bounds(desc, 20, img->size_of_image))
			return ps_error_set(err, PS_EFORMAT, "%s: import descriptor %u at RVA 0x%x outside the image",
					    pe->path, d, desc);
		ilt = ps_le32(img->mapped + desc);
		name = ps_le32(img->mapped + desc + 12);
		iat = ps_le32(img->mapped + desc + 16);
		if (ilt == 0 && name == 0 && iat == 0)
			break;
		if (mapped_string(img, name, dll, sizeof dll) != 0)
			return ps_error_set(err, PS_EFORMAT, "%s: import descriptor %u has a bad DLL name at RVA 0x%x",
					    pe->path, d, name);
		if (ilt == 0)
			ilt = iat;
		for (uint32_t t = 0;; t++) {
			uint32_t at = ilt + t * psize, slot = iat + t * psize;
			uint64_t thunk;
			lab_import *imp;

			if (!ps_in_bounds(at, psize, img->size_of_image) || !ps_in_bounds(slot, psize, img->size_of_image))
				return ps_error_set(err, PS_EFORMAT, "%s: import thunk %u of %s (RVA 0x%x) outside the image",
						    pe->path, t, dll, at);
			thunk = read_ptr(img, at);
			if (thunk == 0)
				break;
			if (img->import_count >= LAB_PE_MAX_IMPORTS)
				return ps_error_set(err, PS_EFORMAT, "%s: more than %u imports", pe->path, LAB_PE_MAX_IMPORTS);
			if (img->import_count == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				lab_import *n = realloc(img->imports, ncap * sizeof *n);
				if (n == NULL)
					return ps_error_set(err, PS_ENOMEM, "%s: cannot allocate imports", pe->path);
				img->imports = n;
				cap = ncap;
			}
			imp = &img->imports[img->import_count];
			memset(imp, 0, sizeof *imp);
			memcpy(imp->dll, dll, sizeof imp->dll);
			if (thunk & ordinal_flag) {
				snprintf(imp->name, sizeof imp->name, "#%u", (unsigned)(thunk & 0xFFFF));
			} else if (thunk > UINT32_MAX ||
				   mapped_string(img, (uint32_t)thunk + 2, imp->name, sizeof imp->name) != 0) {
				return ps_error_set(err, PS_EFORMAT, "%s: import %u of %s has a bad name at RVA 0x%llx",
						    pe->path, t, dll, (unsigned long long)thunk + 2);
			}
			imp->iat_va = img->base + slot;
			img->import_count++;
		}
	}
	return PS_OK;
}

/* ---- debug directory: the PDB path, GUID and age --------------------------- */

static void parse_debug(pe_file *pe, lab_image *img)
{
	uint32_t dir, n;

	if (pe->ndirs <= DIR_DEBUG || pe->dir_size[DIR_DEBUG] == 0)
		return;
	dir = pe->dir_rva[DIR_DEBUG];
	n = pe->dir_size[DIR_DEBUG] / 28;
	if (!ps_in_bounds(dir, 28 * (uint64_t)n, img->size_of_image))
		return;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = img->mapped + dir + 28 * i;
		uint32_t size = ps_le32(e + 16), rva = ps_le32(e + 20);
		size_t len;

		if (ps_le32(e + 12) != 2 || size < 24 || !ps_in_bounds(rva, size, img->size_of_image))
			continue;
		if (memcmp(img->mapped + rva, "RSDS", 4) != 0)
			continue;
		/* RSDS: signature, GUID (16 bytes) @4, age u32 @20, path @24. */
		memcpy(img->pdb_guid, img->mapped + rva + 4, 16);
		img->pdb_age = ps_le32(img->mapped + rva + 20);
		img->has_pdb_id = 1;
		{
			const uint8_t *nul = memchr(img->mapped + rva + 24, 0, size - 24);
			len = nul ? (size_t)(nul - (img->mapped + rva + 24)) : size - 24;
		}
		if (len >= sizeof img->pdb_path)
			len = sizeof img->pdb_path - 1;
		memcpy(img->pdb_path, img->mapped + rva + 24, len);
		img->pdb_path[len] = '\0';
		return;
	}
}

/* ---- the sidecar symbol list ------------------------------------------------ */

/* "<image>.syms" next to the file: "name rva" lines from the linker map.
 * Missing is fine (mingw images have none); malformed lines are errors. */
static ps_status load_sidecar(const char *path, lab_image *img, ps_error *err)
{
	char sympath[1024], line[512];
	size_t cap = 0, lineno = 0;
	FILE *f;

	if (snprintf(sympath, sizeof sympath, "%s.syms", path) >= (int)sizeof sympath)
		return PS_OK;
	f = fopen(sympath, "r");
	if (f == NULL)
		return PS_OK;
	while (fgets(line, sizeof line, f) != NULL) {
		char name[sizeof img->symbols[0].name + 1];
		unsigned long long rva;
		int used = 0;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%96s %llx %n", name, &rva, &used) != 2 || strlen(name) >= sizeof img->symbols[0].name ||
		    rva >= img->size_of_image || (line[used] != '\0' && line[used] != '\n')) {
			fclose(f);
			return ps_error_set(err, PS_EFORMAT, "%s:%zu: not a \"name rva\" line inside the image", sympath, lineno);
		}
		if (img->symbol_count >= LAB_PE_MAX_SYMBOLS) {
			fclose(f);
			return ps_error_set(err, PS_EFORMAT, "%s: more than %u symbols", sympath, LAB_PE_MAX_SYMBOLS);
		}
		if (img->symbol_count == cap) {
			size_t ncap = cap ? cap * 2 : 128;
			lab_symbol *n = realloc(img->symbols, ncap * sizeof *n);
			if (n == NULL) {
				fclose(f);
				return ps_error_set(err, PS_ENOMEM, "%s: cannot allocate symbols", sympath);
			}
			img->symbols = n;
			cap = ncap;
		}
		memcpy(img->symbols[img->symbol_count].name, name, strlen(name) + 1);
		img->symbols[img->symbol_count].rva = (uint32_t)rva;
		img->symbol_count++;
	}
	fclose(f);
	return PS_OK;
}

/* ---- the interface ---------------------------------------------------------- */

ps_status lab_image_load(const char *path, uint64_t base, lab_image *img, ps_error *err)
{
	pe_file pe = { 0 };
	uint8_t *data = NULL;
	const char *slash;
	ps_status st;

	memset(img, 0, sizeof *img);
	if ((st = read_file(path, &data, &pe.size, err)) != PS_OK)
		return st;
	pe.path = path;
	pe.data = data;
	slash = strrchr(path, '/');
	snprintf(img->file_name, sizeof img->file_name, "%s", slash ? slash + 1 : path);
	snprintf(img->source_path, sizeof img->source_path, "%s", path);
	img->base = base;

	if ((st = parse_headers(&pe, img, err)) == PS_OK) {
		if (!pe.pe32plus && base > UINT32_MAX - (uint64_t)img->size_of_image)
			st = ps_error_set(err, PS_EARG, "%s: a 32-bit image cannot be loaded at 0x%llx",
					  path, (unsigned long long)base);
		else if (base & 0xFFF)
			st = ps_error_set(err, PS_EARG, "%s: load address 0x%llx is not page-aligned",
					  path, (unsigned long long)base);
	}
	if (st == PS_OK)
		st = map_sections(&pe, img, err);
	if (st == PS_OK)
		st = relocate(&pe, img, err);
	if (st == PS_OK)
		st = parse_exports(&pe, img, err);
	if (st == PS_OK)
		st = parse_imports(&pe, img, err);
	if (st == PS_OK) {
		parse_debug(&pe, img);
		st = load_sidecar(path, img, err);
	}
	free(data);
	if (st != PS_OK)
		lab_image_free(img);
	return st;
}

ps_status lab_image_bind(lab_image *img, lab_import_resolver resolve, void *ctx, ps_error *err)
{
	for (size_t i = 0; i < img->import_count; i++) {
		lab_import *imp = &img->imports[i];
		uint64_t rva = imp->iat_va - img->base;
		uint64_t va = 0;

		if (resolve(ctx, imp->dll, imp->name, &va) != 0)
			return ps_error_set(err, PS_ENOTFOUND, "%s imports %s!%s, which is not exported",
					    img->file_name, imp->dll, imp->name);
		if (!ps_in_bounds(rva, ptr_size(img), img->size_of_image))
			return ps_error_set(err, PS_EFORMAT, "%s: IAT slot 0x%llx outside the image",
					    img->file_name, (unsigned long long)imp->iat_va);
		if (img->machine == 0x8664)
			ps_put_le64(img->mapped + rva, va);
		else if (va > UINT32_MAX)
			return ps_error_set(err, PS_EARG, "%s: %s!%s resolves to 0x%llx, beyond 32 bits",
					    img->file_name, imp->dll, imp->name, (unsigned long long)va);
		else
			ps_put_le32(img->mapped + rva, (uint32_t)va);
		imp->target = va;
	}
	return PS_OK;
}

const lab_export *lab_image_export(const lab_image *img, const char *name)
{
	for (size_t i = 0; i < img->export_count; i++)
		if (strcmp(img->exports[i].name, name) == 0)
			return &img->exports[i];
	return NULL;
}

int lab_image_symbol(const lab_image *img, const char *name, uint64_t *va)
{
	const lab_export *e = lab_image_export(img, name);

	if (e != NULL) {
		*va = e->va;
		return 0;
	}
	for (size_t i = 0; i < img->symbol_count; i++)
		if (strcmp(img->symbols[i].name, name) == 0) {
			*va = img->base + img->symbols[i].rva;
			return 0;
		}
	return -1;
}

void lab_image_file_key(const lab_image *img, char out[32])
{
	snprintf(out, 32, "%08X%x", (unsigned)img->timestamp, (unsigned)img->size_of_image);
}

int lab_image_pdb_key(const lab_image *img, char out[48])
{
	const uint8_t *g = img->pdb_guid;
	int n;

	if (!img->has_pdb_id)
		return -1;
	n = snprintf(out, 48, "%08X%04X%04X", (unsigned)ps_le32(g), (unsigned)ps_le16(g + 4), (unsigned)ps_le16(g + 6));
	for (int i = 8; i < 16; i++)
		n += snprintf(out + n, 48 - (size_t)n, "%02X", g[i]);
	snprintf(out + n, 48 - (size_t)n, "%X", (unsigned)img->pdb_age);
	return 0;
}

void lab_image_pdb_guid(const lab_image *img, char out[40])
{
	const uint8_t *g = img->pdb_guid;

	if (!img->has_pdb_id) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 40, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", (unsigned)ps_le32(g),
		 (unsigned)ps_le16(g + 4), (unsigned)ps_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

void lab_image_free(lab_image *img)
{
	free(img->mapped);
	free(img->exports);
	free(img->imports);
	free(img->symbols);
	memset(img, 0, sizeof *img);
}

const char *lab_image_dir(const char *override)
{
	const char *env;

	if (override != NULL && override[0] != '\0')
		return override;
	env = getenv("POOLSCOPE_LAB_IMAGES");
	if (env != NULL && env[0] != '\0')
		return env;
#ifdef PS_LAB_IMAGE_DIR
	return PS_LAB_IMAGE_DIR;
#else
	return "lab/images";
#endif
}
