/*
 * test_session.c - the kd session over the real triage dump: what a user
 * checks first (.bugcheck, r, lm, db inside and outside the stored blocks),
 * plus line splitting, errors and quitting.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "poolscope/session.h"

/* Run `line` and return its output (caller frees). */
static char *run(ps_session *s, const char *line)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	ps_session_exec(s, line, out);
	fclose(out);
	return text;
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;
	const char *p = text;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void test_bugcheck(ps_session *s)
{
	char *out = run(s, ".bugcheck");

	CHECK_STR(out, "Bugcheck code 1000007E\n"
		       "Arguments ffffffff`c0000005 fffff804`8b58334c ffff8504`29891ee8 "
		       "ffff8504`29891720\n");
	free(out);
}

static void test_registers(ps_session *s)
{
	char *out = run(s, "r");

	CHECK(out && strncmp(out,
			     "rax=ffffc08be4da6240 rbx=0000000000000001 rcx=0000000000000020\n"
			     "rdx=0000000000000001 rsi=ffffc08be457fcf0 rdi=ffffc08be52e7310\n"
			     "rip=fffff8048b58334c rsp=ffff850429892120 rbp=fffff8048b58f598\n"
			     " r8=ffff9b0003360008  r9=0000000000000044 r10=0000000000000020\n",
			     strlen("rax=ffffc08be4da6240 rbx=0000000000000001 rcx=0000000000000020\n") * 4) == 0);
	CHECK(out && strstr(out, "iopl=0         nv up ei pl zr na po nc\n"));
	CHECK(out && strstr(out, "cs=0010  ss=0018  ds=002b  es=002b  fs=0053  gs=002b"
				 "             efl=00050246\n"));
	/* The crash instruction, with its memory operand r9+r8 (the target
	 * page is not in the triage dump). */
	CHECK(out && strstr(out, "amdppm+0x334c:\nfffff804`8b58334c 43891401        mov     "
				 "dword ptr [r9+r8],edx ds:002b:ffff9b00`0336004c=????????\n"));
	free(out);

	out = run(s, "r rax");
	CHECK_STR(out, "rax=ffffc08be4da6240\n");
	free(out);
	out = run(s, "r eax, cs , zf");
	CHECK_STR(out, "eax=e4da6240 cs=0010 zf=1\n");
	free(out);
	out = run(s, "r xyz");
	CHECK(out && strstr(out, "^ Bad register error in 'r xyz'"));
	free(out);
}

static void test_lm(ps_session *s)
{
	char *out = run(s, "lm");

	CHECK(out && strncmp(out, "start             end                 module name\n", 48) == 0);
	/* r named the instruction pointer, which loaded amdppm's symbols (it
	 * has neither exports nor a PDB here); the others are not loaded. */
	CHECK_EQ_U64(count_lines(out, "(deferred)"), 150);
	CHECK(out && strstr(out, "   amdppm     (no symbols)           \n"));
	CHECK(out && strstr(out, "fffff804`7ba00000 fffff804`7ca46000   nt         (deferred)"
				 "             \n"));
	free(out);

	out = run(s, "lm m nt");
	CHECK_STR(out, "start             end                 module name\n"
		       "fffff804`7ba00000 fffff804`7ca46000   nt         (deferred)             \n");
	free(out);

	/* Option letters glued to the word, and an address inside a module. */
	out = run(s, "lmva fffff8048b58334c");
	CHECK(out && strstr(out, "   amdppm     (no symbols)"));
	CHECK(out && strstr(out, "    Loaded symbol image file: amdppm.sys\n"));
	CHECK(out && strstr(out, "    Image name: amdppm.sys\n"));
	CHECK(out && strstr(out, "    ImageSize:        0003B000\n"));
	free(out);

	out = run(s, "lm m nosuchdriver*");
	CHECK_STR(out, "start             end                 module name\n");
	free(out);
}

static void test_display(ps_session *s)
{
	/* nt!NtBuildLab's string is one of the triage dump's data blocks. */
	char *out = run(s, "db fffff8047c64c0a0 L20");

	CHECK_STR(out, "fffff804`7c64c0a0  31 39 30 34 31 2e 31 2e-61 6d 64 36 34 66 72 65  "
		       "19041.1.amd64fre\n"
		       "fffff804`7c64c0b0  2e 76 62 5f 72 65 6c 65-61 73 65 2e 31 39 31 32  "
		       ".vb_release.1912\n");
	free(out);

	out = run(s, "db 1000 L10");
	CHECK_STR(out, "00000000`00001000  ?? ?? ?? ?? ?? ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
		       "????????????????\n"
		       "Memory at 00000000`00001000 is not in the dump\n");
	free(out);

	/* A short last line keeps the ASCII column where it belongs. */
	out = run(s, "dc fffff8047c64c0a0 L6");
	CHECK_STR(out, "fffff804`7c64c0a0  34303931 2e312e31 36646d61 65726634  19041.1.amd64fre\n"
		       "fffff804`7c64c0b0  5f62762e 656c6572                    .vb_rele\n");
	free(out);

	out = run(s, "da fffff8047c64c0a0");
	CHECK_STR(out, "fffff804`7c64c0a0  \"19041.1.amd64fre.vb_release.191206-1406\"\n");
	free(out);

	/* An end address is inclusive. */
	out = run(s, "dq fffff8047c64c0a0 fffff8047c64c0a8");
	CHECK_STR(out, "fffff804`7c64c0a0  2e312e31`34303931 65726634`36646d61\n");
	free(out);

	/* `d` continues where the last display stopped, in its format. */
	out = run(s, "dd fffff8047c64c0a0 L4; d");
	CHECK(out && strstr(out, "fffff804`7c64c0b0  5f62762e 656c6572 2e657361 32313931\n"));
	free(out);

	out = run(s, "db fffff8047c64c0a0 L?20000000");
	CHECK(out != NULL);
	free(out);
	out = run(s, "db 0 L20000000");
	CHECK(out && strstr(out, "^ Range error in 'db 0 L20000000'"));
	free(out);
}

static void test_search(ps_session *s)
{
	char *out = run(s, "s -a fffff8047c600000 L?100000 \"vb_release\"");

	CHECK_STR(out, "fffff804`7c64c0b1  76 62 5f 72 65 6c 65 61-73 65 2e 31 39 31 32 30  "
		       "vb_release.19120\n");
	free(out);

	out = run(s, "s -d fffff8047c64c0a0 L10 2e312e31");
	CHECK_STR(out, "fffff804`7c64c0a4  2e312e31 36646d61 65726634 5f62762e  1.1.amd64fre.vb_\n");
	free(out);

	/* Values of a size match only at multiples of it from the start. */
	out = run(s, "s -d fffff8047c64c0a1 L10 2e312e31");
	CHECK_STR(out, "");
	free(out);

	out = run(s, "s -[1]b fffff8047c64c0a0 fffff8047c64c0c7 2d");
	CHECK_STR(out, "fffff804`7c64c0c2\n");
	free(out);
}

static void test_lines(ps_session *s)
{
	char *out;

	/* ';' inside quotes does not split. */
	out = run(s, "s -a fffff8047c64c0a0 L40 \"a;b\"; .bugcheck");
	CHECK(out && strncmp(out, "Bugcheck code 1000007E\n", 23) == 0);
	free(out);

	out = run(s, "nosuchcommand 1 2");
	CHECK_STR(out, "       ^ Syntax error in 'nosuchcommand 1 2'\n");
	free(out);

	out = run(s, "!nosuchext");
	CHECK_STR(out, "No export nosuchext found\n");
	free(out);

	out = run(s, "? 8ab94030 - 8ab94000");
	CHECK_STR(out, "Evaluate expression: 48 = 00000000`00000030\n");
	free(out);

	out = run(s, "db nosuchsymbol");
	CHECK(out && strstr(out, "Couldn't resolve error at 'nosuchsymbol'"));
	free(out);

	/* Module names resolve to their base in expressions. */
	out = run(s, "? nt");
	CHECK_STR(out, "Evaluate expression: -8776839069696 = fffff804`7ba00000\n");
	free(out);

	CHECK_STR(ps_session_prompt(s), "0: kd> ");
	CHECK(!ps_session_quit(s));
	out = run(s, "q; .bugcheck");
	CHECK_STR(out, "quit:\n");
	CHECK(ps_session_quit(s));
	free(out);
}

static void test_for_each_module(ps_session *s)
{
	/* One line a module, with the aliases replaced. */
	char *out = run(s, "!for_each_module \"r zf\"");

	CHECK_EQ_U64(count_lines(out, "zf=1\n"), 151);
	free(out);
}

int main(void)
{
	char path[1024];
	ps_session *s = NULL;
	ps_error err;

	setenv("TZ", "UTC", 1);
	tzset();
	check_shared_path(path, sizeof(path), "data/triage_x64.dmp");
	ps_error_clear(&err);
	CHECK(ps_session_open(path, NULL, NULL, &s, &err) == PS_OK);
	if (!s) {
		fprintf(stderr, "cannot open %s: %s\n", path, err.message);
		return CHECK_DONE();
	}
	test_bugcheck(s);
	test_registers(s);
	test_lm(s);
	test_display(s);
	test_search(s);
	test_for_each_module(s);
	test_lines(s);
	ps_session_close(s);

	/* A file that is not a dump fails with a message naming it. */
	CHECK(ps_session_open("/nonexistent/x.dmp", NULL, NULL, &s, &err) != PS_OK);
	CHECK(strstr(err.message, "/nonexistent/x.dmp") != NULL);
	return CHECK_DONE();
}
