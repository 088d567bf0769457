/*
 * The host build of a workload (programs/bench/build.sh host): the same kernels compiled for the machine that builds
 * them, printing to stdout. Its checksum must equal the targets': the kernels use fixed-width types only, so their
 * results do not depend on the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"

void bench_putc(char c) { putchar(c); }
void bench_puts(const char *s) { fputs(s, stdout); }
void bench_puthex(uint32_t v, int digits) { printf("%0*lx", digits, (unsigned long)v); }
void bench_putdec(uint32_t v) { printf("%lu", (unsigned long)v); }
void bench_exit(int ok) { fflush(stdout); exit(ok ? 0 : 1); }
