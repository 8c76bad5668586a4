/*
 * wildcard.h - WinDbg's name wildcards: * (any run) and ? (one character),
 * compared without regard to case, as lm m, x and !for_each_module do.
 */
#ifndef PS_CORE_WILDCARD_H
#define PS_CORE_WILDCARD_H

/* Non-zero when `text` matches `pattern`. The work is bounded, so a hostile
 * pattern against a long name gives up (no match) instead of running on. */
int ps_wildcard_match(const char *pattern, const char *text);

#endif
