/* SPDX-License-Identifier: MIT
 *
 * footprint.c -- the ground an orthomosaic really covers: its valid pixels
 * (the mask band: nodata values, an alpha band) as a WGS 84 polygon. A
 * flight's footprint is negative evidence (the risk map lowers the odds
 * where it flew and saw nothing), so the polygon must never claim ground the
 * raster does not hold: pixels are grouped in blocks of at most 512 a side,
 * and a block counts only when every one of its pixels is valid.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <gdal.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FOOT_MAX_CELLS 512 /* blocks a side, at most */

/* The rectangle of columns [c0, c1) and rows [r0, r1) of the block grid. */
static dm_status block_rect(dm_ctx *ctx, const double *gt, double f, int W, int H, int c0, int c1, int r0,
                            int r1, dm_geom **out)
{
    double x0 = gt[0] + c0 * f * gt[1], x1 = gt[0] + fmin(c1 * f, W) * gt[1];
    double y0 = gt[3] + r0 * f * gt[5], y1 = gt[3] + fmin(r1 * f, H) * gt[5];
    double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    return dm_geom_polygon(ctx, xy, 5, out);
}

dm_status dm_detect_footprint(dm_ctx *ctx, const char *path, dm_geom **out, double *share)
{
    *out = NULL;
    if (share)
        *share = 0;
    sensors__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot open as a raster: %s", path, CPLGetLastErrorMsg());
    dm_status st = DM_OK;
    double gt[6];
    const char *wkt = GDALGetProjectionRef(ds);
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    unsigned char *row = NULL, *ok = NULL;
    dm_geom **parts = NULL, *u = NULL;
    size_t np = 0;
    dm_transform *t = NULL;
    if (GDALGetGeoTransform(ds, gt) != CE_None || !wkt || !*wkt || GDALGetRasterCount(ds) < 1) {
        st = dm__fail(ctx, DM_EPARSE, "%s: the raster has no georeference (no geotransform or no CRS)", path);
        goto done;
    }
    if (gt[2] != 0 || gt[4] != 0 || gt[1] <= 0 || gt[5] >= 0) {
        st = dm__fail(ctx, DM_EPARSE, "%s: rotated or flipped grids are not supported; warp it north-up first",
                      path);
        goto done;
    }
    GDALRasterBandH b1 = GDALGetRasterBand(ds, 1);
    int all_valid = (GDALGetMaskFlags(b1) & GMF_ALL_VALID) != 0;
    /* blocks of f x f pixels */
    int f = (int)ceil((double)(W > H ? W : H) / FOOT_MAX_CELLS);
    if (f < 1)
        f = 1;
    int nx = (W + f - 1) / f, ny = (H + f - 1) / f;
    ok = malloc((size_t)nx);
    row = malloc((size_t)W);
    parts = dm_malloc(ctx, ((size_t)ny * (size_t)((nx + 1) / 2) + 1) * sizeof *parts); /* runs */
    if (!ok || !row || !parts) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    GDALRasterBandH mb = GDALGetMaskBand(b1);
    for (int by = 0; by < ny && !st; by++) {
        memset(ok, 1, (size_t)nx);
        for (int y = by * f; y < (by + 1) * f && y < H && !all_valid; y++) {
            if (GDALRasterIO(mb, GF_Read, 0, y, W, 1, row, W, 1, GDT_Byte, 0, 0) != CE_None) {
                st = dm__fail(ctx, DM_EIO, "%s: cannot read row %d of its mask: %s", path, y + 1,
                              CPLGetLastErrorMsg());
                break;
            }
            for (int x = 0; x < W; x++)
                if (!row[x])
                    ok[x / f] = 0;
        }
        /* runs of valid blocks in this row of blocks, one rectangle each */
        for (int c = 0; c < nx && !st;) {
            if (!ok[c]) {
                c++;
                continue;
            }
            int c1 = c;
            while (c1 < nx && ok[c1])
                c1++;
            st = block_rect(ctx, gt, f, W, H, c, c1, by, by + 1, &parts[np]);
            if (!st)
                np++;
            c = c1;
        }
    }
    if (st)
        goto done;
    if (!np) {
        st = dm__fail(ctx, DM_ENOTFOUND, "%s: no pixel holds data (every pixel is nodata or transparent)", path);
        goto done;
    }
    if ((st = dm_geom_union_all(ctx, parts, np, &u)))
        goto done;
    if ((st = dm_transform_new(ctx, wkt, "EPSG:4326", &t)) || (st = dm_geom_transform(ctx, t, u, out)))
        goto done;
    if (share) {
        /* the share of the raster's area the footprint holds */
        double ext = (double)W * H, got = 0;
        for (size_t k = 0; k < np; k++)
            got += dm_geom_area(parts[k]);
        *share = got / (ext * gt[1] * -gt[5]);
        if (*share > 1)
            *share = 1;
    }
done:
    for (size_t k = 0; k < np; k++)
        dm_geom_free(parts[k]);
    dm_free(ctx, parts);
    dm_geom_free(u);
    dm_transform_free(t);
    free(ok);
    free(row);
    GDALClose(ds);
    return st;
}
