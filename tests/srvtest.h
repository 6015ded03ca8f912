/* SPDX-License-Identifier: MIT
 *
 * srvtest.h -- the fixture shared by the server's row and report tests
 * (tests/unit/srvtest.c): the test database t.gpkg in the test's directory,
 * `demine serve` on it, and HTTP requests with curl.
 */
#ifndef SRVTEST_H
#define SRVTEST_H

#include "dmtest.h"

/* The running server's URL, "http://127.0.0.1:PORT". */
extern char srvtest_base[128];

/* Insert a row of layer: kv are field, value pairs ending with NULL; wkt
 * its geometry (or NULL); its uuid into uuid. */
void srvtest_insert_wkt(dm_store *s, const char *layer, const char *wkt, const char **kv, char uuid[37]);
/* t.gpkg: hazards H-1 (an item points at it) and H-2 (nothing does), the
 * organisation HALO; users ana (analyst, analystpw1), fld (field, HALO,
 * fieldpw12), adm (admin, adminpw123). */
void srvtest_setup_db(void);
/* `demine serve t.gpkg` on a free port (srvtest_base), and its stop. */
void srvtest_start_server(void);
/* The same with more options of serve ("--trust-proxy 127.0.0.1"). */
void srvtest_start_server_with(const char *extra);
void srvtest_stop_server(void);
/* A request with curl: method, path, token (or NULL), one more header (or
 * NULL), a body (or NULL). Returns the status; the body in *out and the
 * response's headers in *hdr (malloc'd; hdr may be NULL). */
int srvtest_req(const char *method, const char *path, const char *token, const char *header, const char *body,
                char **out, char **hdr);
/* A response header's value (case-insensitive name) into out; 1 if found. */
int srvtest_header_value(const char *hdr, const char *name, char *out, size_t n);
/* Log in; the session token into token. */
void srvtest_login(const char *user, const char *pw, char token[65]);
/* The number after key ("\"count\":") in json. */
double srvtest_num_after(const char *json, const char *key);
/* Rows of a layer as the database holds them (read beside the server). */
long srvtest_rows_of(const char *layer);
/* The change log of a row (also of one deleted), as JSON (malloc'd). */
char *srvtest_history_of(const char *uuid);

#endif
