/* A SysTick interrupt counter: SysTick (processor clock, TICKINT) interrupts a busy main loop; the handler does a
   fixed piece of work per tick (an LCG step folded into a checksum) and stops SysTick itself at the 50th tick,
   so what is printed does not depend on the tick rate. Also: the handler runs in Handler mode with IPSR 15, the
   reload value reads back, and the current value stays below it. */
#include <stdio.h>
#include <stdint.h>

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define TICKS 50u

extern void _start(void);
void SysTick_Handler(void);
static void hang(void) { for (;;) {} }
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
  (void (*)(void))0x20400000, _start, hang, hang, hang, hang, hang, 0, 0, 0, 0, hang, hang, 0, hang, SysTick_Handler,
};

static volatile uint32_t ticks, work = 1, ipsr_seen, cvr_ok = 1;
#define ICSR (*(volatile uint32_t *)0xE000ED04)
void SysTick_Handler(void) {
  /* A tick that was already pending when the 50th stopped SysTick (a slow host makes QEMU's real-time SysTick
     do that) must not count: the count stays rate independent. */
  if (ticks >= TICKS) return;
  uint32_t ipsr; __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  ipsr_seen |= 1u << ipsr;
  if (SYST_CVR > SYST_RVR) cvr_ok = 0;
  work = work * 1664525u + 1013904223u + ticks;
  if (++ticks == TICKS) { SYST_CSR = 0; ICSR = 1u << 25; /* PENDSTCLR */ }
}

int main(void) {
  SYST_RVR = 4999;
  SYST_CVR = 0;
  uint32_t rvr = SYST_RVR;
  SYST_CSR = 7;   /* ENABLE | TICKINT | CLKSOURCE (processor clock) */
  volatile uint32_t spin = 0;
  while (ticks < TICKS) spin++;
  uint32_t csr = SYST_CSR;
  printf("ticks %lu work %08lx reload %lu ipsr seen %08lx cvr below reload %lu enable after %lu spun %s\n",
    (unsigned long)ticks, (unsigned long)work, (unsigned long)rvr, (unsigned long)ipsr_seen, (unsigned long)cvr_ok,
    (unsigned long)(csr & 1), spin > 0 ? "yes" : "no");
  return (int)((ticks + work) & 0x7f);
}
