@ int8 dot product, scalar and DSP-SIMD, on 64-element vectors.
@ The SIMD loop widens four int8 values at a time with SXTB16 (even and odd bytes) and accumulates pairs with
@ SMLAD: the inner step of every int8 convolution kernel. Both results land in r0 (scalar) and r1 (SIMD) and
@ must be equal; the program stops at the BKPT.
        .syntax unified
        .cpu    cortex-m4
        .thumb

        .text
        .global _start
        .thumb_func
_start:
        ldr     r4, =vec_a
        ldr     r5, =vec_b
        movs    r6, #64
        movs    r0, #0
1:      ldrsb   r2, [r4], #1            @ scalar: one multiply-accumulate per element
        ldrsb   r3, [r5], #1
        mla     r0, r2, r3, r0
        subs    r6, r6, #1
        bne     1b

        ldr     r4, =vec_a
        ldr     r5, =vec_b
        movs    r6, #16                 @ 64 elements, 4 per iteration
        movs    r1, #0
2:      ldr     r2, [r4], #4            @ a3 a2 a1 a0
        ldr     r3, [r5], #4            @ b3 b2 b1 b0
        sxtb16  r7, r2                  @ a2:a0 as two int16
        sxtb16  r8, r3                  @ b2:b0
        smlad   r1, r7, r8, r1          @ += a0*b0 + a2*b2
        sxtb16  r7, r2, ror #8          @ a3:a1
        sxtb16  r8, r3, ror #8          @ b3:b1
        smlad   r1, r7, r8, r1          @ += a1*b1 + a3*b3
        subs    r6, r6, #1
        bne     2b

        cmp     r0, r1                  @ Z=1: both ways agree
        bkpt    #0

        .data
        .align  2
vec_a:  .byte   1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16
        .byte   127, -128, 100, -100, 50, -50, 25, -25, 12, -12, 6, -6, 3, -3, 1, -1
        .byte   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        .byte   -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16
vec_b:  .byte   3, 3, 3, 3, -3, -3, -3, -3, 7, 7, 7, 7, -7, -7, -7, -7
        .byte   -128, 127, -128, 127, 64, -64, 32, -32, 16, -16, 8, -8, 4, -4, 2, -2
        .byte   1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
        .byte   100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0, -10, -20, -30, -40, -50
