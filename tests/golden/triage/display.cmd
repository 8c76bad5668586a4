db fffff8047c64c0a0 L20; db fffff8047c64c090 L30; db 1000 L10; dw fffff8047c64c0a0 L9; dd fffff8047c64c0a0 L6; dq fffff8047c64c0a0 L3; dc fffff8047c64c0a0 L6; da fffff8047c64c0a0; dp @rsp L4
