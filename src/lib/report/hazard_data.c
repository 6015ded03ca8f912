/* SPDX-License-Identifier: MIT
 *
 * hazard_data.c -- gathers, through the store API, what a hazard's
 * completion report shows: the hazard, its release areas counted once
 * (dm_release_count), the land remaining and the turning points of both in
 * degrees and UTM metres, its approved activities and their quality control
 * inspections, the items found, the accidents within 100 m and the status
 * history. A hazard not found is named with the refs close to it.
 */
#include "report/hazard_internal.h"
#include "report/report_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* accidents this near the hazard's polygon are its own, metres */
#define NEAR_M 100.0
/* the outline of the land remaining is simplified to this, metres */
#define SIMPLIFY_M 0.5
/* a part of the land remaining smaller than this is a sliver between
 * polygons drawn apart, not land to mark, square metres */
#define MIN_PART_M2 25.0

static void cpy(char *dst, size_t n, const char *src) { dm__strlcpy(dst, src ? src : "", n); }

/* ---- a hazard not found ---------------------------------------------------- */

static int ci_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 60 || nb > 60 || (na > nb ? na - nb : nb - na) > 3)
        return 9;
    int d[61][61];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int v = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n < 2)
        return 0;
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

/* DM_ENOTFOUND naming id and up to 5 refs of hazards close to it (a letter
 * or two off, or holding it: "0041" for AGD-SHA-0041), else how many
 * hazards there are and some of their refs. */
static dm_status not_found(dm_store *s, const char *id)
{
    dm_ctx *ctx = dm_store_ctx(s);
    /* the 5 closest: refs holding id first, then by letters off, then by ref */
    char best[5][64];
    int score[5], k = 0;
    long n = 0;
    dm_cursor *c = NULL;
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.order_by = "ref";
    if (dm_store_select(s, "hazards", &sel, &c) == DM_OK) {
        while (dm_cursor_next(c) == 1) {
            const char *ref = dm_cursor_text(c, "ref");
            n++;
            if (!ref || !*ref || strlen(ref) >= sizeof best[0])
                continue;
            int sc = ci_contains(ref, id) ? 0 : ci_distance(id, ref);
            if (sc > (strlen(id) > 5 ? 2 : 1))
                continue;
            int at = k < 5 ? k : 5;
            while (at > 0 && score[at - 1] > sc)
                at--;
            if (at >= 5)
                continue;
            for (int j = (k < 5 ? k : 4); j > at; j--)
                score[j] = score[j - 1], memcpy(best[j], best[j - 1], sizeof best[j]);
            score[at] = sc;
            dm__strlcpy(best[at], ref, sizeof best[at]);
            if (k < 5)
                k++;
        }
    }
    dm_cursor_free(c);
    dm_ctx_clear_error(ctx);
    if (k) {
        char near[400] = "";
        size_t o = 0;
        for (int j = 0; j < k && o < sizeof near; j++)
            o += (size_t)snprintf(near + o, sizeof near - o, "%s%s", j ? ", " : "", best[j]);
        return dm__fail(ctx, DM_ENOTFOUND, "no hazard with ref or id '%s' (did you mean %s?)", id, near);
    }
    if (!n)
        return dm__fail(ctx, DM_ENOTFOUND, "no hazard with ref or id '%s': the database has no hazards", id);
    char some[600];
    dm__rep_known_names(s, "hazards", "ref", NULL, some, sizeof some);
    return dm__fail(ctx, DM_ENOTFOUND, "no hazard with ref or id '%s' (%ld hazard%s: %s)", id, n, n == 1 ? "" : "s",
                    some);
}

/* ---- helpers ------------------------------------------------------------- */

static dm_status cursor_end(dm_ctx *ctx, int rc)
{
    if (rc < 0)
        return dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    return DM_OK;
}

/* A select of layer with field = value (reviewed rows alone when reviewed). */
static dm_status select_eq(dm_store *s, const char *layer, const char *field, const char *value, const char *order,
                           int reviewed, dm_cursor **c)
{
    const char *f[1] = {field}, *v[1] = {value};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    if (field) {
        sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    }
    sel.order_by = order;
    sel.reviewed = reviewed;
    return dm_store_select(s, layer, &sel, c);
}

#define GROW(d, arr, n, cap)                                                                                           \
    do {                                                                                                               \
        void *nv_ = dm__grow((d)->ctx, (arr), &(cap), (n), sizeof *(arr), 16);                                        \
        if (!nv_)                                                                                                      \
            return dm__fail((d)->ctx, DM_ENOMEM, "out of memory");                                                     \
        (arr) = nv_;                                                                                                   \
    } while (0)

static double bearing_deg(double lon1, double lat1, double lon2, double lat2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180, dl = (lon2 - lon1) * M_PI / 180;
    double y = sin(dl) * cos(p2), x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = atan2(y, x) * 180 / M_PI;
    return b < 0 ? b + 360 : b;
}

/* The rings of c (outer and inner, kinds 2 and 3) as numbered turning
 * points, each ring's closing vertex left out, numbered from *no on. The
 * UTM coordinates from tr (degrees to metres). */
static dm_status turning_points(dm_ctx *ctx, dm_transform *tr, const dm_coords *c, double min_m2, hz_point **pts,
                                size_t *n_pts, size_t **rings, size_t *n_rings)
{
    size_t cap = 0, rcap = 0, n = 0, nr = 0;
    hz_point *p = NULL;
    size_t *r = NULL;
    for (size_t k = 0; k < c->n_parts; k++) {
        if (c->kind[k] < 2)
            continue;
        size_t a = c->start[k], b = c->start[k + 1];
        if (b - a >= 2 && c->xy[2 * a] == c->xy[2 * (b - 1)] && c->xy[2 * a + 1] == c->xy[2 * (b - 1) + 1])
            b--;
        if (b - a < 3)
            continue;
        void *nr_ = dm__grow(ctx, r, &rcap, nr + 1, sizeof *r, 8);
        if (!nr_)
            goto oom;
        r = nr_;
        r[nr++] = n;
        for (size_t v = a; v < b; v++) {
            void *np = dm__grow(ctx, p, &cap, n, sizeof *p, 64);
            if (!np)
                goto oom;
            p = np;
            hz_point *q = &p[n++];
            memset(q, 0, sizeof *q);
            q->no = (int)n;
            q->lon = q->e = c->xy[2 * v];
            q->lat = q->n = c->xy[2 * v + 1];
            if (tr && dm_transform_xy(tr, &q->e, &q->n, 1)) {
                dm_ctx_clear_error(ctx);
                q->e = q->n = NAN;
            }
        }
        if (min_m2 > 0) { /* a sliver left between polygons that nearly meet */
            double a2 = 0;
            for (size_t v = r[nr - 1]; v < n; v++) {
                const hz_point *nx = v + 1 < n ? &p[v + 1] : &p[r[nr - 1]];
                a2 += p[v].e * nx->n - nx->e * p[v].n;
            }
            if (!(fabs(a2) / 2 >= min_m2)) {
                n = r[--nr];
                continue;
            }
        }
        for (size_t v = r[nr - 1]; v < n; v++) {
            const hz_point *nx = v + 1 < n ? &p[v + 1] : &p[r[nr - 1]];
            p[v].dist = dm_haversine_m(p[v].lon, p[v].lat, nx->lon, nx->lat);
            p[v].bearing = bearing_deg(p[v].lon, p[v].lat, nx->lon, nx->lat);
        }
    }
    {
        void *nr_ = dm__grow(ctx, r, &rcap, nr + 1, sizeof *r, 8);
        if (!nr_)
            goto oom;
        r = nr_;
        r[nr] = n;
    }
    *pts = p, *n_pts = n, *rings = r, *n_rings = nr;
    return DM_OK;
oom:
    dm_free(ctx, p);
    dm_free(ctx, r);
    return dm__fail(ctx, DM_ENOMEM, "out of memory");
}

/* ---- gathering ------------------------------------------------------------- */

static dm_status read_hazard(dm_store *s, hz_data *d, dm_geom **g)
{
    dm_cursor *c = NULL;
    dm_status st = select_eq(s, "hazards", "uuid", d->uuid, NULL, 0, &c);
    int rc = st ? -1 : dm_cursor_next(c);
    if (!st && rc != 1)
        st = rc == 0 ? not_found(s, d->uuid) : cursor_end(d->ctx, rc);
    if (!st) {
        cpy(d->ref, sizeof d->ref, dm_cursor_text(c, "ref"));
        cpy(d->name, sizeof d->name, dm_cursor_text(c, "name"));
        cpy(d->type, sizeof d->type, dm_cursor_text(c, "hazard_type"));
        const char *stt = dm_cursor_text(c, "status");
        cpy(d->status, sizeof d->status, stt && *stt ? stt : "open");
        cpy(d->district, sizeof d->district, dm_cursor_text(c, "district"));
        cpy(d->settlement, sizeof d->settlement, dm_cursor_text(c, "settlement"));
        cpy(d->organisation, sizeof d->organisation, dm_cursor_text(c, "organisation"));
        cpy(d->ordnance, sizeof d->ordnance, dm_cursor_text(c, "ordnance"));
        cpy(d->reported, sizeof d->reported, dm_cursor_text(c, "reported_date"));
        d->est_ha = dm_cursor_real(c, "est_area_ha", NAN);
        d->remaining_ha = dm_cursor_real(c, "remaining_area_ha", NAN);
        d->remaining_stored = !isnan(d->remaining_ha);
        d->p_contam = dm_cursor_real(c, "p_contam", NAN);
        d->expected_items = dm_cursor_real(c, "expected_items", NAN);
        st = dm_cursor_geom(c, g);
    }
    dm_cursor_free(c);
    return st;
}

static dm_status read_releases(dm_store *s, hz_data *d, dm_geom ***geoms)
{
    dm_cursor *c = NULL;
    size_t cap = 0, gcap = 0;
    dm_status st = select_eq(s, "release_areas", "hazard_id", d->uuid, "date", 1, &c);
    int rc = 0;
    dm_geom **gs = NULL;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g) {
            dm_ctx_clear_error(d->ctx);
            dm_geom_free(g);
            continue; /* land without a polygon counts nowhere (dm_hazards_released) */
        }
        void *nv = dm__grow(d->ctx, d->rel, &cap, d->n_rel, sizeof *d->rel, 16);
        void *ng = nv ? dm__grow(d->ctx, gs, &gcap, d->n_rel, sizeof *gs, 16) : NULL;
        if (nv)
            d->rel = nv;
        if (!ng) {
            dm_geom_free(g);
            st = dm__fail(d->ctx, DM_ENOMEM, "out of memory");
            break;
        }
        gs = ng;
        hz_release *r = &d->rel[d->n_rel];
        memset(r, 0, sizeof *r);
        cpy(r->activity, sizeof r->activity, dm_cursor_text(c, "activity_id"));
        cpy(r->date, sizeof r->date, dm_cursor_text(c, "date"));
        r->rank = dm_release_rank(dm_cursor_text(c, "outcome"));
        gs[d->n_rel] = g;
        d->n_rel++;
        if (dm_geom_area_ha(d->ctx, g, &r->ha))
            st = dm__wrap(d->ctx, "release area %s", dm_cursor_uuid(c));
        else
            st = dm_geom_coords(d->ctx, g, &r->c);
    }
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    *geoms = gs;
    if (st || !d->n_rel)
        return st;
    /* counted once, as the statistics count it */
    dm_release_piece *p = dm_calloc(d->ctx, d->n_rel, sizeof *p);
    if (!p)
        return dm__fail(d->ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n_rel; i++) {
        p[i].hazard = d->uuid;
        p[i].rank = d->rel[i].rank;
        p[i].date = d->rel[i].date[0] ? d->rel[i].date : NULL;
        p[i].g = gs[i];
        p[i].ha = d->rel[i].ha;
    }
    st = dm_release_count(d->ctx, p, d->n_rel);
    for (size_t i = 0; !st && i < d->n_rel; i++) {
        d->rel[i].ha = p[i].ha;
        if (d->rel[i].rank < 3)
            d->route_ha[d->rel[i].rank] += p[i].ha;
        else
            d->unknown_ha += p[i].ha;
        d->released_ha += p[i].ha;
    }
    dm_free(d->ctx, p);
    return st;
}

/* The land of hazard polygon g that no release area covers, when some is
 * released and some left: its turning points. */
static dm_status remaining_outline(hz_data *d, dm_transform *to_utm, dm_transform *to_deg, const dm_geom *g,
                                   dm_geom **gs)
{
    if (!d->n_rel || dm__hazard_released(d))
        return DM_OK;
    dm_geom *u = NULL, *left = NULL, *mu = NULL, *ms = NULL, *back = NULL;
    dm_coords c;
    memset(&c, 0, sizeof c);
    dm_status st = dm_geom_union_all(d->ctx, gs, d->n_rel, &u);
    if (!st)
        st = dm_geom_difference(d->ctx, g, u, &left);
    if (!st && left && !dm_geom_is_empty(left))
        st = dm_geom_transform(d->ctx, to_utm, left, &mu);
    if (!st && mu && dm_geom_area(mu) >= 100) /* less than 100 m2: nothing left to mark */
        st = dm_geom_simplify(d->ctx, mu, SIMPLIFY_M, &ms);
    if (!st && ms && !dm_geom_is_empty(ms))
        st = dm_geom_transform(d->ctx, to_deg, ms, &back);
    if (!st && back)
        st = dm_geom_coords(d->ctx, back, &c);
    if (!st && back)
        st = turning_points(d->ctx, to_utm, &c, MIN_PART_M2, &d->rp, &d->n_rp, &d->rp_ring, &d->n_rring);
    dm_coords_free(d->ctx, &c);
    dm_geom_free(u);
    dm_geom_free(left);
    dm_geom_free(mu);
    dm_geom_free(ms);
    dm_geom_free(back);
    if (st) { /* a polygon GEOS cannot cut: the hazard's outline alone */
        dm_ctx_clear_error(d->ctx);
        d->n_rp = d->n_rring = 0;
    }
    return DM_OK;
}

static dm_status add_activity(dm_store *s, hz_data *d, dm_cursor *c, size_t *cap)
{
    const char *u = dm_cursor_uuid(c);
    for (size_t i = 0; i < d->n_act; i++)
        if (!strcmp(d->act[i].uuid, u))
            return DM_OK;
    GROW(d, d->act, d->n_act, *cap);
    hz_activity *a = &d->act[d->n_act++];
    memset(a, 0, sizeof *a);
    cpy(a->uuid, sizeof a->uuid, u);
    cpy(a->ref, sizeof a->ref, dm_cursor_text(c, "ref"));
    cpy(a->type, sizeof a->type, dm_cursor_text(c, "activity_type"));
    cpy(a->org, sizeof a->org, dm_cursor_text(c, "organisation"));
    cpy(a->start, sizeof a->start, dm_cursor_text(c, "start_date"));
    cpy(a->end, sizeof a->end, dm_cursor_text(c, "end_date"));
    cpy(a->method, sizeof a->method, dm_cursor_text(c, "method"));
    cpy(a->inspects, sizeof a->inspects, dm_cursor_text(c, "inspects_id"));
    a->cancelled = dm_cursor_real(c, "area_cancelled_ha", -1);
    a->reduced = dm_cursor_real(c, "area_reduced_ha", -1);
    a->cleared = dm_cursor_real(c, "area_cleared_ha", -1);
    (void)s;
    return DM_OK;
}

static int cmp_act(const void *x, const void *y)
{
    const hz_activity *a = x, *b = y;
    int c = strcmp(a->start[0] ? a->start : "9999", b->start[0] ? b->start : "9999");
    return c ? c : strcmp(a->ref, b->ref);
}

/* The approved activities on the hazard (its main hazard, or linked in
 * activity_hazards), by start date; then the inspections of them. */
static dm_status read_activities(dm_store *s, hz_data *d)
{
    size_t cap = 0;
    dm_cursor *c = NULL;
    int rc = 0;
    dm_status st = select_eq(s, "activities", "hazard_id", d->uuid, NULL, 1, &c);
    while (!st && (rc = dm_cursor_next(c)) == 1)
        if (strcmp(dm_cursor_text(c, "activity_type") ? dm_cursor_text(c, "activity_type") : "", "qc"))
            st = add_activity(s, d, c, &cap);
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    c = NULL;
    /* further activities naming it in activity_hazards */
    char(*links)[37] = NULL;
    size_t n_links = 0, lcap = 0;
    if (!st && dm_store_has_layer(s, "activity_hazards")) {
        st = select_eq(s, "activity_hazards", "hazard_id", d->uuid, NULL, 0, &c);
        while (!st && (rc = dm_cursor_next(c)) == 1) {
            void *nv = dm__grow(d->ctx, links, &lcap, n_links, sizeof *links, 8);
            if (!nv) {
                st = dm__fail(d->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            links = nv;
            cpy(links[n_links++], 37, dm_cursor_text(c, "activity_id"));
        }
        if (!st)
            st = cursor_end(d->ctx, rc);
        dm_cursor_free(c);
        c = NULL;
    }
    for (size_t i = 0; !st && i < n_links; i++) {
        st = select_eq(s, "activities", "uuid", links[i], NULL, 1, &c);
        while (!st && (rc = dm_cursor_next(c)) == 1)
            if (strcmp(dm_cursor_text(c, "activity_type") ? dm_cursor_text(c, "activity_type") : "", "qc"))
                st = add_activity(s, d, c, &cap);
        if (!st)
            st = cursor_end(d->ctx, rc);
        dm_cursor_free(c);
        c = NULL;
    }
    dm_free(d->ctx, links);
    /* field reports on it awaiting review: not counted */
    if (!st) {
        st = select_eq(s, "activities", "hazard_id", d->uuid, "start_date", 0, &c);
        while (!st && (rc = dm_cursor_next(c)) == 1) {
            const char *stt = dm_cursor_text(c, "status");
            if (!stt || strcmp(stt, "draft"))
                continue;
            const char *r = dm_cursor_text(c, "ref");
            size_t o = strlen(d->pending);
            if (d->n_pending++ < 5 && o + 2 < sizeof d->pending)
                snprintf(d->pending + o, sizeof d->pending - o, "%s%s", o ? ", " : "", r && *r ? r : dm_cursor_uuid(c));
        }
        if (!st)
            st = cursor_end(d->ctx, rc);
        dm_cursor_free(c);
        c = NULL;
    }
    if (st)
        return st;
    if (d->n_act > 1)
        qsort(d->act, d->n_act, sizeof *d->act, cmp_act);
    d->n_work = d->n_act;
    /* the quality control inspections of that work */
    for (size_t i = 0; !st && i < d->n_work; i++) {
        st = select_eq(s, "activities", "inspects_id", d->act[i].uuid, "start_date", 1, &c);
        while (!st && (rc = dm_cursor_next(c)) == 1)
            st = add_activity(s, d, c, &cap);
        if (!st)
            st = cursor_end(d->ctx, rc);
        dm_cursor_free(c);
        c = NULL;
    }
    return st;
}

static dm_status add_item(hz_data *d, dm_cursor *c, size_t *cap, char (**seen)[37], size_t *n_seen,
                          size_t *seen_cap)
{
    const char *u = dm_cursor_uuid(c);
    for (size_t i = 0; i < *n_seen; i++)
        if (!strcmp((*seen)[i], u))
            return DM_OK;
    void *ns = dm__grow(d->ctx, *seen, seen_cap, *n_seen, sizeof **seen, 64);
    if (!ns)
        return dm__fail(d->ctx, DM_ENOMEM, "out of memory");
    *seen = ns;
    cpy((*seen)[(*n_seen)++], 37, u);
    GROW(d, d->item, d->n_item, *cap);
    hz_item *it = &d->item[d->n_item++];
    memset(it, 0, sizeof *it);
    cpy(it->category, sizeof it->category, dm_cursor_text(c, "category"));
    cpy(it->model, sizeof it->model, dm_cursor_text(c, "model"));
    cpy(it->fate, sizeof it->fate, dm_cursor_text(c, "fate"));
    double q = dm_cursor_real(c, "quantity", 1);
    it->qty = q >= 1 ? (long)q : 1;
    d->items_total += it->qty;
    it->lon = it->lat = NAN;
    dm_geom *g = NULL;
    if (!dm_cursor_geom(c, &g) && g)
        dm_geom_centroid_xy(g, &it->lon, &it->lat);
    dm_ctx_clear_error(d->ctx);
    dm_geom_free(g);
    /* the activity that found it */
    const char *a = dm_cursor_text(c, "activity_id");
    for (size_t i = 0; a && i < d->n_act; i++)
        if (!strcmp(d->act[i].uuid, a))
            d->act[i].items += it->qty;
    return DM_OK;
}

/* The items of the hazard and those its activities found. */
static dm_status read_items(dm_store *s, hz_data *d)
{
    size_t cap = 0, n_seen = 0, seen_cap = 0;
    char(*seen)[37] = NULL;
    dm_cursor *c = NULL;
    int rc = 0;
    dm_status st = select_eq(s, "items", "hazard_id", d->uuid, NULL, 1, &c);
    while (!st && (rc = dm_cursor_next(c)) == 1)
        st = add_item(d, c, &cap, &seen, &n_seen, &seen_cap);
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    for (size_t i = 0; !st && i < d->n_act; i++) {
        c = NULL;
        st = select_eq(s, "items", "activity_id", d->act[i].uuid, NULL, 1, &c);
        while (!st && (rc = dm_cursor_next(c)) == 1)
            st = add_item(d, c, &cap, &seen, &n_seen, &seen_cap);
        if (!st)
            st = cursor_end(d->ctx, rc);
        dm_cursor_free(c);
    }
    dm_free(d->ctx, seen);
    return st;
}

/* Accidents within NEAR_M of the polygon (hz_utm, in metres), nearest first. */
static int cmp_acc(const void *x, const void *y)
{
    const hz_accident *a = x, *b = y;
    return a->dist_m < b->dist_m ? -1 : a->dist_m > b->dist_m ? 1 : strcmp(a->date, b->date);
}

static dm_status read_accidents(dm_store *s, hz_data *d, dm_transform *to_utm, const dm_geom *hz_utm,
                                const double hb[4])
{
    double mlat = (NEAR_M + 50) / 111320.0, mlon = mlat / fmax(cos((hb[1] + hb[3]) / 2 * M_PI / 180), 0.1);
    double box[4] = {hb[0] - mlon, hb[1] - mlat, hb[2] + mlon, hb[3] + mlat};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = box;
    sel.order_by = "date";
    dm_cursor *c = NULL;
    size_t cap = 0;
    int rc = 0;
    dm_status st = dm_store_select(s, "accidents", &sel, &c);
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL, *gu = NULL;
        double lon = NAN, lat = NAN, dist = INFINITY;
        if (!dm_cursor_geom(c, &g) && g && dm_geom_centroid_xy(g, &lon, &lat) &&
            !dm_geom_transform(d->ctx, to_utm, g, &gu) && gu)
            dist = dm_geom_distance(gu, hz_utm);
        dm_ctx_clear_error(d->ctx);
        dm_geom_free(g);
        dm_geom_free(gu);
        if (!(dist <= NEAR_M))
            continue;
        void *nv = dm__grow(d->ctx, d->acc, &cap, d->n_acc, sizeof *d->acc, 8);
        if (!nv) {
            st = dm__fail(d->ctx, DM_ENOMEM, "out of memory");
            break;
        }
        d->acc = nv;
        hz_accident *a = &d->acc[d->n_acc++];
        memset(a, 0, sizeof *a);
        cpy(a->ref, sizeof a->ref, dm_cursor_text(c, "ref"));
        cpy(a->date, sizeof a->date, dm_cursor_text(c, "date"));
        cpy(a->device, sizeof a->device, dm_cursor_text(c, "device"));
        a->killed = (long)dm_cursor_real(c, "killed", 0);
        a->injured = (long)dm_cursor_real(c, "injured", 0);
        const char *dem = dm_cursor_text(c, "demining");
        a->demining = dem && (!strcmp(dem, "1") || !strcasecmp(dem, "true"));
        a->lon = lon, a->lat = lat, a->dist_m = dist;
        long nv_ = 0;
        const char *f[1] = {"accident_id"}, *v[1] = {dm_cursor_uuid(c)};
        dm_select vs;
        memset(&vs, 0, sizeof vs);
        vs.eq_field = f, vs.eq_value = v, vs.n_eq = 1;
        if (dm_store_count(s, "victims", &vs, &nv_))
            dm_ctx_clear_error(d->ctx);
        a->victims = nv_;
    }
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    if (!st && d->n_acc > 1)
        qsort(d->acc, d->n_acc, sizeof *d->acc, cmp_acc);
    return st;
}

static int feature_class(const char *c)
{
    static const struct {
        const char *name;
        int cls;
    } map[] = {{"settlement", HZ_F_SETTLEMENT}, {"river", HZ_F_WATER},     {"canal", HZ_F_WATER},
               {"road", HZ_F_ROAD},             {"track", HZ_F_TRACK},     {"building", HZ_F_BUILDING},
               {"house", HZ_F_BUILDING},        {"school", HZ_F_BUILDING}};
    for (size_t i = 0; c && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(c, map[i].name))
            return map[i].cls;
    return -1;
}

/* The features of the map in the box b (degrees) that the page may show. */
static dm_status read_features(dm_store *s, hz_data *d, const double b[4])
{
    if (!dm_store_has_layer(s, "features"))
        return DM_OK;
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = b;
    dm_cursor *c = NULL;
    size_t cap = 0;
    int rc = 0;
    dm_status st = dm_store_select(s, "features", &sel, &c);
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        int cls = feature_class(dm_cursor_text(c, "class"));
        dm_geom *g = NULL;
        if (cls < 0 || dm_cursor_geom(c, &g) || !g) {
            dm_ctx_clear_error(d->ctx);
            dm_geom_free(g);
            continue;
        }
        void *nv = dm__grow(d->ctx, d->feat, &cap, d->n_feat, sizeof *d->feat, 64);
        if (!nv) {
            dm_geom_free(g);
            st = dm__fail(d->ctx, DM_ENOMEM, "out of memory");
            break;
        }
        d->feat = nv;
        hz_feat *f = &d->feat[d->n_feat];
        memset(f, 0, sizeof *f);
        f->cls = cls;
        if (dm_geom_coords(d->ctx, g, &f->c) == DM_OK) {
            if (!dm_geom_centroid_xy(g, &f->cx, &f->cy))
                f->cx = f->c.n_xy ? f->c.xy[0] : 0, f->cy = f->c.n_xy ? f->c.xy[1] : 0;
            if (cls == HZ_F_SETTLEMENT)
                cpy(f->name, sizeof f->name, dm_cursor_text(c, "name"));
            d->n_feat++;
        } else
            dm_ctx_clear_error(d->ctx);
        dm_geom_free(g);
    }
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    return st;
}

static dm_status read_history(dm_store *s, hz_data *d)
{
    dm_cursor *c = NULL;
    size_t cap = 0;
    int rc = 0;
    dm_status st = select_eq(s, "hazard_status", "hazard_id", d->uuid, "date", 0, &c);
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        void *nv = dm__grow(d->ctx, d->hist, &cap, d->n_hist, sizeof *d->hist, 8);
        if (!nv) {
            st = dm__fail(d->ctx, DM_ENOMEM, "out of memory");
            break;
        }
        d->hist = nv;
        hz_status *h = &d->hist[d->n_hist++];
        memset(h, 0, sizeof *h);
        cpy(h->date, sizeof h->date, dm_cursor_text(c, "date"));
        cpy(h->from, sizeof h->from, dm_cursor_text(c, "from_status"));
        cpy(h->to, sizeof h->to, dm_cursor_text(c, "to_status"));
        cpy(h->reason, sizeof h->reason, dm_cursor_text(c, "reason"));
        cpy(h->author, sizeof h->author, dm_cursor_text(c, "author"));
        if (!strcmp(h->to, d->status))
            cpy(d->status_date, sizeof d->status_date, h->date);
    }
    if (!st)
        st = cursor_end(d->ctx, rc);
    dm_cursor_free(c);
    return st;
}

int dm__hazard_released(const hz_data *d)
{
    return !strcmp(d->status, "closed") || !strcmp(d->status, "handed_over");
}

dm_status dm__hazard_gather(dm_store *s, const char *id, const char *date, hz_data *d)
{
    memset(d, 0, sizeof *d);
    d->ctx = dm_store_ctx(s);
    cpy(d->date, sizeof d->date, date);
    if (!id || !*id)
        return dm__fail(d->ctx, DM_EINVAL, "name the hazard: its ref, uuid or uuid prefix");
    dm_status st = dm_store_resolve(s, "hazards", id, NULL, d->uuid);
    if (st == DM_ENOTFOUND)
        return not_found(s, id);
    if (st)
        return st;
    dm_geom *g = NULL, *gu = NULL, **gs = NULL;
    dm_transform *to_utm = NULL, *to_deg = NULL;
    st = read_hazard(s, d, &g);
    if (!st && !g)
        st = dm__fail(d->ctx, DM_EGEOM, "hazard %s has no polygon: the report maps it and lists its turning points",
                      d->ref[0] ? d->ref : d->uuid);
    double hb[4] = {0, 0, 0, 0}, cx = 0, cy = 0;
    if (!st) {
        dm_geom_bounds(g, hb);
        if (!dm_geom_centroid_xy(g, &cx, &cy))
            cx = (hb[0] + hb[2]) / 2, cy = (hb[1] + hb[3]) / 2;
        d->utm_epsg = dm_utm_epsg(cx, cy);
        char crs[32];
        snprintf(crs, sizeof crs, "EPSG:%d", d->utm_epsg);
        st = dm_transform_new(d->ctx, "EPSG:4326", crs, &to_utm);
        if (!st)
            st = dm_transform_new(d->ctx, crs, "EPSG:4326", &to_deg);
    }
    if (!st && isnan(d->est_ha))
        st = dm_geom_area_ha(d->ctx, g, &d->est_ha);
    if (!st)
        st = dm_geom_coords(d->ctx, g, &d->poly);
    if (!st)
        st = turning_points(d->ctx, to_utm, &d->poly, 0, &d->tp, &d->n_tp, &d->tp_ring, &d->n_ring);
    if (!st)
        st = read_history(s, d);
    if (!st)
        st = read_releases(s, d, &gs);
    if (!st && !d->remaining_stored)
        d->remaining_ha = dm__hazard_released(d) ? 0 : fmax(0, d->est_ha - d->released_ha);
    if (!st)
        st = remaining_outline(d, to_utm, to_deg, g, gs);
    if (!st)
        st = read_activities(s, d);
    if (!st)
        st = read_items(s, d);
    if (!st)
        st = dm_geom_transform(d->ctx, to_utm, g, &gu);
    if (!st)
        st = read_accidents(s, d, to_utm, gu, hb);
    if (!st) {
        memcpy(d->bounds, hb, sizeof hb);
        for (size_t i = 0; i < d->n_item; i++)
            if (!isnan(d->item[i].lon)) {
                d->bounds[0] = fmin(d->bounds[0], d->item[i].lon), d->bounds[2] = fmax(d->bounds[2], d->item[i].lon);
                d->bounds[1] = fmin(d->bounds[1], d->item[i].lat), d->bounds[3] = fmax(d->bounds[3], d->item[i].lat);
            }
        for (size_t i = 0; i < d->n_acc; i++) {
            d->bounds[0] = fmin(d->bounds[0], d->acc[i].lon), d->bounds[2] = fmax(d->bounds[2], d->acc[i].lon);
            d->bounds[1] = fmin(d->bounds[1], d->acc[i].lat), d->bounds[3] = fmax(d->bounds[3], d->acc[i].lat);
        }
        /* what the map may show about it: as wide and as tall as it, and more */
        double kx = fmax(cos((d->bounds[1] + d->bounds[3]) / 2 * M_PI / 180), 0.1);
        double half = fmax((d->bounds[2] - d->bounds[0]) * kx, d->bounds[3] - d->bounds[1]) * 1.5 + 0.002;
        double cxb = (d->bounds[0] + d->bounds[2]) / 2, cyb = (d->bounds[1] + d->bounds[3]) / 2;
        double box[4] = {cxb - half / kx, cyb - half, cxb + half / kx, cyb + half};
        st = read_features(s, d, box);
    }
    for (size_t i = 0; gs && i < d->n_rel; i++)
        dm_geom_free(gs[i]);
    dm_free(d->ctx, gs);
    dm_geom_free(g);
    dm_geom_free(gu);
    dm_transform_free(to_utm);
    dm_transform_free(to_deg);
    if (st)
        dm__hazard_free(d);
    return st;
}

void dm__hazard_free(hz_data *d)
{
    if (!d || !d->ctx)
        return;
    dm_coords_free(d->ctx, &d->poly);
    for (size_t i = 0; i < d->n_rel; i++)
        dm_coords_free(d->ctx, &d->rel[i].c);
    dm_free(d->ctx, d->rel);
    dm_free(d->ctx, d->tp);
    dm_free(d->ctx, d->tp_ring);
    dm_free(d->ctx, d->rp);
    dm_free(d->ctx, d->rp_ring);
    dm_free(d->ctx, d->act);
    dm_free(d->ctx, d->item);
    dm_free(d->ctx, d->acc);
    dm_free(d->ctx, d->hist);
    for (size_t i = 0; i < d->n_feat; i++)
        dm_coords_free(d->ctx, &d->feat[i].c);
    dm_free(d->ctx, d->feat);
    dm_ctx *ctx = d->ctx;
    memset(d, 0, sizeof *d);
    d->ctx = ctx;
}
