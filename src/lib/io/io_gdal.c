/* SPDX-License-Identifier: MIT
 *
 * io_gdal.c -- GDAL set-up shared by the importer and exporter: one-time
 * driver registration, and capturing GDAL's error messages into the
 * context instead of letting GDAL print them.
 */
#include "io_internal.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_register(void)
{
    GDALAllRegister();
    /* Quiet by default: messages are collected per call. */
    CPLSetConfigOption("CPL_LOG", "/dev/null");
}

static void CPL_STDCALL capture(CPLErr cls, CPLErrorNum no, const char *msg)
{
    (void)no;
    dm__gdal_capture *c = CPLGetErrorHandlerUserData();
    if (c && cls >= CE_Failure)
        dm__strlcpy(c->msg, msg ? msg : "", sizeof c->msg);
    else if (c && cls == CE_Warning && !c->warning[0])
        dm__strlcpy(c->warning, msg ? msg : "", sizeof c->warning);
}

void dm__gdal_begin(dm__gdal_capture *c)
{
    pthread_once(&gdal_once, gdal_register);
    memset(c, 0, sizeof *c);
    CPLPushErrorHandlerEx(capture, c);
}

void dm__gdal_end(dm__gdal_capture *c)
{
    (void)c;
    CPLPopErrorHandler();
}

const char *dm_driver_for_path(const char *path)
{
    static const struct {
        const char *ext, *driver;
    } map[] = {
        {".geojson", "GeoJSON"}, {".json", "GeoJSON"},   {".gpkg", "GPKG"},
        {".shp", "ESRI Shapefile"}, {".kml", "KML"},    {".csv", "CSV"},
        {".fgb", "FlatGeobuf"},  {".gml", "GML"},       {".gpx", "GPX"},
        {".geojsonl", "GeoJSONSeq"}, {".sqlite", "SQLite"}, {".xlsx", "XLSX"},
        {".ods", "ODS"},
    };
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!dm__strcasecmp(dot, map[i].ext))
            return map[i].driver;
    return NULL;
}
