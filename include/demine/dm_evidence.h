/* SPDX-License-Identifier: MIT
 *
 * dm_evidence.h -- evidence for the risk map as plain C structs: points,
 * lines and polygons with a kind, a date, a weight and an uncertainty,
 * read from GIS files in the evidence schema (kind, date, code, ordnance,
 * ...) or gathered from a database through the public store API.
 *
 * Geometries are kept as flattened WGS 84 coordinates (dm_coords) so that
 * engines can rasterise them on any thread without GEOS.
 */
#ifndef DM_EVIDENCE_H
#define DM_EVIDENCE_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of evidence. Files may hold the event kinds (accident, item,
 * suspected, report, detection) and also hazard, record, cleared and
 * feature (with a `class` field). */
typedef enum dm_ev_kind {
    DM_EV_ACCIDENT = 0,  /* a mine or UXO accident */
    DM_EV_ITEM,          /* an item found (clearance, EOD, military demining, seizure) */
    DM_EV_SUSPECTED,     /* a suspected minefield report */
    DM_EV_REPORT,        /* any other report of contamination */
    DM_EV_DETECTION,     /* a sensor detection (likelihood ratio from the sensor's rates) */
    DM_EV_HAZARD,        /* a hazard polygon (SHA/CHA) */
    DM_EV_RECORD,        /* a minefield record polygon or point */
    DM_EV_CLEARED,       /* land released with nothing left: negative evidence */
    DM_EV_FEATURE,       /* a map feature (road, house, front line...) of class `cls` */
    DM_EV_KIND_COUNT
} dm_ev_kind;

/* "accident", "item", ...; NULL for an out-of-range kind. */
DM_API const char *dm_ev_kind_name(dm_ev_kind k);
/* Parse a kind name (case-insensitive; "items", "accidents", "release" and
 * "feature:road" style accepted). Returns -1 when unknown. */
DM_API int dm_ev_kind_parse(const char *s);

/* Longest texts an item keeps (longer ones are cut): the class as a model's
 * term filters it, ordnance and group as the database holds them. */
#define DM_EV_ORDNANCE_MAX 23
#define DM_EV_CLS_MAX 23
#define DM_EV_GROUP_MAX 47

/* One item of evidence. Its texts and coordinates are held by the set it
 * is in (shared storage: a million items of "AP" hold one "AP", a point
 * no heap block of its own) and stay valid until dm_evidence_set_free; in
 * a set they are never NULL ("" when unknown). An item given to
 * dm_evidence_add is copied: there, a NULL text counts as "" and longer
 * texts are cut to the limits above; the caller keeps its own strings. */
typedef struct dm_evidence {
    dm_ev_kind kind;
    int code;              /* source event type code, -1 when none */
    char date[11];         /* "YYYY-MM-DD", "" when undated */
    const char *ordnance;  /* "AP,AT" style, "" when unknown */
    const char *cls;       /* feature class for DM_EV_FEATURE; method set for DM_EV_CLEARED */
    const char *group;     /* municipality / district, for spatial splits */
    const char *uuid;      /* database row, "" for file evidence */
    double weight;         /* reliability weight in [0, 1] (default 1) */
    double sigma_m;        /* 1-sigma position error in metres (0 = exact) */
    double p_detect;       /* detections: sensor's probability of detection; cleared: of the method */
    double fa_ha;          /* detections: false alarms per hectare */
    double value;          /* items: quantity; labels: the label */
    dm_coords xy;          /* WGS 84 longitude, latitude; held by the set (never dm_coords_free) */
} dm_evidence;

struct dm_evidence_pool; /* the set's storage of texts and coordinates (internal) */

/* A set of evidence. Items may be copied out of it (shallow copies, e.g. a
 * subset in an array of one's own) while the set lives; only the set is
 * freed, with dm_evidence_set_free. */
typedef struct dm_evidence_set {
    dm_evidence *v;
    size_t n, cap;
    size_t n_labelled; /* rows whose value was read from opts.label_field */
    struct dm_evidence_pool *pool;
} dm_evidence_set;

DM_API void dm_evidence_set_init(dm_evidence_set *s);
DM_API void dm_evidence_set_free(dm_ctx *ctx, dm_evidence_set *s);
/* Append a copy of e (its texts copied into the set) whose coordinates
 * come from g (WGS 84); the set takes no ownership of g. An empty geometry
 * adds nothing. Errors: DM_EGEOM (a coordinate that is not finite or not a
 * longitude and latitude), DM_ENOMEM. */
DM_API dm_status dm_evidence_add(dm_ctx *ctx, dm_evidence_set *s, const dm_evidence *e,
                                 const dm_geom *g);
/* Bounds of one item (WGS 84): minx, miny, maxx, maxy of its coordinates
 * (not kept in the item: 32 bytes of every point of a set of millions). */
DM_API void dm_evidence_item_bounds(const dm_evidence *e, double b[4]);
/* Bounds of everything in the set (WGS 84); returns 0 when empty. */
DM_API int dm_evidence_bounds(const dm_evidence_set *s, double b[4]);

/* Options for the readers. */
typedef struct dm_evidence_opts {
    const char *until;      /* keep only evidence dated on or before (NULL: all) */
    const char *from;       /* keep only evidence dated on or after (NULL: all) */
    const int *codes;       /* keep only these codes (n_codes of them) */
    size_t n_codes;
    unsigned kinds_mask;    /* bit per dm_ev_kind to keep; 0 = all */
    const char *label_field; /* read this numeric field into value (labels); a row where
                              * it is empty gets NaN (not labelled yet) */
    int label_if_present;   /* with label_field: a layer without that field is read
                             * unlabelled (value 1) instead of failing */
    int undated_ok;         /* with until/from: keep undated rows instead of failing */
    const char *layer;      /* files: read only this layer (NULL: every layer) */
    int no_qc_rates;        /* store: cleared land at its methods' default detection
                             * probabilities, not those quality control measured
                             * (dm_qc.h) */
} dm_evidence_opts;

/* Read every feature of every layer of an OGR file (GeoJSON, GeoPackage,
 * Shapefile...) in the evidence schema: `kind` (required unless
 * default_kind >= 0), `date`, `code`, `ordnance`, `municipality` or
 * `group`, `weight`, `sigma_m`, `class`, `method`, `p_detect`,
 * `false_alarms_ha`. Geometries are transformed to WGS 84.
 * Errors name the file and the feature number: DM_EIO (cannot open),
 * DM_EPARSE (unknown kind, bad date, undated row with until/from), DM_EGEOM. */
DM_API dm_status dm_evidence_read_file(dm_ctx *ctx, const char *path, int default_kind,
                                       const dm_evidence_opts *o, dm_evidence_set *out);

/* Gather evidence from a database: features (by class), hazards (weight
 * from reliability; closed and handed-over hazards left out), records (their
 * measured reliability), items, accidents, events, release_areas
 * (cleared/cancelled land, by method), finished and approved clearance
 * (full weight), technical survey and battle-area activities (area searched,
 * half weight),
 * flights (area seen by a sensor) and detections with their sensors' rates. Truth layers are never read.
 * o->until filters by each layer's date. */
DM_API dm_status dm_evidence_read_store(dm_ctx *ctx, dm_store *s, const dm_evidence_opts *o,
                                        dm_evidence_set *out);

/* Polygons of a file (all layers) as one multi-geometry in WGS 84, e.g. an
 * area of interest. Errors: DM_EIO, DM_EGEOM ("no polygon in FILE") when
 * the file holds no polygon. */
DM_API dm_status dm_read_polygons(dm_ctx *ctx, const char *path, dm_geom **out);

/* A spot checked on the ground (a file written by `risk spots`, labelled
 * by the field teams): where, what was found and what the model predicted
 * there before the search. */
typedef struct dm_spot {
    double lon, lat;  /* WGS 84 */
    double label;     /* 1 an item (a count of items reads as 1), 0 nothing; NaN when empty
                         (not searched yet) */
    double model_ha;  /* the model's own items per hectare there (`model_ha`; NaN without) */
    double cell_m;    /* side of the cell searched (`cell_m`; NaN without) */
    long feature;     /* its feature number in the file (1-based) */
    char id[24];      /* its `id` ("S001"), "" without */
} dm_spot;

/* Read the spots of a point file (GeoJSON, CSV with lon/lat, GeoPackage...;
 * FILE:LAYER names one layer of several), the label from label_field (NULL:
 * "label"). Errors naming the file, feature (and id) and field: DM_EIO (no
 * such file), DM_EINVAL (several layers and none named), DM_EGEOM (not a
 * point; not longitude and latitude), DM_EPARSE (no label field; a label
 * other than empty, 0, a count or true/false; model_ha or cell_m not a
 * number in range; two spots at one place). *out is freed with dm_free. */
DM_API dm_status dm_spots_read(dm_ctx *ctx, const char *path, const char *label_field,
                               dm_spot **out, size_t *n);

/* Copy the spot file `in` (read by dm_spots_read into the n spots s) to
 * the GeoJSON `out`, every field kept, with label_field (NULL: "label") set
 * from s (0/1; null otherwise). Errors: DM_EINVAL (not .geojson; the file
 * does not match s), DM_EIO. */
DM_API dm_status dm_spots_write_labels(dm_ctx *ctx, const char *in, const char *out,
                                       const char *label_field, const dm_spot *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* DM_EVIDENCE_H */
