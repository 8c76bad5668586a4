/*
 * pool_tagpattern.c - pool tag patterns as !poolfind and !poolused take them
 * (see pool.h).
 *
 * WinDbg's documentation of !poolfind: a case-sensitive ASCII tag of four
 * characters with * (any number of characters) and ? (exactly one), or a
 * value that begins with "0x" (anything else, "0X" included, is a tag
 * string). Matching ignores the protected bit (0x80000000) a tag may carry,
 * as kdexts' CheckSingleFilter does for the fourth character.
 */
#include "poolscope/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

ps_status ps_tag_pattern_parse(const char *text, ps_tag_pattern *p, const char **end, ps_error *err)
{
	const char *s = text;
	size_t n = 0;
	int star = 0;

	memset(p, 0, sizeof *p);
	while (blank(*s))
		s++;
	if (!*s)
		return ps_error_set(err, PS_EARG, "no pool tag given");
	if (s[0] == '0' && s[1] == 'x') {
		char *e;
		unsigned long long v;

		errno = 0;
		v = strtoull(s + 2, &e, 16);
		if (e == s + 2 || errno || v > 0xFFFFFFFFull || (*e && !blank(*e)))
			return ps_error_set(err, PS_EARG, "bad pool tag value '%.*s'", (int)strcspn(s, " \t"), s);
		p->tag = (uint32_t)v;
		p->value = p->tag;
		p->mask = 0xFFFFFFFFu;
		s = e;
	} else {
		uint8_t c[4] = {' ', ' ', ' ', ' '};

		while (s[n] && !blank(s[n]))
			n++;
		if (n > 4 && !(n == 5 && s[4] == '*'))
			return ps_error_set(err, PS_EARG, "pool tag '%.*s' is longer than four characters",
					    (int)n, s);
		memcpy(c, s, n > 4 ? 4 : n);
		for (int i = 0; i < 4; i++) {
			uint32_t m = 0xFFu;

			if (star || c[i] == '*') {
				star = 1;
				m = 0;
			} else if (c[i] == '?') {
				m = 0;
			}
			p->tag |= (uint32_t)c[i] << (8 * i);
			p->mask |= m << (8 * i);
		}
		p->value = p->tag & p->mask;
		s += n;
	}
	/* The protected bit: a fourth character below 0x80 matches with or
	 * without it. */
	if ((p->mask & 0xFF000000u) && !(p->value & 0x80000000u))
		p->mask &= 0x7FFFFFFFu;
	p->value &= p->mask;
	if (end)
		*end = s;
	return PS_OK;
}
