/* SPDX-License-Identifier: MIT
 *
 * cmd_edit.c -- changing and deleting single rows from the command line:
 * `demine edit`, `demine delete` and `demine status` (a hazard's life cycle).
 * Every change is logged with the author and the reason.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *edit_help =
    "usage: demine edit DB ID FIELD=VALUE... [--wkt WKT [--repair]] [--reason TEXT]\n\n"
    "Change fields of one row (ID: uuid, unique uuid prefix or ref). An empty VALUE\n"
    "clears a field. --wkt replaces the geometry (WGS 84), of the layer's type (a\n"
    "polygon for hazards), and with it the areas that follow from it: a release\n"
    "area's area_ha, a hazard's est_area_ha, and its remaining_area_ha, moved as much\n"
    "as the estimate so that land already released stays released (a closed hazard\n"
    "keeps 0); a value given in the same edit stands. An activity's cancelled, reduced\n"
    "and cleared areas stay. An invalid --wkt (a self-intersecting polygon) is refused\n"
    "naming where; --repair makes it valid (GEOS), as import --repair does, and says so.\n"
    "A hazard's remaining_area_ha may not exceed its est_area_ha (beyond rounding).\n"
    "The old and new values go to the change log with the\n"
    "author (--author before the command) and the reason.\n"
    "A hazard's status changes with 'demine status'. A ref another row has, a date\n"
    "after tomorrow and an activity ending before it starts are refused; a failed edit\n"
    "changes nothing.\n";

static const char *delete_help =
    "usage: demine delete DB ID --reason TEXT\n\n"
    "Delete one row. The change log keeps its last values, the author and the reason.\n"
    "A row other rows point at (a hazard's activities, release areas, items...) is not\n"
    "deleted: they are named, to delete or re-link first. A hazard's status history\n"
    "goes with it, and so do the rows an analysis wrote about the row (plan_tasks of\n"
    "'demine plan', record_matches of 'records verify', predicted_mines of\n"
    "'patterns'), each logged; the next run writes them anew.\n";

static const char *status_help =
    "usage: demine status DB HAZARD STATUS [--date YYYY-MM-DD] [--reason TEXT]\n"
    "       demine status DB --settle [--dry-run] [--date YYYY-MM-DD] [--reason TEXT] [--json]\n\n"
    "Move a hazard along its life cycle: open -> partly_released -> closed ->\n"
    "handed_over. The hazard is updated and a dated hazard_status row is added, in one\n"
    "transaction. Moving back (reopening on new evidence) needs a --reason and gives\n"
    "back the land not yet released. Closing or handing over leaves no area remaining.\n"
    "The date (default today; day first 12.05.2021 too, as edit reads dates) may not\n"
    "be after tomorrow, before the hazard was reported or before its last change.\n\n"
    "--settle records the land released from hazards by release areas imported after\n"
    "them, which change neither the hazards' remaining_area_ha nor their status: every\n"
    "open or partly released hazard without remaining_area_ha that reviewed release\n"
    "areas name gets its estimate less the land they released (their polygons, overlaps\n"
    "counted once, as 'demine stats' counts it), and an open one moves to\n"
    "partly_released (dated --date, default today). A hazard with nothing left gets 0\n"
    "and is not closed: the 'demine status DB HAZARD closed' to run is listed. Every\n"
    "change is logged with the author (--author before the command) and the reason\n"
    "(--reason, followed by the figures), all in one transaction: a failure changes\n"
    "nothing. --dry-run prints the table of what would change and writes nothing\n"
    "(a read-only database will do); --json prints the rows as JSON.\n";

/* A failure naming the database and the row the user named. */
static int row_fail(dm_ctx *ctx, const char *cmd, const char *db, const char *id, dm_status st)
{
    const char *msg = dm_ctx_errmsg(ctx);
    if (*id && !strncmp(msg, id, strlen(id))) /* the message names it already */
        id = "";
    fprintf(stderr, "demine %s: error: %s: %s%s%s\n", cmd, db, id, *id ? ": " : "", *msg ? msg : dm_status_name(st));
    return cli_exit_code(st);
}

static int run_edit(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"reason", required_argument, 0, 'r'},
                                             {"wkt", required_argument, 0, 'w'},
                                             {"repair", no_argument, 0, 'R'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *reason = NULL, *wkt = NULL;
    int c, repair = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r')
            reason = optarg;
        else if (c == 'w')
            wkt = optarg;
        else if (c == 'R')
            repair = 1;
        else if (c == 'h')
            return cli_help(edit_help);
        else
            return 2;
    }
    if (argc - optind < 2 || (argc - optind < 3 && !wkt))
        return cli_usage_error("edit", "expected DB, ID and FIELD=VALUE pairs");
    if (repair && !wkt)
        return cli_usage_error("edit", "--repair repairs the geometry given with --wkt");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "edit", argv[optind], 0, &s);
    if (rc)
        return rc;
    const dm_layer_def *l = NULL;
    char uuid[37];
    dm_status st = dm_store_resolve(s, NULL, argv[optind + 1], &l, uuid);
    dm_row *r = st ? NULL : dm_row_new(ctx, l);
    for (int i = optind + 2; !st && i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            dm_row_free(r);
            dm_store_close(s);
            return cli_usage_error("edit", "'%s' is not FIELD=VALUE", argv[i]);
        }
        *eq = '\0';
        st = dm_row_set(r, argv[i], eq[1] ? eq + 1 : NULL);
    }
    if (!st && wkt) {
        dm_geom *g = NULL;
        st = dm_geom_from_wkt(ctx, wkt, &g);
        if (st) {
            fprintf(stderr, "demine edit: error: %s: %s: --wkt: %s\n", argv[optind],
                    argv[optind + 1], dm_ctx_errmsg(ctx));
            dm_row_free(r);
            dm_store_close(s);
            return cli_exit_code(st);
        }
        char why[256];
        double x = 0, y = 0;
        if (repair && !dm_geom_is_valid(g, why, sizeof why, &x, &y)) {
            dm_geom *v = NULL;
            st = dm_geom_make_valid(ctx, g, &v);
            dm_geom_free(g);
            if (st) {
                fprintf(stderr, "demine edit: error: %s: %s: --wkt: cannot be repaired: %s\n", argv[optind],
                        argv[optind + 1], dm_ctx_errmsg(ctx));
                dm_row_free(r);
                dm_store_close(s);
                return cli_exit_code(st);
            }
            g = v;
            fprintf(stderr, "demine edit: %s: repaired geometry (%s at %.7f %.7f)\n", argv[optind + 1], why, x, y);
        }
        dm_row_set_geom(r, g);
    }
    int changed = 1;
    if (!st)
        st = dm_store_update_if_changed(s, uuid, r, reason, &changed);
    if (st)
        rc = row_fail(ctx, "edit", argv[optind], argv[optind + 1], st);
    else if (!changed)
        printf("unchanged %s %s: it already has these values (nothing written or logged)\n", l->name, uuid);
    else
        printf("updated %s %s\n", l->name, uuid);
    dm_row_free(r);
    dm_store_close(s);
    return rc;
}

/* The options of a command taking DB, one ID and a required --reason: -1
 * to go on (DB and ID at argv[optind], optind + 1), else the exit code. */
static int reason_args(const char *cmd, const char *help, const char *id, const char *why, int argc, char **argv,
                       const char **reason)
{
    static const struct option longopts[] = {
        {"reason", required_argument, 0, 'r'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r')
            *reason = optarg;
        else if (c == 'h')
            return cli_help(help);
        else
            return 2;
    }
    if (argc - optind != 2)
        return cli_usage_error(cmd, "expected DB and %s", id);
    if (dm_text_blank(*reason))
        return cli_usage_error(cmd, "--reason is required: %s", why);
    return -1;
}

static int run_delete(dm_ctx *ctx, int argc, char **argv)
{
    const char *reason = NULL;
    int rc = reason_args("delete", delete_help, "ID", "deletions must be explained", argc, argv, &reason);
    if (rc >= 0)
        return rc;
    dm_store *s = NULL;
    rc = cli_open_store(ctx, "delete", argv[optind], 0, &s);
    if (rc)
        return rc;
    const dm_layer_def *l = NULL;
    char uuid[37];
    dm_status st = dm_store_resolve(s, NULL, argv[optind + 1], &l, uuid);
    if (!st)
        st = dm_store_delete(s, l->name, uuid, reason);
    if (st)
        rc = row_fail(ctx, "delete", argv[optind], argv[optind + 1], st);
    else
        printf("deleted %s %s (kept in the change log)\n", l->name, uuid);
    dm_store_close(s);
    return rc;
}

static const char *restore_help =
    "usage: demine restore DB UUID... --reason TEXT [--set FIELD=VALUE]\n"
    "       demine restore DB - --reason TEXT   (the uuids from standard input)\n\n"
    "Put back rows deleted by mistake, from the change log: their last values,\n"
    "their uuids (rows that named them name them again) and the time each was\n"
    "first created. A hazard's life-cycle history comes back with it. Each is\n"
    "checked as a new row is (a row it refers to that is gone, or a ref another\n"
    "row took since, refuses it) and logged as an insertion with the reason.\n"
    "--set FIELD=VALUE (with one UUID, repeatable) mends a value demine refuses\n"
    "(one typed in QGIS) as the row comes back.\n"
    "Several are put back in one transaction, all or none, in whatever order\n"
    "their links need (a hazard before its items). `demine list DB --deleted`\n"
    "lists what can be put back (`--uuids`: the uuids alone, for `-`); `demine\n"
    "show DB UUID` shows a deleted row first.\n";

static int oom(void)
{
    fprintf(stderr, "demine restore: error: out of memory\n");
    return 1;
}

/* The uuids of standard input (white space between them), appended to
 * *ids; 0, or -1 when out of memory. */
static int read_uuids(char ***ids, size_t *n, size_t *cap)
{
    char word[128];
    while (scanf("%127s", word) == 1) {
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            char **p = realloc(*ids, c * sizeof *p);
            if (!p)
                return -1;
            *ids = p;
            *cap = c;
        }
        if (!((*ids)[(*n)++] = strdup(word)))
            return -1;
    }
    return 0;
}

static int run_restore(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"reason", required_argument, 0, 'r'},
                                             {"set", required_argument, 0, 's'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *reason = NULL;
    const char *set_f[32], *set_v[32];
    char set_buf[32][256];
    size_t n_set = 0;
    int c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r')
            reason = optarg;
        else if (c == 's') {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg)
                return cli_usage_error("restore", "--set expects FIELD=VALUE, got '%s'", optarg);
            if (n_set == 32 || strlen(optarg) >= sizeof set_buf[0])
                return cli_usage_error("restore", "at most 32 --set of 255 characters each");
            snprintf(set_buf[n_set], sizeof set_buf[0], "%s", optarg);
            set_buf[n_set][eq - optarg] = '\0';
            set_f[n_set] = set_buf[n_set];
            set_v[n_set] = set_buf[n_set] + (eq - optarg) + 1;
            n_set++;
        } else if (c == 'h')
            return cli_help(restore_help);
        else
            return 2;
    }
    if (argc - optind < 2)
        return cli_usage_error("restore", "expected DB and UUID (several, or - to read them from standard input)");
    if (n_set && (argc - optind != 2 || !strcmp(argv[optind + 1], "-")))
        return cli_usage_error("restore", "--set goes with one UUID: the values it sets are that row's");
    if (dm_text_blank(reason))
        return cli_usage_error("restore", "--reason is required: a restoration must be explained");
    char **ids = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (int i = optind + 1; i < argc && !rc; i++) {
        if (!strcmp(argv[i], "-")) {
            if (read_uuids(&ids, &n, &cap))
                rc = oom();
            continue;
        }
        if (n == cap) {
            size_t cc = cap ? cap * 2 : 16;
            char **p = realloc(ids, cc * sizeof *p);
            if (!p) {
                rc = oom();
                break;
            }
            ids = p;
            cap = cc;
        }
        if (!(ids[n++] = strdup(argv[i])))
            rc = oom();
    }
    if (!rc && n == 0)
        rc = cli_usage_error("restore", "no uuid given (standard input held none)");
    dm_store *s = NULL;
    if (!rc)
        rc = cli_open_store(ctx, "restore", argv[optind], 0, &s);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        return rc;
    }
    /* in passes: a row whose link is not back yet waits for the next one */
    const dm_layer_def **layer = calloc(n ? n : 1, sizeof *layer);
    char *done = calloc(n ? n : 1, 1), *was_deleted = calloc(n ? n : 1, 1);
    if (!layer || !done || !was_deleted) {
        free(layer);
        free(done);
        free(was_deleted);
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        dm_store_close(s);
        return oom();
    }
    /* which are deleted now: one of them the restoration of another puts
     * back (a hazard's status history, the items of a withdrawn report,
     * all listed by `list --deleted`) is back, not refused as not deleted */
    for (size_t i = 0; i < n; i++) {
        char l[64];
        int deleted = 0;
        if (strlen(ids[i]) == 36)
            for (char *p = ids[i]; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
        if (dm_store_log_state(s, ids[i], l, &deleted) == DM_OK)
            was_deleted[i] = (char)deleted;
        dm_ctx_clear_error(ctx);
    }
    dm_status st = dm_store_begin(s);
    size_t left = n, failed = n;
    while (!st && left) {
        size_t before = left;
        failed = n;
        for (size_t i = 0; i < n && !st; i++) {
            if (done[i])
                continue;
            dm_status r = dm_store_restore_set(s, ids[i], reason, set_f, set_v, n_set, &layer[i]);
            char l[64];
            int deleted = 1;
            if (r && r != DM_ENOMEM && was_deleted[i] && !dm_store_log_state(s, ids[i], l, &deleted) && !deleted &&
                (layer[i] = dm_layer_find(l))) {
                r = DM_OK; /* put back with another of them */
                dm_ctx_clear_error(ctx);
            }
            if (r == DM_ENOMEM)
                st = r;
            else if (r) {
                if (failed == n)
                    failed = i;
                dm_ctx_clear_error(ctx);
            } else {
                done[i] = 1;
                left--;
            }
        }
        if (!st && left == before) {
            /* no progress: the first one left says why */
            st = dm_store_restore_set(s, ids[failed], reason, set_f, set_v, n_set, &layer[failed]);
            if (!st) {
                done[failed] = 1;
                left--;
            }
        }
    }
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s);
        /* the message names the uuid already (after its layer) */
        const char *id = failed < n && !strstr(dm_ctx_errmsg(ctx), ids[failed]) ? ids[failed] : "";
        int bad_value = strstr(dm_ctx_errmsg(ctx), "field '") != NULL;
        rc = row_fail(ctx, "restore", argv[optind], id, st);
        if (n > 1)
            fprintf(stderr, "  nothing was restored (%zu rows asked for, all or none)\n", n);
        if (bad_value)
            fprintf(stderr, "  a value demine refuses is mended as the row comes back: `demine restore %s %s "
                            "--set FIELD=VALUE --reason R`%s\n",
                    argv[optind], failed < n ? ids[failed] : "UUID", n > 1 ? ", then the others" : "");
    } else
        for (size_t i = 0; i < n; i++)
            printf("restored %s %s\n", layer[i]->name, ids[i]);
    free(layer);
    free(done);
    free(was_deleted);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    dm_store_close(s);
    return rc;
}

int cmd_status_settle(dm_ctx *ctx, const char *db, int dry_run, int json, const char *date, const char *reason);

/* 1 when s is a date as a hazard_status row's date field reads it (the
 * store's own reading of status --date), out filled. */
static int status_date_as_stored(dm_ctx *ctx, const char *s, char out[11])
{
    char norm[64];
    const dm_field_def *f = dm_field_find(dm_layer_find("hazard_status"), "date");
    if (!f || dm_field_normalise(ctx, f, s, norm, sizeof norm) || !dm_date_parse(norm, out)) {
        dm_ctx_clear_error(ctx);
        return 0;
    }
    return 1;
}

static int run_status(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"reason", required_argument, 0, 'r'},
                                             {"date", required_argument, 0, 'd'},
                                             {"settle", no_argument, 0, 'S'},
                                             {"dry-run", no_argument, 0, 'n'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *reason = NULL, *date = NULL;
    int c, settle = 0, dry_run = 0, json = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r')
            reason = optarg;
        else if (c == 'd')
            date = optarg;
        else if (c == 'S')
            settle = 1;
        else if (c == 'n')
            dry_run = 1;
        else if (c == 'j')
            json = 1;
        else if (c == 'h')
            return cli_help(status_help);
        else
            return 2;
    }
    char day[11];
    if (date) {
        /* read as every date option reads it, with its message; the forms
         * the store read before beyond those (2021/05/12, a time after the
         * date, spaces around it) still pass */
        if (!cli_date(ctx, date, 0, day) && !status_date_as_stored(ctx, date, day)) {
            cli_parse_date(ctx, "status", "--date", date, 0, day);
            return 2;
        }
        date = day;
    }
    if (settle) {
        if (argc - optind != 1)
            return cli_usage_error("status", "--settle takes DB alone (it settles every hazard it can)");
        return cmd_status_settle(ctx, argv[optind], dry_run, json, date, reason);
    }
    if (dry_run || json)
        return cli_usage_error("status", "%s goes with --settle", dry_run ? "--dry-run" : "--json");
    if (argc - optind != 3)
        return cli_usage_error("status", "expected DB, HAZARD and STATUS (or DB --settle)");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "status", argv[optind], 0, &s);
    if (rc)
        return rc;
    dm_status st = dm_hazard_set_status(s, argv[optind + 1], argv[optind + 2], date, reason);
    if (st)
        rc = row_fail(ctx, "status", argv[optind], argv[optind + 1], st);
    else {
        /* the status as stored (closed for Closed, as the change made it) */
        char to[32];
        if (dm_field_normalise(ctx, dm_field_find(dm_layer_find("hazards"), "status"), argv[optind + 2],
                               to, sizeof to))
            snprintf(to, sizeof to, "%s", argv[optind + 2]);
        printf("hazard %s is now %s\n", argv[optind + 1], to);
    }
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(edit, "edit", run_edit, "change fields of one row (logged)")
CLI_COMMAND(delete, "delete", run_delete, "delete one row (logged, with a reason)")
CLI_COMMAND(status, "status", run_status, "move a hazard along its life cycle (--settle: record released land)")
CLI_COMMAND(restore, "restore", run_restore, "put back a deleted row from the change log")
