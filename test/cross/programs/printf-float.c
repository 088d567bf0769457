/* printf floating-point conversions (soft-float doubles through newlib): %f %F %e %E %g %G with widths (newlib has no %a),
   precisions and flags, special values (inf, nan, -0.0), rounding of halves, huge and tiny values. */
#include <stdio.h>
#include <math.h>

int main(void) {
  int total = 0;
  static const double v[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 2.5, 0.125, 1e-5, 123456789.0, 1e100, 1.7976931348623157e308, 4.9e-324, 0.1, 2.0 / 3.0};
  for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
    double x = v[i];
    total += printf("%f|%.2f|%10.3f|%-12.1e|%e|%.3E|%g|%G|%.10g|%#g|%+.0f|%.17g\n", x, x, x, x, x, x, x, x, x, x, x, x);
  }
  total += printf("%f %f %f %e %g %F %E %G\n", INFINITY, -INFINITY, NAN, INFINITY, -NAN, INFINITY, NAN, -INFINITY);
  total += printf("%.0f %.0f %.0f %.0f %.1f %.1f %.2f\n", 0.5, 1.5, 2.5, -0.5, 0.25, 0.35, 1.005);
  total += printf("%08.3f|%-8.2f|%+e|% f|%#.0e|%#.0f\n", -3.14159, 2.5, 1234.5, 1.0, 5.0, 5.0);
  total += printf("%f %e\n", (double)1.1f, (double)16777217.0f);
  printf("total %d\n", total);
  return total % 128;
}
