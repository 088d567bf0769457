/* malloc/free/calloc/realloc: many allocations of varied sizes with patterns written and checked, frees in a
   scrambled order, reuse, realloc growing and shrinking (contents kept), calloc zeroing, 8-byte alignment.
   Prints only address-independent facts (heap placement may differ between hosts). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define K 64
int main(void) {
  unsigned char *p[K]; size_t sz[K]; int bad = 0; uint32_t seed = 7, sum = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < K; i++) {
      seed = seed * 1103515245u + 12345u; sz[i] = 1 + (seed >> 16) % 700;
      p[i] = (round & 1) ? calloc(sz[i], 1) : malloc(sz[i]);
      if (!p[i]) { printf("allocation failed\n"); return 100; }
      if ((uintptr_t)p[i] & 7) bad |= 1;
      if (round & 1) for (size_t k = 0; k < sz[i]; k++) if (p[i][k]) { bad |= 2; break; }
      memset(p[i], (int)(i * 7 + round), sz[i]);
    }
    for (int i = 0; i < K; i++) {
      int j = (i * 37 + round) % K;
      for (size_t k = 0; k < sz[j]; k++) if (p[j][k] != (unsigned char)(j * 7 + round)) { bad |= 4; break; }
      sum = sum * 31 + (uint32_t)sz[j];
      if (j % 3 == 0) { unsigned char *q = realloc(p[j], sz[j] * 3); if (!q) return 101;
        for (size_t k = 0; k < sz[j]; k++) if (q[k] != (unsigned char)(j * 7 + round)) { bad |= 8; break; }
        p[j] = q; }
      else if (j % 3 == 1) { unsigned char *q = realloc(p[j], sz[j] / 2 + 1); if (!q) return 102;
        if (q[0] != (unsigned char)(j * 7 + round) || q[sz[j] / 2] != (unsigned char)(j * 7 + round)) bad |= 16; p[j] = q; }
    }
    for (int i = 0; i < K; i++) free(p[(i * 29 + 3) % K]);
    printf("round %d: bad %d sizes checksum %08lx\n", round, bad, (unsigned long)sum);
  }
  void *a = malloc(100); free(a); void *b = malloc(100);
  printf("reuse of a freed block: %s\n", a == b ? "same" : "different");
  free(b);
  printf("free(NULL) ok\n"); free(NULL);
  return bad ? 0x40 | bad : (int)(sum & 0x3f);
}
