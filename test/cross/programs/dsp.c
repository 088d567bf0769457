/* DSP intrinsics from arm_acle.h (ARMv7E-M): saturating arithmetic (__qadd, __qsub, __ssat, __usat, __qadd8,
   __qadd16, __qsub16, __qasx, __uqadd8, __uqsub16), SIMD with GE flags (__sadd16, __usub8, __sel, __sasx,
   __shadd16, __uhsub8), sum of absolute differences (__usad8, __usada8), dual multiply-accumulate (__smlad,
   __smladx, __smlsd, __smuad, __smusdx, __smlald, __smlsld), halfword multiplies (__smlatb, __smlabt, __smlabb,
   __smlawb, __smlawt), packing/extension (__sxtb16, __uxtab16), and the Q flag via __saturation_occurred. */
#include <stdio.h>
#include <stdint.h>
#include <arm_acle.h>

static volatile uint32_t v[] = {0, 1, 0xffffffffu, 0x7fff8000u, 0x80007fffu, 0x12345678u, 0x7f7f8080u, 0xfedcba98u, 0x00ff00ffu, 0x80000000u, 0x7fffffffu};
#define N (sizeof v / sizeof v[0])
static uint32_t h = 0x811c9dc5u;
static void mix(uint32_t x) { h = (h ^ x) * 16777619u; }

int main(void) {
  for (unsigned i = 0; i < N; i++) for (unsigned j = 0; j < N; j++) {
    uint32_t a = v[i], b = v[j], c = v[(i + j) % N];
    __ignore_saturation(); __set_saturation_occurred(0);
    uint32_t r[40]; int k = 0;
    r[k++] = (uint32_t)__qadd((int32_t)a, (int32_t)b); r[k++] = (uint32_t)__qsub((int32_t)a, (int32_t)b);
    r[k++] = (uint32_t)__ssat((int32_t)a, 16); r[k++] = __usat((int32_t)b, 8);
    r[k++] = (uint32_t)__qadd8((int8x4_t)a, (int8x4_t)b); r[k++] = (uint32_t)__qadd16((int16x2_t)a, (int16x2_t)b);
    r[k++] = (uint32_t)__qsub16((int16x2_t)a, (int16x2_t)b); r[k++] = (uint32_t)__qasx((int16x2_t)a, (int16x2_t)b);
    r[k++] = __uqadd8(a, b); r[k++] = __uqsub16(a, b);
    r[k++] = (uint32_t)__sadd16((int16x2_t)a, (int16x2_t)b); r[k++] = __sel(a, b);
    r[k++] = __usub8(a, b); r[k++] = __sel(c, a);
    r[k++] = (uint32_t)__sasx((int16x2_t)a, (int16x2_t)b); r[k++] = __sel(b, c);
    r[k++] = (uint32_t)__shadd16((int16x2_t)a, (int16x2_t)b); r[k++] = __uhsub8(a, b);
    r[k++] = __usad8(a, b); r[k++] = __usada8(a, b, c);
    r[k++] = (uint32_t)__smlad((int16x2_t)a, (int16x2_t)b, (int32_t)c); r[k++] = (uint32_t)__smladx((int16x2_t)a, (int16x2_t)b, (int32_t)c);
    r[k++] = (uint32_t)__smlsd((int16x2_t)a, (int16x2_t)b, (int32_t)c); r[k++] = (uint32_t)__smuad((int16x2_t)a, (int16x2_t)b);
    r[k++] = (uint32_t)__smusdx((int16x2_t)a, (int16x2_t)b);
    int64_t l = __smlald((int16x2_t)a, (int16x2_t)b, (int64_t)(((uint64_t)c << 32) | a)); r[k++] = (uint32_t)l; r[k++] = (uint32_t)(l >> 32);
    l = __smlsld((int16x2_t)a, (int16x2_t)b, (int64_t)c); r[k++] = (uint32_t)l; r[k++] = (uint32_t)(l >> 32);
    r[k++] = (uint32_t)__smlatb((int16x2_t)a, (int16x2_t)b, 0); r[k++] = (uint32_t)__smlabt((int16x2_t)a, (int16x2_t)b, (int32_t)c);
    r[k++] = (uint32_t)__smlabb((int16x2_t)a, (int16x2_t)b, (int32_t)c); r[k++] = (uint32_t)__smlawb((int32_t)a, (int16x2_t)b, 0);
    r[k++] = (uint32_t)__smlawt((int32_t)a, (int16x2_t)b, (int32_t)c);
    r[k++] = (uint32_t)__sxtb16((int8x4_t)a); r[k++] = __uxtab16(c, a);
    r[k++] = (uint32_t)__saturation_occurred();
    for (int q = 0; q < k; q++) mix(r[q]);
    if (j == (i * 3 + 1) % N) {
      printf("%08lx %08lx %08lx:", (unsigned long)a, (unsigned long)b, (unsigned long)c);
      for (int q = 0; q < k; q++) printf(" %lx", (unsigned long)r[q]);
      printf("\n");
    }
  }
  printf("checksum %08lx\n", (unsigned long)h);
  return (int)(h & 0x7f);
}
