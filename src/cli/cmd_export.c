/* SPDX-License-Identifier: MIT
 *
 * cmd_export.c -- `demine export DB --layer KIND OUT`: write one layer to
 * any GDAL vector format, chosen by OUT's extension.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static const char *help =
    "usage: demine export DB --layer LAYER OUT [--where FIELD=VALUE] [--bbox W,S,E,N]\n"
    "                      [--format DRIVER] [--no-personal]\n\n"
    "Write LAYER to OUT in the format its extension names (.geojson, .gpkg, .shp,\n"
    ".kml, .csv (geometry as WKT, with a byte order mark for Excel), .xlsx (geometry as\n"
    "WKT), .fgb, ...) or --format (a GDAL driver name). A Shapefile is written in UTF-8\n"
    "with a .cpg saying so; its text fields hold 254 bytes, and longer text is cut with\n"
    "a warning naming the first value cut.\n"
    "Beside a .geojson, .gpkg or .fgb file it writes the layer's QGIS style (OUT's\n"
    "name with .qml), unless such a file is already there.\n"
    "The uuid column is kept, so the file imports back to the same rows, and so are\n"
    "created, updated and author, which 'demine import' keeps.\n"
    "--where and --bbox export some rows only, as list shows them (the hazards of a\n"
    "district for a team's tablet: --where district=Fuzuli --where status=open; a\n"
    "value is read as edit reads it; --where may be given up to 8 times, and all\n"
    "must hold); a filter no row passes exports nothing and says so.\n"
    "--no-personal leaves out personal data, for sharing with partners: victims' names\n"
    "and ages, and the notes of accidents, whose accounts name the people hurt (the\n"
    "same fields list and show --no-personal hide).\n\n"
    "Nothing is overwritten: an existing OUT is refused, and for a Shapefile so is an\n"
    "OUT.dbf, .shx, .prj, .cpg, .qix, .sbn or .sbx beside it (the Shapefile would\n"
    "overwrite or delete it). FlatGeobuf drops features without geometry: a layer or\n"
    "row without one is refused for .fgb. The file is read back once written; a failed\n"
    "export (a feature the format refuses, a full disk) removes every file it created\n"
    "and none that was there before.\n";

static int run_export(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"layer", required_argument, 0, 'l'},
                                             {"format", required_argument, 0, 'f'},
                                             {"no-personal", no_argument, 0, 'p'},
                                             {"where", required_argument, 0, 'w'},
                                             {"bbox", required_argument, 0, 'b'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *layer = NULL;
    dm_export_opts o = {0};
    cli_filter filt = {0};
    dm_select sel = {0};
    int c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            layer = optarg;
            break;
        case 'f':
            o.format = optarg;
            break;
        case 'p':
            o.no_personal = 1;
            break;
        case 'w':
            if (cli_filter_where("export", &filt, optarg))
                return 2;
            break;
        case 'b':
            if (cli_filter_bbox("export", &filt, optarg))
                return 2;
            break;
        case 'h':
            return cli_help(help);
        default:
            return 2;
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("export", "expected DB and OUT");
    if (!layer)
        return cli_usage_error("export", "--layer is required");
    if (filt.n || filt.have_bbox) {
        cli_filter_select(&filt, &sel);
        o.select = &sel;
    }
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "export", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    long n = 0;
    if (o.select) {
        /* a filter no row passes is a mistyped value far more often than an
         * empty file wanted: nothing is written */
        dm_status cs = dm_store_count(s, layer, o.select, &n);
        if (cs) {
            rc = cli_fail(ctx, "export", cs);
            dm_store_close(s);
            return rc;
        }
        if (n == 0) {
            fprintf(stderr, "demine export: no row of %s passes", layer);
            for (size_t i = 0; i < filt.n; i++)
                fprintf(stderr, "%s --where %s=%s", i ? " and" : "", filt.field[i], filt.value[i]);
            if (filt.have_bbox)
                fprintf(stderr, "%s --bbox %g,%g,%g,%g", filt.n ? " and" : "", filt.bbox[0],
                        filt.bbox[1], filt.bbox[2], filt.bbox[3]);
            fprintf(stderr, ": nothing exported (`demine list %s %s` shows the rows)\n",
                    argv[optind], layer);
            cli_filter_explain(s, "export", layer, &filt);
            dm_store_close(s);
            return 2;
        }
    }
    char style[4200];
    int had_style =
        dm_qgis_style_path(argv[optind + 1], style, sizeof style) != 0 || access(style, F_OK) == 0;
    dm_status st = dm_export_layer(s, layer, argv[optind + 1], &o, &n);
    if (st)
        rc = cli_fail(ctx, "export", st);
    else {
        printf("exported %ld row%s of %s to %s", n, n == 1 ? "" : "s", dm_layer_find(layer)->name, argv[optind + 1]);
        if (!had_style && access(style, F_OK) == 0)
            printf(" (QGIS style %s)", style);
        printf("\n");
    }
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(export, "export", run_export, "export a layer to any GDAL format")
