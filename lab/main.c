/*
 * main.c - poolscope-lab: write a realistic Windows kernel memory dump and
 * its truth file from a scenario (docs/lab.md, docs/scenario-format.md).
 */
#include "lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: poolscope-lab SCENARIO -o OUT.dmp [options]\n"
	"\n"
	"Write a Windows kernel crash dump laid out as SCENARIO describes\n"
	"(docs/scenario-format.md), and optionally a JSON truth file saying what\n"
	"the lab put where (docs/lab.md).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   the dump to write (required)\n"
	"  -t, --truth FILE    write the truth file\n"
	"      --type 1|5      dump type: 1 full (physical runs), 5 kernel bitmap\n"
	"                      (default: the scenario's dump-type, else 5)\n"
	"      --memory SIZE   keep only SIZE of the scenario's RAM (e.g. 128M)\n"
	"      --seed N        override the scenario's seed\n"
	"      --scale F       multiply the scenario's pool and thread counts and its\n"
	"                      scaled !vm figures by F (e.g. 0.001; 1 = as written)\n"
	"      --images DIR    directory of the lab's images (x86/ and x64/ inside,\n"
	"                      per-build kernels in x64-17763/ etc.)\n"
	"      --symbols DIR   also write a symbol store of the dump's images and\n"
	"                      their PDBs into DIR (DIR/name/KEY/name)\n"
	"      --print-profile ARCH BUILD\n"
	"                      print the lab's structure offsets for ARCH (x86,\n"
	"                      x86-pae, x64) and BUILD under their Windows names\n"
	"  -q, --quiet         no warnings\n"
	"  -h, --help          this text\n";

void lab_warn(lab *l, const char *fmt, ...)
{
	va_list ap;
	if (l && l->quiet)
		return;
	fputs("poolscope-lab: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void scenario_warning(void *ctx, const char *msg)
{
	lab_warn(ctx, "%s", msg);
}

static int die(const char *fmt, const char *arg)
{
	fputs("poolscope-lab: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static uint64_t random_u64(void *pm)
{
	return lab_phys_random(pm);
}

static ps_status run(lab *l, const char *out, const char *truth, const char *symbols, ps_error *err)
{
	unsigned selfmap = 0;
	ps_status st;

	if ((st = lab_phys_create(&l->sc, &l->pm, err)) != PS_OK)
		return st;
	if (lab_profile_init(&l->prof, l->sc.arch, l->sc.build, random_u64, l->pm, &selfmap) != 0)
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: %s build %u is not supported",
				    l->scn_name, lab_arch_name(l->sc.arch), l->sc.build);
	l->pg.arch = l->sc.arch;
	if ((st = lab_load_images(l, err)) != PS_OK)
		return st;
	if ((st = lab_reserve_boot_region(l, err)) != PS_OK)
		return st;
	if ((st = lab_paging_init(&l->pg, l->sc.arch, l->pm, selfmap, l->prof.system_dtb_pfn, err)) != PS_OK)
		return st;
	if ((st = lab_map_images(l, err)) != PS_OK)
		return st;
	if ((st = lab_regions_init(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_kdbg(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_module_list(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_processes(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_pool(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_probes(l, err)) != PS_OK)
		return st;
	if ((st = lab_pool_finish(l, err)) != PS_OK)
		return st;
	if ((st = lab_write_dump(l, out, err)) != PS_OK)
		return st;
	if (truth && (st = lab_write_truth(l, truth, err)) != PS_OK)
		return st;
	if (symbols && (st = lab_write_symbol_store(l, symbols, err)) != PS_OK)
		return st;
	return PS_OK;
}

int main(int argc, char **argv)
{
	const char *scn = NULL, *out = NULL, *truth = NULL, *images = NULL, *symbols = NULL;
	uint64_t memory = 0, seed = 0, type = 0, scale = 0;
	int have_seed = 0, quiet = 0;
	ps_error err;
	ps_status st;
	lab *l;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--print-profile") == 0) {
			if (i + 2 >= argc)
				return die("%s needs ARCH and BUILD", a);
			if (lab_print_profile(argv[i + 1], argv[i + 2], stdout) != 0) {
				fprintf(stderr, "poolscope-lab: --print-profile %s %s: no such arch and build\n",
					argv[i + 1], argv[i + 2]);
				return 2;
			}
			return 0;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
			   strcmp(a, "-t") == 0 || strcmp(a, "--truth") == 0 ||
			   strcmp(a, "--type") == 0 || strcmp(a, "--memory") == 0 ||
			   strcmp(a, "--seed") == 0 || strcmp(a, "--images") == 0 ||
			   strcmp(a, "--symbols") == 0 || strcmp(a, "--scale") == 0) {
			if (!v)
				return die("%s needs a value", a);
			i++;
			if (a[1] == 'o' || strcmp(a, "--output") == 0)
				out = v;
			else if (a[1] == 't' || strcmp(a, "--truth") == 0)
				truth = v;
			else if (strcmp(a, "--type") == 0) {
				if (strcmp(v, "1") != 0 && strcmp(v, "5") != 0)
					return die("--type %s: expected 1 or 5", v);
				type = (uint64_t)atoi(v);
			} else if (strcmp(a, "--memory") == 0) {
				if (lab_parse_size(v, &memory) != 0 || memory == 0)
					return die("--memory %s: expected a size such as 128M or 2G", v);
			} else if (strcmp(a, "--scale") == 0) {
				if (lab_parse_scale(v, &scale) != 0)
					return die("--scale %s: expected a factor such as 0.001 (0.000001 to 1000)", v);
			} else if (strcmp(a, "--seed") == 0) {
				if (lab_parse_size(v, &seed) != 0)
					return die("--seed %s: expected a number", v);
				have_seed = 1;
			} else if (strcmp(a, "--symbols") == 0) {
				symbols = v;
			} else {
				images = v;
			}
		} else if (a[0] == '-' && a[1]) {
			return die("unknown option %s (see --help)", a);
		} else if (!scn) {
			scn = a;
		} else {
			return die("one scenario at a time (%s)", a);
		}
	}
	if (!scn || !out) {
		fputs(usage, stderr);
		return 2;
	}
	l = calloc(1, sizeof *l);
	if (!l)
		return die("%s", "out of memory");
	l->quiet = quiet;
	ps_error_clear(&err);
	st = lab_scenario_load(scn, &l->sc, scenario_warning, l, &err);
	if (st == PS_OK && memory)
		st = lab_scenario_limit_memory(&l->sc, memory, &err);
	if (st == PS_OK) {
		const char *base = strrchr(scn, '/');
		snprintf(l->scn_name, sizeof l->scn_name, "%s", base ? base + 1 : scn);
		if (have_seed)
			l->sc.seed = seed;
		if (scale)
			l->sc.scale_ppm = scale;
		l->dump_type = type ? (uint32_t)type : l->sc.dump_type;
		l->image_dir = lab_image_dir(images);
		st = run(l, out, truth, symbols, &err);
	}
	if (st != PS_OK)
		fprintf(stderr, "poolscope-lab: %s\n", err.message);
	lab_free_images(l);
	lab_pool_free(l);
	lab_phys_free(l->pm);
	free(l);
	return st == PS_OK ? 0 : 1;
}
