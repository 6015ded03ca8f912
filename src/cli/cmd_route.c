/* SPDX-License-Identifier: MIT
 *
 * cmd_route.c -- `demine route`: the least dangerous way from A to B on the
 * risk map, and `demine route check`: the risk figures of a given line, with
 * its most dangerous stretches. Parses options, calls dm_route_find /
 * dm_route_check, prints the figures and writes GeoJSON.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine route [DB] --from LON,LAT --to LON,LAT [--risk RISK.tif] [options]\n"
    "       demine route check [DB] --line FILE [--risk RISK.tif] [options]\n\n"
    "Find the least dangerous route between two WGS 84 points on the risk map\n"
    "(8-connected least-cost path: cost = distance + risk weight x expected items\n"
    "met; cells above --avoid-above are impassable; cleared roads and tracks of the\n"
    "database are preferred and carry no risk), or check a given line (any vector\n"
    "format and CRS; its parts are joined in file order). Prints the length, the\n"
    "expected number of items met, the probability of meeting none, a verdict\n"
    "(low < 0.1% < moderate < 1% < high; blocked; unknown) and the most dangerous\n"
    "stretches. The risk map is --risk, or the database's recorded risk map\n"
    "(metadata key risk_map). DB may be left out when --risk is given.\n"
    "With DB, the hazards still in force (not closed or handed over) that the\n"
    "path enters are named with the metres walked in each: a route of low\n"
    "figures can still cross a large suspected area of low probability per cell.\n\n"
    "options:\n"
    "  --risk FILE          risk GeoTIFF (band 1 = probability of an item per cell)\n"
    "  --avoid-above P      cells with probability above P are impassable (default 1)\n"
    "  --risk-weight W      cost of one expected item, in metres of walking (default 1e6)\n"
    "  --dist-weight W      cost of one metre (default 1)\n"
    "  --road-factor F      distance weight multiplier on cleared roads (default 0.5)\n"
    "  --no-roads           ignore the database's cleared roads\n"
    "  --avoid-hazards      keep out of the hazards still in force (except on\n"
    "                       cleared roads); needs DB\n"
    "  --nodata-p P         probability assumed where the map has no data\n"
    "                       (default: no-data cells are impassable)\n"
    "  --margin M           search window: box around A and B grown by M metres\n"
    "                       (default max(2000, half the A-B distance))\n"
    "  --model prob|density prob: lambda = -ln(1-p) per cell crossed (default);\n"
    "                       density: band 2 items/ha x --swath metres x length\n"
    "  --swath M            width of ground a walker touches (density; default 1)\n"
    "  --stretch M          length of the ranked stretches (default 100)\n"
    "  --stretches N        how many dangerous stretches to list (default 5)\n"
    "  --threads N          1: one search front; 2 (default on 2+ cores): two fronts\n"
    "                       meeting in the middle, one thread each\n"
    "  --out FILE           write the route and its stretches as GeoJSON\n"
    "  --public             what the public map answers: only the route, its length\n"
    "                       and the verdict, planned on the map coarsened to 50 m\n"
    "                       blocks with a 2 km margin (unless --margin) and (with DB)\n"
    "                       around the public danger zones; points at most 10 km\n"
    "                       apart, and no --avoid-above, as on the server\n"
    "  --json               print the figures as JSON\n";

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fputc('\n', f) == EOF) {
        if (f)
            fclose(f);
        fprintf(stderr, "demine route: cannot write %s\n", path);
        return 3;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "demine route: cannot write %s\n", path);
        return 3;
    }
    return 0;
}

static void print_hazards(const dm_route_result *r)
{
    if (!r->hazards_checked)
        return;
    if (!r->n_hazards) {
        printf("  enters no hazard in force\n");
        return;
    }
    double in = 0;
    for (size_t i = 0; i < r->n_hazards; i++)
        in += r->hazards[i].length_m;
    printf("  WARNING: enters %zu hazard%s in force, %.0f m inside (--avoid-hazards keeps out):\n",
           r->n_hazards, r->n_hazards > 1 ? "s" : "", in);
    for (size_t i = 0; i < r->n_hazards; i++) {
        const dm_route_hazard *h = &r->hazards[i];
        printf("      %-16s %-16s %6.0f m inside, between %.0f and %.0f m along\n", h->ref, h->status,
               h->length_m, h->from_m, h->to_m);
    }
}

static void print_human(const dm_route_result *r, int public_only)
{
    printf("%s: %.0f m, verdict: %s\n", r->found ? "route" : "line", r->length_m, r->verdict);
    if (public_only)
        return;
    printf("  expected items met %.6g, probability of meeting none %.4f%%, highest cell"
           " probability %.4g\n",
           r->items, 100 * r->p_none, r->max_p);
    if (r->cluster > 1)
        printf("  (the map counts %.3g items a cell holding any: items come in clusters)\n",
               r->cluster);
    if (r->found)
        printf("  cost %.1f\n", r->cost);
    if (r->road_m > 0)
        printf("  on cleared roads %.0f m\n", r->road_m);
    if (r->impassable_m > 0)
        printf("  through cells above the threshold %.0f m\n", r->impassable_m);
    if (r->nodata_m > 0)
        printf("  through cells without data %.0f m\n", r->nodata_m);
    if (r->outside_m > 0)
        printf("  outside the risk map %.0f m\n", r->outside_m);
    print_hazards(r);
    if (r->n_stretches) {
        printf("  most dangerous stretches:\n");
        for (size_t i = 0; i < r->n_stretches; i++) {
            const dm_route_stretch *s = &r->stretches[i];
            printf("  %2zu. %6.0f - %6.0f m  expected items %.4g  highest p %.4g  from %.6f,%.6f"
                   " to %.6f,%.6f\n",
                   i + 1, s->from_m, s->to_m, s->items, s->max_p, s->lon0, s->lat0, s->lon1,
                   s->lat1);
        }
    }
    if (r->found)
        printf("  search: %llu cells in the window, %llu settled, %.0f MiB, read %.2f s,"
               " search %.2f s\n",
               (unsigned long long)r->cells_window, (unsigned long long)r->cells_settled,
               (double)r->mem_bytes / 1048576.0, r->seconds_read, r->seconds_search);
}

static int run_route(dm_ctx *ctx, int argc, char **argv)
{
    int check = argc >= 2 && !strcmp(argv[1], "check");
    static const char *const subs[] = {"check", NULL};
    if (!check && argc >= 2 && cli_subcommand_typo("route", argv[1], subs))
        return 2;
    const char *cmd = check ? "route check" : "route";
    const char *db = NULL, *risk = NULL, *out = NULL, *line = NULL;
    int have_from = 0, have_to = 0, json = 0, public_only = 0, no_roads = 0, margin_given = 0;
    int avoid_hazards = 0;
    double lon0 = 0, lat0 = 0, lon1 = 0, lat1 = 0;
    dm_route_opts o;
    dm_route_opts_default(&o);
    for (int i = check ? 2 : 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (cli_is_help(a))
            return cli_help(help);
        if (a[0] != '-' || !a[1]) {
            if (db)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            db = a;
            continue;
        }
        int flag = !strcmp(a, "--json") || !strcmp(a, "--public") || !strcmp(a, "--no-roads") ||
                   !strcmp(a, "--avoid-hazards");
        if (!flag && !v)
            return cli_usage_error(cmd, "%s needs a value", a);
        if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "--public"))
            public_only = 1;
        else if (!strcmp(a, "--no-roads"))
            no_roads = 1;
        else if (!strcmp(a, "--avoid-hazards"))
            avoid_hazards = 1;
        else if (!strcmp(a, "--from") && !check) {
            if (!cli_parse_lonlat(cmd, a, v, &lon0, &lat0))
                return 2;
            have_from = 1;
        } else if (!strcmp(a, "--to") && !check) {
            if (!cli_parse_lonlat(cmd, a, v, &lon1, &lat1))
                return 2;
            have_to = 1;
        } else if (!strcmp(a, "--line") && check)
            line = v;
        else if (!strcmp(a, "--risk"))
            risk = v;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--model")) {
            if (!strcmp(v, "prob"))
                o.model = DM_ROUTE_MODEL_PROB;
            else if (!strcmp(v, "density"))
                o.model = DM_ROUTE_MODEL_DENSITY;
            else
                return cli_usage_error(cmd, "--model expects prob or density, got '%s'", v);
        } else if (!strcmp(a, "--threads")) {
            long n;
            if (!cli_parse_long(cmd, a, v, &n))
                return 2;
            if (n < 1 || n > 256)
                return cli_usage_error(cmd, "--threads expects 1..256, got %ld", n);
            dm_ctx_set_threads(ctx, (int)n);
        } else if (!strcmp(a, "--stretches")) {
            long n;
            if (!cli_parse_long(cmd, a, v, &n))
                return 2;
            if (n < 0 || n > 1000)
                return cli_usage_error(cmd, "--stretches expects 0..1000, got %ld", n);
            o.max_stretches = (int)n;
        } else {
            double *dst = !strcmp(a, "--avoid-above")   ? &o.avoid_above
                          : !strcmp(a, "--risk-weight") ? &o.risk_weight
                          : !strcmp(a, "--dist-weight") ? &o.dist_weight
                          : !strcmp(a, "--road-factor") ? &o.road_factor
                          : !strcmp(a, "--nodata-p")    ? &o.nodata_p
                          : !strcmp(a, "--margin")      ? &o.margin_m
                          : !strcmp(a, "--swath")       ? &o.swath_m
                          : !strcmp(a, "--stretch")     ? &o.stretch_m
                                                        : NULL;
            if (!dst)
                return cli_unknown_option_in(cmd, a, help);
            if (!cli_parse_double(cmd, a, v, &d))
                return 2;
            if (dst == &o.nodata_p && !(d >= 0 && d <= 1))
                return cli_usage_error(cmd, "--nodata-p expects a probability in 0..1, got %g", d);
            if (dst == &o.margin_m && !(d >= 0))
                return cli_usage_error(cmd, "--margin expects metres >= 0, got %g", d);
            margin_given |= dst == &o.margin_m;
            *dst = d;
        }
        if (!flag)
            i++;
    }
    if (check && !line)
        return cli_usage_error(cmd, "--line FILE is required");
    if (!check && (!have_from || !have_to))
        return cli_usage_error(cmd, "--from LON,LAT and --to LON,LAT are required");
    if (!db && !risk)
        return cli_usage_error(cmd, "give the database (for its risk map) or --risk FILE");

    int rc = 0;
    dm_store *s = NULL;
    dm_route_roads *roads = NULL;
    char *risk_own = NULL, *json_text = NULL;
    double *xy = NULL;
    size_t n = 0;
    dm_route_result *res = NULL;
    dm_status st = DM_OK;
    dm_geom *zones = NULL;
    if (avoid_hazards && !db)
        return cli_usage_error(cmd, "--avoid-hazards needs the database (DB) that holds the hazards");
    if (avoid_hazards && public_only)
        return cli_usage_error(cmd, "--avoid-hazards is for staff routes: --public keeps out of the "
                                    "public danger zones, which hold the hazards");
    if (avoid_hazards && check)
        return cli_usage_error(cmd, "--avoid-hazards plans a route; route check names the hazards "
                                    "the line enters anyway");
    if (public_only && o.avoid_above < 1)
        return cli_usage_error(cmd, "--avoid-above is for staff routes, not with --public (set "
                                    "freely, it would read the map cell by cell)");
    if (public_only && !check && dm_haversine_m(lon0, lat0, lon1, lat1) > DM_ROUTE_PUBLIC_MAX_M)
        return cli_usage_error(cmd, "--from and --to are %.1f km apart: the public route is for "
                                    "walking, at most %.0f km",
                               dm_haversine_m(lon0, lat0, lon1, lat1) / 1000,
                               DM_ROUTE_PUBLIC_MAX_M / 1000);
    if (public_only) {
        /* what the public map's route would answer: the map coarsened to the
         * public zones' 50 m blocks, the zones themselves impassable */
        dm_route_opts pub;
        dm_route_opts_public(&pub);
        o.block_m = pub.block_m;
        if (!margin_given)
            o.margin_m = pub.margin_m;
    }
    if (db) {
        if ((rc = cli_open_store(ctx, cmd, db, DM_STORE_READONLY, &s)) != 0)
            return rc;
        if (public_only && !check) {
            /* the zones meeting the route's search window, each whole, as
             * the country's zones draw them: not every zone of the country
             * (a line checked is judged on the blocks; it has no --from and
             * --to to make a window of, and areas to avoid plan routes only) */
            double box[4];
            if (!risk) {
                if ((st = dm_route_risk_path(s, &risk_own)) != DM_OK)
                    goto fail;
                risk = risk_own;
            }
            if ((st = dm_route_search_box(ctx, risk, lon0, lat0, lon1, lat1, &o, box)) != DM_OK ||
                (st = dm_danger_zones_in(s, NULL, box, &zones)) != DM_OK)
                goto fail;
            o.avoid = zones; /* WGS 84 */
            o.avoid_name = "a danger zone (a hazard and about 100 m around it)";
        } else if (avoid_hazards) {
            /* one route: the hazards of its search window, not the country's */
            if ((st = dm_route_hazards_near(s, risk, lon0, lat0, lon1, lat1, &o, &zones)) != DM_OK)
                goto fail;
            o.avoid = zones; /* WGS 84; NULL when there is none */
            o.avoid_name = "a hazard in force";
        }
        if (!risk) {
            if ((st = dm_route_risk_path(s, &risk_own)) != DM_OK)
                goto fail;
            risk = risk_own;
        }
        if (!no_roads && (st = dm_route_roads_from_store(s, &roads)) != DM_OK)
            goto fail;
    }
    if (check) {
        if ((st = dm_route_read_line(ctx, line, &xy, &n)) != DM_OK)
            goto fail;
        st = dm_route_check(ctx, risk, roads, xy, n, NULL, &o, &res);
    } else {
        st = dm_route_find(ctx, risk, roads, lon0, lat0, lon1, lat1, &o, &res);
    }
    if (st != DM_OK)
        goto fail;
    if (s && !public_only && (st = dm_route_hazards_crossed(s, res)) != DM_OK)
        goto fail;
    if (json) {
        if ((st = dm_route_result_json(ctx, res, public_only, &json_text)) != DM_OK)
            goto fail;
        printf("%s\n", json_text);
        dm_free(ctx, json_text);
        json_text = NULL;
    } else {
        print_human(res, public_only);
    }
    if (out) {
        if ((st = dm_route_result_geojson(ctx, res, public_only, &json_text)) != DM_OK)
            goto fail;
        rc = write_file(out, json_text);
        if (!rc && !json)
            printf("wrote %s\n", out);
    }
    goto done;
fail:
    rc = cli_fail(ctx, cmd, st);
done:
    dm_free(ctx, json_text);
    dm_free(ctx, xy);
    dm_free(ctx, risk_own);
    dm_route_result_free(ctx, res);
    dm_route_roads_free(ctx, roads);
    dm_geom_free(zones);
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(route, "route", run_route, "least dangerous route from A to B; check a path's risk")
