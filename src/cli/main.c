/*
 * main.c - the poolscope program: open a dump and speak kd to it.
 *
 *   poolscope -z DUMP [-c "cmd; cmd"] [-y SYMPATH]
 *   poolscope findtag TAG PATH...   (cli/findtag_main.c)
 *
 * With -c the commands run one after another, each echoed as "N: kd> cmd"
 * before its output like a kd log, and the program exits. Without -c it
 * shows WinDbg's opening banner and reads commands at a prompt until `q` or
 * end of input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/findtag_main.h"
#include "cli/prompt.h"
#include "poolscope/session.h"

#ifndef PS_VERSION
#define PS_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: poolscope -z DUMP [-c \"cmd; cmd...\"] [-y SYMPATH] [--tags FILE]\n"
		"       poolscope findtag TAG PATH...   (which driver files allocate TAG)\n"
		"\n"
		"Open a Windows kernel crash dump and run kd commands on it.\n"
		"\n"
		"  -z DUMP      the dump file (MEMORY.DMP, a kernel, complete, bitmap or\n"
		"               triage dump, x86 or x64)\n"
		"  -c COMMANDS  run these commands, separated by ';', and exit; each is\n"
		"               echoed as \"0: kd> cmd\" before its output\n"
		"  -y SYMPATH   symbol path: folders, cache*DIR, srv*CACHE*URL, joined by\n"
		"               ';' (default: $_NT_SYMBOL_PATH); without one, names come\n"
		"               from the images' export tables\n"
		"  --tags FILE  pooltag.txt for tag descriptions (default: $POOLTAG, then\n"
		"               ~/.config/poolscope/pooltag.txt, /usr/local/share/poolscope/\n"
		"               and /usr/share/poolscope/)\n"
		"  --help       show this text\n"
		"  --version    show the version\n"
		"\n"
		"Without -c, poolscope prints the dump's banner and reads commands at a\n"
		"\"0: kd> \" prompt until q or end of input. Commands: db dw dW dd dq dp dc\n"
		"da du, dt, s, u ub uf, ln, x, lm (lmv, lm m PATTERN, lmva ADDR),\n"
		"!for_each_module, r, .bugcheck, vertarget, ?, .formats, !vtop, !pte, !dh,\n"
		".reload, .sympath, !sym, !vm, !poolused, !poolfind, !pool, !findtag, q.\n"
		"See docs/commands.md.\n");
}

/* Split `text` on ';' outside quotes into the commands it holds, run each,
 * echoing it first. */
static int run_commands(ps_session *s, const char *text)
{
	size_t len = strlen(text), i, start = 0;
	char *copy = malloc(len + 1);
	char quote = 0;

	if (!copy) {
		fprintf(stderr, "poolscope: out of memory\n");
		return 1;
	}
	memcpy(copy, text, len + 1);
	for (i = 0; i <= len && !ps_session_quit(s); i++) {
		char c = copy[i];

		if (quote) {
			if (c == '\\' && copy[i + 1])
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
			continue;
		}
		if (c == ';' || c == 0) {
			char *cmd = copy + start;
			size_t n;

			copy[i] = 0;
			while (*cmd == ' ' || *cmd == '\t')
				cmd++;
			n = strlen(cmd);
			while (n > 0 && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t'))
				cmd[--n] = 0;
			if (*cmd) {
				printf("%s%s\n", ps_session_prompt(s), cmd);
				ps_session_exec(s, cmd, stdout);
				fflush(stdout);
			}
			start = i + 1;
		}
	}
	free(copy);
	return 0;
}

static int run_interactive(ps_session *s)
{
	ps_prompt *p = ps_prompt_open("poolscope");
	const char *line;

	ps_session_banner(s, stdout);
	while (!ps_session_quit(s) && (line = ps_prompt_read(p, ps_session_prompt(s))) != NULL) {
		ps_session_exec(s, line, stdout);
		fflush(stdout);
	}
	ps_prompt_close(p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dump = NULL, *commands = NULL;
	ps_session_options opt = {0};
	ps_session *s;
	ps_error err;
	int i, rc;

	if (argc >= 2 && strcmp(argv[1], "findtag") == 0)
		return ps_cli_findtag(argc - 2, argv + 2);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "-?") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf("poolscope %s\n", PS_VERSION);
			return 0;
		}
		if ((strcmp(a, "-z") == 0 || strcmp(a, "-c") == 0 || strcmp(a, "-y") == 0 ||
		     strcmp(a, "--tags") == 0) &&
		    i + 1 >= argc) {
			fprintf(stderr, "poolscope: %s needs an argument\n", a);
			usage(stderr);
			return 2;
		}
		if (strcmp(a, "-z") == 0)
			dump = argv[++i];
		else if (strcmp(a, "-c") == 0)
			commands = argv[++i];
		else if (strcmp(a, "-y") == 0)
			opt.symbol_path = argv[++i];
		else if (strcmp(a, "--tags") == 0)
			opt.tags_path = argv[++i];
		else {
			fprintf(stderr, "poolscope: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!dump) {
		fprintf(stderr, "poolscope: no dump given (-z DUMP)\n");
		usage(stderr);
		return 2;
	}
	ps_error_clear(&err);
	if (ps_session_open(dump, &opt, stderr, &s, &err) != PS_OK) {
		fprintf(stderr, "poolscope: %s\n", err.message);
		return 1;
	}
	rc = commands ? run_commands(s, commands) : run_interactive(s);
	ps_session_close(s);
	return rc;
}
