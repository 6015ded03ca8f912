/* SPDX-License-Identifier: MIT
 *
 * dm_eore.h -- explosive ordnance risk education (EORE, IMAS 12.10): which
 * settlements near dangerous land and accidents no session has reached.
 *
 * For each settlement (layer features, class settlement): the people there
 * (population + returning), the danger within a distance (open and partly
 * released hazards: their count, remaining hectares and the risk map's
 * expected items; civilian accidents of the last five years with their
 * killed and injured), the sessions of layer eore_sessions held there (a
 * session's field settlement naming it, any case, else its point within
 * 1 km of it) since a date, and the people they reached. Settlements near
 * danger that no session reached since that date are ranked by
 *
 *     priority = (population + returning) x danger
 *     danger   = expected items of the hazards within the distance
 *                (without a risk map: their remaining hectares)
 *                + DM_EORE_ACCIDENT_WEIGHT per accident within it
 *
 * docs/eore.md explains the choice.
 */
#ifndef DM_EORE_H
#define DM_EORE_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one civilian accident within the distance in the last five years
 * adds to a settlement's danger: as many expected items (or, without a risk
 * map, hectares). An accident is proof that people there already walk where
 * ordnance lies. */
#define DM_EORE_ACCIDENT_WEIGHT 5.0
/* A session's point is of the nearest settlement within this distance when
 * its field settlement names none. */
#define DM_EORE_MATCH_M 1000.0
/* Accidents of these last years count. */
#define DM_EORE_ACCIDENT_YEARS 5

typedef struct dm_eore_opts {
    double within_km;     /* danger within this distance of a settlement; 0: the default, 2;
                             below 0: refused */
    const char *since;    /* sessions on or after this date count; NULL: 2 years before the newest */
    const char *date;     /* the day of the analysis (accidents of the 5 years before it); NULL: today */
    const char *district; /* only the settlements of this district (any case); NULL: all */
} dm_eore_opts;

typedef struct dm_eore_settlement {
    char uuid[37], name[128], district[128];
    double lon, lat;         /* where it is (WGS 84): its point, or its polygon's centroid; NaN
                                without a geometry */
    int has_population;      /* population or returning recorded */
    long population, returning, people;
    int hazards;             /* open and partly released hazards within the distance */
    int hazards_unmapped;    /* of those, without expected_items */
    double remaining_ha, expected_items;
    int accidents, killed, injured; /* civilian accidents within it, last 5 years */
    int sessions;            /* sessions held there since the date */
    long men, women, boys, girls, reached; /* people those sessions reached */
    int sessions_ever;       /* sessions held there at any date */
    char last_session[11];   /* the date of the last, at any date; "" when none */
    double danger, priority; /* priority: people x danger (0 when reached) */
    int is_reached;          /* a session since the date */
    int rank;                /* 1.. among those not reached; 0 when reached */
    char note[160];          /* "no population recorded", ... */
} dm_eore_settlement;

typedef struct dm_eore_result {
    dm_eore_settlement *v;   /* the settlements near danger, ranked: those not reached by priority,
                                then those reached */
    size_t n;
    size_t settlements;      /* settlements considered (those of the district) */
    size_t no_geometry;      /* of those, without a geometry (left out) */
    size_t reached, not_reached;
    long people_not_reached;
    size_t sessions, sessions_since, sessions_unmatched;
    char first_unmatched[160];
    long reached_people;     /* people the sessions since the date reached, all settlements */
    char since[11], date[11], newest[11];
    char accidents_from[11]; /* accidents after this date (5 years before date) count */
    double within_km;
    int by_hectares;         /* no hazard has expected_items: danger in hectares */
    size_t hazards_unmapped; /* open hazards near a settlement without expected_items */
    char first_unmapped[64];
    char risk_map[256];      /* the map the expected items came from (meta risk_map), or "" */
    char district[128];      /* the district chosen, as the database writes it, or "" */
    int has_layer;           /* 0: a database made before eore_sessions, read-only */
} dm_eore_result;

/* Rank the settlements of s. Errors: DM_EINVAL for a within_km <= 0 or a
 * bad date; DM_ENOTFOUND for a district no polygon of layer districts and
 * no hazard names (naming those known), or no settlement at all (in the
 * district). Free with dm_eore_result_free. */
DM_API dm_status dm_eore_rank(dm_store *s, const dm_eore_opts *o, dm_eore_result *out);
DM_API void dm_eore_result_free(dm_ctx *ctx, dm_eore_result *r);
/* The result as JSON (as `demine eore --json` prints it); dm_free it. */
DM_API dm_status dm_eore_json(dm_ctx *ctx, const dm_eore_result *r, char **json);

#ifdef __cplusplus
}
#endif
#endif
