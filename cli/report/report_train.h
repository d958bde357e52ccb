/* report_train.h — filling a report from what `train` and `compare` hold. */
#ifndef CLI_REPORT_TRAIN_H
#define CLI_REPORT_TRAIN_H

#include "report/report.h"
#include "train/job.h"
#include "train/settings.h"

/* Points the report at the trained model and its history [s->epochs], describes the data, picks
 * the rows to trace (--test, else the validation split, else the training rows) and lists the
 * settings saved in the model's "training" metadata. Prints and returns -1 on error. */
int cli_report_from_training(cli_report *r, const cli_train_settings *s, const cli_train_job *job,
                            dn_model *model, const dn_epoch_metrics *history);

/* The model's spec, loss and the settings saved in its "training" metadata, as report settings. */
void cli_report_list_settings(cli_report *r, dn_model *model);

/* cli_report_from_training, then cli_report_write to s->report and a line saying so on stdout.
 * Prints and returns -1 on error. */
int cli_report_write_training(cli_report *r, const cli_train_settings *s, const cli_train_job *job,
                             dn_model *model, const dn_epoch_metrics *history);

#endif
