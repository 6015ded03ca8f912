/* SPDX-License-Identifier: MIT
 *
 * io_internal.h -- what the import and export files share: GDAL set-up and
 * error capture.
 */
#ifndef DM_IO_INTERNAL_H
#define DM_IO_INTERNAL_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "core/dm_internal.h"

typedef struct dm__gdal_capture {
    char msg[1024];
    char warning[1024];
} dm__gdal_capture;

/* Register drivers once and route GDAL messages into c until dm__gdal_end. */
void dm__gdal_begin(dm__gdal_capture *c);
void dm__gdal_end(dm__gdal_capture *c);

#endif
