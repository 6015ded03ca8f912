/* SPDX-License-Identifier: MIT
 *
 * cmd_show.c -- `demine show DB ID`: one row with its fields, the rows it
 * links to and that link to it, and its full change history.
 */
#include "cli.h"
#include "cli_table.h"

#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine show DB ID [--json] [--no-personal]\n\n"
    "Show one row: ID is a uuid, a unique uuid prefix (8+ characters) or a ref\n"
    "(e.g. a hazard's national reference). Prints its fields, the rows it refers to,\n"
    "the rows that refer to it (items found in a hazard, victims of an accident, ...)\n"
    "and its history from the change log: who changed what, when, and why. A\n"
    "deleted row, by its whole uuid: its last values, who deleted it and why (and a\n"
    "withdrawn field report's proposed hazard, which restore brings back).\n"
    "--no-personal leaves out what export --no-personal leaves out (victims' names\n"
    "and ages, accidents' notes), from the row and from its history.\n";

/* The personal fields of l taken out of object o (a row, a history entry's
 * old or new values). */
static void mask(const dm_layer_def *l, json_t *o)
{
    for (size_t i = 0; o && i < l->n_fields; i++)
        if (dm_field_is_personal(l, &l->fields[i]))
            json_object_del(o, l->fields[i].name);
}

/* At most max characters of s (not bytes: a letter may take two). */
static int utf8_prefix(const char *s, int max)
{
    const char *p = s;
    for (int n = 0; *p && n < max; n++) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80)
            p++;
    }
    return (int)(p - s);
}

/* A few words saying which row c is, for a person: its ref, and the first
 * plain fields of its layer (a status row's status and date), never
 * personal data. Written to out (n bytes). */
static void row_label(const dm_layer_def *l, dm_cursor *c, char *out, size_t n)
{
    size_t used = 0;
    int words = 0;
    out[0] = '\0';
    for (size_t k = 0; k < l->n_fields && words < 3 && used + 1 < n; k++) {
        const dm_field_def *f = &l->fields[k];
        if (f->type == DM_FT_REF || dm_field_is_personal(l, f) || !strcmp(f->name, "notes") ||
            !strcmp(f->name, "reason"))
            continue;
        const char *v = dm_cursor_text(c, f->name);
        if (!v || !v[0])
            continue;
        char num[64];
        if (f->type == DM_FT_REAL) /* 2.87331630611798 m reads 2.87 */
            v = cli_format_real_text(f->name, v, num, sizeof num);
        int w = snprintf(out + used, n - used, "%s%.*s", words ? " " : "", utf8_prefix(v, 30), v);
        if (w < 0)
            break;
        used += (size_t)w < n - used ? (size_t)w : n - used - 1;
        words++;
    }
}

#define LINKS_SHOWN 50

static void print_links_to(dm_ctx *ctx, dm_store *s, const char *uuid, int json, int *first)
{
    /* rows of any layer whose reference fields hold this uuid: all of them
     * in JSON, the first LINKS_SHOWN of each kind in text, and how many more */
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        for (size_t k = 0; k < l->n_fields; k++) {
            if (l->fields[k].type != DM_FT_REF)
                continue;
            const char *f[1] = {l->fields[k].name}, *v[1] = {uuid};
            dm_select sel = {0};
            sel.eq_field = f;
            sel.eq_value = v;
            sel.n_eq = 1;
            sel.limit = json ? 0 : LINKS_SHOWN;
            dm_cursor *c = NULL;
            if (dm_store_select(s, l->name, &sel, &c))
                continue;
            long shown = 0;
            while (dm_cursor_next(c) == 1) {
                if (json) {
                    printf("%s{\"layer\":\"%s\",\"field\":\"%s\",\"uuid\":\"%s\"}",
                           *first ? "" : ",", l->name, l->fields[k].name, dm_cursor_uuid(c));
                } else {
                    char label[128];
                    row_label(l, c, label, sizeof label);
                    printf("  <- %-16s %s %s%s(via %s)\n", l->name, dm_cursor_uuid(c), label,
                           label[0] ? " " : "", l->fields[k].name);
                }
                *first = 0;
                shown++;
            }
            dm_cursor_free(c);
            long total = shown;
            if (!json && shown == LINKS_SHOWN) {
                sel.limit = 0;
                if (dm_store_count(s, l->name, &sel, &total) == DM_OK && total > shown)
                    printf("  <- %-16s ... and %ld more: demine list DB --layer %s --where %s=%s\n", l->name,
                           total - shown, l->name, l->fields[k].name, uuid);
            }
        }
    }
    dm_ctx_clear_error(ctx);
}

/* One line per change: when, who, what, why, and the values that changed. */
static void print_history(const dm_layer_def *l, const char *hist, int no_personal)
{
    json_error_t err;
    json_t *arr = json_loads(hist, 0, &err);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *op = json_string_value(json_object_get(e, "op"));
        const char *reason = json_string_value(json_object_get(e, "reason"));
        printf("  #%lld %s %-8s by %s%s%s\n",
               (long long)json_integer_value(json_object_get(e, "seq")),
               json_string_value(json_object_get(e, "time")), op,
               json_string_value(json_object_get(e, "author")), reason ? ": " : "",
               reason ? reason : "");
        json_t *oldv = json_object_get(e, "old"), *newv = json_object_get(e, "new");
        if (op && !strcmp(op, "update")) {
            const char *key;
            json_t *nv;
            json_object_foreach(newv, key, nv)
            {
                const dm_field_def *f = dm_field_find(l, key);
                if (no_personal && f && dm_field_is_personal(l, f))
                    continue;

                char *a = json_dumps(json_object_get(oldv, key), JSON_ENCODE_ANY);
                char *b = json_dumps(nv, JSON_ENCODE_ANY);
                const char *sa = a ? a : "null", *sb = b ? b : "null";
                char ra[64], rb[64]; /* a real as the row shows it */
                if (json_is_real(json_object_get(oldv, key)))
                    sa = cli_format_real(key, json_real_value(json_object_get(oldv, key)), ra, sizeof ra);
                if (json_is_real(nv))
                    sb = cli_format_real(key, json_real_value(nv), rb, sizeof rb);
                int la = utf8_prefix(sa, 60), lb = utf8_prefix(sb, 60);
                /* a value cut (a geometry's WKT) says so */
                printf("      %s: %.*s%s -> %.*s%s\n", key, la, sa, sa[la] ? "..." : "", lb, sb,
                       sb[lb] ? "..." : "");
                free(a);
                free(b);
            }
        }
    }
    json_decref(arr);
}

/* After a reference field's value: the layer it points into and, when the
 * row is there, which row (its ref and first fields); a dangling link is
 * said so. */
static void print_ref_target(dm_store *s, const dm_field_def *f, const char *val)
{
    const dm_layer_def *tl = dm_layer_find(f->ref_layer);
    const char *ff[1] = {"uuid"}, *vv[1] = {val};
    dm_select sel = {0};
    sel.eq_field = ff;
    sel.eq_value = vv;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    printf("   -> %s", f->ref_layer);
    if (!tl || dm_store_select(s, tl->name, &sel, &c)) {
        dm_ctx_clear_error(dm_store_ctx(s));
        return;
    }
    if (dm_cursor_next(c) == 1) {
        char label[128];
        row_label(tl, c, label, sizeof label);
        if (label[0])
            printf(" %s", label);
    } else {
        /* a ref typed where the uuid goes (in QGIS): say whose, as check does */
        char u[37];
        const dm_layer_def *found = NULL;
        if (tl && dm_store_resolve(s, tl->name, val, &found, u) == DM_OK)
            printf(" (not a uuid: the ref of %s %s; a link holds the uuid, see demine check)", tl->name, u);
        else
            printf(" (no such row: a dangling link, see demine check)");
        dm_ctx_clear_error(dm_store_ctx(s));
    }
    dm_cursor_free(c);
}

/* `show DB UUID` of a row deleted: what it was (the deletion's last values),
 * who deleted it, when and why, and its whole history. -1 when id is no
 * whole uuid of a deleted row (the caller says "no row"), else the exit
 * code. */
static int show_deleted(dm_ctx *ctx, dm_store *s, const char *id, int json, int no_personal)
{
    char uuid[37];
    if (strlen(id) != 36)
        return -1;
    for (int i = 0; i < 36; i++) {
        char ch = (char)tolower((unsigned char)id[i]);
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? ch != '-' : !isxdigit((unsigned char)ch))
            return -1;
        uuid[i] = ch;
    }
    uuid[36] = '\0';
    char *hist = NULL;
    if (dm_store_history_json(s, uuid, &hist))
        return -1;
    json_error_t err;
    json_t *h = json_loads(hist, 0, &err), *last = json_array_get(h, json_array_size(h) - 1);
    const char *op = json_string_value(json_object_get(last, "op"));
    const dm_layer_def *l = dm_layer_find(json_string_value(json_object_get(last, "layer")));
    if (!op || strcmp(op, "delete") || !l) {
        json_decref(h);
        dm_free(ctx, hist);
        return -1;
    }
    dm_ctx_clear_error(ctx);
    json_t *old = json_object_get(last, "old");
    if (no_personal) {
        size_t i;
        json_t *e;
        json_array_foreach(h, i, e)
        {
            mask(l, json_object_get(e, "old"));
            mask(l, json_object_get(e, "new"));
        }
    }
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:b, s:O, s:O}", "layer", l->name, "uuid", uuid, "deleted", 1, "row",
                              old ? old : json_null(), "history", h);
        char *js = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        printf("%s\n", js ? js : "{}");
        free(js);
        json_decref(o);
    } else {
        const char *why = json_string_value(json_object_get(last, "reason"));
        printf("%s %s: DELETED %s by %s%s%s\n", l->name, uuid, json_string_value(json_object_get(last, "time")),
               json_string_value(json_object_get(last, "author")), why ? ": " : "", why ? why : "");
        printf("last values:\n");
        for (size_t i = 0; i < l->n_fields; i++) {
            json_t *v = json_object_get(old, l->fields[i].name);
            if (!v || json_is_null(v) || (no_personal && dm_field_is_personal(l, &l->fields[i])))
                continue;
            char num[64];
            char *t = json_is_string(v) || json_is_real(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
            printf("  %-18s %s\n", l->fields[i].name,
                   t                  ? t
                   : json_is_real(v) ? cli_format_real(l->fields[i].name, json_real_value(v), num, sizeof num)
                                      : json_string_value(v));
            free(t);
        }
        /* a field report's draft: the hazard it proposed, kept with it */
        json_t *kept = json_object_get(old, "report_proposal");
        json_t *feature = json_object_get(kept, "feature");
        if (json_is_object(feature)) {
            const char *by = json_string_value(json_object_get(kept, "author"));
            const char *at = json_string_value(json_object_get(kept, "created"));
            printf("proposed hazard (pending when deleted%s%s%s%s; `demine restore` brings it back with the "
                   "report):\n",
                   by ? ", by " : "", by ? by : "", at ? " at " : "", at ? at : "");
            char *ft = json_dumps(feature, JSON_COMPACT);
            if (ft)
                cli_print_feature_fields(ft);
            free(ft);
        }
        printf("history:\n");
        char *mh = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
        print_history(l, mh ? mh : "[]", no_personal);
        free(mh);
    }
    json_decref(h);
    dm_free(ctx, hist);
    return 0;
}

static int run_show(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {"no-personal", no_argument, 0, 'p'},
                                             {0, 0, 0, 0}};
    int json = 0, c, no_personal = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'p')
            no_personal = 1;
        else if (c == 'h')
            return cli_help(help);
        else
            return 2;
    }
    if (argc - optind != 2)
        return cli_usage_error("show", "expected DB and ID");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "show", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    const dm_layer_def *l = NULL;
    char uuid[37];
    dm_status st = dm_store_resolve(s, NULL, argv[optind + 1], &l, uuid);
    if (st == DM_ENOTFOUND) {
        /* a row deleted: the change log still holds it, by its whole uuid */
        int drc = show_deleted(ctx, s, argv[optind + 1], json, no_personal);
        if (drc >= 0) {
            dm_store_close(s);
            return drc;
        }
    }
    dm_cursor *cur = NULL;
    char *hist = NULL, *row = NULL;
    if (!st) {
        const char *f[1] = {"uuid"}, *v[1] = {uuid};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        st = dm_store_select(s, l->name, &sel, &cur);
    }
    if (!st && dm_cursor_next(cur) != 1)
        st = DM_ENOTFOUND;
    if (!st)
        st = dm_cursor_json(cur, 1, &row);
    if (st && st != DM_ENOMEM && l && l->geom_type) {
        /* a geometry written by another program in a form we cannot read
         * (a SpatiaLite blob): the row without it, said so */
        char why[256];
        snprintf(why, sizeof why, "%s", dm_ctx_errmsg(ctx));
        dm_ctx_clear_error(ctx);
        st = dm_cursor_json(cur, 0, &row);
        if (!st && json)
            fprintf(stderr, "demine show: %s\n", why);
    }
    if (!st)
        st = dm_store_history_json(s, uuid, &hist);
    if (st) {
        rc = cli_fail(ctx, "show", st);
    } else if (json) {
        char *mrow = NULL, *mhist = NULL;
        if (no_personal) {
            json_error_t err;
            json_t *o = json_loads(row, 0, &err), *h = json_loads(hist, 0, &err), *e;
            size_t i;
            mask(l, o);
            json_array_foreach(h, i, e)
            {
                mask(l, json_object_get(e, "old"));
                mask(l, json_object_get(e, "new"));
            }
            mrow = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            mhist = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            json_decref(o);
            json_decref(h);
        }
        printf("{\"layer\":\"%s\",\"row\":%s,\"referenced_by\":[", l->name,
               mrow          ? mrow
               : no_personal ? "{}"
                             : row);
        int first = 1;
        print_links_to(ctx, s, uuid, 1, &first);
        printf("],\"history\":%s}\n", mhist ? mhist : no_personal ? "[]" : hist);
        free(mrow);
        free(mhist);
    } else {
        printf("%s %s\n", l->name, uuid);
        for (size_t i = 0; i < l->n_fields; i++) {
            const char *val = dm_cursor_text(cur, l->fields[i].name);
            if (!val || (no_personal && dm_field_is_personal(l, &l->fields[i])))
                continue;
            char num[64];
            if (l->fields[i].type == DM_FT_REAL) /* 0.661551334964682 m reads 0.66 */
                val = cli_format_real_text(l->fields[i].name, val, num, sizeof num);
            printf("  %-18s %s", l->fields[i].name, val);
            if (l->fields[i].type == DM_FT_REF)
                print_ref_target(s, &l->fields[i], val);
            printf("\n");
        }
        if (l->geom_type) {
            dm_geom *g = NULL;
            if (dm_cursor_geom(cur, &g) == DM_OK && g) {
                double ha = 0, b[4];
                dm_geom_bounds(g, b);
                printf("  %-18s %s", "geometry", dm_geom_type_name(dm_geom_type_of(g)));
                if (dm_geom_area_ha(ctx, g, &ha) == DM_OK && ha > 0)
                    printf(", %.4f ha", ha);
                printf(", bounds %.6f %.6f %.6f %.6f\n", b[0], b[1], b[2], b[3]);
                dm_geom_free(g);
            } else if (dm_ctx_errmsg(ctx)[0]) {
                printf("  %-18s %s\n", "geometry", dm_ctx_errmsg(ctx));
                dm_ctx_clear_error(ctx);
            }
        }
        /* author is the row's last writer, not who created it (the
         * history below names both) */
        printf("  %-18s %s, updated %s by %s\n", "created", dm_cursor_text(cur, "created"),
               dm_cursor_text(cur, "updated"), dm_cursor_text(cur, "author"));
        printf("linked from:\n");
        int first = 1;
        print_links_to(ctx, s, uuid, 0, &first);
        if (first)
            printf("  (nothing)\n");
        printf("history:\n");
        print_history(l, hist, no_personal);
    }
    dm_free(ctx, row);
    dm_free(ctx, hist);
    dm_cursor_free(cur);
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(show, "show", run_show, "show one row, its links and its history")
