/* SPDX-License-Identifier: MIT
 *
 * cmd_report.c -- `demine report DB [--out report.pdf|report.html]`: the
 * national status report with maps, charts and tables, or with --district
 * that of some districts; with --public, the printable danger map (leaflet)
 * of an area for residents; with --hazard, the completion report and
 * handover certificate of one hazard.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *help =
    "usage: demine report DB [--out FILE.pdf|FILE.html] [--title TEXT] [--date YYYY-MM-DD] [--force]\n"
    "                     [--district NAME... | --exclude-district NAME...]\n\n"
    "Write the national status report of DB, of the kind agencies and the Landmine\n"
    "Monitor publish: key figures; maps of the hazards by status, the risk map (from\n"
    "`demine risk map`) and the plan's routes and first priorities (from `demine plan`);\n"
    "charts of land released per year by method, items found per year by type,\n"
    "casualties per year (civilian and deminer) and the plan's burn-down with its\n"
    "P10-P90 band; tables by district and of the first priorities; and the donor's\n"
    "comparison of clearing every suspected hectare with risk-based release. Costs\n"
    "are at the plan's unit rates and, beside them, at the teams' day rates\n"
    "(\"unknown\" when a team that works has cost_usd_day 0).\n"
    "A PDF (A4 pages) when FILE ends in .pdf, one HTML page with embedded images\n"
    "when it ends in .html; by default DB's name with -report.pdf. A report or map\n"
    "demine wrote is replaced when run again; any other file of that name is kept\n"
    "unless --force is given.\n"
    "  --district NAME  the report of this district alone (repeatable; any case; a\n"
    "                   district of layer districts or of the hazards' field district):\n"
    "                   key figures, charts and tables of its hazards, land released,\n"
    "                   finds and accidents, maps fitted to it, its name in the title.\n"
    "                   A plan made of more districts (or all) is given by its part\n"
    "                   there, one of other districts is said not to be of it;\n"
    "                   by default into DB's name with -report-NAME.pdf\n"
    "  --exclude-district NAME\n"
    "                   the report of every district but this one (repeatable)\n\n"
    "usage: demine report DB --public [--out FILE.pdf] [--district NAME | --settlement NAME\n"
    "                     [--around KM] | --bbox W,S,E,N] [--lang az|en|both] [--date YYYY-MM-DD]\n"
    "                     [--force]\n\n"
    "Write the printable public danger map of an area: one A4 page for residents\n"
    "without internet, with only what the public web map shows -- the generalised\n"
    "danger zones (hazards not closed or handed over, on a 50 m grid, with a 100 m\n"
    "margin) over roads, rivers, settlements, buildings, bridges and cemeteries --\n"
    "a longitude/latitude grid to match a GPS, scale bar, north arrow, the date of\n"
    "the latest change to the hazards, and the safety messages. The area is a\n"
    "district's polygon (when the districts layer has none of that name, the area\n"
    "of the hazards whose district field names it), KM (default 3) around a\n"
    "settlement, or a box in degrees;\n"
    "by default the extent of all zones. --lang: Azerbaijani, English or both\n"
    "(default). By default into DB's name with -danger-map.pdf.\n\n";

static const char *help_hazard =
    "usage: demine report DB --hazard REF|UUID [--out FILE.pdf|FILE.html] [--lang en|az|both]\n"
    "                     [--date YYYY-MM-DD] [--force]\n\n"
    "Write the completion report and handover certificate of one hazard (IMAS 08.30),\n"
    "an A4 PDF: its ref, name, type, district, settlement, status and date; a map of\n"
    "its polygon with the release areas by outcome (cancelled, reduced, cleared), the\n"
    "items found, the accidents within 100 m and its numbered turning points, with a\n"
    "longitude/latitude grid, scale bar and north arrow; the turning points in\n"
    "degrees (6 decimals) and in the UTM zone of the hazard (metres), with the\n"
    "distance and true bearing to the next, and those of the land remaining when some\n"
    "is released; the land estimated, cancelled, reduced, cleared and remaining (ha\n"
    "and m2); its approved activities and their quality control inspections; the\n"
    "items found by category, model and fate; the accidents; the residual risk of the\n"
    "risk map written back to it; its status history; and a certificate page with\n"
    "signature blocks for the operator, the national authority (quality assurance)\n"
    "and the local authority or land user. A hazard neither closed nor handed over\n"
    "gets the certificate marked DRAFT, with the land and activities that remain.\n"
    "With --out FILE.html, the same as one self-contained HTML page: the map an\n"
    "embedded image, the tables HTML tables, the certificate a section printed on a\n"
    "page of its own.\n"
    "REF is its ref (any case), uuid or uuid prefix. --lang: the certificate's texts\n"
    "in English (default), Azerbaijani or both; the rest is English. By default into\n"
    "DB's name with -hazard-REF.pdf.\n";

static int bad_public(const char *opt) { return cli_usage_error("report", "%s needs --public", opt); }

/* DB's name with -hazard-REF.pdf, a character of REF that is no letter or
 * digit as '-'. */
static char *hazard_name(const char *db, const char *ref)
{
    char suffix[120] = "-hazard-";
    size_t o = strlen(suffix);
    for (const unsigned char *q = (const unsigned char *)ref; *q && o + 6 < sizeof suffix; q++)
        suffix[o++] = ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
                          ? (char)*q
                          : '-';
    snprintf(suffix + o, sizeof suffix - o, ".pdf");
    return cli_sibling(db, suffix);
}

/* The completion report of one hazard of db into out. */
static int run_hazard_report(dm_ctx *ctx, const char *db, const char *out, const char *hazard, const char *lang,
                             const dm_report_opts *op)
{
    size_t ol = out ? strlen(out) : 0;
    if (out && (ol < 4 || strcasecmp(out + ol - 4, ".pdf")) && (ol < 5 || strcasecmp(out + ol - 5, ".html")) &&
        (ol < 4 || strcasecmp(out + ol - 4, ".htm")))
        return cli_usage_error("report",
                               "--hazard writes a printable A4 PDF or one HTML page: name the file .pdf or .html, "
                               "not '%s'",
                               out);
    dm_hazard_report_opts ho;
    memset(&ho, 0, sizeof ho);
    if (!lang || !strcmp(lang, "en"))
        ho.lang = DM_LANG_EN;
    else if (!strcmp(lang, "az"))
        ho.lang = DM_LANG_AZ;
    else if (!strcmp(lang, "both"))
        ho.lang = DM_LANG_BOTH;
    else
        return cli_usage_error("report", "--lang is en, az or both, not '%s'", lang);
    ho.date = op->date;
    ho.force = op->force;
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "report", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    /* by default beside the database, named after the hazard's ref (its
     * uuid when it has none) whichever way it was given */
    char *out_def = NULL;
    if (!out) {
        char uuid[37], *ref = NULL;
        if (dm_store_resolve(s, "hazards", hazard, NULL, uuid) == DM_OK && dm_store_ref_of(s, "hazards", uuid, &ref) == DM_OK)
            out_def = hazard_name(db, ref && *ref ? ref : uuid);
        else /* not found: dm_report_hazard says so */
            out_def = hazard_name(db, hazard);
        dm_free(ctx, ref);
        dm_ctx_clear_error(ctx);
        if (!(out = out_def)) {
            dm_store_close(s);
            fprintf(stderr, "demine report: error: out of memory\n");
            return 1;
        }
    }
    dm_hazard_report_info info;
    dm_status st = dm_report_hazard(s, hazard, out, &ho, &info);
    dm_store_close(s);
    dm_report_cleanup();
    if (st == DM_ECONFLICT) {
        fprintf(stderr, "demine report: error: %s; give --force to replace it\n", dm_ctx_errmsg(ctx));
        free(out_def);
        return cli_exit_code(st);
    }
    if (st) {
        free(out_def);
        return cli_fail(ctx, "report", st);
    }
    const char *draft = info.draft ? "; the certificate is a DRAFT: the hazard is not released" : "";
    if (info.pages)
        printf("hazard report of %s written to %s: %d page%s%s\n", info.ref[0] ? info.ref : info.uuid, out,
               info.pages, info.pages == 1 ? "" : "s", draft);
    else /* an HTML page */
        printf("hazard report of %s written to %s: one HTML page%s\n", info.ref[0] ? info.ref : info.uuid, out,
               draft);
    free(out_def);
    return 0;
}

/* The default name of the report of some districts: DB's name with
 * -report-A-B.pdf (-report-without-A.pdf), a name's characters that are no
 * letter or digit as '-'. */
static char *scoped_name(const char *db, const char *const *names, int n, int exclude)
{
    char suffix[200] = "-report";
    size_t o = strlen(suffix);
    if (exclude)
        o += (size_t)snprintf(suffix + o, sizeof suffix - o, "-without");
    for (int k = 0; k < n && o + 8 < sizeof suffix; k++) {
        suffix[o++] = '-';
        for (const unsigned char *q = (const unsigned char *)names[k]; *q && o + 6 < sizeof suffix; q++)
            suffix[o++] = (*q >= 0x80 || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                           (*q >= 'A' && *q <= 'Z'))
                              ? (char)*q
                              : '-';
        /* a name cut inside a character ends before it */
        while (o > 0 && ((unsigned char)suffix[o - 1] & 0xC0) == 0x80 && o + 6 >= sizeof suffix)
            o--;
    }
    snprintf(suffix + o, sizeof suffix - o, ".pdf");
    return cli_sibling(db, suffix);
}

/* The report (or with public_map the danger map) of db into out. */
static int run_report_to(dm_ctx *ctx, const char *db, const char *out, int public_map, dm_report_opts *op,
                         const char *settlement, const char *bbox_s, const char *lang, const char *around_s)
{
    const char *district = public_map && op->n_districts ? op->districts[0] : NULL;
    dm_report_opts o = *op;
    dm_public_opts po;
    memset(&po, 0, sizeof po);
    double bbox[4];
    if (public_map) {
        size_t ol = strlen(out);
        if (ol < 4 || strcasecmp(out + ol - 4, ".pdf"))
            return cli_usage_error("report", "--public writes a printable A4 PDF: name the file .pdf, not '%s' "
                                             "(the same map is on the web at /public of demine serve)",
                                   out);
        if (o.title)
            return cli_usage_error("report", "--title is for the national report; the public map's title is fixed");
        if (!!district + !!settlement + !!bbox_s > 1)
            return cli_usage_error("report", "give one area: --district, --settlement or --bbox");
        if (around_s && !settlement)
            return cli_usage_error("report", "--around KM goes with --settlement");
        if (around_s) {
            char *end;
            double km = strtod(around_s, &end);
            if (end == around_s || *end || !(km > 0 && km <= 100))
                return cli_usage_error("report", "--around: '%s' is not a distance in km from 0 to 100", around_s);
            po.around_m = km * 1000;
        }
        if (bbox_s) {
            const char *q = bbox_s;
            for (int k = 0; k < 4; k++) {
                char *end;
                bbox[k] = strtod(q, &end);
                if (end == q || (k < 3 && *end != ',') || (k == 3 && *end) || !isfinite(bbox[k]))
                    return cli_usage_error("report", "--bbox expects W,S,E,N in degrees (e.g. 46.9,39.9,47.1,40.0), "
                                                     "got '%s'",
                                           bbox_s);
                q = end + 1;
            }
            po.bbox = bbox;
        }
        if (!lang || !strcmp(lang, "both"))
            po.lang = DM_LANG_BOTH;
        else if (!strcmp(lang, "en"))
            po.lang = DM_LANG_EN;
        else if (!strcmp(lang, "az"))
            po.lang = DM_LANG_AZ;
        else
            return cli_usage_error("report", "--lang is az, en or both, not '%s'", lang);
        po.district = district;
        po.settlement = settlement;
        po.date = o.date;
        po.force = o.force;
    }
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "report", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    int nz = 0;
    dm_status st = public_map ? dm_report_public(s, out, &po, &nz) : dm_report_write(s, out, &o);
    dm_store_close(s);
    dm_report_cleanup();
    if (st == DM_ECONFLICT) { /* a file of the user's: say how to replace it anyway */
        fprintf(stderr, "demine report: error: %s; give --force to replace it\n", dm_ctx_errmsg(ctx));
        return cli_exit_code(st);
    }
    if (st)
        return cli_fail(ctx, "report", st);
    if (public_map)
        printf("public danger map written to %s: %d danger zone%s in the area\n", out, nz, nz == 1 ? "" : "s");
    else
        printf("report written to %s\n", out);
    return 0;
}

static int run_report(dm_ctx *ctx, int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *settlement = NULL, *bbox_s = NULL, *lang = NULL, *around_s = NULL;
    const char *hazard = NULL;
    int public_map = 0;
    dm_report_opts o;
    memset(&o, 0, sizeof o);
    /* districts of the report (--district) or left out (--exclude-district) */
    enum { MAX_DISTRICTS = 64 };
    const char *districts[MAX_DISTRICTS];
    int n_districts = 0, exclude = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help(help), cli_help(help_hazard);
        if (!strcmp(a, "--public")) {
            public_map = 1;
        } else if (!strcmp(a, "--force")) {
            o.force = 1;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--title") || !strcmp(a, "--date") ||
                   !strcmp(a, "--settlement") || !strcmp(a, "--bbox") || !strcmp(a, "--lang") ||
                   !strcmp(a, "--around") || !strcmp(a, "--hazard")) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--out"))
                out = v;
            else if (!strcmp(a, "--title"))
                o.title = v;
            else if (!strcmp(a, "--date"))
                o.date = v;
            else if (!strcmp(a, "--settlement"))
                settlement = v;
            else if (!strcmp(a, "--bbox"))
                bbox_s = v;
            else if (!strcmp(a, "--lang"))
                lang = v;
            else if (!strcmp(a, "--hazard"))
                hazard = v;
            else
                around_s = v;
        } else if (!strcmp(a, "--district") || !strcmp(a, "--exclude-district")) {
            int ex = !strcmp(a, "--exclude-district");
            if (i + 1 >= argc)
                return cli_usage_error("report", "%s needs a district's name", a);
            if (exclude >= 0 && exclude != ex)
                return cli_usage_error("report", "give --district or --exclude-district, not both");
            if (n_districts == MAX_DISTRICTS)
                return cli_usage_error("report", "at most %d districts with %s", MAX_DISTRICTS, a);
            exclude = ex;
            districts[n_districts++] = argv[++i];
        } else if (a[0] == '-' && a[1])
        {
            /* the options of every form guessed from */
            char all[8192];
            snprintf(all, sizeof all, "%s%s", help, help_hazard);
            return cli_unknown_option_in("report", a, all);
        }
        else if (!db)
            db = a;
        else
            return cli_usage_error("report", "expected one database, got '%s' too", a);
    }
    if (!db)
        return cli_usage_error("report", "expected DB");
    char day[11];
    if (o.date) {
        /* read as every date option reads it (day first 12.05.2026 too) */
        if (!cli_parse_date(ctx, "report", "--date", o.date, 0, day))
            return 2;
        o.date = day;
    }
    if (hazard) {
        const char *bad = public_map    ? "--public"
                          : n_districts ? (exclude == 1 ? "--exclude-district" : "--district")
                          : o.title     ? "--title"
                          : settlement  ? "--settlement"
                          : bbox_s      ? "--bbox"
                          : around_s    ? "--around"
                                        : NULL;
        if (bad)
            return cli_usage_error("report", "%s does not go with --hazard (the report of one hazard)", bad);
        if (!*hazard)
            return cli_usage_error("report", "--hazard needs a hazard's ref or uuid");
        return run_hazard_report(ctx, db, out, hazard, lang, &o);
    }
    if (!public_map) {
        if (lang && !settlement && !bbox_s && !around_s)
            return cli_usage_error("report", "--lang needs --public or --hazard");
        if (settlement || bbox_s || lang || around_s)
            return bad_public(settlement ? "--settlement" : bbox_s ? "--bbox" : lang ? "--lang" : "--around");
    } else if (exclude == 1)
        return cli_usage_error("report", "--exclude-district is for the status report; the public map covers one "
                                         "area (--district NAME)");
    else if (n_districts > 1)
        return cli_usage_error("report", "the public map covers one district: give --district once (got %d)",
                               n_districts);
    o.districts = n_districts ? districts : NULL;
    o.n_districts = (size_t)n_districts;
    o.exclude_districts = exclude == 1;
    /* by default beside the database: d.gpkg -> d-report.pdf, d-danger-map.pdf */
    char *out_def = NULL;
    if (!out) {
        out_def = public_map    ? cli_sibling(db, "-danger-map.pdf")
                  : n_districts ? scoped_name(db, districts, n_districts, exclude == 1)
                                : cli_sibling(db, "-report.pdf");
        if (!(out = out_def)) {
            fprintf(stderr, "demine report: error: out of memory\n");
            return 1;
        }
    }
    int rc = run_report_to(ctx, db, out, public_map, &o, settlement, bbox_s, lang, around_s);
    free(out_def);
    return rc;
}

CLI_COMMAND(report, "report", run_report,
            "national status report (PDF or HTML) with maps and charts; --public: danger map leaflet; --hazard: a "
            "hazard's completion report and handover certificate")
