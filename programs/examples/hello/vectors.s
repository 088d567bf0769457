@ The two words the core reads at reset: initial SP (top of the 4 MB data RAM) and the reset vector.
        .syntax unified
        .section .vectors, "a"
        .word   0x20400000
        .word   _start + 1
