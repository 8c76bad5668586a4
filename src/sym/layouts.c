/*
 * layouts.c - finding a built-in layout by build, architecture and type name.
 *
 * The tables are small (tens of structures per build), so a linear scan is
 * enough; names compare as WinDbg's dt compares them, case-insensitively,
 * with an exact-case match preferred.
 */
#include <string.h>
#include <strings.h>

#include "sym/layouts_internal.h"

static const ps_layout_table *const tables[] = {
	&ps_layouts_7601_x86,  &ps_layouts_7601_x64,  &ps_layouts_17763_x64,
	&ps_layouts_19041_x64, &ps_layouts_22000_x64, &ps_layouts_26100_x64,
	&ps_layouts_common,
};

const ps_layout *ps_layout_find(uint32_t build, ps_arch arch, const char *type)
{
	const ps_layout *folded = NULL;

	if (!type)
		return NULL;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (size_t i = 0; i < tables[t]->count; i++) {
			const ps_layout *l = &tables[t]->layouts[i];
			if (l->arch != arch || build < l->build_min || build > l->build_max)
				continue;
			if (strcmp(l->type, type) == 0)
				return l;
			if (!folded && strcasecmp(l->type, type) == 0)
				folded = l;
		}
	}
	return folded;
}

const ps_layout_field *ps_layout_field_named(const ps_layout *l, const char *name)
{
	const ps_layout_field *folded = NULL;

	if (!l || !name)
		return NULL;
	for (size_t i = 0; i < l->field_count; i++) {
		if (strcmp(l->fields[i].name, name) == 0)
			return &l->fields[i];
		if (!folded && strcasecmp(l->fields[i].name, name) == 0)
			folded = &l->fields[i];
	}
	return folded;
}
