/* SPDX-License-Identifier: MIT
 *
 * hazard_settle.c -- `demine status DB --settle`: release areas imported
 * after their hazards leave the hazards' remaining_area_ha empty and their
 * status open. Settling records, for every open or partly released hazard
 * without remaining_area_ha that reviewed work released land from, its
 * estimate less that land (measured as the statistics measure it,
 * dm_hazards_released) and moves an open one to partly_released through
 * its life cycle, all in one transaction. None is closed: closing is a
 * person's decision.
 */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Below this many hectares left (50 square metres) nothing is left: the
 * plan takes such a hazard out of its list too. */
#define NOTHING_LEFT_HA 0.005

static dm_status add_row(dm_ctx *ctx, dm_settle_row **v, size_t *n, size_t *cap, dm_settle_row **out)
{
    dm_settle_row *d = dm__grow(ctx, *v, cap, *n, sizeof *d, 32);
    if (!d)
        return DM_ENOMEM;
    *v = d;
    *out = &(*v)[(*n)++];
    memset(*out, 0, sizeof **out);
    return DM_OK;
}

/* The hazards to settle and what they become, read in the order of the
 * layer. */
static dm_status gather(dm_store *s, const dm_hazard_released *rel, size_t n_rel, dm_settle_row **out, size_t *n_out)
{
    dm_ctx *ctx = s->ctx;
    dm_settle_row *v = NULL;
    size_t n = 0, cap = 0;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    int rc = 0;
    while (!st && (rc = dm_cursor_next(c)) == 1) {
        const char *status = dm_cursor_text(c, "status");
        if (!status)
            status = "open"; /* as the statistics take it */
        if (strcmp(status, "open") && strcmp(status, "partly_released"))
            continue;
        if (dm_cursor_text(c, "remaining_area_ha"))
            continue; /* recorded (or a value that is no number: check names it) */
        const dm_hazard_released *r = dm_hazard_released_find(rel, n_rel, dm_cursor_uuid(c));
        if (!r || !(r->ha > 0))
            continue;
        /* its estimate, else its polygon's area (as the statistics) */
        double est = dm_cursor_real(c, "est_area_ha", NAN);
        if (!isfinite(est)) {
            if (dm_cursor_text(c, "est_area_ha"))
                continue; /* a value that is no number: check names it */
            dm_geom *g = NULL;
            dm_status gs = dm_cursor_geom(c, &g);
            if (!gs && !g)
                gs = DM_ENOTFOUND;
            if (!gs)
                gs = dm_geom_area_ha(ctx, g, &est);
            dm_geom_free(g);
            if (gs == DM_ENOMEM) {
                st = gs;
                break;
            }
            dm_ctx_clear_error(ctx); /* no polygon, or one not measured: check names it */
            if (gs || !isfinite(est))
                continue;
        }
        dm_settle_row *w = NULL;
        if ((st = add_row(ctx, &v, &n, &cap, &w)))
            break;
        dm__strlcpy(w->uuid, dm_cursor_uuid(c), sizeof w->uuid);
        const char *ref = dm_cursor_text(c, "ref");
        dm__strlcpy(w->ref, ref ? ref : "", sizeof w->ref);
        w->est_ha = est;
        w->released_ha = r->ha;
        w->n_areas = r->n_areas;
        dm__strlcpy(w->first_date, r->first_date, sizeof w->first_date);
        dm__strlcpy(w->last_date, r->last_date, sizeof w->last_date);
        double left = est - r->ha;
        w->remaining_ha = left > NOTHING_LEFT_HA ? round(left * 1e4) / 1e4 : 0;
        dm__strlcpy(w->status_before, status, sizeof w->status_before);
        dm__strlcpy(w->status_after, "partly_released", sizeof w->status_after);
    }
    if (!st && rc < 0)
        st = dm__wrap(ctx, "%s: hazards", dm_store_path(s));
    dm_cursor_free(c);
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    *out = v;
    *n_out = n;
    return DM_OK;
}

/* The change log's reason for one hazard: the caller's, then the figures. */
static void reason_of(dm_buf *b, const char *reason, const dm_settle_row *w)
{
    dm__buf_reset(b);
    dm__buf_puts(b, dm_text_blank(reason) ? "land released by release areas recorded after the hazard" : reason);
    dm__buf_printf(b, " (demine status --settle: its estimate %.2f ha, %.2f ha released by %zu release area%s", w->est_ha,
                   w->released_ha, w->n_areas, w->n_areas == 1 ? "" : "s");
    if (w->first_date[0] && strcmp(w->first_date, w->last_date))
        dm__buf_printf(b, " dated %s to %s", w->first_date, w->last_date);
    else if (w->first_date[0])
        dm__buf_printf(b, " dated %s", w->first_date);
    dm__buf_printf(b, ", %.2f ha left)", w->remaining_ha);
}

static dm_status write_rows(dm_store *s, const dm_settle_row *v, size_t n, const char *date, const char *reason)
{
    dm_ctx *ctx = s->ctx;
    const dm_layer_def *hl = dm_layer_find("hazards");
    dm_buf why;
    dm__buf_init(&why);
    dm_status st = DM_OK;
    for (size_t i = 0; !st && i < n; i++) {
        const dm_settle_row *w = &v[i];
        const char *label = w->ref[0] ? w->ref : w->uuid;
        reason_of(&why, reason, w);
        if (why.oom) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        dm_row *u = dm_row_new(ctx, hl);
        if (!u)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        if (!st)
            st = dm_row_set_real(u, "remaining_area_ha", w->remaining_ha);
        if (!st)
            st = dm_store_update(s, w->uuid, u, why.data);
        dm_row_free(u);
        /* named by its ref in the life cycle's messages when that is its own */
        char id_uuid[37];
        const char *id = w->uuid;
        if (!st && w->ref[0]) {
            dm_status r = dm_store_resolve(s, "hazards", w->ref, NULL, id_uuid);
            if (!r && !strcmp(id_uuid, w->uuid))
                id = w->ref;
            else if (r == DM_ENOMEM || r == DM_EBUSY || r == DM_EIO)
                st = r;
            else
                dm_ctx_clear_error(ctx); /* a ref another hazard has too */
        }
        if (!st && strcmp(w->status_before, w->status_after))
            st = dm_hazard_set_status(s, id, w->status_after, date, why.data);
        if (st) {
            char named[256];
            snprintf(named, sizeof named, "hazard %s: ", label);
            if (strncmp(dm_ctx_errmsg(ctx), named, strlen(named)))
                dm__wrap(ctx, "hazard %s", label);
        }
    }
    dm__buf_free(&why);
    return st;
}

dm_status dm_hazards_settle(dm_store *s, int dry_run, const char *date, const char *reason, dm_settle_row **out,
                            size_t *n_out)
{
    dm_ctx *ctx = s->ctx;
    *out = NULL;
    *n_out = 0;
    dm_status st = DM_OK;
    if (!dry_run && (st = dm_store_begin(s)))
        return st;
    dm_hazard_released *rel = NULL;
    size_t n_rel = 0, n = 0;
    dm_settle_row *v = NULL;
    st = dm_hazards_released(s, &rel, &n_rel);
    if (!st)
        st = gather(s, rel, n_rel, &v, &n);
    dm_free(ctx, rel);
    if (!st && !dry_run)
        st = write_rows(s, v, n, date, reason);
    if (!dry_run) {
        if (st)
            dm_store_rollback(s);
        else
            st = dm_store_commit(s);
    }
    if (st) {
        dm_free(ctx, v);
        return st;
    }
    *out = v;
    *n_out = n;
    return DM_OK;
}
