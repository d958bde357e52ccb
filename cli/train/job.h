/* job.h — what one training run holds (cli/train/job.c). */
#ifndef CLI_TRAIN_JOB_H
#define CLI_TRAIN_JOB_H

#include "common/regression.h"
#include "train/data_fingerprint.h"
#include "train/settings.h"

#include "dropnet.h"

/* Everything one training run holds. */
typedef struct cli_train_job {
    dn_dataset *train, *test;  /* test may be NULL */
    dn_dataset *val;           /* --val-data, or the rows --val-split held out, or NULL */
    dn_dataset *fit_rows;      /* with --val-split: the rows fit trains on; else NULL */
    dn_model *init;            /* the --init model, or NULL */
    dn_model *resumed;         /* --resume: the newest valid checkpoint's model, or NULL */
    dn_checkpoint_state resumed_state; /* its CLI state (train/checkpoint.h) */
    char resumed_path[4096];   /* and its file ("" when --resume found none: a fresh start) */
    int lock_fd;               /* the checkpoint directory's lock, or -1 */
    size_t data_bytes;         /* what the datasets above take, for --max-memory */
    char data_fingerprint[CLI_FINGERPRINT_SIZE]; /* --checkpoint/--resume: train and val-data */
    int regression;            /* the label column holds float targets (--task, or auto) */
    cli_target_scale target;   /* regression: the training rows' target mean and std; every
                                  data set above holds its targets standardised by it */
} cli_train_job;

/* The rows fit trains on: train minus the validation split. */
const dn_dataset *cli_train_fitted_rows(const cli_train_job *job);

/* Loads --train, --test and --init, opens the checkpoint directory and finds the checkpoint to
 * resume from; prints and returns -1 on error (job freed), else 0. */
int cli_train_load(const cli_train_settings *s, cli_train_job *job);
void cli_train_job_free(cli_train_job *job);

/* Returns 0 when `m` fits in what --max-memory leaves after the data; else prints why not and
 * returns -1. */
int cli_train_check_memory(const cli_train_settings *s, const cli_train_job *job,
                           const dn_model *m);

#endif
