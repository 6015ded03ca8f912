/* SPDX-License-Identifier: MIT
 *
 * edt.c -- exact Euclidean distance transform (Felzenszwalb and
 * Huttenlocher 2012) in exact integer arithmetic. The column pass runs on
 * bands of rows, each on its own (so that bands can be computed as they are
 * read, on every core), with the in-band distances joined through each
 * band's first and last source per column; the row pass builds the lower
 * envelope of parabolas with cross-multiplied integer tests (no rounding)
 * and takes one square root per cell.
 */
#include "core/dm_internal.h"
#include "raster/raster_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#define HOT_LOOPS __attribute__((optimize("O3")))
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
    if (band_h < 1 || (!f && band_h > 1024))
        band_h = 256;
    e->f = f;
    e->nx = nx;
    e->ny = ny;
    e->band_h = band_h;
    e->nbands = (int)(((size_t)ny + band_h - 1) / band_h);
    size_t nb = (size_t)e->nbands * nx;
    e->top = malloc(nb * sizeof *e->top);
    e->bot = malloc(nb * sizeof *e->bot);
    e->above = malloc(nb * sizeof *e->above);
    e->below = malloc(nb * sizeof *e->below);
    int ok = e->top && e->bot && e->above && e->below;
    if (ok && !f) {
        /* written once from end to end: on huge pages (unless
         * DEMINE_HUGEPAGES=0) mapping it costs a small fraction of the work */
        const char *hp = getenv("DEMINE_HUGEPAGES");
        e->d = (uint16_t *)dm__raster_alloc_opt(((size_t)nx * ny + 1) / 2, !(hp && hp[0] == '0'));
        ok = e->d != NULL;
    }
    if (!ok) {
        dm__edt_free(e);
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    }
    return DM_OK;
}

void dm__edt_free(dm__edt *e)
{
    free(e->top);
    free(e->bot);
    free(e->above);
    free(e->below);
    if (e->d)
        dm_raster_free((float *)e->d, ((size_t)e->nx * e->ny + 1) / 2);
    e->top = e->bot = e->above = e->below = NULL;
    e->d = NULL;
}

static int band_rows(const dm__edt *e, int k)
{
    int y0 = k * e->band_h;
    return e->ny - y0 < e->band_h ? e->ny - y0 : e->band_h;
}

/* ---- column pass ---- */
HOT_LOOPS void dm__edt_cols_u8(dm__edt *e, int k, int x0, int w, const uint8_t *src,
                               size_t stride, const uint8_t is_src[256])
{
    size_t nx = (size_t)e->nx;
    int h = band_rows(e, k);
    uint16_t *base = e->d + (size_t)k * e->band_h * nx + x0;
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
    /* forward, branch free: one more than above (none stays none), or 0 at
     * a source */
    for (int y = 0; y < h; y++) {
        const uint8_t *restrict s = src + (size_t)y * stride;
        uint16_t *restrict r = base + (size_t)y * nx;
        const uint16_t *restrict p = y ? r - nx : NULL;
        for (int x = 0; x < w; x++) {
            uint32_t up = y ? p[x] + 1u : DM__EDT_NONE;
            up = up < DM__EDT_NONE ? up : DM__EDT_NONE;
            uint32_t is = range ? (uint32_t)(((int32_t)(uint8_t)(s[x] - ulo) - span1) >> 31)
                                : 0u - is_src[s[x]];
            r[x] = (uint16_t)(up & ~is);
        }
    }
    for (int y = h - 2; y >= 0; y--) {
        uint16_t *restrict r = base + (size_t)y * nx;
        const uint16_t *restrict p = r + nx;
        for (int x = 0; x < w; x++) {
            uint32_t c = p[x] + 1u, here = r[x];
            r[x] = (uint16_t)(c < here ? c : here);
        }
    }
    float *restrict top = e->top + (size_t)k * nx + x0, *restrict bot = e->bot + (size_t)k * nx + x0;
    const uint16_t *last = base + (size_t)(h - 1) * nx;
    for (int x = 0; x < w; x++) {
        top[x] = base[x] == DM__EDT_NONE ? INFINITY : (float)base[x];
        bot[x] = last[x] == DM__EDT_NONE ? INFINITY : (float)last[x];
    }
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

void dm__edt_join(dm__edt *e, float cap_cells, float scale)
{
    size_t nx = (size_t)e->nx, nb = (size_t)e->nbands;
    float *above = e->above, *below = e->below;
    /* nearest source above band k: the last source of band k-1, or (none
     * there) the nearest above band k-1; likewise below */
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
    e->cap2 = cap2;
    e->capd = isfinite(cap2) ? (float)sqrt(cap2) * scale : INFINITY;
    e->scale = scale;
}

/* ---- envelope pass ---- */
dm_status dm__edt_scratch_init(dm_ctx *ctx, dm__edt_scratch *s, int nx)
{
    s->g = malloc((size_t)nx * sizeof *s->g);
    s->v = malloc((size_t)nx * sizeof *s->v);
    s->h = malloc((size_t)nx * sizeof *s->h);
    s->own = malloc((size_t)nx * sizeof *s->own);
    if (!s->g || !s->v || !s->h || !s->own) {
        dm__edt_scratch_free(s);
        return ctx ? dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform")
                   : DM_ENOMEM;
    }
    return DM_OK;
}

void dm__edt_scratch_free(dm__edt_scratch *s)
{
    free(s->g), free(s->v), free(s->h), free(s->own);
    s->g = NULL, s->v = NULL, s->h = NULL, s->own = NULL;
}

/* Column distances of row y: the in-band one or through the band's top or
 * bottom row, whichever is nearer. */
HOT_LOOPS static void column_dist(const dm__edt *e, int y, float *restrict g)
{
    const int n = e->nx, k = y / e->band_h, i = y % e->band_h;
    const float *restrict a = e->above + (size_t)k * n, *restrict b = e->below + (size_t)k * n;
    const float di = (float)i, dj = (float)(band_rows(e, k) - 1 - i);
    if (e->d) {
        const uint16_t *restrict r = e->d + (size_t)y * n;
        for (int x = 0; x < n; x++) {
            float up = a[x] + di, down = b[x] + dj;
            float here = r[x] == DM__EDT_NONE ? INFINITY : (float)r[x];
            float m = up < down ? up : down;
            g[x] = here < m ? here : m;
        }
    } else {
        const float *restrict r = e->f + (size_t)y * n;
        for (int x = 0; x < n; x++) {
            float up = a[x] + di, down = b[x] + dj, here = r[x];
            float m = up < down ? up : down;
            g[x] = here < m ? here : m;
        }
    }
}

/* The lower envelope of the parabolas g[q]^2 + (x - q)^2, kept as apex v
 * and h = g^2 + v^2 so that the value at x is h - 2 x v + x^2. Parabola b
 * (right of a) is below a from (h_b - h_a) / (2 (v_b - v_a)) on; the stack
 * tests compare such fractions cross-multiplied in int64 (exact: |h| <
 * 2 side^2), with the top and its differences to the one below in
 * registers. Leaves in g the squared distances in cells (returns 1: no cap)
 * or the final distances (returns 0). */
HOT_LOOPS static int envelope(const dm__edt *e, float *restrict g, int *restrict v,
                               int64_t *restrict h, int *restrict own)
{
    const int n = e->nx;
    int m = -1, vt = 0, dv = 0;
    int64_t ht = 0, dh = 0;
    for (int q = 0; q < n; q++) {
        float gq = g[q];
        if (!(gq < INFINITY))
            continue;
        int64_t gi = (int64_t)gq, hq = gi * gi + (int64_t)q * q;
        /* pop the top while the new parabola takes over no later than the
         * top took over from the one below it */
        while (m > 0 && dh * (q - vt) >= (hq - ht) * dv) {
            m--;
            ht = h[m];
            vt = v[m];
            if (m > 0) {
                dh = ht - h[m - 1];
                dv = vt - v[m - 1];
            }
        }
        m++;
        dh = hq - ht;
        dv = q - vt;
        ht = h[m] = hq;
        vt = v[m] = q;
    }
    if (m < 0) {
        for (int q = 0; q < n; q++)
            g[q] = e->capd;
        return 0;
    }
    /* the parabola of each cell: each one marks the first cell it takes
     * over (the ceiling of a quotient of integers below 2^53 and a cell
     * index: exact in double), then a running maximum */
    memset(own, 0, (size_t)n * sizeof *own);
    for (int c = 1; c <= m; c++) {
        double z = ceil((double)(h[c] - h[c - 1]) / (2.0 * (v[c] - v[c - 1])));
        if (z < n)
            own[z > 0 ? (int)z : 0] = c;
    }
    int c = 0;
    if (isinf(e->cap2)) {
        for (int q = 0; q < n; q++) {
            c = own[q] > c ? own[q] : c;
            g[q] = (float)(h[c] - 2 * (int64_t)q * v[c] + (int64_t)q * q);
        }
        return 1;
    }
    for (int q = 0; q < n; q++) {
        c = own[q] > c ? own[q] : c;
        int64_t d2 = h[c] - 2 * (int64_t)q * v[c] + (int64_t)q * q;
        g[q] = (double)d2 >= e->cap2 ? e->capd : sqrtf((float)d2) * e->scale;
    }
    return 0;
}

HOT_LOOPS static void put(float *restrict out, const float *restrict g, int w, int squared,
                          float sc)
{
    if (!squared)
        memcpy(out, g, (size_t)w * sizeof *out);
    else
        for (int q = 0; q < w; q++)
            out[q] = sqrtf(g[q]) * sc;
}

void dm__edt_row(const dm__edt *e, int y, float *out, int tiled, dm__edt_scratch *s)
{
    const int n = e->nx;
    column_dist(e, y, s->g);
    int squared = envelope(e, s->g, s->v, s->h, s->own);
    if (!tiled) {
        put(out, s->g, n, squared, e->scale);
        return;
    }
    for (int c0 = 0; c0 < n; c0 += 256)
        put(out + (size_t)(c0 / 256) * 65536, s->g + c0, n - c0 < 256 ? n - c0 : 256, squared,
            e->scale);
}

/* ---- in-memory sources ---- */
typedef struct mem_job {
    dm__edt *e;
    int failed;
} mem_job;

static void cols_item(void *arg, size_t item)
{
    dm__edt *e = ((mem_job *)arg)->e;
    int strips = (e->nx + 255) / 256, k = (int)(item / strips), x0 = (int)(item % strips) * 256;
    dm__edt_cols_f32(e, k, x0, e->nx - x0 < 256 ? e->nx - x0 : 256);
}

static void rows_item(void *arg, size_t item)
{
    mem_job *j = arg;
    dm__edt *e = j->e;
    dm__edt_scratch s;
    if (dm__edt_scratch_init(NULL, &s, e->nx)) {
        j->failed = 1;
        return;
    }
    int y0 = (int)item * 32, y1 = y0 + 32 < e->ny ? y0 + 32 : e->ny;
    for (int y = y0; y < y1; y++)
        dm__edt_row(e, y, e->f + (size_t)y * e->nx, 0, &s);
    dm__edt_scratch_free(&s);
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
    mem_job j = {&e, 0};
    dm_parallel_for(threads, (size_t)e.nbands * ((nx + 255) / 256), cols_item, &j);
    dm__edt_join(&e, cap_cells, scale);
    dm_parallel_for(threads, ((size_t)ny + 31) / 32, rows_item, &j);
    if (j.failed)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    dm__edt_free(&e);
    return st;
}
