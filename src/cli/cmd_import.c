/* SPDX-License-Identifier: MIT
 *
 * cmd_import.c -- `demine import DB --layer KIND FILE`: load a file of any
 * GDAL vector format into one layer, all or nothing.
 */
#include "cli.h"
#include "cmd_import_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine import DB --layer LAYER FILE [options]\n\n"
    "Import FILE (GeoJSON, GeoPackage, Shapefile, KML, CSV, KoboToolbox/ODK export, ...\n"
    "any vector format GDAL reads, in any CRS) into LAYER of the database. The whole\n"
    "file is one transaction: the first bad feature rejects it with a message naming\n"
    "the file, the feature and the field, and the database is left unchanged.\n\n"
    "options:\n"
    "  --layer LAYER        hazards, activities, release_areas, items, accidents, victims,\n"
    "                       records, record_rows, record_mines, features, events,\n"
    "                       districts, organisations, sensors, flights, detections, ...\n"
    "  --map SRC=FIELD      take layer field FIELD from source field SRC (repeatable);\n"
    "                       SRC=- drops a source field; an area in hectares given in\n"
    "                       another unit is named in it: --map 'Area=est_area_m2'\n"
    "                       (m2, km2; 'Area (m\xC2\xB2)=est_area_ha' reads the column's own)\n"
    "  --unit m2|km2|ha     the unit of the area columns whose name says none: IMSMA's\n"
    "                       (Estimated Area, Remaining Area, Cancelled Area, Reduced\n"
    "                       Area ..., Cleared Area) and those --map takes into areas in\n"
    "                       hectares (--map 'Area=est_area_ha' --unit m2): converted,\n"
    "                       and said; refused when the file has none of them\n"
    "  --set FIELD=VALUE    value for FIELD where the file has none (repeatable)\n"
    "  --ignore-unknown     drop source fields the layer does not have\n"
    "  --src-layer NAME     layer inside the file (default: same name as LAYER, or first)\n"
    "  --x COL --y COL      coordinate columns of a CSV (detected: lon/lat, x/y,\n"
    "                       Kobo _q_longitude/_q_latitude, ODK q-Longitude/q-Latitude,\n"
    "                       Kobo _geolocation, a WKT column)\n"
    "  --geom-field COL     a WKT or ODK geopoint/geotrace/geoshape column, or one of\n"
    "                       'lat, lon' as a map app copies a place (40.0123, 47.0456)\n"
    "  --crs CRS            CRS of the file when it has none, or to override (EPSG:32638,\n"
    "                       EPSG:28408 for Pulkovo 1942 / Gauss-Kruger zone 8); a file\n"
    "                       without one whose coordinates are no degrees is refused with\n"
    "                       the CRS they look like\n"
    "  --swap-xy            exchange x and y of every point and vertex of the file (a\n"
    "                       GeoJSON, KML, WKT column, ... written latitude first, which\n"
    "                       the import refuses as swapped against the database's data)\n"
    "  --encoding ENC       the file's text encoding when not UTF-8 and the file does not\n"
    "                       say (a Shapefile without .cpg, an old CSV): CP1251, CP866,\n"
    "                       CP1252; text that is not UTF-8 is refused naming the likely one\n"
    "  --only-geometry point|line|polygon\n"
    "                       import only the features of that kind of geometry, and leave\n"
    "                       out the others, saying how many of each kind (one without\n"
    "                       geometry is not left out, or no run would import it: it is\n"
    "                       imported where the layer takes rows without geometry, and\n"
    "                       refused where not): a file mixing finds (points) and the\n"
    "                       hazard's outline (a polygon) imports in two runs, the points into\n"
    "                       items and the polygons into hazards. Without it a feature\n"
    "                       the layer cannot hold rejects the file, with the counts of\n"
    "                       each kind the file holds. A closed line is a polygon for a\n"
    "                       layer of polygons\n"
    "  --repair             make invalid geometries valid (GEOS) and log each repair;\n"
    "                       without it invalid geometries are refused\n"
    "  --skip-existing      skip rows whose uuid or ref the layer already has (they are\n"
    "                       not changed: use 'demine edit'), import the rest, and say how\n"
    "                       many were skipped; without it such a row rejects the file\n"
    "  --json               print the result as JSON\n\n";

/* the rest of the help (one string would be longer than C compilers must take) */
static const char *help_notes =
    "A KML file's placemarks are read from every folder, and each keeps its folder (a\n"
    "minefield, a district), by its whole path when folders nest (Sector A/Minefield 3):\n"
    "in notes after \"folder: \" (after any notes it has), or\n"
    "in the field --map folder=FIELD names (where the row has no value); a layer\n"
    "without notes warns that the folders are not kept. A placemark's or a GPX\n"
    "waypoint's name the layer has no field for is dropped with one warning.\n"
    "Form metadata columns (_id, _uuid, _submission_time, start, end, meta/instanceID,\n"
    "SubmissionDate, KEY, ...) are ignored. An export of a form 'demine form' wrote,\n"
    "downloaded from KoboToolbox with its default settings, imports as it is: headers\n"
    "and values that are the form's labels (English or Azerbaijani, exactly but for\n"
    "case and white space around them) are read as their fields and values, and said\n"
    "once; the columns of a multiple select question's choices (ordnance/AP: 1 or 0)\n"
    "are read into its field, and must agree with its own column where there is one\n"
    "(docs/forms.md). A 'uuid' column keeps rows' identities, so\n"
    "an exported file imports back to the same rows (into a database that lacks them;\n"
    "into one that has them, use --skip-existing), and 'created', 'updated' and\n"
    "'author' columns keep their provenance (the change log records the import: who and\n"
    "when); such a time must be ISO 8601 (2024-05-01T10:00:00Z; UTC without a zone),\n"
    "not after tomorrow or before 1900, updated not before created: --map 'created=-'\n"
    "drops a column that is something else. A ref names one row of its layer: one\n"
    "already in the layer or used twice in the file is refused, naming the row or\n"
    "feature that has it. Dates after tomorrow or before 1900, and an activity ending\n"
    "before it starts, are refused as 'demine edit' refuses them. Text must be UTF-8: a\n"
    "file in another code page is refused once, naming each field with such text, how\n"
    "many features have it and the first, and the --encoding to give; rows with no\n"
    "value and no geometry are skipped and counted. The layers store x and y only: Z\n"
    "(height) and M (measure) coordinates are dropped, with one warning naming how many\n"
    "features had them and the first.\n"
    "Areas in square metres or square kilometres are converted to hectares, and said\n"
    "once: columns named with their unit (area_m2, est_area_sqm, 'Area (m\xC2\xB2)',\n"
    "'Cleared Area [km2]') go to the area they name; --map or --unit names the unit of\n"
    "others.\n"
    "IMSMA exports: the columns IMSMA NG names (Land ID, hazard_localid, Land\n"
    "classification, Estimated Area, Remaining Area; Hazard reduction ID, hazreduc_localid,\n"
    "Type of activity, Start date, End date, Cancelled Area, Cleared Area, Reduced Area\n"
    "with and without technical asset, which add up; a victim's Accident ID,\n"
    "accident_localid) are recognised and named, their classifications read as\n"
    "demine's (Confirmed hazardous areas (CHA): CHA; Handover certificate: handover; EOD\n"
    "Spot task: eod); one demine has none for (Indication, Progress Report) is refused.\n"
    "IMSMA's areas are in the unit each programme chose: say it, for all of them (--unit\n"
    "m2) or for each (--map 'Estimated Area=est_area_m2'). See docs/import-imsma.md.\n";

static int split_pair(const char *cmd, const char *arg, const char *opt, const char **a,
                      const char **b)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        cli_usage_error(cmd, "%s expects NAME=VALUE, got '%s'", opt, arg);
        return 0;
    }
    size_t n = (size_t)(eq - arg);
    char *left = malloc(n + 1);
    if (!left)
        return 0;
    memcpy(left, arg, n);
    left[n] = '\0';
    *a = left;
    *b = eq + 1;
    return 1;
}

int cli_import_option(const char *cmd, int c, const char *arg, cli_import_args *a)
{
    dm_import_opts *o = &a->o;
    switch (c) {
    case 'l': o->layer = arg; return 1;
    case 'm':
        if (a->n_map == CLI_IMPORT_MAX_PAIRS)
            return cli_usage_error(cmd, "more than %d --map options", CLI_IMPORT_MAX_PAIRS);
        if (!split_pair(cmd, arg, "--map", &a->map_from[a->n_map], &a->map_to[a->n_map]))
            return 2;
        a->n_map++;
        return 1;
    case 's':
        if (a->n_set == CLI_IMPORT_MAX_PAIRS)
            return cli_usage_error(cmd, "more than %d --set options", CLI_IMPORT_MAX_PAIRS);
        if (!split_pair(cmd, arg, "--set", &a->set_f[a->n_set], &a->set_v[a->n_set]))
            return 2;
        a->n_set++;
        return 1;
    case 'i': o->ignore_unknown = 1; return 1;
    case 'L': o->src_layer = arg; return 1;
    case 'x': o->x_field = arg; return 1;
    case 'y': o->y_field = arg; return 1;
    case 'g': o->geom_field = arg; return 1;
    case 'c': o->src_crs = arg; return 1;
    case 'e': o->encoding = arg; return 1;
    case 'G': o->only_geometry = arg; return 1;
    case 'W': o->swap_xy = 1; return 1;
    case 'u': {
        static const char *const ok[] = {"m2", "m\xC2\xB2", "sqm", "km2", "km\xC2\xB2", "ha"};
        for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
            if (!strcmp(arg, ok[k])) {
                a->unit = o->area_unit = ok[k];
                return 1;
            }
        cli_usage_error(cmd, "--unit %s: expected m2, km2 or ha (the unit of the area columns whose name says none)",
                        arg);
        return 2;
    }
    default: return 0;
    }
}

const dm_import_opts *cli_import_opts(cli_import_args *a)
{
    a->o.map_from = a->map_from;
    a->o.map_to = a->map_to;
    a->o.n_map = a->n_map;
    a->o.set_field = a->set_f;
    a->o.set_value = a->set_v;
    a->o.n_set = a->n_set;
    return &a->o;
}

void cli_import_args_free(cli_import_args *a)
{
    for (size_t i = 0; i < a->n_map; i++)
        free((void *)a->map_from[i]);
    for (size_t i = 0; i < a->n_set; i++)
        free((void *)a->set_f[i]);
    a->n_map = a->n_set = 0;
}

static int run_import(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_IMPORT_LONGOPTS,
                                             {"repair", no_argument, 0, 'r'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {"skip-existing", no_argument, 0, 'S'},
                                             {0, 0, 0, 0}};
    cli_import_args a;
    memset(&a, 0, sizeof a);
    int json = 0, c, rc = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int taken = cli_import_option("import", c, optarg, &a);
        if (taken == 2)
            rc = 2;
        if (taken)
            continue;
        switch (c) {
        case 'r':
            a.o.repair = 1;
            break;
        case 'S':
            a.o.skip_existing = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            cli_import_args_free(&a);
            fputs(help, stdout);
            return cli_help(help_notes);
        default:
            rc = 2;
        }
    }
    const dm_import_opts *o = cli_import_opts(&a);
    if (!rc && argc - optind != 2)
        rc = cli_usage_error("import", "expected DB and FILE");
    else if (!rc && !o->layer)
        rc = cli_usage_error("import", "--layer is required");
    if (!rc) {
        dm_store *s = NULL;
        rc = cli_open_store(ctx, "import", argv[optind], 0, &s);
        if (!rc) {
            dm_import_result res;
            dm_status st = dm_import_file(s, argv[optind + 1], o, &res);
            if (st)
                rc = cli_fail(ctx, "import", st);
            else if (json)
                printf("{\"file\":%s,\"layer\":\"%s\",\"rows\":%ld,\"skipped\":%ld,"
                       "\"repaired\":%ld,\"left_out\":%ld}\n",
                       cli_json_str(argv[optind + 1]), dm_layer_find(o->layer)->name, res.rows,
                       res.skipped, res.repaired, res.left_out);
            else {
                printf("imported %ld row%s into %s from %s%s\n", res.rows, res.rows == 1 ? "" : "s",
                       dm_layer_find(o->layer)->name, argv[optind + 1],
                       res.repaired ? " (some geometries repaired, see log)" : "");
                if (res.skipped)
                    printf("skipped %ld row%s already in %s (same uuid or ref; not changed)\n",
                           res.skipped, res.skipped == 1 ? "" : "s", dm_layer_find(o->layer)->name);
                if (res.left_out) {
                    char kinds[200];
                    printf("left out %ld feature%s: %s (--only-geometry %s)\n", res.left_out,
                           res.left_out == 1 ? "" : "s",
                           dm_import_kinds_text(res.left_out_kinds, kinds, sizeof kinds), o->only_geometry);
                }
            }
            dm_store_close(s);
        }
    }
    cli_import_args_free(&a);
    return rc;
}

CLI_COMMAND(import, "import", run_import, "import a file into a layer (one transaction)")
