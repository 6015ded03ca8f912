/* SPDX-License-Identifier: MIT
 *
 * cmd_init.c -- `demine init DB`: create an empty national database.
 */
#include "cli.h"

static const char *help =
    "usage: demine init DB\n\n"
    "Create a new, empty demine database: one GeoPackage file with every layer\n"
    "(hazards, hazard_status, activities, activity_hazards, release_areas, items,\n"
    "accidents, victims, eore_sessions (risk education), records, record_rows,\n"
    "record_mines, features, events, districts, organisations, sensors,\n"
    "sensor_rates, flights, detections, and the outputs record_matches,\n"
    "predicted_mines, plan_tasks and the demo's truth_minefields and\n"
    "truth_items), spatial indexes and the change log; `demine\n"
    "list DB` lists them. Refuses to overwrite an existing file.\n";

static int run_init(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help);
    if (argc != 2)
        return cli_usage_error("init", "expected exactly one argument: the database path");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "init", argv[1], DM_STORE_CREATE, &s);
    if (rc)
        return rc;
    dm_store_close(s);
    printf("created %s\n", argv[1]);
    return 0;
}

CLI_COMMAND(init, "init", run_init, "create an empty database")
