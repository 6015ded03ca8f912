/* SPDX-License-Identifier: MIT
 *
 * report_data.c -- gathers what the report shows: statistics by district
 * (dm_stats_json), the stored plan summary, hazard and district outlines
 * with their status and planned route, the burn-down of the plan tasks, and
 * the risk raster (band 1) warped to longitude/latitude with GDAL.
 */
#include "report/report_internal.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gdalwarper.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double dm__jnum(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

const char *dm__rep_no_plan(const rep_data *d)
{
    if (!d->plan)
        return "no plan yet (demine plan DB --teams TEAMS.csv)";
    json_t *n = json_object_get(d->plan, "hazards");
    if (json_is_number(n) && json_number_value(n) == 0)
        return "nothing to plan: no open hazard with land left to release";
    return NULL;
}

int dm__jday(json_t *o, const char *k, double *usd)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v) || !(json_number_value(v) >= 0))
        return 0;
    *usd = json_number_value(v);
    return 1;
}

const char *dm__rep_usd(char *buf, size_t n, double v)
{
    return dm_plan_usd_text(buf, n, v);
}

const char *dm__rep_usd_band(char *buf, size_t n, double lo, double hi)
{
    if (hi >= 1e5 || !(lo >= 0))
        snprintf(buf, n, "%.2f-%.2f M", lo / 1e6, hi / 1e6);
    else {
        char a[40], b[40];
        snprintf(buf, n, "%s-%s", dm__rep_usd(a, sizeof a, lo), dm__rep_usd(b, sizeof b, hi));
    }
    return buf;
}

const char *dm__day_m(char *buf, size_t n, json_t *o, const char *k)
{
    double v;
    char lk[64], u[40];
    snprintf(lk, sizeof lk, "%s_lower_bound", k);
    if (dm__jday(o, k, &v))
        snprintf(buf, n, "USD %s", dm__rep_usd(u, sizeof u, v));
    else if (dm__jday(o, lk, &v)) /* some teams have no day rate */
        snprintf(buf, n, "at least USD %s", dm__rep_usd(u, sizeof u, v));
    else
        snprintf(buf, n, "unknown");
    return buf;
}

void dm__rep_known_names(dm_store *s, const char *layer, const char *field, const char *cls, char *out, size_t n)
{
    static const char *const eqf[1] = {"class"};
    const char *eqv[1] = {cls};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    if (cls) {
        sel.eq_field = eqf, sel.eq_value = eqv, sel.n_eq = 1;
    }
    sel.order_by = field;
    dm_cursor *c = NULL;
    out[0] = 0;
    long k = 0;
    char prev[128] = "";
    if (dm_store_select(s, layer, &sel, &c) == DM_OK) {
        size_t o = 0;
        while (dm_cursor_next(c) == 1) {
            const char *name = dm_cursor_text(c, field);
            if (!name || !*name || (k && !strncmp(prev, name, sizeof prev - 1)))
                continue; /* the hazards of one district name it once */
            dm__strlcpy(prev, name, sizeof prev);
            if (k++ < 10 && o < n)
                o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", name);
        }
        if (k > 10 && o < n)
            snprintf(out + o, n - o, " and %ld more", k - 10);
    }
    dm_cursor_free(c);
    dm_ctx_clear_error(dm_store_ctx(s));
    if (!k)
        dm__strlcpy(out, "none", n);
}

/* The margin about the hazards of a district that has no polygon, metres. */
#define HAZARD_AREA_MARGIN_M 500.0

/* The area of a district named only in the hazards' own district field
 * (the districts layer has no polygon of that name, as in a database of
 * hazards imported without their districts): the bounds of its hazards with
 * a margin. 1 when some hazard names it (out->name, out->b set), 0 when
 * none does, -1 on error (message in ctx). */
static int district_of_hazards(dm_store *s, rep_district *out, const char *name)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_cursor *c = NULL;
    out->n_hz = 0;
    if (dm_store_select(s, "hazards", NULL, &c))
        return -1;
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *d = dm_cursor_text(c, "district");
        if (!d || dm__strcasecmp(d, name))
            continue;
        dm_geom *g = NULL;
        double gb[4];
        if (dm_cursor_geom(c, &g) == DM_OK && g && dm_geom_bounds(g, gb)) {
            if (!out->n_hz)
                dm__strlcpy(out->name, d, sizeof out->name);
            b[0] = fmin(b[0], gb[0]), b[1] = fmin(b[1], gb[1]);
            b[2] = fmax(b[2], gb[2]), b[3] = fmax(b[3], gb[3]);
            out->n_hz++;
        }
        dm_ctx_clear_error(ctx);
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    if (rc < 0)
        return -1;
    if (!out->n_hz)
        return 0;
    double dy = HAZARD_AREA_MARGIN_M / 111320.0, dx = dy / fmax(cos((b[1] + b[3]) / 2 * M_PI / 180), 0.05);
    out->b[0] = fmax(b[0] - dx, -180), out->b[1] = fmax(b[1] - dy, -90);
    out->b[2] = fmin(b[2] + dx, 180), out->b[3] = fmin(b[3] + dy, 90);
    return 1;
}

dm_status dm__rep_find_district(dm_store *s, const char *name, rep_district *out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(out, 0, sizeof *out);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "districts", NULL, &c);
    if (st)
        return st;
    int rc, found = 0, no_polygon = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *nm = dm_cursor_text(c, "name");
        if (!nm || dm__strcasecmp(nm, name))
            continue;
        dm__strlcpy(out->name, nm, sizeof out->name);
        st = dm_cursor_geom(c, &out->area);
        if (!st && (!out->area || !dm_geom_bounds(out->area, out->b))) {
            dm_geom_free(out->area);
            out->area = NULL;
            no_polygon = 1; /* the hazards of the district may still give its area */
        } else
            found = 1;
        break;
    }
    dm_cursor_free(c);
    if (st || found)
        return st;
    /* no polygon of that name: the hazards that name it in their own field */
    int hz = district_of_hazards(s, out, name);
    if (hz < 0)
        return dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    if (hz > 0) {
        dm__log(ctx, DM_LOG_WARN,
                "%s: district '%s' has %s in layer districts: the map shows the area of its %ld hazard%s "
                "(field district of layer hazards) with a %.0f m margin",
                dm_store_path(s), out->name, no_polygon ? "no polygon" : "no row", out->n_hz,
                out->n_hz == 1 ? "" : "s", HAZARD_AREA_MARGIN_M);
        return DM_OK;
    }
    if (no_polygon)
        return dm__fail(ctx, DM_EGEOM,
                        "%s: district '%s' (layer districts) has no polygon to map, and no hazard names it in its "
                        "field district",
                        dm_store_path(s), out->name);
    char known[800], known_hz[800];
    dm__rep_known_names(s, "districts", "name", NULL, known, sizeof known);
    dm__rep_known_names(s, "hazards", "district", NULL, known_hz, sizeof known_hz);
    return dm__fail(ctx, DM_ENOTFOUND,
                    "%s: no district '%s' in layer districts (field name) nor in layer hazards (field district); "
                    "known: in districts %s; in hazards %s",
                    dm_store_path(s), name, known, known_hz);
}

static int add_shape(rep_data *d, rep_shape **arr, size_t *n, size_t *cap, const dm_geom *g,
                     int cls)
{
    dm_coords c;
    if (dm_geom_coords(d->ctx, g, &c))
        return -1;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 128;
        rep_shape *na = dm_realloc(d->ctx, *arr, nc * sizeof *na);
        if (!na)
            goto fail;
        *arr = na;
        *cap = nc;
    }
    if (d->n_xy + c.n_xy > d->cap_xy) {
        size_t nc = (d->cap_xy + c.n_xy) * 2;
        double *nx = dm_realloc(d->ctx, d->xy, nc * 2 * sizeof *nx);
        if (!nx)
            goto fail;
        d->xy = nx;
        d->cap_xy = nc;
    }
    if (d->n_parts + c.n_parts + 1 > d->cap_parts) {
        size_t nc = (d->cap_parts + c.n_parts + 1) * 2;
        size_t *np = dm_realloc(d->ctx, d->part_start, nc * sizeof *np);
        if (!np)
            goto fail;
        d->part_start = np;
        d->cap_parts = nc;
    }
    rep_shape *sh = &(*arr)[(*n)++];
    memset(sh, 0, sizeof *sh);
    sh->first = d->n_parts;
    sh->n_parts = c.n_parts;
    sh->cls = cls;
    sh->route = -1;
    double sx = 0, sy = 0;
    for (size_t p = 0; p < c.n_parts; p++) {
        d->part_start[d->n_parts++] = d->n_xy;
        for (size_t k = c.start[p]; k < c.start[p + 1]; k++) {
            d->xy[2 * d->n_xy] = c.xy[2 * k];
            d->xy[2 * d->n_xy + 1] = c.xy[2 * k + 1];
            sx += c.xy[2 * k];
            sy += c.xy[2 * k + 1];
            d->n_xy++;
        }
        d->part_start[d->n_parts] = d->n_xy;
    }
    if (c.n_xy) {
        sh->cx = sx / (double)c.n_xy;
        sh->cy = sy / (double)c.n_xy;
    }
    dm_coords_free(d->ctx, &c);
    return 0;
fail:
    dm_coords_free(d->ctx, &c);
    return -1;
}

static int status_code(const char *s)
{
    if (!s || !strcmp(s, "open"))
        return 0;
    if (!strcmp(s, "partly_released"))
        return 1;
    if (!strcmp(s, "closed"))
        return 2;
    return 3;
}

typedef struct uidx {
    const char *u;
    size_t i;
} uidx;

static int cmp_uuid_idx(const void *a, const void *b)
{
    return strcmp(((const uidx *)a)->u, ((const uidx *)b)->u);
}

static void read_risk(rep_data *d, const char *path)
{
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        snprintf(d->risk_note, sizeof d->risk_note, "risk map %s cannot be read", path);
        CPLPopErrorHandler();
        return;
    }
    double gt0[6];
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (GDALGetGeoTransform(ds, gt0) == CE_None && srs && OSRIsProjected(srs) && OSRGetLinearUnits(srs, NULL) == 1.0)
        d->risk_cell_m = gt0[1];
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    char *wkt = NULL;
    OSRExportToWkt(wgs, &wkt);
    GDALDatasetH vrt = GDALAutoCreateWarpedVRT(ds, NULL, wkt, GRA_Bilinear, 0.0, NULL);
    CPLFree(wkt);
    OSRDestroySpatialReference(wgs);
    if (!vrt) {
        snprintf(d->risk_note, sizeof d->risk_note, "risk map %s cannot be warped", path);
        GDALClose(ds);
        CPLPopErrorHandler();
        return;
    }
    double gt[6];
    GDALGetGeoTransform(vrt, gt);
    int nx = GDALGetRasterXSize(vrt), ny = GDALGetRasterYSize(vrt);
    int ox = nx, oy = ny;
    double sc = 900.0 / (nx > ny ? nx : ny);
    if (sc < 1) {
        ox = (int)(nx * sc) + 1;
        oy = (int)(ny * sc) + 1;
    }
    float *buf = dm_malloc(d->ctx, (size_t)ox * (size_t)oy * sizeof *buf);
    GDALRasterBandH b = GDALGetRasterBand(vrt, 1);
    int ok = 0;
    double nodata = 0;
    int has_nd = 0;
    if (b)
        nodata = GDALGetRasterNoDataValue(b, &has_nd);
    if (buf && b &&
        GDALRasterIO(b, GF_Read, 0, 0, nx, ny, buf, ox, oy, GDT_Float32, 0, 0) == CE_None)
        ok = 1;
    if (ok) {
        double mx = 0;
        for (size_t i = 0; i < (size_t)ox * (size_t)oy; i++)
            if (isfinite(buf[i]) && (!has_nd || buf[i] != nodata) && buf[i] > mx)
                mx = buf[i];
        d->risk_max = mx;
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, ox, oy);
        if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
            cairo_surface_flush(img);
            unsigned char *px = cairo_image_surface_get_data(img);
            int stride = cairo_image_surface_get_stride(img);
            /* a logarithmic ramp: most cells hold tiny probabilities */
            double lmax = mx > 0 ? log10(mx) : 0, lmin = lmax - 4;
            for (int yy = 0; yy < oy; yy++)
                for (int xx = 0; xx < ox; xx++) {
                    float v = buf[(size_t)yy * ox + xx];
                    uint32_t *p = (uint32_t *)(px + (size_t)yy * stride) + xx;
                    if (!isfinite(v) || (has_nd && v == nodata) || v <= 0) {
                        *p = 0;
                        continue;
                    }
                    double t = (log10(v) - lmin) / (lmax - lmin);
                    t = t < 0 ? 0 : t > 1 ? 1 : t;
                    /* yellow -> orange -> dark red, alpha rising with risk */
                    double r = 1.0, g = 1.0 - 0.85 * t, bl = 0.6 * (1 - t) * (1 - t);
                    if (t > 0.7)
                        r = 1.0 - (t - 0.7) * 1.2;
                    double a = 0.15 + 0.85 * t;
                    *p = ((uint32_t)(a * 255) << 24) | ((uint32_t)(r * a * 255) << 16) |
                         ((uint32_t)(g * a * 255) << 8) | (uint32_t)(bl * a * 255);
                }
            cairo_surface_mark_dirty(img);
            d->risk = img;
            d->risk_bbox[0] = gt[0];
            d->risk_bbox[3] = gt[3];
            d->risk_bbox[2] = gt[0] + gt[1] * nx;
            d->risk_bbox[1] = gt[3] + gt[5] * ny;
        } else
            cairo_surface_destroy(img);
    }
    if (!d->risk)
        snprintf(d->risk_note, sizeof d->risk_note, "risk map %s could not be read", path);
    dm_free(d->ctx, buf);
    GDALClose(vrt);
    GDALClose(ds);
    CPLPopErrorHandler();
}

static int cmp_bd(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

dm_status dm__report_gather(dm_store *s, const dm_report_opts *o, rep_data *d)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(d, 0, sizeof *d);
    d->ctx = ctx;
    /* an empty or blank title (--title "") is the default, not a report
     * headed by nothing */
    const char *t = o && o->title && o->title[strspn(o->title, " \t\r\n")] ? o->title : NULL;
    dm__rep_text(NULL, t ? t : "National mine action status report", 0, d->title,
                 sizeof d->title); /* cut on a character, not inside one */
    char now[21];
    dm_now_iso(now);
    now[10] = 0;
    if (o && o->date) {
        /* exactly YYYY-MM-DD: 01/02/2026 could be either of two days */
        const char *q = o->date;
        int strict = strlen(q) == 10 && q[4] == '-' && q[7] == '-';
        for (int i = 0; strict && i < 10; i++)
            strict = i == 4 || i == 7 || (q[i] >= '0' && q[i] <= '9');
        if (!strict || !dm_date_parse(o->date, d->date))
            return dm__fail(ctx, DM_EINVAL, "report date '%s' is not a date YYYY-MM-DD from 1800-01-01 to 2200-12-31",
                            o->date);
    } else
        dm__strlcpy(d->date, now, sizeof d->date);
    const char *p = dm_store_path(s), *slash = strrchr(p, '/');
    dm__strlcpy(d->db, slash ? slash + 1 : p, sizeof d->db);

    char *js = NULL;
    dm_status st = dm_stats_json(s, DM_STATS_BY_DISTRICT, &js);
    if (st)
        return st;
    json_error_t err;
    d->stats = json_loads(js, 0, &err);
    dm_free(ctx, js);
    if (!d->stats)
        return dm__fail(ctx, DM_EINTERNAL, "statistics JSON: %s", err.text);
    char *pj = NULL;
    if ((st = dm_store_meta_get(s, "plan", &pj)))
        return st;
    if (pj) {
        d->plan = json_loads(pj, 0, &err);
        dm_free(ctx, pj);
    }

    /* district outlines */
    dm_cursor *c = NULL;
    int rc;
    if ((st = dm_store_select(s, "districts", NULL, &c)))
        return st;
    while ((rc = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        int e = add_shape(d, &d->dist, &d->n_dist, &d->cap_dist, g, -1);
        dm_geom_free(g);
        if (e) {
            dm_cursor_free(c);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
    }
    dm_cursor_free(c);
    /* hazards */
    if ((st = dm_store_select(s, "hazards", NULL, &c)))
        return st;
    char **uuids = NULL;
    size_t cap_u = 0;
    d->view[0] = d->view[1] = 1e9;
    d->view[2] = d->view[3] = -1e9;
    while ((rc = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        double b[4];
        if (dm_geom_bounds(g, b)) {
            d->view[0] = fmin(d->view[0], b[0]);
            d->view[1] = fmin(d->view[1], b[1]);
            d->view[2] = fmax(d->view[2], b[2]);
            d->view[3] = fmax(d->view[3], b[3]);
        }
        int e = add_shape(d, &d->hz, &d->n_hz, &d->cap_hz, g,
                          status_code(dm_cursor_text(c, "status")));
        dm_geom_free(g);
        if (!e && d->n_hz > cap_u) {
            size_t nc = d->cap_hz;
            char **nu = dm_realloc(ctx, uuids, nc * sizeof *nu);
            if (nu) {
                uuids = nu;
                cap_u = nc;
            } else
                e = 1;
        }
        if (!e) {
            uuids[d->n_hz - 1] = dm_strdup(ctx, dm_cursor_uuid(c));
            if (!uuids[d->n_hz - 1])
                e = 1;
        }
        if (e) {
            dm_cursor_free(c);
            for (size_t i = 0; i + 1 < d->n_hz; i++)
                dm_free(ctx, uuids[i]);
            dm_free(ctx, uuids);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
    }
    dm_cursor_free(c);
    if (d->n_hz == 0) {
        d->view[0] = 46.45;
        d->view[1] = 39.4;
        d->view[2] = 47.65;
        d->view[3] = 40.1;
    }
    /* an index uuid -> shape for the plan */
    uidx *sorted = dm_calloc(ctx, d->n_hz ? d->n_hz : 1, sizeof *sorted);
    if (!sorted)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n_hz && sorted; i++) {
        sorted[i].u = uuids[i];
        sorted[i].i = i;
    }
    if (sorted)
        qsort(sorted, d->n_hz, sizeof *sorted, cmp_uuid_idx);
    /* plan tasks: route and rank per hazard, burn-down */
    size_t cap_bd = 0;
    double *bd = NULL;
    if (!st && !(st = dm_store_select(s, "plan_tasks", NULL, &c))) {
        while ((rc = dm_cursor_next(c)) > 0) {
            const char *hid = dm_cursor_text(c, "hazard_id");
            const char *route = dm_cursor_text(c, "route");
            const char *stage = dm_cursor_text(c, "stage");
            const char *end = dm_cursor_text(c, "end");
            if (hid) {
                uidx key = {hid, 0};
                uidx *f = bsearch(&key, sorted, d->n_hz, sizeof *sorted, cmp_uuid_idx);
                if (f) {
                    size_t i = f->i;
                    d->hz[i].route = !route ? -1 : !strcmp(route, "cancel") ? 0
                                                 : !strcmp(route, "reduce") ? 1
                                                                            : 2;
                    d->hz[i].rank = (long)dm_cursor_real(c, "rank", 0);
                }
            }
            if (end && stage && strcmp(stage, "unfunded")) {
                /* released area counts at the end of its first stage's tasks */
                if (d->n_bd == cap_bd) {
                    size_t nc = cap_bd ? cap_bd * 2 : 1024;
                    double *nb = dm_realloc(ctx, bd, nc * 2 * sizeof *nb);
                    if (!nb) {
                        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                        break;
                    }
                    bd = nb;
                    cap_bd = nc;
                }
                double ha = dm_cursor_real(c, "area_ha", 0);
                if (route && strcmp(route, stage))
                    ha = 0; /* follow-up clearance after TS: land already counted */
                bd[2 * d->n_bd] = (double)dm_date_days(end);
                bd[2 * d->n_bd + 1] = ha;
                d->n_bd++;
            }
        }
        dm_cursor_free(c);
    }
    for (size_t i = 0; i < d->n_hz; i++)
        dm_free(ctx, uuids[i]);
    dm_free(ctx, uuids);
    dm_free(ctx, sorted);
    if (st) {
        dm_free(ctx, bd);
        return st;
    }
    if (d->n_bd) {
        qsort(bd, d->n_bd, 2 * sizeof *bd, cmp_bd);
        d->bd_day = dm_malloc(ctx, d->n_bd * sizeof *d->bd_day);
        d->bd_ha = dm_malloc(ctx, d->n_bd * sizeof *d->bd_ha);
        if (!d->bd_day || !d->bd_ha) {
            dm_free(ctx, bd);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
        double cum = 0;
        for (size_t k = 0; k < d->n_bd; k++) {
            cum += bd[2 * k + 1];
            d->bd_day[k] = bd[2 * k];
            d->bd_ha[k] = cum;
        }
        d->bd_total = cum;
        const char *ps = d->plan ? json_string_value(json_object_get(d->plan, "start")) : NULL;
        d->bd_start = ps ? dm_date_days(ps) : (long)d->bd_day[0];
    }
    dm_free(ctx, bd);
    /* risk raster */
    char *rp = NULL;
    if ((st = dm_store_meta_get(s, "risk_map", &rp)))
        return st;
    if (rp) {
        char *abs = dm_store_resolve_path(s, rp); /* relative to the database */
        read_risk(d, abs ? abs : rp);
        dm_free(ctx, abs);
        dm_free(ctx, rp);
        /* calibrated on nothing (dm_risk_update's "risk_calibration"): its
         * levels are the model's own, a ranking */
        char *cj = NULL;
        if ((st = dm_store_meta_get(s, "risk_calibration", &cj)))
            return st;
        json_error_t jerr;
        json_t *j = cj ? json_loads(cj, 0, &jerr) : NULL;
        json_t *zones = json_object_get(j, "zones"), *spots = json_object_get(j, "spots");
        d->risk_uncalibrated = json_is_integer(zones) && !json_integer_value(zones) && json_is_integer(spots) &&
                               !json_integer_value(spots);
        json_decref(j);
        dm_free(ctx, cj);
    } else
        dm__strlcpy(d->risk_note, "no risk map yet (demine risk map DB)", sizeof d->risk_note);
    /* margins */
    double mx = (d->view[2] - d->view[0]) * 0.04 + 1e-4, my = (d->view[3] - d->view[1]) * 0.04 + 1e-4;
    d->view[0] -= mx;
    d->view[2] += mx;
    d->view[1] -= my;
    d->view[3] += my;
    return DM_OK;
}

void dm__report_free(rep_data *d)
{
    json_decref(d->stats);
    json_decref(d->plan);
    dm_free(d->ctx, d->xy);
    dm_free(d->ctx, d->part_start);
    dm_free(d->ctx, d->hz);
    dm_free(d->ctx, d->dist);
    dm_free(d->ctx, d->bd_day);
    dm_free(d->ctx, d->bd_ha);
    if (d->risk)
        cairo_surface_destroy(d->risk);
}
