/* SPDX-License-Identifier: MIT
 *
 * cmd_records.c -- `demine records verify|correct`: minefield records
 * measured against released land, finds and accidents (accuracy, coverage,
 * completeness, systematic shift), and a record's shift applied as a new
 * version of it.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

static const char *help =
    "usage: demine records verify DB [--record ID] [--tolerance METRES] [--dry-run] [--json]\n"
    "       demine records correct DB --record ID [--tolerance METRES] [--json]\n\n"
    "verify measures every record (or one) against the land released and the items\n"
    "found in and around it: coverage (share of its perimeter cancelled, reduced or\n"
    "cleared), positional accuracy (share of its recorded mines in land searched,\n"
    "reduced or cleared, with a find within the tolerance, each find confirming one\n"
    "recorded mine; median and 95th percentile offset to the nearest find; mines in\n"
    "land cancelled without search are unverified: in_cancelled), completeness\n"
    "(share of the mines found in its searched part that it lists, each recorded\n"
    "mine listing one find), counts per mine type, the shift and rotation that best align it with\n"
    "the finds (robust registration) and the accuracy after them; and, across all\n"
    "records and per source, the share of items and accidents outside every record.\n"
    "The JSON keeps under many_to_one the figures when one find may confirm several\n"
    "recorded mines (a row recorded 1 m apart over a single find), for comparison.\n"
    "It stores each record's reliability (its accuracy shrunk towards the overall\n"
    "figure by the number of mines checked; the risk map's weight for the record)\n"
    "and the record_matches layer (recorded mine -> the find confirming it, or else\n"
    "the nearest find; offsets), in one transaction. Export the matches with\n"
    "`demine export DB --layer record_matches`.\n\n"
    "correct applies the record's estimated shift and rotation to its perimeter,\n"
    "rows and mines as a new version (the change log keeps the original; see\n"
    "`demine show DB ID`), then re-measures it.\n\n"
    "  --record ID        one record (uuid, prefix or ref)\n"
    "  --tolerance M      match tolerance in metres (default 5)\n"
    "  --dry-run          verify only: write nothing (--no-write, as plan says it, too;\n"
    "                     correct has none: `verify --record ID --dry-run` shows the\n"
    "                     shift it would apply)\n"
    "  --json             machine-readable output\n";

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static void pct(json_t *o, const char *k, char *buf, size_t n)
{
    json_t *v = json_object_get(o, k);
    if (json_is_number(v))
        snprintf(buf, n, "%.1f%%", 100 * json_number_value(v));
    else
        snprintf(buf, n, "-");
}

static void print_verify(json_t *r, const char *db)
{
    printf("%-16s %6s %7s %6s %7s %7s %7s %8s %7s %18s %7s\n", "record", "cover", "checked", "acc", "med m",
           "p95 m", "compl", "shift m", "rot deg", "acc after shift", "weight");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "records"), i, x)
    {
        if (json_is_true(json_object_get(x, "skipped")))
            continue;
        char cov[16], acc[16], comp[16], accs[16], rel[16];
        pct(x, "coverage", cov, sizeof cov);
        pct(x, "accuracy", acc, sizeof acc);
        pct(x, "completeness", comp, sizeof comp);
        json_t *sh = json_object_get(x, "shift");
        pct(sh, "accuracy_after", accs, sizeof accs);
        pct(x, "reliability", rel, sizeof rel);
        int applies = json_is_true(json_object_get(sh, "applies"));
        char med[16] = "-", p95[16] = "-";
        if (json_is_number(json_object_get(x, "offset_median_m"))) {
            snprintf(med, sizeof med, "%.1f", num(x, "offset_median_m"));
            snprintf(p95, sizeof p95, "%.1f", num(x, "offset_p95_m"));
        }
        const char *ref = json_string_value(json_object_get(x, "ref"));
        printf("%-16.16s %6s %7.0f %6s %7s %7s %7s %8.1f %7.1f %18s %7s\n",
               ref && ref[0] ? ref : json_string_value(json_object_get(x, "record")), cov, num(x, "checked"), acc,
               med, p95, comp, applies ? hypot(num(sh, "dx_m"), num(sh, "dy_m")) : 0.0,
               applies ? num(sh, "rotation_deg") : 0.0, accs, rel);
    }
    char acc[16], accs[16];
    pct(r, "accuracy", acc, sizeof acc);
    pct(r, "accuracy_after_shift", accs, sizeof accs);
    printf("\nRecords verified: %.0f of %.0f; recorded mines checked in land searched (reduced or cleared): %.0f\n",
           num(r, "records_verified"), num(r, "records_examined"), num(r, "checked_mines"));
    if (num(r, "in_cancelled") > 0)
        printf("Recorded mines in land cancelled without search: %.0f (unverified, not counted as checked)\n",
               num(r, "in_cancelled"));
    if (num(r, "mines_from_rows") > 0)
        printf("Mines derived from records given as rows only (count or spacing along each row): %.0f, checked "
               "as recorded mines\n",
               num(r, "mines_from_rows"));
    /* records not measured now that keep a reliability stored before */
    size_t kept = 0;
    char names[256] = "";
    json_array_foreach(json_object_get(r, "records"), i, x)
    {
        json_t *st = json_object_get(x, "reliability_stored");
        if (!json_is_number(st) || json_is_true(json_object_get(x, "skipped")))
            continue;
        const char *ref = json_string_value(json_object_get(x, "ref"));
        size_t len = strlen(names);
        if (kept < 3 && len < sizeof names - 64)
            snprintf(names + len, sizeof names - len, "%s%s %.3g", kept ? ", " : "",
                     ref && ref[0] ? ref : json_string_value(json_object_get(x, "record")), json_number_value(st));
        kept++;
    }
    if (kept)
        printf("%zu record%s with no mine checked keep%s the reliability stored before (%s%s), which the\n"
               "  risk map uses; `demine edit %s REF reliability=` clears it\n",
               kept, kept > 1 ? "s" : "", kept > 1 ? "" : "s", names, kept > 3 ? ", ..." : "", db);
    char acca[16];
    pct(r, "accuracy_all_mines", acca, sizeof acca);
    printf("Positional accuracy (within %.1f m, each find confirming one recorded mine): %s of the mines\n"
           "  checked; %s of all their recorded mines (each record's accuracy over its mines); after each\n"
           "  record's shift: %s\n",
           num(r, "tolerance_m"), acc, acca, accs);
    json_t *m2o = json_object_get(r, "many_to_one");
    char macc[16], macca[16], comp[16];
    pct(m2o, "accuracy", macc, sizeof macc);
    pct(m2o, "accuracy_all_mines", macca, sizeof macca);
    printf("  a find counted for every recorded mine near it (many-to-one): %s and %s;\n"
           "  %.0f finds were the nearest of two or more recorded mines\n",
           macc, macca, num(m2o, "finds_shared"));
    pct(r, "completeness", comp, sizeof comp);
    printf("Completeness: %s of the %.0f mines found in the records' searched land are listed\n", comp,
           num(r, "found_in_released"));
    json_t *demo = json_object_get(r, "demo_record_accuracy_5m");
    if (json_is_number(demo))
        printf("Demo scenario: %.1f%% of the recorded mines of every record lie within 5 m of a real one\n"
               "  (many-to-one, as the generator drew them; compare %s above)\n",
               100 * json_number_value(demo), macca);
    const char *key;
    json_object_foreach(json_object_get(r, "by_source"), key, x)
    {
        char a[16];
        pct(x, "accuracy", a, sizeof a);
        printf("  %-40.40s records %3.0f  checked %6.0f  accuracy %s\n", key, num(x, "records"), num(x, "checked"), a);
    }
    json_t *out = json_object_get(r, "outside");
    if (out) {
        char oi[16], oa[16];
        pct(out, "items_outside", oi, sizeof oi);
        pct(out, "accidents_outside", oa, sizeof oa);
        printf("Outside every record: %s of %.0f %s found, %s of %.0f %s\n", oi, num(out, "items"),
               cli_plural(num(out, "items"), "item", "items"), oa, num(out, "accidents"),
               cli_plural(num(out, "accidents"), "accident", "accidents"));
        json_object_foreach(json_object_get(out, "by_source"), key, x)
        {
            pct(x, "items_outside", oi, sizeof oi);
            pct(x, "accidents_outside", oa, sizeof oa);
            printf("  outside every record of %-40.40s items %s, accidents %s\n", key, oi, oa);
        }
    }
    json_array_foreach(json_object_get(r, "problems"), i, x)
        fprintf(stderr, "warning: %s: %s\n", db, json_string_value(x));
}

static int run_records(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"record", required_argument, 0, 'r'},
                                             {"tolerance", required_argument, 0, 't'},
                                             {"dry-run", no_argument, 0, 'n'},
                                             {"no-write", no_argument, 0, 'n'}, /* as plan says it */
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    if (argc < 2 || cli_is_help(argv[1]))
        return argc < 2 ? cli_usage_error("records", "expected verify or correct (see --help)") : cli_help(help);
    const char *sub = argv[1];
    static const char *const subs[] = {"verify", "correct", NULL};
    if (strcmp(sub, "verify") && strcmp(sub, "correct"))
        return cli_unknown_subcommand("records", sub, subs);
    dm_verify_opts o = {NULL, 5, 300, 0};
    int json = 0, c;
    optind = 2;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o.record = optarg; break;
        case 't':
            if (!cli_parse_double("records", "--tolerance", optarg, &o.tolerance_m))
                return 2;
            if (!(o.tolerance_m > 0) || o.tolerance_m > 1000)
                return cli_usage_error("records", "--tolerance takes metres, more than 0 and at most 1000");
            break;
        case 'n': o.dry_run = 1; break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("records", "expected DB");
    int correct = !strcmp(sub, "correct");
    if (correct && !o.record)
        return cli_usage_error("records", "correct needs --record ID");
    if (correct && o.dry_run)
        return cli_usage_error("records", "correct has no --dry-run: `demine records verify DB --record %s --dry-run` "
                               "shows the shift it would apply (shift applies, dx_m, dy_m, rotation_deg)", o.record);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "records", argv[optind], o.dry_run ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    char *js = NULL;
    dm_status st = correct ? dm_records_correct(s, o.record, o.tolerance_m, &js) : dm_records_verify(s, &o, &js);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "records", st);
    if (json)
        printf("%s\n", js);
    else {
        json_error_t err;
        json_t *r = json_loads(js, 0, &err);
        if (correct)
            printf("Record corrected; the original stays in its history.\n");
        print_verify(r, argv[optind]);
        json_decref(r);
    }
    dm_free(ctx, js);
    return 0;
}

CLI_COMMAND(records, "records", run_records, "verify minefield records against finds; correct shifts")
