/* SPDX-License-Identifier: MIT
 *
 * demo_eore.c -- explosive ordnance risk education in the demo: sessions
 * held in some settlements (recently in some, only years ago in others,
 * never in the rest), at schools, door to door, in public sessions, through
 * community leaders and on the radio, with the people each reached, so that
 * `demine eore` on the demo shows settlements reached and not reached.
 *
 * Drawn from a random stream of its own (stream 7) and written after the
 * rest of the scenario: every other figure of the demo stays as it was.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const eore_orgs[] = {"ANAMA", "Safe Point", "Qaya Demining", "UNDP Azerbaijan"};

/* The people a session of each way of delivery reaches: ranges of men,
 * women, boys and girls. */
static const struct {
    const char *delivery;
    int lo[4], hi[4];
} kinds[] = {
    {"session", {5, 5, 2, 2}, {30, 35, 15, 15}},
    {"school", {0, 1, 10, 10}, {2, 4, 40, 40}},
    {"door_to_door", {2, 3, 1, 1}, {10, 12, 8, 8}},
    {"community_leaders", {3, 1, 0, 0}, {12, 6, 0, 0}},
};

static dm_status first(dm_status a, dm_status b) { return a ? a : b; }

typedef struct eq {
    dd_world *w;
    dm_store *s;
    dm_transform *t;
    dm_row *row;
    dd_rng r;
    long n;
} eq;

/* One session in settlement si on day, at a point near its centre (none
 * for media), naming the settlement or not. */
static dm_status put_session(eq *q, size_t si, long day, int kind, int named)
{
    dd_world *w = q->w;
    const dd_settlement *st = &w->settlements.v[si];
    dm_status e = DM_OK;
    char date[11], uuid[37];
    dd_date_str(day, date);
    dd_uuid(&q->r, uuid);
    const char *org = eore_orgs[dd_int(&q->r, 0, (int)(sizeof eore_orgs / sizeof *eore_orgs) - 1)];
    e = first(e, dm_row_set(q->row, "date", date));
    e = first(e, dm_row_set(q->row, "organisation", org));
    if (kind < 0) { /* on the radio: no place, the settlement and its district named */
        e = first(e, dm_row_set(q->row, "delivery", "media"));
        e = first(e, dm_row_set(q->row, "settlement", st->name));
        if (st->district >= 0 && (size_t)st->district < w->districts.n)
            e = first(e, dm_row_set(q->row, "district", w->districts.v[st->district].name));
        e = first(e, dm_row_set(q->row, "notes", "local radio broadcast; listeners not counted"));
    } else {
        static const char *const f[4] = {"men", "women", "boys", "girls"};
        e = first(e, dm_row_set(q->row, "delivery", kinds[kind].delivery));
        for (int k = 0; k < 4; k++)
            e = first(e, dm_row_set_int(q->row, f[k], dd_int(&q->r, kinds[kind].lo[k], kinds[kind].hi[k])));
        if (named) {
            e = first(e, dm_row_set(q->row, "settlement", st->name));
            if (st->district >= 0 && (size_t)st->district < w->districts.n)
                e = first(e, dm_row_set(q->row, "district", w->districts.v[st->district].name));
        }
        /* within half the settlement's radius of its centre */
        double a = dd_range(&q->r, 0, 2 * M_PI), d = dd_range(&q->r, 0, 0.5) * st->r;
        double x = st->x + d * cos(a), y = st->y + d * sin(a);
        dm_status g = dm_transform_xy(q->t, &x, &y, 1);
        dm_geom *pt = NULL;
        if (!g)
            g = dm_geom_point(w->ctx, round(x * 1e8) / 1e8, round(y * 1e8) / 1e8, &pt);
        if (g) {
            dm_row_clear(q->row);
            return g;
        }
        dm_row_set_geom(q->row, pt);
    }
    e = first(e, dm_row_set_uuid(q->row, uuid));
    if (!e)
        e = dm_store_insert(q->s, q->row, NULL);
    dm_row_clear(q->row);
    if (e)
        return dm__wrap(w->ctx, "demo: eore_sessions row %ld", q->n + 1);
    q->n++;
    return DM_OK;
}

dm_status dd_write_eore(dd_world *w, dm_store *s, long *count)
{
    eq q = {0};
    q.w = w;
    q.s = s;
    *count = 0;
    dd_rng_seed(&q.r, w->seed, 7);
    size_t n = w->settlements.n;
    if (!n)
        return DM_OK;
    /* 2: sessions in the last two years of the scenario, 1: only years
     * before, 0: none; at least one settlement of each */
    unsigned char *plan = dm_calloc(w->ctx, n, 1);
    if (!plan)
        return dm__fail(w->ctx, DM_ENOMEM, "out of memory");
    int have[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double u = dd_unif(&q.r);
        plan[i] = u < 0.4 ? 2 : u < 0.6 ? 1 : 0;
        have[plan[i]]++;
    }
    if (!have[2])
        plan[0] = 2;
    if (!have[0] && n > 1)
        plan[n - 1] = 0;
    if (!have[1] && n > 2)
        for (size_t i = 0; i < n; i++)
            if (plan[i] == 0) {
                plan[i] = 1;
                break;
            }
    dm_status st = dm_transform_new(w->ctx, "EPSG:32638", "EPSG:4326", &q.t);
    q.row = st ? NULL : dm_row_new(w->ctx, dm_layer_find("eore_sessions"));
    if (!st && !q.row)
        st = dm__fail(w->ctx, DM_ENOMEM, "out of memory");
    long recent0 = dd_days(2023, 11, 1), recent1 = dd_days(2025, 10, 31);
    long old0 = dd_days(2021, 3, 1), old1 = dd_days(2022, 12, 31);
    for (size_t i = 0; i < n && !st; i++) {
        if (!plan[i])
            continue;
        int sessions = plan[i] == 2 ? dd_int(&q.r, 1, 4) : dd_int(&q.r, 1, 2);
        for (int k = 0; k < sessions && !st; k++) {
            long day = plan[i] == 2 ? recent0 + dd_int(&q.r, 0, (int)(recent1 - recent0))
                                    : old0 + dd_int(&q.r, 0, (int)(old1 - old0));
            int kind = dd_int(&q.r, 0, (int)(sizeof kinds / sizeof *kinds) - 1);
            /* a field form names the settlement; a quick report gives the GPS point alone */
            st = put_session(&q, i, day, kind, dd_chance(&q.r, 0.6));
        }
        if (!st && plan[i] == 2 && dd_chance(&q.r, 0.3))
            st = put_session(&q, i, recent0 + dd_int(&q.r, 0, (int)(recent1 - recent0)), -1, 1);
    }
    dm_row_free(q.row);
    dm_transform_free(q.t);
    dm_free(w->ctx, plan);
    *count = q.n;
    return st;
}
