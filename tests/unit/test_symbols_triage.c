/*
 * test_symbols_triage.c - the symbol service on the real Windows 10 19041
 * triage dump (../shared/data/triage_x64.dmp), which has no PDB anywhere:
 * no module gets PDB symbols, nt's CodeView record is reported only when
 * its debug directory is in the dump, structure fields come from the 19041
 * built-in layout and say so, and addresses are named module+offset. An
 * image file on the symbol path (name/<TIMESTAMP><SIZE>/name) stands in for
 * what the dump lacks: here the lab's kernel, filed under nt's timestamp and
 * size, gives nt a CodeView record and exports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/dump.h"
#include "poolscope/kernel.h"
#include "poolscope/symbols.h"
#include "nt/symbols_internal.h"

static uint32_t map_rva(const char *name)
{
	char path[1024], line[512], sym[256];
	unsigned rva;
	uint32_t found = 0;
	FILE *f = fopen(check_build_path(path, sizeof path, "lab/images/x64/ntoskrnl.exe.syms"), "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%255s %x", sym, &rva) == 2 && strcmp(sym, name) == 0)
			found = rva;
	fclose(f);
	return found;
}

static void check_fields(ps_symbols *s)
{
	ps_field_info fi;
	ps_symbol_source src = PS_SYMSRC_NONE;
	uint64_t off = 0, size = 0;

	CHECK(ps_symbols_field(s, "_EPROCESS", "UniqueProcessId", &off, &src) == PS_OK);
	CHECK_EQ_U64(off, 0x440);
	CHECK(src == PS_SYMSRC_BUILTIN);
	CHECK(ps_symbols_type_size(s, "_EPROCESS", &size, &src) == PS_OK);
	CHECK_EQ_U64(size, 0xA40);
	CHECK(ps_symbols_field(s, "_EPROCESS", "Pcb.DirectoryTableBase", &off, &src) == PS_OK);
	CHECK_EQ_U64(off, 0x28);
	CHECK(ps_symbols_field(s, "_ETHREAD", "Tcb.ApcState.Process", &off, NULL) == PS_OK);
	CHECK_EQ_U64(off, 0x98 + 0x20);
	CHECK(ps_symbols_field_info(s, "_KAPC_STATE", "ApcListHead[1].Blink", &fi) == PS_OK);
	CHECK_EQ_U64(fi.offset, 0x18);
	CHECK_EQ_U64(fi.size, 8);
	CHECK(ps_symbols_field_info(s, "_KAPC_STATE", "ApcListHead[1]", &fi) == PS_OK);
	CHECK_EQ_U64(fi.offset, 0x10);
	CHECK_STR(fi.type_name, "_LIST_ENTRY");
	CHECK(ps_symbols_field_info(s, "_KAPC_STATE", "ApcListHead[2]", &fi) == PS_ENOTFOUND);
	CHECK(ps_symbols_field_info(s, "_POOL_HEADER", "BlockSize", &fi) == PS_OK);
	CHECK(fi.offset == 2 && fi.bit_position == 0 && fi.bit_length == 8 && fi.size == 2);
	CHECK(fi.source == PS_SYMSRC_BUILTIN);
	CHECK_STR(fi.type_name, "Pos 0, 8 Bits");
	CHECK(ps_symbols_field_info(s, "_eprocess", "imagefilename", &fi) == PS_OK);
	CHECK(fi.offset == 0x5A8 && fi.size == 15);
	CHECK(ps_symbols_field(s, "_EPROCESS", "NoSuchField", &off, NULL) == PS_ENOTFOUND);
	CHECK(ps_symbols_field(s, "_EPROCESS", "Pcb.NoSuchField", &off, NULL) == PS_ENOTFOUND);
	CHECK(ps_symbols_field(s, "_EPROCESS", "UniqueProcessId.Deeper", &off, NULL) == PS_ENOTFOUND);
	CHECK(ps_symbols_field(s, "_EPROCESS", "Pcb..Header", &off, NULL) == PS_EARG);
	CHECK(ps_symbols_field(s, "_EPROCESS", "ApcListHead[x]", &off, NULL) == PS_EARG);
	CHECK(ps_symbols_field(s, "_NO_SUCH_TYPE", "Pcb", &off, NULL) == PS_ENOTFOUND);
	CHECK(ps_symbols_type_size(s, "_KPRCB", &size, NULL) == PS_ENOTFOUND); /* size unknown */
}

int main(void)
{
	char path[1024], store[] = "/tmp/ps_symbols_triage_XXXXXX", key[512], file[2048], cmd[8192];
	char buf[300], image[1024];
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_symbols *s = NULL;
	ps_module_symbols ms;
	ps_symbol sym;
	const ps_module *nt;
	ps_error err;
	int pdb = 0, exports = 0, none = 0;
	uint64_t rip = 0;
	const ps_dump_info *di;

	CHECK(ps_dump_open(check_shared_path(path, sizeof path, "data/triage_x64.dmp"), &d, &err) == PS_OK);
	if (!d)
		return CHECK_DONE();
	CHECK(ps_kernel_open(d, &k, &err) == PS_OK);
	if (!k)
		return CHECK_DONE();
	di = ps_dump_get_info(d);
	CHECK(di->minor_version == 19041);
	nt = ps_kernel_module_named(k, "nt");
	CHECK(nt != NULL);
	if (!nt)
		return CHECK_DONE();

	CHECK(ps_symbols_open(k, NULL, &s, &err) == PS_OK);
	CHECK_STR(ps_symbols_path(s), "");
	for (size_t i = 0; i < ps_kernel_module_count(k); i++) {
		CHECK(ps_symbols_module(s, ps_kernel_module(k, i), 1, &ms) == PS_OK);
		pdb += ms.source == PS_SYMSRC_PDB;
		exports += ms.source == PS_SYMSRC_EXPORTS;
		none += ms.source == PS_SYMSRC_NONE;
	}
	printf("%zu modules: %d pdb, %d exports, %d none\n", ps_kernel_module_count(k), pdb, exports, none);
	CHECK(pdb == 0);
	CHECK_EQ_U64((size_t)(exports + none), ps_kernel_module_count(k));

	/* nt's headers are in the dump; its debug directory is not, so there
	 * is no CodeView record to report. */
	CHECK(ps_symbols_module(s, nt, 1, &ms) == PS_OK);
	{
		ps_kernel_image_reader rd = { k, nt->base, nt->size, PS_OK };
		ps_pe pe;
		uint8_t dbg[28];
		CHECK(ps_pe_parse_headers(ps_kernel_image_read, &rd, &pe, &err) == PS_OK);
		CHECK(ps_kernel_image_read(&rd, pe.directories[PS_PE_DIR_DEBUG].rva, dbg, sizeof dbg) != PS_OK);
	}
	CHECK(ms.have_codeview == 0);
	CHECK(ms.source == PS_SYMSRC_NONE);
	CHECK_STR(ms.note, "*** ERROR: Module load completed but symbols could not be loaded for ntoskrnl.exe");
	CHECK(ps_symbols_lookup(s, "nt!ExAllocatePoolWithTag", &sym) == PS_ENOTFOUND);
	CHECK(ps_symbols_module_pdb(s, nt) == NULL);

	/* The faulting instruction: module+offset, no symbols. */
	if (di->context && di->context_size >= 0x100)
		memcpy(&rip, di->context + 0xF8, 8);
	CHECK_STR(ps_symbols_format(s, rip, buf, sizeof buf), "amdppm+0x334c");
	CHECK_STR(ps_symbols_format(s, nt->base, buf, sizeof buf), "nt");
	CHECK_STR(ps_symbols_format(s, nt->base + 0x10, buf, sizeof buf), "nt+0x10");
	check_fields(s);
	ps_symbols_close(s);
	s = NULL;

	/* An image on the symbol path under nt's timestamp and size. */
	CHECK(mkdtemp(store) != NULL);
	CHECK(ps_symstore_image_key("ntoskrnl.exe", nt->timestamp, (uint32_t)nt->size, key, sizeof key) == PS_OK);
	snprintf(file, sizeof file, "%s/%s", store, key);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", file,
		 check_build_path(image, sizeof image, "lab/images/x64/ntoskrnl.exe"), file);
	CHECK(system(cmd) == 0);
	CHECK(ps_symbols_open(k, store, &s, &err) == PS_OK);
	CHECK(ps_symbols_module(s, nt, 1, &ms) == PS_OK);
	CHECK(ms.have_codeview == 1);
	CHECK_STR(ms.pdb_name, "ntoskrnl.pdb");
	CHECK(ms.source == PS_SYMSRC_EXPORTS);
	CHECK(ps_symbols_lookup(s, "nt!ExAllocatePoolWithTag", &sym) == PS_OK);
	CHECK_EQ_U64(sym.address, nt->base + map_rva("ExAllocatePoolWithTag"));
	ps_symbols_close(s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
	CHECK(system(cmd) == 0);

	ps_kernel_close(k);
	ps_dump_close(d);
	return CHECK_DONE();
}
