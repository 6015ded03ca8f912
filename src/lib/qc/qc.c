/* SPDX-License-Identifier: MIT
 *
 * qc.c -- quality control (post-clearance inspection): which released land
 * each inspection (an activity of type qc) covered, the items the task
 * found and the items the inspection found (its misses) there, and the
 * detection probability of each organisation's method they measure:
 *
 *     p ~ Beta(k p0 + found, k (1 - p0) + missed)
 *
 * p0 the method's default detection probability, k = dm_qc_prior_items(p0)
 * pseudo-items (10, or a fifth of a miss when more), so an inspection
 * finding nothing where the task found nothing says nothing, and one
 * finding nothing where the task found 3 claims no perfection. docs/qc.md.
 */
#include "core/dm_internal.h"
#include "demine/dm_qc.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

double dm__method_p_detect(const char *methods);

/* ---- Beta quantiles ---- */

/* Continued fraction of the incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-14)
            break;
    }
    return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double beta_cdf(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lbt) * betacf(a, b, x) / a;
    return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double dm_qc_beta_quantile(double a, double b, double q)
{
    if (!(a > 0) || !(b > 0) || !(q > 0) || !(q < 1))
        return NAN;
    double lo = 0, hi = 1;
    for (int i = 0; i < 100; i++) {
        double mid = 0.5 * (lo + hi);
        if (beta_cdf(a, b, mid) < q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* ---- what the database holds ---- */

typedef struct act {
    char uuid[37], ref[64], type[16], org[128], method[96], inspects[37], date[11];
    int qc, task; /* an inspection; a clearance or survey (clearance, ts, bac) */
    dm_geom *g;   /* inspections, and tasks near one */
} act;

typedef struct rel {
    size_t act; /* index of its activity */
    dm_geom *g;
} rel;

typedef struct item {
    size_t act;
    double qty;
    dm_geom *pt;
} item;

typedef struct qc_data {
    dm_ctx *ctx;
    act *a;
    size_t n_a;
    rel *r;
    size_t n_r, cap_r;
    item *it;
    size_t n_it, cap_it;
    double bbox[4]; /* of the inspections */
} qc_data;

static int cmp_act(const void *x, const void *y)
{
    return strcmp(((const act *)x)->uuid, ((const act *)y)->uuid);
}

static act *act_get(qc_data *d, const char *uuid)
{
    if (!uuid || !*uuid)
        return NULL;
    act key;
    dm__strlcpy(key.uuid, uuid, sizeof key.uuid);
    return bsearch(&key, d->a, d->n_a, sizeof *d->a, cmp_act);
}

static const char *label_of(const act *a)
{
    return a->ref[0] ? a->ref : a->uuid;
}

static void data_free(qc_data *d)
{
    for (size_t i = 0; i < d->n_a; i++)
        dm_geom_free(d->a[i].g);
    for (size_t i = 0; i < d->n_r; i++)
        dm_geom_free(d->r[i].g);
    for (size_t i = 0; i < d->n_it; i++)
        dm_geom_free(d->it[i].pt);
    dm_free(d->ctx, d->a);
    dm_free(d->ctx, d->r);
    dm_free(d->ctx, d->it);
    memset(d, 0, sizeof *d);
}

static int bbox_meets(const double a[4], const double b[4])
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

static int row_near(dm_cursor *c, const double bb[4])
{
    size_t n = 0;
    const void *blob = dm_cursor_geom_bytes(c, &n);
    double env[4];
    if (!blob || !dm_gpkg_envelope(blob, n, env))
        return 1; /* no envelope in the header: read it to know */
    const double e[4] = {env[0], env[2], env[1], env[3]}; /* minx, miny, maxx, maxy */
    return bbox_meets(e, bb);
}

static int is_task_type(const char *t)
{
    return t && (!strcmp(t, "clearance") || !strcmp(t, "ts") || !strcmp(t, "bac"));
}

/* Every approved activity (sorted by uuid), the inspections' geometries;
 * *n_qc the inspections. */
static dm_status read_activities(dm_store *s, qc_data *d, size_t *n_qc)
{
    dm_ctx *ctx = d->ctx;
    dm_select sel = {0};
    sel.reviewed = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    size_t cap = 0;
    int rc = 0;
    *n_qc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        act *na = dm__grow(ctx, d->a, &cap, d->n_a, sizeof *na, 64);
        if (!na) {
            st = DM_ENOMEM;
            break;
        }
        d->a = na;
        act *a = &d->a[d->n_a++];
        memset(a, 0, sizeof *a);
        const char *v;
        dm__strlcpy(a->uuid, dm_cursor_uuid(c), sizeof a->uuid);
        if ((v = dm_cursor_text(c, "ref")))
            dm__strlcpy(a->ref, v, sizeof a->ref);
        if ((v = dm_cursor_text(c, "activity_type")))
            dm__strlcpy(a->type, v, sizeof a->type);
        if ((v = dm_cursor_text(c, "organisation")))
            dm__strlcpy(a->org, v, sizeof a->org);
        if ((v = dm_cursor_text(c, "method")))
            dm__strlcpy(a->method, v, sizeof a->method);
        if ((v = dm_cursor_text(c, "inspects_id")))
            dm__strlcpy(a->inspects, v, sizeof a->inspects);
        v = dm_cursor_text(c, "end_date");
        if (!v)
            v = dm_cursor_text(c, "start_date");
        if (v && !dm_date_parse(v, a->date))
            a->date[0] = '\0';
        a->qc = !strcmp(a->type, "qc");
        a->task = is_task_type(a->type);
        if (a->qc) {
            (*n_qc)++;
            st = dm_cursor_geom(c, &a->g);
        }
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (!st && d->n_a)
        qsort(d->a, d->n_a, sizeof *d->a, cmp_act);
    return st;
}

/* The geometries of the tasks near an inspection (their own polygon, for
 * a task without release areas). */
static dm_status read_task_geoms(dm_store *s, qc_data *d)
{
    dm_select sel = {0};
    sel.reviewed = 1;
    sel.bbox = d->bbox;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        act *a = act_get(d, dm_cursor_uuid(c));
        if (!a || !a->task || a->g)
            continue;
        st = dm_cursor_geom(c, &a->g);
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(d->ctx) ? dm_ctx_errcode(d->ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

/* Cleared and reduced release areas of tasks, near an inspection. */
static dm_status read_released(dm_store *s, qc_data *d)
{
    dm_select sel = {0};
    sel.reviewed = 1;
    sel.bbox = d->bbox;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "release_areas", &sel, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *out = dm_cursor_text(c, "outcome");
        act *a = act_get(d, dm_cursor_text(c, "activity_id"));
        if (!a || !a->task || !out || (strcmp(out, "cleared") && strcmp(out, "reduced")))
            continue;
        if (!row_near(c, d->bbox))
            continue;
        rel *v = dm__grow(d->ctx, d->r, &d->cap_r, d->n_r, sizeof *v, 64);
        if (!v) {
            st = DM_ENOMEM;
            break;
        }
        d->r = v;
        rel *r = &d->r[d->n_r];
        r->act = (size_t)(a - d->a);
        r->g = NULL;
        if ((st = dm_cursor_geom(c, &r->g)))
            break;
        if (r->g)
            d->n_r++;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(d->ctx) ? dm_ctx_errcode(d->ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

/* Items of tasks and inspections near an inspection. */
static dm_status read_items(dm_store *s, qc_data *d)
{
    dm_select sel = {0};
    sel.reviewed = 1;
    sel.bbox = d->bbox;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "items", &sel, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        act *a = act_get(d, dm_cursor_text(c, "activity_id"));
        if (!a || !(a->task || a->qc))
            continue;
        item *v = dm__grow(d->ctx, d->it, &d->cap_it, d->n_it, sizeof *v, 256);
        if (!v) {
            st = DM_ENOMEM;
            break;
        }
        d->it = v;
        item *it = &d->it[d->n_it];
        it->act = (size_t)(a - d->a);
        it->qty = dm_cursor_real(c, "quantity", 1);
        if (!(it->qty > 0))
            it->qty = 1;
        it->pt = NULL;
        if ((st = dm_cursor_geom(c, &it->pt)))
            break;
        if (it->pt)
            d->n_it++;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(d->ctx) ? dm_ctx_errcode(d->ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

/* The land task a released (the union of its cleared and reduced release
 * areas, else its own polygon); *out NULL when it has none. */
static dm_status task_land(qc_data *d, size_t task, dm_geom **out)
{
    *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < d->n_r; i++)
        n += d->r[i].act == task;
    if (!n) {
        if (d->a[task].g)
            return dm_geom_clone(d->ctx, d->a[task].g, out);
        return DM_OK;
    }
    dm_geom **v = dm_malloc(d->ctx, n * sizeof *v);
    if (!v)
        return dm__fail(d->ctx, DM_ENOMEM, "out of memory");
    n = 0;
    for (size_t i = 0; i < d->n_r; i++)
        if (d->r[i].act == task)
            v[n++] = d->r[i].g;
    dm_status st = n == 1 ? dm_geom_clone(d->ctx, v[0], out) : dm_geom_union_all(d->ctx, v, n, out);
    dm_free(d->ctx, v);
    return st;
}

static int date_in(const char *date, const dm_qc_opts *o)
{
    if (!o)
        return 1;
    if ((o->from || o->to) && !date[0])
        return 0; /* undated: not of the dates asked */
    if (o->from && strcmp(date, o->from) < 0)
        return 0;
    if (o->to && strcmp(date, o->to) > 0)
        return 0;
    return 1;
}

/* An inspection and a task it covers. */
typedef struct pair {
    size_t qc, task;
} pair;

static int cmp_task_out(const void *x, const void *y)
{
    const dm_qc_task *a = x, *b = y;
    int c = strcasecmp(a->org, b->org);
    if (!c)
        c = strcmp(a->method, b->method);
    if (!c)
        c = strcmp(a->ref[0] ? a->ref : a->uuid, b->ref[0] ? b->ref : b->uuid);
    return c;
}

static dm_status add_pair(qc_data *d, pair **v, size_t *n, size_t *cap, size_t q, size_t t)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].qc == q && (*v)[i].task == t)
            return DM_OK;
    pair *nv = dm__grow(d->ctx, *v, cap, *n, sizeof *nv, 16);
    if (!nv)
        return DM_ENOMEM;
    *v = nv;
    (*v)[(*n)++] = (pair){q, t};
    return DM_OK;
}

double dm_qc_prior_items(double p0)
{
    double k = p0 < 1 ? DM_QC_PRIOR_MISSES / (1 - p0) : 1e6;
    return fmax(DM_QC_PRIOR_ITEMS, fmin(k, 1e6));
}

static void set_rate_p(dm_qc_rate *r)
{
    double p0 = r->p_default, k = r->prior_items = dm_qc_prior_items(p0);
    double a = k * p0 + r->found, b = k * (1 - p0) + r->missed;
    r->p = a / (a + b);
    r->p_lo = dm_qc_beta_quantile(a, b, 0.05);
    r->p_hi = dm_qc_beta_quantile(a, b, 0.95);
}

/* Measure from the data read: pairs of inspections and tasks, then tasks,
 * then rates. */
static dm_status measure(qc_data *d, const dm_qc_opts *o, dm_qc_result *out)
{
    dm_ctx *ctx = d->ctx;
    dm_status st = DM_OK;
    pair *pv = NULL;
    size_t np = 0, cap = 0;
    char *used = dm_calloc(ctx, d->n_it ? d->n_it : 1, 1); /* an inspection's find counted */
    if (!used)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    /* each inspection: the tasks it covers */
    for (size_t q = 0; !st && q < d->n_a; q++) {
        act *a = &d->a[q];
        if (!a->qc || !date_in(a->date, o))
            continue;
        out->inspections++;
        if (a->inspects[0]) {
            act *t = act_get(d, a->inspects);
            if (!is_task_type(t ? t->type : NULL))
                continue; /* said by validate() */
            st = add_pair(d, &pv, &np, &cap, q, (size_t)(t - d->a));
            continue;
        }
        size_t before = np;
        for (size_t i = 0; !st && i < d->n_r; i++)
            if (dm_geom_intersects(d->r[i].g, a->g)) {
                /* touching along an edge is no overlap */
                dm_geom *x = NULL;
                double ha = 0;
                st = dm_geom_intersection(ctx, d->r[i].g, a->g, &x);
                if (!st && x)
                    st = dm_geom_area_ha(ctx, x, &ha);
                dm_geom_free(x);
                if (!st && ha > 1e-6)
                    st = add_pair(d, &pv, &np, &cap, q, d->r[i].act);
            }
        if (!st && np == before) {
            if (!out->unattributed++)
                dm__strlcpy(out->first_unattributed, label_of(a), sizeof out->first_unattributed);
        }
    }
    /* each task inspected */
    for (size_t t = 0; !st && t < d->n_a; t++) {
        int any = 0;
        for (size_t i = 0; i < np && !any; i++)
            any = pv[i].task == t;
        if (!any)
            continue;
        act *ta = &d->a[t];
        if (o && o->org && strcasecmp(o->org, ta->org))
            continue;
        dm_geom *land = NULL, *insp = NULL, *over = NULL;
        st = task_land(d, t, &land);
        if (!st && !land) {
            st = dm__fail(ctx, DM_EINVAL,
                          "activities row %s: the task inspected has no land: no cleared or reduced "
                          "release area and no polygon of its own",
                          label_of(ta));
            break;
        }
        dm_geom *gs[256];
        size_t ng = 0;
        int n_insp = 0;
        for (size_t i = 0; i < np; i++)
            if (pv[i].task == t && ng < 256) {
                gs[ng++] = d->a[pv[i].qc].g;
                n_insp++;
            }
        if (!st)
            st = ng == 1 ? dm_geom_clone(ctx, gs[0], &insp) : dm_geom_union_all(ctx, gs, ng, &insp);
        if (!st)
            st = dm_geom_intersection(ctx, insp, land, &over);
        double ha = 0;
        if (!st && over && !dm_geom_is_empty(over))
            st = dm_geom_area_ha(ctx, over, &ha);
        /* a named task the inspection does not overlap */
        for (size_t i = 0; !st && i < np; i++) {
            if (pv[i].task != t || !d->a[pv[i].qc].inspects[0])
                continue;
            dm_geom *x = NULL;
            double xha = 0;
            st = dm_geom_intersection(ctx, d->a[pv[i].qc].g, land, &x);
            if (!st && x && !dm_geom_is_empty(x))
                st = dm_geom_area_ha(ctx, x, &xha);
            dm_geom_free(x);
            if (!st && !(xha > 1e-6))
                st = dm__fail(ctx, DM_EINVAL,
                              "activities row %s: field 'inspects_id': it inspects %s, but its "
                              "polygon does not overlap the land %s released",
                              label_of(&d->a[pv[i].qc]), label_of(ta), label_of(ta));
        }
        double found = 0, missed = 0;
        for (size_t i = 0; !st && i < d->n_it; i++) {
            item *it = &d->it[i];
            if (it->act == t) {
                if (dm_geom_intersects(over, it->pt))
                    found += it->qty;
                continue;
            }
            if (used[i] || !d->a[it->act].qc)
                continue;
            int of = 0;
            for (size_t k = 0; k < np && !of; k++)
                of = pv[k].task == t && pv[k].qc == it->act;
            if (of && dm_geom_intersects(over, it->pt)) {
                missed += it->qty;
                used[i] = 1;
            }
        }
        dm_geom_free(land);
        dm_geom_free(insp);
        dm_geom_free(over);
        if (st)
            break;
        dm_qc_task *nt = dm_realloc(ctx, out->tasks, (out->n_tasks + 1) * sizeof *nt);
        if (!nt) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        out->tasks = nt;
        dm_qc_task *k = &nt[out->n_tasks++];
        memset(k, 0, sizeof *k);
        dm__strlcpy(k->uuid, ta->uuid, sizeof k->uuid);
        dm__strlcpy(k->ref, ta->ref, sizeof k->ref);
        dm__strlcpy(k->org, ta->org[0] ? ta->org : "(no organisation)", sizeof k->org);
        dm__strlcpy(k->method, ta->method[0] ? ta->method : "(no method)", sizeof k->method);
        k->inspections = n_insp;
        k->ha_inspected = ha;
        k->found = found;
        k->missed = missed;
        k->failed = missed > 0;
    }
    /* finds of the inspections outside the land of what they inspected */
    for (size_t i = 0; !st && i < d->n_it; i++) {
        if (used[i] || !d->a[d->it[i].act].qc)
            continue;
        act *q = &d->a[d->it[i].act];
        if (!date_in(q->date, o))
            continue;
        out->outside += d->it[i].qty;
    }
    dm_free(ctx, used);
    dm_free(ctx, pv);
    if (st)
        return st;
    if (out->n_tasks)
        qsort(out->tasks, out->n_tasks, sizeof *out->tasks, cmp_task_out);
    /* rates: organisation and method */
    for (size_t i = 0; i < out->n_tasks; i++) {
        dm_qc_task *t = &out->tasks[i];
        dm_qc_rate *r = out->n_rates ? &out->rates[out->n_rates - 1] : NULL;
        if (!r || strcasecmp(r->org, t->org) || strcmp(r->method, t->method)) {
            dm_qc_rate *nr = dm_realloc(ctx, out->rates, (out->n_rates + 1) * sizeof *nr);
            if (!nr)
                return dm__fail(ctx, DM_ENOMEM, "out of memory");
            out->rates = nr;
            r = &nr[out->n_rates++];
            memset(r, 0, sizeof *r);
            dm__strlcpy(r->org, t->org, sizeof r->org);
            dm__strlcpy(r->method, t->method, sizeof r->method);
            r->p_default = dm__method_p_detect(strcmp(t->method, "(no method)") ? t->method : NULL);
        }
        r->tasks++;
        r->failed += t->failed;
        r->inspections += t->inspections;
        r->ha_inspected += t->ha_inspected;
        r->found += t->found;
        r->missed += t->missed;
    }
    for (size_t i = 0; i < out->n_rates; i++)
        set_rate_p(&out->rates[i]);
    return DM_OK;
}

/* Bad input, named by row and field. */
static dm_status validate(qc_data *d, const dm_qc_opts *o)
{
    for (size_t i = 0; i < d->n_a; i++) {
        act *a = &d->a[i];
        if (!a->inspects[0]) {
            if (a->qc && !a->g && date_in(a->date, o))
                return dm__fail(d->ctx, DM_EINVAL,
                                "activities row %s: field 'geom': a quality control inspection needs "
                                "its polygon, the land it inspected",
                                label_of(a));
            continue;
        }
        if (!a->qc)
            return dm__fail(d->ctx, DM_EINVAL,
                            "activities row %s: field 'inspects_id': only a quality control inspection "
                            "(activity_type qc) inspects another activity; this one is %s",
                            label_of(a), a->type[0] ? a->type : "of no type");
        if (!date_in(a->date, o))
            continue;
        act *t = act_get(d, a->inspects);
        if (!t)
            return dm__fail(d->ctx, DM_EINVAL,
                            "activities row %s: field 'inspects_id': no approved activity '%s'",
                            label_of(a), a->inspects);
        if (!t->task)
            return dm__fail(d->ctx, DM_EINVAL,
                            "activities row %s: field 'inspects_id': %s is %s %s, not a clearance or "
                            "survey (clearance, ts, bac)",
                            label_of(a), label_of(t),
                            strchr("aeiou", t->type[0] ? t->type[0] : 'x') ? "an" : "a",
                            t->type[0] ? t->type : "activity of no type");
        if (!a->g)
            return dm__fail(d->ctx, DM_EINVAL,
                            "activities row %s: field 'geom': a quality control inspection needs "
                            "its polygon, the land it inspected",
                            label_of(a));
    }
    return DM_OK;
}

dm_status dm_qc_measure(dm_store *s, const dm_qc_opts *o, dm_qc_result *out)
{
    memset(out, 0, sizeof *out);
    qc_data d = {0};
    d.ctx = dm_store_ctx(s);
    /* most databases hold no inspection: one look, no more */
    dm_select sel = {0};
    const char *f[] = {"activity_type"}, *v[] = {"qc"};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    long n = 0;
    dm_status st = dm_store_count(s, "activities", &sel, &n);
    if (st || !n)
        return st;
    size_t n_qc = 0;
    st = read_activities(s, &d, &n_qc);
    d.bbox[0] = d.bbox[1] = INFINITY;
    d.bbox[2] = d.bbox[3] = -INFINITY;
    for (size_t i = 0; i < d.n_a; i++) {
        double b[4];
        if (d.a[i].qc && d.a[i].g && dm_geom_bounds(d.a[i].g, b)) {
            d.bbox[0] = fmin(d.bbox[0], b[0]), d.bbox[1] = fmin(d.bbox[1], b[1]);
            d.bbox[2] = fmax(d.bbox[2], b[2]), d.bbox[3] = fmax(d.bbox[3], b[3]);
        }
    }
    if (!st)
        st = validate(&d, o);
    if (!st && isfinite(d.bbox[0])) {
        st = read_task_geoms(s, &d);
        if (!st)
            st = read_released(s, &d);
        if (!st)
            st = read_items(s, &d);
    }
    if (!st)
        st = measure(&d, o, out);
    data_free(&d);
    if (st)
        dm_qc_result_free(dm_store_ctx(s), out);
    return st;
}

void dm_qc_result_free(dm_ctx *ctx, dm_qc_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->rates);
    dm_free(ctx, r->tasks);
    memset(r, 0, sizeof *r);
}

const dm_qc_rate *dm_qc_rate_find(const dm_qc_result *r, const char *org, const char *method)
{
    if (!r || !org || !method)
        return NULL;
    for (size_t i = 0; i < r->n_rates; i++)
        if (!strcasecmp(r->rates[i].org, org) && !strcmp(r->rates[i].method, method))
            return &r->rates[i];
    return NULL;
}

dm_status dm_qc_json(dm_ctx *ctx, const dm_qc_result *r, char **json)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "{\"inspections\":%zu,\"unattributed\":%zu,\"items_outside\":", r->inspections,
                   r->unattributed);
    dm__buf_json_num(&b, r->outside);
    dm__buf_printf(&b, ",\"prior_items\":%g,\"rates\":[", DM_QC_PRIOR_ITEMS);
    for (size_t i = 0; i < r->n_rates; i++) {
        const dm_qc_rate *q = &r->rates[i];
        dm__buf_puts(&b, i ? ",{\"organisation\":" : "{\"organisation\":");
        dm__buf_json_str(&b, q->org);
        dm__buf_puts(&b, ",\"method\":");
        dm__buf_json_str(&b, q->method);
        dm__buf_printf(&b, ",\"tasks\":%d,\"failed\":%d,\"inspections\":%d,\"ha_inspected\":", q->tasks,
                       q->failed, q->inspections);
        dm__buf_json_num(&b, q->ha_inspected);
        dm__buf_puts(&b, ",\"found\":");
        dm__buf_json_num(&b, q->found);
        dm__buf_puts(&b, ",\"missed\":");
        dm__buf_json_num(&b, q->missed);
        dm__buf_puts(&b, ",\"p_default\":");
        dm__buf_json_num(&b, q->p_default);
        dm__buf_puts(&b, ",\"prior_items\":");
        dm__buf_json_num(&b, q->prior_items);
        dm__buf_puts(&b, ",\"p\":");
        dm__buf_json_num(&b, q->p);
        dm__buf_puts(&b, ",\"p_lo\":");
        dm__buf_json_num(&b, q->p_lo);
        dm__buf_puts(&b, ",\"p_hi\":");
        dm__buf_json_num(&b, q->p_hi);
        dm__buf_puts(&b, "}");
    }
    dm__buf_puts(&b, "],\"tasks\":[");
    for (size_t i = 0; i < r->n_tasks; i++) {
        const dm_qc_task *t = &r->tasks[i];
        dm__buf_puts(&b, i ? ",{\"uuid\":" : "{\"uuid\":");
        dm__buf_json_str(&b, t->uuid);
        dm__buf_puts(&b, ",\"ref\":");
        if (t->ref[0])
            dm__buf_json_str(&b, t->ref);
        else
            dm__buf_puts(&b, "null");
        dm__buf_puts(&b, ",\"organisation\":");
        dm__buf_json_str(&b, t->org);
        dm__buf_puts(&b, ",\"method\":");
        dm__buf_json_str(&b, t->method);
        dm__buf_printf(&b, ",\"inspections\":%d,\"ha_inspected\":", t->inspections);
        dm__buf_json_num(&b, t->ha_inspected);
        dm__buf_puts(&b, ",\"found\":");
        dm__buf_json_num(&b, t->found);
        dm__buf_puts(&b, ",\"missed\":");
        dm__buf_json_num(&b, t->missed);
        dm__buf_printf(&b, ",\"failed\":%s}", t->failed ? "true" : "false");
    }
    dm__buf_puts(&b, "]}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    char *s = dm__buf_take(&b);
    *json = dm_strdup(ctx, s);
    free(s);
    return *json ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}

/* ---- the risk map's use of the rates ---- */

dm_status dm_qc_rates_for_map(dm_store *s, const char *until, dm_qc_result *out)
{
    memset(out, 0, sizeof *out);
    dm_qc_opts o = {0};
    o.to = until;
    dm_status st = dm_qc_measure(s, &o, out);
    if (st) {
        dm_ctx *ctx = dm_store_ctx(s);
        dm__log(ctx, DM_LOG_WARN,
                "quality control: %s; the risk map uses the methods' default detection probabilities "
                "(demine qc %s says more)",
                dm_ctx_errmsg(ctx), dm_store_path(s));
        dm_ctx_clear_error(ctx);
        memset(out, 0, sizeof *out);
    }
    return DM_OK;
}
