/*
 * cmd_target.c - what the dump says about the machine: `.bugcheck`,
 * `vertarget`, and `q`.
 *
 * .bugcheck (kd logs):   Bugcheck code 0000009F
 *                        Arguments 00000000`00000003 ffff948f`e9be4060 ...
 * vertarget (kd logs):   Windows 10 Kernel Version 19041 MP (4 procs) Free x64
 *                        Product: WinNt, suite: TerminalServer SingleUserTS
 *                        Edition build lab: 19041.1.amd64fre.vb_release.191206-1406
 *                        Machine Name:
 *                        Kernel base = 0xfffff804`3dc00000 PsLoadedModuleList = 0x...
 *                        Debug session time: Mon Feb 13 13:20:28.180 2023 (UTC - 8:00)
 *                        System Uptime: 0 days 2:15:21.601
 * Times are shown in the local time zone, as WinDbg does.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd_table.h"
#include "cmd/cmd_util.h"

/* KDBG field offsets, formats.md §2.3. */
#define KDBG_NT_BUILD_LAB 0x208
#define KDBG_CM_NT_CSD_VERSION 0x268

/* FILETIME of 1970-01-01, in 100 ns units since 1601. */
#define FILETIME_UNIX_EPOCH UINT64_C(116444736000000000)

ps_status ps_cmd_bugcheck(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const ps_dump_info *info = ps_dump_get_info(s->dump);
	char a[PS_ADDR_BUF];
	int i;

	fprintf(out, "Bugcheck code %08" PRIX32 "\n", info->bugcheck_code);
	fprintf(out, "Arguments");
	for (i = 0; i < 4; i++)
		fprintf(out, " %s", ps_cmd_fmt_addr(s, info->bugcheck_parameters[i], a));
	fputc('\n', out);
	return PS_OK;
}

ps_status ps_cmd_quit(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	fprintf(out, "quit:\n");
	s->quit = 1;
	return PS_OK;
}

static const char *windows_name(uint32_t build)
{
	if (build >= 10240)
		return "Windows 10"; /* WinDbg says 10 for 11 as well */
	if (build >= 9600)
		return "Windows 8.1";
	if (build >= 9200)
		return "Windows 8";
	if (build >= 7600)
		return "Windows 7";
	if (build >= 6000)
		return "Windows Vista";
	if (build >= 3790)
		return "Windows Server 2003";
	if (build >= 2600)
		return "Windows XP";
	return "Windows";
}

static const char *product_name(uint32_t type)
{
	switch (type) {
	case 1:
		return "WinNt";
	case 2:
		return "LanManNt";
	case 3:
		return "Server";
	default:
		return "<unknown>";
	}
}

/* VER_SUITE_* bits in bit order. */
static const char *const suite_names[16] = {
	"SmallBusiness", "Enterprise", "BackOffice", "CommunicationServer",
	"TerminalServer", "SmallBusinessRestricted", "EmbeddedNT", "DataCenter",
	"SingleUserTS", "Personal", "Blade", "EmbeddedRestricted",
	"SecurityAppliance", "StorageServer", "ComputeServer", "WHServer",
};

/* A NUL-terminated ASCII string in target memory, or "" when unreadable. */
static void read_cstring(ps_session *s, uint64_t va, char *buf, size_t n)
{
	size_t i;

	buf[0] = 0;
	if (!s->vm || va == 0)
		return;
	for (i = 0; i + 1 < n; i++) {
		uint8_t c;

		if (ps_vm_read_u8(s->vm, va + i, &c, NULL) != PS_OK || c == 0)
			break;
		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	buf[i] = 0;
}

static unsigned service_pack(ps_session *s)
{
	uint64_t va;
	uint32_t v;

	if (!s->kernel || ps_kernel_kdbg_field(s->kernel, KDBG_CM_NT_CSD_VERSION, &va) != PS_OK ||
	    !s->vm || ps_vm_read_u32(s->vm, va, &v, NULL) != PS_OK)
		return 0;
	return (v >> 8) & 0xff;
}

static void print_session_time(FILE *out, uint64_t filetime)
{
	time_t t;
	struct tm tm;
	char text[64];
	long off;

	if (filetime < FILETIME_UNIX_EPOCH) {
		fprintf(out, "Debug session time: not available\n");
		return;
	}
	t = (time_t)((filetime - FILETIME_UNIX_EPOCH) / 10000000u);
	if (!localtime_r(&t, &tm)) {
		fprintf(out, "Debug session time: not available\n");
		return;
	}
	strftime(text, sizeof(text), "%a %b %e %H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	fprintf(out, "Debug session time: %s.%03u %d (UTC %c %ld:%02ld)\n", text,
		(unsigned)((filetime / 10000u) % 1000u), tm.tm_year + 1900, off < 0 ? '-' : '+',
		(off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

static void print_uptime(FILE *out, uint64_t uptime)
{
	uint64_t ms = uptime / 10000u, secs = ms / 1000u;

	if (uptime == 0) {
		fprintf(out, "System Uptime: not available\n");
		return;
	}
	fprintf(out, "System Uptime: %" PRIu64 " days %u:%02u:%02u.%03u\n", secs / 86400u,
		(unsigned)(secs / 3600u % 24u), (unsigned)(secs / 60u % 60u), (unsigned)(secs % 60u),
		(unsigned)(ms % 1000u));
}

ps_status ps_cmd_vertarget(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	const ps_dump_info *info = ps_dump_get_info(s->dump);
	unsigned sp = service_pack(s);
	char lab[128] = "", a[PS_ADDR_BUF];
	uint64_t lab_va;
	int i, any = 0;

	fprintf(out, "%s Kernel Version %" PRIu32, windows_name(info->minor_version),
		info->minor_version);
	if (sp)
		fprintf(out, " (Service Pack %u)", sp);
	fprintf(out, " %s (%" PRIu32 " procs) %s %s\n", info->number_processors > 1 ? "MP" : "UP",
		info->number_processors, info->major_version == 0xC ? "Checked" : "Free",
		info->arch == PS_ARCH_X86 ? "x86 compatible" : "x64");

	fprintf(out, "Product: %s, suite:", product_name(info->product_type));
	for (i = 0; i < 16; i++) {
		if (info->suite_mask & (1u << i)) {
			fprintf(out, " %s", suite_names[i]);
			any = 1;
		}
	}
	(void)any;
	fputc('\n', out);

	if (s->kernel && ps_kernel_kdbg_field(s->kernel, KDBG_NT_BUILD_LAB, &lab_va) == PS_OK)
		read_cstring(s, lab_va, lab, sizeof(lab));
	if (lab[0])
		fprintf(out, "%s %s\n", info->minor_version >= 10240 ? "Edition build lab:" : "Built by:",
			lab);
	fprintf(out, "Machine Name:\n");
	if (s->kernel && ps_kernel_base(s->kernel))
		fprintf(out, "Kernel base = 0x%s", ps_cmd_fmt_addr(s, ps_kernel_base(s->kernel), a));
	else
		fprintf(out, "Kernel base = <unknown>");
	fprintf(out, " PsLoadedModuleList = 0x%s\n",
		ps_cmd_fmt_addr(s, info->ps_loaded_module_list, a));
	print_session_time(out, info->system_time);
	print_uptime(out, info->system_uptime);
	return PS_OK;
}
