/* SPDX-License-Identifier: MIT
 *
 * test_tiles.c -- risk map tiles: the colour ramp shows the small per-cell
 * probabilities of fine grids, and clean ground stays transparent.
 */
#include "dmtest.h"

#include <cairo.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>

typedef struct png_src {
    const unsigned char *p;
    size_t n, off;
} png_src;

static cairo_status_t read_png(void *u, unsigned char *data, unsigned int len)
{
    png_src *s = u;
    if (s->off + len > s->n)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, s->p + s->off, len);
    s->off += len;
    return CAIRO_STATUS_SUCCESS;
}

TEST(risk_tiles_colour_small_probabilities_and_leave_clean_ground_clear)
{
    dm_ctx *ctx = dmtest_ctx();
    /* 1 km x 1 km at 10 m in UTM 38N: p = 0.001 in the west half, 0 in the east */
    GDALAllRegister();
    const char *path = dmtest_path("risk.tif");
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, 100, 100, 1, GDT_Float32, NULL);
    double gt[6] = {600000, 10, 0, 4420000, 0, -10};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    float row[100];
    for (int x = 0; x < 100; x++)
        row[x] = x < 50 ? 0.001f : 0.0f;
    for (int y = 0; y < 100; y++)
        ASSERT(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, y, 100, 1, row, 100, 1,
                            GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
    /* the tile at zoom 15 holding the middle of the west (p = 0.001) half */
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32638", "EPSG:4326", &t));
    double cx = 600250, cy = 4419500;
    ASSERT_OK(dm_transform_xy(t, &cx, &cy, 1));
    dm_transform_free(t);
    int z = 15, n = 1 << z;
    int tx = (int)((cx + 180.0) / 360.0 * n);
    double lat = cy * M_PI / 180.0;
    int ty = (int)((1.0 - log(tan(lat) + 1.0 / cos(lat)) / M_PI) / 2.0 * n);
    dm_riskmap *r = NULL;
    ASSERT_OK(dm_riskmap_open(ctx, path, &r));
    unsigned char *png = NULL;
    size_t len = 0;
    ASSERT_OK(dm_riskmap_tile_png(r, z, tx, ty, &png, &len));
    png_src src = {png, len, 0};
    cairo_surface_t *img = cairo_image_surface_create_from_png_stream(read_png, &src);
    ASSERT(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *d = cairo_image_surface_get_data(img);
    long coloured = 0, clear = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned a = d[y * stride + 4 * x + 3];
            if (a > 0)
                coloured++;
            else
                clear++;
        }
    cairo_surface_destroy(img);
    dm_free(ctx, png);
    dm_riskmap_free(r);
    /* a z15 tile is about 940 m across here: part of it is the p = 0.001 half,
     * the rest the clean half or outside the raster */
    ASSERT_MSG(coloured > 1000, "only %ld coloured pixels: p = 0.001 is invisible", coloured);
    ASSERT_MSG(clear > 1000, "clean ground should stay transparent (%ld clear)", clear);
}
