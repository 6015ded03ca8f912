/* SPDX-License-Identifier: MIT
 *
 * test_edt.c -- the exact distance transform against brute force on small
 * random rasters, in memory (dm_edt) and file to file (dm_raster_distance:
 * Byte and other types, tiled and striped inputs, several bands of rows),
 * with the edge cases: no source, all sources, one row, one column, caps.
 */
#include "dmtest.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

typedef struct src_list {
    int n, *x, *y;
} src_list;

static unsigned rng_state;
static unsigned rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* mark sources with probability permille/1000 (at least `at_least` of them
 * when there is room) */
static void make_sources(unsigned char *m, int nx, int ny, int permille, int at_least)
{
    size_t n = (size_t)nx * ny, got = 0;
    for (size_t k = 0; k < n; k++)
        got += (m[k] = (unsigned char)((int)(rnd() % 1000) < permille));
    for (int i = 0; got < (size_t)at_least && got < n && i < 1000; i++) {
        size_t k = rnd() % n;
        got += !m[k];
        m[k] = 1;
    }
}

static src_list list_sources(const unsigned char *m, int nx, int ny)
{
    src_list s = {0, malloc(sizeof(int) * ((size_t)nx * ny + 1)),
                  malloc(sizeof(int) * ((size_t)nx * ny + 1))};
    for (int y = 0; y < ny; y++)
        for (int x = 0; x < nx; x++)
            if (m[(size_t)y * nx + x]) {
                s.x[s.n] = x;
                s.y[s.n++] = y;
            }
    return s;
}

/* What the transform promises: the exact squared distance in cells, one
 * rounding (sqrtf of its float value) times scale; capped at cap cells. */
static float expect(const src_list *s, int x, int y, float cap, float scale)
{
    long long best = -1;
    for (int k = 0; k < s->n; k++) {
        long long dx = s->x[k] - x, dy = s->y[k] - y, d = dx * dx + dy * dy;
        if (best < 0 || d < best)
            best = d;
    }
    float cap2 = isfinite(cap) ? cap * cap : INFINITY;
    float capd = isfinite(cap2) ? (float)sqrt(cap2) * scale : INFINITY;
    if (best < 0 || (double)best >= cap2)
        return capd;
    return sqrtf((float)best) * scale;
}

static void check_grid(const float *got, const unsigned char *m, int nx, int ny, float cap,
                       float scale, const char *what)
{
    src_list s = list_sources(m, nx, ny);
    for (int y = 0; y < ny; y++)
        for (int x = 0; x < nx; x++) {
            float want = expect(&s, x, y, cap, scale), g = got[(size_t)y * nx + x];
            if (!(g == want || (isinf(g) && isinf(want))))
                dmtest_fail(__FILE__, __LINE__,
                            "%s %d x %d (%d sources, cap %g): cell (%d, %d) = %.9g, want %.9g",
                            what, nx, ny, s.n, cap, x, y, g, want);
        }
    free(s.x);
    free(s.y);
}

static const int shapes[][2] = {{1, 1},  {1, 37},  {37, 1},  {2, 300}, {300, 2},
                                {61, 97}, {97, 61}, {5, 600}, {33, 270}, {1, 5000},
                                {5000, 1}};

TEST(edt_in_memory_matches_brute_force)
{
    dm_ctx *ctx = dmtest_ctx();
    rng_state = 11;
    static const int density[] = {0, 1, 5, 100, 1000}; /* per mille; 1: at least one */
    static const float caps[] = {INFINITY, 3.5f, 7.0f};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        int nx = shapes[si][0], ny = shapes[si][1];
        size_t n = (size_t)nx * ny;
        unsigned char *m = malloc(n);
        float *f = dm_raster_alloc(n);
        for (size_t di = 0; di < sizeof density / sizeof density[0]; di++) {
            if (n > 3000 && density[di] > 5)
                continue; /* brute force is cells x sources */
            make_sources(m, nx, ny, density[di], density[di] ? 2 : 0);
            for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
                for (int threads = 1; threads <= 3; threads += 2) {
                    for (size_t k = 0; k < n; k++)
                        f[k] = m[k] ? 0.0f : (float)(1 + rnd() % 5);
                    float scale = ci == 1 ? 10.0f : 1.0f;
                    ASSERT_OK(dm_edt_scaled(ctx, f, nx, ny, caps[ci], scale, threads));
                    check_grid(f, m, nx, ny, caps[ci], scale, "dm_edt");
                }
        }
        free(m);
        dm_raster_free(f, n);
    }
}

TEST(edt_no_source_and_all_sources)
{
    dm_ctx *ctx = dmtest_ctx();
    const int nx = 40, ny = 300;
    float *f = dm_raster_alloc((size_t)nx * ny);
    for (int k = 0; k < nx * ny; k++)
        f[k] = 1.0f;
    ASSERT_OK(dm_edt(ctx, f, nx, ny, INFINITY, 2));
    for (int k = 0; k < nx * ny; k++)
        ASSERT(isinf(f[k]) && f[k] > 0);
    for (int k = 0; k < nx * ny; k++)
        f[k] = 1.0f;
    ASSERT_OK(dm_edt(ctx, f, nx, ny, 9.0f, 2));
    for (int k = 0; k < nx * ny; k++)
        ASSERT(f[k] == 9.0f);
    for (int k = 0; k < nx * ny; k++)
        f[k] = 0.0f;
    ASSERT_OK(dm_edt(ctx, f, nx, ny, 4.0f, 2));
    for (int k = 0; k < nx * ny; k++)
        ASSERT(f[k] == 0.0f);
    dm_raster_free(f, (size_t)nx * ny);
    ASSERT_STATUS(dm_edt(ctx, NULL, 0, 5, INFINITY, 1), DM_EINVAL);
}

/* A georeferenced raster of the given type and block layout (block_h 0:
 * GDAL's default strips) holding value[k] per cell. */
static void write_input(const char *path, int nx, int ny, GDALDataType t, int block_h,
                        const double *value)
{
    GDALAllRegister();
    char **opt = NULL;
    char bs[16];
    if (block_h) {
        snprintf(bs, sizeof bs, "%d", block_h);
        opt = CSLSetNameValue(opt, "TILED", "YES");
        opt = CSLSetNameValue(opt, "BLOCKXSIZE", "32");
        opt = CSLSetNameValue(opt, "BLOCKYSIZE", bs);
    }
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, nx, ny, 1, t, opt);
    CSLDestroy(opt);
    ASSERT(ds);
    double gt[6] = {500000, 10, 0, 4000000, 0, -10};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    ASSERT(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, nx, ny, (void *)value, nx, ny,
                        GDT_Float64, 0, 0) == CE_None);
    GDALClose(ds);
}

TEST(edt_distance_file_to_file_matches_brute_force)
{
    dm_ctx *ctx = dmtest_ctx();
    rng_state = 5;
    const int nx = 150, ny = 300;
    size_t n = (size_t)nx * ny;
    double *val = malloc(n * sizeof *val);
    unsigned char *m = malloc(n), *any = malloc(n);
    struct {
        GDALDataType t;
        int block_h;
    } kinds[] = {{GDT_Byte, 64}, {GDT_Byte, 0}, {GDT_Byte, 256}, {GDT_Int16, 16},
                 {GDT_Float32, 0}};
    const double vals_range[] = {1, 2, 3, 4}, vals_set[] = {2, 7};
    for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
        /* values 0..9, a few per mille of each non-zero one */
        for (size_t k = 0; k < n; k++) {
            unsigned r = rnd() % 1000;
            val[k] = r < 20 ? 1 + r % 9 : 0;
        }
        write_input(dmtest_path("in.tif"), nx, ny, kinds[ki].t, kinds[ki].block_h, val);
        for (int mode = 0; mode < 3; mode++) {
            const double *vs = mode == 0 ? vals_range : mode == 1 ? vals_set : NULL;
            int nv = mode == 0 ? 4 : mode == 1 ? 2 : 0;
            for (size_t k = 0; k < n; k++) {
                int s = 0;
                for (int q = 0; q < nv; q++)
                    s |= val[k] == vs[q];
                m[k] = (unsigned char)(nv ? s : val[k] != 0);
                any[k] = 0;
            }
            double cap = mode == 2 ? 55.0 : INFINITY;
            ASSERT_OK(dm_raster_distance(ctx, dmtest_path("in.tif"), 1, vs, nv, cap,
                                         dmtest_path("d.tif"), mode == 1, mode == 1 ? 1 : 3));
            dm_grid g;
            float *d = NULL;
            ASSERT_OK(dm_raster_read(ctx, dmtest_path("d.tif"), 1, &g, &d));
            ASSERT_EQ(g.nx, nx);
            ASSERT_EQ(g.ny, ny);
            ASSERT_NEAR(g.cell, 10.0, 1e-9);
            check_grid(d, m, nx, ny, isfinite(cap) ? (float)(cap / 10.0) : INFINITY, 10.0f,
                       "dm_raster_distance");
            dm_raster_free(d, n);
        }
        /* no source at all: the cap everywhere */
        ASSERT_OK(dm_raster_distance(ctx, dmtest_path("in.tif"), 1, (double[]){42}, 1, 30.0,
                                     dmtest_path("d.tif"), 0, 2));
        dm_grid g;
        float *d = NULL;
        ASSERT_OK(dm_raster_read(ctx, dmtest_path("d.tif"), 1, &g, &d));
        check_grid(d, any, nx, ny, 3.0f, 10.0f, "no source");
        dm_raster_free(d, n);
    }
    ASSERT_STATUS(dm_raster_distance(ctx, dmtest_path("missing.tif"), 1, NULL, 0, INFINITY,
                                     dmtest_path("d.tif"), 0, 1),
                  DM_EIO);
    free(val);
    free(m);
    free(any);
}

TEST(edt_distance_one_row_and_one_column_files)
{
    dm_ctx *ctx = dmtest_ctx();
    /* 1 x 5000: one strip taller than 1024 rows, read as bands of rows */
    static const int dims[][2] = {{1, 700}, {700, 1}, {1, 1}, {1, 5000}};
    for (int i = 0; i < 4; i++) {
        int nx = dims[i][0], ny = dims[i][1];
        size_t n = (size_t)nx * ny;
        double *val = calloc(n, sizeof *val);
        unsigned char *m = calloc(n, 1);
        val[n / 3] = 3;
        m[n / 3] = 1;
        write_input(dmtest_path("line.tif"), nx, ny, GDT_Byte, 0, val);
        ASSERT_OK(dm_raster_distance(ctx, dmtest_path("line.tif"), 1, NULL, 0, INFINITY,
                                     dmtest_path("d.tif"), 0, 2));
        dm_grid g;
        float *d = NULL;
        ASSERT_OK(dm_raster_read(ctx, dmtest_path("d.tif"), 1, &g, &d));
        check_grid(d, m, nx, ny, INFINITY, 10.0f, "line");
        dm_raster_free(d, n);
        free(val);
        free(m);
    }
}
