/*
 * dump_open.c - opening and closing dumps, and the simple accessors.
 *
 * A dump is read in place: ps_dump_open maps the file read-only, and
 * ps_dump_open_memory takes bytes the caller keeps alive. Either way the
 * header is decoded and the page map for the DumpType is built once, here;
 * every later lookup only reads those tables.
 */
#include "dump/dump_internal.h"
#include "core/mapfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dump_warn(ps_dump *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ps_warnings_addv(&d->warnings, d->name, fmt, ap);
	va_end(ap);
}

static ps_status build_maps(ps_dump *d, ps_error *err)
{
	switch (d->info.dump_type) {
	case PS_DUMPTYPE_FULL:
		return dump_runs_init(d, err);
	case PS_DUMPTYPE_BITMAP:
	case PS_DUMPTYPE_BITMAP_LIVE:
		return dump_bitmap_init(d, err);
	case PS_DUMPTYPE_SUMMARY:
		/* The XP-era summary layout is unverified (formats.md §1.5
		 * caveat); read it only when it carries the type-5 header. */
		if (dump_bitmap_present(d))
			return dump_bitmap_init(d, err);
		dump_warn(d, "summary dump (DumpType 2) without an SDMP/FDMP header at 0x%x: no physical pages",
			  d->info.header_size);
		return PS_OK;
	case PS_DUMPTYPE_TRIAGE:
		return dump_triage_init(d, err);
	case PS_DUMPTYPE_HEADER:
		return PS_OK;
	default:
		dump_warn(d, "DumpType %u is not supported: header only, no physical pages",
			  d->info.dump_type);
		return PS_OK;
	}
}

ps_status ps_dump_open_memory(const void *data, size_t size, const char *name,
			      ps_dump **out, ps_error *err)
{
	ps_dump *d;
	ps_status st;

	if (!out)
		return ps_error_set(err, PS_EARG, "ps_dump_open_memory: no output pointer");
	*out = NULL;
	if (!data && size)
		return ps_error_set(err, PS_EARG, "ps_dump_open_memory: NULL data");
	d = calloc(1, sizeof *d);
	if (!d)
		return ps_error_set(err, PS_ENOMEM, "out of memory opening a dump");
	d->name = strdup(name ? name : "<memory>");
	if (!d->name) {
		free(d);
		return ps_error_set(err, PS_ENOMEM, "out of memory opening a dump");
	}
	d->data = data;
	d->size = size;
	d->info.file_size = size;

	st = dump_header_decode(d, err);
	if (st == PS_OK)
		st = build_maps(d, err);
	if (st != PS_OK) {
		ps_dump_close(d);
		return st;
	}
	ps_warnings_finish(&d->warnings, d->name);
	*out = d;
	return PS_OK;
}

ps_status ps_dump_open(const char *path, ps_dump **out, ps_error *err)
{
	void *map;
	size_t size;
	ps_status st;

	if (!out || !path)
		return ps_error_set(err, PS_EARG, "ps_dump_open: no path or output pointer");
	*out = NULL;
	st = ps_map_file(path, "crash dump", &map, &size, err);
	if (st != PS_OK)
		return st;

	st = ps_dump_open_memory(map, size, path, out, err);
	if (st != PS_OK) {
		ps_unmap_file(map, size);
		return st;
	}
	(*out)->mapping = map;
	(*out)->mapping_size = size;
	return PS_OK;
}

void ps_dump_close(ps_dump *d)
{
	if (!d)
		return;
	ps_warnings_free(&d->warnings);
	free(d->header_runs);
	free(d->runs);
	free(d->rank_super);
	free(d->rank_sub);
	free(d->blocks);
	free(d->drivers);
	free(d->unloaded);
	if (d->mapping)
		ps_unmap_file(d->mapping, d->mapping_size);
	free(d->name);
	free(d);
}

const ps_dump_info *ps_dump_get_info(const ps_dump *d)
{
	return &d->info;
}

const char *ps_dump_name(const ps_dump *d)
{
	return d->name;
}

const uint8_t *ps_dump_bytes(const ps_dump *d, size_t *size)
{
	if (size)
		*size = d->size;
	return d->data;
}

size_t ps_dump_warning_count(const ps_dump *d)
{
	return d->warnings.count;
}

const char *ps_dump_warning(const ps_dump *d, size_t i)
{
	return ps_warnings_get(&d->warnings, i);
}

uint64_t ps_dump_page_limit(const ps_dump *d)
{
	return d->page_limit;
}
