/* SPDX-License-Identifier: MIT
 *
 * test_demo.c -- the demo scenario generator: same seed gives the same
 * database, counts in range, Karabakh-like record accuracy and accidents
 * outside records measured from the stored truth, hazards mostly clean,
 * clearance finds matching the truth, and truth never used as evidence.
 */
#include "dmtest.h"

#include <stdint.h>

/* ---- helpers ---------------------------------------------------------- */

static dm_store *open_db(const char *path)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
    return s;
}

static long count(dm_store *s, const char *layer)
{
    long n = -1;
    ASSERT_OK(dm_store_count(s, layer, NULL, &n));
    return n;
}

static double meta_num(dm_store *s, const char *key)
{
    char *v = NULL;
    ASSERT_OK(dm_store_meta_get(s, key, &v));
    ASSERT_MSG(v != NULL, "meta key %s missing", key);
    double d = strtod(v, NULL);
    dm_free(dmtest_ctx(), v);
    return d;
}

/* Points of a layer in local metres (equirectangular at 40 N: good to well
 * under 1% over the scenario), with an optional text field. */
typedef struct pt {
    double x, y;
    char key[40];
} pt;

static void to_m(double lon, double lat, double *x, double *y)
{
    *x = lon * 111320.0 * cos(39.97 * M_PI / 180);
    *y = lat * 110574.0;
}

static pt *load_points(dm_store *s, const char *layer, const char *field, size_t *n)
{
    long total = count(s, layer);
    pt *p = calloc((size_t)total + 1, sizeof *p);
    ASSERT(p);
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, layer, NULL, &c));
    size_t k = 0;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_cursor_geom(c, &g));
        ASSERT(g);
        double cx, cy;
        ASSERT(dm_geom_centroid_xy(g, &cx, &cy));
        dm_geom_free(g);
        to_m(cx, cy, &p[k].x, &p[k].y);
        const char *v = field ? dm_cursor_text(c, field) : NULL;
        snprintf(p[k].key, sizeof p[k].key, "%s", v ? v : "");
        k++;
    }
    ASSERT_EQ(rc, 0);
    dm_cursor_free(c);
    *n = k;
    return p;
}

static int cmp_x(const void *a, const void *b)
{
    double d = ((const pt *)a)->x - ((const pt *)b)->x;
    return d < 0 ? -1 : d > 0;
}

/* Index of the nearest point of sorted p within r of (x, y), or -1. */
static long nearest(const pt *p, size_t n, double x, double y, double r)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p[mid].x < x - r)
            lo = mid + 1;
        else
            hi = mid;
    }
    long best = -1;
    double bd = r;
    for (size_t i = lo; i < n && p[i].x <= x + r; i++) {
        double d = hypot(p[i].x - x, p[i].y - y);
        if (d <= bd) {
            bd = d;
            best = (long)i;
        }
    }
    return best;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* A hash of every row (uuid, field values, geometry) of every layer; the
 * created/updated/author columns are left out. */
static uint64_t db_hash(dm_store *s)
{
    dm_ctx *ctx = dmtest_ctx();
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, l->name, NULL, &c));
        int rc;
        while ((rc = dm_cursor_next(c)) == 1) {
            h = fnv(h, dm_cursor_uuid(c), 36);
            for (size_t f = 0; f < l->n_fields; f++) {
                const char *v = dm_cursor_text(c, l->fields[f].name);
                h = v ? fnv(h, v, strlen(v) + 1) : fnv(h, "\1", 1);
            }
            dm_geom *g = NULL;
            ASSERT_OK(dm_cursor_geom(c, &g));
            if (g) {
                unsigned char *wkb = NULL;
                size_t len = 0;
                ASSERT_OK(dm_geom_to_wkb(ctx, g, &wkb, &len));
                h = fnv(h, wkb, len);
                dm_free(ctx, wkb);
                dm_geom_free(g);
            }
        }
        ASSERT_EQ(rc, 0);
        dm_cursor_free(c);
    }
    return h;
}

static const char *generate(dm_demo_scale scale, uint64_t seed, const char *name,
                            dm_demo_summary *sum)
{
    const char *path = dmtest_path(name);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_CREATE, &s));
    dm_demo_opts o = {scale, seed};
    ASSERT_OK(dm_demo_generate(dmtest_ctx(), s, &o, sum));
    dm_store_close(s);
    return path;
}

/* ---- tests ------------------------------------------------------------ */

TEST(demo_same_seed_same_database)
{
    dm_demo_summary sum;
    const char *mine = generate(DM_DEMO_SMALL, 7, "lib7.gpkg", &sum);
    const char *cli = dmtest_demo_db(); /* `demine demo --seed 7` */
    dm_store *a = open_db(mine), *b = open_db(cli);
    ASSERT(db_hash(a) == db_hash(b));
    ASSERT_EQ(count(a, "truth_items"), sum.truth_items);
    dm_store_close(a);
    dm_store_close(b);
    /* another seed gives another scenario */
    dm_demo_summary other;
    const char *p8 = generate(DM_DEMO_SMALL, 8, "lib8.gpkg", &other);
    dm_store *c = open_db(p8), *d = open_db(cli);
    ASSERT(db_hash(c) != db_hash(d));
    dm_store_close(c);
    dm_store_close(d);
}

TEST(demo_small_counts_in_range)
{
    dm_store *s = open_db(dmtest_demo_db());
    long items = count(s, "truth_items");
    ASSERT_MSG(items >= 2000 && items <= 20000, "truth items %ld", items);
    long mfs = count(s, "truth_minefields"), rec = count(s, "records");
    ASSERT_MSG(mfs >= 20 && mfs <= 400, "minefields %ld", mfs);
    ASSERT_MSG(rec >= 5 && rec <= 150, "records %ld", rec);
    ASSERT(count(s, "record_rows") >= rec);
    ASSERT(count(s, "record_mines") > count(s, "record_rows"));
    long hz = count(s, "hazards");
    ASSERT_MSG(hz >= 20 && hz <= 400, "hazards %ld", hz);
    ASSERT(count(s, "hazard_status") >= hz);
    ASSERT(count(s, "accidents") >= 8);
    ASSERT(count(s, "victims") >= count(s, "accidents"));
    ASSERT(count(s, "activities") > 5);
    ASSERT(count(s, "release_areas") > 5);
    ASSERT(count(s, "items") > 20);
    ASSERT(count(s, "districts") >= 2);
    ASSERT(count(s, "organisations") >= 3);
    ASSERT(count(s, "features") > 100);
    ASSERT(count(s, "events") >= 10);
    ASSERT(count(s, "sensors") == 3 && count(s, "sensor_rates") > 3);
    ASSERT(count(s, "flights") >= 1 && count(s, "detections") > 0);
    /* every kind of map feature the risk engines use */
    const char *classes[] = {"house", "road", "river", "bridge", "cemetery", "settlement",
                             "front_line", "military_position"};
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
        const char *f[] = {"class"}, *v[] = {classes[i]};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        long n = 0;
        ASSERT_OK(dm_store_count(s, "features", &sel, &n));
        ASSERT_MSG(n > 0, "no %s features", classes[i]);
    }
    /* small is about 100 km2: every truth item inside a ~0.15 x 0.11 degree box */
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "truth_items", NULL, &c));
    double b[4] = {999, 999, -999, -999};
    while (dm_cursor_next(c) == 1) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_cursor_geom(c, &g));
        double gb[4];
        dm_geom_bounds(g, gb);
        b[0] = fmin(b[0], gb[0]);
        b[1] = fmin(b[1], gb[1]);
        b[2] = fmax(b[2], gb[2]);
        b[3] = fmax(b[3], gb[3]);
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    ASSERT(b[0] > 46.8 && b[2] < 47.2 && b[1] > 39.85 && b[3] < 40.1);
    ASSERT((b[2] - b[0]) * (b[3] - b[1]) < 0.02);
    dm_store_close(s);
}

TEST(demo_record_accuracy_like_karabakh)
{
    dm_store *s = open_db(dmtest_demo_db());
    size_t nt, nm;
    pt *truth = load_points(s, "truth_items", NULL, &nt);
    pt *rec = load_points(s, "record_mines", NULL, &nm);
    qsort(truth, nt, sizeof *truth, cmp_x);
    size_t near = 0;
    for (size_t i = 0; i < nm; i++)
        near += nearest(truth, nt, rec[i].x, rec[i].y, 5.0) >= 0;
    double acc = (double)near / (double)nm;
    ASSERT_MSG(acc > 0.15 && acc < 0.35, "record accuracy %.3f", acc);
    ASSERT_NEAR(acc, meta_num(s, "demo_record_accuracy_5m"), 0.02);
    free(truth);
    free(rec);
    dm_store_close(s);
}

TEST(demo_most_accidents_outside_records)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = open_db(dmtest_demo_db());
    long nr = count(s, "records");
    dm_geom **recs = calloc((size_t)nr, sizeof *recs);
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "records", NULL, &c));
    long k = 0;
    while (dm_cursor_next(c) == 1)
        ASSERT_OK(dm_cursor_geom(c, &recs[k++]));
    dm_cursor_free(c);
    ASSERT_OK(dm_store_select(s, "accidents", NULL, &c));
    long n = 0, outside = 0;
    while (dm_cursor_next(c) == 1) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_cursor_geom(c, &g));
        int in = 0;
        for (long r = 0; r < k && !in; r++)
            in = recs[r] && dm_geom_contains(recs[r], g);
        outside += !in;
        n++;
        dm_geom_free(g);
    }
    dm_cursor_free(c);
    ASSERT(n >= 8);
    double share = (double)outside / (double)n;
    ASSERT_MSG(share > 0.5, "only %.2f of accidents outside records", share);
    ASSERT_NEAR(share, meta_num(s, "demo_accidents_outside_records"), 0.01);
    for (long r = 0; r < k; r++)
        dm_geom_free(recs[r]);
    free(recs);
    (void)ctx;
    dm_store_close(s);
}

/* No evidence layer refers to a truth row, and truth uuids appear nowhere
 * else. */
TEST(demo_truth_never_evidence)
{
    dm_store *s = open_db(dmtest_demo_db());
    size_t cap = (size_t)(count(s, "truth_items") + count(s, "truth_minefields")) + 1, n = 0;
    char (*ids)[37] = calloc(cap, 37);
    const char *tl[] = {"truth_items", "truth_minefields"};
    for (int t = 0; t < 2; t++) {
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, tl[t], NULL, &c));
        while (dm_cursor_next(c) == 1)
            memcpy(ids[n++], dm_cursor_uuid(c), 37);
        dm_cursor_free(c);
    }
    qsort(ids, n, 37, (int (*)(const void *, const void *))strcmp);
    long refs = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (l->flags & DM_LAYER_TRUTH)
            continue;
        for (size_t f = 0; f < l->n_fields; f++) {
            const dm_field_def *fd = &l->fields[f];
            if (fd->type != DM_FT_REF)
                continue;
            ASSERT_MSG(strncmp(fd->ref_layer, "truth_", 6) != 0, "%s.%s refers to truth", l->name,
                       fd->name);
            dm_cursor *c = NULL;
            ASSERT_OK(dm_store_select(s, l->name, NULL, &c));
            while (dm_cursor_next(c) == 1) {
                const char *v = dm_cursor_text(c, fd->name);
                char key[37] = {0};
                if (!v)
                    continue;
                snprintf(key, sizeof key, "%s", v);
                ASSERT_MSG(!bsearch(key, ids, n, 37, (int (*)(const void *, const void *))strcmp),
                           "%s.%s holds the truth uuid %s", l->name, fd->name, v);
                refs++;
            }
            dm_cursor_free(c);
        }
    }
    ASSERT(refs > 100);
    free(ids);
    dm_store_close(s);
}

/* Items found match real items within a few metres; clearance finds nearly
 * all it covers; some doctrinal fields are cleared only partly. */
TEST(demo_finds_match_truth)
{
    dm_store *s = open_db(dmtest_demo_db());
    size_t nt, nf;
    pt *truth = load_points(s, "truth_items", "minefield_id", &nt);
    pt *found = load_points(s, "items", NULL, &nf);
    qsort(truth, nt, sizeof *truth, cmp_x);
    ASSERT(nf > 20);
    char *hit = calloc(nt, 1);
    size_t matched = 0;
    for (size_t i = 0; i < nf; i++) {
        long k = nearest(truth, nt, found[i].x, found[i].y, 3.0);
        if (k >= 0) {
            matched++;
            hit[k] = 1;
        }
    }
    ASSERT_MSG(matched >= nf * 0.98, "%zu of %zu finds near a real item", matched, nf);
    /* per doctrinal minefield: found vs laid */
    int partly = 0;
    for (size_t i = 0; i < nt && !partly; i++) {
        if (!hit[i] || !truth[i].key[0])
            continue;
        size_t laid = 0, got = 0;
        for (size_t j = 0; j < nt; j++)
            if (!strcmp(truth[j].key, truth[i].key)) {
                laid++;
                got += hit[j];
            }
        partly = got > 0 && got < laid * 0.9;
    }
    ASSERT_MSG(partly, "no partly cleared minefield");
    free(hit);
    free(truth);
    free(found);
    dm_store_close(s);
}

/* Hazards: a dated life cycle ending in their status, area bookkeeping,
 * and little of their land really mined. */
TEST(demo_hazards_life_cycle_and_mostly_clean)
{
    dm_store *s = open_db(dmtest_demo_db());
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    int n = 0, released = 0, cha = 0;
    while (dm_cursor_next(c) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        char status[32], reported[11];
        snprintf(status, sizeof status, "%s", dm_cursor_text(c, "status"));
        snprintf(reported, sizeof reported, "%s", dm_cursor_text(c, "reported_date"));
        double est = dm_cursor_real(c, "est_area_ha", -1), rem = dm_cursor_real(c, "remaining_area_ha", -1);
        ASSERT(est > 0 && rem >= 0 && rem <= est + 0.01);
        released += rem < est - 0.01;
        cha += !strcmp(dm_cursor_text(c, "hazard_type"), "CHA");
        const char *f[] = {"hazard_id"}, *v[] = {uuid};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        sel.order_by = "date";
        dm_cursor *h = NULL;
        ASSERT_OK(dm_store_select(s, "hazard_status", &sel, &h));
        char last[32] = "", first_date[11] = "";
        int rows = 0;
        while (dm_cursor_next(h) == 1) {
            if (!rows++)
                snprintf(first_date, sizeof first_date, "%s", dm_cursor_text(h, "date"));
            snprintf(last, sizeof last, "%s", dm_cursor_text(h, "to_status"));
        }
        dm_cursor_free(h);
        ASSERT(rows >= 1);
        ASSERT_STREQ(first_date, reported);
        ASSERT_STREQ(last, status);
        if (!strcmp(status, "closed") || !strcmp(status, "handed_over"))
            ASSERT(rem == 0);
        n++;
    }
    dm_cursor_free(c);
    ASSERT(released > 3 && cha > 0 && cha < n);
    double share = meta_num(s, "demo_hazard_mined_share");
    ASSERT_MSG(share > 0 && share < 0.06, "hazard land mined share %.3f", share);
    dm_store_close(s);
}

/* The summary counts the risk education sessions and, of the activities,
 * the quality control inspections, as the database holds them; `demine
 * demo` says them in its text and its JSON. */
TEST(demo_summary_counts_sessions_and_inspections)
{
    dm_demo_summary sum;
    memset(&sum, 0, sizeof sum);
    dm_store *s = open_db(generate(DM_DEMO_SMALL, 7, "sum7.gpkg", &sum));
    static const char *const f[1] = {"activity_type"}, *const v[1] = {"qc"};
    dm_select sel = {0};
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    long qc = -1;
    ASSERT_OK(dm_store_count(s, "activities", &sel, &qc));
    ASSERT_MSG(qc > 0, "no quality control inspection in the demo of seed 7");
    ASSERT_EQ(sum.qc_inspections, qc);
    ASSERT_EQ(sum.activities, count(s, "activities"));
    ASSERT_MSG(count(s, "eore_sessions") > 0, "no risk education session in the demo of seed 7");
    ASSERT_EQ(sum.eore_sessions, count(s, "eore_sessions"));
    dm_store_close(s);
    char *out = NULL, want[160];
    ASSERT_EQ(dmtest_demine(&out, "demo sum7cli.gpkg --seed 7"), 0);
    snprintf(want, sizeof want, "%ld activities (%ld quality control inspection%s)", sum.activities, qc,
             qc == 1 ? "" : "s");
    ASSERT_CONTAINS(out, want);
    snprintf(want, sizeof want, "%ld public reports, %ld risk education sessions\n", sum.events,
             sum.eore_sessions);
    ASSERT_CONTAINS(out, want);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "demo sum7cli.gpkg --seed 7 --force --json"), 0);
    snprintf(want, sizeof want, "\"proposals\":%ld,\"qc_inspections\":%ld,\"eore_sessions\":%ld}", sum.proposals,
             qc, sum.eore_sessions);
    ASSERT_CONTAINS(out, want);
    free(out);
}

TEST(demo_cli_refuses_overwrite_and_bad_options)
{
    char *out = NULL;
    dmtest_write_file(dmtest_path("x.gpkg"), "not a database");
    ASSERT_EQ(dmtest_demine(&out, "demo x.gpkg"), 2);
    ASSERT_CONTAINS(out, "--force");
    free(out);
    char *kept = dmtest_read_file(dmtest_path("x.gpkg"));
    ASSERT_STREQ(kept, "not a database");
    free(kept);
    ASSERT_EQ(dmtest_demine(&out, "demo y.gpkg --scale huge"), 2);
    ASSERT_CONTAINS(out, "small or national");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "demo y.gpkg --seed x1"), 2);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "demo x.gpkg --force --seed 3 --json"), 0);
    ASSERT_CONTAINS(out, "\"scale\":\"small\"");
    ASSERT_CONTAINS(out, "\"record_accuracy_5m\":");
    free(out);
    dm_store *s = open_db(dmtest_path("x.gpkg"));
    ASSERT(count(s, "hazards") > 0);
    dm_store_close(s);
    /* a demo replaces a demo, never an agency's database named by mistake */
    ASSERT_EQ(dmtest_demine(&out, "init agency.gpkg"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "demo agency.gpkg --force"), 2);
    ASSERT_CONTAINS(out, "agency.gpkg is a database that demine demo did not make: not replacing it");
    free(out);
    s = open_db(dmtest_path("agency.gpkg"));
    ASSERT_EQ(count(s, "hazards"), 0);
    dm_store_close(s);
    ASSERT_EQ(dmtest_demine(&out, "demo no/such/dir/d.gpkg"), 3);
    ASSERT_CONTAINS(out, "directory no/such/dir does not exist");
    free(out);
}

TEST(demo_every_geometry_valid_wgs84)
{
    dm_store *s = open_db(dmtest_demo_db());
    long n = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!l->geom_type)
            continue;
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, l->name, NULL, &c));
        while (dm_cursor_next(c) == 1) {
            dm_geom *g = NULL;
            ASSERT_OK(dm_cursor_geom(c, &g));
            if (!g)
                continue;
            char why[200];
            double x, y, b[4];
            ASSERT_MSG(dm_geom_is_valid(g, why, sizeof why, &x, &y), "%s %s: %s", l->name,
                       dm_cursor_uuid(c), why);
            ASSERT(dm_geom_bounds(g, b));
            ASSERT(b[0] > 46.3 && b[2] < 47.8 && b[1] > 39.3 && b[3] < 40.2);
            dm_geom_free(g);
            n++;
        }
        dm_cursor_free(c);
    }
    ASSERT(n > 1000);
    dm_store_close(s);
}

/* Out of memory at any stage: an error, nothing written, nothing leaked. */
TEST(demo_out_of_memory_writes_nothing)
{
    dm_ctx *ctx = dmtest_ctx();
    const long at[] = {1, 40, 3000, 30000, 120000};
    int failed = 0;
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        char name[32];
        snprintf(name, sizeof name, "oom%zu.gpkg", i);
        dm_store *s = NULL;
        ASSERT_OK(dm_store_open(ctx, dmtest_path(name), DM_STORE_CREATE, &s));
        dm_demo_opts o = {DM_DEMO_SMALL, 5};
        dm_ctx_fail_alloc_after(ctx, at[i]);
        dm_status st = dm_demo_generate(ctx, s, &o, NULL);
        dm_ctx_fail_alloc_after(ctx, 0);
        if (st == DM_OK) /* the run needed fewer allocations than that */
            break;
        ASSERT_MSG(st == DM_ENOMEM || *dm_ctx_errmsg(ctx), "failure %s without a message",
                   dm_status_name(st));
        ASSERT_EQ(count(s, "hazards"), 0);
        ASSERT_EQ(count(s, "truth_items"), 0);
        ASSERT_EQ(count(s, "organisations"), 0);
        dm_store_close(s);
        failed++;
    }
    ASSERT_MSG(failed >= 4, "only %d of the injected failures hit", failed);
}
