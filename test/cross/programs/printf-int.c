/* printf integer and text conversions: %d %i %u %o %x %X %c %s %p %% %n, with flags (- + space 0 #), widths,
   precisions, * arguments and length modifiers hh h l ll z t j. Exit code: the total number of characters printed mod 128. */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <inttypes.h>

int main(void) {
  int total = 0, n1 = 0, n2 = 0;
  total += printf("[%d] [%i] [%u] [%o] [%x] [%X] [%c] [%s] [%%]\n", -42, 42, 42u, 42u, 0xbeefu, 0xbeefu, 'Q', "str");
  total += printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+6d|]\n", 42, 42, 42, 42, 42, -42, 7);
  total += printf("[%#o] [%#x] [%#X] [%#5x] [%#010x] [%.0d] [%.0x] [%#.0o]\n", 8u, 255u, 255u, 1u, 0xabcu, 0, 0u, 0u);
  total += printf("[%.3d] [%8.3d] [%-8.3d|] [%08.3d] [%.10u]\n", 7, -7, 7, 7, 123u);
  total += printf("[%*d] [%-*d|] [%.*d] [%*.*s|]\n", 6, 1, 6, 2, 4, 3, 8, 3, "abcdef");
  total += printf("[%hhd] [%hhu] [%hd] [%hu] [%hx]\n", (signed char)-1, (unsigned char)200, (short)-32768, (unsigned short)65535, (unsigned short)0x1234);
  total += printf("[%ld] [%lu] [%lx] [%lld] [%llu] [%llx] [%llo]\n", -2147483647L - 1, 4294967295UL, 0xdeadbeefUL, -9223372036854775807LL - 1, 18446744073709551615ULL, 0x123456789abcdefULL, 01777ULL);
  total += printf("[%zu] [%zd] [%td] [%jd] [%ju] [%" PRId32 "] [%" PRIx64 "]\n", sizeof(long long), (ptrdiff_t)-5, (ptrdiff_t)77, (intmax_t)-1, (uintmax_t)99, (int32_t)-32, (uint64_t)0xfeedfacecafebeefULL);
  total += printf("[%s] [%.2s] [%10s] [%-10s|] [%c%c%c]\n", "", "abc", "right", "left", 'x', 0x41, '0' + 9);
  total += printf("[%p] [%p]\n", (void *)0x20001234, (void *)0);
  total += printf("count%n here%n\n", &n1, &n2);
  char buf[64];
  int s = snprintf(buf, 10, "%d-%s-%x", 123456, "truncated", 0xfffu);
  total += printf("snprintf %d [%s] n %d %d\n", s, buf, n1, n2);
  printf("total %d\n", total);
  return total % 128;
}
