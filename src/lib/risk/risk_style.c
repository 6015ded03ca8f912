/* SPDX-License-Identifier: MIT
 *
 * risk_style.c -- the QGIS style written beside a risk map (RISK.qml next
 * to RISK.tif, which QGIS loads by itself when the map is opened): band 1
 * in classes of the highest 1, 5, 10, 20 and 50 % of the area, from dark
 * red to pale yellow, the lower half faint, so that the map opens ready to
 * read as "where to look first" rather than as a grey stretch.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* One legend class: cells with p up to `upper` (the last: any p). */
static void item(FILE *f, double upper, int last, const char *color, int alpha, const char *label)
{
    if (last)
        fprintf(f, "          <item value=\"inf\" color=\"%s\" alpha=\"%d\" label=\"%s\"/>\n", color,
                alpha, label);
    else
        fprintf(f, "          <item value=\"%.9g\" color=\"%s\" alpha=\"%d\" label=\"%s\"/>\n", upper,
                color, alpha, label);
}

dm_status dm_risk_write_style(dm_ctx *ctx, const char *map_path, const dm_risk_stats *st)
{
    char path[4200];
    if (dm_qgis_style_path(map_path, path, sizeof path))
        return dm__fail(ctx, DM_EINVAL, "%s: path too long for its style file", map_path);
    /* top_p runs from the highest share (1 %) to the lowest (50 %) */
    for (int k = 0; k < DM_RISK_TOP_N; k++)
        if (!isfinite(st->top_p[k]))
            return dm__fail(ctx, DM_EINVAL, "%s: the map has no cells to style", map_path);
    FILE *f = fopen(path, "w");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot write the map's style: %s", path, strerror(errno));
    static const char *colors[DM_RISK_TOP_N] = {"#bd0026", "#f03b20", "#fd8d3c", "#fecc5c",
                                                "#ffffb2"};
    fprintf(f, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
               "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n"
               "  <pipe>\n"
               "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" "
               "alphaBand=\"-1\" classificationMin=\"0\" classificationMax=\"%.9g\" nodataColor=\"\">\n"
               "      <rasterTransparency/>\n"
               "      <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent>"
               "<statAccuracy>Exact</statAccuracy><cumulativeCutLower>0.02</cumulativeCutLower>"
               "<cumulativeCutUpper>0.98</cumulativeCutUpper><stdDevFactor>2</stdDevFactor>"
               "</minMaxOrigin>\n"
               "      <rastershader>\n"
               "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"2\" "
               "clip=\"0\" minimumValue=\"0\" maximumValue=\"%.9g\" labelPrecision=\"4\">\n",
            st->max_p > 0 ? st->max_p : 1.0, st->max_p > 0 ? st->max_p : 1.0);
    /* QGIS's discrete ramp gives a cell the first class whose value is at
     * or above its p: list the classes from the lowest p up, skipping
     * those that the histogram merged into their neighbour */
    char label[160];
    double lower = st->top_p[DM_RISK_TOP_N - 1];
    snprintf(label, sizeof label, "lower %.0f %% of the area (p &lt; %.2g)",
             100 * (1 - st->top_share[DM_RISK_TOP_N - 1]), lower);
    item(f, lower, 0, "#f0f0f0", 90, label);
    for (int k = DM_RISK_TOP_N - 1; k >= 0; k--) {
        int last = k == 0;
        double upper = last ? INFINITY : st->top_p[k - 1];
        if (!last && !(upper > st->top_p[k]))
            continue; /* an empty class */
        if (k == 0)
            snprintf(label, sizeof label, "highest %.0f %% of the area (p &gt;= %.2g)",
                     100 * st->top_share[0], st->top_p[0]);
        else
            snprintf(label, sizeof label, "highest %.0f-%.0f %% (p %.2g to %.2g)",
                     100 * st->top_share[k - 1], 100 * st->top_share[k], st->top_p[k], upper);
        item(f, upper, last, colors[k], k == DM_RISK_TOP_N - 1 ? 170 : 220, label);
    }
    fprintf(f, "        </colorrampshader>\n"
               "      </rastershader>\n"
               "    </rasterrenderer>\n"
               "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
               "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\" "
               "invertColors=\"0\"/>\n"
               "    <rasterresampler maxOversample=\"2\"/>\n"
               "  </pipe>\n"
               "  <blendMode>0</blendMode>\n"
               "</qgis>\n");
    if (fclose(f) != 0) {
        remove(path);
        return dm__fail(ctx, DM_EIO, "%s: cannot write the map's style: %s", path, strerror(errno));
    }
    return DM_OK;
}
