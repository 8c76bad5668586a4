/*
 * findtag_flow.c - follow constants from a tag instruction to the calls
 * that receive them.
 *
 * A small abstract interpreter over decoded x86/x64 code. Each register
 * and each stack slot holds a value that is unknown, a constant (with the
 * instruction whose immediate produced it), an address on the stack
 * (relative to the stack pointer where the walk began) or a pointer loaded
 * from an IAT slot. That is enough for what compilers emit around a pool
 * allocation: `push` arguments and `mov [esp+N], imm` stores on x86, rcx rdx
 * r8 r9 and [rsp+20h].. on x64, constants moved through other registers
 * and locals (-O0 code keeps every variable in a stack slot), and the
 * routine's address loaded from the IAT into a register before `call reg`.
 *
 * The walk is path-sensitive and bounded: conditional branches and cmov
 * fork the state, each instruction is visited at most twice per walk, and
 * a walk has a fixed instruction budget. At a call the target is resolved
 * (IAT slot, import thunk, export, or code in the image). An allocator call
 * whose Tag argument holds the tag is a site; a call into the image that
 * receives the tag is walked once more from its entry with the caller's
 * state (a wrapper that passes its parameters on), one level deep.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "pool/findtag_internal.h"

enum { V_UNKNOWN = 0, V_CONST, V_STACK, V_IMPORT };

typedef struct ft_val {
	uint8_t kind;
	uint64_t v;          /* constant, stack offset (as int64) or slot rva */
	uint32_t origin;     /* constants: rva + 1 of the instruction that made it, 0 none */
} ft_val;

#define FT_MAX_SLOTS 48

typedef struct ft_stack_slot {
	int64_t key;
	uint8_t size;
	ft_val val;
} ft_stack_slot;

typedef struct ft_state {
	ft_val reg[16];
	int32_t pushed;      /* bytes pushed since the last call (x86) */
	uint8_t nslots;
	ft_stack_slot slot[FT_MAX_SLOTS];
} ft_state;

typedef struct ft_pending {
	uint32_t rva;
	ft_state st;
} ft_pending;

#define FT_MAX_PENDING 64
#define FT_VISIT_CAP 16384    /* power of two */
#define FT_STEPS_TOP 20000
#define FT_STEPS_WRAPPER 6000

typedef struct ft_run {
	ft_image *img;
	uint32_t tag;
	uint32_t watch;
	uint32_t fstart, fend;
	ft_flow_out *out;
	int depth;
	uint32_t outer_call;     /* depth 1: the caller's call into the wrapper */
	uint32_t wrapper;
	int outer_loop;          /* depth 1: the caller's call is in a loop */
	uint32_t outer_fstart;
	long steps, max_steps;
	uint32_t *visit_key;     /* rva + 1, 0 = empty */
	uint8_t *visit_count;
	size_t visit_used;
	ft_pending *pending;
	size_t npending;
} ft_run;

enum { R_AX = 0, R_CX = 1, R_DX = 2, R_BX = 3, R_SP = 4, R_BP = 5, R_R8 = 8, R_R9 = 9 };

/* ---- values ---------------------------------------------------------------- */

static ft_val unknown(void)
{
	ft_val v = {V_UNKNOWN, 0, 0};
	return v;
}

static ft_val constant(uint64_t x, uint32_t origin)
{
	ft_val v = {V_CONST, x, origin};
	return v;
}

static uint64_t mask_bits(uint64_t x, unsigned bits)
{
	return bits >= 64 ? x : x & ((UINT64_C(1) << bits) - 1);
}

static int is_tag(const ft_run *r, ft_val v)
{
	uint32_t x = (uint32_t)v.v;

	return v.kind == V_CONST && (x == r->tag || x == (r->tag | 0x80000000u));
}

/* ---- registers ------------------------------------------------------------- */

static ZydisMachineMode mode_of(const ft_image *img)
{
	return img->bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32;
}

/* Index 0..15 of the general register holding `reg`, -1 for others. */
static int reg_index(const ft_image *img, ZydisRegister reg)
{
	ZydisRegister big;
	ZydisRegisterClass cls;
	int id;

	if (reg == ZYDIS_REGISTER_NONE)
		return -1;
	big = ZydisRegisterGetLargestEnclosing(mode_of(img), reg);
	cls = ZydisRegisterGetClass(big);
	if (cls != ZYDIS_REGCLASS_GPR32 && cls != ZYDIS_REGCLASS_GPR64)
		return -1;
	id = ZydisRegisterGetId(big);
	return id >= 0 && id < 16 ? id : -1;
}

static unsigned reg_width(const ft_image *img, ZydisRegister reg)
{
	return ZydisRegisterGetWidth(mode_of(img), reg);
}

static int is_high_byte(ZydisRegister reg)
{
	return reg == ZYDIS_REGISTER_AH || reg == ZYDIS_REGISTER_BH || reg == ZYDIS_REGISTER_CH ||
	       reg == ZYDIS_REGISTER_DH;
}

static ft_val read_reg(const ft_run *r, const ft_state *st, ZydisRegister reg)
{
	int i = reg_index(r->img, reg);
	unsigned w = reg_width(r->img, reg);
	ft_val v;

	if (i < 0 || is_high_byte(reg))
		return unknown();
	v = st->reg[i];
	if (w >= r->img->bits)
		return v;
	if (v.kind != V_CONST)
		return unknown();
	v.v = mask_bits(v.v, w);
	if (w < 32)
		v.origin = 0;
	return v;
}

static void write_reg(const ft_run *r, ft_state *st, ZydisRegister reg, ft_val v)
{
	int i = reg_index(r->img, reg);
	unsigned w = reg_width(r->img, reg);

	if (i < 0)
		return;
	if (w >= r->img->bits) {
		st->reg[i] = v;
	} else if (w == 32) {
		/* x64: a 32-bit write zero-extends. */
		st->reg[i] = v.kind == V_CONST ? constant(mask_bits(v.v, 32), v.origin) : unknown();
	} else if (!is_high_byte(reg) && st->reg[i].kind == V_CONST && v.kind == V_CONST) {
		/* `xor eax,eax / sete al`: the low part of a known register. */
		uint64_t keep = st->reg[i].v & ~((UINT64_C(1) << w) - 1);
		st->reg[i] = constant(keep | mask_bits(v.v, w), 0);
	} else {
		st->reg[i] = unknown();
	}
}

/* ---- the stack --------------------------------------------------------------- */

static void slot_drop(ft_state *st, size_t i)
{
	st->slot[i] = st->slot[--st->nslots];
}

/* Forget slots overlapping [key, key + size). */
static void slot_forget(ft_state *st, int64_t key, unsigned size)
{
	for (size_t i = 0; i < st->nslots;) {
		const ft_stack_slot *s = &st->slot[i];
		if (s->key < key + (int64_t)size && key < s->key + (int64_t)s->size)
			slot_drop(st, i);
		else
			i++;
	}
}

static void slot_write(ft_state *st, int64_t key, unsigned size, ft_val v)
{
	slot_forget(st, key, size);
	if (v.kind == V_UNKNOWN)
		return;
	if (st->nslots == FT_MAX_SLOTS) {
		/* Keep the slots nearest the stack pointer: they are the
		 * arguments about to be passed. */
		size_t far = 0;
		for (size_t i = 1; i < st->nslots; i++)
			if (st->slot[i].key > st->slot[far].key)
				far = i;
		slot_drop(st, far);
	}
	st->slot[st->nslots].key = key;
	st->slot[st->nslots].size = (uint8_t)size;
	st->slot[st->nslots].val = v;
	st->nslots++;
}

static ft_val slot_read(const ft_state *st, int64_t key, unsigned size)
{
	for (size_t i = 0; i < st->nslots; i++) {
		const ft_stack_slot *s = &st->slot[i];
		if (s->key != key)
			continue;
		if (s->size == size)
			return s->val;
		if (s->val.kind == V_CONST) {
			/* A narrower read of a wider constant, or an argument
			 * stored as a dword and read as a register's worth. */
			unsigned bits = (s->size < size ? s->size : size) * 8;
			return constant(mask_bits(s->val.v, bits), bits >= 32 ? s->val.origin : 0);
		}
		return unknown();
	}
	return unknown();
}

/* After the stack pointer moved up: what lies below it is gone. */
static void slot_forget_below(ft_state *st, int64_t sp)
{
	for (size_t i = 0; i < st->nslots;) {
		if (st->slot[i].key < sp)
			slot_drop(st, i);
		else
			i++;
	}
}

/* ---- memory operands ----------------------------------------------------------- */

enum { A_UNKNOWN = 0, A_STACK, A_ABS };

typedef struct ft_addr {
	int kind;
	int64_t key;     /* A_STACK */
	uint64_t va;     /* A_ABS */
} ft_addr;

static ft_addr mem_addr(const ft_run *r, const ft_state *st, const ZydisDecodedInstruction *insn,
			const ZydisDecodedOperand *op, uint32_t rva)
{
	ft_addr a = {A_UNKNOWN, 0, 0};
	const ZydisDecodedOperandMem *m = &op->mem;
	int64_t sum = m->disp.has_displacement ? m->disp.value : 0;
	int stack = 0;

	if (m->segment == ZYDIS_REGISTER_FS || m->segment == ZYDIS_REGISTER_GS)
		return a;
	if (m->base == ZYDIS_REGISTER_RIP || m->base == ZYDIS_REGISTER_EIP) {
		ZyanU64 va;
		if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(insn, op, r->img->base + rva, &va)))
			return a;
		a.kind = A_ABS;
		a.va = va;
		return a;
	}
	if (m->base != ZYDIS_REGISTER_NONE) {
		ft_val b = read_reg(r, st, m->base);
		if (b.kind == V_STACK)
			stack = 1;
		else if (b.kind != V_CONST)
			return a;
		sum += (int64_t)b.v;
	}
	if (m->index != ZYDIS_REGISTER_NONE) {
		ft_val x = read_reg(r, st, m->index);
		if (x.kind != V_CONST)
			return a;
		sum += (int64_t)(x.v * (m->scale ? m->scale : 1));
	}
	if (stack) {
		a.kind = A_STACK;
		a.key = r->img->bits == 32 ? (int64_t)(int32_t)sum : sum;
	} else {
		a.kind = A_ABS;
		a.va = r->img->bits == 32 ? (uint32_t)sum : (uint64_t)sum;
	}
	return a;
}

static ft_val load(const ft_run *r, const ft_state *st, ft_addr a, unsigned size)
{
	const ft_image *img = r->img;

	if (a.kind == A_STACK)
		return slot_read(st, a.key, size);
	if (a.kind == A_ABS && a.va >= img->base && a.va - img->base < img->size) {
		uint32_t rva = (uint32_t)(a.va - img->base);
		size_t avail;
		const uint8_t *p;

		if (size == img->bits / 8 && ft_import_at_slot(img, rva)) {
			ft_val v = {V_IMPORT, rva, 0};
			return v;
		}
		/* The tag kept in a global: its bytes are the value. */
		p = ft_bytes(img, rva, 4, &avail);
		if (size == 4 && p && avail == 4) {
			ft_val v = constant(ps_le32(p), rva + 1);
			if (is_tag(r, v))
				return v;
		}
	}
	return unknown();
}

static void store(ft_state *st, ft_addr a, unsigned size, ft_val v)
{
	if (a.kind == A_STACK)
		slot_write(st, a.key, size, v);
}

/* The value an explicit operand reads. */
static ft_val operand_value(const ft_run *r, const ft_state *st, const ZydisDecodedInstruction *insn,
			    const ZydisDecodedOperand *op, uint32_t rva)
{
	switch (op->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		return read_reg(r, st, op->reg.value);
	case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
		unsigned bits = op->size ? op->size : insn->operand_width;
		uint64_t x = op->imm.is_signed ? (uint64_t)op->imm.value.s : op->imm.value.u;
		return constant(mask_bits(x, bits), rva + 1);
	}
	case ZYDIS_OPERAND_TYPE_MEMORY:
		if (op->mem.type != ZYDIS_MEMOP_TYPE_MEM)
			return unknown();
		return load(r, st, mem_addr(r, st, insn, op, rva), op->size / 8);
	default:
		return unknown();
	}
}

static void operand_write(const ft_run *r, ft_state *st, const ZydisDecodedInstruction *insn,
			  const ZydisDecodedOperand *op, uint32_t rva, ft_val v)
{
	if (op->type == ZYDIS_OPERAND_TYPE_REGISTER)
		write_reg(r, st, op->reg.value, v);
	else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.type == ZYDIS_MEMOP_TYPE_MEM)
		store(st, mem_addr(r, st, insn, op, rva), op->size / 8, v);
}

/* Whatever an instruction writes that we do not model becomes unknown. */
static void clobber_writes(const ft_run *r, ft_state *st, const ZydisDecodedInstruction *insn,
			   const ZydisDecodedOperand *ops, uint32_t rva)
{
	for (unsigned i = 0; i < insn->operand_count; i++) {
		const ZydisDecodedOperand *op = &ops[i];
		if (!(op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
			continue;
		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			int idx = reg_index(r->img, op->reg.value);
			if (idx >= 0)
				st->reg[idx] = unknown();
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
			ft_addr a = mem_addr(r, st, insn, op, rva);
			if (a.kind == A_STACK)
				slot_forget(st, a.key, op->size / 8 ? op->size / 8 : 1);
		}
	}
}

/* ---- arithmetic ---------------------------------------------------------------- */

static ft_val arith(ZydisMnemonic m, ft_val a, ft_val b, unsigned bits)
{
	if (a.kind == V_CONST && b.kind == V_CONST) {
		uint64_t x = a.v, y = b.v, z;
		unsigned sh = (unsigned)(y & (bits == 64 ? 63 : 31));
		switch (m) {
		case ZYDIS_MNEMONIC_ADD: z = x + y; break;
		case ZYDIS_MNEMONIC_SUB: z = x - y; break;
		case ZYDIS_MNEMONIC_AND: z = x & y; break;
		case ZYDIS_MNEMONIC_OR: z = x | y; break;
		case ZYDIS_MNEMONIC_XOR: z = x ^ y; break;
		case ZYDIS_MNEMONIC_SHL: z = x << sh; break;
		case ZYDIS_MNEMONIC_SHR: z = mask_bits(x, bits) >> sh; break;
		default: return unknown();
		}
		/* The result is no longer the immediate an instruction held,
		 * unless the other side was neutral (or eax, 0). */
		return constant(mask_bits(z, bits), z == x ? a.origin : z == y ? b.origin : 0);
	}
	if (a.kind == V_STACK && b.kind == V_CONST) {
		if (m == ZYDIS_MNEMONIC_ADD)
			a.v += b.v;
		else if (m == ZYDIS_MNEMONIC_SUB)
			a.v -= b.v;
		else if (m == ZYDIS_MNEMONIC_AND)
			a.v -= 0x100000; /* realigned: a fresh region, keys stay apart */
		else
			return unknown();
		if (bits == 32)
			a.v = (uint64_t)(int64_t)(int32_t)a.v;
		return a;
	}
	return unknown();
}

/* ---- sites ------------------------------------------------------------------------- */

static ft_val sp_value(const ft_state *st)
{
	return st->reg[R_SP];
}

/* The value of allocator argument `i` at a call (tail: at a jump, where the
 * return address is already on the stack). */
static ft_val arg_value(const ft_run *r, const ft_state *st, const ps_findtag_allocator *a, int i,
			int tail, ft_val *high)
{
	static const int x64_regs[4] = {R_CX, R_DX, R_R8, R_R9};
	ft_val sp = sp_value(st);
	int64_t off = 0;

	if (high)
		*high = constant(0, 0);
	if (i < 0)
		return unknown();
	if (r->img->bits == 64) {
		if (i < 4)
			return st->reg[x64_regs[i]];
		off = 8 * i + (tail ? 8 : 0);
		if (sp.kind != V_STACK)
			return unknown();
		return slot_read(st, (int64_t)sp.v + off, 8);
	}
	for (int j = 0; j < i; j++)
		off += j == a->wide_arg ? 8 : 4;
	off += tail ? 4 : 0;
	if (sp.kind != V_STACK)
		return unknown();
	if (high && i == a->wide_arg)
		*high = slot_read(st, (int64_t)sp.v + off + 4, 4);
	return slot_read(st, (int64_t)sp.v + off, 4);
}

static ps_status add_site(ft_flow_out *out, const ps_findtag_site *s)
{
	for (size_t i = 0; i < out->site_count; i++) {
		ps_findtag_site *o = &out->sites[i];
		if (o->tag_rva == s->tag_rva && o->call_rva == s->call_rva &&
		    o->inner_call_rva == s->inner_call_rva) {
			/* Seen before, on another path or iteration: a value
			 * that differs is no constant of the site. A walk that
			 * could not see a value (it started later) says nothing. */
			if (s->have_pool && !o->pool_varies) {
				if (!o->have_pool) {
					o->have_pool = 1;
					o->pool = s->pool;
				} else if (o->pool != s->pool) {
					o->have_pool = 0;
					o->pool_varies = 1;
				}
			}
			if (s->have_size && !o->size_varies) {
				if (!o->have_size) {
					o->have_size = 1;
					o->size = s->size;
				} else if (o->size != s->size) {
					o->have_size = 0;
					o->size_varies = 1;
				}
			}
			o->in_loop |= s->in_loop;
			return PS_OK;
		}
	}
	if (out->site_count == out->site_cap) {
		size_t cap = out->site_cap ? out->site_cap * 2 : 8;
		ps_findtag_site *n;
		if (cap > 65536)
			return PS_ENOMEM;
		n = realloc(out->sites, cap * sizeof *n);
		if (!n)
			return PS_ENOMEM;
		out->sites = n;
		out->site_cap = cap;
	}
	out->sites[out->site_count++] = *s;
	return PS_OK;
}

static void check_site(ft_run *r, const ft_state *st, const ps_findtag_allocator *a, uint32_t rva,
		       int tail)
{
	ft_val tagv = arg_value(r, st, a, a->tag_arg, tail, NULL);
	ps_findtag_site s;

	if (!is_tag(r, tagv))
		return;
	memset(&s, 0, sizeof s);
	s.tag_rva = tagv.origin ? tagv.origin - 1 : 0;
	s.hit_rva = s.tag_rva;
	snprintf(s.allocator, sizeof s.allocator, "%s", a->name);
	s.protected_tag = ((uint32_t)tagv.v & 0x80000000u) && !(r->tag & 0x80000000u);
	if (a->pool_arg >= 0) {
		ft_val hi, pv = arg_value(r, st, a, a->pool_arg, tail, &hi);
		if (pv.kind == V_CONST && hi.kind == V_CONST) {
			s.have_pool = 1;
			s.pool = a->pool_is_flags ? (r->img->bits == 32 ? (pv.v & 0xffffffffu) | (hi.v << 32) : pv.v)
						  : (uint32_t)pv.v;
		}
		s.pool_is_flags = a->pool_is_flags;
	} else if (a->implied_pool >= 0) {
		s.have_pool = 1;
		s.pool_implied = 1;
		s.pool = (uint64_t)a->implied_pool;
	}
	if (a->size_arg >= 0) {
		ft_val sv = arg_value(r, st, a, a->size_arg, tail, NULL);
		if (sv.kind == V_CONST) {
			s.have_size = 1;
			s.size = r->img->bits == 32 ? (uint32_t)sv.v : sv.v;
		}
	}
	s.in_loop = ft_in_loop(r->img, rva, r->fstart, r->fend);
	if (r->depth > 0) {
		s.call_rva = r->outer_call;
		s.wrapper_rva = r->wrapper;
		s.inner_call_rva = rva;
		s.in_loop = s.in_loop || r->outer_loop;
		s.function_rva = r->outer_fstart;
	} else {
		s.call_rva = rva;
		s.function_rva = r->fstart;
	}
	if (add_site(r->out, &s) != PS_OK)
		r->steps = r->max_steps;  /* out of memory: stop walking */
}

/* True when an argument the callee can see holds the tag. */
static int args_hold_tag(const ft_run *r, const ft_state *st)
{
	ft_val sp = sp_value(st);
	int limit = r->img->bits == 64 ? 0x60 : 0x40;

	if (r->img->bits == 64) {
		if (is_tag(r, st->reg[R_CX]) || is_tag(r, st->reg[R_DX]) || is_tag(r, st->reg[R_R8]) ||
		    is_tag(r, st->reg[R_R9]))
			return 1;
	} else if (is_tag(r, st->reg[R_CX]) || is_tag(r, st->reg[R_DX])) {
		return 1;  /* fastcall, or LLVM's register convention for internal functions */
	}
	if (sp.kind != V_STACK)
		return 0;
	for (size_t i = 0; i < st->nslots; i++) {
		int64_t d = st->slot[i].key - (int64_t)sp.v;
		if (d >= 0 && d < limit && is_tag(r, st->slot[i].val))
			return 1;
	}
	return 0;
}

/* ---- the walk ------------------------------------------------------------------------ */

static int visit(ft_run *r, uint32_t rva)
{
	size_t h = (rva * 2654435761u) & (FT_VISIT_CAP - 1);

	for (size_t n = 0; n < FT_VISIT_CAP; n++, h = (h + 1) & (FT_VISIT_CAP - 1)) {
		if (r->visit_key[h] == rva + 1) {
			if (r->visit_count[h] >= 2)
				return 0;
			r->visit_count[h]++;
			return 1;
		}
		if (r->visit_key[h] == 0) {
			if (r->visit_used * 4 >= FT_VISIT_CAP * 3)
				return 0;
			r->visit_key[h] = rva + 1;
			r->visit_count[h] = 1;
			r->visit_used++;
			return 1;
		}
	}
	return 0;
}

static void fork_to(ft_run *r, uint32_t rva, const ft_state *st)
{
	if (r->npending == FT_MAX_PENDING)
		return;
	r->pending[r->npending].rva = rva;
	r->pending[r->npending].st = *st;
	r->npending++;
}

static ps_status walk(ft_run *r, uint32_t start, const ft_state *init);

/* Walk a callee that receives the tag, with the caller's state. */
static void descend(ft_run *r, const ft_state *st, uint32_t call_rva, uint32_t target)
{
	ft_run sub;
	ft_state cs = *st;
	ft_val sp = sp_value(&cs);
	unsigned ptr = r->img->bits / 8;

	if (r->depth > 0 || sp.kind != V_STACK || target == r->fstart)
		return;
	sp.v -= ptr;
	cs.reg[R_SP] = sp;
	slot_write(&cs, (int64_t)sp.v, ptr, unknown());
	cs.pushed = 0;
	memset(&sub, 0, sizeof sub);
	sub.img = r->img;
	sub.tag = r->tag;
	sub.watch = 0xffffffffu;
	sub.fstart = target;
	sub.fend = 0;
	sub.out = r->out;
	sub.depth = 1;
	sub.outer_call = call_rva;
	sub.wrapper = target;
	sub.outer_loop = ft_in_loop(r->img, call_rva, r->fstart, r->fend);
	sub.outer_fstart = r->fstart;
	sub.max_steps = FT_STEPS_WRAPPER;
	/* The wrapper's own .pdata entry bounds its loops. */
	for (size_t i = 0; i < r->img->pdata_count; i++)
		if (r->img->pdata[i].begin_rva == target)
			sub.fend = r->img->pdata[i].end_rva;
	walk(&sub, target, &cs);
	r->steps += sub.steps;
}

/* x86: what the callee popped, judged from the callee or the caller's next
 * instruction (gcc re-reserves popped argument space with `sub esp, N`;
 * `add esp, N` after a cdecl call releases it; otherwise stdcall popped
 * what was pushed). */
static int guess_pops(ft_run *r, const ft_state *st, uint32_t next, int internal_target,
		      uint32_t target)
{
	ZydisDecodedInstruction insn;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

	if (internal_target) {
		int p = ft_callee_pops(r->img, target);
		if (p >= 0)
			return p;
	}
	if (ft_decode(r->img, next, &insn, ops) && insn.operand_count_visible == 2 &&
	    ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_ESP &&
	    ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		if (insn.mnemonic == ZYDIS_MNEMONIC_ADD)
			return 0;
		if (insn.mnemonic == ZYDIS_MNEMONIC_SUB)
			return (int)ops[1].imm.value.u;
	}
	return st->pushed > 0 ? st->pushed : 0;
}

static void after_call(ft_run *r, ft_state *st, int pops)
{
	ft_val sp = sp_value(st);

	if (sp.kind == V_STACK && pops > 0) {
		sp.v += (uint64_t)pops;
		st->reg[R_SP] = sp;
	}
	if (sp.kind == V_STACK)
		slot_forget_below(st, (int64_t)sp.v);
	st->reg[R_AX] = unknown();
	st->reg[R_CX] = unknown();
	st->reg[R_DX] = unknown();
	if (r->img->bits == 64)
		for (int i = 8; i <= 11; i++)
			st->reg[i] = unknown();
	st->pushed = 0;
}

/* Resolve what a call or jump operand reaches: *name for a routine outside
 * (or exported), *target for code in the image. */
static void resolve_target(const ft_run *r, const ft_state *st, const ZydisDecodedInstruction *insn,
			   const ZydisDecodedOperand *op, uint32_t rva, const char **name,
			   int *internal, uint32_t *target)
{
	const ft_image *img = r->img;
	uint64_t va = 0;
	int have_va = 0;

	*name = NULL;
	*internal = 0;
	if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative) {
		ZyanU64 abs;
		if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(insn, op, img->base + rva, &abs))) {
			va = abs;
			have_va = 1;
		}
	} else {
		ft_val v = operand_value(r, st, insn, op, rva);
		if (v.kind == V_IMPORT) {
			*name = ft_import_at_slot(img, (uint32_t)v.v);
			return;
		}
		if (v.kind == V_CONST) {
			va = v.v;
			have_va = 1;
		}
	}
	if (!have_va || va < img->base || va - img->base >= img->size)
		return;
	*target = (uint32_t)(va - img->base);
	*name = ft_direct_callee(img, *target);
	*internal = !*name && ft_is_code(img, *target);
}

/* A call, or a jump that leaves the function (tail = 1). Returns 1 when the
 * walk goes on after it. */
static int do_call(ft_run *r, ft_state *st, const ZydisDecodedInstruction *insn,
		   const ZydisDecodedOperand *ops, uint32_t rva, int tail)
{
	const char *name;
	int internal;
	uint32_t target = 0;
	const ps_findtag_allocator *a;

	resolve_target(r, st, insn, &ops[0], rva, &name, &internal, &target);
	a = ps_findtag_allocator_named(name);
	if (a) {
		check_site(r, st, a, rva, tail);
	} else if (name) {
		if (r->out->other_call[0] == 0 && args_hold_tag(r, st))
			snprintf(r->out->other_call, sizeof r->out->other_call, "%s", name);
	} else if (internal && !tail && args_hold_tag(r, st)) {
		descend(r, st, rva, target);
	}
	if (tail)
		return 0;
	if (r->img->bits == 32) {
		int pops = a ? 4 * a->arg_count + (a->wide_arg >= 0 ? 4 : 0)
			     : guess_pops(r, st, rva + insn->length, internal, target);
		after_call(r, st, pops);
	} else {
		after_call(r, st, 0);
	}
	return 1;
}

enum { STEP_NEXT, STEP_END, STEP_JUMP };

static int step(ft_run *r, ft_state *st, const ZydisDecodedInstruction *insn,
		const ZydisDecodedOperand *ops, uint32_t rva, uint32_t *jump)
{
	const ZydisDecodedOperand *d = &ops[0], *s = &ops[1];
	unsigned bits = insn->operand_width ? insn->operand_width : r->img->bits;
	unsigned ptr = r->img->bits / 8;
	ft_val v, sp;

	switch (insn->meta.category) {
	case ZYDIS_CATEGORY_RET:
	case ZYDIS_CATEGORY_INTERRUPT:
		return STEP_END;
	case ZYDIS_CATEGORY_CALL:
		return do_call(r, st, insn, ops, rva, 0) ? STEP_NEXT : STEP_END;
	case ZYDIS_CATEGORY_COND_BR:
		if (d->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && d->imm.is_relative) {
			ZyanU64 va;
			if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(insn, d, r->img->base + rva, &va)) &&
			    va >= r->img->base && va - r->img->base < r->img->size)
				fork_to(r, (uint32_t)(va - r->img->base), st);
		}
		return STEP_NEXT;
	case ZYDIS_CATEGORY_UNCOND_BR: {
		const char *name;
		int internal;
		uint32_t target = 0;
		resolve_target(r, st, insn, d, rva, &name, &internal, &target);
		if (name) {
			do_call(r, st, insn, ops, rva, 1);
			return STEP_END;
		}
		if (internal) {
			*jump = target;
			return STEP_JUMP;
		}
		return STEP_END;
	}
	case ZYDIS_CATEGORY_CMOV: {
		ft_state moved = *st;
		operand_write(r, &moved, insn, d, rva, operand_value(r, st, insn, s, rva));
		fork_to(r, rva + insn->length, &moved);
		return STEP_NEXT;
	}
	default:
		break;
	}

	switch (insn->mnemonic) {
	case ZYDIS_MNEMONIC_UD2:
	case ZYDIS_MNEMONIC_HLT:
		return STEP_END;
	case ZYDIS_MNEMONIC_NOP:
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_MOV:
		if (insn->operand_count_visible == 2) {
			operand_write(r, st, insn, d, rva, operand_value(r, st, insn, s, rva));
			return STEP_NEXT;
		}
		break;
	case ZYDIS_MNEMONIC_MOVZX:
		v = operand_value(r, st, insn, s, rva);
		operand_write(r, st, insn, d, rva, v.kind == V_CONST ? v : unknown());
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		v = operand_value(r, st, insn, s, rva);
		if (v.kind == V_CONST && s->size > 0 && s->size < 64 && (v.v >> (s->size - 1)) & 1)
			v.v |= ~((UINT64_C(1) << s->size) - 1);
		operand_write(r, st, insn, d, rva, v.kind == V_CONST ? constant(mask_bits(v.v, d->size), v.origin) : unknown());
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_LEA: {
		ft_addr a = mem_addr(r, st, insn, s, rva);
		ft_val lv = unknown();
		if (s->mem.index == ZYDIS_REGISTER_NONE && s->mem.disp.value == 0 &&
		    s->mem.base != ZYDIS_REGISTER_NONE && s->mem.base != ZYDIS_REGISTER_RIP &&
		    reg_width(r->img, s->mem.base) == reg_width(r->img, d->reg.value)) {
			/* gcc's filler `lea esi,[esi]` keeps whatever esi holds. */
			write_reg(r, st, d->reg.value, read_reg(r, st, s->mem.base));
			return STEP_NEXT;
		}
		if (a.kind == A_STACK) {
			lv.kind = V_STACK;
			lv.v = (uint64_t)a.key;
		} else if (a.kind == A_ABS) {
			lv = constant(a.va, 0);
		}
		write_reg(r, st, d->reg.value, lv);
		return STEP_NEXT;
	}
	case ZYDIS_MNEMONIC_XOR:
	case ZYDIS_MNEMONIC_SUB:
		if (d->type == ZYDIS_OPERAND_TYPE_REGISTER && s->type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    d->reg.value == s->reg.value) {
			write_reg(r, st, d->reg.value, constant(0, 0));
			return STEP_NEXT;
		}
		/* fall through */
	case ZYDIS_MNEMONIC_ADD:
	case ZYDIS_MNEMONIC_AND:
	case ZYDIS_MNEMONIC_OR:
	case ZYDIS_MNEMONIC_SHL:
	case ZYDIS_MNEMONIC_SHR:
		if (insn->operand_count_visible >= 2) {
			v = arith(insn->mnemonic, operand_value(r, st, insn, d, rva),
				  operand_value(r, st, insn, s, rva), bits);
			operand_write(r, st, insn, d, rva, v);
			return STEP_NEXT;
		}
		break;
	case ZYDIS_MNEMONIC_INC:
	case ZYDIS_MNEMONIC_DEC:
		v = operand_value(r, st, insn, d, rva);
		v = arith(insn->mnemonic == ZYDIS_MNEMONIC_INC ? ZYDIS_MNEMONIC_ADD : ZYDIS_MNEMONIC_SUB, v,
			  constant(1, 0), bits);
		operand_write(r, st, insn, d, rva, v);
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_PUSH:
		v = operand_value(r, st, insn, d, rva);
		sp = sp_value(st);
		if (sp.kind == V_STACK) {
			unsigned size = insn->operand_width / 8 ? insn->operand_width / 8 : ptr;
			if (v.kind == V_CONST)
				v.v = mask_bits(v.v, size * 8);
			sp.v -= size;
			st->reg[R_SP] = sp;
			slot_write(st, (int64_t)sp.v, size, v);
			st->pushed += (int32_t)size;
		}
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_POP:
		sp = sp_value(st);
		if (sp.kind == V_STACK) {
			unsigned size = insn->operand_width / 8 ? insn->operand_width / 8 : ptr;
			v = slot_read(st, (int64_t)sp.v, size);
			sp.v += size;
			st->reg[R_SP] = sp;
			slot_forget_below(st, (int64_t)sp.v);
			operand_write(r, st, insn, d, rva, v);
		} else {
			operand_write(r, st, insn, d, rva, unknown());
		}
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_LEAVE:
		sp = st->reg[R_BP];
		st->reg[R_SP] = sp;
		if (sp.kind == V_STACK) {
			st->reg[R_BP] = slot_read(st, (int64_t)sp.v, ptr);
			sp.v += ptr;
			st->reg[R_SP] = sp;
			slot_forget_below(st, (int64_t)sp.v);
		} else {
			st->reg[R_BP] = unknown();
		}
		return STEP_NEXT;
	case ZYDIS_MNEMONIC_SBB:
		/* `sbb r,r` is 0 or all ones by the carry flag: both ways. */
		if (d->type == ZYDIS_OPERAND_TYPE_REGISTER && s->type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    d->reg.value == s->reg.value) {
			ft_state ones = *st;
			write_reg(r, &ones, d->reg.value, constant(UINT64_MAX, 0));
			fork_to(r, rva + insn->length, &ones);
			write_reg(r, st, d->reg.value, constant(0, 0));
			return STEP_NEXT;
		}
		break;
	case ZYDIS_MNEMONIC_SETB: case ZYDIS_MNEMONIC_SETBE: case ZYDIS_MNEMONIC_SETL:
	case ZYDIS_MNEMONIC_SETLE: case ZYDIS_MNEMONIC_SETNB: case ZYDIS_MNEMONIC_SETNBE:
	case ZYDIS_MNEMONIC_SETNL: case ZYDIS_MNEMONIC_SETNLE: case ZYDIS_MNEMONIC_SETNO:
	case ZYDIS_MNEMONIC_SETNP: case ZYDIS_MNEMONIC_SETNS: case ZYDIS_MNEMONIC_SETNZ:
	case ZYDIS_MNEMONIC_SETO: case ZYDIS_MNEMONIC_SETP: case ZYDIS_MNEMONIC_SETS:
	case ZYDIS_MNEMONIC_SETZ:
		/* 0 or 1 by a condition: both ways. */
		if (d->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			ft_state one = *st;
			write_reg(r, &one, d->reg.value, constant(1, 0));
			fork_to(r, rva + insn->length, &one);
			write_reg(r, st, d->reg.value, constant(0, 0));
			return STEP_NEXT;
		}
		break;
	case ZYDIS_MNEMONIC_XCHG:
		if (d->type == ZYDIS_OPERAND_TYPE_REGISTER && s->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			ft_val a = read_reg(r, st, d->reg.value), b = read_reg(r, st, s->reg.value);
			write_reg(r, st, d->reg.value, b);
			write_reg(r, st, s->reg.value, a);
			return STEP_NEXT;
		}
		break;
	case ZYDIS_MNEMONIC_PUSHFD:
	case ZYDIS_MNEMONIC_PUSHFQ:
	case ZYDIS_MNEMONIC_POPFD:
	case ZYDIS_MNEMONIC_POPFQ:
		sp = sp_value(st);
		if (sp.kind == V_STACK) {
			int down = insn->mnemonic == ZYDIS_MNEMONIC_PUSHFD || insn->mnemonic == ZYDIS_MNEMONIC_PUSHFQ;
			sp.v = down ? sp.v - ptr : sp.v + ptr;
			st->reg[R_SP] = sp;
			if (down)
				slot_write(st, (int64_t)sp.v, ptr, unknown());
			else
				slot_forget_below(st, (int64_t)sp.v);
		}
		return STEP_NEXT;
	default:
		break;
	}
	clobber_writes(r, st, insn, ops, rva);
	return STEP_NEXT;
}

static ps_status walk(ft_run *r, uint32_t start, const ft_state *init)
{
	ft_pending *pending = malloc(FT_MAX_PENDING * sizeof *pending);
	uint32_t *keys = calloc(FT_VISIT_CAP, sizeof *keys);
	uint8_t *counts = calloc(FT_VISIT_CAP, 1);
	ft_state *st = malloc(sizeof *st);

	if (!pending || !keys || !counts || !st) {
		free(pending);
		free(keys);
		free(counts);
		free(st);
		return PS_ENOMEM;
	}
	r->pending = pending;
	r->visit_key = keys;
	r->visit_count = counts;
	r->npending = 0;
	fork_to(r, start, init);
	while (r->npending > 0 && r->steps < r->max_steps && r->img->budget > 0) {
		uint32_t rva;

		r->npending--;
		rva = r->pending[r->npending].rva;
		*st = r->pending[r->npending].st;
		while (r->steps < r->max_steps) {
			ZydisDecodedInstruction insn;
			ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
			uint32_t jump = 0;
			int what;

			if (!ft_is_code(r->img, rva) || !visit(r, rva) || !ft_decode(r->img, rva, &insn, ops))
				break;
			r->steps++;
			r->img->budget--;
			if (rva == r->watch)
				r->out->visited = 1;
			what = step(r, st, &insn, ops, rva, &jump);
			if (what == STEP_END)
				break;
			rva = what == STEP_JUMP ? jump : rva + insn.length;
		}
	}
	free(pending);
	free(keys);
	free(counts);
	free(st);
	r->pending = NULL;
	r->visit_key = NULL;
	r->visit_count = NULL;
	return PS_OK;
}

ps_status ft_flow_run(ft_image *img, uint32_t start, uint32_t watch, uint32_t tag,
		      uint32_t function_start, uint32_t function_end, ft_flow_out *out)
{
	ft_run r;
	ft_state init;

	memset(&r, 0, sizeof r);
	memset(&init, 0, sizeof init);
	r.img = img;
	r.tag = tag;
	r.watch = watch;
	r.fstart = function_start;
	r.fend = function_end;
	r.out = out;
	r.max_steps = FT_STEPS_TOP;
	init.reg[R_SP].kind = V_STACK;
	init.reg[R_SP].v = 0;
	return walk(&r, start, &init);
}

/* ---- loops ---------------------------------------------------------------------------- */

#define FT_LOOP_STEPS 20000
#define FT_LOOP_STACK 256
#define FT_LOOP_WINDOW 0x10000u

int ft_in_loop(const ft_image *img, uint32_t call_rva, uint32_t lo, uint32_t hi)
{
	uint32_t *seen = calloc(FT_VISIT_CAP, sizeof *seen);
	uint32_t stack[FT_LOOP_STACK];
	size_t depth = 0, used = 0;
	long steps = 0;
	int found = 0;
	ZydisDecodedInstruction insn;

	if (!seen)
		return 0;
	if (hi <= lo) {
		lo = call_rva > FT_LOOP_WINDOW ? call_rva - FT_LOOP_WINDOW : 0;
		hi = call_rva + FT_LOOP_WINDOW;
	}
	if (!ft_decode(img, call_rva, &insn, NULL)) {
		free(seen);
		return 0;
	}
	stack[depth++] = call_rva + insn.length;
	while (depth > 0 && !found && steps < FT_LOOP_STEPS) {
		uint32_t rva = stack[--depth];

		for (;;) {
			size_t h = (rva * 2654435761u) & (FT_VISIT_CAP - 1);
			int known = 0;
			ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

			if (rva == call_rva) {
				found = 1;
				break;
			}
			if (rva < lo || rva >= hi || steps++ >= FT_LOOP_STEPS)
				break;
			while (seen[h]) {
				if (seen[h] == rva + 1) {
					known = 1;
					break;
				}
				h = (h + 1) & (FT_VISIT_CAP - 1);
			}
			if (known || used * 4 >= FT_VISIT_CAP * 3)
				break;
			seen[h] = rva + 1;
			used++;
			if (!ft_decode(img, rva, &insn, ops))
				break;
			if (insn.meta.category == ZYDIS_CATEGORY_RET ||
			    insn.meta.category == ZYDIS_CATEGORY_INTERRUPT ||
			    insn.mnemonic == ZYDIS_MNEMONIC_UD2 || insn.mnemonic == ZYDIS_MNEMONIC_HLT)
				break;
			if (insn.meta.category == ZYDIS_CATEGORY_COND_BR ||
			    insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
				ZyanU64 va;
				uint32_t t = 0;
				int have = ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative &&
					   ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[0], img->base + rva, &va)) &&
					   va >= img->base && va - img->base < img->size;
				if (have)
					t = (uint32_t)(va - img->base);
				if (insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
					if (!have)
						break;
					rva = t;
					continue;
				}
				if (have && depth < FT_LOOP_STACK)
					stack[depth++] = t;
			}
			rva += insn.length;
		}
	}
	free(seen);
	return found;
}
