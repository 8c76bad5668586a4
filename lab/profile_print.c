/*
 * profile_print.c - `poolscope-lab --print-profile ARCH BUILD`: the lab
 * writer's own offsets (profile.c) under the Windows names of the fields
 * they stand for, one "Type.Field 0xOFFSET" or "Type sizeof 0xSIZE" per
 * line. tests/scripts/test_lab_symbols.sh compares them with the lab
 * kernel's PDB (lab/images/nt/types/): two transcriptions of formats.md,
 * made separately, checking each other.
 */
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct profile_name {
	const char *windows;          /* "_EPROCESS.UniqueProcessId"; "_EPROCESS" for a size */
	size_t offset;                /* of the lab_profile member */
	int is_size;
} profile_name;

#define F(w, m) { w, offsetof(lab_profile, m), 0 }
#define S(w, m) { w, offsetof(lab_profile, m), 1 }

static const profile_name names[] = {
	F("_KPROCESS.DirectoryTableBase", kprocess_dtb),
	F("_KPROCESS.ThreadListHead", kprocess_thread_list),
	F("_KPROCESS.UserDirectoryTableBase", kprocess_user_dtb),
	S("_KPROCESS", kprocess_size),
	F("_EPROCESS.CreateTime", ep_create_time),
	F("_EPROCESS.UniqueProcessId", ep_pid),
	F("_EPROCESS.ActiveProcessLinks", ep_links),
	F("_EPROCESS.ObjectTable", ep_object_table),
	F("_EPROCESS.InheritedFromUniqueProcessId", ep_parent_pid),
	F("_EPROCESS.Session", ep_session),
	F("_EPROCESS.ImageFileName", ep_image_name),
	F("_EPROCESS.ThreadListHead", ep_thread_list),
	F("_EPROCESS.Peb", ep_peb),
	S("_EPROCESS", ep_size),
	F("_KTHREAD.Teb", kt_teb),
	F("_KTHREAD.KernelStack", kt_kernel_stack),
	F("_KTHREAD.InitialStack", kt_initial_stack),
	F("_KTHREAD.ApcState.Process", kt_apc_process),
	F("_KTHREAD.State", kt_state),
	F("_KTHREAD.StackLimit", kt_stack_limit),
	F("_KTHREAD.StackBase", kt_stack_base),
	F("_KTHREAD.WaitReason", kt_wait_reason),
	S("_ETHREAD", et_size),
	F("_KPRCB.CurrentThread", prcb_current_thread),
	F("_KPRCB.IdleThread", prcb_idle_thread),
	F("_KLDR_DATA_TABLE_ENTRY.DllBase", ldr_dll_base),
	F("_KLDR_DATA_TABLE_ENTRY.EntryPoint", ldr_entry_point),
	F("_KLDR_DATA_TABLE_ENTRY.SizeOfImage", ldr_size_of_image),
	F("_KLDR_DATA_TABLE_ENTRY.FullDllName", ldr_full_name),
	F("_KLDR_DATA_TABLE_ENTRY.BaseDllName", ldr_base_name),
	F("_KLDR_DATA_TABLE_ENTRY.Flags", ldr_flags),
	F("_KLDR_DATA_TABLE_ENTRY.LoadCount", ldr_load_count),
	F("_OBJECT_HEADER.TypeIndex", obj_type_index),
	F("_OBJECT_HEADER.InfoMask", obj_info_mask),
	F("_OBJECT_HEADER.Body", obj_body),
	S("_OBJECT_HEADER_QUOTA_INFO", obj_quota_size),
	S("_KDDEBUGGER_DATA64", kdbg_size),
	S("_POOL_HEADER", pool_header),
	F("_MM_SESSION_SPACE.CommittedPages", ss_committed),
	F("_MM_SESSION_SPACE.SessionPoolAllocationFailures", ss_failures),
	F("_MM_SESSION_SPACE.WsListEntry", ss_ws_list),
	F("_MM_SESSION_SPACE.PagedPoolInfo.AllocatedPagedPool", ss_allocated_paged),
	F("_MM_SESSION_SPACE.PagedPool", ss_paged_pool),
	F("_MM_SESSION_SPACE.PoolTrackTableExpansion", ss_track_exp),
	F("_MM_SESSION_SPACE.PoolTrackTableExpansionSize", ss_track_exp_size),
	F("_MM_SESSION_SPACE.PoolTrackBigPages", ss_big),
	F("_MM_SESSION_SPACE.PoolTrackBigPagesSize", ss_big_size),
	S("_MM_SESSION_SPACE", ss_size),
	F("_MM_PAGED_POOL_INFO.AllocatedPagedPool", ppi_allocated),
	F("_MMPAGING_FILE.PageFileName", pf_name),
	S("_MMPAGING_FILE", pf_size),
};

/* The address layout is not printed, but lab_profile_init draws distinct
 * random slots for it: any varying sequence will do. */
static uint64_t counter_random(void *ctx)
{
	uint64_t *n = ctx;
	return ++*n * 0x9E3779B97F4A7C15ull >> 17;
}

int lab_print_profile(const char *arch_name, const char *build_text, FILE *out)
{
	lab_arch arch = LAB_ARCH_NONE;
	unsigned selfmap = 0;
	unsigned long build;
	lab_profile p;
	uint64_t counter = 0;
	char *end;

	if (strcmp(arch_name, "x86") == 0)
		arch = LAB_ARCH_X86;
	else if (strcmp(arch_name, "x86-pae") == 0)
		arch = LAB_ARCH_X86_PAE;
	else if (strcmp(arch_name, "x64") == 0)
		arch = LAB_ARCH_X64;
	build = strtoul(build_text, &end, 10);
	if (arch == LAB_ARCH_NONE || *end != '\0' || build == 0 || build > 0xFFFF ||
	    lab_profile_init(&p, arch, (uint32_t)build, counter_random, &counter, &selfmap) != 0)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		uint32_t v;
		memcpy(&v, (const char *)&p + names[i].offset, sizeof v);
		if (v == 0)
			continue;       /* not in this build (UserDirectoryTableBase before 1803) */
		fprintf(out, "%s %s0x%x\n", names[i].windows, names[i].is_size ? "sizeof " : "", (unsigned)v);
	}
	return 0;
}
