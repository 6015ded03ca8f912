/* SPDX-License-Identifier: MIT
 *
 * geom_internal.h -- what the geometry module shares with other library
 * modules: the GEOS handle of a context and the dm_geom layout.
 */
#ifndef DM_GEOM_INTERNAL_H
#define DM_GEOM_INTERNAL_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "../core/dm_internal.h"

struct dm_geom {
    dm_ctx *ctx;
    GEOSGeometry *g;
};

/* The context's GEOS handle, created on first use. */
GEOSContextHandle_t dm__geos(dm_ctx *ctx);
/* The last GEOS error message on this context. */
const char *dm__geos_msg(dm_ctx *ctx);
/* Wrap a GEOS geometry (ownership passes); NULL g reports the GEOS error. */
dm_status dm__geom_wrap(dm_ctx *ctx, GEOSGeometry *g, dm_geom **out);

#endif
