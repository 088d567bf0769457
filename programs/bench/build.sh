#!/bin/sh
# Build the benchmark images (Debian: apt-get install gcc-arm-none-eabi; no C library is used).
#
#   programs/bench/build.sh            every image into programs/bench/elf/ (the committed ones)
#   programs/bench/build.sh host       the host check: both workloads built with the host's cc and run; their
#                                      checksums must equal the ones fixed in the sources (they print OK)
#   OUT=dir TARGETS="m4 m4-qemu" ITERATIONS=3 programs/bench/build.sh    a subset, elsewhere, another count
#   MARKERS=0 ...                      the simulator targets without the marker writes too
#
# Images: elf/<workload>.<target>.elf for workload coremark-like, embench-like and target
#   m4                               mps2-an386 (mcusim's default board), simulator markers on
#   m4-qemu                          the same without the simulator's marker writes, for qemu-system-arm -M mps2-an386
#   stm32f411re                      flash 0x08000000, SRAM 0x20000000, FLASH_ACR 3 WS + prefetch + I/D caches
#   stm32f746g-disco-caches-off|on   code at 0x08000000 (AXIM), data in SRAM1, M7 L1 caches off / on
#   stm32h743-caches-off|on          code at 0x08000000, data in AXI SRAM, M7 L1 caches off / on
# See README.md for the memory layout decisions.
set -e
cd "$(dirname "$0")"

WORKLOADS="coremark-like embench-like"
ALL="m4 m4-qemu stm32f411re stm32f746g-disco-caches-off stm32f746g-disco-caches-on stm32h743-caches-off stm32h743-caches-on"
ITERATIONS=${ITERATIONS:-10}
MARKERS=${MARKERS:-1}
OUT=${OUT:-elf}
TARGETS=${TARGETS:-$ALL}

src() { echo "$1/$(echo "$1" | tr - _).c"; }

if [ "${1:-}" = host ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for w in $WORKLOADS; do
    ${HOSTCC:-cc} -O2 -std=c11 -Wall -Wextra -Icommon -DITERATIONS="$ITERATIONS" \
      "$(src $w)" common/bench_main.c common/host.c -o "$tmp/$w"
    "$tmp/$w"
  done
  exit 0
fi

CC=arm-none-eabi-gcc
CFLAGS="-O2 -mthumb -mfloat-abi=soft -std=c11 -Wall -Wextra -ffreestanding -nostdlib
  -ffunction-sections -fdata-sections -fno-tree-loop-distribute-patterns -Icommon -DITERATIONS=$ITERATIONS"
mkdir -p "$OUT"

for t in $TARGETS; do
  case $t in
    m4)          f="-mcpu=cortex-m4 -DMCUSIM_MARKERS=$MARKERS -DBENCH_UART_CMSDK -DBENCH_UART_BASE=0x40004000u"; ld=mps2.ld ;;
    m4-qemu)     f="-mcpu=cortex-m4 -DMCUSIM_MARKERS=0 -DBENCH_UART_CMSDK -DBENCH_UART_BASE=0x40004000u"; ld=mps2.ld ;;
    stm32f411re) f="-mcpu=cortex-m4 -DMCUSIM_MARKERS=$MARKERS -DBENCH_UART_STM32F4 -DBENCH_UART_BASE=0x40004400u -DBENCH_FLASH_F4"
                 ld=stm32f411re.ld ;;
    stm32f746g-disco-caches-off|stm32f746g-disco-caches-on)
                 f="-mcpu=cortex-m7 -DMCUSIM_MARKERS=$MARKERS -DBENCH_UART_STM32F7 -DBENCH_UART_BASE=0x40011000u -DBENCH_FLASH_F7"
                 ld=stm32f746g-disco.ld ;;
    stm32h743-caches-off|stm32h743-caches-on)
                 f="-mcpu=cortex-m7 -DMCUSIM_MARKERS=$MARKERS -DBENCH_UART_STM32F7 -DBENCH_UART_BASE=0x40004800u -DBENCH_FLASH_H7"
                 ld=stm32h743.ld ;;
    *) echo "build.sh: unknown target $t (one of: $ALL)" >&2; exit 1 ;;
  esac
  case $t in *-caches-on) f="$f -DBENCH_CACHES=1" ;; esac
  for w in $WORKLOADS; do
    elf="$OUT/$w.$t.elf"
    # shellcheck disable=SC2086
    $CC $CFLAGS $f -Lcommon -Wl,-T,common/$ld -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=0x10 \
      common/startup.c common/io.c common/libc.c common/bench_main.c "$(src $w)" -lgcc -o "$elf"
    arm-none-eabi-strip --strip-debug "$elf"
  done
done
