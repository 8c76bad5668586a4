/*
 * test_wildcard.c - WinDbg's name wildcards (lm m, x, !for_each_module).
 */
#include <string.h>

#include "check.h"
#include "core/wildcard.h"

int main(void)
{
	char longname[20001];

	CHECK(ps_wildcard_match("*", ""));
	CHECK(ps_wildcard_match("", ""));
	CHECK(!ps_wildcard_match("", "nt"));
	CHECK(ps_wildcard_match("ExAllocatePool*", "ExAllocatePoolWithTag"));
	CHECK(ps_wildcard_match("exallocatepool*tag", "ExAllocatePoolWithTag"));
	CHECK(ps_wildcard_match("*Pool*Tag*", "ExAllocatePoolWithTagPriority"));
	CHECK(ps_wildcard_match("n?", "nt"));
	CHECK(!ps_wildcard_match("n?", "ntfs"));
	CHECK(!ps_wildcard_match("ExAllocatePool", "ExAllocatePoolWithTag"));
	CHECK(!ps_wildcard_match("*Tag", "ExAllocatePoolWithTagPriority"));
	CHECK(ps_wildcard_match("SIOCTL", "SIoctl"));
	CHECK(ps_wildcard_match("a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaab"));
	CHECK(!ps_wildcard_match("a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	/* A pattern that would backtrack for long gives up instead. */
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK(!ps_wildcard_match("*a*a*a*a*a*a*b", longname));
	return CHECK_DONE();
}
