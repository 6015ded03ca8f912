/* SPDX-License-Identifier: MIT
 *
 * danger.c -- generalised danger zones for the public: every hazard not yet
 * closed or handed over is buffered by a safety margin in the local UTM
 * zone, all are merged into one geometry and simplified, so that the shape
 * says "keep out" without tracing item points or record perimeters.
 *
 * Before the margin, each hazard is replaced by the cells of a square grid
 * (default 50 m, anchored at the UTM origin) that it touches: the zones
 * depend only on which cells hold hazards, so a hazard drawn tightly around
 * one item (a spot task) gives the item's cell, never its position (the
 * centre of a buffered point would be the point itself).
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
static dm_status grid_cells(dm_ctx *ctx, const dm_geom *g, double cell, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    double b[4];
    if (!h || !dm_geom_bounds(g, b))
        return dm__fail(ctx, DM_EGEOM, "a hazard has no extent");
    double j0 = floor(b[1] / cell), j1 = floor(b[3] / cell);
    if (!(j1 - j0 < 1e6))
        return dm__fail(ctx, DM_EGEOM, "a hazard is more than %g km tall", cell * 1e6 / 1000);
    size_t n = 0, cap = 0;
    GEOSGeometry **rects = NULL;
    dm_status st = DM_OK;
    for (double j = j0; !st && j <= j1; j++) {
        double y0 = j * cell, y1 = (j + 1) * cell;
        GEOSGeometry *piece = GEOSClipByRect_r(h, g->g, b[0] - cell, y0, b[2] + cell, y1);
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
            rects[n] = rect(h, floor(xr[0] / cell) * cell, y0, (floor(xr[1] / cell) + 1) * cell,
                            y1);
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

dm_status dm_danger_zones(dm_store *s, const dm_danger_opts *opts, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    double buf_m = opts && opts->buffer_m > 0 ? opts->buffer_m : 100;
    double simp_m = opts && opts->simplify_m > 0 ? opts->simplify_m : 25;
    double cell_m = opts && opts->cell_m > 0 ? opts->cell_m : 50;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    if (st)
        return st;
    dm_geom **parts = NULL;
    size_t n = 0, cap = 0;
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
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
            if (!np) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            parts = np;
            cap = nc;
        }
        parts[n++] = g;
        bb[0] = fmin(bb[0], b[0]), bb[1] = fmin(bb[1], b[1]);
        bb[2] = fmax(bb[2], b[2]), bb[3] = fmax(bb[3], b[3]);
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (st || n == 0) {
        free_parts(parts, n);
        dm_free(ctx, parts);
        return st;
    }
    char utm[32];
    snprintf(utm, sizeof utm, "EPSG:%d", dm_utm_epsg((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2));
    dm_transform *fwd = NULL, *back = NULL;
    st = dm_transform_new(ctx, "EPSG:4326", utm, &fwd);
    if (!st)
        st = dm_transform_new(ctx, utm, "EPSG:4326", &back);
    for (size_t i = 0; !st && i < n; i++) {
        dm_geom *p = NULL, *cells = NULL, *b = NULL;
        st = dm_geom_transform(ctx, fwd, parts[i], &p);
        if (!st)
            st = grid_cells(ctx, p, cell_m, &cells);
        if (!st)
            st = dm_geom_buffer(ctx, cells, buf_m, &b);
        dm_geom_free(p);
        dm_geom_free(cells);
        if (!st) {
            dm_geom_free(parts[i]);
            parts[i] = b;
        }
    }
    dm_geom *u = NULL, *simple = NULL;
    if (!st)
        st = dm_geom_union_all(ctx, parts, n, &u);
    if (!st)
        st = dm_geom_simplify(ctx, u, simp_m, &simple);
    if (!st)
        st = dm_geom_transform(ctx, back, simple, out);
    dm_geom_free(u);
    dm_geom_free(simple);
    dm_transform_free(fwd);
    dm_transform_free(back);
    free_parts(parts, n);
    dm_free(ctx, parts);
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
