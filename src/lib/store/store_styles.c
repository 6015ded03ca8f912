/* SPDX-License-Identifier: MIT
 *
 * store_styles.c -- how QGIS draws the database's layers: a default style
 * per map layer, in the colours of the web map (hazards by life cycle and
 * type, released land green by outcome, finds purple, accidents black,
 * records dotted purple, ...) kept in the GeoPackage's `layer_styles` table, the
 * table QGIS itself reads and writes, so that the file opens styled. A
 * layer that already has a default style there (the user's own, saved from
 * QGIS) keeps it.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

/* Symbols ---------------------------------------------------------------- */

static void opt(dm_buf *b, const char *k, const char *v)
{
    dm__buf_printf(b, "<Option name=\"%s\" type=\"QString\" value=\"%s\"/>", k, v);
}

/* The start of a one-layer symbol of a type (fill, marker, line) and
 * symbol-layer class; its options follow, then symbol_close. */
static void symbol_open(dm_buf *b, const char *type, int id, const char *cls)
{
    dm__buf_printf(b, "<symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
                      "force_rhr=\"0\"><layer class=\"%s\" enabled=\"1\" locked=\"0\" "
                      "pass=\"0\"><Option type=\"Map\">",
                   type, id, cls);
}

static void symbol_close(dm_buf *b)
{
    dm__buf_puts(b, "</Option></layer></symbol>");
}

/* A polygon fill: fill colour "r,g,b,a" (NULL: hollow), outline colour,
 * width in mm and style (solid, dash, dot). */
static void fill(dm_buf *b, int id, const char *color, const char *line, const char *width,
                 const char *line_style)
{
    symbol_open(b, "fill", id, "SimpleFill");
    opt(b, "color", color ? color : "0,0,0,0");
    opt(b, "style", color ? "solid" : "no");
    opt(b, "outline_color", line);
    opt(b, "outline_width", width);
    opt(b, "outline_width_unit", "MM");
    opt(b, "outline_style", line_style);
    opt(b, "joinstyle", "round");
    symbol_close(b);
}

/* A point marker: shape (circle, triangle, star, cross2, ...), fill colour
 * (NULL: hollow), outline colour and size in mm. */
static void marker(dm_buf *b, int id, const char *shape, const char *color, const char *line,
                   const char *size)
{
    symbol_open(b, "marker", id, "SimpleMarker");
    opt(b, "name", shape);
    opt(b, "color", color ? color : "0,0,0,0");
    opt(b, "outline_color", line);
    opt(b, "outline_width", color ? "0.2" : "0.4");
    opt(b, "outline_width_unit", "MM");
    opt(b, "outline_style", "solid");
    opt(b, "size", size);
    opt(b, "size_unit", "MM");
    opt(b, "scale_method", "diameter");
    symbol_close(b);
}

/* A line: colour, width in mm, style (solid, dash, dot). */
static void line(dm_buf *b, int id, const char *color, const char *width, const char *style)
{
    symbol_open(b, "line", id, "SimpleLine");
    opt(b, "line_color", color);
    opt(b, "line_width", width);
    opt(b, "line_width_unit", "MM");
    opt(b, "line_style", style);
    opt(b, "capstyle", "round");
    opt(b, "joinstyle", "round");
    symbol_close(b);
}

/* Renderers -------------------------------------------------------------- */

static void head(dm_buf *b, const char *renderer, const char *attr)
{
    dm__buf_puts(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
                    "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">");
    dm__buf_printf(b, "<renderer-v2 type=\"%s\"%s%s%s symbollevels=\"0\" forceraster=\"0\" "
                      "enableorderby=\"0\">",
                   renderer, attr ? " attr=\"" : "", attr ? attr : "", attr ? "\"" : "");
}

static void tail(dm_buf *b)
{
    /* no layerGeometryType: QGIS would refuse the style on a mismatch */
    dm__buf_puts(b, "</renderer-v2><blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
                    "</qgis>");
}

/* The style of one layer into b; 0 when the layer is not drawn by default
 * (attribute tables, mixed geometries). */
static int layer_style(const char *layer, dm_buf *b)
{
    if (!strcmp(layer, "hazards")) {
        /* as the web map draws them (web/js/app.js): by life cycle, then type */
        head(b, "RuleRenderer", NULL);
        dm__buf_puts(
            b, "<rules key=\"{5a1d0000-0000-4000-8000-000000000000}\">"
               "<rule key=\"{5a1d0000-0000-4000-8000-000000000001}\" symbol=\"0\" "
               "label=\"Confirmed hazard area (CHA)\" filter=\"&quot;hazard_type&quot; = 'CHA' AND "
               "coalesce(&quot;status&quot;, 'open') NOT IN ('closed', 'handed_over', "
               "'partly_released')\"/>"
               "<rule key=\"{5a1d0000-0000-4000-8000-000000000002}\" symbol=\"1\" "
               "label=\"Suspected hazard area (SHA)\" filter=\"coalesce(&quot;hazard_type&quot;, "
               "'SHA') &lt;&gt; 'CHA' AND coalesce(&quot;status&quot;, 'open') NOT IN ('closed', "
               "'handed_over', 'partly_released')\"/>"
               "<rule key=\"{5a1d0000-0000-4000-8000-000000000003}\" symbol=\"2\" "
               "label=\"Partly released\" filter=\"&quot;status&quot; = 'partly_released'\"/>"
               "<rule key=\"{5a1d0000-0000-4000-8000-000000000004}\" symbol=\"3\" "
               "label=\"Closed or handed over\" filter=\"&quot;status&quot; IN ('closed', "
               "'handed_over')\"/></rules><symbols>");
        fill(b, 0, "231,76,60,85", "192,57,43,255", "0.6", "solid");
        fill(b, 1, "245,176,65,70", "230,126,34,255", "0.6", "dash");
        fill(b, 2, "241,196,15,90", "192,57,43,255", "0.6", "solid");
        fill(b, 3, "189,195,199,64", "127,140,141,255", "0.5", "solid");
        dm__buf_puts(b, "</symbols>");
    } else if (!strcmp(layer, "release_areas")) {
        head(b, "categorizedSymbol", "outcome");
        dm__buf_puts(b, "<categories>"
                        "<category value=\"cancelled\" symbol=\"0\" label=\"Cancelled (survey)\" "
                        "render=\"true\"/>"
                        "<category value=\"reduced\" symbol=\"1\" label=\"Reduced (technical "
                        "survey)\" render=\"true\"/>"
                        "<category value=\"cleared\" symbol=\"2\" label=\"Cleared\" "
                        "render=\"true\"/></categories><symbols>");
        fill(b, 0, "169,223,191,128", "169,223,191,255", "0.3", "solid");
        fill(b, 1, "82,190,128,128", "82,190,128,255", "0.3", "solid");
        fill(b, 2, "30,132,73,128", "30,132,73,255", "0.3", "solid");
        dm__buf_puts(b, "</symbols>");
    } else {
        /* one symbol for the whole layer */
        static const struct {
            const char *layer, *kind, *a, *b, *c, *d;
        } one[] = {
            {"districts", "fill", NULL, "110,110,110,255", "0.5", "solid"},
            {"activities", "fill", NULL, "40,116,166,255", "0.5", "solid"},
            {"records", "fill", NULL, "108,52,131,255", "0.6", "dot"},
            {"flights", "fill", NULL, "166,206,227,255", "0.4", "solid"},
            {"truth_minefields", "fill", NULL, "0,0,0,255", "0.4", "dot"},
            {"record_rows", "line", "106,61,154,255", "0.5", "dash", NULL},
            {"record_matches", "line", "99,99,99,255", "0.2", "solid", NULL},
            {"accidents", "marker", "circle", "0,0,0,255", "255,255,255,255", "3.2"},
            {"eore_sessions", "marker", "triangle", "26,150,65,255", "255,255,255,255", "3.0"},
            {"items", "marker", "circle", "142,68,173,255", "255,255,255,255", "2.2"},
            {"record_mines", "marker", "circle", "106,61,154,255", "255,255,255,255", "1.4"},
            {"predicted_mines", "marker", "circle", NULL, "177,0,38,255", "2.0"},
            {"detections", "marker", "cross2", "255,127,0,255", "255,127,0,255", "2.6"},
            {"events", "marker", "circle", "99,99,99,255", "255,255,255,255", "1.8"},
            {"truth_items", "marker", "circle", "0,0,0,255", "0,0,0,255", "1.0"},
        };
        size_t i = 0;
        while (i < sizeof one / sizeof one[0] && strcmp(one[i].layer, layer))
            i++;
        if (i == sizeof one / sizeof one[0])
            return 0;
        head(b, "singleSymbol", NULL);
        dm__buf_puts(b, "<symbols>");
        if (!strcmp(one[i].kind, "fill"))
            fill(b, 0, one[i].a, one[i].b, one[i].c, one[i].d);
        else if (!strcmp(one[i].kind, "line"))
            line(b, 0, one[i].a, one[i].b, one[i].c);
        else
            marker(b, 0, one[i].a, one[i].b, one[i].c, one[i].d);
        dm__buf_puts(b, "</symbols>");
    }
    tail(b);
    return 1;
}

char *dm_layer_style_qml(const char *layer)
{
    dm_buf b;
    dm__buf_init(&b);
    if (!layer || !layer_style(layer, &b) || b.oom) {
        dm__buf_free(&b);
        return NULL;
    }
    return b.data; /* the buffer's string, malloc'ed */
}

/* The table, as QGIS makes it, registered as an attribute table. */
static const char *styles_table_sql =
    "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
    "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
    "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
    "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
    "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles of the layers');";

dm_status dm__store_add_styles(dm_store *s)
{
    /* nothing to do (the common case, on every open) without a write */
    sqlite3_stmt *q = NULL;
    int have = 0, want = 0;
    dm_buf b;
    dm__buf_init(&b);
    for (size_t i = 0; i < dm_layer_count(); i++)
        if (dm_layer_at(i)->geom_type && layer_style(dm_layer_at(i)->name, &b))
            want++;
    dm__buf_free(&b);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT count(DISTINCT f_table_name) FROM layer_styles WHERE "
                           "useAsDefault",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (have >= want)
        return DM_OK;
    dm_status st = dm__sql_exec(s, styles_table_sql);
    if (st)
        return st;
    st = dm__sql_prepare(s,
                         "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                         "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                         "description, owner, ui) SELECT '', '', ?1, 'geom', ?1, ?2, '', 1, "
                         "'demine default style', 'demine', '' WHERE NOT EXISTS (SELECT 1 FROM "
                         "layer_styles WHERE f_table_name = ?1 AND useAsDefault)",
                         &q);
    for (size_t i = 0; !st && i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        dm__buf_init(&b);
        if (l->geom_type && layer_style(l->name, &b)) {
            if (b.oom)
                st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
            else {
                sqlite3_bind_text(q, 1, l->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 2, b.data, -1, SQLITE_TRANSIENT);
                int rc = sqlite3_step(q);
                if (rc != SQLITE_DONE)
                    st = dm__sql_fail(s, rc, "store the layer styles");
                sqlite3_reset(q);
            }
        }
        dm__buf_free(&b);
    }
    sqlite3_finalize(q);
    return st;
}
