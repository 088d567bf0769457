/* A HardFault handler that recovers: with UsageFault disabled, UDF and a trapped divide by zero escalate to
   HardFault (HFSR.FORCED, CFSR says why); SVC executed with PRIMASK set cannot be taken and escalates too. The
   handler records HFSR/CFSR, clears them and skips the faulting instruction through the stacked PC. */
#include <stdio.h>
#include <stdint.h>

#define CCR   (*(volatile uint32_t *)0xE000ED14)
#define CFSR  (*(volatile uint32_t *)0xE000ED28)
#define HFSR  (*(volatile uint32_t *)0xE000ED2C)

extern void _start(void);
void HardFault_Handler(void);
void SVC_Handler(void);
static void hang(void) { for (;;) {} }
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
  (void (*)(void))0x20400000, _start, hang, HardFault_Handler, hang, hang, hang, 0, 0, 0, 0, SVC_Handler, hang, 0, hang, hang,
};
static volatile uint32_t svcs;
void SVC_Handler(void) { svcs++; }
__attribute__((naked)) void HardFault_Handler(void) {
  __asm volatile("tst lr, #4\n\tite eq\n\tmrseq r0, msp\n\tmrsne r0, psp\n\tb hf_c\n");
}
static volatile uint32_t faults, hfsr_log[8], cfsr_log[8], ipsr_log[8], stacked_pc_off[8];
__attribute__((used)) void hf_c(uint32_t *frame) {
  uint32_t ipsr; __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  uint16_t hw = *(const uint16_t *)frame[6];
  uint32_t size = (hw & 0xf800) >= 0xe800 ? 4 : 2, cfsr = CFSR;
  if (faults < 8) { hfsr_log[faults] = HFSR; cfsr_log[faults] = cfsr; ipsr_log[faults] = ipsr; stacked_pc_off[faults] = hw; }
  faults++;
  CFSR = cfsr; HFSR = HFSR;
  if (!cfsr) return;  /* an escalated SVC (no fault status): the stacked PC already points after it */
  frame[6] += size;
}

/* the trapping divide is the first instruction after a call: see usagefault.c (QEMU 7.2 loses registers written
   earlier in the same translation block when UDIV traps) */
__attribute__((naked, noinline)) static uint32_t udiv_(uint32_t n, uint32_t d) { __asm volatile("udiv r0, r0, r1\n\tbx lr\n"); }
static void sync_(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }

int main(void) {
  volatile uint32_t zero = 0;
  uint32_t a = 1, b = 2;
  __asm volatile("udf #1" ::: "memory");
  CCR |= 1u << 4; sync_();
  a = udiv_(a, zero);   /* traps: a unchanged */
  CCR &= ~(1u << 4); sync_();
  b = udiv_(b, zero);   /* gives 0 */
  __asm volatile("svc #3" ::: "memory");
  uint32_t svcs_before = svcs;
  __asm volatile("cpsid i\n\tsvc #4\n\tcpsie i" ::: "memory");
  printf("faults %lu svcs %lu (before the masked one %lu) a %lu b %lu\n", (unsigned long)faults, (unsigned long)svcs, (unsigned long)svcs_before, (unsigned long)a, (unsigned long)b);
  for (uint32_t i = 0; i < faults && i < 8; i++)
    printf("fault %lu: hfsr %08lx cfsr %08lx ipsr %lu halfword at the stacked pc %04lx\n", (unsigned long)i, (unsigned long)hfsr_log[i],
      (unsigned long)cfsr_log[i], (unsigned long)ipsr_log[i], (unsigned long)stacked_pc_off[i]);
  uint32_t s = faults * 5 + svcs;
  for (uint32_t i = 0; i < faults && i < 8; i++) s = s * 31 + hfsr_log[i] + cfsr_log[i];
  printf("hfsr %08lx cfsr %08lx after clearing\n", (unsigned long)HFSR, (unsigned long)CFSR);
  return (int)((s + a + b) & 0x7f);
}
