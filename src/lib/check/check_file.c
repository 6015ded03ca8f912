/* SPDX-License-Identifier: MIT
 *
 * check_file.c -- checking a file before it is imported: every feature's
 * geometry (in WGS 84 whatever the file's CRS), its dates, and duplicates
 * and overlaps among features. Unlike an import, it reports every fault
 * instead of stopping at the first.
 */
#include "check_internal.h"

#include "io/io_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_date_field(const dm_layer_def *l, const char *name)
{
    if (l) {
        const dm_field_def *f = dm_field_find(l, name);
        return f && f->type == DM_FT_DATE;
    }
    for (const char *p = name; *p; p++)
        if (!strncasecmp(p, "date", 4))
            return 1;
    return 0;
}

dm_status dm_check_file(dm_ctx *ctx, const char *path, const char *layer, dm_check_report *out)
{
    memset(out, 0, sizeof *out);
    const dm_layer_def *l = NULL;
    if (layer && !(l = dm_layer_find(layer)))
        return dm__fail(ctx, DM_ENOTFOUND, "unknown layer '%s'", layer);
    if (access(path, R_OK) != 0)
        return dm__fail(ctx, DM_EIO, "%s: cannot read the file", path);
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EPARSE, "%s: not a vector file GDAL can read%s%s", path,
                        cap.msg[0] ? ": " : "", cap.msg);
    }
    OGRLayerH ol = GDALDatasetGetLayer(ds, 0);
    dm_status st = DM_OK;
    OGRCoordinateTransformationH oct = NULL;
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    dm__check_geomrow *rows = NULL;
    size_t n = 0, cap_rows = 0;
    const char *lname = l ? l->name : "file";
    if (!ol) {
        st = dm__fail(ctx, DM_EPARSE, "%s: the file holds no layer", path);
        goto done;
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(ol);
    if (srs) {
        OGRSpatialReferenceH s2 = OSRClone(srs);
        OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
        if (!OSRIsSame(s2, wgs))
            oct = OCTNewCoordinateTransformation(s2, wgs);
        OSRDestroySpatialReference(s2);
    }
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(ol);
    int nf = OGR_FD_GetFieldCount(fd);
    int ref_col = OGR_FD_GetFieldIndex(fd, "ref");
    if (ref_col < 0)
        ref_col = OGR_FD_GetFieldIndex(fd, "name");
    int start_col = OGR_FD_GetFieldIndex(fd, "start_date"), end_col = OGR_FD_GetFieldIndex(fd, "end_date");
    OGRFeatureH f;
    long no = 0;
    while ((f = OGR_L_GetNextFeature(ol)) != NULL) {
        no++;
        out->rows_checked++;
        char id[48];
        snprintf(id, sizeof id, "feature %ld", no);
        const char *ref = ref_col >= 0 ? OGR_F_GetFieldAsString(f, ref_col) : NULL;
        for (int i = 0; i < nf; i++) {
            const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
            if (OGR_F_IsFieldSetAndNotNull(f, i) && is_date_field(l, name)) {
                char buf[64];
                dm__strlcpy(buf, OGR_F_GetFieldAsString(f, i), sizeof buf);
                if (strlen(buf) >= 10 && buf[4] == '/' && buf[7] == '/')
                    buf[4] = buf[7] = '-';
                dm__check_date(out, lname, id, ref, name, buf);
            }
        }
        if (start_col >= 0 && end_col >= 0 && OGR_F_IsFieldSetAndNotNull(f, start_col) &&
            OGR_F_IsFieldSetAndNotNull(f, end_col)) {
            char a[11], b[11];
            if (dm_date_parse(OGR_F_GetFieldAsString(f, start_col), a) &&
                dm_date_parse(OGR_F_GetFieldAsString(f, end_col), b) && strcmp(a, b) > 0)
                dm__check_add(out, DM_CHECK_ERROR, "date_order", lname, id, ref, NAN, NAN,
                              "ends (%s) before it starts (%s)", b, a);
        }
        OGRGeometryH og = OGR_F_GetGeometryRef(f);
        if (!og) {
            if (l && l->geom_required)
                dm__check_add(out, DM_CHECK_ERROR, "empty_geometry", lname, id, ref, NAN, NAN,
                              "no geometry");
            OGR_F_Destroy(f);
            continue;
        }
        og = OGR_G_Clone(og);
        OGR_G_FlattenTo2D(og);
        if (oct && OGR_G_Transform(og, oct) != OGRERR_NONE) {
            dm__check_add(out, DM_CHECK_ERROR, "invalid_geometry", lname, id, ref, NAN, NAN,
                          "coordinates cannot be transformed to WGS 84");
            OGR_G_DestroyGeometry(og);
            OGR_F_Destroy(f);
            continue;
        }
        int sz = OGR_G_WkbSize(og);
        unsigned char *wkb = malloc((size_t)sz);
        dm_geom *g = NULL;
        if (wkb) {
            OGR_G_ExportToWkb(og, wkbNDR, wkb);
            if (dm_geom_from_wkb(ctx, wkb, (size_t)sz, &g))
                g = NULL;
        }
        free(wkb);
        OGR_G_DestroyGeometry(og);
        if (!g) {
            dm__check_add(out, DM_CHECK_ERROR, "invalid_geometry", lname, id, ref, NAN, NAN,
                          "the geometry cannot be read");
            OGR_F_Destroy(f);
            continue;
        }
        double b[4] = {0, 0, 0, 0};
        int has_b = dm_geom_bounds(g, b);
        if (has_b && (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90)) {
            dm__check_add(out, DM_CHECK_ERROR, "invalid_geometry", lname, id, ref, NAN, NAN,
                          "coordinates are not longitude/latitude and the file has no CRS");
            dm_geom_free(g);
            OGR_F_Destroy(f);
            continue;
        }
        dm__check_geom(ctx, out, lname, id, ref, g);
        if (!has_b) {
            dm_geom_free(g);
            OGR_F_Destroy(f);
            continue;
        }
        if (n == cap_rows) {
            cap_rows = cap_rows ? cap_rows * 2 : 256;
            dm__check_geomrow *d = realloc(rows, cap_rows * sizeof *d);
            if (!d) {
                dm_geom_free(g);
                OGR_F_Destroy(f);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            rows = d;
        }
        dm__check_geomrow *gr = &rows[n++];
        memset(gr, 0, sizeof *gr);
        dm__strlcpy(gr->id, id, sizeof gr->id);
        dm__strlcpy(gr->ref, ref ? ref : "", sizeof gr->ref);
        gr->g = g;
        memcpy(gr->env, b, sizeof b);
        dm_geom_area_ha(ctx, g, &gr->ha);
        gr->is_point = dm_geom_type_of(g) == DM_GEOM_POINT;
        OGR_F_Destroy(f);
        dm__progress(ctx, "check", (uint64_t)no, 0);
    }
    dm__check_pairs(ctx, out, lname, rows, n, l && !strcmp(l->name, "hazards"));
done:
    for (size_t i = 0; i < n; i++)
        dm_geom_free(rows[i].g);
    free(rows);
    if (oct)
        OCTDestroyCoordinateTransformation(oct);
    OSRDestroySpatialReference(wgs);
    GDALClose(ds);
    dm__gdal_end(&cap);
    if (st)
        dm_check_report_free(ctx, out);
    return st;
}
