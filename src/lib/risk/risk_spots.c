/* SPDX-License-Identifier: MIT
 *
 * risk_spots.c -- where to check the map on the ground: a random sample of
 * cells stratified by the map's own classes (the riskiest 1 %, 1-5 %, 5-10
 * %, 10-20 %, 20-50 % of the area and the lower half), the same number in
 * each, every cell of a class equally likely. Land searched because it
 * looked dangerous says how dense the dangerous land is, never how clean
 * the rest is; spot checks drawn this way, searched and labelled 1 (an item)
 * or 0, measure the map without that bias: each spot stands for `cells`
 * cells of its class, so the classes' item shares and the map's AUC and
 * calibration follow from a few dozen spots (risk eval --labels, risk fit
 * --labels). Also the checks of searched spots before they recalibrate a map
 * (dm_risk_spots_fit: on the map, of its cell size, with the model's own
 * prediction, each once), and the map's calibration as its GeoTIFF records
 * it, undone in the spots so that they always carry the model's prediction.
 */
#include "core/dm_internal.h"
#include "demine/dm_geom.h"
#include "demine/dm_risk.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double class_share[DM_RISK_TOP_N] = {0.01, 0.05, 0.10, 0.20, 0.50};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n > 0), without modulo bias worth speaking of for the
 * sizes of a map. */
static uint64_t below(uint64_t *s, uint64_t n)
{
    return (uint64_t)((double)(splitmix64(s) >> 11) * 0x1.0p-53 * (double)n);
}

/* The k-th smallest of v[0..n-1] (Hoare's selection; reorders v). */
static float select_kth(float *v, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, kk = (long)k;
    while (hi > lo) {
        float pivot = v[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                float t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            break; /* between the two parts: equal to the pivot */
    }
    return v[kk];
}

static int mapped(const float *p, const unsigned char *mask, size_t k)
{
    return (!mask || mask[k]) && p[k] >= 0 && p[k] <= 1;
}

/* The class thresholds: the p of the cell at each share from the top, over
 * the m mapped cells. */
static dm_status class_thresholds(dm_ctx *ctx, const float *p, const unsigned char *mask,
                                  size_t cells, size_t m, double thr[DM_RISK_TOP_N])
{
    float *v = malloc((m ? m : 1) * sizeof *v);
    if (!v)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", m);
    size_t c = 0;
    for (size_t k = 0; k < cells; k++)
        if (mapped(p, mask, k))
            v[c++] = p[k];
    for (int s = 0; s < DM_RISK_TOP_N; s++) {
        size_t above = (size_t)ceil(class_share[s] * (double)m);
        thr[s] = m ? select_kth(v, m, m - (above ? above : 1)) : 0;
    }
    free(v);
    return DM_OK;
}

/* The class of a value: the highest whose threshold it reaches. */
static int class_of(double v, const double thr[DM_RISK_TOP_N])
{
    int s = 0;
    while (s < DM_RISK_TOP_N && v < thr[s])
        s++;
    return s;
}

dm_status dm_risk_spots(dm_ctx *ctx, const dm_grid *g, const float *p, const float *items,
                        const unsigned char *mask, size_t n, uint64_t seed, dm_risk_spot **out,
                        size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (n < DM_RISK_SPOT_CLASSES)
        return dm__fail(ctx, DM_EINVAL, "at least %d spots, one per class of the map",
                        DM_RISK_SPOT_CLASSES);
    /* a spot is a cell of cell_m metres to search: a map warped to degrees
     * gave spots of "cell_m 0.0045" */
    if (dm_crs_require_metres(ctx, g->crs, NULL, 0))
        return dm__fail(ctx, DM_EPROJ,
                        "the map is in %s, which does not count in metres: a spot is a cell to "
                        "search, of metres; draw them on the map as demine wrote it",
                        g->crs);
    size_t cells = dm_grid_cells(g), m = 0, other = 0;
    for (size_t k = 0; k < cells; k++) {
        m += mapped(p, mask, k);
        other += (!mask || mask[k]) && isfinite(p[k]) && !(p[k] >= 0 && p[k] <= 1);
    }
    /* a raster that is no risk map (an elevation, a distance) said "the
     * area holds 0 cells of the map" */
    if (m < n && other)
        return dm__fail(ctx, DM_EINVAL,
                        "%zu spots asked for, but the area holds %zu cells of the map: band 1 "
                        "holds %zu values outside 0..1, which are no probabilities (is it a risk "
                        "map of demine?)",
                        n, m, other);
    if (m < n)
        return dm__fail(ctx, DM_EINVAL, "%zu spots asked for, but the area holds %zu cells of the map",
                        n, m);
    double thr[DM_RISK_TOP_N];
    dm_status rc0 = class_thresholds(ctx, p, mask, cells, m, thr);
    if (rc0)
        return rc0;
    /* the same number of spots in each class, one reservoir per class */
    size_t want[DM_RISK_SPOT_CLASSES], seen[DM_RISK_SPOT_CLASSES] = {0};
    for (int s = 0; s < DM_RISK_SPOT_CLASSES; s++)
        want[s] = n / DM_RISK_SPOT_CLASSES + ((size_t)s < n % DM_RISK_SPOT_CLASSES);
    size_t *res = malloc(n * sizeof *res), off[DM_RISK_SPOT_CLASSES];
    if (!res)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    off[0] = 0;
    for (int s = 1; s < DM_RISK_SPOT_CLASSES; s++)
        off[s] = off[s - 1] + want[s - 1];
    uint64_t st = seed;
    for (size_t k = 0; k < cells; k++) {
        if (!mapped(p, mask, k))
            continue;
        int s = class_of(p[k], thr);
        size_t i = seen[s]++;
        if (i < want[s])
            res[off[s] + i] = k;
        else {
            uint64_t r = below(&st, i + 1);
            if (r < want[s])
                res[off[s] + r] = k;
        }
    }
    /* ties (a flat map, or a flat lower part) leave classes empty */
    int full = 0;
    size_t drawn = 0;
    for (int s = 0; s < DM_RISK_SPOT_CLASSES; s++) {
        full += seen[s] > 0;
        drawn += seen[s] < want[s] ? seen[s] : want[s];
    }
    if (full < 2) {
        free(res);
        return dm__fail(ctx, DM_EINVAL,
                        "the map is flat (its cells share one value): it has no classes to "
                        "draw spots in");
    }
    if (drawn < n)
        dm__log(ctx, DM_LOG_WARN,
                "%d of the map's %d classes hold no cell (cells sharing one value fall in one "
                "class): %zu spots drawn, not %zu",
                DM_RISK_SPOT_CLASSES - full, DM_RISK_SPOT_CLASSES, drawn, n);
    dm_risk_spot *sp = dm_calloc(ctx, n, sizeof *sp);
    dm_transform *t = NULL;
    dm_status rc = sp ? dm_transform_new(ctx, g->crs, "EPSG:4326", &t) : DM_ENOMEM;
    size_t ns = 0;
    for (int s = 0; s < DM_RISK_SPOT_CLASSES && !rc; s++) {
        size_t got = seen[s] < want[s] ? seen[s] : want[s];
        for (size_t i = 0; i < got && !rc; i++) {
            size_t k = res[off[s] + i];
            dm_risk_spot *q = &sp[ns++];
            q->x = g->x0 + ((double)(k % (size_t)g->nx) + 0.5) * g->cell;
            q->y = g->y0 - ((double)(k / (size_t)g->nx) + 0.5) * g->cell;
            q->lon = q->x, q->lat = q->y;
            rc = dm_transform_xy(t, &q->lon, &q->lat, 1);
            q->cls = s;
            q->p = p[k];
            q->items_ha = items ? items[k] : NAN;
            q->model_ha = q->items_ha;
            q->cells = (double)seen[s] / (double)got;
        }
    }
    dm_transform_free(t);
    free(res);
    if (rc) {
        dm_free(ctx, sp);
        return rc == DM_ENOMEM && !sp ? dm__fail(ctx, DM_ENOMEM, "out of memory") : rc;
    }
    *out = sp;
    *n_out = ns;
    return DM_OK;
}

dm_status dm_risk_spot_check(dm_ctx *ctx, const dm_grid *g, const float *p,
                             const unsigned char *mask, const double *xy, const double *label,
                             size_t n, dm_risk_spot_class out[DM_RISK_SPOT_CLASSES])
{
    memset(out, 0, DM_RISK_SPOT_CLASSES * sizeof *out);
    size_t cells = dm_grid_cells(g), m = 0;
    for (size_t k = 0; k < cells; k++)
        m += mapped(p, mask, k);
    if (!m)
        return dm__fail(ctx, DM_EINVAL, "the area holds no cell of the map");
    double thr[DM_RISK_TOP_N];
    dm_status st = class_thresholds(ctx, p, mask, cells, m, thr);
    if (st)
        return st;
    for (size_t k = 0; k < cells; k++)
        if (mapped(p, mask, k)) {
            dm_risk_spot_class *c = &out[class_of(p[k], thr)];
            c->cells++;
            c->map_p += p[k];
        }
    for (int s = 0; s < DM_RISK_SPOT_CLASSES; s++) {
        out[s].map_p = out[s].cells ? out[s].map_p / out[s].cells : NAN;
        out[s].share = out[s].lo = out[s].hi = NAN;
    }
    for (size_t i = 0; i < n; i++) {
        if (label[i] != 0 && label[i] != 1)
            continue;
        double fx = (xy[2 * i] - g->x0) / g->cell, fy = (g->y0 - xy[2 * i + 1]) / g->cell;
        if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
            continue;
        size_t k = (size_t)fy * (size_t)g->nx + (size_t)fx;
        if (!mapped(p, mask, k))
            continue;
        dm_risk_spot_class *c = &out[class_of(p[k], thr)];
        c->spots++;
        c->positive += label[i] == 1;
    }
    /* each class's share of cells holding an item, with its 90 % Wilson
     * interval */
    const double z = 1.6448536269514722;
    for (int s = 0; s < DM_RISK_SPOT_CLASSES; s++) {
        double nn = (double)out[s].spots;
        if (!nn)
            continue;
        double ph = (double)out[s].positive / nn, d = 1 + z * z / nn;
        double mid = (ph + z * z / (2 * nn)) / d;
        double half = z * sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / d;
        out[s].share = ph;
        out[s].lo = fmax(0, mid - half);
        out[s].hi = fmin(1, mid + half);
    }
    return DM_OK;
}

void dm_risk_spots_uncalibrate(dm_risk_spot *s, size_t n, const dm_risk_map_cal *c)
{
    double f = c->factor > 0 ? c->factor : 1, sf = c->spot_factor > 0 ? c->spot_factor : 1;
    double sb = c->spot_power > 0 ? c->spot_power : 1;
    for (size_t i = 0; i < n; i++)
        if (s[i].items_ha >= 0) /* items = sf * (f * model)^sb */
            s[i].model_ha = pow(s[i].items_ha / sf, 1 / sb) / f;
}

dm_status dm_risk_map_cal_read(dm_ctx *ctx, const char *path, dm_risk_map_cal *out)
{
    out->factor = out->cluster = out->spot_factor = out->spot_power = 1.0;
    char *txt = NULL;
    dm_status st = dm_raster_get_meta(ctx, path, "DEMINE_CALIBRATION", &txt);
    if (st || !txt)
        return st;
    json_error_t err;
    json_t *j = json_loads(txt, 0, &err);
    double v[4];
    const char *keys[4] = {"factor", "spot_factor", "spot_power", "cluster"};
    for (int k = 0; k < 4; k++)
        v[k] = json_number_value(json_object_get(j, keys[k]));
    if (v[0] > 0)
        out->factor = v[0];
    if (v[1] > 0 && v[2] > 0)
        out->spot_factor = v[1], out->spot_power = v[2];
    if (v[3] >= 1)
        out->cluster = v[3];
    json_decref(j);
    dm_free(ctx, txt);
    return DM_OK;
}

/* "feature 5 (S005)" */
static const char *spot_name(const dm_spot *s, char *buf, size_t size)
{
    snprintf(buf, size, "feature %ld%s%s%s", s->feature, s->id[0] ? " (" : "", s->id,
             s->id[0] ? ")" : "");
    return buf;
}

dm_status dm_risk_spots_fit(dm_ctx *ctx, const dm_grid *g, double factor, double cluster,
                            const dm_spot *s, size_t n, const char *const *from,
                            dm_risk_spot_cal *out)
{
    memset(out, 0, sizeof *out);
    out->factor = out->power = 1.0;
    dm_spot *use = dm_calloc(ctx, n + 1, sizeof *use);
    dm_transform *t = NULL;
    if (!use)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    size_t m = 0, off_map = 0, unlabelled = 0;
    char nm[64], nm2[64];
    dm_status st = dm_transform_new(ctx, "EPSG:4326", g->crs, &t);
    for (size_t i = 0; i < n && !st; i++) {
        const dm_spot *sp = &s[i];
        const char *path = from && from[i] ? from[i] : "spots";
        for (size_t q = 0; q < i && !st; q++)
            if (s[q].lon == sp->lon && s[q].lat == sp->lat)
                st = dm__fail(ctx, DM_EINVAL, "%s: %s is the spot of %s %s: give each spot once",
                              path, spot_name(sp, nm, sizeof nm),
                              from && from[q] ? from[q] : "spots", spot_name(&s[q], nm2, sizeof nm2));
        if (st)
            break;
        if (!(sp->label == 0 || sp->label == 1)) {
            unlabelled++;
            continue;
        }
        if (!(sp->model_ha >= 0)) {
            st = dm__fail(ctx, DM_EINVAL,
                          "%s: %s: no 'model_ha', the model's prediction there: draw the spots "
                          "again with this version's `risk spots`",
                          path, spot_name(sp, nm, sizeof nm));
            break;
        }
        if (sp->cell_m > 0 && fabs(sp->cell_m - g->cell) > 1e-6 * g->cell) {
            st = dm__fail(ctx, DM_EINVAL,
                          "%s: %s: a spot of %g m, the map's cells are %g m: a cell of another "
                          "size holds other counts; map with --cell %g or draw the spots from "
                          "this map",
                          path, spot_name(sp, nm, sizeof nm), sp->cell_m, g->cell, sp->cell_m);
            break;
        }
        double x = sp->lon, y = sp->lat;
        if ((st = dm_transform_xy(t, &x, &y, 1)))
            break;
        if (!(x >= g->x0 && x < g->x0 + g->nx * g->cell && y <= g->y0 &&
              y > g->y0 - g->ny * g->cell)) {
            off_map++;
            continue;
        }
        use[m] = *sp;
        use[m++].model_ha *= factor;
    }
    if (!st && off_map)
        dm__log(ctx, DM_LOG_WARN, "%zu labelled spots lie outside the map: left out", off_map);
    if (!st && !m)
        st = dm__fail(ctx, DM_EINVAL, "no spot labelled 0 or 1 on the map (%zu not searched yet, "
                                      "%zu off the map)",
                      unlabelled, off_map);
    if (!st)
        st = dm_risk_spot_calibrate(ctx, use, m, g->cell, cluster, out);
    if (!st)
        out->ignored = unlabelled + off_map;
    dm_transform_free(t);
    dm_free(ctx, use);
    return st;
}
