/* SPDX-License-Identifier: MIT
 *
 * risk_update.c -- the whole risk map job of a database, as `demine risk
 * map` and the server's refresh run it: the model, the area and its grid
 * (the local UTM zone by default), the evidence of the database and of
 * files up to a date, the calibration of the item density, the map, and
 * the write-back of p_contam and expected_items to every hazard with the
 * map's path, options and calibration as metadata, in one transaction.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"
#include "demine/dm_model.h"

#include <cpl_error.h>
#include <errno.h>
#include <gdal.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

/* An area across the antimeridian (points at 179.99 and -179.99) spans 360
 * degrees of longitude as a box; when its parts east and west of 0 fit in a
 * shorter span through 180, the box is taken that way (b[2] above 180).
 * west_max: the largest longitude of the western part, east_min: the
 * smallest of the eastern part. */
static void wrap_antimeridian(double b[4], double west_max, double east_min)
{
    if (b[2] - b[0] > 180 && isfinite(west_max) && isfinite(east_min) &&
        west_max + 360 - east_min < b[2] - b[0]) {
        b[0] = east_min;
        b[2] = west_max + 360;
    }
}

static double norm_lon(double lon)
{
    return lon > 180 ? lon - 360 : lon;
}

/* The longitudes of the western and eastern halves of the area. */
static void aoi_halves(dm_ctx *ctx, const dm_geom *aoi, double *west_max, double *east_min)
{
    *west_max = *east_min = NAN;
    for (int half = 0; half < 2; half++) {
        double x0 = half ? 0 : -180, x1 = half ? 180 : 0;
        double box[10] = {x0, -90, x1, -90, x1, 90, x0, 90, x0, -90}, hb[4];
        dm_geom *bg = NULL, *part = NULL;
        if (dm_geom_polygon(ctx, box, 5, &bg) == DM_OK &&
            dm_geom_intersection(ctx, aoi, bg, &part) == DM_OK && dm_geom_bounds(part, hb)) {
            if (half)
                *east_min = hb[0];
            else
                *west_max = hb[2];
        }
        dm_geom_free(bg);
        dm_geom_free(part);
    }
    dm_ctx_clear_error(ctx);
}

/* An evidence file none of whose items lies within the model's reach of
 * the area (a file of another place, or one whose stated CRS is wrong:
 * degrees labelled EPSG:3116 land off the coast) does not change the map;
 * it was counted among the evidence items all the same, and the map came
 * out flat in silence. */
static void warn_file_elsewhere(dm_ctx *ctx, const dm_risk_model *m, const dm_geom *aoi,
                                const dm_evidence_set *ev, size_t first, const char *path)
{
    double a[4];
    if (first >= ev->n || !dm_geom_bounds(aoi, a))
        return;
    double reach = 1000; /* metres */
    for (size_t t = 0; t < m->n_terms; t++) {
        const dm_risk_term *tm = &m->terms[t];
        double r = tm->type == DM_TERM_DISTANCE ? tm->width_m : 3 * tm->width_m;
        if (tm->type != DM_TERM_COVARIATE && r > reach)
            reach = r;
    }
    /* degrees of longitude shrink towards the poles: a wide margin */
    double lat = fmin(fmax(fabs(a[1]), fabs(a[3])), 80.0);
    double my = reach / 111000.0, mx = my / cos(lat * M_PI / 180);
    for (size_t i = first; i < ev->n; i++) {
        double b[4];
        dm_evidence_item_bounds(&ev->v[i], b);
        if (!(b[2] < a[0] - mx || b[0] > a[2] + mx || b[3] < a[1] - my || b[1] > a[3] + my))
            return;
    }
    dm__log(ctx, DM_LOG_WARN,
            "%s: none of its %zu evidence items lies within %.0f km of the area: they do not "
            "change the map (a file of another place, or a wrong CRS in the file?)",
            path, ev->n - first, reach / 1000);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A few evidence items far from all the others (latitude and longitude
 * swapped, a position of 0, 0, a file of another country) stretch a map
 * without an area to reach them: one swapped point made a map of Colombia
 * span 81 degrees (9,933 x 9,714 cells of 1 km, two minutes; hours at 10
 * m). Said before the work, with the first of them. */
static void warn_outliers(dm_ctx *ctx, const dm_evidence_set *ev, int lon_too)
{
    size_t n = ev->n;
    if (n < 2)
        return;
    double *v = dm_calloc(ctx, n, sizeof *v);
    if (!v) {
        dm_ctx_clear_error(ctx);
        return;
    }
    for (int axis = lon_too ? 0 : 1; axis < 2; axis++) {
        for (size_t i = 0; i < n; i++) {
            double b[4];
            dm_evidence_item_bounds(&ev->v[i], b);
            v[i] = (b[axis] + b[axis + 2]) / 2;
        }
        qsort(v, n, sizeof *v, cmp_double);
        size_t at = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (v[i + 1] - v[i] > v[at + 1] - v[at])
                at = i;
        double gap = v[at + 1] - v[at];
        size_t low = at + 1, high = n - at - 1, few = n / 100 > 5 ? n / 100 : 5;
        if (!(gap > 5) || (low > few && high > few))
            continue;
        int below = low <= high; /* the outliers are the low side */
        double cut = below ? v[at] : v[at + 1];
        size_t count = 0, first = 0;
        for (size_t i = 0; i < n; i++) {
            double b[4];
            dm_evidence_item_bounds(&ev->v[i], b);
            double c = (b[axis] + b[axis + 2]) / 2;
            if (below ? c <= cut : c >= cut)
                if (!count++)
                    first = i;
        }
        double fb[4];
        dm_evidence_item_bounds(&ev->v[first], fb);
        double fx = (fb[0] + fb[2]) / 2, fy = (fb[1] + fb[3]) / 2;
        dm__log(ctx, DM_LOG_WARN,
                "%zu of the %zu evidence items %s %.0f degrees of %s or more from all the others "
                "(the first: %s %s at %.5f, %.5f%s): the map reaches out to them; give --aoi for "
                "the area to map, or fix them (latitude and longitude swapped?)",
                count, n, count == 1 ? "lies" : "lie", gap, axis ? "latitude" : "longitude",
                dm_ev_kind_name(ev->v[first].kind), ev->v[first].date[0] ? ev->v[first].date : "undated",
                fx, fy, fx == 0 && fy == 0 ? ": 0, 0 is where a missing position often lands" : "");
        break;
    }
    dm_free(ctx, v);
}

dm_status dm_risk_grid(dm_ctx *ctx, const dm_geom *aoi, const dm_evidence_set *ev, double cell,
                       const char *crs_in, dm_grid *g)
{
    double b[4];
    /* cells of kilometres are a national overview; beyond 100 km one cell
     * would hold a province and its p says nothing (1e9 gave one cell, p 1) */
    if (!(cell > 0) || !(cell <= DM_RISK_MAX_CELL_M))
        return dm__fail(ctx, DM_EINVAL, "cell size %g m: it must be above 0 and at most %g m",
                        cell, DM_RISK_MAX_CELL_M);
    if (aoi) {
        if (!dm_geom_bounds(aoi, b))
            return dm__fail(ctx, DM_EINVAL, "the area has no extent");
    } else if (!ev || !dm_evidence_bounds(ev, b)) {
        return dm__fail(ctx, DM_ENOTFOUND, "no evidence and no area (--aoi): nothing to map");
    }
    if (!aoi)
        warn_outliers(ctx, ev, b[2] - b[0] <= 180);
    if (b[2] - b[0] > 180) {
        double west_max = NAN, east_min = NAN;
        if (aoi)
            aoi_halves(ctx, aoi, &west_max, &east_min);
        else
            for (size_t i = 0; i < ev->n; i++) {
                double e[4];
                dm_evidence_item_bounds(&ev->v[i], e);
                if (e[0] + e[2] < 0)
                    west_max = isnan(west_max) ? e[2] : fmax(west_max, e[2]);
                else
                    east_min = isnan(east_min) ? e[0] : fmin(east_min, e[0]);
            }
        wrap_antimeridian(b, west_max, east_min);
    }
    double clon = norm_lon((b[0] + b[2]) / 2), clat = (b[1] + b[3]) / 2;
    char crs[sizeof g->crs];
    dm_status st = DM_OK;
    if (crs_in && crs_in[0]) {
        if ((st = dm_crs_require_metres(ctx, crs_in, crs, sizeof crs)))
            return dm__wrap(ctx, "the map's CRS");
        /* a CRS made for elsewhere, or one that stretches areas, gives
         * hectares and items per hectare off by as much */
        double areal, lon = clon, lat = clat;
        int in_area;
        if (dm_crs_fit(ctx, crs, lon, lat, &areal, &in_area) == DM_OK) {
            if (in_area == 0)
                dm__log(ctx, DM_LOG_WARN,
                        "%s is not meant for this area (%.4f, %.4f lies outside its area of use)",
                        crs, lon, lat);
            if (fabs(areal - 1) > 0.01)
                dm__log(ctx, DM_LOG_WARN,
                        "%s scales areas by %.3g here: hectares and items per hectare are off by "
                        "that much (the local UTM zone, the default, is within 0.1 %%)",
                        crs, areal);
        } else
            dm_ctx_clear_error(ctx);
    } else {
        snprintf(crs, sizeof crs, "EPSG:%d", dm_utm_epsg(clon, clat));
        /* an area wider than a zone or two: its edges are stretched */
        double worst = 1;
        for (int k = 0; k < 6; k++) {
            double areal, lon = norm_lon(b[k % 2 ? 2 : 0]), lat = k < 2 ? b[1] : k < 4 ? b[3] : clat;
            int in_area;
            if (dm_crs_fit(ctx, crs, lon, lat, &areal, &in_area) == DM_OK && isfinite(areal) &&
                fabs(areal - 1) > fabs(worst - 1))
                worst = areal;
        }
        dm_ctx_clear_error(ctx);
        if (fabs(worst - 1) > 0.01)
            dm__log(ctx, DM_LOG_WARN,
                    "the area spans %.1f degrees of longitude: %s, the UTM zone of the area's "
                    "centre, scales areas by up to %.3g at its edges (hectares and items per "
                    "hectare are off by as much there); give --crs an equal-area CRS in metres, "
                    "or map it in parts",
                    b[2] - b[0], crs, worst);
    }
    dm_transform *t = NULL;
    st = dm_transform_new(ctx, "EPSG:4326", crs, &t);
    if (st)
        return st;
    /* transform a densified outline of the box */
    double xs[84], ys[84];
    int n = 0;
    for (int k = 0; k <= 20; k++) {
        double f = k / 20.0;
        xs[n] = b[0] + f * (b[2] - b[0]), ys[n++] = b[1];
        xs[n] = b[0] + f * (b[2] - b[0]), ys[n++] = b[3];
        xs[n] = b[0], ys[n++] = b[1] + f * (b[3] - b[1]);
        xs[n] = b[2], ys[n++] = b[1] + f * (b[3] - b[1]);
    }
    for (int k = 0; k < n; k++)
        xs[k] = norm_lon(xs[k]);
    st = dm_transform_xy(t, xs, ys, (size_t)n);
    dm_transform_free(t);
    if (st)
        return st;
    double gb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < n; k++) {
        gb[0] = fmin(gb[0], xs[k]), gb[1] = fmin(gb[1], ys[k]);
        gb[2] = fmax(gb[2], xs[k]), gb[3] = fmax(gb[3], ys[k]);
    }
    if (!aoi) {
        gb[0] -= 1000, gb[1] -= 1000, gb[2] += 1000, gb[3] += 1000;
    }
    return dm_grid_from_bounds(ctx, crs, gb, cell, g);
}

/* Every hazard polygon of the store, as zones to summarise, with the
 * p_contam and expected_items it holds now (*old: 2 per zone, NaN when
 * empty; dm_free). */
static dm_status hazard_zones(dm_ctx *ctx, dm_store *s, dm_evidence_set *zones, double **old)
{
    dm_cursor *c = NULL;
    size_t cap = 0;
    *old = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    int r = 0;
    while (!st && (r = dm_cursor_next(c)) == 1) {
        dm_geom *hg = NULL;
        if ((st = dm_cursor_geom(c, &hg)) || !hg)
            continue;
        dm_evidence e;
        memset(&e, 0, sizeof e);
        e.kind = DM_EV_HAZARD;
        e.uuid = dm_cursor_uuid(c);
        size_t before = zones->n;
        st = dm_evidence_add(ctx, zones, &e, hg);
        dm_geom_free(hg);
        if (st || zones->n == before)
            continue;
        if (zones->n > cap) {
            cap = cap ? 2 * cap : 64;
            double *v = dm_realloc(ctx, *old, cap * 2 * sizeof *v);
            if (!v) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            *old = v;
        }
        (*old)[2 * before] = dm_cursor_real(c, "p_contam", NAN);
        (*old)[2 * before + 1] = dm_cursor_real(c, "expected_items", NAN);
    }
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx);
    dm_cursor_free(c);
    return st;
}

/* Whether a stored value already says v (to 1e-9, relative): a refresh
 * that changes nothing writes nothing to the change log. */
static int same_value(double stored, double v)
{
    return isfinite(stored) && fabs(stored - v) <= 1e-9 * fmax(1.0, fabs(v));
}

/* The options a refresh needs to redo this map, as JSON metadata; files
 * beside the database (or below) kept relative to it, so that a copied
 * directory refreshes its own map. */
static char *options_json(const dm_store *s, const dm_risk_update_opts *o)
{
    json_t *j = json_object();
    char *v;
#define KEEP_PATH(key, p)                                                                          \
    do {                                                                                           \
        if ((v = dm_store_relative_path(s, p))) {                                                  \
            json_object_set_new(j, key, json_string(v));                                           \
            dm_free(dm_store_ctx(s), v);                                                           \
        }                                                                                          \
    } while (0)
    KEEP_PATH("out", o->out_path);
    if (o->model_path)
        KEEP_PATH("model", o->model_path);
    if (o->aoi_path)
        KEEP_PATH("aoi", o->aoi_path);
    json_object_set_new(j, "cell", json_real(o->cell > 0 ? o->cell : 10));
    if (o->crs)
        json_object_set_new(j, "crs", json_string(o->crs));
    json_object_set_new(j, "calibrate", json_boolean(!o->no_calibrate));
    json_object_set_new(j, "qc_rates", json_boolean(!o->no_qc_rates));
    if (o->n_spots) {
        json_t *a = json_array();
        for (size_t i = 0; i < o->n_spots; i++)
            if ((v = dm_store_relative_path(s, o->spot_paths[i]))) {
                json_array_append_new(a, json_string(v));
                dm_free(dm_store_ctx(s), v);
            }
        json_object_set_new(j, "spots", a);
        if (o->spot_label_field)
            json_object_set_new(j, "spot_label_field", json_string(o->spot_label_field));
    }
    if (o->n_cov) {
        json_t *a = json_array();
        for (size_t i = 0; i < o->n_cov; i++)
            if ((v = dm_store_relative_path(s, o->cov[i].path))) {
                json_array_append_new(a, json_pack("{s:s, s:s, s:i}", "name", o->cov[i].name,
                                                   "path", v, "band",
                                                   o->cov[i].band > 0 ? o->cov[i].band : 1));
                dm_free(dm_store_ctx(s), v);
            }
        json_object_set_new(j, "covariates", a);
    }
    /* not read again (a refresh maps the database's present), but named:
     * explain and refresh say that their figures leave them out */
    if (o->n_evidence) {
        json_t *a = json_array();
        for (size_t i = 0; i < o->n_evidence; i++)
            if ((v = dm_store_relative_path(s, o->evidence_paths[i]))) {
                json_array_append_new(a, json_string(v));
                dm_free(dm_store_ctx(s), v);
            }
        json_object_set_new(j, "evidence_files", a);
    }
#undef KEEP_PATH
    if (o->disabled_kinds)
        json_object_set_new(j, "disabled_kinds", json_integer((json_int_t)o->disabled_kinds));
    if (o->disabled_term && o->disabled_term[0])
        json_object_set_new(j, "disabled_term", json_string(o->disabled_term));
    char *txt = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return txt;
}

/* The recalibration by the checked spots of o's files, on grid g. */
static dm_status spot_calibration(dm_ctx *ctx, const dm_risk_update_opts *o, const dm_grid *g,
                                  double factor, double cluster, dm_risk_spot_cal *out)
{
    dm_spot *all = NULL;
    const char **from = NULL; /* the file of each spot */
    size_t n = 0;
    dm_status st = DM_OK;
    for (size_t f = 0; f < o->n_spots && !st; f++) {
        for (size_t e = 0; e < f && !st; e++)
            if (dm_same_file(o->spot_paths[e], o->spot_paths[f]))
                st = dm__fail(ctx, DM_EINVAL, "--spots %s is given twice", o->spot_paths[f]);
        dm_spot *v = NULL;
        size_t k = 0;
        if (st || (st = dm_spots_read(ctx, o->spot_paths[f], o->spot_label_field, &v, &k)))
            break;
        dm_spot *na = dm_realloc(ctx, all, (n + k + 1) * sizeof *na);
        const char **nf = dm_realloc(ctx, from, (n + k + 1) * sizeof *nf);
        if (na)
            all = na;
        if (nf)
            from = nf;
        if (!na || !nf)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t i = 0; i < k && !st; i++) {
            all[n] = v[i];
            from[n++] = o->spot_paths[f];
        }
        dm_free(ctx, v);
    }
    if (!st && (st = dm_risk_spots_fit(ctx, g, factor, cluster, all, n, from, out)) &&
        !strstr(dm_ctx_errmsg(ctx), o->spot_paths[0]))
        dm__wrap(ctx, "%s%s", o->spot_paths[0], o->n_spots > 1 ? " and the other spot files" : "");
    dm_free(ctx, all);
    dm_free(ctx, from);
    return st;
}

/* A covariate raster opens, is georeferenced and has the band asked for,
 * used by the model or not: one that is not (a typo, a path whose ":x" is no
 * band) was only warned of as unused, stored with the map's options, and
 * made every later refresh and explain fail. */
void dm__gdal_init(void);

static dm_status covariate_readable(dm_ctx *ctx, const dm_risk_covariate *cv)
{
    if (dm__refuse_special_file(ctx, cv->path, NULL, "give that"))
        return dm__wrap(ctx, "covariate '%s'", cv->name);
    dm__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(cv->path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return dm__fail(ctx, DM_EIO, "covariate '%s' (%s): cannot open the raster%s", cv->name,
                        cv->path,
                        access(cv->path, F_OK) ? ": no such file" : ": not a raster GDAL reads");
    double gt[6];
    const char *wkt = GDALGetProjectionRef(ds);
    int georef = GDALGetGeoTransform(ds, gt) == CE_None && wkt && *wkt;
    int nb = GDALGetRasterCount(ds);
    GDALClose(ds);
    if (!georef)
        return dm__fail(ctx, DM_EPARSE,
                        "covariate '%s' (%s): raster has no georeference (no geotransform or no "
                        "CRS)",
                        cv->name, cv->path);
    int band = cv->band > 0 ? cv->band : 1;
    if (band > nb)
        return dm__fail(ctx, DM_EINVAL, "covariate '%s' (%s): no band %d: the raster has %d band%s",
                        cv->name, cv->path, band, nb, nb == 1 ? "" : "s");
    return DM_OK;
}

/* Keep the change of one hazard among the DM_RISK_TOP_CHANGES largest of
 * p_contam (then of expected items), largest first. */
static void keep_change(dm_risk_update_result *res, const char *uuid, double p0, double p1, double e0, double e1)
{
    double d = fabs(p1 - p0), de = isfinite(e0) ? fabs(e1 - e0) : 0;
    size_t n = res->n_changes, at = n;
    while (at > 0) {
        const dm_risk_hazard_change *c = &res->changes[at - 1];
        double cd = fabs(c->p_after - c->p_before);
        double ce = isfinite(c->items_before) ? fabs(c->items_after - c->items_before) : 0;
        if (cd > d || (cd == d && ce >= de))
            break;
        at--;
    }
    if (at >= DM_RISK_TOP_CHANGES)
        return;
    if (n == DM_RISK_TOP_CHANGES)
        n--; /* the smallest goes */
    memmove(&res->changes[at + 1], &res->changes[at], (n - at) * sizeof res->changes[0]);
    dm_risk_hazard_change *c = &res->changes[at];
    snprintf(c->uuid, sizeof c->uuid, "%s", uuid);
    c->p_before = p0;
    c->p_after = p1;
    c->items_before = e0;
    c->items_after = e1;
    res->n_changes = n + 1;
}

const char *dm_risk_part_path(const char *out_path, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%ld.part", out_path, (long)getpid());
    return buf;
}

/* Remove the OUT.PID.part files beside out_path whose program is gone (one
 * killed outright, which could not remove its own): each run writes under
 * its own process id, so nothing else would. A program still running (of
 * this machine) keeps its file. */
static void remove_stale_parts(const char *out_path)
{
    const char *slash = strrchr(out_path, '/');
    char dir[4096];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out_path), out_path);
    else
        snprintf(dir, sizeof dir, ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    const char *base = slash ? slash + 1 : out_path;
    size_t nb = strlen(base);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (len < nb + 7 || strncmp(nm, base, nb) || nm[nb] != '.' || strcmp(nm + len - 5, ".part"))
            continue;
        char *end = NULL;
        long pid = strtol(nm + nb + 1, &end, 10);
        if (pid <= 0 || end != nm + len - 5 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to know */
        char full[8300];
        snprintf(full, sizeof full, "%s/%s", dir, nm);
        remove(full);
    }
    closedir(d);
}

dm_status dm_risk_update(dm_ctx *ctx, dm_store *s, const dm_risk_update_opts *o,
                         dm_risk_update_result *res)
{
    memset(res, 0, sizeof *res);
    res->cal.factor = res->cal.cluster = 1.0;
    if (!o || !o->out_path || !o->out_path[0])
        return dm__fail(ctx, DM_EINVAL, "risk map: no output file");
    if (!s && !o->n_evidence)
        return dm__fail(ctx, DM_EINVAL, "risk map: give a database and/or evidence files");
    /* the map must not be written over one of its inputs */
    struct { const char *what, *path; } in[8 + 3 * 64];
    size_t n_in = 0;
    in[n_in].what = "database", in[n_in++].path = s ? dm_store_path(s) : NULL;
    in[n_in].what = "model", in[n_in++].path = o->model_path;
    in[n_in].what = "area (--aoi)", in[n_in++].path = o->aoi_path;
    for (size_t i = 0; i < o->n_evidence && i < 64; i++)
        in[n_in].what = "evidence file", in[n_in++].path = o->evidence_paths[i];
    for (size_t i = 0; i < o->n_cov && i < 64; i++)
        in[n_in].what = "covariate raster", in[n_in++].path = o->cov[i].path;
    for (size_t i = 0; i < o->n_spots && i < 64; i++)
        in[n_in].what = "spot file", in[n_in++].path = o->spot_paths[i];
    for (size_t i = 0; i < n_in; i++)
        if (in[i].path && dm_same_file(o->out_path, in[i].path))
            return dm__fail(ctx, DM_EINVAL, "%s is the %s: not writing the map over it",
                            o->out_path, in[i].what);
    if (access(o->out_path, F_OK) == 0) {
        char *bands = NULL;
        if (dm_raster_get_meta(ctx, o->out_path, "DEMINE_BANDS", &bands)) {
            dm_ctx_clear_error(ctx);
            return dm__fail(ctx, DM_EINVAL, "%s exists and is not a raster: not writing over it",
                            o->out_path);
        }
        dm_free(ctx, bands);
    }
    if (s && !o->no_writeback && !dm_store_writable(s))
        return dm__fail(ctx, DM_EIO,
                        "%s: the database cannot be written (read-only), so its hazards cannot be "
                        "updated; use --no-writeback to map without updating them",
                        dm_store_path(s));

    /* fail before the work when the map cannot be written there */
    char part[4200];
    remove_stale_parts(o->out_path);
    dm_risk_part_path(o->out_path, part, sizeof part);
    FILE *probe = fopen(part, "wb");
    if (!probe)
        return dm__fail(ctx, DM_EIO, "%s: cannot write the map there: %s", o->out_path,
                        strerror(errno));
    fclose(probe);
    remove(part);
    dm_status st = DM_OK;
    dm_geom *aoi = NULL;
    dm_evidence_set ev, zones;
    dm_evidence_set_init(&ev);
    dm_evidence_set_init(&zones);
    dm_risk_zone_result *zr = NULL;
    double *old_vals = NULL; /* each hazard's p_contam and expected_items before */
    dm_risk_model *m = dm_malloc(ctx, sizeof *m);
    if (!m)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (o->model_path)
        st = dm_risk_model_load(ctx, o->model_path, m);
    else
        dm_risk_model_default(m);
    if (!st && o->disabled_term && o->disabled_term[0]) {
        int found = 0;
        for (size_t i = 0; i < m->n_terms && !found; i++)
            found = !strcmp(m->terms[i].name, o->disabled_term);
        if (!found)
            st = dm__fail(ctx, DM_EINVAL, "--disable-term %s: the model has no term of that name",
                          o->disabled_term);
    }
    if (!st && o->aoi_path)
        st = dm_read_polygons(ctx, o->aoi_path, &aoi);
    /* a raster given for nothing is a mistake the user wants to hear of */
    for (size_t c = 0; !st && c < o->n_cov; c++) {
        if ((st = covariate_readable(ctx, &o->cov[c])))
            break;
        int used = 0;
        for (size_t i = 0; i < m->n_terms && !used; i++)
            used = m->terms[i].type == DM_TERM_COVARIATE &&
                   !strcmp(m->terms[i].covariate, o->cov[c].name);
        if (!used)
            dm__log(ctx, DM_LOG_WARN,
                    "covariate '%s' (%s): no term of the model uses it, so it does not change "
                    "the map (a model from `risk fit --add-covariates` does)",
                    o->cov[c].name, o->cov[c].path);
    }
    dm_evidence_opts eo = {0};
    eo.until = o->until;
    eo.no_qc_rates = o->no_qc_rates;
    if (!st && s)
        st = dm_evidence_read_store(ctx, s, &eo, &ev);
    for (size_t i = 0; i < o->n_evidence && !st; i++) {
        size_t first = ev.n;
        st = dm_evidence_read_file(ctx, o->evidence_paths[i], -1, &eo, &ev);
        if (!st && aoi)
            warn_file_elsewhere(ctx, m, aoi, &ev, first, o->evidence_paths[i]);
    }
    if (!st)
        st = dm_risk_grid(ctx, aoi, &ev, o->cell > 0 ? o->cell : 10, o->crs, &res->grid);
    /* memory stays bounded (tile by tile), time does not: a national area at
     * 1 m is billions of cells and many minutes of work; said before it starts */
    if (!st && (double)res->grid.nx * res->grid.ny > 1e9)
        dm__log(ctx, DM_LOG_WARN,
                "the map has %.2f billion cells (%d x %d of %g m): at about 3 million cells a second "
                "on two cores that is %.0f minutes or more; a coarser --cell or a smaller --aoi is faster",
                (double)res->grid.nx * res->grid.ny / 1e9, res->grid.nx, res->grid.ny, res->grid.cell,
                (double)res->grid.nx * res->grid.ny / 3e6 / 60);
    if (!st && s && !o->no_writeback) {
        st = hazard_zones(ctx, s, &zones, &old_vals);
        if (!st && !(zr = dm_calloc(ctx, zones.n ? zones.n : 1, sizeof *zr)))
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (st)
        goto done;
    res->n_evidence = ev.n;
    dm_risk_params p = {0};
    p.grid = &res->grid;
    p.ev = &ev;
    p.cov = o->cov;
    p.n_cov = o->n_cov;
    p.aoi = aoi;
    p.out_path = o->out_path;
    p.tile = o->tile;
    p.mem_limit = o->mem_limit;
    p.disabled_kinds = o->disabled_kinds;
    p.disabled_term = o->disabled_term;
    p.ref_date = o->until;
    p.zones = zr ? &zones : NULL;
    p.zone_out = zr;
    if (!o->no_calibrate) {
        if ((st = dm_risk_calibrate(ctx, m, &p, &res->cal)))
            goto done;
        p.items_factor = res->cal.factor;
        p.cluster = res->cal.cluster;
    }
    if (o->n_spots) {
        if ((st = spot_calibration(ctx, o, &res->grid, res->cal.factor, res->cal.cluster,
                                     &res->spot_cal)))
            goto done;
        p.spot_factor = res->spot_cal.factor;
        p.spot_power = res->spot_cal.power;
    }
    if (!ev.n)
        dm__log(ctx, DM_LOG_WARN, "no evidence at all: the map holds the model's base rate only");
    /* written beside and renamed over the old map when complete (and the
     * database's write-back done), so that a service reading the old one
     * never sees half a file, nor a map the database does not describe */
    p.out_path = part;
    if ((st = dm_risk_map(ctx, m, &p, &res->stats))) {
        remove(part);
        goto done;
    }
    /* a cap around a pole (a box from -180 to 180 up to 90) is no
     * polygon in a projected grid: nothing of it is mapped */
    if (aoi && !isfinite(res->stats.top_p[DM_RISK_TOP_N - 1])) {
        remove(part);
        st = dm__fail(ctx, DM_EGEOM,
                      "%s: the area covers no cell of the map (%d x %d cells of %g m in %s): "
                      "it holds no cell centre (a smaller --cell?), or it runs around a pole "
                      "or along a whole parallel, which no projected grid can draw (give it in "
                      "smaller pieces)",
                      o->aoi_path, res->grid.nx, res->grid.ny, res->grid.cell, res->grid.crs);
        goto done;
    }
    int in_txn = 0;
    if (s && zr) {
        if ((st = dm_store_begin(s))) {
            remove(part);
            goto done;
        }
        in_txn = 1;
        size_t outside = 0;
        for (size_t z = 0; z < zones.n && !st; z++) {
            if (!(zr[z].cells > 0)) {
                outside++; /* no cell of the map: what it says of the hazard stays */
                continue;
            }
            dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
            if (!r) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            double pa = zr[z].p_any, ex = zr[z].expected_items;
            pa = pa < 0 ? 0 : pa > 1 ? 1 : pa;
            ex = ex < 0 ? 0 : ex > 1e9 ? 1e9 : ex;
            if (old_vals && same_value(old_vals[2 * z], pa) && same_value(old_vals[2 * z + 1], ex)) {
                dm_row_free(r);
                continue; /* unchanged: no update, no change-log entry */
            }
            dm_row_set_real(r, "p_contam", pa);
            dm_row_set_real(r, "expected_items", ex);
            st = dm_store_update(s, zones.v[z].uuid, r, "risk map");
            dm_row_free(r);
            if (!st)
                res->hazards_updated++;
            if (!st && old_vals && isfinite(old_vals[2 * z]) && fabs(pa - old_vals[2 * z]) >= 0.001)
                keep_change(res, zones.v[z].uuid, old_vals[2 * z], pa, old_vals[2 * z + 1], ex);
        }
        if (!st && outside)
            dm__log(ctx, DM_LOG_WARN,
                    "%zu of %zu hazards lie outside the map's area: their p_contam and "
                    "expected_items were left as they were",
                    outside, zones.n);
        char *kept = dm_store_relative_path(s, o->out_path);
        if (!st)
            st = kept ? dm_store_meta_set(s, "risk_map", kept)
                      : dm__fail(ctx, DM_ENOMEM, "out of memory");
        dm_free(ctx, kept);
        if (!st) {
            char cj[512];
            const dm_risk_spot_cal *sc = &res->spot_cal;
            snprintf(cj, sizeof cj,
                     "{\"zones\":%zu,\"area_ha\":%.4f,\"found\":%.4f,\"predicted\":%.4f,"
                     "\"factor\":%.6g,\"cluster\":%.6g,\"find_cells\":%zu,\"spots\":%zu,"
                     "\"spots_positive\":%zu,\"spot_factor\":%.9g,\"spot_power\":%.9g,"
                     "\"no_method\":%zu}",
                     res->cal.zones, res->cal.area_ha, res->cal.found, res->cal.predicted,
                     res->cal.factor, res->cal.cluster, res->cal.find_cells, sc->spots,
                     sc->positive, sc->spots ? sc->factor : 1.0, sc->spots ? sc->power : 1.0,
                     res->cal.no_method);
            st = dm_store_meta_set(s, "risk_calibration", cj);
        }
        if (!st) {
            char *oj = options_json(s, o);
            st = oj ? dm_store_meta_set(s, "risk_map_options", oj)
                    : dm__fail(ctx, DM_ENOMEM, "out of memory");
            free(oj);
        }
        if (st) {
            dm_store_rollback(s);
            res->hazards_updated = res->n_changes = 0;
            remove(part);
            goto done;
        }
    }
    if (rename(part, o->out_path) != 0) {
        st = dm__fail(ctx, DM_EIO, "%s: cannot replace the map: %s", o->out_path, strerror(errno));
        remove(part);
        if (in_txn) {
            dm_store_rollback(s);
            res->hazards_updated = res->n_changes = 0;
        }
        goto done;
    }
    if (in_txn && (st = dm_store_commit(s))) {
        dm__wrap(ctx, "%s was written but the database's hazards were not updated",
                 o->out_path);
        res->hazards_updated = res->n_changes = 0;
    }
    /* the legend QGIS opens the map with; the map stands without it */
    if (!st && dm_risk_write_style(ctx, o->out_path, &res->stats)) {
        dm__log(ctx, DM_LOG_WARN, "%s", dm_ctx_errmsg(ctx));
        dm_ctx_clear_error(ctx);
    }
done:
    dm_free(ctx, zr);
    dm_free(ctx, old_vals);
    dm_free(ctx, m);
    dm_evidence_set_free(ctx, &zones);
    dm_evidence_set_free(ctx, &ev);
    dm_geom_free(aoi);
    return st;
}

/* The covariate rasters of the last map (its stored options opt), paths
 * resolved from the database's directory into own[] (freed by the caller),
 * at most max of them. A raster no longer readable is an error: the map
 * made without it would not be the map the options describe. */
static dm_status stored_covariates(dm_ctx *ctx, dm_store *s, const json_t *opt,
                                   dm_risk_covariate *cov, size_t max, size_t *n_cov,
                                   char **own, size_t *n_own)
{
    const json_t *a = json_object_get(opt, "covariates");
    *n_cov = 0;
    for (size_t i = 0; i < json_array_size(a) && *n_cov < max; i++) {
        const json_t *c = json_array_get(a, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *path = json_string_value(json_object_get(c, "path"));
        if (!name || !path)
            return dm__fail(ctx, DM_EPARSE,
                            "metadata risk_map_options: covariate %zu has no name or path", i + 1);
        char *full = own[(*n_own)++] = dm_store_resolve_path(s, path);
        if (!full)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        if (access(full, R_OK) != 0)
            return dm__fail(ctx, DM_EIO,
                            "%s, the covariate '%s' of the last map (risk map --covariate), "
                            "cannot be read: restore it, or make the map again with `risk map`",
                            full, name);
        dm_risk_covariate *cv = &cov[(*n_cov)++];
        cv->name = name;
        cv->path = full;
        cv->band = (int)json_integer_value(json_object_get(c, "band"));
    }
    return DM_OK;
}

/* The last map read evidence files besides the database (risk map DB
 * --evidence F): what redoes or explains it from the database alone leaves
 * them out, which it says (the figures differed from the map in silence). */
static void warn_evidence_files(dm_ctx *ctx, const json_t *opt, const char *what, const char *then)
{
    const json_t *a = json_object_get(opt, "evidence_files");
    size_t n = json_array_size(a);
    if (!n)
        return;
    const char *first = json_string_value(json_array_get(a, 0));
    dm__log(ctx, DM_LOG_WARN,
            "the last map also read %zu evidence file%s besides the database (%s%s), which %s "
            "leaves out: %s",
            n, n == 1 ? "" : "s", first ? first : "?", n > 1 ? ", ..." : "", what, then);
}

dm_status dm_risk_refresh(dm_ctx *ctx, dm_store *s, dm_risk_update_result *res)
{
    memset(res, 0, sizeof *res);
    res->cal.factor = res->cal.cluster = 1.0;
    char *txt = NULL;
    dm_status st = dm_store_meta_get(s, "risk_map_options", &txt);
    if (st || !txt) {
        dm_free(ctx, txt);
        return dm__fail(ctx, DM_ENOTFOUND,
                        "no risk map made by `demine risk map DB` yet: nothing to refresh");
    }
    json_error_t err;
    json_t *j = json_loads(txt, 0, &err);
    dm_free(ctx, txt);
    if (!json_is_object(j)) {
        json_decref(j);
        return dm__fail(ctx, DM_EPARSE, "metadata risk_map_options: not a JSON object");
    }
    /* paths kept relative to the database are taken from its directory */
    char *own[3 + 64 + 64] = {0};
    size_t n_own = 0;
#define RESOLVED(v) (own[n_own] = dm_store_resolve_path(s, v), own[n_own++])
    dm_risk_update_opts o = {0};
    o.out_path = RESOLVED(json_string_value(json_object_get(j, "out")));
    o.model_path = RESOLVED(json_string_value(json_object_get(j, "model")));
    o.aoi_path = RESOLVED(json_string_value(json_object_get(j, "aoi")));
    o.crs = json_string_value(json_object_get(j, "crs"));
    o.cell = json_number_value(json_object_get(j, "cell"));
    o.no_calibrate = json_is_false(json_object_get(j, "calibrate"));
    o.no_qc_rates = json_is_false(json_object_get(j, "qc_rates"));
    json_t *sp = json_object_get(j, "spots");
    const char *paths[64];
    for (size_t i = 0; i < json_array_size(sp) && o.n_spots < 64; i++)
        if (json_is_string(json_array_get(sp, i)) &&
            (paths[o.n_spots] = RESOLVED(json_string_value(json_array_get(sp, i)))))
            o.n_spots++;
#undef RESOLVED
    o.spot_paths = paths;
    o.spot_label_field = json_string_value(json_object_get(j, "spot_label_field"));
    o.disabled_kinds = (unsigned)json_integer_value(json_object_get(j, "disabled_kinds"));
    o.disabled_term = json_string_value(json_object_get(j, "disabled_term"));
    warn_evidence_files(ctx, j, "this refresh",
                        "it maps the database alone (give them to `risk map` again to keep them)");
    dm_risk_covariate cov[64];
    st = stored_covariates(ctx, s, j, cov, 64, &o.n_cov, own, &n_own);
    o.cov = cov;
    for (size_t i = 0; !st && i < o.n_spots; i++)
        if (access(paths[i], R_OK) != 0)
            st = dm__fail(ctx, DM_EIO,
                          "%s, a spot file of the last map (risk map --spots), cannot be read: "
                          "restore it, or make the map again with `risk map` and the spot files "
                          "still wanted",
                          paths[i]);
    if (!st && !o.out_path)
        st = dm__fail(ctx, DM_EPARSE, "metadata risk_map_options: no output file");
    if (!st)
        st = dm_risk_update(ctx, s, &o, res);
    for (size_t i = 0; i < n_own; i++)
        dm_free(ctx, own[i]);
    json_decref(j);
    return st;
}

/* The calibration stored by the last map (1s when none). */
static dm_risk_map_cal stored_calibration(dm_ctx *ctx, dm_store *s)
{
    char *txt = NULL;
    dm_risk_map_cal c = {1.0, 1.0, 1.0, 1.0};
    if (dm_store_meta_get(s, "risk_calibration", &txt) == DM_OK && txt) {
        json_error_t err;
        json_t *j = json_loads(txt, 0, &err);
        double f = json_number_value(json_object_get(j, "factor"));
        double cl = json_number_value(json_object_get(j, "cluster"));
        double sf = json_number_value(json_object_get(j, "spot_factor"));
        double sb = json_number_value(json_object_get(j, "spot_power"));
        if (f > 0)
            c.factor = f;
        if (cl >= 1)
            c.cluster = cl;
        if (sf > 0 && sb > 0)
            c.spot_factor = sf, c.spot_power = sb;
        json_decref(j);
    }
    dm_free(ctx, txt);
    return c;
}

dm_status dm_risk_explain(dm_ctx *ctx, dm_store *s, double lon, double lat,
                          dm_risk_explanation *out)
{
    memset(out, 0, sizeof *out);
    out->lon = lon, out->lat = lat;
    out->lon_cell = out->lat_cell = NAN;
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return dm__fail(ctx, DM_EINVAL, "not a position: %g, %g", lon, lat);
    /* the model, cell and CRS of the last map (defaults without one) */
    char *txt = NULL;
    json_t *opt = NULL;
    if (dm_store_meta_get(s, "risk_map_options", &txt) == DM_OK && txt) {
        json_error_t err;
        opt = json_loads(txt, 0, &err);
    }
    dm_free(ctx, txt);
    const char *model_path = json_string_value(json_object_get(opt, "model"));
    const char *crs_opt = json_string_value(json_object_get(opt, "crs"));
    double cell = json_number_value(json_object_get(opt, "cell"));
    if (!(cell > 0))
        cell = 10;
    dm_status st = DM_OK;
    dm_risk_model *m = dm_malloc(ctx, sizeof *m);
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    dm_transform *t = NULL;
    if (!m) {
        json_decref(opt);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (model_path) {
        char *mp = dm_store_resolve_path(s, model_path);
        st = mp ? dm_risk_model_load(ctx, mp, m) : dm__fail(ctx, DM_ENOMEM, "out of memory");
        dm_free(ctx, mp);
    } else
        dm_risk_model_default(m);
    if (!st)
        st = dm_evidence_read_store(ctx, s, NULL, &ev);
    if (!st)
        warn_evidence_files(ctx, opt, "the explanation",
                            "its figures are of the database's evidence alone, not the map's");
    /* the last map's covariates and switched-off evidence, so that the
     * answer is its pixel */
    dm_risk_covariate cov[64];
    char *cov_own[64] = {0};
    size_t n_cov = 0, n_cov_own = 0;
    if (!st)
        st = stored_covariates(ctx, s, opt, cov, 64, &n_cov, cov_own, &n_cov_own);
    const char *disabled_term = json_string_value(json_object_get(opt, "disabled_term"));
    /* one cell centred on the point */
    char crs[64];
    if (crs_opt && crs_opt[0])
        snprintf(crs, sizeof crs, "%s", crs_opt);
    else
        snprintf(crs, sizeof crs, "EPSG:%d", dm_utm_epsg(lon, lat));
    double x = lon, y = lat;
    if (!st)
        st = dm_transform_new(ctx, "EPSG:4326", crs, &t);
    if (!st)
        st = dm_transform_xy(t, &x, &y, 1);
    if (st)
        goto done;
    dm_grid g = {x - cell / 2, y + cell / 2, cell, 1, 1, ""};
    snprintf(g.crs, sizeof g.crs, "%s", crs);
    /* inside the last map: its very cell, so that the answer is the map's
     * pixel (with the evidence as it is now) */
    char *map_path = dm_store_resolve_path(s, json_string_value(json_object_get(opt, "out")));
    out->outside_map = map_path ? 0 : -1;
    dm_grid mg;
    int anchor_i = 0, anchor_j = 0;
    if (map_path && dm_raster_grid(ctx, map_path, &mg) == DM_OK) {
        dm_transform *mt = NULL;
        double mx = lon, my = lat;
        if (dm_transform_new(ctx, "EPSG:4326", mg.crs, &mt) == DM_OK &&
            dm_transform_xy(mt, &mx, &my, 1) == DM_OK) {
            int i = (int)floor((mx - mg.x0) / mg.cell), j = (int)floor((mg.y0 - my) / mg.cell);
            out->outside_map = !(i >= 0 && i < mg.nx && j >= 0 && j < mg.ny);
            if (!out->outside_map && fabs(mg.cell - cell) < 1e-6 * cell) {
                g = dm_grid_window(&mg, i, j, 1, 1);
                anchor_i = i, anchor_j = j;
                out->lon_cell = mg.x0 + (i + 0.5) * mg.cell, out->lat_cell = mg.y0 - (j + 0.5) * mg.cell;
                dm_transform_free(mt);
                mt = NULL;
                if (dm_transform_new(ctx, mg.crs, "EPSG:4326", &mt) == DM_OK)
                    dm_transform_xy(mt, &out->lon_cell, &out->lat_cell, 1);
            }
        }
        dm_transform_free(mt);
    }
    dm_free(ctx, map_path);
    dm_ctx_clear_error(ctx);
    float xv[DM_RISK_MAX_TERMS], pv = 0, iv = 0;
    float *xo[DM_RISK_MAX_TERMS];
    for (size_t k = 0; k < m->n_terms; k++)
        xo[k] = &xv[k], xv[k] = NAN;
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.cov = cov;
    p.n_cov = n_cov;
    p.disabled_kinds = (unsigned)json_integer_value(json_object_get(opt, "disabled_kinds"));
    p.disabled_term = disabled_term;
    p.p_out = &pv;
    p.items_out = &iv;
    p.x_out = xo;
    p.anchor_i = anchor_i, p.anchor_j = anchor_j;
    dm_risk_map_cal cal = stored_calibration(ctx, s);
    p.items_factor = out->factor = cal.factor;
    p.cluster = out->cluster = cal.cluster;
    p.spot_factor = out->spot_factor = cal.spot_factor;
    p.spot_power = out->spot_power = cal.spot_power;
    p.stage = "risk explain";
    if ((st = dm_risk_map(ctx, m, &p, NULL)))
        goto done;
    out->cell_m = cell;
    out->intercept = m->intercept;
    out->logit = m->intercept;
    out->p_cell = pv;
    out->items_ha = iv;
    out->n_evidence = ev.n;
    for (size_t k = 0; k < m->n_terms; k++) {
        const dm_risk_term *tm = &m->terms[k];
        if (disabled_term && !strcmp(disabled_term, tm->name))
            continue; /* switched off in the map (--disable-term): no share */
        dm_risk_explain_term *e = &out->terms[out->n_terms++];
        snprintf(e->name, sizeof e->name, "%s", tm->name);
        snprintf(e->desc, sizeof e->desc, "%s", tm->desc);
        e->x = xv[k];
        e->weight = tm->weight;
        e->contribution = tm->weight / tm->sd * (xv[k] - tm->mean);
        out->logit += e->contribution;
    }
done:
    for (size_t i = 0; i < n_cov_own; i++)
        dm_free(ctx, cov_own[i]);
    dm_transform_free(t);
    dm_evidence_set_free(ctx, &ev);
    dm_free(ctx, m);
    json_decref(opt);
    return st;
}
