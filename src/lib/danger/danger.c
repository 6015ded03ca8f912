/* SPDX-License-Identifier: MIT
 *
 * danger.c -- generalised danger zones for the public: every hazard not yet
 * closed or handed over is buffered by a safety margin in the local UTM
 * zone, all are merged into one geometry and simplified, so that the shape
 * says "keep out" without tracing item points or record perimeters.
 *
 * Before the margin, each hazard is replaced by the cells of a square grid
 * (default 50 m, anchored at the origin of the UTM zone of the hazard's
 * middle) that it touches: the zones depend only on which cells hold
 * hazards, so a hazard drawn tightly around one item (a spot task) gives
 * the item's cell, never its position (the centre of a buffered point
 * would be the point itself). A hazard at most half a cell across (or
 * wide) takes the cell (column, row) of its middle only: by the cells it
 * touched, one astride a grid line put its item on that line. Each hazard
 * is drawn on its own UTM zone, so that no hazard opened or closed
 * elsewhere moves its cells, and none is drawn in a zone far from it.
 *
 * The land released (release_areas of reviewed work) is taken out of the
 * hazards first: it is not shown as dangerous to those who go back to it.
 * The margin is the buffer plus the simplification tolerance, so that the
 * simplified zone still keeps the whole margin around every cell.
 */
#include "core/dm_internal.h"
#include "geom/geom_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void free_parts(dm_geom **g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dm_geom_free(g[i]);
}

static GEOSGeometry *rect(GEOSContextHandle_t h, double x0, double y0, double x1, double y1)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 5, 2);
    if (!cs)
        return NULL;
    double xy[5][2] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
    for (unsigned i = 0; i < 5; i++)
        GEOSCoordSeq_setXY_r(h, cs, i, xy[i][0], xy[i][1]);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* The union of the cells of a `cell` metre grid that g (in metres) touches:
 * per grid row, g clipped to the row falls into connected pieces, and a
 * piece touches every cell between its westmost and eastmost points. */
static dm_status grid_cells(dm_ctx *ctx, const dm_geom *g, double cell, dm_geom **out, int *thin)
{
    *out = NULL;
    *thin = 0;
    GEOSContextHandle_t h = dm__geos(ctx);
    double b[4];
    if (!h || !dm_geom_bounds(g, b) || !isfinite(b[0]) || !isfinite(b[1]) || !isfinite(b[2]) || !isfinite(b[3]))
        return dm__fail(ctx, DM_EGEOM, "a hazard has no extent");
    /* at most half a cell tall: the row of its middle, the whole hazard in
     * it; at most half a cell wide: the column of its middle */
    int thin_y = b[3] - b[1] <= cell / 2, thin_x = b[2] - b[0] <= cell / 2;
    double mid_col = floor((b[0] + b[2]) / 2 / cell);
    double j0 = floor(b[1] / cell), j1 = floor(b[3] / cell);
    if (thin_y)
        j0 = j1 = floor((b[1] + b[3]) / 2 / cell);
    *thin = thin_x || thin_y;
    if (!(j1 - j0 < 1e6))
        return dm__fail(ctx, DM_EGEOM, "a hazard is more than %g km tall", cell * 1e6 / 1000);
    size_t n = 0, cap = 0;
    GEOSGeometry **rects = NULL;
    dm_status st = DM_OK;
    for (double j = j0; !st && j <= j1; j++) {
        double y0 = j * cell, y1 = (j + 1) * cell;
        GEOSGeometry *piece = GEOSClipByRect_r(h, g->g, b[0] - cell, thin_y ? b[1] - cell : y0, b[2] + cell,
                                               thin_y ? b[3] + cell : y1);
        int np = piece ? GEOSGetNumGeometries_r(h, piece) : -1;
        double xr[2];
        for (int k = 0; !st && k < (np < 0 ? 1 : np); k++) {
            if (np < 0) { /* cannot clip: the whole width of the hazard */
                xr[0] = b[0], xr[1] = b[2];
            } else {
                const GEOSGeometry *pk = GEOSGetGeometryN_r(h, piece, k);
                if (!pk || GEOSisEmpty_r(h, pk) != 0 || !GEOSGeom_getXMin_r(h, pk, &xr[0]) ||
                    !GEOSGeom_getXMax_r(h, pk, &xr[1]))
                    continue;
            }
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                GEOSGeometry **nr = dm_realloc(ctx, rects, nc * sizeof *nr);
                if (!nr) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    break;
                }
                rects = nr, cap = nc;
            }
            double c0 = thin_x ? mid_col : floor(xr[0] / cell), c1 = thin_x ? mid_col : floor(xr[1] / cell);
            rects[n] = rect(h, c0 * cell, y0, (c1 + 1) * cell, y1);
            if (!rects[n])
                st = dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
            else
                n++;
        }
        if (piece)
            GEOSGeom_destroy_r(h, piece);
    }
    if (!st && n == 0)
        st = dm__fail(ctx, DM_EGEOM, "a hazard touches no grid cell");
    GEOSGeometry *coll = NULL;
    if (!st) {
        coll = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, rects, (unsigned)n);
        if (coll)
            n = 0; /* the collection owns them */
        else
            st = dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
    }
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, rects[i]);
    dm_free(ctx, rects);
    if (st)
        return st;
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return dm__geom_wrap(ctx, u, out);
}

/* The zone of one hazard g (WGS 84) before the union: the cells of the grid
 * it touches, buffered, in metres on the UTM zone of fwd. buf_m is the
 * margin the simplified zone keeps (the simplification tolerance
 * included); a hazard put in the cell of its middle gets a quarter cell
 * more, the most it may reach out of that cell. */
static dm_status hazard_zone(dm_ctx *ctx, dm_transform *fwd, const dm_geom *g, double cell_m, double buf_m,
                             dm_geom **out)
{
    *out = NULL;
    dm_geom *p = NULL, *cells = NULL;
    int thin = 0;
    dm_status st = dm_geom_transform(ctx, fwd, g, &p);
    if (!st)
        st = grid_cells(ctx, p, cell_m, &cells, &thin);
    if (!st)
        st = dm_geom_buffer(ctx, cells, buf_m + (thin ? cell_m / 4 : 0), out);
    dm_geom_free(p);
    dm_geom_free(cells);
    return st;
}

/* Whether boxes a and b (x0, y0, x1, y1) meet. */
static int boxes_meet(const double *a, const double *b)
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* The zones (metres, the UTM zone of fwd) that meet the box win (W, S, E, N,
 * WGS 84), each whole, from the zones of the hazards parts[0..n) (WGS 84)
 * near enough to matter. The union is made over an outer box o, from every
 * hazard whose zone can reach into o (its box grown by a cell and the
 * buffer): inside o it is the union of all the hazards'. A piece of it
 * that meets win and lies inside o touches no zone the union left out, so
 * it is a whole zone; one that reaches o's edge may not be, and o grows to
 * hold it and the union is made again (once or twice for a district; at
 * worst o covers every hazard and the union is the country's). */
static dm_status zones_in(dm_ctx *ctx, dm_transform *fwd, dm_geom **parts, size_t n, double cell_m, double buf_m,
                          const double *win, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    if (!h)
        return dm__fail(ctx, DM_EGEOM, "GEOS: cannot start");
    /* the window in metres: the extent of its edges, walked */
    enum { K = 32 };
    double wx[4 * K], wy[4 * K];
    for (int k = 0; k < K; k++) {
        double t = (double)k / K;
        wx[k] = win[0] + t * (win[2] - win[0]), wy[k] = win[1];
        wx[K + k] = win[2], wy[K + k] = win[1] + t * (win[3] - win[1]);
        wx[2 * K + k] = win[2] - t * (win[2] - win[0]), wy[2 * K + k] = win[3];
        wx[3 * K + k] = win[0], wy[3 * K + k] = win[3] - t * (win[3] - win[1]);
    }
    dm_status st = dm_transform_xy(fwd, wx, wy, 4 * K);
    if (st)
        return st;
    double w[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < 4 * K; k++)
        w[0] = fmin(w[0], wx[k]), w[1] = fmin(w[1], wy[k]), w[2] = fmax(w[2], wx[k]), w[3] = fmax(w[3], wy[k]);
    /* the edges bow between the points walked: a metre more */
    w[0] -= 1, w[1] -= 1, w[2] += 1, w[3] += 1;
    /* how far beyond its box a hazard's zone can reach */
    const double reach = cell_m + cell_m / 4 + buf_m + 1;
    double o[4] = {w[0] - 2 * reach, w[1] - 2 * reach, w[2] + 2 * reach, w[3] + 2 * reach};
    dm_geom **zone = dm_calloc(ctx, n ? n : 1, sizeof *zone);
    double *hb = dm_malloc(ctx, (n ? n : 1) * 4 * sizeof *hb);
    dm_geom **pick = dm_malloc(ctx, (n ? n : 1) * sizeof *pick);
    GEOSGeometry *win_m = rect(h, w[0], w[1], w[2], w[3]);
    if (!zone || !hb || !pick || !win_m)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    /* each hazard's box in metres: its outline walked */
    for (size_t i = 0; !st && i < n; i++) {
        dm_geom *p = NULL;
        st = dm_geom_transform(ctx, fwd, parts[i], &p);
        if (!st && !dm_geom_bounds(p, hb + 4 * i))
            hb[4 * i] = hb[4 * i + 1] = INFINITY, hb[4 * i + 2] = hb[4 * i + 3] = -INFINITY;
        dm_geom_free(p);
    }
    GEOSGeometry *keep = NULL;
    while (!st && !keep) {
        size_t m = 0;
        for (size_t i = 0; !st && i < n; i++) {
            double gb[4] = {hb[4 * i] - reach, hb[4 * i + 1] - reach, hb[4 * i + 2] + reach, hb[4 * i + 3] + reach};
            if (!boxes_meet(gb, o))
                continue;
            if (!zone[i])
                st = hazard_zone(ctx, fwd, parts[i], cell_m, buf_m, &zone[i]);
            if (!st)
                pick[m++] = zone[i];
        }
        if (st || m == 0)
            break;
        dm_geom *u = NULL;
        if ((st = dm_geom_union_all(ctx, pick, m, &u)))
            break;
        int np = GEOSGetNumGeometries_r(h, u->g), grown = 0;
        GEOSGeometry **mine = dm_malloc(ctx, (size_t)(np > 0 ? np : 1) * sizeof *mine);
        unsigned nk = 0;
        if (!mine || np < 0)
            st = mine ? dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx)) : dm__fail(ctx, DM_ENOMEM,
                                                                                         "out of memory");
        for (int k = 0; !st && k < np; k++) {
            const GEOSGeometry *pk = GEOSGetGeometryN_r(h, u->g, k);
            double b[4];
            if (!pk || GEOSisEmpty_r(h, pk) != 0 || !GEOSGeom_getXMin_r(h, pk, &b[0]) ||
                !GEOSGeom_getYMin_r(h, pk, &b[1]) || !GEOSGeom_getXMax_r(h, pk, &b[2]) ||
                !GEOSGeom_getYMax_r(h, pk, &b[3]) || !boxes_meet(b, w) || GEOSIntersects_r(h, pk, win_m) != 1)
                continue;
            if (!(b[0] > o[0] && b[1] > o[1] && b[2] < o[2] && b[3] < o[3])) {
                /* it may go on beyond o: o grows to hold it, and by half
                 * its size besides (a chain of zones is followed in a few
                 * rounds, not one a zone) */
                double gx = fmax(2 * reach, (o[2] - o[0]) / 4), gy = fmax(2 * reach, (o[3] - o[1]) / 4);
                if (!grown)
                    o[0] -= gx, o[1] -= gy, o[2] += gx, o[3] += gy;
                o[0] = fmin(o[0], b[0] - gx), o[1] = fmin(o[1], b[1] - gy);
                o[2] = fmax(o[2], b[2] + gx), o[3] = fmax(o[3], b[3] + gy);
                grown = 1;
                continue;
            }
            if (!(mine[nk] = GEOSGeom_clone_r(h, pk)))
                st = dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
            else
                nk++;
        }
        if (!st && !grown) {
            keep = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, mine, nk);
            if (keep)
                nk = 0; /* the collection owns them */
            else
                st = dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
        }
        if (grown && m > n / 4) /* a web of zones over much of the country: all at once */
            o[0] = o[1] = -INFINITY, o[2] = o[3] = INFINITY;
        for (unsigned k = 0; k < nk; k++)
            GEOSGeom_destroy_r(h, mine[k]);
        dm_free(ctx, mine);
        dm_geom_free(u);
    }
    if (!st && keep)
        st = dm__geom_wrap(ctx, keep, out);
    else if (keep)
        GEOSGeom_destroy_r(h, keep);
    if (win_m)
        GEOSGeom_destroy_r(h, win_m);
    if (zone)
        free_parts(zone, n);
    dm_free(ctx, zone);
    dm_free(ctx, hb);
    dm_free(ctx, pick);
    return st;
}

/* g made valid in place when it is not (a polygon another tool wrote
 * crossing itself: `demine check` names it). */
static dm_status valid_in_place(dm_ctx *ctx, dm_geom **g)
{
    if (dm_geom_is_valid(*g, NULL, 0, NULL, NULL))
        return DM_OK;
    dm_geom *v = NULL;
    dm_status st = dm_geom_make_valid(ctx, *g, &v);
    if (st)
        return st;
    dm_geom_free(*g);
    *g = v;
    return DM_OK;
}

/* The land released by reviewed work (release_areas whose activity is not
 * a draft or rejected, as dm_route_hazards_from_store takes it): its
 * polygons, valid, and their boxes. */
static dm_status read_released(dm_store *s, dm_geom ***rel, double **rb, size_t *nrel)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *rel = NULL, *rb = NULL, *nrel = 0;
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.reviewed = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "release_areas", &sel, &c);
    if (st)
        return st;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            break;
        dm_geom_type t = g ? dm_geom_type_of(g) : DM_GEOM_UNKNOWN;
        double b[4];
        if (!g || dm_geom_is_empty(g) || (t != DM_GEOM_POLYGON && t != DM_GEOM_MULTIPOLYGON) ||
            valid_in_place(ctx, &g) || !dm_geom_bounds(g, b)) {
            dm_ctx_clear_error(ctx); /* land not known to be released stays in the zones */
            dm_geom_free(g);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            dm_geom **ng = dm_realloc(ctx, *rel, nc * sizeof *ng);
            if (ng)
                *rel = ng;
            double *nb = ng ? dm_realloc(ctx, *rb, nc * 4 * sizeof *nb) : NULL;
            if (!nb) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            *rb = nb, cap = nc;
        }
        (*rel)[n] = g;
        memcpy(*rb + 4 * n, b, sizeof b);
        n++;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    *nrel = n;
    return st;
}

/* *g (WGS 84, box gb) less the land released that meets it; *g freed and
 * NULL when all of it was released. The land released is grown by about a
 * centimetre (1e-7 degree), so that no sliver along an edge the two share
 * keeps a row of cells in the zones. Where GEOS cannot take it out, the
 * hazard stays whole. */
static dm_status less_released(dm_ctx *ctx, dm_geom **g, const double *gb, dm_geom **rel, const double *rb,
                               size_t nrel)
{
    size_t m = 0;
    for (size_t i = 0; i < nrel; i++)
        m += boxes_meet(gb, rb + 4 * i);
    if (!m)
        return DM_OK;
    dm_geom **pick = dm_malloc(ctx, m * sizeof *pick);
    if (!pick)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    m = 0;
    for (size_t i = 0; i < nrel; i++)
        if (boxes_meet(gb, rb + 4 * i))
            pick[m++] = rel[i];
    dm_geom *u = NULL, *grown = NULL, *v = NULL, *d = NULL;
    dm_status st = dm_geom_union_all(ctx, pick, m, &u);
    if (!st)
        st = dm_geom_buffer(ctx, u, 1e-7, &grown);
    if (!st)
        st = dm_geom_make_valid(ctx, *g, &v);
    if (!st)
        st = dm_geom_difference(ctx, v, grown, &d);
    dm_free(ctx, pick);
    dm_geom_free(u);
    dm_geom_free(grown);
    dm_geom_free(v);
    if (st == DM_ENOMEM)
        return st;
    dm_ctx_clear_error(ctx);
    if (st || !d) {
        dm_geom_free(d);
        return DM_OK;
    }
    dm_geom_free(*g);
    *g = NULL;
    if (dm_geom_is_empty(d))
        dm_geom_free(d);
    else
        *g = d;
    return DM_OK;
}

/* *g with a vertex at least every 0.01 degree (about a kilometre): an edge
 * is straight in degrees (as the GeoPackage holds it), and taken to metres
 * by its ends only, a long one was a chord on the UTM zone, away from the
 * edge by more than the margin (500 m on a 170 km edge at 41 N). */
static dm_status densified(dm_ctx *ctx, dm_geom **g)
{
    GEOSGeometry *d = GEOSDensify_r(dm__geos(ctx), (*g)->g, 0.01);
    if (!d)
        return dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
    dm_geom *w = NULL;
    dm_status st = dm__geom_wrap(ctx, d, &w);
    if (st)
        return st;
    dm_geom_free(*g);
    *g = w;
    return DM_OK;
}

/* The zones (WGS 84) of the hazards g[0..n) (box gbox), drawn on the UTM
 * zone epsg: all of them, or with win those that meet it. */
static dm_status group_zones(dm_ctx *ctx, int epsg, dm_geom **g, size_t n, const double *gbox, double cell_m,
                             double buf_m, double simp_m, const double *win, dm_geom **out)
{
    *out = NULL;
    double w[4];
    if (win) {
        /* the window cut to where these zones can be, so that its edges are
         * taken to metres near this UTM zone (the zones that meet it are the
         * same) */
        double reach = 2 * (cell_m + cell_m / 4 + buf_m) + 100;
        double lat = fmin(89, fmax(fabs(gbox[1]), fabs(gbox[3])) + reach / 110000);
        double dy = reach / 110000, dx = reach / (111320 * cos(lat * M_PI / 180));
        w[0] = fmax(win[0], fmax(-180, gbox[0] - dx)), w[1] = fmax(win[1], fmax(-90, gbox[1] - dy));
        w[2] = fmin(win[2], fmin(180, gbox[2] + dx)), w[3] = fmin(win[3], fmin(90, gbox[3] + dy));
        if (!(w[0] <= w[2] && w[1] <= w[3]))
            return DM_OK;
    }
    char utm[32];
    snprintf(utm, sizeof utm, "EPSG:%d", epsg);
    dm_transform *fwd = NULL, *back = NULL;
    dm_status st = dm_transform_new(ctx, "EPSG:4326", utm, &fwd);
    if (!st)
        st = dm_transform_new(ctx, utm, "EPSG:4326", &back);
    dm_geom *u = NULL, *simple = NULL;
    if (!st && win) {
        st = zones_in(ctx, fwd, g, n, cell_m, buf_m, w, &u);
    } else if (!st) {
        dm_geom **zone = dm_calloc(ctx, n, sizeof *zone);
        if (!zone)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t i = 0; !st && i < n; i++)
            st = hazard_zone(ctx, fwd, g[i], cell_m, buf_m, &zone[i]);
        if (!st)
            st = dm_geom_union_all(ctx, zone, n, &u);
        if (zone)
            free_parts(zone, n);
        dm_free(ctx, zone);
    }
    /* each ring from its least point on: a zone simplifies the same way
     * whichever other zones its union was made with (a window's or the
     * country's) */
    if (!st && u && !dm_geom_is_empty(u) && GEOSNormalize_r(dm__geos(ctx), u->g) != 0)
        st = dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
    if (!st && u && !dm_geom_is_empty(u))
        st = dm_geom_simplify(ctx, u, simp_m, &simple);
    if (!st && simple)
        st = dm_geom_transform(ctx, back, simple, out);
    dm_geom_free(u);
    dm_geom_free(simple);
    dm_transform_free(fwd);
    dm_transform_free(back);
    return st;
}

dm_status dm_danger_zones(dm_store *s, const dm_danger_opts *opts, dm_geom **out)
{
    return dm_danger_zones_in(s, opts, NULL, out);
}

dm_status dm_danger_zones_in(dm_store *s, const dm_danger_opts *opts, const double *bbox, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    double buf_m = opts && opts->buffer_m > 0 ? opts->buffer_m : 100;
    double simp_m = opts && opts->simplify_m > 0 ? opts->simplify_m : 25;
    double cell_m = opts && opts->cell_m > 0 ? opts->cell_m : 50;
    if (bbox) {
        for (int i = 0; i < 4; i++)
            if (!isfinite(bbox[i]) || fabs(bbox[i]) > (i % 2 ? 90 : 180))
                return dm__fail(ctx, DM_EINVAL, "danger zones: bbox %g,%g,%g,%g is not in degrees (W,S,E,N)",
                                bbox[0], bbox[1], bbox[2], bbox[3]);
        if (bbox[0] > bbox[2] || bbox[1] > bbox[3])
            return dm__fail(ctx, DM_EINVAL,
                            "danger zones: bbox %g,%g,%g,%g: west must not exceed east nor south north (W,S,E,N)",
                            bbox[0], bbox[1], bbox[2], bbox[3]);
    }
    /* every hazard in force is read, the window's or not (a zone that
     * meets the window is drawn whole) */
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    if (st)
        return st;
    dm_geom **parts = NULL;
    double *pb = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *status = dm_cursor_text(c, "status");
        if (status && (!strcmp(status, "closed") || !strcmp(status, "handed_over")))
            continue;
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            break;
        double b[4];
        if (!g || !dm_geom_bounds(g, b)) {
            dm_geom_free(g);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            dm_geom **np = dm_realloc(ctx, parts, nc * sizeof *np);
            if (np)
                parts = np;
            double *nb = np ? dm_realloc(ctx, pb, nc * 4 * sizeof *nb) : NULL;
            if (!nb) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            pb = nb, cap = nc;
        }
        parts[n] = g;
        memcpy(pb + 4 * n, b, sizeof b);
        n++;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    /* the land released is taken out */
    dm_geom **rel = NULL;
    double *rb = NULL;
    size_t nrel = 0;
    if (!st && n)
        st = read_released(s, &rel, &rb, &nrel);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!st)
            st = less_released(ctx, &parts[i], pb + 4 * i, rel, rb, nrel);
        if (!st && parts[i] && (pb[4 * i + 2] - pb[4 * i] > 0.01 || pb[4 * i + 3] - pb[4 * i + 1] > 0.01))
            st = densified(ctx, &parts[i]);
        if (!st && parts[i] && dm_geom_bounds(parts[i], pb + 4 * k)) {
            parts[k++] = parts[i];
            continue;
        }
        dm_geom_free(parts[i]);
    }
    n = k;
    free_parts(rel, nrel);
    dm_free(ctx, rel);
    dm_free(ctx, rb);
    /* each hazard on the UTM zone of its middle; those of one zone together */
    int *epsg = n ? dm_malloc(ctx, n * sizeof *epsg) : NULL;
    dm_geom **grp = n ? dm_malloc(ctx, n * sizeof *grp) : NULL;
    dm_geom **piece = n ? dm_calloc(ctx, n, sizeof *piece) : NULL;
    if (!st && n && (!epsg || !grp || !piece))
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++)
        epsg[i] = dm_utm_epsg((pb[4 * i] + pb[4 * i + 2]) / 2, (pb[4 * i + 1] + pb[4 * i + 3]) / 2);
    size_t np = 0;
    for (size_t i = 0; !st && i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = epsg[j] == epsg[i];
        if (seen)
            continue;
        size_t m = 0;
        double gb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (size_t j = i; j < n; j++)
            if (epsg[j] == epsg[i]) {
                grp[m++] = parts[j];
                gb[0] = fmin(gb[0], pb[4 * j]), gb[1] = fmin(gb[1], pb[4 * j + 1]);
                gb[2] = fmax(gb[2], pb[4 * j + 2]), gb[3] = fmax(gb[3], pb[4 * j + 3]);
            }
        st = group_zones(ctx, epsg[i], grp, m, gb, cell_m, buf_m + simp_m, simp_m, bbox, &piece[np]);
        if (!st && piece[np])
            np++;
    }
    if (!st && np == 1)
        *out = piece[0], piece[0] = NULL;
    else if (!st && np > 1)
        st = dm_geom_union_all(ctx, piece, np, out);
    if (piece)
        free_parts(piece, n);
    dm_free(ctx, piece);
    dm_free(ctx, grp);
    dm_free(ctx, epsg);
    free_parts(parts, n);
    dm_free(ctx, parts);
    dm_free(ctx, pb);
    if (st)
        return dm__wrap(ctx, "danger zones");
    return DM_OK;
}

/* Append the i-th polygon of a GeoJSON MultiPolygon/Polygon geometry text
 * as a feature. The generic path goes through dm_geom: split the zones into
 * polygons by reading the flattened coordinates. */
dm_status dm_danger_zones_json(dm_store *s, const dm_danger_opts *opts, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *json = NULL;
    dm_geom *z = NULL;
    dm_status st = dm_danger_zones(s, opts, &z);
    if (st)
        return st;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    if (z) {
        dm_coords co;
        memset(&co, 0, sizeof co);
        st = dm_geom_coords(ctx, z, &co);
        int nfeat = 0;
        for (size_t p = 0; !st && p < co.n_parts;) {
            if (co.kind[p] != 2) {
                p++;
                continue;
            }
            /* an outer ring and the inner rings that follow it */
            size_t q = p + 1;
            while (q < co.n_parts && co.kind[q] == 3)
                q++;
            double *ring = co.xy + 2 * co.start[p];
            size_t rn = co.start[p + 1] - co.start[p];
            dm_geom *poly = NULL;
            double ha = 0;
            if (dm_geom_polygon(ctx, ring, rn, &poly) == DM_OK)
                dm_geom_area_ha(ctx, poly, &ha);
            dm_geom_free(poly);
            /* less its holes (ground ringed by hazards is not in the zone) */
            for (size_t k = p + 1; k < q; k++) {
                double hole = 0;
                poly = NULL;
                if (dm_geom_polygon(ctx, co.xy + 2 * co.start[k], co.start[k + 1] - co.start[k], &poly) ==
                        DM_OK &&
                    dm_geom_area_ha(ctx, poly, &hole) == DM_OK)
                    ha -= hole;
                dm_geom_free(poly);
            }
            if (ha < 0)
                ha = 0;
            dm_ctx_clear_error(ctx);
            dm__buf_printf(&b, "%s{\"type\":\"Feature\",\"properties\":{\"zone\":%d,\"area_ha\":%.1f},"
                               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[",
                           nfeat ? "," : "", nfeat + 1, ha);
            for (size_t k = p; k < q; k++) {
                dm__buf_puts(&b, k > p ? ",[" : "[");
                for (size_t v = co.start[k]; v < co.start[k + 1]; v++)
                    dm__buf_printf(&b, "%s[%.5f,%.5f]", v > co.start[k] ? "," : "", co.xy[2 * v],
                                   co.xy[2 * v + 1]);
                dm__buf_puts(&b, "]");
            }
            dm__buf_puts(&b, "]}}");
            nfeat++;
            p = q;
        }
        dm_coords_free(ctx, &co);
        dm_geom_free(z);
    }
    dm__buf_puts(&b, "]}");
    if (!st && b.oom)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (!st) {
        *json = dm_strdup(ctx, b.data);
        if (!*json)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    dm__buf_free(&b);
    return st;
}

dm_status dm_danger_locate(dm_ctx *ctx, const dm_geom *zones, double lon, double lat, int *inside,
                           double *distance_m)
{
    *inside = 0;
    *distance_m = -1;
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return dm__fail(ctx, DM_EINVAL, "point %g %g is not a longitude/latitude", lon, lat);
    if (!zones || dm_geom_is_empty(zones))
        return DM_OK;
    dm_geom *pt = NULL, *pu = NULL, *zu = NULL;
    dm_transform *t = NULL;
    char utm[32];
    snprintf(utm, sizeof utm, "EPSG:%d", dm_utm_epsg(lon, lat));
    dm_status st = dm_geom_point(ctx, lon, lat, &pt);
    if (!st)
        st = dm_transform_new(ctx, "EPSG:4326", utm, &t);
    if (!st)
        st = dm_geom_transform(ctx, t, pt, &pu);
    if (!st)
        st = dm_geom_transform(ctx, t, zones, &zu);
    if (!st) {
        *inside = dm_geom_intersects(zu, pu);
        *distance_m = *inside ? 0 : dm_geom_distance(zu, pu);
    }
    dm_geom_free(pt);
    dm_geom_free(pu);
    dm_geom_free(zu);
    dm_transform_free(t);
    return st;
}
