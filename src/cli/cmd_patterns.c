/* SPDX-License-Identifier: MIT
 *
 * cmd_patterns.c -- `demine patterns DB`: rows of mines reconstructed from
 * the finds of each hazard, predicted positions of the mines not yet found
 * (the predicted_mines layer), and `--simulate`, the capture-curve
 * evaluation of pattern-guided clearance on a demo database.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine patterns DB [--hazard ID | --all] [--reach METRES] [--dry-run] [--json]\n"
    "       demine patterns DB --simulate [--max-fields N] [--json]\n\n"
    "From the mines found in each hazard (AP and AT items) and the rows of the\n"
    "records lying in it, find rows robustly against clutter (a Hough vote over\n"
    "directions, then the offset peaks), estimate their spacing and offsets, and\n"
    "extend them into ground not yet searched: predicted mine positions with a\n"
    "1-sigma uncertainty and a probability, and the expected number remaining.\n"
    "Land reduced or cleared gets no predictions; land cancelled by non-technical\n"
    "survey (released unsearched) does, flagged (in_cancelled) and reported with\n"
    "its release areas: re-survey them.\n"
    "The predictions replace the hazard's rows of the predicted_mines layer (one\n"
    "transaction), which the risk map reads as evidence.\n\n"
    "  --hazard ID     one hazard (uuid, prefix or ref); default --all\n"
    "  --reach M       how far rows are extended beyond the finds (default 150)\n"
    "  --dry-run       measure only, write nothing (--no-write, as plan says it, too)\n"
    "  --simulate      on a demo database: clear each true doctrinal and nuisance\n"
    "                  minefield in simulation by lanes (pattern-blind), lanes with a\n"
    "                  local search around finds, and guided by rows fitted to the\n"
    "                  finds; report the area under the capture curve and the share\n"
    "                  of area needed to find every mine\n"
    "  --max-fields N  simulate at most N fields of each kind\n"
    "  --json          machine-readable output\n";

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static void print_sim(json_t *r)
{
    const char *kinds[] = {"doctrinal", "nuisance"};
    printf("Capture curves (1 m cells, minefield + %.0f m margin)\n", num(r, "margin_m"));
    printf("%-10s %6s %9s %9s %9s %9s %11s %11s %11s %9s\n", "fields", "n", "AUC lanes", "AUC local",
           "AUC rows", "gain pts", "area lanes", "area local", "area rows", "saved %");
    for (int k = 0; k < 2; k++) {
        json_t *a = json_object_get(r, kinds[k]);
        printf("%-10s %6.0f %9.3f %9.3f %9.3f %9.1f %11.3f %11.3f %11.3f %9.1f\n", kinds[k], num(a, "fields"),
               num(a, "auc_blind"), num(a, "auc_local"), num(a, "auc_guided"), num(a, "auc_gain_points"),
               num(a, "area_all_blind"), num(a, "area_all_local"), num(a, "area_all_guided"),
               num(a, "area_saved_vs_blind_pct"));
    }
    json_t *d = json_object_get(r, "doctrinal");
    printf("doctrinal: rows beat lanes in %.0f of %.0f fields; save 20%% of the area or more in %.0f\n",
           num(d, "guided_beats_blind"), num(d, "fields"), num(d, "guided_saves_20pct"));
}

static void print_run(json_t *r, const char *db)
{
    printf("%-12s %-24s %5s %5s %8s %9s %10s %9s  %s\n", "hazard", "ref", "finds", "rows", "spacing", "predicted",
           "expected", "cancelled", "from");
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r, "hazards"), i, h)
    {
        const char *ref = json_string_value(json_object_get(h, "ref"));
        json_t *rows = json_object_get(h, "rows");
        double sp = json_array_size(rows) ? num(json_array_get(rows, 0), "spacing_m") : 0;
        const char *src = json_string_value(json_object_get(h, "source"));
        /* "rows": fitted to the finds; "records": the recorded mines of the records lying in the hazard */
        const char *from = !num(h, "predicted")              ? "-"
                           : !src || strcmp(src, "records") ? "fitted rows"
                           : num(h, "mines_from_rows") > 0  ? "records' rows"
                                                            : "records' mines";
        printf("%-12.8s %-24.24s %5.0f %5zu %8.2f %9.0f %10.1f %9.0f  %s\n",
               json_string_value(json_object_get(h, "hazard")), ref ? ref : "", num(h, "finds"),
               json_array_size(rows), sp, num(h, "predicted"), num(h, "expected_remaining"), num(h, "in_cancelled"),
               from);
    }
    printf("hazards with rows: %.0f of %.0f; predicted positions %.0f; expected mines remaining %.1f\n",
           num(r, "hazards_with_rows"), num(r, "hazards_examined"), num(r, "predicted"),
           num(r, "expected_remaining"));
    /* predictions in land cancelled by non-technical survey: the
     * cancellation may have been wrong */
    json_array_foreach(json_object_get(r, "hazards"), i, h)
    {
        json_t *areas = json_object_get(h, "cancelled_areas");
        if (!num(h, "in_cancelled"))
            continue;
        const char *ref = json_string_value(json_object_get(h, "ref"));
        printf("%s: %.0f predicted mine%s (expected %.2f) in cancelled land: re-survey release area%s",
               ref && ref[0] ? ref : json_string_value(json_object_get(h, "hazard")), num(h, "in_cancelled"),
               num(h, "in_cancelled") == 1 ? "" : "s", num(h, "expected_in_cancelled"),
               json_array_size(areas) == 1 ? "" : "s");
        size_t k;
        json_t *a;
        json_array_foreach(areas, k, a)
        {
            const char *d = json_string_value(json_object_get(a, "date"));
            printf("%s %.8s (%s%s%.0f predicted)", k ? "," : "", json_string_value(json_object_get(a, "release_area")),
                   d ? d : "", d ? ", " : "", num(a, "predicted"));
        }
        printf("\n");
    }
    if (num(r, "in_cancelled"))
        printf("in cancelled land: %.0f predicted mine%s (expected %.1f) in %.0f release area%s cancelled by "
               "non-technical survey and never searched; re-survey %s before the land is used\n",
               num(r, "in_cancelled"), num(r, "in_cancelled") == 1 ? "" : "s", num(r, "expected_in_cancelled"),
               num(r, "cancelled_areas"),
               num(r, "cancelled_areas") == 1 ? "" : "s", num(r, "cancelled_areas") == 1 ? "it" : "them");
    json_t *pr = json_object_get(r, "problems");
    json_array_foreach(pr, i, h) fprintf(stderr, "warning: %s: %s\n", db, json_string_value(h));
}

static int run_patterns(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"hazard", required_argument, 0, 'z'},
                                             {"all", no_argument, 0, 'a'},
                                             {"reach", required_argument, 0, 'r'},
                                             {"dry-run", no_argument, 0, 'n'},
                                             {"no-write", no_argument, 0, 'n'}, /* as plan says it */
                                             {"simulate", no_argument, 0, 's'},
                                             {"max-fields", required_argument, 0, 'm'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    dm_patterns_opts o = {NULL, 150, 0};
    int json = 0, sim = 0, c;
    long maxf = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'z': o.hazard = optarg; break;
        case 'a': o.hazard = NULL; break;
        case 'r':
            if (!cli_parse_double("patterns", "--reach", optarg, &o.reach_m))
                return 2;
            if (o.reach_m < 0 || o.reach_m > 5000)
                return cli_usage_error("patterns", "--reach takes 0..5000 metres");
            break;
        case 'n': o.dry_run = 1; break;
        case 's': sim = 1; break;
        case 'm':
            if (!cli_parse_long("patterns", "--max-fields", optarg, &maxf))
                return 2;
            if (maxf < 0)
                return cli_usage_error("patterns", "--max-fields takes a count >= 0");
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("patterns", "expected DB");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "patterns", argv[optind], sim || o.dry_run ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    char *js = NULL;
    dm_status st = sim ? dm_patterns_simulate(s, (size_t)maxf, &js) : dm_patterns_run(s, &o, &js);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "patterns", st);
    if (json)
        printf("%s\n", js);
    else {
        json_error_t err;
        json_t *r = json_loads(js, 0, &err);
        if (sim)
            print_sim(r);
        else
            print_run(r, argv[optind]);
        json_decref(r);
    }
    dm_free(ctx, js);
    return 0;
}

CLI_COMMAND(patterns, "patterns", run_patterns, "minefield rows from finds; predicted mines")
