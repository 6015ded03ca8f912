/* SPDX-License-Identifier: MIT
 *
 * plan_store.c -- the planner's link with the database: gathering open
 * hazards with their risk and the value criteria (accidents, settlements and
 * people waiting to return, houses, roads, infrastructure, farm land near
 * each hazard, found through a grid index in local metres), writing the plan
 * to the plan_tasks layer, and scoring routes against the demo truth.
 */
#include "core/dm_internal.h"
#include "district/district_internal.h"
#include "plan/plan_internal.h"
#include "report/report_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_ACC = 1, K_SETTLE = 2, K_HOUSE = 4, K_ROAD = 8, K_INFRA = 16, K_FARM = 32 };

typedef struct vpt {
    double x, y;  /* local metres */
    unsigned kind;
    size_t feat;  /* feature (or accident) number, for counting each once */
    double pop, ret;
} vpt;

typedef struct pts {
    vpt *v;
    size_t n, cap;
    size_t n_feat;
} pts;

typedef struct grid {
    double x0, y0, cell;
    long nx, ny;
    size_t *start; /* nx*ny+1 */
    size_t *idx;
} grid;

static double g_kx, g_ky; /* metres per degree (set per gather) */

static int pts_add(dm_ctx *ctx, pts *p, double lon, double lat, unsigned kind, double pop, double ret)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 4096;
        vpt *nv = dm_realloc(ctx, p->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        p->v = nv;
        p->cap = nc;
    }
    vpt *v = &p->v[p->n++];
    v->x = lon * g_kx;
    v->y = lat * g_ky;
    v->kind = kind;
    v->feat = p->n_feat;
    v->pop = pop;
    v->ret = ret;
    return 0;
}

/* Add the vertices of g (lines densified every 50 m) as points of kind. */
static int pts_add_geom(dm_ctx *ctx, pts *p, const dm_geom *g, unsigned kind, double pop, double ret)
{
    dm_coords c;
    if (dm_geom_coords(ctx, g, &c))
        return -1;
    int rc = 0;
    for (size_t part = 0; part < c.n_parts && !rc; part++) {
        for (size_t k = c.start[part]; k < c.start[part + 1] && !rc; k++) {
            double lon = c.xy[2 * k], lat = c.xy[2 * k + 1];
            rc = pts_add(ctx, p, lon, lat, kind, pop, ret);
            if (k + 1 < c.start[part + 1]) {
                double lon2 = c.xy[2 * k + 2], lat2 = c.xy[2 * k + 3];
                double dx = (lon2 - lon) * g_kx, dy = (lat2 - lat) * g_ky;
                int steps = (int)(sqrt(dx * dx + dy * dy) / 50.0);
                if (steps > 10000)
                    steps = 10000;
                for (int s = 1; s <= steps && !rc; s++) {
                    double f = (double)s / (steps + 1);
                    rc = pts_add(ctx, p, lon + f * (lon2 - lon), lat + f * (lat2 - lat), kind, pop,
                                 ret);
                }
            }
        }
    }
    dm_coords_free(ctx, &c);
    p->n_feat++;
    return rc;
}

static void grid_free(dm_ctx *ctx, grid *g)
{
    dm_free(ctx, g->start);
    dm_free(ctx, g->idx);
}

static int grid_build(dm_ctx *ctx, grid *g, const pts *p, double cell)
{
    memset(g, 0, sizeof *g);
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!i || p->v[i].x < minx)
            minx = p->v[i].x;
        if (!i || p->v[i].y < miny)
            miny = p->v[i].y;
        if (!i || p->v[i].x > maxx)
            maxx = p->v[i].x;
        if (!i || p->v[i].y > maxy)
            maxy = p->v[i].y;
    }
    if (cell < 1)
        cell = 1;
    while ((maxx - minx) / cell * ((maxy - miny) / cell) > 4e6)
        cell *= 2;
    g->x0 = minx;
    g->y0 = miny;
    g->cell = cell;
    g->nx = (long)((maxx - minx) / cell) + 1;
    g->ny = (long)((maxy - miny) / cell) + 1;
    size_t nc = (size_t)(g->nx * g->ny);
    g->start = dm_calloc(ctx, nc + 1, sizeof *g->start);
    g->idx = dm_calloc(ctx, p->n ? p->n : 1, sizeof *g->idx);
    if (!g->start || !g->idx)
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        long cx = (long)((p->v[i].x - g->x0) / cell), cy = (long)((p->v[i].y - g->y0) / cell);
        g->start[cy * g->nx + cx + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = dm_calloc(ctx, nc + 1, sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, g->start, (nc + 1) * sizeof *fill);
    for (size_t i = 0; i < p->n; i++) {
        long cx = (long)((p->v[i].x - g->x0) / cell), cy = (long)((p->v[i].y - g->y0) / cell);
        g->idx[fill[cy * g->nx + cx]++] = i;
    }
    dm_free(ctx, fill);
    return 0;
}

static double box_dist(double x, double y, const double b[4])
{
    double dx = x < b[0] ? b[0] - x : x > b[2] ? x - b[2] : 0;
    double dy = y < b[1] ? b[1] - y : y > b[3] ? y - b[3] : 0;
    return sqrt(dx * dx + dy * dy);
}

/* A number field of a hazard: NAN when empty; -1 (and an error naming the
 * hazard and field) when it holds text that is no number or a negative one. */
static int hazard_real(dm_ctx *ctx, dm_cursor *c, const dm_plan_hazard *hz, const char *field,
                       double *out)
{
    *out = NAN;
    const char *t = dm_cursor_text(c, field);
    if (!t)
        return 0;
    char *end = NULL;
    double v = strtod(t, &end);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (!*t || !end || *end || !isfinite(v)) {
        dm__fail(ctx, DM_EPARSE, "hazard %s: field '%s': '%s' is not a number",
                 hz->ref[0] ? hz->ref : hz->uuid, field, t);
        return -1;
    }
    v = dm_cursor_real(c, field, v);
    if (v < 0) {
        dm__fail(ctx, DM_EPARSE, "hazard %s: field '%s': %g must be >= 0",
                 hz->ref[0] ? hz->ref : hz->uuid, field, v);
        return -1;
    }
    *out = v;
    return 0;
}

/* The last risk map calibrated on nothing (no cleared land, no checked
 * spots: dm_risk_update's "risk_calibration"): its p_contam rank the
 * hazards but are no odds, and the routes read them as odds against
 * p_cancel and p_clear; said. */
static void warn_uncalibrated(dm_store *s)
{
    dm_ctx *ctx = dm_store_ctx(s);
    char *txt = NULL;
    if (dm_store_meta_get(s, "risk_calibration", &txt) != DM_OK || !txt) {
        dm_free(ctx, txt);
        return;
    }
    json_error_t err;
    json_t *j = json_loads(txt, 0, &err);
    json_t *zones = json_object_get(j, "zones"), *spots = json_object_get(j, "spots");
    if (json_is_integer(zones) && !json_integer_value(zones) && json_is_integer(spots) && !json_integer_value(spots))
        dm__log(ctx, DM_LOG_WARN,
                "%s: the risk map was not calibrated (no land cleared by a method that finds most items, no "
                "checked spots): its p_contam rank the hazards but run low, so the routes, which compare "
                "them with p_cancel and p_clear, lean to cancellation (never of a CHA); import cleared land "
                "and map again, or plan with --prior%s",
                dm_store_path(s),
                json_integer_value(json_object_get(j, "no_method")) > 0
                    ? " (some cleared land has no method recorded: `demine risk map` names it)"
                    : "");
    json_decref(j);
    dm_free(ctx, txt);
}

typedef struct {
    const char *uuid;
    size_t i;
} uuid_index;

static int by_uuid(const void *a, const void *b)
{
    return strcmp(((const uuid_index *)a)->uuid, ((const uuid_index *)b)->uuid);
}

/* Each hazard's finds: the items that name it (hazard_id), and those
 * naming none that lie in its polygon (geoms[i], NULL when it has none). */
static dm_status count_finds(dm_store *s, dm_plan_hazard *h, dm_geom *const *geoms, size_t n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (!n)
        return DM_OK;
    uuid_index *ix = dm_malloc(ctx, n * sizeof *ix);
    if (!ix)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ix[i].uuid = h[i].uuid, ix[i].i = i;
    qsort(ix, n, sizeof *ix, by_uuid);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "items", NULL, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) > 0) {
        double q = dm_cursor_real(c, "quantity", 1);
        q = q >= 1 ? q : 1;
        const char *hid = dm_cursor_text(c, "hazard_id");
        if (hid) {
            uuid_index key = {hid, 0};
            const uuid_index *f = bsearch(&key, ix, n, sizeof *ix, by_uuid);
            if (f)
                h[f->i].finds += q;
            continue;
        }
        dm_geom *pt = NULL;
        double x, y;
        if (dm_cursor_geom(c, &pt) || !pt || !dm_geom_centroid_xy(pt, &x, &y)) {
            dm_geom_free(pt);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (geoms[i] && x >= h[i].bbox[0] && x <= h[i].bbox[2] && y >= h[i].bbox[1] && y <= h[i].bbox[3] &&
                dm_geom_intersects(geoms[i], pt))
                h[i].finds += q;
        dm_geom_free(pt);
    }
    if (!st && rc < 0)
        st = dm__wrap(ctx, "%s: items", dm_store_path(s));
    dm_cursor_free(c);
    dm_free(ctx, ix);
    return st;
}

/* Open hazards without remaining_area_ha (norem) that land was released
 * from (reviewed release areas naming them: imported after the hazard)
 * have their estimate less that land left, as the statistics count it
 * (dm_hazards_released);
 * those left with none are taken out of the list (*n), counted with the
 * hazards of no area left (*n_empty, the first named in first_empty). */
static dm_status subtract_released(dm_store *s, dm_plan_hazard *h, dm_geom **geoms, const unsigned char *norem,
                                   const double *est, size_t *n, size_t *n_empty, char *first_empty,
                                   size_t first_len)
{
    dm_ctx *ctx = dm_store_ctx(s);
    size_t nh = *n, any = 0;
    for (size_t i = 0; i < nh; i++)
        any += norem[i] || isfinite(est[i]);
    if (!any)
        return DM_OK;
    dm_hazard_released *released = NULL;
    size_t n_released = 0;
    dm_status st = dm_hazards_released(s, &released, &n_released);
    double *rel = st ? NULL : dm_calloc(ctx, nh, sizeof *rel);
    if (!st && !rel)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    /* a remaining area recorded before the land released from it (an
     * IMSMA export whose Remaining Area was never brought up to date):
     * remaining and released add up to more than the estimate. The plan
     * takes the remaining area as recorded, and says so (check names each:
     * remaining_stale) */
    size_t n_stale = 0;
    char first_stale[DM_PLAN_NAME_MAX + 120] = "";
    for (size_t i = 0; !st && i < nh; i++) {
        const dm_hazard_released *f = dm_hazard_released_find(released, n_released, h[i].uuid);
        if (f && f->ha > 0 && norem[i])
            rel[i] = f->ha;
        else if (f && f->ha >= 0.01 && isfinite(est[i]) && h[i].area_ha + f->ha > est[i] * 1.01 + 0.01 &&
                 !n_stale++)
            snprintf(first_stale, sizeof first_stale, "%s: %.2f ha remaining + %.2f ha released > %.2f ha estimated",
                     h[i].ref[0] ? h[i].ref : h[i].uuid, h[i].area_ha, f->ha, est[i]);
    }
    dm_free(ctx, released);
    if (n_stale)
        dm__log(ctx, DM_LOG_WARN,
                "%s: %zu open hazard%s whose remaining_area_ha and the land released from %s add up to more than "
                "%s estimate (the first, %s): a remaining area recorded before the release? The plan takes "
                "remaining_area_ha as recorded; `demine check DB` names each (remaining_stale) with the value to set",
                dm_store_path(s), n_stale, n_stale == 1 ? "" : "s", n_stale == 1 ? "it" : "them",
                n_stale == 1 ? "its" : "their", first_stale);
    size_t k = 0;
    for (size_t i = 0; !st && i < nh; i++) {
        double left = h[i].area_ha - rel[i];
        if (rel[i] > 0 && !(left > 0.005)) {
            if (!(*n_empty)++)
                dm__strlcpy(first_empty, h[i].ref[0] ? h[i].ref : h[i].uuid, first_len);
            dm_geom_free(geoms[i]);
            continue;
        }
        if (rel[i] > 0) /* its expected items stay: the map already holds searched land cleaner */
            h[i].area_ha = left;
        if (k != i) {
            h[k] = h[i];
            geoms[k] = geoms[i];
        }
        k++;
    }
    if (!st)
        *n = k;
    dm_free(ctx, rel);
    return st;
}

/* Items per hectare of a contaminated hazard under the prior. */
static double prior_density(const dm_plan_hazard *h) { return !strcmp(h->type, "CHA") ? 2.0 : 0.3; }

/* A prior when no risk map exists (docs/plan.md). */
static void prior_of(dm_plan_hazard *h, const char *cls, double reliability)
{
    double p = !strcmp(h->type, "CHA") ? 0.8 : 0.25;
    if (cls) {
        if (!strcmp(cls, "M1"))
            p = 0.95;
        else if (!strcmp(cls, "M2"))
            p = 0.8;
        else if (!strcmp(cls, "M3"))
            p = 0.5;
        else if (!strcmp(cls, "M4"))
            p = 0.2;
    }
    if (reliability >= 1 && reliability <= 6)
        p *= 1.1 - 0.1 * reliability; /* 1.0 for the best information, 0.5 for the worst */
    h->p = p;
    h->items = p * prior_density(h) * h->area_ha;
}

dm_status dm_plan_gather(dm_store *s, const dm_plan_config *cfg, int use_prior,
                         dm_plan_hazard **out, size_t *n_out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    *n_out = 0;
    dm_plan_hazard *h = NULL;
    dm_geom **hgeom = NULL; /* each hazard's polygon, for the finds in it */
    unsigned char *norem = NULL; /* each hazard's remaining_area_ha empty */
    double *estv = NULL;         /* each hazard's est_area_ha (NAN: none) */
    size_t n = 0, cap = 0, n_risk = 0, first_missing = (size_t)-1, n_empty = 0, n_noarea = 0;
    char first_empty[DM_PLAN_NAME_MAX] = "", first_noarea[DM_PLAN_NAME_MAX] = "";
    pts p;
    memset(&p, 0, sizeof p);
    grid gr;
    memset(&gr, 0, sizeof gr);
    unsigned *stamp = NULL;
    size_t *stamp_h = NULL;
    dm_district_polys *polys = NULL;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) > 0) {
        const char *status = dm_cursor_text(c, "status");
        if (status && strcmp(status, "open") && strcmp(status, "partly_released"))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            dm_plan_hazard *nh = dm_realloc(ctx, h, nc * sizeof *nh);
            if (!nh) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto out;
            }
            h = nh;
            dm_geom **ng = dm_realloc(ctx, hgeom, nc * sizeof *ng);
            if (!ng) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto out;
            }
            hgeom = ng;
            unsigned char *nr = dm_realloc(ctx, norem, nc);
            if (!nr) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto out;
            }
            norem = nr;
            double *ne = dm_realloc(ctx, estv, nc * sizeof *ne);
            if (!ne) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto out;
            }
            estv = ne;
            cap = nc;
        }
        hgeom[n] = NULL;
        dm_plan_hazard *hz = &h[n];
        memset(hz, 0, sizeof *hz);
        dm__strlcpy(hz->uuid, dm_cursor_uuid(c), sizeof hz->uuid);
        const char *v = dm_cursor_text(c, "ref");
        dm__plan_text(hz->ref, sizeof hz->ref, v); /* cut on a character */
        v = dm_cursor_text(c, "hazard_type");
        dm__strlcpy(hz->type, v ? v : "SHA", sizeof hz->type);
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            goto out;
        /* its district as the table by district has it: its field, else
         * the district polygon that holds it (read once, when a hazard
         * first has no field) */
        v = dm_cursor_text(c, "district");
        if ((!v || !*v) && g && !polys && (st = dm__district_polys_load(s, &polys))) {
            dm_geom_free(g);
            goto out;
        }
        dm__plan_text(hz->district, sizeof hz->district, dm__district_of(polys, v, g));
        double area = NAN, est = NAN, pc = NAN, ei = NAN;
        if (hazard_real(ctx, c, hz, "remaining_area_ha", &area) ||
            (isnan(area) && hazard_real(ctx, c, hz, "est_area_ha", &est)) ||
            hazard_real(ctx, c, hz, "p_contam", &pc) ||
            hazard_real(ctx, c, hz, "expected_items", &ei)) {
            dm_geom_free(g);
            st = dm__wrap(ctx, "%s", dm_store_path(s));
            goto out;
        }
        norem[n] = isnan(area);
        estv[n] = isnan(area) ? est : dm_cursor_real(c, "est_area_ha", NAN);
        if (isnan(area))
            area = est;
        /* no area recorded at all (neither field, no polygon): unknown, not
         * zero, and said so apart */
        int recorded = !isnan(area);
        if (isnan(area) && (!g || dm_geom_area_ha(ctx, g, &area)))
            area = 0;
        hz->area_ha = area >= 0 ? area : 0;
        if (!recorded && !(hz->area_ha > 0)) {
            if (!n_noarea++)
                dm__strlcpy(first_noarea, hz->ref[0] ? hz->ref : hz->uuid, sizeof first_noarea);
            dm_geom_free(g);
            continue;
        }
        if (!(hz->area_ha > 0)) {
            /* nothing left to release: costing its items and counting it as
             * high-risk land with no task to do would not add up */
            if (!n_empty++)
                dm__strlcpy(first_empty, hz->ref[0] ? hz->ref : hz->uuid, sizeof first_empty);
            dm_geom_free(g);
            continue;
        }
        if (g) {
            dm_geom_bounds(g, hz->bbox);
            if (!dm_geom_centroid_xy(g, &hz->lon, &hz->lat)) {
                hz->lon = (hz->bbox[0] + hz->bbox[2]) / 2;
                hz->lat = (hz->bbox[1] + hz->bbox[3]) / 2;
            }
            hgeom[n] = g;
        }
        if (!isnan(pc) && !isnan(ei)) {
            hz->p = pc;
            hz->items = ei;
            n_risk++;
        } else if (use_prior) {
            prior_of(hz, dm_cursor_text(c, "classification"), dm_cursor_real(c, "reliability", 0));
            hz->finds = -1; /* marks the prior's hazards until the finds are counted, below */
        } else if (first_missing == (size_t)-1) {
            first_missing = n;
        }
        n++;
    }
    dm_cursor_free(c);
    c = NULL;
    if (rc < 0) {
        st = dm_ctx_errcode(ctx);
        goto out;
    }
    {
        char missing_uuid[37] = "";
        if (first_missing != (size_t)-1)
            dm__strlcpy(missing_uuid, h[first_missing].uuid, sizeof missing_uuid);
        if ((st = subtract_released(s, h, hgeom, norem, estv, &n, &n_empty, first_empty, sizeof first_empty)))
            goto out;
        first_missing = (size_t)-1;
        for (size_t i = 0; missing_uuid[0] && i < n && first_missing == (size_t)-1; i++)
            if (!strcmp(h[i].uuid, missing_uuid))
                first_missing = i;
    }
    {
        /* the prior's hazards: their expected items follow the land left
         * (released land taken off above), as the prior counts them by the
         * hectare; said when the prior fills some hazards only, or none */
        size_t n_prior = 0;
        const char *first_prior = NULL;
        for (size_t i = 0; i < n; i++)
            if (h[i].finds < 0) {
                h[i].finds = 0;
                h[i].items = h[i].p * prior_density(&h[i]) * h[i].area_ha;
                if (!n_prior++)
                    first_prior = h[i].ref[0] ? h[i].ref : h[i].uuid;
            }
        if (use_prior && n > 0 && n_prior == 0)
            dm__log(ctx, DM_LOG_WARN,
                    "%s: --prior: every open hazard has p_contam and expected_items from the risk map, which the "
                    "plan uses: the prior is for hazards without them",
                    dm_store_path(s));
        else if (use_prior && n_prior < n)
            dm__log(ctx, DM_LOG_WARN,
                    "%s: --prior: %zu of %zu open hazards have no p_contam/expected_items from the risk map and "
                    "take the prior (the first: %s); the other%s %s the map's",
                    dm_store_path(s), n_prior, n, first_prior, n - n_prior == 1 ? "" : "s",
                    n - n_prior == 1 ? "keeps" : "keep");
    }
    if (n_empty)
        dm__log(ctx, DM_LOG_WARN,
                "%s: %zu open hazard(s) with no area left to release (the first: %s) are left "
                "out of the plan: close them (demine status DB REF closed) or correct "
                "remaining_area_ha",
                dm_store_path(s), n_empty, first_empty);
    if (n_noarea)
        dm__log(ctx, DM_LOG_WARN,
                "%s: %zu open hazard(s) with no area recorded (no remaining_area_ha, est_area_ha or "
                "polygon; the first: %s) are left out of the plan and its costs: record their area",
                dm_store_path(s), n_noarea, first_noarea);
    if (n > 0 && n_risk == 0 && !use_prior) {
        st = dm__fail(ctx, DM_ENOTFOUND,
                      "%s: no risk map yet: run demine risk map DB first (or plan with --prior)",
                      dm_store_path(s));
        goto out;
    }
    if (n > 0 && !use_prior)
        warn_uncalibrated(s);
    if (first_missing != (size_t)-1) {
        st = dm__fail(ctx, DM_ENOTFOUND,
                      "%s: hazard %s has no p_contam/expected_items: rerun demine risk map DB "
                      "(or plan with --prior)",
                      dm_store_path(s), h[first_missing].ref[0] ? h[first_missing].ref : h[first_missing].uuid);
        goto out;
    }

    if ((st = count_finds(s, h, hgeom, n)))
        goto out;

    /* value criteria */
    double lat0 = 0;
    for (size_t i = 0; i < n; i++)
        lat0 += h[i].lat / (double)n;
    g_ky = 110540.0;
    g_kx = 111320.0 * cos(lat0 * 3.141592653589793 / 180);
    st = dm_store_select(s, "features", NULL, &c);
    if (st)
        goto out;
    while ((rc = dm_cursor_next(c)) > 0) {
        const char *cls = dm_cursor_text(c, "class");
        unsigned kind = 0;
        if (!cls)
            continue;
        if (!strcmp(cls, "settlement"))
            kind = K_SETTLE;
        else if (!strcmp(cls, "house") || !strcmp(cls, "building"))
            kind = K_HOUSE;
        else if (!strcmp(cls, "road") || !strcmp(cls, "track"))
            kind = K_ROAD;
        else if (!strcmp(cls, "bridge"))
            kind = K_ROAD | K_INFRA;
        else if (!strcmp(cls, "school") || !strcmp(cls, "infrastructure") || !strcmp(cls, "canal"))
            kind = K_INFRA;
        else if (!strcmp(cls, "irrigation"))
            kind = K_INFRA | K_FARM;
        else if (!strcmp(cls, "farmland") || !strcmp(cls, "pasture"))
            kind = K_FARM;
        if (!kind)
            continue;
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        int e = pts_add_geom(ctx, &p, g, kind, dm_cursor_real(c, "population", 0),
                             dm_cursor_real(c, "returning", 0));
        dm_geom_free(g);
        if (e) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto out;
        }
    }
    dm_cursor_free(c);
    c = NULL;
    st = dm_store_select(s, "accidents", NULL, &c);
    if (st)
        goto out;
    while ((rc = dm_cursor_next(c)) > 0) {
        const char *dem = dm_cursor_text(c, "demining");
        if (dem && !strcmp(dem, "1"))
            continue; /* the criterion is civilian casualties */
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        int e = pts_add_geom(ctx, &p, g, K_ACC, 0, 0);
        dm_geom_free(g);
        if (e) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto out;
        }
    }
    dm_cursor_free(c);
    c = NULL;

    double dmax = cfg->dist_accident_m;
    double dk[6] = {cfg->dist_accident_m, cfg->dist_settlement_m, cfg->dist_house_m,
                    cfg->dist_road_m,     cfg->dist_infra_m,      cfg->dist_farm_m};
    for (int k = 0; k < 6; k++)
        if (dk[k] > dmax)
            dmax = dk[k];
    if (p.n && n) {
        if (grid_build(ctx, &gr, &p, dmax > 100 ? dmax : 100)) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto out;
        }
        stamp = dm_calloc(ctx, p.n_feat, sizeof *stamp);
        stamp_h = dm_calloc(ctx, p.n_feat, sizeof *stamp_h);
        if (!stamp || !stamp_h) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            dm_plan_hazard *hz = &h[i];
            double b[4] = {hz->bbox[0] * g_kx, hz->bbox[1] * g_ky, hz->bbox[2] * g_kx,
                           hz->bbox[3] * g_ky};
            long cx0 = (long)floor((b[0] - dmax - gr.x0) / gr.cell),
                 cx1 = (long)floor((b[2] + dmax - gr.x0) / gr.cell);
            long cy0 = (long)floor((b[1] - dmax - gr.y0) / gr.cell),
                 cy1 = (long)floor((b[3] + dmax - gr.y0) / gr.cell);
            if (cx0 < 0)
                cx0 = 0;
            if (cy0 < 0)
                cy0 = 0;
            if (cx1 >= gr.nx)
                cx1 = gr.nx - 1;
            if (cy1 >= gr.ny)
                cy1 = gr.ny - 1;
            for (long cy = cy0; cy <= cy1; cy++)
                for (long cx = cx0; cx <= cx1; cx++) {
                    size_t cell = (size_t)(cy * gr.nx + cx);
                    for (size_t q = gr.start[cell]; q < gr.start[cell + 1]; q++) {
                        const vpt *v = &p.v[gr.idx[q]];
                        double d = box_dist(v->x, v->y, b);
                        if (d > dmax)
                            continue;
                        if (stamp_h[v->feat] != i + 1) {
                            stamp_h[v->feat] = i + 1;
                            stamp[v->feat] = 0;
                        }
                        for (int k = 0; k < 6; k++) {
                            unsigned bit = 1u << k;
                            if (!(v->kind & bit) || (stamp[v->feat] & bit) || d > dk[k])
                                continue;
                            stamp[v->feat] |= bit;
                            switch (bit) {
                            case K_ACC: hz->accidents += 1; break;
                            case K_SETTLE:
                                hz->population += v->pop;
                                hz->returning += v->ret;
                                break;
                            case K_HOUSE: hz->houses += 1; break;
                            case K_ROAD: hz->roads += 1; break;
                            case K_INFRA: hz->infra += 1; break;
                            default: hz->farm += 1; break;
                            }
                        }
                    }
                }
        }
    }
    st = DM_OK;
out:
    dm__district_polys_free(polys);
    for (size_t i = 0; i < n; i++)
        dm_geom_free(hgeom[i]);
    dm_free(ctx, hgeom);
    dm_free(ctx, norem);
    dm_free(ctx, estv);
    dm_cursor_free(c);
    grid_free(ctx, &gr);
    dm_free(ctx, p.v);
    dm_free(ctx, stamp);
    dm_free(ctx, stamp_h);
    if (st) {
        dm_free(ctx, h);
        return st;
    }
    *out = h;
    *n_out = n;
    return DM_OK;
}

/* ---- the hazards of some districts -------------------------------------- */

/* How the database writes the district name (any case) into out (n bytes):
 * the name of a row of layer districts, else the district of an open
 * hazard of h, else a hazard's field district (whatever its status). 1 when
 * found, 0 when nothing has that name, -1 on error (message in ctx). */
static int district_known(dm_store *s, const dm_plan_hazard *h, size_t nh, const char *name, char *out, size_t n)
{
    static const char *const where[2][2] = {{"districts", "name"}, {"hazards", "district"}};
    for (int w = 0; w < 2; w++) {
        if (w == 1) /* the open hazards first: read already */
            for (size_t i = 0; i < nh; i++)
                if (!dm__strcasecmp(h[i].district, name)) {
                    dm__plan_text(out, n, h[i].district);
                    return 1;
                }
        dm_cursor *c = NULL;
        if (dm_store_select(s, where[w][0], NULL, &c))
            return -1;
        int rc, found = 0;
        while (!found && (rc = dm_cursor_next(c)) == 1) {
            const char *v = dm_cursor_text(c, where[w][1]);
            if (v && *v && !dm__strcasecmp(v, name)) {
                dm__plan_text(out, n, v);
                found = 1;
            }
        }
        dm_cursor_free(c);
        if (found)
            return 1;
        if (rc < 0)
            return -1;
    }
    return 0;
}

dm_status dm_plan_select_districts(dm_store *s, dm_plan_hazard *h, size_t *n, const char *const *names,
                                   size_t n_names, int exclude, char *scope, size_t scope_n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    const char *opt = exclude ? "--exclude-district" : "--district";
    const char *db = dm_store_path(s);
    if (!n_names)
        return dm__fail(ctx, DM_EINVAL, "%s needs a district's name", opt);
    char(*canon)[DM_PLAN_NAME_MAX] = dm_calloc(ctx, n_names, sizeof *canon);
    if (!canon)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    /* each name a district of the database: a polygon's or a hazard's */
    for (size_t k = 0; k < n_names && !st; k++) {
        int known = district_known(s, h, *n, names[k], canon[k], sizeof canon[k]);
        if (known < 0)
            st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
        else if (!known) {
            char in_d[800], in_h[800];
            dm__rep_known_names(s, "districts", "name", NULL, in_d, sizeof in_d);
            dm__rep_known_names(s, "hazards", "district", NULL, in_h, sizeof in_h);
            st = dm__fail(ctx, DM_ENOTFOUND,
                          "%s: %s '%s': no district '%s' in layer districts (field name) nor in layer hazards "
                          "(field district); known: in districts %s; in hazards %s",
                          db, opt, names[k], names[k], in_d, in_h);
        }
    }
    /* the districts of the report: a hazard's field, else its polygon's */
    const rep_scope sc = {names, n_names, exclude};
    /* a district named to plan alone: some open hazard is in it */
    for (size_t k = 0; k < n_names && !st && !exclude; k++) {
        const rep_scope one = {&names[k], 1, 0};
        int any = 0;
        for (size_t i = 0; i < *n && !any; i++)
            any = dm__rep_in_scope(&one, h[i].district);
        if (any)
            continue;
        /* the districts of the open hazards, each once, up to ten */
        char theirs[768] = "";
        size_t len = 0, shown = 0, all = 0;
        for (size_t i = 0; i < *n; i++) {
            int seen = 0;
            for (size_t q = 0; q < i && !seen; q++)
                seen = !dm__strcasecmp(h[q].district, h[i].district);
            if (seen)
                continue;
            all++;
            if (shown < 10 && len < sizeof theirs) {
                len += (size_t)snprintf(theirs + len, sizeof theirs - len, "%s%s", shown ? ", " : "",
                                        h[i].district[0] ? h[i].district : "(no district)");
                shown++;
            }
        }
        st = dm__fail(ctx, DM_ENOTFOUND,
                      "%s: %s '%s': no open hazard is in the district %s (a hazard's district is its field "
                      "district, else the district polygon that holds it)%s%s%s",
                      db, opt, names[k], canon[k], *n ? "; the open hazards are in " : "; no hazard is open",
                      theirs, all > shown ? ", ..." : "");
    }
    size_t kept = 0;
    for (size_t i = 0; i < *n && !st; i++)
        kept += (size_t)dm__rep_in_scope(&sc, h[i].district);
    if (!st && !kept)
        st = dm__fail(ctx, DM_EINVAL, "%s: %s leaves none of the %zu open hazards to plan", db, opt, *n);
    if (!st) {
        size_t k = 0;
        for (size_t i = 0; i < *n; i++)
            if (dm__rep_in_scope(&sc, h[i].district)) {
                if (k != i)
                    h[k] = h[i];
                k++;
            }
        *n = k;
        /* "the district A", "the districts A, B", "every district but A",
         * each once as the database writes it */
        char list[1024] = "", buf[1100];
        size_t o = 0, distinct = 0;
        for (size_t q = 0; q < n_names; q++) {
            int seen = 0;
            for (size_t p = 0; p < q && !seen; p++)
                seen = !dm__strcasecmp(canon[p], canon[q]);
            if (!seen && o < sizeof list) {
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", distinct ? ", " : "", canon[q]);
                distinct++;
            }
        }
        snprintf(buf, sizeof buf, "%s%s",
                 exclude ? "every district but " : distinct == 1 ? "the district " : "the districts ", list);
        dm__plan_text(scope, scope_n, buf); /* many names: cut on a character */
    }
    dm_free(ctx, canon);
    return st;
}

/* ---- writing ----------------------------------------------------------- */

static dm_status clear_layer(dm_store *s, const char *layer)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, NULL, &c);
    if (st)
        return st;
    char (*ids)[37] = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) > 0) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            void *ni = dm_realloc(ctx, ids, nc * sizeof *ids);
            if (!ni) {
                dm_cursor_free(c);
                dm_free(ctx, ids);
                return dm__fail(ctx, DM_ENOMEM, "out of memory");
            }
            ids = ni;
            cap = nc;
        }
        dm__strlcpy(ids[n++], dm_cursor_uuid(c), 37);
    }
    dm_cursor_free(c);
    if (rc < 0) {
        dm_free(ctx, ids);
        return dm_ctx_errcode(ctx);
    }
    for (size_t i = 0; i < n && !st; i++)
        st = dm_store_delete(s, layer, ids[i], "replaced by a new plan");
    dm_free(ctx, ids);
    return st;
}

static dm_status put_task(dm_row *row, const dm_plan_hazard *hz, const dm_plan_result *r, size_t i)
{
    dm_status st = dm_row_set(row, "hazard_id", hz->uuid);
    if (!st)
        st = dm_row_set_int(row, "rank", r->rank[i]);
    if (!st)
        st = dm_row_set(row, "route", dm_route_name(r->route[i]));
    if (!st)
        st = dm_row_set_real(row, "value", r->value[i]);
    if (!st)
        st = dm_row_set_real(row, "priority", r->priority[i]);
    if (!st)
        st = dm_row_set_real(row, "p_contam", hz->p);
    if (!st)
        st = dm_row_set_real(row, "expected_items", hz->items);
    return st;
}

dm_status dm_plan_write_store(dm_store *s, const dm_plan_config *cfg, const dm_plan_hazard *h,
                              const dm_plan_team *t, const dm_plan_result *r)
{
    dm_ctx *ctx = dm_store_ctx(s);
    const dm_layer_def *l = dm_layer_find("plan_tasks");
    if (!l)
        return dm__fail(ctx, DM_EINTERNAL, "no plan_tasks layer");
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    st = clear_layer(s, "plan_tasks");
    dm_row *row = dm_row_new(ctx, l);
    if (!row && !st)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t k = 0; k < r->n_tasks && !st; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        dm_row_clear(row);
        st = put_task(row, &h[tk->hazard], r, tk->hazard);
        if (!st)
            st = dm_row_set(row, "stage", dm_route_name((dm_route)tk->stage));
        if (!st)
            st = dm_row_set(row, "team", t[tk->team].name);
        if (!st)
            st = dm_row_set(row, "method", dm_team_kind_name(t[tk->team].kind));
        if (!st)
            st = dm_row_set(row, "start", tk->start);
        if (!st)
            st = dm_row_set(row, "end", tk->end);
        if (!st)
            st = dm_row_set_real(row, "area_ha", tk->area_ha);
        if (!st)
            st = dm_row_set_real(row, "cost_usd", tk->cost_usd);
        if (!st && tk->day_cost_usd >= 0)
            st = dm_row_set_real(row, "day_rate_cost_usd", tk->day_cost_usd);
        if (!st)
            st = dm_store_insert(s, row, NULL);
        if (k % 256 == 0)
            dm__progress(ctx, "plan write", k, r->n_tasks);
    }
    /* the hazards the budget leaves out, by priority as the tasks are */
    size_t *by_rank = st ? NULL : dm__plan_by_rank(ctx, r);
    if (!st && !by_rank)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t k = 0; k < r->n && !st; k++) {
        size_t i = by_rank[k];
        if (r->funded[i])
            continue;
        dm_row_clear(row);
        st = put_task(row, &h[i], r, i);
        if (!st)
            st = dm_row_set(row, "stage", "unfunded");
        if (!st)
            st = dm_row_set_real(row, "area_ha", h[i].area_ha);
        if (!st)
            st = dm_row_set_real(row, "cost_usd", r->cost[i]);
        if (!st)
            st = dm_store_insert(s, row, NULL);
    }
    dm_free(ctx, by_rank);
    dm_row_free(row);
    if (!st) {
        char *js = NULL;
        st = dm_plan_json(ctx, cfg, h, t, r, 0, &js);
        if (!st)
            st = dm_store_meta_set(s, "plan", js);
        dm_free(ctx, js);
    }
    if (st) {
        dm_store_rollback(s);
        return dm__wrap(ctx, "writing the plan");
    }
    return dm_store_commit(s);
}

/* ---- evaluation against the demo truth --------------------------------- */

dm_status dm_plan_evaluate(dm_store *s, const dm_plan_hazard *h, const dm_plan_result *r,
                           dm_plan_eval *out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->n; i++) {
        out->area_ha += h[i].area_ha;
        if (r->route[i] == DM_ROUTE_CLEAR)
            out->clear_ha += h[i].area_ha;
        else if (r->route[i] == DM_ROUTE_REDUCE)
            out->reduce_ha += h[i].area_ha;
        else
            out->cancel_ha += h[i].area_ha;
    }
    out->clear_area_share = out->area_ha > 0 ? out->clear_ha / out->area_ha : 0;
    long nt = 0;
    dm_status st = dm_store_count(s, "truth_items", NULL, &nt);
    if (st)
        return st;
    if (nt == 0)
        return dm__fail(ctx, DM_ENOTFOUND, "%s: no truth_items (only demo databases have them)",
                        dm_store_path(s));
    /* geometries of the planned hazards, by uuid */
    dm_geom **geo = dm_calloc(ctx, r->n ? r->n : 1, sizeof *geo);
    if (!geo)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_cursor *c = NULL;
    st = dm_store_select(s, "hazards", NULL, &c);
    size_t next = 0;
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) > 0) {
        const char *u = dm_cursor_uuid(c);
        /* hazards were gathered in the same order; skip the closed ones */
        size_t i = next;
        while (i < r->n && strcmp(h[i].uuid, u))
            i++;
        if (i >= r->n)
            continue;
        next = i + 1;
        st = dm_cursor_geom(c, &geo[i]);
    }
    dm_cursor_free(c);
    c = NULL;
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx);
    if (!st)
        st = dm_store_select(s, "truth_items", NULL, &c);
    while (!st && (rc = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        double x = 0, y = 0, b[4];
        dm_geom_bounds(g, b);
        x = b[0];
        y = b[1];
        long in = -1;
        for (size_t i = 0; i < r->n && in < 0; i++) {
            if (!geo[i] || x < h[i].bbox[0] || x > h[i].bbox[2] || y < h[i].bbox[1] ||
                y > h[i].bbox[3])
                continue;
            if (dm_geom_intersects(geo[i], g))
                in = (long)i;
        }
        dm_geom_free(g);
        if (in < 0)
            out->items_outside++;
        else {
            out->items_in_hazards++;
            if (r->route[in] == DM_ROUTE_CANCEL)
                out->items_left++;
            else
                out->items_found++;
        }
    }
    dm_cursor_free(c);
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx);
    for (size_t i = 0; i < r->n; i++)
        dm_geom_free(geo[i]);
    dm_free(ctx, geo);
    out->found_share =
        out->items_in_hazards ? (double)out->items_found / (double)out->items_in_hazards : 0;
    return st;
}
