# imports_x64.s - SIoctl.sys (x86_64) import table, laid out by hand like
# imports_x86.s (see there for why): IAT first in .rdata, 8-byte thunks,
# ExAllocatePoolWithTag's slot at RVA 0x2020; pe_stamp --directory sets
# the import and IAT directories from the lab_* labels.

	.macro thunk name
	.rva \name
	.long 0
	.endm

	.section .rdata$0,"dr"
	.p2align 3
	.globl __imp_RtlInitUnicodeString
	.globl __imp_IoCreateDevice
	.globl __imp_IoCreateSymbolicLink
	.globl __imp_IoDeleteDevice
	.globl __imp_ExAllocatePoolWithTag
	.globl __imp_IoDeleteSymbolicLink
	.globl __imp_IofCompleteRequest
	.globl __imp_DbgPrint
	.globl lab_iat
	.globl lab_iat_end
sioctl_iat:
lab_iat:
__imp_RtlInitUnicodeString:	thunk hn_RtlInitUnicodeString
__imp_IoCreateDevice:		thunk hn_IoCreateDevice
__imp_IoCreateSymbolicLink:	thunk hn_IoCreateSymbolicLink
__imp_IoDeleteDevice:		thunk hn_IoDeleteDevice
__imp_ExAllocatePoolWithTag:	thunk hn_ExAllocatePoolWithTag
__imp_IoDeleteSymbolicLink:	thunk hn_IoDeleteSymbolicLink
__imp_IofCompleteRequest:	thunk hn_IofCompleteRequest
__imp_DbgPrint:			thunk hn_DbgPrint
	.quad 0
lab_iat_end:

# IMAGE_IMPORT_DESCRIPTOR for ntoskrnl.exe, then the all-zero terminator.
	.section .rdata$2,"dr"
	.p2align 2
	.globl lab_import_directory
	.globl lab_import_directory_end
lab_import_directory:
	.rva sioctl_ilt		# OriginalFirstThunk
	.long 0			# TimeDateStamp
	.long 0			# ForwarderChain
	.rva sioctl_dll		# Name
	.rva sioctl_iat		# FirstThunk
	.long 0, 0, 0, 0, 0
lab_import_directory_end:

	.section .rdata$4,"dr"
	.p2align 3
sioctl_ilt:
	thunk hn_RtlInitUnicodeString
	thunk hn_IoCreateDevice
	thunk hn_IoCreateSymbolicLink
	thunk hn_IoDeleteDevice
	thunk hn_ExAllocatePoolWithTag
	thunk hn_IoDeleteSymbolicLink
	thunk hn_IofCompleteRequest
	thunk hn_DbgPrint
	.quad 0

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
