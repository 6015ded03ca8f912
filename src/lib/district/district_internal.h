/* SPDX-License-Identifier: MIT
 *
 * district_internal.h -- the district of a row, one rule for the whole
 * library: its own field district when it has one, else the name of the
 * polygon of layer districts that holds its centre. The table by district
 * (demine stats --by district), the report of some districts and the plan of
 * some districts (demine plan --district) count a row in the same district.
 */
#ifndef DM_DISTRICT_INTERNAL_H
#define DM_DISTRICT_INTERNAL_H

#include "core/dm_internal.h"

/* The polygons of layer districts (those with a geometry), read once. */
typedef struct dm_district_polys dm_district_polys;

/* Read the polygons of layer districts of s into *out (never NULL on
 * DM_OK; an empty set when the layer has none). A row whose geometry is
 * missing or cannot be read is left out. Free with
 * dm__district_polys_free. */
dm_status dm__district_polys_load(dm_store *s, dm_district_polys **out);
void dm__district_polys_free(dm_district_polys *d);

/* The name of the first polygon (in the layer's order) that holds the
 * centroid of g ("" for a polygon without a name), or NULL when none does,
 * g is NULL or has no centroid. Borrowed from d. */
const char *dm__district_at(const dm_district_polys *d, const dm_geom *g);

/* The district of a row whose field district is field (NULL or "": none)
 * and whose geometry is g: field when it names one, else dm__district_at. */
const char *dm__district_of(const dm_district_polys *d, const char *field, const dm_geom *g);

#endif
