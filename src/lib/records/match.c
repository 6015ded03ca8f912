/* SPDX-License-Identifier: MIT
 *
 * match.c -- one-to-one matching of two point sets within a distance: the
 * largest set of pairs closer than the tolerance in which each point takes
 * part once (a maximum bipartite matching). Pairs are first taken nearest
 * first (greedy by ascending distance), then Hopcroft-Karp augmenting paths
 * raise the count to the maximum, so most pairs stay the nearest ones.
 */
#include "records_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct medge {
    double d2; /* squared distance */
    size_t a, b;
} medge;

static int cmp_edge(const void *x, const void *y)
{
    const medge *p = x, *q = y;
    if (p->d2 != q->d2)
        return (p->d2 > q->d2) - (p->d2 < q->d2);
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

/* Grow *e to hold one more edge. */
static dm_status push_edge(dm_ctx *ctx, medge **e, size_t *n, size_t *cap, medge x)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        medge *ne = dm_realloc(ctx, *e, nc * sizeof *ne);
        if (!ne)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        *e = ne;
        *cap = nc;
    }
    (*e)[(*n)++] = x;
    return DM_OK;
}

/* Every pair (a, b) within tol, found through the grid g over b, in the
 * order of a. */
static dm_status edges_within(dm_ctx *ctx, const dm__grid *g, const double *a, size_t na, double tol,
                              medge **out, size_t *n)
{
    const double *b = g->xy;
    size_t cap = 0;
    dm_status st = DM_OK;
    *out = NULL;
    *n = 0;
    if (!g->n || !g->start)
        return DM_OK;
    long r = (long)ceil(tol / g->cell);
    double tol2 = tol * tol;
    for (size_t i = 0; i < na && !st; i++) {
        double x = a[2 * i], y = a[2 * i + 1];
        long cx = (long)floor((x - g->x0) / g->cell), cy = (long)floor((y - g->y0) / g->cell);
        long x0 = cx - r < 0 ? 0 : cx - r, x1 = cx + r >= g->nx ? g->nx - 1 : cx + r;
        long y0 = cy - r < 0 ? 0 : cy - r, y1 = cy + r >= g->ny ? g->ny - 1 : cy + r;
        for (long j = y0; j <= y1 && !st; j++)
            for (long k = x0; k <= x1 && !st; k++) {
                size_t c = (size_t)j * (size_t)g->nx + (size_t)k;
                for (size_t q = g->start[c]; q < g->start[c + 1] && !st; q++) {
                    size_t p = g->idx[q];
                    double dx = b[2 * p] - x, dy = b[2 * p + 1] - y, d2 = dx * dx + dy * dy;
                    /* hypot decides at the edge, as in dm__grid_nearest */
                    if (d2 <= tol2 * (1 - 1e-12) || (d2 <= tol2 * (1 + 1e-12) && hypot(dx, dy) <= tol))
                        st = push_edge(ctx, out, n, &cap, (medge){d2, i, p});
                }
            }
    }
    if (st) {
        dm_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

typedef struct hk {
    size_t na, nb;
    size_t *start, *adj;  /* a's candidates (nearest first): adj[start[i]..start[i+1]) */
    size_t *mate_a, *mate_b;
    size_t *layer, *it, *queue, *stack;
} hk;

/* BFS from the free a's over alternating paths; 1 when a free b is reached. */
static int hk_layers(hk *h)
{
    size_t qh = 0, qt = 0;
    int found = 0;
    for (size_t i = 0; i < h->na; i++) {
        if (h->mate_a[i] == NONE) {
            h->layer[i] = 0;
            h->queue[qt++] = i;
        } else
            h->layer[i] = NONE;
    }
    while (qh < qt) {
        size_t i = h->queue[qh++];
        for (size_t e = h->start[i]; e < h->start[i + 1]; e++) {
            size_t i2 = h->mate_b[h->adj[e]];
            if (i2 == NONE)
                found = 1;
            else if (h->layer[i2] == NONE) {
                h->layer[i2] = h->layer[i] + 1;
                h->queue[qt++] = i2;
            }
        }
    }
    return found;
}

/* An augmenting path from the free a `root` along the layers (depth first,
 * without recursion); flips it and returns 1 when there is one. */
static int hk_augment(hk *h, size_t root)
{
    size_t sp = 0;
    h->stack[sp++] = root;
    while (sp) {
        size_t i = h->stack[sp - 1];
        if (h->it[i] == h->start[i + 1]) {
            h->layer[i] = NONE; /* a dead end for this phase */
            sp--;
            continue;
        }
        size_t bj = h->adj[h->it[i]], i2 = h->mate_b[bj];
        if (i2 == NONE) {
            for (size_t k = 0; k < sp; k++) {
                size_t ik = h->stack[k], bk = h->adj[h->it[ik]];
                h->mate_a[ik] = bk;
                h->mate_b[bk] = ik;
            }
            return 1;
        }
        if (h->layer[i2] != NONE && h->layer[i2] == h->layer[i] + 1) {
            h->stack[sp++] = i2; /* the edge to i2 stays current until i2 fails */
            continue;
        }
        h->it[i]++;
    }
    return 0;
}

dm_status dm__match_grid(dm_ctx *ctx, const dm__grid *gb, const double *a, size_t na, double tol,
                         int nearest_first, size_t *mate, size_t *matched)
{
    size_t nb = gb->n;
    for (size_t i = 0; i < na; i++)
        mate[i] = NONE;
    if (matched)
        *matched = 0;
    if (!na || !nb)
        return DM_OK;
    medge *e = NULL;
    size_t ne = 0;
    dm_status st = edges_within(ctx, gb, a, na, tol, &e, &ne);
    if (st || !ne) {
        dm_free(ctx, e);
        return st;
    }
    if (nearest_first)
        qsort(e, ne, sizeof *e, cmp_edge);
    hk h = {0};
    h.na = na;
    h.nb = nb;
    h.start = dm_calloc(ctx, na + 1, sizeof *h.start);
    h.adj = dm_malloc(ctx, ne * sizeof *h.adj);
    h.mate_b = dm_malloc(ctx, nb * sizeof *h.mate_b);
    h.layer = dm_malloc(ctx, na * sizeof *h.layer);
    h.it = dm_malloc(ctx, (na + 1) * sizeof *h.it);
    h.queue = dm_malloc(ctx, na * sizeof *h.queue);
    h.stack = dm_malloc(ctx, na * sizeof *h.stack);
    h.mate_a = mate;
    if (!h.start || !h.adj || !h.mate_b || !h.layer || !h.it || !h.queue || !h.stack) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    /* candidates of each a (nearest first when the edges are sorted) */
    for (size_t k = 0; k < ne; k++)
        h.start[e[k].a + 1]++;
    for (size_t i = 0; i < na; i++)
        h.start[i + 1] += h.start[i];
    memcpy(h.it, h.start, (na + 1) * sizeof *h.it);
    for (size_t k = 0; k < ne; k++)
        h.adj[h.it[e[k].a]++] = e[k].b;
    for (size_t j = 0; j < nb; j++)
        h.mate_b[j] = NONE;
    /* nearest pairs first (or in the order of a: the count is the same) */
    size_t n = 0, most = na < nb ? na : nb;
    for (size_t k = 0; k < ne && n < most; k++)
        if (mate[e[k].a] == NONE && h.mate_b[e[k].b] == NONE) {
            mate[e[k].a] = e[k].b;
            h.mate_b[e[k].b] = e[k].a;
            n++;
        }
    /* then augmenting paths (Hopcroft-Karp phases) up to the maximum */
    while (n < most && hk_layers(&h)) {
        memcpy(h.it, h.start, na * sizeof *h.it);
        size_t gained = 0;
        for (size_t i = 0; i < na; i++)
            if (mate[i] == NONE && h.layer[i] == 0)
                gained += (size_t)hk_augment(&h, i);
        if (!gained)
            break;
        n += gained;
    }
    if (matched)
        *matched = n;
done:
    dm_free(ctx, e);
    dm_free(ctx, h.start);
    dm_free(ctx, h.adj);
    dm_free(ctx, h.mate_b);
    dm_free(ctx, h.layer);
    dm_free(ctx, h.it);
    dm_free(ctx, h.queue);
    dm_free(ctx, h.stack);
    return st;
}

dm_status dm_match_points(dm_ctx *ctx, const double *a, size_t na, const double *b, size_t nb, double tol,
                          size_t *mate, size_t *matched)
{
    if ((na && !a) || (nb && !b) || (na && !mate) || !(tol >= 0) || !isfinite(tol))
        return dm__fail(ctx, DM_EINVAL, "matching: bad arguments");
    dm__grid g;
    dm_status st = dm__grid_build(ctx, &g, b, nb, tol);
    if (!st)
        st = dm__match_grid(ctx, &g, a, na, tol, 1, mate, matched);
    dm__grid_free(ctx, &g);
    return st;
}
