/*
 * cmd_display.c - the d* family: db dw dW dd dq dp dc da du, and d (repeat).
 *
 * Layout as WinDbg prints it (Display Memory page and kd logs): the address,
 * two blanks, the values, and for db/dc two blanks and the ASCII column; db
 * puts '-' between the 8th and 9th byte; a short last line is padded so its
 * ASCII column lines up. Bytes missing from the dump print as "??" (and '?'
 * in the ASCII column). When nothing at all could be read a last line says
 * that the memory is not in the dump - WinDbg leaves that to the reader.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"
#include "core/bytes.h"

typedef enum display_kind { K_HEX, K_CHARS, K_ASCII, K_UNICODE } display_kind;

typedef struct display_format {
	char name[3];
	display_kind kind;
	unsigned elem;       /* element size in bytes */
	unsigned per_line;   /* elements per line */
	uint64_t count;      /* default element count */
} display_format;

/* Characters per line for da and du (Display Memory page: "up to 48"). */
#define STRING_LINE 48

static int format_for(const ps_session *s, const char *word, display_format *f)
{
	char c = word[1];

	memset(f, 0, sizeof(*f));
	f->name[0] = 'd';
	f->name[1] = c;
	switch (c) {
	case 'b':
	case 'B':
		*f = (display_format){"db", K_CHARS, 1, 16, 128};
		return 1;
	case 'w':
		*f = (display_format){"dw", K_HEX, 2, 8, 64};
		return 1;
	case 'W':
		*f = (display_format){"dW", K_CHARS, 2, 8, 64};
		return 1;
	case 'd':
		*f = (display_format){"dd", K_HEX, 4, 4, 32};
		return 1;
	case 'q':
	case 'Q':
		*f = (display_format){"dq", K_HEX, 8, 2, 16};
		return 1;
	case 'p':
	case 'P':
		if (ps_cmd_pointer_size(s) == 4)
			*f = (display_format){"dp", K_HEX, 4, 4, 32};
		else
			*f = (display_format){"dp", K_HEX, 8, 2, 16};
		return 1;
	case 'c':
	case 'C':
		*f = (display_format){"dc", K_CHARS, 4, 4, 32};
		return 1;
	case 'a':
	case 'A':
		*f = (display_format){"da", K_ASCII, 1, STRING_LINE, 128};
		return 1;
	case 'u':
	case 'U':
		*f = (display_format){"du", K_UNICODE, 2, STRING_LINE, 128};
		return 1;
	default:
		return 0;
	}
}

static char printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

static int all_valid(const uint8_t *valid, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!valid[i])
			return 0;
	return 1;
}

/* One value of `elem` bytes as WinDbg prints it, or its "??" form. */
static size_t format_value(char *dst, const uint8_t *bytes, const uint8_t *valid, unsigned elem)
{
	int ok = all_valid(valid, elem);

	switch (elem) {
	case 1:
		return ok ? (size_t)sprintf(dst, "%02x", bytes[0]) : (size_t)sprintf(dst, "??");
	case 2:
		return ok ? (size_t)sprintf(dst, "%04x", ps_le16(bytes)) : (size_t)sprintf(dst, "????");
	case 4:
		return ok ? (size_t)sprintf(dst, "%08" PRIx32, ps_le32(bytes))
			  : (size_t)sprintf(dst, "????????");
	default:
		if (!ok)
			return (size_t)sprintf(dst, "????????`????????");
		return (size_t)sprintf(dst, "%08" PRIx32 "`%08" PRIx32, ps_le32(bytes + 4),
				       ps_le32(bytes));
	}
}

static void print_hex_lines(ps_session *s, const display_format *f, uint64_t start,
			    const uint8_t *buf, const uint8_t *valid, uint64_t count, FILE *out)
{
	unsigned width = f->elem == 8 ? 17 : f->elem * 2; /* characters per value */
	size_t full = (size_t)f->per_line * (width + 1) - 1;
	uint64_t i = 0;
	char line[256], addr[PS_ADDR_BUF];

	while (i < count) {
		uint64_t n = count - i < f->per_line ? count - i : f->per_line;
		size_t off = (size_t)(i * f->elem), len = 0;
		uint64_t k;

		for (k = 0; k < n; k++) {
			if (k > 0)
				line[len++] = (f->elem == 1 && k == 8) ? '-' : ' ';
			len += format_value(line + len, buf + off + k * f->elem,
					    valid + off + k * f->elem, f->elem);
		}
		if (f->kind == K_CHARS) {
			size_t bytes = (size_t)(n * f->elem), b;

			while (len < full)
				line[len++] = ' ';
			line[len++] = ' ';
			line[len++] = ' ';
			for (b = 0; b < bytes; b++)
				line[len++] = valid[off + b] ? printable(buf[off + b]) : '?';
		}
		line[len] = 0;
		fprintf(out, "%s  %s\n", ps_cmd_fmt_addr(s, start + i * f->elem, addr), line);
		i += n;
	}
}

/* da and du: quoted text, STRING_LINE characters a line, up to the first
 * NUL or the end of the range. Returns the number of elements shown. */
static uint64_t print_string_lines(ps_session *s, const display_format *f, uint64_t start,
				   const uint8_t *buf, const uint8_t *valid, uint64_t count,
				   FILE *out)
{
	uint64_t i = 0;
	char addr[PS_ADDR_BUF];

	while (i < count) {
		uint64_t n = 0;
		int ended = 0;

		fprintf(out, "%s  ", ps_cmd_fmt_addr(s, start + i * f->elem, addr));
		if (!all_valid(valid + i * f->elem, f->elem)) {
			/* The text stops where the dump does. */
			fprintf(out, "%s\n", f->elem == 1 ? "??" : "????");
			return i;
		}
		fputc('"', out);
		while (n < STRING_LINE && i + n < count) {
			size_t off = (size_t)((i + n) * f->elem);
			unsigned c;

			if (!all_valid(valid + off, f->elem)) {
				ended = 1;
				break;
			}
			c = f->elem == 1 ? buf[off] : ps_le16(buf + off);
			if (c == 0) {
				ended = 1;
				break;
			}
			fputc(c < 0x80 ? printable((uint8_t)c) : '.', out);
			n++;
		}
		fputs("\"\n", out);
		i += n;
		if (ended)
			return i + 1;
	}
	return i;
}

void ps_cmd_display_line(ps_session *s, const char *word, uint64_t va, FILE *out)
{
	display_format f;
	uint8_t buf[32], valid[32];
	size_t bytes;

	if (!format_for(s, word, &f) || f.kind == K_ASCII || f.kind == K_UNICODE)
		format_for(s, "db", &f);
	bytes = (size_t)f.per_line * f.elem;
	ps_cmd_read_span(s, va, buf, valid, bytes);
	print_hex_lines(s, &f, va, buf, valid, f.per_line, out);
}

ps_status ps_cmd_display(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	display_format f;
	ps_cmd_range r;
	const char *rest;
	uint8_t *buf, *valid;
	uint64_t count, start, shown;
	size_t bytes, readable;
	char addr[PS_ADDR_BUF];
	ps_status st;

	if (cmd[1] == 0) {
		/* `d` repeats the last display format (db when none). */
		if (!format_for(s, s->last_display[0] ? s->last_display : "db", &f))
			format_for(s, "db", &f);
	} else if (!format_for(s, cmd, &f)) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, args);
		return PS_EARG;
	}
	st = ps_cmd_parse_range(s, cmd, args, f.elem, &r, &rest, out);
	if (st != PS_OK)
		return st;
	if (*rest) {
		ps_cmd_syntax_error(s, out, "Syntax error", cmd, args, rest);
		return PS_EARG;
	}
	if (r.have_start)
		start = r.start;
	else if (s->have_next_display)
		start = s->next_display;
	else
		start = ps_cmd_current_ip(s);
	count = r.have_count ? r.count : f.count;
	if (count > SIZE_MAX / f.elem)
		return PS_ENOMEM;
	bytes = (size_t)(count * f.elem);
	buf = malloc(bytes ? bytes : 1);
	valid = malloc(bytes ? bytes : 1);
	if (!buf || !valid) {
		free(buf);
		free(valid);
		fprintf(out, "Out of memory reading %zu bytes\n", bytes);
		return PS_ENOMEM;
	}
	readable = ps_cmd_read_span(s, start, buf, valid, bytes);
	if (f.kind == K_ASCII || f.kind == K_UNICODE)
		shown = print_string_lines(s, &f, start, buf, valid, count, out);
	else {
		print_hex_lines(s, &f, start, buf, valid, count, out);
		shown = count;
	}
	if (readable == 0)
		fprintf(out, "Memory at %s is not in the dump\n", ps_cmd_fmt_addr(s, start, addr));
	free(buf);
	free(valid);
	memcpy(s->last_display, f.name, 3);
	s->next_display = start + shown * f.elem;
	s->have_next_display = 1;
	return readable ? PS_OK : PS_ENOTPRESENT;
}
