/* SPDX-License-Identifier: MIT
 *
 * srv_gzip.c -- gzip for the server's answers. Whether a client takes gzip
 * (Accept-Encoding), and the compression of a dynamic answer (JSON,
 * GeoJSON, CSV, text) before it is sent: the public danger zones of a
 * national database are 540 KB of GeoJSON, 120 KB gzipped, which counts on
 * a phone's network. Built-in files are gzipped at build time instead
 * (scripts/embed_web.sh).
 */
#include "srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

int srv_accepts_gzip(const char *ae)
{
    int yes = 0, no = 0, star = 0;
    for (const char *p = ae; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *name = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - name);
        int q0 = 0; /* q=0, q=0.0, q=0.000 */
        while (*p && *p != ',') {
            if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
                const char *v = p + 2;
                if (*v == '0') {
                    v++;
                    if (*v == '.')
                        for (v++; *v == '0'; v++)
                            ;
                    q0 = !(*v >= '1' && *v <= '9');
                }
            }
            p++;
        }
        int gz = (n == 4 && !strncasecmp(name, "gzip", 4)) || (n == 6 && !strncasecmp(name, "x-gzip", 6));
        if (gz)
            q0 ? (no = 1) : (yes = 1);
        else if (n == 1 && *name == '*' && !q0)
            star = 1;
    }
    return !no && (yes || star);
}

int srv_gzip(const void *in, size_t n, int level, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) /* +16: gzip */
        return -1;
    uLong cap = deflateBound(&z, (uLong)n);
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf || n > (size_t)(uInt)-1) {
        free(buf);
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t got = (size_t)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = got;
    return 0;
}

/* Types worth compressing: text of every kind, JSON, GeoJSON, CSV. PNG
 * tiles, PDFs and GeoTIFFs are compressed already. */
static int compressible(const char *ctype)
{
    return ctype && (!strncmp(ctype, "text/", 5) || strstr(ctype, "json") || strstr(ctype, "csv") ||
                     strstr(ctype, "xml"));
}

void srv_gzip_resp(srv_req *rq, srv_resp *rs)
{
    /* an answer with a tag (a row: If-Match for its edit) goes as it is, so
     * that its tag is the one the edit compares; rows are small anyway */
    if (!rs->body || rs->body_static || rs->encoding || rs->etag[0] || rs->len < 1024 ||
        !compressible(rs->ctype) || (rs->status != 200 && rs->status != 201))
        return;
    rs->vary_encoding = 1;
    if (!srv_accepts_gzip(srv_header(rq, "Accept-Encoding")))
        return;
    unsigned char *gz;
    size_t gn;
    if (srv_gzip(rs->body, rs->len, 4, &gz, &gn) || gn >= rs->len) {
        free(gz);
        return; /* sent as it is */
    }
    free(rs->body);
    rs->body = (char *)gz;
    rs->len = gn;
    rs->encoding = "gzip";
}
