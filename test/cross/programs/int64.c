/* 64-bit arithmetic: add/sub with carries, multiplies (32x32->64 signed and unsigned, 64x64), shifts by 0..63,
   comparisons, 64-bit division and modulo (__aeabi_ldivmod / __aeabi_uldivmod). Exit code: checksum & 0x7f. */
#include <stdio.h>
#include <stdint.h>

static volatile uint64_t vals[] = {0, 1, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
  0xffffffffffffffffull, 0x123456789abcdef0ull, 0xfedcba9876543210ull, 1000000007ull, 3, 0xdeadbeefull};
#define N (int)(sizeof vals / sizeof vals[0])

int main(void) {
  uint64_t sum = 0;
  for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) {
    uint64_t a = vals[i], b = vals[j];
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    uint64_t r[10];
    r[0] = a + b; r[1] = a - b; r[2] = a * b;
    r[3] = (uint64_t)((int64_t)(int32_t)a * (int64_t)(int32_t)b);
    r[4] = (uint64_t)(uint32_t)a * (uint32_t)b;
    r[5] = a << (b & 63); r[6] = a >> (b & 63); r[7] = (uint64_t)(sa >> (b & 63));
    r[8] = b ? a / b : 0; r[9] = (sb && !(sa == INT64_MIN && sb == -1)) ? (uint64_t)(sa % sb) : 0;
    for (int k = 0; k < 10; k++) sum = (sum ^ r[k]) * 0x100000001b3ull;
    sum += (uint64_t)((a < b) + 2 * (sa < sb));
    if (j == (i * 5) % N) printf("%016llx %016llx: %016llx %016llx %016llx %016llx %016llx %llu %lld\n", (unsigned long long)a,
      (unsigned long long)b, (unsigned long long)r[0], (unsigned long long)r[2], (unsigned long long)r[3],
      (unsigned long long)r[5], (unsigned long long)r[7], (unsigned long long)r[8], (long long)r[9]);
  }
  printf("checksum %016llx\n", (unsigned long long)sum);
  return (int)(sum & 0x7f);
}
