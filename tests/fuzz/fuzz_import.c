/* SPDX-License-Identifier: MIT
 *
 * fuzz_import.c -- libFuzzer target for the importer: the input is written
 * to a GeoJSON or CSV file (chosen by its first byte) and imported into a
 * database inside an outer transaction that is always rolled back. Crashes,
 * leaks and sanitizer reports are findings; rejections are fine.
 *
 * Build and run: `make fuzz FUZZ_SECONDS=60` (needs clang).
 */
#include "demine/demine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static dm_ctx *ctx;
static dm_store *store;
static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/demine-fuzz-%d", (int)getpid());
    char path[300];
    snprintf(path, sizeof path, "mkdir -p %s && rm -f %s/db.gpkg", dir, dir);
    if (system(path) != 0)
        abort();
    ctx = dm_ctx_new();
    snprintf(path, sizeof path, "%s/db.gpkg", dir);
    if (dm_store_open(ctx, path, DM_STORE_CREATE, &store) != DM_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!store)
        setup();
    if (size < 2)
        return 0;
    static const char *layers[] = {"items", "hazards", "events", "features", "accidents",
                                   "release_areas", "activities", "victims"};
    int csv = data[0] & 1;
    const char *layer = layers[(data[0] >> 1) % 8];
    char path[300];
    snprintf(path, sizeof path, "%s/in.%s", dir, csv ? "csv" : "geojson");
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    dm_import_opts o = {0};
    o.layer = layer;
    o.repair = data[0] & 0x80 ? 1 : 0;
    o.ignore_unknown = data[0] & 0x40 ? 1 : 0;
    if (dm_store_begin(store) != DM_OK)
        abort();
    dm_import_file(store, path, &o, NULL);
    dm_store_rollback(store);
    dm_ctx_clear_error(ctx);
    return 0;
}
