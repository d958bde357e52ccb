/* settings.h — the options `train` and `compare` share, their checks, and the settings that
 * produce a model's weights. */
#ifndef CLI_TRAIN_SETTINGS_H
#define CLI_TRAIN_SETTINGS_H

#include "common/options.h"
#include "common/output_check.h"

#include "dropnet.h"

#include <stdint.h>

typedef struct cli_train_settings {
    const char *train, *test, *val_data, *model, *out, *init, *log, *label, *optimizer, *loss;
    size_t epochs, batch, max_rows, threads;
    float learning_rate, momentum, lr_decay;
    double val_split, test_split; /* exact, so that 1000 rows × 0.2 hold 200 (Keras) */
    int val_shuffle, stratify;    /* splits: a seeded random / class-stratified choice of rows */
    const char *lr_schedule, *momentum_ramp, *monitor;
    size_t patience; /* early stopping; SIZE_MAX = off */
    int nesterov, no_shuffle, standardize;
    uint64_t seed;
    const char *report; /* --report FILE.html (report/report.h) */
    int trace;          /* --trace: the loss chart and epoch table after training */
    float max_norm, l2; /* --max-norm C, --l2 λ (dn_regularization; 0 = off) */
    const char *checkpoint, *resume;         /* directories (train/checkpoint.h), train only */
    size_t checkpoint_every, checkpoint_keep; /* epochs between checkpoints; files kept */
    const char *max_memory; /* --max-memory SIZE as given, and in bytes (0: no cap) */
    size_t max_bytes;
    int allow_data_change; /* --resume on data whose fingerprint differs from the checkpoint's */
    int reproducible;   /* --reproducible (always on in an MPI build): fit's block mode */
    size_t block_rows;  /* --block-rows N: rows per gradient block (0 = the library's 16) */
    const char *delimiter, *header, *features, *ignore; /* CSV column control (table_options.h) */
    const char *impute; /* --impute none|mean|median|most_frequent (train/prepare.h) */
    const char *precision_text; /* --precision as given (NULL: fp32) */
    dn_precision precision;     /* parsed by cli_train_check */
    const char *store_text;     /* --store as given (NULL: fp32) */
    dn_precision store;         /* how --out stores the dense kernels (dn_model_save_as) */
    const char *task;   /* --task auto|classification|regression (auto: from the label column) */
    const char *json;   /* --json FILE|-: final metrics and settings as one JSON object */
} cli_train_settings;

/* Limits (docs/RELIABILITY.md): threads beyond this only cost memory; the history of every epoch is
 * kept, 56 bytes an epoch in memory and 112 in each checkpoint. */
enum { CLI_MAX_THREADS = 256, CLI_MAX_EPOCHS = 10000000 };

/* The options of `train` (compare has all but the train-only ones); settings.c checks at compile
 * time that its table has exactly this many. */
enum { CLI_TRAIN_OPTION_COUNT = 50 };

/* Defaults (Keras fit/compile): 1 epoch, batch 32, Adam, shuffle, no validation, seed 42. */
void cli_train_settings_defaults(cli_train_settings *s);

/* Fills `table` [CLI_TRAIN_OPTION_COUNT] with the shared options pointing into `s`; returns the
 * number used. `with_out` adds --out and the checkpoint options (train has them, compare not). */
size_t cli_train_option_table(cli_train_settings *s, cli_option *table, int with_out);

/* Checks values that the parser cannot (required options, ranges) and settles the thread count
 * (--threads, else DROPNET_THREADS, else 0 = all cores); prints the error and returns -1, or
 * returns 0. */
int cli_train_check(cli_train_settings *s, const char *command, int needs_out);

/* train and compare: fills `s` with the defaults, parses argv (name, summary and usage as the
 * command's help shows them; `with_out` as cli_train_option_table) and checks the values
 * (cli_train_check). Returns 0 to go on, or -1 with *exit_code set after printing the help (0)
 * or the error (2). */
int cli_train_parse(cli_train_settings *s, const char *name, const char *summary, const char *usage,
                    int with_out, int argc, char **argv, int *exit_code);

/* The files the run reads, for cli_check_outputs: --train, --test, --val-data and --init (last,
 * so that train can leave it out: --init is read completely before --out is written). */
enum { CLI_TRAIN_INPUT_COUNT = 4 };
void cli_train_inputs(const cli_train_settings *s, cli_named_file inputs[CLI_TRAIN_INPUT_COUNT]);

/* The optimizer the settings name (--optimizer, --lr or its default, --momentum, --nesterov). */
dn_optimizer_config cli_train_optimizer(const cli_train_settings *s);

/* The settings that produce a model's weights as a JSON object (caller frees with cJSON_Delete),
 * and recording them in the model's "training" metadata (compared again on resume). */
struct cJSON;
struct cJSON *cli_train_settings_json(const cli_train_settings *s);
dn_status cli_train_record_settings(dn_model *m, const cli_train_settings *s, dn_error *err);

#endif
