/* SPDX-License-Identifier: MIT
 *
 * cmd_check.c -- `demine check DB|FILE`: the data quality report.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char *help =
    "usage: demine check DB|FILE [--layer LAYER] [--json] [--max N]\n\n"
    "Report data quality problems in a database, or in a file before importing it:\n"
    "  errors:   invalid or self-intersecting polygons (with where the fault is),\n"
    "            rings or lines with too few distinct vertices, empty geometries,\n"
    "            impossible or future dates, activities ending before they start\n"
    "  warnings: duplicates, overlapping hazards, jumps of over 5 km between\n"
    "            consecutive vertices, items outside their hazard, finds dated outside\n"
    "            their activity, recorded areas that disagree with the polygon\n"
    "For a FILE, --layer says what it holds (e.g. hazards) to check it as such.\n"
    "Exit code 0 when there are no errors (warnings allowed), 4 when there are.\n";

static int run_check(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"layer", required_argument, 0, 'l'},
                                             {"json", no_argument, 0, 'j'},
                                             {"max", required_argument, 0, 'm'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *layer = NULL;
    int json = 0, c;
    long max = 50;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': layer = optarg; break;
        case 'j': json = 1; break;
        case 'm':
            if (!cli_parse_long("check", "--max", optarg, &max))
                return 2;
            break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("check", "expected one DB or FILE");
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
        st = dm_check_file(ctx, path, layer, &rep);
    }
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
            printf("%-7s %-20s %s %s%s%s: %s", is->severity == DM_CHECK_ERROR ? "error" : "warning",
                   is->code, is->layer, is->id, is->ref[0] ? " " : "", is->ref, is->message);
            if (isfinite(is->x) && !strstr(is->message, " at "))
                printf(" (at %.6f %.6f)", is->x, is->y);
            printf("\n");
        }
        if ((size_t)shown < rep.n)
            printf("... %zu more (use --max 0 or --json for all)\n", rep.n - (size_t)shown);
        printf("%s: %ld rows checked, %ld errors, %ld warnings\n", path, rep.rows_checked,
               rep.errors, rep.warnings);
    }
    int rc = rep.errors ? 4 : 0;
    dm_check_report_free(ctx, &rep);
    return rc;
}

CLI_COMMAND(check, "check", run_check, "data quality report of a database or a file")
