/* SPDX-License-Identifier: MIT
 *
 * test_store_deleted.c -- the list of rows deleted and not restored since
 * (dm_store_deleted_json), read from the change log: newest first, with
 * who, when, why and a label from the last values; a restored row or one
 * deleted, restored and deleted again counted once; filtered by layer;
 * paged with a total. And dm_store_log_state.
 */
#include "dmtest.h"

static void insert(dm_store *s, const char *layer, const char *wkt, const char **kv, char uuid[37])
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    for (int i = 0; kv[i]; i += 2)
        ASSERT_OK(dm_row_set(r, kv[i], kv[i + 1]));
    if (wkt) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        dm_row_set_geom(r, g);
    }
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
}

static char *deleted(dm_store *s, const char *layer, long limit, long offset)
{
    char *j = NULL;
    ASSERT_OK(dm_store_deleted_json(s, layer, limit, offset, &j));
    char *copy = strdup(j);
    dm_free(dmtest_ctx(), j);
    return copy;
}

TEST(store_deleted_lists_rows_deleted_and_not_restored)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    char h1[37], h2[37], f1[37], v1[37], a1[37];
    const char *k1[] = {"ref", "H-1", "name", "Old farm", "hazard_type", "CHA", NULL};
    insert(s, "hazards", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", k1, h1);
    const char *k2[] = {"ref", "H-2", "hazard_type", "SHA", NULL};
    insert(s, "hazards", "POLYGON((46.92 39.92, 46.93 39.92, 46.93 39.93, 46.92 39.93, 46.92 39.92))", k2, h2);
    const char *kf[] = {"class", "bridge", "name", "Old bridge", NULL};
    insert(s, "features", "POINT(46.9 39.9)", kf, f1);
    const char *ka[] = {"date", "2020-05-01", NULL};
    insert(s, "accidents", "POINT(46.9 39.9)", ka, a1);
    const char *kv[] = {"accident_id", a1, "name", "Jane Roe", "category", "civilian", "outcome", "injured", NULL};
    insert(s, "victims", NULL, kv, v1);

    /* nothing deleted yet */
    char *j = deleted(s, NULL, 0, 0);
    ASSERT_CONTAINS(j, "\"deleted\":[]");
    ASSERT_CONTAINS(j, "\"total\":0");
    free(j);

    dm_ctx_set_author(ctx, "ana");
    ASSERT_OK(dm_store_delete(s, "hazards", "H-1", "entered twice"));
    ASSERT_OK(dm_store_delete(s, "features", f1, "not there on the site visit"));
    ASSERT_OK(dm_store_delete(s, "victims", v1, "a duplicate"));
    ASSERT_OK(dm_store_delete(s, "hazards", "H-2", "wrong place"));

    /* newest first, with who, when, why; a hazard's ref and label */
    j = deleted(s, NULL, 0, 0);
    ASSERT_CONTAINS(j, "\"total\":4");
    ASSERT_CONTAINS(j, "\"count\":4");
    char *p2 = strstr(j, h2), *pv = strstr(j, v1), *pf = strstr(j, f1), *p1 = strstr(j, h1);
    ASSERT_MSG(p2 && pv && pf && p1 && p2 < pv && pv < pf && pf < p1, "order: %s", j);
    ASSERT_CONTAINS(j, "\"layer\":\"hazards\",\"time\":\"");
    ASSERT_CONTAINS(j, "\"author\":\"ana\",\"reason\":\"entered twice\",\"ref\":\"H-1\",\"label\":\"H-1 Old farm CHA\"");
    ASSERT_CONTAINS(j, "\"reason\":\"not there on the site visit\",\"label\":\"Old bridge bridge\"");
    /* a victim's name is personal data: not in the label */
    ASSERT(!strstr(j, "Jane Roe"));
    ASSERT_CONTAINS(j, "\"label\":\"civilian\"");
    ASSERT(!strstr(j, "next_offset"));
    free(j);

    /* one layer; paged, with the total and where the next page starts */
    j = deleted(s, "hazards", 1, 0);
    ASSERT_CONTAINS(j, "\"count\":1,\"offset\":0,\"limit\":1,\"total\":2,\"next_offset\":1");
    ASSERT_CONTAINS(j, h2);
    ASSERT(!strstr(j, h1) && !strstr(j, f1));
    free(j);
    j = deleted(s, "hazards", 1, 1);
    ASSERT_CONTAINS(j, h1);
    ASSERT(!strstr(j, h2) && !strstr(j, "next_offset"));
    free(j);
    const char *two[] = {"features", "victims"};
    char *jj = NULL;
    ASSERT_OK(dm_store_deleted_json_in(s, two, 2, 0, 0, &jj));
    ASSERT_CONTAINS(jj, "\"total\":2");
    ASSERT(strstr(jj, f1) && strstr(jj, v1) && !strstr(jj, h1));
    dm_free(ctx, jj);

    /* restored: off the list; deleted again: on it once, with the new reason */
    ASSERT_OK(dm_store_restore(s, h1, "undo", NULL));
    j = deleted(s, "hazards", 0, 0);
    ASSERT_CONTAINS(j, "\"total\":1");
    ASSERT(!strstr(j, h1));
    free(j);
    ASSERT_OK(dm_store_delete(s, "hazards", h1, "entered twice after all"));
    j = deleted(s, NULL, 0, 0);
    ASSERT_CONTAINS(j, "\"total\":4");
    p1 = strstr(j, h1);
    ASSERT(p1 && !strstr(p1 + 36, h1));
    ASSERT_CONTAINS(j, "\"reason\":\"entered twice after all\"");
    ASSERT(!strstr(j, "\"reason\":\"entered twice\""));
    ASSERT(p1 < strstr(j, h2)); /* the newest deletion first */
    free(j);

    /* the log's word on one row */
    char layer[64];
    int del = -1;
    ASSERT_OK(dm_store_log_state(s, h1, layer, &del));
    ASSERT_STREQ(layer, "hazards");
    ASSERT_EQ(del, 1);
    ASSERT_OK(dm_store_log_state(s, a1, layer, &del));
    ASSERT_STREQ(layer, "accidents");
    ASSERT_EQ(del, 0);
    ASSERT_STATUS(DM_ENOTFOUND, dm_store_log_state(s, "00000000-0000-4000-8000-000000000000", layer, &del));
    dm_store_close(s);
}

/* The deletions have an index of their own (the undo list reads them
 * alone); a database made before it gets it on its next read-write open,
 * and the list reads the same through it. */
TEST(store_deleted_index_is_added_to_an_older_database)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    const char *db = dmtest_path("old.gpkg");
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    char h1[37], h2[37];
    const char *k1[] = {"ref", "H-1", "hazard_type", "CHA", NULL};
    insert(s, "hazards", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", k1, h1);
    const char *k2[] = {"ref", "H-2", "hazard_type", "SHA", NULL};
    insert(s, "hazards", "POLYGON((46.92 39.92, 46.93 39.92, 46.93 39.93, 46.92 39.93, 46.92 39.92))", k2, h2);
    ASSERT_OK(dm_store_delete(s, "hazards", "H-2", "entered twice"));
    dm_store_close(s);
    char *out = NULL;
    const char *q = "SELECT count(*) FROM sqlite_master WHERE name = 'change_log_deletes'";
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"%s\"", db, q), 0);
    ASSERT_STREQ(out, "1\n"); /* a new database has it */
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' 'DROP INDEX change_log_deletes' && sqlite3 '%s' \"%s\"", db, db, q), 0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    /* read-only: no write, the list as before */
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char *j = deleted(s, NULL, 0, 0);
    ASSERT_CONTAINS(j, "\"total\":1");
    ASSERT_CONTAINS(j, h2);
    free(j);
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"%s\"", db, q), 0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    /* read-write: the index, and the same list through it */
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    j = deleted(s, NULL, 0, 0);
    ASSERT_CONTAINS(j, "\"total\":1");
    ASSERT_CONTAINS(j, h2);
    ASSERT(!strstr(j, h1));
    free(j);
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"%s\"", db, q), 0);
    ASSERT_STREQ(out, "1\n");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"EXPLAIN QUERY PLAN SELECT count(*) FROM change_log c WHERE c.op = "
                              "'delete'\"", db),
              0);
    ASSERT_CONTAINS(out, "change_log_deletes");
    free(out);
}
