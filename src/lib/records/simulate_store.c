/* SPDX-License-Identifier: MIT
 *
 * simulate_store.c -- the capture-curve evaluation on a demo database: each
 * true doctrinal and nuisance minefield (truth_minefields, truth_items),
 * its ground widened by a margin, cleared in simulation by lanes, by lanes
 * with a local search, and guided by rows; means and per-field figures.
 */
#include "records_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN_M 20.0

typedef struct mf {
    char uuid[37];
    int pattern; /* 0 doctrinal, 1 nuisance, 2 other */
    dm_geom *g;  /* UTM */
    size_t first, n;
} mf;

static int cmp_mf(const void *a, const void *b) { return strcmp(((const mf *)a)->uuid, ((const mf *)b)->uuid); }

static int cmp_rpt_a(const void *a, const void *b)
{
    const char *x = ((const dm__rpt *)a)->a, *y = ((const dm__rpt *)b)->a;
    return strcmp(x ? x : "", y ? y : "");
}

typedef struct agg {
    double auc_b, auc_l, auc_g, area_b, area_l, area_g;
    size_t n, wins, area20;
} agg;

static json_t *agg_json(const agg *a)
{
    double n = a->n ? (double)a->n : 1;
    return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I}", "fields", (json_int_t)a->n,
                     "auc_blind", a->auc_b / n, "auc_local", a->auc_l / n, "auc_guided", a->auc_g / n,
                     "auc_gain_points", 100 * (a->auc_g - a->auc_b) / n, "area_all_blind", a->area_b / n,
                     "area_all_local", a->area_l / n, "area_all_guided", a->area_g / n,
                     "area_saved_vs_blind_pct", a->area_b > 0 ? 100 * (1 - a->area_g / a->area_b) : 0.0,
                     "area_saved_vs_local_pct", a->area_l > 0 ? 100 * (1 - a->area_g / a->area_l) : 0.0,
                     "guided_beats_blind", (json_int_t)a->wins, "guided_saves_20pct", (json_int_t)a->area20);
}

dm_status dm_patterns_simulate(dm_store *s, size_t max_fields, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *json = NULL;
    long nmf = 0;
    dm_status st = dm_store_count(s, "truth_minefields", NULL, &nmf);
    if (st)
        return st;
    if (nmf == 0)
        return dm__fail(ctx, DM_ENOTFOUND, "%s holds no truth_minefields: the simulation needs a demo "
                        "database (demine demo)", dm_store_path(s));
    dm__frame fr;
    st = dm__frame_for(s, "truth_minefields", &fr);
    if (st)
        return st;
    mf *m = dm_calloc(ctx, (size_t)nmf, sizeof *m);
    size_t n = 0;
    dm__rpt *it = NULL;
    size_t nit = 0;
    json_t *root = json_object(), *fields = json_array();
    double *pts = NULL;
    if (!m) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    dm_cursor *c = NULL;
    st = dm_store_select(s, "truth_minefields", NULL, &c);
    int r = 0;
    while (!st && (r = dm_cursor_next(c)) > 0 && n < (size_t)nmf) {
        const char *pat = dm_cursor_text(c, "pattern");
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st || !g) {
            dm_geom_free(g);
            continue;
        }
        mf *f = &m[n];
        dm__strlcpy(f->uuid, dm_cursor_uuid(c), sizeof f->uuid);
        f->pattern = pat && !strcmp(pat, "doctrinal") ? 0 : pat && !strcmp(pat, "nuisance") ? 1 : 2;
        st = dm_geom_transform(ctx, fr.fwd, g, &f->g);
        dm_geom_free(g);
        if (!st)
            n++;
    }
    dm_cursor_free(c);
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx);
    if (!st)
        st = dm__load_points(s, &fr, "truth_items", NULL, NULL, "minefield_id", NULL, NULL, &it, &nit, NULL);
    if (st)
        goto done;
    qsort(m, n, sizeof *m, cmp_mf);
    qsort(it, nit, sizeof *it, cmp_rpt_a);
    for (size_t i = 0, k = 0; i < n; i++) {
        while (k < nit && (!it[k].a || strcmp(it[k].a, m[i].uuid) < 0))
            k++;
        m[i].first = k;
        while (k < nit && it[k].a && !strcmp(it[k].a, m[i].uuid))
            k++;
        m[i].n = k - m[i].first;
    }
    agg ag[2];
    memset(ag, 0, sizeof ag);
    size_t done_n[2] = {0, 0}, total = 0;
    for (size_t i = 0; i < n; i++)
        total += m[i].pattern < 2 && m[i].n > 0;
    size_t step = 0;
    for (size_t i = 0; i < n && !st; i++) {
        mf *f = &m[i];
        if (f->pattern > 1 || f->n == 0 || (max_fields && done_n[f->pattern] >= max_fields))
            continue;
        dm__progress(ctx, "simulate", step++, total);
        dm_geom *buf = NULL;
        dm_coords cc = {0};
        st = dm_geom_buffer(ctx, f->g, MARGIN_M, &buf);
        if (!st)
            st = dm_geom_coords(ctx, buf, &cc);
        dm_geom_free(buf);
        if (st)
            break;
        size_t nr = cc.n_parts ? cc.start[1] - cc.start[0] : 0;
        pts = dm_realloc(ctx, pts, (f->n ? f->n : 1) * 2 * sizeof *pts);
        if (!pts) {
            dm_coords_free(ctx, &cc);
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < f->n; k++) {
            pts[2 * k] = it[f->first + k].x;
            pts[2 * k + 1] = it[f->first + k].y;
        }
        dm_capture cap;
        st = dm_capture_simulate(ctx, cc.xy, nr, pts, f->n, 1.0, &cap);
        dm_coords_free(ctx, &cc);
        if (st)
            break;
        agg *a = &ag[f->pattern];
        a->n++;
        a->auc_b += cap.auc_blind;
        a->auc_l += cap.auc_local;
        a->auc_g += cap.auc_guided;
        a->area_b += cap.area_all_blind;
        a->area_l += cap.area_all_local;
        a->area_g += cap.area_all_guided;
        a->wins += cap.auc_guided > cap.auc_blind;
        a->area20 += cap.area_all_guided <= 0.8 * cap.area_all_blind;
        done_n[f->pattern]++;
        json_array_append_new(
            fields, json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "minefield", f->uuid,
                              "pattern", f->pattern ? "nuisance" : "doctrinal", "mines", (json_int_t)cap.mines,
                              "cells", (json_int_t)cap.cells, "auc_blind", cap.auc_blind, "auc_local",
                              cap.auc_local, "auc_guided", cap.auc_guided, "area_all_blind",
                              cap.area_all_blind, "area_all_local", cap.area_all_local, "area_all_guided",
                              cap.area_all_guided));
    }
    if (st)
        goto done;
    dm__progress(ctx, "simulate", total, total);
    json_object_set_new(root, "cell_m", json_real(1.0));
    json_object_set_new(root, "margin_m", json_real(MARGIN_M));
    json_object_set_new(root, "doctrinal", agg_json(&ag[0]));
    json_object_set_new(root, "nuisance", agg_json(&ag[1]));
    json_object_set(root, "fields", fields);
    char *out = json_dumps(root, JSON_REAL_PRECISION(6));
    if (!out || !(*json = dm_strdup(ctx, out)))
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    free(out);
done:
    json_decref(fields);
    json_decref(root);
    for (size_t i = 0; m && i < n; i++)
        dm_geom_free(m[i].g);
    dm_free(ctx, m);
    dm__rpts_free(ctx, it, nit);
    dm_free(ctx, pts);
    dm__frame_free(&fr);
    return st;
}
