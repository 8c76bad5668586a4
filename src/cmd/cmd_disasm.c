/*
 * cmd_disasm.c - u, ub and uf: disassembly as WinDbg prints it, and the
 * instruction line at the end of `r`.
 *
 *   u [ADDR] [L COUNT | END]   COUNT instructions (8 by default) from ADDR,
 *                              or those starting at or before END; without
 *                              ADDR, where the last u stopped, else at the
 *                              instruction pointer.
 *   ub [ADDR] [L COUNT]        the COUNT instructions that end at ADDR.
 *   uf ADDR                    the whole function around ADDR.
 *
 * Each listing starts with the name of its first address ("SIoctl+0x4323:")
 * and names again every address where a symbol starts. Bytes that cannot be
 * read print as "9196b323 ??              ???", bytes that are no
 * instruction as one "???" byte, as WinDbg does.
 *
 * ub has to find instruction boundaries backwards. x86 code resynchronises
 * quickly, so it decodes forward from many starting points before ADDR and
 * keeps the longest chain that ends exactly at ADDR without an invalid
 * instruction: the chain that started furthest back has had the most room
 * to fall into step with the real instruction stream.
 *
 * uf follows the control flow from the function's start: conditional
 * branches (both ways), direct jumps and calls' return points, within the
 * function's extent when the PDB (procedure size) or x64 .pdata gives one,
 * else within the module. Blocks print in address order, each under its
 * label and separated by a blank line, as WinDbg's uf does. Indirect jumps
 * (switch tables) end a block: their targets are not followed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_disasm.h"
#include "cmd/cmd_symbols.h"
#include "cmd/cmd_util.h"
#include "cmd/disasm.h"

#define U_DEFAULT_COUNT 8
#define U_MAX_COUNT 0x100000u      /* instructions one u may print */
#define UB_MAX_BACK 4096u          /* bytes ub searches backwards */
#define UF_MAX_INSNS 20000u        /* instructions uf decodes */
#define UF_DEFAULT_SPAN 0x10000u   /* uf's reach outside any module */

static ps_status open_disasm(ps_session *s, ps_disasm **d, FILE *out)
{
	ps_error err;

	ps_error_clear(&err);
	if (ps_disasm_create(ps_cmd_pointer_size(s) == 8 ? 64 : 32, ps_cmd_disasm_namer, s, d, &err) !=
	    PS_OK) {
		fprintf(out, "%s\n", err.message);
		return err.status;
	}
	return PS_OK;
}

/* Decode the instruction at va. Returns 0 when its first byte cannot be
 * read (insn holds only the address then), 1 otherwise. */
static int decode_at(ps_session *s, ps_disasm *d, uint64_t va, ps_disasm_insn *insn)
{
	uint8_t buf[15], valid[15];
	size_t n = 0;

	ps_cmd_read_span(s, va, buf, valid, sizeof(buf));
	while (n < sizeof(buf) && valid[n])
		n++;
	if (n == 0) {
		memset(insn, 0, sizeof(*insn));
		insn->address = va;
		return 0;
	}
	ps_disasm_decode(d, va, buf, n, insn);
	return 1;
}

static void print_label(ps_session *s, uint64_t va, FILE *out)
{
	char name[320];

	if (ps_cmd_symbol_name(s, va, name, sizeof(name)))
		fprintf(out, "%s:\n", name);
}

/* Print the instruction at va; returns the address after it. */
static uint64_t print_one(ps_session *s, ps_disasm *d, uint64_t va, FILE *out)
{
	ps_disasm_insn insn;
	char line[PS_DISASM_TEXT_MAX + 128];
	unsigned ptr = ps_cmd_pointer_size(s);

	if (!decode_at(s, d, va, &insn)) {
		fprintf(out, "%s\n", ps_disasm_unreadable_line(va, ptr, line, sizeof(line)));
		return va + 1;
	}
	fprintf(out, "%s\n", ps_disasm_line(&insn, ptr, line, sizeof(line)));
	return va + insn.length;
}

static uint64_t wrap(const ps_session *s, uint64_t va)
{
	if (ps_cmd_pointer_size(s) == 4)
		return va & 0xffffffffu;
	return s->vm ? ps_vm_canonical(s->vm, va) : va;
}

/* "ADDR", "ADDR L COUNT", "ADDR END"; an empty text leaves *have_start 0. */
static ps_status parse_args(ps_session *s, const char *cmd, const char *args, int allow_end,
			    uint64_t *start, int *have_start, uint64_t *count, uint64_t *end,
			    int *have_end, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args), *after;
	ps_status st;

	*have_start = 0;
	*have_end = 0;
	if (!*p)
		return PS_OK;
	st = ps_cmd_eval(s, p, &after, start, out);
	if (st != PS_OK)
		return st;
	*start = wrap(s, *start);
	*have_start = 1;
	p = ps_cmd_skip_blanks(after);
	if (*p == 'L' || *p == 'l') {
		const char *at = p;

		p++;
		if (*p == '?')
			p++;
		st = ps_cmd_eval(s, p, &after, count, out);
		if (st != PS_OK)
			return st;
		if (*count == 0 || *count > U_MAX_COUNT) {
			ps_cmd_syntax_error(s, out, "Range error", cmd, args, at);
			return PS_EARG;
		}
		p = ps_cmd_skip_blanks(after);
	} else if (*p && allow_end) {
		const char *at = p;

		st = ps_cmd_eval(s, p, &after, end, out);
		if (st != PS_OK)
			return st;
		*end = wrap(s, *end);
		if (*end < *start || *end - *start > PS_CMD_RANGE_LIMIT) {
			ps_cmd_syntax_error(s, out, "Range error", cmd, args, at);
			return PS_EARG;
		}
		*have_end = 1;
		p = ps_cmd_skip_blanks(after);
	}
	if (*p) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
		return PS_EARG;
	}
	return PS_OK;
}

/* ---- u ------------------------------------------------------------------- */

ps_status ps_cmd_u(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	uint64_t va = 0, count = U_DEFAULT_COUNT, end = 0, i;
	int have_start, have_end;
	ps_disasm *d;
	ps_status st;

	st = parse_args(s, cmd, args, 1, &va, &have_start, &count, &end, &have_end, out);
	if (st != PS_OK)
		return st;
	if (!have_start)
		va = s->have_next_unassemble ? s->next_unassemble : ps_cmd_current_ip(s);
	st = open_disasm(s, &d, out);
	if (st != PS_OK)
		return st;
	for (i = 0; have_end ? va <= end : i < count; i++) {
		if (i == 0)
			print_label(s, va, out);
		else if (ps_cmd_symbol_starts_at(s, va))
			print_label(s, va, out);
		va = wrap(s, print_one(s, d, va, out));
		if (have_end && i >= U_MAX_COUNT)
			break;
	}
	ps_disasm_destroy(d);
	s->next_unassemble = va;
	s->have_next_unassemble = 1;
	return PS_OK;
}

/* ---- ub ------------------------------------------------------------------ */

/* Count the instructions from `from` to `to`; 0 when the chain does not
 * end exactly at `to` or meets an invalid or unreadable byte. */
static size_t chain_length(ps_disasm *d, const uint8_t *buf, const uint8_t *valid, uint64_t base,
			   uint64_t from, uint64_t to)
{
	size_t n = 0;

	while (from < to) {
		size_t off = (size_t)(from - base), avail = 0;
		unsigned len;

		while (off + avail < (size_t)(to - base) + 15 && valid[off + avail] && avail < 15)
			avail++;
		len = avail ? ps_disasm_length(d, buf + off, avail) : 0;
		if (len == 0)
			return 0;
		from += len;
		n++;
	}
	return from == to ? n : 0;
}

static uint64_t back_start(ps_session *s, ps_disasm *d, uint64_t addr, uint64_t count)
{
	uint64_t window = count * 15 + 15, base, best = 0, k;
	size_t best_len = 0;
	uint8_t *buf, *valid;

	if (window > UB_MAX_BACK)
		window = UB_MAX_BACK;
	if (window > addr)
		window = addr;
	base = addr - window;
	buf = malloc((size_t)window + 15);
	valid = malloc((size_t)window + 15);
	if (!buf || !valid) {
		free(buf);
		free(valid);
		return addr - (count < addr ? count : addr);
	}
	/* Read a little past addr so the last instruction's bytes are there. */
	ps_cmd_read_span(s, base, buf, valid, (size_t)window + 15);
	for (k = 1; k <= window; k++) {
		size_t n = chain_length(d, buf, valid, base, addr - k, addr);

		if (n >= count && n >= best_len) {
			best = addr - k;
			best_len = n;
		}
	}
	free(buf);
	free(valid);
	if (best_len == 0)
		return addr - (count < addr ? count : addr);
	/* Skip the chain's first instructions so that `count` remain. */
	{
		uint8_t one[15], ok[15];
		size_t skip = best_len - (size_t)count, i;

		for (i = 0; i < skip; i++) {
			size_t avail = 0;

			ps_cmd_read_span(s, best, one, ok, sizeof(one));
			while (avail < sizeof(one) && ok[avail])
				avail++;
			best += ps_disasm_length(d, one, avail);
		}
	}
	return best;
}

ps_status ps_cmd_ub(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	uint64_t addr = 0, count = U_DEFAULT_COUNT, end = 0, va, i;
	int have_start, have_end;
	ps_disasm *d;
	ps_status st;

	st = parse_args(s, cmd, args, 0, &addr, &have_start, &count, &end, &have_end, out);
	if (st != PS_OK)
		return st;
	if (!have_start)
		addr = ps_cmd_current_ip(s);
	st = open_disasm(s, &d, out);
	if (st != PS_OK)
		return st;
	va = back_start(s, d, addr, count);
	for (i = 0; va < addr && i < U_MAX_COUNT; i++) {
		if (i == 0 || ps_cmd_symbol_starts_at(s, va))
			print_label(s, va, out);
		va = print_one(s, d, va, out);
	}
	ps_disasm_destroy(d);
	s->next_unassemble = va;
	s->have_next_unassemble = 1;
	return PS_OK;
}

/* ---- uf ------------------------------------------------------------------ */

typedef struct uf_insn {
	uint64_t address;
	unsigned length;     /* 0: unreadable */
} uf_insn;

typedef struct uf_state {
	uint64_t lo, hi;     /* where the walk may go */
	uf_insn *insns;
	size_t count;
	uint64_t *leaders;   /* block starts */
	size_t leader_count, leader_cap;
	uint64_t *todo;
	size_t todo_count, todo_cap;
	/* open-addressing set of decoded addresses */
	uint64_t *seen;
	size_t seen_cap;
} uf_state;

static int push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint64_t *nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return 0;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 1;
}

/* Insert into the seen set; returns 0 when va was already there. Slot
 * value 0 means empty, so addresses are stored plus one. */
static int see(uf_state *u, uint64_t va)
{
	size_t i = (size_t)((va * UINT64_C(0x9E3779B97F4A7C15)) >> 40) & (u->seen_cap - 1);

	while (u->seen[i]) {
		if (u->seen[i] == va + 1)
			return 0;
		i = (i + 1) & (u->seen_cap - 1);
	}
	u->seen[i] = va + 1;
	return 1;
}

static int in_reach(const uf_state *u, uint64_t va)
{
	return va >= u->lo && va < u->hi;
}

static void uf_walk(ps_session *s, ps_disasm *d, uf_state *u, uint64_t start)
{
	push(&u->leaders, &u->leader_count, &u->leader_cap, start);
	push(&u->todo, &u->todo_count, &u->todo_cap, start);
	while (u->todo_count && u->count < UF_MAX_INSNS) {
		uint64_t va = u->todo[--u->todo_count];

		while (in_reach(u, va) && u->count < UF_MAX_INSNS && see(u, va)) {
			ps_disasm_insn insn;

			if (!decode_at(s, d, va, &insn)) {
				u->insns[u->count].address = va;
				u->insns[u->count++].length = 0;
				break;
			}
			u->insns[u->count].address = va;
			u->insns[u->count++].length = insn.length;
			if (insn.length == 0 || insn.mnemonic[0] == '?')
				break;
			if ((insn.flow == PS_FLOW_JCC || insn.flow == PS_FLOW_JMP) && insn.has_target &&
			    in_reach(u, insn.target)) {
				push(&u->leaders, &u->leader_count, &u->leader_cap, insn.target);
				push(&u->todo, &u->todo_count, &u->todo_cap, insn.target);
			}
			if (insn.flow == PS_FLOW_JMP || insn.flow == PS_FLOW_RET || insn.flow == PS_FLOW_STOP)
				break;
			va += insn.length;
			if (insn.flow == PS_FLOW_JCC)
				push(&u->leaders, &u->leader_count, &u->leader_cap, va);
		}
	}
}

static int by_address(const void *a, const void *b)
{
	const uf_insn *x = a, *y = b;

	return x->address < y->address ? -1 : x->address > y->address;
}

static int by_value(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int is_leader(const uf_state *u, uint64_t va)
{
	return bsearch(&va, u->leaders, u->leader_count, sizeof(*u->leaders), by_value) != NULL;
}

ps_status ps_cmd_uf(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const char *p = ps_cmd_skip_blanks(args), *after;
	uint64_t va, fstart, fend;
	const ps_module *m;
	uf_state u;
	ps_disasm *d;
	ps_status st;
	size_t i;

	/* Options WinDbg's uf takes that change nothing here: /o (address
	 * order, which is the order used anyway), /i, /m. */
	while (*p == '/') {
		if (p[1] != 'o' && p[1] != 'O' && p[1] != 'i' && p[1] != 'm') {
			ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, p);
			return PS_EARG;
		}
		p = ps_cmd_skip_blanks(p + 2);
	}
	if (!*p) {
		fprintf(out, "No function address given: uf ADDRESS\n");
		return PS_EARG;
	}
	st = ps_cmd_eval(s, p, &after, &va, out);
	if (st != PS_OK)
		return st;
	if (*ps_cmd_skip_blanks(after)) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, ps_cmd_skip_blanks(after));
		return PS_EARG;
	}
	va = wrap(s, va);

	memset(&u, 0, sizeof(u));
	m = ps_cmd_module_at(s, va);
	if (ps_cmd_function_extent(s, va, &fstart, &fend)) {
		u.lo = fstart;
		u.hi = fend;
		va = fstart;
	} else if (m) {
		u.lo = m->base;
		u.hi = m->base + m->size;
	} else {
		u.lo = va;
		u.hi = va + UF_DEFAULT_SPAN < va ? UINT64_MAX : va + UF_DEFAULT_SPAN;
	}
	st = open_disasm(s, &d, out);
	if (st != PS_OK)
		return st;
	u.seen_cap = 1;
	while (u.seen_cap < UF_MAX_INSNS * 2)
		u.seen_cap <<= 1;
	u.seen = calloc(u.seen_cap, sizeof(*u.seen));
	u.insns = calloc(UF_MAX_INSNS, sizeof(*u.insns));
	if (!u.seen || !u.insns) {
		fprintf(out, "Out of memory\n");
		st = PS_ENOMEM;
		goto done;
	}
	uf_walk(s, d, &u, va);
	qsort(u.insns, u.count, sizeof(*u.insns), by_address);
	qsort(u.leaders, u.leader_count, sizeof(*u.leaders), by_value);
	for (i = 0; i < u.count; i++) {
		uint64_t at = u.insns[i].address;

		if (i == 0 || is_leader(&u, at)) {
			if (i)
				fputc('\n', out);
			print_label(s, at, out);
		}
		print_one(s, d, at, out);
	}
	if (u.count >= UF_MAX_INSNS)
		fprintf(out, "uf: stopped after %u instructions\n", UF_MAX_INSNS);
	if (u.count) {
		s->next_unassemble = u.insns[u.count - 1].address +
				     (u.insns[u.count - 1].length ? u.insns[u.count - 1].length : 1);
		s->have_next_unassemble = 1;
	}
done:
	free(u.seen);
	free(u.insns);
	free(u.leaders);
	free(u.todo);
	ps_disasm_destroy(d);
	return st;
}

/* ---- r's instruction line ------------------------------------------------ */

/* "ds:0023:8276db04=00000000": the memory operand's segment, selector,
 * address and current value (question marks where it cannot be read). The
 * fs and gs bases are not in the context record, so for them the value is
 * not read. */
static void print_memory_note(ps_session *s, const ps_disasm_insn *insn, FILE *out)
{
	uint64_t ea = (uint64_t)insn->mem_disp, v = 0, sel = 0;
	unsigned ptr = ps_cmd_pointer_size(s);
	uint8_t bytes[8];
	char addr[PS_ADDR_BUF];
	int readable;

	if (!insn->has_mem || (insn->mem_size != 1 && insn->mem_size != 2 && insn->mem_size != 4 &&
			       insn->mem_size != 8))
		return;
	if (strcmp(insn->mem_base, "rip") == 0) {
		ea = insn->address + insn->length + (uint64_t)insn->mem_disp;
	} else {
		if (insn->mem_base[0]) {
			if (ps_cmd_register(s, insn->mem_base, &v, NULL) != PS_OK)
				return;
			ea += v;
		}
		if (insn->mem_index[0]) {
			if (ps_cmd_register(s, insn->mem_index, &v, NULL) != PS_OK)
				return;
			ea += v * (insn->mem_scale ? insn->mem_scale : 1);
		}
	}
	ea = ptr == 4 ? (ea & 0xffffffffu) : ea;
	ps_cmd_register(s, insn->mem_segment, &sel, NULL);
	readable = strcmp(insn->mem_segment, "fs") != 0 && strcmp(insn->mem_segment, "gs") != 0 &&
		   s->vm && ps_vm_read(s->vm, ea, bytes, insn->mem_size, NULL, NULL) == PS_OK;
	fprintf(out, " %s:%04x:%s=", insn->mem_segment, (unsigned)sel, ps_format_addr(addr, ea, ptr));
	if (readable) {
		unsigned i;

		for (i = insn->mem_size; i > 0; i--)
			fprintf(out, "%02x", bytes[i - 1]);
	} else {
		fprintf(out, "%.*s", (int)(insn->mem_size * 2), "????????????????");
	}
}

void ps_cmd_print_current_instruction(ps_session *s, FILE *out)
{
	uint64_t ip = wrap(s, ps_cmd_current_ip(s));
	unsigned ptr = ps_cmd_pointer_size(s);
	ps_disasm *d;
	ps_disasm_insn insn;
	char line[PS_DISASM_TEXT_MAX + 128];

	print_label(s, ip, out);
	if (open_disasm(s, &d, out) != PS_OK)
		return;
	if (!decode_at(s, d, ip, &insn)) {
		fprintf(out, "%s\n", ps_disasm_unreadable_line(ip, ptr, line, sizeof(line)));
	} else {
		fputs(ps_disasm_line(&insn, ptr, line, sizeof(line)), out);
		print_memory_note(s, &insn, out);
		fputc('\n', out);
	}
	ps_disasm_destroy(d);
}
