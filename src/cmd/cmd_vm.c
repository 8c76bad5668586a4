/*
 * cmd_vm.c - `!vm [Flags]` (placeholder while it is written).
 */
#include "cmd/cmd_pool_usage.h"

ps_status ps_cmd_vm(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	(void)s; (void)cmd; (void)args;
	fputs("!vm: not yet\n", out);
	return PS_EUNSUPPORTED;
}
