@ The vector table the core reads at reset: initial SP (top of the 4 MB data RAM), the reset vector, and
@ the 14 system exception vectors, all pointing at a loop (a fault stops there instead of running wild).
        .syntax unified
        .cpu    cortex-m4
        .thumb
        .section .vectors, "a"
        .word   0x20400000
        .word   _start + 1
        .rept   14
        .word   hang + 1
        .endr
        .text
        .thumb_func
hang:   b       hang
