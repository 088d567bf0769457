/* String <-> number conversions: strtol/strtoul/strtoll with bases 0, 2, 8, 16, 36, end pointers and overflow
   (errno ERANGE), atoi, sscanf with several conversions, sprintf round trips, strtod of decimal strings. */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

int main(void) {
  const char *in[] = {"0", "-17", "  +42xyz", "0x1F", "0777", "zz", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "0b101", "-0x80000000"};
  const int bases[] = {0, 10, 16, 8, 2, 36};
  uint32_t h = 0;
  for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
    printf("%-22s", in[i]);
    for (unsigned b = 0; b < 6; b++) {
      char *end; errno = 0; long v = strtol(in[i], &end, bases[b]);
      printf(" %ld/%d/%d", v, (int)(end - in[i]), errno);
      h = h * 31 + (uint32_t)v + (uint32_t)(end - in[i]) + (uint32_t)errno;
    }
    char *end; errno = 0; unsigned long long u = strtoull(in[i], &end, 0);
    printf(" ull %llu/%d\n", u, errno);
    h = h * 31 + (uint32_t)u;
  }
  int a, n; unsigned x; char word[16]; float f; long long ll;
  int got = sscanf("  -123 ff hello 2.5e3 -9000000000 rest", "%d %x %15s %f %lld%n", &a, &x, word, &f, &ll, &n);
  printf("sscanf %d: %d %x %s %d %lld consumed %d\n", got, a, x, word, (int)f, ll, n);
  char buf[64]; int errs = 0;
  for (int32_t v = -100000; v <= 100000; v += 7919) { sprintf(buf, "%ld", (long)v); if (atoi(buf) != v) errs++; sprintf(buf, "%#lx", (unsigned long)(uint32_t)v); if ((uint32_t)strtoul(buf, NULL, 16) != (uint32_t)v) errs++; }
  const char *ds[] = {"3.25", "-0.1", "1e10", "6.02214076e23", "inf", "0x1p-3"};
  for (int i = 0; i < 6; i++) { double d = strtod(ds[i], NULL); printf("strtod(%s) = %.17g\n", ds[i], d); }
  printf("round trip errors %d checksum %08lx\n", errs, (unsigned long)h);
  return errs ? 100 : (int)(h & 0x7f);
}
