/*
 * cmd_registers.c - `r`: the crash context's registers as WinDbg shows them.
 *
 * The layouts are WinDbg's (r command page and kd logs):
 *
 *   x64: three registers a line, " r8=" and "  r9=" padded to line up, then
 *        "iopl=0         nv up ei pl zr na po nc" and the segment line
 *        "cs=0010  ss=0018  ds=002b  es=002b  fs=0053  gs=002b             efl=00000246"
 *   x86: "eax=... ebx=... ecx=... edx=... esi=... edi=..." then
 *        "eip=... esp=... ebp=... iopl=0         nv up ei pl zr na po nc"
 *
 * Then WinDbg names the instruction pointer ("nt!KiFoo+0x12:") and
 * disassembles it, with the memory operand's address and value
 * (cmd_disasm.c).
 *
 * `r name[, name...]` prints single registers as "name=value".
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "cmd/cmd_disasm.h"
#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

static uint64_t reg(const ps_session *s, const char *name)
{
	uint64_t v = 0;

	ps_cmd_register(s, name, &v, NULL);
	return v;
}

/* "nv up ei pl zr na po nc" with the vip/vif columns before it. WinDbg
 * names the parity flag backwards: kd logs show "po" with efl=00000246 (PF
 * set) and "pe" with efl=00000202 (PF clear); this prints what WinDbg does. */
static void print_flags(FILE *out, uint64_t efl)
{
	fprintf(out, "iopl=%u %s %s %s %s %s %s %s %s %s %s", (unsigned)((efl >> 12) & 3),
		(efl & (1u << 20)) ? "vip" : "   ", (efl & (1u << 19)) ? "vif" : "   ",
		(efl & (1u << 11)) ? "ov" : "nv", (efl & (1u << 10)) ? "dn" : "up",
		(efl & (1u << 9)) ? "ei" : "di", (efl & (1u << 7)) ? "ng" : "pl",
		(efl & (1u << 6)) ? "zr" : "nz", (efl & (1u << 4)) ? "ac" : "na",
		(efl & (1u << 2)) ? "po" : "pe", (efl & 1u) ? "cy" : "nc");
}

static void print_segments(const ps_session *s, FILE *out)
{
	fprintf(out,
		"cs=%04x  ss=%04x  ds=%04x  es=%04x  fs=%04x  gs=%04x             efl=%08" PRIx32 "\n",
		(unsigned)reg(s, "cs"), (unsigned)reg(s, "ss"), (unsigned)reg(s, "ds"),
		(unsigned)reg(s, "es"), (unsigned)reg(s, "fs"), (unsigned)reg(s, "gs"),
		(uint32_t)reg(s, "efl"));
}

static void print_all_x64(const ps_session *s, FILE *out)
{
	static const char *const rows[][3] = {
		{"rax", "rbx", "rcx"}, {"rdx", "rsi", "rdi"}, {"rip", "rsp", "rbp"},
		{"r8", "r9", "r10"},   {"r11", "r12", "r13"}, {"r14", "r15", NULL},
	};
	size_t i, j;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (j = 0; j < 3 && rows[i][j]; j++) {
			/* Names are right-aligned in three columns: " r8=", "  r9=". */
			fprintf(out, "%s%3s=%016" PRIx64, j ? " " : "", rows[i][j], reg(s, rows[i][j]));
		}
		fputc('\n', out);
	}
	print_flags(out, reg(s, "efl"));
	fputc('\n', out);
	print_segments(s, out);
}

static void print_all_x86(const ps_session *s, FILE *out)
{
	fprintf(out,
		"eax=%08" PRIx32 " ebx=%08" PRIx32 " ecx=%08" PRIx32 " edx=%08" PRIx32
		" esi=%08" PRIx32 " edi=%08" PRIx32 "\n",
		(uint32_t)reg(s, "eax"), (uint32_t)reg(s, "ebx"), (uint32_t)reg(s, "ecx"),
		(uint32_t)reg(s, "edx"), (uint32_t)reg(s, "esi"), (uint32_t)reg(s, "edi"));
	fprintf(out, "eip=%08" PRIx32 " esp=%08" PRIx32 " ebp=%08" PRIx32 " ", (uint32_t)reg(s, "eip"),
		(uint32_t)reg(s, "esp"), (uint32_t)reg(s, "ebp"));
	print_flags(out, reg(s, "efl"));
	fputc('\n', out);
	print_segments(s, out);
}

/* `r rax`, `r eax, ebx`, `r @rip`: each as name=value, on one line. The
 * whole list is checked before anything prints. Assignments (`r rip=0`)
 * are refused: the crash context is read-only here. */
#define NAMED_MAX 32

static ps_status print_named(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	char names[NAMED_MAX][16];
	uint64_t values[NAMED_MAX];
	unsigned widths[NAMED_MAX];
	const char *p = args;
	int n = 0, i;

	while (*p) {
		size_t k = 0;
		const char *at;

		p = ps_cmd_skip_blanks(p);
		if (*p == '@')
			p++;
		at = p;
		while ((isalnum((unsigned char)*p) || *p == '$') && k + 1 < sizeof(names[0]))
			names[n][k++] = (char)tolower((unsigned char)*p++);
		names[n][k] = 0;
		if (k == 0 || n >= NAMED_MAX ||
		    ps_cmd_register(s, names[n], &values[n], &widths[n]) != PS_OK) {
			ps_cmd_syntax_error(s, out, "Bad register error", cmd, args, at);
			return PS_EARG;
		}
		n++;
		p = ps_cmd_skip_blanks(p);
		if (*p == ',')
			p++;
		else if (*p) {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return PS_EARG;
		}
	}
	for (i = 0; i < n; i++) {
		fprintf(out, "%s%s=", i ? " " : "", names[i]);
		if (widths[i] <= 2)
			fprintf(out, "%" PRIx64, values[i]);
		else
			fprintf(out, "%0*" PRIx64, (int)(widths[i] / 4), values[i]);
	}
	fputc('\n', out);
	return PS_OK;
}

ps_status ps_cmd_registers(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const ps_dump_info *info = ps_dump_get_info(s->dump);

	if (!info->context || info->context_size == 0) {
		fprintf(out, "The dump holds no register context\n");
		return PS_ENOTFOUND;
	}
	if (*args)
		return print_named(s, cmd, args, out);
	if (info->arch == PS_ARCH_X86)
		print_all_x86(s, out);
	else
		print_all_x64(s, out);
	ps_cmd_print_current_instruction(s, out);
	return PS_OK;
}
