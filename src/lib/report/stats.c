/* SPDX-License-Identifier: MIT
 *
 * stats.c -- land release statistics computed from the database through the
 * public cursor API, built as JSON with jansson.
 *
 * Areas come from the polygons (hectares in the local UTM zone) unless a
 * hazard records its own estimate; the grouping dimension (district, year,
 * method, organisation) is resolved through the links between layers: a
 * release area's district is its hazard's, its organisation its activity's.
 */
#include "core/dm_internal.h"
#include "district/district_internal.h"
#include "report/report_internal.h"
#include "demine/dm_eore.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int dm_stats_by_parse(const char *s)
{
    if (!s || !*s || !strcmp(s, "none"))
        return DM_STATS_BY_NONE;
    if (!strcmp(s, "district"))
        return DM_STATS_BY_DISTRICT;
    if (!strcmp(s, "year"))
        return DM_STATS_BY_YEAR;
    if (!strcmp(s, "method"))
        return DM_STATS_BY_METHOD;
    if (!strcmp(s, "organisation") || !strcmp(s, "organization"))
        return DM_STATS_BY_ORGANISATION;
    return -1;
}

/* ------------------------- small lookup tables ------------------------- */

typedef struct kv {
    char key[37];
    char a[256], b[256], c[256]; /* hazards: district, organisation, group; activities: org, method, type */
    /* hazards open without remaining_area_ha: their estimate, type and the
     * land released from them (subtract_released) */
    int no_remaining;
    char type[8];
    double est_ha, released_ha;
    int out;  /* hazards: of a district not counted (rep_scope) */
    int used; /* activities: a release area or find of theirs is counted */
} kv;

typedef struct table {
    kv *v;
    size_t n, cap;
} table;

static kv *table_add(table *t, const char *key)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        kv *d = realloc(t->v, cap * sizeof *d);
        if (!d)
            return NULL;
        t->v = d;
        t->cap = cap;
    }
    kv *e = &t->v[t->n++];
    memset(e, 0, sizeof *e);
    dm__strlcpy(e->key, key, sizeof e->key);
    return e;
}

static int cmp_kv(const void *a, const void *b) { return strcmp(((const kv *)a)->key, ((const kv *)b)->key); }

static const kv *table_get(const table *t, const char *key)
{
    if (!key || !t->n)
        return NULL;
    kv probe;
    dm__strlcpy(probe.key, key, sizeof probe.key);
    return bsearch(&probe, t->v, t->n, sizeof *t->v, cmp_kv);
}

typedef struct ctxs {
    dm_store *s;
    dm_ctx *ctx;
    dm_stats_by by;
    table hazards, activities;
    dm_district_polys *districts; /* a row's district: dm__district_of */
    const rep_scope *scope; /* the districts counted, or NULL: all */
    json_t *root, *groups;
} ctxs;

int dm__rep_in_scope(const rep_scope *sc, const char *district)
{
    if (!sc || !sc->n)
        return 1;
    int named = 0;
    for (size_t k = 0; k < sc->n && !named; k++)
        named = district && !dm__strcasecmp(district, sc->names[k]);
    return sc->exclude ? !named : named;
}

static int in_scope(const ctxs *c, const char *district) { return dm__rep_in_scope(c->scope, district); }

static const char *district_at(ctxs *c, const dm_geom *g) { return dm__district_at(c->districts, g); }

/* A figure as JSON: a count (a whole number of a key that is no area,
 * "..._ha") as an integer, "accidents": 5 and not 5.0; an area as a real. */
static json_t *figure(const char *key, double v)
{
    size_t n = strlen(key);
    int area = n >= 3 && !strcmp(key + n - 3, "_ha");
    if (!area && v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static void add_num(json_t *obj, const char *key, double v)
{
    json_t *cur = json_object_get(obj, key);
    double old = cur ? json_number_value(cur) : 0;
    json_object_set_new(obj, key, figure(key, old + v));
}

static json_t *sub(json_t *obj, const char *key)
{
    json_t *o = json_object_get(obj, key);
    if (!o) {
        o = json_object();
        json_object_set_new(obj, key, o);
    }
    return o;
}

/* A group's name as a JSON key: valid UTF-8 (jansson refuses a key that is
 * not, and the group's figures would be lost), each invalid byte replaced by
 * '?', cut on a character to fit the tables' fields (sizeof kv.a), so that a
 * long name read whole from one layer and cut from another is one group. */
static void group_key(const char *s, char *out, size_t n)
{
    const size_t lim = (n < sizeof(((kv *)0)->a) ? n : sizeof(((kv *)0)->a)) - 1;
    const size_t len = strlen(s);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t k = dm__utf8_char((const char *)p);
        size_t at = (size_t)(p - (const unsigned char *)s);
        if (!k && len == lim && len - at < 4)
            break; /* a character cut where a table's field ended */
        size_t w = k ? k : 1;
        if (o + w > lim)
            break;
        if (k)
            memcpy(out + o, p, k);
        else
            out[o] = '?';
        o += w;
        p += w;
    }
    out[o] = 0;
}

static json_t *group(ctxs *c, const char *name)
{
    if (!c->groups)
        return NULL;
    char key[sizeof(((kv *)0)->a)];
    group_key(name && *name ? name : "(unknown)", key, sizeof key);
    return sub(c->groups, key);
}

static void year_of(const char *date, char out[16])
{
    if (date && strlen(date) >= 4) {
        memcpy(out, date, 4);
        out[4] = '\0';
    } else
        dm__strlcpy(out, "(no date)", 16);
}

/* First method of a comma list. */
static void first_method(const char *m, char out[96])
{
    if (!m || !*m) {
        dm__strlcpy(out, "(unknown)", 96);
        return;
    }
    dm__strlcpy(out, m, 96);
    char *comma = strchr(out, ',');
    if (comma)
        *comma = '\0';
}

/* ------------------------------- layers ------------------------------- */

static dm_status load_districts(ctxs *c) { return dm__district_polys_load(c->s, &c->districts); }

static dm_status do_hazards(ctxs *c, double *remaining_total)
{
    json_t *hz = sub(c->root, "hazards");
    json_object_set_new(hz, "count", json_integer(0));
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "hazards", NULL, &cur);
    if (st)
        return st;
    int rc;
    long n_in = 0;
    while ((rc = dm_cursor_next(cur)) == 1) {
        dm_geom *g = NULL;
        dm_cursor_geom(cur, &g);
        double ha = dm_cursor_real(cur, "est_area_ha", NAN);
        if (!isfinite(ha)) {
            ha = 0;
            if (g)
                dm_geom_area_ha(c->ctx, g, &ha);
        }
        const char *status = dm_cursor_text(cur, "status");
        if (!status)
            status = "open";
        double rem = dm_cursor_real(cur, "remaining_area_ha", NAN);
        if (!isfinite(rem))
            rem = (!strcmp(status, "open") || !strcmp(status, "partly_released")) ? ha : 0;
        const char *type = dm_cursor_text(cur, "hazard_type");
        const char *district = dm__district_of(c->districts, dm_cursor_text(cur, "district"), g);
        const char *org = dm_cursor_text(cur, "organisation");
        kv *e = table_add(&c->hazards, dm_cursor_uuid(cur));
        /* a hazard of another district: kept in the table, for the district
         * of its release areas and items, and counted nowhere */
        int out = !in_scope(c, district);
        if (e) {
            e->out = out;
            dm__strlcpy(e->a, district ? district : "", sizeof e->a);
            dm__strlcpy(e->b, org ? org : "", sizeof e->b);
            e->no_remaining = !isfinite(dm_cursor_real(cur, "remaining_area_ha", NAN)) &&
                              (!strcmp(status, "open") || !strcmp(status, "partly_released"));
            e->est_ha = ha;
            dm__strlcpy(e->type, type ? type : "SHA", sizeof e->type);
        }
        if (out) {
            dm_geom_free(g);
            continue;
        }
        n_in++;
        json_t *t = sub(sub(hz, "by_type"), type ? type : "SHA");
        add_num(t, "count", 1);
        add_num(t, "area_ha", ha);
        add_num(t, "remaining_ha", rem);
        json_t *s = sub(sub(hz, "by_status"), status);
        add_num(s, "count", 1);
        add_num(s, "area_ha", ha);
        *remaining_total += rem;
        char year[16];
        year_of(dm_cursor_text(cur, "reported_date"), year);
        const char *gname = c->by == DM_STATS_BY_DISTRICT       ? district
                            : c->by == DM_STATS_BY_ORGANISATION ? org
                            : c->by == DM_STATS_BY_YEAR         ? year
                                                                : NULL;
        if (e && gname && c->by != DM_STATS_BY_METHOD)
            dm__strlcpy(e->c, gname, sizeof e->c);
        json_t *gr = c->by == DM_STATS_BY_METHOD ? NULL : group(c, gname);
        if (gr) {
            add_num(gr, "hazards", 1);
            add_num(gr, type && !strcmp(type, "CHA") ? "cha_ha" : "sha_ha", ha);
            add_num(gr, "remaining_ha", rem);
        }
        dm_geom_free(g);
    }
    dm_cursor_free(cur);
    json_object_set_new(hz, "count", json_integer(n_in));
    json_object_set_new(hz, "remaining_ha", json_real(*remaining_total));
    if (c->hazards.n)
        qsort(c->hazards.v, c->hazards.n, sizeof(kv), cmp_kv);
    return rc < 0 ? dm_ctx_errcode(c->ctx) : DM_OK;
}

/* An open hazard without remaining_area_ha that land was released from
 * (release areas imported after it): what is left is its estimate less
 * that land, not the whole estimate (`demine check` names such hazards). */
static void subtract_released(ctxs *c, double *remaining_total)
{
    json_t *hz = sub(c->root, "hazards");
    for (size_t i = 0; i < c->hazards.n; i++) {
        kv *e = &c->hazards.v[i];
        if (!e->no_remaining || !(e->released_ha > 0) || e->out)
            continue;
        double off = e->released_ha < e->est_ha ? e->released_ha : e->est_ha;
        *remaining_total -= off;
        add_num(sub(sub(hz, "by_type"), e->type), "remaining_ha", -off);
        json_t *gr = c->by == DM_STATS_BY_METHOD || c->by == DM_STATS_BY_NONE ? NULL : group(c, e->c[0] ? e->c : NULL);
        if (gr)
            add_num(gr, "remaining_ha", -off);
    }
    json_object_set_new(hz, "remaining_ha", json_real(*remaining_total));
}

static dm_status do_activities(ctxs *c)
{
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "activities", NULL, &cur);
    if (st)
        return st;
    int rc;
    json_t *acts = sub(c->root, "activities");
    while ((rc = dm_cursor_next(cur)) == 1) {
        const char *status = dm_cursor_text(cur, "status");
        if (status && strcmp(status, "approved")) {
            /* drafts and rejected field reports do not count: how many,
             * for those who count the rows; of some districts, those whose
             * hazard is of them, else whose land lies in them (a report
             * names no district of its own) */
            int in = 1;
            if (c->scope) {
                const kv *hz = table_get(&c->hazards, dm_cursor_text(cur, "hazard_id"));
                if (hz && hz->a[0])
                    in = in_scope(c, hz->a);
                else {
                    dm_geom *g = NULL;
                    dm_cursor_geom(cur, &g);
                    in = in_scope(c, district_at(c, g));
                    dm_geom_free(g);
                }
            }
            if (in)
                add_num(sub(c->root, "not_approved"), strcmp(status, "rejected") ? "drafts" : "rejected", 1);
            continue;
        }
        kv *e = table_add(&c->activities, dm_cursor_uuid(cur));
        const char *org = dm_cursor_text(cur, "organisation");
        char m[96];
        first_method(dm_cursor_text(cur, "method"), m);
        const char *t = dm_cursor_text(cur, "activity_type");
        if (e) {
            dm__strlcpy(e->a, org ? org : "", sizeof e->a);
            dm__strlcpy(e->b, m, sizeof e->b);
            dm__strlcpy(e->c, t ? t : "(unknown)", sizeof e->c);
        }
        if (!c->scope) /* of some districts: those with a release or find there, below */
            add_num(acts, t ? t : "(unknown)", 1);
    }
    dm_cursor_free(cur);
    if (c->activities.n)
        qsort(c->activities.v, c->activities.n, sizeof(kv), cmp_kv);
    return rc < 0 ? dm_ctx_errcode(c->ctx) : DM_OK;
}

/* One release area as counted: its route, where it goes in the tables,
 * and (after overlaps are taken out) the hectares it adds. */
typedef struct rel_row {
    char hazard[37];
    int rank; /* 0 cleared, 1 reduced, 2 cancelled, 3 outcome unknown */
    char date[16];
    char key[48], year[16], method[96];
    const kv *act;
    const char *district;
    dm_geom *g;
    double ha;
} rel_row;

static const char *release_keys[] = {"cancelled_ha", "reduced_ha", "cleared_ha", "unknown_ha"};

static json_t *release_row(json_t *tbl, const char *name)
{
    json_t *o = sub(tbl, name);
    for (int i = 0; i < 4; i++)
        if (!json_object_get(o, release_keys[i]))
            json_object_set_new(o, release_keys[i], json_real(0));
    return o;
}

/* Land is counted once (dm_release_count): within a hazard (release areas
 * without one form one group) the part of a polygon already counted is
 * taken out, the routes taken in the order cleared, reduced, cancelled,
 * outcome unknown, and within a route the earlier release first. Where
 * nothing overlaps every polygon counts whole. */
static dm_status take_out_overlaps(ctxs *c, rel_row *r, size_t n)
{
    if (!n)
        return DM_OK;
    dm_release_piece *p = calloc(n, sizeof *p);
    if (!p)
        return dm__fail(c->ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        p[i].hazard = r[i].hazard;
        p[i].rank = r[i].rank;
        p[i].date = r[i].date;
        p[i].g = r[i].g;
        p[i].ha = r[i].ha;
    }
    dm_status st = dm_release_count(c->ctx, p, n);
    for (size_t i = 0; !st && i < n; i++)
        r[i].ha = p[i].ha;
    free(p);
    return st;
}

static dm_status do_release(ctxs *c, double *released_total)
{
    json_t *rel = sub(c->root, "released");
    for (int i = 0; i < 3; i++)
        json_object_set_new(rel, release_keys[i], json_real(0));
    json_t *by_year = sub(c->root, "released_by_year");
    json_t *by_method = sub(c->root, "released_by_method");
    const dm_field_def *outcome_f = dm_field_find(dm_layer_find("release_areas"), "outcome");
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "release_areas", NULL, &cur);
    if (st)
        return st;
    rel_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = dm_cursor_next(cur)) == 1) {
        const char *aid = dm_cursor_text(cur, "activity_id");
        const kv *act = table_get(&c->activities, aid);
        if (aid && !act)
            continue; /* its activity is a draft */
        if (act && !strcmp(act->c, "qc"))
            continue; /* an inspection releases nothing: the task it checks did */
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            rel_row *nr = realloc(rows, nc * sizeof *nr);
            if (!nr) {
                st = dm__fail(c->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            rows = nr;
            cap = nc;
        }
        rel_row *r = &rows[n];
        memset(r, 0, sizeof *r);
        n++;
        r->act = act;
        dm_cursor_geom(cur, &r->g);
        if (r->g)
            dm_geom_area_ha(c->ctx, r->g, &r->ha);
        /* An outcome another tool wrote ("Cleared ", "clearance") is taken
         * as the store would take it; one it would refuse, or none, is
         * counted apart so that the routes and the total add up. */
        const char *outcome = dm_cursor_text(cur, "outcome");
        char norm[32];
        if (!outcome || dm_field_normalise(c->ctx, outcome_f, outcome, norm, sizeof norm))
            dm__strlcpy(norm, "unknown", sizeof norm);
        snprintf(r->key, sizeof r->key, "%s_ha", norm);
        r->rank = dm_release_rank(norm);
        const char *hid = dm_cursor_text(cur, "hazard_id");
        dm__strlcpy(r->hazard, hid ? hid : "", sizeof r->hazard);
        const char *date = dm_cursor_text(cur, "date");
        dm__strlcpy(r->date, date ? date : "9999", sizeof r->date);
        year_of(date, r->year);
        const char *m = dm_cursor_text(cur, "method");
        if (m)
            first_method(m, r->method);
        else
            dm__strlcpy(r->method, act ? act->b : "(unknown)", sizeof r->method);
        const kv *hz = table_get(&c->hazards, hid);
        r->district = hz && hz->a[0] ? hz->a : district_at(c, r->g);
    }
    dm_cursor_free(cur);
    dm_ctx_clear_error(c->ctx); /* outcomes that did not normalise */
    if (!st && rc < 0)
        st = dm_ctx_errcode(c->ctx);
    if (!st)
        st = take_out_overlaps(c, rows, n);
    for (size_t i = 0; !st && i < n; i++) {
        rel_row *r = &rows[i];
        kv *h = (kv *)table_get(&c->hazards, r->hazard);
        if (h && h->no_remaining)
            h->released_ha += r->ha;
        /* after the overlaps are taken out, as the table by district has it */
        if (!in_scope(c, r->district))
            continue;
        if (r->act)
            ((kv *)r->act)->used = 1;
        add_num(rel, r->key, r->ha);
        *released_total += r->ha;
        add_num(sub(by_year, r->year), r->key, r->ha);
        add_num(sub(by_method, r->method), r->key, r->ha);
        const char *gname = c->by == DM_STATS_BY_DISTRICT       ? r->district
                            : c->by == DM_STATS_BY_ORGANISATION ? (r->act ? r->act->a : NULL)
                            : c->by == DM_STATS_BY_YEAR         ? r->year
                                                                : r->method;
        json_t *gr = group(c, gname);
        if (gr)
            add_num(gr, r->key, r->ha);
    }
    /* with outcomes missing or unknown, every row of the tables by year
     * and method has the four columns (so that each adds up) */
    if (json_object_get(rel, "unknown_ha")) {
        const char *k;
        json_t *v;
        json_object_foreach(by_year, k, v)
            release_row(by_year, k);
        json_object_foreach(by_method, k, v)
            release_row(by_method, k);
    }
    for (size_t i = 0; i < n; i++)
        dm_geom_free(rows[i].g);
    free(rows);
    json_object_set_new(rel, "total_ha", json_real(*released_total));
    return st;
}

static dm_status do_items(ctxs *c)
{
    json_t *it = sub(c->root, "items");
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "items", NULL, &cur);
    if (st)
        return st;
    int rc;
    double total = 0;
    while ((rc = dm_cursor_next(cur)) == 1) {
        const kv *act = table_get(&c->activities, dm_cursor_text(cur, "activity_id"));
        /* its district: its hazard's, else the district it lies in */
        const char *dist = NULL;
        if (c->by == DM_STATS_BY_DISTRICT || c->scope) {
            const kv *hz = table_get(&c->hazards, dm_cursor_text(cur, "hazard_id"));
            if (hz && hz->a[0])
                dist = hz->a;
            else {
                dm_geom *g = NULL;
                dm_cursor_geom(cur, &g);
                dist = district_at(c, g);
                dm_geom_free(g);
            }
            if (!in_scope(c, dist))
                continue;
        }
        if (dm_cursor_text(cur, "activity_id") && !act) {
            add_num(sub(c->root, "not_approved"), "items", 1);
            continue;
        }
        if (act)
            ((kv *)act)->used = 1;
        double q = dm_cursor_real(cur, "quantity", 1);
        const char *cat = dm_cursor_text(cur, "category");
        char year[16];
        year_of(dm_cursor_text(cur, "found_date"), year);
        add_num(sub(it, "by_category"), cat ? cat : "other", q);
        add_num(sub(sub(it, "by_year"), year), cat ? cat : "other", q);
        total += q;
        const char *gname = NULL;
        if (c->by == DM_STATS_BY_DISTRICT)
            gname = dist;
        else if (c->by == DM_STATS_BY_YEAR)
            gname = year;
        else if (c->by == DM_STATS_BY_METHOD)
            gname = act ? act->b : NULL;
        else if (c->by == DM_STATS_BY_ORGANISATION)
            gname = act ? act->a : NULL;
        json_t *gr = group(c, gname);
        if (gr)
            add_num(gr, "items", q);
    }
    dm_cursor_free(cur);
    json_object_set_new(it, "total", figure("total", total));
    return rc < 0 ? dm_ctx_errcode(c->ctx) : DM_OK;
}

static dm_status do_casualties(ctxs *c)
{
    json_t *acc = sub(c->root, "accidents");
    table years = {0};
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "accidents", NULL, &cur);
    if (st)
        return st;
    int rc;
    long n = 0;
    while ((rc = dm_cursor_next(cur)) == 1) {
        const char *district = dm_cursor_text(cur, "district");
        /* its district: its own field, else the district it lies in */
        const char *at = NULL;
        if (!district && (c->by == DM_STATS_BY_DISTRICT || c->scope)) {
            dm_geom *g = NULL;
            dm_cursor_geom(cur, &g);
            at = district_at(c, g);
            dm_geom_free(g);
        }
        if (!in_scope(c, district ? district : at))
            continue; /* and its victims with it */
        n++;
        char year[16];
        year_of(dm_cursor_text(cur, "date"), year);
        kv *e = table_add(&years, dm_cursor_uuid(cur));
        if (e)
            dm__strlcpy(e->a, year, sizeof e->a);
        if (e)
            dm__strlcpy(e->b, district ? district : "", sizeof e->b);
        json_t *y = sub(sub(acc, "by_year"), year);
        add_num(y, "accidents", 1);
        int demining = (int)dm_cursor_real(cur, "demining", 0);
        if (demining)
            add_num(y, "demining_accidents", 1);
        else if (e)
            e->c[0] = 'n'; /* civilian or military: as its victims say, below */
        json_t *gr = NULL;
        if (c->by == DM_STATS_BY_YEAR)
            gr = group(c, year);
        else if (c->by == DM_STATS_BY_DISTRICT) {
            const char *d = district ? district : at;
            if (e && d && !district)
                dm__strlcpy(e->b, d, sizeof e->b);
            gr = group(c, d);
        }
        if (gr)
            add_num(gr, "accidents", 1);
    }
    dm_cursor_free(cur);
    json_object_set_new(acc, "count", json_integer(n));
    if (years.n)
        qsort(years.v, years.n, sizeof(kv), cmp_kv);
    if (rc < 0) {
        free(years.v);
        return dm_ctx_errcode(c->ctx);
    }
    json_t *vic = sub(c->root, "victims");
    static const char *keys[] = {"total", "killed", "injured", "civilian", "deminer", "military",
                                 "female", "male", "children"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        json_object_set_new(vic, keys[i], json_integer(0));
    st = dm_store_select(c->s, "victims", NULL, &cur);
    if (st) {
        free(years.v);
        return st;
    }
    while ((rc = dm_cursor_next(cur)) == 1) {
        kv *a = (kv *)table_get(&years, dm_cursor_text(cur, "accident_id"));
        if (c->scope && !a)
            continue; /* of an accident of another district, or of none recorded */
        const char *outcome = dm_cursor_text(cur, "outcome");
        const char *cat = dm_cursor_text(cur, "category");
        const char *sex = dm_cursor_text(cur, "sex");
        const char *age = dm_cursor_text(cur, "age_group");
        add_num(vic, "total", 1);
        if (outcome)
            add_num(vic, outcome, 1);
        add_num(vic, cat ? cat : "civilian", 1);
        if (sex && strcmp(sex, "unknown"))
            add_num(vic, sex, 1);
        /* a child: by age group, or by age (under 18) where the group is
         * not given (a form that asks the age alone) */
        double years_old = dm_cursor_real(cur, "age", NAN);
        if (age && strcmp(age, "unknown") ? !strcmp(age, "child") : isfinite(years_old) && years_old < 18)
            add_num(vic, "children", 1);
        if (a && a->c[0] == 'n' && a->c[1] != 'C')
            a->c[1] = !cat || !strcmp(cat, "civilian") ? 'C' : 'O';
        if (a) {
            json_t *y = sub(sub(acc, "by_year"), a->a);
            if (outcome)
                add_num(y, outcome, 1);
            add_num(y, cat ? cat : "civilian", 1);
        }
        json_t *gr = NULL;
        if (a && c->by == DM_STATS_BY_YEAR)
            gr = group(c, a->a);
        else if (a && c->by == DM_STATS_BY_DISTRICT)
            gr = group(c, a->b);
        if (gr)
            add_num(gr, "victims", 1);
    }
    dm_cursor_free(cur);
    /* an accident outside demining is civilian when a victim was (or none is
     * recorded), military when its victims were all soldiers or deminers */
    for (size_t i = 0; rc >= 0 && i < years.n; i++)
        if (years.v[i].c[0] == 'n')
            add_num(sub(sub(acc, "by_year"), years.v[i].a),
                    years.v[i].c[1] == 'O' ? "military_accidents" : "civilian_accidents", 1);
    free(years.v);
    return rc < 0 ? dm_ctx_errcode(c->ctx) : DM_OK;
}

/* Explosive ordnance risk education: the sessions of layer eore_sessions
 * and the people they reached (men, women, boys, girls), in all, by year
 * and, by district, per district (a session's field district, else the
 * polygon holding its point), in "eore" apart from the groups of land
 * release. A database made before the layer, read-only, has none. */
static dm_status do_eore(ctxs *c)
{
    static const char *const keys[] = {"men", "women", "boys", "girls"};
    json_t *eo = sub(c->root, "eore");
    json_object_set_new(eo, "sessions", json_integer(0));
    json_object_set_new(eo, "beneficiaries", json_integer(0));
    for (size_t k = 0; k < 4; k++)
        json_object_set_new(eo, keys[k], json_integer(0));
    sub(eo, "by_year");
    if (c->by == DM_STATS_BY_DISTRICT)
        sub(eo, "by_district");
    if (!dm_store_has_layer(c->s, "eore_sessions"))
        return DM_OK;
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(c->s, "eore_sessions", NULL, &cur);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(cur)) == 1) {
        const char *district = dm_cursor_text(cur, "district");
        const char *at = NULL;
        if ((!district || !*district) && (c->by == DM_STATS_BY_DISTRICT || c->scope)) {
            dm_geom *g = NULL;
            dm_cursor_geom(cur, &g);
            at = district_at(c, g);
            dm_geom_free(g);
        }
        const char *d = district && *district ? district : at;
        if (!in_scope(c, d))
            continue;
        char year[16];
        year_of(dm_cursor_text(cur, "date"), year);
        json_t *y = sub(sub(eo, "by_year"), year);
        json_t *gd = c->by == DM_STATS_BY_DISTRICT ? sub(sub(eo, "by_district"), d && *d ? d : "(unknown)")
                                                   : NULL;
        json_t *to[3] = {eo, y, gd};
        for (int t = 0; t < 3; t++) {
            if (!to[t])
                continue;
            add_num(to[t], "sessions", 1);
            add_num(to[t], "beneficiaries", 0);
            for (size_t k = 0; k < 4; k++) {
                double v = dm_cursor_real(cur, keys[k], 0);
                if (!(v > 0) || v > 1e9)
                    v = 0;
                add_num(to[t], keys[k], v);
                add_num(to[t], "beneficiaries", v);
            }
        }
    }
    dm_cursor_free(cur);
    return rc < 0 ? dm_ctx_errcode(c->ctx) : DM_OK;
}

dm_status dm_stats_json(dm_store *s, dm_stats_by by, char **json)
{
    return dm__stats_json_scope(s, by, NULL, json, NULL, NULL);
}

dm_status dm__stats_json_scope(dm_store *s, dm_stats_by by, const rep_scope *scope, char **json,
                               char (**hazards)[37], size_t *n_hazards)
{
    *json = NULL;
    if (hazards)
        *hazards = NULL, *n_hazards = 0;
    ctxs c = {0};
    c.s = s;
    c.scope = scope && scope->n ? scope : NULL;
    c.ctx = dm_store_ctx(s);
    c.by = by;
    c.root = json_object();
    static const char *by_names[] = {"none", "district", "year", "method", "organisation"};
    json_object_set_new(c.root, "by", json_string(by_names[by]));
    if (by != DM_STATS_BY_NONE) {
        c.groups = json_object();
        json_object_set_new(c.root, "groups", c.groups);
    }
    double remaining = 0, released = 0;
    dm_status st = load_districts(&c);
    if (!st)
        st = do_hazards(&c, &remaining);
    if (!st)
        st = do_activities(&c);
    if (!st)
        st = do_release(&c, &released);
    if (!st)
        subtract_released(&c, &remaining);
    if (!st)
        st = do_items(&c);
    if (!st)
        st = do_casualties(&c);
    if (!st)
        st = do_eore(&c);
    if (!st && c.scope) {
        /* the activities with a release area or find in the districts */
        json_t *acts = sub(c.root, "activities");
        for (size_t i = 0; i < c.activities.n; i++)
            if (c.activities.v[i].used)
                add_num(acts, c.activities.v[i].c, 1);
    }
    if (!st && hazards) {
        /* the hazards counted, in uuid order as the table is */
        *hazards = dm_malloc(c.ctx, (c.hazards.n ? c.hazards.n : 1) * sizeof **hazards);
        if (!*hazards)
            st = dm__fail(c.ctx, DM_ENOMEM, "out of memory");
        for (size_t i = 0; !st && i < c.hazards.n; i++)
            if (!c.hazards.v[i].out)
                memcpy((*hazards)[(*n_hazards)++], c.hazards.v[i].key, 37);
    }
    if (!st) {
        double contaminated = remaining + released;
        json_object_set_new(c.root, "share_released",
                            contaminated > 0 ? json_real(released / contaminated) : json_null());
        char *out = json_dumps(c.root, JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
        if (!out)
            st = dm__fail(c.ctx, DM_ENOMEM, "out of memory");
        else {
            *json = dm_strdup(c.ctx, out);
            free(out);
            if (!*json)
                st = DM_ENOMEM;
        }
    }
    if (st && hazards) {
        dm_free(c.ctx, *hazards);
        *hazards = NULL, *n_hazards = 0;
    }
    json_decref(c.root);
    free(c.hazards.v);
    free(c.activities.v);
    dm__district_polys_free(c.districts);
    return st;
}

/* Whether some row of layer has name in field (any case). */
static int name_in(dm_store *s, const char *layer, const char *field, const char *name, char *as, size_t n)
{
    dm_cursor *c = NULL;
    if (dm_store_select(s, layer, NULL, &c))
        return 0;
    int found = 0;
    while (!found && dm_cursor_next(c) == 1) {
        const char *v = dm_cursor_text(c, field);
        if (v && !dm__strcasecmp(v, name)) {
            dm__strlcpy(as, v, n);
            found = 1;
        }
    }
    dm_cursor_free(c);
    return found;
}

dm_status dm_stats_json_districts(dm_store *s, dm_stats_by by, const char *const *names, size_t n,
                                  int exclude, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *json = NULL;
    if (!n)
        return dm_stats_json(s, by, json);
    char scope[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        char as[128] = "";
        if (!names[k] || !*names[k])
            return dm__fail(ctx, DM_EINVAL, "an empty district name");
        if (!name_in(s, "districts", "name", names[k], as, sizeof as) &&
            !name_in(s, "hazards", "district", names[k], as, sizeof as)) {
            char known[800], known_hz[800];
            dm__rep_known_names(s, "districts", "name", NULL, known, sizeof known);
            dm__rep_known_names(s, "hazards", "district", NULL, known_hz, sizeof known_hz);
            return dm__fail(ctx, DM_ENOTFOUND,
                            "%s: no district '%s' in layer districts (field name) nor in layer hazards "
                            "(field district); known: in districts %s; in hazards %s",
                            dm_store_path(s), names[k], known, known_hz);
        }
        int w = snprintf(scope + len, sizeof scope - len, "%s%s",
                         k == 0 ? (exclude ? "every district but " : n > 1 ? "the districts " : "the district ")
                                : k + 1 == n ? " and " : ", ",
                         as);
        if (w > 0 && (size_t)w < sizeof scope - len)
            len += (size_t)w;
    }
    rep_scope sc = {names, n, exclude};
    dm_status st = dm__stats_json_scope(s, by, &sc, json, NULL, NULL);
    if (st)
        return st;
    /* the choice named in the JSON itself */
    json_error_t err;
    json_t *j = json_loads(*json, 0, &err);
    char *out = NULL;
    if (j) {
        json_object_set_new(j, "scope", json_string(scope));
        char *t = json_dumps(j, JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
        out = t ? dm_strdup(ctx, t) : NULL;
        free(t);
        json_decref(j);
    }
    if (!out)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_free(ctx, *json);
    *json = out;
    return DM_OK;
}
