/* SPDX-License-Identifier: MIT
 *
 * sensors_sim.c -- simulated drone and magnetometer surveys over a demo
 * database: square flights over suspected hazards, detections drawn from
 * the demo's truth items the sensor can see (surface items for a camera,
 * shallow metal for a magnetometer) with its detection probability and
 * position error, plus false alarms at its rate. The result is the kind of
 * file that comes back from the field, ready for dm_sensors_import.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sim_sensor {
    const char *name, *kind;
    double pd, far_ha, err_m;
} sim_sensor;

static const sim_sensor SIM[2] = {
    {"Simulated multispectral camera", "multispectral", 0.6, 5.0, 0.5},
    {"Simulated magnetometer", "magnetometer", 0.8, 15.0, 0.3},
};

/* Probability that sensor k sees an item of class c at depth_cm. */
static double visible(int k, int c, double depth_cm)
{
    unsigned seen;
    int surf;
    double pd, far, pe;
    sensors__kind_defaults(SIM[k].kind, &seen, &surf, &pd, &far, &pe);
    if (c < 0 || !(seen & (1u << c)))
        return 0;
    if (k == 0) /* camera: on the surface, or barely covered (disturbed soil) */
        return depth_cm <= 0 ? 1.0 : depth_cm <= 3 ? 0.4 : 0.0;
    return depth_cm <= 30 ? 1.0 : depth_cm <= 60 ? 0.5 : 0.0; /* magnetometer */
}

static void add_point(dm_buf *b, int *first, double lon, double lat, const char *flight,
                      const char *sensor, const char *cat, double conf, double err,
                      const char *date)
{
    dm__buf_printf(b,
                   "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                   "[%.8f,%.8f]},\"properties\":{\"flight\":",
                   *first ? "" : ",", lon, lat);
    dm__buf_json_str(b, flight);
    dm__buf_puts(b, ",\"sensor\":");
    dm__buf_json_str(b, sensor);
    if (cat) {
        dm__buf_puts(b, ",\"category\":");
        dm__buf_json_str(b, cat);
    }
    dm__buf_printf(b,
                   ",\"confidence\":%.3f,\"position_error_m\":%.2f,\"model_version\":"
                   "\"simulated-1\",\"date\":\"%s\"}}",
                   conf, err, date);
    *first = 0;
}

/* A validation feature: kind item, detection or area (a ring of 5 points). */
static void add_val(dm_buf *v, int *vfirst, const char *kind, const char *sensor, const char *cat,
                    double conf, const double *xy, int npts)
{
    dm__buf_printf(v, "%s\n{\"type\":\"Feature\",\"geometry\":", *vfirst ? "" : ",");
    if (npts == 1) {
        dm__buf_printf(v, "{\"type\":\"Point\",\"coordinates\":[%.8f,%.8f]}", xy[0], xy[1]);
    } else {
        dm__buf_puts(v, "{\"type\":\"Polygon\",\"coordinates\":[[");
        for (int i = 0; i < npts; i++)
            dm__buf_printf(v, "%s[%.8f,%.8f]", i ? "," : "", xy[2 * i], xy[2 * i + 1]);
        dm__buf_puts(v, "]]}");
    }
    dm__buf_printf(v, ",\"properties\":{\"kind\":\"%s\",\"sensor\":", kind);
    dm__buf_json_str(v, sensor);
    if (cat) {
        dm__buf_puts(v, ",\"category\":");
        dm__buf_json_str(v, cat);
    }
    if (conf >= 0)
        dm__buf_printf(v, ",\"confidence\":%.3f", conf);
    dm__buf_puts(v, "}}");
    *vfirst = 0;
}

static dm_status write_buf(dm_ctx *ctx, const char *path, const dm_buf *b)
{
    if (b->oom)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    FILE *fp = fopen(path, "w");
    if (!fp)
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", path, strerror(errno));
    int bad = fwrite(b->data, 1, b->len, fp) != b->len;
    if (fclose(fp) || bad)
        return dm__fail(ctx, DM_EIO, "%s: write failed", path);
    return DM_OK;
}

dm_status dm_sensors_simulate(dm_store *s, const dm_sensor_sim_opts *opts, const char *path,
                              long *n_flights, long *n_detections)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_sensor_sim_opts o = {0};
    if (opts)
        o = *opts;
    if (!isfinite(o.size_m) || o.size_m > 30000)
        return dm__fail(ctx, DM_EINVAL,
                        "simulated flights of %g m a side: give a size up to 30 km (a flight "
                        "covers at most 1000 km^2)",
                        o.size_m);
    if (o.n_flights > 100000)
        return dm__fail(ctx, DM_EINVAL, "%d simulated flights: at most 100000", o.n_flights);
    if (o.n_flights <= 0)
        o.n_flights = 10;
    if (o.size_m <= 0)
        o.size_m = 200;
    if (!o.seed)
        o.seed = 1;
    if (!o.date)
        o.date = "2025-05-01";
    char date[11];
    if (!dm_date_parse(o.date, date))
        return dm__fail(ctx, DM_EINVAL, "'%s' is not a date", o.date);
    if (n_flights)
        *n_flights = 0;
    if (n_detections)
        *n_detections = 0;
    /* hazard centres */
    long nh = 0;
    dm_status st = dm_store_count(s, "hazards", NULL, &nh);
    if (st)
        return st;
    long nt = 0;
    if ((st = dm_store_count(s, "truth_items", NULL, &nt)))
        return st;
    if (nh == 0 || nt == 0)
        return dm__fail(ctx, DM_ENOTFOUND,
                        "%s: simulation needs hazards and demo truth items (run `demine demo`)",
                        dm_store_path(s));
    double *hc = dm_malloc(ctx, 2 * (size_t)nh * sizeof(double));
    if (!hc)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_cursor *c = NULL;
    long k = 0;
    if ((st = dm_store_select(s, "hazards", NULL, &c))) {
        dm_free(ctx, hc);
        return st;
    }
    int r;
    while ((r = dm_cursor_next(c)) == 1 && k < nh) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        if (dm_geom_centroid_xy(g, &hc[2 * k], &hc[2 * k + 1]))
            k++;
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    dm_ctx_clear_error(ctx);
    nh = k;
    sensors_rng rng;
    sensors__rng_seed(&rng, o.seed * 1000003u + 17);
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    int first = 1, vfirst = 1;
    dm_buf v;
    dm__buf_init(&v);
    dm__buf_puts(&v, "{\"type\":\"FeatureCollection\",\"features\":[");
    long nd = 0;
    for (int f = 0; f < o.n_flights && nh > 0 && !st; f++) {
        long h = (long)(sensors__rng_unif(&rng) * (double)nh);
        int sk = f % 2;
        const sim_sensor *sn = &SIM[sk];
        char ref[48];
        snprintf(ref, sizeof ref, "SIM-%u-%d", o.seed, f + 1);
        double lon = hc[2 * h], lat = hc[2 * h + 1];
        char crs[24];
        snprintf(crs, sizeof crs, "EPSG:%d", dm_utm_epsg(lon, lat));
        dm_transform *to = NULL, *back = NULL;
        if ((st = dm_transform_new(ctx, "EPSG:4326", crs, &to)) ||
            (st = dm_transform_new(ctx, crs, "EPSG:4326", &back))) {
            dm_transform_free(to);
            break;
        }
        double cx = lon, cy = lat;
        st = dm_transform_xy(to, &cx, &cy, 1);
        /* the square, shifted a little off the hazard's centre */
        cx += (sensors__rng_unif(&rng) - 0.5) * o.size_m * 0.3;
        cy += (sensors__rng_unif(&rng) - 0.5) * o.size_m * 0.3;
        double hw = o.size_m / 2;
        double sx[4] = {cx - hw, cx + hw, cx + hw, cx - hw},
               sy[4] = {cy - hw, cy - hw, cy + hw, cy + hw};
        if (!st)
            st = dm_transform_xy(back, sx, sy, 4);
        if (st) {
            dm_transform_free(to);
            dm_transform_free(back);
            break;
        }
        dm__buf_printf(&b,
                       "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
                       "\"coordinates\":[[[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f],"
                       "[%.8f,%.8f]]]},\"properties\":{\"ref\":\"%s\",\"sensor\":",
                       first ? "" : ",", sx[0], sy[0], sx[1], sy[1], sx[2], sy[2], sx[3], sy[3],
                       sx[0], sy[0], ref);
        first = 0;
        dm__buf_json_str(&b, sn->name);
        dm__buf_printf(&b, ",\"sensor_kind\":\"%s\",\"date\":\"%s\",\"altitude_m\":%d}}", sn->kind,
                       date, sk ? 2 : 30);
        if (o.validation) {
            double ring[10] = {sx[0], sy[0], sx[1], sy[1], sx[2],
                               sy[2], sx[3], sy[3], sx[0], sy[0]};
            add_val(&v, &vfirst, "area", sn->name, NULL, -1, ring, 5);
        }
        /* truth items under the footprint */
        double bb[4] = {fmin(sx[0], sx[3]), fmin(sy[0], sy[1]), fmax(sx[1], sx[2]),
                        fmax(sy[2], sy[3])};
        dm_select sel = {0};
        sel.bbox = bb;
        if (!(st = dm_store_select(s, "truth_items", &sel, &c))) {
            while ((r = dm_cursor_next(c)) == 1) {
                dm_geom *g = NULL;
                if (dm_cursor_geom(c, &g) || !g)
                    continue;
                double ix, iy;
                dm_geom_centroid_xy(g, &ix, &iy);
                dm_geom_free(g);
                if (dm_transform_xy(to, &ix, &iy, 1))
                    continue;
                if (fabs(ix - cx) > hw || fabs(iy - cy) > hw)
                    continue;
                const char *cat = dm_cursor_text(c, "category");
                int ci = dm_class_index(cat);
                if (o.validation && ci >= 0) {
                    double ixy[2] = {ix, iy};
                    if (!dm_transform_xy(back, &ixy[0], &ixy[1], 1))
                        add_val(&v, &vfirst, "item", sn->name, dm_class_name(ci), -1, ixy, 1);
                }
                double depth = dm_cursor_real(c, "depth_cm", 5);
                double p = visible(sk, ci, depth) * sn->pd;
                if (sensors__rng_unif(&rng) >= p)
                    continue;
                double px = ix + sn->err_m * sensors__rng_normal(&rng);
                double py = iy + sn->err_m * sensors__rng_normal(&rng);
                /* what the sensor reports lies in what it covered: an item
                 * near the edge is not seen beyond it (import refuses
                 * detections outside their flight) */
                px = fmin(fmax(px, cx - hw + 0.01), cx + hw - 0.01);
                py = fmin(fmax(py, cy - hw + 0.01), cy + hw - 0.01);
                if (dm_transform_xy(back, &px, &py, 1))
                    continue;
                double conf = 0.55 + 0.45 * sensors__rng_unif(&rng);
                /* the classifier names the class right three times in four */
                const char *lab = sensors__rng_unif(&rng) < 0.75 ? dm_class_name(ci) : NULL;
                add_point(&b, &first, px, py, ref, sn->name, lab, conf, sn->err_m, date);
                if (o.validation) {
                    double dxy[2] = {px, py};
                    add_val(&v, &vfirst, "detection", sn->name, lab, conf, dxy, 1);
                }
                nd++;
            }
            dm_cursor_free(c);
            if (r < 0)
                st = dm_ctx_errcode(ctx);
        }
        /* false alarms: Poisson with mean far x area */
        double mean = sn->far_ha * o.size_m * o.size_m / 1e4;
        long nfa = 0;
        for (double t = -log(1 - sensors__rng_unif(&rng)); t < mean;
             t += -log(1 - sensors__rng_unif(&rng)))
            nfa++;
        for (long i = 0; i < nfa && !st; i++) {
            double px = cx + (sensors__rng_unif(&rng) - 0.5) * o.size_m * 0.98;
            double py = cy + (sensors__rng_unif(&rng) - 0.5) * o.size_m * 0.98;
            if (dm_transform_xy(back, &px, &py, 1))
                continue;
            double conf = 0.2 + 0.6 * sensors__rng_unif(&rng);
            add_point(&b, &first, px, py, ref, sn->name, NULL, conf, sn->err_m, date);
            if (o.validation) {
                double dxy[2] = {px, py};
                add_val(&v, &vfirst, "detection", sn->name, NULL, conf, dxy, 1);
            }
            nd++;
        }
        dm_transform_free(to);
        dm_transform_free(back);
        if (n_flights && !st)
            (*n_flights)++;
        dm__progress(ctx, "simulated flights", (uint64_t)f + 1, (uint64_t)o.n_flights);
    }
    dm_free(ctx, hc);
    dm__buf_puts(&b, "\n]}\n");
    dm__buf_puts(&v, "\n]}\n");
    if (!st)
        st = write_buf(ctx, path, &b);
    if (!st && o.validation)
        st = write_buf(ctx, o.validation, &v);
    dm__buf_free(&v);
    dm__buf_free(&b);
    if (!st && n_detections)
        *n_detections = nd;
    return st;
}
