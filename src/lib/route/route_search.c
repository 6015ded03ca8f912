/* SPDX-License-Identifier: MIT
 *
 * route_search.c -- the least-cost path search on a friction grid: Dijkstra
 * with a monotone bucket queue (Dial's buckets of width = the smallest step
 * cost, or, when costs span too wide a range, a small binary heap for the
 * current bucket), compact per-cell state (float distance + one byte holding
 * the direction back and two flags) and huge-page-backed buffers. It knows
 * nothing of risk maps, files or coordinates: route_risk.c builds the grid.
 */
#include "core/dm_internal.h"

#include <float.h>
#include <math.h>
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

typedef struct bucket {
    uint32_t *v;
    uint32_t n, cap;
} bucket;

typedef struct hitem {
    float d;
    uint32_t i;
} hitem;

typedef struct queue {
    dm_ctx *ctx;
    bucket *b;
    uint64_t *bits; /* non-empty buckets */
    uint32_t nb, mask;
    uint64_t count; /* entries in buckets */
    size_t bytes, peak;
    hitem *heap; /* the current bucket, in heap mode */
    size_t hn, hcap;
} queue;

static int bucket_push(queue *q, uint32_t k, uint32_t cell)
{
    bucket *b = &q->b[k];
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 256;
        uint32_t *v = dm_realloc(q->ctx, b->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        q->bytes += (size_t)(cap - b->cap) * sizeof *v;
        if (q->bytes > q->peak)
            q->peak = q->bytes;
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
        hitem *h = dm_realloc(q->ctx, q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->bytes += (cap - q->hcap) * sizeof *h;
        if (q->bytes > q->peak)
            q->peak = q->bytes;
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

    /* Range of the step costs, for the bucket width. */
    float fmin = FLT_MAX, fmax = 0;
    for (size_t r = 1; r <= g->h; r++) {
        const cellv *row = cv + r * pw + 1;
        for (size_t c = 0; c < g->w; c++) {
            float v = row[c].f;
            if (v <= FLT_MAX) { /* finite, not NaN */
                fmin = v < fmin ? v : fmin;
                fmax = v > fmax ? v : fmax;
            }
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
    const double inv_delta = 1.0 / delta;

    size_t st_bytes = 0;
    uint8_t *st = big_alloc(ncell, &st_bytes);
    queue q = {ctx, NULL, NULL, nb, nb - 1, 0, 0, 0, NULL, 0, 0};
    q.b = dm_calloc(ctx, nb, sizeof *q.b);
    q.bits = dm_calloc(ctx, nb > 64 ? nb / 64 : 1, sizeof *q.bits);
    dm_status rc = DM_OK;
    if (!st || !q.b || !q.bits) {
        rc = dm__fail(ctx, DM_ENOMEM, "route: out of memory for %zu cells", ncell);
        goto done;
    }

    const ptrdiff_t ipw = (ptrdiff_t)pw;
    const ptrdiff_t off[8] = {1, -1, ipw, -ipw, ipw + 1, ipw - 1, -ipw + 1, -ipw - 1};
    const float half[8] = {(float)(cell / 2), (float)(cell / 2), (float)(cell / 2),
                           (float)(cell / 2), (float)(cell * M_SQRT2 / 2),
                           (float)(cell * M_SQRT2 / 2), (float)(cell * M_SQRT2 / 2),
                           (float)(cell * M_SQRT2 / 2)};
    /* Unreached cells hold +inf: then a settled neighbour never improves
     * (its distance is at most the current one plus less than one step), so
     * the inner loop reads only the friction and the distance. */
    for (size_t k = 0; k < ncell; k++)
        cv[k].d = INFINITY;
    cv[src].d = 0;
    uint64_t cur = 0, settled = 0, total_cells = (uint64_t)g->w * g->h;
    if (bucket_push(&q, 0, src) < 0)
        goto oom;
    int reached = 0;
    const ptrdiff_t pf_up = -ipw, pf_dn = ipw;
    while (q.count > 0 || q.hn > 0) {
        uint32_t slot = next_bucket(&q, (uint32_t)(cur & q.mask));
        cur += (slot - (uint32_t)(cur & q.mask)) & q.mask;
        bucket *b = &q.b[slot];
        if (heap_mode) {
            for (uint32_t n = 0; n < b->n; n++) {
                uint32_t i = b->v[n];
                if ((uint64_t)((double)cv[i].d * inv_delta) == cur &&
                    heap_push(&q, cv[i].d, i) < 0)
                    goto oom;
            }
            q.count -= b->n;
            b->n = 0;
        }
        for (;;) {
            uint32_t i;
            if (heap_mode) {
                if (q.hn == 0)
                    break;
                hitem it = heap_pop(&q);
                i = it.i;
                if (it.d != cv[i].d || (st[i] & ST_SETTLED))
                    continue;
                st[i] |= ST_SETTLED;
            } else {
                if (b->n == 0)
                    break;
                i = b->v[--b->n];
                q.count--;
                /* Fetch the neighbourhoods of the cells popped a few steps
                 * from now: the bucket is in no spatial order, and memory
                 * latency, not arithmetic, bounds the search. */
                if (b->n >= 16) {
                    uint32_t a = b->v[b->n - 16];
                    __builtin_prefetch(&cv[a + pf_up - 1]);
                    __builtin_prefetch(&cv[a + pf_up + 1]);
                    __builtin_prefetch(&cv[a - 1]);
                    __builtin_prefetch(&cv[a + 1]);
                    __builtin_prefetch(&cv[a + pf_dn - 1]);
                    __builtin_prefetch(&cv[a + pf_dn + 1]);
                    __builtin_prefetch(&st[a]);
                }
                /* a duplicate: improved after it was queued, settled since */
                if (st[i] & ST_SETTLED)
                    continue;
                st[i] |= ST_SETTLED;
            }
            settled++;
            if (i == dst) {
                reached = 1;
                goto found;
            }
            if ((settled & 0xFFFFF) == 0)
                dm__progress(ctx, "route search", settled, total_cells);
            const float di = cv[i].d, fi = cv[i].f;
            for (int k = 0; k < 8; k++) {
                uint32_t j = (uint32_t)((ptrdiff_t)i + off[k]);
                float fj = cv[j].f;
                if (!(fj <= FLT_MAX))
                    continue;
                float nd = di + (fi + fj) * half[k];
                if (!(nd < cv[j].d))
                    continue;
                cv[j].d = nd;
                st[j] = (uint8_t)k; /* j is not settled: see above */
                uint64_t kb = (uint64_t)((double)nd * inv_delta);
                if (kb <= cur) {
                    /* same bucket (heap mode, or a rounding tie in Dial mode) */
                    if (heap_mode ? heap_push(&q, nd, j) < 0 : bucket_push(&q, slot, j) < 0)
                        goto oom;
                } else if (bucket_push(&q, (uint32_t)(kb & q.mask), j) < 0) {
                    goto oom;
                }
            }
        }
        if (b->n == 0)
            q.bits[slot >> 6] &= ~((uint64_t)1 << (slot & 63));
    }
found:
    if (!reached) {
        rc = dm__fail(ctx, DM_ENOTFOUND,
                      "route: no path: the end cannot be reached without crossing impassable"
                      " cells (%llu cells reachable from the start)",
                      (unsigned long long)settled);
        goto done;
    }
    dm__progress(ctx, "route search", total_cells, total_cells);
    {
        size_t n = 1;
        for (uint32_t i = dst; i != src; i = (uint32_t)((ptrdiff_t)i - off[st[i] & ST_DIR]))
            n++;
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
        double cost = 0;
        uint32_t i = dst;
        for (size_t k = n; k-- > 0;) {
            p->col[k] = (uint32_t)(i % pw - 1);
            p->row[k] = (uint32_t)(i / pw - 1);
            if (i != src) {
                int d = st[i] & ST_DIR;
                uint32_t a = (uint32_t)((ptrdiff_t)i - off[d]);
                cost += ((double)cv[a].f + (double)cv[i].f) * (d < 4 ? cell / 2 : cell * M_SQRT2 / 2);
                i = a;
            }
        }
        p->cost = cost;
        p->settled = settled;
        p->mem_bytes = g->c_bytes + st_bytes + q.peak + nb * sizeof *q.b;
        *out = p;
    }
    goto done;
oom:
    rc = dm__fail(ctx, DM_ENOMEM, "route: out of memory for the search queue");
done:
    for (uint32_t k = 0; q.b && k < nb; k++)
        dm_free(ctx, q.b[k].v);
    dm_free(ctx, q.b);
    dm_free(ctx, q.bits);
    dm_free(ctx, q.heap);
    big_free(st, st_bytes);
    return rc;
}
