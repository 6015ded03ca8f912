/* SPDX-License-Identifier: MIT
 *
 * test_risk_spots.c -- checked spots recalibrate the map: the fit recovers
 * a known level and slope and keeps the map when the spots say little;
 * `risk map --spots` applies it, records it for refresh and explain, and
 * spots drawn from a recalibrated map still carry the model's own
 * prediction. Also the map job's guards: no output over an input, hazards
 * outside the map left alone, a read-only database refused before the old
 * map is replaced, coordinates that are not longitude and latitude, labels
 * files with nothing labelled.
 */
#include "dmtest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* n spots of 10 m whose model intensity is log-uniform over 1e-3..100
 * items/ha and whose labels follow the true intensity a * m^b / cluster. */
static dm_spot *make_spots(size_t n, double a, double b, double cluster, uint64_t seed)
{
    dm_spot *s = calloc(n, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        double m = exp(log(1e-3) + uniform(&seed) * (log(100) - log(1e-3)));
        double p = -expm1(-a * pow(m, b) * 0.01 / cluster);
        s[i].lon = 45, s[i].lat = 40;
        s[i].model_ha = m;
        s[i].cell_m = 10;
        s[i].label = uniform(&seed) < p ? 1 : 0;
    }
    return s;
}

TEST(risk_spot_calibration_recovers_level_and_slope)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_risk_spot_cal c;
    /* the map right: nothing to change */
    dm_spot *s = make_spots(20000, 1, 1, 1, 1);
    ASSERT_OK(dm_risk_spot_calibrate(ctx, s, 20000, 10, 1, &c));
    ASSERT_EQ(c.spots, 20000);
    ASSERT_MSG(fabs(c.power - 1) < 0.08 && fabs(log(c.factor)) < 0.3, "identity: %g x m^%g",
               c.factor, c.power);
    free(s);
    /* too peaked and too high: the truth is 0.2 m^0.7 */
    s = make_spots(20000, 0.2, 0.7, 1, 2);
    ASSERT_OK(dm_risk_spot_calibrate(ctx, s, 20000, 10, 1, &c));
    ASSERT_MSG(fabs(c.power - 0.7) < 0.08 && fabs(log(c.factor / 0.2)) < 0.35,
               "0.2 m^0.7 fitted as %g m^%g", c.factor, c.power);
    ASSERT_MSG(fabs(c.expected_after - (double)c.positive) < 0.15 * (double)c.positive &&
                   c.expected > 1.5 * (double)c.positive,
               "expected %g before, %g after, %zu positive", c.expected, c.expected_after,
               c.positive);
    ASSERT_MSG(c.level_x90 > 1 && c.level_x90 < 2, "level within x/%g", c.level_x90);
    free(s);
    /* items come three to a cell: the same labels as a map with a third of
     * the intensity, and the fit with the cluster keeps the intensity */
    s = make_spots(20000, 1, 1, 3, 3);
    ASSERT_OK(dm_risk_spot_calibrate(ctx, s, 20000, 10, 3, &c));
    ASSERT_MSG(fabs(c.power - 1) < 0.08 && fabs(log(c.factor)) < 0.3, "cluster 3: %g x m^%g",
               c.factor, c.power);
    free(s);
    /* 30 spots, nothing found where the map expected several: the map moves
     * down, within the prior, and says how little it knows */
    s = make_spots(30, 1, 1, 1, 4);
    for (int i = 0; i < 30; i++)
        s[i].label = 0, s[i].model_ha = 20 + i; /* p about 0.2 each */
    ASSERT_OK(dm_risk_spot_calibrate(ctx, s, 30, 10, 1, &c));
    ASSERT_MSG(c.factor < 1 && c.factor > 0.01 && c.power > 0.4 && c.power < 1.6,
               "nothing found: %g x m^%g", c.factor, c.power);
    ASSERT(c.expected > 5 && c.expected_after < c.expected);
    /* spots not checked yet (NaN) and other labels are skipped */
    s[0].label = NAN, s[1].label = 2;
    ASSERT_OK(dm_risk_spot_calibrate(ctx, s, 30, 10, 1, &c));
    ASSERT_EQ(c.spots, 28);
    ASSERT_EQ(c.ignored, 2);
    /* nothing labelled; a labelled spot without the map's prediction */
    for (int i = 0; i < 30; i++)
        s[i].label = NAN;
    ASSERT_STATUS(DM_EINVAL, dm_risk_spot_calibrate(ctx, s, 30, 10, 1, &c));
    s[3].label = 1, s[3].model_ha = NAN;
    ASSERT_STATUS(DM_EINVAL, dm_risk_spot_calibrate(ctx, s, 30, 10, 1, &c));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "spot 4");
    free(s);
}

/* Every spot of a GeoJSON written by `risk spots` gets label 0 (one
 * feature per line), and the first `ones` of class 0 label 1. */
static void label_spots(const char *in, const char *out, int ones)
{
    char *txt = dmtest_read_file(in);
    ASSERT(txt);
    for (char *line = txt; line && *line;) {
        char *end = strchr(line, '\n'), *q = strstr(line, "\"label\":null");
        const char *cls = strstr(line, "\"class_no\":");
        if (q && (!end || q < end)) {
            int one = ones > 0 && cls && cls[11] == '0';
            memcpy(q, one ? "\"label\":1   " : "\"label\":0   ", 12);
            ones -= one;
        }
        line = end ? end + 1 : NULL;
    }
    dmtest_write_file(out, txt);
    free(txt);
}

/* The "model_ha" values of a spots file, in order (at most max). */
static int model_values(const char *path, double *v, int max)
{
    char *txt = dmtest_read_file(path);
    int n = 0;
    for (const char *q = txt; q && n < max && (q = strstr(q, "\"model_ha\":")); q += 11)
        v[n++] = strtod(q + 11, NULL);
    free(txt);
    return n;
}

static double json_num(const char *txt, const char *key)
{
    const char *q = strstr(txt, key);
    return q ? strtod(q + strlen(key), NULL) : NAN;
}

TEST(risk_map_recalibrated_by_checked_spots)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char r0[512], r1[512], s0[512], s1[512], lab[512];
    snprintf(r0, sizeof r0, "%s", dmtest_path("r0.tif"));
    snprintf(r1, sizeof r1, "%s", dmtest_path("r1.tif"));
    snprintf(s0, sizeof s0, "%s", dmtest_path("s0.geojson"));
    snprintf(s1, sizeof s1, "%s", dmtest_path("s1.geojson"));
    snprintf(lab, sizeof lab, "%s", dmtest_path("lab.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --json", db, r0), 0);
    double mean0 = json_num(out, "\"mean_p\":");
    ASSERT_CONTAINS(out, "\"spots\":null");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 120 --seed 3 --out %s", r0, s0), 0);
    free(out);
    char *txt = dmtest_read_file(s0);
    ASSERT(txt && strstr(txt, "\"model_ha\":") && strstr(txt, "\"cell_m\":20,"));
    free(txt);
    /* the teams found nothing in 120 spots */
    label_spots(s0, lab, 0);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --check %s", r0, lab), 0);
    ASSERT_CONTAINS(out, "would set items per ha to");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, r1, lab), 0);
    ASSERT_CONTAINS(out, "recalibrated on 120 checked spots: 0 held an item");
    ASSERT_CONTAINS(out, "say little");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s --json", db, r1, lab),
              0);
    double mean1 = json_num(out, "\"mean_p\":"), power = json_num(out, "\"power\":");
    ASSERT_MSG(mean1 < mean0, "nothing found, yet mean p %g -> %g", mean0, mean1);
    ASSERT(power > 0.2 && power < 2 && json_num(out, "\"level_x90\":") > 1);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "gdalinfo %s", r1), 0);
    ASSERT_CONTAINS(out, "DEMINE_CALIBRATION={\"factor\":");
    ASSERT_CONTAINS(out, "\"spot_power\":");
    free(out);
    /* spots drawn from the recalibrated map carry the model's own
     * prediction: the same cells (the ranking is unchanged), the same
     * model_ha */
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 120 --seed 3 --out %s", r1, s1), 0);
    free(out);
    double a[120], b[120];
    int na = model_values(s0, a, 120), nb = model_values(s1, b, 120);
    ASSERT_EQ(na, 120);
    ASSERT_EQ(nb, 120);
    for (int i = 0; i < 120; i++)
        ASSERT_MSG(fabs(a[i] - b[i]) <= 1e-3 * fabs(a[i]) + 1e-9, "spot %d: model_ha %g vs %g", i,
                   a[i], b[i]);
    /* refresh redoes it from the stored file; explain reports it */
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s --json", db), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 46.95,39.95 --json", db), 0);
    ASSERT_MSG(fabs(json_num(out, "\"spot_power\":") - power) < 1e-4, "%s", out);
    ASSERT(json_num(out, "\"cluster\":") >= 1);
    free(out);
    /* refusals: nothing labelled; labels without the map's prediction; the
     * spots file as the output */
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, r1, s0) != 0);
    ASSERT_CONTAINS(out, "no spot labelled 0 or 1");
    free(out);
    dmtest_write_file(dmtest_path("bare.csv"), "lon,lat,label\n46.95,39.95,1\n46.96,39.95,0\n");
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, r1,
                         dmtest_path("bare.csv")) != 0);
    ASSERT_CONTAINS(out, "bare.csv: feature 1: no 'model_ha'");
    free(out);
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, lab, lab) != 0);
    ASSERT_CONTAINS(out, "name it .tif");
    free(out);
    txt = dmtest_read_file(lab);
    ASSERT(txt && strstr(txt, "\"model_ha\":"));
    free(txt);
}

TEST(risk_map_band_one_counts_items_in_clusters)
{
    /* the demo's mines lie in rows: a cell holding one holds about three
     * (measured on the finds), so p = 1 - exp(-items in the cell / 3), not
     * the Poisson 1 - exp(-items) */
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --json", db,
                            dmtest_path("c.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "gdalinfo %s", dmtest_path("c.tif")), 0);
    double c = json_num(out, "\"cluster\":");
    ASSERT_MSG(c > 1.5 && c < 30, "items per cell holding any: %g", c);
    free(out);
    dm_grid g, g2;
    float *p = NULL, *it = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("c.tif"), 1, &g, &p));
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("c.tif"), 2, &g2, &it));
    size_t n = dm_grid_cells(&g), checked = 0;
    double a = g.cell * g.cell / 1e4;
    for (size_t k = 0; k < n; k++)
        if (isfinite(p[k]) && it[k] > 0) {
            ASSERT_NEAR(p[k], -expm1(-it[k] * a / c), 1e-4 + 1e-3 * p[k]);
            checked++;
        }
    ASSERT(checked > 1000);
    dm_raster_free(p, n);
    dm_raster_free(it, n);
}

TEST(risk_map_guards_its_inputs_and_the_hazards)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char tif[512];
    snprintf(tif, sizeof tif, "%s", dmtest_path("m.tif"));
    /* the database, an evidence file or an existing non-raster as the output */
    ASSERT(dmtest_demine(&out, "risk map %s --cell 50 --out %s", db, db) != 0);
    ASSERT_CONTAINS(out, "name it .tif");
    free(out);
    /* the library refuses whatever the name: the database, a covariate */
    dm_risk_update_opts uo = {0};
    dm_risk_update_result ur;
    dm_store *ds = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, 0, &ds));
    uo.out_path = db;
    uo.cell = 100;
    ASSERT_STATUS(DM_EINVAL, dm_risk_update(dmtest_ctx(), ds, &uo, &ur));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "is the database: not writing the map over it");
    dm_store_close(ds);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --no-writeback --out %s", db, tif), 0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk map %s --cell 50 --covariate x=%s --out %s", db, tif, tif) !=
           0);
    ASSERT_CONTAINS(out, "is the covariate raster");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "head -c 16 %s", db), 0);
    ASSERT_CONTAINS(out, "SQLite format 3");
    free(out);
    dmtest_write_file(dmtest_path("notes.tif"), "field notes\n");
    ASSERT(dmtest_demine(&out, "risk map %s --cell 50 --out %s", db, dmtest_path("notes.tif")) != 0);
    ASSERT_CONTAINS(out, "exists and is not a raster");
    free(out);
    char *notes = dmtest_read_file(dmtest_path("notes.tif"));
    ASSERT(notes && !strcmp(notes, "field notes\n"));
    free(notes);
    /* a typo in an ablation is an error, not an unchanged map */
    ASSERT(dmtest_demine(&out, "risk map %s --cell 50 --out %s --disable-term nosuch", db, tif) !=
           0);
    ASSERT_CONTAINS(out, "no term of that name");
    free(out);
    /* a map of somewhere else leaves the hazards as they were */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --out %s", db, tif), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -q %s -sql 'select sum(p_contam) as s from hazards'", db),
              0);
    double before = json_num(out, "s (Real) = ");
    free(out);
    ASSERT(before > 0);
    dmtest_write_file(dmtest_path("far.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[10,50],[10.01,50],[10.01,50.01],[10,50.01],[10,50]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --out %s --aoi %s", db,
                            dmtest_path("far.tif"), dmtest_path("far.geojson")),
              0);
    ASSERT_CONTAINS(out, "hazards lie outside the map's area");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -q %s -sql 'select sum(p_contam) as s from hazards'", db),
              0);
    ASSERT_NEAR(json_num(out, "s (Real) = "), before, 1e-9);
    free(out);
    /* a database that cannot be written: refused before the old map is
     * touched */
    dm_ctx *ctx = dmtest_ctx();
    ASSERT_EQ(dmtest_sh(&out, "cp %s %s.bak", tif, tif), 0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    dm_risk_update_opts o = {0};
    o.out_path = tif;
    o.cell = 100;
    dm_risk_update_result r;
    ASSERT_STATUS(DM_EIO, dm_risk_update(ctx, s, &o, &r));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "cannot be written");
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "cmp %s %s.bak", tif, tif), 0);
    free(out);
}

TEST(risk_inputs_that_say_nothing_are_refused)
{
    char *out = NULL;
    /* a longitude of 470: a projected file read as degrees, or a typo */
    dmtest_write_file(dmtest_path("bad.csv"), "kind,date,lon,lat\nitem,2020,46.9,39.9\n"
                                              "item,2020,470.3,39.9\n");
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --out %s", dmtest_path("bad.csv"),
                            dmtest_path("x.tif")),
              4);
    ASSERT_CONTAINS(out, "bad.csv: feature 2: coordinate (470.3, 39.9) is not a longitude");
    free(out);
    /* spots not searched yet are not labels: neither fit nor eval takes
     * them for "every point holds an item" */
    const char *db = dmtest_demo_db();
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --out %s", db, dmtest_path("m.tif")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 12 --out %s", dmtest_path("m.tif"),
                            dmtest_path("s.geojson")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk fit %s --labels %s --out %s", db, dmtest_path("s.geojson"),
                            dmtest_path("f.json")),
              2);
    ASSERT_CONTAINS(out, "no row is labelled");
    ASSERT(access(dmtest_path("f.json"), F_OK) != 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s", dmtest_path("m.tif"),
                            dmtest_path("s.geojson")),
              2);
    ASSERT_CONTAINS(out, "none of its 12 rows is labelled 0 or 1");
    free(out);
    /* a file of several layers read whole (another program's GeoPackage,
     * not a demine database): the error names the layer */
    ASSERT_EQ(dmtest_sh(&out, "ogr2ogr -f GPKG '%s' '%s' districts && ogr2ogr -update '%s' '%s' items",
                        dmtest_path("other.gpkg"), db, dmtest_path("other.gpkg"), db),
              0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk eval %s --truth %s", dmtest_path("m.tif"), dmtest_path("other.gpkg")) != 0);
    ASSERT_CONTAINS(out, "(layer ");
    ASSERT_CONTAINS(out, "FILE:LAYER reads one");
    free(out);
    /* the model written over the database */
    ASSERT_EQ(dmtest_demine(&out, "risk fit %s --labels %s --out %s", db, dmtest_path("s.geojson"),
                            db),
              2);
    ASSERT_CONTAINS(out, "is the database");
    free(out);
}

TEST(risk_commands_refuse_what_would_mislead)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char tif[512];
    snprintf(tif, sizeof tif, "%s", dmtest_path("m.tif"));
    /* a CRS that stretches areas, or is made for elsewhere: said */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --no-writeback --cell 100 --crs EPSG:3857 --out %s",
                            db, tif),
              0);
    ASSERT_CONTAINS(out, "EPSG:3857 scales areas by 1.7 here");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --no-writeback --cell 100 --crs EPSG:32601 --out %s",
                            db, tif),
              0);
    ASSERT_CONTAINS(out, "EPSG:32601 is not meant for this area");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --no-writeback --cell 100 --out %s", db, tif), 0);
    ASSERT(!strstr(out, "warning"));
    free(out);
    /* a bow-tie area: which half is inside is up to the algorithm */
    dmtest_write_file(dmtest_path("bow.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[47.0,39.9],[47.1,40.0],[47.1,39.9],[47.0,40.0],[47.0,39.9]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --no-writeback --aoi %s --out %s", db,
                            dmtest_path("bow.geojson"), tif),
              4);
    ASSERT_CONTAINS(out, "bow.geojson: feature 1: not a valid polygon (Self-intersection");
    free(out);
    /* a map is a GeoTIFF, whatever the name says */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --out %s", db, dmtest_path("m.png")), 2);
    ASSERT_CONTAINS(out, "name it .tif");
    ASSERT(access(dmtest_path("m.png"), F_OK) != 0);
    free(out);
    /* an option given twice where it takes one value */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --out %s --disable-term a --disable-term b", db, tif),
              2);
    ASSERT_CONTAINS(out, "run once per term");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --out %s --covariate e=%s --covariate e=%s", db, tif,
                            tif, tif),
              2);
    ASSERT_CONTAINS(out, "--covariate e is given twice");
    free(out);
    /* an empty window of time */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s:truth_items --from 2025 --to 2020", tif,
                            db),
              2);
    ASSERT_CONTAINS(out, "--from 2025 is after --to 2020");
    free(out);
    /* spots: drawing and checking are two things; a flat map has no classes */
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --check %s --n 30", tif, dmtest_path("x.geojson")),
              2);
    ASSERT_CONTAINS(out, "one or the other");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 0 --out %s", tif, dmtest_path("x.geojson")), 2);
    ASSERT_CONTAINS(out, "--n must be at least 6");
    free(out);
    dm_grid g;
    double b[4] = {500000, 4000000, 501000, 4001000};
    ASSERT_OK(dm_grid_from_bounds(dmtest_ctx(), "EPSG:32638", b, 10, &g));
    float *flat = dm_raster_alloc(dm_grid_cells(&g));
    for (size_t k = 0; k < dm_grid_cells(&g); k++)
        flat[k] = 0.01f;
    dm_risk_spot *sp = NULL;
    size_t ns = 0;
    ASSERT_STATUS(DM_EINVAL, dm_risk_spots(dmtest_ctx(), &g, flat, NULL, NULL, 12, 1, &sp, &ns));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "the map is flat");
    /* flat only in its lower part: the classes that hold cells are drawn */
    for (size_t k = 0; k < 500; k++)
        flat[k] = 0.5f + (float)k / 1000;
    ASSERT_OK(dm_risk_spots(dmtest_ctx(), &g, flat, NULL, NULL, 60, 1, &sp, &ns));
    ASSERT(ns > 0 && ns < 60);
    dm_free(dmtest_ctx(), sp);
    dm_raster_free(flat, dm_grid_cells(&g));
    /* a chart that cannot be written is said before the work; scores that
     * are not probabilities are said to be so */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s:truth_items --plot /nonexistent/c.png",
                            tif, db),
              2);
    ASSERT_CONTAINS(out, "cannot write the chart there");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 30 --out %s", tif, dmtest_path("sp.geojson")),
              0);
    free(out);
    label_spots(dmtest_path("sp.geojson"), dmtest_path("spl.geojson"), 2);
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s -1 %s", dmtest_path("neg.tif"), tif), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s", dmtest_path("neg.tif"),
                            dmtest_path("spl.geojson")),
              0);
    ASSERT_CONTAINS(out, "not probabilities");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s", tif, dmtest_path("spl.geojson")), 0);
    ASSERT(!strstr(out, "not probabilities"));
    free(out);
    /* explain says when its answer rests on no map, or on a map of elsewhere */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 47.0,39.95", db), 0);
    ASSERT_CONTAINS(out, "has no risk map yet");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 100 --out %s", db, tif), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 10,50", db), 0);
    ASSERT_CONTAINS(out, "lies outside the last risk map");
    free(out);
}

TEST(demo_teams_search_spots_against_the_hidden_truth)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char tif[512];
    snprintf(tif, sizeof tif, "%s", dmtest_path("m.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --no-writeback --out %s", db, tif), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 300 --seed 2 --out %s", tif,
                            dmtest_path("s.csv")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "demo search-spots %s %s --out %s", db, dmtest_path("s.csv"),
                            dmtest_path("l.geojson")),
              0);
    ASSERT_CONTAINS(out, "300 spots searched against the hidden truth: ");
    long held = strtol(strstr(out, "truth: ") + 7, NULL, 10);
    free(out);
    /* the labels written are those counted, every other field kept */
    dm_spot *sp = NULL;
    size_t n = 0, ones = 0;
    ASSERT_OK(dm_spots_read(dmtest_ctx(), dmtest_path("l.geojson"), NULL, &sp, &n));
    ASSERT_EQ(n, 300);
    for (size_t i = 0; i < n; i++) {
        ASSERT(sp[i].label == 0 || sp[i].label == 1);
        ASSERT(sp[i].model_ha >= 0 && sp[i].cell_m == 20);
        ones += sp[i].label == 1;
    }
    ASSERT_EQ((long)ones, held);
    /* at 20 m the riskiest cells of the demo hold items: some spot finds one */
    ASSERT_MSG(held > 0, "no spot of 300 held an item");
    dm_free(dmtest_ctx(), sp);
    char *txt = dmtest_read_file(dmtest_path("l.geojson"));
    ASSERT(txt && strstr(txt, "\"class\": \"riskiest 1 %\"") && strstr(txt, "\"label\": 1"));
    free(txt);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --check %s --json", tif, dmtest_path("l.geojson")),
              0);
    ASSERT_CONTAINS(out, "\"spots\":300,");
    ASSERT_CONTAINS(out, "\"cells_with_items_hi\":");
    /* how many more spots would measure each class: the riskiest class, where
     * finds are likeliest, needs the fewest */
    const char *w = strstr(out, "\"spots_for_10_finds\":[");
    ASSERT(w);
    double w0 = strtod(w + 22, NULL);
    const char *end = strchr(w, ']'), *last = end;
    while (last && last > w && *last != ',')
        last--;
    ASSERT(end && last > w && w0 >= 0 &&
           (strncmp(last + 1, "null", 4) == 0 || strtod(last + 1, NULL) > w0));
    free(out);
    /* refusals: an existing output, another format, a database without truth */
    ASSERT_EQ(dmtest_demine(&out, "demo search-spots %s %s --out %s", db, dmtest_path("s.csv"),
                            dmtest_path("l.geojson")),
              2);
    ASSERT_CONTAINS(out, "already exists");
    free(out);
    ASSERT(dmtest_demine(&out, "demo search-spots %s %s --out %s", db, dmtest_path("s.csv"),
                         dmtest_path("l.csv")) != 0);
    ASSERT_CONTAINS(out, "written as .geojson");
    free(out);
    ASSERT(access(dmtest_path("l.csv"), F_OK) != 0);
    ASSERT_EQ(dmtest_demine(&out, "init %s", dmtest_path("e.gpkg")), 0);
    free(out);
    ASSERT(dmtest_demine(&out, "demo search-spots %s %s --out %s", dmtest_path("e.gpkg"),
                         dmtest_path("s.csv"), dmtest_path("l2.geojson")) != 0);
    ASSERT_CONTAINS(out, "no truth_items");
    free(out);
}

/* Replace the first occurrence of from by to (same length) in a file. */
static void patch_file(const char *path, const char *from, const char *to)
{
    char *txt = dmtest_read_file(path);
    ASSERT(txt && strlen(from) == strlen(to));
    char *q = strstr(txt, from);
    ASSERT_MSG(q, "'%s' not in %s", from, path);
    memcpy(q, to, strlen(to));
    dmtest_write_file(path, txt);
    free(txt);
}

TEST(risk_spot_files_are_read_strictly)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char tif[512], sp[512], lab[512];
    snprintf(tif, sizeof tif, "%s", dmtest_path("m.tif"));
    snprintf(sp, sizeof sp, "%s", dmtest_path("s.geojson"));
    snprintf(lab, sizeof lab, "%s", dmtest_path("lab.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s", db, tif), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 60 --out %s", tif, sp), 0);
    free(out);
    label_spots(sp, lab, 2);
    /* a count of items is an item; a label that is no count is an error */
    patch_file(lab, "\"label\":1   ", "\"label\":3   ");
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, tif, lab), 0);
    ASSERT_CONTAINS(out, "recalibrated on 60 checked spots: 2 held an item");
    free(out);
    patch_file(lab, "\"label\":3   ", "\"label\":0.5 ");
    ASSERT(dmtest_demine(&out, "risk spots %s --check %s", tif, lab) != 0);
    ASSERT_CONTAINS(out, "field 'label' is '0.5': it must be empty (not searched yet), 0");
    ASSERT_CONTAINS(out, "(S00");
    free(out);
    patch_file(lab, "\"label\":0.5 ", "\"label\":1   ");
    /* the same file twice; spots drawn at another cell size */
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s --spots %s", db, tif, lab,
                         lab) != 0);
    ASSERT_CONTAINS(out, "is given twice");
    free(out);
    ASSERT(dmtest_demine(&out, "risk map %s --cell 25 --out %s --spots %s", db,
                         dmtest_path("m25.tif"), lab) != 0);
    ASSERT_CONTAINS(out, "a spot of 20 m, the map's cells are 25 m");
    free(out);
    /* spots off the map are left out, and said so; --check says why a fit
     * would be refused */
    dmtest_write_file(dmtest_path("far.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"id\":\"S001\",\"model_ha\":1,\"cell_m\":20,\"label\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,50]}}]}");
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, tif,
                         dmtest_path("far.geojson")) != 0);
    ASSERT_CONTAINS(out, "1 labelled spots lie outside the map");
    ASSERT_CONTAINS(out, "no spot labelled 0 or 1 on the map (0 not searched yet, 1 off the map)");
    free(out);
    /* a file of several layers: name one */
    ASSERT_EQ(dmtest_sh(&out, "ogr2ogr -f GPKG %s %s -nln spots && ogr2ogr -update -f GPKG %s %s "
                              "-nln other",
                        dmtest_path("two.gpkg"), lab, dmtest_path("two.gpkg"),
                        dmtest_path("far.geojson")),
              0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s", db, tif,
                         dmtest_path("two.gpkg")) != 0);
    ASSERT_CONTAINS(out, "holds 2 layers: name the spots' as");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s:spots --json", db, tif,
                            dmtest_path("two.gpkg")),
              0);
    ASSERT_CONTAINS(out, "\"positive\":2,");
    free(out);
    /* refresh keeps the spots and the ablation, and says so; a spot file
     * gone is named */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --spots %s --disable-term "
                                  "area_hazards",
                            db, tif, lab),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s", db), 0);
    ASSERT_CONTAINS(out, "recalibrated on 60 checked spots (2 with an item)");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -q %s -sql \"select value from dm_meta where key = "
                              "'risk_map_options'\"",
                        db),
              0);
    ASSERT_CONTAINS(out, "\"disabled_term\":\"area_hazards\"");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "mv %s %s.moved", lab, lab), 0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk refresh %s", db) != 0);
    ASSERT_CONTAINS(out, "a spot file of the last map (risk map --spots), cannot be read");
    free(out);
    /* options of other subcommands are refused, not ignored */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --plot x.png", db, tif), 2);
    ASSERT_CONTAINS(out, "--plot is not an option of risk map");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s:truth_items --spots %s.moved", tif, db,
                            lab),
              2);
    ASSERT_CONTAINS(out, "--spots is not an option of risk eval");
    free(out);
    /* a path that needs escaping stays valid JSON */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --no-writeback --out '%s' --json", db,
                            dmtest_path("we\"ird.tif")),
              0);
    ASSERT_CONTAINS(out, "we\\\"ird.tif\",\"cells\"");
    free(out);
}

TEST(risk_explain_gives_the_maps_own_pixel)
{
    /* the wide kernels' coarse cells are aligned to the map's origin, so a
     * cell explained alone is the map's pixel */
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char tif[512];
    snprintf(tif, sizeof tif, "%s", dmtest_path("m.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 10 --out %s", db, tif), 0);
    free(out);
    dm_grid g, g2;
    float *p = NULL, *it = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), tif, 1, &g, &p));
    ASSERT_OK(dm_raster_read(dmtest_ctx(), tif, 2, &g2, &it));
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), g.crs, "EPSG:4326", &t));
    int checked = 0;
    for (int k = 1; k <= 8; k++) {
        int i = g.nx * k / 9 + 3 * k, jj = g.ny * (9 - k) / 9 + k;
        size_t c = (size_t)jj * g.nx + i;
        if (!isfinite(p[c]))
            continue;
        double x = g.x0 + (i + 0.3) * g.cell, y = g.y0 - (jj + 0.6) * g.cell;
        ASSERT_OK(dm_transform_xy(t, &x, &y, 1));
        ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at %.8f,%.8f --json", db, x, y), 0);
        double pe = json_num(out, "\"p_cell\":"), ie = json_num(out, "\"items_ha\":");
        ASSERT_MSG(fabs(ie - it[c]) <= 1e-4 * it[c] + 1e-9 && fabs(pe - p[c]) <= 1e-4 * p[c] + 1e-12,
                   "cell %d,%d: map p %g items %g, explain p %g items %g", i, jj, p[c], it[c], pe,
                   ie);
        free(out);
        checked++;
    }
    ASSERT(checked >= 6);
    dm_transform_free(t);
    dm_raster_free(p, dm_grid_cells(&g));
    dm_raster_free(it, dm_grid_cells(&g2));
}

TEST(risk_a_copied_directory_refreshes_its_own_map)
{
    /* the map and the spots beside the database are kept relative to it: a
     * copy of the directory refreshes the copy's map, not the original's */
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "mkdir -p %s %s && cp %s %s/d.gpkg", dmtest_path("a"),
                        dmtest_path("b"), db, dmtest_path("a")),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cd %s && %s risk map d.gpkg --cell 50 --out m.tif && %s risk spots "
                              "m.tif --n 30 --out s.geojson && %s demo search-spots d.gpkg "
                              "s.geojson --out l.geojson && %s risk map d.gpkg --cell 50 --out "
                              "m.tif --spots l.geojson",
                        dmtest_path("a"), getenv("DEMINE_BIN"), getenv("DEMINE_BIN"),
                        getenv("DEMINE_BIN"), getenv("DEMINE_BIN")),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -q %s/d.gpkg -sql \"select value from dm_meta where "
                              "key like 'risk_map%%'\"",
                        dmtest_path("a")),
              0);
    ASSERT_CONTAINS(out, "value (String) = m.tif");
    ASSERT_CONTAINS(out, "\"out\":\"m.tif\"");
    ASSERT_CONTAINS(out, "\"spots\":[\"l.geojson\"]");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cp %s/* %s/ && cp %s/m.tif %s/orig.tif && touch -d '2000-01-01' "
                              "%s/m.tif",
                        dmtest_path("a"), dmtest_path("b"), dmtest_path("a"), dmtest_path("a"),
                        dmtest_path("a")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s/d.gpkg", dmtest_path("b")), 0);
    ASSERT_CONTAINS(out, "recalibrated on 30 checked spots");
    free(out);
    /* the original map is untouched (its date from 2000 kept), the copy's new */
    ASSERT_EQ(dmtest_sh(&out, "test $(stat -c %%Y %s/m.tif) -lt 978307200 && "
                              "test $(stat -c %%Y %s/m.tif) -gt 978307200",
                        dmtest_path("a"), dmtest_path("b")),
              0);
    free(out);
    /* explain and route find the copy's map */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s/d.gpkg --at 47.03,39.97 --json",
                            dmtest_path("b")),
              0);
    ASSERT(!strstr(out, "no risk map"));
    free(out);
}

/* The pixel at cell c of tif explained: p_cell from `risk explain`. */
static double explained_p(const char *db, const char *tif, int i, int jj)
{
    dm_grid g;
    float *p = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), tif, 1, &g, &p));
    dm_raster_free(p, dm_grid_cells(&g));
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), g.crs, "EPSG:4326", &t));
    double x = g.x0 + (i + 0.5) * g.cell, y = g.y0 - (jj + 0.5) * g.cell;
    ASSERT_OK(dm_transform_xy(t, &x, &y, 1));
    dm_transform_free(t);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at %.8f,%.8f --json", db, x, y), 0);
    double pe = json_num(out, "\"p_cell\":");
    free(out);
    return pe;
}

/* A map made with a covariate raster, or with a term switched off, is
 * refreshed and explained with them: the refreshed map is the map, and an
 * explained cell its pixel. */
TEST(risk_refresh_and_explain_keep_the_maps_covariates_and_switched_off_terms)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    char m0[512], cov[512], model[512], m[512];
    snprintf(m0, sizeof m0, "%s", dmtest_path("m0.tif"));
    snprintf(cov, sizeof cov, "%s", dmtest_path("cov.tif"));
    snprintf(model, sizeof model, "%s", dmtest_path("model.json"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --out %s --no-writeback", db, m0), 0);
    free(out);
    /* a covariate that varies over the area: the first map's p, scaled */
    ASSERT_EQ(dmtest_sh(&out, "gdal_translate -q -b 1 -scale 0 0.001 0 1000 -ot Float32 %s %s", m0,
                        cov),
              0);
    free(out);
    dmtest_write_file(model, "{\"intercept\":-6,\"ref_cell_m\":100,\"terms\":["
                             "{\"name\":\"kernel_1km\",\"type\":\"kernel\",\"kinds\":[\"accident\","
                             "\"item\",\"suspected\",\"report\"],\"width_m\":1000,\"weight\":1},"
                             "{\"name\":\"cov\",\"type\":\"covariate\",\"covariate\":\"c\","
                             "\"weight\":0.8}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --model %s --covariate c=%s --out %s", db,
                            model, cov, m),
              0);
    free(out);
    dm_grid g;
    float *a = NULL, *b = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), m, 1, &g, &a));
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s", db), 0);
    free(out);
    ASSERT_OK(dm_raster_read(dmtest_ctx(), m, 1, &g, &b));
    size_t n = dm_grid_cells(&g), differ = 0, finite = 0;
    for (size_t c = 0; c < n; c++) {
        if (!isfinite(a[c]))
            continue;
        finite++;
        differ += !(fabs(a[c] - b[c]) <= 1e-6 * a[c] + 1e-12);
    }
    ASSERT(finite > 1000);
    ASSERT_MSG(differ == 0, "%zu of %zu cells differ after the refresh", differ, finite);
    /* explained cells are the map's pixels, covariate included */
    int checked = 0;
    for (int k = 1; k <= 4; k++) {
        int i = g.nx * k / 5, jj = g.ny * (5 - k) / 5;
        size_t c = (size_t)jj * g.nx + i;
        if (!isfinite(b[c]))
            continue;
        double pe = explained_p(db, m, i, jj);
        ASSERT_MSG(fabs(pe - b[c]) <= 1e-4 * b[c] + 1e-12, "cell %d,%d: map %g, explain %g", i, jj,
                   b[c], pe);
        checked++;
    }
    ASSERT(checked >= 3);
    dm_raster_free(a, n);
    dm_raster_free(b, n);
    /* a term switched off: explain leaves it out, as the map did */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --model %s --covariate c=%s --out %s "
                                  "--disable-term kernel_1km",
                            db, model, cov, m),
              0);
    free(out);
    ASSERT_OK(dm_raster_read(dmtest_ctx(), m, 1, &g, &a));
    int i = g.nx / 2, jj = g.ny / 2;
    size_t c = (size_t)jj * g.nx + i;
    ASSERT(isfinite(a[c]));
    double pe = explained_p(db, m, i, jj);
    ASSERT_MSG(fabs(pe - a[c]) <= 1e-4 * a[c] + 1e-12, "map %g, explain %g", a[c], pe);
    dm_raster_free(a, dm_grid_cells(&g));
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 0,0 --json", db), 0);
    ASSERT(!strstr(out, "kernel_1km"));
    free(out);
    /* the covariate gone: the refresh says which, and keeps the map */
    ASSERT_EQ(unlink(cov), 0);
    ASSERT(dmtest_demine(&out, "risk refresh %s", db) != 0);
    ASSERT_CONTAINS(out, "covariate 'c'");
    free(out);
}

/* Spots drawn on a raster that is no risk map (an elevation: values in the
 * hundreds) said "the area holds 0 cells of the map", which sent the user
 * to the area; the error now says band 1 holds no probabilities. */
TEST(risk_spots_on_a_raster_of_no_probabilities_say_so)
{
    dm_grid g;
    double b[4] = {500000, 4000000, 500500, 4000500};
    ASSERT_OK(dm_grid_from_bounds(dmtest_ctx(), "EPSG:32638", b, 10, &g));
    size_t n = dm_grid_cells(&g);
    float *p = dm_raster_alloc(n);
    for (size_t k = 0; k < n; k++)
        p[k] = 120.0f + (float)k;
    dm_risk_spot *sp = NULL;
    size_t ns = 0;
    ASSERT_STATUS(DM_EINVAL, dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 12, 1, &sp, &ns));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "holds 0 cells of the map: band 1 holds 2500 values outside 0..1");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "is it a risk map of demine?");
    /* a map of probabilities with too few cells: as before */
    for (size_t k = 0; k < n; k++)
        p[k] = k < 5 ? 0.1f : NAN;
    ASSERT_STATUS(DM_EINVAL, dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 12, 1, &sp, &ns));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "12 spots asked for, but the area holds 5 cells of the map");
    ASSERT(!strstr(dmtest_ctx_msg(), "outside 0..1"));
    dm_raster_free(p, n);
}
