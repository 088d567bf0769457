#!/bin/sh
# Rebuild usagefault.elf (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi). The program has its own
# vector table (section .vectors); the linker script is the hello example's. Same source as
# test/cross/programs/usagefault.c, which test/cross/qemu-programs.test.ts runs against QEMU.
set -e
cd "$(dirname "$0")"
arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -T ../hello/mps2.ld usagefault.c -o usagefault.elf
arm-none-eabi-strip --strip-debug usagefault.elf
