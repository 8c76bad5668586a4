/*
 * test_kernel_lab.c - the nt layer against dumps poolscope-lab writes, and
 * the lab's truth file.
 *
 * The lab lays out KDBG, PsLoadedModuleList and real PE images from its own
 * copy of the layouts (formats.md), never from this library's tables, so
 * agreement here means both sides read the references the same way. For
 * each scenario: KDBG address, size and KernBase; every module's base, size,
 * entry point, KLDR entry address, path, timestamp and checksum (the last
 * two read from the PE header in the dump); the WinDbg names; lookups; and
 * the version resource of every image, read through the kernel space.
 * Scenarios: the .scn files under scenarios/.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/kernel.h"

static uint64_t hex(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 0);
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	return UINT64_MAX;
}

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int run_lab(const char *scenario, const char *type, const char *dump, const char *truth)
{
	char lab[1024], scn[1024], cmd[8192];
	const char *src = getenv("PS_SOURCE_DIR");
	int rc;

	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(scn, sizeof scn, "%s/scenarios/%s.scn", src ? src : "..", scenario);
	snprintf(cmd, sizeof cmd, "'%s' '%s' --type %s -q -o '%s' -t '%s'", lab, scn, type, dump, truth);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "%s: exit %d\n", cmd, rc);
	return rc == 0;
}

static void check_scenario(const char *scenario, const char *type, const char *dir)
{
	char dump_path[1024], truth_path[1024];
	json_t *truth, *mods;
	json_error_t jerr;
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_error err;
	uint64_t v, va;
	size_t size, n;

	printf("%s (type %s)\n", scenario, type);
	snprintf(dump_path, sizeof dump_path, "%s/%s-%s.dmp", dir, scenario, type);
	snprintf(truth_path, sizeof truth_path, "%s/%s-%s.json", dir, scenario, type);
	CHECK(run_lab(scenario, type, dump_path, truth_path));
	truth = json_load_file(truth_path, 0, &jerr);
	CHECK(truth != NULL);
	if (!truth)
		return;
	CHECK_EQ_U64(ps_dump_open(dump_path, &d, &err), PS_OK);
	if (d)
		CHECK_EQ_U64(ps_kernel_open(d, &k, &err), PS_OK);
	if (!k) {
		fprintf(stderr, "%s: %s\n", scenario, err.message);
		goto out;
	}
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		fprintf(stderr, "%s: warning: %s\n", scenario, ps_kernel_warning(k, i));
	CHECK_EQ_U64(ps_kernel_warning_count(k), 0);

	CHECK_EQ_U64(ps_kernel_kdbg(k, NULL, &size, &va), PS_OK);
	CHECK_EQ_U64(va, hex(truth, "kdbg"));
	CHECK_EQ_U64(size, hex(truth, "kdbg_size"));
	CHECK_EQ_U64(ps_kernel_base(k), hex(truth, "kernel_base"));
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x18, &v), PS_OK);
	CHECK_EQ_U64(v, hex(truth, "kernel_base"));
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
	CHECK_EQ_U64(v, hex(truth, "ps_loaded_module_list"));

	mods = json_object_get(truth, "modules");
	n = json_array_size(mods);
	CHECK(n >= 3);
	CHECK_EQ_U64(ps_kernel_module_count(k), n);
	for (size_t i = 0; i < n && i < ps_kernel_module_count(k); i++) {
		json_t *t = json_array_get(mods, i);
		const ps_module *m = ps_kernel_module(k, i);
		ps_kernel_image_reader r = { k, m->base, m->size, PS_OK };
		ps_pe pe;
		ps_pe_version ver;
		char expect[64];
		const char *dot;

		CHECK_EQ_U64(m->base, hex(t, "base"));
		CHECK_EQ_U64(m->base + m->size, hex(t, "end"));
		CHECK_EQ_U64(m->entry, hex(t, "entry_point"));
		CHECK_EQ_U64(m->ldr_entry, hex(t, "ldr_entry"));
		CHECK_STR(m->path, str(t, "path"));
		CHECK_STR(m->image_name, str(t, "name"));
		CHECK(m->have_header_fields);
		CHECK_EQ_U64(m->timestamp, hex(t, "timestamp"));
		CHECK_EQ_U64(m->checksum, hex(t, "checksum"));

		/* nt, hal, else the file name without its extension. */
		dot = strrchr(m->image_name, '.');
		snprintf(expect, sizeof expect, "%.*s",
			 dot ? (int)(dot - m->image_name) : (int)strlen(m->image_name), m->image_name);
		if (i == 0)
			snprintf(expect, sizeof expect, "nt");
		else if (strcasecmp(m->image_name, "hal.dll") == 0)
			snprintf(expect, sizeof expect, "hal");
		CHECK_STR(m->name, expect);
		CHECK(ps_kernel_module_at(k, m->base + 0x10) == m);
		CHECK(ps_kernel_module_named(k, m->name) == m);

		/* The lab's images are real PEs; those with resources carry a
		 * version resource. */
		CHECK_EQ_U64(ps_pe_parse_headers(ps_kernel_image_read, &r, &pe, &err), PS_OK);
		CHECK_EQ_U64(pe.size_of_image, m->size);
		if (pe.directories[PS_PE_DIR_RESOURCE].size == 0) {
			CHECK_EQ_U64(ps_pe_read_version(ps_kernel_image_read, &r, &pe, &ver, &err), PS_ENOTFOUND);
			continue;
		}
		CHECK_EQ_U64(ps_pe_read_version(ps_kernel_image_read, &r, &pe, &ver, &err), PS_OK);
		CHECK(ver.present && ver.company_name[0] && ver.file_version[0]);
		CHECK(ver.translation_count > 0);
	}
	ps_kernel_close(k);
out:
	if (d)
		ps_dump_close(d);
	json_decref(truth);
	unlink(dump_path);
	unlink(truth_path);
}

int main(void)
{
	char dir[] = "/tmp/ps-kernel-lab-XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		CHECK(0);
		return CHECK_DONE();
	}
	/* x86 two-level, x86 PAE, x64 (Win7 KDBG 0x340, 1809 KDBG 0x380). */
	check_scenario("small-x86", "5", dir);
	check_scenario("small-x86", "1", dir);
	check_scenario("seed-env1", "5", dir);
	check_scenario("seed-env2", "5", dir);
	check_scenario("seed-env1-x64", "5", dir);
	check_scenario("seed-env2-x64", "1", dir);
	check_scenario("seed-env1-1809", "5", dir);
	rmdir(dir);
	return CHECK_DONE();
}
