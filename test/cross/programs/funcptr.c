/* Function pointers: a dispatch table indexed at run time, callbacks with state, pointers returned from
   functions, a pointer to a function taking a function pointer, and tail calls through pointers (BLX/BX
   register forms). Exit code: the final accumulator mod 127. */
#include <stdio.h>
#include <stdint.h>

typedef int32_t (*op_t)(int32_t, int32_t);
static int32_t add(int32_t a, int32_t b) { return a + b; }
static int32_t sub(int32_t a, int32_t b) { return a - b; }
static int32_t mul(int32_t a, int32_t b) { return a * b; }
static int32_t xor_(int32_t a, int32_t b) { return a ^ b; }
static int32_t mx(int32_t a, int32_t b) { return a > b ? a : b; }
static op_t const table[] = {add, sub, mul, xor_, mx};
static const char *const names[] = {"add", "sub", "mul", "xor", "max"};

static op_t pick(unsigned k) { return table[k % 5]; }
static int32_t fold(const int32_t *v, int n, int32_t init, op_t f) { for (int i = 0; i < n; i++) init = f(init, v[i]); return init; }
struct counter { int calls; int32_t total; };
static void each(const int32_t *v, int n, void (*cb)(void *, int32_t), void *ctx) { for (int i = 0; i < n; i++) cb(ctx, v[i]); }
static void count_cb(void *ctx, int32_t x) { struct counter *c = ctx; c->calls++; c->total += x * c->calls; }
static int32_t apply_twice(op_t f, int32_t a, int32_t b) { return f(f(a, b), b); }
static int32_t (*const indirect)(op_t, int32_t, int32_t) = apply_twice;

int main(void) {
  static const int32_t v[] = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
  int32_t acc = 1;
  for (unsigned k = 0; k < 5; k++) {
    int32_t r = fold(v, 10, (int32_t)k, table[k]);
    int32_t t = indirect(pick(k + 2), r, 7);
    printf("%s: fold %ld twice %ld\n", names[k], (long)r, (long)t);
    acc = acc * 31 + r + t;
  }
  struct counter c = {0, 0};
  each(v, 10, count_cb, &c);
  volatile uintptr_t raw = (uintptr_t)&mul;
  int32_t viaint = ((op_t)raw)(6, 7);
  printf("callbacks %d total %ld via integer %ld thumb bit %lu\n", c.calls, (long)c.total, (long)viaint, (unsigned long)(raw & 1));
  acc += c.total + viaint;
  printf("acc %ld\n", (long)acc);
  return (int)((uint32_t)acc % 127);
}
