/* SPDX-License-Identifier: MIT
 *
 * riskmap.c -- XYZ tiles, point values and line profiles of the risk
 * GeoTIFF. A tile is rendered by transforming a 17 x 17 grid of tile points
 * to the raster's CRS (interpolating in between), reading the covered
 * window once at about tile resolution (GDAL uses overviews when present),
 * sampling nearest-neighbour into a 64-step palette and encoding an 8-bit
 * PNG with GDAL.
 */
#include "core/dm_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_vsi.h>
#include <gdal.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TILE 256
#define GRID 16 /* grid cells per tile side */
#define WORLD 20037508.342789244

struct dm_riskmap {
    dm_ctx *ctx;
    GDALDatasetH ds;
    GDALRasterBandH band;
    int w, h;
    double gt[6], inv[6];
    int has_nodata;
    double nodata;
    dm_transform *from_merc; /* EPSG:3857 -> raster */
    dm_transform *from_wgs;  /* EPSG:4326 -> raster */
    float *buf;
    size_t buf_cap;
    GDALDatasetH mem; /* 256 x 256 palette image, reused for every tile */
    unsigned long n_png;
};

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_init(void) { GDALAllRegister(); }

dm_status dm_riskmap_path(dm_store *s, char **path)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *path = NULL;
    char *v = NULL;
    dm_status st = dm_store_meta_get(s, "risk_map", &v);
    if (st)
        return st;
    if (!v || !*v) {
        dm_free(ctx, v);
        return dm__fail(ctx, DM_ENOTFOUND, "no risk map yet (run the risk engine first)");
    }
    if (v[0] == '/') {
        *path = v;
        return DM_OK;
    }
    const char *db = dm_store_path(s);
    const char *slash = strrchr(db, '/');
    size_t dl = slash ? (size_t)(slash - db) + 1 : 0;
    char *p = dm_malloc(ctx, dl + strlen(v) + 1);
    if (!p) {
        dm_free(ctx, v);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    memcpy(p, db, dl);
    memcpy(p + dl, v, strlen(v) + 1);
    dm_free(ctx, v);
    *path = p;
    return DM_OK;
}

void dm_riskmap_free(dm_riskmap *r)
{
    if (!r)
        return;
    if (r->mem)
        GDALClose(r->mem);
    if (r->ds)
        GDALClose(r->ds);
    dm_transform_free(r->from_merc);
    dm_transform_free(r->from_wgs);
    dm_free(r->ctx, r->buf);
    dm_free(r->ctx, r);
}

dm_status dm_riskmap_open(dm_ctx *ctx, const char *path, dm_riskmap **out)
{
    *out = NULL;
    pthread_once(&gdal_once, gdal_init);
    dm_riskmap *r = dm_calloc(ctx, 1, sizeof *r);
    if (!r)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    r->ctx = ctx;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    r->ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!r->ds) {
        dm_riskmap_free(r);
        return dm__fail(ctx, DM_EIO, "%s: cannot open the risk map", path);
    }
    r->band = GDALGetRasterBand(r->ds, 1);
    r->w = GDALGetRasterXSize(r->ds);
    r->h = GDALGetRasterYSize(r->ds);
    const char *wkt = GDALGetProjectionRef(r->ds);
    if (!r->band || GDALGetGeoTransform(r->ds, r->gt) != CE_None || !wkt || !*wkt ||
        !GDALInvGeoTransform(r->gt, r->inv)) {
        dm_riskmap_free(r);
        return dm__fail(ctx, DM_EPROJ, "%s: the risk map has no georeferencing", path);
    }
    r->nodata = GDALGetRasterNoDataValue(r->band, &r->has_nodata);
    dm_status st = dm_transform_new(ctx, "EPSG:3857", wkt, &r->from_merc);
    if (!st)
        st = dm_transform_new(ctx, "EPSG:4326", wkt, &r->from_wgs);
    if (st) {
        dm_riskmap_free(r);
        return dm__wrap(ctx, "%s", path);
    }
    *out = r;
    return DM_OK;
}

/* The colour ramp: palette entry 0 is transparent, entries 1-64 run from
 * pale yellow through orange to red with rising opacity, for probabilities
 * from 1e-4 to 1 on a logarithmic scale. Per-cell probabilities of small
 * cells are small (0.01 in a 10 m cell is a dense minefield), so a linear
 * scale would leave most dangerous ground uncoloured. */
#define RAMP_STEPS 64
#define RAMP_DECADES 4.0

static unsigned char ramp_index(double v)
{
    if (!(v > 1e-4))
        return 0;
    if (v > 1)
        v = 1;
    double t = (log10(v) + RAMP_DECADES) / RAMP_DECADES; /* 0 at 1e-4, 1 at 1 */
    int k = 1 + (int)(t * RAMP_STEPS);
    return (unsigned char)(k > RAMP_STEPS ? RAMP_STEPS : k);
}

static void ramp_colour(int k, GDALColorEntry *e)
{
    double v = (k - 0.5) / RAMP_STEPS, r, g, b;
    /* yellow (255,237,160) -> orange (253,141,60) -> red (189,0,38) */
    if (v < 0.5) {
        double t = v / 0.5;
        r = 255 + t * (253 - 255), g = 237 + t * (141 - 237), b = 160 + t * (60 - 160);
    } else {
        double t = (v - 0.5) / 0.5;
        r = 253 + t * (189 - 253), g = 141 + t * (0 - 141), b = 60 + t * (38 - 60);
    }
    e->c1 = (short)(r + 0.5);
    e->c2 = (short)(g + 0.5);
    e->c3 = (short)(b + 0.5);
    e->c4 = (short)((0.35 + 0.5 * v) * 255 + 0.5);
}

static dm_status make_mem(dm_riskmap *r)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    r->mem = mem ? GDALCreate(mem, "", TILE, TILE, 1, GDT_Byte, NULL) : NULL;
    if (!r->mem)
        return dm__fail(r->ctx, DM_EGDAL, "cannot create an in-memory tile image");
    GDALColorTableH ct = GDALCreateColorTable(GPI_RGB);
    GDALColorEntry e = {0, 0, 0, 0};
    GDALSetColorEntry(ct, 0, &e);
    for (int k = 1; k <= RAMP_STEPS; k++) {
        ramp_colour(k, &e);
        GDALSetColorEntry(ct, k, &e);
    }
    GDALSetRasterColorTable(GDALGetRasterBand(r->mem, 1), ct);
    GDALDestroyColorTable(ct);
    return DM_OK;
}

/* 8-bit palette PNG through GDAL's PNG driver at zlib level 1: a tenth of
 * the time of a 32-bit RGBA PNG at the default level. */
static dm_status encode_png(dm_riskmap *r, unsigned char *idx, unsigned char **png, size_t *len)
{
    dm_ctx *ctx = r->ctx;
    if (!r->mem && make_mem(r))
        return dm_ctx_errcode(ctx);
    if (GDALRasterIO(GDALGetRasterBand(r->mem, 1), GF_Write, 0, 0, TILE, TILE, idx, TILE, TILE,
                     GDT_Byte, 0, 0) != CE_None)
        return dm__fail(ctx, DM_EGDAL, "tile image: %s", CPLGetLastErrorMsg());
    char name[96];
    snprintf(name, sizeof name, "/vsimem/dm_tile_%p_%lu.png", (void *)r, r->n_png++);
    char *opts[] = {(char *)"ZLEVEL=1", NULL};
    GDALDriverH pngd = GDALGetDriverByName("PNG");
    GDALDatasetH out = pngd ? GDALCreateCopy(pngd, name, r->mem, FALSE, opts, NULL, NULL) : NULL;
    if (!out)
        return dm__fail(ctx, DM_EGDAL, "PNG encoding failed: %s", CPLGetLastErrorMsg());
    GDALClose(out);
    vsi_l_offset n = 0;
    GByte *data = VSIGetMemFileBuffer(name, &n, TRUE);
    if (!data)
        return dm__fail(ctx, DM_EGDAL, "PNG encoding failed");
    *png = dm_malloc(ctx, (size_t)n);
    if (*png) {
        memcpy(*png, data, (size_t)n);
        *len = (size_t)n;
    }
    VSIFree(data);
    VSIUnlink(name);
    return *png ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}

static void to_pixel(const double inv[6], double x, double y, double *c, double *r)
{
    *c = inv[0] + inv[1] * x + inv[2] * y;
    *r = inv[3] + inv[4] * x + inv[5] * y;
}

dm_status dm_riskmap_tile_png(dm_riskmap *r, int z, int x, int y, unsigned char **png, size_t *len)
{
    dm_ctx *ctx = r->ctx;
    *png = NULL;
    *len = 0;
    if (z < 0 || z > 24 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z))
        return dm__fail(ctx, DM_EINVAL, "tile %d/%d/%d is outside the tile grid", z, x, y);
    unsigned char *px = dm_calloc(ctx, (size_t)TILE * TILE, 1);
    if (!px)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    double res = 2 * WORLD / (TILE * (double)(1u << z));
    double minx = -WORLD + x * TILE * res, maxy = WORLD - y * TILE * res;
    /* Grid nodes in raster pixel coordinates. */
    enum { N = GRID + 1 };
    double gx[N * N], gy[N * N];
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            gx[j * N + i] = minx + i * (TILE / GRID) * res;
            gy[j * N + i] = maxy - j * (TILE / GRID) * res;
        }
    int ok = dm_transform_xy(r->from_merc, gx, gy, N * N) == DM_OK;
    dm_ctx_clear_error(ctx);
    double c0 = INFINITY, c1 = -INFINITY, r0 = INFINITY, r1 = -INFINITY;
    for (int k = 0; ok && k < N * N; k++) {
        double c, rr;
        to_pixel(r->inv, gx[k], gy[k], &c, &rr);
        gx[k] = c;
        gy[k] = rr;
        c0 = fmin(c0, c), c1 = fmax(c1, c), r0 = fmin(r0, rr), r1 = fmax(r1, rr);
    }
    int wc0 = (int)fmax(0, floor(c0)), wc1 = (int)fmin(r->w, ceil(c1));
    int wr0 = (int)fmax(0, floor(r0)), wr1 = (int)fmin(r->h, ceil(r1));
    if (ok && wc0 < wc1 && wr0 < wr1) {
        int ww = wc1 - wc0, wh = wr1 - wr0;
        int bw = ww < 2 * TILE ? ww : 2 * TILE, bh = wh < 2 * TILE ? wh : 2 * TILE;
        size_t need = (size_t)bw * bh;
        if (need > r->buf_cap) {
            float *nb = dm_realloc(ctx, r->buf, need * sizeof *nb);
            if (!nb) {
                dm_free(ctx, px);
                return dm__fail(ctx, DM_ENOMEM, "out of memory");
            }
            r->buf = nb;
            r->buf_cap = need;
        }
        GDALRasterIOExtraArg extra;
        INIT_RASTERIO_EXTRA_ARG(extra);
        extra.eResampleAlg = GRIORA_NearestNeighbour;
        if (GDALRasterIOEx(r->band, GF_Read, wc0, wr0, ww, wh, r->buf, bw, bh, GDT_Float32, 0, 0,
                           &extra) != CE_None) {
            dm_free(ctx, px);
            return dm__fail(ctx, DM_EGDAL, "reading the risk map failed: %s", CPLGetLastErrorMsg());
        }
        double sx = (double)bw / ww, sy = (double)bh / wh;
        int step = TILE / GRID;
        for (int py = 0; py < TILE; py++) {
            int j = py / step;
            double fy = (py % step + 0.5) / step;
            for (int pxi = 0; pxi < TILE; pxi++) {
                int i = pxi / step;
                double fx = (pxi % step + 0.5) / step;
                int k = j * N + i;
                double c = (1 - fy) * ((1 - fx) * gx[k] + fx * gx[k + 1]) +
                           fy * ((1 - fx) * gx[k + N] + fx * gx[k + N + 1]);
                double rr = (1 - fy) * ((1 - fx) * gy[k] + fx * gy[k + 1]) +
                            fy * ((1 - fx) * gy[k + N] + fx * gy[k + N + 1]);
                if (c < wc0 || c >= wc1 || rr < wr0 || rr >= wr1)
                    continue;
                int bc = (int)((c - wc0) * sx), br = (int)((rr - wr0) * sy);
                if (bc >= bw)
                    bc = bw - 1;
                if (br >= bh)
                    br = bh - 1;
                double v = r->buf[(size_t)br * bw + bc];
                if (r->has_nodata && v == r->nodata)
                    continue;
                px[py * TILE + pxi] = ramp_index(v);
            }
        }
    }
    dm_status st = encode_png(r, px, png, len);
    dm_free(ctx, px);
    return st;
}

dm_status dm_riskmap_value(dm_riskmap *r, double lon, double lat, double *v)
{
    *v = NAN;
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return dm__fail(r->ctx, DM_EINVAL, "point %g %g is not a longitude/latitude", lon, lat);
    double x = lon, y = lat;
    if (dm_transform_xy(r->from_wgs, &x, &y, 1) != DM_OK) {
        dm_ctx_clear_error(r->ctx);
        return DM_OK;
    }
    double c, rr;
    to_pixel(r->inv, x, y, &c, &rr);
    if (!(c >= 0 && rr >= 0 && c < r->w && rr < r->h))
        return DM_OK;
    float f = 0;
    if (GDALRasterIO(r->band, GF_Read, (int)c, (int)rr, 1, 1, &f, 1, 1, GDT_Float32, 0, 0) !=
        CE_None)
        return dm__fail(r->ctx, DM_EGDAL, "reading the risk map failed: %s",
                        CPLGetLastErrorMsg());
    if (!(r->has_nodata && f == r->nodata) && isfinite(f))
        *v = f;
    return DM_OK;
}

dm_status dm_riskmap_profile_json(dm_riskmap *r, const double *xy, size_t n, double step_m,
                                  char **json)
{
    dm_ctx *ctx = r->ctx;
    *json = NULL;
    if (n < 2)
        return dm__fail(ctx, DM_EINVAL, "a line needs at least two points");
    double total = 0;
    for (size_t i = 0; i + 1 < n; i++)
        total += dm_haversine_m(xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3]);
    if (!isfinite(total))
        return dm__fail(ctx, DM_EINVAL, "the line has non-finite coordinates");
    if (!(step_m > 0))
        step_m = 10;
    if (total / step_m > 1999)
        step_m = total / 1999;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"samples\":[");
    double maxv = NAN, sum = 0;
    long nv = 0, ns = 0;
    double at = 0; /* distance where the current segment starts */
    double next = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
        double seg = dm_haversine_m(x0, y0, x1, y1);
        int last = i + 2 == n;
        while (next <= at + seg + (last ? 1e-9 : -1e-9) && ns < 2000) {
            double t = seg > 0 ? (next - at) / seg : 0;
            double v = NAN;
            dm_status st = dm_riskmap_value(r, x0 + t * (x1 - x0), y0 + t * (y1 - y0), &v);
            if (st) {
                dm__buf_free(&b);
                return st;
            }
            dm__buf_printf(&b, "%s[%.1f,", ns ? "," : "", next);
            dm__buf_json_num(&b, v);
            dm__buf_puts(&b, "]");
            ns++;
            if (isfinite(v)) {
                sum += v;
                nv++;
                if (!(v <= maxv))
                    maxv = v;
            }
            next += step_m;
        }
        at += seg;
    }
    dm__buf_printf(&b, "],\"length_m\":%.1f,\"max\":", total);
    dm__buf_json_num(&b, maxv);
    dm__buf_puts(&b, ",\"mean\":");
    dm__buf_json_num(&b, nv ? sum / nv : NAN);
    dm__buf_puts(&b, "}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    *json = dm_strdup(ctx, b.data);
    dm__buf_free(&b);
    return *json ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}
