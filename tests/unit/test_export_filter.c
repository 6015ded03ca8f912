/* SPDX-License-Identifier: MIT
 *
 * test_export_filter.c -- `export --where/--bbox`: some rows of a layer
 * (the hazards of a district for a team's tablet), as `list` filters them.
 */
#include "dmtest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static long count_where(const char *db, const char *field, const char *value)
{
    dm_store *s = NULL;
    long n = -1;
    if (dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s))
        return -1;
    const char *f[1] = {field}, *v[1] = {value};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    if (dm_store_count(s, "hazards", &sel, &n))
        n = -1;
    dm_store_close(s);
    return n;
}

static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

TEST(export_where_and_bbox_write_the_rows_list_shows)
{
    const char *db = dmtest_demo_db();
    long closed = count_where(db, "status", "closed");
    long all = count_where(db, "status", "open") + count_where(db, "status", "partly_released") +
               closed + count_where(db, "status", "handed_over");
    ASSERT(closed > 0 && closed < all);
    /* a value read as edit reads it: CLOSED is closed */
    const char *out = dmtest_path("closed.geojson");
    char needle[64];
    snprintf(needle, sizeof needle, "exported %ld row%s of hazards", closed, closed == 1 ? "" : "s");
    ASSERT_DEMINE(0, needle, "export %s --layer hazards %s --where status=CLOSED", db, out);
    char *js = dmtest_read_file(out);
    ASSERT(js);
    ASSERT_EQ(occurrences(js, "\"type\": \"Feature\""), closed);
    ASSERT_EQ(occurrences(js, "\"status\": \"closed\""), closed);
    free(js);
    /* two filters, both must hold; the file imports back */
    ASSERT_DEMINE(0, "exported", "export %s --layer hazards %s --where status=closed --where "
                                 "hazard_type=SHA",
                  db, dmtest_path("closed-sha.gpkg"));
    /* a bbox round the whole world: every row */
    snprintf(needle, sizeof needle, "exported %ld row%s", all, all == 1 ? "" : "s");
    ASSERT_DEMINE(0, needle, "export %s --layer hazards %s --bbox -180,-90,180,90", db,
                  dmtest_path("world.geojson"));
    /* a bbox elsewhere, or a value no row has: nothing written, said */
    struct stat sb;
    ASSERT_DEMINE(2, "no row of hazards passes --bbox", "export %s --layer hazards %s --bbox 10,10,11,11",
                  db, dmtest_path("none.geojson"));
    ASSERT(stat(dmtest_path("none.geojson"), &sb) != 0);
    ASSERT_DEMINE(2, "--where district=Nowhere: nothing exported",
                  "export %s --layer hazards %s --where district=Nowhere", db,
                  dmtest_path("none2.geojson"));
    ASSERT(stat(dmtest_path("none2.geojson"), &sb) != 0);
    /* the values the field holds, the most used first */
    char *o2 = NULL;
    ASSERT_EQ(dmtest_demine(&o2, "export %s --layer hazards %s --where district=Nowhere", db,
                            dmtest_path("none2.geojson")),
              2);
    ASSERT_CONTAINS(o2, "district of hazards holds: ");
    free(o2);
    /* a name typed without its marks or in another case: the one meant */
    char *list = NULL;
    ASSERT_EQ(dmtest_demine(&list, "list %s hazards --limit 1 --json", db), 0);
    char *u = strstr(list, "\"uuid\":");
    ASSERT(u);
    char uuid[37];
    ASSERT_EQ(sscanf(u, "\"uuid\":\"%36[0-9a-f-]\"", uuid), 1);
    free(list);
    ASSERT_DEMINE(0, NULL, "edit %s %s district=Ağdam --reason test", db, uuid);
    ASSERT_DEMINE(2, "did you mean --where district=Ağdam?", "export %s --layer hazards %s --where district=AGDAM",
                  db, dmtest_path("none5.geojson"));
    ASSERT_DEMINE(0, "did you mean --where district=Ağdam?", "list %s hazards --where district=agdam", db);
    ASSERT_DEMINE(0, "exported 1 row of hazards", "export %s --layer hazards %s --where district=Ağdam", db,
                  dmtest_path("agdam.kml"));
    /* a mistyped field is named with the one meant */
    ASSERT_DEMINE(2, "did you mean 'district'", "export %s --layer hazards %s --where distric=X", db,
                  dmtest_path("none3.geojson"));
    /* a bbox the wrong way round is refused, by list too */
    ASSERT_DEMINE(2, "west must not exceed east", "export %s --layer hazards %s --bbox 48,40,47,41", db,
                  dmtest_path("none4.geojson"));
    ASSERT_DEMINE(2, "west must not exceed east", "list %s hazards --bbox 48,40,47,41", db);
}
