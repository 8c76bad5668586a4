/*
 * vm.c - the address-space object: creating one over a dump, its accessors,
 * and the address forms (canonical, linear) every other mm file relies on.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "mm/vm_internal.h"

static const char *paging_name(ps_paging mode)
{
	switch (mode) {
	case PS_PAGING_NONE: return "none";
	case PS_PAGING_X86: return "x86";
	case PS_PAGING_PAE: return "PAE";
	case PS_PAGING_X64: return "x64";
	}
	return "unknown";
}

static ps_status vm_new(const ps_dump *d, ps_paging mode, uint64_t dtb, int wide, ps_vm **out,
			ps_error *err)
{
	ps_vm *vm = calloc(1, sizeof *vm);

	if (!vm)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for an address space",
				    ps_dump_name(d));
	vm->dump = d;
	vm->mode = mode;
	vm->dtb = dtb;
	vm->desc = ps_mm_mode_get(mode);
	vm->wide = wide;
	vm->scan_budget = PS_VM_SCAN_BUDGET;
	ps_vm_cache_init(&vm->cache);
	*out = vm;
	return PS_OK;
}

ps_status ps_vm_create(const ps_dump *d, ps_paging mode, uint64_t dtb, ps_vm **out, ps_error *err)
{
	*out = NULL;
	if (!d)
		return ps_error_set(err, PS_EARG, "ps_vm_create: no dump");
	if (!ps_mm_mode_get(mode))
		return ps_error_set(err, PS_EARG, "%s: paging mode %s (%d) has no page tables to walk",
				    ps_dump_name(d), paging_name(mode), (int)mode);
	if (mode != PS_PAGING_X64 && dtb > 0xFFFFFFFFull)
		return ps_error_set(err, PS_EARG,
				    "%s: directory table base 0x%" PRIx64 " does not fit %s paging",
				    ps_dump_name(d), dtb, paging_name(mode));
	return vm_new(d, mode, dtb, mode == PS_PAGING_X64, out, err);
}

ps_status ps_vm_create_kernel(const ps_dump *d, ps_vm **out, ps_error *err)
{
	const ps_dump_info *info;

	*out = NULL;
	if (!d)
		return ps_error_set(err, PS_EARG, "ps_vm_create_kernel: no dump");
	info = ps_dump_get_info(d);
	if (info->dump_type == PS_DUMPTYPE_TRIAGE || info->paging == PS_PAGING_NONE)
		return vm_new(d, PS_PAGING_NONE, 0, info->arch != PS_ARCH_X86, out, err);
	return ps_vm_create(d, info->paging, info->directory_table_base, out, err);
}

void ps_vm_destroy(ps_vm *vm)
{
	if (!vm)
		return;
	free(vm->memo);
	free(vm);
}

const ps_dump *ps_vm_dump(const ps_vm *vm)
{
	return vm->dump;
}

ps_paging ps_vm_paging(const ps_vm *vm)
{
	return vm->mode;
}

uint64_t ps_vm_dtb(const ps_vm *vm)
{
	return vm->dtb;
}

unsigned ps_vm_pointer_size(const ps_vm *vm)
{
	return vm->wide ? 8 : 4;
}

uint64_t ps_vm_canonical(const ps_vm *vm, uint64_t va)
{
	if (!vm->wide)
		return va & 0xFFFFFFFFull;
	if (va & (1ull << 47))
		return va | 0xFFFF000000000000ull;
	return va & 0x0000FFFFFFFFFFFFull;
}

uint64_t ps_vm_linear(const ps_vm *vm, uint64_t va, int *ok)
{
	*ok = 1;
	if (vm->wide) {
		/* Canonical: bits 63..47 all equal. */
		uint64_t top = va >> 47;
		if (top == 0 || top == 0x1FFFF)
			return va;
		*ok = 0;
		return 0;
	}
	if ((va >> 32) == 0)
		return va;
	/* KDDEBUGGER_DATA64 and friends store x86 pointers sign-extended. */
	if ((va >> 32) == 0xFFFFFFFFull && (va & 0x80000000ull))
		return va & 0xFFFFFFFFull;
	*ok = 0;
	return 0;
}
