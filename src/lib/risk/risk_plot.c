/* SPDX-License-Identifier: MIT
 *
 * risk_plot.c -- the score of a risk map as a chart (PNG, PDF or SVG, by
 * the file's extension): the capture curve (share of the later events that
 * fall in the riskiest x % of the area, against the diagonal of a map that
 * knows nothing), marked at 5, 10 and 20 %; and, when the map was scored on
 * labelled cells, the reliability diagram (mean probability against the
 * share labelled positive, per group of cells).
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define W 900.0
#define H 460.0

static void label(cairo_t *cr, double x, double y, double size, const char *s, int align)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    double dx = align == 0 ? 0 : align == 1 ? -te.x_advance / 2 : -te.x_advance;
    cairo_move_to(cr, x + dx, y);
    cairo_show_text(cr, s);
}

/* A unit square panel at (x, y) of side s: frame, ticks every 20 %, axis
 * titles, and the diagonal. */
static void panel(cairo_t *cr, double x, double y, double s, const char *title, const char *xt,
                  const char *yt, int pct)
{
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    label(cr, x, y - 14, 15, title, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x, y, s, s);
    cairo_stroke(cr);
    char t[32];
    for (int k = 0; k <= 5; k++) {
        double f = k / 5.0;
        if (pct)
            snprintf(t, sizeof t, "%d %%", 20 * k);
        else
            snprintf(t, sizeof t, "%.1f", f);
        label(cr, x + f * s, y + s + 16, 11, t, 1);
        label(cr, x - 6, y + s - f * s + 4, 11, t, 2);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.08);
        cairo_move_to(cr, x + f * s, y);
        cairo_line_to(cr, x + f * s, y + s);
        cairo_move_to(cr, x, y + s - f * s);
        cairo_line_to(cr, x + s, y + s - f * s);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    }
    label(cr, x + s / 2, y + s + 34, 12, xt, 1);
    cairo_save(cr);
    cairo_translate(cr, x - 44, y + s / 2);
    cairo_rotate(cr, -M_PI / 2);
    label(cr, 0, 0, 12, yt, 1);
    cairo_restore(cr);
    double dash = 4;
    cairo_set_dash(cr, &dash, 1, 0);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_move_to(cr, x, y + s);
    cairo_line_to(cr, x + s, y);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void capture(cairo_t *cr, const dm_risk_eval *e, double x, double y, double s)
{
    char t[96];
    snprintf(t, sizeof t, "Capture: %zu events, area under the curve %.3f", e->n_truth_inside,
             e->capture_auc);
    panel(cr, x, y, s, t, "riskiest share of the area", "share of the events in it", 1);
    label(cr, x + s - 6, y + s - 8, 11, "a map that knows nothing", 2);
    cairo_set_source_rgb(cr, 0.74, 0.0, 0.15);
    cairo_set_line_width(cr, 2.2);
    for (int k = 0; k <= 100; k++) {
        double px = x + k / 100.0 * s, py = y + s - e->capture[k] * s;
        if (k)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
    }
    cairo_stroke(cr);
    static const int at[3] = {5, 10, 20};
    for (int i = 0; i < 3; i++) {
        double f = e->capture[at[i]];
        double px = x + at[i] / 100.0 * s, py = y + s - f * s;
        cairo_arc(cr, px, py, 4, 0, 2 * M_PI);
        cairo_fill(cr);
        snprintf(t, sizeof t, "%d %%", at[i]);
        label(cr, px + 7, py + 13, 10, t, 0);
        /* the figures, as a block in the empty lower right */
        snprintf(t, sizeof t, "riskiest %d %% of the area: %.0f %% of the events", at[i], 100 * f);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        label(cr, x + s - 10, y + s * 0.62 + 17 * i, 11, t, 2);
        cairo_set_source_rgb(cr, 0.74, 0.0, 0.15);
    }
}

static void reliability(cairo_t *cr, const dm_risk_eval *e, double x, double y, double s)
{
    char t[120];
    snprintf(t, sizeof t, "Reliability: %zu labelled cells, AUC %.3f", e->n_pos + e->n_neg,
             e->auc);
    panel(cr, x, y, s, t, "mean probability of the map", "share labelled positive", 0);
    snprintf(t, sizeof t, "mean gap %.3f, Brier %.3f", e->ece, e->brier);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    label(cr, x + s - 6, y + s - 8, 11, t, 2);
    size_t most = 1;
    for (size_t b = 0; b < e->n_bins; b++)
        most = e->bin_n[b] > most ? e->bin_n[b] : most;
    cairo_set_source_rgb(cr, 0.13, 0.40, 0.67);
    cairo_set_line_width(cr, 1.6);
    for (size_t b = 0; b < e->n_bins; b++) {
        double px = x + e->bin_p[b] * s, py = y + s - e->bin_obs[b] * s;
        if (b)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
    }
    cairo_stroke(cr);
    for (size_t b = 0; b < e->n_bins; b++) {
        double r = 3 + 5 * sqrt((double)e->bin_n[b] / (double)most);
        cairo_arc(cr, x + e->bin_p[b] * s, y + s - e->bin_obs[b] * s, r, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

dm_status dm_risk_eval_plot(dm_ctx *ctx, const dm_risk_eval *e, const char *path,
                            const char *title)
{
    int has_capture = isfinite(e->capture_auc), has_labels = e->n_bins > 0 && isfinite(e->auc);
    if (!has_capture && !has_labels)
        return dm__fail(ctx, DM_EINVAL,
                        "%s: nothing to plot (no truth event in the area; no labelled cells on "
                        "the map with both 1 and 0: %zu and %zu)",
                        path, e->n_pos, e->n_neg);
    const char *dot = strrchr(path, '.');
    int png = dot && !strcasecmp(dot, ".png"), pdf = dot && !strcasecmp(dot, ".pdf"),
        svg = dot && !strcasecmp(dot, ".svg");
    if (!png && !pdf && !svg)
        return dm__fail(ctx, DM_EINVAL, "%s: the chart is written as .png, .pdf or .svg", path);
    double w = has_capture && has_labels ? W : W / 2 + 20;
    cairo_surface_t *sf = png   ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)H)
                          : pdf ? cairo_pdf_surface_create(path, w, H)
                                : cairo_svg_surface_create(path, w, H);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(sf);
        return dm__fail(ctx, DM_EIO, "%s: cannot write the chart", path);
    }
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    if (title && *title)
        label(cr, 20, 26, 14, title, 0);
    double s = 340, y = 70, x = 70;
    if (has_capture) {
        capture(cr, e, x, y, s);
        x += W / 2;
    }
    if (has_labels)
        reliability(cr, e, x, y, s);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    if (png && cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_write_to_png(sf, path);
    cairo_surface_finish(sf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (cs != CAIRO_STATUS_SUCCESS) {
        remove(path);
        return dm__fail(ctx, DM_EIO, "%s: cannot write the chart: %s", path,
                        cairo_status_to_string(cs));
    }
    return DM_OK;
}
