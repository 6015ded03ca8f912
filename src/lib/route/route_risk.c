/* SPDX-License-Identifier: MIT
 *
 * route_risk.c -- safe routes on a risk map: reads the risk GeoTIFF (GDAL),
 * turns probabilities into a friction grid for route_search.c, marks cleared
 * roads, walks lines cell by cell to sum the expected items met, ranks the
 * most dangerous stretches, and reads lines to check from vector files (OGR).
 * For the public it plans on the map generalised to blocks (the grid of the
 * public danger zones) and keeps out of given areas (the zones themselves).
 * The cost model is in docs/route.md. JSON and GeoJSON output: route_json.c.
 */
#include "core/dm_internal.h"
#include "route/route_internal.h"

/* GDAL's headers trip -Wpedantic (enumerators beyond int). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parts of a line to check that begin farther than this from where the part
 * before them ends are refused rather than joined (metres). */
#define DM__ROUTE_PART_GAP_M 25.0

#define P_MAX (1.0 - 1e-12)

void dm_route_opts_default(dm_route_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dist_weight = 1.0;
    o->risk_weight = 1e6;
    o->avoid_above = 1.0;
    o->nodata_p = -1.0;
    o->road_factor = 0.5;
    o->margin_m = -1.0;
    o->model = DM_ROUTE_MODEL_PROB;
    o->swath_m = 1.0;
    o->stretch_m = 100.0;
    o->max_stretches = 5;
}

void dm_route_opts_public(dm_route_opts *o)
{
    dm_route_opts_default(o);
    o->block_m = 50;
    o->margin_m = 2000;
}

static dm_status check_opts(dm_ctx *ctx, const dm_route_opts *o)
{
    if (!(o->dist_weight > 0) || !isfinite(o->dist_weight))
        return dm__fail(ctx, DM_EINVAL, "distance weight must be > 0 (got %g)", o->dist_weight);
    if (!(o->risk_weight >= 0) || !isfinite(o->risk_weight))
        return dm__fail(ctx, DM_EINVAL, "risk weight must be >= 0 (got %g)", o->risk_weight);
    if (!(o->avoid_above >= 0 && o->avoid_above <= 1))
        return dm__fail(ctx, DM_EINVAL, "--avoid-above must be a probability in 0..1 (got %g)",
                        o->avoid_above);
    if (!(o->nodata_p <= 1))
        return dm__fail(ctx, DM_EINVAL, "nodata probability must be <= 1 (got %g)", o->nodata_p);
    if (!(o->road_factor > 0 && o->road_factor <= 1))
        return dm__fail(ctx, DM_EINVAL, "road factor must be in (0, 1] (got %g)", o->road_factor);
    if (!(o->swath_m > 0) || !(o->stretch_m > 0))
        return dm__fail(ctx, DM_EINVAL, "swath and stretch lengths must be > 0");
    if (!(o->block_m == 0 || (o->block_m >= 1 && o->block_m <= 100000)))
        return dm__fail(ctx, DM_EINVAL, "block size must be 0 (none) or 1-100000 m (got %g)",
                        o->block_m);
    return DM_OK;
}

/* ============================ the risk map ============================ */

static void gdal_err(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    char *buf = CPLGetErrorHandlerUserData();
    if (cls >= CE_Failure && buf && !buf[0])
        dm__strlcpy(buf, msg, 512);
}

dm_status dm__risk_open(dm_ctx *ctx, const char *path, const dm_route_opts *o, dm__risk_map *m)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->opts = *o;
    char msg[512] = "";
    CPLPushErrorHandlerEx(gdal_err, msg);
    GDALAllRegister();
    m->ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!m->ds)
        return dm__fail(ctx, DM_EIO, "risk map %s: cannot open: %s", path,
                        msg[0] ? msg : "not a raster");
    m->path = path;
    m->w = GDALGetRasterXSize(m->ds);
    m->h = GDALGetRasterYSize(m->ds);
    int need = o->model == DM_ROUTE_MODEL_DENSITY ? 2 : 1;
    if (GDALGetRasterCount(m->ds) < need) {
        dm__risk_close(m);
        return dm__fail(ctx, DM_EPARSE, "risk map %s: needs band %d (%s), has %d band(s)", path,
                        need, need == 2 ? "items per hectare" : "probability",
                        GDALGetRasterCount(m->ds));
    }
    if (GDALGetGeoTransform(m->ds, m->gt) != CE_None || m->gt[2] != 0 || m->gt[4] != 0 ||
        !(m->gt[1] > 0) || !(m->gt[5] < 0)) {
        dm__risk_close(m);
        return dm__fail(ctx, DM_EPARSE,
                        "risk map %s: needs a north-up geotransform without rotation", path);
    }
    if (fabs(m->gt[1] + m->gt[5]) > 1e-6 * m->gt[1]) {
        dm__risk_close(m);
        return dm__fail(ctx, DM_EPARSE, "risk map %s: cells are not square (%g x %g)", path,
                        m->gt[1], -m->gt[5]);
    }
    m->cell = m->gt[1];
    const char *wkt = GDALGetProjectionRef(m->ds);
    OGRSpatialReferenceH srs = wkt && wkt[0] ? OSRNewSpatialReference(wkt) : NULL;
    int projected = srs && OSRIsProjected(srs);
    double lin = srs ? OSRGetLinearUnits(srs, NULL) : 0;
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!projected || fabs(lin - 1.0) > 1e-9) {
        const char *found = projected ? "other units" : (wkt && wkt[0] ? "geographic" : "none");
        dm__risk_close(m);
        return dm__fail(ctx, DM_EPROJ,
                        "risk map %s: needs a projected CRS in metres (e.g. UTM), found %s", path,
                        found);
    }
    m->wkt = wkt;
    dm_risk_map_cal mc;
    if (dm_risk_map_cal_read(ctx, path, &mc) != DM_OK) {
        dm__risk_close(m);
        return dm__wrap(ctx, "risk map %s", path);
    }
    m->cluster = mc.cluster;
    m->b1 = GDALGetRasterBand(m->ds, 1);
    m->nodata1 = GDALGetRasterNoDataValue(m->b1, &m->has_nodata1);
    if (need == 2) {
        m->b2 = GDALGetRasterBand(m->ds, 2);
        m->nodata2 = GDALGetRasterNoDataValue(m->b2, &m->has_nodata2);
    }
    dm_status st = dm_transform_new(ctx, "EPSG:4326", wkt, &m->to_map);
    if (st == DM_OK)
        st = dm_transform_new(ctx, wkt, "EPSG:4326", &m->to_ll);
    if (st != DM_OK) {
        dm__risk_close(m);
        return dm__wrap(ctx, "risk map %s", path);
    }
    return DM_OK;
}

void dm__risk_close(dm__risk_map *m)
{
    if (m->ds)
        GDALClose(m->ds);
    dm_transform_free(m->to_map);
    dm_transform_free(m->to_ll);
    dm_free(m->ctx, m->roads);
    dm_free(m->ctx, m->blk_p);
    dm_free(m->ctx, m->blk_d);
    dm_free(m->ctx, m->col_blk);
    dm_free(m->ctx, m->row_blk);
    memset(m, 0, sizeof *m);
}

static int is_nodata(double v, int has, double nd)
{
    return isnan(v) || (has && v == nd);
}

/* Classify one cell from its band values: returns the probability to use
 * (>= 0) and sets *lam_per_m to the rate, per metre walked through it, of
 * meeting its items: a walker crossing the whole cell meets them with
 * probability p. Items come in clusters of m->cluster a cell holding any
 * (the map's calibration), so the expected items met are this rate times
 * the cluster, and band 2 (items per hectare) is divided by it. Returns -1 for an impassable cell (above the threshold, or nodata when
 * nodata is not given a probability), -2 for nodata treated as nodata_p. */
static double cell_lambda(const dm__risk_map *m, double p, double dens, int nodata,
                          double *lam_per_m, int *flag)
{
    const dm_route_opts *o = &m->opts;
    *flag = 0;
    if (nodata) {
        *flag = DM__CELL_NODATA;
        if (o->nodata_p < 0) {
            *flag |= DM__CELL_BLOCKED;
            *lam_per_m = 0;
            return -1;
        }
        p = o->nodata_p;
        dens = -1;
    }
    if (p < 0)
        p = 0;
    if (p > 1)
        p = 1;
    if (p > o->avoid_above)
        *flag |= DM__CELL_BLOCKED;
    if (o->model == DM_ROUTE_MODEL_DENSITY && dens >= 0)
        *lam_per_m = dens / 1e4 * o->swath_m / m->cluster;
    else
        *lam_per_m = -log1p(-(p < P_MAX ? p : P_MAX)) / m->cell;
    return p;
}

/* Read the window [x0, x0+ww) x [y0, y0+wh) of a band, handing each row
 * (Float32) to fn. Float32 bands are read block by block with GDALReadBlock:
 * no block cache filling up with the whole raster and no extra copy; other
 * types go through GDALRasterIO by strips. Memory: one strip of block-height
 * rows of the window, plus one block. */
typedef int (*row_fn)(void *ud, int row, float *vals);

static dm_status read_rows(dm_ctx *ctx, const char *path, GDALRasterBandH band, int x0, int y0,
                           int ww, int wh, row_fn fn, void *ud)
{
    int bw = 0, bh = 0;
    GDALGetBlockSize(band, &bw, &bh);
    int native = GDALGetRasterDataType(band) == GDT_Float32 && bw > 0 && bh > 0;
    if (!native || bh > 1024)
        bh = 256;
    float *strip = dm_malloc(ctx, (size_t)bh * (size_t)ww * sizeof *strip);
    float *blk = native ? dm_malloc(ctx, (size_t)bw * (size_t)bh * sizeof *blk) : NULL;
    if (!strip || (native && !blk)) {
        dm_free(ctx, strip);
        dm_free(ctx, blk);
        return dm__fail(ctx, DM_ENOMEM, "out of memory for a strip of %d x %d cells", ww, bh);
    }
    char msg[512] = "";
    dm_status rc = DM_OK;
    CPLPushErrorHandlerEx(gdal_err, msg);
    for (int y = y0; y < y0 + wh && rc == DM_OK;) {
        int yb = y / bh, ye = (yb + 1) * bh; /* this strip: rows y .. min(ye, end) - 1 */
        int n = (ye < y0 + wh ? ye : y0 + wh) - y;
        CPLErr e = CE_None;
        if (native) {
            for (int xb = x0 / bw; xb * bw < x0 + ww && e == CE_None; xb++) {
                e = GDALReadBlock(band, xb, yb, blk);
                int cx0 = xb * bw > x0 ? xb * bw : x0;
                int cx1 = (xb + 1) * bw < x0 + ww ? (xb + 1) * bw : x0 + ww;
                for (int k = 0; k < n && e == CE_None; k++)
                    memcpy(strip + (size_t)k * ww + (cx0 - x0),
                           blk + (size_t)(y + k - yb * bh) * bw + (cx0 - xb * bw),
                           (size_t)(cx1 - cx0) * sizeof *strip);
            }
        } else {
            e = GDALRasterIO(band, GF_Read, x0, y, ww, n, strip, ww, n, GDT_Float32, 0, 0);
        }
        if (e != CE_None) {
            rc = dm__fail(ctx, DM_EGDAL, "%s: cannot read rows %d..%d: %s", path, y, y + n - 1,
                          msg[0] ? msg : "read error");
            break;
        }
        for (int k = 0; k < n && rc == DM_OK; k++)
            if (fn(ud, y + k - y0, strip + (size_t)k * ww) < 0)
                rc = dm_ctx_errcode(ctx);
        dm__progress(ctx, "route read", (uint64_t)(y + n - y0), (uint64_t)wh);
        y += n;
    }
    CPLPopErrorHandler();
    dm_free(ctx, strip);
    dm_free(ctx, blk);
    return rc;
}

/* Band 1 (and band 2 for the density model) of a window, turned into
 * friction (cost per metre) row by row. */
typedef struct window_read {
    dm__risk_map *m;
    dm_route_grid *g;
    float *dens; /* band 2 of the window (density model), else NULL */
    int ww;
    int dens_one_row; /* dens holds the current row only */
} window_read;

static int dens_row(void *ud, int row, float *vals)
{
    window_read *wr = ud;
    memcpy(wr->dens + (size_t)row * wr->ww, vals, (size_t)wr->ww * sizeof *vals);
    return 0;
}

static int prob_row(void *ud, int row, float *vals)
{
    window_read *wr = ud;
    const dm__risk_map *m = wr->m;
    const dm_route_opts *o = &m->opts;
    const float *drow =
        wr->dens ? wr->dens + (wr->dens_one_row ? 0 : (size_t)row * wr->ww) : NULL;
    if (!drow) {
        /* the common case, kept lean (1e8 cells at national scale): valid
         * probabilities below the threshold; anything else takes the
         * general path below */
        const float wd = (float)o->dist_weight, k = (float)(o->risk_weight / m->cell);
        const double hi = o->avoid_above < P_MAX ? o->avoid_above : P_MAX;
        const double nd = m->has_nodata1 ? m->nodata1 : NAN;
        int c = 0;
        for (; c < wr->ww; c++) {
            double p = vals[c];
            if (!(p >= 0 && p <= hi) || p == nd)
                break;
        }
        if (c == wr->ww) {
            for (c = 0; c < wr->ww; c++) {
                /* -ln(1 - p): its series up to p^5 is exact in float below
                 * p = 0.01 (relative error < p^5 / 6), and much cheaper
                 * than log1pf on the mostly tiny probabilities of a map */
                float p = vals[c];
                float lam = p < 0.01f
                                ? p * (1 + p * (0.5f + p * (1.0f / 3 + p * (0.25f + p * 0.2f))))
                                : -log1pf(-p);
                vals[c] = wd + k * lam;
            }
            dm_route_grid_set_row(wr->g, (size_t)row, vals);
            return 0;
        }
    }
    for (int c = 0; c < wr->ww; c++) {
        double p = vals[c], lam;
        int flag;
        int nd = is_nodata(p, m->has_nodata1, m->nodata1);
        double dv = drow ? drow[c] : -1;
        if (drow && is_nodata(dv, m->has_nodata2, m->nodata2))
            nd = 1;
        cell_lambda(m, p, dv, nd, &lam, &flag);
        if (flag & DM__CELL_BLOCKED)
            vals[c] = INFINITY;
        else {
            double f = o->dist_weight + o->risk_weight * lam;
            vals[c] = f < FLT_MAX ? (float)f : INFINITY;
        }
    }
    dm_route_grid_set_row(wr->g, (size_t)row, vals);
    return 0;
}

/* The friction of a window of the generalised map: each cell as its block. */
static dm_status read_window_blocks(dm__risk_map *m, dm_route_grid *g, int x0, int y0, int ww,
                                    int wh)
{
    dm_ctx *ctx = m->ctx;
    float *row = dm_malloc(ctx, 2 * (size_t)ww * sizeof *row);
    if (!row)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for a row of %d cells", ww);
    window_read wr = {m, g, m->blk_d ? row + ww : NULL, ww, 1};
    for (int r = 0; r < wh; r++) {
        const int *cb = m->col_blk + (x0 - m->bx0);
        size_t off = (size_t)m->row_blk[y0 + r - m->by0] * (size_t)m->nbx;
        for (int c = 0; c < ww; c++) {
            row[c] = m->blk_p[off + (size_t)cb[c]];
            if (wr.dens)
                wr.dens[c] = m->blk_d[off + (size_t)cb[c]];
        }
        prob_row(&wr, r, row);
    }
    dm_free(ctx, row);
    return DM_OK;
}

static dm_status read_window(dm__risk_map *m, dm_route_grid *g, int x0, int y0, int ww, int wh)
{
    dm_ctx *ctx = m->ctx;
    if (m->blk_p)
        return read_window_blocks(m, g, x0, y0, ww, wh);
    window_read wr = {m, g, NULL, ww, 0};
    dm_status rc = DM_OK;
    if (m->b2) {
        /* the density model holds band 2 of the window too: 4 more bytes a cell */
        wr.dens = dm_malloc(ctx, (size_t)ww * (size_t)wh * sizeof *wr.dens);
        if (!wr.dens)
            return dm__fail(ctx, DM_ENOMEM, "out of memory for band 2 of %d x %d cells", ww, wh);
        rc = read_rows(ctx, m->path, m->b2, x0, y0, ww, wh, dens_row, &wr);
    }
    if (rc == DM_OK)
        rc = read_rows(ctx, m->path, m->b1, x0, y0, ww, wh, prob_row, &wr);
    dm_free(ctx, wr.dens);
    return rc;
}

typedef struct grid_read {
    dm_route_grid *g;
    double scale;
} grid_read;

static int friction_row(void *ud, int row, float *vals)
{
    grid_read *gr = ud;
    dm_route_grid_set_row(gr->g, (size_t)row, vals);
    return 0;
}

dm_status dm_route_grid_read(dm_ctx *ctx, const char *path, int band, double cell,
                             dm_route_grid **out)
{
    *out = NULL;
    char msg[512] = "";
    CPLPushErrorHandlerEx(gdal_err, msg);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot open: %s", path, msg[0] ? msg : "not a raster");
    if (band < 1 || band > GDALGetRasterCount(ds)) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EINVAL, "%s: no band %d", path, band);
    }
    double gt[6];
    if (!(cell > 0))
        cell = GDALGetGeoTransform(ds, gt) == CE_None && gt[1] > 0 ? gt[1] : 1.0;
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    dm_route_grid *g = NULL;
    dm_status st = dm_route_grid_new(ctx, (size_t)w, (size_t)h, cell, &g);
    grid_read gr = {g, 1.0};
    if (st == DM_OK)
        st = read_rows(ctx, path, GDALGetRasterBand(ds, band), 0, 0, w, h, friction_row, &gr);
    GDALClose(ds);
    if (st != DM_OK) {
        dm_route_grid_free(g);
        return st;
    }
    *out = g;
    return DM_OK;
}

/* ============================ the generalised map ============================ */

/* The block of column or row i: its centre's coordinate over the block size. */
static long block_of(double origin, double step, int i, double b)
{
    return (long)floor((origin + (i + 0.5) * step) / b);
}

typedef struct block_read {
    dm__risk_map *m;
    float *v; /* blk_p or blk_d */
    int has_nodata;
    double nodata;
} block_read;

static int block_row(void *ud, int row, float *vals)
{
    block_read *br = ud;
    const dm__risk_map *m = br->m;
    float *bv = br->v + (size_t)m->row_blk[row] * (size_t)m->nbx;
    for (int c = 0; c < m->bw; c++) {
        float *t = bv + m->col_blk[c];
        if (isnan(*t))
            continue; /* already nodata */
        if (is_nodata(vals[c], br->has_nodata, br->nodata))
            *t = NAN;
        else if (vals[c] > *t)
            *t = vals[c];
    }
    return 0;
}

/* v rounded up to the ladder 10^(k/2): two steps a decade. */
static float ladder_up(float v)
{
    if (isnan(v) || !(v > 0))
        return isnan(v) ? v : 0;
    return (float)pow(10, ceil(2 * log10(v) - 1e-9) / 2);
}

dm_status dm__risk_blocks(dm__risk_map *m, int *x0, int *y0, int *x1, int *y1)
{
    const double b = m->opts.block_m;
    if (!(b > 0))
        return DM_OK;
    dm_ctx *ctx = m->ctx;
    /* blocks no larger than a cell: each cell is its own, only rounded up */
    const int own = b <= m->cell;
    if (!own) {
        const double gx = m->gt[0], gy = m->gt[3], cs = m->cell;
        while (*x0 > 0 && block_of(gx, cs, *x0 - 1, b) == block_of(gx, cs, *x0, b))
            (*x0)--;
        while (*x1 < m->w - 1 && block_of(gx, cs, *x1 + 1, b) == block_of(gx, cs, *x1, b))
            (*x1)++;
        while (*y0 > 0 && block_of(gy, -cs, *y0 - 1, b) == block_of(gy, -cs, *y0, b))
            (*y0)--;
        while (*y1 < m->h - 1 && block_of(gy, -cs, *y1 + 1, b) == block_of(gy, -cs, *y1, b))
            (*y1)++;
    }
    dm_free(ctx, m->blk_p);
    dm_free(ctx, m->blk_d);
    dm_free(ctx, m->col_blk);
    dm_free(ctx, m->row_blk);
    m->blk_p = m->blk_d = NULL;
    m->bx0 = *x0, m->by0 = *y0, m->bw = *x1 - *x0 + 1, m->bh = *y1 - *y0 + 1;
    m->col_blk = dm_malloc(ctx, (size_t)m->bw * sizeof *m->col_blk);
    m->row_blk = dm_malloc(ctx, (size_t)m->bh * sizeof *m->row_blk);
    if (!m->col_blk || !m->row_blk)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    long c0 = block_of(m->gt[0], m->cell, *x0, b), r0 = block_of(m->gt[3], -m->cell, *y0, b);
    for (int c = 0; c < m->bw; c++)
        m->col_blk[c] = own ? c : (int)(block_of(m->gt[0], m->cell, *x0 + c, b) - c0);
    for (int r = 0; r < m->bh; r++) /* northings fall as rows grow */
        m->row_blk[r] = own ? r : (int)(r0 - block_of(m->gt[3], -m->cell, *y0 + r, b));
    m->nbx = m->col_blk[m->bw - 1] + 1;
    m->nby = m->row_blk[m->bh - 1] + 1;
    size_t nb = (size_t)m->nbx * (size_t)m->nby;
    m->blk_p = dm_malloc(ctx, nb * sizeof *m->blk_p);
    if (m->b2)
        m->blk_d = dm_malloc(ctx, nb * sizeof *m->blk_d);
    if (!m->blk_p || (m->b2 && !m->blk_d))
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu blocks", nb);
    for (size_t i = 0; i < nb; i++) {
        m->blk_p[i] = -INFINITY;
        if (m->blk_d)
            m->blk_d[i] = -INFINITY;
    }
    block_read br = {m, m->blk_p, m->has_nodata1, m->nodata1};
    dm_status st = read_rows(ctx, m->path, m->b1, *x0, *y0, m->bw, m->bh, block_row, &br);
    if (st == DM_OK && m->b2) {
        block_read bd = {m, m->blk_d, m->has_nodata2, m->nodata2};
        st = read_rows(ctx, m->path, m->b2, *x0, *y0, m->bw, m->bh, block_row, &bd);
    }
    if (st != DM_OK)
        return st;
    for (size_t i = 0; i < nb; i++) {
        float p = ladder_up(m->blk_p[i]);
        m->blk_p[i] = p > 1 ? 1 : p;
        if (m->blk_d)
            m->blk_d[i] = ladder_up(m->blk_d[i]);
    }
    /* from now on the cells read as their blocks, whose nodata is NaN: a
     * block value equal to the map's nodata value is a value */
    m->has_nodata1 = m->has_nodata2 = 0;
    return DM_OK;
}

/* The rules that make a cell impassable under o, as text: "probability
 * above 0.2, in a danger zone or without data" (staff), "probability 1 or in
 * a danger zone" (the public). */
static void impassable_reasons(const dm_route_opts *o, char *out, size_t n)
{
    const char *r[3];
    char p[64];
    int k = 0;
    if (o->avoid_above < 1)
        snprintf(p, sizeof p, "probability above %g", o->avoid_above);
    else
        snprintf(p, sizeof p, "probability 1");
    r[k++] = p;
    char a[96];
    if (o->avoid && !dm_geom_is_empty(o->avoid)) {
        snprintf(a, sizeof a, "in %s", o->avoid_name ? o->avoid_name : "an area to avoid");
        r[k++] = a;
    }
    if (o->nodata_p < 0)
        r[k++] = "without data";
    snprintf(out, n, "%s%s%s%s%s", r[0], k > 2 ? ", " : k > 1 ? " or " : "", k > 1 ? r[1] : "",
             k > 2 ? " or " : "", k > 2 ? r[2] : "");
}

/* Make the cells of the window that opts.avoid touches impassable (before
 * the cleared roads are laid on the grid). */
static dm_status avoid_cells(dm__risk_map *m, dm_route_grid *g, int x0, int y0, int ww, int wh)
{
    const dm_route_opts *o = &m->opts;
    dm_ctx *ctx = m->ctx;
    if (!o->avoid || dm_geom_is_empty(o->avoid))
        return DM_OK;
    dm_transform *t = NULL;
    dm_geom *a = NULL;
    unsigned char *wkb = NULL, *row = NULL;
    size_t n = 0;
    OGRGeometryH og = NULL;
    GDALDatasetH ds = NULL;
    dm_status st = dm_transform_new(ctx, o->avoid_crs ? o->avoid_crs : "EPSG:4326", m->wkt, &t);
    if (st == DM_OK)
        st = dm_geom_transform(ctx, t, o->avoid, &a);
    if (st == DM_OK)
        st = dm_geom_to_wkb(ctx, a, &wkb, &n);
    if (st != DM_OK) {
        dm__wrap(ctx, "the areas to avoid");
        goto done;
    }
    if (OGR_G_CreateFromWkb(wkb, NULL, &og, (int)n) != OGRERR_NONE) {
        st = dm__fail(ctx, DM_EGEOM, "the areas to avoid: GDAL cannot read their geometry");
        goto done;
    }
    char msg[512] = "";
    CPLPushErrorHandlerEx(gdal_err, msg);
    GDALDriverH mem = GDALGetDriverByName("MEM");
    ds = mem ? GDALCreate(mem, "", ww, wh, 1, GDT_Byte, NULL) : NULL;
    CPLErr e = CE_Failure;
    if (ds) {
        double gt[6] = {m->gt[0] + x0 * m->cell, m->cell, 0, m->gt[3] - y0 * m->cell, 0, -m->cell};
        int band = 1;
        double burn = 1;
        char *ropt[] = {(char *)"ALL_TOUCHED=TRUE", NULL};
        GDALSetGeoTransform(ds, gt);
        e = GDALRasterizeGeometries(ds, 1, &band, 1, &og, NULL, NULL, &burn, ropt, NULL, NULL);
    }
    row = dm_malloc(ctx, (size_t)ww);
    GDALRasterBandH rb = ds ? GDALGetRasterBand(ds, 1) : NULL;
    for (int r = 0; r < wh && e == CE_None && row; r++) {
        e = GDALRasterIO(rb, GF_Read, 0, r, ww, 1, row, ww, 1, GDT_Byte, 0, 0);
        for (int c = 0; c < ww && e == CE_None; c++)
            if (row[c])
                dm_route_grid_set(g, (size_t)c, (size_t)r, INFINITY);
    }
    CPLPopErrorHandler();
    if (!row)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    else if (e != CE_None)
        st = dm__fail(ctx, DM_EGDAL, "the areas to avoid: cannot lay them on the grid: %s",
                      msg[0] ? msg : "GDAL error");
done:
    if (ds)
        GDALClose(ds);
    if (og)
        OGR_G_DestroyGeometry(og);
    dm_free(ctx, row);
    dm_free(ctx, wkb);
    dm_geom_free(a);
    dm_transform_free(t);
    return st;
}

/* Probability and density of one cell (for walking lines). */
static dm_status read_cell(dm__risk_map *m, int c, int r, double *p, double *dens, int *nodata)
{
    float v = 0, d = -1;
    if (m->blk_p) {
        /* the generalised map: the cell's block (outside the blocks read: no data) */
        int bc = c - m->bx0, br = r - m->by0;
        v = NAN;
        if (bc >= 0 && bc < m->bw && br >= 0 && br < m->bh) {
            size_t i = (size_t)m->row_blk[br] * (size_t)m->nbx + (size_t)m->col_blk[bc];
            v = m->blk_p[i];
            d = m->blk_d ? m->blk_d[i] : -1;
        }
        *p = v;
        *dens = d;
        *nodata = isnan(v) || (m->b2 && isnan(d));
        return DM_OK;
    }
    char msg[512] = "";
    CPLPushErrorHandlerEx(gdal_err, msg);
    CPLErr e = GDALRasterIO(m->b1, GF_Read, c, r, 1, 1, &v, 1, 1, GDT_Float32, 0, 0);
    if (e == CE_None && m->b2)
        e = GDALRasterIO(m->b2, GF_Read, c, r, 1, 1, &d, 1, 1, GDT_Float32, 0, 0);
    CPLPopErrorHandler();
    if (e != CE_None)
        return dm__fail(m->ctx, DM_EGDAL, "risk map %s: cannot read cell (%d, %d): %s", m->path, c,
                        r, msg[0] ? msg : "read error");
    *p = v;
    *dens = d;
    *nodata = is_nodata(v, m->has_nodata1, m->nodata1) ||
              (m->b2 && is_nodata(d, m->has_nodata2, m->nodata2));
    return DM_OK;
}

/* ============================ walking a line ============================ */

/* Visit the cells a segment crosses, in pixel coordinates (x = column,
 * y = row, continuous), with the fraction interval [t0, t1] spent in each
 * (Amanatides and Woo's traversal). The segment must lie inside the raster.
 * Crossing a cell corner exactly steps diagonally (no zero-length visit). */
typedef int (*cell_fn)(void *ud, int c, int r, double t0, double t1);

static int traverse(double x0, double y0, double x1, double y1, int w, int h, cell_fn fn, void *ud)
{
    double dx = x1 - x0, dy = y1 - y0;
    int c = (int)floor(x0), r = (int)floor(y0);
    int ce = (int)floor(x1), re = (int)floor(y1);
    /* points on the far edges belong to the last cell */
    c = c >= w ? w - 1 : c < 0 ? 0 : c;
    r = r >= h ? h - 1 : r < 0 ? 0 : r;
    ce = ce >= w ? w - 1 : ce < 0 ? 0 : ce;
    re = re >= h ? h - 1 : re < 0 ? 0 : re;
    int sx = dx > 0 ? 1 : dx < 0 ? -1 : 0, sy = dy > 0 ? 1 : dy < 0 ? -1 : 0;
    double tdx = sx ? fabs(1.0 / dx) : INFINITY, tdy = sy ? fabs(1.0 / dy) : INFINITY;
    double tmx = sx > 0 ? (c + 1 - x0) / dx : sx < 0 ? (c - x0) / dx : INFINITY;
    double tmy = sy > 0 ? (r + 1 - y0) / dy : sy < 0 ? (r - y0) / dy : INFINITY;
    double t = 0;
    for (int guard = 0; guard < 4 * (w + h) + 8; guard++) {
        if ((c == ce && r == re) || (tmx >= 1 && tmy >= 1))
            return fn(ud, c, r, t, 1.0);
        double tn = tmx < tmy ? tmx : tmy;
        if (tn > t) {
            int rc = fn(ud, c, r, t, tn);
            if (rc)
                return rc;
        }
        t = tn;
        if (fabs(tmx - tmy) < 1e-12) {
            c += sx;
            r += sy;
            tmx += tdx;
            tmy += tdy;
        } else if (tmx < tmy) {
            c += sx;
            tmx += tdx;
        } else {
            r += sy;
            tmy += tdy;
        }
        if (c < 0 || c >= w || r < 0 || r >= h)
            return 0;
    }
    return 0;
}

/* Clip a segment to [0, w] x [0, h] (Liang-Barsky); 0 when it misses. */
static int clip(double *x0, double *y0, double *x1, double *y1, double w, double h)
{
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {*x0, w - *x0, *y0, h - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0 ? t > t1 : t < t0)
                return 0;
            if (p[i] < 0 && t > t0)
                t0 = t;
            if (p[i] > 0 && t < t1)
                t1 = t;
        }
    }
    double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
    *x1 = *x0 + t1 * dx;
    *y1 = *y0 + t1 * dy;
    *x0 = ax;
    *y0 = ay;
    return 1;
}

/* ============================ cleared roads ============================ */

typedef struct road_walk {
    dm__risk_map *m;
    int x0, y0, x1, y1; /* window of interest, inclusive */
    uint64_t *ids;
    size_t n, cap;
} road_walk;

static int road_cell(void *ud, int c, int r, double t0, double t1)
{
    road_walk *rw = ud;
    (void)t0;
    (void)t1;
    if (c < rw->x0 || c > rw->x1 || r < rw->y0 || r > rw->y1)
        return 0;
    if (rw->n == rw->cap) {
        size_t cap = rw->cap ? rw->cap * 2 : 1024;
        uint64_t *v = dm_realloc(rw->m->ctx, rw->ids, cap * sizeof *v);
        if (!v)
            return -1;
        rw->ids = v;
        rw->cap = cap;
    }
    rw->ids[rw->n++] = (uint64_t)r * (uint64_t)rw->m->w + (uint64_t)c;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

dm_status dm__risk_roads(dm__risk_map *m, const dm_route_roads *roads, int x0, int y0, int x1,
                         int y1)
{
    dm_ctx *ctx = m->ctx;
    road_walk rw = {m, x0, y0, x1, y1, NULL, 0, 0};
    if (!roads || roads->n_lines == 0)
        return DM_OK;
    double *x = dm_malloc(ctx, roads->n_xy * sizeof *x),
           *y = dm_malloc(ctx, roads->n_xy * sizeof *y);
    if (!x || !y) {
        dm_free(ctx, x);
        dm_free(ctx, y);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    dm_status st = DM_OK;
    for (size_t i = 0; i < roads->n_xy; i++) {
        x[i] = roads->xy[2 * i];
        y[i] = roads->xy[2 * i + 1];
    }
    for (size_t l = 0; l < roads->n_lines && st == DM_OK; l++) {
        size_t a = roads->start[l], b = roads->start[l + 1];
        /* roads that cannot be transformed (far outside the zone) are skipped */
        if (dm_transform_xy(m->to_map, x + a, y + a, b - a) != DM_OK) {
            dm_ctx_clear_error(ctx);
            continue;
        }
        for (size_t k = a; k + 1 < b; k++) {
            double px0 = (x[k] - m->gt[0]) / m->cell, py0 = (y[k] - m->gt[3]) / -m->cell;
            double px1 = (x[k + 1] - m->gt[0]) / m->cell, py1 = (y[k + 1] - m->gt[3]) / -m->cell;
            if (!clip(&px0, &py0, &px1, &py1, m->w, m->h))
                continue;
            if (traverse(px0, py0, px1, py1, m->w, m->h, road_cell, &rw) < 0) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
        }
    }
    dm_free(ctx, x);
    dm_free(ctx, y);
    if (st != DM_OK) {
        dm_free(ctx, rw.ids);
        return st;
    }
    qsort(rw.ids, rw.n, sizeof *rw.ids, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < rw.n; i++)
        if (n == 0 || rw.ids[i] != rw.ids[n - 1])
            rw.ids[n++] = rw.ids[i];
    m->roads = rw.ids;
    m->n_roads = n;
    return DM_OK;
}

static int on_road(const dm__risk_map *m, int c, int r)
{
    uint64_t id = (uint64_t)r * (uint64_t)m->w + (uint64_t)c;
    size_t lo = 0, hi = m->n_roads;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->roads[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_roads && m->roads[lo] == id;
}

/* ============================ line figures ============================ */

typedef struct line_walk {
    dm__risk_map *m;
    dm_route_result *res;
    double seg_len, chain0;   /* this segment's length and chainage at its start */
    double *s_items, *s_maxp; /* per stretch */
    size_t n_stretch;
    dm_status st;
} line_walk;

static int line_cell(void *ud, int c, int r, double t0, double t1)
{
    line_walk *lw = ud;
    dm__risk_map *m = lw->m;
    dm_route_result *res = lw->res;
    double len = (t1 - t0) * lw->seg_len;
    if (len <= 0)
        return 0;
    double lam_m = 0, p = 0;
    int flag = 0;
    if (on_road(m, c, r)) {
        res->road_m += len;
    } else {
        double pv, dv;
        int nd;
        lw->st = read_cell(m, c, r, &pv, &dv, &nd);
        if (lw->st != DM_OK)
            return -1;
        p = cell_lambda(m, pv, dv, nd, &lam_m, &flag);
        if (flag & DM__CELL_NODATA)
            res->nodata_m += len;
        if (flag & DM__CELL_BLOCKED)
            res->impassable_m += len;
        if (p > res->max_p)
            res->max_p = p;
    }
    double items = lam_m * len;
    res->items += items;
    /* spread over the stretches this piece overlaps */
    double a = lw->chain0 + t0 * lw->seg_len, b = lw->chain0 + t1 * lw->seg_len;
    double sl = m->opts.stretch_m;
    for (size_t s = (size_t)(a / sl); s < lw->n_stretch && s * sl < b; s++) {
        double lo = a > s * sl ? a : s * sl, hi = b < (s + 1) * sl ? b : (s + 1) * sl;
        if (hi > lo) {
            lw->s_items[s] += lam_m * (hi - lo);
            if (p > lw->s_maxp[s])
                lw->s_maxp[s] = p;
        }
    }
    return 0;
}

/* Point at chainage `at` along the map-CRS polyline (x, y, chain). */
static void point_at(const double *x, const double *y, const double *chain, size_t n, double at,
                     double *px, double *py)
{
    size_t k = 0;
    while (k + 2 < n && chain[k + 1] < at)
        k++;
    double seg = chain[k + 1] - chain[k];
    double t = seg > 0 ? (at - chain[k]) / seg : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    *px = x[k] + t * (x[k + 1] - x[k]);
    *py = y[k] + t * (y[k + 1] - y[k]);
}

typedef struct stretch_rank {
    double items;
    size_t i;
} stretch_rank;

static int cmp_rank(const void *a, const void *b)
{
    const stretch_rank *x = a, *y = b;
    if (x->items != y->items)
        return x->items < y->items ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

const char *dm_route_verdict(double p_any)
{
    return p_any < 0.001 ? "low" : p_any < 0.01 ? "moderate" : "high";
}

dm_status dm__risk_line(dm__risk_map *m, const double *mx, const double *my, size_t n,
                        dm_route_result *res)
{
    dm_ctx *ctx = m->ctx;
    const double cell = m->cell;
    double *chain = dm_malloc(ctx, n * sizeof *chain);
    res->lonlat = dm_malloc(ctx, 2 * n * sizeof *res->lonlat);
    if (!chain || !res->lonlat) {
        dm_free(ctx, chain);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    chain[0] = 0;
    for (size_t k = 1; k < n; k++)
        chain[k] = chain[k - 1] + hypot(mx[k] - mx[k - 1], my[k] - my[k - 1]);
    double total = chain[n - 1];
    line_walk lw = {m, res, 0, 0, NULL, NULL, 0, DM_OK};
    lw.n_stretch = (size_t)ceil(total / m->opts.stretch_m);
    if (lw.n_stretch == 0)
        lw.n_stretch = 1;
    lw.s_items = dm_calloc(ctx, lw.n_stretch, sizeof *lw.s_items);
    lw.s_maxp = dm_calloc(ctx, lw.n_stretch, sizeof *lw.s_maxp);
    stretch_rank *rank = dm_calloc(ctx, lw.n_stretch, sizeof *rank);
    dm_status st = DM_OK;
    if (!lw.s_items || !lw.s_maxp || !rank) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k + 1 < n && st == DM_OK; k++) {
        double x0 = (mx[k] - m->gt[0]) / cell, y0 = (my[k] - m->gt[3]) / -cell;
        double x1 = (mx[k + 1] - m->gt[0]) / cell, y1 = (my[k + 1] - m->gt[3]) / -cell;
        double seg = chain[k + 1] - chain[k];
        double ax = x0, ay = y0;
        if (seg <= 0)
            continue;
        if (!clip(&x0, &y0, &x1, &y1, m->w, m->h)) {
            res->outside_m += seg;
            continue;
        }
        double inside = hypot(x1 - x0, y1 - y0) * cell;
        res->outside_m += seg - inside > 1e-9 ? seg - inside : 0;
        /* chainage of the clipped start */
        lw.chain0 = chain[k] + hypot(x0 - ax, y0 - ay) * cell;
        lw.seg_len = inside;
        if (inside > 0 && traverse(x0, y0, x1, y1, m->w, m->h, line_cell, &lw) < 0)
            st = lw.st != DM_OK ? lw.st : dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (st != DM_OK)
        goto done;
    if (total > 0 && res->outside_m >= total - 1e-9) {
        st = dm__fail(ctx, DM_EINVAL,
                      "the line lies wholly outside the risk map %s (is its CRS right?)", m->path);
        goto done;
    }
    res->length_m = total;
    /* the walk summed the rate of meeting items: P(none) = exp(-rate), and
     * the expected items are the rate times the items per cluster */
    double rate = res->items;
    res->cluster = m->cluster;
    res->items = rate * m->cluster;
    res->p_none = exp(-rate);
    if (res->impassable_m > 0)
        res->verdict = "blocked";
    else if (1 - res->p_none < 0.01 &&
             (res->outside_m > 0 || (res->nodata_m > 0 && m->opts.nodata_p < 0)))
        res->verdict = "unknown";
    else
        res->verdict = dm_route_verdict(-expm1(-rate));

    /* the path in WGS 84 */
    for (size_t k = 0; k < n; k++) {
        res->lonlat[2 * k] = mx[k];
        res->lonlat[2 * k + 1] = my[k];
    }
    res->n_pts = n;
    {
        double *lx = dm_malloc(ctx, n * sizeof *lx), *ly = dm_malloc(ctx, n * sizeof *ly);
        if (!lx || !ly) {
            dm_free(ctx, lx);
            dm_free(ctx, ly);
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(lx, mx, n * sizeof *lx);
        memcpy(ly, my, n * sizeof *ly);
        st = dm_transform_xy(m->to_ll, lx, ly, n);
        for (size_t k = 0; k < n && st == DM_OK; k++) {
            res->lonlat[2 * k] = lx[k];
            res->lonlat[2 * k + 1] = ly[k];
        }
        dm_free(ctx, lx);
        dm_free(ctx, ly);
        if (st != DM_OK)
            goto done;
    }
    res->chainage_m = chain;
    chain = NULL;

    /* the most dangerous stretches */
    size_t nr = 0;
    for (size_t s = 0; s < lw.n_stretch; s++)
        if (lw.s_items[s] > 0) {
            rank[nr].items = lw.s_items[s];
            rank[nr++].i = s;
        }
    qsort(rank, nr, sizeof *rank, cmp_rank);
    size_t keep = nr < (size_t)(m->opts.max_stretches > 0 ? m->opts.max_stretches : 0)
                      ? nr
                      : (size_t)(m->opts.max_stretches > 0 ? m->opts.max_stretches : 0);
    if (keep) {
        res->stretches = dm_calloc(ctx, keep, sizeof *res->stretches);
        if (!res->stretches) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < keep; k++) {
            dm_route_stretch *s = &res->stretches[k];
            size_t i = rank[k].i;
            s->from_m = i * m->opts.stretch_m;
            s->to_m = (i + 1) * m->opts.stretch_m < total ? (i + 1) * m->opts.stretch_m : total;
            s->items = lw.s_items[i] * m->cluster;
            s->p_any = -expm1(-lw.s_items[i]);
            s->max_p = lw.s_maxp[i];
            double px[2], py[2];
            point_at(mx, my, res->chainage_m, n, s->from_m, &px[0], &py[0]);
            point_at(mx, my, res->chainage_m, n, s->to_m, &px[1], &py[1]);
            if (dm_transform_xy(m->to_ll, px, py, 2) != DM_OK) {
                st = dm_ctx_errcode(ctx);
                goto done;
            }
            s->lon0 = px[0];
            s->lat0 = py[0];
            s->lon1 = px[1];
            s->lat1 = py[1];
        }
        res->n_stretches = keep;
    }
done:
    dm_free(ctx, chain);
    dm_free(ctx, lw.s_items);
    dm_free(ctx, lw.s_maxp);
    dm_free(ctx, rank);
    return st;
}

/* ============================ the two questions ============================ */

void dm_route_result_free(dm_ctx *ctx, dm_route_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->lonlat);
    dm_free(ctx, r->chainage_m);
    dm_free(ctx, r->stretches);
    dm_free(ctx, r->hazards);
    dm_free(ctx, r);
}

/* The search window (cells, inclusive) of a route between the points (x, y)
 * (map CRS; ll: the same in WGS 84, for the messages): the box of their
 * cells grown by the margin (default max(2000 m, half the straight
 * distance)), clipped to the map; pc, pr get the points' cells. Before the
 * growth to whole blocks (dm__risk_blocks). */
static dm_status search_window(const dm__risk_map *m, const double *x, const double *y, const double *ll, int *pc,
                               int *pr, int *wx0, int *wy0, int *wx1, int *wy1)
{
    for (int i = 0; i < 2; i++) {
        double c = (x[i] - m->gt[0]) / m->cell, r = (y[i] - m->gt[3]) / -m->cell;
        if (!(c >= 0 && c < m->w && r >= 0 && r < m->h)) {
            /* latitude given first (as map apps copy a place): the point
             * read the other way round lies on the map */
            double sx = ll[2 * i + 1], sy = ll[2 * i];
            int swapped = fabs(sy) <= 90 && dm_transform_xy(m->to_map, &sx, &sy, 1) == DM_OK;
            if (swapped) {
                double sc = (sx - m->gt[0]) / m->cell, sr = (sy - m->gt[3]) / -m->cell;
                swapped = sc >= 0 && sc < m->w && sr >= 0 && sr < m->h;
            }
            return dm__fail(m->ctx, DM_EINVAL, "the %s point %g,%g lies outside the risk map %s%s",
                            i ? "end" : "start", ll[2 * i], ll[2 * i + 1], m->path,
                            swapped ? " (points are longitude first, LON,LAT: were the two swapped?)" : "");
        }
        pc[i] = (int)c;
        pr[i] = (int)r;
    }
    double margin = m->opts.margin_m;
    if (margin < 0) {
        margin = 0.5 * hypot(x[1] - x[0], y[1] - y[0]);
        margin = margin > 2000 ? margin : 2000;
    }
    double mc = ceil(margin / m->cell);
    mc = mc > m->w + m->h ? m->w + m->h : mc;
    *wx0 = (int)fmax(0, fmin(pc[0], pc[1]) - mc), *wy0 = (int)fmax(0, fmin(pr[0], pr[1]) - mc);
    *wx1 = (int)fmin(m->w - 1, fmax(pc[0], pc[1]) + mc);
    *wy1 = (int)fmin(m->h - 1, fmax(pr[0], pr[1]) + mc);
    return DM_OK;
}

/* A route's options (opts, or the defaults) checked into *o, and its two
 * points (ll: lon0, lat0, lon1, lat1) checked as WGS 84. */
static dm_status route_args(dm_ctx *ctx, const dm_route_opts *opts, const double ll[4], dm_route_opts *o)
{
    if (opts)
        *o = *opts;
    else
        dm_route_opts_default(o);
    dm_status st = check_opts(ctx, o);
    if (st != DM_OK)
        return st;
    for (int i = 0; i < 4; i++)
        if (!isfinite(ll[i]) || fabs(ll[i]) > (i % 2 ? 90 : 180))
            return dm__fail(ctx, DM_EINVAL, "%s point %g,%g is not a WGS 84 longitude,latitude",
                            i < 2 ? "start" : "end", ll[i & ~1], ll[i | 1]);
    return DM_OK;
}

dm_status dm_route_search_box(dm_ctx *ctx, const char *risk_path, double lon0, double lat0, double lon1,
                              double lat1, const dm_route_opts *opts, double box[4])
{
    box[0] = box[1] = box[2] = box[3] = NAN;
    dm_route_opts o;
    double ll[4] = {lon0, lat0, lon1, lat1};
    dm_status st = route_args(ctx, opts, ll, &o);
    if (st != DM_OK)
        return st;
    dm__risk_map m;
    if ((st = dm__risk_open(ctx, risk_path, &o, &m)) != DM_OK)
        return st;
    double x[2] = {lon0, lon1}, y[2] = {lat0, lat1};
    int pc[2], pr[2], wx0 = 0, wy0 = 0, wx1 = 0, wy1 = 0;
    if ((st = dm_transform_xy(m.to_map, x, y, 2)) != DM_OK)
        dm__wrap(ctx, "points");
    else
        st = search_window(&m, x, y, ll, pc, pr, &wx0, &wy0, &wx1, &wy1);
    if (st == DM_OK) {
        /* the window's edges in the map's CRS, grown by a block (dm__risk_blocks
         * may grow it to whole blocks) and two cells, walked to WGS 84 */
        double pad = (o.block_m > 0 ? o.block_m : 0) + 2 * m.cell;
        double e[4] = {m.gt[0] + wx0 * m.cell - pad, m.gt[3] - (wy1 + 1) * m.cell - pad,
                       m.gt[0] + (wx1 + 1) * m.cell + pad, m.gt[3] - wy0 * m.cell + pad};
        enum { K = 64 };
        double bx[4 * K], by[4 * K];
        for (int k = 0; k < K; k++) {
            double t = (double)k / K;
            bx[k] = e[0] + t * (e[2] - e[0]), by[k] = e[1];
            bx[K + k] = e[2], by[K + k] = e[1] + t * (e[3] - e[1]);
            bx[2 * K + k] = e[2] - t * (e[2] - e[0]), by[2 * K + k] = e[3];
            bx[3 * K + k] = e[0], by[3 * K + k] = e[3] - t * (e[3] - e[1]);
        }
        if ((st = dm_transform_xy(m.to_ll, bx, by, 4 * K)) != DM_OK)
            dm__wrap(ctx, "the search window");
        else {
            double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
            for (int k = 0; k < 4 * K; k++)
                b[0] = fmin(b[0], bx[k]), b[1] = fmin(b[1], by[k]), b[2] = fmax(b[2], bx[k]),
                b[3] = fmax(b[3], by[k]);
            /* the edges bow between the points walked: a hair more */
            double d = 1e-4 + 1e-3 * fmax(b[2] - b[0], b[3] - b[1]);
            box[0] = b[0] - d, box[1] = b[1] - d, box[2] = b[2] + d, box[3] = b[3] + d;
            if (!(box[0] <= box[2] && box[1] <= box[3]) || !isfinite(box[0] + box[1] + box[2] + box[3]))
                st = dm__fail(ctx, DM_EPROJ, "risk map %s: the search window has no extent in WGS 84", risk_path);
        }
    }
    dm__risk_close(&m);
    return st;
}

dm_status dm_route_find(dm_ctx *ctx, const char *risk_path, const dm_route_roads *roads,
                        double lon0, double lat0, double lon1, double lat1,
                        const dm_route_opts *opts, dm_route_result **out)
{
    *out = NULL;
    dm_route_opts o;
    double ll[4] = {lon0, lat0, lon1, lat1};
    dm_status st = route_args(ctx, opts, ll, &o);
    if (st != DM_OK)
        return st;
    if (lon0 == lon1 && lat0 == lat1)
        return dm__fail(ctx, DM_EINVAL, "the start and the end are the same point (%g,%g)", lon0,
                        lat0);
    double t0 = dm__seconds();
    dm__risk_map m;
    st = dm__risk_open(ctx, risk_path, &o, &m);
    if (st != DM_OK)
        return st;
    dm_route_grid *g = NULL;
    dm_route_path *path = NULL;
    dm_route_result *res = NULL;
    double *mx = NULL, *my = NULL;
    double x[2] = {lon0, lon1}, y[2] = {lat0, lat1};
    if ((st = dm_transform_xy(m.to_map, x, y, 2)) != DM_OK) {
        dm__wrap(ctx, "points");
        goto done;
    }
    int pc[2], pr[2], wx0, wy0, wx1, wy1;
    if ((st = search_window(&m, x, y, ll, pc, pr, &wx0, &wy0, &wx1, &wy1)) != DM_OK)
        goto done;
    /* the generalised map: the window grows to whole blocks, so that no
     * block is judged on the part of it a window happens to hold */
    if ((st = dm__risk_blocks(&m, &wx0, &wy0, &wx1, &wy1)) != DM_OK)
        goto done;
    int ww = wx1 - wx0 + 1, wh = wy1 - wy0 + 1;
    if ((st = dm_route_grid_new(ctx, (size_t)ww, (size_t)wh, m.cell, &g)) != DM_OK)
        goto done;
    if ((st = read_window(&m, g, wx0, wy0, ww, wh)) != DM_OK)
        goto done;
    float f_map[2]; /* the end points on the map alone, before the areas to avoid */
    for (int i = 0; i < 2; i++)
        f_map[i] = dm_route_grid_get(g, (size_t)(pc[i] - wx0), (size_t)(pr[i] - wy0));
    if ((st = avoid_cells(&m, g, wx0, wy0, ww, wh)) != DM_OK)
        goto done;
    if ((st = dm__risk_roads(&m, roads, wx0, wy0, wx1, wy1)) != DM_OK)
        goto done;
    for (size_t k = 0; k < m.n_roads; k++) {
        size_t c = (size_t)(m.roads[k] % (uint64_t)m.w) - (size_t)wx0;
        size_t r = (size_t)(m.roads[k] / (uint64_t)m.w) - (size_t)wy0;
        dm_route_grid_set(g, c, r, (float)(o.dist_weight * o.road_factor));
    }
    double t1 = dm__seconds();
    /* what makes a cell impassable, for the messages: only the rules in force */
    char why[256];
    impassable_reasons(&o, why, sizeof why);
    for (int i = 0; i < 2; i++) {
        float f = dm_route_grid_get(g, (size_t)(pc[i] - wx0), (size_t)(pr[i] - wy0));
        if (!(f <= FLT_MAX)) {
            /* say which rule holds it */
            char what[160];
            double p = NAN, dens = 0;
            int nod = 0;
            if (f_map[i] <= FLT_MAX)
                snprintf(what, sizeof what, "in %s", o.avoid_name ? o.avoid_name : "an area to avoid");
            else if (read_cell(&m, pc[i], pr[i], &p, &dens, &nod) == DM_OK && nod)
                snprintf(what, sizeof what, "the map has no data there; --nodata-p gives it a probability");
            else if (p >= 1 || !(o.avoid_above < 1))
                snprintf(what, sizeof what, "probability 1");
            else
                snprintf(what, sizeof what, "probability %.3g, above --avoid-above %g", p, o.avoid_above);
            st = dm__fail(ctx, DM_EINVAL, "the %s point %g,%g lies on an impassable cell: %s", i ? "end" : "start",
                          i ? lon1 : lon0, i ? lat1 : lat0, what);
            goto done;
        }
    }
    /* The generalised map has many paths of equal cost: one front picks
     * among them the same way every time (two meet where their timing
     * says), so the same question gets the same line. */
    int threads = dm_ctx_threads(ctx);
    if (o.block_m > 0)
        dm_ctx_set_threads(ctx, 1);
    st = dm_route_grid_search(ctx, g, (size_t)(pc[0] - wx0), (size_t)(pr[0] - wy0),
                              (size_t)(pc[1] - wx0), (size_t)(pr[1] - wy0), &path);
    dm_ctx_set_threads(ctx, threads);
    if (st == DM_ENOTFOUND) {
        int whole = wx0 == 0 && wy0 == 0 && wx1 == m.w - 1 && wy1 == m.h - 1;
        st = dm__fail(ctx, DM_ENOTFOUND, "no path from %g,%g to %g,%g %s without crossing impassable cells (%s)%s",
                      lon0, lat0, lon1, lat1, whole ? "on the risk map" : "in the search window", why,
                      whole ? "" : "; a larger --margin may find one");
    }
    if (st != DM_OK)
        goto done;
    double t2 = dm__seconds();
    dm_route_grid_free(g);
    g = NULL;

    /* The polyline: the start point, the cell centres where the direction
     * changes, the end point. */
    mx = dm_malloc(ctx, (path->n + 2) * sizeof *mx);
    my = dm_malloc(ctx, (path->n + 2) * sizeof *my);
    res = dm_calloc(ctx, 1, sizeof *res);
    if (!mx || !my || !res) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    size_t n = 0;
    mx[n] = x[0];
    my[n++] = y[0];
    for (size_t k = 0; k < path->n; k++) {
        if (k > 0 && k + 1 < path->n) {
            int dc0 = (int)path->col[k] - (int)path->col[k - 1];
            int dr0 = (int)path->row[k] - (int)path->row[k - 1];
            int dc1 = (int)path->col[k + 1] - (int)path->col[k];
            int dr1 = (int)path->row[k + 1] - (int)path->row[k];
            if (dc0 == dc1 && dr0 == dr1)
                continue;
        }
        mx[n] = m.gt[0] + (wx0 + path->col[k] + 0.5) * m.cell;
        my[n++] = m.gt[3] - (wy0 + path->row[k] + 0.5) * m.cell;
    }
    mx[n] = x[1];
    my[n++] = y[1];
    if ((st = dm__risk_line(&m, mx, my, n, res)) != DM_OK)
        goto done;
    res->found = 1;
    res->cost = path->cost;
    res->cells_window = (uint64_t)ww * (uint64_t)wh;
    res->cells_settled = path->settled;
    res->mem_bytes = path->mem_bytes;
    res->seconds_read = t1 - t0;
    res->seconds_search = t2 - t1;
    *out = res;
    res = NULL;
done:
    dm_route_result_free(ctx, res);
    dm_free(ctx, mx);
    dm_free(ctx, my);
    dm_route_path_free(ctx, path);
    dm_route_grid_free(g);
    dm__risk_close(&m);
    return st;
}

dm_status dm_route_check(dm_ctx *ctx, const char *risk_path, const dm_route_roads *roads,
                         const double *xy, size_t n, const char *crs, const dm_route_opts *opts,
                         dm_route_result **out)
{
    *out = NULL;
    dm_route_opts o;
    if (opts)
        o = *opts;
    else
        dm_route_opts_default(&o);
    dm_status st = check_opts(ctx, &o);
    if (st != DM_OK)
        return st;
    if (n < 2)
        return dm__fail(ctx, DM_EINVAL, "the line to check needs at least 2 points (has %zu)", n);
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return dm__fail(ctx, DM_EINVAL, "the line to check: point %zu is not finite",
                            i / 2 + 1);
    dm__risk_map m;
    if ((st = dm__risk_open(ctx, risk_path, &o, &m)) != DM_OK)
        return st;
    dm_transform *t = NULL;
    dm_route_result *res = NULL;
    double *mx = dm_malloc(ctx, n * sizeof *mx), *my = dm_malloc(ctx, n * sizeof *my);
    if (!mx || !my) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        mx[i] = xy[2 * i];
        my[i] = xy[2 * i + 1];
    }
    if ((st = dm_transform_new(ctx, crs ? crs : "EPSG:4326", m.wkt, &t)) != DM_OK ||
        (st = dm_transform_xy(t, mx, my, n)) != DM_OK) {
        dm__wrap(ctx, "the line to check");
        goto done;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        minx = fmin(minx, mx[i]);
        maxx = fmax(maxx, mx[i]);
        miny = fmin(miny, my[i]);
        maxy = fmax(maxy, my[i]);
    }
    int x0 = (int)fmax(0, floor((minx - m.gt[0]) / m.cell) - 1);
    int x1 = (int)fmin(m.w - 1, floor((maxx - m.gt[0]) / m.cell) + 1);
    int y0 = (int)fmax(0, floor((maxy - m.gt[3]) / -m.cell) - 1);
    int y1 = (int)fmin(m.h - 1, floor((miny - m.gt[3]) / -m.cell) + 1);
    if (x0 <= x1 && y0 <= y1 && (st = dm__risk_blocks(&m, &x0, &y0, &x1, &y1)) != DM_OK)
        goto done;
    if (x0 <= x1 && y0 <= y1 && (st = dm__risk_roads(&m, roads, x0, y0, x1, y1)) != DM_OK)
        goto done;
    res = dm_calloc(ctx, 1, sizeof *res);
    if (!res) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = dm__risk_line(&m, mx, my, n, res)) != DM_OK)
        goto done;
    *out = res;
    res = NULL;
done:
    dm_route_result_free(ctx, res);
    dm_transform_free(t);
    dm_free(ctx, mx);
    dm_free(ctx, my);
    dm__risk_close(&m);
    return st;
}

dm_status dm_route_check_geojson(dm_ctx *ctx, const char *risk_path, const dm_route_roads *roads,
                                 const char *geojson, const dm_route_opts *opts,
                                 dm_route_result **out)
{
    *out = NULL;
    dm_geom *g = NULL;
    if (!geojson || dm_geom_from_geojson(ctx, geojson, &g) != DM_OK)
        return dm__fail(ctx, DM_EPARSE, "the line to check is not a GeoJSON geometry: %s",
                        dm_ctx_errmsg(ctx));
    dm_geom_type t = dm_geom_type_of(g);
    if (t != DM_GEOM_LINESTRING && t != DM_GEOM_MULTILINESTRING) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EPARSE, "the line to check is a %s, not a LineString",
                        dm_geom_type_name(t));
    }
    dm_coords c;
    dm_status st = dm_geom_coords(ctx, g, &c);
    dm_geom_free(g);
    if (st != DM_OK)
        return st;
    /* join the parts, dropping a vertex repeated where one part ends and the
     * next begins; parts that do not meet are refused (the gap is no path) */
    for (size_t p = 1; p < c.n_parts; p++) {
        size_t a = c.start[p] - 1, b = c.start[p];
        if (b == 0 || b >= c.n_xy || c.start[p - 1] == b)
            continue;
        double gap = dm_haversine_m(c.xy[2 * a], c.xy[2 * a + 1], c.xy[2 * b], c.xy[2 * b + 1]);
        if (gap > DM__ROUTE_PART_GAP_M) {
            dm_coords_free(ctx, &c);
            return dm__fail(ctx, DM_EINVAL,
                            "the line to check: part %zu begins %.0f m from where part %zu ends; the gap "
                            "would be judged as walked: check each part on its own, or join them",
                            p + 1, gap, p);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < c.n_xy; i++) {
        if (n > 0 && c.xy[2 * n - 2] == c.xy[2 * i] && c.xy[2 * n - 1] == c.xy[2 * i + 1])
            continue;
        c.xy[2 * n] = c.xy[2 * i];
        c.xy[2 * n + 1] = c.xy[2 * i + 1];
        n++;
    }
    st = dm_route_check(ctx, risk_path, roads, c.xy, n, NULL, opts, out);
    dm_coords_free(ctx, &c);
    return st;
}

/* ============================ inputs ============================ */

dm_status dm_route_read_line(dm_ctx *ctx, const char *path, double **xy, size_t *n)
{
    *xy = NULL;
    *n = 0;
    char msg[512] = "";
    CPLPushErrorHandlerEx(gdal_err, msg);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return dm__vector_open_fail(ctx, path, NULL, msg);
    dm_status st = DM_OK;
    double *pts = NULL;
    size_t np = 0, cap = 0;
    char *wkt = NULL;
    long feat_no = 0;
    /* where each part begins (the index of its first point) and its feature:
     * parts that do not meet are refused once the points are in WGS 84 */
    size_t *pstart = NULL, npart = 0, pcap = 0;
    long *pfeat = NULL;
    for (int l = 0; l < GDALDatasetGetLayerCount(ds) && np == 0 && st == DM_OK; l++) {
        OGRLayerH lay = GDALDatasetGetLayer(ds, l);
        OGR_L_ResetReading(lay);
        OGRFeatureH f;
        feat_no = 0;
        int kind_field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lay), "kind");
        while (st == DM_OK && (f = OGR_L_GetNextFeature(lay)) != NULL) {
            feat_no++;
            /* a route written by `route --out`: its stretches repeat parts of it */
            if (kind_field >= 0 && OGR_F_IsFieldSetAndNotNull(f, kind_field) &&
                !strcmp(OGR_F_GetFieldAsString(f, kind_field), "stretch")) {
                OGR_F_Destroy(f);
                continue;
            }
            OGRGeometryH geom = OGR_F_GetGeometryRef(f);
            OGRwkbGeometryType t = geom ? wkbFlatten(OGR_G_GetGeometryType(geom)) : wkbNone;
            int parts = t == wkbLineString        ? 1
                        : t == wkbMultiLineString ? OGR_G_GetGeometryCount(geom)
                                                  : 0;
            for (int p = 0; p < parts && st == DM_OK; p++) {
                OGRGeometryH line = t == wkbLineString ? geom : OGR_G_GetGeometryRef(geom, p);
                int k = OGR_G_GetPointCount(line);
                if (k > 0 && npart == pcap) {
                    size_t nc = pcap * 2 + 16;
                    size_t *ns = dm_realloc(ctx, pstart, nc * sizeof *ns);
                    if (ns)
                        pstart = ns;
                    long *nf = ns ? dm_realloc(ctx, pfeat, nc * sizeof *nf) : NULL;
                    if (!nf) {
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                        break;
                    }
                    pfeat = nf;
                    pcap = nc;
                }
                if (k > 0) {
                    pstart[npart] = np;
                    pfeat[npart++] = feat_no;
                }
                if (np + (size_t)k > cap) {
                    size_t nc = (np + (size_t)k) * 2 + 64;
                    double *v = dm_realloc(ctx, pts, nc * 2 * sizeof *v);
                    if (!v) {
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                        break;
                    }
                    pts = v;
                    cap = nc;
                }
                for (int i = 0; i < k; i++) {
                    double px = OGR_G_GetX(line, i), py = OGR_G_GetY(line, i);
                    if (!isfinite(px) || !isfinite(py)) {
                        st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: point %d is not finite",
                                      path, feat_no, i + 1);
                        break;
                    }
                    /* joining parts: skip a repeated vertex (a part that
                     * begins where the last ended meets it: nothing to check) */
                    if (np > 0 && pts[2 * np - 2] == px && pts[2 * np - 1] == py) {
                        if (i == 0 && npart > 0)
                            pstart[npart - 1] = SIZE_MAX;
                        continue;
                    }
                    pts[2 * np] = px;
                    pts[2 * np + 1] = py;
                    np++;
                }
            }
            OGR_F_Destroy(f);
        }
        if (np > 0 && st == DM_OK) {
            OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lay);
            if (!srs)
                st = dm__fail(ctx, DM_EPROJ,
                              "%s: layer '%s' has no coordinate reference system; save it with"
                              " one (e.g. as GeoJSON in WGS 84)",
                              path, OGR_L_GetName(lay));
            else if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE)
                st = dm__fail(ctx, DM_EPROJ, "%s: cannot read the layer's CRS", path);
            /* metres in a file that says degrees (a GeoJSON is always in
             * WGS 84): named, not "coordinate 1 cannot be transformed" */
            for (size_t i = 0; st == DM_OK && OSRIsGeographic(srs) && i < np; i++)
                if (fabs(pts[2 * i]) > 360 || fabs(pts[2 * i + 1]) > 90)
                    st = dm__fail(ctx, DM_EPROJ,
                                  "%s: point %zu (%.10g, %.10g) is no longitude and latitude, yet the "
                                  "file says its coordinates are in degrees%s: projected coordinates "
                                  "(metres)? save the line with its own CRS (a GeoPackage, or a "
                                  "Shapefile with its .prj) or in WGS 84 degrees",
                                  path, i + 1, pts[2 * i], pts[2 * i + 1],
                                  !strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GeoJSON")
                                      ? " (a GeoJSON is always in WGS 84)"
                                      : "");
        }
    }
    GDALClose(ds);
    if (st == DM_OK && np < 2)
        st = dm__fail(ctx, DM_EPARSE, "%s: no line with at least 2 points found", path);
    if (st == DM_OK) {
        dm_transform *t = NULL;
        double *x = dm_malloc(ctx, np * sizeof *x), *y = dm_malloc(ctx, np * sizeof *y);
        if (!x || !y)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        else {
            for (size_t i = 0; i < np; i++) {
                x[i] = pts[2 * i];
                y[i] = pts[2 * i + 1];
            }
            st = dm_transform_new(ctx, wkt, "EPSG:4326", &t);
            if (st == DM_OK)
                st = dm_transform_xy(t, x, y, np);
            if (st != DM_OK)
                dm__wrap(ctx, "%s", path);
            for (size_t i = 0; i < np && st == DM_OK; i++) {
                pts[2 * i] = x[i];
                pts[2 * i + 1] = y[i];
            }
            /* Parts are joined in file order: one that begins away from where
             * the one before it ends would be joined by a straight stretch no
             * one walked, and judged as if it had been (two lanes 6 km apart
             * checked as one line of 7.8 km). */
            for (size_t p = 1; p < npart && st == DM_OK; p++) {
                size_t a = pstart[p] - 1, b = pstart[p];
                if (b == SIZE_MAX || b >= np || b == 0)
                    continue;
                double gap = dm_haversine_m(pts[2 * a], pts[2 * a + 1], pts[2 * b], pts[2 * b + 1]);
                if (gap > DM__ROUTE_PART_GAP_M)
                    st = dm__fail(ctx, DM_EINVAL,
                                  "%s: feature %ld: the line begins %.0f m from where the line before it "
                                  "(feature %ld) ends; its parts are joined in file order and the gap would be "
                                  "judged as walked: check each line on its own (one line a file), or join them",
                                  path, pfeat[p], gap, pfeat[p - 1]);
            }
        }
        dm_transform_free(t);
        dm_free(ctx, x);
        dm_free(ctx, y);
    }
    CPLFree(wkt);
    dm_free(ctx, pstart);
    dm_free(ctx, pfeat);
    if (st != DM_OK) {
        dm_free(ctx, pts);
        return st;
    }
    *xy = pts;
    *n = np;
    return DM_OK;
}

void dm_route_roads_free(dm_ctx *ctx, dm_route_roads *r)
{
    if (!r)
        return;
    dm_free(ctx, r->xy);
    dm_free(ctx, r->start);
    dm_free(ctx, r);
}

dm_status dm_route_roads_from_store(dm_store *s, dm_route_roads **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    dm_route_roads *r = dm_calloc(ctx, 1, sizeof *r);
    size_t cap_xy = 0, cap_l = 0;
    if (!r)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    static const char *classes[] = {"road", "track"};
    for (int ci = 0; ci < 2 && st == DM_OK; ci++) {
        const char *field = "class";
        dm_select sel = {0};
        sel.eq_field = &field;
        sel.eq_value = &classes[ci];
        sel.n_eq = 1;
        dm_cursor *c = NULL;
        if ((st = dm_store_select(s, "features", &sel, &c)) != DM_OK)
            break;
        int rc = 0;
        while (st == DM_OK && (rc = dm_cursor_next(c)) > 0) {
            if (dm_cursor_real(c, "cleared", 0) == 0)
                continue;
            dm_geom *g = NULL;
            if ((st = dm_cursor_geom(c, &g)) != DM_OK || !g)
                continue;
            dm_coords co;
            st = dm_geom_coords(ctx, g, &co);
            dm_geom_free(g);
            if (st != DM_OK)
                break;
            for (size_t p = 0; p < co.n_parts && st == DM_OK; p++) {
                if (co.kind[p] != 1)
                    continue;
                size_t a = co.start[p], b = co.start[p + 1];
                if (r->n_xy + (b - a) > cap_xy) {
                    size_t nc = (r->n_xy + (b - a)) * 2 + 64;
                    double *v = dm_realloc(ctx, r->xy, nc * 2 * sizeof *v);
                    if (!v) {
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                        break;
                    }
                    r->xy = v;
                    cap_xy = nc;
                }
                if (r->n_lines + 2 > cap_l) {
                    size_t nc = cap_l * 2 + 16;
                    size_t *v = dm_realloc(ctx, r->start, nc * sizeof *v);
                    if (!v) {
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                        break;
                    }
                    r->start = v;
                    cap_l = nc;
                }
                if (r->n_lines == 0)
                    r->start[0] = 0;
                memcpy(r->xy + 2 * r->n_xy, co.xy + 2 * a, (b - a) * 2 * sizeof(double));
                r->n_xy += b - a;
                r->start[++r->n_lines] = r->n_xy;
            }
            dm_coords_free(ctx, &co);
        }
        if (st == DM_OK && rc < 0)
            st = dm_ctx_errcode(ctx);
        dm_cursor_free(c);
    }
    if (st != DM_OK) {
        dm_route_roads_free(ctx, r);
        return dm__wrap(ctx, "cleared roads");
    }
    *out = r;
    return DM_OK;
}

dm_status dm_route_risk_path(dm_store *s, char **path)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *path = NULL;
    dm_status st = dm_store_meta_get(s, "risk_map", path);
    if (st != DM_OK)
        return st;
    if (!*path || !(*path)[0]) {
        dm_free(ctx, *path);
        *path = NULL;
        return dm__fail(ctx, DM_ENOTFOUND,
                        "%s records no risk map (metadata 'risk_map'): run `demine risk map %s` first"
                        " or give --risk FILE",
                        dm_store_path(s), dm_store_path(s));
    }
    /* kept relative to the database's directory when it lies there */
    char *abs = dm_store_resolve_path(s, *path);
    dm_free(ctx, *path);
    *path = abs;
    return abs ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}
