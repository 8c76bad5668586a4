/*
 * symstore.c - symbol store keys and lookups in local stores and folders.
 *
 * A symbol store keeps each file under a key made from the identity the
 * image records: name.pdb/<GUID><age>/name.pdb for PDBs, name.sys/
 * <TimeDateStamp><SizeOfImage>/name.sys for images. Beside (or instead of)
 * the file, the key's directory may hold name.pd_ (the file compressed as a
 * CAB) or file.ptr (a pointer to where the file really is). Sources:
 * Microsoft's "Symbol Storage Format" and "SymStore" pages; the key format
 * as in the "SSQP Key conventions" of dotnet/symstore (PDB: GUID fields as
 * %08X%04X%04X then Data4 bytes, then the age; image: %08X timestamp then
 * SizeOfImage in lower-case hex). Files are only ever written through a
 * temporary file and a rename, so a cache never holds a torn file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "sym/symstore_internal.h"

/* The last component of a name that may be a Windows or POSIX path, or
 * NULL when nothing usable is left. */
static const char *base_name(const char *name)
{
	const char *b = name;
	for (const char *p = name; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	size_t len = strlen(b);
	if (len == 0 || len > 200 || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
		return NULL;
	for (const char *p = b; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ':' || *p == '*' ||
		    *p == '?' || *p == ';')
			return NULL;
	return b;
}

ps_status ps_symstore_pdb_key(const char *pdb_name, const uint8_t guid[16], uint32_t age,
			      char *buf, size_t n)
{
	const char *b = pdb_name ? base_name(pdb_name) : NULL;
	if (!b || !guid || !buf)
		return PS_EARG;
	int len = snprintf(buf, n,
			   "%s/%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X/%s", b,
			   (unsigned)ps_le32(guid), (unsigned)ps_le16(guid + 4),
			   (unsigned)ps_le16(guid + 6), guid[8], guid[9], guid[10], guid[11],
			   guid[12], guid[13], guid[14], guid[15], (unsigned)age, b);
	return (len < 0 || (size_t)len >= n) ? PS_EARG : PS_OK;
}

ps_status ps_symstore_image_key(const char *name, uint32_t timestamp, uint32_t size_of_image,
				char *buf, size_t n)
{
	const char *b = name ? base_name(name) : NULL;
	if (!b || !buf)
		return PS_EARG;
	int len = snprintf(buf, n, "%s/%08X%x/%s", b, (unsigned)timestamp,
			   (unsigned)size_of_image, b);
	return (len < 0 || (size_t)len >= n) ? PS_EARG : PS_OK;
}

ps_status ps_symsearch_init(ps_symsearch *s, const char *name, const char *id, int want_pdb,
			    ps_error *err)
{
	const char *b = name ? base_name(name) : NULL;
	if (!b)
		return ps_error_set(err, PS_EARG, "symbol path: unusable file name '%s'",
				    name ? name : "(null)");
	size_t len = strlen(b);
	memcpy(s->name, b, len + 1);
	memcpy(s->packed, b, len + 1);
	/* SymSrv's compressed form replaces the name's last character. */
	s->packed[len - 1] = '_';
	if (strlen(id) >= sizeof s->id)
		return ps_error_set(err, PS_EARG, "symbol path: key '%s' too long", id);
	strcpy(s->id, id);
	/* Each fits: 200 + 1 + 63 + 1 + 200 < 600. */
	snprintf(s->rel, sizeof s->rel, "%s/%s/%s", s->name, s->id, s->name);
	snprintf(s->rel_packed, sizeof s->rel_packed, "%s/%s/%s", s->name, s->id, s->packed);
	snprintf(s->rel_ptr, sizeof s->rel_ptr, "%s/%s/file.ptr", s->name, s->id);
	s->want_pdb = want_pdb;
	return PS_OK;
}

void ps_symlog(FILE *log, const char *fmt, ...)
{
	if (!log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("sympath: ", log);
	vfprintf(log, fmt, ap);
	fputc('\n', log);
	va_end(ap);
	fflush(log);
}

/* PDB 7.0 files start "Microsoft C/C++ MSF 7.00", 2.0 files "Microsoft
 * C/C++ program database 2.00"; images start with the DOS "MZ". A server
 * answering 200 with an HTML page fails this before anyone parses it. */
static int has_magic(const char *path, int want_pdb, char *why, size_t wn)
{
	static const char pdb_magic[] = "Microsoft C/C++ ";
	unsigned char head[32] = {0};
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, wn, "cannot open: %s", strerror(errno));
		return 0;
	}
	size_t got = fread(head, 1, sizeof head, f);
	fclose(f);
	if (want_pdb) {
		if (got >= sizeof pdb_magic - 1 && memcmp(head, pdb_magic, sizeof pdb_magic - 1) == 0)
			return 1;
		snprintf(why, wn, "not a PDB (no MSF signature)");
		return 0;
	}
	if (got >= 2 && head[0] == 'M' && head[1] == 'Z')
		return 1;
	snprintf(why, wn, "not a PE image (no MZ signature)");
	return 0;
}

ps_status ps_symsearch_accept(ps_symsearch *s, const char *path, int created)
{
	char why[128];
	if (!has_magic(path, s->want_pdb, why, sizeof why)) {
		ps_symlog(s->log, "%s - rejected: %s", path, why);
	} else if (s->verify && !s->verify(s->verify_ctx, path)) {
		ps_symlog(s->log, "%s - rejected by the caller (identity does not match)", path);
	} else if (strlen(path) >= s->out_size) {
		ps_symlog(s->log, "%s - path too long for the caller's buffer", path);
	} else {
		strcpy(s->out, path);
		return PS_OK;
	}
	if (created && unlink(path) == 0)
		ps_symlog(s->log, "%s - removed from the cache", path);
	return PS_ENOTFOUND;
}

ps_status ps_sympath_join(char *buf, size_t n, const char *a, const char *b, ps_error *err)
{
	int len = snprintf(buf, n, "%s/%s", a, b);
	if (len < 0 || (size_t)len >= n)
		return ps_error_set(err, PS_EARG, "symbol path: path too long: %s/%s", a, b);
	return PS_OK;
}

int ps_symfile_is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;
	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

ps_status ps_symfile_mkdirs(const char *dir, ps_error *err)
{
	char buf[PS_SYM_PATH_MAX];
	size_t len = strlen(dir);
	if (len == 0 || len >= sizeof buf)
		return ps_error_set(err, PS_EARG, "symbol cache: bad directory '%s'", dir);
	memcpy(buf, dir, len + 1);
	/* Create each prefix in turn; the loop ends at the string's end. */
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			ps_status st = ps_error_set(err, PS_EIO, "symbol cache: cannot create %s: %s",
						    buf, strerror(errno));
			return st;
		}
		buf[i] = saved;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return ps_error_set(err, PS_EIO, "symbol cache: %s is not a directory", dir);
	return PS_OK;
}

ps_status ps_symfile_temp(const char *final, char *tmp, size_t n, int *fd, ps_error *err)
{
	char dir[PS_SYM_PATH_MAX];
	const char *slash = strrchr(final, '/');
	if (!slash || (size_t)(slash - final) >= sizeof dir)
		return ps_error_set(err, PS_EARG, "symbol cache: bad file path '%s'", final);
	memcpy(dir, final, (size_t)(slash - final));
	dir[slash - final] = '\0';
	ps_status st = ps_symfile_mkdirs(dir[0] ? dir : "/", err);
	if (st != PS_OK)
		return st;
	/* A dot name so a half-written file never looks like a store entry. */
	int len = snprintf(tmp, n, "%s/.%s.part-XXXXXX", dir, slash + 1);
	if (len < 0 || (size_t)len >= n)
		return ps_error_set(err, PS_EARG, "symbol cache: path too long: %s", final);
	*fd = mkstemp(tmp);
	if (*fd < 0)
		return ps_error_set(err, PS_EIO, "symbol cache: cannot create a file in %s: %s",
				    dir, strerror(errno));
	/* mkstemp makes 0600; a cache is for everyone. Failing is harmless. */
	(void)fchmod(*fd, 0644);
	return PS_OK;
}

ps_status ps_symfile_commit(const char *tmp, const char *final, ps_error *err)
{
	if (rename(tmp, final) != 0) {
		ps_status st = ps_error_set(err, PS_EIO, "symbol cache: cannot rename %s to %s: %s",
					    tmp, final, strerror(errno));
		unlink(tmp);
		return st;
	}
	return PS_OK;
}

ps_status ps_symfile_copy(const char *src, const char *dst, ps_error *err)
{
	char tmp[PS_SYM_PATH_MAX];
	int out;
	int in = open(src, O_RDONLY);
	if (in < 0)
		return ps_error_set(err, PS_EIO, "cannot open %s: %s", src, strerror(errno));
	ps_status st = ps_symfile_temp(dst, tmp, sizeof tmp, &out, err);
	if (st != PS_OK) {
		close(in);
		return st;
	}
	char buf[1 << 16];
	uint64_t total = 0;
	for (;;) {
		ssize_t got = read(in, buf, sizeof buf);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			st = ps_error_set(err, PS_EIO, "cannot read %s: %s", src, strerror(errno));
			break;
		}
		total += (uint64_t)got;
		if (total > PS_SYM_MAX_FILE) {
			st = ps_error_set(err, PS_ENOMEM, "%s is larger than %llu bytes", src,
					  (unsigned long long)PS_SYM_MAX_FILE);
			break;
		}
		for (ssize_t done = 0; done < got;) {
			ssize_t w = write(out, buf + done, (size_t)(got - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				st = ps_error_set(err, PS_EIO, "cannot write %s: %s", tmp,
						  strerror(errno));
				break;
			}
			done += w;
		}
		if (st != PS_OK)
			break;
	}
	close(in);
	if (close(out) != 0 && st == PS_OK)
		st = ps_error_set(err, PS_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (st != PS_OK) {
		unlink(tmp);
		return st;
	}
	return ps_symfile_commit(tmp, dst, err);
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && ((unsigned char)**b <= ' '))
		(*b)++;
	while (*e > *b && ((unsigned char)(*e)[-1] <= ' '))
		(*e)--;
}

static void copy_span(char *dst, size_t n, const char *b, const char *e)
{
	size_t len = (size_t)(e - b);
	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(dst, b, len);
	dst[len] = '\0';
	/* A pointer or message is shown in logs: no control characters. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

ps_status ps_symptr_parse(const char *text, size_t len, char *target, size_t tn, char *msg,
			  size_t mn)
{
	const char *b = text, *e = text + len;
	if (tn)
		target[0] = '\0';
	if (mn)
		msg[0] = '\0';
	/* Some editors leave a UTF-8 byte order mark. */
	if (len >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB &&
	    (unsigned char)b[2] == 0xBF)
		b += 3;
	/* Only the first line counts. */
	const char *nl = memchr(b, '\n', (size_t)(e - b));
	if (nl)
		e = nl;
	trim(&b, &e);
	if (b == e || memchr(b, '\0', (size_t)(e - b)))
		return PS_EFORMAT;
	if (e - b >= 4 && strncmp(b, "MSG:", 4) == 0) {
		b += 4;
		trim(&b, &e);
		copy_span(msg, mn, b, e);
		return PS_ENOTFOUND;
	}
	if (e - b >= 5 && strncmp(b, "PATH:", 5) == 0) {
		b += 5;
		trim(&b, &e);
		if (b == e)
			return PS_EFORMAT;
	}
	if ((size_t)(e - b) >= tn)
		return PS_EFORMAT;
	copy_span(target, tn, b, e);
	return PS_OK;
}

ps_status ps_symstore_find_flat(ps_symsearch *s, const char *dir)
{
	char path[PS_SYM_PATH_MAX];
	if (ps_sympath_join(path, sizeof path, dir, s->name, NULL) != PS_OK)
		return PS_ENOTFOUND;
	if (!ps_symfile_is_regular(path)) {
		ps_symlog(s->log, "%s - not found", path);
		return PS_ENOTFOUND;
	}
	ps_symlog(s->log, "%s - found", path);
	return ps_symsearch_accept(s, path, 0);
}

/* Offer a file found outside the cache, copying it into the cache first
 * when there is one (as SymSrv fills its downstream store). */
static ps_status offer_copied(ps_symsearch *s, const char *found, const char *copy_to)
{
	char dst[PS_SYM_PATH_MAX];
	ps_error e;
	if (copy_to && ps_sympath_join(dst, sizeof dst, copy_to, s->rel, NULL) == PS_OK) {
		if (ps_symfile_copy(found, dst, &e) == PS_OK) {
			ps_symlog(s->log, "%s - copied to %s", found, dst);
			return ps_symsearch_accept(s, dst, 1);
		}
		ps_symlog(s->log, "%s - not cached: %s", found, e.message);
	}
	return ps_symsearch_accept(s, found, 0);
}

/* Read a small text file entirely; PS_EFORMAT when it is too big. */
static ps_status read_small(const char *path, char *buf, size_t n, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return PS_EIO;
	*len = fread(buf, 1, n, f);
	int more = fgetc(f) != EOF;
	fclose(f);
	return more ? PS_EFORMAT : PS_OK;
}

static ps_status follow_ptr(ps_symsearch *s, const char *ptr_path, const char *copy_to)
{
	char text[PS_SYM_PTR_MAX], target[PS_SYM_PATH_MAX], msg[512];
	size_t len = 0;
	ps_status st = read_small(ptr_path, text, sizeof text, &len);
	if (st != PS_OK) {
		ps_symlog(s->log, "%s - %s", ptr_path,
			  st == PS_EIO ? "cannot read" : "larger than a file pointer can be");
		return PS_ENOTFOUND;
	}
	st = ps_symptr_parse(text, len, target, sizeof target, msg, sizeof msg);
	if (st == PS_ENOTFOUND) {
		ps_symlog(s->log, "%s - message from the store: %s", ptr_path, msg);
		return PS_ENOTFOUND;
	}
	if (st != PS_OK) {
		ps_symlog(s->log, "%s - not a file pointer (expected PATH:<path> or MSG:<text>)",
			  ptr_path);
		return PS_ENOTFOUND;
	}
	if (target[0] != '/') {
		ps_symlog(s->log, "%s - points at '%s', not a local absolute path", ptr_path,
			  target);
		return PS_ENOTFOUND;
	}
	if (!ps_symfile_is_regular(target)) {
		ps_symlog(s->log, "%s - points at %s, which does not exist", ptr_path, target);
		return PS_ENOTFOUND;
	}
	ps_symlog(s->log, "%s - points at %s", ptr_path, target);
	return offer_copied(s, target, copy_to);
}

ps_status ps_symstore_find_local(ps_symsearch *s, const char *store, const char *copy_to,
				 const char *unpack_to)
{
	char path[PS_SYM_PATH_MAX];
	if (copy_to && same_dir(copy_to, store))
		copy_to = NULL;

	if (ps_sympath_join(path, sizeof path, store, s->rel, NULL) != PS_OK)
		return PS_ENOTFOUND;
	int seen = 0;
	if (ps_symfile_is_regular(path)) {
		seen = 1;
		ps_symlog(s->log, "%s - found", path);
		if (offer_copied(s, path, copy_to) == PS_OK)
			return PS_OK;
	}

	if (ps_sympath_join(path, sizeof path, store, s->rel_packed, NULL) == PS_OK &&
	    ps_symfile_is_regular(path)) {
		char dst[PS_SYM_PATH_MAX];
		ps_error e;
		seen = 1;
		const char *into = unpack_to ? unpack_to : copy_to;
		if (!into) {
			ps_symlog(s->log, "%s - found, but there is no cache to decompress it into",
				  path);
		} else if (ps_sympath_join(dst, sizeof dst, into, s->rel, &e) != PS_OK ||
			   ps_cab_extract_single(path, s->name, dst, &e) != PS_OK) {
			ps_symlog(s->log, "%s - cannot decompress: %s", path, e.message);
		} else {
			ps_symlog(s->log, "%s - decompressed to %s", path, dst);
			if (ps_symsearch_accept(s, dst, 1) == PS_OK)
				return PS_OK;
		}
	}

	if (ps_sympath_join(path, sizeof path, store, s->rel_ptr, NULL) == PS_OK &&
	    ps_symfile_is_regular(path)) {
		seen = 1;
		if (follow_ptr(s, path, copy_to) == PS_OK)
			return PS_OK;
	}
	if (!seen) {
		ps_sympath_join(path, sizeof path, store, s->rel, NULL);
		ps_symlog(s->log, "%s - not found (nor %s, nor file.ptr)", path, s->packed);
	}
	return PS_ENOTFOUND;
}
