/* SPDX-License-Identifier: MIT
 *
 * route_json.c -- route results as JSON (figures) and GeoJSON (the path and
 * its most dangerous stretches), for the CLI and the server. The public form
 * gives only the path, its length and a danger verdict: nothing about the
 * underlying cells.
 */
#include "core/dm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void kv(dm_buf *b, const char *k, double v, int comma)
{
    if (comma)
        dm__buf_puts(b, ",");
    dm__buf_json_str(b, k);
    dm__buf_puts(b, ":");
    dm__buf_json_num(b, v);
}

static void figures(dm_buf *b, const dm_route_result *r, int public_only)
{
    dm__buf_puts(b, "\"verdict\":");
    dm__buf_json_str(b, r->verdict ? r->verdict : "unknown");
    kv(b, "length_m", r->length_m, 1);
    if (public_only)
        return;
    dm__buf_printf(b, ",\"found\":%s", r->found ? "true" : "false");
    kv(b, "expected_items", r->items, 1);
    kv(b, "p_none", r->p_none, 1);
    kv(b, "p_any", 1 - r->p_none, 1);
    kv(b, "items_per_cluster", r->cluster, 1);
    kv(b, "max_p", r->max_p, 1);
    if (r->found)
        kv(b, "cost", r->cost, 1);
    kv(b, "impassable_m", r->impassable_m, 1);
    kv(b, "nodata_m", r->nodata_m, 1);
    kv(b, "outside_m", r->outside_m, 1);
    kv(b, "road_m", r->road_m, 1);
    if (!r->hazards_checked)
        return;
    double in = 0;
    for (size_t i = 0; i < r->n_hazards; i++)
        in += r->hazards[i].length_m;
    kv(b, "in_hazards_m", in, 1);
    dm__buf_puts(b, ",\"hazards_crossed\":[");
    for (size_t i = 0; i < r->n_hazards; i++) {
        const dm_route_hazard *h = &r->hazards[i];
        dm__buf_puts(b, i ? ",{\"ref\":" : "{\"ref\":");
        dm__buf_json_str(b, h->ref);
        dm__buf_puts(b, ",\"status\":");
        dm__buf_json_str(b, h->status);
        kv(b, "length_m", h->length_m, 1);
        kv(b, "from_m", h->from_m, 1);
        kv(b, "to_m", h->to_m, 1);
        dm__buf_puts(b, "}");
    }
    dm__buf_puts(b, "]");
}

static void stretch_obj(dm_buf *b, const dm_route_stretch *s)
{
    kv(b, "from_m", s->from_m, 0);
    kv(b, "to_m", s->to_m, 1);
    kv(b, "expected_items", s->items, 1);
    kv(b, "p_any", s->p_any, 1);
    kv(b, "max_p", s->max_p, 1);
}

static dm_status finish(dm_ctx *ctx, dm_buf *b, char **json)
{
    if (b->oom) {
        dm__buf_free(b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    char *s = dm__buf_take(b);
    *json = dm_strdup(ctx, s ? s : "");
    free(s);
    return *json ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}

dm_status dm_route_result_json(dm_ctx *ctx, const dm_route_result *r, int public_only, char **json)
{
    *json = NULL;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{");
    figures(&b, r, public_only);
    if (!public_only) {
        dm__buf_puts(&b, ",\"stretches\":[");
        for (size_t i = 0; i < r->n_stretches; i++) {
            const dm_route_stretch *s = &r->stretches[i];
            dm__buf_puts(&b, i ? ",{" : "{");
            stretch_obj(&b, s);
            dm__buf_printf(&b, ",\"from\":[%.7f,%.7f],\"to\":[%.7f,%.7f]}", s->lon0, s->lat0,
                           s->lon1, s->lat1);
        }
        dm__buf_puts(&b, "]");
        if (r->found) {
            dm__buf_puts(&b, ",\"search\":{");
            kv(&b, "cells_window", (double)r->cells_window, 0);
            kv(&b, "cells_settled", (double)r->cells_settled, 1);
            kv(&b, "memory_mib", (double)r->mem_bytes / 1048576.0, 1);
            kv(&b, "seconds_read", r->seconds_read, 1);
            kv(&b, "seconds_search", r->seconds_search, 1);
            dm__buf_puts(&b, "}");
        }
    }
    dm__buf_puts(&b, "}");
    return finish(ctx, &b, json);
}

/* Coordinates of the path between two chainages (inclusive ends). */
static void sub_line(dm_buf *b, const dm_route_result *r, double from, double to)
{
    size_t n = r->n_pts;
    const double *ll = r->lonlat, *ch = r->chainage_m;
    dm__buf_puts(b, "[");
    int first = 1;
    for (size_t k = 0; k + 1 < n; k++) {
        double a = ch[k], z = ch[k + 1];
        if (z < from || a > to || z <= a)
            continue;
        double t0 = from > a ? (from - a) / (z - a) : 0, t1 = to < z ? (to - a) / (z - a) : 1;
        if (first) {
            dm__buf_printf(b, "[%.7f,%.7f]", ll[2 * k] + t0 * (ll[2 * k + 2] - ll[2 * k]),
                           ll[2 * k + 1] + t0 * (ll[2 * k + 3] - ll[2 * k + 1]));
            first = 0;
        }
        dm__buf_printf(b, ",[%.7f,%.7f]", ll[2 * k] + t1 * (ll[2 * k + 2] - ll[2 * k]),
                       ll[2 * k + 1] + t1 * (ll[2 * k + 3] - ll[2 * k + 1]));
    }
    dm__buf_puts(b, "]");
}

dm_status dm_route_result_geojson(dm_ctx *ctx, const dm_route_result *r, int public_only,
                                  char **json)
{
    *json = NULL;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                     "\"properties\":{\"kind\":\"route\",");
    figures(&b, r, public_only);
    dm__buf_puts(&b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t k = 0; k < r->n_pts; k++)
        dm__buf_printf(&b, "%s[%.7f,%.7f]", k ? "," : "", r->lonlat[2 * k], r->lonlat[2 * k + 1]);
    dm__buf_puts(&b, "]}}");
    if (!public_only) {
        for (size_t i = 0; i < r->n_stretches; i++) {
            const dm_route_stretch *s = &r->stretches[i];
            dm__buf_printf(&b,
                           ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"stretch\","
                           "\"rank\":%zu,",
                           i + 1);
            stretch_obj(&b, s);
            dm__buf_puts(&b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":");
            sub_line(&b, r, s->from_m, s->to_m);
            dm__buf_puts(&b, "}}");
        }
    }
    dm__buf_puts(&b, "]}");
    return finish(ctx, &b, json);
}
