/* SPDX-License-Identifier: MIT
 *
 * hazard_released.c -- the land released from each hazard, measured once
 * for every reader: the statistics' tables (dm_release_count), and the
 * land an open hazard without remaining_area_ha has released (release
 * areas imported after it), which the statistics, the plan and check take
 * off its estimate and `demine status --settle` records
 * (dm_hazards_released).
 */
#include "store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dm_release_rank(const char *outcome)
{
    if (!outcome)
        return 3;
    return !strcmp(outcome, "cleared") ? 0 : !strcmp(outcome, "reduced") ? 1 : !strcmp(outcome, "cancelled") ? 2 : 3;
}

/* The order land is counted in: by hazard, route, date (undated last),
 * then as given. */
static int cmp_piece(const void *a, const void *b)
{
    const dm_release_piece *x = *(const dm_release_piece *const *)a, *y = *(const dm_release_piece *const *)b;
    int d = strcmp(x->hazard ? x->hazard : "", y->hazard ? y->hazard : "");
    if (!d)
        d = x->rank - y->rank;
    if (!d)
        d = strcmp(x->date ? x->date : "9999", y->date ? y->date : "9999");
    if (!d)
        d = x < y ? -1 : x > y;
    return d;
}

dm_status dm_release_count(dm_ctx *ctx, dm_release_piece *p, size_t n)
{
    if (!n)
        return DM_OK;
    dm_release_piece **o = dm_malloc(ctx, n * sizeof *o);
    if (!o)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        o[i] = &p[i];
    qsort(o, n, sizeof *o, cmp_piece);
    dm_geom *done = NULL;
    for (size_t i = 0; i < n; i++) {
        dm_release_piece *r = o[i];
        if (i && strcmp(r->hazard ? r->hazard : "", o[i - 1]->hazard ? o[i - 1]->hazard : "")) {
            dm_geom_free(done);
            done = NULL;
        }
        if (!r->g)
            continue;
        if (done && dm_geom_intersects(done, r->g)) {
            dm_geom *ov = NULL;
            double ov_ha = 0;
            if (!dm_geom_intersection(ctx, r->g, done, &ov) && ov && !dm_geom_area_ha(ctx, ov, &ov_ha))
                r->ha = r->ha > ov_ha ? r->ha - ov_ha : 0;
            dm_geom_free(ov);
        }
        dm_geom *u = NULL;
        if (!done)
            dm_geom_clone(ctx, r->g, &done);
        else if (!dm_geom_union(ctx, done, r->g, &u) && u) {
            dm_geom_free(done);
            done = u;
        }
        dm_ctx_clear_error(ctx); /* a polygon GEOS cannot combine counts whole */
    }
    dm_geom_free(done);
    dm_free(ctx, o);
    return DM_OK;
}

static int cmp_uuid(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static int cmp_released(const void *a, const void *b)
{
    return strcmp(((const dm_hazard_released *)a)->hazard, ((const dm_hazard_released *)b)->hazard);
}

const dm_hazard_released *dm_hazard_released_find(const dm_hazard_released *v, size_t n, const char *uuid)
{
    if (!v || !n || !uuid)
        return NULL;
    dm_hazard_released key;
    dm__strlcpy(key.hazard, uuid, sizeof key.hazard);
    return bsearch(&key, v, n, sizeof *v, cmp_released);
}

/* The uuids of the activities whose land counts (no status, or approved:
 * not a field report awaiting review or rejected), sorted. */
static dm_status counted_activities(dm_store *s, char (**out)[37], size_t *n_out)
{
    dm_ctx *ctx = s->ctx;
    char(*v)[37] = NULL;
    size_t n = 0, cap = 0;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", NULL, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *status = dm_cursor_text(c, "status");
        if (status && strcmp(status, "approved"))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            char(*d)[37] = dm_realloc(ctx, v, nc * sizeof *v);
            if (!d) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            v = d, cap = nc;
        }
        dm__strlcpy(v[n++], dm_cursor_uuid(c), 37);
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx);
    dm_cursor_free(c);
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_uuid);
    *out = v;
    *n_out = n;
    return DM_OK;
}

typedef struct rel_area {
    char hazard[37], date[16]; /* as long as the statistics keep it */
    dm_geom *g;
} rel_area;

dm_status dm_hazards_released(dm_store *s, dm_hazard_released **out, size_t *n_out)
{
    dm_ctx *ctx = s->ctx;
    *out = NULL;
    *n_out = 0;
    char(*acts)[37] = NULL;
    size_t n_acts = 0;
    dm_status st = counted_activities(s, &acts, &n_acts);
    if (st)
        return st;
    const dm_field_def *outcome_f = dm_field_find(dm_layer_find("release_areas"), "outcome");
    rel_area *a = NULL;
    dm_release_piece *p = NULL;
    size_t n = 0, cap = 0;
    dm_cursor *c = NULL;
    st = dm_store_select(s, "release_areas", NULL, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *hid = dm_cursor_text(c, "hazard_id");
        if (!hid || !*hid)
            continue; /* land of no hazard */
        const char *aid = dm_cursor_text(c, "activity_id");
        if (aid && !(n_acts && bsearch(aid, acts, n_acts, sizeof *acts, cmp_uuid)))
            continue; /* its activity is a draft, rejected or not there */
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            rel_area *na = dm_realloc(ctx, a, nc * sizeof *na);
            if (na)
                a = na;
            dm_release_piece *np = na ? dm_realloc(ctx, p, nc * sizeof *np) : NULL;
            if (!np) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            p = np, cap = nc;
        }
        rel_area *r = &a[n];
        dm_release_piece *q = &p[n];
        memset(r, 0, sizeof *r);
        memset(q, 0, sizeof *q);
        n++;
        dm__strlcpy(r->hazard, hid, sizeof r->hazard);
        const char *date = dm_cursor_text(c, "date");
        dm__strlcpy(r->date, date ? date : "", sizeof r->date);
        /* its polygon's area; none without a polygon (or one that cannot
         * be read or measured: check names it), as the statistics count it;
         * but out of memory no figure is given rather than a wrong one */
        if (dm_cursor_geom(c, &r->g) == DM_ENOMEM || (r->g && dm_geom_area_ha(ctx, r->g, &q->ha) == DM_ENOMEM)) {
            st = DM_ENOMEM;
            break;
        }
        /* an outcome another tool wrote ("Cleared ") as the store takes
         * it; one it would refuse, or none, is of unknown outcome */
        const char *outcome = dm_cursor_text(c, "outcome");
        char norm[32];
        if (!outcome || dm_field_normalise(ctx, outcome_f, outcome, norm, sizeof norm))
            norm[0] = '\0';
        q->rank = dm_release_rank(norm);
    }
    if (!st && rc < 0)
        st = dm__wrap(ctx, "%s: release_areas", dm_store_path(s));
    dm_cursor_free(c);
    if (!st)
        dm_ctx_clear_error(ctx); /* outcomes that did not normalise, polygons not read */
    dm_free(ctx, acts);
    dm_hazard_released *v = NULL;
    dm_release_piece **o = NULL; /* the pieces by hazard */
    size_t nv = 0;
    if (!st && n) {
        /* the array is complete: the pieces may point into it */
        for (size_t i = 0; i < n; i++) {
            p[i].hazard = a[i].hazard;
            p[i].date = a[i].date[0] ? a[i].date : NULL;
            p[i].g = a[i].g;
        }
        st = dm_release_count(ctx, p, n);
        v = st ? NULL : dm_calloc(ctx, n, sizeof *v);
        o = st ? NULL : dm_malloc(ctx, n * sizeof *o);
        if (!st && (!v || !o))
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t i = 0; !st && i < n; i++)
            o[i] = &p[i];
        if (!st)
            qsort(o, n, sizeof *o, cmp_piece);
    }
    for (size_t i = 0; !st && i < n; i++) {
        const dm_release_piece *q = o[i];
        if (!nv || strcmp(v[nv - 1].hazard, q->hazard))
            dm__strlcpy(v[nv++].hazard, q->hazard, sizeof v->hazard);
        dm_hazard_released *h = &v[nv - 1];
        h->ha += q->ha;
        h->n_areas++;
        if (q->date) {
            if (!h->first_date[0] || strcmp(q->date, h->first_date) < 0)
                dm__strlcpy(h->first_date, q->date, sizeof h->first_date);
            if (strcmp(q->date, h->last_date) > 0)
                dm__strlcpy(h->last_date, q->date, sizeof h->last_date);
        }
    }
    dm_free(ctx, o);
    for (size_t i = 0; i < n; i++)
        dm_geom_free(a[i].g);
    dm_free(ctx, a);
    dm_free(ctx, p);
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    *out = v; /* sorted by hazard (cmp_piece) */
    *n_out = nv;
    return DM_OK;
}
