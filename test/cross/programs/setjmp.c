/* setjmp/longjmp: a jump out of nested calls, the value passed (and longjmp(env, 0) giving 1), locals kept in
   volatile variables across the jump, repeated jumps to the same buffer, and nested buffers. */
#include <stdio.h>
#include <setjmp.h>
#include <stdint.h>

static jmp_buf outer, inner;
static int depth_reached;
static void dive(int n, int at) { depth_reached = n; if (n == at) longjmp(outer, n * 10); dive(n + 1, at); }
static int inner_work(int x) {
  int r = setjmp(inner);
  if (r == 0) { if (x & 1) longjmp(inner, x); return x * 2; }
  if (r > 100) longjmp(outer, r);
  return -r;
}

int main(void) {
  volatile int attempts = 0; volatile uint32_t acc = 0;
  int r = setjmp(outer);
  attempts++;
  if (attempts <= 4) { printf("setjmp returned %d (attempt %d)\n", r, attempts); dive(0, attempts * 3); }
  printf("after dives: r %d depth %d attempts %d\n", r, depth_reached, attempts);
  acc = (uint32_t)r + (uint32_t)depth_reached;
  for (int i = 0; i < 6; i++) { int v = inner_work(i); printf("inner_work(%d) = %d\n", i, v); acc = acc * 3 + (uint32_t)v; }
  volatile int phase = 0;
  int z = setjmp(outer);
  if (phase == 0) { phase = 1; longjmp(outer, 0); }
  printf("longjmp(env, 0) gives %d\n", z);
  phase = 2;
  int big = setjmp(outer);
  if (!big) inner_work(201);
  printf("escaped through inner to outer with %d\n", big);
  acc += (uint32_t)(z + big);
  printf("acc %lu\n", (unsigned long)acc);
  return (int)(acc % 113);
}
