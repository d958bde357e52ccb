/* report_regression.h — the HTML report's section for a regression run (report_regression.c):
 * the validation MAE, RMSE and R² of every epoch, as the --log holds them, and the final model's
 * predictions against the true values on the held-out rows, in the target's units. They take
 * the place of the prediction trace and the confusion matrix, which are about classes. */
#ifndef CLI_REPORT_REGRESSION_H
#define CLI_REPORT_REGRESSION_H

#include "report/report.h"

#include "dropnet.h"

#include <stdio.h>

/* #regression: the validation rows' MAE, RMSE and R² of every epoch. */
void cli_report_section_regression_epochs(FILE *out, const cli_report *r);

/* #predicted: MAE, RMSE and R² of the final model on the held-out rows and its first predictions
 * next to the true values. Fails only when the model cannot run. */
dn_status cli_report_section_regression_rows(FILE *out, const cli_report *r, dn_error *err);

#endif
