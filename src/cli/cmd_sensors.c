/* SPDX-License-Identifier: MIT
 *
 * cmd_sensors.c -- `demine sensors import|calibrate|list|add`: drone and
 * ground sensor flights and detections into the database, their calibration
 * from validation data, and the sensor table.
 */
#include "cli.h"
#include "cli_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine sensors import DB FILE [--flight-ref REF] [--sensor NAME] [--date D] [--json]\n"
    "       demine sensors calibrate DB --validation FILE [--match-m 1] [--json]\n"
    "       demine sensors list DB [--json]\n"
    "       demine sensors add DB --name NAME --kind KIND [--classes AP,AT,...]\n"
    "                          [--p-detect P] [--false-alarms-ha F] [--position-error-m E]\n"
    "       demine sensors evidence DB --out FILE.tif [--cell 1] [--classes AP,AT] [--until D]\n"
    "       demine sensors simulate DB OUT.geojson [--flights 10] [--size-m 200] [--seed 1]\n"
    "                               [--date D] [--validation VAL.geojson] [--import]\n\n"
    "import     flights (footprint polygons: ref, sensor, sensor_kind, date, altitude_m,\n"
    "           gsd_cm, organisation) and detections (points: flight, sensor, category,\n"
    "           confidence 0-1, model_version, position_error_m, date) from GeoJSON,\n"
    "           GeoPackage or CSV (lon,lat columns for points, a wkt column for\n"
    "           footprints). A detection without a flight field belongs to the file's\n"
    "           flight whose footprint holds it; --flight-ref attaches all detections to\n"
    "           one flight (in the file or the database). Importing the same file again\n"
    "           changes nothing. Any bad record refuses the whole file.\n"
    "calibrate  detection probability and false alarms per hectare per sensor and class\n"
    "           from a validation CSV: sensor,category,item,detected,area_ha -- one row\n"
    "           per known item (detected 1/0), one row without item per detection that\n"
    "           matched nothing (a false alarm); area_ha is the validated area.\n"
    "           Or a GeoJSON/GeoPackage of points with kind item (known items, with\n"
    "           category) or detection (with confidence) and polygons of kind area\n"
    "           (validated ground), each with its sensor: detections are matched to\n"
    "           the nearest item within --match-m metres (default 1).\n"
    "list       the sensors with their rates and flights.\n"
    "add        add or update a sensor. KIND: rgb, multispectral, thermal, magnetometer,\n"
    "           gpr, lidar, other. Cameras see surface items only; magnetometers metal.\n"
    "evidence   the log likelihood ratio the risk map gets from sensors, as a GeoTIFF\n"
    "           (UTM of the data's centre): detections raise it, footprints flown with\n"
    "           nothing found lower it for the --classes suspected (default all) that\n"
    "           each sensor sees.\n"
    "simulate   surveys over a demo database (`demine demo`): camera and magnetometer\n"
    "           flights near hazards, detections drawn from the demo's truth items they\n"
    "           can see, false alarms at their rates; --import adds them to DB;\n"
    "           --validation writes the ground truth of those squares for calibrate.\n";

static int do_import(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL, *file = NULL;
    dm_sensor_import_opts o = {0};
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--flight-ref") && i + 1 < argc)
            o.flight_ref = argv[++i];
        else if (!strcmp(argv[i], "--sensor") && i + 1 < argc)
            o.sensor = argv[++i];
        else if (!strcmp(argv[i], "--date") && i + 1 < argc)
            o.date = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (cli_positional("sensors", argv[i], &dbp, &file))
            return 2;
    }
    if (!dbp || !file)
        return cli_usage_error("sensors", "import needs DB and FILE");
    char day[11];
    if (o.date) {
        if (!cli_parse_date(ctx, "sensors", "--date", o.date, 0, day))
            return 2;
        o.date = day;
    }
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, 0, &s);
    if (rc)
        return rc;
    dm_sensor_import_stats st;
    dm_status e = dm_sensors_import(s, file, &o, &st);
    dm_store_close(s);
    if (e)
        return cli_fail(ctx, "sensors", e);
    if (json)
        printf("{\"flights_added\":%ld,\"flights_skipped\":%ld,\"detections_added\":%ld,"
               "\"detections_skipped\":%ld,\"sensors_added\":%ld,\"empty_flights\":%ld}\n",
               st.flights_added, st.flights_skipped, st.detections_added, st.detections_skipped,
               st.sensors_added, st.empty_flights);
    else
        printf("%s: %ld flight%s added (%ld already known, %ld without detections), "
               "%ld detection%s added (%ld already known), %ld new sensor%s\n",
               file, st.flights_added, st.flights_added == 1 ? "" : "s", st.flights_skipped,
               st.empty_flights, st.detections_added, st.detections_added == 1 ? "" : "s",
               st.detections_skipped, st.sensors_added, st.sensors_added == 1 ? "" : "s");
    return 0;
}

static int do_calibrate(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL, *val = NULL;
    int json = 0;
    double match_m = 0;
    int match_given = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--validation") && i + 1 < argc)
            val = argv[++i];
        else if (!strcmp(argv[i], "--match-m") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--match-m", argv[++i], &match_m))
                return 2;
            match_given = 1;
        } else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (cli_positional("sensors", argv[i], &dbp, NULL))
            return 2;
    }
    if (!dbp || !val)
        return cli_usage_error("sensors", "calibrate needs DB and --validation FILE");
    if (match_given && !(match_m > 0 && isfinite(match_m)))
        return cli_usage_error("sensors", "--match-m: %g is not a distance in metres (more than 0)",
                               match_m);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, 0, &s);
    if (rc)
        return rc;
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    dm_status e = dm_sensors_calibrate(s, val, match_m, &r, &n);
    dm_store_close(s);
    if (e)
        return cli_fail(ctx, "sensors", e);
    int wn = 6; /* the sensor column: as wide as the names, up to 48 characters */
    for (size_t i = 0; i < n; i++)
        wn = cli_width_fit(wn, r[i].sensor, 48);
    if (json)
        printf("[");
    else {
        cli_print_cell("sensor", wn);
        printf(" %-6s %6s %6s %6s %8s %8s %10s\n", "class", "items", "found", "false", "area_ha",
               "p_detect", "false/ha");
    }
    for (size_t i = 0; i < n; i++) {
        const char *cls = r[i].category >= 0 ? dm_class_name(r[i].category) : "all";
        /* no known item: the detection probability was kept, not estimated */
        char pd[32];
        if (isnan(r[i].p_detect))
            snprintf(pd, sizeof pd, "%s", json ? "null" : "-");
        else if (json)
            snprintf(pd, sizeof pd, "%.4f", r[i].p_detect);
        else
            snprintf(pd, sizeof pd, "%.3f", r[i].p_detect);
        if (json)
            printf("%s{\"sensor\":%s,\"category\":\"%s\",\"items\":%ld,\"detected\":%ld,"
                   "\"false_alarms\":%ld,\"area_ha\":%g,\"p_detect\":%s,"
                   "\"false_alarms_ha\":%.4f}",
                   i ? "," : "", cli_json_str(r[i].sensor), cls, r[i].n_items, r[i].n_detected,
                   r[i].n_false_alarms, r[i].area_ha, pd, r[i].false_alarms_ha);
        else {
            cli_print_cell(r[i].sensor, wn);
            printf(" %-6s %6ld %6ld %6ld %8.2f %8s %10.3f\n", cls, r[i].n_items, r[i].n_detected,
                   r[i].n_false_alarms, r[i].area_ha, pd, r[i].false_alarms_ha);
        }
    }
    if (json)
        printf("]\n");
    dm_free(ctx, r);
    return 0;
}

/* One sensor of the table view of `sensors list`. */
typedef struct {
    char *name, *kind, *classes;
    double p_detect, far, pos_err;
    long flights, detections;
} sensor_row;

/* v (a number, or "-" when NaN) in a column of width characters, to prec
 * decimals, after a space. */
static void print_real(double v, int width, int prec)
{
    if (isnan(v))
        printf(" %*s", width, "-");
    else
        printf(" %*.*f", width, prec, v);
}

/* The sensors as a table, their columns as wide as their values (names up to
 * 48 characters, longer ones cut with "…"). */
static void print_sensor_table(const sensor_row *rows, size_t n)
{
    int wn = 4, wk = 4, wc = 12;
    for (size_t i = 0; i < n; i++) {
        wn = cli_width_fit(wn, rows[i].name, 48);
        wk = cli_width_fit(wk, rows[i].kind, 24);
        wc = cli_width_fit(wc, rows[i].classes, 40);
    }
    cli_print_cell("name", wn);
    printf(" ");
    cli_print_cell("kind", wk);
    printf(" ");
    cli_print_cell("classes_seen", wc);
    printf(" %8s %9s %7s %8s %10s\n", "p_detect", "false/ha", "error_m", "flights", "detections");
    for (size_t i = 0; i < n; i++) {
        cli_print_cell(rows[i].name, wn);
        printf(" ");
        cli_print_cell(rows[i].kind, wk);
        printf(" ");
        cli_print_cell(rows[i].classes, wc);
        print_real(rows[i].p_detect, 8, 3);
        print_real(rows[i].far, 9, 2);
        print_real(rows[i].pos_err, 7, 2);
        printf(" %8ld %10ld\n", rows[i].flights, rows[i].detections);
    }
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int do_list(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (cli_positional("sensors", argv[i], &dbp, NULL))
            return 2;
    }
    if (!dbp)
        return cli_usage_error("sensors", "list needs DB");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_cursor *c = NULL;
    dm_status e = dm_store_select(s, "sensors", NULL, &c);
    if (e) {
        dm_store_close(s);
        return cli_fail(ctx, "sensors", e);
    }
    /* the table is printed once all rows are read, its columns sized to them */
    sensor_row *rows = NULL;
    size_t n = 0, cap = 0;
    int nomem = 0;
    if (json)
        printf("[");
    int r, first = 1;
    while ((r = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        const char *f[] = {"sensor_id"}, *v[] = {uuid};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        long nf = 0, nd = 0;
        if (dm_store_count(s, "flights", &sel, &nf) || dm_store_count(s, "detections", &sel, &nd)) {
            r = -1;
            break;
        }
        if (json) {
            char *js = NULL;
            if (dm_cursor_json(c, 0, &js)) {
                r = -1;
                break;
            }
            size_t L = strlen(js);
            if (L && js[L - 1] == '}')
                js[L - 1] = 0;
            printf("%s%s,\"flights\":%ld,\"detections\":%ld}", first ? "" : ",", js, nf, nd);
            dm_free(ctx, js);
        } else {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 16;
                sensor_row *g = realloc(rows, nc * sizeof *g);
                if (!g) {
                    nomem = 1;
                    break;
                }
                rows = g;
                cap = nc;
            }
            sensor_row *w = &rows[n++];
            const char *cls = dm_cursor_text(c, "classes_seen");
            w->name = dup_or_null(dm_cursor_text(c, "name"));
            w->kind = dup_or_null(dm_cursor_text(c, "kind"));
            w->classes = dup_or_null(cls && *cls ? cls : NULL);
            w->p_detect = dm_cursor_real(c, "p_detect", NAN);
            w->far = dm_cursor_real(c, "false_alarms_ha", NAN);
            w->pos_err = dm_cursor_real(c, "position_error_m", NAN);
            w->flights = nf;
            w->detections = nd;
        }
        first = 0;
    }
    dm_cursor_free(c);
    if (json)
        printf("]\n");
    else if (r >= 0 && !nomem)
        print_sensor_table(rows, n);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].kind);
        free(rows[i].classes);
    }
    free(rows);
    dm_store_close(s);
    if (nomem) {
        fprintf(stderr, "demine sensors: out of memory\n");
        return 3;
    }
    if (r < 0)
        return cli_fail(ctx, "sensors", dm_ctx_errcode(ctx));
    return 0;
}

static int do_add(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL, *name = NULL, *kind = NULL, *classes = NULL;
    double pd = -1, far = -1, pe = -1; /* -1: not given, the kind's default */
    int pd_given = 0, far_given = 0, pe_given = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--name") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--kind") && i + 1 < argc)
            kind = argv[++i];
        else if (!strcmp(argv[i], "--classes") && i + 1 < argc)
            classes = argv[++i];
        else if (!strcmp(argv[i], "--p-detect") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--p-detect", argv[++i], &pd))
                return 2;
            pd_given = 1;
        } else if (!strcmp(argv[i], "--false-alarms-ha") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--false-alarms-ha", argv[++i], &far))
                return 2;
            far_given = 1;
        } else if (!strcmp(argv[i], "--position-error-m") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--position-error-m", argv[++i], &pe))
                return 2;
            pe_given = 1;
        } else if (cli_positional("sensors", argv[i], &dbp, NULL))
            return 2;
    }
    if (!dbp || !name)
        return cli_usage_error("sensors", "add needs DB and --name");
    /* the library takes a negative rate as "the kind's default": refuse it here */
    if (pd_given && !(pd >= 0 && pd <= 1))
        return cli_usage_error("sensors", "--p-detect: %g is outside 0-1", pd);
    if (far_given && !(far >= 0 && isfinite(far)))
        return cli_usage_error("sensors", "--false-alarms-ha: %g is not a rate per hectare (0 or more)",
                               far);
    if (pe_given && !(pe >= 0 && pe <= 1000))
        return cli_usage_error("sensors", "--position-error-m: %g is not a distance in metres (0-1000)",
                               pe);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, 0, &s);
    if (rc)
        return rc;
    char uuid[37];
    dm_status e = dm_sensor_upsert(s, name, kind, classes, pd, far, pe, uuid);
    dm_store_close(s);
    if (e)
        return cli_fail(ctx, "sensors", e);
    printf("sensor %s: %s\n", name, uuid);
    return 0;
}

static int do_evidence(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL, *out = NULL, *until = NULL, *cls = NULL;
    double cell = 1.0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--until") && i + 1 < argc)
            until = argv[++i];
        else if (!strcmp(argv[i], "--classes") && i + 1 < argc)
            cls = argv[++i];
        else if (!strcmp(argv[i], "--cell") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--cell", argv[++i], &cell))
                return 2;
        } else if (cli_positional("sensors", argv[i], &dbp, NULL))
            return 2;
    }
    if (!dbp || !out)
        return cli_usage_error("sensors", "evidence needs DB and --out FILE.tif");
    if (!(cell > 0) || !isfinite(cell))
        return cli_usage_error("sensors", "--cell: %g is not a cell size in metres (more than 0)",
                               cell);
    if (cli_writes_over("sensors", "--out", out, "database", dbp))
        return 2;
    char until_d[11];
    if (until) {
        if (!cli_parse_date(ctx, "sensors", "--until", until, 1, until_d))
            return 2;
        until = until_d;
    }
    unsigned set = 0;
    if (cls && dm_class_set_parse(cls, &set))
        return cli_usage_error("sensors", "--classes: unknown ordnance class in '%s'", cls);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_sensor_evidence ev;
    dm_status e = dm_sensor_evidence_gather(s, until, &ev);
    long all_flights = 0;
    /* nothing dated by --until: said as such, not as no evidence at all */
    if (!e && until && !ev.n_areas && !ev.n_points &&
        dm_store_count(s, "flights", NULL, &all_flights) == DM_OK && all_flights > 0) {
        dm_store_close(s);
        dm_sensor_evidence_free(ctx, &ev);
        fprintf(stderr,
                "demine sensors: error: no flight or detection dated on or before --until %s "
                "(the database holds %ld flight%s, all later)\n",
                until, all_flights, all_flights == 1 ? "" : "s");
        return 2;
    }
    dm_store_close(s);
    if (e)
        return cli_fail(ctx, "sensors", e);
    int w = 0, h = 0;
    e = dm_sensor_evidence_write_tif(ctx, &ev, set, cell, out, &w, &h);
    size_t np = ev.n_points, na = ev.n_areas;
    dm_sensor_evidence_free(ctx, &ev);
    if (e)
        return cli_fail(ctx, "sensors", e);
    printf("%s: %dx%d cells of %g m, log likelihood ratios of %zu %s and %zu %s\n", out, w, h, cell, np,
           cli_plural(np, "detection", "detections"), na, cli_plural(na, "flight", "flights"));
    return 0;
}

static int do_simulate(dm_ctx *ctx, int argc, char **argv)
{
    const char *dbp = NULL, *out = NULL;
    dm_sensor_sim_opts o = {0};
    int import = 0;
    for (int i = 2; i < argc; i++) {
        long l;
        if (!strcmp(argv[i], "--flights") && i + 1 < argc) {
            if (!cli_parse_long("sensors", "--flights", argv[++i], &l))
                return 2;
            if (l < 1 || l > 100000)
                return cli_usage_error("sensors", "--flights: %ld is out of range (1 to 100000)", l);
            o.n_flights = (int)l;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (!cli_parse_long("sensors", "--seed", argv[++i], &l))
                return 2;
            o.seed = (unsigned)l;
        } else if (!strcmp(argv[i], "--size-m") && i + 1 < argc) {
            if (!cli_parse_double("sensors", "--size-m", argv[++i], &o.size_m))
                return 2;
            if (!(o.size_m > 0 && o.size_m <= 30000))
                return cli_usage_error("sensors", "--size-m: %g is out of range (more than 0, up to 30000 m)",
                                       o.size_m);
        } else if (!strcmp(argv[i], "--date") && i + 1 < argc)
            o.date = argv[++i];
        else if (!strcmp(argv[i], "--validation") && i + 1 < argc)
            o.validation = argv[++i];
        else if (!strcmp(argv[i], "--import"))
            import = 1;
        else if (cli_positional("sensors", argv[i], &dbp, &out))
            return 2;
    }
    if (!dbp || !out)
        return cli_usage_error("sensors", "simulate needs DB and OUT.geojson");
    char day[11];
    if (o.date) {
        if (!cli_parse_date(ctx, "sensors", "--date", o.date, 0, day))
            return 2;
        o.date = day;
    }
    if (cli_writes_over("sensors", "OUT", out, "database", dbp) ||
        cli_writes_over("sensors", "--validation", o.validation, "database", dbp) ||
        cli_writes_over("sensors", "--validation", o.validation, "simulated survey OUT", out))
        return 2;
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "sensors", dbp, import ? 0 : DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    long nf = 0, nd = 0;
    dm_status e = dm_sensors_simulate(s, &o, out, &nf, &nd);
    dm_sensor_import_stats st = {0};
    if (!e && import)
        e = dm_sensors_import(s, out, NULL, &st);
    dm_store_close(s);
    if (e)
        return cli_fail(ctx, "sensors", e);
    printf("%s: %ld simulated %s, %ld %s\n", out, nf, cli_plural(nf, "flight", "flights"), nd,
           cli_plural(nd, "detection", "detections"));
    if (import)
        printf("%s: %ld %s and %ld %s added (%ld and %ld already known)\n", dbp, st.flights_added,
               cli_plural(st.flights_added, "flight", "flights"), st.detections_added,
               cli_plural(st.detections_added, "detection", "detections"), st.flights_skipped,
               st.detections_skipped);
    return 0;
}

static int run_sensors(dm_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("sensors", "expected import, calibrate, list, add, evidence or simulate");
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    if (!strcmp(argv[1], "import"))
        return do_import(ctx, argc, argv);
    if (!strcmp(argv[1], "calibrate"))
        return do_calibrate(ctx, argc, argv);
    if (!strcmp(argv[1], "list"))
        return do_list(ctx, argc, argv);
    if (!strcmp(argv[1], "add"))
        return do_add(ctx, argc, argv);
    if (!strcmp(argv[1], "evidence"))
        return do_evidence(ctx, argc, argv);
    if (!strcmp(argv[1], "simulate"))
        return do_simulate(ctx, argc, argv);
    static const char *const subs[] = {"import", "calibrate", "list", "add", "evidence", "simulate", NULL};
    return cli_unknown_subcommand("sensors", argv[1], subs);
}

CLI_COMMAND(sensors, "sensors", run_sensors, "sensor flights, detections and calibration")
