/* Prints through newlib's semihosting (rdimon) and returns the number of arguments it was given.
   Built by build.sh; the ELF is committed so it runs without a cross compiler. */
#include <stdio.h>
#include <stdint.h>

static int32_t dot(const int8_t *a, const int8_t *b, int n) {
  int32_t acc = 0;
  for (int i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

int main(int argc, char **argv) {
  static const int8_t a[8] = {1, -2, 3, -4, 5, -6, 7, -8}, b[8] = {127, -128, 64, -64, 32, -32, 16, -16};
  printf("hello from a simulated Cortex-M4\n");
  for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  printf("int8 dot product: %ld\n", (long)dot(a, b, 8));
  return argc - 1;
}
