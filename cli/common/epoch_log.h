/* epoch_log.h — the --log observer: one JSON object per epoch, a line each. */
#ifndef CLI_EPOCH_LOG_H
#define CLI_EPOCH_LOG_H

#include "dropnet.h"

#include <stdio.h>

/* Writes {"epoch":1,"loss":…,"accuracy":…,"val_loss":…,"val_accuracy":…,"seconds":…} and a
 * newline; numbers that do not exist (no validation, MSE accuracy) are null. */
void cli_epoch_log_write(FILE *out, const dn_epoch_metrics *m);

#endif
