/*
 * test_lab_images.c - the lab's Windows images and its PE loader
 * (lab/image_load.c): every image loads at a base it was not linked for,
 * relocations and imports land where the kernel would put them, and the
 * seed's evidence is in SIoctl.sys byte for byte. Hostile files give
 * errors, not crashes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L         /* setenv, unsetenv */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "lab_image.h"

typedef struct images {
	const char *arch;
	lab_image nt, hal;
} images;

static const char *image_path(char *buf, size_t n, const char *arch, const char *file)
{
	snprintf(buf, n, "%s/%s/%s", lab_image_dir(NULL), arch, file);
	return buf;
}

/* Resolver over the kernel and the HAL, the way the lab binds drivers. */
static int resolve(void *ctx, const char *dll, const char *name, uint64_t *va)
{
	images *im = ctx;
	const lab_export *e = NULL;

	if (strcmp(dll, "ntoskrnl.exe") == 0)
		e = lab_image_export(&im->nt, name);
	else if (strcmp(dll, "hal.dll") == 0)
		e = lab_image_export(&im->hal, name);
	if (e == NULL)
		return -1;
	*va = e->va;
	return 0;
}

static int resolve_nothing(void *ctx, const char *dll, const char *name, uint64_t *va)
{
	(void)ctx, (void)dll, (void)name, (void)va;
	return -1;
}

/* Section header by name, read from the mapped headers (the test's own
 * little walk: e_lfanew, COFF header, section table). */
static int find_section(const lab_image *img, const char *name, uint32_t *rva, uint32_t *size)
{
	uint32_t pe = ps_le32(img->mapped + 0x3C);
	uint16_t n = ps_le16(img->mapped + pe + 6), optsize = ps_le16(img->mapped + pe + 20);
	const uint8_t *s = img->mapped + pe + 24 + optsize;

	for (uint16_t i = 0; i < n; i++, s += 40)
		if (strncmp((const char *)s, name, 8) == 0) {
			*size = ps_le32(s + 8);
			*rva = ps_le32(s + 12);
			return 0;
		}
	return -1;
}

static int in_section(const lab_image *img, const char *name, uint64_t va)
{
	uint32_t rva, size;

	return find_section(img, name, &rva, &size) == 0 && va >= img->base + rva && va < img->base + rva + size;
}

static uint64_t sym(const lab_image *img, const char *name)
{
	uint64_t va = 0;

	if (lab_image_symbol(img, name, &va) != 0) {
		fprintf(stderr, "%s: no symbol %s\n", img->file_name, name);
		return 0;
	}
	return va;
}

static uint64_t ptr_at(const lab_image *img, uint64_t va)
{
	uint64_t rva = va - img->base;

	if (rva + 8 > img->size_of_image)
		return 0;
	return img->machine == 0x8664 ? ps_le64(img->mapped + rva) : ps_le32(img->mapped + rva);
}

/* The PE checksum, as the specification defines it (our own copy, so the
 * test does not trust the stamping tool it checks). */
static uint32_t pe_checksum(const uint8_t *d, size_t n)
{
	size_t field = ps_le32(d + 0x3C) + 24 + 64;
	uint64_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		if (i != field && i != field + 2)
			sum += ps_le16(d + i);
		sum = (sum & 0xFFFF) + (sum >> 16);
	}
	if (n & 1)
		sum += d[n - 1];
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint32_t)(sum + n);
}

static void spit(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(d, 1, n, f);
		fclose(f);
	}
}

/* ---- the kernel ------------------------------------------------------------ */

static void test_kernel(images *im, uint64_t base)
{
	lab_image *nt = &im->nt;
	const lab_export *alloc, *deferred;
	uint64_t kdbg, bp;

	CHECK_EQ_U64(nt->base, base);
	CHECK_EQ_U64(nt->machine, strcmp(im->arch, "x64") == 0 ? 0x8664 : 0x14C);
	CHECK_EQ_U64(nt->timestamp, 0x4CE7951A);
	CHECK_STR(nt->file_name, "ntoskrnl.exe");
	CHECK_STR(nt->pdb_path, "ntoskrnl.pdb");
	CHECK(nt->checksum != 0);

	alloc = lab_image_export(nt, "ExAllocatePoolWithTag");
	deferred = lab_image_export(nt, "ExDeferredFreePool");
	CHECK(alloc != NULL && in_section(nt, ".text", alloc->va));
	CHECK(deferred != NULL && in_section(nt, ".text", deferred->va));
	if (alloc && deferred) {
		/* `ln` on the allocator must show ExDeferredFreePool as the next
		 * symbol, as in the seed: nothing in between. */
		CHECK(deferred->va > alloc->va);
		for (size_t i = 0; i < nt->symbol_count; i++)
			CHECK(!(nt->base + nt->symbols[i].rva > alloc->va && nt->base + nt->symbols[i].rva < deferred->va));
	}
	CHECK(lab_image_export(nt, "PsLoadedModuleList") != NULL);
	CHECK(lab_image_export(nt, "KeNumberProcessors") != NULL);
	CHECK(lab_image_export(nt, "IofCompleteRequest") != NULL);
	CHECK(lab_image_export(nt, "ExAllocatePool2") != NULL);
	CHECK(lab_image_export(nt, "NoSuchExport") == NULL);

	/* The globals the lab fills, found through the sidecar. */
	kdbg = sym(nt, "KdDebuggerDataBlock");
	CHECK(kdbg != 0 && kdbg % 16 == 0 && in_section(nt, ".data", kdbg));
	CHECK(kdbg && memcmp(nt->mapped + (kdbg - nt->base) + 0x10, "KDBG", 4) == 0);
	CHECK(in_section(nt, ".data", sym(nt, "PsActiveProcessHead")));
	{
		static const char *const globals[] = {
			"KdVersionBlock", "PspCidTable", "KiProcessorBlock", "MmPfnDatabase",
			"MmNumberOfPhysicalPages", "MmAvailablePages", "MmTotalCommittedPages", "MmTotalCommitLimit",
			"MmPagedPoolCommit", "MmAllocatedNonPagedPool", "MmMaximumNonPagedPoolInBytes",
			"MmSizeOfPagedPoolInBytes", "MmNonPagedPoolStart", "MmPagedPoolEnd", "MmSystemRangeStart",
			"MmUserProbeAddress", "MmSessionBase", "MmSpecialPoolTag", "ExpPagedPoolDescriptor",
			"ExpNumberOfPagedPools", "NonPagedPoolDescriptor", "PoolTrackTable", "PoolTrackTableSize",
			"PoolBigPageTable", "PoolBigPageTableSize", "ExPoolFailures", "ObTypeIndexTable",
			"ObHeaderCookie", "ObpTypeObjectType", "ObpRootDirectoryObject", "NtBuildLab",
			"CmNtCSDVersion", "KiBugCheckData", "KeLoaderBlock", "MmUnloadedDrivers",
			"MmLastUnloadedDriver", "MmPagedPoolInfo", "MmTotalFreeSystemPtes",
			"KiSwapContext", "KiSwapThread", "KiCommitThreadWait", "KiFastCallEntry",
		};
		for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
			CHECK(sym(nt, globals[i]) >= nt->base);
	}
	CHECK(in_section(nt, ".text", sym(nt, "KiSwapContext")));
	CHECK_EQ_U64(sym(nt, "KiSystemStartup"), nt->base + nt->entry_rva);

	/* Relocated: the list heads point at themselves at the new base. */
	CHECK_EQ_U64(ptr_at(nt, sym(nt, "PsLoadedModuleList")), sym(nt, "PsLoadedModuleList"));
	CHECK_EQ_U64(ptr_at(nt, sym(nt, "PsActiveProcessHead")), sym(nt, "PsActiveProcessHead"));

	/* The seed's false positive: "MSKK" + UTF-16 "gFileI..." at
	 * nt!KdpBreakpointTable+0x200 ("u 83184218-1" shows +0x1ff). */
	bp = sym(nt, "KdpBreakpointTable");
	CHECK(bp && memcmp(nt->mapped + (bp - nt->base) + 0x200, "MSKKg\0F\0i\0l\0e\0I\0", 16) == 0);
	CHECK(bp && nt->mapped[bp - nt->base + 0x1ff] == 0);
}

/* ---- SIoctl.sys ------------------------------------------------------------ */

static void test_sioctl_x86(images *im)
{
	char path[1024];
	lab_image s;
	ps_error err = { 0 };
	size_t n = 0;
	uint8_t *file;
	static const uint8_t loop[] = { 0x68, 0x4d, 0x53, 0x4b, 0x4b, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6a, 0x01, 0xff, 0x15,
					0x10, 0x90, 0x96, 0x91, 0x4e, 0x75, 0xeb };
	static const uint8_t translations[] = { 0x00, 0x00, 0xb0, 0x04, 0x00, 0x00, 0xe4, 0x04,
						0x09, 0x04, 0xb0, 0x04, 0x09, 0x04, 0xe4, 0x04 };
	const lab_import *alloc = NULL;
	uint32_t rsrc, rsrc_size;

	image_path(path, sizeof path, "x86", "SIoctl.sys");
	CHECK(lab_image_load(path, 0x91967000, &s, &err) == PS_OK);
	if (s.mapped == NULL) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	CHECK_EQ_U64(s.size_of_image, 0x8000);
	CHECK_EQ_U64(s.timestamp, 0x4BC2E9C4);
	CHECK_STR(s.pdb_path, "SIoctl.pdb");
	file = check_read_file(path, &n);
	CHECK(file != NULL && s.checksum == pe_checksum(file, n));
	free(file);

	CHECK_EQ_U64(s.import_count, 8);
	for (size_t i = 0; i < s.import_count; i++) {
		CHECK_STR(s.imports[i].dll, "ntoskrnl.exe");
		if (strcmp(s.imports[i].name, "ExAllocatePoolWithTag") == 0)
			alloc = &s.imports[i];
	}
	CHECK(alloc != NULL && alloc->iat_va == 0x91969010);     /* SIoctl+0x2010 */
	CHECK(lab_image_bind(&s, resolve, im, &err) == PS_OK);
	CHECK(alloc && alloc->target == lab_image_export(&im->nt, "ExAllocatePoolWithTag")->va);
	CHECK_EQ_U64(ps_le32(s.mapped + 0x2010), lab_image_export(&im->nt, "ExAllocatePoolWithTag")->va);
	for (size_t i = 0; i < s.import_count; i++)
		CHECK_EQ_U64(ptr_at(&s, s.imports[i].iat_va), lab_image_export(&im->nt, s.imports[i].name)->va);

	/* The article's "u 9196b324-1", byte for byte, IAT address included. */
	CHECK(memcmp(s.mapped + 0x4323, loop, sizeof loop) == 0);
	CHECK(in_section(&s, "PAGE", 0x91967000 + 0x4323));

	/* lmv: Translations 0000.04b0 0000.04e4 0409.04b0 0409.04e4. */
	CHECK(find_section(&s, ".rsrc", &rsrc, &rsrc_size) == 0);
	{
		int found = 0;
		for (uint32_t i = rsrc; i + sizeof translations <= rsrc + rsrc_size; i += 2)
			found |= memcmp(s.mapped + i, translations, sizeof translations) == 0;
		CHECK(found);
	}
	/* Relocations: the dispatch table holds absolute pointers. */
	CHECK_EQ_U64(ptr_at(&s, sym(&s, "SioctlDispatch")), sym(&s, "SioctlCreateClose"));
	CHECK_EQ_U64(ptr_at(&s, sym(&s, "SioctlDispatch") + 8), sym(&s, "SioctlDeviceControl"));
	lab_image_free(&s);
}

static void test_sioctl_x64(images *im)
{
	char path[1024];
	lab_image s;
	ps_error err = { 0 };
	static const uint8_t head[] = { 0xb9, 0x01, 0x00, 0x00, 0x00, 0xba, 0x00, 0x10, 0x00, 0x00,
					0x41, 0xb8, 0x4d, 0x53, 0x4b, 0x4b, 0xff, 0x15 };
	uint64_t base = 0xFFFFF88003A00000ull, slot = 0;
	uint32_t page, page_size;
	int found = 0;

	image_path(path, sizeof path, "x64", "SIoctl.sys");
	CHECK(lab_image_load(path, base, &s, &err) == PS_OK);
	if (s.mapped == NULL) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	CHECK_EQ_U64(s.timestamp, 0x4BC2E9C4);
	CHECK(lab_image_bind(&s, resolve, im, &err) == PS_OK);
	for (size_t i = 0; i < s.import_count; i++)
		if (strcmp(s.imports[i].name, "ExAllocatePoolWithTag") == 0)
			slot = s.imports[i].iat_va;
	CHECK(find_section(&s, "PAGE", &page, &page_size) == 0);
	for (uint32_t i = page; i + sizeof head + 8 <= page + page_size; i++) {
		if (memcmp(s.mapped + i, head, sizeof head) != 0)
			continue;
		found = 1;
		/* call qword ptr [rip+rel32] lands on the IAT slot, then dec esi / jne */
		CHECK_EQ_U64(base + i + sizeof head + 4 + (int32_t)ps_le32(s.mapped + i + sizeof head), slot);
		CHECK(s.mapped[i + sizeof head + 4] == 0xff && s.mapped[i + sizeof head + 5] == 0xce);
		CHECK(s.mapped[i + sizeof head + 6] == 0x75);
	}
	CHECK(found);
	CHECK_EQ_U64(ptr_at(&s, slot), lab_image_export(&im->nt, "ExAllocatePoolWithTag")->va);
	CHECK_EQ_U64(ptr_at(&s, sym(&s, "SioctlDispatch")), sym(&s, "SioctlCreateClose"));
	lab_image_free(&s);
}

/* ---- the other drivers ----------------------------------------------------- */

static void test_drivers(images *im, uint64_t base)
{
	static const char *const drivers[] = { "volmgrx.sys", "clfs.sys", "ci.dll", "tcpip.sys", "gnudrv.sys" };
	char path[1024];

	for (size_t d = 0; d < sizeof drivers / sizeof drivers[0]; d++) {
		lab_image img;
		ps_error err = { 0 };

		image_path(path, sizeof path, im->arch, drivers[d]);
		CHECK(lab_image_load(path, base + d * 0x100000, &img, &err) == PS_OK);
		if (img.mapped == NULL) {
			fprintf(stderr, "%s\n", err.message);
			continue;
		}
		CHECK(img.import_count > 0);
		CHECK(lab_image_bind(&img, resolve, im, &err) == PS_OK);
		for (size_t i = 0; i < img.import_count; i++) {
			CHECK(img.imports[i].target != 0);
			CHECK_EQ_U64(ptr_at(&img, img.imports[i].iat_va), img.imports[i].target);
		}
		CHECK(img.entry_rva != 0 && img.entry_rva < img.size_of_image);
		if (strcmp(drivers[d], "gnudrv.sys") != 0)
			CHECK(img.pdb_path[0] != '\0' && img.symbol_count > 0);
		if (strcmp(drivers[d], "ci.dll") == 0)
			CHECK(lab_image_export(&img, "CiInitialize") != NULL);
		lab_image_free(&img);
	}
}

/* ---- hostile files --------------------------------------------------------- */

static void test_hostile(const char *arch)
{
	char path[1024], tmp[1024];
	uint8_t *file;
	size_t n = 0;
	lab_image img;
	ps_error err;

	image_path(path, sizeof path, arch, "SIoctl.sys");
	file = check_read_file(path, &n);
	CHECK(file != NULL && n > 0x400);
	if (file == NULL)
		return;
	check_build_path(tmp, sizeof tmp, "test_lab_images.tmp.sys");

	/* Every truncation is an error or a partial load, never a crash. */
	for (size_t len = 0; len < n; len += 61) {
		spit(tmp, file, len);
		if (lab_image_load(tmp, 0x91967000, &img, &err) == PS_OK)
			lab_image_free(&img);
	}
	spit(tmp, file, 0x200);
	CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
	CHECK(img.mapped == NULL && img.exports == NULL && img.imports == NULL);

	{
		uint32_t pe = ps_le32(file + 0x3C);
		size_t opt = pe + 24, dirs = opt + (strcmp(arch, "x64") == 0 ? 112 : 96);
		uint32_t reloc_rva = ps_le32(file + dirs + 5 * 8), reloc_off = 0;
		uint16_t nsec = ps_le16(file + pe + 6), optsize = ps_le16(file + pe + 20);
		uint8_t *bad = malloc(n);

		for (uint16_t i = 0; i < nsec; i++) {
			const uint8_t *s = file + opt + optsize + 40 * i;
			if (reloc_rva >= ps_le32(s + 12) && reloc_rva < ps_le32(s + 12) + ps_le32(s + 16))
				reloc_off = ps_le32(s + 20) + reloc_rva - ps_le32(s + 12);
		}
		CHECK(reloc_off != 0 && bad != NULL);
		if (reloc_off == 0 || bad == NULL) {
			free(bad);
			free(file);
			return;
		}
		/* Relocation block sizes that are too small, odd, or run past the
		 * directory. */
		static const uint32_t sizes[] = { 0, 3, 7, 9, 0x7FFFFFFF, 0xFFFFFFFF };
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			memcpy(bad, file, n);
			ps_put_le32(bad + reloc_off + 4, sizes[i]);
			spit(tmp, bad, n);
			CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
			CHECK(strstr(err.message, "relocation block") != NULL);
		}
		/* A relocation aimed past the image. */
		memcpy(bad, file, n);
		ps_put_le32(bad + reloc_off, 0x7FFFF000);
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
		/* An unknown relocation type. */
		memcpy(bad, file, n);
		ps_put_le16(bad + reloc_off + 8, (uint16_t)(0x5000 | (ps_le16(bad + reloc_off + 8) & 0xFFF)));
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EUNSUPPORTED);
		/* e_lfanew past the end; SizeOfImage absurd; a section beyond the file. */
		memcpy(bad, file, n);
		ps_put_le32(bad + 0x3C, 0xFFFFFFF0);
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
		memcpy(bad, file, n);
		ps_put_le32(bad + opt + 56, 0xFFFFF000);
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
		memcpy(bad, file, n);
		ps_put_le32(bad + opt + optsize + 20, 0x7FFFFF00);
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
		/* The import directory pointed at garbage. */
		memcpy(bad, file, n);
		ps_put_le32(bad + dirs + 8, 0x7FFFFFF0);
		spit(tmp, bad, n);
		CHECK(lab_image_load(tmp, 0x91967000, &img, &err) == PS_EFORMAT);
		free(bad);
	}
	/* Unaligned and (for i386) too-high bases are refused. */
	CHECK(lab_image_load(path, 0x91967800, &img, &err) == PS_EARG);
	if (strcmp(arch, "x86") == 0)
		CHECK(lab_image_load(path, 0xFFFFF88000000000ull, &img, &err) == PS_EARG);
	/* Imports nobody exports. */
	if (lab_image_load(path, strcmp(arch, "x86") == 0 ? 0x91967000 : 0xFFFFF88003A00000ull, &img, &err) == PS_OK) {
		CHECK(lab_image_bind(&img, resolve_nothing, NULL, &err) == PS_ENOTFOUND);
		CHECK(strstr(err.message, "ntoskrnl.exe!") != NULL);
		lab_image_free(&img);
	}
	CHECK(lab_image_load("/nonexistent/ntoskrnl.exe", 0x80000000, &img, &err) == PS_EIO);
	remove(tmp);
	free(file);
}

static void test_image_dir(void)
{
	CHECK_STR(lab_image_dir("/opt/images"), "/opt/images");
	setenv("POOLSCOPE_LAB_IMAGES", "/env/images", 1);
	CHECK_STR(lab_image_dir(NULL), "/env/images");
	CHECK_STR(lab_image_dir("/opt/images"), "/opt/images");
	unsetenv("POOLSCOPE_LAB_IMAGES");
	CHECK(strstr(lab_image_dir(NULL), "lab/images") != NULL);
}

int main(void)
{
	static const struct {
		const char *arch;
		uint64_t nt, hal, drivers;
	} arches[] = {
		{ "x86", 0x82E0F000ull, 0x82DD8000ull, 0x8B000000ull },
		{ "x64", 0xFFFFF80002A5E000ull, 0xFFFFF80002A15000ull, 0xFFFFF88001000000ull },
	};

	unsetenv("POOLSCOPE_LAB_IMAGES");
	test_image_dir();
	for (size_t a = 0; a < sizeof arches / sizeof arches[0]; a++) {
		images im;
		char path[1024];
		ps_error err = { 0 };

		memset(&im, 0, sizeof im);
		im.arch = arches[a].arch;
		CHECK(lab_image_load(image_path(path, sizeof path, im.arch, "ntoskrnl.exe"), arches[a].nt, &im.nt, &err) == PS_OK);
		if (im.nt.mapped == NULL) {
			fprintf(stderr, "%s (build the lab_images target first)\n", err.message);
			continue;
		}
		CHECK(lab_image_load(image_path(path, sizeof path, im.arch, "hal.dll"), arches[a].hal, &im.hal, &err) == PS_OK);
		if (im.hal.mapped == NULL)
			fprintf(stderr, "%s\n", err.message);
		CHECK(lab_image_bind(&im.nt, resolve, &im, &err) == PS_OK);
		CHECK(lab_image_bind(&im.hal, resolve, &im, &err) == PS_OK);
		CHECK(lab_image_export(&im.hal, "KeQueryPerformanceCounter") != NULL);
		test_kernel(&im, arches[a].nt);
		if (strcmp(im.arch, "x86") == 0)
			test_sioctl_x86(&im);
		else
			test_sioctl_x64(&im);
		test_drivers(&im, arches[a].drivers);
		test_hostile(im.arch);
		lab_image_free(&im.hal);
		lab_image_free(&im.nt);
	}
	return CHECK_DONE();
}
