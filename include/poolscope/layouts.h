/*
 * layouts.h - the sym layer's built-in structure layouts.
 *
 * When no PDB is at hand, poolscope still knows where the fields it needs
 * sit in the Windows structures of the builds it supports, from public
 * sources (../shared/reference/formats.md: Vergilius, volatility, ReactOS).
 * Each layout names its source, so an answer built on it can say so.
 */
#ifndef POOLSCOPE_LAYOUTS_H
#define POOLSCOPE_LAYOUTS_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/dump.h"

typedef struct ps_layout_field {
	const char *name;        /* "UniqueProcessId", "Pcb.DirectoryTableBase" */
	uint32_t offset;
	uint32_t size;           /* bytes; for bitfields the storage unit */
	uint8_t bit_position;    /* bitfields only */
	uint8_t bit_length;      /* 0 = not a bitfield */
	const char *dt_type;     /* as dt prints it: "Ptr64 Void", "Uint4B", "_LIST_ENTRY" */
} ps_layout_field;

typedef struct ps_layout {
	const char *type;        /* "_EPROCESS" */
	ps_arch arch;
	uint32_t build_min;      /* inclusive range of NT builds it holds for */
	uint32_t build_max;
	uint32_t size;           /* sizeof, 0 if unknown */
	const ps_layout_field *fields;
	size_t field_count;
	const char *source;      /* "Vergilius 6.1.7601.17514 x86 (formats.md §5.2)" */
} ps_layout;

/* The layout of `type` for a build and architecture, or NULL. */
const ps_layout *ps_layout_find(uint32_t build, ps_arch arch, const char *type);
/* A field by name, or NULL. */
const ps_layout_field *ps_layout_field_named(const ps_layout *l, const char *name);

#endif
