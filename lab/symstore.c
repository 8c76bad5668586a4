/*
 * symstore.c - `poolscope-lab ... --symbols DIR`: a symbol store of the
 * images the dump contains, in the Microsoft symbol server layout (the one
 * symstore.exe writes and SymSrv reads; the same keys as the SSQP
 * "PE-timestamp-filesize" and "PDB-Signature-Age" conventions):
 *
 *   DIR/<image>/<TimeDateStamp %08X><SizeOfImage %x>/<image>
 *   DIR/<pdb>/<GUID><age>/<pdb>
 *
 * The GUID and age come from each image's CodeView RSDS record, read by the
 * lab's own PE loader (image_load.c); the PDB is the file of that name next
 * to the image, as lab/images builds it. Images are stored under the name
 * the dump's module list gives them, the name a debugger asks for.
 */
#include "lab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static ps_status make_dir(const char *path, ps_error *err)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return PS_OK;
	return ps_error_set(err, PS_EIO, "%s: cannot create directory: %s", path, strerror(errno));
}

/* DIR/name/key/ with every level created. */
static ps_status make_entry_dir(const char *dir, const char *name, const char *key, char *out, size_t size,
				ps_error *err)
{
	ps_status st;

	if ((st = make_dir(dir, err)) != PS_OK)
		return st;
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		return ps_error_set(err, PS_EARG, "%s/%s: path too long", dir, name);
	if ((st = make_dir(out, err)) != PS_OK)
		return st;
	if ((size_t)snprintf(out, size, "%s/%s/%s", dir, name, key) >= size)
		return ps_error_set(err, PS_EARG, "%s/%s/%s: path too long", dir, name, key);
	return make_dir(out, err);
}

/* 1 when both files exist with the same bytes, 0 when they differ, -1
 * when `b` does not exist. */
static int same_file(const char *a, const char *b)
{
	FILE *fa, *fb = fopen(b, "rb");
	int same = 1;

	if (fb == NULL)
		return -1;
	fa = fopen(a, "rb");
	if (fa == NULL) {
		fclose(fb);
		return 0;
	}
	for (;;) {
		int ca = getc(fa), cb = getc(fb);
		if (ca != cb) {
			same = 0;
			break;
		}
		if (ca == EOF)
			break;
	}
	fclose(fa);
	fclose(fb);
	return same;
}

/* Copy `from` to `to`. An existing identical file is kept; a different one
 * under the same key is an error rather than silently replaced (the lab's
 * x86 and x64 drivers share TimeDateStamp and SizeOfImage, so an image
 * key can collide across architectures; PDB keys cannot). */
static ps_status copy_file(const char *from, const char *to, ps_error *err)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;
	int bad = 0, same = same_file(from, to);

	if (same == 1) {
		if (in)
			fclose(in);
		return PS_OK;
	}
	if (same == 0 && in) {
		fclose(in);
		return ps_error_set(err, PS_EARG, "%s already holds a different file under this key (x86 and x64 "
				    "lab images share keys: use one store per architecture)", to);
	}
	if (in == NULL)
		return ps_error_set(err, PS_EIO, "%s: cannot open: %s", from, strerror(errno));
	out = fopen(to, "wb");
	if (out == NULL) {
		fclose(in);
		return ps_error_set(err, PS_EIO, "%s: cannot create: %s", to, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			bad = 1;
			break;
		}
	bad |= ferror(in);
	fclose(in);
	if (fclose(out) != 0 || bad)
		return ps_error_set(err, PS_EIO, "copying %s to %s failed", from, to);
	return PS_OK;
}

/* The CodeView path's last component: "ntoskrnl.pdb", also from a
 * "C:\\...\\x.pdb" path. */
static const char *pdb_base_name(const char *pdb_path)
{
	const char *b = pdb_path;
	for (const char *p = pdb_path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

/* A store entry name must be one path component. */
static int plain_name(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL;
}

static ps_status store_module(const lab_module *m, const char *dir, ps_error *err)
{
	const lab_image *img = &m->img;
	char key[48], entry[1024], path[2048], pdb_src[1024];
	const char *pdb, *slash;
	ps_status st;

	if (!plain_name(m->spec->name))
		return ps_error_set(err, PS_EARG, "module name \"%s\" cannot be a symbol store entry", m->spec->name);
	lab_image_file_key(img, key);
	if ((st = make_entry_dir(dir, m->spec->name, key, entry, sizeof entry, err)) != PS_OK)
		return st;
	snprintf(path, sizeof path, "%s/%s", entry, m->spec->name);
	if ((st = copy_file(img->source_path, path, err)) != PS_OK)
		return st;

	if (lab_image_pdb_key(img, key) != 0 || img->pdb_path[0] == '\0')
		return PS_OK;           /* no CodeView record: no PDB (the GNU driver) */
	pdb = pdb_base_name(img->pdb_path);
	slash = strrchr(img->source_path, '/');
	if (!plain_name(pdb))
		return ps_error_set(err, PS_EFORMAT, "%s: CodeView PDB name \"%s\" is not a file name",
				    img->source_path, img->pdb_path);
	if (slash)
		snprintf(pdb_src, sizeof pdb_src, "%.*s/%s", (int)(slash - img->source_path), img->source_path, pdb);
	else
		snprintf(pdb_src, sizeof pdb_src, "%s", pdb);
	if ((st = make_entry_dir(dir, pdb, key, entry, sizeof entry, err)) != PS_OK)
		return st;
	snprintf(path, sizeof path, "%s/%s", entry, pdb);
	if ((st = copy_file(pdb_src, path, err)) != PS_OK)
		return ps_error_prefix(err, "the PDB of %s: ", m->spec->name);
	return PS_OK;
}

ps_status lab_write_symbol_store(lab *l, const char *dir, ps_error *err)
{
	ps_status st;

	for (size_t i = 0; i < l->module_count; i++)
		if ((st = store_module(&l->modules[i], dir, err)) != PS_OK)
			return ps_error_prefix(err, "symbol store %s: ", dir);
	return PS_OK;
}
