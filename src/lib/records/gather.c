/* SPDX-License-Identifier: MIT
 *
 * gather.c -- what the records engines read from a store, through the public
 * cursor API: point rows with a few fields, turned into a local UTM frame
 * for metric work, with the rows that cannot be used counted, not fatal.
 */
#include "records_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int dm__wgs84_bounds(const dm_geom *g)
{
    double b[4];
    if (!dm_geom_bounds(g, b))
        return 0;
    return b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90;
}

dm_status dm__frame_for(dm_store *s, const char *layer, dm__frame *f)
{
    dm_ctx *ctx = dm_store_ctx(s);
    memset(f, 0, sizeof *f);
    double sx = 0, sy = 0;
    long n = 0;
    dm_cursor *c = NULL;
    dm_select sel = {0};
    sel.limit = 2000;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    if (st)
        return st;
    int r;
    while ((r = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) == DM_OK && g && dm__wgs84_bounds(g)) {
            double b[4];
            dm_geom_bounds(g, b);
            sx += (b[0] + b[2]) / 2;
            sy += (b[1] + b[3]) / 2;
            n++;
        }
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    if (r < 0)
        return dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_ctx_clear_error(ctx);
    f->epsg = dm_utm_epsg(n ? sx / (double)n : 0, n ? sy / (double)n : 0);
    char to[32];
    snprintf(to, sizeof to, "EPSG:%d", f->epsg);
    st = dm_transform_new(ctx, "EPSG:4326", to, &f->fwd);
    if (!st)
        st = dm_transform_new(ctx, to, "EPSG:4326", &f->inv);
    if (st)
        dm__frame_free(f);
    return st;
}

void dm__frame_free(dm__frame *f)
{
    dm_transform_free(f->fwd);
    dm_transform_free(f->inv);
    f->fwd = f->inv = NULL;
}

void dm__rpts_free(dm_ctx *ctx, dm__rpt *p, size_t n)
{
    for (size_t i = 0; i < n && p; i++) {
        dm_free(ctx, p[i].a);
        dm_free(ctx, p[i].b);
        dm_free(ctx, p[i].c);
    }
    dm_free(ctx, p);
}

static char *dup_field(dm_ctx *ctx, dm_cursor *c, const char *f, int *oom)
{
    if (!f)
        return NULL;
    const char *v = dm_cursor_text(c, f);
    if (!v)
        return NULL;
    char *d = dm_strdup(ctx, v);
    if (!d)
        *oom = 1;
    return d;
}

dm_status dm__load_points(dm_store *s, const dm__frame *f, const char *layer, const char *eq_field,
                          const char *eq_value, const char *fa, const char *fb, const char *fc,
                          dm__rpt **out, size_t *n, size_t *bad)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    *n = 0;
    if (bad)
        *bad = 0;
    dm_select sel = {0};
    sel.reviewed = 1; /* finds of reports not approved are no evidence */
    const char *ef[1] = {eq_field}, *ev[1] = {eq_value};
    if (eq_field) {
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
    }
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    if (st)
        return st;
    dm__rpt *v = NULL;
    size_t nv = 0, cap = 0;
    int r = 0, oom = 0;
    while (!st && (r = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        double x, y;
        if (!g || !dm__wgs84_bounds(g) || !dm_geom_centroid_xy(g, &x, &y) ||
            dm_transform_xy(f->fwd, &x, &y, 1)) {
            dm_geom_free(g);
            dm_ctx_clear_error(ctx);
            if (bad)
                (*bad)++;
            continue;
        }
        dm_geom_free(g);
        if (nv == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            dm__rpt *nvv = dm_realloc(ctx, v, nc * sizeof *nvv);
            if (!nvv) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            v = nvv;
            cap = nc;
        }
        dm__rpt *p = &v[nv++];
        memset(p, 0, sizeof *p);
        p->x = x;
        p->y = y;
        dm__strlcpy(p->uuid, dm_cursor_uuid(c), sizeof p->uuid);
        p->a = dup_field(ctx, c, fa, &oom);
        p->b = dup_field(ctx, c, fb, &oom);
        p->c = dup_field(ctx, c, fc, &oom);
        if (oom)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (st) {
        dm__rpts_free(ctx, v, nv);
        return st;
    }
    *out = v;
    *n = nv;
    return DM_OK;
}

/* ---- point in polygon -------------------------------------------------------- */

dm_status dm__poly_init(dm_ctx *ctx, const dm_geom *g, dm__poly *p)
{
    memset(p, 0, sizeof *p);
    p->empty = 1;
    if (!g || dm_geom_is_empty(g))
        return DM_OK;
    dm_status st = dm_geom_coords(ctx, g, &p->c);
    if (st)
        return st;
    p->rb = dm_malloc(ctx, (p->c.n_parts ? p->c.n_parts : 1) * 4 * sizeof *p->rb);
    if (!p->rb) {
        dm__poly_free(ctx, p);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    p->b[0] = p->b[1] = INFINITY;
    p->b[2] = p->b[3] = -INFINITY;
    for (size_t i = 0; i < p->c.n_parts; i++) {
        double *b = p->rb + 4 * i;
        b[0] = b[1] = INFINITY;
        b[2] = b[3] = -INFINITY;
        for (size_t k = p->c.start[i]; k < p->c.start[i + 1]; k++) {
            b[0] = fmin(b[0], p->c.xy[2 * k]);
            b[1] = fmin(b[1], p->c.xy[2 * k + 1]);
            b[2] = fmax(b[2], p->c.xy[2 * k]);
            b[3] = fmax(b[3], p->c.xy[2 * k + 1]);
        }
        if (p->c.kind[i] >= 2) {
            p->b[0] = fmin(p->b[0], b[0]);
            p->b[1] = fmin(p->b[1], b[1]);
            p->b[2] = fmax(p->b[2], b[2]);
            p->b[3] = fmax(p->b[3], b[3]);
            p->empty = 0;
        }
    }
    return DM_OK;
}

int dm__poly_has(const dm__poly *p, double x, double y)
{
    if (p->empty || x < p->b[0] || x > p->b[2] || y < p->b[1] || y > p->b[3])
        return 0;
    int in = 0;
    for (size_t i = 0; i < p->c.n_parts; i++) {
        const double *b = p->rb + 4 * i;
        if (p->c.kind[i] < 2 || x < b[0] || x > b[2] || y < b[1] || y > b[3])
            continue;
        size_t s = p->c.start[i], e = p->c.start[i + 1];
        if (e - s < 3)
            continue;
        for (size_t k = s, j = e - 1; k < e; j = k++) {
            double xi = p->c.xy[2 * k], yi = p->c.xy[2 * k + 1], xj = p->c.xy[2 * j], yj = p->c.xy[2 * j + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

void dm__poly_free(dm_ctx *ctx, dm__poly *p)
{
    dm_coords_free(ctx, &p->c);
    dm_free(ctx, p->rb);
    p->rb = NULL;
    p->empty = 1;
}
