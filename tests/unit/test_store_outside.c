/* SPDX-License-Identifier: MIT
 *
 * test_store_outside.c -- edits made by other programs (store_outside.c),
 * made here as QGIS makes them, through GDAL's GeoPackage driver: a row
 * added without a uuid gets one and its time stamps, twice in a row; the
 * insertion, an update (only the values that changed) and a deletion go
 * into the change log by "outside demine"; a row deleted so is listed
 * among the deleted (`demine list DB --deleted` too) and restored with its
 * geometry; a draft report deleted
 * so comes back with its pending hazard proposal; demine's own writes are
 * not logged twice; a database of schema 2 gains the triggers and the uuid
 * default on its next read-write open, and none on a read-only one.
 */
#include "dmtest.h"

#include <gdal.h>
#include <ogr_api.h>
#include <sqlite3.h>
#include <time.h>

static GDALDatasetH gdal_open(const char *path)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    ASSERT_MSG(ds != NULL, "GDAL cannot open %s", path);
    return ds;
}

/* A hazard added as QGIS adds one: the fields the user typed, the others
 * left to their defaults. */
static void gdal_add_hazard(const char *path, const char *ref, const char *wkt)
{
    GDALDatasetH ds = gdal_open(path);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "hazards");
    ASSERT(l != NULL);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "ref"), ref);
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "hazard_type"), "SHA");
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "status"), "open");
    OGRGeometryH g = NULL;
    char *w = (char *)wkt;
    ASSERT(OGR_G_CreateFromWkt(&w, NULL, &g) == OGRERR_NONE);
    OGR_F_SetGeometryDirectly(f, g);
    OGRErr e = OGR_L_CreateFeature(l, f);
    ASSERT_MSG(e == OGRERR_NONE, "GDAL could not add %s: %s", ref, CPLGetLastErrorMsg());
    OGR_F_Destroy(f);
    GDALClose(ds);
}

/* One SQL statement run as another program runs it (GDAL's connection:
 * its ST_ functions keep the spatial index). */
static void gdal_sql(const char *path, const char *sql)
{
    GDALDatasetH ds = gdal_open(path);
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    ASSERT_MSG(CPLGetLastErrorType() < CE_Failure, "%s: %s", sql, CPLGetLastErrorMsg());
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    GDALClose(ds);
}

/* The first column of the first row of sql on the file, as text ("" when
 * none): read with SQLite itself. */
static char *scalar(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    ASSERT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *q = NULL;
    ASSERT_MSG(sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    const char *v = sqlite3_step(q) == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
    char *out = strdup(v ? v : "");
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

static void assert_scalar(const char *path, const char *sql, const char *want)
{
    char *v = scalar(path, sql);
    ASSERT_MSG(!strcmp(v, want), "%s: got '%s', want '%s'", sql, v, want);
    free(v);
}

static char *history(const char *path, const char *uuid)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_READONLY, &s));
    char *h = NULL;
    ASSERT_OK(dm_store_history_json(s, uuid, &h));
    char *copy = strdup(h);
    dm_free(dmtest_ctx(), h);
    dm_store_close(s);
    return copy;
}

#define SQUARE "MULTIPOLYGON(((46.90 39.90,46.91 39.90,46.91 39.91,46.90 39.91,46.90 39.90)))"
#define SQUARE2 "MULTIPOLYGON(((46.92 39.92,46.93 39.92,46.93 39.93,46.92 39.93,46.92 39.92)))"

TEST(store_outside_rows_added_in_gdal_get_a_uuid_and_are_logged)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_CREATE, &s));
    dm_store_close(s);

    gdal_add_hazard(path, "Q-1", SQUARE);
    gdal_add_hazard(path, "Q-2", SQUARE2); /* the placeholder is replaced: no clash */
    assert_scalar(path, "SELECT count(*) FROM hazards WHERE length(uuid) = 36 AND uuid LIKE '________-____-4___-____-____________'", "2");
    assert_scalar(path, "SELECT count(DISTINCT uuid) FROM hazards", "2");
    assert_scalar(path, "SELECT count(*) FROM hazards WHERE created LIKE '20__-__-__T__:__:__.___Z' AND updated = created "
                        "AND author = 'outside demine'", "2");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE op = 'insert' AND author = 'outside demine' AND "
                        "reason = 'added outside demine' AND json_extract(new_values, '$.ref') IN ('Q-1', 'Q-2') AND "
                        "json_extract(new_values, '$.geom_gpkg') LIKE '4750%'", "2");
    char *u1 = scalar(path, "SELECT uuid FROM hazards WHERE ref = 'Q-1'");

    /* demine reads it as any other row */
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "show '%s' Q-1", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "by outside demine: added outside demine");
    free(out);

    /* an update: the values that changed, and the row's updated time */
    char *before = scalar(path, "SELECT updated FROM hazards WHERE ref = 'Q-1'");
    struct timespec pause = {0, 5000000};
    nanosleep(&pause, NULL);
    gdal_sql(path, "UPDATE hazards SET name = 'North field', status = 'open' WHERE ref = 'Q-1'");
    char *h = history(path, u1);
    ASSERT_CONTAINS(h, "\"op\":\"update\",\"reason\":\"changed outside demine\",\"old\":{\"name\":null},\"new\":{\"name\":\"North field\"}");
    free(h);
    /* a status changed there is a dated row of the hazard's life cycle, as demine writes one */
    gdal_sql(path, "UPDATE hazards SET status = 'closed' WHERE ref = 'Q-1'");
    assert_scalar(path, "SELECT from_status || ' -> ' || to_status || ', ' || reason || ' by ' || author || ' ' || "
                        "(date = date('now')) FROM hazard_status",
                  "open -> closed, changed outside demine by outside demine 1");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE layer = 'hazard_status' AND op = 'insert'", "1");
    gdal_sql(path, "UPDATE hazards SET status = 'open' WHERE ref = 'Q-1'");
    char *after = scalar(path, "SELECT updated FROM hazards WHERE ref = 'Q-1'");
    ASSERT_MSG(strcmp(after, before) > 0, "updated %s -> %s", before, after);
    free(before);
    free(after);
    /* a write that changes nothing is no change */
    gdal_sql(path, "UPDATE hazards SET name = name");
    /* (the name; closed and the land left then, none; reopened and the land left, unknown without an estimate) */
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE op = 'update'", "5");
    /* a moved polygon is a change of its geometry */
    gdal_sql(path, "UPDATE hazards SET geom = (SELECT geom FROM hazards WHERE ref = 'Q-2') WHERE ref = 'Q-1'");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE op = 'update' AND json_extract(new_values, '$.geom_gpkg') "
                        "IS NOT NULL AND json_extract(old_values, '$.geom_gpkg') IS NOT NULL AND "
                        "json_extract(new_values, '$.name') IS NULL", "1");
    /* bytes written as a blob (not text) are logged, not refused */
    gdal_sql(path, "UPDATE hazards SET notes = X'CAE5EB' WHERE ref = 'Q-2'");
    assert_scalar(path, "SELECT json_extract(new_values, '$.notes') FROM change_log WHERE op = 'update' ORDER BY seq DESC",
                  "X'CAE5EB'");
    /* so is an infinite number (no JSON has it), and the history reads */
    gdal_sql(path, "UPDATE hazards SET p_contam = 1e999, reliability = -1e999 WHERE ref = 'Q-2'");
    assert_scalar(path, "SELECT json_extract(new_values, '$.p_contam') || ' ' || json_extract(new_values, '$.reliability') "
                        "FROM change_log WHERE op = 'update' ORDER BY seq DESC",
                  "Inf -Inf");
    char *u2 = scalar(path, "SELECT uuid FROM hazards WHERE ref = 'Q-2'");
    h = history(path, u2);
    ASSERT_CONTAINS(h, "\"new\":{\"reliability\":\"-Inf\",\"p_contam\":\"Inf\"}");
    free(h);
    free(u2);
    ASSERT_MSG(dmtest_demine(&out, "show '%s' Q-1", path) == 0, "%s", out);
    /* the moved geometry in WKT, as demine logs its own */
    ASSERT_CONTAINS(out, "      geom: \"MULTIPOLYGON (((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39... -> "
                         "\"MULTIPOLYGON (((46.92 39.92, 46.93 39.92");
    h = history(path, u1);
    ASSERT(!strstr(h, "geom_gpkg"));
    free(h);
    free(out);
    /* a geometry written in a form demine cannot read (not a GeoPackage
     * blob): the row is shown without it, said so */
    gdal_sql(path, "UPDATE hazards SET geom = ST_GeomFromText('POINT(46.9 39.9)', 4326) WHERE ref = 'Q-1'");
    ASSERT_MSG(dmtest_demine(&out, "show '%s' Q-1", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "geometry           hazards ");
    ASSERT_CONTAINS(out, " Q-1: the geometry cannot be read (demine check lists such rows): not a GeoPackage geometry blob");
    ASSERT_CONTAINS(out, "name               North field");
    free(out);
    /* an export stops at it, naming the row (not "not a GeoPackage geometry blob" alone) */
    ASSERT_MSG(dmtest_demine(&out, "export '%s' --layer hazards '%s'", path, dmtest_path("hz.geojson")) == 2, "%s", out);
    ASSERT_CONTAINS(out, " Q-1: the geometry cannot be read (demine check lists such rows)");
    free(out);
    /* added without its area (SQLite cannot measure the polygon): check
     * says so with the command that gives it, after which it is quiet */
    ASSERT_MSG(dmtest_demine(&out, "check '%s'", path) == 4, "%s", out); /* Q-1's geometry */
    ASSERT_CONTAINS(out, "Q-2: est_area_ha is empty, and so is remaining_area_ha (added outside demine?): statistics "
                         "and the plan take the polygon's 94.9");
    ASSERT_CONTAINS(out, "`demine edit DB Q-2 est_area_ha=94.9");
    char *fix = strstr(out, "`demine edit DB Q-2 ");
    char cmd[200];
    snprintf(cmd, sizeof cmd, "%s", fix + strlen("`demine edit DB Q-2 "));
    *strchr(cmd, '`') = '\0';
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "edit '%s' Q-2 %s --reason measured", path, cmd) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "check '%s'", path) == 4, "%s", out);
    ASSERT(!strstr(out, "Q-2: est_area_ha is empty"));
    free(out);
    free(u1);
}

TEST(store_outside_a_row_deleted_in_gdal_is_restored)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside-del.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "H-7"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    ASSERT_OK(dm_row_set(r, "name", "Cemetery edge"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char uuid[37];
    dm_ctx_set_author(ctx, "ana");
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
    /* demine's own writes log themselves, once */
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "name", "Cemetery, east edge"));
    ASSERT_OK(dm_store_update(s, uuid, r, "surveyed"));
    dm_row_free(r);
    dm_store_close(s);
    assert_scalar(path, "SELECT count(*) FROM change_log", "2");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE author = 'outside demine'", "0");
    char *area0 = scalar(path, "SELECT est_area_ha FROM hazards");

    gdal_sql(path, "DELETE FROM hazards WHERE ref = 'H-7'");
    assert_scalar(path, "SELECT count(*) FROM hazards", "0");
    ASSERT_OK(dm_store_open(ctx, path, 0, &s));
    char *j = NULL;
    ASSERT_OK(dm_store_deleted_json(s, NULL, 0, 0, &j));
    ASSERT_CONTAINS(j, uuid);
    ASSERT_CONTAINS(j, "\"author\":\"outside demine\",\"reason\":\"deleted outside demine\",\"ref\":\"H-7\"");
    dm_free(ctx, j);
    dm_store_close(s);
    /* the command line lists it, with the command that puts it back */
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "outside demine    hazards");
    ASSERT_CONTAINS(out, uuid);
    ASSERT_CONTAINS(out, "H-7 Cemetery, east edge");
    ASSERT_CONTAINS(out, "deleted outside demine");
    ASSERT_CONTAINS(out, "1 of 1 deleted; put one back with: demine restore");
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted items", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "no row deleted in items and not restored since");
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted --json", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "\"author\":\"outside demine\"");
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted --where ref=H-7", path) == 2, "%s", out);
    ASSERT_CONTAINS(out, "--deleted takes no --where");
    free(out);
    ASSERT_OK(dm_store_open(ctx, path, 0, &s));
    ASSERT_OK(dm_store_restore(s, uuid, "deleted by mistake in QGIS", NULL));
    dm_store_close(s);
    assert_scalar(path, "SELECT name || ' ' || hazard_type FROM hazards WHERE ref = 'H-7'", "Cemetery, east edge CHA");
    char *area1 = scalar(path, "SELECT est_area_ha FROM hazards");
    ASSERT_STREQ(area1, area0);
    /* the geometry came back, and its spatial index entry */
    assert_scalar(path, "SELECT count(*) FROM hazards h JOIN rtree_hazards_geom r ON r.id = h.fid "
                        "WHERE abs(r.minx - 46.90) < 1e-4 AND abs(r.maxy - 39.91) < 1e-4", "1");
    free(area0);
    free(area1);
}

TEST(store_outside_a_draft_report_deleted_in_gdal_comes_back_with_its_proposal)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside-draft.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    ASSERT_OK(dm_ctx_set_author(ctx, "fld"));
    ASSERT_OK(dm_store_begin(s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "ref", "NTS-9"));
    ASSERT_OK(dm_row_set(r, "activity_type", "nts"));
    ASSERT_OK(dm_row_set(r, "status", "draft"));
    ASSERT_OK(dm_row_set(r, "start_date", "2025-06-01"));
    char act[37];
    ASSERT_OK(dm_store_insert(s, r, act));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(r, "ref", "NEW-9"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char *feature = NULL;
    ASSERT_OK(dm_proposal_check(s, r, &feature));
    ASSERT_OK(dm_proposal_put(s, act, feature));
    dm_free(ctx, feature);
    dm_row_free(r);
    ASSERT_OK(dm_store_commit(s));
    dm_store_close(s);
    ASSERT_OK(dm_ctx_set_author(ctx, "tester"));
    assert_scalar(path, "SELECT count(*) FROM report_proposals WHERE status = 'pending'", "1");

    gdal_sql(path, "DELETE FROM activities WHERE ref = 'NTS-9'");
    assert_scalar(path, "SELECT count(*) FROM report_proposals", "0");
    assert_scalar(path, "SELECT json_extract(old_values, '$.report_proposal.feature.properties.ref') FROM change_log "
                        "WHERE op = 'delete'", "NEW-9");

    ASSERT_OK(dm_store_open(ctx, path, 0, &s));
    ASSERT_OK(dm_store_restore(s, act, "deleted in QGIS by mistake", NULL));
    dm_store_close(s);
    assert_scalar(path, "SELECT status FROM activities WHERE ref = 'NTS-9'", "draft");
    assert_scalar(path, "SELECT json_extract(feature, '$.properties.ref') || ' ' || status || ' ' || author FROM "
                        "report_proposals", "NEW-9 pending fld");
}

TEST(store_outside_an_older_database_gains_the_triggers_on_a_read_write_open)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside-old.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_CREATE, &s));
    dm_store_close(s);
    /* made as a build of schema 2 made it: no triggers, no uuid default */
    sqlite3 *db = NULL;
    ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, &err);
    ASSERT_MSG(rc == SQLITE_OK, "%s", err ? err : "");
    sqlite3_stmt *q = NULL;
    ASSERT(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dm_outside_%'",
                              -1, &q, NULL) == SQLITE_OK);
    char names[200][64];
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW && n < 200)
        snprintf(names[n++], 64, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    ASSERT_MSG(n == 4 * (int)dm_layer_count() + 1, "%d triggers for %zu layers (and the hazards status)", n, dm_layer_count());
    for (int i = 0; i < n; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TRIGGER \"%.63s\"", names[i]);
        ASSERT(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    }
    ASSERT(sqlite3_exec(db,
                        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, "
                        "' DEFAULT ''given on save''', '') WHERE type = 'table'; PRAGMA writable_schema = OFF; "
                        "UPDATE dm_meta SET value = '2' "
                        "WHERE key = 'schema_version'; COMMIT;",
                        NULL, NULL, &err) == SQLITE_OK);
    sqlite3_close(db);
    /* GDAL's connection reads the schema afresh: a row without a uuid is refused */
    assert_scalar(path, "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%given on save%'", "0");

    /* read-only: nothing written */
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_READONLY, &s));
    dm_store_close(s);
    assert_scalar(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'dm_outside_%'", "0");

    ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
    dm_store_close(s);
    char want[16];
    snprintf(want, sizeof want, "%zu", 4 * dm_layer_count() + 1);
    assert_scalar(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'dm_outside_%'", want);
    snprintf(want, sizeof want, "%zu", dm_layer_count());
    assert_scalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                        "'%uuid TEXT NOT NULL UNIQUE DEFAULT ''given on save''%'", want);
    assert_scalar(path, "SELECT value FROM dm_meta WHERE key = 'schema_version'", "3");
    assert_scalar(path, "PRAGMA integrity_check", "ok");
    /* and QGIS can add rows now */
    gdal_add_hazard(path, "Q-1", SQUARE);
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE author = 'outside demine' AND op = 'insert'", "1");
    /* a second open writes nothing (the triggers are as they should be) */
    char *v0 = scalar(path, "PRAGMA schema_version");
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
    dm_store_close(s);
    char *v1 = scalar(path, "PRAGMA schema_version");
    ASSERT_STREQ(v1, v0);
    free(v0);
    free(v1);
    /* a uuid column written otherwise (by another tool) is left as it is,
     * and its database is not written on every open */
    sqlite3 *db2 = NULL;
    ASSERT(sqlite3_open(path, &db2) == SQLITE_OK);
    ASSERT(sqlite3_exec(db2,
                        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, "
                        "'uuid TEXT NOT NULL UNIQUE DEFAULT ''given on save'',', 'uuid text not null unique,') "
                        "WHERE name = 'events'; PRAGMA writable_schema = OFF;",
                        NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db2);
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
    dm_store_close(s);
    v0 = scalar(path, "PRAGMA schema_version");
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
    dm_store_close(s);
    v1 = scalar(path, "PRAGMA schema_version");
    ASSERT_STREQ(v1, v0);
    free(v0);
    free(v1);
    assert_scalar(path, "PRAGMA integrity_check", "ok");
}

/* The closed lists of values are field domains GDAL reads (QGIS's
 * drop-down lists); a list of several values at once is none; every field
 * has its description; a database without them gains them on its next
 * read-write open, and the file stays a valid GeoPackage. */
TEST(store_outside_value_lists_are_field_domains_for_qgis)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("domains.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_CREATE, &s));
    dm_store_close(s);
    for (int pass = 0; pass < 2; pass++) {
        GDALDatasetH ds = gdal_open(path);
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(GDALDatasetGetLayerByName(ds, "hazards"));
        OGRFieldDefnH st = OGR_FD_GetFieldDefn(d, OGR_FD_GetFieldIndex(d, "status"));
        ASSERT_STREQ(OGR_Fld_GetDomainName(st), "dm_hazards_status");
        OGRFieldDomainH dom = GDALDatasetGetFieldDomain(ds, "dm_hazards_status");
        ASSERT(dom != NULL);
        ASSERT_EQ(OGR_FldDomain_GetDomainType(dom), OFDT_CODED);
        const OGRCodedValue *cv = OGR_CodedFldDomain_GetEnumeration(dom);
        char codes[256] = "";
        for (int i = 0; cv && cv[i].pszCode; i++)
            snprintf(codes + strlen(codes), sizeof codes - strlen(codes), "%s%s", i ? "|" : "", cv[i].pszCode);
        ASSERT_STREQ(codes, "closed|handed_over|open|partly_released"); /* GDAL sorts them */
        OGRFeatureDefnH ra = OGR_L_GetLayerDefn(GDALDatasetGetLayerByName(ds, "release_areas"));
        OGRFieldDefnH method = OGR_FD_GetFieldDefn(ra, OGR_FD_GetFieldIndex(ra, "method"));
        ASSERT(OGR_Fld_GetDomainName(method) == NULL || !*OGR_Fld_GetDomainName(method));
        GDALClose(ds);
        assert_scalar(path, "SELECT description FROM gpkg_data_columns WHERE table_name = 'items' AND column_name = 'category'",
                      "ordnance class");
        if (pass == 0) { /* made before the lists */
            sqlite3 *db = NULL;
            ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
            ASSERT(sqlite3_exec(db,
                                "DROP TABLE gpkg_data_columns; DROP TABLE gpkg_data_column_constraints; DELETE FROM "
                                "gpkg_extensions WHERE extension_name = 'gpkg_schema'; DELETE FROM dm_meta WHERE key = "
                                "'schema_domains'",
                                NULL, NULL, NULL) == SQLITE_OK);
            sqlite3_close(db);
            ASSERT_OK(dm_store_open(dmtest_ctx(), path, 0, &s));
            dm_store_close(s);
        }
    }
    const char *v = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
    ASSERT_MSG(dmtest_sh(NULL, "test -f %s", v) == 0, "python3-gdal's validate_gpkg.py is missing");
    char *out = NULL;
    int rc = dmtest_sh(&out, "/usr/bin/python3 %s '%s' 2>&1", v, path);
    ASSERT_MSG(rc == 0, "validate_gpkg.py: %s", out);
    free(out);
}

/* Many rows deleted at once in QGIS (a hazard and the finds in it) are put
 * back at once: their uuids listed by `list --deleted --uuids`, read by
 * `restore DB -` from standard input, in the order their links need (the
 * hazard before its finds), in one transaction; one that cannot be put
 * back keeps all of them out, naming it. */
TEST(store_outside_a_bulk_deletion_is_put_back_at_once)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("bulk.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "H-1"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char hz[37], u[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    for (int i = 0; i < 5; i++) {
        r = dm_row_new(ctx, dm_layer_find("items"));
        ASSERT_OK(dm_row_set(r, "category", "AP"));
        ASSERT_OK(dm_row_set(r, "hazard_id", hz));
        ASSERT_OK(dm_geom_from_wkt(ctx, "POINT(46.905 39.905)", &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, u));
        dm_row_free(r);
    }
    dm_store_close(s);
    /* the finds first, then their hazard: listed newest first, the hazard leads */
    gdal_sql(path, "DELETE FROM items");
    gdal_sql(path, "DELETE FROM hazards");
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted --uuids", path) == 0, "%s", out);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    ASSERT_EQ(lines, 6);
    char *hz_uuid = scalar(path, "SELECT uuid FROM change_log WHERE layer = 'hazards'");
    ASSERT_MSG(!strncmp(out, hz_uuid, 36) && out[36] == '\n', "first: %s", out);
    free(hz_uuid);
    free(out);
    /* one that was never deleted among them: nothing comes back */
    ASSERT_EQ(dmtest_sh(&out, "'%s' list '%s' --deleted --uuids | '%s' restore '%s' - "
                              "00000000-0000-4000-8000-000000000000 --reason back 2>&1",
                        getenv("DEMINE_BIN"), path, getenv("DEMINE_BIN"), path),
              2);
    ASSERT_CONTAINS(out, "00000000-0000-4000-8000-000000000000: the change log holds no row with this uuid");
    ASSERT_CONTAINS(out, "nothing was restored (7 rows asked for, all or none)");
    free(out);
    assert_scalar(path, "SELECT count(*) FROM items", "0");
    /* the finds listed before their hazard: put back after it */
    ASSERT_EQ(dmtest_sh(&out, "('%s' list '%s' --deleted items --uuids; '%s' list '%s' --deleted hazards --uuids) | "
                              "'%s' restore '%s' - --reason 'deleted in QGIS by mistake' 2>&1",
                        getenv("DEMINE_BIN"), path, getenv("DEMINE_BIN"), path, getenv("DEMINE_BIN"), path),
              0);
    ASSERT_CONTAINS(out, "restored hazards");
    free(out);
    assert_scalar(path, "SELECT count(*) FROM items i JOIN hazards h ON h.uuid = i.hazard_id", "5");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE reason = 'restored: deleted in QGIS by mistake'", "6");
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "no row deleted and not restored since");
    free(out);
}

/* Rows the restoration of another puts back are among those `list
 * --deleted --uuids` lists (a hazard deleted by demine with its status
 * history): piped to `restore -`, all come back, not refused as "not
 * deleted"; a uuid given twice is back once; an error names its uuid once. */
TEST(store_outside_restore_of_all_listed_takes_rows_back_with_others)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("bulk-history.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "H-1"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char hz[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "status '%s' H-1 closed --reason cleared", path) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "delete '%s' H-1 --reason 'wrong one'", path) == 0, "%s", out);
    free(out);
    assert_scalar(path, "SELECT count(*) FROM hazard_status", "0");
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted --uuids", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, hz);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    ASSERT_EQ(lines, 2); /* the hazard and its status row */
    free(out);
    const char *bin = getenv("DEMINE_BIN");
    /* the status row listed before its hazard, and after it, and the hazard twice */
    ASSERT_MSG(dmtest_sh(&out, "'%s' list '%s' --deleted --uuids | sort -r | '%s' restore '%s' - %s --reason back 2>&1",
                         bin, path, bin, path, hz) == 0,
               "%s", out);
    ASSERT_CONTAINS(out, "restored hazard_status");
    ASSERT_CONTAINS(out, "restored hazards");
    free(out);
    assert_scalar(path, "SELECT count(*) FROM hazards h JOIN hazard_status s ON s.hazard_id = h.uuid AND s.to_status = 'closed'", "1");
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "no row deleted and not restored since");
    free(out);
    /* one that is not deleted: its error names it once */
    ASSERT_EQ(dmtest_sh(&out, "'%s' restore '%s' %s --reason back 2>&1", bin, path, hz), 2);
    ASSERT_CONTAINS(out, "is not deleted");
    char *first = strstr(out, hz);
    ASSERT(first != NULL);
    ASSERT_MSG(!strstr(first + 1, hz), "%s", out);
    free(out);
    /* deleted again: the other order of the list */
    ASSERT_MSG(dmtest_demine(&out, "delete '%s' H-1 --reason 'wrong one again'", path) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_sh(&out, "'%s' list '%s' --deleted --uuids | sort | '%s' restore '%s' - --reason back 2>&1", bin,
                         path, bin, path) == 0,
               "%s", out);
    free(out);
    assert_scalar(path, "SELECT count(*) FROM hazards h JOIN hazard_status s ON s.hazard_id = h.uuid", "1");
}

/* A uuid written over in QGIS's attribute table: the placeholder gives the
 * row its own back (kept, it refused every row added after it as a second
 * one), with or without other changes, on one row or all; another uuid is
 * logged as a change, under the new one, and a status changed with it goes
 * to the hazard under that one. */
TEST(store_outside_a_uuid_written_over_is_kept_or_logged)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside-uuid.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_CREATE, &s));
    dm_store_close(s);
    gdal_add_hazard(path, "Q-1", SQUARE);
    gdal_add_hazard(path, "Q-2", SQUARE2);
    char *u1 = scalar(path, "SELECT uuid FROM hazards WHERE ref = 'Q-1'");
    gdal_sql(path, "UPDATE hazards SET uuid = 'given on save' WHERE ref = 'Q-1'");
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE op = 'update'", "0");
    gdal_sql(path, "UPDATE hazards SET uuid = 'given on save', name = 'North' WHERE ref = 'Q-1'");
    gdal_sql(path, "UPDATE hazards SET uuid = 'given on save'");
    char *now = scalar(path, "SELECT uuid FROM hazards WHERE ref = 'Q-1'");
    ASSERT_STREQ(now, u1);
    free(now);
    assert_scalar(path, "SELECT count(*) FROM hazards WHERE uuid = 'given on save'", "0");
    char *h = history(path, u1);
    ASSERT_CONTAINS(h, "\"op\":\"update\",\"reason\":\"changed outside demine\",\"old\":{\"name\":null},\"new\":{\"name\":\"North\"}");
    free(h);
    gdal_add_hazard(path, "Q-3", SQUARE); /* not refused */
    assert_scalar(path, "SELECT count(DISTINCT uuid) FROM hazards", "3");

    gdal_sql(path, "UPDATE hazards SET uuid = '22222222-2222-4222-8222-222222222222', status = 'closed' WHERE ref = 'Q-1'");
    h = history(path, "22222222-2222-4222-8222-222222222222");
    char want[200];
    snprintf(want, sizeof want, "\"old\":{\"uuid\":\"%s\",\"status\":\"open\"},\"new\":{\"uuid\":\"22222222-2222-4222-8222-222222222222\",\"status\":\"closed\"}", u1);
    ASSERT_CONTAINS(h, want);
    free(h);
    assert_scalar(path, "SELECT hazard_id FROM hazard_status WHERE to_status = 'closed'", "22222222-2222-4222-8222-222222222222");
    free(u1);
}

/* A hazard's status changed in QGIS follows `demine status`: a row of its
 * life cycle, and the land left to release (none once closed; on
 * reopening, the estimate less the land released); an area given in the
 * same edit is kept; a status not in the list gets no life-cycle row (check
 * names it). */
TEST(store_outside_a_status_changed_in_gdal_follows_the_life_cycle)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("status.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "H-1"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "10"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "10"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char hz[37], u[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(r, "hazard_id", hz));
    ASSERT_OK(dm_row_set(r, "outcome", "cleared"));
    ASSERT_OK(dm_row_set(r, "area_ha", "2.5"));
    ASSERT_OK(dm_geom_from_wkt(ctx, "MULTIPOLYGON(((46.90 39.90,46.901 39.90,46.901 39.901,46.90 39.90)))", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, u));
    dm_row_free(r);
    dm_store_close(s);

    gdal_sql(path, "UPDATE hazards SET status = 'closed'");
    assert_scalar(path, "SELECT status || ' ' || remaining_area_ha FROM hazards", "closed 0.0");
    assert_scalar(path, "SELECT from_status || ' -> ' || to_status || ' ' || author FROM hazard_status",
                  "open -> closed outside demine");
    /* the area's change is in the history */
    assert_scalar(path, "SELECT count(*) FROM change_log WHERE op = 'update' AND "
                        "json_extract(new_values, '$.remaining_area_ha') = 0",
                  "1");
    gdal_sql(path, "UPDATE hazards SET status = 'open'");
    assert_scalar(path, "SELECT status || ' ' || remaining_area_ha FROM hazards", "open 7.5");
    /* an area given with the status is kept */
    gdal_sql(path, "UPDATE hazards SET status = 'closed', remaining_area_ha = 1");
    assert_scalar(path, "SELECT status || ' ' || remaining_area_ha FROM hazards", "closed 1.0");
    /* a status not in the list: no life-cycle row, check names it */
    gdal_sql(path, "UPDATE hazards SET status = 'finished'");
    assert_scalar(path, "SELECT count(*) FROM hazard_status", "3");
    assert_scalar(path, "SELECT count(*) FROM hazard_status WHERE to_status = 'finished'", "0");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check '%s'", path), 4);
    ASSERT_CONTAINS(out, "H-1: field 'status': 'finished' is not one of");
    ASSERT(!strstr(out, "hazard_status"));
    free(out);
}

/* A plan made anew deletes the old one's tasks: `list --deleted` without a
 * layer leaves them out (put back with a bulk restore, two plans would be
 * mixed), and lists them when their layer is named. */
TEST(store_outside_deleted_list_leaves_out_replaced_analysis_outputs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("plan2.gpkg"));
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "demo '%s' --seed 3", path) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "plan '%s' --prior --samples 0", path) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "plan '%s' --prior --samples 0", path) == 0, "%s", out);
    free(out);
    assert_scalar(path, "SELECT count(*) > 0 FROM change_log WHERE layer = 'plan_tasks' AND op = 'delete'", "1");
    gdal_sql(path, "DELETE FROM items WHERE fid = (SELECT min(fid) FROM items)");
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted --uuids", path) == 0, "%s", out);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    ASSERT_EQ(lines, 1); /* the find alone */
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "list '%s' --deleted plan_tasks", path) == 0, "%s", out);
    ASSERT_CONTAINS(out, "plan_tasks");
    free(out);
    /* a hazard of the plan deleted where no trigger took its tasks with it
     * (a file edited before its upgrade): its tasks are a warning, which
     * the next plan clears */
    gdal_sql(path, "DROP TRIGGER dm_outside_hazards_delete");
    gdal_sql(path, "DELETE FROM hazards WHERE uuid = (SELECT hazard_id FROM plan_tasks LIMIT 1)");
    ASSERT_MSG(dmtest_demine(&out, "check '%s'", path) == 4, "%s", out);
    ASSERT_CONTAINS(out, "warning dangling_ref         plan_tasks ");
    ASSERT_CONTAINS(out, "(deleted since the plan was made; the next `demine plan` leaves it out)");
    ASSERT(!strstr(out, "error   dangling_ref         plan_tasks"));
    free(out);
}

/* A find whose category was typed in QGIS ('mortar', not in the list) and
 * then deleted there comes back mended with --set (refused without it, the
 * refusal saying how), with its uuid; --set goes with one uuid, and names a
 * field the layer lacks. */
TEST(store_outside_a_value_refused_is_mended_as_the_row_comes_back)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("mend.gpkg"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", path), 0);
    free(out);
    dmtest_write_file(dmtest_path("it.csv"), "lon,lat,category,model\n46.9,39.9,AP,PMN-2\n");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer items '%s'", path, dmtest_path("it.csv")), 0);
    free(out);
    char *uuid = scalar(path, "SELECT uuid FROM items");
    gdal_sql(path, "UPDATE items SET category = 'mortar'");
    gdal_sql(path, "DELETE FROM items");
    ASSERT_EQ(dmtest_demine(&out, "restore '%s' %s --reason back", path, uuid), 2);
    ASSERT_CONTAINS(out, "field 'category': 'mortar' is not one of");
    ASSERT_CONTAINS(out, "--set FIELD=VALUE --reason R`");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "restore '%s' %s %s --reason back --set category=other", path, uuid, uuid), 2);
    ASSERT_CONTAINS(out, "--set goes with one UUID");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "restore '%s' %s --reason back --set calibre=82", path, uuid), 2);
    ASSERT_CONTAINS(out, "--set calibre: no such field");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "restore '%s' %s --reason 'deleted in QGIS' --set category=other", path, uuid), 0);
    free(out);
    char want[128];
    snprintf(want, sizeof want, "%s other PMN-2", uuid);
    assert_scalar(path, "SELECT uuid || ' ' || category || ' ' || model FROM items", want);
    free(uuid);
}

/* A row deleted in QGIS is refused, as `demine delete` refuses it, while
 * rows of other layers point at it (a hazard with its finds): the message
 * names them, and nothing is deleted or logged. Deleted once they are gone,
 * it takes its life-cycle history and the plan's tasks about it with it,
 * each logged, so `check` finds nothing left dangling, and a restoration
 * brings the history back. */
TEST(store_outside_a_row_still_pointed_at_is_not_deleted_in_gdal)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dmtest_path("outside-refs.gpkg"));
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "H-1"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, SQUARE, &g));
    dm_row_set_geom(r, g);
    char hz[37], item[37], task[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("items"));
    ASSERT_OK(dm_row_set(r, "category", "AP"));
    ASSERT_OK(dm_row_set(r, "hazard_id", hz));
    ASSERT_OK(dm_geom_from_wkt(ctx, "POINT(46.905 39.905)", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, item));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("plan_tasks"));
    ASSERT_OK(dm_row_set(r, "hazard_id", hz));
    ASSERT_OK(dm_row_set(r, "route", "clear"));
    ASSERT_OK(dm_store_insert(s, r, task));
    dm_row_free(r);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "status '%s' H-1 partly_released --reason 'north part reduced'", path) == 0, "%s",
               out);
    free(out);
    char *log0 = scalar(path, "SELECT count(*) FROM change_log");

    GDALDatasetH ds = gdal_open(path);
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRLayerH rs = GDALDatasetExecuteSQL(ds, "DELETE FROM hazards WHERE ref = 'H-1'", NULL, NULL);
    CPLPopErrorHandler();
    if (rs)
        GDALDatasetReleaseResultSet(ds, rs);
    ASSERT_MSG(CPLGetLastErrorType() >= CE_Failure, "the deletion was not refused");
    ASSERT_CONTAINS(CPLGetLastErrorMsg(), "rows of items (hazard_id) point at this row of hazards: delete them or "
                                          "point them elsewhere first");
    GDALClose(ds);
    assert_scalar(path, "SELECT count(*) FROM hazards", "1");
    assert_scalar(path, "SELECT count(*) FROM hazard_status", "1");
    assert_scalar(path, "SELECT count(*) FROM change_log", log0);
    free(log0);

    gdal_sql(path, "DELETE FROM items");
    gdal_sql(path, "DELETE FROM hazards WHERE ref = 'H-1'");
    assert_scalar(path, "SELECT count(*) FROM hazards", "0");
    assert_scalar(path, "SELECT count(*) FROM hazard_status", "0");
    assert_scalar(path, "SELECT count(*) FROM plan_tasks", "0");
    assert_scalar(path, "SELECT group_concat(layer, ' ') FROM (SELECT layer FROM change_log WHERE op = 'delete' AND "
                        "author = 'outside demine' ORDER BY seq)",
                  "items hazards hazard_status plan_tasks");
    ASSERT_MSG(dmtest_demine(&out, "check '%s'", path) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "restore '%s' %s --reason 'deleted in QGIS by mistake'", path, hz) == 0, "%s",
               out);
    free(out);
    assert_scalar(path, "SELECT to_status || ' ' || reason FROM hazard_status", "partly_released north part reduced");
    assert_scalar(path, "SELECT count(*) FROM plan_tasks", "0");
}
