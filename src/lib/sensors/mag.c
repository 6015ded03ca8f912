/* SPDX-License-Identifier: MIT
 *
 * mag.c -- magnetometer line surveys: reading CSV lines, levelling (a
 * running median along each line removes drift and heading error), gridding
 * by inverse-distance weighting within a search radius, picking targets as
 * local maxima of the levelled anomaly, and the covered ground as a polygon.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ---------------------------------------------------------- */


static int parse_num(const char *s, double *v)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (errno || *sensors__csv_trim(end) || !isfinite(*v))
        return -1;
    return 0;
}

/* A column name as compared: its unit left out ("Easting_m", "TMI_nT",
 * "Field (nT)", "Northing [m]" are easting, tmi, field, northing). */
static void name_core(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && *s != '(' && *s != '[' && n + 1 < cap; s++)
        out[n++] = *s;
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '_'))
        n--;
    out[n] = 0;
    static const char *const units[] = {"_m", " m", "_nt", " nt", "_deg", " deg", "_s", " s", NULL};
    for (const char *const *u = units; *u; u++) {
        size_t k = strlen(*u);
        if (n > k && !dm__strcasecmp(out + n - k, *u)) {
            out[n - k] = 0;
            return;
        }
    }
}

static int name_is(const char *s, const char *const *names)
{
    char core[128];
    name_core(s, core, sizeof core);
    for (; *names; names++)
        if (!dm__strcasecmp(s, *names) || (*core && !dm__strcasecmp(core, *names)))
            return 1;
    return 0;
}

/* days from 1970-01-01 of a civil date (proleptic Gregorian) */
static double days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (double)era * 146097 + doe - 719468;
}

/* A sample's time in seconds: a number (seconds, or a GPS time), hh:mm:ss[.s]
 * or an ISO date and time (2024-05-01T10:00:00.5, a space for the T). */
static int parse_time(char *s, double *t)
{
    if (!parse_num(s, t))
        return 0;
    int y, mo, d, h, mi, k = 0;
    double sec;
    if (sscanf(s, "%d-%d-%d%*1[T ]%d:%d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &k) >= 6 && k > 0) {
        *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
        return 0;
    }
    if (sscanf(s, "%d:%d:%lf%n", &h, &mi, &sec, &k) >= 3 && k > 0 && !*sensors__csv_trim(s + k)) {
        *t = h * 3600.0 + mi * 60 + sec;
        return 0;
    }
    return -1;
}


/* x/y are worked in metres on the ground: the CRS must be projected. One
 * whose units are not ground metres at the survey (US feet; Web Mercator,
 * whose metres are 1 / cos(latitude) of the ground's) is read into the UTM
 * zone of the survey's first point: *tr then converts x/y into out->crs,
 * and out->src_crs keeps the file's CRS. */
static dm_status survey_crs(dm_ctx *ctx, const char *path, const char *crs_in, double x,
                            double y, dm_mag_survey *out, dm_transform **tr)
{
    char crs[64]; /* crs_in may be out->crs, which this changes */
    dm__strlcpy(crs, crs_in, sizeof crs);
    OGRSpatialReferenceH sr = OSRNewSpatialReference(NULL);
    if (!sr)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int ok = OSRSetFromUserInput(sr, crs) == OGRERR_NONE;
    CPLPopErrorHandler();
    int projected = ok && OSRIsProjected(sr);
    OSRDestroySpatialReference(sr);
    if (!ok)
        return dm__fail(ctx, DM_EINVAL, "%s: CRS '%s' of the x/y columns is not a known CRS", path,
                        crs);
    if (!projected)
        return dm__fail(ctx, DM_EINVAL,
                        "%s: CRS '%s' of the x/y columns is not projected (degrees): give a "
                        "metric CRS such as the UTM zone, or name the columns lon,lat",
                        path, crs);
    double kx = 1, ky = 1;
    if (!sensors__ground_scale(crs, x, y, 10, &kx, &ky))
        return dm__fail(ctx, DM_EINVAL,
                        "%s: CRS '%s': how many metres on the ground a unit of x/y is at %.10g, "
                        "%.10g cannot be worked out; give x/y in the UTM zone, or lon,lat",
                        path, crs, x, y);
    /* UTM and national grids stay within 1 % of the ground: taken as they are */
    if (fabs(kx - 1) <= 0.01 && fabs(ky - 1) <= 0.01)
        return DM_OK;
    double lon = x, lat = y;
    dm_transform *geo = NULL;
    dm_status st = dm_transform_new(ctx, crs, "EPSG:4326", &geo);
    if (!st)
        st = dm_transform_xy(geo, &lon, &lat, 1);
    dm_transform_free(geo);
    if (st)
        return dm__wrap(ctx, "%s: CRS '%s'", path, crs);
    dm__strlcpy(out->src_crs, crs, sizeof out->src_crs);
    snprintf(out->crs, sizeof out->crs, "EPSG:%d", dm_utm_epsg(lon, lat));
    if ((st = dm_transform_new(ctx, crs, out->crs, tr)))
        return dm__wrap(ctx, "%s", path);
    dm__log(ctx, DM_LOG_WARN,
            "%s: a unit of x/y in %s is %.4g m on the ground east-west and %.4g m north-south "
            "here, not a metre: the survey is read into %s (its UTM zone), where the grid and "
            "the targets' x,y are given",
            path, crs, kx, ky, out->crs);
    return DM_OK;
}

typedef struct time_key {
    int line;
    double t;
    size_t idx;
} time_key;

static int cmp_time_key(const void *a, const void *b)
{
    const time_key *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* With a time column the samples are put in time order within each line (in
 * time order overall when lines are found by their jumps): levelling runs
 * along the line, and a logger that wrote rows out of order would otherwise
 * level each sample against samples metres away. */
static dm_status order_by_time(dm_ctx *ctx, const char *path, dm_mag_survey *sv, const double *tm,
                               int auto_line)
{
    size_t n = sv->n, moved = 0;
    time_key *k = dm_malloc(ctx, n * sizeof *k);
    dm_mag_sample *cp = dm_malloc(ctx, n * sizeof *cp);
    if (!k || !cp) {
        dm_free(ctx, k);
        dm_free(ctx, cp);
        return dm__fail(ctx, DM_ENOMEM, "out of memory reading %s", path);
    }
    for (size_t i = 0; i < n; i++) {
        k[i] = (time_key){auto_line ? 0 : sv->s[i].line, tm[i], i};
        cp[i] = sv->s[i];
    }
    qsort(k, n, sizeof *k, cmp_time_key);
    for (size_t i = 0; i < n; i++) {
        sv->s[i] = cp[k[i].idx];
        moved += k[i].idx != i;
    }
    if (auto_line) { /* a jump of more than 1 m starts a new line */
        int cur = 0;
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && hypot(sv->s[i].x - sv->s[i - 1].x, sv->s[i].y - sv->s[i - 1].y) > 1.0)
                cur++;
            sv->s[i].line = cur;
        }
    }
    if (moved)
        dm__log(ctx, DM_LOG_WARN, "%s: %zu sample%s out of time order; taken in time order", path, moved,
                moved == 1 ? " was" : "s were");
    dm_free(ctx, k);
    dm_free(ctx, cp);
    return DM_OK;
}

dm_status dm_mag_read_csv(dm_ctx *ctx, const char *path, const char *crs, dm_mag_survey *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot open: %s", path, strerror(errno));
    static const char *const n_line[] = {"line", "line_id", "track", "lineno", NULL};
    static const char *const n_x[] = {"x", "easting", "east", "e", NULL};
    static const char *const n_y[] = {"y", "northing", "north", "n", NULL};
    static const char *const n_lon[] = {"lon", "longitude", "long", "lng", NULL};
    static const char *const n_lat[] = {"lat", "latitude", NULL};
    static const char *const n_f[] = {"field", "nt",          "value",    "mag",
                                      "tmi",   "total_field", "gradient", NULL};
    static const char *const n_t[] = {"time", "t", "timestamp", "datetime", "gps_time", "utc", NULL};
    char buf[4096];
    char *cols[64];
    long lineno = 0;
    int ci_line = -1, ci_x = -1, ci_y = -1, ci_f = -1, ci_t = -1, geo = 0, ncol = 0;
    double *tm = NULL; /* each sample's time, with a time column */
    long bad_time = 0, first_bad_time = 0;
    char bad_tv[48] = "";
    char sep = ',';
    dm_status st = DM_OK;
    size_t cap = 0;
    dm_transform *tr = NULL;
    double prevx = NAN, prevy = NAN;
    double raw[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}; /* x/y as in the file */
    int auto_line = 0;
    /* header */
    char *hdr;
    while ((hdr = sensors__csv_next(f, buf, sizeof buf, &lineno))) {
        sep = strchr(hdr, ';') ? ';' : strchr(hdr, '\t') ? '\t' : ',';
        ncol = sensors__csv_split(hdr, sep, cols, 64);
        for (int i = 0; i < ncol && i < 64; i++) {
            if (name_is(cols[i], n_line))
                ci_line = i;
            else if (name_is(cols[i], n_x))
                ci_x = i;
            else if (name_is(cols[i], n_y))
                ci_y = i;
            else if (name_is(cols[i], n_lon)) {
                ci_x = i;
                geo = 1;
            } else if (name_is(cols[i], n_lat)) {
                ci_y = i;
                geo = 1;
            } else if (name_is(cols[i], n_f))
                ci_f = i;
            else if (name_is(cols[i], n_t))
                ci_t = i;
        }
        break;
    }
    if (ci_x < 0 || ci_y < 0 || ci_f < 0) {
        fclose(f);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: line %ld: the header needs position columns (x,y or lon,lat) and a "
                        "field column (field, nT, value); found none of %s",
                        path, lineno,
                        ci_f < 0   ? "field/nT/value"
                        : ci_x < 0 ? "x/lon"
                                   : "y/lat");
    }
    auto_line = ci_line < 0;
    int cur_line = 0;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        size_t len = strlen(buf);
        if (len == sizeof buf - 1 && buf[len - 1] != '\n') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            dm__log(ctx, DM_LOG_WARN, "%s: line %ld: longer than %zu characters, skipped", path,
                    lineno, sizeof buf - 1);
            out->bad_lines++;
            continue;
        }
        char *s = sensors__csv_trim(buf);
        if (!*s || *s == '#')
            continue;
        int n = sensors__csv_split(s, sep, cols, 64);
        if (n != ncol) {
            dm__log(ctx, DM_LOG_WARN, "%s: line %ld: %d columns instead of %d, skipped", path,
                    lineno, n, ncol);
            out->bad_lines++;
            continue;
        }
        double x, y, v, ln = 0;
        const char *badf = NULL, *badv = NULL;
        if (parse_num(cols[ci_x], &x))
            badf = geo ? "lon" : "x", badv = cols[ci_x];
        else if (parse_num(cols[ci_y], &y))
            badf = geo ? "lat" : "y", badv = cols[ci_y];
        else if (parse_num(cols[ci_f], &v))
            badf = "field", badv = cols[ci_f];
        else if (!auto_line && parse_num(cols[ci_line], &ln))
            badf = "line", badv = cols[ci_line];
        else if (geo && (fabs(x) > 180 || fabs(y) > 90))
            badf = "lon/lat", badv = "out of range";
        if (badf) {
            dm__log(ctx, DM_LOG_WARN,
                    "%s: line %ld: field '%s': not a valid number ('%.40s'), "
                    "skipped",
                    path, lineno, badf, badv);
            out->bad_lines++;
            continue;
        }
        if (geo && !tr) {
            snprintf(out->crs, sizeof out->crs, "EPSG:%d", dm_utm_epsg(x, y));
            if ((st = dm_transform_new(ctx, "EPSG:4326", out->crs, &tr)))
                goto fail;
        } else if (!geo && !out->crs[0]) {
            dm__strlcpy(out->crs, crs && *crs ? crs : "EPSG:32638", sizeof out->crs);
            if ((st = survey_crs(ctx, path, out->crs, x, y, out, &tr)))
                goto fail;
        }
        if (!geo) { /* as in the file: degrees under x/y are told below */
            raw[0] = fmin(raw[0], x), raw[1] = fmin(raw[1], y);
            raw[2] = fmax(raw[2], x), raw[3] = fmax(raw[3], y);
        }
        if (tr && (st = dm_transform_xy(tr, &x, &y, 1))) {
            st = dm__wrap(ctx, "%s: line %ld", path, lineno);
            goto fail;
        }
        double tv = NAN;
        if (ci_t >= 0 && parse_time(cols[ci_t], &tv) && !bad_time++) {
            first_bad_time = lineno;
            snprintf(bad_tv, sizeof bad_tv, "%.40s", cols[ci_t]);
        }
        if (auto_line && ci_t < 0) {
            /* a jump of more than 1 m starts a new line (with times: once
             * the samples are in time order, below) */
            if (isfinite(prevx) && hypot(x - prevx, y - prevy) > 1.0)
                cur_line++;
            prevx = x;
            prevy = y;
            ln = cur_line;
        }
        if (out->n == cap) {
            size_t nc = cap ? 2 * cap : 4096;
            dm_mag_sample *p = dm_realloc(ctx, out->s, nc * sizeof *p);
            if (!p) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory reading %s", path);
                goto fail;
            }
            out->s = p;
            if (ci_t >= 0) {
                double *q = dm_realloc(ctx, tm, nc * sizeof *q);
                if (!q) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory reading %s", path);
                    goto fail;
                }
                tm = q;
            }
            cap = nc;
        }
        if (tm)
            tm[out->n] = tv;
        out->s[out->n++] = (dm_mag_sample){x, y, v, (int)ln};
    }
    if (ferror(f)) {
        st = dm__fail(ctx, DM_EIO, "%s: read error", path);
        goto fail;
    }
    if (out->n < 2) {
        if (out->n == 1)
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: only 1 usable sample (%ld corrupt line%s): a survey needs lines of "
                          "several samples",
                          path, out->bad_lines, out->bad_lines == 1 ? "" : "s");
        else
            st = dm__fail(ctx, DM_EPARSE, "%s: no usable samples (%ld corrupt line%s)", path,
                          out->bad_lines, out->bad_lines == 1 ? "" : "s");
        goto fail;
    }
    if (!geo) {
        /* x/y read as metres that all fall within half a unit of a spot
         * inside longitude/latitude ranges: degrees under the wrong names
         * (taken as metres the survey would shrink to a point near the
         * zone's origin) */
        const double *b = raw;
        if (fabs(b[0]) <= 180 && fabs(b[2]) <= 180 && fabs(b[1]) <= 90 && fabs(b[3]) <= 90 &&
            b[2] - b[0] < 0.5 && b[3] - b[1] < 0.5) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: columns 'x'/'y' hold %.6f..%.6f and %.6f..%.6f: longitude and "
                          "latitude in degrees, not metres in %s; name the columns lon,lat",
                          path, b[0], b[2], b[1], b[3], out->crs);
            goto fail;
        }
    }
    if (ci_t >= 0 && bad_time)
        dm__log(ctx, DM_LOG_WARN,
                "%s: line %ld: field 'time': '%s' is not a time (seconds, hh:mm:ss or an ISO "
                "date and time; %ld sample%s): the samples are taken in file order",
                path, first_bad_time, bad_tv, bad_time, bad_time == 1 ? "" : "s");
    else if (ci_t >= 0 && (st = order_by_time(ctx, path, out, tm, auto_line)))
        goto fail;
    dm_free(ctx, tm);
    dm_transform_free(tr);
    fclose(f);
    return DM_OK;
fail:
    dm_free(ctx, tm);
    dm_transform_free(tr);
    fclose(f);
    dm_mag_survey_free(ctx, out);
    return st;
}

void dm_mag_survey_free(dm_ctx *ctx, dm_mag_survey *sv)
{
    if (!sv)
        return;
    dm_free(ctx, sv->s);
    memset(sv, 0, sizeof *sv);
}

dm_status dm_mag_write_csv(dm_ctx *ctx, const dm_mag_survey *sv, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", path, strerror(errno));
    fprintf(f, "line,x,y,field\n");
    for (size_t i = 0; i < sv->n; i++)
        fprintf(f, "%d,%.3f,%.3f,%.3f\n", sv->s[i].line, sv->s[i].x, sv->s[i].y, sv->s[i].field);
    if (fclose(f))
        return dm__fail(ctx, DM_EIO, "%s: write failed", path);
    return DM_OK;
}

/* ---- processing ------------------------------------------------------- */

typedef struct proj_key {
    double t;
    size_t idx;
} proj_key;

static int cmp_proj_key(const void *a, const void *b)
{
    const proj_key *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Puts the m samples of one line in order along its main direction when
 * they are visibly out of order (their path is over 2.5 times the line's
 * length and 2.5 times the path in that order); counts them in *reordered
 * and describes the first in first. */
static dm_status order_along_line(dm_ctx *ctx, dm_mag_sample *s, size_t m, size_t *reordered, char *first,
                                  size_t first_cap)
{
    double mx = 0, my = 0;
    for (size_t k = 0; k < m; k++)
        mx += s[k].x, my += s[k].y;
    mx /= (double)m, my /= (double)m;
    double sxx = 0, syy = 0, sxy = 0, path = 0;
    for (size_t k = 0; k < m; k++) {
        double dx = s[k].x - mx, dy = s[k].y - my;
        sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
        if (k)
            path += hypot(s[k].x - s[k - 1].x, s[k].y - s[k - 1].y);
    }
    double ang = 0.5 * atan2(2 * sxy, sxx - syy), ux = cos(ang), uy = sin(ang);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < m; k++) {
        double t = (s[k].x - mx) * ux + (s[k].y - my) * uy;
        lo = fmin(lo, t), hi = fmax(hi, t);
    }
    if (!(hi - lo > 0) || path <= 2.5 * (hi - lo))
        return DM_OK; /* in order, or near enough */
    proj_key *k = dm_malloc(ctx, m * sizeof *k);
    dm_mag_sample *cp = dm_malloc(ctx, m * sizeof *cp);
    if (!k || !cp) {
        dm_free(ctx, k);
        dm_free(ctx, cp);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    for (size_t q = 0; q < m; q++) {
        k[q] = (proj_key){(s[q].x - mx) * ux + (s[q].y - my) * uy, q};
        cp[q] = s[q];
    }
    qsort(k, m, sizeof *k, cmp_proj_key);
    /* A survey walked back and forth in one line (no line column: serpentine
     * lines joined) is long for its extent but in order: in order along the
     * main direction its path would be longer still. */
    double sorted = 0;
    for (size_t q = 1; q < m; q++)
        sorted += hypot(cp[k[q].idx].x - cp[k[q - 1].idx].x, cp[k[q].idx].y - cp[k[q - 1].idx].y);
    if (!(sorted * 2.5 < path)) {
        dm_free(ctx, k);
        dm_free(ctx, cp);
        return DM_OK;
    }
    for (size_t q = 0; q < m; q++)
        s[q] = cp[k[q].idx];
    if (!*reordered)
        snprintf(first, first_cap,
                 "line %d: its %zu samples are out of order along it (a path of %.0f m over a line of %.1f m)",
                 s[0].line, m, path, hi - lo);
    ++*reordered;
    dm_free(ctx, k);
    dm_free(ctx, cp);
    return DM_OK;
}

typedef struct line_key {
    int line;
    size_t idx;
} line_key;

static int cmp_double_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Samples being sorted by cmp_sample_ix (qsort has no user argument; one
 * survey is processed per thread). */
static _Thread_local const dm_mag_sample *sort_samples;

/* By line, x, y, field, then position in the file. */
static int cmp_sample_ix(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const dm_mag_sample *a = &sort_samples[ia], *b = &sort_samples[ib];
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->field != b->field)
        return a->field < b->field ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

static int cmp_line_key(const void *a, const void *b)
{
    const line_key *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static double quickselect(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double p = v[(lo + hi) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

static double median(double *v, size_t n)
{
    return n ? quickselect(v, n, n / 2) : NAN;
}

/* Robust sigma (MAD * 1.4826) of finite values; v is scratch. */
static double robust_sigma(double *v, size_t n)
{
    if (n < 2)
        return NAN;
    double m = median(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(v[i] - m);
    return 1.4826 * median(v, n);
}

dm_status dm_mag_process(dm_ctx *ctx, dm_mag_survey *sv, const dm_mag_opts *opts,
                         dm_mag_result *out)
{
    memset(out, 0, sizeof *out);
    dm_mag_opts o = {0};
    if (opts)
        o = *opts;
    {
        const char *nm[6] = {"cell_m", "search_m", "level_m", "threshold", "merge_m", "swath_m"};
        double v[6] = {o.cell_m, o.search_m, o.level_m, o.threshold, o.merge_m, o.swath_m};
        for (int k = 0; k < 6; k++)
            if (!isfinite(v[k]))
                return dm__fail(ctx, DM_EINVAL, "magnetometer option %s: %g is not a number",
                                nm[k], v[k]);
    }
    if (o.cell_m <= 0)
        o.cell_m = 0.1;
    if (o.search_m <= 0)
        o.search_m = 0.35;
    if (o.level_m <= 0)
        o.level_m = 8;
    if (o.threshold <= 0)
        o.threshold = 4;
    if (o.merge_m <= 0)
        o.merge_m = 1.0;
    if (o.swath_m <= 0)
        o.swath_m = 0.5;
    /* the coverage is negative evidence: a half-width of kilometres (--swath-m
     * 1e6 claimed 312 million ha searched) is ground no sensor saw */
    if (o.swath_m > 5)
        return dm__fail(ctx, DM_EINVAL,
                        "magnetometer option swath_m: %g m is wider than any sensor sees (at most 5 m either side "
                        "of a line)",
                        o.swath_m);
    if (sv->n < 2)
        return dm__fail(ctx, DM_EINVAL, "the survey has fewer than two samples");
    size_t n = sv->n;
    double *scratch = dm_malloc(ctx, n * sizeof(double));
    double *lev = dm_malloc(ctx, n * sizeof(double));
    dm_status st = DM_OK;
    dm_geom **lines = NULL;
    size_t nlines = 0;
    if (!scratch || !lev) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    /* group by line, keeping the order of samples within a line */
    {
        int sorted = 1;
        for (size_t i = 1; i < n && sorted; i++)
            if (sv->s[i].line < sv->s[i - 1].line)
                sorted = 0;
        if (!sorted) {
            line_key *k = dm_malloc(ctx, n * sizeof *k);
            dm_mag_sample *cp = dm_malloc(ctx, n * sizeof *cp);
            if (!k || !cp) {
                dm_free(ctx, k);
                dm_free(ctx, cp);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            for (size_t i = 0; i < n; i++) {
                k[i] = (line_key){sv->s[i].line, i};
                cp[i] = sv->s[i];
            }
            qsort(k, n, sizeof *k, cmp_line_key);
            for (size_t i = 0; i < n; i++)
                sv->s[i] = cp[k[i].idx];
            dm_free(ctx, k);
            dm_free(ctx, cp);
        }
    }
    /* Repeated rows (a logger's export appended twice, a file merged with
     * itself): the same line, position and value twice made neighbouring
     * differences 0, and the noise, estimated from them, came out 11 times
     * too low on a file given twice (0.09 nT for 1.02), every SNR and
     * confidence as many times too high. The first of each is kept. */
    {
        size_t *ix = dm_malloc(ctx, n * sizeof *ix);
        unsigned char *dup = dm_calloc(ctx, n ? n : 1, 1);
        if (!ix || !dup) {
            dm_free(ctx, ix);
            dm_free(ctx, dup);
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            ix[i] = i;
        sort_samples = sv->s;
        qsort(ix, n, sizeof *ix, cmp_sample_ix);
        sort_samples = NULL;
        size_t ndup = 0;
        int first_line = 0;
        for (size_t i = 1; i < n; i++) {
            const dm_mag_sample *a = &sv->s[ix[i - 1]], *b = &sv->s[ix[i]];
            if (a->line == b->line && a->x == b->x && a->y == b->y && a->field == b->field) {
                dup[ix[i]] = 1;
                if (!ndup++)
                    first_line = b->line;
            }
        }
        dm_free(ctx, ix);
        if (ndup) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (!dup[i])
                    sv->s[m++] = sv->s[i];
            dm__log(ctx, DM_LOG_WARN,
                    "%zu sample%s another of their line (same position and value; %s line %d): "
                    "left out, %s would make the noise look lower than it is",
                    ndup, ndup == 1 ? " repeats" : "s repeat", ndup == 1 ? "in" : "one in", first_line,
                    ndup == 1 ? "it" : "they");
            sv->n = n = m;
        }
        dm_free(ctx, dup);
        if (n < 2) {
            st = dm__fail(ctx, DM_EINVAL, "the survey has fewer than two distinct samples");
            goto done;
        }
    }
    /* a line column that numbers samples, not lines: every line one or two
     * samples, nothing to level along ("no variation after levelling") */
    {
        size_t nl = 0, longest = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && sv->s[j].line == sv->s[i].line)
                j++;
            nl++;
            if (j - i > longest)
                longest = j - i;
            i = j;
        }
        if (longest < 3 && nl == 1) {
            st = dm__fail(ctx, DM_EPARSE, "only %zu samples: a survey needs lines of several samples", n);
            goto done;
        }
        if (longest < 3) {
            st = dm__fail(ctx, DM_EPARSE,
                          "field 'line': no survey line has more than %zu sample%s (%zu lines for %zu samples): "
                          "the line column must number the survey's lines (levelling runs along each), not its "
                          "samples",
                          longest, longest == 1 ? "" : "s", nl, n);
            goto done;
        }
    }
    /* Samples out of order along a line (a file sorted by another column,
     * rows merged from two loggers) would be levelled against samples metres
     * away: a line whose path from sample to sample is more than 2.5 times
     * its length, and than its path in order along its main direction, is
     * put in that order. */
    {
        size_t reordered = 0;
        char first[160] = "";
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && sv->s[j].line == sv->s[i].line)
                j++;
            if (j - i >= 5 && (st = order_along_line(ctx, sv->s + i, j - i, &reordered, first, sizeof first)))
                goto done;
            i = j;
        }
        if (reordered)
            dm__log(ctx, DM_LOG_WARN,
                    "%zu line%s samples out of order (%s%s): taken in order along each "
                    "line (give a time column to order them by time)",
                    reordered, reordered == 1 ? " had its" : "s had their", reordered == 1 ? "" : "the first, ",
                    first);
    }
    /* levelling: running median along each line */
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && sv->s[j].line == sv->s[i].line)
            j++;
        size_t m = j - i;
        double len = 0;
        for (size_t k = i + 1; k < j; k++)
            len += hypot(sv->s[k].x - sv->s[k - 1].x, sv->s[k].y - sv->s[k - 1].y);
        double step = m > 1 ? len / (double)(m - 1) : 1;
        size_t half = step > 0 ? (size_t)(o.level_m / 2 / step) : m;
        if (half < 2)
            half = 2;
        for (size_t k = i; k < j; k++) {
            size_t a = k >= i + half ? k - half : i, b = k + half + 1 < j ? k + half + 1 : j;
            for (size_t q = a; q < b; q++)
                scratch[q - a] = sv->s[q].field;
            lev[k] = sv->s[k].field - median(scratch, b - a);
        }
        i = j;
        nlines++;
    }
    for (size_t i = 0; i < n; i++) {
        minx = fmin(minx, sv->s[i].x);
        maxx = fmax(maxx, sv->s[i].x);
        miny = fmin(miny, sv->s[i].y);
        maxy = fmax(maxy, sv->s[i].y);
    }
    /* noise from differences of neighbouring samples along lines: anomalies
     * are smooth at the sample spacing, so they barely enter */
    {
        size_t m = 0;
        for (size_t i = 1; i < n; i++)
            if (sv->s[i].line == sv->s[i - 1].line)
                scratch[m++] = (lev[i] - lev[i - 1]) / sqrt(2.0);
        out->noise_nt = robust_sigma(scratch, m);
        if (!(out->noise_nt > 0)) {
            memcpy(scratch, lev, n * sizeof(double));
            out->noise_nt = robust_sigma(scratch, n);
        }
    }
    /* gridding */
    double c = o.cell_m, r = o.search_m;
    double gx0 = minx - r, gy1 = maxy + r;
    double wcells = (maxx - minx + 2 * r) / c + 1, hcells = (maxy - miny + 2 * r) / c + 1;
    if (wcells * hcells > 4e8) {
        st = dm__fail(ctx, DM_EINVAL, "a %.0f x %.0f cell grid is too large; use a larger cell",
                      wcells, hcells);
        goto done;
    }
    int W = (int)wcells, H = (int)hcells;
    float *wsum = dm_calloc(ctx, (size_t)W * H, sizeof(float));
    out->grid = dm_calloc(ctx, (size_t)W * H, sizeof(float));
    if (!wsum || !out->grid) {
        dm_free(ctx, wsum);
        st = dm__fail(ctx, DM_ENOMEM, "out of memory for a %dx%d grid", W, H);
        goto done;
    }
    out->w = W;
    out->h = H;
    double gt[6] = {gx0, c, 0, gy1, 0, -c};
    memcpy(out->gt, gt, sizeof gt);
    int rc = (int)ceil(r / c);
    double eps2 = (c / 2) * (c / 2);
    for (size_t i = 0; i < n; i++) {
        double fx = (sv->s[i].x - gx0) / c - 0.5, fy = (gy1 - sv->s[i].y) / c - 0.5;
        int cx = (int)lround(fx), cy = (int)lround(fy);
        for (int y = cy - rc; y <= cy + rc; y++) {
            if (y < 0 || y >= H)
                continue;
            for (int x = cx - rc; x <= cx + rc; x++) {
                if (x < 0 || x >= W)
                    continue;
                double dx = (x - fx) * c, dy = (y - fy) * c, d2 = dx * dx + dy * dy;
                if (d2 > r * r)
                    continue;
                double w = 1.0 / (d2 + eps2);
                out->grid[(size_t)y * W + x] += (float)(w * lev[i]);
                wsum[(size_t)y * W + x] += (float)w;
            }
        }
        if ((i & 0xFFFF) == 0)
            dm__progress(ctx, "mag: gridding", i, n);
    }
    size_t nvalid = 0;
    for (size_t i = 0; i < (size_t)W * H; i++) {
        if (wsum[i] > 0) {
            out->grid[i] /= wsum[i];
            nvalid++;
        } else {
            out->grid[i] = NAN;
        }
    }
    dm_free(ctx, wsum);
    /* noise of the grid and picks */
    double *gv = dm_malloc(ctx, (nvalid ? nvalid : 1) * sizeof(double));
    if (!gv) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    size_t q = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        if (!isnan(out->grid[i]))
            gv[q++] = out->grid[i];
    double gsig = robust_sigma(gv, q);
    dm_free(ctx, gv);
    if (!(gsig > 0)) {
        st = dm__fail(ctx, DM_EPARSE, "the survey has no variation after levelling");
        goto done;
    }
    /* cells next to a sample carry nearly its value, so the threshold is set
     * on the sample noise (the grid's own spread is lower between lines) */
    double thr = o.threshold * fmax(out->noise_nt, gsig);
    int rn = (int)ceil(o.merge_m / 2 / c);
    size_t cap = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float v = out->grid[(size_t)y * W + x];
            if (isnan(v) || fabsf(v) < thr)
                continue;
            float av = fabsf(v);
            int ismax = 1;
            for (int yy = y - rn; yy <= y + rn && ismax; yy++) {
                if (yy < 0 || yy >= H)
                    continue;
                for (int xx = x - rn; xx <= x + rn; xx++) {
                    if (xx < 0 || xx >= W || (xx == x && yy == y))
                        continue;
                    float t = fabsf(out->grid[(size_t)yy * W + xx]);
                    if (isnan(t))
                        continue;
                    if (t > av || (t == av && (yy < y || (yy == y && xx < x)))) {
                        ismax = 0;
                        break;
                    }
                }
            }
            if (!ismax)
                continue;
            if (out->n_targets == cap) {
                size_t nc = cap ? 2 * cap : 64;
                dm_mag_target *p = dm_realloc(ctx, out->targets, nc * sizeof *p);
                if (!p) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    goto done;
                }
                out->targets = p;
                cap = nc;
            }
            /* centroid of |anomaly| above half the peak, and peak-to-trough */
            double sw = 0, mx = 0, my = 0, hi = -INFINITY, lo = INFINITY;
            for (int yy = y - 2 * rn; yy <= y + 2 * rn; yy++)
                for (int xx = x - 2 * rn; xx <= x + 2 * rn; xx++) {
                    if (xx < 0 || xx >= W || yy < 0 || yy >= H)
                        continue;
                    float t = out->grid[(size_t)yy * W + xx];
                    if (isnan(t))
                        continue;
                    hi = fmax(hi, t);
                    lo = fmin(lo, t);
                    if (fabsf(t) >= 0.5f * av) {
                        sw += fabsf(t);
                        mx += fabsf(t) * xx;
                        my += fabsf(t) * yy;
                    }
                }
            dm_mag_target *tg = &out->targets[out->n_targets++];
            tg->x = gx0 + (mx / sw + 0.5) * c;
            tg->y = gy1 - (my / sw + 0.5) * c;
            tg->lon = tg->lat = NAN;
            tg->amplitude_nt = hi - lo;
            tg->snr = av / out->noise_nt;
        }
    /* merge picks closer than merge_m (the two lobes of one dipole) */
    for (size_t i = 0; i < out->n_targets; i++)
        for (size_t j = i + 1; j < out->n_targets; j++) {
            dm_mag_target *a = &out->targets[i], *b = &out->targets[j];
            if (hypot(a->x - b->x, a->y - b->y) >= o.merge_m)
                continue;
            double wa = a->snr, wb = b->snr;
            a->x = (wa * a->x + wb * b->x) / (wa + wb);
            a->y = (wa * a->y + wb * b->y) / (wa + wb);
            a->amplitude_nt = fmax(a->amplitude_nt, b->amplitude_nt);
            a->snr = fmax(wa, wb);
            out->targets[j] = out->targets[--out->n_targets];
            j = i; /* rescan against the moved one */
        }
    /* coverage: lines buffered by the swath half-width, unioned. A step along
     * a line longer than twice the swath and five times the survey's median
     * step (a GPS dropout, the logger paused across a road or an obstacle)
     * breaks the line: the ground in the gap was not surveyed, and a coverage
     * claims it as searched with nothing found. The median says nothing when
     * the long steps are most of them (lines of two samples 300 m apart, a
     * file of lines' ends): a step over MAG_GAP_CAP_M (and twice the swath)
     * is a gap whatever the median, as no magnetometer survey samples its
     * lines that sparsely, with a warning that the median step is beyond it. */
    double gap_m = 2 * o.swath_m;
    {
        enum { MAG_GAP_CAP_M = 10 };
        size_t ns = 0;
        for (size_t i = 1; i < n; i++)
            if (sv->s[i].line == sv->s[i - 1].line)
                scratch[ns++] = hypot(sv->s[i].x - sv->s[i - 1].x, sv->s[i].y - sv->s[i - 1].y);
        if (ns) {
            qsort(scratch, ns, sizeof *scratch, cmp_double_asc);
            double med = scratch[ns / 2], cap_m = fmax(gap_m, MAG_GAP_CAP_M);
            if (5 * med > gap_m)
                gap_m = fmin(5 * med, cap_m);
            if (5 * med > cap_m)
                dm__log(ctx, DM_LOG_WARN,
                        "the median step between samples within lines is %.1f m: no magnetometer survey samples "
                        "its lines that sparsely, so every step of more than %.1f m is taken as a gap",
                        med, gap_m);
        }
    }
    size_t nseg = 0, ngaps = 0;
    char first_gap[160] = "";
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sv->s[i].line != sv->s[i - 1].line)
            nseg++;
        else if (hypot(sv->s[i].x - sv->s[i - 1].x, sv->s[i].y - sv->s[i - 1].y) > gap_m) {
            if (!ngaps++)
                snprintf(first_gap, sizeof first_gap, "line %d: %.1f m from (%.2f, %.2f) to (%.2f, %.2f)",
                         sv->s[i].line, hypot(sv->s[i].x - sv->s[i - 1].x, sv->s[i].y - sv->s[i - 1].y),
                         sv->s[i - 1].x, sv->s[i - 1].y, sv->s[i].x, sv->s[i].y);
            nseg++;
        }
    if (ngaps)
        dm__log(ctx, DM_LOG_WARN,
                "%zu gap%s of more than %.1f m between samples within lines (%s%s): the coverage "
                "leaves %s out",
                ngaps, ngaps == 1 ? "" : "s", gap_m, ngaps == 1 ? "" : "the first, ", first_gap,
                ngaps == 1 ? "it" : "them");
    nlines = nseg;
    lines = dm_calloc(ctx, nlines ? nlines : 1, sizeof *lines);
    if (!lines) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    size_t li = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sv->s[j].line == sv->s[i].line &&
               hypot(sv->s[j].x - sv->s[j - 1].x, sv->s[j].y - sv->s[j - 1].y) <= gap_m)
            j++;
        double *xy = dm_malloc(ctx, 2 * (j - i + 1) * sizeof(double));
        if (!xy) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        size_t m = 0;
        for (size_t k = i; k < j; k++) {
            xy[2 * m] = sv->s[k].x;
            xy[2 * m + 1] = sv->s[k].y;
            m++;
        }
        dm_geom *g = NULL, *gs = NULL;
        if (m == 1)
            st = dm_geom_point(ctx, xy[0], xy[1], &g);
        else
            st = dm_geom_linestring(ctx, xy, m, &g);
        dm_free(ctx, xy);
        if (st)
            goto done;
        st = dm_geom_simplify(ctx, g, o.swath_m / 10, &gs);
        dm_geom_free(g);
        if (st)
            goto done;
        st = dm_geom_buffer(ctx, gs, o.swath_m, &lines[li]);
        dm_geom_free(gs);
        if (st)
            goto done;
        li++;
        i = j;
    }
    {
        dm_geom *u = NULL;
        if ((st = dm_geom_union_all(ctx, lines, li, &u)))
            goto done;
        out->coverage_ha = dm_geom_area(u) / 1e4;
        dm_transform *t = NULL;
        if ((st = dm_transform_new(ctx, sv->crs[0] ? sv->crs : "EPSG:32638", "EPSG:4326", &t))) {
            dm_geom_free(u);
            goto done;
        }
        st = dm_geom_transform(ctx, t, u, &out->coverage);
        dm_geom_free(u);
        for (size_t i = 0; st == DM_OK && i < out->n_targets; i++) {
            double x = out->targets[i].x, y = out->targets[i].y;
            if ((st = dm_transform_xy(t, &x, &y, 1)) == DM_OK) {
                out->targets[i].lon = x;
                out->targets[i].lat = y;
            }
        }
        dm_transform_free(t);
    }
done:
    if (lines) {
        for (size_t i = 0; i < nlines; i++)
            dm_geom_free(lines[i]);
        dm_free(ctx, lines);
    }
    dm_free(ctx, scratch);
    dm_free(ctx, lev);
    if (st)
        dm_mag_result_free(ctx, out);
    return st;
}

void dm_mag_result_free(dm_ctx *ctx, dm_mag_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->targets);
    dm_free(ctx, r->grid);
    dm_geom_free(r->coverage);
    memset(r, 0, sizeof *r);
}

dm_status dm_mag_write_geojson(dm_ctx *ctx, const dm_mag_result *r, const char *path)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < r->n_targets; i++) {
        const dm_mag_target *t = &r->targets[i];
        dm__buf_printf(&b,
                       "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                       "\"coordinates\":[%.8f,%.8f]},\"properties\":{\"kind\":\"target\","
                       "\"amplitude_nt\":%.2f,\"snr\":%.2f,\"confidence\":%.3f,"
                       "\"x\":%.3f,\"y\":%.3f}}",
                       i ? "," : "", t->lon, t->lat, t->amplitude_nt, t->snr,
                       sensors__mag_confidence(t->snr), t->x, t->y);
    }
    if (r->coverage) {
        char *gj = NULL;
        dm_status st = dm_geom_to_geojson(ctx, r->coverage, &gj);
        if (st) {
            dm__buf_free(&b);
            return st;
        }
        dm__buf_printf(&b,
                       "%s\n{\"type\":\"Feature\",\"geometry\":%s,\"properties\":{\"kind\":"
                       "\"coverage\",\"area_ha\":%.4f,\"noise_nt\":%.3f}}",
                       r->n_targets ? "," : "", gj, r->coverage_ha, r->noise_nt);
        dm_free(ctx, gj);
    }
    dm__buf_puts(&b, "\n]}\n");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", path, strerror(errno));
    }
    size_t wr = fwrite(b.data, 1, b.len, f);
    int bad = wr != b.len;
    if (fclose(f))
        bad = 1;
    dm__buf_free(&b);
    return bad ? dm__fail(ctx, DM_EIO, "%s: write failed", path) : DM_OK;
}

double sensors__mag_confidence(double snr)
{
    /* uncalibrated: 0.5 at 6 sigma, near 1 from 10 */
    return 1.0 / (1.0 + exp(-(snr - 6.0)));
}

/* ---- synthetic survey ---------------------------------------------------- */

/* Total-field anomaly (nT) at offset (dx, dy, dz) metres from an induced
 * dipole of moment m (A m^2) along the Earth field direction fe. */
static double dipole_tf(double m, const double fe[3], double dx, double dy, double dz)
{
    double r2 = dx * dx + dy * dy + dz * dz, r = sqrt(r2);
    double rh[3] = {dx / r, dy / r, dz / r};
    double mdotr = fe[0] * rh[0] + fe[1] * rh[1] + fe[2] * rh[2];
    double bdotf = 0;
    for (int k = 0; k < 3; k++)
        bdotf += (3 * mdotr * rh[k] - fe[k]) * fe[k];
    return 100.0 * m * bdotf / (r2 * r); /* mu0 / 4 pi = 1e-7 T m / A = 100 nT m / A */
}

dm_status dm_mag_synth(dm_ctx *ctx, const dm_mag_synth_opts *opts, dm_mag_survey *sv,
                       dm_mag_truth **truth, size_t *n_truth)
{
    memset(sv, 0, sizeof *sv);
    *truth = NULL;
    *n_truth = 0;
    dm_mag_synth_opts o = {0};
    if (opts)
        o = *opts;
    if (o.size_m <= 0)
        o.size_m = 20;
    if (o.line_spacing_m <= 0)
        o.line_spacing_m = 0.5;
    if (o.sample_m <= 0)
        o.sample_m = 0.1;
    if (o.height_m <= 0)
        o.height_m = 0.3;
    if (o.n_targets <= 0)
        o.n_targets = 30;
    if (o.noise_nt <= 0)
        o.noise_nt = 1.0;
    if (o.min_snr <= 0)
        o.min_snr = 2;
    if (o.max_snr <= o.min_snr)
        o.max_snr = o.min_snr * 10;
    if (!o.seed)
        o.seed = 1;
    if (o.x0 == 0 && o.y0 == 0) {
        o.x0 = 600000;
        o.y0 = 4400000;
    }
    int nl = (int)(o.size_m / o.line_spacing_m), ns = (int)(o.size_m / o.sample_m) + 1;
    if (nl < 1 || (double)nl * ns > 5e7)
        return dm__fail(ctx, DM_EINVAL, "survey size out of range (%d lines of %d samples)", nl,
                        ns);
    sensors_rng rng;
    sensors__rng_seed(&rng, o.seed * 7919u + 3);
    dm_mag_truth *tt = dm_calloc(ctx, (size_t)o.n_targets, sizeof *tt);
    sv->s = dm_malloc(ctx, (size_t)nl * ns * sizeof *sv->s);
    if (!tt || !sv->s) {
        dm_free(ctx, tt);
        dm_mag_survey_free(ctx, sv);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    dm__strlcpy(sv->crs, "EPSG:32638", sizeof sv->crs);
    double inc = 60.0 * 3.14159265358979 / 180.0;
    double fe[3] = {0, cos(inc), -sin(inc)}; /* east, north, up */
    double margin = 1.5, sep = 2.5;
    for (int k = 0; k < o.n_targets; k++) {
        for (int tries = 0; tries < 2000; tries++) {
            tt[k].x = o.x0 + margin + sensors__rng_unif(&rng) * (o.size_m - 2 * margin);
            tt[k].y = o.y0 + margin + sensors__rng_unif(&rng) * (o.size_m - 2 * margin);
            int ok = 1;
            for (int m = 0; m < k && ok; m++)
                if (hypot(tt[m].x - tt[k].x, tt[m].y - tt[k].y) < sep)
                    ok = 0;
            if (ok)
                break;
        }
        tt[k].depth_m = 0.05 + 0.35 * sensors__rng_unif(&rng);
    }
    /* sample positions; lines run north then south in turn */
    size_t n = 0;
    for (int l = 0; l < nl; l++)
        for (int i = 0; i < ns; i++) {
            int ii = (l & 1) ? ns - 1 - i : i;
            sv->s[n++] =
                (dm_mag_sample){o.x0 + (l + 0.5) * o.line_spacing_m, o.y0 + ii * o.sample_m, 0, l};
        }
    sv->n = n;
    /* scale each target's moment so that its peak over the samples is the
     * drawn multiple of the noise */
    double *amp = dm_malloc(ctx, (size_t)o.n_targets * sizeof(double));
    if (!amp) {
        dm_free(ctx, tt);
        dm_mag_survey_free(ctx, sv);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    double lr = log(o.min_snr), hr = log(o.max_snr);
    for (int k = 0; k < o.n_targets; k++) {
        double peak = 0;
        double z = o.height_m + tt[k].depth_m;
        for (size_t i = 0; i < n; i++) {
            double dx = sv->s[i].x - tt[k].x, dy = sv->s[i].y - tt[k].y;
            if (fabs(dx) > 3 || fabs(dy) > 3)
                continue;
            double v = fabs(dipole_tf(1.0, fe, dx, dy, z));
            if (v > peak)
                peak = v;
        }
        double snr = exp(lr + (hr - lr) * sensors__rng_unif(&rng));
        amp[k] = peak > 0 ? snr * o.noise_nt / peak : 0;
        tt[k].peak_nt = snr * o.noise_nt;
    }
    double heading[2] = {1.5, -1.5};
    for (size_t i = 0; i < n; i++) {
        double v = 48000.0 + 8.0 * sin(2 * 3.14159265358979 * (double)i / 20000.0) +
                   heading[sv->s[i].line & 1] + o.noise_nt * sensors__rng_normal(&rng);
        for (int k = 0; k < o.n_targets; k++) {
            double dx = sv->s[i].x - tt[k].x, dy = sv->s[i].y - tt[k].y;
            if (fabs(dx) > 4 || fabs(dy) > 4)
                continue;
            v += dipole_tf(amp[k], fe, dx, dy, o.height_m + tt[k].depth_m);
        }
        sv->s[i].field = v;
    }
    dm_free(ctx, amp);
    *truth = tt;
    *n_truth = (size_t)o.n_targets;
    return DM_OK;
}

dm_status dm_mag_write_grid(dm_ctx *ctx, const dm_mag_result *r, const char *crs, const char *path)
{
    if (!r->grid || r->w <= 0 || r->h <= 0)
        return dm__fail(ctx, DM_EINVAL, "no grid to write");
    return sensors__write_float_tif(ctx, path, r->grid, r->w, r->h, r->gt, crs,
                                    "levelled anomaly (nT)");
}

dm_status sensors__write_float_tif(dm_ctx *ctx, const char *path, const float *v, int w, int h,
                                   const double gt[6], const char *crs, const char *desc)
{
    sensors__gdal_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    char **co = CSLSetNameValue(NULL, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    GDALDatasetH ds = drv ? GDALCreate(drv, path, w, h, 1, GDT_Float32, co) : NULL;
    CSLDestroy(co);
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot create GeoTIFF: %s", path, CPLGetLastErrorMsg());
    GDALSetGeoTransform(ds, (double *)gt);
    OGRSpatialReferenceH sr = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRSetFromUserInput(sr, crs && *crs ? crs : "EPSG:32638") == OGRERR_NONE &&
        OSRExportToWkt(sr, &wkt) == OGRERR_NONE)
        GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(sr);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (desc)
        GDALSetDescription(b, desc);
    CPLErr e = GDALRasterIO(b, GF_Write, 0, 0, w, h, (void *)v, w, h, GDT_Float32, 0, 0);
    GDALClose(ds);
    if (e != CE_None)
        return dm__fail(ctx, DM_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    return DM_OK;
}
