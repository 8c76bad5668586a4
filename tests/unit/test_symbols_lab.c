/*
 * test_symbols_lab.c - the symbol service on dumps poolscope-lab writes.
 *
 * With a symbol store of the lab's PDBs: nt!ExAllocatePoolWithTag resolves
 * to the address the kernel's link map gives (the .syms sidecar lld-link's
 * /MAP produced, not this library's PE reader), its next symbol is
 * ExDeferredFreePool, ln's prototype is the seed's on x86, SIoctl's symbols
 * come from its PDB, and every field the built-in layout of the build has is
 * where the kernel PDB puts it (the lab writes its PDB types from
 * formats.md on its own, so this cross-checks both). Without the store the
 * same name resolves from the export table and says so.
 *
 * The store is the one `poolscope-lab --symbols DIR` writes; a lab without
 * that option gets one built here from the images' PDBs, laid out with
 * ps_symstore_pdb_key.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/dump.h"
#include "poolscope/kernel.h"
#include "poolscope/layouts.h"
#include "poolscope/symbols.h"
#include "sym/layouts_internal.h"

static int mkdirs(const char *path)
{
	char tmp[1024];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	return mkdir(tmp, 0755) == 0 || access(tmp, F_OK) == 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int ok = in && out;

	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = 0;
	return ok;
}

/* A symbol store of every PDB in the lab's image directory for `arch`. */
static int build_store(const char *arch, const char *store)
{
	char images[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	check_build_path(images, sizeof images, "lab/images/");
	strncat(images, arch, sizeof images - strlen(images) - 1);
	d = opendir(images);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char from[2048], key[1024], to[3072], dir[3072];
		uint8_t guid[16];
		uint32_t age;
		ps_pdb *pdb;
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".pdb") != 0)
			continue;
		snprintf(from, sizeof from, "%s/%s", images, e->d_name);
		if (ps_pdb_open(from, &pdb, NULL) != PS_OK)
			continue;
		if (ps_pdb_identity(pdb, guid, &age, NULL) == PS_OK &&
		    ps_symstore_pdb_key(e->d_name, guid, age, key, sizeof key) == PS_OK) {
			snprintf(to, sizeof to, "%s/%s", store, key);
			snprintf(dir, sizeof dir, "%s", to);
			*strrchr(dir, '/') = '\0';
			if (mkdirs(dir) && copy_file(from, to))
				n++;
		}
		ps_pdb_close(pdb);
	}
	closedir(d);
	return n;
}

/* Write the scenario's dump and a store of its symbols. */
static int make_dump(const char *scenario, const char *arch, const char *dir, char *dump, size_t n,
		     char *store, size_t sn)
{
	char lab[1024], cmd[8192];
	const char *src = getenv("PS_SOURCE_DIR");

	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(dump, n, "%s/%s.dmp", dir, scenario);
	snprintf(store, sn, "%s/%s-store", dir, scenario);
	snprintf(cmd, sizeof cmd, "'%s' '%s/scenarios/%s.scn' -q -o '%s' --symbols '%s' 2>/dev/null",
		 lab, src ? src : "..", scenario, dump, store);
	if (system(cmd) == 0)
		return 1;
	snprintf(cmd, sizeof cmd, "'%s' '%s/scenarios/%s.scn' -q -o '%s'", lab, src ? src : "..",
		 scenario, dump);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		return 0;
	}
	mkdirs(store);
	return build_store(arch, store) > 0;
}

/* RVA of a symbol in the kernel's link-map sidecar. */
static uint32_t map_rva(const char *arch, const char *image, const char *name)
{
	char path[1024], line[512], sym[256];
	unsigned rva;
	uint32_t found = 0;
	FILE *f;

	check_build_path(path, sizeof path, "lab/images/");
	snprintf(path + strlen(path), sizeof path - strlen(path), "%s/%s.syms", arch, image);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%255s %x", sym, &rva) == 2 && strcmp(sym, name) == 0)
			found = rva;
	fclose(f);
	return found;
}

typedef struct match_ctx {
	int total, alloc_with_tag;
} match_ctx;

static int count_match(void *ctx, const ps_symbol *sym)
{
	match_ctx *m = ctx;
	m->total++;
	if (strcmp(sym->name, "ExAllocatePoolWithTag") == 0)
		m->alloc_with_tag++;
	return 0;
}

/* Every field of every built-in layout for this build that the kernel PDB
 * also defines sits at the same place (bitfields: the same bits). */
static void cross_check_layouts(ps_symbols *s, uint32_t build, ps_arch arch, const char *label)
{
	static const ps_layout_table *const tables[] = {
		&ps_layouts_common,    &ps_layouts_7601_x86,  &ps_layouts_7601_x64, &ps_layouts_17763_x64,
		&ps_layouts_19041_x64, &ps_layouts_22000_x64, &ps_layouts_26100_x64,
	};
	int types = 0, fields = 0, missing = 0;

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (size_t i = 0; i < tables[t]->count; i++) {
			const ps_layout *l = &tables[t]->layouts[i];
			ps_symbol_source src;
			uint64_t size;
			if (l->arch != arch || build < l->build_min || build > l->build_max)
				continue;
			if (ps_symbols_type_size(s, l->type, &size, &src) != PS_OK || src != PS_SYMSRC_PDB)
				continue;
			types++;
			if (l->size && size != l->size) {
				fprintf(stderr, "%s: sizeof %s: PDB 0x%llx, built-in 0x%x\n", label, l->type,
					(unsigned long long)size, l->size);
				CHECK(0);
			}
			for (size_t j = 0; j < l->field_count; j++) {
				const ps_layout_field *f = &l->fields[j];
				ps_field_info fi;
				uint64_t pdb_bit, builtin_bit;
				if (ps_symbols_field_info(s, l->type, f->name, &fi) != PS_OK) {
					fprintf(stderr, "%s: %s.%s: not in the PDB\n", label, l->type, f->name);
					missing++;
					continue;
				}
				fields++;
				CHECK(fi.source == PS_SYMSRC_PDB);
				pdb_bit = fi.offset * 8 + fi.bit_position;
				builtin_bit = (uint64_t)f->offset * 8 + f->bit_position;
				if (pdb_bit != builtin_bit || fi.bit_length != f->bit_length) {
					fprintf(stderr, "%s: %s.%s: PDB 0x%llx bit %u len %u, built-in 0x%x bit %u len %u\n",
						label, l->type, f->name, (unsigned long long)fi.offset,
						fi.bit_position, fi.bit_length, f->offset, f->bit_position,
						f->bit_length);
					CHECK(0);
				}
			}
		}
	printf("%s: %d types, %d fields agree with the kernel PDB (%d built-in fields the PDB lacks)\n",
	       label, types, fields, missing);
	CHECK(types > 0 && fields > 0);
}

/* `arch` names the lab's image directory: "x86", "x64", or "x64-17763"
 * for a kernel built with another build's types. `cross_check` is 0 when
 * the kernel PDB does not carry the scenario's build's types. */
static void check_lab(const char *scenario, const char *arch, int cross_check, const char *dir)
{
	char dump_path[1024], store[1024], buf[300], proto[256];
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_symbols *s = NULL;
	ps_module_symbols ms;
	ps_symbol sym, next;
	const ps_module *nt, *sioctl;
	const ps_dump_info *di;
	uint32_t rva_alloc = map_rva(arch, "ntoskrnl.exe", "ExAllocatePoolWithTag");
	uint64_t va_alloc;
	ps_error err;
	match_ctx mc = {0, 0};

	printf("-- %s\n", scenario);
	CHECK(rva_alloc != 0);
	if (!make_dump(scenario, arch, dir, dump_path, sizeof dump_path, store, sizeof store)) {
		CHECK(0);
		return;
	}
	CHECK(ps_dump_open(dump_path, &d, &err) == PS_OK);
	if (!d)
		return;
	CHECK(ps_kernel_open(d, &k, &err) == PS_OK);
	if (!k) {
		ps_dump_close(d);
		return;
	}
	di = ps_dump_get_info(d);
	nt = ps_kernel_module_named(k, "nt");
	sioctl = ps_kernel_module_named(k, "SIoctl");
	CHECK(nt && sioctl);
	if (!nt || !sioctl)
		goto out;
	va_alloc = nt->base + rva_alloc;

	/* ---- with the store ---- */
	CHECK(ps_symbols_open(k, store, &s, &err) == PS_OK);
	if (!s)
		goto out;
	CHECK_STR(ps_symbols_path(s), store);
	CHECK(ps_symbols_module(s, nt, 0, &ms) == PS_OK && ms.source == PS_SYMSRC_DEFERRED);
	CHECK(ps_symbols_module(s, nt, 1, &ms) == PS_OK);
	CHECK(ms.source == PS_SYMSRC_PDB);
	CHECK(ms.have_codeview);
	CHECK(strstr(ms.pdb_name, "ntoskrnl.pdb") != NULL);
	CHECK(strstr(ms.pdb_path, store) == ms.pdb_path);
	CHECK_STR(ms.note, "");
	CHECK(ps_symbols_module_pdb(s, nt) != NULL);

	CHECK(ps_symbols_lookup(s, "nt!ExAllocatePoolWithTag", &sym) == PS_OK);
	CHECK_EQ_U64(sym.address, va_alloc);
	CHECK(sym.source == PS_SYMSRC_PDB && sym.module == nt);
	CHECK(ps_symbols_lookup(s, "ExAllocatePoolWithTag", &sym) == PS_OK);
	CHECK_EQ_U64(sym.address, va_alloc);
	CHECK(ps_symbols_lookup(s, "nt!exallocatepoolwithtag", &sym) == PS_OK);
	CHECK_STR(sym.name, "ExAllocatePoolWithTag");
	CHECK(ps_symbols_lookup(s, "nt!NoSuchSymbolAnywhere", &sym) == PS_ENOTFOUND);
	CHECK(ps_symbols_lookup(s, "nosuchmodule!ExAllocatePoolWithTag", &sym) == PS_ENOTFOUND);

	CHECK(ps_symbols_at(s, va_alloc + 0x1a, &sym, &next) == PS_OK);
	CHECK_STR(sym.name, "ExAllocatePoolWithTag");
	CHECK_EQ_U64(sym.address, va_alloc);
	CHECK_STR(next.name, "ExDeferredFreePool");
	CHECK_EQ_U64(next.address, nt->base + map_rva(arch, "ntoskrnl.exe", "ExDeferredFreePool"));
	CHECK_STR(ps_symbols_format(s, va_alloc + 0x1a, buf, sizeof buf), "nt!ExAllocatePoolWithTag+0x1a");
	CHECK_STR(ps_symbols_format(s, va_alloc, buf, sizeof buf), "nt!ExAllocatePoolWithTag");

	CHECK(ps_symbols_lookup(s, "nt!ExAllocatePoolWithTag", &sym) == PS_OK);
	CHECK(ps_symbols_prototype(s, &sym, proto, sizeof proto) == PS_OK);
	if (di->arch == PS_ARCH_X86)
		CHECK_STR(proto, "(_POOL_TYPE, unsigned long, unsigned long)");
	else
		CHECK_STR(proto, "(_POOL_TYPE, unsigned __int64, unsigned long)");

	CHECK(ps_symbols_match(s, "nt", "ExAllocatePool*", count_match, &mc) == PS_OK);
	CHECK(mc.alloc_with_tag == 1 && mc.total >= 2);
	mc.total = mc.alloc_with_tag = 0;
	CHECK(ps_symbols_match(s, "n?", "exallocatepoolwithtag", count_match, &mc) == PS_OK);
	CHECK(mc.total == 1 && mc.alloc_with_tag == 1);
	CHECK(ps_symbols_match(s, "nomodule*", "*", count_match, &mc) == PS_ENOTFOUND);

	/* SIoctl's symbols come from its PDB; its code is named after them. */
	CHECK(ps_symbols_module(s, sioctl, 1, &ms) == PS_OK && ms.source == PS_SYMSRC_PDB);
	CHECK(strncmp(ps_symbols_format(s, sioctl->base + sioctl->size / 2, buf, sizeof buf), "SIoctl",
		      6) == 0);
	/* Outside every module: the bare address. */
	ps_symbols_format(s, 0x1000, buf, sizeof buf);
	CHECK_STR(buf, di->arch == PS_ARCH_X86 ? "00001000" : "00000000`00001000");

	if (cross_check)
		cross_check_layouts(s, di->minor_version, di->arch, scenario);
	else
		printf("%s: no kernel PDB of build %u in the lab yet: layouts not cross-checked\n",
		       scenario, di->minor_version);
	ps_symbols_close(s);
	s = NULL;

	/* ---- without symbols: exports, and the built-in layouts ---- */
	CHECK(ps_symbols_open(k, NULL, &s, &err) == PS_OK);
	if (!s)
		goto out;
	CHECK(ps_symbols_lookup(s, "nt!ExAllocatePoolWithTag", &sym) == PS_OK);
	CHECK_EQ_U64(sym.address, va_alloc);
	CHECK(sym.source == PS_SYMSRC_EXPORTS);
	CHECK(ps_symbols_prototype(s, &sym, proto, sizeof proto) == PS_ENOTFOUND);
	CHECK(ps_symbols_module(s, nt, 1, &ms) == PS_OK && ms.source == PS_SYMSRC_EXPORTS);
	CHECK(ms.have_codeview && ms.pdb_path[0] == '\0');
	CHECK(strstr(ms.note, "*** ERROR: Symbol file could not be found.  Defaulted to export symbols for ") == ms.note);
	CHECK(ps_symbols_format(s, va_alloc + 3, buf, sizeof buf) && strcmp(buf, "nt!ExAllocatePoolWithTag+0x3") == 0);
	/* SIoctl exports nothing: module+offset, as the seed's "SIoctl+0x4323". */
	CHECK(ps_symbols_module(s, sioctl, 1, &ms) == PS_OK && ms.source == PS_SYMSRC_NONE);
	CHECK_STR(ms.note, "*** ERROR: Module load completed but symbols could not be loaded for SIoctl.sys");
	CHECK_STR(ps_symbols_format(s, sioctl->base + 0x4323, buf, sizeof buf), "SIoctl+0x4323");
	CHECK(ps_symbols_at(s, sioctl->base + 0x4323, &sym, NULL) == PS_ENOTFOUND);
	{
		uint64_t off, size;
		ps_symbol_source src;
		CHECK(ps_symbols_field(s, "_EPROCESS", "UniqueProcessId", &off, &src) == PS_OK);
		CHECK(src == PS_SYMSRC_BUILTIN);
		CHECK(ps_symbols_type_size(s, "_EPROCESS", &size, &src) == PS_OK && src == PS_SYMSRC_BUILTIN);
	}
	/* .reload with a store picks the PDB up. */
	CHECK(ps_symbols_set_path(s, store, &err) == PS_OK);
	CHECK(ps_symbols_reload(s, NULL, NULL, &err) == PS_OK);
	CHECK(ps_symbols_module(s, nt, 0, &ms) == PS_OK && ms.source == PS_SYMSRC_PDB);
	CHECK(ps_symbols_module(s, sioctl, 0, &ms) == PS_OK && ms.source == PS_SYMSRC_DEFERRED);
	CHECK(ps_symbols_reload(s, "SIoctl.sys", NULL, &err) == PS_OK);
	CHECK(ps_symbols_module(s, sioctl, 0, &ms) == PS_OK && ms.source == PS_SYMSRC_PDB);
	CHECK(ps_symbols_reload(s, "nosuchmodule", NULL, &err) == PS_ENOTFOUND);
out:
	ps_symbols_close(s);
	ps_kernel_close(k);
	ps_dump_close(d);
}

int main(void)
{
	char dir[] = "/tmp/ps_symbols_lab_XXXXXX", cmd[256];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char images[1024];

	check_lab("seed-env1", "x86", 1, dir);
	check_lab("seed-env1-x64", "x64", 1, dir);
	/* The 1809 kernel and its PDB have their own directory once the lab
	 * builds one kernel per Windows build; before that the 1809 scenario
	 * loads the 7601 kernel, whose types are Windows 7's. */
	check_build_path(images, sizeof images, "lab/images/x64-17763");
	if (access(images, F_OK) == 0)
		check_lab("seed-env1-1809", "x64-17763", 1, dir);
	else
		check_lab("seed-env1-1809", "x64", 0, dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
