/* SPDX-License-Identifier: MIT
 *
 * qc_sample.c -- random square inspection plots inside the land a task
 * released, for post-clearance inspection (IMAS 09.20): drawn in the local
 * UTM zone from a seeded generator of their own (the same seed, the same
 * plots), not overlapping, and written as GeoJSON with the fields the
 * inspectors fill in.
 */
#include "core/dm_internal.h"
#include "demine/dm_qc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: small, and the same on every machine */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct task_info {
    char uuid[37], ref[64], type[16], hazard[37];
    dm_geom *g;
} task_info;

static dm_status read_task(dm_store *s, const char *uuid, task_info *t)
{
    dm_select sel = {0};
    const char *f[] = {"uuid"}, *v[] = {uuid};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    if (st)
        return st;
    int rc = dm_cursor_next(c);
    if (rc == 1) {
        const char *x;
        dm__strlcpy(t->uuid, uuid, sizeof t->uuid);
        if ((x = dm_cursor_text(c, "ref")))
            dm__strlcpy(t->ref, x, sizeof t->ref);
        if ((x = dm_cursor_text(c, "activity_type")))
            dm__strlcpy(t->type, x, sizeof t->type);
        if ((x = dm_cursor_text(c, "hazard_id")))
            dm__strlcpy(t->hazard, x, sizeof t->hazard);
        st = dm_cursor_geom(c, &t->g);
    } else
        st = rc < 0 ? dm_ctx_errcode(dm_store_ctx(s)) : dm__fail(dm_store_ctx(s), DM_ENOTFOUND, "no activity %s", uuid);
    dm_cursor_free(c);
    return st;
}

/* The cleared and reduced land of the task, else its own polygon. */
static dm_status released_land(dm_store *s, const task_info *t, dm_geom **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    dm_select sel = {0};
    const char *f[] = {"activity_id"}, *v[] = {t->uuid};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "release_areas", &sel, &c);
    dm_geom *acc = NULL;
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *o = dm_cursor_text(c, "outcome");
        if (!o || (strcmp(o, "cleared") && strcmp(o, "reduced")))
            continue;
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)) || !g)
            continue;
        if (!acc) {
            acc = g;
            continue;
        }
        dm_geom *u = NULL;
        st = dm_geom_union(ctx, acc, g, &u);
        dm_geom_free(acc);
        dm_geom_free(g);
        acc = u;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (st) {
        dm_geom_free(acc);
        return st;
    }
    if (!acc && t->g)
        return dm_geom_clone(ctx, t->g, out);
    *out = acc;
    return DM_OK;
}

dm_status dm_qc_sample(dm_store *s, const char *activity, const dm_qc_sample_opts *o,
                       const char *out_path, dm_qc_sample_result *res)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(res, 0, sizeof *res);
    double share = o && o->share > 0 ? o->share : 0.1, side = o && o->plot_m > 0 ? o->plot_m : 10.0;
    uint64_t rng = 0x5143u ^ ((uint64_t)(o ? o->seed : 1) * 0x9e3779b97f4a7c15ull);
    char uuid[37];
    dm_status st = dm_store_resolve(s, "activities", activity, NULL, uuid);
    if (st)
        return st;
    task_info t = {0};
    dm_geom *land = NULL, *land_m = NULL;
    dm_transform *fwd = NULL, *back = NULL;
    double *cx = NULL, *cy = NULL;
    dm_buf b;
    dm__buf_init(&b);
    if ((st = read_task(s, uuid, &t)))
        goto done;
    const char *label = t.ref[0] ? t.ref : t.uuid;
    dm__strlcpy(res->task_ref, t.ref, sizeof res->task_ref);
    dm__strlcpy(res->task_uuid, t.uuid, sizeof res->task_uuid);
    if (strcmp(t.type, "clearance") && strcmp(t.type, "ts") && strcmp(t.type, "bac")) {
        st = dm__fail(ctx, DM_EINVAL,
                      "activity %s is %s, not a clearance or survey (clearance, ts, bac): it released "
                      "no land to inspect",
                      label, t.type[0] ? t.type : "of no type");
        goto done;
    }
    if ((st = released_land(s, &t, &land)))
        goto done;
    if (!land || dm_geom_is_empty(land)) {
        st = dm__fail(ctx, DM_EINVAL,
                      "activity %s released no land to inspect: no cleared or reduced release area "
                      "and no polygon of its own",
                      label);
        goto done;
    }
    double lon, lat;
    dm_geom_centroid_xy(land, &lon, &lat);
    char utm[32];
    snprintf(utm, sizeof utm, "EPSG:%d", dm_utm_epsg(lon, lat));
    if ((st = dm_transform_new(ctx, "EPSG:4326", utm, &fwd)) ||
        (st = dm_transform_new(ctx, utm, "EPSG:4326", &back)) ||
        (st = dm_geom_transform(ctx, fwd, land, &land_m)))
        goto done;
    double area = dm_geom_area(land_m);
    res->land_ha = area / 1e4;
    double want = o && o->ha > 0 ? o->ha * 1e4 : share * area;
    size_t n = (size_t)ceil(want / (side * side) - 1e-9);
    if (n < 1)
        n = 1;
    if (n > 100000) {
        st = dm__fail(ctx, DM_EINVAL, "%zu plots of %g m: too many; take larger plots (--plot)", n, side);
        goto done;
    }
    double bb[4];
    dm_geom_bounds(land_m, bb);
    cx = dm_malloc(ctx, n * sizeof *cx);
    cy = dm_malloc(ctx, n * sizeof *cy);
    if (!cx || !cy) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    size_t got = 0, tries = 0, max_tries = 200 * n + 2000;
    while (got < n && tries++ < max_tries) {
        double x = bb[0] + side / 2 + uniform(&rng) * (bb[2] - bb[0] - side);
        double y = bb[1] + side / 2 + uniform(&rng) * (bb[3] - bb[1] - side);
        int clash = 0;
        for (size_t k = 0; k < got && !clash; k++)
            clash = fabs(cx[k] - x) < side && fabs(cy[k] - y) < side;
        if (clash)
            continue;
        double h = side / 2, xy[10] = {x - h, y - h, x + h, y - h, x + h, y + h, x - h, y + h, x - h, y - h};
        dm_geom *sq = NULL;
        if ((st = dm_geom_polygon(ctx, xy, 5, &sq)))
            goto done;
        int in = dm_geom_contains(land_m, sq);
        dm_geom_free(sq);
        if (in)
            cx[got] = x, cy[got++] = y;
    }
    if (!got) {
        st = dm__fail(ctx, DM_EINVAL, "the %.2f ha %s released hold no plot of %g m: take smaller plots (--plot)",
                      res->land_ha, label, side);
        goto done;
    }
    if (got < n)
        dm__log(ctx, DM_LOG_WARN, "%zu plots of %g m fit in the land %s released, of the %zu asked", got, side,
                label, n);
    dm__buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t k = 0; k < got && !st; k++) {
        double h = side / 2, xy[10] = {cx[k] - h, cy[k] - h, cx[k] + h, cy[k] - h, cx[k] + h,
                                       cy[k] + h, cx[k] - h, cy[k] + h, cx[k] - h, cy[k] - h};
        dm_geom *sq = NULL, *sq_ll = NULL;
        char *gj = NULL;
        st = dm_geom_polygon(ctx, xy, 5, &sq);
        if (!st)
            st = dm_geom_transform(ctx, back, sq, &sq_ll);
        if (!st)
            st = dm_geom_to_geojson(ctx, sq_ll, &gj);
        dm_geom_free(sq);
        dm_geom_free(sq_ll);
        if (st)
            break;
        char ref[96];
        snprintf(ref, sizeof ref, "QC-%s-%03zu", label, k + 1);
        dm__buf_puts(&b, k ? ",\n{\"type\":\"Feature\",\"properties\":{\"ref\":" : "{\"type\":\"Feature\",\"properties\":{\"ref\":");
        dm__buf_json_str(&b, ref);
        dm__buf_puts(&b, ",\"activity_type\":\"qc\",\"inspects_id\":");
        dm__buf_json_str(&b, t.uuid);
        dm__buf_puts(&b, ",\"hazard_id\":");
        if (t.hazard[0])
            dm__buf_json_str(&b, t.hazard);
        else
            dm__buf_puts(&b, "null");
        dm__buf_puts(&b, ",\"method\":\"manual\",\"end_date\":null,\"items_found\":null},\"geometry\":");
        dm__buf_puts(&b, gj);
        dm__buf_puts(&b, "}");
        dm_free(ctx, gj);
        res->plots++;
        res->plots_ha += side * side / 1e4;
    }
    dm__buf_puts(&b, "\n]}\n");
    if (!st && b.oom)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (!st) {
        FILE *fp = fopen(out_path, "wx");
        if (!fp)
            st = dm__fail(ctx, DM_EIO, "%s: cannot create (it may exist)", out_path);
        else {
            int bad = fwrite(b.data, 1, b.len, fp) != b.len;
            bad |= fclose(fp) != 0;
            if (bad) {
                remove(out_path);
                st = dm__fail(ctx, DM_EIO, "%s: cannot write", out_path);
            }
        }
    }
done:
    dm__buf_free(&b);
    dm_free(ctx, cx);
    dm_free(ctx, cy);
    dm_geom_free(t.g);
    dm_geom_free(land);
    dm_geom_free(land_m);
    dm_transform_free(fwd);
    dm_transform_free(back);
    return st;
}
