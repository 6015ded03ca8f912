/* SPDX-License-Identifier: MIT
 *
 * cmd_eore.c -- `demine eore DB`: which settlements near dangerous land and
 * accidents explosive ordnance risk education (EORE) has not reached, ranked
 * by the people there times the danger around them (dm_eore.h).
 */
#include "cli.h"
#include "cli_table.h"
#include "demine/dm_eore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *help =
    "usage: demine eore DB [--within KM] [--since DATE] [--district NAME] [--top N]\n"
    "                      [--date DATE] [--json] [--csv FILE]\n\n"
    "Explosive ordnance risk education (EORE): for each settlement (layer features,\n"
    "class settlement) the people there (population + returning), the danger\n"
    "within KM of it (open and partly released hazards: their count, remaining\n"
    "hectares and the risk map's expected items; civilian accidents of the last\n"
    "5 years, with killed and injured), the sessions of layer eore_sessions held\n"
    "there since DATE (a session's settlement field naming it, in any case, else\n"
    "its point within 1 km of it) and the people they reached; the settlements\n"
    "near danger that no session reached are ranked by\n\n"
    "    priority = (population + returning) x danger\n"
    "    danger   = expected items of the hazards within KM (without a risk map:\n"
    "               their remaining hectares) + 5 per accident within KM\n\n"
    "and those reached are listed after them (docs/eore.md).\n\n"
    "  --within KM      the distance of danger around a settlement (default 2)\n"
    "  --since DATE     sessions on or after DATE reach a settlement (default: 2\n"
    "                   years before the newest session)\n"
    "  --district NAME  the settlements of that district alone (the district polygon\n"
    "                   that holds them)\n"
    "  --top N          print the first N settlements (default 20; 0: all)\n"
    "  --date DATE      the day of the analysis: accidents of the 5 years before it\n"
    "                   (default today)\n"
    "  --json           print the whole ranking as JSON (with each settlement's\n"
    "                   lon/lat, WGS 84)\n"
    "  --csv FILE       write the whole ranking to FILE (CSV, with lon/lat), which\n"
    "                   must not exist\n";

static void fmt_num(double v, int decimals, char *out, size_t n)
{
    snprintf(out, n, "%.*f", decimals, v);
}

static void csv_text(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const char *path, const dm_eore_result *r)
{
    FILE *f = fopen(path, "wx");
    if (!f) {
        fprintf(stderr, "demine eore: --csv %s: cannot create it (%s)\n", path,
                access(path, F_OK) == 0 ? "it exists: give another name" : "check the directory");
        return 3;
    }
    fputs("rank,settlement,district,population,returning,people,hazards,remaining_ha,expected_items,"
          "accidents,killed,injured,sessions,men,women,boys,girls,reached_people,last_session,reached,"
          "danger,priority,note,lon,lat\n",
          f);
    for (size_t i = 0; i < r->n; i++) {
        const dm_eore_settlement *e = &r->v[i];
        if (e->rank)
            fprintf(f, "%d", e->rank);
        fputc(',', f);
        csv_text(f, e->name);
        fputc(',', f);
        csv_text(f, e->district);
        if (e->has_population)
            fprintf(f, ",%ld,%ld", e->population, e->returning);
        else
            fputs(",,", f);
        fprintf(f, ",%ld,%d,%.2f,", e->people, e->hazards, e->remaining_ha);
        if (!r->by_hectares)
            fprintf(f, "%.2f", e->expected_items);
        fprintf(f, ",%d,%d,%d,%d,%ld,%ld,%ld,%ld,%ld,%s,%s,%.2f,%.1f,", e->accidents, e->killed, e->injured,
                e->sessions, e->men, e->women, e->boys, e->girls, e->reached, e->last_session,
                e->is_reached ? "yes" : "no", e->danger, e->priority);
        csv_text(f, e->note);
        if (isfinite(e->lon) && isfinite(e->lat))
            fprintf(f, ",%.6f,%.6f\n", e->lon, e->lat);
        else
            fputs(",,\n", f);
    }
    int bad = ferror(f);
    if (fclose(f) || bad) {
        fprintf(stderr, "demine eore: --csv %s: write failed\n", path);
        remove(path);
        return 3;
    }
    return 0;
}

static void print_text(const char *db, const dm_eore_result *r, long top)
{
    char km[32];
    fmt_num(r->within_km, r->within_km == floor(r->within_km) ? 0 : 1, km, sizeof km);
    printf("EORE priorities of %s%s%s on %s: settlements within %s km of open hazards or of civilian "
           "accidents after %s\n",
           db, r->district[0] ? ", the district " : "", r->district, r->date, km, r->accidents_from);
    if (r->by_hectares)
        printf("danger: remaining hectares of the hazards within %s km (no risk map: run demine risk map DB "
               "to rank by expected items) + %g per accident; priority: people x danger\n",
               km, DM_EORE_ACCIDENT_WEIGHT);
    else
        printf("danger: expected items of the hazards within %s km (risk map%s%s) + %g per accident; "
               "priority: people x danger\n",
               km, r->risk_map[0] ? " " : "", r->risk_map, DM_EORE_ACCIDENT_WEIGHT);
    if (r->sessions)
        printf("sessions%s: %zu recorded, the newest %s; %zu since %s reached %ld people\n",
               r->district[0] ? " (every district)" : "", r->sessions, r->newest, r->sessions_since, r->since,
               r->reached_people);
    else
        printf("sessions: none recorded (layer eore_sessions%s): no settlement is reached\n",
               r->has_layer ? " is empty" : " is not in this database yet");
    if (!r->n) {
        printf("no settlement%s has an open hazard or an accident within %s km\n",
               r->district[0] ? " of the district" : "", km);
    } else {
        size_t shown = top > 0 && (size_t)top < r->n ? (size_t)top : r->n;
        int wn = cli_text_width("settlement"), wd = cli_text_width("district");
        for (size_t i = 0; i < shown; i++) {
            wn = cli_width_fit(wn, r->v[i].name, 28);
            wd = cli_width_fit(wd, r->v[i].district, 16);
        }
        printf("\n%-4s ", "rank");
        cli_print_cell("settlement", wn);
        putchar(' ');
        cli_print_cell("district", wd);
        printf(" %8s %7s %9s %9s %11s %8s %8s %12s %10s  %s\n", "people", "hazards", "remain ha",
               "exp items", "accidents", "sessions", "reached", "last session",
               "priority", "note");
        for (size_t i = 0; i < shown; i++) {
            const dm_eore_settlement *e = &r->v[i];
            char rank[16], items[32], acc[48], pri[32];
            if (e->rank)
                snprintf(rank, sizeof rank, "%d", e->rank);
            else
                snprintf(rank, sizeof rank, "-");
            if (r->by_hectares)
                snprintf(items, sizeof items, "-");
            else
                fmt_num(e->expected_items, 1, items, sizeof items);
            snprintf(acc, sizeof acc, "%d (%d/%d)", e->accidents, e->killed, e->injured);
            if (e->is_reached)
                snprintf(pri, sizeof pri, "reached");
            else
                fmt_num(e->priority, 0, pri, sizeof pri);
            printf("%-4s ", rank);
            cli_print_cell(e->name, wn);
            putchar(' ');
            cli_print_cell(e->district[0] ? e->district : NULL, wd);
            printf(" %8ld %7d %9.1f %9s %11s %8d %8ld %12s %10s  %s\n", e->people, e->hazards, e->remaining_ha,
                   items, acc, e->sessions, e->reached, e->last_session[0] ? e->last_session : "-", pri,
                   e->note);
        }
        if (shown < r->n)
            printf("... and %zu more (--top 0 lists them all)\n", r->n - shown);
        printf("accidents: civilian accidents within %s km after %s (killed/injured); reached: people the "
               "sessions since %s reached\n",
               km, r->accidents_from, r->since[0] ? r->since : "-");
    }
    printf("\nsettlements near danger: %zu of %zu; reached since %s: %zu; not reached: %zu, with %ld people\n", r->n,
           r->settlements, r->since[0] ? r->since : "(no session)", r->reached, r->not_reached,
           r->people_not_reached);
    if (r->no_geometry)
        printf("note: %zu settlement%s without a geometry left out (no distance to measure)\n", r->no_geometry,
               r->no_geometry == 1 ? "" : "s");
    if (r->sessions_unmatched)
        printf("note: %zu session%s of no settlement (their settlement names none, and their point is not "
               "within 1 km of one); the first: %s\n",
               r->sessions_unmatched, r->sessions_unmatched == 1 ? "" : "s", r->first_unmatched);
    if (r->hazards_unmapped)
        printf("note: %zu open hazard%s near settlements without expected_items (the first: %s) count no items: "
               "rerun demine risk map DB\n",
               r->hazards_unmapped, r->hazards_unmapped == 1 ? "" : "s", r->first_unmapped);
}

static int run_eore(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"within", required_argument, 0, 'w'},
                                             {"since", required_argument, 0, 's'},
                                             {"district", required_argument, 0, 'd'},
                                             {"top", required_argument, 0, 'n'},
                                             {"date", required_argument, 0, 'D'},
                                             {"json", no_argument, 0, 'j'},
                                             {"csv", required_argument, 0, 'c'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    dm_eore_opts o = {0};
    char since[11], date[11];
    const char *csv = NULL, *db = NULL;
    long top = 20;
    int json = 0, c;
    o.within_km = 2;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (!cli_parse_double("eore", "--within", optarg, &o.within_km))
                return 2;
            if (!(o.within_km > 0))
                return cli_usage_error("eore", "--within %s: the distance must be more than 0 km", optarg);
            break;
        case 's':
            if (!cli_parse_date(ctx, "eore", "--since", optarg, 0, since))
                return 2;
            o.since = since;
            break;
        case 'D':
            if (!cli_parse_date(ctx, "eore", "--date", optarg, 0, date))
                return 2;
            o.date = date;
            break;
        case 'd':
            if (!*optarg)
                return cli_usage_error("eore", "--district: an empty name");
            o.district = optarg;
            break;
        case 'n':
            if (!cli_parse_long("eore", "--top", optarg, &top))
                return 2;
            if (top < 0)
                return cli_usage_error("eore", "--top %s: a number of settlements, 0 or more", optarg);
            break;
        case 'j': json = 1; break;
        case 'c': csv = optarg; break;
        case 'h': return cli_help(help);
        default: return 2;
        }
    }
    for (int i = optind; i < argc; i++)
        if (cli_positional("eore", argv[i], &db, NULL))
            return 2;
    if (!db)
        return cli_usage_error("eore", "expected DB");
    if (csv && cli_writes_over("eore", "--csv", csv, "database", db))
        return 2;
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "eore", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_eore_result r;
    dm_status st = dm_eore_rank(s, &o, &r);
    dm_store_close(s);
    if (st)
        return cli_fail(ctx, "eore", st);
    rc = 0;
    if (json) {
        char *js = NULL;
        st = dm_eore_json(ctx, &r, &js);
        if (!st)
            printf("%s\n", js);
        dm_free(ctx, js);
    } else
        print_text(db, &r, top);
    if (!st && csv) {
        rc = write_csv(csv, &r);
        if (!rc && !json)
            printf("wrote %s (%zu %s)\n", csv, r.n, cli_plural(r.n, "settlement", "settlements"));
    }
    dm_eore_result_free(ctx, &r);
    if (st)
        return cli_fail(ctx, "eore", st);
    return rc;
}

CLI_COMMAND(eore, "eore", run_eore, "risk education: settlements near danger no session reached")
