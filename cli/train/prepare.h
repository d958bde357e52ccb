/* prepare.h — categorical columns and missing cells of the training data (train/prepare.c):
 * --impute, one-hot encoding, the statistics taken from the training rows only. */
#ifndef CLI_TRAIN_PREPARE_H
#define CLI_TRAIN_PREPARE_H

#include "train/job.h"

/* After the splits: encodes and imputes the training rows, the rows fit trains on and the
 * validation and test rows held out, all with the categories and statistics of the rows fit
 * trains on (docs/DATA.md "Missing values and categories"), and says what it did on stdout.
 * Nothing when the data has no category, no missing cell and --impute is not given. Prints and
 * returns -1 on error. */
int cli_train_prepare(const cli_train_settings *s, cli_train_job *job);

/* Options that read another file (--test, --val-data) as the prepared training data was read:
 * its columns by name and its preprocessing. *names receives the column names `o` points to
 * (free with cli_prepared_names_free after the read). 0 when `train` was not prepared (o
 * unchanged), 1 when set, -1 after printing an error. */
int cli_train_read_like(const dn_dataset *train, dn_dataset_options *o, char ***names,
                        size_t *count);
void cli_prepared_names_free(char **names, size_t count);

/* A file read without the training preprocessing (the training data needed none) that holds
 * categories or missing cells: refused with the reason (dn_dataset_prepare's error). */
int cli_train_check_plain(const cli_train_job *job, const dn_dataset *data, const char *spec);

#endif
