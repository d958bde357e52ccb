/* train_json.h — the results of a training run: metrics of one data set (test lines on stdout
 * and in --log) and `train --json FILE|-`, one JSON object with the final train, validation and
 * test metrics and the settings (docs/DATA.md "Machine-readable results"; train_json.c). */
#ifndef CLI_TRAIN_JSON_H
#define CLI_TRAIN_JSON_H

#include "common/regression.h"
#include "train/job.h"
#include "train/settings.h"

#include "dropnet.h"

/* One data set's metrics at inference: loss (on standardised targets for regression, as
 * trained) and accuracy, or for a regression job MAE, RMSE and R² in the target's units. */
typedef struct cli_set_metrics {
    double loss, accuracy;      /* accuracy NaN for regression */
    int regression;
    cli_regression_metrics reg; /* regression only */
    size_t rows;
} cli_set_metrics;

/* Evaluates `data` (a data set of `job`, targets standardised for regression) with `model`,
 * split over the MPI ranks when there are several. Prints and returns -1 on error. */
int cli_train_metrics(dn_model *model, const cli_train_job *job, const dn_dataset *data,
                      cli_set_metrics *out);

/* "test loss 0.1234 - test accuracy 0.9500" or "test loss … - test mae … - test rmse … - test
 * r2 …" on stdout. */
void cli_train_print_test(const cli_set_metrics *m);

/* Writes the --json object to `path` ("-": standard output; a file atomically): {"task":…,
 * "model":SPEC,"loss":NAME,"epochs_done":N,"settings":{…},"train":{…},"validation":{…}|null,
 * "test":{…}|null}; `test` may be NULL. Prints and returns -1 on error. */
int cli_train_write_json(const char *path, const cli_train_settings *s, const cli_train_job *job,
                         dn_model *model, const cli_set_metrics *test);

#endif
