/*
 * module_names.c - the names WinDbg gives loaded modules.
 *
 * WinDbg (dbgeng) names a module after its image file without the
 * extension ("SIoctl.sys" -> "SIoctl"), keeping the case; the kernel image
 * is always "nt" and the HAL "hal", whatever file they were loaded from.
 * Dots left in the name become underscores ("mscorlib.ni.dll" ->
 * "mscorlib_ni"). When a name is already taken by an earlier module, the
 * later one gets "_<base in hex>" appended ("contoso_7ffe7d0e0000", see
 * Raymond Chen, "Why does the Windows debugger engine show a bunch of hex
 * digits after one of the DLL names?", The Old New Thing, 2022-01-31).
 * Details in docs/kernel-data.md.
 */
#include "nt/kernel_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kernel_module_name(const char *image_name, int is_kernel, char *out, size_t out_size)
{
	const char *dot;
	size_t len;

	if (out_size == 0)
		return;
	if (is_kernel) {
		snprintf(out, out_size, "nt");
		return;
	}
	if (strcasecmp(image_name, "hal.dll") == 0) {
		snprintf(out, out_size, "hal");
		return;
	}
	dot = strrchr(image_name, '.');
	len = dot && dot != image_name ? (size_t)(dot - image_name) : strlen(image_name);
	if (len >= out_size)
		len = out_size - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = image_name[i] == '.' ? '_' : image_name[i];
	out[len] = '\0';
}

static const char *file_part(const char *path)
{
	const char *slash = strrchr(path, '\\');
	const char *fwd = strrchr(path, '/');
	if (fwd && (!slash || fwd > slash))
		slash = fwd;
	return slash ? slash + 1 : path;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

/* Claim `name` in the open-addressing table; 0 if an earlier module has it
 * (compared without case, as WinDbg's module names are). */
static int claim(const ps_module *mods, size_t *table, size_t table_size, size_t index)
{
	size_t slot = name_hash(mods[index].name) & (table_size - 1);

	while (table[slot] != SIZE_MAX) {
		if (strcasecmp(mods[table[slot]].name, mods[index].name) == 0)
			return 0;
		slot = (slot + 1) & (table_size - 1);
	}
	table[slot] = index;
	return 1;
}

void kernel_name_modules(ps_module *mods, size_t count, uint64_t kernel_base)
{
	size_t table_size = 16, *table;
	int base_known = 0;

	/* KernBase names the kernel; when no module sits there (KDBG missing or
	 * damaged) the first entry, which Windows always loads first, is it. */
	for (size_t i = 0; i < count && kernel_base; i++)
		base_known |= mods[i].base == kernel_base;
	while (table_size < 2 * count)
		table_size *= 2;
	table = malloc(table_size * sizeof *table);
	if (table)
		memset(table, 0xFF, table_size * sizeof *table);

	for (size_t i = 0; i < count; i++) {
		ps_module *m = &mods[i];
		const char *file = m->image_name[0] ? m->image_name : file_part(m->path);
		int is_kernel = base_known ? m->base == kernel_base : i == 0;

		if (file[0])
			kernel_module_name(file, is_kernel, m->name, sizeof m->name);
		else if (is_kernel)
			snprintf(m->name, sizeof m->name, "nt");
		else
			snprintf(m->name, sizeof m->name, "Unknown_Module_%llx", (unsigned long long)m->base);
		if (table && !claim(mods, table, table_size, i)) {
			char suffix[20];
			size_t room;
			snprintf(suffix, sizeof suffix, "_%llx", (unsigned long long)m->base);
			room = sizeof m->name - strlen(suffix) - 1;
			if (strlen(m->name) > room)
				m->name[room] = '\0';
			strcat(m->name, suffix);
			claim(mods, table, table_size, i);
		}
	}
	free(table);
}
