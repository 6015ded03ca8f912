/* SPDX-License-Identifier: MIT
 *
 * demo_records.c -- the minefield records an agency is handed: rows and
 * mine points drawn from the true doctrinal minefields with the errors
 * seen in Karabakh (about a quarter of recorded mines near a real one):
 * good records, records shifted by a wrong reference point, records drawn
 * at a wrong bearing, partly wrong records, missing and invented rows, and
 * records of fields that are not there.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { MODE_GOOD = 0, MODE_SHIFTED, MODE_ROTATED, MODE_PARTIAL, MODE_FALSE };

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static long handover_date(dd_world *w, int side)
{
    if (side > 0) {
        /* the maps handed over in 2021 (Aghdam in June, Fuzuli and Zangilan in July) */
        static const int d[][3] = {{2021, 6, 12}, {2021, 7, 3}, {2021, 12, 4}, {2022, 5, 18}};
        int k = dd_int(&w->rng, 0, 3);
        return dd_days(d[k][0], d[k][1], d[k][2]);
    }
    return dd_days(2021, 1, 15) + dd_int(&w->rng, 0, 500);
}

/* Transform a point of the true field into the recorded one. */
typedef struct xf {
    double dx, dy;       /* translation */
    double ang, px, py;  /* rotation about (px, py) */
} xf;

static void apply(const xf *t, double *x, double *y)
{
    double c = cos(t->ang), s = sin(t->ang);
    double rx = *x - t->px, ry = *y - t->py;
    *x = t->px + rx * c - ry * s + t->dx;
    *y = t->py + rx * s + ry * c + t->dy;
}

static dm_status rect_around(dd_world *w, dd_record *rc, double ux, double uy, double margin)
{
    double vx = -uy, vy = ux, a0 = INFINITY, a1 = -INFINITY, c0 = INFINITY, c1 = -INFINITY;
    for (int i = 0; i < rc->nrows; i++) {
        const dd_recrow *r = &w->recrows.v[rc->first_row + i];
        double px[2] = {r->x0, r->x1}, py[2] = {r->y0, r->y1};
        for (int k = 0; k < 2; k++) {
            double a = px[k] * ux + py[k] * uy, c = px[k] * vx + py[k] * vy;
            if (a < a0) a0 = a;
            if (a > a1) a1 = a;
            if (c < c0) c0 = c;
            if (c > c1) c1 = c;
        }
    }
    double ca = (a0 + a1) / 2, cc = (c0 + c1) / 2;
    if (dd_rect(w, &rc->ring, ca * ux + cc * vx, ca * uy + cc * vy, ux, uy, (a1 - a0) / 2 + margin,
                (c1 - c0) / 2 + margin))
        return DM_ENOMEM;
    dd_bbox(rc->ring.xy, rc->ring.n, rc->b);
    return DM_OK;
}

static dm_status add_row(dd_world *w, dd_record *rc, int row_no, const dd_mrow *mr, double x0, double y0,
                         double x1, double y1, const xf *t)
{
    dd_recrow *r = DD_PUSH(w, w->recrows);
    if (!r)
        return oom(w);
    apply(t, &x0, &y0);
    apply(t, &x1, &y1);
    /* drawing error of each end (small: rows a few metres apart never cross) */
    x0 += dd_normal(&w->rng) * 0.4;
    y0 += dd_normal(&w->rng) * 0.4;
    x1 += dd_normal(&w->rng) * 0.4;
    y1 += dd_normal(&w->rng) * 0.4;
    double sp = mr->cat == CAT_AT ? round(mr->sp) : mr->sp < 2 ? 1.0 : round(mr->sp);
    double l = hypot(x1 - x0, y1 - y0);
    int count = (int)(l / sp) + 1;
    if (dd_chance(&w->rng, 0.3))
        count = (int)(count * dd_range(&w->rng, 0.85, 1.15)) + 1;
    r->rec = (int)(rc - w->records.v);
    r->row_no = row_no;
    r->cat = mr->cat;
    r->model = mr->model;
    r->count = count;
    r->sp = sp;
    r->x0 = x0;
    r->y0 = y0;
    r->x1 = x1;
    r->y1 = y1;
    rc->nrows++;
    if (mr->cat == CAT_AT)
        rc->mines_at += count;
    else
        rc->mines_ap += count;
    int n = (int)(l / sp) + 1;
    for (int i = 0; i < n; i++) {
        dd_recmine *m = DD_PUSH(w, w->recmines);
        if (!m)
            return oom(w);
        double t2 = n > 1 ? (double)i / (n - 1) : 0;
        m->rec = r->rec;
        m->row_no = row_no;
        m->cat = mr->cat;
        m->model = mr->model;
        m->x = x0 + t2 * (x1 - x0);
        m->y = y0 + t2 * (y1 - y0);
        rc->nmines++;
    }
    return DM_OK;
}

static void mine_types(dd_world *w, dd_record *rc)
{
    char *p = rc->mine_types;
    size_t left = sizeof rc->mine_types;
    const char *seen[DD_MAX_ROWS * 2];
    int ns = 0;
    for (int i = 0; i < rc->nrows; i++) {
        const dd_recrow *r = &w->recrows.v[rc->first_row + i];
        int dup = 0;
        for (int k = 0; k < ns; k++)
            dup |= !strcmp(seen[k], r->model);
        if (dup)
            continue;
        int total = 0;
        for (int k = i; k < rc->nrows; k++)
            if (!strcmp(w->recrows.v[rc->first_row + k].model, r->model))
                total += w->recrows.v[rc->first_row + k].count;
        seen[ns++] = r->model;
        int n = snprintf(p, left, "%s%s:%d", p == rc->mine_types ? "" : ";", r->model, total);
        if (n < 0 || (size_t)n >= left)
            break;
        p += n;
        left -= (size_t)n;
    }
}

static dm_status make_record(dd_world *w, int mf, const dd_minefield *m, int mode)
{
    dd_record *rc = DD_PUSH(w, w->records);
    if (!rc)
        return oom(w);
    int ri = (int)(w->records.n - 1);
    rc->mf = mf;
    rc->mode = mode;
    rc->first_row = (int)w->recrows.n;
    rc->first_mine = (int)w->recmines.n;
    dd_uuid(&w->ids, rc->uuid);
    double ux = m->ux, uy = m->uy, vx = -uy, vy = ux;
    /* reference point: a landmark 50-300 m away */
    double ra = dd_range(&w->rng, 0, 2 * M_PI), rd = dd_range(&w->rng, 50, 300);
    rc->refx = m->x0 + cos(ra) * rd;
    rc->refy = m->y0 + sin(ra) * rd;
    xf t = {0, 0, 0, rc->refx, rc->refy};
    double across = dd_range(&w->rng, 20, 120) * (dd_chance(&w->rng, 0.5) ? 1 : -1);
    double along = dd_range(&w->rng, -60, 60);
    if (mode == MODE_SHIFTED || mode == MODE_FALSE) {
        t.dx = ux * along + vx * across;
        t.dy = uy * along + vy * across;
        t.ang = dd_range(&w->rng, -0.035, 0.035);
    } else if (mode == MODE_ROTATED) {
        t.ang = dd_range(&w->rng, 0.14, 0.6) * (dd_chance(&w->rng, 0.5) ? 1 : -1);
    }
    int bad_from = mode == MODE_PARTIAL ? dd_int(&w->rng, 1, m->nrows > 1 ? m->nrows - 1 : 1) : 99;
    int row_no = 0, n_placed = 0;
    double placed[DD_MAX_ROWS];
    for (int r = 0; r < m->nrows; r++) {
        const dd_mrow *mr = &m->row[r];
        if (dd_chance(&w->rng, 0.08) && (row_no > 0 || r + 1 < m->nrows))
            continue; /* a row left off the record */
        double stag = (r % 2) ? mr->sp / 2 : 0;
        double x0 = m->x0 + ux * stag + vx * mr->off, y0 = m->y0 + uy * stag + vy * mr->off;
        double x1 = m->x0 + ux * m->len + vx * mr->off, y1 = m->y0 + uy * m->len + vy * mr->off;
        xf tr = t;
        if (r >= bad_from) { /* the later rows were drawn from memory */
            double sh = 0;
            for (int tries = 0; tries < 20; tries++) {
                sh = dd_range(&w->rng, 15, 40) * (dd_chance(&w->rng, 0.5) ? 1 : -1);
                int clash = 0; /* never drawn onto another row */
                for (int q = 0; q < m->nrows; q++)
                    clash |= fabs(mr->off + sh - m->row[q].off) < 3;
                for (int q = 0; q < n_placed; q++)
                    clash |= fabs(mr->off + sh - placed[q]) < 3;
                if (!clash)
                    break;
            }
            double al = dd_range(&w->rng, -20, 20);
            tr.dx = vx * sh + ux * al;
            tr.dy = vy * sh + uy * al;
            placed[n_placed++] = mr->off + sh;
        }
        dm_status st = add_row(w, rc, ++row_no, mr, x0, y0, x1, y1, &tr);
        if (st)
            return st;
    }
    if (dd_chance(&w->rng, 0.1) && m->nrows > 0) { /* a row that was never laid */
        const dd_mrow *mr = &m->row[m->nrows - 1];
        double o = mr->off + (mr->off >= 0 ? 1 : -1) * dd_range(&w->rng, 20, 35);
        dm_status st = add_row(w, rc, ++row_no, mr, m->x0 + vx * o, m->y0 + vy * o,
                               m->x0 + ux * m->len + vx * o, m->y0 + uy * m->len + vy * o, &t);
        if (st)
            return st;
    }
    rc = &w->records.v[ri];
    double rux = ux, ruy = uy;
    apply(&(xf){0, 0, t.ang, 0, 0}, &rux, &ruy);
    if (rect_around(w, rc, rux, ruy, 10))
        return DM_ENOMEM;
    mine_types(w, rc);
    rc->handed = handover_date(w, m->side);
    rc->laid = m->side > 0 ? dd_days(1993, 1, 1) + dd_int(&w->rng, 0, 2900)
                           : dd_days(1995, 1, 1) + dd_int(&w->rng, 0, 8000);
    int d = dd_district_at(w, m->x0, m->y0);
    snprintf(rc->ref, sizeof rc->ref, "%s-R-%04d", d >= 0 ? w->districts.v[d].code : "KRB",
             (int)w->records.n);
    snprintf(rc->source, sizeof rc->source, "%s",
             m->side > 0 ? "Armenian armed forces (handed over)" : "Azerbaijani armed forces");
    static const char *const notes[] = {"paper form, 1:25,000 sheet", "sketch with reference point",
                                        "photocopy, partly illegible", "digitised map",
                                        "form with row bearings and distances"};
    snprintf(rc->notes, sizeof rc->notes, "%s", notes[dd_int(&w->rng, 0, 4)]);
    return DM_OK;
}

/* Recorded mines of record r within 5 m of a real one. */
static size_t near_count(const dd_world *w, const dd_record *rc)
{
    size_t k = 0;
    for (int i = 0; i < rc->nmines; i++) {
        const dd_recmine *m = &w->recmines.v[rc->first_mine + i];
        k += dd_nearest_item(w, m->x, m->y, 5, NULL) <= 5;
    }
    return k;
}

/* A record of a field that is not there (never laid, or lifted before),
 * drawn like one nearby and placed well away from it. */
static dm_status false_record(dd_world *w)
{
    size_t nmf = w->mfs.n, pick = 0;
    int found = 0;
    for (int tries = 0; tries < 50 && !found && nmf; tries++) {
        pick = (size_t)dd_int(&w->rng, 0, (int)nmf - 1);
        found = w->mfs.v[pick].pattern == PAT_DOCTRINAL;
    }
    if (!found)
        return DM_OK;
    dm_status st = make_record(w, -1, &w->mfs.v[pick], MODE_FALSE);
    if (st)
        return st;
    dd_record *rc = &w->records.v[w->records.n - 1];
    double a = dd_range(&w->rng, 0, 2 * M_PI), d = dd_range(&w->rng, 400, 1500);
    double dx = cos(a) * d, dy = sin(a) * d;
    for (int r = 0; r < rc->nrows; r++) {
        dd_recrow *rr = &w->recrows.v[rc->first_row + r];
        rr->x0 += dx;
        rr->x1 += dx;
        rr->y0 += dy;
        rr->y1 += dy;
    }
    for (int q = 0; q < rc->nmines; q++) {
        w->recmines.v[rc->first_mine + q].x += dx;
        w->recmines.v[rc->first_mine + q].y += dy;
    }
    for (int q = 0; q < rc->ring.n; q++) {
        rc->ring.xy[2 * q] += dx;
        rc->ring.xy[2 * q + 1] += dy;
    }
    rc->refx += dx;
    rc->refy += dy;
    dd_bbox(rc->ring.xy, rc->ring.n, rc->b);
    return DM_OK;
}

#define TARGET_ACCURACY 0.25

dm_status dd_make_records(dd_world *w)
{
    size_t nmf = w->mfs.n, n_doc = 0;
    for (size_t i = 0; i < nmf; i++)
        n_doc += w->mfs.v[i].pattern == PAT_DOCTRINAL;
    /* about one record in ten is of a field that is not there */
    int n_false = (int)(n_doc * 0.06 + 1);
    size_t near = 0, total = 0;
    for (int k = 0; k < n_false; k++) {
        size_t first = w->recmines.n;
        dm_status st = false_record(w);
        if (st)
            return st;
        if (w->recmines.n > first) {
            total += w->recmines.n - first;
            near += near_count(w, &w->records.v[w->records.n - 1]);
        }
    }
    /* The kind of error of each record is drawn so that the share of
     * recorded mines near a real one stays close to the Karabakh figure
     * whatever the scale: good records when the running share is low,
     * wrong ones otherwise. */
    for (size_t i = 0; i < nmf; i++) {
        dd_minefield *m = &w->mfs.v[i];
        if (m->pattern != PAT_DOCTRINAL || !dd_chance(&w->rng, m->side > 0 ? 0.8 : 0.4))
            continue;
        double acc = total ? (double)near / (double)total : 0;
        double k = dd_unif(&w->rng);
        int mode;
        if (acc < TARGET_ACCURACY)
            mode = k < 0.75 ? MODE_GOOD : MODE_PARTIAL;
        else
            mode = k < 0.6 ? MODE_SHIFTED : k < 0.85 ? MODE_ROTATED : MODE_PARTIAL;
        m->record = (int)w->records.n;
        dm_status st = make_record(w, (int)i, m, mode);
        if (st)
            return st;
        const dd_record *rc = &w->records.v[w->records.n - 1];
        total += (size_t)rc->nmines;
        near += near_count(w, rc);
    }
    w->accuracy_5m = total ? (double)near / (double)total : 0;
    return DM_OK;
}
