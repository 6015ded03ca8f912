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
} acc;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s) || *s == '"')
        s++;
    size_t n = strlen(s);
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '"'))
        s[--n] = 0;
    return s;
}

static int split(char *line, char sep, char **cols, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            cols[n] = p;
        n++;
        char *q = strchr(p, sep);
        if (!q)
            break;
        *q = 0;
        p = q + 1;
    }
    for (int i = 0; i < n && i < max; i++)
        cols[i] = trim(cols[i]);
    return n;
}

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

/* Write or replace the sensor_rates row of (sensor, class). */
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
    if (r == 1)
        dm__strlcpy(old, dm_cursor_uuid(c), sizeof old);
    dm_cursor_free(c);
    if (r < 0)
        return dm_ctx_errcode(ctx);
    dm_row *row = dm_row_new(ctx, dm_layer_find("sensor_rates"));
    if (!row)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    st = dm_row_set(row, "sensor_id", suuid);
    if (!st)
        st = dm_row_set(row, "category", cls);
    if (!st)
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

dm_status dm_sensors_calibrate(dm_store *s, const char *path, dm_sensor_rate **rates,
                               size_t *n_rates)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (rates)
        *rates = NULL;
    if (n_rates)
        *n_rates = 0;
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
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        char *p = trim(buf);
        if (!*p || *p == '#')
            continue;
        sep = strchr(p, ';') ? ';' : strchr(p, '\t') ? '\t' : ',';
        ncol = split(p, sep, cols, 32);
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
                        "(and area_ha)", path, lineno);
    }
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        char *p = trim(buf);
        if (!*p || *p == '#')
            continue;
        int n = split(p, sep, cols, 32);
        if (n != ncol) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: %d columns instead of %d", path, lineno,
                          n, ncol);
            goto done;
        }
        if (!*cols[ci_s]) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'sensor': empty", path, lineno);
            goto done;
        }
        int cls = -1;
        if (*cols[ci_c] && (cls = dm_class_index(cols[ci_c])) < 0) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'category': '%s' is not an "
                          "ordnance class", path, lineno, cols[ci_c]);
            goto done;
        }
        int is_item = *cols[ci_i] != 0, det = 0;
        if (is_item && parse_bool(cols[ci_d], &det)) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'detected': '%s' is not 0 or 1",
                          path, lineno, cols[ci_d]);
            goto done;
        }
        if (is_item && cls < 0) {
            st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'category': a known item needs "
                          "its class", path, lineno);
            goto done;
        }
        double area = 0;
        if (ci_a >= 0 && *cols[ci_a]) {
            char *end;
            errno = 0;
            area = strtod(cols[ci_a], &end);
            if (errno || *end || !(area >= 0) || !isfinite(area)) {
                st = dm__fail(ctx, DM_EPARSE, "%s: line %ld: field 'area_ha': '%s' is not an "
                              "area", path, lineno, cols[ci_a]);
                goto done;
            }
        }
        size_t k = 0;
        while (k < na && strcmp(a[k].sensor, cols[ci_s]))
            k++;
        if (k == na) {
            if (na == cap) {
                size_t nc = cap ? 2 * cap : 8;
                acc *q = dm_realloc(ctx, a, nc * sizeof *q);
                if (!q) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    goto done;
                }
                a = q;
                cap = nc;
            }
            memset(&a[na], 0, sizeof a[na]);
            dm__strlcpy(a[na].sensor, cols[ci_s], sizeof a[na].sensor);
            na++;
        }
        if (area > a[k].area)
            a[k].area = area;
        if (is_item) {
            a[k].items[cls]++;
            a[k].hits[cls] += det;
        } else if (cls >= 0) {
            a[k].fa[cls]++;
        } else {
            a[k].fa_any++;
        }
    }
    if (!na) {
        st = dm__fail(ctx, DM_EPARSE, "%s: no validation rows", path);
        goto done;
    }
    /* every sensor must exist and have an area when it has false alarms */
    for (size_t k = 0; k < na; k++) {
        const char *ff[] = {"name"}, *vv[] = {a[k].sensor};
        dm_select sel = {0};
        sel.eq_field = ff;
        sel.eq_value = vv;
        sel.n_eq = 1;
        dm_cursor *c = NULL;
        if ((st = dm_store_select(s, "sensors", &sel, &c)))
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
                          "%s: field 'sensor': no sensor named '%s' in the database (add it with "
                          "`demine sensors add` or import its flights first)", path, a[k].sensor);
            goto done;
        }
        if (!(a[k].area > 0)) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: field 'area_ha': sensor '%s' has no validation area, so no "
                          "false-alarm rate can be estimated", path, a[k].sensor);
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
            r->p_detect = (double)(r->n_detected + 1) / (double)(r->n_items + 2);
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
        r->p_detect = (double)(th + 1) / (double)(ti + 2);
        r->false_alarms_ha = ((double)tfa + 0.5) / a[k].area;
        dm_row *row = dm_row_new(ctx, dm_layer_find("sensors"));
        if (!row) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
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
    fclose(f);
    return st;
}
