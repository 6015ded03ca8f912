/* SPDX-License-Identifier: MIT
 *
 * cmd_demo.c -- `demine demo DB [--scale small|national] [--seed N]`:
 * create a database holding the synthetic Karabakh scenario and print what
 * it holds; `demine demo search-spots DB SPOTS --out LABELLED.geojson`:
 * play the field teams, searching the spots of `risk spots` against the
 * scenario's hidden truth.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *help =
    "usage: demine demo DB [--scale small|national] [--seed N] [--force] [--json]\n\n"
    "Create DB holding a synthetic but realistic Karabakh scenario at the region's\n"
    "real coordinates (built in UTM 38N, EPSG:32638; stored in WGS 84):\n"
    "settlements, houses, roads, bridges, rivers, cemeteries, the former front line\n"
    "with doctrinal minefields (rows of AT and AP mines), nuisance mines, cluster\n"
    "strikes and UXO. The emplaced truth goes to truth_minefields and truth_items\n"
    "(for measuring only, never evidence). From it come what an agency holds:\n"
    "minefield records with Karabakh-like errors (about 25% of recorded mines\n"
    "within 5 m of a real one), accidents (most outside the records), hazards,\n"
    "surveys and clearance with their finds.\n\n"
    "  --scale small     about 100 km2 east of Aghdam, a few seconds (default)\n"
    "  --scale national  about 8,000 km2 (lon 46.43-47.67, lat 39.4-40.1)\n"
    "  --seed N          random seed (default 1); same seed, same content\n"
    "  --force           replace DB if it exists\n"
    "  --json            print the summary as JSON\n\n"
    "usage: demine demo search-spots DB SPOTS.geojson --out LABELLED.geojson\n\n"
    "Play the field teams on a demo database: search each spot drawn by `risk spots`\n"
    "against the hidden truth and write the spots with `label` 1 where an item not yet\n"
    "found lies in the spot's cell, else 0, ready for `risk spots --check` and\n"
    "`risk map --spots` (for training and the demo; real spots are searched).\n";

static int run_search_spots(dm_ctx *ctx, int argc, char **argv)
{
    const char *db = NULL, *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i]))
            return cli_help(help);
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-')
            return cli_unknown_option_in("demo search-spots", argv[i], help);
        else if (!db)
            db = argv[i];
        else if (!in)
            in = argv[i];
        else
            return cli_usage_error("demo search-spots", "unexpected argument '%s'", argv[i]);
    }
    if (!db || !in || !out)
        return cli_usage_error("demo search-spots",
                               "usage: demine demo search-spots DB SPOTS.geojson --out "
                               "LABELLED.geojson");
    if (access(out, F_OK) == 0)
        return cli_usage_error("demo search-spots", "%s already exists; not overwriting it", out);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "demo search-spots", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_spot *sp = NULL;
    size_t n = 0, found = 0;
    dm_status st = dm_spots_read(ctx, in, NULL, &sp, &n);
    if (!st)
        st = dm_demo_search_spots(ctx, s, sp, n, &found);
    if (!st)
        st = dm_spots_write_labels(ctx, in, out, NULL, sp, n);
    dm_store_close(s);
    dm_free(ctx, sp);
    if (st)
        return cli_fail(ctx, "demo search-spots", st);
    printf("%zu spots searched against the hidden truth: %zu held an item; written to %s\n", n,
           found, out);
    return 0;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int run_demo(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "search-spots"))
        return run_search_spots(ctx, argc - 1, argv + 1);
    static const char *const subs[] = {"search-spots", NULL};
    if (argc >= 2 && cli_subcommand_typo("demo", argv[1], subs))
        return 2;
    const char *path = NULL;
    dm_demo_opts opts = {DM_DEMO_SMALL, 1};
    int force = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help(help);
        if (!strcmp(a, "--scale")) {
            if (++i >= argc)
                return cli_usage_error("demo", "--scale needs a value: small or national");
            if (!strcmp(argv[i], "small"))
                opts.scale = DM_DEMO_SMALL;
            else if (!strcmp(argv[i], "national"))
                opts.scale = DM_DEMO_NATIONAL;
            else
                return cli_usage_error("demo", "--scale must be small or national, not '%s'", argv[i]);
        } else if (!strcmp(a, "--seed")) {
            if (++i >= argc)
                return cli_usage_error("demo", "--seed needs a number");
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(argv[i], &end, 10);
            if (!*argv[i] || *end || errno || argv[i][0] == '-')
                return cli_usage_error("demo", "--seed expects a whole number >= 0, got '%s'", argv[i]);
            opts.seed = (uint64_t)v;
        } else if (!strcmp(a, "--force")) {
            force = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_unknown_option_in("demo", a, help);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("demo", "expected one database path, got '%s' too", a);
        }
    }
    if (!path)
        return cli_usage_error("demo", "expected the database path");
    if (access(path, F_OK) == 0) {
        if (!force) {
            fprintf(stderr, "demine demo: error: %s exists; use --force to replace it\n", path);
            return 2;
        }
        /* --force replaces a demo, never an agency's database given by mistake */
        dm_store *old = NULL;
        if (dm_store_open(ctx, path, DM_STORE_READONLY, &old) == DM_OK) {
            char *seed = NULL;
            int demo = dm_store_meta_get(old, "demo_seed", &seed) == DM_OK && seed;
            dm_free(ctx, seed);
            dm_store_close(old);
            if (!demo) {
                fprintf(stderr, "demine demo: error: %s is a database that demine demo did not make: "
                                "not replacing it (remove it first if it should go)\n",
                        path);
                return 2;
            }
        }
        if (unlink(path) != 0) {
            fprintf(stderr, "demine demo: error: cannot remove %s: %s\n", path, strerror(errno));
            return 3;
        }
    } else {
        /* a directory that does not exist, named (not "unable to open database file") */
        const char *slash = strrchr(path, '/');
        if (slash && slash > path) {
            char *dir = strndup(path, (size_t)(slash - path));
            int missing = dir && access(dir, F_OK) != 0;
            if (missing)
                fprintf(stderr, "demine demo: error: %s: directory %s does not exist\n", path, dir);
            free(dir);
            if (missing)
                return 3;
        }
    }
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "demo", path, DM_STORE_CREATE, &s);
    if (rc)
        return rc;
    dm_demo_summary sum;
    memset(&sum, 0, sizeof sum);
    dm_status st = dm_demo_generate(ctx, s, &opts, &sum);
    dm_store_close(s);
    if (st) {
        rc = cli_fail(ctx, "demo", st);
        unlink(path); /* never leave a half-made scenario behind */
        return rc;
    }
    const char *scale = opts.scale == DM_DEMO_NATIONAL ? "national" : "small";
    if (json) {
        printf("{\"path\":");
        json_str(path);
        printf(",\"scale\":\"%s\",\"seed\":%llu,\"area_km2\":%.1f,"
               "\"seconds\":%.2f,\"counts\":{\"organisations\":%ld,\"districts\":%ld,"
               "\"features\":%ld,\"truth_minefields\":%ld,\"truth_items\":%ld,\"records\":%ld,"
               "\"record_rows\":%ld,\"record_mines\":%ld,\"hazards\":%ld,\"hazard_status\":%ld,"
               "\"activities\":%ld,\"activity_hazards\":%ld,\"release_areas\":%ld,\"items\":%ld,"
               "\"accidents\":%ld,\"victims\":%ld,\"events\":%ld,\"sensors\":%ld,\"flights\":%ld,"
               "\"detections\":%ld,\"proposals\":%ld,\"qc_inspections\":%ld,\"eore_sessions\":%ld},"
               "\"record_accuracy_5m\":%.4f,"
               "\"accidents_outside_records\":%.4f,\"hazard_mined_share\":%.4f,"
               "\"items_in_hazards\":%.4f}\n",
               scale, (unsigned long long)opts.seed, sum.area_km2, sum.seconds,
               sum.organisations, sum.districts, sum.features, sum.truth_minefields,
               sum.truth_items, sum.records, sum.record_rows, sum.record_mines, sum.hazards,
               sum.hazard_status, sum.activities, sum.activity_hazards, sum.release_areas,
               sum.items, sum.accidents, sum.victims, sum.events, sum.sensors, sum.flights, sum.detections,
               sum.proposals, sum.qc_inspections, sum.eore_sessions, sum.record_accuracy_5m,
               sum.accidents_outside_records, sum.hazard_mined_share, sum.items_in_hazards);
        return 0;
    }
    printf("created %s: %s demo scenario, seed %llu, %.0f km2, in %.1f s\n", path, scale,
           (unsigned long long)opts.seed, sum.area_km2, sum.seconds);
    printf("  agency data: %ld hazards (%ld status changes), %ld records (%ld rows, %ld mine "
           "points),\n               %ld activities (%ld quality control inspection%s), %ld release areas, "
           "%ld items found,\n               %ld accidents (%ld victims), %ld public reports, %ld risk "
           "education session%s\n",
           sum.hazards, sum.hazard_status, sum.records, sum.record_rows, sum.record_mines,
           sum.activities, sum.qc_inspections, sum.qc_inspections == 1 ? "" : "s", sum.release_areas,
           sum.items, sum.accidents, sum.victims, sum.events, sum.eore_sessions,
           sum.eore_sessions == 1 ? "" : "s");
    printf("  context:     %ld districts, %ld organisations, %ld map features; %ld sensors, %ld "
           "flights, %ld detections\n",
           sum.districts, sum.organisations, sum.features, sum.sensors, sum.flights,
           sum.detections);
    printf("  truth:       %ld minefields, %ld items (truth_* layers: for measuring only)\n",
           sum.truth_minefields, sum.truth_items);
    printf("  scenario:    %.0f%% of recorded mines within 5 m of a real one; %.0f%% of accidents "
           "outside records;\n               %.1f%% of hazard land inside real minefields; %.0f%% of "
           "real items inside hazards\n",
           100 * sum.record_accuracy_5m, 100 * sum.accidents_outside_records,
           100 * sum.hazard_mined_share, 100 * sum.items_in_hazards);
    if (sum.proposals)
        printf("  review:      %ld field report%s awaiting review propose%s a new hazard (`demine reports %s`, "
               "or the staff map's Review tab)\n",
               sum.proposals, sum.proposals == 1 ? "" : "s", sum.proposals == 1 ? "s" : "", path);
    return 0;
}

CLI_COMMAND(demo, "demo", run_demo, "create a database with a synthetic Karabakh scenario")
