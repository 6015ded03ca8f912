/* SPDX-License-Identifier: MIT
 *
 * demo_qc.c -- quality control in the demo (IMAS 09.20 post-clearance
 * inspection): ANAMA's quality assurance inspects some finished clearance
 * tasks a few weeks after they end, searching again random square plots of
 * 10 m inside the land each cleared (as `demine qc sample` draws them) until
 * they cover a tenth of it. An inspection is an activity of type qc naming
 * the task (inspects_id); every truth item the clearance missed inside a
 * plot is found (the inspectors are assumed to find all) and recorded as an
 * item of the inspection, so that `demine qc` measures each organisation's
 * detection against the 99.6 % the clearance was simulated with.
 *
 * Drawn from random streams of its own (9 for the draws, 10 for the uuids)
 * and written after the rest of the scenario: every other row of the demo
 * stays as it was (what changes is what reads the new finds).
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define QC_ORG "ANAMA QA"
#define QC_SHARE_TASKS 0.12 /* of the finished clearance tasks */
#define QC_SHARE_LAND 0.1   /* of each inspected task's cleared land */
#define QC_PLOT_M 10.0      /* side of a plot */

static const long LAST_DAY = 20392; /* 2025-10-31, the scenario's last day */

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static dm_status first(dm_status a, dm_status b) { return a ? a : b; }

typedef struct qq {
    dd_world *w;
    dm_store *s;
    dm_transform *t;
    dm_row *row;
    dd_rng r, ids;
    /* the items missed inside the plot being searched */
    const double *plot; /* x0, y0, x1, y1 */
    size_t *missed, n_missed, cap_missed;
    int fail;
} qq;

static int missed_fn(void *u, size_t i)
{
    qq *q = u;
    const dd_item *it = &q->w->items.v[i];
    if (it->found || it->accident || it->x <= q->plot[0] || it->x >= q->plot[2] || it->y <= q->plot[1] ||
        it->y >= q->plot[3])
        return 0;
    if (q->n_missed == q->cap_missed) {
        size_t nc = q->cap_missed ? 2 * q->cap_missed : 16;
        size_t *v = dm_realloc(q->w->ctx, q->missed, nc * sizeof *v);
        if (!v) {
            q->fail = 1;
            return 1;
        }
        q->missed = v;
        q->cap_missed = nc;
    }
    q->missed[q->n_missed++] = i;
    return 0;
}

static dm_status put_geom(qq *q, const dm_geom *utm)
{
    dm_geom *g = NULL;
    dm_status st = dm_geom_transform(q->w->ctx, q->t, utm, &g);
    if (!st)
        dm_row_set_geom(q->row, g);
    return st;
}

static dm_status put_row(qq *q, dm_status e, const char *layer, const char *uuid)
{
    e = first(e, dm_row_set_uuid(q->row, uuid));
    if (!e)
        e = dm_store_insert(q->s, q->row, NULL);
    dm_row_clear(q->row);
    return e ? dm__wrap(q->w->ctx, "demo: %s row %s", layer, uuid) : DM_OK;
}

static dm_status use_layer(qq *q, const char *layer)
{
    dm_row_free(q->row);
    q->row = dm_row_new(q->w->ctx, dm_layer_find(layer));
    return q->row ? DM_OK : oom(q->w);
}

/* Square plots of QC_PLOT_M inside the task's land (its polygon, which is
 * its cleared release area), not overlapping, drawn uniformly at random
 * until they cover QC_SHARE_LAND of it: their lower left corners in xy
 * (dm_free), *n of them. */
static dm_status draw_plots(qq *q, const dm_geom *land, double **xy, size_t *n)
{
    dd_world *w = q->w;
    const double side = QC_PLOT_M;
    *xy = NULL;
    *n = 0;
    double bb[4];
    if (!dm_geom_bounds(land, bb) || bb[2] - bb[0] <= side || bb[3] - bb[1] <= side)
        return DM_OK;
    size_t want = (size_t)ceil(QC_SHARE_LAND * dm_geom_area(land) / (side * side) - 1e-9);
    if (want < 1)
        want = 1;
    double *c = dm_malloc(w->ctx, 2 * want * sizeof *c);
    if (!c)
        return oom(w);
    size_t got = 0, tries = 0, max_tries = 200 * want + 2000;
    dm_status st = DM_OK;
    while (got < want && tries++ < max_tries) {
        double x = dd_range(&q->r, bb[0], bb[2] - side), y = dd_range(&q->r, bb[1], bb[3] - side);
        int clash = 0;
        for (size_t k = 0; k < got && !clash; k++)
            clash = fabs(c[2 * k] - x) < side && fabs(c[2 * k + 1] - y) < side;
        if (clash)
            continue;
        double sq[10] = {x, y, x + side, y, x + side, y + side, x, y + side, x, y};
        dm_geom *g = NULL;
        if ((st = dm_geom_polygon(w->ctx, sq, 5, &g)))
            break;
        int in = dm_geom_contains(land, g);
        dm_geom_free(g);
        if (in)
            c[2 * got] = x, c[2 * got + 1] = y, got++;
    }
    if (st) {
        dm_free(w->ctx, c);
        return st;
    }
    *xy = c;
    *n = got;
    return DM_OK;
}

/* One item the inspection of task a found: truth item i, found on day. */
static dm_status put_item(qq *q, const dd_activity *a, const char *insp, size_t i, const double *plot,
                          long day)
{
    dd_world *w = q->w;
    static const char *const cond[] = {"armed", "armed", "armed", "unknown", "damaged", "unarmed"};
    dd_item *it = &w->items.v[i];
    dm_status e = DM_OK;
    char date[11], uuid[37];
    dd_uuid(&q->ids, uuid);
    dd_date_str(day, date);
    e = first(e, dm_row_set(q->row, "category", dd_cat_name[it->cat]));
    e = first(e, dm_row_set(q->row, "model", it->model));
    e = first(e, dm_row_set(q->row, "condition", cond[dd_int(&q->r, 0, 5)]));
    e = first(e, dm_row_set_real(q->row, "depth_cm", round(it->depth + dd_normal(&q->r))));
    e = first(e, dm_row_set(q->row, "fate", dd_chance(&q->r, 0.7) ? "destroyed_in_situ" : "removed"));
    e = first(e, dm_row_set(q->row, "found_date", date));
    e = first(e, dm_row_set(q->row, "activity_id", insp));
    if (a->hazard >= 0)
        e = first(e, dm_row_set(q->row, "hazard_id", w->hazards.v[a->hazard].uuid));
    e = first(e, dm_row_set_int(q->row, "quantity", 1));
    /* surveyed with RTK GNSS, kept inside the plot */
    double x = it->x + dd_range(&q->r, -0.1, 0.1), y = it->y + dd_range(&q->r, -0.1, 0.1);
    x = fmin(fmax(x, plot[0] + 0.01), plot[2] - 0.01);
    y = fmin(fmax(y, plot[1] + 0.01), plot[3] - 0.01);
    dm_geom *pt = NULL;
    if (!e)
        e = dm_geom_point(w->ctx, x, y, &pt);
    if (!e)
        e = put_geom(q, pt);
    dm_geom_free(pt);
    e = put_row(q, e, "items", uuid);
    if (!e)
        it->found = 1;
    return e;
}

/* The inspection of task ai: its plots (UTM corners), written with the
 * items missed inside them. *found counts those. */
static dm_status inspect(qq *q, int ai, const double *c, size_t np, long *found)
{
    dd_world *w = q->w;
    const dd_activity *a = &w->acts.v[ai];
    const double side = QC_PLOT_M;
    dm_status st = DM_OK;
    long end = a->end + dd_int(&q->r, 14, 42);
    long start = end - (long)(np / 40); /* a team searches about 40 plots a day */
    if (end > LAST_DAY)
        end = LAST_DAY;
    if (start <= a->end)
        start = a->end + 1;
    if (start > end)
        start = end;
    char uuid[37];
    dd_uuid(&q->ids, uuid);
    /* the items missed in each plot, found on a day of the inspection */
    size_t *which = NULL, n = 0, cap = 0;
    double *where = NULL; /* the plot of each */
    for (size_t k = 0; k < np && !st; k++) {
        double plot[4] = {c[2 * k], c[2 * k + 1], c[2 * k] + side, c[2 * k + 1] + side};
        q->plot = plot;
        q->n_missed = 0;
        dd_items_in_box(w, plot, missed_fn, q);
        if (q->fail) {
            st = oom(w);
            break;
        }
        for (size_t m = 0; m < q->n_missed && !st; m++) {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 8;
                size_t *v = dm_realloc(w->ctx, which, nc * sizeof *v);
                double *p = v ? dm_realloc(w->ctx, where, nc * 4 * sizeof *p) : NULL;
                if (v)
                    which = v;
                if (p)
                    where = p;
                if (!v || !p) {
                    st = oom(w);
                    break;
                }
                cap = nc;
            }
            which[n] = q->missed[m];
            memcpy(where + 4 * n, plot, sizeof plot);
            n++;
        }
    }
    /* the inspection: its polygon the plots */
    dm_geom **sq = st ? NULL : dm_calloc(w->ctx, np, sizeof *sq);
    if (!st && !sq)
        st = oom(w);
    for (size_t k = 0; k < np && !st; k++) {
        double x = c[2 * k], y = c[2 * k + 1];
        double xy[10] = {x, y, x + side, y, x + side, y + side, x, y + side, x, y};
        st = dm_geom_polygon(w->ctx, xy, 5, &sq[k]);
    }
    dm_geom *mp = NULL;
    if (!st)
        st = dm_geom_collect(w->ctx, DM_GEOM_MULTIPOLYGON, sq, np, &mp);
    else if (sq)
        for (size_t k = 0; k < np; k++)
            dm_geom_free(sq[k]);
    dm_free(w->ctx, sq);
    if (!st)
        st = use_layer(q, "activities");
    if (!st) {
        char ref[64], d0[11], d1[11], notes[200];
        dd_date_str(start, d0);
        dd_date_str(end, d1);
        snprintf(ref, sizeof ref, "QC-%s-%s", a->ref, d1);
        double land = dm_geom_area(a->geom) / 1e4, ha = (double)np * side * side / 1e4;
        snprintf(notes, sizeof notes,
                 "post-clearance inspection: %zu plots of %.0f m (%.2f ha) of the %.2f ha cleared; "
                 "%zu item%s missed",
                 np, side, ha, land, n, n == 1 ? "" : "s");
        dm_status e = DM_OK;
        e = first(e, dm_row_set(q->row, "ref", ref));
        e = first(e, dm_row_set(q->row, "activity_type", "qc"));
        e = first(e, dm_row_set(q->row, "start_date", d0));
        e = first(e, dm_row_set(q->row, "end_date", d1));
        e = first(e, dm_row_set(q->row, "organisation", QC_ORG));
        e = first(e, dm_row_set(q->row, "method", "manual"));
        if (a->hazard >= 0)
            e = first(e, dm_row_set(q->row, "hazard_id", w->hazards.v[a->hazard].uuid));
        e = first(e, dm_row_set(q->row, "inspects_id", a->uuid));
        if (a->depth > 0)
            e = first(e, dm_row_set_real(q->row, "depth_cm", a->depth));
        e = first(e, dm_row_set(q->row, "status", "approved"));
        e = first(e, dm_row_set(q->row, "notes", notes));
        if (!e)
            e = put_geom(q, mp);
        st = put_row(q, e, "activities", uuid);
    }
    dm_geom_free(mp);
    if (!st && n)
        st = use_layer(q, "items");
    for (size_t m = 0; m < n && !st; m++)
        st = put_item(q, a, uuid, which[m], where + 4 * m, start + dd_int(&q->r, 0, (int)(end - start)));
    dm_free(w->ctx, which);
    dm_free(w->ctx, where);
    if (!st)
        *found += (long)n;
    return st;
}

dm_status dd_write_qc(dd_world *w, dm_store *s, dm_demo_summary *sum)
{
    qq q = {0};
    q.w = w;
    q.s = s;
    dd_rng_seed(&q.r, w->seed, 9);
    dd_rng_seed(&q.ids, w->seed, 10);
    /* finished clearance tasks (approved, ended early enough to be
     * inspected weeks later within the scenario) and the items each found */
    size_t na = w->acts.n, ne = 0;
    int *elig = dm_calloc(w->ctx, na ? na : 1, sizeof *elig);
    long *finds = dm_calloc(w->ctx, na ? na : 1, sizeof *finds);
    if (!elig || !finds) {
        dm_free(w->ctx, elig);
        dm_free(w->ctx, finds);
        return oom(w);
    }
    for (size_t i = 0; i < w->found.n; i++)
        finds[w->found.v[i].activity]++;
    for (size_t i = 0; i < na; i++) {
        const dd_activity *a = &w->acts.v[i];
        if (a->type == ACT_CLEAR && !a->draft && a->geom && a->end + 42 <= LAST_DAY)
            elig[ne++] = (int)i;
    }
    /* QC_SHARE_TASKS of them, drawn without replacement; a task that found
     * items (in a minefield) is three times as likely to be drawn */
    size_t want = (size_t)lround(QC_SHARE_TASKS * (double)ne);
    if (want < 1 && ne)
        want = 1;
    unsigned char *pick = dm_calloc(w->ctx, na ? na : 1, 1);
    dm_status st = pick ? DM_OK : oom(w);
    for (size_t k = 0; k < want && !st; k++) {
        double total = 0;
        for (size_t j = 0; j < ne; j++)
            if (!pick[elig[j]])
                total += finds[elig[j]] ? 3 : 1;
        double u = dd_unif(&q.r) * total;
        size_t j = 0;
        for (; j < ne; j++) {
            if (pick[elig[j]])
                continue;
            u -= finds[elig[j]] ? 3 : 1;
            if (u < 0)
                break;
        }
        while (j >= ne || pick[elig[j]]) /* rounding: the last not drawn */
            j = j >= ne ? ne - 1 : j - 1;
        pick[elig[j]] = 1;
    }
    long inspections = 0, found = 0;
    double ha = 0;
    if (!st && want)
        st = dm_transform_new(w->ctx, "EPSG:32638", "EPSG:4326", &q.t);
    if (!st && want) { /* the inspecting organisation */
        char uuid[37];
        dd_uuid(&q.ids, uuid);
        st = use_layer(&q, "organisations");
        dm_status e = DM_OK;
        if (!st) {
            e = first(e, dm_row_set(q.row, "name", QC_ORG));
            e = first(e, dm_row_set(q.row, "kind", "national"));
            e = first(e, dm_row_set(q.row, "country", "Azerbaijan"));
            st = put_row(&q, e, "organisations", uuid);
        }
    }
    for (size_t i = 0; i < na && !st; i++) {
        if (!pick[i])
            continue;
        double *c = NULL;
        size_t np = 0;
        st = draw_plots(&q, w->acts.v[i].geom, &c, &np);
        if (!st && np) {
            st = inspect(&q, (int)i, c, np, &found);
            inspections++;
            ha += (double)np * QC_PLOT_M * QC_PLOT_M / 1e4;
        }
        dm_free(w->ctx, c);
    }
    if (!st)
        dm__log(w->ctx, DM_LOG_DEBUG,
                "demo: %ld quality control inspections of %zu finished clearance tasks (%.2f ha), "
                "%ld items the clearance missed found",
                inspections, ne, ha, found);
    if (!st && sum) {
        sum->organisations += want ? 1 : 0;
        sum->activities += inspections;
        sum->qc_inspections += inspections;
        sum->items += found;
    }
    dm_row_free(q.row);
    dm_transform_free(q.t);
    dm_free(w->ctx, q.missed);
    dm_free(w->ctx, pick);
    dm_free(w->ctx, elig);
    dm_free(w->ctx, finds);
    return st;
}
