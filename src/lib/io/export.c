/* SPDX-License-Identifier: MIT
 *
 * export.c -- writing one layer of the database to any vector format GDAL
 * writes, chosen by the file extension: every field, the uuid (so that an
 * exported file imports back to the same rows), and created/updated/author;
 * beside a GeoJSON, GeoPackage or FlatGeobuf file, the layer's QGIS style.
 *
 * A failed export leaves nothing behind: every file it created (a
 * Shapefile's .shp, .shx, .dbf, .prj, .cpg; a GeoPackage's journal) is
 * removed, and no file that was there before is touched.
 */
#include "io_internal.h"

#include "demine/dm_io.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------- files of an export ------------------------- */

/* The files an export to path may create are path's directory entries
 * named like it up to its extension: "out" and "out.*" for out.shp (its
 * .dbf, .shx, .prj, .cpg), out.gpkg (out.gpkg-journal) or out.fgb. */
typedef struct out_files {
    char dir[4096];
    char stem[1024];
    char **before; /* such names there before the export began */
    size_t n_before;
    int listed; /* the directory was read: before is complete */
} out_files;

static int stem_match(const char *name, const char *stem)
{
    size_t n = strlen(stem);
    return !strncmp(name, stem, n) && (name[n] == '\0' || name[n] == '.');
}

static void out_files_begin(out_files *o, const char *path)
{
    memset(o, 0, sizeof *o);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        snprintf(o->dir, sizeof o->dir, "%.*s", (int)(slash - path + (slash == path)), path);
    else
        dm__strlcpy(o->dir, ".", sizeof o->dir);
    dm__strlcpy(o->stem, base, sizeof o->stem);
    char *dot = strrchr(o->stem, '.');
    if (dot && dot != o->stem)
        *dot = '\0';
    DIR *d = opendir(o->dir);
    if (!d)
        return; /* the export cannot create anything there either */
    struct dirent *e;
    int ok = 1;
    size_t cap = 0;
    while (ok && (e = readdir(d)) != NULL) {
        if (!stem_match(e->d_name, o->stem))
            continue;
        if (o->n_before == cap) {
            size_t nc = cap ? 2 * cap : 8;
            char **p = realloc(o->before, nc * sizeof *p);
            if (!p) {
                ok = 0;
                break;
            }
            o->before = p;
            cap = nc;
        }
        if (!(o->before[o->n_before] = strdup(e->d_name)))
            ok = 0;
        else
            o->n_before++;
    }
    closedir(d);
    o->listed = ok;
}

static int existed(const out_files *o, const char *name)
{
    for (size_t i = 0; i < o->n_before; i++)
        if (!strcmp(o->before[i], name))
            return 1;
    return 0;
}

/* Remove a directory the export created, with everything in it. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char sub[4096];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat sb;
            if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* After a failure: remove what the export created, nothing that was there
 * before. (GDALDeleteDataset would also take a Shapefile's .qix or .sbn
 * index left there by another program.) Without a complete list of what
 * was there, only path itself, which the export refused to overwrite. */
static void out_files_remove_new(const out_files *o, const char *path)
{
    DIR *d = o->listed ? opendir(o->dir) : NULL;
    if (!d) {
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(path);
        else
            unlink(path);
        return;
    }
    struct dirent *e;
    char full[8192];
    while ((e = readdir(d)) != NULL) {
        if (!stem_match(e->d_name, o->stem) || existed(o, e->d_name))
            continue;
        snprintf(full, sizeof full, "%s/%s", o->dir, e->d_name);
        struct stat sb;
        if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(full);
        else
            unlink(full);
    }
    closedir(d);
}

static void out_files_end(out_files *o)
{
    for (size_t i = 0; i < o->n_before; i++)
        free(o->before[i]);
    free(o->before);
    o->before = NULL;
    o->n_before = 0;
}

/* A Shapefile OUT.shp is written with OUT.shx, OUT.dbf, OUT.prj and
 * OUT.cpg beside it, overwriting such files, and GDAL deletes a .cpg it
 * does not write and the spatial indexes (.qix, .sbn, .sbx) of the file it
 * replaces: the name of one already there, or NULL. */
static const char *shapefile_side_there(const char *path, char *buf, size_t n)
{
    static const char *side[] = {"shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx",
                                 "SHX", "DBF", "PRJ", "CPG", "QIX", "SBN", "SBX"};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash) || dm__strcasecmp(dot, ".shp"))
        return NULL;
    for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
        snprintf(buf, n, "%.*s.%s", (int)(dot - path), path, side[i]);
        if (access(buf, F_OK) == 0)
            return buf;
    }
    return NULL;
}

/* A .dbf text field holds at most 254 bytes. */
#define DBF_TEXT_MAX 254

/* v cut to at most DBF_TEXT_MAX bytes at a character boundary, in cut. */
static const char *utf8_cut(const char *v, char cut[DBF_TEXT_MAX + 1])
{
    size_t n = DBF_TEXT_MAX;
    while (n && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    memcpy(cut, v, n);
    cut[n] = '\0';
    return cut;
}

static OGRwkbGeometryType ogr_type(const char *t)
{
    if (!t)
        return wkbNone;
    if (!strcmp(t, "POINT"))
        return wkbPoint;
    if (!strcmp(t, "LINESTRING"))
        return wkbLineString;
    if (!strcmp(t, "MULTIPOLYGON"))
        return wkbMultiPolygon;
    return wkbUnknown;
}

static OGRFieldType field_type(const dm_field_def *f, int *sub)
{
    *sub = OFSTNone;
    switch (f->type) {
    case DM_FT_INT:
        return OFTInteger64;
    case DM_FT_REAL:
        return OFTReal;
    case DM_FT_DATE:
        return OFTDate;
    case DM_FT_BOOL:
        *sub = OFSTBoolean;
        return OFTInteger;
    default:
        return OFTString;
    }
}

/* The layer's QGIS style beside the file, which QGIS loads with it: for
 * the formats that keep our field names (not Shapefile's 10 characters,
 * which the style's rules would miss), and never over a file already
 * there. The export stands without it. */
static void write_style(dm_ctx *ctx, const char *layer, const char *drv, const char *path)
{
    if (strcmp(drv, "GeoJSON") && strcmp(drv, "GPKG") && strcmp(drv, "FlatGeobuf"))
        return;
    char sp[4200];
    char *qml = dm_layer_style_qml(layer);
    if (qml && dm_qgis_style_path(path, sp, sizeof sp) == 0 && access(sp, F_OK) != 0) {
        FILE *f = fopen(sp, "w");
        int ok = f && fputs(qml, f) >= 0;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok) {
            remove(sp);
            dm__log(ctx, DM_LOG_WARN, "%s: cannot write the layer's QGIS style", sp);
        }
    }
    free(qml);
}

/* Some drivers take no note of a failed write (a full disk, a file size
 * limit): a GeoJSON cut short closes without an error. Read the file back:
 * it must open and hold the n features written, or at least the n_geom of
 * them with a geometry (KML's reader skips placemarks without one). */
static dm_status check_written(dm_ctx *ctx, const char *path, const char *drv_name,
                               const char *layer, long n, long n_geom)
{
    /* the formats of dm_driver_for_path that read back one feature per
     * feature written (GPX does not; others named with a format may not) */
    static const char *one_to_one[] = {"GeoJSON",    "GPKG", "ESRI Shapefile", "KML",    "CSV",
                                       "FlatGeobuf", "GML",  "GeoJSONSeq",     "SQLite", "XLSX",
                                       "ODS"};
    size_t k = 0;
    while (k < sizeof one_to_one / sizeof one_to_one[0] && strcmp(drv_name, one_to_one[k]))
        k++;
    if (k == sizeof one_to_one / sizeof one_to_one[0])
        return DM_OK;
    const char *drivers[] = {drv_name, NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!ds)
        return dm__fail(ctx, DM_EIO,
                        "%s: cannot finish writing: the file written cannot be read "
                        "back (disk full?)",
                        path);
    OGRLayerH ol = GDALDatasetGetLayerByName(ds, layer);
    if (!ol && GDALDatasetGetLayerCount(ds) == 1)
        ol = GDALDatasetGetLayer(ds, 0);
    GIntBig got = ol ? OGR_L_GetFeatureCount(ol, TRUE) : -1;
    GDALClose(ds);
    if (got >= 0 && (got < n_geom || got > n))
        return dm__fail(ctx, DM_EIO,
                        "%s: cannot finish writing: the file holds %lld of the %ld "
                        "features written (disk full?)",
                        path, (long long)got, n);
    return DM_OK;
}

dm_status dm_export_layer(dm_store *s, const char *layer, const char *path,
                          const dm_export_opts *opts, long *n_rows)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_export_opts none = {0};
    if (!opts)
        opts = &none;
    if (n_rows)
        *n_rows = 0;
    const dm_layer_def *l = dm_layer_find(layer);
    if (!l)
        return dm__unknown_layer(ctx, layer);
    const char *drv_name = opts->format ? opts->format : dm_driver_for_path(path);
    if (!drv_name)
        return dm__fail(ctx, DM_EINVAL,
                        "%s: unknown output format; use an extension like .geojson, .gpkg, .shp, "
                        ".kml, .csv or .fgb, or name a GDAL driver with --format (--format "
                        "'MapInfo File' for a .tab)",
                        path);
    if (access(path, F_OK) == 0)
        return dm__fail(ctx, DM_EIO, "%s already exists; not overwriting it", path);
    if (!strcmp(drv_name, "ESRI Shapefile") && !l->geom_type)
        /* GDAL writes only OUT.dbf: the .shp named would not exist */
        return dm__fail(ctx, DM_EINVAL,
                        "%s: layer %s has no geometry, and a Shapefile of it would be only a "
                        ".dbf; export it to .csv, .gpkg or .xlsx",
                        path, l->name);
    if (!strcmp(drv_name, "ESRI Shapefile") && !strcmp(l->geom_type, "GEOMETRY"))
        return dm__fail(ctx, DM_EINVAL,
                        "%s: layer %s mixes points, lines and polygons, which a Shapefile cannot "
                        "hold; export it to .gpkg, .geojson or .fgb",
                        path, l->name);
    int fgb = !strcmp(drv_name, "FlatGeobuf");
    if (fgb && !l->geom_type)
        /* GDAL writes a FlatGeobuf of it with no feature at all */
        return dm__fail(ctx, DM_EINVAL,
                        "%s: layer %s has no geometry, and FlatGeobuf keeps only features with "
                        "one; export it to .csv, .gpkg or .xlsx",
                        path, l->name);
    char side[4200];
    if (!strcmp(drv_name, "ESRI Shapefile") && shapefile_side_there(path, side, sizeof side))
        return dm__fail(ctx, DM_EIO,
                        "%s already exists and a Shapefile %s would overwrite or delete it; "
                        "not touching it",
                        side, path);
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    GDALDriverH drv = GDALGetDriverByName(drv_name);
    if (!drv) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EGDAL, "GDAL has no '%s' driver", drv_name);
    }
    out_files files;
    out_files_begin(&files, path);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        out_files_remove_new(&files, path);
        out_files_end(&files);
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", path, cap.msg);
    }
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = NULL;
    int shp = !strcmp(drv_name, "ESRI Shapefile");
    /* Spreadsheets hold no geometry: it goes to a WKT column, which import
     * reads back. */
    int wkt_geom = l->geom_type && (!strcmp(drv_name, "XLSX") || !strcmp(drv_name, "ODS"));
    if (!strcmp(drv_name, "CSV")) {
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
        /* Excel reads a CSV without the byte order mark in the local code
         * page: Cyrillic, Armenian and Azerbaijani text would be garbled */
        lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
    }
    if (!strcmp(drv_name, "GeoJSON"))
        lco = CSLSetNameValue(lco, "RFC7946", "NO");
    if (shp) /* the .dbf in UTF-8 with a .cpg saying so (the default is Latin-1: '?') */
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    OGRLayerH ol = GDALDatasetCreateLayer(ds, l->name, l->geom_type && !wkt_geom ? srs : NULL,
                                          wkt_geom ? wkbNone : ogr_type(l->geom_type), lco);
    CSLDestroy(lco);
    dm_status rc = DM_OK;
    dm_cursor *c = NULL;
    int *col = NULL;
    long n_written = 0, n_geom = 0, n_cut = 0;
    char first_cut[256] = "";
    if (!ol) {
        rc = dm__fail(ctx, DM_EGDAL, "%s: cannot create layer: %s", path, cap.msg);
        goto done;
    }
    /* Drivers may add their own fields (KML's Name, Description) or rename
     * ours (Shapefile's 10 characters): remember where each one lands. */
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(ol);
    OGRFieldDefnH fd = OGR_Fld_Create("uuid", OFTString);
    OGR_L_CreateField(ol, fd, TRUE);
    OGR_Fld_Destroy(fd);
    int uuid_col = OGR_FD_GetFieldCount(defn) - 1;
    int wkt_col = -1;
    if (wkt_geom) {
        fd = OGR_Fld_Create("WKT", OFTString);
        OGR_L_CreateField(ol, fd, TRUE);
        OGR_Fld_Destroy(fd);
        wkt_col = OGR_FD_GetFieldCount(defn) - 1;
    }
    col = calloc(l->n_fields + 1, sizeof *col);
    if (!col) {
        rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < l->n_fields; i++) {
        col[i] = -1;
        if (opts->no_personal && dm_field_is_personal(l, &l->fields[i]))
            continue;
        int sub;
        OGRFieldType ft = field_type(&l->fields[i], &sub);
        fd = OGR_Fld_Create(l->fields[i].name, ft);
        OGR_Fld_SetSubType(fd, (OGRFieldSubType)sub);
        OGRErr made = OGR_L_CreateField(ol, fd, TRUE);
        if (made != OGRERR_NONE && ft == OFTInteger64) {
            /* a format without 64-bit integers (MapInfo's .tab): demine's
             * whole numbers (counts, depths, years) fit in 32 bits */
            OGR_Fld_SetType(fd, OFTInteger);
            if ((made = OGR_L_CreateField(ol, fd, TRUE)) == OGRERR_NONE)
                cap.msg[0] = '\0';
        }
        if (made != OGRERR_NONE) {
            OGR_Fld_Destroy(fd);
            rc = dm__fail(ctx, DM_EGDAL, "%s: cannot create field %s: %s", path, l->fields[i].name,
                          cap.msg);
            goto done;
        }
        OGR_Fld_Destroy(fd);
        col[i] = OGR_FD_GetFieldCount(defn) - 1;
    }
    static const char *meta[] = {"created", "updated", "author"};
    int meta_col[3];
    for (int i = 0; i < 3; i++) {
        fd = OGR_Fld_Create(meta[i], OFTString);
        OGR_L_CreateField(ol, fd, TRUE);
        OGR_Fld_Destroy(fd);
        meta_col[i] = OGR_FD_GetFieldCount(defn) - 1;
    }
    long total = 0;
    dm_store_count(s, l->name, opts->select, &total);
    if ((rc = dm_store_select(s, l->name, opts->select, &c)))
        goto done;
    int tx = OGR_L_StartTransaction(ol) == OGRERR_NONE;
    long n = 0;
    int r;
    while ((r = dm_cursor_next(c)) == 1) {
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, uuid_col, dm_cursor_uuid(c));
        for (size_t i = 0; i < l->n_fields; i++) {
            const char *v = dm_cursor_text(c, l->fields[i].name);
            if (col[i] < 0)
                continue;
            if (!v)
                OGR_F_SetFieldNull(f, col[i]);
            else if (shp && strlen(v) > DBF_TEXT_MAX && l->fields[i].type == DM_FT_TEXT) {
                char cut[DBF_TEXT_MAX + 1];
                OGR_F_SetFieldString(f, col[i], utf8_cut(v, cut));
                if (!n_cut++) {
                    const char *ref = dm_field_find(l, "ref") ? dm_cursor_text(c, "ref") : NULL;
                    snprintf(first_cut, sizeof first_cut, "%s %s field %s, %zu bytes", l->name,
                             ref ? ref : dm_cursor_uuid(c), l->fields[i].name, strlen(v));
                }
            } else
                OGR_F_SetFieldString(f, col[i], v);
        }
        for (int i = 0; i < 3; i++) {
            const char *v = dm_cursor_text(c, meta[i]);
            if (v)
                OGR_F_SetFieldString(f, meta_col[i], v);
        }
        if (l->geom_type) {
            dm_geom *g = NULL;
            if ((rc = dm_cursor_geom(c, &g))) {
                OGR_F_Destroy(f);
                goto done;
            }
            if (g) {
                unsigned char *wkb = NULL;
                size_t len = 0;
                rc = dm_geom_to_wkb(ctx, g, &wkb, &len);
                dm_geom_free(g);
                if (rc) {
                    OGR_F_Destroy(f);
                    goto done;
                }
                OGRGeometryH og = NULL;
                OGR_G_CreateFromWkb(wkb, srs, &og, (int)len);
                dm_free(ctx, wkb);
                if (og && wkt_col >= 0) {
                    char *wkt = NULL;
                    if (OGR_G_ExportToWkt(og, &wkt) == OGRERR_NONE)
                        OGR_F_SetFieldString(f, wkt_col, wkt);
                    CPLFree(wkt);
                    OGR_G_DestroyGeometry(og);
                    n_geom++;
                } else if (og) {
                    /* one polygon in a layer of multipolygons (another
                     * program wrote it so): as the layer's type, which a
                     * FlatGeobuf or Shapefile holds to */
                    if (l->geom_type && !strcmp(l->geom_type, "MULTIPOLYGON") &&
                        wkbFlatten(OGR_G_GetGeometryType(og)) == wkbPolygon)
                        og = OGR_G_ForceToMultiPolygon(og);
                    OGR_F_SetGeometryDirectly(f, og);
                    n_geom++;
                }
            } else if (fgb) {
                OGR_F_Destroy(f);
                const char *ref = dm_field_find(l, "ref") ? dm_cursor_text(c, "ref") : NULL;
                rc = dm__fail(ctx, DM_EINVAL,
                              "%s: %s %s has no geometry, and FlatGeobuf would drop it; export "
                              "the layer to .gpkg or .geojson",
                              path, l->name, ref ? ref : dm_cursor_uuid(c));
                goto done;
            }
        }
        errno = 0;
        if (OGR_L_CreateFeature(ol, f) != OGRERR_NONE) {
            int err = errno;
            OGR_F_Destroy(f);
            const char *ref = dm_field_find(l, "ref") ? dm_cursor_text(c, "ref") : NULL;
            rc = dm__fail(ctx, DM_EGDAL, "%s: cannot write feature %ld (%s %s): %s", path, n + 1,
                          l->name, ref ? ref : dm_cursor_uuid(c),
                          cap.msg[0] ? cap.msg
                          : err      ? strerror(err)
                                     : "the driver gives no reason");
            goto done;
        }
        OGR_F_Destroy(f);
        n++;
        dm__progress(ctx, "export", (uint64_t)n, (uint64_t)total);
    }
    if (r < 0) {
        rc = dm_ctx_errcode(ctx);
        goto done;
    }
    if (tx && OGR_L_CommitTransaction(ol) != OGRERR_NONE) {
        rc = dm__fail(ctx, DM_EGDAL, "%s: cannot commit: %s", path, cap.msg);
        goto done;
    }
    n_written = n;
done:
    dm_cursor_free(c);
    free(col);
    OSRDestroySpatialReference(srs);
    /* Drivers write what they buffered when the file is closed (a GeoJSON's
     * last features, a Shapefile's index): a failure then is a failed
     * export too, not a truncated file reported as written. */
    cap.msg[0] = '\0';
    GDALClose(ds);
    if (!rc && cap.msg[0])
        rc = dm__fail(ctx, DM_EIO, "%s: cannot finish writing: %s", path, cap.msg);
    if (!rc)
        rc = check_written(ctx, path, drv_name, l->name, n_written, n_geom);
    if (rc)
        out_files_remove_new(&files, path);
    else if (n_rows)
        *n_rows = n_written;
    out_files_end(&files);
    dm__gdal_end(&cap);
    if (!rc)
        write_style(ctx, l->name, drv_name, path);
    if (!rc && n_cut)
        dm__log(ctx, DM_LOG_WARN,
                "%s: a Shapefile's text holds %d bytes: %ld value%s cut to it (the first: %s); "
                "export to .gpkg or .geojson to keep them whole",
                path, DBF_TEXT_MAX, n_cut, n_cut == 1 ? "" : "s", first_cut);
    return rc;
}
