/* Int8 neural-network kernels as a microcontroller would run them: a fully connected layer (int8 x int8 -> int32
   accumulate, bias, requantize with a fixed-point multiplier and shift, saturate to int8), a 3x3 convolution with
   padding over an 8x8x2 input, ReLU, 2x2 max pooling, and an argmax. */
#include <stdio.h>
#include <stdint.h>

static int8_t sat8(int32_t v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static int32_t requant(int32_t acc, int32_t mult, int shift) {
  int64_t p = (int64_t)acc * mult;               /* Q31 multiplier, rounding right shift */
  int32_t hi = (int32_t)((p + (1ll << 30)) >> 31);
  return shift > 0 ? (hi + (1 << (shift - 1))) >> shift : hi;
}
static uint32_t seed = 99;
static int8_t r8(void) { seed = seed * 1103515245u + 12345u; return (int8_t)(seed >> 16); }

int main(void) {
  static int8_t in[8][8][2], w[4][3][3][2], conv[8][8][4], pool[4][4][4], fcw[10][64];
  static int32_t bias[10];
  for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) for (int c = 0; c < 2; c++) in[y][x][c] = r8();
  for (int o = 0; o < 4; o++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int c = 0; c < 2; c++) w[o][i][j][c] = r8();
  for (int o = 0; o < 10; o++) { bias[o] = (int32_t)r8() * 37; for (int i = 0; i < 64; i++) fcw[o][i] = r8(); }
  uint32_t h = 0;
  for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) for (int o = 0; o < 4; o++) {
    int32_t acc = 0;
    for (int i = -1; i <= 1; i++) for (int j = -1; j <= 1; j++) {
      if (y + i < 0 || y + i > 7 || x + j < 0 || x + j > 7) continue;
      for (int c = 0; c < 2; c++) acc += in[y + i][x + j][c] * w[o][i + 1][j + 1][c];
    }
    int32_t q = requant(acc, 1518500250, 7);      /* ~0.707 / 128 */
    conv[y][x][o] = sat8(q < 0 ? 0 : q);          /* ReLU */
    h = h * 31 + (uint8_t)conv[y][x][o];
  }
  for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) for (int o = 0; o < 4; o++) {
    int8_t m = conv[2 * y][2 * x][o];
    if (conv[2 * y][2 * x + 1][o] > m) m = conv[2 * y][2 * x + 1][o];
    if (conv[2 * y + 1][2 * x][o] > m) m = conv[2 * y + 1][2 * x][o];
    if (conv[2 * y + 1][2 * x + 1][o] > m) m = conv[2 * y + 1][2 * x + 1][o];
    pool[y][x][o] = m;
  }
  const int8_t *flat = &pool[0][0][0];
  int best = 0; int8_t out[10];
  for (int o = 0; o < 10; o++) {
    int32_t acc = bias[o];
    for (int i = 0; i < 64; i++) acc += flat[i] * fcw[o][i];
    out[o] = sat8(requant(acc, 1073741824, 5));
    if (out[o] > out[best]) best = o;
    printf("out[%d] = %d (acc %ld)\n", o, out[o], (long)acc);
  }
  printf("conv checksum %08lx argmax %d\n", (unsigned long)h, best);
  return best * 10 + (int)(h % 10);
}
