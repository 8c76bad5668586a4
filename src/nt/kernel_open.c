/*
 * kernel_open.c - opening the kernel view of a dump, and its accessors.
 *
 * Order matters: the kernel address space first (everything else reads
 * through it), then KDBG (it names the module list and the kernel base),
 * then the modules. Only a dump with no address space at all fails; every
 * later problem becomes a warning and the view keeps what it could read.
 */
#include "nt/kernel_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kernel_warn(ps_kernel *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ps_warnings_addv(&k->warnings, NULL, fmt, ap);
	va_end(ap);
}

ps_status ps_kernel_open(const ps_dump *d, ps_kernel **out, ps_error *err)
{
	ps_kernel *k;
	ps_status st;

	*out = NULL;
	if (!d)
		return ps_error_set(err, PS_EARG, "ps_kernel_open: no dump");
	k = calloc(1, sizeof *k);
	if (!k)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for the kernel view", ps_dump_name(d));
	k->dump = d;
	st = ps_vm_create_kernel(d, &k->vm, err);
	if (st != PS_OK) {
		ps_error_prefix(err, "%s: no kernel address space: ", ps_dump_name(d));
		ps_kernel_close(k);
		return st;
	}
	k->pointer_size = ps_vm_pointer_size(k->vm);

	kernel_find_kdbg(k);
	st = kernel_load_modules(k, err);
	if (st != PS_OK) {
		ps_kernel_close(k);
		return st;
	}
	if (!k->kernel_base && k->module_count)
		k->kernel_base = k->modules[0].base;
	kernel_load_unloaded(k);
	ps_warnings_finish(&k->warnings, NULL);
	*out = k;
	return PS_OK;
}

void ps_kernel_close(ps_kernel *k)
{
	if (!k)
		return;
	ps_warnings_free(&k->warnings);
	free(k->modules);
	free(k->by_base);
	free(k->unloaded);
	free(k->kdbg);
	if (k->vm)
		ps_vm_destroy(k->vm);
	free(k);
}

const ps_dump *ps_kernel_dump(const ps_kernel *k)
{
	return k->dump;
}

ps_vm *ps_kernel_vm(ps_kernel *k)
{
	return k->vm;
}

size_t ps_kernel_warning_count(const ps_kernel *k)
{
	return k->warnings.count;
}

const char *ps_kernel_warning(const ps_kernel *k, size_t i)
{
	return ps_warnings_get(&k->warnings, i);
}

uint64_t ps_kernel_base(const ps_kernel *k)
{
	return k->kernel_base;
}
