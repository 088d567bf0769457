/* 32-bit integer arithmetic: add/sub/mul wrap-around, signed and unsigned comparisons, shifts, conditional
   selects, mixed widths (int8/int16 promotion, truncation). Prints every result; exit code: checksum & 0x7f. */
#include <stdio.h>
#include <stdint.h>

static volatile int32_t vals[] = {0, 1, -1, 2, -2, 7, -7, 0x7fffffff, (int32_t)0x80000000, 12345678, -87654321, 0x55aa55aa, 255, -256};
#define N (int)(sizeof vals / sizeof vals[0])

int main(void) {
  uint32_t sum = 0;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) {
      int32_t a = vals[i], b = vals[j];
      uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
      uint32_t add = ua + ub, sub = ua - ub, mul = ua * ub;
      int lt = a < b, ult = ua < ub;
      uint32_t sh = ua << (ub & 31), lsr = ua >> (ub & 31);
      int32_t asr = a >> (ub & 31);
      int8_t t8 = (int8_t)(a + b);
      int16_t t16 = (int16_t)(a * 3 - b);
      uint32_t mx = a > b ? ua : ub;
      sum = sum * 31 + add; sum = sum * 31 + sub; sum = sum * 31 + mul;
      sum = sum * 31 + (uint32_t)(lt * 2 + ult); sum = sum * 31 + sh; sum = sum * 31 + lsr;
      sum = sum * 31 + (uint32_t)asr; sum = sum * 31 + (uint32_t)t8; sum = sum * 31 + (uint32_t)t16; sum = sum * 31 + mx;
      if (i == j || i + j == N) printf("%ld %ld: add %08lx sub %08lx mul %08lx lt %d/%d shl %08lx lsr %08lx asr %08lx t8 %d t16 %d max %08lx\n",
        (long)a, (long)b, (unsigned long)add, (unsigned long)sub, (unsigned long)mul, lt, ult, (unsigned long)sh,
        (unsigned long)lsr, (unsigned long)asr, t8, t16, (unsigned long)mx);
    }
  }
  printf("checksum %08lx\n", (unsigned long)sum);
  return (int)(sum & 0x7f);
}
