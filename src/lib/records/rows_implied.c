/* SPDX-License-Identifier: MIT
 *
 * rows_implied.c -- the mines a minefield record implies by its rows alone.
 * A handed-over record often gives a line per row (record_rows: from the
 * first mine to the last, with count and/or spacing_m) without each mine's
 * point (record_mines). Where a row has no recorded mine (matched by
 * record_id and row_no; a record with no recorded mine at all: every row),
 * its mines are laid along the whole polyline: `count` evenly from start to
 * end (one: the middle), else every `spacing_m` from the start, else every
 * doctrinal spacing of the row's category (a prior, warned of); a row of
 * one point gives one mine at it (a count above 1 there has no direction to
 * be laid in and gives none, warned of). Rows giving
 * absurd numbers of mines are refused, named, not laid.
 */
#include "records_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* doctrinal spacing when a row gives neither count nor spacing (metres):
 * wide-uncertainty priors */
#define PRIOR_AT_M 5.0
#define PRIOR_AP_M 1.0

/* A (record, row) that has recorded mines; row -1: a mine without row_no
 * (then no row of the record can be told apart from it: none is derived). */
typedef struct rkey {
    char rec[37];
    long row;
} rkey;

static int cmp_key(const void *a, const void *b)
{
    const rkey *x = a, *y = b;
    int c = strcmp(x->rec, y->rec);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int has_key(const rkey *k, size_t n, const char *rec, long row)
{
    rkey want;
    dm__strlcpy(want.rec, rec, sizeof want.rec);
    want.row = row;
    return n && bsearch(&want, k, n, sizeof *k, cmp_key) != NULL;
}

static void warn(dm__rows_warn fn, void *user, const char *rec, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(dm__rows_warn fn, void *user, const char *rec, const char *fmt, ...)
{
    if (!fn)
        return;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(user, rec, buf);
}

/* The (record, row_no) pairs that have recorded mines. */
static dm_status mine_keys(dm_store *s, const char *record, rkey **out, size_t *n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    *n = 0;
    dm_select sel = {0};
    const char *ef[1] = {"record_id"}, *ev[1] = {record};
    if (record) {
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
    }
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "record_mines", &sel, &c);
    if (st)
        return st;
    rkey *v = NULL;
    size_t nv = 0, cap = 0;
    int k;
    while ((k = dm_cursor_next(c)) > 0) {
        const char *rid = dm_cursor_text(c, "record_id");
        if (!rid)
            continue;
        double row = dm_cursor_real(c, "row_no", NAN);
        if (nv == cap) {
            size_t nc = cap ? cap * 2 : 256;
            rkey *nk = dm_realloc(ctx, v, nc * sizeof *nk);
            if (!nk) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            v = nk;
            cap = nc;
        }
        dm__strlcpy(v[nv].rec, rid, sizeof v[nv].rec);
        v[nv].row = isfinite(row) ? (long)row : -1;
        nv++;
    }
    if (!st && k < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    if (nv)
        qsort(v, nv, sizeof *v, cmp_key);
    *out = v;
    *n = nv;
    return DM_OK;
}

/* The row's line in the frame: its vertices (the parts of a multi-line one
 * after the other) and the length along them. 0 when it has none usable. */
static int row_line(dm_ctx *ctx, const dm__frame *f, const dm_geom *g, dm_coords *cc, double *len)
{
    *len = 0;
    memset(cc, 0, sizeof *cc);
    if (!g || !dm__wgs84_bounds(g) || dm_geom_coords(ctx, g, cc) != DM_OK || cc->n_xy < 1)
        return 0;
    for (size_t i = 0; i < cc->n_xy; i++) {
        double x = cc->xy[2 * i], y = cc->xy[2 * i + 1];
        if (dm_transform_xy(f->fwd, &x, &y, 1))
            return 0;
        cc->xy[2 * i] = x;
        cc->xy[2 * i + 1] = y;
    }
    for (size_t p = 0; p < cc->n_parts; p++) {
        if (cc->kind[p] != 1)
            continue;
        for (size_t i = cc->start[p] + 1; i < cc->start[p + 1]; i++)
            *len += hypot(cc->xy[2 * i] - cc->xy[2 * i - 2], cc->xy[2 * i + 1] - cc->xy[2 * i - 1]);
    }
    return 1;
}

/* The point at distance d along the row's line parts (clamped to its ends). */
static void point_at(const dm_coords *cc, double d, double *x, double *y)
{
    double run = 0;
    int any = 0;
    for (size_t p = 0; p < cc->n_parts; p++) {
        if (cc->kind[p] != 1)
            continue;
        for (size_t i = cc->start[p] + 1; i < cc->start[p + 1]; i++) {
            double x0 = cc->xy[2 * i - 2], y0 = cc->xy[2 * i - 1], x1 = cc->xy[2 * i], y1 = cc->xy[2 * i + 1];
            double l = hypot(x1 - x0, y1 - y0);
            *x = x1;
            *y = y1;
            any = 1;
            if (l > 0 && d <= run + l) {
                double t = fmax(0, (d - run) / l);
                *x = x0 + t * (x1 - x0);
                *y = y0 + t * (y1 - y0);
                return;
            }
            run += l;
        }
    }
    if (!any) {
        *x = cc->xy[0];
        *y = cc->xy[1];
    }
}

dm_status dm__rows_implied(dm_store *s, const dm__frame *f, const char *record, dm__rows_warn wfn, void *user,
                           dm__rpt **out, size_t *n)
{
    dm_ctx *ctx = dm_store_ctx(s);
    *out = NULL;
    *n = 0;
    rkey *keys = NULL;
    size_t nkeys = 0;
    dm_status st = mine_keys(s, record, &keys, &nkeys);
    if (st)
        return st;
    dm_select sel = {0};
    const char *ef[1] = {"record_id"}, *ev[1] = {record};
    if (record) {
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
    }
    sel.order_by = "record_id"; /* a record's rows together: its total capped */
    dm_cursor *c = NULL;
    st = dm_store_select(s, "record_rows", &sel, &c);
    if (st) {
        dm_free(ctx, keys);
        return st;
    }
    dm__rpt *v = NULL;
    size_t nv = 0, cap = 0, rec_total = 0;
    char cur[37] = "";
    int k = 0, rec_full = 0;
    while (!st && (k = dm_cursor_next(c)) > 0) {
        const char *rid = dm_cursor_text(c, "record_id");
        if (!rid)
            continue;
        if (strcmp(cur, rid)) {
            dm__strlcpy(cur, rid, sizeof cur);
            rec_total = 0;
            rec_full = 0;
        }
        double rowd = dm_cursor_real(c, "row_no", NAN);
        long row = isfinite(rowd) ? (long)rowd : -1;
        /* mines win: a row with recorded mines, or any row of a record
         * whose recorded mines give no row_no */
        if (has_key(keys, nkeys, rid, -1) || (row >= 0 && has_key(keys, nkeys, rid, row)))
            continue;
        /* a record with recorded mines: its rows without row_no cannot be
         * matched to them (mines win) */
        if (row < 0 && nkeys) {
            rkey lo;
            dm__strlcpy(lo.rec, rid, sizeof lo.rec);
            lo.row = -1;
            size_t a = 0, b = nkeys;
            while (a < b) {
                size_t m = (a + b) / 2;
                if (cmp_key(&keys[m], &lo) < 0)
                    a = m + 1;
                else
                    b = m;
            }
            if (a < nkeys && !strcmp(keys[a].rec, rid))
                continue;
        }
        char rname[80];
        if (row >= 0)
            snprintf(rname, sizeof rname, "row %ld (record_rows %s)", row, dm_cursor_uuid(c));
        else
            snprintf(rname, sizeof rname, "a row without row_no (record_rows %s)", dm_cursor_uuid(c));
        dm_geom *g = NULL;
        st = dm_cursor_geom(c, &g);
        if (st)
            break;
        dm_coords cc;
        double len = 0;
        int ok = row_line(ctx, f, g, &cc, &len);
        dm_geom_free(g);
        dm_ctx_clear_error(ctx);
        if (!ok) {
            warn(wfn, user, rid, "%s: no usable line (no geometry, or coordinates outside WGS 84 ranges); "
                 "no mines derived from it", rname);
            dm_coords_free(ctx, &cc);
            continue;
        }
        double count = dm_cursor_real(c, "count", NAN), sp = dm_cursor_real(c, "spacing_m", NAN);
        const char *cat = dm_cursor_text(c, "category"), *type = dm_cursor_text(c, "mine_type");
        double want = 0, step = 0;
        if (!(len > 0)) {
            /* a row of one point: a mine recorded at it, unless its count
             * says more, which no direction tells how to lay */
            if (count > 1.5) {
                warn(wfn, user, rid, "%s is a row of one point with count %.0f: no direction to lay them in; no "
                     "mines derived from it", rname, floor(count + 0.5));
                dm_coords_free(ctx, &cc);
                continue;
            }
            warn(wfn, user, rid, "%s is a row of one point: one mine taken at it", rname);
            want = 1;
        } else if (count >= 1) {
            want = floor(count + 0.5);
        } else if (sp > 0) {
            step = sp;
            want = floor(len / sp + 1e-9) + 1;
        } else {
            int ap = cat && !strcmp(cat, "AP");
            step = ap ? PRIOR_AP_M : PRIOR_AT_M;
            want = floor(len / step + 1e-9) + 1;
            if (want <= DM__ROW_MINES_MAX)
                warn(wfn, user, rid, "%s gives neither count nor spacing_m: %.0f mines assumed every %.0f m along "
                     "its %.1f m (the doctrinal spacing of %s rows: a prior of wide uncertainty; give the count "
                     "or spacing if known)", rname, want, step, len, ap ? "AP" : cat ? cat : "AT (no category)");
        }
        if (want > DM__ROW_MINES_MAX) {
            if (count >= 1)
                warn(wfn, user, rid, "%s: count %.0f is more than %d mines a row; no mines derived from it",
                     rname, want, DM__ROW_MINES_MAX);
            else
                warn(wfn, user, rid, "%s: every %g m along %.1f m gives %.0f mines, more than %d a row; no mines "
                     "derived from it", rname, step, len, want, DM__ROW_MINES_MAX);
            dm_coords_free(ctx, &cc);
            continue;
        }
        if (rec_full || rec_total + (size_t)want > DM__RECORD_ROW_MINES_MAX) {
            if (!rec_full)
                warn(wfn, user, rid, "its rows give more than %d mines in all; %s and the rows after it: no mines "
                     "derived", DM__RECORD_ROW_MINES_MAX, rname);
            rec_full = 1;
            dm_coords_free(ctx, &cc);
            continue;
        }
        size_t m = (size_t)want;
        if (nv + m > cap) {
            size_t nc = cap ? cap : 1024;
            while (nc < nv + m)
                nc *= 2;
            dm__rpt *nw = dm_realloc(ctx, v, nc * sizeof *nw);
            if (!nw) {
                dm_coords_free(ctx, &cc);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            v = nw;
            cap = nc;
        }
        for (size_t i = 0; i < m && !st; i++) {
            double d = step > 0 ? (double)i * step : m == 1 ? len / 2 : len * (double)i / (double)(m - 1);
            dm__rpt *p = &v[nv++];
            memset(p, 0, sizeof *p); /* uuid "": no record_mines row */
            point_at(&cc, d, &p->x, &p->y);
            p->a = dm_strdup(ctx, rid);
            p->b = type ? dm_strdup(ctx, type) : NULL;
            p->c = cat ? dm_strdup(ctx, cat) : NULL;
            if (!p->a || (type && !p->b) || (cat && !p->c))
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
        rec_total += m;
        dm_coords_free(ctx, &cc);
    }
    if (!st && k < 0)
        st = dm_ctx_errcode(ctx) ? dm_ctx_errcode(ctx) : DM_ESQL;
    dm_cursor_free(c);
    dm_free(ctx, keys);
    if (st) {
        dm__rpts_free(ctx, v, nv);
        return st;
    }
    *out = v;
    *n = nv;
    return DM_OK;
}

dm_status dm__rpts_append(dm_ctx *ctx, dm__rpt **v, size_t *n, dm__rpt *add, size_t nadd)
{
    if (!nadd) {
        dm_free(ctx, add);
        return DM_OK;
    }
    dm__rpt *nw = dm_realloc(ctx, *v, (*n + nadd) * sizeof *nw);
    if (!nw) {
        dm__rpts_free(ctx, add, nadd);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    memcpy(nw + *n, add, nadd * sizeof *add);
    dm_free(ctx, add);
    *v = nw;
    *n += nadd;
    return DM_OK;
}
