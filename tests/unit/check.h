/*
 * check.h - the tiny assertion kit the unit tests use.
 *
 * A failed CHECK prints the file, line and expression and counts a failure;
 * the test keeps going so one run shows every broken assertion. CHECK_DONE()
 * prints the closing "N passed, N failed" line and returns the exit code.
 */
#ifndef PS_TEST_CHECK_H
#define PS_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (cond) {                                                     \
			check_passed++;                                         \
		} else {                                                        \
			check_failed++;                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,  \
				__LINE__, #cond);                               \
		}                                                               \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                      \
	do {                                                                    \
		uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);    \
		if (check_a_ == check_b_) {                                     \
			check_passed++;                                         \
		} else {                                                        \
			check_failed++;                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s "        \
				"(0x%" PRIx64 " != 0x%" PRIx64 ")\n", __FILE__, \
				__LINE__, #a, #b, check_a_, check_b_);          \
		}                                                               \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *check_a_ = (a), *check_b_ = (b);                    \
		if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {  \
			check_passed++;                                         \
		} else {                                                        \
			check_failed++;                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s\n"       \
				"  got:      \"%s\"\n  expected: \"%s\"\n",          \
				__FILE__, __LINE__, #a, #b,                     \
				check_a_ ? check_a_ : "(null)",                 \
				check_b_ ? check_b_ : "(null)");                \
		}                                                               \
	} while (0)

#define CHECK_DONE()                                                            \
	(printf("%d passed, %d failed\n", check_passed, check_failed),          \
	 check_failed ? 1 : 0)

/* Path under the shared reference directory (../shared next to the clone). */
static inline const char *check_shared_path(char *buf, size_t n, const char *rel)
{
	const char *dir = getenv("PS_SHARED_DIR");
	snprintf(buf, n, "%s/%s", dir ? dir : "../shared", rel);
	return buf;
}

/* The whole file at `path` in a malloc'ed buffer (one spare NUL byte after
 * the data, so text can be used as a string), or NULL. *size gets its
 * length. */
static inline uint8_t *check_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = 0;
			*size = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Path under the build directory. */
static inline const char *check_build_path(char *buf, size_t n, const char *rel)
{
	const char *dir = getenv("PS_BUILD_DIR");
	snprintf(buf, n, "%s/%s", dir ? dir : ".", rel);
	return buf;
}

#endif
