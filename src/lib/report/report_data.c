/* SPDX-License-Identifier: MIT
 *
 * report_data.c -- gathers what the report shows: statistics by district
 * (dm_stats_json), the stored plan summary, hazard and district outlines
 * with their status and planned route, the burn-down of the plan tasks, and
 * the risk raster (band 1) warped to longitude/latitude with GDAL.
 */
#include "district/district_internal.h"
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
        return d->scoped ? d->no_plan : "no plan yet (demine plan DB --teams TEAMS.csv)";
    if (d->plan_fit == REP_PLAN_OTHER)
        return d->no_plan;
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

/* A uuid (the key) against one of an array of char[37]. */
static int cmp_uuid_key(const void *key, const void *elem) { return strcmp(key, elem); }

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
    int x0 = 0, y0 = 0;
    if (d->scoped && gt[1] > 0 && gt[5] < 0) {
        /* a report of some districts: the window of the map they are on, at
         * the detail of their map */
        double c0 = floor((d->view[0] - gt[0]) / gt[1]), c1 = ceil((d->view[2] - gt[0]) / gt[1]);
        double r0 = floor((d->view[3] - gt[3]) / gt[5]), r1 = ceil((d->view[1] - gt[3]) / gt[5]);
        c0 = fmax(c0, 0), r0 = fmax(r0, 0), c1 = fmin(c1, nx), r1 = fmin(r1, ny);
        if (!(c1 > c0 && r1 > r0)) {
            snprintf(d->risk_note, sizeof d->risk_note, "the risk map %s does not cover these districts", path);
            GDALClose(vrt);
            GDALClose(ds);
            CPLPopErrorHandler();
            return;
        }
        x0 = (int)c0, y0 = (int)r0;
        nx = (int)(c1 - c0), ny = (int)(r1 - r0);
    }
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
        GDALRasterIO(b, GF_Read, x0, y0, nx, ny, buf, ox, oy, GDT_Float32, 0, 0) == CE_None)
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
            d->risk_bbox[0] = gt[0] + gt[1] * x0;
            d->risk_bbox[3] = gt[3] + gt[5] * y0;
            d->risk_bbox[2] = gt[0] + gt[1] * (x0 + nx);
            d->risk_bbox[1] = gt[3] + gt[5] * (y0 + ny);
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

/* A name as an option of the command line: quoted when the shell would
 * split or read it. */
static void opt_name(char *out, size_t n, const char *opt, const char *name)
{
    int plain = *name != 0;
    for (const char *q = name; *q && plain; q++)
        plain = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                (unsigned char)*q >= 0x80 || strchr("-_.,", *q);
    if (plain)
        snprintf(out, n, "%s %s", opt, name);
    else
        snprintf(out, n, "%s '%s'", opt, name);
}

/* The districts of the report (o->districts): each found as the public map
 * finds it, or the error naming the known ones; their names as the database
 * writes them, each once, in d->scope, d->scope_opt and (no title given)
 * d->title; vb gets the bounds of their areas (a report of them, not of
 * every district but them). */
static dm_status find_scope(dm_store *s, const dm_report_opts *o, rep_data *d, int titled, double vb[4])
{
    dm_ctx *ctx = d->ctx;
    vb[0] = vb[1] = INFINITY;
    vb[2] = vb[3] = -INFINITY;
    if (!o || !o->districts || !o->n_districts)
        return DM_OK;
    d->scoped = 1;
    d->sc.names = o->districts;
    d->sc.n = o->n_districts;
    d->sc.exclude = !!o->exclude_districts;
    char(*canon)[128] = dm_calloc(ctx, o->n_districts, sizeof *canon);
    if (!canon)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    size_t n = 0;
    int polygons = 1;
    dm_status st = DM_OK;
    for (size_t k = 0; k < o->n_districts && !st; k++) {
        rep_district rd;
        if ((st = dm__rep_find_district(s, o->districts[k], &rd)))
            break;
        polygons &= rd.area != NULL;
        dm_geom_free(rd.area);
        vb[0] = fmin(vb[0], rd.b[0]), vb[1] = fmin(vb[1], rd.b[1]);
        vb[2] = fmax(vb[2], rd.b[2]), vb[3] = fmax(vb[3], rd.b[3]);
        int seen = 0;
        for (size_t q = 0; q < n && !seen; q++)
            seen = !dm__strcasecmp(canon[q], rd.name);
        if (!seen)
            dm__strlcpy(canon[n++], rd.name, sizeof canon[0]);
    }
    if (st) {
        dm_free(ctx, canon);
        return st;
    }
    /* "the district A", "the districts A, B", "every district but A, B", as
     * demine plan names its scope */
    char list[300] = "", and[300] = "";
    size_t ol = 0, oa = 0, oo = 0;
    for (size_t q = 0; q < n; q++) {
        if (ol < sizeof list)
            ol += (size_t)snprintf(list + ol, sizeof list - ol, "%s%s", q ? ", " : "", canon[q]);
        if (oa < sizeof and)
            oa += (size_t)snprintf(and + oa, sizeof and - oa, "%s%s", !q ? "" : q + 1 == n ? " and " : ", ",
                                   canon[q]);
        char opt[200];
        opt_name(opt, sizeof opt, d->sc.exclude ? "--exclude-district" : "--district", canon[q]);
        if (oo < sizeof d->scope_opt)
            oo += (size_t)snprintf(d->scope_opt + oo, sizeof d->scope_opt - oo, "%s%s", q ? " " : "", opt);
    }
    char sc[400];
    snprintf(sc, sizeof sc, "%s%s", d->sc.exclude ? "every district but " : n == 1 ? "the district " : "the districts ",
             list);
    dm__rep_text(NULL, sc, 0, d->scope, sizeof d->scope); /* many names: cut on a character */
    if (!titled) {
        char t[400];
        if (d->sc.exclude)
            snprintf(t, sizeof t, "Mine action status report: every district but %s", and);
        else
            snprintf(t, sizeof t, "Mine action status report: %s district%s", and, n == 1 ? "" : "s");
        dm__rep_text(NULL, t, 0, d->title, sizeof d->title);
    }
    /* the rest of the map veiled: only when each district has its polygon */
    d->veil = !d->sc.exclude && polygons;
    dm_free(ctx, canon);
    return DM_OK;
}

/* A hazard of the report as gathered: its uuid (for the plan's tasks) and,
 * in a report of some districts, its name and district for the priorities
 * and its part of the plan. */
typedef struct hz_info {
    char *uuid, *ref, *district;
    int planned, funded, day_missing, route;
    long rank;
    double ha, cost, day, items, p, value;
    char end[11];
} hz_info;

static void hz_info_free(dm_ctx *ctx, hz_info *hi, size_t n)
{
    for (size_t i = 0; hi && i < n; i++) {
        dm_free(ctx, hi[i].uuid);
        dm_free(ctx, hi[i].ref);
        dm_free(ctx, hi[i].district);
    }
    dm_free(ctx, hi);
}

static int cmp_rank(const void *a, const void *b)
{
    const hz_info *x = *(const hz_info *const *)a, *y = *(const hz_info *const *)b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static const char *const route_names[3] = {"cancel", "reduce", "clear"};

/* The plan against the districts of the report: its part there, what to
 * say when it is of other districts, and the districts with land to
 * release that it leaves out. */
static dm_status plan_fit(rep_data *d, hz_info *hi)
{
    if (!d->plan) {
        snprintf(d->no_plan, sizeof d->no_plan, "no plan yet (demine plan DB %s)", d->scope_opt);
        return DM_OK;
    }
    const char *ps = json_string_value(json_object_get(d->plan, "scope"));
    dm__strlcpy(d->plan_scope, ps && *ps ? ps : "every district", sizeof d->plan_scope);
    d->plan_n = (long)dm__jnum(d->plan, "hazards");
    memset(&d->part, 0, sizeof d->part);
    size_t n_in = 0;
    for (size_t i = 0; i < d->n_hz; i++) {
        if (!hi[i].planned)
            continue;
        n_in++;
        struct rep_part *p = &d->part;
        p->ha += hi[i].ha;
        p->items += hi[i].items;
        p->cost += hi[i].cost;
        if (hi[i].funded) {
            p->funded++;
            p->funded_cost += hi[i].cost;
            p->day += hi[i].day;
            p->day_unknown |= hi[i].day_missing;
        } else
            p->unfunded++;
        if (hi[i].route >= 0 && hi[i].route < 3)
            p->route_ha[hi[i].route] += hi[i].ha;
        if (hi[i].end[0] && strcmp(hi[i].end, p->end) > 0)
            dm__strlcpy(p->end, hi[i].end, sizeof p->end);
    }
    d->plan_in = (long)n_in;
    if (!n_in && d->plan_n > 0) {
        d->plan_fit = REP_PLAN_OTHER;
        snprintf(d->no_plan, sizeof d->no_plan, "no plan of %s: the stored plan is of %s", d->scope, d->plan_scope);
        /* none of its priorities is here */
        json_object_set_new(d->plan, "priorities", json_array());
        return DM_OK;
    }
    if ((long)n_in < d->plan_n) {
        d->plan_fit = REP_PLAN_WIDER;
        /* the priorities: the districts' hazards by their rank in the plan */
        hz_info **ord = dm_calloc(d->ctx, n_in, sizeof *ord);
        json_t *arr = json_array();
        if (!ord || !arr) {
            dm_free(d->ctx, ord);
            json_decref(arr);
            return dm__fail(d->ctx, DM_ENOMEM, "out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < d->n_hz; i++)
            if (hi[i].planned)
                ord[k++] = &hi[i];
        qsort(ord, n_in, sizeof *ord, cmp_rank);
        for (k = 0; k < n_in && k < 20; k++) {
            hz_info *h = ord[k];
            json_t *o = json_object();
            json_object_set_new(o, "hazard", json_string(h->ref && *h->ref ? h->ref : h->uuid));
            json_object_set_new(o, "district", json_string(h->district ? h->district : ""));
            json_object_set_new(o, "rank", json_integer(h->rank));
            json_object_set_new(o, "route", json_string(h->route >= 0 && h->route < 3 ? route_names[h->route] : "?"));
            json_object_set_new(o, "area_ha", json_real(h->ha));
            json_object_set_new(o, "p_contam", json_real(h->p));
            json_object_set_new(o, "expected_items", json_real(h->items));
            json_object_set_new(o, "value", json_real(h->value));
            json_object_set_new(o, "cost_usd", json_real(h->cost));
            json_object_set_new(o, "funded", json_boolean(h->funded));
            if (h->funded && !h->day_missing)
                json_object_set_new(o, "day_rate_cost_usd", json_real(h->day));
            json_array_append_new(arr, o);
        }
        dm_free(d->ctx, ord);
        json_object_set_new(d->plan, "priorities", arr);
    }
    /* districts of the report with land to release that the plan has no
     * hazard of (as the plan's table by district names them) */
    json_t *pd = json_object_get(d->plan, "districts"), *groups = json_object_get(d->stats, "groups");
    if (!json_is_array(pd))
        return DM_OK;
    const char *name;
    json_t *g;
    size_t o = 0;
    int shown = 0;
    json_object_foreach(groups, name, g)
    {
        if (!(dm__jnum(g, "remaining_ha") >= 0.05) || !strcmp(name, "(unknown)"))
            continue;
        int planned = 0;
        size_t k;
        json_t *e;
        json_array_foreach(pd, k, e)
        {
            const char *pn = json_string_value(json_object_get(e, "district"));
            if (pn && !dm__strcasecmp(pn, name))
                planned = 1;
        }
        if (planned || o >= sizeof d->unplanned)
            continue;
        if (shown++ == 6) {
            o += (size_t)snprintf(d->unplanned + o, sizeof d->unplanned - o, ", ...");
            continue;
        }
        if (shown <= 6)
            o += (size_t)snprintf(d->unplanned + o, sizeof d->unplanned - o, "%s%s (%.1f ha to release)",
                                  o ? ", " : "", name, dm__jnum(g, "remaining_ha"));
    }
    return DM_OK;
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
    double vb[4];
    dm_status st = find_scope(s, o, d, t != NULL, vb);
    if (st)
        return st;

    char *js = NULL;
    char(*in)[37] = NULL;
    size_t n_in = 0;
    st = dm__stats_json_scope(s, DM_STATS_BY_DISTRICT, d->scoped ? &d->sc : NULL, &js, d->scoped ? &in : NULL,
                              &n_in);
    if (st)
        return st;
    json_error_t err;
    d->stats = json_loads(js, 0, &err);
    dm_free(ctx, js);
    if (!d->stats) {
        dm_free(ctx, in);
        return dm__fail(ctx, DM_EINTERNAL, "statistics JSON: %s", err.text);
    }
    char *pj = NULL;
    if ((st = dm_store_meta_get(s, "plan", &pj))) {
        dm_free(ctx, in);
        return st;
    }
    if (pj) {
        d->plan = json_loads(pj, 0, &err);
        dm_free(ctx, pj);
    }

    /* district outlines: in a report of some districts, theirs marked */
    dm_cursor *c = NULL;
    int rc;
    if ((st = dm_store_select(s, "districts", NULL, &c))) {
        dm_free(ctx, in);
        return st;
    }
    double sb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}; /* of the districts of the report */
    while ((rc = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g)
            continue;
        int cls = -1;
        if (d->scoped) {
            cls = dm__rep_in_scope(&d->sc, dm_cursor_text(c, "name"));
            double b[4];
            if (cls && dm_geom_bounds(g, b)) {
                sb[0] = fmin(sb[0], b[0]), sb[1] = fmin(sb[1], b[1]);
                sb[2] = fmax(sb[2], b[2]), sb[3] = fmax(sb[3], b[3]);
            }
        }
        int e = add_shape(d, &d->dist, &d->n_dist, &d->cap_dist, g, cls);
        dm_geom_free(g);
        if (e) {
            dm_cursor_free(c);
            dm_free(ctx, in);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
    }
    dm_cursor_free(c);
    /* hazards: in a report of some districts, those the statistics count */
    if ((st = dm_store_select(s, "hazards", NULL, &c))) {
        dm_free(ctx, in);
        return st;
    }
    hz_info *hi = NULL;
    size_t cap_u = 0;
    dm_district_polys *dp = NULL;
    if (d->scoped && (st = dm__district_polys_load(s, &dp))) {
        dm_cursor_free(c);
        dm_free(ctx, in);
        return st;
    }
    d->view[0] = d->view[1] = 1e9;
    d->view[2] = d->view[3] = -1e9;
    while ((rc = dm_cursor_next(c)) > 0) {
        if (d->scoped && !bsearch(dm_cursor_uuid(c), in, n_in, sizeof *in, cmp_uuid_key))
            continue;
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
        size_t n_info = d->n_hz - !e; /* those of the hazards before */
        if (!e && d->n_hz > cap_u) {
            size_t nc = d->cap_hz;
            hz_info *nu = dm_realloc(ctx, hi, nc * sizeof *nu);
            if (nu) {
                hi = nu;
                cap_u = nc;
            } else
                e = 1;
        }
        if (!e) {
            hz_info *h = &hi[d->n_hz - 1];
            n_info++;
            memset(h, 0, sizeof *h);
            h->route = -1;
            h->uuid = dm_strdup(ctx, dm_cursor_uuid(c));
            if (!h->uuid)
                e = 1;
            if (!e && d->scoped) {
                /* its district as the statistics count it: the field, else its polygon */
                const char *ref = dm_cursor_text(c, "ref"),
                           *dn = dm__district_of(dp, dm_cursor_text(c, "district"), g);
                h->ref = dm_strdup(ctx, ref ? ref : "");
                h->district = dm_strdup(ctx, dn ? dn : "");
                e = !h->ref || !h->district;
            }
        }
        dm_geom_free(g);
        if (e) {
            dm_cursor_free(c);
            dm__district_polys_free(dp);
            hz_info_free(ctx, hi, n_info);
            dm_free(ctx, in);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
    }
    dm_cursor_free(c);
    dm__district_polys_free(dp);
    dm_free(ctx, in);
    if (d->scoped) {
        /* the districts' areas and their hazards; every district but some:
         * the others' polygons */
        for (int k = 0; k < 2; k++) {
            const double *b = d->sc.exclude ? sb : vb;
            d->view[k] = fmin(d->view[k], b[k]);
            d->view[k + 2] = fmax(d->view[k + 2], b[k + 2]);
        }
    }
    if (d->n_hz == 0 && !(d->view[2] > d->view[0] && d->view[3] > d->view[1])) {
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
        sorted[i].u = hi[i].uuid;
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
            uidx *f = NULL;
            if (hid) {
                uidx key = {hid, 0};
                f = bsearch(&key, sorted, d->n_hz, sizeof *sorted, cmp_uuid_idx);
                if (f) {
                    size_t i = f->i;
                    d->hz[i].route = !route ? -1 : !strcmp(route, "cancel") ? 0
                                                 : !strcmp(route, "reduce") ? 1
                                                                            : 2;
                    d->hz[i].rank = (long)dm_cursor_real(c, "rank", 0);
                }
            }
            int unfunded = stage && !strcmp(stage, "unfunded");
            if (f && d->scoped) {
                /* the hazard's part of the plan, as the plan sums it */
                hz_info *h = &hi[f->i];
                h->planned = 1;
                h->route = d->hz[f->i].route;
                h->rank = d->hz[f->i].rank;
                h->items = dm_cursor_real(c, "expected_items", 0);
                h->p = dm_cursor_real(c, "p_contam", 0);
                h->value = dm_cursor_real(c, "value", 0);
                h->cost += dm_cursor_real(c, "cost_usd", 0);
                if (unfunded || (route && stage && !strcmp(route, stage)))
                    h->ha += dm_cursor_real(c, "area_ha", 0);
                if (!unfunded) {
                    h->funded = 1;
                    double dr = dm_cursor_real(c, "day_rate_cost_usd", NAN);
                    if (isfinite(dr))
                        h->day += dr;
                    else
                        h->day_missing = 1;
                    if (end && strlen(end) < sizeof h->end && strcmp(end, h->end) > 0)
                        dm__strlcpy(h->end, end, sizeof h->end);
                }
            }
            /* a report of some districts: the burn-down of their land */
            if (end && stage && !unfunded && (!d->scoped || f)) {
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
    dm_free(ctx, sorted);
    if (!st && d->scoped)
        st = plan_fit(d, hi);
    hz_info_free(ctx, hi, d->n_hz);
    if (st) {
        dm_free(ctx, bd);
        return st;
    }
    if (d->plan_fit == REP_PLAN_OTHER)
        d->n_bd = 0; /* no task of the districts: nothing to draw */
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
    /* margins */
    double mx = (d->view[2] - d->view[0]) * 0.04 + 1e-4, my = (d->view[3] - d->view[1]) * 0.04 + 1e-4;
    d->view[0] -= mx;
    d->view[2] += mx;
    d->view[1] -= my;
    d->view[3] += my;
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
