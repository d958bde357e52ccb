/* report_sections.h — the sections of the HTML report about the run as a whole, each a
 * <section id="..."> with a heading, a sentence on what it shows, its figures and the numbers
 * behind them (the sections that look inside the model: report_inspect.h). */
#ifndef CLI_REPORT_SECTIONS_H
#define CLI_REPORT_SECTIONS_H

#include "report/report.h"

#include <stdio.h>

/* #pipeline: the stages as a diagram (shapes, parameter counts) and as a table. */
void cli_report_section_pipeline(FILE *out, const cli_report *r);

/* #training: loss and accuracy per epoch (a regression run: loss and mean absolute error),
 * training vs validation (compare: both runs and the overfitting gap shaded), and the epoch
 * tables with the values of the --log. */
void cli_report_section_training(FILE *out, const cli_report *r);

/* #reproduce: the command line, seed, version and every setting. */
void cli_report_section_settings(FILE *out, const cli_report *r);

/* "<h2>" and the opening of a section; the note (may be NULL) is escaped. */
void cli_report_section_open(FILE *out, const char *id, const char *title, const char *note);

#endif
