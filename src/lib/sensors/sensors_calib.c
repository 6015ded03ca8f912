/* SPDX-License-Identifier: MIT
 *
 * sensors_calib.c -- detection probability and false-alarm rate per sensor
 * and ordnance class from a validation file: known items marked detected or
 * missed, and detections that matched no item. Estimates are smoothed
 * (Laplace for the detection probability, +0.5 for false alarms) so that a
 * small validation never yields 0 or 1.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct acc {
    char sensor[128];
    char uuid[37];
    long items[DM_CLASS_COUNT], hits[DM_CLASS_COUNT], fa[DM_CLASS_COUNT];
    long fa_any; /* false alarms without a class */
    double area;
    long first;     /* the first CSV line or feature naming the sensor */
    int by_feature; /* first is a feature number */
} acc;


static int parse_bool(const char *s, int *v)
{
    if (!dm__strcasecmp(s, "1") || !dm__strcasecmp(s, "yes") || !dm__strcasecmp(s, "true") ||
        !dm__strcasecmp(s, "y") || !dm__strcasecmp(s, "detected")) {
        *v = 1;
        return 0;
    }
    if (!dm__strcasecmp(s, "0") || !dm__strcasecmp(s, "no") || !dm__strcasecmp(s, "false") ||
        !dm__strcasecmp(s, "n") || !dm__strcasecmp(s, "missed")) {
        *v = 0;
        return 0;
    }
    return -1;
}

/* Write or replace the sensor_rates row of (sensor, class). A pd of NaN
 * (no known item of the class was validated, only false alarms) keeps the
 * row's detection probability and count, or takes the sensor's own. */
static dm_status put_rate(dm_store *s, const char *suuid, const char *cls, double pd, double far,
                          long n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    const char *f[] = {"sensor_id", "category"}, *v[] = {suuid, cls};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 2;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "sensor_rates", &sel, &c);
    if (st)
        return st;
    char old[37] = "";
    int r = dm_cursor_next(c);
    if (r == 1) {
        dm__strlcpy(old, dm_cursor_uuid(c), sizeof old);
        if (isnan(pd)) {
            pd = dm_cursor_real(c, "p_detect", NAN);
            n = (long)dm_cursor_real(c, "n_validation", 0);
        }
    }
    dm_cursor_free(c);
    if (r < 0)
        return dm_ctx_errcode(ctx);
    if (isnan(pd)) {
        if ((st = sensors__select_eq(s, "sensors", "uuid", suuid, NULL, &c)))
            return st;
        r = dm_cursor_next(c);
        if (r == 1)
            pd = dm_cursor_real(c, "p_detect", NAN);
        dm_cursor_free(c);
        if (r < 0)
            return dm_ctx_errcode(ctx);
        n = 0;
    }
    dm_row *row = dm_row_new(ctx, dm_layer_find("sensor_rates"));
    if (!row)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    st = dm_row_set(row, "sensor_id", suuid);
    if (!st)
        st = dm_row_set(row, "category", cls);
    if (!st && !isnan(pd))
        st = dm_row_set_real(row, "p_detect", pd);
    if (!st)
        st = dm_row_set_real(row, "false_alarms_ha", far);
    if (!st)
        st = dm_row_set_int(row, "n_validation", n);
    if (!st)
        st = *old ? dm_store_update(s, old, row, "sensors calibrate")
                  : dm_store_insert(s, row, NULL);
    dm_row_free(row);
    return st;
}

static acc *acc_get(dm_ctx *ctx, acc **a, size_t *na, size_t *cap, const char *sensor)
{
    size_t k = 0;
    while (k < *na && strcmp((*a)[k].sensor, sensor))
        k++;
    if (k < *na)
        return &(*a)[k];
    if (*na == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        acc *q = dm_realloc(ctx, *a, nc * sizeof *q);
        if (!q)
            return NULL;
        *a = q;
        *cap = nc;
    }
    memset(&(*a)[*na], 0, sizeof **a);
    dm__strlcpy((*a)[*na].sensor, sensor, sizeof(*a)[*na].sensor);
    return &(*a)[(*na)++];
}

/* 1: the file is a CSV of matched rows: its header has a `detected` column,
 * or an `item` column and no point or geometry columns (a header that lacks
 * some matched column is then named as such, not read as features without
 * geometry). */
static int is_matched_csv(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[4096], *cols[64];
    int yes = 0;
    char *p;
    while ((p = sensors__csv_next(f, buf, sizeof buf, NULL))) {
        char sep = strchr(p, ';') ? ';' : strchr(p, '\t') ? '\t' : ',';
        int n = sensors__csv_split(p, sep, cols, 64), det = 0, item = 0, geo = 0;
        static const char *const k_geo[] = {"lon", "lat", "x", "y", "longitude", "latitude", "wkt", "geometry",
                                            "kind", NULL};
        for (int i = 0; i < n && i < 64; i++) {
            det |= !dm__strcasecmp(cols[i], "detected");
            item |= !dm__strcasecmp(cols[i], "item") || !dm__strcasecmp(cols[i], "item_id");
            for (int g = 0; k_geo[g]; g++)
                geo |= !dm__strcasecmp(cols[i], k_geo[g]);
        }
        yes = det || (item && !geo);
        break;
    }
    fclose(f);
    return yes;
}

/* A known item of the matched CSV: its sensor (index), class, id and line. */
typedef struct seen_item {
    size_t sensor;
    int cls;
    char *id;
    long line;
} seen_item;

static int cmp_seen_item(const void *x, const void *y)
{
    const seen_item *a = x, *b = y;
    if (a->sensor != b->sensor)
        return a->sensor < b->sensor ? -1 : 1;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    int c = strcmp(a->id, b->id);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int same_item(const seen_item *a, const seen_item *b)
{
    return a->sensor == b->sensor && a->cls == b->cls && !strcmp(a->id, b->id);
}

/* An item id given twice for one sensor and class would count that item twice (a
 * pasted row doubles it): refused, naming the earliest repeat and the line it
 * repeats. */
static dm_status check_item_repeats(dm_ctx *ctx, const char *path, seen_item *it, size_t n,
                                    const acc *a)
{
    if (n < 2)
        return DM_OK;
    qsort(it, n, sizeof *it, cmp_seen_item);
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (same_item(&it[i], &it[i - 1]) && (!best || it[i].line < it[best].line))
            best = i;
    if (!best)
        return DM_OK;
    size_t f = best;
    while (f > 0 && same_item(&it[f - 1], &it[best]))
        f--;
    return dm__fail(ctx, DM_EPARSE,
                    "%s: line %ld: field 'item': %s item '%s' of sensor '%s' is already on line %ld "
                    "(one row per known item; a repeated row would count the item twice)",
                    path, it[best].line, dm_class_name(it[best].cls), it[best].id, a[it[best].sensor].sensor,
                    it[f].line);
}

static dm_status finish(dm_store *s, const char *path, acc *a, size_t na, dm_sensor_rate **rates,
                        size_t *n_rates);

static dm_status read_matched_csv(dm_ctx *ctx, const char *path, acc **a_out, size_t *na_out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot open: %s", path, strerror(errno));
    char buf[4096], *cols[32];
    long lineno = 0;
    int ci_s = -1, ci_c = -1, ci_i = -1, ci_d = -1, ci_a = -1, ncol = 0;
    char sep = ',';
    dm_status st = DM_OK;
    acc *a = NULL;
    size_t na = 0, cap = 0;
    seen_item *its = NULL;
    size_t nit = 0, capit = 0;
    char *p;
    while ((p = sensors__csv_next(f, buf, sizeof buf, &lineno))) {
        sep = strchr(p, ';') ? ';' : strchr(p, '\t') ? '\t' : ',';
        ncol = sensors__csv_split(p, sep, cols, 32);
        for (int i = 0; i < ncol && i < 32; i++) {
            if (!dm__strcasecmp(cols[i], "sensor"))
                ci_s = i;
            else if (!dm__strcasecmp(cols[i], "category") || !dm__strcasecmp(cols[i], "class"))
                ci_c = i;
            else if (!dm__strcasecmp(cols[i], "item") || !dm__strcasecmp(cols[i], "item_id"))
                ci_i = i;
            else if (!dm__strcasecmp(cols[i], "detected"))
                ci_d = i;
            else if (!dm__strcasecmp(cols[i], "area_ha"))
                ci_a = i;
        }
        break;
    }
    if (ci_s < 0 || ci_c < 0 || ci_i < 0 || ci_d < 0) {
        fclose(f);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: line %ld: the header needs columns sensor, category, item, detected "
                        "(and area_ha); '%s' is missing",
                        path, lineno ? lineno : 1,
                        ci_s < 0 ? "sensor" : ci_c < 0 ? "category" : ci_i < 0 ? "item" : "detected");
    }
    while ((p = sensors__csv_next(f, buf, sizeof buf, &lineno))) {
        int n = sensors__csv_split(p, sep, cols, 32);
        if (n != ncol) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: %d columns instead of %d", path, lineno, n,
                          ncol);
            goto done;
        }
        if (!*cols[ci_s]) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'sensor': empty", path, lineno);
            goto done;
        }
        int cls = -1;
        if (*cols[ci_c] && (cls = dm_class_index(cols[ci_c])) < 0) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: line %ld: field 'category': '%s' is not an "
                          "ordnance class",
                          path, lineno, cols[ci_c]);
            goto done;
        }
        int is_item = *cols[ci_i] != 0, det = 0;
        if (is_item && parse_bool(cols[ci_d], &det)) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'detected': '%s' is not 0 or 1",
                          path, lineno, cols[ci_d]);
            goto done;
        }
        if (is_item && cls < 0) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: line %ld: field 'category': a known item needs "
                          "its class",
                          path, lineno);
            goto done;
        }
        double area = 0;
        if (ci_a >= 0 && *cols[ci_a]) {
            char *end;
            errno = 0;
            area = strtod(cols[ci_a], &end);
            if (errno || *end || !(area >= 0) || !isfinite(area)) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: line %ld: field 'area_ha': '%s' is not an "
                              "area",
                              path, lineno, cols[ci_a]);
                goto done;
            }
            /* a validation is walked and checked by hand: 1e6 ha (10 000 km^2)
             * is far beyond any; more is a unit or typing mistake that would
             * make the false-alarm rate vanish */
            if (area > 1e6) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: line %ld: field 'area_ha': %s ha is more than any validated "
                              "area (1000000 ha); is it in square metres?",
                              path, lineno, cols[ci_a]);
                goto done;
            }
        }
        acc *ak = acc_get(ctx, &a, &na, &cap, cols[ci_s]);
        if (!ak) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        if (!ak->first)
            ak->first = lineno;
        size_t k = (size_t)(ak - a);
        if (area > a[k].area)
            a[k].area = area;
        if (is_item) {
            if (nit == capit) {
                size_t nc = capit ? 2 * capit : 64;
                seen_item *q = dm_realloc(ctx, its, nc * sizeof *q);
                if (!q) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    goto done;
                }
                its = q;
                capit = nc;
            }
            its[nit].sensor = k;
            its[nit].cls = cls;
            its[nit].line = lineno;
            if (!(its[nit].id = dm_strdup(ctx, cols[ci_i]))) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            nit++;
            a[k].items[cls]++;
            a[k].hits[cls] += det;
        } else if (cls >= 0) {
            a[k].fa[cls]++;
        } else {
            a[k].fa_any++;
        }
    }
    st = check_item_repeats(ctx, path, its, nit, a);
done:
    fclose(f);
    for (size_t i = 0; i < nit; i++)
        dm_free(ctx, its[i].id);
    dm_free(ctx, its);
    if (st) {
        dm_free(ctx, a);
        return st;
    }
    *a_out = a;
    *na_out = na;
    return DM_OK;
}

static dm_status finish(dm_store *s, const char *path, acc *a, size_t na, dm_sensor_rate **rates,
                        size_t *n_rates)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_status st = DM_OK;
    if (!na) {
        st = dm__fail(ctx, DM_EPARSE, "%s: no validation rows", path);
        goto done;
    }
    /* every sensor must exist and have an area when it has false alarms */
    for (size_t k = 0; k < na; k++) {
        dm_cursor *c = NULL;
        if ((st = sensors__select_eq(s, "sensors", "name", a[k].sensor, NULL, &c)))
            goto done;
        int r = dm_cursor_next(c);
        if (r == 1)
            dm__strlcpy(a[k].uuid, dm_cursor_uuid(c), sizeof a[k].uuid);
        dm_cursor_free(c);
        if (r < 0) {
            st = dm_ctx_errcode(ctx);
            goto done;
        }
        if (r == 0) {
            st = dm__fail(ctx, DM_ENOTFOUND,
                          "%s: %s %ld: field 'sensor': no sensor named '%s' in the database (add "
                          "it with `demine sensors add` or import its flights first)",
                          path, a[k].by_feature ? "feature" : "line", a[k].first, a[k].sensor);
            goto done;
        }
        if (!(a[k].area > 0)) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: field 'area_ha': sensor '%s' has no validation area, so no "
                          "false-alarm rate can be estimated",
                          path, a[k].sensor);
            goto done;
        }
    }
    dm_sensor_rate *out = NULL;
    size_t nout = 0;
    out = dm_calloc(ctx, na * (DM_CLASS_COUNT + 1), sizeof *out);
    if (!out) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = dm_store_begin(s))) {
        dm_free(ctx, out);
        goto done;
    }
    for (size_t k = 0; k < na && !st; k++) {
        long ti = 0, th = 0, tfa = a[k].fa_any;
        for (int c = 0; c < DM_CLASS_COUNT && !st; c++) {
            ti += a[k].items[c];
            th += a[k].hits[c];
            tfa += a[k].fa[c];
            if (!a[k].items[c] && !a[k].fa[c])
                continue;
            dm_sensor_rate *r = &out[nout++];
            dm__strlcpy(r->sensor, a[k].sensor, sizeof r->sensor);
            r->category = c;
            r->n_items = a[k].items[c];
            r->n_detected = a[k].hits[c];
            r->n_false_alarms = a[k].fa[c] + a[k].fa_any;
            r->area_ha = a[k].area;
            /* false alarms alone say nothing of the detection probability:
             * the smoothed 1/2 replaced a calibrated or default one */
            r->p_detect =
                r->n_items ? (double)(r->n_detected + 1) / (double)(r->n_items + 2) : NAN;
            r->false_alarms_ha = ((double)r->n_false_alarms + 0.5) / a[k].area;
            st = put_rate(s, a[k].uuid, dm_class_name(c), r->p_detect, r->false_alarms_ha,
                          r->n_items);
        }
        if (st)
            break;
        /* the sensor's overall rates */
        dm_sensor_rate *r = &out[nout++];
        dm__strlcpy(r->sensor, a[k].sensor, sizeof r->sensor);
        r->category = -1;
        r->n_items = ti;
        r->n_detected = th;
        r->n_false_alarms = tfa;
        r->area_ha = a[k].area;
        r->p_detect = ti ? (double)(th + 1) / (double)(ti + 2) : NAN;
        r->false_alarms_ha = ((double)tfa + 0.5) / a[k].area;
        dm_row *row = dm_row_new(ctx, dm_layer_find("sensors"));
        if (!row) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        if (ti)
            st = dm_row_set_real(row, "p_detect", r->p_detect);
        if (!st)
            st = dm_row_set_real(row, "false_alarms_ha", r->false_alarms_ha);
        if (!st)
            st = dm_store_update(s, a[k].uuid, row, "sensors calibrate");
        dm_row_free(row);
    }
    if (st) {
        char msg[1024];
        dm__strlcpy(msg, dm_ctx_errmsg(ctx), sizeof msg);
        dm_store_rollback(s);
        dm__fail(ctx, st, "%s: %s", path, msg);
        dm_free(ctx, out);
        goto done;
    }
    if ((st = dm_store_commit(s))) {
        dm_free(ctx, out);
        goto done;
    }
    if (rates) {
        *rates = out;
        if (n_rates)
            *n_rates = nout;
    } else {
        dm_free(ctx, out);
    }
done:
    dm_free(ctx, a);
    return st;
}

/* ---- validation by position ------------------------------------------- */

typedef struct vpt {
    double lon, lat, conf;
    int cls; /* -1 unknown */
    size_t sensor;
    int used;
    long fno; /* feature number, for messages */
} vpt;

/* A validation area of a sensor, with its bounds. */
typedef struct varea {
    size_t sensor;
    dm_geom *g;
    double b[4];
} varea;

/* 1 when (lon, lat) lies in an area of `sensor` or within tol_m of one. */
static int in_some_area(dm_ctx *ctx, const varea *ar, size_t nar, size_t sensor, double lon, double lat,
                        double tol_m)
{
    double tol = tol_m / (111320.0 * fmax(cos(lat * 0.017453292519943295), 0.01));
    dm_geom *p = NULL;
    int in = 0;
    for (size_t k = 0; k < nar && !in; k++) {
        if (ar[k].sensor != sensor || lon < ar[k].b[0] - tol || lat < ar[k].b[1] - tol || lon > ar[k].b[2] + tol ||
            lat > ar[k].b[3] + tol)
            continue;
        if (!p && dm_geom_point(ctx, lon, lat, &p))
            return 1; /* out of memory: let it through, as before */
        in = dm_geom_intersects(ar[k].g, p) || dm_geom_distance(ar[k].g, p) <= tol;
    }
    dm_geom_free(p);
    return in;
}

/* Items being sorted by cmp_item_lat (qsort has no user argument; the
 * calibration runs on one thread per context). */
static _Thread_local const struct vpt *sort_items;

static int cmp_item_lat(const void *x, const void *y)
{
    double a = sort_items[*(const size_t *)x].lat, b = sort_items[*(const size_t *)y].lat;
    return a < b ? -1 : a > b;
}

static int cmp_conf(const void *x, const void *y)
{
    const vpt *a = x, *b = y;
    return (a->conf < b->conf) - (a->conf > b->conf);
}

static dm_status grow(dm_ctx *ctx, vpt **v, size_t *n, size_t *cap)
{
    if (*n < *cap)
        return DM_OK;
    size_t nc = *cap ? 2 * *cap : 64;
    vpt *q = dm_realloc(ctx, *v, nc * sizeof *q);
    if (!q)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    *v = q;
    *cap = nc;
    return DM_OK;
}

/* Known items, detections and validation areas as features of any OGR file:
 * field kind = item | detection | area (polygons default to area), sensor,
 * category, confidence. Detections are matched best confidence first to the
 * nearest unmatched item within match_m. */
static dm_status read_spatial(dm_store *s, const char *path, double match_m, acc **a_out,
                              size_t *na_out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    sensors__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return dm__vector_open_fail(ctx, path, NULL, CPLGetLastErrorMsg());
    acc *a = NULL;
    size_t na = 0, cap = 0;
    vpt *it = NULL, *de = NULL;
    size_t nit = 0, capit = 0, nde = 0, capde = 0;
    varea *ar = NULL;
    size_t nar = 0, capar = 0;
    dm_status st = DM_OK;
    dm_transform *tr = NULL;
    for (int li = 0; !st && li < GDALDatasetGetLayerCount(ds); li++) {
        OGRLayerH lay = GDALDatasetGetLayer(ds, li);
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lay);
        dm_transform_free(tr);
        tr = NULL;
        if (srs && !(OSRIsGeographic(srs) && OSRGetAuthorityCode(srs, NULL) &&
                     !strcmp(OSRGetAuthorityCode(srs, NULL), "4326"))) {
            char *wkt = NULL;
            OSRExportToWkt(srs, &wkt);
            st = dm_transform_new(ctx, wkt, "EPSG:4326", &tr);
            CPLFree(wkt);
            if (st)
                break;
        }
        OGRFeatureH f;
        long fno = 0;
        OGR_L_ResetReading(lay);
        while (!st && (f = OGR_L_GetNextFeature(lay))) {
            fno++;
            OGRFeatureDefnH d = OGR_F_GetDefnRef(f);
            int ik = OGR_FD_GetFieldIndex(d, "kind"), is = OGR_FD_GetFieldIndex(d, "sensor");
            int ic = OGR_FD_GetFieldIndex(d, "category"),
                ico = OGR_FD_GetFieldIndex(d, "confidence");
            /* copies: the feature is released before they are used */
            char kbuf[32] = "", sbuf[128] = "", cbuf[32] = "";
            if (ik >= 0 && OGR_F_IsFieldSetAndNotNull(f, ik))
                dm__strlcpy(kbuf, OGR_F_GetFieldAsString(f, ik), sizeof kbuf);
            if (is >= 0 && OGR_F_IsFieldSetAndNotNull(f, is))
                dm__strlcpy(sbuf, OGR_F_GetFieldAsString(f, is), sizeof sbuf);
            if (ic >= 0 && OGR_F_IsFieldSetAndNotNull(f, ic))
                dm__strlcpy(cbuf, OGR_F_GetFieldAsString(f, ic), sizeof cbuf);
            const char *kind = sensors__csv_trim(kbuf), *sensor = sensors__csv_trim(sbuf), *cat = sensors__csv_trim(cbuf);
            double conf = 1.0;
            char cobuf[64] = "";
            if (ico >= 0 && OGR_F_IsFieldSetAndNotNull(f, ico)) {
                /* as text: the double of "abc" is 0 */
                dm__strlcpy(cobuf, OGR_F_GetFieldAsString(f, ico), sizeof cobuf);
                char *cs = sensors__csv_trim(cobuf), *end = NULL;
                conf = *cs ? strtod(cs, &end) : NAN;
                if (!*cs || *sensors__csv_trim(end) || !(conf >= 0 && conf <= 1)) {
                    OGR_F_Destroy(f);
                    st = dm__fail(ctx, DM_EPARSE,
                                  "%s: feature %ld: field 'confidence': '%s' is not a "
                                  "confidence (0-1)",
                                  path, fno, cs);
                    break;
                }
            }
            OGRGeometryH og = OGR_F_GetGeometryRef(f);
            dm_geom *g = NULL;
            if (og && !OGR_G_IsEmpty(og)) {
                OGR_G_FlattenTo2D(og);
                int n = OGR_G_WkbSize(og);
                unsigned char *wkb = dm_malloc(ctx, (size_t)n);
                if (!wkb) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                } else {
                    OGR_G_ExportToWkb(og, wkbNDR, wkb);
                    st = dm_geom_from_wkb(ctx, wkb, (size_t)n, &g);
                    dm_free(ctx, wkb);
                }
                if (!st && tr) {
                    dm_geom *g2 = NULL;
                    st = dm_geom_transform(ctx, tr, g, &g2);
                    dm_geom_free(g);
                    g = g2;
                }
            }
            OGR_F_Destroy(f);
            if (st) {
                st = dm__wrap(ctx, "%s: feature %ld", path, fno);
                break;
            }
            if (!g) {
                st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: no geometry", path, fno);
                break;
            }
            dm_geom_type t = dm_geom_type_of(g);
            int poly = t == DM_GEOM_POLYGON || t == DM_GEOM_MULTIPOLYGON;
            if (!*kind)
                kind = poly ? "area" : "";
            int cls = *cat ? dm_class_index(cat) : -1;
            if (!*sensor || (*cat && cls < 0) ||
                (dm__strcasecmp(kind, "item") && dm__strcasecmp(kind, "detection") &&
                 dm__strcasecmp(kind, "area"))) {
                st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s': %s", path, fno,
                              !*sensor            ? "sensor"
                              : (*cat && cls < 0) ? "category"
                                                  : "kind",
                              !*sensor            ? "missing"
                              : (*cat && cls < 0) ? "not an ordnance class"
                                                  : "must be item, detection or area");
                dm_geom_free(g);
                break;
            }
            acc *ak = acc_get(ctx, &a, &na, &cap, sensor);
            if (!ak) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            if (!ak->first) {
                ak->first = fno;
                ak->by_feature = 1;
            }
            if (!dm__strcasecmp(kind, "area")) {
                double ha = 0;
                st = poly ? dm_geom_area_ha(ctx, g, &ha)
                          : dm__fail(ctx, DM_EPARSE, "%s: feature %ld: an area must be a polygon",
                                     path, fno);
                ak->area += ha;
                if (!st && nar == capar) {
                    size_t nc = capar ? 2 * capar : 16;
                    varea *q = dm_realloc(ctx, ar, nc * sizeof *q);
                    if (!q)
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    else {
                        ar = q;
                        capar = nc;
                    }
                }
                if (!st) {
                    ar[nar] = (varea){(size_t)(ak - a), g, {0, 0, 0, 0}};
                    dm_geom_bounds(g, ar[nar].b);
                    nar++;
                } else
                    dm_geom_free(g);
                continue;
            }
            double x, y;
            dm_geom_centroid_xy(g, &x, &y);
            dm_geom_free(g);
            int item = !dm__strcasecmp(kind, "item");
            if (item && cls < 0) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: feature %ld: field 'category': a known item "
                              "needs its class",
                              path, fno);
                break;
            }
            vpt **v = item ? &it : &de;
            size_t *n = item ? &nit : &nde, *c = item ? &capit : &capde;
            if ((st = grow(ctx, v, n, c)))
                break;
            (*v)[(*n)++] = (vpt){x, y, conf, cls, (size_t)(ak - a), 0, fno};
        }
    }
    dm_transform_free(tr);
    GDALClose(ds);
    /* An item or detection off every validation area of its sensor (by more
     * than the match radius, at least 1 m) was counted as a missed item or a
     * false alarm of ground that was not validated. A file of all the
     * detections of a flight of which part was validated is common: those
     * outside are left out, with a warning. When all of a sensor's points lie
     * off its areas (another CRS, longitude and latitude swapped) the file is
     * refused. A sensor with no area at all is named below. */
    if (!st && nar) {
        size_t *n_in = dm_calloc(ctx, na ? na : 1, sizeof *n_in);
        long *first_out = dm_calloc(ctx, na ? na : 1, sizeof *first_out);
        unsigned char *off[2] = {dm_calloc(ctx, nit ? nit : 1, 1), dm_calloc(ctx, nde ? nde : 1, 1)};
        if (!n_in || !first_out || !off[0] || !off[1])
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        size_t n_off[2] = {0, 0};
        long first_off = 0;
        int first_kind = 0;
        for (int pass = 0; !st && pass < 2; pass++) {
            const vpt *v = pass ? de : it;
            size_t nv = pass ? nde : nit;
            for (size_t i = 0; i < nv; i++) {
                int has_area = 0;
                for (size_t k = 0; k < nar && !has_area; k++)
                    has_area = ar[k].sensor == v[i].sensor;
                if (!has_area || in_some_area(ctx, ar, nar, v[i].sensor, v[i].lon, v[i].lat, fmax(match_m, 1.0))) {
                    n_in[v[i].sensor]++;
                    continue;
                }
                off[pass][i] = 1;
                if (!n_off[0] && !n_off[1]) {
                    first_off = v[i].fno;
                    first_kind = pass;
                }
                n_off[pass]++;
                if (!first_out[v[i].sensor])
                    first_out[v[i].sensor] = v[i].fno;
            }
        }
        for (size_t k = 0; !st && k < na; k++)
            if (first_out[k] && !n_in[k])
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: feature %ld: no item or detection of sensor '%s' lies on its validation areas "
                              "(within %g m): are they in another CRS, or longitude and latitude swapped?",
                              path, first_out[k], a[k].sensor, fmax(match_m, 1.0));
        if (!st && (n_off[0] || n_off[1])) {
            for (int pass = 0; pass < 2; pass++) {
                vpt *v = pass ? de : it;
                size_t *nv = pass ? &nde : &nit, m = 0;
                for (size_t i = 0; i < *nv; i++)
                    if (!off[pass][i])
                        v[m++] = v[i];
                *nv = m;
            }
            dm__log(ctx, DM_LOG_WARN,
                    "%s: %zu item%s and %zu detection%s %s off every validation area of their sensor (by more "
                    "than %g m; the first, feature %ld, a%s): left out, as they are not on validated ground",
                    path, n_off[0], n_off[0] == 1 ? "" : "s", n_off[1], n_off[1] == 1 ? "" : "s",
                    n_off[0] + n_off[1] == 1 ? "lies" : "lie", fmax(match_m, 1.0), first_off,
                    first_kind ? " detection" : "n item");
        }
        dm_free(ctx, n_in);
        dm_free(ctx, first_out);
        dm_free(ctx, off[0]);
        dm_free(ctx, off[1]);
    }
    for (size_t k = 0; k < nar; k++)
        dm_geom_free(ar[k].g);
    dm_free(ctx, ar);
    if (!st) {
        /* the most confident detections choose their items first; items
         * sorted by latitude so that each detection looks only at those
         * within match_m north and south (was every item: 38 s for 50 000
         * detections) */
        if (nde) /* a validation of items alone has none (qsort of NULL) */
            qsort(de, nde, sizeof *de, cmp_conf);
        size_t *ix = dm_malloc(ctx, (nit ? nit : 1) * sizeof *ix);
        if (!ix) {
            dm_free(ctx, it);
            dm_free(ctx, de);
            dm_free(ctx, a);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
        for (size_t k = 0; k < nit; k++)
            ix[k] = k;
        sort_items = it;
        qsort(ix, nit, sizeof *ix, cmp_item_lat);
        sort_items = NULL;
        /* a degree of latitude is at least 110 574 m */
        double dlat = match_m / 110000.0;
        for (size_t i = 0; i < nde; i++) {
            long best = -1;
            double bd = match_m;
            size_t lo = 0, hi = nit;
            while (lo < hi) { /* first item with lat >= de.lat - dlat */
                size_t mid = lo + (hi - lo) / 2;
                if (it[ix[mid]].lat < de[i].lat - dlat)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t j = lo; j < nit && it[ix[j]].lat <= de[i].lat + dlat; j++) {
                size_t k = ix[j];
                if (it[k].used || it[k].sensor != de[i].sensor)
                    continue;
                double d = dm_haversine_m(de[i].lon, de[i].lat, it[k].lon, it[k].lat);
                /* ties: the later item in the file, as before */
                if (d < bd || (d == bd && (long)k > best)) {
                    bd = d;
                    best = (long)k;
                }
            }
            dm__progress(ctx, "calibrate: matching", (uint64_t)i + 1, (uint64_t)nde);
            acc *ak = &a[de[i].sensor];
            if (best >= 0)
                it[best].used = 1;
            else if (de[i].cls >= 0)
                ak->fa[de[i].cls]++;
            else
                ak->fa_any++;
        }
        for (size_t k = 0; k < nit; k++) {
            a[it[k].sensor].items[it[k].cls]++;
            a[it[k].sensor].hits[it[k].cls] += it[k].used;
        }
        dm_free(ctx, ix);
    }
    dm_free(ctx, it);
    dm_free(ctx, de);
    if (st) {
        dm_free(ctx, a);
        return st;
    }
    *a_out = a;
    *na_out = na;
    return DM_OK;
}

dm_status dm_sensors_calibrate(dm_store *s, const char *path, double match_m,
                               dm_sensor_rate **rates, size_t *n_rates)
{
    if (rates)
        *rates = NULL;
    if (n_rates)
        *n_rates = 0;
    acc *a = NULL;
    size_t na = 0;
    dm_status st = is_matched_csv(path)
                       ? read_matched_csv(dm_store_ctx(s), path, &a, &na)
                       : read_spatial(s, path, match_m > 0 ? match_m : 1.0, &a, &na);
    if (st)
        return st;
    return finish(s, path, a, na, rates, n_rates);
}
