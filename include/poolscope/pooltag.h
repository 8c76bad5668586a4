/*
 * pooltag.h - the pool layer's tag database: pooltag.txt as WinDbg ships it.
 *
 * Each line reads "TAG  - binary - description": a tag of up to four
 * characters (short tags are padded with blanks), the image that uses it
 * ("nt!cm", "ci.dll", "<unknown>") and what it is for. Tags may hold the
 * wildcards ? (one character) and * (the rest). Lines starting with rem,
 * REM or // are comments.
 */
#ifndef POOLSCOPE_POOLTAG_H
#define POOLSCOPE_POOLTAG_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef struct ps_tagdb ps_tagdb;

typedef struct ps_tag_info {
	char tag[5];             /* as written, blank-padded to 4 */
	const char *binary;      /* "nt!cm"; "" for <unknown> */
	const char *description;
	unsigned line;           /* line number in the file */
} ps_tag_info;

ps_status ps_tagdb_load(const char *path, ps_tagdb **out, ps_error *err);
ps_status ps_tagdb_load_memory(const char *text, size_t len, const char *name, ps_tagdb **out,
			       ps_error *err);
void ps_tagdb_free(ps_tagdb *db);

/* Load the database a user means: `explicit_path` (--tags) if given, else
 * $POOLTAG, else the first of the standard places that exists:
 * $XDG_CONFIG_HOME/poolscope/pooltag.txt (~/.config/...),
 * /usr/local/share/poolscope/pooltag.txt, /usr/share/poolscope/pooltag.txt.
 * PS_ENOTFOUND when none is found; `used` (nullable) receives the path. */
ps_status ps_tagdb_open_default(const char *explicit_path, ps_tagdb **out, char *used, size_t n,
				ps_error *err);

size_t ps_tagdb_count(const ps_tagdb *db);

/* The entry for a pool tag (as the 32-bit value stored in memory: 'MSKK' is
 * 0x4B4B534D; the protected bit 0x80000000 is ignored). The first exact
 * entry in file order wins, then the first wildcard entry. NULL if none. */
const ps_tag_info *ps_tagdb_find(const ps_tagdb *db, uint32_t tag);

/* The tag's four characters as WinDbg prints them (non-printable bytes as
 * '.'; the protected bit is stripped); buf of at least 5 bytes. */
const char *ps_tag_text(uint32_t tag, char *buf);

/* WinDbg's description text for !poolused: "Thread objects , Binary: nt!ps",
 * "Pool tables, etc." (binary unknown), or "UNKNOWN pooltag 'MSKK', please
 * update pooltag.txt". db may be NULL. */
const char *ps_tagdb_describe(const ps_tagdb *db, uint32_t tag, char *buf, size_t n);

#endif
