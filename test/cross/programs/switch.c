/* Switch tables: a dense small switch (GCC emits TBB), a 70-case switch whose bodies are large enough that the
   jump offsets need halfwords (TBH), a sparse switch (compare trees), and the default paths. Each case leaves a
   distinct value, so a wrong table entry shows in the checksum. */
#include <stdio.h>
#include <stdint.h>

static char buf[32];
__attribute__((noinline)) static uint32_t small(uint32_t k) {
  switch (k) {
    case 0: return 11; case 1: return 23; case 2: return 37; case 3: return 41; case 4: return 53;
    case 5: return 67; case 6: return 71; case 7: return 89; case 8: return 97; case 9: return 101;
    case 10: return 113; case 11: return 127; case 13: return 131;
    default: return 1000 + k;
  }
}
__attribute__((noinline)) static uint32_t large(uint32_t k, uint32_t x) {
  uint32_t r = 0;
  switch (k) {
    case 0: r = x * 1 + 0; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c0-%lu", (unsigned long)(x % 2)); break;
    case 1: r = x * 4 + 1; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c1-%lu", (unsigned long)(x % 3)); break;
    case 2: r = x * 7 + 4; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c2-%lu", (unsigned long)(x % 4)); break;
    case 3: r = x * 10 + 9; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c3-%lu", (unsigned long)(x % 5)); break;
    case 4: r = x * 13 + 16; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c4-%lu", (unsigned long)(x % 6)); break;
    case 5: r = x * 16 + 25; r ^= r >> 6; r += (uint32_t)snprintf(buf, sizeof buf, "c5-%lu", (unsigned long)(x % 7)); break;
    case 6: r = x * 19 + 36; r ^= r >> 7; r += (uint32_t)snprintf(buf, sizeof buf, "c6-%lu", (unsigned long)(x % 8)); break;
    case 7: r = x * 22 + 49; r ^= r >> 8; r += (uint32_t)snprintf(buf, sizeof buf, "c7-%lu", (unsigned long)(x % 9)); break;
    case 8: r = x * 25 + 64; r ^= r >> 9; r += (uint32_t)snprintf(buf, sizeof buf, "c8-%lu", (unsigned long)(x % 10)); break;
    case 9: r = x * 28 + 81; r ^= r >> 10; r += (uint32_t)snprintf(buf, sizeof buf, "c9-%lu", (unsigned long)(x % 11)); break;
    case 10: r = x * 31 + 3; r ^= r >> 11; r += (uint32_t)snprintf(buf, sizeof buf, "c10-%lu", (unsigned long)(x % 12)); break;
    case 11: r = x * 34 + 24; r ^= r >> 12; r += (uint32_t)snprintf(buf, sizeof buf, "c11-%lu", (unsigned long)(x % 13)); break;
    case 12: r = x * 37 + 47; r ^= r >> 13; r += (uint32_t)snprintf(buf, sizeof buf, "c12-%lu", (unsigned long)(x % 14)); break;
    case 13: r = x * 40 + 72; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c13-%lu", (unsigned long)(x % 15)); break;
    case 14: r = x * 43 + 2; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c14-%lu", (unsigned long)(x % 16)); break;
    case 15: r = x * 46 + 31; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c15-%lu", (unsigned long)(x % 17)); break;
    case 16: r = x * 49 + 62; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c16-%lu", (unsigned long)(x % 18)); break;
    case 17: r = x * 52 + 95; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c17-%lu", (unsigned long)(x % 19)); break;
    case 18: r = x * 55 + 33; r ^= r >> 6; r += (uint32_t)snprintf(buf, sizeof buf, "c18-%lu", (unsigned long)(x % 20)); break;
    case 19: r = x * 58 + 70; r ^= r >> 7; r += (uint32_t)snprintf(buf, sizeof buf, "c19-%lu", (unsigned long)(x % 21)); break;
    case 20: r = x * 61 + 12; r ^= r >> 8; r += (uint32_t)snprintf(buf, sizeof buf, "c20-%lu", (unsigned long)(x % 22)); break;
    case 21: r = x * 64 + 53; r ^= r >> 9; r += (uint32_t)snprintf(buf, sizeof buf, "c21-%lu", (unsigned long)(x % 23)); break;
    case 22: r = x * 67 + 96; r ^= r >> 10; r += (uint32_t)snprintf(buf, sizeof buf, "c22-%lu", (unsigned long)(x % 24)); break;
    case 23: r = x * 70 + 44; r ^= r >> 11; r += (uint32_t)snprintf(buf, sizeof buf, "c23-%lu", (unsigned long)(x % 25)); break;
    case 24: r = x * 73 + 91; r ^= r >> 12; r += (uint32_t)snprintf(buf, sizeof buf, "c24-%lu", (unsigned long)(x % 26)); break;
    case 25: r = x * 76 + 43; r ^= r >> 13; r += (uint32_t)snprintf(buf, sizeof buf, "c25-%lu", (unsigned long)(x % 27)); break;
    case 26: r = x * 79 + 94; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c26-%lu", (unsigned long)(x % 28)); break;
    case 27: r = x * 82 + 50; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c27-%lu", (unsigned long)(x % 29)); break;
    case 28: r = x * 85 + 8; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c28-%lu", (unsigned long)(x % 30)); break;
    case 29: r = x * 88 + 65; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c29-%lu", (unsigned long)(x % 31)); break;
    case 30: r = x * 91 + 27; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c30-%lu", (unsigned long)(x % 32)); break;
    case 31: r = x * 94 + 88; r ^= r >> 6; r += (uint32_t)snprintf(buf, sizeof buf, "c31-%lu", (unsigned long)(x % 33)); break;
    case 32: r = x * 97 + 54; r ^= r >> 7; r += (uint32_t)snprintf(buf, sizeof buf, "c32-%lu", (unsigned long)(x % 34)); break;
    case 33: r = x * 100 + 22; r ^= r >> 8; r += (uint32_t)snprintf(buf, sizeof buf, "c33-%lu", (unsigned long)(x % 35)); break;
    case 34: r = x * 103 + 89; r ^= r >> 9; r += (uint32_t)snprintf(buf, sizeof buf, "c34-%lu", (unsigned long)(x % 36)); break;
    case 35: r = x * 106 + 61; r ^= r >> 10; r += (uint32_t)snprintf(buf, sizeof buf, "c35-%lu", (unsigned long)(x % 37)); break;
    case 36: r = x * 109 + 35; r ^= r >> 11; r += (uint32_t)snprintf(buf, sizeof buf, "c36-%lu", (unsigned long)(x % 38)); break;
    case 37: r = x * 112 + 11; r ^= r >> 12; r += (uint32_t)snprintf(buf, sizeof buf, "c37-%lu", (unsigned long)(x % 39)); break;
    case 38: r = x * 115 + 86; r ^= r >> 13; r += (uint32_t)snprintf(buf, sizeof buf, "c38-%lu", (unsigned long)(x % 40)); break;
    case 39: r = x * 118 + 66; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c39-%lu", (unsigned long)(x % 41)); break;
    case 40: r = x * 121 + 48; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c40-%lu", (unsigned long)(x % 42)); break;
    case 41: r = x * 124 + 32; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c41-%lu", (unsigned long)(x % 43)); break;
    case 42: r = x * 127 + 18; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c42-%lu", (unsigned long)(x % 44)); break;
    case 43: r = x * 130 + 6; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c43-%lu", (unsigned long)(x % 45)); break;
    case 44: r = x * 133 + 93; r ^= r >> 6; r += (uint32_t)snprintf(buf, sizeof buf, "c44-%lu", (unsigned long)(x % 46)); break;
    case 45: r = x * 136 + 85; r ^= r >> 7; r += (uint32_t)snprintf(buf, sizeof buf, "c45-%lu", (unsigned long)(x % 47)); break;
    case 46: r = x * 139 + 79; r ^= r >> 8; r += (uint32_t)snprintf(buf, sizeof buf, "c46-%lu", (unsigned long)(x % 48)); break;
    case 47: r = x * 142 + 75; r ^= r >> 9; r += (uint32_t)snprintf(buf, sizeof buf, "c47-%lu", (unsigned long)(x % 49)); break;
    case 48: r = x * 145 + 73; r ^= r >> 10; r += (uint32_t)snprintf(buf, sizeof buf, "c48-%lu", (unsigned long)(x % 50)); break;
    case 49: r = x * 148 + 73; r ^= r >> 11; r += (uint32_t)snprintf(buf, sizeof buf, "c49-%lu", (unsigned long)(x % 51)); break;
    case 50: r = x * 151 + 75; r ^= r >> 12; r += (uint32_t)snprintf(buf, sizeof buf, "c50-%lu", (unsigned long)(x % 52)); break;
    case 51: r = x * 154 + 79; r ^= r >> 13; r += (uint32_t)snprintf(buf, sizeof buf, "c51-%lu", (unsigned long)(x % 53)); break;
    case 52: r = x * 157 + 85; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c52-%lu", (unsigned long)(x % 54)); break;
    case 53: r = x * 160 + 93; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c53-%lu", (unsigned long)(x % 55)); break;
    case 54: r = x * 163 + 6; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c54-%lu", (unsigned long)(x % 56)); break;
    case 55: r = x * 166 + 18; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c55-%lu", (unsigned long)(x % 57)); break;
    case 56: r = x * 169 + 32; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c56-%lu", (unsigned long)(x % 58)); break;
    case 57: r = x * 172 + 48; r ^= r >> 6; r += (uint32_t)snprintf(buf, sizeof buf, "c57-%lu", (unsigned long)(x % 59)); break;
    case 58: r = x * 175 + 66; r ^= r >> 7; r += (uint32_t)snprintf(buf, sizeof buf, "c58-%lu", (unsigned long)(x % 60)); break;
    case 59: r = x * 178 + 86; r ^= r >> 8; r += (uint32_t)snprintf(buf, sizeof buf, "c59-%lu", (unsigned long)(x % 61)); break;
    case 60: r = x * 181 + 11; r ^= r >> 9; r += (uint32_t)snprintf(buf, sizeof buf, "c60-%lu", (unsigned long)(x % 62)); break;
    case 61: r = x * 184 + 35; r ^= r >> 10; r += (uint32_t)snprintf(buf, sizeof buf, "c61-%lu", (unsigned long)(x % 63)); break;
    case 62: r = x * 187 + 61; r ^= r >> 11; r += (uint32_t)snprintf(buf, sizeof buf, "c62-%lu", (unsigned long)(x % 64)); break;
    case 63: r = x * 190 + 89; r ^= r >> 12; r += (uint32_t)snprintf(buf, sizeof buf, "c63-%lu", (unsigned long)(x % 65)); break;
    case 64: r = x * 193 + 22; r ^= r >> 13; r += (uint32_t)snprintf(buf, sizeof buf, "c64-%lu", (unsigned long)(x % 66)); break;
    case 65: r = x * 196 + 54; r ^= r >> 1; r += (uint32_t)snprintf(buf, sizeof buf, "c65-%lu", (unsigned long)(x % 67)); break;
    case 66: r = x * 199 + 88; r ^= r >> 2; r += (uint32_t)snprintf(buf, sizeof buf, "c66-%lu", (unsigned long)(x % 68)); break;
    case 67: r = x * 202 + 27; r ^= r >> 3; r += (uint32_t)snprintf(buf, sizeof buf, "c67-%lu", (unsigned long)(x % 69)); break;
    case 68: r = x * 205 + 65; r ^= r >> 4; r += (uint32_t)snprintf(buf, sizeof buf, "c68-%lu", (unsigned long)(x % 70)); break;
    case 69: r = x * 208 + 8; r ^= r >> 5; r += (uint32_t)snprintf(buf, sizeof buf, "c69-%lu", (unsigned long)(x % 71)); break;
    default: r = 0xdead0000u | k; break;
  }
  return r;
}
__attribute__((noinline)) static int sparse(int32_t k) {
  switch (k) {
    case -1000: return 1; case -3: return 2; case 0: return 3; case 17: return 4; case 1024: return 5;
    case 65537: return 6; case 0x7fffffff: return 7; default: return 0;
  }
}
__attribute__((noinline)) static const char *chars(char c) {
  switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return "vowel";
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': return "digit";
    case ' ': case '\t': case '\n': return "space";
    default: return "other";
  }
}

int main(void) {
  uint32_t s = 0;
  for (uint32_t k = 0; k < 16; k++) { uint32_t v = small(k); s = s * 31 + v; printf("small(%lu) = %lu\n", (unsigned long)k, (unsigned long)v); }
  for (uint32_t k = 0; k < 74; k++) { uint32_t v = large(k, 1000003u * k + 17); s = s * 31 + v; if (k % 7 == 0 || k > 68) printf("large(%lu) = %08lx [%s]\n", (unsigned long)k, (unsigned long)v, buf); }
  static const int32_t sp[] = {-1000, -3, -2, 0, 17, 18, 1024, 65537, 0x7fffffff, -0x7fffffff};
  for (unsigned i = 0; i < 10; i++) { int v = sparse(sp[i]); s = s * 31 + (uint32_t)v; printf("sparse(%ld) = %d\n", (long)sp[i], v); }
  const char *text = "ai 42\tzq!";
  for (const char *p = text; *p; p++) { const char *c = chars(*p); s = s * 31 + (uint32_t)c[0]; printf("%s ", c); }
  printf("\nchecksum %08lx\n", (unsigned long)s);
  return (int)(s & 0x7f);
}
