/* SPDX-License-Identifier: MIT
 *
 * dm_route.h -- safe routes: the least dangerous way from A to B on a risk
 * map, and the risk figures of a given path (a planned access lane, a road to
 * reopen). The risk map is a GeoTIFF made by the risk engine (band 1 = the
 * probability that a cell holds at least one item). Cost model and algorithm:
 * docs/route.md. Not for: building the risk map, or writing results back.
 */
#ifndef DM_ROUTE_H
#define DM_ROUTE_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================= options and results ======================= */

/* How a cell's expected item count is derived from the risk map. */
typedef enum dm_route_model {
    DM_ROUTE_MODEL_PROB = 0,   /* band 1: lambda = -ln(1 - p) per cell crossed */
    DM_ROUTE_MODEL_DENSITY = 1 /* band 2: items/ha x walked swath width x length */
} dm_route_model;

typedef struct dm_route_opts {
    double dist_weight; /* cost per metre walked (> 0; default 1) */
    double risk_weight; /* cost per expected item met (>= 0; default 1e6, i.e. a detour
                           of 10 km is worth avoiding a 1% chance of meeting an item) */
    double avoid_above; /* cells with p > avoid_above are impassable (default 1: none) */
    double nodata_p;    /* p assumed on nodata cells; < 0 makes them impassable (default -1) */
    double road_factor; /* distance weight multiplier on cleared roads (default 0.5);
                           cleared road cells carry no risk */
    double margin_m;    /* search window: bounding box of A and B grown by this many metres;
                           < 0 (default) = max(2000, half the A-B distance) */
    dm_route_model model;
    double swath_m;    /* DENSITY model: width of ground a walker touches (default 1 m) */
    double stretch_m;  /* length of the stretches ranked by danger (default 100 m) */
    int max_stretches; /* how many of the most dangerous stretches to report (default 5) */
    /* Generalisation, for routes shown to the public (dm_route_opts_public). */
    double block_m; /* > 0: plan and judge on the map generalised to square blocks of
                       block_m metres anchored at the CRS origin (each cell belongs to the
                       block holding its centre): a block takes the highest value of its
                       cells (nodata if any cell is), rounded up to the ladder of two steps
                       a decade (..., 0.001, 0.00316, 0.01, 0.0316, ..., 1), so the route
                       and its figures are the same wherever in its block, and at whatever
                       value within its step, a dangerous cell lies (default 0: off;
                       0 or 1..100000) */
    const dm_geom *avoid;  /* areas that are impassable except on cleared roads (e.g. the
                              public danger zones), borrowed; NULL (default): none */
    const char *avoid_crs; /* the CRS of avoid ("EPSG:n", WKT or PROJ); NULL: WGS 84 */
    const char *avoid_name; /* what avoid is, in messages ("a danger zone", "a hazard");
                               NULL: "an area to avoid" */
} dm_route_opts;

/* Fill o with the defaults above. */
DM_API void dm_route_opts_default(dm_route_opts *o);
/* Fill o for a route shown to the public: the defaults, block_m = 50 (the grid
 * of the public danger zones, dm_danger_opts.cell_m) and margin_m = 2000 (a
 * bounded search window). The caller adds the danger zones as avoid. */
DM_API void dm_route_opts_public(dm_route_opts *o);
/* The farthest apart (metres on the ground) the two points of a route shown
 * to the public may be: it is a walking route, and a bounded window bounds
 * what one answer can show. */
#define DM_ROUTE_PUBLIC_MAX_M 10000.0

/* One stretch of a path, ranked by its expected item count. */
typedef struct dm_route_stretch {
    double from_m, to_m;           /* chainage along the path, metres */
    double lon0, lat0, lon1, lat1; /* its ends, WGS 84 */
    double items;                  /* expected items met on it */
    double p_any;                  /* probability of meeting at least one on it */
    double max_p;                  /* highest cell probability crossed */
} dm_route_stretch;

/* A hazard still in force (not closed or handed over) that a path enters. */
typedef struct dm_route_hazard {
    char ref[64];        /* its ref, or its uuid when it has none */
    char status[24];     /* open, partly_released, ... */
    double length_m;     /* metres of the path inside its polygon */
    double from_m, to_m; /* chainage of the first and last point of the path in it */
} dm_route_hazard;

/* The risk figures of a path (found or checked). */
typedef struct dm_route_result {
    int found;           /* 1 for a found route; 0 for a checked line */
    double length_m;     /* length walked on the risk map */
    double items;        /* expected number of items met (sum of lambda x cluster) */
    double p_none;       /* probability of meeting none: exp(-sum of lambda) */
    double cluster;      /* items per cell holding any, from the map's calibration (1: none) */
    double cost;         /* search cost (found routes; 0 for checks) */
    double max_p;        /* highest cell probability crossed */
    double impassable_m; /* length through cells above avoid_above (checks) */
    double nodata_m;     /* length through nodata cells */
    double outside_m;    /* length outside the risk map (checks) */
    double road_m;       /* length on cleared roads */
    const char *verdict; /* "low", "moderate", "high" or "blocked" (static string) */
    double *lonlat;      /* the path, WGS 84, n_pts (lon, lat) pairs */
    double *chainage_m;  /* distance along the path at each of the n_pts points */
    size_t n_pts;
    dm_route_stretch *stretches; /* most dangerous first */
    size_t n_stretches;
    /* search statistics (found routes) */
    uint64_t cells_window;  /* cells in the search window */
    uint64_t cells_settled; /* cells settled before the target */
    size_t mem_bytes;       /* peak bytes of the search (grid + queue) */
    double seconds_read, seconds_search;
    /* the hazards the path enters, by chainage (dm_route_hazards_crossed) */
    dm_route_hazard *hazards;
    size_t n_hazards;
    int hazards_checked; /* 1 once looked up: n_hazards 0 then means none */
} dm_route_result;

DM_API void dm_route_result_free(dm_ctx *ctx, dm_route_result *r);

/* The verdict for a probability of meeting at least one item: "low" below
 * 0.1%, "moderate" below 1%, else "high". */
DM_API const char *dm_route_verdict(double p_any);

/* The result as a GeoJSON FeatureCollection: the path as a LineString
 * feature with the figures as properties, plus one feature per dangerous
 * stretch. With public_only, only the path and {verdict, length_m} are given
 * (no probabilities, no stretches: nothing about the underlying cells).
 * Ownership: *json is the caller's; dm_free(ctx, *json). */
DM_API dm_status dm_route_result_geojson(dm_ctx *ctx, const dm_route_result *r, int public_only,
                                         char **json);
/* The figures as a JSON object without the path (for --json and /api). */
DM_API dm_status dm_route_result_json(dm_ctx *ctx, const dm_route_result *r, int public_only,
                                      char **json);

/* ======================= cleared roads ======================= */

/* Lines in WGS 84 that count as cleared roads (lower cost, no risk). */
typedef struct dm_route_roads {
    double *xy; /* all vertices, (lon, lat) pairs */
    size_t n_xy;
    size_t *start; /* n_lines + 1 offsets into xy pairs */
    size_t n_lines;
} dm_route_roads;

/* Read the features of class road or track with cleared = 1 from the store.
 * Ownership: *out is the caller's; dm_route_roads_free(). Zero lines is not
 * an error. */
DM_API dm_status dm_route_roads_from_store(dm_store *s, dm_route_roads **out);
DM_API void dm_route_roads_free(dm_ctx *ctx, dm_route_roads *r);

/* The polygons of the hazards still in force (status not closed or
 * handed_over) less the land released (approved), in WGS 84, as one geometry, for opts.avoid (a staff route
 * that keeps out of recorded hazards). *out is NULL when there are none.
 * Ownership: *out is the caller's; dm_geom_free(). */
DM_API dm_status dm_route_hazards_from_store(dm_store *s, dm_geom **out);

/* The same within box (W, S, E, N in WGS 84): made only from the hazards and
 * release areas whose boxes meet it (the store's spatial index: the rest is
 * never read), so it equals dm_route_hazards_from_store inside the box and
 * may differ outside. *out is NULL when none is in force there.
 * Errors: DM_EINVAL (no box, or west above east), those of reading the store.
 * Ownership: *out is the caller's; dm_geom_free(). */
DM_API dm_status dm_route_hazards_in_box(dm_store *s, const double box[4], dm_geom **out);

/* The WGS 84 box (W, S, E, N) holding the search window of dm_route_find for
 * these points and options on the map at risk_path (the window grown by a
 * block and two cells), for what a route needs to know of its surroundings.
 * Errors: those of dm_route_find's options, points and map. */
DM_API dm_status dm_route_search_box(dm_ctx *ctx, const char *risk_path, double lon0, double lat0,
                                     double lon1, double lat1, const dm_route_opts *opts, double box[4]);

/* The hazards to avoid for one route: dm_route_hazards_in_box on its search
 * box (dm_route_search_box; risk_path NULL: the map the store records), for
 * a program that plans one route and keeps nothing (`demine route
 * --avoid-hazards`): on the national demo the hazards of a route's window
 * instead of the whole country's union. A program that plans many routes
 * keeps dm_route_hazards_from_store instead (see dm_route_hazards_stamp).
 * Errors: those of the two. Ownership: *out is the caller's; dm_geom_free(). */
DM_API dm_status dm_route_hazards_near(dm_store *s, const char *risk_path, double lon0, double lat0,
                                       double lon1, double lat1, const dm_route_opts *opts, dm_geom **out);

/* A fingerprint of what dm_route_hazards_from_store reads, for a cache of its
 * answer (the union costs 0.8 s for the 2424 hazards and 1524 release areas
 * of the national demo; this 8 ms): it changes when a hazard is added,
 * removed, edited or changes status, and when land released is added,
 * removed, edited or approved, by whatever program (it hashes each row's
 * uuid, updated time, areas and geometry, and a hazard's status): a polygon
 * another tool moved without the row's updated time is seen too. Errors:
 * those of reading the store. */
DM_API dm_status dm_route_hazards_stamp(dm_store *s, uint64_t *stamp);

/* Fill r->hazards with the hazards still in force whose polygons, less the
 * land released, the path enters (more than 0.5 m inside), by chainage, with
 * the metres inside
 * each, and set r->hazards_checked. The risk map is a probability per cell:
 * a route of low figures can still cross a large suspected area, which a
 * team on the ground must know. */
DM_API dm_status dm_route_hazards_crossed(dm_store *s, dm_route_result *r);

/* The risk map path recorded in the store's metadata ("risk_map").
 * Errors: DM_ENOTFOUND when none is recorded. *path: dm_free(ctx, ...). */
DM_API dm_status dm_route_risk_path(dm_store *s, char **path);

/* ======================= the two questions ======================= */

/* The least dangerous route from (lon0, lat0) to (lon1, lat1) (WGS 84) on
 * the risk GeoTIFF at risk_path. roads may be NULL. opts may be NULL
 * (defaults).
 * Errors: DM_EIO / DM_EGDAL (cannot read the map), DM_EINVAL (bad options,
 * a point outside the map or on an impassable cell), DM_ENOTFOUND (no path
 * within the search window), DM_ENOMEM.
 * Ownership: *out is the caller's; dm_route_result_free(). */
DM_API dm_status dm_route_find(dm_ctx *ctx, const char *risk_path, const dm_route_roads *roads,
                               double lon0, double lat0, double lon1, double lat1,
                               const dm_route_opts *opts, dm_route_result **out);

/* The risk figures of a given line. xy holds n (x, y) pairs in crs ("EPSG:n",
 * WKT or PROJ string; NULL means WGS 84), a single polyline.
 * Errors: DM_EINVAL (fewer than 2 points, or wholly outside the map),
 * DM_EPROJ (unknown CRS), DM_EIO / DM_EGDAL. */
DM_API dm_status dm_route_check(dm_ctx *ctx, const char *risk_path, const dm_route_roads *roads,
                                const double *xy, size_t n, const char *crs,
                                const dm_route_opts *opts, dm_route_result **out);

/* dm_route_check on a GeoJSON geometry (RFC 7946, WGS 84): a LineString or
 * a MultiLineString (parts joined in order), e.g. the body of a request.
 * Errors: DM_EPARSE (not GeoJSON, or no line), and those of dm_route_check. */
DM_API dm_status dm_route_check_geojson(dm_ctx *ctx, const char *risk_path,
                                        const dm_route_roads *roads, const char *geojson,
                                        const dm_route_opts *opts, dm_route_result **out);

/* Read the line to check from a vector file (any OGR format; the first layer
 * with a line; its parts are joined in file order; features whose `kind` is
 * "stretch", as in a route written by dm_route_geojson, are left out, so a
 * saved route checks as itself) and transform it to
 * WGS 84 from the layer's CRS. Errors: DM_EIO (cannot open), DM_EPARSE (no
 * line), DM_EPROJ (no or unknown CRS). *xy: n (lon, lat) pairs, dm_free. */
DM_API dm_status dm_route_read_line(dm_ctx *ctx, const char *path, double **xy, size_t *n);

/* ======================= the grid search (engine core) ======================= */

/* A friction grid for the search: w x h cells of `cell` metres, each holding
 * the cost per metre of walking through it (float; INFINITY or NaN =
 * impassable; must be > 0 where finite). Stored with a one-cell impassable
 * border in 2 MiB-aligned, huge-page-advised memory: 8 bytes per cell
 * (friction and distance side by side), plus 1 per cell during the search
 * and the bucket queue (a few bytes per cell of the search front). */
typedef struct dm_route_grid dm_route_grid;

DM_API dm_status dm_route_grid_new(dm_ctx *ctx, size_t w, size_t h, double cell,
                                   dm_route_grid **out);
DM_API void dm_route_grid_free(dm_route_grid *g);
/* Set row r of the friction values from f (w floats), or one cell. */
DM_API void dm_route_grid_set_row(dm_route_grid *g, size_t r, const float *f);
DM_API void dm_route_grid_set(dm_route_grid *g, size_t c, size_t r, float f);
DM_API float dm_route_grid_get(const dm_route_grid *g, size_t c, size_t r);
/* A grid from band `band` of a friction raster (cost per metre; nodata and
 * non-positive values are not special: set them to INFINITY beforehand), with
 * cells of `cell` metres (<= 0: the raster's pixel width). Read block by
 * block. Errors: DM_EIO, DM_EINVAL (no such band), DM_EGDAL, DM_ENOMEM. */
DM_API dm_status dm_route_grid_read(dm_ctx *ctx, const char *path, int band, double cell,
                                    dm_route_grid **out);

/* A found path, as cells from the source to the target. */
typedef struct dm_route_path {
    uint32_t *col, *row; /* n cells */
    size_t n;
    double cost;      /* sum over steps of (f_a + f_b) / 2 * step length, in double */
    uint64_t settled; /* cells settled */
    size_t mem_bytes; /* peak bytes used by the search, grid included */
} dm_route_path;

/* Least-cost 8-connected path from (c0, r0) to (c1, r1): Dijkstra with a
 * monotone bucket queue, stopping when the target is settled. The step
 * between neighbours a and b costs (f_a + f_b) / 2 times the step length
 * (cell or cell * sqrt 2), as GRASS r.cost and scikit-image MCP_Geometric.
 * Errors: DM_EINVAL (endpoint outside or impassable), DM_ENOTFOUND (no path),
 * DM_ENOMEM. Ownership: *out is the caller's; dm_route_path_free(). */
DM_API dm_status dm_route_grid_search(dm_ctx *ctx, dm_route_grid *g, size_t c0, size_t r0,
                                      size_t c1, size_t r1, dm_route_path **out);
DM_API void dm_route_path_free(dm_ctx *ctx, dm_route_path *p);

#ifdef __cplusplus
}
#endif
#endif /* DM_ROUTE_H */
