/*
 * expr.h - WinDbg MASM expressions.
 *
 * Numbers are hex by default (0n decimal, 0x hex, 0y binary, 0t octal, a
 * trailing h), x64 addresses may carry a backtick between the halves.
 * Operators + - * / % & | ^ << >> with C precedence, unary - ~, parentheses,
 * poi() dwo() qwo() wo() by(), @reg, and names resolved by the environment
 * (module names give their base). Evaluation is in 64 bits.
 */
#ifndef POOLSCOPE_EXPR_H
#define POOLSCOPE_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef struct ps_expr_env {
	void *ctx;
	unsigned pointer_size; /* 4 or 8: poi() width */
	/* Read target memory; NULL means no memory (poi fails). */
	ps_status (*read)(void *ctx, uint64_t va, void *buf, size_t len, ps_error *err);
	/* Register by name without '@' ("rip", "eax", "$ip"). PS_ENOTFOUND if unknown. */
	ps_status (*reg)(void *ctx, const char *name, uint64_t *value);
	/* A symbol or module name ("nt", "SIoctl", later "nt!Foo"). PS_ENOTFOUND if unknown. */
	ps_status (*symbol)(void *ctx, const char *name, uint64_t *value);
} ps_expr_env;

/* Evaluate the expression at the start of `text`. Parsing stops before the
 * first token that cannot continue the expression (so "1000 L20" yields
 * 0x1000 and *end points at "L20"); `end` may be NULL. Errors are WinDbg's:
 * "Syntax error", "Couldn't resolve error", "Memory access error". */
ps_status ps_expr_eval(const ps_expr_env *env, const char *text, const char **end,
		       uint64_t *value, ps_error *err);

#endif
