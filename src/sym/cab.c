/*
 * cab.c - decompress a symbol store's name.pd_ (a Microsoft cabinet holding
 * one file) with libmspack's CAB decompressor.
 *
 * SymStore's /compress option and symbol servers store files as CABs whose
 * name ends in '_'; the cabinet holds the one original file (MSZIP or LZX).
 * libmspack parses the cabinet and does the decompression; here we pick the
 * file, bound its size and write it through a temporary file.
 */
#include <mspack.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sym/symstore_internal.h"

/* A .pd_ holds one file; a cabinet listing more than this is not one. */
#define CAB_MAX_FILES 64

static const char *mspack_error_name(int e)
{
	switch (e) {
	case MSPACK_ERR_OPEN: return "cannot open";
	case MSPACK_ERR_READ: return "read error";
	case MSPACK_ERR_WRITE: return "write error";
	case MSPACK_ERR_SEEK: return "seek error";
	case MSPACK_ERR_NOMEMORY: return "out of memory";
	case MSPACK_ERR_SIGNATURE: return "not a cabinet (bad signature)";
	case MSPACK_ERR_DATAFORMAT: return "corrupt cabinet";
	case MSPACK_ERR_CHECKSUM: return "checksum mismatch";
	case MSPACK_ERR_DECRUNCH: return "corrupt compressed data";
	default: return "cabinet error";
	}
}

ps_status ps_cab_extract_single(const char *cab_path, const char *want, const char *out_path,
				ps_error *err)
{
	int selftest = MSPACK_ERR_OK;
	MSPACK_SYS_SELFTEST(selftest);
	if (selftest != MSPACK_ERR_OK)
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: libmspack self-test failed (%d)",
				    cab_path, selftest);

	struct mscab_decompressor *cabd = mspack_create_cab_decompressor(NULL);
	if (!cabd)
		return ps_error_set(err, PS_ENOMEM, "%s: cannot create a CAB decompressor", cab_path);

	ps_status st = PS_OK;
	struct mscabd_cabinet *cab = cabd->open(cabd, cab_path);
	if (!cab) {
		st = ps_error_set(err, PS_EFORMAT, "%s: %s", cab_path,
				  mspack_error_name(cabd->last_error(cabd)));
		mspack_destroy_cab_decompressor(cabd);
		return st;
	}

	/* The file named like the one we want, else the only file. */
	struct mscabd_file *pick = NULL, *only = cab->files;
	size_t count = 0;
	for (struct mscabd_file *f = cab->files; f && count <= CAB_MAX_FILES; f = f->next) {
		count++;
		if (!pick && f->filename && want && strcasecmp(f->filename, want) == 0)
			pick = f;
	}
	if (!pick && count == 1)
		pick = only;

	char tmp[PS_SYM_PATH_MAX];
	int fd = -1;
	if (count == 0) {
		st = ps_error_set(err, PS_EFORMAT, "%s: the cabinet holds no file", cab_path);
	} else if (!pick) {
		st = ps_error_set(err, PS_EFORMAT, "%s: %zu%s files in the cabinet, none named %s",
				  cab_path, count, count > CAB_MAX_FILES ? " or more" : "",
				  want ? want : "(none)");
	} else if ((uint64_t)pick->length > PS_SYM_MAX_FILE) {
		st = ps_error_set(err, PS_ENOMEM, "%s: %s would be %u bytes, more than the %llu allowed",
				  cab_path, pick->filename, pick->length,
				  (unsigned long long)PS_SYM_MAX_FILE);
	} else {
		st = ps_symfile_temp(out_path, tmp, sizeof tmp, &fd, err);
	}
	if (st == PS_OK) {
		/* libmspack opens the path itself and rewrites the empty file. */
		close(fd);
		int e = cabd->extract(cabd, pick, tmp);
		if (e != MSPACK_ERR_OK) {
			st = ps_error_set(err, PS_EFORMAT, "%s: extracting %s: %s", cab_path,
					  pick->filename ? pick->filename : "?", mspack_error_name(e));
			unlink(tmp);
		} else {
			st = ps_symfile_commit(tmp, out_path, err);
		}
	}
	cabd->close(cabd, cab);
	mspack_destroy_cab_decompressor(cabd);
	return st;
}
