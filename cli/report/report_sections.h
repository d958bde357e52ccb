/* report_sections.h — the sections of the HTML report, each a <section id="..."> with a heading,
 * a sentence on what it shows, its figures and the numbers behind them. */
#ifndef CLI_REPORT_SECTIONS_H
#define CLI_REPORT_SECTIONS_H

#include "report/report.h"

#include <stdio.h>

/* #pipeline: the stages as a diagram (shapes, parameter counts) and as a table. */
void cli_report_section_pipeline(FILE *out, const cli_report *r);

/* #training: loss and accuracy per epoch, training vs validation (compare: both runs and the
 * overfitting gap shaded), and the epoch tables with the values of the --log. */
void cli_report_section_training(FILE *out, const cli_report *r);

/* #mask: each dropout layer's keep mask in the first training batch, dropped vs configured. */
void cli_report_section_masks(FILE *out, const cli_report *r);

/* #predictions: a few held-out examples layer by layer (the input image for square inputs) with
 * their class probabilities as bars. Fails only when the model cannot run. */
dn_status cli_report_section_predictions(FILE *out, const cli_report *r, dn_error *err);

/* #confusion: the confusion matrix of the held-out rows as a heat map. */
dn_status cli_report_section_confusion(FILE *out, const cli_report *r, dn_error *err);

/* #weights: a histogram of each dense layer's kernel, with summary numbers. */
void cli_report_section_weights(FILE *out, const cli_report *r);

/* #reproduce: the command line, seed, version and every setting. */
void cli_report_section_settings(FILE *out, const cli_report *r);

/* "<h2>" and the opening of a section; the note (may be NULL) is escaped. */
void cli_report_section_open(FILE *out, const char *id, const char *title, const char *note);

#endif
