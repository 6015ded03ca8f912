/* SPDX-License-Identifier: MIT
 *
 * eore.c -- explosive ordnance risk education: the settlements near danger
 * that no session has reached, ranked by the people there times the danger
 * around them (include/demine/dm_eore.h, docs/eore.md).
 *
 * Everything is read through the store's cursors; distances are measured in
 * the UTM zone of the settlements' centre (GEOS, metres), each settlement
 * against the hazards, accidents and sessions whose bounds come within the
 * distance of its own.
 */
#include "core/dm_internal.h"
#include "demine/dm_eore.h"
#include "district/district_internal.h"
#include "report/report_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A row read with its geometry in metres and its bounds there. */
typedef struct place {
    dm_geom *g; /* UTM, owned; NULL when the row has none */
    double b[4];
} place;

typedef struct hz {
    place p;
    char ref[64];
    double ha, items; /* items NaN: no expected_items */
} hz;

typedef struct acc {
    place p;
    int killed, injured;
} acc;

typedef struct ses {
    place p;
    char date[11], settlement[128], district[128];
    long men, women, boys, girls;
    long settle; /* the settlement it is of, or -1 */
} ses;

typedef struct run {
    dm_ctx *ctx;
    dm_store *s;
    dm_transform *t;
    dm_district_polys *polys;
    place *set; /* settlements, as r->v (all of them, before the district filter) */
    dm_eore_settlement *sv;
    size_t n_set;
    hz *h;
    size_t n_h;
    acc *a;
    size_t n_a;
    ses *e;
    size_t n_e;
} run;

static dm_status oom(dm_ctx *ctx) { return dm__fail(ctx, DM_ENOMEM, "out of memory"); }

/* A date n years before d ("2024-02-29" less 2 years is "2022-02-28"). */
static void years_before(const char *d, int n, char out[11])
{
    int y = 0, m = 0, day = 0;
    if (sscanf(d, "%d-%d-%d", &y, &m, &day) != 3) {
        dm__strlcpy(out, d, 11);
        return;
    }
    y -= n;
    if (m == 2 && day == 29)
        day = 28;
    char b[32];
    snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, day);
    dm__strlcpy(out, b, 11);
}

static void today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char b[32];
    snprintf(b, sizeof b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    dm__strlcpy(out, b, 11);
}

/* A name as compared: trimmed, any case. */
static int same_name(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    while (isspace((unsigned char)*a))
        a++;
    while (isspace((unsigned char)*b))
        b++;
    size_t na = strlen(a), nb = strlen(b);
    while (na && isspace((unsigned char)a[na - 1]))
        na--;
    while (nb && isspace((unsigned char)b[nb - 1]))
        nb--;
    if (na != nb || !na)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* The row's geometry in metres. */
static dm_status place_of(run *u, dm_cursor *c, place *p)
{
    memset(p, 0, sizeof *p);
    dm_geom *g = NULL;
    dm_status st = dm_cursor_geom(c, &g);
    if (st || !g)
        return st;
    if (dm_geom_is_empty(g)) {
        dm_geom_free(g);
        return DM_OK;
    }
    st = dm_geom_transform(u->ctx, u->t, g, &p->g);
    dm_geom_free(g);
    if (st)
        return st;
    if (!dm_geom_bounds(p->g, p->b)) {
        dm_geom_free(p->g);
        p->g = NULL;
    }
    return DM_OK;
}

/* The distance between two places, when their bounds come within d of each
 * other; else INFINITY. */
static double near(const place *a, const place *b, double d)
{
    if (!a->g || !b->g)
        return INFINITY;
    if (a->b[0] - d > b->b[2] || b->b[0] - d > a->b[2] || a->b[1] - d > b->b[3] || b->b[1] - d > a->b[3])
        return INFINITY;
    double v = dm_geom_distance(a->g, b->g);
    return v >= 0 ? v : INFINITY;
}

/* The UTM zone of the settlements' centre (their first vertex's mean). */
static dm_status pick_zone(run *u, char crs[32])
{
    dm_cursor *c = NULL;
    static const char *const eqf[1] = {"class"};
    static const char *const eqv[1] = {"settlement"};
    dm_select sel = {0};
    sel.eq_field = eqf, sel.eq_value = eqv, sel.n_eq = 1;
    dm_status st = dm_store_select(u->s, "features", &sel, &c);
    if (st)
        return st;
    double sx = 0, sy = 0;
    long n = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL;
        double x, y;
        if (dm_cursor_geom(c, &g) == DM_OK && g && dm_geom_centroid_xy(g, &x, &y) && isfinite(x) &&
            isfinite(y) && fabs(x) <= 180 && fabs(y) <= 90)
            sx += x, sy += y, n++;
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    if (rc < 0)
        return dm_ctx_errcode(u->ctx);
    snprintf(crs, 32, "EPSG:%d", n ? dm_utm_epsg(sx / (double)n, sy / (double)n) : 32638);
    return DM_OK;
}

static dm_status read_settlements(run *u, dm_eore_result *r)
{
    static const char *const eqf[1] = {"class"};
    static const char *const eqv[1] = {"settlement"};
    dm_select sel = {0};
    sel.eq_field = eqf, sel.eq_value = eqv, sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(u->s, "features", &sel, &c);
    if (st)
        return st;
    size_t cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        if (u->n_set == cap) {
            size_t nc = cap ? cap * 2 : 64;
            place *p = dm_realloc(u->ctx, u->set, nc * sizeof *p);
            if (p)
                u->set = p;
            dm_eore_settlement *v = p ? dm_realloc(u->ctx, u->sv, nc * sizeof *v) : NULL;
            if (!p || !v) {
                dm_cursor_free(c);
                return oom(u->ctx);
            }
            u->sv = v;
            cap = nc;
        }
        dm_eore_settlement *e = &u->sv[u->n_set];
        place *p = &u->set[u->n_set];
        memset(e, 0, sizeof *e);
        memset(p, 0, sizeof *p);
        u->n_set++;
        dm__strlcpy(e->uuid, dm_cursor_uuid(c), sizeof e->uuid);
        const char *name = dm_cursor_text(c, "name");
        dm__strlcpy(e->name, name && *name ? name : e->uuid, sizeof e->name);
        double pop = dm_cursor_real(c, "population", NAN), ret = dm_cursor_real(c, "returning", NAN);
        e->has_population = isfinite(pop) || isfinite(ret);
        e->population = isfinite(pop) && pop > 0 ? (long)pop : 0;
        e->returning = isfinite(ret) && ret > 0 ? (long)ret : 0;
        e->people = e->population + e->returning;
        e->lon = e->lat = NAN;
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) == DM_OK && g) {
            const char *d = dm__district_at(u->polys, g);
            dm__strlcpy(e->district, d ? d : "", sizeof e->district);
            /* the layers are stored in WGS 84: the point, or the polygon's
             * centroid, is its longitude and latitude */
            double x, y;
            if (!dm_geom_is_empty(g) && dm_geom_centroid_xy(g, &x, &y) && isfinite(x) && isfinite(y))
                e->lon = x, e->lat = y;
        }
        dm_geom_free(g);
        st = place_of(u, c, p);
        if (st) {
            dm_cursor_free(c);
            return dm__wrap(u->ctx, "settlement %s", e->name);
        }
    }
    dm_cursor_free(c);
    (void)r;
    return rc < 0 ? dm_ctx_errcode(u->ctx) : DM_OK;
}

/* The land left to release of an open hazard, as the plan counts it: its
 * remaining_area_ha, else its estimate (else its polygon's area) less the
 * land released from it. */
static double hazard_ha(dm_ctx *ctx, dm_cursor *c, const dm_hazard_released *rel, size_t n_rel)
{
    double rem = dm_cursor_real(c, "remaining_area_ha", NAN);
    if (isfinite(rem))
        return rem > 0 ? rem : 0;
    double est = dm_cursor_real(c, "est_area_ha", NAN);
    if (!isfinite(est)) {
        dm_geom *g = NULL;
        est = 0;
        if (dm_cursor_geom(c, &g) == DM_OK && g && dm_geom_area_ha(ctx, g, &est))
            est = 0, dm_ctx_clear_error(ctx);
        dm_geom_free(g);
    }
    const dm_hazard_released *r = dm_hazard_released_find(rel, n_rel, dm_cursor_uuid(c));
    double v = est - (r ? r->ha : 0);
    return v > 0 ? v : 0;
}

static dm_status read_hazards(run *u)
{
    dm_hazard_released *rel = NULL;
    size_t n_rel = 0;
    dm_status st = dm_hazards_released(u->s, &rel, &n_rel);
    if (st)
        return st;
    dm_cursor *c = NULL;
    st = dm_store_select(u->s, "hazards", NULL, &c);
    size_t cap = 0;
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *status = dm_cursor_text(c, "status");
        if (status && *status && strcmp(status, "open") && strcmp(status, "partly_released"))
            continue;
        if (u->n_h == cap) {
            size_t nc = cap ? cap * 2 : 256;
            hz *v = dm_realloc(u->ctx, u->h, nc * sizeof *v);
            if (!v) {
                st = oom(u->ctx);
                break;
            }
            u->h = v;
            cap = nc;
        }
        hz *h = &u->h[u->n_h];
        memset(h, 0, sizeof *h);
        const char *ref = dm_cursor_text(c, "ref");
        dm__strlcpy(h->ref, ref && *ref ? ref : dm_cursor_uuid(c), sizeof h->ref);
        h->ha = hazard_ha(u->ctx, c, rel, n_rel);
        h->items = dm_cursor_real(c, "expected_items", NAN);
        if (isfinite(h->items) && h->items < 0)
            h->items = NAN;
        st = place_of(u, c, &h->p);
        if (!st)
            u->n_h++;
        else
            st = dm__wrap(u->ctx, "hazard %s", h->ref);
    }
    dm_cursor_free(c);
    dm_free(u->ctx, rel);
    return st ? st : rc < 0 ? dm_ctx_errcode(u->ctx) : DM_OK;
}

static dm_status read_accidents(run *u, const char *from, const char *to)
{
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(u->s, "accidents", NULL, &c);
    size_t cap = 0;
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *date = dm_cursor_text(c, "date");
        if (!date || strcmp(date, from) <= 0 || strcmp(date, to) > 0)
            continue;
        if (dm_cursor_real(c, "demining", 0) == 1)
            continue; /* deminers at work: risk education is for the others */
        if (u->n_a == cap) {
            size_t nc = cap ? cap * 2 : 64;
            acc *v = dm_realloc(u->ctx, u->a, nc * sizeof *v);
            if (!v) {
                st = oom(u->ctx);
                break;
            }
            u->a = v;
            cap = nc;
        }
        acc *a = &u->a[u->n_a];
        memset(a, 0, sizeof *a);
        double k = dm_cursor_real(c, "killed", 0), i = dm_cursor_real(c, "injured", 0);
        a->killed = k > 0 && k < 1e6 ? (int)k : 0;
        a->injured = i > 0 && i < 1e6 ? (int)i : 0;
        st = place_of(u, c, &a->p);
        if (!st && a->p.g)
            u->n_a++;
        else
            dm_geom_free(a->p.g);
    }
    dm_cursor_free(c);
    return st ? st : rc < 0 ? dm_ctx_errcode(u->ctx) : DM_OK;
}

static long count_of(dm_cursor *c, const char *f)
{
    double v = dm_cursor_real(c, f, 0);
    return v > 0 && v < 1e9 ? (long)v : 0;
}

static dm_status read_sessions(run *u, dm_eore_result *r)
{
    if (!r->has_layer)
        return DM_OK;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(u->s, "eore_sessions", NULL, &c);
    size_t cap = 0;
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *date = dm_cursor_text(c, "date");
        char d[11];
        if (!date || !dm_date_parse(date, d))
            continue; /* check names it */
        if (u->n_e == cap) {
            size_t nc = cap ? cap * 2 : 64;
            ses *v = dm_realloc(u->ctx, u->e, nc * sizeof *v);
            if (!v) {
                st = oom(u->ctx);
                break;
            }
            u->e = v;
            cap = nc;
        }
        ses *e = &u->e[u->n_e];
        memset(e, 0, sizeof *e);
        memcpy(e->date, d, 11);
        const char *v = dm_cursor_text(c, "settlement");
        dm__strlcpy(e->settlement, v ? v : "", sizeof e->settlement);
        v = dm_cursor_text(c, "district");
        dm__strlcpy(e->district, v ? v : "", sizeof e->district);
        e->men = count_of(c, "men");
        e->women = count_of(c, "women");
        e->boys = count_of(c, "boys");
        e->girls = count_of(c, "girls");
        e->settle = -1;
        st = place_of(u, c, &e->p);
        if (!st)
            u->n_e++;
        if (strcmp(d, r->newest) > 0)
            memcpy(r->newest, d, 11);
    }
    dm_cursor_free(c);
    return st ? st : rc < 0 ? dm_ctx_errcode(u->ctx) : DM_OK;
}

/* Which settlement each session is of: the one its field settlement names
 * (any case; of several of that name, the one of its district, else the
 * nearest to its point), else the nearest within DM_EORE_MATCH_M of its
 * point. */
static void match_sessions(run *u, dm_eore_result *r)
{
    for (size_t i = 0; i < u->n_e; i++) {
        ses *e = &u->e[i];
        long best = -1;
        double bd = INFINITY;
        int best_district = 0;
        if (e->settlement[0])
            for (size_t k = 0; k < u->n_set; k++) {
                if (!same_name(e->settlement, u->sv[k].name))
                    continue;
                int in_d = e->district[0] && same_name(e->district, u->sv[k].district);
                double d = near(&e->p, &u->set[k], INFINITY);
                if (best < 0 || in_d > best_district || (in_d == best_district && d < bd))
                    best = (long)k, bd = d, best_district = in_d;
            }
        if (best < 0 && e->p.g)
            for (size_t k = 0; k < u->n_set; k++) {
                double d = near(&e->p, &u->set[k], DM_EORE_MATCH_M);
                if (d <= DM_EORE_MATCH_M && d < bd)
                    best = (long)k, bd = d;
            }
        e->settle = best;
        if (best < 0) {
            if (!r->sessions_unmatched++)
                snprintf(r->first_unmatched, sizeof r->first_unmatched, "%.10s%s%.100s%s", e->date,
                         e->settlement[0] ? " in '" : "", e->settlement,
                         e->settlement[0] ? "'" : " (no settlement named)");
            continue;
        }
        dm_eore_settlement *s = &u->sv[best];
        s->sessions_ever++;
        if (strcmp(e->date, s->last_session) > 0)
            memcpy(s->last_session, e->date, 11);
        if (strcmp(e->date, r->since) >= 0) {
            r->sessions_since++;
            s->sessions++;
            s->men += e->men, s->women += e->women, s->boys += e->boys, s->girls += e->girls;
            long n = e->men + e->women + e->boys + e->girls;
            s->reached += n;
            r->reached_people += n;
        }
    }
}

static int cmp_rank(const void *pa, const void *pb)
{
    const dm_eore_settlement *a = pa, *b = pb;
    if (a->is_reached != b->is_reached)
        return a->is_reached - b->is_reached;
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    if (a->danger != b->danger)
        return a->danger > b->danger ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The district name as the database writes it, or a refusal naming the
 * known ones. */
static dm_status find_district(run *u, const char *name, char *out, size_t n)
{
    static const char *const where[2][2] = {{"districts", "name"}, {"hazards", "district"}};
    for (int w = 0; w < 2; w++) {
        dm_cursor *c = NULL;
        dm_status st = dm_store_select(u->s, where[w][0], NULL, &c);
        if (st)
            return st;
        int found = 0;
        while (!found && dm_cursor_next(c) == 1) {
            const char *v = dm_cursor_text(c, where[w][1]);
            if (v && same_name(v, name)) {
                dm__strlcpy(out, v, n);
                found = 1;
            }
        }
        dm_cursor_free(c);
        if (found)
            return DM_OK;
    }
    char known[800], known_hz[800];
    dm__rep_known_names(u->s, "districts", "name", NULL, known, sizeof known);
    dm__rep_known_names(u->s, "hazards", "district", NULL, known_hz, sizeof known_hz);
    return dm__fail(u->ctx, DM_ENOTFOUND,
                    "%s: no district '%s' in layer districts (field name) nor in layer hazards (field district); "
                    "known: in districts %s; in hazards %s",
                    dm_store_path(u->s), name, known, known_hz);
}

static void run_free(run *u)
{
    for (size_t i = 0; i < u->n_set; i++)
        dm_geom_free(u->set[i].g);
    for (size_t i = 0; i < u->n_h; i++)
        dm_geom_free(u->h[i].p.g);
    for (size_t i = 0; i < u->n_a; i++)
        dm_geom_free(u->a[i].p.g);
    for (size_t i = 0; i < u->n_e; i++)
        dm_geom_free(u->e[i].p.g);
    dm_free(u->ctx, u->set);
    dm_free(u->ctx, u->sv);
    dm_free(u->ctx, u->h);
    dm_free(u->ctx, u->a);
    dm_free(u->ctx, u->e);
    dm_transform_free(u->t);
    dm__district_polys_free(u->polys);
}

dm_status dm_eore_rank(dm_store *s, const dm_eore_opts *o, dm_eore_result *r)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(r, 0, sizeof *r);
    dm_eore_opts def = {0};
    if (!o)
        o = &def;
    double km = o->within_km == 0 ? 2.0 : o->within_km;
    if (!(km > 0) || !isfinite(km))
        return dm__fail(ctx, DM_EINVAL, "the distance must be more than 0 km (it is %g)", o->within_km);
    r->within_km = km;
    double dist = km * 1000.0;
    if (o->date) {
        if (!dm_date_parse(o->date, r->date))
            return dm__fail(ctx, DM_EINVAL, "'%s' is not a valid date (YYYY-MM-DD)", o->date);
    } else
        today(r->date);
    if (o->since && !dm_date_parse(o->since, r->since))
        return dm__fail(ctx, DM_EINVAL, "'%s' is not a valid date (YYYY-MM-DD)", o->since);
    r->has_layer = dm_store_has_layer(s, "eore_sessions");

    run u = {0};
    u.ctx = ctx;
    u.s = s;
    char crs[32];
    dm_status st = dm__district_polys_load(s, &u.polys);
    if (!st && o->district)
        st = find_district(&u, o->district, r->district, sizeof r->district);
    if (!st)
        st = pick_zone(&u, crs);
    if (!st)
        st = dm_transform_new(ctx, "EPSG:4326", crs, &u.t);
    if (!st)
        st = read_settlements(&u, r);
    if (!st && !u.n_set)
        st = dm__fail(ctx, DM_ENOTFOUND,
                      "%s: no settlement in layer features (class settlement): import the settlements "
                      "with their population first (demine import DB --layer features FILE --set class=settlement)",
                      dm_store_path(s));
    if (!st) {
        size_t in = 0;
        for (size_t i = 0; i < u.n_set; i++)
            in += !r->district[0] || same_name(u.sv[i].district, r->district);
        if (!in)
            st = dm__fail(ctx, DM_ENOTFOUND,
                          "%s: no settlement in the district %s (layer features, class settlement, inside "
                          "the district's polygon)",
                          dm_store_path(s), r->district);
    }
    if (!st)
        st = read_hazards(&u);
    years_before(r->date, DM_EORE_ACCIDENT_YEARS, r->accidents_from);
    if (!st)
        st = read_accidents(&u, r->accidents_from, r->date);
    if (!st)
        st = read_sessions(&u, r);
    if (st) {
        run_free(&u);
        return st;
    }
    r->sessions = u.n_e;
    if (!r->since[0] && r->newest[0])
        years_before(r->newest, 2, r->since);
    match_sessions(&u, r);
    char *map = NULL;
    if (dm_store_meta_get(s, "risk_map", &map) == DM_OK && map)
        dm__strlcpy(r->risk_map, map, sizeof r->risk_map);
    dm_free(ctx, map);
    dm_ctx_clear_error(ctx);

    /* the danger around each settlement */
    int any_items = 0;
    for (size_t k = 0; k < u.n_h && !any_items; k++)
        any_items = isfinite(u.h[k].items);
    r->by_hectares = !any_items;
    unsigned char *counted = u.n_h ? dm_calloc(ctx, u.n_h, 1) : NULL;
    if (u.n_h && !counted) {
        run_free(&u);
        return oom(ctx);
    }
    r->v = dm_calloc(ctx, u.n_set ? u.n_set : 1, sizeof *r->v);
    if (!r->v) {
        dm_free(ctx, counted);
        run_free(&u);
        return oom(ctx);
    }
    for (size_t i = 0; i < u.n_set; i++) {
        dm_eore_settlement *e = &u.sv[i];
        if (r->district[0] && !same_name(e->district, r->district))
            continue;
        r->settlements++;
        if (!u.set[i].g) {
            r->no_geometry++;
            continue;
        }
        for (size_t k = 0; k < u.n_h; k++) {
            if (near(&u.set[i], &u.h[k].p, dist) > dist)
                continue;
            e->hazards++;
            e->remaining_ha += u.h[k].ha;
            if (isfinite(u.h[k].items))
                e->expected_items += u.h[k].items;
            else {
                e->hazards_unmapped++;
                if (!counted[k]++ && !r->hazards_unmapped++)
                    dm__strlcpy(r->first_unmapped, u.h[k].ref, sizeof r->first_unmapped);
            }
        }
        for (size_t k = 0; k < u.n_a; k++) {
            if (near(&u.set[i], &u.a[k].p, dist) > dist)
                continue;
            e->accidents++;
            e->killed += u.a[k].killed;
            e->injured += u.a[k].injured;
        }
        if (!e->hazards && !e->accidents)
            continue; /* no danger near it */
        e->danger = (r->by_hectares ? e->remaining_ha : e->expected_items) +
                    DM_EORE_ACCIDENT_WEIGHT * e->accidents;
        e->is_reached = e->sessions > 0;
        e->priority = e->is_reached ? 0 : (double)e->people * e->danger;
        if (!e->has_population)
            snprintf(e->note, sizeof e->note, "no population recorded: priority 0 until it is");
        else if (!e->people)
            snprintf(e->note, sizeof e->note, "population 0: nobody recorded as living there");
        else if (!e->is_reached && e->sessions_ever)
            snprintf(e->note, sizeof e->note, "last reached %.10s, before %.10s", e->last_session, r->since);
        if (e->hazards_unmapped && !r->by_hectares) {
            size_t l = strlen(e->note);
            snprintf(e->note + l, sizeof e->note - l, "%s%d hazard%s without expected_items", l ? "; " : "",
                     e->hazards_unmapped, e->hazards_unmapped == 1 ? "" : "s");
        }
        r->v[r->n++] = *e;
        if (e->is_reached)
            r->reached++;
        else {
            r->not_reached++;
            r->people_not_reached += e->people;
        }
    }
    dm_free(ctx, counted);
    if (r->n)
        qsort(r->v, r->n, sizeof *r->v, cmp_rank);
    int rank = 0;
    for (size_t i = 0; i < r->n; i++)
        r->v[i].rank = r->v[i].is_reached ? 0 : ++rank;
    run_free(&u);
    return DM_OK;
}

void dm_eore_result_free(dm_ctx *ctx, dm_eore_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->v);
    r->v = NULL;
    r->n = 0;
}

static json_t *jstr(const char *s) { return s && *s ? json_string(s) : json_null(); }

static double round1(double v) { return round(v * 10) / 10; }

/* A coordinate in degrees to 6 decimals (about 0.1 m), or null. */
static json_t *jdeg(double v) { return isfinite(v) ? json_real(round(v * 1e6) / 1e6) : json_null(); }

dm_status dm_eore_json(dm_ctx *ctx, const dm_eore_result *r, char **json)
{
    *json = NULL;
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "within_km", json_real(r->within_km));
    json_object_set_new(root, "date", jstr(r->date));
    json_object_set_new(root, "since", jstr(r->since));
    json_object_set_new(root, "accidents_after", jstr(r->accidents_from));
    json_object_set_new(root, "district", jstr(r->district));
    json_object_set_new(root, "danger", json_string(r->by_hectares ? "remaining_ha" : "expected_items"));
    json_object_set_new(root, "accident_weight", json_real(DM_EORE_ACCIDENT_WEIGHT));
    json_object_set_new(root, "risk_map", jstr(r->risk_map));
    json_object_set_new(root, "settlements", json_integer((json_int_t)r->settlements));
    json_object_set_new(root, "near_danger", json_integer((json_int_t)r->n));
    json_object_set_new(root, "reached", json_integer((json_int_t)r->reached));
    json_object_set_new(root, "not_reached", json_integer((json_int_t)r->not_reached));
    json_object_set_new(root, "people_not_reached", json_integer(r->people_not_reached));
    json_object_set_new(root, "sessions", json_integer((json_int_t)r->sessions));
    json_object_set_new(root, "sessions_since", json_integer((json_int_t)r->sessions_since));
    json_object_set_new(root, "sessions_unmatched", json_integer((json_int_t)r->sessions_unmatched));
    json_object_set_new(root, "hazards_without_expected_items", json_integer((json_int_t)r->hazards_unmapped));
    for (size_t i = 0; i < r->n; i++) {
        const dm_eore_settlement *e = &r->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "rank", e->rank ? json_integer(e->rank) : json_null());
        json_object_set_new(o, "uuid", json_string(e->uuid));
        json_object_set_new(o, "name", json_string(e->name));
        json_object_set_new(o, "district", jstr(e->district));
        json_object_set_new(o, "lon", jdeg(e->lon));
        json_object_set_new(o, "lat", jdeg(e->lat));
        json_object_set_new(o, "population", e->has_population ? json_integer(e->population) : json_null());
        json_object_set_new(o, "returning", e->has_population ? json_integer(e->returning) : json_null());
        json_object_set_new(o, "people", json_integer(e->people));
        json_object_set_new(o, "hazards", json_integer(e->hazards));
        json_object_set_new(o, "remaining_ha", json_real(round(e->remaining_ha * 100) / 100));
        json_object_set_new(o, "expected_items",
                            r->by_hectares ? json_null() : json_real(round(e->expected_items * 100) / 100));
        json_object_set_new(o, "accidents", json_integer(e->accidents));
        json_object_set_new(o, "killed", json_integer(e->killed));
        json_object_set_new(o, "injured", json_integer(e->injured));
        json_object_set_new(o, "sessions", json_integer(e->sessions));
        json_object_set_new(o, "men", json_integer(e->men));
        json_object_set_new(o, "women", json_integer(e->women));
        json_object_set_new(o, "boys", json_integer(e->boys));
        json_object_set_new(o, "girls", json_integer(e->girls));
        json_object_set_new(o, "reached_people", json_integer(e->reached));
        json_object_set_new(o, "last_session", jstr(e->last_session));
        json_object_set_new(o, "reached", json_boolean(e->is_reached));
        json_object_set_new(o, "danger", json_real(round(e->danger * 100) / 100));
        json_object_set_new(o, "priority", json_real(round1(e->priority)));
        json_object_set_new(o, "note", jstr(e->note));
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "ranking", arr);
    char *out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!out)
        return oom(ctx);
    *json = dm_strdup(ctx, out);
    free(out);
    return *json ? DM_OK : oom(ctx);
}
