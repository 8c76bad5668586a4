/*
 * test_lab_truth.c - the reader against the lab's truth files.
 *
 * For every scenario (x86 non-PAE, x86 PAE, x64; builds 7601 and 17763) the
 * lab writes a full (type 1) and a bitmap (type 5) dump plus a truth file of
 * what it placed where. This test opens each dump as a user would, runs the
 * kd commands (lm, s, db, !pte, !vtop) and checks their output against the truth
 * file, which the lab wrote from its own layouts. The expected lines are
 * formatted here from the truth values, not by the reader's code, so a wrong
 * offset or format in the reader fails the test instead of being mirrored.
 * Finally the full and the bitmap dump of a scenario must answer every
 * kernel-space command identically.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/session.h"

static const char *scenarios[] = {
	"small-x86", "seed-env1", "seed-env2", "seed-env1-x64", "seed-env2-x64", "seed-env1-1809",
};

static uint64_t hexval(json_t *v)
{
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 0);
	return 0;
}

/* An address as WinDbg prints it: 8 digits on x86, backtick form on x64. */
static const char *addr(char *buf, uint64_t va, int ptr8)
{
	if (ptr8)
		sprintf(buf, "%08x`%08x", (unsigned)(va >> 32), (unsigned)va);
	else
		sprintf(buf, "%08x", (unsigned)va);
	return buf;
}

/* Run a command line in the session and return its output (caller frees). */
static char *run(ps_session *s, const char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ps_session_exec(s, line, out);
	fclose(out);
	return text;
}

/* WinDbg's module name for an image file name: nt, hal, else the base name. */
static void module_name(const char *file, char *name, size_t n)
{
	if (strcasecmp(file, "ntoskrnl.exe") == 0 || strcasecmp(file, "ntkrnlpa.exe") == 0 ||
	    strcasecmp(file, "ntkrnlmp.exe") == 0 || strcasecmp(file, "ntkrpamp.exe") == 0) {
		snprintf(name, n, "nt");
		return;
	}
	if (strcasecmp(file, "hal.dll") == 0 || strncasecmp(file, "hal", 3) == 0) {
		snprintf(name, n, "hal");
		return;
	}
	snprintf(name, n, "%s", file);
	char *dot = strrchr(name, '.');
	if (dot)
		*dot = '\0';
}

static int count_lines_with(const char *text, const char *needle)
{
	int c = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		c++;
	return c;
}

/* lm's tail: nt!MmUnloadedDrivers most recent first, as the truth lists
 * them; returns the number of lines it takes. */
/* noinline: gcc 12+ otherwise mistakes the memstream text for a dangling
 * pointer once run() and this are both inlined (-Wdangling-pointer) */
__attribute__((noinline)) static size_t check_unloaded(const char *out, json_t *unl, int ptr8)
{
	const char *tail = strstr(out, "\nUnloaded modules:\n");
	char want[4096] = "\nUnloaded modules:\n";
	size_t i;
	json_t *m;

	if (json_array_size(unl) == 0) {
		CHECK(tail == NULL);
		return 0;
	}
	CHECK(tail != NULL);
	json_array_foreach(unl, i, m) {
		char a[32], b[32], line[256];
		snprintf(line, sizeof line, "%s %s   %s\n", addr(a, hexval(json_object_get(m, "start")), ptr8),
			 addr(b, hexval(json_object_get(m, "end")), ptr8), json_string_value(json_object_get(m, "name")));
		strncat(want, line, sizeof want - strlen(want) - 1);
	}
	CHECK_STR(tail, want);
	return 2 + json_array_size(unl);
}

static void check_lm(ps_session *s, json_t *truth, int ptr8, const char *tag)
{
	char *out = run(s, "lm");
	json_t *mods = json_object_get(truth, "modules");
	size_t i;
	json_t *m;
	int lines = 0;

	json_array_foreach(mods, i, m) {
		char a[32], b[32], name[96], want[256];
		module_name(json_string_value(json_object_get(m, "name")), name, sizeof name);
		/* start end, three spaces, the name padded in a column. */
		snprintf(want, sizeof want, "%s %s   %s ", addr(a, hexval(json_object_get(m, "base")), ptr8),
			 addr(b, hexval(json_object_get(m, "end")), ptr8), name);
		if (!strstr(out, want))
			fprintf(stderr, "%s: lm lacks \"%s\"\n", tag, want);
		CHECK(strstr(out, want) != NULL);
	}
	/* One line per module, plus the prompt echo-free header line, then
	 * the unloaded drivers. */
	size_t extra = check_unloaded(out, json_object_get(json_object_get(truth, "unloaded"), "entries"), ptr8);
	for (const char *p = out; *p; p++)
		if (*p == '\n')
			lines++;
	CHECK_EQ_U64(lines, json_array_size(mods) + 1 + extra);
	free(out);
}

static void check_search(ps_session *s, json_t *truth, int ptr8, const char *tag)
{
	char *out = run(s, "!for_each_module s -a @#Base @#End \"MSKK\"");
	json_t *hits = json_object_get(truth, "tag_hits");
	size_t i;
	json_t *h;

	json_array_foreach(hits, i, h) {
		char a[32], want[64];
		snprintf(want, sizeof want, "%s  4d 53 4b 4b ", addr(a, hexval(json_object_get(h, "va")), ptr8));
		if (!strstr(out, want))
			fprintf(stderr, "%s: s -a lacks a hit \"%s\" in:\n%s\n", tag, want, out);
		CHECK(strstr(out, want) != NULL);
	}
	CHECK_EQ_U64(count_lines_with(out, "  4d 53 4b 4b "), json_array_size(hits));
	free(out);
}

/* The db line WinDbg prints for 16 known bytes at va. */
static void db_line(char *buf, uint64_t va, const uint8_t *b, int ptr8)
{
	char a[32];
	char *p = buf + sprintf(buf, "%s ", addr(a, va, ptr8));
	for (int i = 0; i < 16; i++)
		p += sprintf(p, "%c%02x", i == 8 ? '-' : ' ', b[i]);
	p += sprintf(p, "  ");
	for (int i = 0; i < 16; i++)
		*p++ = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
	*p = '\0';
}

static int parse_bytes(const char *hex, uint8_t *b)
{
	if (!hex || strlen(hex) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = (uint8_t)v;
	}
	return 0;
}

/* db and !vtop on every kernel-space probe; returns the transcript so the
 * full and bitmap dumps can be compared. */
static char *check_probes(ps_session *s, json_t *truth, int ptr8, const char *tag)
{
	json_t *probes = json_object_get(truth, "probes");
	size_t i, tlen = 0;
	json_t *p;
	char *transcript = NULL;
	FILE *t = open_memstream(&transcript, &tlen);

	json_array_foreach(probes, i, p) {
		const char *space = json_string_value(json_object_get(p, "space"));
		const char *state = json_string_value(json_object_get(p, "state"));
		uint64_t va = hexval(json_object_get(p, "va"));
		char cmd[128], a[32];
		uint8_t bytes[16];

		if (!space || strcmp(space, "kernel") != 0 || !state)
			continue;

		snprintf(cmd, sizeof cmd, "db %s L10", addr(a, va, ptr8));
		char *db = run(s, cmd);
		fprintf(t, "%s\n%s", cmd, db);
		if (json_is_true(json_object_get(p, "in_dump")) &&
		    parse_bytes(json_string_value(json_object_get(p, "bytes")), bytes) == 0) {
			char want[160];
			db_line(want, va, bytes, ptr8);
			if (!strstr(db, want))
				fprintf(stderr, "%s: %s: expected \"%s\", got:\n%s", tag, cmd, want, db);
			CHECK(strstr(db, want) != NULL);
		} else {
			/* Not readable: every byte prints as ??. */
			CHECK(strstr(db, "?? ?? ?? ??") != NULL);
		}
		free(db);

		/* !pte shows the entry that maps the page in its column. */
		snprintf(cmd, sizeof cmd, "!pte %s", addr(a, va, ptr8));
		char *pte = run(s, cmd);
		fprintf(t, "%s\n%s", cmd, pte);
		if (json_object_get(p, "entry")) {
			char want[64];
			uint64_t e = hexval(json_object_get(p, "entry"));
			int wide = ptr8 || json_is_true(json_object_get(truth, "pae"));
			if (wide)
				snprintf(want, sizeof want, "contains %016llX", (unsigned long long)e);
			else
				snprintf(want, sizeof want, "contains %08llX", (unsigned long long)e);
			if (!strstr(pte, want))
				fprintf(stderr, "%s: %s: expected \"%s\", got:\n%s", tag, cmd, want, pte);
			CHECK(strstr(pte, want) != NULL);
		}
		free(pte);

		snprintf(cmd, sizeof cmd, "!vtop 0 %llx", (unsigned long long)va);
		char *vt = run(s, cmd);
		fprintf(t, "%s\n%s", cmd, vt);
		if (strcmp(state, "valid") == 0) {
			char want[128];
			snprintf(want, sizeof want, "translates to physical address %llx.",
				 (unsigned long long)hexval(json_object_get(p, "pa")));
			if (!strstr(vt, want))
				fprintf(stderr, "%s: %s: expected \"%s\", got:\n%s", tag, cmd, want, vt);
			CHECK(strstr(vt, want) != NULL);
		} else {
			/* Transition, pagefile, demand-zero and unmapped pages are
			 * not valid translations for !vtop. */
			if (!strstr(vt, "translation fails"))
				fprintf(stderr, "%s: %s (%s): expected a failed translation, got:\n%s",
					tag, cmd, state, vt);
			CHECK(strstr(vt, "translation fails") != NULL);
		}
		free(vt);
	}
	fclose(t);
	return transcript;
}

static char *check_dump(const char *scenario, int type, const char *dir)
{
	char dump[512], truth_path[512], cmd[2048], tag[128];
	const char *build = getenv("PS_BUILD_DIR");
	const char *src = getenv("PS_SOURCE_DIR");
	json_error_t jerr;
	ps_session *s = NULL;
	ps_error err;
	ps_session_options opt = {0};

	snprintf(tag, sizeof tag, "%s type %d", scenario, type);
	snprintf(dump, sizeof dump, "%s/%s-%d.dmp", dir, scenario, type);
	snprintf(truth_path, sizeof truth_path, "%s/%s-%d.json", dir, scenario, type);
	snprintf(cmd, sizeof cmd, "'%s/poolscope-lab' '%s/scenarios/%s.scn' --memory 64M --type %d -o '%s' --truth '%s'",
		 build ? build : ".", src ? src : ".", scenario, type, dump, truth_path);
	int rc = system(cmd);
	CHECK(rc == 0);
	if (rc != 0) {
		fprintf(stderr, "%s: lab failed: %s\n", tag, cmd);
		return NULL;
	}

	json_t *truth = json_load_file(truth_path, 0, &jerr);
	CHECK(truth != NULL);
	if (!truth)
		return NULL;
	int ptr8 = hexval(json_object_get(truth, "pointer_size")) == 8;

	opt.quiet = 1;
	CHECK(ps_session_open(dump, &opt, NULL, &s, &err) == PS_OK);
	if (!s) {
		fprintf(stderr, "%s: %s\n", tag, err.message);
		json_decref(truth);
		return NULL;
	}
	check_lm(s, truth, ptr8, tag);
	check_search(s, truth, ptr8, tag);
	char *transcript = check_probes(s, truth, ptr8, tag);

	/* Commands whose answers must not depend on the dump type. */
	char *more = run(s, "lm; .bugcheck; r; vertarget; !for_each_module s -a @#Base @#End \"MSKK\"");
	size_t n = strlen(transcript) + strlen(more) + 1;
	transcript = realloc(transcript, n);
	strcat(transcript, more);
	free(more);

	ps_session_close(s);
	json_decref(truth);
	unlink(dump);
	unlink(truth_path);
	return transcript;
}

int main(void)
{
	char dir[] = "/tmp/ps-truth-XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		char *full = check_dump(scenarios[i], 1, dir);
		char *bitmap = check_dump(scenarios[i], 5, dir);
		CHECK(full && bitmap);
		if (full && bitmap) {
			if (strcmp(full, bitmap) != 0)
				fprintf(stderr, "%s: full and bitmap dumps answer differently\n", scenarios[i]);
			CHECK_STR(bitmap, full);
		}
		free(full);
		free(bitmap);
	}
	rmdir(dir);
	return CHECK_DONE();
}
