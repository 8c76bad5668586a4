/*
 * nt_pool_type.h - enum _POOL_TYPE as the kernel build declares it: the
 * Windows 7 kernel's PDB lists NonPagedPool (0) ... NonPagedPoolCacheAligned-
 * MustSSession (38); Windows 8 added NonPagedPoolExecute, the *Base aliases
 * and the no-execute types (NonPagedPoolNx 512, NonPagedPoolNxCacheAligned
 * 516, NonPagedPoolSessionNx 544), the values the WDK's wdm.h documents
 * (formats.md §3.2). ntmini.h includes this for the kernel (LAB_NT_BUILD
 * set) instead of its driver-side WDK copy.
 */
#ifndef LAB_NT_POOL_TYPE_H
#define LAB_NT_POOL_TYPE_H

typedef enum _POOL_TYPE {
	NonPagedPool = 0,
#if LAB_NT_BUILD >= 9200
	NonPagedPoolExecute = 0,
#endif
	PagedPool = 1,
	NonPagedPoolMustSucceed = 2,
	DontUseThisType = 3,
	NonPagedPoolCacheAligned = 4,
	PagedPoolCacheAligned = 5,
	NonPagedPoolCacheAlignedMustS = 6,
	MaxPoolType = 7,
#if LAB_NT_BUILD >= 9200
	NonPagedPoolBase = 0,
	NonPagedPoolBaseMustSucceed = 2,
	NonPagedPoolBaseCacheAligned = 4,
	NonPagedPoolBaseCacheAlignedMustS = 6,
#endif
	NonPagedPoolSession = 32,
	PagedPoolSession = 33,
	NonPagedPoolMustSucceedSession = 34,
	DontUseThisTypeSession = 35,
	NonPagedPoolCacheAlignedSession = 36,
	PagedPoolCacheAlignedSession = 37,
	NonPagedPoolCacheAlignedMustSSession = 38,
#if LAB_NT_BUILD >= 9200
	NonPagedPoolNx = 512,
	NonPagedPoolNxCacheAligned = 516,
	NonPagedPoolSessionNx = 544,
#endif
} POOL_TYPE;

#endif
