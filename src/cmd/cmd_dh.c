/*
 * cmd_dh.c - `!dh [options] ADDRESS`: the file header, optional header,
 * section headers and debug directories of the image mapped at ADDRESS.
 *
 * The layout is WinDbg's (the ext extension of Debugging Tools for Windows
 * 10): field values right-aligned in 8 columns ("%8X name"), the image base
 * and the stack and heap sizes as pointers of the target's width, flag
 * names indented 12 columns in the headers and 9 in the sections, and the
 * debug directories printed after the section that holds them as
 *   "\tcv           24       1e7cc    1dbcc\tFormat: RSDS, guid, 1, x.pdb"
 * (the GUID really is printed as the word "guid"; the age is in hex).
 * Sources: the !dh page on learn.microsoft.com (options, -h text), !dh
 * output in public write-ups for an x86 driver, x64 drivers, notepad.exe,
 * ntdll.dll and ntkrnlmp.exe (checked column by column), and the format
 * strings of the extension as published in a disassembly of it. Two
 * generations of the extension differ in one place: an unknown debug type
 * prints as "(%6u)" in older ones and "(%5u)" in the current one, which
 * also knows type 20 (extended DLL characteristics); this follows the
 * current one. The names of extended DLL characteristics other than bit 0
 * ("CET compatible") and of the rarer subsystems are not confirmed.
 *
 * WinDbg reads the headers with plain memory reads and says so when one
 * fails ("Can't read debug dir"); so does this, with no guessing: a part of
 * the image missing from the dump is reported where it would be printed.
 * -e and -i (exports, imports) are recognised and refused.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd_dh.h"
#include "cmd/cmd_util.h"
#include "core/bytes.h"
#include "poolscope/pe.h"

#define DH_HEADERS 1
#define DH_SECTIONS 2

#define NT_HEADERS_MAX (4 + 20 + 240)  /* IMAGE_NT_HEADERS64 */
#define SECTION_SIZE 40
#define DEBUG_ENTRY_SIZE 28
/* WinDbg reads at most this much CodeView data. */
#define CV_READ_MAX 0x324
/* Far above any image; bounds a hostile debug directory size. */
#define MAX_DEBUG_ENTRIES 256

typedef struct dh_image {
	ps_session *s;
	uint64_t base;
	uint8_t nt[NT_HEADERS_MAX];    /* signature, file header, optional header */
	const uint8_t *file;           /* nt + 4 */
	const uint8_t *opt;            /* nt + 24 */
	int pe32_plus;
	uint8_t *sections;             /* raw section headers */
	unsigned nsections;
} dh_image;

/* Bytes of the image; returns how many of `len` could be read. */
static size_t read_image(const dh_image *im, uint64_t rva, void *buf, size_t len)
{
	size_t done = 0;

	if (ps_vm_read(im->s->vm, im->base + rva, buf, len, &done, NULL) == PS_OK)
		return len;
	return done;
}

static void print_ptr(const dh_image *im, uint64_t v, const char *what, FILE *out)
{
	if (ps_cmd_pointer_size(im->s) == 8)
		fprintf(out, "%016" PRIx64 " %s\n", v, what);
	else
		fprintf(out, "%08" PRIx32 " %s\n", (uint32_t)v, what);
}

/* Optional-header fields that differ between PE32 and PE32+. */
static uint64_t opt_image_base(const dh_image *im)
{
	return im->pe32_plus ? ps_le64(im->opt + 24) : ps_le32(im->opt + 28);
}

static uint64_t opt_size_field(const dh_image *im, unsigned index)
{
	return im->pe32_plus ? ps_le64(im->opt + 72 + 8 * index) : ps_le32(im->opt + 72 + 4 * index);
}

static const uint8_t *opt_directory(const dh_image *im, unsigned index)
{
	return im->opt + (im->pe32_plus ? 112 : 96) + 8 * index;
}

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case 0x14C: return "i386";
	case 0x184: return "Alpha AXP";
	case 0x1C0: return "ARM 32-bit";
	case 0x1C2: return "ARM 32-bit (Thumb)";
	case 0x1C4: return "ARM NT (Thumb-2)";
	case 0x1F2: return "PowerPC Big-Endian 32-bit";
	case 0x200: return "Intel IA64";
	case 0x284: return "Alpha AXP64";
	case 0x8664: return "X64";
	case 0xAA64: return "ARMv8 (64-bit)";
	}
	return "Unknown";
}

/* WinDbg names CHPE images by their load configuration's
 * CHPEMetadataPointer (x86: offset 0x7C of a >= 0x80-byte structure; x64:
 * offset 0xC8 of a >= 0xD0-byte one). */
static const char *machine_label(const dh_image *im, FILE *out)
{
	uint16_t m = ps_le16(im->file);
	const uint8_t *dir = opt_directory(im, 10);
	uint32_t rva = ps_le32(dir), size = ps_le32(dir + 4);
	uint8_t lc[0x148] = { 0 };
	uint32_t min, want, off;

	if (m == 0x14C) {
		min = 0x80, want = 0xC4, off = 0x7C;
	} else if (m == 0x8664) {
		min = 0xD0, want = 0x148, off = 0xC8;
	} else {
		return machine_name(m);
	}
	if (rva == 0 || size < min)
		return machine_name(m);
	if (size < want)
		want = size;
	if (read_image(im, rva, lc, want) != want) {
		fputs("Can't read load config section\n", out);
		return machine_name(m);
	}
	if (ps_le32(lc) >= min && (m == 0x14C ? ps_le32(lc + off) != 0 : ps_le64(lc + off) != 0))
		return m == 0x14C ? "i386 (CHPE)" : "X64 (CHPEv2)";
	return machine_name(m);
}

static const char *file_flag_name(unsigned bit)
{
	switch (bit) {
	case 0x0001: return "Relocations stripped";
	case 0x0002: return "Executable";
	case 0x0004: return "Line numbers stripped";
	case 0x0008: return "Symbols stripped";
	case 0x0020: return "App can handle >2gb addresses";
	case 0x0080: return "Bytes reversed";
	case 0x0100: return "32 bit word machine";
	case 0x0200: return "Debug information stripped";
	case 0x0400: return "Run from swap file if image is on removable media";
	case 0x0800: return "Run from swap file if image is on net";
	case 0x1000: return "System";
	case 0x2000: return "DLL";
	case 0x8000: return NULL;   /* BYTES_REVERSED_HI: not listed */
	}
	return "RESERVED - UNKNOWN";
}

static const char *dll_flag_name(unsigned bit)
{
	switch (bit) {
	case 0x0020: return "High entropy VA supported";
	case 0x0040: return "Dynamic base";
	case 0x0080: return "Check integrity";
	case 0x0100: return "NX compatible";
	case 0x0200: return "Isolation disabled";
	case 0x0400: return "No structured exception handler";
	case 0x0800: return "Do not bind";
	case 0x1000: return "AppContainer executable";
	case 0x2000: return "WDM driver";
	case 0x4000: return "Guard";
	case 0x8000: return "Terminal server aware";
	}
	return NULL;                /* the four reserved low bits */
}

/* Native, Windows GUI and Windows CUI are WinDbg's words (seen in output);
 * the rarer ones follow the PE/COFF spec's descriptions. */
static const char *subsystem_name(uint16_t v)
{
	switch (v) {
	case 1: return "Native";
	case 2: return "Windows GUI";
	case 3: return "Windows CUI";
	case 5: return "OS/2 CUI";
	case 7: return "Posix CUI";
	case 9: return "Windows CE GUI";
	case 10: return "EFI Application";
	case 11: return "EFI Boot Service Driver";
	case 12: return "EFI Runtime Driver";
	case 13: return "EFI ROM";
	case 14: return "Xbox";
	case 16: return "Windows Boot Application";
	}
	return "Unknown";
}

static const char *const directory_names[16] = {
	"Export", "Import", "Resource", "Exception", "Security", "Base Relocation", "Debug",
	"Description", "Special", "Thread Storage", "Load Configuration", "Bound Import",
	"Import Address Table", "Delay Import", "COR20 Header", "Reserved",
};

/* WinDbg's file type: ROM images have a 56-byte optional header. */
static const char *file_type(const dh_image *im)
{
	uint16_t opt_size = ps_le16(im->file + 16), ch = ps_le16(im->file + 18);

	if (opt_size == 56)
		return "ROM IMAGE";
	if (ch & 0x2000)
		return "DLL";
	if (ch & 0x0002)
		return "EXECUTABLE IMAGE";
	return opt_size == 0 ? "COFF OBJECT" : "UNKNOWN";
}

static void dump_headers(const dh_image *im, FILE *out)
{
	const uint8_t *f = im->file, *o = im->opt;
	uint16_t magic = ps_le16(o), ch = ps_le16(f + 18), dllch;
	uint32_t stamp = ps_le32(f + 4);
	char when[64], ver[3][32];
	const char *machine;

	fprintf(out, "\nFile Type: %s\n", file_type(im));
	machine = machine_label(im, out);
	fprintf(out, "FILE HEADER VALUES\n%8X machine (%s)\n%8X number of sections\n%8X time date stamp %s\n\n",
		ps_le16(f), machine, ps_le16(f + 2), stamp, ps_cmd_fmt_ctime((time_t)stamp, when, sizeof when));
	fprintf(out, "%8X file pointer to symbol table\n%8X number of symbols\n%8X size of optional header\n%8X characteristics\n",
		ps_le32(f + 8), ps_le32(f + 12), ps_le16(f + 16), ch);
	for (unsigned bit = 1; bit && bit <= 0x8000; bit <<= 1) {
		const char *name = (ch & bit) ? file_flag_name(bit) : NULL;
		if (name)
			fprintf(out, "            %s\n", name);
	}
	if (ps_le16(f + 16) == 0)
		return;

	fprintf(out, "\nOPTIONAL HEADER VALUES\n%8X magic #\n", magic);
	snprintf(ver[0], sizeof ver[0], "%u.%02u", o[2], o[3]);
	fprintf(out, "%8s linker version\n%8X size of code\n%8X size of initialized data\n"
		     "%8X size of uninitialized data\n%8X address of entry point\n%8X base of code\n",
		ver[0], ps_le32(o + 4), ps_le32(o + 8), ps_le32(o + 12), ps_le32(o + 16), ps_le32(o + 20));
	if (magic != 0x10B && magic != 0x20B)
		return;

	fputs("         ----- new -----\n", out);
	print_ptr(im, opt_image_base(im), "image base", out);
	for (int i = 0; i < 3; i++)
		snprintf(ver[i], sizeof ver[i], "%u.%02u", ps_le16(o + 40 + 4 * i), ps_le16(o + 42 + 4 * i));
	fprintf(out, "%8X section alignment\n%8X file alignment\n%8X subsystem (%s)\n"
		     "%8s operating system version\n%8s image version\n%8s subsystem version\n"
		     "%8X size of image\n%8X size of headers\n%8X checksum\n",
		ps_le32(o + 32), ps_le32(o + 36), ps_le16(o + 68), subsystem_name(ps_le16(o + 68)),
		ver[0], ver[1], ver[2], ps_le32(o + 56), ps_le32(o + 60), ps_le32(o + 64));
	print_ptr(im, opt_size_field(im, 0), "size of stack reserve", out);
	print_ptr(im, opt_size_field(im, 1), "size of stack commit", out);
	print_ptr(im, opt_size_field(im, 2), "size of heap reserve", out);
	print_ptr(im, opt_size_field(im, 3), "size of heap commit", out);
	dllch = ps_le16(o + 70);
	fprintf(out, "%8X  DLL characteristics\n", dllch);
	for (unsigned bit = 1; bit <= 0x8000; bit <<= 1) {
		const char *name = (dllch & bit) ? dll_flag_name(bit) : NULL;
		if (name)
			fprintf(out, "            %s\n", name);
	}
	for (unsigned i = 0; i < 16; i++) {
		const uint8_t *d = opt_directory(im, i);
		fprintf(out, "%8X [%8X] address [size] of %s Directory\n", ps_le32(d), ps_le32(d + 4),
			directory_names[i]);
	}
	fputs("\n", out);
}

static void print_section_flags(uint32_t ch, FILE *out)
{
	unsigned mem = 0;
	const char *align;

	/* Bits 20..22 are the alignment, printed after the other flags. */
	for (uint32_t bit = 1; bit; bit <<= 1) {
		const char *name = "RESERVED - UNKNOWN";

		if (!(ch & bit) || (bit & 0x00700000u))
			continue;
		switch (bit) {
		case 0x00000008u: name = "No Pad"; break;
		case 0x00000020u: name = "Code"; break;
		case 0x00000040u: name = "Initialized Data"; break;
		case 0x00000080u: name = "Uninitialized Data"; break;
		case 0x00000100u: name = "Other"; break;
		case 0x00000200u: name = "Info"; break;
		case 0x00000800u: name = "Remove"; break;
		case 0x00001000u: name = "Communal"; break;
		case 0x00004000u: name = "Protected"; break;
		case 0x00008000u: name = "Far Data"; break;
		case 0x00010000u: name = "Sys Heap"; break;
		case 0x00020000u: name = "Purgeable or 16-Bit"; break;
		case 0x00040000u: name = "Locked"; break;
		case 0x00080000u: name = "Preload"; break;
		case 0x02000000u: name = "Discardable"; break;
		case 0x04000000u: name = "Not Cached"; break;
		case 0x08000000u: name = "Not Paged"; break;
		case 0x10000000u: name = "Shared"; break;
		case 0x20000000u: mem |= 1; name = NULL; break;
		case 0x40000000u: mem |= 2; name = NULL; break;
		case 0x80000000u: mem |= 4; name = NULL; break;
		}
		if (name)
			fprintf(out, "         %s\n", name);
	}
	switch (ch & 0x00700000u) {
	case 0x00100000u: align = "1 byte align"; break;
	case 0x00200000u: align = "2 byte align"; break;
	case 0x00300000u: align = "4 byte align"; break;
	case 0x00400000u: align = "8 byte align"; break;
	case 0x00500000u: align = "16 byte align"; break;
	case 0x00600000u: align = "32 byte align"; break;
	case 0x00700000u: align = "64 byte align"; break;
	default: align = "(no align specified)"; break;
	}
	fprintf(out, "         %s\n", align);
	if (mem) {
		static const char *const mem_names[8] = {
			"", "Execute Only", "Read Only", "Execute Read", "Write Only",
			"Execute Write", "Read Write", "Execute Read Write",
		};
		fprintf(out, "         %s\n", mem_names[mem]);
	}
}

/* A file offset of debug data to an RVA, through the section table. */
static int file_pointer_to_rva(const dh_image *im, uint32_t fp, uint32_t *rva)
{
	for (unsigned i = 0; i < im->nsections; i++) {
		const uint8_t *h = im->sections + i * SECTION_SIZE;
		uint32_t raw = ps_le32(h + 20), raw_size = ps_le32(h + 16);
		if (fp >= raw && fp - raw < raw_size) {
			*rva = ps_le32(h + 12) + (fp - raw);
			return 1;
		}
	}
	return 0;
}

/* Where an entry's data is: AddressOfRawData, else the file pointer. */
static int debug_data_rva(const dh_image *im, const uint8_t *e, uint32_t *rva)
{
	if (ps_le32(e + 20)) {
		*rva = ps_le32(e + 20);
		return 1;
	}
	return file_pointer_to_rva(im, ps_le32(e + 24), rva);
}

static void print_codeview(const dh_image *im, const uint8_t *e, FILE *out)
{
	uint8_t cv[CV_READ_MAX + 1] = { 0 };
	uint32_t rva, size = ps_le32(e + 16), sig;
	size_t got;

	if (!debug_data_rva(im, e, &rva)) {
		fputs(" [Debug data not mapped]\n", out);
		return;
	}
	if (size > CV_READ_MAX)
		size = CV_READ_MAX;
	got = read_image(im, rva, cv, size);
	if (got != size) {
		fprintf(out, "\tCan't read debug data cb=%zx\n", got);
		return;
	}
	sig = ps_le32(cv);
	if (sig == 0x3031424Eu)        /* NB10 */
		fprintf(out, "\tFormat: NB10, %x, %x, %s", ps_le32(cv + 8), ps_le32(cv + 12), (const char *)cv + 16);
	else if (sig == 0x3131424Eu)
		fputs("\tFormat: NB11", out);
	else if (sig == 0x3930424Eu)
		fputs("\tFormat: NB09", out);
	else if (sig == 0x53445352u)   /* RSDS */
		fprintf(out, "\tFormat: RSDS, guid, %x, %s", ps_le32(cv + 20), (const char *)cv + 24);
	else
		fprintf(out, "\tFormat: UNKNOWN - sig = 0x%x", sig);
}

/* IMAGE_DEBUG_TYPE_MISC: an IMAGE_DEBUG_MISC list; type 1 holds the name. */
static void print_misc(const dh_image *im, const uint8_t *e, FILE *out)
{
	uint8_t data[4096 + 1] = { 0 };
	uint32_t rva, size = ps_le32(e + 16), off = 0;

	if (!file_pointer_to_rva(im, ps_le32(e + 24), &rva)) {
		fputs(" [Debug data not mapped]\n", out);
		return;
	}
	if (size > 4096)
		size = 4096;
	if (read_image(im, rva, data, size) != size) {
		fputs("Can't read debug data\n", out);
		return;
	}
	while (off + 12 <= size) {
		uint32_t len = ps_le32(data + off + 4);
		if (ps_le32(data + off) == 1) {
			/* Linkers before 2.37 put the name 3 bytes earlier. */
			unsigned at = (im->opt[2] == 2 && im->opt[3] < 37) ? 9 : 12;
			fprintf(out, "\tImage Name: %.*s", (int)(size - off - at), (const char *)data + off + at);
			return;
		}
		if (len == 0 || len > size - off)
			return;
		off += len;
	}
}

static void print_ex_dllcharacteristics(const dh_image *im, const uint8_t *e, FILE *out)
{
	/* Bit 0 is WinDbg's "CET compatible"; the others follow winnt.h's
	 * IMAGE_DLLCHARACTERISTICS_EX_* names. */
	static const char *const names[6] = {
		"CET compatible", "CET strict mode", "CET set context IP validation relaxed mode",
		"CET dynamic APIs allow in proc only", "CET reserved 1", "CET reserved 2",
	};
	uint8_t raw[4] = { 0 };
	uint32_t rva, size = ps_le32(e + 16), v;
	size_t got;

	if (!debug_data_rva(im, e, &rva)) {
		fputs(" [Debug data not mapped]\n", out);
		return;
	}
	if (size > 4)
		size = 4;
	got = read_image(im, rva, raw, size);
	if (got != size) {
		fprintf(out, "\tCan't read debug data cb=%zx\n", got);
		return;
	}
	v = ps_le32(raw);
	fprintf(out, "\n\n%08X extended DLL characteristics\n", v);
	for (unsigned i = 0; v; i++, v >>= 1)
		if (v & 1)
			fprintf(out, "          %s\n", i < 6 ? names[i] : "(Unknown)");
}

static void print_debug_entry(const dh_image *im, const uint8_t *e, FILE *out)
{
	static const char *const types[9] = {
		NULL, "\tcoff   ", "\tcv     ", "\tfpo    ", "\tmisc   ", "\tpdata  ", "\tfixup  ",
		"\t-> src ", "\tsrc -> ",
	};
	uint32_t type = ps_le32(e + 12), fp = ps_le32(e + 24);

	if (type >= 1 && type <= 8)
		fputs(types[type], out);
	else if (type == 20)
		fputs("\tdllchar", out);
	else
		fprintf(out, "\t(%5u)", type);
	fprintf(out, "%8x    %8x %8x", ps_le32(e + 16), ps_le32(e + 20), fp);
	if (fp && type == 4)
		print_misc(im, e, out);
	if (fp && type == 2)
		print_codeview(im, e, out);
	if (fp && type == 20)
		print_ex_dllcharacteristics(im, e, out);
	fputs("\n", out);
}

static void dump_debug_directories(const dh_image *im, FILE *out)
{
	const uint8_t *d = opt_directory(im, 6);
	uint32_t rva = ps_le32(d), n = ps_le32(d + 4) / DEBUG_ENTRY_SIZE;

	fprintf(out, "\n\nDebug Directories(%u)\n\tType       Size     Address  Pointer\n", n);
	if (n > MAX_DEBUG_ENTRIES) {
		fprintf(out, "(only the first %u of %u entries are shown)\n", MAX_DEBUG_ENTRIES, n);
		n = MAX_DEBUG_ENTRIES;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t e[DEBUG_ENTRY_SIZE];
		if (read_image(im, (uint64_t)rva + (uint64_t)i * DEBUG_ENTRY_SIZE, e, sizeof e) != sizeof e) {
			fputs("Can't read debug dir\n", out);
			break;
		}
		print_debug_entry(im, e, out);
	}
}

static void dump_sections(const dh_image *im, FILE *out)
{
	uint32_t debug_rva = ps_le32(opt_directory(im, 6));
	int pe = strcmp(file_type(im), "DLL") == 0 || strcmp(file_type(im), "EXECUTABLE IMAGE") == 0;

	for (unsigned i = 0; i < im->nsections; i++) {
		const uint8_t *h = im->sections + i * SECTION_SIZE;
		uint32_t va = ps_le32(h + 12), raw_size = ps_le32(h + 16);

		fprintf(out, "\nSECTION HEADER #%X\n%8.8s name\n", i + 1, (const char *)h);
		fprintf(out, "%8X %s\n%8X virtual address\n%8X size of raw data\n%8X file pointer to raw data\n"
			     "%8X file pointer to relocation table\n",
			ps_le32(h + 8), strcmp(file_type(im), "COFF OBJECT") == 0 ? "physical address" : "virtual size",
			va, raw_size, ps_le32(h + 20), ps_le32(h + 24));
		fprintf(out, "%8X file pointer to line numbers\n%8X number of relocations\n%8X number of line numbers\n%8X flags\n",
			ps_le32(h + 28), ps_le16(h + 32), ps_le16(h + 34), ps_le32(h + 36));
		print_section_flags(ps_le32(h + 36), out);
		if (pe && debug_rva && debug_rva >= va && debug_rva - va < raw_size)
			dump_debug_directories(im, out);
	}
}

static void usage(FILE *out)
{
	fputs("Usage: dh [options] address\n\n"
	      "Dumps headers from an image based at address\n\n"
	      "Options:\n\n"
	      "   -a      Dump everything\n"
	      "   -f      Dump file headers\n"
	      "   -s      Dump section headers\n"
	      "   -e      Dump exports\n"
	      "   -i      Dump imports\n", out);
}

static ps_status dump_image(ps_session *s, uint64_t base, unsigned what, FILE *out)
{
	dh_image im = { .s = s, .base = base };
	uint8_t dos[0x40];
	uint16_t opt_size;
	size_t got;

	if (read_image(&im, 0, dos, sizeof dos) != sizeof dos) {
		/* ERROR_READ_FAULT, what a failed debugger memory read reports. */
		fprintf(out, "Can't read file header: error == %d\n", 30);
		return PS_ENOTPRESENT;
	}
	if (ps_le16(dos) != 0x5A4D) {
		fputs("No file header\n", out);
		return PS_EFORMAT;
	}
	/* e_lfanew is signed in WinDbg's reading too; the header must lie
	 * after the DOS header and within the first 1 MB. */
	im.base = base;
	if (ps_le32(dos + 0x3C) > 0x100000u ||
	    read_image(&im, ps_le32(dos + 0x3C), im.nt, sizeof im.nt) != sizeof im.nt ||
	    ps_le32(im.nt) != 0x00004550u) {
		fputs("Bad file header\n", out);
		return PS_EFORMAT;
	}
	im.file = im.nt + 4;
	im.opt = im.nt + 24;
	im.pe32_plus = ps_le16(im.opt) == 0x20B;
	if (!im.pe32_plus) {
		/* A PE32 optional header is 16 bytes shorter: what follows it
		 * in the buffer is not part of it. */
		memset(im.nt + 24 + 224, 0, sizeof im.nt - 24 - 224);
	}

	if (what & DH_HEADERS)
		dump_headers(&im, out);
	if (!(what & DH_SECTIONS))
		return PS_OK;

	opt_size = ps_le16(im.file + 16);
	im.nsections = ps_le16(im.file + 2);
	im.sections = calloc(im.nsections ? im.nsections : 1, SECTION_SIZE);
	if (!im.sections) {
		fputs("Cannot allocate memory for dumping sections\n", out);
		return PS_ENOMEM;
	}
	got = read_image(&im, (uint64_t)ps_le32(dos + 0x3C) + 24 + opt_size, im.sections,
			 (size_t)im.nsections * SECTION_SIZE);
	if (got == 0 && im.nsections) {
		fputs("Can't read section headers\n", out);
		free(im.sections);
		return PS_ENOTPRESENT;
	}
	if (got != (size_t)im.nsections * SECTION_SIZE) {
		fputs("\n***\n*** Some section headers may be missing ***\n***\n\n", out);
		im.nsections = (unsigned)(got / SECTION_SIZE);
	}
	dump_sections(&im, out);
	free(im.sections);
	return PS_OK;
}

ps_status ps_cmd_dh(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	unsigned what = DH_HEADERS | DH_SECTIONS;
	int chosen = 0, have_base = 0;
	uint64_t base = 0;
	const char *p = args;

	(void)cmd;
	for (p = ps_cmd_skip_blanks(p); *p; p = ps_cmd_skip_blanks(p)) {
		if (*p == '-' || *p == '/') {
			char opt = p[1];
			p += opt ? 2 : 1;
			switch (opt) {
			case 'a': case 'A':
				what = DH_HEADERS | DH_SECTIONS;
				chosen = 1;
				break;
			case 'f': case 'F':
				what = (chosen ? what : 0) | DH_HEADERS;
				chosen = 1;
				break;
			case 's': case 'S':
				what = (chosen ? what : 0) | DH_SECTIONS;
				chosen = 1;
				break;
			case 'e': case 'E': case 'i': case 'I':
				fprintf(out, "!dh -%c (exports and imports) is not supported by poolscope; use -f, -s or -a\n", opt);
				return PS_EUNSUPPORTED;
			default:
				usage(out);
				return PS_OK;
			}
			continue;
		}
		if (have_base) {
			fputs("Invalid extra argument\n", out);
			return PS_EARG;
		}
		if (ps_cmd_eval(s, p, &p, &base, out) != PS_OK)
			return PS_EARG;
		have_base = 1;
	}
	if (!have_base || base == 0)
		return PS_OK;
	if (!s->vm) {
		fputs("Can't read file header: no address space in this dump\n", out);
		return PS_EUNSUPPORTED;
	}
	return dump_image(s, base, what, out);
}
