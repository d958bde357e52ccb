/* regression.h — a regression model's target: its name and the standardisation train applied
 * (mean and std of the training rows, stored in the model's "regression" metadata and undone on
 * every output), and the metrics MAE, RMSE and R² in the target's own units (regression.c). */
#ifndef CLI_REGRESSION_H
#define CLI_REGRESSION_H

#include "dropnet.h"

typedef struct cli_target_scale {
    double mean, std; /* outputs are standardised values: original = y·std + mean */
} cli_target_scale;

typedef struct cli_regression_metrics {
    double mae, rmse, r2; /* r2 = 1 − SS_res/SS_tot (sklearn's r2_score; NaN for a constant truth) */
} cli_regression_metrics;

/* The training rows' target mean and population std (std 1 for a constant target, as for
 * features). */
cli_target_scale cli_target_scale_of(const dn_dataset *rows);

/* Stores {"target":NAME,"mean":M,"std":S} as the model's "regression" metadata. */
dn_status cli_target_scale_record(dn_model *model, const char *target, const cli_target_scale *s,
                                  dn_error *err);

/* 1 when the model is a regression model (it has "regression" metadata, or a regression loss:
 * then with mean 0, std 1), filling *out; 0 for a classifier; -1 after printing an error for
 * malformed metadata. */
int cli_target_scale_of_model(const dn_model *model, const char *model_path, cli_target_scale *out);

/* y[i] ← y[i]·std + mean for i < n: standardised values back in the target's units. */
void cli_target_unscale(const cli_target_scale *s, float *y, size_t n);

/* MAE, RMSE and R² of the model's predictions on `data` (float targets), both in the target's
 * units: predictions are unscaled by *s, and so are the data's targets when `scaled` (train's
 * own data sets, standardised in place). Prints and returns -1 on error. */
int cli_regression_evaluate(dn_model *model, const dn_dataset *data, const cli_target_scale *s,
                            int scaled, cli_regression_metrics *out);

#endif
