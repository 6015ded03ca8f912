/* SPDX-License-Identifier: MIT
 *
 * patterns.c -- minefield patterns per hazard, from the store: the mines
 * found in a hazard (AP, AT) fitted to rows, the rows extended into the
 * hazard's unreleased ground as predicted mine positions (sigma, p), or,
 * where too few mines were found, the recorded mines of the records lying
 * in it weighted by their measured reliability. Writes the predicted_mines
 * layer (replacing the hazards' earlier predictions) in one transaction.
 */
#include "records_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 32
#define FADE_M 30.0
#define KEEP_M 50.0 /* predictions kept within this of the hazard */

typedef struct hz {
    char uuid[37];
    char *ref;
    dm_geom *g; /* UTM */
    double b[4];
} hz;

typedef struct rec {
    char uuid[37];
    dm_geom *g;
    double b[4], reliability, bearing;
    int has_bearing;
} rec;

typedef struct pctx {
    dm_ctx *ctx;
    dm_geom *released, *keep;
    dm__poly prel, pkeep;
} pctx;

static double searched_fn(void *user, double x, double y, double sigma)
{
    (void)sigma;
    pctx *p = user;
    if (!dm__poly_has(&p->pkeep, x, y))
        return 1; /* beyond the hazard's reach: not predicted */
    return dm__poly_has(&p->prel, x, y) ? 1 : 0;
}

static int meets(const double a[4], const double b[4], double m)
{
    return a[0] - m <= b[2] && b[0] <= a[2] + m && a[1] - m <= b[3] && b[1] <= a[3] + m;
}

static dm_status load_geoms(dm_store *s, const dm__frame *fr, const char *layer, const char *only, hz **out,
                            size_t *n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    *n = 0;
    long cnt = 0;
    dm_status st = dm_store_count(s, layer, NULL, &cnt);
    if (st)
        return st;
    hz *v = dm_calloc(ctx, cnt ? (size_t)cnt : 1, sizeof *v);
    if (!v)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_select sel = {0};
    const char *ef[1] = {"uuid"}, *ev[1] = {only};
    if (only) {
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
    }
    dm_cursor *c = NULL;
    st = dm_store_select(s, layer, &sel, &c);
    int k = 0;
    while (!st && (k = dm_cursor_next(c)) > 0 && *n < (size_t)cnt) {
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        hz *h = &v[*n];
        if (g && dm__wgs84_bounds(g) && dm_geom_transform(ctx, fr->fwd, g, &h->g) == DM_OK &&
            dm_geom_bounds(h->g, h->b)) {
            dm__strlcpy(h->uuid, dm_cursor_uuid(c), sizeof h->uuid);
            const char *ref = dm_cursor_text(c, "ref");
            h->ref = dm_strdup(ctx, ref ? ref : "");
            if (!h->ref)
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            (*n)++;
        } else {
            dm_geom_free(h->g);
            h->g = NULL;
            dm_ctx_clear_error(ctx);
        }
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    if (!st && k < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    *out = v;
    return st;
}

static void free_geoms(dm_ctx *ctx, hz *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        dm_geom_free(v[i].g);
        dm_free(ctx, v[i].ref);
    }
    dm_free(ctx, v);
}

/* The hazard a recorded mine at (x, y) belongs to: the first that holds
 * it, else the first within KEEP_M of it; (size_t)-1 when none. A record
 * spanning several hazards has each of its mines predicted once. */
static size_t owner(const dm__poly *hp, const dm__poly *hk, size_t nh, double x, double y)
{
    for (size_t i = 0; i < nh; i++)
        if (dm__poly_has(&hp[i], x, y))
            return i;
    for (size_t i = 0; i < nh; i++)
        if (dm__poly_has(&hk[i], x, y))
            return i;
    return (size_t)-1;
}

/* A row worth extending: enough finds, a coherent spacing, a thin line. */
static int good_row(const dm_row_fit *r)
{
    return r->n >= 4 && r->spacing > 0.3 && r->sd_along <= 0.3 * r->spacing && r->sd_across <= 0.75;
}

typedef struct pred_out {
    dm_predicted p;
    size_t hazard;
    int record; /* index into the records, -1 */
    const char *cat;
} pred_out;

dm_status dm_patterns_run(dm_store *s, const dm_patterns_opts *opts, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *json = NULL;
    dm_patterns_opts o = {NULL, 150, 0};
    if (opts)
        o = *opts;
    if (!(o.reach_m >= 0))
        o.reach_m = 150;
    char only[37];
    dm_status st = DM_OK;
    if (o.hazard && (st = dm_store_resolve(s, "hazards", o.hazard, NULL, only)))
        return st;
    dm__frame fr;
    st = dm__frame_for(s, "hazards", &fr);
    if (st)
        return st;
    hz *h = NULL, *rl = NULL, *rc = NULL;
    size_t nh = 0, nrl = 0, nrc = 0, nit = 0, nrm = 0, npred = 0, cpred = 0;
    dm__rpt *it = NULL, *rm = NULL;
    double *rel_rel = NULL;
    pred_out *preds = NULL;
    dm__poly *hpoly = NULL, *hkeep = NULL;
    json_t *root = json_object(), *hj = json_array(), *problems = json_array();
    double *xy = NULL;
    /* every hazard: a recorded mine belongs to one (see owner()), also when
     * only one is examined */
    st = load_geoms(s, &fr, "hazards", NULL, &h, &nh);
    if (!st)
        st = load_geoms(s, &fr, "release_areas", NULL, &rl, &nrl);
    if (!st)
        st = load_geoms(s, &fr, "records", NULL, &rc, &nrc);
    if (!st)
        st = dm__load_points(s, &fr, "items", NULL, NULL, "category", NULL, NULL, &it, &nit, NULL);
    if (!st)
        st = dm__load_points(s, &fr, "record_mines", NULL, NULL, "record_id", "category", NULL, &rm, &nrm, NULL);
    if (st)
        goto done;
    hpoly = dm_calloc(ctx, nh ? nh : 1, sizeof *hpoly);
    hkeep = dm_calloc(ctx, nh ? nh : 1, sizeof *hkeep);
    if (!hpoly || !hkeep) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nh && !st; i++) {
        dm_geom *k = NULL;
        st = dm__poly_init(ctx, h[i].g, &hpoly[i]);
        if (!st)
            st = dm_geom_buffer(ctx, h[i].g, KEEP_M, &k);
        if (!st)
            st = dm__poly_init(ctx, k, &hkeep[i]);
        dm_geom_free(k);
    }
    if (st)
        goto done;
    /* record reliabilities */
    rel_rel = dm_malloc(ctx, (nrc ? nrc : 1) * sizeof *rel_rel);
    xy = dm_malloc(ctx, (nit + nrm + 1) * 2 * sizeof *xy);
    if (!rel_rel || !xy) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nrc; i++) {
        rel_rel[i] = NAN;
        dm_cursor *c = NULL;
        const char *ef[1] = {"uuid"}, *ev[1] = {rc[i].uuid};
        dm_select sel = {0};
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
        if (dm_store_select(s, "records", &sel, &c) == DM_OK && dm_cursor_next(c) > 0)
            rel_rel[i] = dm_cursor_real(c, "reliability", NAN);
        dm_cursor_free(c);
    }
    dm_ctx_clear_error(ctx);
    size_t with_rows = 0, examined = 0;
    double expected_all = 0;
    for (size_t i = 0; i < nh && !st; i++) {
        hz *z = &h[i];
        dm__progress(ctx, "patterns", i, nh);
        if (o.hazard && strcmp(z->uuid, only))
            continue;
        examined++;
        /* mines found in the hazard */
        size_t n = 0, n_at = 0;
        dm__poly ph;
        st = dm__poly_init(ctx, z->g, &ph);
        if (st)
            break;
        for (size_t k = 0; k < nit; k++) {
            const dm__rpt *p = &it[k];
            if (!p->a || (strcmp(p->a, "AP") && strcmp(p->a, "AT")))
                continue;
            if (!dm__poly_has(&ph, p->x, p->y))
                continue;
            xy[2 * n] = p->x;
            xy[2 * n + 1] = p->y;
            n_at += !strcmp(p->a, "AT");
            n++;
        }
        dm__poly_free(ctx, &ph);
        /* records in it */
        int recs[16], nrec = 0;
        for (size_t r = 0; r < nrc && nrec < 16; r++)
            if (meets(z->b, rc[r].b, 0) && dm_geom_intersects(z->g, rc[r].g) == 1)
                recs[nrec++] = (int)r;
        if (n < 3 && nrec == 0)
            continue;
        /* released land of the hazard, and where predictions may go */
        pctx pc;
        memset(&pc, 0, sizeof pc);
        pc.ctx = ctx;
        dm_geom **parts = dm_malloc(ctx, (nrl ? nrl : 1) * sizeof *parts);
        if (!parts) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        size_t np = 0;
        for (size_t k = 0; k < nrl; k++)
            if (meets(z->b, rl[k].b, KEEP_M))
                parts[np++] = rl[k].g;
        if (np)
            st = dm_geom_union_all(ctx, parts, np, &pc.released);
        dm_free(ctx, parts);
        if (!st)
            st = dm_geom_buffer(ctx, z->g, KEEP_M, &pc.keep);
        if (!st)
            st = dm__poly_init(ctx, pc.released, &pc.prel);
        if (!st)
            st = dm__poly_init(ctx, pc.keep, &pc.pkeep);
        if (st) {
            dm__poly_free(ctx, &pc.prel);
            dm__poly_free(ctx, &pc.pkeep);
            dm_geom_free(pc.released);
            dm_geom_free(pc.keep);
            break;
        }
        json_t *hzj = json_object(), *rows_j = json_array();
        json_object_set_new(hzj, "hazard", json_string(z->uuid));
        json_object_set_new(hzj, "ref", json_string(z->ref));
        json_object_set_new(hzj, "finds", json_integer((json_int_t)n));
        size_t first_pred = npred;
        dm_row_fit rows[MAX_ROWS];
        size_t nr = 0;
        if (n >= 3) {
            dm_rows_opts ro = {0.5, 1.0, 3, 0, 0};
            st = dm_rows_fit(ctx, xy, n, &ro, rows, MAX_ROWS, &nr);
        }
        size_t ng = 0;
        for (size_t r = 0; r < nr && !st; r++)
            if (good_row(&rows[r]))
                rows[ng++] = rows[r];
        nr = ng;
        dm_predicted *pp = NULL;
        size_t npp = 0;
        if (!st && nr) {
            with_rows++;
            st = dm_rows_predict(ctx, rows, nr, o.reach_m, FADE_M, searched_fn, &pc, &pp, &npp);
            for (size_t r = 0; r < nr; r++)
                json_array_append_new(
                    rows_j, json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "finds", (json_int_t)rows[r].n,
                                      "bearing_deg", fmod(90 - atan2(rows[r].uy, rows[r].ux) * 180 / M_PI + 360, 180),
                                      "offset_m", rows[r].offset - rows[0].offset, "spacing_m", rows[r].spacing,
                                      "length_found_m", rows[r].tmax - rows[r].tmin, "sd_across_m",
                                      rows[r].sd_across, "sd_along_m", rows[r].sd_along));
        } else if (!st && nrec) {
            /* no rows found: the records' own mines, weighted by their reliability */
            for (int q = 0; q < nrec && !st; q++) {
                double w = isfinite(rel_rel[recs[q]]) ? rel_rel[recs[q]] : 0.25;
                for (size_t k = 0; k < nrm; k++) {
                    if (!rm[k].a || strcmp(rm[k].a, rc[recs[q]].uuid) || searched_fn(&pc, rm[k].x, rm[k].y, 0) >= 1 ||
                        owner(hpoly, hkeep, nh, rm[k].x, rm[k].y) != i)
                        continue;
                    if (npred == cpred) {
                        cpred = cpred ? cpred * 2 : 1024;
                        pred_out *np2 = dm_realloc(ctx, preds, cpred * sizeof *preds);
                        if (!np2) {
                            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                            break;
                        }
                        preds = np2;
                    }
                    preds[npred++] = (pred_out){{rm[k].x, rm[k].y, 5.0, w, -1}, i, recs[q],
                                                rm[k].b ? rm[k].b : NULL};
                }
            }
        }
        for (size_t k = 0; k < npp && !st; k++) {
            if (npred == cpred) {
                cpred = cpred ? cpred * 2 : 1024;
                pred_out *np2 = dm_realloc(ctx, preds, cpred * sizeof *preds);
                if (!np2) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    break;
                }
                preds = np2;
            }
            /* the row's class: AT when the spacing is that of AT rows */
            int row = pp[k].row >= 0 ? pp[k].row : 0;
            preds[npred++] = (pred_out){pp[k], i, nrec ? recs[0] : -1, rows[row].spacing >= 3 && n_at ? "AT" : "AP"};
        }
        dm_free(ctx, pp);
        dm_geom_free(pc.released);
        dm_geom_free(pc.keep);
        dm__poly_free(ctx, &pc.prel);
        dm__poly_free(ctx, &pc.pkeep);
        double e = 0;
        for (size_t k = first_pred; k < npred; k++)
            e += preds[k].p.p;
        expected_all += e;
        json_object_set_new(hzj, "rows", rows_j);
        json_object_set_new(hzj, "predicted", json_integer((json_int_t)(npred - first_pred)));
        json_object_set_new(hzj, "expected_remaining", json_real(e));
        json_object_set_new(hzj, "source", json_string(nr ? "rows" : "records"));
        json_array_append_new(hj, hzj);
    }
    dm__progress(ctx, "patterns", nh, nh);
    if (st)
        goto done;
    if (o.hazard && !examined)
        json_array_append_new(problems, json_sprintf("hazard %s: no usable geometry (missing, or not WGS 84); "
                                                     "nothing predicted", o.hazard));
    json_object_set_new(root, "hazards_examined", json_integer((json_int_t)examined));
    json_object_set_new(root, "hazards_with_rows", json_integer((json_int_t)with_rows));
    json_object_set_new(root, "predicted", json_integer((json_int_t)npred));
    json_object_set_new(root, "expected_remaining", json_real(expected_all));
    json_object_set(root, "hazards", hj);
    json_object_set(root, "problems", problems);
    /* write: the hazards' earlier predictions go, the new ones come, at once */
    if (!o.dry_run) {
        st = dm_store_begin(s);
        dm_row *row = st ? NULL : dm_row_new(ctx, dm_layer_find("predicted_mines"));
        if (!st && !row)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        /* earlier predictions of the hazards examined */
        char (*old)[37] = NULL;
        size_t nold = 0, cap = 0;
        dm_cursor *c = NULL;
        if (!st)
            st = dm_store_select(s, "predicted_mines", NULL, &c);
        int k = 0;
        while (!st && (k = dm_cursor_next(c)) > 0) {
            const char *hid = dm_cursor_text(c, "hazard_id");
            int mine = !o.hazard || (hid && !strcmp(hid, only));
            if (!mine)
                continue;
            if (nold == cap) {
                cap = cap ? cap * 2 : 256;
                char(*no)[37] = dm_realloc(ctx, old, cap * sizeof *old);
                if (!no) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    break;
                }
                old = no;
            }
            dm__strlcpy(old[nold++], dm_cursor_uuid(c), 37);
        }
        dm_cursor_free(c);
        for (size_t q = 0; q < nold && !st; q++)
            st = dm_store_delete(s, "predicted_mines", old[q], "patterns: replaced");
        dm_free(ctx, old);
        for (size_t q = 0; q < npred && !st; q++) {
            dm__progress(ctx, "patterns: writing", q, npred);
            double x = preds[q].p.x, y = preds[q].p.y;
            dm_geom *g = NULL;
            st = dm_transform_xy(fr.inv, &x, &y, 1);
            if (!st)
                st = dm_geom_point(ctx, x, y, &g);
            if (st)
                break;
            dm_row_clear(row);
            dm_row_set_geom(row, g);
            st = dm_row_set(row, "hazard_id", h[preds[q].hazard].uuid);
            if (!st && preds[q].record >= 0)
                st = dm_row_set(row, "record_id", rc[preds[q].record].uuid);
            if (!st) st = dm_row_set_int(row, "row", preds[q].p.row);
            if (!st && preds[q].cat) st = dm_row_set(row, "category", preds[q].cat);
            if (!st) st = dm_row_set_real(row, "sigma_m", fmin(preds[q].p.sigma_m, 1e4));
            if (!st) st = dm_row_set_real(row, "p", fmin(1, fmax(0, preds[q].p.p)));
            if (!st) st = dm_store_insert(s, row, NULL);
        }
        dm_row_free(row);
        if (st)
            dm_store_rollback(s);
        else
            st = dm_store_commit(s);
    }
    if (!st) {
        char *out = json_dumps(root, JSON_REAL_PRECISION(6));
        if (!out || !(*json = dm_strdup(ctx, out)))
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        free(out);
    }
done:
    json_decref(hj);
    json_decref(problems);
    json_decref(root);
    for (size_t i = 0; i < nh && hpoly && hkeep; i++) {
        dm__poly_free(ctx, &hpoly[i]);
        dm__poly_free(ctx, &hkeep[i]);
    }
    dm_free(ctx, hpoly);
    dm_free(ctx, hkeep);
    free_geoms(ctx, h, nh);
    free_geoms(ctx, rl, nrl);
    free_geoms(ctx, rc, nrc);
    dm__rpts_free(ctx, it, nit);
    dm__rpts_free(ctx, rm, nrm);
    dm_free(ctx, rel_rel);
    dm_free(ctx, xy);
    dm_free(ctx, preds);
    dm__frame_free(&fr);
    return st;
}
