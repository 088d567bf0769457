/*
 * bench.h: what a benchmark program and its target share. A workload defines its kernels and
 *   uint32_t bench_iteration(void)   one iteration on fixed seeded data: returns the iteration's checksum
 *   int bench_selftest(void)         known-answer checks of its kernels (CRC check values, a FIPS-197 vector...)
 *   const uint32_t bench_expected    the checksum every iteration must return (fixed in the source)
 *   const char bench_name[]
 * and bench_main.c runs the iterations (a marker write per iteration), prints one line and exits.
 * The target (io.c, or host.c for the host check) provides output and exit.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stddef.h>

/* output: through the board's stdout UART (io.c) or the host's stdout (host.c) */
void bench_putc(char c);
void bench_puts(const char *s);
void bench_puthex(uint32_t v, int digits);
void bench_putdec(uint32_t v);
/* end the program: semihosting SYS_EXIT with ApplicationExit when ok, RunTimeErrorUnknown otherwise */
void bench_exit(int ok) __attribute__((noreturn));

/* the workload */
uint32_t bench_iteration(void);
/* known-answer checks of the workload's kernels (run once before the iterations): nonzero when they pass */
int bench_selftest(void);
extern const uint32_t bench_expected;
extern const char bench_name[];

/*
 * Iterations to run: a word in flash (read-only data) so that a runner may patch it in the image before starting
 * (the checksum does not depend on it). Its symbol is `bench_iterations`.
 */
extern const uint32_t bench_iterations;
/*
 * The seed the workloads start from: volatile, so nothing is computed at compile time, and in .data, so the
 * checksum also checks the start-up code's .data copy.
 */
extern volatile uint32_t bench_seed;

/* a small deterministic generator (a 32-bit LCG: Numerical Recipes' constants) */
static inline uint32_t bench_lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s;
}

#endif
