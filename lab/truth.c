/*
 * truth.c - the truth file: a JSON record of everything the lab put in the
 * dump and where, for reader tests to compare against (docs/lab.md lists
 * the fields). Addresses are strings "0x..." so that 64-bit values survive
 * JSON readers that use doubles (jq, JavaScript); counts are numbers.
 */
#include "pool.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
	return json_string(b);
}

static json_t *bytes_hex(const uint8_t *p, size_t n)
{
	char b[2 * 64 + 1];
	for (size_t i = 0; i < n && i < 64; i++)
		snprintf(b + 2 * i, 3, "%02x", p[i]);
	b[2 * (n < 64 ? n : 64)] = '\0';
	return json_string(b);
}

static int pfn_in_dump(const lab *l, uint64_t pfn)
{
	if (!lab_phys_is_ram(l->pm, pfn))
		return 0;
	if (l->dump_type == 1)
		return 1;
	return lab_phys_is_used(l->pm, pfn) && !lab_phys_is_user(l->pm, pfn);
}

static const char *state_name(lab_pte_state s, uint64_t pte)
{
	switch (s) {
	case LAB_VA_VALID: return "valid";
	case LAB_VA_TRANSITION: return "transition";
	case LAB_VA_PAGEFILE: return "pagefile";
	case LAB_VA_PROTOTYPE: return "prototype";
	case LAB_VA_DEMANDZERO: return pte ? "demandzero" : "invalid";
	case LAB_VA_UNMAPPED: return "invalid";
	}
	return "invalid";
}

static json_t *probe_json(const lab *l, const lab_probe *p)
{
	json_t *o = json_object();
	lab_walk w;

	lab_walk_va(&l->pg, p->space, p->va, &w);
	json_object_set_new(o, "what", json_string(p->what));
	json_object_set_new(o, "va", hex(p->va));
	json_object_set_new(o, "space", p->space ? json_string("process") : json_string("kernel"));
	if (p->space)
		json_object_set_new(o, "pid", json_integer((json_int_t)p->pid));
	json_object_set_new(o, "dtb", hex(l->pg.dtb[p->space]));
	json_object_set_new(o, "state", json_string(state_name(w.state, w.pte)));
	json_object_set_new(o, "level", json_integer(w.level));
	json_object_set_new(o, "entry", hex(w.pte));
	json_object_set_new(o, "entry_pa", hex(w.pte_pa));
	if (w.state == LAB_VA_VALID || w.state == LAB_VA_TRANSITION) {
		uint8_t b[16];
		lab_phys_read(l->pm, w.pa, b, sizeof b);
		json_object_set_new(o, "pa", hex(w.pa));
		json_object_set_new(o, "large_page", json_boolean(w.large));
		json_object_set_new(o, "in_dump", json_boolean(pfn_in_dump(l, w.pa / 4096)));
		json_object_set_new(o, "bytes", bytes_hex(b, sizeof b));
	} else {
		json_object_set_new(o, "in_dump", json_false());
	}
	return o;
}

static json_t *phys_probe(const lab *l, uint64_t pfn, const char *what)
{
	json_t *o = json_object();
	uint8_t b[16];
	json_object_set_new(o, "what", json_string(what));
	json_object_set_new(o, "pa", hex(pfn * 4096));
	json_object_set_new(o, "in_ram", json_boolean(lab_phys_is_ram(l->pm, pfn)));
	json_object_set_new(o, "in_dump", json_boolean(pfn_in_dump(l, pfn)));
	if (pfn_in_dump(l, pfn)) {
		lab_phys_read(l->pm, pfn * 4096, b, sizeof b);
		json_object_set_new(o, "bytes", bytes_hex(b, sizeof b));
	}
	return o;
}

static json_t *regs_json(const lab *l)
{
	static const char *const x86[] = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
					   "eip", "efl", "cs", "ss", "ds", "es", "fs", "gs", NULL };
	static const char *const x64[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
					   "rip", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
					   "r15", "efl", "cs", "ss", "ds", "es", "fs", "gs", NULL };
	/* Defaults as dump_write.c fills them. */
	static const uint64_t d86[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x246, 0x08, 0x10, 0x23, 0x23, 0x30, 0 };
	static const uint64_t d64[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x286,
					0x10, 0x18, 0x2B, 0x2B, 0x53, 0x2B };
	int is64 = lab_arch_is_64(l->sc.arch);
	const char *const *names = is64 ? x64 : x86;
	json_t *o = json_object();
	for (int i = 0; names[i]; i++)
		json_object_set_new(o, names[i], hex(lab_reg_value(l, names[i], is64 ? d64[i] : d86[i])));
	return o;
}

static void set_global(json_t *o, const lab *l, const char *key, const char *name)
{
	for (size_t i = 0; i < l->global_count; i++) {
		if (strcmp(l->globals[i].name, name) == 0) {
			json_object_set_new(o, key, hex(l->globals[i].va));
			return;
		}
	}
}

ps_status lab_write_truth(lab *l, const char *path, ps_error *err)
{
	json_t *root = json_object(), *a, *o;
	int is64 = lab_arch_is_64(l->sc.arch);
	uint64_t total = lab_scenario_total_pages(&l->sc);

	json_object_set_new(root, "format", json_string("poolscope-lab-truth"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "scenario", json_string(l->scn_name));
	json_object_set_new(root, "arch", json_string(lab_arch_name(l->sc.arch)));
	json_object_set_new(root, "build", json_integer(l->sc.build));
	json_object_set_new(root, "pointer_size", json_integer(is64 ? 8 : 4));
	json_object_set_new(root, "pae", json_boolean(l->sc.arch == LAB_ARCH_X86_PAE));
	json_object_set_new(root, "processors", json_integer(l->sc.processors));
	json_object_set_new(root, "seed", hex(l->sc.seed));
	json_object_set_new(root, "nt_build_lab", json_string(l->sc.build_lab));
	json_object_set_new(root, "service_pack", json_integer(l->sc.service_pack));

	o = json_object();
	json_object_set_new(o, "type", json_integer(l->dump_type));
	json_object_set_new(o, "header_size", hex(is64 ? 0x2000 : 0x1000));
	json_object_set_new(o, "file_size", json_integer((json_int_t)l->file_size));
	json_object_set_new(o, "pages_stored", json_integer((json_int_t)l->dump_pages));
	json_object_set_new(o, "system_time", hex(l->sc.system_time));
	json_object_set_new(o, "system_uptime", hex(l->sc.uptime));
	json_object_set_new(root, "dump", o);

	json_object_set_new(root, "dtb", hex(l->processes[0].dtb));
	json_object_set_new(root, "dtb_raw", hex(l->processes[0].dtb_raw));
	json_object_set_new(root, "kernel_base", hex(l->kernel->img.base));
	json_object_set_new(root, "kdbg", hex(l->kdbg_va));
	json_object_set_new(root, "kdbg_size", hex(l->prof.kdbg_size));
	json_object_set_new(root, "kdbg_encoded", json_boolean(l->sc.kdbg_encoded));
	if (l->sc.kdbg_encoded) {
		o = json_object();
		json_object_set_new(o, "ki_wait_never", hex(l->kdbg_wait_never));
		json_object_set_new(o, "ki_wait_always", hex(l->kdbg_wait_always));
		json_object_set_new(o, "kdp_data_block_encoded", hex(l->kdbg_block_encoded_va));
		json_object_set_new(root, "kdbg_encoding", o);
	}
	set_global(root, l, "ps_loaded_module_list", "PsLoadedModuleList");
	set_global(root, l, "ps_active_process_head", "PsActiveProcessHead");
	set_global(root, l, "kd_version_block", "KdVersionBlock");
	json_object_set_new(root, "pfn_database", hex(l->pfn_database));
	json_object_set_new(root, "pte_base", hex(l->pg.pte_base));
	json_object_set_new(root, "selfmap_index", hex(l->pg.selfmap_index));
	if (l->prof.type_index_encoded)
		json_object_set_new(root, "ob_header_cookie", hex(l->ob_header_cookie));

	o = json_object();
	json_object_set_new(o, "start", hex(l->boot_region_start));
	json_object_set_new(o, "end", hex(l->boot_region_end));
	json_object_set_new(o, "pa", hex(l->boot_region_pa));
	json_object_set_new(o, "large_page_size", hex(lab_large_page_size(&l->pg)));
	json_object_set_new(root, "boot_region", o);

	o = json_object();
	{
		const lab_region *rs[] = { &l->nonpaged, &l->paged, &l->session };
		for (int i = 0; i < 3; i++) {
			json_t *r = json_object();
			json_object_set_new(r, "start", hex(rs[i]->base));
			json_object_set_new(r, "end", hex(rs[i]->end));
			json_t *ex = json_array();
			json_object_set_new(r, "used_end", hex(rs[i]->next));
			/* Regions grow in extents around images and each other. */
			for (size_t k = 0; k < rs[i]->extent_count; k++) {
				json_t *e = json_array();
				json_array_append_new(e, hex(rs[i]->extents[k].start));
				json_array_append_new(e, hex(rs[i]->extents[k].end));
				json_array_append_new(ex, e);
			}
			json_object_set_new(r, "extents", ex);
			json_object_set_new(r, "pages", json_integer((json_int_t)rs[i]->pages));
			json_object_set_new(o, rs[i]->name, r);
		}
	}
	json_object_set_new(root, "regions", o);

	o = json_object();
	a = json_array();
	for (size_t i = 0; i < l->sc.run_count; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "base_page", hex(l->sc.runs[i].base_page));
		json_object_set_new(r, "page_count", hex(l->sc.runs[i].page_count));
		json_object_set_new(r, "start", hex(l->sc.runs[i].base_page * 4096));
		json_object_set_new(r, "end", hex((l->sc.runs[i].base_page + l->sc.runs[i].page_count) * 4096));
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "runs", a);
	json_object_set_new(o, "total_pages", json_integer((json_int_t)total));
	json_object_set_new(o, "max_page", hex(lab_scenario_max_page(&l->sc)));
	json_object_set_new(o, "pages_used_by_lab", json_integer((json_int_t)lab_phys_used_count(l->pm)));
	json_object_set_new(root, "physical_memory", o);

	o = json_object();
	json_object_set_new(o, "MmNumberOfPhysicalPages", json_integer((json_int_t)total));
	for (size_t i = 0; i < l->sc.counter_count; i++)
		json_object_set_new(o, l->sc.counters[i].name, json_integer((json_int_t)l->sc.counters[i].value));
	json_object_set_new(root, "mm", o);

	a = json_array();
	for (size_t i = 0; i < l->module_count; i++) {
		const lab_module *m = &l->modules[i];
		json_t *r = json_object();
		json_object_set_new(r, "name", json_string(m->spec->name));
		json_object_set_new(r, "file", json_string(m->spec->file));
		json_object_set_new(r, "path", json_string(m->spec->path));
		json_object_set_new(r, "base", hex(m->img.base));
		json_object_set_new(r, "end", hex(m->img.base + m->img.size_of_image));
		json_object_set_new(r, "size", hex(m->img.size_of_image));
		json_object_set_new(r, "timestamp", hex(m->img.timestamp));
		json_object_set_new(r, "checksum", hex(m->img.checksum));
		json_object_set_new(r, "entry_point", hex(m->img.entry_rva ? m->img.base + m->img.entry_rva : 0));
		json_object_set_new(r, "ldr_entry", hex(m->ldr_entry));
		json_object_set_new(r, "large_pages", json_boolean(m->in_boot_region));
		if (m->img.pdb_path[0])
			json_object_set_new(r, "pdb_path", json_string(m->img.pdb_path));
		/* The symbol-store keys (symstore.c): image and, with a CodeView
		 * record, the PDB's GUID and age. */
		{
			char key[48];
			lab_image_file_key(&m->img, key);
			json_object_set_new(r, "image_key", json_string(key));
			if (lab_image_pdb_key(&m->img, key) == 0) {
				char guid[40];
				lab_image_pdb_guid(&m->img, guid);
				json_object_set_new(r, "pdb_guid", json_string(guid));
				json_object_set_new(r, "pdb_age", json_integer((json_int_t)m->img.pdb_age));
				json_object_set_new(r, "pdb_key", json_string(key));
			}
		}
		json_array_append_new(a, r);
	}
	json_object_set_new(root, "modules", a);

	/* nt!MmUnloadedDrivers (unloaded.c): entries most recent first, the
	 * order WinDbg's lm lists them, with the record layout written. */
	if (l->unloaded_ring) {
		o = json_object();
		json_object_set_new(o, "ring", hex(l->unloaded_ring));
		json_object_set_new(o, "last_index", json_integer((json_int_t)l->sc.unloaded_count));
		json_object_set_new(o, "record_size", hex(is64 ? 0x28 : 0x18));
		json_object_set_new(o, "layout", json_string(is64 ? "Name@0 StartAddress@0x10 EndAddress@0x18 CurrentTime@0x20"
								   : "Name@0 StartAddress@8 EndAddress@0xC CurrentTime@0x10"));
		a = json_array();
		for (size_t i = l->sc.unloaded_count; i-- > 0;) {
			const lab_unloaded_spec *u = &l->sc.unloaded[i];
			json_t *r = json_object();
			json_object_set_new(r, "name", json_string(u->name));
			json_object_set_new(r, "start", hex(u->start));
			json_object_set_new(r, "end", hex(u->end));
			json_object_set_new(r, "slot", json_integer((json_int_t)i));
			json_array_append_new(a, r);
		}
		json_object_set_new(o, "entries", a);
		json_object_set_new(root, "unloaded", o);
	}

	a = json_array();
	for (size_t i = 0; i < l->process_count; i++) {
		const lab_process *p = &l->processes[i];
		json_t *r = json_object();
		json_object_set_new(r, "name", json_string(p->spec->name));
		json_object_set_new(r, "pid", json_integer((json_int_t)p->spec->pid));
		json_object_set_new(r, "parent", json_integer((json_int_t)p->spec->parent));
		if (p->spec->session != LAB_NO_SESSION) {
			json_object_set_new(r, "session", json_integer(p->spec->session));
			json_object_set_new(r, "session_space", hex(p->session_space));
		} else {
			json_object_set_new(r, "session", json_null());
		}
		json_object_set_new(r, "eprocess", hex(p->eprocess));
		json_object_set_new(r, "object_header", hex(p->object_header));
		json_object_set_new(r, "dtb", hex(p->dtb));
		json_object_set_new(r, "dtb_raw", hex(p->dtb_raw));
		json_object_set_new(r, "peb", hex(p->spec->peb));
		json_array_append_new(a, r);
	}
	json_object_set_new(root, "processes", a);

	o = json_object();
	json_object_set_new(o, "code", hex(l->sc.bugcheck_code));
	a = json_array();
	for (int i = 0; i < 4; i++)
		json_array_append_new(a, hex(l->sc.bugcheck_params[i]));
	json_object_set_new(o, "params", a);
	json_object_set_new(root, "bugcheck", o);
	json_object_set_new(root, "context", regs_json(l));

	o = json_object();
	for (size_t i = 0; i < l->global_count; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "va", hex(l->globals[i].va));
		json_object_set_new(g, "from_image", json_boolean(l->globals[i].from_image));
		json_object_set_new(o, l->globals[i].name, g);
	}
	json_object_set_new(root, "globals", o);

	a = json_array();
	for (size_t i = 0; i < l->tag_hit_count; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "tag", json_string("MSKK"));
		json_object_set_new(r, "module", json_string(l->tag_hits[i].module));
		json_object_set_new(r, "va", hex(l->tag_hits[i].va));
		json_array_append_new(a, r);
	}
	json_object_set_new(root, "tag_hits", a);

	a = json_array();
	for (size_t i = 0; i < l->probe_count; i++)
		json_array_append_new(a, probe_json(l, &l->probes[i]));
	json_object_set_new(root, "probes", a);

	a = json_array();
	json_array_append_new(a, phys_probe(l, 0, "page 0"));
	for (size_t i = 0; i + 1 < l->sc.run_count; i++) {
		uint64_t end = l->sc.runs[i].base_page + l->sc.runs[i].page_count;
		json_array_append_new(a, phys_probe(l, end - 1, "last page of a run"));
		json_array_append_new(a, phys_probe(l, end, "first page of a hole"));
		json_array_append_new(a, phys_probe(l, l->sc.runs[i + 1].base_page, "first page of the next run"));
	}
	json_array_append_new(a, phys_probe(l, l->processes[0].dtb / 4096, "System page directory"));
	json_object_set_new(root, "phys_probes", a);

	lab_pool_truth(l, root);

	if (json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0) {
		json_decref(root);
		return ps_error_set(err, PS_EIO, "%s: cannot write the truth file", path);
	}
	json_decref(root);
	return PS_OK;
}
