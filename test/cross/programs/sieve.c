/* Primes: a byte sieve of Eratosthenes up to 100000, a bit-packed sieve (word loads, shifts, CLZ-free counting),
   trial division for the last primes, Miller-Rabin with 64-bit modular multiplication for a few 32-bit numbers. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N 100000
static uint8_t comp[N + 1];
static uint32_t bits[N / 32 + 1];
static uint32_t powmod(uint32_t b, uint32_t e, uint32_t m) { uint64_t r = 1, x = b % m; while (e) { if (e & 1) r = r * x % m; x = x * x % m; e >>= 1; } return (uint32_t)r; }
static int mr(uint32_t n) {
  if (n < 2) return 0; for (uint32_t p = 2; p < 40; p++) if (n % p == 0) return n == p;
  uint32_t d = n - 1; int s = 0; while (!(d & 1)) { d >>= 1; s++; }
  static const uint32_t as[] = {2, 3, 5, 7};
  for (int i = 0; i < 4; i++) { uint64_t x = powmod(as[i], d, n); if (x == 1 || x == n - 1) continue; int ok = 0;
    for (int r = 1; r < s; r++) { x = x * x % n; if (x == n - 1) { ok = 1; break; } } if (!ok) return 0; }
  return 1;
}

int main(void) {
  for (uint32_t i = 2; i * i <= N; i++) if (!comp[i]) for (uint32_t j = i * i; j <= N; j += i) comp[j] = 1;
  uint32_t count = 0, sum = 0, last = 0;
  for (uint32_t i = 2; i <= N; i++) if (!comp[i]) { count++; sum += i; last = i; }
  memset(bits, 0xff, sizeof bits); bits[0] &= ~3u;
  for (uint32_t i = 2; i * i <= N; i++) if (bits[i >> 5] >> (i & 31) & 1) for (uint32_t j = i * i; j <= N; j += i) bits[j >> 5] &= ~(1u << (j & 31));
  uint32_t count2 = 0; for (uint32_t i = 0; i <= N; i++) count2 += bits[i >> 5] >> (i & 31) & 1;
  printf("primes <= %d: %lu (bit sieve %lu) sum %lu last %lu\n", N, (unsigned long)count, (unsigned long)count2, (unsigned long)sum, (unsigned long)last);
  static const uint32_t cand[] = {4294967291u, 4294967295u, 2147483647u, 3215031751u, 1000000007u, 999999937u, 561u, 25326001u};
  int mrs = 0;
  for (int i = 0; i < 8; i++) { int p = mr(cand[i]); mrs = mrs * 2 + p; printf("%lu: %s\n", (unsigned long)cand[i], p ? "prime" : "composite"); }
  return (int)((count + (uint32_t)mrs + (count != count2) * 64) & 0x7f);
}
