/* SPDX-License-Identifier: MIT
 *
 * cmd_settle.c -- `demine status DB --settle`: records the land released
 * from every open hazard by release areas imported after it
 * (dm_hazards_settle) and prints what changed, or with --dry-run what
 * would, as a table or JSON. The options are parsed with `demine status`'s
 * own (cmd_edit.c).
 */
#include "cli.h"
#include "cli_table.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cmd_status_settle(dm_ctx *ctx, const char *db, int dry_run, int json, const char *date, const char *reason);

/* s as one word of a shell command: as it is when plain, else in single
 * quotes. Into out (n bytes). */
static const char *shell_word(const char *s, char *out, size_t n)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-+:,@") == strlen(s)) {
        snprintf(out, n, "%s", s);
        return out;
    }
    size_t k = 0;
    if (k + 1 < n)
        out[k++] = '\'';
    for (; *s && k + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else
            out[k++] = *s;
    }
    if (k + 1 < n)
        out[k++] = '\'';
    out[k < n ? k : n - 1] = '\0';
    return out;
}

static const char *label(const dm_settle_row *w) { return w->ref[0] ? w->ref : w->uuid; }

static void print_json(const char *db, int dry_run, const dm_settle_row *v, size_t n)
{
    printf("{\"database\": %s, \"dry_run\": %s, \"count\": %zu, \"hazards\": [", cli_json_str(db),
           dry_run ? "true" : "false", n);
    for (size_t i = 0; i < n; i++) {
        const dm_settle_row *w = &v[i];
        printf("%s\n  {\"uuid\": %s, \"ref\": %s, \"est_ha\": %.4f, \"released_ha\": %.4f, \"remaining_ha\": %.4f, "
               "\"release_areas\": %zu, \"status_before\": %s, \"status_after\": %s, \"nothing_left\": %s}",
               i ? "," : "", cli_json_str(w->uuid), w->ref[0] ? cli_json_str(w->ref) : "null", w->est_ha,
               w->released_ha, w->remaining_ha, w->n_areas, cli_json_str(w->status_before),
               cli_json_str(w->status_after), w->remaining_ha > 0 ? "false" : "true");
    }
    printf("%s]}\n", n ? "\n" : "");
}

static void print_table(const char *db, int dry_run, const dm_settle_row *v, size_t n)
{
    if (!n) {
        printf("no hazard to settle: no open or partly released hazard without remaining_area_ha has land "
               "released from it\n");
        return;
    }
    int w = cli_text_width("hazard");
    for (size_t i = 0; i < n; i++)
        w = cli_width_fit(w, label(&v[i]), 36);
    cli_print_cell("hazard", w);
    printf("  %11s  %11s  %12s  status\n", "estimate_ha", "released_ha", "remaining_ha");
    size_t moved = 0, empty = 0;
    for (size_t i = 0; i < n; i++) {
        const dm_settle_row *r = &v[i];
        int move = strcmp(r->status_before, r->status_after) != 0;
        moved += move;
        empty += !(r->remaining_ha > 0);
        cli_print_cell(label(r), w);
        printf("  %11.2f  %11.2f  %12.2f  %s%s%s%s\n", r->est_ha, r->released_ha, r->remaining_ha, r->status_before,
               move ? " -> " : "", move ? r->status_after : "", r->remaining_ha > 0 ? "" : " (nothing left)");
    }
    printf("%s %zu hazard%s: remaining_area_ha %s, %zu %s to partly_released%s\n",
           dry_run ? "would settle" : "settled", n, n == 1 ? "" : "s", dry_run ? "to record" : "recorded", moved,
           dry_run ? "to move" : "moved", dry_run ? " (dry run: nothing written)" : " (one transaction, logged)");
    if (!empty)
        return;
    char qdb[1024], qid[512];
    printf("nothing %s left of %zu hazard%s, which settling does not close (closing is a person's decision); "
           "once the land is confirmed released:\n",
           dry_run ? "would be" : "is", empty, empty == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        if (!(v[i].remaining_ha > 0))
            printf("  demine status %s %s closed --reason TEXT\n", shell_word(db, qdb, sizeof qdb),
                   shell_word(label(&v[i]), qid, sizeof qid));
}

/* The open hazards settling leaves as they are though land was released
 * from them: those with a remaining_area_ha that, with that land, adds up
 * to more than their estimate (recorded before the release: an export's
 * remaining area never updated), which `demine check` names
 * (remaining_stale). -1 when they cannot be counted. */
static long stale_remaining(dm_store *s)
{
    dm_hazard_released *rel = NULL;
    size_t n_rel = 0;
    if (dm_hazards_released(s, &rel, &n_rel))
        return -1;
    long n = 0;
    dm_cursor *c = NULL;
    if (n_rel && !dm_store_select(s, "hazards", NULL, &c)) {
        while (dm_cursor_next(c) == 1) {
            const char *st = dm_cursor_text(c, "status");
            if (st && strcmp(st, "open") && strcmp(st, "partly_released"))
                continue;
            double rem = dm_cursor_real(c, "remaining_area_ha", NAN), est = dm_cursor_real(c, "est_area_ha", NAN);
            const dm_hazard_released *r = dm_hazard_released_find(rel, n_rel, dm_cursor_uuid(c));
            if (r && r->ha >= 0.01 && isfinite(rem) && isfinite(est) && rem + r->ha > est * 1.01 + 0.01)
                n++;
        }
        dm_cursor_free(c);
    }
    dm_free(dm_store_ctx(s), rel);
    return n;
}

int cmd_status_settle(dm_ctx *ctx, const char *db, int dry_run, int json, const char *date, const char *reason)
{
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "status", db, dry_run ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    dm_settle_row *v = NULL;
    size_t n = 0;
    dm_status st = dm_hazards_settle(s, dry_run, date, reason, &v, &n);
    if (st) {
        fprintf(stderr, "demine status: error: %s: --settle: %s (nothing changed)\n", db,
                *dm_ctx_errmsg(ctx) ? dm_ctx_errmsg(ctx) : dm_status_name(st));
        rc = cli_exit_code(st);
    } else if (json)
        print_json(db, dry_run, v, n);
    else
        print_table(db, dry_run, v, n);
    long stale = st || json ? 0 : stale_remaining(s);
    if (stale > 0)
        printf("left as recorded: %ld open hazard%s whose remaining_area_ha, with the land released from %s, "
               "add%s up to more than %s estimate (recorded before that release?): `demine check %s` names %s "
               "(remaining_stale) and how to settle %s\n",
               stale, stale == 1 ? "" : "s", stale == 1 ? "it" : "them", stale == 1 ? "s" : "",
               stale == 1 ? "its" : "their", db, stale == 1 ? "it" : "them", stale == 1 ? "it" : "them");
    dm_free(ctx, v);
    dm_store_close(s);
    return rc;
}
