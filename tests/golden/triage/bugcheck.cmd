.bugcheck
