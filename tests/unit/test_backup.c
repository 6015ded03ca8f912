/* SPDX-License-Identifier: MIT
 *
 * test_backup.c -- `demine backup`: a consistent single-file copy of a
 * database the server is writing to (WAL mode), what it refuses, and
 * dated copies in a directory with the oldest removed.
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* the notes of hazard id (a uuid) as the database at path holds them, in buf */
static void notes_of(const char *path, const char *id, char *buf, size_t cap)
{
    dm_store *s = NULL;
    buf[0] = '\0';
    ASSERT_OK(dm_store_open(dmtest_ctx(), path, DM_STORE_READONLY, &s));
    const char *f[1] = {"uuid"}, *v[1] = {id};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", &sel, &c));
    if (dm_cursor_next(c) == 1 && dm_cursor_text(c, "notes"))
        snprintf(buf, cap, "%s", dm_cursor_text(c, "notes"));
    dm_cursor_free(c);
    dm_store_close(s);
}

/* A change the server has committed but not yet written into the main file
 * (it sits in DB-wal) is in the backup; one not yet committed is not; the
 * copy is one file, in rollback-journal mode. A plain copy of the file
 * would have lost the committed change. */
TEST(backup_copies_what_the_server_committed_and_nothing_half_done)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT_OK(dm_store_durable(s)); /* as `demine serve` does: WAL */
    char uuid[37] = "";
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    if (dm_cursor_next(c) == 1)
        snprintf(uuid, sizeof uuid, "%s", dm_cursor_text(c, "uuid"));
    dm_cursor_free(c);
    ASSERT(uuid[0]);
    dm_row *u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "notes", "committed while serving"));
    ASSERT_OK(dm_store_update(s, uuid, u, "test"));
    dm_row_free(u);
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", db);
    ASSERT(exists(wal)); /* the change is in the WAL, the server still open */
    /* a change under way, not committed */
    ASSERT_OK(dm_store_begin(s));
    u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "notes", "not yet committed"));
    ASSERT_OK(dm_store_update(s, uuid, u, "test"));
    dm_row_free(u);

    /* what cp would have taken: the main file alone */
    const char *plain = dmtest_path("plain.gpkg");
    ASSERT_EQ(dmtest_sh(NULL, "cp '%s' '%s'", db, plain), 0);
    char notes[256];
    notes_of(plain, uuid, notes, sizeof notes);
    ASSERT(strcmp(notes, "committed while serving") != 0);

    const char *bk = dmtest_path("backup.gpkg");
    ASSERT_DEMINE(0, "checked whole", "backup %s %s", db, bk);
    ASSERT_OK(dm_store_rollback(s));
    dm_store_close(s);
    char side[4096];
    snprintf(side, sizeof side, "%s-wal", bk);
    ASSERT(!exists(side));
    /* the header says rollback journal (1), not WAL (2) */
    char *head = NULL;
    ASSERT_EQ(dmtest_sh(&head, "od -An -tu1 -j18 -N2 '%s'", bk), 0);
    ASSERT_CONTAINS(head, "1   1");
    free(head);
    notes_of(bk, uuid, notes, sizeof notes);
    ASSERT_STREQ(notes, "committed while serving");
    ASSERT_DEMINE(0, "0 errors", "check %s", bk);
}

TEST(backup_refuses_to_write_over_a_file_or_the_database_and_leaves_nothing_on_failure)
{
    const char *db = dmtest_demo_db();
    const char *bk = dmtest_path("b.gpkg");
    dmtest_write_file(bk, "keep me");
    ASSERT_DEMINE(2, "exists: give another name, or --force", "backup %s %s", db, bk);
    char *kept = dmtest_read_file(bk);
    ASSERT_STREQ(kept, "keep me");
    free(kept);
    ASSERT_DEMINE(2, "is the database", "backup %s %s", db, db);
    /* --force replaces the file, once the copy is whole */
    ASSERT_DEMINE(0, "\"hazards\":", "backup %s %s --force --json", db, bk);
    ASSERT_DEMINE(0, "0 errors", "check %s", bk);
    /* a directory that does not exist: an error naming it, no part left */
    char nodir[4096];
    snprintf(nodir, sizeof nodir, "%s/none/b.gpkg", dmtest_tmpdir());
    ASSERT_DEMINE(3, "none/b.gpkg", "backup %s %s", db, nodir);
    char *ls = NULL;
    ASSERT_EQ(dmtest_sh(&ls, "ls '%s' | grep -c part || true", dmtest_tmpdir()), 0);
    ASSERT_CONTAINS(ls, "0");
    free(ls);
    /* a file that is no demine database */
    const char *junk = dmtest_path("junk.gpkg");
    dmtest_write_file(junk, "not a database");
    ASSERT_DEMINE(4, "junk.gpkg", "backup %s %s", junk, dmtest_path("j2.gpkg"));
    ASSERT(!exists(dmtest_path("j2.gpkg")));
    /* usage */
    ASSERT_DEMINE(2, "demine backup DB OUT.gpkg", "backup %s", db);
}

/* A directory: the copy is named after the database and the time, and
 * --keep N leaves the N newest copies of this database, no other file. */
TEST(backup_into_a_directory_keeps_the_newest_copies)
{
    const char *db = dmtest_demo_db();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bk", dmtest_tmpdir());
    ASSERT_EQ(dmtest_sh(NULL, "mkdir -p '%s'", dir), 0);
    /* older copies of this database and a file of another one */
    const char *old[] = {"demo-20240101-000000.gpkg", "demo-20240102-000000.gpkg",
                         "demo-20240103-000000.gpkg", "other-20200101-000000.gpkg",
                         "demo-notes.gpkg"};
    char p[4200];
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, old[i]);
        dmtest_write_file(p, "x");
    }
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "backup %s %s/ --keep 2", db, dir), 0);
    ASSERT_CONTAINS(out, "removed 2 older copies");
    free(out);
    char *ls = NULL;
    ASSERT_EQ(dmtest_sh(&ls, "ls '%s'", dir), 0);
    ASSERT(!strstr(ls, "20240101"));
    ASSERT(!strstr(ls, "20240102"));
    ASSERT_CONTAINS(ls, "demo-20240103-000000.gpkg");
    ASSERT_CONTAINS(ls, "other-20200101-000000.gpkg");
    ASSERT_CONTAINS(ls, "demo-notes.gpkg");
    free(ls);
    /* the new copy is a whole database */
    ASSERT_EQ(dmtest_sh(&ls, "ls '%s' | grep -E '^demo-2[0-9]{7}-[0-9]{6}.gpkg$' | grep -v 2024", dir),
              0);
    char copy[4200];
    snprintf(copy, sizeof copy, "%s/%.*s", dir, (int)strcspn(ls, "\n"), ls);
    free(ls);
    ASSERT_DEMINE(0, "0 errors", "check %s", copy);
    /* --keep without a directory, and a directory that is not there */
    ASSERT_DEMINE(2, "--keep goes with a directory", "backup %s %s --keep 2", db, dmtest_path("x.gpkg"));
    ASSERT_DEMINE(3, "no such directory", "backup %s %s/none/", db, dmtest_tmpdir());
    ASSERT_DEMINE(2, "--keep must be 1 or more", "backup %s %s/ --keep 0", db, dir);
}
