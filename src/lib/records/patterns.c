/* SPDX-License-Identifier: MIT
 *
 * patterns.c -- minefield patterns per hazard, from the store: the mines
 * found in a hazard (AP, AT) fitted to rows, the rows extended into the
 * hazard's unreleased ground as predicted mine positions (sigma, p), or,
 * where too few mines were found, the recorded mines of the records lying
 * in it weighted by their measured reliability. Land released by reduction
 * or clearance was searched and gets no predictions; land cancelled by
 * non-technical survey was not, and a prediction there is kept and flagged
 * (in_cancelled): the cancellation may have been wrong. Writes the
 * predicted_mines layer (replacing the hazards' earlier predictions) in one
 * transaction.
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
    int cancelled;  /* release_areas: cancelled, not searched (outcome not reduced or cleared) */
    char date[11]; /* release_areas: the date released, or "" */
} hz;

typedef struct rec {
    char uuid[37];
    dm_geom *g;
    double b[4], reliability, bearing;
    int has_bearing;
} rec;

typedef struct pctx {
    dm_ctx *ctx;
    dm_geom *released, *keep; /* released: the searched (reduced, cleared) land */
    dm__poly prel, pkeep;
    const dm__poly *pcan; /* the cancelled release areas, nrl of them */
    const size_t *can;    /* those meeting the hazard: indices into pcan */
    size_t ncan;
} pctx;

/* The cancelled release area holding (x, y), among those meeting the
 * hazard: an index into the release areas, or -1. */
static int cancelled_at(const pctx *p, double x, double y)
{
    for (size_t k = 0; k < p->ncan; k++)
        if (dm__poly_has(&p->pcan[p->can[k]], x, y))
            return (int)p->can[k];
    return -1;
}

static double searched_fn(void *user, double x, double y, double sigma)
{
    (void)sigma;
    pctx *p = user;
    if (!dm__poly_has(&p->pkeep, x, y))
        return 1; /* beyond the hazard's reach: not predicted */
    return dm__poly_has(&p->prel, x, y) ? 1 : 0;
}

/* Warnings on records' rows, kept per record (uuid) until a hazard falls
 * back on the record's mines: only those are told. */
static void rows_warn(void *user, const char *rid, const char *msg)
{
    json_t *o = user, *a = json_object_get(o, rid);
    if (!a) {
        a = json_array();
        json_object_set_new(o, rid, a);
    }
    json_array_append_new(a, json_string(msg));
}

static int meets(const double a[4], const double b[4], double m)
{
    return a[0] - m <= b[2] && b[0] <= a[2] + m && a[1] - m <= b[3] && b[1] <= a[3] + m;
}

/* Which of a hazard's records a mine predicted at (x, y) is credited to:
 * the record whose extent holds it or lies nearest, the smaller extent when
 * two hold it; -1 when the hazard meets no record. */
static int nearest_record(const hz *rc, const int *recs, int nrec, double x, double y)
{
    int best = -1;
    double bd = INFINITY, ba = INFINITY;
    for (int q = 0; q < nrec; q++) {
        const double *b = rc[recs[q]].b;
        double dx = x < b[0] ? b[0] - x : (x > b[2] ? x - b[2] : 0);
        double dy = y < b[1] ? b[1] - y : (y > b[3] ? y - b[3] : 0);
        double d = dx * dx + dy * dy, a = (b[2] - b[0]) * (b[3] - b[1]);
        if (d < bd || (d == bd && a < ba)) {
            best = recs[q];
            bd = d;
            ba = a;
        }
    }
    return best;
}

static dm_status load_geoms(dm_store *s, const dm__frame *fr, const char *layer, const char *only, hz **out,
                            size_t *n, json_t *problems)
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
    long feature = 0;
    while (!st && (k = dm_cursor_next(c)) > 0 && *n < (size_t)cnt) {
        dm_geom *g = NULL;
        feature++;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        char why[128] = "";
        double fx = NAN, fy = NAN;
        if (g && !dm_geom_is_empty(g) && !dm_geom_is_valid(g, why, sizeof why, &fx, &fy)) {
            const char *ref = dm_cursor_text(c, "ref");
            json_array_append_new(problems, json_sprintf("%s feature %ld (%s%s%s): geometry is not a valid polygon "
                                                         "(%s at %.7f %.7f); not used: fix it (e.g. export it and "
                                                         "import it again with --repair)",
                                                         layer, feature, ref ? ref : "", ref ? ", " : "",
                                                         dm_cursor_uuid(c), why[0] ? why : "invalid", fx, fy));
            dm_geom_free(g);
            continue;
        }
        hz *h = &v[*n];
        if (g && dm__wgs84_bounds(g) && dm_geom_transform(ctx, fr->fwd, g, &h->g) == DM_OK &&
            dm_geom_bounds(h->g, h->b)) {
            dm__strlcpy(h->uuid, dm_cursor_uuid(c), sizeof h->uuid);
            const char *ref = dm_cursor_text(c, "ref");
            h->ref = dm_strdup(ctx, ref ? ref : "");
            if (!strcmp(layer, "release_areas")) {
                /* as records verify: only reduced or cleared land was searched */
                const char *o = dm_cursor_text(c, "outcome"), *d = dm_cursor_text(c, "date");
                h->cancelled = !o || !strcmp(o, "cancelled");
                dm__strlcpy(h->date, d ? d : "", sizeof h->date);
            }
            if (!h->ref)
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            (*n)++;
        } else {
            /* a polygon written by another tool in another CRS: named, not
             * silently left out (its mines or finds would go unpredicted) */
            if (g && !dm_geom_is_empty(g)) {
                const char *ref = dm_cursor_text(c, "ref");
                json_array_append_new(problems,
                                      json_sprintf("%s feature %ld (%s%s%s): %s; not used", layer, feature,
                                                   ref ? ref : "", ref ? ", " : "", dm_cursor_uuid(c),
                                                   dm__wgs84_bounds(g) ? "geometry cannot be transformed"
                                                                       : "coordinates outside WGS 84 ranges (in "
                                                                         "another CRS? reproject it to EPSG:4326)"));
            }
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
    int cancelled; /* index into the release areas of the cancelled one holding it, -1 */
} pred_out;

/* A row of predicted_mines, stored or about to be. */
typedef struct prow {
    char uuid[37], hz[37], rec[37], cat[8];
    int row, fresh, canc;
    double x, y, sigma, p; /* WGS 84 */
} prow;

static int cmp_prow(const void *a, const void *b)
{
    const prow *x = a, *y = b;
    int c = strcmp(x->hz, y->hz);
    if (c)
        return c;
    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    c = strcmp(x->rec, y->rec);
    if (c)
        return c;
    c = strcmp(x->cat, y->cat);
    return c ? c : x->canc - y->canc;
}

static int same_num(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(1, fabs(a)); }

static int same_prow(const prow *a, const prow *b)
{
    return !strcmp(a->hz, b->hz) && !strcmp(a->rec, b->rec) && !strcmp(a->cat, b->cat) && a->row == b->row &&
           a->canc == b->canc && same_num(a->x, b->x) && same_num(a->y, b->y) && same_num(a->sigma, b->sigma) && same_num(a->p, b->p);
}

static void text37(dm_cursor *c, const char *f, char *out, size_t n)
{
    const char *t = dm_cursor_text(c, f);
    dm__strlcpy(out, t ? t : "", n);
}

/* Replace the predictions of the hazards examined (all, or `only`) by the
 * new ones, hazard by hazard: a hazard's rows are deleted and inserted
 * only when they changed, so a run on unchanged data writes nothing. One
 * transaction. */
static dm_status write_predictions(dm_store *s, const dm__frame *fr, const hz *h, const hz *rc,
                                   const pred_out *preds, size_t npred, const char *only)
{
    dm_ctx *ctx = dm_store_ctx(s);
    prow *v = NULL;
    size_t nv = 0, cap = npred + 256;
    dm_row *row = NULL;
    v = dm_malloc(ctx, cap * sizeof *v);
    if (!v)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    for (size_t q = 0; q < npred && !st; q++) {
        prow *w = &v[nv++];
        memset(w, 0, sizeof *w);
        w->fresh = 1;
        w->x = preds[q].p.x;
        w->y = preds[q].p.y;
        st = dm_transform_xy(fr->inv, &w->x, &w->y, 1);
        dm__strlcpy(w->hz, h[preds[q].hazard].uuid, sizeof w->hz);
        if (preds[q].record >= 0)
            dm__strlcpy(w->rec, rc[preds[q].record].uuid, sizeof w->rec);
        if (preds[q].cat)
            dm__strlcpy(w->cat, preds[q].cat, sizeof w->cat);
        w->row = preds[q].p.row;
        w->canc = preds[q].cancelled >= 0;
        w->sigma = fmin(preds[q].p.sigma_m, 1e4);
        w->p = fmin(1, fmax(0, preds[q].p.p));
    }
    /* earlier predictions of the hazards examined */
    dm_cursor *c = NULL;
    if (!st)
        st = dm_store_select(s, "predicted_mines", NULL, &c);
    int k = 0;
    while (!st && (k = dm_cursor_next(c)) > 0) {
        const char *hid = dm_cursor_text(c, "hazard_id");
        if (only && (!hid || strcmp(hid, only)))
            continue;
        if (nv == cap) {
            cap *= 2;
            prow *nw = dm_realloc(ctx, v, cap * sizeof *v);
            if (!nw) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            v = nw;
        }
        prow *w = &v[nv];
        memset(w, 0, sizeof *w);
        dm__strlcpy(w->uuid, dm_cursor_uuid(c), sizeof w->uuid);
        text37(c, "hazard_id", w->hz, sizeof w->hz);
        text37(c, "record_id", w->rec, sizeof w->rec);
        text37(c, "category", w->cat, sizeof w->cat);
        w->row = (int)dm_cursor_real(c, "row", 0);
        /* NULL (written before the field was added): not in cancelled land,
         * as then nothing was predicted there */
        w->canc = dm_cursor_real(c, "in_cancelled", 0) != 0;
        w->sigma = dm_cursor_real(c, "sigma_m", NAN);
        w->p = dm_cursor_real(c, "p", NAN);
        dm_geom *g = NULL;
        w->x = w->y = NAN;
        if (dm_cursor_geom(c, &g) == DM_OK && g)
            dm_geom_centroid_xy(g, &w->x, &w->y);
        dm_geom_free(g);
        nv++;
    }
    dm_cursor_free(c);
    if (!st && k < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_ctx_clear_error(ctx);
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    /* per hazard: the old and the new rows, each sorted; equal sets stay */
    if (nv)
        qsort(v, nv, sizeof *v, cmp_prow);
    size_t changed = 0;
    unsigned char *act = dm_calloc(ctx, nv ? nv : 1, 1); /* 1: delete (old) / insert (new) */
    if (!act) {
        dm_free(ctx, v);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nv;) {
        size_t e = i;
        while (e < nv && !strcmp(v[e].hz, v[i].hz))
            e++;
        /* within the group, old and new in the same sort order */
        size_t no = 0, nn = 0, io = i, in = i;
        for (size_t q = i; q < e; q++)
            v[q].fresh ? nn++ : no++;
        int same = no == nn;
        for (size_t q = 0; same && q < nn; q++) {
            while (v[io].fresh)
                io++;
            while (!v[in].fresh)
                in++;
            same = same_prow(&v[io++], &v[in++]);
        }
        if (!same)
            for (size_t q = i; q < e; q++) {
                act[q] = 1;
                changed++;
            }
        i = e;
    }
    if (changed) {
        st = dm_store_begin(s);
        for (size_t q = 0; q < nv && !st; q++)
            if (act[q] && !v[q].fresh)
                st = dm_store_delete(s, "predicted_mines", v[q].uuid, "patterns: replaced");
        row = st ? NULL : dm_row_new(ctx, dm_layer_find("predicted_mines"));
        if (!st && !row)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t q = 0; q < nv && !st; q++) {
            if (!act[q] || !v[q].fresh)
                continue;
            dm__progress(ctx, "patterns: writing", q, nv);
            dm_geom *g = NULL;
            st = dm_geom_point(ctx, v[q].x, v[q].y, &g);
            if (st)
                break;
            dm_row_clear(row);
            dm_row_set_geom(row, g);
            st = dm_row_set(row, "hazard_id", v[q].hz);
            if (!st && v[q].rec[0]) st = dm_row_set(row, "record_id", v[q].rec);
            if (!st) st = dm_row_set_int(row, "row", v[q].row);
            if (!st && v[q].cat[0]) st = dm_row_set(row, "category", v[q].cat);
            if (!st) st = dm_row_set_real(row, "sigma_m", v[q].sigma);
            if (!st) st = dm_row_set_real(row, "p", v[q].p);
            if (!st) st = dm_row_set(row, "in_cancelled", v[q].canc ? "1" : "0");
            if (!st) st = dm_store_insert(s, row, NULL);
        }
        dm_row_free(row);
        if (st)
            dm_store_rollback(s);
        else
            st = dm_store_commit(s);
    }
    dm_free(ctx, act);
    dm_free(ctx, v);
    return st;
}

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
    int *recs = NULL; /* the records meeting the hazard at hand */
    pred_out *preds = NULL;
    dm__poly *hpoly = NULL, *hkeep = NULL, *pcan = NULL;
    size_t *can = NULL;
    unsigned char *area_used = NULL; /* the cancelled release areas holding predictions */
    json_t *root = json_object(), *hj = json_array(), *problems = json_array(), *row_warn = json_object();
    double *xy = NULL;
    /* every hazard: a recorded mine belongs to one (see owner()), also when
     * only one is examined */
    st = load_geoms(s, &fr, "hazards", NULL, &h, &nh, problems);
    if (!st)
        st = load_geoms(s, &fr, "release_areas", NULL, &rl, &nrl, problems);
    if (!st)
        st = load_geoms(s, &fr, "records", NULL, &rc, &nrc, problems);
    size_t bad_it = 0, bad_rm = 0;
    if (!st)
        st = dm__load_points(s, &fr, "items", NULL, NULL, "category", NULL, NULL, &it, &nit, &bad_it);
    if (!st)
        st = dm__load_points(s, &fr, "record_mines", NULL, NULL, "record_id", "category", NULL, &rm, &nrm, &bad_rm);
    /* rows without recorded mines: the mines they imply, used as recorded
     * mines (an empty uuid tells them apart); b the category as above */
    size_t nrm_recorded = nrm;
    if (!st) {
        dm__rpt *im = NULL;
        size_t nim = 0;
        st = dm__rows_implied(s, &fr, NULL, rows_warn, row_warn, &im, &nim);
        for (size_t k = 0; !st && k < nim; k++) {
            char *t = im[k].b;
            im[k].b = im[k].c;
            im[k].c = t;
        }
        if (!st)
            st = dm__rpts_append(ctx, &rm, &nrm, im, nim);
    }
    if (st)
        goto done;
    if (bad_it)
        json_array_append_new(problems, json_sprintf("items: %zu without a usable point (no geometry, or coordinates "
                                                     "outside WGS 84 ranges); not used", bad_it));
    if (bad_rm)
        json_array_append_new(problems, json_sprintf("record_mines: %zu without a usable point (no geometry, or "
                                                     "coordinates outside WGS 84 ranges); not used", bad_rm));
    hpoly = dm_calloc(ctx, nh ? nh : 1, sizeof *hpoly);
    hkeep = dm_calloc(ctx, nh ? nh : 1, sizeof *hkeep);
    pcan = dm_calloc(ctx, nrl ? nrl : 1, sizeof *pcan);
    can = dm_malloc(ctx, (nrl ? nrl : 1) * sizeof *can);
    if (!hpoly || !hkeep || !pcan || !can) {
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
    for (size_t k = 0; k < nrl && !st; k++)
        if (rl[k].cancelled)
            st = dm__poly_init(ctx, rl[k].g, &pcan[k]);
    if (st)
        goto done;
    /* record reliabilities */
    rel_rel = dm_malloc(ctx, (nrc ? nrc : 1) * sizeof *rel_rel);
    recs = dm_malloc(ctx, (nrc ? nrc : 1) * sizeof *recs);
    xy = dm_malloc(ctx, (nit + nrm + 1) * 2 * sizeof *xy);
    if (!rel_rel || !recs || !xy) {
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
    size_t with_rows = 0, examined = 0, canc_all = 0;
    double expected_all = 0, canc_expected_all = 0;
    area_used = dm_calloc(ctx, nrl ? nrl : 1, 1);
    if (!area_used) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
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
        int nrec = 0;
        for (size_t r = 0; r < nrc; r++)
            if (meets(z->b, rc[r].b, 0) && dm_geom_intersects(z->g, rc[r].g) == 1)
                recs[nrec++] = (int)r;
        if (n < 3 && nrec == 0)
            continue;
        /* searched land of the hazard (released by reduction or clearance),
         * its cancelled land, and where predictions may go */
        pctx pc;
        memset(&pc, 0, sizeof pc);
        pc.ctx = ctx;
        pc.pcan = pcan;
        pc.can = can;
        dm_geom **parts = dm_malloc(ctx, (nrl ? nrl : 1) * sizeof *parts);
        if (!parts) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        size_t np = 0;
        for (size_t k = 0; k < nrl; k++)
            if (meets(z->b, rl[k].b, KEEP_M)) {
                if (rl[k].cancelled)
                    can[pc.ncan++] = k;
                else
                    parts[np++] = rl[k].g;
            }
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
        size_t first_pred = npred, from_rows = 0;
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
                    rows_j, json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "finds", (json_int_t)rows[r].n,
                                      "bearing_deg", fmod(90 - atan2(rows[r].uy, rows[r].ux) * 180 / M_PI + 360, 180),
                                      "offset_m", rows[r].offset - rows[0].offset, "spacing_m", rows[r].spacing,
                                      "length_found_m", rows[r].tmax - rows[r].tmin, "sd_across_m",
                                      rows[r].sd_across, "sd_along_m", rows[r].sd_along));
        } else if (!st && nrec) {
            /* no rows found: the records' own mines (or those their rows
             * imply), weighted by their reliability */
            for (int q = 0; q < nrec && !st; q++) {
                double w = isfinite(rel_rel[recs[q]]) ? rel_rel[recs[q]] : 0.25;
                json_t *wa = json_object_get(row_warn, rc[recs[q]].uuid);
                size_t wi;
                json_t *wm;
                json_array_foreach(wa, wi, wm)
                {
                    const char *ref = rc[recs[q]].ref && rc[recs[q]].ref[0] ? rc[recs[q]].ref : "?";
                    json_array_append_new(problems, json_sprintf("record %s (%s): %s", ref, rc[recs[q]].uuid,
                                                                 json_string_value(wm)));
                }
                if (wa)
                    json_object_del(row_warn, rc[recs[q]].uuid);
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
                                                rm[k].b ? rm[k].b : NULL, cancelled_at(&pc, rm[k].x, rm[k].y)};
                    from_rows += k >= nrm_recorded;
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
            preds[npred++] = (pred_out){pp[k], i, nearest_record(rc, recs, nrec, pp[k].x, pp[k].y),
                                        rows[row].spacing >= 3 && n_at ? "AT" : "AP",
                                        cancelled_at(&pc, pp[k].x, pp[k].y)};
        }
        dm_free(ctx, pp);
        dm_geom_free(pc.released);
        dm_geom_free(pc.keep);
        dm__poly_free(ctx, &pc.prel);
        dm__poly_free(ctx, &pc.pkeep);
        /* the predictions lying in cancelled land, per release area (in
         * the order of the layer) */
        double e = 0, ce = 0;
        size_t cn = 0;
        json_t *areas = json_array();
        for (size_t k = first_pred; k < npred; k++) {
            e += preds[k].p.p;
            if (preds[k].cancelled >= 0) {
                cn++;
                ce += preds[k].p.p;
            }
        }
        for (size_t a = 0; a < pc.ncan; a++) {
            size_t an = 0;
            double ae = 0;
            for (size_t k = first_pred; k < npred; k++)
                if (preds[k].cancelled == (int)pc.can[a]) {
                    an++;
                    ae += preds[k].p.p;
                }
            if (!an)
                continue;
            area_used[pc.can[a]] = 1;
            const hz *ra = &rl[pc.can[a]];
            json_t *aj = json_pack("{s:s, s:I, s:f}", "release_area", ra->uuid, "predicted", (json_int_t)an,
                                   "expected", ae);
            json_object_set_new(aj, "date", ra->date[0] ? json_string(ra->date) : json_null());
            json_array_append_new(areas, aj);
        }
        expected_all += e;
        canc_all += cn;
        canc_expected_all += ce;
        json_object_set_new(hzj, "rows", rows_j);
        json_object_set_new(hzj, "predicted", json_integer((json_int_t)(npred - first_pred)));
        json_object_set_new(hzj, "expected_remaining", json_real(e));
        json_object_set_new(hzj, "source", json_string(nr ? "rows" : "records"));
        if (!nr)
            json_object_set_new(hzj, "mines_from_rows", json_integer((json_int_t)from_rows));
        json_object_set_new(hzj, "in_cancelled", json_integer((json_int_t)cn));
        json_object_set_new(hzj, "expected_in_cancelled", json_real(ce));
        json_object_set_new(hzj, "cancelled_areas", areas);
        json_array_append_new(hj, hzj);
    }
    dm__progress(ctx, "patterns", nh, nh);
    if (st)
        goto done;
    if (o.hazard && !examined)
        json_array_append_new(problems, json_sprintf("hazard %s: no usable geometry (missing, invalid or not WGS 84); "
                                                     "nothing predicted", o.hazard));
    json_object_set_new(root, "hazards_examined", json_integer((json_int_t)examined));
    json_object_set_new(root, "hazards_with_rows", json_integer((json_int_t)with_rows));
    json_object_set_new(root, "predicted", json_integer((json_int_t)npred));
    json_object_set_new(root, "expected_remaining", json_real(expected_all));
    size_t nused = 0;
    for (size_t k = 0; k < nrl; k++)
        nused += area_used[k];
    json_object_set_new(root, "in_cancelled", json_integer((json_int_t)canc_all));
    json_object_set_new(root, "expected_in_cancelled", json_real(canc_expected_all));
    json_object_set_new(root, "cancelled_areas", json_integer((json_int_t)nused));
    json_object_set(root, "hazards", hj);
    json_object_set(root, "problems", problems);
    /* write: the hazards' earlier predictions go, the new ones come, at once;
     * a hazard whose predictions did not change is left alone */
    if (!o.dry_run)
        st = write_predictions(s, &fr, h, rc, preds, npred, o.hazard ? only : NULL);
    if (!st) {
        char *out = json_dumps(root, JSON_REAL_PRECISION(6));
        if (!out || !(*json = dm_strdup(ctx, out)))
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        free(out);
    }
done:
    json_decref(hj);
    json_decref(problems);
    json_decref(row_warn);
    json_decref(root);
    for (size_t i = 0; i < nh && hpoly && hkeep; i++) {
        dm__poly_free(ctx, &hpoly[i]);
        dm__poly_free(ctx, &hkeep[i]);
    }
    dm_free(ctx, hpoly);
    dm_free(ctx, hkeep);
    for (size_t k = 0; k < nrl && pcan; k++)
        dm__poly_free(ctx, &pcan[k]);
    dm_free(ctx, pcan);
    dm_free(ctx, can);
    dm_free(ctx, area_used);
    free_geoms(ctx, h, nh);
    free_geoms(ctx, rl, nrl);
    free_geoms(ctx, rc, nrc);
    dm__rpts_free(ctx, it, nit);
    dm__rpts_free(ctx, rm, nrm);
    dm_free(ctx, rel_rel);
    dm_free(ctx, recs);
    dm_free(ctx, xy);
    dm_free(ctx, preds);
    dm__frame_free(&fr);
    return st;
}
