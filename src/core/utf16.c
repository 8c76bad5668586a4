/*
 * utf16.c - UTF-16LE to UTF-8 conversion into fixed-size buffers.
 */
#include "core/utf16.h"

#include "core/bytes.h"

static size_t encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t ps_utf16_to_utf8(const uint8_t *src, size_t bytes, char *dst, size_t dst_size)
{
	size_t n = 0, i = 0;

	if (dst_size == 0)
		return 0;
	while (i + 2 <= bytes) {
		uint32_t cp = ps_le16(src + i);
		char enc[4];
		size_t len;

		i += 2;
		if (cp == 0)
			break;
		if (cp >= 0xD800 && cp < 0xDC00 && i + 2 <= bytes) {
			uint32_t lo = ps_le16(src + i);
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if ((cp >= 0xD800 && cp < 0xE000) || cp < 0x20)
			cp = 0xFFFD;
		len = encode(cp, enc);
		if (n + len >= dst_size)
			break;
		for (size_t k = 0; k < len; k++)
			dst[n++] = enc[k];
	}
	dst[n] = '\0';
	return n;
}
