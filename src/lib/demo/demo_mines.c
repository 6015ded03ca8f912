/* SPDX-License-Identifier: MIT
 *
 * demo_mines.c -- the truth of the demo scenario: doctrinal minefields in
 * rows along both sides of the former front line (AT rows 4-6 m apart in
 * 3-4 rows, AP rows ~1 m apart in 2-4 rows), nuisance mines at road edges,
 * bridges, cemeteries, houses and positions, cluster strikes, scatterable
 * mines and UXO strewn over the 2020 battlefield.
 */
#include "demo_internal.h"

#include <math.h>
#include <string.h>

const char *const dd_cat_name[CAT_N] = {"AP", "AT", "UXO", "AXO", "IED", "SUB"};
const char *const dd_pattern_name[3] = {"doctrinal", "nuisance", "scattered"};

static const char *const uxo_models[] = {"OF-462 122 mm projectile", "82 mm mortar bomb",
                                         "120 mm mortar bomb",        "PG-7V rocket",
                                         "F-1 hand grenade",          "152 mm projectile",
                                         "9M22 122 mm rocket",        "VOG-17 grenade"};

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static double depth_of(dd_world *w, int cat, const char *model)
{
    if (!strcmp(model, "POMZ-2M"))
        return -20; /* on a stake above ground */
    if (!strcmp(model, "PFM-1"))
        return 0;
    switch (cat) {
    case CAT_AT: return dd_range(&w->rng, 5, 25);
    case CAT_AP: return dd_range(&w->rng, 1, 8);
    case CAT_SUB: return dd_range(&w->rng, 0, 10);
    case CAT_IED: return 0;
    default: return dd_chance(&w->rng, 0.7) ? dd_range(&w->rng, 0, 5) : dd_range(&w->rng, 5, 60);
    }
}

static dd_item *add_item(dd_world *w, double x, double y, int cat, const char *model, int pattern,
                         int mf, int row)
{
    if (x < w->x0 || x > w->x1 || y < w->y0 || y > w->y1)
        return (dd_item *)w; /* outside the extent: dropped (a non-NULL sentinel) */
    dd_item *it = DD_PUSH(w, w->items);
    if (!it)
        return NULL;
    it->x = x;
    it->y = y;
    it->cat = cat;
    it->model = model;
    it->pattern = pattern;
    it->mf = mf;
    it->row = row;
    it->depth = depth_of(w, cat, model);
    dd_uuid(&w->ids, it->uuid);
    return it;
}

/* A minefield's ring: the bounding rectangle of its items plus a margin,
 * along its rows for doctrinal fields. Drops fields left without items. */
static dm_status close_field(dd_world *w, dd_minefield *m, double margin)
{
    m->count = w->items.n - m->first;
    if (m->count == 0) {
        w->mfs.n--;
        return DM_OK;
    }
    double ux = m->ux, uy = m->uy;
    if (ux == 0 && uy == 0) {
        ux = 1;
        uy = 0;
    }
    double vx = -uy, vy = ux, a0 = INFINITY, a1 = -INFINITY, c0 = INFINITY, c1 = -INFINITY;
    for (size_t i = m->first; i < w->items.n; i++) {
        double a = w->items.v[i].x * ux + w->items.v[i].y * uy;
        double c = w->items.v[i].x * vx + w->items.v[i].y * vy;
        if (a < a0) a0 = a;
        if (a > a1) a1 = a;
        if (c < c0) c0 = c;
        if (c > c1) c1 = c;
    }
    double ca = (a0 + a1) / 2, cc = (c0 + c1) / 2;
    double cx = ca * ux + cc * vx, cy = ca * uy + cc * vy;
    if (dd_rect(w, &m->ring, cx, cy, ux, uy, (a1 - a0) / 2 + margin, (c1 - c0) / 2 + margin))
        return DM_ENOMEM;
    dd_bbox(m->ring.xy, m->ring.n, m->b);
    return DM_OK;
}

static dd_minefield *new_field(dd_world *w, int pattern)
{
    dd_minefield *m = DD_PUSH(w, w->mfs);
    if (!m)
        return NULL;
    m->pattern = pattern;
    m->record = -1;
    m->first = w->items.n;
    dd_uuid(&w->ids, m->uuid);
    return m;
}

/* ------------------------------ doctrinal ------------------------------ */

static dm_status doctrinal(dd_world *w, double s, int side)
{
    double fx, fy, ux, uy;
    dd_front_at(w, s, &fx, &fy, &ux, &uy);
    double off = 60 + fmin(-log(1 - dd_unif(&w->rng) + 1e-12) * 450, 3500);
    /* +1 (west) lies to the right of the north-to-south direction */
    double nx = uy * side, ny = -ux * side;
    double ang = dd_range(&w->rng, -0.14, 0.14), c = cos(ang), sn = sin(ang);
    double ax = ux * c - uy * sn, ay = ux * sn + uy * c;
    double kind = dd_unif(&w->rng), len;
    dd_minefield *m = new_field(w, PAT_DOCTRINAL);
    if (!m)
        return oom(w);
    m->side = side;
    m->ux = ax;
    m->uy = ay;
    int nr = 0;
    double o = 0;
    if (kind < 0.40) { /* anti-tank */
        len = dd_range(&w->rng, 100, 260);
        int rows = dd_int(&w->rng, 3, 4);
        double sp = dd_range(&w->rng, 4, 6), sep = dd_range(&w->rng, 12, 25);
        const char *model = dd_chance(&w->rng, 0.8) ? "TM-62M" : "TM-57";
        for (int r = 0; r < rows; r++, o += sep)
            m->row[nr++] = (dd_mrow){o, sp, CAT_AT, 0, model};
    } else if (kind < 0.75) { /* anti-personnel */
        len = dd_range(&w->rng, 30, 100);
        int rows = dd_int(&w->rng, 2, 4);
        double sp = dd_range(&w->rng, 0.8, 1.5), sep = dd_range(&w->rng, 3, 6);
        const char *model = dd_chance(&w->rng, 0.75) ? "PMN-2" : "PMN";
        for (int r = 0; r < rows; r++, o += sep)
            m->row[nr++] = (dd_mrow){o, sp, CAT_AP, 0, model};
    } else { /* mixed: AT rows with AP rows in front */
        len = dd_range(&w->rng, 80, 200);
        int rows = dd_int(&w->rng, 3, 4);
        double sp = dd_range(&w->rng, 4, 6), sep = dd_range(&w->rng, 12, 20);
        for (int r = 0; r < rows; r++, o += sep)
            m->row[nr++] = (dd_mrow){o, sp, CAT_AT, 0, "TM-62M"};
        int ap = dd_int(&w->rng, 1, 2);
        o += 6;
        for (int r = 0; r < ap; r++, o += 4) {
            int ozm = dd_chance(&w->rng, 0.3);
            m->row[nr++] = (dd_mrow){o, ozm ? dd_range(&w->rng, 8, 12) : dd_range(&w->rng, 0.9, 1.3),
                                     CAT_AP, 0, ozm ? "OZM-72" : "PMN-2"};
        }
    }
    m->nrows = nr;
    m->len = len;
    /* the rows start here and run along (ax, ay); rows stack towards the line */
    m->x0 = fx + nx * off - ax * len / 2;
    m->y0 = fy + ny * off - ay * len / 2;
    double vx = -ay, vy = ax; /* across the rows */
    if (vx * nx + vy * ny > 0) { /* rows stack towards the front line */
        vx = -vx;
        vy = -vy;
    }
    for (int r = 0; r < nr; r++) {
        dd_mrow *row = &m->row[r];
        double stag = (r % 2) ? row->sp / 2 : 0;
        int n = (int)((len - stag) / row->sp) + 1;
        for (int i = 0; i < n; i++) {
            if (dd_chance(&w->rng, 0.04))
                continue; /* not laid, or set off long ago */
            double a = stag + i * row->sp + dd_range(&w->rng, -0.12, 0.12) * row->sp;
            double b = row->off + dd_range(&w->rng, -0.4, 0.4);
            if (!add_item(w, m->x0 + ax * a + vx * b, m->y0 + ay * a + vy * b, row->cat, row->model,
                          PAT_DOCTRINAL, (int)(w->mfs.n - 1), r + 1))
                return oom(w);
            row->n++;
        }
    }
    /* keep the across direction for records: store it via the row offsets' sign */
    m->ux = ax;
    m->uy = ay;
    if (vx != -ay) { /* rows stack to the right: flip so that offsets are along (-ay, ax) */
        for (int r = 0; r < nr; r++)
            m->row[r].off = -m->row[r].off;
    }
    return close_field(w, m, 6);
}

/* ------------------------------- nuisance ------------------------------- */

static dm_status group(dd_world *w, double cx, double cy, double ux, double uy, int n, double spread_a,
                       double spread_c, double off_c, int cat, const char *model)
{
    dd_minefield *m = new_field(w, PAT_NUISANCE);
    if (!m)
        return oom(w);
    m->ux = ux;
    m->uy = uy;
    int side = dd_chance(&w->rng, 0.5) ? 1 : -1;
    for (int i = 0; i < n; i++) {
        double a = dd_range(&w->rng, -spread_a, spread_a);
        double c = side * (off_c + dd_range(&w->rng, 0, spread_c));
        if (dd_chance(&w->rng, 0.3))
            c = -c;
        int ct = cat;
        const char *md = model;
        if (cat < 0) { /* mixed nuisance */
            double k = dd_unif(&w->rng);
            ct = k < 0.6 ? CAT_AP : k < 0.85 ? CAT_AT : CAT_IED;
            md = ct == CAT_AP ? (dd_chance(&w->rng, 0.7) ? "PMN-2" : "OZM-72")
                 : ct == CAT_AT ? "TM-62M" : "booby trap (F-1 grenade)";
        }
        if (!add_item(w, cx + ux * a - uy * c, cy + uy * a + ux * c, ct, md, PAT_NUISANCE,
                      (int)(w->mfs.n - 1), 0))
            return oom(w);
    }
    return close_field(w, m, 5);
}

static double west_weight(const dd_world *w, double x, double y)
{
    int side;
    double d = dd_front_dist(w, x, y, &side, NULL);
    return (side > 0 ? 1.0 : 0.35) * (0.25 + exp(-d / 4000));
}

static dm_status nuisance(dd_world *w)
{
    dm_status st = DM_OK;
    double k = w->density;
    for (size_t r = 0; r < w->roads.n && !st; r++) {
        const dd_pts *p = &w->roads.v[r].p;
        for (int i = 0; i + 1 < p->n && !st; i++) {
            double ax = p->xy[2 * i], ay = p->xy[2 * i + 1], bx = p->xy[2 * i + 2], by = p->xy[2 * i + 3];
            double l = hypot(bx - ax, by - ay);
            if (l <= 0 || !dd_chance(&w->rng, k * 0.35 * l / 1000 * west_weight(w, ax, ay)))
                continue;
            double t = dd_unif(&w->rng), ux = (bx - ax) / l, uy = (by - ay) / l;
            int at = dd_chance(&w->rng, 0.35);
            st = group(w, ax + t * (bx - ax), ay + t * (by - ay), ux, uy, dd_int(&w->rng, 2, 8),
                       dd_range(&w->rng, 8, 40), 3, 3.5, at ? CAT_AT : CAT_AP, at ? "TM-62M" : "PMN-2");
        }
    }
    for (size_t b = 0; b < w->bridges.n && !st; b++) {
        const dd_bridge *br = &w->bridges.v[b];
        if (!dd_chance(&w->rng, fmin(0.9, 0.6 * k * west_weight(w, br->x, br->y) * 1.5)))
            continue;
        double end = dd_chance(&w->rng, 0.5) ? 1 : -1, d = dd_range(&w->rng, 10, 25) * end;
        st = group(w, br->x + br->ux * d, br->y + br->uy * d, -br->uy, br->ux, dd_int(&w->rng, 3, 10),
                   15, 8, 2, -1, NULL);
    }
    for (size_t c = 0; c < w->cemeteries.n && !st; c++) {
        const dd_cemetery *cm = &w->cemeteries.v[c];
        if (!dd_chance(&w->rng, fmin(0.8, 0.35 * k * west_weight(w, cm->x, cm->y) * 1.5)))
            continue;
        double ex = cm->ring.xy[2] - cm->ring.xy[0], ey = cm->ring.xy[3] - cm->ring.xy[1], l = hypot(ex, ey);
        double mx = (cm->ring.xy[0] + cm->ring.xy[2]) / 2, my = (cm->ring.xy[1] + cm->ring.xy[3]) / 2;
        st = group(w, mx, my, ex / l, ey / l, dd_int(&w->rng, 2, 10), l / 2, 6, 1, CAT_AP,
                   dd_chance(&w->rng, 0.6) ? "PMN-2" : "POMZ-2M");
    }
    for (size_t h = 0; h < w->houses.n && !st; h++) {
        const dd_house *hs = &w->houses.v[h];
        if (!w->settlements.v[hs->settlement].west || !dd_chance(&w->rng, 0.02 * k))
            continue;
        st = group(w, hs->x, hs->y, cos(hs->ang), sin(hs->ang), dd_int(&w->rng, 1, 3), 6, 4, 5, -1, NULL);
    }
    for (size_t q = 0; q + 1 < w->positions.n && !st; q += 2) {
        if (!dd_chance(&w->rng, 0.6))
            continue;
        double px = w->positions.v[q], py = w->positions.v[q + 1];
        dd_minefield *m = new_field(w, PAT_NUISANCE);
        if (!m)
            return oom(w);
        int n = dd_int(&w->rng, 6, 24);
        double rad = dd_range(&w->rng, 25, 60);
        const char *md = dd_chance(&w->rng, 0.5) ? "POMZ-2M" : "PMN-2";
        for (int i = 0; i < n && !st; i++) {
            double a = dd_range(&w->rng, 0, 2 * M_PI), rr = rad + dd_normal(&w->rng) * 3;
            if (!add_item(w, px + cos(a) * rr, py + sin(a) * rr, CAT_AP, md, PAT_NUISANCE,
                          (int)(w->mfs.n - 1), 0))
                return oom(w);
        }
        if (!st)
            st = close_field(w, m, 5);
    }
    return st;
}

/* ------------------------------ scattered ------------------------------ */

static dm_status scattered(dd_world *w)
{
    double area = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int strikes = dd_poisson(&w->rng, area / 250 * (w->scale ? 1 : 2.5));
    for (int i = 0; i < strikes; i++) {
        double x = dd_range(&w->rng, w->x0 + 300, w->x1 - 300), y = dd_range(&w->rng, w->y0 + 300, w->y1 - 300);
        int pfm = dd_chance(&w->rng, 0.2);
        dd_minefield *m = new_field(w, PAT_SCATTERED);
        if (!m)
            return oom(w);
        double a = dd_range(&w->rng, 0, M_PI), ra = dd_range(&w->rng, 80, 200), rb = ra * dd_range(&w->rng, 0.3, 0.6);
        m->ux = cos(a);
        m->uy = sin(a);
        int n = pfm ? dd_int(&w->rng, 30, 100) : dd_int(&w->rng, 15, 60);
        const char *md = pfm ? "PFM-1" : dd_chance(&w->rng, 0.7) ? "9N235" : "M095 DPICM";
        for (int k = 0; k < n; k++) {
            double u = dd_normal(&w->rng) * ra / 2, v = dd_normal(&w->rng) * rb / 2;
            if (!add_item(w, x + m->ux * u - m->uy * v, y + m->uy * u + m->ux * v,
                          pfm ? CAT_AP : CAT_SUB, md, PAT_SCATTERED, (int)(w->mfs.n - 1), 0))
                return oom(w);
        }
        dm_status st = close_field(w, m, 10);
        if (st)
            return st;
    }
    /* single items of the 2020 war, thicker near the line and in towns */
    int n = (int)(area * 1.6 * w->density), placed = 0, tries = 0;
    while (placed < n && tries++ < n * 20) {
        double x = dd_range(&w->rng, w->x0, w->x1), y = dd_range(&w->rng, w->y0, w->y1);
        double d = dd_front_dist(w, x, y, NULL, NULL), ds;
        dd_nearest_settlement(w, x, y, &ds);
        double acc = 0.15 + 0.85 * exp(-d / 5000) + 0.5 * exp(-ds / 1500);
        if (dd_unif(&w->rng) * 1.5 > acc)
            continue;
        int axo = dd_chance(&w->rng, 0.05);
        const char *md = axo ? "abandoned 122 mm rounds" : uxo_models[dd_int(&w->rng, 0, 7)];
        if (!add_item(w, x, y, axo ? CAT_AXO : CAT_UXO, md, PAT_SCATTERED, -1, 0))
            return oom(w);
        placed++;
    }
    return DM_OK;
}

dm_status dd_make_mines(dd_world *w)
{
    double L = dd_front_len(w);
    for (int side = -1; side <= 1; side += 2) {
        double per_km = (side > 0 ? 6.0 : 3.0) * w->density;
        for (double s = dd_range(&w->rng, 0, 300); s < L; s += dd_range(&w->rng, 0.3, 1.7) * 1000 / per_km) {
            dm_status st = doctrinal(w, s, side);
            if (st)
                return st;
            dm__progress(w->ctx, "demo: minefields", (uint64_t)(s / L * 100), 100);
        }
    }
    dm_status st = nuisance(w);
    if (!st)
        st = scattered(w);
    if (!st)
        st = dd_index_items(w);
    return st;
}
