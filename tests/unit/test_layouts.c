/*
 * test_layouts.c - the built-in structure layouts (src/sym/layouts_*.c):
 * every table is well formed (fields sorted, inside the structure, not
 * overlapping except where Windows declares a union), lookups find each
 * layout over its whole build range and nowhere else, and spot values match
 * ../shared/reference/formats.md.
 */
#include <strings.h>

#include "check.h"
#include "poolscope/layouts.h"
#include "sym/layouts_internal.h"

static const ps_layout_table *const tables[] = {
	&ps_layouts_common,    &ps_layouts_7601_x86,  &ps_layouts_7601_x64, &ps_layouts_17763_x64,
	&ps_layouts_19041_x64, &ps_layouts_22000_x64, &ps_layouts_26100_x64,
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* Members Windows declares inside a union with the member before them. */
static int known_union(const char *type, const char *field)
{
	return strcmp(type, "_KTHREAD") == 0 && strcmp(field, "Priority") == 0;
}

static void check_layout(const ps_layout *l)
{
	const ps_layout_field *prev = NULL;

	CHECK(l->type && l->type[0] == '_');
	CHECK(l->source && strlen(l->source) > 10);
	CHECK(l->arch == PS_ARCH_X86 || l->arch == PS_ARCH_X64);
	CHECK(l->build_min <= l->build_max && l->build_max <= LAYOUT_BUILD_LAST);
	CHECK(l->field_count == 0 || l->fields != NULL);
	for (size_t i = 0; i < l->field_count; i++) {
		const ps_layout_field *f = &l->fields[i];
		int ok = f->name && f->name[0] && f->dt_type && f->dt_type[0] && f->size > 0;
		if (!ok)
			fprintf(stderr, "%s: field %zu incomplete\n", l->type, i);
		CHECK(ok);
		if (l->size && !(f->offset + f->size <= l->size)) {
			fprintf(stderr, "%s.%s (build %u) beyond size 0x%x\n", l->type, f->name, l->build_min, l->size);
			CHECK(0);
		}
		if (f->bit_length) {
			CHECK(f->bit_position + f->bit_length <= f->size * 8);
			CHECK(strncmp(f->dt_type, "Pos ", 4) == 0);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->fields[j].name, f->name) == 0) {
				fprintf(stderr, "%s: %s twice\n", l->type, f->name);
				CHECK(0);
			}
		if (prev) {
			int sorted = prev->offset <= f->offset;
			int disjoint;
			if (prev->bit_length && f->bit_length && prev->offset == f->offset)
				disjoint = prev->bit_position + prev->bit_length <= f->bit_position;
			else
				disjoint = prev->offset + prev->size <= f->offset || known_union(l->type, f->name);
			if (!sorted || !disjoint)
				fprintf(stderr, "%s (build %u arch %d): %s overlaps or precedes %s\n", l->type,
					l->build_min, (int)l->arch, f->name, prev->name);
			CHECK(sorted);
			CHECK(disjoint);
			/* The member a union hides keeps the one before it as "prev". */
			if (known_union(l->type, f->name))
				continue;
		}
		prev = f;
	}
}

/* Each layout is what ps_layout_find returns at both ends of its range:
 * no two layouts of one type and architecture claim the same build. */
static void check_lookup(const ps_layout *l)
{
	CHECK(ps_layout_find(l->build_min, l->arch, l->type) == l);
	CHECK(ps_layout_find(l->build_max, l->arch, l->type) == l);
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->count; i++) {
			const ps_layout *o = &tables[t]->layouts[i];
			if (o == l || o->arch != l->arch || strcmp(o->type, l->type) != 0)
				continue;
			if (!(o->build_max < l->build_min || o->build_min > l->build_max)) {
				fprintf(stderr, "%s: two layouts for build %u\n", l->type, l->build_min);
				CHECK(0);
			}
		}
}

/* A member whose type is another built-in structure has that size. */
static void check_nested_sizes(const ps_layout *l)
{
	for (size_t i = 0; i < l->field_count; i++) {
		const ps_layout_field *f = &l->fields[i];
		const ps_layout *inner;
		if (f->dt_type[0] != '_')
			continue;
		inner = ps_layout_find(l->build_min, l->arch, f->dt_type);
		if (!inner || !inner->size)
			continue;
		if (inner->size != f->size)
			fprintf(stderr, "%s.%s: 0x%x bytes, %s is 0x%x\n", l->type, f->name, f->size,
				inner->type, inner->size);
		CHECK(inner->size == f->size);
	}
}

static uint32_t off(uint32_t build, ps_arch arch, const char *type, const char *field)
{
	const ps_layout *l = ps_layout_find(build, arch, type);
	const ps_layout_field *f = ps_layout_field_named(l, field);
	if (!f) {
		fprintf(stderr, "no %s.%s for build %u\n", type, field, build);
		return 0xFFFFFFFFu;
	}
	return f->offset;
}

static uint32_t size_of(uint32_t build, ps_arch arch, const char *type)
{
	const ps_layout *l = ps_layout_find(build, arch, type);
	return l ? l->size : 0xFFFFFFFFu;
}

static void check_invariants(uint32_t build, ps_arch arch)
{
	unsigned ptr = arch == PS_ARCH_X64 ? 8 : 4;

	/* formats.md §5.2: UniqueProcessId = ActiveProcessLinks - pointer size. */
	CHECK_EQ_U64(off(build, arch, "_EPROCESS", "UniqueProcessId") + ptr,
		     off(build, arch, "_EPROCESS", "ActiveProcessLinks"));
	CHECK_EQ_U64(size_of(build, arch, "_KPROCESS"),
		     ps_layout_field_named(ps_layout_find(build, arch, "_EPROCESS"), "Pcb")->size);
	CHECK_EQ_U64(size_of(build, arch, "_KTHREAD"),
		     ps_layout_field_named(ps_layout_find(build, arch, "_ETHREAD"), "Tcb")->size);
	/* §5.3: ETHREAD.CreateTime right after Tcb in every listed build. */
	CHECK_EQ_U64(off(build, arch, "_ETHREAD", "CreateTime"), size_of(build, arch, "_KTHREAD"));
	/* §4.1: the body follows the 0x18 / 0x30 object header fields. */
	CHECK_EQ_U64(off(build, arch, "_OBJECT_HEADER", "Body"), arch == PS_ARCH_X64 ? 0x30 : 0x18);
	CHECK(ps_layout_find(build, arch, "_POOL_HEADER") != NULL);
	CHECK(ps_layout_find(build, arch, "_POOL_TRACKER_TABLE") != NULL);
	CHECK(ps_layout_find(build, arch, "_KDDEBUGGER_DATA64") != NULL);
}

int main(void)
{
	size_t total = 0;

	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->count; i++) {
			check_layout(&tables[t]->layouts[i]);
			check_lookup(&tables[t]->layouts[i]);
			check_nested_sizes(&tables[t]->layouts[i]);
			total++;
		}
	CHECK(total > 80);

	check_invariants(7601, PS_ARCH_X86);
	check_invariants(7601, PS_ARCH_X64);
	check_invariants(17763, PS_ARCH_X64);
	check_invariants(19041, PS_ARCH_X64);
	check_invariants(19045, PS_ARCH_X64);
	check_invariants(22000, PS_ARCH_X64);
	check_invariants(22631, PS_ARCH_X64);
	check_invariants(26100, PS_ARCH_X64);

	/* Spot values, formats.md §5.2 EPROCESS. */
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_EPROCESS", "ImageFileName"), 0x16C);
	CHECK_EQ_U64(off(7601, PS_ARCH_X64, "_EPROCESS", "ActiveProcessLinks"), 0x188);
	CHECK_EQ_U64(off(17763, PS_ARCH_X64, "_EPROCESS", "ObjectTable"), 0x418);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_EPROCESS", "UniqueProcessId"), 0x440);
	CHECK_EQ_U64(off(19045, PS_ARCH_X64, "_EPROCESS", "UniqueProcessId"), 0x440);
	CHECK_EQ_U64(off(19044, PS_ARCH_X64, "_EPROCESS", "ExitTime"), 0x840);
	CHECK_EQ_U64(off(22621, PS_ARCH_X64, "_EPROCESS", "Peb"), 0x550);
	CHECK_EQ_U64(off(26100, PS_ARCH_X64, "_EPROCESS", "UniqueProcessId"), 0x1D0);
	CHECK_EQ_U64(size_of(7601, PS_ARCH_X86, "_EPROCESS"), 0x2C0);
	CHECK_EQ_U64(size_of(19041, PS_ARCH_X64, "_EPROCESS"), 0xA40);
	CHECK_EQ_U64(size_of(22000, PS_ARCH_X64, "_EPROCESS"), 0xB80);
	/* §5.1, §5.3, §5.4. */
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_KPROCESS", "DirectoryTableBase"), 0x18);
	CHECK_EQ_U64(off(26100, PS_ARCH_X64, "_KPROCESS", "UserDirectoryTableBase"), 0x158);
	CHECK_EQ_U64(size_of(22000, PS_ARCH_X64, "_ETHREAD"), 0x8F0);
	CHECK_EQ_U64(size_of(22631, PS_ARCH_X64, "_ETHREAD"), 0x900);
	CHECK_EQ_U64(off(17763, PS_ARCH_X64, "_ETHREAD", "Cid"), 0x638);
	CHECK_EQ_U64(off(7601, PS_ARCH_X64, "_KTHREAD", "State"), 0x164);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_KTHREAD", "Process"), 0x220);
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_KAPC_STATE", "Process"), 0x10);
	/* §3: the pool. */
	{
		const ps_layout_field *f = ps_layout_field_named(
			ps_layout_find(7601, PS_ARCH_X86, "_POOL_HEADER"), "PoolType");
		CHECK(f && f->offset == 2 && f->bit_position == 9 && f->bit_length == 7);
		f = ps_layout_field_named(ps_layout_find(19041, PS_ARCH_X64, "_POOL_HEADER"), "BlockSize");
		CHECK(f && f->offset == 2 && f->bit_position == 0 && f->bit_length == 8);
		f = ps_layout_field_named(ps_layout_find(7601, PS_ARCH_X64, "_POOL_HEADER"), "BlockSize");
		CHECK(f && f->offset == 0 && f->bit_position == 16 && f->bit_length == 8);
		CHECK_STR(f ? f->dt_type : NULL, "Pos 16, 8 Bits");
	}
	CHECK_EQ_U64(size_of(7601, PS_ARCH_X86, "_POOL_TRACKER_TABLE"), 0x1C);
	CHECK_EQ_U64(size_of(7601, PS_ARCH_X64, "_POOL_TRACKER_TABLE"), 0x28);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_POOL_TRACKER_TABLE", "NonPagedBytes"), 0x8);
	CHECK_EQ_U64(size_of(22000, PS_ARCH_X64, "_POOL_TRACKER_TABLE"), 0x50);
	CHECK_EQ_U64(size_of(26100, PS_ARCH_X64, "_POOL_TRACKER_BIG_PAGES"), 0x20);
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_MM_SESSION_SPACE", "PoolTrackTableExpansion"), 0x1FC8);
	/* §4. */
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_OBJECT_TYPE", "Key"), 0x7C);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_OBJECT_TYPE", "Key"), 0xC0);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_HANDLE_TABLE", "TableCode"), 0x8);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_OBJECT_HEADER", "TypeIndex"), 0x18);
	/* §2.3 KDBG: the Windows 7 block stops at OffsetPrcbContext. */
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_KDDEBUGGER_DATA64", "PoolTrackTable"), 0x1B8);
	CHECK_EQ_U64(off(7601, PS_ARCH_X64, "_KDDEBUGGER_DATA64", "OffsetPrcbContext"), 0x338);
	CHECK(ps_layout_field_named(ps_layout_find(7601, PS_ARCH_X64, "_KDDEBUGGER_DATA64"),
				    "OffsetPrcbMaxBreakpoints") == NULL);
	CHECK_EQ_U64(off(19041, PS_ARCH_X64, "_KDDEBUGGER_DATA64", "PteBase"), 0x360);
	CHECK_EQ_U64(size_of(17763, PS_ARCH_X64, "_KDDEBUGGER_DATA64"), 0x380);
	/* §5.5. */
	CHECK_EQ_U64(off(7601, PS_ARCH_X86, "_KLDR_DATA_TABLE_ENTRY", "BaseDllName"), 0x2C);
	CHECK_EQ_U64(off(22631, PS_ARCH_X64, "_KLDR_DATA_TABLE_ENTRY", "SizeOfImage"), 0x40);

	/* Lookups: dt compares names case-insensitively; other builds,
	 * architectures and names have nothing. */
	CHECK(ps_layout_find(19041, PS_ARCH_X64, "_eprocess") == ps_layout_find(19041, PS_ARCH_X64, "_EPROCESS"));
	CHECK(ps_layout_field_named(ps_layout_find(19041, PS_ARCH_X64, "_EPROCESS"), "uniqueprocessid") != NULL);
	CHECK(ps_layout_find(18362, PS_ARCH_X64, "_EPROCESS") == NULL);
	CHECK(ps_layout_find(19041, PS_ARCH_X86, "_EPROCESS") == NULL);
	CHECK(ps_layout_find(19041, PS_ARCH_X64, "_NO_SUCH_TYPE") == NULL);
	CHECK(ps_layout_find(19041, PS_ARCH_X64, NULL) == NULL);
	CHECK(ps_layout_field_named(NULL, "Pcb") == NULL);
	CHECK(ps_layout_field_named(ps_layout_find(19041, PS_ARCH_X64, "_EPROCESS"), "NoSuchField") == NULL);
	return CHECK_DONE();
}
