/* SPDX-License-Identifier: MIT
 *
 * cmd_serve.c -- `demine serve DB`: the HTTP API, the staff web map and the
 * public danger map (src/server/).
 */
#include "cli.h"

#include "../server/srv.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *help =
    "usage: demine serve DB [--bind ADDR] [--port N] [--threads N] [--max-body BYTES]\n"
    "                       [--session-hours H] [--trust-proxy ADDR]\n"
    "                       [--route-per-minute N] [--route-max-km KM]\n"
    "                       [--route-margin-km KM] [--max-conn-per-ip N] [--quiet]\n\n"
    "Serve the database over HTTP: the JSON/GeoJSON API (docs/http-api.md), risk\n"
    "map tiles, the staff web map at / and the public danger map at /public.\n"
    "The web pages are built into the binary and need no internet.\n\n"
    "  --bind ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
    "  --port N           TCP port (default 8080; 0 picks a free one)\n"
    "  --threads N        worker threads, each with its own connection to DB\n"
    "                     (default 4 x CPUs, at least 8)\n"
    "  --max-body BYTES   largest request body accepted (default 4194304)\n"
    "  --session-hours H  login session lifetime (default 8)\n"
    "  --trust-proxy ADDR behind a reverse proxy at ADDR (e.g. 127.0.0.1): its\n"
    "                     requests are counted against the last address of\n"
    "                     X-Forwarded-For (login and public-route limits)\n"
    "  --route-per-minute N  public route queries a client may make a minute,\n"
    "                     and at once (default 20; 1-600)\n"
    "  --route-max-km KM  farthest apart the public route's two points may be\n"
    "                     (default 10; 0.5-20)\n"
    "  --route-margin-km KM  the public route's search window: the points' box\n"
    "                     grown by this (default 2; 0.2-5)\n"
    "  --max-conn-per-ip N  connections one client address may hold open at\n"
    "                     once (default 256; 0: no limit, e.g. behind a reverse\n"
    "                     proxy, where every request comes from its address; the\n"
    "                     default with --trust-proxy). Further ones are closed as\n"
    "                     they come. A connection idle or stalled for 30 s is\n"
    "                     closed; 2000 may be open in all\n"
    "  --quiet            no shutdown message and no note of a database without users\n\n"
    "Create users first with `demine user add DB NAME --role ROLE`. The first\n"
    "line printed is \"listening on http://ADDR:PORT/ ...\". Stop with Ctrl-C\n"
    "or SIGTERM. Writes are durable (WAL, synchronous=FULL) before they are\n"
    "acknowledged.\n";

static int run_serve(dm_ctx *ctx, int argc, char **argv)
{
    srv_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.bind = "127.0.0.1";
    cfg.port = 8080;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads = cpus > 0 ? (int)(cpus * 4) : 8;
    if (cfg.threads < 8)
        cfg.threads = 8;
    if (cfg.threads > 64)
        cfg.threads = 64;
    cfg.max_body = 4u << 20;
    cfg.session_ttl_s = 8 * 3600;
    cfg.max_conn_per_ip = -1; /* the default below, once --trust-proxy is known */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        if (cli_is_help(a))
            return cli_help(help);
        if (!strcmp(a, "--quiet"))
            cfg.quiet = 1;
        else if (i + 1 < argc && !strcmp(a, "--bind"))
            cfg.bind = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--trust-proxy")) {
            /* the server listens on IPv4 (--bind): the proxy's address is one,
             * kept in the spelling the server compares peers in */
            static char proxy[INET_ADDRSTRLEN];
            struct in_addr bin;
            if (inet_pton(AF_INET, argv[++i], &bin) != 1 ||
                !inet_ntop(AF_INET, &bin, proxy, sizeof proxy))
                return cli_usage_error("serve", "--trust-proxy: '%s' is not an IPv4 address",
                                       argv[i]);
            cfg.trust_proxy = proxy;
        }
        else if (i + 1 < argc && !strcmp(a, "--port")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 0 || v > 65535)
                return cli_usage_error("serve", "--port: 0-65535");
            cfg.port = (int)v;
        } else if (i + 1 < argc && !strcmp(a, "--threads")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 1 || v > 256)
                return cli_usage_error("serve", "--threads: 1-256");
            cfg.threads = (int)v;
        } else if (i + 1 < argc && !strcmp(a, "--max-body")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 1024 || v > (1L << 30))
                return cli_usage_error("serve", "--max-body: 1024 bytes to 1 GiB");
            cfg.max_body = (size_t)v;
        } else if (i + 1 < argc && !strcmp(a, "--session-hours")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 1 || v > 24 * 90)
                return cli_usage_error("serve", "--session-hours: 1-2160");
            cfg.session_ttl_s = v * 3600;
        } else if (i + 1 < argc && !strcmp(a, "--route-per-minute")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 1 || v > 600)
                return cli_usage_error("serve", "--route-per-minute: 1-600 queries (got %ld)",
                                       v);
            cfg.route_per_min = (int)v;
        } else if (i + 1 < argc && (!strcmp(a, "--route-max-km") ||
                                    !strcmp(a, "--route-margin-km"))) {
            /* bounded: the window a route reads grows with both (20 km
             * apart with a 5 km margin is ~6 million 10 m cells) */
            int max = !strcmp(a, "--route-max-km");
            double km, lo = max ? 0.5 : 0.2, hi = max ? 20 : 5;
            if (!cli_parse_double("serve", a, argv[++i], &km))
                return 2;
            if (!(km >= lo && km <= hi))
                return cli_usage_error("serve", "%s: %g-%g km (got %s)", a, lo, hi, argv[i]);
            if (max)
                cfg.route_max_m = km * 1000;
            else
                cfg.route_margin_m = km * 1000;
        } else if (i + 1 < argc && !strcmp(a, "--max-conn-per-ip")) {
            if (!cli_parse_long("serve", a, argv[++i], &v))
                return 2;
            if (v < 0 || v > SRV_MAX_CONN)
                return cli_usage_error("serve", "--max-conn-per-ip: 0 (no limit) to %d (got %ld)",
                                       SRV_MAX_CONN, v);
            cfg.max_conn_per_ip = (int)v;
        } else if (a[0] == '-')
            return cli_unknown_option_in("serve", a, help);
        else if (!cfg.db)
            cfg.db = a;
        else
            return cli_usage_error("serve", "only one database may be given");
    }
    if (!cfg.db)
        return cli_usage_error("serve", "expected the database path (see --help)");
    /* behind a proxy every connection comes from its address: a limit per
     * address would be one for all clients together */
    if (cfg.max_conn_per_ip < 0)
        cfg.max_conn_per_ip = cfg.trust_proxy ? 0 : SRV_MAX_CONN_PER_IP;
    return srv_run(ctx, &cfg);
}

CLI_COMMAND(serve, "serve", run_serve, "serve the API, the web map and the public danger map")
