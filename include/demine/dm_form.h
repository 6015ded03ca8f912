/* SPDX-License-Identifier: MIT
 *
 * dm_form.h -- the XLSForm of a layer, for KoboToolbox and ODK Collect:
 * the questions a field team answers on a phone, written from the data
 * model so that what the phones collect imports into the layer as it is
 * (`demine import DB --layer LAYER export.xlsx`, no --map).
 *
 * The form is an .xlsx workbook of three sheets, as the XLSForm standard
 * names them: `survey` (one question a field: its type, name, label, hint,
 * required, constraint, appearance), `choices` (the values of every list
 * as list_name, name, label) and `settings` (form_title, form_id, version).
 * A question's name is its field's name; the geometry is one question
 * named `geometry` (geopoint, geotrace or geoshape). Fields demine computes
 * (areas from the polygon, risk figures) are left out; a reference to
 * another layer (hazard_id) is text, the row's ref (AGD-SHA-0042), which
 * the import resolves. The victims of an accident are a repeat group named
 * `victims`: KoboToolbox exports it as a sheet of that name, whose rows
 * link to their accident by `_submission__uuid`.
 */
#ifndef DM_FORM_H
#define DM_FORM_H

#include "demine/dm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_form_lang {
    DM_FORM_EN = 1,  /* labels and hints in English */
    DM_FORM_AZ = 2,  /* in Azerbaijani */
    DM_FORM_BOTH = 3 /* both, as label::English (en) and label::Azərbaycanca (az) */
} dm_form_lang;

typedef struct dm_form_opts {
    dm_form_lang lang;    /* 0: English */
    const char *title;    /* form_title; NULL: the layer's title */
    const char *fields;   /* "f1,f2,...": these fields, in this order ("geometry" places the
                           * geometry, "victims" the victims of an accident); NULL: every
                           * field a team records */
    const char *geometry; /* "point", "line" or "polygon" for a layer of any geometry
                           * (features); NULL: a point there, else the layer's own */
    const char *version;  /* settings' version (digits, 10 at most); NULL: the time now,
                           * YYYYMMDDHH in UTC */
    int force;            /* replace the file when it exists */
} dm_form_opts;

typedef struct dm_form_result {
    const char *layer; /* the layer's name (static) */
    int questions;     /* questions asked (the metadata start and end not counted) */
    int lists;         /* lists of choices */
    int choices;       /* choices in all lists */
    char form_id[64];
    char version[16];
    char geometry[16]; /* "geopoint", "geotrace", "geoshape", or "" for none */
    int geometry_required;
    char repeat[32];            /* the repeat group (its sheet in a KoboToolbox export), or "" */
    char repeat_link[32];       /* the field of its rows the export's _submission__uuid goes to */
    char left_out[512];         /* fields of the layer left out and why ("" none) */
    char required_missing[256]; /* required fields that --fields left out ("" none) */
} dm_form_result;

/* Write the XLSForm of layer (a name or an alias: "hazard", "accidents")
 * to path, which must end in .xlsx. A layer demine writes itself (the
 * plan, the demo's truth, record matches, predicted mines) has no form:
 * DM_EINVAL. A file already at path is replaced only with o->force
 * (DM_ECONFLICT otherwise); the form is written to a file beside it and
 * renamed, so a failure leaves no half-written form. res may be NULL. */
DM_API dm_status dm_form_write(dm_ctx *ctx, const char *layer, const char *path,
                               const dm_form_opts *o, dm_form_result *res);

#ifdef __cplusplus
}
#endif
#endif /* DM_FORM_H */
