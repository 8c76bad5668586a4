/*
 * profile.c - per-version offsets and address layout (sources in profile.h
 * and formats.md; the address layout follows the Windows 7 / Windows 10
 * system address space as WinDbg's !vm and !address show it: x86 boot region
 * at 0x80000000, x64 Win7 nt near 0xFFFFF800`02xxxxxx, pool near
 * 0xFFFFFA80`00000000 (nonpaged) and 0xFFFFF8A0`00000000 (paged), self-map
 * at PML4 index 0x1ED; Windows 10 1607+ randomises the regions and the
 * self-map index).
 */
#include "profile.h"

#include <string.h>

#define TAG(a, b, c, d) ((uint32_t)(uint8_t)(a) | ((uint32_t)(uint8_t)(b) << 8) | \
			 ((uint32_t)(uint8_t)(c) << 16) | ((uint32_t)(uint8_t)(d) << 24))

static void win7_x86(lab_profile *p)
{
	p->kprocess_dtb = 0x18; p->kprocess_thread_list = 0x2C; p->kprocess_size = 0x98;
	p->ep_create_time = 0xA0; p->ep_pid = 0xB4; p->ep_links = 0xB8;
	p->ep_object_table = 0xF4; p->ep_parent_pid = 0x140; p->ep_session = 0x168;
	p->ep_image_name = 0x16C; p->ep_thread_list = 0x188; p->ep_peb = 0x1A8;
	p->ep_size = 0x2C0;
	p->kt_teb = 0x88; p->kt_kernel_stack = 0x30; p->kt_initial_stack = 0x28;
	p->kt_apc_process = 0x40 + 0x10; p->kt_state = 0x68; p->kt_stack_limit = 0x2C;
	p->kt_stack_base = 0x190; p->kt_wait_reason = 0x187; p->et_size = 0x2B8;
	p->prcb_current_thread = 0x4; p->prcb_idle_thread = 0xC;
	p->ldr_dll_base = 0x18; p->ldr_entry_point = 0x1C; p->ldr_size_of_image = 0x20;
	p->ldr_full_name = 0x24; p->ldr_base_name = 0x2C; p->ldr_flags = 0x34;
	p->ldr_load_count = 0x38; p->ldr_size = 0x50;
	p->obj_type_index = 0x0C; p->obj_info_mask = 0x0E; p->obj_body = 0x18; p->obj_quota_size = 0x10;
	p->pool_header = 8; p->pool_unit = 8; p->pool_small_max = 0xFF0;
	p->system_range_start = 0x80000000; p->highest_user = 0x7FFEFFFF; p->user_probe = 0x7FFF0000;
	p->pfn_database = 0x84000000; p->pfn_entry_size = 0x1C;
	p->nonpaged_base = 0x85000000; p->paged_base = 0x8F400000; p->session_base = 0x8FE80000;
	p->boot_region_va = 0x80000000;
	p->system_dtb_pfn = 0x185;
	/* §3.4 Vista ... 1703 x86 */
	p->trk_size = 0x1C; p->trk_np_allocs = 4; p->trk_np_frees = 8; p->trk_np_bytes = 0xC;
	p->trk_p_allocs = 0x10; p->trk_p_frees = 0x14; p->trk_p_bytes = 0x18;
	p->trk_count_width = 4; p->trk_bytes_width = 4;
	/* §3.5 Vista ... 8.1 x86 */
	p->big_size = 0x10; p->big_key = 4; p->big_type = 8; p->big_bytes = 0xC;
	/* §3.6 Win7 x86; ListHeads[512] */
	p->pd_size = 0x1140; p->pd_list_heads = 0x140; p->pd_list_count = 512;
	/* MM_SESSION_SPACE 7601 x86 (ntdiff Win7_SP1 x86; formats.md §3.4 for
	 * the expansion table). MM_PAGED_POOL_INFO.AllocatedPagedPool @0x34. */
	p->ss_size = 0x2000; p->ss_committed = 0x28; p->ss_failures = 0x40; p->ss_ws_list = 0x70;
	p->ss_allocated_paged = 0xD38 + 0x34; p->ss_paged_pool = 0xE00;
	p->ss_track_exp = 0x1FC8; p->ss_track_exp_size = 0x1FCC; p->ss_big = 0x1FD0; p->ss_big_size = 0x1FD4;
	p->ss_ulong_counters = 1;
	p->ppi_allocated = 0x34;
	/* MMPAGING_FILE 6.1 x86: ntdiff Win7_SP1 x86, Chappell */
	p->pf_size = 0x50; p->pf_name = 0x24;
	/* §5.3, §5.4 */
	p->kt_process = 0x150; p->kt_thread_list = 0x1E0; p->kt_win32_thread = 0x18C; p->kt_size = 0x200;
	p->et_create_time = 0x200; p->et_exit_time = 0x208; p->et_start = 0x218; p->et_cid = 0x22C;
	p->et_win32_start = 0x260; p->et_thread_list = 0x268; p->et_cross_flags = 0x280;
	p->et_exit_status = 0x210; p->ep_active_threads = 0x198;
}

static void win7_x64(lab_profile *p)
{
	p->kprocess_dtb = 0x28; p->kprocess_thread_list = 0x30; p->kprocess_size = 0x160;
	p->ep_create_time = 0x168; p->ep_pid = 0x180; p->ep_links = 0x188;
	p->ep_object_table = 0x200; p->ep_parent_pid = 0x290; p->ep_session = 0x2D8;
	p->ep_image_name = 0x2E0; p->ep_thread_list = 0x308; p->ep_peb = 0x338;
	p->ep_size = 0x4D0;
	p->kt_teb = 0xB8; p->kt_kernel_stack = 0x38; p->kt_initial_stack = 0x28;
	p->kt_apc_process = 0x50 + 0x20; p->kt_state = 0x164; p->kt_stack_limit = 0x30;
	p->kt_stack_base = 0x278; p->kt_wait_reason = 0x26B; p->et_size = 0x498;
	p->prcb_current_thread = 0x8; p->prcb_idle_thread = 0x18;
	p->ldr_dll_base = 0x30; p->ldr_entry_point = 0x38; p->ldr_size_of_image = 0x40;
	p->ldr_full_name = 0x48; p->ldr_base_name = 0x58; p->ldr_flags = 0x68;
	p->ldr_load_count = 0x6C; p->ldr_size = 0xA0;
	p->obj_type_index = 0x18; p->obj_info_mask = 0x1A; p->obj_body = 0x30; p->obj_quota_size = 0x20;
	p->pool_header = 16; p->pool_unit = 16; p->pool_small_max = 0xFE0;
	p->system_range_start = 0xFFFF080000000000ull;
	p->highest_user = 0x000007FFFFFEFFFFull; p->user_probe = 0x000007FFFFFF0000ull;
	p->pfn_database = 0xFFFFFA8000000000ull; p->pfn_entry_size = 0x30;
	p->paged_base = 0xFFFFF8A000000000ull; p->session_base = 0xFFFFF90000000000ull;
	p->boot_region_va = 0xFFFFF80000000000ull;
	p->system_dtb_pfn = 0x187;
	/* §3.4 2003 ... 1703 x64 */
	p->trk_size = 0x28; p->trk_np_allocs = 4; p->trk_np_frees = 8; p->trk_np_bytes = 0x10;
	p->trk_p_allocs = 0x18; p->trk_p_frees = 0x1C; p->trk_p_bytes = 0x20;
	p->trk_count_width = 4; p->trk_bytes_width = 8;
	/* §3.5 Vista ... 8.1 x64 */
	p->big_size = 0x18; p->big_key = 8; p->big_type = 0xC; p->big_bytes = 0x10;
	/* §3.6 Win7 x64; ListHeads[256] */
	p->pd_size = 0x1140; p->pd_list_heads = 0x140; p->pd_list_count = 256;
	/* MM_SESSION_SPACE 7601 x64 (ntdiff Win7_SP1 x64). */
	p->ss_size = 0x1F80; p->ss_committed = 0x38; p->ss_failures = 0x64; p->ss_ws_list = 0xA8;
	p->ss_allocated_paged = 0xB98 + 0x60; p->ss_paged_pool = 0xCC0;
	p->ss_track_exp = 0x1F30; p->ss_track_exp_size = 0x1F38; p->ss_big = 0x1F40; p->ss_big_size = 0x1F48;
	p->ppi_allocated = 0x60;
	/* MMPAGING_FILE 6.1 x64: Chappell (File 0x30, Entry[2] 0x38) */
	p->pf_size = 0x90; p->pf_name = 0x48;
	p->kt_process = 0x210; p->kt_thread_list = 0x2F8; p->kt_win32_thread = 0x270; p->kt_size = 0x360;
	p->et_create_time = 0x360; p->et_exit_time = 0x368; p->et_start = 0x388; p->et_cid = 0x3B0;
	p->et_win32_start = 0x410; p->et_thread_list = 0x420; p->et_cross_flags = 0x448;
	p->et_exit_status = 0x378; p->ep_active_threads = 0x328;
}

int lab_profile_init(lab_profile *p, lab_arch arch, uint32_t build,
		     uint64_t (*random)(void *), void *rctx, unsigned *selfmap_index)
{
	memset(p, 0, sizeof *p);
	p->process_type_index = 7;
	p->thread_type_index = 8;     /* §4.3: Thread is index 8 on 7601 and 17763 */
	if (build == 7601) {
		p->kdbg_size = 0x340;
		p->process_tag = TAG('P', 'r', 'o', 0xE3);
		p->thread_tag = TAG('T', 'h', 'r', 0xE5);
		if (arch == LAB_ARCH_X64) {
			win7_x64(p);
			/* Nonpaged pool follows the PFN database (sized at run time). */
			p->nonpaged_base = 0;
			*selfmap_index = 0x1ED;
		} else {
			win7_x86(p);
			*selfmap_index = 0x300;
		}
		return 0;
	}
	if (build == 17763 && arch == LAB_ARCH_X64) {
		unsigned used[5];
		win7_x64(p);
		p->kdbg_size = 0x380;
		p->kdbg_has_pte_base = 1;
		p->process_tag = TAG('P', 'r', 'o', 'c');
		p->thread_tag = TAG('T', 'h', 'r', 'e');
		p->type_index_encoded = 1;
		/* §3.4 1709 ... 22H2 x64; per-processor tables (docs/lab.md) */
		p->trk_size = 0x38; p->trk_np_bytes = 8; p->trk_np_allocs = 0x10; p->trk_np_frees = 0x18;
		p->trk_p_bytes = 0x20; p->trk_p_allocs = 0x28; p->trk_p_frees = 0x30;
		p->trk_count_width = 8; p->trk_bytes_width = 8;
		p->per_processor_tables = 1;
		/* §3.5 Windows 10 x64 */
		p->big_type_bitfield = 1;
		/* §3.6 Windows 10 <= 1809 */
		p->pd_win10 = 1;
		/* MM_SESSION_SPACE 1809 (ntdiff Win10_1809_RS5_17754 x64). */
		p->ss_size = 0x5000; p->ss_committed = 0x30; p->ss_failures = 0x58; p->ss_ws_list = 0x90;
		p->ss_allocated_paged = 0xA0 + 0x30; p->ss_paged_pool = 0xD80;
		p->ss_track_exp = 0x2028; p->ss_track_exp_size = 0x2030; p->ss_big = 0x2038; p->ss_big_size = 0x2040;
		p->ppi_allocated = 0x30;
		/* MMPAGING_FILE 1809: ntdiff Win10_1809_RS5 x64 */
		p->pf_size = 0x120; p->pf_name = 0x60;
		p->kt_process = 0x220; p->kt_thread_list = 0x2F8; p->kt_win32_thread = 0x1C8; p->kt_size = 0x5F0;
		p->et_create_time = 0x5F0; p->et_exit_time = 0x5F8; p->et_start = 0x610; p->et_cid = 0x638;
		p->et_win32_start = 0x690; p->et_thread_list = 0x6A8; p->et_cross_flags = 0x6D0;
		p->et_exit_status = 0x700; p->ep_active_threads = 0x498;
		p->kprocess_user_dtb = 0x278; p->kprocess_size = 0x2D8;
		p->ep_create_time = 0x308; p->ep_pid = 0x2E0; p->ep_links = 0x2E8;
		p->ep_object_table = 0x418; p->ep_parent_pid = 0x3E0; p->ep_session = 0x400;
		p->ep_image_name = 0x450; p->ep_thread_list = 0x488; p->ep_peb = 0x3F8;
		p->ep_size = 0x850;
		p->kt_teb = 0xF0; p->kt_kernel_stack = 0x58; p->kt_apc_process = 0x98 + 0x20;
		p->kt_state = 0x184; p->kt_stack_base = 0x38; p->kt_wait_reason = 0x283;
		p->et_size = 0x810;
		p->system_range_start = 0xFFFF800000000000ull;
		p->boot_region_va = 0;
		p->system_dtb_pfn = 0x1AA;
		p->dtb_low_bits = 0x2;
		/* Five distinct PML4 slots in 0x100..0x1EF: self-map, PFN
		 * database, nonpaged pool, paged pool, session space. */
		for (int i = 0; i < 5; i++) {
			unsigned v;
			int again;
			do {
				v = 0x100 + (unsigned)(random(rctx) % 0xF0);
				again = 0;
				for (int k = 0; k < i; k++)
					again |= used[k] == v;
			} while (again);
			used[i] = v;
		}
		*selfmap_index = used[0];
		p->pfn_database = 0xFFFF000000000000ull | ((uint64_t)used[1] << 39);
		p->nonpaged_base = 0xFFFF000000000000ull | ((uint64_t)used[2] << 39) | ((random(rctx) % 0x400) << 30);
		p->paged_base = 0xFFFF000000000000ull | ((uint64_t)used[3] << 39) | ((random(rctx) % 0x400) << 30);
		p->session_base = 0xFFFF000000000000ull | ((uint64_t)used[4] << 39);
		return 0;
	}
	return -1;
}
