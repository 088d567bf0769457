/* Division: SDIV/UDIV through C (by variables and by constants, which GCC turns into multiplications), the
   INT_MIN / -1 and divide-by-zero cases through inline SDIV/UDIV (both give 0 on ARMv7-M when DIV_0_TRP is clear
   and INT_MIN / -1 gives INT_MIN), rounding toward zero of negative quotients and remainders. */
#include <stdio.h>
#include <stdint.h>

static int32_t sdiv(int32_t a, int32_t b) { int32_t r; __asm volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t udiv(uint32_t a, uint32_t b) { uint32_t r; __asm volatile("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

static volatile int32_t nums[] = {0, 1, -1, 7, -7, 100, -100, 0x7fffffff, (int32_t)0x80000000, 123456789, -98765};
static volatile int32_t dens[] = {1, -1, 2, -2, 3, 7, -7, 10, 1000, 0x7fffffff, (int32_t)0x80000000, 65536};

int main(void) {
  uint32_t sum = 0;
  for (unsigned i = 0; i < sizeof nums / 4; i++) {
    int32_t a = nums[i];
    for (unsigned j = 0; j < sizeof dens / 4; j++) {
      int32_t b = dens[j];
      if (a == INT32_MIN && b == -1) continue;
      int32_t q = a / b, r = a % b;
      uint32_t uq = (uint32_t)a / (uint32_t)b, ur = (uint32_t)a % (uint32_t)b;
      sum = sum * 33 + (uint32_t)q; sum = sum * 33 + (uint32_t)r; sum = sum * 33 + uq; sum = sum * 33 + ur;
      if (j == i % 12) printf("%ld / %ld = %ld rem %ld; unsigned %lu rem %lu\n", (long)a, (long)b, (long)q, (long)r, (unsigned long)uq, (unsigned long)ur);
    }
    /* by constants */
    int32_t c[6] = {a / 3, a / 10, a % 10, a / 16, a / -5, (int32_t)((uint32_t)a / 1000u)};
    for (int k = 0; k < 6; k++) sum = sum * 33 + (uint32_t)c[k];
    printf("%ld: /3 %ld /10 %ld %%10 %ld /16 %ld /-5 %ld u/1000 %ld\n", (long)a, (long)c[0], (long)c[1], (long)c[2], (long)c[3], (long)c[4], (long)c[5]);
  }
  volatile int32_t zero = 0, m1 = -1;
  int32_t e1 = sdiv(42, zero), e2 = sdiv(INT32_MIN, m1);
  uint32_t e3 = udiv(0xffffffffu, (uint32_t)zero), e4 = udiv(0xffffffffu, 0xffffffffu);
  printf("sdiv 42/0 = %ld, INT_MIN/-1 = %ld, udiv max/0 = %lu, max/max = %lu\n", (long)e1, (long)e2, (unsigned long)e3, (unsigned long)e4);
  sum = sum * 33 + (uint32_t)e1 + (uint32_t)e2 + e3 + e4;
  printf("checksum %08lx\n", (unsigned long)sum);
  return (int)(sum % 97);
}
