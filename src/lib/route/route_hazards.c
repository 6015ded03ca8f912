/* SPDX-License-Identifier: MIT
 *
 * route_hazards.c -- the hazards a staff route or checked line crosses. The
 * risk map is a probability per cell: a large suspected area of low
 * probability per cell can be crossed by the least dangerous route without
 * its figures saying so, while a team on the ground must know it walks in a
 * recorded hazard. This names every hazard still in force (not closed or
 * handed over) that the path enters, with the metres inside its part not
 * yet released, and gives those parts as areas to avoid
 * (`route --avoid-hazards`).
 */
#include "core/dm_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hazard still in force: the danger zones' rule (dm_danger_zones). */
static int in_force(const char *status)
{
    return !status || (strcmp(status, "closed") && strcmp(status, "handed_over"));
}

/* g made valid in place when it is not (a polygon another tool wrote
 * crossing itself: `demine check` names it; a route must not fail on it). */
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

/* The union (WGS 84) of the polygons of layer's rows that sel selects
 * (and, with in_force_only, whose status is in force); *out NULL when none. */
static dm_status union_of(dm_store *s, const char *layer, const dm_select *sel, int in_force_only, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, sel, &c);
    if (st)
        return st;
    dm_geom **parts = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        if (in_force_only && !in_force(dm_cursor_text(c, "status")))
            continue;
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            break;
        dm_geom_type t = g ? dm_geom_type_of(g) : DM_GEOM_UNKNOWN;
        if (!g || dm_geom_is_empty(g) || (t != DM_GEOM_POLYGON && t != DM_GEOM_MULTIPOLYGON)) {
            dm_geom_free(g);
            continue;
        }
        if ((st = valid_in_place(ctx, &g))) {
            dm_geom_free(g);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            dm_geom **np = dm_realloc(ctx, parts, nc * sizeof *np);
            if (!np) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            parts = np, cap = nc;
        }
        parts[n++] = g;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (!st && n)
        st = dm_geom_union_all(ctx, parts, n, out);
    for (size_t i = 0; i < n; i++)
        dm_geom_free(parts[i]);
    dm_free(ctx, parts);
    return st;
}

/* The land released (cancelled, reduced or cleared, as approved) within
 * bbox (WGS 84; NULL: all), as one geometry in WGS 84; *out NULL when none. */
static dm_status released_land(dm_store *s, const double *bbox, dm_geom **out)
{
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = bbox;
    sel.reviewed = 1;
    dm_status st = union_of(s, "release_areas", &sel, 0, out);
    return st ? dm__wrap(dm_store_ctx(s), "the land released") : DM_OK;
}

/* The hazards in force less the land released, from the rows whose boxes
 * meet bbox (WGS 84; NULL: all). */
static dm_status hazards_less_released(dm_store *s, const double *bbox, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    dm_geom *u = NULL, *rel = NULL;
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = bbox;
    dm_status st = union_of(s, "hazards", &sel, 1, &u);
    /* the parts already released are walkable */
    if (!st && u)
        st = released_land(s, bbox, &rel);
    if (!st && u && rel) {
        st = dm_geom_difference(ctx, u, rel, out);
        dm_geom_free(u);
    } else if (!st)
        *out = u;
    else
        dm_geom_free(u);
    dm_geom_free(rel);
    return st ? dm__wrap(ctx, "the hazards to avoid") : DM_OK;
}

dm_status dm_route_hazards_from_store(dm_store *s, dm_geom **out)
{
    return hazards_less_released(s, NULL, out);
}

dm_status dm_route_hazards_in_box(dm_store *s, const double box[4], dm_geom **out)
{
    *out = NULL;
    if (!box)
        return dm__fail(dm_store_ctx(s), DM_EINVAL, "the hazards to avoid: no box given");
    return hazards_less_released(s, box, out);
}

dm_status dm_route_hazards_near(dm_store *s, const char *risk_path, double lon0, double lat0, double lon1,
                                double lat1, const dm_route_opts *opts, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    char *own = NULL;
    dm_status st = DM_OK;
    if (!risk_path) {
        if ((st = dm_route_risk_path(s, &own)) != DM_OK)
            return st;
        risk_path = own;
    }
    double box[4];
    st = dm_route_search_box(ctx, risk_path, lon0, lat0, lon1, lat1, opts, box);
    if (!st)
        st = hazards_less_released(s, box, out);
    dm_free(ctx, own);
    return st;
}

/* FNV-1a over a string and its end (so "ab","c" and "a","bc" differ). */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (h ^ (s ? 0xffu : 0xfeu)) * 1099511628211ull;
}

/* FNV-1a over n bytes and their count. */
static uint64_t fnv_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return (h ^ n) * 1099511628211ull;
}

/* Fold the uuid, updated time, the given fields (NULL-terminated) and the
 * geometry's bytes of every row of layer that sel selects into *h; *n
 * counts them. The bytes: a tool that moves a vertex without the row's
 * updated time (QGIS, sqlite3) changes them all the same. */
static dm_status stamp_layer(dm_store *s, const char *layer, const dm_select *sel, const char *const *fields,
                             uint64_t *h, uint64_t *n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, sel, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        *h = fnv(*h, dm_cursor_uuid(c));
        *h = fnv(*h, dm_cursor_text(c, "updated"));
        for (size_t i = 0; fields[i]; i++)
            *h = fnv(*h, dm_cursor_text(c, fields[i]));
        size_t nb = 0;
        const unsigned char *gb = dm_cursor_geom_bytes(c, &nb);
        *h = fnv_bytes(*h, gb, nb);
        ++*n;
    }
    if (rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

dm_status dm_route_hazards_stamp(dm_store *s, uint64_t *stamp)
{
    *stamp = 0;
    uint64_t h = 14695981039346656037ull, n = 0;
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.reviewed = 1; /* as released_land: a release area counts once its report is approved */
    /* the areas too (a new polygon brings new ones): two edits of a row
     * within the millisecond of its updated time still differ */
    static const char *const hz_fields[] = {"status", "est_area_ha", "remaining_area_ha", NULL};
    static const char *const rel_fields[] = {"area_ha", NULL};
    dm_status st = stamp_layer(s, "hazards", NULL, hz_fields, &h, &n);
    if (!st) {
        h = fnv(h, "release_areas");
        st = stamp_layer(s, "release_areas", &sel, rel_fields, &h, &n);
    }
    if (st)
        return dm__wrap(dm_store_ctx(s), "the hazards to avoid: their state");
    *stamp = (h ^ n) * 1099511628211ull;
    return DM_OK;
}

/* Chainage (metres along the projected path xy of n points, with cumulative
 * lengths ch) of the point of the path nearest to (x, y). */
static double chainage_of(const double *xy, const double *ch, size_t n, double x, double y)
{
    double best = INFINITY, at = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double ax = xy[2 * k], ay = xy[2 * k + 1], dx = xy[2 * k + 2] - ax, dy = xy[2 * k + 3] - ay;
        double l2 = dx * dx + dy * dy, t = l2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = ax + t * dx - x, ey = ay + t * dy - y, d = ex * ex + ey * ey;
        if (d < best)
            best = d, at = ch[k] + t * (ch[k + 1] - ch[k]);
    }
    return at;
}

static int by_from(const void *a, const void *b)
{
    const dm_route_hazard *x = a, *y = b;
    return (x->from_m > y->from_m) - (x->from_m < y->from_m);
}

/* The crossings of one hazard g (projected by fwd) with the projected path
 * line; appends to r when the path runs inside it. */
static dm_status cross_one(dm_ctx *ctx, dm_transform *fwd, const dm_geom *g, const dm_geom *released,
                           const dm_geom *line, const double *xy, const double *ch, size_t n, const char *ref,
                           const char *status, dm_route_result *r, size_t *cap)
{
    dm_geom *p = NULL, *left = NULL, *inter = NULL;
    dm_status st = dm_geom_transform(ctx, fwd, g, &p);
    if (!st)
        st = valid_in_place(ctx, &p);
    if (!st && released && dm_geom_intersects(p, released)) {
        /* the part still in force: released land is walkable */
        st = dm_geom_difference(ctx, p, released, &left);
        if (!st)
            dm_geom_free(p), p = left;
    }
    if (!st)
        st = dm_geom_intersection(ctx, line, p, &inter);
    dm_geom_free(p);
    if (st)
        return st;
    double len = inter && !dm_geom_is_empty(inter) ? dm_geom_length(inter) : 0;
    if (!(len > 0.5)) { /* touching its edge is not walking in it */
        dm_geom_free(inter);
        return DM_OK;
    }
    dm_coords c;
    memset(&c, 0, sizeof c);
    st = dm_geom_coords(ctx, inter, &c);
    dm_geom_free(inter);
    if (st)
        return st;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < c.n_xy; k++) {
        double a = chainage_of(xy, ch, n, c.xy[2 * k], c.xy[2 * k + 1]);
        lo = a < lo ? a : lo;
        hi = a > hi ? a : hi;
    }
    dm_coords_free(ctx, &c);
    if (r->n_hazards == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        dm_route_hazard *nh = dm_realloc(ctx, r->hazards, nc * sizeof *nh);
        if (!nh)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        r->hazards = nh, *cap = nc;
    }
    dm_route_hazard *h = &r->hazards[r->n_hazards++];
    memset(h, 0, sizeof *h);
    dm__strlcpy(h->ref, ref ? ref : "", sizeof h->ref);
    dm__strlcpy(h->status, status ? status : "", sizeof h->status);
    h->length_m = len;
    h->from_m = lo;
    h->to_m = hi;
    return DM_OK;
}

dm_status dm_route_hazards_crossed(dm_store *s, dm_route_result *r)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_free(ctx, r->hazards);
    r->hazards = NULL;
    r->n_hazards = 0;
    r->hazards_checked = 0;
    if (r->n_pts < 2)
        return DM_OK;
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t k = 0; k < r->n_pts; k++) {
        double x = r->lonlat[2 * k], y = r->lonlat[2 * k + 1];
        bb[0] = fmin(bb[0], x), bb[1] = fmin(bb[1], y), bb[2] = fmax(bb[2], x), bb[3] = fmax(bb[3], y);
    }
    /* lengths in metres on the path's UTM zone */
    char utm[32];
    snprintf(utm, sizeof utm, "EPSG:%d", dm_utm_epsg((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2));
    dm_transform *fwd = NULL;
    double *xy = NULL, *ch = NULL;
    dm_geom *line = NULL;
    dm_cursor *c = NULL;
    size_t cap = 0;
    dm_status st = dm_transform_new(ctx, "EPSG:4326", utm, &fwd);
    if (!st) {
        xy = dm_malloc(ctx, r->n_pts * 2 * sizeof *xy);
        ch = dm_malloc(ctx, r->n_pts * sizeof *ch);
        if (!xy || !ch)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (!st) {
        memcpy(xy, r->lonlat, r->n_pts * 2 * sizeof *xy);
        double *yy = dm_malloc(ctx, r->n_pts * sizeof *yy);
        if (!yy)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t k = 0; !st && k < r->n_pts; k++)
            ch[k] = xy[2 * k], yy[k] = xy[2 * k + 1];
        if (!st)
            st = dm_transform_xy(fwd, ch, yy, r->n_pts);
        for (size_t k = 0; !st && k < r->n_pts; k++) {
            xy[2 * k] = ch[k], xy[2 * k + 1] = yy[k];
            ch[k] = k ? ch[k - 1] + hypot(xy[2 * k] - xy[2 * k - 2], xy[2 * k + 1] - xy[2 * k - 1]) : 0;
        }
        dm_free(ctx, yy);
    }
    /* the route's own chainage, so stretches and hazards read on one scale */
    if (!st && r->chainage_m)
        memcpy(ch, r->chainage_m, r->n_pts * sizeof *ch);
    if (!st)
        st = dm_geom_linestring(ctx, xy, r->n_pts, &line);
    double pad = 0.001; /* degrees: a path along a hazard's edge */
    double box[4] = {bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = box;
    dm_geom *rel = NULL, *rel_m = NULL;
    if (!st)
        st = released_land(s, box, &rel);
    if (!st && rel)
        st = dm_geom_transform(ctx, fwd, rel, &rel_m);
    dm_geom_free(rel);
    if (!st)
        st = dm_store_select(s, "hazards", &sel, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *status = dm_cursor_text(c, "status");
        if (!in_force(status))
            continue;
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            break;
        dm_geom_type t = g ? dm_geom_type_of(g) : DM_GEOM_UNKNOWN;
        if (g && !dm_geom_is_empty(g) && (t == DM_GEOM_POLYGON || t == DM_GEOM_MULTIPOLYGON)) {
            const char *ref = dm_cursor_text(c, "ref");
            st = cross_one(ctx, fwd, g, rel_m, line, xy, ch, r->n_pts, ref && *ref ? ref : dm_cursor_uuid(c),
                           status, r, &cap);
        }
        dm_geom_free(g);
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    dm_geom_free(line);
    dm_geom_free(rel_m);
    dm_transform_free(fwd);
    dm_free(ctx, xy);
    dm_free(ctx, ch);
    if (st) {
        dm_free(ctx, r->hazards);
        r->hazards = NULL;
        r->n_hazards = 0;
        return dm__wrap(ctx, "the hazards the path crosses");
    }
    if (r->n_hazards > 1)
        qsort(r->hazards, r->n_hazards, sizeof *r->hazards, by_from);
    r->hazards_checked = 1;
    return DM_OK;
}
