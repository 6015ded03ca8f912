/* SPDX-License-Identifier: MIT
 *
 * test_form.c -- `demine form`: the XLSForm of every layer a team fills in,
 * read back with GDAL and held to the rules an XLSForm validator (pyxform)
 * applies, and to the data model it comes from; and the round trip: an
 * export of the form as KoboToolbox writes it imports into the layer with
 * no --map, its values intact, the victims of an accident linked to it.
 */
#include "dmtest.h"

#include "demine/dm_form.h"
#include "io/io_internal.h" /* dm__form_date_helper: the pickers of an approximate date */

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------- a workbook read back ----------------------- */

#define MAXR 160
#define MAXC 24

typedef struct xsheet {
    int ncols, nrows;
    char col[MAXC][64];
    char *cell[MAXR][MAXC];
} xsheet;

typedef struct xbook {
    int nsheets;
    char names[8][32];
    xsheet sheet[8];
} xbook;

/* Every sheet of the .xlsx at path, its first row the column names (as
 * pyxform reads it). */
static void read_book(const char *path, xbook *b)
{
    memset(b, 0, sizeof *b);
    GDALAllRegister();
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "FORCE");
    const char *drivers[] = {"XLSX", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    ASSERT_MSG(ds, "%s does not open as XLSX", path);
    b->nsheets = GDALDatasetGetLayerCount(ds);
    ASSERT(b->nsheets <= 8);
    for (int i = 0; i < b->nsheets; i++) {
        OGRLayerH ol = GDALDatasetGetLayer(ds, i);
        xsheet *s = &b->sheet[i];
        snprintf(b->names[i], sizeof b->names[i], "%s", OGR_L_GetName(ol));
        OGRFeatureDefnH fd = OGR_L_GetLayerDefn(ol);
        s->ncols = OGR_FD_GetFieldCount(fd);
        ASSERT(s->ncols <= MAXC);
        for (int c = 0; c < s->ncols; c++)
            snprintf(s->col[c], sizeof s->col[c], "%s",
                     OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, c)));
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(ol)) != NULL) {
            ASSERT(s->nrows < MAXR);
            for (int c = 0; c < s->ncols; c++) {
                const char *v =
                    OGR_F_IsFieldSetAndNotNull(f, c) ? OGR_F_GetFieldAsString(f, c) : "";
                s->cell[s->nrows][c] = *v ? strdup(v) : NULL;
            }
            s->nrows++;
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
}

static void book_free(xbook *b)
{
    for (int i = 0; i < b->nsheets; i++)
        for (int r = 0; r < b->sheet[i].nrows; r++)
            for (int c = 0; c < b->sheet[i].ncols; c++)
                free(b->sheet[i].cell[r][c]);
}

static const xsheet *sheet_of(const xbook *b, const char *name)
{
    for (int i = 0; i < b->nsheets; i++)
        if (!strcmp(b->names[i], name))
            return &b->sheet[i];
    return NULL;
}

static int col_at(const xsheet *s, const char *col)
{
    for (int c = 0; c < s->ncols; c++)
        if (!strcmp(s->col[c], col))
            return c;
    return -1;
}

/* The cell of row r in column col; "" when empty or no such column. */
static const char *cell(const xsheet *s, int r, const char *col)
{
    int c = col_at(s, col);
    return c < 0 || !s->cell[r][c] ? "" : s->cell[r][c];
}

/* ------------------------- the XLSForm rules ------------------------- */

/* An XML name as XLSForm wants a question's: a letter or '_', then
 * letters, digits, '_', '-', '.'. */
static int xml_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static const char *lang_cols_en[] = {"label", NULL};
static const char *lang_cols_both[] = {"label::English (en)", "label::Azərbaycanca (az)", NULL};

/* The list of a select question ("select_one sex": "sex"), or NULL. */
static const char *select_list(const char *type, int *multiple)
{
    *multiple = 0;
    if (!strncmp(type, "select_one ", 11))
        return type + 11;
    if (!strncmp(type, "select_multiple ", 16)) {
        *multiple = 1;
        return type + 16;
    }
    return NULL;
}

/* The values of list in the choices sheet as "a|b|c". */
static void list_values(const xsheet *ch, const char *list, char *out, size_t n)
{
    out[0] = '\0';
    for (int r = 0; ch && r < ch->nrows; r++)
        if (!strcmp(cell(ch, r, "list_name"), list)) {
            size_t len = strlen(out);
            snprintf(out + len, n - len, "%s%s", len ? "|" : "", cell(ch, r, "name"));
        }
}

/* The XLSForm at path for layer l, written in lang, held to the rules of
 * the standard and to the model. Returns the number of questions. */
static int check_xlsform(const char *path, const dm_layer_def *l, dm_form_lang lang)
{
    xbook b;
    read_book(path, &b);
    const xsheet *sv = sheet_of(&b, "survey"), *ch = sheet_of(&b, "choices"),
                 *st = sheet_of(&b, "settings");
    ASSERT_MSG(sv && st, "%s: no survey or settings sheet", path);
    for (int i = 0; i < b.nsheets; i++)
        ASSERT_MSG(!strcmp(b.names[i], "survey") || !strcmp(b.names[i], "choices") ||
                       !strcmp(b.names[i], "settings"),
                   "%s: sheet %s is none of XLSForm's", path, b.names[i]);
    const char **labels = lang == DM_FORM_BOTH ? lang_cols_both : lang_cols_en;
    /* the columns: mandatory ones there, and every one a column of the standard */
    ASSERT(col_at(sv, "type") >= 0 && col_at(sv, "name") >= 0);
    for (int k = 0; labels[k]; k++)
        ASSERT_MSG(col_at(sv, labels[k]) >= 0, "%s: survey has no column %s", path, labels[k]);
    if (lang == DM_FORM_BOTH)
        ASSERT_MSG(col_at(sv, "label") < 0, "%s: a plain label beside the translated ones", path);
    static const char *known[] = {
        "type",       "name",     "label", "hint", "required", "constraint", "constraint_message",
        "appearance", "relevant", "default", "calculation", NULL};
    for (int c = 0; c < sv->ncols; c++) {
        char base[64];
        snprintf(base, sizeof base, "%s", sv->col[c]);
        char *sep = strstr(base, "::");
        if (sep) {
            ASSERT_MSG(!strcmp(sep + 2, "English (en)") || !strcmp(sep + 2, "Azərbaycanca (az)"),
                       "%s: column %s: unknown language", path, sv->col[c]);
            *sep = '\0';
        }
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= !strcmp(base, known[k]);
        ASSERT_MSG(ok, "%s: survey column %s is not an XLSForm column", path, sv->col[c]);
    }
    if (ch) {
        ASSERT(col_at(ch, "list_name") >= 0 && col_at(ch, "name") >= 0);
        for (int k = 0; labels[k]; k++)
            ASSERT_MSG(col_at(ch, labels[k]) >= 0, "%s: choices has no column %s", path, labels[k]);
        /* every choice named and labelled, once in its list */
        for (int r = 0; r < ch->nrows; r++) {
            ASSERT(*cell(ch, r, "list_name") && *cell(ch, r, "name"));
            ASSERT_MSG(xml_name(cell(ch, r, "list_name")), "list name %s",
                       cell(ch, r, "list_name"));
            for (int k = 0; labels[k]; k++)
                ASSERT_MSG(*cell(ch, r, labels[k]), "%s: choice %s has no %s", path,
                           cell(ch, r, "name"), labels[k]);
            for (int q = 0; q < r; q++)
                ASSERT_MSG(strcmp(cell(ch, q, "list_name"), cell(ch, r, "list_name")) ||
                               strcmp(cell(ch, q, "name"), cell(ch, r, "name")),
                           "%s: choice %s twice in %s", path, cell(ch, r, "name"),
                           cell(ch, r, "list_name"));
        }
    }
    /* the questions */
    static const char *types[] = {"text",     "integer",      "decimal",    "date",
                                  "geopoint", "geotrace",     "geoshape",   "start",
                                  "end",      "begin repeat", "end repeat", "calculate", NULL};
    int depth = 0, questions = 0, geoms = 0;
    const dm_layer_def *in = l;
    const dm_layer_def *victims = dm_layer_find("victims");
    size_t seen_main = 0;
    for (int r = 0; r < sv->nrows; r++) {
        const char *type = cell(sv, r, "type"), *name = cell(sv, r, "name");
        int multiple = 0;
        const char *list = select_list(type, &multiple);
        int ok = list != NULL;
        for (int k = 0; types[k] && !ok; k++)
            ok = !strcmp(type, types[k]);
        ASSERT_MSG(ok, "%s: row %d: type '%s' is not an XLSForm type", path, r + 2, type);
        if (!strcmp(type, "end repeat")) {
            ASSERT_MSG(depth == 1, "%s: end repeat without a begin", path);
            depth--;
            in = l;
            continue;
        }
        ASSERT_MSG(*name && xml_name(name), "%s: row %d: name '%s' is not an XML name", path, r + 2,
                   name);
        for (int q = 0; q < r; q++)
            ASSERT_MSG(strcmp(cell(sv, q, "name"), name), "%s: name %s twice", path, name);
        const char *req = cell(sv, r, "required");
        ASSERT_MSG(!*req || !strcmp(req, "yes"), "%s: required '%s'", path, req);
        if (!strcmp(type, "start") || !strcmp(type, "end")) {
            ASSERT(!strcmp(name, type)); /* metadata: no label */
            continue;
        }
        /* a date known to the month or the year: how well, a picker for
         * each answer (shown by it), and the field calculated from them */
        if (in == l && dm__form_date_helper(l, name)) {
            for (int k = 0; labels[k]; k++)
                ASSERT_MSG(*cell(sv, r, labels[k]), "%s: %s has no %s", path, name, labels[k]);
            const char *app = cell(sv, r, "appearance");
            questions++;
            if (!strcmp(type, "date")) {
                ASSERT_MSG(!strncmp(cell(sv, r, "relevant"), "${", 2), "%s: %s shown always", path, name);
                ASSERT_CONTAINS(cell(sv, r, "constraint"), ". <= today()");
                ASSERT_MSG(!*app || !strcmp(app, "month-year") || !strcmp(app, "year"), "%s: %s: %s", path,
                           name, app);
            } else {
                ASSERT_MSG(list && !strcmp(list, "date_known"), "%s: %s is a %s", path, name, type);
                ASSERT_STREQ(cell(sv, r, "default"), "day");
            }
            continue;
        }
        if (!strcmp(type, "calculate")) {
            const dm_field_def *cf = dm_field_find(in, name);
            ASSERT_MSG(cf && cf->type == DM_FT_DATE && in == l, "%s: %s calculated", path, name);
            ASSERT_CONTAINS(cell(sv, r, "calculation"), "_year}, 0, 4)");
            seen_main++;
            continue;
        }
        for (int k = 0; labels[k]; k++)
            ASSERT_MSG(*cell(sv, r, labels[k]), "%s: %s has no %s", path, name, labels[k]);
        if (!strcmp(type, "begin repeat")) {
            ASSERT_MSG(depth == 0, "%s: a repeat in a repeat", path);
            ASSERT_STREQ(l->name, "accidents");
            ASSERT_STREQ(name, "victims"); /* KoboToolbox names the sheet so */
            depth++;
            in = victims;
            continue;
        }
        questions++;
        /* the model: the question is a field of the layer, or its geometry */
        if (!strcmp(name, "geometry")) {
            ASSERT(in == l && l->geom_type);
            const char *want = !strcmp(l->geom_type, "POINT")          ? "geopoint"
                               : !strcmp(l->geom_type, "LINESTRING")   ? "geotrace"
                               : !strcmp(l->geom_type, "MULTIPOLYGON") ? "geoshape"
                                                                       : "geopoint";
            ASSERT_MSG(!strcmp(type, want), "%s: geometry is a %s, not a %s", path, type, want);
            ASSERT_EQ(!strcmp(req, "yes"), l->geom_required);
            geoms++;
            continue;
        }
        const dm_field_def *fd = dm_field_find(in, name);
        ASSERT_MSG(fd, "%s: question %s is no field of %s", path, name, in->name);
        ASSERT_MSG(!(fd->flags & DM_FIELD_COMPUTED), "%s: %s is computed", path, name);
        ASSERT_MSG(strcmp(fd->name, "accident_id") || in == l, "%s: a victim's link is asked",
                   path);
        if (in == l)
            seen_main++;
        ASSERT_MSG(!strcmp(req, "yes") == !!(fd->flags & DM_FIELD_REQUIRED), "%s: %s required '%s'",
                   path, name, req);
        const char *want = NULL;
        switch (fd->type) {
        case DM_FT_TEXT:
        case DM_FT_REF:
            want = "text";
            break;
        case DM_FT_INT:
            want = "integer";
            break;
        case DM_FT_REAL:
            want = "decimal";
            break;
        case DM_FT_DATE:
            want = "date";
            break;
        default:
            break;
        }
        if (want)
            ASSERT_MSG(!strcmp(type, want), "%s: %s is a %s, not a %s", path, name, type, want);
        else {
            ASSERT_MSG(list, "%s: %s (a list) is a %s", path, name, type);
            ASSERT_EQ(multiple, fd->type == DM_FT_ENUMSET);
            char vals[512];
            list_values(ch, list, vals, sizeof vals);
            /* the list exists and holds exactly the values the import takes */
            ASSERT_MSG(*vals, "%s: list %s of %s is not in choices", path, list, name);
            ASSERT_STREQ(vals, fd->type == DM_FT_BOOL ? "yes|no" : fd->values);
            ASSERT_MSG(!multiple || !strchr(vals, ' '), "%s: a select_multiple choice with a space",
                       path);
        }
        /* a number's range as its constraint, in numbers XPath reads */
        const char *cons = cell(sv, r, "constraint");
        if ((fd->type == DM_FT_INT || fd->type == DM_FT_REAL) && fd->min < fd->max) {
            double lo = NAN, hi = NAN;
            ASSERT_MSG(sscanf(cons, ". >= %lf and . <= %lf", &lo, &hi) == 2,
                       "%s: %s constraint '%s'", path, name, cons);
            ASSERT(lo == fd->min && hi == fd->max);
            ASSERT_MSG(!strchr(cons, 'e'), "%s: %s: an exponent in '%s'", path, name, cons);
        } else if (fd->type == DM_FT_DATE)
            ASSERT_CONTAINS(cons, ". <= today()");
        else
            ASSERT_MSG(!*cons, "%s: %s has a constraint '%s'", path, name, cons);
        const char *app = cell(sv, r, "appearance");
        ASSERT_MSG(!*app || (!strcmp(app, "multiline") && !strcmp(type, "text")) ||
                       (!strcmp(app, "minimal") && list),
                   "%s: %s: appearance %s for a %s", path, name, app, type);
    }
    ASSERT_EQ(depth, 0);
    ASSERT_EQ(geoms, l->geom_type ? 1 : 0);
    /* every field a team records is asked (an activity's review state is not) */
    size_t want_main = 0;
    for (size_t i = 0; i < l->n_fields; i++)
        want_main += !(l->fields[i].flags & DM_FIELD_COMPUTED) &&
                     !(!strcmp(l->name, "activities") && !strcmp(l->fields[i].name, "status"));
    ASSERT_EQ(seen_main, want_main);
    /* every list a question uses */
    for (int r = 0; ch && r < ch->nrows; r++) {
        int used = 0, m;
        for (int q = 0; q < sv->nrows && !used; q++) {
            const char *lst = select_list(cell(sv, q, "type"), &m);
            used = lst && !strcmp(lst, cell(ch, r, "list_name"));
        }
        ASSERT_MSG(used, "%s: list %s unused", path, cell(ch, r, "list_name"));
    }
    /* settings */
    ASSERT_EQ(st->nrows, 1);
    ASSERT(*cell(st, 0, "form_title"));
    ASSERT(xml_name(cell(st, 0, "form_id")));
    const char *v = cell(st, 0, "version");
    ASSERT_MSG(*v && strlen(v) <= 10 && strspn(v, "0123456789") == strlen(v), "version '%s'", v);
    if (lang == DM_FORM_BOTH)
        ASSERT_STREQ(cell(st, 0, "default_language"), "English (en)");
    book_free(&b);
    return questions;
}

/* Is layer l one a team fills in (demine writes the others: the plan, the
 * demo's truth, and those of computed fields and references alone)? */
static int form_layer(const dm_layer_def *l)
{
    if (l->flags & (DM_LAYER_SYSTEM | DM_LAYER_TRUTH))
        return 0;
    int computed = 0;
    for (size_t i = 0; i < l->n_fields; i++) {
        if (!(l->fields[i].flags & DM_FIELD_COMPUTED) && l->fields[i].type != DM_FT_REF)
            return 1;
        computed |= !!(l->fields[i].flags & DM_FIELD_COMPUTED);
    }
    return !computed;
}

TEST(form_of_every_layer_follows_the_xlsform_rules_and_the_model)
{
    dm_ctx *ctx = dmtest_ctx();
    static const dm_form_lang langs[] = {DM_FORM_EN, DM_FORM_AZ, DM_FORM_BOTH};
    int forms = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        for (size_t k = 0; k < 3; k++) {
            char name[96];
            snprintf(name, sizeof name, "%s-%zu.xlsx", l->name, k);
            dm_form_opts o = {.lang = langs[k], .version = "2024050101"};
            dm_form_result r;
            dm_status st = dm_form_write(ctx, l->name, dmtest_path(name), &o, &r);
            if (!form_layer(l)) {
                ASSERT_STATUS(DM_EINVAL, st);
                ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "written by demine");
                dm_ctx_clear_error(ctx);
                continue;
            }
            ASSERT_OK(st);
            int q = check_xlsform(dmtest_path(name), l, langs[k]);
            ASSERT_EQ(q, r.questions);
            forms++;
        }
    }
    ASSERT_EQ(forms, 3 * 20);
}

/* The Azerbaijani form is in Azerbaijani: every label and choice of the
 * field layers differs from the English one but for names alike in both
 * (Sensor, Operator, M2). */
TEST(form_in_azerbaijani_has_its_own_words)
{
    dm_ctx *ctx = dmtest_ctx();
    static const char *alike[] = {"Sensor", "Operator", "M2", "M3", "Lidar", NULL};
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!form_layer(l))
            continue;
        char path[96];
        snprintf(path, sizeof path, "%s-both.xlsx", l->name);
        dm_form_opts o = {.lang = DM_FORM_BOTH};
        ASSERT_OK(dm_form_write(ctx, l->name, dmtest_path(path), &o, NULL));
        xbook b;
        read_book(dmtest_path(path), &b);
        const char *sheets[] = {"survey", "choices"};
        for (int s = 0; s < 2; s++) {
            const xsheet *x = sheet_of(&b, sheets[s]);
            for (int r = 0; x && r < x->nrows; r++) {
                const char *en = cell(x, r, "label::English (en)"),
                           *az = cell(x, r, "label::Azərbaycanca (az)");
                int same_ok = 0;
                for (int k = 0; alike[k]; k++)
                    same_ok |= !strcmp(en, alike[k]);
                ASSERT_MSG(!*en || strcmp(en, az) || same_ok, "%s: '%s' has no Azerbaijani label",
                           l->name, en);
                const char *hen = cell(x, r, "hint::English (en)"),
                           *haz = cell(x, r, "hint::Azərbaycanca (az)");
                ASSERT_MSG(!*hen || (*haz && strcmp(hen, haz)) || !strncmp(hen, "e.g.", 4),
                           "%s: hint '%s' has no Azerbaijani", l->name, hen);
            }
        }
        book_free(&b);
    }
    /* and the form's title */
    ASSERT_OK(dm_form_write(ctx, "accidents", dmtest_path("acc-az.xlsx"),
                            &(dm_form_opts){.lang = DM_FORM_AZ}, NULL));
    xbook b;
    read_book(dmtest_path("acc-az.xlsx"), &b);
    ASSERT_STREQ(cell(sheet_of(&b, "settings"), 0, "form_title"), "Mina hadisələri");
    ASSERT_STREQ(cell(sheet_of(&b, "survey"), 5, "label"), "Hadisənin tarixi (gün, ay və il)");
    book_free(&b);
}

/* ------------------------ a KoboToolbox export ------------------------ */

/* The value a team enters for field fd of layer l, from the form's own
 * choices for a list; refs name the rows made before. */
static void sample(const dm_layer_def *l, const dm_field_def *fd, const xsheet *ch,
                   const char *list, const char *sensor, const char *accident, char *out, size_t n)
{
    out[0] = '\0';
    if (list) {
        /* the second choice (the first of a one-letter code would do too),
         * the third for a status changed to, two for a set */
        int want = !strcmp(fd->name, "to_status") ? 2 : 1, k = 0;
        for (int r = 0; r < ch->nrows; r++) {
            if (strcmp(cell(ch, r, "list_name"), list))
                continue;
            if (fd->type == DM_FT_ENUMSET && k < 2) {
                size_t len = strlen(out);
                snprintf(out + len, n - len, "%s%s", len ? " " : "", cell(ch, r, "name"));
            } else if (fd->type != DM_FT_ENUMSET &&
                       (k == want || (k == 0 && fd->type == DM_FT_BOOL)))
                snprintf(out, n, "%s", cell(ch, r, "name"));
            k++;
        }
        if (!*out) /* a list of one */
            for (int r = 0; r < ch->nrows && !*out; r++)
                if (!strcmp(cell(ch, r, "list_name"), list))
                    snprintf(out, n, "%s", cell(ch, r, "name"));
        return;
    }
    switch (fd->type) {
    case DM_FT_INT:
        snprintf(out, n, "%d",
                 fd->min < fd->max && (2 < fd->min || 2 > fd->max) ? (int)fd->min : 2);
        break;
    case DM_FT_REAL:
        snprintf(out, n, "%g",
                 fd->min < fd->max && (1.5 < fd->min || 1.5 > fd->max) ? (fd->min + fd->max) / 2
                                                                       : 1.5);
        break;
    case DM_FT_DATE:
        snprintf(out, n, "%s", !strcmp(fd->name, "start_date") ? "2024-04-28" : "2024-04-30");
        break;
    case DM_FT_REF:
        if (!strcmp(fd->ref_layer, "hazards"))
            snprintf(out, n, "AGD-SHA-0042");
        else if (!strcmp(fd->ref_layer, "activities"))
            snprintf(out, n, "T-0042");
        else if (!strcmp(fd->ref_layer, "records"))
            snprintf(out, n, "R-0042");
        else if (!strcmp(fd->ref_layer, "flights"))
            snprintf(out, n, "F-0042");
        else if (!strcmp(fd->ref_layer, "sensors"))
            snprintf(out, n, "%s", sensor);
        else if (!strcmp(fd->ref_layer, "accidents"))
            snprintf(out, n, "%s", accident);
        break;
    default:
        if (!strcmp(fd->name, "ref"))
            snprintf(out, n, "%s-0099", !strcmp(l->name, "hazards") ? "AGD-SHA" : l->name);
        else if (!strcmp(fd->name, "mine_types"))
            snprintf(out, n, "TM-62:40;PMN-2:120");
        else
            snprintf(out, n, "%s of Ağdam", fd->name);
    }
}

/* A column of the export: its name, OGR type, and value. */
typedef struct xcol {
    char name[64];
    OGRFieldType type;
    char value[128];
} xcol;

static void add_xcol(xcol *c, int *n, const char *name, OGRFieldType type, const char *value)
{
    ASSERT(*n < 64);
    snprintf(c[*n].name, sizeof c[*n].name, "%s", name);
    c[*n].type = type;
    snprintf(c[*n].value, sizeof c[*n].value, "%s", value);
    (*n)++;
}

/* A sheet of one row with columns c into ds, as KoboToolbox's XLS export
 * writes it: numbers as numbers, dates as dates, the rest text. */
static void write_xsheet(GDALDatasetH ds, const char *name, const xcol *c, int n, int rows)
{
    OGRLayerH ol = GDALDatasetCreateLayer(ds, name, NULL, wkbNone, NULL);
    ASSERT(ol);
    for (int k = 0; k < n; k++) {
        OGRFieldDefnH f = OGR_Fld_Create(c[k].name, c[k].type);
        ASSERT(OGR_L_CreateField(ol, f, TRUE) == OGRERR_NONE);
        OGR_Fld_Destroy(f);
    }
    for (int r = 0; r < rows; r++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(ol));
        for (int k = 0; k < n; k++) {
            const char *v = c[r * n + k].value;
            if (!*v)
                continue;
            if (c[k].type == OFTDate) {
                int y, m, d;
                ASSERT(sscanf(v, "%d-%d-%d", &y, &m, &d) == 3);
                OGR_F_SetFieldDateTime(f, k, y, m, d, 0, 0, 0, 0);
            } else
                OGR_F_SetFieldString(f, k, v);
        }
        ASSERT(OGR_L_CreateFeature(ol, f) == OGRERR_NONE);
        OGR_F_Destroy(f);
    }
}

static OGRFieldType ogr_type_of(const char *form_type)
{
    if (!strcmp(form_type, "integer"))
        return OFTInteger;
    if (!strcmp(form_type, "decimal"))
        return OFTReal;
    if (!strcmp(form_type, "date"))
        return OFTDate;
    return OFTString;
}

/* The columns of the main sheet (or, with repeat, of the repeat group's
 * rows: "victims/sex") for the questions of the form, with the values a
 * team entered, and KoboToolbox's own columns. */
static int export_cols(const dm_layer_def *l, const xsheet *sv, const xsheet *ch, int repeat,
                       const char *uuid, const char *sensor, const char *accident, xcol *c)
{
    int n = 0, in_repeat = 0;
    const dm_layer_def *victims = dm_layer_find("victims");
    if (!repeat) {
        add_xcol(c, &n, "start", OFTString, "2024-04-30T08:00:00.000+04:00");
        add_xcol(c, &n, "end", OFTString, "2024-04-30T08:20:00.000+04:00");
    }
    for (int r = 0; r < sv->nrows; r++) {
        const char *type = cell(sv, r, "type"), *name = cell(sv, r, "name");
        if (!strcmp(type, "begin repeat") || !strcmp(type, "end repeat")) {
            in_repeat = !strcmp(type, "begin repeat");
            continue;
        }
        if (in_repeat != repeat || !strcmp(type, "start") || !strcmp(type, "end"))
            continue;
        /* a geopoint as the point and its parts; a line or polygon as the
         * points "lat lon alt acc" of the trace or shape */
        if (!strcmp(type, "geopoint")) {
            char part[96];
            add_xcol(c, &n, name, OFTString, "39.92 46.92 1200 4.5");
            snprintf(part, sizeof part, "_%s_latitude", name);
            add_xcol(c, &n, part, OFTReal, "39.92");
            snprintf(part, sizeof part, "_%s_longitude", name);
            add_xcol(c, &n, part, OFTReal, "46.92");
            snprintf(part, sizeof part, "_%s_altitude", name);
            add_xcol(c, &n, part, OFTReal, "1200");
            snprintf(part, sizeof part, "_%s_precision", name);
            add_xcol(c, &n, part, OFTReal, "4.5");
            continue;
        }
        if (!strcmp(type, "geotrace")) {
            add_xcol(c, &n, name, OFTString, "39.92 46.92 0 0;39.921 46.921 0 0");
            continue;
        }
        if (!strcmp(type, "geoshape")) {
            add_xcol(c, &n, name, OFTString,
                     "39.92 46.92 0 0;39.92 46.921 0 0;39.921 46.921 0 0;39.921 46.92 0 0;39.92 "
                     "46.92 0 0");
            continue;
        }
        int m;
        const char *list = select_list(type, &m);
        const dm_layer_def *fl = repeat ? victims : l;
        char v[128], col[96];
        if (!repeat && dm__form_date_helper(l, name)) {
            /* known to the day: its picker answered, the others empty */
            if (!strcmp(type, "date"))
                strstr(name, "_day") ? sample(fl, dm_field_find(fl, "date"), ch, NULL, sensor, accident, v,
                                              sizeof v)
                                     : (void)(v[0] = '\0');
            else
                snprintf(v, sizeof v, "day");
            add_xcol(c, &n, name, ogr_type_of(type), v);
            continue;
        }
        sample(fl, dm_field_find(fl, name), ch, list, sensor, accident, v, sizeof v);
        snprintf(col, sizeof col, "%s%s", repeat ? "victims/" : "", name);
        add_xcol(c, &n, col, ogr_type_of(type), v);
    }
    if (repeat) {
        add_xcol(c, &n, "_index", OFTInteger, "1");
        add_xcol(c, &n, "_parent_table_name", OFTString, "Mina hadisələri");
        add_xcol(c, &n, "_parent_index", OFTInteger, "1");
        add_xcol(c, &n, "_submission__id", OFTInteger, "101");
        add_xcol(c, &n, "_submission__uuid", OFTString, uuid);
        add_xcol(c, &n, "_submission__submission_time", OFTString, "2024-04-30T04:21:00");
        add_xcol(c, &n, "_submission__validation_status", OFTString, "");
        add_xcol(c, &n, "_submission__status", OFTString, "submitted_via_web");
        return n;
    }
    add_xcol(c, &n, "__version__", OFTString, "vGm5Y8Uc3Yq7");
    add_xcol(c, &n, "_id", OFTInteger, "101");
    add_xcol(c, &n, "_uuid", OFTString, uuid);
    add_xcol(c, &n, "_submission_time", OFTString, "2024-04-30T04:21:00");
    add_xcol(c, &n, "_validation_status", OFTString, "");
    add_xcol(c, &n, "_notes", OFTString, "");
    add_xcol(c, &n, "_status", OFTString, "submitted_via_web");
    add_xcol(c, &n, "_submitted_by", OFTString, "");
    add_xcol(c, &n, "_tags", OFTString, "");
    add_xcol(c, &n, "_index", OFTInteger, "1");
    return n;
}

/* The values of the last row of layer (the one just imported) equal the
 * values of the export's columns, as the import normalises them; refs are
 * the rows named. */
static void check_imported(dm_store *s, const dm_layer_def *l, const xcol *c, int n,
                           const char *prefix)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_cursor *cur = NULL;
    ASSERT_OK(dm_store_select(s, l->name, NULL, &cur));
    char *json = NULL;
    int rows = 0;
    while (dm_cursor_next(cur) > 0) {
        rows++;
        dm_free(ctx, json);
        json = NULL;
        ASSERT_OK(dm_cursor_json(cur, 1, &json));
    }
    ASSERT_MSG(rows > 0 && json, "%s: nothing imported", l->name);
    dm_cursor_free(cur);
    int checked = 0;
    for (int k = 0; k < n; k++) {
        const char *name = c[k].name;
        if (prefix && !strncmp(name, prefix, strlen(prefix)))
            name += strlen(prefix);
        const dm_field_def *fd = dm_field_find(l, name);
        if (!fd || !*c[k].value)
            continue;
        char want[256], key[128];
        if (fd->type == DM_FT_REF) {
            const dm_layer_def *rl = dm_layer_find(fd->ref_layer);
            ASSERT_OK(dm_store_resolve(s, rl->name, c[k].value, NULL, want));
        } else
            ASSERT_OK(dm_field_normalise(ctx, fd, c[k].value, want, sizeof want));
        snprintf(key, sizeof key, "\"%s\":", fd->name);
        const char *p = strstr(json, key);
        ASSERT_MSG(p, "%s: no %s in %s", l->name, fd->name, json);
        p += strlen(key);
        if (fd->type == DM_FT_INT || fd->type == DM_FT_REAL || fd->type == DM_FT_BOOL)
            ASSERT_MSG(strtod(p, NULL) == strtod(want, NULL), "%s.%s: %s for %s", l->name, fd->name,
                       p, want);
        else {
            char quoted[300];
            snprintf(quoted, sizeof quoted, "\"%s\"", want);
            ASSERT_MSG(!strncmp(p, quoted, strlen(quoted)), "%s.%s: %.60s for %s", l->name,
                       fd->name, p, quoted);
        }
        checked++;
    }
    ASSERT_MSG(checked > 0, "%s: no field compared", l->name);
    /* the place recorded on the phone */
    if (l->geom_type)
        ASSERT_MSG(strstr(json, "[46.92,39.92]"), "%s: geometry %s", l->name, json);
    dm_free(ctx, json);
}

/* The rows the forms' references name: a hazard, an activity, a record, a
 * sensor, a flight and an accident. */
static void make_db_with_refs(char sensor[37], char accident[37])
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    dmtest_write_file(dmtest_path("h.csv"),
                      "WKT,ref,hazard_type\n"
                      "\"POLYGON((46.9 39.9,46.95 39.9,46.95 39.95,46.9 39.95,46.9 39.9))\","
                      "AGD-SHA-0042,CHA\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer hazards h.csv");
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type\nT-0042,clearance\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities a.csv");
    dmtest_write_file(dmtest_path("r.csv"), "ref,source\nR-0042,brigade\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer records r.csv");
    dmtest_write_file(dmtest_path("s.csv"), "name,kind\nH20T,thermal\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer sensors s.csv");
    dmtest_write_file(dmtest_path("f.csv"),
                      "WKT,ref\n"
                      "\"POLYGON((46.9 39.9,46.95 39.9,46.95 39.95,46.9 39.95,46.9 39.9))\","
                      "F-0042\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer flights f.csv");
    dmtest_write_file(dmtest_path("acc.csv"), "lat,lon,date,ref\n39.93,46.93,2024-01-02,ACC-0042\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents acc.csv");
    /* typed on the phone as the form's hints say: a sensor by its name, an
     * accident by its ref (whole uuids, which nobody types, are read too) */
    snprintf(sensor, 37, "H20T");
    snprintf(accident, 37, "ACC-0042");
}

/* For every layer a team fills in: `demine form`, an export of the form as
 * KoboToolbox writes it, and `demine import` with no --map. */
TEST(form_export_from_kobotoolbox_imports_as_is)
{
    char sensor[37], accident[37];
    make_db_with_refs(sensor, accident);
    GDALAllRegister();
    int layers = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!form_layer(l))
            continue;
        ASSERT_DEMINE(0, "wrote", "form %s --out %s-form.xlsx", l->name, l->name);
        char form[96], exp[96];
        snprintf(form, sizeof form, "%s-form.xlsx", l->name);
        snprintf(exp, sizeof exp, "%s-export.xlsx", l->name);
        xbook b;
        read_book(dmtest_path(form), &b);
        xcol c[64];
        int n = export_cols(l, sheet_of(&b, "survey"), sheet_of(&b, "choices"), 0,
                            "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01", sensor, accident, c);
        GDALDatasetH ds =
            GDALCreate(GDALGetDriverByName("XLSX"), dmtest_path(exp), 0, 0, 0, GDT_Unknown, NULL);
        ASSERT(ds);
        /* KoboToolbox names the main sheet after the form */
        write_xsheet(ds, cell(sheet_of(&b, "settings"), 0, "form_title"), c, n, 1);
        GDALClose(ds);
        book_free(&b);
        char *out = NULL;
        int rc = dmtest_demine(&out, "import db.gpkg --layer %s %s", l->name, exp);
        ASSERT_MSG(rc == 0 && strstr(out, "imported 1 row"), "%s: import: %s", l->name, out);
        free(out);
        dm_store *s = NULL;
        ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("db.gpkg"), DM_STORE_READONLY, &s));
        check_imported(s, l, c, n, NULL);
        dm_store_close(s);
        layers++;
    }
    ASSERT_EQ(layers, 20);
}

/* An accident with its victims: the form's repeat group is a sheet of the
 * export of its own; the two import in two runs, the victims linked to
 * their accident by the submission's uuid. */
TEST(form_accident_victims_repeat_group_imports_linked)
{
    char sensor[37], accident[37];
    make_db_with_refs(sensor, accident);
    ASSERT_DEMINE(0, "(its accident_id linked by the submission's id)", "form accidents --lang both");
    xbook b;
    read_book(dmtest_path("accidents-form.xlsx"), &b);
    const xsheet *sv = sheet_of(&b, "survey"), *ch = sheet_of(&b, "choices");
    const char *uuid = "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01";
    xcol main[64], vic[3 * 64];
    int n = export_cols(dm_layer_find("accidents"), sv, ch, 0, uuid, sensor, accident, main);
    int nv = export_cols(NULL, sv, ch, 1, uuid, sensor, accident, vic);
    /* two victims: the second a girl killed */
    memcpy(vic + nv, vic, (size_t)nv * sizeof *vic);
    for (int k = nv; k < 2 * nv; k++) {
        if (!strcmp(vic[k].name, "victims/sex"))
            snprintf(vic[k].value, sizeof vic[k].value, "female");
        if (!strcmp(vic[k].name, "victims/outcome"))
            snprintf(vic[k].value, sizeof vic[k].value, "killed");
        if (!strcmp(vic[k].name, "victims/age"))
            snprintf(vic[k].value, sizeof vic[k].value, "9");
        if (!strcmp(vic[k].name, "_index"))
            snprintf(vic[k].value, sizeof vic[k].value, "2");
    }
    book_free(&b);
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("XLSX"), dmtest_path("export.xlsx"), 0, 0, 0,
                                 GDT_Unknown, NULL);
    write_xsheet(ds, "Mina hadisələri", main, n, 1);
    write_xsheet(ds, "victims", vic, nv, 2);
    GDALClose(ds);
    ASSERT_DEMINE(0, "imported 1 row",
                  "import db.gpkg --layer accidents --map _uuid=uuid export.xlsx");
    ASSERT_DEMINE(0, "imported 2 rows",
                  "import db.gpkg --layer victims --map _submission__uuid=accident_id export.xlsx");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("db.gpkg"), DM_STORE_READONLY, &s));
    check_imported(s, dm_layer_find("accidents"), main, n, NULL);
    check_imported(s, dm_layer_find("victims"), vic + nv, nv, "victims/");
    /* both victims are the accident's */
    const char *f[] = {"accident_id"}, *v[] = {uuid};
    dm_select sel = {.eq_field = f, .eq_value = v, .n_eq = 1};
    long linked = 0;
    ASSERT_OK(dm_store_count(s, "victims", &sel, &linked));
    ASSERT_EQ(linked, 2);
    dm_store_close(s);
    /* the same export as downloaded, with no --map: the accident keeps its
     * submission's uuid (_uuid) and the victims link to it
     * (_submission__uuid); the next download is skipped */
    ASSERT_DEMINE(0, "created db2.gpkg", "init db2.gpkg");
    ASSERT_DEMINE(0, "imported 1 row", "import db2.gpkg --layer accidents export.xlsx");
    ASSERT_DEMINE(0, "imported 2 rows", "import db2.gpkg --layer victims export.xlsx");
    ASSERT_DEMINE(2, "already exists (import with --skip-existing", "import db2.gpkg --layer accidents export.xlsx");
    ASSERT_DEMINE(0, "skipped 1 row already in accidents", "import db2.gpkg --layer accidents export.xlsx --skip-existing");
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("db2.gpkg"), DM_STORE_READONLY, &s));
    linked = 0;
    ASSERT_OK(dm_store_count(s, "victims", &sel, &linked));
    ASSERT_EQ(linked, 2);
    dm_store_close(s);
}

/* ODK Central's CSV export of the accident form: the submissions' CSV (the
 * geopoint in parts, KEY "uuid:..." and Central's own columns) and the
 * repeat group's CSV (PARENT_KEY naming its submission's KEY) import in two
 * runs with no --map, the victims linked to their accident; a victim whose
 * PARENT_KEY names no accident imported is refused, naming it */
TEST(form_odk_central_repeat_csvs_import_linked)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    dmtest_write_file(dmtest_path("demine_accidents.csv"),
                      "SubmissionDate,date,ordnance,killed,injured,district,geometry-Latitude,geometry-Longitude,"
                      "geometry-Altitude,geometry-Accuracy,meta-instanceID,KEY,SubmitterID,SubmitterName,"
                      "AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
                      "2025-06-02T10:00:00.000Z,2025-06-01,AP,1,1,Fuzuli,39.6,47.1,300,5,"
                      "uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab,uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab,5,team1,"
                      "0,0,,,collect:x,0,2026112501\n"
                      "2025-07-02T10:00:00.000Z,2025-07-01,AT,0,1,Fuzuli,39.61,47.11,300,5,"
                      "uuid:9d4f0a11-2222-4c3b-8d4e-abcdefabcdef,uuid:9d4f0a11-2222-4c3b-8d4e-abcdefabcdef,5,team1,"
                      "0,0,,,collect:x,0,2026112501\n");
    dmtest_write_file(dmtest_path("demine_accidents-victims.csv"),
                      "sex,age,outcome,PARENT_KEY,KEY\n"
                      "male,34,injured,uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab,"
                      "uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab/victims[1]\n"
                      "female,9,killed,uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab,"
                      "uuid:0b5e3c7a-1111-4a2b-9c3d-0123456789ab/victims[2]\n"
                      "male,40,injured,uuid:9d4f0a11-2222-4c3b-8d4e-abcdefabcdef,"
                      "uuid:9d4f0a11-2222-4c3b-8d4e-abcdefabcdef/victims[1]\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer accidents demine_accidents.csv");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer victims demine_accidents-victims.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select a.uuid || ':' || a.ordnance || ':' || v.sex || ':' || v.age "
                              "from victims v join accidents a on a.uuid = v.accident_id order by a.date, v.age\"",
                        dmtest_path("db.gpkg")),
              0);
    ASSERT_STREQ(out, "0b5e3c7a-1111-4a2b-9c3d-0123456789ab:AP:female:9\n"
                      "0b5e3c7a-1111-4a2b-9c3d-0123456789ab:AP:male:34\n"
                      "9d4f0a11-2222-4c3b-8d4e-abcdefabcdef:AT:male:40\n");
    free(out);
    /* a group's row whose submission was not imported: refused, named */
    dmtest_write_file(dmtest_path("orphan.csv"),
                      "sex,age,outcome,PARENT_KEY,KEY\n"
                      "male,20,injured,uuid:11111111-2222-4333-8444-555555555555,"
                      "uuid:11111111-2222-4333-8444-555555555555/victims[1]\n");
    ASSERT_DEMINE(2, "no accidents with id or ref '11111111-2222-4333-8444-555555555555'",
                  "import db.gpkg --layer victims orphan.csv");
    /* a --map of the link or the uuid is the user's: PARENT_KEY is then
     * not taken as well */
    ASSERT_DEMINE(2, "PARENT_KEY", "import db.gpkg --layer victims --map KEY=accident_id orphan.csv");
}

TEST(form_command_line)
{
    /* the file a team would upload is not written over */
    ASSERT_DEMINE(0, "1 list of choices",
                  "form hazard_status --out hs.xlsx"); /* from and to: one list */
    ASSERT_DEMINE(2, "hs.xlsx exists", "form hazard_status --out hs.xlsx");
    ASSERT_DEMINE(0, "wrote hs.xlsx", "form hazard_status --out hs.xlsx --force");
    /* layers demine writes, unknown names, fields it computes */
    ASSERT_DEMINE(2, "written by demine itself", "form plan_tasks");
    ASSERT_DEMINE(2, "did you mean 'hazards'", "form hazrds");
    ASSERT_DEMINE(2, "p_contam of layer hazards is computed", "form hazards --fields ref,p_contam");
    ASSERT_DEMINE(2, "did you mean 'found_date'", "form items --fields category,date_found");
    ASSERT_DEMINE(2, "an .xlsx file", "form items --out items.xls");
    ASSERT_DEMINE(2, "en, az or both", "form items --lang ru");
    ASSERT_DEMINE(2, "holds polygons, not points", "form hazards --geometry point");
    /* a required field left out is said, and the geometry is asked first */
    ASSERT_DEMINE(0, "required field left out by --fields: category",
                  "form items --fields depth_cm,model");
    xbook b;
    read_book(dmtest_path("items-form.xlsx"), &b);
    const xsheet *sv = sheet_of(&b, "survey");
    ASSERT_EQ(sv->nrows, 5);
    ASSERT_STREQ(cell(sv, 2, "name"), "geometry");
    ASSERT_STREQ(cell(sv, 3, "name"), "depth_cm");
    ASSERT_STREQ(cell(sv, 4, "name"), "model");
    ASSERT(!sheet_of(&b, "choices")); /* no list asked */
    book_free(&b);
    /* roads of the map features: a line */
    ASSERT_DEMINE(0, "a geotrace named geometry", "form features --geometry line --out roads.xlsx");
    /* the accidents' form names both runs of the import */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "form accidents --json"), 0);
    ASSERT_CONTAINS(out, "\"repeat\":\"victims\"");
    ASSERT_CONTAINS(out, "\"geometry\":\"geopoint\"");
    free(out);
}

/* ------------- a KoboToolbox export with its default settings ------------- */

/* A column of such an export: its header may be longer than an xcol's
 * ("Ordnance/Abandoned explosive ordnance (AXO)"). */
typedef struct kcol {
    char name[128];
    OGRFieldType type;
    char value[160];
} kcol;

static void add_kcol(kcol *c, int *n, const char *name, OGRFieldType type, const char *value)
{
    ASSERT(*n < 96);
    snprintf(c[*n].name, sizeof c[*n].name, "%s", name);
    c[*n].type = type;
    snprintf(c[*n].value, sizeof c[*n].value, "%s", value);
    (*n)++;
}

/* The export's columns c as a sheet of one row into the .xlsx at path. */
static void write_kobo(const char *path, const char *sheet, const kcol *c, int n)
{
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("XLSX"), dmtest_path(path), 0, 0, 0, GDT_Unknown, NULL);
    ASSERT(ds);
    OGRLayerH ol = GDALDatasetCreateLayer(ds, sheet, NULL, wkbNone, NULL);
    ASSERT(ol);
    for (int k = 0; k < n; k++) {
        OGRFieldDefnH f = OGR_Fld_Create(c[k].name, c[k].type);
        ASSERT(OGR_L_CreateField(ol, f, TRUE) == OGRERR_NONE);
        OGR_Fld_Destroy(f);
    }
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(ol));
    for (int k = 0; k < n; k++) {
        if (!*c[k].value)
            continue;
        int y, mo, d;
        if (c[k].type == OFTDate && sscanf(c[k].value, "%d-%d-%d", &y, &mo, &d) == 3)
            OGR_F_SetFieldDateTime(f, k, y, mo, d, 0, 0, 0, 0);
        else
            OGR_F_SetFieldString(f, k, c[k].value);
    }
    ASSERT(OGR_L_CreateFeature(ol, f) == OGRERR_NONE);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

/* The row of question name in the survey sheet, or -1. */
static int question_row(const xsheet *sv, const char *name)
{
    for (int r = 0; r < sv->nrows; r++)
        if (!strcmp(cell(sv, r, "name"), name))
            return r;
    return -1;
}

/* The label (in column lc) of choice name of list. */
static const char *choice_label(const xsheet *ch, const char *list, const char *name,
                                const char *lc)
{
    for (int r = 0; r < ch->nrows; r++)
        if (!strcmp(cell(ch, r, "list_name"), list) && !strcmp(cell(ch, r, "name"), name))
            return cell(ch, r, lc);
    ASSERT_MSG(0, "no choice %s in list %s", name, list);
    return NULL;
}

/* The export of the form as KoboToolbox writes it with its default
 * settings, from c (n columns), the export with XML values and headers, into
 * out: the headers and the values the labels of the form's column lc (its
 * names with lc NULL), a repeat group's name in a header its label; a
 * select_multiple question its own column (its choices' labels joined by
 * spaces) and a column for each choice after it ("Ordnance/Anti-personnel
 * mine (AP)", "ordnance/AP"), 1 when selected, 0 when not, of type
 * choice_type. Columns KoboToolbox names itself keep their names, but a
 * geopoint's parts, which it names after the label (_Location_latitude). */
static int default_export(const xsheet *sv, const xsheet *ch, const char *lc, const xcol *c, int n,
                          OGRFieldType choice_type, kcol *out)
{
    int m = 0;
    for (int k = 0; k < n; k++) {
        const char *name = c[k].name, *slash = strchr(name, '/');
        char group[64] = "", header[128], q[64];
        if (slash) {
            snprintf(q, sizeof q, "%.*s", (int)(slash - name), name);
            int g = question_row(sv, q);
            ASSERT(g >= 0);
            snprintf(group, sizeof group, "%.60s/", lc ? cell(sv, g, lc) : q);
            name = slash + 1;
        }
        int r = question_row(sv, name);
        const char *type = r >= 0 ? cell(sv, r, "type") : "start";
        if (!strcmp(type, "start") || !strcmp(type, "end")) {
            /* KoboToolbox's own columns; a geopoint's parts named after its label */
            if (lc && sscanf(name, "_%63[^_]", q) == 1 && question_row(sv, q) >= 0 &&
                !strcmp(cell(sv, question_row(sv, q), "type"), "geopoint"))
                snprintf(header, sizeof header, "_%s%s", cell(sv, question_row(sv, q), lc),
                         name + 1 + strlen(q));
            else
                snprintf(header, sizeof header, "%s", name);
            add_kcol(out, &m, header, c[k].type, c[k].value);
            continue;
        }
        /* a question without a label (a calculation) by its name */
        snprintf(header, sizeof header, "%s%s", group, lc && *cell(sv, r, lc) ? cell(sv, r, lc) : name);
        /* "select_one LIST", "select_multiple LIST" */
        const char *list = strstr(type, "select_") == type ? strchr(type, ' ') + 1 : NULL;
        int multiple = list && type[7] == 'm';
        if (!list || !lc || !*c[k].value) {
            add_kcol(out, &m, header, c[k].type, c[k].value);
        } else {
            /* the choice's label; a set's labels joined by spaces */
            char v[160] = "", one[64];
            for (const char *p = c[k].value; *p;) {
                size_t len = strcspn(p, " ");
                snprintf(one, sizeof one, "%.*s", (int)len, p);
                size_t used = strlen(v);
                snprintf(v + used, sizeof v - used, "%s%s", used ? " " : "",
                         choice_label(ch, list, one, lc));
                p += len + (p[len] == ' ');
            }
            add_kcol(out, &m, header, c[k].type, v);
        }
        if (!multiple)
            continue;
        /* a column for each choice */
        for (int row = 0; row < ch->nrows; row++) {
            if (strcmp(cell(ch, row, "list_name"), list))
                continue;
            const char *cn = cell(ch, row, "name");
            char col[128], with[72];
            snprintf(col, sizeof col, "%.60s/%.60s", header, lc ? cell(ch, row, lc) : cn);
            snprintf(with, sizeof with, " %s ", c[k].value);
            char word[72];
            snprintf(word, sizeof word, " %s ", cn);
            add_kcol(out, &m, col, choice_type, !*c[k].value ? "" : strstr(with, word) ? "1" : "0");
        }
    }
    return m;
}

static int has_select_multiple(const xsheet *sv)
{
    for (int r = 0; r < sv->nrows; r++)
        if (strstr(cell(sv, r, "type"), "select_multiple ") == cell(sv, r, "type"))
            return 1;
    return 0;
}

/* For every layer a team fills in: KoboToolbox's export with its default
 * settings (the questions' and the choices' labels, in English and in
 * Azerbaijani; with XML headers, a column for each choice of a set beside
 * the set's own) imports with no --map, its values those of the export
 * with XML values and headers. */
TEST(form_export_with_kobotoolbox_default_settings_imports_as_is)
{
    char sensor[37], accident[37];
    make_db_with_refs(sensor, accident);
    /* a database for each way of downloading, every layer once in each */
    static const char *dbs[] = {"names.gpkg", "en.gpkg", "az.gpkg"};
    for (int d = 0; d < 3; d++)
        ASSERT_EQ(dmtest_sh(NULL, "cp '%s' '%s'", dmtest_path("db.gpkg"), dmtest_path(dbs[d])), 0);
    GDALAllRegister();
    int layers = 0, with_sets = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!form_layer(l))
            continue;
        for (int d = 0; d < 3; d++) {
            char form[96], exp[96];
            snprintf(form, sizeof form, "%s-%d-form.xlsx", l->name, d);
            snprintf(exp, sizeof exp, "%s-%d-export.xlsx", l->name, d);
            ASSERT_DEMINE(0, "wrote", "form %s --lang %s --out %s", l->name, d == 2 ? "az" : "en",
                          form);
            xbook b;
            read_book(dmtest_path(form), &b);
            const xsheet *sv = sheet_of(&b, "survey"), *ch = sheet_of(&b, "choices");
            if (d == 0 && !has_select_multiple(sv)) {
                book_free(&b);
                continue; /* names as the export with XML headers has them */
            }
            with_sets += d == 0;
            xcol xml[64];
            kcol c[96];
            int n = export_cols(l, sv, ch, 0, "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01", sensor,
                                accident, xml);
            int m = default_export(sv, ch, d ? "label" : NULL, xml, n,
                                   d ? OFTString : OFTInteger, c);
            write_kobo(exp, cell(sheet_of(&b, "settings"), 0, "form_title"), c, m);
            book_free(&b);
            char *out = NULL;
            int rc = dmtest_demine(&out, "import %s --layer %s %s", dbs[d], l->name, exp);
            ASSERT_MSG(rc == 0 && strstr(out, "imported 1 row"), "%s (%s): import: %s", l->name,
                       dbs[d], out);
            if (d)
                ASSERT_MSG(strstr(out, "headers read as the form's labels: '"), "%s: %s", l->name,
                           out);
            free(out);
            dm_store *s = NULL;
            ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path(dbs[d]), DM_STORE_READONLY, &s));
            check_imported(s, l, xml, n, NULL);
            dm_store_close(s);
        }
        layers++;
    }
    ASSERT_EQ(layers, 20);
    ASSERT(with_sets >= 3); /* hazards, activities, sensors ... */
}

/* The row of layer whose ref is ref, as JSON (free with free()). */
static char *row_of(const char *db, const char *layer, const char *ref)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path(db), DM_STORE_READONLY, &s));
    const char *f[] = {"ref"}, *v[] = {ref};
    dm_select sel = {.eq_field = f, .eq_value = v, .n_eq = 1};
    dm_cursor *cur = NULL;
    ASSERT_OK(dm_store_select(s, layer, &sel, &cur));
    ASSERT_MSG(dm_cursor_next(cur) > 0, "no %s %s", layer, ref);
    char *json = NULL, *copy;
    ASSERT_OK(dm_cursor_json(cur, 1, &json));
    copy = strdup(json);
    dm_free(ctx, json);
    dm_cursor_free(cur);
    dm_store_close(s);
    return copy;
}

#define AREA "\"POLYGON((46.9 39.9,46.95 39.9,46.95 39.95,46.9 39.95,46.9 39.9))\""

/* The columns of a set's choices, one each (KoboToolbox's ordnance/AP, 1
 * or 0), are read into the set, in the model's order; beside the set's own
 * column they must agree with it. Headers and values that are the form's
 * labels are read as such, and nothing else: a header near a label is
 * refused as before. */
TEST(form_export_choice_columns_and_labels_read_exactly)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    /* the choices' columns alone: 1 and TRUE select, 0 does not, a row
     * that did not answer has them empty */
    dmtest_write_file(dmtest_path("sets.csv"),
                      "WKT,ref,hazard_type,ordnance/UXO,ordnance/AP,ordnance/AT\n" AREA
                      ",H-1,CHA,1,TRUE,0\n" AREA ",H-2,SHA,,,\n");
    ASSERT_DEMINE(0, "columns of a choice each read into their set: ordnance (3 columns, "
                     "'ordnance/UXO', ...)",
                  "import db.gpkg --layer hazards sets.csv");
    char *j = row_of("db.gpkg", "hazards", "H-1");
    ASSERT_CONTAINS(j, "\"ordnance\":\"AP,UXO\"");
    free(j);
    j = row_of("db.gpkg", "hazards", "H-2");
    ASSERT_MSG(!strstr(j, "\"ordnance\":\""), "H-2 has ordnance: %s", j);
    free(j);
    /* beside the set's own column: the same choices are taken as its, a
     * row whose columns disagree with it is refused, naming it */
    dmtest_write_file(dmtest_path("both.csv"),
                      "WKT,ref,hazard_type,ordnance,ordnance/AP,ordnance/AT,ordnance/UXO\n" AREA
                      ",H-3,CHA,AT AP,1,1,0\n" AREA ",H-4,CHA,AP,1,1,0\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "import db.gpkg --layer hazards both.csv");
    ASSERT_MSG(rc != 0, "imported: %s", out);
    ASSERT_CONTAINS(out, "feature 2 (line 3) H-4");
    ASSERT_CONTAINS(out, "field 'ordnance': column 'ordnance' has 'AP', and the columns of its "
                         "choices, one each ('ordnance/AP', ...), select AP,AT: they disagree");
    free(out);
    /* so says a check of the file */
    rc = dmtest_demine(&out, "check both.csv --layer hazards");
    ASSERT_MSG(rc != 0 && strstr(out, "they disagree") && strstr(out, "H-4"), "check: %s", out);
    free(out);
    dmtest_write_file(dmtest_path("agree.csv"),
                      "WKT,ref,hazard_type,ordnance,ordnance/AP,ordnance/AT,ordnance/UXO\n" AREA
                      ",H-3,CHA,AT AP,1,1,0\n");
    ASSERT_DEMINE(0, "held against column 'ordnance'", "import db.gpkg --layer hazards agree.csv");
    j = row_of("db.gpkg", "hazards", "H-3");
    ASSERT_CONTAINS(j, "\"ordnance\":\"AT,AP\"");
    free(j);
    /* a cell that says neither */
    dmtest_write_file(dmtest_path("bad.csv"), "WKT,ref,hazard_type,ordnance/AP\n" AREA
                                              ",H-5,CHA,maybe\n");
    ASSERT_DEMINE(2, "column 'ordnance/AP': 'maybe' is not 1 or 0",
                  "import db.gpkg --layer hazards bad.csv");
    /* labels, but for case and white space around them; the choices' too */
    dmtest_write_file(dmtest_path("labels.csv"),
                      "WKT,hazard REFERENCE ,Hazard type,Ordnance/Anti-tank mine (AT),"
                      "Ordnance/Piyada əleyhinə mina (AP),Vəziyyəti\n" AREA
                      ",H-6, şübhəli təhlükəli ərazi (sha),1,1,QİSMƏN AZAD EDİLİB\n");
    ASSERT_DEMINE(0, "headers read as the form's labels: 'hazard REFERENCE' as ref, "
                     "'Hazard type' as hazard_type, 'Vəziyyəti' as status; 2 values as its "
                     "choices' labels (the first: ' şübhəli təhlükəli ərazi (sha)' as SHA "
                     "(hazard_type))",
                  "import db.gpkg --layer hazards labels.csv");
    j = row_of("db.gpkg", "hazards", "H-6");
    ASSERT_CONTAINS(j, "\"hazard_type\":\"SHA\"");
    ASSERT_CONTAINS(j, "\"status\":\"partly_released\"");
    ASSERT_CONTAINS(j, "\"ordnance\":\"AP,AT\"");
    free(j);
    /* nothing else is guessed */
    dmtest_write_file(dmtest_path("near.csv"), "WKT,Hazard ref,hazard_type\n" AREA ",H-7,CHA\n");
    ASSERT_DEMINE(2, "field 'Hazard ref' is not a field of layer hazards",
                  "import db.gpkg --layer hazards near.csv");
    dmtest_write_file(dmtest_path("choice.csv"),
                      "WKT,ref,hazard_type,Ordnance/Mines\n" AREA ",H-7,CHA,1\n");
    ASSERT_DEMINE(2, "field 'Ordnance/Mines' is not a field of layer hazards",
                  "import db.gpkg --layer hazards choice.csv");
    dmtest_write_file(dmtest_path("value.csv"), "WKT,ref,Hazard type\n" AREA ",H-7,Confirmed\n");
    ASSERT_DEMINE(2, "'Confirmed' is not one of SHA|CHA", "import db.gpkg --layer hazards value.csv");
}

/* An accident and its victims downloaded from KoboToolbox with its default
 * settings, from the form in Azerbaijani: the headers and the values its
 * labels, the victims' headers after their group's label
 * ("Zərərçəkənlər/Cinsi"); the two sheets import as the export with XML
 * values and headers does. */
TEST(form_export_in_azerbaijani_labels_with_its_victims_imports_linked)
{
    char sensor[37], accident[37];
    make_db_with_refs(sensor, accident);
    ASSERT_DEMINE(0, "wrote", "form accidents --lang az");
    xbook b;
    read_book(dmtest_path("accidents-form.xlsx"), &b);
    const xsheet *sv = sheet_of(&b, "survey"), *ch = sheet_of(&b, "choices");
    const char *uuid = "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01";
    xcol main[64], vic[64];
    kcol kmain[96], kvic[96];
    int n = export_cols(dm_layer_find("accidents"), sv, ch, 0, uuid, sensor, accident, main);
    int nv = export_cols(NULL, sv, ch, 1, uuid, sensor, accident, vic);
    int km = default_export(sv, ch, "label", main, n, OFTString, kmain);
    int kv = default_export(sv, ch, "label", vic, nv, OFTString, kvic);
    int found = 0;
    for (int k = 0; k < kv; k++) {
        found |= !strcmp(kvic[k].name, "Zərərçəkənlər/Cinsi");
    }
    ASSERT(found);
    found = 0;
    for (int k = 0; k < km; k++)
        found |= !strcmp(kmain[k].name, "Minatəmizləmə zamanı hadisə") &&
                 !strcmp(kmain[k].value, "Xeyr");
    ASSERT(found);
    book_free(&b);
    GDALAllRegister();
    write_kobo("main.xlsx", "Mina hadisələri", kmain, km);
    write_kobo("victims.xlsx", "victims", kvic, kv);
    /* the date is calculated (named, not labelled): its pickers dropped */
    ASSERT_DEMINE(0, "'Qurğu' as device", "import db.gpkg --layer accidents --map _uuid=uuid main.xlsx");
    ASSERT_DEMINE(0, "'Zərərçəkənlər/Cinsi' as sex",
                  "import db.gpkg --layer victims --map _submission__uuid=accident_id "
                  "victims.xlsx");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("db.gpkg"), DM_STORE_READONLY, &s));
    check_imported(s, dm_layer_find("accidents"), main, n, NULL);
    check_imported(s, dm_layer_find("victims"), vic, nv, "victims/");
    const char *f[] = {"accident_id"}, *v[] = {uuid};
    dm_select sel = {.eq_field = f, .eq_value = v, .n_eq = 1};
    long linked = 0;
    ASSERT_OK(dm_store_count(s, "victims", &sel, &linked));
    ASSERT_EQ(linked, 1);
    dm_store_close(s);
}

/* An accident told years later: the phone's form asks how well its date
 * is known and, known to the year, gives "2021", which imports as its
 * first day with a warning; the pickers' columns (names or labels) are
 * the form's own and are dropped. */
TEST(form_date_known_to_the_year_imports_as_its_first_day)
{
    ASSERT_DEMINE(0, "created", "init db.gpkg");
    dmtest_write_file(dmtest_path("k.csv"),
                      "start,end,date_known,date_day,date_month,date_year,date,killed,_geometry_latitude,"
                      "_geometry_longitude,_uuid\n"
                      "2024-04-30T08:00,2024-04-30T08:20,year,,,2021-01-01,2021,1,39.92,46.92,"
                      "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01\n"
                      "2024-04-30T09:00,2024-04-30T09:20,month,,2019-05-01,,2019-05,0,39.93,46.93,"
                      "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e02\n");
    ASSERT_DEMINE(0, "a year or month alone", "import db.gpkg --layer accidents k.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT date FROM accidents ORDER BY date\""), 0);
    ASSERT_STREQ(out, "2019-05-01\n2021-01-01\n");
    free(out);
    /* headed by the labels (a KoboToolbox export's default) */
    dmtest_write_file(dmtest_path("l.csv"),
                      "How well is the date known?,\"Date of the accident (day, month and year)\",Month and "
                      "year (the day not known),\"Year (the day and month not known)\",date,People killed,"
                      "_geometry_latitude,_geometry_longitude\n"
                      "The year only,,,2018-01-01,2018,0,39.94,46.94\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents l.csv");
    /* a plain "Year" is no picker of the form's: named, not dropped */
    dmtest_write_file(dmtest_path("y.csv"), "date,Year,killed,lon,lat\n2017-03-02,2017,0,46.95,39.95\n");
    ASSERT_DEMINE(2, "field 'Year' is not a field of layer accidents", "import db.gpkg --layer accidents y.csv");
    /* a column named like them in a layer without such a date is no helper */
    dmtest_write_file(dmtest_path("i.csv"), "date_year,item_type,lon,lat\n2020-01-01,AP,46.9,39.9\n");
    ASSERT_DEMINE(2, "date_year", "import db.gpkg --layer items i.csv");
}

/* A KoboToolbox export headed by labels that were edited in its form
 * builder: the column is named and the way out told (a download with
 * "XML values and headers"); another file gets no such advice. */
TEST(form_export_with_edited_labels_says_how_to_download_it)
{
    ASSERT_DEMINE(0, "created", "init db.gpkg");
    dmtest_write_file(dmtest_path("kb.csv"), "Date of the accident,Killed people,_geometry_latitude,"
                                             "_geometry_longitude,_uuid,_submission_time\n"
                                             "2021-05-01,1,39.9,46.9,6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01,"
                                             "2024-01-01T10:00:00\n");
    ASSERT_DEMINE(2, "field 'Killed people' is not a field of layer accidents",
                  "import db.gpkg --layer accidents kb.csv");
    ASSERT_DEMINE(2, "download the data again with \"XML values and headers\"",
                  "import db.gpkg --layer accidents kb.csv");
    dmtest_write_file(dmtest_path("p.csv"), "date,Killed people,lat,lon\n2021-05-01,1,39.9,46.9\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents p.csv"), 2);
    ASSERT_CONTAINS(out, "field 'Killed people'");
    ASSERT_MSG(!strstr(out, "KoboToolbox"), "%s", out);
    free(out);
}
