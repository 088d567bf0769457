/*
 * The driver every benchmark program shares: run bench_iterations iterations, each marked with its number for the
 * simulator (MCUSIM_MARK, compiled in only for simulator builds), check that the kernels pass their known-answer
 * tests and every iteration returned the expected checksum, print one line and exit. The phases the markers make:
 * start-up and self-test before "1", iteration i in phase "i", printing and exit after the END write.
 *
 *   coremark-like: checksum 0x0000a3f1 iterations 10 OK
 */
#include "bench.h"
#include "mcusim.h"

#ifndef ITERATIONS
#define ITERATIONS 10
#endif

/* in read-only data, so in flash where a runner may patch it; read through a volatile pointer */
const uint32_t bench_iterations = ITERATIONS;
/* in .data: the start-up code copies it from flash, so a broken copy shows as a wrong checksum */
volatile uint32_t bench_seed = 0x2545F491u;

int main(void) {
  int selftest = bench_selftest();
  uint32_t n = *(const volatile uint32_t *)&bench_iterations;
  uint32_t sum = 0;
  int same = 1;
  for (uint32_t i = 1; i <= n; i++) {
    MCUSIM_MARK(i);
    uint32_t r = bench_iteration();
    if (i == 1) sum = r;
    else if (r != sum) same = 0;
  }
  MCUSIM_END();
  int ok = selftest && n > 0 && same && sum == bench_expected;
  bench_puts(bench_name);
  bench_puts(": checksum 0x");
  bench_puthex(sum, 8);
  bench_puts(" iterations ");
  bench_putdec(n);
  if (ok) {
    bench_puts(" OK\n");
  } else {
    bench_puts(" FAIL (expected 0x");
    bench_puthex(bench_expected, 8);
    bench_puts(same ? ")" : ", iterations differ)");
    bench_puts(selftest ? "\n" : ", selftest failed\n");
  }
  bench_exit(ok);
}
