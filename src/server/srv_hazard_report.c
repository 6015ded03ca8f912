/* SPDX-License-Identifier: MIT
 *
 * srv_hazard_report.c -- GET /api/hazards/{id}/report.pdf: a hazard's
 * completion report and handover certificate (dm_report_hazard), or
 * report.html the same as one HTML page (its map embedded), for the
 * analysts and administrators who print it (it names the field reports on
 * the hazard awaiting review, which a field user of another organisation may
 * not see). ?date=YYYY-MM-DD sets the report's date, ?lang=en|az|both the
 * certificate's texts (default en). Drawn into a private temporary directory
 * and sent whole.
 */
#include "srv.h"

#include "demine/dm_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file at path, whole, into *out (malloc'd) and *n; 0 on failure. */
static int slurp(const char *path, char **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *b = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len > 0 && fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)len)) &&
        fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (!b)
        return 0;
    *out = b, *n = (size_t)len;
    return 1;
}

int srv_handle_hazard_report(srv_req *rq, srv_resp *rs, const char *id, int html)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    dm_hazard_report_opts o;
    memset(&o, 0, sizeof o);
    o.lang = DM_LANG_EN;
    const char *lang = srv_arg(rq, "lang"), *date = srv_arg(rq, "date");
    if (lang && !strcmp(lang, "az"))
        o.lang = DM_LANG_AZ;
    else if (lang && !strcmp(lang, "both"))
        o.lang = DM_LANG_BOTH;
    else if (lang && strcmp(lang, "en"))
        return srv_error(rs, 400, "lang: en, az or both");
    o.date = date && *date ? date : NULL;
    o.force = 1;
    const char *base = getenv("TMPDIR");
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/demine-hazard-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return srv_error(rs, 500, "cannot make a temporary directory for the report");
    snprintf(path, sizeof path, "%s/report.%s", dir, html ? "html" : "pdf");
    dm_hazard_report_info info;
    dm_status st = dm_report_hazard(rq->t->store, id, path, &o, &info);
    char *body = NULL;
    size_t len = 0;
    int ok = !st && slurp(path, &body, &len);
    remove(path);
    rmdir(dir);
    if (st)
        return srv_fail(rs, rq, st);
    if (!ok)
        return srv_error(rs, 500, "cannot read the report back");
    rs->status = 200;
    rs->ctype = html ? "text/html; charset=utf-8" : "application/pdf";
    rs->body = body;
    rs->len = len;
    rs->cache = "private, no-store";
    return 0;
}
