/* SPDX-License-Identifier: MIT
 *
 * risk_map.c -- the risk map engine: evidence terms computed tile by tile
 * (each tile on its own window grown by a halo wide enough for every term
 * to be exact), fused in log-odds, converted to the probability of at
 * least one item and to items per hectare, written as a tiled GeoTIFF and
 * summed over hazard polygons. Tiles run in parallel, one per core.
 *
 * Wide terms (kernels of kilometres, long distance caps) are computed on a
 * coarser working grid aligned with the output grid and interpolated
 * bilinearly, so the cost per output cell does not grow with their width.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_error.h>
#include <gdal.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NODATA (-9999.0f)

void dm__gdal_init(void);

/* Histogram of p in [0, 1]: the bits of a positive float keep its order,
 * so the top 15 bits (exponent and 6 bits of mantissa) are bins of 1.6 %
 * of the value at most, at the cost of a shift per cell. */
#define P_BIN_SHIFT 17
#define P_BINS ((0x3F800000u >> P_BIN_SHIFT) + 1) /* up to 1.0f */

static unsigned p_bin(float p)
{
    uint32_t u;
    memcpy(&u, &p, sizeof u);
    if (!(p > 0)) /* 0, -0, NaN */
        return 0;
    u >>= P_BIN_SHIFT;
    return u < P_BINS ? u : P_BINS - 1;
}

static float p_bin_floor(unsigned b)
{
    uint32_t u = (uint32_t)b << P_BIN_SHIFT;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The evidence the terms read, in the grid's CRS, as arrays of the job
 * (20 bytes a point): entry g is item gitem[g] of the set; a point's
 * coordinates are gpt[2g], gpt[2g + 1]; any other item has gpt[2g] NaN and
 * gpt[2g + 1] the offset in gpoly of its bounds (4 values), followed by its
 * coordinates (its parts are those of the item). Bounds are read without
 * touching the item. */
struct job;
static const double *gev_bounds(const struct job *j, uint32_t g, double pt[4]);
static dm_coords gev_coords(const struct job *j, uint32_t g, const dm_evidence **item);

/* A polygon to summarise (a hazard) in grid coordinates. */
typedef struct gzone {
    dm_coords xy;
    double b[4];
} gzone;

typedef struct term_plan {
    const dm_risk_term *t;
    int idx;        /* index in the model */
    int m;          /* working cell = m output cells */
    int sub;        /* KERNEL narrower than 4 cells: sub x sub working cells per output cell */
    int halo;       /* halo in working cells */
    const char *cov_path;
    char *cov_band; /* cov_path when a band after the first is read (vrt://...?bands=N) */
    const dm_risk_covariate *cv; /* COVARIATE: the raster given */
    size_t cov_cells, cov_nan, cov_neg; /* COVARIATE: cells computed, without a value, negative */
    const uint32_t *src; /* indexes into gev[] used by the term (shared by the terms that
                          * select the same evidence: job.sel) */
    size_t n_src;
    const float *place_w; /* KERNEL per_place: each source's share of its place (1/n), or NULL */
    double wmean;   /* AREA: mean weight of the sources */
} term_plan;

/* Buffers of one worker, reused from tile to tile (no page faults). */
typedef struct scratch {
    int busy;
    float *eta, *x, *mask, *items; /* ncore each */
    float *w0, *w1, *w2;           /* nwin each */
    uint64_t *hist;                /* P_BINS: the p of this worker's cells */
} scratch;

#define MAX_POOL 64

typedef struct job {
    dm_ctx *ctx;
    const dm_risk_model *model;
    const dm_risk_params *p;
    const dm_grid *g;
    int ai, aj; /* g's offset in cells in the grid its coarse cells align to */
    uint32_t *gitem; /* the evidence in the grid's CRS (see gev_bounds) */
    double *gpt, *gpoly;
    size_t n_ev;
    uint32_t *sel[DM_RISK_MAX_TERMS]; /* distinct selections of evidence of the terms */
    float *sel_place[DM_RISK_MAX_TERMS]; /* per selection read per place: 1/n of the n at a place */
    size_t n_sel[DM_RISK_MAX_TERMS], n_sels;
    term_plan *plans;
    size_t n_plans;
    dm_coords aoi;
    int has_aoi;
    int zones_only; /* no raster output: tiles without a zone are skipped */
    gzone *zones;
    size_t n_zones;
    double *zacc;   /* per zone: centre sum, count, touched sum, count of items/ha */
    double *zarea;  /* per zone: area in hectares (grid CRS) */
    dm_tile *tiles;
    size_t n_tiles;
    dm_gtiff *w;
    pthread_mutex_t mu;
    dm_status st;
    char msg[512];
    size_t done;
    double sum_p, max_p;
    size_t n_p;
    double lam_scale; /* items per hectare per unit of reference intensity */
    double spot_f, spot_b; /* then items per hectare -> spot_f * ih^spot_b (spot_b 0: none) */
    double cluster;        /* items per cell holding any */
    double cell_ha;
    long ref_days; /* reference date for ages, days since 1970 (-1: none) */
    scratch pool[MAX_POOL];
    size_t ncore, nwin;
} job;

static scratch *scratch_get(job *j)
{
    pthread_mutex_lock(&j->mu);
    scratch *s = NULL;
    for (int i = 0; i < MAX_POOL && !s; i++)
        if (!j->pool[i].busy) {
            s = &j->pool[i];
            s->busy = 1;
        }
    pthread_mutex_unlock(&j->mu);
    if (s && !s->eta) {
        s->eta = dm_raster_alloc(j->ncore);
        s->x = dm_raster_alloc(j->ncore);
        s->mask = dm_raster_alloc(j->ncore);
        s->items = dm_raster_alloc(j->ncore);
        s->w0 = dm_raster_alloc(j->nwin);
        s->w1 = dm_raster_alloc(j->nwin);
        s->w2 = dm_raster_alloc(j->nwin);
        s->hist = calloc(P_BINS, sizeof *s->hist);
    }
    if (s && (!s->eta || !s->x || !s->mask || !s->items || !s->w0 || !s->w1 || !s->w2 ||
              !s->hist)) {
        pthread_mutex_lock(&j->mu);
        s->busy = 0;
        pthread_mutex_unlock(&j->mu);
        return NULL;
    }
    return s;
}

static void scratch_put(job *j, scratch *s)
{
    pthread_mutex_lock(&j->mu);
    s->busy = 0;
    pthread_mutex_unlock(&j->mu);
}

static void scratch_free(job *j)
{
    for (int i = 0; i < MAX_POOL; i++) {
        scratch *s = &j->pool[i];
        dm_raster_free(s->eta, j->ncore);
        dm_raster_free(s->x, j->ncore);
        dm_raster_free(s->mask, j->ncore);
        dm_raster_free(s->items, j->ncore);
        dm_raster_free(s->w0, j->nwin);
        dm_raster_free(s->w1, j->nwin);
        dm_raster_free(s->w2, j->nwin);
        free(s->hist);
    }
}

/* The p above which lie the highest shares of the mapped cells, from the
 * workers' histograms. */
static void top_thresholds(const job *j, dm_risk_stats *stats)
{
    static const double shares[DM_RISK_TOP_N] = {0.01, 0.05, 0.10, 0.20, 0.50};
    uint64_t *h = calloc(P_BINS, sizeof *h);
    uint64_t n = 0;
    for (int i = 0; i < MAX_POOL; i++)
        for (unsigned b = 0; h && j->pool[i].hist && b < P_BINS; b++) {
            h[b] += j->pool[i].hist[b];
            n += j->pool[i].hist[b];
        }
    for (int k = 0; k < DM_RISK_TOP_N; k++) {
        stats->top_share[k] = shares[k];
        stats->top_p[k] = NAN;
        if (!h || !n)
            continue;
        double need = shares[k] * (double)n;
        uint64_t cum = 0;
        for (unsigned b = P_BINS; b-- > 0;) {
            cum += h[b];
            if ((double)cum >= need) {
                stats->top_p[k] = p_bin_floor(b);
                break;
            }
        }
    }
    free(h);
}

static void job_fail(job *j, dm_ctx *wctx, dm_status st)
{
    pthread_mutex_lock(&j->mu);
    if (!j->st) {
        j->st = st;
        dm__strlcpy(j->msg, dm_ctx_errmsg(wctx), sizeof j->msg);
    }
    pthread_mutex_unlock(&j->mu);
}

static int overlaps(const double *b, const dm_grid *w, double pad)
{
    double x1 = w->x0 + w->nx * w->cell, y0 = w->y0 - w->ny * w->cell;
    return !(b[2] < w->x0 - pad || b[0] > x1 + pad || b[3] < y0 - pad || b[1] > w->y0 + pad);
}

/* Age of evidence in years before the reference day (0 when undated). */
static double age_years(const dm_evidence *e, long ref_days)
{
    if (!e->date[0] || ref_days < 0)
        return 0;
    double a = (ref_days - dm_date_days(e->date)) / 365.25;
    return a > 0 ? a : 0;
}

static int term_uses(const dm_risk_term *t, const dm_evidence *e, unsigned disabled, long ref_days)
{
    if (!(t->kinds & (1u << e->kind)) || (disabled & (1u << e->kind)))
        return 0;
    if (t->cls[0] && dm__strcasecmp(t->cls, e->cls))
        return 0;
    if (t->n_codes) {
        int ok = 0;
        for (int i = 0; i < t->n_codes; i++)
            ok |= t->codes[i] == e->code;
        if (!ok)
            return 0;
    }
    if (t->max_age_y > 0 && age_years(e, ref_days) > t->max_age_y)
        return 0;
    return 1;
}

/* A term's `codes` that none of the evidence of its kinds has: most likely
 * a typo in the model (codes [9] for [8]), and with none matched the term
 * is flat. Say so, with the codes that evidence has. Silent when there is
 * no evidence of its kinds at all (a term the data has nothing for, as the
 * default model's detections). */
static void warn_codes_unmatched(dm_ctx *ctx, const dm_risk_term *t, const dm_evidence_set *ev,
                                 const unsigned char *skip, unsigned disabled, long ref_days)
{
    dm_risk_term any = *t;
    any.n_codes = 0;
    int val[16];
    size_t cnt[16], nv = 0, n = 0, other = 0;
    for (size_t i = 0; i < ev->n; i++) {
        if ((skip && skip[i]) || !term_uses(&any, &ev->v[i], disabled, ref_days))
            continue;
        n++;
        size_t k = 0;
        while (k < nv && val[k] != ev->v[i].code)
            k++;
        if (k == nv) {
            if (nv == 16) {
                other++;
                continue;
            }
            val[nv] = ev->v[i].code, cnt[nv++] = 0;
        }
        cnt[k]++;
    }
    if (!n)
        return;
    char want[96] = "", seen[400] = "", kinds[120] = "";
    size_t len = 0;
    int n_missing = 0;
    for (int c = 0; c < t->n_codes && len + 1 < sizeof want; c++) {
        size_t k = 0;
        while (k < nv && val[k] != t->codes[c])
            k++;
        if (k < nv)
            continue;
        n_missing++;
        len += (size_t)snprintf(want + len, sizeof want - len, "%s%d", len ? ", " : "",
                                t->codes[c]);
    }
    if (!n_missing)
        return;
    for (size_t a = 1; a < nv; a++) /* codes in order */
        for (size_t b = a; b > 0 && val[b] < val[b - 1]; b--) {
            int tv = val[b];
            size_t tc = cnt[b];
            val[b] = val[b - 1], cnt[b] = cnt[b - 1];
            val[b - 1] = tv, cnt[b - 1] = tc;
        }
    len = 0;
    for (size_t k = 0; k < nv && len + 1 < sizeof seen; k++) {
        int w = val[k] < 0 ? snprintf(seen + len, sizeof seen - len, "%snone (%zu)", k ? ", " : "",
                                      cnt[k])
                           : snprintf(seen + len, sizeof seen - len, "%s%d (%zu)", k ? ", " : "",
                                      val[k], cnt[k]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (other && len + 1 < sizeof seen)
        snprintf(seen + len, sizeof seen - len, ", %zu with other codes", other);
    len = 0;
    for (int k = 0; k < DM_EV_KIND_COUNT && len + 1 < sizeof kinds; k++)
        if (t->kinds & (1u << k))
            len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s", len ? "/" : "",
                                    dm_ev_kind_name((dm_ev_kind)k));
    dm__log(ctx, DM_LOG_WARN,
            "model term '%s': field 'codes': %s match%s none of the %zu %s evidence it would read "
            "(codes there: %s)%s",
            t->name, want, n_missing > 1 ? "" : "es", n, kinds, seen,
            n_missing == t->n_codes ? ": the term is flat" : "");
}

/* The weight of one event in a term: reliability x quantity x time decay. */
static double ev_weight(const dm_risk_term *t, const dm_evidence *e, long ref_days)
{
    double w = e->weight * (e->value > 0 ? e->value : 1);
    if (t->half_life_y > 0)
        w *= pow(0.5, age_years(e, ref_days) / t->half_life_y);
    return w;
}

/* Burn an event of weight w into a kernel's working window. A line or
 * polygon event (an accident's area, a suspected minefield drawn as a
 * polygon) is one event: burnt at full weight into every cell it covers, it
 * counted once per working cell (a polygon of 1 km2 weighed as hundreds of
 * accidents, more the finer the kernel's cells), and one smaller than a
 * cell could cover no cell centre and vanish. Its weight is spread over the
 * cells it covers (about its area / cell2, a line's |dx| + |dy| / cell), and
 * one covering under 4 cells is burnt at the mean of its vertices. Points
 * (a MultiPoint: each) burn as they are; in a collection of points and
 * lines or polygons each point takes one cell's share. The counts come from the whole
 * geometry, so every tile spreads it alike. */
static void burn_event(const dm_grid *wg, const dm_coords *c, double w, float *buf)
{
    double area = 0, len = 0, sx = 0, sy = 0;
    size_t pts = 0, nv = 0;
    for (size_t p = 0; p < c->n_parts; p++) {
        size_t a = c->start[p], b = c->start[p + 1];
        if (c->kind[p] == 0) {
            pts += b - a;
            continue;
        }
        double ring = 0;
        for (size_t k = a; k < b; k++) {
            sx += c->xy[2 * k], sy += c->xy[2 * k + 1], nv++;
            if (k + 1 == b)
                break;
            double x0 = c->xy[2 * k], y0 = c->xy[2 * k + 1], x1 = c->xy[2 * k + 2], y1 = c->xy[2 * k + 3];
            if (c->kind[p] == 1)
                len += fabs(x1 - x0) + fabs(y1 - y0);
            else
                ring += x0 * y1 - x1 * y0;
        }
        if (c->kind[p] >= 2)
            area += (c->kind[p] == 2 ? 0.5 : -0.5) * fabs(ring);
    }
    if (!nv) {
        dm_burn_coords(wg, c, (float)w, DM_BURN_ADD, 0, buf);
        return;
    }
    double cells = (area > 0 ? area : 0) / (wg->cell * wg->cell) + len / wg->cell;
    if (cells < 4) {
        /* lines and polygons too small to spread: their share at the mean of
         * their vertices; points alongside them (a collection) each their own */
        double pt[2] = {sx / (double)nv, sy / (double)nv};
        size_t st[2] = {0, 1};
        unsigned char k0 = 0;
        dm_coords one = {pt, 1, st, &k0, 1};
        double share = w / (1.0 + (double)pts);
        dm_burn_coords(wg, &one, (float)share, DM_BURN_ADD, 0, buf);
        for (size_t p = 0; pts && p < c->n_parts; p++) {
            if (c->kind[p] != 0)
                continue;
            size_t a = c->start[p], n = c->start[p + 1] - a;
            size_t sp[2] = {0, n};
            dm_coords part = {c->xy + 2 * a, n, sp, &k0, 1};
            dm_burn_coords(wg, &part, (float)share, DM_BURN_ADD, 0, buf);
        }
        return;
    }
    dm_burn_coords(wg, c, (float)(w / (cells + (double)pts)), DM_BURN_ADD, 0, buf);
}

/* Bilinear interpolation from a working window (wnx x wny, origin at
 * working cell (ci0, cj0)) to the core (nx x ny at output cell (i0, j0)). */
static void upsample(const float *wbuf, int wnx, int wny, int ci0, int cj0, int m, int i0, int j0,
                     int nx, int ny, float *out)
{
    if (m == 1) {
        for (int y = 0; y < ny; y++)
            memcpy(out + (size_t)y * nx, wbuf + (size_t)(j0 + y - cj0) * wnx + (i0 - ci0),
                   (size_t)nx * sizeof *out);
        return;
    }
    int *ia = malloc((size_t)nx * sizeof *ia);
    float *fa = malloc((size_t)nx * sizeof *fa);
    if (!ia || !fa) { /* cannot happen for tile sizes; fall back to nearest */
        free(ia), free(fa);
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
                out[(size_t)y * nx + x] =
                    wbuf[(size_t)((j0 + y) / m - cj0) * wnx + ((i0 + x) / m - ci0)];
        return;
    }
    for (int x = 0; x < nx; x++) {
        double u = (i0 + x + 0.5) / m - 0.5 - ci0;
        int a = (int)floor(u);
        double fx = u - a;
        if (a < 0) a = 0, fx = 0;
        if (a >= wnx - 1) a = wnx - 2, fx = 1;
        ia[x] = a;
        fa[x] = (float)fx;
    }
    for (int y = 0; y < ny; y++) {
        double v = (j0 + y + 0.5) / m - 0.5 - cj0;
        int b = (int)floor(v);
        double fy = v - b;
        if (b < 0) b = 0, fy = 0;
        if (b >= wny - 1) b = wny - 2, fy = 1;
        const float *r0 = wbuf + (size_t)b * wnx, *r1 = r0 + wnx;
        float gy = (float)fy, *o = out + (size_t)y * nx;
        for (int x = 0; x < nx; x++) {
            int a = ia[x];
            float top = r0[a] + fa[x] * (r0[a + 1] - r0[a]);
            float bot = r1[a] + fa[x] * (r1[a + 1] - r1[a]);
            o[x] = top + gy * (bot - top);
        }
    }
    free(ia);
    free(fa);
}

/* A kernel narrower than a few output cells: computed on sub x sub cells per
 * output cell and averaged, i.e. the Gaussian integrated over each cell. */
static dm_status kernel_fine(job *j, dm_ctx *wctx, const term_plan *tp, const dm_tile *tl, float *x,
                             scratch *sc)
{
    const dm_risk_term *t = tp->t;
    int S = tp->sub, H = tp->halo;
    dm_grid fg = *j->g;
    fg.cell = j->g->cell / S;
    dm_grid wg = dm_grid_window(&fg, tl->i0 * S - H, tl->j0 * S - H, tl->nx * S + 2 * H,
                                tl->ny * S + 2 * H);
    size_t wn = (size_t)wg.nx * wg.ny;
    if (wn > j->nwin)
        return dm__fail(wctx, DM_EINTERNAL, "window of %zu cells exceeds the plan (%zu)", wn, j->nwin);
    float *buf = sc->w0;
    memset(buf, 0, wn * sizeof *buf);
    for (size_t s = 0; s < tp->n_src; s++) {
        double pb[4];
        if (overlaps(gev_bounds(j, tp->src[s], pb), &wg, fg.cell)) {
            const dm_evidence *it;
            dm_coords c = gev_coords(j, tp->src[s], &it);
            burn_event(&wg, &c, ev_weight(t, it, j->ref_days) * (tp->place_w ? tp->place_w[s] : 1), buf);
        }
    }
    double sig = t->width_m / fg.cell;
    dm_status st = dm_gauss_blur_ws(wctx, buf, sc->w2, wg.nx, wg.ny, sig, 1);
    if (st)
        return st;
    double f = 2 * M_PI * sig * sig / ((double)S * S);
    for (int y = 0; y < tl->ny; y++)
        for (int xx = 0; xx < tl->nx; xx++) {
            double sum = 0;
            for (int b = 0; b < S; b++) {
                const float *r = buf + (size_t)(H + y * S + b) * wg.nx + H + xx * S;
                for (int a = 0; a < S; a++)
                    sum += r[a];
            }
            x[(size_t)y * tl->nx + xx] = log1pf((float)(sum > 0 ? sum * f : 0));
        }
    return DM_OK;
}

/* The band a covariate term reads: cv->band of cv->path (0: 1). A band the
 * raster has not is an error; band 1 of several taken because none was
 * named gets a warning with the band count. A band after the first is
 * read through GDAL's vrt:// connection, returned in *vrt (dm_free). */
static dm_status covariate_band(dm_ctx *ctx, const dm_risk_term *t, const dm_risk_covariate *cv,
                                int warn, char **vrt)
{
    *vrt = NULL;
    if (cv->band < 0)
        return dm__fail(ctx, DM_EINVAL, "covariate '%s' (%s): band %d: bands count from 1",
                        cv->name, cv->path, cv->band);
    /* a pipe would keep the map waiting for a writer for ever */
    if (dm__refuse_special_file(ctx, cv->path, NULL, "give that"))
        return dm__wrap(ctx, "covariate '%s'", cv->name);
    dm__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(cv->path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds) /* reading it says why */
        return DM_OK;
    int nb = GDALGetRasterCount(ds);
    GDALClose(ds);
    if (cv->band > nb)
        return dm__fail(ctx, DM_EINVAL,
                        "covariate '%s' (%s): no band %d: the raster has %d band%s", cv->name,
                        cv->path, cv->band, nb, nb == 1 ? "" : "s");
    if (!cv->band && nb > 1 && warn)
        dm__log(ctx, DM_LOG_WARN,
                "covariate '%s' (%s): the raster has %d bands; term '%s' reads band 1 (name "
                "another as %s=%s:BAND)",
                cv->name, cv->path, nb, t->name, cv->name, cv->path);
    if (cv->band <= 1)
        return DM_OK;
    if (strchr(cv->path, '?'))
        return dm__fail(ctx, DM_EINVAL,
                        "covariate '%s' (%s): band %d cannot be picked from a file whose name "
                        "holds '?': rename it, or copy the band out (gdal_translate -b %d)",
                        cv->name, cv->path, cv->band, cv->band);
    size_t n = strlen(cv->path) + 32;
    if (!(*vrt = dm_malloc(ctx, n)))
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    snprintf(*vrt, n, "vrt://%s?bands=%d", cv->path, cv->band);
    return DM_OK;
}

/* Raw term values x over the tile core. */
static dm_status term_tile(job *j, dm_ctx *wctx, const term_plan *tp, const dm_tile *tl,
                           float *x, scratch *sc)
{
    const dm_risk_term *t = tp->t;
    const dm_grid *g = j->g;
    size_t ncore = (size_t)tl->nx * tl->ny;
    dm_grid core = dm_grid_window(g, tl->i0, tl->j0, tl->nx, tl->ny);
    if (t->type == DM_TERM_COVARIATE) {
        if (!tp->cov_path) {
            for (size_t k = 0; k < ncore; k++)
                x[k] = (float)t->mean;
            return DM_OK;
        }
        dm_status st = dm_raster_warp(wctx, tp->cov_path, &core, x);
        if (st)
            return st;
        /* counted inside the area only: the cells around it are nodata in
         * the map, and a raster of the area alone gave every map a warning
         * of 40 % of cells without a value */
        size_t nan = 0, neg = 0, cells = 0;
        for (size_t k = 0; k < ncore; k++) {
            int in = sc->mask[k] > 0;
            cells += in;
            /* beyond 1e30: a nodata the raster does not declare (-3.4e38) */
            if (!isfinite(x[k]) || fabsf(x[k]) >= 1e30f) {
                x[k] = (float)t->mean; /* documented: missing covariate = average */
                nan += in;
            } else if (t->log1p) {
                neg += in && x[k] < 0;
                x[k] = log1pf(x[k] > 0 ? x[k] : 0);
            }
        }
        term_plan *mp = &j->plans[tp - j->plans];
        pthread_mutex_lock(&j->mu);
        mp->cov_cells += cells;
        mp->cov_nan += nan;
        mp->cov_neg += neg;
        pthread_mutex_unlock(&j->mu);
        return DM_OK;
    }
    if (t->type == DM_TERM_DETECTION) {
        memset(x, 0, ncore * sizeof *x);
        for (size_t s = 0; s < tp->n_src; s++) {
            const dm_evidence *it;
            dm_coords c = gev_coords(j, tp->src[s], &it);
            double sig = it->sigma_m > 0 ? it->sigma_m : 2.0;
            double s2 = sig * sig + g->cell * g->cell / 12.0;
            double reach = 4.0 * sqrt(s2) + g->cell, pb[4];
            if (!overlaps(gev_bounds(j, tp->src[s], pb), &core, reach))
                continue;
            double lam = (it->fa_ha > 0 ? it->fa_ha : 1.0) / 1e4;
            double pd = it->p_detect > 0 ? it->p_detect : 0.8;
            double wgt = it->weight > 0 ? it->weight : 1.0;
            for (size_t k = 0; k < it->xy.n_xy; k++) {
                double px = c.xy[2 * k], py = c.xy[2 * k + 1];
                int ia = (int)floor((px - reach - core.x0) / g->cell), ib = (int)floor((px + reach - core.x0) / g->cell);
                int ja = (int)floor((core.y0 - py - reach) / g->cell), jb = (int)floor((core.y0 - py + reach) / g->cell);
                if (ia < 0) ia = 0;
                if (ja < 0) ja = 0;
                if (ib >= tl->nx) ib = tl->nx - 1;
                if (jb >= tl->ny) jb = tl->ny - 1;
                for (int jj = ja; jj <= jb; jj++)
                    for (int ii = ia; ii <= ib; ii++) {
                        double cx = core.x0 + (ii + 0.5) * g->cell, cy = core.y0 - (jj + 0.5) * g->cell;
                        double d2 = (cx - px) * (cx - px) + (cy - py) * (cy - py);
                        double phi = exp(-d2 / (2 * s2)) / (2 * M_PI * s2);
                        x[(size_t)jj * tl->nx + ii] += (float)log1p(wgt * pd * phi / lam);
                    }
            }
        }
        return DM_OK;
    }
    if (t->type == DM_TERM_KERNEL && tp->sub > 1)
        return kernel_fine(j, wctx, tp, tl, x, sc);
    /* working window */
    int m = tp->m, H = tp->halo;
    /* coarse cells are aligned to the anchor grid's origin (the grid's own
     * unless it is a window of a larger map), so that a window computes what
     * the whole map does */
    int ti0 = tl->i0 + j->ai, tj0 = tl->j0 + j->aj;
    int ci0 = (int)floor((double)ti0 / m) - 1 - H, cj0 = (int)floor((double)tj0 / m) - 1 - H;
    int ci1 = (int)ceil((double)(ti0 + tl->nx) / m) + 1 + H;
    int cj1 = (int)ceil((double)(tj0 + tl->ny) / m) + 1 + H;
    dm_grid cg = *g;
    cg.cell = g->cell * m;
    cg.x0 = g->x0 - j->ai * g->cell;
    cg.y0 = g->y0 + j->aj * g->cell;
    dm_grid wg = dm_grid_window(&cg, ci0, cj0, ci1 - ci0, cj1 - cj0);
    size_t wn = (size_t)wg.nx * wg.ny;
    if (wn > j->nwin)
        return dm__fail(wctx, DM_EINTERNAL, "window of %zu cells exceeds the plan (%zu)", wn, j->nwin);
    float *buf = sc->w0, *ins = NULL;
    dm_status st = DM_OK;
    double C = cg.cell;
    switch (t->type) {
    case DM_TERM_KERNEL: {
        memset(buf, 0, wn * sizeof *buf);
        for (size_t s = 0; s < tp->n_src; s++) {
            double pb[4];
            if (overlaps(gev_bounds(j, tp->src[s], pb), &wg, C)) {
                const dm_evidence *it;
                dm_coords c = gev_coords(j, tp->src[s], &it);
                burn_event(&wg, &c, ev_weight(t, it, j->ref_days) * (tp->place_w ? tp->place_w[s] : 1),
                           buf);
            }
        }
        double sig = t->width_m / C;
        st = dm_gauss_blur_ws(wctx, buf, sc->w2, wg.nx, wg.ny, sig, 1);
        double f = 2 * M_PI * sig * sig;
        for (size_t k = 0; k < wn; k++)
            buf[k] = log1pf((float)(buf[k] > 0 ? buf[k] * f : 0));
        break;
    }
    case DM_TERM_DISTANCE:
    case DM_TERM_AREA: {
        if (!tp->n_src && t->type == DM_TERM_DISTANCE && t->cls[0]) {
            /* no map feature of its class in the whole evidence (no front
             * line mapped at all): unknown, not far from everything, which
             * lowered every cell by the term's whole weight (the default
             * model's two feature distances: 36 times). The distance to
             * past events stays capped when there are none: the first find
             * would otherwise lower every hazard away from it 10 times. */
            memset(buf, 0, wn * sizeof *buf);
            break;
        }
        for (size_t k = 0; k < wn; k++)
            buf[k] = 1.0f;
        double cap = t->type == DM_TERM_DISTANCE ? t->width_m : 3.0 * t->width_m;
        if (t->type == DM_TERM_AREA) {
            ins = sc->w1;
            memset(ins, 0, wn * sizeof *ins);
        }
        for (size_t s = 0; s < tp->n_src; s++) {
            double pb[4];
            if (!overlaps(gev_bounds(j, tp->src[s], pb), &wg, cap + C))
                continue;
            const dm_evidence *it;
            dm_coords c = gev_coords(j, tp->src[s], &it);
            dm_burn_coords(&wg, &c, 0.0f, DM_BURN_SET, 1, buf);
            if (ins)
                dm_burn_coords(&wg, &c, (float)(it->weight > 0 ? it->weight : 0.01),
                               DM_BURN_MAX, 0, ins);
        }
        st = dm_edt(wctx, buf, wg.nx, wg.ny, (float)(cap / C), 1);
        if (st)
            break;
        if (t->type == DM_TERM_DISTANCE) {
            double scl = t->scale_m > 0 ? t->scale_m : 100;
            for (size_t k = 0; k < wn; k++)
                buf[k] = log1pf((float)(buf[k] * C / scl));
        } else {
            double band = t->width_m > 0 ? t->width_m : C;
            for (size_t k = 0; k < wn; k++) {
                double d = buf[k] * C;
                buf[k] = ins[k] > 0 ? ins[k]
                         : d >= cap ? 0.0f
                                    : (float)(tp->wmean * exp(-d / band));
            }
        }
        break;
    }
    case DM_TERM_CLEARED: {
        memset(buf, 0, wn * sizeof *buf);
        for (size_t s = 0; s < tp->n_src; s++) {
            double pb[4];
            if (overlaps(gev_bounds(j, tp->src[s], pb), &wg, C)) {
                const dm_evidence *it;
                dm_coords c = gev_coords(j, tp->src[s], &it);
                double p = it->p_detect > 0 ? it->p_detect : 0.5;
                if (p > 0.999)
                    p = 0.999;
                dm_burn_coords(&wg, &c, (float)log1p(-p * (it->weight > 0 ? it->weight : 1)),
                               DM_BURN_ADD, 0, buf);
            }
        }
        break;
    }
    default:
        break;
    }
    if (!st)
        upsample(buf, wg.nx, wg.ny, ci0, cj0, m, ti0, tj0, tl->nx, tl->ny, x);
    return st;
}

static void tile_worker(void *arg, size_t k)
{
    job *j = arg;
    if (j->st)
        return;
    const dm_tile *tl = &j->tiles[k];
    const dm_grid *g = j->g;
    dm_ctx *wctx = dm_ctx_new();
    if (!wctx) {
        pthread_mutex_lock(&j->mu);
        if (!j->st) {
            j->st = DM_ENOMEM;
            dm__strlcpy(j->msg, "out of memory", sizeof j->msg);
        }
        pthread_mutex_unlock(&j->mu);
        return;
    }
    size_t n = (size_t)tl->nx * tl->ny;
    if (j->zones_only) { /* only zone summaries wanted: skip tiles without a zone */
        dm_grid cw = dm_grid_window(g, tl->i0, tl->j0, tl->nx, tl->ny);
        int any = 0;
        for (size_t z = 0; z < j->n_zones && !any; z++)
            any = overlaps(j->zones[z].b, &cw, 0);
        if (!any) {
            pthread_mutex_lock(&j->mu);
            j->done++;
            pthread_mutex_unlock(&j->mu);
            dm_ctx_free(wctx);
            return;
        }
    }
    scratch *sc = scratch_get(j);
    dm_status st = DM_OK;
    if (!sc) {
        st = dm__fail(wctx, DM_ENOMEM, "out of memory for a tile of %d x %d", tl->nx, tl->ny);
        goto out;
    }
    float *eta = sc->eta, *x = sc->x, *mask = sc->mask, *items = sc->items;
    dm_grid core = dm_grid_window(g, tl->i0, tl->j0, tl->nx, tl->ny);
    /* the area first: a covariate's missing values are counted inside it */
    if (j->has_aoi) {
        memset(mask, 0, n * sizeof *mask);
        dm_burn_coords(&core, &j->aoi, 1.0f, DM_BURN_SET, 0, mask);
    } else
        for (size_t c = 0; c < n; c++)
            mask[c] = 1.0f;
    for (size_t c = 0; c < n; c++)
        eta[c] = (float)j->model->intercept;
    for (size_t t = 0; t < j->n_plans && !st; t++) {
        const term_plan *tp = &j->plans[t];
        st = term_tile(j, wctx, tp, tl, x, sc);
        if (st)
            break;
        if (j->p->x_out && j->p->x_out[tp->idx]) {
            float *dst = j->p->x_out[tp->idx];
            for (int y = 0; y < tl->ny; y++)
                memcpy(dst + (size_t)(tl->j0 + y) * g->nx + tl->i0, x + (size_t)y * tl->nx,
                       (size_t)tl->nx * sizeof *x);
        }
        double w = tp->t->weight / tp->t->sd, mu = tp->t->mean;
        for (size_t c = 0; c < n; c++)
            eta[c] += (float)(w * (x[c] - mu));
    }
    if (st)
        goto out;
    /* eta -> p at the reference cell -> intensity per hectare -> p at this cell */
    double sum = 0, mx = 0;
    size_t cnt = 0;
    for (size_t c = 0; c < n; c++) {
        double e = eta[c];
        double lam_ref = e > 30 ? e : log1p(exp(e)); /* -log(1 - sigmoid(e)) */
        double ih = lam_ref * j->lam_scale;          /* items per hectare */
        if (j->spot_b > 0)
            ih = j->spot_f * pow(ih, j->spot_b);
        double pc = -expm1(-ih * j->cell_ha / j->cluster);
        if (mask[c] > 0) {
            eta[c] = (float)pc;
            items[c] = (float)ih;
            sum += pc;
            if (pc > mx)
                mx = pc;
            cnt++;
        } else {
            eta[c] = NODATA;
            items[c] = NODATA;
        }
    }
    /* the legend's histogram, in a pass of its own: inside the loop above
     * it slowed the whole map by a fifth (3.9 -> 4.8 s for 21 M cells) */
    for (size_t c = 0; c < n; c++)
        if (mask[c] > 0)
            sc->hist[p_bin(eta[c])]++;
    for (int y = 0; y < tl->ny; y++) {
        float *pr = eta + (size_t)y * tl->nx, *ir = items + (size_t)y * tl->nx;
        size_t off = (size_t)(tl->j0 + y) * g->nx + tl->i0;
        for (int xx = 0; xx < tl->nx; xx++) {
            int in = pr[xx] != NODATA;
            if (j->p->p_out)
                j->p->p_out[off + xx] = in ? pr[xx] : NAN;
            if (j->p->items_out)
                j->p->items_out[off + xx] = in ? ir[xx] : NAN;
        }
    }
    /* zones: mean intensity over the cells whose centre is inside each
     * polygon (over the cells it touches when it is smaller than a cell) */
    for (size_t z = 0; z < j->n_zones; z++) {
        const double *b = j->zones[z].b;
        if (!overlaps(b, &core, 0))
            continue;
        int za = (int)floor((b[0] - core.x0) / g->cell), zb = (int)floor((b[2] - core.x0) / g->cell);
        int zc = (int)floor((core.y0 - b[3]) / g->cell), zd = (int)floor((core.y0 - b[1]) / g->cell);
        za = za < 0 ? 0 : za, zc = zc < 0 ? 0 : zc;
        zb = zb >= tl->nx ? tl->nx - 1 : zb, zd = zd >= tl->ny ? tl->ny - 1 : zd;
        if (za > zb || zc > zd)
            continue;
        dm_grid zw = dm_grid_window(&core, za, zc, zb - za + 1, zd - zc + 1);
        size_t zn = dm_grid_cells(&zw);
        double acc[4] = {0, 0, 0, 0}; /* centre sum, count; touched sum, count */
        for (int pass = 0; pass < 2; pass++) {
            memset(x, 0, zn * sizeof *x);
            dm_burn_coords(&zw, &j->zones[z].xy, 1.0f, DM_BURN_SET, pass, x);
            for (int y = 0; y < zw.ny; y++)
                for (int xx = 0; xx < zw.nx; xx++) {
                    float v = items[(size_t)(zc + y) * tl->nx + za + xx];
                    if (x[(size_t)y * zw.nx + xx] > 0 && v != NODATA) {
                        acc[2 * pass] += v;
                        acc[2 * pass + 1] += 1;
                    }
                }
            if (acc[1] > 0)
                break; /* centres found: no need for the touched cells */
        }
        pthread_mutex_lock(&j->mu);
        for (int q = 0; q < 4; q++)
            j->zacc[4 * z + q] += acc[q];
        pthread_mutex_unlock(&j->mu);
    }
    pthread_mutex_lock(&j->mu);
    if (j->w && !j->st) {
        st = dm_gtiff_write(j->w, 1, tl->i0, tl->j0, tl->nx, tl->ny, eta);
        if (!st)
            st = dm_gtiff_write(j->w, 2, tl->i0, tl->j0, tl->nx, tl->ny, items);
        if (st && !j->st) {
            j->st = st;
            dm__strlcpy(j->msg, dm_ctx_errmsg(j->ctx), sizeof j->msg);
        }
        st = DM_OK;
    }
    j->sum_p += sum;
    j->n_p += cnt;
    if (mx > j->max_p)
        j->max_p = mx;
    j->done++;
    dm__progress(j->ctx, j->p->stage ? j->p->stage : "risk map", j->done, j->n_tiles);
    pthread_mutex_unlock(&j->mu);
out:
    if (st)
        job_fail(j, wctx, st);
    if (sc)
        scratch_put(j, sc);
    dm_ctx_free(wctx);
}

/* Area of the polygon rings of c (outer rings minus holes), planar. */
static double ring_area(const dm_coords *c)
{
    double total = 0;
    for (size_t p = 0; p < c->n_parts; p++) {
        if (c->kind[p] < 2)
            continue;
        double a = 0;
        size_t s0 = c->start[p], e = c->start[p + 1];
        for (size_t k = s0; k < e; k++) {
            size_t k2 = k + 1 < e ? k + 1 : s0;
            a += c->xy[2 * k] * c->xy[2 * k2 + 1] - c->xy[2 * k2] * c->xy[2 * k + 1];
        }
        total += (c->kind[p] == 2 ? 1 : -1) * fabs(a) / 2;
    }
    return total > 0 ? total : 0;
}

/* Copy coordinates and transform them into the grid's CRS. */
static dm_status to_grid(dm_ctx *ctx, dm_transform *tr, const dm_coords *in, dm_coords *out,
                         double b[4])
{
    memset(out, 0, sizeof *out);
    size_t n = in->n_xy;
    out->xy = dm_malloc(ctx, (n ? n : 1) * 2 * sizeof *out->xy);
    out->start = dm_malloc(ctx, (in->n_parts + 1) * sizeof *out->start);
    out->kind = dm_malloc(ctx, (in->n_parts ? in->n_parts : 1));
    double *xs = dm_malloc(ctx, (n ? n : 1) * 2 * sizeof *xs);
    if (!out->xy || !out->start || !out->kind || !xs) {
        dm_free(ctx, xs);
        dm_coords_free(ctx, out);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    out->n_xy = n;
    out->n_parts = in->n_parts;
    memcpy(out->start, in->start, (in->n_parts + 1) * sizeof *out->start);
    if (in->n_parts)
        memcpy(out->kind, in->kind, in->n_parts);
    double *ys = xs + n;
    for (size_t k = 0; k < n; k++) {
        xs[k] = in->xy[2 * k];
        ys[k] = in->xy[2 * k + 1];
    }
    dm_status st = n ? dm_transform_xy(tr, xs, ys, n) : DM_OK;
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (size_t k = 0; k < n && !st; k++) {
        out->xy[2 * k] = xs[k];
        out->xy[2 * k + 1] = ys[k];
        b[0] = fmin(b[0], xs[k]), b[1] = fmin(b[1], ys[k]);
        b[2] = fmax(b[2], xs[k]), b[3] = fmax(b[3], ys[k]);
    }
    dm_free(ctx, xs);
    if (st)
        dm_coords_free(ctx, out);
    return st;
}

/* The points being sorted by place_shares (per thread: maps may be made on
 * several threads at once): entry s of the order is point sel[s], at
 * pts[2 * sel[s]]. An order of 32-bit entries, not copies of the points,
 * keeps the sort to 4 bytes a point (10 million points map in 2 GB). */
static _Thread_local const double *sort_pts;
static _Thread_local const uint32_t *sort_sel;

static int cmp_place(const void *a, const void *b)
{
    const double *p = sort_pts + 2 * (size_t)sort_sel[*(const uint32_t *)a];
    const double *q = sort_pts + 2 * (size_t)sort_sel[*(const uint32_t *)b];
    return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] < q[1] ? -1 : p[1] > q[1] ? 1 : 0;
}

/* For the per_place kernels: each point of selection k gets 1/n, the n
 * being the points of the selection at exactly its place (a line or polygon
 * event 1). Stacks are common in reported data: in the Colombian events up
 * to 2012, 7,958 of 25,000 share their coordinates with at least 4 others
 * (rounded coordinates, village centres, one army unit's reports), up to 210
 * at one point. */
static dm_status place_shares(dm_ctx *ctx, job *j, size_t k)
{
    size_t n = j->n_sel[k], np = 0;
    float *w = dm_malloc(ctx, (n ? n : 1) * sizeof *w);
    uint32_t *ord = dm_malloc(ctx, (n ? n : 1) * sizeof *ord);
    if (!w || !ord) {
        dm_free(ctx, w), dm_free(ctx, ord);
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu evidence items", n);
    }
    for (size_t s = 0; s < n; s++) {
        w[s] = 1;
        if (!isnan(j->gpt[2 * (size_t)j->sel[k][s]]))
            ord[np++] = (uint32_t)s;
    }
    sort_pts = j->gpt;
    sort_sel = j->sel[k];
    qsort(ord, np, sizeof *ord, cmp_place);
    for (size_t a = 0, b; a < np; a = b) {
        for (b = a + 1; b < np && !cmp_place(&ord[a], &ord[b]); b++)
            ;
        for (size_t q = a; q < b; q++)
            w[ord[q]] = (float)(1.0 / (double)(b - a));
    }
    sort_pts = NULL;
    sort_sel = NULL;
    dm_free(ctx, ord);
    j->sel_place[k] = w;
    return DM_OK;
}

/* Whether two terms read the same evidence. */
static int same_selection(const dm_risk_term *a, const dm_risk_term *b)
{
    if (a->kinds != b->kinds || strcmp(a->cls, b->cls) || a->n_codes != b->n_codes ||
        a->max_age_y != b->max_age_y)
        return 0;
    for (int i = 0; i < a->n_codes; i++)
        if (a->codes[i] != b->codes[i])
            return 0;
    return 1;
}

/* The selections (bit k: j->sel[k]) that read evidence e. */
static uint64_t selections_of(const job *j, const term_plan *const *first, size_t i)
{
    const dm_evidence *e = &j->p->ev->v[i];
    uint64_t m = 0;
    if (j->p->ev_skip && j->p->ev_skip[i])
        return 0;
    for (size_t k = 0; k < j->n_sels; k++)
        if (term_uses(first[k]->t, e, j->p->disabled_kinds, j->ref_days))
            m |= (uint64_t)1 << k;
    return m;
}

static const double *gev_bounds(const job *j, uint32_t g, double pt[4])
{
    const double *p = j->gpt + 2 * (size_t)g;
    if (isnan(p[0]))
        return j->gpoly + (size_t)p[1];
    pt[0] = pt[2] = p[0];
    pt[1] = pt[3] = p[1];
    return pt;
}

/* Entry g's coordinates in the grid's CRS, to burn, and its item. */
static dm_coords gev_coords(const job *j, uint32_t g, const dm_evidence **item)
{
    const dm_evidence *e = &j->p->ev->v[j->gitem[g]];
    double *p = j->gpt + 2 * (size_t)g;
    dm_coords c = e->xy;
    c.xy = isnan(p[0]) ? j->gpoly + (size_t)p[1] + 4 : p;
    *item = e;
    return c;
}

/* The evidence the terms read, in the grid's CRS (one entry per item read
 * by any term, in the set's order: see gev_bounds), and each term's list of
 * the entries it reads, built once per distinct selection of evidence (the
 * default model's four terms of all events share one). Coordinates are
 * transformed in batches. */
static dm_status evidence_to_grid(dm_ctx *ctx, job *j, dm_transform *tr)
{
    const dm_evidence_set *ev = j->p->ev;
    const term_plan *first[DM_RISK_MAX_TERMS];
    int of_plan[DM_RISK_MAX_TERMS];
    for (size_t t = 0; t < j->n_plans; t++) {
        size_t k = 0;
        while (k < j->n_sels && !same_selection(first[k]->t, j->plans[t].t))
            k++;
        if (k == j->n_sels)
            first[j->n_sels++] = &j->plans[t];
        of_plan[t] = (int)k;
    }
    size_t n_ev = 0, n_poly = 0, n = ev ? ev->n : 0;
    if (n > UINT32_MAX) /* items are indexed in 32 bits */
        return dm__fail(ctx, DM_EINVAL, "risk map: %zu evidence items: at most %u can be mapped at once",
                        n, UINT32_MAX);
    for (size_t i = 0; i < n; i++) {
        const dm_evidence *e = &ev->v[i];
        uint64_t m = selections_of(j, first, i);
        if (!m)
            continue;
        n_ev++;
        if (e->xy.n_xy != 1)
            n_poly += 4 + 2 * e->xy.n_xy;
        for (size_t k = 0; k < j->n_sels; k++)
            j->n_sel[k] += (m >> k) & 1;
    }
    j->gitem = dm_malloc(ctx, (n_ev ? n_ev : 1) * sizeof *j->gitem);
    j->gpt = dm_malloc(ctx, (n_ev ? n_ev : 1) * 2 * sizeof *j->gpt);
    j->gpoly = dm_malloc(ctx, (n_poly ? n_poly : 1) * sizeof *j->gpoly);
    if (!j->gitem || !j->gpt || !j->gpoly)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu evidence items", n_ev);
    for (size_t k = 0; k < j->n_sels; k++) {
        if (!(j->sel[k] = dm_malloc(ctx, (j->n_sel[k] ? j->n_sel[k] : 1) * sizeof *j->sel[k])))
            return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu evidence items", n_ev);
        j->n_sel[k] = 0;
    }
    /* batches of about 64k coordinates (an item larger than that alone) */
    size_t bcap = 65536, nb = 0, at = 0, b0 = 0; /* b0: first item of the batch */
    double *bx = dm_malloc(ctx, 2 * bcap * sizeof *bx);
    if (!bx)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    for (size_t i = 0; i <= n && !st; i++) {
        const dm_evidence *e = i < n ? &ev->v[i] : NULL;
        uint64_t m = e ? selections_of(j, first, i) : 0;
        if (e && !m)
            continue;
        size_t c = e ? e->xy.n_xy : 0;
        if (nb && (!e || nb + c > bcap)) { /* transform the batch, then put it back */
            st = dm_transform_xy(tr, bx, bx + bcap, nb);
            if (st) { /* name the coordinate of its item, as one item at a time would */
                size_t bad = 0;
                sscanf(dm_ctx_errmsg(ctx), "coordinate %zu", &bad);
                for (size_t q = b0, o = 0; q < j->n_ev; o += ev->v[j->gitem[q++]].xy.n_xy)
                    if (bad > o && bad <= o + ev->v[j->gitem[q]].xy.n_xy) {
                        st = dm__fail(ctx, DM_EPROJ, "coordinate %zu cannot be transformed", bad - o);
                        break;
                    }
                break;
            }
            for (size_t q = b0, o = 0; q < j->n_ev; q++) {
                size_t cn = ev->v[j->gitem[q]].xy.n_xy;
                double *poly = cn != 1 ? j->gpoly + (size_t)j->gpt[2 * q + 1] : NULL;
                double *d = poly ? poly + 4 : j->gpt + 2 * q;
                double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
                for (size_t k = 0; k < cn; k++, o++) {
                    double x = bx[o], y = bx[bcap + o];
                    d[2 * k] = x, d[2 * k + 1] = y;
                    bb[0] = fmin(bb[0], x), bb[1] = fmin(bb[1], y);
                    bb[2] = fmax(bb[2], x), bb[3] = fmax(bb[3], y);
                }
                if (poly)
                    memcpy(poly, bb, sizeof bb);
            }
            nb = 0;
            b0 = j->n_ev;
        }
        if (!e)
            break;
        if (c > bcap) {
            double *nbx = dm_realloc(ctx, bx, 2 * c * sizeof *nbx);
            if (!nbx) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            bx = nbx, bcap = c;
        }
        j->gitem[j->n_ev] = (uint32_t)i;
        if (c != 1) {
            j->gpt[2 * j->n_ev] = NAN;
            j->gpt[2 * j->n_ev + 1] = (double)at;
            at += 4 + 2 * c;
        }
        for (size_t k = 0; k < c; k++, nb++) {
            bx[nb] = e->xy.xy[2 * k];
            bx[bcap + nb] = e->xy.xy[2 * k + 1];
        }
        for (size_t k = 0; k < j->n_sels; k++)
            if ((m >> k) & 1)
                j->sel[k][j->n_sel[k]++] = (uint32_t)j->n_ev;
        j->n_ev++;
    }
    dm_free(ctx, bx);
    if (st)
        return st;
    for (size_t t = 0; t < j->n_plans; t++) {
        size_t k = (size_t)of_plan[t];
        if (j->plans[t].t->per_place && !j->sel_place[k] && (st = place_shares(ctx, j, k)))
            return st;
        j->plans[t].src = j->sel[k];
        j->plans[t].n_src = j->n_sel[k];
        j->plans[t].place_w = j->plans[t].t->per_place ? j->sel_place[k] : NULL;
    }
    return DM_OK;
}

static size_t window_cells(int tile, int m, int sub, int halo)
{
    size_t side = (size_t)tile * (size_t)(sub > 1 ? sub : 1) / (size_t)m + 6 + 2 * (size_t)halo;
    return side * side;
}

dm_status dm_risk_map(dm_ctx *ctx, const dm_risk_model *m, const dm_risk_params *p,
                      dm_risk_stats *stats)
{
    double t0 = dm__seconds();
    if (stats)
        memset(stats, 0, sizeof *stats);
    const dm_grid *g = p->grid;
    if (!g || g->nx <= 0 || g->ny <= 0)
        return dm__fail(ctx, DM_EINVAL, "risk map: empty grid");
    job j;
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.model = m;
    j.p = p;
    j.g = g;
    j.ai = p->anchor_i, j.aj = p->anchor_j;
    pthread_mutex_init(&j.mu, NULL);
    dm_status st = DM_OK;
    dm_transform *tr = NULL;
    term_plan *plans = NULL;
    int threads = dm_ctx_threads(ctx);
    size_t limit = p->mem_limit ? p->mem_limit : ((size_t)2 << 30);
    /* plans */
    plans = dm_calloc(ctx, m->n_terms ? m->n_terms : 1, sizeof *plans);
    if (!plans) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    /* the calibration's passes (zone summaries only) say nothing the map
     * itself will not say: each warning once */
    int warn = !(!p->out_path && !p->p_out && !p->items_out && !p->x_out && p->zones &&
                 p->zones->n > 0);
    for (size_t i = 0; i < m->n_terms; i++) {
        const dm_risk_term *t = &m->terms[i];
        if (p->disabled_term && !strcmp(p->disabled_term, t->name))
            continue;
        term_plan *tp = &plans[j.n_plans];
        tp->t = t;
        tp->idx = (int)i;
        tp->m = 1;
        if (t->type == DM_TERM_COVARIATE) {
            const dm_risk_covariate *cv = NULL;
            for (size_t c = 0; c < p->n_cov; c++)
                if (!strcmp(p->cov[c].name, t->covariate))
                    cv = &p->cov[c];
            if (cv) {
                if ((st = covariate_band(ctx, t, cv, warn, &tp->cov_band)))
                    goto done;
                tp->cov_path = tp->cov_band ? tp->cov_band : cv->path;
                tp->cv = cv;
            }
            if (!tp->cov_path && !t->optional) {
                st = dm__fail(ctx, DM_EINVAL,
                              "model term '%s' needs covariate '%s': give --covariate %s=RASTER",
                              t->name, t->covariate, t->covariate);
                goto done;
            }
            if (!tp->cov_path && warn)
                dm__log(ctx, DM_LOG_WARN, "covariate '%s' not given: term '%s' set to its mean",
                        t->covariate, t->name);
        }
        if (t->type == DM_TERM_KERNEL) {
            tp->m = (int)floor(t->width_m / 6.0 / g->cell);
            if (tp->m < 1)
                tp->m = 1;
            tp->sub = 1;
            if (t->width_m < 4.0 * g->cell) /* integrate the kernel over each cell */
                tp->sub = (int)ceil(4.0 * g->cell / t->width_m) > 4 ? 4 : (int)ceil(4.0 * g->cell / t->width_m);
            tp->halo = dm_gauss_reach(t->width_m / (g->cell * tp->m / tp->sub)) + 1;
        } else if (t->type == DM_TERM_DISTANCE) {
            tp->m = (int)floor(t->width_m / 100.0 / g->cell); /* 1 % of the cap */
            if (tp->m < 1)
                tp->m = 1;
            tp->halo = (int)ceil(t->width_m / (g->cell * tp->m)) + 1;
        } else if (t->type == DM_TERM_AREA) {
            tp->halo = (int)ceil(3.0 * t->width_m / g->cell) + 1;
        }
        j.n_plans++;
    }
    j.plans = plans;
    /* reference date: given, or the latest evidence date */
    j.ref_days = -1;
    if (p->ref_date && p->ref_date[0])
        j.ref_days = dm_date_days(p->ref_date);
    else if (p->ev)
        for (size_t i = 0; i < p->ev->n; i++)
            if ((!p->ev_skip || !p->ev_skip[i]) && p->ev->v[i].date[0] &&
                dm_date_days(p->ev->v[i].date) > j.ref_days)
                j.ref_days = dm_date_days(p->ev->v[i].date);
    /* evidence to grid CRS */
    if ((st = dm_transform_new(ctx, "EPSG:4326", g->crs, &tr)))
        goto done;
    if ((st = evidence_to_grid(ctx, &j, tr)))
        goto done;
    for (size_t t = 0; t < j.n_plans; t++) {
        term_plan *tp = &j.plans[t];
        double ws = 0;
        for (size_t i = 0; i < tp->n_src; i++)
            ws += p->ev->v[j.gitem[tp->src[i]]].weight;
        tp->wmean = tp->n_src ? ws / tp->n_src : 0;
        if (tp->t->n_codes && p->ev && warn)
            warn_codes_unmatched(ctx, tp->t, p->ev, p->ev_skip, p->disabled_kinds, j.ref_days);
    }
    /* Terms that read no evidence add nothing. Usual for the built-in
     * model (no drone flown, no record handed over: said with -v); in a
     * model of one's own it is more likely a kind, class or age that the
     * data does not have, so warned. Said once, with every such term. */
    if (warn && p->ev) {
        char names[400] = "";
        size_t len = 0, none = 0;
        for (size_t t = 0; t < j.n_plans; t++) {
            const dm_risk_term *rt = j.plans[t].t;
            if (j.plans[t].n_src || rt->type == DM_TERM_COVARIATE || rt->weight == 0 || rt->n_codes)
                continue; /* codes have their own warning */
            none++;
            if (len + 1 < sizeof names) {
                int w = snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", rt->name);
                if (w > 0)
                    len += (size_t)w;
            }
        }
        if (none)
            dm__log(ctx, strcmp(m->name, "default") ? DM_LOG_WARN : DM_LOG_DEBUG,
                    "model '%s': %zu term%s read%s no evidence and add%s nothing to the map "
                    "(no evidence of %s kinds, class or age): %s",
                    m->name, none, none > 1 ? "s" : "", none > 1 ? "" : "s", none > 1 ? "" : "s",
                    none > 1 ? "their" : "its", names);
    }
    if (p->aoi) {
        dm_coords a;
        if ((st = dm_geom_coords(ctx, p->aoi, &a)))
            goto done;
        double b[4];
        st = to_grid(ctx, tr, &a, &j.aoi, b);
        dm_coords_free(ctx, &a);
        if (st)
            goto done;
        j.has_aoi = 1;
    }
    if (p->zones && p->zone_out) {
        j.zones = dm_calloc(ctx, p->zones->n ? p->zones->n : 1, sizeof *j.zones);
        if (!j.zones) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        j.zacc = dm_calloc(ctx, 4 * p->zones->n + 1, sizeof *j.zacc);
        j.zarea = dm_calloc(ctx, p->zones->n + 1, sizeof *j.zarea);
        if (!j.zacc || !j.zarea) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t z = 0; z < p->zones->n; z++) {
            memset(&p->zone_out[z], 0, sizeof p->zone_out[z]);
            if ((st = to_grid(ctx, tr, &p->zones->v[z].xy, &j.zones[z].xy, j.zones[z].b)))
                goto done;
            j.n_zones = z + 1;
            j.zarea[z] = ring_area(&j.zones[z].xy) / 1e4;
        }
    }
    /* tile size and threads within the memory limit: the tile shrinks (to
     * 256 cells) before threads are given up, so a larger limit never runs
     * on fewer threads; the map does not depend on either */
    if (threads > MAX_POOL)
        threads = MAX_POOL;
    if (threads < 1)
        threads = 1;
    int tile = p->tile > 0 ? p->tile : 1024;
    if (tile < 64)
        tile = 64; /* smaller tiles spend their time on halos and start-up */
    size_t per = 0;
    int hmax = 0;
    for (;;) {
        per = 0;
        for (size_t t = 0; t < j.n_plans; t++) {
            size_t wc = window_cells(tile, j.plans[t].m, j.plans[t].sub, j.plans[t].halo);
            size_t need = wc * 4 * 3;
            if (need > per)
                per = need;
            int hc = j.plans[t].halo * j.plans[t].m / (j.plans[t].sub > 1 ? j.plans[t].sub : 1);
            if (hc > hmax)
                hmax = hc;
        }
        per += (size_t)tile * tile * 4 * 5;
        if (per * (size_t)threads <= limit || tile <= 256)
            break;
        tile /= 2;
    }
    if (per > limit) {
        st = dm__fail(ctx, DM_EINVAL,
                      "cell size %g m needs %zu MiB of working memory per tile (halo %d cells); "
                      "allowed %zu MiB: use a larger --cell or narrower terms",
                      g->cell, per >> 20, hmax, limit >> 20);
        goto done;
    }
    if ((size_t)threads * per > limit)
        threads = (int)(limit / per) > 0 ? (int)(limit / per) : 1;
    if (threads > MAX_POOL)
        threads = MAX_POOL;
    j.ncore = (size_t)tile * tile;
    j.nwin = 1;
    for (size_t t = 0; t < j.n_plans; t++) {
        size_t wc = window_cells(tile, j.plans[t].m, j.plans[t].sub, j.plans[t].halo);
        if (wc > j.nwin)
            j.nwin = wc;
    }
    if ((st = dm_grid_tiles(ctx, g, tile, 0, &j.tiles, &j.n_tiles)))
        goto done;
    if (p->out_path) {
        const char *names[2] = {"p_any", "items_ha"};
        if ((st = dm_gtiff_create(ctx, p->out_path, g, 2, names, NODATA, 1, &j.w)))
            goto done;
        char *mj = NULL;
        if (!dm_risk_model_json(ctx, m, &mj)) {
            dm_gtiff_set_meta(j.w, "DEMINE_MODEL", mj);
            dm_free(ctx, mj);
        }
        dm_gtiff_set_meta(j.w, "DEMINE_BANDS",
                          "1: probability that the cell holds at least one item; 2: expected "
                          "items per hectare");
    }
    double ref_ha = m->ref_cell_m * m->ref_cell_m / 1e4;
    j.lam_scale = (p->items_factor > 0 ? p->items_factor : 1.0) / ref_ha;
    if (p->spot_power > 0 && p->spot_factor > 0 && (p->spot_power != 1 || p->spot_factor != 1))
        j.spot_f = p->spot_factor, j.spot_b = p->spot_power;
    j.cluster = p->cluster >= 1 ? p->cluster : 1.0;
    if (j.w) {
        char cal[200];
        snprintf(cal, sizeof cal,
                 "{\"factor\":%.9g,\"cluster\":%.9g,\"spot_factor\":%.9g,\"spot_power\":%.9g}",
                 p->items_factor > 0 ? p->items_factor : 1.0, j.cluster,
                 j.spot_b > 0 ? j.spot_f : 1.0, j.spot_b > 0 ? j.spot_b : 1.0);
        dm_gtiff_set_meta(j.w, "DEMINE_CALIBRATION", cal);
    }
    j.cell_ha = g->cell * g->cell / 1e4;
    j.zones_only = !p->out_path && !p->p_out && !p->items_out && !p->x_out && j.n_zones > 0;
    dm_parallel_for(threads, j.n_tiles, tile_worker, &j);
    /* the evidence in the grid's CRS is done with: freed before the GeoTIFF's
     * overviews fill GDAL's block cache */
    for (size_t t = 0; t < j.n_plans; t++)
        j.plans[t].src = NULL, j.plans[t].n_src = 0, j.plans[t].place_w = NULL;
    for (size_t k = 0; k < j.n_sels; k++) {
        dm_free(ctx, j.sel[k]), j.sel[k] = NULL;
        dm_free(ctx, j.sel_place[k]), j.sel_place[k] = NULL;
    }
    dm_free(ctx, j.gitem), dm_free(ctx, j.gpt), dm_free(ctx, j.gpoly);
    j.gitem = NULL, j.gpt = j.gpoly = NULL;
    if (j.st) {
        st = dm__fail(ctx, j.st, "%s", j.msg);
        if (j.w)
            dm_gtiff_close(j.w, 0);
        j.w = NULL;
        goto done;
    }
    /* a covariate with no value in any cell of a map is the wrong file or
     * CRS: the map would be made without it, so none is written */
    for (size_t t = 0; p->out_path && !j.zones_only && t < j.n_plans; t++) {
        const term_plan *tp = &j.plans[t];
        if (tp->cv && tp->cov_cells && tp->cov_nan == tp->cov_cells) {
            st = dm__fail(ctx, DM_EINVAL,
                          "covariate '%s' (%s): no value in any of the map's %zu cells (the "
                          "raster lies elsewhere, or holds nodata only there): check its extent "
                          "and CRS; the map is not written",
                          tp->cv->name, tp->cv->path, tp->cov_cells);
            if (j.w)
                dm_gtiff_close(j.w, 0);
            j.w = NULL;
            goto done;
        }
    }
    if (j.w) {
        st = dm_gtiff_close(j.w, 1);
        j.w = NULL;
        if (st)
            goto done;
    }
    /* said once, by the map itself (not by the calibration's passes), for
     * each covariate */
    for (size_t t = 0; !j.zones_only && t < j.n_plans; t++) {
        const term_plan *tp = &j.plans[t];
        if (!tp->cv || !tp->cov_cells)
            continue;
        if (tp->cov_nan)
            dm__log(ctx, DM_LOG_WARN,
                    "covariate '%s' (%s): %zu of %zu cells (%.1f %%) had no value (nodata, NaN, "
                    "beyond 1e30 as an undeclared nodata such as -3.4e38, or outside the "
                    "raster): term '%s' was set to its mean there",
                    tp->cv->name, tp->cv->path, tp->cov_nan, tp->cov_cells,
                    100.0 * (double)tp->cov_nan / (double)tp->cov_cells, tp->t->name);
        if (tp->cov_neg)
            dm__log(ctx, DM_LOG_WARN,
                    "covariate '%s' (%s): %zu of %zu cells had a negative value where term '%s' "
                    "takes a logarithm: taken as 0 (is it a nodata value the raster does not "
                    "declare?)",
                    tp->cv->name, tp->cv->path, tp->cov_neg, tp->cov_cells, tp->t->name);
    }
    for (size_t z = 0; z < j.n_zones; z++) {
        const double *a = &j.zacc[4 * z];
        double mean = a[1] > 0 ? a[0] / a[1] : a[3] > 0 ? a[2] / a[3] : 0; /* items per ha */
        p->zone_out[z].cells = a[1] > 0 ? a[1] : a[3];
        p->zone_out[z].area_ha = j.zarea[z];
        p->zone_out[z].expected_items = mean * j.zarea[z];
        p->zone_out[z].p_any = -expm1(-p->zone_out[z].expected_items / j.cluster);
    }
    if (stats) {
        stats->seconds = dm__seconds() - t0;
        stats->cells = dm_grid_cells(g);
        stats->tiles = j.n_tiles;
        stats->threads = threads;
        stats->halo = hmax;
        stats->peak_work_bytes = per * (size_t)threads;
        stats->mean_p = j.n_p ? j.sum_p / j.n_p : 0;
        stats->max_p = j.max_p;
        top_thresholds(&j, stats);
    }
done:
    scratch_free(&j);
    if (j.w)
        dm_gtiff_close(j.w, 0);
    dm_free(ctx, j.gitem);
    dm_free(ctx, j.gpt);
    dm_free(ctx, j.gpoly);
    for (size_t k = 0; k < j.n_sels; k++) {
        dm_free(ctx, j.sel[k]);
        dm_free(ctx, j.sel_place[k]);
    }
    for (size_t z = 0; z < j.n_zones; z++)
        dm_coords_free(ctx, &j.zones[z].xy);
    dm_free(ctx, j.zones);
    dm_free(ctx, j.zacc);
    dm_free(ctx, j.zarea);
    if (j.has_aoi)
        dm_coords_free(ctx, &j.aoi);
    if (plans)
        for (size_t t = 0; t <= j.n_plans && t < m->n_terms; t++)
            dm_free(ctx, plans[t].cov_band);
    dm_free(ctx, plans);
    dm_free(ctx, j.tiles);
    dm_transform_free(tr);
    pthread_mutex_destroy(&j.mu);
    return st;
}
