/* train_setup.h — what `train` and `compare` share: their options, loading the data, building
 * and compiling the model, and fitting it with progress and log observers. */
#ifndef CLI_TRAIN_SETUP_H
#define CLI_TRAIN_SETUP_H

#include "common/options.h"
#include "train/progress.h"

#include "dropnet.h"

#include <stdint.h>

typedef struct cli_train_settings {
    const char *train, *test, *val_data, *model, *out, *init, *log, *label, *optimizer, *loss;
    size_t epochs, batch, max_rows, threads;
    float learning_rate, momentum, val_split, lr_decay;
    const char *lr_schedule, *momentum_ramp, *monitor;
    size_t patience; /* early stopping; SIZE_MAX = off */
    int nesterov, no_shuffle, standardize;
    uint64_t seed;
    const char *report; /* --report FILE.html (cli/report.h) */
    int trace;          /* --trace: the loss chart and epoch table after training */
    float max_norm, l2; /* --max-norm C, --l2 λ (dn_regularization; 0 = off) */
    const char *checkpoint, *resume;         /* directories (cli/checkpoint.h), train only */
    size_t checkpoint_every, checkpoint_keep; /* epochs between checkpoints; files kept */
    const char *max_memory; /* --max-memory SIZE as given, and in bytes (0: no cap) */
    size_t max_bytes;
} cli_train_settings;

enum { CLI_TRAIN_OPTION_COUNT = 36 };

/* Defaults (Keras fit/compile): 1 epoch, batch 32, Adam, shuffle, no validation, seed 42. */
void cli_train_settings_defaults(cli_train_settings *s);

/* Fills `table` [CLI_TRAIN_OPTION_COUNT] with the shared options pointing into `s`; returns the
 * number used. `with_out` adds --out (train needs it, compare does not). */
size_t cli_train_option_table(cli_train_settings *s, cli_option *table, int with_out);

/* Checks values that the parser cannot (required options, ranges) and settles the thread count
 * (--threads, else DROPNET_THREADS, else 0 = all cores); prints the error and returns 2, or
 * returns 0. */
int cli_train_check(cli_train_settings *s, const char *command, int needs_out);

/* Everything one training run holds. */
typedef struct cli_train_job {
    dn_dataset *train, *test;  /* test may be NULL */
    dn_dataset *val;           /* --val-data, or NULL */
    dn_dataset *fit_rows;      /* with --val-split: a copy of the rows fit trains on; else NULL */
    dn_model *init;            /* the --init model, or NULL */
    dn_model *resumed;         /* --resume: the newest valid checkpoint's model, or NULL */
    dn_checkpoint_state resumed_state; /* its CLI state (cli/checkpoint.h) */
    char resumed_path[4096];   /* and its file ("" when --resume found none: a fresh start) */
    int lock_fd;               /* the checkpoint directory's lock, or -1 */
    size_t data_bytes;         /* what the datasets above take, for --max-memory */
} cli_train_job;

/* The rows fit trains on: train minus the validation split. */
const dn_dataset *cli_train_fitted_rows(const cli_train_job *job);

/* Loads --train, --test and --init, opens the checkpoint directory and finds the checkpoint to
 * resume from; prints and returns 1 on error (job freed), else 0. */
int cli_train_load(const cli_train_settings *s, cli_train_job *job);
void cli_train_job_free(cli_train_job *job);

/* Builds, compiles and prepares a model (weights from --init, class names, standardisation
 * from the training rows, training settings as metadata). zero_rates sets every dropout rate to
 * 0 (compare's baseline). With a resumed checkpoint, takes that model instead after checking
 * that this command's settings are the ones it was trained with. Prints and returns 1 on error. */
int cli_train_build(const cli_train_settings *s, cli_train_job *job, int zero_rates,
                   dn_model **out);

/* cli_train_fit's return when the loss or a parameter went NaN or infinite: the message is
 * printed and the model holds the last good state (the start of the failing epoch). */
enum { CLI_TRAIN_NUMERIC_FAILURE = 3 };

/* Fits `model` with progress on stdout (prefixed), the log (may be NULL), and an extra observer;
 * history [epochs]. With --checkpoint / --resume, writes checkpoints and continues a resumed run
 * from its epoch (its history and log lines restored). Prints and returns 1 on error, or
 * CLI_TRAIN_NUMERIC_FAILURE. */
int cli_train_fit(const cli_train_settings *s, const cli_train_job *job, dn_model *model,
                 const char *prefix, FILE *log, dn_callback extra, void *extra_user,
                 dn_epoch_metrics *history);

/* Shared with cli/train_resume.c: the settings that produce a model's weights as a JSON object
 * (caller frees with cJSON_Delete), recording them in the model's "training" metadata, and
 * whether the model exceeds what --max-memory leaves after the data (printed). */
struct cJSON;
struct cJSON *cli_train_settings_json(const cli_train_settings *s);
dn_status cli_train_record_settings(dn_model *m, const cli_train_settings *s, dn_error *err);
int cli_train_model_over_budget(const cli_train_settings *s, const cli_train_job *job,
                               const dn_model *m);

/* Opens --log for writing (NULL when not requested); prints and returns 1 on error. */
int cli_train_open_log(const char *path, FILE **out);

#endif
