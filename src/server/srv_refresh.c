/* SPDX-License-Identifier: MIT
 *
 * srv_refresh.c -- the risk map kept current while the service runs: POST
 * /api/risk/refresh, and every approved field report, redo the database's
 * last map (dm_risk_refresh) on a background thread with its own context
 * and store. One refresh runs at a time; a request that arrives during one
 * asks for one more after it. GET /api/risk/refresh tells how the last one
 * went. Tiles and point queries pick the new map up by its file time.
 */
#include "srv.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static int running, pending;
static const char *g_db;
static struct {
    long runs;
    char started[24], finished[24];
    char why[96];
    char who[64]; /* the user whose request the run is: the change log's author */
    int ok;
    char error[512];
    double seconds, factor, cluster, spot_factor, spot_power;
    size_t hazards, evidence, spots, spots_positive;
    /* the hazards the run moved most, with their refs */
    dm_risk_hazard_change changes[DM_RISK_TOP_CHANGES];
    char *change_refs[DM_RISK_TOP_CHANGES]; /* malloc'd, whole; NULL: none */
    size_t n_changes;
} last;

/* The refs of the hazards r names, read from s (NULL: none), as malloc'd
 * copies, for `last` to keep after the store is closed. */
static void change_refs(dm_store *s, const dm_risk_update_result *r, char **refs)
{
    dm_ctx *ctx = dm_store_ctx(s);
    for (size_t k = 0; k < DM_RISK_TOP_CHANGES; k++) {
        refs[k] = NULL;
        char *ref = NULL;
        if (k < r->n_changes && dm_store_ref_of(s, "hazards", r->changes[k].uuid, &ref) == DM_OK && ref)
            refs[k] = strdup(ref);
        dm_free(ctx, ref);
    }
    dm_ctx_clear_error(ctx);
}
/* a request made while a run is on: it becomes `last` when its run starts,
 * so the status names who asked for the run under way, not the next one */
static struct {
    char why[96], who[64];
} next;

static void now_iso(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        if (pending) {
            snprintf(last.why, sizeof last.why, "%s", next.why);
            snprintf(last.who, sizeof last.who, "%s", next.who);
        }
        pending = 0;
        now_iso(last.started);
        last.finished[0] = 0;
        char author[80];
        snprintf(author, sizeof author, "%s", last.who[0] ? last.who : "risk refresh");
        pthread_mutex_unlock(&mu);
        dm_ctx *ctx = dm_ctx_new();
        if (ctx)
            dm_ctx_set_author(ctx, author);
        dm_store *s = NULL;
        dm_risk_update_result r;
        memset(&r, 0, sizeof r);
        dm_status st = ctx ? dm_store_open(ctx, g_db, 0, &s) : DM_ENOMEM;
        if (!st)
            st = dm_store_durable(s);
        if (!st)
            st = dm_risk_refresh(ctx, s, &r);
        char *refs[DM_RISK_TOP_CHANGES] = {0};
        if (st)
            r.n_changes = 0;
        else
            change_refs(s, &r, refs);
        if (s)
            dm_store_close(s);
        pthread_mutex_lock(&mu);
        last.runs++;
        now_iso(last.finished);
        last.ok = !st;
        snprintf(last.error, sizeof last.error, "%s",
                 st ? (ctx ? dm_ctx_errmsg(ctx) : "out of memory") : "");
        last.seconds = r.stats.seconds;
        if (st) /* a failed run has no figures of its own: null, not 1 or 0 */
            r.cal.factor = r.cal.cluster = NAN;
        last.factor = r.cal.factor;
        last.cluster = r.cal.cluster;
        last.spots = r.spot_cal.spots;
        last.spots_positive = r.spot_cal.positive;
        last.spot_factor = r.spot_cal.spots ? r.spot_cal.factor : 1;
        last.spot_power = r.spot_cal.spots ? r.spot_cal.power : 1;
        last.hazards = r.hazards_updated;
        last.evidence = r.n_evidence;
        last.n_changes = r.n_changes;
        memcpy(last.changes, r.changes, sizeof last.changes);
        for (size_t k = 0; k < DM_RISK_TOP_CHANGES; k++) {
            free(last.change_refs[k]);
            last.change_refs[k] = refs[k];
        }
        pthread_mutex_unlock(&mu);
        dm_ctx_free(ctx);
        if (!st)
            srv_bump_generation(); /* hazards changed: derived answers recompute */
        pthread_mutex_lock(&mu);
        if (!pending) {
            running = 0;
            pthread_cond_broadcast(&idle);
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        pthread_mutex_unlock(&mu);
    }
}

int srv_refresh_request(const char *db, const char *why, const char *who)
{
    pthread_mutex_lock(&mu);
    g_db = db;
    if (running) {
        snprintf(next.why, sizeof next.why, "%s", why ? why : "");
        snprintf(next.who, sizeof next.who, "%s", who ? who : "");
        pending = 1;
        pthread_mutex_unlock(&mu);
        return 1;
    }
    snprintf(last.why, sizeof last.why, "%s", why ? why : "");
    snprintf(last.who, sizeof last.who, "%s", who ? who : "");
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    running = 1;
    int rc = pthread_create(&th, &at, worker, NULL);
    pthread_attr_destroy(&at);
    if (rc) {
        running = 0;
        pthread_mutex_unlock(&mu);
        return -1;
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

void srv_refresh_wait(void)
{
    pthread_mutex_lock(&mu);
    pending = 0;
    while (running)
        pthread_cond_wait(&idle, &mu);
    pthread_mutex_unlock(&mu);
}

int srv_handle_refresh(srv_req *rq, srv_resp *rs)
{
    if (srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    if (!strcmp(rq->method, "POST")) {
        /* nothing to redo before a first map: say so now, not in the status */
        char *opts = NULL;
        int have = dm_store_meta_get(rq->t->store, "risk_map_options", &opts) == DM_OK && opts;
        dm_free(rq->t->ctx, opts);
        if (!have)
            return srv_error(rs, 409, "no risk map made yet: run `demine risk map DB --out "
                                      "RISK.tif` once, then refresh");
        int rc = srv_refresh_request(rq->cfg->db, rq->user.name, rq->user.name);
        if (rc < 0)
            return srv_error(rs, 500, "cannot start the refresh");
        return srv_json(rs, 202, strdup(rc ? "{\"status\":\"queued\"}" : "{\"status\":\"started\"}"));
    }
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        rs->allow = "GET, HEAD, POST";
        return srv_error(rs, 405, "use POST to refresh the risk map, GET to see the last refresh");
    }
    srv_buf b;
    sb_init(&b);
    pthread_mutex_lock(&mu);
    sb_printf(&b, "{\"running\":%s,\"queued\":%s,\"runs\":%ld,\"requested_by\":",
              running ? "true" : "false", pending ? "true" : "false", last.runs);
    sb_json_str(&b, last.why[0] ? last.why : NULL);
    sb_puts(&b, ",\"user\":");
    sb_json_str(&b, last.who[0] ? last.who : NULL);
    if (pending) {
        sb_puts(&b, ",\"queued_by\":");
        sb_json_str(&b, next.who[0] ? next.who : NULL);
    }
    sb_puts(&b, ",\"started\":");
    sb_json_str(&b, last.started[0] ? last.started : NULL);
    sb_puts(&b, ",\"finished\":");
    sb_json_str(&b, last.finished[0] ? last.finished : NULL);
    if (last.runs) {
        sb_printf(&b, ",\"ok\":%s,\"error\":", last.ok ? "true" : "false");
        sb_json_str(&b, last.ok ? NULL : last.error);
        sb_printf(&b, ",\"seconds\":%.3f,\"evidence\":%zu,\"hazards_updated\":%zu,"
                      "\"calibration_factor\":",
                  last.seconds, last.evidence, last.hazards);
        sb_json_num(&b, last.factor);
        sb_puts(&b, ",\"cluster\":");
        sb_json_num(&b, last.cluster);
        if (last.spots) {
            sb_printf(&b, ",\"spots\":{\"labelled\":%zu,\"positive\":%zu,\"factor\":",
                      last.spots, last.spots_positive);
            sb_json_num(&b, last.spot_factor);
            sb_puts(&b, ",\"power\":");
            sb_json_num(&b, last.spot_power);
            sb_puts(&b, "}");
        } else
            sb_puts(&b, ",\"spots\":null");
        sb_puts(&b, ",\"changes\":[");
        for (size_t k = 0; k < last.n_changes; k++) {
            const dm_risk_hazard_change *c = &last.changes[k];
            sb_printf(&b, "%s{\"uuid\":\"%s\",\"ref\":", k ? "," : "", c->uuid);
            sb_json_str(&b, last.change_refs[k]);
            sb_puts(&b, ",\"p_before\":");
            sb_json_num(&b, c->p_before);
            sb_puts(&b, ",\"p_after\":");
            sb_json_num(&b, c->p_after);
            sb_puts(&b, ",\"items_before\":");
            sb_json_num(&b, c->items_before);
            sb_puts(&b, ",\"items_after\":");
            sb_json_num(&b, c->items_after);
            sb_puts(&b, "}");
        }
        sb_puts(&b, "]");
    }
    sb_puts(&b, "}");
    pthread_mutex_unlock(&mu);
    return srv_jbuf(rs, 200, &b);
}
