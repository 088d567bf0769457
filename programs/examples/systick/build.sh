#!/bin/sh
# Rebuild systick.elf (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi). The program has its own
# vector table (section .vectors); the linker script is the hello example's. Same source as
# test/cross/programs/systick.c, which test/cross/qemu-programs.test.ts runs against QEMU.
set -e
cd "$(dirname "$0")"
arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -T ../hello/mps2.ld systick.c -o systick.elf
arm-none-eabi-strip --strip-debug systick.elf
