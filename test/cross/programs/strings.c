/* string.h: memcpy/memmove (overlapping both ways)/memset/memcmp/memchr at every alignment and length 0..40,
   strlen/strcpy/strncpy/strcat/strcmp/strncmp/strchr/strrchr/strstr/strspn/strcspn/strtok/strpbrk. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static unsigned char src[128], dst[128];
static uint32_t h = 2166136261u;
static void mix(const void *p, size_t n) { const unsigned char *c = p; while (n--) h = (h ^ *c++) * 16777619u; }

int main(void) {
  for (int i = 0; i < 128; i++) src[i] = (unsigned char)(i * 11 + 3);
  for (int so = 0; so < 4; so++) for (int d = 0; d < 4; d++) for (size_t n = 0; n <= 40; n += 3) {
    memset(dst, 0xee, sizeof dst); memcpy(dst + d, src + so, n); mix(dst, 64);
    memset(dst + d + 1, (int)n, n / 2); mix(dst, 64);
    h += (uint32_t)(memcmp(dst + d, src + so, n) > 0) + 2u * (memcmp(dst, src, n) < 0);
  }
  unsigned char buf[64];
  for (int k = 0; k < 64; k++) buf[k] = (unsigned char)k;
  memmove(buf + 3, buf, 40); mix(buf, 64);
  memmove(buf, buf + 5, 40); mix(buf, 64);
  printf("mem checksum %08lx memchr %d\n", (unsigned long)h, (int)((unsigned char *)memchr(src, src[77], 128) - src));
  char s[80];
  strcpy(s, "hello"); strcat(s, ", "); strncat(s, "world!!!", 5); strcat(s, " the end");
  printf("[%s] len %u\n", s, (unsigned)strlen(s));
  printf("cmp %d %d %d ncmp %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0, strcmp("same", "same"), strncmp("abcdef", "abcxyz", 3));
  printf("chr [%s] rchr [%s] str [%s] spn %u cspn %u pbrk [%s]\n", strchr(s, 'o'), strrchr(s, 'o'), strstr(s, "wor"),
    (unsigned)strspn(s, "hel"), (unsigned)strcspn(s, ",!"), strpbrk(s, "dw"));
  char t[] = "  alpha,beta;;gamma , delta  ";
  int count = 0;
  for (char *tok = strtok(t, " ,;"); tok; tok = strtok(NULL, " ,;")) { printf("token %d [%s]\n", count++, tok); mix(tok, strlen(tok)); }
  char n[8]; memset(n, 'x', 8); strncpy(n, "ab", 6); mix(n, 8);
  printf("strncpy pads: %d %d %c\n", n[2], n[5], n[6]);
  printf("checksum %08lx\n", (unsigned long)h);
  return (int)(h & 0x7f);
}
