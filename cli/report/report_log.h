/* report_log.h — reading an epoch log (the JSON lines of `train --log`, or what Python's
 * dropnet.report writes from a History) back into per-epoch metrics, for `dropnet report`. */
#ifndef CLI_REPORT_LOG_H
#define CLI_REPORT_LOG_H

#include "common/regression.h"
#include "dropnet.h"

#include <stddef.h>

/* One log as read: the fit history and, for a regression run, its metrics in the target's
 * units. Every array has `epochs` entries and is owned (cli_report_log_free). */
typedef struct cli_report_log {
    dn_epoch_metrics *history;
    /* "mae", "rmse", "r2" of the training rows, and "val_mae", "val_rmse", "val_r2" of the
     * validation rows (train --log writes the latter for a regression run); NaN where a line has
     * null or nothing; the array is NULL when no line holds any of the three. */
    cli_regression_metrics *train, *val;
    size_t epochs;
} cli_report_log;

/* Reads `path`: one JSON object a line, {"epoch":1,"loss":…,"accuracy":…,"val_loss":…,
 * "val_accuracy":…,"seconds":…} and, for a regression run, "val_mae", "val_rmse", "val_r2" (and
 * "mae", "rmse", "r2" where the log has them); null or missing numbers are NaN (seconds 0),
 * other keys are ignored, "epoch" must count 1, 2, … and "loss" must be a number. An object
 * without "epoch" (train's closing {"test_loss":…} line) is about no epoch and skipped. Fills
 * *log on success. Prints the error naming the file and line, and returns -1, on failure
 * (nothing left allocated). */
int cli_report_read_log(const char *path, cli_report_log *log);

/* Frees what cli_report_read_log allocated (a zeroed log is fine). */
void cli_report_log_free(cli_report_log *log);

#endif
