/* report_train.h — filling a report from what `train` and `compare` hold. */
#ifndef DN_CLI_REPORT_TRAIN_H
#define DN_CLI_REPORT_TRAIN_H

#include "report/report.h"
#include "train/settings.h"

/* Points the report at the trained model and its history [s->epochs], describes the data, picks
 * the rows to trace (--test, else the validation split, else the training rows) and lists the
 * settings saved in the model's "training" metadata. Prints and returns 1 on error. */
int dn_report_from_training(dn_report *r, const dn_train_settings *s, const dn_train_job *job,
                            dn_model *model, const dn_epoch_metrics *history);

/* dn_report_from_training, then dn_report_write to s->report and a line saying so on stdout.
 * Prints and returns 1 on error. */
int dn_report_write_training(dn_report *r, const dn_train_settings *s, const dn_train_job *job,
                             dn_model *model, const dn_epoch_metrics *history);

#endif
