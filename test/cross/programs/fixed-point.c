/* Fixed-point arithmetic in C: Q15 and Q31 multiplies with rounding and saturation, a Q15 FIR filter, a Q16.16
   square root by Newton iteration, CORDIC sine/cosine in Q30, and a biquad IIR in Q14. Exit code: checksum & 0x7f. */
#include <stdio.h>
#include <stdint.h>

static int16_t q15_mul(int16_t a, int16_t b) { int32_t p = ((int32_t)a * b + (1 << 14)) >> 15; return (int16_t)(p > 32767 ? 32767 : p < -32768 ? -32768 : p); }
static int32_t q31_mul(int32_t a, int32_t b) { int64_t p = ((int64_t)a * b + (1ll << 30)) >> 31; return p > INT32_MAX ? INT32_MAX : p < INT32_MIN ? INT32_MIN : (int32_t)p; }
static uint32_t q16_sqrt(uint32_t x) { if (!x) return 0; uint64_t v = (uint64_t)x << 16, r = v > 1 ? v / 2 : 1; for (int i = 0; i < 40; i++) { uint64_t n = (r + v / r) / 2; if (n >= r) break; r = n; } return (uint32_t)r; }
static void cordic(int32_t theta, int32_t *s, int32_t *c) {   /* theta in Q30 radians, |theta| < pi/2 */
  static const int32_t atans[24] = {843314857, 497837829, 263043837, 133525159, 67021687, 33543516, 16775851, 8388437, 4194283, 2097149, 1048576, 524288, 262144, 131072, 65536, 32768, 16384, 8192, 4096, 2048, 1024, 512, 256, 128};
  int32_t x = 652032874, y = 0;                               /* 1/K in Q30 */
  for (int i = 0; i < 24; i++) { int32_t dx = x >> i, dy = y >> i; if (theta >= 0) { x -= dy; y += dx; theta -= atans[i]; } else { x += dy; y -= dx; theta += atans[i]; } }
  *s = y; *c = x;
}

int main(void) {
  uint32_t h = 0;
  static const int16_t a[] = {0, 1, -1, 16384, -16384, 32767, -32768, 12345, -23456};
  for (unsigned i = 0; i < 9; i++) for (unsigned j = 0; j < 9; j++) h = h * 31 + (uint16_t)q15_mul(a[i], a[j]);
  static const int32_t b[] = {0, 1, -1, 0x40000000, INT32_MIN, INT32_MAX, 123456789, -987654321};
  for (unsigned i = 0; i < 8; i++) for (unsigned j = 0; j < 8; j++) h = h * 31 + (uint32_t)q31_mul(b[i], b[j]);
  printf("q15 %d %d %d q31 %ld %ld\n", q15_mul(-32768, -32768), q15_mul(16384, 16384), q15_mul(12345, -23456), (long)q31_mul(INT32_MIN, INT32_MIN), (long)q31_mul(0x40000000, 123456789));
  static const int16_t taps[8] = {-512, 1024, 4096, 10000, 10000, 4096, 1024, -512};
  int16_t hist[8] = {0}; int32_t fir_sum = 0;
  for (int n = 0; n < 64; n++) {
    for (int k = 7; k > 0; k--) hist[k] = hist[k - 1];
    hist[0] = (int16_t)((n * 2749) % 65536 - 32768);
    int32_t acc = 0; for (int k = 0; k < 8; k++) acc += hist[k] * taps[k];
    int16_t y = (int16_t)((acc + (1 << 14)) >> 15); fir_sum += y; h = h * 31 + (uint16_t)y;
  }
  printf("fir sum %ld\n", (long)fir_sum);
  for (uint32_t x = 1; x < 200000; x = x * 3 + 7) { uint32_t r = q16_sqrt(x); h = h * 31 + r; if (x < 1000) printf("sqrt(%lu) = %lu/65536\n", (unsigned long)x, (unsigned long)r); }
  for (int d = -80; d <= 80; d += 20) { int32_t s, c; cordic((int32_t)((int64_t)d * 18740330), &s, &c); h = h * 31 + (uint32_t)s + (uint32_t)c; printf("cordic %d deg: sin %ld cos %ld (Q30)\n", d, (long)s, (long)c); }
  int32_t z1 = 0, z2 = 0; const int32_t b0 = 1024, b1 = 2048, b2 = 1024, a1 = -19000, a2 = 7000; int32_t last = 0;
  for (int n = 0; n < 50; n++) { int32_t x = (n % 10 < 5) ? 8000 : -8000; int32_t y = (b0 * x + z1) >> 14; z1 = b1 * x - a1 * y + z2; z2 = b2 * x - a2 * y; last = y; h = h * 31 + (uint32_t)y; }
  printf("biquad last %ld checksum %08lx\n", (long)last, (unsigned long)h);
  return (int)(h & 0x7f);
}
