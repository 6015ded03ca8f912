/* SPDX-License-Identifier: MIT
 *
 * demo_write.c -- stores the generated scenario: converts every geometry
 * from UTM 38N to WGS 84 and inserts the rows layer by layer through the
 * public store API, in an order that lets references resolve (records
 * before the truth that points at them, hazards before activities).
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct wr {
    dd_world *w;
    dm_store *s;
    dm_transform *t;
    dm_row *row;
    const dm_layer_def *layer;
    double *tmp;
    size_t tmp_cap;
    uint64_t done, total;
    long count;
    dm_status set_err; /* first failure setting a value of the current row */
} wr;

static const char *const status_name[4] = {"open", "partly_released", "closed", "handed_over"};

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static dm_status begin(wr *o, const char *layer)
{
    dm_row_free(o->row);
    o->layer = dm_layer_find(layer);
    o->row = o->layer ? dm_row_new(o->w->ctx, o->layer) : NULL;
    o->count = 0;
    if (!o->layer)
        return dm__fail(o->w->ctx, DM_EINTERNAL, "demo: no layer %s", layer);
    return o->row ? DM_OK : oom(o->w);
}

static dm_status put(wr *o, const char *uuid)
{
    dm_status st = o->set_err ? o->set_err : dm_row_set_uuid(o->row, uuid);
    o->set_err = DM_OK;
    if (!st)
        st = dm_store_insert(o->s, o->row, NULL);
    dm_row_clear(o->row);
    if (st)
        return dm__wrap(o->w->ctx, "demo: %s row %ld", o->layer->name, o->count + 1);
    o->count++;
    dm__progress(o->w->ctx, "demo: writing", ++o->done, o->total);
    return DM_OK;
}

static void chk(wr *o, dm_status st)
{
    if (st && !o->set_err)
        o->set_err = st;
}

#define SET(f, v) chk(o, dm_row_set(o->row, f, v))
#define SETR(f, v) chk(o, dm_row_set_real(o->row, f, v))
#define SETI(f, v) chk(o, dm_row_set_int(o->row, f, v))

static void set_date(wr *o, const char *f, long days)
{
    char d[11];
    dd_date_str(days, d);
    SET(f, d);
}

static double *to_wgs(wr *o, const double *xy, int n)
{
    if ((size_t)n * 2 > o->tmp_cap) {
        size_t nc = (size_t)n * 2 + 64;
        double *p = dm_realloc(o->w->ctx, o->tmp, nc * 2 * sizeof(double));
        if (!p)
            return NULL;
        o->tmp = p;
        o->tmp_cap = nc;
    }
    double *x = o->tmp, *y = o->tmp + o->tmp_cap;
    for (int i = 0; i < n; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
    }
    if (dm_transform_xy(o->t, x, y, (size_t)n))
        return NULL;
    /* interleave back into the second half's space: use a fresh pass */
    double *out = dm_malloc(o->w->ctx, (size_t)n * 2 * sizeof(double));
    if (!out)
        return NULL;
    for (int i = 0; i < n; i++) {
        out[2 * i] = round(x[i] * 1e8) / 1e8;
        out[2 * i + 1] = round(y[i] * 1e8) / 1e8;
    }
    return out;
}

static dm_status geom_pts(wr *o, const double *xy, int n, int kind)
{
    for (int i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return dm__fail(o->w->ctx, DM_EINTERNAL, "demo: %s row %ld: non-finite coordinate",
                            o->layer->name, o->count + 1);
    double *p = to_wgs(o, xy, n);
    if (!p)
        return dm_ctx_errcode(o->w->ctx) ? dm_ctx_errcode(o->w->ctx) : oom(o->w);
    dm_geom *g = NULL;
    dm_status st = kind == 0 ? dm_geom_point(o->w->ctx, p[0], p[1], &g)
                   : kind == 1 ? dm_geom_linestring(o->w->ctx, p, (size_t)n, &g)
                               : dm_geom_polygon(o->w->ctx, p, (size_t)n, &g);
    dm_free(o->w->ctx, p);
    if (st)
        return st;
    dm_row_set_geom(o->row, g);
    return DM_OK;
}

static dm_status geom_point(wr *o, double x, double y)
{
    double xy[2] = {x, y};
    return geom_pts(o, xy, 1, 0);
}

static dm_status geom_utm(wr *o, const dm_geom *g)
{
    dm_geom *out = NULL;
    dm_status st = dm_geom_transform(o->w->ctx, o->t, g, &out);
    if (st)
        return st;
    dm_geom_type ty = dm_geom_type_of(out);
    if ((ty != DM_GEOM_POLYGON && ty != DM_GEOM_MULTIPOLYGON) ||
        !dm_geom_is_valid(out, NULL, 0, NULL, NULL)) {
        /* a zero buffer keeps the polygonal parts and mends them */
        dm_geom *v = NULL;
        st = dm_geom_buffer(o->w->ctx, out, 0, &v);
        dm_geom_free(out);
        if (st)
            return st;
        out = v;
    }
    dm_row_set_geom(o->row, out);
    return DM_OK;
}

/* ------------------------------------------------------------------ */

static dm_status w_base(wr *o)
{
    dd_world *w = o->w;
    static const struct {
        const char *name, *kind, *country;
    } orgs[] = {
        {"ANAMA", "national", "Azerbaijan"},
        {"ANAMA Mine Detection Dog Centre", "national", "Azerbaijan"},
        {"MoD Engineering Troops", "military", "Azerbaijan"},
        {"Ministry of Emergency Situations", "national", "Azerbaijan"},
        {"Qaya Demining", "ngo", "Azerbaijan"},
        {"Safe Point", "ngo", "Azerbaijan"},
        {"Azerbaijan Demining Company", "commercial", "Azerbaijan"},
        {"UNDP Azerbaijan", "un", "Azerbaijan"},
    };
    dm_status st = begin(o, "organisations");
    for (size_t i = 0; i < sizeof orgs / sizeof *orgs && !st; i++) {
        char uuid[37];
        dd_uuid(&w->ids, uuid);
        SET("name", orgs[i].name);
        SET("kind", orgs[i].kind);
        SET("country", orgs[i].country);
        st = put(o, uuid);
    }
    if (!st)
        st = begin(o, "districts");
    for (size_t i = 0; i < w->districts.n && !st; i++) {
        dd_district *d = &w->districts.v[i];
        long pop = 0;
        for (size_t k = 0; k < w->settlements.n; k++)
            if (w->settlements.v[k].district == (int)i)
                pop += w->settlements.v[k].population + w->settlements.v[k].returning;
        SET("name", d->name);
        SET("code", d->code);
        SETI("population", pop);
        st = geom_pts(o, d->ring.xy, d->ring.n, 2);
        if (!st)
            st = put(o, d->uuid);
    }
    return st;
}

static dm_status w_features(wr *o)
{
    dd_world *w = o->w;
    char uuid[37];
    dm_status st = begin(o, "features");
    for (size_t i = 0; i < w->settlements.n && !st; i++) {
        const dd_settlement *s = &w->settlements.v[i];
        dd_pts ring;
        st = dd_blob(w, &ring, s->x, s->y, s->r, 24, 0.2);
        SET("class", "settlement");
        SET("name", s->name);
        SET("subtype", s->population + s->returning > 5000 ? "town" : "village");
        SETI("population", s->population);
        SETI("returning", s->returning);
        if (!st)
            st = geom_pts(o, ring.xy, ring.n, 2);
        if (!st)
            st = put(o, s->uuid);
    }
    for (size_t i = 0; i < w->houses.n && !st; i++) {
        const dd_house *h = &w->houses.v[i];
        dd_pts r;
        st = dd_rect(w, &r, h->x, h->y, cos(h->ang), sin(h->ang), 6, 4.5);
        SET("class", "house");
        SET("name", w->settlements.v[h->settlement].name);
        SET("subtype", w->settlements.v[h->settlement].west ? "damaged house" : "house");
        dd_uuid(&w->ids, uuid);
        if (!st)
            st = geom_pts(o, r.xy, r.n, 2);
        if (!st)
            st = put(o, uuid);
    }
    static const char *const road_sub[3] = {"primary road", "secondary road", "track"};
    for (size_t i = 0; i < w->roads.n && !st; i++) {
        const dd_line *l = &w->roads.v[i];
        SET("class", l->cls == 2 ? "track" : "road");
        SET("name", l->name);
        SET("subtype", road_sub[l->cls]);
        dd_uuid(&w->ids, uuid);
        st = geom_pts(o, l->p.xy, l->p.n, 1);
        if (!st)
            st = put(o, uuid);
    }
    for (size_t i = 0; i < w->rivers.n && !st; i++) {
        SET("class", "river");
        SET("name", w->rivers.v[i].name);
        dd_uuid(&w->ids, uuid);
        st = geom_pts(o, w->rivers.v[i].p.xy, w->rivers.v[i].p.n, 1);
        if (!st)
            st = put(o, uuid);
    }
    for (size_t i = 0; i < w->bridges.n && !st; i++) {
        const dd_bridge *b = &w->bridges.v[i];
        char name[128];
        snprintf(name, sizeof name, "bridge over the %s", w->rivers.v[b->river].name);
        SET("class", "bridge");
        SET("name", name);
        dd_uuid(&w->ids, uuid);
        st = geom_point(o, b->x, b->y);
        if (!st)
            st = put(o, uuid);
    }
    for (size_t i = 0; i < w->cemeteries.n && !st; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s cemetery", w->settlements.v[w->cemeteries.v[i].settlement].name);
        SET("class", "cemetery");
        SET("name", name);
        dd_uuid(&w->ids, uuid);
        st = geom_pts(o, w->cemeteries.v[i].ring.xy, w->cemeteries.v[i].ring.n, 2);
        if (!st)
            st = put(o, uuid);
    }
    if (!st) {
        SET("class", "front_line");
        SET("name", "line of contact 1994-2020");
        dd_uuid(&w->ids, uuid);
        st = geom_pts(o, w->front.xy, w->front.n, 1);
        if (!st)
            st = put(o, uuid);
    }
    for (size_t i = 0; i + 1 < w->positions.n && !st; i += 2) {
        SET("class", "military_position");
        SET("subtype", "former trenches and firing points");
        dd_uuid(&w->ids, uuid);
        st = geom_point(o, w->positions.v[i], w->positions.v[i + 1]);
        if (!st)
            st = put(o, uuid);
    }
    return st;
}

static dm_status w_records(wr *o)
{
    dd_world *w = o->w;
    char uuid[37];
    dm_status st = begin(o, "records");
    for (size_t i = 0; i < w->records.n && !st; i++) {
        const dd_record *rc = &w->records.v[i];
        double rx = rc->refx, ry = rc->refy;
        st = dm_transform_xy(o->t, &rx, &ry, 1);
        SET("ref", rc->ref);
        SET("source", rc->source);
        set_date(o, "laid_date", rc->laid);
        set_date(o, "handed_over", rc->handed);
        SET("mine_types", rc->mine_types);
        SETI("mines_at", rc->mines_at);
        SETI("mines_ap", rc->mines_ap);
        SETR("ref_x", round(rx * 1e7) / 1e7);
        SETR("ref_y", round(ry * 1e7) / 1e7);
        SET("notes", rc->notes);
        if (!st)
            st = geom_pts(o, rc->ring.xy, rc->ring.n, 2);
        if (!st)
            st = put(o, rc->uuid);
    }
    if (!st)
        st = begin(o, "record_rows");
    for (size_t i = 0; i < w->recrows.n && !st; i++) {
        const dd_recrow *r = &w->recrows.v[i];
        double xy[4] = {r->x0, r->y0, r->x1, r->y1};
        SET("record_id", w->records.v[r->rec].uuid);
        SETI("row_no", r->row_no);
        SET("category", dd_cat_name[r->cat]);
        SET("mine_type", r->model);
        SETI("count", r->count);
        SETR("spacing_m", r->sp);
        dd_uuid(&w->ids, uuid);
        st = geom_pts(o, xy, 2, 1);
        if (!st)
            st = put(o, uuid);
    }
    if (!st)
        st = begin(o, "record_mines");
    for (size_t i = 0; i < w->recmines.n && !st; i++) {
        const dd_recmine *m = &w->recmines.v[i];
        SET("record_id", w->records.v[m->rec].uuid);
        SETI("row_no", m->row_no);
        SET("category", dd_cat_name[m->cat]);
        SET("mine_type", m->model);
        dd_uuid(&w->ids, uuid);
        st = geom_point(o, m->x, m->y);
        if (!st)
            st = put(o, uuid);
    }
    return st;
}

static dm_status w_truth(wr *o)
{
    dd_world *w = o->w;
    dm_status st = begin(o, "truth_minefields");
    for (size_t i = 0; i < w->mfs.n && !st; i++) {
        const dd_minefield *m = &w->mfs.v[i];
        SET("pattern", dd_pattern_name[m->pattern]);
        if (m->record >= 0)
            SET("record_id", w->records.v[m->record].uuid);
        SETI("mines", (long long)m->count);
        if (m->pattern == PAT_DOCTRINAL) {
            SETR("spacing_m", round(m->row[0].sp * 100) / 100);
            SETI("rows", m->nrows);
        }
        st = geom_pts(o, m->ring.xy, m->ring.n, 2);
        if (!st)
            st = put(o, m->uuid);
    }
    if (!st)
        st = begin(o, "truth_items");
    for (size_t i = 0; i < w->items.n && !st; i++) {
        const dd_item *it = &w->items.v[i];
        SET("category", dd_cat_name[it->cat]);
        SET("model", it->model);
        SET("pattern", dd_pattern_name[it->pattern]);
        if (it->mf >= 0)
            SET("minefield_id", w->mfs.v[it->mf].uuid);
        if (it->row > 0)
            SETI("row_no", it->row);
        SETR("depth_cm", round(it->depth * 10) / 10);
        st = geom_point(o, it->x, it->y);
        if (!st)
            st = put(o, it->uuid);
    }
    return st;
}

static dm_status w_hazards(wr *o)
{
    dd_world *w = o->w;
    char uuid[37];
    dm_status st = begin(o, "hazards");
    for (size_t i = 0; i < w->hazards.n && !st; i++) {
        const dd_hazard *h = &w->hazards.v[i];
        char grade[2] = {h->grade, 0}, cls[3] = {'M', (char)('0' + h->classification), 0};
        SET("ref", h->ref);
        SET("name", h->name);
        SET("hazard_type", h->cha ? "CHA" : "SHA");
        SET("status", status_name[h->status]);
        SET("ordnance", h->ordnance);
        SETI("reliability", h->reliability);
        SET("source_grade", grade);
        SET("classification", cls);
        SETR("est_area_ha", round(h->area_ha * 100) / 100);
        SETR("remaining_area_ha", round((h->area_ha - h->released_ha) * 100) / 100);
        if (h->district >= 0)
            SET("district", w->districts.v[h->district].name);
        SET("settlement", h->settlement);
        SET("organisation", h->org);
        set_date(o, "reported_date", h->reported);
        SET("notes", h->notes);
        st = geom_pts(o, h->ring.xy, h->ring.n, 2);
        if (!st)
            st = put(o, h->uuid);
    }
    if (!st)
        st = begin(o, "hazard_status");
    for (size_t i = 0; i < w->hstatus.n && !st; i++) {
        const dd_hstatus *s = &w->hstatus.v[i];
        SET("hazard_id", w->hazards.v[s->hazard].uuid);
        set_date(o, "date", s->date);
        if (s->from >= 0)
            SET("from_status", status_name[s->from]);
        SET("to_status", status_name[s->to]);
        SET("reason", s->reason);
        dd_uuid(&w->ids, uuid);
        st = put(o, uuid);
    }
    return st;
}

static dm_status w_activities(wr *o)
{
    dd_world *w = o->w;
    char uuid[37];
    static const char *const outcome[3] = {"cancelled", "reduced", "cleared"};
    dm_status st = begin(o, "activities");
    for (size_t i = 0; i < w->acts.n && !st; i++) {
        const dd_activity *a = &w->acts.v[i];
        SET("ref", a->ref);
        SET("activity_type", dd_act_name[a->type]);
        set_date(o, "start_date", a->start);
        set_date(o, "end_date", a->end);
        SET("organisation", a->org);
        SET("method", a->method);
        if (a->hazard >= 0)
            SET("hazard_id", w->hazards.v[a->hazard].uuid);
        if (a->a_cancel > 0) SETR("area_cancelled_ha", round(a->a_cancel * 1000) / 1000);
        if (a->a_reduce > 0) SETR("area_reduced_ha", round(a->a_reduce * 1000) / 1000);
        if (a->a_clear > 0) SETR("area_cleared_ha", round(a->a_clear * 1000) / 1000);
        if (a->depth > 0) SETR("depth_cm", a->depth);
        SET("status", a->draft ? "draft" : "approved");
        SET("notes", a->notes);
        if (a->geom)
            st = geom_utm(o, a->geom);
        if (!st)
            st = put(o, a->uuid);
    }
    if (!st)
        st = begin(o, "activity_hazards");
    for (size_t i = 0; i < w->links.n && !st; i++) {
        SET("activity_id", w->acts.v[w->links.v[i].activity].uuid);
        SET("hazard_id", w->hazards.v[w->links.v[i].hazard].uuid);
        dd_uuid(&w->ids, uuid);
        st = put(o, uuid);
    }
    if (!st)
        st = begin(o, "release_areas");
    for (size_t i = 0; i < w->releases.n && !st; i++) {
        const dd_release *r = &w->releases.v[i];
        const dd_activity *a = &w->acts.v[r->activity];
        SET("activity_id", a->uuid);
        if (r->hazard >= 0)
            SET("hazard_id", w->hazards.v[r->hazard].uuid);
        SET("outcome", outcome[r->outcome]);
        SET("method", a->method);
        set_date(o, "date", r->date);
        if (a->depth > 0)
            SETR("depth_cm", a->depth);
        st = geom_utm(o, a->geom);
        if (!st) {
            SETR("area_ha", round(dm_geom_area(a->geom) / 10) / 1000);
        }
        if (!st)
            st = put(o, r->uuid);
    }
    if (!st)
        st = begin(o, "items");
    static const char *const cond[] = {"armed", "armed", "armed", "unknown", "damaged", "unarmed"};
    for (size_t i = 0; i < w->found.n && !st; i++) {
        const dd_found *f = &w->found.v[i];
        const dd_item *it = &w->items.v[f->item];
        SET("category", dd_cat_name[it->cat]);
        SET("model", it->model);
        SET("condition", cond[dd_int(&w->rng, 0, 5)]);
        SETR("depth_cm", round(it->depth + dd_normal(&w->rng)));
        double k = dd_unif(&w->rng);
        SET("fate", k < 0.65 ? "destroyed_in_situ" : k < 0.95 ? "removed" : "demolished");
        set_date(o, "found_date", f->date);
        SET("activity_id", w->acts.v[f->activity].uuid);
        if (f->hazard >= 0)
            SET("hazard_id", w->hazards.v[f->hazard].uuid);
        SETI("quantity", 1);
        st = geom_point(o, f->x, f->y);
        if (!st)
            st = put(o, f->uuid);
    }
    return st;
}

static dm_status w_accidents(wr *o)
{
    dd_world *w = o->w;
    static const char *const cat[3] = {"civilian", "deminer", "military"};
    dm_status st = begin(o, "accidents");
    for (size_t i = 0; i < w->accidents.n && !st; i++) {
        const dd_accident *a = &w->accidents.v[i];
        const dd_item *it = &w->items.v[a->item];
        set_date(o, "date", a->date);
        SET("device", it->model);
        SET("ordnance", dd_cat_name[it->cat]);
        SET("activity_at_time", a->doing);
        SETI("killed", a->killed);
        SETI("injured", a->injured);
        SET("demining", a->demining ? "1" : "0");
        if (a->district >= 0)
            SET("district", w->districts.v[a->district].name);
        SET("settlement", a->settlement);
        st = geom_point(o, a->x, a->y);
        if (!st)
            st = put(o, a->uuid);
    }
    if (!st)
        st = begin(o, "victims");
    for (size_t i = 0; i < w->victims.n && !st; i++) {
        const dd_victim *v = &w->victims.v[i];
        SET("accident_id", w->accidents.v[v->accident].uuid);
        SET("name", v->name);
        SET("sex", v->female ? "female" : "male");
        SET("age_group", v->age < 18 ? "child" : v->age > 60 ? "elderly" : "adult");
        SETI("age", v->age);
        SET("category", cat[v->category]);
        SET("outcome", v->killed ? "killed" : "injured");
        SET("activity", v->doing);
        st = put(o, v->uuid);
    }
    return st;
}

static dm_status w_events(wr *o)
{
    dd_world *w = o->w;
    dm_status st = begin(o, "events");
    for (size_t i = 0; i < w->reports.n && !st; i++) {
        const dd_report *r = &w->reports.v[i];
        SET("kind", r->founded || dd_chance(&w->rng, 0.5) ? "report" : "suspected");
        set_date(o, "date", r->date);
        SET("ordnance", dd_cat_name[r->cat]);
        if (r->district >= 0)
            SET("department", w->districts.v[r->district].name);
        SET("municipality", r->settlement);
        SET("source", dd_chance(&w->rng, 0.5) ? "ANAMA hotline" : "community liaison");
        st = geom_point(o, r->x, r->y);
        if (!st)
            st = put(o, r->uuid);
    }
    return st;
}

/* A field report awaiting review that proposes a new hazard: a
 * non-technical survey found a real minefield no hazard covers (as over
 * half of accidents happen outside the recorded areas). Approving it on the
 * staff map or with `demine reports` creates the hazard. Written last, from
 * no random draw of the scenario's: the rest of the demo is unchanged. 1
 * when written, 0 when every minefield of the scenario lies in a hazard. */
static dm_status w_proposal(wr *o, int *written)
{
    dd_world *w = o->w;
    *written = 0;
    int pick = -1;
    for (size_t m = 0; m < w->mfs.n && pick < 0; m++) {
        const dd_minefield *f = &w->mfs.v[m];
        if (f->pattern != PAT_DOCTRINAL || f->count < 5)
            continue;
        int covered = 0;
        for (size_t h = 0; h < w->hazards.n && !covered; h++) {
            const dd_hazard *hz = &w->hazards.v[h];
            if (f->b[0] > hz->b[2] || f->b[2] < hz->b[0] || f->b[1] > hz->b[3] || f->b[3] < hz->b[1])
                continue;
            for (size_t i = f->first; i < f->first + f->count && !covered; i++)
                covered = dd_pip(hz->ring.xy, hz->ring.n, w->items.v[i].x, w->items.v[i].y);
            covered |= dd_pip(hz->ring.xy, hz->ring.n, (f->b[0] + f->b[2]) / 2, (f->b[1] + f->b[3]) / 2);
        }
        if (!covered)
            pick = (int)m;
    }
    if (pick < 0)
        return DM_OK;
    const dd_minefield *f = &w->mfs.v[pick];
    double cx = (f->b[0] + f->b[2]) / 2, cy = (f->b[1] + f->b[3]) / 2;
    /* the area the team marked: the minefield's box and 30 m about it */
    double m = 30, ring[10] = {f->b[0] - m, f->b[1] - m, f->b[2] + m, f->b[1] - m, f->b[2] + m, f->b[3] + m,
                               f->b[0] - m, f->b[3] + m, f->b[0] - m, f->b[1] - m};
    int si = dd_nearest_settlement(w, cx, cy, NULL);
    const char *place = si >= 0 ? w->settlements.v[si].name : "";
    int dc = dd_district_at(w, cx, cy);
    const char *code = dc >= 0 ? w->districts.v[dc].code : "KRB";
    long end = 0;
    for (size_t i = 0; i < w->acts.n; i++)
        if (w->acts.v[i].end > end)
            end = w->acts.v[i].end;
    end += 3;
    const char *org = w->acts.n ? w->acts.v[w->acts.n - 1].org : "ANAMA";
    char ref[32], uuid[37], name[120];
    snprintf(ref, sizeof ref, "%s-NTS-9001", code);
    dd_uuid(&w->ids, uuid);
    /* the report: a draft non-technical survey of that area */
    dm_status st = begin(o, "activities");
    SET("ref", ref);
    SET("activity_type", "nts");
    set_date(o, "start_date", end - 1);
    set_date(o, "end_date", end);
    SET("organisation", org);
    SET("method", "interview");
    SET("status", "draft");
    SET("notes", "field report: residents point out mined ground no hazard covers; a new suspected area proposed");
    if (!st)
        st = geom_pts(o, ring, 5, 2);
    if (!st)
        st = put(o, uuid);
    /* the hazard it proposes, checked as a new hazard is */
    dm_row *hz = st ? NULL : dm_row_new(w->ctx, dm_layer_find("hazards"));
    if (!st && !hz)
        st = oom(w);
    char *feature = NULL;
    if (!st) {
        snprintf(name, sizeof name, "%s%sreported minefield", place, *place ? " " : "");
        char hzref[32];
        snprintf(hzref, sizeof hzref, "%s-SHA-9001", code);
        dm_row *keep = o->row;
        o->row = hz;
        SET("ref", hzref);
        SET("name", name);
        SET("hazard_type", "SHA");
        SET("status", "open");
        SET("ordnance", "AP,AT");
        SET("organisation", org);
        SET("settlement", place);
        if (dc >= 0)
            SET("district", w->districts.v[dc].name);
        set_date(o, "reported_date", end);
        SET("notes", "proposed by a non-technical survey; residents' account");
        st = o->set_err ? o->set_err : geom_pts(o, ring, 5, 2);
        o->set_err = DM_OK;
        o->row = keep;
    }
    if (!st)
        st = dm_proposal_check(o->s, hz, &feature);
    if (!st)
        st = dm_proposal_put(o->s, uuid, feature);
    dm_free(w->ctx, feature);
    dm_row_free(hz);
    if (!st)
        *written = 1;
    return st;
}

static dm_status meta_num(dm_store *s, const char *key, double v)
{
    char b[64];
    snprintf(b, sizeof b, "%.4f", v);
    return dm_store_meta_set(s, key, b);
}

dm_status dd_write(dd_world *w, dm_store *s, dm_demo_summary *sum)
{
    wr o = {w, s, NULL, NULL, NULL, NULL, 0, 0, 0, 0, DM_OK};
    o.total = 8 + w->districts.n + w->settlements.n + w->houses.n + w->roads.n + w->rivers.n +
              w->bridges.n + w->cemeteries.n + 1 + w->positions.n / 2 + w->records.n +
              w->recrows.n + w->recmines.n + w->mfs.n + w->items.n + w->hazards.n +
              w->hstatus.n + w->acts.n + w->links.n + w->releases.n + w->found.n +
              w->accidents.n + w->victims.n + w->reports.n;
    dm_status st = dm_transform_new(w->ctx, "EPSG:32638", "EPSG:4326", &o.t);
    if (st)
        return st;
    /* outside-record share of accidents, final */
    size_t outside = 0;
    for (size_t i = 0; i < w->accidents.n; i++)
        outside += !dd_in_record(w, w->accidents.v[i].x, w->accidents.v[i].y);
    w->outside_records = w->accidents.n ? (double)outside / (double)w->accidents.n : 0;
    st = w_base(&o);
    if (!st)
        st = w_features(&o);
    if (!st)
        st = w_records(&o);
    if (!st)
        st = w_truth(&o);
    if (!st)
        st = w_hazards(&o);
    if (!st)
        st = w_activities(&o);
    if (!st)
        st = w_accidents(&o);
    if (!st)
        st = w_events(&o);
    long sens[3] = {0, 0, 0};
    if (!st)
        st = dd_write_sensors(w, s, o.t, sens);
    int proposal = 0;
    if (!st)
        st = w_proposal(&o, &proposal);
    char b[32];
    if (!st) st = dm_store_meta_set(s, "demo_scale", w->scale ? "national" : "small");
    snprintf(b, sizeof b, "%llu", (unsigned long long)w->seed);
    if (!st) st = dm_store_meta_set(s, "demo_seed", b);
    if (!st) st = dm_store_meta_set(s, "demo_crs", "EPSG:32638");
    if (!st) st = meta_num(s, "demo_record_accuracy_5m", w->accuracy_5m);
    if (!st) st = meta_num(s, "demo_record_accuracy_target", 0.25);
    if (!st) st = meta_num(s, "demo_accidents_outside_records", w->outside_records);
    if (!st) st = meta_num(s, "demo_hazard_mined_share", w->mined_share);
    if (!st) st = meta_num(s, "demo_items_in_hazards", w->items_in_hazards);
    if (!st) st = meta_num(s, "demo_clearance_detection", 0.996);
    dm_row_free(o.row);
    dm_free(w->ctx, o.tmp);
    dm_transform_free(o.t);
    if (!st && sum) {
        sum->area_km2 = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
        sum->organisations = 8;
        sum->districts = (long)w->districts.n;
        sum->features = (long)(w->settlements.n + w->houses.n + w->roads.n + w->rivers.n +
                               w->bridges.n + w->cemeteries.n + 1 + w->positions.n / 2);
        sum->truth_minefields = (long)w->mfs.n;
        sum->truth_items = (long)w->items.n;
        sum->records = (long)w->records.n;
        sum->record_rows = (long)w->recrows.n;
        sum->record_mines = (long)w->recmines.n;
        sum->hazards = (long)w->hazards.n;
        sum->hazard_status = (long)w->hstatus.n;
        sum->activities = (long)w->acts.n + proposal;
        sum->proposals = proposal;
        sum->activity_hazards = (long)w->links.n;
        sum->release_areas = (long)w->releases.n;
        sum->items = (long)w->found.n;
        sum->accidents = (long)w->accidents.n;
        sum->victims = (long)w->victims.n;
        sum->events = (long)w->reports.n;
        sum->sensors = sens[0];
        sum->flights = sens[1];
        sum->detections = sens[2];
        sum->record_accuracy_5m = w->accuracy_5m;
        sum->accidents_outside_records = w->outside_records;
        sum->hazard_mined_share = w->mined_share;
        sum->items_in_hazards = w->items_in_hazards;
    }
    return st;
}
