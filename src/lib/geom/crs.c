/* SPDX-License-Identifier: MIT
 *
 * crs.c -- coordinate transforms with PROJ, UTM zone choice, and areas and
 * lengths of WGS 84 geometries in metric units.
 *
 * Every transform uses the traditional GIS axis order (x = longitude or
 * easting) whatever the CRS definition says.
 */
#include "geom_internal.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dm_transform {
    dm_ctx *ctx;
    PJ *pj;
};

#define UTM_CACHE 8

typedef struct proj_slot {
    PJ_CONTEXT *pc;
    char msg[512];
    int utm_epsg[UTM_CACHE];
    dm_transform *utm[UTM_CACHE];
    int utm_next;
} proj_slot;

static void proj_msg(void *user, int level, const char *msg)
{
    (void)level;
    proj_slot *s = user;
    dm__strlcpy(s->msg, msg ? msg : "", sizeof s->msg);
}

static void proj_slot_free(void *p)
{
    proj_slot *s = p;
    for (int i = 0; i < UTM_CACHE; i++)
        if (s->utm[i]) {
            proj_destroy(s->utm[i]->pj);
            free(s->utm[i]);
        }
    proj_context_destroy(s->pc);
    free(s);
}

static proj_slot *proj_get(dm_ctx *ctx)
{
    proj_slot *s = dm__ctx_slot(ctx, DM__SLOT_PROJ);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        s->pc = proj_context_create();
        proj_log_func(s->pc, s, proj_msg);
        proj_log_level(s->pc, PJ_LOG_ERROR);
        dm__ctx_set_slot(ctx, DM__SLOT_PROJ, s, proj_slot_free);
    }
    return s;
}

dm_status dm_transform_new(dm_ctx *ctx, const char *from, const char *to, dm_transform **out)
{
    *out = NULL;
    proj_slot *s = proj_get(ctx);
    if (!s)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    s->msg[0] = '\0';
    PJ *p = proj_create_crs_to_crs(s->pc, from, to, NULL);
    if (!p)
        return dm__fail(ctx, DM_EPROJ, "cannot transform from '%.200s' to '%.200s': %s", from, to,
                        s->msg[0] ? s->msg : "unknown CRS");
    PJ *n = proj_normalize_for_visualization(s->pc, p);
    proj_destroy(p);
    if (!n)
        return dm__fail(ctx, DM_EPROJ, "cannot normalise axis order: %s", s->msg);
    dm_transform *t = malloc(sizeof *t);
    if (!t) {
        proj_destroy(n);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    t->ctx = ctx;
    t->pj = n;
    *out = t;
    return DM_OK;
}

dm_status dm_crs_fit(dm_ctx *ctx, const char *crs, double lon, double lat, double *areal,
                     int *in_area)
{
    *areal = NAN;
    *in_area = -1;
    proj_slot *s = proj_get(ctx);
    if (!s)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    s->msg[0] = '\0';
    PJ *p = proj_create(s->pc, crs);
    if (!p)
        return dm__fail(ctx, DM_EPROJ, "unknown CRS '%.200s'%s%s", crs, s->msg[0] ? ": " : "",
                        s->msg);
    double w, so, e, n;
    if (proj_get_area_of_use(s->pc, p, &w, &so, &e, &n, NULL) && w > -1000)
        *in_area = lat >= so && lat <= n &&
                   (w <= e ? lon >= w && lon <= e : lon >= w || lon <= e); /* across 180 */
    PJ_COORD c = proj_coord(lon * M_PI / 180, lat * M_PI / 180, 0, 0);
    PJ_FACTORS f = proj_factors(p, c);
    if (proj_errno(p) == 0 && f.areal_scale > 0)
        *areal = f.areal_scale;
    proj_errno_reset(p);
    proj_destroy(p);
    return DM_OK;
}

dm_status dm_crs_require_metres(dm_ctx *ctx, const char *crs, char *norm, size_t norm_size)
{
    proj_slot *s = proj_get(ctx);
    if (!s)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    s->msg[0] = '\0';
    char def[1024];
    /* a PROJ string is a CRS once it says so */
    snprintf(def, sizeof def, "%s%s", crs ? crs : "",
             crs && crs[0] == '+' && !strstr(crs, "type=crs") ? " +type=crs" : "");
    PJ *p = def[0] ? proj_create(s->pc, def) : NULL;
    if (!p)
        return dm__fail(ctx, DM_EPROJ, "unknown CRS '%.200s'%s%s", crs ? crs : "",
                        s->msg[0] ? ": " : "", s->msg);
    /* PROJ also takes a bare word as part of a CRS name ("foo" finds
     * "Amersfoort"): only a name given in full is taken */
    const char *name = proj_get_name(p);
    if (!strpbrk(def, ":[+=") && (!name || dm__strcasecmp(name, def))) {
        dm_status e = dm__fail(ctx, DM_EPROJ, "unknown CRS '%.200s' (give it as EPSG:n)", crs);
        proj_destroy(p);
        return e;
    }
    dm_status st = DM_OK;
    PJ_TYPE type = proj_get_type(p);
    PJ *base = p, *horiz = NULL;
    if (type == PJ_TYPE_COMPOUND_CRS && (horiz = proj_crs_get_sub_crs(s->pc, p, 0)))
        base = horiz, type = proj_get_type(horiz);
    if (!proj_is_crs(base)) {
        st = dm__fail(ctx, DM_EPROJ, "'%.200s' is not a coordinate reference system", crs);
    } else if (type != PJ_TYPE_PROJECTED_CRS) {
        st = dm__fail(ctx, DM_EPROJ,
                      "'%.200s' is not a projected CRS (it counts in degrees): a grid needs metres, "
                      "e.g. the area's UTM zone (the default)",
                      crs);
    } else {
        PJ *cs = proj_crs_get_coordinate_system(s->pc, base);
        double f = 0;
        const char *unit = NULL;
        if (cs && proj_cs_get_axis_info(s->pc, cs, 0, NULL, NULL, NULL, &f, &unit, NULL, NULL) &&
            fabs(f - 1.0) > 1e-9)
            st = dm__fail(ctx, DM_EPROJ, "'%.200s' counts in %s, not metres: a grid needs metres",
                          crs, unit ? unit : "another unit");
        proj_destroy(cs);
    }
    if (!st && norm) {
        const char *auth = proj_get_id_auth_name(p, 0), *code = proj_get_id_code(p, 0);
        if (auth && code)
            snprintf(norm, norm_size, "%s:%s", auth, code);
        else if (strlen(crs) < norm_size)
            snprintf(norm, norm_size, "%s", crs);
        else
            st = dm__fail(ctx, DM_EPROJ,
                          "the CRS '%.60s...' has no EPSG code and a definition too long to keep: "
                          "give it as EPSG:n or a PROJ string of under %zu characters",
                          crs, norm_size);
    }
    proj_destroy(horiz);
    proj_destroy(p);
    return st;
}

void dm_transform_free(dm_transform *t)
{
    if (!t)
        return;
    proj_destroy(t->pj);
    free(t);
}

dm_status dm_transform_xy(dm_transform *t, double *x, double *y, size_t n)
{
    if (n == 0)
        return DM_OK;
    proj_trans_generic(t->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return dm__fail(t->ctx, DM_EPROJ, "coordinate %zu cannot be transformed", i + 1);
    return DM_OK;
}

static int transform_cb(double *x, double *y, void *user)
{
    dm_transform *t = user;
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    c = proj_trans(t->pj, PJ_FWD, c);
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
        return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

dm_status dm_geom_transform(dm_ctx *ctx, dm_transform *t, const dm_geom *g, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSGeometry *r = GEOSGeom_transformXY_r(h, g->g, transform_cb, t);
    if (!r)
        return dm__fail(ctx, DM_EPROJ, "geometry cannot be transformed (coordinates out of range)");
    return dm__geom_wrap(ctx, r, out);
}

int dm_utm_epsg(double lon, double lat)
{
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone < 1)
        zone = 1;
    if (zone > 60)
        zone = 60;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

static dm_transform *utm_transform(dm_ctx *ctx, int epsg)
{
    proj_slot *s = proj_get(ctx);
    if (!s)
        return NULL;
    for (int i = 0; i < UTM_CACHE; i++)
        if (s->utm[i] && s->utm_epsg[i] == epsg)
            return s->utm[i];
    char to[32];
    snprintf(to, sizeof to, "EPSG:%d", epsg);
    dm_transform *t = NULL;
    if (dm_transform_new(ctx, "EPSG:4326", to, &t) != DM_OK)
        return NULL;
    int k = s->utm_next++ % UTM_CACHE;
    if (s->utm[k]) {
        proj_destroy(s->utm[k]->pj);
        free(s->utm[k]);
    }
    s->utm[k] = t;
    s->utm_epsg[k] = epsg;
    return t;
}

static dm_status metric(dm_ctx *ctx, const dm_geom *g, int want_area, double *v)
{
    *v = 0;
    if (dm_geom_is_empty(g))
        return DM_OK;
    double b[4];
    dm_geom_bounds(g, b);
    if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90)
        return dm__fail(ctx, DM_EPROJ, "coordinates outside WGS 84 range");
    dm_transform *t = utm_transform(ctx, dm_utm_epsg((b[0] + b[2]) / 2, (b[1] + b[3]) / 2));
    if (!t)
        return dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_EPROJ;
    dm_geom *u = NULL;
    dm_status st = dm_geom_transform(ctx, t, g, &u);
    if (st)
        return st;
    *v = want_area ? dm_geom_area(u) / 10000.0 : dm_geom_length(u);
    dm_geom_free(u);
    return DM_OK;
}

dm_status dm_geom_area_ha(dm_ctx *ctx, const dm_geom *g, double *ha) { return metric(ctx, g, 1, ha); }
dm_status dm_geom_length_m(dm_ctx *ctx, const dm_geom *g, double *m) { return metric(ctx, g, 0, m); }

double dm_haversine_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(fmin(1.0, sqrt(a)));
}
