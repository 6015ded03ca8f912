/* SPDX-License-Identifier: MIT
 *
 * report_public.c -- the printable public danger map: one A4 page for
 * residents without internet, as mine action centres hand them out in a
 * village. It shows only what the public web map shows: the generalised
 * danger zones (dm_danger_zones, never a hazard outline, ref, item,
 * accident, record, person or risk value) over the public features of the
 * map (roads, rivers, settlements, buildings, bridges, cemeteries; never
 * front lines or military positions), with settlement names, a
 * longitude/latitude grid to match a GPS, a scale bar, a north arrow, the
 * date of the data and the safety messages in Azerbaijani and/or English.
 */
#include "report/report_internal.h"

#include "demine/dm_danger.h"
#include "demine/dm_report.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW 595.0
#define PH 842.0
#define MARGIN 36.0

/* the options the web map uses (src/server): the same zones on paper */
static const dm_danger_opts zone_opts = {100, 25, 50};

enum { F_SETTLEMENT, F_RIVER, F_ROAD, F_TRACK, F_BUILDING, F_CEMETERY, F_BRIDGE, F_N };

/* The public classes of the features layer; anything else (front lines,
 * military positions, infrastructure, other) is never drawn. */
static int feature_class(const char *c)
{
    static const struct {
        const char *name;
        int cls;
    } map[] = {{"settlement", F_SETTLEMENT}, {"river", F_RIVER},       {"canal", F_RIVER},
               {"road", F_ROAD},             {"track", F_TRACK},       {"building", F_BUILDING},
               {"house", F_BUILDING},        {"school", F_BUILDING},   {"cemetery", F_CEMETERY},
               {"bridge", F_BRIDGE}};
    for (size_t i = 0; c && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(c, map[i].name))
            return map[i].cls;
    return -1;
}

typedef struct feat {
    int cls;
    dm_coords c;
    double cx, cy;
    double pop; /* settlements: people, to label the larger first */
    char name[96];
} feat;

typedef struct pub {
    dm_ctx *ctx;
    int en, az;            /* languages printed */
    char place[128];       /* district or settlement named in the title, or "" */
    char where_en[200], where_az[200];
    char asof[11], date[11];
    dm_geom *area;         /* a district's polygon, or NULL (the area is the view) */
    double area_b[4];      /* the area's bounds before fitting to the page */
    double view[4];        /* lon/lat drawn */
    dm_coords zones;       /* all danger zones */
    int have_zones;
    int n_area;            /* zones in the area */
    feat *f;
    size_t n_f, cap_f;
    /* the map on the page */
    double ox, oy, s, kx, fw, fh;
} pub;

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb C_ZONE = {0.86, 0.10, 0.10};
static const rgb C_PAPER = {0.985, 0.975, 0.94};
static const rgb C_SETTLE = {0.93, 0.88, 0.78};
static const rgb C_WATER = {0.35, 0.60, 0.85};
static const rgb C_ROAD = {0.45, 0.40, 0.35};
static const rgb C_ROADIN = {1.0, 0.93, 0.65};
static const rgb C_TRACK = {0.55, 0.42, 0.30};
static const rgb C_BUILD = {0.42, 0.42, 0.42};
static const rgb C_CEM = {0.55, 0.70, 0.55};

static void set(cairo_t *cr, rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

/* ---- text ---------------------------------------------------------------- */

/* Text with a white halo, for labels on the map. */
static void label(cairo_t *cr, double x, double y, const char *s0, int align)
{
    char buf[256];
    const char *s = dm__rep_text(cr, s0, 0, buf, sizeof buf);
    double w = dm__rep_text_w(cr, s);
    dm__rep_halo(cr, x - (align == 1 ? w / 2 : align == 2 ? w : 0), y, s, 2.4, 0.1);
}

/* Text wrapped into width w (dm__rep_wrap), of up to 2047 bytes. */
static double wrap(cairo_t *cr, double x, double y, double w, double lh, const char *s, int draw)
{
    return dm__rep_wrap(cr, x, y, w, lh, s, 2048, draw);
}

/* ---- gathering --------------------------------------------------------------- */

static void pub_free(pub *p)
{
    dm_geom_free(p->area);
    if (p->have_zones)
        dm_coords_free(p->ctx, &p->zones);
    for (size_t i = 0; i < p->n_f; i++)
        dm_coords_free(p->ctx, &p->f[i].c);
    dm_free(p->ctx, p->f);
}

static void bounds_add(double b[4], const double g[4])
{
    b[0] = fmin(b[0], g[0]), b[1] = fmin(b[1], g[1]);
    b[2] = fmax(b[2], g[2]), b[3] = fmax(b[3], g[3]);
}

/* A district's area: its polygon, else the area of the hazards that name
 * it (dm__rep_find_district). */
static dm_status find_district(dm_store *s, pub *p, const char *name)
{
    rep_district rd;
    dm_status st = dm__rep_find_district(s, name, &rd);
    if (st)
        return st;
    dm__strlcpy(p->place, rd.name, sizeof p->place);
    p->area = rd.area;
    memcpy(p->area_b, rd.b, sizeof p->area_b);
    return DM_OK;
}

/* A box of about m metres each way around (x, y). */
static void box_around(double x, double y, double m, double b[4])
{
    double dy = m / 111320.0, dx = dy / fmax(cos(y * M_PI / 180), 0.05);
    b[0] = x - dx, b[1] = y - dy, b[2] = x + dx, b[3] = y + dy;
}

static dm_status find_settlement(dm_store *s, pub *p, const char *name, double around)
{
    static const char *const eqf[1] = {"class"};
    static const char *const eqv[1] = {"settlement"};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.eq_field = eqf, sel.eq_value = eqv, sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "features", &sel, &c);
    if (st)
        return st;
    int rc, found = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *nm = dm_cursor_text(c, "name");
        if (!nm || dm__strcasecmp(nm, name))
            continue;
        dm__strlcpy(p->place, nm, sizeof p->place);
        dm_geom *g = NULL;
        double x, y;
        st = dm_cursor_geom(c, &g);
        if (!st && g && dm_geom_centroid_xy(g, &x, &y)) {
            found = 1;
            box_around(x, y, around, p->area_b);
        }
        dm_geom_free(g);
        if (found)
            break;
    }
    dm_cursor_free(c);
    if (st)
        return st;
    if (!found && p->place[0])
        return dm__fail(p->ctx, DM_EGEOM, "%s: settlement '%s' (layer features) has no geometry to map",
                        dm_store_path(s), p->place);
    if (found)
        return DM_OK;
    char known[800];
    dm__rep_known_names(s, "features", "name", "settlement", known, sizeof known);
    return dm__fail(p->ctx, DM_ENOTFOUND,
                    "%s: no settlement '%s' in layer features (class settlement, field name); known: %s",
                    dm_store_path(s), name, known);
}

/* The extent of a layer's geometries (class cls of features when set);
 * 0 when it has none. */
static int layer_extent(dm_store *s, const char *layer, double b[4])
{
    dm_cursor *c = NULL;
    int any = 0;
    b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
    if (dm_store_select(s, layer, NULL, &c) == DM_OK) {
        while (dm_cursor_next(c) == 1) {
            dm_geom *g = NULL;
            double gb[4];
            if (dm_cursor_geom(c, &g) == DM_OK && g && dm_geom_bounds(g, gb)) {
                if (!strcmp(layer, "features") && feature_class(dm_cursor_text(c, "class")) < 0) {
                    dm_geom_free(g);
                    continue;
                }
                bounds_add(b, gb);
                any = 1;
            }
            dm_geom_free(g);
        }
    }
    dm_cursor_free(c);
    dm_ctx_clear_error(dm_store_ctx(s));
    return any;
}

/* The latest change to the hazards layer, as YYYY-MM-DD, or "" when it has
 * none: from the change log, so that a hazard deleted (or closed) moves the
 * date too, else from the rows' "updated" stamps (a database whose log
 * another tool did not write). */
static dm_status latest_change(dm_store *s, char out[11])
{
    out[0] = 0;
    char t[25];
    dm_status st = dm_store_last_change(s, "hazards", t);
    if (st)
        return st;
    if (strlen(t) >= 10) {
        char day[11], d[11];
        memcpy(day, t, 10);
        day[10] = 0;
        if (dm_date_parse(day, d))
            memcpy(out, d, 11);
    }
    dm_cursor *c = NULL;
    st = dm_store_select(s, "hazards", NULL, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *u = dm_cursor_text(c, "updated");
        char d[11];
        if (u && dm_date_parse(u, d) && strcmp(d, out) > 0)
            memcpy(out, d, 11);
        else if (u && strlen(u) >= 10) { /* a full stamp: its day */
            char day[11];
            memcpy(day, u, 10);
            day[10] = 0;
            if (dm_date_parse(day, d) && strcmp(d, out) > 0)
                memcpy(out, d, 11);
        }
    }
    dm_cursor_free(c);
    if (rc < 0)
        return dm_ctx_errcode(dm_store_ctx(s)) ? dm_ctx_errcode(dm_store_ctx(s)) : DM_ESQL;
    return DM_OK;
}

static dm_status load_features(dm_store *s, pub *p)
{
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.bbox = p->view;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "features", &sel, &c);
    if (st)
        return st;
    int rc;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        int cls = feature_class(dm_cursor_text(c, "class"));
        if (cls < 0)
            continue;
        dm_geom *g = NULL;
        if (dm_cursor_geom(c, &g) || !g) {
            dm_ctx_clear_error(p->ctx);
            continue;
        }
        if (p->n_f == p->cap_f) {
            size_t nc = p->cap_f ? p->cap_f * 2 : 256;
            feat *nf = dm_realloc(p->ctx, p->f, nc * sizeof *nf);
            if (!nf) {
                dm_geom_free(g);
                st = dm__fail(p->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            p->f = nf, p->cap_f = nc;
        }
        feat *f = &p->f[p->n_f];
        memset(f, 0, sizeof *f);
        f->cls = cls;
        if (dm_geom_coords(p->ctx, g, &f->c) == DM_OK) {
            if (!dm_geom_centroid_xy(g, &f->cx, &f->cy))
                f->cx = f->c.n_xy ? f->c.xy[0] : 0, f->cy = f->c.n_xy ? f->c.xy[1] : 0;
            const char *nm = cls == F_SETTLEMENT ? dm_cursor_text(c, "name") : NULL;
            dm__rep_text(NULL, nm ? nm : "", 0, f->name, sizeof f->name);
            f->pop = cls == F_SETTLEMENT ? dm_cursor_real(c, "population", 0) : 0;
            p->n_f++;
        } else
            dm_ctx_clear_error(p->ctx);
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    if (!st && rc < 0)
        st = dm_ctx_errcode(p->ctx) ? dm_ctx_errcode(p->ctx) : DM_ESQL;
    return st;
}

/* The zones that meet the area (the district's polygon, else the view). */
static int count_zones(pub *p)
{
    int n = 0;
    dm_geom *box = NULL;
    if (!p->area) {
        double v[10] = {p->view[0], p->view[1], p->view[2], p->view[1], p->view[2],
                        p->view[3], p->view[0], p->view[3], p->view[0], p->view[1]};
        if (dm_geom_polygon(p->ctx, v, 5, &box))
            return -1;
    }
    const dm_geom *area = p->area ? p->area : box;
    for (size_t k = 0; k < p->zones.n_parts; k++) {
        if (p->zones.kind[k] != 2)
            continue;
        dm_geom *poly = NULL;
        if (dm_geom_polygon(p->ctx, p->zones.xy + 2 * p->zones.start[k], p->zones.start[k + 1] - p->zones.start[k],
                            &poly) == DM_OK &&
            dm_geom_intersects(poly, area))
            n++;
        dm_geom_free(poly);
    }
    dm_geom_free(box);
    dm_ctx_clear_error(p->ctx);
    return n;
}

/* ---- the map ------------------------------------------------------------------ */

static double X(const pub *p, double lon) { return p->ox + (lon - p->view[0]) * p->kx * p->s; }
static double Y(const pub *p, double lat) { return p->oy + (p->view[3] - lat) * p->s; }

/* The view: the area with a margin, widened or heightened to fill a frame
 * of fw x fh points. */
static void fit_view(pub *p, double fw, double fh)
{
    rep_frame f;
    dm__rep_fit_view(&f, p->area_b, fw, fh, 0.04, 150);
    memcpy(p->view, f.view, sizeof p->view);
    p->s = f.s, p->kx = f.kx, p->fw = f.fw, p->fh = f.fh;
}

static void coords_path(cairo_t *cr, const pub *p, const dm_coords *c, int closed)
{
    for (size_t k = 0; k < c->n_parts; k++) {
        if (c->kind[k] == 0)
            continue;
        for (size_t v = c->start[k]; v < c->start[k + 1]; v++) {
            double x = X(p, c->xy[2 * v]), y = Y(p, c->xy[2 * v + 1]);
            if (v == c->start[k])
                cairo_move_to(cr, x, y);
            else
                cairo_line_to(cr, x, y);
        }
        if (closed && c->kind[k] >= 2)
            cairo_close_path(cr);
    }
}

static int is_area(const dm_coords *c)
{
    for (size_t k = 0; k < c->n_parts; k++)
        if (c->kind[k] >= 2)
            return 1;
    return 0;
}

static int is_line(const dm_coords *c)
{
    for (size_t k = 0; k < c->n_parts; k++)
        if (c->kind[k] == 1)
            return 1;
    return 0;
}

static void points(cairo_t *cr, const pub *p, const feat *f, double r, int square)
{
    for (size_t k = 0; k < f->c.n_parts; k++) {
        if (f->c.kind[k] != 0)
            continue;
        double x = X(p, f->c.xy[2 * f->c.start[k]]), y = Y(p, f->c.xy[2 * f->c.start[k] + 1]);
        if (square)
            cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
        else {
            cairo_new_sub_path(cr);
            cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        }
    }
}

static void cross(cairo_t *cr, double x, double y, double r)
{
    cairo_move_to(cr, x, y - r);
    cairo_line_to(cr, x, y + r);
    cairo_move_to(cr, x - r * 0.6, y - r * 0.35);
    cairo_line_to(cr, x + r * 0.6, y - r * 0.35);
}

static void draw_features(cairo_t *cr, const pub *p)
{
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    /* settlement areas, cemeteries, water areas first; then lines; then buildings */
    for (size_t i = 0; i < p->n_f; i++) {
        const feat *f = &p->f[i];
        if (!is_area(&f->c) || (f->cls != F_SETTLEMENT && f->cls != F_CEMETERY && f->cls != F_RIVER))
            continue;
        cairo_new_path(cr);
        coords_path(cr, p, &f->c, 1);
        set(cr, f->cls == F_SETTLEMENT ? C_SETTLE : f->cls == F_CEMETERY ? C_CEM : C_WATER);
        cairo_fill(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t i = 0; i < p->n_f; i++) {
        const feat *f = &p->f[i];
        if (f->cls != F_RIVER || !is_line(&f->c))
            continue;
        cairo_new_path(cr);
        coords_path(cr, p, &f->c, 0);
        set(cr, C_WATER);
        cairo_set_line_width(cr, 2.2);
        cairo_stroke(cr);
    }
    static const double dash[2] = {3, 2};
    for (size_t i = 0; i < p->n_f; i++) {
        const feat *f = &p->f[i];
        if (f->cls != F_TRACK || !is_line(&f->c))
            continue;
        cairo_new_path(cr);
        coords_path(cr, p, &f->c, 0);
        set(cr, C_TRACK);
        cairo_set_line_width(cr, 0.9);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    for (int pass = 0; pass < 2; pass++) /* casing, then the road itself */
        for (size_t i = 0; i < p->n_f; i++) {
            const feat *f = &p->f[i];
            if (f->cls != F_ROAD || !is_line(&f->c))
                continue;
            cairo_new_path(cr);
            coords_path(cr, p, &f->c, 0);
            set(cr, pass ? C_ROADIN : C_ROAD);
            cairo_set_line_width(cr, pass ? 1.8 : 3.0);
            cairo_stroke(cr);
        }
    for (size_t i = 0; i < p->n_f; i++) {
        const feat *f = &p->f[i];
        cairo_new_path(cr);
        if (f->cls == F_BUILDING) {
            set(cr, C_BUILD);
            if (is_area(&f->c)) {
                coords_path(cr, p, &f->c, 1);
                double x0, y0, x1, y1;
                cairo_path_extents(cr, &x0, &y0, &x1, &y1);
                if (x1 - x0 < 1.6 && y1 - y0 < 1.6) { /* a house at village scale: a dot that shows */
                    cairo_new_path(cr);
                    cairo_rectangle(cr, (x0 + x1) / 2 - 0.8, (y0 + y1) / 2 - 0.8, 1.6, 1.6);
                }
                cairo_fill(cr);
            }
            points(cr, p, f, 1.1, 1);
            cairo_fill(cr);
        } else if (f->cls == F_CEMETERY) {
            cairo_set_source_rgb(cr, 0.2, 0.35, 0.2);
            cairo_set_line_width(cr, 0.8);
            cross(cr, X(p, f->cx), Y(p, f->cy), 3.2);
            cairo_stroke(cr);
        } else if (f->cls == F_BRIDGE) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            if (is_line(&f->c)) {
                coords_path(cr, p, &f->c, 0);
                cairo_set_line_width(cr, 3.4);
                cairo_stroke(cr);
            } else {
                double x = X(p, f->cx), y = Y(p, f->cy);
                cairo_set_line_width(cr, 1.0);
                cairo_move_to(cr, x - 3.5, y - 2.5);
                cairo_line_to(cr, x + 3.5, y - 2.5);
                cairo_move_to(cr, x - 3.5, y + 2.5);
                cairo_line_to(cr, x + 3.5, y + 2.5);
                cairo_stroke(cr);
            }
        } else if (f->cls == F_SETTLEMENT && !is_area(&f->c)) {
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            points(cr, p, f, 2.4, 0);
            cairo_fill(cr);
        }
    }
}

/* The danger zones: red, hatched, with a strong edge. */
static void zone_style(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_path_t *edge = cairo_copy_path(cr);
    cairo_save(cr);
    cairo_clip_preserve(cr);
    cairo_set_source_rgba(cr, C_ZONE.r, C_ZONE.g, C_ZONE.b, 0.30);
    cairo_fill_preserve(cr);
    cairo_new_path(cr);
    cairo_set_source_rgba(cr, C_ZONE.r, C_ZONE.g, C_ZONE.b, 0.75);
    cairo_set_line_width(cr, 0.7);
    for (double t = -h; t < w; t += 5) {
        cairo_move_to(cr, x + t, y + h);
        cairo_line_to(cr, x + t + h, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_new_path(cr);
    cairo_append_path(cr, edge);
    cairo_path_destroy(edge);
    cairo_set_source_rgb(cr, C_ZONE.r * 0.85, C_ZONE.g, C_ZONE.b);
    cairo_set_line_width(cr, 1.6);
    cairo_stroke(cr);
}

static void draw_zones(cairo_t *cr, const pub *p)
{
    if (!p->have_zones)
        return;
    cairo_new_path(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    coords_path(cr, p, &p->zones, 1);
    zone_style(cr, p->ox, p->oy, p->fw, p->fh);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

/* Outside the district: a light veil, and the district's edge. */
static void draw_area(cairo_t *cr, const pub *p)
{
    if (!p->area)
        return;
    dm_coords c;
    if (dm_geom_coords(p->ctx, p->area, &c)) {
        dm_ctx_clear_error(p->ctx);
        return;
    }
    cairo_new_path(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_rectangle(cr, p->ox - 2, p->oy - 2, p->fw + 4, p->fh + 4);
    coords_path(cr, p, &c, 1);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.55);
    cairo_fill(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    coords_path(cr, p, &c, 1);
    static const double dash[4] = {6, 2, 1.5, 2};
    cairo_set_dash(cr, dash, 4, 0);
    cairo_set_source_rgb(cr, 0.40, 0.20, 0.45);
    cairo_set_line_width(cr, 1.4);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    dm_coords_free(p->ctx, &c);
}

typedef struct lab {
    double pop;
    size_t i;
} lab;

static int by_population(const void *a, const void *b)
{
    const lab *x = a, *y = b;
    return x->pop > y->pop ? -1 : x->pop < y->pop ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* Settlement names, the most populous first; a name that would cover one
 * already placed is left out, so that every name printed can be read. */
static void draw_labels(cairo_t *cr, const pub *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_f; i++)
        n += p->f[i].cls == F_SETTLEMENT && p->f[i].name[0];
    if (!n)
        return;
    lab *idx = dm_malloc(p->ctx, n * sizeof *idx);
    double *box = dm_malloc(p->ctx, (n + 2) * 4 * sizeof *box);
    if (!idx || !box) {
        dm_free(p->ctx, idx);
        dm_free(p->ctx, box);
        return;
    }
    n = 0;
    for (size_t i = 0; i < p->n_f; i++)
        if (p->f[i].cls == F_SETTLEMENT && p->f[i].name[0])
            idx[n].pop = p->f[i].pop, idx[n++].i = i;
    qsort(idx, n, sizeof *idx, by_population);
    dm__rep_font(cr, 9, 1);
    /* the north arrow and the scale bar keep their corners */
    double keep[8] = {p->ox + p->fw - 36, p->oy, p->ox + p->fw, p->oy + 50,
                      p->ox, p->oy + p->fh - 30, p->ox + 150, p->oy + p->fh};
    memcpy(box, keep, sizeof keep);
    size_t placed = 2;
    for (size_t k = 0; k < n; k++) {
        const feat *f = &p->f[idx[k].i];
        double x = X(p, f->cx), y = Y(p, f->cy);
        if (x < p->ox || x > p->ox + p->fw || y < p->oy || y > p->oy + p->fh)
            continue;
        double w = dm__rep_text_w(cr, f->name);
        /* beside the dot, kept inside the frame */
        double lx = fmin(fmax(x + 5, p->ox + 3), p->ox + p->fw - w - 3);
        double ly = fmin(fmax(y - 4, p->oy + 11), p->oy + p->fh - 4);
        double b[4] = {lx - 2, ly - 10, lx + w + 2, ly + 3};
        int clash = 0;
        for (size_t j = 0; j < placed && !clash; j++)
            clash = b[0] < box[4 * j + 2] && box[4 * j] < b[2] && b[1] < box[4 * j + 3] && box[4 * j + 1] < b[3];
        if (clash)
            continue;
        memcpy(box + 4 * placed++, b, sizeof b);
        label(cr, lx, ly, f->name, 0);
    }
    dm_free(p->ctx, idx);
    dm_free(p->ctx, box);
}

static rep_frame frame(const pub *p)
{
    return (rep_frame){p->ox, p->oy, p->fw, p->fh, {p->view[0], p->view[1], p->view[2], p->view[3]}, p->s, p->kx};
}

static void draw_map(cairo_t *cr, pub *p)
{
    set(cr, C_PAPER);
    cairo_rectangle(cr, p->ox, p->oy, p->fw, p->fh);
    cairo_fill(cr);
    cairo_save(cr);
    cairo_rectangle(cr, p->ox, p->oy, p->fw, p->fh);
    cairo_clip(cr);
    draw_features(cr, p);
    draw_zones(cr, p);
    draw_area(cr, p);
    cairo_restore(cr);
    rep_frame f = frame(p);
    dm__rep_map_grid(cr, &f,
                     &(rep_grid_style){.font = 7, .alpha = 0.55, .below = 9, .step_min = 0.001, .step_max = 10});
    cairo_save(cr);
    cairo_rectangle(cr, p->ox, p->oy, p->fw, p->fh);
    cairo_clip(cr);
    draw_labels(cr, p);
    cairo_restore(cr);
    dm__rep_map_scale(cr, &f);
    dm__rep_map_north(cr, &f);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, p->ox, p->oy, p->fw, p->fh);
    cairo_stroke(cr);
}

/* ---- the page ------------------------------------------------------------------- */

/* A text in the chosen language(s): "az / en" on one line, or either. */
static void both(const pub *p, char *out, size_t n, const char *az, const char *en)
{
    if (p->az && p->en)
        snprintf(out, n, "%s / %s", az, en);
    else
        snprintf(out, n, "%s", p->az ? az : en);
}

static double legend_item(cairo_t *cr, const pub *p, double x, double y, int kind, const char *az, const char *en)
{
    cairo_new_path(cr);
    switch (kind) {
    case 0: /* zone */
        cairo_rectangle(cr, x, y - 7, 16, 9);
        zone_style(cr, x, y - 7, 16, 9);
        break;
    case 1:
        cairo_set_line_width(cr, 3.0);
        set(cr, C_ROAD);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 16, y - 2.5);
        cairo_stroke(cr);
        cairo_set_line_width(cr, 1.8);
        set(cr, C_ROADIN);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 16, y - 2.5);
        cairo_stroke(cr);
        break;
    case 2: {
        static const double dash[2] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 0.9);
        set(cr, C_TRACK);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 16, y - 2.5);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        break;
    }
    case 3:
        cairo_set_line_width(cr, 2.2);
        set(cr, C_WATER);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 16, y - 2.5);
        cairo_stroke(cr);
        break;
    case 4:
        set(cr, C_BUILD);
        cairo_rectangle(cr, x + 3, y - 5, 3, 3);
        cairo_rectangle(cr, x + 9, y - 4, 3, 3);
        cairo_fill(cr);
        break;
    case 5:
        set(cr, C_SETTLE);
        cairo_rectangle(cr, x, y - 7, 16, 9);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_new_path(cr);
        cairo_arc(cr, x + 8, y - 2.5, 2.2, 0, 2 * M_PI);
        cairo_fill(cr);
        break;
    case 6:
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1.0);
        cairo_move_to(cr, x + 4, y - 5);
        cairo_line_to(cr, x + 12, y - 5);
        cairo_move_to(cr, x + 4, y);
        cairo_line_to(cr, x + 12, y);
        cairo_stroke(cr);
        break;
    case 7:
        set(cr, C_CEM);
        cairo_rectangle(cr, x, y - 7, 16, 9);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.2, 0.35, 0.2);
        cairo_set_line_width(cr, 0.8);
        cross(cr, x + 8, y - 2.5, 3.2);
        cairo_stroke(cr);
        break;
    default: {
        static const double dash[4] = {6, 2, 1.5, 2};
        cairo_set_dash(cr, dash, 4, 0);
        cairo_set_source_rgb(cr, 0.40, 0.20, 0.45);
        cairo_set_line_width(cr, 1.4);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 16, y - 2.5);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    }
    char b[200];
    both(p, b, sizeof b, az, en);
    dm__rep_font(cr, 7.5, kind == 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    return 16 + 4 + dm__rep_show(cr, x + 20, y, b, 0, 0) + 12;
}

/* The legend in rows from (x, y) to width w; returns the y under it. */
static double draw_legend(cairo_t *cr, const pub *p, double x, double y, double w)
{
    static const struct {
        int kind;
        const char *az, *en;
    } items[] = {{0, "Təhlükə zonası: girməyin", "Danger zone: keep out"},
                 {1, "Yol", "Road"},
                 {2, "Torpaq yol", "Track"},
                 {3, "Çay, kanal", "River, canal"},
                 {4, "Bina", "Building"},
                 {5, "Yaşayış məntəqəsi", "Settlement"},
                 {6, "Körpü", "Bridge"},
                 {7, "Qəbiristanlıq", "Cemetery"},
                 {8, "Rayon sərhədi", "District boundary"}};
    double cx = x;
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (items[i].kind == 8 && !p->area)
            continue;
        /* measure by drawing off the page, then draw in place */
        cairo_push_group(cr);
        double iw = legend_item(cr, p, 0, -100, items[i].kind, items[i].az, items[i].en);
        cairo_pattern_destroy(cairo_pop_group(cr));
        if (cx > x && cx + iw - 12 > x + w) {
            cx = x;
            y += 13;
        }
        legend_item(cr, p, cx, y, items[i].kind, items[i].az, items[i].en);
        cx += iw;
    }
    return y + 6;
}

/* The safety messages in one column: each a bullet paragraph. */
static double messages_col(cairo_t *cr, double x, double y, double w, int az, int draw)
{
    size_t n = 0;
    const dm_danger_message *m = dm_danger_messages(&n);
    static const rgb bullet[5] = {{0.86, 0.10, 0.10}, {0.95, 0.55, 0.10}, {0.45, 0.45, 0.45},
                                  {0.10, 0.10, 0.10}, {0.10, 0.10, 0.10}};
    for (size_t i = 0; i < n; i++) {
        if (draw) {
            set(cr, bullet[i < 5 ? i : 4]);
            cairo_new_path(cr);
            cairo_arc(cr, x + 3, y - 3, 2.6, 0, 2 * M_PI);
            cairo_fill(cr);
            cairo_set_source_rgb(cr, 0.08, 0.08, 0.08);
        }
        dm__rep_font(cr, 8.6, i == 0 || i == 3);
        y = wrap(cr, x + 10, y, w - 10, 10.6, az ? m[i].az : m[i].en, draw) + 3.5;
    }
    return y;
}

static double messages_block(cairo_t *cr, const pub *p, double y, int draw)
{
    double x = MARGIN, w = PW - 2 * MARGIN;
    dm__rep_font(cr, 10.5, 1);
    char h[200];
    both(p, h, sizeof h, "Təhlükəsizlik qaydaları", "Stay safe");
    if (draw) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        dm__rep_show(cr, x, y, h, 0, w);
    }
    y += 14;
    if (p->az && p->en) {
        double cw = (w - 16) / 2;
        double ya = messages_col(cr, x, y, cw, 1, draw);
        double ye = messages_col(cr, x + cw + 16, y, cw, 0, draw);
        y = fmax(ya, ye);
    } else
        y = messages_col(cr, x, y, w, p->az, draw);
    return y;
}

static double approx_block(cairo_t *cr, const pub *p, double y, int draw)
{
    static const char *az = "Zonalar təxminidir; onlardan kənarda olan ərazinin təhlükəsiz olduğu sübut olunmayıb.";
    static const char *en = "Zones are approximate; ground outside them is not proven safe.";
    double x = MARGIN + 8, w = PW - 2 * MARGIN - 16, y0 = y;
    dm__rep_font(cr, 9, 1);
    double yy = y + 13;
    if (p->az)
        yy = wrap(cr, x, yy, w, 11, az, 0);
    if (p->en)
        yy = wrap(cr, x, yy, w, 11, en, 0);
    double h = yy - y - 3;
    if (draw) {
        cairo_set_source_rgb(cr, 1.0, 0.95, 0.70);
        cairo_rectangle(cr, MARGIN, y0, PW - 2 * MARGIN, h);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.85, 0.6, 0.0);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        yy = y + 13;
        if (p->az)
            yy = wrap(cr, x, yy, w, 11, az, 1);
        if (p->en)
            yy = wrap(cr, x, yy, w, 11, en, 1);
    }
    return y0 + h;
}

static void fmt_place(const pub *p, char *out, size_t n, const char *title)
{
    if (p->place[0])
        snprintf(out, n, "%s: %s", title, p->place);
    else
        snprintf(out, n, "%s", title);
}

/* A title line fitted to the width: smaller type first, then cut. */
static void title_line(cairo_t *cr, double x, double y, double w, double size, const char *s)
{
    char buf[512];
    dm__rep_text(NULL, s, 0, buf, sizeof buf);
    for (; size > 10; size -= 0.5) {
        dm__rep_font(cr, size, 1);
        if (dm__rep_text_w(cr, buf) <= w)
            break;
    }
    dm__rep_font(cr, size, 1);
    dm__rep_show(cr, x, y, buf, 0, w);
}

/* The top of the page: title band, area and date, the zone count. With fit,
 * also the map's frame below it (from what the rest of the page needs). */
static void draw_top(cairo_t *cr, pub *p, int fit)
{
    const char *t_az = "Mina və partlamamış hərbi sursat təhlükəsi";
    const char *t_en = "Danger from mines and unexploded ordnance";
    char b[1800], az[400], en[400];
    double w = PW - 2 * MARGIN;
    /* a red band with the title */
    double band = p->az && p->en ? 52 : 36;
    cairo_set_source_rgb(cr, 0.78, 0.06, 0.06);
    cairo_rectangle(cr, 0, 0, PW, band + 14);
    cairo_fill(cr);
    /* the warning triangle */
    double tx = MARGIN + 14, ty = 12;
    cairo_move_to(cr, tx, ty);
    cairo_line_to(cr, tx + 16, ty + 28);
    cairo_line_to(cr, tx - 16, ty + 28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 0.85, 0.1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
    dm__rep_font(cr, 18, 1);
    dm__rep_show(cr, tx, ty + 25, "!", 1, 0);
    cairo_set_source_rgb(cr, 1, 1, 1);
    double x = MARGIN + 40, y = 28;
    if (p->az) {
        fmt_place(p, b, sizeof b, t_az);
        title_line(cr, x, y, PW - MARGIN - x, 15, b);
        y += 20;
    }
    if (p->en) {
        fmt_place(p, b, sizeof b, t_en);
        title_line(cr, x, y, PW - MARGIN - x, p->az ? 12.5 : 15, b);
    }
    /* what the map covers and when */
    y = band + 32;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    if (p->asof[0]) {
        snprintf(az, sizeof az, "Təhlükə zonaları %s tarixinə olan vəziyyətdir", p->asof);
        snprintf(en, sizeof en, "Danger zones as of %s", p->asof);
    } else {
        snprintf(az, sizeof az, "Bazada qeydə alınmış təhlükəli ərazi yoxdur");
        snprintf(en, sizeof en, "No hazardous area is recorded in the database");
    }
    char when[820];
    both(p, when, sizeof when, az, en);
    char where[420];
    both(p, where, sizeof where, p->where_az, p->where_en);
    dm__rep_font(cr, 8.5, 1);
    y = wrap(cr, MARGIN, y, w, 10.5, where, 1);
    dm__rep_font(cr, 8.5, 0);
    y = wrap(cr, MARGIN, y, w, 10.5, when, 1);
    /* the count, or that there is none */
    if (p->n_area > 0) {
        snprintf(az, sizeof az, "Bu ərazidə %d təhlükə zonası", p->n_area);
        snprintf(en, sizeof en, "%d danger zone%s in this area", p->n_area, p->n_area == 1 ? "" : "s");
    } else {
        snprintf(az, sizeof az, "Bu ərazidə məlum təhlükə zonası yoxdur");
        snprintf(en, sizeof en, "No known danger zone in this area");
    }
    both(p, b, sizeof b, az, en);
    dm__rep_font(cr, 12, 1);
    if (p->n_area > 0)
        set(cr, C_ZONE);
    else
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    y = wrap(cr, MARGIN, y + 6, w, 14, b, 1);

    if (!fit)
        return;
    /* the bottom of the page first: footer, the approximate line, messages */
    double foot = PH - 22;
    double ah = approx_block(cr, p, 0, 0);
    double mh = messages_block(cr, p, 0, 0);
    double y_app = foot - 14 - ah, y_msg = y_app - 10 - mh;
    cairo_push_group(cr); /* the legend's height, measured off the page */
    double legend_h = draw_legend(cr, p, MARGIN, 0, w);
    cairo_pattern_destroy(cairo_pop_group(cr));
    double top = y + 14;
    double fh = y_msg - 24 - legend_h - 12 - top;
    p->ox = MARGIN + 12, p->oy = top;
    fit_view(p, w - 24, fh);
}

static void draw_rest(cairo_t *cr, pub *p)
{
    double w = PW - 2 * MARGIN;
    double foot = PH - 22;
    double ah = approx_block(cr, p, 0, 0);
    double mh = messages_block(cr, p, 0, 0);
    double y_app = foot - 14 - ah, y_msg = y_app - 10 - mh;
    if (p->view[2] > p->view[0])
        draw_map(cr, p);
    double ly = p->oy + p->fh + 24;
    draw_legend(cr, p, MARGIN, ly, w);
    if (!p->have_zones || p->n_area == 0) {
        /* said on the map too, never an empty frame */
        char b[300];
        both(p, b, sizeof b, "Bu ərazidə məlum təhlükə zonası yoxdur", "No known danger zone in this area");
        dm__rep_font(cr, 11, 1);
        double tw = fmin(dm__rep_text_w(cr, b), p->fw - 20);
        double cx = p->ox + p->fw / 2, cy = p->oy + p->fh / 2;
        cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
        cairo_rectangle(cr, cx - tw / 2 - 8, cy - 15, tw + 16, 22);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        dm__rep_show(cr, cx, cy, b, 1, p->fw - 20);
    }
    messages_block(cr, p, y_msg + 8, 1);
    approx_block(cr, p, y_app, 1);
    /* footer */
    char az[200], en[200];
    snprintf(az, sizeof az, "Çap tarixi %s. Koordinatlar: WGS 84 dərəcələri, GPS-dəki kimi. Təcili: 112", p->date);
    snprintf(en, sizeof en, "Printed %s. Coordinates: WGS 84 degrees, as on a GPS. Emergency: 112", p->date);
    dm__rep_font(cr, 7, 0);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    if (p->az && p->en) {
        dm__rep_show(cr, MARGIN, foot - 8, az, 0, w);
        dm__rep_show(cr, MARGIN, foot + 1, en, 0, w);
    } else
        dm__rep_show(cr, MARGIN, foot, p->az ? az : en, 0, w);
}

static dm_status write_pdf(pub *p, const char *path, const char *title)
{
    cairo_surface_t *sf = cairo_pdf_surface_create(path, PW, PH);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t cs0 = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        return dm__fail(p->ctx, DM_EIO, "%s: cannot write the PDF: %s", path, cairo_status_to_string(cs0));
    }
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "demine " DM_VERSION_STRING);
    cairo_t *cr = cairo_create(sf);
    draw_top(cr, p, 0);
    draw_rest(cr, p);
    cairo_show_page(cr);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return dm__fail(p->ctx, DM_EIO, "%s: writing the PDF failed: %s", path, cairo_status_to_string(cs));
    return DM_OK;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !dm__strcasecmp(s + a - b, suf);
}

/* Lay out the top of the page on a scratch surface: it decides the map's
 * frame, and so the view the features are read for. */
static void layout(pub *p)
{
    cairo_surface_t *sf = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(sf);
    draw_top(cr, p, 1);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
}

dm_status dm_report_public(dm_store *s, const char *path, const dm_public_opts *o, int *n_zones)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (n_zones)
        *n_zones = 0;
    if (!path || !*path)
        return dm__fail(ctx, DM_EINVAL, "the public map needs a file name ending in .pdf");
    if (!ends_with(path, ".pdf"))
        return dm__fail(ctx, DM_EINVAL,
                        "%s: the public danger map is a printable A4 PDF: name the file .pdf (the same map "
                        "is on the web at /public of demine serve)",
                        path);
    const char *dbp = dm_store_path(s);
    if (dbp && (!strcmp(dbp, path) || dm_same_file(dbp, path)))
        return dm__fail(ctx, DM_EINVAL, "%s is the database: not writing the map over it", path);
    int areas = (o && o->district) + (o && o->settlement) + (o && o->bbox);
    if (areas > 1)
        return dm__fail(ctx, DM_EINVAL, "the public map covers one area: a district, a settlement or a bbox");
    dm_status ms = dm__rep_may_replace(ctx, path, 1, o && o->force, "danger map");
    if (ms)
        return ms;
    pub p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.en = !o || o->lang != DM_LANG_AZ;
    p.az = !o || o->lang != DM_LANG_EN;
    char now[21];
    dm_now_iso(now);
    now[10] = 0;
    if (o && o->date) {
        const char *q = o->date;
        int strict = strlen(q) == 10 && q[4] == '-' && q[7] == '-';
        for (int i = 0; strict && i < 10; i++)
            strict = i == 4 || i == 7 || (q[i] >= '0' && q[i] <= '9');
        if (!strict || !dm_date_parse(q, p.date))
            return dm__fail(ctx, DM_EINVAL, "date '%s' is not a date YYYY-MM-DD", q);
    } else
        dm__strlcpy(p.date, now, sizeof p.date);
    if (o && o->bbox) {
        const double *b = o->bbox;
        for (int i = 0; i < 4; i++)
            if (!isfinite(b[i]))
                return dm__fail(ctx, DM_EINVAL, "bbox: %g is not a coordinate", b[i]);
        if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > 180 || b[2] < -180 || b[1] > 90 ||
            b[3] < -90)
            return dm__fail(ctx, DM_EINVAL,
                            "bbox %g,%g,%g,%g is not in degrees: give west,south,east,north as longitude "
                            "-180..180 and latitude -90..90 (WGS 84), not metres",
                            b[0], b[1], b[2], b[3]);
        if (!(b[0] < b[2]) || !(b[1] < b[3]))
            return dm__fail(ctx, DM_EINVAL,
                            "bbox %g,%g,%g,%g: give west,south,east,north, west less than east and south "
                            "less than north",
                            b[0], b[1], b[2], b[3]);
        memcpy(p.area_b, b, sizeof p.area_b);
    }
    dm_status st = DM_OK;
    double around = o && o->around_m > 0 ? o->around_m : 3000;
    if (o && o->district)
        st = find_district(s, &p, o->district);
    else if (o && o->settlement)
        st = find_settlement(s, &p, o->settlement, around);
    dm_geom *z = NULL;
    if (!st && areas) {
        /* the zones of what the page can show, each whole: the area, the
         * margin and the widening of fit_view (to a frame 1.37 times as wide
         * as tall on A4; up to twice here), not the whole country's */
        const double *a = p.area_b;
        double kx = cos((a[1] + a[3]) / 2 * M_PI / 180), gw = (a[2] - a[0]) * kx, gh = a[3] - a[1];
        double pad = fmax(fmax(gw, gh) * 0.04, 150 / 111320.0) + 500 / 111320.0;
        double vw = fmax(gw + 2 * pad, (gh + 2 * pad) * 2), vh = fmax(gh, gw) + 2 * pad;
        double cx = (a[0] + a[2]) / 2, cy = (a[1] + a[3]) / 2;
        double win[4] = {fmax(cx - vw / kx / 2, -180), fmax(cy - vh / 2, -90), fmin(cx + vw / kx / 2, 180),
                         fmin(cy + vh / 2, 90)};
        st = dm_danger_zones_in(s, &zone_opts, win, &z);
    } else if (!st)
        st = dm_danger_zones(s, &zone_opts, &z);
    if (!st && z && !dm_geom_is_empty(z)) {
        st = dm_geom_coords(ctx, z, &p.zones);
        p.have_zones = !st;
    }
    double zb[4];
    int zones_box = !st && z && dm_geom_bounds(z, zb);
    dm_geom_free(z);
    if (!st)
        st = latest_change(s, p.asof);
    int have_view = 1;
    if (!st) {
        if (p.area || (o && o->district)) /* its polygon, or its hazards' area */
            snprintf(p.where_en, sizeof p.where_en, "District %s", p.place),
                snprintf(p.where_az, sizeof p.where_az, "%s rayonu", p.place);
        else if (o && o->settlement) {
            snprintf(p.where_en, sizeof p.where_en, "%g km around %s", around / 1000, p.place);
            snprintf(p.where_az, sizeof p.where_az, "%s ətrafında %g km", p.place, around / 1000);
        } else if (o && o->bbox) {
            snprintf(p.where_en, sizeof p.where_en, "Area %.4f-%.4f E, %.4f-%.4f N", p.area_b[0], p.area_b[2],
                     p.area_b[1], p.area_b[3]);
            snprintf(p.where_az, sizeof p.where_az, "Ərazi %.4f-%.4f E, %.4f-%.4f N", p.area_b[0], p.area_b[2],
                     p.area_b[1], p.area_b[3]);
        } else if (zones_box) {
            memcpy(p.area_b, zb, sizeof zb);
            snprintf(p.where_en, sizeof p.where_en, "All known danger zones");
            snprintf(p.where_az, sizeof p.where_az, "Bütün məlum təhlükə zonaları");
        } else {
            /* nothing to warn of: the districts, else the map, for the page to show */
            have_view = layer_extent(s, "districts", p.area_b) || layer_extent(s, "features", p.area_b);
            snprintf(p.where_en, sizeof p.where_en, "All districts");
            snprintf(p.where_az, sizeof p.where_az, "Bütün rayonlar");
        }
        if (have_view && (p.area_b[2] - p.area_b[0] < 0.002 || p.area_b[3] - p.area_b[1] < 0.002)) {
            double cx = (p.area_b[0] + p.area_b[2]) / 2, cy = (p.area_b[1] + p.area_b[3]) / 2;
            box_around(cx, cy, 500, p.area_b);
        }
        if (!have_view)
            box_around(0, 0, 1000, p.area_b); /* an empty frame that says so */
        layout(&p);
        if (!have_view)
            p.view[0] = p.view[2] = 0; /* no map drawn: the frame carries the words */
        else
            st = load_features(s, &p);
    }
    if (!st && p.have_zones && p.view[2] > p.view[0]) {
        p.n_area = count_zones(&p);
        if (p.n_area < 0)
            st = dm__wrap(ctx, "public map: counting zones");
    }
    if (!st) {
        /* written beside its name and renamed once whole */
        size_t n = strlen(path) + 6;
        char *tmp = dm_malloc(ctx, n);
        if (!tmp)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        else {
            snprintf(tmp, n, "%s.part", path);
            FILE *probe = fopen(tmp, "wb"); /* a clear word for a missing directory */
            if (!probe) {
                int e = errno;
                const char *slash = strrchr(path, '/');
                if (e == ENOENT && slash)
                    st = dm__fail(ctx, DM_EIO, "%s: cannot write the map: directory %.*s does not exist", path,
                                  (int)(slash - path > 0 ? slash - path : 1), path);
                else
                    st = dm__fail(ctx, DM_EIO, "%s: cannot write the map: %s", path, strerror(e));
            } else
                fclose(probe);
            char title[400];
            fmt_place(&p, title, sizeof title,
                      p.en ? "Danger from mines and unexploded ordnance" : "Mina və partlamamış hərbi sursat təhlükəsi");
            if (!st)
                st = write_pdf(&p, tmp, title);
            if (!st && rename(tmp, path) != 0)
                st = dm__fail(ctx, DM_EIO, "%s: cannot write the map: %s", path, strerror(errno));
            if (st)
                remove(tmp);
            dm_free(ctx, tmp);
        }
    }
    if (!st && n_zones)
        *n_zones = p.n_area;
    pub_free(&p);
    return st;
}
