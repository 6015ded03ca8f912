/* SPDX-License-Identifier: MIT
 *
 * eore_store.c -- whether a database has the layer eore_sessions: one
 * made before it gets the table on its next read-write open (the store's
 * migration), but opened read-only it has none, and the statistics and
 * `demine eore` read it as no session rather than fail.
 */
#include "core/dm_internal.h"
#include "demine/dm_eore.h"
#include "store/store_internal.h"

int dm_eore_layer_present(dm_store *s)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'eore_sessions'", -1,
                           &q, NULL) != SQLITE_OK)
        return 0;
    int have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return have;
}
