/* Times a loop with the DWT cycle counter, as firmware profiling itself does, and prints the count: the simulator's
   DWT CYCCNT counts the model's cycles, so the printed figure is the number of cycles the simulator counted between
   the two reads of CYCCNT (`mcusim run --trace` shows them: the lines that read 0xe0001004).
   Built by build.sh; the ELF is committed so it runs without a cross compiler. */
#include <stdio.h>
#include <stdint.h>

#define DEMCR       (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL    (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT  (*(volatile uint32_t *)0xE0001004u)

static int32_t table[64];

__attribute__((noinline)) static int32_t work(int n) {
  int32_t acc = 0;
  for (int i = 0; i < n; i++) {
    table[i & 63] += i * 3;
    acc += table[(i * 7) & 63] / (i + 1);
  }
  return acc;
}

int main(void) {
  DEMCR |= 1u << 24;   /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;      /* CYCCNTENA */
  uint32_t t0 = DWT_CYCCNT;
  int32_t r = work(200);
  uint32_t t1 = DWT_CYCCNT;
  printf("work(200) = %ld in %lu cycles\n", (long)r, (unsigned long)(t1 - t0));
  return 0;
}
