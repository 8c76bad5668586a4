!poolfind Irp 0
