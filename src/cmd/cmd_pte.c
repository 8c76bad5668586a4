/*
 * cmd_pte.c - `!vtop DirBase VA` and `!pte VA`: page-table walks shown as
 * WinDbg shows them.
 *
 * !vtop (kd logs, WinDbg 10):
 *   Amd64VtoP: Virt 0000007ecfb0a000, pagedir 000000003a5d4000
 *   Amd64VtoP: PML4E 000000003a5d4000        (physical address of each entry)
 *   Amd64VtoP: PDPE 000000001af6efd8
 *   Amd64VtoP: PDE 0000000046cef3e8
 *   Amd64VtoP: PTE 000000004ef70850
 *   Amd64VtoP: Mapped phys 000000000aaf1000
 *   Virtual address 7ecfb0a000 translates to physical address aaf1000.
 * x86 prints "X86VtoP: PDE d4a6f90 - 01014163" (entry address and value),
 * with "PAE " before the level names in PAE mode.
 *
 * !pte (kd logs): the self-map addresses of the entries, their contents,
 * and each entry's PFN and flags, in 27-column fields:
 *                                            VA fffff80231612000
 *   PXE at FFFFF67B3D9ECF80    PPE at ...    PDE at ...    PTE at ...
 *   contains 0000000000909063  contains ...
 *   pfn 909       ---DA--KWEV  pfn ...
 * The flag letters are C G L D A N T, K/U, W/R, E/- and V.
 *
 * Triage dumps hold no page tables: both commands say so.
 */
#include <inttypes.h>
#include <string.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

/* KDBG.PteBase (Windows 10 1607+), formats.md §2.3. */
#define KDBG_PTE_BASE 0x360
#define X64_LEGACY_PTE_BASE UINT64_C(0xFFFFF68000000000)
#define FIELD 27

static int no_tables(ps_session *s, FILE *out)
{
	if (!s->vm || ps_vm_paging(s->vm) == PS_PAGING_NONE) {
		fprintf(out, "Translation unavailable: %s is a triage dump, which holds no page "
			     "tables\n", s->path);
		return 1;
	}
	return 0;
}

static const char *const x64_levels[] = {"PML4E", "PDPE", "PDE", "PTE"};
static const char *const pae_levels[] = {"PDPE", "PDE", "PTE"};
static const char *const x86_levels[] = {"PDE", "PTE"};

static const char *state_text(ps_page_state st)
{
	switch (st) {
	case PS_PAGE_TRANSITION:
		return "transition";
	case PS_PAGE_PROTOTYPE:
		return "prototype";
	case PS_PAGE_PAGEFILE:
		return "paged out";
	case PS_PAGE_DEMAND_ZERO:
		return "demand zero";
	default:
		return "not valid";
	}
}

ps_status ps_cmd_vtop(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	uint64_t dirbase, va;
	const char *rest;
	ps_vm *vm = s->vm, *own = NULL;
	ps_translation t;
	ps_error err;
	ps_paging mode;
	int i;

	if (no_tables(s, out))
		return PS_EUNSUPPORTED;
	if (ps_cmd_eval(s, args, &rest, &dirbase, out) != PS_OK)
		return PS_EARG;
	rest = ps_cmd_skip_blanks(rest);
	if (!*rest) {
		fprintf(out, "usage: !vtop PFNOfPDE VA\n");
		return PS_EARG;
	}
	if (ps_cmd_eval(s, rest, NULL, &va, out) != PS_OK)
		return PS_EARG;
	mode = ps_vm_paging(vm);
	if (dirbase != 0) {
		ps_error_clear(&err);
		if (ps_vm_create(s->dump, mode, dirbase, &own, &err) != PS_OK) {
			fprintf(out, "%s\n", err.message);
			return err.status;
		}
		vm = own;
	}
	va = ps_vm_canonical(vm, va);
	ps_error_clear(&err);
	if (ps_vm_translate(vm, va, &t, &err) != PS_OK) {
		fprintf(out, "%s\n", err.message);
		if (own)
			ps_vm_destroy(own);
		return err.status;
	}
	if (mode == PS_PAGING_X64) {
		fprintf(out, "Amd64VtoP: Virt %016" PRIx64 ", pagedir %016" PRIx64 "\n", va,
			ps_vm_dtb(vm));
		for (i = 0; i < t.level_count && i < 4; i++)
			fprintf(out, "Amd64VtoP: %s %016" PRIx64 "\n", x64_levels[i], t.levels[i].entry_pa);
		if (t.state == PS_PAGE_VALID)
			fprintf(out, "Amd64VtoP: %sMapped phys %016" PRIx64 "\n",
				t.page_size > 0x1000 ? "Large page " : "", t.pa);
	} else {
		const char *const *names = mode == PS_PAGING_PAE ? pae_levels : x86_levels;
		int levels = mode == PS_PAGING_PAE ? 3 : 2;
		const char *pae = mode == PS_PAGING_PAE ? "PAE " : "";

		fprintf(out, "X86VtoP: Virt %08" PRIx64 ", pagedir %" PRIx64 "\n", va, ps_vm_dtb(vm));
		for (i = 0; i < t.level_count && i < levels; i++) {
			if (mode == PS_PAGING_PAE)
				fprintf(out, "X86VtoP: %s%s %" PRIx64 " - %016" PRIx64 "\n", pae, names[i],
					t.levels[i].entry_pa, t.levels[i].entry);
			else
				fprintf(out, "X86VtoP: %s %" PRIx64 " - %08" PRIx64 "\n", names[i],
					t.levels[i].entry_pa, t.levels[i].entry);
		}
		if (t.state == PS_PAGE_VALID)
			fprintf(out, "X86VtoP: %s%sMapped phys %" PRIx64 "\n", pae,
				t.page_size > 0x1000 ? "Large page " : "", t.pa);
	}
	if (t.state == PS_PAGE_VALID)
		fprintf(out, "Virtual address %" PRIx64 " translates to physical address %" PRIx64 ".\n",
			va, t.pa);
	else
		fprintf(out, "Virtual address %" PRIx64 " translation fails (%s), error 0xD0000147.\n",
			va, state_text(t.state));
	if (own)
		ps_vm_destroy(own);
	return t.state == PS_PAGE_VALID ? PS_OK : PS_EINVALID;
}

/* ---- !pte ---------------------------------------------------------------- */

static void pte_flags(uint64_t e, int has_nx, char *f)
{
	f[0] = (e & (1u << 9)) ? 'C' : '-';
	f[1] = (e & (1u << 8)) ? 'G' : '-';
	f[2] = (e & (1u << 7)) ? 'L' : '-';
	f[3] = (e & (1u << 6)) ? 'D' : '-';
	f[4] = (e & (1u << 5)) ? 'A' : '-';
	f[5] = (e & (1u << 4)) ? 'N' : '-';
	f[6] = (e & (1u << 3)) ? 'T' : '-';
	f[7] = (e & (1u << 2)) ? 'U' : 'K';
	f[8] = (e & (1u << 1)) ? 'W' : 'R';
	f[9] = (has_nx && (e >> 63)) ? '-' : 'E';
	f[10] = (e & 1u) ? 'V' : '-';
	f[11] = 0;
}

/* Print a line made of fields of FIELD columns, without trailing blanks. */
static void print_fields(FILE *out, char fields[][64], int n)
{
	char line[4 * FIELD + 64];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t k = strlen(fields[i]);

		memcpy(line + len, fields[i], k);
		len += k;
		if (i + 1 < n)
			while (len < (size_t)(i + 1) * FIELD)
				line[len++] = ' ';
	}
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len] = 0;
	fprintf(out, "%s\n", line);
}

ps_status ps_cmd_pte(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	ps_paging mode;
	ps_translation t;
	ps_error err;
	uint64_t va, addr[4], pte_base = X64_LEGACY_PTE_BASE;
	char fields[4][64];
	int levels, i, wide, valid_upto;
	static const char *const x64_names[] = {"PXE", "PPE", "PDE", "PTE"};
	static const char *const x86_names[] = {"PDE", "PTE"};

	if (no_tables(s, out))
		return PS_EUNSUPPORTED;
	if (ps_cmd_eval(s, args, NULL, &va, out) != PS_OK)
		return PS_EARG;
	mode = ps_vm_paging(s->vm);
	va = ps_vm_canonical(s->vm, va);
	ps_error_clear(&err);
	if (ps_vm_translate(s->vm, va, &t, &err) != PS_OK) {
		fprintf(out, "%s\n", err.message);
		return err.status;
	}
	wide = mode != PS_PAGING_X86;
	if (mode == PS_PAGING_X64) {
		uint64_t v;

		if (s->kernel && ps_kernel_kdbg_field(s->kernel, KDBG_PTE_BASE, &v) == PS_OK && v &&
		    (v & 0x7FFFFFFFFFull) == 0)
			pte_base = v;
		levels = 4;
		addr[3] = pte_base + ((va >> 9) & UINT64_C(0x7FFFFFFFF8));
		addr[2] = pte_base + ((addr[3] >> 9) & UINT64_C(0x7FFFFFFFF8));
		addr[1] = pte_base + ((addr[2] >> 9) & UINT64_C(0x7FFFFFFFF8));
		addr[0] = pte_base + ((addr[1] >> 9) & UINT64_C(0x7FFFFFFFF8));
		fprintf(out, "%43sVA %016" PRIx64 "\n", "", va);
	} else {
		levels = 2;
		if (mode == PS_PAGING_PAE) {
			addr[1] = 0xC0000000u + ((va >> 9) & 0x7FFFF8u);
			addr[0] = 0xC0600000u + ((va >> 18) & 0x3FF8u);
		} else {
			addr[1] = 0xC0000000u + ((va >> 10) & 0x3FFFFCu);
			addr[0] = 0xC0300000u + ((va >> 20) & 0xFFCu);
		}
		fprintf(out, "%20sVA %08" PRIx64 "\n", "", va);
	}
	for (i = 0; i < levels; i++) {
		if (mode == PS_PAGING_X64)
			snprintf(fields[i], 64, "%s at %016" PRIX64, x64_names[i], addr[i]);
		else
			snprintf(fields[i], 64, "%s at %08" PRIX64, x86_names[i], addr[i]);
	}
	print_fields(out, fields, levels);

	/* The walk's entries line up with the columns from the top; a PAE walk
	 * starts with the PDPTE, which !pte does not show. A walk that stopped
	 * early (large page, invalid entry) fills fewer columns. */
	{
		int skip = mode == PS_PAGING_PAE ? 1 : 0;
		int shown = t.level_count > skip ? t.level_count - skip : 0;
		int large = 0;

		valid_upto = 0;
		for (i = 0; i < shown; i++) {
			uint64_t e = t.levels[skip + i].entry;

			if (wide)
				snprintf(fields[i], 64, "contains %016" PRIX64, e);
			else
				snprintf(fields[i], 64, "contains %08" PRIX64, e);
		}
		if (shown > 0)
			print_fields(out, fields, shown);
		for (i = 0; i < shown; i++) {
			uint64_t e = t.levels[skip + i].entry;
			char f[12];

			if (!(e & 1)) {
				snprintf(fields[i], 64, "%s", i == 0 ? "not valid" : " not valid");
				valid_upto = i + 1;
				break;
			}
			pte_flags(e, wide, f);
			snprintf(fields[i], 64, "pfn %-10" PRIx64 "%s",
				 (e & UINT64_C(0x000FFFFFFFFFF000)) >> 12, f);
			valid_upto = i + 1;
			if ((e & 0x80) && i + 1 < levels) {
				large = 1;
				break;
			}
		}
		if (large && valid_upto < levels) {
			snprintf(fields[valid_upto], 64, " LARGE PAGE pfn %" PRIx64, t.pa >> 12);
			valid_upto++;
		}
		if (valid_upto > 0)
			print_fields(out, fields, valid_upto);
	}
	return PS_OK;
}
