/* SPDX-License-Identifier: MIT
 *
 * sensors_risk.c -- the hook between sensor evidence and the risk engine's
 * evidence sets (dm_evidence.h): detections become DM_EV_DETECTION entries
 * with their calibrated rates, flight footprints DM_EV_CLEARED entries whose
 * detection probability counts only the suspected classes the sensor sees.
 * Built only when the evidence module is present in the tree.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#include <math.h>
#include <string.h>

double dm_sensor_area_p_detect(const dm_sensor_area_ev *a, unsigned classes)
{
    if (!classes)
        classes = DM_CLASS_ALL;
    double miss = 0;
    int n = 0;
    for (int k = 0; k < DM_CLASS_COUNT; k++)
        if (classes & (1u << k)) {
            miss += (a->classes_seen & (1u << k)) ? exp(a->log_lr[k]) : 1.0;
            n++;
        }
    return n ? 1.0 - miss / n : 0.0;
}

size_t dm_class_set_format(unsigned set, char *out, size_t n)
{
    size_t len = 0;
    if (n)
        out[0] = 0;
    for (int c = 0; c < DM_CLASS_COUNT; c++)
        if (set & (1u << c)) {
            const char *name = dm_class_name(c);
            size_t need = strlen(name) + (len ? 1 : 0);
            if (len + need + 1 > n)
                break;
            if (len)
                out[len++] = ',';
            memcpy(out + len, name, strlen(name) + 1);
            len += strlen(name);
        }
    return len;
}

#if defined(__has_include)
#if __has_include("demine/dm_evidence.h")
#define DM_SENSORS_HAVE_EVIDENCE 1
#endif
#endif

#ifdef DM_SENSORS_HAVE_EVIDENCE
#include "demine/dm_evidence.h"

/* An evidence entry of kind for the sensor row uuid dated date, without code. */
static void evidence_init(dm_evidence *e, dm_ev_kind kind, const char date[11], const char uuid[37])
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->code = -1;
    memcpy(e->date, date, sizeof e->date);
    e->uuid = uuid; /* copied by dm_evidence_add */
}

dm_status dm_sensor_evidence_to_set(dm_ctx *ctx, const dm_sensor_evidence *ev, unsigned classes,
                                    struct dm_evidence_set *out)
{
    if (!classes)
        classes = DM_CLASS_ALL;
    for (size_t i = 0; i < ev->n_points; i++) {
        const dm_sensor_point_ev *p = &ev->points[i];
        if (!(p->classes & classes))
            continue;
        dm_evidence e;
        char ord[DM_EV_ORDNANCE_MAX + 1] = "";
        evidence_init(&e, DM_EV_DETECTION, p->date, p->uuid);
        if (p->classes != DM_CLASS_ALL)
            dm_class_set_format(p->classes, ord, sizeof ord);
        e.ordnance = ord;
        e.weight = p->confidence;
        e.sigma_m = p->sigma_m;
        e.p_detect = p->p_detect;
        e.fa_ha = p->false_alarms_ha;
        dm_geom *g = NULL;
        dm_status st = dm_geom_point(ctx, p->lon, p->lat, &g);
        if (!st)
            st = dm_evidence_add(ctx, out, &e, g);
        dm_geom_free(g);
        if (st)
            return st;
    }
    for (size_t i = 0; i < ev->n_areas; i++) {
        const dm_sensor_area_ev *a = &ev->areas[i];
        double pd = dm_sensor_area_p_detect(a, classes);
        if (!(pd > 0))
            continue; /* the sensor sees none of the suspected classes */
        dm_evidence e;
        char ord[DM_EV_ORDNANCE_MAX + 1] = "";
        evidence_init(&e, DM_EV_CLEARED, a->date, a->uuid);
        dm_class_set_format(a->classes_seen & classes, ord, sizeof ord);
        e.ordnance = ord;
        e.cls = "drone";
        e.weight = 1.0;
        e.p_detect = pd;
        dm_status st = dm_evidence_add(ctx, out, &e, a->footprint);
        if (st)
            return st;
    }
    return DM_OK;
}
#else
dm_status dm_sensor_evidence_to_set(dm_ctx *ctx, const dm_sensor_evidence *ev, unsigned classes,
                                    struct dm_evidence_set *out)
{
    (void)ev;
    (void)classes;
    (void)out;
    return dm__fail(ctx, DM_EINTERNAL, "built without the evidence module (dm_evidence.h)");
}
#endif
