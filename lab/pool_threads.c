/*
 * pool_threads.c - thread objects: the scenario's `threads` lines.
 *
 * A thread object is one nonpaged pool block (formats.md §4.1-4.2):
 * POOL_HEADER, OBJECT_HEADER_QUOTA_INFO (InfoMask 0x08) when the thread is
 * charged to a process, OBJECT_HEADER, then the ETHREAD whose first member
 * is the KTHREAD (§5.3-5.4). On Windows 7 x86 that is 8 + 0x10 + 0x18 +
 * 0x2B8 = 0x2E8 bytes with the KTHREAD 0x30 into the block, exactly the
 * seed's `!pool 8ab94030`: block 8ab94000, size 2e8. Threads of the System
 * process are not charged (no quota header): 0x2D8 bytes, the seed's one
 * odd block (*89bc1b48 size: 2d8) - and 90 of them make the seed's Thre
 * total come out exact (1908238 x 0x2E8 + 90 x 0x2D8 = 1419794592).
 * The tag is 'Thr\xE5' (protected bit) before Windows 8, 'Thre' after
 * (§3.2); the OBJECT_HEADER TypeIndex is 8 (§4.3), encoded on Windows 10.
 *
 * Live threads are linked into their process's two thread lists
 * (KPROCESS.ThreadListHead via KTHREAD.ThreadListEntry, EPROCESS.
 * ThreadListHead via ETHREAD.ThreadListEntry) and counted in
 * EPROCESS.ActiveThreads. Terminated threads are not: Windows unlinks a
 * thread when it exits (PspExitThread, KeTerminateThread in ReactOS), and
 * the object lives on only because a handle still references it - the
 * seed's TestApp.exe case, found by !poolfind and the handle table, not by
 * the process's thread list. Their list entries keep a stale pointer to
 * the list head. State 4 (Terminated), CrossThreadFlags bit 0.
 *
 * Kernel stack fields hold plausible addresses that are not mapped.
 */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define THREAD_SAMPLES_PER_LINE 8

typedef struct proc_links {
	uint64_t last_ethread;      /* last live thread linked, 0 = none */
	uint64_t live;
} proc_links;

static void put_ptr(uint8_t *dst, int is64, uint64_t v)
{
	if (is64)
		ps_put_le64(dst, v);
	else
		ps_put_le32(dst, (uint32_t)v);
}

static ps_status keep_sample(lab *l, const lab_thread *t, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	if (ps->thread_count == ps->thread_cap) {
		size_t cap = ps->thread_cap ? ps->thread_cap * 2 : 64;
		lab_thread *n = realloc(ps->threads, cap * sizeof *n);
		if (!n)
			return ps_error_set(err, PS_ENOMEM, "threads: out of memory");
		ps->threads = n;
		ps->thread_cap = cap;
	}
	ps->threads[ps->thread_count++] = *t;
	return PS_OK;
}

static int pid_taken(const lab *l, uint64_t id)
{
	for (size_t i = 0; i < l->process_count; i++)
		if (l->processes[i].spec->pid == id)
			return 1;
	return 0;
}

/* Link a live thread after the process's last live one (or the head). */
static ps_status link_thread(lab *l, const lab_process *pr, proc_links *pl, uint64_t ethread, ps_error *err)
{
	const lab_profile *p = &l->prof;
	unsigned psz = lab_ptr_size(&l->pg);
	uint64_t kt_head = pr->eprocess + p->kprocess_thread_list;
	uint64_t et_head = pr->eprocess + p->ep_thread_list;
	uint64_t kt_prev = pl->last_ethread ? pl->last_ethread + p->kt_thread_list : kt_head;
	uint64_t et_prev = pl->last_ethread ? pl->last_ethread + p->et_thread_list : et_head;
	ps_status st;

	/* prev->Flink = new; new->Blink = prev; new->Flink = head; head->Blink = new */
	if ((st = lab_vwrite_ptr(&l->pg, kt_prev, ethread + p->kt_thread_list, err)) != PS_OK ||
	    (st = lab_vwrite_ptr(&l->pg, et_prev, ethread + p->et_thread_list, err)) != PS_OK ||
	    (st = lab_write_list_head(l, ethread + p->kt_thread_list, kt_head, kt_prev, err)) != PS_OK ||
	    (st = lab_write_list_head(l, ethread + p->et_thread_list, et_head, et_prev, err)) != PS_OK ||
	    (st = lab_vwrite_ptr(&l->pg, kt_head + psz, ethread + p->kt_thread_list, err)) != PS_OK ||
	    (st = lab_vwrite_ptr(&l->pg, et_head + psz, ethread + p->et_thread_list, err)) != PS_OK)
		return st;
	pl->last_ethread = ethread;
	pl->live++;
	return PS_OK;
}

static ps_status make_thread(lab *l, size_t proc, const lab_thread_spec *spec, uint64_t tid, uint64_t k,
			     lab_thread *out, ps_error *err)
{
	const lab_profile *p = &l->prof;
	const lab_process *pr = &l->processes[proc];
	int is64 = lab_arch_is_64(l->sc.arch);
	unsigned psz = is64 ? 8 : 4;
	int quota = pr->spec->pid != 4;
	uint32_t qsize = quota ? p->obj_quota_size : 0;
	uint32_t body_off = qsize + p->obj_body;          /* from the end of the pool header */
	uint32_t request = body_off + p->et_size;
	uint8_t buf[0x20 + 0x30 + 0x900];
	uint8_t *oh = buf + qsize, *et = buf + body_off;
	uint64_t block, data, ethread, stack;
	uint64_t created = l->sc.system_time - l->sc.uptime / 2 + k * 1000;
	uint8_t type_index = p->thread_type_index;
	ps_status st;

	if (request > sizeof buf)
		return ps_error_set(err, PS_EARG, "thread object of 0x%x bytes", request);
	if ((st = lab_pool_allocate(l, LAB_POOL_NONPAGED, 0, p->thread_tag, request, "nt", 0, &block, err)) != PS_OK)
		return st;
	data = block + p->pool_header;
	ethread = data + body_off;
	memset(buf, 0, request);
	if (quota)
		ps_put_le32(buf + 4, p->et_size);           /* QUOTA_INFO.NonPagedPoolCharge */
	put_ptr(oh, is64, spec->terminated ? 1 : 3);       /* PointerCount */
	put_ptr(oh + psz, is64, 1);                        /* HandleCount */
	if (p->type_index_encoded)
		type_index ^= l->ob_header_cookie ^ (uint8_t)((data + qsize) >> 8);
	oh[p->obj_type_index] = type_index;
	oh[p->obj_info_mask] = quota ? 0x08 : 0;
	/* KTHREAD */
	et[0] = 6;                                          /* ThreadObject */
	if (p->kt_size / 4 <= 0xFF)
		et[2] = (uint8_t)(p->kt_size / 4);
	stack = (is64 ? 0xFFFFF88003000000ull : 0x9B000000ull) + (k % 0x3000) * (is64 ? 0x8000 : 0x4000);
	put_ptr(et + p->kt_stack_base, is64, stack);
	put_ptr(et + p->kt_stack_limit, is64, stack - (is64 ? 0x6000 : 0x3000));
	put_ptr(et + p->kt_kernel_stack, is64, stack - 0x408);
	put_ptr(et + p->kt_initial_stack, is64, spec->terminated ? 0 : stack - 0x30);
	et[p->kt_state] = spec->terminated ? 4 : 5;        /* Terminated / Waiting */
	et[p->kt_wait_reason] = spec->terminated ? 0 : pr->spec->pid == 4 ? 15 : 6;  /* WrQueue / UserRequest */
	put_ptr(et + p->kt_process, is64, pr->eprocess);
	put_ptr(et + p->kt_apc_process, is64, pr->eprocess);
	if (!spec->terminated && pr->spec->pid != 4)
		put_ptr(et + p->kt_teb, is64, (is64 ? 0x7FFFFFDE000ull : 0x7FFDE000ull) - 0x1000 * (k % 64));
	/* ETHREAD */
	ps_put_le64(et + p->et_create_time, created);
	if (spec->terminated)
		ps_put_le64(et + p->et_exit_time, created + 150000);
	put_ptr(et + p->et_start, is64, spec->start);
	put_ptr(et + p->et_win32_start, is64, spec->start);
	put_ptr(et + p->et_cid, is64, pr->spec->pid);
	put_ptr(et + p->et_cid + psz, is64, tid);
	ps_put_le32(et + p->et_cross_flags, spec->terminated ? 1 : 0);
	/* Stale links of an exited thread: the list head it was removed from. */
	put_ptr(et + p->kt_thread_list, is64, pr->eprocess + p->kprocess_thread_list);
	put_ptr(et + p->kt_thread_list + psz, is64, pr->eprocess + p->kprocess_thread_list);
	put_ptr(et + p->et_thread_list, is64, pr->eprocess + p->ep_thread_list);
	put_ptr(et + p->et_thread_list + psz, is64, pr->eprocess + p->ep_thread_list);
	if ((st = lab_vwrite(&l->pg, 0, data, buf, request, err)) != PS_OK)
		return st;
	out->block = block;
	out->object_header = data + qsize;
	out->ethread = ethread;
	out->pid = pr->spec->pid;
	out->tid = tid;
	out->process = proc;
	out->terminated = spec->terminated;
	out->quota = quota;
	return PS_OK;
}

ps_status lab_build_threads(lab *l, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	proc_links *links;
	uint64_t tid = 8;
	ps_status st = PS_OK;

	if (l->sc.thread_count == 0)
		return PS_OK;
	links = calloc(l->process_count ? l->process_count : 1, sizeof *links);
	if (!links)
		return ps_error_set(err, PS_ENOMEM, "threads: out of memory");
	for (size_t i = 0; i < l->sc.thread_count && st == PS_OK; i++) {
		const lab_thread_spec *spec = &l->sc.threads[i];
		uint64_t n = lab_scaled(&l->sc, spec->count);
		size_t proc = l->process_count;
		for (size_t k = 0; k < l->process_count; k++)
			if (l->processes[k].spec->pid == spec->pid)
				proc = k;
		if (proc == l->process_count) {
			st = ps_error_set(err, PS_EARG, "%s:%d: threads: no process %s", l->scn_name, spec->line,
					  spec->process);
			break;
		}
		for (uint64_t k = 0; k < n; k++) {
			lab_thread t;
			do
				tid += 4;
			while (pid_taken(l, tid));
			if ((st = make_thread(l, proc, spec, tid, ps->threads_total, &t, err)) != PS_OK) {
				ps_error_prefix(err, "%s:%d: threads: ", l->scn_name, spec->line);
				break;
			}
			if (!spec->terminated && (st = link_thread(l, &l->processes[proc], &links[proc], t.ethread, err)) != PS_OK)
				break;
			ps->threads_total++;
			ps->threads_terminated += spec->terminated != 0;
			/* The truth keeps the first threads of each line and the last. */
			if (k < THREAD_SAMPLES_PER_LINE - 1 || k + 1 == n)
				if ((st = keep_sample(l, &t, err)) != PS_OK)
					break;
		}
	}
	for (size_t i = 0; i < l->process_count && st == PS_OK; i++) {
		if (links[i].live)
			st = lab_write_u32(l, l->processes[i].eprocess + l->prof.ep_active_threads, (uint32_t)links[i].live, err);
	}
	free(links);
	return st;
}
