/*
 * utf16.h - UTF-16LE to UTF-8, for the strings Windows stores in images and
 * kernel structures (version resources, UNICODE_STRING buffers, the triage
 * dump's string pool).
 */
#ifndef PS_CORE_UTF16_H
#define PS_CORE_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Convert at most `bytes` bytes of UTF-16LE at `src` (stopping at a NUL
 * character) into `dst`, which always ends NUL-terminated when dst_size > 0.
 * Unpaired surrogates and control characters become U+FFFD, so the result
 * is always safe to print; output that does not fit is cut at a
 * character boundary. Returns the length written, without the NUL. */
size_t ps_utf16_to_utf8(const uint8_t *src, size_t bytes, char *dst, size_t dst_size);

#endif
