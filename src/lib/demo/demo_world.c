/* SPDX-License-Identifier: MIT
 *
 * demo_world.c -- the ground of the demo scenario: its extent at the real
 * coordinates of the Karabakh region (UTM 38N), districts, settlements with
 * houses and cemeteries, roads, rivers, bridges where they cross, and the
 * former line of contact (1994-2020) with military positions along it.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct place {
    const char *name, *code;
    double lon, lat;
    long pop; /* towns: pre-war population */
} place;

/* District centres (approximate, public maps). */
static const place district_centres[] = {
    {"Aghdam", "AGD", 46.93, 39.99, 0},     {"Khojaly", "KHJ", 46.79, 39.91, 0},
    {"Shusha", "SHS", 46.75, 39.76, 0},     {"Khojavend", "KHV", 47.00, 39.79, 0},
    {"Fuzuli", "FZL", 47.15, 39.60, 0},     {"Jabrayil", "JBR", 47.03, 39.40, 0},
    {"Lachin", "LCN", 46.55, 39.64, 0},     {"Gubadli", "GBD", 46.58, 39.34, 0},
    {"Tartar", "TRT", 46.93, 40.34, 0},     {"Aghjabadi", "AGJ", 47.46, 40.05, 0},
    {"Beylagan", "BYL", 47.62, 39.77, 0},   {"Barda", "BRD", 47.13, 40.37, 0},
};

/* Towns (approximate positions). */
static const place towns[] = {
    {"Aghdam", NULL, 46.93, 39.99, 28000},   {"Fuzuli", NULL, 47.15, 39.60, 17000},
    {"Khojavend", NULL, 47.00, 39.79, 6000}, {"Khojaly", NULL, 46.79, 39.91, 6000},
    {"Shusha", NULL, 46.75, 39.76, 17000},   {"Hadrut", NULL, 46.99, 39.52, 4000},
    {"Askeran", NULL, 46.83, 39.94, 2000},   {"Horadiz", NULL, 47.33, 39.45, 9000},
    {"Guzanli", NULL, 47.13, 40.07, 12000},  {"Aghjabadi", NULL, 47.46, 40.05, 20000},
    {"Beylagan", NULL, 47.62, 39.77, 14000}, {"Jabrayil", NULL, 47.03, 39.40, 6000},
};

/* The line of contact, north to south (approximate). */
static const double front_lonlat[][2] = {
    {46.86, 40.30}, {46.90, 40.20}, {46.97, 40.12}, {47.04, 40.05}, {47.07, 39.99},
    {47.08, 39.92}, {47.10, 39.85}, {47.17, 39.76}, {47.24, 39.67}, {47.29, 39.57},
    {47.32, 39.48}, {47.34, 39.38}, {47.36, 39.30},
};

static const char *const village_names[] = {
    "Giyasli", "Gulabli", "Papravend", "Shelli", "Sarijali", "Merzili", "Abdal", "Khidirli",
    "Boyahmadli", "Kengerli", "Yusifjanli", "Taghibayli", "Ughurlubayli", "Baharli", "Zangishali",
    "Shikhbabali", "Alimadatli", "Chullu", "Salakhli", "Kiyasli", "Novruzlu", "Garadaghli",
    "Eyvazli", "Ahmadagali", "Gajar", "Alkhanli", "Dordchinar", "Kurdmahmudlu", "Garakollu",
    "Ashaghi Abdurrahmanli", "Yukhari Veysalli", "Horovlu", "Dilagarda", "Juvarli", "Mirzanagili",
    "Gochahmadli", "Babi", "Marjanli", "Sirik", "Tug", "Sos", "Karmir Shuka", "Avdur", "Mushkapat",
    "Kuropatkino", "Seyidmahmudlu", "Hasanli", "Imamgulubayli", "Dashkesan", "Gadirli",
    "Bash Garvand", "Sarov", "Hajiturali", "Khatinbayli", "Malibayli", "Dashalti", "Kosalar",
    "Badara", "Sirkhavend", "Chaylaggala", "Garagashli", "Shahbulag", "Gulluja", "Javahirli",
};

static const char *const river_names[] = {"Gargarchay", "Khachinchay", "Kondelenchay",
                                          "Guruchay", "Kurekchay", "Ilisu", "Kozluchay"};

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

/* ------------------------------------------------------------------ */

static dm_status make_districts(dd_world *w, dm_transform *to_utm)
{
    int nx = w->scale ? 4 : 2, ny = w->scale ? 3 : 2, K = 6;
    double cw = (w->x1 - w->x0) / nx, ch = (w->y1 - w->y0) / ny;
    double cx[5][6], cy[5][6];
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i <= nx; i++) {
            double jx = (i > 0 && i < nx) ? dd_range(&w->rng, -0.15, 0.15) * cw : 0;
            double jy = (j > 0 && j < ny) ? dd_range(&w->rng, -0.15, 0.15) * ch : 0;
            cx[j][i] = w->x0 + i * cw + jx;
            cy[j][i] = w->y0 + j * ch + jy;
        }
    /* intermediate points of each edge, shared by both neighbours */
    double hx[5][5][6], hy[5][5][6], vx[5][5][6], vy[5][5][6];
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i < nx; i++) {
            double amp = (j > 0 && j < ny) ? dd_range(&w->rng, 0.02, 0.06) * cw : 0, ph = dd_range(&w->rng, 0, 6.28);
            for (int k = 0; k < K; k++) {
                double t = (k + 1.0) / (K + 1);
                hx[j][i][k] = cx[j][i] + t * (cx[j][i + 1] - cx[j][i]);
                hy[j][i][k] = cy[j][i] + t * (cy[j][i + 1] - cy[j][i]) + amp * sin(M_PI * t) * sin(3 * t + ph);
            }
        }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i <= nx; i++) {
            double amp = (i > 0 && i < nx) ? dd_range(&w->rng, 0.02, 0.06) * ch : 0, ph = dd_range(&w->rng, 0, 6.28);
            for (int k = 0; k < K; k++) {
                double t = (k + 1.0) / (K + 1);
                vy[j][i][k] = cy[j][i] + t * (cy[j + 1][i] - cy[j][i]);
                vx[j][i][k] = cx[j][i] + t * (cx[j + 1][i] - cx[j][i]) + amp * sin(M_PI * t) * sin(3 * t + ph);
            }
        }
    /* centres of the real districts in UTM */
    size_t nd = sizeof district_centres / sizeof *district_centres;
    double dx[16], dy[16];
    int used[16] = {0};
    for (size_t d = 0; d < nd; d++) {
        dx[d] = district_centres[d].lon;
        dy[d] = district_centres[d].lat;
    }
    if (dm_transform_xy(to_utm, dx, dy, nd))
        return dm_ctx_errcode(w->ctx);
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            dd_district *d = DD_PUSH(w, w->districts);
            if (!d || dd_pts_make(w, &d->ring, 4 + 4 * K))
                return oom(w);
            double *p = d->ring.xy;
            int n = 0;
#define PUT(X, Y) (p[2 * n] = (X), p[2 * n + 1] = (Y), n++)
            PUT(cx[j][i], cy[j][i]);
            for (int k = 0; k < K; k++) PUT(hx[j][i][k], hy[j][i][k]);
            PUT(cx[j][i + 1], cy[j][i + 1]);
            for (int k = 0; k < K; k++) PUT(vx[j][i + 1][k], vy[j][i + 1][k]);
            PUT(cx[j + 1][i + 1], cy[j + 1][i + 1]);
            for (int k = K - 1; k >= 0; k--) PUT(hx[j + 1][i][k], hy[j + 1][i][k]);
            PUT(cx[j + 1][i], cy[j + 1][i]);
            for (int k = K - 1; k >= 0; k--) PUT(vx[j][i][k], vy[j][i][k]);
#undef PUT
            double mx = w->x0 + (i + 0.5) * cw, my = w->y0 + (j + 0.5) * ch, bd = INFINITY;
            int best = 0;
            for (size_t k = 0; k < nd; k++)
                if (!used[k] && hypot(dx[k] - mx, dy[k] - my) < bd) {
                    bd = hypot(dx[k] - mx, dy[k] - my);
                    best = (int)k;
                }
            used[best] = 1;
            snprintf(d->name, sizeof d->name, "%s", district_centres[best].name);
            snprintf(d->code, sizeof d->code, "%s", district_centres[best].code);
            dd_uuid(&w->ids, d->uuid);
        }
    return DM_OK;
}

static dm_status make_front(dd_world *w, const double *fx, const double *fy, int nf)
{
    /* densify every ~200 m with a smooth lateral wander */
    double total = 0;
    for (int i = 0; i + 1 < nf; i++)
        total += hypot(fx[i + 1] - fx[i], fy[i + 1] - fy[i]);
    int n = (int)(total / 200) + nf + 1;
    double *xy = dm_malloc(w->ctx, (size_t)n * 2 * sizeof(double));
    if (!xy)
        return oom(w);
    double ph[3], wl[3] = {2500, 5200, 11000}, amp[3] = {90, 180, 320};
    for (int k = 0; k < 3; k++)
        ph[k] = dd_range(&w->rng, 0, 2 * M_PI);
    int m = 0;
    double s = 0;
    for (int i = 0; i + 1 < nf; i++) {
        double ex = fx[i + 1] - fx[i], ey = fy[i + 1] - fy[i], l = hypot(ex, ey);
        int steps = (int)(l / 200) + 1;
        for (int k = 0; k < steps && m < n; k++) {
            double t = (double)k / steps, ss = s + t * l, off = 0;
            for (int h = 0; h < 3; h++)
                off += amp[h] * sin(2 * M_PI * ss / wl[h] + ph[h]);
            double x = fx[i] + t * ex - ey / l * off, y = fy[i] + t * ey + ex / l * off;
            if (x > w->x0 - 3000 && x < w->x1 + 3000 && y > w->y0 - 3000 && y < w->y1 + 3000) {
                xy[2 * m] = x;
                xy[2 * m + 1] = y;
                m++;
            }
        }
        s += l;
    }
    if (m < 2) {
        dm_free(w->ctx, xy);
        return dm__fail(w->ctx, DM_EINTERNAL, "the front line misses the scenario extent");
    }
    if (dd_pts_make(w, &w->front, m)) {
        dm_free(w->ctx, xy);
        return oom(w);
    }
    memcpy(w->front.xy, xy, (size_t)m * 2 * sizeof(double));
    dm_free(w->ctx, xy);
    w->front_s = dd_alloc_xy(w, (m + 1) / 2 + 1);
    if (!w->front_s)
        return oom(w);
    w->front_s[0] = 0;
    for (int i = 1; i < m; i++)
        w->front_s[i] = w->front_s[i - 1] + hypot(w->front.xy[2 * i] - w->front.xy[2 * i - 2],
                                                  w->front.xy[2 * i + 1] - w->front.xy[2 * i - 1]);
    return DM_OK;
}

static int inside(const dd_world *w, double x, double y, double margin)
{
    return x > w->x0 + margin && x < w->x1 - margin && y > w->y0 + margin && y < w->y1 - margin;
}

static dm_status add_settlement(dd_world *w, const char *name, double x, double y, long pop,
                                int town)
{
    dd_settlement *s = DD_PUSH(w, w->settlements);
    if (!s)
        return oom(w);
    int side = 1;
    dd_front_dist(w, x, y, &side, NULL);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->x = x;
    s->y = y;
    s->west = side > 0;
    if (s->west) { /* formerly occupied: destroyed, people waiting to return */
        s->returning = pop;
        s->population = dd_chance(&w->rng, 0.25) ? (long)(pop * dd_range(&w->rng, 0.05, 0.4)) : 0;
    } else {
        s->population = pop;
        s->returning = 0;
    }
    s->r = town ? 600 + sqrt((double)pop) * 6 : 200 + sqrt((double)pop) * 6;
    s->district = dd_district_at(w, x, y);
    dd_uuid(&w->ids, s->uuid);
    return DM_OK;
}

static dm_status make_settlements(dd_world *w, dm_transform *to_utm)
{
    size_t nt = sizeof towns / sizeof *towns;
    for (size_t i = 0; i < nt; i++) {
        double x = towns[i].lon, y = towns[i].lat;
        if (dm_transform_xy(to_utm, &x, &y, 1))
            return dm_ctx_errcode(w->ctx);
        if (inside(w, x, y, 500) && add_settlement(w, towns[i].name, x, y, towns[i].pop, 1))
            return DM_ENOMEM;
    }
    double area_km2 = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int want = (int)(area_km2 / 22) + 3, tries = 0, named = 0;
    size_t nv = sizeof village_names / sizeof *village_names;
    while ((int)w->settlements.n < want && tries++ < want * 50) {
        double x = dd_range(&w->rng, w->x0 + 400, w->x1 - 400);
        double y = dd_range(&w->rng, w->y0 + 400, w->y1 - 400);
        double d;
        dd_nearest_settlement(w, x, y, &d);
        if (d < 1700)
            continue;
        if (dd_front_dist(w, x, y, NULL, NULL) < 900 && !dd_chance(&w->rng, 0.1))
            continue;
        char name[40];
        if ((size_t)named < nv)
            snprintf(name, sizeof name, "%s", village_names[named]);
        else
            snprintf(name, sizeof name, "%s %d", village_names[named % nv], (int)(named / nv) + 1);
        named++;
        long pop = (long)(150 + 2500 * pow(dd_unif(&w->rng), 2.5));
        if (add_settlement(w, name, x, y, pop, 0))
            return DM_ENOMEM;
    }
    /* houses and a cemetery each */
    for (size_t i = 0; i < w->settlements.n; i++) {
        dd_settlement *s = &w->settlements.v[i];
        long people = s->population + s->returning;
        int nh = (int)(people / 6);
        if (nh < 12) nh = 12;
        if (nh > 220) nh = 220;
        for (int h = 0; h < nh; h++) {
            double x = s->x + dd_normal(&w->rng) * s->r * 0.45;
            double y = s->y + dd_normal(&w->rng) * s->r * 0.45;
            if (!inside(w, x, y, 20))
                continue;
            dd_house *hs = DD_PUSH(w, w->houses);
            if (!hs)
                return oom(w);
            hs->x = x;
            hs->y = y;
            hs->ang = dd_range(&w->rng, 0, M_PI);
            hs->settlement = (int)i;
        }
        double a = dd_range(&w->rng, 0, 2 * M_PI), d = s->r + dd_range(&w->rng, 60, 200);
        double x = s->x + cos(a) * d, y = s->y + sin(a) * d;
        if (!inside(w, x, y, 100))
            continue;
        dd_cemetery *c = DD_PUSH(w, w->cemeteries);
        if (!c)
            return oom(w);
        double b = dd_range(&w->rng, 0, M_PI);
        if (dd_rect(w, &c->ring, x, y, cos(b), sin(b), dd_range(&w->rng, 25, 60), dd_range(&w->rng, 15, 40)))
            return DM_ENOMEM;
        c->x = x;
        c->y = y;
        c->settlement = (int)i;
    }
    return DM_OK;
}

/* A gently winding line from a to b with points every ~step metres. */
static dm_status wind(dd_world *w, dd_pts *out, double ax, double ay, double bx, double by,
                      double step, double amp)
{
    double l = hypot(bx - ax, by - ay);
    int n = (int)(l / step) + 2;
    if (dd_pts_make(w, out, n))
        return DM_ENOMEM;
    double ph1 = dd_range(&w->rng, 0, 6.28);
    double a1 = dd_range(&w->rng, -amp, amp), a2 = dd_range(&w->rng, -amp, amp) / 3;
    for (int i = 0; i < n; i++) {
        double t = (double)i / (n - 1);
        double off = l * (a1 * sin(M_PI * t) + a2 * sin(3 * M_PI * t + ph1) * sin(M_PI * t)) +
                     (i > 0 && i < n - 1 ? dd_range(&w->rng, -2, 2) : 0);
        out->xy[2 * i] = ax + t * (bx - ax) - (by - ay) / l * off;
        out->xy[2 * i + 1] = ay + t * (by - ay) + (bx - ax) / l * off;
    }
    return DM_OK;
}

static double sdist(const dd_world *w, size_t i, size_t j)
{
    return hypot(w->settlements.v[i].x - w->settlements.v[j].x,
                 w->settlements.v[i].y - w->settlements.v[j].y);
}

/* Roads: every settlement to its two nearest neighbours, plus a minimum
 * spanning tree so that the network is connected. */
static dm_status make_roads(dd_world *w)
{
    size_t ns = w->settlements.n;
    if (ns < 2)
        return DM_OK;
    unsigned char *link = dm_calloc(w->ctx, ns * ns, 1);
    double *best = dm_calloc(w->ctx, ns, sizeof *best);
    size_t *from = dm_calloc(w->ctx, ns, sizeof *from);
    unsigned char *in = dm_calloc(w->ctx, ns, 1);
    dm_status st = DM_OK;
    if (!link || !best || !from || !in)
        st = oom(w);
    for (size_t i = 0; i < ns && !st; i++) {
        size_t nb[2] = {i, i};
        double nd[2] = {INFINITY, INFINITY};
        for (size_t j = 0; j < ns; j++) {
            double d = j == i ? INFINITY : sdist(w, i, j);
            if (d < nd[0]) {
                nd[1] = nd[0];
                nb[1] = nb[0];
                nd[0] = d;
                nb[0] = j;
            } else if (d < nd[1]) {
                nd[1] = d;
                nb[1] = j;
            }
        }
        for (int k = 0; k < 2; k++)
            if (nb[k] != i && nd[k] <= 12000)
                link[i * ns + nb[k]] = link[nb[k] * ns + i] = 1;
    }
    if (!st) { /* Prim */
        for (size_t i = 0; i < ns; i++) {
            best[i] = sdist(w, 0, i);
            from[i] = 0;
        }
        in[0] = 1;
        for (size_t step = 1; step < ns; step++) {
            size_t k = ns;
            for (size_t i = 0; i < ns; i++)
                if (!in[i] && (k == ns || best[i] < best[k]))
                    k = i;
            in[k] = 1;
            link[k * ns + from[k]] = link[from[k] * ns + k] = 1;
            for (size_t i = 0; i < ns; i++)
                if (!in[i] && sdist(w, k, i) < best[i]) {
                    best[i] = sdist(w, k, i);
                    from[i] = k;
                }
        }
    }
    for (size_t i = 0; i < ns && !st; i++)
        for (size_t j = i + 1; j < ns && !st; j++) {
            if (!link[i * ns + j])
                continue;
            dd_line *r = DD_PUSH(w, w->roads);
            if (!r) {
                st = oom(w);
                break;
            }
            const dd_settlement *a = &w->settlements.v[i], *b = &w->settlements.v[j];
            long big = a->population + a->returning + b->population + b->returning;
            double d = sdist(w, i, j);
            r->cls = big > 15000 ? 0 : (d > 6000 || big < 1200) ? 2 : 1;
            snprintf(r->name, sizeof r->name, "%s - %s", a->name, b->name);
            if (wind(w, &r->p, a->x, a->y, b->x, b->y, 250, 0.06))
                st = DM_ENOMEM;
        }
    dm_free(w->ctx, link);
    dm_free(w->ctx, best);
    dm_free(w->ctx, from);
    dm_free(w->ctx, in);
    return st;
}

static dm_status make_rivers(dd_world *w)
{
    double h = w->y1 - w->y0;
    int nr = (int)((w->y1 - w->y0) / 20000) + 1;
    if (nr > 7)
        nr = 7;
    for (int k = 0; k < nr; k++) {
        dd_line *r = DD_PUSH(w, w->rivers);
        if (!r)
            return oom(w);
        double ya = w->y0 + h * (k + dd_range(&w->rng, 0.25, 0.75)) / nr;
        double yb = ya - dd_range(&w->rng, 0.05, 0.2) * h / nr;
        snprintf(r->name, sizeof r->name, "%s", river_names[k % 7]);
        /* meanders: several harmonics */
        double l = w->x1 - w->x0 + 200;
        int n = (int)(l / 120) + 2;
        if (dd_pts_make(w, &r->p, n))
            return DM_ENOMEM;
        double ph[3], am[3] = {500, 180, 60}, wl[3] = {9000, 2600, 700};
        for (int i = 0; i < 3; i++)
            ph[i] = dd_range(&w->rng, 0, 6.28);
        for (int i = 0; i < n; i++) {
            double t = (double)i / (n - 1), x = w->x0 - 100 + t * l, y = ya + t * (yb - ya);
            for (int q = 0; q < 3; q++)
                y += am[q] * sin(2 * M_PI * x / wl[q] + ph[q]) * (w->scale ? 1 : 0.6);
            r->p.xy[2 * i] = x;
            r->p.xy[2 * i + 1] = y;
        }
    }
    /* bridges: where a road segment crosses a river segment */
    for (size_t ri = 0; ri < w->roads.n; ri++) {
        const dd_pts *a = &w->roads.v[ri].p;
        double ab[4];
        dd_bbox(a->xy, a->n, ab);
        for (size_t vi = 0; vi < w->rivers.n; vi++) {
            const dd_pts *b = &w->rivers.v[vi].p;
            for (int i = 0; i + 1 < a->n; i++) {
                double p0x = a->xy[2 * i], p0y = a->xy[2 * i + 1], p1x = a->xy[2 * i + 2], p1y = a->xy[2 * i + 3];
                for (int j = 0; j + 1 < b->n; j++) {
                    double q0x = b->xy[2 * j], q0y = b->xy[2 * j + 1], q1x = b->xy[2 * j + 2], q1y = b->xy[2 * j + 3];
                    if (q0x > ab[2] + 1 || q1x < ab[0] - 1)
                        continue;
                    double rx = p1x - p0x, ry = p1y - p0y, sx = q1x - q0x, sy = q1y - q0y;
                    double den = rx * sy - ry * sx;
                    if (fabs(den) < 1e-9)
                        continue;
                    double t = ((q0x - p0x) * sy - (q0y - p0y) * sx) / den;
                    double u = ((q0x - p0x) * ry - (q0y - p0y) * rx) / den;
                    if (t < 0 || t >= 1 || u < 0 || u >= 1)
                        continue;
                    dd_bridge *br = DD_PUSH(w, w->bridges);
                    if (!br)
                        return oom(w);
                    double l = hypot(rx, ry);
                    br->x = p0x + t * rx;
                    br->y = p0y + t * ry;
                    br->ux = rx / l;
                    br->uy = ry / l;
                    br->road = (int)ri;
                    br->river = (int)vi;
                }
            }
        }
    }
    return DM_OK;
}

static dm_status make_positions(dd_world *w)
{
    double L = dd_front_len(w);
    for (double s = dd_range(&w->rng, 0, 800); s < L; s += dd_range(&w->rng, 900, 2200))
        for (int side = -1; side <= 1; side += 2) {
            double x, y, ux, uy;
            dd_front_at(w, s, &x, &y, &ux, &uy);
            double off = dd_range(&w->rng, 150, 700);
            /* +1 (west) lies to the right of the north-to-south direction */
            double px = x + uy * off * side, py = y - ux * off * side;
            if (!inside(w, px, py, 50))
                continue;
            double *a = DD_PUSH(w, w->positions), *b = DD_PUSH(w, w->positions);
            if (!a || !b)
                return oom(w);
            *a = px;
            *b = py;
        }
    return DM_OK;
}

dm_status dd_make_world(dd_world *w)
{
    dm_transform *to_utm = NULL;
    dm_status st = dm_transform_new(w->ctx, "EPSG:4326", "EPSG:32638", &to_utm);
    if (st)
        return st;
    size_t nf = sizeof front_lonlat / sizeof *front_lonlat;
    double fx[16], fy[16];
    for (size_t i = 0; i < nf; i++) {
        fx[i] = front_lonlat[i][0];
        fy[i] = front_lonlat[i][1];
    }
    st = dm_transform_xy(to_utm, fx, fy, nf);
    if (!st) {
        if (w->scale == DM_DEMO_NATIONAL) {
            double x[4] = {46.43, 47.67, 46.43, 47.67}, y[4] = {39.40, 39.40, 40.10, 40.10};
            st = dm_transform_xy(to_utm, x, y, 4);
            w->x0 = floor(fmax(x[0], x[2]) / 1000) * 1000;
            w->x1 = ceil(fmin(x[1], x[3]) / 1000) * 1000;
            w->y0 = floor(fmax(y[0], y[1]) / 1000) * 1000;
            w->y1 = ceil(fmin(y[2], y[3]) / 1000) * 1000;
        } else {
            /* 10 km x 10 km straddling the line east of Aghdam */
            double x = 47.06, y = 39.97;
            st = dm_transform_xy(to_utm, &x, &y, 1);
            w->x0 = floor((x - 6000) / 1000) * 1000;
            w->y0 = floor((y - 5000) / 1000) * 1000;
            w->x1 = w->x0 + 10000;
            w->y1 = w->y0 + 10000;
        }
    }
    if (!st)
        st = make_districts(w, to_utm);
    if (!st)
        st = make_front(w, fx, fy, (int)nf);
    if (!st)
        st = make_settlements(w, to_utm);
    if (!st)
        st = make_roads(w);
    if (!st)
        st = make_rivers(w);
    if (!st)
        st = make_positions(w);
    dm_transform_free(to_utm);
    return st;
}
