/* Sorting: insertion sort, a recursive merge sort, newlib's qsort and a heap sort over the same pseudo-random
   arrays (signed keys, duplicates); all must agree and be sorted. Exit code: 0x40 | a bit per failed check, plus
   a checksum-dependent low part. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define N 300
static int32_t a[N], b[N], c[N], d[N], tmp[N];
static uint32_t seed = 12345;
static int32_t rnd(void) { seed = seed * 1664525u + 1013904223u; return (int32_t)(seed >> 8) % 1000 - 500; }

static void insertion(int32_t *x, int n) {
  for (int i = 1; i < n; i++) { int32_t v = x[i]; int j = i - 1; while (j >= 0 && x[j] > v) { x[j + 1] = x[j]; j--; } x[j + 1] = v; }
}
static void merge(int32_t *x, int lo, int hi) {
  if (hi - lo < 2) return;
  int mid = (lo + hi) / 2; merge(x, lo, mid); merge(x, mid, hi);
  int i = lo, j = mid, k = lo;
  while (i < mid || j < hi) tmp[k++] = (j >= hi || (i < mid && x[i] <= x[j])) ? x[i++] : x[j++];
  memcpy(x + lo, tmp + lo, (size_t)(hi - lo) * 4);
}
static int cmp(const void *p, const void *q) { int32_t x = *(const int32_t *)p, y = *(const int32_t *)q; return (x > y) - (x < y); }
static void sift(int32_t *x, int i, int n) {
  for (;;) { int l = 2 * i + 1, m = i; if (l < n && x[l] > x[m]) m = l; if (l + 1 < n && x[l + 1] > x[m]) m = l + 1;
    if (m == i) return; int32_t t = x[i]; x[i] = x[m]; x[m] = t; i = m; }
}
static void heapsort_(int32_t *x, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(x, i, n);
  for (int e = n - 1; e > 0; e--) { int32_t t = x[0]; x[0] = x[e]; x[e] = t; sift(x, 0, e); }
}

int main(void) {
  int bad = 0; uint32_t sum = 0;
  for (int round = 0; round < 3; round++) {
    int n = N - round * 97;
    for (int i = 0; i < n; i++) a[i] = b[i] = c[i] = d[i] = rnd();
    insertion(a, n); merge(b, 0, n); qsort(c, (size_t)n, 4, cmp); heapsort_(d, n);
    if (memcmp(a, b, (size_t)n * 4)) bad |= 1;
    if (memcmp(a, c, (size_t)n * 4)) bad |= 2;
    if (memcmp(a, d, (size_t)n * 4)) bad |= 4;
    for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) bad |= 8;
    for (int i = 0; i < n; i++) sum = sum * 131 + (uint32_t)a[i];
    printf("round %d: n %d min %ld median %ld max %ld\n", round, n, (long)a[0], (long)a[n / 2], (long)a[n - 1]);
  }
  printf("bad %d checksum %08lx\n", bad, (unsigned long)sum);
  return bad ? 0x40 | bad : (int)(sum & 0x3f);
}
