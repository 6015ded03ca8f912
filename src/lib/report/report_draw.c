/* SPDX-License-Identifier: MIT
 *
 * report_draw.c -- the drawing the public danger map (report_public.c) and
 * the hazard report (hazard_report.c) share: text in a font, cut to a width
 * or wrapped; and what their maps draw around their content: the graticule
 * with its degrees at the edges of the frame, the scale bar, the north
 * arrow, and the haloed labels on the map.
 */
#include "report/report_internal.h"

#include <math.h>
#include <stdio.h>

static double X(const rep_frame *f, double lon)
{
    return f->ox + (lon - f->view[0]) * f->kx * f->s;
}
static double Y(const rep_frame *f, double lat)
{
    return f->oy + (f->view[3] - lat) * f->s;
}

/* ---- text ---------------------------------------------------------------- */

void dm__rep_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double dm__rep_text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

double dm__rep_show(cairo_t *cr, double x, double y, const char *s0, int align, double max_w)
{
    char buf[1024];
    const char *s = dm__rep_text(cr, s0, max_w, buf, sizeof buf);
    double w = dm__rep_text_w(cr, s);
    cairo_move_to(cr, x - (align == 1 ? w / 2 : align == 2 ? w : 0), y);
    cairo_show_text(cr, s);
    return w;
}

double dm__rep_wrap(cairo_t *cr, double x, double y, double w, double lh, const char *s0,
                    size_t cap, int draw)
{
    char all[3000], line[3000];
    const char *s = dm__rep_text(NULL, s0, 0, all, cap < sizeof all ? cap : sizeof all);
    while (*s) {
        size_t n = 0, best = 0;
        /* the longest run of words that fits (at least one word) */
        for (;;) {
            size_t k = n;
            while (s[k] == ' ')
                k++;
            while (s[k] && s[k] != ' ')
                k++;
            if (k == n)
                break;
            snprintf(line, sizeof line, "%.*s", (int)k, s);
            if (best && dm__rep_text_w(cr, line) > w)
                break;
            best = n = k;
            if (!s[k])
                break;
        }
        if (draw) {
            snprintf(line, sizeof line, "%.*s", (int)best, s);
            dm__rep_show(cr, x, y, line, 0, w);
        }
        y += lh;
        s += best;
        while (*s == ' ')
            s++;
    }
    return y;
}

/* ---- map decorations ------------------------------------------------------ */

void dm__rep_fit_view(rep_frame *f, const double a[4], double fw, double fh, double margin,
                      double min_m)
{
    double lat0 = (a[1] + a[3]) / 2;
    f->kx = cos(lat0 * M_PI / 180);
    double gw = (a[2] - a[0]) * f->kx, gh = a[3] - a[1];
    double pad = fmax(fmax(gw, gh) * margin, min_m / 111320.0);
    gw += 2 * pad, gh += 2 * pad;
    if (gw / gh < fw / fh)
        gw = gh * fw / fh;
    else
        gh = gw * fh / fw;
    double cx = (a[0] + a[2]) / 2, cy = (a[1] + a[3]) / 2;
    f->view[0] = cx - gw / f->kx / 2, f->view[2] = cx + gw / f->kx / 2;
    f->view[1] = cy - gh / 2, f->view[3] = cy + gh / 2;
    f->s = fw / gw;
    f->fw = fw, f->fh = fh;
    f->ox = f->oy = 0;
}

/* The grid step for span degrees: the first of the 1-2-5 steps from
 * g->step_min to g->step_max with at most 6 lines, else twice step_max. */
static double nice_deg(const rep_grid_style *g, double span)
{
    static const double steps[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                   0.1,    0.2,   0.5,   1,     2,    5,    10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i] < g->step_min || steps[i] > g->step_max)
            continue;
        if (span / steps[i] <= 6)
            return steps[i];
    }
    return 2 * g->step_max;
}

static int decimals(const rep_grid_style *g, double step)
{
    int d = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : step >= 0.001 ? 3 : 4;
    return d < g->min_decimals ? g->min_decimals : d;
}

void dm__rep_map_grid(cairo_t *cr, const rep_frame *f, const rep_grid_style *g)
{
    double st = fmin(nice_deg(g, f->view[2] - f->view[0]), nice_deg(g, f->view[3] - f->view[1]));
    int dx = decimals(g, st);
    cairo_set_line_width(cr, 0.35);
    dm__rep_font(cr, g->font, 0);
    char b[32];
    for (double lon = ceil(f->view[0] / st) * st; lon <= f->view[2]; lon += st) {
        double x = X(f, lon);
        cairo_set_source_rgba(cr, 0.25, 0.25, 0.45, g->alpha);
        cairo_move_to(cr, x, f->oy);
        cairo_line_to(cr, x, f->oy + f->fh);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.*f\xC2\xB0%s", dx, fabs(lon), lon < 0 ? "W" : "E");
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.3);
        dm__rep_show(cr, x, f->oy - 3, b, 1, 0);
        dm__rep_show(cr, x, f->oy + f->fh + g->below, b, 1, 0);
    }
    for (double lat = ceil(f->view[1] / st) * st; lat <= f->view[3]; lat += st) {
        double y = Y(f, lat);
        cairo_set_source_rgba(cr, 0.25, 0.25, 0.45, g->alpha);
        cairo_move_to(cr, f->ox, y);
        cairo_line_to(cr, f->ox + f->fw, y);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.*f\xC2\xB0%s", dx, fabs(lat), lat < 0 ? "S" : "N");
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.3);
        for (int side = -1; side <= 1; side += 2) {
            cairo_save(cr);
            cairo_translate(cr, side < 0 ? f->ox - 3 : f->ox + f->fw + 3, y);
            cairo_rotate(cr, side * M_PI / 2);
            dm__rep_show(cr, 0, 0, b, 1, 0);
            cairo_restore(cr);
        }
    }
}

void dm__rep_map_scale(cairo_t *cr, const rep_frame *f)
{
    double m_per_pt = 111320.0 / f->s, target = m_per_pt * 110, nice = 1;
    while (nice * 10 <= target)
        nice *= 10;
    if (nice * 5 <= target)
        nice *= 5;
    else if (nice * 2 <= target)
        nice *= 2;
    double len = nice / m_per_pt, x = f->ox + 10, y = f->oy + f->fh - 14;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, x - 5, y - 13, len + 30, 22);
    cairo_fill(cr);
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, x + i * len / 4, y, len / 4, 4);
        if (i % 2)
            cairo_set_source_rgb(cr, 1, 1, 1);
        else
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    char b[32];
    dm__rep_font(cr, 7.5, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    dm__rep_show(cr, x, y - 3, "0", 1, 0);
    if (nice >= 1000)
        snprintf(b, sizeof b, "%g km", nice / 1000);
    else
        snprintf(b, sizeof b, "%g m", nice);
    dm__rep_show(cr, x + len, y - 3, b, 1, 0);
}

void dm__rep_map_north(cairo_t *cr, const rep_frame *f)
{
    double x = f->ox + f->fw - 20, y = f->oy + 14;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_new_path(cr);
    cairo_arc(cr, x, y + 12, 13, 0, 2 * M_PI);
    cairo_fill(cr);
    for (int side = 1; side >= -1; side -= 2) {
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + side * 6, y + 20);
        cairo_line_to(cr, x, y + 15);
        cairo_close_path(cr);
        if (side > 0) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_fill(cr);
        }
    }
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    dm__rep_font(cr, 8, 1);
    dm__rep_show(cr, x, y + 30, "N", 1, 0);
}

void dm__rep_halo(cairo_t *cr, double x, double y, const char *s, double width, double grey)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, s);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    /* the letters as text, so that the PDF can be searched for them */
    cairo_set_source_rgb(cr, grey, grey, grey);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}
