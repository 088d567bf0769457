/* Variadic functions (stdarg.h): sums of ints, long longs and doubles mixed (8-byte alignment of 64-bit
   arguments on the stack and in register pairs), va_copy, a vsnprintf wrapper, and passing structs by value
   through "...". */
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>

struct pair { int32_t a; int16_t b; };
static int64_t mixed(const char *fmt, ...) {
  va_list ap; va_start(ap, fmt); int64_t s = 0;
  for (const char *p = fmt; *p; p++) switch (*p) {
    case 'i': s = s * 3 + va_arg(ap, int); break;
    case 'l': s = s * 3 + va_arg(ap, long long); break;
    case 'd': s = s * 3 + (int64_t)(va_arg(ap, double) * 1000); break;
    case 'p': { struct pair q = va_arg(ap, struct pair); s = s * 3 + q.a - q.b; break; }
    case 'c': s = s * 3 + (char)va_arg(ap, int); break;
  }
  va_end(ap); return s;
}
static int count_twice(int n, ...) {
  va_list ap, ap2; va_start(ap, n); va_copy(ap2, ap);
  int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int);
  for (int i = 0; i < n; i++) s += va_arg(ap2, int) * i;
  va_end(ap2); va_end(ap); return s;
}
static int fmt(char *buf, size_t n, const char *f, ...) { va_list ap; va_start(ap, f); int r = vsnprintf(buf, n, f, ap); va_end(ap); return r; }

int main(void) {
  int64_t r1 = mixed("ilidl", 5, -7LL, 9, 2.5, 0x100000000LL);
  int64_t r2 = mixed("dddd", 0.001, -1.5, 1e6, 3.25);
  int64_t r3 = mixed("lilililil", 1LL, 2, 3LL, 4, 5LL, 6, 7LL, 8, 9LL);
  int64_t r4 = mixed("pcpip", (struct pair){100, 7}, 'x', (struct pair){-5, -6}, 11, (struct pair){1 << 20, 300});
  int r5 = count_twice(6, 1, 2, 3, 4, 5, 6), r6 = count_twice(0);
  char buf[80]; int len = fmt(buf, sizeof buf, "%s|%5.1f|%lld|%c|%08x", "va", -3.14159, -5LL, 'Z', 0xabcu);
  printf("%lld %lld %lld %lld %d %d\n[%s] %d\n", (long long)r1, (long long)r2, (long long)r3, (long long)r4, r5, r6, buf, len);
  return (int)((uint64_t)(r1 + r2 + r3 + r4 + r5 + r6 + len) % 127);
}
