/* SPDX-License-Identifier: MIT
 *
 * cmd_qc.c -- `demine qc DB`: quality control (post-clearance inspection):
 * per organisation and method, the tasks inspected, the land, the items
 * found and missed, and the detection probability they measure; `demine
 * qc sample DB ACTIVITY`: random inspection plots inside the land a task
 * released; `demine qc record DB PLOTS`: those the inspectors searched,
 * recorded as inspections.
 */
#include "cli.h"
#include "cli_table.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *help =
    "usage: demine qc DB [--org NAME] [--from DATE] [--to DATE] [--json]\n"
    "       demine qc sample DB ACTIVITY [--share 0.1 | --ha H] [--plot 10] [--seed N]\n"
    "                        --out PLOTS.geojson\n"
    "       demine qc record DB PLOTS.geojson [--org NAME] [--dry-run]\n\n"
    "Quality control (IMAS 09.20 post-clearance inspection). An inspection is an\n"
    "activity of type qc: its polygon is the land inspected, its items\n"
    "(activity_id) what the inspectors found, and inspects_id the clearance or\n"
    "survey it checks (without it: the cleared or reduced land of other\n"
    "activities its polygon overlaps). An item found there is an item the task\n"
    "missed.\n\n"
    "Per organisation and method of the tasks inspected: tasks, those that failed\n"
    "(any item missed: zero-defect acceptance), hectares inspected (the inspection\n"
    "over the task's released land), items the task found there and items the\n"
    "inspection found (missed), and the detection probability they measure: the\n"
    "mean of Beta(10 p0 + found, 10 (1 - p0) + missed), p0 the method's default\n"
    "(manual 0.98, mechanical, dogs, magnetometer 0.9), with its 90 % interval.\n"
    "`risk map` uses it for that organisation's cleared land (--no-qc-rates keeps\n"
    "the defaults).\n\n"
    "  --org NAME      tasks of this organisation only\n"
    "  --from DATE     inspections dated (end_date, else start_date) on or after\n"
    "  --to DATE       ... on or before\n"
    "  --json          the figures as JSON, with every task\n\n"
    "qc sample draws square plots at random inside the land ACTIVITY (its ref or\n"
    "uuid) released, not overlapping, covering --share of it (default 0.1) or\n"
    "--ha hectares, each --plot metres a side (default 10); the same --seed draws\n"
    "the same plots. The GeoJSON holds the fields the inspectors fill in\n"
    "(end_date: the date inspected, items_found).\n\n"
    "qc record takes those plots back: the plots of each task that have an\n"
    "end_date become one inspection (an activity of type qc, ref QC-TASK-DATE,\n"
    "its polygon the plots), in one transaction; plots with no end_date were not\n"
    "inspected and are left out, counted. --org names the inspectors. The items\n"
    "found are then imported with their places into items, with activity_id the\n"
    "inspection's ref (docs/qc.md).\n";

static void print_text(const char *db, const dm_qc_result *r)
{
    size_t tasks = r->n_tasks;
    printf("Quality control of %s: %zu inspection%s, %zu task%s inspected\n", db, r->inspections,
           r->inspections == 1 ? "" : "s", tasks, tasks == 1 ? "" : "s");
    if (r->n_rates) {
        /* columns as wide as the names they show (up to 40 characters) */
        int wo = cli_text_width("organisation"), wm = cli_text_width("method");
        for (size_t i = 0; i < r->n_rates; i++) {
            wo = cli_width_fit(wo, r->rates[i].org, 40);
            wm = cli_width_fit(wm, r->rates[i].method, 40);
        }
        printf("\n");
        cli_print_cell("organisation", wo);
        printf(" ");
        cli_print_cell("method", wm);
        printf(" %5s %6s %8s %6s %6s %7s  %s\n", "tasks", "failed", "ha", "found", "missed", "default",
               "measured p (90 %)");
        for (size_t i = 0; i < r->n_rates; i++) {
            const dm_qc_rate *q = &r->rates[i];
            cli_print_cell(q->org, wo);
            printf(" ");
            cli_print_cell(q->method, wm);
            printf(" %5d %6d %8.2f %6.0f %6.0f %7.3f  %.3f (%.3f-%.3f)\n", q->tasks, q->failed, q->ha_inspected,
                   q->found, q->missed, q->p_default, q->p, q->p_lo, q->p_hi);
        }
        printf("\nmeasured p: the mean of Beta(k p0 + found, k (1 - p0) + missed), p0 the method's "
               "default, k its weight: %g items, or %g / (1 - p0) when more; "
               "`risk map` uses it for the organisation's cleared land\n",
               DM_QC_PRIOR_ITEMS, DM_QC_PRIOR_MISSES);
    }
    if (r->unattributed)
        printf("note: %zu inspection%s (%s%s) overlap%s no cleared or reduced land and name%s no task "
               "(inspects_id): %s nothing\n",
               r->unattributed, r->unattributed == 1 ? "" : "s", r->first_unattributed,
               r->unattributed > 1 ? ", ..." : "", r->unattributed == 1 ? "s" : "",
               r->unattributed == 1 ? "s" : "", r->unattributed == 1 ? "it measures" : "they measure");
    if (r->outside > 0)
        printf("note: %.0f item%s the inspections found lie outside the land of the tasks inspected: "
               "no miss of theirs\n",
               r->outside, r->outside == 1 ? "" : "s");
}

static int run_sample(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"share", required_argument, 0, 's'},
                                             {"ha", required_argument, 0, 'a'},
                                             {"plot", required_argument, 0, 'p'},
                                             {"seed", required_argument, 0, 'e'},
                                             {"out", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    dm_qc_sample_opts so = {0};
    const char *out = NULL;
    int c, have_share = 0;
    long seed = 1;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!cli_parse_positive("qc sample", "--share", optarg, 0, &so.share))
                return 2;
            if (so.share > 1)
                return cli_usage_error("qc sample", "--share is a share of the land, at most 1: %s", optarg);
            have_share = 1;
            break;
        case 'a':
            if (!cli_parse_positive("qc sample", "--ha", optarg, 0, &so.ha))
                return 2;
            break;
        case 'p':
            if (!cli_parse_positive("qc sample", "--plot", optarg, 0, &so.plot_m))
                return 2;
            break;
        case 'e':
            if (!cli_parse_long("qc sample", "--seed", optarg, &seed))
                return 2;
            break;
        case 'o': out = optarg; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("qc sample", "expected DB ACTIVITY");
    if (have_share && so.ha > 0)
        return cli_usage_error("qc sample", "--share and --ha do not go together");
    if (!out)
        return cli_usage_error("qc sample", "--out PLOTS.geojson is required");
    struct stat sb;
    if (stat(out, &sb) == 0)
        return cli_usage_error("qc sample", "%s exists: give another --out or remove it", out);
    so.seed = (unsigned long)seed;
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "qc sample", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_qc_sample_result res;
    dm_status st = dm_qc_sample(s, argv[optind + 1], &so, out, &res);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "qc sample", st);
    printf("%zu plot%s of %g m (%.2f ha) inside the %.2f ha %s released, written to %s\n", res.plots,
           res.plots == 1 ? "" : "s", so.plot_m > 0 ? so.plot_m : 10.0, res.plots_ha, res.land_ha,
           res.task_ref[0] ? res.task_ref : res.task_uuid, out);
    printf("inspectors fill in end_date (the day a plot is searched) and items_found; then:\n"
           "  demine qc record %s %s --org INSPECTORS\n",
           argv[optind], out);
    return 0;
}

static int run_record(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"org", required_argument, 0, 'g'},
                                             {"dry-run", no_argument, 0, 'n'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    dm_qc_record_opts ro = {0};
    int c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'g': ro.org = optarg; break;
        case 'n': ro.dry_run = 1; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("qc record", "expected DB PLOTS.geojson");
    const char *db = argv[optind], *plots = argv[optind + 1];
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "qc record", db, ro.dry_run ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    dm_qc_record_result r;
    dm_status st = dm_qc_record(s, plots, &ro, &r);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "qc record", st);
    if (ro.dry_run) {
        printf("%s: %zu of %zu plot%s inspected (%zu not), %ld item%s found: %zu inspection%s to record "
               "(dry run: nothing written)\n",
               plots, r.inspected, r.plots, r.plots == 1 ? "" : "s", r.not_inspected, r.items,
               r.items == 1 ? "" : "s", r.inspections, r.inspections == 1 ? "" : "s");
        return 0;
    }
    printf("recorded %zu inspection%s from %s: %zu of %zu plot%s inspected (%.2f ha), %zu not inspected "
           "(left out)\n",
           r.inspections, r.inspections == 1 ? "" : "s", plots, r.inspected, r.plots, r.plots == 1 ? "" : "s",
           r.inspected_ha, r.not_inspected);
    for (size_t i = 0; i < r.inspections && i < DM_QC_RECORD_LIST; i++) {
        const dm_qc_recorded *x = &r.list[i];
        printf("  %s of %s: %zu of %zu %s, %.2f ha, %ld item%s found\n", x->ref, x->task_ref, x->plots,
               x->drawn, cli_plural((double)x->drawn, "plot", "plots"), x->ha, x->items, x->items == 1 ? "" : "s");
    }
    if (r.items > 0)
        printf("import the items found, with their places, as found by the inspection (then `demine qc %s`):\n"
               "  demine import %s --layer items ITEMS.csv --set activity_id=%s\n",
               db, db, r.list[0].ref);
    else
        printf("nothing found: `demine qc %s` counts the land inspected\n", db);
    return 0;
}

static int run_qc(dm_ctx *ctx, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "sample"))
        return run_sample(ctx, argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "record"))
        return run_record(ctx, argc - 1, argv + 1);
    static const char *const subs[] = {"sample", "record", NULL};
    if (argc > 1 && cli_subcommand_typo("qc", argv[1], subs))
        return 2;
    static const struct option longopts[] = {{"org", required_argument, 0, 'g'},
                                             {"from", required_argument, 0, 'f'},
                                             {"to", required_argument, 0, 't'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    dm_qc_opts o = {0};
    char from[11] = "", to[11] = "";
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'g': o.org = optarg; break;
        case 'f':
            if (!cli_parse_date(ctx, "qc", "--from", optarg, 0, from))
                return 2;
            o.from = from;
            break;
        case 't':
            if (!cli_parse_date(ctx, "qc", "--to", optarg, 1, to))
                return 2;
            o.to = to;
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("qc", "expected DB (or: qc sample DB ACTIVITY)");
    if (o.from && o.to && strcmp(o.from, o.to) > 0)
        return cli_usage_error("qc", "--from %s is after --to %s", o.from, o.to);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "qc", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_qc_result r;
    dm_status st = dm_qc_measure(s, &o, &r);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "qc", st);
    if (json) {
        char *js = NULL;
        st = dm_qc_json(ctx, &r, &js);
        if (!st)
            printf("%s\n", js);
        dm_free(ctx, js);
    } else {
        print_text(argv[optind], &r);
        if (!r.inspections)
            printf("no quality control inspection (activity_type qc)%s\n",
                   o.from || o.to ? " in these dates" : "");
        else if (!r.n_tasks && o.org)
            printf("no task of %s inspected\n", o.org);
    }
    dm_qc_result_free(ctx, &r);
    if (st)
        return cli_fail(ctx, "qc", st);
    return 0;
}

CLI_COMMAND(qc, "qc", run_qc, "quality control: items missed, measured detection rates")
