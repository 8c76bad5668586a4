/*
 * prompt.c - the interactive command line: libedit's editline with a
 * history file on a terminal, fgets when standard input is a pipe or file.
 */
#include "cli/prompt.h"

#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HISTORY_FILE ".poolscope_history"
#define HISTORY_SIZE 1000
#define LINE_MAX_PLAIN 65536

struct ps_prompt {
	EditLine *el;
	History *hist;
	char *history_path;       /* NULL: no history file */
	const char *prompt;       /* current prompt, for the libedit callback */
	char *line;               /* the last line returned */
	size_t line_cap;
	char *plain;              /* fgets buffer when not on a terminal */
};

static char *prompt_text(EditLine *el)
{
	ps_prompt *p = NULL;

	el_get(el, EL_CLIENTDATA, &p);
	return (char *)(p && p->prompt ? p->prompt : "");
}

ps_prompt *ps_prompt_open(const char *program)
{
	ps_prompt *p = calloc(1, sizeof(*p));
	const char *home;
	HistEvent ev;

	if (!p)
		return NULL;
	if (!isatty(STDIN_FILENO))
		return p;
	p->el = el_init(program, stdin, stdout, stderr);
	if (!p->el)
		return p;
	el_set(p->el, EL_CLIENTDATA, p);
	el_set(p->el, EL_PROMPT, prompt_text);
	el_set(p->el, EL_EDITOR, "emacs");
	p->hist = history_init();
	if (p->hist) {
		history(p->hist, &ev, H_SETSIZE, HISTORY_SIZE);
		history(p->hist, &ev, H_SETUNIQUE, 1);
		el_set(p->el, EL_HIST, history, p->hist);
		home = getenv("HOME");
		if (home && *home) {
			size_t n = strlen(home) + sizeof(HISTORY_FILE) + 2;

			p->history_path = malloc(n);
			if (p->history_path) {
				snprintf(p->history_path, n, "%s/%s", home, HISTORY_FILE);
				history(p->hist, &ev, H_LOAD, p->history_path);
			}
		}
	}
	return p;
}

static const char *keep_line(ps_prompt *p, const char *text, size_t n)
{
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (n + 1 > p->line_cap) {
		char *bigger = realloc(p->line, n + 1);

		if (!bigger)
			return NULL;
		p->line = bigger;
		p->line_cap = n + 1;
	}
	memcpy(p->line, text, n);
	p->line[n] = 0;
	return p->line;
}

const char *ps_prompt_read(ps_prompt *p, const char *prompt)
{
	if (!p)
		return NULL;
	if (p->el) {
		int count = 0;
		const char *text;
		HistEvent ev;

		p->prompt = prompt;
		text = el_gets(p->el, &count);
		if (!text || count <= 0)
			return NULL;
		text = keep_line(p, text, (size_t)count);
		if (text && *text && p->hist)
			history(p->hist, &ev, H_ENTER, text);
		return text;
	} else {
		const char *text;

		if (!p->plain)
			p->plain = malloc(LINE_MAX_PLAIN);
		if (!p->plain || !fgets(p->plain, LINE_MAX_PLAIN, stdin))
			return NULL;
		text = keep_line(p, p->plain, strlen(p->plain));
		if (text)
			printf("%s%s\n", prompt, text);
		return text;
	}
}

void ps_prompt_close(ps_prompt *p)
{
	HistEvent ev;

	if (!p)
		return;
	if (p->hist && p->history_path)
		history(p->hist, &ev, H_SAVE, p->history_path);
	if (p->el)
		el_end(p->el);
	if (p->hist)
		history_end(p->hist);
	free(p->history_path);
	free(p->line);
	free(p->plain);
	free(p);
}
