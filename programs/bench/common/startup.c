/*
 * Start-up code for every target: the vector table, the reset handler (flash interface, vector table base, .data
 * copy, .bss zero, caches, UART) and one handler for every fault. Chosen at build time (programs/bench/build.sh):
 *
 * BENCH_FLASH_F4   STM32F4 FLASH_ACR at 0x40023C00 (RM0383, flash interface registers): LATENCY[3:0], PRFTEN bit 8,
 *                  ICEN bit 9, DCEN bit 10. Set as ST's start-up does for 100 MHz at 2.7-3.6 V: 3 wait states
 *                  (RM0383's wait-state table, shared/reference/boards.md), prefetch, instruction and data caches on.
 * BENCH_FLASH_F7   STM32F7 FLASH_ACR at 0x40023C00 (RM0385, flash registers): LATENCY[3:0], PRFTEN bit 8, ARTEN
 *                  bit 9. 7 wait states for 216 MHz (RM0385's wait-state table, boards.md), ART and prefetch on as STM32CubeF7's
 *                  HAL_Init does when its configuration enables them. They act on the ITCM-bus path (0x00200000)
 *                  only; the code here runs over AXIM (0x08000000), see README.md.
 * BENCH_FLASH_H7   STM32H7 FLASH_ACR at 0x52002000 (RM0433, flash registers; FLASH_R_BASE = D1_AHB1PERIPH_BASE +
 *                  0x2000 in stm32h743xx.h): LATENCY[3:0], WRHIGHFREQ[5:4]. 4 wait states and WRHIGHFREQ 2 for a 240 MHz
 *                  AXI clock at VOS0/VOS1 (RM0433, "FLASH recommended number of wait states and programming delay"; boards.md).
 * BENCH_CACHES     Cortex-M7 L1 caches on, by the CMSIS sequence (SCB_EnableICache, SCB_EnableDCache): invalidate
 *                  the I-cache (ICIALLU), set CCR.IC; select the L1 data cache (CSSELR = 0), read its geometry from
 *                  CCSIDR, invalidate every set and way (DCISW), set CCR.DC; DSB/ISB around each step.
 *
 * Nothing else of the clock tree is set up: the simulator runs a board at its clockHz, and QEMU has no clock. On
 * silicon the PLL, the voltage scaling and the USART pins would have to be configured too.
 */
#include "bench.h"

int main(void);
void bench_uart_init(void);

/* linker script symbols (common/sections.ld) */
extern uint32_t __stack_top[], _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

#define REG32(a) (*(volatile uint32_t *)(a))

/* System Control Block (ARMv7-M ARM B3.2, the SCB register map; the cache registers as the Cortex-M7 TRM and
   CMSIS core_cm7.h place them) */
#define SCB_VTOR    REG32(0xE000ED08u)
#define SCB_CCR     REG32(0xE000ED14u)
#define SCB_CCSIDR  REG32(0xE000ED80u)
#define SCB_CSSELR  REG32(0xE000ED84u)
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SCB_DCISW   REG32(0xE000EF60u)
#define CCR_DC (1u << 16)
#define CCR_IC (1u << 17)

static inline void dsb(void) { __asm__ volatile("dsb 0xf" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb 0xf" ::: "memory"); }

#if defined(BENCH_CACHES) && BENCH_CACHES
static void caches_enable(void) {
  /* I-cache: invalidate all, then enable */
  dsb();
  isb();
  SCB_ICIALLU = 0u;
  dsb();
  isb();
  SCB_CCR |= CCR_IC;
  dsb();
  isb();
  /* D-cache: its contents are unknown at reset, so invalidate every line by set and way before enabling it.
     CCSIDR: NumSets - 1 in bits 27:13, Associativity - 1 in bits 12:3, LineSize = log2(words per line) - 2 in bits
     2:0. DCISW operand (ARMv7-M ARM, cache maintenance by set/way; CMSIS SCB_DCISW_SET_Pos 5 and
     SCB_DCISW_WAY_Pos 30 for the M7's 32-byte lines and 4 ways): the set number from bit log2(line bytes), the way in the top bits
     (bit 32 - log2(ways)). */
  SCB_CSSELR = 0u;
  dsb();
  uint32_t ccsidr = SCB_CCSIDR;
  uint32_t sets = (ccsidr >> 13) & 0x7FFFu;
  uint32_t ways = (ccsidr >> 3) & 0x3FFu;
  uint32_t set_shift = (ccsidr & 7u) + 4u;
  uint32_t way_shift = ways ? (uint32_t)__builtin_clz(ways) : 0u;
  for (uint32_t s = 0; s <= sets; s++)
    for (uint32_t w = 0; w <= ways; w++) SCB_DCISW = (w << way_shift) | (s << set_shift);
  dsb();
  SCB_CCR |= CCR_DC;
  dsb();
  isb();
}
#endif

static void flash_init(void) {
#if defined(BENCH_FLASH_F4)
  REG32(0x40023C00u) = 3u;                                   /* LATENCY = 3 WS first */
  REG32(0x40023C00u) = 3u | (1u << 8) | (1u << 9) | (1u << 10);  /* + PRFTEN, ICEN, DCEN */
#elif defined(BENCH_FLASH_F7)
  REG32(0x40023C00u) = 7u | (1u << 8) | (1u << 9);           /* LATENCY = 7 WS, PRFTEN, ARTEN */
#elif defined(BENCH_FLASH_H7)
  REG32(0x52002000u) = 4u | (2u << 4);                       /* LATENCY = 4 WS, WRHIGHFREQ = 2 */
#endif
}

void Reset_Handler(void) __attribute__((noreturn));
void Fault_Handler(void);

/* the 16 system exception vectors (ARMv7-M ARM B1.5, the vector table): SP, Reset, NMI, HardFault, MemManage, BusFault,
   UsageFault, 4 reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick */
__attribute__((section(".vectors"), used))
void *const bench_vectors[16] = {
  __stack_top, (void *)Reset_Handler,
  (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler,
  0, 0, 0, 0,
  (void *)Fault_Handler, (void *)Fault_Handler, 0, (void *)Fault_Handler, (void *)Fault_Handler,
};

void Reset_Handler(void) {
  flash_init();
  /* the vector table where it is linked (a board may boot through an alias: the F411 at 0, the F746 at 0x00200000) */
  SCB_VTOR = (uint32_t)(uintptr_t)bench_vectors;
  for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
  for (uint32_t *dst = _sbss; dst < _ebss;) *dst++ = 0u;
#if defined(BENCH_CACHES) && BENCH_CACHES
  caches_enable();
#endif
  bench_uart_init();
  main();
  bench_exit(0);
}

/* any fault or unexpected exception: say so and exit with a failure */
void Fault_Handler(void) {
  bench_puts("FAIL: fault\n");
  bench_exit(0);
}
