/* report_inspect.h — the sections of the HTML report that look inside the trained model: the
 * dropout masks, predictions traced layer by layer, the confusion matrix and the weights
 * (cli/report/report_inspect.c). */
#ifndef CLI_REPORT_INSPECT_H
#define CLI_REPORT_INSPECT_H

#include "report/report.h"

#include "dropnet.h"

#include <stdio.h>

/* #mask: each dropout layer's keep mask in the first training batch, dropped vs configured. */
void cli_report_section_masks(FILE *out, const cli_report *r);

/* #predictions: a few held-out examples layer by layer (the input image for square inputs) with
 * their class probabilities as bars. Fails only when the model cannot run. */
dn_status cli_report_section_predictions(FILE *out, const cli_report *r, dn_error *err);

/* #confusion: the confusion matrix of the held-out rows as a heat map. */
dn_status cli_report_section_confusion(FILE *out, const cli_report *r, dn_error *err);

/* #weights: a histogram of each dense layer's kernel, with summary numbers. */
void cli_report_section_weights(FILE *out, const cli_report *r);

#endif
