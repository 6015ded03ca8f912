/* SPDX-License-Identifier: MIT
 *
 * export.c -- writing one layer of the database to any vector format GDAL
 * writes, chosen by the file extension: every field, the uuid (so that an
 * exported file imports back to the same rows), and created/updated/author;
 * beside a GeoJSON, GeoPackage or FlatGeobuf file, the layer's QGIS style.
 */
#include "io_internal.h"

#include "demine/dm_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    case DM_FT_INT: return OFTInteger64;
    case DM_FT_REAL: return OFTReal;
    case DM_FT_DATE: return OFTDate;
    case DM_FT_BOOL: *sub = OFSTBoolean; return OFTInteger;
    default: return OFTString;
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
        return dm__fail(ctx, DM_ENOTFOUND, "unknown layer '%s'", layer ? layer : "");
    const char *drv_name = opts->format ? opts->format : dm_driver_for_path(path);
    if (!drv_name)
        return dm__fail(ctx, DM_EINVAL,
                        "%s: unknown output format; use an extension like .geojson, .gpkg, .shp, "
                        ".kml, .csv or .fgb",
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
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    GDALDriverH drv = GDALGetDriverByName(drv_name);
    if (!drv) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EGDAL, "GDAL has no '%s' driver", drv_name);
    }
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", path, cap.msg);
    }
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = NULL;
    if (!strcmp(drv_name, "CSV"))
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
    if (!strcmp(drv_name, "GeoJSON"))
        lco = CSLSetNameValue(lco, "RFC7946", "NO");
    OGRLayerH ol = GDALDatasetCreateLayer(ds, l->name, l->geom_type ? srs : NULL,
                                          ogr_type(l->geom_type), lco);
    CSLDestroy(lco);
    dm_status rc = DM_OK;
    dm_cursor *c = NULL;
    int *col = NULL;
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
    col = calloc(l->n_fields + 1, sizeof *col);
    if (!col) {
        rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < l->n_fields; i++) {
        col[i] = -1;
        if (opts->no_personal && (l->fields[i].flags & DM_FIELD_PERSONAL))
            continue;
        int sub;
        fd = OGR_Fld_Create(l->fields[i].name, field_type(&l->fields[i], &sub));
        OGR_Fld_SetSubType(fd, (OGRFieldSubType)sub);
        if (OGR_L_CreateField(ol, fd, TRUE) != OGRERR_NONE) {
            OGR_Fld_Destroy(fd);
            rc = dm__fail(ctx, DM_EGDAL, "%s: cannot create field %s: %s", path,
                          l->fields[i].name, cap.msg);
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
            else
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
                if (og)
                    OGR_F_SetGeometryDirectly(f, og);
            }
        }
        if (OGR_L_CreateFeature(ol, f) != OGRERR_NONE) {
            OGR_F_Destroy(f);
            rc = dm__fail(ctx, DM_EGDAL, "%s: cannot write feature %ld: %s", path, n + 1, cap.msg);
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
    if (n_rows)
        *n_rows = n;
done:
    dm_cursor_free(c);
    free(col);
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
    if (rc)
        unlink(path);
    dm__gdal_end(&cap);
    if (!rc)
        write_style(ctx, l->name, drv_name, path);
    return rc;
}
