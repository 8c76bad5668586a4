/*
 * dump_header.c - decoding DUMP_HEADER32 ("PAGEDUMP", 0x1000 bytes) and
 * DUMP_HEADER64 ("PAGEDU64", 0x2000 bytes) into ps_dump_info.
 *
 * Offsets: formats.md §1.2 (x64), §1.8 (x86), §1.4 (PhysicalMemoryBlock).
 * Windows fills the header with the pattern "PAGE" before writing the fields
 * it knows; a field that still reads 'PAGE' was never filled in and is
 * reported as zero here.
 */
#include "dump/dump_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/* Where the two header layouts keep each field. */
typedef struct header_layout {
	uint32_t size;
	uint32_t ptr_size;
	uint32_t directory_table_base, pfn_database, ps_loaded_module_list,
		ps_active_process_head, machine_image_type, number_processors,
		bugcheck_code, bugcheck_parameters, version_user,
		kd_debugger_data_block, physical_memory_block, context,
		context_size, exception, dump_type, required_dump_space,
		system_time, comment, system_uptime, mini_dump_fields,
		product_type, suite_mask;
	/* PhysicalMemoryBlock: NumberOfPages offset/width, first run, run size */
	uint32_t pmd_pages, pmd_pages_size, pmd_runs, pmd_run_size, pmd_max_runs;
} header_layout;

static const header_layout layout64 = {
	.size = 0x2000, .ptr_size = 8,
	.directory_table_base = 0x10, .pfn_database = 0x18,
	.ps_loaded_module_list = 0x20, .ps_active_process_head = 0x28,
	.machine_image_type = 0x30, .number_processors = 0x34,
	.bugcheck_code = 0x38, .bugcheck_parameters = 0x40,
	.version_user = 0x60, .kd_debugger_data_block = 0x80,
	.physical_memory_block = 0x88, .context = 0x348, .context_size = 0x4D0,
	.exception = 0xF00, .dump_type = 0xF98, .required_dump_space = 0xFA0,
	.system_time = 0xFA8, .comment = 0xFB0, .system_uptime = 0x1030,
	.mini_dump_fields = 0x1038, .product_type = 0x1040, .suite_mask = 0x1044,
	/* 700-byte buffer: 0x10 bytes of counts, then 16-byte runs */
	.pmd_pages = 8, .pmd_pages_size = 8, .pmd_runs = 0x10, .pmd_run_size = 16,
	.pmd_max_runs = 42,
};

static const header_layout layout32 = {
	.size = 0x1000, .ptr_size = 4,
	.directory_table_base = 0x10, .pfn_database = 0x14,
	.ps_loaded_module_list = 0x18, .ps_active_process_head = 0x1C,
	.machine_image_type = 0x20, .number_processors = 0x24,
	.bugcheck_code = 0x28, .bugcheck_parameters = 0x2C,
	.version_user = 0x3C, .kd_debugger_data_block = 0x60,
	.physical_memory_block = 0x64, .context = 0x320, .context_size = 0x2CC,
	.exception = 0x7D0, .dump_type = 0xF88, .required_dump_space = 0xFA0,
	.system_time = 0xFC0, .comment = 0x820, .system_uptime = 0xFB8,
	.mini_dump_fields = 0xF8C, .product_type = 0xF94, .suite_mask = 0xF98,
	/* 700-byte buffer: 8 bytes of counts, then 8-byte runs */
	.pmd_pages = 4, .pmd_pages_size = 4, .pmd_runs = 8, .pmd_run_size = 8,
	.pmd_max_runs = 86,
};

#define PMD_BUFFER_SIZE 700u

static uint32_t field32(const uint8_t *h, uint32_t off)
{
	uint32_t v = ps_le32(h + off);
	return v == DUMP_FILL32 ? 0 : v;
}

static uint64_t field64(const uint8_t *h, uint32_t off)
{
	uint64_t v = ps_le64(h + off);
	return v == DUMP_FILL64 ? 0 : v;
}

static uint64_t fieldptr(const uint8_t *h, const header_layout *l, uint32_t off)
{
	return l->ptr_size == 8 ? field64(h, off) : field32(h, off);
}

/* Copy a fixed-size char field, stopping at NUL; an unwritten field (it
 * starts with the fill pattern) reads as empty. Non-printable bytes become
 * '?' so the string is always safe to print. */
static void copy_text(char *dst, size_t dst_size, const uint8_t *src, size_t src_size)
{
	size_t n = 0;

	if (src_size >= 4 && memcmp(src, "PAGE", 4) == 0) {
		dst[0] = '\0';
		return;
	}
	while (n < src_size && n + 1 < dst_size && src[n]) {
		dst[n] = (src[n] >= 0x20 && src[n] < 0x7F) ? (char)src[n] : '?';
		n++;
	}
	dst[n] = '\0';
}

static void decode_exception(ps_dump *d, const uint8_t *h, const header_layout *l)
{
	ps_exception_record *e = &d->info.exception;
	const uint8_t *r = h + l->exception;

	memset(e, 0, sizeof *e);
	if (ps_le32(r) == DUMP_FILL32)
		return;
	e->code = ps_le32(r);
	e->flags = ps_le32(r + 4);
	if (l->ptr_size == 8) {
		/* EXCEPTION_RECORD64, formats.md §1.8 */
		e->record = ps_le64(r + 8);
		e->address = ps_le64(r + 0x10);
		e->number_parameters = ps_le32(r + 0x18);
		for (int i = 0; i < 15; i++)
			e->information[i] = ps_le64(r + 0x20 + 8 * i);
	} else {
		/* EXCEPTION_RECORD32 */
		e->record = ps_le32(r + 8);
		e->address = ps_le32(r + 0xC);
		e->number_parameters = ps_le32(r + 0x10);
		for (int i = 0; i < 15; i++)
			e->information[i] = ps_le32(r + 0x14 + 4 * i);
	}
	if (e->number_parameters > 15)
		e->number_parameters = 15;
}

/* PhysicalMemoryBlock as the header states it. The lookup tables for
 * DumpType 1 are derived from these in dump_runs.c. */
static ps_status decode_runs(ps_dump *d, const uint8_t *h, const header_layout *l, ps_error *err)
{
	const uint8_t *pmd = h + l->physical_memory_block;
	uint32_t n = ps_le32(pmd);

	d->info.number_of_pages = l->pmd_pages_size == 8 ? field64(pmd, l->pmd_pages)
							 : field32(pmd, l->pmd_pages);
	if (n == DUMP_FILL32 || n == 0)
		return PS_OK;
	if (n > l->pmd_max_runs) {
		dump_warn(d, "PhysicalMemoryBlock at 0x%x claims %u runs, the header holds at most %u; using %u",
			  l->physical_memory_block, n, l->pmd_max_runs, l->pmd_max_runs);
		n = l->pmd_max_runs;
	}
	d->header_runs = calloc(n, sizeof *d->header_runs);
	if (!d->header_runs)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %u runs", d->name, n);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = pmd + l->pmd_runs + (size_t)i * l->pmd_run_size;
		if (l->pmd_run_size == 16) {
			d->header_runs[i].base_page = ps_le64(r);
			d->header_runs[i].page_count = ps_le64(r + 8);
		} else {
			d->header_runs[i].base_page = ps_le32(r);
			d->header_runs[i].page_count = ps_le32(r + 4);
		}
	}
	d->info.runs = d->header_runs;
	d->info.run_count = n;
	return PS_OK;
}

ps_status dump_header_decode(ps_dump *d, ps_error *err)
{
	const uint8_t *h = d->data;
	const header_layout *l;
	ps_dump_info *in = &d->info;

	if (d->size == 0)
		return ps_error_set(err, PS_EFORMAT, "%s: empty file, not a crash dump", d->name);
	if (d->size < 8)
		return ps_error_set(err, PS_EFORMAT, "%s: %zu bytes, too short for a crash dump header",
				    d->name, d->size);
	if (memcmp(h, "PAGEDU64", 8) == 0) {
		l = &layout64;
		in->arch = PS_ARCH_X64;
		in->paging = PS_PAGING_X64;
	} else if (memcmp(h, "PAGEDUMP", 8) == 0) {
		l = &layout32;
		in->arch = PS_ARCH_X86;
	} else {
		return ps_error_set(err, PS_EFORMAT,
				    "%s: no crash dump signature at offset 0 (want \"PAGEDUMP\" or \"PAGEDU64\", "
				    "found %02x %02x %02x %02x %02x %02x %02x %02x)",
				    d->name, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
	}
	if (d->size < l->size)
		return ps_error_set(err, PS_EFORMAT, "%s: truncated header: %zu bytes, a %s header needs 0x%x",
				    d->name, d->size, l->ptr_size == 8 ? "64-bit" : "32-bit", l->size);

	in->header_size = l->size;
	in->major_version = field32(h, 8);
	in->minor_version = field32(h, 0xC);
	in->directory_table_base = fieldptr(h, l, l->directory_table_base);
	in->pfn_database = fieldptr(h, l, l->pfn_database);
	in->ps_loaded_module_list = fieldptr(h, l, l->ps_loaded_module_list);
	in->ps_active_process_head = fieldptr(h, l, l->ps_active_process_head);
	in->machine_image_type = field32(h, l->machine_image_type);
	in->number_processors = field32(h, l->number_processors);
	/* The bugcheck code and its parameters are taken verbatim: 'PAGE' is
	 * a possible parameter value and they are always written. */
	in->bugcheck_code = ps_le32(h + l->bugcheck_code);
	for (int i = 0; i < 4; i++)
		in->bugcheck_parameters[i] = l->ptr_size == 8
			? ps_le64(h + l->bugcheck_parameters + 8 * i)
			: ps_le32(h + l->bugcheck_parameters + 4 * i);
	in->kd_debugger_data_block = fieldptr(h, l, l->kd_debugger_data_block);
	in->dump_type = ps_le32(h + l->dump_type);
	in->required_dump_space = (int64_t)field64(h, l->required_dump_space);
	in->system_time = field64(h, l->system_time);
	in->system_uptime = field64(h, l->system_uptime);
	in->mini_dump_fields = field32(h, l->mini_dump_fields);
	in->product_type = field32(h, l->product_type);
	in->suite_mask = field32(h, l->suite_mask);
	copy_text(in->version_user, sizeof in->version_user, h + l->version_user, 32);
	copy_text(in->comment, sizeof in->comment, h + l->comment, 128);

	if (in->arch == PS_ARCH_X86)
		in->paging = h[0x5C] == 1 ? PS_PAGING_PAE : PS_PAGING_X86;

	in->context = h + l->context;
	in->context_size = l->context_size;
	decode_exception(d, h, l);

	if (in->dump_type == DUMP_FILL32)
		return ps_error_set(err, PS_EFORMAT, "%s: DumpType at 0x%x was never filled in",
				    d->name, l->dump_type);
	if (in->machine_image_type &&
	    in->machine_image_type != (in->arch == PS_ARCH_X64 ? 0x8664u : 0x14Cu))
		dump_warn(d, "MachineImageType 0x%x does not match the %s signature",
			  in->machine_image_type, in->arch == PS_ARCH_X64 ? "PAGEDU64" : "PAGEDUMP");

	return decode_runs(d, h, l, err);
}
