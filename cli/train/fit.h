/* fit.h — a training command's fit with its observers (cli/train/fit.c). */
#ifndef CLI_TRAIN_FIT_H
#define CLI_TRAIN_FIT_H

#include "common/epoch_log.h"
#include "train/job.h"
#include "train/settings.h"

#include "dropnet.h"

#include <stdio.h>

/* Fits `model` with progress on stdout (prefixed), the log (may be NULL), and an extra observer;
 * history [epochs]. With --checkpoint / --resume, writes checkpoints and continues a resumed run
 * from its epoch (its history and log lines restored). Returns 0, or prints and returns -1 on
 * error. *numeric_failure (may be NULL) is set to 1 when the error is that the loss or a
 * parameter went NaN or infinite: the model then holds the last good state (the start of the
 * failing epoch), worth saving. Returns CLI_FIT_INTERRUPTED when SIGINT/SIGTERM stopped training
 * (common/interrupt.h): after the current batch; the model holds every finished batch's update
 * and is worth saving. */
enum { CLI_FIT_INTERRUPTED = 1 };
int cli_train_fit(const cli_train_settings *s, const cli_train_job *job, dn_model *model,
                  const char *prefix, cli_epoch_log *log, dn_callback extra, void *extra_user,
                  dn_epoch_metrics *history, int *numeric_failure);

#endif
