/* SPDX-License-Identifier: MIT
 *
 * demo_activities.c -- the work done on the hazards: non-technical survey
 * cancelling land, technical survey reducing it, clearance crossing real
 * minefields (partly, so that patterns are left to reconstruct) and finding
 * 99.6% of the items inside, battle area clearance and EOD spot tasks for
 * UXO, with the dated hazard life cycle that follows.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const dd_act_name[5] = {"nts", "ts", "clearance", "eod", "bac"};

static const char *const orgs[] = {"ANAMA", "ANAMA Mine Detection Dog Centre",
                                   "MoD Engineering Troops", "Qaya Demining", "Safe Point",
                                   "Azerbaijan Demining Company"};

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static const long LAST_DAY = 20392; /* 2025-10-31 */

/* ---- items inside a UTM geometry (even-odd over all rings) ---- */
typedef struct in_q {
    dd_world *w;
    dm_coords c;
    size_t *list, n, cap;
    int fail;
} in_q;

static int in_fn(void *u, size_t i)
{
    in_q *q = u;
    const dd_item *it = &q->w->items.v[i];
    int in = 0;
    for (size_t p = 0; p < q->c.n_parts; p++) {
        if (q->c.kind[p] < 2)
            continue;
        size_t s = q->c.start[p], e = q->c.start[p + 1];
        if (dd_pip(q->c.xy + 2 * s, (int)(e - s), it->x, it->y))
            in = !in;
    }
    if (!in)
        return 0;
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 64;
        size_t *nl = dm_realloc(q->w->ctx, q->list, nc * sizeof *nl);
        if (!nl) {
            q->fail = 1;
            return 1;
        }
        q->list = nl;
        q->cap = nc;
    }
    q->list[q->n++] = i;
    return 0;
}

/* Items inside g; *list (dm_free) and *n. */
static dm_status items_in(dd_world *w, const dm_geom *g, size_t **list, size_t *n)
{
    in_q q = {w, {0}, NULL, 0, 0, 0};
    *list = NULL;
    *n = 0;
    double b[4];
    if (!dm_geom_bounds(g, b))
        return DM_OK;
    dm_status st = dm_geom_coords(w->ctx, g, &q.c);
    if (st)
        return st;
    dd_items_in_box(w, b, in_fn, &q);
    dm_coords_free(w->ctx, &q.c);
    if (q.fail) {
        dm_free(w->ctx, q.list);
        return oom(w);
    }
    *list = q.list;
    *n = q.n;
    return DM_OK;
}

/* Keep only the polygonal parts of a GEOS result (drops touching lines
 * and points). */
static dm_status clean(dd_world *w, dm_geom **g)
{
    dm_geom_type t = dm_geom_type_of(*g);
    if (t == DM_GEOM_POLYGON || t == DM_GEOM_MULTIPOLYGON)
        return DM_OK;
    dm_geom *b = NULL;
    dm_status st = dm_geom_buffer(w->ctx, *g, 0, &b);
    if (st)
        return st;
    dm_geom_free(*g);
    *g = b;
    return DM_OK;
}

static int polygonal(const dm_geom *g)
{
    dm_geom_type t = dm_geom_type_of(g);
    return (t == DM_GEOM_POLYGON || t == DM_GEOM_MULTIPOLYGON) && dm_geom_area(g) > 200;
}

static dm_status geom_of(dd_world *w, const dd_pts *p, dm_geom **out)
{
    return dm_geom_polygon(w->ctx, p->xy, (size_t)p->n, out);
}

/* The polygonal part of `remain` inside the polygon p (*out; NULL when
 * there is none of more than 200 m2). */
static dm_status clip(dd_world *w, const dm_geom *remain, const dd_pts *p, dm_geom **out)
{
    dm_geom *pg = NULL;
    dm_status st = geom_of(w, p, &pg);
    if (!st)
        st = dm_geom_intersection(w->ctx, remain, pg, out);
    dm_geom_free(pg);
    if (!st && *out)
        st = clean(w, out);
    if (!st && *out && !polygonal(*out)) {
        dm_geom_free(*out);
        *out = NULL;
    }
    return st;
}

/* The part of `remain` on one side of a random cut (fraction f of its width). */
static dm_status cut_part(dd_world *w, const dm_geom *remain, double f, dm_geom **out)
{
    *out = NULL;
    double b[4];
    if (!dm_geom_bounds(remain, b))
        return DM_OK;
    double a = dd_range(&w->rng, 0, 2 * M_PI), ux = cos(a), uy = sin(a);
    double cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2, R = hypot(b[2] - b[0], b[3] - b[1]) / 2 + 10;
    /* from -R to -R + 2Rf along u */
    double hl = R * f, mid = -R + hl;
    dd_pts r;
    if (dd_rect(w, &r, cx + ux * mid, cy + uy * mid, ux, uy, hl, R))
        return DM_ENOMEM;
    return clip(w, remain, &r, out);
}

typedef struct hz_work {
    dm_geom *hz, *remain;
    double remain_ha;
    long last;
    int released;
} hz_work;

static dm_status add_status(dd_world *w, int h, long date, int from, int to, const char *why)
{
    dd_hstatus *s = DD_PUSH(w, w->hstatus);
    if (!s)
        return oom(w);
    s->hazard = h;
    s->date = date;
    s->from = from;
    s->to = to;
    s->reason = why;
    w->hazards.v[h].status = to;
    return DM_OK;
}

static dd_activity *new_act(dd_world *w, int type, int hazard, long start, long end)
{
    dd_activity *a = DD_PUSH(w, w->acts);
    if (!a)
        return NULL;
    a->type = type;
    a->hazard = hazard;
    a->start = start;
    a->end = end;
    a->draft = dd_chance(&w->rng, 0.03);
    int d = hazard >= 0 ? w->hazards.v[hazard].district : -1;
    snprintf(a->ref, sizeof a->ref, "%s-%s-%04d", d >= 0 ? w->districts.v[d].code : "KRB",
             type == ACT_NTS ? "NTS" : type == ACT_TS ? "TS" : type == ACT_CLEAR ? "CL"
             : type == ACT_EOD ? "EOD" : "BAC", (int)w->acts.n);
    int o = type == ACT_NTS ? dd_int(&w->rng, 0, 0) : type == ACT_TS ? dd_int(&w->rng, 1, 5)
                                                                      : dd_int(&w->rng, 0, 5);
    if (type == ACT_NTS && dd_chance(&w->rng, 0.3))
        o = dd_int(&w->rng, 3, 4);
    snprintf(a->org, sizeof a->org, "%s", orgs[o]);
    static const char *const clear_m[] = {"manual,mechanical", "manual,dogs", "manual",
                                          "manual,mechanical,dogs"};
    snprintf(a->method, sizeof a->method, "%s",
             type == ACT_NTS ? "interview,visual,records"
             : type == ACT_TS ? (dd_chance(&w->rng, 0.5) ? "mechanical,dogs" : "manual,dogs")
             : type == ACT_CLEAR ? clear_m[dd_int(&w->rng, 0, 3)]
             : type == ACT_EOD ? "visual" : "visual,magnetometer");
    a->depth = type == ACT_CLEAR ? (dd_chance(&w->rng, 0.5) ? 20 : 30) : type == ACT_TS ? 13 : type == ACT_BAC ? 30 : 0;
    dd_uuid(&w->ids, a->uuid);
    return a;
}

static dm_status add_release(dd_world *w, int act, int hazard, int outcome, long date)
{
    dd_release *r = DD_PUSH(w, w->releases);
    if (!r)
        return oom(w);
    r->activity = act;
    r->hazard = hazard;
    r->outcome = outcome;
    r->date = date;
    dd_uuid(&w->ids, r->uuid);
    return DM_OK;
}

static dm_status add_found(dd_world *w, size_t item, int act, int hazard, long start, long end)
{
    dd_found *f = DD_PUSH(w, w->found);
    if (!f)
        return oom(w);
    dd_item *it = &w->items.v[item];
    it->found = 1;
    f->item = (int)item;
    f->activity = act;
    f->hazard = hazard;
    f->date = start + (end > start ? dd_int(&w->rng, 0, (int)(end - start)) : 0);
    f->x = it->x + dd_range(&w->rng, -0.1, 0.1); /* surveyed with RTK GNSS */
    f->y = it->y + dd_range(&w->rng, -0.1, 0.1);
    dd_uuid(&w->ids, f->uuid);
    return DM_OK;
}

/* Take `part` out of the hazard's remaining land as one activity. */
static dm_status release(dd_world *w, int h, hz_work *hw, int type, dm_geom *part, long start, long end)
{
    dd_activity *a = new_act(w, type, h, start, end);
    if (!a) {
        dm_geom_free(part);
        return oom(w);
    }
    int ai = (int)(w->acts.n - 1);
    double ha = dm_geom_area(part) / 1e4;
    a->geom = part;
    int outcome = type == ACT_NTS ? 0 : type == ACT_TS ? 1 : 2;
    if (outcome == 0) a->a_cancel = ha;
    else if (outcome == 1) a->a_reduce = ha;
    else a->a_clear = ha;
    snprintf(a->notes, sizeof a->notes, "%s", type == ACT_NTS ? "no evidence found; land cancelled"
                                              : type == ACT_TS ? "no evidence in the survey lanes"
                                                               : "cleared to standard");
    dm_status st = add_release(w, ai, h, outcome, end);
    if (st)
        return st;
    if (type == ACT_CLEAR) {
        size_t *list = NULL, n = 0;
        st = items_in(w, part, &list, &n);
        if (st)
            return st;
        int blast = n > 0 && dd_chance(&w->rng, 0.04);
        for (size_t k = 0; k < n && !st; k++) {
            dd_item *it = &w->items.v[list[k]];
            if (it->found || it->accident)
                continue;
            if (blast) {
                blast = 0;
                st = dd_add_accident(w, list[k], start + (end - start) / 2, 1, it->x + dd_normal(&w->rng),
                                    it->y + dd_normal(&w->rng));
                continue;
            }
            if (dd_chance(&w->rng, 0.996))
                st = add_found(w, list[k], ai, h, start, end);
        }
        dm_free(w->ctx, list);
        if (st)
            return st;
        if (n)
            snprintf(w->acts.v[ai].notes, sizeof w->acts.v[ai].notes, "cleared to standard; %zu items", n);
    }
    dm_geom *rest = NULL;
    st = dm_geom_difference(w->ctx, hw->remain, part, &rest);
    if (!st)
        st = clean(w, &rest);
    if (st) {
        dm_geom_free(rest);
        return st;
    }
    dm_geom_free(hw->remain);
    hw->remain = rest;
    hw->remain_ha = dm_geom_is_empty(rest) ? 0 : dm_geom_area(rest) / 1e4;
    if (!hw->released)
        st = add_status(w, h, end, 0, 1, type == ACT_NTS ? "land cancelled by non-technical survey"
                                         : type == ACT_TS ? "land reduced by technical survey"
                                                          : "land cleared");
    hw->released = 1;
    hw->last = end;
    return st;
}

/* Does g hold an item not yet found? 1 yes, 0 no, -1 error (in ctx). */
static int holds_items(dd_world *w, const dm_geom *g, int only_mines)
{
    size_t *list = NULL, n = 0, k = 0;
    if (items_in(w, g, &list, &n))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const dd_item *it = &w->items.v[list[i]];
        if (!it->found && (!only_mines || it->cat == CAT_AP || it->cat == CAT_AT || it->cat == CAT_IED))
            k++;
    }
    dm_free(w->ctx, list);
    return k > 0;
}

/* Clearance strip across the hazard's minefield (part of its length). */
static dm_status strip(dd_world *w, const dd_hazard *h, const dm_geom *remain, dm_geom **out)
{
    *out = NULL;
    const dd_minefield *f = &w->mfs.v[h->mf];
    double omin = INFINITY, omax = -INFINITY;
    for (int r = 0; r < f->nrows; r++) {
        if (f->row[r].off < omin) omin = f->row[r].off;
        if (f->row[r].off > omax) omax = f->row[r].off;
    }
    double frac = dd_chance(&w->rng, 0.35) ? 1.1 : dd_range(&w->rng, 0.25, 0.8);
    double a0 = dd_chance(&w->rng, 0.5) ? -10 : f->len * (1 - frac) + 10;
    double hl = f->len * frac / 2 + 5, am = a0 + hl, cm = (omin + omax) / 2;
    double vx = -f->uy, vy = f->ux;
    dd_pts r;
    if (dd_rect(w, &r, f->x0 + f->ux * am + vx * cm, f->y0 + f->uy * am + vy * cm, f->ux, f->uy, hl,
                (omax - omin) / 2 + dd_range(&w->rng, 10, 30)))
        return DM_ENOMEM;
    return clip(w, remain, &r, out);
}

/* A survey of type from start to end (when that is not after LAST_DAY):
 * up to four tries at a part of what remains of hazard h (the whole of it
 * on the first try when whole, else a share of up to max_share) that holds
 * no item (no mine when only_mines), which it then releases. */
static dm_status survey(dd_world *w, int h, hz_work *hw, int type, int whole, double max_share,
                        int only_mines, long start, long end)
{
    dm_status st = DM_OK;
    for (int tries = 0; tries < 4 && end <= LAST_DAY; tries++) {
        dm_geom *part = NULL;
        if (whole)
            st = dm_geom_clone(w->ctx, hw->remain, &part);
        else
            st = cut_part(w, hw->remain, dd_range(&w->rng, 0.2, max_share), &part);
        if (st)
            break;
        int held = part ? holds_items(w, part, only_mines) : 1;
        if (held < 0) {
            dm_geom_free(part);
            st = dm_ctx_errcode(w->ctx);
            break;
        }
        if (!held)
            return release(w, h, hw, type, part, start, end);
        dm_geom_free(part);
        whole = 0;
    }
    return st;
}

static dm_status work_hazard(dd_world *w, int h)
{
    dd_hazard *hz = &w->hazards.v[h];
    hz_work hw = {0};
    dm_status st = geom_of(w, &hz->ring, &hw.hz);
    if (!st)
        st = dm_geom_clone(w->ctx, hw.hz, &hw.remain);
    if (st) {
        dm_geom_free(hw.hz);
        return st;
    }
    hw.remain_ha = dm_geom_area(hw.hz) / 1e4;
    int minefield = hz->kind == HZ_RECORD || hz->kind == HZ_BELT;
    long t = hz->reported + dd_int(&w->rng, 20, 400);
    /* non-technical survey */
    if (dd_chance(&w->rng, minefield ? 0.4 : 0.7)) {
        long end = t + dd_int(&w->rng, 1, 20);
        int whole = !minefield && dd_chance(&w->rng, 0.45);
        st = survey(w, h, &hw, ACT_NTS, whole, 0.6, 0, t, end);
        t = end + dd_int(&w->rng, 10, 200);
    }
    /* technical survey */
    if (!st && hw.remain_ha > 0.05 && dd_chance(&w->rng, minefield ? 0.5 : 0.35)) {
        long end = t + dd_int(&w->rng, 5, 60);
        st = survey(w, h, &hw, ACT_TS, 0, 0.5, 1, t, end);
        t = end + dd_int(&w->rng, 10, 200);
    }
    /* clearance */
    if (!st && hw.remain_ha > 0.05 && dd_chance(&w->rng, minefield ? 0.6 : 0.35)) {
        long end = t + dd_int(&w->rng, 20, 200);
        if (end <= LAST_DAY) {
            dm_geom *part = NULL;
            if (hz->mf >= 0)
                st = strip(w, hz, hw.remain, &part);
            else if (hw.remain_ha < 8 && dd_chance(&w->rng, 0.6))
                st = dm_geom_clone(w->ctx, hw.remain, &part);
            else
                st = cut_part(w, hw.remain, dd_range(&w->rng, 0.3, 0.7), &part);
            if (!st && part)
                st = release(w, h, &hw, ACT_CLEAR, part, t, end);
            else
                dm_geom_free(part);
        }
    }
    if (!st && hw.released && hw.remain_ha < 0.01 * (hz->area_ha + 0.01)) {
        st = add_status(w, h, hw.last, 1, 2, "all land released");
        long ho = hw.last + dd_int(&w->rng, 30, 120);
        if (!st && ho <= LAST_DAY && dd_chance(&w->rng, 0.7))
            st = add_status(w, h, ho, 2, 3, "handed over to the community");
    }
    hz->released_ha = hz->status >= 2 ? hz->area_ha : hz->area_ha - hw.remain_ha;
    if (hz->released_ha < 0)
        hz->released_ha = 0;
    dm_geom_free(hw.hz);
    dm_geom_free(hw.remain);
    return st;
}

static dm_status bac_tasks(dd_world *w)
{
    double area = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int want = w->scale ? (int)(area / 250) : 2;
    for (int k = 0; k < want; k++) {
        for (int tries = 0; tries < 10; tries++) {
            double s = dd_range(&w->rng, 0, dd_front_len(w)), x, y, ux, uy;
            dd_front_at(w, s, &x, &y, &ux, &uy);
            double off = dd_range(&w->rng, -3000, 3000);
            x += uy * off;
            y -= ux * off;
            double hs = dd_range(&w->rng, 100, 300);
            if (x - hs < w->x0 || x + hs > w->x1 || y - hs < w->y0 || y + hs > w->y1)
                continue;
            dd_pts r;
            dm_geom *g = NULL;
            if (dd_rect(w, &r, x, y, ux, uy, hs, hs * dd_range(&w->rng, 0.5, 1)))
                return DM_ENOMEM;
            dm_status st = geom_of(w, &r, &g);
            if (st)
                return st;
            int held = holds_items(w, g, 1);
            if (held) {
                dm_geom_free(g);
                if (held < 0)
                    return dm_ctx_errcode(w->ctx);
                continue;
            }
            long start = dd_days(2021, 2, 1) + dd_int(&w->rng, 0, 1500), end = start + dd_int(&w->rng, 10, 90);
            dd_activity *a = new_act(w, ACT_BAC, -1, start, end);
            if (!a) {
                dm_geom_free(g);
                return oom(w);
            }
            int ai = (int)(w->acts.n - 1);
            a->geom = g;
            a->a_clear = dm_geom_area(g) / 1e4;
            snprintf(a->notes, sizeof a->notes, "battle area clearance");
            size_t *list = NULL, n = 0;
            st = add_release(w, ai, -1, 2, end);
            if (!st)
                st = items_in(w, g, &list, &n);
            for (size_t i = 0; i < n && !st; i++)
                if (!w->items.v[list[i]].found && !w->items.v[list[i]].accident && dd_chance(&w->rng, 0.97))
                    st = add_found(w, list[i], ai, -1, start, end);
            dm_free(w->ctx, list);
            if (st)
                return st;
            break;
        }
    }
    return DM_OK;
}

static dm_status eod_tasks(dd_world *w)
{
    for (size_t i = 0; i < w->items.n; i++) {
        dd_item *it = &w->items.v[i];
        if (it->found || it->accident || it->mf >= 0 || (it->cat != CAT_UXO && it->cat != CAT_AXO))
            continue;
        double ds;
        dd_nearest_settlement(w, it->x, it->y, &ds);
        if (ds > 2000 || !dd_chance(&w->rng, 0.1))
            continue;
        long start = dd_days(2020, 12, 1) + dd_int(&w->rng, 0, 1760);
        dd_activity *a = new_act(w, ACT_EOD, -1, start, start);
        if (!a)
            return oom(w);
        int ai = (int)(w->acts.n - 1);
        dd_pts r;
        if (dd_rect(w, &r, it->x, it->y, 1, 0, 10, 10))
            return DM_ENOMEM;
        dm_status st = geom_of(w, &r, &w->acts.v[ai].geom);
        if (!st)
            st = add_found(w, i, ai, -1, start, start);
        if (st)
            return st;
        snprintf(w->acts.v[ai].notes, sizeof w->acts.v[ai].notes, "spot task on a public report");
    }
    return DM_OK;
}

static dm_status links(dd_world *w)
{
    size_t nh = w->hazards.n;
    dm_geom **hg = dm_calloc(w->ctx, nh ? nh : 1, sizeof *hg);
    if (!hg)
        return oom(w);
    dm_status st = DM_OK;
    for (size_t i = 0; i < nh && !st; i++)
        st = geom_of(w, &w->hazards.v[i].ring, &hg[i]);
    for (size_t a = 0; a < w->acts.n && !st; a++) {
        const dd_activity *ac = &w->acts.v[a];
        double b[4];
        if (!ac->geom || ac->type == ACT_EOD || !dm_geom_bounds(ac->geom, b))
            continue;
        for (size_t h = 0; h < nh && !st; h++) {
            const dd_hazard *hz = &w->hazards.v[h];
            if ((int)h == ac->hazard || hz->b[0] > b[2] || hz->b[2] < b[0] || hz->b[1] > b[3] ||
                hz->b[3] < b[1])
                continue;
            dm_geom *x = NULL;
            if (!dm_geom_intersects(hg[h], ac->geom))
                continue;
            st = dm_geom_intersection(w->ctx, hg[h], ac->geom, &x);
            if (!st && x && dm_geom_area(x) > 100) {
                dd_link *l = DD_PUSH(w, w->links);
                if (!l)
                    st = oom(w);
                else {
                    l->activity = (int)a;
                    l->hazard = (int)h;
                }
            }
            dm_geom_free(x);
        }
    }
    for (size_t i = 0; i < nh; i++)
        dm_geom_free(hg[i]);
    dm_free(w->ctx, hg);
    return st;
}

dm_status dd_make_activities(dd_world *w)
{
    size_t nh = w->hazards.n;
    for (size_t h = 0; h < nh; h++) {
        dd_hazard *hz = &w->hazards.v[h];
        dm_status st = add_status(w, (int)h, hz->reported, -1, 0, "reported");
        if (st)
            return st;
        double p = hz->kind == HZ_RECORD ? 0.45 : hz->kind == HZ_BELT ? 0.4
                   : hz->kind == HZ_SETTLEMENT ? 0.5 : 0.55;
        if (dd_chance(&w->rng, p) && (st = work_hazard(w, (int)h)))
            return st;
        dm__progress(w->ctx, "demo: activities", h + 1, nh);
    }
    dm_status st = bac_tasks(w);
    if (!st)
        st = eod_tasks(w);
    if (!st)
        st = links(w);
    return st;
}
