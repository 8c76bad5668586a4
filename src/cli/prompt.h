/*
 * prompt.h - reading command lines: libedit with history on a terminal,
 * plain line reading otherwise (pipes, files, tests).
 */
#ifndef PS_CLI_PROMPT_H
#define PS_CLI_PROMPT_H

typedef struct ps_prompt ps_prompt;

/* Open the reader for standard input. History lives in
 * $HOME/.poolscope_history; without HOME there is no history file. */
ps_prompt *ps_prompt_open(const char *program);

/* Show `prompt` and read one line, without its newline. The string stays
 * valid until the next call. NULL at end of input. When standard input is
 * not a terminal the prompt and the line are echoed to standard output, so
 * that the output reads like a kd log. */
const char *ps_prompt_read(ps_prompt *p, const char *prompt);

/* Save the history and free the reader. */
void ps_prompt_close(ps_prompt *p);

#endif
