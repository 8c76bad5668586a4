/*
 * processes.c - the active process list, as little of it as the pool
 * commands need: each EPROCESS with its pid, image name and session.
 *
 * PsActiveProcessHead (by symbol, else the KDBG slot, formats.md §2.3) heads
 * a LIST_ENTRY chain through EPROCESS.ActiveProcessLinks (formats.md §5.2;
 * offsets from the symbol service). The walk is bounded and checks each
 * link's Blink, so a damaged or looping list ends with a warning and the
 * processes read so far.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/kernel.h"
#include "poolscope/symbols.h"

#define KDBG_PS_ACTIVE_PROCESS_HEAD 0x50
/* Far above any real system; bounds a hostile list. */
#define MAX_PROCESSES 65536

static ps_status field(ps_symbols *syms, const char *name, uint64_t *off, ps_error *err)
{
	if (ps_symbols_field(syms, "_EPROCESS", name, off, NULL) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "no offset for _EPROCESS.%s (no kernel PDB and no built-in layout "
				    "for this build)", name);
	return PS_OK;
}

ps_status ps_kernel_processes(ps_kernel *k, struct ps_symbols *syms, ps_process_entry **out, size_t *count,
			      char *warning, size_t warning_size, ps_error *err)
{
	ps_vm *vm = ps_kernel_vm(k);
	unsigned psize = ps_vm_pointer_size(vm);
	uint64_t off_links, off_pid, off_name, off_session, head = 0, link, prev;
	ps_process_entry *list = NULL;
	size_t n = 0, cap = 0;
	ps_symbol sym;
	ps_status st;

	*out = NULL;
	*count = 0;
	if (warning && warning_size)
		warning[0] = '\0';
	if ((st = field(syms, "ActiveProcessLinks", &off_links, err)) != PS_OK ||
	    (st = field(syms, "UniqueProcessId", &off_pid, err)) != PS_OK ||
	    (st = field(syms, "ImageFileName", &off_name, err)) != PS_OK ||
	    (st = field(syms, "Session", &off_session, err)) != PS_OK)
		return st;
	if (ps_symbols_lookup(syms, "nt!PsActiveProcessHead", &sym) == PS_OK)
		head = sym.address;
	else if (ps_kernel_kdbg_field(k, KDBG_PS_ACTIVE_PROCESS_HEAD, &head) != PS_OK || head == 0)
		return ps_error_set(err, PS_ENOTFOUND, "nt!PsActiveProcessHead: no symbol and no KDBG");
	if ((st = ps_vm_read_ptr(vm, head, &link, err)) != PS_OK)
		return st;
	prev = head;
	while (link != head) {
		uint64_t eprocess = link - off_links, blink, next;
		ps_process_entry *e;

		if (n >= MAX_PROCESSES) {
			if (warning)
				snprintf(warning, warning_size, "process list longer than %u entries: stopped",
					 MAX_PROCESSES);
			break;
		}
		/* A link whose Blink does not point back is a damaged or foreign
		 * list: stop there rather than follow it. */
		if (ps_vm_read_ptr(vm, link + psize, &blink, NULL) != PS_OK || blink != prev ||
		    ps_vm_read_ptr(vm, link, &next, NULL) != PS_OK) {
			if (warning)
				snprintf(warning, warning_size, "process list broken at %#llx: stopped after %zu processes",
					 (unsigned long long)link, n);
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			ps_process_entry *nl = realloc(list, ncap * sizeof *nl);
			if (!nl) {
				free(list);
				return ps_error_set(err, PS_ENOMEM, "process list: out of memory at %zu entries", n);
			}
			list = nl;
			cap = ncap;
		}
		e = &list[n];
		memset(e, 0, sizeof *e);
		e->eprocess = eprocess;
		ps_vm_read_ptr(vm, eprocess + off_pid, &e->pid, NULL);
		ps_vm_read_ptr(vm, eprocess + off_session, &e->session_space, NULL);
		if (ps_vm_read(vm, eprocess + off_name, e->name, 15, NULL, NULL) != PS_OK)
			e->name[0] = '\0';
		e->name[15] = '\0';
		n++;
		prev = link;
		link = next;
	}
	*out = list;
	*count = n;
	return PS_OK;
}
