/* evq: the pending-event set as an implicit 4-ary min-heap of 16-byte
 * entries (time, seq << 32 | slot), laid out so that each group of four
 * siblings fills one 64-byte cache line. Callbacks and arguments live in a
 * slot pool with a free stack, so a push or pop never allocates; the heap
 * moves holes rather than swapping, and pops sift the hole to a leaf first. */
#include "railmail/evq.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 32
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define SEQ_LIMIT (UINT64_C(1) << (64 - SLOT_BITS))
/* The largest slot is MAX_CAP - 1, so no real key equals the sentinel's. */
#define MAX_CAP ((size_t)(SLOT_MASK < SIZE_MAX / 64 ? SLOT_MASK : SIZE_MAX / 64))
#define LINE 64
/* Heap sizes in bytes: below NEAR the heap stays in the first-level cache
 * and is not prefetched; beyond FAR, levels come from far memory and are
 * prefetched two levels ahead. Typical L1d and L2 sizes. */
#define NEAR (32 * 1024)
#define FAR (256 * 1024)
/* GCC treats a function holding only prefetches as free of effects and
 * drops calls to it when it is not inlined, so the prefetch helpers must
 * always be inlined. */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH_HELPER __attribute__((always_inline)) static inline
#else
#define PREFETCH_HELPER static inline
#endif
/* The root sits at index 3 so that the children of index p, at 4p - 8 ..
 * 4p - 5, always start on a multiple of 4 entries, that is on a cache line.
 * The sifts down work in byte offsets: the first child of o is 4o - 128. */
#define ROOT 3
#define PARENT(p) (((p) + 8) / 4)

struct entry {
    uint64_t time_bits;  /* the time, mapped by to_bits so that integer order is time order */
    uint64_t key;        /* seq << SLOT_BITS | slot: unique, so ties break by seq */
};

struct payload {
    evq_fn *fn;
    void *arg;
};

struct evq {
    struct entry *heap;    /* heap[ROOT .. ROOT + n - 1]; the rest are sentinels */
    size_t n, cap;
    struct payload *pay;   /* indexed by slot */
    uint32_t *free_slots;  /* a stack of cap - n free slots, top at cap - n - 1 */
    uint64_t next_seq;
    /* seqs of items kept outside (evq_share_seqs), renumbered with ours */
    uint64_t *ext, *ext_sorted;
    size_t n_ext;
};

#define SIGN (UINT64_C(1) << 63)

/* Maps a double (not NaN) to an integer with the same order, so that an
 * entry compares as one 128-bit number: no floating-point flags, no
 * unordered case, and the compiler emits cmp/sbb instead of branches. */
static inline uint64_t to_bits(double t)
{
    uint64_t b;
    t += 0.0;  /* -0.0 becomes +0.0, which compares equal anyway */
    memcpy(&b, &t, sizeof b);
    return b & SIGN ? ~b : b | SIGN;
}

static inline double from_bits(uint64_t b)
{
    double t;
    b = b & SIGN ? b & ~SIGN : ~b;
    memcpy(&t, &b, sizeof t);
    return t;
}

/* +INFINITY with a key no real entry has: greater than anything pushed. */
#define SENTINEL_BITS (UINT64_C(0x7ff0000000000000) | SIGN)
static const struct entry SENTINEL = {SENTINEL_BITS, UINT64_MAX};

/* Strict (time, seq) order. Which child is smaller is a coin toss, so a
 * branch here would be mispredicted half the time; both forms below let
 * the compiler use flags and conditional moves instead. */
static inline int less(const struct entry *a, const struct entry *b)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    return ((u128)a->time_bits << 64 | a->key) < ((u128)b->time_bits << 64 | b->key);
#else
    return (a->time_bits < b->time_bits) | ((a->time_bits == b->time_bits) & (a->key < b->key));
#endif
}

/* mask ? x : y for a mask of all ones or all zeros, without a jump. */
static inline uint64_t pick(uint64_t mask, uint64_t x, uint64_t y)
{
    return y ^ ((x ^ y) & mask);
}

/* All ones if (at, ak) < (bt, bk), else zero. */
static inline uint64_t less_mask(uint64_t at, uint64_t ak, uint64_t bt, uint64_t bk)
{
    struct entry a = {at, ak}, b = {bt, bk};
    return -(uint64_t)less(&a, &b);
}

/* Byte offset of the smallest of the four children starting at byte offset
 * c. The choice uses masks, not jumps: which of four is smallest is a coin
 * toss that a predictor would miss half the time. The two winners of the
 * first round are read again from the line just loaded, which takes fewer
 * instructions than selecting their values. */
static inline size_t min_child(const char *base, size_t c)
{
    const struct entry *p = (const struct entry *)(base + c);
    uint64_t m01 = less_mask(p[1].time_bits, p[1].key, p[0].time_bits, p[0].key);
    uint64_t m23 = less_mask(p[3].time_bits, p[3].key, p[2].time_bits, p[2].key);
    size_t a = c + (m01 & sizeof *p), b = c + 2 * sizeof *p + (m23 & sizeof *p);
    const struct entry *pa = (const struct entry *)(base + a), *pb = (const struct entry *)(base + b);
    return pick(less_mask(pb->time_bits, pb->key, pa->time_bits, pa->key), b, a);
}

/* Asks for `lines` cache lines from byte offset `from`. A hint only: the
 * last lines may lie past the array, which a prefetch ignores, and the
 * address is computed as an integer so that no out-of-bounds pointer is
 * ever formed. Without a compiler prefetch builtin, nothing happens. */
PREFETCH_HELPER void prefetch_lines(const char *base, size_t from, size_t lines)
{
#if defined(__GNUC__) || defined(__clang__)
    uintptr_t at = (uintptr_t)base + from;
    for (size_t k = 0; k < lines; k++)
        __builtin_prefetch((const void *)(at + LINE * k));
#else
    (void)base, (void)from, (void)lines;
#endif
}

/* Before a step down from the node whose children start at byte offset c:
 * the sixteen grandchildren are four consecutive cache lines, so fetch them
 * while the children are compared, unless they lie in the first NEAR
 * bytes, which stay cached anyway. Deep in a large heap, where memory is
 * far, fetch the sixty-four great-grandchildren instead, two levels ahead. */
PREFETCH_HELPER void prefetch_below(const char *base, size_t c, size_t stop)
{
    size_t g = 4 * c - 8 * sizeof(struct entry);
    if (g >= NEAR && g < stop) {
        size_t gg = 4 * g - 8 * sizeof(struct entry);
        if (gg >= FAR && gg < stop)
            prefetch_lines(base, gg, 16);
        else
            prefetch_lines(base, g, 4);
    }
}

/* Floyd's bottom-up deletion, first half: the root is empty, and the hole
 * walks down to a leaf, each time filled by its smallest child. The last
 * entry, which the caller then lets rise from the leaf, nearly always
 * belongs near the bottom, so this saves comparing it at every level.
 * Offsets are in bytes, where the first child of o is 4 * o - 128. */
static size_t sift_hole_to_leaf(struct entry *h, size_t end)
{
    char *base = (char *)h;
    size_t hole = ROOT * sizeof *h, stop = end * sizeof *h;
    for (size_t c; (c = 4 * hole - 8 * sizeof *h) < stop;) {
        prefetch_below(base, c, stop);
        size_t w = min_child(base, c);
        *(struct entry *)(base + hole) = *(const struct entry *)(base + w);
        hole = w;
    }
    return hole / sizeof *h;
}

/* Puts e into the hole at index `hole`, moving it up past larger parents. */
static inline void sift_up(struct entry *h, size_t hole, struct entry e)
{
    while (hole > ROOT) {
        size_t p = PARENT(hole);
        if (!less(&e, &h[p]))
            break;
        h[hole] = h[p];
        hole = p;
    }
    h[hole] = e;
}

/* The classic top-down sift: e goes into the hole at the root and sinks
 * while a child is smaller. Unlike a pop's bottom-up walk, it stops at
 * once for an item due as early as the root it replaces, which is common
 * when a handler schedules for now. */
PREFETCH_HELPER void sift_down_body(struct entry *h, size_t end, struct entry e, bool far)
{
    char *base = (char *)h;
    size_t hole = ROOT * sizeof *h, stop = end * sizeof *h;
    for (size_t c; (c = 4 * hole - 8 * sizeof *h) < stop;) {
        if (far)
            prefetch_below(base, c, stop);
        size_t w = min_child(base, c);
        const struct entry *child = (const struct entry *)(base + w);
        if (!less(child, &e))
            break;
        *(struct entry *)(base + hole) = *child;
        hole = w;
    }
    *(struct entry *)(base + hole) = e;
}

/* A heap of at most NEAR bytes prefetches nothing (prefetch_below), so
 * its sift skips the test at every level: it is most of what a simulation
 * with a thousand pending events does. */
static void sift_down_from_root(struct entry *h, size_t end, struct entry e)
{
    if (end * sizeof *h <= NEAR)
        sift_down_body(h, end, e, false);
    else
        sift_down_body(h, end, e, true);
}

/* The next pop will most likely read the root's payload, at a random
 * place in what may be a large pool: start fetching it now. */
PREFETCH_HELPER void prefetch_root_payload(const struct evq *q)
{
    prefetch_lines((const char *)q->pay, (q->heap[ROOT].key & SLOT_MASK) * sizeof *q->pay, 1);
}

/* Entries to allocate for cap items: the root offset, and room for the last
 * node's whole sibling group, rounded up to whole cache lines. */
static size_t heap_len(size_t cap)
{
    size_t len = ROOT + cap + 3;
    return (len + 3) / 4 * 4;
}

static struct entry *heap_alloc(size_t cap)
{
    size_t len = heap_len(cap);
    struct entry *h = aligned_alloc(LINE, len * sizeof *h);
    if (h)
        for (size_t i = 0; i < len; i++)
            h[i] = SENTINEL;
    return h;
}

struct evq *evq_create(size_t capacity)
{
    if (capacity < 1)
        capacity = 1;
    if (capacity > MAX_CAP)
        return NULL;
    struct evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->cap = capacity;
    q->heap = heap_alloc(capacity);
    q->pay = malloc(capacity * sizeof *q->pay);
    q->free_slots = malloc(capacity * sizeof *q->free_slots);
    if (!q->heap || !q->pay || !q->free_slots)
        goto fail;
    /* Lowest slots on top, so a small queue touches a small part of the pool. */
    for (size_t i = 0; i < capacity; i++)
        q->free_slots[i] = (uint32_t)(capacity - 1 - i);
    return q;
fail:
    evq_destroy(q);
    return NULL;
}

void evq_destroy(struct evq *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q->pay);
    free(q->free_slots);
    free(q->ext_sorted);
    free(q);
}

/* Doubles the capacity. Called only when full, so every free slot is new.
 * On failure the queue is as it was. */
static enum rm_status grow(struct evq *q)
{
    if (q->cap >= MAX_CAP)
        return RM_ENOMEM;
    size_t cap = q->cap <= MAX_CAP / 2 ? 2 * q->cap : MAX_CAP;
    /* realloc does not keep the alignment, so the heap is copied by hand. */
    struct entry *h = heap_alloc(cap);
    if (!h)
        return RM_ENOMEM;
    struct payload *pay = realloc(q->pay, cap * sizeof *pay);
    if (!pay) {
        free(h);
        return RM_ENOMEM;
    }
    q->pay = pay;
    uint32_t *fs = realloc(q->free_slots, cap * sizeof *fs);
    if (!fs) {
        free(h);
        return RM_ENOMEM;  /* the larger pay array is harmless */
    }
    q->free_slots = fs;
    memcpy(h + ROOT, q->heap + ROOT, q->n * sizeof *h);
    free(q->heap);
    q->heap = h;
    for (size_t i = 0; i < cap - q->cap; i++)
        fs[i] = (uint32_t)(cap - 1 - i);
    q->cap = cap;
    return RM_OK;
}

enum rm_status evq_push(struct evq *q, double time_h, evq_fn *fn, void *arg)
{
    assert(!isnan(time_h));
    if (q->n == q->cap && grow(q) != RM_OK)
        return RM_ENOMEM;
    if (q->next_seq == SEQ_LIMIT)
        evq_renumber(q);
    uint32_t slot = q->free_slots[q->cap - q->n - 1];
    q->pay[slot] = (struct payload){fn, arg};
    struct entry e = {to_bits(time_h), q->next_seq++ << SLOT_BITS | slot};
    sift_up(q->heap, ROOT + q->n++, e);
    return RM_OK;
}

bool evq_pop(struct evq *q, struct evq_item *out)
{
    if (q->n == 0)
        return false;
    struct entry *h = q->heap;
    struct entry top = h[ROOT];
    uint32_t slot = (uint32_t)(top.key & SLOT_MASK);
    out->time_h = from_bits(top.time_bits);
    out->seq = top.key >> SLOT_BITS;
    out->fn = q->pay[slot].fn;
    out->arg = q->pay[slot].arg;
    size_t end = ROOT + --q->n;
    q->free_slots[q->cap - q->n - 1] = slot;
    struct entry last = h[end];
    h[end] = SENTINEL;
    if (end == ROOT)
        return true;
    sift_up(h, sift_hole_to_leaf(h, end), last);
    prefetch_root_payload(q);
    return true;
}

bool evq_peek(const struct evq *q, struct evq_item *out)
{
    if (q->n == 0)
        return false;
    struct entry top = q->heap[ROOT];
    uint32_t slot = (uint32_t)(top.key & SLOT_MASK);
    out->time_h = from_bits(top.time_bits);
    out->seq = top.key >> SLOT_BITS;
    out->fn = q->pay[slot].fn;
    out->arg = q->pay[slot].arg;
    return true;
}

void evq_replace_top(struct evq *q, double time_h, evq_fn *fn, void *arg)
{
    assert(q->n > 0 && !isnan(time_h));
    if (q->next_seq == SEQ_LIMIT)
        evq_renumber(q);
    /* The new item takes over the old root's slot. */
    uint32_t slot = (uint32_t)(q->heap[ROOT].key & SLOT_MASK);
    q->pay[slot] = (struct payload){fn, arg};
    struct entry e = {to_bits(time_h), q->next_seq++ << SLOT_BITS | slot};
    sift_down_from_root(q->heap, ROOT + q->n, e);
    prefetch_root_payload(q);
}

double evq_peek_time(const struct evq *q)
{
    return from_bits(q->heap[ROOT].time_bits);  /* the sentinel's +INFINITY when empty */
}

size_t evq_size(const struct evq *q)
{
    return q->n;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const struct entry *)a)->key, y = ((const struct entry *)b)->key;
    return (x > y) - (x < y);
}

static int by_time_key(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return less(y, x) - less(x, y);
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* How many of the heap's n items, sorted by key, have a seq below s. */
static size_t heap_below(const struct entry *h, size_t n, uint64_t s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].key >> SLOT_BITS < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How many of the m ascending values v[] are below x. */
static size_t values_below(const uint64_t *v, size_t m, uint64_t x)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void evq_renumber(struct evq *q)
{
    /* In place: sort by seq, and the outside seqs into their scratch
     * array; an item's new seq is the number of items of either kind
     * before it. Then sort by (time, seq); a sorted array is a valid heap.
     * O(n log n) once per 2^32 pushes. */
    struct entry *h = q->heap + ROOT;
    qsort(h, q->n, sizeof *h, by_key);
    size_t m = 0;
    for (size_t i = 0; i < q->n_ext; i++)
        if (q->ext[i] != EVQ_NO_SEQ)
            q->ext_sorted[m++] = q->ext[i];
    if (m)
        qsort(q->ext_sorted, m, sizeof *q->ext_sorted, by_u64);
    for (size_t i = 0; i < q->n_ext; i++)  /* before the heap's keys change */
        if (q->ext[i] != EVQ_NO_SEQ)
            q->ext[i] = values_below(q->ext_sorted, m, q->ext[i]) + heap_below(h, q->n, q->ext[i]);
    for (size_t i = 0, j = 0; i < q->n; i++) {
        uint64_t seq = h[i].key >> SLOT_BITS;
        while (j < m && q->ext_sorted[j] < seq)
            j++;
        h[i].key = (uint64_t)(i + j) << SLOT_BITS | (h[i].key & SLOT_MASK);
    }
    qsort(h, q->n, sizeof *h, by_time_key);
    q->next_seq = q->n + m;
}

uint64_t evq_take_seq(struct evq *q)
{
    if (q->next_seq == SEQ_LIMIT)
        evq_renumber(q);
    return q->next_seq++;
}

enum rm_status evq_share_seqs(struct evq *q, uint64_t *seqs, size_t n)
{
    uint64_t *sorted = realloc(q->ext_sorted, (n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return RM_ENOMEM;
    q->ext_sorted = sorted;
    q->ext = seqs;
    q->n_ext = n;
    return RM_OK;
}
