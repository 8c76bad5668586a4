/*
 * io.c - the I/O manager exports the lab's drivers import: device creation
 * and deletion, request completion.
 */
#include "ntinternal.h"

typedef struct _DEVICE_OBJECT_LITE {
	SHORT Type;
	USHORT Size;
	LONG ReferenceCount;
	PDRIVER_OBJECT DriverObject;
	struct _DEVICE_OBJECT_LITE *NextDevice;
	ULONG DeviceType;
	ULONG Characteristics;
	BOOLEAN Exclusive;
} DEVICE_OBJECT_LITE;

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
			      ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject)
{
	DEVICE_OBJECT_LITE *dev = ExAllocatePoolWithTag(NonPagedPool, sizeof *dev + DeviceExtensionSize, 0xF6766544 /* 'Dev\xf6' */);

	if (dev == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	dev->Type = 3;
	dev->Size = (USHORT)(sizeof *dev + DeviceExtensionSize);
	dev->ReferenceCount = 0;
	dev->DriverObject = DriverObject;
	dev->NextDevice = (DEVICE_OBJECT_LITE *)DriverObject->DeviceObject;
	dev->DeviceType = DeviceType;
	dev->Characteristics = DeviceCharacteristics;
	dev->Exclusive = Exclusive;
	DriverObject->DeviceObject = (PDEVICE_OBJECT)dev;
	*DeviceObject = (PDEVICE_OBJECT)dev;
	return STATUS_SUCCESS;
}

VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
	DEVICE_OBJECT_LITE *dev = (DEVICE_OBJECT_LITE *)DeviceObject;
	PDRIVER_OBJECT driver = dev->DriverObject;

	if (driver->DeviceObject == DeviceObject)
		driver->DeviceObject = (PDEVICE_OBJECT)dev->NextDevice;
	ExFreePoolWithTag(dev, 0xF6766544);
}

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
	if (Irp->IoStatus.u.Status == (NTSTATUS)0x00000103L /* STATUS_PENDING */)
		KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0xD7C, 0, 0);
	Irp->Flags |= (ULONG)(UCHAR)PriorityBoost << 24;
	if (Irp->SystemBuffer != NULL && (Irp->Flags & 0x10))
		ExFreePool(Irp->SystemBuffer);
}

/* Symbolic links live in the object namespace; the lab's kernel only
 * counts them. */
static ULONG IopSymbolicLinkCount;

NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
	if (SymbolicLinkName == NULL || DeviceName == NULL || DeviceName->Length == 0)
		return (NTSTATUS)0xC000000DL;   /* STATUS_INVALID_PARAMETER */
	IopSymbolicLinkCount++;
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
	if (IopSymbolicLinkCount == 0)
		return (NTSTATUS)0xC0000034L;   /* STATUS_OBJECT_NAME_NOT_FOUND */
	IopSymbolicLinkCount--;
	return STATUS_SUCCESS;
}
