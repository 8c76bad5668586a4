/*
 * profile.h - what differs between the Windows versions the lab lays out:
 * structure offsets (formats.md §2 and §5, each value cited there) and the
 * kernel's virtual address layout.
 *
 * These tables are the lab's own copy, written from formats.md; the reader
 * keeps its own. Do not share them: a wrong offset must fail a test.
 */
#ifndef LAB_PROFILE_H
#define LAB_PROFILE_H

#include <stdint.h>

#include "scenario.h"

typedef struct lab_profile {
	/* KPROCESS / EPROCESS (formats.md §5.1, §5.2) */
	uint32_t kprocess_dtb, kprocess_thread_list, kprocess_user_dtb, kprocess_size;
	uint32_t ep_create_time, ep_pid, ep_links, ep_object_table, ep_parent_pid;
	uint32_t ep_session, ep_image_name, ep_thread_list, ep_peb, ep_size;
	/* KTHREAD / ETHREAD values for the KDBG Offset* fields (§5.3, §5.4) */
	uint32_t kt_teb, kt_kernel_stack, kt_initial_stack, kt_apc_process, kt_state;
	uint32_t kt_stack_limit, kt_stack_base, kt_wait_reason, et_size;
	uint32_t prcb_current_thread, prcb_idle_thread;
	/* KLDR_DATA_TABLE_ENTRY (§5.5) */
	uint32_t ldr_dll_base, ldr_entry_point, ldr_size_of_image, ldr_full_name;
	uint32_t ldr_base_name, ldr_flags, ldr_load_count, ldr_size;
	/* OBJECT_HEADER (§4.1) and its quota info (§4.2) */
	uint32_t obj_type_index, obj_info_mask, obj_body, obj_quota_size;
	uint8_t process_type_index;   /* §4.3: Process is index 7 on 7601 and 17763 */
	int type_index_encoded;       /* Windows 10: TypeIndex ^ cookie ^ (header >> 8) */
	/* KDBG (§2.1) */
	uint32_t kdbg_size;
	int kdbg_has_pte_base;        /* 1607+: PteBase at 0x360 */
	/* POOL_HEADER (§3.1) */
	uint32_t pool_header, pool_unit, pool_small_max;
	uint32_t process_tag;         /* 'Pro\xE3' before Windows 8, 'Proc' after (§3.2) */
	/* POOL_TRACKER_TABLE (§3.4): entry size, field offsets, and the width
	 * of the Allocs/Frees and Bytes fields (4 or 8) */
	uint32_t trk_size, trk_np_allocs, trk_np_frees, trk_np_bytes;
	uint32_t trk_p_allocs, trk_p_frees, trk_p_bytes, trk_count_width, trk_bytes_width;
	int per_processor_tables;     /* Windows 8+: nt!ExPoolTagTables[processor] */
	/* POOL_TRACKER_BIG_PAGES (§3.5) */
	uint32_t big_size, big_key, big_type, big_bytes;
	int big_type_bitfield;        /* Windows 10: {Pattern:8, PoolType:12, SlushSize:12} */
	/* POOL_DESCRIPTOR (§3.6): Windows 7 TotalPages/TotalBigPages, 1809
	 * Pages/BigPages Allocated and Deallocated */
	uint32_t pd_size, pd_list_heads, pd_list_count;
	int pd_win10;
	/* MM_SESSION_SPACE (Vergilius / ntdiff type data, docs/lab.md) */
	uint32_t ss_size, ss_committed, ss_failures, ss_ws_list, ss_allocated_paged;
	uint32_t ss_paged_pool, ss_track_exp, ss_track_exp_size, ss_big, ss_big_size;
	uint32_t ss_ulong_counters;   /* x86: CommittedPages and AllocatedPagedPool are ULONGs */
	/* nt!MmPagedPoolInfo: MM_PAGED_POOL_INFO.AllocatedPagedPool */
	uint32_t ppi_allocated;
	/* MMPAGING_FILE: its size and PageFileName; Size, MaximumSize,
	 * MinimumSize and FreeSpace are the first four pointer-sized fields
	 * on every build (Geoff Chappell's MMPAGING_FILE page) */
	uint32_t pf_size, pf_name;
	/* KTHREAD / ETHREAD for thread objects (§5.3, §5.4) */
	uint32_t kt_process, kt_thread_list, kt_win32_thread, kt_size;
	uint32_t et_create_time, et_exit_time, et_start, et_cid, et_win32_start;
	uint32_t et_thread_list, et_cross_flags, et_exit_status, ep_active_threads;
	uint32_t thread_tag;          /* 'Thr\xE5' before Windows 8, 'Thre' after (§3.2) */
	uint8_t thread_type_index;
	/* address layout */
	uint64_t system_range_start, highest_user, user_probe;
	uint64_t nonpaged_base, paged_base, session_base, pfn_database;
	uint32_t pfn_entry_size;      /* MMPFN size, to size the PFN database range */
	uint64_t boot_region_va;      /* VA that maps physical 0 in the boot region, 0 = none */
	uint32_t system_dtb_pfn;      /* where Windows puts the System page directory */
	uint32_t dtb_low_bits;        /* 17763: PCID-style low bits in KPROCESS.DirectoryTableBase */
} lab_profile;

/* Fill `pr` for the scenario's arch and build; KASLR-style regions of 17763
 * come from `random` (seeded). Returns 0, or -1 for an unsupported pair. */
int lab_profile_init(lab_profile *pr, lab_arch arch, uint32_t build,
		     uint64_t (*random)(void *), void *rctx, unsigned *selfmap_index);

#endif
