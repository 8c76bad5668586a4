/*
 * cmd_pool.h - !pool and !poolfind, and what the two share: WinDbg's names
 * for pool regions, its "Pooltag" line, addresses as kdexts prints them, and
 * the big-page tables.
 */
#ifndef PS_CMD_POOL_H
#define PS_CMD_POOL_H

#include <stdint.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "poolscope/pool.h"

/* cmd_pool.c: !pool Address [Flags]. */
ps_status ps_cmd_pool(ps_session *s, const char *cmd, const char *args, FILE *out);

/* cmd_poolfind.c: !poolfind Tag [PoolType]. */
ps_status ps_cmd_poolfind(ps_session *s, const char *cmd, const char *args, FILE *out);

/* An address as kdexts' %p prints it: 8 or 16 hex digits, no backtick.
 * buf must hold PS_ADDR_BUF bytes. */
const char *ps_cmd_pool_addr(const ps_session *s, uint64_t va, char *buf);

/* "Nonpaged pool", "Paged pool", "Paged session pool", ... for a PS_POOL_*
 * kind; "Unknown" for anything else. */
const char *ps_cmd_pool_region_name(unsigned kind);

/* PS_POOL_* of a POOL_TYPE value as the big-page table stores it. */
unsigned ps_cmd_pool_big_kind(uint32_t pool_type);

/* Four tag characters as kdexts prints them: unprintable bytes as '.', the
 * protected bit removed from the fourth when `strip` is set. buf[5]. */
const char *ps_cmd_pool_tag4(uint32_t tag, int strip, char *buf);

/* "\t\tPooltag Thre : Thread objects, Binary : nt!ps" or
 * "\t\tOwning component : Unknown (update pooltag.txt)". */
void ps_cmd_pool_tag_line(ps_session *s, uint32_t tag, FILE *out);

/* The big-page tables: the kernel's (nt!PoolBigPageTable) and each
 * session's (MM_SESSION_SPACE.PoolTrackBigPages), for session pool. */
typedef struct ps_cmd_big_tables {
	ps_big_table *global;          /* NULL when it cannot be read */
	ps_big_table **session;        /* session_count tables, NULL where unreadable */
	uint32_t *session_id;
	size_t session_count;
	const ps_big_table **all;      /* the non-NULL tables, for ps_pool_scan */
	size_t all_count;
} ps_cmd_big_tables;

/* Read them; what cannot be read is left NULL (never fails). */
void ps_cmd_pool_big_tables_read(ps_session *s, ps_cmd_big_tables *t);
void ps_cmd_pool_big_tables_free(ps_cmd_big_tables *t);

/* The in-use big allocation containing va in any of the tables, or NULL. */
const ps_big_page *ps_cmd_pool_big_find(const ps_cmd_big_tables *t, uint64_t va);

/* Windows builds whose WinDbg output uses the Windows 10 !poolfind format. */
int ps_cmd_pool_modern(const ps_session *s);

#endif
