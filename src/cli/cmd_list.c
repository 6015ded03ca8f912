/* SPDX-License-Identifier: MIT
 *
 * cmd_list.c -- `demine list DB [--layer L]`: the layers and their row counts,
 * or the rows of one layer, as a table or JSON.
 */
#include "cli.h"
#include "cli_table.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine list DB [LAYER | --layer LAYER] [--where FIELD=VALUE] [--bbox W,S,E,N]\n"
    "                      [--limit N] [--offset N] [--json] [--no-personal]\n"
    "       demine list DB --deleted [LAYER] [--limit N] [--offset N] [--json | --uuids]\n\n"
    "Without a layer: every layer with its number of rows. With one: its rows\n"
    "(uuid, main fields); --json prints them whole (GeoJSON geometry included).\n"
    "--where takes a value as edit does (status=OPEN, hazard_id=REF); an empty value\n"
    "matches rows without one. --limit 0 means no limit. --no-personal leaves out\n"
    "what export --no-personal leaves out (victims' names and ages, accidents' notes).\n"
    "--deleted lists the rows deleted and not put back since, by demine or in\n"
    "another program (QGIS), newest first: when, by whom, why; the outputs of\n"
    "plan, records verify and patterns, which their next run replaces, only when\n"
    "their layer is named. `demine restore DB UUID --reason R` puts one back;\n"
    "--uuids prints the uuids alone, one a line, and `demine list DB --deleted\n"
    "--uuids | demine restore DB - --reason R` puts them all back.\n";

/* v after two spaces in a column of width characters (see cli_print_cell). */
static void print_cell(const char *v, int width)
{
    printf("  ");
    cli_print_cell(v, width);
}

/* js without the personal fields of layer l. */
static void print_masked(const dm_layer_def *l, const char *js, const char *sep)
{
    json_error_t err;
    json_t *o = json_loads(js, 0, &err);
    if (!o) {
        printf("%s%s\n", sep, js);
        return;
    }
    for (size_t i = 0; i < l->n_fields; i++)
        if (dm_field_is_personal(l, &l->fields[i]))
            json_object_del(o, l->fields[i].name);
    char *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("%s%s\n", sep, out ? out : "{}");
    free(out);
    json_decref(o);
}

/* The width of field f's column: its name, and for a closed list of values
 * the longest of them (so `partly_released` is not cut); free text 24
 * characters (a ref 14), numbers and dates 12. */
static int cell_width(const dm_field_def *f)
{
    int w = (int)strlen(f->name);
    int want = 12;
    if ((f->type == DM_FT_ENUM || f->type == DM_FT_ENUMSET) && f->values) {
        want = 0;
        for (const char *p = f->values; *p;) {
            size_t n = strcspn(p, "|");
            if ((int)n > want)
                want = (int)n;
            p += n + (p[n] == '|');
        }
        if (f->type == DM_FT_ENUMSET && want < 14)
            want = 14; /* several values: AP,AT,UXO */
    } else if (f->type == DM_FT_TEXT)
        want = strcmp(f->name, "ref") ? 24 : 14;
    return w > want ? w : want;
}

/* The rows deleted and not restored since, of layer (NULL: all). */
static dm_status list_deleted(dm_store *s, const char *db, const char *layer, long limit, long offset,
                              int json, int uuids)
{
    char *js = NULL;
    /* without a layer named, the rows people deleted: not the outputs of
     * analyses, which their next run deletes and writes anew (a plan's
     * tasks, record matches, predicted mines; restored, two plans would be
     * mixed) */
    static const char *const outputs[] = {"plan_tasks", "record_matches", "predicted_mines"};
    const char *names[128];
    size_t n_names = 0;
    if (layer)
        names[n_names++] = layer;
    else
        for (size_t i = 0; i < dm_layer_count() && n_names < sizeof names / sizeof *names; i++) {
            const char *name = dm_layer_at(i)->name;
            int output = 0;
            for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
                output |= !strcmp(name, outputs[k]);
            if (!output)
                names[n_names++] = name;
        }
    dm_status st = dm_store_deleted_json_in(s, names, n_names, limit, offset, &js);
    if (st)
        return st;
    if (json) {
        printf("%s\n", js);
        dm_free(dm_store_ctx(s), js);
        return DM_OK;
    }
    json_t *root = json_loads(js, 0, NULL), *rows = json_object_get(root, "deleted"), *r;
    dm_free(dm_store_ctx(s), js);
    size_t i, n = json_array_size(rows);
    if (uuids) {
        json_array_foreach(rows, i, r) printf("%s\n", json_string_value(json_object_get(r, "uuid")));
        json_decref(root);
        return DM_OK;
    }
    if (n)
        printf("%-24s  %-16s  %-14s  %-36s  %-24s  %s\n", "DELETED", "BY", "LAYER", "UUID", "ROW", "REASON");
    json_array_foreach(rows, i, r)
    {
        const char *ref = json_string_value(json_object_get(r, "ref"));
        const char *label = json_string_value(json_object_get(r, "label"));
        const char *reason = json_string_value(json_object_get(r, "reason"));
        printf("%-24s  ", json_string_value(json_object_get(r, "time")));
        cli_print_cell(json_string_value(json_object_get(r, "author")), 16);
        printf("  %-14s  %-36s  ", json_string_value(json_object_get(r, "layer")),
               json_string_value(json_object_get(r, "uuid")));
        cli_print_cell(label && *label ? label : ref ? ref : "-", 24);
        printf("  %s\n", reason ? reason : "-");
    }
    long total = (long)json_integer_value(json_object_get(root, "total"));
    if (!n)
        printf("no row deleted%s%s and not restored since\n", layer ? " in " : "", layer ? layer : "");
    else {
        printf("%zu of %ld deleted", n, total);
        json_t *next = json_object_get(root, "next_offset");
        if (next)
            printf(" (more with --offset %lld)", (long long)json_integer_value(next));
        printf("; put one back with: demine restore %s UUID --reason \"...\"\n", db);
    }
    json_decref(root);
    return DM_OK;
}

/* The fields worth a column in the table view of a layer. */
static void key_fields(const dm_layer_def *l, const char **out, int *n)
{
    *n = 0;
    for (size_t i = 0; i < l->n_fields && *n < 5; i++) {
        const dm_field_def *f = &l->fields[i];
        if (f->type == DM_FT_REF || dm_field_is_personal(l, f) || !strcmp(f->name, "notes"))
            continue;
        out[(*n)++] = f->name;
    }
}

static int run_list(dm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"layer", required_argument, 0, 'l'},
                                             {"limit", required_argument, 0, 'n'},
                                             {"offset", required_argument, 0, 'o'},
                                             {"json", no_argument, 0, 'j'},
                                             {"where", required_argument, 0, 'w'},
                                             {"bbox", required_argument, 0, 'b'},
                                             {"help", no_argument, 0, 'h'},
                                             {"no-personal", no_argument, 0, 'p'},
                                             {"deleted", no_argument, 0, 'd'},
                                             {"uuids", no_argument, 0, 'u'},
                                             {0, 0, 0, 0}};
    const char *layer = NULL;
    long limit = 0, offset = 0;
    int json = 0, c, no_personal = 0, deleted = 0, uuids = 0;
    cli_filter filt = {0};
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            layer = optarg;
            break;
        case 'n':
            if (!cli_parse_long("list", "--limit", optarg, &limit))
                return 2;
            if (limit < 0)
                return cli_usage_error("list", "--limit must be 0 (no limit) or more, got %ld",
                                       limit);
            break;
        case 'o':
            if (!cli_parse_long("list", "--offset", optarg, &offset))
                return 2;
            if (offset < 0)
                return cli_usage_error("list", "--offset must be 0 or more, got %ld", offset);
            break;
        case 'j':
            json = 1;
            break;
        case 'p':
            no_personal = 1;
            break;
        case 'd':
            deleted = 1;
            break;
        case 'u':
            uuids = 1;
            break;
        case 'w':
            if (cli_filter_where("list", &filt, optarg))
                return 2;
            break;
        case 'b':
            if (cli_filter_bbox("list", &filt, optarg))
                return 2;
            break;
        case 'h':
            return cli_help(help);
        default:
            return 2;
        }
    }
    /* `list DB LAYER`, as one would say it, is `list DB --layer LAYER` */
    if (argc - optind == 2) {
        if (layer && strcmp(layer, argv[optind + 1]))
            return cli_usage_error("list", "two layers named: '%s' and --layer %s", argv[optind + 1],
                                   layer);
        layer = argv[optind + 1];
    } else if (argc - optind > 2)
        return cli_usage_error("list", "expected DB and at most one LAYER, got %d arguments",
                               argc - optind);
    else if (argc - optind != 1)
        return cli_usage_error("list", "expected DB");
    if (uuids && (!deleted || json))
        return cli_usage_error("list", "--uuids goes with --deleted, without --json");
    if (deleted && (filt.n || filt.have_bbox))
        return cli_usage_error("list", "--deleted takes no --where or --bbox: the rows are gone from their layer");
    if (deleted && layer && !dm_layer_find(layer))
        return cli_usage_error("list", "unknown layer '%s'", layer);
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "list", argv[optind], DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_status st = DM_OK;
    if (deleted)
        st = list_deleted(s, argv[optind], layer ? dm_layer_find(layer)->name : NULL, limit, offset, json, uuids);
    else if (!layer) {
        if (json)
            printf("{");
        for (size_t i = 0; i < dm_layer_count() && !st; i++) {
            const dm_layer_def *l = dm_layer_at(i);
            long n = 0;
            st = dm_store_count(s, l->name, NULL, &n);
            if (json)
                printf("%s\"%s\":%ld", i ? "," : "", l->name, n);
            else
                printf("%-18s %8ld  %s\n", l->name, n, l->title);
        }
        if (json)
            printf("}\n");
    } else {
        const dm_layer_def *l = dm_layer_find(layer);
        dm_select sel = {0};
        sel.limit = limit;
        sel.offset = offset;
        cli_filter_select(&filt, &sel);
        dm_cursor *cur = NULL;
        st = dm_store_select(s, layer, &sel, &cur);
        if (!st) {
            const char *keys[5];
            int nk = 0, widths[5];
            key_fields(l, keys, &nk);
            for (int k = 0; k < nk; k++)
                widths[k] = cell_width(dm_field_find(l, keys[k]));
            if (json)
                printf("[");
            else {
                printf("%-36s", "uuid");
                for (int k = 0; k < nk; k++)
                    print_cell(keys[k], widths[k]);
                printf("\n");
            }
            int r, first = 1;
            while ((r = dm_cursor_next(cur)) == 1) {
                if (json) {
                    char *js = NULL;
                    if ((st = dm_cursor_json(cur, 1, &js)))
                        break;
                    if (no_personal)
                        print_masked(l, js, first ? "" : ",");
                    else
                        printf("%s%s\n", first ? "" : ",", js);
                    dm_free(ctx, js);
                } else {
                    printf("%-36s", dm_cursor_uuid(cur));
                    for (int k = 0; k < nk; k++) {
                        const char *v = dm_cursor_text(cur, keys[k]);
                        char num[64]; /* an offset of 0.661551334964682 m reads 0.66 */
                        if (v && dm_field_find(l, keys[k])->type == DM_FT_REAL)
                            v = cli_format_real_text(keys[k], v, num, sizeof num);
                        print_cell(v ? v : "-", widths[k]);
                    }
                    printf("\n");
                }
                first = 0;
            }
            if (r < 0)
                st = dm_ctx_errcode(ctx);
            if (json)
                printf("]\n");
            dm_cursor_free(cur);
            /* nothing passed a --where: the value meant, or those there are
             * (on stderr: the JSON stays an empty list) */
            if (!st && first && filt.n && offset == 0)
                cli_filter_explain(s, "list", layer, &filt);
        }
    }
    if (st)
        rc = cli_fail(ctx, "list", st);
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(list, "list", run_list, "list layers, or the rows of one layer")
