/* SPDX-License-Identifier: MIT
 *
 * import_kml.c -- the folders of a KML or KMZ file as a tree, so that an
 * import names each placemark's folder by its whole path ("Sector A/
 * Minefield 3"): GDAL's KML drivers make each folder a layer named after
 * the innermost folder alone, with " (#2)" after a name used before.
 */
#include "io_internal.h"

#include <cpl_vsi.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct kml_folder {
    char *name;     /* trimmed, entities decoded; NULL when the folder has none */
    int parent;     /* index of the enclosing folder, -1 at the top */
    int placemarks; /* placemarks directly in it */
    int closed;     /* order in which it closed (0, 1, ...), -1 while open */
    int index;      /* its place among the features of its container (0, 1, ...):
                     * LIBKML names a folder without a name "Layer<index>" */
} kml_folder;

struct dm__kml_tree {
    kml_folder *f;
    int n, cap;
    char document[256]; /* the top document's name, which is no folder */
};

/* The text of a .kml, or of the .kml inside a .kmz (doc.kml, else the
 * first), NUL-terminated; NULL when it cannot be read. */
static char *kml_text(const char *path)
{
    GByte *data = NULL;
    vsi_l_offset size = 0;
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        return NULL;
    char magic[2] = {0, 0};
    size_t got = VSIFReadL(magic, 1, 2, fp);
    VSIFCloseL(fp);
    char inner[2048];
    const char *file = path;
    if (got == 2 && magic[0] == 'P' && magic[1] == 'K') {
        char zip[1100];
        snprintf(zip, sizeof zip, "/vsizip/%s", path);
        char **list = VSIReadDirRecursive(zip);
        const char *pick = NULL;
        for (int i = 0; list && list[i]; i++) {
            const char *e = strrchr(list[i], '.');
            if (!e || dm__strcasecmp(e, ".kml"))
                continue;
            const char *base = strrchr(list[i], '/');
            if (!dm__strcasecmp(base ? base + 1 : list[i], "doc.kml")) {
                pick = list[i];
                break;
            }
            if (!pick)
                pick = list[i];
        }
        if (pick)
            snprintf(inner, sizeof inner, "%s/%s", zip, pick);
        CSLDestroy(list);
        if (!pick)
            return NULL;
        file = inner;
    }
    /* 1 GB at most: a folder tree is not worth more memory */
    if (!VSIIngestFile(NULL, file, &data, &size, (GIntBig)1 << 30))
        return NULL;
    return (char *)data; /* VSIIngestFile ends it with a NUL */
}

/* The element name of the tag at p (after '<' or '</'), without its
 * namespace prefix, into out. */
static void tag_name(const char *p, char *out, size_t n)
{
    size_t k = 0;
    const char *start = p;
    while (*p && !isspace((unsigned char)*p) && *p != '>' && *p != '/') {
        if (*p == ':') {
            start = p + 1;
            k = 0;
        } else
            k++;
        p++;
    }
    if (k >= n)
        k = n - 1;
    memcpy(out, start, k);
    out[k] = '\0';
}

/* The text of an element from p (just after its start tag) to its end tag,
 * CDATA unwrapped, entities decoded, spaces trimmed; NULL when out of memory. */
static char *element_text(const char *p)
{
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    while (*p) {
        const char *piece = p;
        size_t len = 1;
        char ent[8];
        if (!strncmp(p, "<![CDATA[", 9)) {
            const char *end = strstr(p + 9, "]]>");
            piece = p + 9;
            len = end ? (size_t)(end - piece) : strlen(piece);
            p = end ? end + 3 : piece + len;
        } else if (*p == '<') {
            break;
        } else if (*p == '&') {
            const char *semi = strchr(p, ';');
            unsigned long c = 0;
            if (semi && semi - p < 12) {
                if (!strncmp(p, "&amp;", 5))
                    c = '&';
                else if (!strncmp(p, "&lt;", 4))
                    c = '<';
                else if (!strncmp(p, "&gt;", 4))
                    c = '>';
                else if (!strncmp(p, "&quot;", 6))
                    c = '"';
                else if (!strncmp(p, "&apos;", 6))
                    c = '\'';
                else if (p[1] == '#')
                    c = p[2] == 'x' || p[2] == 'X' ? strtoul(p + 3, NULL, 16) : strtoul(p + 2, NULL, 10);
            }
            if (c > 0 && c < 0x110000) {
                /* as UTF-8 */
                if (c < 0x80) {
                    ent[0] = (char)c;
                    len = 1;
                } else if (c < 0x800) {
                    ent[0] = (char)(0xC0 | (c >> 6));
                    ent[1] = (char)(0x80 | (c & 0x3F));
                    len = 2;
                } else if (c < 0x10000) {
                    ent[0] = (char)(0xE0 | (c >> 12));
                    ent[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                    ent[2] = (char)(0x80 | (c & 0x3F));
                    len = 3;
                } else {
                    ent[0] = (char)(0xF0 | (c >> 18));
                    ent[1] = (char)(0x80 | ((c >> 12) & 0x3F));
                    ent[2] = (char)(0x80 | ((c >> 6) & 0x3F));
                    ent[3] = (char)(0x80 | (c & 0x3F));
                    len = 4;
                }
                piece = ent;
                p = semi + 1;
            } else
                p++;
        } else
            p++;
        if (n + len + 1 > cap) {
            while (n + len + 1 > cap)
                cap *= 2;
            char *t = realloc(s, cap);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        memcpy(s + n, piece, len);
        n += len;
    }
    s[n] = '\0';
    size_t a = 0;
    while (a < n && isspace((unsigned char)s[a]))
        a++;
    while (n > a && isspace((unsigned char)s[n - 1]))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
    return s;
}

static int is_container(const char *name)
{
    return !strcmp(name, "Folder") || !strcmp(name, "Document");
}

/* The KML elements that are features (kmldom's Feature), counted in a
 * container for the index of a folder among them. */
static int is_feature(const char *name)
{
    static const char *const f[] = {"Placemark", "Folder", "Document", "NetworkLink", "GroundOverlay",
                                    "PhotoOverlay", "ScreenOverlay", "Tour", NULL}; /* Tour: gx:Tour */
    for (int i = 0; f[i]; i++)
        if (!strcmp(name, f[i]))
            return 1;
    return 0;
}

dm__kml_tree *dm__kml_tree_read(const char *path)
{
    char *text = kml_text(path);
    if (!text)
        return NULL;
    dm__kml_tree *t = calloc(1, sizeof *t);
    /* per open element: the folder it is (>= 0), the top document (-2), or
     * something else (-1) */
    int *stack = NULL, *kids = NULL, depth = 0, cap = 0, closed = 0, top_document = 0;
    if (!t)
        goto fail;
    for (const char *p = strchr(text, '<'); p; p = strchr(p, '<')) {
        if (!strncmp(p, "<!--", 4)) {
            const char *e = strstr(p, "-->");
            if (!e)
                break;
            p = e + 3;
            continue;
        }
        if (!strncmp(p, "<![CDATA[", 9)) {
            const char *e = strstr(p, "]]>");
            if (!e)
                break;
            p = e + 3;
            continue;
        }
        if (p[1] == '?' || p[1] == '!') {
            p++;
            continue;
        }
        const char *gt = strchr(p, '>');
        if (!gt)
            break;
        int self_closing = gt > p && gt[-1] == '/';
        char name[32];
        if (p[1] == '/') {
            if (depth > 0) {
                int k = stack[--depth];
                if (k >= 0)
                    t->f[k].closed = closed++;
            }
            p = gt + 1;
            continue;
        }
        tag_name(p + 1, name, sizeof name);
        int parent = depth > 0 ? stack[depth - 1] : -1;
        int code = -1, index = 0;
        if (depth > 0 && is_feature(name))
            index = kids[depth - 1]++;
        if (!strcmp(name, "name") && !self_closing && depth > 0 && (parent >= 0 || parent == -2)) {
            if (parent >= 0 ? !t->f[parent].name : !t->document[0]) {
                char *v = element_text(gt + 1);
                if (!v)
                    goto fail;
                if (parent >= 0)
                    t->f[parent].name = v;
                else {
                    dm__strlcpy(t->document, v, sizeof t->document);
                    free(v);
                }
            }
        } else if (!strcmp(name, "Placemark") && parent >= 0) {
            t->f[parent].placemarks++;
        } else if (is_container(name)) {
            if (!strcmp(name, "Document") && !top_document && parent == -1) {
                /* the top document (directly in <kml>) is no folder */
                int in_kml = 1;
                for (int i = 0; i < depth; i++)
                    in_kml &= stack[i] == -1;
                if (in_kml && depth <= 1) {
                    top_document = 1;
                    code = -2;
                }
            }
            if (code != -2) {
                if (t->n == t->cap) {
                    int nc = t->cap ? 2 * t->cap : 16;
                    kml_folder *f = realloc(t->f, (size_t)nc * sizeof *f);
                    if (!f)
                        goto fail;
                    t->f = f;
                    t->cap = nc;
                }
                int up = parent;
                for (int i = depth - 1; up < 0 && i >= 0; i--)
                    up = stack[i] >= 0 ? stack[i] : -1;
                t->f[t->n] = (kml_folder){NULL, up, 0, -1, index};
                code = t->n++;
            }
        }
        if (!self_closing) {
            if (depth == cap) {
                int nc = cap ? 2 * cap : 64;
                int *s = realloc(stack, (size_t)nc * sizeof *s);
                if (!s)
                    goto fail;
                stack = s;
                int *k = realloc(kids, (size_t)nc * sizeof *k);
                if (!k)
                    goto fail;
                kids = k;
                cap = nc;
            }
            kids[depth] = 0;
            stack[depth++] = code;
        } else if (code >= 0)
            t->f[code].closed = closed++;
        p = gt + 1;
    }
    free(stack);
    free(kids);
    VSIFree(text);
    return t;
fail:
    free(stack);
    free(kids);
    VSIFree(text);
    dm__kml_tree_free(t);
    return NULL;
}

void dm__kml_tree_free(dm__kml_tree *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        free(t->f[i].name);
    free(t->f);
    free(t);
}

const char *dm__kml_tree_document(const dm__kml_tree *t)
{
    return t ? t->document : "";
}

/* a equals b, spaces at either end ignored (b of length nb) */
static int same_trimmed(const char *a, const char *b, size_t nb)
{
    while (nb && isspace((unsigned char)*b))
        b++, nb--;
    while (nb && isspace((unsigned char)b[nb - 1]))
        nb--;
    return strlen(a) == nb && !memcmp(a, b, nb);
}

/* Folder i is the one GDAL names layer_name (its first nb bytes): by its
 * name, or, without one, as LIBKML names it ("Layer3": the fourth feature
 * of its container). */
static int folder_named(const dm__kml_tree *t, int i, int libkml, const char *layer_name, size_t nb)
{
    if (t->f[i].name)
        return same_trimmed(t->f[i].name, layer_name, nb);
    if (!libkml)
        return 0;
    char made[32];
    snprintf(made, sizeof made, "Layer%d", t->f[i].index);
    return same_trimmed(made, layer_name, nb);
}

const char *dm__kml_folder_path(const dm__kml_tree *t, const char *layer_name, int libkml, char *buf,
                                size_t n, int *nested)
{
    *nested = 0;
    if (!t || !layer_name || !n)
        return NULL;
    /* "Minefield 3 (#2)": the second folder of that name */
    size_t nb = strlen(layer_name);
    long nth = 1;
    const char *hash = nb > 4 && layer_name[nb - 1] == ')' ? strstr(layer_name, " (#") : NULL;
    while (hash && strstr(hash + 1, " (#"))
        hash = strstr(hash + 1, " (#");
    if (hash) {
        char *end;
        long k = strtol(hash + 3, &end, 10);
        if (k >= 2 && end == layer_name + nb - 1) {
            nth = k;
            nb = (size_t)(hash - layer_name);
        }
    }
    /* the folders of that name in the order the driver made their layers:
     * LIBKML as they open, every one; KML as they close, those with
     * placemarks */
    int found = -1, count = 0, only = -1, n_named = 0;
    for (int i = 0; i < t->n; i++)
        if (folder_named(t, i, libkml, layer_name, nb)) {
            n_named++;
            only = i;
        }
    if (n_named == 0)
        return NULL;
    if (n_named == 1)
        found = only;
    else if (libkml) {
        for (int i = 0; i < t->n && found < 0; i++)
            if (folder_named(t, i, libkml, layer_name, nb) && ++count == nth)
                found = i;
    } else {
        for (int c = 0; c < t->n && found < 0; c++)
            for (int i = 0; i < t->n; i++)
                if (t->f[i].closed == c && t->f[i].placemarks && t->f[i].name &&
                    same_trimmed(t->f[i].name, layer_name, nb) && ++count == nth)
                    found = i;
    }
    if (found < 0)
        return NULL;
    /* the path from the top folder down */
    int chain[64], m = 0;
    for (int k = found; k >= 0 && m < 64; k = t->f[k].parent)
        chain[m++] = k;
    size_t len = 0;
    buf[0] = '\0';
    for (int i = m - 1; i >= 0; i--) {
        const char *nm = t->f[chain[i]].name && t->f[chain[i]].name[0] ? t->f[chain[i]].name : "(unnamed)";
        int w = snprintf(buf + len, n - len, "%s%s", i == m - 1 ? "" : "/", nm);
        if (w < 0 || (size_t)w >= n - len)
            return NULL;
        len += (size_t)w;
    }
    *nested = m > 1;
    return buf;
}
