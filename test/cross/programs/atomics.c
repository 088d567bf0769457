/* Exclusive access through C11 atomics and GCC builtins (LDREX/STREX loops, DMB): fetch-add/sub/and/or/xor on
   8-, 16- and 32-bit objects, compare-exchange failing then succeeding, exchange, an atomic_flag spinlock, the
   __sync builtins, and a hand-written LDREX; CLREX; STREX, whose store must fail every time (CLREX clears the
   local monitor). Exit code: checksum & 0x7f. */
#include <stdio.h>
#include <stdint.h>
#include <stdatomic.h>

static _Atomic uint32_t a32 = 10; static _Atomic uint16_t a16 = 0xfff0; static _Atomic uint8_t a8 = 250;
static atomic_flag lock = ATOMIC_FLAG_INIT;

int main(void) {
  uint32_t h = 0;
  for (uint32_t i = 0; i < 20; i++) {
    h = h * 31 + atomic_fetch_add(&a32, i * 3);
    h = h * 31 + atomic_fetch_sub(&a16, (uint16_t)(i + 1));
    h = h * 31 + atomic_fetch_add(&a8, 3);
    h = h * 31 + atomic_fetch_xor(&a32, 0x5a5a5a5au >> i);
    h = h * 31 + atomic_fetch_and(&a16, (uint16_t)~(1u << (i % 16)));
    h = h * 31 + atomic_fetch_or(&a8, (uint8_t)(1u << (i % 8)));
  }
  uint32_t expect = 12345, seen = atomic_load(&a32);
  _Bool ok1 = atomic_compare_exchange_strong(&a32, &expect, 777u);   /* fails: expect gets the value */
  _Bool ok2 = atomic_compare_exchange_strong(&a32, &expect, 777u);   /* succeeds now */
  uint32_t old = atomic_exchange(&a32, 0xcafef00du);
  int spins = 0;
  while (atomic_flag_test_and_set(&lock)) spins++;
  _Bool again = atomic_flag_test_and_set(&lock);
  atomic_flag_clear(&lock);
  uint32_t v = 5, w = __sync_val_compare_and_swap(&v, 5, 6); uint32_t z = __sync_add_and_fetch(&v, 10);
  printf("a32 %08lx a16 %04x a8 %02x seen %08lx cas %d %d expect %lu old %lu spins %d again %d sync %lu %lu\n",
    (unsigned long)atomic_load(&a32), atomic_load(&a16), atomic_load(&a8), (unsigned long)seen, ok1, ok2, (unsigned long)expect,
    (unsigned long)old, spins, again, (unsigned long)w, (unsigned long)z);
  uint32_t ex = 0x11111111, got; int fails = 0;
  do { __asm volatile("ldrex %0, [%1]" : "=r"(got) : "r"(&ex)); __asm volatile("clrex"); uint32_t st;
       __asm volatile("strex %0, %2, [%1]" : "=&r"(st) : "r"(&ex), "r"(got + 1) : "memory"); if (!st) break; fails++; } while (fails < 3);
  printf("strex after clrex failed %d times, value %08lx\n", fails, (unsigned long)ex);
  printf("checksum %08lx\n", (unsigned long)h);
  return (int)((h + (uint32_t)fails) & 0x7f);
}
