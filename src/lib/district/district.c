/* SPDX-License-Identifier: MIT
 *
 * district.c -- the district of a row (district_internal.h): its field
 * district, else the polygon of layer districts that holds its centre.
 */
#include "district/district_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct district_poly {
    char name[256];
    dm_geom *g;
    double b[4];
} district_poly;

struct dm_district_polys {
    dm_ctx *ctx;
    district_poly *v;
    size_t n, cap;
};

dm_status dm__district_polys_load(dm_store *s, dm_district_polys **out)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    dm_district_polys *d = calloc(1, sizeof *d);
    if (!d)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    d->ctx = ctx;
    dm_cursor *cur = NULL;
    dm_status st = dm_store_select(s, "districts", NULL, &cur);
    if (st) {
        free(d);
        return st;
    }
    int rc;
    while ((rc = dm_cursor_next(cur)) == 1) {
        dm_geom *g = NULL;
        if (dm_cursor_geom(cur, &g) || !g) {
            dm_ctx_clear_error(ctx); /* a polygon that cannot be read holds nothing */
            continue;
        }
        if (d->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 16;
            district_poly *nv = realloc(d->v, cap * sizeof *nv);
            if (!nv) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            d->v = nv;
            d->cap = cap;
        }
        district_poly *p = &d->v[d->n++];
        const char *name = dm_cursor_text(cur, "name");
        dm__strlcpy(p->name, name ? name : "", sizeof p->name);
        p->g = g;
        dm_geom_bounds(g, p->b);
    }
    dm_cursor_free(cur);
    if (!st && rc < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    if (st) {
        dm__district_polys_free(d);
        return st;
    }
    *out = d;
    return DM_OK;
}

void dm__district_polys_free(dm_district_polys *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        dm_geom_free(d->v[i].g);
    free(d->v);
    free(d);
}

const char *dm__district_at(const dm_district_polys *d, const dm_geom *g)
{
    double x, y;
    if (!d || !d->n || !g || !dm_geom_centroid_xy(g, &x, &y))
        return NULL;
    for (size_t i = 0; i < d->n; i++) {
        const district_poly *p = &d->v[i];
        if (x < p->b[0] || x > p->b[2] || y < p->b[1] || y > p->b[3])
            continue;
        dm_geom *pt = NULL;
        if (dm_geom_point(d->ctx, x, y, &pt))
            continue;
        int in = dm_geom_contains(p->g, pt);
        dm_geom_free(pt);
        if (in)
            return p->name;
    }
    return NULL;
}

const char *dm__district_of(const dm_district_polys *d, const char *field, const dm_geom *g)
{
    return field && *field ? field : dm__district_at(d, g);
}
