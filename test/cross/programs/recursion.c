/* Recursion: Fibonacci, Ackermann(2, n), Towers of Hanoi move counting, mutual recursion, a recursive descent
   expression evaluator, and deep recursion (stack depth in the thousands). Exit code: a checksum of the results. */
#include <stdio.h>
#include <stdint.h>

static uint32_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static uint32_t ack(uint32_t m, uint32_t n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
static uint32_t moves, check;
static void hanoi(int n, int from, int to, int via) { if (!n) return; hanoi(n - 1, from, via, to); moves++; check = check * 7 + (uint32_t)(from * 3 + to); hanoi(n - 1, via, to, from); }
static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
static const char *p;
static int32_t expr(void);
static int32_t atom(void) {
  if (*p == '(') { p++; int32_t v = expr(); p++; return v; }
  if (*p == '-') { p++; return -atom(); }
  int32_t v = 0; while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0'); return v;
}
static int32_t term(void) { int32_t v = atom(); while (*p == '*' || *p == '/') { char o = *p++; int32_t r = atom(); v = o == '*' ? v * r : v / r; } return v; }
static int32_t expr(void) { int32_t v = term(); while (*p == '+' || *p == '-') { char o = *p++; int32_t r = term(); v = o == '+' ? v + r : v - r; } return v; }
static uint32_t deep(uint32_t n) { volatile uint32_t pad[4] = {n, n * 2, n * 3, n * 4}; return n ? pad[3] - pad[2] + deep(n - 1) : 0; }

int main(void) {
  uint32_t f = fib(22), a = ack(2, 200), d = deep(3000);
  hanoi(12, 1, 3, 2);
  int e = is_even(1001), o = is_odd(777);
  const char *exprs[] = {"1+2*3", "(1+2)*3", "100/(3+4)-5*-2", "((((7))))*((2+3)*(4-6))", "-(8-20)/3*7+1"};
  int32_t sumv = 0;
  printf("fib(22) %lu ack(2,200) %lu hanoi(12) %lu moves check %08lx even(1001) %d odd(777) %d deep %lu\n",
    (unsigned long)f, (unsigned long)a, (unsigned long)moves, (unsigned long)check, e, o, (unsigned long)d);
  for (int i = 0; i < 5; i++) { p = exprs[i]; int32_t v = expr(); sumv += v * (i + 1); printf("%s = %ld\n", exprs[i], (long)v); }
  return (int)((f + a + moves + check + (uint32_t)e + (uint32_t)o + d + (uint32_t)sumv) % 101);
}
