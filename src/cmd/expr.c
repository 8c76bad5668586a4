/*
 * expr.c - the MASM expression evaluator (WinDbg's default syntax).
 *
 * A recursive-descent parser that evaluates as it parses, in 64-bit unsigned
 * arithmetic. Operator precedence, from Microsoft's "MASM Numbers and
 * Operators" page (lowest first):
 *
 *     or |    xor ^    and &    = == != < > <= >=    << >> >>>
 *     + -     * / % mod         unary: + - ~ not hi low by wo dwo qwo poi
 *
 * Parsing stops before the first token that cannot continue the expression,
 * so "1000 L20" yields 0x1000 with *end at "L20". Errors carry WinDbg's
 * wording and quote the text from the failing token to the end of the input
 * ("Couldn't resolve error at 'foo+1'"; an empty rest is shown as <EOL>, as
 * WinDbg does). docs/expressions.md lists the syntax and how it differs from
 * WinDbg.
 *
 * The input is hostile: the parser never reads past the terminating NUL and
 * nesting (parentheses and unary operators) is bounded by EXPR_MAX_DEPTH.
 */
#include "poolscope/expr.h"

#include <ctype.h>
#include <string.h>

#include "core/bytes.h"

/* Deeper nesting than this is refused rather than risking the C stack. */
#define EXPR_MAX_DEPTH 256

/* How much of the rest of the input an error message quotes. */
#define EXPR_QUOTE_MAX 400

typedef struct parser {
	const ps_expr_env *env;
	const char *text;     /* start of the input */
	const char *pos;      /* next unread character */
	const char *last_tok; /* start of the last token consumed */
	int depth;
	ps_error *err;
} parser;

typedef enum binop {
	OP_NONE,
	OP_OR, OP_XOR, OP_AND,
	OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE,
	OP_SHL, OP_SHR, OP_SAR,
	OP_ADD, OP_SUB,
	OP_MUL, OP_DIV, OP_MOD
} binop;

/* Precedence levels, lowest first; each binary operator belongs to one. */
enum { LVL_OR, LVL_XOR, LVL_AND, LVL_CMP, LVL_SHIFT, LVL_ADD, LVL_MUL, LVL_UNARY };

static ps_status parse_level(parser *p, int level, uint64_t *value);
static ps_status parse_unary(parser *p, uint64_t *value);

/* ---- errors -------------------------------------------------------------- */

static ps_status fail_at(parser *p, ps_status st, const char *kind, const char *at)
{
	size_t len = strlen(at);

	if (len == 0)
		return ps_error_set(p->err, st, "%s at '<EOL>'", kind);
	if (len > EXPR_QUOTE_MAX)
		return ps_error_set(p->err, st, "%s at '%.*s...'", kind, EXPR_QUOTE_MAX, at);
	return ps_error_set(p->err, st, "%s at '%s'", kind, at);
}

static ps_status fail_missing(parser *p, const char *at)
{
	size_t len = strlen(at);

	if (len == 0)
		return ps_error_set(p->err, PS_EARG, "Numeric expression missing from '<EOL>'");
	return ps_error_set(p->err, PS_EARG, "Numeric expression missing from '%.*s'",
			    len > EXPR_QUOTE_MAX ? EXPR_QUOTE_MAX : (int)len, at);
}

/* ---- characters and words ------------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void skip_space(parser *p)
{
	while (is_space(*p->pos))
		p->pos++;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Characters of a number or a name: module!symbol names keep their '!',
 * numbers may carry WinDbg's ` separator between the halves. */
static int is_word_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '$' || c == '!' || c == '`';
}

static int is_name_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '$';
}

/* Length of the word at s: word characters and C++ "::" scope pairs. */
static size_t word_length(const char *s)
{
	size_t n = 0;

	for (;;) {
		if (s[n] == '!' && s[n + 1] == '=')
			return n; /* "x!=y" compares */
		if (is_word_char(s[n]))
			n++;
		else if (s[n] == ':' && s[n + 1] == ':' && n > 0)
			n += 2;
		else
			return n;
	}
}

/* Case-insensitive: is the word [s, s+n) exactly `kw`? */
static int word_is(const char *s, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != kw[i])
			return 0;
	return 1;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Digits of base `base` in [s, s+n), backticks ignored. Returns 1 with the
 * value, 0 when a character is not a digit, -1 on overflow. */
static int convert_digits(const char *s, size_t n, unsigned base, uint64_t *value)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] == '`')
			continue;
		d = (unsigned)digit_value(s[i]);
		if (d >= base)
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*value = v;
	return 1;
}

/* The MASM number forms: 0x 0n 0t 0y prefixes (an empty number after the
 * prefix is 0), a trailing h, or bare digits in the default radix 16.
 * Returns 1 for a number, 0 for "not a number", -1 for overflow. */
static int parse_number(const char *s, size_t n, uint64_t *value)
{
	if (n == 0)
		return 0;
	if (n >= 2 && s[0] == '0') {
		unsigned base = 0;

		switch (tolower((unsigned char)s[1])) {
		case 'x': base = 16; break;
		case 'n': base = 10; break;
		case 't': base = 8; break;
		case 'y': base = 2; break;
		}
		if (base) {
			int r = convert_digits(s + 2, n - 2, base, value);
			if (r != 0)
				return r;
			/* "0n1h" is not a number; fall through to the plain forms,
			 * which reject it too unless it is valid hex ("0b", "0d"...). */
		}
	}
	if (n >= 2 && (s[n - 1] == 'h' || s[n - 1] == 'H')) {
		int r = convert_digits(s, n - 1, 16, value);
		if (r != 0)
			return r;
	}
	return convert_digits(s, n, 16, value);
}

/* ---- memory -------------------------------------------------------------- */

/* Read `size` bytes at `va` for poi() and friends. `at` is where the error
 * message points: WinDbg quotes from the last token of the operand, so
 * "poi(1)" fails "at ')'". */
static ps_status read_target(parser *p, uint64_t va, unsigned size, const char *at, uint64_t *value)
{
	uint8_t buf[8] = { 0 };
	ps_status st = PS_EINVALID;
	ps_error ignored;

	if (p->env->pointer_size == 4)
		va &= 0xffffffffu; /* a 32-bit target has 32-bit addresses */
	if (p->env->read)
		st = p->env->read(p->env->ctx, va, buf, size, &ignored);
	if (st != PS_OK)
		return fail_at(p, st, "Memory access error", at);
	*value = ps_le64(buf);
	return PS_OK;
}

/* ---- operands ------------------------------------------------------------ */

/* @reg, @$pseudo: the register must exist. */
static ps_status parse_register(parser *p, uint64_t *value)
{
	const char *start = p->pos;
	const char *name = p->pos + 1;
	char buf[64];
	size_t n = 0;

	while (is_name_char(name[n]))
		n++;
	p->last_tok = start;
	p->pos = name + n;
	if (n == 0 || n >= sizeof buf || !p->env->reg)
		return fail_at(p, PS_ENOTFOUND, "Bad register error", start);
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (p->env->reg(p->env->ctx, buf, value) != PS_OK)
		return fail_at(p, PS_ENOTFOUND, "Bad register error", start);
	return PS_OK;
}

/* A word that is not a number: a symbol or module name, then (like WinDbg
 * for registers typed without '@') a register. */
static ps_status resolve_name(parser *p, const char *start, size_t n, uint64_t *value)
{
	char buf[512];

	if (n >= sizeof buf)
		return fail_at(p, PS_ENOTFOUND, "Couldn't resolve error", start);
	memcpy(buf, start, n);
	buf[n] = '\0';
	if (p->env->symbol && p->env->symbol(p->env->ctx, buf, value) == PS_OK)
		return PS_OK;
	/* A name with '!' or '`' is never a register. */
	if (p->env->reg && !memchr(buf, '!', n) && !memchr(buf, '`', n) &&
	    p->env->reg(p->env->ctx, buf, value) == PS_OK)
		return PS_OK;
	if (buf[0] == '$')
		return fail_at(p, PS_ENOTFOUND, "Bad register error", start);
	return fail_at(p, PS_ENOTFOUND, "Couldn't resolve error", start);
}

static ps_status parse_primary(parser *p, uint64_t *value)
{
	const char *start;
	size_t n;
	ps_status st;

	skip_space(p);
	start = p->pos;

	if (*start == '(') {
		if (++p->depth > EXPR_MAX_DEPTH)
			return fail_at(p, PS_EARG, "Syntax error", start);
		p->last_tok = start;
		p->pos++;
		st = parse_level(p, LVL_OR, value);
		if (st != PS_OK)
			return st;
		skip_space(p);
		if (*p->pos != ')')
			return fail_at(p, PS_EARG, "Syntax error", p->pos);
		p->last_tok = p->pos;
		p->pos++;
		p->depth--;
		return PS_OK;
	}
	if (*start == '@') {
		if (start[1] == '@' || start[1] == '!')
			return fail_at(p, PS_EARG, "Syntax error", start); /* @@c++(), @!"sym" */
		return parse_register(p, value);
	}
	/* A lone '.' is the current instruction pointer. */
	if (*start == '.' && !is_word_char(start[1])) {
		p->last_tok = start;
		p->pos++;
		if (!p->env->reg || p->env->reg(p->env->ctx, "$ip", value) != PS_OK)
			return fail_at(p, PS_ENOTFOUND, "Bad register error", start);
		return PS_OK;
	}
	/* Numbers and names. A leading backtick is not a word start. */
	n = *start == '`' ? 0 : word_length(start);
	if (n > 0) {
		int r = parse_number(start, n, value);

		p->last_tok = start;
		p->pos = start + n;
		if (r > 0)
			return PS_OK;
		if (r < 0)
			return fail_at(p, PS_EARG, "Syntax error", start);
		return resolve_name(p, start, n, value);
	}
	/* Nothing that starts an operand: an operator or the end means the
	 * number is missing; anything else (quotes, brackets...) is a syntax
	 * error. */
	if (*start == '\0' || strchr("*/%&|^=<>!)+-~,;", *start))
		return fail_missing(p, start);
	return fail_at(p, PS_EARG, "Syntax error", start);
}

/* ---- unary operators ----------------------------------------------------- */

typedef enum unop { UN_NONE, UN_NEG, UN_PLUS, UN_NOT, UN_LNOT, UN_HI, UN_LOW, UN_MEM } unop;

/* The unary operator at p->pos, if any; sets *len and, for memory operators,
 * *size (0 means pointer size). */
static unop peek_unary(const parser *p, size_t *len, unsigned *size)
{
	const char *s = p->pos;
	size_t n;

	*size = 0;
	if (*s == '-') { *len = 1; return UN_NEG; }
	if (*s == '+') { *len = 1; return UN_PLUS; }
	if (*s == '~') { *len = 1; return UN_NOT; }
	if (!is_alpha(*s))
		return UN_NONE;
	n = word_length(s);
	*len = n;
	if (word_is(s, n, "not")) return UN_LNOT;
	if (word_is(s, n, "hi")) return UN_HI;
	if (word_is(s, n, "low")) return UN_LOW;
	if (word_is(s, n, "poi")) { *size = 0; return UN_MEM; }
	if (word_is(s, n, "qwo")) { *size = 8; return UN_MEM; }
	if (word_is(s, n, "dwo")) { *size = 4; return UN_MEM; }
	if (word_is(s, n, "wo")) { *size = 2; return UN_MEM; }
	if (word_is(s, n, "by")) { *size = 1; return UN_MEM; }
	return UN_NONE;
}

static ps_status parse_unary(parser *p, uint64_t *value)
{
	size_t len;
	unsigned size;
	unop op;
	ps_status st;
	uint64_t v;

	skip_space(p);
	op = peek_unary(p, &len, &size);
	if (op == UN_NONE)
		return parse_primary(p, value);
	if (++p->depth > EXPR_MAX_DEPTH)
		return fail_at(p, PS_EARG, "Syntax error", p->pos);
	p->last_tok = p->pos;
	p->pos += len;
	st = parse_unary(p, &v);
	if (st != PS_OK)
		return st;
	p->depth--;
	switch (op) {
	case UN_NEG: *value = 0 - v; break;
	case UN_PLUS: *value = v; break;
	case UN_NOT: *value = ~v; break;
	case UN_LNOT: *value = v == 0; break;
	case UN_HI: *value = (v >> 16) & 0xffff; break;
	case UN_LOW: *value = v & 0xffff; break;
	case UN_MEM:
		if (size == 0)
			size = p->env->pointer_size == 4 ? 4 : 8;
		return read_target(p, v, size, p->last_tok, value);
	case UN_NONE: break;
	}
	return PS_OK;
}

/* ---- binary operators ---------------------------------------------------- */

/* The binary operator at p->pos belonging to `level`, or OP_NONE. */
static binop peek_binop(const parser *p, int level, size_t *len)
{
	const char *s = p->pos;
	size_t n = is_alpha(*s) ? word_length(s) : 0;

	*len = 1;
	switch (level) {
	case LVL_OR:
		if (*s == '|') return OP_OR;
		if (word_is(s, n, "or")) { *len = n; return OP_OR; }
		break;
	case LVL_XOR:
		if (*s == '^') return OP_XOR;
		if (word_is(s, n, "xor")) { *len = n; return OP_XOR; }
		break;
	case LVL_AND:
		if (*s == '&') return OP_AND;
		if (word_is(s, n, "and")) { *len = n; return OP_AND; }
		break;
	case LVL_CMP:
		*len = 2;
		if (s[0] == '=' && s[1] == '=') return OP_EQ;
		if (s[0] == '!' && s[1] == '=') return OP_NE;
		if (s[0] == '<' && s[1] == '=') return OP_LE;
		if (s[0] == '>' && s[1] == '=') return OP_GE;
		*len = 1;
		if (s[0] == '=') return OP_EQ;
		if (s[0] == '<' && s[1] != '<') return OP_LT;
		if (s[0] == '>' && s[1] != '>') return OP_GT;
		break;
	case LVL_SHIFT:
		*len = 3;
		if (s[0] == '>' && s[1] == '>' && s[2] == '>') return OP_SAR;
		*len = 2;
		if (s[0] == '<' && s[1] == '<') return OP_SHL;
		if (s[0] == '>' && s[1] == '>') return OP_SHR;
		break;
	case LVL_ADD:
		if (*s == '+') return OP_ADD;
		if (*s == '-') return OP_SUB;
		break;
	case LVL_MUL:
		if (*s == '*') return OP_MUL;
		if (*s == '/') return OP_DIV;
		if (*s == '%') return OP_MOD;
		if (word_is(s, n, "mod")) { *len = n; return OP_MOD; }
		break;
	}
	return OP_NONE;
}

static ps_status apply(parser *p, binop op, uint64_t a, uint64_t b, const char *b_at, uint64_t *r)
{
	/* Shift counts wrap at 64, as the x86 shift instructions do. */
	unsigned sh = (unsigned)(b & 63);

	switch (op) {
	case OP_OR: *r = a | b; break;
	case OP_XOR: *r = a ^ b; break;
	case OP_AND: *r = a & b; break;
	case OP_EQ: *r = a == b; break;
	case OP_NE: *r = a != b; break;
	case OP_LT: *r = a < b; break;
	case OP_GT: *r = a > b; break;
	case OP_LE: *r = a <= b; break;
	case OP_GE: *r = a >= b; break;
	case OP_SHL: *r = a << sh; break;
	case OP_SHR: *r = a >> sh; break;
	case OP_SAR:
		/* Arithmetic shift without relying on signed >> of negatives. */
		*r = a >> sh;
		if (sh && (a >> 63))
			*r |= ~(UINT64_MAX >> sh);
		break;
	case OP_ADD: *r = a + b; break;
	case OP_SUB: *r = a - b; break;
	case OP_MUL: *r = a * b; break;
	case OP_DIV:
	case OP_MOD:
		if (b == 0)
			return fail_at(p, PS_EARG, "Divide by zero error", b_at);
		*r = op == OP_DIV ? a / b : a % b;
		break;
	case OP_NONE: break;
	}
	return PS_OK;
}

static ps_status parse_level(parser *p, int level, uint64_t *value)
{
	uint64_t left;
	ps_status st;

	if (level == LVL_UNARY)
		return parse_unary(p, value);
	st = parse_level(p, level + 1, &left);
	if (st != PS_OK)
		return st;
	for (;;) {
		size_t len;
		binop op;
		uint64_t right;

		skip_space(p);
		op = peek_binop(p, level, &len);
		if (op == OP_NONE)
			break;
		p->last_tok = p->pos;
		p->pos += len;
		st = parse_level(p, level + 1, &right);
		if (st != PS_OK)
			return st;
		st = apply(p, op, left, right, p->last_tok, &left);
		if (st != PS_OK)
			return st;
	}
	*value = left;
	return PS_OK;
}

/* ---- entry point --------------------------------------------------------- */

ps_status ps_expr_eval(const ps_expr_env *env, const char *text, const char **end,
		       uint64_t *value, ps_error *err)
{
	static const ps_expr_env no_env;
	parser p;
	uint64_t v = 0;
	ps_status st;

	if (!text) {
		if (end)
			*end = text;
		return ps_error_set(err, PS_EARG, "Numeric expression missing from '<EOL>'");
	}
	p.env = env ? env : &no_env;
	p.text = text;
	p.pos = text;
	p.last_tok = text;
	p.depth = 0;
	p.err = err;
	st = parse_level(&p, LVL_OR, &v);
	if (st == PS_OK)
		skip_space(&p);
	if (end)
		*end = p.pos;
	if (st != PS_OK)
		return st;
	if (value)
		*value = v;
	return PS_OK;
}
