/* SPDX-License-Identifier: MIT
 *
 * store_backup.c -- a consistent copy of the database while it is in use.
 * Copying the file with cp while the server writes to it (WAL mode) loses
 * what is still in the -wal file beside it, or copies half a transaction.
 * This takes SQLite's online backup from one read snapshot of the database,
 * makes the copy a single self-contained file (rollback journal, no -wal
 * needed) and checks it whole before saying it is done.
 */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* pages copied per step: progress a few times a second on a slow disk */
#define BACKUP_STEP_PAGES 1024
/* a busy source (a writer between two steps in rollback-journal mode) is
 * waited for this many times 50 ms */
#define BACKUP_BUSY_TRIES 600

static dm_status dst_fail(dm_ctx *ctx, sqlite3 *dst, const char *path, const char *what)
{
    return dm__fail(ctx, DM_EIO, "%s: %s: %s", path, what, dst ? sqlite3_errmsg(dst) : "cannot open");
}

/* One text answer of a PRAGMA on the copy ("ok", "delete"), into buf. */
static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t cap)
{
    sqlite3_stmt *q = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : -1;
}

static dm_status sync_file(dm_ctx *ctx, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return dm__fail(ctx, DM_EIO, "%s: cannot open to sync: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc)
        return dm__fail(ctx, DM_EIO, "%s: sync failed: %s", path, strerror(e));
    return DM_OK;
}

dm_status dm_store_backup(dm_store *s, const char *path, dm_backup_result *res)
{
    dm_ctx *ctx = s->ctx;
    if (res)
        memset(res, 0, sizeof *res);
    struct stat sb;
    if (stat(path, &sb) == 0)
        return dm__fail(ctx, DM_EIO, "%s: exists; a backup does not write over a file", path);
    if (s->depth > 0)
        return dm__fail(ctx, DM_EINVAL, "a backup cannot be taken inside a transaction");
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             NULL);
    if (rc != SQLITE_OK) {
        dm_status st = dst_fail(ctx, dst, path, "cannot create");
        sqlite3_close(dst);
        return st;
    }
    dm_status st = DM_OK;
    /* one read snapshot for every step: a writer elsewhere (the server)
     * goes on in WAL mode, and the copy is the database as it was here */
    int snapshot = 0;
    for (int t = 0; t < BACKUP_BUSY_TRIES; t++) {
        rc = sqlite3_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            snapshot = 1;
            break;
        }
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    if (!snapshot)
        st = dm__sql_fail(s, rc, "read for the backup");
    sqlite3_backup *b = NULL;
    if (!st && !(b = sqlite3_backup_init(dst, "main", s->db, "main")))
        st = dst_fail(ctx, dst, path, "cannot start the backup");
    int busy = 0;
    while (!st) {
        rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
        int total = sqlite3_backup_pagecount(b), left = sqlite3_backup_remaining(b);
        dm__progress(ctx, "backup", (uint64_t)(total - left), (uint64_t)total);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_OK)
            continue;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++busy < BACKUP_BUSY_TRIES) {
            sqlite3_sleep(50);
            continue;
        }
        st = rc == SQLITE_BUSY || rc == SQLITE_LOCKED
                 ? dm__fail(ctx, DM_EBUSY, "the database stayed locked for %d s: no backup taken",
                            BACKUP_BUSY_TRIES / 20)
                 : dst_fail(ctx, dst, path, "backup failed");
    }
    int pages = b ? sqlite3_backup_pagecount(b) : 0;
    if (b && sqlite3_backup_finish(b) != SQLITE_OK && !st)
        st = dst_fail(ctx, dst, path, "backup failed");
    if (snapshot)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    /* the copy carries the source's WAL mode in its header: made a single
     * file that QGIS or a USB stick carry alone */
    char answer[256];
    if (!st && (pragma_text(dst, "PRAGMA journal_mode = DELETE", answer, sizeof answer) ||
                strcmp(answer, "delete")))
        st = dst_fail(ctx, dst, path, "cannot leave WAL mode");
    if (!st) {
        dm__progress(ctx, "backup check", 0, 1);
        if (pragma_text(dst, "PRAGMA integrity_check", answer, sizeof answer))
            st = dst_fail(ctx, dst, path, "cannot check the copy");
        else if (strcmp(answer, "ok"))
            st = dm__fail(ctx, DM_ESCHEMA, "%s: the copy failed its integrity check: %s", path,
                          answer);
        dm__progress(ctx, "backup check", 1, 1);
    }
    sqlite3_int64 page_size = 0;
    if (!st && pragma_text(dst, "PRAGMA page_size", answer, sizeof answer) == 0)
        page_size = strtoll(answer, NULL, 10);
    if (sqlite3_close(dst) != SQLITE_OK && !st)
        st = dm__fail(ctx, DM_EIO, "%s: cannot close the copy", path);
    if (!st)
        st = sync_file(ctx, path);
    if (st) {
        unlink(path);
        char side[4096];
        snprintf(side, sizeof side, "%s-journal", path);
        unlink(side);
        return st;
    }
    if (res) {
        res->pages = (uint64_t)pages;
        res->bytes = (uint64_t)pages * (uint64_t)page_size;
    }
    return DM_OK;
}
