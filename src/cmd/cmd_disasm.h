/*
 * cmd_disasm.h - the unassemble commands (u, ub, uf) and the instruction
 * line that `r` prints after the registers.
 */
#ifndef PS_CMD_CMD_DISASM_H
#define PS_CMD_CMD_DISASM_H

#include <stdint.h>
#include <stdio.h>

#include "cmd/cmd.h"

ps_status ps_cmd_u(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_ub(ps_session *s, const char *cmd, const char *args, FILE *out);
ps_status ps_cmd_uf(ps_session *s, const char *cmd, const char *args, FILE *out);

/* `r`'s last two lines: the label of the instruction pointer
 * ("nt!KiFoo+0x12:") and its instruction, with the memory operand's
 * address and value when it has one:
 * "82a8b7e0 8b4d60          mov     ecx,dword ptr [ebp+60h] ss:0010:8d1e3b60=00000000". */
void ps_cmd_print_current_instruction(ps_session *s, FILE *out);

#endif
