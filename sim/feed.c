/* feed: arrival streams drawn ahead in windows of time and sorted once per
 * window. A window [start, end) holds every arrival of every stream that
 * falls in it; each stream's first arrival at or after `end` waits as its
 * `parked` time for the next window. A window is sorted by a counting sort
 * on its time buckets (monotone in time, so bucket order is time order)
 * and an insertion sort inside each bucket, both stable: a stream's own
 * arrivals keep their order even at equal times. The window's span adapts
 * so that it holds about TARGET arrivals, and a refill is rare enough to
 * cost little per arrival. A window never draws more than about CAP: when
 * rates jump after a quiet spell (a long span), the window ends early, at
 * the stream it had got to, and what earlier streams drew past that end
 * waits in the window for the next one. Memory stays bounded whatever the
 * rates.
 *
 * Exact ties between streams are settled when they come up, by the
 * streams' seqs (which the engine sets as it would when scheduling): by
 * then every arrival of the tie has its predecessor taken, so its seq is
 * known. Ties with the engine's other events are the engine's to settle. */
#include "railmail/feed.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TARGET 4096   /* arrivals a window aims at */
#define CAP (4 * TARGET)  /* new arrivals a window may draw, however the rates jump */
/* Refilling is once per window: kept out of feed_peek's short path. */
#if defined(__GNUC__) || defined(__clang__)
#define COLD __attribute__((noinline, cold))
#else
#define COLD
#endif
#define FIRST_SPAN_H 1.0

struct arrival {
    double time_h;
    uint32_t stream;
};

struct stream {
    feed_next_fn *next;
    void *arg;
    double parked;        /* its first arrival at or after the window's end */
    uint32_t in_window;   /* its arrivals in the window not yet taken */
};

struct feed {
    struct stream *s;
    uint64_t *seq;                  /* [n]: see feed_seqs */
    size_t n, cap, pending;
    struct arrival *win, *tmp;      /* the window, and the sort's scratch */
    size_t len, pos, win_cap;
    size_t valid;                   /* win[valid ..] lie at or past `end`: kept for the next */
    uint32_t *count;                /* [win_cap + 1]: the sort's buckets */
    uint32_t *key;                  /* [win_cap]: each arrival's bucket */
    double end, span;
};

struct feed *feed_create(void)
{
    struct feed *f = calloc(1, sizeof *f);
    if (f) {
        f->span = FIRST_SPAN_H;
        f->end = -INFINITY;
    }
    return f;
}

void feed_destroy(struct feed *f)
{
    if (!f)
        return;
    free(f->s);
    free(f->seq);
    free(f->win);
    free(f->tmp);
    free(f->count);
    free(f->key);
    free(f);
}

static bool reserve(struct feed *f, size_t len);

/* Puts stream i's parked arrival into the window, after the arrivals of
 * its time or earlier, and draws the stream on to the window's end. */
static bool join_window(struct feed *f, uint32_t i)
{
    struct stream *s = &f->s[i];
    while (s->parked < f->end) {
        if (!reserve(f, f->len + 1))
            return false;
        size_t at = f->len;
        while (at > f->pos && f->win[at - 1].time_h > s->parked)
            at--;
        memmove(&f->win[at + 1], &f->win[at], (f->len - at) * sizeof f->win[0]);
        f->win[at] = (struct arrival){ s->parked, i };
        f->len++;
        f->valid++;  /* before `end`, so before what waits past it */
        s->in_window++;
        s->parked = s->next(s->arg, s->parked);
    }
    return true;
}

enum rm_status feed_add(struct feed *f, double first_h, feed_next_fn *next, void *arg, size_t *id)
{
    assert(!isnan(first_h) && next);
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        if (cap > UINT32_MAX)
            return RM_ENOMEM;
        struct stream *s = realloc(f->s, cap * sizeof *s);
        if (!s)
            return RM_ENOMEM;
        f->s = s;
        uint64_t *seq = realloc(f->seq, cap * sizeof *seq);
        if (!seq)
            return RM_ENOMEM;
        f->seq = seq;
        f->cap = cap;
    }
    f->s[f->n] = (struct stream){ next, arg, first_h, 0 };
    f->seq[f->n] = FEED_NO_SEQ;
    /* A first arrival inside the window already drawn joins it. */
    if (first_h < f->end && !join_window(f, (uint32_t)f->n))
        return RM_ENOMEM;
    f->pending += isfinite(first_h);
    *id = f->n++;
    return RM_OK;
}

uint64_t *feed_seqs(struct feed *f)
{
    return f->seq;
}

size_t feed_streams(const struct feed *f)
{
    return f->n;
}

size_t feed_pending(const struct feed *f)
{
    return f->pending;
}

static bool reserve(struct feed *f, size_t len)
{
    if (len <= f->win_cap)
        return true;
    size_t cap = f->win_cap ? f->win_cap : 2 * TARGET;
    while (cap < len)
        cap *= 2;
    struct arrival *win = realloc(f->win, cap * sizeof *win);
    if (win)
        f->win = win;
    struct arrival *tmp = realloc(f->tmp, cap * sizeof *tmp);
    if (tmp)
        f->tmp = tmp;
    uint32_t *count = realloc(f->count, (cap + 1) * sizeof *count);
    if (count)
        f->count = count;
    uint32_t *key = realloc(f->key, cap * sizeof *key);
    if (key)
        f->key = key;
    if (!win || !tmp || !count || !key)
        return false;
    f->win_cap = cap;
    return true;
}

/* The bucket of time t >= start: monotone in t (rounding keeps order). A
 * 32-bit conversion: a 64-bit unsigned one needs a range test on x86. */
static inline uint32_t bucket(double t, double start, double per, size_t nb)
{
    double b = (t - start) * per;
    return b < (double)nb ? (uint32_t)b : (uint32_t)(nb - 1);
}

/* Sorts the window [0, len) by time, stably: buckets of equal span from
 * `start`, then an insertion sort inside each (about one arrival each). */
static void sort_window(struct feed *f, double start, double hi)
{
    size_t len = f->len, nb = len;
    /* buckets over the times drawn, which may end well short of the span */
    double per = hi > start ? (double)nb / (hi - start) : 0;
    uint32_t *count = f->count, *key = f->key;
    memset(count, 0, (nb + 1) * sizeof *count);
    for (size_t i = 0; i < len; i++)
        count[(key[i] = bucket(f->win[i].time_h, start, per, nb)) + 1]++;
    for (size_t k = 0; k < nb; k++)
        count[k + 1] += count[k];
    for (size_t i = 0; i < len; i++)
        f->tmp[count[key[i]]++] = f->win[i];
    /* buckets in order, each about one arrival: a short insertion sort */
    for (size_t i = 1; i < len; i++) {
        struct arrival a = f->tmp[i];
        size_t j = i;
        while (j > 0 && f->tmp[j - 1].time_h > a.time_h)
            j--;
        if (j != i) {
            memmove(&f->tmp[j + 1], &f->tmp[j], (i - j) * sizeof a);
            f->tmp[j] = a;
        }
    }
    struct arrival *t = f->win;
    f->win = f->tmp;
    f->tmp = t;
}

/* How many of the window's arrivals, sorted, lie before t. */
static size_t before(const struct feed *f, double t)
{
    size_t lo = 0, hi = f->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->win[mid].time_h < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Draws the next window: from the earliest arrival not taken (one that
 * waited past the last window's end, or a parked one), a span ahead, or
 * less once CAP new arrivals are drawn. False when no stream has an
 * arrival left (or memory ran out). */
COLD static bool refill(struct feed *f, enum rm_status *status)
{
    size_t carry = f->len - f->pos;
    if (carry)
        memmove(f->win, f->win + f->pos, carry * sizeof *f->win);
    f->len = carry;
    f->pos = f->valid = 0;
    double start = carry ? f->win[0].time_h : INFINITY;
    double hi = carry ? f->win[carry - 1].time_h : -INFINITY;  /* the latest: carried ones are sorted */
    for (size_t i = 0; i < f->n; i++)
        if (f->s[i].parked < start)
            start = f->s[i].parked;
    if (!(start < INFINITY))
        return false;
    double end = start + f->span;
    if (!(end > start))
        end = nextafter(start, INFINITY);
    size_t drawn = 0;
    for (size_t i = 0; i < f->n; i++) {
        struct stream *s = &f->s[i];
        while (s->parked < end) {
            if (f->len == f->win_cap && !reserve(f, f->len + 1)) {
                *status = RM_ENOMEM;
                f->len = 0;
                return false;
            }
            f->win[f->len++] = (struct arrival){ s->parked, (uint32_t)i };
            if (s->parked > hi)
                hi = s->parked;
            s->in_window++;
            double next = s->next(s->arg, s->parked);
            assert(next >= s->parked && "feed: a stream went back in time");
            s->parked = next;
            /* enough: the window ends where this stream has got to (every
             * stream is then drawn up to the end, none past its parked) */
            if (++drawn >= CAP && next > start && next < end)
                end = next;
        }
    }
    sort_window(f, start, hi);
    f->end = end;
    f->valid = before(f, end);
    if (drawn > 2 * TARGET)
        f->span /= 2;
    else if (drawn < TARGET / 2)
        f->span *= 2;
    return true;
}

/* Arrivals at exactly the time of the next one: the one whose stream's
 * seq is lowest goes first, among each stream's first in the run (a
 * stream's own arrivals keep their order). The rest keep theirs. */
COLD static void settle_tie(struct feed *f)
{
    size_t end = f->pos + 1, best = f->pos;
    double t = f->win[f->pos].time_h;
    while (end < f->valid && f->win[end].time_h == t)
        end++;
    for (size_t i = f->pos + 1; i < end; i++) {
        uint32_t s = f->win[i].stream;
        bool first = true;
        for (size_t j = f->pos; j < i && first; j++)
            first = f->win[j].stream != s;
        if (first && f->seq[s] < f->seq[f->win[best].stream])
            best = i;
    }
    if (best != f->pos) {
        struct arrival a = f->win[best];
        memmove(&f->win[f->pos + 1], &f->win[f->pos], (best - f->pos) * sizeof a);
        f->win[f->pos] = a;
    }
}

bool feed_peek(struct feed *f, double *time_h, size_t *stream, enum rm_status *status)
{
    *status = RM_OK;
    if (f->pending == 0 || (f->pos == f->valid && !refill(f, status)))
        return false;
    if (f->pos + 1 < f->valid && f->win[f->pos + 1].time_h == f->win[f->pos].time_h)
        settle_tie(f);
    *time_h = f->win[f->pos].time_h;
    *stream = f->win[f->pos].stream;
    return true;
}

bool feed_take(struct feed *f)
{
    assert(f->pos < f->valid);
    struct stream *s = &f->s[f->win[f->pos++].stream];
    s->in_window--;
    bool more = s->in_window > 0 || isfinite(s->parked);
    f->pending -= !more;
    return more;
}
