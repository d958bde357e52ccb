/* report_log.h — reading an epoch log (the JSON lines of `train --log`, or what Python's
 * dropnet.report writes from a History) back into per-epoch metrics, for `dropnet report`. */
#ifndef CLI_REPORT_LOG_H
#define CLI_REPORT_LOG_H

#include "dropnet.h"

#include <stddef.h>

/* Reads `path`: one JSON object a line, {"epoch":1,"loss":…,"accuracy":…,"val_loss":…,
 * "val_accuracy":…,"seconds":…}; null or missing numbers are NaN (seconds 0), other keys are
 * ignored, "epoch" must count 1, 2, … and "loss" must be a number. An object without "epoch"
 * (train's closing {"test_loss":…} line) is about no epoch and skipped. *history (allocated, [*epochs], free()) on success. Prints
 * the error naming the file and line, and returns -1, on failure (nothing left allocated). */
int cli_report_read_log(const char *path, dn_epoch_metrics **history, size_t *epochs);

#endif
