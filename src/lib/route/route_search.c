/* SPDX-License-Identifier: MIT
 *
 * route_search.c -- the least-cost path search on a friction grid: Dijkstra
 * with a monotone bucket queue (Dial's buckets of width = the smallest step
 * cost, or, when costs span too wide a range, a small binary heap for the
 * current bucket), compact per-cell state (float distance + one byte holding
 * the direction back and two flags) and huge-page-backed buffers. It knows
 * nothing of risk maps, files or coordinates: route_risk.c builds the grid.
 * With two threads allowed, the search runs from both ends at once (one
 * thread each) and meets in the middle.
 */
#include "core/dm_internal.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)
#define ST_SETTLED 0x10u
#define ST_DIR 0x07u
#define MAX_BUCKETS (1u << 16)

/* A cell: its friction and, during a search, its distance from the start.
 * Side by side, the 3 x 3 neighbourhood of a cell spans 3 cache lines (or 6
 * when it straddles one) instead of 6 (or 12) with separate arrays. */
typedef struct cellv {
    float f, d;
} cellv;

struct dm_route_grid {
    dm_ctx *ctx;
    size_t w, h, pw; /* pw = w + 2: one impassable cell around the grid */
    double cell;
    cellv *c;
    size_t c_bytes;
};

/* ============================ big buffers ============================ */

/* Anonymous memory aligned to 2 MiB and advised for transparent huge pages:
 * page faults are expensive in VMs, and a 1e8-cell search touches ~1 GB.
 * The memory comes zeroed. */
static void *big_alloc(size_t bytes, size_t *mapped)
{
    size_t len = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    size_t over = len + HUGE_PAGE;
    char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    size_t head = a - (uintptr_t)p, tail = over - head - len;
    if (head)
        munmap(p, head);
    if (tail)
        munmap((char *)a + len, tail);
#ifdef MADV_HUGEPAGE
    madvise((void *)a, len, MADV_HUGEPAGE);
#endif
    *mapped = len;
    return (void *)a;
}

static void big_free(void *p, size_t mapped)
{
    if (p)
        munmap(p, mapped);
}

/* ============================ the grid ============================ */

dm_status dm_route_grid_new(dm_ctx *ctx, size_t w, size_t h, double cell, dm_route_grid **out)
{
    *out = NULL;
    if (w == 0 || h == 0 || !(cell > 0) || !isfinite(cell))
        return dm__fail(ctx, DM_EINVAL, "route grid: bad size %zu x %zu or cell %g", w, h, cell);
    if ((w + 2) > UINT32_MAX / (h + 2))
        return dm__fail(ctx, DM_EINVAL,
                        "route grid: %zu x %zu cells is too many for one search (at most ~4e9);"
                        " narrow the search window",
                        w, h);
    dm_route_grid *g = dm_calloc(ctx, 1, sizeof *g);
    if (!g)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    g->ctx = ctx;
    g->w = w;
    g->h = h;
    g->pw = w + 2;
    g->cell = cell;
    g->c = big_alloc((w + 2) * (h + 2) * sizeof(cellv), &g->c_bytes);
    if (!g->c) {
        dm_free(ctx, g);
        return dm__fail(ctx, DM_ENOMEM, "route grid: cannot map %zu x %zu cells", w, h);
    }
    /* the border: impassable */
    for (size_t c = 0; c < g->pw; c++) {
        g->c[c].f = INFINITY;
        g->c[(h + 1) * g->pw + c].f = INFINITY;
    }
    for (size_t r = 1; r <= h; r++) {
        g->c[r * g->pw].f = INFINITY;
        g->c[r * g->pw + w + 1].f = INFINITY;
    }
    *out = g;
    return DM_OK;
}

void dm_route_grid_free(dm_route_grid *g)
{
    if (!g)
        return;
    big_free(g->c, g->c_bytes);
    dm_free(g->ctx, g);
}

void dm_route_grid_set_row(dm_route_grid *g, size_t r, const float *f)
{
    cellv *row = g->c + (r + 1) * g->pw + 1;
    for (size_t c = 0; c < g->w; c++)
        row[c].f = f[c];
}

void dm_route_grid_set(dm_route_grid *g, size_t c, size_t r, float f)
{
    g->c[(r + 1) * g->pw + c + 1].f = f;
}

float dm_route_grid_get(const dm_route_grid *g, size_t c, size_t r)
{
    return g->c[(r + 1) * g->pw + c + 1].f;
}

void dm_route_path_free(dm_ctx *ctx, dm_route_path *p)
{
    if (!p)
        return;
    dm_free(ctx, p->col);
    dm_free(ctx, p->row);
    dm_free(ctx, p);
}

/* ============================ the queue ============================ */

/* Queue memory is scratch, freed before the search returns, and grown from
 * two threads: plain malloc rather than the context's allocator. */
typedef struct bucket {
    uint32_t *v;
    uint32_t n, cap;
} bucket;

typedef struct hitem {
    float d;
    uint32_t i;
} hitem;

typedef struct queue {
    bucket *b;
    uint64_t *bits; /* non-empty buckets */
    uint32_t nb, mask;
    uint64_t count; /* entries in buckets */
    size_t bytes, peak;
    hitem *heap; /* the current bucket, in heap mode */
    size_t hn, hcap;
} queue;

static void grow_bytes(queue *q, size_t add)
{
    q->bytes += add;
    if (q->bytes > q->peak)
        q->peak = q->bytes;
}

static inline int bucket_push(queue *q, uint32_t k, uint32_t cell)
{
    bucket *b = &q->b[k];
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 256;
        uint32_t *v = realloc(b->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        grow_bytes(q, (size_t)(cap - b->cap) * sizeof *v);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = cell;
    q->bits[k >> 6] |= (uint64_t)1 << (k & 63);
    q->count++;
    return 0;
}

static int heap_push(queue *q, float d, uint32_t i)
{
    if (q->hn == q->hcap) {
        size_t cap = q->hcap ? q->hcap * 2 : 1024;
        hitem *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        grow_bytes(q, (cap - q->hcap) * sizeof *h);
        q->heap = h;
        q->hcap = cap;
    }
    size_t k = q->hn++;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (q->heap[p].d <= d)
            break;
        q->heap[k] = q->heap[p];
        k = p;
    }
    q->heap[k].d = d;
    q->heap[k].i = i;
    return 0;
}

static hitem heap_pop(queue *q)
{
    hitem top = q->heap[0], last = q->heap[--q->hn];
    size_t k = 0, n = q->hn;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= n)
            break;
        if (c + 1 < n && q->heap[c + 1].d < q->heap[c].d)
            c++;
        if (last.d <= q->heap[c].d)
            break;
        q->heap[k] = q->heap[c];
        k = c;
    }
    if (n)
        q->heap[k] = last;
    return top;
}

/* The next non-empty bucket at or after `from` (circularly); the queue must
 * not be empty. */
static uint32_t next_bucket(const queue *q, uint32_t from)
{
    uint32_t words = q->nb > 64 ? q->nb / 64 : 1;
    uint32_t w = from >> 6;
    uint64_t m = q->bits[w] & (~(uint64_t)0 << (from & 63));
    for (uint32_t n = 0; n <= words; n++) {
        if (m)
            return (w << 6) + (uint32_t)__builtin_ctzll(m);
        w = (w + 1) % words;
        m = q->bits[w];
    }
    return from; /* not reached while count > 0 */
}

static int queue_init(queue *q, uint32_t nb)
{
    memset(q, 0, sizeof *q);
    q->nb = nb;
    q->mask = nb - 1;
    q->b = calloc(nb, sizeof *q->b);
    q->bits = calloc(nb > 64 ? nb / 64 : 1, sizeof *q->bits);
    q->bytes = q->peak = nb * sizeof *q->b;
    return q->b && q->bits ? 0 : -1;
}

static void queue_free(queue *q)
{
    for (uint32_t k = 0; q->b && k < q->nb; k++)
        free(q->b[k].v);
    free(q->b);
    free(q->bits);
    free(q->heap);
}

/* ============================ one search front ============================ */

/* Floats shared between the two fronts are read and written as relaxed
 * atomics (plain moves on x86): each front reads the other's distances to
 * find where they meet. Non-negative floats order like their bit patterns. */
static inline float load_f(const float *p)
{
    float v;
    __atomic_load(p, &v, __ATOMIC_RELAXED);
    return v;
}
static inline void store_f(float *p, float v)
{
    __atomic_store(p, &v, __ATOMIC_RELAXED);
}

static void atomic_min_f(_Atomic uint32_t *a, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint32_t cur = atomic_load_explicit(a, memory_order_relaxed);
    while (bits < cur && !atomic_compare_exchange_weak_explicit(a, &cur, bits, memory_order_relaxed,
                                                                memory_order_relaxed))
        ;
}

static float bits_f(uint32_t b)
{
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

typedef struct shared {
    _Atomic uint32_t mu;    /* best meeting distance found so far (float bits) */
    _Atomic uint32_t lb[2]; /* each front's lower bound on what it has not settled */
    _Atomic int stop;       /* set on failure of either front */
} shared;

typedef struct front {
    dm_ctx *ctx;     /* progress only (the thread that owns the context), else NULL */
    const cellv *cv; /* friction */
    float *dist;     /* own distances, dist[i * stride] */
    int stride;
    const float *other; /* the other front's distances (other[i * ostride]) or NULL */
    int ostride;
    uint8_t *st; /* direction back (3 bits) and settled flag */
    size_t pw;
    uint32_t src, target; /* target: the other end; settling it ends the search */
    double delta, inv_delta, cell;
    int heap_mode;
    queue q;
    shared *sh;
    int id;
    uint64_t settled, total;
    float mu; /* local best meeting distance */
    int reached, oom;
} front;

static void publish_lb(front *fr, float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    atomic_store_explicit(&fr->sh->lb[fr->id], b, memory_order_relaxed);
}

/* Dijkstra from fr->src. STRIDE is a constant in each instantiation so that
 * the distance access compiles to a fixed offset. */
static inline __attribute__((always_inline)) void front_run(front *fr, const int stride)
{
    const cellv *cv = fr->cv;
    float *dist = fr->dist;
    uint8_t *st = fr->st;
    queue *q = &fr->q;
    const ptrdiff_t ipw = (ptrdiff_t)fr->pw;
    const ptrdiff_t off[8] = {1, -1, ipw, -ipw, ipw + 1, ipw - 1, -ipw + 1, -ipw - 1};
    const double cell = fr->cell, inv_delta = fr->inv_delta;
    const float hs = (float)(cell / 2), hd = (float)(cell * M_SQRT2 / 2);
    const float half[8] = {hs, hs, hs, hs, hd, hd, hd, hd};
    const int heap_mode = fr->heap_mode;
    const float *other = fr->other;
    const int ostride = fr->ostride;
    uint64_t cur = 0, settled = 0;
    float mu = INFINITY;

    store_f(&dist[(size_t)fr->src * stride], 0);
    if (bucket_push(q, 0, fr->src) < 0)
        goto oom;
    while (q->count > 0 || q->hn > 0) {
        uint32_t slot = next_bucket(q, (uint32_t)(cur & q->mask));
        cur += (slot - (uint32_t)(cur & q->mask)) & q->mask;
        if (other) {
            /* meet in the middle: stop once the two fronts' lower bounds
             * together reach the best meeting found (see docs/route.md) */
            publish_lb(fr, (float)(cur * fr->delta));
            if (mu < INFINITY)
                atomic_min_f(&fr->sh->mu, mu);
            float m = bits_f(atomic_load_explicit(&fr->sh->mu, memory_order_relaxed));
            float l0 = bits_f(atomic_load_explicit(&fr->sh->lb[0], memory_order_relaxed));
            float l1 = bits_f(atomic_load_explicit(&fr->sh->lb[1], memory_order_relaxed));
            if ((double)l0 + (double)l1 >= (double)m ||
                atomic_load_explicit(&fr->sh->stop, memory_order_relaxed))
                break;
        }
        bucket *b = &q->b[slot];
        if (heap_mode) {
            for (uint32_t n = 0; n < b->n; n++) {
                uint32_t i = b->v[n];
                float di = dist[(size_t)i * stride];
                if ((uint64_t)((double)di * inv_delta) == cur && heap_push(q, di, i) < 0)
                    goto oom;
            }
            q->count -= b->n;
            b->n = 0;
        }
        for (;;) {
            uint32_t i;
            if (heap_mode) {
                if (q->hn == 0)
                    break;
                hitem it = heap_pop(q);
                i = it.i;
                if (it.d != dist[(size_t)i * stride] || (st[i] & ST_SETTLED))
                    continue;
            } else {
                if (b->n == 0)
                    break;
                i = b->v[--b->n];
                q->count--;
                /* Fetch the neighbourhoods of the cells popped a few steps
                 * from now: the bucket is in no spatial order, and memory
                 * latency, not arithmetic, bounds the search. */
                if (b->n >= 16) {
                    uint32_t a = b->v[b->n - 16];
                    __builtin_prefetch(&cv[a - ipw - 1]);
                    __builtin_prefetch(&cv[a - ipw + 1]);
                    __builtin_prefetch(&cv[a - 1]);
                    __builtin_prefetch(&cv[a + 1]);
                    __builtin_prefetch(&cv[a + ipw - 1]);
                    __builtin_prefetch(&cv[a + ipw + 1]);
                    if (stride == 1) {
                        __builtin_prefetch(&dist[a - ipw]);
                        __builtin_prefetch(&dist[a]);
                        __builtin_prefetch(&dist[a + ipw]);
                    }
                    __builtin_prefetch(&st[a]);
                }
                /* a duplicate: improved after it was queued, settled since */
                if (st[i] & ST_SETTLED)
                    continue;
            }
            st[i] |= ST_SETTLED;
            settled++;
            if (i == fr->target) {
                /* the other end: this front alone has the answer (with two
                 * fronts, when the other one lags far behind) */
                fr->reached = 1;
                if (other)
                    atomic_store(&fr->sh->stop, 1);
                goto out;
            }
            const float di = dist[(size_t)i * stride], fi = cv[i].f;
            if (other) {
                float o = load_f(&other[(size_t)i * ostride]);
                if (di + o < mu)
                    mu = di + o;
            }
            if (fr->ctx && (settled & 0xFFFFF) == 0)
                dm__progress(fr->ctx, "route search", settled * (other ? 2 : 1), fr->total);
            /* Unreached cells hold +inf, and a settled neighbour never
             * improves (its distance is at most this one plus less than one
             * step): the loop reads only the friction and the distance. */
            for (int k = 0; k < 8; k++) {
                uint32_t j = (uint32_t)((ptrdiff_t)i + off[k]);
                float fj = cv[j].f;
                if (!(fj <= FLT_MAX))
                    continue;
                float nd = di + (fi + fj) * half[k];
                if (!(nd < dist[(size_t)j * stride]))
                    continue;
                store_f(&dist[(size_t)j * stride], nd);
                st[j] = (uint8_t)k; /* j is not settled: see above */
                uint64_t kb = (uint64_t)((double)nd * inv_delta);
                if (kb <= cur) {
                    /* same bucket (heap mode, or a rounding tie in Dial mode) */
                    if (heap_mode ? heap_push(q, nd, j) < 0 : bucket_push(q, slot, j) < 0)
                        goto oom;
                } else if (bucket_push(q, (uint32_t)(kb & q->mask), j) < 0) {
                    goto oom;
                }
            }
        }
        if (b->n == 0)
            q->bits[slot >> 6] &= ~((uint64_t)1 << (slot & 63));
    }
    /* the queue ran dry: everything reachable is settled */
    if (other)
        publish_lb(fr, INFINITY);
    goto out;
oom:
    fr->oom = 1;
    if (fr->sh)
        atomic_store(&fr->sh->stop, 1);
out:
    if (other && mu < INFINITY)
        atomic_min_f(&fr->sh->mu, mu);
    fr->settled = settled;
    fr->mu = mu;
}

static void front_run_interleaved(front *fr)
{
    front_run(fr, 2);
}
static void front_run_packed(front *fr)
{
    front_run(fr, 1);
}

static void *front_thread(void *arg)
{
    front_run_packed(arg);
    return NULL;
}

/* ============================ the search ============================ */

dm_status dm_route_grid_search(dm_ctx *ctx, dm_route_grid *g, size_t c0, size_t r0, size_t c1,
                               size_t r1, dm_route_path **out)
{
    *out = NULL;
    if (c0 >= g->w || r0 >= g->h || c1 >= g->w || r1 >= g->h)
        return dm__fail(ctx, DM_EINVAL, "route: endpoint outside the grid");
    const size_t pw = g->pw, ncell = pw * (g->h + 2);
    const uint32_t src = (uint32_t)((r0 + 1) * pw + c0 + 1);
    const uint32_t dst = (uint32_t)((r1 + 1) * pw + c1 + 1);
    cellv *cv = g->c;
    if (!(cv[src].f > 0 && cv[src].f <= FLT_MAX))
        return dm__fail(ctx, DM_EINVAL, "route: the start lies on an impassable cell");
    if (!(cv[dst].f > 0 && cv[dst].f <= FLT_MAX))
        return dm__fail(ctx, DM_EINVAL, "route: the end lies on an impassable cell");

    /* Range of the step costs, for the bucket width; distances to +inf. */
    float fmin = FLT_MAX, fmax = 0;
    for (size_t k = 0; k < ncell; k++) {
        float v = cv[k].f;
        cv[k].d = INFINITY;
        if (v <= FLT_MAX) { /* finite, not NaN */
            fmin = v < fmin ? v : fmin;
            fmax = v > fmax ? v : fmax;
        }
    }
    if (!(fmin > 0))
        return dm__fail(ctx, DM_EINVAL, "route: friction must be > 0 (found %g)", (double)fmin);
    const double cell = g->cell;
    const double min_step = (double)fmin * cell, max_step = (double)fmax * cell * M_SQRT2 * 1.001;
    double delta = min_step * 0.999;
    int heap_mode = 0;
    uint32_t nb = 64;
    if (max_step / delta + 3 > MAX_BUCKETS) {
        nb = MAX_BUCKETS;
        delta = max_step / (MAX_BUCKETS - 3);
        heap_mode = 1;
    } else {
        while (nb < max_step / delta + 3)
            nb *= 2;
    }
    /* Two fronts when two threads are allowed and the ends differ. */
    int bidir = dm_ctx_threads(ctx) >= 2 && src != dst;

    size_t st_bytes = 0, st2_bytes = 0, db_bytes = 0;
    uint8_t *st = big_alloc(ncell, &st_bytes);
    uint8_t *st2 = bidir ? big_alloc(ncell, &st2_bytes) : NULL;
    float *db = bidir ? big_alloc(ncell * sizeof(float), &db_bytes) : NULL;
    shared sh;
    atomic_init(&sh.mu, 0x7f800000u); /* +inf */
    atomic_init(&sh.lb[0], 0u);
    atomic_init(&sh.lb[1], 0u);
    atomic_init(&sh.stop, 0);
    front fw = {ctx, cv,  &cv[0].d, 2,     bidir ? db : NULL,     1,        st,
                pw,  src, dst,      delta, 1.0 / delta,           cell,     heap_mode,
                {0}, &sh, 0,        0,     (uint64_t)g->w * g->h, INFINITY, 0,
                0};
    front bw = {NULL,
                cv,
                db,
                1,
                &cv[0].d,
                2,
                st2,
                pw,
                dst,
                src,
                delta,
                1.0 / delta,
                cell,
                heap_mode,
                {0},
                &sh,
                1,
                0,
                (uint64_t)g->w * g->h,
                INFINITY,
                0,
                0};
    dm_status rc = DM_OK;
    int qa = queue_init(&fw.q, nb), qb = bidir ? queue_init(&bw.q, nb) : 0;
    if (!st || (bidir && (!st2 || !db)) || qa < 0 || qb < 0) {
        rc = dm__fail(ctx, DM_ENOMEM, "route: out of memory for %zu cells", ncell);
        goto done;
    }
    uint32_t meet = dst;
    if (bidir) {
        for (size_t k = 0; k < ncell; k++)
            db[k] = INFINITY;
        pthread_t th;
        if (pthread_create(&th, NULL, front_thread, &bw) != 0) {
            rc = dm__fail(ctx, DM_ENOMEM, "route: cannot start a search thread");
            goto done;
        }
        front_run_interleaved(&fw);
        pthread_join(th, NULL);
        if (fw.oom || bw.oom)
            goto oom;
        /* The meeting cell: least sum of the two distances (the stopping
         * rule guarantees a shortest path passes through a cell settled by
         * one front and reached with its final distance by the other). */
        double best = INFINITY;
        for (size_t k = 0; k < ncell; k++) {
            float a = cv[k].d, b = db[k];
            if (a < INFINITY && b < INFINITY && (double)a + b < best) {
                best = (double)a + b;
                meet = (uint32_t)k;
            }
        }
        fw.reached = best < INFINITY;
    } else {
        front_run_interleaved(&fw);
        if (fw.oom)
            goto oom;
    }
    uint64_t settled = fw.settled + bw.settled;
    if (!fw.reached) {
        rc = dm__fail(ctx, DM_ENOTFOUND,
                      "route: no path: the end cannot be reached without crossing impassable"
                      " cells");
        goto done;
    }
    dm__progress(ctx, "route search", fw.total, fw.total);
    {
        const ptrdiff_t ipw = (ptrdiff_t)pw;
        const ptrdiff_t off[8] = {1, -1, ipw, -ipw, ipw + 1, ipw - 1, -ipw + 1, -ipw - 1};
        size_t n1 = 1, n2 = 0; /* cells from src to meet, after meet to dst */
        for (uint32_t i = meet; i != src; i = (uint32_t)((ptrdiff_t)i - off[st[i] & ST_DIR]))
            n1++;
        if (bidir)
            for (uint32_t i = meet; i != dst; i = (uint32_t)((ptrdiff_t)i - off[st2[i] & ST_DIR]))
                n2++;
        size_t n = n1 + n2;
        dm_route_path *p = dm_calloc(ctx, 1, sizeof *p);
        if (!p)
            goto oom;
        p->col = dm_malloc(ctx, n * sizeof *p->col);
        p->row = dm_malloc(ctx, n * sizeof *p->row);
        if (!p->col || !p->row) {
            dm_route_path_free(ctx, p);
            goto oom;
        }
        p->n = n;
        uint32_t i = meet;
        for (size_t k = n1; k-- > 0;) {
            p->col[k] = (uint32_t)(i % pw - 1);
            p->row[k] = (uint32_t)(i / pw - 1);
            if (k)
                i = (uint32_t)((ptrdiff_t)i - off[st[i] & ST_DIR]);
        }
        i = meet;
        for (size_t k = n1; k < n; k++) {
            i = (uint32_t)((ptrdiff_t)i - off[st2[i] & ST_DIR]);
            p->col[k] = (uint32_t)(i % pw - 1);
            p->row[k] = (uint32_t)(i / pw - 1);
        }
        /* the cost, summed again in double along the path */
        double cost = 0;
        for (size_t k = 1; k < n; k++) {
            size_t a = (p->row[k - 1] + 1) * pw + p->col[k - 1] + 1;
            size_t b = (p->row[k] + 1) * pw + p->col[k] + 1;
            int diag = p->col[k] != p->col[k - 1] && p->row[k] != p->row[k - 1];
            cost += ((double)cv[a].f + (double)cv[b].f) * (diag ? cell * M_SQRT2 / 2 : cell / 2);
        }
        p->cost = cost;
        p->settled = settled;
        p->mem_bytes = g->c_bytes + st_bytes + st2_bytes + db_bytes + fw.q.peak + bw.q.peak;
        *out = p;
    }
    goto done;
oom:
    rc = dm__fail(ctx, DM_ENOMEM, "route: out of memory for the search queue");
done:
    queue_free(&fw.q);
    queue_free(&bw.q);
    big_free(st, st_bytes);
    big_free(st2, st2_bytes);
    big_free(db, db_bytes);
    return rc;
}
