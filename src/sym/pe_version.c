/*
 * pe_version.c - the version resource (RT_VERSION) of a PE image.
 *
 * Two steps. First the resource directory (PE/COFF spec, "The .rsrc
 * Section"): three levels of IMAGE_RESOURCE_DIRECTORY tables - type, name,
 * language - whose entries point at subdirectories (high bit set, offset
 * from the start of the section) and finally at an IMAGE_RESOURCE_DATA_ENTRY
 * holding the data's RVA and size. We follow type 16 (RT_VERSION), then the
 * first name and the first language. The walk has exactly three steps, so a
 * directory that points at itself cannot make it loop.
 *
 * Then the VS_VERSIONINFO block (learn.microsoft.com/windows/win32/menurc/
 * vs-versioninfo and the StringFileInfo, StringTable, String, VarFileInfo,
 * Var and VS_FIXEDFILEINFO pages): a tree of nodes, each {wLength,
 * wValueLength, wType, szKey, padding to 4, Value, padding to 4, Children}.
 * Every node is checked against its parent's end; a node's wLength of at
 * least 6 guarantees progress.
 */
#include "poolscope/pe.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/utf16.h"

#define RT_VERSION 16
#define DIR_HEADER_SIZE 16
#define DIR_ENTRY_SIZE 8
#define DATA_ENTRY_SIZE 16
/* Far above any real directory (a type table has a few dozen entries), low
 * enough that a hostile count of 0xFFFF+0xFFFF costs little. */
#define MAX_DIR_ENTRIES 4096
/* wLength is 16 bits, so a version block is never larger. */
#define MAX_VERSION_SIZE 0xFFFFu
#define MAX_CHILDREN 1024
#define FIXED_SIGNATURE 0xFEEF04BDu
#define FIXED_SIZE 52

typedef struct rsrc {
	ps_pe_read_fn read;
	void *ctx;
	uint32_t rva;
	uint32_t size;
} rsrc;

/* Find an entry in the directory at `dir_off`: the one with integer ID `id`,
 * or the first one when id < 0. Sets *value to the entry's OffsetToData. */
static ps_status dir_lookup(const rsrc *r, uint32_t dir_off, long id, const char *level,
			    uint32_t *value, ps_error *err)
{
	uint8_t head[DIR_HEADER_SIZE], chunk[64 * DIR_ENTRY_SIZE];
	uint32_t count, fit, done = 0;
	ps_status st;

	if (!ps_in_bounds(dir_off, DIR_HEADER_SIZE, r->size))
		return ps_error_set(err, PS_EFORMAT, "resource %s directory at offset 0x%x is outside the 0x%x-byte resource section",
				    level, dir_off, r->size);
	st = r->read(r->ctx, r->rva + dir_off, head, sizeof head);
	if (st != PS_OK)
		return ps_error_set(err, st, "resource %s directory at RVA 0x%x cannot be read: %s",
				    level, r->rva + dir_off, ps_status_name(st));
	count = (uint32_t)ps_le16(head + 12) + ps_le16(head + 14);
	fit = (r->size - dir_off - DIR_HEADER_SIZE) / DIR_ENTRY_SIZE;
	if (count > fit)
		count = fit;
	if (count > MAX_DIR_ENTRIES)
		count = MAX_DIR_ENTRIES;

	while (done < count) {
		uint32_t n = count - done;
		uint32_t off = dir_off + DIR_HEADER_SIZE + done * DIR_ENTRY_SIZE;
		if (n > sizeof chunk / DIR_ENTRY_SIZE)
			n = sizeof chunk / DIR_ENTRY_SIZE;
		st = r->read(r->ctx, r->rva + off, chunk, (size_t)n * DIR_ENTRY_SIZE);
		if (st != PS_OK)
			return ps_error_set(err, st, "resource %s directory entries at RVA 0x%x cannot be read: %s",
					    level, r->rva + off, ps_status_name(st));
		for (uint32_t i = 0; i < n; i++) {
			uint32_t name = ps_le32(chunk + i * DIR_ENTRY_SIZE);
			if (id < 0 || (!(name & 0x80000000u) && name == (uint32_t)id)) {
				*value = ps_le32(chunk + i * DIR_ENTRY_SIZE + 4);
				return PS_OK;
			}
		}
		done += n;
	}
	if (id < 0)
		return ps_error_set(err, PS_ENOTFOUND, "resource %s directory at RVA 0x%x is empty",
				    level, r->rva + dir_off);
	return ps_error_set(err, PS_ENOTFOUND, "the image has no version resource (no type %ld in the resource directory at RVA 0x%x)",
			    id, r->rva);
}

static ps_status find_version_data(const rsrc *r, uint32_t *data_rva, uint32_t *data_size, ps_error *err)
{
	static const char *const levels[3] = { "type", "name", "language" };
	uint32_t off = 0, value = 0;
	uint8_t entry[DATA_ENTRY_SIZE];
	ps_status st;

	for (int depth = 0; depth < 3; depth++) {
		st = dir_lookup(r, off, depth == 0 ? RT_VERSION : -1, levels[depth], &value, err);
		if (st != PS_OK)
			return st;
		if (depth < 2 && !(value & 0x80000000u))
			return ps_error_set(err, PS_EFORMAT, "resource %s entry for the version resource points at data, not a directory",
					    levels[depth]);
		if (depth == 2 && (value & 0x80000000u))
			return ps_error_set(err, PS_EFORMAT, "resource language entry for the version resource points at a fourth directory level");
		off = value & 0x7FFFFFFFu;
	}
	if (!ps_in_bounds(off, DATA_ENTRY_SIZE, r->size))
		return ps_error_set(err, PS_EFORMAT, "resource data entry at offset 0x%x is outside the 0x%x-byte resource section",
				    off, r->size);
	st = r->read(r->ctx, r->rva + off, entry, sizeof entry);
	if (st != PS_OK)
		return ps_error_set(err, st, "resource data entry at RVA 0x%x cannot be read: %s",
				    r->rva + off, ps_status_name(st));
	*data_rva = ps_le32(entry);
	*data_size = ps_le32(entry + 4);
	return PS_OK;
}

/* ---- VS_VERSIONINFO ---------------------------------------------------- */

typedef struct node {
	size_t end;            /* one past the node's last byte */
	uint16_t value_length; /* wValueLength as stored */
	size_t key;            /* offset of szKey */
	size_t key_bytes;      /* without the NUL */
	size_t value;          /* offset of Value (after key padding) */
	size_t children;       /* offset of the first child */
} node;

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/* Parse the node header at `off` inside [0, limit). Returns 0 when no node
 * fits there. Offsets are relative to the start of the version block, which
 * the resource compiler aligns on 4 bytes, so they align the same way. */
static int node_at(const uint8_t *b, size_t limit, size_t off, int text, node *n)
{
	size_t len, p, value_bytes;

	if (!ps_in_bounds(off, 6, limit))
		return 0;
	len = ps_le16(b + off);
	if (len < 6)
		return 0;
	n->end = off + len < limit ? off + len : limit;
	n->value_length = ps_le16(b + off + 2);
	n->key = off + 6;
	for (p = n->key; p + 2 <= n->end && ps_le16(b + p) != 0; p += 2)
		;
	n->key_bytes = p - n->key;
	p = p + 2 <= n->end ? p + 2 : n->end;
	n->value = align4(p) < n->end ? align4(p) : n->end;
	/* Text values count 16-bit characters, binary ones bytes. */
	value_bytes = text ? (size_t)n->value_length * 2 : n->value_length;
	n->children = n->value + value_bytes;
	n->children = n->children < n->end ? align4(n->children) : n->end;
	if (n->children > n->end)
		n->children = n->end;
	return 1;
}

static int key_is(const uint8_t *b, const node *n, const char *ascii)
{
	size_t len = strlen(ascii);
	if (n->key_bytes != len * 2)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (ps_le16(b + n->key + 2 * i) != (unsigned char)ascii[i])
			return 0;
	return 1;
}

/* Iterate over the children of `parent`: call with *pos = 0 first. */
static int next_child(const uint8_t *b, const node *parent, size_t *pos, int *count, int text, node *child)
{
	size_t at = *pos ? *pos : parent->children;
	if (*count >= MAX_CHILDREN || !node_at(b, parent->end, at, text, child))
		return 0;
	(*count)++;
	*pos = align4(at + ps_le16(b + at));
	if (*pos <= at)
		return 0;
	return 1;
}

static void read_string_table(const uint8_t *b, const node *table, ps_pe_version *ver)
{
	static const struct {
		const char *key;
		size_t offset, size;
	} fields[] = {
		{ "CompanyName", offsetof(ps_pe_version, company_name), sizeof ver->company_name },
		{ "ProductName", offsetof(ps_pe_version, product_name), sizeof ver->product_name },
		{ "InternalName", offsetof(ps_pe_version, internal_name), sizeof ver->internal_name },
		{ "OriginalFilename", offsetof(ps_pe_version, original_filename), sizeof ver->original_filename },
		{ "FileVersion", offsetof(ps_pe_version, file_version), sizeof ver->file_version },
		{ "ProductVersion", offsetof(ps_pe_version, product_version), sizeof ver->product_version },
		{ "FileDescription", offsetof(ps_pe_version, file_description), sizeof ver->file_description },
		{ "LegalCopyright", offsetof(ps_pe_version, legal_copyright), sizeof ver->legal_copyright },
	};
	node s;
	size_t pos = 0;
	int count = 0;

	while (next_child(b, table, &pos, &count, 1, &s)) {
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			if (!key_is(b, &s, fields[i].key))
				continue;
			/* The value runs to its NUL or the node's end; wValueLength
			 * is not trusted because resource compilers disagree on
			 * whether it counts characters or bytes. */
			ps_utf16_to_utf8(b + s.value, s.end - s.value,
					 (char *)ver + fields[i].offset, fields[i].size);
			break;
		}
	}
}

static void read_translations(const uint8_t *b, const node *var_info, ps_pe_version *ver)
{
	node var;
	size_t pos = 0;
	int count = 0;

	while (next_child(b, var_info, &pos, &count, 0, &var)) {
		size_t end;
		if (!key_is(b, &var, "Translation"))
			continue;
		end = var.value + var.value_length;
		if (end > var.end)
			end = var.end;
		/* Each DWORD: low word language, high word code page. */
		for (size_t p = var.value; p + 4 <= end && ver->translation_count < PS_PE_MAX_TRANSLATIONS; p += 4) {
			uint32_t lang = ps_le16(b + p), cp = ps_le16(b + p + 2);
			ver->translations[ver->translation_count++] = (lang << 16) | cp;
		}
		return;
	}
}

static ps_status parse_version_block(const uint8_t *b, size_t size, uint32_t rva,
				     ps_pe_version *ver, ps_error *err)
{
	node root, child;
	size_t pos = 0;
	int count = 0, have_strings = 0, have_vars = 0;

	if (!node_at(b, size, 0, 0, &root) || !key_is(b, &root, "VS_VERSION_INFO"))
		return ps_error_set(err, PS_EFORMAT, "version resource at RVA 0x%x does not start with a VS_VERSION_INFO block",
				    rva);
	ver->present = 1;
	if (root.value_length >= FIXED_SIZE && ps_in_bounds(root.value, FIXED_SIZE, root.end) &&
	    ps_le32(b + root.value) == FIXED_SIGNATURE) {
		ver->file_version_ms = ps_le32(b + root.value + 8);
		ver->file_version_ls = ps_le32(b + root.value + 12);
		ver->product_version_ms = ps_le32(b + root.value + 16);
		ver->product_version_ls = ps_le32(b + root.value + 20);
	}
	while (next_child(b, &root, &pos, &count, 0, &child)) {
		if (!have_strings && key_is(b, &child, "StringFileInfo")) {
			node table;
			size_t tpos = 0;
			int tcount = 0;
			have_strings = 1;
			if (next_child(b, &child, &tpos, &tcount, 0, &table))
				read_string_table(b, &table, ver);
		} else if (!have_vars && key_is(b, &child, "VarFileInfo")) {
			have_vars = 1;
			read_translations(b, &child, ver);
		}
	}
	return PS_OK;
}

ps_status ps_pe_read_version(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_version *ver, ps_error *err)
{
	uint8_t *block;
	rsrc r = { read, ctx, 0, 0 };
	uint32_t data_rva = 0, data_size = 0;
	ps_status st;

	memset(ver, 0, sizeof *ver);
	if (pe->number_of_rva_and_sizes <= PS_PE_DIR_RESOURCE ||
	    pe->directories[PS_PE_DIR_RESOURCE].rva == 0 || pe->directories[PS_PE_DIR_RESOURCE].size == 0)
		return ps_error_set(err, PS_ENOTFOUND, "the image has no resource directory");
	r.rva = pe->directories[PS_PE_DIR_RESOURCE].rva;
	r.size = pe->directories[PS_PE_DIR_RESOURCE].size;
	if (pe->size_of_image && !ps_in_bounds(r.rva, r.size, pe->size_of_image))
		return ps_error_set(err, PS_EFORMAT, "resource directory RVA 0x%x size 0x%x runs past SizeOfImage 0x%x",
				    r.rva, r.size, pe->size_of_image);

	st = find_version_data(&r, &data_rva, &data_size, err);
	if (st != PS_OK)
		return st;
	if (data_size < 6)
		return ps_error_set(err, PS_EFORMAT, "version resource at RVA 0x%x has size %u, too small for a VS_VERSIONINFO",
				    data_rva, data_size);
	if (data_size > MAX_VERSION_SIZE)
		data_size = MAX_VERSION_SIZE;
	if (pe->size_of_image && !ps_in_bounds(data_rva, data_size, pe->size_of_image))
		return ps_error_set(err, PS_EFORMAT, "version resource RVA 0x%x size 0x%x runs past SizeOfImage 0x%x",
				    data_rva, data_size, pe->size_of_image);
	block = malloc(data_size);
	if (!block)
		return ps_error_set(err, PS_ENOMEM, "no memory for a 0x%x-byte version resource", data_size);
	st = read(ctx, data_rva, block, data_size);
	if (st != PS_OK)
		ps_error_set(err, st, "version resource at RVA 0x%x (0x%x bytes) cannot be read: %s",
			     data_rva, data_size, ps_status_name(st));
	else
		st = parse_version_block(block, data_size, data_rva, ver, err);
	free(block);
	return st;
}
