/* SPDX-License-Identifier: MIT
 *
 * cmd_form.c -- `demine form LAYER`: the XLSForm of a layer, for
 * KoboToolbox or ODK Central, whose export imports into the layer as it is.
 */
#include "cli.h"

#include "demine/dm_form.h"

#include <stdio.h>
#include <string.h>

static const char *help =
    "usage: demine form LAYER [--out FORM.xlsx] [--lang en|az|both] [--title TEXT]\n"
    "                         [--fields F1,F2,...] [--geometry point|line|polygon] [--force] [--json]\n\n"
    "Write the XLSForm of LAYER (hazards, activities, release_areas, items, accidents,\n"
    "hazard_status, events, features, records, ...) for KoboToolbox or ODK Central:\n"
    "one question a field, named as the field, so that the data the phones collect\n"
    "imports with `demine import DB --layer LAYER EXPORT.xlsx` and no --map. The\n"
    "geometry is one question named geometry: a geopoint (GPS point), a geotrace\n"
    "(line) or a geoshape (polygon), as the layer holds. Lists of values are\n"
    "select_one (several at once: select_multiple) with the values demine takes;\n"
    "number ranges and dates after today are refused on the phone as the import\n"
    "refuses them. Fields demine computes (areas from the polygon, risk figures)\n"
    "are left out. A reference to a hazard or activity is typed: its ref\n"
    "(AGD-SHA-0042), which the import finds. An accident's victims are a repeat\n"
    "group `victims`, a sheet of its own in a KoboToolbox export (see below).\n\n"
    "options:\n"
    "  --out FORM.xlsx   the form's file (default: LAYER-form.xlsx here)\n"
    "  --lang LANG       en (default), az (Azerbaijani) or both (the phone lets the\n"
    "                    team choose)\n"
    "  --title TEXT      the form's title (default: the layer's)\n"
    "  --fields F1,...   these fields alone, in this order; `geometry` places the\n"
    "                    geometry (first unless placed), `victims` the victims of an\n"
    "                    accident; a required field left out is named (give it at\n"
    "                    import with --set FIELD=VALUE)\n"
    "  --geometry KIND   point, line or polygon, for a layer of any geometry\n"
    "                    (features; default point)\n"
    "  --force           replace FORM.xlsx if it exists\n"
    "  --json            print the result as JSON\n\n"
    "In KoboToolbox, download the data as XLSX: its default settings (labels, multiple\n"
    "select questions in single and separate columns) import as they are; \"XML values\n"
    "and headers\", multiple selects as a single column, is the plainest. An accident\n"
    "form's export has two sheets (ODK Central's, two CSVs); import them in two\n"
    "runs, the accidents first: they keep their submission's id as their uuid\n"
    "(_uuid, KEY), and the victims link to it (_submission__uuid, PARENT_KEY):\n"
    "  demine import DB --layer accidents EXPORT.xlsx\n"
    "  demine import DB --layer victims EXPORT.xlsx\n"
    "The next download holds the same submissions again: add --skip-existing.\n"
    "See docs/forms.md.\n";

static int run_form(dm_ctx *ctx, int argc, char **argv)
{
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},      {"lang", required_argument, NULL, 'l'},
        {"title", required_argument, NULL, 't'},    {"fields", required_argument, NULL, 'f'},
        {"geometry", required_argument, NULL, 'g'}, {"force", no_argument, NULL, 'F'},
        {"json", no_argument, NULL, 'j'},           {0, 0, 0, 0}};
    dm_form_opts o = {0};
    const char *out = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'l':
            if (!strcmp(optarg, "en"))
                o.lang = DM_FORM_EN;
            else if (!strcmp(optarg, "az"))
                o.lang = DM_FORM_AZ;
            else if (!strcmp(optarg, "both"))
                o.lang = DM_FORM_BOTH;
            else
                return cli_usage_error("form", "--lang %s: en, az or both", optarg);
            break;
        case 't':
            o.title = optarg;
            break;
        case 'f':
            o.fields = optarg;
            break;
        case 'g':
            o.geometry = optarg;
            break;
        case 'F':
            o.force = 1;
            break;
        case 'j':
            json = 1;
            break;
        default:
            return 2;
        }
    }
    const char *layer = NULL;
    for (int i = optind; i < argc; i++)
        if (cli_positional("form", argv[i], &layer, NULL))
            return 2;
    if (!layer)
        return cli_usage_error("form", "expected a layer: demine form LAYER [--out FORM.xlsx]");
    const dm_layer_def *l = dm_layer_find(layer);
    char path[4096];
    if (!out) {
        snprintf(path, sizeof path, "%s-form.xlsx", l ? l->name : layer);
        out = path;
    }
    dm_form_result r;
    dm_status st = dm_form_write(ctx, layer, out, &o, &r);
    if (st)
        return cli_fail(ctx, "form", st);
    if (json) {
        /* cli_json_str's buffers are 4: a printf for every 4 strings */
        printf("{\"form\":%s,\"layer\":%s,\"form_id\":%s,\"version\":%s,", cli_json_str(out),
               cli_json_str(r.layer), cli_json_str(r.form_id), cli_json_str(r.version));
        printf("\"questions\":%d,\"lists\":%d,\"choices\":%d,\"geometry\":%s,\"repeat\":%s,",
               r.questions, r.lists, r.choices, *r.geometry ? cli_json_str(r.geometry) : "null",
               *r.repeat ? cli_json_str(r.repeat) : "null");
        printf("\"left_out\":%s,\"required_missing\":%s}\n", cli_json_str(r.left_out),
               cli_json_str(r.required_missing));
        return 0;
    }
    printf(
        "wrote %s: the XLSForm of %s (form_id %s, version %s): %d questions, %d list%s of choices "
        "(%d choices)\n",
        out, r.layer, r.form_id, r.version, r.questions, r.lists, r.lists == 1 ? "" : "s",
        r.choices);
    if (*r.geometry)
        printf("  geometry: a %s named geometry%s\n", r.geometry,
               r.geometry_required ? " (required)" : "");
    if (*r.repeat)
        printf("  %s: a repeat group, a sheet of its own in a KoboToolbox export\n", r.repeat);
    if (*r.left_out)
        printf("  left out: %s\n", r.left_out);
    if (*r.required_missing)
        fprintf(
            stderr,
            "demine form: warning: required field%s left out by --fields: %s (give %s at import "
            "with --set FIELD=VALUE, or every row is refused)\n",
            strchr(r.required_missing, ',') ? "s" : "", r.required_missing,
            strchr(r.required_missing, ',') ? "them" : "it");
    printf("upload it to KoboToolbox or ODK Central; download the data as XLSX (KoboToolbox's defaults do; "
           "\"XML values and headers\", multiple select questions as a single column, is the plainest), "
           "then:\n");
    if (*r.repeat) {
        /* the submission's id kept as the uuid, the group's rows linked to
         * it by the import itself (_uuid, _submission__uuid; ODK Central's
         * KEY, PARENT_KEY) */
        printf("  demine import DB --layer %s EXPORT.xlsx\n", r.layer);
        printf("  demine import DB --layer %s EXPORT.xlsx     (its %s linked by the submission's id)\n",
               r.repeat, r.repeat_link);
    } else
        printf("  demine import DB --layer %s EXPORT.xlsx\n", r.layer);
    return 0;
}

CLI_COMMAND(form, "form", run_form, "the XLSForm of a layer, for KoboToolbox and ODK Collect")
