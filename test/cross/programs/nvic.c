/* NVIC and PendSV: external interrupts pended by software (NVIC_ISPR and STIR) with different priorities:
   preemption (a higher-priority IRQ pended inside a lower one runs nested), no preemption by equal or lower
   priority (tail-chained after), ordering of simultaneous pending IRQs by priority then number, BASEPRI and
   PRIMASK holding interrupts back, and PendSV (ICSR.PENDSVSET). Each handler appends its name to a trace. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define ISER0 (*(volatile uint32_t *)0xE000E100)
#define ISPR0 (*(volatile uint32_t *)0xE000E200)
#define IPR   ((volatile uint8_t *)0xE000E400)
#define STIR  (*(volatile uint32_t *)0xE000EF00)
#define ICSR  (*(volatile uint32_t *)0xE000ED04)
#define SHPR3 (*(volatile uint32_t *)0xE000ED20)

extern void _start(void);
static void hang(void) { for (;;) {} }
static char trace[200]; static int tn;
static void mark(const char *s) { while (*s && tn < 198) trace[tn++] = *s++; trace[tn++] = ' '; }
static uint32_t ipsr(void) { uint32_t r; __asm volatile("mrs %0, ipsr" : "=r"(r)); return r; }
static void irq0(void) { mark("0<"); if (ipsr() != 16) mark("bad-ipsr"); ISPR0 = 1u << 2; ISPR0 = 1u << 1; mark(">0"); }
static void irq1(void) { mark("1"); }
static void irq2(void) { mark("2"); }
static void irq3(void) { mark("3<"); STIR = 0; mark(">3"); }
static void pendsv(void) { mark("PSV"); }
__attribute__((section(".vectors"), used)) static void (*const vectors[20])(void) = {
  (void (*)(void))0x20400000, _start, hang, hang, hang, hang, hang, 0, 0, 0, 0, hang, hang, 0, pendsv, hang,
  irq0, irq1, irq2, irq3,
};

int main(void) {
  IPR[0] = 0x80; IPR[1] = 0x80; IPR[2] = 0x40; IPR[3] = 0x20;
  SHPR3 = (SHPR3 & ~0xffu << 16 & 0xffffffffu) | (0xe0u << 16);   /* PendSV lowest */
  ISER0 = 0xf;
  mark("A"); ISPR0 = 1u << 0; mark("B");           /* irq0: pends 2 (higher: nested) and 1 (equal: after) */
  mark("C"); ISPR0 = 1u << 3; mark("D");           /* irq3 (highest) pends irq0 by STIR: runs after irq3 */
  __asm volatile("cpsid i" ::: "memory");
  ISPR0 = 0xe; mark("E");                         /* held back by PRIMASK */
  __asm volatile("cpsie i" ::: "memory"); mark("F");  /* then 3, 2, 1 by priority */
  __asm volatile("msr basepri, %0" :: "r"(0x40) : "memory");
  ISPR0 = 0x3 | 1u << 3; mark("G");              /* only irq3 (0x20) beats BASEPRI 0x40 */
  __asm volatile("msr basepri, %0" :: "r"(0) : "memory"); mark("H");
  ICSR = 1u << 28; mark("I");                      /* PendSV */
  __asm volatile("cpsid i" ::: "memory"); ICSR = 1u << 28; ISPR0 = 1u << 1; mark("J");
  __asm volatile("cpsie i" ::: "memory"); mark("K"); /* irq1 (0x80) before PendSV (0xe0) */
  trace[tn] = 0;
  printf("trace: %s\n", trace);
  uint32_t s = 0; for (int i = 0; i < tn; i++) s = s * 33 + (uint8_t)trace[i];
  printf("pending after: %08lx checksum %08lx\n", (unsigned long)ISPR0, (unsigned long)s);
  return (int)(s & 0x7f);
}
