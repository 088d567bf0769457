/*
 * embench-like: small kernels of the kind Embench collects, written for mcusim (not derived from Embench's code).
 * Each kernel is its own function; one iteration runs each once on data rebuilt from a fixed seed:
 *   crc32      CRC-32 (IEEE 802.3: reflected polynomial 0x04C11DB7, init and final xor 0xFFFFFFFF) of a 1 KB buffer
 *   matmult    16 x 16 integer matrix multiply
 *   heapsort   in-place heap sort of 256 32-bit integers
 *   aes128     AES-128 (FIPS-197) key expansion and the encryption of 64 bytes in CBC mode, S-box in flash
 *   fir        a 32-tap Q15 FIR filter over 256 samples with a 64-bit accumulator and saturation
 * The iteration's checksum is the CRC-32 of the five results. Fixed-width integers, no signed overflow: the same
 * checksum on every target and on the host (build.sh host).
 */
#include "bench.h"

const char bench_name[] = "embench-like";
/* the checksum of one iteration; the host build (build.sh host) computes the same */
const uint32_t bench_expected = 0x2bbe31d0u;

/* ------------------------------------------------------------------ crc32 */

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}
static uint32_t crc32(const uint8_t *p, uint32_t n) { return ~crc32_update(0xFFFFFFFFu, p, n); }

#define CRC_BYTES 1024
static uint8_t crc_buf[CRC_BYTES];

static uint32_t kernel_crc32(uint32_t seed) {
  for (int i = 0; i < CRC_BYTES; i += 4) {
    uint32_t r = bench_lcg(&seed);
    crc_buf[i] = (uint8_t)(r >> 24); crc_buf[i + 1] = (uint8_t)(r >> 16);
    crc_buf[i + 2] = (uint8_t)(r >> 8); crc_buf[i + 3] = (uint8_t)r;
  }
  return crc32(crc_buf, CRC_BYTES);
}

/* ------------------------------------------------------------------ matmult */

#define MM_N 16
static int32_t mm_a[MM_N][MM_N], mm_b[MM_N][MM_N], mm_c[MM_N][MM_N];

static uint32_t kernel_matmult(uint32_t seed) {
  for (int i = 0; i < MM_N; i++)
    for (int j = 0; j < MM_N; j++) {
      mm_a[i][j] = (int32_t)(bench_lcg(&seed) >> 24) - 128;   /* [-128, 127] */
      mm_b[i][j] = (int32_t)(bench_lcg(&seed) >> 24) - 128;
    }
  for (int i = 0; i < MM_N; i++)
    for (int j = 0; j < MM_N; j++) {
      int32_t s = 0;   /* at most 16 * 128 * 128 = 262144 in magnitude */
      for (int k = 0; k < MM_N; k++) s += mm_a[i][k] * mm_b[k][j];
      mm_c[i][j] = s;
    }
  uint32_t h = 0;
  for (int i = 0; i < MM_N; i++)
    for (int j = 0; j < MM_N; j++) h = h * 31u + (uint32_t)mm_c[i][j];
  return h;
}

/* ------------------------------------------------------------------ heapsort */

#define HS_N 256
static int32_t hs_v[HS_N];

/* move v[i] down until both children are smaller (a max-heap over v[0..n)) */
static void sift_down(int32_t *v, uint32_t i, uint32_t n) {
  int32_t x = v[i];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && v[c + 1] > v[c]) c++;
    if (v[c] <= x) break;
    v[i] = v[c];
    i = c;
  }
  v[i] = x;
}

static void heap_sort(int32_t *v, uint32_t n) {
  for (uint32_t i = n / 2; i-- > 0;) sift_down(v, i, n);
  for (uint32_t end = n; end-- > 1;) {
    int32_t t = v[0]; v[0] = v[end]; v[end] = t;
    sift_down(v, 0, end);
  }
}

static uint32_t kernel_heapsort(uint32_t seed) {
  for (int i = 0; i < HS_N; i++) hs_v[i] = (int32_t)(bench_lcg(&seed) >> 8) - 0x800000;   /* [-2^23, 2^23) */
  heap_sort(hs_v, HS_N);
  uint32_t h = 0, sorted = 1;
  for (int i = 0; i < HS_N; i++) {
    if (i && hs_v[i - 1] > hs_v[i]) sorted = 0;
    h = h * 31u + (uint32_t)hs_v[i];
  }
  return h ^ sorted;
}

/* ------------------------------------------------------------------ aes128 */

/* the AES S-box (FIPS-197 Figure 7), computed by the author from its definition (inverse in GF(2^8), then the
   affine map with 0x63) */
static const uint8_t sbox[256] = {
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static uint8_t xtime(uint8_t x) { return (uint8_t)(((uint32_t)x << 1) ^ (((uint32_t)x >> 7) * 0x1Bu)); }

/* FIPS-197 5.2: 44 words of round keys from a 16-byte key, as 176 bytes */
static void aes_expand(uint8_t rk[176], const uint8_t key[16]) {
  for (int i = 0; i < 16; i++) rk[i] = key[i];
  uint8_t rcon = 1;
  for (int i = 16; i < 176; i += 4) {
    uint8_t t0 = rk[i - 4], t1 = rk[i - 3], t2 = rk[i - 2], t3 = rk[i - 1];
    if (i % 16 == 0) {   /* RotWord, SubWord, Rcon */
      uint8_t u = t0;
      t0 = (uint8_t)(sbox[t1] ^ rcon); t1 = sbox[t2]; t2 = sbox[t3]; t3 = sbox[u];
      rcon = xtime(rcon);
    }
    rk[i] = (uint8_t)(rk[i - 16] ^ t0); rk[i + 1] = (uint8_t)(rk[i - 15] ^ t1);
    rk[i + 2] = (uint8_t)(rk[i - 14] ^ t2); rk[i + 3] = (uint8_t)(rk[i - 13] ^ t3);
  }
}

/* FIPS-197 5.1: the state is 16 bytes, column by column (s[r + 4c]) */
static void aes_encrypt_block(uint8_t s[16], const uint8_t rk[176]) {
  for (int i = 0; i < 16; i++) s[i] ^= rk[i];
  for (int round = 1; round <= 10; round++) {
    uint8_t t[16];
    /* SubBytes and ShiftRows: row r moves left by r columns */
    for (int c = 0; c < 4; c++)
      for (int r = 0; r < 4; r++) t[r + 4 * c] = sbox[s[r + 4 * ((c + r) & 3)]];
    if (round < 10) {
      /* MixColumns: each column times the {02 03 01 01} circulant; 2a0 ^ 3a1 ^ a2 ^ a3 = a0 ^ all ^ 2(a0 ^ a1) */
      for (int c = 0; c < 4; c++) {
        uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
        uint8_t all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);
        s[4 * c] = (uint8_t)(a0 ^ all ^ xtime((uint8_t)(a0 ^ a1)));
        s[4 * c + 1] = (uint8_t)(a1 ^ all ^ xtime((uint8_t)(a1 ^ a2)));
        s[4 * c + 2] = (uint8_t)(a2 ^ all ^ xtime((uint8_t)(a2 ^ a3)));
        s[4 * c + 3] = (uint8_t)(a3 ^ all ^ xtime((uint8_t)(a3 ^ a0)));
      }
    } else {
      for (int i = 0; i < 16; i++) s[i] = t[i];
    }
    for (int i = 0; i < 16; i++) s[i] ^= rk[16 * round + i];
  }
}

#define AES_BYTES 64
static uint8_t aes_rk[176];
static uint8_t aes_buf[AES_BYTES];

static uint32_t kernel_aes128(uint32_t seed) {
  uint8_t key[16], iv[16];
  for (int i = 0; i < 16; i++) { key[i] = (uint8_t)(bench_lcg(&seed) >> 24); iv[i] = (uint8_t)(bench_lcg(&seed) >> 24); }
  for (int i = 0; i < AES_BYTES; i++) aes_buf[i] = (uint8_t)(bench_lcg(&seed) >> 24);
  aes_expand(aes_rk, key);
  const uint8_t *chain = iv;
  for (int b = 0; b < AES_BYTES; b += 16) {   /* CBC: each block xored with the previous ciphertext */
    for (int i = 0; i < 16; i++) aes_buf[b + i] ^= chain[i];
    aes_encrypt_block(&aes_buf[b], aes_rk);
    chain = &aes_buf[b];
  }
  return crc32(aes_buf, AES_BYTES);
}

/* ------------------------------------------------------------------ fir */

#define FIR_TAPS 32
#define FIR_N 256
static int16_t fir_h[FIR_TAPS];
static int16_t fir_x[FIR_N + FIR_TAPS - 1];
static int16_t fir_y[FIR_N];

static int16_t sat16(int64_t v) {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* y[n] = sat(round(sum h[k] x[n + TAPS-1 - k] / 2^15)); the shift of a negative sum is arithmetic (GCC, both
   targets) */
static void fir(const int16_t *x, int16_t *y, const int16_t *h, int n) {
  for (int i = 0; i < n; i++) {
    int64_t acc = 1 << 14;   /* rounding */
    const int16_t *xp = &x[i + FIR_TAPS - 1];
    for (int k = 0; k < FIR_TAPS; k++) acc += (int32_t)h[k] * xp[-k];
    y[i] = sat16(acc >> 15);
  }
}

static uint32_t kernel_fir(uint32_t seed) {
  for (int k = 0; k < FIR_TAPS; k++) fir_h[k] = (int16_t)((int32_t)(bench_lcg(&seed) >> 18) - 8192);   /* |h| < 0.25 */
  for (int i = 0; i < FIR_N + FIR_TAPS - 1; i++) fir_x[i] = (int16_t)((int32_t)(bench_lcg(&seed) >> 16) - 32768);
  fir(fir_x, fir_y, fir_h, FIR_N);
  uint32_t h = 0;
  for (int i = 0; i < FIR_N; i++) h = h * 31u + (uint32_t)(uint16_t)fir_y[i];
  return h;
}

/* ------------------------------------------------------------------ the iteration */

static uint32_t fold(uint32_t crc, uint32_t v) {
  uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
  return crc32_update(crc, b, 4);
}

int bench_selftest(void) {
  /* CRC-32's check value: the CRC of "123456789" is 0xCBF43926 */
  static const uint8_t check[] = "123456789";
  if (crc32(check, 9) != 0xCBF43926u) return 0;
  /* FIPS-197 Appendix C.1: key 00 01 .. 0f, plaintext 00 11 22 .. ff -> 69 c4 e0 d8 6a 7b 04 30 d8 cd b7 80 70 b4 c5 5a */
  static const uint8_t expect[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
  uint8_t key[16], block[16];
  for (int i = 0; i < 16; i++) { key[i] = (uint8_t)i; block[i] = (uint8_t)(i * 0x11); }
  aes_expand(aes_rk, key);
  aes_encrypt_block(block, aes_rk);
  for (int i = 0; i < 16; i++) if (block[i] != expect[i]) return 0;
  return 1;
}

uint32_t bench_iteration(void) {
  uint32_t seed = bench_seed;
  uint32_t crc = 0xFFFFFFFFu;
  crc = fold(crc, kernel_crc32(seed));
  crc = fold(crc, kernel_matmult(seed + 1u));
  crc = fold(crc, kernel_heapsort(seed + 2u));
  crc = fold(crc, kernel_aes128(seed + 3u));
  crc = fold(crc, kernel_fir(seed + 4u));
  return ~crc;
}
