#!/bin/sh
# Rebuild cyccnt.elf (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi); it runs on mps2-an386
# with semihosting, like ../hello (whose linker script and vector table it uses).
set -e
cd "$(dirname "$0")"
arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -T ../hello/mps2.ld ../hello/vectors.s cyccnt.c -o cyccnt.elf
arm-none-eabi-strip --strip-debug cyccnt.elf
