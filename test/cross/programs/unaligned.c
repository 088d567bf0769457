/* Unaligned memory access (allowed on ARMv7-M for LDR/STR/LDRH/STRH when CCR.UNALIGN_TRP is clear): packed
   struct fields at every offset, memcpy-based loads GCC turns into single LDRs, halfword and word stores that
   straddle words, and byte-order checks. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct __attribute__((packed)) rec { uint8_t t; uint32_t a; uint16_t b; uint8_t c; uint32_t d; int16_t e; };
static uint32_t load32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t load16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static void store32(void *p, uint32_t v) { memcpy(p, &v, 4); }

int main(void) {
  static uint8_t buf[64];
  for (int i = 0; i < 64; i++) buf[i] = (uint8_t)(i * 17 + 1);
  uint32_t h = 0;
  for (int off = 0; off < 8; off++) {
    uint32_t w = load32(buf + off); uint16_t s = load16(buf + off + 1);
    volatile uint32_t *vp = (volatile uint32_t *)(buf + 32 + off); uint32_t direct = *vp;
    printf("offset %d: word %08lx half %04x direct %08lx\n", off, (unsigned long)w, s, (unsigned long)direct);
    h = h * 31 + w + s + direct;
  }
  for (int off = 1; off < 4; off++) { store32(buf + 40 + off * 5, 0xa1b2c3d4u ^ (uint32_t)off); *(volatile uint16_t *)(buf + 2 + off * 2 + 1) = (uint16_t)(0x55aa + off); }
  for (int i = 0; i < 64; i++) h = h * 31 + buf[i];
  static struct rec r[4];
  for (int i = 0; i < 4; i++) { r[i].t = (uint8_t)i; r[i].a = 0x01020304u * (uint32_t)(i + 1); r[i].b = (uint16_t)(0xbeef + i); r[i].c = (uint8_t)(0x80 | i); r[i].d = 0xdeadbeefu >> i; r[i].e = (int16_t)(-1000 * i); }
  int64_t sum = 0;
  for (int i = 0; i < 4; i++) sum += (int64_t)r[i].a + r[i].b + r[i].c + r[i].d + r[i].e;
  const uint8_t *raw = (const uint8_t *)r;
  for (unsigned i = 0; i < sizeof r; i++) h = h * 31 + raw[i];
  printf("packed sizeof %u sum %lld first bytes %02x %02x %02x %02x %02x\n", (unsigned)sizeof(struct rec), (long long)sum, raw[0], raw[1], raw[2], raw[3], raw[4]);
  printf("checksum %08lx\n", (unsigned long)h);
  return (int)(h & 0x7f);
}
