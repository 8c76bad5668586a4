/*
 * wildcard.c - name wildcards (see wildcard.h).
 *
 * Iterative with one backtrack point, the classic glob matcher: linear for
 * ordinary names, never recursive, and capped in steps for hostile ones.
 */
#include "core/wildcard.h"

#include <ctype.h>
#include <stddef.h>

#define WILDCARD_MAX_STEPS 100000

int ps_wildcard_match(const char *pattern, const char *text)
{
	const char *star = NULL, *resume = NULL;
	long steps = 0;

	while (*text) {
		if (++steps > WILDCARD_MAX_STEPS)
			return 0;
		if (*pattern == '*') {
			star = pattern++;
			resume = text;
		} else if (*pattern == '?' ||
			   (*pattern && tolower((unsigned char)*pattern) == tolower((unsigned char)*text))) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++resume;
		} else {
			return 0;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}
