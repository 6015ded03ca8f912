/* SPDX-License-Identifier: MIT
 *
 * import.c -- reading any vector file GDAL opens (GeoJSON, GeoPackage,
 * Shapefile, KML, CSV with coordinate columns, KoboToolbox and ODK exports)
 * into one layer of the database, in one transaction.
 *
 * Source fields are matched to the layer's fields by name (case-insensitive,
 * form group prefixes dropped) or by an explicit mapping; form metadata
 * columns are ignored; anything else unknown stops the import. Every value
 * and geometry is checked by the store exactly as any other write is.
 */
#include "io_internal.h"

#include "check/check_internal.h"
#include "demine/dm_io.h"
#include "store/store_internal.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where a source field goes when not to a field of the layer. created,
 * updated and author are every row's provenance, which an export writes:
 * an exported layer imports into another database with them. */
enum {
    SRC_DROP = -1,
    SRC_UUID = -2,
    SRC_COORD = -3,
    SRC_CREATED = -4,
    SRC_UPDATED = -5,
    SRC_AUTHOR = -6,
    SRC_CHOICE = -7 /* the column of one choice of a set (KoboToolbox's ordnance/AP) */
};
static const char *const provenance[] = {"created", "updated", "author"};

/* Text that is not UTF-8 in a field of the layer read (a file in another
 * code page, read as UTF-8): said once for each field, with how many
 * features have it and the first. */
#define ENC_FIELDS 16
typedef struct enc_bad {
    char field[64];
    long n, first, last; /* features with such text, the first and the last counted */
    char label[80];      /* the first's ref (" AGD-1"), or "" */
    long byte;           /* its first byte that is not UTF-8 (1: the first) */
    unsigned char value; /* that byte */
    char enc[8];         /* the encoding its text looks like */
} enc_bad;

typedef struct import_state {
    dm_store *s;
    dm_ctx *ctx;
    const dm_layer_def *layer;
    const dm_import_opts *o;
    const char *path;
    const char *read_path; /* the file read: path, or a CSV's copy with its seconds marks quoted */
    OGRLayerH ol;
    int n_src;
    int *target; /* per source field: layer field index or SRC_* */
    int is_csv;
    /* coordinates from columns */
    int x_col, y_col; /* numeric x/y columns */
    int latlon_col;   /* Kobo "_geolocation" "[lat, lon]" */
    int geom_col;     /* WKT or ODK geopoint/geotrace/geoshape text */
    OGRCoordinateTransformationH oct;
    OGRSpatialReferenceH src_srs, wgs84;
    long zm_n, zm_first; /* features with Z or M coordinates, the first of them */
    long year_n, year_first; /* dates of a year or month alone (stored as its first day), the first */
    long slash_n, slash_first; /* dates d/m/yyyy read day first where m/d/yyyy is a date too */
    char slash_field[64], slash_text[32];
    char year_field[64];
    const char *drv;     /* the GDAL driver that reads the file */
    int decimal_comma;   /* a CSV separated by semicolons: "1,5" is 1.5 */
    const char *recode;  /* the file's text is in this encoding (--encoding) */
    int n_layers;        /* source layers imported (KML folders): errors name the layer */
    int only;            /* the kind --only-geometry names (DM_IMPORT_KIND_*), else 0 */
    dm_check_report *check; /* checking (dm__import_check): faults are reported, not refused */
    /* KML: the folder of the layer read, which a row keeps (a minefield, a
     * district): in folder_field, or in notes after "folder: " */
    const char *folder;
    int folder_field, folder_in_notes;
    int kml_layers;          /* layers of a KML file: folders when more than one */
    char kml_document[256];  /* its document's name, which is no folder */
    dm__kml_tree *kml;       /* its folders, to name a layer's by its whole path */
    char folder_path[1024];  /* "Sector A/Minefield 3": the folder of the layer read */
    long folder_lost;        /* folders the layer has no field for */
    int names_warned;        /* KML or GPX names dropped: warned of once */
    char folder_lost_first[1024];
    char why[512]; /* why a feature has no geometry, when it names columns */
    /* per source column: the unit of an area given in other units than
     * hectares (mul 0: none), and whether it adds to its field (IMSMA's
     * reduced areas with and without a technical asset) */
    dm__area_unit *unit;
    unsigned char *sum;
    char units_said[1024]; /* "'Area (m²)' (m²) as est_area_ha, ...", said once */
    char crs_said[200];    /* the CRS the coordinates were reprojected from, said once */
    char imsma_said[1024]; /* the IMSMA columns recognised, said once */
    int unit_unsaid;       /* an IMSMA area column's unit is not said (checking) */
    dm__area_unit area_unit; /* o->area_unit (mul 0: none, or hectares) */
    int area_unit_given;     /* o->area_unit given */
    int area_unit_used;      /* a column took it */
    /* a KoboToolbox export downloaded with its default settings: headers
     * and values the form's labels, and a column for each choice of a set
     * (ordnance/AP, 1 or 0) beside or without the set's own */
    struct choice_cols {
        int n;        /* columns of the field's choices (0: none) */
        int first;    /* the first of them, which messages name */
        uint64_t sel; /* in the row read: the choices they select */
        int given;    /* in the row read: one of them has a value */
    } *choices;       /* per field of the layer */
    int *choice_of;   /* per source column of SRC_CHOICE: its field * 64 + its choice */
    char labels_said[1024];  /* "'Hazard reference' as ref, ...", said once */
    char choices_said[1024]; /* the columns of choices read into their field, said once */
    long choice_labels;      /* values given as a choice's label */
    char choice_first[160];  /* the first of them ("'Open' as open (status)") */
    enc_bad enc[ENC_FIELDS]; /* fields of the layer read with text not UTF-8 */
    int n_enc;
    int enc_stop;            /* an import met such text: it reads on only to count it */
} import_state;

/* What `demine check FILE` takes a file's rows as when no layer is named:
 * any geometry, no fields (every column is read, none refused). */
static const dm_layer_def file_layer = {"file", "file", "GEOMETRY", 0, 0, NULL, 0, NULL, NULL};

/* ------------------------- rows of this import ------------------------- */

/* The uuids inserted so far, with their feature numbers: a row colliding
 * with one of them repeats a ref or uuid of the file itself (an error even
 * with skip_existing), not a row already in the database. A uuid as the
 * store makes them (36 characters, lower-case hex and dashes) is kept in
 * its 16 bytes, one slot of 24 bytes a row; any other text a file gives as
 * a uuid is kept whole in a second table. Both are open-addressed, grown
 * at three quarters full. */
typedef struct seen_slot {
    unsigned char key[16];
    long feature; /* 0: an empty slot; last, as seen_grow takes it */
} seen_slot;

typedef struct seen_text {
    char uuid[37];
    long feature;
} seen_text;

_Static_assert(offsetof(seen_slot, feature) + sizeof(long) == sizeof(seen_slot), "feature last");
_Static_assert(offsetof(seen_text, feature) + sizeof(long) == sizeof(seen_text), "feature last");

typedef struct seen_set {
    seen_slot *slot;
    size_t n, cap; /* cap: a power of two, 0 before the first row */
    seen_text *text;
    size_t n_text, cap_text;
} seen_set;

static size_t seen_hash(const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t h = 14695981039346656037u & (size_t)-1;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * (size_t)1099511628211u;
    return h;
}

static int hex_digit(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* uuid in 16 bytes when it is in the store's form; 0 when not. */
static int uuid_pack(const char *uuid, unsigned char key[16])
{
    int k = 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (uuid[i] != '-')
                return 0;
            continue;
        }
        int a = hex_digit((unsigned char)uuid[i]), b = a < 0 ? -1 : hex_digit((unsigned char)uuid[i + 1]);
        if (b < 0)
            return 0;
        key[k++] = (unsigned char)(a << 4 | b);
        i++;
    }
    return uuid[36] == '\0';
}

/* Make room for one more entry in an open-addressed table of cap entries
 * of size bytes each: a key of key_len bytes first, the feature number (0:
 * an empty slot) last. 0, or -1 when out of memory. */
static int seen_grow(void **tab, size_t *cap, size_t n, size_t size, size_t key_len)
{
    if (4 * (n + 1) <= 3 * *cap)
        return 0;
    size_t nc = *cap ? 2 * *cap : 1024, at = size - sizeof(long);
    unsigned char *t = calloc(nc, size), *old = *tab;
    if (!t)
        return -1;
    long f;
    for (size_t i = 0; i < *cap; i++) {
        const unsigned char *e = old + i * size;
        memcpy(&f, e + at, sizeof f);
        if (!f)
            continue;
        size_t j = seen_hash(e, key_len) & (nc - 1);
        for (;; j = (j + 1) & (nc - 1)) {
            memcpy(&f, t + j * size + at, sizeof f);
            if (!f)
                break;
        }
        memcpy(t + j * size, e, size);
    }
    free(old);
    *tab = t;
    *cap = nc;
    return 0;
}

static int seen_add(seen_set *t, const char *uuid, long feature)
{
    unsigned char key[16];
    if (uuid_pack(uuid, key)) {
        void *tab = t->slot;
        if (seen_grow(&tab, &t->cap, t->n, sizeof *t->slot, 16))
            return -1;
        t->slot = tab;
        size_t j = seen_hash(key, 16) & (t->cap - 1);
        while (t->slot[j].feature)
            j = (j + 1) & (t->cap - 1);
        memcpy(t->slot[j].key, key, 16);
        t->slot[j].feature = feature;
        t->n++;
        return 0;
    }
    seen_text e;
    memset(&e, 0, sizeof e);
    dm__strlcpy(e.uuid, uuid, sizeof e.uuid);
    e.feature = feature;
    void *tab = t->text;
    if (seen_grow(&tab, &t->cap_text, t->n_text, sizeof *t->text, sizeof e.uuid))
        return -1;
    t->text = tab;
    size_t j = seen_hash(e.uuid, sizeof e.uuid) & (t->cap_text - 1);
    while (t->text[j].feature)
        j = (j + 1) & (t->cap_text - 1);
    t->text[j] = e;
    t->n_text++;
    return 0;
}

/* The feature number that inserted uuid, or 0. */
static long seen_find(const seen_set *t, const char *uuid)
{
    unsigned char key[16];
    if (uuid_pack(uuid, key)) {
        if (!t->cap)
            return 0;
        for (size_t j = seen_hash(key, 16) & (t->cap - 1); t->slot[j].feature; j = (j + 1) & (t->cap - 1))
            if (!memcmp(t->slot[j].key, key, 16))
                return t->slot[j].feature;
        return 0;
    }
    if (!t->cap_text)
        return 0;
    char u[37] = {0};
    dm__strlcpy(u, uuid, sizeof u);
    for (size_t j = seen_hash(u, sizeof u) & (t->cap_text - 1); t->text[j].feature; j = (j + 1) & (t->cap_text - 1))
        if (!strcmp(t->text[j].uuid, u))
            return t->text[j].feature;
    return 0;
}

/* ---------------------------- field matching ---------------------------- */

static const char *base_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* Columns added by KoboToolbox, ODK Central/Collect and GIS exports that
 * carry no mine action data. */
static int is_form_metadata(const char *name)
{
    static const char *meta[] = {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "audit",
        "instanceID",
        "instanceName",
        "__version__",
        "SubmissionDate",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "meta-instanceID",
        "created",
        "updated",
        "author",
        "fid",
        "ogc_fid",
        "id_0",
    };
    if (name[0] == '_')
        return 1;
    if (!strncmp(name, "meta/", 5) || !strncmp(name, "meta-", 5) || !strncmp(name, "formhub/", 8))
        return 1;
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if (!dm__strcasecmp(name, meta[i]))
            return 1;
    return 0;
}

/* Fields a driver adds to every feature: KML's drawing, a GPS's fix. */
static int is_driver_metadata(const import_state *st, const char *name)
{
    static const char *kml[] = {"altitudeMode", "tessellate", "extrude", "visibility",
                                "drawOrder",    "icon",       "snippet", NULL};
    static const char *gpx[] = {"magvar",        "geoidheight", "src",        "link1_href",
                                "link1_text",    "link1_type",  "link2_href", "link2_text",
                                "link2_type",    "sym",         "type",       "fix",
                                "sat",           "hdop",        "vdop",       "pdop",
                                "ageofdgpsdata", "dgpsid",      "ele",        NULL};
    const char *const *list = NULL;
    if (st->drv && (!strcmp(st->drv, "LIBKML") || !strcmp(st->drv, "KML")))
        list = kml;
    else if (st->drv && !strcmp(st->drv, "GPX"))
        list = gpx;
    for (; list && *list; list++)
        if (!dm__strcasecmp(name, *list))
            return 1;
    return 0;
}

static int name_is(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!dm__strcasecmp(name, *list))
            return 1;
    return 0;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !dm__strcasecmp(s + n - m, suffix);
}

static int find_col(import_state *st, const char *name)
{
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
        if (!dm__strcasecmp(f, name) || !dm__strcasecmp(base_name(f), name))
            return i;
    }
    return -1;
}

/* ---------------- a KoboToolbox export with its default settings ---------------- */

/* KoboToolbox's download, by default, heads its columns with the form's
 * question labels ("Hazard reference"), not its names, and gives the
 * choices' labels ("Anti-personnel mine (AP)"), in the language the form
 * was written in; a select_multiple question is its own column (its
 * choices' labels joined by spaces) and a column for each choice,
 * "Ordnance/Anti-personnel mine (AP)" or, with names, "ordnance/AP",
 * holding 1 when the choice is selected and 0 when not (empty when the
 * question was not answered). The labels are those `demine form` writes
 * (form.c): a header or a value that is exactly one of them, but for
 * white space around it and case, is read as the field or the value it
 * labels; nothing else is guessed. */

/* The character at *p (UTF-8) as a code point, folded to lower case for
 * the letters English and Azerbaijani write (ASCII, Latin-1, Latin
 * Extended-A, Ə; İ and ı as i), and *p moved past it. A byte that starts
 * no character is taken alone. */
static unsigned fold_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t len = dm__utf8_char(*p);
    unsigned c;
    if (len <= 1) {
        *p += 1;
        return s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32u : s[0];
    }
    if (len == 2)
        c = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    else if (len == 3)
        c = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    else
        c = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    *p += len;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if (c == 0x130 || c == 0x131)
        return 'i';
    if (c == 0x18F)
        return 0x259; /* Ə */
    if ((c >= 0x100 && c < 0x130) || (c >= 0x132 && c < 0x138) || (c >= 0x14A && c < 0x178))
        return c | 1u; /* pairs, the capital first */
    if (c >= 0x139 && c < 0x149)
        return c + (c & 1u);
    return c;
}

/* The length of the start of text that is label, letter by letter as
 * fold_next folds them; 0 when text does not start with it. */
static size_t label_prefix(const char *text, const char *label)
{
    const char *t = text, *l = label;
    while (*l)
        if (!*t || fold_next(&t) != fold_next(&l))
            return 0;
    return (size_t)(t - text);
}

/* s without the white space around it, into buf. */
static const char *trim_into(const char *s, char *buf, size_t n)
{
    while (isspace((unsigned char)*s))
        s++;
    dm__strlcpy(buf, s, n);
    size_t len = strlen(buf);
    while (len && isspace((unsigned char)buf[len - 1]))
        buf[--len] = '\0';
    return buf;
}

/* Is text (trimmed) label, but for case? */
static int label_is(const char *text, const char *label)
{
    size_t k = label_prefix(text, label);
    return k && !text[k];
}

/* The field of l whose question in the layer's form is labelled name (in
 * English or Azerbaijani); NULL when none. */
static const dm_field_def *form_label_field(const dm_layer_def *l, const char *name)
{
    if (l == &file_layer)
        return NULL;
    char t[256], buf[128];
    trim_into(name, t, sizeof t);
    for (size_t i = 0; *t && i < l->n_fields; i++) {
        const dm_field_def *fd = &l->fields[i];
        const char *en, *az;
        if (fd->flags & DM_FIELD_COMPUTED)
            continue; /* no question of the form */
        dm__form_field_label(l, fd, &en, &az, buf, sizeof buf);
        if (label_is(t, en) || label_is(t, az))
            return fd;
    }
    return NULL;
}

/* The values of a list field as the form lists them ("a|b|c"); NULL for
 * a field of no list. */
static const char *choice_list(const dm_field_def *fd)
{
    if (fd->type == DM_FT_BOOL)
        return "yes|no";
    return fd->type == DM_FT_ENUM || fd->type == DM_FT_ENUMSET ? fd->values : NULL;
}

/* Choice k of fd's list into buf ("" past the last). */
static const char *choice_at(const dm_field_def *fd, int k, char *buf, size_t n)
{
    const char *p = choice_list(fd);
    buf[0] = '\0';
    for (int i = 0; p && *p; i++) {
        size_t m = strcspn(p, "|");
        if (i == k) {
            snprintf(buf, n, "%.*s", (int)m, p);
            break;
        }
        p += m + (p[m] == '|');
    }
    return buf;
}

/* The choice of fd's list that text starts with, by its name or its label
 * in the form, the longest followed by the end or by stop (a set's
 * separators; NULL: the whole text), into *len; its index, -1 when none. */
static int choice_prefix(const dm_field_def *fd, const char *text, const char *stop, size_t *len)
{
    int best = -1;
    *len = 0;
    char v[64];
    for (int k = 0; k < 64 && *choice_at(fd, k, v, sizeof v); k++) {
        const char *en, *az;
        dm__form_choice_label(fd, v, &en, &az);
        const char *names[3] = {v, en, az};
        for (int j = 0; j < 3; j++) {
            size_t m = label_prefix(text, names[j]);
            if (m > *len && (!text[m] || (stop && strchr(stop, text[m])))) {
                best = k;
                *len = m;
            }
        }
    }
    return best;
}

/* The choice of fd's list text (trimmed) is, by its name or its label;
 * -1 when none. */
static int choice_named(const dm_field_def *fd, const char *text)
{
    char t[256];
    size_t len;
    trim_into(text, t, sizeof t);
    return *t ? choice_prefix(fd, t, NULL, &len) : -1;
}

/* v, a value of list field fd that is none of its values as it is, read as
 * the form's labels of its choices into buf: one label, or a set's labels
 * as KoboToolbox joins them, by spaces ("Anti-personnel mine (AP)
 * Anti-tank mine (AT)": "AP,AT"). NULL when it is not such. */
static const char *choice_value(import_state *st, const dm_field_def *fd, const char *v, char *buf,
                                size_t n)
{
    char norm[512];
    if (!choice_list(fd) || strlen(v) >= sizeof norm)
        return NULL;
    if (!dm_field_normalise(st->ctx, fd, v, norm, sizeof norm))
        return NULL; /* a value as it is */
    dm_ctx_clear_error(st->ctx);
    char t[512], c[64];
    trim_into(v, t, sizeof t);
    if (!*t)
        return NULL;
    if (fd->type != DM_FT_ENUMSET) {
        int k = choice_named(fd, t);
        return k < 0 ? NULL : choice_at(fd, k, buf, n);
    }
    size_t used = 0;
    buf[0] = '\0';
    for (const char *p = t; *p;) {
        while (*p && strchr(" ,;|", *p))
            p++;
        if (!*p)
            break;
        size_t len;
        int k = choice_prefix(fd, p, " ,;|", &len);
        if (k < 0)
            return NULL;
        choice_at(fd, k, c, sizeof c);
        if (used + strlen(c) + 2 > n)
            return NULL;
        used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "," : "", c);
        p += len;
    }
    return used ? buf : NULL;
}

/* Column full ("ordnance/AP", "Ordnance/Anti-personnel mine (AP)", with a
 * group before them or not) as the column of one choice of a set of l:
 * the field (by its name or its label) and the choice (by its name or its
 * label) into *choice; NULL when it is none. */
static const dm_field_def *choice_column(const dm_layer_def *l, const char *full, int *choice)
{
    const char *slash = strrchr(full, '/');
    if (l == &file_layer || !slash || slash == full)
        return NULL;
    char field[256];
    snprintf(field, sizeof field, "%.*s", (int)(slash - full), full);
    const dm_field_def *fd = dm_field_find(l, base_name(field));
    if (!fd)
        fd = form_label_field(l, base_name(field));
    if (!fd || fd->type != DM_FT_ENUMSET)
        return NULL;
    int k = choice_named(fd, slash + 1);
    if (k < 0 || k >= 64)
        return NULL;
    *choice = k;
    return fd;
}

/* Add to list (n bytes) ", item", or item when it is the first; nothing
 * when it would not fit whole. */
static void said_add(char *list, size_t n, const char *item)
{
    size_t len = strlen(list);
    if (len + strlen(item) + 3 < n)
        snprintf(list + len, n - len, "%s%s", len ? ", " : "", item);
}

/* The cell of column i of f, the column of choice k of a set: whether it
 * selects the choice, into st->choices. 1, TRUE and yes (and the choice's
 * name or label) select it, 0, FALSE and no do not, an empty cell says
 * nothing; anything else is refused. */
static dm_status choice_cell(import_state *st, OGRFeatureH f, int i)
{
    int fi = st->choice_of[i] / 64, k = st->choice_of[i] % 64;
    const dm_field_def *fd = &st->layer->fields[fi];
    struct choice_cols *cc = &st->choices[fi];
    if (!OGR_F_IsFieldSetAndNotNull(f, i))
        return DM_OK;
    char t[256];
    trim_into(OGR_F_GetFieldAsString(f, i), t, sizeof t);
    if (!*t)
        return DM_OK;
    char *end = NULL;
    double x = strtod(t, &end);
    int on = -1;
    if (end != t && !*end && (x == 0 || x == 1))
        on = x == 1;
    else if (!dm__strcasecmp(t, "true") || !dm__strcasecmp(t, "yes"))
        on = 1;
    else if (!dm__strcasecmp(t, "false") || !dm__strcasecmp(t, "no"))
        on = 0;
    else if (choice_named(fd, t) == k)
        on = 1;
    if (on < 0) {
        char v[64];
        return dm__fail(st->ctx, DM_EPARSE,
                        "column '%s': '%.60s' is not 1 or 0 (whether choice %s of field '%s' is "
                        "selected)",
                        OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i)), t,
                        choice_at(fd, k, v, sizeof v), fd->name);
    }
    cc->given = 1;
    if (on)
        cc->sel |= (uint64_t)1 << k;
    return DM_OK;
}

/* The choices of set field fd a mask selects, in the model's order, as the
 * layer stores a set ("AP,AT"), into buf. */
static const char *choices_text(const dm_field_def *fd, uint64_t sel, char *buf, size_t n)
{
    char v[64];
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < 64 && *choice_at(fd, k, v, sizeof v); k++)
        if ((sel >> k & 1) && used + strlen(v) + 2 < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "," : "", v);
    return buf;
}

/* The row's sets from the columns of their choices: into a field no column
 * of the file gives, or held against that column's where one does (they
 * must agree). */
static dm_status choices_into_row(import_state *st, dm_row *row)
{
    const dm_layer_def *l = st->layer;
    OGRFeatureDefnH sfd = OGR_L_GetLayerDefn(st->ol);
    for (size_t fi = 0; fi < l->n_fields; fi++) {
        struct choice_cols *cc = &st->choices[fi];
        if (!cc->n || !cc->given)
            continue;
        const dm_field_def *fd = &l->fields[fi];
        int own = -1;
        for (int i = 0; i < st->n_src && own < 0; i++)
            if (st->target[i] == (int)fi)
                own = i;
        char have[512], want[512];
        choices_text(fd, cc->sel, want, sizeof want);
        if (own < 0) {
            if (!cc->sel)
                continue;
            dm_status rc = dm_row_set(row, fd->name, want);
            if (rc)
                return rc;
            continue;
        }
        /* the set's own column beside them: they must agree */
        const char *v = dm_row_get(row, fd->name);
        uint64_t sel = 0;
        have[0] = '\0';
        if (v && *v) {
            if (dm_field_normalise(st->ctx, fd, v, have, sizeof have)) {
                dm_ctx_clear_error(st->ctx);
                continue; /* the store refuses it, naming the field */
            }
            char c[64];
            for (int k = 0; k < 64 && *choice_at(fd, k, c, sizeof c); k++) {
                size_t len = strlen(c);
                for (const char *p = have; *p;) {
                    size_t m = strcspn(p, ",");
                    if (m == len && !strncmp(p, c, m))
                        sel |= (uint64_t)1 << k;
                    p += m + (p[m] == ',');
                }
            }
        }
        if (sel == cc->sel)
            continue;
        const char *col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, own));
        return dm__fail(st->ctx, DM_EPARSE,
                        "field '%s': column '%s' has %s%s%s, and the columns of its choices, one "
                        "each ('%s'%s), select %s: they disagree; correct the file, or drop one: "
                        "--map '%s=-' takes the choices' columns",
                        fd->name, col, *have ? "'" : "", *have ? have : "none", *have ? "'" : "",
                        OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, cc->first)),
                        cc->n > 1 ? ", ..." : "", *want ? want : "none", col);
    }
    return DM_OK;
}

/* What was read as the form's labels, said once after the import: the
 * headers, and the values given as choices' labels. 0 when nothing. */
static int form_labels_said(const import_state *st, char *out, size_t n)
{
    out[0] = '\0';
    if (st->labels_said[0])
        snprintf(out, n, "headers read as the form's labels: %s", st->labels_said);
    if (st->choice_labels) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s %ld value%s as its choices' labels (the first: %s)",
                 len ? ";" : "values read as the form's choices' labels:", st->choice_labels,
                 st->choice_labels == 1 ? "" : "s", st->choice_first);
    }
    return out[0] != '\0';
}

/* Find coordinate columns for files without a geometry column. */
static void detect_coords(import_state *st)
{
    static const char *xs[] = {"lon", "longitude", "long", "lng", "x", "easting", "xcoord", NULL};
    static const char *ys[] = {"lat", "latitude", "y", "northing", "ycoord", NULL};
    static const char *wkts[] = {"wkt", "geometry", "geom", "the_geom", "wkt_geom", NULL};
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    st->x_col = st->y_col = st->latlon_col = st->geom_col = -1;
    if (st->o->x_field || st->o->y_field) {
        st->x_col = st->o->x_field ? find_col(st, st->o->x_field) : -1;
        st->y_col = st->o->y_field ? find_col(st, st->o->y_field) : -1;
        return;
    }
    if (st->o->geom_field) {
        st->geom_col = find_col(st, st->o->geom_field);
        return;
    }
    for (int i = 0; i < st->n_src; i++) {
        const char *f = base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
        if (st->x_col < 0 && name_is(f, xs))
            st->x_col = i;
        if (st->y_col < 0 && name_is(f, ys))
            st->y_col = i;
    }
    if (st->x_col >= 0 && st->y_col >= 0)
        return;
    /* KoboToolbox "_q_longitude"/"_q_latitude", ODK Central "q-Longitude"/"q-Latitude". */
    st->x_col = st->y_col = -1;
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (st->x_col < 0 && (ends_with_ci(f, "_longitude") || ends_with_ci(f, "-longitude")))
            st->x_col = i;
        if (st->y_col < 0 && (ends_with_ci(f, "_latitude") || ends_with_ci(f, "-latitude")))
            st->y_col = i;
    }
    if (st->x_col >= 0 && st->y_col >= 0) {
        /* The geopoint's other parts ("q", altitude, accuracy) are redundant. */
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, st->y_col));
        char q[256], name[300];
        dm__strlcpy(q, f[0] == '_' ? f + 1 : f, sizeof q);
        size_t n = strlen(q);
        if (n > 9)
            q[n - 9] = '\0';
        static const char *parts[] = {"%s", "_%s_altitude", "_%s_precision", "%s-Altitude",
                                      "%s-Accuracy"};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            snprintf(name, sizeof name, parts[k], q);
            int col = find_col(st, name);
            if (col >= 0)
                st->target[col] = SRC_COORD;
        }
        return;
    }
    st->x_col = st->y_col = -1;
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (!dm__strcasecmp(f, "_geolocation"))
            st->latlon_col = i;
        else if (st->geom_col < 0 && name_is(base_name(f), wkts))
            st->geom_col = i;
    }
    /* the geometry question by its label in the form ("Outline"), of the
     * kind the layer holds */
    const char *gt = st->layer->geom_type;
    int kind = !gt                          ? -1
               : !strcmp(gt, "POINT")        ? 0
               : !strcmp(gt, "LINESTRING")   ? 1
               : !strcmp(gt, "MULTIPOLYGON") ? 2
                                             : -1;
    const char *type, *en, *az;
    for (size_t k = 0; st->geom_col < 0 && st->latlon_col < 0 && st->layer != &file_layer &&
                       dm__form_geometry_label(k, &type, &en, &az);
         k++) {
        if (kind >= 0 && (int)k != kind)
            continue;
        for (int i = 0; i < st->n_src && st->geom_col < 0; i++) {
            char t[256], item[300];
            const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
            trim_into(base_name(f), t, sizeof t);
            if (!label_is(t, en) && !label_is(t, az))
                continue;
            st->geom_col = i;
            snprintf(item, sizeof item, "'%.200s' as the geometry", f);
            if (!strstr(st->labels_said, item))
                said_add(st->labels_said, sizeof st->labels_said, item);
        }
    }
}

/* Shapefiles cut field names to 10 characters: accept a cut name when it
 * is the start of exactly one field. */
static const dm_field_def *truncated_match(const dm_layer_def *l, const char *name)
{
    const dm_field_def *found = NULL;
    for (size_t i = 0; i < l->n_fields; i++)
        if (!strncasecmp(l->fields[i].name, name, 10)) {
            if (found)
                return NULL;
            found = &l->fields[i];
        }
    return found;
}

/* Is v an Excel date serial number (days since 1899-12-30, as Excel's
 * 1900 date system counts them from 1 March 1900): a whole number of 4 or
 * 5 digits, 1900 to 2099 ("44621", also "44621.0")? Its date into out. */
static int excel_serial(const char *v, char out[11])
{
    char *end = NULL;
    long d = strtol(v, &end, 10);
    if (end == v || (*end && strcmp(end, ".0")) || d < 61 || d > 73050)
        return 0;
    time_t t = (time_t)(d - 25569) * 86400; /* 25569: 1970-01-01 */
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    strftime(out, 11, "%Y-%m-%d", &tm);
    return 1;
}

/* The IMSMA column a column of the file is, by its name, or in a Shapefile
 * by its name cut to 10 characters ("Land class"); *cut says which. */
static const dm__imsma_col *imsma_col(const import_state *st, const char *name, int *cut)
{
    if (cut)
        *cut = 0;
    if (st->layer == &file_layer)
        return NULL;
    const dm__imsma_col *ic = dm__imsma_column(st->layer, name);
    if (!ic && st->drv && !strcmp(st->drv, "ESRI Shapefile") && (ic = dm__imsma_column_cut(st->layer, name)) &&
        cut)
        *cut = 1;
    return ic;
}

static dm_status check_unknown(import_state *st, const int *unknown, int n_unknown, int names);
static int left_out_feature(import_state *st, OGRFeatureH f);

/* Does a --map or --set give field a value? */
static int mapped_to(const dm_import_opts *o, const char *field)
{
    for (size_t k = 0; k < o->n_map; k++)
        if (!dm__strcasecmp(o->map_to[k], field))
            return 1;
    for (size_t k = 0; k < o->n_set; k++)
        if (!dm__strcasecmp(o->set_field[k], field))
            return 1;
    return 0;
}

/* The row's own columns a --map may name besides the layer's fields: its
 * uuid (a form's submission id, which child rows refer to) and provenance.
 * SRC_DROP when `to` is none of them. */
static int special_target(const char *to)
{
    if (!dm__strcasecmp(to, "uuid"))
        return SRC_UUID;
    for (int k = 0; k < 3; k++)
        if (!dm__strcasecmp(to, provenance[k]))
            return SRC_CREATED - k;
    return SRC_DROP;
}

static dm_status map_fields(import_state *st)
{
    const dm_import_opts *o = st->o;
    const dm_layer_def *l = st->layer;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    char hint[600];
    dm__area_unit u;
    for (size_t k = 0; k < o->n_map; k++)
        if (strcmp(o->map_to[k], "-") && !dm_field_find(l, o->map_to[k]) &&
            special_target(o->map_to[k]) == SRC_DROP && !dm__area_target(l, o->map_to[k], &u))
            return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --map %s=%s: layer %s has no field '%s'%s",
                            st->path, o->map_from[k], o->map_to[k], l->name, o->map_to[k],
                            dm__field_hint(l, o->map_to[k], hint, sizeof hint));
    for (size_t k = 0; k < o->n_set; k++)
        if (!dm_field_find(l, o->set_field[k]))
            return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --set %s: layer %s has no field '%s'%s",
                            st->path, o->set_field[k], l->name, o->set_field[k],
                            dm__field_hint(l, o->set_field[k], hint, sizeof hint));
    int *unknown = malloc((size_t)(st->n_src ? st->n_src : 1) * sizeof *unknown), n_unknown = 0;
    int *names = malloc((size_t)(st->n_src ? st->n_src : 1) * sizeof *names), n_names = 0;
    free(st->unit);
    free(st->sum);
    st->unit = calloc((size_t)(st->n_src ? st->n_src : 1), sizeof *st->unit);
    st->sum = calloc((size_t)(st->n_src ? st->n_src : 1), 1);
    free(st->choices);
    free(st->choice_of);
    st->choices = calloc(l->n_fields ? l->n_fields : 1, sizeof *st->choices);
    st->choice_of = calloc((size_t)(st->n_src ? st->n_src : 1), sizeof *st->choice_of);
    if (!unknown || !names || !st->unit || !st->sum || !st->choices || !st->choice_of) {
        free(unknown);
        free(names);
        return dm__fail(st->ctx, DM_ENOMEM, "out of memory");
    }
    int no_unit = -1; /* an IMSMA area column whose unit is not said */
    /* A form's repeat group (an accident's victims) is a sheet or a CSV of
     * its own, each row naming its submission: ODK Central's PARENT_KEY,
     * KoboToolbox's _submission__uuid. The submissions (accidents) keep
     * their ids as uuids (ODK Central's KEY, KoboToolbox's _uuid) and the
     * group's rows link to them by it, unless a column of the file or a
     * --map gives the uuid or the link already. */
    const char *link = dm__form_repeat_link(l);
    int parent = dm__form_has_repeat(l), link_given = !link, uuid_given = !parent;
    for (size_t k = 0; k < o->n_map; k++) {
        if (!dm__strcasecmp(o->map_to[k], "uuid"))
            uuid_given = 1;
        if (link && !dm__strcasecmp(o->map_to[k], link))
            link_given = 1;
    }
    for (int i = 0; i < st->n_src; i++) {
        const char *nm = base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
        if (!dm__strcasecmp(nm, "uuid"))
            uuid_given = 1;
        if (link && !dm__strcasecmp(nm, link))
            link_given = 1;
    }
    for (int i = 0; i < st->n_src; i++) {
        if (st->target[i] == SRC_COORD)
            continue;
        const char *full = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        const char *name = base_name(full);
        st->target[i] = SRC_DROP;
        int mapped = 0;
        for (size_t k = 0; k < o->n_map; k++) {
            if (dm__strcasecmp(o->map_from[k], full) && dm__strcasecmp(o->map_from[k], name))
                continue;
            mapped = 1;
            if (strcmp(o->map_to[k], "-")) {
                /* an area in another unit: the target's ("est_area_m2"),
                 * else the column's name's ("Area (m²)=est_area_ha") */
                const dm_field_def *f = dm_field_find(l, o->map_to[k]);
                dm__area_unit au = {0, 0, NULL};
                if (!f)
                    f = dm__area_target(l, o->map_to[k], &au);
                else if (dm__is_area_field(f) && st->area_unit_given) {
                    au = st->area_unit; /* --unit: the unit of the areas mapped */
                    st->area_unit_used = 1;
                } else if (dm__is_area_field(f))
                    dm__column_unit(full, &au);
                if (au.mul == 1 && au.div == 1)
                    au.mul = 0; /* hectares already */
                st->unit[i] = au;
                st->target[i] = f ? (int)(f - l->fields) : special_target(o->map_to[k]);
                /* IMSMA's reduced areas, with and without a technical
                 * asset, add up in the field they are mapped to */
                const dm__imsma_col *ic = f ? imsma_col(st, name, NULL) : NULL;
                st->sum[i] = (unsigned char)(ic && ic->sum);
            }
        }
        if (mapped)
            continue;
        if (!link_given && (!dm__strcasecmp(full, "PARENT_KEY") || !dm__strcasecmp(full, "_submission__uuid"))) {
            st->target[i] = (int)(dm_field_find(l, link) - l->fields);
            link_given = 1;
            continue;
        }
        if (!uuid_given && (!dm__strcasecmp(full, "KEY") || !dm__strcasecmp(full, "_uuid"))) {
            st->target[i] = SRC_UUID;
            uuid_given = 1;
            continue;
        }
        if (i == st->x_col || i == st->y_col || i == st->latlon_col || i == st->geom_col) {
            st->target[i] = SRC_COORD;
            continue;
        }
        /* the column of one choice of a set (KoboToolbox's ordnance/AP) */
        int choice = 0;
        const dm_field_def *f = choice_column(l, full, &choice);
        if (f) {
            struct choice_cols *cc = &st->choices[f - l->fields];
            st->target[i] = SRC_CHOICE;
            st->choice_of[i] = (int)(f - l->fields) * 64 + choice;
            if (!cc->n++)
                cc->first = i;
            continue;
        }
        f = dm_field_find(l, name);
        if (f) {
            st->target[i] = (int)(f - l->fields);
            continue;
        }
        if (strlen(name) == 10)
            f = truncated_match(l, name);
        if (f) {
            st->target[i] = (int)(f - l->fields);
            continue;
        }
        /* an area whose name says its unit ("area_m2", "Area (m²)") */
        if (l != &file_layer && (f = dm__area_column(l, name, &st->unit[i]))) {
            st->target[i] = (int)(f - l->fields);
            if (st->unit[i].mul == 1 && st->unit[i].div == 1)
                st->unit[i].mul = 0;
            continue;
        }
        /* a column as IMSMA names it ("Land ID", "Type of activity",
         * "Estimated Area"); its areas in the unit the programme chose,
         * which must be said */
        int cut = 0;
        const dm__imsma_col *ic = imsma_col(st, name, &cut);
        if (ic) {
            f = dm_field_find(l, ic->field);
            st->target[i] = (int)(f - l->fields);
            st->sum[i] = (unsigned char)ic->sum;
            if (ic->needs_unit && st->area_unit_given) {
                st->unit[i] = st->area_unit; /* --unit: the programme's unit */
                st->area_unit_used = 1;
            } else if (ic->needs_unit && no_unit < 0)
                no_unit = i;
            size_t len = strlen(st->imsma_said);
            if (len + 1 < sizeof st->imsma_said)
                snprintf(st->imsma_said + len, sizeof st->imsma_said - len, "%s'%s'%s%s%s as %s", len ? ", " : "",
                         full, cut ? " (IMSMA's " : "", cut ? ic->column : "", cut ? ", its name cut by the Shapefile)" : "",
                         f->name);
            continue;
        }
        /* a question's label in the layer's form ("Hazard reference") */
        if ((f = form_label_field(l, name))) {
            char item[300];
            st->target[i] = (int)(f - l->fields);
            snprintf(item, sizeof item, "'%.200s' as %s", full, f->name);
            if (!strstr(st->labels_said, item))
                said_add(st->labels_said, sizeof st->labels_said, item);
            continue;
        }
        if (!dm__strcasecmp(name, "uuid")) {
            st->target[i] = SRC_UUID;
            continue;
        }
        for (int k = 0; k < 3 && st->target[i] == SRC_DROP; k++)
            if (!dm__strcasecmp(name, provenance[k]))
                st->target[i] = SRC_CREATED - k;
        if (st->target[i] != SRC_DROP)
            continue;
        if (is_form_metadata(full) || is_form_metadata(name) || is_driver_metadata(st, name))
            continue;
        if (dm__form_date_helper(l, name))
            continue; /* the form's pickers of a date known to the month or year */
        if (st->is_csv && !dm__strcasecmp(name, "WKT"))
            continue; /* the CSV driver's geometry column */
        /* a GPS's time stamp dates the row */
        if (st->drv && !strcmp(st->drv, "GPX") && !dm__strcasecmp(name, "time") && l->date_field &&
            !mapped_to(o, l->date_field)) {
            st->target[i] = (int)(dm_field_find(l, l->date_field) - l->fields);
            continue;
        }
        if (o->ignore_unknown || st->layer == &file_layer)
            continue;
        /* a placemark's or a waypoint's name (a GPS numbers them 001,
         * 002, ...), which the KML and GPX drivers give every feature, is
         * dropped with a warning when the layer has no field for it */
        if (st->drv && (!strcmp(st->drv, "LIBKML") || !strcmp(st->drv, "KML") || !strcmp(st->drv, "GPX")) &&
            !dm__strcasecmp(name, "name")) {
            names[n_names++] = i;
            continue;
        }
        unknown[n_unknown++] = i;
    }
    /* a --map of a column the file does not have would be dropped without
     * a word (a name mistyped, or the column another export calls so):
     * refused, naming the columns there are or the one meant */
    for (size_t k = 0; k < o->n_map; k++) {
        int found = 0;
        for (int i = 0; i < st->n_src && !found; i++) {
            const char *full = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
            found = !dm__strcasecmp(o->map_from[k], full) || !dm__strcasecmp(o->map_from[k], base_name(full));
        }
        /* dropping what is not there drops nothing: a shared command line */
        if (found || !strcmp(o->map_to[k], "-") || (st->folder && !dm__strcasecmp(o->map_from[k], "folder")) ||
            (st->drv && (!strcmp(st->drv, "LIBKML") || !strcmp(st->drv, "KML")) &&
             !dm__strcasecmp(o->map_from[k], "folder")))
            continue;
        const char *cols[64];
        int nc = 0;
        size_t len = 0;
        char list[400] = "";
        for (int i = 0; i < st->n_src && nc < 64; i++) {
            const char *full = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
            cols[nc++] = full;
            if (len + strlen(full) + 8 < sizeof list)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", full);
            else if (len + 6 < sizeof list && !strstr(list, ", ...")) {
                snprintf(list + len, sizeof list - len, ", ...");
                len += 5;
            }
        }
        const char *near = dm__name_near(o->map_from[k], cols, (size_t)nc);
        free(unknown);
        free(names);
        if (near)
            return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --map %s=%s: the file has no column '%s' (did you mean '%s'?)",
                            st->path, o->map_from[k], o->map_to[k], o->map_from[k], near);
        return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --map %s=%s: the file has no column '%s' (its columns: %s)",
                        st->path, o->map_from[k], o->map_to[k], o->map_from[k], nc ? list : "none");
    }
    /* a KML folder goes where --map folder=FIELD says, else to a field
     * named folder, else into notes; a column of the file named folder is
     * read as any column */
    st->folder_field = SRC_DROP;
    st->folder_in_notes = 0;
    if (st->folder && find_col(st, "folder") >= 0)
        st->folder = NULL;
    if (st->folder) {
        int mapped = 0;
        for (size_t k = 0; k < o->n_map; k++)
            if (!dm__strcasecmp(o->map_from[k], "folder")) {
                mapped = 1;
                const dm_field_def *f = dm_field_find(l, o->map_to[k]);
                st->folder_field = f ? (int)(f - l->fields) : SRC_DROP;
            }
        const dm_field_def *f = NULL;
        if (!mapped && ((f = dm_field_find(l, "folder")) || (f = dm_field_find(l, "notes")))) {
            st->folder_field = (int)(f - l->fields);
            st->folder_in_notes = !strcmp(f->name, "notes");
        }
        if (!mapped && !f && l != &file_layer && !st->folder_lost++)
            dm__strlcpy(st->folder_lost_first, st->folder, sizeof st->folder_lost_first);
    }
    dm_status rc = n_names ? check_unknown(st, names, n_names, 1) : DM_OK;
    if (!rc && n_unknown)
        rc = check_unknown(st, unknown, n_unknown, 0);
    free(unknown);
    free(names);
    if (rc)
        return rc;
    /* the columns of a set's choices: said once, with the set's own
     * column they are held against */
    for (size_t k = 0; k < l->n_fields; k++) {
        const struct choice_cols *cc = &st->choices[k];
        if (!cc->n)
            continue;
        int own = -1;
        for (int i = 0; i < st->n_src && own < 0; i++)
            if (st->target[i] == (int)k)
                own = i;
        char item[600];
        snprintf(item, sizeof item, "%s (%d column%s, '%.200s'%s%s%.200s%s)", l->fields[k].name, cc->n,
                 cc->n == 1 ? "" : "s", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, cc->first)),
                 cc->n > 1 ? ", ..." : "", own >= 0 ? "; held against column '" : "",
                 own >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, own)) : "", own >= 0 ? "'" : "");
        if (!strstr(st->choices_said, item))
            said_add(st->choices_said, sizeof st->choices_said, item);
    }
    if (no_unit >= 0) {
        /* every such column named, with the --map of each to copy */
        char first[256] = "", more[512] = "", maps[1024] = "", stem[64];
        int n_cols = 0;
        for (int i = no_unit; i < st->n_src; i++) {
            const dm__imsma_col *ic = st->target[i] >= 0 && !st->unit[i].mul
                                          ? imsma_col(st, base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i))), NULL)
                                          : NULL;
            if (!ic || !ic->needs_unit)
                continue;
            const char *col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
            const char *field = l->fields[st->target[i]].name;
            dm__strlcpy(stem, field, sizeof stem);
            stem[strlen(stem) - 3] = '\0'; /* est_area_ha: est_area */
            size_t lm = strlen(more), lp = strlen(maps);
            if (!n_cols)
                snprintf(first, sizeof first, "column '%s' is IMSMA's %s", col, field);
            else
                snprintf(more + lm, sizeof more - lm, "%s'%s' (%s)", lm ? ", " : "", col, field);
            snprintf(maps + lp, sizeof maps - lp, "%s--map '%s=%s_m2'", n_cols ? " " : "", col, stem);
            n_cols++;
        }
        char msg[2048];
        snprintf(msg, sizeof msg,
                 "%s, in the unit the programme chose (m\xC2\xB2, ha or km\xC2\xB2)%s%s%s, which the file does "
                 "not say: say the unit of %s with --unit m2 (or km2, ha), or name %s in its unit: %s for "
                 "m\xC2\xB2 (_ha for hectares, _km2 for km\xC2\xB2)",
                 first, n_cols > 1 ? ", and so " : "", n_cols > 2 ? "are " : n_cols > 1 ? "is " : "", more,
                 n_cols > 1 ? "all" : "it", n_cols > 1 ? "each" : "it", maps);
        if (!st->check)
            return dm__fail(st->ctx, DM_EPARSE, "%s: %s", st->path, msg);
        dm__check_add(st->check, DM_CHECK_ERROR, "area_unit", l->name, "", NULL, NAN, NAN, "%s", msg);
        /* the check reads the column as it is (hectares), and compares it
         * with no polygon: the error says what is wrong with every row */
        for (int i = 0; i < st->n_src; i++)
            if (st->target[i] >= 0 && imsma_col(st, base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i))), NULL) &&
                imsma_col(st, base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i))), NULL)->needs_unit &&
                !st->unit[i].mul)
                st->unit_unsaid = 1;
    }
    for (int i = 0; i < st->n_src; i++) {
        if (st->target[i] < 0 || !st->unit[i].mul)
            continue;
        size_t len = strlen(st->units_said);
        const char *col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (len + 1 < sizeof st->units_said && !strstr(st->units_said, col))
            snprintf(st->units_said + len, sizeof st->units_said - len, "%s'%s' (%s) into %s", len ? ", " : "",
                     col, st->unit[i].name, l->fields[st->target[i]].name);
    }
    /* Two source fields into one layer field: the second overwrote the
     * first in every row. */
    for (int i = 0; i < st->n_src; i++)
        for (int j = i + 1; j < st->n_src; j++)
            if (st->target[i] != SRC_DROP && st->target[i] != SRC_COORD && st->target[i] != SRC_CHOICE &&
                st->target[i] == st->target[j] &&
                !(st->sum[i] && st->sum[j])) {
                const char *a = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
                const char *b = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, j));
                return dm__fail(st->ctx, DM_EINVAL,
                                "%s: fields '%s' and '%s' both go to field '%s' of layer %s; "
                                "drop one with --map '%s=-' or map it elsewhere",
                                st->path, a, b,
                                st->target[i] >= 0         ? l->fields[st->target[i]].name
                                : st->target[i] == SRC_UUID ? "uuid"
                                                            : provenance[SRC_CREATED - st->target[i]],
                                l->name, a);
            }
    return DM_OK;
}

/* ------------------------------ geometry ------------------------------ */

static dm_status setup_crs(import_state *st, int native)
{
    dm_ctx *ctx = st->ctx;
    st->wgs84 = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(st->wgs84, 4326);
    OSRSetAxisMappingStrategy(st->wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    if (st->o->src_crs) {
        st->src_srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(st->src_srs, st->o->src_crs) != OGRERR_NONE)
            return dm__fail(ctx, DM_EPROJ, "%s: --crs '%s' is not a coordinate reference system",
                            st->path, st->o->src_crs);
    } else if (native && OGR_L_GetSpatialRef(st->ol)) {
        st->src_srs = OSRClone(OGR_L_GetSpatialRef(st->ol));
    }
    if (!st->src_srs)
        return DM_OK; /* assumed WGS 84; range checks catch projected coordinates */
    OSRSetAxisMappingStrategy(st->src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRIsSame(st->src_srs, st->wgs84))
        return DM_OK;
    st->oct = OCTNewCoordinateTransformation(st->src_srs, st->wgs84);
    if (!st->oct)
        return dm__fail(ctx, DM_EPROJ, "%s: cannot transform from the file's CRS to WGS 84",
                        st->path);
    /* said after the import: the file was in another CRS (a Shapefile's
     * .prj in UTM), so that a wrong .prj shows */
    const char *auth = OSRGetAuthorityName(st->src_srs, NULL), *code = OSRGetAuthorityCode(st->src_srs, NULL);
    const char *nm = OSRGetName(st->src_srs);
    if (auth && code)
        snprintf(st->crs_said, sizeof st->crs_said, "%s:%s%s%s%s", auth, code, nm ? " (" : "", nm ? nm : "",
                 nm ? ")" : "");
    else
        snprintf(st->crs_said, sizeof st->crs_said, "%s", nm ? nm : "the file's CRS");
    return DM_OK;
}

/* ODK text geometries: "lat lon alt acc" points separated by ';'. One point
 * is a point, several a line, a closed list a polygon. "lat, lon", as a map
 * app or a phone copies a place (40.0123, 47.0456), is read as well: a
 * comma after a latitude written with a point, or before white space, is
 * no decimal comma. */
static OGRGeometryH parse_odk(const char *s)
{
    /* as many points as there are ';'-separated parts (a walked geotrace
     * holds thousands: they were cut at 4096) */
    size_t cap = 1;
    for (const char *q = s; *q; q++)
        cap += *q == ';';
    double *xy = malloc(2 * cap * sizeof *xy);
    if (!xy)
        return NULL;
    size_t n = 0;
    const char *p = s;
    while (*p && n < cap) {
        char *end = NULL;
        double lat = strtod(p, &end);
        if (end == p) {
            free(xy);
            return NULL;
        }
        int point = memchr(p, '.', (size_t)(end - p)) != NULL;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ',' && (point || isspace((unsigned char)p[1])))
            p++;
        double lon = strtod(p, &end);
        if (end == p) {
            free(xy);
            return NULL;
        }
        p = end;
        xy[2 * n] = lon;
        xy[2 * n + 1] = lat;
        n++;
        const char *semi = strchr(p, ';');
        if (!semi)
            break;
        p = semi + 1;
        while (isspace((unsigned char)*p))
            p++;
    }
    OGRGeometryH g = NULL;
    if (n == 1) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, xy[0], xy[1]);
    } else if (n > 1) {
        int closed = n >= 4 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];
        OGRGeometryH line = OGR_G_CreateGeometry(closed ? wkbLinearRing : wkbLineString);
        for (size_t i = 0; i < n; i++)
            OGR_G_SetPoint_2D(line, (int)i, xy[2 * i], xy[2 * i + 1]);
        g = line;
        if (closed) {
            g = OGR_G_CreateGeometry(wkbPolygon);
            OGR_G_AddGeometryDirectly(g, line);
        }
    }
    free(xy);
    return g;
}

/* The feature's geometry as an OGR geometry owned by the caller, or NULL
 * with *why set when it has none or it cannot be read. */
static OGRGeometryH feature_geom(import_state *st, OGRFeatureH f, const char **why)
{
    *why = NULL;
    if (st->x_col >= 0 || st->y_col >= 0) {
        if (st->x_col < 0 || st->y_col < 0) {
            *why = "only one coordinate column found";
            return NULL;
        }
        /* the text of a number field is the driver's one buffer, which
         * the second call overwrites: a copy of the first */
        char xs[128];
        dm__strlcpy(xs, OGR_F_GetFieldAsString(f, st->x_col), sizeof xs);
        const char *ys = OGR_F_GetFieldAsString(f, st->y_col);
        double x, y;
        int ax = 0, ay = 0;
        if (!*xs && !*ys) {
            *why = "no coordinates";
            return NULL;
        }
        int okx = dm__parse_coord(xs, st->decimal_comma, &x, &ax);
        int oky = dm__parse_coord(ys, st->decimal_comma, &y, &ay);
        if (!okx || !oky) {
            /* name the column, and its value */
            int bad = okx ? st->y_col : st->x_col;
            const char *v = okx ? ys : xs;
            const char *col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_F_GetDefnRef(f), bad));
            if (!*v)
                snprintf(st->why, sizeof st->why, "coordinate column '%s' has no value (column '%s' has one)", col,
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_F_GetDefnRef(f), okx ? st->x_col
                                                                                          : st->y_col)));
            else
                snprintf(st->why, sizeof st->why,
                         "coordinate column '%s': '%.80s' is neither a number nor degrees, minutes and seconds "
                         "(40\xC2\xB0"
                         "12'30\"N)",
                         col, v);
            *why = st->why;
            return NULL;
        }
        if (ax && ax == ay) {
            *why = "the hemisphere letters (N, S, E, W) of the coordinates contradict each other "
                   "or their columns";
            return NULL;
        }
        if (ax == 1 || ay == 2) { /* N/S in the x column: the columns are the other way */
            double t = x;
            x = y;
            y = t;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, x, y);
        return g;
    }
    if (st->latlon_col >= 0) {
        const char *v = OGR_F_GetFieldAsString(f, st->latlon_col);
        double lat, lon;
        if (sscanf(v, " [ %lf , %lf ]", &lat, &lon) != 2) {
            *why = "_geolocation is not \"[lat, lon]\"";
            return NULL;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, lon, lat);
        return g;
    }
    if (st->geom_col >= 0) {
        const char *v = OGR_F_GetFieldAsString(f, st->geom_col);
        while (isspace((unsigned char)*v))
            v++;
        if (!*v) {
            *why = "no geometry";
            return NULL;
        }
        OGRGeometryH g = NULL;
        if (isalpha((unsigned char)*v)) {
            char *w = (char *)v;
            if (OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE) {
                *why = "geometry column is not valid WKT";
                return NULL;
            }
            return g;
        }
        g = parse_odk(v);
        if (!g)
            *why = "geometry column is neither WKT, an ODK geopoint/geotrace/geoshape "
                   "(\"lat lon alt acc\") nor \"lat, lon\"";
        return g;
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g) {
        *why = "no geometry";
        return NULL;
    }
    return OGR_G_Clone(g);
}

/* The first vertex (counted from 1 over the whole geometry) with a
 * coordinate that is no finite number (NaN, Infinity: GeoJSON as some tools
 * write it), its x and y in *x, *y; 0 when none. */
static long nonfinite_vertex(OGRGeometryH og, long *seen, double *x, double *y)
{
    int parts = OGR_G_GetGeometryCount(og);
    if (parts > 0) {
        for (int i = 0; i < parts; i++) {
            long v = nonfinite_vertex(OGR_G_GetGeometryRef(og, i), seen, x, y);
            if (v)
                return v;
        }
        return 0;
    }
    int k = OGR_G_GetPointCount(og);
    for (int i = 0; i < k; i++) {
        ++*seen;
        *x = OGR_G_GetX(og, i);
        *y = OGR_G_GetY(og, i);
        if (!isfinite(*x) || !isfinite(*y))
            return *seen;
    }
    return 0;
}

/* A polygon ring GEOS cannot build (it would say "bad WKB"): fewer than
 * three corners, or a last point not the first. 1, msg saying which ring of
 * which polygon (part, from 1) and what, when one is found; *open_only 1 when
 * the ring is only not closed (OGR_G_CloseRings mends it). */
static int bad_ring(OGRGeometryH og, int *part, char *msg, size_t n, int *open_only)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(og));
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(og); i++)
            if (bad_ring(OGR_G_GetGeometryRef(og, i), part, msg, n, open_only))
                return 1;
        return 0;
    }
    if (t != wkbPolygon)
        return 0;
    ++*part;
    for (int r = 0; r < OGR_G_GetGeometryCount(og); r++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(og, r);
        int k = OGR_G_GetPointCount(ring);
        char which[64];
        snprintf(which, sizeof which, "%s %d of polygon %d", r ? "hole" : "the outline, ring", r ? r : 1, *part);
        int closed = k > 0 && OGR_G_GetX(ring, 0) == OGR_G_GetX(ring, k - 1) &&
                     OGR_G_GetY(ring, 0) == OGR_G_GetY(ring, k - 1);
        int corners = closed ? k - 1 : k;
        *open_only = 0;
        if (corners < 3) {
            snprintf(msg, n, "geometry: %s has %d point%s: a ring needs three corners or more, and its first "
                     "point again at its end", which, k, k == 1 ? "" : "s");
            return 1;
        }
        if (!closed) {
            *open_only = 1;
            snprintf(msg, n, "geometry: %s is not closed: its last point (%.7g %.7g) is not its first (%.7g %.7g)",
                     which, OGR_G_GetX(ring, k - 1), OGR_G_GetY(ring, k - 1), OGR_G_GetX(ring, 0),
                     OGR_G_GetY(ring, 0));
            return 1;
        }
    }
    return 0;
}

static dm_status convert_geom(import_state *st, OGRGeometryH og, dm_geom **out, long *repaired,
                              long feature_no)
{
    dm_ctx *ctx = st->ctx;
    *out = NULL;
    if (OGR_G_HasCurveGeometry(og, TRUE)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(og, 0, NULL);
        OGR_G_DestroyGeometry(og);
        og = lin;
    }
    /* The layers store 2D coordinates: heights and measures are dropped,
     * counted for one warning per file. */
    if (OGR_G_Is3D(og) || OGR_G_IsMeasured(og)) {
        OGREnvelope3D e;
        OGR_G_GetEnvelope3D(og, &e);
        /* KML writes a height of 0 after every point: nothing is lost */
        if ((OGR_G_IsMeasured(og) || e.MinZ != 0 || e.MaxZ != 0) && !st->zm_n++)
            st->zm_first = feature_no;
        OGR_G_FlattenTo2D(og);
        OGR_G_SetMeasured(og, FALSE);
    }
    if (OGR_G_IsEmpty(og)) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_EGEOM, "geometry: empty: it has no coordinates, or none that reads as a number "
                                       "(NaN, text)");
    }
    long seen = 0;
    double bx = 0, by = 0;
    long bad_v = nonfinite_vertex(og, &seen, &bx, &by);
    if (bad_v) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_EGEOM, "geometry: vertex %ld is (%g %g): a coordinate that is no number", bad_v, bx,
                        by);
    }
    char ring_msg[320];
    int part = 0, open_only = 0;
    if (bad_ring(og, &part, ring_msg, sizeof ring_msg, &open_only)) {
        if (!open_only || !st->o->repair) {
            OGR_G_DestroyGeometry(og);
            return dm__fail(ctx, DM_EGEOM, "%s%s", ring_msg, open_only ? "; --repair closes it" : "");
        }
        /* --repair: every ring closed with its first point again */
        OGR_G_CloseRings(og);
        (*repaired)++;
        dm__log(ctx, DM_LOG_INFO, "%s: feature %ld: repaired geometry (%s: closed)", st->path, feature_no,
                ring_msg + strlen("geometry: "));
        part = 0;
        if (bad_ring(og, &part, ring_msg, sizeof ring_msg, &open_only)) {
            OGR_G_DestroyGeometry(og);
            return dm__fail(ctx, DM_EGEOM, "%s", ring_msg);
        }
    }
    if (st->oct && OGR_G_Transform(og, st->oct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_EPROJ, "geometry: cannot be transformed to WGS 84");
    }
    int n = OGR_G_WkbSize(og);
    unsigned char *wkb = malloc((size_t)n);
    if (!wkb) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    OGR_G_ExportToWkb(og, wkbNDR, wkb);
    OGR_G_DestroyGeometry(og);
    dm_geom *g = NULL;
    dm_status rc = dm_geom_from_wkb(ctx, wkb, (size_t)n, &g);
    free(wkb);
    if (rc)
        return dm__wrap(ctx, "geometry");
    char why[256];
    double x = 0, y = 0;
    if (st->o->repair && !dm_geom_is_valid(g, why, sizeof why, &x, &y)) {
        dm_geom *v = NULL;
        rc = dm_geom_make_valid(ctx, g, &v);
        dm_geom_free(g);
        if (rc)
            return dm__wrap(ctx, "geometry: cannot be repaired");
        g = v;
        (*repaired)++;
        dm__log(ctx, DM_LOG_INFO, "%s: feature %ld: repaired geometry (%s at %.7f %.7f)", st->path,
                feature_no, why, x, y);
    }
    *out = g;
    return DM_OK;
}

/* ------------------------------- values ------------------------------- */

/* The text of a source field as the store wants it: dates as ISO. Only a
 * DATE field's text is rewritten from "2012/03/04"; any other text is
 * passed whole (a note starting with a date was cut to 63 bytes). */
static const char *field_text(OGRFeatureH f, int i, dm_field_type target, char *buf, size_t n)
{
    OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(f, i);
    OGRFieldType t = OGR_Fld_GetType(fd);
    if (t == OFTDate || (t == OFTDateTime && target == DM_FT_DATE)) {
        int y, m, d, hh, mm, tz;
        float ss;
        if (OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &hh, &mm, &ss, &tz)) {
            snprintf(buf, n, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
            return buf;
        }
    }
    const char *v = OGR_F_GetFieldAsString(f, i);
    /* "2012/03/04" and "2012/03/04 10:00:00" from some drivers */
    if (target == DM_FT_DATE && strlen(v) >= 10 && strlen(v) < n && isdigit((unsigned char)v[0]) &&
        v[4] == '/' && v[7] == '/') {
        dm__strlcpy(buf, v, n);
        buf[4] = buf[7] = '-';
        return buf;
    }
    return v;
}

/* Offset of the first byte of v that is not part of valid UTF-8, or -1. */
static long bad_utf8_at(const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    for (long i = 0; p[i];) {
        size_t len = dm__utf8_char(v + i);
        if (!len)
            return i;
        i += (long)len;
    }
    return -1;
}

/* The line of a CSV file where data record no (1 = the first after the
 * header) starts, counting the lines of quoted values that hold line
 * breaks and the blank lines the CSV reader skips; 0 when not found. With
 * lines (n of them), the start of records 1..n there too, in one pass. */
static long csv_scan(const char *path, long no, long *lines, long n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    long line = 1, rec = 0, found = 0; /* rec 0 is the header */
    int quoted = 0, at_start = 1, c;
    while ((c = getc(fp)) != EOF) {
        if (c == '\r') { /* CR LF or a lone CR ends a line */
            int d = getc(fp);
            if (d != '\n' && d != EOF)
                ungetc(d, fp);
            c = '\n';
        }
        if (c == '\n') {
            line++;
            if (!quoted && !at_start) {
                rec++;
                at_start = 1;
            }
            continue; /* a blank line is no record */
        }
        if (at_start && rec >= 1 && rec <= n)
            lines[rec - 1] = line;
        if (at_start && rec == no) {
            found = line;
            if (rec >= n)
                break;
        }
        at_start = 0;
        if (c == '"')
            quoted = !quoted;
    }
    fclose(fp);
    return found;
}

static long csv_line_of(const char *path, long no) { return csv_scan(path, no, NULL, 0); }

/* ------------------------- areas in other units ------------------------- */

/* v, the value of source column i going to area field f, in hectares (its
 * unit converted), added to what the row has of f already when the column
 * adds up with another (IMSMA's reduced areas); v itself when it is no
 * number (the store refuses it, naming the field). */
static const char *area_value(const import_state *st, const dm_row *row, const dm_field_def *f, int i,
                              const char *v, char *buf, size_t n)
{
    const char *p = v;
    while (isspace((unsigned char)*p))
        p++;
    char *end = NULL;
    double x = strtod(p, &end);
    if (end == p)
        return v;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || !isfinite(x))
        return v;
    if (st->unit[i].mul)
        x = x * st->unit[i].mul / st->unit[i].div;
    const char *had = st->sum[i] ? dm_row_get(row, f->name) : NULL;
    if (had && *had)
        x += strtod(had, NULL);
    snprintf(buf, n, "%.12g", x);
    return buf;
}

/* ---------------------------- provenance ---------------------------- */

/* A time in UTC as the store keeps it (2024-05-01T10:00:00.000Z), from its
 * parts and a zone offset in minutes east of UTC; 0 when not a time. */
static int stamp_make(int y, int mo, int d, int h, int mi, double sec, int east_min, char out[25])
{
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || !(sec >= 0 && sec < 61) || east_min < -18 * 60 || east_min > 18 * 60)
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    time_t t0 = timegm(&tm);
    struct tm back;
    if (!gmtime_r(&t0, &back) || back.tm_mday != d) /* 31 April */
        return 0;
    int whole = (int)sec, ms = (int)((sec - whole) * 1000 + 0.5);
    if (ms == 1000)
        whole++, ms = 0;
    time_t t = t0 + h * 3600 + mi * 60 + whole - east_min * 60;
    struct tm u;
    if (!gmtime_r(&t, &u))
        return 0;
    char b[32];
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &u);
    snprintf(out, 25, "%.19s.%03dZ", b, ms);
    return 1;
}

/* An ISO 8601 date or date-time ("2024-05-01", "2024-05-01T10:00:00.123Z",
 * "2024-05-01 12:00:00+02:00"; UTC without a zone; '/' for '-' as some
 * drivers write them). */
static int stamp_parse(const char *v, char out[25])
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    char s1, s2;
    while (isspace((unsigned char)*v))
        v++;
    if (sscanf(v, "%4d%c%2d%c%2d%n", &y, &s1, &mo, &s2, &d, &n) != 5 || s1 != s2 ||
        (s1 != '-' && s1 != '/') || n != 10)
        return 0;
    const char *p = v + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return 0;
        p += 1 + m;
        if (*p == ':') {
            char *end = NULL;
            if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
                return 0;
            sec = strtod(p + 1, &end);
            p = end;
        }
    }
    int east = 0;
    if (*p == 'Z')
        p++;
    else if (*p == '+' || *p == '-') {
        int zh = 0, zm = 0, m = 0;
        if (sscanf(p + 1, "%2d%n", &zh, &m) != 1 || m != 2)
            return 0;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1])) {
            zm = (q[0] - '0') * 10 + (q[1] - '0');
            q += 2;
        }
        east = (zh * 60 + zm) * (*p == '-' ? -1 : 1);
        p = q;
    }
    while (isspace((unsigned char)*p))
        p++;
    return !*p && stamp_make(y, mo, d, h, mi, sec, east, out);
}

/* The provenance field i of feature f as a time stamp (text or a date-time
 * field of the file); 0 when not one. */
static int field_stamp(OGRFeatureH f, int i, char out[25])
{
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    if (t == OFTDateTime || t == OFTDate) {
        int y, mo, d, h, mi, tz;
        float sec;
        if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz))
            return 0;
        /* tz: 0 unknown, 1 local time (both taken as UTC), 100 UTC, else
         * 100 + quarter hours east */
        return stamp_make(y, mo, d, h, mi, sec, tz > 1 ? (tz - 100) * 15 : 0, out);
    }
    return stamp_parse(OGR_F_GetFieldAsString(f, i), out);
}

/* Keep the file's created, updated and author on the row: stamps between
 * 1900 and tomorrow, updated not before created (a missing one takes the
 * other's value). */
static dm_status set_provenance(import_state *st, OGRFeatureH f, dm_row *row)
{
    char stamp[2][25] = {"", ""}, who[256];
    const char *author = NULL;
    for (int i = 0; i < st->n_src; i++) {
        int t = st->target[i];
        if (t > SRC_CREATED || t < SRC_AUTHOR || !OGR_F_IsFieldSetAndNotNull(f, i))
            continue;
        const char *v = OGR_F_GetFieldAsString(f, i);
        const char *name = OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, i));
        if (t == SRC_AUTHOR) {
            long bad = bad_utf8_at(v);
            if (bad >= 0)
                return dm__fail(st->ctx, DM_EPARSE,
                                "field '%s': byte %ld (0x%02X) is not UTF-8 (save the file as "
                                "UTF-8)",
                                name, bad + 1, (unsigned)(unsigned char)v[bad]);
            while (isspace((unsigned char)*v))
                v++;
            size_t len = strlen(v);
            while (len && isspace((unsigned char)v[len - 1]))
                len--;
            if (len >= sizeof who)
                return dm__fail(st->ctx, DM_EPARSE, "field '%s': longer than %zu characters", name,
                                sizeof who - 1);
            memcpy(who, v, len);
            who[len] = '\0';
            if (len)
                author = who;
            continue;
        }
        int k = SRC_CREATED - t;
        if (!*v)
            continue;
        if (!field_stamp(f, i, stamp[k]))
            return dm__fail(st->ctx, DM_EPARSE,
                            "field '%s': '%s' is not a date or time (ISO 8601, e.g. "
                            "2024-05-01T10:00:00Z); drop it with --map '%s=-'",
                            name, v, name);
        time_t now = time(NULL) + 86400;
        struct tm tm;
        char tomorrow[32] = "9999";
        if (gmtime_r(&now, &tm))
            strftime(tomorrow, sizeof tomorrow, "%Y-%m-%dT23:59:59.999Z", &tm);
        if (strcmp(stamp[k], tomorrow) > 0)
            return dm__fail(st->ctx, DM_EPARSE, "field '%s': %s is in the future", name, stamp[k]);
        if (strcmp(stamp[k], "1900-01-01") < 0)
            return dm__fail(st->ctx, DM_EPARSE, "field '%s': %s is before 1900", name, stamp[k]);
    }
    if (stamp[0][0] && stamp[1][0] && strcmp(stamp[1], stamp[0]) < 0)
        return dm__fail(st->ctx, DM_EPARSE, "field 'updated': %s is before the created %s",
                        stamp[1], stamp[0]);
    const char *created = stamp[0][0] ? stamp[0] : stamp[1][0] ? stamp[1] : NULL;
    const char *updated = stamp[1][0] ? stamp[1] : created;
    if (!created && !author)
        return DM_OK;
    return dm__row_set_provenance(row, created, updated, author);
}

static void cleanup(import_state *st)
{
    free(st->target);
    st->target = NULL;
    free(st->unit);
    free(st->sum);
    st->unit = NULL;
    st->sum = NULL;
    free(st->choices);
    free(st->choice_of);
    st->choices = NULL;
    st->choice_of = NULL;
    if (st->oct)
        OCTDestroyCoordinateTransformation(st->oct);
    if (st->src_srs)
        OSRDestroySpatialReference(st->src_srs);
    if (st->wgs84)
        OSRDestroySpatialReference(st->wgs84);
    st->oct = NULL;
    st->src_srs = st->wgs84 = NULL;
}

/* ----------------------------- guesses ----------------------------- */

/* The encoding text with bytes that are not UTF-8 is most likely in: a
 * Cyrillic code page when most letters are high bytes (Russian), else a
 * Latin one. */
static const char *guess_encoding(const char *v)
{
    long ascii = 0, high = 0, c0 = 0, b0 = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (isalpha(*p))
            ascii++;
        else if (*p >= 0x80) {
            high++;
            if (*p >= 0xC0)
                c0++;
            else if (*p < 0xB0)
                b0++;
        }
    }
    if (high > ascii)
        return c0 >= b0 ? "CP1251" : "CP866";
    return "CP1252";
}

/* A CRS that projected coordinates x, y of the region may be in, as a
 * hint for a file without one: Pulkovo 1942 / Gauss-Kruger with its zone
 * number before the easting, or UTM. */
static void guess_crs(double x, double y, char *out, size_t n)
{
    out[0] = '\0';
    int gk_x = x >= 4e6 && x < 33e6 && y > 1e6 && y < 9e6;
    int gk_y =
        y >= 4e6 && y < 33e6 && x > 1e6 && x < 9e6 && floor(y / 1e6) >= 4 && fmod(y, 1e6) > 1e5;
    if (gk_x && fmod(x, 1e6) > 1e5 && x >= 4e6 && x / 1e6 > y / 1e6 + 1)
        snprintf(out, n,
                 " (an easting of %.0f with its zone %d in front looks like Pulkovo 1942 / "
                 "Gauss-Kruger zone %d: --crs EPSG:%d)",
                 x, (int)(x / 1e6), (int)(x / 1e6), 28400 + (int)(x / 1e6));
    else if (gk_y)
        snprintf(out, n,
                 " (x %.0f and y %.0f look like Soviet Gauss-Kruger with X the northing and Y "
                 "the easting: swap them with --x and --y, and pass --crs EPSG:%d)",
                 x, y, 28400 + (int)(y / 1e6));
    else if (x > 1e5 && x < 9e5 && y > 1e6 && y < 1e7)
        snprintf(out, n,
                 " (easting %.0f, northing %.0f look like UTM; in Azerbaijan zone 38N, "
                 "--crs EPSG:32638, west of 48 E, zone 39N, --crs EPSG:32639, east of it)",
                 x, y);
    else if (y > 1e5 && y < 9e5 && x > 1e6 && x < 1e7)
        snprintf(out, n,
                 " (x %.0f and y %.0f look like UTM with northing and easting swapped: swap "
                 "them with --x and --y and pass --crs, e.g. EPSG:32638)",
                 x, y);
    else if (fabs(x) <= 90 && fabs(y) > 90 && fabs(y) <= 180)
        snprintf(out, n, " (latitude and longitude swapped? name the columns with --x and --y)");
}

/* A source layer's fields that are no field of the layer (not mapped, no
 * metadata): those with a value somewhere stop the import; those empty in
 * every feature (a form's unused question, KML's description) carry
 * nothing and are dropped. */
static dm_status check_unknown(import_state *st, const int *unknown, int n_unknown, int names)
{
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    /* per unknown field: the first feature with a value in it, and the value */
    long *found_no = calloc((size_t)n_unknown, sizeof *found_no);
    char(*value)[64] = calloc((size_t)n_unknown, sizeof *value);
    if (!found_no || !value) {
        free(found_no);
        free(value);
        return dm__fail(st->ctx, DM_ENOMEM, "out of memory");
    }
    long no = 0;
    int n_found = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(st->ol);
    /* an import stops at the first; a check names every one */
    int all = st->check || names; /* every field's first value, or the first of any */
    while ((all ? n_found < n_unknown : !n_found) && (f = OGR_L_GetNextFeature(st->ol)) != NULL) {
        no++;
        /* a feature --only-geometry leaves out is not imported: its values
         * are no field's (an outline's ref among the finds) */
        if (left_out_feature(st, f)) {
            OGR_F_Destroy(f);
            continue;
        }
        for (int k = 0; k < n_unknown && (all || !n_found); k++) {
            int i = unknown[k];
            if (found_no[k] || !OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *v = OGR_F_GetFieldAsString(f, i);
            while (isspace((unsigned char)*v))
                v++;
            if (*v) {
                found_no[k] = no;
                n_found++;
                /* text in another code page: quoted as that (the one
                 * --encoding names, else the likely one), not cut to '' */
                char *recoded = NULL;
                if (bad_utf8_at(v) >= 0 &&
                    (recoded = CPLRecode(v, st->recode ? st->recode : guess_encoding(v), CPL_ENC_UTF8)))
                    v = recoded;
                snprintf(value[k], sizeof value[k], "%.40s%s", v, strlen(v) > 40 ? "..." : "");
                for (size_t c = strlen(value[k]); c > 0 && bad_utf8_at(value[k]) >= 0; c--)
                    value[k][c - 1] = '\0'; /* cut inside a character */
                CPLFree(recoded);
            }
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(st->ol);
    for (int k = 0; k < n_unknown; k++)
        st->target[unknown[k]] = SRC_DROP;
    const dm_layer_def *l = st->layer;
    dm_buf b;
    dm__buf_init(&b);
    for (size_t k = 0; k < l->n_fields; k++)
        dm__buf_printf(&b, "%s%s", k ? ", " : "", l->fields[k].name);
    /* a KoboToolbox export headed by labels someone edited in its form
     * builder: its names are still the form's */
    const char *kobo = find_col(st, "_uuid") >= 0 || find_col(st, "_submission_time") >= 0
                           ? "; if the form's labels were edited in KoboToolbox, download the data again "
                             "with \"XML values and headers\": its columns then carry the questions' names"
                           : "";
    dm_status rc = DM_OK;
    for (int k = 0; k < n_unknown && !rc; k++) {
        if (!found_no[k])
            continue;
        const char *full = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, unknown[k]));
        long line = st->is_csv ? csv_line_of(st->read_path, found_no[k]) : 0;
        char where[64] = "";
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        char src[300] = "";
        if (st->n_layers > 1)
            snprintf(src, sizeof src, "layer '%s': ", OGR_L_GetName(st->ol));
        if (names) {
            if (st->names_warned++)
                continue; /* once a file */
            char msg[600];
            snprintf(msg, sizeof msg,
                     "%sfield '%s' of the %s (feature %ld%s: '%s') is not a field of layer %s: "
                     "dropped; keep it with --map '%s=FIELD'",
                     src, full, !strcmp(st->drv, "GPX") ? "waypoints" : "placemarks", found_no[k],
                     where, value[k], l->name, full);
            if (st->check)
                dm__check_add(st->check, DM_CHECK_WARNING, "field_dropped", l->name, "", NULL, NAN, NAN,
                              "%s", msg);
            else
                dm__log(st->ctx, DM_LOG_WARN, "%s: %s", st->path, msg);
            continue;
        }
        if (st->check) {
            char id[128];
            snprintf(id, sizeof id, "feature %ld%s", found_no[k], where);
            dm__check_add(st->check, DM_CHECK_ERROR, "unknown_field", l->name, id, NULL, NAN, NAN,
                          "%sfield '%s' is not a field of layer %s, and has '%s' in it: import "
                          "refuses it; map it with --map '%s=%s', drop it with --map '%s=-', "
                          "or pass --ignore-unknown%s",
                          src, full, l->name, value[k], full,
                          dm__field_near(l, full) ? dm__field_near(l, full) : "FIELD", full, kobo);
            continue;
        }
        const char *near = dm__field_near(l, full);
        if (near)
            rc = dm__fail(st->ctx, DM_ENOTFOUND,
                          "%s: %sfield '%s' is not a field of layer %s (did you mean '%s'?), and feature "
                          "%ld%s has '%s' in it; map it with --map '%s=%s', drop it with --map "
                          "'%s=-', or pass --ignore-unknown%s",
                          st->path, src, full, l->name, near, found_no[k], where, value[k], full, near, full,
                          kobo);
        else
            rc = dm__fail(st->ctx, DM_ENOTFOUND,
                          "%s: %sfield '%s' is not a field of layer %s (its fields: %s), and feature "
                          "%ld%s has '%s' in it; map it with --map '%s=FIELD', drop it with --map "
                          "'%s=-', or pass --ignore-unknown%s",
                          st->path, src, full, l->name, b.data ? b.data : "", found_no[k], where,
                          value[k], full, full, kobo);
    }
    dm__buf_free(&b);
    free(found_no);
    free(value);
    return rc;
}

/* ---------------------------- repeated rows ---------------------------- */

/* Hashes of the rows imported, to warn of a row that repeats another of
 * the file (a pasted block, an export appended twice). */
typedef struct dup_set {
    uint64_t *hash;
    long *feature;
    size_t n, cap;
    long n_dup, first_dup, first_of;
} dup_set;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211u;
    return h;
}

static uint64_t row_hash(const dm_layer_def *l, const dm_row *row, const double *bounds)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < l->n_fields; i++) {
        const char *v = dm_row_get(row, l->fields[i].name);
        h = fnv(h, v ? v : "\x01", v ? strlen(v) + 1 : 1);
    }
    if (bounds)
        h = fnv(h, bounds, 4 * sizeof *bounds);
    return h;
}

/* Record h for feature; the feature an earlier row with the same hash came
 * from, or 0. -1 when out of memory. */
static long dup_add(dup_set *d, uint64_t h, long feature)
{
    if (4 * (d->n + 1) > 3 * d->cap) { /* grown at three quarters full */
        size_t nc = d->cap ? 2 * d->cap : 1024;
        uint64_t *hh = calloc(nc, sizeof *hh);
        long *ff = calloc(nc, sizeof *ff);
        if (!hh || !ff) {
            free(hh);
            free(ff);
            return -1;
        }
        for (size_t i = 0; i < d->cap; i++) {
            if (!d->feature[i])
                continue;
            size_t j = (size_t)d->hash[i] & (nc - 1);
            while (ff[j])
                j = (j + 1) & (nc - 1);
            hh[j] = d->hash[i];
            ff[j] = d->feature[i];
        }
        free(d->hash);
        free(d->feature);
        d->hash = hh;
        d->feature = ff;
        d->cap = nc;
    }
    size_t j = (size_t)h & (d->cap - 1);
    for (; d->feature[j]; j = (j + 1) & (d->cap - 1))
        if (d->hash[j] == h)
            return d->feature[j];
    d->hash[j] = h;
    d->feature[j] = feature;
    d->n++;
    return 0;
}

/* After an insert refused as a conflict: the row the feature collides with.
 * One inserted by an earlier feature of this file is an error naming that
 * feature; one already in the database is skipped under skip_existing, or
 * the store's refusal stands with a hint. */
static dm_status existing_row(import_state *st, const seen_set *seen, dm_row *row, int *skip)
{
    char owner[37];
    int by_uuid = 0;
    int e = dm_store_existing(st->s, row, owner, &by_uuid);
    if (e < 0)
        return dm_ctx_errcode(st->ctx);
    if (e == 0)
        return DM_ECONFLICT; /* another conflict: the store's message stands */
    long k = seen_find(seen, owner);
    if (k > 0) {
        char where[64] = "";
        long line = st->is_csv ? csv_line_of(st->read_path, k) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        if (by_uuid)
            return dm__fail(st->ctx, DM_ECONFLICT,
                            "uuid %s is also the uuid of feature %ld%s of "
                            "this file",
                            owner, k, where);
        return dm__fail(st->ctx, DM_ECONFLICT,
                        "field 'ref': '%s' is also the ref of feature %ld%s of this file",
                        dm_row_get(row, "ref"), k, where);
    }
    if (st->o->skip_existing) {
        *skip = 1;
        return DM_OK;
    }
    char msg[1024];
    dm__strlcpy(msg, dm_ctx_errmsg(st->ctx), sizeof msg);
    return dm__fail(st->ctx, DM_ECONFLICT,
                    "%s (import with --skip-existing to skip rows already in the layer)", msg);
}

/* What a file's first bytes say it is, when that is not what its extension
 * says (an XLSX saved as .csv, a CSV renamed .xlsx): a phrase naming it and
 * the extension to give, or NULL. */
static const char *content_not_extension(const char *path, const char *drv)
{
    unsigned char b[512] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    int zip = n >= 4 && !memcmp(b, "PK\x03\x04", 4);
    int sqlite = n >= 16 && !memcmp(b, "SQLite format 3", 16);
    size_t k = 0;
    if (n >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
        k = 3;
    while (k < n && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r' || b[k] == '\n'))
        k++;
    int json = k < n && (b[k] == '{' || b[k] == '[');
    int xml = k < n && b[k] == '<';
    int text = n > 0 && !zip && !sqlite && !memchr(b, 0, n);
    /* text of columns: its first line holds a separator */
    size_t line = 0;
    while (line < n && b[line] != '\n')
        line++;
    int columns = text && (memchr(b, ',', line) || memchr(b, ';', line) || memchr(b, '\t', line));
    int is = drv ? 0 : -1;
    if (drv && (!strcmp(drv, "XLSX") || !strcmp(drv, "ODS")))
        is = zip;
    else if (drv && (!strcmp(drv, "GPKG") || !strcmp(drv, "SQLite")))
        is = sqlite;
    else if (drv && (!strcmp(drv, "GeoJSON") || !strcmp(drv, "GeoJSONSeq")))
        is = json || !text;
    else if (drv && (!strcmp(drv, "KML") || !strcmp(drv, "GPX") || !strcmp(drv, "GML")))
        is = xml || !text;
    else if (drv && !strcmp(drv, "CSV"))
        is = text;
    if (is)
        return NULL;
    return zip       ? "a ZIP archive (an XLSX workbook, a KMZ, zipped Shapefiles: give it the extension of "
                       "what it is, .xlsx or .kmz, or unzip it)"
           : sqlite  ? "a SQLite database (a GeoPackage: give it the extension .gpkg)"
           : json    ? "JSON text (GeoJSON: give it the extension .geojson)"
           : xml     ? "XML text (KML or GPX: give it the extension .kml or .gpx)"
           : columns ? "text in columns (a CSV: give it the extension .csv)"
                     : NULL;
}

/* The layers of the file to import: the one named, the one named like
 * the target layer, every folder of a KML file, or the first. */
static dm_status pick_layers(dm_ctx *ctx, GDALDatasetH ds, const char *path, const char *drv,
                             const dm_import_opts *o, const dm_layer_def *layer, OGRLayerH **out,
                             int *n_out)
{
    int n = GDALDatasetGetLayerCount(ds);
    OGRLayerH *ls = calloc((size_t)(n > 0 ? n : 1), sizeof *ls);
    if (!ls)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    *out = ls;
    *n_out = 0;
    if (o->src_layer) {
        ls[0] = GDALDatasetGetLayerByName(ds, o->src_layer);
        if (!ls[0]) {
            dm_buf b;
            dm__buf_init(&b);
            for (int i = 0; i < n; i++)
                dm__buf_printf(&b, "%s'%s'", i ? ", " : "",
                               OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
            dm__fail(ctx, DM_ENOTFOUND, "%s: no layer '%s' in the file (its layers: %s)", path,
                     o->src_layer, b.data ? b.data : "none");
            dm__buf_free(&b);
            return DM_ENOTFOUND;
        }
        *n_out = 1;
        return DM_OK;
    }
    ls[0] = GDALDatasetGetLayerByName(ds, layer->name);
    if (ls[0]) {
        *n_out = 1;
        return DM_OK;
    }
    if (n <= 0)
        return dm__fail(ctx, DM_EPARSE, "%s: the file holds no layer", path);
    /* KML folders are how the file was drawn up, not different data */
    if (drv && (!strcmp(drv, "LIBKML") || !strcmp(drv, "KML"))) {
        for (int i = 0; i < n; i++) {
            OGRLayerH l = GDALDatasetGetLayer(ds, i);
            if (OGR_L_GetFeatureCount(l, TRUE) > 0)
                ls[(*n_out)++] = l;
        }
        if (!*n_out)
            ls[(*n_out)++] = GDALDatasetGetLayer(ds, 0);
        return DM_OK;
    }
    ls[(*n_out)++] = GDALDatasetGetLayer(ds, 0);
    dm_buf b;
    dm__buf_init(&b);
    int others = 0;
    for (int i = 1; i < n; i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        if (OGR_L_GetFeatureCount(l, TRUE) > 0)
            dm__buf_printf(&b, "%s'%s'", others++ ? ", " : "", OGR_L_GetName(l));
    }
    if (others && OGR_L_GetFeatureCount(ls[0], TRUE) == 0) {
        /* a GPX of a track alone: its first layer (waypoints) is empty, and
         * importing it would import nothing */
        dm__fail(ctx, DM_EPARSE,
                 "%s: its first layer '%s' holds no feature; %s %s: import %s with --src-layer NAME", path,
                 OGR_L_GetName(ls[0]), b.data, others == 1 ? "does" : "do", others == 1 ? "it" : "one");
        dm__buf_free(&b);
        return DM_EPARSE;
    }
    if (others)
        dm__log(ctx, DM_LOG_WARN,
                "%s: importing its first layer '%s'; it has %d more with features (%s): import "
                "each with --src-layer NAME",
                path, OGR_L_GetName(ls[0]), others, b.data);
    dm__buf_free(&b);
    return DM_OK;
}

/* The name of a KML file's document (the layer of the placemarks outside
 * any folder is named after it), or "". */
static void kml_document_name(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    char head[65536];
    size_t len = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    head[len] = '\0';
    const char *doc = strstr(head, "<Document");
    const char *name = doc ? strstr(doc, "<name>") : NULL;
    const char *stop = doc ? strpbrk(doc + 1, "<") : NULL;
    /* the document's own name comes before its first folder or placemark */
    for (const char *p = stop; p && p < (name ? name : p); p = strchr(p + 1, '<'))
        if (!strncmp(p, "<Folder", 7) || !strncmp(p, "<Placemark", 10))
            return;
    if (!name)
        return;
    name += 6;
    const char *end = strstr(name, "</name>");
    if (!end || (size_t)(end - name) >= n)
        return;
    memcpy(out, name, (size_t)(end - name));
    out[end - name] = '\0';
}

/* The first line of a CSV file separates its values with semicolons (a
 * European Excel's, whose numbers have decimal commas). */
static int csv_semicolons(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int c, quoted = 0, sep = 0;
    while ((c = fgetc(f)) != EOF && c != '\n' && !sep) {
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == ',' || c == ';' || c == '\t'))
            sep = c;
    }
    fclose(f);
    return sep == ';';
}

/* Everything an import keeps across the layers of its file. */
typedef struct import_run {
    dm_import_result *res;
    dm_row *row;
    seen_set seen;
    dup_set dups;
    long empty, closed_lines;
    int n_layers; /* source layers imported: errors name the layer when several */
    uint64_t done, total;
    int have_extent;
    double extent[4]; /* the database's data before the import */
    double *pts;      /* x, y, feature, layer of the points read in WGS 84 (columns, or geometries) */
    size_t n_pts, cap_pts;
    /* checking */
    dup_set refs;                /* the refs and uuids read: one used twice in the file */
    long *lines, n_lines;        /* CSV: the line each record starts on */
    dm__check_geomrow *rows;     /* geometries for the pairwise checks */
    size_t n_rows, cap_rows;
    /* kinds of geometry */
    int only;                    /* the kind only_geometry names, else 0 */
    long kinds[DM_IMPORT_KINDS]; /* features read, by kind as the layer takes them */
    long misfits;                /* features of a kind the layer does not hold */
    OGRLayerH *layers;           /* the file's layers read (n_layers) */
    int layer_index;             /* the one being read */
} import_run;

/* The line of a CSV file record no starts on, or 0. */
static long line_of(const import_state *st, const import_run *run, long no)
{
    if (!st->is_csv)
        return 0;
    if (run->lines && no >= 1 && no <= run->n_lines)
        return run->lines[no - 1];
    return csv_line_of(st->read_path, no);
}

/* "feature 3" or "feature 3 (line 4)". */
static const char *feature_id(const import_state *st, const import_run *run, long no, char *buf,
                              size_t n)
{
    long line = line_of(st, run, no);
    if (line > 0)
        snprintf(buf, n, "feature %ld (line %ld)", no, line);
    else
        snprintf(buf, n, "feature %ld", no);
    return buf;
}

/* " REF": the feature's ref (or name) from column col, for an import's
 * error, as a check names the row; "" when it has none, or none that is
 * UTF-8 (a file of another code page: the feature number says it). */
static void row_label(OGRFeatureH f, int col, char *buf, size_t n)
{
    buf[0] = '\0';
    if (col < 0 || !OGR_F_IsFieldSetAndNotNull(f, col))
        return;
    const char *v = OGR_F_GetFieldAsString(f, col);
    while (v && isspace((unsigned char)*v))
        v++;
    if (!v || !*v)
        return;
    size_t len = 0, k;
    while (v[len] && len < 64 && (k = dm__utf8_char(v + len)) > 0)
        len += k;
    if (v[len] && len < 64)
        return; /* not UTF-8 */
    snprintf(buf, n, " %.*s", (int)len, v);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
}

static const char *where_layer(const import_state *st, const import_run *run, char *buf, size_t n)
{
    if (run->n_layers > 1)
        snprintf(buf, n, "layer '%s': ", OGR_L_GetName(st->ol));
    else
        buf[0] = '\0';
    return buf;
}

/* Closed lines (a perimeter walked with a GPS, drawn in CAD) into a layer
 * of polygons: the polygons they enclose. NULL when og is no such line. */
static int is_closed_lines(OGRGeometryH og)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(og));
    if (t != wkbLineString && t != wkbMultiLineString)
        return 0;
    int parts = t == wkbLineString ? 1 : OGR_G_GetGeometryCount(og);
    if (!parts)
        return 0;
    for (int i = 0; i < parts; i++) {
        OGRGeometryH line = t == wkbLineString ? og : OGR_G_GetGeometryRef(og, i);
        int n = OGR_G_GetPointCount(line);
        if (n < 4 || OGR_G_GetX(line, 0) != OGR_G_GetX(line, n - 1) ||
            OGR_G_GetY(line, 0) != OGR_G_GetY(line, n - 1))
            return 0;
    }
    return 1;
}

static OGRGeometryH closed_lines_to_polygons(OGRGeometryH og)
{
    if (!is_closed_lines(og))
        return NULL;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(og));
    int parts = t == wkbLineString ? 1 : OGR_G_GetGeometryCount(og);
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (int i = 0; i < parts; i++) {
        OGRGeometryH line = t == wkbLineString ? og : OGR_G_GetGeometryRef(og, i);
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        int n = OGR_G_GetPointCount(line);
        for (int k = 0; k < n; k++)
            OGR_G_SetPoint_2D(ring, k, OGR_G_GetX(line, k), OGR_G_GetY(line, k));
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        OGR_G_AddGeometryDirectly(mp, poly);
    }
    return mp;
}

/* -------------------------- kinds of geometry -------------------------- */

/* The kind (DM_IMPORT_KIND_*) of a geometry as the file has it. */
static int geom_kind(OGRGeometryH og)
{
    if (!og)
        return DM_IMPORT_KIND_NONE;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(og));
    if (t == wkbPoint || t == wkbMultiPoint)
        return DM_IMPORT_KIND_POINT;
    if (OGR_GT_IsCurve(t) || t == wkbMultiLineString || t == wkbMultiCurve)
        return DM_IMPORT_KIND_LINE;
    if (OGR_GT_IsSurface(t) || t == wkbMultiPolygon || t == wkbMultiSurface || t == wkbPolyhedralSurface ||
        t == wkbTIN)
        return DM_IMPORT_KIND_POLYGON;
    return DM_IMPORT_KIND_OTHER;
}

/* The kind of geometry a layer holds, 0 when any (or none). */
static int layer_kind(const dm_layer_def *l)
{
    if (!l->geom_type)
        return 0;
    if (!strcmp(l->geom_type, "POINT"))
        return DM_IMPORT_KIND_POINT;
    if (!strcmp(l->geom_type, "LINESTRING"))
        return DM_IMPORT_KIND_LINE;
    if (!strcmp(l->geom_type, "MULTIPOLYGON"))
        return DM_IMPORT_KIND_POLYGON;
    return 0;
}

/* The kind of a feature's geometry as the layer takes it: closed lines
 * into a layer of polygons are the polygons they enclose. */
static int feature_kind(const import_state *st, OGRGeometryH og)
{
    int k = geom_kind(og);
    if (k == DM_IMPORT_KIND_LINE && layer_kind(st->layer) == DM_IMPORT_KIND_POLYGON && is_closed_lines(og))
        return DM_IMPORT_KIND_POLYGON;
    return k;
}

/* Whether --only-geometry leaves feature f out, as import_layer does: its
 * geometry is of another kind (one without geometry is of no kind, and is
 * not left out). */
static int left_out_feature(import_state *st, OGRFeatureH f)
{
    if (!st->only || !st->layer->geom_type)
        return 0;
    const char *why = NULL;
    OGRGeometryH og = feature_geom(st, f, &why);
    int kind = og ? feature_kind(st, og) : DM_IMPORT_KIND_NONE;
    if (og)
        OGR_G_DestroyGeometry(og);
    return kind != st->only && kind != DM_IMPORT_KIND_NONE;
}

static const char *const kind_words[DM_IMPORT_KINDS][2] = {
    {"without geometry", "without geometry"}, {"point", "points"},   {"line", "lines"},
    {"polygon", "polygons"},                  {"geometry collection", "geometry collections"}};

/* The kind --only-geometry names, or -1. */
static int only_kind(const char *w)
{
    static const char *const names[][3] = {{"point", "points", "multipoint"},
                                           {"line", "lines", "linestring"},
                                           {"polygon", "polygons", "multipolygon"}};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
            if (!dm__strcasecmp(w, names[k][i]))
                return DM_IMPORT_KIND_POINT + k;
    return -1;
}

const char *dm_import_kinds_text(const long *counts, char *buf, size_t n)
{
    static const int order[] = {DM_IMPORT_KIND_POINT, DM_IMPORT_KIND_LINE, DM_IMPORT_KIND_POLYGON,
                                DM_IMPORT_KIND_OTHER, DM_IMPORT_KIND_NONE};
    int parts = 0, total = 0;
    for (int i = 0; i < DM_IMPORT_KINDS; i++)
        total += counts[i] > 0;
    if (!n)
        return buf;
    buf[0] = '\0';
    if (!total) {
        dm__strlcpy(buf, "no features", n);
        return buf;
    }
    size_t len = 0;
    for (int i = 0; i < DM_IMPORT_KINDS; i++) {
        int k = order[i];
        if (counts[k] <= 0)
            continue;
        parts++;
        const char *sep = parts == 1 ? "" : parts == total ? " and " : ", ";
        int w = snprintf(buf + len, n - len, "%s%ld %s", sep, counts[k], kind_words[k][counts[k] != 1]);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
    return buf;
}

/* ------------------------------ checking ------------------------------ */

/* What an import would refuse in feature no, as an error of the check (the
 * context's message, which names the field), and the check goes on. */
static void check_refusal(import_state *st, const import_run *run, long no, const char *ref,
                          dm_status rc)
{
    const char *msg = dm_ctx_errmsg(st->ctx);
    const char *code = "bad_value";
    if (rc == DM_EGEOM || rc == DM_EPROJ)
        code = strstr(msg, "coordinate") || strstr(msg, "hemisphere") || strstr(msg, "_geolocation") ||
                       strstr(msg, "geometry column")
                   ? "bad_coordinate"
                   : "invalid_geometry";
    char id[48], wl[300];
    dm__check_add(st->check, DM_CHECK_ERROR, code, st->layer->name, feature_id(st, run, no, id, sizeof id),
                  ref, NAN, NAN, "%s%s", where_layer(st, run, wl, sizeof wl), msg);
    dm_ctx_clear_error(st->ctx);
}

/* Field of feature no (labelled label: " AGD-1") holds text v whose byte
 * bad is not UTF-8: counted once a feature, the first kept. */
static void enc_note(import_state *st, const char *field, long no, const char *label, const char *v, long bad)
{
    enc_bad *e = NULL;
    for (int k = 0; k < st->n_enc && !e; k++)
        if (!strcmp(st->enc[k].field, field))
            e = &st->enc[k];
    if (!e) {
        if (st->n_enc == ENC_FIELDS)
            return; /* the first fields are named, and say what to do */
        e = &st->enc[st->n_enc++];
        memset(e, 0, sizeof *e);
        dm__strlcpy(e->field, field, sizeof e->field);
    }
    if (e->last == no)
        return; /* two columns into one field */
    e->last = no;
    if (e->n++)
        return;
    e->first = no;
    dm__strlcpy(e->label, label, sizeof e->label);
    e->byte = bad + 1;
    e->value = (unsigned char)v[bad];
    dm__strlcpy(e->enc, guess_encoding(v), sizeof e->enc);
}

/* The value of column i as the import reads it (recoded from --encoding):
 * its text not UTF-8 noted. Returns whether it is so. */
static int enc_check_value(import_state *st, OGRFeatureH f, int i, long no, const char *label)
{
    int t = st->target[i];
    char buf[64];
    const char *v = field_text(f, i, t >= 0 ? st->layer->fields[t].type : DM_FT_TEXT, buf, sizeof buf);
    char *recoded = NULL;
    if (st->recode && OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i)) == OFTString &&
        (recoded = CPLRecode(v, st->recode, CPL_ENC_UTF8)))
        v = recoded;
    long bad = bad_utf8_at(v);
    if (bad >= 0)
        enc_note(st, t >= 0 ? st->layer->fields[t].name : OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, i)), no,
                 label, v, bad);
    CPLFree(recoded);
    return bad >= 0;
}

/* An import that met text not UTF-8 reads the rest of the layer for more
 * such text, to say how much there is: feature no's values. */
static void enc_scan(import_state *st, OGRFeatureH f, long no, int ref_col)
{
    char label[80];
    row_label(f, ref_col, label, sizeof label);
    for (int i = 0; i < st->n_src; i++) {
        int t = st->target[i];
        if ((t >= 0 || t == SRC_UUID) && OGR_F_IsFieldSetAndNotNull(f, i))
            enc_check_value(st, f, i, no, label);
    }
}

/* What encoding st->enc[0]'s bytes look like, in words. */
static const char *enc_words(const char *enc)
{
    return !strcmp(enc, "CP1251") ? "Windows-1251 (Cyrillic)"
           : !strcmp(enc, "CP866") ? "DOS 866 (Cyrillic)"
                                   : "Windows-1252 or Latin-1";
}

/* The text not UTF-8 of the layer read, said once for each field: an
 * import's error (DM_EPARSE, naming the file, each field with how many
 * features and the first, and the --encoding to give), or a check's
 * errors, one a field. */
static dm_status enc_report(import_state *st, const import_run *run)
{
    if (!st->n_enc)
        return DM_OK;
    char wl[300], id[48];
    where_layer(st, run, wl, sizeof wl);
    const enc_bad *e0 = &st->enc[0];
    char fix[300];
    snprintf(fix, sizeof fix,
             "the file is in another encoding, by its bytes likely %s; import it with --encoding %s, or save "
             "it as UTF-8",
             enc_words(e0->enc), e0->enc);
    if (st->check) {
        for (int k = 0; k < st->n_enc; k++) {
            const enc_bad *e = &st->enc[k];
            if (e->n == 1)
                dm__check_add(st->check, DM_CHECK_ERROR, "bad_value", st->layer->name,
                              feature_id(st, run, e->first, id, sizeof id), e->label[0] ? e->label + 1 : "", NAN,
                              NAN, "%sfield '%s': byte %ld (0x%02X) is not UTF-8: %s", wl, e->field, e->byte,
                              (unsigned)e->value, fix);
            else
                dm__check_add(st->check, DM_CHECK_ERROR, "bad_value", st->layer->name,
                              feature_id(st, run, e->first, id, sizeof id), e->label[0] ? e->label + 1 : "", NAN,
                              NAN,
                              "%sfield '%s': text that is not UTF-8 in %ld features (this the first, byte %ld "
                              "(0x%02X)): %s",
                              wl, e->field, e->n, e->byte, (unsigned)e->value, fix);
        }
        st->n_enc = 0;
        return DM_OK;
    }
    if (st->n_enc == 1 && e0->n == 1)
        return dm__fail(st->ctx, DM_EPARSE, "%s: %s%s%s: field '%s': byte %ld (0x%02X) is not UTF-8: %s", st->path,
                        wl, feature_id(st, run, e0->first, id, sizeof id), e0->label, e0->field, e0->byte,
                        (unsigned)e0->value, fix);
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "%s: %stext that is not UTF-8 in ", st->path, wl);
    for (int k = 0; k < st->n_enc; k++) {
        const enc_bad *e = &st->enc[k];
        feature_id(st, run, e->first, id, sizeof id);
        dm__buf_printf(&b, "%sfield '%s' of ", k == 0 ? "" : k == st->n_enc - 1 ? " and " : ", ", e->field);
        if (e->n == 1)
            dm__buf_printf(&b, "%s%s (byte %ld, 0x%02X)", id, e->label, e->byte, (unsigned)e->value);
        else
            dm__buf_printf(&b, "%ld features (the first: %s%s, byte %ld, 0x%02X)", e->n, id, e->label, e->byte,
                           (unsigned)e->value);
    }
    dm__buf_printf(&b, ": %s", fix);
    dm_status rc = b.oom ? dm__fail(st->ctx, DM_ENOMEM, "out of memory") : dm__fail(st->ctx, DM_EPARSE, "%s", b.data);
    dm__buf_free(&b);
    return rc;
}

/* A row repeating another: its values (the source's, when checked as no
 * layer) and its place. */
static uint64_t feature_hash(import_state *st, OGRFeatureH f, const dm_row *row, const double *bounds)
{
    if (st->layer != &file_layer)
        return row_hash(st->layer, row, bounds);
    uint64_t h = 14695981039346656037u;
    for (int i = 0; i < st->n_src; i++) {
        if (st->target[i] == SRC_COORD)
            continue;
        const char *v = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : NULL;
        h = fnv(h, v ? v : "\x01", v ? strlen(v) + 1 : 1);
    }
    if (bounds)
        h = fnv(h, bounds, 4 * sizeof *bounds);
    return h;
}

/* Does a column of the file (or a --set) give field i of the layer? */
static int field_has_source(const import_state *st, size_t i)
{
    for (int k = 0; k < st->n_src; k++)
        if (st->target[k] == (int)i)
            return 1;
    if (st->choices && st->choices[i].n)
        return 1; /* the columns of its choices */
    for (size_t k = 0; k < st->o->n_set; k++)
        if (!dm__strcasecmp(st->o->set_field[k], st->layer->fields[i].name))
            return 1;
    return 0;
}

/* Column i of f as a date field reads it (12.05.2021 day first) into
 * out (YYYY-MM-DD): 0 when it is empty or no date. */
static int file_date(import_state *st, OGRFeatureH f, int i, char out[11])
{
    if (!OGR_F_IsFieldSetAndNotNull(f, i))
        return 0;
    const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
    dm_field_def date = {name, DM_FT_DATE, 0, NULL, NULL, 0, 0, NULL};
    char buf[64], norm[64];
    const char *v = field_text(f, i, DM_FT_DATE, buf, sizeof buf);
    if (dm_field_normalise(st->ctx, &date, v, norm, sizeof norm)) {
        dm_ctx_clear_error(st->ctx);
        return 0;
    }
    return dm_date_parse(norm, out);
}

/* Check what import would write of feature no (its values in row, its
 * geometry g, owned here) as the store checks it, reporting every fault. */
static void check_row(import_state *st, import_run *run, OGRFeatureH f, dm_row *row, dm_geom *g,
                      const char *uuid, long no, const char *ref, double px, double py)
{
    dm_ctx *ctx = st->ctx;
    const dm_layer_def *l = st->layer;
    dm_check_report *r = st->check;
    const char *ln = l->name;
    char id[48], wl[300], norm[4096];
    feature_id(st, run, no, id, sizeof id);
    where_layer(st, run, wl, sizeof wl);
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *fd = &l->fields[i];
        const char *v = dm_row_get(row, fd->name);
        while (v && (*v == ' ' || *v == '\t'))
            v++;
        if (!v || !*v) {
            if ((fd->flags & DM_FIELD_REQUIRED) && field_has_source(st, i))
                dm__check_add(r, DM_CHECK_ERROR, "missing_value", ln, id, ref, NAN, NAN,
                              "%sfield '%s': required but missing", wl, fd->name);
            continue;
        }
        if (dm_field_normalise(ctx, fd, v, norm, sizeof norm)) {
            dm__check_add(r, DM_CHECK_ERROR, "bad_value", ln, id, ref, NAN, NAN, "%sfield '%s': %s",
                          wl, fd->name, dm_ctx_errmsg(ctx));
            dm_ctx_clear_error(ctx);
            continue;
        }
        if (fd->type == DM_FT_REF && st->s) {
            const dm_layer_def *rl = dm_layer_find(fd->ref_layer);
            char u[37];
            if (dm_store_resolve(st->s, rl ? rl->name : fd->ref_layer, norm, NULL, u)) {
                dm__check_add(r, DM_CHECK_ERROR, "bad_value", ln, id, ref, NAN, NAN,
                              "%sfield '%s': no %s with id or ref '%s' in the database", wl, fd->name,
                              fd->ref_layer, norm);
                dm_ctx_clear_error(ctx);
            }
        }
        if (fd->type == DM_FT_DATE && !(l->flags & DM_LAYER_SYSTEM))
            dm__check_date(r, ln, id, ref, fd->name, norm);
    }
    /* a hazard's remaining area within its estimate, as the import refuses it */
    if (!strcmp(ln, "hazards")) {
        const char *est = dm_row_get(row, "est_area_ha"), *left = dm_row_get(row, "remaining_area_ha");
        char ne[64], nl[64];
        const dm_field_def *fe = dm_field_find(l, "est_area_ha"), *fl = dm_field_find(l, "remaining_area_ha");
        double ha = NAN;
        /* no estimate given: the import takes the polygon's area */
        if (!est && g && dm_geom_area_ha(ctx, g, &ha))
            ha = NAN;
        ha = round(ha * 1e4) / 1e4; /* as the store keeps it */
        if (left && fe && fl && !dm_field_normalise(ctx, fl, left, nl, sizeof nl) &&
            (est ? !dm_field_normalise(ctx, fe, est, ne, sizeof ne) : isfinite(ha)) &&
            dm__hazard_areas_check(ctx, strtod(nl, NULL), est ? strtod(ne, NULL) : ha, !est))
            dm__check_add(r, DM_CHECK_ERROR, "bad_value", ln, id, ref, NAN, NAN, "%s%s", wl, dm_ctx_errmsg(ctx));
        dm_ctx_clear_error(ctx);
    }
    /* no layer: any column named like a date */
    for (int i = 0; l == &file_layer && i < st->n_src; i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
        if (!strcasestr(name, "date") || !OGR_F_IsFieldSetAndNotNull(f, i))
            continue;
        /* read as a date field of a layer reads it (12.05.2021 day first) */
        dm_field_def date = {name, DM_FT_DATE, 0, NULL, NULL, 0, 0, NULL};
        char buf[64];
        const char *v = field_text(f, i, DM_FT_DATE, buf, sizeof buf);
        if (dm_field_normalise(ctx, &date, v, norm, sizeof norm)) {
            dm_ctx_clear_error(ctx);
            dm__check_date(r, ln, id, ref, name, v);
        } else
            dm__check_date(r, ln, id, ref, name, norm);
    }
    char sa[11], sb[11];
    if (l != &file_layer) {
        const char *a = dm_row_get(row, "start_date"), *b = dm_row_get(row, "end_date");
        if (a && dm_date_parse(a, sa) && b && dm_date_parse(b, sb) && strcmp(sa, sb) > 0)
            dm__check_add(r, DM_CHECK_ERROR, "date_order", ln, id, ref, NAN, NAN,
                          "%sends (%s) before it starts (%s)", wl, sb, sa);
    } else {
        /* no layer: the columns of a start and an end, read as dates above */
        static const char *const pairs[][2] = {{"start_date", "end_date"}, {"date_start", "date_end"}};
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            int ia = find_col(st, pairs[k][0]), ib = find_col(st, pairs[k][1]);
            if (ia < 0 || ib < 0 || !file_date(st, f, ia, sa) || !file_date(st, f, ib, sb))
                continue;
            if (strcmp(sa, sb) > 0)
                dm__check_add(r, DM_CHECK_ERROR, "date_order", ln, id, ref, NAN, NAN,
                              "%s%s (%s) is before %s (%s)", wl, pairs[k][1], sb, pairs[k][0], sa);
            break;
        }
    }
    /* a ref or uuid twice in the file, or already in the database */
    const char *rowref = dm_field_find(l, "ref") ? dm_row_get(row, "ref") : NULL;
    const char *keys[2] = {rowref && *rowref ? rowref : NULL, uuid};
    for (int k = 0; k < 2; k++) {
        if (!keys[k])
            continue;
        uint64_t h = fnv(14695981039346656037u, k ? "uuid" : "ref", 4);
        long prev = dup_add(&run->refs, fnv(h, keys[k], strlen(keys[k])), no);
        char pid[48];
        if (prev > 0)
            dm__check_add(r, DM_CHECK_ERROR, "duplicate_ref", ln, id, ref, NAN, NAN,
                          "%s%s '%s' is also the %s of %s of this file: import refuses it", wl,
                          k ? "uuid" : "ref", keys[k], k ? "uuid" : "ref",
                          feature_id(st, run, prev, pid, sizeof pid));
    }
    if (st->s && (keys[0] || uuid)) {
        char owner[37];
        int by_uuid = 0;
        int e = dm_store_existing(st->s, row, owner, &by_uuid);
        if (e > 0)
            dm__check_add(r, st->o->skip_existing ? DM_CHECK_WARNING : DM_CHECK_ERROR, "in_database", ln,
                          id, ref, NAN, NAN, "%s%s '%s' is already in layer %s (row %s): import %s", wl,
                          by_uuid ? "uuid" : "ref", by_uuid ? uuid : keys[0], ln, owner,
                          st->o->skip_existing ? "skips it (--skip-existing)"
                                               : "refuses it unless --skip-existing");
        else if (e < 0)
            dm_ctx_clear_error(ctx);
    }
    if (!g)
        return;
    double b[4];
    int has_b = dm_geom_bounds(g, b);
    if (has_b && (!isfinite(b[0]) || !isfinite(b[1]) || !isfinite(b[2]) || !isfinite(b[3]) ||
                  b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90)) {
        char hint[400] = "";
        if (!isnan(px) && !st->src_srs)
            guess_crs(px, py, hint, sizeof hint);
        dm__check_add(r, DM_CHECK_ERROR,
                      strstr(hint, "swapped")   ? "swapped_coordinates"
                      : hint[0] || !st->src_srs ? "projected_coordinates"
                                                : "invalid_geometry",
                      ln, id, ref, NAN, NAN,
                      "%sgeometry: coordinates (%.6g, %.6g)-(%.6g, %.6g) are not longitude/latitude%s%s",
                      wl, b[0], b[1], b[2], b[3], st->src_srs ? "" : " and the file has no CRS", hint);
        dm_geom_free(g);
        return;
    }
    long errors = r->errors;
    dm__check_geom(ctx, r, ln, id, ref, g);
    if (r->errors == errors) {
        /* the geometry as the layer takes it (a line for a layer of polygons) */
        dm_row *gr = dm_row_new(ctx, l);
        dm_geom *c = NULL;
        if (gr && !dm_geom_clone(ctx, g, &c)) {
            dm_row_set_geom(gr, c);
            if (dm__row_check(NULL, gr, 0)) {
                dm__check_add(r, DM_CHECK_ERROR, "invalid_geometry", ln, id, ref, NAN, NAN, "%s%s", wl,
                              dm_ctx_errmsg(ctx));
                dm_ctx_clear_error(ctx);
            }
        }
        dm_row_free(gr);
        /* the area given against the polygon's, as `check DB` compares them
         * once imported: an area in m² read as hectares is seen here */
        const char *af = !strcmp(ln, "hazards") ? "est_area_ha" : !strcmp(ln, "release_areas") ? "area_ha" : NULL;
        const char *given = af ? dm_row_get(row, af) : NULL;
        double ha = 0;
        if (given && *given && r->errors == errors && !st->unit_unsaid && dm_geom_type_of(g) != DM_GEOM_POINT &&
            !dm_geom_area_ha(ctx, g, &ha)) {
            const dm_field_def *fa = dm_field_find(l, af);
            const char *col = NULL;
            for (int i = 0; i < st->n_src && !col; i++)
                if (st->target[i] == (int)(fa - l->fields))
                    col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
            char *end = NULL;
            double v = strtod(given, &end);
            if (end != given)
                dm__check_area(r, ln, id, ref, af, v, ha, col);
        }
        dm_ctx_clear_error(ctx);
    }
    if (!has_b) {
        dm_geom_free(g);
        return;
    }
    long prev = dup_add(&run->dups, feature_hash(st, f, row, b), no);
    if (prev > 0) {
        char pid[48];
        dm__check_add(r, DM_CHECK_WARNING, "duplicate", ln, id, ref, b[0], b[1],
                      "%srepeats %s value for value and in the same place (import warns and "
                      "imports both)",
                      wl, feature_id(st, run, prev, pid, sizeof pid));
        dm_geom_free(g);
        return;
    }
    if (run->n_rows == run->cap_rows) {
        size_t cap = run->cap_rows ? 2 * run->cap_rows : 256;
        dm__check_geomrow *d = realloc(run->rows, cap * sizeof *d);
        if (!d) {
            dm_geom_free(g);
            return;
        }
        run->rows = d;
        run->cap_rows = cap;
    }
    dm__check_geomrow *gr = &run->rows[run->n_rows++];
    memset(gr, 0, sizeof *gr);
    snprintf(gr->id, sizeof gr->id, "%s", id);
    dm__strlcpy(gr->ref, ref ? ref : "", sizeof gr->ref);
    gr->g = g;
    memcpy(gr->env, b, sizeof b);
    dm_geom_area_ha(ctx, g, &gr->ha);
    gr->is_point = dm_geom_type_of(g) == DM_GEOM_POINT;
}

/* ------------------------- swapped coordinates ------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Where most of the points from coordinate columns lie (quartiles widened
 * by 1.5 times their spread, and a tenth of a degree): minx, miny, maxx,
 * maxy. 0 when there are too few points to say. */
static int points_bulk(const import_run *run, double box[4])
{
    size_t n = run->n_pts;
    if (n < 3)
        return 0;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    for (int axis = 0; axis < 2; axis++) {
        for (size_t i = 0; i < n; i++)
            v[i] = run->pts[4 * i + (size_t)axis];
        qsort(v, n, sizeof *v, cmp_double);
        double q1 = v[n / 4], q3 = v[(3 * n) / 4], iqr = q3 - q1;
        box[axis] = q1 - 1.5 * iqr - 0.1;
        box[axis + 2] = q3 + 1.5 * iqr + 0.1;
    }
    free(v);
    return 1;
}

/* Point x, y lies half a degree or more away from the bulk of the file's
 * points, and among them with latitude and longitude exchanged. */
static int point_swapped(const double box[4], double x, double y)
{
    double away = fmax(fmax(box[0] - x, x - box[2]), fmax(box[1] - y, y - box[3]));
    return away >= 0.5 && y >= box[0] && y <= box[2] && x >= box[1] && x <= box[3];
}

/* Points that look swapped against the rest of the file, or (all of them)
 * against the data of the database: an import refuses the file, a check
 * reports them. Points from columns name the columns and --x/--y; points
 * of a file's geometries (GeoJSON, GeoPackage, KML, WKT, ...) ask for
 * --swap-xy (all of them swapped) or the file to be mended (one of them),
 * or --crs to take them as they are; with --swap-xy, that it swapped
 * points that were right. */
static dm_status check_swapped(import_state *st, import_run *run, OGRLayerH last)
{
    const dm_import_opts *o = st->o;
    if (!run->n_pts || o->x_field || o->y_field)
        return DM_OK; /* named columns are taken as they are */
    int cols = st->x_col >= 0;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(last);
    const char *xn = cols ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, st->x_col)) : "x";
    const char *yn = cols && st->y_col >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, st->y_col)) : "y";
    double g[4] = {run->pts[0], run->pts[1], run->pts[0], run->pts[1]};
    for (size_t i = 1; i < run->n_pts; i++) {
        g[0] = fmin(g[0], run->pts[4 * i]);
        g[1] = fmin(g[1], run->pts[4 * i + 1]);
        g[2] = fmax(g[2], run->pts[4 * i]);
        g[3] = fmax(g[3], run->pts[4 * i + 1]);
    }
    /* Points that lie away from all the data already there, and would lie
     * among it with latitude and longitude exchanged. */
    if (run->have_extent) {
        const double m = 1.0, *e = run->extent;
        int in = g[0] <= e[2] + m && g[2] >= e[0] - m && g[1] <= e[3] + m && g[3] >= e[1] - m;
        int swapped_in = g[1] <= e[2] + m && g[3] >= e[0] - m && g[0] <= e[3] + m && g[2] >= e[1] - m;
        if (!in && swapped_in) {
            /* said in the 320 bytes of a check's message */
            char msg[1024], how[300];
            if (o->swap_xy)
                snprintf(how, sizeof how,
                         "latitude and longitude exchanged: they look swapped, and --swap-xy swapped them: "
                         "leave it out");
            else if (cols)
                snprintf(how, sizeof how,
                         "columns '%s' and '%s' exchanged: they look swapped; --x '%s' --y '%s' exchanges them, "
                         "--x '%s' --y '%s' takes them as they are",
                         xn, yn, yn, xn, xn, yn);
            else
                snprintf(how, sizeof how,
                         "latitude and longitude exchanged: they look swapped; --swap-xy exchanges them, "
                         "--crs EPSG:4326 takes them as they are");
            snprintf(msg, sizeof msg,
                     "the points (longitude %.4f..%.4f, latitude %.4f..%.4f) lie away from the database's "
                     "data (longitude %.4f..%.4f, latitude %.4f..%.4f), and among it with %s",
                     g[0], g[2], g[1], g[3], e[0], e[2], e[1], e[3], how);
            if (!st->check)
                return dm__fail(st->ctx, DM_EGEOM, "%s: %s", st->path, msg);
            dm__check_add(st->check, DM_CHECK_ERROR, "swapped_coordinates", st->layer->name, "", NULL,
                          NAN, NAN, "%s", msg);
            return DM_OK;
        }
    }
    double box[4], in[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    if (!points_bulk(run, box))
        return DM_OK;
    for (size_t i = 0; i < run->n_pts; i++) {
        double x = run->pts[4 * i], y = run->pts[4 * i + 1];
        if (x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]) {
            in[0] = fmin(in[0], x);
            in[1] = fmin(in[1], y);
            in[2] = fmax(in[2], x);
            in[3] = fmax(in[3], y);
        }
    }
    for (size_t i = 0; i < run->n_pts; i++) {
        double x = run->pts[4 * i], y = run->pts[4 * i + 1];
        if (!point_swapped(box, x, y))
            continue;
        long no = (long)run->pts[4 * i + 2];
        int li = (int)run->pts[4 * i + 3];
        char id[400] = "", fid[48];
        if (run->n_layers > 1 && li >= 0 && li < run->n_layers)
            snprintf(id, sizeof id, "layer '%s': ", OGR_L_GetName(run->layers[li]));
        dm__strlcpy(id + strlen(id), feature_id(st, run, no, fid, sizeof fid), sizeof id - strlen(id));
        char msg[1024];
        if (cols)
            snprintf(msg, sizeof msg,
                     "geometry: '%s' %.6f and '%s' %.6f lie away from the file's other points "
                     "(longitude %.4f..%.4f, latitude %.4f..%.4f) and among them exchanged: latitude "
                     "and longitude look swapped in this row; exchange them, or pass --x '%s' --y '%s' "
                     "to take every row as it is",
                     xn, x, yn, y, in[0], in[2], in[1], in[3], xn, yn);
        else
            snprintf(msg, sizeof msg,
                     "geometry: the point %.6f %.6f (longitude latitude) lies away from the file's other "
                     "points (longitude %.4f..%.4f, latitude %.4f..%.4f) and among them exchanged: latitude "
                     "and longitude look swapped in this feature; exchange them in the file, or pass --crs "
                     "EPSG:4326 to take every point as it is",
                     x, y, in[0], in[2], in[1], in[3]);
        if (!st->check)
            return dm__fail(st->ctx, DM_EGEOM, "%s: %s: %s", st->path, id, msg);
        dm__check_add(st->check, DM_CHECK_ERROR, "swapped_coordinates", st->layer->name, id, NULL, x, y,
                      "%s", msg);
    }
    return DM_OK;
}

/* ------------------------------- reading ------------------------------- */

/* The kinds of geometry of every feature of the layers read (the one
 * being read, st->ol, with its coordinate columns; the others, KML folders,
 * have their geometries), into counts. */
static void count_kinds(import_state *st, const import_run *run, long *counts)
{
    memset(counts, 0, DM_IMPORT_KINDS * sizeof *counts);
    for (int i = 0; i < run->n_layers; i++) {
        OGRLayerH l = run->layers[i];
        OGR_L_ResetReading(l);
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(l)) != NULL) {
            const char *why = NULL;
            OGRGeometryH og = l == st->ol            ? feature_geom(st, f, &why)
                              : OGR_F_GetGeometryRef(f) ? OGR_G_Clone(OGR_F_GetGeometryRef(f))
                                                        : NULL;
            if (og || !why || !strcmp(why, "no geometry") || !strcmp(why, "no coordinates"))
                counts[feature_kind(st, og)]++;
            if (og)
                OGR_G_DestroyGeometry(og);
            OGR_F_Destroy(f);
        }
    }
}

/* What a file of misfits (counts by kind) could do, after a refusal: the
 * option that imports the features the layer takes. */
static void misfit_hint(const import_state *st, const long *counts, char *buf, size_t n)
{
    char kinds[200];
    int lk = layer_kind(st->layer);
    dm_import_kinds_text(counts, kinds, sizeof kinds);
    char none[200] = "";
    long nn = counts[DM_IMPORT_KIND_NONE];
    if (nn && st->layer->geom_required)
        snprintf(none, sizeof none,
                 "; it does not leave out the %ld without geometry, which layer %s cannot hold: give %s a "
                 "geometry, or take %s out of the file",
                 nn, st->layer->name, nn == 1 ? "it" : "them", nn == 1 ? "it" : "them");
    else if (nn)
        snprintf(none, sizeof none, "; the %ld without geometry %s imported with them", nn,
                 nn == 1 ? "is" : "are");
    if (lk && counts[lk] > 0)
        snprintf(buf, n,
                 "the file holds %s: import the %s alone with --only-geometry %s (the others are left "
                 "out and counted; import them into their own layer with its --only-geometry)%s",
                 kinds, kind_words[lk][1], kind_words[lk][0], none);
    else
        snprintf(buf, n, "the file holds %s, and layer %s holds %s", kinds, st->layer->name,
                 lk ? kind_words[lk][1] : "other geometries");
}

/* Is name a column an import knows: a field of the layer, an IMSMA
 * column, an area named with its unit, a coordinate or WKT column, a
 * question of the layer's form by its label or the column of a choice of
 * a set (KoboToolbox's)? */
static int known_column(const import_state *st, const char *name)
{
    static const char *coords[] = {"lon", "longitude", "lng", "x", "easting", "lat", "latitude", "y",
                                   "northing", "wkt", "geometry", "the_geom", NULL};
    dm__area_unit u;
    int choice;
    return dm_field_find(st->layer, name) || imsma_col(st, name, NULL) ||
           (st->layer != &file_layer && dm__area_column(st->layer, name, &u)) || name_is(name, coords) ||
           form_label_field(st->layer, name) || choice_column(st->layer, name, &choice);
}

/* A spreadsheet (CSV, XLSX, ODS) whose column names are not on its first
 * row, below a title ("Land export, 20.11.2026"): the title is read as the
 * names (or none, Field1, Field2, ...) and the names as a row. Refused,
 * naming the row that holds them, when none of the names read is a column
 * the import knows and one of the first ten rows holds two or more (one,
 * when a title alone made one column). */
/* A CSV's column names on a line below its first, read from the text (a
 * title line alone may make the driver split on spaces): the line (2 to
 * 10) whose cells, split at the separator it has most of, hold two or more
 * names the import knows while the first line holds none; 0 when none.
 * Its first names into names. */
static long csv_header_line(const import_state *st, char *names, size_t n)
{
    FILE *fp = fopen(st->read_path, "r");
    if (!fp)
        return 0;
    char line[4096];
    long found = 0;
    for (long no = 1; no <= 10 && !found && fgets(line, sizeof line, fp); no++) {
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        if (no == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
            p += 3;
        const char *seps = ",;\t";
        char sep = ',';
        size_t most = 0;
        for (const char *c = seps; *c; c++) {
            size_t k = 0;
            for (const char *q = p; *q; q++)
                k += *q == *c;
            if (k > most)
                most = k, sep = *c;
        }
        int known = 0;
        names[0] = '\0';
        for (char *cell = p; cell;) {
            char *end = strchr(cell, sep);
            if (end)
                *end = '\0';
            while (*cell == ' ' || *cell == '"')
                cell++;
            size_t len = strlen(cell);
            while (len && (cell[len - 1] == ' ' || cell[len - 1] == '"'))
                cell[--len] = '\0';
            if (*cell && known_column(st, cell)) {
                size_t used = strlen(names);
                if (known < 4)
                    snprintf(names + used, n - used, "%s'%.60s'", known ? ", " : "", cell);
                known++;
            }
            cell = end ? end + 1 : NULL;
        }
        if (no == 1 && known)
            break; /* the names are on the first line */
        if (known >= 2) {
            if (known > 4) {
                size_t used = strlen(names);
                snprintf(names + used, n - used, ", ...");
            }
            found = no;
        }
    }
    fclose(fp);
    return found;
}

static dm_status header_below(import_state *st)
{
    if (!st->drv || (strcmp(st->drv, "CSV") && strcmp(st->drv, "XLSX") && strcmp(st->drv, "ODS") &&
                     strcmp(st->drv, "XLS")))
        return DM_OK;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    for (int i = 0; i < st->n_src; i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (known_column(st, name))
            return DM_OK;
        for (size_t k = 0; k < st->o->n_map; k++)
            if (!dm__strcasecmp(st->o->map_from[k], name))
                return DM_OK; /* a name the command line gives */
    }
    if (st->o->x_field || st->o->y_field || st->o->geom_field)
        return DM_OK;
    if (st->is_csv) {
        char names[400];
        long line = csv_header_line(st, names, sizeof names);
        if (line > 1)
            return dm__fail(st->ctx, DM_EPARSE,
                            "%s: the column names are on line %ld (%s), not on the first: what is above them (a "
                            "title?) is read as the names; delete the lines above them and save again",
                            st->path, line, names);
        return DM_OK;
    }
    OGR_L_ResetReading(st->ol);
    OGRFeatureH f;
    dm_status rc = DM_OK;
    for (long no = 1; no <= 10 && !rc && (f = OGR_L_GetNextFeature(st->ol)); no++) {
        char names[400] = "";
        int known = 0;
        for (int i = 0; i < st->n_src; i++) {
            if (!OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *v = OGR_F_GetFieldAsString(f, i);
            if (!known_column(st, v))
                continue;
            size_t len = strlen(names);
            if (known < 4)
                snprintf(names + len, sizeof names - len, "%s'%.60s'", known ? ", " : "", v);
            known++;
        }
        long fid = (long)OGR_F_GetFID(f); /* a sheet's row, its title's read as a row too */
        OGR_F_Destroy(f);
        if (known < (st->n_src > 1 ? 2 : 1))
            continue;
        long line = st->is_csv ? csv_line_of(st->read_path, no) : 0;
        char where[64];
        if (line > 0)
            snprintf(where, sizeof where, "line %ld", line);
        else
            snprintf(where, sizeof where, "row %ld", fid > 0 ? fid : no);
        rc = dm__fail(st->ctx, DM_EPARSE,
                      "%s: the column names are on %s (%s%s), not on the first: what is above them (a title?) "
                      "is read as the names; delete the rows above them and save again",
                      st->path, where, names, known > 4 ? ", ..." : "");
    }
    OGR_L_ResetReading(st->ol);
    return rc;
}

static dm_status import_layer(import_state *st, import_run *run)
{
    dm_ctx *ctx = st->ctx;
    const dm_layer_def *layer = st->layer;
    const dm_import_opts *o = st->o;
    dm_import_result *res = run->res;
    dm_row *row = run->row;
    char wl[300];
    st->n_src = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(st->ol));
    st->target = calloc((size_t)(st->n_src ? st->n_src : 1), sizeof *st->target);
    if (!st->target)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status hb = header_below(st);
    if (hb)
        return hb;
    int native =
        OGR_L_GetGeomType(st->ol) != wkbNone && !o->x_field && !o->y_field && !o->geom_field;
    st->x_col = st->y_col = st->latlon_col = st->geom_col = -1;
    if (layer->geom_type && !native)
        detect_coords(st);
    if ((o->x_field && st->x_col < 0) || (o->y_field && st->y_col < 0) ||
        (o->geom_field && st->geom_col < 0))
        return dm__fail(ctx, DM_ENOTFOUND, "%s: %scoordinate column '%s' not found", st->path,
                        where_layer(st, run, wl, sizeof wl),
                        o->geom_field   ? o->geom_field
                        : st->x_col < 0 ? o->x_field
                                        : o->y_field);
    if (layer->geom_type && layer->geom_required && !native && st->x_col < 0 && st->y_col < 0 &&
        st->latlon_col < 0 && st->geom_col < 0)
        return dm__fail(ctx, DM_EGEOM,
                        "%s: %sno geometry and no coordinate columns found (layer %s needs "
                        "geometries); name them with --x and --y, or --geom-field",
                        st->path, where_layer(st, run, wl, sizeof wl), layer->name);
    /* a folder nested in others is named by its whole path ("Sector A/
     * Minefield 3"), not by its own name alone, which the drivers give; a
     * file of one folder alone (as export writes a layer) has none */
    st->folder = NULL;
    const char *lname = OGR_L_GetName(st->ol);
    int nested = 0;
    const char *fpath = st->kml ? dm__kml_folder_path(st->kml, lname, !strcmp(st->drv, "LIBKML"),
                                                      st->folder_path, sizeof st->folder_path, &nested)
                                : NULL;
    if ((st->kml_layers > 1 || nested) && strcmp(lname, st->kml_document))
        st->folder = fpath ? fpath : lname;
    dm_status rc;
    if ((rc = map_fields(st)) || (rc = setup_crs(st, native)))
        return rc;
    /* a --unit no column takes (after the last layer of the file) */
    if (st->area_unit_given && !st->area_unit_used && run->layer_index == run->n_layers - 1) {
        char msg[700];
        snprintf(msg, sizeof msg,
                 "--unit %s: no column of the file is an area it applies to: IMSMA's areas (Estimated Area, "
                 "Remaining Area, Cancelled Area, Reduced Area with and without technical asset, Cleared Area) "
                 "or a --map into an area in hectares (--map 'Area=est_area_ha' --unit %s); a column named "
                 "with its unit (area_m2, 'Area (m\xC2\xB2)') says its own",
                 o->area_unit, o->area_unit);
        if (!st->check)
            return dm__fail(ctx, DM_EINVAL, "%s: %s", st->path, msg);
        dm__check_add(st->check, DM_CHECK_WARNING, "area_unit", layer->name, "", NULL, NAN, NAN, "%s", msg);
    }
    /* a check, and an import's error, name each row by its ref, or its
     * name (KML, GPX), after its feature number */
    int ref_col = -1;
    for (int i = 0; i < st->n_src; i++)
        if (st->target[i] >= 0 && !strcmp(layer->fields[st->target[i]].name, "ref"))
            ref_col = i;
    if (ref_col < 0 && (ref_col = find_col(st, "ref")) < 0)
        ref_col = find_col(st, "name");
    /* a victim's name labels no row (the feature number does), as check
     * names none */
    if (ref_col >= 0 && st->target[ref_col] >= 0 &&
        dm_field_is_personal(layer, &layer->fields[st->target[ref_col]]))
        ref_col = -1;
    /* a required field no column gives is missing from every row: said once */
    for (size_t i = 0; st->check && i < layer->n_fields; i++)
        if ((layer->fields[i].flags & DM_FIELD_REQUIRED) && !field_has_source(st, i) &&
            OGR_L_GetFeatureCount(st->ol, TRUE) != 0) /* a file of no feature has no column */
            dm__check_add(st->check, DM_CHECK_ERROR, "missing_value", layer->name, "", NULL, NAN, NAN,
                          "%sfield '%s' is required, and no column of the file gives it: import "
                          "refuses every row; name the column with --map SRC=%s, or give every row "
                          "a value with --set %s=VALUE",
                          where_layer(st, run, wl, sizeof wl), layer->fields[i].name,
                          layer->fields[i].name, layer->fields[i].name);
    /* the import says so as the check does, once and with the fix, rather
     * than "required but missing" of its first feature */
    for (size_t i = 0; !st->check && i < layer->n_fields; i++)
        if ((layer->fields[i].flags & DM_FIELD_REQUIRED) && !field_has_source(st, i)) {
            /* a file of no features (a GPX of no waypoint, an empty
             * FeatureCollection) has no column either: it has nothing to
             * import, which is said after the run */
            if (OGR_L_GetFeatureCount(st->ol, TRUE) == 0)
                break;
            return dm__fail(st->ctx, DM_EPARSE,
                            "%s: %sfield '%s' is required, and no column of the file gives it: "
                            "name the column with --map SRC=%s, or give every row a value with "
                            "--set %s=VALUE",
                            st->path, where_layer(st, run, wl, sizeof wl), layer->fields[i].name,
                            layer->fields[i].name, layer->fields[i].name);
        }
    OGRFeatureDefnH sfd = OGR_L_GetLayerDefn(st->ol);
    OGR_L_ResetReading(st->ol);
    OGRFeatureH f;
    long no = 0;
    char buf[64], nbuf[96];
    st->n_enc = st->enc_stop = 0;
    while ((f = OGR_L_GetNextFeature(st->ol)) != NULL) {
        no++;
        run->done++;
        /* an import that met text not UTF-8: only counting such text */
        if (st->enc_stop) {
            if (!left_out_feature(st, f))
                enc_scan(st, f, no, ref_col);
            OGR_F_Destroy(f);
            dm__progress(ctx, "import", run->done, run->total);
            continue;
        }
        dm_row_clear(row);
        /* A row with no value and no geometry (",,,," from a spreadsheet)
         * is no record: skipped and counted. */
        int blank = !OGR_F_GetGeometryRef(f);
        for (int i = 0; i < st->n_src && blank; i++)
            if (OGR_F_IsFieldSetAndNotNull(f, i) && *OGR_F_GetFieldAsString(f, i))
                blank = 0;
        if (blank) {
            OGR_F_Destroy(f);
            run->empty++;
            continue;
        }
        /* The geometry first: a feature of another kind than --only-geometry
         * names is left out (counted) before its values are read. */
        const char *why = NULL;
        OGRGeometryH og = layer->geom_type ? feature_geom(st, f, &why) : NULL;
        int kind = -1, misfit = 0;
        if (layer->geom_type && (og || !why || !strcmp(why, "no geometry") || !strcmp(why, "no coordinates"))) {
            kind = feature_kind(st, og);
            run->kinds[kind]++;
            misfit = layer_kind(layer) && kind != DM_IMPORT_KIND_NONE && kind != layer_kind(layer);
            /* one without geometry is of no kind: a run leaving it out
             * would have the others leave it out too, and it would be lost;
             * it is imported where the layer takes rows without geometry,
             * and refused where it does not */
            if (run->only && kind != run->only && kind != DM_IMPORT_KIND_NONE) {
                res->left_out++;
                res->left_out_kinds[kind]++;
                if (og)
                    OGR_G_DestroyGeometry(og);
                OGR_F_Destroy(f);
                continue;
            }
            run->misfits += misfit;
        }
        /* a feature of a kind the layer does not hold is refused for that,
         * not for the values it lacks (an outline has no category) */
        rc = DM_OK;
        if (misfit)
            rc = dm__fail(ctx, DM_EGEOM, "geometry: a %s, but layer %s holds %s", OGR_G_GetGeometryName(og),
                          layer->name, layer->geom_type);
        char ref[64] = "", uuid[64] = "";
        if (st->check) {
            st->check->rows_checked++;
            if (ref_col >= 0 && OGR_F_IsFieldSetAndNotNull(f, ref_col))
                dm__strlcpy(ref, OGR_F_GetFieldAsString(f, ref_col), sizeof ref);
        }
        for (size_t k = 0; st->choices && k < layer->n_fields; k++)
            st->choices[k].sel = (uint64_t)(st->choices[k].given = 0);
        for (int i = 0; i < st->n_src && !rc; i++) {
            int t = st->target[i];
            if (t == SRC_CHOICE) {
                if ((rc = choice_cell(st, f, i)) && st->check) {
                    check_refusal(st, run, no, ref, rc);
                    rc = DM_OK;
                }
                continue;
            }
            if (t < 0 && t != SRC_UUID)
                continue;
            if (!OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *v =
                field_text(f, i, t >= 0 ? layer->fields[t].type : DM_FT_TEXT, buf, sizeof buf);
            char *recoded = NULL;
            if (st->recode && OGR_Fld_GetType(OGR_FD_GetFieldDefn(sfd, i)) == OFTString) {
                recoded = CPLRecode(v, st->recode, CPL_ENC_UTF8);
                if (recoded)
                    v = recoded;
            }
            long bad = bad_utf8_at(v);
            if (bad >= 0) {
                /* said once for the field, with how many features have
                 * such text and the first (enc_report): a check reads on,
                 * an import reads on only to count it */
                char label[80];
                row_label(f, ref_col, label, sizeof label);
                enc_note(st, t >= 0 ? layer->fields[t].name : OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, i)),
                         no, label, v, bad);
                CPLFree(recoded);
                if (st->check)
                    continue;
                st->enc_stop = 1;
                break;
            }
            if (t >= 0 &&
                (layer->fields[t].type == DM_FT_INT || layer->fields[t].type == DM_FT_REAL) &&
                OGR_Fld_GetType(OGR_FD_GetFieldDefn(sfd, i)) == OFTString) {
                const char *num = dm__number_text(v, st->decimal_comma, nbuf, sizeof nbuf);
                if (num)
                    v = num;
            }
            if (t >= 0 && layer->fields[t].type == DM_FT_DATE) {
                size_t k = 0;
                while (v[k] == ' ')
                    k++;
                /* 2019, or 2019-05: no day */
                int year = isdigit((unsigned char)v[k]) && isdigit((unsigned char)v[k + 1]) &&
                           isdigit((unsigned char)v[k + 2]) && isdigit((unsigned char)v[k + 3]);
                size_t m = k + 4;
                if (year && v[m] == '-' && isdigit((unsigned char)v[m + 1]))
                    m += isdigit((unsigned char)v[m + 2]) ? 3 : 2;
                if (year && (!v[m] || v[m] == ' ') && !st->year_n++) {
                    st->year_first = no;
                    dm__strlcpy(st->year_field, layer->fields[t].name, sizeof st->year_field);
                }
                /* 3/4/2024: day first (3 April) as this region writes it,
                 * but a file from a US tool means 4 March: said, once */
                int a = 0, b = 0, y = 0, end = 0;
                if (sscanf(v + k, "%2d/%2d/%4d%n", &a, &b, &y, &end) == 3 && end >= 8 && a >= 1 && a <= 12 &&
                    b >= 1 && b <= 12 && a != b && !st->slash_n++) {
                    st->slash_first = no;
                    dm__strlcpy(st->slash_field, layer->fields[t].name, sizeof st->slash_field);
                    snprintf(st->slash_text, sizeof st->slash_text, "%.*s", end, v + k);
                }
            }
            char abuf[64], cbuf[512];
            if (t >= 0 && (st->unit[i].mul || st->sum[i]))
                v = area_value(st, row, &layer->fields[t], i, v, abuf, sizeof abuf);
            if (t >= 0 && layer->fields[t].type == DM_FT_ENUM) {
                int none = 0;
                const char *iv = dm__imsma_value(&layer->fields[t], v, &none);
                if (iv)
                    v = iv;
                else if (none) {
                    /* a post-clearance task may be an inspection of the land
                     * released (quality control) or an assessment of its use:
                     * only the programme knows which */
                    char w[32], post[300] = "";
                    snprintf(w, sizeof w, "%.31s", v);
                    for (char *p = w; *p; p++)
                        *p = *p == '-' || *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
                    if (!strcmp(layer->name, "activities") && !strcmp(w, "post clearance"))
                        snprintf(post, sizeof post,
                                 "; if they are inspections of released land (post-clearance quality control), "
                                 "import them apart as such with --map '%.60s=-' --set activity_type=qc "
                                 "(docs/qc.md)",
                                 OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, i)));
                    rc = dm__fail(ctx, DM_EPARSE,
                                  "field '%s': '%s' is an IMSMA classification demine has no %s for (one of %s): "
                                  "leave such rows out of the file%s",
                                  layer->fields[t].name, v, layer->fields[t].name, layer->fields[t].values, post);
                }
            }
            /* a choice given by its label in the form ("Open", "Piyada
             * əleyhinə mina (AP)"), as a KoboToolbox export has it */
            const char *cv =
                t >= 0 && !rc ? choice_value(st, &layer->fields[t], v, cbuf, sizeof cbuf) : NULL;
            if (cv) {
                if (!st->choice_labels++)
                    snprintf(st->choice_first, sizeof st->choice_first, "'%.80s' as %s (%s)", v, cv,
                             layer->fields[t].name);
                v = cv;
            }
            /* ODK's submission ids are "uuid:" and the uuid */
            if ((t == SRC_UUID || (t >= 0 && layer->fields[t].type == DM_FT_REF)) && !strncasecmp(v, "uuid:", 5) &&
                strlen(v + 5) == 36)
                v += 5;
            if (rc)
                ;
            else if (t == SRC_UUID) {
                if (*v) {
                    rc = dm_row_set_uuid(row, v);
                    dm__strlcpy(uuid, v, sizeof uuid);
                    /* another system's id ("AZ-ACC-001") is no uuid: say where
                     * such an id goes */
                    if (rc == DM_EPARSE) {
                        char msg[1024];
                        const char *col = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
                        dm__strlcpy(msg, dm_ctx_errmsg(ctx), sizeof msg);
                        rc = dm_field_find(layer, "ref")
                                 ? dm__fail(ctx, rc, "column '%s' gives the row's uuid: %s (a uuid is 36 characters, "
                                            "8-4-4-4-12 hex digits); an id of another system goes to ref: --map '%s=ref'",
                                            col, msg, col)
                                 : dm__fail(ctx, rc, "column '%s' gives the row's uuid: %s (a uuid is 36 characters, "
                                            "8-4-4-4-12 hex digits), and layer %s has no ref to keep another "
                                            "system's id in: give each row a uuid, in this file and in the files "
                                            "that link to it (docs/import-imsma.md)",
                                            col, msg, layer->name);
                    }
                }
            } else {
                rc = dm_row_set(row, layer->fields[t].name, v);
                /* a date a spreadsheet wrote as its serial number ("44621") */
                char serial[11], norm[64];
                if (!rc && layer->fields[t].type == DM_FT_DATE && excel_serial(v, serial) &&
                    dm_field_normalise(ctx, &layer->fields[t], v, norm, sizeof norm)) {
                    dm_row_set(row, layer->fields[t].name, NULL); /* named once, here */
                    rc = dm__fail(ctx, DM_EPARSE,
                                  "field '%s': '%s' is not a date but looks like an Excel date serial number, %s "
                                  "in Excel's 1900 date system (a cell formatted as a number): format the column "
                                  "as dates in Excel and save again",
                                  layer->fields[t].name, v, serial);
                }
            }
            CPLFree(recoded);
            if (rc && st->check) {
                check_refusal(st, run, no, ref, rc);
                rc = DM_OK;
            }
        }
        if (st->enc_stop) {
            /* the rest of the feature's text, for the count */
            enc_scan(st, f, no, ref_col);
            if (og)
                OGR_G_DestroyGeometry(og);
            OGR_F_Destroy(f);
            dm__progress(ctx, "import", run->done, run->total);
            continue;
        }
        /* the sets the columns of their choices give */
        if (!rc && st->choices && (rc = choices_into_row(st, row)) && st->check) {
            check_refusal(st, run, no, ref, rc);
            rc = DM_OK;
        }
        if (!rc && st->folder && st->folder_field >= 0) {
            const char *name = layer->fields[st->folder_field].name, *had = dm_row_get(row, name);
            while (had && isspace((unsigned char)*had))
                had++;
            if (st->folder_in_notes) {
                char *v = dm_strdup(ctx, had && *had ? had : "");
                dm_buf b;
                dm__buf_init(&b);
                dm__buf_printf(&b, "%s%sfolder: %s", v ? v : "", v && *v ? "; " : "", st->folder);
                rc = b.oom ? dm__fail(ctx, DM_ENOMEM, "out of memory") : dm_row_set(row, name, b.data);
                dm__buf_free(&b);
                dm_free(ctx, v);
            } else if (!had || !*had)
                rc = dm_row_set(row, name, st->folder);
            if (rc && st->check) {
                check_refusal(st, run, no, ref, rc);
                rc = DM_OK;
            }
        }
        for (size_t k = 0; k < o->n_set && !rc; k++)
            if (!dm_row_get(row, o->set_field[k]))
                rc = dm_row_set(row, o->set_field[k], o->set_value[k]);
        if (!rc && (rc = set_provenance(st, f, row)) && st->check) {
            check_refusal(st, run, no, ref, rc);
            rc = DM_OK;
        }
        double px = NAN, py = NAN, gb[4];
        int has_geom = 0;
        dm_geom *g = NULL;
        if (!rc && layer->geom_type) {
            if (og && !strcmp(layer->geom_type, "MULTIPOLYGON")) {
                OGRGeometryH poly = closed_lines_to_polygons(og);
                if (poly) {
                    OGR_G_DestroyGeometry(og);
                    og = poly;
                    run->closed_lines++;
                }
            }
            if (og && o->swap_xy)
                OGR_G_SwapXY(og);
            if (og && wkbFlatten(OGR_G_GetGeometryType(og)) == wkbPoint && !st->oct) {
                px = OGR_G_GetX(og, 0);
                py = OGR_G_GetY(og, 0);
            }
            if (og) {
                rc = convert_geom(st, og, &g, &res->repaired, no);
                og = NULL;
                if (!rc)
                    has_geom = dm_geom_bounds(g, gb);
            } else if (run->only && kind == DM_IMPORT_KIND_NONE && layer->geom_required) {
                rc = dm__fail(ctx, DM_EGEOM,
                              "geometry: %s, and layer %s needs one (--only-geometry %s leaves out the "
                              "features of other kinds, not those without geometry, which no run would "
                              "import): give it a %s, or take it out of the file",
                              why ? why : "missing", layer->name, o->only_geometry, kind_words[run->only][0]);
            } else if (layer->geom_required && why && !strcmp(why, "no coordinates") && st->x_col >= 0 &&
                       st->y_col >= 0) {
                rc = dm__fail(ctx, DM_EGEOM, "geometry: no coordinates: columns '%s' and '%s' have no value, "
                              "and layer %s needs a geometry",
                              OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, st->x_col)),
                              OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(sfd, st->y_col)), layer->name);
            } else if (layer->geom_required ||
                       (why && strcmp(why, "no geometry") && strcmp(why, "no coordinates"))) {
                rc = dm__fail(ctx, DM_EGEOM, "geometry: %s", why ? why : "missing");
            }
        }
        if (og)
            OGR_G_DestroyGeometry(og);
        /* points in WGS 84 from columns, or a file's own, a WKT or ODK
         * text column's or a KoboToolbox _geolocation's (a --crs naming
         * the file's takes them as they are), for check_swapped */
        int own = native || st->geom_col >= 0 || st->latlon_col >= 0;
        if (!rc && !isnan(px) && (st->x_col >= 0 || (own && !o->src_crs))) {
            if (run->n_pts == run->cap_pts) {
                size_t cap = run->cap_pts ? 2 * run->cap_pts : 256;
                double *d = realloc(run->pts, 4 * cap * sizeof *d);
                if (!d) {
                    dm_geom_free(g);
                    OGR_F_Destroy(f);
                    return dm__fail(ctx, DM_ENOMEM, "out of memory");
                }
                run->pts = d;
                run->cap_pts = cap;
            }
            run->pts[4 * run->n_pts] = px;
            run->pts[4 * run->n_pts + 1] = py;
            run->pts[4 * run->n_pts + 2] = (double)no;
            run->pts[4 * run->n_pts++ + 3] = (double)run->layer_index;
        }
        if (st->check) {
            if (rc) {
                check_refusal(st, run, no, ref, rc);
                rc = DM_OK;
            } else
                check_row(st, run, f, row, g, uuid[0] ? uuid : NULL, no, ref, px, py);
            OGR_F_Destroy(f);
            dm__progress(ctx, "check", run->done, run->total);
            continue;
        }
        if (g)
            dm_row_set_geom(row, g);
        char rf[80];
        row_label(f, ref_col, rf, sizeof rf);
        OGR_F_Destroy(f);
        int skip = 0;
        if (!rc) {
            char uuid_new[37];
            uint64_t h = row_hash(layer, row, has_geom ? gb : NULL);
            /* the change log says where the row came from */
            char from[1100];
            snprintf(from, sizeof from, "import of %s", st->path);
            rc = dm_store_insert_reason(st->s, row, uuid_new, from);
            if (!rc && seen_add(&run->seen, uuid_new, no))
                rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
            if (rc == DM_ECONFLICT)
                rc = existing_row(st, &run->seen, row, &skip);
            if (!rc && !skip) {
                long prev = dup_add(&run->dups, h, no);
                if (prev < 0)
                    rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
                else if (prev > 0 && has_geom && !run->dups.n_dup++) {
                    run->dups.first_dup = no;
                    run->dups.first_of = prev;
                }
            }
        }
        if (rc && rc != DM_ECONFLICT && rc != DM_ENOMEM && !isnan(px) && !st->src_srs &&
            dm_ctx_errcode(ctx) == DM_EGEOM) {
            char hint[400];
            guess_crs(px, py, hint, sizeof hint);
            if (hint[0]) {
                char msg[1024];
                dm__strlcpy(msg, dm_ctx_errmsg(ctx), sizeof msg);
                dm__fail(ctx, DM_EGEOM, "%s%s", msg, hint);
            }
        }
        if (skip) {
            res->skipped++;
            continue;
        }
        if (rc == DM_EGEOM && misfit && !run->only) {
            /* a file mixing kinds: say what it holds and how to import it */
            char msg[1024], hint[900];
            long counts[DM_IMPORT_KINDS];
            dm__strlcpy(msg, dm_ctx_errmsg(ctx), sizeof msg);
            count_kinds(st, run, counts);
            misfit_hint(st, counts, hint, sizeof hint);
            dm__fail(ctx, DM_EGEOM, "%s; %s", msg, hint);
        }
        if (rc) {
            long line = line_of(st, run, no);
            where_layer(st, run, wl, sizeof wl);
            if (line > 0)
                dm__wrap(ctx, "%s: %sfeature %ld (line %ld)%s", st->path, wl, no, line, rf);
            else
                dm__wrap(ctx, "%s: %sfeature %ld%s", st->path, wl, no, rf);
            return rc;
        }
        res->rows++;
        dm__progress(ctx, "import", run->done, run->total);
    }
    return enc_report(st, run);
}

/* The page cache an import's transaction may fill, in KiB. The store opens
 * databases with a cache of 256 MiB, which an import of a few hundred
 * thousand rows filled with pages written once and not read again (the
 * rows and their change log go to the ends of their tables): about 1 KB a
 * row held until the commit. Past this much SQLite writes pages out early
 * (into the journal or the WAL, so a rollback still undoes them all) and
 * the import runs as fast; the indexes it updates at random places fit. */
#define IMPORT_CACHE_KIB 32768

/* Limit the store's page cache for an import; *old gets the setting to
 * restore (0: none changed). */
static void import_cache_limit(dm_store *s, int *old)
{
    *old = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &q, NULL) != SQLITE_OK)
        return;
    int was = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    /* positive: pages of 4 KiB or more; negative: KiB */
    long kib = was < 0 ? -(long)was : (long)was * 4;
    if (!was || kib <= IMPORT_CACHE_KIB)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", IMPORT_CACHE_KIB);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        *old = was;
}

static void import_cache_restore(dm_store *s, int old)
{
    if (!old)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", old);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* An import (check NULL: into s, in one transaction) or a check of the file
 * as import reads it (into check; s, when not NULL, the database it would
 * go to). */
static dm_status read_file_as_is(dm_ctx *ctx, dm_store *s, const char *path,
                                 const dm_import_opts *o, dm_import_result *res,
                                 dm_check_report *check)
{
    dm_import_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    const dm_layer_def *layer = o->layer ? dm_layer_find(o->layer) : check ? &file_layer : NULL;
    if (!layer)
        return dm__unknown_layer(ctx, o->layer);
    int only = 0;
    if (o->only_geometry) {
        if ((only = only_kind(o->only_geometry)) < 0)
            return dm__fail(ctx, DM_EINVAL, "--only-geometry %s: expected point, line or polygon",
                            o->only_geometry);
        if (!layer->geom_type)
            return dm__fail(ctx, DM_EINVAL, "--only-geometry %s: layer %s holds no geometry",
                            o->only_geometry, layer->name);
    }
    /* named columns are taken as named: exchanging them is naming them the
     * other way round, which the swapped check then still sees */
    if (o->swap_xy && (o->x_field || o->y_field))
        return dm__fail(ctx, DM_EINVAL, "--swap-xy with --x/--y: name the columns the other way round instead "
                        "(--x %s --y %s)", o->y_field ? o->y_field : "COL", o->x_field ? o->x_field : "COL");
    dm__area_unit area_unit = {0, 0, NULL};
    if (o->area_unit && !dm__area_unit_parse(o->area_unit, &area_unit))
        return dm__fail(ctx, DM_EINVAL, "--unit %s: expected m2, km2 or ha (the unit of the area columns whose name "
                        "says none)", o->area_unit);
    if (area_unit.mul == 1 && area_unit.div == 1)
        area_unit.mul = 0; /* hectares already */
    if (access(path, R_OK) != 0) {
        if (errno == ENOENT)
            return dm__fail(ctx, DM_EIO, "%s: no such file (check the name and the folder)", path);
        return dm__fail(ctx, DM_EIO, "%s: cannot read the file: %s", path, strerror(errno));
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0)
        return dm__fail(ctx, DM_EPARSE, "%s: the file is empty (0 bytes)", path);
    /* a pipe would wait for a writer for ever; a device is no file of data
     * (a folder is read: a folder of Shapefiles is one data set) */
    if (dm__refuse_special_file(ctx, path, NULL, "import that"))
        return DM_EPARSE;
    if (o->encoding && o->encoding[0]) {
        /* a name iconv does not know would leave the text as it was */
        iconv_t cd = iconv_open("UTF-8", o->encoding);
        int ok = cd != (iconv_t)-1;
        if (ok)
            iconv_close(cd);
        if (!ok)
            return dm__fail(ctx, DM_EINVAL,
                            "--encoding %s: not an encoding (e.g. CP1251, CP866, "
                            "CP1252, ISO-8859-1)",
                            o->encoding);
    }
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    const char *drv = dm_driver_for_path(path);
    int is_csv = drv && !strcmp(drv, "CSV");
    const char *csv_is = is_csv ? content_not_extension(path, drv) : NULL;
    if (csv_is) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EPARSE, "%s: not a CSV file: its bytes are those of %s", path, csv_is);
    }
    dm_status shape = is_csv ? dm__csv_check_shape(ctx, path) : DM_OK;
    if (shape != DM_OK) {
        dm__gdal_end(&cap);
        return shape;
    }
    const char *csv_opts[] = {"AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=YES", NULL};
    /* 39°54'10"N typed plainly: read from a copy with the field quoted */
    char *csv_copy = NULL;
    if (is_csv && dm__csv_quote_marks(path, &csv_copy) != 0) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EIO, "%s: cannot write a copy with its seconds marks (\") quoted: %s", path,
                        strerror(errno));
    }
    const char *read_path = csv_copy ? csv_copy : path;
    char enc_opt[80];
    const char *shp_opts[] = {enc_opt, NULL};
    int shp = drv && !strcmp(drv, "ESRI Shapefile");
    if (o->encoding && o->encoding[0])
        snprintf(enc_opt, sizeof enc_opt, "ENCODING=%s", o->encoding);
    GDALDatasetH ds = GDALOpenEx(read_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 is_csv                               ? csv_opts
                                 : shp && o->encoding && *o->encoding ? shp_opts
                                                                      : NULL,
                                 NULL);
    if (!ds) {
        dm__csv_copy_remove(csv_copy);
        dm__gdal_end(&cap);
        const char *is = content_not_extension(path, drv);
        if (is)
            return dm__fail(ctx, DM_EPARSE, "%s: not a vector file GDAL can read: its bytes are those of %s",
                            path, is);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            return dm__fail(ctx, DM_EPARSE, "%s: a folder holding no vector file GDAL can read (give the file "
                            "in it; a folder of Shapefiles is read whole)", path);
        return dm__fail(ctx, DM_EPARSE, "%s: not a vector file GDAL can read%s%s", path,
                        cap.msg[0] ? ": " : "", cap.msg);
    }
    const char *drv_name = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    import_state st = {0};
    st.s = s;
    st.ctx = ctx;
    st.layer = layer;
    st.o = o;
    st.path = path;
    st.read_path = read_path;
    st.is_csv = is_csv;
    st.drv = drv_name;
    st.check = check;
    st.area_unit = area_unit;
    st.area_unit_given = o->area_unit != NULL;
    st.decimal_comma = is_csv && csv_semicolons(read_path);
    /* the Shapefile driver recodes itself; any other's text is recoded here */
    st.recode =
        o->encoding && o->encoding[0] && strcmp(drv_name, "ESRI Shapefile") ? o->encoding : NULL;
    if (!strcmp(drv_name, "LIBKML") || !strcmp(drv_name, "KML")) {
        st.kml_layers = GDALDatasetGetLayerCount(ds);
        st.kml = dm__kml_tree_read(path);
        if (st.kml)
            dm__strlcpy(st.kml_document, dm__kml_tree_document(st.kml), sizeof st.kml_document);
        else
            kml_document_name(path, st.kml_document, sizeof st.kml_document);
    }
    import_run run = {0};
    run.res = res;
    run.only = st.only = only;
    OGRLayerH *layers = NULL;
    int n_layers = 0, in_tx = 0, cache_was = 0;
    dm_status rc = pick_layers(ctx, ds, path, drv_name, o, layer, &layers, &n_layers);
    if (rc)
        goto done;
    run.n_layers = st.n_layers = n_layers;
    for (int i = 0; i < n_layers; i++) {
        GIntBig n = OGR_L_GetFeatureCount(layers[i], FALSE);
        if (n > 0)
            run.total += (uint64_t)n;
    }
    if (s && layer->geom_type && layer != &file_layer) {
        int e = dm__store_extent(s, run.extent);
        if (e < 0) {
            rc = dm_ctx_errcode(ctx);
            goto done;
        }
        run.have_extent = e;
    }
    if (check && is_csv && run.total > 0) {
        /* every record's line in one pass, to name rows by their lines */
        run.n_lines = (long)run.total;
        run.lines = calloc(run.total, sizeof *run.lines);
        if (run.lines)
            csv_scan(read_path, 0, run.lines, run.n_lines);
    }
    run.row = dm_row_new(ctx, layer);
    if (!run.row) {
        rc = DM_ENOMEM;
        goto done;
    }
    if (!check) {
        import_cache_limit(s, &cache_was);
        if ((rc = dm_store_begin(s)))
            goto done;
        in_tx = 1;
    }
    run.layers = layers;
    for (int i = 0; i < n_layers && !rc; i++) {
        st.ol = layers[i];
        run.layer_index = i;
        rc = import_layer(&st, &run);
        if (i < n_layers - 1)
            cleanup(&st);
    }
    if (!rc)
        rc = check_swapped(&st, &run, layers[n_layers - 1]);
    cleanup(&st);
    if (rc)
        goto done;
    if (cap.msg[0] && !res->rows && !(check && check->rows_checked)) {
        rc = dm__fail(ctx, DM_EPARSE, "%s: %s", path, cap.msg);
        goto done;
    }
    if (st.folder_lost) {
        char msg[1600];
        snprintf(msg, sizeof msg,
                 "the placemarks lie in %ld folder%s (the first '%s'), and layer %s has no field "
                 "for the folder: keep it with --map folder=FIELD",
                 st.folder_lost, st.folder_lost == 1 ? "" : "s", st.folder_lost_first, layer->name);
        if (check)
            dm__check_add(check, DM_CHECK_WARNING, "folder_dropped", layer->name, "", NULL, NAN, NAN,
                          "%s", msg);
        else
            dm__log(ctx, DM_LOG_WARN, "%s: %s", path, msg);
    }
    if (check) {
        char kinds[200], hint[900];
        if (res->left_out)
            dm__check_add(check, DM_CHECK_WARNING, "left_out", layer->name, "", NULL, NAN, NAN,
                          "import leaves out %s (--only-geometry %s takes only the %s)",
                          dm_import_kinds_text(res->left_out_kinds, kinds, sizeof kinds),
                          o->only_geometry, kind_words[only][1]);
        if (run.misfits && !only) {
            misfit_hint(&st, run.kinds, hint, sizeof hint);
            dm__check_add(check, DM_CHECK_ERROR, "geometry_kind", layer->name, "", NULL, NAN, NAN,
                          "%ld feature%s of the file %s not %s%s: import refuses the file; %s", run.misfits,
                          run.misfits == 1 ? "" : "s", run.misfits == 1 ? "is" : "are",
                          run.misfits == 1 ? "a " : "", kind_words[layer_kind(layer)][run.misfits != 1], hint);
        }
        char labels[2300];
        if (form_labels_said(&st, labels, sizeof labels))
            dm__check_add(check, DM_CHECK_WARNING, "form_labels", layer->name, "", NULL, NAN, NAN,
                          "%s", labels);
        if (st.choices_said[0])
            dm__check_add(check, DM_CHECK_WARNING, "choice_columns", layer->name, "", NULL, NAN, NAN,
                          "columns of a choice each read into their set: %s", st.choices_said);
        if (st.imsma_said[0])
            dm__check_add(check, DM_CHECK_WARNING, "imsma_columns", layer->name, "", NULL, NAN, NAN,
                          "IMSMA columns recognised: %s", st.imsma_said);
        if (st.units_said[0])
            dm__check_add(check, DM_CHECK_WARNING, "area_unit", layer->name, "", NULL, NAN, NAN,
                          "areas converted to hectares, as import converts them: %s", st.units_said);
        dm__check_pairs(ctx, check, layer->name, run.rows, run.n_rows, !strcmp(layer->name, "hazards"));
        if (st.zm_n) {
            char id[48];
            dm__check_add(check, DM_CHECK_WARNING, "z_dropped", layer->name,
                          feature_id(&st, &run, st.zm_first, id, sizeof id), NULL, NAN, NAN,
                          "Z (height) or M (measure) coordinates in %ld feature%s (this the first): "
                          "import drops them, keeping x and y",
                          st.zm_n, st.zm_n == 1 ? "" : "s");
        }
        if (st.year_n) {
            char id[48];
            dm__check_add(check, DM_CHECK_WARNING, "year_alone", layer->name,
                          feature_id(&st, &run, st.year_first, id, sizeof id), NULL, NAN, NAN,
                          "%ld date%s no day, a year or month alone (this the first, field '%s'): import "
                          "stores %s as its first day",
                          st.year_n, st.year_n == 1 ? " has" : "s have", st.year_field,
                          st.year_n == 1 ? "it" : "each");
        }
        if (st.slash_n) {
            char id[48];
            dm__check_add(check, DM_CHECK_WARNING, "date_order", layer->name,
                          feature_id(&st, &run, st.slash_first, id, sizeof id), NULL, NAN, NAN,
                          "%ld date%s read day first, though month first is a date too (this the first, '%s' in "
                          "field '%s'): if the file writes the month first, write its dates as YYYY-MM-DD",
                          st.slash_n, st.slash_n == 1 ? "" : "s", st.slash_text, st.slash_field);
        }
        if (run.total > 0)
            dm__progress(ctx, "check", run.total, run.total);
        goto done;
    }
    char labels[2300];
    if (form_labels_said(&st, labels, sizeof labels))
        dm__log(ctx, DM_LOG_INFO, "%s: %s", path, labels);
    if (st.choices_said[0])
        dm__log(ctx, DM_LOG_INFO, "%s: columns of a choice each read into their set: %s", path,
                st.choices_said);
    if (st.imsma_said[0])
        dm__log(ctx, DM_LOG_INFO, "%s: IMSMA columns recognised: %s", path, st.imsma_said);
    if (st.units_said[0])
        dm__log(ctx, DM_LOG_INFO, "%s: areas converted to hectares: %s", path, st.units_said);
    if (st.crs_said[0])
        dm__log(ctx, DM_LOG_INFO, "%s: coordinates reprojected from %s to WGS 84 (EPSG:4326)", path, st.crs_said);
    if (run.empty)
        dm__log(ctx, DM_LOG_INFO, "%s: skipped %ld empty row%s", path, run.empty,
                run.empty == 1 ? "" : "s");
    if (run.closed_lines)
        dm__log(ctx, DM_LOG_INFO, "%s: %ld closed line%s taken as the polygon%s %s", path,
                run.closed_lines, run.closed_lines == 1 ? "" : "s",
                run.closed_lines == 1 ? "" : "s",
                run.closed_lines == 1 ? "it encloses" : "they enclose");
    if (st.zm_n) {
        char where[64] = "";
        long line = is_csv ? csv_line_of(read_path, st.zm_first) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        dm__log(ctx, DM_LOG_WARN,
                "%s: Z (height) or M (measure) coordinates dropped from %ld feature%s (the "
                "first: feature %ld%s): layer %s keeps x and y only",
                path, st.zm_n, st.zm_n == 1 ? "" : "s", st.zm_first, where, layer->name);
    }
    if (st.year_n) {
        char where[64] = "";
        long line = is_csv ? csv_line_of(read_path, st.year_first) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        dm__log(ctx, DM_LOG_WARN,
                "%s: %ld date%s no day, a year or month alone (the first: feature %ld%s, field '%s'), "
                "stored as %s first day: the day is not known",
                path, st.year_n, st.year_n == 1 ? " has" : "s have", st.year_first, where, st.year_field,
                st.year_n == 1 ? "its" : "each one's");
    }
    if (st.slash_n) {
        char where[64] = "";
        long line = is_csv ? csv_line_of(read_path, st.slash_first) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        int a = 0, b = 0, y = 0;
        sscanf(st.slash_text, "%d/%d/%d", &a, &b, &y);
        dm__log(ctx, DM_LOG_WARN,
                "%s: %ld date%s read day first, as written here, though month first is a date too (the first: "
                "'%s' as %04d-%02d-%02d, feature %ld%s, field '%s'): if the file comes from a tool that writes "
                "the month first, write its dates as YYYY-MM-DD",
                path, st.slash_n, st.slash_n == 1 ? "" : "s", st.slash_text, y, b, a, st.slash_first, where,
                st.slash_field);
    }
    if (run.dups.n_dup) {
        char where[96] = "";
        long line = is_csv ? csv_line_of(read_path, run.dups.first_dup) : 0;
        long line0 = is_csv ? csv_line_of(read_path, run.dups.first_of) : 0;
        if (line > 0 && line0 > 0)
            snprintf(where, sizeof where, " (line %ld repeats line %ld)", line, line0);
        dm__log(ctx, DM_LOG_WARN,
                "%s: %ld row%s repeat%s an earlier row of the file, value for value and in the "
                "same place (the first: feature %ld repeats feature %ld%s); imported all the "
                "same: remove the copies with 'demine delete' if they are copies",
                path, run.dups.n_dup, run.dups.n_dup == 1 ? "" : "s",
                run.dups.n_dup == 1 ? "s" : "", run.dups.first_dup, run.dups.first_of, where);
    }
    if (res->rows == 0 && !res->skipped)
        dm__log(ctx, DM_LOG_WARN, "%s: no features to import", path);
    rc = dm_store_commit(s);
    in_tx = 0;
    if (run.total > 0)
        dm__progress(ctx, "import", run.total, run.total);
done:
    if (in_tx)
        dm_store_rollback(s);
    if (cache_was)
        import_cache_restore(s, cache_was);
    if (rc)
        res->rows = res->skipped = 0;
    free(run.seen.slot);
    free(run.seen.text);
    free(run.dups.hash);
    free(run.dups.feature);
    free(run.refs.hash);
    free(run.refs.feature);
    free(run.pts);
    free(run.lines);
    for (size_t i = 0; i < run.n_rows; i++)
        dm_geom_free(run.rows[i].g);
    free(run.rows);
    free(layers);
    dm_row_free(run.row);
    cleanup(&st);
    dm__kml_tree_free(st.kml);
    GDALClose(ds);
    dm__csv_copy_remove(csv_copy);
    dm__gdal_end(&cap);
    return rc;
}

/* A spreadsheet's first row names its columns. The XLSX and ODS drivers
 * guess it from the cells' types, and take it for data when every cell
 * below is text too (numbers stored as text, as some systems export them):
 * the columns would be Field1, Field2, ... and no coordinates found. The
 * drivers read the sheet lazily, so the option (this thread's only) holds
 * for the whole read. */
static dm_status read_file(dm_ctx *ctx, dm_store *s, const char *path, const dm_import_opts *o,
                           dm_import_result *res, dm_check_report *check)
{
    static const char *const keys[] = {"OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"};
    int set[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        if (!CPLGetConfigOption(keys[i], NULL)) { /* a setting of the user's stands */
            CPLSetThreadLocalConfigOption(keys[i], "FORCE");
            set[i] = 1;
        }
    dm_status st = read_file_as_is(ctx, s, path, o, res, check);
    for (int i = 0; i < 2; i++)
        if (set[i])
            CPLSetThreadLocalConfigOption(keys[i], NULL);
    return st;
}

dm_status dm_import_file(dm_store *s, const char *path, const dm_import_opts *o,
                         dm_import_result *res)
{
    return read_file(dm_store_ctx(s), s, path, o, res, NULL);
}

dm_status dm__import_check(dm_ctx *ctx, dm_store *s, const char *path, const dm_import_opts *o,
                           dm_check_report *out)
{
    memset(out, 0, sizeof *out);
    dm_status rc = read_file(ctx, s, path, o, NULL, out);
    if (rc)
        dm_check_report_free(ctx, out);
    return rc;
}
