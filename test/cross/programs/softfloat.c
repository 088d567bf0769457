/* Soft-float arithmetic (-mfloat-abi=soft: GCC's __aeabi_f* / __aeabi_d* routines): single and double add, sub,
   mul, div, conversions to and from integers (rounding toward zero, saturation), comparisons with NaN,
   subnormals, and the exact bit patterns of the results. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static volatile float fv[] = {0.0f, -0.0f, 1.0f, -1.5f, 3.1415927f, 1e-40f, 3.4e38f, 0.1f, 16777217.0f, -1e10f};
static volatile double dv[] = {0.0, 1.0, -2.5, 3.141592653589793, 1e-310, 1.7e308, 0.1, 9007199254740993.0, -1e20, 123456.789};

int main(void) {
  uint32_t h = 0;
  for (unsigned i = 0; i < 10; i++) for (unsigned j = 0; j < 10; j++) {
    float a = fv[i], b = fv[j];
    h = h * 31 + fbits(a + b); h = h * 31 + fbits(a - b); h = h * 31 + fbits(a * b); h = h * 31 + fbits(b != 0 ? a / b : a);
    h = h * 31 + (uint32_t)((a < b) | (a == b) << 1 | (a >= b) << 2);
    double c = dv[i], d = dv[j]; uint64_t r[4] = {dbits(c + d), dbits(c - d), dbits(c * d), dbits(d != 0 ? c / d : c)};
    for (int k = 0; k < 4; k++) h = h * 31 + (uint32_t)r[k] + (uint32_t)(r[k] >> 32);
  }
  for (unsigned i = 0; i < 10; i++) {
    float a = fv[i]; double c = dv[i];
    int32_t ia = (a > -2.1e9f && a < 2.1e9f) ? (int32_t)a : 0; int64_t ic = (c > -9e18 && c < 9e18) ? (int64_t)c : 0;
    printf("f %08lx -> int %ld -> double %016llx | d %016llx -> int64 %lld -> float %08lx\n", (unsigned long)fbits(a), (long)ia,
      (unsigned long long)dbits((double)a), (unsigned long long)dbits(c), (long long)ic, (unsigned long)fbits((float)c));
    h = h * 31 + (uint32_t)ia + (uint32_t)ic;
  }
  volatile float nan = 0.0f / 0.0f; volatile double dn = nan;
  printf("nan compares: %d %d %d %d, uint conversions %lu %lu\n", nan == nan, nan < 1.0f, dn != dn, dn >= 0.0,
    (unsigned long)(uint32_t)3.99e9, (unsigned long)(uint32_t)(float)4000000000.0);
  printf("checksum %08lx\n", (unsigned long)h);
  return (int)(h & 0x7f);
}
