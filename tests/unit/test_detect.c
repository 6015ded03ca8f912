/* SPDX-License-Identifier: MIT
 *
 * test_detect.c -- anomaly detection on synthetic orthomosaics: recall at a
 * fixed false-alarm rate and average precision of local RX, global RX and
 * local contrast; tiling must not change the result; bad rasters are refused.
 */
#include "dmtest.h"

#include <jansson.h>

#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gdal.h>
#include <gdal_alg.h>
#pragma GCC diagnostic pop

static void synth(const char *name, int bands, double contrast, unsigned seed, double **truth,
                  size_t *nt)
{
    dm_ortho_synth_opts o = {0};
    o.size_m = 10;
    o.gsd_m = 0.01;
    o.bands = bands;
    o.n_mines = 20;
    o.contrast = contrast;
    o.seed = seed;
    ASSERT_OK(dm_ortho_synth(dmtest_ctx(), dmtest_path(name), &o, truth, nt));
}

static void eval(const char *name, dm_detect_method m, const double *truth, size_t nt,
                 double *recall, double *ap, size_t *ncand)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_detect_opts d = {0};
    d.method = m;
    d.threads = 2;
    dm_detect_result r;
    ASSERT_OK(dm_detect_run(ctx, dmtest_path(name), &d, &r));
    dm_detect_evaluate(r.cands, r.n, truth, nt, 0.05, r.area_m2, 1.0, recall, ap);
    if (ncand)
        *ncand = r.n;
    dm_detect_result_free(ctx, &r);
}

TEST(detect_local_rx_finds_planted_mines)
{
    double *truth = NULL;
    size_t nt = 0;
    synth("o.tif", 4, 5.0, 7, &truth, &nt);
    ASSERT_EQ(nt, 20);
    double rec, ap;
    size_t nc;
    eval("o.tif", DM_DETECT_RX_LOCAL, truth, nt, &rec, &ap, &nc);
    printf("local RX: recall@1FA/100m2 %.3f AP %.3f (%zu candidates)\n", rec, ap, nc);
    ASSERT_MSG(rec >= 0.75, "recall %.3f", rec);
    ASSERT_MSG(ap >= 0.9, "AP %.3f", ap);
    double grec, gap;
    eval("o.tif", DM_DETECT_RX_GLOBAL, truth, nt, &grec, &gap, NULL);
    printf("global RX: recall %.3f AP %.3f\n", grec, gap);
    ASSERT_MSG(ap > gap, "local RX AP %.3f should beat global RX AP %.3f", ap, gap);
    dm_free(dmtest_ctx(), truth);
}

TEST(detect_contrast_on_thermal_band)
{
    double *truth = NULL;
    size_t nt = 0;
    synth("t.tif", 1, 5.0, 11, &truth, &nt);
    double rec, ap;
    eval("t.tif", DM_DETECT_CONTRAST, truth, nt, &rec, &ap, NULL);
    printf("contrast (1 band): recall %.3f AP %.3f\n", rec, ap);
    ASSERT_MSG(rec >= 0.8, "recall %.3f", rec);
    ASSERT_MSG(ap >= 0.85, "AP %.3f", ap);
    dm_free(dmtest_ctx(), truth);
}

TEST(detect_weak_mines_score_lower)
{
    /* the same scene with a fifth of the contrast must be much harder */
    double *truth = NULL;
    size_t nt = 0;
    synth("w.tif", 4, 1.0, 7, &truth, &nt);
    double rec, ap;
    eval("w.tif", DM_DETECT_RX_LOCAL, truth, nt, &rec, &ap, NULL);
    printf("weak mines: recall %.3f AP %.3f\n", rec, ap);
    ASSERT_MSG(ap < 0.7, "AP %.3f on faint mines", ap);
    dm_free(dmtest_ctx(), truth);
}

TEST(detect_tiling_does_not_change_candidates)
{
    dm_ctx *ctx = dmtest_ctx();
    synth("o.tif", 3, 5.0, 3, NULL, NULL);
    dm_detect_opts a = {0}, b = {0};
    a.tile = 1024;
    a.threads = 1;
    b.tile = 150;
    b.threads = 2;
    b.score_map = dmtest_path("map.tif");
    dm_detect_result ra, rb;
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("o.tif"), &a, &ra));
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("o.tif"), &b, &rb));
    /* statistics come from different sample tiles; compare the strong ones */
    size_t strong_a = 0, matched = 0;
    for (size_t i = 0; i < ra.n; i++) {
        if (ra.cands[i].score < 6)
            continue;
        strong_a++;
        for (size_t j = 0; j < rb.n; j++)
            if (fabs(ra.cands[i].x - rb.cands[j].x) < 0.011 &&
                fabs(ra.cands[i].y - rb.cands[j].y) < 0.011) {
                matched++;
                break;
            }
    }
    ASSERT(strong_a >= 15);
    ASSERT_EQ(matched, strong_a);
    ASSERT(isfinite(ra.cands[0].lon) && ra.cands[0].lon > 40 && ra.cands[0].lon < 50);
    /* the anomaly map peaks at the best candidate's score */
    GDALDatasetH m = GDALOpen(dmtest_path("map.tif"), GA_ReadOnly);
    ASSERT(m != NULL);
    ASSERT_EQ(GDALGetRasterXSize(m), 1000);
    double mm[2];
    ASSERT_EQ(GDALComputeRasterMinMax(GDALGetRasterBand(m, 1), 0, mm), CE_None);
    ASSERT_NEAR(mm[1], rb.cands[0].score, 1e-3);
    GDALClose(m);
    dm_detect_result_free(ctx, &ra);
    dm_detect_result_free(ctx, &rb);
}

TEST(detect_ignores_nodata_margins)
{
    /* the same scene with a 1 m nodata frame: no candidates along the edge of
     * the data, about the same recall, and the valid area only */
    dm_ctx *ctx = dmtest_ctx();
    dm_ortho_synth_opts o = {0};
    o.size_m = 10;
    o.bands = 4;
    o.n_mines = 20;
    o.contrast = 5;
    o.seed = 7;
    o.nodata_margin_m = 1.0;
    double *truth = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_ortho_synth(ctx, dmtest_path("n.tif"), &o, &truth, &nt));
    dm_detect_result r;
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("n.tif"), NULL, &r));
    ASSERT_NEAR(r.area_m2, 64.0, 0.01);
    for (size_t i = 0; i < r.n; i++) {
        double dx = r.cands[i].x - 600000, dy = 4400000 - r.cands[i].y;
        ASSERT_MSG(dx > 1.1 && dx < 8.9 && dy > 1.1 && dy < 8.9,
                   "candidate %zu at (%.2f, %.2f) m touches the nodata frame", i, dx, dy);
    }
    double rec, ap;
    dm_detect_evaluate(r.cands, r.n, truth, nt, 0.05, r.area_m2, 1.0, &rec, &ap);
    printf("with nodata frame: recall %.3f AP %.3f\n", rec, ap);
    ASSERT_MSG(ap >= 0.85, "AP %.3f", ap);
    dm_detect_result_free(ctx, &r);
    dm_free(ctx, truth);
}

TEST(detect_refuses_raster_without_georeference)
{
    dm_ctx *ctx = dmtest_ctx();
    /* a GeoTIFF with pixels but no geotransform and no CRS */
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), dmtest_path("plain.tif"), 200, 200,
                                 1, GDT_Float32, NULL);
    ASSERT(ds != NULL);
    GDALClose(ds);
    dm_detect_result r;
    ASSERT_STATUS(DM_EPARSE, dm_detect_run(ctx, dmtest_path("plain.tif"), NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no georeference");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "plain.tif");
    ASSERT_STATUS(DM_EIO, dm_detect_run(ctx, dmtest_path("missing.tif"), NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "missing.tif");
    dmtest_write_file(dmtest_path("text.tif"), "not a tiff");
    ASSERT_STATUS(DM_EIO, dm_detect_run(ctx, dmtest_path("text.tif"), NULL, &r));
    dm_detect_opts bad = {0};
    bad.target_radius_m = 0.1;
    bad.background_radius_m = 0.05;
    ASSERT_STATUS(DM_EINVAL, dm_detect_run(ctx, dmtest_path("plain.tif"), &bad, &r));
}

/* --flight-ref writes the ground the raster holds data on as the footprint:
 * nodata margins (never flown) are left out, and the note says how much of
 * the extent that is; a full raster's footprint is its whole extent. */
static double footprint_m2(const char *geojson)
{
    dm_ctx *ctx = dmtest_ctx();
    json_error_t err;
    json_t *fc = json_load_file(dmtest_path(geojson), 0, &err), *fs = json_object_get(fc, "features"), *f;
    size_t k;
    double ha = -1;
    json_array_foreach(fs, k, f)
    {
        json_t *gj = json_object_get(f, "geometry");
        const char *type = json_string_value(json_object_get(gj, "type"));
        if (!type || !strstr(type, "Polygon"))
            continue;
        char *txt = json_dumps(gj, 0);
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_geojson(ctx, txt, &g));
        ASSERT_OK(dm_geom_area_ha(ctx, g, &ha));
        dm_geom_free(g);
        free(txt);
    }
    json_decref(fc);
    return ha * 1e4;
}

TEST(detect_cli_footprint_leaves_out_nodata_margins)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_ortho_synth_opts o = {0};
    o.size_m = 10;
    o.bands = 4;
    o.n_mines = 5;
    o.contrast = 5;
    o.seed = 7;
    o.nodata_margin_m = 1.0;
    ASSERT_OK(dm_ortho_synth(ctx, dmtest_path("n.tif"), &o, NULL, NULL));
    o.nodata_margin_m = 0;
    ASSERT_OK(dm_ortho_synth(ctx, dmtest_path("full.tif"), &o, NULL, NULL));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "detect n.tif --out n.geojson --flight-ref D-2 --sensor cam "
                                  "--sensor-kind rgb --date 2024-05-01"),
              0);
    ASSERT_CONTAINS(out, "note: n.tif: 64% of the raster's extent holds data: the footprint of flight 'D-2'");
    free(out);
    /* 8 x 8 m of data inside a 10 x 10 m raster */
    ASSERT_NEAR(footprint_m2("n.geojson"), 64, 1.0);
    ASSERT_EQ(dmtest_demine(&out, "detect full.tif --out full.geojson --flight-ref D-3 --sensor cam "
                                  "--sensor-kind rgb --date 2024-05-01"),
              0);
    ASSERT(strstr(out, "note") == NULL && strstr(out, "warning") == NULL);
    free(out);
    ASSERT_NEAR(footprint_m2("full.geojson"), 100, 1.0);
    /* the library: a raster of no valid pixel has no footprint */
    dm_geom *g = NULL;
    double share = 0;
    ASSERT_OK(dm_detect_footprint(ctx, dmtest_path("n.tif"), &g, &share));
    ASSERT_NEAR(share, 0.64, 0.01);
    dm_geom_free(g);
    ASSERT_EQ(dmtest_sh(NULL, "gdal_translate -q -a_nodata 0 -scale 0 65535 0 0 -ot Byte '%s' '%s'",
                        dmtest_path("full.tif"), dmtest_path("empty.tif")),
              0);
    ASSERT_STATUS(DM_ENOTFOUND, dm_detect_footprint(ctx, dmtest_path("empty.tif"), &g, NULL));
}

TEST(detect_cli_synth_detect_and_import)
{
    char *out = NULL;
    ASSERT_DEMINE(
        0, "10 mines",
        "detect synth o.tif --size-m 6 --mines 10 --contrast 6 --seed 4 --truth truth.csv");
    ASSERT_EQ(dmtest_demine(&out, "detect o.tif --method rx --out c.geojson --truth truth.csv "
                                  "--flight-ref D-1 --sensor MS-cam --sensor-kind multispectral "
                                  "--date 2024-05-01 --json"),
              0);
    ASSERT_CONTAINS(out, "\"truth\":10");
    double rec = 0;
    const char *p = strstr(out, "\"recall\":");
    ASSERT(p && sscanf(p, "\"recall\":%lf", &rec) == 1);
    ASSERT_MSG(rec >= 0.8, "recall %.3f", rec);
    free(out);
    char *gj = dmtest_read_file(dmtest_path("c.geojson"));
    ASSERT_CONTAINS(gj, "\"model_version\":\"demine-rx-1\"");
    ASSERT_CONTAINS(gj, "\"ref\":\"D-1\"");
    free(gj);
    /* footprint and candidates go into the database in one import, once */
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg c.geojson --json"), 0);
    ASSERT_CONTAINS(out, "\"flights_added\":1");
    ASSERT_CONTAINS(out, "\"detections_skipped\":0");
    ASSERT_CONTAINS(out, "\"sensors_added\":1");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "sensors import t.gpkg c.geojson --json"), 0);
    ASSERT_CONTAINS(out, "\"flights_added\":0");
    ASSERT_CONTAINS(out, "\"detections_added\":0");
    free(out);
    ASSERT_DEMINE(0, "MS-cam", "sensors list t.gpkg");
    /* bad usage and bad files: clear messages, exit codes 2-4 */
    ASSERT_DEMINE(2, "--method", "detect o.tif --method foo");
    dmtest_write_file(dmtest_path("x.tif"), "not a raster");
    ASSERT_DEMINE(3, "x.tif", "detect x.tif");
    ASSERT_DEMINE(0, "rx-global", "detect --help");
}

TEST(detect_cli_refuses_outputs_over_inputs)
{
    ASSERT_DEMINE(0, NULL, "detect synth o.tif --size-m 1 --mines 2 --truth t.csv");
    char *before = dmtest_read_file(dmtest_path("t.csv"));
    ASSERT(before != NULL);
    ASSERT_DEMINE(2, "--out o.tif is the orthomosaic: not writing over it",
                  "detect o.tif --out o.tif");
    ASSERT_DEMINE(2, "is the orthomosaic", "detect o.tif --score-map ./o.tif");
    ASSERT_DEMINE(2, "is the truth file", "detect o.tif --out t.csv --truth t.csv");
    ASSERT_DEMINE(2, "--out and --score-map name the same file",
                  "detect o.tif --out c.geojson --score-map c.geojson");
    ASSERT_DEMINE(2, NULL, "detect synth s.tif --truth s.tif");
    /* the ortho is still a raster */
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(dmtest_path("o.tif"), GA_ReadOnly);
    ASSERT(ds != NULL);
    GDALClose(ds);
    char *after = dmtest_read_file(dmtest_path("t.csv"));
    ASSERT_STREQ(before, after);
    free(before);
    free(after);
}

/* a copy of src whose grid is in another CRS: origin (x0, y0), pixel size
 * px CRS units */
static void recrs(const char *src, const char *dst, int epsg, double x0, double y0, double px)
{
    GDALAllRegister();
    GDALDatasetH in = GDALOpen(dmtest_path(src), GA_ReadOnly);
    ASSERT(in != NULL);
    GDALDatasetH out =
        GDALCreateCopy(GDALGetDriverByName("GTiff"), dmtest_path(dst), in, FALSE, NULL, NULL, NULL);
    ASSERT(out != NULL);
    double gt[6] = {x0, px, 0, y0, 0, -px};
    GDALSetGeoTransform(out, gt);
    dmtest_gdal_set_epsg(out, epsg);
    GDALClose(out);
    GDALClose(in);
}

TEST(detect_takes_crs_units_as_ground_metres)
{
    dm_ortho_synth_opts o = {0};
    o.size_m = 3;
    o.gsd_m = 0.01;
    o.bands = 4;
    o.n_mines = 6;
    o.contrast = 6;
    o.seed = 3;
    ASSERT_OK(dm_ortho_synth(dmtest_ctx(), dmtest_path("o.tif"), &o, NULL, NULL));
    dm_ctx *ctx = dmtest_ctx();
    dm_detect_opts d = {0};
    d.threads = 2;
    dm_detect_result r0, r;
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("o.tif"), &d, &r0));
    ASSERT_NEAR(r0.area_m2, 9.0, 1e-6);
    ASSERT_NEAR(r0.pixel_m, 0.01, 1e-9);
    /* the same pixels in New York State Plane (US survey feet): 1 cm is
     * 0.0328 ft; the windows and the area were taken in feet as metres */
    recrs("o.tif", "ft.tif", 2263, 1000000, 200000, 0.01 / 0.3048006096);
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("ft.tif"), &d, &r));
    printf("feet: %zu candidates (UTM %zu), area %.3f m2, pixel %.5f m\n", r.n, r0.n, r.area_m2,
           r.pixel_m);
    ASSERT_NEAR(r.pixel_m, 0.01, 0.0002);
    ASSERT_NEAR(r.area_m2, 9.0, 0.2);
    ASSERT_EQ(r.n, r0.n);
    dm_detect_result_free(ctx, &r);
    /* Web Mercator at 39.9N: a unit is cos(39.9) = 0.77 m on the ground */
    double px = 0.01 / cos(39.9 * 3.14159265358979 / 180);
    recrs("o.tif", "merc.tif", 3857, 5220000, 4852000, px);
    ASSERT_OK(dm_detect_run(ctx, dmtest_path("merc.tif"), &d, &r));
    ASSERT_NEAR(r.pixel_m, 0.01, 0.0002);
    ASSERT_NEAR(r.area_m2, 9.0, 0.2);
    ASSERT_EQ(r.n, r0.n);
    dm_detect_result_free(ctx, &r);
    /* plate carree in metres (EPSG:4087) stretches east-west at 40N: refused */
    recrs("o.tif", "eqc.tif", 4087, 5120763, 4452779, 0.01);
    ASSERT_STATUS(DM_EPARSE, dm_detect_run(ctx, dmtest_path("eqc.tif"), &d, &r));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "stretches distances unequally");
    dm_detect_result_free(ctx, &r0);
}

TEST(detect_refuses_options_out_of_range)
{
    ASSERT_DEMINE(0, NULL, "detect synth o.tif --size-m 1 --mines 2 --truth t.csv");
    /* 0 or negative were replaced by the defaults without a word, NaN went on */
    const char *bad[] = {"--threshold -5",        "--threshold nan", "--target-radius-m 0",
                         "--background-radius-m -1", "--tile 0",      "--far -1 --truth t.csv"};
    for (int i = 0; i < 6; i++) {
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s:", (int)strcspn(bad[i], " "), bad[i]);
        ASSERT_DEMINE(2, opt, "detect o.tif %s", bad[i]);
    }
    ASSERT_DEMINE(0, NULL, "detect o.tif --threshold 3.5 --tile 128");
    dm_detect_opts d = {0};
    d.target_radius_m = NAN;
    dm_detect_result r;
    ASSERT_STATUS(DM_EINVAL, dm_detect_run(dmtest_ctx(), dmtest_path("o.tif"), &d, &r));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "not numbers");
    /* a tile of tens of thousands of pixels took tens of GB a thread; one past
     * INT_MAX wrapped to a negative size */
    ASSERT_DEMINE(2, "--tile: 20000 is too large (at most 8192 pixels", "detect o.tif --tile 20000");
    ASSERT_DEMINE(2, "--tile: 4294967360 is too large", "detect o.tif --tile 4294967360");
    d.target_radius_m = 0;
    d.tile = 20000;
    ASSERT_STATUS(DM_EINVAL, dm_detect_run(dmtest_ctx(), dmtest_path("o.tif"), &d, &r));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "tile size 20000 is too large");
}

TEST(detect_synth_refuses_options_out_of_range)
{
    /* 0 or negative sizes fell back to the defaults (a 10 m, 40-mine scene),
     * NaN gave "cannot create GeoTIFF: 0x0 dataset" */
    const char *bad[] = {"--size-m 0", "--gsd-cm nan", "--contrast -1", "--bands 0",
                         "--mines -3", "--nodata-margin-m -1"};
    for (int i = 0; i < 6; i++) {
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s:", (int)strcspn(bad[i], " "), bad[i]);
        ASSERT_DEMINE(2, opt, "detect synth s.tif --size-m 1 %s", bad[i]);
    }
    ASSERT_DEMINE(0, "with 0 mines", "detect synth s.tif --size-m 1 --mines 0 --nodata-margin-m 0");
}

TEST(detect_takes_nan_pixels_as_invalid)
{
    dm_ortho_synth_opts o = {0};
    o.size_m = 3;
    o.gsd_m = 0.01;
    o.bands = 4;
    o.n_mines = 10;
    o.contrast = 6;
    o.seed = 5;
    ASSERT_OK(dm_ortho_synth(dmtest_ctx(), dmtest_path("o.tif"), &o, NULL, NULL));
    /* Float32 without a nodata value: the top-left quarter (150 x 150 px) NaN,
     * one infinite pixel elsewhere */
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(dmtest_path("o.tif"), GA_Update);
    ASSERT(ds != NULL);
    ASSERT_EQ(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)), GDT_Float32);
    float *nan = malloc(150 * 150 * sizeof *nan);
    for (int i = 0; i < 150 * 150; i++)
        nan[i] = NAN;
    float inf = INFINITY;
    for (int b = 1; b <= GDALGetRasterCount(ds); b++) {
        ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, 0, 0, 150, 150, nan, 150, 150,
                               GDT_Float32, 0, 0),
                  CE_None);
        ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, 250, 250, 1, 1, &inf, 1, 1,
                               GDT_Float32, 0, 0),
                  CE_None);
    }
    GDALClose(ds);
    free(nan);
    dm_ctx *ctx = dmtest_ctx();
    dm_detect_opts d = {0};
    d.threads = 2;
    d.tile = 128; /* tiles with and without NaN */
    for (int m = DM_DETECT_RX_LOCAL; m <= DM_DETECT_CONTRAST; m++) {
        d.method = (dm_detect_method)m;
        dm_detect_result r;
        /* was "band 1 is constant; nothing to detect" (NaN spread through the sums) */
        ASSERT_OK(dm_detect_run(ctx, dmtest_path("o.tif"), &d, &r));
        ASSERT_NEAR(r.area_m2, 9.0 - 2.25 - 0.0001, 1e-6);
        for (size_t i = 0; i < r.n; i++) {
            ASSERT(isfinite(r.cands[i].score));
            double lx = r.cands[i].x - r.extent[0], ly = r.extent[3] - r.cands[i].y;
            ASSERT_MSG(!(lx < 1.5 && ly < 1.5), "candidate at (%.2f, %.2f) in the NaN block", lx,
                       ly);
        }
        dm_detect_result_free(ctx, &r);
    }
}

TEST(detect_checks_the_flight_description)
{
    ASSERT_DEMINE(0, NULL, "detect synth o.tif --size-m 1 --mines 2");
    /* these were written into the GeoJSON, for `sensors import` to refuse later
     * (or, without --flight-ref, dropped without a word) */
    ASSERT_DEMINE(2, "--date: '2024-02-31' is not a date",
                  "detect o.tif --out c.geojson --flight-ref F --sensor S --date 2024-02-31");
    ASSERT_DEMINE(2, "--sensor-kind: 'drone'",
                  "detect o.tif --out c.geojson --flight-ref F --sensor S --sensor-kind drone");
    ASSERT_DEMINE(2, "give --flight-ref too", "detect o.tif --out c.geojson --sensor S");
    ASSERT_DEMINE(2, "give --out", "detect o.tif --flight-ref F --sensor S");
    ASSERT_DEMINE(0, NULL,
                  "detect o.tif --out c.geojson --flight-ref F --sensor S --sensor-kind rgb --date "
                  "2024-05-02");
    char *gj = dmtest_read_file(dmtest_path("c.geojson"));
    ASSERT_CONTAINS(gj, "\"date\":\"2024-05-02\"");
    free(gj);
}

/* The truth positions of `detect --truth` are x,y in the raster's CRS. A
 * file in degrees, or in another CRS, matched nothing and reported recall 0
 * as if the detector had missed every mine: now refused, naming the file,
 * the raster's extent and CRS. */
TEST(detect_refuses_truth_in_degrees_or_another_crs)
{
    ASSERT_DEMINE(0, "10 mines",
                  "detect synth o.tif --size-m 6 --mines 10 --contrast 6 --seed 4 --truth t.csv");
    /* the same points in degrees */
    double *xy = NULL;
    size_t n = 0;
    {
        FILE *f = fopen(dmtest_path("t.csv"), "r");
        ASSERT(f);
        char line[256];
        xy = malloc(64 * 2 * sizeof *xy);
        while (fgets(line, sizeof line, f) && n < 64)
            if (sscanf(line, "%lf,%lf", &xy[2 * n], &xy[2 * n + 1]) == 2)
                n++;
        fclose(f);
    }
    ASSERT_EQ(n, 10);
    dm_transform *tr = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &tr));
    char deg[4096] = "x,y\n";
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        ASSERT_OK(dm_transform_xy(tr, &x, &y, 1));
        snprintf(deg + strlen(deg), sizeof deg - strlen(deg), "%.9f,%.9f\n", x, y);
    }
    dm_transform_free(tr);
    free(xy);
    dmtest_write_file(dmtest_path("deg.csv"), deg);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "detect %s --truth %s --out %s", dmtest_path("o.tif"),
                            dmtest_path("deg.csv"), dmtest_path("c.geojson")),
              2);
    ASSERT_CONTAINS(out, "deg.csv: none of its 10 points lies on the raster (x 600000..600006, y "
                         "4399994..4400000 in EPSG:32638)");
    ASSERT_CONTAINS(out, "these look like longitude and latitude in degrees");
    ASSERT(!strstr(out, "recall"));
    free(out);
    ASSERT(access(dmtest_path("c.geojson"), F_OK) != 0); /* refused before writing */
    /* a lon,lat header */
    dmtest_write_file(dmtest_path("ll.csv"), "lon,lat\n44.1,39.7\n");
    ASSERT_DEMINE(2, "ll.csv: line 1: columns lon,lat: truth positions are x,y in the raster's CRS",
                  "detect %s --truth %s", dmtest_path("o.tif"), dmtest_path("ll.csv"));
    /* metres of another CRS (another UTM zone, another place) */
    dmtest_write_file(dmtest_path("far.csv"), "x,y\n400004.3,4399998.7\n400002.3,4399997.5\n");
    ASSERT_DEMINE(2, "is the file in another CRS, or of another place?", "detect %s --truth %s",
                  dmtest_path("o.tif"), dmtest_path("far.csv"));
    /* some points off the raster: scored, with a warning */
    char *t = dmtest_read_file(dmtest_path("t.csv"));
    char more[4096];
    snprintf(more, sizeof more, "%s600100,4400100\n", t);
    free(t);
    dmtest_write_file(dmtest_path("more.csv"), more);
    ASSERT_EQ(dmtest_demine(&out, "detect %s --truth %s", dmtest_path("o.tif"),
                            dmtest_path("more.csv")),
              0);
    ASSERT_CONTAINS(out, "more.csv: 1 of its 11 points lie off the raster");
    ASSERT_CONTAINS(out, "(11 true mines)");
    free(out);
}

/* The match radius (5 cm or 3 pixels) is on the ground: on a raster in
 * feet it was taken as 5 cm worth of feet units (1.5 cm), so truth 3 cm
 * off every detection matched none of them there and all of them in UTM. */
TEST(detect_truth_matches_within_ground_metres_in_any_crs)
{
    ASSERT_DEMINE(0, NULL,
                  "detect synth o.tif --size-m 3 --mines 6 --contrast 6 --seed 3 --truth t.csv");
    const double f = 0.3048006096; /* US survey foot */
    recrs("o.tif", "ft.tif", 2263, 1000000, 200000, 0.01 / f);
    FILE *in = fopen(dmtest_path("t.csv"), "r");
    ASSERT(in);
    char line[256], utm[4096] = "x,y\n", ft[4096] = "x,y\n";
    double x, y;
    while (fgets(line, sizeof line, in))
        if (sscanf(line, "%lf,%lf", &x, &y) == 2) {
            /* 3 cm east of each mine */
            snprintf(utm + strlen(utm), sizeof utm - strlen(utm), "%.5f,%.5f\n", x + 0.03, y);
            snprintf(ft + strlen(ft), sizeof ft - strlen(ft), "%.5f,%.5f\n",
                     1000000 + (x + 0.03 - 600000) / f, 200000 - (4400000 - y) / f);
        }
    fclose(in);
    dmtest_write_file(dmtest_path("utm3.csv"), utm);
    dmtest_write_file(dmtest_path("ft3.csv"), ft);
    char *out = NULL;
    double r_utm = -1, r_ft = -1;
    ASSERT_EQ(dmtest_demine(&out, "detect %s --truth %s --json", dmtest_path("o.tif"),
                            dmtest_path("utm3.csv")),
              0);
    const char *p = strstr(out, "\"recall\":");
    ASSERT(p && sscanf(p, "\"recall\":%lf", &r_utm) == 1);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "detect %s --truth %s --json", dmtest_path("ft.tif"),
                            dmtest_path("ft3.csv")),
              0);
    p = strstr(out, "\"recall\":");
    ASSERT(p && sscanf(p, "\"recall\":%lf", &r_ft) == 1);
    free(out);
    printf("recall of truth 3 cm off: UTM %.3f, feet %.3f\n", r_utm, r_ft);
    ASSERT_MSG(r_utm >= 0.8, "UTM recall %.3f", r_utm);
    ASSERT_NEAR(r_ft, r_utm, 1e-9);
    /* the library gives the scale */
    dm_detect_result r;
    dm_detect_opts d = {0};
    d.threads = 2;
    ASSERT_OK(dm_detect_run(dmtest_ctx(), dmtest_path("ft.tif"), &d, &r));
    ASSERT_NEAR(r.unit_m, f, 1e-4);
    ASSERT_STREQ(r.crs, "EPSG:2263");
    dm_detect_result_free(dmtest_ctx(), &r);
}

TEST(detect_synth_same_seed_same_pixels)
{
    /* the checksums of the files written before the synthesis went tile by
     * tile: writing by blocks (edge tiles of 1000 and 1250 px, UInt16, a nodata
     * frame) must not change a pixel */
    static const int want_f32[4] = {14323, 22239, 29910, 5846};
    static const int want_u16[5] = {53024, 49430, 7378, 47602, 44799};
    dm_ortho_synth_opts o = {0};
    o.size_m = 10;
    ASSERT_OK(dm_ortho_synth(dmtest_ctx(), dmtest_path("f.tif"), &o, NULL, NULL));
    dm_ortho_synth_opts u = {0};
    u.size_m = 12.5;
    u.uint16 = 1;
    u.bands = 5;
    u.nodata_margin_m = 1;
    u.n_mines = 80;
    double *truth = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_ortho_synth(dmtest_ctx(), dmtest_path("u.tif"), &u, &truth, &nt));
    ASSERT_EQ(nt, 80);
    dm_free(dmtest_ctx(), truth);
    for (int f = 0; f < 2; f++) {
        GDALDatasetH ds = GDALOpen(dmtest_path(f ? "u.tif" : "f.tif"), GA_ReadOnly);
        ASSERT(ds != NULL);
        int nb = GDALGetRasterCount(ds);
        ASSERT_EQ(nb, f ? 5 : 4);
        for (int b = 0; b < nb; b++) {
            GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
            int ck = GDALChecksumImage(band, 0, 0, GDALGetRasterXSize(ds), GDALGetRasterYSize(ds));
            ASSERT_MSG(ck == (f ? want_u16[b] : want_f32[b]), "%s band %d: checksum %d", f ? "u.tif" : "f.tif",
                       b + 1, ck);
        }
        GDALClose(ds);
    }
}

TEST(detect_says_when_pixels_are_coarser_than_the_windows)
{
    /* at 10 cm pixels the 4 cm target window became a 10 cm one (and the
     * ring 20-40 cm instead of 8-16 cm) without a word */
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "detect synth c.tif --gsd-cm 10 --size-m 80 --mines 10");
    ASSERT_EQ(dmtest_demine(&out, "detect c.tif"), 0);
    ASSERT_CONTAINS(out, "c.tif: pixels of 0.1 m are coarse for a target radius of 0.04 m: windows of 1, 2 "
                         "and 4 pixels (target 0.1 m, ring 0.2-0.4 m)");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "detect c.tif --target-radius-m 0.1"), 0);
    ASSERT(strstr(out, "are coarse") == NULL);
    free(out);
    ASSERT_DEMINE(0, NULL, "detect synth f.tif --size-m 2");
    ASSERT_EQ(dmtest_demine(&out, "detect f.tif"), 0);
    ASSERT(strstr(out, "are coarse") == NULL);
    free(out);
}
