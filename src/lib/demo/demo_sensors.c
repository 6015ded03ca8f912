/* SPDX-License-Identifier: MIT
 *
 * demo_sensors.c -- a little drone survey over the demo scenario: three
 * sensors with their rates per ordnance class, flights over parts of the
 * hazards, and the detections they would give: real items the sensor can
 * see (cameras see surface items only), found with its detection rate and
 * position error, plus false alarms at its false-alarm rate.
 */
#include "demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct sensor_def {
    const char *name, *kind, *classes;
    int surface_only;
    double p, fa, err;
} sensor_def;

static const sensor_def sensors[] = {
    {"DJI M300 RTK + H20T thermal", "thermal", "AP,AT,UXO,SUB", 1, 0.55, 2.0, 1.5},
    {"DJI M350 RTK + Zenmuse P1 RGB", "rgb", "AP,AT,UXO,SUB,AXO", 1, 0.7, 1.0, 0.5},
    {"UAV magnetometer (MagArrow)", "magnetometer", "AT,UXO,SUB,AXO", 0, 0.8, 5.0, 1.0},
};
#define N_SENSORS (sizeof sensors / sizeof *sensors)

static int sees(const sensor_def *s, const dd_item *it)
{
    const char *c = dd_cat_name[it->cat];
    size_t n = strlen(c);
    const char *p = s->classes;
    int listed = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !memcmp(p, c, n))
            listed = 1;
        if (!e)
            break;
        p = e + 1;
    }
    if (!listed)
        return 0;
    return !s->surface_only || it->depth <= 1.0;
}

typedef struct fq {
    dd_world *w;
    const sensor_def *s;
    dm_store *st;
    dm_row *row;
    dm_transform *t;
    const char *flight, *sensor, *date;
    long n;
    dm_status err;
} fq;

static dm_status put_detection(fq *q, double x, double y, const char *cat, double conf)
{
    double lon = x, lat = y;
    dm_status st = dm_transform_xy(q->t, &lon, &lat, 1);
    dm_geom *g = NULL;
    if (!st)
        st = dm_geom_point(q->w->ctx, round(lon * 1e8) / 1e8, round(lat * 1e8) / 1e8, &g);
    if (st)
        return st;
    char uuid[37];
    dd_uuid(&q->w->ids, uuid);
    dm_row_set(q->row, "flight_id", q->flight);
    dm_row_set(q->row, "sensor_id", q->sensor);
    dm_row_set(q->row, "category", cat);
    dm_row_set_real(q->row, "confidence", round(conf * 1000) / 1000);
    dm_row_set(q->row, "model_version", "demine-demo-detector 1.0");
    dm_row_set_real(q->row, "position_error_m", q->s->err);
    dm_row_set(q->row, "date", q->date);
    dm_row_set_geom(q->row, g);
    st = dm_row_set_uuid(q->row, uuid);
    if (!st)
        st = dm_store_insert(q->st, q->row, NULL);
    dm_row_clear(q->row);
    if (!st)
        q->n++;
    return st;
}

static int det_fn(void *u, size_t i)
{
    fq *q = u;
    const dd_item *it = &q->w->items.v[i];
    if (!sees(q->s, it) || !dd_chance(&q->w->rng, q->s->p))
        return 0;
    double x = it->x + dd_normal(&q->w->rng) * q->s->err, y = it->y + dd_normal(&q->w->rng) * q->s->err;
    q->err = put_detection(q, x, y, dd_cat_name[it->cat], dd_range(&q->w->rng, 0.55, 0.99));
    return q->err != DM_OK;
}

static dm_status set_rect(dd_world *w, dm_transform *t, dm_row *row, const double b[4])
{
    double x[4] = {b[0], b[2], b[2], b[0]}, y[4] = {b[1], b[1], b[3], b[3]};
    dm_status st = dm_transform_xy(t, x, y, 4);
    if (st)
        return st;
    double xy[8];
    for (int i = 0; i < 4; i++) {
        xy[2 * i] = round(x[i] * 1e8) / 1e8;
        xy[2 * i + 1] = round(y[i] * 1e8) / 1e8;
    }
    dm_geom *g = NULL;
    st = dm_geom_polygon(w->ctx, xy, 4, &g);
    if (!st)
        dm_row_set_geom(row, g);
    return st;
}

dm_status dd_write_sensors(dd_world *w, dm_store *s, dm_transform *t, long counts[3])
{
    dm_ctx *ctx = w->ctx;
    char sid[N_SENSORS][37], uuid[37];
    dm_row *row = dm_row_new(ctx, dm_layer_find("sensors"));
    if (!row)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < N_SENSORS && !st; i++) {
        const sensor_def *d = &sensors[i];
        dd_uuid(&w->ids, sid[i]);
        dm_row_set(row, "name", d->name);
        dm_row_set(row, "kind", d->kind);
        dm_row_set(row, "classes_seen", d->classes);
        dm_row_set(row, "surface_only", d->surface_only ? "1" : "0");
        dm_row_set_real(row, "p_detect", d->p);
        dm_row_set_real(row, "false_alarms_ha", d->fa);
        dm_row_set_real(row, "position_error_m", d->err);
        dm_row_set(row, "notes", "demo sensor; rates from the scenario, not a trial");
        st = dm_row_set_uuid(row, sid[i]);
        if (!st)
            st = dm_store_insert(s, row, NULL);
        dm_row_clear(row);
        counts[0]++;
    }
    dm_row_free(row);
    row = dm_row_new(ctx, dm_layer_find("sensor_rates"));
    if (!row)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < N_SENSORS && !st; i++)
        for (int c = 0; c < CAT_N && !st; c++) {
            dd_item probe = {0};
            probe.cat = c;
            if (!sees(&sensors[i], &probe))
                continue;
            dd_uuid(&w->ids, uuid);
            dm_row_set(row, "sensor_id", sid[i]);
            dm_row_set(row, "category", dd_cat_name[c]);
            dm_row_set_real(row, "p_detect", sensors[i].p);
            dm_row_set_real(row, "false_alarms_ha", sensors[i].fa);
            dm_row_set_int(row, "n_validation", dd_int(&w->rng, 40, 400));
            st = dm_row_set_uuid(row, uuid);
            if (!st)
                st = dm_store_insert(s, row, NULL);
            dm_row_clear(row);
        }
    dm_row_free(row);
    if (st)
        return dm__wrap(ctx, "demo: sensors");
    /* flights over parts of hazards */
    dm_row *fl = dm_row_new(ctx, dm_layer_find("flights"));
    dm_row *det = dm_row_new(ctx, dm_layer_find("detections"));
    if (!fl || !det) {
        dm_row_free(fl);
        dm_row_free(det);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    int nf = w->scale ? 24 : 3;
    for (int f = 0; f < nf && !st && w->hazards.n; f++) {
        const dd_hazard *h = &w->hazards.v[dd_int(&w->rng, 0, (int)w->hazards.n - 1)];
        for (int tries = 0; tries < 20 && h->mf < 0 && dd_chance(&w->rng, 0.8); tries++)
            h = &w->hazards.v[dd_int(&w->rng, 0, (int)w->hazards.n - 1)];
        size_t si = (size_t)dd_int(&w->rng, 0, (int)N_SENSORS - 1);
        double cx = (h->b[0] + h->b[2]) / 2, cy = (h->b[1] + h->b[3]) / 2, hs = dd_range(&w->rng, 150, 400);
        double b[4] = {cx - hs, cy - hs, cx + hs, cy + hs};
        if (b[0] < w->x0 || b[2] > w->x1 || b[1] < w->y0 || b[3] > w->y1)
            continue;
        char fid[37], date[11], ref[32];
        dd_uuid(&w->ids, fid);
        dd_date_str(dd_days(2023, 4, 1) + dd_int(&w->rng, 0, 900), date);
        snprintf(ref, sizeof ref, "FL-%04d", f + 1);
        dm_row_set(fl, "ref", ref);
        dm_row_set(fl, "sensor_id", sid[si]);
        dm_row_set(fl, "date", date);
        dm_row_set_real(fl, "altitude_m", sensors[si].surface_only ? 30 : 3);
        dm_row_set_real(fl, "gsd_cm", sensors[si].surface_only ? 0.8 : 50);
        dm_row_set(fl, "organisation", "ANAMA");
        st = set_rect(w, t, fl, b);
        if (!st)
            st = dm_row_set_uuid(fl, fid);
        if (!st)
            st = dm_store_insert(s, fl, NULL);
        dm_row_clear(fl);
        if (st)
            break;
        counts[1]++;
        fq q = {w, &sensors[si], s, det, t, fid, sid[si], date, 0, DM_OK};
        dd_items_in_box(w, b, det_fn, &q);
        st = q.err;
        int fa = dd_poisson(&w->rng, sensors[si].fa * (b[2] - b[0]) * (b[3] - b[1]) / 1e4);
        for (int k = 0; k < fa && !st; k++)
            st = put_detection(&q, dd_range(&w->rng, b[0], b[2]), dd_range(&w->rng, b[1], b[3]),
                               sensors[si].surface_only ? "UXO" : "other", dd_range(&w->rng, 0.3, 0.8));
        counts[2] += q.n;
    }
    dm_row_free(fl);
    dm_row_free(det);
    return st ? dm__wrap(ctx, "demo: flights") : DM_OK;
}
