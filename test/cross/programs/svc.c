/* An SVC handler: the vector table (own .vectors section) points SVCall at an assembly stub that picks MSP or
   PSP from EXC_RETURN and hands the stacked frame to C. The handler reads the SVC number from the instruction at
   the stacked PC - 2 and the arguments from stacked r0-r3, and returns results in stacked r0/r1. Called from
   privileged thread mode on MSP, then on PSP, then unprivileged (CONTROL.nPRIV), where SVC #5 gives privilege back. */
#include <stdio.h>
#include <stdint.h>

extern void _start(void);
void SVC_Handler(void);
static void hang(void) { for (;;) {} }
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
  (void (*)(void))0x20400000, _start, hang, hang, hang, hang, hang, 0, 0, 0, 0, SVC_Handler, hang, 0, hang, hang,
};

__attribute__((naked)) void SVC_Handler(void) {
  __asm volatile("tst lr, #4\n\tite eq\n\tmrseq r0, msp\n\tmrsne r0, psp\n\tmov r1, lr\n\tpush {r1, lr}\n\tbl svc_c\n\tpop {r1, pc}\n");
}
static volatile uint32_t last_ipsr, last_excret, calls;
__attribute__((used)) void svc_c(uint32_t *frame, uint32_t excret) {
  uint32_t ipsr; __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  last_ipsr = ipsr; last_excret = excret; calls++;
  uint8_t num = ((const uint8_t *)frame[6])[-2];
  switch (num) {
    case 0: frame[0] = frame[0] + frame[1]; break;
    case 1: frame[0] = frame[0] * frame[1] + frame[2] - frame[3]; break;
    case 2: { uint64_t p = (uint64_t)frame[0] * frame[1]; frame[0] = (uint32_t)p; frame[1] = (uint32_t)(p >> 32); break; }
    case 3: frame[0] = frame[7] & 0x1ff; break;       /* the stacked xPSR's exception number (0 in thread mode) */
    case 5: { uint32_t c; __asm volatile("mrs %0, control" : "=r"(c)); c &= ~1u; __asm volatile("msr control, %0\n\tisb" :: "r"(c)); frame[0] = 0x5a; break; }
    case 42: frame[0] = ~frame[0]; frame[1] = frame[2] ^ frame[3]; break;
    default: frame[0] = 0xbad00000u | num; break;
  }
}
#define SVC2(n, a, b, c, d, out0, out1) do { register uint32_t r0 __asm("r0") = (a), r1 __asm("r1") = (b), r2 __asm("r2") = (c), r3 __asm("r3") = (d); \
  __asm volatile("svc #" #n : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3) : "memory"); out0 = r0; out1 = r1; } while (0)

static uint32_t results[32]; static int nres;
static void round_(const char *where) {
  uint32_t x, y;
  SVC2(0, 40, 2, 0, 0, x, y); results[nres++] = x;
  SVC2(1, 7, 6, 100, 58, x, y); results[nres++] = x;
  SVC2(2, 0xfffffff0u, 0x12345u, 0, 0, x, y); results[nres++] = x; results[nres++] = y;
  SVC2(3, 0, 0, 0, 0, x, y); results[nres++] = x;
  SVC2(42, 0x0f0f0f0fu, 0, 0xff00ff00u, 0x0ff00ff0u, x, y); results[nres++] = x; results[nres++] = y;
  SVC2(9, 0, 0, 0, 0, x, y); results[nres++] = x;
  uint32_t control; __asm volatile("mrs %0, control" : "=r"(control));
  printf("%s: control %lu ipsr-in-handler %lu exc_return %08lx results", where, (unsigned long)control, (unsigned long)last_ipsr, (unsigned long)last_excret);
  for (int i = nres - 8; i < nres; i++) printf(" %lx", (unsigned long)results[i]);
  printf("\n");
}
static uint32_t psp_stack[4096] __attribute__((aligned(8)));  /* printf needs a few kB of stack */

int main(void) {
  round_("msp");
  uint32_t top = (uint32_t)&psp_stack[4096];
  __asm volatile("msr psp, %0\n\tmovs r0, #2\n\tmsr control, r0\n\tisb" :: "r"(top) : "r0", "memory");
  round_("psp");
  __asm volatile("movs r0, #3\n\tmsr control, r0\n\tisb" ::: "r0", "memory");
  uint32_t c1; __asm volatile("mrs %0, control" : "=r"(c1));
  uint32_t x, y; SVC2(5, 0, 0, 0, 0, x, y);
  uint32_t c2; __asm volatile("mrs %0, control" : "=r"(c2));
  printf("unprivileged: control %lu, after svc #5 (%lx) control %lu\n", (unsigned long)c1, (unsigned long)x, (unsigned long)c2);
  round_("psp again");
  __asm volatile("movs r0, #0\n\tmsr control, r0\n\tisb" ::: "r0", "memory");   /* back to MSP for exit */
  uint32_t s = calls;
  for (int i = 0; i < nres; i++) s = s * 31 + results[i];
  printf("calls %lu checksum %08lx\n", (unsigned long)calls, (unsigned long)s);
  return (int)(s & 0x7f);
}
