/* SPDX-License-Identifier: MIT
 *
 * evidence_store.c -- gathering risk evidence from a demine database through
 * the public cursor API: features by class, hazards and records weighted
 * by their reliability, mines predicted by pattern reconstruction, items,
 * accidents, events, released land (negative evidence by method), and the
 * sensor evidence the sensors module derives (detections and footprints,
 * class-aware). Cleared land of an organisation whose method quality
 * control measured (dm_qc.h) takes the measured detection probability.
 * Truth layers of the demo are never read.
 */
#include "core/dm_internal.h"
#include "demine/dm_evidence.h"
#include "demine/dm_qc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double dm__method_p_detect(const char *methods);

static void date_of(dm_cursor *c, const char *field, char out[11])
{
    const char *d = field ? dm_cursor_text(c, field) : NULL;
    out[0] = '\0';
    if (d && !dm_date_parse(d, out))
        out[0] = '\0';
}

/* A row function fills e from the cursor's row; its texts may point into the
 * row (valid until the next row: dm_evidence_add copies them) or into tx. */
typedef struct row_text {
    char ordnance[DM_EV_ORDNANCE_MAX + 1], cls[DM_EV_CLS_MAX + 1], group[DM_EV_GROUP_MAX + 1];
} row_text;

typedef dm_status (*row_fn)(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *user);

static dm_status gather(dm_ctx *ctx, dm_store *s, const char *layer, const dm_evidence_opts *o,
                        dm_ev_kind kind, row_fn fn, void *user, dm_evidence_set *out)
{
    if (o && o->kinds_mask && strcmp(layer, "events") && !(o->kinds_mask & (1u << kind)))
        return DM_OK;
    const dm_layer_def *l = dm_layer_find(layer);
    dm_select sel = {0};
    sel.until = o ? o->until : NULL;
    sel.reviewed = 1; /* finds and released land of reports not approved are no evidence */
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    if (st)
        return st;
    int r;
    long row = 0;
    while ((r = dm_cursor_next(c)) == 1) {
        row++;
        dm_evidence e;
        row_text tx;
        memset(&e, 0, sizeof e);
        memset(&tx, 0, sizeof tx);
        e.kind = kind;
        e.code = -1;
        e.weight = 1.0;
        e.value = 1.0;
        e.uuid = dm_cursor_uuid(c);
        date_of(c, l->date_field, e.date);
        if (o && o->from && e.date[0] && strcmp(e.date, o->from) < 0)
            continue;
        int keep = 1;
        if (fn) {
            st = fn(ctx, c, &e, &tx, user);
            if (st == DM_ECONFLICT) { /* the row is not evidence (e.g. a draft) */
                st = DM_OK;
                keep = 0;
            }
            if (st)
                break;
        }
        if (!keep)
            continue;
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            break;
        if (!g)
            continue;
        st = dm_evidence_add(ctx, out, &e, g);
        dm_geom_free(g);
        if (st) {
            dm__wrap(ctx, "%s row %s", layer, dm_cursor_uuid(c));
            break;
        }
    }
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

static dm_status feature_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    const char *cls = dm_cursor_text(c, "class");
    dm__strlcpy(tx->cls, cls ? cls : "other", sizeof tx->cls);
    e->cls = tx->cls;
    return DM_OK;
}

static dm_status hazard_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    const char *st = dm_cursor_text(c, "status");
    if (st && (!strcmp(st, "closed") || !strcmp(st, "handed_over")))
        return DM_ECONFLICT; /* released: the release areas say what was found */
    double rel = dm_cursor_real(c, "reliability", NAN);
    e->weight = isfinite(rel) ? (7.0 - rel) / 6.0 : 0.5;
    const char *t = dm_cursor_text(c, "hazard_type");
    if (t && !strcmp(t, "CHA"))
        e->weight = fmin(1.0, e->weight + 0.25);
    e->ordnance = dm_cursor_text(c, "ordnance");
    return DM_OK;
}

static dm_status record_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    e->weight = dm_cursor_real(c, "reliability", 0.5);
    double n = dm_cursor_real(c, "mines_at", 0) + dm_cursor_real(c, "mines_ap", 0);
    e->value = n > 0 ? n : 1.0;
    return DM_OK;
}

static dm_status item_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    e->ordnance = dm_cursor_text(c, "category");
    e->value = dm_cursor_real(c, "quantity", 1.0);
    return DM_OK;
}

static dm_status accident_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    e->ordnance = dm_cursor_text(c, "ordnance");
    return DM_OK;
}

static dm_status event_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    int k = dm_ev_kind_parse(dm_cursor_text(c, "kind"));
    const dm_evidence_opts *o = u;
    e->kind = k >= 0 ? (dm_ev_kind)k : DM_EV_REPORT;
    if (o && o->kinds_mask && !(o->kinds_mask & (1u << e->kind)))
        return DM_ECONFLICT;
    e->code = (int)dm_cursor_real(c, "code", -1);
    if (o && o->n_codes) {
        size_t i = 0;
        while (i < o->n_codes && o->codes[i] != e->code)
            i++;
        if (i == o->n_codes)
            return DM_ECONFLICT;
    }
    e->ordnance = dm_cursor_text(c, "ordnance");
    e->group = dm_cursor_text(c, "municipality");
    return DM_OK;
}

/* The detection probabilities quality control measured, and the
 * organisation, method and type of each activity, to look them up by a
 * release area's activity_id (only when the database holds inspections). */
typedef struct qc_act {
    char uuid[37], org[128], method[96];
    int qc;
} qc_act;

typedef struct qc_lookup {
    dm_qc_result rates;
    qc_act *a;
    size_t n;
} qc_lookup;

static int cmp_qc_act(const void *x, const void *y)
{
    return strcmp(((const qc_act *)x)->uuid, ((const qc_act *)y)->uuid);
}

static const qc_act *qc_act_get(const qc_lookup *q, const char *uuid)
{
    if (!q || !q->n || !uuid)
        return NULL;
    qc_act key;
    dm__strlcpy(key.uuid, uuid, sizeof key.uuid);
    return bsearch(&key, q->a, q->n, sizeof *q->a, cmp_qc_act);
}

static dm_status qc_lookup_read(dm_ctx *ctx, dm_store *s, const char *until, qc_lookup *q)
{
    memset(q, 0, sizeof *q);
    dm_select sel = {0};
    const char *f[] = {"activity_type"}, *v[] = {"qc"};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    long n = 0;
    dm_status st = dm_store_count(s, "activities", &sel, &n);
    if (st || !n)
        return st; /* no inspection: the defaults, and no table */
    if ((st = dm_qc_rates_for_map(s, until, &q->rates)))
        return st;
    dm_cursor *c = NULL;
    if ((st = dm_store_select(s, "activities", NULL, &c)))
        return st;
    size_t cap = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        qc_act *na = dm__grow(ctx, q->a, &cap, q->n, sizeof *na, 64);
        if (!na) {
            st = DM_ENOMEM;
            break;
        }
        q->a = na;
        qc_act *a = &q->a[q->n++];
        const char *t = dm_cursor_text(c, "activity_type"), *o = dm_cursor_text(c, "organisation"),
                   *m = dm_cursor_text(c, "method");
        dm__strlcpy(a->uuid, dm_cursor_uuid(c), sizeof a->uuid);
        dm__strlcpy(a->org, o ? o : "(no organisation)", sizeof a->org);
        dm__strlcpy(a->method, m ? m : "(no method)", sizeof a->method);
        a->qc = t && !strcmp(t, "qc");
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (!st && q->n)
        qsort(q->a, q->n, sizeof *q->a, cmp_qc_act);
    return st;
}

static void qc_lookup_free(dm_ctx *ctx, qc_lookup *q)
{
    dm_qc_result_free(ctx, &q->rates);
    dm_free(ctx, q->a);
    memset(q, 0, sizeof *q);
}

/* The measured p of org's method m, else the default p. */
static double qc_p(const qc_lookup *q, const char *org, const char *m, double p)
{
    const dm_qc_rate *r = q ? dm_qc_rate_find(&q->rates, org ? org : "(no organisation)", m ? m : "(no method)")
                            : NULL;
    return r ? r->p : p;
}

static dm_status release_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    const qc_lookup *q = u;
    const char *m = dm_cursor_text(c, "method"), *out = dm_cursor_text(c, "outcome");
    const qc_act *a = qc_act_get(q, dm_cursor_text(c, "activity_id"));
    if (a && a->qc)
        return DM_ECONFLICT; /* an inspection releases nothing: its task did */
    e->cls = m;
    double p = dm__method_p_detect(m);
    if (out && !strcmp(out, "cancelled"))
        p *= 0.5; /* cancelled by non-technical survey: no physical search */
    else if (a) /* searched: as well as quality control measured the organisation's method */
        p = qc_p(q, a->org, m ? m : a->method, p);
    e->p_detect = p;
    return DM_OK;
}

static dm_status activity_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    const char *type = dm_cursor_text(c, "activity_type"), *st = dm_cursor_text(c, "status");
    if (!type || (strcmp(type, "clearance") && strcmp(type, "ts") && strcmp(type, "bac")) ||
        !dm_cursor_text(c, "end_date") || (st && strcmp(st, "approved")))
        return DM_ECONFLICT; /* only finished searches of the ground (not an inspection's) */
    const char *m = dm_cursor_text(c, "method");
    e->cls = m;
    e->p_detect = dm__method_p_detect(m);
    if (u && ((const qc_lookup *)u)->n)
        e->p_detect = qc_p(u, dm_cursor_text(c, "organisation"), m, e->p_detect);
    /* a finished clearance searched all of its ground to depth: full
     * weight (an approved field report of clearance with finds must leave
     * that ground cleaner, not riskier); the land a survey released is in
     * release_areas, and the whole area a survey worked counts at half
     * weight (parts may have been left for later) */
    e->weight = !strcmp(type, "clearance") ? 1.0 : 0.5;
    return DM_OK;
}

/* Mines predicted along rows fitted to the finds (demine patterns): record
 * evidence at a point, weighted by the probability of the prediction. */
static dm_status predicted_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, row_text *tx, void *u)
{
    e->weight = dm_cursor_real(c, "p", 0.5);
    return e->weight > 0 ? DM_OK : DM_ECONFLICT;
}

dm_status dm_evidence_read_store(dm_ctx *ctx, dm_store *s, const dm_evidence_opts *o,
                                 dm_evidence_set *out)
{
    dm_status st = gather(ctx, s, "features", o, DM_EV_FEATURE, feature_row, NULL, out);
    if (!st) st = gather(ctx, s, "hazards", o, DM_EV_HAZARD, hazard_row, NULL, out);
    if (!st) st = gather(ctx, s, "records", o, DM_EV_RECORD, record_row, NULL, out);
    if (!st) st = gather(ctx, s, "items", o, DM_EV_ITEM, item_row, NULL, out);
    if (!st) st = gather(ctx, s, "accidents", o, DM_EV_ACCIDENT, accident_row, NULL, out);
    if (!st) st = gather(ctx, s, "events", o, DM_EV_REPORT, event_row, (void *)o, out);
    qc_lookup q = {0};
    int cleared = !o || !o->kinds_mask || (o->kinds_mask & (1u << DM_EV_CLEARED));
    if (!st && cleared && !(o && o->no_qc_rates)) st = qc_lookup_read(ctx, s, o ? o->until : NULL, &q);
    if (!st) st = gather(ctx, s, "release_areas", o, DM_EV_CLEARED, release_row, &q, out);
    if (!st) st = gather(ctx, s, "activities", o, DM_EV_CLEARED, activity_row, &q, out);
    qc_lookup_free(ctx, &q);
    if (!st) st = gather(ctx, s, "predicted_mines", o, DM_EV_RECORD, predicted_row, NULL, out);
    /* Sensor evidence comes from the sensors module, which knows which
     * ordnance classes each sensor sees: a footprint lowers the odds only
     * for those, a detection raises them by its calibrated likelihood ratio. */
    if (!st && (!o || !o->kinds_mask ||
                (o->kinds_mask & ((1u << DM_EV_DETECTION) | (1u << DM_EV_CLEARED))))) {
        dm_sensor_evidence sev;
        st = dm_sensor_evidence_gather(s, o ? o->until : NULL, &sev);
        if (!st) {
            st = dm_sensor_evidence_to_set(ctx, &sev, 0, out);
            dm_sensor_evidence_free(ctx, &sev);
        }
    }
    return st;
}
