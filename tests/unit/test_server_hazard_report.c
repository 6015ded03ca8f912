/* SPDX-License-Identifier: MIT
 *
 * test_server_hazard_report.c -- GET /api/hazards/{id}/report.pdf: a
 * hazard's completion report and handover certificate for analysts and
 * administrators, by ref or uuid; refused without a session, to a field
 * user, for an unknown hazard (named) and an unknown language; and
 * report.html, the same as one HTML page, for the same roles.
 */
#include "srvtest.h"

#include <stdlib.h>
#include <string.h>

TEST(server_hazard_report_pdf_for_staff)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], adm[65], *out = NULL, *hdr = NULL, ctype[128];
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("adm", "adminpw123", adm);
    /* not without a session, nor for a field user */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-1/report.pdf", NULL, NULL, NULL, &out, NULL), 401);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-1/report.pdf", fld, NULL, NULL, &out, NULL), 403);
    free(out);
    /* the analyst: a PDF of the hazard */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/h-1/report.pdf?date=2026-11-20&lang=both", ana, NULL, NULL, &out,
                          &hdr),
              200);
    ASSERT_MSG(!strncmp(out, "%PDF-", 5), "not a PDF: %.40s", out);
    ASSERT(srvtest_header_value(hdr, "Content-Type", ctype, sizeof ctype));
    ASSERT_CONTAINS(ctype, "application/pdf");
    free(out);
    free(hdr);
    /* its text: H-1 is open, so its certificate is a draft */
    char *txt = NULL;
    ASSERT_EQ(dmtest_sh(&txt, "pdftotext resp.txt -"), 0);
    ASSERT_CONTAINS(txt, "Hazard completion report: H-1");
    ASSERT_CONTAINS(txt, "Report date 2026-11-20");
    ASSERT_CONTAINS(txt, "DRAFT - hazard not released");
    ASSERT_CONTAINS(txt, "TM-62M");
    free(txt);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2/report.pdf", adm, NULL, NULL, &out, NULL), 200);
    ASSERT_MSG(!strncmp(out, "%PDF-", 5), "not a PDF: %.40s", out);
    free(out);
    /* an unknown hazard, a language it has not */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-9/report.pdf", ana, NULL, NULL, &out, NULL), 404);
    ASSERT_CONTAINS(out, "no hazard with ref or id 'H-9'");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-1/report.pdf?lang=fr", ana, NULL, NULL, &out, NULL), 400);
    free(out);
    /* only of hazards */
    ASSERT_EQ(srvtest_req("GET", "/api/items/x/report.pdf", ana, NULL, NULL, &out, NULL), 404);
    free(out);
    srvtest_stop_server();
}

TEST(server_hazard_report_html_for_staff)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], *out = NULL, *hdr = NULL, ctype[128], csp[300];
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    /* the same roles as the PDF */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-1/report.html", NULL, NULL, NULL, &out, NULL), 401);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-1/report.html", fld, NULL, NULL, &out, NULL), 403);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/h-1/report.html?date=2026-11-20&lang=az", ana, NULL, NULL, &out,
                          &hdr),
              200);
    ASSERT(srvtest_header_value(hdr, "Content-Type", ctype, sizeof ctype));
    ASSERT_CONTAINS(ctype, "text/html");
    /* a page served as HTML runs no script */
    ASSERT(srvtest_header_value(hdr, "Content-Security-Policy", csp, sizeof csp));
    ASSERT_CONTAINS(csp, "default-src 'self'");
    ASSERT_MSG(!strncmp(out, "<!DOCTYPE html>", 15), "not an HTML page: %.40s", out);
    ASSERT_CONTAINS(out, "<h1>Hazard completion report: H-1</h1>");
    ASSERT_CONTAINS(out, "Report date</th><td>2026-11-20</td>");
    ASSERT_CONTAINS(out, "src=\"data:image/png;base64,");
    ASSERT_CONTAINS(out, "TM-62M");
    /* H-1 is open: a draft, its certificate in Azerbaijani */
    ASSERT_CONTAINS(out, "DRAFT - hazard not released");
    ASSERT_CONTAINS(out, "<section class=\"cert\" lang=\"az\">");
    free(out);
    free(hdr);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-9/report.html", ana, NULL, NULL, &out, NULL), 404);
    ASSERT_CONTAINS(out, "no hazard with ref or id 'H-9'");
    free(out);
    srvtest_stop_server();
}
