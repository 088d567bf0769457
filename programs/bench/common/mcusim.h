/*
 * mcusim.h: the simulator's control registers, as firmware sees them.
 *
 * The block at MCUSIM_BASE (0xE00F0000, 4 KB) is mcusim's simulator register block (src/sys/simctl.ts). It sits in
 * the Private Peripheral Bus, in addresses that no Cortex-M4/M7 or STM32 part implements; on silicon, and on QEMU, an
 * access there is a bus error or does nothing useful. So every access here is compiled only when the build sets
 * MCUSIM_MARKERS=1 (programs/bench/build.sh does for the simulator images, and leaves it out of the QEMU image);
 * otherwise the macros expand to nothing and the program is the same on every target.
 *
 * Registers (word writes):
 *   +0x0 MARK       write n: a new phase named n begins (the run records cycles and memory high-water marks per phase)
 *   +0x4 MARK_NAME  write the address of a NUL-terminated name (at most 64 bytes): a phase with that name begins
 *   +0x8 END        any write: the current phase ends, no new one begins
 *   +0xC ID         reads 0x4D435553 ("MCUS") on the simulator
 * Change the address here, in one place, if the simulator's block ever moves.
 */
#ifndef MCUSIM_H
#define MCUSIM_H

#include <stdint.h>

#define MCUSIM_BASE 0xE00F0000u

#ifndef MCUSIM_MARKERS
#define MCUSIM_MARKERS 0
#endif

#if MCUSIM_MARKERS
#define MCUSIM_REG(off) (*(volatile uint32_t *)(MCUSIM_BASE + (off)))
/* a phase named by the number n begins */
#define MCUSIM_MARK(n) (MCUSIM_REG(0x0) = (uint32_t)(n))
/* a phase named by the string s (a pointer to a NUL-terminated string) begins */
#define MCUSIM_MARK_NAME(s) (MCUSIM_REG(0x4) = (uint32_t)(uintptr_t)(s))
/* the current phase ends */
#define MCUSIM_END() (MCUSIM_REG(0x8) = 0u)
#else
#define MCUSIM_MARK(n) ((void)(n))
#define MCUSIM_MARK_NAME(s) ((void)(s))
#define MCUSIM_END() ((void)0)
#endif

#endif
