/* SPDX-License-Identifier: MIT
 *
 * qc_record.c -- the plots of `demine qc sample`, filled in by inspectors,
 * recorded as inspections: the plots inspected (an end_date) of each task
 * become one activity of type qc, its polygon the plots, its dates theirs,
 * in one transaction; the plots not inspected are counted and left out, so
 * that land nobody searched again never counts as inspected.
 */
#include "core/dm_internal.h"
#include "demine/dm_qc.h"

#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void dm__gdal_init(void); /* raster/raster_internal.h: GDAL's drivers, once */

typedef struct plot_group {
    char task[37], task_ref[64], hazard[37], method[64];
    char first[11], last[11];
    dm_geom **g;
    size_t n, cap, drawn;
    long items;
} plot_group;

static int field_index(OGRFeatureDefnH d, const char *name) { return OGR_FD_GetFieldIndex(d, name); }

/* Field i's text, copied into buf (OGR's own is overwritten by the next
 * call), a date field as YYYY-MM-DD; NULL when empty. */
static const char *field_text(OGRFeatureH f, int i, char *buf, size_t n)
{
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    int y, m, d, hh, mm, tz;
    float sec;
    if ((t == OFTDate || t == OFTDateTime) && OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &hh, &mm, &sec, &tz)) {
        snprintf(buf, n, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
        return buf;
    }
    const char *s = OGR_F_GetFieldAsString(f, i);
    while (s && (*s == ' ' || *s == '\t'))
        s++;
    if (!s || !*s)
        return NULL;
    dm__strlcpy(buf, s, n);
    return buf;
}

static plot_group *group_of(dm_ctx *ctx, plot_group **v, size_t *n, size_t *cap, const char *task)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].task, task))
            return &(*v)[i];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        plot_group *nv = dm_realloc(ctx, *v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        *v = nv;
        *cap = nc;
    }
    plot_group *g = &(*v)[(*n)++];
    memset(g, 0, sizeof *g);
    dm__strlcpy(g->task, task, sizeof g->task);
    return g;
}

static dm_status add_plot(dm_ctx *ctx, plot_group *g, dm_geom *geom)
{
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        dm_geom **nv = dm_realloc(ctx, g->g, nc * sizeof *nv);
        if (!nv)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        g->g = nv;
        g->cap = nc;
    }
    g->g[g->n++] = geom;
    return DM_OK;
}

/* The task a plot names: a clearance or survey of the database. */
static dm_status task_of(dm_store *s, const char *path, long fno, const char *id, plot_group *g)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_select sel = {0};
    const char *f[] = {"uuid"}, *v[] = {g->task};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    if (st)
        return st;
    int rc = dm_cursor_next(c);
    if (rc == 1) {
        const char *t = dm_cursor_text(c, "activity_type"), *x;
        if (!t || (strcmp(t, "clearance") && strcmp(t, "ts") && strcmp(t, "bac")))
            st = dm__fail(ctx, DM_EINVAL,
                          "%s: feature %ld: field 'inspects_id': %s is %s %s, not a clearance or survey "
                          "(clearance, ts, bac)",
                          path, fno, id, t && !strcmp(t, "eod") ? "an" : "a", t ? t : "activity of no type");
        if ((x = dm_cursor_text(c, "ref")))
            dm__strlcpy(g->task_ref, x, sizeof g->task_ref);
        if ((x = dm_cursor_text(c, "hazard_id")))
            dm__strlcpy(g->hazard, x, sizeof g->hazard);
    } else if (rc == 0)
        st = dm__fail(ctx, DM_ENOTFOUND, "%s: feature %ld: field 'inspects_id': no activity %s", path, fno, id);
    else
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

/* Read the plots of path into groups by task. */
static dm_status read_plots(dm_store *s, const char *path, plot_group **groups, size_t *n_groups,
                            dm_qc_record_result *res)
{
    dm_ctx *ctx = dm_store_ctx(s);
    size_t cap = 0;
    dm__gdal_init();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return dm__vector_open_fail(ctx, path, NULL, CPLGetLastErrorMsg());
    dm_status st = DM_OK;
    OGRLayerH l = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
    OGRFeatureDefnH d = l ? OGR_L_GetLayerDefn(l) : NULL;
    int i_task = d ? field_index(d, "inspects_id") : -1, i_end = d ? field_index(d, "end_date") : -1,
        i_items = d ? field_index(d, "items_found") : -1, i_method = d ? field_index(d, "method") : -1;
    if (i_task < 0 || i_end < 0 || i_items < 0) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: no field '%s': not a file of inspection plots (demine qc sample writes one, with "
                        "inspects_id, end_date and items_found)",
                        path, i_task < 0 ? "inspects_id" : i_end < 0 ? "end_date" : "items_found");
    }
    /* tomorrow: a day of slack for time zones ahead of UTC, as the store */
    char tomorrow[16] = "9999-12-31";
    time_t now = time(NULL) + 86400;
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    long fno = 0;
    while (!st && (f = OGR_L_GetNextFeature(l))) {
        fno++;
        res->plots++;
        char b_task[128], b_end[64], b_items[64], b_method[64];
        const char *task = field_text(f, i_task, b_task, sizeof b_task),
                   *end = field_text(f, i_end, b_end, sizeof b_end),
                   *items = field_text(f, i_items, b_items, sizeof b_items);
        if (!task) {
            st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field 'inspects_id' is empty: the plot names no task",
                          path, fno);
            OGR_F_Destroy(f);
            break;
        }
        char uuid[37];
        if ((st = dm_store_resolve(s, "activities", task, NULL, uuid))) {
            char msg[400];
            dm__strlcpy(msg, dm_ctx_errmsg(ctx), sizeof msg);
            st = dm__fail(ctx, st, "%s: feature %ld: field 'inspects_id': %s", path, fno, msg);
            OGR_F_Destroy(f);
            break;
        }
        plot_group *g = group_of(ctx, groups, n_groups, &cap, uuid);
        if (!g) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            OGR_F_Destroy(f);
            break;
        }
        if (!g->drawn++ && (st = task_of(s, path, fno, task, g))) {
            OGR_F_Destroy(f);
            break;
        }
        if (!end) {
            /* not inspected: items found there would be a plot whose date
             * was forgotten, not one left out */
            if (items && strtol(items, NULL, 10) != 0)
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: feature %ld: field 'end_date' is empty but items_found is %s: give the day "
                              "the plot was inspected",
                              path, fno, items);
            res->not_inspected++;
            OGR_F_Destroy(f);
            continue;
        }
        char day[11];
        if (!dm_date_parse(end, day) || strlen(end) < 10) {
            st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field 'end_date': '%s' is not a date (YYYY-MM-DD)",
                          path, fno, end);
            OGR_F_Destroy(f);
            break;
        }
        if (strcmp(day, tomorrow) > 0) {
            st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field 'end_date': %s is in the future", path, fno,
                          day);
            OGR_F_Destroy(f);
            break;
        }
        long k = 0;
        if (items) {
            char *e = NULL;
            k = strtol(items, &e, 10);
            if (!e || *e || k < 0) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: feature %ld: field 'items_found': '%s' is not a count of items (0, 1, 2, ...)",
                              path, fno, items);
                OGR_F_Destroy(f);
                break;
            }
        }
        OGRGeometryH og = OGR_F_GetGeometryRef(f);
        int wkb_n = og ? OGR_G_WkbSize(og) : 0;
        unsigned char *wkb = wkb_n > 0 ? malloc((size_t)wkb_n) : NULL;
        dm_geom *geom = NULL;
        if (!wkb || OGR_G_ExportToIsoWkb(og, wkbNDR, wkb) != OGRERR_NONE ||
            dm_geom_from_wkb(ctx, wkb, (size_t)wkb_n, &geom) ||
            (dm_geom_type_of(geom) != DM_GEOM_POLYGON && dm_geom_type_of(geom) != DM_GEOM_MULTIPOLYGON)) {
            dm_geom_free(geom);
            geom = NULL;
            st = dm__fail(ctx, DM_EGEOM, "%s: feature %ld: no polygon: a plot is the square of land inspected",
                          path, fno);
        }
        free(wkb);
        if (!st && (st = add_plot(ctx, g, geom)))
            dm_geom_free(geom);
        if (!st) {
            res->inspected++;
            res->items += k;
            g->items += k;
            if (!g->first[0] || strcmp(day, g->first) < 0)
                memcpy(g->first, day, 11);
            if (!g->last[0] || strcmp(day, g->last) > 0)
                memcpy(g->last, day, 11);
            const char *m = field_text(f, i_method, b_method, sizeof b_method);
            if (m && !g->method[0])
                dm__strlcpy(g->method, m, sizeof g->method);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    if (!st && !res->plots)
        st = dm__fail(ctx, DM_EPARSE, "%s: no plot in the file", path);
    return st;
}

/* One task's inspection as an activity row. */
static dm_status insert_inspection(dm_store *s, const char *path, const plot_group *g, const dm_qc_record_opts *o,
                                   dm_qc_record_result *res)
{
    dm_ctx *ctx = dm_store_ctx(s);
    char ref[128], uuid[37];
    snprintf(ref, sizeof ref, "QC-%.60s-%s", g->task_ref[0] ? g->task_ref : g->task, g->last);
    /* the same plots recorded twice would count their land twice */
    if (dm_store_resolve(s, "activities", ref, NULL, uuid) == DM_OK)
        return dm__fail(ctx, DM_ECONFLICT,
                        "%s: the inspection %s of %s is recorded already (activity %s): a file of plots is "
                        "recorded once",
                        path, ref, g->task_ref[0] ? g->task_ref : g->task, uuid);
    dm_ctx_clear_error(ctx);
    dm_geom *mp = NULL;
    dm_status st = g->n == 1 && dm_geom_type_of(g->g[0]) == DM_GEOM_MULTIPOLYGON
                       ? dm_geom_clone(ctx, g->g[0], &mp)
                       : dm_geom_union_all(ctx, g->g, g->n, &mp);
    if (st)
        return st;
    double ha = 0;
    if (dm_geom_area_ha(ctx, mp, &ha) == DM_OK)
        res->inspected_ha += ha;
    dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
    if (!r) {
        dm_geom_free(mp);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    char notes[300];
    snprintf(notes, sizeof notes,
             "post-clearance inspection: %zu of the %zu plots drawn (demine qc sample) inspected; items found "
             "(the inspectors' count): %ld",
             g->n, g->drawn, g->items);
    if (!st) st = dm_row_set(r, "ref", ref);
    if (!st) st = dm_row_set(r, "activity_type", "qc");
    if (!st) st = dm_row_set(r, "inspects_id", g->task);
    if (!st && g->hazard[0]) st = dm_row_set(r, "hazard_id", g->hazard);
    if (!st) st = dm_row_set(r, "method", g->method[0] ? g->method : "manual");
    if (!st) st = dm_row_set(r, "start_date", g->first);
    if (!st) st = dm_row_set(r, "end_date", g->last);
    if (!st && o && o->org && *o->org) st = dm_row_set(r, "organisation", o->org);
    if (!st) st = dm_row_set(r, "notes", notes);
    if (!st) {
        dm_row_set_geom(r, mp);
        mp = NULL;
        st = dm_store_insert(s, r, uuid);
    }
    dm_geom_free(mp);
    dm_row_free(r);
    if (!st && res->inspections < DM_QC_RECORD_LIST) {
        dm_qc_recorded *x = &res->list[res->inspections];
        dm__strlcpy(x->ref, ref, sizeof x->ref);
        dm__strlcpy(x->uuid, uuid, sizeof x->uuid);
        dm__strlcpy(x->task_ref, g->task_ref[0] ? g->task_ref : g->task, sizeof x->task_ref);
        x->plots = g->n;
        x->drawn = g->drawn;
        x->items = g->items;
        x->ha = ha;
    }
    if (!st)
        res->inspections++;
    return st;
}

dm_status dm_qc_record(dm_store *s, const char *path, const dm_qc_record_opts *o, dm_qc_record_result *res)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(res, 0, sizeof *res);
    plot_group *groups = NULL;
    size_t n = 0;
    dm_status st = read_plots(s, path, &groups, &n, res);
    size_t with_plots = 0;
    for (size_t i = 0; !st && i < n; i++)
        with_plots += groups[i].n > 0;
    if (!st && !with_plots)
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: none of its %zu plots has an end_date: nothing was inspected (the inspectors give "
                      "each plot they searched its day and the items found there)",
                      path, res->plots);
    if (!st && !(o && o->dry_run))
        st = dm_store_begin(s);
    if (!st && !(o && o->dry_run)) {
        for (size_t i = 0; !st && i < n; i++)
            if (groups[i].n)
                st = insert_inspection(s, path, &groups[i], o, res);
        if (st)
            dm_store_rollback(s);
        else
            st = dm_store_commit(s);
    }
    if (!st && o && o->dry_run)
        for (size_t i = 0; i < n; i++)
            res->inspections += groups[i].n > 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < groups[i].n; k++)
            dm_geom_free(groups[i].g[k]);
        dm_free(ctx, groups[i].g);
    }
    dm_free(ctx, groups);
    return st;
}
