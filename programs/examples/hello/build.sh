#!/bin/sh
# Rebuild hello.elf (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi).
set -e
cd "$(dirname "$0")"
arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -T mps2.ld vectors.s hello.c -o hello.elf
arm-none-eabi-strip --strip-debug hello.elf
