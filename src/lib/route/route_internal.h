/* SPDX-License-Identifier: MIT
 *
 * route_internal.h -- what the route module's files share: an open risk map
 * (GDAL dataset, geotransform, transforms to and from WGS 84, the cleared
 * road cells of the window of interest) and the line walker.
 */
#ifndef DM_ROUTE_INTERNAL_H
#define DM_ROUTE_INTERNAL_H

#include "demine/demine.h"

#define DM__CELL_NODATA 1
#define DM__CELL_BLOCKED 2

typedef struct dm__risk_map {
    dm_ctx *ctx;
    const char *path;
    dm_route_opts opts;
    void *ds, *b1, *b2; /* GDALDatasetH, GDALRasterBandH */
    int w, h;
    double gt[6], cell;
    double cluster; /* items per cell holding any (DEMINE_CALIBRATION; 1 without) */
    const char *wkt; /* borrowed from the dataset */
    int has_nodata1, has_nodata2;
    double nodata1, nodata2;
    dm_transform *to_map, *to_ll;
    uint64_t *roads; /* sorted cell ids (row * w + col) on cleared roads */
    size_t n_roads;
    /* the generalised map (opts.block_m > 0) over the cells [bx0, bx0 + bw) x
     * [by0, by0 + bh): block values of band 1 and band 2 (NaN: nodata) and
     * each column's and row's block */
    float *blk_p, *blk_d;
    int *col_blk, *row_blk;
    int bx0, by0, bw, bh, nbx, nby;
} dm__risk_map;

/* Open and check a risk map (north-up, square cells, projected CRS in
 * metres, the bands the model needs). Close with dm__risk_close, also after
 * a failure. */
dm_status dm__risk_open(dm_ctx *ctx, const char *path, const dm_route_opts *o, dm__risk_map *m);
void dm__risk_close(dm__risk_map *m);
/* With opts.block_m > 0: grow the window [*x0..*x1] x [*y0..*y1] (cells,
 * inclusive) to whole blocks and read the generalised map over it; the
 * window's cells then read as their block. A no-op otherwise. */
dm_status dm__risk_blocks(dm__risk_map *m, int *x0, int *y0, int *x1, int *y1);
/* Collect the cleared road cells inside the window [x0..x1] x [y0..y1]. */
dm_status dm__risk_roads(dm__risk_map *m, const dm_route_roads *roads, int x0, int y0, int x1,
                         int y1);
/* Walk a polyline given in the map's CRS and fill res's figures, path
 * (WGS 84), chainage and stretches. */
dm_status dm__risk_line(dm__risk_map *m, const double *mx, const double *my, size_t n,
                        dm_route_result *res);

#endif
