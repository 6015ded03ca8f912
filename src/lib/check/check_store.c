/* SPDX-License-Identifier: MIT
 *
 * check_store.c -- checking a whole database: every row's geometry, dates
 * and values (numbers, ranges, enumerations written by other tools), duplicates in every layer, overlapping hazards, items outside their
 * hazard, activities lying mostly outside their hazards, activities and finds
 * with out-of-order dates, recorded areas that disagree with the polygons or are missing,
 * required fields left empty and references to rows that do not exist (a
 * victim whose accident was deleted by another tool).
 */
#include "check_internal.h"
#include "demine/dm_qc.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hazard_geom {
    char uuid[37];
    dm_geom *g;
    /* open without remaining_area_ha: its estimate (or polygon) and the
     * land released from it (check_remaining) */
    int no_remaining;
    int open;      /* open or partly released (or without a status) */
    double rem_ha; /* its remaining_area_ha (NAN: none) */
    double est_ha, released_ha;
    char label[64];
} hazard_geom;

typedef struct activity_dates {
    char uuid[37];
    char start[11], end[11];
} activity_dates;

static int cmp_uuid(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* Every row's uuid, per layer (in dm_layer_at order), and the references
 * read, resolved once every layer has been read. */
typedef struct uuid_set {
    char (*v)[37];
    size_t n, cap;
} uuid_set;

typedef struct pending_ref {
    const dm_layer_def *layer; /* the row's */
    const dm_field_def *field;
    char uuid[37], ref[64];
    char value[80];
} pending_ref;

typedef struct ref_state {
    uuid_set *sets; /* dm_layer_count() of them */
    pending_ref *refs;
    size_t n_refs, cap_refs;
} ref_state;

static void uuid_push(uuid_set *u, const char *uuid)
{
    if (u->n == u->cap) {
        size_t nc = u->cap ? 2 * u->cap : 256;
        char(*d)[37] = realloc(u->v, nc * sizeof *d);
        if (!d)
            return;
        u->v = d, u->cap = nc;
    }
    dm__strlcpy(u->v[u->n++], uuid, 37);
}

static void ref_push(ref_state *rs, const dm_layer_def *l, const dm_field_def *f, const char *uuid,
                     const char *ref, const char *value)
{
    if (rs->n_refs == rs->cap_refs) {
        size_t nc = rs->cap_refs ? 2 * rs->cap_refs : 256;
        pending_ref *d = realloc(rs->refs, nc * sizeof *d);
        if (!d)
            return;
        rs->refs = d, rs->cap_refs = nc;
    }
    pending_ref *p = &rs->refs[rs->n_refs++];
    p->layer = l;
    p->field = f;
    dm__strlcpy(p->uuid, uuid, sizeof p->uuid);
    dm__strlcpy(p->ref, ref ? ref : "", sizeof p->ref);
    dm__strlcpy(p->value, value, sizeof p->value);
}

/* A reference that names no row: readers join on the uuid, so the row is
 * counted nowhere (a victim whose accident was deleted is in no year). */
static void check_dangling(dm_store *s, dm_check_report *r, ref_state *rs)
{
    dm_ctx *ctx = dm_store_ctx(s);
    for (size_t i = 0; i < dm_layer_count(); i++)
        if (rs->sets[i].n)
            qsort(rs->sets[i].v, rs->sets[i].n, sizeof *rs->sets[i].v, cmp_uuid);
    for (size_t k = 0; k < rs->n_refs; k++) {
        const pending_ref *p = &rs->refs[k];
        size_t t = 0;
        while (t < dm_layer_count() && strcmp(dm_layer_at(t)->name, p->field->ref_layer))
            t++;
        if (t == dm_layer_count())
            continue;
        uuid_set *u = &rs->sets[t];
        if (u->n && bsearch(p->value, u->v, u->n, sizeof *u->v, cmp_uuid))
            continue;
        char uuid[37];
        if (dm_store_resolve(s, p->field->ref_layer, p->value, NULL, uuid) == DM_OK)
            dm__check_add(r, DM_CHECK_ERROR, "dangling_ref", p->layer->name, p->uuid, p->ref, NAN, NAN,
                          "field '%s': '%s' is not the uuid of a row of %s (it names %s): rows are "
                          "joined by uuid, so this link is not followed",
                          p->field->name, p->value, p->field->ref_layer, uuid);
        else {
            /* deleted (in QGIS, or by demine): the change log still holds it */
            char was[64];
            int deleted = 0;
            dm_ctx_clear_error(ctx);
            if (p->layer->flags & DM_LAYER_SYSTEM)
                /* the plan's task of a hazard gone: the next plan has none */
                dm__check_add(r, DM_CHECK_WARNING, "dangling_ref", p->layer->name, p->uuid, p->ref, NAN, NAN,
                              "field '%s': no row of %s has the uuid '%s' (deleted since the plan was made; "
                              "the next `demine plan` leaves it out)",
                              p->field->name, p->field->ref_layer, p->value);
            else if (dm_store_log_state(s, p->value, was, &deleted) == DM_OK && deleted)
                dm__check_add(r, DM_CHECK_ERROR, "dangling_ref", p->layer->name, p->uuid, p->ref, NAN, NAN,
                              "field '%s': the row of %s it names was deleted; `demine restore DB %s --reason R` "
                              "puts it back (`demine show` of it says when and by whom)",
                              p->field->name, p->field->ref_layer, p->value);
            else
                dm__check_add(r, DM_CHECK_ERROR, "dangling_ref", p->layer->name, p->uuid, p->ref, NAN, NAN,
                              "field '%s': no row of %s has the uuid '%s' (deleted?)", p->field->name,
                              p->field->ref_layer, p->value);
        }
        dm_ctx_clear_error(ctx);
    }
}

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
static dm_status check_layer(dm_store *s, const dm_layer_def *l, uuid_set *own, ref_state *rs,
                             dm_check_report *r, hazard_geom **hz, size_t *n_hz, activity_dates **acts,
                             size_t *n_acts)
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
    /* a row without a ref is labelled by its name, unless the name is
     * personal data (a victim's): then by a short uuid, so that no output of
     * check (a log pasted anywhere) names a person */
    const dm_field_def *name_f = dm_field_find(l, "name");
    int name_personal = name_f && dm_field_is_personal(l, name_f);
    char short_id[9];
    int rc;
    long done = 0;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        const char *ref = dm_cursor_text(c, "ref");
        if (!ref && name_personal) {
            dm__strlcpy(short_id, uuid ? uuid : "", sizeof short_id);
            ref = short_id;
        } else if (!ref)
            ref = dm_cursor_text(c, "name");
        r->rows_checked++;
        uuid_push(own, uuid);
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
            const char *tv = dm_cursor_text(c, f->name);
            int empty = !tv || !tv[strspn(tv, " \t")];
            if ((f->flags & DM_FIELD_REQUIRED) && empty)
                dm__check_add(r, DM_CHECK_ERROR, "missing_value", l->name, uuid, ref, NAN, NAN,
                              "field '%s' is required but empty", f->name);
            if (f->type == DM_FT_REF && f->ref_layer && !empty)
                ref_push(rs, l, f, uuid, ref, tv);
            char norm[256];
            if (v && *v && dm_field_normalise(ctx, f, v, norm, sizeof norm) != DM_OK) {
                char why[160];
                dm__check_personal_why(l, f, dm_ctx_errmsg(ctx), why, sizeof why);
                dm__check_add(r, DM_CHECK_ERROR, "bad_value", l->name, uuid, ref, NAN, NAN, "field '%s': %s",
                              f->name, why);
                dm_ctx_clear_error(ctx);
            } else if (v && *v && (f->type == DM_FT_ENUM || f->type == DM_FT_ENUMSET) && strcmp(norm, v)) {
                /* a value of the list in another case or spacing ('Closed',
                 * 'open '), as another program writes it: demine reads
                 * lists as it writes them, so the statistics, the plan and
                 * the danger zones would count it apart or not at all */
                dm__check_add(r, f->type == DM_FT_ENUM ? DM_CHECK_ERROR : DM_CHECK_WARNING, "bad_value", l->name,
                              uuid, ref, NAN, NAN,
                              "field '%s': '%s' must be written '%s' (demine reads the list's values as they are "
                              "written there)",
                              f->name, v, norm);
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
        if (dm__cursor_geom_unnamed(c, &g) != DM_OK) {
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
            dm__check_area(r, l->name, uuid, ref, fname, rec, ha, NULL);
            double rem = dm_cursor_real(c, "remaining_area_ha", NAN);
            /* demine measures the polygon of a row it adds; one drawn in
             * QGIS comes without (SQLite alone cannot measure it) */
            if (!isfinite(rec) && ha > 0) {
                const char *st0 = is_hazards ? dm_cursor_text(c, "status") : NULL;
                int open = st0 && (!strcmp(st0, "open") || !strcmp(st0, "partly_released"));
                char also[80] = "";
                if (open && !isfinite(rem))
                    snprintf(also, sizeof also, " remaining_area_ha=%.2f", ha);
                dm__check_add(r, DM_CHECK_WARNING, "area_missing", l->name, uuid, ref, NAN, NAN,
                              "%s is empty%s (added outside demine?): statistics and the plan take the "
                              "polygon's %.2f ha; give it with `demine edit DB %s %s=%.2f%s`",
                              fname, also[0] ? ", and so is remaining_area_ha" : "", ha, own_ref && own_ref[0] ? own_ref : uuid,
                              fname, ha, also);
            }
            if (is_hazards && isfinite(rem) && isfinite(rec) && rem > rec * 1.01 + 0.01)
                dm__check_add(r, DM_CHECK_WARNING, "area_mismatch", l->name, uuid, ref, NAN, NAN,
                              "remaining_area_ha %.2f exceeds est_area_ha %.2f", rem, rec);
            /* the area a status leaves, as `demine status` sets it: a status
             * changed by another program (QGIS) leaves the area as it was */
            const char *hs = is_hazards ? dm_cursor_text(c, "status") : NULL;
            if (hs && (!strcmp(hs, "closed") || !strcmp(hs, "handed_over")) && isfinite(rem) && rem > 0)
                dm__check_add(r, DM_CHECK_ERROR, "status_area", l->name, uuid, ref, NAN, NAN,
                              "status %s but remaining_area_ha %.2f: a %s hazard has no land left to release (the "
                              "statistics count it as remaining); set remaining_area_ha to 0, or the status back",
                              hs, rem, hs);
            else if (hs && (!strcmp(hs, "open") || !strcmp(hs, "partly_released")) && isfinite(rem) && rem <= 0)
                dm__check_add(r, DM_CHECK_WARNING, "status_area", l->name, uuid, ref, NAN, NAN,
                              "status %s but remaining_area_ha 0: the plan leaves it out; give the land left to "
                              "release, or close it",
                              hs);
        }
        /* one polygon in a layer of multipolygons (GDAL and scripts write it
         * so): readers take it, but a FlatGeobuf or Shapefile export is
         * typed by the layer */
        if (l->geom_type && !strcmp(l->geom_type, "MULTIPOLYGON") && dm_geom_type_of(g) == DM_GEOM_POLYGON)
            dm__check_add(r, DM_CHECK_WARNING, "geometry_type", l->name, uuid, ref, NAN, NAN,
                          "a POLYGON in a layer of MULTIPOLYGONs (written by another program); `demine edit` "
                          "with --wkt, or an export, writes it as a MULTIPOLYGON");
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
                if (!d) {
                    dm_geom_free(g);
                    dm_cursor_free(c);
                    return dm__fail(ctx, DM_ENOMEM, "out of memory");
                }
                *hz = d;
            }
            hazard_geom *h = &(*hz)[*n_hz];
            memset(h, 0, sizeof *h);
            dm__strlcpy(h->uuid, uuid, 37);
            dm_geom_clone(ctx, g, &h->g);
            const char *hs = dm_cursor_text(c, "status");
            h->open = !hs || !strcmp(hs, "open") || !strcmp(hs, "partly_released");
            h->rem_ha = dm_cursor_real(c, "remaining_area_ha", NAN);
            h->no_remaining = h->open && !isfinite(h->rem_ha);
            h->est_ha = dm_cursor_real(c, "est_area_ha", NAN);
            if (!isfinite(h->est_ha))
                h->est_ha = ha;
            dm__strlcpy(h->label, own_ref && own_ref[0] ? own_ref : uuid, sizeof h->label);
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

typedef struct act_link {
    char act[37], hz[37];
} act_link;

static int cmp_link(const void *a, const void *b) { return strcmp(((const act_link *)a)->act, ((const act_link *)b)->act); }

/* An activity with a main hazard (hazard_id) should lie in the hazards it
 * worked on (that one and its activity_hazards links): one mostly outside them was drawn in the
 * wrong place or linked to the wrong hazard, and its land counts against a
 * hazard it did not touch. Hazards must be sorted by uuid. */
static dm_status check_activities(dm_store *s, dm_check_report *r, hazard_geom *hz, size_t n_hz)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (!n_hz)
        return DM_OK;
    act_link *links = NULL;
    size_t n_links = 0, cap = 0;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activity_hazards", NULL, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *a = dm_cursor_text(c, "activity_id"), *h = dm_cursor_text(c, "hazard_id");
        if (!a || !h)
            continue;
        if (n_links == cap) {
            size_t nc = cap ? 2 * cap : 64;
            act_link *d = realloc(links, nc * sizeof *d);
            if (!d)
                break;
            links = d, cap = nc;
        }
        dm__strlcpy(links[n_links].act, a, 37);
        dm__strlcpy(links[n_links].hz, h, 37);
        n_links++;
    }
    dm_cursor_free(c);
    if (rc < 0) {
        free(links);
        return dm_ctx_errcode(ctx);
    }
    if (n_links)
        qsort(links, n_links, sizeof *links, cmp_link);
    if ((st = dm_store_select(s, "activities", NULL, &c))) {
        free(links);
        return st;
    }
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        const char *main_hz = dm_cursor_text(c, "hazard_id");
        /* only an activity with a main hazard is held to it: one linked only
         * to hazards it touched (a battle area clearance across a strike
         * area) may lie mostly outside them */
        if (!main_hz || !*main_hz)
            continue;
        /* the hazards it worked on: its own and its links */
        const char *ids[64];
        size_t n_ids = 0;
        if (main_hz && *main_hz)
            ids[n_ids++] = main_hz;
        act_link key;
        dm__strlcpy(key.act, uuid, sizeof key.act);
        act_link *lk = n_links ? bsearch(&key, links, n_links, sizeof *links, cmp_link) : NULL;
        while (lk && lk > links && !strcmp(lk[-1].act, uuid))
            lk--;
        for (; lk && lk < links + n_links && !strcmp(lk->act, uuid) && n_ids < 64; lk++)
            if (!main_hz || strcmp(lk->hz, main_hz))
                ids[n_ids++] = lk->hz;
        if (!n_ids)
            continue;
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) != DM_OK || !g) {
            dm_ctx_clear_error(ctx);
            continue;
        }
        double area = dm_geom_area(g), inside = 0;
        int known = 0;
        for (size_t i = 0; i < n_ids; i++) {
            hazard_geom *h = bsearch(ids[i], hz, n_hz, sizeof *hz, cmp_uuid);
            if (!h || !h->g)
                continue; /* a dangling link: reported as such */
            known = 1;
            if (!dm_geom_intersects(g, h->g))
                continue;
            dm_geom *in = NULL;
            if (dm_geom_intersection(ctx, g, h->g, &in) == DM_OK)
                inside += dm_geom_area(in);
            dm_ctx_clear_error(ctx);
            dm_geom_free(in);
        }
        double ha = 0;
        dm_geom_area_ha(ctx, g, &ha);
        double share = area > 0 ? inside / area : 1;
        if (share > 1)
            share = 1; /* hazards that overlap each other */
        if (known && area > 0 && share < 0.5 && ha * (1 - share) >= 0.01) {
            double x = NAN, y = NAN;
            dm_geom_centroid_xy(g, &x, &y);
            const char *ref = dm_cursor_text(c, "ref");
            dm__check_add(r, DM_CHECK_WARNING, "activity_outside_hazard", "activities", uuid, ref, x, y,
                          "%.0f%% of its %.2f ha lies outside the hazard%s it worked on (%s%s): drawn in "
                          "the wrong place or linked to the wrong hazard?",
                          100 * (1 - share), ha, n_ids > 1 ? "s" : "", ids[0], n_ids > 1 ? ", ..." : "");
        }
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    free(links);
    return rc < 0 ? dm_ctx_errcode(ctx) : DM_OK;
}

/* An open hazard without remaining_area_ha that land was released from
 * (release_areas naming it: imported after their hazards, which they do
 * not change): the statistics and the plan take its estimate less that
 * land (dm_hazards_released), but the field stays empty (the web map,
 * exports) until `demine status DB --settle` records it. hz sorted by uuid. */
static dm_status check_remaining(dm_store *s, dm_check_report *r, hazard_geom *hz, size_t n_hz)
{
    size_t any = 0;
    for (size_t i = 0; i < n_hz; i++)
        any += hz[i].open;
    if (!any)
        return DM_OK;
    dm_hazard_released *rel = NULL;
    size_t n_rel = 0;
    dm_status st = dm_hazards_released(s, &rel, &n_rel);
    if (st)
        return st;
    for (size_t i = 0; i < n_hz; i++) {
        hazard_geom *h = &hz[i];
        const dm_hazard_released *f = h->open ? dm_hazard_released_find(rel, n_rel, h->uuid) : NULL;
        if (f)
            h->released_ha = f->ha;
    }
    dm_free(dm_store_ctx(s), rel);
    for (size_t i = 0; i < n_hz; i++) {
        hazard_geom *h = &hz[i];
        /* a remaining area recorded before the land released from it (an
         * export's Remaining Area left as the estimate): the plan and the
         * statistics take it as it is, the released land apart, and the
         * two add up to more than the hazard (beyond rounding, as edit
         * compares remaining and estimate) */
        if (h->open && isfinite(h->rem_ha) && h->released_ha >= 0.01 && isfinite(h->est_ha) &&
            h->rem_ha + h->released_ha > h->est_ha * 1.01 + 0.01) {
            double left = h->est_ha - h->released_ha;
            left = left > 0 ? round(left * 100) / 100 : 0;
            dm__check_add(r, DM_CHECK_WARNING, "remaining_stale", "hazards", h->uuid, h->label, NAN, NAN,
                          "remaining_area_ha %.2f and the %.2f ha released from it (release_areas) add up to more "
                          "than its estimate of %.2f ha: the remaining area was recorded before that release (an "
                          "export's remaining area never updated?), and the plan still takes %.2f ha to release; "
                          "if the release areas are the later record, empty it (`demine edit DB %s "
                          "remaining_area_ha=`; in a migration, import the hazards without it) and `demine status "
                          "DB --settle` records %.2f ha",
                          h->rem_ha, h->released_ha, h->est_ha, h->rem_ha, h->label, left);
            continue;
        }
        if (!h->no_remaining || !(h->released_ha >= 0.01) || !isfinite(h->est_ha))
            continue;
        double left = h->est_ha - h->released_ha;
        left = left > 0 ? round(left * 100) / 100 : 0;
        char then[128];
        if (left > 0)
            snprintf(then, sizeof then, " and `demine status` partly_released");
        else
            snprintf(then, sizeof then, "; nothing is left: close it with `demine status DB %.60s closed`", h->label);
        dm__check_add(r, DM_CHECK_WARNING, "remaining_missing", "hazards", h->uuid, h->label, NAN, NAN,
                      "%.2f ha were released from it (release_areas) but it has no remaining_area_ha: the "
                      "statistics and the plan take its %.2f ha less that land; record what is left, for "
                      "every such hazard at once with `demine status DB --settle` (`--dry-run` shows it "
                      "first), or for this one with `demine edit DB %s remaining_area_ha=%.2f`%s",
                      h->released_ha, h->est_ha, h->label, left, then);
    }
    return DM_OK;
}

/* Quality control inspections demine qc cannot measure (the first row at
 * fault, named), and those that measure nothing: overlapping no released
 * land and naming no task, or with items found outside the land inspected. */
static void check_qc(dm_store *s, dm_check_report *r)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_qc_result q;
    if (dm_qc_measure(s, NULL, &q) != DM_OK) {
        dm__check_add(r, DM_CHECK_ERROR, "qc_inspection", "activities", NULL, NULL, NAN, NAN,
                      "quality control: %s (demine qc and the risk map's measured detection rates need it "
                      "mended)",
                      dm_ctx_errmsg(ctx));
        dm_ctx_clear_error(ctx);
        return;
    }
    if (q.unattributed)
        dm__check_add(r, DM_CHECK_WARNING, "qc_unattributed", "activities", NULL, q.first_unattributed, NAN, NAN,
                      "%zu quality control inspection%s (%s%s) overlap%s no cleared or reduced land and name%s "
                      "no task (inspects_id): %s nothing",
                      q.unattributed, q.unattributed == 1 ? "" : "s", q.first_unattributed,
                      q.unattributed > 1 ? ", ..." : "", q.unattributed == 1 ? "s" : "",
                      q.unattributed == 1 ? "s" : "", q.unattributed == 1 ? "it measures" : "they measure");
    if (q.outside > 0)
        dm__check_add(r, DM_CHECK_WARNING, "qc_items_outside", "items", NULL, NULL, NAN, NAN,
                      "%.0f item%s found by quality control inspections lie%s outside the land they inspected: "
                      "not counted as missed (placed wrong, or the inspection's polygon is short?)",
                      q.outside, q.outside == 1 ? "" : "s", q.outside == 1 ? "s" : "");
    dm_qc_result_free(ctx, &q);
}

dm_status dm_check_store(dm_store *s, dm_check_report *out)
{
    memset(out, 0, sizeof *out);
    hazard_geom *hz = NULL;
    activity_dates *acts = NULL;
    size_t n_hz = 0, n_acts = 0;
    dm_status st = DM_OK;
    ref_state rs = {0};
    rs.sets = calloc(dm_layer_count(), sizeof *rs.sets);
    if (!rs.sets)
        return dm__fail(dm_store_ctx(s), DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < dm_layer_count() && !st; i++)
        st = check_layer(s, dm_layer_at(i), &rs.sets[i], &rs, out, &hz, &n_hz, &acts, &n_acts);
    if (!st)
        check_dangling(s, out, &rs);
    for (size_t i = 0; i < dm_layer_count(); i++)
        free(rs.sets[i].v);
    free(rs.sets);
    free(rs.refs);
    if (!st) {
        if (n_hz)
            qsort(hz, n_hz, sizeof *hz, cmp_uuid);
        if (n_acts)
            qsort(acts, n_acts, sizeof *acts, cmp_uuid);
        st = check_items(s, out, hz, n_hz, acts, n_acts);
    }
    if (!st)
        st = check_activities(s, out, hz, n_hz);
    if (!st)
        st = check_remaining(s, out, hz, n_hz);
    if (!st)
        check_qc(s, out);
    for (size_t i = 0; i < n_hz; i++)
        dm_geom_free(hz[i].g);
    free(hz);
    free(acts);
    if (st)
        dm_check_report_free(dm_store_ctx(s), out);
    return st;
}
