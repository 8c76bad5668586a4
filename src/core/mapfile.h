/*
 * mapfile.h - mapping an input file read-only.
 *
 * Dumps, PDBs and images are read in place from a private read-only
 * mapping: nothing is copied, and the input file is never opened for
 * writing. One function does it, so every reader refuses the same things
 * (not a regular file, empty, too large to map) with the same words.
 */
#ifndef PS_CORE_MAPFILE_H
#define PS_CORE_MAPFILE_H

#include <stddef.h>

#include "poolscope/error.h"

/* Map `path` read-only. `what` names the expected content for messages
 * ("crash dump", "PDB", "PE image"). On success *map and *size describe the
 * mapping; release it with ps_unmap_file. */
ps_status ps_map_file(const char *path, const char *what, void **map, size_t *size, ps_error *err);
void ps_unmap_file(void *map, size_t size);

#endif
