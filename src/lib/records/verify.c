/* SPDX-License-Identifier: MIT
 *
 * verify.c -- minefield records measured against what clearance found: the
 * share of each record released, recorded mines with a find near them,
 * finds the record lists, counts per mine type, the shift and rotation that
 * best aligns the record with the finds (and the accuracy after it), and
 * the items and accidents that lie outside every record. Writes the
 * measured reliability and the matches back in one transaction; applies a
 * record's shift as a new version of it (records correct).
 */
#include "records_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHRINK_K 10.0      /* checked mines worth of prior in the reliability */
#define MAX_ROT (40 * M_PI / 180)
#define MATCH_LINE_M 50.0  /* matches farther than this are not drawn */

typedef struct relgeom {
    dm_geom *g; /* UTM */
    double b[4];
    int cleared; /* reduced or cleared (not only cancelled) */
} relgeom;

typedef struct vrec {
    char uuid[37];
    char *ref, *source;
    dm_geom *g;  /* UTM perimeter, NULL when unusable */
    double b[4];
    size_t mfirst, mn; /* its mines in the sorted mines array */
    size_t from_rows;  /* of them, derived from its rows (record_rows without record_mines) */
    int skip, dup_of;
    double decl_at, decl_ap; /* mines_at, mines_ap as the record declares them (NaN: not given) */
    /* results */
    double area_m2, coverage, cleared_share;
    size_t checked, hits, with_near, found_in, found_listed, outside, via_shift;
    size_t in_cancelled; /* recorded mines in cancelled, unsearched land: not checked */
    /* many-to-one: a find counted for every recorded mine within the
     * tolerance of it (and a recorded mine for every find near it) */
    size_t near_m2o, listed_m2o, finds_shared;
    size_t *mate; /* per recorded mine: its find (index in items) or (size_t)-1 */
    double med, p95, accuracy;
    dm_rigid t;
    int shifted;
    size_t checked_c, hits_c, inliers, finds_near;
    double spread; /* largest distance of a recorded mine from their centroid, metres */
    size_t repeated; /* recorded mines within SAME_M of an earlier one of the record */
    double accuracy_c, reliability;
    double stored_rel; /* records.reliability before this run (NAN: none) */
    json_t *types;
} vrec;

typedef struct vctx {
    dm_store *s;
    dm_ctx *ctx;
    dm__frame fr;
    double tol, around;
    vrec *r;
    size_t nr;
    dm__rpt *mines, *items, *acc;
    size_t nm, ni, na;
    relgeom *rel;
    size_t nrel;
    relgeom *hz; /* hazards (cleared unused) */
    char (*hz_id)[37];
    size_t nhz;
    json_t *problems;
} vctx;

static int is_mine_cat(const char *c)
{
    return c && (!strcmp(c, "AP") || !strcmp(c, "AT") || !strcmp(c, "IED"));
}

static int cmp_rpt_a(const void *a, const void *b)
{
    const char *x = ((const dm__rpt *)a)->a, *y = ((const dm__rpt *)b)->a;
    return strcmp(x ? x : "", y ? y : "");
}

/* recorded mines all within this of their centroid (metres) are one place */
#define STACK_M 1.0
/* two recorded mines closer than this (metres) are one mine entered twice:
 * no two mines are laid 10 cm apart */
#define SAME_M 0.1

static int cmp_x(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Points of p (n (x, y) pairs; sorted by x in place) within SAME_M of
 * another before them in x order: the repeats of a place. */
static size_t count_repeats(double *p, size_t n)
{
    if (n < 2)
        return 0;
    qsort(p, n, 2 * sizeof *p, cmp_x);
    size_t rep = 0;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j-- > 0 && p[2 * i] - p[2 * j] <= SAME_M;)
            if (hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]) <= SAME_M) {
                rep++;
                break;
            }
    return rep;
}

static void problem(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(vctx *v, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(v->problems, json_string(buf));
}

static int box_meets(const double a[4], const double b[4], double m)
{
    return a[0] - m <= b[2] && b[0] <= a[2] + m && a[1] - m <= b[3] && b[1] <= a[3] + m;
}

static void vctx_free(vctx *v)
{
    for (size_t i = 0; v->r && i < v->nr; i++) {
        dm_free(v->ctx, v->r[i].ref);
        dm_free(v->ctx, v->r[i].source);
        dm_free(v->ctx, v->r[i].mate);
        dm_geom_free(v->r[i].g);
        json_decref(v->r[i].types);
    }
    dm_free(v->ctx, v->r);
    for (size_t i = 0; v->rel && i < v->nrel; i++)
        dm_geom_free(v->rel[i].g);
    dm_free(v->ctx, v->rel);
    for (size_t i = 0; v->hz && i < v->nhz; i++)
        dm_geom_free(v->hz[i].g);
    dm_free(v->ctx, v->hz);
    dm_free(v->ctx, v->hz_id);
    dm__rpts_free(v->ctx, v->mines, v->nm);
    dm__rpts_free(v->ctx, v->items, v->ni);
    dm__rpts_free(v->ctx, v->acc, v->na);
    dm__frame_free(&v->fr);
    json_decref(v->problems);
}

/* ---- gathering ------------------------------------------------------------ */

/* The rows of layer: how many (*n), a zeroed array of as many elements of
 * size bytes (at least one; *arr) and a cursor over them (*c). */
static dm_status open_layer(vctx *v, const char *layer, size_t size, long *n, void **arr,
                            dm_cursor **c)
{
    dm_status st = dm_store_count(v->s, layer, NULL, n);
    if (st)
        return st;
    *arr = dm_calloc(v->ctx, *n ? (size_t)*n : 1, size);
    if (!*arr)
        return dm__fail(v->ctx, DM_ENOMEM, "out of memory");
    st = dm_store_select(v->s, layer, NULL, c);
    if (st) {
        dm_free(v->ctx, *arr);
        *arr = NULL;
    }
    return st;
}

/* Free the cursor of a loop that ended with k (negative: a read error) and
 * status st; the status of the whole. */
static dm_status close_layer(vctx *v, dm_cursor *c, int k, dm_status st)
{
    dm_cursor_free(c);
    if (!st && k < 0)
        st = dm_ctx_errcode(v->ctx) ? dm_ctx_errcode(v->ctx) : DM_ESQL;
    return st;
}

/* g (WGS 84) in the local frame (*out, with its bounds b): 1; 0 (the error
 * cleared) when g is NULL, not in WGS 84 ranges or cannot be transformed. */
static int to_frame(vctx *v, const dm_geom *g, dm_geom **out, double b[4])
{
    *out = NULL;
    if (g && dm__wgs84_bounds(g) && dm_geom_transform(v->ctx, v->fr.fwd, g, out) == DM_OK &&
        dm_geom_bounds(*out, b))
        return 1;
    dm_geom_free(*out);
    *out = NULL;
    dm_ctx_clear_error(v->ctx);
    return 0;
}

static dm_status load_records(vctx *v, const char *only)
{
    long n = 0;
    void *arr = NULL;
    dm_cursor *c = NULL;
    dm_status st = open_layer(v, "records", sizeof *v->r, &n, &arr, &c);
    if (st)
        return st;
    v->r = arr;
    int k = 0;
    long feature = 0;
    while (!st && (k = dm_cursor_next(c)) > 0 && v->nr < (size_t)n) {
        feature++;
        vrec *r = &v->r[v->nr];
        dm__strlcpy(r->uuid, dm_cursor_uuid(c), sizeof r->uuid);
        if (only && strcmp(only, r->uuid))
            continue;
        const char *ref = dm_cursor_text(c, "ref"), *src = dm_cursor_text(c, "source");
        r->ref = dm_strdup(v->ctx, ref ? ref : "");
        r->source = dm_strdup(v->ctx, src ? src : "unknown source");
        r->dup_of = -1;
        r->accuracy = r->accuracy_c = r->med = r->p95 = NAN;
        r->coverage = r->cleared_share = NAN;
        r->reliability = NAN;
        r->stored_rel = dm_cursor_real(c, "reliability", NAN);
        r->decl_at = dm_cursor_real(c, "mines_at", NAN);
        r->decl_ap = dm_cursor_real(c, "mines_ap", NAN);
        v->nr++;
        if (!r->ref || !r->source) {
            st = dm__fail(v->ctx, DM_ENOMEM, "out of memory");
            break;
        }
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        if (!g || dm_geom_is_empty(g)) {
            problem(v, "record %s (%s, feature %ld): no geometry (perimeter); skipped", r->ref, r->uuid, feature);
            r->skip = 1;
        } else if (!dm__wgs84_bounds(g)) {
            problem(v, "record %s (%s, feature %ld): coordinates outside WGS 84 ranges (a record in another "
                    "CRS? reproject it to EPSG:4326); skipped", r->ref, r->uuid, feature);
            r->skip = 1;
        } else if (dm_geom_transform(v->ctx, v->fr.fwd, g, &r->g) || !dm_geom_bounds(r->g, r->b)) {
            problem(v, "record %s (%s, feature %ld): geometry cannot be transformed: %s; skipped", r->ref, r->uuid,
                    feature, dm_ctx_errmsg(v->ctx));
            dm_ctx_clear_error(v->ctx);
            r->skip = 1;
        } else if (!(dm_geom_area(r->g) > 0)) {
            problem(v, "record %s (%s, feature %ld): perimeter has no area; skipped", r->ref, r->uuid, feature);
            r->skip = 1;
        } else {
            char why[128] = "";
            double fx = NAN, fy = NAN;
            if (!dm_geom_is_valid(g, why, sizeof why, &fx, &fy)) {
                problem(v, "record %s (%s, feature %ld): geometry (perimeter) is not a valid polygon (%s at %.7f %.7f); "
                        "skipped: fix the perimeter (e.g. export it and import it again with --repair)",
                        r->ref, r->uuid, feature, why[0] ? why : "invalid", fx, fy);
                r->skip = 1;
            }
        }
        dm_geom_free(g);
    }
    return close_layer(v, c, k, st);
}

/* A row's mines derived with a prior, or a row not used: a problem naming
 * the record by its ref. */
static void rows_warn(void *user, const char *rec, const char *msg)
{
    vctx *v = user;
    const char *ref = "?";
    for (size_t i = 0; i < v->nr; i++)
        if (!strcmp(v->r[i].uuid, rec))
            ref = v->r[i].ref && v->r[i].ref[0] ? v->r[i].ref : "?";
    problem(v, "record %s (%s): %s", ref, rec, msg);
}

static dm_status check_rows(vctx *v)
{
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(v->s, "record_rows", NULL, &c);
    if (st)
        return st;
    int k;
    long feature = 0;
    while ((k = dm_cursor_next(c)) > 0) {
        feature++;
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) == DM_OK && g) {
            double len = dm_geom_length(g);
            if (dm_geom_num_points(g) < 2 || !(len > 0)) {
                const char *rid = dm_cursor_text(c, "record_id"), *name = rid ? rid : "?";
                for (size_t i = 0; rid && i < v->nr; i++)
                    if (!strcmp(v->r[i].uuid, rid) && v->r[i].ref && v->r[i].ref[0])
                        name = v->r[i].ref; /* by the ref people know it by */
                problem(v, "record_rows feature %ld (%s) of record %s: a row of one point (no length): no line "
                        "to follow; where none of its mines is recorded, one is taken at that point",
                        feature, dm_cursor_uuid(c), name);
            }
        }
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    dm_ctx_clear_error(v->ctx);
    return DM_OK;
}

static dm_status load_releases(vctx *v)
{
    long n = 0;
    void *arr = NULL;
    dm_cursor *c = NULL;
    dm_status st = open_layer(v, "release_areas", sizeof *v->rel, &n, &arr, &c);
    if (st)
        return st;
    v->rel = arr;
    int k = 0;
    long feature = 0;
    while (!st && (k = dm_cursor_next(c)) > 0 && v->nrel < (size_t)n) {
        dm_geom *g = NULL, *u = NULL;
        feature++;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        char why[128] = "";
        double fx = NAN, fy = NAN;
        if (g && !dm_geom_is_empty(g) && !dm_geom_is_valid(g, why, sizeof why, &fx, &fy)) {
            problem(v, "release_areas feature %ld (%s): geometry is not a valid polygon (%s at %.7f %.7f); not used "
                    "as released land: fix it (e.g. export it and import it again with --repair)",
                    feature, dm_cursor_uuid(c), why[0] ? why : "invalid", fx, fy);
            dm_geom_free(g);
            continue;
        }
        if (to_frame(v, g, &u, v->rel[v->nrel].b)) {
            const char *o = dm_cursor_text(c, "outcome");
            v->rel[v->nrel].g = u;
            v->rel[v->nrel].cleared = o && strcmp(o, "cancelled");
            v->nrel++;
        }
        dm_geom_free(g);
    }
    return close_layer(v, c, k, st);
}

static dm_status load_hazards(vctx *v)
{
    long n = 0;
    void *arr = NULL;
    dm_cursor *c = NULL;
    dm_status st = open_layer(v, "hazards", sizeof *v->hz, &n, &arr, &c);
    if (st)
        return st;
    v->hz = arr;
    v->hz_id = dm_calloc(v->ctx, n ? (size_t)n : 1, sizeof *v->hz_id);
    if (!v->hz_id) {
        dm_cursor_free(c);
        return dm__fail(v->ctx, DM_ENOMEM, "out of memory");
    }
    int k = 0;
    while (!st && (k = dm_cursor_next(c)) > 0 && v->nhz < (size_t)n) {
        dm_geom *g = NULL, *u = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        if (to_frame(v, g, &u, v->hz[v->nhz].b)) {
            v->hz[v->nhz].g = u;
            dm__strlcpy(v->hz_id[v->nhz], dm_cursor_uuid(c), 37);
            v->nhz++;
        }
        dm_geom_free(g);
    }
    return close_layer(v, c, k, st);
}

/* ---- measuring one record -------------------------------------------------- */

/* Released land near r (within `margin` of its bounds; *near, NULL when
 * none) and the part of r's perimeter it covers (*part). */
static dm_status released_part(vctx *v, vrec *r, int only_cleared, double margin, dm_geom **near,
                               dm_geom **part)
{
    *part = NULL;
    if (near)
        *near = NULL;
    dm_geom **parts = dm_malloc(v->ctx, (v->nrel ? v->nrel : 1) * sizeof *parts);
    if (!parts)
        return dm__fail(v->ctx, DM_ENOMEM, "out of memory");
    size_t np = 0;
    for (size_t i = 0; i < v->nrel; i++)
        if (box_meets(r->b, v->rel[i].b, margin) && (!only_cleared || v->rel[i].cleared))
            parts[np++] = v->rel[i].g;
    dm_status st = DM_OK;
    if (np) {
        dm_geom *u = NULL;
        st = dm_geom_union_all(v->ctx, parts, np, &u);
        if (!st)
            st = dm_geom_intersection(v->ctx, r->g, u, part);
        if (!st && *part && dm_geom_is_empty(*part)) {
            dm_geom_free(*part);
            *part = NULL;
        }
        if (near && !st)
            *near = u;
        else
            dm_geom_free(u);
    }
    dm_free(v->ctx, parts);
    return st;
}

/* The record's mines listed in ck (nck of them; positions in a, moved by t
 * when t is given) matched one to one with the finds b (nb; bi: their
 * indices in v->items): *hits pairs, and when mate is given each mine's
 * find (an index in v->items; (size_t)-1 for the others). */
static dm_status match_mines(vctx *v, const double *a, const size_t *ck, size_t nck, const dm_rigid *t,
                             const double *b, const size_t *bi, size_t nb, size_t *hits, size_t *mate, size_t mn)
{
    dm_ctx *ctx = v->ctx;
    double *p = dm_malloc(ctx, (nck ? nck : 1) * 2 * sizeof *p);
    size_t *m = dm_malloc(ctx, (nck ? nck : 1) * sizeof *m);
    dm_status st = DM_OK;
    if (!p || !m)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t q = 0; !st && q < nck; q++) {
        p[2 * q] = a[2 * ck[q]];
        p[2 * q + 1] = a[2 * ck[q] + 1];
        if (t)
            dm_rigid_apply(t, &p[2 * q], &p[2 * q + 1]);
    }
    if (!st)
        st = dm_match_points(ctx, p, nck, b, nb, v->tol, m, hits);
    if (!st && mate) {
        for (size_t k = 0; k < mn; k++)
            mate[k] = (size_t)-1;
        for (size_t q = 0; q < nck; q++)
            if (m[q] != (size_t)-1)
                mate[ck[q]] = bi[m[q]];
    }
    dm_free(ctx, p);
    dm_free(ctx, m);
    return st;
}

static dm_status measure(vctx *v, vrec *r)
{
    dm_ctx *ctx = v->ctx;
    /* Released land counts as searched when it was reduced or cleared:
     * land cancelled by non-technical survey was released without anyone
     * searching it, so a recorded mine there is unverified (in_cancelled),
     * neither confirmed nor refuted, and a find there is no sign of what a
     * search would have found. rel: the record's released part (coverage);
     * clr: its searched part (cleared share, completeness); relall, srch:
     * all released and searched land near it (its mines may lie outside its
     * perimeter, or be moved there by its shift). */
    dm_geom *rel = NULL, *clr = NULL, *relall = NULL, *srch = NULL;
    dm__poly prel = {0}, prelall = {0}, psrch = {0}, pbig = {0};
    dm_status st = released_part(v, r, 0, v->around, &relall, &rel);
    if (!st)
        st = released_part(v, r, 1, v->around, &srch, &clr);
    if (!st)
        st = dm__poly_init(ctx, clr, &prel);
    if (!st)
        st = dm__poly_init(ctx, relall, &prelall);
    if (!st)
        st = dm__poly_init(ctx, srch, &psrch);
    double *a = NULL, *b = NULL, *offs = NULL, *fp = NULL;
    dm__grid gi = {0}, gm = {0};
    size_t *bi = NULL, *ck = NULL, *claims = NULL, *fmate = NULL;
    if (st)
        goto done;
    r->area_m2 = dm_geom_area(r->g);
    r->coverage = rel ? dm_geom_area(rel) / r->area_m2 : 0;
    r->cleared_share = clr ? dm_geom_area(clr) / r->area_m2 : 0;
    /* finds in and around the record */
    size_t nb = 0;
    bi = dm_malloc(ctx, (v->ni ? v->ni : 1) * sizeof *bi);
    b = dm_malloc(ctx, (v->ni ? v->ni : 1) * 2 * sizeof *b);
    fp = dm_malloc(ctx, (v->ni ? v->ni : 1) * 2 * sizeof *fp);
    claims = dm_calloc(ctx, v->ni ? v->ni : 1, sizeof *claims);
    fmate = dm_malloc(ctx, (v->ni ? v->ni : 1) * sizeof *fmate);
    a = dm_malloc(ctx, (r->mn ? r->mn : 1) * 2 * sizeof *a);
    offs = dm_malloc(ctx, (r->mn ? r->mn : 1) * sizeof *offs);
    ck = dm_malloc(ctx, (r->mn ? r->mn : 1) * sizeof *ck);
    r->mate = dm_malloc(ctx, (r->mn ? r->mn : 1) * sizeof *r->mate);
    if (!bi || !b || !fp || !claims || !fmate || !a || !offs || !ck || !r->mate) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < v->ni; i++) {
        const dm__rpt *p = &v->items[i];
        if (p->x >= r->b[0] - v->around && p->x <= r->b[2] + v->around && p->y >= r->b[1] - v->around &&
            p->y <= r->b[3] + v->around) {
            b[2 * nb] = p->x;
            b[2 * nb + 1] = p->y;
            bi[nb++] = i;
        }
    }
    for (size_t k = 0; k < r->mn; k++) {
        a[2 * k] = v->mines[r->mfirst + k].x;
        a[2 * k + 1] = v->mines[r->mfirst + k].y;
        r->mate[k] = (size_t)-1;
    }
    st = dm__grid_build(ctx, &gi, b, nb, v->tol);
    if (!st)
        st = dm__grid_build(ctx, &gm, a, r->mn, v->tol);
    if (st)
        goto done;
    /* positional accuracy over the recorded mines in released land */
    dm_geom *big = NULL;
    st = dm_geom_buffer(ctx, r->g, 10, &big);
    if (!st)
        st = dm__poly_init(ctx, big, &pbig);
    dm_geom_free(big);
    if (st)
        goto done;
    json_t *types = json_object();
    r->types = types;
    size_t nck = 0;
    for (size_t k = 0; k < r->mn; k++) {
        dm__rpt *m = &v->mines[r->mfirst + k];
        const char *type = m->b ? m->b : m->c ? m->c : "unknown";
        json_t *t = json_object_get(types, type);
        if (!t) {
            t = json_pack("{s:i, s:i, s:i}", "recorded", 0, "checked", 0, "found", 0);
            json_object_set_new(types, type, t);
        }
        json_object_set_new(t, "recorded", json_integer(json_integer_value(json_object_get(t, "recorded")) + 1));
        if (!dm__poly_has(&pbig, m->x, m->y))
            r->outside++;
        if (!dm__poly_has(&psrch, m->x, m->y)) {
            r->in_cancelled += dm__poly_has(&prelall, m->x, m->y);
            continue;
        }
        json_object_set_new(t, "checked", json_integer(json_integer_value(json_object_get(t, "checked")) + 1));
        ck[nck++] = k;
        double d;
        size_t j = dm__grid_nearest(&gi, m->x, m->y, v->around, &d);
        if (d <= v->tol) {
            r->near_m2o++;
            r->finds_shared += ++claims[bi[j]] == 2;
        }
        if (isfinite(d))
            offs[r->with_near++] = d;
    }
    r->checked = nck;
    /* each find confirms at most one recorded mine */
    st = match_mines(v, a, ck, nck, NULL, b, bi, nb, &r->hits, r->mate, r->mn);
    if (st)
        goto done;
    if (r->checked)
        r->accuracy = (double)r->hits / (double)r->checked;
    if (r->with_near) {
        r->med = dm__quantile(offs, r->with_near, 0.5);
        r->p95 = dm__quantile(offs, r->with_near, 0.95);
    }
    /* completeness: finds in the released part that the record lists, each
     * recorded mine listing at most one find */
    size_t nf = 0;
    for (size_t k = 0; k < nb; k++) {
        const dm__rpt *p = &v->items[bi[k]];
        if (!is_mine_cat(p->a) || !dm__poly_has(&prel, p->x, p->y))
            continue;
        fp[2 * nf] = p->x;
        fp[2 * nf + 1] = p->y;
        nf++;
        double d;
        dm__grid_nearest(&gm, p->x, p->y, v->tol, &d);
        if (d <= v->tol)
            r->listed_m2o++;
        const char *type = p->b ? p->b : "unknown";
        json_t *t = json_object_get(types, type);
        if (!t) {
            t = json_pack("{s:i, s:i, s:i}", "recorded", 0, "checked", 0, "found", 0);
            json_object_set_new(types, type, t);
        }
        json_object_set_new(t, "found", json_integer(json_integer_value(json_object_get(t, "found")) + 1));
    }
    r->found_in = nf;
    st = dm_match_points(ctx, fp, nf, a, r->mn, v->tol, fmate, &r->found_listed);
    if (st)
        goto done;
    const char *key;
    json_t *t;
    json_object_foreach(types, key, t)
    {
        json_int_t ch = json_integer_value(json_object_get(t, "checked")),
                   fo = json_integer_value(json_object_get(t, "found"));
        json_object_set_new(t, "count_ratio", ch ? json_real((double)fo / (double)ch) : json_null());
    }
    /* systematic error: the pose aligning the record with the mines found
     * in it or in the hazards that hold it (finds of a neighbouring field,
     * cleared as another hazard, are not this record's) */
    const char *own[32];
    size_t nown = 0;
    for (size_t h = 0; h < v->nhz && nown < 32; h++)
        if (box_meets(r->b, v->hz[h].b, 0) && dm_geom_intersects(r->g, v->hz[h].g) == 1)
            own[nown++] = v->hz_id[h];
    size_t nmb = 0;
    for (size_t k = 0; k < nb; k++) {
        const dm__rpt *p = &v->items[bi[k]];
        int mine = dm__poly_has(&pbig, p->x, p->y);
        for (size_t h = 0; h < nown && !mine && p->c; h++)
            mine = !strcmp(own[h], p->c);
        if (mine && is_mine_cat(p->a)) {
            fp[2 * nmb] = p->x;
            fp[2 * nmb + 1] = p->y;
            nmb++;
        }
    }
    r->finds_near = nmb;
    /* Recorded mines all at one place (every mine given the record's
     * reference point) carry no layout: a rotation about them means nothing
     * and a shift would pair the stack with the several finds around
     * wherever it is moved (20 mines at one point shifted 72 m and rotated
     * 40 degrees to score 55%). No pose is estimated; the run warns. A
     * short row (10 mines 0.7 m apart) still has a direction and is aligned. */
    double mcx = 0, mcy = 0;
    for (size_t k = 0; k < r->mn; k++)
        mcx += a[2 * k], mcy += a[2 * k + 1];
    if (r->mn) {
        mcx /= (double)r->mn, mcy /= (double)r->mn;
    }
    r->spread = 0;
    for (size_t k = 0; k < r->mn; k++)
        r->spread = fmax(r->spread, hypot(a[2 * k] - mcx, a[2 * k + 1] - mcy));
    /* mines entered twice */
    if (r->spread >= STACK_M) {
        double *cp = dm_malloc(ctx, (r->mn ? r->mn : 1) * 2 * sizeof *cp);
        if (!cp) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(cp, a, r->mn * 2 * sizeof *cp);
        r->repeated = count_repeats(cp, r->mn);
        dm_free(ctx, cp);
    }
    if (r->mn >= 2 && r->spread < STACK_M) {
        r->t = (dm_rigid){0, 0, 0, mcx, mcy};
        r->inliers = 0;
    } else {
        st = dm_register_rigid(ctx, a, r->mn, fp, nmb, v->tol, v->around, MAX_ROT, &r->t, &r->inliers);
        if (st)
            goto done;
    }
    r->shifted = fabs(r->t.dx) + fabs(r->t.dy) > 0.5 * v->tol || fabs(r->t.ang) > 0.005;
    /* accuracy after the correction, over the corrected mines in released
     * land, one to one as before it */
    size_t nckc = 0;
    for (size_t k = 0; k < r->mn; k++) {
        double x = a[2 * k], y = a[2 * k + 1];
        dm_rigid_apply(&r->t, &x, &y);
        if (dm__poly_has(&psrch, x, y) || dm__poly_has(&psrch, a[2 * k], a[2 * k + 1]))
            ck[nckc++] = k;
    }
    r->checked_c = nckc;
    st = match_mines(v, a, ck, nckc, &r->t, b, bi, nb, &r->hits_c, NULL, r->mn);
    if (st)
        goto done;
    if (r->checked_c)
        r->accuracy_c = (double)r->hits_c / (double)r->checked_c;
    /* a shift that does not pay is no shift; nor is one under half the
     * tolerance. The record then stays where it is recorded: the pose is
     * the identity, the accuracy after it the accuracy, and its inliers the
     * recorded mines matched at their recorded places (a record all of
     * whose mines were found 3 m off was reported with 0 inliers and an
     * accuracy after the shift of 1) */
    if (r->shifted && (r->inliers < 5 || !(r->accuracy_c > (isnan(r->accuracy) ? 0 : r->accuracy))))
        r->shifted = 0;
    if (!r->shifted) {
        r->t = (dm_rigid){0, 0, 0, r->t.cx, r->t.cy};
        r->accuracy_c = r->accuracy;
        r->checked_c = r->checked;
        r->hits_c = r->hits;
        st = dm_match_points(ctx, a, r->mn, fp, nmb, v->tol, ck, &r->inliers);
        if (st)
            goto done;
    }
    /* A recorded mine whose corrected place was released was checked too:
     * the ground where it really lies (or should) has been searched, and
     * its recorded place is as far off as the shift moves it. */
    if (r->shifted) {
        nck = 0;
        for (size_t k = 0; k < r->mn; k++) {
            double x = a[2 * k], y = a[2 * k + 1], d;
            if (dm__poly_has(&psrch, x, y)) {
                ck[nck++] = k;
                continue;
            }
            dm_rigid_apply(&r->t, &x, &y);
            if (!dm__poly_has(&psrch, x, y))
                continue;
            r->in_cancelled -= dm__poly_has(&prelall, a[2 * k], a[2 * k + 1]);
            ck[nck++] = k;
            r->via_shift++;
            size_t j = dm__grid_nearest(&gi, a[2 * k], a[2 * k + 1], v->tol, &d);
            if (d <= v->tol) {
                r->near_m2o++;
                r->finds_shared += ++claims[bi[j]] == 2;
            }
        }
        if (r->via_shift) {
            r->checked = nck;
            st = match_mines(v, a, ck, nck, NULL, b, bi, nb, &r->hits, r->mate, r->mn);
            if (st)
                goto done;
            r->accuracy = r->checked ? (double)r->hits / (double)r->checked : NAN;
        }
    }
done:
    dm__grid_free(ctx, &gi);
    dm__grid_free(ctx, &gm);
    dm_free(ctx, a);
    dm_free(ctx, b);
    dm_free(ctx, fp);
    dm_free(ctx, bi);
    dm_free(ctx, ck);
    dm_free(ctx, claims);
    dm_free(ctx, fmate);
    dm_free(ctx, offs);
    dm_geom_free(rel);
    dm_geom_free(clr);
    dm_geom_free(srch);
    dm_geom_free(relall);
    dm__poly_free(ctx, &prel);
    dm__poly_free(ctx, &prelall);
    dm__poly_free(ctx, &psrch);
    dm__poly_free(ctx, &pbig);
    return st;
}

/* ---- the whole run ---------------------------------------------------------- */

static dm_status gather(vctx *v, const char *record)
{
    char only[37] = "";
    size_t bad_m = 0, bad_i = 0;
    dm_status st = DM_OK;
    if (record) {
        st = dm_store_resolve(v->s, "records", record, NULL, only);
        if (st)
            return st;
    }
    st = dm__frame_for(v->s, "records", &v->fr);
    if (!st)
        st = load_records(v, record ? only : NULL);
    if (!st && record && v->nr == 0)
        st = dm__fail(v->ctx, DM_ENOTFOUND, "no record '%s'", record);
    if (!st)
        st = check_rows(v);
    if (!st)
        st = dm__load_points(v->s, &v->fr, "record_mines", record ? "record_id" : NULL, record ? only : NULL,
                             "record_id", "mine_type", "category", &v->mines, &v->nm, &bad_m);
    if (!st)
        st = dm__load_points(v->s, &v->fr, "items", NULL, NULL, "category", "model", "hazard_id", &v->items, &v->ni,
                             &bad_i);
    /* rows another tool wrote without a point or in another CRS: counted,
     * not silently left out of the record's mines or the finds */
    if (!st && bad_m)
        problem(v, "record_mines: %zu without a usable point (no geometry, or coordinates outside WGS 84 ranges); "
                "not counted", bad_m);
    /* rows without recorded mines: the mines they imply, checked as
     * recorded mines (an empty uuid: no record_mines row) */
    if (!st) {
        dm__rpt *im = NULL;
        size_t nim = 0;
        st = dm__rows_implied(v->s, &v->fr, record ? only : NULL, rows_warn, v, &im, &nim);
        if (!st)
            st = dm__rpts_append(v->ctx, &v->mines, &v->nm, im, nim);
    }
    if (!st && bad_i)
        problem(v, "items: %zu without a usable point (no geometry, or coordinates outside WGS 84 ranges); not "
                "used as finds", bad_i);
    if (!st)
        st = load_hazards(v);
    if (!st)
        st = dm__load_points(v->s, &v->fr, "accidents", NULL, NULL, NULL, NULL, NULL, &v->acc, &v->na, NULL);
    if (!st)
        st = load_releases(v);
    if (st)
        return st;
    /* mines grouped by record (a database may have none: no qsort of NULL) */
    if (v->nm)
        qsort(v->mines, v->nm, sizeof *v->mines, cmp_rpt_a);
    for (size_t i = 0; i < v->nr; i++) {
        vrec *r = &v->r[i];
        size_t lo = 0, hi = v->nm;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(v->mines[mid].a ? v->mines[mid].a : "", r->uuid) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        r->mfirst = lo;
        while (lo < v->nm && v->mines[lo].a && !strcmp(v->mines[lo].a, r->uuid))
            lo++;
        r->mn = lo - r->mfirst;
        for (size_t k = r->mfirst; k < lo; k++)
            r->from_rows += !v->mines[k].uuid[0];
    }
    /* duplicates: same reference, or the same perimeter and mine count (and
     * the same declared AT and AP counts where both give them: two records
     * of one perimeter without mine points, one of 0 mines and one of 20,
     * are two records) */
    for (size_t i = 0; i < v->nr; i++)
        for (size_t j = 0; j < i && !v->r[i].skip; j++) {
            vrec *a = &v->r[j], *b = &v->r[i];
            if (a->skip)
                continue;
            int same_ref = a->ref[0] && !strcmp(a->ref, b->ref);
            int same_geom = fabs(a->b[0] - b->b[0]) < 0.5 && fabs(a->b[1] - b->b[1]) < 0.5 &&
                            fabs(a->b[2] - b->b[2]) < 0.5 && fabs(a->b[3] - b->b[3]) < 0.5 && a->mn == b->mn &&
                            !(a->decl_at != b->decl_at && !isnan(a->decl_at) && !isnan(b->decl_at)) &&
                            !(a->decl_ap != b->decl_ap && !isnan(a->decl_ap) && !isnan(b->decl_ap));
            if (same_ref || same_geom) {
                problem(v, "record %s (%s): duplicate of record %s (%s: same %s); skipped", b->ref, b->uuid,
                        a->ref, a->uuid, same_ref ? "reference" : "perimeter and mines");
                b->skip = 1;
                b->dup_of = (int)j;
            }
        }
    return DM_OK;
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *record_json(const vctx *v, const vrec *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "record", json_string(r->uuid));
    json_object_set_new(o, "ref", json_string(r->ref));
    json_object_set_new(o, "source", json_string(r->source));
    json_object_set_new(o, "skipped", json_boolean(r->skip));
    if (r->skip)
        return o;
    json_object_set_new(o, "area_ha", json_real(r->area_m2 / 1e4));
    json_object_set_new(o, "coverage", num_or_null(r->coverage));
    json_object_set_new(o, "cleared_share", num_or_null(r->cleared_share));
    json_object_set_new(o, "mines", json_integer((json_int_t)r->mn));
    json_object_set_new(o, "mines_from_rows", json_integer((json_int_t)r->from_rows));
    json_object_set_new(o, "mines_outside_perimeter", json_integer((json_int_t)r->outside));
    json_object_set_new(o, "mines_repeated", json_integer((json_int_t)r->repeated));
    json_object_set_new(o, "checked", json_integer((json_int_t)r->checked));
    json_object_set_new(o, "checked_via_shift", json_integer((json_int_t)r->via_shift));
    json_object_set_new(o, "in_cancelled", json_integer((json_int_t)r->in_cancelled));
    json_object_set_new(o, "matched", json_integer((json_int_t)r->hits));
    json_object_set_new(o, "accuracy", num_or_null(r->accuracy));
    json_object_set_new(o, "offset_median_m", num_or_null(r->med));
    json_object_set_new(o, "offset_p95_m", num_or_null(r->p95));
    json_object_set_new(o, "mines_found_near", json_integer((json_int_t)r->finds_near));
    json_object_set_new(o, "found_in_released", json_integer((json_int_t)r->found_in));
    json_object_set_new(o, "found_listed", json_integer((json_int_t)r->found_listed));
    json_object_set_new(o, "completeness",
                        r->found_in ? json_real((double)r->found_listed / (double)r->found_in) : json_null());
    /* the figures when a find may confirm several recorded mines (and a
     * recorded mine list several finds): how much sharing inflated them */
    json_object_set_new(o, "many_to_one",
                        json_pack("{s:I, s:o, s:I, s:I, s:o}", "matched", (json_int_t)r->near_m2o, "accuracy",
                                  r->checked ? json_real((double)r->near_m2o / (double)r->checked) : json_null(),
                                  "finds_shared", (json_int_t)r->finds_shared, "found_listed",
                                  (json_int_t)r->listed_m2o, "completeness",
                                  r->found_in ? json_real((double)r->listed_m2o / (double)r->found_in)
                                              : json_null()));
    json_object_set(o, "types", r->types ? r->types : json_null());
    json_t *sh = json_object();
    json_object_set_new(sh, "applies", json_boolean(r->shifted));
    json_object_set_new(sh, "dx_m", json_real(r->t.dx));
    json_object_set_new(sh, "dy_m", json_real(r->t.dy));
    json_object_set_new(sh, "rotation_deg", json_real(r->t.ang * 180 / M_PI));
    json_object_set_new(sh, "about_x", json_real(r->t.cx));
    json_object_set_new(sh, "about_y", json_real(r->t.cy));
    json_object_set_new(sh, "frame", json_integer(v->fr.epsg));
    json_object_set_new(sh, "inliers", json_integer((json_int_t)r->inliers));
    json_object_set_new(sh, "accuracy_after", num_or_null(r->accuracy_c));
    json_object_set_new(o, "shift", sh);
    json_object_set_new(o, "reliability", num_or_null(r->reliability));
    /* not measured now (no mine checked) but a value stored before stays:
     * the risk map still weighs the record by it */
    if (!isfinite(r->reliability) && isfinite(r->stored_rel))
        json_object_set_new(o, "reliability_stored", json_real(r->stored_rel));
    return o;
}

/* Share of points outside every usable record (of one source when given). */
static dm_status outside_share(vctx *v, const dm__rpt *p, size_t n, const char *source, double *share)
{
    dm_geom **gs = dm_malloc(v->ctx, (v->nr ? v->nr : 1) * sizeof *gs);
    if (!gs)
        return dm__fail(v->ctx, DM_ENOMEM, "out of memory");
    size_t ng = 0;
    for (size_t i = 0; i < v->nr; i++)
        if (!v->r[i].skip && (!source || !strcmp(source, v->r[i].source)))
            gs[ng++] = v->r[i].g;
    dm_geom *u = NULL;
    dm_status st = ng ? dm_geom_union_all(v->ctx, gs, ng, &u) : DM_OK;
    dm_free(v->ctx, gs);
    if (st)
        return st;
    dm__poly pu;
    st = dm__poly_init(v->ctx, u, &pu);
    dm_geom_free(u);
    if (st)
        return st;
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        out += !dm__poly_has(&pu, p[i].x, p[i].y);
    dm__poly_free(v->ctx, &pu);
    *share = n ? (double)out / (double)n : NAN;
    return DM_OK;
}

/* ---- writing ------------------------------------------------------------- */

static dm_status line_wgs(vctx *v, double x0, double y0, double x1, double y1, dm_geom **out)
{
    double x[2] = {x0, x1}, y[2] = {y0, y1};
    dm_status st = dm_transform_xy(v->fr.inv, x, y, 2);
    if (st)
        return st;
    double xy[4] = {x[0], y[0], x[1], y[1]};
    if (xy[0] == xy[2] && xy[1] == xy[3])
        xy[2] += 1e-9; /* a find exactly on the recorded point */
    return dm_geom_linestring(v->ctx, xy, 2, out);
}

/* A match, as stored or about to be. */
typedef struct vmatch {
    char uuid[37], mine[37], item[37];
    double off, coff; /* coff NAN: none */
    int matched;
    size_t mine_k; /* new matches: the recorded mine, the find */
    size_t item_j;
} vmatch;

static int cmp_real(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

/* Matches of mines derived from rows have no mine_id: they are told apart
 * by the rest (one order for the same set of matches). */
static int cmp_match(const void *a, const void *b)
{
    const vmatch *x = a, *y = b;
    int c = strcmp(x->mine, y->mine);
    if (!c)
        c = strcmp(x->item, y->item);
    if (!c)
        c = x->matched - y->matched;
    if (!c)
        c = cmp_real(x->off, y->off);
    return c ? c : cmp_real(x->coff, y->coff);
}

/* Stored to the precision of a REAL: the same number. */
static int same_real(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 * fmax(1, fabs(a));
}

static int same_matches(vmatch *a, size_t na, vmatch *b, size_t nb)
{
    if (na != nb)
        return 0;
    if (!na)
        return 1; /* qsort of NULL, 0 is undefined */
    qsort(a, na, sizeof *a, cmp_match);
    qsort(b, nb, sizeof *b, cmp_match);
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].mine, b[i].mine) || strcmp(a[i].item, b[i].item) || a[i].matched != b[i].matched ||
            !same_real(a[i].off, b[i].off) || !same_real(a[i].coff, b[i].coff))
            return 0;
    return 1;
}

static dm_status push_match(dm_ctx *ctx, vmatch **v, size_t *n, size_t *cap, const vmatch *m)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        vmatch *nv = dm_realloc(ctx, *v, nc * sizeof *nv);
        if (!nv)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = *m;
    return DM_OK;
}

static void copy_text(dm_cursor *c, const char *f, char out[37])
{
    const char *t = dm_cursor_text(c, f);
    dm__strlcpy(out, t ? t : "", 37);
}

/* The record's reliability (when measured and changed) and its matches
 * (when changed: the earlier ones go, the new ones come). A run on
 * unchanged data writes nothing, so the change log does not grow. */
static dm_status write_record(vctx *v, vrec *r)
{
    dm_ctx *ctx = v->ctx;
    vmatch *old = NULL, *nw = NULL;
    size_t nold = 0, cold = 0, nnew = 0, cnew = 0;
    dm__grid gi = {0};
    double *b = NULL;
    dm_row *row = NULL;
    /* the record's earlier matches */
    const char *ef[1] = {"record_id"}, *ev[1] = {r->uuid};
    dm_select sel = {0};
    sel.eq_field = ef;
    sel.eq_value = ev;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(v->s, "record_matches", &sel, &c);
    if (st)
        return st;
    int k;
    while (!st && (k = dm_cursor_next(c)) > 0) {
        vmatch m = {0};
        dm__strlcpy(m.uuid, dm_cursor_uuid(c), sizeof m.uuid);
        copy_text(c, "mine_id", m.mine);
        copy_text(c, "item_id", m.item);
        m.off = dm_cursor_real(c, "offset_m", NAN);
        m.coff = dm_cursor_real(c, "corrected_offset_m", NAN);
        const char *mt = dm_cursor_text(c, "matched");
        m.matched = mt && (!strcmp(mt, "1") || !strcmp(mt, "true"));
        st = push_match(ctx, &old, &nold, &cold, &m);
    }
    dm_cursor_free(c);
    if (st)
        goto done;
    /* matches: every recorded mine joined to the find that confirms it (one
     * to one, among the mines checked), or else to its nearest find within
     * MATCH_LINE_M (not matched: too far, or that find confirms another) */
    b = dm_malloc(ctx, (v->ni ? v->ni : 1) * 2 * sizeof *b);
    if (!b) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < v->ni; i++) {
        b[2 * i] = v->items[i].x;
        b[2 * i + 1] = v->items[i].y;
    }
    st = dm__grid_build(ctx, &gi, b, v->ni, MATCH_LINE_M);
    for (size_t q = 0; q < r->mn && !st; q++) {
        const dm__rpt *m = &v->mines[r->mfirst + q];
        double d, cx = m->x, cy = m->y, dc;
        size_t j = r->mate ? r->mate[q] : (size_t)-1;
        int matched = j != (size_t)-1;
        if (matched)
            d = hypot(v->items[j].x - m->x, v->items[j].y - m->y);
        else
            j = dm__grid_nearest(&gi, m->x, m->y, MATCH_LINE_M, &d);
        if (j == (size_t)-1)
            continue;
        dm_rigid_apply(&r->t, &cx, &cy);
        dm__grid_nearest(&gi, cx, cy, MATCH_LINE_M, &dc);
        vmatch nm = {0};
        dm__strlcpy(nm.mine, m->uuid, sizeof nm.mine);
        dm__strlcpy(nm.item, v->items[j].uuid, sizeof nm.item);
        nm.off = d;
        nm.coff = isfinite(dc) ? dc : NAN;
        nm.matched = matched;
        nm.mine_k = q;
        nm.item_j = j;
        st = push_match(ctx, &nw, &nnew, &cnew, &nm);
    }
    if (st)
        goto done;
    /* reliability */
    if (isfinite(r->reliability) && !same_real(r->reliability, r->stored_rel)) {
        row = dm_row_new(ctx, dm_layer_find("records"));
        if (!row) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        st = dm_row_set_real(row, "reliability", r->reliability);
        if (!st)
            st = dm_store_update(v->s, r->uuid, row, "records verify: measured reliability");
        if (st)
            dm__wrap(ctx, "field reliability");
        dm_row_free(row);
        row = NULL;
        if (st)
            goto done;
    }
    if (same_matches(old, nold, nw, nnew))
        goto done;
    for (size_t i = 0; i < nold && !st; i++)
        st = dm_store_delete(v->s, "record_matches", old[i].uuid, "records verify: replaced");
    row = st ? NULL : dm_row_new(ctx, dm_layer_find("record_matches"));
    if (!st && !row)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t q = 0; q < nnew && !st; q++) {
        const dm__rpt *m = &v->mines[r->mfirst + nw[q].mine_k];
        const dm__rpt *it = &v->items[nw[q].item_j];
        dm_geom *g = NULL;
        st = line_wgs(v, m->x, m->y, it->x, it->y, &g);
        if (st)
            break;
        dm_row_clear(row);
        dm_row_set_geom(row, g);
        st = dm_row_set(row, "record_id", r->uuid);
        if (!st && nw[q].mine[0]) st = dm_row_set(row, "mine_id", nw[q].mine); /* none: derived from a row */
        if (!st) st = dm_row_set(row, "item_id", nw[q].item);
        if (!st) st = dm_row_set_real(row, "offset_m", nw[q].off);
        if (!st && isfinite(nw[q].coff)) st = dm_row_set_real(row, "corrected_offset_m", nw[q].coff);
        if (!st) st = dm_row_set(row, "matched", nw[q].matched ? "1" : "0");
        if (!st && (st = dm_store_insert(v->s, row, NULL)) != DM_OK)
            dm__wrap(ctx, "record_matches of mine %s", nw[q].mine[0] ? nw[q].mine : "(derived from a row)");
    }
    if (st && nold && !row)
        dm__wrap(ctx, "record_matches (replacing the earlier ones)");
done:
    dm_row_free(row);
    dm__grid_free(ctx, &gi);
    dm_free(ctx, b);
    dm_free(ctx, old);
    dm_free(ctx, nw);
    return st;
}

/* The share of checked recorded mines matched over every usable record of
 * the store (the figure each record's reliability is shrunk towards): a
 * run over one record measures the others too, so that its weight is the
 * one a run over all records gives it. *acc is left alone when no record
 * has mines checked. */
static dm_status overall_accuracy(vctx *v, double *acc)
{
    vctx w = {0};
    w.s = v->s;
    w.ctx = v->ctx;
    w.tol = v->tol;
    w.around = v->around;
    w.problems = json_array();
    dm_status st = gather(&w, NULL);
    size_t checked = 0, hits = 0;
    for (size_t i = 0; i < w.nr && !st; i++) {
        vrec *r = &w.r[i];
        if (r->skip)
            continue;
        st = measure(&w, r);
        if (st)
            dm__wrap(v->ctx, "record %s (%s)", r->ref, r->uuid);
        checked += r->checked;
        hits += r->hits;
    }
    if (!st && checked)
        *acc = (double)hits / (double)checked;
    vctx_free(&w);
    return st;
}

static dm_status run_verify(vctx *v, const dm_verify_opts *o, json_t **out)
{
    dm_status st = gather(v, o->record);
    if (st)
        return st;
    /* measure */
    size_t checked = 0, hits = 0, checked_c = 0, hits_c = 0, verified = 0;
    size_t near_m2o = 0, shared = 0, found_in = 0, listed = 0, listed_m2o = 0, in_cancelled = 0, from_rows = 0;
    double ext_hits = 0, ext_mines = 0, ext_near = 0;
    json_t *by_src = json_object();
    for (size_t i = 0; i < v->nr && !st; i++) {
        vrec *r = &v->r[i];
        dm__progress(v->ctx, "records verify", i, v->nr);
        if (r->skip)
            continue;
        st = measure(v, r);
        if (st) {
            dm__wrap(v->ctx, "record %s (%s)", r->ref, r->uuid);
            break;
        }
        if (r->outside)
            problem(v, "record %s (%s): %zu of %zu recorded mines lie outside its perimeter", r->ref, r->uuid,
                    r->outside, r->mn);
        if (r->mn == 0)
            problem(v, "record %s (%s): no recorded mines (record_mines); only coverage measured", r->ref, r->uuid);
        else if (r->from_rows)
            problem(v, "record %s (%s): %zu of its %zu mines derived from its rows (record_rows without record_mines: "
                    "count, spacing_m or a prior along each row); checked as recorded mines",
                    r->ref, r->uuid, r->from_rows, r->mn);
        if (r->mn >= 2 && r->spread < STACK_M)
            problem(v, "record %s (%s): all %zu recorded mines (record_mines) lie within %.1f m of one place: no "
                    "layout to align, no shift estimated (were they given the record's reference point?)",
                    r->ref, r->uuid, r->mn, r->spread);
        if (r->repeated)
            problem(v, "record %s (%s): %zu of its %zu recorded mines (record_mines) lie within %.1f m of another of "
                    "them (entered twice?); each counts as a mine: remove the copies if they are one mine",
                    r->ref, r->uuid, r->repeated, r->mn, SAME_M);
        /* a kept correction at the edge of the rotations searched: a short or
         * straight record can be turned onto an unrelated row of finds */
        if (r->shifted && fabs(r->t.ang) > MAX_ROT - 2 * M_PI / 180)
            problem(v, "record %s (%s): its correction turns it by %.1f degrees (shift %.1f m), at the edge of the "
                    "%.0f degrees searched: a short or straight record may have been fitted onto an unrelated row "
                    "of finds; check it on the ground before 'records correct'",
                    r->ref, r->uuid, r->t.ang * 180 / M_PI, hypot(r->t.dx, r->t.dy), MAX_ROT * 180 / M_PI);
        found_in += r->found_in;
        in_cancelled += r->in_cancelled;
        from_rows += r->from_rows;
        listed += r->found_listed;
        listed_m2o += r->listed_m2o;
        if (!r->checked)
            continue;
        verified++;
        ext_hits += r->accuracy * (double)r->mn;
        ext_near += (double)r->near_m2o / (double)r->checked * (double)r->mn;
        near_m2o += r->near_m2o;
        shared += r->finds_shared;
        ext_mines += (double)r->mn;
        checked += r->checked;
        hits += r->hits;
        checked_c += r->checked_c;
        hits_c += r->hits_c;
        json_t *s = json_object_get(by_src, r->source);
        if (!s) {
            s = json_pack("{s:i, s:i, s:i}", "records", 0, "checked", 0, "matched", 0);
            json_object_set_new(by_src, r->source, s);
        }
        json_object_set_new(s, "records", json_integer(json_integer_value(json_object_get(s, "records")) + 1));
        json_object_set_new(s, "checked", json_integer(json_integer_value(json_object_get(s, "checked")) + (json_int_t)r->checked));
        json_object_set_new(s, "matched", json_integer(json_integer_value(json_object_get(s, "matched")) + (json_int_t)r->hits));
    }
    dm__progress(v->ctx, "records verify", v->nr, v->nr);
    if (st) {
        json_decref(by_src);
        return st;
    }
    double prior = checked ? (double)hits / (double)checked : 0.25, towards = prior;
    /* one record: shrunk towards the figure over all records, as a full run would */
    if (o->record && checked) {
        st = overall_accuracy(v, &towards);
        if (st) {
            json_decref(by_src);
            return st;
        }
    }
    for (size_t i = 0; i < v->nr; i++) {
        vrec *r = &v->r[i];
        if (!r->skip && r->checked)
            r->reliability = ((double)r->hits + SHRINK_K * towards) / ((double)r->checked + SHRINK_K);
    }
    json_t *root = json_object(), *recs = json_array();
    json_object_set_new(root, "tolerance_m", json_real(v->tol));
    json_object_set_new(root, "frame", json_integer(v->fr.epsg));
    json_object_set_new(root, "records_examined", json_integer((json_int_t)v->nr));
    json_object_set_new(root, "records_verified", json_integer((json_int_t)verified));
    json_object_set_new(root, "checked_mines", json_integer((json_int_t)checked));
    json_object_set_new(root, "matched_mines", json_integer((json_int_t)hits));
    json_object_set_new(root, "in_cancelled", json_integer((json_int_t)in_cancelled));
    json_object_set_new(root, "mines_from_rows", json_integer((json_int_t)from_rows));
    json_object_set_new(root, "accuracy", checked ? json_real(prior) : json_null());
    json_object_set_new(root, "reliability_towards", json_real(towards));
    json_object_set_new(root, "accuracy_all_mines", ext_mines > 0 ? json_real(ext_hits / ext_mines) : json_null());
    json_object_set_new(root, "accuracy_after_shift", checked_c ? json_real((double)hits_c / (double)checked_c) : json_null());
    json_object_set_new(root, "found_in_released", json_integer((json_int_t)found_in));
    json_object_set_new(root, "completeness", found_in ? json_real((double)listed / (double)found_in) : json_null());
    json_object_set_new(
        root, "many_to_one",
        json_pack("{s:I, s:o, s:o, s:I, s:I, s:o}", "matched_mines", (json_int_t)near_m2o, "accuracy",
                  checked ? json_real((double)near_m2o / (double)checked) : json_null(), "accuracy_all_mines",
                  ext_mines > 0 ? json_real(ext_near / ext_mines) : json_null(), "finds_shared", (json_int_t)shared,
                  "found_listed", (json_int_t)listed_m2o, "completeness",
                  found_in ? json_real((double)listed_m2o / (double)found_in) : json_null()));
    const char *key;
    json_t *s;
    json_object_foreach(by_src, key, s)
    {
        json_int_t ch = json_integer_value(json_object_get(s, "checked"));
        json_object_set_new(s, "accuracy",
                            ch ? json_real((double)json_integer_value(json_object_get(s, "matched")) / (double)ch) : json_null());
    }
    /* outside every record: all and per source */
    double oi = NAN, oa = NAN;
    if (!o->record) {
        st = outside_share(v, v->items, v->ni, NULL, &oi);
        if (!st)
            st = outside_share(v, v->acc, v->na, NULL, &oa);
        json_t *srcs = json_object();
        for (size_t i = 0; i < v->nr && !st; i++) {
            if (v->r[i].skip || json_object_get(srcs, v->r[i].source))
                continue;
            double si = NAN, sa = NAN;
            st = outside_share(v, v->items, v->ni, v->r[i].source, &si);
            if (!st)
                st = outside_share(v, v->acc, v->na, v->r[i].source, &sa);
            json_object_set_new(srcs, v->r[i].source,
                                json_pack("{s:o, s:o}", "items_outside", num_or_null(si), "accidents_outside",
                                          num_or_null(sa)));
        }
        json_object_set_new(root, "outside", json_pack("{s:I, s:I, s:o, s:o, s:o}", "items", (json_int_t)v->ni,
                                                       "accidents", (json_int_t)v->na, "items_outside",
                                                       num_or_null(oi), "accidents_outside", num_or_null(oa),
                                                       "by_source", srcs));
    }
    json_object_set_new(root, "by_source", by_src);
    char *demo = NULL;
    /* the generator's figure is over every record: no match for one record's */
    if (!st && !o->record && dm_store_meta_get(v->s, "demo_record_accuracy_5m", &demo) == DM_OK && demo) {
        json_object_set_new(root, "demo_record_accuracy_5m", json_real(strtod(demo, NULL)));
        dm_free(v->ctx, demo);
    }
    dm_ctx_clear_error(v->ctx);
    for (size_t i = 0; i < v->nr; i++)
        json_array_append_new(recs, record_json(v, &v->r[i]));
    json_object_set_new(root, "records", recs);
    json_object_set(root, "problems", v->problems);
    /* write, all or nothing */
    if (!st && !o->dry_run) {
        st = dm_store_begin(v->s);
        for (size_t i = 0; i < v->nr && !st; i++) {
            dm__progress(v->ctx, "records verify: writing", i, v->nr);
            if (!v->r[i].skip && (st = write_record(v, &v->r[i])) != DM_OK)
                dm__wrap(v->ctx, "record %s (%s)", v->r[i].ref, v->r[i].uuid);
        }
        if (st)
            dm_store_rollback(v->s);
        else
            st = dm_store_commit(v->s);
    }
    if (st) {
        json_decref(root);
        return st;
    }
    *out = root;
    return DM_OK;
}

static dm_status dump(dm_ctx *ctx, json_t *root, char **json)
{
    char *out = json_dumps(root, JSON_REAL_PRECISION(6));
    dm_status st = DM_OK;
    if (!out || !(*json = dm_strdup(ctx, out)))
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    free(out);
    return st;
}

dm_status dm_records_verify(dm_store *s, const dm_verify_opts *opts, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *json = NULL;
    dm_verify_opts o = {0};
    if (opts)
        o = *opts;
    if (!(o.tolerance_m > 0))
        o.tolerance_m = 5;
    if (!(o.around_m > 0))
        o.around_m = 300;
    if (o.tolerance_m > 1000)
        return dm__fail(ctx, DM_EINVAL, "tolerance %.1f m: expected 0-1000 m", o.tolerance_m);
    vctx v = {0};
    v.s = s;
    v.ctx = ctx;
    v.tol = o.tolerance_m;
    v.around = fmax(o.around_m, o.tolerance_m);
    v.problems = json_array();
    json_t *root = NULL;
    dm_status st = run_verify(&v, &o, &root);
    if (!st)
        st = dump(ctx, root, json);
    json_decref(root);
    vctx_free(&v);
    return st;
}

/* ---- records correct ----------------------------------------------------- */

/* g (WGS 84) moved by t in the frame; polygons keep their outer rings. */
static dm_status moved(vctx *v, const dm_geom *g, const dm_rigid *t, dm_geom **out)
{
    dm_ctx *ctx = v->ctx;
    *out = NULL;
    dm_coords cc = {0};
    dm_status st = dm_geom_coords(ctx, g, &cc);
    if (st)
        return st;
    if (cc.n_xy) {
        double *x = dm_malloc(ctx, cc.n_xy * sizeof *x), *y = dm_malloc(ctx, cc.n_xy * sizeof *y);
        if (!x || !y)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (size_t i = 0; !st && i < cc.n_xy; i++) {
            x[i] = cc.xy[2 * i];
            y[i] = cc.xy[2 * i + 1];
        }
        if (!st)
            st = dm_transform_xy(v->fr.fwd, x, y, cc.n_xy);
        for (size_t i = 0; !st && i < cc.n_xy; i++)
            dm_rigid_apply(t, &x[i], &y[i]);
        if (!st)
            st = dm_transform_xy(v->fr.inv, x, y, cc.n_xy);
        for (size_t i = 0; !st && i < cc.n_xy; i++) {
            cc.xy[2 * i] = x[i];
            cc.xy[2 * i + 1] = y[i];
        }
        dm_free(ctx, x);
        dm_free(ctx, y);
    }
    dm_geom_type ty = dm_geom_type_of(g);
    if (!st) {
        if (ty == DM_GEOM_POINT && cc.n_xy == 1)
            st = dm_geom_point(ctx, cc.xy[0], cc.xy[1], out);
        else if (ty == DM_GEOM_LINESTRING)
            st = dm_geom_linestring(ctx, cc.xy, cc.n_xy, out);
        else if (ty == DM_GEOM_POLYGON || ty == DM_GEOM_MULTIPOLYGON) {
            dm_geom **parts = dm_calloc(ctx, cc.n_parts ? cc.n_parts : 1, sizeof *parts);
            size_t np = 0;
            if (!parts)
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            for (size_t i = 0; !st && i < cc.n_parts; i++)
                if (cc.kind[i] == 2)
                    st = dm_geom_polygon(ctx, cc.xy + 2 * cc.start[i], cc.start[i + 1] - cc.start[i], &parts[np++]);
            if (!st)
                st = dm_geom_collect(ctx, DM_GEOM_MULTIPOLYGON, parts, np, out);
            else
                for (size_t i = 0; i < np; i++)
                    dm_geom_free(parts[i]);
            dm_free(ctx, parts);
        } else
            st = dm__fail(ctx, DM_EGEOM, "cannot move a %s", dm_geom_type_name(ty));
    }
    dm_coords_free(ctx, &cc);
    return st;
}

static dm_status move_layer(vctx *v, const char *layer, const char *uuid, const dm_rigid *t, const char *why)
{
    dm_ctx *ctx = v->ctx;
    const char *ef[1] = {layer[0] == 'r' && !strcmp(layer, "records") ? "uuid" : "record_id"}, *ev[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = ef;
    sel.eq_value = ev;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(v->s, layer, &sel, &c);
    if (st)
        return st;
    /* read first, then write: no cursor open across writes */
    char (*ids)[37] = NULL;
    dm_geom **gs = NULL;
    size_t n = 0, cap = 0;
    int k;
    while (!st && (k = dm_cursor_next(c)) > 0) {
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st || !g)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char(*ni)[37] = dm_realloc(ctx, ids, cap * sizeof *ids);
            if (ni)
                ids = ni;
            dm_geom **ng = dm_realloc(ctx, gs, cap * sizeof *gs);
            if (ng)
                gs = ng;
            if (!ni || !ng) {
                dm_geom_free(g);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
        }
        dm__strlcpy(ids[n], dm_cursor_uuid(c), 37);
        gs[n++] = g;
    }
    dm_cursor_free(c);
    dm_row *row = st ? NULL : dm_row_new(ctx, dm_layer_find(layer));
    if (!st && !row)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && !st; i++) {
        dm_geom *m = NULL;
        st = moved(v, gs[i], t, &m);
        if (st)
            break;
        dm_row_clear(row);
        dm_row_set_geom(row, m);
        st = dm_store_update(v->s, ids[i], row, why);
        if (st)
            dm__wrap(ctx, "%s %s, field geom", layer, ids[i]);
    }
    dm_row_free(row);
    for (size_t i = 0; i < n; i++)
        dm_geom_free(gs[i]);
    dm_free(ctx, gs);
    dm_free(ctx, ids);
    return st;
}

dm_status dm_records_correct(dm_store *s, const char *id, double tolerance_m, char **json)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (json)
        *json = NULL;
    if (!id)
        return dm__fail(ctx, DM_EINVAL, "records correct: which record?");
    dm_verify_opts o = {id, tolerance_m > 0 ? tolerance_m : 5, 300, 1};
    vctx v = {0};
    v.s = s;
    v.ctx = ctx;
    v.tol = o.tolerance_m;
    v.around = o.around_m;
    v.problems = json_array();
    json_t *root = NULL;
    dm_status st = run_verify(&v, &o, &root);
    vrec *r = !st && v.nr ? &v.r[0] : NULL;
    if (!st && (!r || r->skip))
        st = dm__fail(ctx, DM_EINVAL, "record %s cannot be verified: %s", id,
                      json_string_value(json_array_get(v.problems, 0)));
    else if (!st && !r->shifted)
        st = dm__fail(ctx, DM_ECONFLICT, "record %s (%s): no shift to apply: %s", r->ref, r->uuid,
                      r->finds_near < 5 ? "too few mines found in and around it to estimate one (5 needed)"
                                        : "no shift or rotation raises its accuracy");
    dm_rigid t = r ? r->t : (dm_rigid){0, 0, 0, 0, 0};
    char why[200], uuid[37];
    if (r)
        dm__strlcpy(uuid, r->uuid, sizeof uuid);
    if (!st) {
        snprintf(why, sizeof why, "records correct: shifted %.2f m east, %.2f m north, rotated %.3f degrees "
                 "(%zu recorded mines aligned with finds)", t.dx, t.dy, t.ang * 180 / M_PI, r->inliers);
        st = dm_store_begin(s);
        if (!st) {
            st = move_layer(&v, "records", uuid, &t, why);
            if (!st)
                st = move_layer(&v, "record_rows", uuid, &t, why);
            if (!st)
                st = move_layer(&v, "record_mines", uuid, &t, why);
            if (st) {
                dm__wrap(ctx, "records correct: record %s (%s)", r->ref, uuid);
                dm_store_rollback(s);
            }
        }
    }
    json_decref(root);
    root = NULL;
    vctx_free(&v);
    if (st)
        return st;
    /* measure the corrected record and store its reliability, same transaction */
    memset(&v, 0, sizeof v);
    v.s = s;
    v.ctx = ctx;
    v.tol = o.tolerance_m;
    v.around = o.around_m;
    v.problems = json_array();
    o.dry_run = 0;
    o.record = uuid;
    st = run_verify(&v, &o, &root);
    if (!st)
        st = dm_store_commit(s);
    else
        dm_store_rollback(s);
    if (!st && json)
        st = dump(ctx, root, json);
    json_decref(root);
    vctx_free(&v);
    return st;
}
