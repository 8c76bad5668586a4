/*
 * nt_types.h - the Windows types of the kernel build being compiled:
 * LAB_NT_BUILD (7601 or 17763, set by lab/images/CMakeLists.txt) and the
 * target architecture choose the layout file. Only the lab kernel
 * (lab/images/nt) includes this; the lab writer (lab/profile.c) keeps its own
 * offsets on purpose.
 */
#ifndef LAB_NT_TYPES_H
#define LAB_NT_TYPES_H

#include "nt_base.h"
#include "nt_kd.h"

#if LAB_NT_BUILD == 7601 && !LAB_NT_X64
#include "nt_7601_x86.h"
#elif LAB_NT_BUILD == 7601 && LAB_NT_X64
#include "nt_7601_x64.h"
#elif LAB_NT_BUILD == 17763 && LAB_NT_X64
#include "nt_17763_x64.h"
#else
#error "no kernel types for this LAB_NT_BUILD and architecture"
#endif

#endif
