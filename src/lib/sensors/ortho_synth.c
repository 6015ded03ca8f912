/* SPDX-License-Identifier: MIT
 *
 * ortho_synth.c -- synthetic multispectral or thermal orthomosaics for tests
 * and benchmarks: a soil and vegetation background (value noise at two
 * scales, correlated across bands), pixel noise, small surface mines planted
 * at known places with a set contrast, and stones and debris as clutter.
 * Written tile by tile (GDAL block writes of a band-interleaved tiled
 * GeoTIFF), so memory does not grow with the raster; the same seed gives the
 * same file.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct blob {
    double cx, cy, r; /* pixels */
    float sig[16];
} blob;

static inline uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h =
        a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

/* Value in [-1, 1) of lattice point (i, j) of layer `layer`. */
static inline float lattice(uint32_t seed, uint32_t layer, int i, int j)
{
    return (float)(hash3((uint32_t)i, (uint32_t)j, seed * 131u + layer) >> 8) *
               (2.0f / 16777216.0f) -
           1.0f;
}

/* Bilinear value noise with lattice spacing `sp` pixels, added to out[0..n)
 * for columns xa..xa+n-1 of row y (the same values whatever the span). */
static void noise_span(float *out, int xa, int n, int y, int sp, uint32_t seed, uint32_t layer, float amp)
{
    int j = y / sp;
    float fy = (float)(y - j * sp) / (float)sp;
    int i = xa / sp;
    float a = lattice(seed, layer, i, j), c = lattice(seed, layer, i, j + 1);
    float b = lattice(seed, layer, i + 1, j), d = lattice(seed, layer, i + 1, j + 1);
    float l0 = a + (c - a) * fy, l1 = b + (d - b) * fy;
    for (int k = 0; k < n; k++) {
        int x = xa + k, ii = x / sp;
        if (ii != i) {
            i = ii;
            l0 = l1;
            b = lattice(seed, layer, i + 1, j);
            d = lattice(seed, layer, i + 1, j + 1);
            l1 = b + (d - b) * fy;
        }
        float fx = (float)(x - i * sp) / (float)sp;
        out[k] += amp * (l0 + (l1 - l0) * fx);
    }
}

dm_status dm_ortho_synth(dm_ctx *ctx, const char *path, const dm_ortho_synth_opts *opts,
                         double **truth_xy, size_t *n_truth)
{
    dm_ortho_synth_opts o = {0};
    if (opts)
        o = *opts;
    if (o.size_m <= 0)
        o.size_m = 10;
    if (o.gsd_m <= 0)
        o.gsd_m = 0.01;
    if (o.bands <= 0)
        o.bands = 4;
    if (!o.n_mines)
        o.n_mines = 40;
    else if (o.n_mines < 0)
        o.n_mines = 0;
    if (o.mine_radius_m <= 0)
        o.mine_radius_m = 0.04;
    if (o.contrast <= 0)
        o.contrast = 3;
    if (!o.n_clutter)
        o.n_clutter = o.n_mines / 4 > 0 ? o.n_mines / 4 : 1;
    else if (o.n_clutter < 0)
        o.n_clutter = 0;
    if (!o.seed)
        o.seed = 1;
    if (!o.epsg)
        o.epsg = 32638;
    if (o.x0 == 0 && o.y0 == 0) {
        o.x0 = 600000;
        o.y0 = 4400000;
    }
    if (o.bands > 16)
        return dm__fail(ctx, DM_EINVAL, "at most 16 bands (asked for %d)", o.bands);
    if (!isfinite(o.size_m) || !isfinite(o.gsd_m) || !isfinite(o.mine_radius_m) || !isfinite(o.contrast))
        return dm__fail(ctx, DM_EINVAL, "size, pixel, mine radius and contrast must be finite numbers");
    double npx = o.size_m / o.gsd_m;
    if (!(npx >= 64 && npx <= 200000))
        return dm__fail(ctx, DM_EINVAL, "%.0f pixels a side is out of range (64 to 200000)", npx);
    int W = (int)lround(npx), H = W, B = o.bands;
    if (truth_xy)
        *truth_xy = NULL;
    if (n_truth)
        *n_truth = 0;
    if (!(o.nodata_margin_m >= 0) || 2 * o.nodata_margin_m >= o.size_m - 0.5)
        return dm__fail(ctx, DM_EINVAL, "nodata margin %.3g m leaves no valid ground",
                        o.nodata_margin_m);
    sensors_rng rng;
    sensors__rng_seed(&rng, o.seed);
    /* objects: mines first, then clutter; mines at least 0.3 m apart */
    size_t nb = (size_t)o.n_mines + (size_t)o.n_clutter;
    blob *bl = calloc(nb ? nb : 1, sizeof *bl);
    if (!bl)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    double rpx = o.mine_radius_m / o.gsd_m;
    double margin = (0.2 + o.nodata_margin_m) / o.gsd_m + rpx, sep = 0.3 / o.gsd_m;
    int nd = (int)lround(o.nodata_margin_m / o.gsd_m);
    float sigma = 10.0f; /* pixel noise, in digital numbers */
    for (size_t k = 0; k < nb; k++) {
        int mine = k < (size_t)o.n_mines;
        for (int tries = 0; tries < 1000; tries++) {
            bl[k].cx = margin + sensors__rng_unif(&rng) * (W - 2 * margin);
            bl[k].cy = margin + sensors__rng_unif(&rng) * (H - 2 * margin);
            int ok = 1;
            for (size_t m = 0; m < k && ok; m++)
                if (hypot(bl[m].cx - bl[k].cx, bl[m].cy - bl[k].cy) < sep)
                    ok = 0;
            if (ok)
                break;
        }
        bl[k].r = mine ? rpx : rpx * (0.5 + 1.0 * sensors__rng_unif(&rng));
        double c = mine ? o.contrast : o.contrast * (0.2 + 0.6 * sensors__rng_unif(&rng));
        /* a random direction in band space; one band: brighter or darker */
        double u[16], nrm = 0;
        for (int b = 0; b < B; b++) {
            u[b] = sensors__rng_normal(&rng);
            nrm += u[b] * u[b];
        }
        nrm = sqrt(nrm);
        for (int b = 0; b < B; b++)
            bl[k].sig[b] = (float)(c * sigma * (nrm > 0 ? u[b] / nrm : 1.0));
    }
    sensors__gdal_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    char **co = NULL;
    co = CSLSetNameValue(co, "INTERLEAVE", "BAND");
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    GDALDatasetH ds =
        drv ? GDALCreate(drv, path, W, H, B, o.uint16 ? GDT_UInt16 : GDT_Float32, co) : NULL;
    CSLDestroy(co);
    if (!ds) {
        free(bl);
        return dm__fail(ctx, DM_EIO, "%s: cannot create GeoTIFF: %s", path, CPLGetLastErrorMsg());
    }
    double gt[6] = {o.x0, o.gsd_m, 0, o.y0, 0, -o.gsd_m};
    GDALSetGeoTransform(ds, gt);
    if (nd > 0)
        for (int b = 1; b <= B; b++)
            GDALSetRasterNoDataValue(GDALGetRasterBand(ds, b), 0);
    {
        char srs[32];
        snprintf(srs, sizeof srs, "EPSG:%d", o.epsg);
        OGRSpatialReferenceH sr = OSRNewSpatialReference(NULL);
        char *wkt = NULL;
        if (OSRSetFromUserInput(sr, srs) == OGRERR_NONE && OSRExportToWkt(sr, &wkt) == OGRERR_NONE)
            GDALSetProjection(ds, wkt);
        CPLFree(wkt);
        OSRDestroySpatialReference(sr);
    }
    int bw = 0, bh = 0;
    GDALGetBlockSize(GDALGetRasterBand(ds, 1), &bw, &bh);
    if (bw <= 0 || bh <= 0 || bw > 4096 || bh > 4096)
        bw = bh = 256;
    /* one tile of every band, one row of the shared pattern, the pixel-noise
       generator of every row and band of the strip (carried from tile to tile
       along the strip), the objects that touch the strip: memory does not grow
       with the raster */
    size_t tile_px = (size_t)bw * (size_t)bh;
    float *buf = malloc(tile_px * (size_t)B * sizeof(float));
    float *shared = malloc((size_t)bw * sizeof(float));
    uint16_t *u16 = o.uint16 ? malloc(tile_px * sizeof(uint16_t)) : NULL;
    sensors_rng *prs = malloc((size_t)bh * (size_t)B * sizeof *prs);
    size_t *in_strip = malloc((nb ? nb : 1) * sizeof *in_strip);
    dm_status st = DM_OK;
    if (!buf || !shared || (o.uint16 && !u16) || !prs || !in_strip) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    int sp_low = (int)lround(0.6 / o.gsd_m), sp_mid = (int)lround(0.05 / o.gsd_m);
    if (sp_low < 2)
        sp_low = 2;
    if (sp_mid < 2)
        sp_mid = 2;
    for (int y0 = 0; y0 < H; y0 += bh) {
        int rows = H - y0 < bh ? H - y0 : bh;
        /* pixel noise: per row and band, a sum of four 16-bit uniforms scaled to
           unit variance, drawn left to right */
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < B; b++) {
                uint64_t rs = ((uint64_t)o.seed << 32) ^ ((uint64_t)(y0 + r) * 0x9E3779B97F4A7C15ull) ^
                              ((uint64_t)b << 56);
                sensors__rng_seed(&prs[(size_t)r * B + b], rs);
            }
        size_t ns = 0;
        for (size_t k = 0; k < nb; k++) {
            int ya = (int)floor(bl[k].cy - bl[k].r - 1), yb = (int)ceil(bl[k].cy + bl[k].r + 1);
            if (!(yb < y0 || ya >= y0 + rows))
                in_strip[ns++] = k;
        }
        for (int x0 = 0; x0 < W; x0 += bw) {
            int cols = W - x0 < bw ? W - x0 : bw;
            memset(buf, 0, tile_px * (size_t)B * sizeof(float)); /* the padding of edge tiles */
            for (int r = 0; r < rows; r++) {
                int y = y0 + r;
                /* shared soil/vegetation pattern, then band-specific parts */
                for (int x = 0; x < cols; x++)
                    shared[x] = 0;
                noise_span(shared, x0, cols, y, sp_low, o.seed, 1, 6.0f * sigma);
                noise_span(shared, x0, cols, y, sp_mid, o.seed, 2, 0.8f * sigma);
                for (int b = B - 1; b >= 0; b--) {
                    float *row = buf + ((size_t)b * bh + r) * bw;
                    float gain = 1.0f - 0.15f * (float)b;
                    float base = 800.0f + 150.0f * (float)b;
                    if (b) {
                        for (int x = 0; x < cols; x++)
                            row[x] = base + gain * shared[x];
                    } else {
                        for (int x = 0; x < cols; x++)
                            row[x] = base + shared[x];
                    }
                    noise_span(row, x0, cols, y, sp_low, o.seed, 10 + (uint32_t)b, 2.0f * sigma);
                    noise_span(row, x0, cols, y, sp_mid, o.seed, 30 + (uint32_t)b, 0.5f * sigma);
                    sensors_rng *pr = &prs[(size_t)r * B + b];
                    for (int x = 0; x < cols; x++) {
                        uint64_t v = sensors__rng_u64(pr);
                        float s4 = (float)((v & 0xFFFF) + ((v >> 16) & 0xFFFF) + ((v >> 32) & 0xFFFF) +
                                           (v >> 48));
                        row[x] += sigma * (s4 * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
                    }
                }
            }
            /* objects overlapping the tile, in order */
            for (size_t s = 0; s < ns; s++) {
                const blob *q = &bl[in_strip[s]];
                int xa = (int)floor(q->cx - q->r - 1), xb = (int)ceil(q->cx + q->r + 1);
                if (xb < x0 || xa >= x0 + cols)
                    continue;
                int ya = (int)floor(q->cy - q->r - 1), yb = (int)ceil(q->cy + q->r + 1);
                for (int y = ya; y <= yb; y++) {
                    if (y < y0 || y >= y0 + rows || y >= H)
                        continue;
                    for (int x = xa; x <= xb; x++) {
                        if (x < x0 || x >= x0 + cols || x >= W)
                            continue;
                        double d = hypot(x + 0.5 - q->cx, y + 0.5 - q->cy);
                        double w = q->r + 0.5 - d;
                        if (w <= 0)
                            continue;
                        if (w > 1)
                            w = 1;
                        for (int b = 0; b < B; b++)
                            buf[((size_t)b * bh + (y - y0)) * bw + (x - x0)] += (float)(w * q->sig[b]);
                    }
                }
            }
            if (nd > 0)
                for (int b = 0; b < B; b++)
                    for (int r = 0; r < rows; r++) {
                        int y = y0 + r;
                        float *row = buf + ((size_t)b * bh + r) * bw;
                        for (int x = 0; x < cols; x++)
                            if (y < nd || y >= H - nd || x0 + x < nd || x0 + x >= W - nd)
                                row[x] = 0;
                    }
            /* one block per band: band-interleaved tiles go straight to the file */
            for (int b = 0; b < B; b++) {
                const float *plane = buf + (size_t)b * tile_px;
                void *blk = (void *)plane;
                if (o.uint16) {
                    for (size_t i = 0; i < tile_px; i++) {
                        float v = plane[i] + 0.5f;
                        u16[i] = v < 0 ? 0 : v > 65535 ? 65535 : (uint16_t)v;
                    }
                    blk = u16;
                }
                if (GDALWriteBlock(GDALGetRasterBand(ds, b + 1), x0 / bw, y0 / bh, blk) != CE_None) {
                    st = dm__fail(ctx, DM_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
                    goto done;
                }
            }
        }
        dm__progress(ctx, "synthetic orthomosaic", (uint64_t)(y0 + rows), (uint64_t)H);
    }
    if (truth_xy && o.n_mines) {
        *truth_xy = dm_malloc(ctx, 2 * (size_t)o.n_mines * sizeof(double));
        if (!*truth_xy) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        for (int k = 0; k < o.n_mines; k++) {
            (*truth_xy)[2 * k] = o.x0 + bl[k].cx * o.gsd_m;
            (*truth_xy)[2 * k + 1] = o.y0 - bl[k].cy * o.gsd_m;
        }
        if (n_truth)
            *n_truth = (size_t)o.n_mines;
    }
done:
    free(buf);
    free(shared);
    free(u16);
    free(prs);
    free(in_strip);
    free(bl);
    GDALClose(ds);
    return st;
}
