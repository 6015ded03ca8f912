/* SPDX-License-Identifier: MIT
 *
 * demo_accidents.c -- accidents where people met real mines and UXO after
 * the 2020 war, with their victims. Accidents happen where people go (near
 * settlements and roads), and, as in Karabakh, more than half of them lie
 * outside every minefield record.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const first_m[] = {"Elnur", "Rashad", "Anar", "Tural", "Vugar", "Ilgar",
                                      "Farid", "Kamran", "Ramil", "Orkhan", "Samir", "Elvin"};
static const char *const first_f[] = {"Aynur", "Gunel", "Leyla", "Sevda", "Nargiz", "Aysel"};
static const char *const surnames[] = {"Aliyev", "Mammadov", "Huseynov", "Hasanov", "Guliyev",
                                       "Ismayilov", "Rzayev", "Abbasov", "Jafarov", "Karimov"};

static dm_status oom(dd_world *w) { return dm__fail(w->ctx, DM_ENOMEM, "out of memory"); }

static const char *doing_for(dd_world *w, const dd_item *it, int military)
{
    if (military)
        return dd_chance(&w->rng, 0.5) ? "engineering works" : "patrol";
    if (it->cat == CAT_AT)
        return dd_chance(&w->rng, 0.5) ? "driving a tractor" : "travelling by car";
    if (it->cat == CAT_UXO || it->cat == CAT_AXO || it->cat == CAT_SUB) {
        static const char *const u[] = {"collecting scrap metal", "construction work", "playing",
                                        "farming"};
        return u[dd_int(&w->rng, 0, 3)];
    }
    static const char *const a[] = {"herding livestock", "farming", "collecting firewood",
                                    "visiting relatives' graves", "returning to home village",
                                    "collecting scrap metal"};
    return a[dd_int(&w->rng, 0, 5)];
}

dm_status dd_add_accident(dd_world *w, size_t item, long date, int demining, double x, double y)
{
    dd_item *it = &w->items.v[item];
    dd_accident *a = DD_PUSH(w, w->accidents);
    if (!a)
        return oom(w);
    int ai = (int)(w->accidents.n - 1);
    it->accident = 1;
    a->item = (int)item;
    a->date = date;
    a->demining = demining;
    a->x = x;
    a->y = y;
    a->district = dd_district_at(w, a->x, a->y);
    int s = dd_nearest_settlement(w, a->x, a->y, NULL);
    snprintf(a->settlement, sizeof a->settlement, "%s", s >= 0 ? w->settlements.v[s].name : "");
    int military = !demining && dd_chance(&w->rng, 0.3);
    a->doing = demining ? "clearance" : doing_for(w, it, military);
    double k = dd_unif(&w->rng);
    int nv = k < 0.7 ? 1 : k < 0.92 ? 2 : 3;
    if (it->cat == CAT_AT && !demining)
        nv += dd_int(&w->rng, 0, 2);
    for (int v = 0; v < nv; v++) {
        dd_victim *vi = DD_PUSH(w, w->victims);
        if (!vi)
            return oom(w);
        vi->accident = ai;
        vi->category = demining ? 1 : military ? 2 : 0;
        vi->female = vi->category == 0 && dd_chance(&w->rng, 0.1);
        double g = dd_unif(&w->rng);
        if (vi->category == 0 && g < 0.08)
            vi->age = dd_int(&w->rng, 7, 17);
        else if (vi->category == 0 && g > 0.93)
            vi->age = dd_int(&w->rng, 61, 80);
        else
            vi->age = dd_int(&w->rng, 19, 58);
        double pk = it->cat == CAT_AT ? 0.55 : it->cat == CAT_AP ? 0.2 : 0.35;
        vi->killed = dd_chance(&w->rng, demining ? 0.1 : pk);
        if (vi->killed)
            w->accidents.v[ai].killed++;
        else
            w->accidents.v[ai].injured++;
        vi->doing = w->accidents.v[ai].doing;
        snprintf(vi->name, sizeof vi->name, "%s %s%s",
                 vi->female ? first_f[dd_int(&w->rng, 0, 5)] : first_m[dd_int(&w->rng, 0, 11)],
                 surnames[dd_int(&w->rng, 0, 9)], vi->female ? "a" : "");
        dd_uuid(&w->ids, vi->uuid);
    }
    a = &w->accidents.v[ai];
    dd_uuid(&w->ids, a->uuid);
    return DM_OK;
}

int dd_in_record(const dd_world *w, double x, double y)
{
    for (size_t r = 0; r < w->records.n; r++) {
        const dd_record *rc = &w->records.v[r];
        if (x >= rc->b[0] && x <= rc->b[2] && y >= rc->b[1] && y <= rc->b[3] &&
            dd_pip(rc->ring.xy, rc->ring.n, x, y))
            return 1;
    }
    return 0;
}

/* Weighted pick by cumulative weights. */
static size_t pick(dd_world *w, const double *cum, size_t n)
{
    double t = dd_unif(&w->rng) * cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

dm_status dd_make_accidents(dd_world *w)
{
    size_t n = w->items.n;
    if (!n)
        return DM_OK;
    unsigned char *in = dm_calloc(w->ctx, n, 1);
    double *cin = dm_calloc(w->ctx, n, sizeof *cin), *cout = dm_calloc(w->ctx, n, sizeof *cout);
    if (!in || !cin || !cout) {
        dm_free(w->ctx, in);
        dm_free(w->ctx, cin);
        dm_free(w->ctx, cout);
        return oom(w);
    }
    for (size_t r = 0; r < w->records.n; r++)
        dd_mark_items_in(w, &w->records.v[r].ring, w->records.v[r].b, in);
    /* where people go: near settlements and roads */
    double si = 0, so = 0;
    for (size_t i = 0; i < n; i++) {
        const dd_item *it = &w->items.v[i];
        double ds;
        dd_nearest_settlement(w, it->x, it->y, &ds);
        double wt = exp(-ds / 1500) + 0.05;
        if (it->pattern == PAT_NUISANCE)
            wt *= 3;
        if (it->cat == CAT_AT)
            wt *= 0.5;
        if (in[i])
            si += wt;
        else
            so += wt;
        cin[i] = si;
        cout[i] = so;
    }
    double area = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int want = w->scale ? (int)(area * 0.028) : 14;
    long d0 = dd_days(2020, 11, 10), d1 = dd_days(2025, 10, 31);
    dm_status st = DM_OK;
    /* as in Karabakh, most accidents happen outside the records: draw
     * that share exactly, then the places within each group by weight */
    int n_out = (int)ceil(want * 0.62);
    for (int k = 0; k < want && !st; k++) {
        int out = k < n_out;
        if ((out && so <= 0) || (!out && si <= 0))
            out = !out;
        size_t it = 0;
        double x = 0, y = 0;
        int ok = 0;
        for (int tries = 0; tries < 40 && !ok; tries++) {
            it = pick(w, out ? cout : cin, n);
            x = w->items.v[it].x + dd_normal(&w->rng) * 8; /* reported position */
            y = w->items.v[it].y + dd_normal(&w->rng) * 8;
            ok = !w->items.v[it].accident && dd_in_record(w, x, y) == !out;
        }
        if (!ok)
            continue;
        long date = d0 + (long)((d1 - d0) * pow(dd_unif(&w->rng), 1.4));
        st = dd_add_accident(w, it, date, 0, x, y);
    }
    dm_free(w->ctx, in);
    dm_free(w->ctx, cin);
    dm_free(w->ctx, cout);
    return st;
}

/* People report items they see: surface items near where they live, placed
 * 10-50 m off; a third of reports are of nothing. */
dm_status dd_make_reports(dd_world *w)
{
    double area = (w->x1 - w->x0) * (w->y1 - w->y0) / 1e6;
    int want = w->scale ? (int)(area * 0.12) : 20, tries = 0;
    long d0 = dd_days(2020, 12, 1), d1 = dd_days(2025, 10, 31);
    while ((int)w->reports.n < want && tries++ < want * 200 && w->items.n) {
        int founded = dd_chance(&w->rng, 0.66);
        double x, y;
        int cat;
        if (founded) {
            const dd_item *it = &w->items.v[(size_t)(dd_unif(&w->rng) * (double)w->items.n)];
            double ds;
            dd_nearest_settlement(w, it->x, it->y, &ds);
            if (it->depth > 3 || ds > 2500 || it->accident)
                continue;
            double a = dd_range(&w->rng, 0, 2 * M_PI), r = dd_range(&w->rng, 10, 50);
            x = it->x + cos(a) * r;
            y = it->y + sin(a) * r;
            cat = it->cat;
        } else {
            int s = dd_int(&w->rng, 0, (int)w->settlements.n - 1);
            if (s < 0)
                break;
            double a = dd_range(&w->rng, 0, 2 * M_PI), r = dd_range(&w->rng, 200, 2000);
            x = w->settlements.v[s].x + cos(a) * r;
            y = w->settlements.v[s].y + sin(a) * r;
            cat = dd_chance(&w->rng, 0.6) ? CAT_UXO : CAT_AP;
        }
        if (x < w->x0 || x > w->x1 || y < w->y0 || y > w->y1)
            continue;
        dd_report *rp = DD_PUSH(w, w->reports);
        if (!rp)
            return oom(w);
        rp->x = x;
        rp->y = y;
        rp->cat = cat;
        rp->founded = founded;
        rp->date = d0 + (long)((d1 - d0) * dd_unif(&w->rng));
        rp->district = dd_district_at(w, x, y);
        int s = dd_nearest_settlement(w, x, y, NULL);
        snprintf(rp->settlement, sizeof rp->settlement, "%s", s >= 0 ? w->settlements.v[s].name : "");
        dd_uuid(&w->ids, rp->uuid);
    }
    return DM_OK;
}
