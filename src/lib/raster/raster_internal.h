/* SPDX-License-Identifier: MIT
 *
 * raster_internal.h -- the distance transform engine shared by dm_edt (float
 * sources in memory, in place) and dm_raster_distance (sources read from a
 * file, distances streamed out): the column pass runs band by band as data
 * arrives (any order, any thread), then the bands are joined and the
 * envelope pass produces the distances row by row.
 */
#ifndef DM_RASTER_INTERNAL_H
#define DM_RASTER_INTERNAL_H

#include "demine/dm_raster.h"

#include <stdint.h>

/* No source in the band on this side (16-bit in-band distances). */
#define DM__EDT_NONE 0xFFFF

/* Distances being computed over nx x ny cells. The rows are cut into bands
 * of band_h rows (the last may be shorter). The column pass leaves the
 * distance to the nearest source of the same column within the band, in f
 * (float, INFINITY for none) or in d (16-bit, DM__EDT_NONE for none; bands
 * of at most 1024 rows), and per band and column the offset of the band's
 * first source from its top row (top) and of its bottom row from its last
 * source (bot), INFINITY when it has none. */
typedef struct dm__edt {
    float *f;
    uint16_t *d;
    int nx, ny, band_h, nbands;
    float *top, *bot;     /* nbands * nx each */
    float *above, *below; /* after dm__edt_join: distance from the band's top
                             row to the nearest source above, and from its
                             bottom row to the nearest below */
    double cap2;
    float capd, scale;
} dm__edt;

/* Per-thread work space of the envelope pass. */
typedef struct dm__edt_scratch {
    float *g;
    int *v;
    int64_t *h;
    int *own;
} dm__edt_scratch;

/* Set up e over f (float, not owned) or, when f is NULL, over a 16-bit
 * buffer of its own (band_h <= 1024). Errors: DM_EINVAL (empty raster, or
 * sides too long for exact integer arithmetic: more than 2^24 rows or about
 * 1.6 million cells a side), DM_ENOMEM. */
dm_status dm__edt_init(dm_ctx *ctx, dm__edt *e, float *f, int nx, int ny, int band_h);
void dm__edt_free(dm__edt *e);

/* Column pass of columns [x0, x0 + w) of band k from raw bytes into d: row
 * y of the band is src + y * stride, and a cell is a source when
 * is_src[byte] != 0. Bands and column ranges may be done in any order and
 * on any thread, each exactly once. */
void dm__edt_cols_u8(dm__edt *e, int k, int x0, int w, const uint8_t *src, size_t stride,
                     const uint8_t is_src[256]);

/* The same in f, with f itself as the sources (0 = source, else not). */
void dm__edt_cols_f32(dm__edt *e, int k, int x0, int w);

/* Once every band is done: join the bands and set the cap (cells, INFINITY
 * for none) and scale of the distances. */
void dm__edt_join(dm__edt *e, float cap_cells, float scale);

dm_status dm__edt_scratch_init(dm_ctx *ctx, dm__edt_scratch *s, int nx);
void dm__edt_scratch_free(dm__edt_scratch *s);

/* Envelope pass of row y (after dm__edt_join; rows in any order, on any
 * thread, each with its own scratch): the distances of the row times scale,
 * capped (no source anywhere: the cap, or INFINITY), written to out[0..nx)
 * or, with tiled, as one row of 256-wide tiles stored one after the other
 * (column q at out[(q / 256) * 65536 + q % 256]). out may be the row's own
 * floats in f. */
void dm__edt_row(const dm__edt *e, int y, float *out, int tiled, dm__edt_scratch *s);

/* dm_raster_alloc with (huge != 0) or without transparent huge pages,
 * whatever the environment says. Free with dm_raster_free. */
float *dm__raster_alloc_opt(size_t n_cells, int huge);

/* GDAL set up once (drivers, quiet errors, bounded block cache) and its
 * last error message. */
void dm__gdal_init(void);
const char *dm__gdal_msg(void);

/* Open a raster (a GDALDatasetH in *ds, to GDALClose) and read its grid:
 * north-up, square cells, a CRS with an EPSG code, band `band` present.
 * Errors: DM_EIO (cannot open), DM_EPARSE, DM_ENOTFOUND (no such band). */
dm_status dm__raster_open_grid(dm_ctx *ctx, const char *path, int band, void **ds, dm_grid *g);

/* Write one whole 256 x 256 block (bx, by) of a band of w (no block cache;
 * GDAL handles are not thread-safe: one writer at a time). */
dm_status dm__gtiff_write_block(dm_gtiff *w, int band, int bx, int by, const float *blk);

#endif /* DM_RASTER_INTERNAL_H */
