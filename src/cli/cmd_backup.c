/* SPDX-License-Identifier: MIT
 *
 * cmd_backup.c -- `demine backup DB OUT.gpkg`: a consistent copy of the
 * database, safe to take while the server writes to it.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *help =
    "usage: demine backup DB OUT.gpkg [--force] [--json]\n\n"
    "Copy the database to OUT.gpkg as it is at one moment, also while `demine serve`\n"
    "or QGIS write to it. Copying the file with cp then is not safe: the server keeps\n"
    "recent changes in DB-wal beside it, and a copy can catch half a change. The copy\n"
    "is one file (no -wal beside it), checked whole (SQLite's integrity check) and\n"
    "synced to disk before it takes the name OUT.gpkg; until then it is OUT.gpkg.PID.part,\n"
    "removed if the backup fails or is interrupted. It opens in demine and QGIS as the\n"
    "database did. To restore, stop the server and copy OUT.gpkg over DB (removing\n"
    "DB-wal and DB-shm).\n\n"
    "The risk map is a separate GeoTIFF, not in the database: the backup names it, to\n"
    "be copied too if wanted (`demine risk refresh` makes it anew).\n\n"
    "  --force   replace OUT.gpkg if it exists (only once the new copy is whole)\n"
    "  --json    print the result as JSON\n";

static int run_backup(dm_ctx *ctx, int argc, char **argv)
{
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'}, {"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    int force = 0, json = 0, c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f')
            force = 1;
        else if (c == 'j')
            json = 1;
        else
            return 2;
    }
    const char *db = NULL, *out = NULL;
    for (int i = optind; i < argc; i++)
        if (cli_positional("backup", argv[i], &db, &out))
            return 2;
    if (!db || !out)
        return cli_usage_error("backup", "expected the database and the backup's path: demine "
                                         "backup DB OUT.gpkg");
    if (cli_writes_over("backup", "OUT", out, "database", db))
        return 2;
    struct stat sb;
    if (!force && stat(out, &sb) == 0) {
        fprintf(stderr, "demine backup: %s exists: give another name, or --force to replace it\n",
                out);
        return 2;
    }
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "backup", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    char part[4096];
    dm_risk_part_path(out, part, sizeof part);
    cli_part_guard(out); /* Ctrl-C: no OUT.PID.part left behind */
    dm_backup_result res;
    dm_status st = dm_store_backup(s, part, &res);
    cli_part_guard(NULL);
    if (st) {
        dm_store_close(s);
        return cli_fail(ctx, "backup", st);
    }
    if (rename(part, out) != 0) {
        fprintf(stderr, "demine backup: cannot name the copy %s: %s (it is left as %s)\n", out,
                strerror(errno), part);
        dm_store_close(s);
        return 3;
    }
    long n_hz = -1, n_items = -1;
    if (dm_store_count(s, "hazards", NULL, &n_hz))
        n_hz = -1;
    if (dm_store_count(s, "items", NULL, &n_items))
        n_items = -1;
    dm_ctx_clear_error(ctx);
    char *map = NULL;
    if (dm_store_meta_get(s, "risk_map", &map))
        map = NULL;
    char *map_abs = map && *map ? dm_store_resolve_path(s, map) : NULL;
    dm_ctx_clear_error(ctx);
    if (json) {
        printf("{\"database\":%s,\"backup\":%s,\"bytes\":%llu,\"pages\":%llu,\"hazards\":%ld,"
               "\"items\":%ld,\"risk_map\":%s}\n",
               cli_json_str(db), cli_json_str(out), (unsigned long long)res.bytes,
               (unsigned long long)res.pages, n_hz, n_items, map_abs ? cli_json_str(map_abs) : "null");
    } else {
        printf("backup of %s written to %s: %.1f MB, %ld hazards, %ld items, checked whole\n", db,
               out, (double)res.bytes / 1e6, n_hz, n_items);
        if (map_abs)
            printf("the risk map is a separate file, not in the backup: %s\n", map_abs);
    }
    dm_free(ctx, map_abs);
    dm_free(ctx, map);
    dm_store_close(s);
    return 0;
}

CLI_COMMAND(backup, "backup", run_backup, "a consistent copy of the database, also while in use")
