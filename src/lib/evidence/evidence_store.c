/* SPDX-License-Identifier: MIT
 *
 * evidence_store.c -- gathering risk evidence from a demine database through
 * the public cursor API: features by class, hazards and records weighted
 * by their reliability, items, accidents, events, released land (negative
 * evidence by method) and sensor detections with their sensors' rates.
 * Truth layers of the demo are never read.
 */
#include "core/dm_internal.h"
#include "demine/dm_evidence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double dm__method_p_detect(const char *methods);

typedef struct sensor_rate {
    char uuid[37];
    char category[8];
    double p_detect, fa_ha, sigma_m;
    int surface_only;
} sensor_rate;

typedef struct sensors {
    sensor_rate *v;
    size_t n, cap;
} sensors;

static dm_status sensors_add(dm_ctx *ctx, sensors *t, const sensor_rate *r)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        sensor_rate *v = dm_realloc(ctx, t->v, cap * sizeof *v);
        if (!v)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *r;
    return DM_OK;
}

/* The rate of sensor uuid for category (falls back to the sensor's own). */
static const sensor_rate *sensor_find(const sensors *t, const char *uuid, const char *cat)
{
    const sensor_rate *any = NULL;
    if (!uuid)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].uuid, uuid)) {
            if (cat && !strcmp(t->v[i].category, cat))
                return &t->v[i];
            if (!t->v[i].category[0] || !any)
                any = &t->v[i];
        }
    return any;
}

static dm_status load_sensors(dm_ctx *ctx, dm_store *s, sensors *t)
{
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "sensors", NULL, &c);
    if (st)
        return st;
    int r;
    while ((r = dm_cursor_next(c)) == 1) {
        sensor_rate x = {0};
        dm__strlcpy(x.uuid, dm_cursor_uuid(c), sizeof x.uuid);
        x.p_detect = dm_cursor_real(c, "p_detect", 0.8);
        x.fa_ha = dm_cursor_real(c, "false_alarms_ha", 1.0);
        x.sigma_m = dm_cursor_real(c, "position_error_m", 2.0);
        x.surface_only = (int)dm_cursor_real(c, "surface_only", 0);
        if ((st = sensors_add(ctx, t, &x)))
            break;
    }
    dm_cursor_free(c);
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx);
    if (st)
        return st;
    if ((st = dm_store_select(s, "sensor_rates", NULL, &c)))
        return st;
    while ((r = dm_cursor_next(c)) == 1) {
        const sensor_rate *base = sensor_find(t, dm_cursor_text(c, "sensor_id"), NULL);
        sensor_rate x = base ? *base : (sensor_rate){0};
        const char *sid = dm_cursor_text(c, "sensor_id"), *cat = dm_cursor_text(c, "category");
        dm__strlcpy(x.uuid, sid ? sid : "", sizeof x.uuid);
        dm__strlcpy(x.category, cat ? cat : "", sizeof x.category);
        x.p_detect = dm_cursor_real(c, "p_detect", base ? base->p_detect : 0.8);
        x.fa_ha = dm_cursor_real(c, "false_alarms_ha", base ? base->fa_ha : 1.0);
        if (!base)
            x.sigma_m = 2.0;
        if ((st = sensors_add(ctx, t, &x)))
            break;
    }
    dm_cursor_free(c);
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx);
    return st;
}

static void date_of(dm_cursor *c, const char *field, char out[11])
{
    const char *d = field ? dm_cursor_text(c, field) : NULL;
    out[0] = '\0';
    if (d && !dm_date_parse(d, out))
        out[0] = '\0';
}

typedef dm_status (*row_fn)(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *user);

static dm_status gather(dm_ctx *ctx, dm_store *s, const char *layer, const dm_evidence_opts *o,
                        dm_ev_kind kind, row_fn fn, void *user, dm_evidence_set *out)
{
    if (o && o->kinds_mask && strcmp(layer, "events") && !(o->kinds_mask & (1u << kind)))
        return DM_OK;
    const dm_layer_def *l = dm_layer_find(layer);
    dm_select sel = {0};
    sel.until = o ? o->until : NULL;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    if (st)
        return st;
    int r;
    long row = 0;
    while ((r = dm_cursor_next(c)) == 1) {
        row++;
        dm_evidence e;
        memset(&e, 0, sizeof e);
        e.kind = kind;
        e.code = -1;
        e.weight = 1.0;
        e.value = 1.0;
        dm__strlcpy(e.uuid, dm_cursor_uuid(c), sizeof e.uuid);
        date_of(c, l->date_field, e.date);
        if (o && o->from && e.date[0] && strcmp(e.date, o->from) < 0)
            continue;
        int keep = 1;
        if (fn) {
            st = fn(ctx, c, &e, user);
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
            dm__wrap(ctx, "%s row %s", layer, e.uuid);
            break;
        }
    }
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

static dm_status feature_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const char *cls = dm_cursor_text(c, "class");
    dm__strlcpy(e->cls, cls ? cls : "other", sizeof e->cls);
    return DM_OK;
}

static dm_status hazard_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const char *st = dm_cursor_text(c, "status");
    if (st && (!strcmp(st, "closed") || !strcmp(st, "handed_over")))
        return DM_ECONFLICT; /* released: the release areas say what was found */
    double rel = dm_cursor_real(c, "reliability", NAN);
    e->weight = isfinite(rel) ? (7.0 - rel) / 6.0 : 0.5;
    const char *t = dm_cursor_text(c, "hazard_type");
    if (t && !strcmp(t, "CHA"))
        e->weight = fmin(1.0, e->weight + 0.25);
    const char *ord = dm_cursor_text(c, "ordnance");
    dm__strlcpy(e->ordnance, ord ? ord : "", sizeof e->ordnance);
    return DM_OK;
}

static dm_status record_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    e->weight = dm_cursor_real(c, "reliability", 0.5);
    double n = dm_cursor_real(c, "mines_at", 0) + dm_cursor_real(c, "mines_ap", 0);
    e->value = n > 0 ? n : 1.0;
    return DM_OK;
}

static dm_status item_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const char *cat = dm_cursor_text(c, "category");
    dm__strlcpy(e->ordnance, cat ? cat : "", sizeof e->ordnance);
    e->value = dm_cursor_real(c, "quantity", 1.0);
    return DM_OK;
}

static dm_status accident_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const char *o = dm_cursor_text(c, "ordnance");
    dm__strlcpy(e->ordnance, o ? o : "", sizeof e->ordnance);
    return DM_OK;
}

static dm_status event_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
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
    const char *s = dm_cursor_text(c, "ordnance");
    dm__strlcpy(e->ordnance, s ? s : "", sizeof e->ordnance);
    s = dm_cursor_text(c, "municipality");
    dm__strlcpy(e->group, s ? s : "", sizeof e->group);
    return DM_OK;
}

static dm_status release_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const char *m = dm_cursor_text(c, "method"), *out = dm_cursor_text(c, "outcome");
    dm__strlcpy(e->cls, m ? m : "", sizeof e->cls);
    double p = dm__method_p_detect(m);
    if (out && !strcmp(out, "cancelled"))
        p *= 0.5; /* cancelled by non-technical survey: no physical search */
    e->p_detect = p;
    return DM_OK;
}

static dm_status detection_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const sensors *t = u;
    const char *cat = dm_cursor_text(c, "category");
    const sensor_rate *r = sensor_find(t, dm_cursor_text(c, "sensor_id"), cat);
    dm__strlcpy(e->ordnance, cat ? cat : "", sizeof e->ordnance);
    e->p_detect = r ? r->p_detect : 0.8;
    e->fa_ha = r ? r->fa_ha : 1.0;
    e->sigma_m = dm_cursor_real(c, "position_error_m", r ? r->sigma_m : 2.0);
    e->weight = dm_cursor_real(c, "confidence", 1.0);
    return DM_OK;
}

static dm_status flight_row(dm_ctx *ctx, dm_cursor *c, dm_evidence *e, void *u)
{
    const sensors *t = u;
    const sensor_rate *r = sensor_find(t, dm_cursor_text(c, "sensor_id"), NULL);
    double p = r ? r->p_detect : 0.5;
    /* a flight over land sees only what its sensor can: surface items for
     * cameras, about half of what lies in a typical minefield */
    if (!r || r->surface_only)
        p *= 0.5;
    e->p_detect = p;
    dm__strlcpy(e->cls, "drone", sizeof e->cls);
    return DM_OK;
}

dm_status dm_evidence_read_store(dm_ctx *ctx, dm_store *s, const dm_evidence_opts *o,
                                 dm_evidence_set *out)
{
    sensors t = {0};
    dm_status st = load_sensors(ctx, s, &t);
    if (!st) st = gather(ctx, s, "features", o, DM_EV_FEATURE, feature_row, NULL, out);
    if (!st) st = gather(ctx, s, "hazards", o, DM_EV_HAZARD, hazard_row, NULL, out);
    if (!st) st = gather(ctx, s, "records", o, DM_EV_RECORD, record_row, NULL, out);
    if (!st) st = gather(ctx, s, "items", o, DM_EV_ITEM, item_row, NULL, out);
    if (!st) st = gather(ctx, s, "accidents", o, DM_EV_ACCIDENT, accident_row, NULL, out);
    if (!st) st = gather(ctx, s, "events", o, DM_EV_REPORT, event_row, (void *)o, out);
    if (!st) st = gather(ctx, s, "release_areas", o, DM_EV_CLEARED, release_row, NULL, out);
    if (!st) st = gather(ctx, s, "detections", o, DM_EV_DETECTION, detection_row, &t, out);
    if (!st) st = gather(ctx, s, "flights", o, DM_EV_CLEARED, flight_row, &t, out);
    dm_free(ctx, t.v);
    return st;
}
