/*
 * Output through the board's stdout UART, and exit through semihosting. The UART is chosen at build time:
 *
 * BENCH_UART_CMSDK   Arm CMSDK APB UART (mps2-an386, QEMU's serial 0). Arm DDI 0479 (CMSDK TRM), APB UART:
 *                    DATA +0x00, STATE +0x04 (bit 0 TX buffer full), CTRL +0x08 (bit 0 TX enable), BAUDDIV +0x10.
 * BENCH_UART_STM32F4 STM32F4 USART (RM0383 ch. 19): SR +0x00 (bit 7 TXE), DR +0x04, CR1 +0x0C (bit 13 UE, bit 3 TE).
 * BENCH_UART_STM32F7 STM32F7/H7 USART (RM0385 ch. 34, RM0433 ch. 48): CR1 +0x00 (bit 0 UE, bit 3 TE),
 *                    ISR +0x1C (bit 7 TXE), TDR +0x28.
 * BENCH_UART_BASE    its base address (the "stdout" peripheral of the board file in boards/).
 *
 * Only what the simulator and QEMU need is set up: on silicon the USART's clock (RCC), its pins (GPIO alternate
 * function) and its baud rate would have to be configured too.
 *
 * Exit: semihosting SYS_EXIT (operation 0x18 in r0, BKPT 0xAB), which on AArch32 takes the reason code itself in
 * r1 (Arm "Semihosting for AArch32 and AArch64", SYS_EXIT): ADP_Stopped_ApplicationExit (0x20026) when the checks
 * passed (QEMU and mcusim exit 0), ADP_Stopped_RunTimeErrorUnknown (0x20023) otherwise (exit 1).
 */
#include "bench.h"

#define REG(off) (*(volatile uint32_t *)(BENCH_UART_BASE + (off)))

void bench_uart_init(void) {
#if defined(BENCH_UART_CMSDK)
  REG(0x10) = 217;        /* BAUDDIV: 25 MHz / 115200 (QEMU accepts any value >= 16) */
  REG(0x08) = 1u;         /* CTRL: TX enable */
#elif defined(BENCH_UART_STM32F4)
  REG(0x0C) = (1u << 13) | (1u << 3);   /* CR1: UE, TE */
#elif defined(BENCH_UART_STM32F7)
  REG(0x00) = (1u << 0) | (1u << 3);    /* CR1: UE, TE */
#else
#error "no BENCH_UART_* selected"
#endif
}

void bench_putc(char c) {
#if defined(BENCH_UART_CMSDK)
  while (REG(0x04) & 1u) {}             /* STATE.TXFULL */
  REG(0x00) = (uint8_t)c;
#elif defined(BENCH_UART_STM32F4)
  while (!(REG(0x00) & (1u << 7))) {}   /* SR.TXE */
  REG(0x04) = (uint8_t)c;
#else
  while (!(REG(0x1C) & (1u << 7))) {}   /* ISR.TXE */
  REG(0x28) = (uint8_t)c;
#endif
}

void bench_puts(const char *s) {
  while (*s) bench_putc(*s++);
}

void bench_puthex(uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; i--) bench_putc("0123456789abcdef"[(v >> (4 * i)) & 15u]);
}

void bench_putdec(uint32_t v) {
  char buf[10];
  int n = 0;
  do { buf[n++] = (char)('0' + v % 10u); v /= 10u; } while (v);
  while (n) bench_putc(buf[--n]);
}

#define SYS_EXIT 0x18u
#define ADP_Stopped_ApplicationExit 0x20026u
#define ADP_Stopped_RunTimeErrorUnknown 0x20023u

void bench_exit(int ok) {
  register uint32_t r0 __asm__("r0") = SYS_EXIT;
  register uint32_t r1 __asm__("r1") = ok ? ADP_Stopped_ApplicationExit : ADP_Stopped_RunTimeErrorUnknown;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  for (;;) {}
}
