/* SPDX-License-Identifier: MIT
 *
 * dm_model.h -- the data model: every layer (table) of a demine database,
 * its geometry type and its fields, as data that the store, the importer,
 * the exporter, the checks and the server all read.
 *
 * The layer and field names here are the names in the GeoPackage, in JSON
 * and in the API: one vocabulary.
 */
#ifndef DM_MODEL_H
#define DM_MODEL_H

#include "demine/dm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_field_type {
    DM_FT_TEXT = 0,
    DM_FT_INT,     /* integer, optional [min, max] */
    DM_FT_REAL,    /* number, optional [min, max] */
    DM_FT_DATE,    /* "YYYY-MM-DD"; "YYYY" and "YYYY-MM" are accepted on input */
    DM_FT_ENUM,    /* one of `values` ("a|b|c"), case-insensitive on input */
    DM_FT_ENUMSET, /* a comma-separated set of `values` */
    DM_FT_REF,     /* the uuid (or ref) of a row of layer `ref_layer` */
    DM_FT_BOOL     /* 0/1; yes/no/true/false on input */
} dm_field_type;

#define DM_FIELD_REQUIRED 0x01u
#define DM_FIELD_PERSONAL 0x02u /* personal data: never public, masked in exports on request */
#define DM_FIELD_COMPUTED 0x04u /* written by engines, not by imports */

typedef struct dm_field_def {
    const char *name;
    dm_field_type type;
    unsigned flags;
    const char *values;    /* DM_FT_ENUM / ENUMSET: "a|b|c" */
    const char *ref_layer; /* DM_FT_REF */
    double min, max;       /* numeric range when min < max */
    const char *desc;
} dm_field_def;

typedef enum dm_layer_flags {
    DM_LAYER_TRUTH = 0x01,     /* demo truth: never used as evidence */
    DM_LAYER_SENSITIVE = 0x02, /* exact positions or personal data */
    DM_LAYER_SYSTEM = 0x04     /* maintained by demine itself */
} dm_layer_flags;

typedef struct dm_layer_def {
    const char *name;  /* table name, e.g. "hazards" */
    const char *title; /* human title for gpkg_contents */
    const char
        *geom_type; /* "POINT", "LINESTRING", "MULTIPOLYGON", "GEOMETRY"; NULL = no geometry */
    int geom_required;
    unsigned flags;
    const dm_field_def *fields;
    size_t n_fields;
    const char *date_field; /* the field that dates a row (for --until), or NULL */
    const char *desc;
} dm_layer_def;

/* The layers, in creation order. */
DM_API size_t dm_layer_count(void);
DM_API const dm_layer_def *dm_layer_at(size_t i);
/* Find a layer by name (case-insensitive; singular forms like "hazard" and
 * a few aliases like "minefield_records" are accepted). NULL if unknown. */
DM_API const dm_layer_def *dm_layer_find(const char *name);
/* Find a field of a layer; NULL if unknown. */
DM_API const dm_field_def *dm_field_find(const dm_layer_def *layer, const char *name);
/* Is field f of layer l left out when data is shared without personal data
 * (export, list and show --no-personal)? The fields marked personal
 * (victims' names and ages), and the free text of accidents, whose accounts
 * name and describe the people hurt. */
DM_API int dm_field_is_personal(const dm_layer_def *l, const dm_field_def *f);

/* Check and normalise one input value for a field. On success writes the
 * stored form into out (e.g. "2012-01-01", "AP,AT", "partly_released") and
 * returns DM_OK. On failure returns DM_EPARSE with the reason in ctx. */
DM_API dm_status dm_field_normalise(dm_ctx *ctx, const dm_field_def *f, const char *in, char *out,
                                    size_t out_len);

#ifdef __cplusplus
}
#endif
#endif /* DM_MODEL_H */
