/*
 * mapfile.c - read-only private mappings of input files (see mapfile.h).
 */
#include "core/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

ps_status ps_map_file(const char *path, const char *what, void **map, size_t *size, ps_error *err)
{
	struct stat sb;
	ps_status st = PS_OK;
	void *m;
	int fd;

	*map = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ps_error_set(err, PS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0)
		st = ps_error_set(err, PS_EIO, "%s: cannot stat: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		st = ps_error_set(err, PS_EIO, "%s: not a regular file", path);
	else if (sb.st_size <= 0)
		st = ps_error_set(err, PS_EFORMAT, "%s: empty file, not a %s", path, what);
	else if ((uint64_t)sb.st_size > SIZE_MAX)
		st = ps_error_set(err, PS_EUNSUPPORTED, "%s: file too large to map", path);
	if (st != PS_OK) {
		close(fd);
		return st;
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return ps_error_set(err, PS_EIO, "%s: cannot map %zu bytes: %s", path, (size_t)sb.st_size,
				    strerror(errno));
	*map = m;
	*size = (size_t)sb.st_size;
	return PS_OK;
}

void ps_unmap_file(void *map, size_t size)
{
	if (map)
		munmap(map, size);
}
