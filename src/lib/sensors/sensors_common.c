/* SPDX-License-Identifier: MIT
 *
 * sensors_common.c -- small pieces the sensor modules share: ordnance class
 * names and sets, a seeded random generator for the synthetic data, what
 * each kind of sensor can see by default, and how many ground metres a
 * CRS's unit is.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_error.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <ctype.h>
#include <math.h>
#include <string.h>

static const char *const class_names[DM_CLASS_COUNT] = {"AP",  "AT",  "UXO",  "AXO",
                                                        "IED", "SUB", "other"};

const char *dm_class_name(int c)
{
    return c >= 0 && c < DM_CLASS_COUNT ? class_names[c] : NULL;
}

int dm_class_index(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < DM_CLASS_COUNT; i++)
        if (!dm__strcasecmp(name, class_names[i]))
            return i;
    return -1;
}

int dm_class_set_parse(const char *s, unsigned *set)
{
    *set = 0;
    if (!s)
        return 0;
    char tok[32];
    while (*s) {
        while (*s == ',' || *s == ' ' || *s == ';' || *s == '|')
            s++;
        size_t n = 0;
        while (*s && *s != ',' && *s != ';' && *s != '|' && *s != ' ') {
            if (n + 1 < sizeof tok)
                tok[n++] = *s;
            s++;
        }
        tok[n] = 0;
        if (!n)
            continue;
        if (!dm__strcasecmp(tok, "all") || !strcmp(tok, "*")) {
            *set |= DM_CLASS_ALL;
            continue;
        }
        int c = dm_class_index(tok);
        if (c < 0)
            return -1;
        *set |= 1u << c;
    }
    return 0;
}

void sensors__rng_seed(sensors_rng *r, uint64_t seed)
{
    /* splitmix64 to spread the seed */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 2; i++) {
        z += 0x9E3779B97F4A7C15ull;
        uint64_t t = z;
        t = (t ^ (t >> 30)) * 0xBF58476D1CE4E5B9ull;
        t = (t ^ (t >> 27)) * 0x94D049BB133111EBull;
        r->s[i] = t ^ (t >> 31);
    }
    if (!r->s[0] && !r->s[1])
        r->s[0] = 1;
}

uint64_t sensors__rng_u64(sensors_rng *r)
{
    uint64_t s0 = r->s[0], s1 = r->s[1], res = s0 + s1;
    s1 ^= s0;
    r->s[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14);
    r->s[1] = (s1 << 36) | (s1 >> 28);
    return res;
}

double sensors__rng_unif(sensors_rng *r)
{
    return (double)(sensors__rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

double sensors__rng_normal(sensors_rng *r)
{
    double u = sensors__rng_unif(r), v = sensors__rng_unif(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

void sensors__kind_defaults(const char *kind, unsigned *classes, int *surface_only, double *pd,
                            double *far_ha, double *pos_err_m)
{
    unsigned surface = (1u << DM_CLASS_AP) | (1u << DM_CLASS_AT) | (1u << DM_CLASS_UXO) |
                       (1u << DM_CLASS_AXO) | (1u << DM_CLASS_SUB);
    unsigned metal = (1u << DM_CLASS_AT) | (1u << DM_CLASS_UXO) | (1u << DM_CLASS_AXO) |
                     (1u << DM_CLASS_SUB) | (1u << DM_CLASS_IED);
    /* conservative defaults until `demine sensors calibrate` replaces them */
    if (kind && !dm__strcasecmp(kind, "magnetometer")) {
        *classes = metal;
        *surface_only = 0;
        *pd = 0.7;
        *far_ha = 20;
        *pos_err_m = 0.3;
    } else if (kind && !dm__strcasecmp(kind, "gpr")) {
        *classes = DM_CLASS_ALL;
        *surface_only = 0;
        *pd = 0.5;
        *far_ha = 50;
        *pos_err_m = 0.2;
    } else if (kind && (!dm__strcasecmp(kind, "rgb") || !dm__strcasecmp(kind, "multispectral") ||
                        !dm__strcasecmp(kind, "thermal") || !dm__strcasecmp(kind, "lidar"))) {
        *classes = surface;
        *surface_only = 1;
        *pd = 0.5;
        *far_ha = 10;
        *pos_err_m = 0.5;
    } else {
        *classes = 0; /* an unknown sensor lowers nothing */
        *surface_only = 1;
        *pd = 0.3;
        *far_ha = 20;
        *pos_err_m = 1.0;
    }
}

/* ---- CSV lines (magnetometer surveys, validation files) ---- */

dm_status sensors__select_eq(dm_store *s, const char *layer, const char *field, const char *value,
                             const double *bbox, dm_cursor **out)
{
    const char *f[] = {field}, *v[] = {value};
    dm_select sel = {0};
    sel.bbox = bbox;
    if (value) {
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
    }
    return dm_store_select(s, layer, &sel, out);
}

char *sensors__csv_trim(char *s)
{
    while (isspace((unsigned char)*s) || *s == '"')
        s++;
    size_t n = strlen(s);
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '"'))
        s[--n] = 0;
    return s;
}

char *sensors__csv_next(FILE *f, char *buf, int size, long *lineno)
{
    while (fgets(buf, size, f)) {
        if (lineno)
            (*lineno)++;
        char *p = sensors__csv_trim(buf);
        if (*p && *p != '#')
            return p;
    }
    return NULL;
}

int sensors__csv_split(char *line, char sep, char **cols, int max)
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
        cols[i] = sensors__csv_trim(cols[i]);
    return n;
}

int sensors__ground_scale(const char *crs, double x, double y, double step, double *kx, double *ky)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int ok = OSRSetFromUserInput(srs, crs) == OGRERR_NONE;
    OGRSpatialReferenceH geo = ok ? OSRCloneGeogCS(srs) : NULL;
    ok = 0;
    OGRCoordinateTransformationH ct = NULL;
    if (geo) {
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(geo, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(srs, geo);
    }
    if (ct) {
        double xs[3] = {x, x + step, x}, ys[3] = {y, y, y + step};
        int okp[3] = {0, 0, 0};
        double a = OSRGetSemiMajor(geo, NULL), invf = OSRGetInvFlattening(geo, NULL);
        if (OCTTransformEx(ct, 3, xs, ys, NULL, okp) && okp[0] && okp[1] && okp[2] && a > 0) {
            double f = invf > 0 ? 1 / invf : 0, e2 = f * (2 - f);
            double d2r = 3.14159265358979323846 / 180, phi = ys[0] * d2r;
            double w = sqrt(1 - e2 * sin(phi) * sin(phi));
            double m = a * (1 - e2) / (w * w * w), n = a / w * cos(phi); /* metres per radian */
            double ex = hypot((xs[1] - xs[0]) * d2r * n, (ys[1] - ys[0]) * d2r * m);
            double ny = hypot((xs[2] - xs[0]) * d2r * n, (ys[2] - ys[0]) * d2r * m);
            if (isfinite(ex) && isfinite(ny) && ex > 0 && ny > 0) {
                *kx = ex / step;
                *ky = ny / step;
                ok = 1;
            }
        }
        OCTDestroyCoordinateTransformation(ct);
    }
    CPLPopErrorHandler();
    if (geo)
        OSRDestroySpatialReference(geo);
    OSRDestroySpatialReference(srs);
    return ok;
}
