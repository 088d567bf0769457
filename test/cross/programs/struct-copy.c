/* Struct copies: assignment of small and large structs (inline copies and memcpy calls), passing and returning
   by value, arrays of structs, nested structs, packed (unaligned) members, unions, compound literals. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct small { uint8_t a; uint16_t b; };
struct vec3 { int32_t x, y, z; };
struct big { char name[21]; struct vec3 v[5]; uint64_t id; double w; };
struct __attribute__((packed)) pk { uint8_t tag; uint32_t val; uint16_t h; uint64_t q; };
union pun { uint32_t u; uint8_t b[4]; float f; };

static struct vec3 add(struct vec3 a, struct vec3 b) { return (struct vec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static struct big make(int k) {
  struct big r; memset(&r, 0, sizeof r);
  snprintf(r.name, sizeof r.name, "item-%d", k);
  for (int i = 0; i < 5; i++) r.v[i] = (struct vec3){k * i, -k - i, k ^ i};
  r.id = 0x100000000ull * (uint64_t)k + (uint64_t)k; r.w = k * 0.5; return r;
}
static uint32_t sum_big(struct big b) { uint32_t s = (uint32_t)b.id ^ (uint32_t)(b.id >> 32); for (int i = 0; i < 5; i++) s = s * 7 + (uint32_t)(b.v[i].x + b.v[i].y * 3 + b.v[i].z * 5); return s + (uint32_t)(b.w * 4); }

int main(void) {
  struct big arr[4];
  for (int i = 0; i < 4; i++) arr[i] = make(i + 3);
  struct big t = arr[0]; arr[0] = arr[3]; arr[3] = t;
  uint32_t s = 0;
  for (int i = 0; i < 4; i++) { s = s * 131 + sum_big(arr[i]); printf("%s id %llx w %d v4 %ld %ld %ld\n", arr[i].name, (unsigned long long)arr[i].id, (int)(arr[i].w * 10), (long)arr[i].v[4].x, (long)arr[i].v[4].y, (long)arr[i].v[4].z); }
  struct vec3 a = {1, 2, 3}, b = {10, 20, 30}, c = add(add(a, b), (struct vec3){-5, 5, 100});
  printf("vec %ld %ld %ld\n", (long)c.x, (long)c.y, (long)c.z);
  struct small sm[3] = {{1, 2}, {3, 4}, {5, 0xffff}}; struct small sc = sm[2]; sm[2] = sm[0]; sm[0] = sc;
  printf("small %u %u %u %u sizeof %u\n", sm[0].a, sm[0].b, sm[2].a, sm[2].b, (unsigned)sizeof(struct small));
  struct pk p[3]; unsigned char raw[sizeof p];
  for (int i = 0; i < 3; i++) { p[i].tag = (uint8_t)i; p[i].val = 0x11223344u * (uint32_t)(i + 1); p[i].h = (uint16_t)(0xabcd + i); p[i].q = 0x0102030405060708ull << i; }
  struct pk q = p[1]; p[1] = p[2]; p[2] = q; memcpy(raw, p, sizeof p);
  uint32_t rs = 0; for (unsigned i = 0; i < sizeof raw; i++) rs = rs * 33 + raw[i];
  printf("packed sizeof %u val %08lx h %04x q %016llx raw checksum %08lx\n", (unsigned)sizeof(struct pk), (unsigned long)p[2].val, p[1].h, (unsigned long long)p[1].q, (unsigned long)rs);
  union pun u; u.f = -2.5f;
  printf("union %08lx bytes %02x %02x %02x %02x\n", (unsigned long)u.u, u.b[0], u.b[1], u.b[2], u.b[3]);
  s += (uint32_t)(c.x + c.y + c.z) + rs + u.u;
  printf("checksum %08lx\n", (unsigned long)s);
  return (int)(s & 0x7f);
}
