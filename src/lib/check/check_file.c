/* SPDX-License-Identifier: MIT
 *
 * check_file.c -- checking a file before it is imported. The file is read
 * by the importer itself (io/import.c), so the check sees what an import
 * would: the same columns mapped to the same fields, coordinates parsed
 * from the same columns (lon/lat, x/y, degrees, minutes and seconds,
 * decimal commas), the same CRS, and every value checked as the store
 * checks it. Unlike an import, it reports every fault instead of stopping
 * at the first, and adds the geometry, date, duplicate and overlap checks.
 */
#include "check_internal.h"

#include "io/io_internal.h"

#include <string.h>

dm_status dm_check_file_as(dm_ctx *ctx, const char *path, const dm_import_opts *opts, dm_store *db,
                           dm_check_report *out)
{
    memset(out, 0, sizeof *out);
    dm_import_opts none = {0};
    if (opts && opts->layer && !dm_layer_find(opts->layer))
        return dm__unknown_layer(ctx, opts->layer);
    dm_status st = dm__import_check(ctx, db, path, opts ? opts : &none, out);
    /* a victims' file: no name or age of a person in the report */
    dm__check_scrub_personal(out, 0);
    return st;
}

dm_status dm_check_file(dm_ctx *ctx, const char *path, const char *layer, dm_check_report *out)
{
    dm_import_opts o = {0};
    o.layer = layer;
    return dm_check_file_as(ctx, path, &o, NULL, out);
}
