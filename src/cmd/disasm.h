/*
 * disasm.h - one x86 or x64 instruction, decoded by Zydis and written the
 * way WinDbg writes it.
 *
 * WinDbg's disassembly is MASM-flavoured Intel syntax with its own habits:
 * operands joined by "," without a blank, immediates as "4B4B534Dh" (values
 * below 10 bare), "je"/"jne"/"ja"/"jae"/"jg"/"jge" rather than "jz"/"jnz"/
 * "jnbe"..., "int 3", string instructions with their operands
 * ("rep stos dword ptr es:[edi]"), and addresses named by the debugger's
 * symbols: "call dword ptr [SIoctl+0x2010 (91969010)]",
 * "jne SIoctl+0x4323 (9196b323)", "push offset nt!Foo (82f37bab)". The
 * caller supplies the names through a callback, so this file knows nothing
 * of modules or PDBs.
 *
 * The line layout (u, ub, uf, r): the address, a blank, the instruction
 * bytes in hex left-aligned in 15 columns, a blank, the mnemonic
 * left-aligned in 7 columns, a blank, the operands:
 *   "9196b323 684d534b4b      push    4B4B534Dh"
 *   "fffff803`5c143fa7 488d842400010000 lea     rax,[rsp+100h]"
 */
#ifndef PS_CMD_DISASM_H
#define PS_CMD_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef struct ps_disasm ps_disasm;

/* Write the name of `va` ("SIoctl+0x2010", "nt!ExAllocatePoolWithTag")
 * into buf and return 1, or return 0 when the address has no name. */
typedef int (*ps_disasm_symbol_fn)(void *ctx, uint64_t va, char *buf, size_t n);

typedef enum ps_insn_flow {
	PS_FLOW_NEXT = 0,   /* falls through to the next instruction */
	PS_FLOW_JCC,        /* conditional branch: target and fall through */
	PS_FLOW_JMP,        /* unconditional jump (target when direct) */
	PS_FLOW_CALL,       /* call, returns to the next instruction */
	PS_FLOW_RET,        /* ret, iret, sysret... */
	PS_FLOW_STOP        /* int 3, ud2, hlt: control does not go on */
} ps_insn_flow;

#define PS_DISASM_TEXT_MAX 512

typedef struct ps_disasm_insn {
	uint64_t address;
	unsigned length;          /* 0 when the bytes did not decode */
	uint8_t bytes[15];
	char mnemonic[32];        /* "push", "jne", "lock cmpxchg", "???" */
	char operands[PS_DISASM_TEXT_MAX]; /* "dword ptr [SIoctl+0x2010 (91969010)]" */
	ps_insn_flow flow;
	int has_target;           /* direct branch or call */
	uint64_t target;
	/* The first explicit memory operand (not lea's), for r's
	 * "ds:0023:8276db04=00000000" annotation. Register names are
	 * Zydis's lower-case names, "" when absent. */
	int has_mem;
	unsigned mem_size;        /* bytes */
	char mem_segment[4];      /* "ds", "ss", "fs", "gs", "es", "cs" */
	char mem_base[8];         /* "ebp", "rip", "" */
	char mem_index[8];
	unsigned mem_scale;
	int64_t mem_disp;
} ps_disasm_insn;

/* `bits` is 32 or 64. `symbol` may be NULL (addresses print bare). */
ps_status ps_disasm_create(unsigned bits, ps_disasm_symbol_fn symbol, void *ctx, ps_disasm **out,
			   ps_error *err);
void ps_disasm_destroy(ps_disasm *d);

/* Decode the instruction at the start of `bytes` (len available), located
 * at `va`. On bytes that are no instruction the result is WinDbg's "???"
 * line for one byte (length 1) and the status PS_EFORMAT. */
ps_status ps_disasm_decode(ps_disasm *d, uint64_t va, const uint8_t *bytes, size_t len,
			   ps_disasm_insn *insn);

/* Only the length of the instruction at `bytes` (0 when it does not
 * decode): boundaries without formatting, for ub and the tests. */
unsigned ps_disasm_length(ps_disasm *d, const uint8_t *bytes, size_t len);

/* The whole line, without a newline (see the layout above). */
const char *ps_disasm_line(const ps_disasm_insn *insn, unsigned pointer_size, char *buf, size_t n);

/* The line WinDbg prints for an address it cannot read:
 * "9196b323 ??              ???". */
const char *ps_disasm_unreadable_line(uint64_t va, unsigned pointer_size, char *buf, size_t n);

/* A number as WinDbg's disassembler writes it: "1", "1000h", "0FFFFFFF8h". */
const char *ps_disasm_masm_hex(uint64_t value, char *buf, size_t n);

#endif
