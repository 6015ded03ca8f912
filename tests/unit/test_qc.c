/* SPDX-License-Identifier: MIT
 *
 * test_qc.c -- quality control (post-clearance inspection): activities of
 * type qc and their inspects_id in older databases, `demine qc` measuring
 * each organisation's detection probability from the items inspections
 * found, its errors naming the row and field, the risk map using the rates
 * measured, and `demine qc sample` drawing inspection plots.
 */
#include "dmtest.h"

#include "demine/demine.h"

#include <jansson.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two organisations each cleared 1.9 ha by hand, finding 6 items; an
 * inspection of 0.57 ha inside each: Alpha's (naming the task) found
 * nothing, Bravo's (naming none: the land it overlaps) found 2 items. */
static void make_db(void)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    dmtest_write_file(dmtest_path("acts.csv"),
                      "ref,activity_type,organisation,method,start_date,end_date,wkt\n"
                      "CLR-A,clearance,Alpha,manual,2023-03-01,2023-04-01,\"POLYGON((46.900 39.900,46.902 "
                      "39.900,46.902 39.901,46.900 39.901,46.900 39.900))\"\n"
                      "CLR-B,clearance,Bravo,manual,2023-03-01,2023-04-01,\"POLYGON((46.910 39.900,46.912 "
                      "39.900,46.912 39.901,46.910 39.901,46.910 39.900))\"\n");
    dmtest_write_file(dmtest_path("rel.csv"),
                      "activity_id,outcome,method,date,wkt\n"
                      "CLR-A,cleared,manual,2023-04-01,\"POLYGON((46.900 39.900,46.902 39.900,46.902 "
                      "39.901,46.900 39.901,46.900 39.900))\"\n"
                      "CLR-B,cleared,manual,2023-04-01,\"POLYGON((46.910 39.900,46.912 39.900,46.912 "
                      "39.901,46.910 39.901,46.910 39.900))\"\n");
    dmtest_write_file(dmtest_path("qc.csv"),
                      "ref,activity_type,organisation,method,end_date,inspects_id,wkt\n"
                      "QC-A,qc,NMAC,manual,2023-06-01,CLR-A,\"POLYGON((46.9005 39.9002,46.9015 39.9002,"
                      "46.9015 39.9008,46.9005 39.9008,46.9005 39.9002))\"\n"
                      "QC-B,qc,NMAC,manual,2023-06-01,,\"POLYGON((46.9105 39.9002,46.9115 39.9002,46.9115 "
                      "39.9008,46.9105 39.9008,46.9105 39.9002))\"\n");
    char items[2000];
    size_t len = (size_t)snprintf(items, sizeof items, "category,activity_id,found_date,lat,lon\n");
    for (int o = 0; o < 2; o++)
        for (int i = 0; i < 6; i++)
            len += (size_t)snprintf(items + len, sizeof items - len, "AP,CLR-%c,2023-03-15,%.5f,%.5f\n",
                                    o ? 'B' : 'A', 39.90035 + 0.0001 * i,
                                    (o ? 46.910 : 46.900) + 0.0007 + 0.0001 * i);
    snprintf(items + len, sizeof items - len,
             "AP,QC-B,2023-06-01,39.9005,46.9110\nAP,QC-B,2023-06-01,39.9006,46.9112\n");
    dmtest_write_file(dmtest_path("items.csv"), items);
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer activities acts.csv");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer release_areas rel.csv");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer activities qc.csv");
    ASSERT_DEMINE(0, "imported 14 rows", "import db.gpkg --layer items items.csv");
}

static json_t *qc_json(const char *args)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "qc db.gpkg --json %s", args);
    ASSERT_MSG(rc == 0, "qc --json %s: exit %d:\n%s", args, rc, out);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j, "not JSON: %s\n%s", err.text, out);
    free(out);
    return j;
}

static json_t *rate_of(json_t *j, const char *org)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "rates"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "organisation")), org))
            return r;
    }
    return NULL;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* A database made before quality control (no inspects_id, no qc in the
 * list QGIS offers) takes an inspection on its next read-write open: the
 * column with its index, and qc among the activity types. */
TEST(store_migration_gives_activities_inspects_id_and_qc)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 db.gpkg \"DROP TRIGGER dm_outside_activities_insert; DROP TRIGGER "
                              "dm_outside_activities_update; DROP TRIGGER dm_outside_activities_delete; DROP "
                              "INDEX activities_inspects_id; ALTER TABLE activities DROP COLUMN inspects_id; "
                              "DELETE FROM gpkg_data_column_constraints WHERE constraint_name = "
                              "'dm_activities_activity_type' AND value = 'qc'; UPDATE dm_meta SET value = "
                              "'0' WHERE key = 'schema_domains'\""),
              0);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM pragma_table_info('activities') WHERE "
                              "name = 'inspects_id'\""),
              0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    /* read-only, it reads as it was: no inspection, no error */
    ASSERT_DEMINE(0, "no quality control inspection", "qc db.gpkg");
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type,organisation,method,end_date,wkt\n"
                                            "CLR-1,clearance,Alpha,manual,2023-04-01,\"POLYGON((46.900 39.900,"
                                            "46.902 39.900,46.902 39.901,46.900 39.901,46.900 39.900))\"\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities a.csv");
    dmtest_write_file(dmtest_path("q.csv"), "ref,activity_type,inspects_id,end_date,wkt\n"
                                            "QC-1,qc,CLR-1,2023-06-01,\"POLYGON((46.9005 39.9002,46.9015 "
                                            "39.9002,46.9015 39.9008,46.9005 39.9008,46.9005 39.9002))\"\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities q.csv");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT q.activity_type, c.ref FROM activities q JOIN "
                              "activities c ON c.uuid = q.inspects_id; SELECT value FROM "
                              "gpkg_data_column_constraints WHERE constraint_name = 'dm_activities_activity_type' "
                              "AND value = 'qc'; EXPLAIN QUERY PLAN SELECT uuid FROM activities WHERE inspects_id "
                              "= 'x'\""),
              0);
    ASSERT_CONTAINS(out, "qc|CLR-1\nqc\n");
    ASSERT_CONTAINS(out, "USING INDEX activities_inspects_id (inspects_id=?)");
    free(out);
    /* an activity type still unknown is refused as before */
    dmtest_write_file(dmtest_path("b.csv"), "ref,activity_type\nX-1,inspection\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities b.csv"), 2);
    ASSERT_CONTAINS(out, "activity_type");
    free(out);
}

/* The organisation whose inspection found 2 items in land where it found
 * 5 measures below its default; the one whose inspection found nothing
 * measures a little above it, short of 1; the counts are those of the
 * inspected land alone (the sixth item of each lies outside it). */
TEST(qc_measures_each_organisations_detection_probability)
{
    make_db();
    json_t *j = qc_json("");
    ASSERT_EQ(num(j, "inspections"), 2);
    json_t *a = rate_of(j, "Alpha"), *b = rate_of(j, "Bravo");
    ASSERT(a && b);
    ASSERT_STREQ(json_string_value(json_object_get(a, "method")), "manual");
    ASSERT_EQ(num(a, "tasks"), 1);
    ASSERT_EQ(num(a, "found"), 5);
    ASSERT_EQ(num(a, "missed"), 0);
    ASSERT_EQ(num(a, "failed"), 0);
    ASSERT_EQ(num(b, "found"), 5);
    ASSERT_EQ(num(b, "missed"), 2);
    ASSERT_EQ(num(b, "failed"), 1);
    /* 0.1 x 0.06 degrees at 39.9 N: 85.4 m x 66.6 m */
    ASSERT_NEAR(num(a, "ha_inspected"), 0.5696, 0.002);
    ASSERT_NEAR(num(a, "p_default"), 0.98, 1e-9);
    /* the default 0.98 is worth 10 items: Beta(9.8 + 5, 0.2 + 0) and
     * Beta(9.8 + 5, 0.2 + 2) */
    ASSERT_NEAR(num(a, "prior_items"), 10, 1e-9);
    ASSERT_NEAR(num(a, "p"), 14.8 / 15.0, 1e-9);
    ASSERT_NEAR(num(b, "p"), 14.8 / 17.0, 1e-9);
    ASSERT(num(a, "p_hi") < 1 && num(a, "p_lo") < num(a, "p") && num(a, "p") < num(a, "p_hi"));
    ASSERT(num(b, "p_lo") < num(b, "p") && num(b, "p") < num(b, "p_hi"));
    ASSERT(num(b, "p_hi") < num(a, "p"));
    json_decref(j);
    /* --org and the dates */
    j = qc_json("--org bravo");
    ASSERT_EQ(json_array_size(json_object_get(j, "rates")), 1);
    ASSERT(rate_of(j, "Bravo"));
    json_decref(j);
    j = qc_json("--from 2024");
    ASSERT_EQ(num(j, "inspections"), 0);
    ASSERT_EQ(json_array_size(json_object_get(j, "rates")), 0);
    json_decref(j);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "qc db.gpkg"), 0);
    ASSERT_CONTAINS(out, "Quality control of db.gpkg: 2 inspections, 2 tasks inspected");
    /* columns as wide as their names */
    ASSERT_CONTAINS(out, "organisation method tasks failed");
    ASSERT_CONTAINS(out, "Bravo        manual     1      1     0.57      5      2   0.980  0.871 (");
    free(out);
}

/* The Beta quantiles the interval comes from. */
TEST(qc_beta_quantiles)
{
    ASSERT_NEAR(dm_qc_beta_quantile(1, 1, 0.05), 0.05, 1e-9);
    ASSERT_NEAR(dm_qc_beta_quantile(2, 1, 0.25), 0.5, 1e-9); /* x^2 = 0.25 */
    ASSERT_NEAR(dm_qc_beta_quantile(1, 3, 0.5), 1 - pow(0.5, 1.0 / 3), 1e-9);
    ASSERT(isnan(dm_qc_beta_quantile(0, 1, 0.5)));
}

double dm__method_p_detect(const char *methods);

/* Methods used together multiply their misses up to a cap of 0.996, the
 * rate of clearance to standard: the items one misses are the ones the
 * next is likely to miss too. */
TEST(qc_combined_methods_detect_at_most_clearance_to_standard)
{
    ASSERT_NEAR(dm__method_p_detect("manual"), 0.98, 1e-12);
    ASSERT_NEAR(dm__method_p_detect("mechanical,dogs"), 0.99, 1e-12);
    ASSERT_NEAR(dm__method_p_detect("manual,mechanical"), 0.996, 1e-12);
    ASSERT_NEAR(dm__method_p_detect("manual,mechanical,dogs"), 0.996, 1e-12);
    ASSERT_NEAR(dm__method_p_detect("manual;dogs"), 0.996, 1e-12);
    ASSERT_NEAR(dm__method_p_detect(""), 0.5, 1e-12);
}

/* The prior is worth 10 items, or a fifth of a miss when that is more: so
 * 100 items found and none missed, which a method detecting 99.6 % gives
 * two times in three, keep 0.996 inside the 90 % interval; worth 10 items
 * alone (Beta(9.96, 0.04)), the prior piled up at 1 and held the whole
 * interval above 0.998. */
TEST(qc_prior_leaves_room_for_a_miss)
{
    ASSERT_NEAR(dm_qc_prior_items(0.5), 10, 1e-12);
    ASSERT_NEAR(dm_qc_prior_items(0.9), 10, 1e-9);
    ASSERT_NEAR(dm_qc_prior_items(0.98), 10, 1e-9);
    ASSERT_NEAR(dm_qc_prior_items(0.99), 20, 1e-9);
    ASSERT_NEAR(dm_qc_prior_items(0.996), 50, 1e-6);
    ASSERT(dm_qc_prior_items(1.0) > 1e5); /* finite */
    double p0s[] = {0.98, 0.996};
    for (int i = 0; i < 2; i++) {
        double k = dm_qc_prior_items(p0s[i]);
        double a = k * p0s[i] + 100, b = k * (1 - p0s[i]);
        double lo = dm_qc_beta_quantile(a, b, 0.05), hi = dm_qc_beta_quantile(a, b, 0.95);
        ASSERT_MSG(lo < 0.996 && 0.996 < hi, "p0 %g: %g-%g", p0s[i], lo, hi);
        /* and one miss in 20 moves the mean below the default */
        a = k * p0s[i] + 20, b = k * (1 - p0s[i]) + 1;
        ASSERT(a / (a + b) < p0s[i]);
    }
    /* the old weight, 10 items, for contrast */
    ASSERT(dm_qc_beta_quantile(9.96 + 100, 0.04, 0.05) > 0.996);
}

/* A QC activity counts apart from clearance in the statistics, and
 * releases nothing even given a release area. */
TEST(qc_is_no_clearance_in_the_statistics)
{
    make_db();
    dmtest_write_file(dmtest_path("r2.csv"),
                      "activity_id,outcome,method,date,wkt\n"
                      "QC-A,cleared,manual,2023-06-01,\"POLYGON((46.920 39.900,46.922 39.900,46.922 "
                      "39.901,46.920 39.901,46.920 39.900))\"\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer release_areas r2.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --json"), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j, "%s", out);
    free(out);
    json_t *acts = json_object_get(j, "activities");
    ASSERT_EQ(num(acts, "clearance"), 2);
    ASSERT_EQ(num(acts, "qc"), 2);
    /* the two tasks' 1.90 ha each, not the inspection's */
    json_t *rel = json_object_get(j, "released");
    if (!rel)
        rel = json_object_get(j, "release");
    ASSERT_MSG(rel, "no released land in the statistics");
    ASSERT_NEAR(num(rel, "cleared_ha"), 2 * 1.8987, 0.01);
    json_decref(j);
}

/* Bad input is named by its row and field. */
TEST(qc_errors_name_the_row_and_field)
{
    make_db();
    char *out = NULL;
    /* an inspection of an EOD spot task */
    dmtest_write_file(dmtest_path("e.csv"), "ref,activity_type,end_date\nEOD-1,eod,2023-05-01\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities e.csv");
    dmtest_write_file(dmtest_path("q.csv"), "ref,activity_type,inspects_id,end_date,wkt\n"
                                            "QC-E,qc,EOD-1,2023-06-01,\"POLYGON((46.9005 39.9002,46.9015 "
                                            "39.9002,46.9015 39.9008,46.9005 39.9008,46.9005 39.9002))\"\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities q.csv");
    ASSERT_EQ(dmtest_demine(&out, "qc db.gpkg"), 2);
    ASSERT_CONTAINS(out, "activities row QC-E: field 'inspects_id': EOD-1 is an eod, not a clearance or "
                         "survey (clearance, ts, bac)");
    free(out);
    /* `check` says it too, as an error of the database */
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 4);
    ASSERT_CONTAINS(out, "quality control: activities row QC-E: field 'inspects_id': EOD-1 is an eod");
    free(out);
    ASSERT_DEMINE(0, NULL, "delete db.gpkg QC-E --reason test");
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT(!strstr(out, "quality control"));
    free(out);
    /* an inspection without its polygon */
    dmtest_write_file(dmtest_path("q2.csv"), "ref,activity_type,inspects_id,end_date\nQC-N,qc,CLR-A,2023-06-01\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities q2.csv");
    ASSERT_EQ(dmtest_demine(&out, "qc db.gpkg"), 2);
    ASSERT_CONTAINS(out, "activities row QC-N: field 'geom': a quality control inspection needs its polygon");
    free(out);
    ASSERT_DEMINE(0, NULL, "delete db.gpkg QC-N --reason test");
    /* an inspection naming a task whose land it does not touch */
    dmtest_write_file(dmtest_path("q3.csv"), "ref,activity_type,inspects_id,end_date,wkt\n"
                                             "QC-F,qc,CLR-A,2023-06-01,\"POLYGON((46.9105 39.9002,46.9115 "
                                             "39.9002,46.9115 39.9008,46.9105 39.9008,46.9105 39.9002))\"\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities q3.csv");
    ASSERT_EQ(dmtest_demine(&out, "qc db.gpkg"), 2);
    ASSERT_CONTAINS(out, "activities row QC-F: field 'inspects_id': it inspects CLR-A, but its polygon does "
                         "not overlap the land CLR-A released");
    free(out);
    ASSERT_DEMINE(0, NULL, "delete db.gpkg QC-F --reason test");
    /* inspects_id on a clearance */
    ASSERT_DEMINE(0, NULL, "edit db.gpkg CLR-B inspects_id=CLR-A --reason test");
    ASSERT_EQ(dmtest_demine(&out, "qc db.gpkg"), 2);
    ASSERT_CONTAINS(out, "activities row CLR-B: field 'inspects_id': only a quality control inspection "
                         "(activity_type qc) inspects another activity; this one is clearance");
    free(out);
}

/* Two identical fields, 5 km either side of the inspected ones, cleared by
 * hand without a find, one by each organisation, each a hazard: the one
 * cleared by Bravo, whose inspection found items it missed, keeps a higher
 * probability of contamination than Alpha's; with --no-qc-rates the two
 * are alike. */
TEST(risk_map_uses_the_detection_probability_qc_measured)
{
    make_db();
    dmtest_write_file(dmtest_path("a2.csv"),
                      "ref,activity_type,organisation,method,start_date,end_date,wkt\n"
                      "CLR-A2,clearance,Alpha,manual,2023-03-01,2023-04-01,\"POLYGON((46.9557 39.900,46.9577 "
                      "39.900,46.9577 39.901,46.9557 39.901,46.9557 39.900))\"\n"
                      "CLR-B2,clearance,Bravo,manual,2023-03-01,2023-04-01,\"POLYGON((46.8557 39.900,46.8577 "
                      "39.900,46.8577 39.901,46.8557 39.901,46.8557 39.900))\"\n");
    dmtest_write_file(dmtest_path("r2.csv"),
                      "activity_id,outcome,method,date,wkt\n"
                      "CLR-A2,cleared,manual,2023-04-01,\"POLYGON((46.9557 39.900,46.9577 39.900,46.9577 "
                      "39.901,46.9557 39.901,46.9557 39.900))\"\n"
                      "CLR-B2,cleared,manual,2023-04-01,\"POLYGON((46.8557 39.900,46.8577 39.900,46.8577 "
                      "39.901,46.8557 39.901,46.8557 39.900))\"\n");
    dmtest_write_file(dmtest_path("h.csv"),
                      "ref,hazard_type,reliability,wkt\n"
                      "HZ-A2,SHA,3,\"POLYGON((46.9557 39.900,46.9577 39.900,46.9577 39.901,46.9557 39.901,"
                      "46.9557 39.900))\"\n"
                      "HZ-B2,SHA,3,\"POLYGON((46.8557 39.900,46.8577 39.900,46.8577 39.901,46.8557 39.901,"
                      "46.8557 39.900))\"\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer activities a2.csv");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer release_areas r2.csv");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer hazards h.csv");
    double p[2][2];
    for (int k = 0; k < 2; k++) {
        char *out = NULL;
        ASSERT_EQ(dmtest_demine(&out, "risk map db.gpkg --out r.tif --cell 20 --json%s",
                                k ? " --no-qc-rates" : ""),
                  0);
        json_error_t err;
        json_t *j = json_loads(out, JSON_DISABLE_EOF_CHECK, &err);
        ASSERT_MSG(j, "%s", out);
        json_t *q = json_object_get(j, "qc_rates");
        ASSERT_MSG(json_is_object(q), "no qc_rates in %s", out);
        ASSERT(json_is_true(json_object_get(q, "used")) == !k);
        ASSERT_EQ(json_array_size(json_object_get(q, "rates")), 2);
        json_decref(j);
        free(out);
        ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT p_contam FROM hazards ORDER BY ref\""), 0);
        ASSERT_EQ(sscanf(out, "%lf\n%lf", &p[k][0], &p[k][1]), 2);
        free(out);
    }
    /* with the rates: Bravo's field (0.871) well above Alpha's (0.987) */
    ASSERT_MSG(p[0][1] > 3 * p[0][0], "Alpha %g, Bravo %g", p[0][0], p[0][1]);
    /* without: alike (the same default, the same distance to the finds) */
    ASSERT_MSG(fabs(p[1][1] - p[1][0]) < 0.1 * p[1][0], "Alpha %g, Bravo %g", p[1][0], p[1][1]);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map db.gpkg --out r.tif --cell 20"), 0);
    ASSERT_CONTAINS(out, "cleared land searched at the detection probabilities quality control measured (demine "
                         "qc): Alpha manual 0.987 (default 0.98), Bravo manual 0.871 (default 0.98)");
    free(out);
    /* `risk refresh` (after each approved report) maps as the last map
     * did: with --no-qc-rates, the defaults again */
    ASSERT_DEMINE(0, NULL, "risk map db.gpkg --out r.tif --cell 20 --no-qc-rates");
    ASSERT_DEMINE(0, NULL, "risk refresh db.gpkg");
    double q[2];
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT p_contam FROM hazards ORDER BY ref\""), 0);
    ASSERT_EQ(sscanf(out, "%lf\n%lf", &q[0], &q[1]), 2);
    free(out);
    ASSERT_MSG(fabs(q[1] - q[0]) < 0.1 * q[0], "refreshed: Alpha %g, Bravo %g", q[0], q[1]);
}

/* An inspection that cannot be measured leaves the map to the defaults,
 * said with the row at fault. */
TEST(risk_map_with_bad_qc_keeps_the_defaults_and_says_why)
{
    make_db();
    dmtest_write_file(dmtest_path("q2.csv"), "ref,activity_type,inspects_id,end_date\nQC-N,qc,CLR-A,2023-06-01\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities q2.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map db.gpkg --out r.tif --cell 20"), 0);
    ASSERT_CONTAINS(out, "activities row QC-N: field 'geom'");
    ASSERT_CONTAINS(out, "the risk map uses the methods' default detection probabilities");
    ASSERT_MSG(!strstr(out, "quality control measured (demine qc)"), "%s", out);
    free(out);
}

/* Plots inside the land a task released: the same seed the same plots,
 * another seed others; the share asked; the inspected plots import back
 * as inspections of the task, measured by qc. */
TEST(qc_sample_draws_plots_that_import_back_as_inspections)
{
    make_db();
    ASSERT_DEMINE(0, "19 plots of 10 m (0.19 ha) inside the 1.90 ha CLR-A released",
                  "qc sample db.gpkg CLR-A --share 0.1 --plot 10 --seed 7 --out p1.geojson");
    ASSERT_DEMINE(0, NULL, "qc sample db.gpkg CLR-A --share 0.1 --plot 10 --seed 7 --out p2.geojson");
    ASSERT_DEMINE(0, NULL, "qc sample db.gpkg CLR-A --seed 8 --out p3.geojson");
    char *a = dmtest_read_file(dmtest_path("p1.geojson")), *b = dmtest_read_file(dmtest_path("p2.geojson")),
         *c = dmtest_read_file(dmtest_path("p3.geojson"));
    ASSERT_STREQ(a, b);
    ASSERT(strcmp(a, c));
    ASSERT_CONTAINS(a, "\"ref\":\"QC-CLR-A-019\",\"activity_type\":\"qc\",\"inspects_id\":");
    ASSERT_CONTAINS(a, "\"end_date\":null,\"items_found\":null");
    free(b);
    free(c);
    ASSERT_DEMINE(2, "exists", "qc sample db.gpkg CLR-A --out p1.geojson");
    ASSERT_DEMINE(2, "not a clearance or survey", "qc sample db.gpkg QC-A --out p4.geojson");
    ASSERT_DEMINE(2, "hold no plot of 500 m", "qc sample db.gpkg CLR-A --plot 500 --out p5.geojson");
    /* every plot inside the task's land, none overlapping: their union
     * covers 19 x 100 m2 of it */
    json_error_t err;
    json_t *j = json_loads(a, 0, &err);
    ASSERT(j);
    free(a);
    dm_ctx *ctx = dmtest_ctx();
    dm_geom *land = NULL, *u = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46.900 39.900,46.902 39.900,46.902 39.901,46.900 39.901,46.900 39.900))",
                               &land));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(j, "features"), i, f)
    {
        char *gj = json_dumps(json_object_get(f, "geometry"), 0);
        dm_geom *g = NULL, *v = NULL;
        ASSERT_OK(dm_geom_from_geojson(ctx, gj, &g));
        free(gj);
        ASSERT(dm_geom_contains(land, g));
        if (u) {
            ASSERT_OK(dm_geom_union(ctx, u, g, &v));
            dm_geom_free(u);
            dm_geom_free(g);
            u = v;
        } else
            u = g;
    }
    double ha = 0;
    ASSERT_OK(dm_geom_area_ha(ctx, u, &ha));
    ASSERT_NEAR(ha, 0.19, 0.002);
    dm_geom_free(u);
    dm_geom_free(land);
    /* 19 plots drawn; the inspectors searched three on two days (one
     * find), left the rest: `qc record` makes one inspection of the three */
    json_t *fs = json_object_get(j, "features");
    for (int k = 0; k < 3; k++) {
        json_t *p = json_object_get(json_array_get(fs, (size_t)k), "properties");
        json_object_set_new(p, "end_date", json_string(k ? "2023-07-02" : "2023-07-01"));
        json_object_set_new(p, "items_found", json_integer(k == 1));
    }
    ASSERT_EQ(json_dump_file(j, dmtest_path("back.geojson"), 0), 0);
    /* a plot with a find and no day: refused, named, nothing written */
    json_t *p3 = json_object_get(json_array_get(fs, 3), "properties");
    json_object_set_new(p3, "items_found", json_integer(2));
    ASSERT_EQ(json_dump_file(j, dmtest_path("nodate.geojson"), 0), 0);
    json_object_set_new(p3, "items_found", json_null());
    json_object_set_new(p3, "end_date", json_string("2099-01-01"));
    ASSERT_EQ(json_dump_file(j, dmtest_path("future.geojson"), 0), 0);
    json_decref(j);
    ASSERT_DEMINE(2, "nodate.geojson: feature 4: field 'end_date' is empty but items_found is 2",
                  "qc record db.gpkg nodate.geojson");
    ASSERT_DEMINE(2, "future.geojson: feature 4: field 'end_date': 2099-01-01 is in the future",
                  "qc record db.gpkg future.geojson");
    ASSERT_DEMINE(2, "no field 'inspects_id': not a file of inspection plots", "qc record db.gpkg items.csv");
    ASSERT_DEMINE(0, "3 of 19 plots inspected (16 not), 1 item found: 1 inspection to record (dry run",
                  "qc record db.gpkg back.geojson --dry-run");
    json_t *q = qc_json("--org alpha");
    ASSERT_EQ(num(rate_of(q, "Alpha"), "inspections"), 1);
    json_decref(q);
    ASSERT_DEMINE(0, "QC-CLR-A-2023-07-02 of CLR-A: 3 of 19 plots, 0.03 ha, 1 item found",
                  "qc record db.gpkg back.geojson --org NMAC");
    ASSERT_DEMINE(2, "recorded already", "qc record db.gpkg back.geojson --org NMAC");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT activity_type, start_date, end_date, organisation, "
                              "(SELECT ref FROM activities t WHERE t.uuid = a.inspects_id) FROM activities a "
                              "WHERE ref = 'QC-CLR-A-2023-07-02'\""),
              0);
    ASSERT_STREQ(out, "qc|2023-07-01|2023-07-02|NMAC|CLR-A\n");
    free(out);
    /* its find, imported with its place, is a miss of CLR-A */
    dmtest_write_file(dmtest_path("found.csv"), "category,found_date,lat,lon\nAP,2023-07-02,39.9005,46.9010\n");
    ASSERT_DEMINE(0, "imported 1 row",
                  "import db.gpkg --layer items found.csv --set activity_id=QC-CLR-A-2023-07-02");
    q = qc_json("--org alpha");
    json_t *r = rate_of(q, "Alpha");
    ASSERT(r);
    ASSERT_EQ(num(r, "inspections"), 2);
    ASSERT_EQ(num(r, "missed"), 1);
    json_decref(q);
}
