/*
 * format.h - addresses as WinDbg writes them, for messages and output.
 *
 * 32-bit targets: 8 hex digits. 64-bit targets: two groups of 8 joined by a
 * backtick, "fffff804`7bdf5a80". One formatter, so a message from the dump
 * layer and a line printed by a command show an address the same way.
 */
#ifndef PS_CORE_FORMAT_H
#define PS_CORE_FORMAT_H

#include <stdint.h>

#define PS_ADDR_BUF 20

/* Format `va` for a target with `pointer_size` 4 or 8 into buf (at least
 * PS_ADDR_BUF bytes); returns buf. */
const char *ps_format_addr(char *buf, uint64_t va, unsigned pointer_size);

#endif
