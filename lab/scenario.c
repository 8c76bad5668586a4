/*
 * scenario.c - parsing scenario files (docs/scenario-format.md).
 *
 * The input is treated as hostile: any byte sequence gives either a scenario
 * or one error naming the line, never a crash or an unbounded allocation.
 * Reserved keywords of later versions (handles, thread, handle) are
 * accepted with a warning so that newer scenarios still load.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 32
#define MAX_TOKEN 256
#define MAX_LINE 1024
#define MAX_FILE (4u << 20)

typedef struct parser {
	const char *name;
	int line;
	lab_scenario *sc;
	lab_warn_fn warn;
	void *warn_ctx;
	ps_error *err;
	char tok[MAX_TOKENS][MAX_TOKEN];
	int ntok;
} parser;

/* Counters a scenario may set: kernel globals that KDBG points at and that
 * !vm reads. A list head (…ListHead) receives its Total field. */
static const char *const known_counters[] = {
	"MmAvailablePages", "MmResidentAvailablePages", "MmTotalCommittedPages",
	"MmTotalCommitLimit", "MmTotalCommitLimitMaximum", "MmPeakCommitment",
	"MmSharedCommit", "MmDriverCommit", "MmProcessCommit", "MmPagedPoolCommit",
	"MmExtendedCommit", "MmAllocatedNonPagedPool", "MmMaximumNonPagedPoolInBytes",
	"MmSizeOfPagedPoolInBytes", "MmNumberOfPagingFiles", "MmZeroedPageListHead",
	"MmFreePageListHead", "MmStandbyPageListHead", "MmModifiedPageListHead",
	"MmModifiedNoWritePageListHead", "MmTotalFreeSystemPtes",
	"MmTotalPagesForPagingFile", NULL
};

static const char *const regs_x86[] = {
	"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "efl",
	"cs", "ss", "ds", "es", "fs", "gs", NULL
};

static const char *const regs_x64[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "r8",
	"r9", "r10", "r11", "r12", "r13", "r14", "r15", "efl", "cs", "ss",
	"ds", "es", "fs", "gs", NULL
};

static ps_status fail(parser *p, const char *fmt, const char *a, const char *b)
{
	char what[640];
	snprintf(what, sizeof what, fmt, a ? a : "", b ? b : "");
	return ps_error_set(p->err, PS_EFORMAT, "%s:%d: %s", p->name, p->line, what);
}

static void warn(parser *p, const char *what)
{
	char msg[400];
	if (!p->warn)
		return;
	snprintf(msg, sizeof msg, "%s:%d: %s", p->name, p->line, what);
	p->warn(p->warn_ctx, msg);
}

const char *lab_arch_name(lab_arch arch)
{
	switch (arch) {
	case LAB_ARCH_X86: return "x86";
	case LAB_ARCH_X86_PAE: return "x86-pae";
	case LAB_ARCH_X64: return "x64";
	default: return "none";
	}
}

int lab_arch_is_64(lab_arch arch)
{
	return arch == LAB_ARCH_X64;
}

/* Numbers: decimal, or hexadecimal with 0x. WinDbg's backtick separator
 * (fffff800`02a4d000) is accepted in hexadecimal numbers, and a number that
 * holds a backtick is hexadecimal even without 0x. */
static int parse_u64(const char *s, uint64_t *out)
{
	char clean[64];
	size_t n = 0;
	int hex = 0;
	uint64_t v = 0;

	if (strchr(s, '`'))
		hex = 1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = 1;
		s += 2;
	}
	for (; *s; s++) {
		if (*s == '`')
			continue;
		if (n + 1 >= sizeof clean)
			return -1;
		clean[n++] = *s;
	}
	clean[n] = '\0';
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		char c = clean[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (hex) {
			if (v >> 60)
				return -1;
			v = v * 16 + d;
		} else {
			if (v > (UINT64_MAX - d) / 10)
				return -1;
			v = v * 10 + d;
		}
	}
	*out = v;
	return 0;
}

int lab_parse_size(const char *s, uint64_t *out)
{
	char num[64];
	size_t len = strlen(s);
	uint64_t mult = 1, v;

	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': mult = 1ull << 10; break;
	case 'm': case 'M': mult = 1ull << 20; break;
	case 'g': case 'G': mult = 1ull << 30; break;
	default: break;
	}
	if (mult != 1)
		num[len - 1] = '\0';
	if (parse_u64(num, &v) != 0 || v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static ps_status number(parser *p, int i, const char *what, uint64_t max, uint64_t *out)
{
	if (i >= p->ntok)
		return fail(p, "%s: missing %s", p->tok[0], what);
	if (parse_u64(p->tok[i], out) != 0)
		return fail(p, "bad number '%s' for %s", p->tok[i], what);
	if (*out > max) {
		char lim[32];
		snprintf(lim, sizeof lim, "%s", what);
		return fail(p, "'%s' is too large for %s", p->tok[i], lim);
	}
	return PS_OK;
}

/* Split one line into tokens; "double quotes" group words. */
static ps_status tokenize(parser *p, const char *line, size_t len)
{
	size_t i = 0;

	p->ntok = 0;
	while (i < len) {
		size_t n = 0;
		char *dst;
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (p->ntok >= MAX_TOKENS)
			return fail(p, "too many words on one line (at most 32)", NULL, NULL);
		dst = p->tok[p->ntok];
		if (line[i] == '"') {
			i++;
			while (i < len && line[i] != '"') {
				if (n + 1 >= MAX_TOKEN)
					return fail(p, "quoted word too long (at most 255 bytes)", NULL, NULL);
				dst[n++] = line[i++];
			}
			if (i >= len)
				return fail(p, "unterminated quote", NULL, NULL);
			i++;
		} else {
			while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') {
				if (n + 1 >= MAX_TOKEN)
					return fail(p, "word too long (at most 255 bytes)", NULL, NULL);
				dst[n++] = line[i++];
			}
		}
		dst[n] = '\0';
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)dst[k];
			if (c < 0x20 || c == 0x7f)
				return fail(p, "control character in a word", NULL, NULL);
		}
		p->ntok++;
	}
	return PS_OK;
}

static int is_kernel_va(lab_arch arch, uint64_t va)
{
	if (arch == LAB_ARCH_X64)
		return va >= 0xFFFF800000000000ull;
	return va >= 0x80000000ull && va <= 0xFFFFFFFFull;
}

static int is_user_va(lab_arch arch, uint64_t va)
{
	if (arch == LAB_ARCH_X64)
		return va > 0 && va < 0x7FFFFFFF0000ull;
	return va > 0 && va < 0x7FFF0000ull;
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(isalnum(c) || c == '.' || c == '_' || c == '-' || c == '$'))
			return 0;
	}
	return 1;
}

static ps_status parse_module(parser *p, int is_kernel)
{
	lab_scenario *sc = p->sc;
	lab_module_spec *m;
	uint64_t base = 0;
	int have_base = 0, base_tok = 0;
	ps_status st;

	if (p->ntok < 2)
		return fail(p, "%s: missing image file name", p->tok[0], NULL);
	if (sc->module_count >= LAB_MAX_MODULES)
		return fail(p, "too many modules (at most 64)", NULL, NULL);
	if (strlen(p->tok[1]) >= sizeof m->file || !name_ok(p->tok[1]))
		return fail(p, "bad image file name '%s'", p->tok[1], NULL);
	if (is_kernel) {
		for (size_t i = 0; i < sc->module_count; i++) {
			if (sc->modules[i].is_kernel) {
				char l[16];
				snprintf(l, sizeof l, "%d", sc->modules[i].line);
				return fail(p, "second kernel line (the first is at line %s)", l, NULL);
			}
		}
	}
	m = &sc->modules[sc->module_count];
	memset(m, 0, sizeof *m);
	snprintf(m->file, sizeof m->file, "%.63s", p->tok[1]);
	m->is_kernel = is_kernel;
	m->line = p->line;
	for (int i = 2; i < p->ntok; i += 2) {
		const char *key = p->tok[i];
		if (i + 1 >= p->ntok)
			return fail(p, "'%s' needs a value", key, NULL);
		if (strcmp(key, "base") == 0) {
			if ((st = number(p, i + 1, "base", UINT64_MAX, &base)) != PS_OK)
				return st;
			have_base = 1;
			base_tok = i + 1;
		} else if (strcmp(key, "name") == 0) {
			if (strlen(p->tok[i + 1]) >= sizeof m->name || !name_ok(p->tok[i + 1]))
				return fail(p, "bad module name '%s'", p->tok[i + 1], NULL);
			snprintf(m->name, sizeof m->name, "%.63s", p->tok[i + 1]);
		} else if (strcmp(key, "path") == 0) {
			if (strlen(p->tok[i + 1]) >= sizeof m->path)
				return fail(p, "module path too long", NULL, NULL);
			snprintf(m->path, sizeof m->path, "%s", p->tok[i + 1]);
		} else {
			return fail(p, "unknown module attribute '%s' (base, name, path)", key, NULL);
		}
	}
	if (!have_base)
		return fail(p, "%s %s: missing 'base ADDRESS'", p->tok[0], p->tok[1]);
	if (base & 0xFFF)
		return fail(p, "module base %s is not page aligned (4 KiB)", p->tok[base_tok], NULL);
	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before modules", NULL, NULL);
	if (!is_kernel_va(sc->arch, base))
		return fail(p, "module base is not a kernel address for %s", lab_arch_name(sc->arch), NULL);
	m->base = base;
	if (!m->name[0])
		snprintf(m->name, sizeof m->name, "%s", is_kernel ? "ntoskrnl.exe" : m->file);
	if (!m->path[0]) {
		const char *dot = strrchr(m->name, '.');
		int is_sys = dot && (strcmp(dot, ".sys") == 0 || strcmp(dot, ".SYS") == 0);
		char name[sizeof m->name];
		memcpy(name, m->name, sizeof name);
		snprintf(m->path, sizeof m->path, "\\SystemRoot\\system32\\%s%s",
			 is_sys ? "DRIVERS\\" : "", name);
	}
	for (size_t i = 0; i < sc->module_count; i++)
		if (sc->modules[i].base == base)
			return fail(p, "module base already used by %s", sc->modules[i].name, NULL);
	sc->module_count++;
	return PS_OK;
}

static ps_status parse_process(parser *p)
{
	lab_scenario *sc = p->sc;
	lab_process_spec *pr;
	int have_pid = 0;
	ps_status st;
	uint64_t v;

	if (p->ntok < 2)
		return fail(p, "process: missing image name", NULL, NULL);
	if (sc->process_count >= LAB_MAX_PROCESSES)
		return fail(p, "too many processes (at most 256)", NULL, NULL);
	if (strlen(p->tok[1]) > 15 || !name_ok(p->tok[1]))
		return fail(p, "bad process image name '%s' (at most 15 characters)", p->tok[1], NULL);
	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before processes", NULL, NULL);
	pr = &sc->processes[sc->process_count];
	memset(pr, 0, sizeof *pr);
	snprintf(pr->name, sizeof pr->name, "%.15s", p->tok[1]);
	pr->line = p->line;
	pr->session = LAB_NO_SESSION;
	for (int i = 2; i < p->ntok; i += 2) {
		const char *key = p->tok[i];
		if (i + 1 >= p->ntok)
			return fail(p, "'%s' needs a value", key, NULL);
		if (strcmp(key, "pid") == 0) {
			if ((st = number(p, i + 1, "pid", 0xFFFFFFFFull, &pr->pid)) != PS_OK)
				return st;
			have_pid = 1;
		} else if (strcmp(key, "parent") == 0) {
			if ((st = number(p, i + 1, "parent", 0xFFFFFFFFull, &pr->parent)) != PS_OK)
				return st;
		} else if (strcmp(key, "session") == 0) {
			if ((st = number(p, i + 1, "session", 0xFFFF, &v)) != PS_OK)
				return st;
			pr->session = (uint32_t)v;
		} else if (strcmp(key, "peb") == 0) {
			if ((st = number(p, i + 1, "peb", UINT64_MAX, &pr->peb)) != PS_OK)
				return st;
			if (!is_user_va(sc->arch, pr->peb) || (pr->peb & 0xFFF))
				return fail(p, "peb %s is not a page-aligned user address", p->tok[i + 1], NULL);
		} else {
			return fail(p, "unknown process attribute '%s' (pid, parent, session, peb)", key, NULL);
		}
	}
	if (!have_pid)
		return fail(p, "process %s: missing 'pid N'", pr->name, NULL);
	if (pr->pid & 3) {
		char pid[24];
		snprintf(pid, sizeof pid, "%llu", (unsigned long long)pr->pid);
		return fail(p, "pid %s is not a multiple of 4", pid, NULL);
	}
	for (size_t i = 0; i < sc->process_count; i++)
		if (sc->processes[i].pid == pr->pid)
			return fail(p, "pid already used by %s", sc->processes[i].name, NULL);
	sc->process_count++;
	return PS_OK;
}

static ps_status parse_memory(parser *p)
{
	lab_scenario *sc = p->sc;
	char a[MAX_TOKEN], *dash;
	uint64_t start, end;

	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before memory", NULL, NULL);
	if (p->ntok != 2)
		return fail(p, "memory: expected one range START-END", NULL, NULL);
	snprintf(a, sizeof a, "%s", p->tok[1]);
	dash = strchr(a, '-');
	if (!dash)
		return fail(p, "memory: '%s' is not START-END", p->tok[1], NULL);
	*dash = '\0';
	if (parse_u64(a, &start) != 0 || parse_u64(dash + 1, &end) != 0)
		return fail(p, "memory: bad number in '%s'", p->tok[1], NULL);
	if ((start & 0xFFF) || (end & 0xFFF))
		return fail(p, "memory: %s is not page aligned", p->tok[1], NULL);
	if (end <= start)
		return fail(p, "memory: empty or reversed range %s", p->tok[1], NULL);
	if (end > (1ull << 40))
		return fail(p, "memory: %s goes beyond 1 TiB", p->tok[1], NULL);
	if (sc->arch == LAB_ARCH_X86 && end > (1ull << 32))
		return fail(p, "memory: %s is above 4 GiB, which x86 without PAE cannot address", p->tok[1], NULL);
	if (sc->run_count >= LAB_MAX_RUNS)
		return fail(p, "too many memory runs (at most 32)", NULL, NULL);
	if (sc->run_count) {
		const lab_run *last = &sc->runs[sc->run_count - 1];
		if (start / 4096 < last->base_page + last->page_count)
			return fail(p, "memory: %s overlaps or is below the previous run (runs must ascend)", p->tok[1], NULL);
	}
	sc->runs[sc->run_count].base_page = start / 4096;
	sc->runs[sc->run_count].page_count = (end - start) / 4096;
	sc->run_count++;
	return PS_OK;
}

static int days_from_civil(int y, int m, int d, int64_t *days)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t yy, era, yoe, doy, doe;

	if (y < 1601 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	/* Days since 1970-01-01 (Howard Hinnant's civil calendar algorithm). */
	yy = y - (m <= 2);
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}

static ps_status parse_time(parser *p)
{
	int y, mo, d, h = 0, mi = 0, s = 0;
	int64_t days;
	char extra;

	if (p->ntok < 2 || p->ntok > 3)
		return fail(p, "time: expected YYYY-MM-DD [HH:MM:SS] (UTC)", NULL, NULL);
	if (sscanf(p->tok[1], "%4d-%2d-%2d%c", &y, &mo, &d, &extra) != 3)
		return fail(p, "time: bad date '%s'", p->tok[1], NULL);
	if (p->ntok == 3 && sscanf(p->tok[2], "%2d:%2d:%2d%c", &h, &mi, &s, &extra) != 3)
		return fail(p, "time: bad time of day '%s'", p->tok[2], NULL);
	if (days_from_civil(y, mo, d, &days) != 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return fail(p, "time: '%s' is not a valid date and time", p->tok[1], NULL);
	/* FILETIME: 100 ns since 1601-01-01; 11644473600 s separate the epochs. */
	p->sc->system_time = (uint64_t)((days * 86400 + h * 3600 + mi * 60 + s) + 11644473600ll) * 10000000ull;
	return PS_OK;
}

static ps_status parse_context(parser *p)
{
	const char *const *names = p->sc->arch == LAB_ARCH_X64 ? regs_x64 : regs_x86;
	ps_status st;

	if (p->sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before context", NULL, NULL);
	if (p->ntok < 3 || (p->ntok - 1) % 2)
		return fail(p, "context: expected REGISTER VALUE pairs", NULL, NULL);
	for (int i = 1; i < p->ntok; i += 2) {
		int known = 0;
		uint64_t v;
		lab_reg *r = NULL;
		for (int k = 0; names[k]; k++)
			if (strcmp(names[k], p->tok[i]) == 0)
				known = 1;
		if (!known)
			return fail(p, "context: unknown register '%s' for %s", p->tok[i],
				    lab_arch_name(p->sc->arch));
		if (strchr(p->tok[i + 1], '!')) {
			if (strlen(p->tok[i + 1]) >= sizeof r->symbol)
				return fail(p, "context: symbol '%s' is too long", p->tok[i + 1], NULL);
			v = 0;
		} else if ((st = number(p, i + 1, p->tok[i], lab_arch_is_64(p->sc->arch) ? UINT64_MAX : 0xFFFFFFFFull, &v)) != PS_OK) {
			return st;
		}
		for (size_t k = 0; k < p->sc->reg_count; k++)
			if (strcmp(p->sc->regs[k].name, p->tok[i]) == 0)
				r = &p->sc->regs[k];
		if (!r) {
			if (p->sc->reg_count >= LAB_MAX_REGS)
				return fail(p, "context: too many registers", NULL, NULL);
			r = &p->sc->regs[p->sc->reg_count++];
			snprintf(r->name, sizeof r->name, "%.7s", p->tok[i]);
		}
		r->value = v;
		r->symbol[0] = '\0';
		if (strchr(p->tok[i + 1], '!'))
			snprintf(r->symbol, sizeof r->symbol, "%s", p->tok[i + 1]);
	}
	return PS_OK;
}

/* vm keys: the !vm figures a scenario may give (docs/scenario-format.md).
 * `indexed` keys take an index before the value (paged-usage N, session ID). */
static const struct vm_key {
	const char *key;
	int indexed;
} vm_keys[] = {
	{ "available", 0 }, { "resavail", 0 }, { "locked-io", 0 }, { "free-system-ptes", 0 },
	{ "modified", 0 }, { "modified-pf", 0 }, { "modified-no-write", 0 },
	{ "nonpaged-usage", 0 }, { "nonpaged-max", 0 }, { "paged-usage", 1 }, { "paged-max", 0 },
	{ "failures", 0 }, { "shared-commit", 0 }, { "special-pool", 0 }, { "shared-process", 0 },
	{ "paged-commit", 0 }, { "driver-commit", 0 }, { "committed", 0 }, { "commit-limit", 0 },
	{ "session", 1 }, { "paged-pools", 0 }, { "track-table-size", 0 }, { "big-table-size", 0 },
	{ NULL, 0 }
};

/* A pool tag: four characters as WinDbg shows them ("MSKK", stored as the
 * bytes 4D 53 4B 4B, so the dword is 0x4B4B534D), or 0x........ for the
 * dword itself (tags with non-ASCII bytes, e.g. 0xE5726854 = 'Thr\xE5'). */
static int parse_tag(const char *s, uint32_t *tag)
{
	uint64_t v;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strlen(s) > 4) {
		if (parse_u64(s, &v) != 0 || v > 0xFFFFFFFFull || v == 0)
			return -1;
		*tag = (uint32_t)v;
		return 0;
	}
	if (strlen(s) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
			return -1;
	*tag = (uint32_t)(unsigned char)s[0] | ((uint32_t)(unsigned char)s[1] << 8) |
	       ((uint32_t)(unsigned char)s[2] << 16) | ((uint32_t)(unsigned char)s[3] << 24);
	return 0;
}

int lab_parse_scale(const char *s, uint64_t *ppm)
{
	/* Decimal fraction or mantissa-exponent, computed in integers so the
	 * same text gives the same scale everywhere. */
	uint64_t intpart = 0, frac = 0, fdigits = 0;
	int exp = 0, esign = 1, seen = 0;
	const char *c = s;

	for (; *c >= '0' && *c <= '9'; c++, seen = 1) {
		if (intpart > 100000)
			return -1;
		intpart = intpart * 10 + (uint64_t)(*c - '0');
	}
	if (*c == '.') {
		for (c++; *c >= '0' && *c <= '9'; c++, seen = 1) {
			if (fdigits < 12) {
				frac = frac * 10 + (uint64_t)(*c - '0');
				fdigits++;
			}
		}
	}
	if (!seen)
		return -1;
	if (*c == 'e' || *c == 'E') {
		c++;
		if (*c == '-' || *c == '+')
			esign = *c++ == '-' ? -1 : 1;
		if (*c < '0' || *c > '9')
			return -1;
		for (; *c >= '0' && *c <= '9'; c++) {
			exp = exp * 10 + (*c - '0');
			if (exp > 12)
				return -1;
		}
	}
	if (*c)
		return -1;
	/* value = (intpart * 10^fdigits + frac) * 10^(esign*exp - fdigits);
	 * ppm = value * 10^6. */
	{
		uint64_t mant = intpart;
		int pow10 = 6 + esign * exp - (int)fdigits;
		for (uint64_t i = 0; i < fdigits; i++)
			mant *= 10;
		mant += frac;
		while (pow10 > 0) {
			if (mant > UINT64_MAX / 10)
				return -1;
			mant *= 10;
			pow10--;
		}
		while (pow10 < 0) {
			mant /= 10;
			pow10++;
		}
		if (mant == 0 || mant > 1000ull * LAB_SCALE_ONE)
			return -1;
		*ppm = mant;
	}
	return 0;
}

uint64_t lab_scaled(const lab_scenario *sc, uint64_t count)
{
	uint64_t ppm = sc->scale_ppm ? sc->scale_ppm : LAB_SCALE_ONE;
	uint64_t hi = count / LAB_SCALE_ONE, lo = count % LAB_SCALE_ONE, v;
	if (count == 0)
		return 0;
	/* count * ppm / 10^6 without overflow: ppm <= 10^9 and lo < 10^6. */
	if (hi > UINT64_MAX / ppm)
		return UINT64_MAX;
	v = hi * ppm + (lo * ppm + LAB_SCALE_ONE / 2) / LAB_SCALE_ONE;
	return v ? v : 1;
}

static ps_status parse_pool(parser *p)
{
	lab_scenario *sc = p->sc;
	lab_pool_spec *ps;
	uint64_t v;
	int have_sid = 0;
	ps_status st;

	if (p->ntok < 5)
		return fail(p, "pool: expected TAG COUNT SIZE paged|nonpaged|session [module NAME] [freed N] [sid N]", NULL, NULL);
	if (sc->pool_count >= LAB_MAX_POOL_LINES)
		return fail(p, "too many pool lines (at most 256)", NULL, NULL);
	ps = &sc->pools[sc->pool_count];
	memset(ps, 0, sizeof *ps);
	ps->line = p->line;
	if (parse_tag(p->tok[1], &ps->tag) != 0)
		return fail(p, "pool: bad tag '%s' (four printable characters, or 0x and eight hex digits)", p->tok[1], NULL);
	if ((st = number(p, 2, "pool count", 1000000000ull, &ps->count)) != PS_OK)
		return st;
	if ((st = number(p, 3, "pool size", 0x10000000ull, &v)) != PS_OK)
		return st;
	if (v == 0)
		return fail(p, "pool: size 0", NULL, NULL);
	ps->size = (uint32_t)v;
	if (strcmp(p->tok[4], "paged") == 0)
		ps->pool = LAB_POOL_PAGED;
	else if (strcmp(p->tok[4], "nonpaged") == 0)
		ps->pool = LAB_POOL_NONPAGED;
	else if (strcmp(p->tok[4], "session") == 0)
		ps->pool = LAB_POOL_SESSION;
	else
		return fail(p, "pool: '%s' is not paged, nonpaged or session", p->tok[4], NULL);
	for (int i = 5; i < p->ntok; i += 2) {
		const char *key = p->tok[i];
		if (i + 1 >= p->ntok)
			return fail(p, "'%s' needs a value", key, NULL);
		if (strcmp(key, "module") == 0) {
			if (strlen(p->tok[i + 1]) >= sizeof ps->module || !name_ok(p->tok[i + 1]))
				return fail(p, "pool: bad module name '%s'", p->tok[i + 1], NULL);
			snprintf(ps->module, sizeof ps->module, "%s", p->tok[i + 1]);
		} else if (strcmp(key, "freed") == 0) {
			if ((st = number(p, i + 1, "freed", 1000000000ull, &ps->freed)) != PS_OK)
				return st;
		} else if (strcmp(key, "sid") == 0) {
			if ((st = number(p, i + 1, "sid", 0xFFFF, &v)) != PS_OK)
				return st;
			ps->session = (uint32_t)v;
			have_sid = 1;
		} else {
			return fail(p, "unknown pool attribute '%s' (module, freed, sid)", key, NULL);
		}
	}
	if (ps->freed > ps->count)
		return fail(p, "pool: more freed than allocated", NULL, NULL);
	if (have_sid && ps->pool != LAB_POOL_SESSION)
		return fail(p, "pool: 'sid' is for session pool only", NULL, NULL);
	if (ps->pool == LAB_POOL_SESSION && !have_sid)
		ps->session = 1;
	sc->pool_count++;
	return PS_OK;
}

static ps_status parse_threads(parser *p)
{
	lab_scenario *sc = p->sc;
	lab_thread_spec *t;
	uint64_t v;
	ps_status st;

	if (p->ntok < 3)
		return fail(p, "threads: expected PROCESS COUNT [terminated] [start VA]", NULL, NULL);
	if (sc->thread_count >= LAB_MAX_THREAD_LINES)
		return fail(p, "too many threads lines (at most 64)", NULL, NULL);
	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before threads", NULL, NULL);
	t = &sc->threads[sc->thread_count];
	memset(t, 0, sizeof *t);
	t->line = p->line;
	t->pid = LAB_NO_PID;
	if (parse_u64(p->tok[1], &v) == 0) {
		t->pid = v;
	} else {
		if (strlen(p->tok[1]) > 15 || !name_ok(p->tok[1]))
			return fail(p, "threads: bad process '%s' (image name or pid)", p->tok[1], NULL);
		snprintf(t->process, sizeof t->process, "%s", p->tok[1]);
	}
	if ((st = number(p, 2, "thread count", 100000000ull, &t->count)) != PS_OK)
		return st;
	for (int i = 3; i < p->ntok; i++) {
		if (strcmp(p->tok[i], "terminated") == 0) {
			t->terminated = 1;
		} else if (strcmp(p->tok[i], "start") == 0) {
			if ((st = number(p, i + 1, "start", UINT64_MAX, &t->start)) != PS_OK)
				return st;
			i++;
		} else {
			return fail(p, "unknown threads attribute '%s' (terminated, start)", p->tok[i], NULL);
		}
	}
	sc->thread_count++;
	return PS_OK;
}

/* unloaded NAME START END (docs/scenario-format.md) */
static ps_status parse_unloaded(parser *p)
{
	lab_scenario *sc = p->sc;
	lab_unloaded_spec *u;
	ps_status st;

	if (p->ntok != 4)
		return fail(p, "unloaded: expected NAME START END", NULL, NULL);
	if (sc->unloaded_count >= LAB_MAX_UNLOADED)
		return fail(p, "too many unloaded lines (at most 50, the kernel's ring)", NULL, NULL);
	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before unloaded", NULL, NULL);
	u = &sc->unloaded[sc->unloaded_count];
	memset(u, 0, sizeof *u);
	u->line = p->line;
	if (strlen(p->tok[1]) >= sizeof u->name || !name_ok(p->tok[1]))
		return fail(p, "unloaded: bad driver name '%s' (at most 63 characters)", p->tok[1], NULL);
	snprintf(u->name, sizeof u->name, "%s", p->tok[1]);
	if ((st = number(p, 2, "start", UINT64_MAX, &u->start)) != PS_OK)
		return st;
	if ((st = number(p, 3, "end", UINT64_MAX, &u->end)) != PS_OK)
		return st;
	if (u->end <= u->start)
		return fail(p, "unloaded: END must lie above START", NULL, NULL);
	if (sc->arch != LAB_ARCH_X64 && u->end > 0xFFFFFFFFull)
		return fail(p, "unloaded: address beyond 32 bits on x86", NULL, NULL);
	sc->unloaded_count++;
	return PS_OK;
}

/* pagefile PATH current KB free KB minimum KB maximum KB */
static ps_status parse_pagefile(parser *p)
{
	static const char *const keys[] = { "current", "free", "minimum", "maximum" };
	lab_scenario *sc = p->sc;
	lab_pagefile_spec *f;
	uint64_t *fields[4];
	int seen[4] = { 0 };
	ps_status st;

	if (p->ntok != 10)
		return fail(p, "pagefile: expected PATH current KB free KB minimum KB maximum KB", NULL, NULL);
	if (sc->pagefile_count >= LAB_MAX_PAGEFILES)
		return fail(p, "too many pagefile lines (at most 16, the kernel's MmPagingFile[])", NULL, NULL);
	if (sc->arch == LAB_ARCH_NONE)
		return fail(p, "'arch' must come before pagefile", NULL, NULL);
	f = &sc->pagefiles[sc->pagefile_count];
	memset(f, 0, sizeof *f);
	f->line = p->line;
	if (strlen(p->tok[1]) >= sizeof f->path)
		return fail(p, "pagefile: path '%.60s...' is longer than 127 bytes", p->tok[1], NULL);
	for (const char *c = p->tok[1]; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7E)
			return fail(p, "pagefile: the path must be printable ASCII", NULL, NULL);
	snprintf(f->path, sizeof f->path, "%s", p->tok[1]);
	fields[0] = &f->current_kb;
	fields[1] = &f->free_kb;
	fields[2] = &f->minimum_kb;
	fields[3] = &f->maximum_kb;
	for (int i = 2; i < 10; i += 2) {
		int k = 0;
		while (k < 4 && strcmp(p->tok[i], keys[k]) != 0)
			k++;
		if (k == 4 || seen[k])
			return fail(p, "pagefile: expected each of current, free, minimum, maximum once, not '%s'",
				    p->tok[i], NULL);
		seen[k] = 1;
		/* 2^40 Kb is a petabyte: beyond any paging file, and pages fit a ULONG on x86 */
		if ((st = number(p, i + 1, keys[k], UINT64_C(1) << 40, fields[k])) != PS_OK)
			return st;
		if (*fields[k] % 4 != 0)
			return fail(p, "pagefile: %s is not a whole number of 4 Kb pages", keys[k], NULL);
	}
	if (f->free_kb > f->current_kb)
		return fail(p, "pagefile: free exceeds current", NULL, NULL);
	if (f->minimum_kb > f->maximum_kb || f->current_kb > f->maximum_kb)
		return fail(p, "pagefile: minimum and current must not exceed maximum", NULL, NULL);
	if (sc->arch != LAB_ARCH_X64 && f->maximum_kb / 4 > 0xFFFFFFFFu)
		return fail(p, "pagefile: more pages than an x86 ULONG_PTR holds", NULL, NULL);
	sc->pagefile_count++;
	return PS_OK;
}

static ps_status parse_vm(parser *p)
{
	lab_scenario *sc = p->sc;
	const struct vm_key *k = NULL;
	lab_vm_value *vm;
	uint64_t v;
	int i = 2;
	ps_status st;

	if (p->ntok < 3)
		return fail(p, "vm: expected KEY VALUE", NULL, NULL);
	for (int j = 0; vm_keys[j].key; j++)
		if (strcmp(vm_keys[j].key, p->tok[1]) == 0)
			k = &vm_keys[j];
	if (!k)
		return fail(p, "vm: unknown key '%s' (see docs/scenario-format.md)", p->tok[1], NULL);
	if (sc->vm_count >= LAB_MAX_VM)
		return fail(p, "too many vm lines (at most 64)", NULL, NULL);
	vm = &sc->vm[sc->vm_count];
	memset(vm, 0, sizeof *vm);
	snprintf(vm->key, sizeof vm->key, "%s", k->key);
	vm->line = p->line;
	if (k->indexed) {
		if ((st = number(p, 2, "vm index", strcmp(k->key, "session") == 0 ? 0xFFFF : 16, &v)) != PS_OK)
			return st;
		vm->index = (uint32_t)v;
		i = 3;
	}
	if (strcmp(k->key, "session") == 0) {
		/* vm session ID paged-pool SIZE commit SIZE (sizes with K/M) */
		if (p->ntok != 7 || strcmp(p->tok[3], "paged-pool") != 0 || strcmp(p->tok[5], "commit") != 0)
			return fail(p, "vm session: expected ID paged-pool SIZE commit SIZE", NULL, NULL);
		if (lab_parse_size(p->tok[4], &vm->value) != 0 || lab_parse_size(p->tok[6], &vm->value2) != 0 ||
		    (vm->value & 0xFFF) || (vm->value2 & 0xFFF))
			return fail(p, "vm session: sizes must be whole pages, e.g. 2740K", NULL, NULL);
		vm->value /= 4096;
		vm->value2 /= 4096;
	} else {
		if (p->ntok != i + 1)
			return fail(p, "vm %s: expected one value", k->key, NULL);
		if ((st = number(p, i, k->key, 0xFFFFFFFFFFull, &vm->value)) != PS_OK)
			return st;
	}
	for (size_t j = 0; j < sc->vm_count; j++)
		if (strcmp(sc->vm[j].key, vm->key) == 0 && sc->vm[j].index == vm->index)
			return fail(p, "vm %s given twice", vm->key, NULL);
	sc->vm_count++;
	return PS_OK;
}

static ps_status parse_line(parser *p)
{
	lab_scenario *sc = p->sc;
	const char *k = p->tok[0];
	ps_status st;
	uint64_t v;

	if (strcmp(k, "arch") == 0) {
		if (p->ntok != 2)
			return fail(p, "arch: expected one of x86, x86-pae, x64", NULL, NULL);
		if (sc->arch != LAB_ARCH_NONE)
			return fail(p, "arch given twice", NULL, NULL);
		if (strcmp(p->tok[1], "x86") == 0)
			sc->arch = LAB_ARCH_X86;
		else if (strcmp(p->tok[1], "x86-pae") == 0)
			sc->arch = LAB_ARCH_X86_PAE;
		else if (strcmp(p->tok[1], "x64") == 0)
			sc->arch = LAB_ARCH_X64;
		else
			return fail(p, "arch: '%s' is not x86, x86-pae or x64", p->tok[1], NULL);
		return PS_OK;
	}
	if (strcmp(k, "build") == 0) {
		if (p->ntok != 2)
			return fail(p, "build: expected a build number", NULL, NULL);
		if ((st = number(p, 1, "build", 0xFFFF, &v)) != PS_OK)
			return st;
		if (v != 7601 && v != 17763)
			return fail(p, "build %s is not supported (7601 or 17763)", p->tok[1], NULL);
		sc->build = (uint32_t)v;
		return PS_OK;
	}
	if (strcmp(k, "dump-type") == 0) {
		if (p->ntok != 2 || number(p, 1, "dump-type", 0xFF, &v) != PS_OK || (v != 1 && v != 5))
			return fail(p, "dump-type: expected 1 (full) or 5 (kernel bitmap)", NULL, NULL);
		sc->dump_type = (uint32_t)v;
		return PS_OK;
	}
	if (strcmp(k, "processors") == 0) {
		if (p->ntok != 2)
			return fail(p, "processors: expected a count", NULL, NULL);
		if ((st = number(p, 1, "processors", 64, &v)) != PS_OK)
			return st;
		if (v == 0)
			return fail(p, "processors: at least 1", NULL, NULL);
		sc->processors = (uint32_t)v;
		return PS_OK;
	}
	if (strcmp(k, "seed") == 0) {
		if (p->ntok != 2)
			return fail(p, "seed: expected a number", NULL, NULL);
		return number(p, 1, "seed", UINT64_MAX, &sc->seed);
	}
	if (strcmp(k, "memory") == 0)
		return parse_memory(p);
	if (strcmp(k, "kernel") == 0)
		return parse_module(p, 1);
	if (strcmp(k, "module") == 0)
		return parse_module(p, 0);
	if (strcmp(k, "process") == 0)
		return parse_process(p);
	if (strcmp(k, "mm") == 0) {
		int known = 0;
		lab_counter *c;
		if (p->ntok != 3)
			return fail(p, "mm: expected NAME VALUE", NULL, NULL);
		for (int i = 0; known_counters[i]; i++)
			if (strcmp(known_counters[i], p->tok[1]) == 0)
				known = 1;
		if (!known)
			return fail(p, "mm: unknown counter '%s' (see docs/scenario-format.md)", p->tok[1], NULL);
		if (sc->counter_count >= LAB_MAX_COUNTERS)
			return fail(p, "too many mm lines", NULL, NULL);
		c = &sc->counters[sc->counter_count];
		if ((st = number(p, 2, p->tok[1], sc->arch == LAB_ARCH_X64 ? UINT64_MAX : 0xFFFFFFFFull, &c->value)) != PS_OK)
			return st;
		snprintf(c->name, sizeof c->name, "%.47s", p->tok[1]);
		c->line = p->line;
		sc->counter_count++;
		return PS_OK;
	}
	if (strcmp(k, "bugcheck") == 0) {
		uint64_t pmax = sc->arch == LAB_ARCH_X64 ? UINT64_MAX : 0xFFFFFFFFull;
		if (sc->arch == LAB_ARCH_NONE)
			return fail(p, "'arch' must come before bugcheck", NULL, NULL);
		if (p->ntok != 6)
			return fail(p, "bugcheck: expected CODE P1 P2 P3 P4", NULL, NULL);
		if ((st = number(p, 1, "bugcheck code", 0xFFFFFFFFull, &v)) != PS_OK)
			return st;
		sc->bugcheck_code = (uint32_t)v;
		for (int i = 0; i < 4; i++)
			if ((st = number(p, 2 + i, "bugcheck parameter", pmax, &sc->bugcheck_params[i])) != PS_OK)
				return st;
		sc->has_bugcheck = 1;
		return PS_OK;
	}
	if (strcmp(k, "context") == 0)
		return parse_context(p);
	if (strcmp(k, "time") == 0)
		return parse_time(p);
	if (strcmp(k, "uptime") == 0) {
		if (p->ntok != 2)
			return fail(p, "uptime: expected seconds", NULL, NULL);
		if ((st = number(p, 1, "uptime", 100ull * 365 * 86400, &v)) != PS_OK)
			return st;
		sc->uptime = v * 10000000ull;
		return PS_OK;
	}
	if (strcmp(k, "service-pack") == 0) {
		if (p->ntok != 2)
			return fail(p, "service-pack: expected a number", NULL, NULL);
		if ((st = number(p, 1, "service-pack", 9, &v)) != PS_OK)
			return st;
		sc->service_pack = (uint32_t)v;
		return PS_OK;
	}
	if (strcmp(k, "build-lab") == 0) {
		if (p->ntok != 2 || strlen(p->tok[1]) >= sizeof sc->build_lab)
			return fail(p, "build-lab: expected one string (at most 95 bytes)", NULL, NULL);
		snprintf(sc->build_lab, sizeof sc->build_lab, "%.95s", p->tok[1]);
		return PS_OK;
	}
	if (strcmp(k, "pool") == 0)
		return parse_pool(p);
	if (strcmp(k, "threads") == 0)
		return parse_threads(p);
	if (strcmp(k, "vm") == 0)
		return parse_vm(p);
	if (strcmp(k, "unloaded") == 0)
		return parse_unloaded(p);
	if (strcmp(k, "pagefile") == 0)
		return parse_pagefile(p);
	if (strcmp(k, "scale") == 0) {
		if (p->ntok != 2 || lab_parse_scale(p->tok[1], &sc->scale_ppm) != 0)
			return fail(p, "scale: expected a factor such as 1 or 0.001 (0.000001 to 1000)", NULL, NULL);
		return PS_OK;
	}
	if (strcmp(k, "kdbg-encoded") == 0) {
		if (p->ntok != 2 || (strcmp(p->tok[1], "yes") != 0 && strcmp(p->tok[1], "no") != 0))
			return fail(p, "kdbg-encoded: expected yes or no", NULL, NULL);
		sc->kdbg_encoded = strcmp(p->tok[1], "yes") == 0;
		sc->kdbg_encoded_line = p->line;
		return PS_OK;
	}
	if (strcmp(k, "handles") == 0 || strcmp(k, "thread") == 0 || strcmp(k, "handle") == 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "'%.20s' is reserved for a later version of the lab; line ignored", k);
		warn(p, msg);
		sc->reserved_lines++;
		return PS_OK;
	}
	return fail(p, "unknown keyword '%s'", k, NULL);
}

static ps_status finish(parser *p)
{
	lab_scenario *sc = p->sc;
	int kernels = 0;

	p->line = 0;
	if (sc->arch == LAB_ARCH_NONE)
		return ps_error_set(p->err, PS_EFORMAT, "%s: no 'arch' line", p->name);
	if (sc->build == 0)
		return ps_error_set(p->err, PS_EFORMAT, "%s: no 'build' line", p->name);
	if (sc->build == 17763 && sc->arch != LAB_ARCH_X64)
		return ps_error_set(p->err, PS_EUNSUPPORTED, "%s: build 17763 is supported on x64 only", p->name);
	/* Checked here, not on its line: arch and build may come after it. */
	if (sc->kdbg_encoded && (sc->arch != LAB_ARCH_X64 || sc->build < 9200))
		return ps_error_set(p->err, PS_EUNSUPPORTED,
				    "%s:%d: kdbg-encoded: only x64 Windows 8 and later (build 9200+) keep KDBG "
				    "encoded; this scenario is %s build %u",
				    p->name, sc->kdbg_encoded_line, lab_arch_name(sc->arch), (unsigned)sc->build);
	if (sc->run_count == 0)
		return ps_error_set(p->err, PS_EFORMAT, "%s: no 'memory' line", p->name);
	for (size_t i = 0; i < sc->module_count; i++)
		kernels += sc->modules[i].is_kernel;
	if (kernels != 1)
		return ps_error_set(p->err, PS_EFORMAT, "%s: no 'kernel' line", p->name);
	if (lab_scenario_total_pages(sc) < 4096)
		return ps_error_set(p->err, PS_EFORMAT, "%s: memory too small: %llu pages, the lab needs at least 16 MiB",
				    p->name, (unsigned long long)lab_scenario_total_pages(sc));
	if (sc->process_count == 0)
		return ps_error_set(p->err, PS_EFORMAT, "%s: no 'process' line (at least System)", p->name);
	for (size_t i = 0; i < sc->thread_count; i++) {
		lab_thread_spec *t = &sc->threads[i];
		int found = 0;
		for (size_t k = 0; k < sc->process_count && !found; k++) {
			if (t->pid != LAB_NO_PID ? sc->processes[k].pid == t->pid
						 : strcmp(sc->processes[k].name, t->process) == 0) {
				found = 1;
				t->pid = sc->processes[k].pid;
				snprintf(t->process, sizeof t->process, "%s", sc->processes[k].name);
			}
		}
		if (!found)
			return ps_error_set(p->err, PS_EFORMAT, "%s:%d: threads: no such process '%s'",
					    p->name, t->line, t->process[0] ? t->process : "(pid)");
	}
	if (!sc->build_lab[0])
		snprintf(sc->build_lab, sizeof sc->build_lab, "%s",
			 sc->build == 7601 ? (sc->arch == LAB_ARCH_X64 ? "7601.17514.amd64fre.win7sp1_rtm.101119-1850"
								    : "7601.17514.x86fre.win7sp1_rtm.101119-1850")
					   : "17763.1.amd64fre.rs5_release.180914-1434");
	return PS_OK;
}

ps_status lab_scenario_parse(const char *text, size_t len, const char *name,
			     lab_scenario *sc, lab_warn_fn warnfn, void *warn_ctx,
			     ps_error *err)
{
	parser *p;
	size_t pos = 0;
	ps_status st = PS_OK;

	memset(sc, 0, sizeof *sc);
	sc->dump_type = 5;
	sc->processors = 1;
	sc->scale_ppm = LAB_SCALE_ONE;
	sc->service_pack = 0;
	/* 2010-11-20 12:00:00 UTC, a Windows 7 SP1 era default. */
	sc->system_time = 129347136000000000ull;
	sc->uptime = 3600ull * 10000000ull;
	p = calloc(1, sizeof *p);
	if (!p)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory", name);
	p->name = name;
	p->sc = sc;
	p->warn = warnfn;
	p->warn_ctx = warn_ctx;
	p->err = err;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		p->line++;
		if (end - pos > MAX_LINE) {
			st = fail(p, "line too long (at most 1024 bytes)", NULL, NULL);
			break;
		}
		if (memchr(text + pos, '\0', end - pos)) {
			st = fail(p, "NUL byte in the text", NULL, NULL);
			break;
		}
		if ((st = tokenize(p, text + pos, end - pos)) != PS_OK)
			break;
		if (p->ntok > 0 && (st = parse_line(p)) != PS_OK)
			break;
		pos = end + 1;
	}
	if (st == PS_OK)
		st = finish(p);
	free(p);
	return st;
}

ps_status lab_scenario_load(const char *path, lab_scenario *sc, lab_warn_fn warnfn,
			    void *warn_ctx, ps_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	const char *base;
	ps_status st;

	if (!f)
		return ps_error_set(err, PS_EIO, "%s: cannot open: %s", path, strerror(errno));
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory", path);
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) {
		free(buf);
		return ps_error_set(err, PS_EFORMAT, "%s: larger than 4 MiB; not a scenario", path);
	}
	base = strrchr(path, '/');
	st = lab_scenario_parse(buf, n, base ? base + 1 : path, sc, warnfn, warn_ctx, err);
	free(buf);
	return st;
}

uint64_t lab_scenario_total_pages(const lab_scenario *sc)
{
	uint64_t n = 0;
	for (size_t i = 0; i < sc->run_count; i++)
		n += sc->runs[i].page_count;
	return n;
}

uint64_t lab_scenario_max_page(const lab_scenario *sc)
{
	if (sc->run_count == 0)
		return 0;
	return sc->runs[sc->run_count - 1].base_page + sc->runs[sc->run_count - 1].page_count;
}

ps_status lab_scenario_limit_memory(lab_scenario *sc, uint64_t bytes, ps_error *err)
{
	uint64_t left = bytes / 4096;
	size_t i;

	if (left < 4096)
		return ps_error_set(err, PS_EARG, "--memory %llu bytes: the lab needs at least 16 MiB",
				    (unsigned long long)bytes);
	for (i = 0; i < sc->run_count && left; i++) {
		if (sc->runs[i].page_count > left)
			sc->runs[i].page_count = left;
		left -= sc->runs[i].page_count;
	}
	sc->run_count = i;
	return PS_OK;
}
