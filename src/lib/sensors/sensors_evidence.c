/* SPDX-License-Identifier: MIT
 *
 * sensors_evidence.c -- the database's sensor data as evidence for the risk
 * engine: each detection a likelihood ratio spread by its position error,
 * each flight footprint a miss probability for the classes its sensor can
 * see; as plain structs, or added straight onto a log-odds grid.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sens {
    char uuid[37];
    unsigned seen;
    int surface_only;
    double pd, far, perr;
    double pd_c[DM_CLASS_COUNT], far_c[DM_CLASS_COUNT]; /* NAN = not calibrated */
} sens;

typedef struct flt {
    char uuid[37];
    char sensor[37];
} flt;

double dm_sensor_detection_lr(double confidence, double pd, double far_ha, double sigma_m)
{
    if (!(confidence > 0))
        return 1;
    if (confidence > 1)
        confidence = 1;
    if (!(sigma_m > 0.1))
        sigma_m = 0.1;
    if (!(far_ha > 1e-3))
        far_ha = 1e-3;
    if (!(pd > 0))
        return 1;
    double a_ha = 2 * 3.14159265358979 * sigma_m * sigma_m / 1e4;
    double lr = 1 + confidence * (pd / (far_ha * a_ha) - 1);
    if (lr < 1)
        lr = 1;
    if (lr > 1e6)
        lr = 1e6;
    return lr;
}

static const sens *find_sens(const sens *ss, size_t n, const char *uuid)
{
    if (!uuid)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ss[i].uuid, uuid))
            return &ss[i];
    return NULL;
}

void dm_sensor_evidence_free(dm_ctx *ctx, dm_sensor_evidence *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->n_areas; i++)
        dm_geom_free(ev->areas[i].footprint);
    dm_free(ctx, ev->areas);
    dm_free(ctx, ev->points);
    memset(ev, 0, sizeof *ev);
}

/* Rates written by other tools (a GIS edit) that the store would refuse:
 * a p_detect of -0.5 made a footprint raise the odds (log 1.5). NaN is
 * "not given" (the default or the overall rate is used). */
static dm_status check_rates(dm_ctx *ctx, const char *layer, const char *who, const char *cls,
                             double pd, double far, double perr)
{
    const char *f = NULL;
    double v = 0;
    if (!isnan(pd) && !(pd >= 0 && pd <= 1))
        f = "p_detect", v = pd;
    else if (!isnan(far) && !(far >= 0 && isfinite(far)))
        f = "false_alarms_ha", v = far;
    else if (!isnan(perr) && !(perr >= 0 && perr <= 1000))
        f = "position_error_m", v = perr;
    if (!f)
        return DM_OK;
    return dm__fail(ctx, DM_EPARSE,
                    "layer '%s': sensor '%s'%s%s: field '%s': %g is out of range; set it with "
                    "`demine sensors add` or `demine sensors calibrate`",
                    layer, who ? who : "?", cls ? " class " : "", cls ? cls : "", f, v);
}

/* Free the cursor of a loop that ended with r: the error when r < 0. */
static dm_status end_cursor(dm_ctx *ctx, dm_cursor **c, int r)
{
    dm_cursor_free(*c);
    *c = NULL;
    return r < 0 ? dm_ctx_errcode(ctx) : DM_OK;
}

dm_status dm_sensor_evidence_gather(dm_store *s, const char *until, dm_sensor_evidence *ev)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(ev, 0, sizeof *ev);
    sens *ss = NULL;
    flt *ff = NULL;
    size_t ns = 0, nf = 0, cap = 0;
    dm_cursor *c = NULL;
    dm_status st;
    int r;
    /* sensors and their calibrated rates */
    if ((st = dm_store_select(s, "sensors", NULL, &c)))
        return st;
    while ((r = dm_cursor_next(c)) == 1) {
        if (ns == cap) {
            size_t nc = cap ? 2 * cap : 8;
            sens *p = dm_realloc(ctx, ss, nc * sizeof *p);
            if (!p) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            ss = p;
            cap = nc;
        }
        sens *x = &ss[ns++];
        memset(x, 0, sizeof *x);
        dm__strlcpy(x->uuid, dm_cursor_uuid(c), sizeof x->uuid);
        const char *kind = dm_cursor_text(c, "kind");
        unsigned dseen;
        int dsurf;
        double dpd, dfar, dpe;
        sensors__kind_defaults(kind, &dseen, &dsurf, &dpd, &dfar, &dpe);
        const char *cls = dm_cursor_text(c, "classes_seen");
        if (!cls || dm_class_set_parse(cls, &x->seen))
            x->seen = dseen;
        const char *so = dm_cursor_text(c, "surface_only");
        x->surface_only = so ? strtol(so, NULL, 10) != 0 : dsurf;
        x->pd = dm_cursor_real(c, "p_detect", dpd);
        x->far = dm_cursor_real(c, "false_alarms_ha", dfar);
        x->perr = dm_cursor_real(c, "position_error_m", dpe);
        for (int k = 0; k < DM_CLASS_COUNT; k++)
            x->pd_c[k] = x->far_c[k] = NAN;
        if ((st = check_rates(ctx, "sensors", dm_cursor_text(c, "name"), NULL, x->pd, x->far,
                              x->perr)))
            goto done;
    }
    if ((st = end_cursor(ctx, &c, r)))
        goto done;
    if ((st = dm_store_select(s, "sensor_rates", NULL, &c)))
        goto done;
    while ((r = dm_cursor_next(c)) == 1) {
        sens *x = (sens *)find_sens(ss, ns, dm_cursor_text(c, "sensor_id"));
        int k = dm_class_index(dm_cursor_text(c, "category"));
        if (!x || k < 0)
            continue;
        x->pd_c[k] = dm_cursor_real(c, "p_detect", NAN);
        x->far_c[k] = dm_cursor_real(c, "false_alarms_ha", NAN);
        if ((st = check_rates(ctx, "sensor_rates", x->uuid, dm_class_name(k), x->pd_c[k],
                              x->far_c[k], 0)))
            goto done;
    }
    if ((st = end_cursor(ctx, &c, r)))
        goto done;
    /* flights */
    dm_select sel = {0};
    sel.until = until;
    if ((st = dm_store_select(s, "flights", &sel, &c)))
        goto done;
    cap = 0;
    while ((r = dm_cursor_next(c)) == 1) {
        if (nf == cap) {
            size_t nc = cap ? 2 * cap : 16;
            flt *p = dm_realloc(ctx, ff, nc * sizeof *p);
            dm_sensor_area_ev *q = p ? dm_realloc(ctx, ev->areas, nc * sizeof *q) : NULL;
            if (p)
                ff = p;
            if (!p || !q) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            ev->areas = q;
            cap = nc;
        }
        flt *fl = &ff[nf++];
        dm__strlcpy(fl->uuid, dm_cursor_uuid(c), sizeof fl->uuid);
        const char *su = dm_cursor_text(c, "sensor_id");
        dm__strlcpy(fl->sensor, su ? su : "", sizeof fl->sensor);
        const sens *x = find_sens(ss, ns, su);
        dm_sensor_area_ev *a = &ev->areas[ev->n_areas];
        memset(a, 0, sizeof *a);
        if ((st = dm_cursor_geom(c, &a->footprint)))
            goto done;
        if (!a->footprint)
            continue;
        ev->n_areas++;
        dm__strlcpy(a->uuid, fl->uuid, sizeof a->uuid);
        const char *d = dm_cursor_text(c, "date");
        dm__strlcpy(a->date, d ? d : "", sizeof a->date);
        if (x) {
            a->classes_seen = x->seen;
            a->surface_only = x->surface_only;
            for (int k = 0; k < DM_CLASS_COUNT; k++) {
                if (!(x->seen & (1u << k)))
                    continue;
                double pd = isnan(x->pd_c[k]) ? x->pd : x->pd_c[k];
                if (pd > 0.999)
                    pd = 0.999;
                a->log_lr[k] = log(1 - pd);
            }
        }
    }
    if ((st = end_cursor(ctx, &c, r)))
        goto done;
    /* detections */
    if ((st = dm_store_select(s, "detections", &sel, &c)))
        goto done;
    cap = 0;
    while ((r = dm_cursor_next(c)) == 1) {
        if (ev->n_points == cap) {
            size_t nc = cap ? 2 * cap : 64;
            dm_sensor_point_ev *p = dm_realloc(ctx, ev->points, nc * sizeof *p);
            if (!p) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            ev->points = p;
            cap = nc;
        }
        dm_geom *g = NULL;
        if ((st = dm_cursor_geom(c, &g)))
            goto done;
        if (!g)
            continue;
        dm_sensor_point_ev *p = &ev->points[ev->n_points];
        memset(p, 0, sizeof *p);
        dm_geom_centroid_xy(g, &p->lon, &p->lat);
        dm_geom_free(g);
        const char *su = dm_cursor_text(c, "sensor_id");
        if (!su) {
            const char *fu = dm_cursor_text(c, "flight_id");
            for (size_t i = 0; fu && i < nf; i++)
                if (!strcmp(ff[i].uuid, fu))
                    su = ff[i].sensor;
        }
        const sens *x = find_sens(ss, ns, su);
        int k = dm_class_index(dm_cursor_text(c, "category"));
        double pd = x ? x->pd : 0.3, far = x ? x->far : 20, perr = x ? x->perr : 1.0;
        if (x && k >= 0 && !isnan(x->pd_c[k]))
            pd = x->pd_c[k];
        if (x && k >= 0 && !isnan(x->far_c[k]))
            far = x->far_c[k];
        p->sigma_m = dm_cursor_real(c, "position_error_m", perr);
        if (!(p->sigma_m >= 0.1))
            p->sigma_m = 0.1;
        double conf = dm_cursor_real(c, "confidence", 0);
        p->log_lr = log(dm_sensor_detection_lr(conf, pd, far, p->sigma_m));
        p->confidence = conf;
        p->p_detect = pd;
        p->false_alarms_ha = far;
        p->classes = k >= 0 ? 1u << k : x && x->seen ? x->seen : DM_CLASS_ALL;
        const char *d = dm_cursor_text(c, "date");
        dm__strlcpy(p->date, d ? d : "", sizeof p->date);
        dm__strlcpy(p->uuid, dm_cursor_uuid(c), sizeof p->uuid);
        ev->n_points++;
    }
    if (r < 0)
        st = dm_ctx_errcode(ctx);
done:
    dm_cursor_free(c);
    dm_free(ctx, ss);
    dm_free(ctx, ff);
    if (st)
        dm_sensor_evidence_free(ctx, ev);
    return st;
}

static int popcount(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Fill cells whose centre lies inside the rings of c (even-odd) with +v. */
static void fill_polygon(const dm_coords *c, const double gt[6], int W, int H, float *acc, float v,
                         double *xs, size_t xs_cap)
{
    double miny = INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < c->n_xy; i++) {
        miny = fmin(miny, c->xy[2 * i + 1]);
        maxy = fmax(maxy, c->xy[2 * i + 1]);
    }
    /* rows whose centre y lies in [miny, maxy]; gt[5] < 0 */
    int r0 = (int)floor((maxy - gt[3]) / gt[5] - 0.5), r1 = (int)ceil((miny - gt[3]) / gt[5] - 0.5);
    if (r0 < 0)
        r0 = 0;
    if (r1 > H - 1)
        r1 = H - 1;
    for (int row = r0; row <= r1; row++) {
        double y = gt[3] + (row + 0.5) * gt[5];
        size_t nx = 0;
        for (size_t p = 0; p < c->n_parts; p++) {
            if (c->kind[p] < 2)
                continue;
            for (size_t i = c->start[p]; i + 1 < c->start[p + 1]; i++) {
                double y0 = c->xy[2 * i + 1], y1 = c->xy[2 * i + 3];
                if ((y0 <= y) == (y1 <= y))
                    continue;
                double x0 = c->xy[2 * i], x1 = c->xy[2 * i + 2];
                if (nx < xs_cap)
                    xs[nx++] = x0 + (y - y0) * (x1 - x0) / (y1 - y0);
            }
        }
        /* sort crossings (few: insertion sort) */
        for (size_t i = 1; i < nx; i++) {
            double t = xs[i];
            size_t j = i;
            while (j && xs[j - 1] > t) {
                xs[j] = xs[j - 1];
                j--;
            }
            xs[j] = t;
        }
        for (size_t i = 0; i + 1 < nx; i += 2) {
            int c0 = (int)ceil((xs[i] - gt[0]) / gt[1] - 0.5);
            int c1 = (int)floor((xs[i + 1] - gt[0]) / gt[1] - 0.5);
            if (c0 < 0)
                c0 = 0;
            if (c1 > W - 1)
                c1 = W - 1;
            float *out = acc + (size_t)row * W;
            for (int col = c0; col <= c1; col++)
                out[col] += v;
        }
    }
}

dm_status dm_sensor_evidence_rasterise(dm_ctx *ctx, const dm_sensor_evidence *ev, unsigned classes,
                                       const char *crs, const double gt[6], int width, int height,
                                       float *logodds)
{
    if (width <= 0 || height <= 0 || !(gt[1] > 0) || !(gt[5] < 0) || gt[2] != 0 || gt[4] != 0)
        return dm__fail(ctx, DM_EINVAL, "the grid must be north-up with positive size");
    if (!classes)
        classes = DM_CLASS_ALL;
    int nclass = popcount(classes & DM_CLASS_ALL);
    size_t ncell = (size_t)width * height;
    float *neg = dm_calloc(ctx, ncell, sizeof(float));
    float *wmax = dm_calloc(ctx, ncell, sizeof(float));
    double *xs = dm_malloc(ctx, 65536 * sizeof(double));
    dm_transform *t = NULL;
    dm_status st = DM_OK;
    if (!neg || !wmax || !xs) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory for a %dx%d grid", width, height);
        goto done;
    }
    int geographic = !crs || !*crs || !dm__strcasecmp(crs, "EPSG:4326");
    if (!geographic && (st = dm_transform_new(ctx, "EPSG:4326", crs, &t)))
        goto done;
    /* footprints: the mixture's miss probability over suspected classes */
    for (size_t i = 0; i < ev->n_areas; i++) {
        const dm_sensor_area_ev *a = &ev->areas[i];
        double miss = 0;
        for (int k = 0; k < DM_CLASS_COUNT; k++)
            if (classes & (1u << k))
                miss += (a->classes_seen & (1u << k)) ? exp(a->log_lr[k]) : 1.0;
        miss /= nclass;
        if (!(miss < 1))
            continue;
        dm_geom *g = NULL;
        const dm_geom *use = a->footprint;
        if (t) {
            if ((st = dm_geom_transform(ctx, t, a->footprint, &g)))
                goto done;
            use = g;
        }
        double b[4];
        if (dm_geom_bounds(use, b) && b[2] >= gt[0] && b[0] <= gt[0] + width * gt[1] &&
            b[3] >= gt[3] + height * gt[5] && b[1] <= gt[3]) {
            dm_coords co;
            if ((st = dm_geom_coords(ctx, use, &co))) {
                dm_geom_free(g);
                goto done;
            }
            fill_polygon(&co, gt, width, height, neg, (float)log(miss), xs, 65536);
            dm_coords_free(ctx, &co);
        }
        dm_geom_free(g);
    }
    /* detections: Gaussian spread of the log likelihood ratio */
    for (size_t i = 0; i < ev->n_points; i++) {
        const dm_sensor_point_ev *p = &ev->points[i];
        if (!(p->classes & classes))
            continue;
        double x = p->lon, y = p->lat, sx = p->sigma_m, sy = p->sigma_m;
        if (t) {
            if ((st = dm_transform_xy(t, &x, &y, 1)))
                goto done;
        } else {
            sy = p->sigma_m / 111320.0;
            sx = sy / fmax(0.01, cos(p->lat * 3.14159265358979 / 180));
        }
        int c0 = (int)floor((x - 3 * sx - gt[0]) / gt[1]),
            c1 = (int)ceil((x + 3 * sx - gt[0]) / gt[1]);
        int r0 = (int)floor((y + 3 * sy - gt[3]) / gt[5]),
            r1 = (int)ceil((y - 3 * sy - gt[3]) / gt[5]);
        /* a spread smaller than a cell still lands in its cell */
        if (c0 < 0)
            c0 = 0;
        if (r0 < 0)
            r0 = 0;
        if (c1 > width - 1)
            c1 = width - 1;
        if (r1 > height - 1)
            r1 = height - 1;
        int cx = (int)floor((x - gt[0]) / gt[1]), cy = (int)floor((y - gt[3]) / gt[5]);
        double cell_m2 =
            t ? gt[1] * -gt[5] : (gt[1] / sx) * (-gt[5] / sy) * p->sigma_m * p->sigma_m;
        double log_lr = p->log_lr;
        if (cell_m2 > 2 * 3.14159265358979 * p->sigma_m * p->sigma_m)
            log_lr = log(dm_sensor_detection_lr(p->confidence, p->p_detect, p->false_alarms_ha,
                                                sqrt(cell_m2 / (2 * 3.14159265358979))));
        for (int row = r0; row <= r1; row++)
            for (int col = c0; col <= c1; col++) {
                double dx = (gt[0] + (col + 0.5) * gt[1] - x) / sx;
                double dy = (gt[3] + (row + 0.5) * gt[5] - y) / sy;
                double w = exp(-0.5 * (dx * dx + dy * dy));
                if (col == cx && row == cy)
                    w = 1; /* the cell holding the detection gets all of it */
                if (w < 1e-3)
                    continue;
                size_t o = (size_t)row * width + col;
                logodds[o] += (float)(w * log_lr);
                if (w > wmax[o])
                    wmax[o] = (float)w;
            }
    }
    for (size_t o = 0; o < ncell; o++)
        logodds[o] += neg[o] * (1.0f - wmax[o]);
done:
    dm_transform_free(t);
    dm_free(ctx, neg);
    dm_free(ctx, wmax);
    dm_free(ctx, xs);
    return st;
}

dm_status dm_sensor_evidence_write_tif(dm_ctx *ctx, const dm_sensor_evidence *ev, unsigned classes,
                                       double cell_m, const char *path, int *w_out, int *h_out)
{
    if (!(cell_m > 0))
        cell_m = 1.0;
    /* detections spread over metres, footprints of hectares: a cell of
     * kilometres holds one value for all of them (--cell 1e9 wrote 11 x 11
     * cells of a million km) */
    if (!(cell_m <= 1000))
        return dm__fail(ctx, DM_EINVAL, "a cell of %g m is too coarse for sensor evidence (at most 1000 m)",
                        cell_m);
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < ev->n_areas; i++) {
        double g[4];
        if (dm_geom_bounds(ev->areas[i].footprint, g)) {
            b[0] = fmin(b[0], g[0]), b[1] = fmin(b[1], g[1]);
            b[2] = fmax(b[2], g[2]), b[3] = fmax(b[3], g[3]);
        }
    }
    for (size_t i = 0; i < ev->n_points; i++) {
        b[0] = fmin(b[0], ev->points[i].lon), b[1] = fmin(b[1], ev->points[i].lat);
        b[2] = fmax(b[2], ev->points[i].lon), b[3] = fmax(b[3], ev->points[i].lat);
    }
    if (!(b[0] <= b[2]))
        return dm__fail(ctx, DM_ENOTFOUND, "no sensor evidence (no flights or detections)");
    char crs[32];
    int epsg = dm_utm_epsg((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    snprintf(crs, sizeof crs, "EPSG:%d", epsg);
    dm_transform *t = NULL;
    dm_status st = dm_transform_new(ctx, "EPSG:4326", crs, &t);
    if (st)
        return st;
    double xs[4] = {b[0], b[2], b[0], b[2]}, ys[4] = {b[1], b[1], b[3], b[3]};
    st = dm_transform_xy(t, xs, ys, 4);
    dm_transform_free(t);
    if (st)
        return st;
    double minx = fmin(fmin(xs[0], xs[1]), fmin(xs[2], xs[3])) - 5 * cell_m;
    double maxx = fmax(fmax(xs[0], xs[1]), fmax(xs[2], xs[3])) + 5 * cell_m;
    double miny = fmin(fmin(ys[0], ys[1]), fmin(ys[2], ys[3])) - 5 * cell_m;
    double maxy = fmax(fmax(ys[0], ys[1]), fmax(ys[2], ys[3])) + 5 * cell_m;
    minx = floor(minx / cell_m) * cell_m;
    maxy = ceil(maxy / cell_m) * cell_m;
    double wd = ceil((maxx - minx) / cell_m), hd = ceil((maxy - miny) / cell_m);
    if (wd * hd > 4e8)
        return dm__fail(ctx, DM_EINVAL,
                        "a %.0f x %.0f grid at %g m is too large; use a larger cell", wd, hd,
                        cell_m);
    int W = (int)wd, H = (int)hd;
    double gt[6] = {minx, cell_m, 0, maxy, 0, -cell_m};
    float *g = dm_calloc(ctx, (size_t)W * H, sizeof(float));
    if (!g)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for a %dx%d grid", W, H);
    st = dm_sensor_evidence_rasterise(ctx, ev, classes, crs, gt, W, H, g);
    if (!st)
        st = sensors__write_float_tif(ctx, path, g, W, H, gt, crs, "sensor log likelihood ratio");
    dm_free(ctx, g);
    if (!st && w_out)
        *w_out = W;
    if (!st && h_out)
        *h_out = H;
    return st;
}
