/*
 * test_disasm.c - the disassembler wrapper writes instructions as WinDbg
 * does: the seed's SIoctl loop byte for byte (article, `u 9196b324-1`),
 * MASM numbers, WinDbg's mnemonics, named and unnamed addresses, x64
 * RIP-relative operands, and undecodable bytes.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cmd/disasm.h"

/* A tiny symbol table: SIoctl at 91967000 (module+offset names, as
 * WinDbg writes them without a PDB) and one nt export. */
static int fake_names(void *ctx, uint64_t va, char *buf, size_t n)
{
	(void)ctx;
	if (va == 0x82f37babu) {
		snprintf(buf, n, "nt!ExAllocatePoolWithTag");
		return 1;
	}
	if (va >= 0x91967000u && va < 0x9196f000u) {
		snprintf(buf, n, "SIoctl+0x%x", (unsigned)(va - 0x91967000u));
		return 1;
	}
	if (va >= UINT64_C(0xfffff88004a67000) && va < UINT64_C(0xfffff88004a6f000)) {
		snprintf(buf, n, "SIoctl+0x%x", (unsigned)(va - UINT64_C(0xfffff88004a67000)));
		return 1;
	}
	return 0;
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2, i;

	for (i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n;
}

static const char *line_of(ps_disasm *d, unsigned ptr, uint64_t va, const char *hex, char *buf,
			   size_t n)
{
	uint8_t bytes[32];
	size_t len = unhex(hex, bytes);
	ps_disasm_insn insn;

	ps_disasm_decode(d, va, bytes, len, &insn);
	return ps_disasm_line(&insn, ptr, buf, n);
}

static void test_seed_loop(void)
{
	/* The article's bytes and lines (whitespace restored to WinDbg's
	 * columns). */
	static const struct {
		const char *hex, *line;
	} seed[] = {
		{"684d534b4b", "9196b323 684d534b4b      push    4B4B534Dh"},
		{"6800100000", "9196b328 6800100000      push    1000h"},
		{"6a01", "9196b32d 6a01            push    1"},
		{"ff1510909691", "9196b32f ff1510909691    call    dword ptr [SIoctl+0x2010 (91969010)]"},
		{"4e", "9196b335 4e              dec     esi"},
		{"75eb", "9196b336 75eb            jne     SIoctl+0x4323 (9196b323)"},
		{"cc", "9196b338 cc              int     3"},
		{"eb07", "9196b339 eb07            jmp     SIoctl+0x4342 (9196b342)"},
	};
	ps_disasm *d;
	uint64_t va = 0x9196b323u;
	size_t i;
	char buf[600];

	CHECK(ps_disasm_create(32, fake_names, NULL, &d, NULL) == PS_OK);
	for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		CHECK_STR(line_of(d, 4, va, seed[i].hex, buf, sizeof(buf)), seed[i].line);
		va += strlen(seed[i].hex) / 2;
	}
	ps_disasm_destroy(d);
}

static void test_x86_forms(void)
{
	static const struct {
		const char *hex, *text;
	} cases[] = {
		{"8b4d60", "mov     ecx,dword ptr [ebp+60h]"},
		{"8b45f4", "mov     eax,dword ptr [ebp-0Ch]"},
		{"8d4c2404", "lea     ecx,[esp+4]"},
		{"83e4f8", "and     esp,0FFFFFFF8h"},
		{"6aff", "push    0FFFFFFFFh"},
		{"c20800", "ret     8"},
		{"c3", "ret"},
		{"64a124010000", "mov     eax,dword ptr fs:[00000124h]"},
		{"a100104000", "mov     eax,dword ptr ds:[00401000h]"},
		{"a1ab7bf382", "mov     eax,dword ptr [nt!ExAllocatePoolWithTag (82f37bab)]"},
		{"68ab7bf382", "push    offset nt!ExAllocatePoolWithTag (82f37bab)"},
		{"e8f6ffffff", "call    SIoctl+0x431e (9196b31e)"},
		{"e8d83c0000", "call    9196f000"},
		{"f00fb10a", "lock cmpxchg dword ptr [edx],ecx"},
		{"f3ab", "rep stos dword ptr es:[edi]"},
		{"f3a5", "rep movs dword ptr es:[edi],dword ptr [esi]"},
		{"0f94c0", "sete    al"},
		{"0f45c1", "cmovne  eax,ecx"},
		{"7702", "ja      SIoctl+0x4327 (9196b327)"},
		{"8b048510909691", "mov     eax,dword ptr SIoctl+0x2010 (91969010)[eax*4]"},
		{"8b0c8d00000100", "mov     ecx,dword ptr [ecx*4+10000h]"},
		{"8b4500", "mov     eax,dword ptr [ebp]"},
		{"0fb64101", "movzx   eax,byte ptr [ecx+1]"},
	};
	ps_disasm *d;
	size_t i;
	char buf[600], want[600];

	CHECK(ps_disasm_create(32, fake_names, NULL, &d, NULL) == PS_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[40];
		size_t k;

		for (k = 0; k < strlen(cases[i].hex) / 2 * 2; k++)
			hex[k] = cases[i].hex[k];
		hex[k] = 0;
		snprintf(want, sizeof(want), "9196b323 %-15s %s", hex, cases[i].text);
		CHECK_STR(line_of(d, 4, 0x9196b323u, cases[i].hex, buf, sizeof(buf)), want);
	}
	ps_disasm_destroy(d);
}

static void test_x64_forms(void)
{
	static const struct {
		const char *hex, *line;
	} cases[] = {
		/* RIP-relative IAT call: 6 bytes, target = next + 0x1ffa. */
		{"ff15fa1f0000", "fffff880`04a69020 ff15fa1f0000    call    qword ptr [SIoctl+0x4020 (fffff880`04a6b020)]"},
		{"4881ec38010000", "fffff880`04a69020 4881ec38010000  sub     rsp,138h"},
		{"488d842400010000", "fffff880`04a69020 488d842400010000 lea     rax,[rsp+100h]"},
		{"65488b042588010000", "fffff880`04a69020 65488b042588010000 mov     rax,qword ptr gs:[188h]"},
		{"488b01", "fffff880`04a69020 488b01          mov     rax,qword ptr [rcx]"},
		{"4883e4f0", "fffff880`04a69020 4883e4f0        and     rsp,0FFFFFFFFFFFFFFF0h"},
		{"0f1f440000", "fffff880`04a69020 0f1f440000      nop     dword ptr [rax+rax]"},
		{"48895c2408", "fffff880`04a69020 48895c2408      mov     qword ptr [rsp+8],rbx"},
		{"f348ab", "fffff880`04a69020 f348ab          rep stos qword ptr [rdi]"},
		{"e8dbffffff", "fffff880`04a69020 e8dbffffff      call    SIoctl+0x2000 (fffff880`04a69000)"},
		/* Outside every module: the bare address. */
		{"e8dbdf0000", "fffff880`04a69020 e8dbdf0000      call    fffff880`04a77000"},
	};
	ps_disasm *d;
	size_t i;
	char buf[600];

	CHECK(ps_disasm_create(64, fake_names, NULL, &d, NULL) == PS_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(line_of(d, 8, UINT64_C(0xfffff88004a69020), cases[i].hex, buf, sizeof(buf)),
			  cases[i].line);
	ps_disasm_destroy(d);
}

static void test_flow_and_errors(void)
{
	ps_disasm *d;
	ps_disasm_insn insn;
	uint8_t jne[] = {0x75, 0xeb}, ret[] = {0xc3}, bad[] = {0x0f, 0x04, 0xff}, call[] = {0xff, 0x15, 0x10, 0x90, 0x96, 0x91};
	uint8_t trunc[] = {0x68, 0x4d};
	char buf[600];

	CHECK(ps_disasm_create(32, NULL, NULL, &d, NULL) == PS_OK);
	CHECK(ps_disasm_decode(d, 0x9196b336u, jne, sizeof(jne), &insn) == PS_OK);
	CHECK(insn.flow == PS_FLOW_JCC);
	CHECK(insn.has_target);
	CHECK_EQ_U64(insn.target, 0x9196b323u);
	/* Without a namer addresses print bare. */
	CHECK_STR(ps_disasm_line(&insn, 4, buf, sizeof(buf)), "9196b336 75eb            jne     9196b323");
	CHECK(ps_disasm_decode(d, 0x1000, ret, sizeof(ret), &insn) == PS_OK);
	CHECK(insn.flow == PS_FLOW_RET);
	CHECK(ps_disasm_decode(d, 0x9196b32fu, call, sizeof(call), &insn) == PS_OK);
	CHECK(insn.flow == PS_FLOW_CALL);
	CHECK(!insn.has_target);
	CHECK(insn.has_mem);
	CHECK_EQ_U64(insn.mem_size, 4);
	CHECK_STR(insn.mem_segment, "ds");
	CHECK_STR(insn.mem_base, "");
	CHECK_EQ_U64((uint32_t)insn.mem_disp, 0x91969010u);
	CHECK(ps_disasm_decode(d, 0x1000, bad, sizeof(bad), &insn) == PS_EFORMAT);
	CHECK_EQ_U64(insn.length, 1);
	CHECK_STR(ps_disasm_line(&insn, 4, buf, sizeof(buf)), "00001000 0f              ???");
	/* An instruction cut off by the end of the buffer does not decode. */
	CHECK(ps_disasm_decode(d, 0x1000, trunc, sizeof(trunc), &insn) == PS_EFORMAT);
	CHECK_EQ_U64(ps_disasm_length(d, trunc, sizeof(trunc)), 0);
	CHECK_EQ_U64(ps_disasm_length(d, call, sizeof(call)), 6);
	CHECK_STR(ps_disasm_unreadable_line(0x9196b323u, 4, buf, sizeof(buf)), "9196b323 ??              ???");
	CHECK_STR(ps_disasm_unreadable_line(UINT64_C(0xfffff80000000000), 8, buf, sizeof(buf)),
		  "fffff800`00000000 ??              ???");
	ps_disasm_destroy(d);
	d = (ps_disasm *)1;
	CHECK(ps_disasm_create(16, NULL, NULL, &d, NULL) == PS_EARG);
	CHECK(d == NULL);
}

static void test_masm_numbers(void)
{
	char buf[32];

	CHECK_STR(ps_disasm_masm_hex(0, buf, sizeof(buf)), "0");
	CHECK_STR(ps_disasm_masm_hex(9, buf, sizeof(buf)), "9");
	CHECK_STR(ps_disasm_masm_hex(10, buf, sizeof(buf)), "0Ah");
	CHECK_STR(ps_disasm_masm_hex(0x1000, buf, sizeof(buf)), "1000h");
	CHECK_STR(ps_disasm_masm_hex(0x4B4B534D, buf, sizeof(buf)), "4B4B534Dh");
	CHECK_STR(ps_disasm_masm_hex(0xFFFFFFF8u, buf, sizeof(buf)), "0FFFFFFF8h");
}

int main(void)
{
	test_seed_loop();
	test_x86_forms();
	test_x64_forms();
	test_flow_and_errors();
	test_masm_numbers();
	return CHECK_DONE();
}
