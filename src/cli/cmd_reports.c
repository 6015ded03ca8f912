/* SPDX-License-Identifier: MIT
 *
 * cmd_reports.c -- `demine reports DB [list|show|approve|reject|withdraw]`: the review
 * queue of field reports (activities submitted as drafts through the server,
 * with their finds and perhaps a proposed hazard) from the command line. The
 * review is the library's (dm_report_review), the same as the server's
 * POST /api/reports/{id}/approve|reject: a draft only, a rejection with a
 * reason, the change log's "approved by NAME: text", a proposed hazard
 * created on approval. The reviewer is the CLI's author (--author NAME).
 * `withdraw` deletes a draft sent by mistake with its items (the library's
 * dm_report_withdraw, as POST /api/reports/{id}/withdraw).
 */
#include "cli.h"
#include "cli_table.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *help =
    "usage: demine reports DB [list] [--status draft|approved|rejected|all] [--json]\n"
    "       demine reports DB show ID [--json]\n"
    "       demine reports DB approve ID [--reason TEXT] [--refresh]\n"
    "       demine reports DB reject ID --reason TEXT\n"
    "       demine reports DB withdraw ID --reason TEXT\n\n"
    "Field reports are activities sent through the server (POST /api/reports) as\n"
    "drafts, with the items they found and perhaps a proposed new hazard; they count\n"
    "as evidence (risk map, statistics, plan) only once approved.\n\n"
    "  list      the reports with a status (default draft: those awaiting review),\n"
    "            oldest first: type, organisation, date, items, the hazard they\n"
    "            propose (new, pending / rejected; REF (new) once created) or else\n"
    "            the one they name (its ref), who sent them and their last\n"
    "            review; all: every activity, imported ones too\n"
    "  show      one report: its activity, its items, the hazard it proposes and\n"
    "            its history from the change log\n"
    "  approve   the report becomes approved; a hazard it proposes is created (by\n"
    "            the reviewer) and its activity and items point at it, in the same\n"
    "            transaction; --refresh then redoes the risk map (`demine risk\n"
    "            refresh DB`) when the database has one\n"
    "  reject    the report becomes rejected, with a reason (required); a hazard\n"
    "            it proposes is not created, its proposal kept as rejected\n"
    "  withdraw  a draft sent by mistake is deleted with its items and the hazard\n"
    "            it proposes, with a reason (required), in one transaction; the\n"
    "            change log keeps them (\"withdrawn by NAME: reason\") and `demine\n"
    "            restore DB UUID` of the activity brings them back, still a draft\n\n"
    "ID: the activity's uuid, a uuid prefix of 8+ characters, or its ref. Only a\n"
    "draft is reviewed or withdrawn, once: a report approved or rejected already is refused\n"
    "(exit 2), and so is an approval whose proposed hazard can no longer be made\n"
    "(its ref taken by another since): nothing changes. The change log records\n"
    "\"approved by NAME: reason\" under the author: `demine --author NAME reports\n"
    "...`, else $DEMINE_AUTHOR, else $USER. Reasons are trimmed, at most 2000\n"
    "characters.\n";

/* ============================== reading ============================== */

/* Who sent a report and its last review, from its change log: the author of
 * its insertion; the last update that made it approved or rejected (status,
 * who, when, and the reason as the reviewer wrote it, without the "rejected
 * by NAME: " the log adds). */
typedef struct review_info {
    char sent_by[128];
    char status[16], by[128], time[32];
    char reason[2100];
} review_info;

static dm_status review_of(dm_store *s, const char *uuid, review_info *ri)
{
    memset(ri, 0, sizeof *ri);
    char *h = NULL;
    dm_status st = dm_store_history_json(s, uuid, &h);
    if (st)
        return st;
    json_t *arr = json_loads(h, 0, NULL), *last = NULL, *first = NULL;
    dm_free(dm_store_ctx(s), h);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *op = json_string_value(json_object_get(e, "op"));
        if (!first && op && !strcmp(op, "insert"))
            first = e;
        const char *to = json_string_value(json_object_get(json_object_get(e, "new"), "status"));
        if (op && !strcmp(op, "update") && to && (!strcmp(to, "approved") || !strcmp(to, "rejected")))
            last = e;
    }
    const char *v = first ? json_string_value(json_object_get(first, "author")) : NULL;
    snprintf(ri->sent_by, sizeof ri->sent_by, "%s", v ? v : "");
    if (last) {
        const char *to = json_string_value(json_object_get(json_object_get(last, "new"), "status"));
        const char *by = json_string_value(json_object_get(last, "author"));
        const char *tm = json_string_value(json_object_get(last, "time"));
        const char *why = json_string_value(json_object_get(last, "reason"));
        snprintf(ri->status, sizeof ri->status, "%s", to);
        snprintf(ri->by, sizeof ri->by, "%s", by ? by : "");
        snprintf(ri->time, sizeof ri->time, "%s", tm ? tm : "");
        if (why && by) {
            size_t nt = strlen(to), nb = strlen(by);
            if (!strncmp(why, to, nt) && !strncmp(why + nt, " by ", 4) && !strncmp(why + nt + 4, by, nb)) {
                const char *rest = why + nt + 4 + nb;
                why = !*rest ? NULL : !strncmp(rest, ": ", 2) ? rest + 2 : why;
            }
        }
        snprintf(ri->reason, sizeof ri->reason, "%s", why ? why : "");
    }
    json_decref(arr);
    return DM_OK;
}

/* The ref of the row uuid of layer into out ("" when it has none or is
 * gone). */
static void ref_of(dm_store *s, const char *layer, const char *uuid, char *out, size_t n)
{
    out[0] = '\0';
    char *r = NULL;
    if (dm_store_ref_of(s, layer, uuid, &r) == DM_OK && r) {
        size_t len = strlen(r);
        if (len >= n) { /* cut at a character, not inside one */
            len = n - 1;
            while (len > 0 && ((unsigned char)r[len] & 0xC0) == 0x80)
                len--;
        }
        memcpy(out, r, len);
        out[len] = '\0';
    }
    dm_ctx_clear_error(dm_store_ctx(s));
    dm_free(dm_store_ctx(s), r);
}

/* The number of items the activity lists. */
static long items_of(dm_store *s, const char *uuid)
{
    const char *f[1] = {"activity_id"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    long n = 0;
    return dm_store_count(s, "items", &sel, &n) ? -1 : n;
}

/* ============================== list ============================== */

typedef struct report_line {
    char id[64], status[16], type[16], org[128], date[11], hazard[80], sent[128], review[512];
    long items;
} report_line;

/* The last review in a few words: "rejected by ana: polygon outside". */
static void review_words(const review_info *ri, char *out, size_t n)
{
    if (!ri->status[0])
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%s by %s on %.10s%s%.200s", ri->status, ri->by, ri->time, ri->reason[0] ? ": " : "",
                 ri->reason);
}

static int run_list(dm_ctx *ctx, dm_store *s, const char *db, const char *want, int json)
{
    const char *f[1] = {"status"}, *v[1] = {want};
    dm_select sel = {0};
    if (strcmp(want, "all")) {
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
    }
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    if (st)
        return cli_fail(ctx, "reports", st);
    report_line *lines = NULL;
    size_t n = 0, cap = 0;
    json_t *arr = json ? json_array() : NULL;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        const char *uuid = dm_cursor_uuid(c);
        review_info ri;
        dm_proposal p;
        int found = dm_proposal_get(s, uuid, 0, &p);
        long items = items_of(s, uuid);
        if (found < 0 || items < 0 || (st = review_of(s, uuid, &ri))) {
            st = st ? st : DM_ESQL;
            break;
        }
        const char *stt = dm_cursor_text(c, "status");
        if (json) {
            char *row = NULL;
            if ((st = dm_cursor_json(c, 0, &row)))
                break;
            json_t *o = json_loads(row, 0, NULL);
            dm_free(ctx, row);
            if (!o) {
                st = DM_ENOMEM;
                break;
            }
            json_object_set_new(o, "items", json_integer(items));
            json_object_set_new(o, "proposes_hazard", json_boolean(found > 0));
            json_object_set_new(o, "proposal_status", found > 0 ? json_string(p.status) : json_null());
            json_object_set_new(o, "created_hazard", found > 0 && p.hazard[0] ? json_string(p.hazard) : json_null());
            json_object_set_new(o, "submitted_by", ri.sent_by[0] ? json_string(ri.sent_by) : json_null());
            json_object_set_new(o, "review", !ri.status[0] ? json_null()
                                                           : json_pack("{s:s,s:s,s:s,s:o}", "status", ri.status, "by",
                                                                       ri.by, "time", ri.time, "reason",
                                                                       ri.reason[0] ? json_string(ri.reason)
                                                                                    : json_null()));
            json_array_append_new(arr, o);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            report_line *grown = realloc(lines, cap * sizeof *lines);
            if (!grown) {
                st = DM_ENOMEM;
                break;
            }
            lines = grown;
        }
        report_line *l = &lines[n++];
        const char *ref = dm_cursor_text(c, "ref"), *t = dm_cursor_text(c, "activity_type");
        const char *o = dm_cursor_text(c, "organisation"), *d = dm_cursor_text(c, "end_date");
        if (!d)
            d = dm_cursor_text(c, "start_date");
        snprintf(l->id, sizeof l->id, "%.63s", ref ? ref : uuid);
        if (!ref)
            l->id[8] = '\0'; /* a uuid's first 8 characters name it */
        snprintf(l->status, sizeof l->status, "%s", stt ? stt : "approved");
        snprintf(l->type, sizeof l->type, "%s", t ? t : "-");
        snprintf(l->org, sizeof l->org, "%s", o ? o : "-");
        snprintf(l->date, sizeof l->date, "%s", d ? d : "-");
        /* the hazard it proposes ("new, pending"), else the one it names (its
         * ref, else the uuid's first 8 characters) */
        const char *hz = dm_cursor_text(c, "hazard_id");
        char made[64] = "";
        if (found > 0 && p.hazard[0])
            ref_of(s, "hazards", p.hazard, made, sizeof made);
        if (found > 0 && made[0])
            snprintf(l->hazard, sizeof l->hazard, "%s (new)", made);
        else if (found > 0 && p.hazard[0]) /* created, without a ref */
            snprintf(l->hazard, sizeof l->hazard, "%.8s (new)", p.hazard);
        else if (found > 0)
            snprintf(l->hazard, sizeof l->hazard, "new, %s", p.status);
        else if (hz) {
            ref_of(s, "hazards", hz, l->hazard, sizeof l->hazard);
            if (!l->hazard[0])
                snprintf(l->hazard, sizeof l->hazard, "%.8s", hz);
        } else
            snprintf(l->hazard, sizeof l->hazard, "-");
        snprintf(l->sent, sizeof l->sent, "%s", ri.sent_by[0] ? ri.sent_by : "-");
        review_words(&ri, l->review, sizeof l->review);
        l->items = items;
    }
    dm_cursor_free(c);
    if (!st && rc < 0)
        st = DM_ESQL;
    if (st) {
        free(lines);
        json_decref(arr);
        return cli_fail(ctx, "reports", st);
    }
    if (json) {
        json_t *out = json_pack("{s:o,s:I,s:s}", "reports", arr, "count", (json_int_t)json_array_size(arr),
                                "status", want);
        char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        printf("%s\n", text ? text : "null");
        free(text);
        json_decref(out);
        return 0;
    }
    if (!n) {
        printf("%s: no %s%sreports\n", db, !strcmp(want, "all") ? "" : want, !strcmp(want, "all") ? "" : " ");
        return 0;
    }
    int w_id = 6, w_st = 6, w_ty = 4, w_org = 12, w_sent = 7, w_hz = 6;
    for (size_t i = 0; i < n; i++) {
        w_id = cli_width_fit(w_id, lines[i].id, 24);
        w_st = cli_width_fit(w_st, lines[i].status, 10);
        w_ty = cli_width_fit(w_ty, lines[i].type, 12);
        w_org = cli_width_fit(w_org, lines[i].org, 24);
        w_sent = cli_width_fit(w_sent, lines[i].sent, 16);
        w_hz = cli_width_fit(w_hz, lines[i].hazard, 20);
    }
    static const char *head[] = {"REPORT", "STATUS", "TYPE", "ORGANISATION", "DATE", "ITEMS", "HAZARD", "SENT BY"};
    const int w[] = {w_id, w_st, w_ty, w_org, 10};
    for (int k = 0; k < 5; k++) {
        cli_print_cell(head[k], w[k]);
        printf("  ");
    }
    printf("%5s  ", head[5]);
    cli_print_cell(head[6], w_hz);
    printf("  ");
    cli_print_cell(head[7], w_sent);
    printf("  LAST REVIEW\n");
    for (size_t i = 0; i < n; i++) {
        const report_line *l = &lines[i];
        const char *cell[] = {l->id, l->status, l->type, l->org, l->date};
        for (int k = 0; k < 5; k++) {
            cli_print_cell(cell[k], w[k]);
            printf("  ");
        }
        printf("%5ld  ", l->items);
        cli_print_cell(l->hazard, w_hz);
        printf("  ");
        cli_print_cell(l->sent, w_sent);
        printf("  ");
        if (cli_text_width(l->review) > 70)
            cli_print_cell(l->review, 70); /* cut, with "…" */
        else
            fputs(l->review, stdout);
        printf("\n");
    }
    printf("%zu %s%sreport%s", n, !strcmp(want, "all") ? "" : want, !strcmp(want, "all") ? "" : " ",
           n == 1 ? "" : "s");
    if (!strcmp(want, "draft"))
        printf(" awaiting review: `demine reports %s show ID`, then approve or reject", db);
    printf("\n");
    free(lines);
    return 0;
}

/* ============================== show ============================== */

/* The fields of the current row of c with a value, one a line, indented. */
static void print_fields(dm_cursor *c, const dm_layer_def *l, const char *skip)
{
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *f = &l->fields[i];
        const char *v = dm_cursor_text(c, f->name);
        if (!v || (skip && strstr(skip, f->name)))
            continue;
        char num[64];
        if (f->type == DM_FT_REAL)
            v = cli_format_real_text(f->name, v, num, sizeof num);
        printf("  %-18s %s\n", f->name, v);
    }
}

static void print_history(const char *hist)
{
    json_t *arr = json_loads(hist, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *op = json_string_value(json_object_get(e, "op"));
        const char *reason = json_string_value(json_object_get(e, "reason"));
        const char *author = json_string_value(json_object_get(e, "author"));
        printf("  %s  %-6s by %s%s%s\n", json_string_value(json_object_get(e, "time")), op ? op : "?",
               author ? author : "?", reason ? ": " : "", reason ? reason : "");
        if (op && !strcmp(op, "update")) {
            const char *key;
            json_t *nv, *oldv = json_object_get(e, "old");
            json_object_foreach(json_object_get(e, "new"), key, nv)
            {
                char *a = json_dumps(json_object_get(oldv, key), JSON_ENCODE_ANY);
                char *b = json_dumps(nv, JSON_ENCODE_ANY);
                printf("      %s: %.60s -> %.60s\n", key, a ? a : "null", b ? b : "null");
                free(a);
                free(b);
            }
        }
    }
    json_decref(arr);
}

/* A report id (ref or uuid) no activity has now: when the change log holds
 * it deleted (withdrawn, or deleted as any row), say so and how to bring it
 * back, rather than leave "no report" to be read as never sent. */
static void deleted_hint(dm_ctx *ctx, dm_store *s, const char *db, const char *id)
{
    char *js = NULL;
    if (dm_store_deleted_json(s, "activities", 0, 0, &js)) {
        dm_ctx_clear_error(ctx);
        return;
    }
    json_t *root = json_loads(js, 0, NULL), *rows = json_object_get(root, "deleted"), *r;
    size_t i, n = strlen(id);
    json_array_foreach(rows, i, r)
    {
        const char *u = json_string_value(json_object_get(r, "uuid"));
        const char *ref = json_string_value(json_object_get(r, "ref"));
        if (!u || !((ref && !strcmp(ref, id)) || (n >= 8 && !strncasecmp(u, id, n))))
            continue;
        const char *why = json_string_value(json_object_get(r, "reason"));
        fprintf(stderr, "  it was deleted %s by %s%s%s; `demine restore %s %s --reason TEXT` brings it back\n",
                json_string_value(json_object_get(r, "time")), json_string_value(json_object_get(r, "author")),
                why ? ": " : "", why ? why : "", db, u);
        break; /* the newest */
    }
    json_decref(root);
    dm_free(ctx, js);
}

static int run_show(dm_ctx *ctx, dm_store *s, const char *db, const char *id, int json)
{
    char uuid[37];
    dm_status st = dm_store_resolve(s, "activities", id, NULL, uuid);
    if (st == DM_ENOTFOUND) {
        fprintf(stderr, "demine reports: error: %s: no report (activity) with id or ref '%s'\n", db, id);
        deleted_hint(ctx, s, db, id);
        return cli_exit_code(st);
    }
    if (st) {
        fprintf(stderr, "demine reports: error: %s: %s\n", db, dm_ctx_errmsg(ctx));
        return cli_exit_code(st);
    }
    const dm_layer_def *al = dm_layer_find("activities");
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL, *ic = NULL;
    char *act = NULL, *hist = NULL;
    dm_proposal p;
    memset(&p, 0, sizeof p);
    int found = 0;
    review_info ri;
    st = dm_store_select(s, "activities", &sel, &c);
    if (!st && dm_cursor_next(c) != 1)
        st = DM_ESQL;
    if (!st)
        st = dm_cursor_json(c, json, &act);
    if (!st && (found = dm_proposal_get(s, uuid, 1, &p)) < 0)
        st = DM_ESQL;
    if (!st)
        st = dm_store_history_json(s, uuid, &hist);
    if (!st)
        st = review_of(s, uuid, &ri);
    f[0] = "activity_id";
    if (!st)
        st = dm_store_select(s, "items", &sel, &ic);
    if (st) {
        dm_cursor_free(c);
        dm_free(ctx, act);
        dm_free(ctx, hist);
        dm_proposal_clear(s, &p);
        return cli_fail(ctx, "reports", st);
    }
    int rc;
    if (json) {
        printf("{\"activity\":%s,\"items\":[", act);
        int k = 0;
        while ((rc = dm_cursor_next(ic)) == 1) {
            char *it = NULL;
            if ((st = dm_cursor_json(ic, 1, &it)))
                break;
            printf("%s%s", k++ ? "," : "", it);
            dm_free(ctx, it);
        }
        printf("],\"proposed_hazard\":%s,\"proposal_status\":%s,\"created_hazard\":%s,\"submitted_by\":%s,"
               "\"history\":%s}\n",
               found && p.feature ? p.feature : "null", found ? cli_json_str(p.status) : "null",
               found && p.hazard[0] ? cli_json_str(p.hazard) : "null",
               ri.sent_by[0] ? cli_json_str(ri.sent_by) : "null", hist);
    } else {
        const char *ref = dm_cursor_text(c, "ref"), *stt = dm_cursor_text(c, "status");
        printf("report %s%s%s%s\n", ref ? ref : uuid, ref ? " (" : "", ref ? uuid : "", ref ? ")" : "");
        printf("  %-18s %s\n", "status", stt ? stt : "approved (not a field report: no status)");
        if (ri.sent_by[0])
            printf("  %-18s %s\n", "sent by", ri.sent_by);
        if (ri.status[0]) {
            char words[512];
            review_words(&ri, words, sizeof words);
            printf("  %-18s %s\n", "last review", words);
        }
        const char *hz = dm_cursor_text(c, "hazard_id");
        char hzref[200] = "";
        if (hz)
            ref_of(s, "hazards", hz, hzref, sizeof hzref);
        print_fields(c, al, "ref,status,hazard_id");
        if (hz)
            printf("  %-18s %s%s%s%s\n", "hazard_id", hzref[0] ? hzref : hz, hzref[0] ? " (" : "",
                   hzref[0] ? hz : "", hzref[0] ? ")" : "");
        /* the items, as a table */
        printf("items (%ld):\n", items_of(s, uuid));
        int k = 0;
        char last_hz[37] = "", ihref[200] = ""; /* the items of a report share a hazard */
        while ((rc = dm_cursor_next(ic)) == 1) {
            const char *cat = dm_cursor_text(ic, "category"), *model = dm_cursor_text(ic, "model");
            const char *q = dm_cursor_text(ic, "quantity"), *fd = dm_cursor_text(ic, "found_date");
            const char *ih = dm_cursor_text(ic, "hazard_id");
            if (ih && strcmp(ih, last_hz)) {
                ref_of(s, "hazards", ih, ihref, sizeof ihref);
                snprintf(last_hz, sizeof last_hz, "%s", ih);
            }
            if (!k++)
                printf("  %-8s  %-8s  %-16s  %5s  %-10s  %s\n", "ITEM", "CATEGORY", "MODEL", "QTY", "FOUND",
                       "HAZARD");
            printf("  %.8s  ", dm_cursor_uuid(ic));
            cli_print_cell(cat ? cat : "-", 8);
            printf("  ");
            cli_print_cell(model ? model : "-", 16);
            printf("  %5s  %-10s  %s\n", q ? q : "1", fd ? fd : "-", ih && ihref[0] ? ihref : ih ? ih : "-");
        }
        if (!k)
            printf("  (none)\n");
        if (found > 0) {
            printf("proposed hazard (%s%s%s):\n", p.status, p.hazard[0] ? ": created as " : "",
                   p.hazard[0] ? p.hazard : "");
            if (p.feature)
                cli_print_feature_fields(p.feature);
        }
        printf("history:\n");
        print_history(hist);
    }
    if (!st && rc < 0)
        st = DM_ESQL;
    dm_cursor_free(c);
    dm_cursor_free(ic);
    dm_free(ctx, act);
    dm_free(ctx, hist);
    dm_proposal_clear(s, &p);
    return st ? cli_fail(ctx, "reports", st) : 0;
}

/* ============================== review ============================== */

static int run_review(dm_ctx *ctx, dm_store *s, const char *db, const char *id, int approve, const char *reason,
                      int refresh)
{
    dm_report_review_result res;
    dm_status st = dm_report_review(s, id, approve, NULL, reason, &res);
    if (st) {
        const char *msg = dm_ctx_errmsg(ctx);
        fprintf(stderr, "demine reports: error: %s: %s\n", db, *msg ? msg : dm_status_name(st));
        if (res.refused == DM_REVIEW_NO_REASON)
            fprintf(stderr, "  give it with --reason TEXT (why the report is rejected: the field team reads it)\n");
        else if (res.refused == DM_REVIEW_NOT_DRAFT)
            fprintf(stderr, "  see it with `demine reports %s show %s`\n", db, id);
        else if (st == DM_ENOTFOUND)
            deleted_hint(ctx, s, db, id);
        else if (res.refused == DM_REVIEW_PROPOSAL)
            fprintf(stderr, "  the report is still a draft: reject it, or free the ref and approve again\n");
        return cli_exit_code(st);
    }
    printf("%s: report %s%s%s%s %s (%s)\n", db, res.ref[0] ? res.ref : res.uuid, res.ref[0] ? " (" : "",
           res.ref[0] ? res.uuid : "", res.ref[0] ? ")" : "", res.status, res.reason);
    if (res.hazard[0]) {
        char ref[200];
        ref_of(s, "hazards", res.hazard, ref, sizeof ref);
        printf("  the hazard it proposed was created: %s%s%s%s\n", ref[0] ? ref : res.hazard, ref[0] ? " (" : "",
               ref[0] ? res.hazard : "", ref[0] ? ")" : "");
    }
    if (!approve)
        return 0;
    char *opts = NULL;
    int has_map = dm_store_meta_get(s, "risk_map_options", &opts) == DM_OK && opts;
    dm_free(ctx, opts);
    dm_ctx_clear_error(ctx);
    if (!has_map)
        return 0;
    if (!refresh) {
        printf("  what it reports (its finds, the land it worked) is new evidence: `demine risk refresh %s` "
               "brings it into the risk map\n",
               db);
        return 0;
    }
    dm_risk_update_result r;
    cli_part_guard_map(ctx, s); /* no half-written map left on Ctrl-C */
    st = dm_risk_refresh(ctx, s, &r);
    cli_part_guard(NULL);
    if (st) {
        /* the approval stands: only the map is not redone */
        fprintf(stderr, "demine reports: the report is approved, but the risk map was not refreshed: %s\n",
                dm_ctx_errmsg(ctx));
        return cli_exit_code(st);
    }
    printf("  risk map refreshed: %zu cells from %zu evidence %s; %zu %s updated\n", r.stats.cells, r.n_evidence,
           cli_plural(r.n_evidence, "item", "items"), r.hazards_updated,
           cli_plural(r.hazards_updated, "hazard", "hazards"));
    cli_risk_changes_print(s, &r, 0, "  ");
    return 0;
}

/* ============================== withdrawal ============================== */

static int run_withdraw(dm_ctx *ctx, dm_store *s, const char *db, const char *id, const char *reason)
{
    dm_report_withdraw_result res;
    dm_status st = dm_report_withdraw(s, id, NULL, NULL, reason, &res);
    if (st) {
        const char *msg = dm_ctx_errmsg(ctx);
        fprintf(stderr, "demine reports: error: %s: %s\n", db, *msg ? msg : dm_status_name(st));
        if (res.refused == DM_REVIEW_NOT_DRAFT)
            fprintf(stderr, "  see it with `demine reports %s show %s`; `demine delete` deletes a row\n", db, id);
        else if (st == DM_ECONFLICT) /* rows of other layers point at it, named */
            fprintf(stderr,
                    "  `demine show %s UUID` shows one; `demine delete %s UUID --reason TEXT` deletes it, `demine "
                    "edit %s UUID activity_id=OTHER --reason TEXT` points it at another activity\n",
                    db, db, db);
        else if (st == DM_ENOTFOUND)
            deleted_hint(ctx, s, db, id);
        return cli_exit_code(st);
    }
    printf("%s: report %s%s%s%s withdrawn (%s): the activity and %zu item%s deleted%s\n", db,
           res.ref[0] ? res.ref : res.uuid, res.ref[0] ? " (" : "", res.ref[0] ? res.uuid : "", res.ref[0] ? ")" : "",
           res.reason, res.n_items, res.n_items == 1 ? "" : "s",
           res.proposal ? ", with the hazard it proposed" : "");
    printf("  `demine restore %s %s --reason TEXT` brings it back\n", db, res.uuid);
    return 0;
}

/* ============================== dispatch ============================== */

static const char *const subs[] = {"list", "show", "approve", "reject", "withdraw", NULL};

static int is_sub(const char *a)
{
    for (size_t k = 0; subs[k]; k++)
        if (!strcmp(a, subs[k]))
            return 1;
    return 0;
}

static int run_reports(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"status", required_argument, 0, 's'},
                                             {"json", no_argument, 0, 'j'},
                                             {"reason", required_argument, 0, 'r'},
                                             {"refresh", no_argument, 0, 'f'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *status = NULL, *reason = NULL;
    int json = 0, refresh = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = cli_getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 's')
            status = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'r')
            reason = optarg;
        else if (c == 'f')
            refresh = 1;
        else if (c == 'h')
            return cli_help(help);
        else if (c == ':')
            return cli_usage_error("reports", "%s needs a value", argv[optind - 1]);
        else
            return cli_usage_error("reports", "unknown option '%s'", argv[optind - 1]);
    }
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    for (int i = optind; i < argc; i++) {
        if (npos == 3)
            return cli_usage_error("reports", "unexpected argument '%s'", argv[i]);
        pos[npos++] = argv[i];
    }
    if (!npos)
        return cli_usage_error("reports", "expected DB (and list, show ID, approve ID, reject ID or withdraw ID)");
    /* `demine reports aprove DB ID`: the subcommand mistyped first */
    if (npos >= 2 && !is_sub(pos[0]) && cli_subcommand_typo("reports", pos[0], subs))
        return 2;
    /* `demine reports approve DB ID` as `demine reports DB approve ID` */
    if (npos >= 2 && is_sub(pos[0]) && !is_sub(pos[1])) {
        const char *t = pos[0];
        pos[0] = pos[1];
        pos[1] = t;
    }
    const char *db = pos[0], *sub = pos[1] ? pos[1] : "list", *id = pos[2];
    if (!is_sub(sub))
        return cli_unknown_subcommand("reports", sub, subs);
    int is_list = !strcmp(sub, "list"), is_show = !strcmp(sub, "show"), approve = !strcmp(sub, "approve");
    int is_withdraw = !strcmp(sub, "withdraw");
    if (is_list && id)
        return cli_usage_error("reports", "unexpected argument '%s' (list takes no ID; see `show ID`)", id);
    if (!is_list && !id)
        return cli_usage_error("reports", "%s needs the report's ID (uuid, uuid prefix or ref)", sub);
    if (status && !is_list)
        return cli_usage_error("reports", "--status is for list");
    if (json && !is_list && !is_show)
        return cli_usage_error("reports", "--json is for list and show");
    if (reason && (is_list || is_show))
        return cli_usage_error("reports", "--reason is for approve, reject and withdraw");
    if (refresh && !approve)
        return cli_usage_error("reports", "--refresh is for approve");
    if (!status)
        status = "draft";
    if (strcmp(status, "draft") && strcmp(status, "approved") && strcmp(status, "rejected") && strcmp(status, "all"))
        return cli_usage_error("reports", "--status: draft, approved, rejected or all (got '%s')", status);
    if (!is_list && !is_show && !approve && (!reason || dm_text_blank(reason)))
        return cli_usage_error("reports", "%s needs --reason TEXT (why the report is %s%s)", sub,
                               is_withdraw ? "withdrawn" : "rejected", reason ? "; it was empty or white space only" : "");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "reports", db, is_list || is_show ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    if (is_list)
        rc = run_list(ctx, s, db, status, json);
    else if (is_show)
        rc = run_show(ctx, s, db, id, json);
    else if (is_withdraw)
        rc = run_withdraw(ctx, s, db, id, reason);
    else
        rc = run_review(ctx, s, db, id, approve, reason, refresh);
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(reports, "reports", run_reports, "field reports: the review queue, show, approve, reject, withdraw")
