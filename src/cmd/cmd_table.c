/*
 * cmd_table.c - the command words of the kd language this layer knows and
 * the function behind each.
 *
 * Most words match exactly. `lm` is a prefix: its option letters follow the
 * word directly ("lmvm SIoctl", "lmva 9196b324"). `?` needs no blank before
 * its expression ("?1+2").
 */
#include <string.h>
#include <strings.h>

#include "cmd/cmd_dh.h"
#include "cmd/cmd_disasm.h"
#include "cmd/cmd_findtag.h"
#include "cmd/cmd_symbols.h"
#include "cmd/cmd_eval.h"
#include "cmd/cmd_pool.h"
#include "cmd/cmd_pool_usage.h"
#include "cmd/cmd_table.h"

static const ps_cmd_entry table[] = {
	{"?", ps_cmd_evaluate, 0},
	{".formats", ps_cmd_formats, 0},
	{".bugcheck", ps_cmd_bugcheck, 0},
	{"vertarget", ps_cmd_vertarget, 0},
	{"q", ps_cmd_quit, 0},
	{"qq", ps_cmd_quit, 0},
	{"r", ps_cmd_registers, 0},
	{"d", ps_cmd_display, 0},
	{"da", ps_cmd_display, 0},
	{"db", ps_cmd_display, 0},
	{"dc", ps_cmd_display, 0},
	{"dd", ps_cmd_display, 0},
	{"dp", ps_cmd_display, 0},
	{"dq", ps_cmd_display, 0},
	{"du", ps_cmd_display, 0},
	{"dw", ps_cmd_display, 0},
	{"s", ps_cmd_search, 0},
	{"!for_each_module", ps_cmd_for_each_module, 0},
	{"!vtop", ps_cmd_vtop, 0},
	{"!pte", ps_cmd_pte, 0},
	{"!dh", ps_cmd_dh, 0},
	{"!findtag", ps_cmd_findtag, 0},
	{"u", ps_cmd_u, 0},
	{"ub", ps_cmd_ub, 0},
	{"uf", ps_cmd_uf, 0},
	{"ln", ps_cmd_ln, 0},
	{"x", ps_cmd_x, 0},
	{"dt", ps_cmd_dt, 0},
	{".reload", ps_cmd_reload, 0},
	{".sympath", ps_cmd_sympath, 0},
	{".sympath+", ps_cmd_sympath, 0},
	{"!sym", ps_cmd_sym, 0},
	{"!poolused", ps_cmd_poolused, 0},
	{"!vm", ps_cmd_vm, 0},
	{"!pool", ps_cmd_pool, 0},
	{"!poolfind", ps_cmd_poolfind, 0},
	{"lm", ps_cmd_lm, 1},
};

const ps_cmd_entry *ps_cmd_find(const char *line, size_t *word_len)
{
	size_t n = 0, i;

	if (line[0] == '?') {
		*word_len = 1;
		return &table[0];
	}
	while (line[n] && line[n] != ' ' && line[n] != '\t')
		n++;
	*word_len = n;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		/* Command words are case-insensitive except where WinDbg gives
		 * case a meaning (dD, dW): none of those are in this table. */
		if (strlen(table[i].name) == n && strncasecmp(table[i].name, line, n) == 0)
			return &table[i];
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t k = strlen(table[i].name);

		if (table[i].prefix && n > k && strncasecmp(table[i].name, line, k) == 0)
			return &table[i];
	}
	return NULL;
}
