/* SPDX-License-Identifier: MIT
 *
 * check.c -- data quality checks shared by databases and files: geometry
 * faults per row, duplicates and overlaps between rows of a layer, dates,
 * and the report itself (collecting, JSON).
 *
 * Where the rows come from is in check_store.c (a database, with the
 * cross-layer checks) and check_file.c (any GDAL file).
 */
#include "check_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void dm__check_add(dm_check_report *r, dm_check_severity sev, const char *code, const char *layer,
                   const char *id, const char *ref, double x, double y, const char *fmt, ...)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        dm_check_issue *d = realloc(r->issues, cap * sizeof *d);
        if (!d)
            return;
        r->issues = d;
        r->cap = cap;
    }
    dm_check_issue *i = &r->issues[r->n++];
    memset(i, 0, sizeof *i);
    i->severity = sev;
    dm__strlcpy(i->code, code, sizeof i->code);
    dm__strlcpy(i->layer, layer ? layer : "", sizeof i->layer);
    dm__strlcpy(i->id, id ? id : "", sizeof i->id);
    dm__strlcpy(i->ref, ref ? ref : "", sizeof i->ref);
    i->x = x;
    i->y = y;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(i->message, sizeof i->message, fmt, ap);
    va_end(ap);
    if (sev == DM_CHECK_ERROR)
        r->errors++;
    else
        r->warnings++;
}

void dm__check_personal_why(const dm_layer_def *l, const dm_field_def *f, const char *err, char *out, size_t n)
{
    if (!dm_field_is_personal(l, f)) {
        dm__strlcpy(out, err ? err : "", n);
        return;
    }
    if ((f->type == DM_FT_INT || f->type == DM_FT_REAL) && f->max > f->min)
        snprintf(out, n, "not a %s from %g to %g (the value is personal data: not shown)",
                 f->type == DM_FT_INT ? "whole number" : "number", f->min, f->max);
    else
        snprintf(out, n, "not a valid value (the value is personal data: not shown)");
}

static int layer_is_personal(const dm_layer_def *l)
{
    for (size_t k = 0; l && k < l->n_fields; k++)
        if (dm_field_is_personal(l, &l->fields[k]))
            return 1;
    return 0;
}

void dm__check_scrub_personal(dm_check_report *r, size_t from)
{
    for (size_t k = from; k < r->n; k++) {
        dm_check_issue *is = &r->issues[k];
        const dm_layer_def *l = dm_layer_find(is->layer);
        if (!layer_is_personal(l))
            continue;
        /* the label: a file's row may be named by its name column */
        const dm_field_def *nf = dm_field_find(l, "name");
        if (nf && dm_field_is_personal(l, nf))
            is->ref[0] = 0;
        char *m = is->message;
        if (!strcmp(is->code, "bad_value")) {
            /* "...field 'age': 150 is outside 0..120": the reason without the value */
            for (size_t i = 0; i < l->n_fields; i++) {
                const dm_field_def *f = &l->fields[i];
                char key[80], why[160];
                snprintf(key, sizeof key, "field '%s': ", f->name);
                char *at = strstr(m, key);
                if (!at || !dm_field_is_personal(l, f))
                    continue;
                dm__check_personal_why(l, f, NULL, why, sizeof why);
                size_t off = (size_t)(at - m) + strlen(key);
                snprintf(m + off, sizeof is->message - off, "%s", why);
                break;
            }
        } else if (!strcmp(is->code, "unknown_field")) {
            /* "... and has 'Aysel' in it: ...": a column the layer lacks may
             * hold anything of a person (a surname, an address) */
            char *a = strstr(m, " and has '");
            char *e = a ? strstr(a + 10, "' in it") : NULL;
            if (a && e) {
                char rest[sizeof is->message];
                snprintf(rest, sizeof rest, "%s", e + 7);
                size_t off = (size_t)(a - m);
                snprintf(m + off, sizeof is->message - off, " and has a value in it (not shown: the layer "
                                                              "holds personal data)%s", rest);
            }
        }
    }
}

void dm_check_report_free(dm_ctx *ctx, dm_check_report *r)
{
    (void)ctx;
    free(r->issues);
    memset(r, 0, sizeof *r);
}

dm_status dm_check_report_json(dm_ctx *ctx, const dm_check_report *r, char **json)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "{\"rows_checked\":%ld,\"errors\":%ld,\"warnings\":%ld,\"issues\":[",
                   r->rows_checked, r->errors, r->warnings);
    for (size_t k = 0; k < r->n; k++) {
        const dm_check_issue *i = &r->issues[k];
        dm__buf_printf(&b, "%s{\"severity\":\"%s\",\"code\":", k ? "," : "",
                       i->severity == DM_CHECK_ERROR ? "error" : "warning");
        dm__buf_json_str(&b, i->code);
        dm__buf_puts(&b, ",\"layer\":");
        dm__buf_json_str(&b, i->layer);
        dm__buf_puts(&b, ",\"id\":");
        dm__buf_json_str(&b, i->id);
        dm__buf_puts(&b, ",\"ref\":");
        dm__buf_json_str(&b, i->ref[0] ? i->ref : NULL);
        dm__buf_puts(&b, ",\"message\":");
        dm__buf_json_str(&b, i->message);
        dm__buf_puts(&b, ",\"x\":");
        dm__buf_json_num(&b, i->x);
        dm__buf_puts(&b, ",\"y\":");
        dm__buf_json_num(&b, i->y);
        dm__buf_puts(&b, "}");
    }
    dm__buf_puts(&b, "]}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    *json = dm_strdup(ctx, b.data);
    dm__buf_free(&b);
    return *json ? DM_OK : DM_ENOMEM;
}

/* =========================== per-row geometry =========================== */

void dm__check_geom(dm_ctx *ctx, dm_check_report *r, const char *layer, const char *id,
                    const char *ref, const dm_geom *g)
{
    if (dm_geom_is_empty(g)) {
        dm__check_add(r, DM_CHECK_ERROR, "empty_geometry", layer, id, ref, NAN, NAN,
                      "the geometry is empty");
        return;
    }
    dm_coords c;
    if (dm_geom_coords(ctx, g, &c))
        return;
    int degenerate = 0;
    for (size_t p = 0; p < c.n_parts; p++) {
        size_t a = c.start[p], e = c.start[p + 1];
        if (c.kind[p] >= 1) {
            size_t distinct = 0;
            for (size_t i = a; i < e; i++) {
                int seen = 0;
                for (size_t j = a; j < i && !seen; j++)
                    seen = c.xy[2 * i] == c.xy[2 * j] && c.xy[2 * i + 1] == c.xy[2 * j + 1];
                distinct += !seen;
                if (distinct >= 3)
                    break;
            }
            size_t need = c.kind[p] == 1 ? 2 : 3;
            if (distinct < need) {
                degenerate = 1;
                dm__check_add(r, DM_CHECK_ERROR, "too_few_vertices", layer, id, ref, c.xy[2 * a],
                              c.xy[2 * a + 1], "a %s has %zu distinct vertices (needs %zu)",
                              c.kind[p] == 1 ? "line" : "ring", distinct, need);
            }
        }
        for (size_t i = a + 1; i < e; i++) {
            double d = dm_haversine_m(c.xy[2 * i - 2], c.xy[2 * i - 1], c.xy[2 * i], c.xy[2 * i + 1]);
            if (d > 5000.0)
                dm__check_add(r, DM_CHECK_WARNING, "vertex_jump", layer, id, ref,
                              (c.xy[2 * i - 2] + c.xy[2 * i]) / 2, (c.xy[2 * i - 1] + c.xy[2 * i + 1]) / 2,
                              "consecutive vertices %zu and %zu are %.1f km apart (a typing "
                              "error in a coordinate?)",
                              i - a, i - a + 1, d / 1000.0);
        }
    }
    dm_coords_free(ctx, &c);
    char why[256];
    double x = NAN, y = NAN;
    if (!degenerate && !dm_geom_is_valid(g, why, sizeof why, &x, &y))
        dm__check_add(r, DM_CHECK_ERROR, "invalid_geometry", layer, id, ref, x, y,
                      "invalid geometry: %s at %.7f %.7f", why, x, y);
}

void dm__check_date(dm_check_report *r, const char *layer, const char *id, const char *ref,
                    const char *field, const char *value)
{
    if (!value || !*value)
        return;
    char norm[11];
    if (!dm_date_parse(value, norm)) {
        dm__check_add(r, DM_CHECK_ERROR, "impossible_date", layer, id, ref, NAN, NAN,
                      "%s '%s' is not a possible date", field, value);
        return;
    }
    /* as the store: one day of slack for time zones ahead of UTC */
    time_t t = time(NULL) + 86400;
    struct tm tm;
    char tomorrow[16] = "9999-12-31";
    if (gmtime_r(&t, &tm))
        strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    if (strcmp(norm, tomorrow) > 0)
        dm__check_add(r, DM_CHECK_ERROR, "future_date", layer, id, ref, NAN, NAN,
                      "%s %s is in the future", field, norm);
    else if (strcmp(norm, "1900-01-01") < 0)
        dm__check_add(r, DM_CHECK_ERROR, "impossible_date", layer, id, ref, NAN, NAN,
                      "%s %s is before 1900", field, norm);
}

void dm__check_area(dm_check_report *r, const char *layer, const char *id, const char *ref, const char *field,
                    double given, double ha, const char *col)
{
    if (!isfinite(given) || !(ha > 0) || fabs(given - ha) <= 0.5 || fabs(given - ha) / ha <= 0.2)
        return;
    /* the field's name in another unit: est_area_ha as est_area_m2 */
    char stem[64];
    snprintf(stem, sizeof stem, "%s", field);
    size_t n = strlen(stem);
    if (n > 3 && !strcmp(stem + n - 3, "_ha"))
        stem[n - 3] = '\0';
    char hint[512] = "";
    double ratio = given / ha;
    int m2 = ratio > 5000 && ratio < 20000, km2 = ratio > 0.005 && ratio < 0.02;
    const char *about = m2 ? "about 10 000 times the polygon: square metres" : "about 1/100 of the polygon: square kilometres";
    if (given == 0 && col)
        snprintf(hint, sizeof hint, " (an area not measured given as 0? Leave it empty and demine takes the "
                 "polygon's area)");
    else if (given == 0)
        snprintf(hint, sizeof hint, " (an area not measured given as 0? `demine edit DB %s %s=%.2f` gives the "
                 "polygon's)", ref && *ref ? ref : id, field, ha);
    else if ((m2 || km2) && col)
        snprintf(hint, sizeof hint, " (%s read as hectares? --map '%s=%s_%s' reads the column so)", about, col,
                 stem, m2 ? "m2" : "km2");
    else if (m2 || km2)
        snprintf(hint, sizeof hint, " (%s imported as hectares? Import the file again with the column mapped to "
                 "%s_%s)", about, stem, m2 ? "m2" : "km2");
    else if (col)
        return; /* a file's area off by no unit: the check of the database names it once imported */
    dm__check_add(r, DM_CHECK_WARNING, "area_mismatch", layer, id, ref, NAN, NAN,
                  "%s is %.2f ha but the polygon measures %.2f ha%s", field, given, ha, hint);
}

/* ========================= naming the rows ========================= */

/* One row's id and label, sorted by id to be looked up. */
typedef struct row_label {
    const char *id, *ref;
} row_label;

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const row_label *)a)->id, ((const row_label *)b)->id);
}

void dm__check_label_rows(dm_check_report *r, const char *layer, const dm__check_geomrow *rows, size_t n)
{
    size_t unnamed = 0, named = 0;
    for (size_t k = 0; k < r->n; k++) {
        const dm_check_issue *is = &r->issues[k];
        if (strcmp(is->layer, layer) || !is->id[0])
            continue;
        if (is->ref[0])
            named++;
        else
            unnamed++;
    }
    if (!unnamed)
        return;
    /* the rows read, then the rows other issues named */
    row_label *v = malloc((n + named ? n + named : 1) * sizeof *v);
    if (!v)
        return;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id[0] && rows[i].ref[0])
            v[m++] = (row_label){rows[i].id, rows[i].ref};
    for (size_t k = 0; k < r->n; k++) {
        const dm_check_issue *is = &r->issues[k];
        if (!strcmp(is->layer, layer) && is->id[0] && is->ref[0])
            v[m++] = (row_label){is->id, is->ref};
    }
    qsort(v, m, sizeof *v, cmp_label);
    for (size_t k = 0; k < r->n && m; k++) {
        dm_check_issue *is = &r->issues[k];
        if (strcmp(is->layer, layer) || !is->id[0] || is->ref[0])
            continue;
        row_label key = {is->id, NULL};
        const row_label *hit = bsearch(&key, v, m, sizeof *v, cmp_label);
        if (hit)
            dm__strlcpy(is->ref, hit->ref, sizeof is->ref);
    }
    free(v);
}

/* ====================== duplicates and overlaps ====================== */

static int cmp_minx(const void *a, const void *b)
{
    const dm__check_geomrow *x = *(const dm__check_geomrow *const *)a;
    const dm__check_geomrow *y = *(const dm__check_geomrow *const *)b;
    return (x->env[0] > y->env[0]) - (x->env[0] < y->env[0]);
}

void dm__check_pairs(dm_ctx *ctx, dm_check_report *r, const char *layer, dm__check_geomrow *rows,
                     size_t n, int overlaps)
{
    /* issues found apart from a row's values (a column the layer lacks,
     * coordinates swapped in a row) name the row as the others do */
    dm__check_label_rows(r, layer, rows, n);
    dm__check_geomrow **idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return;
    for (size_t i = 0; i < n; i++)
        idx[i] = &rows[i];
    if (n)
        qsort(idx, n, sizeof *idx, cmp_minx);
    const double eps = 1e-5; /* about a metre */
    long reported = 0;
    for (size_t i = 0; i < n; i++) {
        dm__check_geomrow *a = idx[i];
        size_t compared = 0;
        for (size_t j = i + 1; j < n && idx[j]->env[0] <= a->env[2] + eps && compared < 2000; j++) {
            dm__check_geomrow *b = idx[j];
            compared++;
            if (b->env[1] > a->env[3] + eps || b->env[3] < a->env[1] - eps)
                continue;
            if (a->is_point) {
                /* double entries share a place to within a hand's width; mines
                 * in a row lie a metre or more apart */
                if (fabs(a->env[0] - b->env[0]) <= 3e-6 && fabs(a->env[1] - b->env[1]) <= 3e-6 &&
                    dm_haversine_m(a->env[0], a->env[1], b->env[0], b->env[1]) < 0.25 &&
                    !strcmp(a->key, b->key) && reported++ < 10000)
                    dm__check_add(r, DM_CHECK_WARNING, "duplicate", layer, b->id, b->ref, b->env[0],
                                  b->env[1], "same place%s%s as %s (a duplicate?)",
                                  b->key[0] ? " and " : "", b->key, a->id);
                continue;
            }
            if (!dm_geom_intersects(a->g, b->g))
                continue;
            dm_geom *inter = NULL;
            if (dm_geom_intersection(ctx, a->g, b->g, &inter))
                continue;
            double ia = dm_geom_area(inter), aa = dm_geom_area(a->g), ba = dm_geom_area(b->g);
            double ux, uy;
            int have_c = dm_geom_centroid_xy(inter, &ux, &uy);
            dm_geom_free(inter);
            double uni = aa + ba - ia;
            if (uni > 0 && ia / uni > 0.95) {
                dm__check_add(r, DM_CHECK_WARNING, "duplicate", layer, b->id, b->ref,
                              have_c ? ux : NAN, have_c ? uy : NAN,
                              "covers the same ground as %s%s%s (%.0f%% the same: a duplicate?)",
                              a->id, a->ref[0] ? " " : "", a->ref, 100 * ia / uni);
            } else if (overlaps && aa > 0 && ia / aa > 1e-4) {
                double ha = a->ha * ia / aa;
                if (ha >= 0.01)
                    dm__check_add(r, DM_CHECK_WARNING, "overlap", layer, b->id, b->ref,
                                  have_c ? ux : NAN, have_c ? uy : NAN,
                                  "overlaps %s%s%s by %.2f ha", a->id, a->ref[0] ? " " : "", a->ref,
                                  ha);
            }
        }
    }
    free(idx);
}
