/* SysTick with WFI: main sleeps in WFI with PRIMASK set (CPSID i), which the architecture says still wakes on an
   interrupt that would preempt if PRIMASK were clear; main then opens the mask (CPSIE i) to let the handler run,
   counting 20 ticks. Also checks that wake-ups see SysTick pending (ICSR.PENDSTSET). Rate independent: it does not
   require every wake-up to have SysTick pending, because WFI may also return for other reasons (ARMv7-M B1.5.19),
   and QEMU, whose SysTick runs in host time, sometimes wakes or takes a tick in the short CPSIE window when the host
   is busy. */
#include <stdio.h>
#include <stdint.h>

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define ICSR (*(volatile uint32_t *)0xE000ED04)
#define TICKS 20u

extern void _start(void);
void SysTick_Handler(void);
static void hang(void) { for (;;) {} }
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
  (void (*)(void))0x20400000, _start, hang, hang, hang, hang, hang, 0, 0, 0, 0, hang, hang, 0, hang, SysTick_Handler,
};
static volatile uint32_t ticks, acc = 7;
/* a tick pending when the last one stopped SysTick (QEMU's SysTick runs in host time) is ignored: rate independent */
void SysTick_Handler(void) {
  if (ticks >= TICKS) return;
  acc = (acc << 3) ^ (acc >> 5) ^ ticks;
  if (++ticks == TICKS) { SYST_CSR = 0; *(volatile uint32_t *)0xE000ED04 = 1u << 25; /* ICSR.PENDSTCLR */ }
}

int main(void) {
  uint32_t wakes = 0, pending_at_wake = 0;
  SYST_RVR = 20000; SYST_CVR = 0;
  __asm volatile("cpsid i" ::: "memory");
  SYST_CSR = 7;
  while (ticks < TICKS) {
    __asm volatile("wfi" ::: "memory");
    wakes++;
    if (ICSR & (1u << 26)) pending_at_wake++;
    __asm volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
  }
  __asm volatile("cpsie i" ::: "memory");
  printf("ticks %lu acc %08lx wake-ups saw SysTick pending: %s\n", (unsigned long)ticks, (unsigned long)acc,
    pending_at_wake >= 1 && wakes >= 1 ? "yes" : "no");
  return (int)((ticks ^ acc) & 0x7f);
}
