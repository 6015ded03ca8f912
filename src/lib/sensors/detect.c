/* SPDX-License-Identifier: MIT
 *
 * detect.c -- anomaly detection on multispectral or thermal orthomosaics:
 * local (dual-window) RX, global RX and local contrast, tile by tile with
 * halos on all cores. Box means come from a summed-area table per band; the
 * covariance of the window differences is estimated on a sample of tiles
 * first, then every tile is scored and its local maxima become candidates.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXB 16

typedef struct det_shared {
    const char *path;
    dm_detect_method method;
    int W, H, B;
    int tile;
    int ri, rg, ro, rn; /* inner, guard, outer, non-maximum radius (pixels) */
    double thr;         /* threshold as a normal z-score */
    double thr_raw;     /* the same on the raw score (chi-square for RX) */
    double gt[6];
    int stats_mode;
    int *tile_list; /* tile indices to visit */
    int n_list;
    atomic_int next;
    /* statistics (filled in stats mode, used when scoring) */
    double mean[MAXB];
    double icov[MAXB * MAXB]; /* inverse covariance (RX) */
    double isd[MAXB];         /* 1 / sd per band (contrast) */
    int failed;
    char err[256];
    pthread_mutex_t mu;
    /* results */
    dm_candidate *cands;
    size_t n, cap;
    /* accumulators in stats mode */
    double s1[MAXB], s2[MAXB * MAXB];
    double cnt;
    atomic_long tiles_done;
    long tiles_total;
    GDALDatasetH map;      /* anomaly map being written, or NULL */
    int band_idx[MAXB];    /* 1-based GDAL band of each analysed band (alpha left out) */
    int has_mask;          /* nodata or alpha: windows touching invalid pixels score 0 */
    int float_data;        /* floating-point bands: NaN and infinities are invalid too */
    atomic_llong valid_px; /* valid pixels seen in tile cores (scoring pass) */
    pthread_mutex_t map_mu;
} det_shared;

typedef struct det_work {
    int32_t *msat; /* summed-area table of the validity mask */
    unsigned char *mask, *ok;
    double *sat;
    float *raw;
    float *d; /* B planes of the scoring region */
    float *score;
    size_t cap_px;
} det_work;

static void set_err(det_shared *sh, const char *msg)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->failed) {
        sh->failed = 1;
        dm__strlcpy(sh->err, msg, sizeof sh->err);
    }
    pthread_mutex_unlock(&sh->mu);
}

static inline int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Sum over the clipped box [x-r, x+r] x [y-r, y+r] of a (w+1)x(h+1) SAT. */
static inline double box_sum(const double *sat, int w, int h, int x, int y, int r, double *cnt)
{
    int x0 = x - r, x1 = x + r + 1, y0 = y - r, y1 = y + r + 1;
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > w)
        x1 = w;
    if (y1 > h)
        y1 = h;
    size_t st = (size_t)w + 1;
    *cnt = (double)(x1 - x0) * (double)(y1 - y0);
    return sat[(size_t)y1 * st + x1] - sat[(size_t)y0 * st + x1] - sat[(size_t)y1 * st + x0] +
           sat[(size_t)y0 * st + x0];
}

/* The same over a (w+1)x(h+1) SAT of counts; the box's pixels into *cnt. */
static inline int32_t box_count(const int32_t *sat, int w, int h, int x, int y, int r, int *cnt)
{
    int x0 = x - r < 0 ? 0 : x - r, x1 = x + r + 1 > w ? w : x + r + 1;
    int y0 = y - r < 0 ? 0 : y - r, y1 = y + r + 1 > h ? h : y + r + 1;
    size_t st = (size_t)w + 1;
    *cnt = (x1 - x0) * (y1 - y0);
    return sat[(size_t)y1 * st + x1] - sat[(size_t)y0 * st + x1] - sat[(size_t)y1 * st + x0] +
           sat[(size_t)y0 * st + x0];
}

/* Raw scores: squared Mahalanobis distance for RX (chi-square with B
 * degrees of freedom for Gaussian background), largest |z| for contrast.
 * Scores are reported as normal z-scores (Wilson-Hilferty for chi-square)
 * so that thresholds mean the same whatever the number of bands. */
static double raw_to_z(const det_shared *sh, double raw)
{
    if (sh->method == DM_DETECT_CONTRAST)
        return raw;
    double k = sh->B, v = 2.0 / (9.0 * k);
    return (cbrt(raw / k) - (1.0 - v)) / sqrt(v);
}

static double z_to_raw(const det_shared *sh, double z)
{
    if (sh->method == DM_DETECT_CONTRAST)
        return z;
    double k = sh->B, v = 2.0 / (9.0 * k);
    double t = z * sqrt(v) + 1.0 - v;
    return t > 0 ? k * t * t * t : 0;
}

/* The two kernels below are the hot loops; the project builds with -O2,
 * whose cost model leaves them scalar. Vectorising them takes a fifth off
 * the CPU time of `demine detect`. */
#if defined(__GNUC__) && !defined(__clang__)
#define HOT_LOOP __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define HOT_LOOP
#endif

/* Inner-window mean minus ring mean for n consecutive pixels whose boxes
 * all fit in the table (no clipping): straight-line code the compiler can
 * vectorise. off holds the four corner offsets of the inner, guard and outer
 * boxes. */
HOT_LOOP static void diff_row(const double *restrict q, size_t n, const ptrdiff_t *off,
                              double inv_i, double inv_r, int global, float *restrict out)
{
    const ptrdiff_t i1 = off[0], i2 = off[1], i3 = off[2], i4 = off[3];
    const ptrdiff_t g1 = off[4], g2 = off[5], g3 = off[6], g4 = off[7];
    const ptrdiff_t o1 = off[8], o2 = off[9], o3 = off[10], o4 = off[11];
    if (global) {
        for (size_t i = 0; i < n; i++)
            out[i] = (float)((q[i + i1] - q[i + i2] - q[i + i3] + q[i + i4]) * inv_i);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double inner = (q[i + i1] - q[i + i2] - q[i + i3] + q[i + i4]) * inv_i;
        double sg = q[i + g1] - q[i + g2] - q[i + g3] + q[i + g4];
        double so = q[i + o1] - q[i + o2] - q[i + o3] + q[i + o4];
        out[i] = (float)(inner - (so - sg) * inv_r);
    }
}

/* Raw scores of n pixels from B band planes (stride `plane`). */
HOT_LOOP static void score_row(const det_shared *sh, const float *d, size_t plane, size_t n,
                               float *restrict s)
{
    int B = sh->B;
    for (size_t i = 0; i < n; i++)
        s[i] = 0;
    if (sh->method == DM_DETECT_CONTRAST) {
        for (int b = 0; b < B; b++) {
            const float *restrict db = d + (size_t)b * plane;
            const float m = (float)sh->mean[b], k = (float)sh->isd[b];
            for (size_t i = 0; i < n; i++) {
                float z = fabsf(db[i] - m) * k;
                s[i] = z > s[i] ? z : s[i];
            }
        }
        return;
    }
    for (int b = 0; b < B; b++) {
        const float *restrict db = d + (size_t)b * plane;
        const float mb = (float)sh->mean[b];
        for (int c = 0; c <= b; c++) {
            const float *restrict dc = d + (size_t)c * plane;
            const float mc = (float)sh->mean[c];
            const float w = (float)(sh->icov[b * MAXB + c] * (b == c ? 1 : 2));
            for (size_t i = 0; i < n; i++)
                s[i] += w * (db[i] - mb) * (dc[i] - mc);
        }
    }
    for (size_t i = 0; i < n; i++)
        s[i] = s[i] > 0 ? s[i] : 0;
}

/* Process one tile: read it with its halo, build the window differences d
 * for the scoring region, then accumulate statistics or emit candidates. */
/* Floating-point bands: a NaN or infinite pixel in wk->raw becomes 0 (so
 * that it does not spread through the summed-area table), is invalid in
 * wk->mask (core pixels leave *nvalid) and clears ok[] of every scoring
 * pixel whose window holds it; the tile then uses its mask (*use_mask).
 * Nothing to do (and no cost beyond one scan) when the tile holds none. */
static int mask_nonfinite(det_shared *sh, det_work *wk, int rx0, int ry0, int rw, int rh, int sx0,
                          int sy0, int sx1, int sy1, int sw, int cx0, int cy0, int cx1, int cy1,
                          int *use_mask, long long *nvalid)
{
    size_t n = (size_t)rw * rh, bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += !isfinite(wk->raw[i]);
    if (!bad)
        return 0;
    if (!*use_mask) {
        /* no nodata or alpha: every pixel valid so far */
        memset(wk->mask, 255, n);
        memset(wk->ok, 1, (size_t)sw * (sy1 - sy0));
        *use_mask = 1;
    }
    size_t st = (size_t)rw + 1;
    int32_t *bs = wk->msat; /* the validity mask's table is no longer needed */
    memset(bs, 0, st * sizeof(int32_t));
    for (int y = 0; y < rh; y++) {
        int32_t acc = 0;
        float *row = wk->raw + (size_t)y * rw;
        int32_t *prev = bs + (size_t)y * st, *cur = bs + (size_t)(y + 1) * st;
        cur[0] = 0;
        for (int x = 0; x < rw; x++) {
            if (!isfinite(row[x])) {
                row[x] = 0;
                acc++;
                unsigned char *m = &wk->mask[(size_t)y * rw + x];
                int gx = rx0 + x, gy = ry0 + y;
                if (*m && gx >= cx0 && gx < cx1 && gy >= cy0 && gy < cy1)
                    (*nvalid)--;
                *m = 0;
            }
            cur[x + 1] = prev[x + 1] + acc;
        }
    }
    int r = sh->method == DM_DETECT_RX_GLOBAL ? sh->ri : sh->ro;
    for (int y = sy0; y < sy1; y++)
        for (int x = sx0; x < sx1; x++) {
            int area;
            if (box_count(bs, rw, rh, x - rx0, y - ry0, r, &area))
                wk->ok[(size_t)(y - sy0) * sw + (x - sx0)] = 0;
        }
    return 0;
}

static int do_tile(det_shared *sh, GDALDatasetH ds, det_work *wk, int ti)
{
    int ntx = (sh->W + sh->tile - 1) / sh->tile;
    int tx = ti % ntx, ty = ti / ntx;
    int cx0 = tx * sh->tile, cy0 = ty * sh->tile;
    int cx1 = clamp_int(cx0 + sh->tile, 0, sh->W), cy1 = clamp_int(cy0 + sh->tile, 0, sh->H);
    /* scoring region: core plus the non-maximum margin */
    int sx0 = clamp_int(cx0 - sh->rn, 0, sh->W), sy0 = clamp_int(cy0 - sh->rn, 0, sh->H);
    int sx1 = clamp_int(cx1 + sh->rn, 0, sh->W), sy1 = clamp_int(cy1 + sh->rn, 0, sh->H);
    /* read region: the scoring region and the outer window around it */
    int halo = sh->ro + 1;
    int rx0 = clamp_int(sx0 - halo, 0, sh->W), ry0 = clamp_int(sy0 - halo, 0, sh->H);
    int rx1 = clamp_int(sx1 + halo, 0, sh->W), ry1 = clamp_int(sy1 + halo, 0, sh->H);
    int rw = rx1 - rx0, rh = ry1 - ry0, sw = sx1 - sx0, shh = sy1 - sy0;
    size_t npx = (size_t)(rw + 1) * (rh + 1);
    if (npx > wk->cap_px) {
        free(wk->sat);
        free(wk->raw);
        free(wk->d);
        free(wk->score);
        free(wk->msat);
        free(wk->mask);
        free(wk->ok);
        wk->msat = malloc(npx * sizeof(int32_t));
        wk->mask = malloc(npx);
        wk->ok = malloc(npx);
        wk->sat = malloc(npx * sizeof(double));
        wk->raw = malloc(npx * sizeof(float));
        wk->d = malloc(npx * sizeof(float) * (size_t)sh->B);
        wk->score = malloc(npx * sizeof(float));
        wk->cap_px =
            wk->sat && wk->raw && wk->d && wk->score && wk->msat && wk->mask && wk->ok ? npx : 0;
        if (!wk->cap_px) {
            set_err(sh, "out of memory for a tile");
            return -1;
        }
    }
    int B = sh->B;
    size_t splane = (size_t)sw * shh;
    long long nvalid = (long long)(cx1 - cx0) * (cy1 - cy0);
    int use_mask = sh->has_mask; /* also set below when float bands hold NaN */
    if (sh->has_mask) {
        /* ok[o]: the whole outer window of the pixel holds valid data */
        GDALRasterBandH mb = GDALGetMaskBand(GDALGetRasterBand(ds, sh->band_idx[0]));
        if (GDALRasterIO(mb, GF_Read, rx0, ry0, rw, rh, wk->mask, rw, rh, GDT_Byte, 0, 0) !=
            CE_None) {
            set_err(sh, "reading the validity mask failed");
            return -1;
        }
        size_t st = (size_t)rw + 1;
        memset(wk->msat, 0, st * sizeof(int32_t));
        for (int y = 0; y < rh; y++) {
            int32_t acc = 0;
            const unsigned char *row = wk->mask + (size_t)y * rw;
            int32_t *prev = wk->msat + (size_t)y * st, *cur = wk->msat + (size_t)(y + 1) * st;
            cur[0] = 0;
            for (int x = 0; x < rw; x++) {
                acc += row[x] != 0;
                cur[x + 1] = prev[x + 1] + acc;
            }
        }
        int r = sh->method == DM_DETECT_RX_GLOBAL ? sh->ri : sh->ro;
        for (int y = sy0; y < sy1; y++)
            for (int x = sx0; x < sx1; x++) {
                int area;
                int32_t c = box_count(wk->msat, rw, rh, x - rx0, y - ry0, r, &area);
                wk->ok[(size_t)(y - sy0) * sw + (x - sx0)] = c == area;
            }
        nvalid = 0;
        for (int y = cy0; y < cy1; y++)
            for (int x = cx0; x < cx1; x++)
                nvalid += wk->mask[(size_t)(y - ry0) * rw + (x - rx0)] != 0;
    }
    for (int b = 0; b < B; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, sh->band_idx[b]);
        if (GDALRasterIO(band, GF_Read, rx0, ry0, rw, rh, wk->raw, rw, rh, GDT_Float32, 0, 0) !=
            CE_None) {
            char m[256];
            snprintf(m, sizeof m, "reading band %d at pixel (%d, %d): %s", b + 1, rx0, ry0,
                     CPLGetLastErrorMsg());
            set_err(sh, m);
            return -1;
        }
        if (sh->float_data)
            mask_nonfinite(sh, wk, rx0, ry0, rw, rh, sx0, sy0, sx1, sy1, sw, cx0, cy0, cx1, cy1,
                           &use_mask, &nvalid);
        /* summed-area table */
        double *sat = wk->sat;
        size_t st = (size_t)rw + 1;
        memset(sat, 0, st * sizeof(double));
        for (int y = 0; y < rh; y++) {
            double acc = 0;
            const float *row = wk->raw + (size_t)y * rw;
            double *prev = sat + (size_t)y * st, *cur = sat + (size_t)(y + 1) * st;
            cur[0] = 0;
            for (int x = 0; x < rw; x++) {
                acc += row[x];
                cur[x + 1] = prev[x + 1] + acc;
            }
        }
        float *dp = wk->d + (size_t)b * splane;
        /* boxes that fit inside the read region need no clipping: fixed
         * corner offsets and counts (the common case away from the edges) */
        const ptrdiff_t S = (ptrdiff_t)st;
        const ptrdiff_t ri = sh->ri, rg = sh->rg, ro = sh->ro;
        const ptrdiff_t off[12] = {
            (ri + 1) * S + ri + 1, -ri * S + ri + 1, (ri + 1) * S - ri, -ri * S - ri,
            (rg + 1) * S + rg + 1, -rg * S + rg + 1, (rg + 1) * S - rg, -rg * S - rg,
            (ro + 1) * S + ro + 1, -ro * S + ro + 1, (ro + 1) * S - ro, -ro * S - ro};
        const double inv_i = 1.0 / (double)((2 * ri + 1) * (2 * ri + 1));
        const double inv_r =
            1.0 / (double)((2 * ro + 1) * (2 * ro + 1) - (2 * rg + 1) * (2 * rg + 1));
        const int global = sh->method == DM_DETECT_RX_GLOBAL;
        const int rmax = global ? sh->ri : sh->ro;
        /* columns whose boxes fit: lx in [rmax, rw - rmax - 1] */
        int fx0 = rx0 + rmax, fx1 = rx0 + rw - rmax; /* x range [fx0, fx1) */
        if (fx0 < sx0)
            fx0 = sx0;
        if (fx1 > sx1)
            fx1 = sx1;
        for (int y = sy0; y < sy1; y++) {
            int ly = y - ry0;
            float *out = dp + (size_t)(y - sy0) * sw;
            int fast_row = ly - rmax >= 0 && ly + rmax + 1 <= rh && fx1 > fx0;
            if (fast_row)
                diff_row(sat + (ptrdiff_t)ly * S + (fx0 - rx0), (size_t)(fx1 - fx0), off, inv_i,
                         inv_r, global, out + (fx0 - sx0));
            for (int x = sx0; x < sx1; x++) {
                int lx = x - rx0;
                if (fast_row && x >= fx0 && x < fx1) {
                    x = fx1 - 1;
                    continue;
                }
                double ci, cg, co;
                double si = box_sum(sat, rw, rh, lx, ly, sh->ri, &ci);
                double inner = si / ci;
                if (global) {
                    out[x - sx0] = (float)inner;
                    continue;
                }
                double sg = box_sum(sat, rw, rh, lx, ly, sh->rg, &cg);
                double so = box_sum(sat, rw, rh, lx, ly, sh->ro, &co);
                double bg = co > cg ? (so - sg) / (co - cg) : so / co;
                out[x - sx0] = (float)(inner - bg);
            }
        }
    }
    if (sh->stats_mode) {
        double s1[MAXB] = {0}, s2[MAXB * MAXB] = {0}, cnt = 0;
        double v[MAXB];
        for (int y = cy0; y < cy1; y += 3)
            for (int x = cx0; x < cx1; x += 3) {
                size_t o = (size_t)(y - sy0) * sw + (x - sx0);
                if (use_mask && !wk->ok[o])
                    continue;
                for (int b = 0; b < B; b++)
                    v[b] = wk->d[(size_t)b * splane + o];
                for (int b = 0; b < B; b++) {
                    s1[b] += v[b];
                    for (int c = 0; c <= b; c++)
                        s2[b * MAXB + c] += v[b] * v[c];
                }
                cnt++;
            }
        pthread_mutex_lock(&sh->mu);
        for (int b = 0; b < B; b++) {
            sh->s1[b] += s1[b];
            for (int c = 0; c <= b; c++)
                sh->s2[b * MAXB + c] += s2[b * MAXB + c];
        }
        sh->cnt += cnt;
        pthread_mutex_unlock(&sh->mu);
        return 0;
    }
    /* scores, row by row so that the band planes stay in cache */
    float *sc = wk->score;
    for (int y = 0; y < shh; y++)
        score_row(sh, wk->d + (size_t)y * sw, splane, (size_t)sw, sc + (size_t)y * sw);
    if (use_mask)
        for (size_t o = 0; o < splane; o++)
            if (!wk->ok[o])
                sc[o] = 0;
    atomic_fetch_add(&sh->valid_px, nvalid);
    if (sh->map) {
        /* the core of the tile as z-scores */
        int cw = cx1 - cx0, ch = cy1 - cy0;
        float *row = malloc((size_t)cw * ch * sizeof(float));
        if (!row) {
            set_err(sh, "out of memory for the anomaly map");
            return -1;
        }
        for (int y = cy0; y < cy1; y++)
            for (int x = cx0; x < cx1; x++)
                row[(size_t)(y - cy0) * cw + (x - cx0)] =
                    (float)raw_to_z(sh, sc[(size_t)(y - sy0) * sw + (x - sx0)]);
        pthread_mutex_lock(&sh->map_mu);
        CPLErr e = GDALRasterIO(GDALGetRasterBand(sh->map, 1), GF_Write, cx0, cy0, cw, ch, row, cw,
                                ch, GDT_Float32, 0, 0);
        pthread_mutex_unlock(&sh->map_mu);
        free(row);
        if (e != CE_None) {
            set_err(sh, "writing the anomaly map failed");
            return -1;
        }
    }
    /* local maxima above the threshold in the core */
    dm_candidate local[256];
    int nl = 0;
    for (int y = cy0; y < cy1; y++) {
        const float *row = sc + (size_t)(y - sy0) * sw;
        for (int x = cx0; x < cx1; x++) {
            float s = row[x - sx0];
            if (s < sh->thr_raw)
                continue;
            int ismax = 1;
            for (int yy = y - sh->rn; yy <= y + sh->rn && ismax; yy++) {
                if (yy < sy0 || yy >= sy1)
                    continue;
                const float *r2 = sc + (size_t)(yy - sy0) * sw;
                for (int xx = x - sh->rn; xx <= x + sh->rn; xx++) {
                    if (xx < sx0 || xx >= sx1 || (xx == x && yy == y))
                        continue;
                    float t = r2[xx - sx0];
                    /* ties: the first in scan order wins */
                    if (t > s || (t == s && (yy < y || (yy == y && xx < x)))) {
                        ismax = 0;
                        break;
                    }
                }
            }
            if (!ismax)
                continue;
            /* sub-pixel position: score-weighted centroid over 3x3 */
            double wsum = 0, mx = 0, my = 0;
            for (int yy = y - 1; yy <= y + 1; yy++)
                for (int xx = x - 1; xx <= x + 1; xx++) {
                    if (xx < sx0 || xx >= sx1 || yy < sy0 || yy >= sy1)
                        continue;
                    double w = sc[(size_t)(yy - sy0) * sw + (xx - sx0)];
                    wsum += w;
                    mx += w * xx;
                    my += w * yy;
                }
            double px = wsum > 0 ? mx / wsum : x, py = wsum > 0 ? my / wsum : y;
            dm_candidate *c = &local[nl++];
            c->x = sh->gt[0] + (px + 0.5) * sh->gt[1];
            c->y = sh->gt[3] + (py + 0.5) * sh->gt[5];
            c->lon = c->lat = NAN;
            c->score = raw_to_z(sh, s);
            c->confidence = 1.0 / (1.0 + exp(-(c->score - sh->thr - 2.0)));
            if (nl == 256) {
                if (sensors__append_cands(&sh->mu, &sh->cands, &sh->n, &sh->cap, local, nl)) {
                    set_err(sh, "out of memory for candidates");
                    return -1;
                }
                nl = 0;
            }
        }
    }
    if (nl && sensors__append_cands(&sh->mu, &sh->cands, &sh->n, &sh->cap, local, nl)) {
        set_err(sh, "out of memory for candidates");
        return -1;
    }
    return 0;
}

int sensors__append_cands(pthread_mutex_t *mu, dm_candidate **arr, size_t *n, size_t *cap,
                          const dm_candidate *add, int k)
{
    pthread_mutex_lock(mu);
    if (*n + (size_t)k > *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        while (nc < *n + (size_t)k)
            nc *= 2;
        dm_candidate *p = realloc(*arr, nc * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(mu);
            return -1;
        }
        *arr = p;
        *cap = nc;
    }
    memcpy(*arr + *n, add, (size_t)k * sizeof *add);
    *n += (size_t)k;
    pthread_mutex_unlock(mu);
    return 0;
}

typedef struct worker_arg {
    det_shared *sh;
    dm_ctx *ctx; /* the caller's context: only the calling thread reports progress */
    const char *stage;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    det_shared *sh = wa->sh;
    GDALDatasetH ds = GDALOpen(sh->path, GA_ReadOnly);
    if (!ds) {
        set_err(sh, "cannot reopen the raster in a worker");
        return NULL;
    }
    det_work wk = {0};
    for (;;) {
        int i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n_list || sh->failed)
            break;
        if (do_tile(sh, ds, &wk, sh->tile_list[i]))
            break;
        long done = atomic_fetch_add(&sh->tiles_done, 1) + 1;
        if (wa->ctx)
            dm__progress(wa->ctx, wa->stage, (uint64_t)done, (uint64_t)sh->n_list);
    }
    free(wk.sat);
    free(wk.raw);
    free(wk.d);
    free(wk.score);
    free(wk.msat);
    free(wk.mask);
    free(wk.ok);
    GDALClose(ds);
    return NULL;
}

static int run_pool(dm_ctx *ctx, det_shared *sh, int threads, const char *stage)
{
    atomic_store(&sh->next, 0);
    atomic_store(&sh->tiles_done, 0);
    pthread_t tid[64];
    int nt = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    if (nt > sh->n_list)
        nt = sh->n_list;
    int started = 0;
    worker_arg others = {sh, NULL, stage}, self = {sh, ctx, stage};
    for (int i = 1; i < nt; i++) {
        if (pthread_create(&tid[i], NULL, worker, &others))
            break;
        started++;
    }
    worker(&self);
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    dm__progress(ctx, stage, (uint64_t)sh->n_list, (uint64_t)sh->n_list);
    return sh->failed ? -1 : 0;
}

/* Invert a symmetric positive matrix (n <= MAXB) by Gauss-Jordan with a
 * small ridge; returns -1 when singular. */
static int invert(const double *a, double *inv, int n)
{
    double m[MAXB][2 * MAXB];
    double tr = 0;
    for (int i = 0; i < n; i++)
        tr += a[i * MAXB + i];
    double ridge = 1e-9 * (tr > 0 ? tr / n : 1);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            m[i][j] = j < n ? a[i * MAXB + j] + (i == j ? ridge : 0) : (j - n == i ? 1 : 0);
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(m[r][c]) > fabs(m[p][c]))
                p = r;
        if (fabs(m[p][c]) < 1e-300)
            return -1;
        if (p != c)
            for (int j = 0; j < 2 * n; j++) {
                double t = m[p][j];
                m[p][j] = m[c][j];
                m[c][j] = t;
            }
        double d = m[c][c];
        for (int j = 0; j < 2 * n; j++)
            m[c][j] /= d;
        for (int r = 0; r < n; r++)
            if (r != c && m[r][c] != 0) {
                double f = m[r][c];
                for (int j = 0; j < 2 * n; j++)
                    m[r][j] -= f * m[c][j];
            }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            inv[i * MAXB + j] = m[i][j + n];
    return 0;
}

static int cmp_cand(const void *a, const void *b)
{
    const dm_candidate *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->y != y->y)
        return x->y > y->y ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x;
}

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_init(void)
{
    GDALAllRegister();
}
void sensors__gdal_init(void)
{
    pthread_once(&gdal_once, gdal_init);
}

dm_status dm_detect_run(dm_ctx *ctx, const char *path, const dm_detect_opts *opts,
                        dm_detect_result *out)
{
    memset(out, 0, sizeof *out);
    dm_detect_opts o = {DM_DETECT_RX_LOCAL, 0.04, 0, 4.0, 1024, 0, NULL};
    if (opts)
        o = *opts;
    if (!isfinite(o.target_radius_m) || !isfinite(o.background_radius_m) ||
        !isfinite(o.threshold))
        return dm__fail(ctx, DM_EINVAL,
                        "detection options: target radius %g m, background radius %g m, "
                        "threshold %g: not numbers",
                        o.target_radius_m, o.background_radius_m, o.threshold);
    if (o.target_radius_m <= 0)
        o.target_radius_m = 0.04;
    if (o.background_radius_m <= 0)
        o.background_radius_m = 4 * o.target_radius_m;
    if (o.threshold <= 0)
        o.threshold = 4.0;
    if (o.tile <= 0)
        o.tile = 1024;
    if (o.tile < 64)
        return dm__fail(ctx, DM_EINVAL, "tile size %d is too small (at least 64)", o.tile);
    /* each thread holds about 40 bytes per pixel of its tile and halo (4
     * bands): a tile of 20 000 pixels would need 15 GB a thread */
    if (o.tile > 8192)
        return dm__fail(ctx, DM_EINVAL, "tile size %d is too large (at most 8192)", o.tile);
    if (o.background_radius_m <= o.target_radius_m)
        return dm__fail(ctx, DM_EINVAL,
                        "background radius %.3g m must exceed the target radius %.3g m",
                        o.background_radius_m, o.target_radius_m);
    if (o.method < DM_DETECT_RX_LOCAL || o.method > DM_DETECT_CONTRAST)
        return dm__fail(ctx, DM_EINVAL, "unknown detection method %d", (int)o.method);
    sensors__gdal_init();
    /* every block is read about once: a large block cache only costs page
     * faults (1.3 s of system time per 0.25 ha at the default 5% of RAM, 0.4 s at 48 MiB) */
    if (!CPLGetConfigOption("GDAL_CACHEMAX", NULL) && GDALGetCacheMax64() > (GIntBig)48 << 20)
        GDALSetCacheMax64((GIntBig)48 << 20);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot open as a raster: %s", path, CPLGetLastErrorMsg());
    det_shared *sh = calloc(1, sizeof *sh);
    if (!sh) {
        GDALClose(ds);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    dm_status st = DM_OK;
    sh->path = path;
    sh->method = o.method;
    sh->W = GDALGetRasterXSize(ds);
    sh->H = GDALGetRasterYSize(ds);
    sh->B = GDALGetRasterCount(ds);
    pthread_mutex_init(&sh->mu, NULL);
    pthread_mutex_init(&sh->map_mu, NULL);
    const char *wkt = GDALGetProjectionRef(ds);
    if (GDALGetGeoTransform(ds, sh->gt) != CE_None || !wkt || !*wkt) {
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: the raster has no georeference (no geotransform or no CRS); "
                      "georeference the orthomosaic first (e.g. gdal_translate -a_srs -a_ullr)",
                      path);
        goto done;
    }
    if (sh->gt[2] != 0 || sh->gt[4] != 0 || sh->gt[1] <= 0 || sh->gt[5] >= 0) {
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: rotated or flipped grids are not supported; "
                      "warp it north-up first (gdalwarp)",
                      path);
        goto done;
    }
    double unit_m = 1; /* ground metres per CRS unit at the raster's centre */
    {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
        int projected = srs && OSRIsProjected(srs);
        double kx = 1, ky = 1;
        if (projected && sensors__ground_scale(wkt, sh->gt[0] + 0.5 * sh->W * sh->gt[1],
                                               sh->gt[3] + 0.5 * sh->H * sh->gt[5],
                                               10 * sh->gt[1], &kx, &ky)) {
            unit_m = sqrt(kx * ky);
            if (fabs(kx / ky - 1) > 0.05) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: the CRS stretches distances unequally (a pixel is %.3g m wide "
                              "and %.3g m high on the ground); reproject the orthomosaic to a "
                              "conformal metric CRS such as its UTM zone",
                              path, sh->gt[1] * kx, -sh->gt[5] * ky);
                OSRDestroySpatialReference(srs);
                goto done;
            }
            /* UTM and the like stay within 0.1% of 1: take their units as they are */
            if (fabs(unit_m - 1) < 0.01)
                unit_m = 1;
        }
        if (srs) {
            const char *an = OSRGetAuthorityName(srs, NULL), *ac = OSRGetAuthorityCode(srs, NULL);
            const char *nm = OSRGetName(srs);
            if (an && ac)
                snprintf(out->crs, sizeof out->crs, "%s:%s", an, ac);
            else
                dm__strlcpy(out->crs, nm ? nm : "the raster's CRS", sizeof out->crs);
            OSRDestroySpatialReference(srs);
        }
        if (!projected) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: the CRS is not projected (pixel size in degrees); reproject the "
                          "orthomosaic to a metric CRS such as its UTM zone",
                          path);
            goto done;
        }
    }
    {
        /* analyse every band but alpha; alpha or nodata make a validity mask */
        int nb = sh->B, k = 0;
        for (int b = 1; b <= nb; b++) {
            GDALRasterBandH band = GDALGetRasterBand(ds, b);
            if (GDALGetRasterColorInterpretation(band) == GCI_AlphaBand)
                continue;
            if (k < MAXB)
                sh->band_idx[k] = b;
            k++;
        }
        if (k < 1 || k > MAXB) {
            st = dm__fail(ctx, DM_EPARSE, "%s: %d bands besides alpha (expected 1 to %d)", path, k,
                          MAXB);
            goto done;
        }
        sh->B = k;
        sh->has_mask = !(GDALGetMaskFlags(GDALGetRasterBand(ds, sh->band_idx[0])) & GMF_ALL_VALID);
        for (int b = 0; b < sh->B; b++) {
            GDALDataType dt = GDALGetRasterDataType(GDALGetRasterBand(ds, sh->band_idx[b]));
            if (dt == GDT_Float32 || dt == GDT_Float64)
                sh->float_data = 1;
        }

    }
    double px = sh->gt[1] * unit_m;
    sh->ri = (int)lround(o.target_radius_m / px);
    if (sh->ri < 1)
        sh->ri = 1;
    sh->ro = (int)lround(o.background_radius_m / px);
    sh->rg = 2 * sh->ri;
    if (sh->ro <= sh->rg)
        sh->ro = sh->rg + 2;
    /* pixels coarser than the windows: the target is averaged over a larger
     * disc than asked (a 4 cm mine over 10 cm at 10 cm pixels) and scores
     * lower; said, with the radii used */
    if (sh->ri * px > 1.5 * o.target_radius_m)
        dm__log(ctx, DM_LOG_WARN,
                "%s: pixels of %.3g m are coarse for a target radius of %.3g m: windows of %d, %d and %d "
                "pixels (target %.3g m, ring %.3g-%.3g m) are used; small items will score low",
                path, px, o.target_radius_m, sh->ri, sh->rg, sh->ro, sh->ri * px, sh->rg * px, sh->ro * px);
    sh->rn = sh->ri + 1;
    sh->thr = o.threshold;
    sh->thr_raw = z_to_raw(sh, o.threshold);
    sh->tile = o.tile;
    if (sh->W < 2 * sh->ro + 1 || sh->H < 2 * sh->ro + 1) {
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: %dx%d pixels is smaller than the detection window "
                      "(%d pixels)",
                      path, sh->W, sh->H, 2 * sh->ro + 1);
        goto done;
    }
    int ntx = (sh->W + sh->tile - 1) / sh->tile, nty = (sh->H + sh->tile - 1) / sh->tile;
    int ntiles = ntx * nty;
    sh->tile_list = malloc((size_t)ntiles * sizeof(int));
    if (!sh->tile_list) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    int threads = o.threads > 0 ? o.threads : dm_ctx_threads(ctx);
    /* pass 1: statistics on up to 8 tiles spread over the raster */
    int ns = ntiles < 8 ? ntiles : 8;
    for (int i = 0; i < ns; i++)
        sh->tile_list[i] = (int)((long)i * ntiles / ns + (ntiles / ns) / 2) % ntiles;
    sh->n_list = ns;
    sh->stats_mode = 1;
    if (run_pool(ctx, sh, threads, "detect: statistics")) {
        st = dm__fail(ctx, DM_EGDAL, "%s: %s", path, sh->err);
        goto done;
    }
    if (sh->cnt < 1000 && ntiles > ns) {
        /* the sample tiles were mostly nodata: use every tile */
        for (int i = 0; i < ntiles; i++)
            sh->tile_list[i] = i;
        sh->n_list = ntiles;
        if (run_pool(ctx, sh, threads, "detect: statistics")) {
            st = dm__fail(ctx, DM_EGDAL, "%s: %s", path, sh->err);
            goto done;
        }
    }
    int B = sh->B;
    if (sh->cnt < 2) {
        st = dm__fail(ctx, DM_EPARSE, "%s: too few valid pixels for statistics%s", path,
                      sh->has_mask || sh->float_data ? " (the sample tiles are mostly nodata or NaN)"
                                                      : "");
        goto done;
    }
    double cov[MAXB * MAXB];
    for (int b = 0; b < B; b++)
        sh->mean[b] = sh->s1[b] / sh->cnt;
    if (o.method != DM_DETECT_RX_GLOBAL)
        for (int b = 0; b < B; b++)
            sh->mean[b] = 0; /* window differences are zero-mean by construction */
    for (int b = 0; b < B; b++)
        for (int c = 0; c <= b; c++) {
            double v = sh->s2[b * MAXB + c] / sh->cnt - sh->mean[b] * sh->mean[c];
            cov[b * MAXB + c] = cov[c * MAXB + b] = v;
        }
    for (int b = 0; b < B; b++) {
        if (!(cov[b * MAXB + b] > 0)) {
            st =
                dm__fail(ctx, DM_EPARSE, "%s: band %d is constant; nothing to detect", path, b + 1);
            goto done;
        }
        sh->isd[b] = 1.0 / sqrt(cov[b * MAXB + b]);
    }
    if (invert(cov, sh->icov, B)) {
        st = dm__fail(ctx, DM_EPARSE, "%s: the bands are linearly dependent", path);
        goto done;
    }
    if (o.score_map) {
        GDALDriverH drv = GDALGetDriverByName("GTiff");
        char **co = CSLSetNameValue(NULL, "TILED", "YES");
        co = CSLSetNameValue(co, "COMPRESS", "ZSTD");
        co = CSLSetNameValue(co, "PREDICTOR", "3");
        co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
        sh->map = drv ? GDALCreate(drv, o.score_map, sh->W, sh->H, 1, GDT_Float32, co) : NULL;
        if (!sh->map) { /* ZSTD may be missing from the GDAL build */
            co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
            sh->map = drv ? GDALCreate(drv, o.score_map, sh->W, sh->H, 1, GDT_Float32, co) : NULL;
        }
        CSLDestroy(co);
        if (!sh->map) {
            st = dm__fail(ctx, DM_EIO, "%s: cannot create the anomaly map: %s", o.score_map,
                          CPLGetLastErrorMsg());
            goto done;
        }
        GDALSetGeoTransform(sh->map, sh->gt);
        GDALSetProjection(sh->map, wkt);
        GDALSetDescription(GDALGetRasterBand(sh->map, 1), "anomaly z-score");
    }
    /* pass 2: every tile */
    for (int i = 0; i < ntiles; i++)
        sh->tile_list[i] = i;
    sh->n_list = ntiles;
    sh->stats_mode = 0;
    if (run_pool(ctx, sh, threads, "detect")) {
        st = dm__fail(ctx, DM_EGDAL, "%s: %s", path, sh->err);
        goto done;
    }
    qsort(sh->cands, sh->n, sizeof *sh->cands, cmp_cand);
    out->n = sh->n;
    if (sh->n) {
        out->cands = dm_malloc(ctx, sh->n * sizeof *out->cands);
        if (!out->cands) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory for %zu candidates", sh->n);
            goto done;
        }
        memcpy(out->cands, sh->cands, sh->n * sizeof *out->cands);
    }
    out->area_m2 = (double)atomic_load(&sh->valid_px) * sh->gt[1] * -sh->gt[5] * unit_m * unit_m;
    out->pixel_m = sh->gt[1] * unit_m;
    out->unit_m = unit_m;
    out->extent[0] = sh->gt[0];
    out->extent[1] = sh->gt[3] + sh->H * sh->gt[5];
    out->extent[2] = sh->gt[0] + sh->W * sh->gt[1];
    out->extent[3] = sh->gt[3];
    out->srs_wkt = dm_strdup(ctx, wkt);
    if (!out->srs_wkt) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    /* WGS 84 positions */
    if (out->n) {
        dm_transform *t = NULL;
        if (dm_transform_new(ctx, wkt, "EPSG:4326", &t) == DM_OK) {
            for (size_t i = 0; i < out->n; i++) {
                double x = out->cands[i].x, y = out->cands[i].y;
                if (dm_transform_xy(t, &x, &y, 1) == DM_OK) {
                    out->cands[i].lon = x;
                    out->cands[i].lat = y;
                }
            }
            dm_transform_free(t);
        }
        dm_ctx_clear_error(ctx);
    }
done:
    if (st != DM_OK)
        dm_detect_result_free(ctx, out);
    if (sh->map)
        GDALClose(sh->map);
    free(sh->cands);
    free(sh->tile_list);
    pthread_mutex_destroy(&sh->mu);
    pthread_mutex_destroy(&sh->map_mu);
    free(sh);
    GDALClose(ds);
    return st;
}

void dm_detect_result_free(dm_ctx *ctx, dm_detect_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->cands);
    dm_free(ctx, r->srs_wkt);
    memset(r, 0, sizeof *r);
}

dm_status dm_detect_check_truth(dm_ctx *ctx, const dm_detect_result *r, const char *name,
                                const double *xy, size_t n, double match, size_t *outside)
{
    const double *e = r->extent;
    size_t off = 0, deg = 0;
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        off += !(x >= e[0] - match && x <= e[2] + match && y >= e[1] - match && y <= e[3] + match);
        deg += fabs(x) <= 180 && fabs(y) <= 90;
    }
    *outside = off;
    if (!n || off < n)
        return DM_OK;
    /* the raster itself within +-180, +-90 (a local grid near its origin):
     * no telling degrees from its units */
    int raster_deg = fabs(e[0]) <= 180 && fabs(e[2]) <= 180 && fabs(e[1]) <= 90 && fabs(e[3]) <= 90;
    const char *crs = r->crs[0] ? r->crs : "the raster's CRS";
    return dm__fail(ctx, DM_EPARSE,
                    "%s: none of its %zu points lies on the raster (x %.10g..%.10g, y "
                    "%.10g..%.10g in %s); the first is %.10g, %.10g. Truth positions are x,y in "
                    "the raster's CRS: %s",
                    name, n, e[0], e[2], e[1], e[3], crs, xy[0], xy[1],
                    deg == n && !raster_deg
                        ? "these look like longitude and latitude in degrees; project them to "
                          "the raster's CRS first"
                        : "is the file in another CRS, or of another place? project it to the "
                          "raster's CRS first");
}

void dm_detect_evaluate(const dm_candidate *c, size_t n, const double *truth_xy, size_t n_truth,
                        double match_m, double area_m2, double far_per_100m2, double *recall_at_far,
                        double *ap)
{
    /* candidates are visited best first (sorted copy of indices) */
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    unsigned char *used = calloc(n_truth ? n_truth : 1, 1);
    if (!idx || !used) {
        free(idx);
        free(used);
        *recall_at_far = *ap = NAN;
        return;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* candidates from dm_detect_run are sorted already; sort others (Shell) */
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        if (c[i].score > c[i - 1].score)
            sorted = 0;
    if (!sorted) {
        for (size_t gap = n / 2; gap > 0; gap /= 2)
            for (size_t i = gap; i < n; i++) {
                size_t t = idx[i], j = i;
                while (j >= gap && c[idx[j - gap]].score < c[t].score) {
                    idx[j] = idx[j - gap];
                    j -= gap;
                }
                idx[j] = t;
            }
    }
    double max_fa = far_per_100m2 * area_m2 / 100.0;
    long tp = 0, fp = 0;
    double apsum = 0, rec_far = 0;
    double m2 = match_m * match_m;
    for (size_t k = 0; k < n; k++) {
        const dm_candidate *cd = &c[idx[k]];
        long best = -1;
        double bd = m2;
        for (size_t t = 0; t < n_truth; t++) {
            if (used[t])
                continue;
            double dx = cd->x - truth_xy[2 * t], dy = cd->y - truth_xy[2 * t + 1];
            double d2 = dx * dx + dy * dy;
            if (d2 <= bd) {
                bd = d2;
                best = (long)t;
            }
        }
        if (best >= 0) {
            used[best] = 1;
            tp++;
            apsum += (double)tp / (double)(tp + fp); /* precision at this recall step */
        } else {
            fp++;
        }
        if (fp <= max_fa && n_truth)
            rec_far = (double)tp / (double)n_truth;
    }
    *recall_at_far = n_truth ? rec_far : NAN;
    *ap = n_truth ? apsum / (double)n_truth : NAN;
    free(idx);
    free(used);
}
