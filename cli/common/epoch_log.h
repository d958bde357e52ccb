/* epoch_log.h — the --log file: one JSON object per epoch, a line each, every line flushed and
 * checked; the file locked for the run, as checkpoint directories are (cli/common/epoch_log.c). */
#ifndef CLI_EPOCH_LOG_H
#define CLI_EPOCH_LOG_H

#include "common/regression.h"

#include "dropnet.h"

#include <stdio.h>

typedef struct cli_epoch_log {
    FILE *file;       /* NULL: no --log (every call below then does nothing) */
    const char *path;
    int failed;       /* a write failed: the error was printed once, later lines are dropped */
} cli_epoch_log;

/* Opens --log `path` (NULL: no log) for writing. A regular file is locked (flock, exclusive)
 * before it is emptied, so a second run given the same file is refused instead of truncating
 * the first one's log under it. Prints and returns -1 on error, else 0. */
int cli_epoch_log_open(cli_epoch_log *log, const char *path);

/* Writes {"epoch":1,"loss":…,"accuracy":…,"val_loss":…,"val_accuracy":…,"seconds":…} and a
 * newline, flushed; numbers that do not exist (no validation, MSE accuracy) are null. The first
 * failure (a full disk, /dev/full) prints "cannot write log file PATH: REASON" and sets failed;
 * training goes on, and the command fails at the end (cli_epoch_log_close). */
void cli_epoch_log_write(cli_epoch_log *log, const dn_epoch_metrics *m);

/* The same line with the validation rows' regression metrics added ("val_mae", "val_rmse",
 * "val_r2"; val NULL: none). */
void cli_epoch_log_write_metrics(cli_epoch_log *log, const dn_epoch_metrics *m,
                                 const cli_regression_metrics *val);

/* After training: {"test_loss":…,"test_accuracy":…} for a classifier, or with "test_mae",
 * "test_rmse", "test_r2" (reg not NULL) for a regression model; a line like the epochs'. */
void cli_epoch_log_write_test(cli_epoch_log *log, double loss, double accuracy,
                              const cli_regression_metrics *reg);

/* Flushes what the caller wrote to log->file itself and checks it, as cli_epoch_log_write does. */
void cli_epoch_log_flush(cli_epoch_log *log);

/* Closes the log (checked). Returns -1 when a write or the close failed (printed), else 0. */
int cli_epoch_log_close(cli_epoch_log *log);

#endif
