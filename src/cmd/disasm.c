/*
 * disasm.c - Zydis 4 decoding, and formatting hooks that make its MASM
 * style print what WinDbg prints (disasm.h lists the habits).
 *
 * Zydis formats each operand (ZydisFormatterFormatOperand); this file joins
 * them with "," and builds the mnemonic itself, because WinDbg's mnemonics
 * (je, jae, int 3, rep stos) and separators differ from Zydis's. Hooks on
 * the formatter replace how addresses, displacements and immediates are
 * written and name addresses through the caller's callback.
 */
#include <Zycore/Format.h>
#include <Zydis/Zydis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/disasm.h"
#include "core/format.h"

struct ps_disasm {
	ZydisDecoder decoder;
	ZydisFormatter formatter;
	unsigned bits;
	ps_disasm_symbol_fn symbol;
	void *ctx;
	ZydisFormatterFunc orig_operand_mem;
};

/* ---- small writers ------------------------------------------------------- */

const char *ps_disasm_masm_hex(uint64_t value, char *buf, size_t n)
{
	char hex[24];

	if (value < 10) {
		snprintf(buf, n, "%u", (unsigned)value);
		return buf;
	}
	snprintf(hex, sizeof(hex), "%" PRIX64, value);
	/* MASM needs a leading digit: 0FFFFFFF8h, not FFFFFFF8h. */
	snprintf(buf, n, "%s%sh", hex[0] >= 'A' ? "0" : "", hex);
	return buf;
}

static ZyanStatus append(ZydisFormatterBuffer *buffer, ZydisTokenType type, const char *text)
{
	ZyanString *s;

	ZYAN_CHECK(ZydisFormatterBufferAppend(buffer, type));
	ZYAN_CHECK(ZydisFormatterBufferGetString(buffer, &s));
	return ZyanStringAppendFormat(s, "%s", text);
}

static uint64_t address_mask(const ps_disasm *d, uint64_t va)
{
	return d->bits == 32 ? (va & 0xffffffffu) : va;
}

static int name_of(ps_disasm *d, uint64_t va, char *buf, size_t n)
{
	return d->symbol && d->symbol(d->ctx, va, buf, n);
}

/* "SIoctl+0x4323 (9196b323)" or, without a name, "9196b323". */
static ZyanStatus append_address(ps_disasm *d, ZydisFormatterBuffer *buffer, ZydisTokenType type,
				 uint64_t va)
{
	char name[300], addr[PS_ADDR_BUF], text[340];

	va = address_mask(d, va);
	ps_format_addr(addr, va, d->bits / 8);
	if (name_of(d, va, name, sizeof(name)))
		snprintf(text, sizeof(text), "%s (%s)", name, addr);
	else
		snprintf(text, sizeof(text), "%s", addr);
	return append(buffer, type, text);
}

/* ---- formatter hooks --------------------------------------------------- */

static ZyanStatus hook_address(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
			       ZydisFormatterContext *c)
{
	ZyanU64 va;

	(void)f;
	ZYAN_CHECK(ZydisCalcAbsoluteAddress(c->instruction, c->operand, c->runtime_address, &va));
	return append_address(c->user_data, buffer, ZYDIS_TOKEN_ADDRESS_ABS, va);
}

static ZyanStatus hook_disp(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
			    ZydisFormatterContext *c)
{
	const ZydisDecodedOperand *op = c->operand;
	int64_t v = op->mem.disp.value;
	int has_reg = op->mem.base != ZYDIS_REGISTER_NONE || op->mem.index != ZYDIS_REGISTER_NONE;
	char num[32];

	(void)f;
	if (has_reg) {
		if (v == 0)
			return ZYAN_STATUS_SUCCESS;
		ZYAN_CHECK(append(buffer, ZYDIS_TOKEN_DELIMITER, v < 0 ? "-" : "+"));
		ps_disasm_masm_hex(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, num, sizeof(num));
	} else {
		ps_disasm_masm_hex((uint64_t)v, num, sizeof(num));
	}
	return append(buffer, ZYDIS_TOKEN_DISPLACEMENT, num);
}

static ZyanStatus hook_imm(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
			   ZydisFormatterContext *c)
{
	ps_disasm *d = c->user_data;
	const ZydisDecodedOperand *op = c->operand;
	uint64_t v = op->imm.value.u;
	/* A sign-extended immediate is shown at the width it is extended
	 * to: "push 0FFFFFFFFh" for 6a ff, "and rsp,0FFFFFFFFFFFFFFF0h". */
	unsigned width = op->imm.is_signed ? c->instruction->operand_width : op->size;
	char num[32], name[300], addr[PS_ADDR_BUF], text[360];

	(void)f;
	if (width > 0 && width < 64)
		v &= (UINT64_C(1) << width) - 1;
	/* A pointer-sized immediate that names something is an address:
	 * WinDbg writes "push offset nt!Foo (82f37bab)". */
	if (width == d->bits && v >= 0x10000 && name_of(d, v, name, sizeof(name))) {
		snprintf(text, sizeof(text), "offset %s (%s)", name,
			 ps_format_addr(addr, v, d->bits / 8));
		return append(buffer, ZYDIS_TOKEN_SYMBOL, text);
	}
	return append(buffer, ZYDIS_TOKEN_IMMEDIATE, ps_disasm_masm_hex(v, num, sizeof(num)));
}

static int explicit_segment(const ZydisFormatterContext *c)
{
	return (c->instruction->attributes & ZYDIS_ATTRIB_HAS_SEGMENT) != 0;
}

static ZyanStatus append_segment(ZydisFormatterBuffer *buffer, ZydisRegister seg)
{
	char text[8];

	snprintf(text, sizeof(text), "%s:", ZydisRegisterGetString(seg));
	return append(buffer, ZYDIS_TOKEN_REGISTER, text);
}

/* "[eax+ecx*4]" for the registers of a memory operand (no displacement). */
static void register_part(const ZydisDecodedOperand *op, char *buf, size_t n)
{
	const char *base = op->mem.base != ZYDIS_REGISTER_NONE ? ZydisRegisterGetString(op->mem.base) : NULL;
	const char *index = op->mem.index != ZYDIS_REGISTER_NONE ? ZydisRegisterGetString(op->mem.index) : NULL;

	if (base && index && op->mem.scale > 1)
		snprintf(buf, n, "[%s+%s*%u]", base, index, (unsigned)op->mem.scale);
	else if (base && index)
		snprintf(buf, n, "[%s+%s]", base, index);
	else if (index && op->mem.scale > 1)
		snprintf(buf, n, "[%s*%u]", index, (unsigned)op->mem.scale);
	else
		snprintf(buf, n, "[%s]", base ? base : index);
}

/*
 * Memory operands whose address is known without registers: a bare
 * displacement ("dword ptr [SIoctl+0x2010 (91969010)]", unnamed
 * "dword ptr ds:[00401000h]", "qword ptr gs:[188h]") and x64 RIP-relative
 * ones ("qword ptr [SIoctl+0x2020 (fffff880`04a69020)]"). On x86 a
 * displacement that names a table is written before the registers, as
 * WinDbg does: "dword ptr nt!KiProcessorBlock (82f5e8c0)[eax*4]".
 */
static ZyanStatus hook_operand_mem(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
				   ZydisFormatterContext *c)
{
	ps_disasm *d = c->user_data;
	const ZydisDecodedOperand *op = c->operand;
	int rip = op->mem.base == ZYDIS_REGISTER_RIP || op->mem.base == ZYDIS_REGISTER_EIP;
	int absolute = op->mem.index == ZYDIS_REGISTER_NONE && (op->mem.base == ZYDIS_REGISTER_NONE || rip);
	char name[300], addr[PS_ADDR_BUF], text[400], num[32];
	ZyanU64 va;
	int named;

	if (!absolute && c->instruction->address_width == 16 && op->mem.disp.has_displacement &&
	    op->mem.disp.value == 0) {
		/* 16-bit addressing keeps an explicit zero displacement: the
		 * seed's "add byte ptr [bp+0],al" for 67 00 46 00. */
		size_t len;

		if (op->mem.type == ZYDIS_MEMOP_TYPE_MEM)
			ZYAN_CHECK(f->func_print_typecast(f, buffer, c));
		if (explicit_segment(c))
			ZYAN_CHECK(append_segment(buffer, op->mem.segment));
		register_part(op, num, sizeof(num));
		len = strlen(num);
		snprintf(text, sizeof(text), "%.*s+0]", (int)(len - 1), num);
		return append(buffer, ZYDIS_TOKEN_REGISTER, text);
	}
	if (!absolute) {
		uint64_t table = (uint32_t)op->mem.disp.value;

		if (d->bits != 32 || !op->mem.disp.has_displacement || table < 0x10000 ||
		    !name_of(d, table, name, sizeof(name)))
			return d->orig_operand_mem(f, buffer, c);
		if (op->mem.type == ZYDIS_MEMOP_TYPE_MEM)
			ZYAN_CHECK(f->func_print_typecast(f, buffer, c));
		if (explicit_segment(c))
			ZYAN_CHECK(append_segment(buffer, op->mem.segment));
		register_part(op, num, sizeof(num));
		snprintf(text, sizeof(text), "%s (%s)%s", name, ps_format_addr(addr, table, 4), num);
		return append(buffer, ZYDIS_TOKEN_SYMBOL, text);
	}
	if (rip) {
		ZYAN_CHECK(ZydisCalcAbsoluteAddress(c->instruction, op, c->runtime_address, &va));
	} else {
		/* x64 sign-extends the 32-bit displacement. */
		va = (uint64_t)op->mem.disp.value;
	}
	va = address_mask(d, va);
	named = name_of(d, va, name, sizeof(name));
	if (op->mem.type == ZYDIS_MEMOP_TYPE_MEM)
		ZYAN_CHECK(f->func_print_typecast(f, buffer, c));
	if (explicit_segment(c))
		ZYAN_CHECK(append_segment(buffer, op->mem.segment));
	else if (!named && !rip)
		ZYAN_CHECK(append(buffer, ZYDIS_TOKEN_REGISTER, "ds:"));
	if (named) {
		snprintf(text, sizeof(text), "[%s (%s)]", name, ps_format_addr(addr, va, d->bits / 8));
	} else if (rip) {
		snprintf(text, sizeof(text), "[%s]", ps_format_addr(addr, va, d->bits / 8));
	} else if (d->bits == 32) {
		/* x86 writes all eight digits: fs:[00000124h]. */
		char digits[16];

		snprintf(digits, sizeof(digits), "%08" PRIX64, va);
		snprintf(text, sizeof(text), "[%s%sh]", digits[0] >= 'A' ? "0" : "", digits);
	} else {
		snprintf(text, sizeof(text), "[%s]", ps_disasm_masm_hex(va, num, sizeof(num)));
	}
	return append(buffer, ZYDIS_TOKEN_ADDRESS_ABS, text);
}

/* ---- create and destroy -------------------------------------------------- */

ps_status ps_disasm_create(unsigned bits, ps_disasm_symbol_fn symbol, void *ctx, ps_disasm **out,
			   ps_error *err)
{
	ps_disasm *d;
	const void *hook;
	int ok = 1;

	*out = NULL;
	if (bits != 32 && bits != 64)
		return ps_error_set(err, PS_EARG, "disassembler: %u-bit code is not x86 or x64", bits);
	d = calloc(1, sizeof(*d));
	if (!d)
		return ps_error_set(err, PS_ENOMEM, "disassembler: out of memory");
	d->bits = bits;
	d->symbol = symbol;
	d->ctx = ctx;
	ok &= ZYAN_SUCCESS(ZydisDecoderInit(&d->decoder,
					    bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
					    bits == 64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32));
	ok &= ZYAN_SUCCESS(ZydisFormatterInit(&d->formatter, ZYDIS_FORMATTER_STYLE_INTEL_MASM));
	ok &= ZYAN_SUCCESS(ZydisFormatterSetProperty(&d->formatter, ZYDIS_FORMATTER_PROP_FORCE_RELATIVE_BRANCHES, ZYAN_FALSE));
	ok &= ZYAN_SUCCESS(ZydisFormatterSetProperty(&d->formatter, ZYDIS_FORMATTER_PROP_FORCE_RELATIVE_RIPREL, ZYAN_FALSE));
	ok &= ZYAN_SUCCESS(ZydisFormatterSetProperty(&d->formatter, ZYDIS_FORMATTER_PROP_FORCE_SCALE_ONE, ZYAN_FALSE));
	hook = (const void *)hook_address;
	ok &= ZYAN_SUCCESS(ZydisFormatterSetHook(&d->formatter, ZYDIS_FORMATTER_FUNC_PRINT_ADDRESS_ABS, &hook));
	hook = (const void *)hook_address;
	ok &= ZYAN_SUCCESS(ZydisFormatterSetHook(&d->formatter, ZYDIS_FORMATTER_FUNC_PRINT_ADDRESS_REL, &hook));
	hook = (const void *)hook_disp;
	ok &= ZYAN_SUCCESS(ZydisFormatterSetHook(&d->formatter, ZYDIS_FORMATTER_FUNC_PRINT_DISP, &hook));
	hook = (const void *)hook_imm;
	ok &= ZYAN_SUCCESS(ZydisFormatterSetHook(&d->formatter, ZYDIS_FORMATTER_FUNC_PRINT_IMM, &hook));
	hook = (const void *)hook_operand_mem;
	ok &= ZYAN_SUCCESS(ZydisFormatterSetHook(&d->formatter, ZYDIS_FORMATTER_FUNC_FORMAT_OPERAND_MEM, &hook));
	d->orig_operand_mem = (ZydisFormatterFunc)hook;
	if (!ok) {
		free(d);
		return ps_error_set(err, PS_EUNSUPPORTED, "disassembler: Zydis refused its setup");
	}
	*out = d;
	return PS_OK;
}

void ps_disasm_destroy(ps_disasm *d)
{
	free(d);
}

/* ---- mnemonics ----------------------------------------------------------- */

/* Zydis's condition-code spellings that WinDbg writes differently. */
static const struct {
	const char *zydis, *windbg;
} condition_names[] = {
	{"z", "e"}, {"nz", "ne"}, {"nb", "ae"}, {"nbe", "a"}, {"nl", "ge"}, {"nle", "g"},
};

static void windbg_mnemonic(const char *m, char *buf, size_t n)
{
	static const char *const families[] = {"j", "set", "cmov"};
	size_t i, j;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		size_t k = strlen(families[i]);

		if (strncmp(m, families[i], k) != 0)
			continue;
		for (j = 0; j < sizeof(condition_names) / sizeof(condition_names[0]); j++) {
			if (strcmp(m + k, condition_names[j].zydis) == 0) {
				snprintf(buf, n, "%s%s", families[i], condition_names[j].windbg);
				return;
			}
		}
	}
	snprintf(buf, n, "%s", m);
}

/* movsd/stosb/... without visible operands are string instructions. */
static int string_instruction(const ZydisDecodedInstruction *in, char *base, size_t n)
{
	static const char *const names[] = {"movs", "stos", "lods", "scas", "cmps"};
	const char *m = ZydisMnemonicGetString(in->mnemonic);
	size_t i;

	if (!m || in->operand_count_visible != 0 || strlen(m) != 5)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strncmp(m, names[i], 4) == 0 && strchr("bwdq", m[4])) {
			snprintf(base, n, "%s", names[i]);
			return 1;
		}
	}
	return 0;
}

static const char *size_name(unsigned bits)
{
	switch (bits) {
	case 8: return "byte ptr ";
	case 16: return "word ptr ";
	case 32: return "dword ptr ";
	case 64: return "qword ptr ";
	default: return "";
	}
}

/* "dword ptr es:[edi],dword ptr [esi]" from the hidden memory operands. */
static void string_operands(const ps_disasm *d, const ZydisDecodedOperand *ops, unsigned count,
			    char *buf, size_t n)
{
	size_t len = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < count && len < n; i++) {
		const ZydisDecodedOperand *op = &ops[i];
		int es = d->bits == 32 && op->mem.segment == ZYDIS_REGISTER_ES;

		if (op->type != ZYDIS_OPERAND_TYPE_MEMORY)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s[%s]", len ? "," : "", size_name(op->size),
					es ? "es:" : "", ZydisRegisterGetString(op->mem.base));
	}
}

static ps_insn_flow flow_of(const ZydisDecodedInstruction *in)
{
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_COND_BR:
		return PS_FLOW_JCC;
	case ZYDIS_CATEGORY_UNCOND_BR:
		return PS_FLOW_JMP;
	case ZYDIS_CATEGORY_CALL:
		return PS_FLOW_CALL;
	case ZYDIS_CATEGORY_RET:
	case ZYDIS_CATEGORY_SYSRET:
		return PS_FLOW_RET;
	default:
		break;
	}
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_IRET:
	case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ:
		return PS_FLOW_RET;
	case ZYDIS_MNEMONIC_UD2:
	case ZYDIS_MNEMONIC_HLT:
		return PS_FLOW_STOP;
	default:
		return PS_FLOW_NEXT;
	}
}

static void note_memory_operand(ps_disasm_insn *insn, const ZydisDecodedInstruction *in,
				const ZydisDecodedOperand *ops)
{
	unsigned i;

	for (i = 0; i < in->operand_count_visible; i++) {
		const ZydisDecodedOperand *op = &ops[i];

		if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || op->mem.type != ZYDIS_MEMOP_TYPE_MEM)
			continue;
		insn->has_mem = 1;
		insn->mem_size = op->size / 8;
		snprintf(insn->mem_segment, sizeof(insn->mem_segment), "%s",
			 op->mem.segment != ZYDIS_REGISTER_NONE ? ZydisRegisterGetString(op->mem.segment) : "ds");
		snprintf(insn->mem_base, sizeof(insn->mem_base), "%s",
			 op->mem.base != ZYDIS_REGISTER_NONE ? ZydisRegisterGetString(op->mem.base) : "");
		snprintf(insn->mem_index, sizeof(insn->mem_index), "%s",
			 op->mem.index != ZYDIS_REGISTER_NONE ? ZydisRegisterGetString(op->mem.index) : "");
		insn->mem_scale = op->mem.scale;
		insn->mem_disp = op->mem.disp.has_displacement ? op->mem.disp.value : 0;
		return;
	}
}

/* ---- decoding ------------------------------------------------------------ */

unsigned ps_disasm_length(ps_disasm *d, const uint8_t *bytes, size_t len)
{
	ZydisDecodedInstruction in;

	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&d->decoder, NULL, bytes, len, &in)))
		return 0;
	return in.length;
}

ps_status ps_disasm_decode(ps_disasm *d, uint64_t va, const uint8_t *bytes, size_t len,
			   ps_disasm_insn *insn)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	char mnemonic[24], base[8];
	const char *prefix = "";
	size_t used = 0;
	unsigned i, shown;

	memset(insn, 0, sizeof(*insn));
	insn->address = address_mask(d, va);
	if (len == 0 ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d->decoder, bytes, len, &in, ops))) {
		insn->length = len ? 1 : 0;
		if (len)
			insn->bytes[0] = bytes[0];
		snprintf(insn->mnemonic, sizeof(insn->mnemonic), "???");
		insn->flow = PS_FLOW_STOP;
		return PS_EFORMAT;
	}
	insn->length = in.length;
	memcpy(insn->bytes, bytes, in.length);
	insn->flow = flow_of(&in);

	if (in.attributes & ZYDIS_ATTRIB_HAS_LOCK)
		prefix = "lock ";
	else if (in.attributes & ZYDIS_ATTRIB_HAS_REPNE)
		prefix = "repne ";
	else if (in.attributes & ZYDIS_ATTRIB_HAS_REPE)
		prefix = "repe ";
	else if (in.attributes & ZYDIS_ATTRIB_HAS_REP)
		prefix = "rep ";

	if (in.mnemonic == ZYDIS_MNEMONIC_INT3) {
		snprintf(insn->mnemonic, sizeof(insn->mnemonic), "int");
		snprintf(insn->operands, sizeof(insn->operands), "3");
		return PS_OK;
	}
	if (string_instruction(&in, base, sizeof(base))) {
		snprintf(insn->mnemonic, sizeof(insn->mnemonic), "%s%s", prefix, base);
		string_operands(d, ops, in.operand_count, insn->operands, sizeof(insn->operands));
		return PS_OK;
	}
	windbg_mnemonic(ZydisMnemonicGetString(in.mnemonic), mnemonic, sizeof(mnemonic));
	snprintf(insn->mnemonic, sizeof(insn->mnemonic), "%s%s", prefix, mnemonic);

	/* WinDbg writes only the memory operand of the multi-byte nop. */
	shown = in.mnemonic == ZYDIS_MNEMONIC_NOP && in.operand_count_visible > 1 ? 1 : in.operand_count_visible;
	for (i = 0; i < shown && used + 1 < sizeof(insn->operands); i++) {
		char one[PS_DISASM_TEXT_MAX];

		if (!ZYAN_SUCCESS(ZydisFormatterFormatOperand(&d->formatter, &in, &ops[i], one, sizeof(one),
							      insn->address, d)))
			snprintf(one, sizeof(one), "?");
		used += (size_t)snprintf(insn->operands + used, sizeof(insn->operands) - used, "%s%s",
					 i ? "," : "", one);
	}
	if (used >= sizeof(insn->operands))
		insn->operands[sizeof(insn->operands) - 1] = 0;

	if (insn->flow == PS_FLOW_JCC || insn->flow == PS_FLOW_JMP || insn->flow == PS_FLOW_CALL) {
		ZyanU64 target;

		if (in.operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
		    ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &ops[0], insn->address, &target))) {
			insn->has_target = 1;
			insn->target = address_mask(d, target);
		}
	}
	note_memory_operand(insn, &in, ops);
	return PS_OK;
}

/* ---- lines --------------------------------------------------------------- */

const char *ps_disasm_line(const ps_disasm_insn *insn, unsigned pointer_size, char *buf, size_t n)
{
	char addr[PS_ADDR_BUF], hex[2 * 15 + 1];
	unsigned i;

	for (i = 0; i < insn->length && i < 15; i++)
		snprintf(hex + 2 * i, 3, "%02x", insn->bytes[i]);
	hex[2 * i] = 0;
	ps_format_addr(addr, insn->address, pointer_size);
	if (insn->operands[0])
		snprintf(buf, n, "%s %-15s %-7s %s", addr, hex, insn->mnemonic, insn->operands);
	else
		snprintf(buf, n, "%s %-15s %s", addr, hex, insn->mnemonic);
	return buf;
}

const char *ps_disasm_unreadable_line(uint64_t va, unsigned pointer_size, char *buf, size_t n)
{
	char addr[PS_ADDR_BUF];

	snprintf(buf, n, "%s %-15s %s", ps_format_addr(addr, va, pointer_size), "??", "???");
	return buf;
}
