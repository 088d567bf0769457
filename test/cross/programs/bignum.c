/* Multi-precision integers in 32-bit limbs: 60! in base 10^9 (UMULL/UMLAL-style 32x32->64 with carries),
   2^500 by repeated doubling, and a 256-bit modular exponentiation by square-and-multiply with 64-bit
   intermediates. Exit code: a digit checksum. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define BASE 1000000000u
static void print_big(const uint32_t *d, int n) { int i = n - 1; while (i > 0 && !d[i]) i--; printf("%lu", (unsigned long)d[i]); while (i--) printf("%09lu", (unsigned long)d[i]); printf("\n"); }
static int mul_small(uint32_t *d, int n, uint32_t m) { uint64_t c = 0; for (int i = 0; i < n; i++) { uint64_t t = (uint64_t)d[i] * m + c; d[i] = (uint32_t)(t % BASE); c = t / BASE; } while (c) { d[n++] = (uint32_t)(c % BASE); c /= BASE; } return n; }
/* 8-limb (256-bit) little-endian arithmetic modulo P = 2^255 - 19 */
typedef struct { uint32_t v[8]; } u256;
static const u256 P = {{0xffffffed, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x7fffffff}};
static int geq(const u256 *a, const u256 *b) { for (int i = 7; i >= 0; i--) if (a->v[i] != b->v[i]) return a->v[i] > b->v[i]; return 1; }
static void sub(u256 *a, const u256 *b) { int64_t br = 0; for (int i = 0; i < 8; i++) { int64_t t = (int64_t)a->v[i] - b->v[i] + br; a->v[i] = (uint32_t)t; br = t >> 32; } }
static u256 mulmod(const u256 *a, const u256 *b) {
  uint32_t t[16] = {0};
  for (int i = 0; i < 8; i++) { uint64_t c = 0; for (int j = 0; j < 8; j++) { uint64_t x = (uint64_t)a->v[i] * b->v[j] + t[i + j] + c; t[i + j] = (uint32_t)x; c = x >> 32; } t[i + 8] = (uint32_t)c; }
  /* reduce: 2^256 = 38 mod P */
  uint64_t c = 0; u256 r;
  for (int i = 0; i < 8; i++) { uint64_t x = (uint64_t)t[i + 8] * 38 + t[i] + c; r.v[i] = (uint32_t)x; c = x >> 32; }
  while (c) { uint64_t x = c * 38; c = 0; for (int i = 0; i < 8 && x; i++) { x += r.v[i]; r.v[i] = (uint32_t)x; x >>= 32; if (i == 7) c = x; } }
  while (geq(&r, &P)) sub(&r, &P);
  return r;
}

int main(void) {
  uint32_t f[40] = {1}; int n = 1;
  for (uint32_t k = 2; k <= 60; k++) n = mul_small(f, n, k);
  printf("60! = "); print_big(f, n);
  uint32_t p[20] = {1}; int pn = 1;
  for (int k = 0; k < 500; k++) pn = mul_small(p, pn, 2);
  printf("2^500 = "); print_big(p, pn);
  u256 base = {{7, 0, 0, 0, 0, 0, 0, 0}}, r = {{1, 0, 0, 0, 0, 0, 0, 0}};
  u256 e = P; e.v[0] -= 2;                              /* 7^(P-2) = 7^-1 mod P */
  for (int i = 255; i >= 0; i--) { r = mulmod(&r, &r); if (e.v[i / 32] >> (i % 32) & 1) r = mulmod(&r, &base); }
  u256 check = mulmod(&r, &base);
  printf("7^-1 mod 2^255-19 = "); for (int i = 7; i >= 0; i--) printf("%08lx", (unsigned long)r.v[i]); printf("\n7 * that = %lu (limbs above 0 zero: %d)\n", (unsigned long)check.v[0], !(check.v[1] | check.v[7]));
  uint32_t s = 0; for (int i = 0; i < n; i++) s += f[i] % 97; for (int i = 0; i < pn; i++) s += p[i] % 89;
  return (int)((s + r.v[0]) % 127);
}
