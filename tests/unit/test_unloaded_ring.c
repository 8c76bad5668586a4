/*
 * test_unloaded_ring.c - nt!MmUnloadedDrivers read from damaged dumps.
 *
 * The lab writes a full dump with three (x64) or two (x86) unloaded drivers;
 * the test patches the ring, its pointer or its index in a copy of the file
 * and checks that the kernel view still opens, warns about what it could not
 * use and lists what it could, most recent first.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/dump.h"
#include "poolscope/kernel.h"
#include "poolscope/vm.h"

static uint64_t hexval(json_t *v)
{
	return json_is_string(v) ? strtoull(json_string_value(v), NULL, 0) : (uint64_t)json_integer_value(v);
}

/* Write `len` bytes at kernel `va` into the dump image `buf`. */
static int patch(uint8_t *buf, size_t size, uint64_t va, const void *bytes, size_t len)
{
	ps_dump *d = NULL;
	ps_vm *vm = NULL;
	ps_translation t;
	uint64_t off;
	int ok = 0;

	if (ps_dump_open_memory(buf, size, "patch", &d, NULL) == PS_OK && ps_vm_create_kernel(d, &vm, NULL) == PS_OK &&
	    ps_vm_translate(vm, va, &t, NULL) == PS_OK && t.state == PS_PAGE_VALID &&
	    ps_dump_page_offset(d, t.pa >> 12, &off, NULL) == PS_OK && off + (t.pa & 0xFFF) + len <= size &&
	    (t.pa & 0xFFF) + len <= 0x1000) {
		memcpy(buf + off + (t.pa & 0xFFF), bytes, len);
		ok = 1;
	}
	if (vm)
		ps_vm_destroy(vm);
	ps_dump_close(d);
	return ok;
}

static uint64_t read_ptr(uint8_t *buf, size_t size, uint64_t va, unsigned ptr_size)
{
	ps_dump *d = NULL;
	ps_vm *vm = NULL;
	uint64_t v = 0;

	if (ps_dump_open_memory(buf, size, "read", &d, NULL) == PS_OK && ps_vm_create_kernel(d, &vm, NULL) == PS_OK) {
		uint8_t b[8] = { 0 };
		if (ps_vm_read(vm, va, b, ptr_size, NULL, NULL) == PS_OK)
			for (unsigned i = 0; i < ptr_size; i++)
				v |= (uint64_t)b[i] << (8 * i);
	}
	if (vm)
		ps_vm_destroy(vm);
	ps_dump_close(d);
	return v;
}

/* Open the (patched) image; return the names listed, joined by spaces, and
 * whether some kernel warning contains `warning`. */
static void listing(const uint8_t *buf, size_t size, char *names, size_t n, const char *warning, int *warned)
{
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_error err;

	names[0] = 0;
	*warned = 0;
	CHECK(ps_dump_open_memory(buf, size, "lab", &d, &err) == PS_OK);
	CHECK(d && ps_kernel_open(d, &k, &err) == PS_OK);
	if (k) {
		for (size_t i = 0; i < ps_kernel_unloaded_count(k); i++) {
			const ps_triage_unloaded *u = ps_kernel_unloaded(k, i);
			snprintf(names + strlen(names), n - strlen(names), "%s%s", i ? " " : "", u->name);
		}
		for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
			if (warning && strstr(ps_kernel_warning(k, i), warning))
				*warned = 1;
		CHECK(ps_kernel_unloaded(k, ps_kernel_unloaded_count(k)) == NULL);
	}
	ps_kernel_close(k);
	ps_dump_close(d);
}

static void run_scenario(const char *scenario, const char *dir, const char *all)
{
	char dump[512], truth_path[512], cmd[2048], names[1024];
	const char *build = getenv("PS_BUILD_DIR"), *src = getenv("PS_SOURCE_DIR");
	size_t size;
	int warned;

	snprintf(dump, sizeof dump, "%s/%s.dmp", dir, scenario);
	snprintf(truth_path, sizeof truth_path, "%s/%s.json", dir, scenario);
	snprintf(cmd, sizeof cmd, "'%s/poolscope-lab' '%s/scenarios/%s.scn' --memory 64M --type 1 -o '%s' --truth '%s'",
		 build ? build : ".", src ? src : ".", scenario, dump, truth_path);
	CHECK(system(cmd) == 0);
	json_t *truth = json_load_file(truth_path, 0, NULL);
	uint8_t *orig = check_read_file(dump, &size), *buf = malloc(size ? size : 1);
	CHECK(truth && orig && buf);
	if (!truth || !orig || !buf)
		goto out;
	unsigned ptr = (unsigned)hexval(json_object_get(truth, "pointer_size"));
	uint64_t kdbg = hexval(json_object_get(truth, "kdbg"));
	uint64_t ring = hexval(json_object_get(json_object_get(truth, "unloaded"), "ring"));
	uint64_t ptr_va = read_ptr(orig, size, kdbg + 0x220, 8), last_va = read_ptr(orig, size, kdbg + 0x228, 8);
	uint64_t rec = ptr == 8 ? 0x28 : 0x18;
	CHECK(ring != 0 && ptr_va != 0 && last_va != 0);
	CHECK_EQ_U64(read_ptr(orig, size, ptr_va, ptr), ring);

	/* untouched: every entry, most recent first */
	listing(orig, size, names, sizeof names, NULL, &warned);
	CHECK_STR(names, all);

	/* the ring pointer leads nowhere: nothing listed, a warning */
	memcpy(buf, orig, size);
	uint8_t nowhere[8] = { 0x00, 0x00, 0xAD, 0xDE, 0xA0, 0xF8, 0xFF, 0xFF };
	if (ptr == 4)
		memcpy(nowhere, "\x00\x00\xAD\x0E", 4); /* 0x0EAD0000: user space, not mapped */
	CHECK(patch(buf, size, ptr_va, nowhere, ptr));
	listing(buf, size, names, sizeof names, "records cannot be read", &warned);
	CHECK_STR(names, "");
	CHECK(warned);

	/* an index beyond the 50 slots: a warning, the ring read whole */
	memcpy(buf, orig, size);
	CHECK(patch(buf, size, last_va, "\x34\x12\x00\x00", 4));
	listing(buf, size, names, sizeof names, "beyond the ring's 50 slots", &warned);
	CHECK_STR(names, all);
	CHECK(warned);

	/* slot 1's name claims 0xfffe bytes: that entry skipped with a warning */
	memcpy(buf, orig, size);
	CHECK(patch(buf, size, ring + rec, "\xFE\xFF\xFE\xFF", 4));
	listing(buf, size, names, sizeof names, "name length 0xfffe is implausible", &warned);
	CHECK(warned);
	CHECK(strstr(names, json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(truth, "unloaded"), "entries"), json_array_size(json_object_get(json_object_get(truth, "unloaded"), "entries")) - 2), "name"))) == NULL);
	CHECK(strlen(names) > 0);

	/* slot 0's name buffer leads nowhere: skipped, the rest listed */
	memcpy(buf, orig, size);
	CHECK(patch(buf, size, ring + (ptr == 8 ? 8 : 4), nowhere, ptr));
	listing(buf, size, names, sizeof names, "cannot be read; entry skipped", &warned);
	CHECK(warned);
	CHECK(strstr(names, "crashdmp.sys") == NULL);
out:
	free(orig);
	free(buf);
	json_decref(truth);
	unlink(dump);
	unlink(truth_path);
}

int main(void)
{
	char dir[] = "/tmp/ps-unloaded-XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	run_scenario("seed-env1-x64", dir, "dump_dumpfve.sys dump_ataport.sys crashdmp.sys");
	run_scenario("small-x86", dir, "dump_dumpfve.sys crashdmp.sys");
	rmdir(dir);
	return CHECK_DONE();
}
