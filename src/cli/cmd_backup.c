/* SPDX-License-Identifier: MIT
 *
 * cmd_backup.c -- `demine backup DB OUT.gpkg`: a consistent copy of the
 * database, safe to take while the server writes to it.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *help =
    "usage: demine backup DB OUT.gpkg [--force] [--json]\n"
    "       demine backup DB DIR/ [--keep N] [--json]\n\n"
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
    "Given a directory, the copy is named after the database and the time (UTC):\n"
    "DIR/demo-20261125-013000.gpkg; --keep N then removes the oldest such copies of\n"
    "this database in DIR beyond the N newest (none other), once the new one is whole.\n"
    "A nightly cron line: demine backup /srv/demine/national.gpkg /backups/ --keep 30\n\n"
    "  --force   replace OUT.gpkg if it exists (only once the new copy is whole)\n"
    "  --keep N  with a directory: keep the N newest copies of this database there\n"
    "  --json    print the result as JSON\n";

/* The database's file name without directory and extension: the stem of
 * its copies' names in a backup directory. */
static void db_stem(const char *db, char *out, size_t n)
{
    const char *b = strrchr(db, '/');
    b = b ? b + 1 : db;
    snprintf(out, n, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

/* 1 when name is STEM-YYYYMMDD-HHMMSS.gpkg, a copy this command made. */
static int is_copy_of(const char *name, const char *stem)
{
    size_t ls = strlen(stem);
    if (strncmp(name, stem, ls) || name[ls] != '-')
        return 0;
    const char *t = name + ls + 1;
    for (int i = 0; i < 15; i++)
        if (i == 8 ? t[i] != '-' : (t[i] < '0' || t[i] > '9'))
            return 0;
    return !strcmp(t + 15, ".gpkg");
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove the oldest copies of stem in dir beyond the keep newest (the
 * names sort by time); returns how many were removed, -1 on an error
 * (said). */
static int prune(const char *dir, const char *stem, long keep)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "demine backup: %s: cannot list: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!is_copy_of(e->d_name, stem))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 32;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn, cap = nc;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n > (size_t)keep) {
        qsort(names, n, sizeof *names, cmp_name);
        for (size_t i = 0; i + (size_t)keep < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (unlink(path) == 0)
                rc++;
            else
                fprintf(stderr, "demine backup: warning: cannot remove the old copy %s: %s\n", path,
                        strerror(errno));
        }
    } else if (rc < 0)
        fprintf(stderr, "demine backup: out of memory listing %s\n", dir);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int run_backup(dm_ctx *ctx, int argc, char **argv)
{
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {"keep", required_argument, NULL, 'k'},
        {0, 0, 0, 0}};
    int force = 0, json = 0, c;
    long keep = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f')
            force = 1;
        else if (c == 'j')
            json = 1;
        else if (c == 'k') {
            if (!cli_parse_long("backup", "--keep", optarg, &keep))
                return 2;
            if (keep < 1)
                return cli_usage_error("backup", "--keep must be 1 or more (the copy just made is kept), got %ld",
                                       keep);
        } else
            return 2;
    }
    const char *db = NULL, *out = NULL;
    for (int i = optind; i < argc; i++)
        if (cli_positional("backup", argv[i], &db, &out))
            return 2;
    if (!db || !out)
        return cli_usage_error("backup", "expected the database and the backup's path: demine "
                                         "backup DB OUT.gpkg");
    /* a directory: a copy named after the database and the time */
    struct stat sb;
    char named[4096], dir[4096] = "", stem[256];
    size_t ol = strlen(out);
    int to_dir = (ol && out[ol - 1] == '/') || (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode));
    if (to_dir) {
        if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "demine backup: %s: no such directory\n", out);
            return 3;
        }
        snprintf(dir, sizeof dir, "%.*s", (int)(ol > 1 && out[ol - 1] == '/' ? ol - 1 : ol), out);
        db_stem(db, stem, sizeof stem);
        time_t now = time(NULL);
        struct tm tm;
        char ts[32];
        gmtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
        snprintf(named, sizeof named, "%s/%s-%s.gpkg", dir, stem, ts);
        out = named;
    } else if (keep) {
        return cli_usage_error("backup", "--keep goes with a directory (DIR/), where the copies are "
                                         "named by time");
    }
    if (cli_writes_over("backup", "OUT", out, "database", db))
        return 2;
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
    int pruned = to_dir && keep ? prune(dir, stem, keep) : 0;
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
               "\"items\":%ld,\"risk_map\":%s,\"removed\":%d}\n",
               cli_json_str(db), cli_json_str(out), (unsigned long long)res.bytes,
               (unsigned long long)res.pages, n_hz, n_items, map_abs ? cli_json_str(map_abs) : "null",
               pruned > 0 ? pruned : 0);
    } else {
        printf("backup of %s written to %s: %.1f MB, %ld %s, %ld %s, checked whole\n", db, out,
               (double)res.bytes / 1e6, n_hz, cli_plural(n_hz, "hazard", "hazards"), n_items,
               cli_plural(n_items, "item", "items"));
        if (pruned > 0)
            printf("removed %d older cop%s of %s in %s (--keep %ld)\n", pruned, pruned == 1 ? "y" : "ies",
                   stem, dir, keep);
        if (map_abs && access(map_abs, F_OK) == 0)
            printf("the risk map is a separate file, not in the backup: %s\n", map_abs);
        else if (map_abs) /* a database copied without its map: nothing to copy */
            printf("the risk map the database names is not there: %s (`demine risk map %s` makes it "
                   "anew)\n",
                   map_abs, db);
    }
    dm_free(ctx, map_abs);
    dm_free(ctx, map);
    dm_store_close(s);
    return 0;
}

CLI_COMMAND(backup, "backup", run_backup, "a consistent copy of the database, also while in use")
