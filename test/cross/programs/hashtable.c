/* A chained hash table and a binary search tree on the heap: insert 500 pseudo-random keys with duplicates,
   look them up, delete a third, iterate in order (recursive in-order walk), free everything. Pointer-heavy
   code: loads and stores through structures, null checks, recursion. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

struct ent { uint32_t key, val; struct ent *next; };
struct node { uint32_t key; struct node *l, *r; };
#define NB 61
static struct ent *tab[NB];
static struct node *insert(struct node *t, uint32_t k, int *added) { if (!t) { t = calloc(1, sizeof *t); t->key = k; *added = 1; return t; } if (k < t->key) t->l = insert(t->l, k, added); else if (k > t->key) t->r = insert(t->r, k, added); return t; }
static uint32_t walk_h, walk_n; static uint32_t prev; static int order_bad;
static void walk(const struct node *t) { if (!t) return; walk(t->l); if (walk_n && t->key <= prev) order_bad = 1; prev = t->key; walk_h = walk_h * 31 + t->key; walk_n++; walk(t->r); }
static int depth(const struct node *t) { if (!t) return 0; int a = depth(t->l), b = depth(t->r); return 1 + (a > b ? a : b); }
static void freet(struct node *t) { if (!t) return; freet(t->l); freet(t->r); free(t); }

int main(void) {
  uint32_t s = 2463534242u; struct node *root = NULL; int distinct = 0, updates = 0;
  for (int i = 0; i < 500; i++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5; uint32_t k = s % 700;
    struct ent **pp = &tab[k % NB]; while (*pp && (*pp)->key != k) pp = &(*pp)->next;
    if (*pp) { (*pp)->val += (uint32_t)i; updates++; } else { struct ent *e = malloc(sizeof *e); e->key = k; e->val = (uint32_t)i; e->next = NULL; *pp = e; }
    int added = 0; root = insert(root, k, &added); distinct += added;
  }
  uint32_t found = 0, vsum = 0;
  for (uint32_t k = 0; k < 700; k++) for (struct ent *e = tab[k % NB]; e; e = e->next) if (e->key == k) { found++; vsum += e->val; }
  int deleted = 0;
  for (uint32_t k = 0; k < 700; k += 3) { struct ent **pp = &tab[k % NB]; while (*pp && (*pp)->key != k) pp = &(*pp)->next; if (*pp) { struct ent *d = *pp; *pp = d->next; free(d); deleted++; } }
  int left = 0, longest = 0; for (int b = 0; b < NB; b++) { int n = 0; for (struct ent *e = tab[b]; e; e = e->next) n++; left += n; if (n > longest) longest = n; }
  walk(root);
  printf("distinct %d updates %d found %lu value sum %lu deleted %d left %d longest chain %d\n", distinct, updates, (unsigned long)found, (unsigned long)vsum, deleted, left, longest);
  printf("tree: %lu nodes, depth %d, in order %s, walk checksum %08lx\n", (unsigned long)walk_n, depth(root), order_bad ? "NO" : "yes", (unsigned long)walk_h);
  freet(root);
  for (int b = 0; b < NB; b++) while (tab[b]) { struct ent *e = tab[b]; tab[b] = e->next; free(e); }
  return (int)((walk_h + vsum + (uint32_t)left) & 0x7f);
}
