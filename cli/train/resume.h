/* resume.h — the resume side of `train` (cli/train/resume.c). */
#ifndef CLI_TRAIN_RESUME_H
#define CLI_TRAIN_RESUME_H

#include "common/epoch_log.h"
#include "train/controls.h"
#include "train/job.h"
#include "train/settings.h"

#include <stdio.h>

/* Hands over job->resumed after checking that it was trained with these settings and layers and
 * fits --max-memory; records the settings and thread count. Prints and returns -1 on error. */
int cli_train_take_resumed(const cli_train_settings *s, cli_train_job *job, dn_model **out);

/* Restores the resumed run's history [epochs], --log lines and early stopping's state (its best
 * weights included) into `controls`. Prints and returns -1 on error. */
int cli_train_restore_resumed(const cli_train_settings *s, const cli_train_job *job, dn_model *model,
                             cli_epoch_log *log, cli_controls *controls, dn_epoch_metrics *history);

#endif
