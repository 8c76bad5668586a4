/*
 * cmd_util.c - what the command files share: expression evaluation in the
 * session, WinDbg's address formatting, address ranges, reads across holes
 * in the dump, and the crash context's registers.
 *
 * Range syntax follows WinDbg's "Address and Address Range Syntax" page: an
 * end address is inclusive, `L count` counts elements of the command's size,
 * and a count above 256 MB needs `L?`.
 */
#include "cmd/cmd_util.h"
#include "core/format.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "core/bytes.h"

ps_status ps_cmd_eval(ps_session *s, const char *text, const char **end, uint64_t *value, FILE *out)
{
	ps_error err;
	ps_status st;

	ps_error_clear(&err);
	st = ps_expr_eval(&s->env, text ? text : "", end, value, &err);
	if (st != PS_OK && out)
		fprintf(out, "%s\n", err.message);
	return st;
}

unsigned ps_cmd_pointer_size(const ps_session *s)
{
	if (s->vm)
		return ps_vm_pointer_size(s->vm);
	if (s->dump && ps_dump_get_info(s->dump)->arch == PS_ARCH_X86)
		return 4;
	return 8;
}

const char *ps_cmd_fmt_addr(const ps_session *s, uint64_t va, char *buf)
{
	return ps_format_addr(buf, va, ps_cmd_pointer_size(s));
}

const char *ps_cmd_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

void ps_cmd_syntax_error(const ps_session *s, FILE *out, const char *kind, const char *cmd, const char *args,
			 const char *at)
{
	/* The caret sits under the offending character of the echoed line
	 * "N: kd> cmd args"; without a position it goes under the command. */
	size_t column = strlen(s->prompt) + strlen(cmd) + 1;

	if (at && args && at >= args)
		column += (size_t)(at - args);
	if (args && *args)
		fprintf(out, "%*s^ %s in '%s %s'\n", (int)column, "", kind, cmd, args);
	else
		fprintf(out, "%*s^ %s in '%s'\n", (int)column, "", kind, cmd);
}

/* An `L` that starts a count rather than a symbol: followed by '?', a blank,
 * or something that begins a number. */
static int starts_count(const char *p)
{
	if (*p != 'L' && *p != 'l')
		return 0;
	p++;
	return *p == '?' || *p == ' ' || *p == '\t' || isxdigit((unsigned char)*p) || *p == '(' ||
	       *p == '@' || *p == '-';
}

static int starts_expression(const char *p)
{
	return *p && *p != '"' && *p != '\'' && *p != ';';
}

ps_status ps_cmd_parse_range(ps_session *s, const char *cmd, const char *text, unsigned elem,
			     ps_cmd_range *r, const char **end, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(text);
	const char *after;
	uint64_t v;
	ps_status st;

	memset(r, 0, sizeof(*r));
	if (elem == 0)
		elem = 1;
	if (end)
		*end = p;
	if (!*p)
		return PS_OK;
	st = ps_cmd_eval(s, p, &after, &r->start, out);
	if (st != PS_OK)
		return st;
	r->have_start = 1;
	if (s->vm)
		r->start = ps_vm_canonical(s->vm, r->start);
	p = ps_cmd_skip_blanks(after);
	if (starts_count(p)) {
		const char *count_at = p;
		int unlimited = 0;

		p++;
		if (*p == '?') {
			unlimited = 1;
			p++;
		}
		p = ps_cmd_skip_blanks(p);
		st = ps_cmd_eval(s, p, &after, &v, out);
		if (st != PS_OK)
			return st;
		if (v == 0 || (!unlimited && v > PS_CMD_RANGE_LIMIT / elem) ||
		    v > UINT64_MAX / elem) {
			ps_cmd_syntax_error(s, out, "Range error", cmd, text, count_at);
			return PS_EARG;
		}
		r->count = v;
		r->have_count = 1;
		p = ps_cmd_skip_blanks(after);
	} else if (starts_expression(p) && *p != '-') {
		const char *end_at = p;

		st = ps_cmd_eval(s, p, &after, &v, out);
		if (st != PS_OK)
			return st;
		if (s->vm)
			v = ps_vm_canonical(s->vm, v);
		if (v < r->start || (v - r->start) / elem >= PS_CMD_RANGE_LIMIT / elem) {
			ps_cmd_syntax_error(s, out, "Range error", cmd, text, end_at);
			return PS_EARG;
		}
		r->count = (v - r->start) / elem + 1;
		r->have_count = 1;
		p = ps_cmd_skip_blanks(after);
	}
	if (end)
		*end = p;
	return PS_OK;
}

size_t ps_cmd_read_span(ps_session *s, uint64_t va, uint8_t *buf, uint8_t *valid, size_t len)
{
	size_t pos = 0, readable = 0;

	memset(buf, 0, len);
	memset(valid, 0, len);
	if (!s->vm)
		return 0;
	while (pos < len) {
		size_t done = 0;
		uint64_t at = va + pos, next;
		ps_status st = ps_vm_read(s->vm, at, buf + pos, len - pos, &done, NULL);

		if (done > len - pos)
			done = len - pos;
		memset(valid + pos, 1, done);
		readable += done;
		pos += done;
		if (st == PS_OK || pos >= len)
			break;
		/* The byte at pos is missing; find where reading can resume. The
		 * scan works in pages, but triage blocks may begin inside one, so
		 * a page start that is itself unreadable is stepped over byte by
		 * byte up to the next page. */
		at = va + pos;
		if (ps_vm_next_readable(s->vm, at + 1, va + len, &next, NULL) != PS_OK || next <= at ||
		    next - va >= len)
			break;
		pos = (size_t)(next - va);
		{
			size_t probe_done = 0;
			uint8_t probe;

			if (ps_vm_read(s->vm, next, &probe, 1, &probe_done, NULL) != PS_OK) {
				/* Walk to the first readable byte of this page. */
				uint64_t page_end = (next | (PS_PAGE_SIZE - 1)) + 1;
				uint64_t b = next + 1;

				while (b < page_end && b - va < len &&
				       ps_vm_read(s->vm, b, &probe, 1, NULL, NULL) != PS_OK)
					b++;
				pos = (size_t)(b - va);
			}
		}
	}
	return readable;
}

/* ---- registers ---------------------------------------------------------- */

typedef struct reg_def {
	const char *name;
	unsigned offset; /* in the CONTEXT record */
	unsigned bits;   /* width of the register */
	unsigned shift;  /* for ah, bh...: bit position inside the 64-bit slot */
	unsigned size;   /* bytes stored at offset */
} reg_def;

/* x64 CONTEXT offsets, formats.md §1.8. */
static const reg_def x64_regs[] = {
	{"rax", 0x78, 64, 0, 8}, {"rcx", 0x80, 64, 0, 8}, {"rdx", 0x88, 64, 0, 8},
	{"rbx", 0x90, 64, 0, 8}, {"rsp", 0x98, 64, 0, 8}, {"rbp", 0xA0, 64, 0, 8},
	{"rsi", 0xA8, 64, 0, 8}, {"rdi", 0xB0, 64, 0, 8}, {"r8", 0xB8, 64, 0, 8},
	{"r9", 0xC0, 64, 0, 8},  {"r10", 0xC8, 64, 0, 8}, {"r11", 0xD0, 64, 0, 8},
	{"r12", 0xD8, 64, 0, 8}, {"r13", 0xE0, 64, 0, 8}, {"r14", 0xE8, 64, 0, 8},
	{"r15", 0xF0, 64, 0, 8}, {"rip", 0xF8, 64, 0, 8},
	{"eax", 0x78, 32, 0, 8}, {"ecx", 0x80, 32, 0, 8}, {"edx", 0x88, 32, 0, 8},
	{"ebx", 0x90, 32, 0, 8}, {"esp", 0x98, 32, 0, 8}, {"ebp", 0xA0, 32, 0, 8},
	{"esi", 0xA8, 32, 0, 8}, {"edi", 0xB0, 32, 0, 8}, {"eip", 0xF8, 32, 0, 8},
	{"r8d", 0xB8, 32, 0, 8}, {"r9d", 0xC0, 32, 0, 8}, {"r10d", 0xC8, 32, 0, 8},
	{"r11d", 0xD0, 32, 0, 8}, {"r12d", 0xD8, 32, 0, 8}, {"r13d", 0xE0, 32, 0, 8},
	{"r14d", 0xE8, 32, 0, 8}, {"r15d", 0xF0, 32, 0, 8},
	{"ax", 0x78, 16, 0, 8}, {"cx", 0x80, 16, 0, 8}, {"dx", 0x88, 16, 0, 8},
	{"bx", 0x90, 16, 0, 8}, {"sp", 0x98, 16, 0, 8}, {"bp", 0xA0, 16, 0, 8},
	{"si", 0xA8, 16, 0, 8}, {"di", 0xB0, 16, 0, 8},
	{"r8w", 0xB8, 16, 0, 8}, {"r9w", 0xC0, 16, 0, 8}, {"r10w", 0xC8, 16, 0, 8},
	{"r11w", 0xD0, 16, 0, 8}, {"r12w", 0xD8, 16, 0, 8}, {"r13w", 0xE0, 16, 0, 8},
	{"r14w", 0xE8, 16, 0, 8}, {"r15w", 0xF0, 16, 0, 8},
	{"al", 0x78, 8, 0, 8}, {"cl", 0x80, 8, 0, 8}, {"dl", 0x88, 8, 0, 8},
	{"bl", 0x90, 8, 0, 8}, {"ah", 0x78, 8, 8, 8}, {"ch", 0x80, 8, 8, 8},
	{"dh", 0x88, 8, 8, 8}, {"bh", 0x90, 8, 8, 8}, {"spl", 0x98, 8, 0, 8},
	{"bpl", 0xA0, 8, 0, 8}, {"sil", 0xA8, 8, 0, 8}, {"dil", 0xB0, 8, 0, 8},
	{"r8b", 0xB8, 8, 0, 8}, {"r9b", 0xC0, 8, 0, 8}, {"r10b", 0xC8, 8, 0, 8},
	{"r11b", 0xD0, 8, 0, 8}, {"r12b", 0xD8, 8, 0, 8}, {"r13b", 0xE0, 8, 0, 8},
	{"r14b", 0xE8, 8, 0, 8}, {"r15b", 0xF0, 8, 0, 8},
	{"cs", 0x38, 16, 0, 2}, {"ds", 0x3A, 16, 0, 2}, {"es", 0x3C, 16, 0, 2},
	{"fs", 0x3E, 16, 0, 2}, {"gs", 0x40, 16, 0, 2}, {"ss", 0x42, 16, 0, 2},
	{"efl", 0x44, 32, 0, 4}, {"mxcsr", 0x34, 32, 0, 4},
	{"dr0", 0x48, 64, 0, 8}, {"dr1", 0x50, 64, 0, 8}, {"dr2", 0x58, 64, 0, 8},
	{"dr3", 0x60, 64, 0, 8}, {"dr6", 0x68, 64, 0, 8}, {"dr7", 0x70, 64, 0, 8},
};

/* x86 CONTEXT offsets, formats.md §1.8. */
static const reg_def x86_regs[] = {
	{"eax", 0xB0, 32, 0, 4}, {"ebx", 0xA4, 32, 0, 4}, {"ecx", 0xAC, 32, 0, 4},
	{"edx", 0xA8, 32, 0, 4}, {"esi", 0xA0, 32, 0, 4}, {"edi", 0x9C, 32, 0, 4},
	{"eip", 0xB8, 32, 0, 4}, {"esp", 0xC4, 32, 0, 4}, {"ebp", 0xB4, 32, 0, 4},
	{"ax", 0xB0, 16, 0, 4}, {"bx", 0xA4, 16, 0, 4}, {"cx", 0xAC, 16, 0, 4},
	{"dx", 0xA8, 16, 0, 4}, {"si", 0xA0, 16, 0, 4}, {"di", 0x9C, 16, 0, 4},
	{"sp", 0xC4, 16, 0, 4}, {"bp", 0xB4, 16, 0, 4}, {"ip", 0xB8, 16, 0, 4},
	{"al", 0xB0, 8, 0, 4}, {"bl", 0xA4, 8, 0, 4}, {"cl", 0xAC, 8, 0, 4},
	{"dl", 0xA8, 8, 0, 4}, {"ah", 0xB0, 8, 8, 4}, {"bh", 0xA4, 8, 8, 4},
	{"ch", 0xAC, 8, 8, 4}, {"dh", 0xA8, 8, 8, 4},
	{"cs", 0xBC, 16, 0, 4}, {"ds", 0x98, 16, 0, 4}, {"es", 0x94, 16, 0, 4},
	{"fs", 0x90, 16, 0, 4}, {"gs", 0x8C, 16, 0, 4}, {"ss", 0xC8, 16, 0, 4},
	{"efl", 0xC0, 32, 0, 4},
	{"dr0", 0x04, 32, 0, 4}, {"dr1", 0x08, 32, 0, 4}, {"dr2", 0x0C, 32, 0, 4},
	{"dr3", 0x10, 32, 0, 4}, {"dr6", 0x14, 32, 0, 4}, {"dr7", 0x18, 32, 0, 4},
};

/* EFLAGS bits WinDbg names as registers. */
static const struct {
	const char *name;
	unsigned bit;
} flag_regs[] = {
	{"cf", 0}, {"pf", 2}, {"af", 4}, {"zf", 6}, {"sf", 7}, {"tf", 8},
	{"if", 9}, {"df", 10}, {"of", 11}, {"vif", 19}, {"vip", 20},
};

static int name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

ps_status ps_cmd_register(const ps_session *s, const char *name, uint64_t *value, unsigned *bits)
{
	const ps_dump_info *info;
	const reg_def *table;
	size_t count, i;
	int x64;

	if (!s->dump)
		return PS_ENOTFOUND;
	info = ps_dump_get_info(s->dump);
	x64 = info->arch != PS_ARCH_X86;
	table = x64 ? x64_regs : x86_regs;
	count = x64 ? sizeof(x64_regs) / sizeof(x64_regs[0]) : sizeof(x86_regs) / sizeof(x86_regs[0]);
	if (name[0] == '$' && (name_eq(name, "$ip") || name_eq(name, "$csp")))
		name = name_eq(name, "$ip") ? (x64 ? "rip" : "eip") : (x64 ? "rsp" : "esp");
	for (i = 0; i < count; i++) {
		uint64_t raw;

		if (!name_eq(name, table[i].name))
			continue;
		if (!info->context || !ps_in_bounds(table[i].offset, table[i].size, info->context_size))
			return PS_ENOTFOUND;
		if (table[i].size == 8)
			raw = ps_le64(info->context + table[i].offset);
		else if (table[i].size == 4)
			raw = ps_le32(info->context + table[i].offset);
		else
			raw = ps_le16(info->context + table[i].offset);
		raw >>= table[i].shift;
		if (table[i].bits < 64)
			raw &= (UINT64_C(1) << table[i].bits) - 1;
		*value = raw;
		if (bits)
			*bits = table[i].bits;
		return PS_OK;
	}
	for (i = 0; i < sizeof(flag_regs) / sizeof(flag_regs[0]); i++) {
		uint64_t efl;

		if (!name_eq(name, flag_regs[i].name))
			continue;
		if (ps_cmd_register(s, "efl", &efl, NULL) != PS_OK)
			return PS_ENOTFOUND;
		*value = (efl >> flag_regs[i].bit) & 1;
		if (bits)
			*bits = 1;
		return PS_OK;
	}
	if (name_eq(name, "iopl")) {
		uint64_t efl;

		if (ps_cmd_register(s, "efl", &efl, NULL) != PS_OK)
			return PS_ENOTFOUND;
		*value = (efl >> 12) & 3;
		if (bits)
			*bits = 2;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

uint64_t ps_cmd_current_ip(const ps_session *s)
{
	uint64_t ip = 0;

	if (ps_cmd_register(s, "$ip", &ip, NULL) != PS_OK)
		return 0;
	return ip;
}

const char *ps_cmd_fmt_ctime(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(buf, n, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(buf, n, "(invalid time)");
	return buf;
}

const ps_module *ps_cmd_module_at(const ps_session *s, uint64_t va)
{
	if (!s->kernel)
		return NULL;
	return ps_kernel_module_at(s->kernel, va);
}

