/* Bit manipulation: CLZ, RBIT, REV/REV16/REVSH, popcount, ctz, rotates, bit-field extract/insert (UBFX, SBFX,
   BFI, BFC through C bit-fields and masks), parity. Exit code: checksum & 0x7f. */
#include <stdio.h>
#include <stdint.h>

static uint32_t rbit(uint32_t x) { uint32_t r; __asm("rbit %0, %1" : "=r"(r) : "r"(x)); return r; }
static uint32_t rev16(uint32_t x) { uint32_t r; __asm("rev16 %0, %1" : "=r"(r) : "r"(x)); return r; }
static int32_t revsh(uint32_t x) { int32_t r; __asm("revsh %0, %1" : "=r"(r) : "r"(x)); return r; }
static uint32_t rotr(uint32_t x, unsigned n) { return (x >> (n & 31)) | (x << ((32 - n) & 31)); }
static volatile uint32_t vals[] = {0, 1, 0x80000000u, 0xffffffffu, 0x12345678u, 0xdeadbeefu, 0x00f000f0u, 0x55555555u, 0x80u, 0x7fff8000u};

struct bf { unsigned a : 3; signed b : 5; unsigned c : 11; signed d : 13; };

int main(void) {
  uint32_t sum = 0;
  for (unsigned i = 0; i < sizeof vals / 4; i++) {
    uint32_t x = vals[i];
    int clz = x ? __builtin_clz(x) : 32, ctz = x ? __builtin_ctz(x) : 32, pop = __builtin_popcount(x), par = __builtin_parity(x);
    uint32_t rb = rbit(x), rv = __builtin_bswap32(x), r16 = rev16(x), rot = rotr(x, i * 7);
    int32_t rsh = revsh(x);
    uint32_t ux = (x >> 7) & 0x3ff; int32_t sx = ((int32_t)(x << 9)) >> 20;
    uint32_t ins = (x & ~(0xffu << 12)) | ((i * 37u & 0xff) << 12), clr = x & ~(0x1fu << 3);
    struct bf s = {0};
    s.a = x; s.b = (int)(x >> 3); s.c = x >> 8; s.d = (int)(x >> 19);
    printf("%08lx: clz %d ctz %d pop %d par %d rbit %08lx rev %08lx rev16 %08lx revsh %ld rot %08lx ubfx %lu sbfx %ld bfi %08lx bfc %08lx bf %u %d %u %d\n",
      (unsigned long)x, clz, ctz, pop, par, (unsigned long)rb, (unsigned long)rv, (unsigned long)r16, (long)rsh, (unsigned long)rot,
      (unsigned long)ux, (long)sx, (unsigned long)ins, (unsigned long)clr, s.a, s.b, s.c, s.d);
    uint32_t parts[] = {(uint32_t)clz, (uint32_t)ctz, (uint32_t)pop, (uint32_t)par, rb, rv, r16, (uint32_t)rsh, rot, ux, (uint32_t)sx, ins, clr, s.a, (uint32_t)s.b, s.c, (uint32_t)s.d};
    for (unsigned k = 0; k < sizeof parts / 4; k++) sum = rotr(sum, 5) ^ parts[k];
  }
  printf("checksum %08lx\n", (unsigned long)sum);
  return (int)(sum & 0x7f);
}
