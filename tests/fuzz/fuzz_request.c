/* SPDX-License-Identifier: MIT
 *
 * fuzz_request.c -- libFuzzer target for the request parsers of the HTTP
 * service (src/server/srv_parse.c): the first input byte picks the parser
 * (bbox, numbers, URL path and If-None-Match, tile address, line string,
 * field report JSON, login JSON, row edit JSON, If-Match, new row JSON), the
 * rest is its input; for a row edit or a new row the same byte also picks the
 * layer. Built and run by
 * `make fuzz` (scripts/fuzz.sh) with the library sources; the parser file
 * is included here so that the target needs nothing else. Build with -DFUZZ_STANDALONE
 * to replay files without libFuzzer.
 */
#include "../../src/server/srv_parse.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    double d4[4], d;
    long l;
    int z, x, y;
    switch (data[0] % 11) {
    case 0:
        if (srv_parse_bbox(s, d4) && (d4[0] > d4[2] || d4[1] > d4[3]))
            abort();
        break;
    case 1:
        if (srv_parse_long(s, -5, 5, &l) && (l < -5 || l > 5))
            abort();
        srv_parse_double(s, &d);
        break;
    case 2: {
        char seg[8][SRV_SEG];
        int n = srv_split_path(s, seg, 8);
        for (int i = 0; i < n; i++)
            if (!strcmp(seg[i], ".."))
                abort();
        /* the same bytes as an If-None-Match header: a tag it does not
         * hold is never matched */
        if (!strchr(s, '*') && !strstr(s, "\"t1\"") && srv_etag_match(s, "\"t1\""))
            abort();
        break;
    }
    case 3: {
        char a[SRV_SEG], b[SRV_SEG], c[SRV_SEG];
        if (sscanf(s, "%127[^/]/%127[^/]/%127s", a, b, c) == 3 &&
            srv_parse_tile(a, b, c, ".png", &z, &x, &y) &&
            (z < 0 || z > 22 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)))
            abort();
        break;
    }
    case 4: {
        double *xy = NULL;
        size_t n = 0;
        if (srv_parse_line(s, &xy, &n) && (n < 2 || !xy))
            abort();
        free(xy);
        break;
    }
    case 5:
    case 6: {
        dm_ctx *ctx = dm_ctx_new();
        srv_report r;
        if (srv_report_parse(ctx, s, size - 1, &r) == DM_OK) {
            if (!r.activity)
                abort();
            srv_report_free(&r);
        }
        if (dm_ctx_live_blocks(ctx) != 0)
            abort(); /* leaked library allocations */
        dm_ctx_free(ctx);
        break;
    }
    case 7: {
        int bad = 0;
        free(srv_json_get_str(s, size - 1, "user", &bad));
        break;
    }
    case 8: {
        /* a row edit (PATCH /api/{layer}/{id}) for the layer data[0] / 11 names */
        const dm_layer_def *ly = dm_layer_at((size_t)(data[0] / 11) % dm_layer_count());
        dm_ctx *ctx = dm_ctx_new();
        srv_patch p;
        dm_status st = srv_patch_parse(ctx, ly, s, size - 1, &p);
        if (!memchr(p.err, '\0', sizeof p.err))
            abort();
        if (st == DM_OK) {
            if (!p.row)
                abort();
            srv_patch_free(&p);
        } else if (p.row || p.reason || !p.err[0])
            abort(); /* a refusal holds nothing and says why */
        if (dm_ctx_live_blocks(ctx) != 0)
            abort(); /* leaked library allocations */
        dm_ctx_free(ctx);
        break;
    }
    case 9: {
        /* the bytes as an If-Match header: a strong match is a match for a
         * GET too, and never of a tag the header does not hold */
        int strong = srv_if_match(s, "\"t1\"");
        if (strong && (!strstr(s, "\"t1\"") || !srv_etag_match(s, "\"t1\"")))
            abort();
        /* the bytes as a tag: named alone they match, weak they never do */
        size_t n = strlen(s);
        if (n && n < 200 && !strchr(s, '"')) {
            char tag[256], h[256];
            snprintf(tag, sizeof tag, "\"%s\"", s);
            if (!srv_if_match(tag, tag))
                abort();
            snprintf(h, sizeof h, "W/%s", tag);
            if (srv_if_match(h, tag))
                abort();
            snprintf(h, sizeof h, " \"x\" ,%s", tag);
            if (!strchr(s, ',') && !srv_if_match(h, tag))
                abort();
        }
        break;
    }
    case 10: {
        /* a new row (POST /api/{layer}) for the layer data[0] / 11 names */
        const dm_layer_def *ly = dm_layer_at((size_t)(data[0] / 11) % dm_layer_count());
        dm_ctx *ctx = dm_ctx_new();
        srv_create cr;
        dm_status st = srv_create_parse(ctx, ly, s, size - 1, &cr);
        if (!memchr(cr.err, '\0', sizeof cr.err))
            abort();
        if (st == DM_OK) {
            if (!cr.row)
                abort();
            srv_create_free(&cr);
        } else if (cr.row || cr.reason || !cr.err[0])
            abort(); /* a refusal holds nothing and says why */
        if (dm_ctx_live_blocks(ctx) != 0)
            abort(); /* leaked library allocations */
        dm_ctx_free(ctx);
        break;
    }
    default:
        break;
    }
    free(s);
    return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        unsigned char buf[65536];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
