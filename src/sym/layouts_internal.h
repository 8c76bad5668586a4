/*
 * layouts_internal.h - how the built-in layout tables (layouts_*.c) are
 * written and registered with the lookup in layouts.c.
 *
 * One file per Windows build and architecture, plus layouts_common.c for
 * structures that keep their layout across the supported builds. Each
 * ps_layout names its source; offsets come from
 * ../shared/reference/formats.md and the sources it cites ([VERG] Vergilius
 * headers, [VOL2-VT] volatility vtypes, [NTDIFF]). dt_type strings are
 * written the way WinDbg's dt prints the member's type.
 */
#ifndef PS_SYM_LAYOUTS_INTERNAL_H
#define PS_SYM_LAYOUTS_INTERNAL_H

#include <stdint.h>

#include "poolscope/layouts.h"

/* A plain member, a bitfield member (size = its storage unit) and a one-bit
 * member (dt writes "Pos 3, 1 Bit", singular). */
#define LF(name, off, size, type) { (name), (off), (size), 0, 0, (type) }
#define LB(name, off, size, pos, len) { (name), (off), (size), (pos), (len), "Pos " #pos ", " #len " Bits" }
#define LB1(name, off, size, pos) { (name), (off), (size), (pos), 1, "Pos " #pos ", 1 Bit" }

#define LAYOUT_COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A layout over a whole field array. The indirection lets a file pass its
 * build range as one macro ("7601u, 7601u"). */
#define LAYOUT(...) LAYOUT_(__VA_ARGS__)
#define LAYOUT_(type, arch, bmin, bmax, size, fields, source) \
	{ (type), (arch), (bmin), (bmax), (size), (fields), LAYOUT_COUNT(fields), (source) }
/* A layout whose size is known but whose members formats.md does not list. */
#define LAYOUT_OPAQUE(...) LAYOUT_OPAQUE_(__VA_ARGS__)
#define LAYOUT_OPAQUE_(type, arch, bmin, bmax, size, source) \
	{ (type), (arch), (bmin), (bmax), (size), NULL, 0, (source) }

/* The highest build any table claims (the newest one formats.md covers). */
#define LAYOUT_BUILD_LAST 26100u

typedef struct ps_layout_table {
	const ps_layout *layouts;
	size_t count;
} ps_layout_table;

/* Member tables that several builds share (layouts_common.c): formats.md
 * §5.4 gives one KTHREAD column for 17763, 19045, 22000-22631 and 26100 x64,
 * and §5.1/§5.2 the same KPROCESS and EPROCESS offsets for 19045 and
 * 22000-22631. Only the sizes differ, and those stay in each build's file. */
#define KTHREAD_X64_WIN10_FIELDS 14
extern const ps_layout_field ps_kthread_x64_win10[KTHREAD_X64_WIN10_FIELDS];
#define KPROCESS_X64_19041_FIELDS 4
extern const ps_layout_field ps_kprocess_x64_19041[KPROCESS_X64_19041_FIELDS];
#define EPROCESS_X64_19041_FIELDS 21
extern const ps_layout_field ps_eprocess_x64_19041[EPROCESS_X64_19041_FIELDS];

extern const ps_layout_table ps_layouts_common;
extern const ps_layout_table ps_layouts_7601_x86;
extern const ps_layout_table ps_layouts_7601_x64;
extern const ps_layout_table ps_layouts_17763_x64;
extern const ps_layout_table ps_layouts_19041_x64;
extern const ps_layout_table ps_layouts_22000_x64;
extern const ps_layout_table ps_layouts_26100_x64;

#endif
