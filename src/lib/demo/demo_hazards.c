/* SPDX-License-Identifier: MIT
 *
 * demo_hazards.c -- the hazard list an agency builds: SHAs around the
 * handed-over records (drawn from the records, so they miss shifted
 * fields), belts of suspected land along the former front, suspected land
 * at settlements, community reports (mostly clean), and CHAs around
 * accidents. Most hazard land holds nothing, as in real surveys.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

dm_status dd_ellipse(dd_world *w, dd_pts *out, double cx, double cy, double ux, double uy, double a,
                     double b, int n, double irr)
{
    if (dd_pts_make(w, out, n))
        return DM_ENOMEM;
    double p1 = dd_range(&w->rng, 0, 6.28), p2 = dd_range(&w->rng, 0, 6.28);
    double a1 = dd_range(&w->rng, 0, irr), a2 = dd_range(&w->rng, 0, irr / 2);
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / n;
        double k = 1 + a1 * sin(2 * t + p1) + a2 * sin(3 * t + p2) + dd_range(&w->rng, -irr, irr) / 4;
        double lx = cos(t) * a * k, ly = sin(t) * b * k;
        out->xy[2 * i] = cx + lx * ux - ly * uy;
        out->xy[2 * i + 1] = cy + lx * uy + ly * ux;
    }
    return DM_OK;
}

static dd_hazard *new_hazard(dd_world *w, int kind)
{
    dd_hazard *h = DD_PUSH(w, w->hazards);
    if (!h)
        return NULL;
    h->kind = kind;
    h->mf = -1;
    h->record = -1;
    dd_uuid(&w->ids, h->uuid);
    return h;
}

static int clipped_inside(const dd_world *w, const dd_pts *p)
{
    /* keep hazards within the extent: every vertex inside */
    for (int i = 0; i < p->n; i++)
        if (p->xy[2 * i] < w->x0 || p->xy[2 * i] > w->x1 || p->xy[2 * i + 1] < w->y0 ||
            p->xy[2 * i + 1] > w->y1)
            return 0;
    return 1;
}

static int seg_cross(const double *a, const double *b, const double *c, const double *d)
{
    double d1 = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    double d2 = (b[0] - a[0]) * (d[1] - a[1]) - (b[1] - a[1]) * (d[0] - a[0]);
    double d3 = (d[0] - c[0]) * (a[1] - c[1]) - (d[1] - c[1]) * (a[0] - c[0]);
    double d4 = (d[0] - c[0]) * (b[1] - c[1]) - (d[1] - c[1]) * (b[0] - c[0]);
    return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

static int rings_overlap(const dd_pts *a, const dd_pts *b)
{
    for (int i = 0; i < a->n; i++)
        if (dd_pip(b->xy, b->n, a->xy[2 * i], a->xy[2 * i + 1]))
            return 1;
    for (int i = 0; i < b->n; i++)
        if (dd_pip(a->xy, a->n, b->xy[2 * i], b->xy[2 * i + 1]))
            return 1;
    for (int i = 0; i < a->n; i++) {
        const double *p = a->xy + 2 * i, *q = a->xy + 2 * ((i + 1) % a->n);
        for (int j = 0; j < b->n; j++)
            if (seg_cross(p, q, b->xy + 2 * j, b->xy + 2 * ((j + 1) % b->n)))
                return 1;
    }
    return 0;
}

/* Keep the newest hazard only when it lies inside the extent and overlaps
 * no earlier one (national databases are cleaned of overlaps). */
static void keep_or_drop(dd_world *w)
{
    dd_hazard *h = &w->hazards.v[w->hazards.n - 1];
    int drop = !clipped_inside(w, &h->ring);
    dd_bbox(h->ring.xy, h->ring.n, h->b);
    for (size_t i = 0; i + 1 < w->hazards.n && !drop; i++) {
        const dd_hazard *o = &w->hazards.v[i];
        if (o->b[0] > h->b[2] || o->b[2] < h->b[0] || o->b[1] > h->b[3] || o->b[3] < h->b[1])
            continue;
        drop = rings_overlap(&h->ring, &o->ring);
    }
    if (drop)
        w->hazards.n--;
}

static dm_status from_records(dd_world *w)
{
    for (size_t r = 0; r < w->records.n; r++) {
        const dd_record *rc = &w->records.v[r];
        const double *p = rc->ring.xy;
        double ex = p[2] - p[0], ey = p[3] - p[1], l = hypot(ex, ey);
        double hl = l / 2, hw = hypot(p[4] - p[2], p[5] - p[3]) / 2;
        double cx = (p[0] + p[4]) / 2, cy = (p[1] + p[5]) / 2, m = dd_range(&w->rng, 50, 150);
        if (!(l > 0) || !isfinite(cx) || !isfinite(cy))
            continue;
        dd_hazard *h = new_hazard(w, HZ_RECORD);
        if (!h)
            return oom(w);
        if (dd_ellipse(w, &h->ring, cx, cy, ex / l, ey / l, hl * 1.42 + m, hw * 1.42 + m, 20, 0.12))
            return DM_ENOMEM;
        h->record = (int)r;
        h->mf = rc->mf;
        keep_or_drop(w);
    }
    return DM_OK;
}

static dm_status belts(dd_world *w)
{
    double L = dd_front_len(w);
    for (int side = -1; side <= 1; side += 2)
        for (double s = dd_range(&w->rng, 0, 1500); s < L; s += dd_range(&w->rng, 2000, 4500)) {
            if (!dd_chance(&w->rng, 0.65))
                continue;
            double x, y, ux, uy, off = dd_range(&w->rng, 250, 1000);
            dd_front_at(w, s, &x, &y, &ux, &uy);
            dd_hazard *h = new_hazard(w, HZ_BELT);
            if (!h)
                return oom(w);
            if (dd_ellipse(w, &h->ring, x + uy * off * side, y - ux * off * side, ux, uy,
                           dd_range(&w->rng, 800, 2200), dd_range(&w->rng, 350, 1000), 32, 0.15))
                return DM_ENOMEM;
            keep_or_drop(w);
        }
    return DM_OK;
}

static dm_status settlements(dd_world *w)
{
    for (size_t i = 0; i < w->settlements.n; i++) {
        const dd_settlement *s = &w->settlements.v[i];
        if (!dd_chance(&w->rng, s->west ? 0.5 : 0.12))
            continue;
        double a = dd_range(&w->rng, 0, 2 * M_PI), d = s->r + dd_range(&w->rng, 50, 150);
        dd_hazard *h = new_hazard(w, HZ_SETTLEMENT);
        if (!h)
            return oom(w);
        double b = dd_range(&w->rng, 0, M_PI);
        if (dd_ellipse(w, &h->ring, s->x + cos(a) * d, s->y + sin(a) * d, cos(b), sin(b),
                       dd_range(&w->rng, 150, 400), dd_range(&w->rng, 80, 250), 18, 0.15))
            return DM_ENOMEM;
        keep_or_drop(w);
    }
    return DM_OK;
}

static dm_status reports(dd_world *w)
{
    double area = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int want = (int)(area / 4 * (w->scale ? 1 : 1.2)), placed = 0, tries = 0;
    while (placed < want && tries++ < want * 30) {
        double x = dd_range(&w->rng, w->x0 + 400, w->x1 - 400), y = dd_range(&w->rng, w->y0 + 400, w->y1 - 400);
        int side;
        double d = dd_front_dist(w, x, y, &side, NULL);
        if (dd_unif(&w->rng) > (side > 0 ? 0.4 : 0.15) + 0.6 * exp(-d / 6000))
            continue;
        dd_hazard *h = new_hazard(w, HZ_REPORT);
        if (!h)
            return oom(w);
        double b = dd_range(&w->rng, 0, M_PI);
        if (dd_ellipse(w, &h->ring, x, y, cos(b), sin(b), dd_range(&w->rng, 60, 300),
                       dd_range(&w->rng, 40, 200), 16, 0.15))
            return DM_ENOMEM;
        size_t before = w->hazards.n;
        keep_or_drop(w);
        placed += w->hazards.n == before;
    }
    return DM_OK;
}

static dm_status at_accidents(dd_world *w)
{
    for (size_t i = 0; i < w->accidents.n; i++) {
        const dd_accident *a = &w->accidents.v[i];
        if (a->demining || !dd_chance(&w->rng, 0.6))
            continue;
        dd_hazard *h = new_hazard(w, HZ_REPORT + 1);
        if (!h)
            return oom(w);
        double r = dd_range(&w->rng, 50, 150), b = dd_range(&w->rng, 0, M_PI);
        if (dd_ellipse(w, &h->ring, a->x, a->y, cos(b), sin(b), r, r * dd_range(&w->rng, 0.6, 1), 16, 0.1))
            return DM_ENOMEM;
        h->reported = a->date + dd_int(&w->rng, 1, 30);
        keep_or_drop(w);
    }
    return DM_OK;
}

static const char *const orgs_survey[] = {"ANAMA", "ANAMA", "Qaya Demining", "Safe Point",
                                          "MoD Engineering Troops"};

static void attributes(dd_world *w, dd_hazard *h, int idx)
{
    dd_bbox(h->ring.xy, h->ring.n, h->b);
    h->area_ha = dd_ring_area(h->ring.xy, h->ring.n) / 1e4;
    double cx = (h->b[0] + h->b[2]) / 2, cy = (h->b[1] + h->b[3]) / 2;
    h->district = dd_district_at(w, cx, cy);
    int s = dd_nearest_settlement(w, cx, cy, NULL);
    snprintf(h->settlement, sizeof h->settlement, "%s", s >= 0 ? w->settlements.v[s].name : "");
    snprintf(h->org, sizeof h->org, "%s", orgs_survey[dd_int(&w->rng, 0, 4)]);
    int accident_inside = 0;
    for (size_t a = 0; a < w->accidents.n; a++)
        if (dd_pip(h->ring.xy, h->ring.n, w->accidents.v[a].x, w->accidents.v[a].y))
            accident_inside = 1;
    static const char *const where[] = {"north", "south", "east", "west", "fields", "hill", "orchards", "pasture"};
    const char *wh = where[dd_int(&w->rng, 0, 7)];
    switch (h->kind) {
    case HZ_RECORD: {
        const dd_record *rc = &w->records.v[h->record];
        h->cha = accident_inside || dd_chance(&w->rng, 0.35);
        h->reliability = dd_int(&w->rng, 2, 3);
        h->grade = dd_chance(&w->rng, 0.5) ? 'B' : 'C';
        h->classification = h->cha ? 1 : 2;
        snprintf(h->ordnance, sizeof h->ordnance, "%s",
                 rc->mines_at && rc->mines_ap ? "AP,AT" : rc->mines_at ? "AT" : "AP");
        h->reported = rc->handed + dd_int(&w->rng, 10, 300);
        snprintf(h->name, sizeof h->name, "%s minefield %s", h->settlement, rc->ref);
        snprintf(h->notes, sizeof h->notes, "from minefield record %.24s", rc->ref);
        break;
    }
    case HZ_BELT:
        h->cha = accident_inside || dd_chance(&w->rng, 0.1);
        h->reliability = dd_int(&w->rng, 3, 4);
        h->grade = dd_chance(&w->rng, 0.5) ? 'C' : 'D';
        h->classification = h->cha ? 1 : 3;
        snprintf(h->ordnance, sizeof h->ordnance, "AP,AT,UXO");
        h->reported = dd_days(2021, 1, 10) + dd_int(&w->rng, 0, 330);
        snprintf(h->name, sizeof h->name, "former front line near %s", h->settlement);
        snprintf(h->notes, sizeof h->notes, "former line of contact; positions and trenches");
        break;
    case HZ_SETTLEMENT:
        h->cha = accident_inside;
        h->reliability = dd_int(&w->rng, 4, 5);
        h->grade = 'D';
        h->classification = h->cha ? 1 : 3;
        snprintf(h->ordnance, sizeof h->ordnance, "AP,UXO,IED");
        h->reported = dd_days(2021, 3, 1) + dd_int(&w->rng, 0, 900);
        snprintf(h->name, sizeof h->name, "%s %s", h->settlement, wh);
        snprintf(h->notes, sizeof h->notes, "returnees' reports; houses and gardens");
        break;
    case HZ_REPORT:
        h->cha = accident_inside;
        h->reliability = dd_int(&w->rng, 4, 6);
        h->grade = dd_chance(&w->rng, 0.5) ? 'E' : 'F';
        h->classification = h->cha ? 1 : 4;
        snprintf(h->ordnance, sizeof h->ordnance, "%s", dd_chance(&w->rng, 0.6) ? "UXO" : "AP,UXO");
        h->reported = dd_days(2021, 1, 1) + dd_int(&w->rng, 0, 1700);
        snprintf(h->name, sizeof h->name, "%s %s (reported)", h->settlement, wh);
        snprintf(h->notes, sizeof h->notes, "community report");
        break;
    default: /* around an accident */
        h->cha = 1;
        h->reliability = dd_int(&w->rng, 1, 2);
        h->grade = dd_chance(&w->rng, 0.5) ? 'A' : 'B';
        h->classification = 1;
        snprintf(h->ordnance, sizeof h->ordnance, "AP,AT,UXO");
        snprintf(h->name, sizeof h->name, "%s accident site", h->settlement);
        snprintf(h->notes, sizeof h->notes, "confirmed by an accident");
        break;
    }
    int dc = h->district;
    snprintf(h->ref, sizeof h->ref, "%s-%s-%04d", dc >= 0 ? w->districts.v[dc].code : "KRB",
             h->cha ? "CHA" : "SHA", idx + 1);
    /* the real minefield it holds most of, for clearance planning */
    if (h->mf < 0) {
        for (size_t m = 0; m < w->mfs.n && h->mf < 0; m++) {
            const dd_minefield *f = &w->mfs.v[m];
            if (f->pattern != PAT_DOCTRINAL || f->b[0] > h->b[2] || f->b[2] < h->b[0] ||
                f->b[1] > h->b[3] || f->b[3] < h->b[1])
                continue;
            if (dd_pip(h->ring.xy, h->ring.n, (f->b[0] + f->b[2]) / 2, (f->b[1] + f->b[3]) / 2))
                h->mf = (int)m;
        }
    }
}

/* Share of hazard area inside real minefields (sampled), and share of
 * truth items inside some hazard. */
static dm_status measure(dd_world *w)
{
    double in_mf = 0, total = 0;
    size_t *cand = NULL, nc = 0, cap = 0;
    for (size_t i = 0; i < w->hazards.n; i++) {
        const dd_hazard *h = &w->hazards.v[i];
        nc = 0;
        for (size_t m = 0; m < w->mfs.n; m++) {
            const dd_minefield *f = &w->mfs.v[m];
            if (f->b[0] > h->b[2] || f->b[2] < h->b[0] || f->b[1] > h->b[3] || f->b[3] < h->b[1])
                continue;
            if (nc == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                size_t *nv = dm_realloc(w->ctx, cand, ncap * sizeof *nv);
                if (!nv) {
                    dm_free(w->ctx, cand);
                    return oom(w);
                }
                cand = nv;
                cap = ncap;
            }
            cand[nc++] = m;
        }
        int samples = 0, hits = 0;
        for (int k = 0; k < 4000 && samples < 400; k++) {
            double x = dd_range(&w->rng, h->b[0], h->b[2]), y = dd_range(&w->rng, h->b[1], h->b[3]);
            if (!dd_pip(h->ring.xy, h->ring.n, x, y))
                continue;
            samples++;
            for (size_t c = 0; c < nc; c++)
                if (dd_pip(w->mfs.v[cand[c]].ring.xy, w->mfs.v[cand[c]].ring.n, x, y)) {
                    hits++;
                    break;
                }
        }
        if (samples) {
            in_mf += h->area_ha * hits / samples;
            total += h->area_ha;
        }
    }
    dm_free(w->ctx, cand);
    w->mined_share = total > 0 ? in_mf / total : 0;
    unsigned char *in = dm_calloc(w->ctx, w->items.n ? w->items.n : 1, 1);
    if (!in)
        return oom(w);
    for (size_t i = 0; i < w->hazards.n; i++)
        dd_mark_items_in(w, &w->hazards.v[i].ring, w->hazards.v[i].b, in);
    size_t k = 0;
    for (size_t i = 0; i < w->items.n; i++)
        k += in[i];
    w->items_in_hazards = w->items.n ? (double)k / (double)w->items.n : 0;
    dm_free(w->ctx, in);
    return DM_OK;
}

dm_status dd_make_hazards(dd_world *w)
{
    dm_status st = belts(w);
    if (!st)
        st = from_records(w);
    if (!st)
        st = settlements(w);
    if (!st)
        st = reports(w);
    if (!st)
        st = at_accidents(w);
    if (st)
        return st;
    for (size_t i = 0; i < w->hazards.n; i++) {
        attributes(w, &w->hazards.v[i], (int)i);
        dm__progress(w->ctx, "demo: hazards", i + 1, w->hazards.n);
    }
    return measure(w);
}
