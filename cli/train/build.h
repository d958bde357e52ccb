/* build.h — the model a training command fits (cli/train/build.c). */
#ifndef CLI_TRAIN_BUILD_H
#define CLI_TRAIN_BUILD_H

#include "train/job.h"
#include "train/settings.h"

#include "dropnet.h"

/* Builds, compiles and prepares a model (weights from --init, class names, standardisation
 * from the training rows, training settings as metadata). zero_rates sets every dropout rate to
 * 0 (compare's baseline). With a resumed checkpoint, takes that model instead after checking
 * that this command's settings are the ones it was trained with. Prints and returns -1 on error. */
int cli_train_build(const cli_train_settings *s, cli_train_job *job, int zero_rates,
                   dn_model **out);

#endif
