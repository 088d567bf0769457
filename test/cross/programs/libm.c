/* libm (newlib, soft float): sqrt, sin, cos, tan, atan2, exp, log, log10, pow, fmod, floor, ceil, round, trunc,
   frexp, ldexp, modf, hypot, and the float variants; printed with %.17g so every bit shows (newlib has no %a). */
#include <stdio.h>
#include <math.h>

int main(void) {
  static const double x[] = {0.5, 1.0, 2.0, 3.7, -1.25, 10.0, 1e-3, 100.5};
  double sum = 0;
  for (unsigned i = 0; i < sizeof x / sizeof x[0]; i++) {
    double v = x[i], a = fabs(v);
    double r[] = {sqrt(a), sin(v), cos(v), tan(v), atan2(v, 0.75), exp(v), log(a), log10(a), pow(a, 1.5), fmod(v, 0.3),
      floor(v), ceil(v), round(v), trunc(v), hypot(v, 2.0), cbrt(v), asin(v / 101.0), tanh(v)};
    printf("x=%g:", v);
    for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++) { printf(" %.17g", r[k]); sum += r[k]; }
    int e; double m = frexp(v, &e), ip, fp = modf(v, &ip);
    printf(" frexp %.17g %d ldexp %.17g modf %.17g %.17g\n", m, e, ldexp(v, -7), ip, fp);
    float f = (float)v;
    printf("  float: %.17g %.17g %.17g %.17g\n", (double)sqrtf(fabsf(f)), (double)sinf(f), (double)expf(f), (double)logf(fabsf(f)));
  }
  printf("sum %.17g\n", sum);
  return (int)fmod(fabs(sum) * 1000.0, 127.0);
}
