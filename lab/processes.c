/*
 * processes.c - the process list: nt!PsActiveProcessHead and one EPROCESS
 * per scenario process (formats.md §5.1-5.2), each with its own address
 * space sharing the kernel half.
 *
 * Each EPROCESS is the body of a Process object in a nonpaged pool block:
 * POOL_HEADER, OBJECT_HEADER_QUOTA_INFO, OBJECT_HEADER, body (formats.md
 * §4.1-4.2; the same block shape as the seed's thread objects, where the
 * body starts 0x30 into the x86 block). On Windows 10 the header's TypeIndex
 * is stored encoded with nt!ObHeaderCookie (§4.3).
 *
 * Sessions: EPROCESS.Session points at the session's MM_SESSION_SPACE,
 * whose SessionId the lab writes at +8 (ReferenceCount @0, u @4, SessionId
 * @8 in the 7601 and 17763 type data, Vergilius Project; not in formats.md).
 */
#include "lab.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

#define PTE_USER (LAB_PTE_RW | LAB_PTE_US | LAB_PTE_A | LAB_PTE_D | 0x800 | LAB_PTE_NX)

static void put_ptr(uint8_t *dst, int is64, uint64_t v)
{
	if (is64)
		ps_put_le64(dst, v);
	else
		ps_put_le32(dst, (uint32_t)v);
}

static ps_status session_space(lab *l, uint32_t id, uint64_t *va, ps_error *err)
{
	ps_status st;
	for (size_t i = 0; i < l->process_count; i++) {
		if (l->processes[i].spec->session == id && l->processes[i].session_space) {
			*va = l->processes[i].session_space;
			return PS_OK;
		}
	}
	/* MM_SESSION_SPACE is page aligned, as the seed's "Session ID 0 @
	 * 8fe87000", and as large as the build's type (profile.c). */
	uint64_t gap;
	if ((st = lab_region_pages(l, &l->session, (l->prof.ss_size + 4095) / 4096, va, err)) != PS_OK)
		return st;
	/* Sessions sit apart: 0x13000 from one to the next on x86, as the
	 * seed's 8fe87000 and 8fe9a000. */
	if ((st = lab_region_va(l, &l->session, 0x11, &gap, err)) != PS_OK)
		return st;
	if ((st = lab_write_u32(l, *va, 1, err)) != PS_OK)
		return st;
	return lab_write_u32(l, *va + 8, id, err);
}

/* The PEB page: a user page of the process, left out of kernel dumps. */
static ps_status make_peb(lab *l, lab_process *pr, ps_error *err)
{
	int is64 = lab_arch_is_64(l->sc.arch);
	uint8_t peb[0x20] = { 0 };
	uint64_t pfn;
	ps_status st;

	if ((st = lab_phys_alloc(l->pm, &pfn, err)) != PS_OK)
		return st;
	lab_phys_set_user(l->pm, pfn);
	if ((st = lab_map_page(&l->pg, pr->space, pr->spec->peb, pfn * 4096, PTE_USER, err)) != PS_OK)
		return st;
	/* PEB.Mutant = -1 and PEB.ImageBaseAddress (x86 @4/@8, x64 @8/@0x10),
	 * so the page is recognisable in the truth file's probe bytes. */
	if (is64) {
		ps_put_le64(peb + 8, UINT64_MAX);
		ps_put_le64(peb + 0x10, 0x13F000000ull + (pr->spec->pid << 16));
	} else {
		ps_put_le32(peb + 4, UINT32_MAX);
		ps_put_le32(peb + 8, 0x00400000);
	}
	return lab_vwrite(&l->pg, pr->space, pr->spec->peb, peb, sizeof peb, err);
}

static ps_status make_process(lab *l, lab_process *pr, size_t index, ps_error *err)
{
	const lab_profile *p = &l->prof;
	int is64 = lab_arch_is_64(l->sc.arch);
	unsigned ps = is64 ? 8 : 4;
	uint32_t hdr = p->obj_quota_size + p->obj_body;
	uint8_t buf[0x20 + 0x30 + 0x850];
	uint8_t *oh = buf + p->obj_quota_size, *ep = buf + hdr;
	uint64_t block, eprocess;
	uint8_t type_index = p->process_type_index;
	ps_status st;

	if (index == 0) {
		pr->space = 0;
	} else if ((st = lab_paging_new_space(&l->pg, &pr->space, err)) != PS_OK) {
		return st;
	}
	pr->dtb = l->pg.dtb[pr->space];
	pr->dtb_raw = pr->dtb | p->dtb_low_bits;
	if (pr->spec->session != LAB_NO_SESSION &&
	    (st = session_space(l, pr->spec->session, &pr->session_space, err)) != PS_OK)
		return st;
	if ((st = lab_pool_alloc(l, &l->nonpaged, p->process_tag, hdr + p->ep_size, &block, err)) != PS_OK)
		return st;
	eprocess = block + hdr;
	pr->eprocess = eprocess;
	pr->object_header = block + p->obj_quota_size;
	memset(buf, 0, sizeof buf);
	/* OBJECT_HEADER_QUOTA_INFO: NonPagedPoolCharge @4. */
	ps_put_le32(buf + 4, p->ep_size);
	/* OBJECT_HEADER: PointerCount, HandleCount, TypeIndex, InfoMask. */
	put_ptr(oh, is64, 3);
	put_ptr(oh + ps, is64, 1);
	if (p->type_index_encoded)
		type_index ^= l->ob_header_cookie ^ (uint8_t)(pr->object_header >> 8);
	oh[p->obj_type_index] = type_index;
	oh[p->obj_info_mask] = 0x08;          /* QUOTA_INFO */
	/* KPROCESS: Header.Type = ProcessObject (3), Header.Size in dwords. */
	ep[0] = 3;
	ep[2] = (uint8_t)(p->kprocess_size / 4);
	put_ptr(ep + p->kprocess_dtb, is64, pr->dtb_raw);
	put_ptr(ep + p->kprocess_thread_list, is64, eprocess + p->kprocess_thread_list);
	put_ptr(ep + p->kprocess_thread_list + ps, is64, eprocess + p->kprocess_thread_list);
	put_ptr(ep + p->ep_thread_list, is64, eprocess + p->ep_thread_list);
	put_ptr(ep + p->ep_thread_list + ps, is64, eprocess + p->ep_thread_list);
	/* Processes start a little after boot, in scenario order. */
	ps_put_le64(ep + p->ep_create_time, l->sc.system_time - l->sc.uptime + index * 31250000ull);
	put_ptr(ep + p->ep_pid, is64, pr->spec->pid);
	put_ptr(ep + p->ep_parent_pid, is64, pr->spec->parent);
	put_ptr(ep + p->ep_session, is64, pr->session_space);
	put_ptr(ep + p->ep_peb, is64, pr->spec->peb);
	put_ptr(ep + p->ep_object_table, is64, 0);   /* handle tables: next version */
	memcpy(ep + p->ep_image_name, pr->spec->name, strlen(pr->spec->name));
	if ((st = lab_vwrite(&l->pg, 0, block, buf, hdr + p->ep_size, err)) != PS_OK)
		return st;
	if (pr->spec->peb && (st = make_peb(l, pr, err)) != PS_OK)
		return st;
	return PS_OK;
}

ps_status lab_build_processes(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	uint64_t head, cookie_va;
	ps_status st;

	if (p->type_index_encoded) {
		l->ob_header_cookie = (uint8_t)(lab_phys_random(l->pm) | 1);
		if ((st = lab_global_va(l, "ObHeaderCookie", 1, &cookie_va, err)) != PS_OK ||
		    (st = lab_vwrite(&l->pg, 0, cookie_va, &l->ob_header_cookie, 1, err)) != PS_OK)
			return st;
	}
	if ((st = lab_global_va(l, "PsActiveProcessHead", 16, &head, err)) != PS_OK)
		return st;
	for (size_t i = 0; i < l->sc.process_count; i++) {
		lab_process *pr = &l->processes[i];
		memset(pr, 0, sizeof *pr);
		pr->spec = &l->sc.processes[i];
		if ((st = make_process(l, pr, i, err)) != PS_OK)
			return ps_error_prefix(err, "%s:%d: process %s: ", l->scn_name, pr->spec->line, pr->spec->name);
		l->process_count++;
	}
	for (size_t i = 0; i < l->process_count; i++) {
		uint64_t links = l->processes[i].eprocess + p->ep_links;
		uint64_t prev = i ? l->processes[i - 1].eprocess + p->ep_links : head;
		uint64_t next = i + 1 < l->process_count ? l->processes[i + 1].eprocess + p->ep_links : head;
		if ((st = lab_write_list_head(l, links, next, prev, err)) != PS_OK)
			return st;
	}
	if (l->process_count == 0)
		return lab_write_list_head(l, head, head, head, err);
	return lab_write_list_head(l, head, l->processes[0].eprocess + p->ep_links,
				   l->processes[l->process_count - 1].eprocess + p->ep_links, err);
}
