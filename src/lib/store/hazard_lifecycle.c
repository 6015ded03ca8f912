/* SPDX-License-Identifier: MIT
 *
 * hazard_lifecycle.c -- the life cycle of a hazard area: open, partly
 * released, closed, handed over. A status change updates the hazard and
 * adds a dated, reasoned row to hazard_status in one transaction, so the
 * history of a hazard reads like its file.
 */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int rank(const char *status)
{
    static const char *order[] = {"open", "partly_released", "closed", "handed_over"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(status, order[i]))
            return i;
    return -1;
}

/* A hazard reopened after it was closed has land to release again: what
 * its estimate leaves once the land already released from it is taken off
 * (closing set it to 0), or the whole estimate when all of it had been
 * released; unknown without an estimate. */
static dm_status reopened_remaining(dm_store *s, const char *uuid, dm_row *u)
{
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s,
        "SELECT est_area_ha, (SELECT total(area_ha) FROM release_areas WHERE hazard_id = ?1) "
        "FROM hazards WHERE uuid = ?1",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) == SQLITE_NULL)
            st = dm_row_set(u, "remaining_area_ha", NULL);
        else {
            double est = sqlite3_column_double(q, 0);
            double left = est - sqlite3_column_double(q, 1);
            /* all of it released, yet reopened: the released land is in
             * question again */
            if (left < 0.01)
                left = est;
            st = dm_row_set_real(u, "remaining_area_ha", round(left * 1e4) / 1e4);
        }
    } else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    return st;
}

dm_status dm_hazard_set_status(dm_store *s, const char *id, const char *to, const char *date,
                               const char *reason)
{
    dm_ctx *ctx = s->ctx;
    const dm_layer_def *hl = dm_layer_find("hazards");
    char uuid[37], norm_to[32], day[11];
    dm_status st = dm_store_resolve(s, "hazards", id, NULL, uuid);
    if (st)
        return st;
    if (!to || dm_field_normalise(ctx, dm_field_find(hl, "status"), to, norm_to, sizeof norm_to))
        return dm__fail(ctx, DM_EINVAL, "status '%s' is not one of open, partly_released, "
                                        "closed, handed_over",
                        to ? to : "");
    if (date) {
        /* read as edit and import read a date: day first 12.05.2021 too */
        char norm_day[64];
        const dm_field_def *df = dm_field_find(dm_layer_find("hazard_status"), "date");
        if (dm_field_normalise(ctx, df, date, norm_day, sizeof norm_day) || !dm_date_parse(norm_day, day)) {
            dm_ctx_clear_error(ctx);
            return dm__fail(ctx, DM_EINVAL, "'%s' is not a date (YYYY-MM-DD, or day first: 12.05.2021)",
                            date);
        }
        /* one day of slack for time zones ahead of UTC */
        time_t t = time(NULL) + 86400;
        struct tm tm;
        char tomorrow[16];
        if (gmtime_r(&t, &tm) && strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm) &&
            strcmp(day, tomorrow) > 0)
            return dm__fail(ctx, DM_EINVAL, "hazard %s: date %s is in the future", id, day);
    } else {
        char now[21];
        dm_now_iso(now);
        memcpy(day, now, 10);
        day[10] = '\0';
    }
    /* current status and the date of the last change */
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    if ((st = dm_store_select(s, "hazards", &sel, &c)))
        return st;
    char from[32] = "open", reported[11] = "";
    if (dm_cursor_next(c) == 1) {
        if (dm_cursor_text(c, "status"))
            dm__strlcpy(from, dm_cursor_text(c, "status"), sizeof from);
        if (dm_cursor_text(c, "reported_date"))
            dm__strlcpy(reported, dm_cursor_text(c, "reported_date"), sizeof reported);
    }
    dm_cursor_free(c);
    if (reported[0] && strcmp(day, reported) < 0)
        return dm__fail(ctx, DM_EINVAL, "hazard %s: date %s is before the hazard was reported (%s)",
                        id, day, reported);
    const char *hf[1] = {"hazard_id"};
    sel.eq_field = hf;
    sel.order_by = "date";
    char last[11] = "";
    if ((st = dm_store_select(s, "hazard_status", &sel, &c)))
        return st;
    while (dm_cursor_next(c) == 1)
        if (dm_cursor_text(c, "date"))
            dm__strlcpy(last, dm_cursor_text(c, "date"), sizeof last);
    dm_cursor_free(c);
    if (!strcmp(from, norm_to))
        return dm__fail(ctx, DM_EINVAL, "hazard %s is already %s", id, norm_to);
    if (rank(norm_to) < rank(from) && dm_text_blank(reason))
        return dm__fail(ctx, DM_EINVAL,
                        "moving hazard %s back from %s to %s needs a reason (new evidence?)", id,
                        from, norm_to);
    if (last[0] && strcmp(day, last) < 0)
        return dm__fail(ctx, DM_EINVAL, "date %s is before the hazard's last change (%s)", day,
                        last);
    if ((st = dm_store_begin(s)))
        return st;
    dm_row *u = dm_row_new(ctx, hl);
    dm_row *h = dm_row_new(ctx, dm_layer_find("hazard_status"));
    if (!u || !h)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (!st)
        st = dm_row_set(u, "status", norm_to);
    if (!st && rank(norm_to) >= 2)
        st = dm_row_set(u, "remaining_area_ha", "0");
    else if (!st && rank(from) >= 2)
        st = reopened_remaining(s, uuid, u);
    if (!st) {
        s->lifecycle = 1;
        st = dm_store_update(s, uuid, u, reason);
        s->lifecycle = 0;
    }
    if (!st)
        st = dm_row_set(h, "hazard_id", uuid);
    if (!st)
        st = dm_row_set(h, "date", day);
    if (!st)
        st = dm_row_set(h, "from_status", from);
    if (!st)
        st = dm_row_set(h, "to_status", norm_to);
    if (!st && reason)
        st = dm_row_set(h, "reason", reason);
    if (!st)
        st = dm_store_insert(s, h, NULL);
    dm_row_free(u);
    dm_row_free(h);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}
