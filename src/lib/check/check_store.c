/* SPDX-License-Identifier: MIT
 *
 * check_store.c -- checking a whole database: every row's geometry, dates
 * and values (numbers, ranges, enumerations written by other tools), duplicates in every layer, overlapping hazards, items outside their
 * hazard, activities and finds with out-of-order dates, and recorded areas
 * that disagree with the polygons.
 */
#include "check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hazard_geom {
    char uuid[37];
    dm_geom *g;
} hazard_geom;

typedef struct activity_dates {
    char uuid[37];
    char start[11], end[11];
} activity_dates;

static int cmp_uuid(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* A row's ref and uuid, for refs used twice. */
typedef struct ref_row {
    char ref[64];
    char uuid[37];
} ref_row;

static int cmp_ref(const void *a, const void *b)
{
    const ref_row *x = a, *y = b;
    int c = strcmp(x->ref, y->ref);
    return c ? c : strcmp(x->uuid, y->uuid);
}

/* Two rows of a layer under one ref: anything that names a row by its ref
 * (an import's hazard_id, `demine status`, `show`) becomes ambiguous. */
static void check_refs(dm_check_report *r, const char *layer, ref_row *v, size_t n)
{
    if (n < 2)
        return;
    qsort(v, n, sizeof *v, cmp_ref);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !strcmp(v[j].ref, v[i].ref))
            j++;
        for (size_t k = i + 1; k < j; k++)
            dm__check_add(r, DM_CHECK_ERROR, "duplicate_ref", layer, v[k].uuid, v[k].ref, NAN, NAN,
                          "ref '%s' is also the ref of row %s (%zu rows share it): rows named "
                          "by ref become ambiguous",
                          v[k].ref, v[i].uuid, j - i);
        i = j;
    }
}

static void free_rows(dm__check_geomrow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dm_geom_free(rows[i].g);
    free(rows);
}

/* Check one layer's rows; keep hazards' geometries and activities' dates for
 * the cross-layer checks. */
static dm_status check_layer(dm_store *s, const dm_layer_def *l, dm_check_report *r,
                             hazard_geom **hz, size_t *n_hz, activity_dates **acts, size_t *n_acts)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, l->name, NULL, &c);
    if (st)
        return st;
    dm__check_geomrow *rows = NULL;
    size_t n = 0, cap = 0;
    int is_hazards = !strcmp(l->name, "hazards");
    int has_ref = dm_field_find(l, "ref") != NULL;
    ref_row *refs = NULL;
    size_t n_refs = 0, cap_refs = 0;
    int is_acts = !strcmp(l->name, "activities");
    int rc;
    long done = 0;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        const char *ref = dm_cursor_text(c, "ref");
        if (!ref)
            ref = dm_cursor_text(c, "name");
        r->rows_checked++;
        const char *own_ref = has_ref ? dm_cursor_text(c, "ref") : NULL;
        if (own_ref && *own_ref) {
            if (n_refs == cap_refs) {
                size_t nc = cap_refs ? 2 * cap_refs : 256;
                ref_row *d = realloc(refs, nc * sizeof *d);
                if (d)
                    refs = d, cap_refs = nc;
            }
            if (n_refs < cap_refs) {
                dm__strlcpy(refs[n_refs].ref, own_ref, sizeof refs[n_refs].ref);
                dm__strlcpy(refs[n_refs].uuid, uuid, sizeof refs[n_refs].uuid);
                n_refs++;
            }
        }
        for (size_t i = 0; i < l->n_fields; i++) {
            const dm_field_def *f = &l->fields[i];
            /* system layers (the plan) hold dates in the future by design */
            if (f->type == DM_FT_DATE && !(l->flags & DM_LAYER_SYSTEM))
                dm__check_date(r, l->name, uuid, ref, f->name, dm_cursor_text(c, f->name));
            /* a value written by another tool (text in a number column, a
             * probability of 1.5, an unknown status) that readers would take
             * as 0 or ignore */
            const char *v = f->type == DM_FT_INT || f->type == DM_FT_REAL ||
                                    f->type == DM_FT_ENUM || f->type == DM_FT_ENUMSET ||
                                    f->type == DM_FT_BOOL
                                ? dm_cursor_text(c, f->name)
                                : NULL;
            char norm[256];
            if (v && *v && dm_field_normalise(ctx, f, v, norm, sizeof norm) != DM_OK) {
                dm__check_add(r, DM_CHECK_ERROR, "bad_value", l->name, uuid, ref, NAN, NAN,
                              "field '%s': %s", f->name, dm_ctx_errmsg(ctx));
                dm_ctx_clear_error(ctx);
            }
        }
        if (is_acts) {
            const char *a = dm_cursor_text(c, "start_date"), *b = dm_cursor_text(c, "end_date");
            if (a && b && strcmp(a, b) > 0)
                dm__check_add(r, DM_CHECK_ERROR, "date_order", l->name, uuid, ref, NAN, NAN,
                              "ends (%s) before it starts (%s)", b, a);
            if (*n_acts % 256 == 0) {
                activity_dates *d = realloc(*acts, (*n_acts + 256) * sizeof *d);
                if (d)
                    *acts = d;
            }
            activity_dates *ad = &(*acts)[*n_acts];
            memset(ad, 0, sizeof *ad);
            dm__strlcpy(ad->uuid, uuid, sizeof ad->uuid);
            dm__strlcpy(ad->start, a ? a : "", sizeof ad->start);
            dm__strlcpy(ad->end, b ? b : "", sizeof ad->end);
            (*n_acts)++;
        }
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) != DM_OK) {
            dm__check_add(r, DM_CHECK_ERROR, "invalid_geometry", l->name, uuid, ref, NAN, NAN,
                          "the geometry cannot be read: %s", dm_ctx_errmsg(ctx));
            continue;
        }
        if (!g)
            continue;
        dm__check_geom(ctx, r, l->name, uuid, ref, g);
        double ha = 0;
        dm_geom_area_ha(ctx, g, &ha);
        if (is_hazards || !strcmp(l->name, "release_areas")) {
            const char *fname = is_hazards ? "est_area_ha" : "area_ha";
            double rec = dm_cursor_real(c, fname, NAN);
            if (isfinite(rec) && ha > 0 && fabs(rec - ha) > 0.5 && fabs(rec - ha) / ha > 0.2)
                dm__check_add(r, DM_CHECK_WARNING, "area_mismatch", l->name, uuid, ref, NAN, NAN,
                              "%s is %.2f ha but the polygon measures %.2f ha", fname, rec, ha);
            double rem = dm_cursor_real(c, "remaining_area_ha", NAN);
            if (is_hazards && isfinite(rem) && isfinite(rec) && rem > rec * 1.01 + 0.01)
                dm__check_add(r, DM_CHECK_WARNING, "area_mismatch", l->name, uuid, ref, NAN, NAN,
                              "remaining_area_ha %.2f exceeds est_area_ha %.2f", rem, rec);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            dm__check_geomrow *d = realloc(rows, cap * sizeof *d);
            if (!d) {
                dm_geom_free(g);
                break;
            }
            rows = d;
        }
        dm__check_geomrow *gr = &rows[n++];
        memset(gr, 0, sizeof *gr);
        dm__strlcpy(gr->id, uuid, sizeof gr->id);
        dm__strlcpy(gr->ref, ref ? ref : "", sizeof gr->ref);
        gr->g = g;
        gr->ha = ha;
        double b[4];
        dm_geom_bounds(g, b);
        memcpy(gr->env, b, sizeof b);
        dm_geom_type t = dm_geom_type_of(g);
        gr->is_point = t == DM_GEOM_POINT;
        if (gr->is_point) {
            const char *d = l->date_field ? dm_cursor_text(c, l->date_field) : NULL;
            const char *k = dm_cursor_text(c, "category");
            if (!k)
                k = dm_cursor_text(c, "kind");
            snprintf(gr->key, sizeof gr->key, "%s%s%s", d ? d : "", d && k ? " " : "", k ? k : "");
        }
        if (is_hazards) {
            if (*n_hz % 256 == 0) {
                hazard_geom *d = realloc(*hz, (*n_hz + 256) * sizeof *d);
                if (d)
                    *hz = d;
            }
            dm__strlcpy((*hz)[*n_hz].uuid, uuid, 37);
            (*hz)[*n_hz].g = NULL;
            dm_geom_clone(ctx, g, &(*hz)[*n_hz].g);
            (*n_hz)++;
        }
        dm__progress(ctx, "check", (uint64_t)++done, 0);
    }
    dm_cursor_free(c);
    if (rc < 0) {
        free_rows(rows, n);
        free(refs);
        return dm_ctx_errcode(ctx);
    }
    if (!(l->flags & (DM_LAYER_TRUTH | DM_LAYER_SYSTEM)))
        check_refs(r, l->name, refs, n_refs);
    free(refs);
    /* features are many and legitimately touch; duplicates only elsewhere */
    if (strcmp(l->name, "features") && !(l->flags & DM_LAYER_TRUTH))
        dm__check_pairs(ctx, r, l->name, rows, n, is_hazards);
    free_rows(rows, n);
    return DM_OK;
}

static dm_status check_items(dm_store *s, dm_check_report *r, hazard_geom *hz, size_t n_hz,
                             activity_dates *acts, size_t n_acts)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "items", NULL, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        const char *hid = dm_cursor_text(c, "hazard_id");
        if (hid && n_hz) {
            hazard_geom *h = bsearch(hid, hz, n_hz, sizeof *hz, cmp_uuid);
            dm_geom *p = NULL;
            if (h && h->g && dm_cursor_geom(c, &p) == DM_OK && p) {
                double d = dm_geom_distance(h->g, p);
                if (d > 1e-4) {
                    double x = 0, y = 0;
                    dm_geom_centroid_xy(p, &x, &y);
                    dm__check_add(r, DM_CHECK_WARNING, "item_outside_hazard", "items", uuid, NULL,
                                  x, y, "lies about %.0f m outside its hazard %s", d * 111000.0,
                                  hid);
                }
            }
            dm_geom_free(p);
        }
        const char *aid = dm_cursor_text(c, "activity_id");
        const char *found = dm_cursor_text(c, "found_date");
        if (aid && found && n_acts) {
            activity_dates *a = bsearch(aid, acts, n_acts, sizeof *acts, cmp_uuid);
            if (a && ((a->start[0] && strcmp(found, a->start) < 0) ||
                      (a->end[0] && strcmp(found, a->end) > 0)))
                dm__check_add(r, DM_CHECK_WARNING, "date_order", "items", uuid, NULL, NAN, NAN,
                              "found %s, outside its activity's dates %s..%s", found,
                              a->start[0] ? a->start : "?", a->end[0] ? a->end : "?");
        }
    }
    dm_cursor_free(c);
    return rc < 0 ? dm_ctx_errcode(ctx) : DM_OK;
}

dm_status dm_check_store(dm_store *s, dm_check_report *out)
{
    memset(out, 0, sizeof *out);
    hazard_geom *hz = NULL;
    activity_dates *acts = NULL;
    size_t n_hz = 0, n_acts = 0;
    dm_status st = DM_OK;
    for (size_t i = 0; i < dm_layer_count() && !st; i++)
        st = check_layer(s, dm_layer_at(i), out, &hz, &n_hz, &acts, &n_acts);
    if (!st) {
        if (n_hz)
            qsort(hz, n_hz, sizeof *hz, cmp_uuid);
        if (n_acts)
            qsort(acts, n_acts, sizeof *acts, cmp_uuid);
        st = check_items(s, out, hz, n_hz, acts, n_acts);
    }
    for (size_t i = 0; i < n_hz; i++)
        dm_geom_free(hz[i].g);
    free(hz);
    free(acts);
    if (st)
        dm_check_report_free(dm_store_ctx(s), out);
    return st;
}
