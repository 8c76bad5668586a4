/*
 * cmd_pool.h - !pool and !poolfind, and what the two share: WinDbg's names
 * for pool regions, its "Pooltag" line, addresses as kdexts prints them, and
 * the session's big-page table.
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

/* Read the kernel's big-page table; NULL (and *why set) without symbols. */
ps_big_table *ps_cmd_pool_big_table(ps_session *s, ps_error *why);

/* Windows builds whose WinDbg output uses the Windows 10 !poolfind format. */
int ps_cmd_pool_modern(const ps_session *s);

#endif
