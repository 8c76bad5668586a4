/*
 * test_lab_scenario.c - poolscope-lab's scenario parser: the seed scenarios
 * parse to the seed's figures; hostile text gives one error naming its line.
 */
#include "check.h"
#include "scenario.h"

static lab_scenario sc;
static ps_error err;

static ps_status parse(const char *text)
{
	ps_error_clear(&err);
	return lab_scenario_parse(text, strlen(text), "t.scn", &sc, NULL, NULL, &err);
}

static int warnings;
static void count_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	warnings++;
}

#define BASE "arch x86-pae\nbuild 7601\nmemory 0x1000-0x9f000\nmemory 0x100000-0x4000000\n" \
	     "kernel ntoskrnl.exe base 0x82e0f000\nprocess System pid 4\n"

/* The error names the file and line, and says what is wrong. */
static void check_error(const char *text, const char *where, const char *what)
{
	CHECK(parse(text) != PS_OK);
	if (!strstr(err.message, where) || !strstr(err.message, what))
		fprintf(stderr, "  message: %s\n  expected: %s ... %s\n", err.message, where, what);
	CHECK(strstr(err.message, where) != NULL);
	CHECK(strstr(err.message, what) != NULL);
}

static void test_seed_env1(void)
{
	char path[1024];
	const char *src = getenv("PS_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/scenarios/seed-env1.scn", src ? src : "..");
	CHECK(lab_scenario_load(path, &sc, NULL, NULL, &err) == PS_OK);
	CHECK(sc.arch == LAB_ARCH_X86_PAE);
	CHECK_EQ_U64(sc.build, 7601);
	CHECK_EQ_U64(sc.processors, 2);
	/* !vm: "Physical Memory: 524174 ( 2096696 Kb)" */
	CHECK_EQ_U64(lab_scenario_total_pages(&sc), 524174);
	CHECK_EQ_U64(sc.run_count, 3);
	CHECK_EQ_U64(sc.runs[0].base_page, 1);
	CHECK_EQ_U64(sc.runs[1].base_page, 0x100);
	CHECK_EQ_U64(lab_scenario_max_page(&sc), 0x80000);
	CHECK_EQ_U64(sc.module_count, 8);
	CHECK(sc.modules[0].is_kernel);
	CHECK_STR(sc.modules[0].name, "ntoskrnl.exe");
	CHECK_STR(sc.modules[0].path, "\\SystemRoot\\system32\\ntoskrnl.exe");
	CHECK_STR(sc.modules[7].name, "SIoctl.sys");
	CHECK_EQ_U64(sc.modules[7].base, 0x91967000);
	CHECK_STR(sc.modules[7].path, "SIoctl.sys");
	/* A .sys without a path clause gets Windows' DRIVERS folder. */
	CHECK_STR(sc.modules[4].name, "volmgrx.sys");
	CHECK_STR(sc.modules[4].path, "\\SystemRoot\\system32\\DRIVERS\\volmgrx.sys");
	CHECK_STR(sc.modules[3].name, "CLFS.SYS");
	CHECK_STR(sc.modules[3].file, "clfs.sys");
	CHECK_STR(sc.modules[3].path, "\\SystemRoot\\system32\\CLFS.SYS");
	CHECK_STR(sc.processes[0].name, "System");
	CHECK_EQ_U64(sc.processes[0].session, LAB_NO_SESSION);
	CHECK_EQ_U64(sc.bugcheck_code, 0xE2);
	CHECK_EQ_U64(sc.service_pack, 1);
	/* The article's !vm 5 and !poolused 4 figures; a test-sized default
	 * scale, --scale 1 for the seed's own counts. */
	CHECK(sc.vm_count >= 20);
	CHECK_STR(sc.vm[0].key, "available");
	CHECK_EQ_U64(sc.vm[0].value, 425421);
	CHECK_EQ_U64(sc.scale_ppm, 1000);
	CHECK(sc.pool_count >= 8);
	CHECK_EQ_U64(sc.pools[0].tag, 0x4B4B534D);   /* 'MSKK' as stored */
	CHECK_EQ_U64(sc.pools[0].count, 415447);
	CHECK_EQ_U64(sc.pools[0].pool, LAB_POOL_PAGED);
	CHECK_STR(sc.pools[0].module, "SIoctl.sys");
	CHECK_EQ_U64(lab_scaled(&sc, 415447), 415);
	/* --memory 128M keeps the first runs and cuts the second. */
	CHECK(lab_scenario_limit_memory(&sc, 128u << 20, &err) == PS_OK);
	CHECK_EQ_U64(lab_scenario_total_pages(&sc), 32768);
	CHECK_EQ_U64(sc.run_count, 2);
	CHECK(lab_scenario_limit_memory(&sc, 1u << 20, &err) != PS_OK);
}

static void test_numbers_and_defaults(void)
{
	CHECK(parse("arch x64\nbuild 17763\nmemory 0x1000-0x10000000\n"
		    "kernel nt.exe base fffff803`1ae1d000 # WinDbg style\n"
		    "module x.sys base 0xFFFFF803`1F367000 path \"\\??\\C:\\my dir\\x.sys\"\n"
		    "process System pid 4\nprocess a.exe pid 0x1a70 parent 4 session 1 peb 0x6c`0eb59000\n"
		    "context rip 0xfffff803`1aff5e00 rcx 0xe2\nbugcheck 0x1000007e 0xffffffffc0000005 1 2 3\n"
		    "time 2019-03-12 09:41:07\nuptime 10\n") == PS_OK);
	CHECK_EQ_U64(sc.modules[0].base, 0xfffff8031ae1d000ull);
	CHECK_STR(sc.modules[0].name, "ntoskrnl.exe");
	CHECK_EQ_U64(sc.modules[1].base, 0xfffff8031f367000ull);
	CHECK_STR(sc.modules[1].path, "\\??\\C:\\my dir\\x.sys");
	CHECK_EQ_U64(sc.processes[1].peb, 0x6c0eb59000ull);
	CHECK_EQ_U64(sc.processes[1].session, 1);
	CHECK_EQ_U64(sc.regs[0].value, 0xfffff8031aff5e00ull);
	CHECK_EQ_U64(sc.bugcheck_params[0], 0xffffffffc0000005ull);
	/* 2019-03-12 09:41:07 UTC as FILETIME. */
	CHECK_EQ_U64(sc.system_time, 131968572670000000ull);
	CHECK_EQ_U64(sc.uptime, 100000000ull);
	CHECK_EQ_U64(sc.dump_type, 5);
}

static void test_reserved_keywords(void)
{
	warnings = 0;
	ps_error_clear(&err);
	const char *t = BASE "handles x\nthread x\nhandle y\n";
	CHECK(lab_scenario_parse(t, strlen(t), "t.scn", &sc, count_warning, NULL, &err) == PS_OK);
	CHECK_EQ_U64(warnings, 3);
	CHECK_EQ_U64(sc.reserved_lines, 3);
}

static void test_hostile(void)
{
	check_error(BASE "colour blue\n", "t.scn:7:", "unknown keyword 'colour'");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x1000-0x9f000x\n", "t.scn:3:", "bad number");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x2000-0x1000\n", "t.scn:3:", "reversed");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x1000-0x9f000\nmemory 0x9e000-0x100000\n", "t.scn:4:", "overlaps");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x1800-0x9f000\n", "t.scn:3:", "not page aligned");
	check_error(BASE "module SIoctl.sys base 0x91967800\n", "t.scn:7:", "not page aligned");
	check_error(BASE "module SIoctl.sys base 0x11967000\n", "t.scn:7:", "not a kernel address");
	check_error(BASE "module a.sys base 0x82e0f000\n", "t.scn:7:", "already used by ntoskrnl.exe");
	check_error(BASE "kernel nt2.exe base 0x83000000\n", "t.scn:7:", "second kernel line (the first is at line 5)");
	check_error(BASE "process x pid 4\n", "t.scn:7:", "pid already used by System");
	check_error(BASE "process x pid 6\n", "t.scn:7:", "not a multiple of 4");
	check_error(BASE "process averyveryverylongname.exe pid 8\n", "t.scn:7:", "at most 15");
	check_error(BASE "processors 0\n", "t.scn:7:", "at least 1");
	check_error(BASE "processors 65\n", "t.scn:7:", "too large");
	check_error(BASE "bugcheck 0xe2 0 0\n", "t.scn:7:", "CODE P1 P2 P3 P4");
	check_error(BASE "bugcheck 0x1e2 0 0 0 0x100000000\n", "t.scn:7:", "too large");
	check_error(BASE "context rip 1\n", "t.scn:7:", "unknown register 'rip'");
	check_error(BASE "mm MmFoo 1\n", "t.scn:7:", "unknown counter");
	check_error(BASE "time 2019-02-30 00:00:00\n", "t.scn:7:", "not a valid date");
	check_error(BASE "module \"a.sys\n", "t.scn:7:", "unterminated quote");
	check_error(BASE "seed 99999999999999999999999\n", "t.scn:7:", "bad number");
	check_error("build 7601\nmemory 0x1000-0x2000\n", "t.scn:2:", "'arch' must come before");
	check_error("arch x86\nbuild 7601\nmemory 0x1000-0x200000000\n", "t.scn:3:", "above 4 GiB");
	check_error("arch x86\nbuild 17763\n", "t.scn", "x64 only");
	check_error("arch x86\nbuild 9600\n", "t.scn:2:", "not supported");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x1000-0x100000\nkernel nt base 0x80000000\nprocess System pid 4\n",
		    "t.scn", "memory too small");
	check_error("arch x86-pae\nbuild 7601\nmemory 0x1000-0x4000000\nprocess System pid 4\n", "t.scn", "no 'kernel' line");
	check_error("", "t.scn", "no 'arch' line");
	/* A NUL byte and an overlong line. */
	CHECK(lab_scenario_parse("arch x86\0\n", 10, "t.scn", &sc, NULL, NULL, &err) != PS_OK);
	CHECK(strstr(err.message, "t.scn:1:") != NULL);
	{
		static char big[3000];
		memset(big, 'a', sizeof big - 1);
		check_error(big, "t.scn:1:", "line too long");
	}
}

/* kdbg-encoded: x64 builds 9200+ only, checked once arch and build are
 * known (they may come later), the error naming the keyword's own line. */
static void test_kdbg_encoded(void)
{
	const char *x64 = "kdbg-encoded yes\narch x64\nbuild 17763\nmemory 0x1000-0x9f000\n"
			  "memory 0x100000-0x4000000\nkernel ntoskrnl.exe base 0xfffff8031ae1d000\n"
			  "process System pid 4\n";

	CHECK(parse(x64) == PS_OK);
	CHECK_EQ_U64(sc.kdbg_encoded, 1);
	CHECK(parse(BASE) == PS_OK);
	CHECK_EQ_U64(sc.kdbg_encoded, 0);
	check_error(BASE "kdbg-encoded yes\n", "t.scn:7:", "kdbg-encoded: only x64 Windows 8 and later");
	check_error(BASE "kdbg-encoded yes\n", "t.scn:7:", "this scenario is x86-pae build 7601");
	check_error("kdbg-encoded yes\narch x64\nbuild 7601\nmemory 0x1000-0x9f000\nmemory 0x100000-0x4000000\n"
		    "kernel ntoskrnl.exe base 0xfffff80002a4d000\nprocess System pid 4\n",
		    "t.scn:1:", "this scenario is x64 build 7601");
	check_error(BASE "kdbg-encoded\n", "t.scn:7:", "kdbg-encoded: expected yes or no");
	check_error(BASE "kdbg-encoded 1\n", "t.scn:7:", "kdbg-encoded: expected yes or no");
	/* "no" is always fine. */
	CHECK(parse(BASE "kdbg-encoded no\n") == PS_OK);
}

/* pagefile: the four sizes in any order, in Kb, whole pages, consistent;
 * at most 16 (MmPagingFile[]); after arch. */
static void test_pagefile(void)
{
	CHECK(parse(BASE "pagefile \\??\\C:\\pagefile.sys maximum 6290088 current 2096696 "
		    "minimum 2096696 free 1996300\n") == PS_OK);
	CHECK_EQ_U64(sc.pagefile_count, 1);
	CHECK_STR(sc.pagefiles[0].path, "\\??\\C:\\pagefile.sys");
	CHECK_EQ_U64(sc.pagefiles[0].current_kb, 2096696);
	CHECK_EQ_U64(sc.pagefiles[0].free_kb, 1996300);
	CHECK_EQ_U64(sc.pagefiles[0].minimum_kb, 2096696);
	CHECK_EQ_U64(sc.pagefiles[0].maximum_kb, 6290088);
	check_error(BASE "pagefile p current 8 free 4 minimum 4\n", "t.scn:7:", "pagefile: expected PATH");
	check_error(BASE "pagefile p current 8 free 4 minimum 4 current 8\n", "t.scn:7:",
		    "expected each of current, free, minimum, maximum once, not 'current'");
	check_error(BASE "pagefile p current 6 free 4 minimum 4 maximum 8\n", "t.scn:7:",
		    "current is not a whole number of 4 Kb pages");
	check_error(BASE "pagefile p current 8 free 12 minimum 4 maximum 16\n", "t.scn:7:", "free exceeds current");
	check_error(BASE "pagefile p current 8 free 4 minimum 20 maximum 16\n", "t.scn:7:",
		    "minimum and current must not exceed maximum");
	check_error(BASE "pagefile p current 8 free 4 minimum 4 maximum 0x40000000000000\n", "t.scn:7:", "too large");
	check_error("pagefile p current 8 free 4 minimum 4 maximum 8\n" BASE, "t.scn:1:",
		    "'arch' must come before pagefile");
	{
		char text[4096];
		size_t n = (size_t)snprintf(text, sizeof text, "%s", BASE);
		for (int i = 0; i < 17; i++)
			n += (size_t)snprintf(text + n, sizeof text - n,
					      "pagefile p%d current 8 free 4 minimum 4 maximum 8\n", i);
		check_error(text, "t.scn:23:", "too many pagefile lines (at most 16");
	}
}

static void test_sizes(void)
{
	uint64_t v;
	CHECK(lab_parse_size("128M", &v) == 0 && v == (128u << 20));
	CHECK(lab_parse_size("2G", &v) == 0 && v == (2ull << 30));
	CHECK(lab_parse_size("0x1000", &v) == 0 && v == 0x1000);
	CHECK(lab_parse_size("12Q", &v) != 0);
	CHECK(lab_parse_size("99999999999999999G", &v) != 0);
	CHECK(lab_parse_size("", &v) != 0);
}

int main(void)
{
	test_seed_env1();
	test_numbers_and_defaults();
	test_reserved_keywords();
	test_hostile();
	test_kdbg_encoded();
	test_pagefile();
	test_sizes();
	return CHECK_DONE();
}
