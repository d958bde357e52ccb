/* report_page.h — the HTML report's page: head, style, sections and self-check, written
 * atomically (cli/report/report_page.c). */
#ifndef CLI_REPORT_PAGE_H
#define CLI_REPORT_PAGE_H

#include "report/report.h"

/* Writes the page to `path` atomically; prints the error and returns -1 on failure, else 0. */
int cli_report_write(const cli_report *r, const char *path);

#endif
