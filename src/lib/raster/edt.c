/* SPDX-License-Identifier: MIT
 *
 * edt.c -- exact Euclidean distance transform (Felzenszwalb and
 * Huttenlocher 2012) in exact integer arithmetic. The column pass runs on
 * bands of rows, each on its own (so that bands can be computed as they are
 * read, on every core), with the in-band distances joined through each
 * band's first and last source per column; the row pass builds the lower
 * envelope of parabolas with cross-multiplied integer tests (no division,
 * no rounding) and takes one square root per cell.
 */
#include "core/dm_internal.h"
#include "raster/raster_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#define HOT_LOOPS __attribute__((optimize("O3", "no-math-errno")))
#else
#define HOT_LOOPS
#endif

dm_status dm__edt_init(dm_ctx *ctx, dm__edt *e, float *f, int nx, int ny, int band_h)
{
    memset(e, 0, sizeof *e);
    if (nx <= 0 || ny <= 0)
        return dm__fail(ctx, DM_EINVAL, "distance transform of an empty raster (%d x %d)", nx, ny);
    /* column distances are counted in floats (exact below 2^24) and the
     * envelope tests multiply squared distances by offsets in int64 */
    double side = nx > ny ? nx : ny;
    if (ny >= (1 << 24) || 2.0 * side * side * side >= 9.0e18)
        return dm__fail(ctx, DM_EINVAL,
                        "distance transform of %d x %d cells: too long a side for exact "
                        "arithmetic; split the raster",
                        nx, ny);
    if (band_h < 1)
        band_h = 256;
    e->f = f;
    e->nx = nx;
    e->ny = ny;
    e->band_h = band_h;
    e->nbands = (int)(((size_t)ny + band_h - 1) / band_h);
    e->top = malloc((size_t)e->nbands * nx * sizeof *e->top);
    e->bot = malloc((size_t)e->nbands * nx * sizeof *e->bot);
    if (!e->top || !e->bot) {
        dm__edt_free(e);
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    }
    return DM_OK;
}

void dm__edt_free(dm__edt *e)
{
    free(e->top);
    free(e->bot);
    e->top = e->bot = NULL;
}

/* Backward sweep of the band (columns [x0, x0 + w)) after the forward one,
 * then keep its first-source and last-source offsets. */
HOT_LOOPS static void band_back(dm__edt *e, int k, int x0, int w, int h)
{
    size_t nx = (size_t)e->nx;
    float *base = e->f + (size_t)k * e->band_h * nx + x0;
    for (int y = h - 2; y >= 0; y--) {
        float *restrict r = base + (size_t)y * nx;
        const float *restrict p = r + nx;
        for (int x = 0; x < w; x++) {
            float c = p[x] + 1.0f, here = r[x];
            r[x] = c < here ? c : here;
        }
    }
    float *restrict top = e->top + (size_t)k * nx + x0, *restrict bot = e->bot + (size_t)k * nx + x0;
    const float *last = base + (size_t)(h - 1) * nx;
    for (int x = 0; x < w; x++) {
        top[x] = base[x];
        bot[x] = last[x];
    }
}

static int band_rows(const dm__edt *e, int k)
{
    int y0 = k * e->band_h;
    return e->ny - y0 < e->band_h ? e->ny - y0 : e->band_h;
}

HOT_LOOPS void dm__edt_cols_u8(dm__edt *e, int k, int x0, int w, const uint8_t *src,
                               size_t stride, const uint8_t is_src[256])
{
    size_t nx = (size_t)e->nx;
    int h = band_rows(e, k);
    float *base = e->f + (size_t)k * e->band_h * nx + x0;
    /* the usual case, a range of values (or any non-zero value), as one
     * unsigned comparison that vectorises */
    int lo = 0, hi = -1, range = 1;
    for (int b = 0; b < 256; b++)
        if (is_src[b]) {
            if (hi < 0)
                lo = b;
            else if (hi != b - 1)
                range = 0;
            hi = b;
        }
    range = range && hi >= 0;
    const uint8_t ulo = (uint8_t)lo;
    const int32_t span1 = hi - lo + 1;
    for (int y = 0; y < h; y++) {
        const uint8_t *restrict s = src + (size_t)y * stride;
        float *restrict r = base + (size_t)y * nx;
        const float *restrict p = y ? r - nx : NULL;
        /* branch free: the bits of "one more than above" (or infinity on
         * the band's first row) cleared where the cell is a source */
        for (int x = 0; x < w; x++) {
            union {
                float f;
                uint32_t u;
            } d = {y ? p[x] + 1.0f : INFINITY};
            uint32_t is = range ? (uint32_t)(((int32_t)(uint8_t)(s[x] - ulo) - span1) >> 31)
                                : 0u - is_src[s[x]];
            d.u &= ~is;
            r[x] = d.f;
        }
    }
    band_back(e, k, x0, w, h);
}

HOT_LOOPS void dm__edt_cols_f32(dm__edt *e, int k, int x0, int w)
{
    size_t nx = (size_t)e->nx;
    int h = band_rows(e, k);
    float *base = e->f + (size_t)k * e->band_h * nx + x0;
    for (int x = 0; x < w; x++)
        base[x] = base[x] == 0.0f ? 0.0f : INFINITY;
    for (int y = 1; y < h; y++) {
        float *restrict r = base + (size_t)y * nx;
        const float *restrict p = r - nx;
        for (int x = 0; x < w; x++) {
            float up = p[x] + 1.0f, here = r[x];
            r[x] = here == 0.0f ? 0.0f : up;
        }
    }
    band_back(e, k, x0, w, h);
}

/* ---- row pass ---- */
typedef struct rows_job {
    dm__edt *e;
    const float *above, *below; /* per band and column: distance from the band's
                                   top row to the nearest source above it, and
                                   from its bottom row to the nearest below */
    double cap2;
    float capd, scale;
    int chunk; /* rows per work item */
    int failed;
} rows_job;

/* One row: g = column distances, then the lower envelope of the parabolas
 * g[q]^2 + (x - q)^2, kept as apex v and h = g^2 + v^2 so that the value at
 * x is h - 2 x v + x^2. Parabola b (right of a) is below a from
 * (h_b - h_a) / (2 (v_b - v_a)) on; the tests compare such fractions
 * cross-multiplied in int64 (exact: |h| < 2 side^2). */
HOT_LOOPS static void env_row(const rows_job *j, float *r, int k, int i, float *g, int *v,
                              int64_t *h)
{
    const dm__edt *e = j->e;
    const int n = e->nx;
    const float *a = j->above + (size_t)k * n, *b = j->below + (size_t)k * n;
    const float di = (float)i, dj = (float)(band_rows(e, k) - 1 - i);
    for (int x = 0; x < n; x++) {
        float up = a[x] + di, down = b[x] + dj, here = r[x];
        float m = up < down ? up : down;
        g[x] = here < m ? here : m;
    }
    int m = -1;
    for (int q = 0; q < n; q++) {
        float gq = g[q];
        if (!(gq < INFINITY))
            continue;
        int64_t gi = (int64_t)gq, hq = gi * gi + (int64_t)q * q;
        /* pop the top while the new parabola takes over no later than the
         * top took over from the one below it */
        while (m > 0 && (h[m] - h[m - 1]) * (q - v[m]) >= (hq - h[m]) * (v[m] - v[m - 1]))
            m--;
        m++;
        v[m] = q;
        h[m] = hq;
    }
    if (m < 0) {
        for (int q = 0; q < n; q++)
            r[q] = j->capd;
        return;
    }
    int c = 0;
    if (isinf(j->cap2)) {
        for (int q = 0; q < n; q++) {
            while (c < m && h[c + 1] - h[c] <= 2 * (int64_t)q * (v[c + 1] - v[c]))
                c++;
            g[q] = (float)(h[c] - 2 * (int64_t)q * v[c] + (int64_t)q * q);
        }
        const float sc = j->scale;
        for (int q = 0; q < n; q++)
            r[q] = sqrtf(g[q]) * sc;
        return;
    }
    for (int q = 0; q < n; q++) {
        while (c < m && h[c + 1] - h[c] <= 2 * (int64_t)q * (v[c + 1] - v[c]))
            c++;
        int64_t d2 = h[c] - 2 * (int64_t)q * v[c] + (int64_t)q * q;
        r[q] = (double)d2 >= j->cap2 ? j->capd : sqrtf((float)d2) * j->scale;
    }
}

static void rows_item(void *arg, size_t item)
{
    rows_job *j = arg;
    dm__edt *e = j->e;
    int n = e->nx;
    float *g = malloc((size_t)n * sizeof *g);
    int *v = malloc((size_t)n * sizeof *v);
    int64_t *h = malloc((size_t)n * sizeof *h);
    if (!g || !v || !h) {
        j->failed = 1;
        free(g), free(v), free(h);
        return;
    }
    int y0 = (int)item * j->chunk, y1 = y0 + j->chunk < e->ny ? y0 + j->chunk : e->ny;
    for (int y = y0; y < y1; y++)
        env_row(j, e->f + (size_t)y * n, y / e->band_h, y % e->band_h, g, v, h);
    free(g), free(v), free(h);
}

dm_status dm__edt_finish(dm_ctx *ctx, dm__edt *e, float cap_cells, float scale, int threads)
{
    size_t nx = (size_t)e->nx, nb = (size_t)e->nbands;
    float *above = malloc(nb * nx * sizeof *above), *below = malloc(nb * nx * sizeof *below);
    if (!above || !below) {
        free(above), free(below);
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    }
    /* join the bands: nearest source above band k is the last source of
     * band k-1, or (none there) the nearest above band k-1; likewise below */
    for (size_t x = 0; x < nx; x++)
        above[x] = INFINITY, below[(nb - 1) * nx + x] = INFINITY;
    for (size_t k = 1; k < nb; k++) {
        float hk = (float)band_rows(e, (int)k - 1);
        const float *bot = e->bot + (k - 1) * nx, *prev = above + (k - 1) * nx;
        float *cur = above + k * nx;
        for (size_t x = 0; x < nx; x++)
            cur[x] = bot[x] < INFINITY ? bot[x] + 1.0f : prev[x] + hk;
    }
    for (size_t k = nb - 1; k-- > 0;) {
        float hk = (float)band_rows(e, (int)k + 1);
        const float *top = e->top + (k + 1) * nx, *next = below + (k + 1) * nx;
        float *cur = below + k * nx;
        for (size_t x = 0; x < nx; x++)
            cur[x] = top[x] < INFINITY ? top[x] + 1.0f : next[x] + hk;
    }
    float cap2 = isfinite(cap_cells) ? cap_cells * cap_cells : INFINITY;
    rows_job j = {e, above, below, cap2, isfinite(cap2) ? (float)sqrt(cap2) * scale : INFINITY,
                  scale, 32, 0};
    dm_parallel_for(threads, ((size_t)e->ny + j.chunk - 1) / j.chunk, rows_item, &j);
    free(above), free(below);
    if (j.failed)
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    return DM_OK;
}

/* ---- in-memory sources ---- */
static void cols_item(void *arg, size_t item)
{
    dm__edt *e = arg;
    int strips = (e->nx + 255) / 256, k = (int)(item / strips), x0 = (int)(item % strips) * 256;
    dm__edt_cols_f32(e, k, x0, e->nx - x0 < 256 ? e->nx - x0 : 256);
}

dm_status dm_edt(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, int threads)
{
    return dm_edt_scaled(ctx, f, nx, ny, cap_cells, 1.0f, threads);
}

dm_status dm_edt_scaled(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, float scale,
                        int threads)
{
    dm__edt e;
    dm_status st = dm__edt_init(ctx, &e, f, nx, ny, 256);
    if (st)
        return st;
    dm_parallel_for(threads, (size_t)e.nbands * ((nx + 255) / 256), cols_item, &e);
    st = dm__edt_finish(ctx, &e, cap_cells, scale, threads);
    dm__edt_free(&e);
    return st;
}
