/* SPDX-License-Identifier: MIT
 *
 * demo_util.c -- the demo generator's tools: a seeded random stream
 * (xoshiro256** fed by splitmix64) so that one seed always gives the same
 * scenario, deterministic uuids, dates, small planar geometry in metres,
 * growable vectors, a coordinate arena and a grid index of the truth items.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================ random ================================ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void dd_rng_seed(dd_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t dd_u64(dd_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double dd_unif(dd_rng *r) { return (double)(dd_u64(r) >> 11) * 0x1.0p-53; }

double dd_range(dd_rng *r, double a, double b) { return a + (b - a) * dd_unif(r); }

int dd_int(dd_rng *r, int a, int b)
{
    if (b <= a)
        return a;
    return a + (int)(dd_u64(r) % (uint64_t)(b - a + 1));
}

double dd_normal(dd_rng *r)
{
    double u = dd_unif(r), v = dd_unif(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

int dd_chance(dd_rng *r, double p) { return dd_unif(r) < p; }

int dd_poisson(dd_rng *r, double mean)
{
    if (mean <= 0)
        return 0;
    if (mean > 30) {
        double v = mean + sqrt(mean) * dd_normal(r);
        return v < 0 ? 0 : (int)(v + 0.5);
    }
    double l = exp(-mean), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= dd_unif(r);
    } while (p > l);
    return k - 1;
}

void dd_uuid(dd_rng *r, char out[37])
{
    uint64_t a = dd_u64(r), b = dd_u64(r);
    a = (a & 0xffffffffffff0fffull) | 0x0000000000004000ull;
    b = (b & 0x3fffffffffffffffull) | 0x8000000000000000ull;
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)((a >> 16) & 0xffff), (unsigned)(a & 0xffff), (unsigned)(b >> 48),
             (unsigned long long)(b & 0xffffffffffffull));
}

/* ================================ dates ================================ */

long dd_days(int y, int m, int d)
{
    /* days from civil (H. Hinnant) */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

void dd_date_str(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    char b[48];
    snprintf(b, sizeof b, "%04ld-%02u-%02u", y % 10000, m % 100, d % 100);
    memcpy(out, b, 10);
    out[10] = '\0';
}

/* =============================== geometry =============================== */

int dd_pip(const double *xy, int n, double x, double y)
{
    int in = 0;
    for (int i = 0, j = n - 1; i < n; j = i++) {
        double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

double dd_ring_area(const double *xy, int n)
{
    double a = 0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        a += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
    return fabs(a) / 2;
}

void dd_bbox(const double *xy, int n, double b[4])
{
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (int i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (x < b[0]) b[0] = x;
        if (y < b[1]) b[1] = y;
        if (x > b[2]) b[2] = x;
        if (y > b[3]) b[3] = y;
    }
}

double dd_seg_dist(double px, double py, double ax, double ay, double bx, double by, double *t)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double u = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    if (u < 0) u = 0;
    if (u > 1) u = 1;
    if (t)
        *t = u;
    double qx = ax + u * dx - px, qy = ay + u * dy - py;
    return sqrt(qx * qx + qy * qy);
}

/* ========================== vectors and arena ========================== */

void *dd_grow(dd_world *w, void **v, size_t *n, size_t *cap, size_t elsz)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *nv = dm_realloc(w->ctx, *v, nc * elsz);
        if (!nv)
            return NULL;
        *v = nv;
        *cap = nc;
    }
    char *p = (char *)*v + (*n)++ * elsz;
    memset(p, 0, elsz);
    return p;
}

double *dd_alloc_xy(dd_world *w, int n)
{
    size_t need = (size_t)n * 2 * sizeof(double);
    if (!w->chunk || w->chunk_used + need > w->chunk_size) {
        size_t sz = need > (1u << 20) ? need : (1u << 20);
        if (w->n_chunks == w->cap_chunks) {
            size_t nc = w->cap_chunks ? w->cap_chunks * 2 : 16;
            void **c = dm_realloc(w->ctx, w->chunks, nc * sizeof *c);
            if (!c)
                return NULL;
            w->chunks = c;
            w->cap_chunks = nc;
        }
        char *ch = dm_malloc(w->ctx, sz);
        if (!ch)
            return NULL;
        w->chunks[w->n_chunks++] = ch;
        w->chunk = ch;
        w->chunk_size = sz;
        w->chunk_used = 0;
    }
    double *p = (double *)(w->chunk + w->chunk_used);
    w->chunk_used += need;
    return p;
}

dm_status dd_pts_make(dd_world *w, dd_pts *p, int n)
{
    p->xy = dd_alloc_xy(w, n);
    p->n = n;
    return p->xy ? DM_OK : dm__fail(w->ctx, DM_ENOMEM, "out of memory");
}

dm_status dd_rect(dd_world *w, dd_pts *out, double cx, double cy, double ux, double uy, double hl,
                  double hw)
{
    if (dd_pts_make(w, out, 4))
        return DM_ENOMEM;
    double vx = -uy, vy = ux;
    const double s[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
    for (int i = 0; i < 4; i++) {
        out->xy[2 * i] = cx + s[i][0] * hl * ux + s[i][1] * hw * vx;
        out->xy[2 * i + 1] = cy + s[i][0] * hl * uy + s[i][1] * hw * vy;
    }
    return DM_OK;
}

/* A star-shaped polygon: radius varies smoothly (two harmonics plus a little
 * noise, always between 0.55r and 1.45r), so it never self-intersects. */
dm_status dd_blob(dd_world *w, dd_pts *out, double cx, double cy, double r, int n, double irr)
{
    if (dd_pts_make(w, out, n))
        return DM_ENOMEM;
    double a1 = dd_range(&w->rng, 0, irr), p1 = dd_range(&w->rng, 0, 2 * M_PI);
    double a2 = dd_range(&w->rng, 0, irr / 2), p2 = dd_range(&w->rng, 0, 2 * M_PI);
    double stretch = dd_range(&w->rng, 1.0, 1.0 + irr), rot = dd_range(&w->rng, 0, M_PI);
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / n;
        double k = 1 + a1 * sin(2 * t + p1) + a2 * sin(3 * t + p2) + dd_range(&w->rng, -0.05, 0.05);
        if (k < 0.55) k = 0.55;
        if (k > 1.45) k = 1.45;
        double lx = cos(t) * r * k * stretch, ly = sin(t) * r * k / stretch;
        out->xy[2 * i] = cx + lx * cos(rot) - ly * sin(rot);
        out->xy[2 * i + 1] = cy + lx * sin(rot) + ly * cos(rot);
    }
    return DM_OK;
}

/* ============================ world queries ============================ */

double dd_front_len(const dd_world *w) { return w->front.n ? w->front_s[w->front.n - 1] : 0; }

double dd_front_dist(const dd_world *w, double x, double y, int *side, double *s)
{
    double best = INFINITY;
    int bi = 0;
    double bt = 0;
    const double *p = w->front.xy;
    for (int i = 0; i + 1 < w->front.n; i++) {
        double t;
        double d = dd_seg_dist(x, y, p[2 * i], p[2 * i + 1], p[2 * i + 2], p[2 * i + 3], &t);
        if (d < best) {
            best = d;
            bi = i;
            bt = t;
        }
    }
    if (side) {
        double dx = p[2 * bi + 2] - p[2 * bi], dy = p[2 * bi + 3] - p[2 * bi + 1];
        double cr = dx * (y - p[2 * bi + 1]) - dy * (x - p[2 * bi]);
        /* the line runs north to south: points to the left of the direction
         * of travel lie east */
        *side = cr > 0 ? -1 : 1;
    }
    if (s)
        *s = w->front_s[bi] + bt * (w->front_s[bi + 1] - w->front_s[bi]);
    return best;
}

void dd_front_at(const dd_world *w, double s, double *x, double *y, double *ux, double *uy)
{
    const double *p = w->front.xy;
    int i = 0;
    while (i + 2 < w->front.n && w->front_s[i + 1] < s)
        i++;
    double seg = w->front_s[i + 1] - w->front_s[i];
    double t = seg > 0 ? (s - w->front_s[i]) / seg : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double dx = p[2 * i + 2] - p[2 * i], dy = p[2 * i + 3] - p[2 * i + 1];
    double l = hypot(dx, dy);
    *x = p[2 * i] + t * dx;
    *y = p[2 * i + 1] + t * dy;
    *ux = l > 0 ? dx / l : 0;
    *uy = l > 0 ? dy / l : -1;
}

int dd_district_at(const dd_world *w, double x, double y)
{
    for (size_t i = 0; i < w->districts.n; i++)
        if (dd_pip(w->districts.v[i].ring.xy, w->districts.v[i].ring.n, x, y))
            return (int)i;
    return w->districts.n ? 0 : -1;
}

int dd_nearest_settlement(const dd_world *w, double x, double y, double *d)
{
    int best = -1;
    double bd = INFINITY;
    for (size_t i = 0; i < w->settlements.n; i++) {
        double dx = w->settlements.v[i].x - x, dy = w->settlements.v[i].y - y, e = dx * dx + dy * dy;
        if (e < bd) {
            bd = e;
            best = (int)i;
        }
    }
    if (d)
        *d = sqrt(bd);
    return best;
}

/* ============================== item index ============================== */

static long cell_of(const dd_world *w, double x, double y)
{
    long cx = (long)floor((x - w->x0) / w->cell), cy = (long)floor((y - w->y0) / w->cell);
    if (cx < 0) cx = 0;
    if (cy < 0) cy = 0;
    if (cx >= w->gx) cx = w->gx - 1;
    if (cy >= w->gy) cy = w->gy - 1;
    return cy * w->gx + cx;
}

dm_status dd_index_items(dd_world *w)
{
    w->cell = 100.0;
    w->gx = (long)ceil((w->x1 - w->x0) / w->cell) + 1;
    w->gy = (long)ceil((w->y1 - w->y0) / w->cell) + 1;
    size_t nc = (size_t)(w->gx * w->gy);
    dm_free(w->ctx, w->cell_start);
    dm_free(w->ctx, w->cell_items);
    w->cell_start = dm_calloc(w->ctx, nc + 1, sizeof *w->cell_start);
    w->cell_items = dm_calloc(w->ctx, w->items.n ? w->items.n : 1, sizeof *w->cell_items);
    if (!w->cell_start || !w->cell_items)
        return dm__fail(w->ctx, DM_ENOMEM, "out of memory indexing %zu items", w->items.n);
    for (size_t i = 0; i < w->items.n; i++)
        w->cell_start[cell_of(w, w->items.v[i].x, w->items.v[i].y) + 1]++;
    for (size_t c = 0; c < nc; c++)
        w->cell_start[c + 1] += w->cell_start[c];
    size_t *fill = dm_calloc(w->ctx, nc, sizeof *fill);
    if (!fill)
        return dm__fail(w->ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->items.n; i++) {
        long c = cell_of(w, w->items.v[i].x, w->items.v[i].y);
        w->cell_items[w->cell_start[c] + fill[c]++] = i;
    }
    dm_free(w->ctx, fill);
    return DM_OK;
}

int dd_items_in_box(const dd_world *w, const double b[4], int (*fn)(void *, size_t), void *user)
{
    long c0 = cell_of(w, b[0], b[1]), c1 = cell_of(w, b[2], b[3]);
    long x0 = c0 % w->gx, y0 = c0 / w->gx, x1 = c1 % w->gx, y1 = c1 / w->gx;
    for (long cy = y0; cy <= y1; cy++)
        for (long cx = x0; cx <= x1; cx++) {
            long c = cy * w->gx + cx;
            for (size_t k = w->cell_start[c]; k < w->cell_start[c + 1]; k++) {
                size_t i = w->cell_items[k];
                const dd_item *it = &w->items.v[i];
                if (it->x >= b[0] && it->x <= b[2] && it->y >= b[1] && it->y <= b[3])
                    if (fn(user, i))
                        return 1;
            }
        }
    return 0;
}

typedef struct mark_q {
    const dd_world *w;
    const dd_pts *ring;
    unsigned char *in;
} mark_q;

static int mark_fn(void *u, size_t i)
{
    mark_q *q = u;
    if (!q->in[i] && dd_pip(q->ring->xy, q->ring->n, q->w->items.v[i].x, q->w->items.v[i].y))
        q->in[i] = 1;
    return 0;
}

void dd_mark_items_in(const dd_world *w, const dd_pts *ring, const double b[4], unsigned char *in)
{
    mark_q q = {w, ring, in};
    dd_items_in_box(w, b, mark_fn, &q);
}

typedef struct near_q {
    const dd_world *w;
    double x, y, best;
    size_t which;
} near_q;

static int near_fn(void *u, size_t i)
{
    near_q *q = u;
    double d = hypot(q->w->items.v[i].x - q->x, q->w->items.v[i].y - q->y);
    if (d < q->best) {
        q->best = d;
        q->which = i;
    }
    return 0;
}

double dd_nearest_item(const dd_world *w, double x, double y, double maxd, size_t *which)
{
    near_q q = {w, x, y, INFINITY, (size_t)-1};
    double b[4] = {x - maxd, y - maxd, x + maxd, y + maxd};
    dd_items_in_box(w, b, near_fn, &q);
    if (which)
        *which = q.which;
    return q.best;
}
