/* SPDX-License-Identifier: MIT
 *
 * cmd_stats.c -- `demine stats DB [--by ...]`: land release statistics as
 * readable tables or JSON.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine stats DB [--by district|year|method|organisation]\n"
    "                       [--district NAME... | --exclude-district NAME...] [--json]\n\n"
    "Land release statistics: hazard area (SHA/CHA) and what remains, area cancelled\n"
    "(non-technical survey), reduced (technical survey) and cleared, by year and\n"
    "method, the share of the contaminated area released, items found by category\n"
    "and year, accidents and victims by year, civilian, deminer and military. --by\n"
    "adds a table grouped by district, year, method or organisation. Areas in hectares.\n"
    "--district NAME (repeatable) counts those districts alone, --exclude-district\n"
    "every district but those: a row's district is its field district (a release\n"
    "area's and a find's: its hazard's), else the district polygon that holds it, as\n"
    "in the table by district, 'plan --district' and 'report --district'.\n\n"
    "Land is counted once: where release areas of the same hazard overlap, the\n"
    "overlap counts for one route only, cleared before reduced before cancelled\n"
    "before an unknown outcome (and, within a route, for the earlier release).\n"
    "The 'unknown' column holds release areas whose outcome is missing or not a\n"
    "route (see demine check).\n\n"
    "Only approved data counts: field reports awaiting review or rejected (their\n"
    "activities, release areas and items), which 'demine list' counts among the\n"
    "rows, are left out and said how many.\n";

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* Characters (not bytes) of UTF-8 text s. */
static int utf8_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The width of a table's first column: its title and every key whole (two
 * organisations may share their first 22 letters), at least 22. */
static int key_width(json_t *obj, const char *title)
{
    int w = 22, n = utf8_chars(title);
    if (n > w)
        w = n;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if ((n = utf8_chars(key)) > w)
            w = n;
    }
    return w;
}

/* key padded to w characters: printf pads by bytes, and would cut a
 * letter of two (Azerbaijani ə, ş) in half */
static void print_key(const char *key, int w)
{
    int n = utf8_chars(key);
    printf("%s%*s", key, n < w ? w - n : 0, "");
}

static void print_release_table(json_t *obj, const char *title)
{
    /* the last column holds release areas whose outcome is missing or not
     * a route, so that each row adds up to what the headline counts; no
     * table of headings alone when nothing was released */
    if (!json_object_size(obj))
        return;
    int w = key_width(obj, title);
    printf("\n");
    print_key(title, w);
    printf(" %12s %12s %12s %12s\n", "cancelled", "reduced", "cleared", "unknown");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        print_key(key, w);
        printf(" %12.2f %12.2f %12.2f %12.2f\n", num(v, "cancelled_ha"),
               num(v, "reduced_ha"), num(v, "cleared_ha"), num(v, "unknown_ha"));
    }
}

static int is_year(const char *k)
{
    return strlen(k) == 4 && strspn(k, "0123456789") == 4;
}

/* One row of the accidents by year; v NULL: a year without accidents. */
static void print_accident_row(const char *key, json_t *v)
{
    printf("%-10s %9.0f %8.0f %8.0f %9.0f %8.0f %8.0f\n", key, num(v, "accidents"), num(v, "killed"),
           num(v, "injured"), num(v, "civilian"), num(v, "deminer"), num(v, "military"));
}

static void print_eore_row(const char *key, int w, json_t *v)
{
    print_key(key, w);
    printf(" %8.0f %14.0f %8.0f %8.0f %8.0f %8.0f\n", num(v, "sessions"), num(v, "beneficiaries"), num(v, "men"),
           num(v, "women"), num(v, "boys"), num(v, "girls"));
}

/* Explosive ordnance risk education: sessions and the people reached, by
 * year and by district. */
static void print_eore(json_t *eo)
{
    if (!eo)
        return;
    if (!num(eo, "sessions")) {
        printf("\nRisk education (EORE): no session recorded\n");
        return;
    }
    printf("\nRisk education (EORE): %.0f session%s; %.0f people reached (men %.0f, women %.0f, boys %.0f, "
           "girls %.0f)\n",
           num(eo, "sessions"), num(eo, "sessions") == 1 ? "" : "s", num(eo, "beneficiaries"), num(eo, "men"), num(eo, "women"), num(eo, "boys"),
           num(eo, "girls"));
    const char *key;
    json_t *v;
    static const char *const what[2] = {"by_year", "by_district"};
    for (int k = 0; k < 2; k++) {
        json_t *by = json_object_get(eo, what[k]);
        if (!json_object_size(by))
            continue;
        int w = key_width(by, k ? "district" : "year");
        if (w < 10)
            w = 10;
        printf("%-*s %8s %14s %8s %8s %8s %8s\n", w, k ? "district" : "year", "sessions", "people reached", "men",
               "women", "boys", "girls");
        json_object_foreach(by, key, v)
        {
            print_eore_row(key, w, v);
        }
    }
}

static void print_text(json_t *r)
{
    json_t *hz = json_object_get(r, "hazards");
    const char *scope = json_string_value(json_object_get(r, "scope"));
    if (scope)
        printf("Statistics of %s alone (a row's district: its field district, else the district polygon "
               "that holds it)\n",
               scope);
    json_t *sha = json_object_get(json_object_get(hz, "by_type"), "SHA");
    json_t *cha = json_object_get(json_object_get(hz, "by_type"), "CHA");
    printf("Hazard areas: %lld  (SHA %.0f: %.2f ha, %.2f ha remaining; CHA %.0f: %.2f ha, %.2f ha "
           "remaining)\n",
           (long long)json_integer_value(json_object_get(hz, "count")), num(sha, "count"),
           num(sha, "area_ha"), num(sha, "remaining_ha"), num(cha, "count"), num(cha, "area_ha"),
           num(cha, "remaining_ha"));
    const char *key;
    json_t *v;
    printf("  by status:%s", json_object_size(json_object_get(hz, "by_status")) ? "" : " none");
    json_object_foreach(json_object_get(hz, "by_status"), key, v)
    {
        printf("  %s %.0f (%.2f ha)", key, num(v, "count"), num(v, "area_ha"));
    }
    json_t *rel = json_object_get(r, "released");
    printf("\nLand released: %.2f ha  (cancelled %.2f, reduced %.2f, cleared %.2f", num(rel, "total_ha"),
           num(rel, "cancelled_ha"), num(rel, "reduced_ha"), num(rel, "cleared_ha"));
    if (json_object_get(rel, "unknown_ha"))
        printf(", outcome missing or unknown %.2f: see demine check", num(rel, "unknown_ha"));
    printf(")\n");
    json_t *share = json_object_get(r, "share_released");
    if (json_is_number(share))
        printf("Share of the contaminated area released: %.1f%%\n", 100 * json_number_value(share));
    if (json_object_get(r, "released_by_year"))
        print_release_table(json_object_get(r, "released_by_year"), "released by year (ha)");
    if (json_object_get(r, "released_by_method"))
        print_release_table(json_object_get(r, "released_by_method"), "released by method (ha)");
    json_t *it = json_object_get(r, "items");
    printf("\nExplosive ordnance found: %.0f\n  by category:%s", num(it, "total"),
           json_object_size(json_object_get(it, "by_category")) ? "" : " none");
    json_object_foreach(json_object_get(it, "by_category"), key, v)
    {
        printf("  %s %.0f", key, json_number_value(v));
    }
    json_t *na = json_object_get(r, "not_approved");
    if (json_object_size(na)) {
        long d = (long)num(na, "drafts"), rj = (long)num(na, "rejected"), ni = (long)num(na, "items");
        printf("\n  not counted: ");
        if (ni)
            printf("%ld item%s of ", ni, ni == 1 ? "" : "s");
        if (d)
            printf("%ld field report%s awaiting review%s", d, d == 1 ? "" : "s", rj ? " and " : "");
        if (rj && d)
            printf("%ld rejected", rj);
        else if (rj)
            printf("%ld rejected field report%s", rj, rj == 1 ? "" : "s");
    }
    json_t *acc = json_object_get(r, "accidents"), *vic = json_object_get(r, "victims");
    printf("\n\nAccidents: %lld; victims %.0f (killed %.0f, injured %.0f; civilians %.0f, deminers "
           "%.0f, military %.0f; women and girls %.0f, children %.0f)\n",
           (long long)json_integer_value(json_object_get(acc, "count")), num(vic, "total"),
           num(vic, "killed"), num(vic, "injured"), num(vic, "civilian"), num(vic, "deminer"),
           num(vic, "military"), num(vic, "female"), num(vic, "children"));
    if (json_object_size(json_object_get(acc, "by_year")))
        printf("%-10s %9s %8s %8s %9s %8s %8s\n", "year", "accidents", "killed", "injured", "civilians",
               "deminers", "military");
    /* every year from the first to the last, 0 where there was no accident
     * (as the report's chart draws them), then keys that are no year */
    json_t *by_year = json_object_get(acc, "by_year");
    int lo = 0, hi = -1;
    json_object_foreach(by_year, key, v)
    {
        if (is_year(key)) {
            int yr = (int)strtol(key, NULL, 10);
            if (hi < lo || yr < lo)
                lo = yr;
            if (hi < lo || yr > hi)
                hi = yr;
        }
    }
    for (int yr = lo; hi >= lo && yr <= hi; yr++) {
        char y[16];
        snprintf(y, sizeof y, "%d", yr);
        print_accident_row(y, json_object_get(by_year, y));
    }
    json_object_foreach(by_year, key, v)
    {
        if (!is_year(key))
            print_accident_row(key, v);
    }
    json_t *groups = json_object_get(r, "groups");
    if (groups && !json_object_size(groups))
        printf("\nby %s: none\n", json_string_value(json_object_get(r, "by")));
    else if (groups) {
        int w = key_width(groups, "");
        printf("\nby %s:\n%*s %7s %10s %10s %10s %10s %10s %10s %7s %9s\n",
               json_string_value(json_object_get(r, "by")), w, "", "hazards", "SHA ha", "CHA ha",
               "remain ha", "cancel ha", "reduce ha", "clear ha", "items", "accidents");
        json_object_foreach(groups, key, v)
        {
            print_key(key, w);
            printf(" %7.0f %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %7.0f %9.0f\n",
                   num(v, "hazards"), num(v, "sha_ha"), num(v, "cha_ha"), num(v, "remaining_ha"),
                   num(v, "cancelled_ha"), num(v, "reduced_ha"), num(v, "cleared_ha"),
                   num(v, "items"), num(v, "accidents"));
        }
    }
    print_eore(json_object_get(r, "eore"));
}

static int run_stats(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"by", required_argument, 0, 'b'},
                                             {"district", required_argument, 0, 'd'},
                                             {"exclude-district", required_argument, 0, 'x'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int by = DM_STATS_BY_NONE, json = 0, c;
    const char *names[64];
    size_t n_names = 0;
    int inc = 0, exc = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            by = dm_stats_by_parse(optarg);
            if (by < 0)
                return cli_usage_error("stats", "--by takes district, year, method or organisation");
            break;
        case 'd':
        case 'x':
            if (n_names == sizeof names / sizeof names[0])
                return cli_usage_error("stats", "at most 64 districts");
            names[n_names++] = optarg;
            inc |= c == 'd', exc |= c == 'x';
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("stats", "expected DB");
    if (inc && exc)
        return cli_usage_error("stats", "--district and --exclude-district do not go together");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "stats", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    char *js = NULL;
    dm_status st = dm_stats_json_districts(s, (dm_stats_by)by, names, n_names, exc, &js);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "stats", st);
    if (json)
        printf("%s\n", js);
    else {
        json_error_t err;
        json_t *r = json_loads(js, 0, &err);
        print_text(r);
        json_decref(r);
    }
    dm_free(ctx, js);
    return 0;
}

CLI_COMMAND(stats, "stats", run_stats, "land release statistics")
