/* CRC-32 (IEEE, reflected) three ways: bit by bit, with a 256-entry table built at run time, and with the
   ARMv7-M RBIT-based unreflected form; plus Adler-32 and Fletcher-16, over buffers of every length 0..64 and a
   4 KB pseudo-random block. The three CRCs must agree. */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>

static uint32_t table[256];
static uint32_t crc_bits(const uint8_t *p, size_t n) { uint32_t c = 0xffffffffu; while (n--) { c ^= *p++; for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1)); } return ~c; }
static uint32_t crc_table(const uint8_t *p, size_t n) { uint32_t c = 0xffffffffu; while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8); return ~c; }
static uint32_t rbit(uint32_t x) { uint32_t r; __asm("rbit %0, %1" : "=r"(r) : "r"(x)); return r; }
static uint32_t crc_msb(const uint8_t *p, size_t n) {   /* the unreflected algorithm on bit-reversed bytes */
  uint32_t c = 0xffffffffu;
  while (n--) { c ^= rbit(*p++); for (int k = 0; k < 8; k++) c = (c << 1) ^ (0x04c11db7u & -(c >> 31)); }
  return ~rbit(c);
}
static uint32_t adler(const uint8_t *p, size_t n) { uint32_t a = 1, b = 0; while (n--) { a = (a + *p++) % 65521; b = (b + a) % 65521; } return b << 16 | a; }
static uint16_t fletcher(const uint8_t *p, size_t n) { uint16_t a = 0, b = 0; while (n--) { a = (uint16_t)((a + *p++) % 255); b = (uint16_t)((b + a) % 255); } return (uint16_t)(b << 8 | a); }

static uint8_t data[4096];
int main(void) {
  for (uint32_t i = 0; i < 256; i++) { uint32_t c = i; for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1)); table[i] = c; }
  uint32_t x = 1; for (int i = 0; i < 4096; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; data[i] = (uint8_t)x; }
  int bad = 0; uint32_t acc = 0;
  for (size_t n = 0; n <= 64; n++) {
    uint32_t a = crc_bits(data, n), b = crc_table(data, n), c = crc_msb(data, n);
    if (a != b || a != c) bad++;
    acc = acc * 7 + a + adler(data, n) + fletcher(data, n);
  }
  const uint8_t *check = (const uint8_t *)"123456789";
  printf("crc32(\"123456789\") %08lx adler %08lx fletcher16 %04x\n", (unsigned long)crc_table(check, 9), (unsigned long)adler(check, 9), fletcher(check, 9));
  printf("4 KB block: crc %08lx %08lx adler %08lx\n", (unsigned long)crc_table(data, 4096), (unsigned long)crc_msb(data, 4096), (unsigned long)adler(data, 4096));
  printf("disagreements %d acc %08lx\n", bad, (unsigned long)acc);
  return bad ? 100 : (int)(acc & 0x7f);
}
