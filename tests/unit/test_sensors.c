/* SPDX-License-Identifier: MIT
 *
 * test_sensors.c -- sensor evidence in the database: importing flights and
 * detections (GeoJSON and CSV, idempotent, all-or-nothing on bad records),
 * calibration from a validation file, and the evidence the risk engine gets:
 * likelihood ratios of detections and negative evidence of empty footprints
 * for the classes a sensor can see.
 */
#include "dmtest.h"

#include <unistd.h>

/* two flights over ~100 m x 100 m near 46.9E 39.9N: a thermal camera with
 * two detections and a magnetometer with none */
static const char *FLIGHTS =
    "{\"type\":\"FeatureCollection\",\"features\":[\n"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-1\",\"sensor\":\"H20T\",\"sensor_kind\":"
    "\"thermal\",\"date\":\"2024-05-02\",\"altitude_m\":30,\"gsd_cm\":1.2},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[46.900,39.900],[46.901,39.900],[46.901,39.901],"
    "[46.900,39.901],[46.900,39.900]]]}},\n"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-2\",\"sensor\":\"MAG-1\",\"sensor_kind\":"
    "\"magnetometer\",\"date\":\"2024-05-03\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[46.902,39.900],[46.903,39.900],[46.903,39.901],[46.902,39.901],[46.902,39.900]]]}},\n"
    "{\"type\":\"Feature\",\"properties\":{\"flight\":\"F-1\",\"category\":\"AP\",\"confidence\":"
    "0.9,\"model_version\":\"yolo-8.1\",\"position_error_m\":0.5},\"geometry\":{\"type\":\"Point\","
    "\"coordinates\":[46.9005,39.9005]}},\n"
    "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\",\"confidence\":0.4},\"geometry\":"
    "{\"type\":\"Point\",\"coordinates\":[46.9002,39.9008]}}\n"
    "]}\n";

static dm_store *db(void)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    return s;
}

/* A new database holding the two flights of FLIGHTS (as f.geojson). */
static dm_store *db_with_flights(void)
{
    dm_store *s = db();
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, NULL));
    return s;
}

static long count(dm_store *s, const char *layer)
{
    long n = -1;
    ASSERT_OK(dm_store_count(s, layer, NULL, &n));
    return n;
}

TEST(sensors_import_geojson_is_idempotent)
{
    dm_store *s = db();
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 2);
    ASSERT_EQ(st.detections_added, 2);
    ASSERT_EQ(st.sensors_added, 2);
    ASSERT_EQ(st.empty_flights, 1);
    ASSERT_EQ(count(s, "flights"), 2);
    ASSERT_EQ(count(s, "detections"), 2);
    /* the second detection found its flight by its footprint and took its date */
    dm_cursor *c = NULL;
    const char *f[] = {"category"}, *v[] = {"AT"};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    ASSERT_OK(dm_store_select(s, "detections", &sel, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "date"), "2024-05-02");
    ASSERT(dm_cursor_text(c, "flight_id") != NULL);
    dm_cursor_free(c);
    /* again: nothing changes */
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 0);
    ASSERT_EQ(st.flights_skipped, 2);
    ASSERT_EQ(st.detections_added, 0);
    ASSERT_EQ(st.detections_skipped, 2);
    ASSERT_EQ(st.sensors_added, 0);
    ASSERT_EQ(count(s, "flights"), 2);
    ASSERT_EQ(count(s, "detections"), 2);
    ASSERT_EQ(count(s, "sensors"), 2);
    dm_store_close(s);
}

TEST(sensors_import_refless_flight_matches_by_footprint_and_date)
{
    dm_store *s = db();
    dmtest_write_file(dmtest_path("f.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"sensor\":\"RGB-1\",\"sensor_kind\":\"rgb\",\"date\":"
                      "\"2024-06-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[46.9,39.9],[46.901,39.9],[46.901,39.901],[46.9,39.9]]]}}]}");
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 1);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 0);
    ASSERT_EQ(st.flights_skipped, 1);
    /* same footprint, another day: a new flight */
    dm_sensor_import_opts o = {0};
    dmtest_write_file(dmtest_path("g.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"sensor\":\"RGB-1\"},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":[[[46.9,39.9],[46.901,39.9],[46.901,39.901],[46.9,39.9]]]"
                      "}}]}");
    o.date = "2024-06-02";
    ASSERT_OK(dm_sensors_import(s, dmtest_path("g.geojson"), &o, &st));
    ASSERT_EQ(st.flights_added, 1);
    ASSERT_EQ(count(s, "flights"), 2);
    dm_store_close(s);
}

TEST(sensors_import_csv_detections_onto_known_flight)
{
    dm_store *s = db_with_flights();
    dmtest_write_file(dmtest_path("d.csv"), "lon,lat,category,confidence,model_version\n"
                                            "46.9025,39.9005,AT,0.8,mag-picker\n"
                                            "46.9021,39.9002,UXO,0.55,mag-picker\n");
    dm_sensor_import_opts o = {0};
    o.flight_ref = "F-2";
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("d.csv"), &o, &st));
    ASSERT_EQ(st.detections_added, 2);
    ASSERT_EQ(st.flights_added, 0);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("d.csv"), &o, &st));
    ASSERT_EQ(st.detections_added, 0);
    ASSERT_EQ(st.detections_skipped, 2);
    ASSERT_EQ(count(s, "detections"), 4);
    dm_store_close(s);
}

static void expect_refused(dm_store *s, const char *name, const char *text,
                           const dm_sensor_import_opts *o, const char *msg1, const char *msg2)
{
    dm_ctx *ctx = dmtest_ctx();
    long fl = count(s, "flights"), de = count(s, "detections"), se = count(s, "sensors");
    dmtest_write_file(dmtest_path(name), text);
    dm_status st = dm_sensors_import(s, dmtest_path(name), o, NULL);
    ASSERT_MSG(st != DM_OK, "%s was accepted", name);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), name);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), msg1);
    if (msg2)
        ASSERT_CONTAINS(dm_ctx_errmsg(ctx), msg2);
    /* nothing written */
    ASSERT_EQ(count(s, "flights"), fl);
    ASSERT_EQ(count(s, "detections"), de);
    ASSERT_EQ(count(s, "sensors"), se);
}

TEST(sensors_import_refuses_bad_records_whole)
{
    dm_store *s = db();
    const char *poly = "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-9\",\"sensor\":\"C\","
                       "\"sensor_kind\":\"rgb\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates"
                       "\":[[[46.9,39.9],[46.901,39.9],[46.901,39.901],[46.9,39.9]]]}}";
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"type\":\"FeatureCollection\",\"features\":[%s,{\"type\":\"Feature\","
             "\"properties\":{\"confidence\":1.7},\"geometry\":{\"type\":\"Point\","
             "\"coordinates\":[46.9008,39.9002]}}]}",
             poly);
    expect_refused(s, "conf.geojson", buf, NULL, "feature 2", "'confidence': 1.7 is outside 0-1");
    snprintf(buf, sizeof buf,
             "{\"type\":\"FeatureCollection\",\"features\":[%s,{\"type\":\"Feature\","
             "\"properties\":{\"confidence\":0.5},\"geometry\":{\"type\":\"Point\","
             "\"coordinates\":[46.95,39.95]}}]}",
             poly);
    expect_refused(s, "out.geojson", buf, NULL, "feature 2", "outside every flight footprint");
    snprintf(buf, sizeof buf,
             "{\"type\":\"FeatureCollection\",\"features\":[%s,{\"type\":\"Feature\","
             "\"properties\":{\"confidence\":0.5,\"flight\":\"F-9\"},\"geometry\":{\"type\":"
             "\"Point\",\"coordinates\":[46.95,39.95]}}]}",
             poly);
    expect_refused(s, "out2.geojson", buf, NULL, "outside the footprint of flight 'F-9'", NULL);
    expect_refused(s, "empty.geojson",
                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"ref\":\"E\",\"sensor\":\"C\"},\"geometry\":{\"type\":"
                   "\"Polygon\",\"coordinates\":[]}}]}",
                   NULL, "feature 1", "no geometry");
    expect_refused(s, "none.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}", NULL,
                   "no flights or detections", NULL);
    expect_refused(s, "bad.csv", "lon,lat,confidence\n46.9,39.9,0.5\nabc,39.9,0.5\n", NULL,
                   "line 3", "no geometry");
    dm_sensor_import_opts o = {0};
    o.flight_ref = "NOPE";
    expect_refused(s, "ref.csv", "lon,lat,confidence\n46.9,39.9,0.5\n", &o, "line 2",
                   "no flight 'NOPE'");
    expect_refused(s, "proj.csv", "x,y,confidence\n600000,4400000,0.5\n", NULL, "line 2",
                   "not longitude/latitude");
    ASSERT_STATUS(DM_EIO, dm_sensors_import(s, dmtest_path("missing.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(dmtest_ctx()), "missing.geojson");
    dm_store_close(s);
}

TEST(sensors_calibrate_from_validation_file)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    /* H20T: 8 AP items of which 6 detected, 2 AT of 2, 3 false alarms over 2 ha */
    char txt[4096] = "sensor,category,item,detected,area_ha\n";
    for (int i = 0; i < 8; i++)
        snprintf(txt + strlen(txt), sizeof txt - strlen(txt), "H20T,AP,ap%d,%d,2\n", i, i < 6);
    snprintf(txt + strlen(txt), sizeof txt - strlen(txt), "%s",
             "H20T,AT,at1,1,\nH20T,AT,at2,yes,\nH20T,AP,,,\nH20T,,,,\nH20T,,,,\n");
    dmtest_write_file(dmtest_path("v.csv"), txt);
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 0, &r, &n));
    ASSERT_EQ(n, 3); /* AP, AT, overall */
    ASSERT_EQ(r[0].category, 0);
    ASSERT_NEAR(r[0].p_detect, 7.0 / 10.0, 1e-9);
    ASSERT_NEAR(r[0].false_alarms_ha, 3.5 / 2.0, 1e-9);
    ASSERT_NEAR(r[1].p_detect, 3.0 / 4.0, 1e-9);
    ASSERT_NEAR(r[2].p_detect, 9.0 / 12.0, 1e-9);
    dm_free(ctx, r);
    ASSERT_EQ(count(s, "sensor_rates"), 2);
    /* again: rows are replaced, not added */
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 0, NULL, NULL));
    ASSERT_EQ(count(s, "sensor_rates"), 2);
    /* errors name the line and field */
    dmtest_write_file(dmtest_path("b.csv"), "sensor,category,item,detected,area_ha\n"
                                            "H20T,AP,x1,maybe,1\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("b.csv"), 0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "line 2: field 'detected'");
    dmtest_write_file(dmtest_path("u.csv"), "sensor,category,item,detected,area_ha\n"
                                            "Nobody,AP,x1,1,1\n");
    ASSERT_STATUS(DM_ENOTFOUND, dm_sensors_calibrate(s, dmtest_path("u.csv"), 0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "u.csv: line 2: field 'sensor': no sensor named 'Nobody'");
    dm_store_close(s);
}

TEST(sensors_evidence_positive_and_negative_by_class)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    dm_sensor_evidence ev;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    ASSERT_EQ(ev.n_areas, 2);
    ASSERT_EQ(ev.n_points, 2);
    /* the strong AP detection weighs more than the weak AT one */
    const dm_sensor_point_ev *ap =
        ev.points[0].classes == 1u << DM_CLASS_AP ? &ev.points[0] : &ev.points[1];
    const dm_sensor_point_ev *at = ap == &ev.points[0] ? &ev.points[1] : &ev.points[0];
    ASSERT(ap->log_lr > at->log_lr);
    ASSERT(at->log_lr > 0);
    ASSERT_NEAR(ap->sigma_m, 0.5, 1e-9);
    /* the magnetometer sees AT but not AP */
    const dm_sensor_area_ev *mag =
        ev.areas[1].classes_seen & (1u << DM_CLASS_AP) ? &ev.areas[0] : &ev.areas[1];
    ASSERT(mag->log_lr[DM_CLASS_AT] < 0);
    ASSERT_NEAR(mag->log_lr[DM_CLASS_AP], 0, 0);
    /* on a 1 m UTM grid over both flights */
    double gt[6] = {0, 1, 0, 0, 0, -1};
    double x = 46.9, y = 39.9015;
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32638", &t));
    ASSERT_OK(dm_transform_xy(t, &x, &y, 1));
    gt[0] = floor(x) - 5;
    gt[3] = ceil(y) + 5;
    int W = 290, H = 200;
    float *g_at = calloc((size_t)W * H, sizeof(float)),
          *g_ap = calloc((size_t)W * H, sizeof(float));
    ASSERT_OK(
        dm_sensor_evidence_rasterise(ctx, &ev, 1u << DM_CLASS_AT, "EPSG:32638", gt, W, H, g_at));
    ASSERT_OK(
        dm_sensor_evidence_rasterise(ctx, &ev, 1u << DM_CLASS_AP, "EPSG:32638", gt, W, H, g_ap));
    /* a cell in the middle of the magnetometer flight */
    double mx = 46.9025, my = 39.9005;
    ASSERT_OK(dm_transform_xy(t, &mx, &my, 1));
    size_t om = (size_t)floor((gt[3] - my)) * W + (size_t)floor(mx - gt[0]);
    ASSERT_NEAR(g_at[om], mag->log_lr[DM_CLASS_AT], 1e-5);
    ASSERT_NEAR(g_ap[om], 0, 0);
    /* the AP detection's cell is raised for AP, and its neighbours less */
    double dx = 46.9005, dy = 39.9005;
    ASSERT_OK(dm_transform_xy(t, &dx, &dy, 1));
    size_t od = (size_t)floor((gt[3] - dy)) * W + (size_t)floor(dx - gt[0]);
    ASSERT_NEAR(g_ap[od], ap->log_lr, 1e-4);
    ASSERT(g_ap[od + 3] < g_ap[od]);
    /* away from detections the camera flight lowers AP odds */
    double cx = 46.9008, cy = 39.9002;
    ASSERT_OK(dm_transform_xy(t, &cx, &cy, 1));
    size_t oc = (size_t)floor((gt[3] - cy)) * W + (size_t)floor(cx - gt[0]);
    ASSERT_MSG(g_ap[oc] < 0, "g_ap %g g_at %g area0 seen %x lr %g area1 seen %x lr %g", g_ap[oc],
               g_at[oc], ev.areas[0].classes_seen, ev.areas[0].log_lr[0], ev.areas[1].classes_seen,
               ev.areas[1].log_lr[0]);
    /* a 10 m grid: the coarse cell gathers more false alarms, so less weight */
    double gt2[6] = {gt[0], 10, 0, gt[3], 0, -10};
    float g2[600] = {0};
    ASSERT_OK(
        dm_sensor_evidence_rasterise(ctx, &ev, 1u << DM_CLASS_AP, "EPSG:32638", gt2, 30, 20, g2));
    float best = g2[0];
    for (int i = 1; i < 600; i++)
        best = g2[i] > best ? g2[i] : best;
    ASSERT_NEAR(best, log(1 + 0.9 * (0.5 / (10 * 0.01) - 1)), 1e-4);
    free(g_at);
    free(g_ap);
    dm_transform_free(t);
    dm_sensor_evidence_free(ctx, &ev);
    /* until: before the flights, nothing */
    ASSERT_OK(dm_sensor_evidence_gather(s, "2024-01-01", &ev));
    ASSERT_EQ(ev.n_areas, 0);
    dm_sensor_evidence_free(ctx, &ev);
    dm_store_close(s);
}

TEST(sensors_detection_lr_behaves)
{
    double lo = dm_sensor_detection_lr(0.2, 0.8, 10, 0.5);
    double hi = dm_sensor_detection_lr(0.9, 0.8, 10, 0.5);
    ASSERT(hi > lo && lo > 1);
    ASSERT(dm_sensor_detection_lr(0.9, 0.8, 100, 0.5) < hi); /* more false alarms */
    ASSERT(dm_sensor_detection_lr(0.9, 0.8, 10, 5.0) < hi);  /* vaguer position */
    ASSERT_NEAR(dm_sensor_detection_lr(0, 0.8, 10, 0.5), 1, 0);
    /* pd / (far * A): 0.8 / (10 * 2 pi 0.25 / 1e4) */
    ASSERT_NEAR(dm_sensor_detection_lr(1, 0.8, 10, 0.5), 0.8 / (10 * 6.283185307 * 0.25 / 1e4),
                0.01);
}

TEST(sensors_mag_survey_into_database)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db();
    dm_mag_synth_opts o = {0};
    o.n_targets = 10;
    o.min_snr = 8;
    o.size_m = 15;
    dm_mag_survey sv;
    dm_mag_truth *t;
    size_t nt;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    dm_mag_result r;
    ASSERT_OK(dm_mag_process(ctx, &sv, NULL, &r));
    dm_sensor_import_stats st;
    ASSERT_OK(dm_mag_import(s, &r, "survey.csv", "MAG-7", "G-858", "2024-07-01", &st));
    ASSERT_EQ(st.flights_added, 1);
    ASSERT_EQ(st.detections_added, (long)r.n_targets);
    ASSERT(r.n_targets >= 9);
    ASSERT_OK(dm_mag_import(s, &r, "survey.csv", "MAG-7", "G-858", "2024-07-01", &st));
    ASSERT_EQ(st.flights_added, 0);
    ASSERT_EQ(st.detections_added, 0);
    ASSERT_EQ(count(s, "detections"), (long)r.n_targets);
    /* the same ref another day: the survey file is named, not 'feature 0' */
    ASSERT_STATUS(DM_ECONFLICT, dm_mag_import(s, &r, "survey.csv", "MAG-7", "G-858", "2024-07-02", &st));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "survey.csv: flight 'MAG-7' is already in the database with another date");
    ASSERT_EQ(count(s, "detections"), (long)r.n_targets);
    dm_sensor_evidence ev;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    ASSERT_EQ(ev.n_areas, 1);
    ASSERT(ev.areas[0].log_lr[DM_CLASS_AT] < 0);
    ASSERT_NEAR(ev.areas[0].log_lr[DM_CLASS_AP], 0, 0);
    dm_sensor_evidence_free(ctx, &ev);
    dm_mag_result_free(ctx, &r);
    dm_mag_survey_free(ctx, &sv);
    dm_free(ctx, t);
    dm_store_close(s);
}

TEST(sensors_area_p_detect_counts_only_classes_seen)
{
    dm_sensor_area_ev a;
    memset(&a, 0, sizeof a);
    a.classes_seen = 1u << DM_CLASS_AT;
    a.log_lr[DM_CLASS_AT] = log(1 - 0.8);
    ASSERT_NEAR(dm_sensor_area_p_detect(&a, 1u << DM_CLASS_AT), 0.8, 1e-12);
    ASSERT_NEAR(dm_sensor_area_p_detect(&a, (1u << DM_CLASS_AT) | (1u << DM_CLASS_AP)), 0.4, 1e-12);
    ASSERT_NEAR(dm_sensor_area_p_detect(&a, 1u << DM_CLASS_AP), 0, 0);
    char buf[32];
    dm_class_set_format((1u << DM_CLASS_AP) | (1u << DM_CLASS_UXO), buf, sizeof buf);
    ASSERT_STREQ(buf, "AP,UXO");
    unsigned set;
    ASSERT_EQ(dm_class_set_parse("ap, uxo", &set), 0);
    ASSERT_EQ(set, (1u << DM_CLASS_AP) | (1u << DM_CLASS_UXO));
    ASSERT_EQ(dm_class_set_parse("AP,XX", &set), -1);
}

#if defined(__has_include)
#if __has_include("demine/dm_evidence.h")
#include "demine/dm_evidence.h"
TEST(sensors_evidence_into_risk_evidence_set)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    dm_sensor_evidence ev;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    dm_evidence_set set;
    dm_evidence_set_init(&set);
    /* AP suspected: the AP detection and the camera flight; the magnetometer
     * (no AP) and the AT detection stay out */
    ASSERT_OK(dm_sensor_evidence_to_set(ctx, &ev, 1u << DM_CLASS_AP, &set));
    ASSERT_EQ(set.n, 2);
    size_t nd = 0, nc = 0;
    for (size_t i = 0; i < set.n; i++) {
        if (set.v[i].kind == DM_EV_DETECTION) {
            nd++;
            ASSERT_NEAR(set.v[i].weight, 0.9, 1e-9);
            ASSERT_NEAR(set.v[i].sigma_m, 0.5, 1e-9);
        } else if (set.v[i].kind == DM_EV_CLEARED) {
            nc++;
            ASSERT_NEAR(set.v[i].p_detect, 0.5, 1e-9);
        }
    }
    ASSERT_EQ(nd, 1);
    ASSERT_EQ(nc, 1);
    dm_evidence_set_free(ctx, &set);
    dm_sensor_evidence_free(ctx, &ev);
    dm_store_close(s);
}
#endif
#endif

TEST(sensors_cli_import_calibrate_list)
{
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg f.geojson"), 0);
    ASSERT_CONTAINS(out, "2 flights added");
    ASSERT_CONTAINS(out, "1 without detections");
    free(out);
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "MAG-1,AT,t1,1,0.5\nMAG-1,AT,t2,1,\nMAG-1,AT,t3,0,\n"
                                            "MAG-1,,,,\n");
    ASSERT_EQ(dmtest_demine(&out, "sensors calibrate t.gpkg --validation v.csv --json"), 0);
    ASSERT_CONTAINS(out, "\"category\":\"AT\",\"items\":3,\"detected\":2");
    ASSERT_CONTAINS(out, "\"p_detect\":0.6000");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "sensors list t.gpkg --json"), 0);
    ASSERT_CONTAINS(out, "\"name\":\"MAG-1\"");
    ASSERT_CONTAINS(out, "\"p_detect\":0.6");
    free(out);
    ASSERT_DEMINE(0, "2 detections and 2 flights",
                  "sensors evidence t.gpkg --out ev.tif --cell 2 --classes AT");
    ASSERT_DEMINE(2, NULL, "sensors evidence t.gpkg --out ev.tif --classes XX");
    /* flights all later than --until: said as such, not as no evidence at all */
    ASSERT_DEMINE(2, "no flight or detection dated on or before --until 2001-01-01 (the database holds 2 flights, all later)",
                  "sensors evidence t.gpkg --out ev.tif --until 2001-01-01");
    ASSERT_DEMINE(2, "expected import, calibrate", "sensors");
    ASSERT_DEMINE(2, "expected map, refresh, explain", "risk");
    ASSERT_DEMINE(2, "classes_seen", "sensors add t.gpkg --name Dog --kind other --classes AP,XX");
    ASSERT_DEMINE(2, NULL, "sensors calibrate t.gpkg");
    ASSERT_DEMINE(2, NULL, "sensors frobnicate t.gpkg");
}

TEST(sensors_calibrate_by_position)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    /* 4 AP items on a 1 ha validation square; detections 0.3 m from three of
     * them, one 5 m from the fourth (too far: a miss and a false alarm), and
     * one in the open */
    char txt[8192];
    size_t n = 0;
    n +=
        (size_t)snprintf(txt + n, sizeof txt - n,
                         "{\"type\":\"FeatureCollection\",\"features\":["
                         "{\"type\":\"Feature\",\"properties\":{\"kind\":\"area\",\"sensor\":"
                         "\"H20T\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,"
                         "39.9],[46.90117,39.9],[46.90117,39.9009],[46.9,39.9009],[46.9,39.9]]]}}");
    double ix[4] = {46.9001, 46.9003, 46.9005, 46.9007};
    for (int i = 0; i < 4; i++) {
        n += (size_t)snprintf(txt + n, sizeof txt - n,
                              ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":"
                              "\"H20T\",\"category\":\"AP\"},\"geometry\":{\"type\":\"Point\","
                              "\"coordinates\":[%.7f,39.9004]}}",
                              ix[i]);
        double dy = i < 3 ? 0.3 / 111320.0 : 5.0 / 111320.0;
        n += (size_t)snprintf(txt + n, sizeof txt - n,
                              ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\","
                              "\"sensor\":\"H20T\",\"confidence\":0.8},\"geometry\":{\"type\":"
                              "\"Point\",\"coordinates\":[%.7f,%.8f]}}",
                              ix[i], 39.9004 + dy);
    }
    n +=
        (size_t)snprintf(txt + n, sizeof txt - n,
                         ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":"
                         "\"H20T\",\"category\":\"AP\",\"confidence\":0.6},\"geometry\":{\"type\":"
                         "\"Point\",\"coordinates\":[46.9010,39.9008]}}]}");
    dmtest_write_file(dmtest_path("val.geojson"), txt);
    dm_sensor_rate *r = NULL;
    size_t nr = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("val.geojson"), 1.0, &r, &nr));
    ASSERT_EQ(nr, 2);
    ASSERT_EQ(r[0].n_items, 4);
    ASSERT_EQ(r[0].n_detected, 3);
    ASSERT_EQ(r[0].n_false_alarms, 2);
    ASSERT_NEAR(r[0].area_ha, 1.0, 0.02);
    ASSERT_NEAR(r[0].p_detect, 4.0 / 6.0, 1e-9);
    dm_free(ctx, r);
    /* a 6 m radius finds the fourth too */
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("val.geojson"), 6.0, &r, &nr));
    ASSERT_EQ(r[0].n_detected, 4);
    ASSERT_EQ(r[0].n_false_alarms, 1);
    dm_free(ctx, r);
    dmtest_write_file(dmtest_path("bad.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"kind\":\"mine\",\"sensor\":\"H20T\"},\"geometry\":{"
                      "\"type\":\"Point\",\"coordinates\":[46.9,39.9]}}]}");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("bad.geojson"), 0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "feature 1: field 'kind'");
    dm_store_close(s);
}

TEST(sensors_simulate_over_demo_database)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_demo_db(), 0, &s));
    /* the demo database holds flights and detections of its own */
    dm_sensor_evidence ev0;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev0));
    size_t areas0 = ev0.n_areas, points0 = ev0.n_points;
    dm_sensor_evidence_free(ctx, &ev0);
    dm_sensor_sim_opts o = {0};
    o.n_flights = 6;
    o.seed = 3;
    long nf = 0, nd = 0;
    ASSERT_OK(dm_sensors_simulate(s, &o, dmtest_path("sim.geojson"), &nf, &nd));
    ASSERT_EQ(nf, 6);
    ASSERT(nd > 0);
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("sim.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 6);
    ASSERT_EQ(st.detections_added, nd);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("sim.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added + st.detections_added, 0);
    /* the same seed gives the same survey */
    ASSERT_OK(dm_sensors_simulate(s, &o, dmtest_path("sim2.geojson"), NULL, NULL));
    char *a = dmtest_read_file(dmtest_path("sim.geojson"));
    char *b = dmtest_read_file(dmtest_path("sim2.geojson"));
    ASSERT_STREQ(a, b);
    free(a);
    free(b);
    dm_sensor_evidence ev;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    ASSERT_EQ(ev.n_areas, areas0 + 6);
    ASSERT_EQ((long)(ev.n_points - points0), nd);
    dm_sensor_evidence_free(ctx, &ev);
    /* with the ground truth of more squares, calibration recovers the
     * simulated magnetometer: pd 0.8 on (shallow) AT mines, 15 false alarms/ha */
    o.n_flights = 24;
    o.seed = 5;
    o.validation = dmtest_path("val.geojson");
    ASSERT_OK(dm_sensors_simulate(s, &o, dmtest_path("sim3.geojson"), NULL, NULL));
    ASSERT_OK(dm_sensors_import(s, dmtest_path("sim3.geojson"), NULL, NULL));
    dm_sensor_rate *r = NULL;
    size_t nr = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("val.geojson"), 1.5, &r, &nr));
    int seen = 0;
    for (size_t i = 0; i < nr; i++) {
        if (strcmp(r[i].sensor, "Simulated magnetometer"))
            continue;
        if (r[i].category == DM_CLASS_AT) {
            printf("magnetometer AT: %ld/%ld found, pd %.3f\n", r[i].n_detected, r[i].n_items,
                   r[i].p_detect);
            ASSERT(r[i].n_items >= 10);
            /* three binomial standard deviations, at least 0.15 */
            ASSERT_NEAR(r[i].p_detect, 0.8, fmax(0.15, 3 * sqrt(0.16 / r[i].n_items)));
            seen++;
        }
        if (r[i].category < 0) {
            printf("magnetometer: %.2f false alarms/ha\n", r[i].false_alarms_ha);
            ASSERT_NEAR(r[i].false_alarms_ha, 15, 5);
            seen++;
        }
    }
    ASSERT_EQ(seen, 2);
    dm_free(ctx, r);
    dm_store_close(s);
    /* a database without demo truth is refused */
    dm_store *e = db();
    ASSERT_STATUS(DM_ENOTFOUND, dm_sensors_simulate(e, NULL, dmtest_path("x.geojson"), NULL, NULL));
    dm_store_close(e);
}

TEST(sensors_cli_refuses_outputs_over_the_database)
{
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    ASSERT_DEMINE(0, NULL, "sensors import t.gpkg f.geojson");
    ASSERT_DEMINE(2, "--out ./t.gpkg is the database: not writing over it",
                  "sensors evidence t.gpkg --out ./t.gpkg");
    ASSERT_DEMINE(2, "is the database", "sensors simulate t.gpkg t.gpkg");
    ASSERT_DEMINE(2, "--validation s.geojson is the simulated survey OUT",
                  "sensors simulate t.gpkg s.geojson --validation s.geojson");
    /* the database is intact */
    ASSERT_DEMINE(0, "\"name\":\"MAG-1\"", "sensors list t.gpkg --json");
}

TEST(sensors_add_refuses_rates_out_of_range)
{
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_DEMINE(0, NULL, "sensors add t.gpkg --name Cam --kind rgb --p-detect 0.6");
    /* a negative or NaN rate was taken as "keep the old one" and exit 0 */
    ASSERT_DEMINE(2, "--p-detect: -0.1 is outside 0-1",
                  "sensors add t.gpkg --name Cam --p-detect -0.1");
    ASSERT_DEMINE(2, "--p-detect", "sensors add t.gpkg --name Cam --p-detect nan");
    ASSERT_DEMINE(2, "--false-alarms-ha: -1", "sensors add t.gpkg --name Cam --false-alarms-ha -1");
    ASSERT_DEMINE(2, NULL, "sensors add t.gpkg --name Cam --false-alarms-ha inf");
    ASSERT_DEMINE(2, "--position-error-m: -1",
                  "sensors add t.gpkg --name Cam --position-error-m -1");
    ASSERT_DEMINE(2, NULL, "sensors add t.gpkg --name Cam --position-error-m inf");
    ASSERT_DEMINE(0, "\"p_detect\":0.6,\"false_alarms_ha\":10,\"position_error_m\":0.5",
                  "sensors list t.gpkg --json");
    /* the library refuses NaN and infinity (negative still means the default) */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), 0, &s));
    ASSERT_STATUS(DM_EINVAL, dm_sensor_upsert(s, "Cam", NULL, NULL, NAN, -1, -1, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "p_detect");
    ASSERT_STATUS(DM_EINVAL, dm_sensor_upsert(s, "Cam", NULL, NULL, -1, INFINITY, -1, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "false_alarms_ha");
    ASSERT_STATUS(DM_EINVAL, dm_sensor_upsert(s, "Cam", NULL, NULL, -1, -1, NAN, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "position_error_m");
    ASSERT_OK(dm_sensor_upsert(s, "Cam", NULL, NULL, 0.7, -1, -1, NULL));
    dm_store_close(s);
}

TEST(sensors_import_skips_a_detection_repeated_in_the_file)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db();
    /* the same detection twice (a file exported twice and concatenated) */
    dmtest_write_file(
        dmtest_path("d.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"R-1\",\"sensor\":\"Cam\",\"sensor_kind\":"
        "\"rgb\",\"date\":\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.001,39.0],[46.001,39.001],[46.0,39.001],[46.0,39.0]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"flight\":\"R-1\",\"category\":\"AP\",\"confidence\":"
        "0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.0005,39.0005]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"flight\":\"R-1\",\"category\":\"AP\",\"confidence\":"
        "0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.0005,39.0005]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"flight\":\"R-1\",\"category\":\"AT\",\"confidence\":"
        "0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.0005,39.0005]}}\n"
        "]}\n");
    dm_sensor_import_stats st = {0};
    ASSERT_OK(dm_sensors_import(s, dmtest_path("d.geojson"), NULL, &st));
    ASSERT_EQ(st.detections_added, 2);
    ASSERT_EQ(st.detections_skipped, 1);
    ASSERT_EQ(count(s, "detections"), 2);
    /* and the same file again changes nothing */
    ASSERT_OK(dm_sensors_import(s, dmtest_path("d.geojson"), NULL, &st));
    ASSERT_EQ(count(s, "detections"), 2);
    /* one ref given twice in a file with two footprints: named as such */
    dmtest_write_file(
        dmtest_path("twice.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-1\",\"sensor\":\"Cam\",\"date\":"
        "\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.001,39.0],[46.001,39.001],[46.0,39.001],[46.0,39.0]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-1\",\"sensor\":\"Cam\",\"date\":"
        "\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.002,39.0],[46.002,39.001],[46.0,39.001],[46.0,39.0]]]}}\n"
        "]}\n");
    ASSERT_STATUS(DM_ECONFLICT, dm_sensors_import(s, dmtest_path("twice.geojson"), NULL, &st));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "feature 2: flight 'T-1' is given twice in the file (also "
                                      "feature 1)");
    ASSERT_EQ(count(s, "flights"), 1);
    dm_store_close(s);
    (void)ctx;
}

TEST(sensors_import_refuses_a_country_sized_footprint)
{
    dm_store *s = db();
    /* a 0.5 x 0.5 degree box (2400 km^2), e.g. the area of interest given as
     * the footprint: its negative evidence would lower the odds everywhere */
    dmtest_write_file(
        dmtest_path("big.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"B-1\",\"sensor\":\"Cam\",\"sensor_kind\":"
        "\"rgb\",\"date\":\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.001,39.0],[46.001,39.001],[46.0,39.001],[46.0,39.0]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"B-2\",\"sensor\":\"Cam\",\"date\":"
        "\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.5,39.0],[46.5,39.5],[46.0,39.5],[46.0,39.0]]]}}\n"
        "]}\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_import(s, dmtest_path("big.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "big.geojson: feature 2: the flight footprint covers");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "more than any survey flight");
    ASSERT_EQ(count(s, "flights"), 0);
    dm_store_close(s);
    /* evidence --cell must be a size (0 printed "cells of 0 m" over 1 m cells) */
    ASSERT_DEMINE(2, "--cell: 0 is not a cell size",
                  "sensors evidence t.gpkg --out ev.tif --cell 0");
    ASSERT_DEMINE(2, NULL, "sensors evidence t.gpkg --out ev.tif --cell nan");
}

TEST(sensors_evidence_refuses_a_cell_of_kilometres)
{
    /* --cell 1e9 wrote 11 x 11 cells of a million km */
    dm_store *s = db_with_flights();
    dm_store_close(s);
    ASSERT_DEMINE(2, "a cell of 1e+09 m is too coarse for sensor evidence (at most 1000 m)",
                  "sensors evidence t.gpkg --out ev.tif --cell 1e9");
    ASSERT(access(dmtest_path("ev.tif"), F_OK) != 0);
    ASSERT_DEMINE(0, "cells of 1000 m", "sensors evidence t.gpkg --out ev.tif --cell 1000");
}

TEST(sensors_calibrate_refuses_bad_confidence_and_match_radius)
{
    dm_store *s = db_with_flights();
    const char *fmt =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"kind\":\"area\",\"sensor\":\"H20T\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.901,39.9],"
        "[46.901,39.901],[46.9,39.901],[46.9,39.9]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":\"H20T\",\"category\":"
        "\"AP\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,39.9005]}},"
        "{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":\"H20T\","
        "\"confidence\":%s},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,39.9005]}}"
        "]}\n";
    char txt[2048];
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    /* 1.5 and text were taken (text as 0) */
    const char *bad[] = {"1.5", "-0.2", "\"abc\""};
    for (int i = 0; i < 3; i++) {
        snprintf(txt, sizeof txt, fmt, bad[i]);
        dmtest_write_file(dmtest_path("v.geojson"), txt);
        ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("v.geojson"), 1, &r, &n));
        ASSERT_CONTAINS(dmtest_ctx_msg(), "v.geojson: feature 3: field 'confidence'");
    }
    snprintf(txt, sizeof txt, fmt, "0.8");
    dmtest_write_file(dmtest_path("v.geojson"), txt);
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.geojson"), 1, &r, &n));
    dm_free(dmtest_ctx(), r);
    dm_store_close(s);
    /* --match-m 0 or negative was replaced by 1 m without a word */
    ASSERT_DEMINE(2, "--match-m: 0 is not a distance",
                  "sensors calibrate t.gpkg --validation v.geojson --match-m 0");
    ASSERT_DEMINE(2, NULL, "sensors calibrate t.gpkg --validation v.geojson --match-m -1");
}

TEST(sensors_simulate_refuses_sizes_and_counts_out_of_range)
{
    const char *dbp = dmtest_demo_db();
    char *out = NULL;
    /* 0 or negative fell back to 10 flights of 200 m; NaN failed as
     * "coordinate 1 cannot be transformed" */
    const char *bad[] = {"--flights 0", "--flights -1", "--size-m 0", "--size-m nan",
                         "--size-m 50000", "--flights 100000000"};
    for (int i = 0; i < 6; i++) {
        ASSERT_EQ(dmtest_demine(&out, "sensors simulate %s s.geojson %s", dbp, bad[i]), 2);
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s:", (int)strcspn(bad[i], " "), bad[i]);
        ASSERT_CONTAINS(out, opt);
        free(out);
    }
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dbp, DM_STORE_READONLY, &s));
    dm_sensor_sim_opts o = {0};
    o.size_m = NAN;
    ASSERT_STATUS(DM_EINVAL, dm_sensors_simulate(s, &o, dmtest_path("s.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m a side");
    dm_store_close(s);
}

TEST(sensors_simulated_detections_lie_in_their_flight)
{
    /* detections were drawn at the true item plus position noise: an item
     * near the edge of the square could be reported outside it, and the
     * import refused the whole file ("lies outside the footprint of flight
     * SIM-...") once there were enough flights */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_demo_db(), 0, &s));
    dm_sensor_sim_opts o = {0};
    o.n_flights = 460; /* with seed 4, flight 453 had one outside */
    o.seed = 4;
    long nf = 0, nd = 0;
    ASSERT_OK(dm_sensors_simulate(s, &o, dmtest_path("sim.geojson"), &nf, &nd));
    ASSERT(nd > 1000);
    dm_sensor_import_stats st = {0};
    ASSERT_OK(dm_sensors_import(s, dmtest_path("sim.geojson"), NULL, &st));
    ASSERT_EQ(st.detections_added, nd);
    dm_store_close(s);
}

TEST(sensors_calibrate_refuses_an_absurd_validation_area)
{
    dm_store *s = db_with_flights();
    /* 1e300 ha was taken: 0.000 false alarms per hectare */
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "MAG-1,AT,t1,1,1e300\nMAG-1,,,,\n");
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("v.csv"), 1, &r, &n));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "v.csv: line 2: field 'area_ha'");
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "MAG-1,AT,t1,1,12.5\nMAG-1,,,,\n");
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 1, &r, &n));
    dm_free(dmtest_ctx(), r);
    dm_store_close(s);
}

#include <sqlite3.h>

TEST(sensors_evidence_refuses_rates_out_of_range_in_the_database)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    dm_store_close(s);
    /* another tool (a GIS edit) writes a p_detect of -0.5: the magnetometer
     * footprint then raised the odds by log(1.5) */
    sqlite3 *q = NULL;
    ASSERT_EQ(sqlite3_open(dmtest_path("t.gpkg"), &q), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(q, "UPDATE sensors SET p_detect = -0.5 WHERE name = 'MAG-1'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    sqlite3_close(q);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    dm_sensor_evidence ev;
    ASSERT_STATUS(DM_EPARSE, dm_sensor_evidence_gather(s, NULL, &ev));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "sensor 'MAG-1': field 'p_detect': -0.5 is out of range");
    dm_store_close(s);
    ASSERT_EQ(sqlite3_open(dmtest_path("t.gpkg"), &q), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(q, "UPDATE sensors SET p_detect = 0.8 WHERE name = 'MAG-1'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    sqlite3_close(q);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    for (size_t i = 0; i < ev.n_areas; i++)
        for (int k = 0; k < DM_CLASS_COUNT; k++)
            ASSERT(ev.areas[i].log_lr[k] <= 0);
    dm_sensor_evidence_free(ctx, &ev);
    dm_store_close(s);
}

TEST(sensors_import_refuses_dates_in_the_future)
{
    dm_store *s = db();
    /* 2099 was stored; `demine check` then flags it as an error */
    dmtest_write_file(
        dmtest_path("fut.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"Z-1\",\"sensor\":\"Cam\",\"sensor_kind\":"
        "\"rgb\",\"date\":\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[46.0,39.0],[46.001,39.0],[46.001,39.001],[46.0,39.001],[46.0,39.0]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"flight\":\"Z-1\",\"confidence\":0.5,\"date\":"
        "\"2099-01-01\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.0005,39.0005]}}\n"
        "]}\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_import(s, dmtest_path("fut.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "fut.geojson: feature 2: field 'date': 2099-01-01 is in the "
                                      "future");
    ASSERT_EQ(count(s, "flights"), 0);
    dm_sensor_import_opts o = {0};
    o.date = "2098-12-31";
    dmtest_write_file(dmtest_path("nodate.csv"), "lon,lat,confidence,flight\n"
                                                 "46.9005,39.9005,0.5,F-1\n");
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, NULL));
    ASSERT_STATUS(DM_EPARSE, dm_sensors_import(s, dmtest_path("nodate.csv"), &o, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "nodate.csv: line 2: --date 2098-12-31 is in the future");
    o.date = "2024-05-02";
    ASSERT_OK(dm_sensors_import(s, dmtest_path("nodate.csv"), &o, NULL));
    dm_store_close(s);
}

static int n_read_progress, n_write_progress;
static void count_progress(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)user;
    if (strstr(what, "sensors import: reading") && done == total)
        n_read_progress++;
    if (strstr(what, "sensors import: writing detections") && done == total)
        n_write_progress++;
}

TEST(sensors_import_reports_progress)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db();
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    n_read_progress = n_write_progress = 0;
    dm_ctx_set_progress(ctx, count_progress, NULL);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, NULL));
    dm_ctx_set_progress(ctx, NULL, NULL);
    ASSERT_EQ(n_read_progress, 1);
    ASSERT_EQ(n_write_progress, 1);
    dm_store_close(s);
}

static int n_match_progress;
static void count_match_progress(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)user;
    if (strstr(what, "calibrate: matching") && done == total)
        n_match_progress++;
}

TEST(sensors_calibrate_by_position_matches_many_quickly_with_progress)
{
    /* every detection was compared with every item (38 s for 50 000 of
     * each, silent); now items are searched by latitude band */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    size_t cap = 4u << 20, n = 0;
    char *txt = malloc(cap);
    ASSERT(txt != NULL);
    n += (size_t)snprintf(txt + n, cap - n,
                          "{\"type\":\"FeatureCollection\",\"features\":["
                          "{\"type\":\"Feature\",\"properties\":{\"kind\":\"area\",\"sensor\":"
                          "\"H20T\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,"
                          "39.9],[46.912,39.9],[46.912,39.91],[46.9,39.91],[46.9,39.9]]]}}");
    /* 100 x 100 items 10 m apart (1 km east-west: 0.0117 degrees of longitude
     * at 39.9 N); a detection 0.3 m north of each even one */
    long nitems = 0, ndet = 0;
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 100; j++) {
            double lon = 46.9 + (i + 0.5) * 10 / 85300.0, lat = 39.9 + (j + 0.5) * 10 / 111000.0;
            n += (size_t)snprintf(txt + n, cap - n,
                                  ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\","
                                  "\"sensor\":\"H20T\",\"category\":\"AP\"},\"geometry\":{\"type\":"
                                  "\"Point\",\"coordinates\":[%.8f,%.8f]}}",
                                  lon, lat);
            nitems++;
            if ((i + j) % 2 == 0) {
                n += (size_t)snprintf(txt + n, cap - n,
                                      ",{\"type\":\"Feature\",\"properties\":{\"kind\":"
                                      "\"detection\",\"sensor\":\"H20T\",\"confidence\":0.%d},"
                                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.8f,"
                                      "%.8f]}}",
                                      1 + (i * 7 + j) % 9, lon, lat + 0.3 / 111000.0);
                ndet++;
            }
        }
    n += (size_t)snprintf(txt + n, cap - n, "]}\n");
    ASSERT(n < cap);
    dmtest_write_file(dmtest_path("v.geojson"), txt);
    free(txt);
    n_match_progress = 0;
    dm_ctx_set_progress(ctx, count_match_progress, NULL);
    dm_sensor_rate *r = NULL;
    size_t nr = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.geojson"), 1.0, &r, &nr));
    dm_ctx_set_progress(ctx, NULL, NULL);
    ASSERT_EQ(n_match_progress, 1);
    int seen = 0;
    for (size_t k = 0; k < nr; k++)
        if (!strcmp(r[k].sensor, "H20T") && r[k].category == DM_CLASS_AP) {
            ASSERT_EQ(r[k].n_items, nitems);
            ASSERT_EQ(r[k].n_detected, ndet);
            ASSERT_EQ(r[k].n_false_alarms, 0);
            seen = 1;
        }
    ASSERT(seen);
    dm_free(ctx, r);
    dm_store_close(s);
}

TEST(sensors_import_refuses_a_sensor_of_another_kind)
{
    dm_store *s = db();
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS); /* H20T thermal, MAG-1 magnetometer */
    ASSERT_OK(dm_sensors_import(s, dmtest_path("f.geojson"), NULL, NULL));
    /* a flight that says magnetometer filed under the thermal camera: its
     * footprint lowered the odds of surface AP mines as the camera would */
    dmtest_write_file(
        dmtest_path("k.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"K-1\",\"sensor\":\"H20T\",\"sensor_kind\":"
        "\"magnetometer\",\"date\":\"2024-05-02\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.0,39.0],[46.001,39.0],[46.001,39.001],[46.0,39.001],[46.0,39.0]]]}}"
        "\n]}\n");
    ASSERT_STATUS(DM_ECONFLICT, dm_sensors_import(s, dmtest_path("k.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "k.geojson: feature 1: field 'sensor_kind': sensor 'H20T' "
                                      "is a thermal in the database, not a magnetometer");
    ASSERT_EQ(count(s, "flights"), 2);
    dm_store_close(s);
    ASSERT_DEMINE(0, NULL, "mag synth m.csv --size-m 4 --targets 3");
    ASSERT_DEMINE(2, "sensor 'H20T' is a thermal in the database",
                  "mag m.csv --import t.gpkg --flight-ref M-1 --sensor H20T");
    ASSERT_DEMINE(0, NULL, "mag m.csv --import t.gpkg --flight-ref M-1 --sensor MAG-1");
}

/* The footprint of flight F-2 (the magnetometer) in gathered evidence. */
static double mag_at_log_lr(dm_store *s)
{
    dm_sensor_evidence ev;
    ASSERT_OK(dm_sensor_evidence_gather(s, NULL, &ev));
    double v = NAN;
    for (size_t i = 0; i < ev.n_areas; i++)
        if (!(ev.areas[i].classes_seen & (1u << DM_CLASS_AP)))
            v = ev.areas[i].log_lr[DM_CLASS_AT];
    dm_sensor_evidence_free(dmtest_ctx(), &ev);
    return v;
}

TEST(sensors_calibrate_with_false_alarms_only_keeps_p_detect)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    double before = mag_at_log_lr(s);
    ASSERT_NEAR(before, log(1 - 0.7), 1e-9);
    /* a validation that walked 2 ha and found only false alarms knows no
     * item: the smoothed 1/2 replaced the magnetometer's 0.7 (and its AT
     * rate), so the survey lowered the odds less */
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "MAG-1,AT,,,2\nMAG-1,,,,2\nMAG-1,,,,\n");
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 1, &r, &n));
    ASSERT_EQ(n, 2); /* AT, overall */
    ASSERT(isnan(r[0].p_detect));
    ASSERT(isnan(r[1].p_detect));
    ASSERT_NEAR(r[0].false_alarms_ha, 3.5 / 2, 1e-9);
    ASSERT_NEAR(r[1].false_alarms_ha, 3.5 / 2, 1e-9);
    dm_free(ctx, r);
    ASSERT_NEAR(mag_at_log_lr(s), before, 1e-9);
    /* a calibrated AT rate is kept too, and its item count with it */
    dmtest_write_file(dmtest_path("c.csv"), "sensor,category,item,detected,area_ha\n"
                                            "MAG-1,AT,t1,1,1\nMAG-1,AT,t2,1,1\n");
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("c.csv"), 1, NULL, NULL));
    ASSERT_NEAR(mag_at_log_lr(s), log(1 - 0.75), 1e-9);
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 1, NULL, NULL));
    ASSERT_NEAR(mag_at_log_lr(s), log(1 - 0.75), 1e-9);
    /* the command says the rate was not estimated */
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "sensors calibrate t.gpkg --validation v.csv --json"), 0);
    ASSERT_CONTAINS(out, "\"p_detect\":null");
    free(out);
}

TEST(sensors_calibrate_names_the_record_of_an_unknown_sensor)
{
    dm_store *s = db_with_flights();
    dmtest_write_file(dmtest_path("v.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[\n"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"area\",\"sensor\":\"MAG-1\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.902,39.900],[46.903,"
                      "39.900],[46.903,39.901],[46.902,39.900]]]}},\n"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":\"MAG-2\","
                      "\"category\":\"AT\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                      "[46.9026,39.9005]}}]}\n");
    ASSERT_STATUS(DM_ENOTFOUND, dm_sensors_calibrate(s, dmtest_path("v.geojson"), 1, NULL, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "v.geojson: feature 2: field 'sensor': no sensor named 'MAG-2'");
    dm_store_close(s);
}

/* The uuids of a layer's rows, sorted, as one string (to compare two databases). */
static void sorted_refs(dm_store *s, const char *layer, const char *field, char *out, size_t n)
{
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, layer, NULL, &c));
    char *v[1024];
    size_t k = 0;
    while (k < 1024 && dm_cursor_next(c) == 1) {
        const char *t = field ? dm_cursor_text(c, field) : dm_cursor_uuid(c);
        v[k++] = strdup(t ? t : "-");
    }
    dm_cursor_free(c);
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    size_t l = 0;
    out[0] = 0;
    for (size_t i = 0; i < k; i++) {
        if (l < n)
            l += (size_t)snprintf(out + l, n - l, "%s;", v[i]);
        free(v[i]);
    }
}

TEST(sensors_import_takes_back_exported_flights_and_detections)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *src = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_demo_db(), 0, &src));
    long nfl = count(src, "flights"), nde = count(src, "detections"), nse = count(src, "sensors");
    ASSERT(nfl > 0 && nde > 0);
    ASSERT_OK(dm_export_layer(src, "sensors", dmtest_path("s.geojson"), NULL, NULL));
    ASSERT_OK(dm_export_layer(src, "flights", dmtest_path("fl.geojson"), NULL, NULL));
    ASSERT_OK(dm_export_layer(src, "detections", dmtest_path("de.gpkg"), NULL, NULL));
    dm_store *s = db();
    dm_import_opts io = {0};
    io.layer = "sensors";
    ASSERT_OK(dm_import_file(s, dmtest_path("s.geojson"), &io, NULL));
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("fl.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, nfl);
    ASSERT_EQ(st.sensors_added, 0);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("de.gpkg"), NULL, &st));
    ASSERT_EQ(st.detections_added, nde);
    ASSERT_EQ(st.sensors_added, 0);
    ASSERT_EQ(count(s, "flights"), nfl);
    ASSERT_EQ(count(s, "detections"), nde);
    ASSERT_EQ(count(s, "sensors"), nse);
    /* the same flights (uuids kept), flown by the same sensors, and each
     * detection under the same flight and sensor */
    static char a[1 << 16], b[1 << 16];
    sorted_refs(src, "flights", NULL, a, sizeof a);
    sorted_refs(s, "flights", NULL, b, sizeof b);
    ASSERT_STREQ(a, b);
    sorted_refs(src, "flights", "sensor_id", a, sizeof a);
    sorted_refs(s, "flights", "sensor_id", b, sizeof b);
    ASSERT_STREQ(a, b);
    sorted_refs(src, "detections", "flight_id", a, sizeof a);
    sorted_refs(s, "detections", "flight_id", b, sizeof b);
    ASSERT_STREQ(a, b);
    sorted_refs(src, "detections", "sensor_id", a, sizeof a);
    sorted_refs(s, "detections", "sensor_id", b, sizeof b);
    ASSERT_STREQ(a, b);
    /* again: nothing changes */
    ASSERT_OK(dm_sensors_import(s, dmtest_path("fl.geojson"), NULL, &st));
    ASSERT_EQ(st.flights_added, 0);
    ASSERT_EQ(st.flights_skipped, nfl);
    ASSERT_OK(dm_sensors_import(s, dmtest_path("de.gpkg"), NULL, &st));
    ASSERT_EQ(st.detections_added, 0);
    ASSERT_EQ(st.detections_skipped, nde);
    dm_store_close(src);
    dm_store_close(s);
}

TEST(sensors_import_refuses_a_uuid_that_matches_nothing)
{
    dm_store *s = db_with_flights();
    /* a flight whose sensor_id is no sensor's uuid: not a new sensor */
    expect_refused(s, "u1.geojson",
                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"ref\":\"F-7\",\"sensor_id\":\"0b9f7a43-94a1-4c8e-9d57-"
                   "5b2a1c3d4e5f\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,"
                   "39.9],[46.901,39.9],[46.901,39.901],[46.9,39.9]]]}}]}",
                   NULL, "feature 1: field 'sensor_id'", "0b9f7a43-94a1-4c8e-9d57-5b2a1c3d4e5f");
    /* a detection whose flight_id is no flight's uuid */
    expect_refused(s, "u2.geojson",
                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"flight_id\":\"0b9f7a43-94a1-4c8e-9d57-5b2a1c3d4e5f\","
                   "\"confidence\":0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,"
                   "39.9005]}}]}",
                   NULL, "feature 1: field 'flight_id'", "0b9f7a43-94a1-4c8e-9d57-5b2a1c3d4e5f");
    expect_refused(s, "u3.csv",
                   "lon,lat,flight,sensor_id,confidence\n46.9005,39.9005,F-1,"
                   "0b9f7a43-94a1-4c8e-9d57-5b2a1c3d4e5f,0.5\n",
                   NULL, "line 2: field 'sensor_id'", "0b9f7a43-94a1-4c8e-9d57-5b2a1c3d4e5f");
    /* a uuid of a row in the database resolves to that row */
    char fl[37], se[37], csv[512];
    ASSERT_OK(dm_store_resolve(s, "flights", "F-1", NULL, fl));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "flights", NULL, &c));
    while (dm_cursor_next(c) == 1)
        if (!strcmp(dm_cursor_uuid(c), fl))
            snprintf(se, sizeof se, "%s", dm_cursor_text(c, "sensor_id"));
    dm_cursor_free(c);
    snprintf(csv, sizeof csv, "lon,lat,flight_id,sensor_id,confidence\n46.9007,39.9003,%s,%s,0.6\n", fl,
             se);
    dmtest_write_file(dmtest_path("u4.csv"), csv);
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("u4.csv"), NULL, &st));
    ASSERT_EQ(st.detections_added, 1);
    ASSERT_EQ(st.sensors_added, 0);
    ASSERT_EQ(count(s, "detections"), 3);
    ASSERT_EQ(count(s, "sensors"), 2);
    dm_store_close(s);
}

TEST(sensors_import_refuses_a_detection_of_another_sensor_than_its_flight)
{
    dm_store *s = db_with_flights(); /* F-1 flown by H20T, F-2 by MAG-1 */
    /* a detection on a database flight naming the other sensor */
    expect_refused(s, "o1.geojson",
                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"flight\":\"F-1\",\"sensor\":\"MAG-1\",\"confidence\":0.5},"
                   "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,39.9003]}}]}",
                   NULL, "feature 1: field 'sensor': sensor 'MAG-1'", "flight 'F-1' was flown with 'H20T'");
    /* naming a sensor the database does not hold: refused, not created */
    expect_refused(s, "o2.csv", "lon,lat,flight,sensor,confidence\n46.9005,39.9003,F-1,H30T,0.5\n", NULL,
                   "line 2: field 'sensor': sensor 'H30T'", "'H20T'");
    /* a flight of the same file: nothing of the file is written */
    expect_refused(s, "o3.geojson",
                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"ref\":\"F-5\",\"sensor\":\"H20T\",\"date\":\"2024-05-04\"},"
                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.904,39.900],[46.905,"
                   "39.900],[46.905,39.901],[46.904,39.901],[46.904,39.900]]]}},{\"type\":\"Feature\","
                   "\"properties\":{\"sensor\":\"MAG-1\",\"confidence\":0.7},\"geometry\":{\"type\":"
                   "\"Point\",\"coordinates\":[46.9045,39.9005]}}]}",
                   NULL, "feature 2: field 'sensor': sensor 'MAG-1'", "flight 'F-5' was flown with 'H20T'");
    /* the flight's own sensor, named, is fine */
    dmtest_write_file(dmtest_path("o4.csv"), "lon,lat,flight,sensor,confidence\n46.9005,39.9003,F-1,H20T,0.5\n");
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("o4.csv"), NULL, &st));
    ASSERT_EQ(st.detections_added, 1);
    ASSERT_EQ(count(s, "sensors"), 2);
    dm_store_close(s);
}

TEST(sensors_calibrate_refuses_an_item_given_twice)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    /* a pasted row counted the item twice: 2 AP items, 1 found (0.5) for one
     * item found once (0.67); the same id under another class is another item */
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "H20T,AP,i1,1,1\nH20T,AT,i2,1,1\nH20T,AT,i1,0,1\n"
                                            "H20T,AP,i1,0,1\n");
    double pd0 = NAN;
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("v.csv"), 0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "v.csv: line 5: field 'item': AP item 'i1' of sensor 'H20T' is "
                                        "already on line 2");
    ASSERT_EQ(count(s, "sensor_rates"), 0);
    dmtest_write_file(dmtest_path("v.csv"), "sensor,category,item,detected,area_ha\n"
                                            "H20T,AP,i1,1,1\nH20T,AT,i2,1,1\nH20T,AT,i1,0,1\n");
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.csv"), 0, &r, &n));
    ASSERT_EQ(n, 3);
    pd0 = r[0].p_detect;
    ASSERT_NEAR(pd0, 2.0 / 3.0, 1e-9);
    ASSERT_EQ(r[1].n_items, 2);
    dm_free(ctx, r);
    /* a matched CSV without its 'detected' column was read as features
     * ("feature 1: no geometry") */
    dmtest_write_file(dmtest_path("m.csv"), "sensor,category,item,area_ha\nH20T,AP,i1,1\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("m.csv"), 0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "m.csv: line 1: the header needs columns");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "'detected' is missing");
    dm_store_close(s);
}

TEST(sensors_calibrate_leaves_out_points_off_the_validated_ground)
{
    /* an item or a detection far from every area of its sensor counted as a
     * missed item or a false alarm of ground never validated: now left out
     * with a warning, and a file none of whose points lies on its areas
     * (longitude and latitude swapped) is refused */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights();
    const char *area = "{\"type\":\"FeatureCollection\",\"features\":["
                       "{\"type\":\"Feature\",\"properties\":{\"kind\":\"area\",\"sensor\":\"H20T\"},"
                       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.90117,39.9],"
                       "[46.90117,39.9009],[46.9,39.9009],[46.9,39.9]]]}}";
    char pts[2048], txt[4096];
    snprintf(pts, sizeof pts,
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":\"H20T\",\"category\":"
             "\"AP\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,39.9004]}},"
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":\"H20T\","
             "\"confidence\":0.9},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,39.900403]}},"
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":\"H20T\","
             "\"confidence\":0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,%.8f]}}",
             39.9 - 0.5 / 111320.0); /* 0.5 m off the edge: within the match radius, kept */
    /* an item with its coordinates swapped, a detection 50 m off the area */
    snprintf(txt, sizeof txt,
             "%s,%s,{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":\"H20T\",\"category\":"
             "\"AT\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[39.9006,46.9006]}},"
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":\"H20T\","
             "\"confidence\":0.5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9005,%.8f]}}]}",
             area, pts, 39.9 - 50 / 111320.0);
    dmtest_write_file(dmtest_path("v.geojson"), txt);
    dm_sensor_rate *r = NULL;
    size_t n = 0;
    ASSERT_OK(dm_sensors_calibrate(s, dmtest_path("v.geojson"), 1.0, &r, &n));
    ASSERT_EQ(n, 2); /* AP and overall: the AT item is gone */
    ASSERT_EQ(r[0].category, DM_CLASS_AP);
    ASSERT_EQ(r[0].n_items, 1);
    ASSERT_EQ(r[0].n_detected, 1);
    ASSERT_EQ(r[1].n_false_alarms, 1); /* the one 0.5 m off the edge, not the one 50 m off */
    dm_free(ctx, r);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "sensors calibrate t.gpkg --validation v.geojson"), 0);
    ASSERT_CONTAINS(out, "v.geojson: 1 item and 1 detection lie off every validation area of their sensor (by "
                         "more than 1 m; the first, feature 5, an item): left out");
    free(out);
    /* every point off the area: refused */
    snprintf(txt, sizeof txt,
             "%s,{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"sensor\":\"H20T\",\"category\":"
             "\"AP\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[39.9004,46.9005]}},"
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"detection\",\"sensor\":\"H20T\","
             "\"confidence\":0.9},\"geometry\":{\"type\":\"Point\",\"coordinates\":[39.900403,46.9005]}}]}",
             area);
    dmtest_write_file(dmtest_path("w.geojson"), txt);
    ASSERT_STATUS(DM_EPARSE, dm_sensors_calibrate(s, dmtest_path("w.geojson"), 1.0, NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "w.geojson: feature 2: no item or detection of sensor 'H20T' lies on its "
                                        "validation areas");
    dm_store_close(s);
}

TEST(sensors_import_says_when_flights_have_no_date)
{
    /* a flight without a date counts at every --until, also before it was
     * flown: the import said nothing of it */
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    dmtest_write_file(dmtest_path("f.geojson"), FLIGHTS);
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg f.geojson"), 0);
    ASSERT(strstr(out, "without a date") == NULL);
    free(out);
    dmtest_write_file(dmtest_path("u.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-9\",\"sensor\":\"H20T\"},\"geometry\":"
                      "{\"type\":\"Polygon\",\"coordinates\":[[[46.904,39.900],[46.905,39.900],[46.905,39.901],"
                      "[46.904,39.901],[46.904,39.900]]]}}]}\n");
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg u.geojson"), 0);
    ASSERT_CONTAINS(out, "1 flight added without a date (the first, ");
    ASSERT_CONTAINS(out, "u.geojson: feature 1; give a 'date' field or --date)");
    free(out);
    /* again: nothing added, nothing said */
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg u.geojson"), 0);
    ASSERT(strstr(out, "without a date") == NULL);
    free(out);
    /* --date dates it */
    dmtest_write_file(dmtest_path("v.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-10\",\"sensor\":\"H20T\"},\"geometry\":"
                      "{\"type\":\"Polygon\",\"coordinates\":[[[46.906,39.900],[46.907,39.900],[46.907,39.901],"
                      "[46.906,39.901],[46.906,39.900]]]}}]}\n");
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg v.geojson --date 2024-05-04"), 0);
    ASSERT(strstr(out, "without a date") == NULL);
    free(out);
}

TEST(sensors_import_refuses_a_detection_dated_before_its_flight)
{
    /* dated 16 months before its flight, the detection counted at an --until
     * when the flight had not been flown */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = db_with_flights(); /* F-1 of 2024-05-02 */
    dmtest_write_file(dmtest_path("d.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"flight\":\"F-1\",\"confidence\":0.7,\"date\":"
                      "\"2023-01-01\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9004,39.9004]}}]}\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_import(s, dmtest_path("d.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "d.geojson: feature 1: field 'date': 2023-01-01 is before the date of its "
                                        "flight 'F-1' (2024-05-02)");
    /* the same in a file with its flight, found by footprint */
    dmtest_write_file(dmtest_path("e.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F-7\",\"sensor\":\"H20T\",\"date\":"
                      "\"2024-06-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.91,39.9],"
                      "[46.911,39.9],[46.911,39.901],[46.91,39.901],[46.91,39.9]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"confidence\":0.7,\"date\":\"2024-05-31\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9104,39.9004]}}]}\n");
    ASSERT_STATUS(DM_EPARSE, dm_sensors_import(s, dmtest_path("e.geojson"), NULL, NULL));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "e.geojson: feature 2: field 'date': 2024-05-31 is before the date of its "
                                        "flight 'F-7' (2024-06-01)");
    /* a detection of the flight's day or later is taken */
    dmtest_write_file(dmtest_path("d.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"flight\":\"F-1\",\"confidence\":0.7,\"date\":"
                      "\"2024-05-02\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9004,39.9004]}}]}\n");
    dm_sensor_import_stats st;
    ASSERT_OK(dm_sensors_import(s, dmtest_path("d.geojson"), NULL, &st));
    ASSERT_EQ(st.detections_added, 1);
    dm_store_close(s);
}

/* The character column at which word w starts in line l (UTF-8 letters count
 * one), or -1. */
static int char_col(const char *l, const char *w)
{
    const char *p = strstr(l, w);
    if (!p)
        return -1;
    int n = 0;
    for (const char *q = l; q < p; q++)
        n += ((unsigned char)*q & 0xC0) != 0x80;
    return n;
}

TEST(sensors_list_columns_fit_long_names)
{
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_DEMINE(0, NULL, "sensors add t.gpkg --name 'DJI M350 RTK + Zenmuse P1 RGB' --kind rgb");
    ASSERT_DEMINE(0, NULL, "sensors add t.gpkg --name MAG --kind magnetometer");
    ASSERT_DEMINE(0, NULL, "sensors add t.gpkg --name '%s' --kind thermal",
                  "Aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-eeeeeeeeee-ffff");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "sensors list t.gpkg"), 0);
    /* a name longer than 24 characters pushed its row out of line */
    char *save = NULL;
    int kind_col = -1, rows = 0;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (kind_col < 0) {
            kind_col = char_col(l, "kind");
            ASSERT(kind_col > 24);
            continue;
        }
        const char *kind = strstr(l, " rgb ") ? "rgb" : strstr(l, " thermal ") ? "thermal" : "magnetometer";
        ASSERT_MSG(char_col(l, kind) == kind_col, "'%s' out of line with the heading (column %d)", l,
                   kind_col);
        rows++;
    }
    ASSERT_EQ(rows, 3);
    free(out);
    /* a name longer than the column's limit is cut, and says so */
    ASSERT_DEMINE(0, "Aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-eee\xE2\x80\xA6", "sensors list t.gpkg");
}
