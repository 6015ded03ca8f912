/* SPDX-License-Identifier: MIT
 *
 * hazard_report.c -- a hazard's completion report and handover certificate
 * (IMAS 08.30), an A4 PDF drawn with cairo from what hazard_data.c gathers:
 * the header, a map of the hazard with its release areas, finds, accidents
 * and numbered turning points; the land release figures; the turning points
 * in degrees and UTM; the activities and their quality control; the items
 * found; the accidents; the residual risk; the life cycle; and the
 * certificate page with the signatories' blocks, a draft while the hazard
 * is neither closed nor handed over. Long tables continue on the next page
 * under their heading. Drawn twice: once to count the pages, once to write.
 * Or the same as one HTML page: the map and its legend an embedded PNG drawn
 * by the same code, the sections' headings, paragraphs and tables written
 * as HTML by the same functions, and the certificate a section printed on a
 * page of its own.
 */
#include "report/hazard_internal.h"
#include "report/report_internal.h"

#include "demine/dm_report.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW 595.0
#define PH 842.0
#define ML 42.0
#define MR 42.0
#define MT 58.0
#define MB 56.0
#define TW (PW - ML - MR)
#define ROW_H 12.5

typedef struct col {
    const char *title;
    double w;
    int align; /* 0 left, 2 right */
} col;

typedef struct doc {
    cairo_t *cr;
    dm_buf *h;        /* the HTML page being written (NULL: drawing the PDF) */
    const hz_data *d;
    int en, az, draft;
    int page, pages;  /* this page, all of them (0 on the first pass) */
    int tp_page;      /* the page the turning points start on */
    double y;
    /* the table being drawn, its header repeated on a new page */
    const col *tc;
    int ntc;
    char tc_title[160];
    char section[160]; /* the heading last written (HTML) */
    /* the map on page 1 */
    double ox, oy, s, kx, fw, fh, view[4];
} doc;

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb C_HAZARD = {0.80, 0.10, 0.10};
static const rgb C_HAZFILL = {1.00, 0.86, 0.84};
/* by rank: cleared, reduced, cancelled, unknown */
static const rgb C_ROUTE[4] = {{0.20, 0.45, 0.85}, {0.96, 0.62, 0.12}, {0.30, 0.70, 0.30}, {0.6, 0.6, 0.6}};
static const rgb C_ITEM = {0.45, 0.10, 0.55};
static const rgb C_PAPER = {0.985, 0.975, 0.94};

static void set(cairo_t *cr, rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

/* ---- text ---------------------------------------------------------------- */

/* Text wrapped into width w (dm__rep_wrap), of up to 2999 bytes. */
static double wrap(cairo_t *cr, double x, double y, double w, double lh, const char *s, int draw)
{
    return dm__rep_wrap(cr, x, y, w, lh, s, 3000, draw);
}

/* "12,345" */
static const char *thousands(char *buf, size_t n, double v)
{
    char raw[40];
    snprintf(raw, sizeof raw, "%.0f", fabs(v) < 0.5 ? 0.0 : v);
    size_t len = strlen(raw), o = 0, lead = raw[0] == '-';
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        buf[o++] = raw[i];
        size_t left = len - i - 1;
        if (i >= lead && left && left % 3 == 0)
            buf[o++] = ',';
    }
    buf[o] = 0;
    return buf;
}

static const char *ha_text(char *buf, size_t n, double ha)
{
    snprintf(buf, n, "%.2f", fabs(ha) < 0.005 ? 0.0 : ha);
    return buf;
}

static const char *status_words(const char *s)
{
    return !strcmp(s, "partly_released") ? "partly released" : !strcmp(s, "handed_over") ? "handed over" : s;
}

static const char *type_words(const char *t)
{
    return !strcmp(t, "SHA") ? "suspected hazardous area (SHA)"
           : !strcmp(t, "CHA") ? "confirmed hazardous area (CHA)"
                               : t;
}

static void utm_name(int epsg, char *buf, size_t n)
{
    snprintf(buf, n, "UTM zone %d%s (EPSG:%d)", epsg % 100, epsg / 100 == 327 ? "S" : "N", epsg);
}

/* ---- pages ----------------------------------------------------------------- */

static void draw_table_head(doc *o);

static void page_frame(doc *o)
{
    cairo_t *cr = o->cr;
    const hz_data *d = o->d;
    char b[700];
    dm__rep_font(cr, 8, 0);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    snprintf(b, sizeof b, "Completion report - hazard %s%s%s", d->ref[0] ? d->ref : d->uuid, d->name[0] ? " - " : "",
             d->name);
    dm__rep_show(cr, ML, 30, b, 0, TW - 120);
    snprintf(b, sizeof b, "Report date %s", d->date);
    dm__rep_show(cr, PW - MR, 30, b, 2, 0);
    if (o->draft) {
        dm__rep_font(cr, 8, 1);
        cairo_set_source_rgb(cr, 0.80, 0.10, 0.10);
        dm__rep_show(cr, PW / 2, 42, "DRAFT - hazard not released", 1, 0);
    }
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, ML, 35);
    cairo_line_to(cr, PW - MR, 35);
    cairo_move_to(cr, ML, PH - MB + 16);
    cairo_line_to(cr, PW - MR, PH - MB + 16);
    cairo_stroke(cr);
    dm__rep_font(cr, 7.5, 0);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    dm__rep_show(cr, ML, PH - MB + 28, "demine " DM_VERSION_STRING " - IMAS 08.30 post-clearance documentation", 0, 0);
    if (o->pages)
        snprintf(b, sizeof b, "Page %d of %d", o->page, o->pages);
    else
        snprintf(b, sizeof b, "Page %d", o->page);
    dm__rep_show(cr, PW - MR, PH - MB + 28, b, 2, 0);
}

static void new_page(doc *o)
{
    if (o->page)
        cairo_show_page(o->cr);
    o->page++;
    page_frame(o);
    o->y = MT;
}

/* Room for h points more on this page, else a new page (with the header of
 * the table being drawn). */
static void need(doc *o, double h)
{
    if (o->y + h <= PH - MB)
        return;
    new_page(o);
    if (o->tc)
        draw_table_head(o);
}

/* HTML: s escaped between open and close tags */
static void html_el(doc *o, const char *open, const char *s, const char *close)
{
    dm__buf_puts(o->h, open);
    dm__html_esc(o->h, s);
    dm__buf_puts(o->h, close);
}

static void heading(doc *o, const char *s)
{
    o->tc = NULL;
    if (o->h) { /* with an id of its words: "Turning points" #turning-points */
        char id[160];
        size_t n = 0;
        for (const char *q = s; *q && n + 1 < sizeof id; q++)
            id[n++] = (*q >= 'A' && *q <= 'Z') ? (char)(*q - 'A' + 'a')
                      : ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')) ? *q
                                                                                : '-';
        id[n] = 0;
        dm__buf_printf(o->h, "<h2 id=\"%s\">", id);
        html_el(o, "", s, "</h2>\n");
        dm__strlcpy(o->section, s, sizeof o->section);
        return;
    }
    need(o, 60);
    o->y += 8;
    dm__rep_font(o->cr, 12, 1);
    cairo_set_source_rgb(o->cr, 0.10, 0.15, 0.30);
    dm__rep_show(o->cr, ML, o->y + 10, s, 0, TW);
    o->y += 18;
}

static void para(doc *o, const char *s, double size)
{
    if (o->h) {
        html_el(o, size < 8 ? "<p class=\"note\">" : "<p>", s, "</p>\n");
        return;
    }
    dm__rep_font(o->cr, size, 0);
    double lh = size * 1.35;
    double h = wrap(o->cr, ML, 0, TW, lh, s, 0);
    need(o, h);
    cairo_set_source_rgb(o->cr, 0.1, 0.1, 0.1);
    o->y = wrap(o->cr, ML, o->y + size, TW, lh, s, 1) - size + 3;
}

static void draw_table_head(doc *o)
{
    cairo_t *cr = o->cr;
    if (o->tc_title[0] && o->y > MT + 1) { /* continued under its name */
    } else if (o->tc_title[0]) {
        dm__rep_font(cr, 8, 0);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        char b[200];
        snprintf(b, sizeof b, "%s (continued)", o->tc_title);
        dm__rep_show(cr, ML, o->y + 8, b, 0, TW);
        o->y += 12;
    }
    cairo_set_source_rgb(cr, 0.88, 0.90, 0.94);
    cairo_rectangle(cr, ML, o->y, TW, ROW_H + 2);
    cairo_fill(cr);
    dm__rep_font(cr, 7.5, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.2);
    double x = ML;
    for (int i = 0; i < o->ntc; i++) {
        double pad = 3;
        dm__rep_show(cr, o->tc[i].align == 2 ? x + o->tc[i].w - pad : x + pad, o->y + 10, o->tc[i].title,
                     o->tc[i].align, o->tc[i].w - 2 * pad);
        x += o->tc[i].w;
    }
    o->y += ROW_H + 2;
}

static void table_start(doc *o, const char *title, const col *c, int n)
{
    o->tc = NULL;
    if (o->h) { /* its name, unless the heading above gives it */
        o->tc = c, o->ntc = n;
        dm__buf_puts(o->h, "<table>");
        if (title && *title && strcmp(title, o->section))
            html_el(o, "<caption>", title, "</caption>");
        dm__buf_puts(o->h, "<thead><tr>");
        for (int i = 0; i < n; i++)
            html_el(o, c[i].align == 2 ? "<th class=\"r\">" : "<th>", c[i].title, "</th>");
        dm__buf_puts(o->h, "</tr></thead>\n");
        return;
    }
    need(o, 3 * ROW_H + 4);
    o->tc = c, o->ntc = n;
    dm__strlcpy(o->tc_title, title ? title : "", sizeof o->tc_title);
    draw_table_head(o);
}

static void table_row(doc *o, const char *const *cells, int bold)
{
    if (o->h) {
        dm__buf_puts(o->h, bold ? "<tr class=\"b\">" : "<tr>");
        for (int i = 0; i < o->ntc; i++)
            html_el(o, o->tc[i].align == 2 ? "<td class=\"r\">" : "<td>", cells[i] ? cells[i] : "", "</td>");
        dm__buf_puts(o->h, "</tr>\n");
        return;
    }
    need(o, ROW_H);
    cairo_t *cr = o->cr;
    dm__rep_font(cr, 7.5, bold);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    double x = ML;
    for (int i = 0; i < o->ntc; i++) {
        double pad = 3;
        if (cells[i])
            dm__rep_show(cr, o->tc[i].align == 2 ? x + o->tc[i].w - pad : x + pad, o->y + 9, cells[i],
                         o->tc[i].align, o->tc[i].w - 2 * pad);
        x += o->tc[i].w;
    }
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, ML, o->y + ROW_H);
    cairo_line_to(cr, ML + TW, o->y + ROW_H);
    cairo_stroke(cr);
    o->y += ROW_H;
}

static void table_end(doc *o)
{
    o->tc = NULL;
    if (o->h)
        dm__buf_puts(o->h, "</table>\n");
    o->y += 6;
}

/* ---- the map --------------------------------------------------------------- */

static double X(const doc *o, double lon) { return o->ox + (lon - o->view[0]) * o->kx * o->s; }
static double Y(const doc *o, double lat) { return o->oy + (o->view[3] - lat) * o->s; }

static void fit_view(doc *o, const double a[4], double fw, double fh)
{
    rep_frame f;
    dm__rep_fit_view(&f, a, fw, fh, 0.08, 40);
    memcpy(o->view, f.view, sizeof o->view);
    o->s = f.s, o->kx = f.kx, o->fw = f.fw, o->fh = f.fh;
}

static void coords_path(doc *o, const dm_coords *c)
{
    for (size_t k = 0; k < c->n_parts; k++) {
        if (c->kind[k] < 2)
            continue;
        for (size_t v = c->start[k]; v < c->start[k + 1]; v++) {
            double x = X(o, c->xy[2 * v]), y = Y(o, c->xy[2 * v + 1]);
            if (v == c->start[k])
                cairo_move_to(o->cr, x, y);
            else
                cairo_line_to(o->cr, x, y);
        }
        cairo_close_path(o->cr);
    }
}

static void points_path(doc *o, const hz_point *p, const size_t *ring, size_t n_ring)
{
    for (size_t r = 0; r < n_ring; r++) {
        for (size_t v = ring[r]; v < ring[r + 1]; v++) {
            if (v == ring[r])
                cairo_move_to(o->cr, X(o, p[v].lon), Y(o, p[v].lat));
            else
                cairo_line_to(o->cr, X(o, p[v].lon), Y(o, p[v].lat));
        }
        cairo_close_path(o->cr);
    }
}

static rep_frame frame(const doc *o)
{
    return (rep_frame){o->ox, o->oy, o->fw, o->fh, {o->view[0], o->view[1], o->view[2], o->view[3]}, o->s, o->kx};
}

/* A label with a white halo. */
static void halo(cairo_t *cr, double x, double y, const char *s) { dm__rep_halo(cr, x, y, s, 2.2, 0.05); }

/* The numbers of the turning points, beside them away from the centre;
 * with many, every k-th. */
static void draw_tp_labels(doc *o, const hz_point *p, size_t n, const char *prefix, double side)
{
    cairo_t *cr = o->cr;
    if (!n)
        return;
    double cx = 0, cy = 0;
    for (size_t i = 0; i < n; i++)
        cx += X(o, p[i].lon), cy += Y(o, p[i].lat);
    cx /= (double)n, cy /= (double)n;
    size_t step = n > 60 ? (n + 59) / 60 : 1;
    dm__rep_font(cr, 6.5, 1);
    for (size_t i = 0; i < n; i += step) {
        double x = X(o, p[i].lon), y = Y(o, p[i].lat);
        cairo_new_path(cr);
        cairo_arc(cr, x, y, 1.6, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
        cairo_fill(cr);
        double dx = x - cx, dy = y - cy, len = hypot(dx, dy);
        if (len < 1e-6)
            dx = 1, dy = 0, len = 1;
        char b[16];
        snprintf(b, sizeof b, "%s%d", prefix, p[i].no);
        double w = dm__rep_text_w(cr, b);
        double lx = x + side * dx / len * 7 - w / 2, ly = y + side * dy / len * 7 + 2.5;
        halo(cr, lx, ly, b);
    }
}

static void line_path(doc *o, const dm_coords *c)
{
    for (size_t k = 0; k < c->n_parts; k++) {
        if (c->kind[k] == 0)
            continue;
        for (size_t v = c->start[k]; v < c->start[k + 1]; v++) {
            double x = X(o, c->xy[2 * v]), y = Y(o, c->xy[2 * v + 1]);
            if (v == c->start[k])
                cairo_move_to(o->cr, x, y);
            else
                cairo_line_to(o->cr, x, y);
        }
        if (c->kind[k] >= 2)
            cairo_close_path(o->cr);
    }
}

static int has_kind(const dm_coords *c, int lo, int hi)
{
    for (size_t k = 0; k < c->n_parts; k++)
        if (c->kind[k] >= lo && c->kind[k] <= hi)
            return 1;
    return 0;
}

/* Settlements, water, roads, tracks and buildings under the hazard, pale,
 * for finding the place; settlement names in italics. */
static void draw_features(doc *o)
{
    cairo_t *cr = o->cr;
    const hz_data *d = o->d;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t i = 0; i < d->n_feat; i++) { /* areas */
        const hz_feat *f = &d->feat[i];
        if (!has_kind(&f->c, 2, 3) || f->cls == HZ_F_ROAD || f->cls == HZ_F_TRACK)
            continue;
        cairo_new_path(cr);
        coords_path(o, &f->c);
        if (f->cls == HZ_F_SETTLEMENT)
            cairo_set_source_rgb(cr, 0.93, 0.88, 0.78);
        else if (f->cls == HZ_F_WATER)
            cairo_set_source_rgb(cr, 0.62, 0.78, 0.92);
        else
            cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
        cairo_fill(cr);
    }
    static const double dash[2] = {3, 2};
    for (size_t i = 0; i < d->n_feat; i++) { /* lines */
        const hz_feat *f = &d->feat[i];
        if (!has_kind(&f->c, 1, 1))
            continue;
        cairo_new_path(cr);
        line_path(o, &f->c);
        if (f->cls == HZ_F_WATER)
            cairo_set_source_rgb(cr, 0.45, 0.65, 0.88), cairo_set_line_width(cr, 2.0);
        else if (f->cls == HZ_F_ROAD)
            cairo_set_source_rgb(cr, 0.55, 0.50, 0.45), cairo_set_line_width(cr, 2.0);
        else if (f->cls == HZ_F_TRACK) {
            cairo_set_source_rgb(cr, 0.60, 0.48, 0.36), cairo_set_line_width(cr, 0.9);
            cairo_set_dash(cr, dash, 2, 0);
        } else
            continue;
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    for (size_t i = 0; i < d->n_feat; i++) { /* points */
        const hz_feat *f = &d->feat[i];
        if (!has_kind(&f->c, 0, 0) || (f->cls != HZ_F_SETTLEMENT && f->cls != HZ_F_BUILDING))
            continue;
        cairo_new_path(cr);
        cairo_arc(cr, X(o, f->cx), Y(o, f->cy), f->cls == HZ_F_SETTLEMENT ? 2.4 : 1.2, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_fill(cr);
    }
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_ITALIC, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 8);
    for (size_t i = 0; i < d->n_feat; i++) {
        const hz_feat *f = &d->feat[i];
        if (f->cls != HZ_F_SETTLEMENT || !f->name[0])
            continue;
        char b[128];
        const char *t = dm__rep_text(cr, f->name, 0, b, sizeof b);
        halo(cr, X(o, f->cx) + 4, Y(o, f->cy) - 4, t);
    }
}

static void draw_map(doc *o, double y, double h)
{
    cairo_t *cr = o->cr;
    const hz_data *d = o->d;
    o->ox = ML + 10, o->oy = y;
    fit_view(o, d->bounds, TW - 20, h);
    set(cr, C_PAPER);
    cairo_rectangle(cr, o->ox, o->oy, o->fw, o->fh);
    cairo_fill(cr);
    cairo_save(cr);
    cairo_rectangle(cr, o->ox, o->oy, o->fw, o->fh);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    draw_features(o);
    /* the hazard, then the land released over it, cleared on top */
    cairo_new_path(cr);
    coords_path(o, &d->poly);
    cairo_set_source_rgba(cr, C_HAZFILL.r, C_HAZFILL.g, C_HAZFILL.b, 0.75); /* roads across it show */
    cairo_fill(cr);
    for (int rank = 3; rank >= 0; rank--)
        for (size_t i = 0; i < d->n_rel; i++) {
            if (d->rel[i].rank != rank)
                continue;
            cairo_new_path(cr);
            coords_path(o, &d->rel[i].c);
            cairo_set_source_rgba(cr, C_ROUTE[rank].r, C_ROUTE[rank].g, C_ROUTE[rank].b, 0.55);
            cairo_fill_preserve(cr);
            set(cr, C_ROUTE[rank]);
            cairo_set_line_width(cr, 0.6);
            cairo_stroke(cr);
        }
    /* the land remaining, dashed */
    if (d->n_rp) {
        cairo_new_path(cr);
        points_path(o, d->rp, d->rp_ring, d->n_rring);
        set(cr, C_HAZARD);
        cairo_set_line_width(cr, 1.0);
        double dash[2] = {4, 2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_new_path(cr);
    coords_path(o, &d->poly);
    set(cr, C_HAZARD);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
    /* finds and accidents */
    for (size_t i = 0; i < d->n_item; i++) {
        if (isnan(d->item[i].lon))
            continue;
        cairo_new_path(cr);
        cairo_arc(cr, X(o, d->item[i].lon), Y(o, d->item[i].lat), 2.6, 0, 2 * M_PI);
        set(cr, C_ITEM);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
    }
    for (size_t i = 0; i < d->n_acc; i++) {
        double x = X(o, d->acc[i].lon), yy = Y(o, d->acc[i].lat), r = 4.5;
        for (int pass = 0; pass < 2; pass++) {
            cairo_new_path(cr);
            cairo_move_to(cr, x - r, yy - r);
            cairo_line_to(cr, x + r, yy + r);
            cairo_move_to(cr, x - r, yy + r);
            cairo_line_to(cr, x + r, yy - r);
            if (pass)
                cairo_set_source_rgb(cr, 0.85, 0.0, 0.0);
            else
                cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, pass ? 1.6 : 3.2);
            cairo_stroke(cr);
        }
    }
    draw_tp_labels(o, d->tp, d->n_tp, "", 1);
    if (d->n_rp) /* inside, so as not to cover the hazard's numbers */
        draw_tp_labels(o, d->rp, d->n_rp, "R", -1.4);
    cairo_restore(cr);
    rep_frame f = frame(o);
    dm__rep_map_grid(cr, &f, &(rep_grid_style){.font = 6.5, .alpha = 0.5, .below = 8, .step_min = 0.0005, .step_max = 1,
                                               .min_decimals = 1});
    dm__rep_map_scale(cr, &f);
    dm__rep_map_north(cr, &f);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, o->ox, o->oy, o->fw, o->fh);
    cairo_stroke(cr);
}

/* One swatch of the legend at x; returns the x after it. */
static double legend_item(doc *o, double x, double *yp, int kind, rgb c, const char *s)
{
    cairo_t *cr = o->cr;
    dm__rep_font(cr, 7.5, 0);
    if (x + 28 + dm__rep_text_w(cr, s) > PW - MR) /* on the next line */
        x = ML + 10, *yp += 12;
    double y = *yp;
    cairo_new_path(cr);
    if (kind == 0) { /* area */
        cairo_rectangle(cr, x, y - 7, 12, 8);
        cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.55);
        cairo_fill_preserve(cr);
        set(cr, c);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
    } else if (kind == 1) { /* outline */
        cairo_rectangle(cr, x, y - 7, 12, 8);
        set(cr, C_HAZFILL);
        cairo_fill_preserve(cr);
        set(cr, c);
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
    } else if (kind == 2) { /* point */
        cairo_arc(cr, x + 6, y - 3, 2.2, 0, 2 * M_PI);
        set(cr, c);
        cairo_fill(cr);
    } else if (kind == 3) { /* cross */
        cairo_move_to(cr, x + 2, y - 7);
        cairo_line_to(cr, x + 10, y + 1);
        cairo_move_to(cr, x + 2, y + 1);
        cairo_line_to(cr, x + 10, y - 7);
        set(cr, c);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
    } else { /* dashed */
        double dash[2] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_rectangle(cr, x, y - 7, 12, 8);
        set(cr, c);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    dm__rep_font(cr, 7.5, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    return x + 16 + dm__rep_show(cr, x + 16, y, s, 0, 0) + 12;
}

/* The legend from y; returns the y of its last line. */
static double draw_legend(doc *o, double y)
{
    double x = ML + 10;
    x = legend_item(o, x, &y, 1, C_HAZARD, "hazard polygon");
    x = legend_item(o, x, &y, 0, C_ROUTE[2], "cancelled");
    x = legend_item(o, x, &y, 0, C_ROUTE[1], "reduced");
    x = legend_item(o, x, &y, 0, C_ROUTE[0], "cleared");
    if (o->d->n_rp)
        x = legend_item(o, x, &y, 4, C_HAZARD, "land remaining (R1, R2...)");
    x = legend_item(o, x, &y, 2, C_ITEM, "item found");
    x = legend_item(o, x, &y, 3, (rgb){0.85, 0, 0}, "accident");
    dm__rep_font(o->cr, 7.5, 0);
    if (x + dm__rep_text_w(o->cr, "1, 2...: turning points") > PW - MR)
        x = ML + 10, y += 12;
    cairo_set_source_rgb(o->cr, 0.1, 0.1, 0.1);
    dm__rep_show(o->cr, x, y, "1, 2...: turning points", 0, 0);
    return y;
}

/* ---- the sections ------------------------------------------------------------ */

static void kv(doc *o, double x, double y, const char *k, const char *v, double w)
{
    dm__rep_font(o->cr, 8, 1);
    cairo_set_source_rgb(o->cr, 0.3, 0.3, 0.35);
    dm__rep_show(o->cr, x, y, k, 0, 0);
    dm__rep_font(o->cr, 8.5, 0);
    cairo_set_source_rgb(o->cr, 0.05, 0.05, 0.05);
    dm__rep_show(o->cr, x + 78, y, v && *v ? v : "-", 0, w - 80);
}

/* The header's fields: type, status, district, settlement, ordnance,
 * reported, organisation and report date (two a line), then the
 * coordinates and the uuid (a line each). */
typedef struct field {
    const char *k;
    char v[300];
} field;

static void header_fields(const hz_data *d, field f[10])
{
    char t[200];
    f[0].k = "Type", f[1].k = "Status", f[2].k = "District", f[3].k = "Settlement", f[4].k = "Ordnance";
    f[5].k = "Reported", f[6].k = "Organisation", f[7].k = "Report date", f[8].k = "Coordinates";
    f[9].k = "Hazard uuid";
    dm__strlcpy(f[0].v, type_words(d->type), sizeof f[0].v);
    snprintf(f[1].v, sizeof f[1].v, "%s%s%s", status_words(d->status), d->status_date[0] ? " since " : "",
             d->status_date);
    dm__strlcpy(f[2].v, d->district, sizeof f[2].v);
    dm__strlcpy(f[3].v, d->settlement, sizeof f[3].v);
    dm__strlcpy(f[4].v, d->ordnance, sizeof f[4].v);
    dm__strlcpy(f[5].v, d->reported, sizeof f[5].v);
    dm__strlcpy(f[6].v, d->organisation, sizeof f[6].v);
    dm__strlcpy(f[7].v, d->date, sizeof f[7].v);
    utm_name(d->utm_epsg, t, sizeof t);
    snprintf(f[8].v, sizeof f[8].v, "WGS 84 (degrees); %s (metres)", t);
    dm__strlcpy(f[9].v, d->uuid, sizeof f[9].v);
}

static void header(doc *o)
{
    cairo_t *cr = o->cr;
    const hz_data *d = o->d;
    char b[600];
    field f[10];
    header_fields(d, f);
    snprintf(b, sizeof b, "Hazard completion report: %s", d->ref[0] ? d->ref : d->uuid);
    if (o->h) {
        html_el(o, "<h1>", b, "</h1>\n");
        if (d->name[0])
            html_el(o, "<p class=\"name\">", d->name, "</p>\n");
        dm__buf_puts(o->h, "<table class=\"kv\">\n");
        for (int i = 0; i < 10; i++) {
            html_el(o, i < 8 && i % 2 ? "<th>" : "<tr><th>", f[i].k, "</th>");
            html_el(o, i < 8 ? "<td>" : "<td colspan=\"3\">", f[i].v[0] ? f[i].v : "-",
                    i < 8 && !(i % 2) ? "</td>" : "</td></tr>\n");
        }
        dm__buf_puts(o->h, "</table>\n");
        return;
    }
    dm__rep_font(cr, 17, 1);
    cairo_set_source_rgb(cr, 0.10, 0.15, 0.30);
    dm__rep_show(cr, ML, o->y + 16, b, 0, TW);
    o->y += 24;
    if (d->name[0]) {
        dm__rep_font(cr, 11, 0);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        dm__rep_show(cr, ML, o->y + 10, d->name, 0, TW);
        o->y += 16;
    }
    double cw = TW / 2, y = o->y + 10;
    for (int i = 0; i < 8; i += 2, y += 12) {
        kv(o, ML, y, f[i].k, f[i].v, cw);
        kv(o, ML + cw, y, f[i + 1].k, f[i + 1].v, cw);
    }
    kv(o, ML, y, f[8].k, f[8].v, TW);
    y += 12;
    kv(o, ML, y, f[9].k, f[9].v, TW);
    o->y = y + 8;
}

static void area_row(doc *o, const char *what, double ha, double est, int bold)
{
    char a[32], m[40], sh[24];
    ha_text(a, sizeof a, ha);
    thousands(m, sizeof m, ha * 10000);
    if (est > 0)
        snprintf(sh, sizeof sh, "%.1f %%", 100 * ha / est);
    else
        snprintf(sh, sizeof sh, "-");
    const char *cells[4] = {what, a, m, sh};
    table_row(o, cells, bold);
}

static void land_release(doc *o)
{
    const hz_data *d = o->d;
    static const col c[] = {{"Land", 250, 0}, {"hectares", 80, 2}, {"square metres", 100, 2}, {"of estimate", 81, 2}};
    table_start(o, "Land release", c, 4);
    area_row(o, "Estimated (the hazard's area)", d->est_ha, d->est_ha, 1);
    area_row(o, "Cancelled by non-technical survey", d->route_ha[2], d->est_ha, 0);
    area_row(o, "Reduced by technical survey", d->route_ha[1], d->est_ha, 0);
    area_row(o, "Cleared", d->route_ha[0], d->est_ha, 0);
    if (d->unknown_ha > 0.005)
        area_row(o, "Released, outcome not recorded", d->unknown_ha, d->est_ha, 0);
    area_row(o, d->remaining_stored ? "Remaining (as recorded)" : "Remaining (estimate less land released)",
             d->remaining_ha, d->est_ha, 1);
    double diff = d->est_ha - d->released_ha - d->remaining_ha;
    if (fabs(diff) >= 0.005)
        area_row(o, diff > 0 ? "Not accounted for by release areas" : "Released and remaining beyond the estimate",
                 diff, d->est_ha, 0);
    table_end(o);
    para(o,
         "Released land is the release areas' polygons (approved activities only) within the hazard, each "
         "hectare counted once (cleared over reduced over cancelled), as demine stats counts it.",
         7);
}

static void tp_table(doc *o, const char *title, const hz_point *p, const size_t *ring, size_t n_ring,
                     const char *prefix)
{
    static const col c[] = {{"No", 34, 0},          {"Latitude", 72, 2},        {"Longitude", 72, 2},
                            {"Easting (m)", 80, 2}, {"Northing (m)", 88, 2},    {"To next (m)", 75, 2},
                            {"Bearing (° true)", 90, 2}};
    table_start(o, title, c, 7);
    for (size_t r = 0; r < n_ring; r++) {
        if (n_ring > 1) {
            char b[64];
            snprintf(b, sizeof b, "Part %zu", r + 1);
            const char *cells[7] = {b, NULL, NULL, NULL, NULL, NULL, NULL};
            table_row(o, cells, 1);
        }
        for (size_t v = ring[r]; v < ring[r + 1]; v++) {
            char no[16], la[24], lo[24], e[24], n[24], dist[24], br[24];
            snprintf(no, sizeof no, "%s%d", prefix, p[v].no);
            snprintf(la, sizeof la, "%.6f", p[v].lat);
            snprintf(lo, sizeof lo, "%.6f", p[v].lon);
            snprintf(e, sizeof e, "%.1f", p[v].e);
            snprintf(n, sizeof n, "%.1f", p[v].n);
            snprintf(dist, sizeof dist, "%.1f", p[v].dist);
            snprintf(br, sizeof br, "%.1f", p[v].bearing);
            const char *cells[7] = {no, la, lo, e, n, dist, br};
            table_row(o, cells, 0);
        }
    }
    table_end(o);
}

static void turning_points(doc *o)
{
    const hz_data *d = o->d;
    char t[120], b[400];
    heading(o, "Turning points");
    o->tp_page = o->page;
    utm_name(d->utm_epsg, t, sizeof t);
    snprintf(b, sizeof b,
             "The vertices of the hazard's polygon, numbered as on the map, in WGS 84 degrees and in %s. "
             "Distance and true bearing to the next point of the same part; the last point returns to the "
             "first.",
             t);
    para(o, b, 8);
    tp_table(o, "Turning points of the hazard", d->tp, d->tp_ring, d->n_ring, "");
    if (d->n_rp) {
        para(o,
             "The land remaining: the hazard's polygon less the release areas (outline simplified to 0.5 m), "
             "numbered R1, R2... on the map.",
             8);
        tp_table(o, "Turning points of the land remaining", d->rp, d->rp_ring, d->n_rring, "R");
    }
}

static const char *dates(char *b, size_t n, const hz_activity *a)
{
    snprintf(b, n, "%s - %s", a->start[0] ? a->start : "?", a->end[0] ? a->end : "open");
    return b;
}

static const char *ha_or_dash(char *b, size_t n, double v)
{
    if (v < 0)
        snprintf(b, n, "-");
    else
        ha_text(b, n, v);
    return b;
}

static const char *act_ref(const hz_data *d, const char *uuid)
{
    for (size_t i = 0; i < d->n_act; i++)
        if (!strcmp(d->act[i].uuid, uuid))
            return d->act[i].ref[0] ? d->act[i].ref : d->act[i].uuid;
    return uuid;
}

static void pending_note(doc *o)
{
    const hz_data *d = o->d;
    if (!d->n_pending)
        return;
    char b[500];
    snprintf(b, sizeof b,
             "%ld field report%s on this hazard await%s review (%s%s) and %s not counted here: demine reports DB.",
             d->n_pending, d->n_pending == 1 ? "" : "s", d->n_pending == 1 ? "s" : "", d->pending,
             d->n_pending > 5 ? ", ..." : "", d->n_pending == 1 ? "is" : "are");
    para(o, b, 8);
}

static void activities(doc *o)
{
    const hz_data *d = o->d;
    heading(o, "Activities");
    if (!d->n_work) {
        para(o, "No approved activity on this hazard is recorded.", 8.5);
        pending_note(o);
        return;
    }
    static const col c[] = {{"Ref", 64, 0},         {"Type", 50, 0},    {"Organisation", 82, 0},
                            {"Start - end", 106, 0}, {"Methods", 73, 0}, {"Canc.", 34, 2},
                            {"Red.", 34, 2},         {"Clr.", 34, 2},    {"Items", 34, 2}};
    table_start(o, "Activities", c, 9);
    double sum[3] = {0, 0, 0};
    long items = 0;
    for (size_t i = 0; i < d->n_work; i++) {
        const hz_activity *a = &d->act[i];
        char dt[40], ca[16], re[16], cl[16], it[16];
        ha_or_dash(ca, sizeof ca, a->cancelled);
        ha_or_dash(re, sizeof re, a->reduced);
        ha_or_dash(cl, sizeof cl, a->cleared);
        snprintf(it, sizeof it, "%ld", a->items);
        const char *cells[9] = {a->ref[0] ? a->ref : a->uuid, a->type, a->org, dates(dt, sizeof dt, a), a->method,
                                ca, re, cl, it};
        table_row(o, cells, 0);
        sum[0] += fmax(a->cancelled, 0), sum[1] += fmax(a->reduced, 0), sum[2] += fmax(a->cleared, 0);
        items += a->items;
    }
    char ca[16], re[16], cl[16], it[16];
    snprintf(it, sizeof it, "%ld", items);
    const char *cells[9] = {"Total", NULL, NULL, NULL, NULL, ha_text(ca, sizeof ca, sum[0]),
                            ha_text(re, sizeof re, sum[1]), ha_text(cl, sizeof cl, sum[2]), it};
    table_row(o, cells, 1);
    table_end(o);
    para(o, "Hectares cancelled, reduced and cleared as each activity records them (they may differ from its "
            "release areas' polygons); items: those it found, counted by quantity.",
         7);
    pending_note(o);
}

static void inspections(doc *o)
{
    const hz_data *d = o->d;
    heading(o, "Quality control");
    if (d->n_act == d->n_work) {
        para(o, "No quality control inspection (activity of type qc) of these activities is recorded.", 8.5);
        return;
    }
    static const col c[] = {{"Inspection", 70, 0},  {"Inspects", 70, 0}, {"Organisation", 80, 0},
                            {"Start - end", 106, 0}, {"Methods", 60, 0}, {"Items", 50, 2},
                            {"Result", 75, 0}};
    table_start(o, "Quality control", c, 7);
    for (size_t i = d->n_work; i < d->n_act; i++) {
        const hz_activity *a = &d->act[i];
        char dt[40], it[16];
        snprintf(it, sizeof it, "%ld", a->items);
        const char *cells[7] = {a->ref[0] ? a->ref : a->uuid,
                                act_ref(d, a->inspects),
                                a->org,
                                dates(dt, sizeof dt, a),
                                a->method,
                                it,
                                a->items ? "failed" : "passed"};
        table_row(o, cells, 0);
    }
    table_end(o);
    para(o, "An inspection fails when it finds any item the task missed (IMAS 09.20, zero defects).", 7);
}

typedef struct grp {
    const char *cat, *model, *fate;
    long n;
} grp;

static int cmp_grp(const void *x, const void *y)
{
    const grp *a = x, *b = y;
    int c = strcmp(a->cat, b->cat);
    if (!c)
        c = strcmp(a->model, b->model);
    return c ? c : strcmp(a->fate, b->fate);
}

static void items(doc *o)
{
    const hz_data *d = o->d;
    char b[200];
    heading(o, "Items found");
    if (!d->n_item) {
        para(o, "No explosive ordnance found in this hazard is recorded.", 8.5);
        return;
    }
    grp *g = dm_calloc(d->ctx, d->n_item, sizeof *g);
    if (!g)
        return;
    size_t ng = 0;
    for (size_t i = 0; i < d->n_item; i++) {
        const hz_item *it = &d->item[i];
        size_t k = 0;
        while (k < ng && (strcmp(g[k].cat, it->category) || strcmp(g[k].model, it->model) ||
                          strcmp(g[k].fate, it->fate)))
            k++;
        if (k == ng)
            g[ng++] = (grp){it->category, it->model, it->fate, 0};
        g[k].n += it->qty;
    }
    qsort(g, ng, sizeof *g, cmp_grp);
    snprintf(b, sizeof b, "%ld item%s found at %zu point%s.", d->items_total, d->items_total == 1 ? "" : "s",
             d->n_item, d->n_item == 1 ? "" : "s");
    para(o, b, 8.5);
    static const col c[] = {{"Category", 90, 0}, {"Model", 160, 0}, {"Fate", 180, 0}, {"Count", 81, 2}};
    table_start(o, "Items found", c, 4);
    for (size_t k = 0; k < ng; k++) {
        char n[24];
        snprintf(n, sizeof n, "%ld", g[k].n);
        const char *cells[4] = {g[k].cat, g[k].model[0] ? g[k].model : "(not recorded)",
                                g[k].fate[0] ? g[k].fate : "(not recorded)", n};
        table_row(o, cells, 0);
    }
    table_end(o);
    dm_free(d->ctx, g);
    if (d->n_item > 15)
        return;
    static const col l[] = {{"No", 30, 0},       {"Category", 60, 0},  {"Model", 110, 0}, {"Fate", 110, 0},
                            {"Quantity", 50, 2}, {"Latitude", 75, 2}, {"Longitude", 76, 2}};
    table_start(o, "Items found, each", l, 7);
    for (size_t i = 0; i < d->n_item; i++) {
        const hz_item *it = &d->item[i];
        char no[24], q[24], la[32], lo[32];
        snprintf(no, sizeof no, "%zu", i + 1);
        snprintf(q, sizeof q, "%ld", it->qty);
        snprintf(la, sizeof la, isnan(it->lat) ? "-" : "%.6f", it->lat);
        snprintf(lo, sizeof lo, isnan(it->lon) ? "-" : "%.6f", it->lon);
        const char *cells[7] = {no, it->category, it->model, it->fate, q, la, lo};
        table_row(o, cells, 0);
    }
    table_end(o);
}

static void accidents(doc *o)
{
    const hz_data *d = o->d;
    heading(o, "Accidents in or near the hazard");
    if (!d->n_acc) {
        para(o, "No accident within 100 m of the hazard's polygon is recorded.", 8.5);
        return;
    }
    static const col c[] = {{"Ref", 80, 0},    {"Date", 58, 0},    {"Device", 90, 0},
                            {"Killed", 42, 2}, {"Injured", 44, 2}, {"Victims", 72, 2},
                            {"Kind", 60, 0},   {"Distance", 65, 2}};
    table_start(o, "Accidents", c, 8);
    long k = 0, in = 0;
    for (size_t i = 0; i < d->n_acc; i++) {
        const hz_accident *a = &d->acc[i];
        char ki[16], inj[16], vi[16], di[24];
        snprintf(ki, sizeof ki, "%ld", a->killed);
        snprintf(inj, sizeof inj, "%ld", a->injured);
        snprintf(vi, sizeof vi, "%ld", a->victims);
        if (a->dist_m < 0.5)
            snprintf(di, sizeof di, "inside");
        else
            snprintf(di, sizeof di, "%.0f m", a->dist_m);
        const char *cells[8] = {a->ref[0] ? a->ref : "-", a->date, a->device, ki, inj, vi,
                                a->demining ? "demining" : "civilian", di};
        table_row(o, cells, 0);
        k += a->killed, in += a->injured;
    }
    table_end(o);
    char b[160];
    snprintf(b, sizeof b, "%zu accident%s within 100 m: %ld killed, %ld injured.", d->n_acc, d->n_acc == 1 ? "" : "s",
             k, in);
    para(o, b, 8);
}

static void residual(doc *o)
{
    const hz_data *d = o->d;
    char b[600];
    heading(o, "Residual risk");
    if (isnan(d->p_contam) && isnan(d->expected_items))
        snprintf(b, sizeof b,
                 "No risk map: the risk map has not been written back to this hazard (demine risk map DB).");
    else {
        int o_ = 0;
        o_ += snprintf(b + o_, sizeof b - (size_t)o_, "From the risk map written back to the hazard: ");
        if (!isnan(d->p_contam))
            o_ += snprintf(b + o_, sizeof b - (size_t)o_, "probability that it still holds any item %.1f %%",
                           100 * d->p_contam);
        if (!isnan(d->expected_items))
            snprintf(b + o_, sizeof b - (size_t)o_, "%sexpected items remaining %.2f", isnan(d->p_contam) ? "" : "; ",
                     d->expected_items);
        dm__strlcpy(b + strlen(b), ".", sizeof b - strlen(b));
    }
    para(o, b, 8.5);
}

static void life_cycle(doc *o)
{
    const hz_data *d = o->d;
    heading(o, "Life cycle");
    if (!d->n_hist) {
        para(o, "No status change is recorded.", 8.5);
        return;
    }
    static const col c[] = {{"Date", 60, 0}, {"From", 80, 0}, {"To", 80, 0}, {"Reason", 221, 0}, {"By", 70, 0}};
    table_start(o, "Life cycle", c, 5);
    for (size_t i = 0; i < d->n_hist; i++) {
        const hz_status *h = &d->hist[i];
        const char *cells[5] = {h->date, h->from[0] ? status_words(h->from) : "-", status_words(h->to), h->reason,
                                h->author};
        table_row(o, cells, 0);
    }
    table_end(o);
}

/* ---- the certificate ---------------------------------------------------------- */

/* Bilingual text: the English and Azerbaijani forms as the languages chosen. */
static void both(const doc *o, char *out, size_t n, const char *en, const char *az)
{
    if (o->en && o->az)
        snprintf(out, n, "%s / %s", en, az);
    else
        snprintf(out, n, "%s", o->az ? az : en);
}

/* The signatories: for whom each signs, and the lines of a block. */
static const struct {
    const char *en, *az;
} signers[3] = {
    {"For the operator", "İcraçı təşkilat adından"},
    {"For the national authority (quality assurance)", "Milli orqan adından (keyfiyyət təminatı)"},
    {"For the local authority / land user", "Yerli icra hakimiyyəti / torpaq istifadəçisi adından"},
};
static const char *const sign_en[4] = {"Name", "Position", "Signature", "Date"};
static const char *const sign_az[4] = {"Ad, soyad", "Vəzifə", "İmza", "Tarix"};

/* The organisation of the last activity that released land, else the
 * hazard's own. */
static const char *operator_org(const hz_data *d)
{
    for (size_t i = d->n_work; i-- > 0;)
        if (d->act[i].org[0] && strcmp(d->act[i].type, "qc"))
            return d->act[i].org;
    return d->organisation;
}

/* What the certificate says, in the languages chosen, as the PDF draws it
 * and the HTML page writes it: the PDF names the page of the turning
 * points, the HTML page (whose pages are the browser's) the report. */
typedef struct cert_txt {
    char sub[200];
    char draft[120], remains[2400]; /* the draft's notice and what remains ("" when released) */
    char key[4][120], val[4][500];  /* hazard, district, area, boundary */
    char en[2400], az[2400];        /* the release in English, in Azerbaijani ("" when not chosen) */
} cert_txt;

static void cert_texts(const doc *o, cert_txt *c)
{
    const hz_data *d = o->d;
    char e[40], ca[32], re[32], cl[32], rm[32], where_en[80], where_az[80];
    const char *ref = d->ref[0] ? d->ref : d->uuid;
    memset(c, 0, sizeof *c);
    both(o, c->sub, sizeof c->sub, "Land released from a hazardous area (IMAS 08.30)",
         "Təhlükəli ərazidən azad edilmiş torpaq (IMAS 08.30)");
    if (o->draft) {
        both(o, c->draft, sizeof c->draft, "DRAFT - hazard not released", "LAYİHƏ - ərazi azad edilməyib");
        int n_open = 0;
        char open[600] = "";
        size_t ol = 0;
        for (size_t i = 0; i < d->n_act; i++)
            if (!d->act[i].end[0] || strcmp(d->act[i].end, d->date) > 0) {
                if (n_open++ < 8 && ol < sizeof open)
                    ol += (size_t)snprintf(open + ol, sizeof open - ol, "%s%s (%s)", ol ? ", " : "",
                                           d->act[i].ref[0] ? d->act[i].ref : d->act[i].uuid, d->act[i].type);
            }
        if (n_open > 8 && ol < sizeof open)
            snprintf(open + ol, sizeof open - ol, " and %d more", n_open - 8);
        if (o->en)
            snprintf(c->remains, sizeof c->remains,
                     "The hazard is %s, not closed or handed over: this certificate cannot be signed yet. What "
                     "remains: %s ha (%s m²) to release; open activities: %s%s%s.",
                     status_words(d->status), ha_text(rm, sizeof rm, d->remaining_ha),
                     thousands(e, sizeof e, d->remaining_ha * 10000), n_open ? open : "none",
                     d->n_pending ? "; field reports awaiting review: " : "", d->n_pending ? d->pending : "");
        else
            snprintf(c->remains, sizeof c->remains,
                     "Ərazi hələ bağlanmayıb və təhvil verilməyib (status: %s): bu akt hələ imzalana bilməz. "
                     "Qalan: %s ha (%s m²) azad edilməlidir; açıq fəaliyyətlər: %s%s%s.",
                     d->status, ha_text(rm, sizeof rm, d->remaining_ha),
                     thousands(e, sizeof e, d->remaining_ha * 10000), n_open ? open : "yoxdur",
                     d->n_pending ? "; baxılmağı gözləyən sahə hesabatları: " : "", d->n_pending ? d->pending : "");
    }
    /* the land */
    both(o, c->key[0], sizeof c->key[0], "Hazard", "Təhlükəli ərazi");
    both(o, c->key[1], sizeof c->key[1], "District, settlement", "Rayon, yaşayış məntəqəsi");
    both(o, c->key[2], sizeof c->key[2], "Area", "Sahə");
    both(o, c->key[3], sizeof c->key[3], "Boundary", "Sərhəd");
    snprintf(c->val[0], sizeof c->val[0], "%s%s%s (%s)", ref, d->name[0] ? " - " : "", d->name, d->type);
    snprintf(c->val[1], sizeof c->val[1], "%s%s%s", d->district[0] ? d->district : "-", d->settlement[0] ? ", " : "",
             d->settlement);
    snprintf(c->val[2], sizeof c->val[2], "%s ha (%s m²)", ha_text(rm, sizeof rm, d->est_ha),
             thousands(e, sizeof e, d->est_ha * 10000));
    if (o->h) {
        snprintf(where_en, sizeof where_en, "in this report");
        snprintf(where_az, sizeof where_az, "bu hesabatda");
        if (o->en)
            snprintf(c->val[3], sizeof c->val[3], "%zu turning points, listed in this report", d->n_tp);
        else
            snprintf(c->val[3], sizeof c->val[3], "%zu dönüş nöqtəsi, bu hesabatda", d->n_tp);
    } else {
        snprintf(where_en, sizeof where_en, "on page %d of this report", o->tp_page);
        snprintf(where_az, sizeof where_az, "bu hesabatın %d-ci səhifəsində", o->tp_page);
        if (o->en)
            snprintf(c->val[3], sizeof c->val[3], "%zu turning points, page %d of this report", d->n_tp, o->tp_page);
        else
            snprintf(c->val[3], sizeof c->val[3], "%zu dönüş nöqtəsi, bu hesabatın %d-ci səhifəsi", d->n_tp,
                     o->tp_page);
    }
    ha_text(ca, sizeof ca, d->route_ha[2]);
    ha_text(re, sizeof re, d->route_ha[1]);
    ha_text(cl, sizeof cl, d->route_ha[0]);
    if (o->en)
        snprintf(c->en, sizeof c->en,
                 "The land described above, hazard %s, of %s ha, bounded by the turning points listed %s, has "
                 "been released in accordance with the national mine action standards: %s ha cancelled by "
                 "non-technical survey, %s ha reduced by technical survey and %s ha cleared. To the best of the "
                 "knowledge of the undersigned, after all reasonable effort, no explosive ordnance remains on it. "
                 "It is handed over to the local authority and the land user for its use.",
                 ref, ha_text(rm, sizeof rm, d->est_ha), where_en, ca, re, cl);
    if (o->az)
        snprintf(c->az, sizeof c->az,
                 "Yuxarıda təsvir olunan, %s "
                 "göstərilən dönüş nöqtələri ilə "
                 "müəyyən edilən %s ha sahəli %s təhlükəli "
                 "ərazisi milli mina əleyhinə fəaliyyət standartlarına "
                 "uyğun olaraq azad edilmişdir: %s ha qeyri-texniki tədqiqatla ləğv "
                 "edilmiş, %s ha texniki tədqiqatla azaldılmış, %s ha "
                 "təmizlənmişdir. İmza edənlərin bildiyinə "
                 "görə, bütün ağlabətan səylərdən "
                 "sonra bu ərazidə partlayıcı sursat qalmamışdır. "
                 "Ərazi istifadə üçün yerli icra hakimiyyətinə və "
                 "torpaq istifadəçisinə təhvil verilir.",
                 where_az, ha_text(rm, sizeof rm, d->est_ha), ref, ca, re, cl);
}

static void sign_block(doc *o, double x, double y, double w, int who, const char *pre)
{
    cairo_t *cr = o->cr;
    const char *en = signers[who].en, *az = signers[who].az;
    char b[300];
    dm__rep_font(cr, 9, 1);
    cairo_set_source_rgb(cr, 0.10, 0.15, 0.30);
    if (o->en && o->az) {
        dm__rep_show(cr, x, y, en, 0, w);
        dm__rep_font(cr, 8, 0);
        dm__rep_show(cr, x, y + 10, az, 0, w);
        y += 10;
    } else {
        const char *one = o->az ? az : en;
        if (dm__rep_text_w(cr, one) > w) /* a long title in a smaller type, not cut */
            dm__rep_font(cr, 9 * w / dm__rep_text_w(cr, one) > 7 ? 9 * w / dm__rep_text_w(cr, one) : 7, 1);
        dm__rep_show(cr, x, y, one, 0, w);
    }
    y += 6;
    for (int i = 0; i < 4; i++) {
        y += 24;
        both(o, b, sizeof b, sign_en[i], sign_az[i]);
        dm__rep_font(cr, 7, 0);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        dm__rep_show(cr, x, y + 9, b, 0, w);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_set_line_width(cr, 0.6);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + w, y);
        cairo_stroke(cr);
        if (i == 0 && pre && *pre) {
            dm__rep_font(cr, 8, 0);
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            snprintf(b, sizeof b, "(%s)", pre);
            dm__rep_show(cr, x, y - 3, b, 0, w);
        }
    }
}

/* The certificate as a section of the HTML page, printed on a page of its
 * own; in Azerbaijani alone it says so (lang). */
static void certificate_html(doc *o, const cert_txt *c)
{
    const hz_data *d = o->d;
    char b[300];
    dm__buf_puts(o->h, o->en ? "<section class=\"cert\">\n" : "<section class=\"cert\" lang=\"az\">\n");
    if (o->draft) /* the watermark, under the text */
        html_el(o, "<div class=\"wm\" aria-hidden=\"true\">", o->en ? "DRAFT" : "LAYİHƏ", "</div>\n");
    if (o->en)
        html_el(o, "<h2 id=\"certificate\">", "Handover certificate", "</h2>\n");
    if (o->az)
        html_el(o, o->en ? "<p class=\"t2\">" : "<h2 id=\"certificate\">", "Təhvil-təslim aktı",
                o->en ? "</p>\n" : "</h2>\n");
    html_el(o, "<p class=\"sub\">", c->sub, "</p>\n");
    if (o->draft) {
        html_el(o, "<p class=\"draft\">", c->draft, "</p>\n");
        html_el(o, "<p class=\"remains\">", c->remains, "</p>\n");
    }
    dm__buf_puts(o->h, "<table class=\"kv\">\n");
    for (int i = 0; i < 4; i++) {
        html_el(o, "<tr><th>", c->key[i], "</th>");
        html_el(o, "<td>", c->val[i], "</td></tr>\n");
    }
    dm__buf_puts(o->h, "</table>\n");
    if (o->en)
        html_el(o, "<p class=\"release\">", c->en, "</p>\n");
    if (o->az)
        html_el(o, o->en ? "<p class=\"release az\" lang=\"az\">" : "<p class=\"release\">", c->az, "</p>\n");
    dm__buf_puts(o->h, "<div class=\"signs\">\n");
    for (int who = 0; who < 3; who++) {
        const char *pre = who == 0 ? operator_org(d) : NULL;
        dm__buf_puts(o->h, "<div class=\"sign\">");
        if (o->en && o->az) {
            html_el(o, "<p class=\"who\">", signers[who].en, "<br>");
            html_el(o, "<small lang=\"az\">", signers[who].az, "</small></p>");
        } else
            html_el(o, "<p class=\"who\">", o->az ? signers[who].az : signers[who].en, "</p>");
        if (pre && *pre)
            html_el(o, "<p class=\"pre\">(", pre, ")</p>");
        for (int i = 0; i < 4; i++) {
            both(o, b, sizeof b, sign_en[i], sign_az[i]);
            html_el(o, "<div class=\"line\">", b, "</div>");
        }
        dm__buf_puts(o->h, "</div>\n");
    }
    both(o, b, sizeof b, "Stamp", "Möhür");
    html_el(o, "<div class=\"sign\"><p class=\"who\">", b, "</p><div class=\"stamp\"></div></div>\n");
    dm__buf_puts(o->h, "</div>\n</section>\n");
}

static void certificate(doc *o)
{
    const hz_data *d = o->d;
    cert_txt c;
    o->tc = NULL;
    cert_texts(o, &c);
    if (o->h) {
        certificate_html(o, &c);
        return;
    }
    cairo_t *cr = o->cr;
    new_page(o);
    if (o->draft) { /* the watermark first, under the text */
        cairo_save(cr);
        cairo_translate(cr, PW / 2, PH / 2);
        cairo_rotate(cr, -M_PI / 4);
        dm__rep_font(cr, 110, 1);
        cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.13);
        dm__rep_show(cr, 0, 30, o->en ? "DRAFT" : "LAYİHƏ", 1, 0);
        cairo_restore(cr);
    }
    dm__rep_font(cr, 18, 1);
    cairo_set_source_rgb(cr, 0.10, 0.15, 0.30);
    if (o->en)
        dm__rep_show(cr, PW / 2, o->y + 18, "Handover certificate", 1, TW), o->y += 22;
    if (o->az) {
        dm__rep_font(cr, o->en ? 13 : 18, 1);
        dm__rep_show(cr, PW / 2, o->y + 16, "Təhvil-təslim aktı", 1, TW);
        o->y += 20;
    }
    dm__rep_font(cr, 9, 0);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    dm__rep_show(cr, PW / 2, o->y + 12, c.sub, 1, TW);
    o->y += 24;
    if (o->draft) {
        dm__rep_font(cr, 12, 1);
        cairo_set_source_rgb(cr, 0.80, 0.10, 0.10);
        dm__rep_show(cr, PW / 2, o->y + 12, c.draft, 1, TW);
        o->y += 18;
        dm__rep_font(cr, 9, 0);
        cairo_set_source_rgb(cr, 0.6, 0.05, 0.05);
        o->y = wrap(cr, ML, o->y + 9, TW, 12, c.remains, 1) + 4;
    }
    /* the land */
    static const col cc[] = {{"", 170, 0}, {"", 341, 0}};
    o->tc = cc, o->ntc = 2;
    cairo_set_line_width(cr, 0.4);
    for (int i = 0; i < 4; i++) {
        dm__rep_font(cr, 8.5, 1);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.3);
        double lw = o->en && o->az ? 235 : 165; /* room for both languages' words */
        dm__rep_show(cr, ML, o->y + 10, c.key[i], 0, lw);
        dm__rep_font(cr, 9, 0);
        cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
        dm__rep_show(cr, ML + lw + 7, o->y + 10, c.val[i], 0, TW - lw - 7);
        o->y += 15;
    }
    o->tc = NULL;
    o->y += 8;
    dm__rep_font(cr, 9.5, 0);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    if (o->en)
        o->y = wrap(cr, ML, o->y + 10, TW, 13, c.en, 1) + 4;
    if (o->az) {
        dm__rep_font(cr, o->en ? 8.5 : 9.5, 0);
        cairo_set_source_rgb(cr, o->en ? 0.25 : 0.05, o->en ? 0.25 : 0.05, o->en ? 0.25 : 0.05);
        o->y = wrap(cr, ML, o->y + 10, TW, o->en ? 11.5 : 13, c.az, 1) + 4;
    }
    /* the signatories */
    double y = fmax(o->y + 16, PH - MB - 330);
    double w = (TW - 30) / 2;
    sign_block(o, ML, y, w, 0, operator_org(d));
    sign_block(o, ML + w + 30, y, w, 1, NULL);
    sign_block(o, ML, y + 150, w, 2, NULL);
    char b[80];
    dm__rep_font(cr, 8.5, 0);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    both(o, b, sizeof b, "Stamp", "Möhür");
    dm__rep_show(cr, ML + w + 30, y + 160, b, 0, w);
    cairo_set_line_width(cr, 0.5);
    double dash[2] = {3, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_rectangle(cr, ML + w + 30, y + 166, 110, 90);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* ---- the document --------------------------------------------------------------- */

/* What follows the land release, in both forms. */
static void sections(doc *o)
{
    turning_points(o);
    activities(o);
    inspections(o);
    items(o);
    accidents(o);
    residual(o);
    life_cycle(o);
    certificate(o);
}

static void draw_all(doc *o)
{
    o->page = 0;
    new_page(o);
    header(o);
    double map_h = fmin(370, PH - MB - o->y - 230);
    draw_map(o, o->y + 10, map_h);
    o->y += map_h + 26;
    o->y = draw_legend(o, o->y) + 8;
    land_release(o);
    new_page(o);
    sections(o);
    cairo_show_page(o->cr);
}

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure, (void)data, (void)length;
    return CAIRO_STATUS_SUCCESS;
}

static dm_status write_pdf(dm_ctx *ctx, doc *o, const char *path)
{
    /* first pass: the pages, and the page of the turning points */
    cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(discard, NULL, PW, PH);
    cairo_t *cr = cairo_create(sf);
    o->cr = cr;
    o->pages = 0;
    draw_all(o);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    cairo_surface_destroy(sf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return dm__fail(ctx, DM_EIO, "%s: drawing the report failed: %s", path, cairo_status_to_string(cs));
    int pages = o->page;
    sf = cairo_pdf_surface_create(path, PW, PH);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t cs0 = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        return dm__fail(ctx, DM_EIO, "%s: cannot write the PDF: %s", path, cairo_status_to_string(cs0));
    }
    char title[300];
    snprintf(title, sizeof title, "Hazard completion report %s", o->d->ref[0] ? o->d->ref : o->d->uuid);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "demine " DM_VERSION_STRING);
    cr = cairo_create(sf);
    o->cr = cr;
    o->pages = pages;
    draw_all(o);
    cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return dm__fail(ctx, DM_EIO, "%s: writing the PDF failed: %s", path, cairo_status_to_string(cs));
    return DM_OK;
}

/* ---- the HTML page ------------------------------------------------------------ */

/* The map and its legend as the PDF draws them, recorded, then painted
 * into a PNG three times as fine as a point. 0 when cairo failed. */
static int html_map(doc *o)
{
    const double map_h = 370, sc = 3, x0 = ML - 6, w = TW + 12; /* the latitudes left and right */
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(rec);
    o->cr = cr;
    draw_map(o, 14, map_h);
    double h = draw_legend(o, 14 + map_h + 26) + 8;
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    o->cr = NULL;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w * sc), (int)ceil(h * sc));
    cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, sc, sc);
    cairo_set_source_surface(cr, rec, -x0, 0);
    cairo_paint(cr);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_status(cr);
    cairo_destroy(cr);
    char alt[400];
    snprintf(alt, sizeof alt, "map of hazard %s: its polygon, release areas by outcome, items found, accidents "
                              "and numbered turning points",
             o->d->ref[0] ? o->d->ref : o->d->uuid);
    if (cs == CAIRO_STATUS_SUCCESS)
        dm__html_img(o->h, img, w * 1.5, alt);
    cairo_surface_destroy(img);
    cairo_surface_destroy(rec);
    return cs == CAIRO_STATUS_SUCCESS;
}

static const char html_css[] =
    "body{font-family:sans-serif;font-size:14px;max-width:820px;margin:2em auto;padding:0 1em;color:#222}"
    "h1{font-size:1.5em;color:#1a2650;margin-bottom:.2em}h2{font-size:1.15em;color:#1a2650;margin:1.4em 0 .4em}"
    ".name{font-size:1.1em;margin-top:0}table{border-collapse:collapse;font-size:13px;margin:.4em 0}"
    "caption{text-align:left;color:#555;font-size:12px;padding:2px 0}"
    "th,td{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
    "thead th{background:#e1e6f0}.r{text-align:right}tr.b td{font-weight:bold}"
    "table.kv th{color:#4a4a5a;padding-right:10px}table.kv td{padding-right:24px}"
    ".note{font-size:12px;color:#444}.draft{color:#c81a1a;font-weight:bold}.remains{color:#990d0d}"
    "figure{margin:1em 0}img{max-width:100%;height:auto}"
    ".cert{position:relative;overflow:hidden;break-before:page;page-break-before:always;padding-top:1em}"
    ".cert h2{text-align:center;font-size:1.6em}.t2{text-align:center;font-size:1.2em;font-weight:bold;"
    "color:#1a2650}.sub,.cert>.draft{text-align:center}.az{color:#444;font-size:13px}"
    ".wm{position:absolute;top:30%;left:0;right:0;text-align:center;font-size:120px;font-weight:bold;"
    "color:rgba(217,26,26,.13);transform:rotate(-45deg);pointer-events:none}"
    ".signs{display:grid;grid-template-columns:1fr 1fr;gap:16px 30px;margin-top:2em}.sign{break-inside:avoid}"
    ".who{font-weight:bold;color:#1a2650;margin:0}.pre{margin:.6em 0 0;color:#555}"
    ".line{border-top:1px solid #333;margin-top:28px;font-size:11px;color:#555}"
    ".stamp{border:1px dashed #333;width:110pt;height:90pt;margin-top:6px}"
    "@page{size:A4;margin:15mm}@media print{body{max-width:none;margin:0;padding:0}.line{margin-top:22px}"
    ".signs{margin-top:1em}}";

static dm_status write_html(dm_ctx *ctx, doc *o, const char *path)
{
    const hz_data *d = o->d;
    dm_buf h;
    dm__buf_init(&h);
    o->h = &h;
    o->cr = NULL;
    char title[300];
    snprintf(title, sizeof title, "Hazard completion report %s", d->ref[0] ? d->ref : d->uuid);
    dm__html_head(&h, "en", title, html_css);
    if (o->draft)
        dm__buf_puts(&h, "<p class=\"draft\">DRAFT - hazard not released</p>\n");
    header(o);
    int ok = html_map(o);
    if (ok) {
        heading(o, "Land release");
        land_release(o);
        sections(o);
    }
    o->h = NULL;
    if (!ok) {
        dm__buf_free(&h);
        return dm__fail(ctx, DM_EIO, "%s: drawing the map failed", path);
    }
    return dm__html_save(ctx, &h, path);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !dm__strcasecmp(s + a - b, suf);
}

dm_status dm_report_hazard(dm_store *s, const char *hazard, const char *path, const dm_hazard_report_opts *opts,
                           dm_hazard_report_info *info)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (info)
        memset(info, 0, sizeof *info);
    if (!path || !*path)
        return dm__fail(ctx, DM_EINVAL, "the hazard report needs a file name ending in .pdf or .html");
    int pdf = ends_with(path, ".pdf");
    if (!pdf && !ends_with(path, ".html") && !ends_with(path, ".htm"))
        return dm__fail(ctx, DM_EINVAL,
                        "%s: the hazard report is a printable A4 PDF (.pdf) or one HTML page (.html)", path);
    const char *dbp = dm_store_path(s);
    if (dbp && (!strcmp(dbp, path) || dm_same_file(dbp, path)))
        return dm__fail(ctx, DM_EINVAL, "%s is the database: not writing the report over it", path);
    char date[11];
    if (opts && opts->date) {
        const char *q = opts->date;
        int strict = strlen(q) == 10 && q[4] == '-' && q[7] == '-';
        for (int i = 0; strict && i < 10; i++)
            strict = i == 4 || i == 7 || (q[i] >= '0' && q[i] <= '9');
        if (!strict || !dm_date_parse(q, date))
            return dm__fail(ctx, DM_EINVAL, "date '%s' is not a date YYYY-MM-DD", q);
    } else {
        char now[21];
        dm_now_iso(now);
        memcpy(date, now, 10);
        date[10] = 0;
    }
    hz_data d;
    dm_status st = dm__hazard_gather(s, hazard, date, &d);
    if (st)
        return st;
    st = dm__rep_may_replace(ctx, path, pdf, opts && opts->force, "hazard report");
    doc o;
    memset(&o, 0, sizeof o);
    o.d = &d;
    o.en = !opts || opts->lang != DM_LANG_AZ;
    o.az = opts && opts->lang != DM_LANG_EN;
    o.draft = !dm__hazard_released(&d);
    if (!st) {
        /* written beside its name and renamed once whole */
        size_t n = strlen(path) + 6;
        char *tmp = dm_malloc(ctx, n);
        if (!tmp)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        else {
            snprintf(tmp, n, "%s.part", path);
            FILE *probe = fopen(tmp, "wb");
            if (!probe) {
                int e = errno;
                const char *slash = strrchr(path, '/');
                if (e == ENOENT && slash)
                    st = dm__fail(ctx, DM_EIO, "%s: cannot write the report: directory %.*s does not exist", path,
                                  (int)(slash - path > 0 ? slash - path : 1), path);
                else
                    st = dm__fail(ctx, DM_EIO, "%s: cannot write the report: %s", path, strerror(e));
            } else
                fclose(probe);
            if (!st)
                st = pdf ? write_pdf(ctx, &o, tmp) : write_html(ctx, &o, tmp);
            if (!st && rename(tmp, path) != 0)
                st = dm__fail(ctx, DM_EIO, "%s: cannot write the report: %s", path, strerror(errno));
            if (st)
                remove(tmp);
            dm_free(ctx, tmp);
        }
    }
    if (!st && info) {
        dm__strlcpy(info->uuid, d.uuid, sizeof info->uuid);
        dm__strlcpy(info->ref, d.ref, sizeof info->ref);
        info->pages = pdf ? o.page : 0;
        info->draft = o.draft;
    }
    dm__hazard_free(&d);
    return st;
}
