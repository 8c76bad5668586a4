# imports_x86.s - SIoctl.sys (i686) import table, laid out by hand.
#
# lld-link puts the import address table after everything else in .rdata;
# link.exe, which built the seed's SIoctl.sys, puts it first. Writing the
# table here puts ExAllocatePoolWithTag's slot at RVA 0x2010, as in the
# article ("call dword ptr [SIoctl+0x2010]"): the IAT is .rdata$0, the
# first contribution to .rdata (the driver has no other read-only data),
# then the descriptors (.rdata$2), lookup table ($4) and names ($6).
# These are not .idata$N sections because lld-link 14 crashes writing the
# PDB when objects contribute .idata; so the post-link step (pe_stamp
# --directory) points the import and IAT directories at the lab_* labels.
# The C code imports through the usual __imp_ symbols, defined below.

# No exception handlers here: mark the object /SAFESEH-compatible.
	.globl "@feat.00"
	.set "@feat.00", 1

	.section .rdata$0,"dr"
	.p2align 2
	.globl "__imp__RtlInitUnicodeString@8"
	.globl "__imp__IoCreateDevice@28"
	.globl "__imp__IoCreateSymbolicLink@8"
	.globl "__imp__IoDeleteDevice@4"
	.globl "__imp__ExAllocatePoolWithTag@12"
	.globl "__imp__IoDeleteSymbolicLink@4"
	.globl "__imp_@IofCompleteRequest@8"
	.globl __imp__DbgPrint
	.globl _lab_iat
	.globl _lab_iat_end
sioctl_iat:
_lab_iat:
"__imp__RtlInitUnicodeString@8":	.rva hn_RtlInitUnicodeString
"__imp__IoCreateDevice@28":		.rva hn_IoCreateDevice
"__imp__IoCreateSymbolicLink@8":	.rva hn_IoCreateSymbolicLink
"__imp__IoDeleteDevice@4":		.rva hn_IoDeleteDevice
"__imp__ExAllocatePoolWithTag@12":	.rva hn_ExAllocatePoolWithTag
"__imp__IoDeleteSymbolicLink@4":	.rva hn_IoDeleteSymbolicLink
"__imp_@IofCompleteRequest@8":		.rva hn_IofCompleteRequest
__imp__DbgPrint:			.rva hn_DbgPrint
	.long 0
_lab_iat_end:

# IMAGE_IMPORT_DESCRIPTOR for ntoskrnl.exe, then the all-zero terminator.
	.section .rdata$2,"dr"
	.p2align 2
	.globl _lab_import_directory
	.globl _lab_import_directory_end
_lab_import_directory:
	.rva sioctl_ilt		# OriginalFirstThunk
	.long 0			# TimeDateStamp
	.long 0			# ForwarderChain
	.rva sioctl_dll		# Name
	.rva sioctl_iat		# FirstThunk
	.long 0, 0, 0, 0, 0
_lab_import_directory_end:

	.section .rdata$4,"dr"
	.p2align 2
sioctl_ilt:
	.rva hn_RtlInitUnicodeString
	.rva hn_IoCreateDevice
	.rva hn_IoCreateSymbolicLink
	.rva hn_IoDeleteDevice
	.rva hn_ExAllocatePoolWithTag
	.rva hn_IoDeleteSymbolicLink
	.rva hn_IofCompleteRequest
	.rva hn_DbgPrint
	.long 0

# IMAGE_IMPORT_BY_NAME: a hint (0: let the loader search) and the name.
	.section .rdata$6,"dr"
	.p2align 1
hn_RtlInitUnicodeString:	.short 0
	.asciz "RtlInitUnicodeString"
	.p2align 1
hn_IoCreateDevice:		.short 0
	.asciz "IoCreateDevice"
	.p2align 1
hn_IoCreateSymbolicLink:	.short 0
	.asciz "IoCreateSymbolicLink"
	.p2align 1
hn_IoDeleteDevice:		.short 0
	.asciz "IoDeleteDevice"
	.p2align 1
hn_ExAllocatePoolWithTag:	.short 0
	.asciz "ExAllocatePoolWithTag"
	.p2align 1
hn_IoDeleteSymbolicLink:	.short 0
	.asciz "IoDeleteSymbolicLink"
	.p2align 1
hn_IofCompleteRequest:		.short 0
	.asciz "IofCompleteRequest"
	.p2align 1
hn_DbgPrint:			.short 0
	.asciz "DbgPrint"
	.p2align 1
sioctl_dll:
	.asciz "ntoskrnl.exe"
