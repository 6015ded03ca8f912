/* SPDX-License-Identifier: MIT
 *
 * cmd_check.c -- `demine check DB|FILE`: the data quality report.
 */
#include "cli.h"
#include "cmd_import_opts.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char *help =
    "usage: demine check DB|FILE [--layer LAYER] [--json] [--max N]\n"
    "       demine check FILE --layer LAYER [--db DB] [import options]\n\n"
    "Report data quality problems in a database, or in a file before importing it:\n"
    "  errors:   invalid or self-intersecting polygons (with where the fault is),\n"
    "            rings or lines with too few distinct vertices, empty geometries,\n"
    "            impossible or future dates, activities ending before they start,\n"
    "            required fields left empty, links to rows that do not exist (a victim\n"
    "            whose accident was deleted)\n"
    "  warnings: duplicates, overlapping hazards, jumps of over 5 km between\n"
    "            consecutive vertices, items outside their hazard, activities mostly\n"
    "            outside the hazards they worked on, finds dated outside their\n"
    "            activity, recorded areas that disagree with the polygon or are\n"
    "            missing (a hazard drawn in QGIS), open hazards with land released\n"
    "            from them but no remaining_area_ha\n\n"
    "A FILE is read as 'demine import' reads it, with the same options (--layer, --map,\n"
    "--set, --ignore-unknown, --src-layer, --x, --y, --geom-field, --crs, --encoding,\n"
    "--only-geometry, --swap-xy, --unit): coordinates from lon/lat or x/y columns (degrees,\n"
    "minutes and seconds, decimal commas), and everything the import would refuse is an error\n"
    "naming the feature (and the line of a CSV) and the field: each of them, not only\n"
    "the first. Rows whose latitude and longitude look swapped against the file's\n"
    "other points (columns, or a GeoJSON's or other file's own points), projected\n"
    "coordinates without a CRS, values the layer refuses,\n"
    "unknown fields with a value, a ref used twice; rows repeating another are warned\n"
    "of. Features of a kind of geometry the layer does not hold (a polygon among\n"
    "points) are an error with the counts of each kind in the file; with\n"
    "--only-geometry they are left out, and how many of each kind is a warning.\n"
    "Without --layer, dates are read as a date field reads them (12.05.2021 is day\n"
    "first) and end_date before start_date (or date_end before date_start) is an error.\n"
    "--layer says what the file holds (e.g. items); without it every column is read\n"
    "and none refused. --db DB compares with the database the file is meant for: refs\n"
    "the file names must be there, rows it already has are named, and points lying\n"
    "away from its data that would lie among it swapped are an error.\n"
    "--max N lists the first N problems (default 50; 0: all), then how many more;\n"
    "--json prints every one as JSON.\n"
    "Exit code 0 when there are no errors (warnings allowed), 4 when there are.\n";

static int run_check(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_IMPORT_LONGOPTS,
                                             {"json", no_argument, 0, 'j'},
                                             {"max", required_argument, 0, 'M'},
                                             {"db", required_argument, 0, 'D'},
                                             {"skip-existing", no_argument, 0, 'S'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    cli_import_args a;
    memset(&a, 0, sizeof a);
    const char *db = NULL;
    int json = 0, c, rc = 0;
    long max = 50;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int taken = cli_import_option("check", c, optarg, &a);
        if (taken == 2)
            rc = 2;
        if (taken)
            continue;
        switch (c) {
        case 'j': json = 1; break;
        case 'D': db = optarg; break;
        case 'S': a.o.skip_existing = 1; break;
        case 'M':
            if (!cli_parse_long("check", "--max", optarg, &max))
                rc = 2;
            break;
        case 'h': cli_import_args_free(&a); return cli_help(help);
        default: rc = 2;
        }
    }
    const dm_import_opts *o = cli_import_opts(&a);
    if (!rc && argc - optind != 1)
        rc = cli_usage_error("check", "expected one DB or FILE");
    else if (!rc && (a.n_map || a.n_set) && !o->layer)
        rc = cli_usage_error("check", "--map and --set need --layer (the layer the file is for)");
    if (rc) {
        cli_import_args_free(&a);
        return rc;
    }
    const char *path = argv[optind];
    dm_check_report rep;
    dm_status st;
    /* A demine database is checked as such; anything else as a file. */
    dm_store *s = NULL;
    const char *drv = dm_driver_for_path(path);
    if (drv && !strcmp(drv, "GPKG") && dm_store_open(ctx, path, DM_STORE_READONLY, &s) == DM_OK) {
        st = dm_check_store(s, &rep);
        dm_store_close(s);
    } else {
        dm_ctx_clear_error(ctx);
        dm_store *target = NULL;
        if (db && (rc = cli_open_store(ctx, "check", db, DM_STORE_READONLY, &target))) {
            cli_import_args_free(&a);
            return rc;
        }
        st = dm_check_file_as(ctx, path, o, target, &rep);
        dm_store_close(target);
    }
    cli_import_args_free(&a);
    if (st)
        return cli_fail(ctx, "check", st);
    if (json) {
        char *js = NULL;
        if ((st = dm_check_report_json(ctx, &rep, &js))) {
            dm_check_report_free(ctx, &rep);
            return cli_fail(ctx, "check", st);
        }
        printf("%s\n", js);
        dm_free(ctx, js);
    } else {
        long shown = 0;
        for (size_t i = 0; i < rep.n && (max <= 0 || shown < max); i++, shown++) {
            const dm_check_issue *is = &rep.issues[i];
            printf("%-7s %-20s %s%s%s%s%s: %s", is->severity == DM_CHECK_ERROR ? "error" : "warning",
                   is->code, is->layer, is->id[0] ? " " : "", is->id, is->ref[0] ? " " : "", is->ref,
                   is->message);
            if (isfinite(is->x) && !strstr(is->message, " at "))
                printf(" (at %.6f %.6f)", is->x, is->y);
            printf("\n");
        }
        if ((size_t)shown < rep.n)
            printf("... %zu more (use --max 0 or --json for all)\n", rep.n - (size_t)shown);
        printf("%s: %ld %s checked, %ld %s, %ld %s\n", path, rep.rows_checked,
               cli_plural(rep.rows_checked, "row", "rows"), rep.errors, cli_plural(rep.errors, "error", "errors"),
               rep.warnings, cli_plural(rep.warnings, "warning", "warnings"));
    }
    rc = rep.errors ? 4 : 0;
    dm_check_report_free(ctx, &rep);
    return rc;
}

CLI_COMMAND(check, "check", run_check, "data quality report of a database or a file")
