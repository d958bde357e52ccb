/* job.c — what one training run holds: the data sets (within --max-memory), the --init model,
 * the checkpoint directory and the checkpoint found to resume from. */
#include "train/job.h"

#include "common/cli_error.h"
#include "common/columns.h"
#include "common/table_options.h"
#include "parallel/parallel.h"
#include "train/checkpoint.h"
#include "train/model_file_budget.h"
#include "train/split.h"
#include "train/prepare.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_train_job_free(cli_train_job *job) {
    dn_dataset_free(job->train);
    dn_dataset_free(job->test);
    dn_dataset_free(job->val);
    dn_dataset_free(job->fit_rows);
    dn_model_free(job->init);
    dn_model_free(job->resumed);
    dn_checkpoint_state_free(&job->resumed_state);
    free(job->val_history);
    if (job->lock_fd >= 0) close(job->lock_fd);
    *job = (cli_train_job){.lock_fd = -1};
}

/* What is left of --max-memory after `used` bytes (1 when nothing is: the loader then refuses). */
static size_t budget_left(const cli_train_settings *s, size_t used) {
    if (s->max_bytes == 0) return 0;
    return used < s->max_bytes ? s->max_bytes - used : 1;
}

/* --task as the loader's option; `task` of the training file decides the others'. */
static int task_option(const char *task) {
    return strcmp(task, "regression") == 0       ? DN_TASK_REGRESSION
           : strcmp(task, "classification") == 0 ? DN_TASK_CLASSIFICATION
                                                 : DN_TASK_AUTO;
}

/* Reads `spec`: raw (categories and missing cells kept for prepare.c), or, once the training
 * data has been read and prepared (`train` not NULL), as eval reads data for the model: its
 * columns by name, with its preparation, and the columns it does not use named once. */
static int open_data(const cli_train_settings *s, const char *spec, int task,
                     const dn_dataset *train, dn_dataset **out, size_t *used) {
    dn_dataset_options opts = {.label_column = s->label, .max_rows = s->max_rows,
                               .max_bytes = budget_left(s, *used),
                               .select_columns = s->features, .ignore_columns = s->ignore,
                               .task = task, .raw_columns = 1};
    dn_error err;
    char **names = NULL;
    size_t count = 0;
    if (cli_table_options("train", s->delimiter, s->header, &opts) != 0) return -1;
    if (train != NULL && cli_train_read_like(train, &opts, &names, &count) < 0) return -1;
    dn_status st = dn_dataset_open(out, spec, &opts, &err);
    cli_prepared_names_free(names, count);
    if (st != DN_OK)
        return cli_error(-1, "%s%s", err.status == DN_ERR_MEMORY && s->max_bytes ? "--max-memory: " : "",
                            err.message);
    *used += dn_dataset_bytes(*out);
    if (dn_dataset_on_disk(*out) && cli_parallel_is_root())
        fprintf(stderr, "note: %s: over --max-memory, its pixels stay in the file and are read as "
                "batches need them (each rank reads only its own blocks' rows)\n", spec);
    if (count > 0)
        cli_columns_note(stderr, spec, &(cli_columns){.count = count,
                                                      .header = dn_dataset_has_header(train)}, *out);
    if (dn_dataset_warning(*out) != NULL)
        fprintf(stderr, "warning: %s: %s\n", spec, dn_dataset_warning(*out));
    return 0;
}

/* --test and --val-data, read once the training rows are prepared (their categories and fill
 * values apply), or refused when they need a preparation the training data did not. */
static int open_other(const cli_train_settings *s, const char *spec, cli_train_job *job,
                      dn_dataset **out) {
    if (spec == NULL) return 0;
    int others = job->regression ? DN_TASK_REGRESSION : DN_TASK_CLASSIFICATION;
    int code = open_data(s, spec, others, job->train, out, &job->data_bytes);
    if (code == 0 && dn_dataset_classes(*out) == 0 && dn_dataset_targets(*out) == 0)
        return cli_error(-1, "%s has no label column \"%s\" (the label of %s): give labelled "
                            "data, or name its label column with --label COL", spec,
                         s->label ? s->label : dn_dataset_label_name(job->train), s->train);
    return code == 0 ? cli_train_check_plain(job, *out, spec) : code;
}

/* Class ids of `other` renumbered to mean what they mean in `train` (CSV string labels are
 * numbered per file, so a test file missing a class would otherwise shift every id). */
static int align_to_train(const dn_dataset *train, dn_dataset *other, const char *spec) {
    size_t classes = dn_dataset_classes(train);
    if (other == NULL || dn_dataset_class_name(train, 0) == NULL) return 0;
    const char **names = calloc(classes, sizeof *names);
    if (names == NULL) return cli_error(-1, "out of memory");
    for (size_t i = 0; i < classes; ++i) names[i] = dn_dataset_class_name(train, i);
    dn_error err;
    dn_status st = dn_dataset_align_classes(other, names, classes, &err);
    free(names);
    return st == DN_OK ? 0 : cli_error(-1, "%s: %s", spec, err.message);
}

/* --test-split, then --val-split (Keras' sizes; the file's end, or seeded shuffled / stratified
 * rows): the test rows leave the training set, the validation rows become job->val and the rest
 * the rows fit trains on. */
static int split_rows(const cli_train_settings *s, cli_train_job *job) {
    cli_split split = {.shuffle = s->val_shuffle, .stratify = s->stratify, .seed = s->seed};
    if (s->test_split > 0.0) {
        dn_dataset *kept, *held;
        split.fraction = s->test_split, split.purpose = 1, split.what = "test";
        if (cli_split_rows(job->train, s->train, &split, &kept, &held) != 0) return -1;
        dn_dataset_free(job->train);
        job->train = kept;
        job->test = held;
    }
    if (s->val_split == 0.0) return 0;
    split.fraction = s->val_split, split.purpose = 2, split.what = "validation";
    return cli_split_rows(job->train, s->train, &split, &job->fit_rows, &job->val);
}

/* Regression fits standardised targets (docs/DATA.md "Regression"): the mean and std of the
 * rows fit trains on, applied to every data set of the run; the model stores them and every
 * output is unscaled with them. An --init regression model keeps its own: its weights were
 * learnt on that scale, so new data with another mean or spread is fine-tuned on it (as a
 * deployed model's TransformedTargetRegressor keeps its fitted scaler) instead of silently
 * meaning something else. */
static int standardize_targets(const cli_train_settings *s, cli_train_job *job) {
    cli_target_scale data = cli_target_scale_of(cli_train_fitted_rows(job));
    job->target = data;
    int kept = job->init != NULL ? cli_target_scale_of_model(job->init, s->init, &job->target) : 0;
    if (kept < 0) return -1;
    if (kept == 0) job->target = data; /* a classifier --init: its output layer is checked later */
    else
        fprintf(stderr, "note: --init %s: the targets keep the model's scale (mean %.6g, std "
                "%.6g; the training rows of %s have mean %.6g, std %.6g)\n", s->init,
                job->target.mean, job->target.std, s->train, data.mean, data.std);
    float mean = (float)job->target.mean, std = (float)job->target.std;
    dn_dataset *sets[] = {job->train, job->fit_rows, job->val, job->test};
    dn_error err;
    for (size_t i = 0; i < 4; ++i)
        if (sets[i] != NULL && dn_dataset_scale_targets(sets[i], &mean, &std, &err) != DN_OK)
            return cli_error(-1, "%s", err.message);
    return 0;
}

/* Room for each epoch's validation metrics (the report shows them), NaN until the epoch runs. */
static int keep_val_history(const cli_train_settings *s, cli_train_job *job) {
    size_t n = s->epochs ? s->epochs : 1;
    if ((job->val_history = malloc(n * sizeof *job->val_history)) == NULL)
        return cli_error(-1, "out of memory");
    for (size_t i = 0; i < n; ++i) job->val_history[i] = (cli_regression_metrics){NAN, NAN, NAN};
    return 0;
}

const dn_dataset *cli_train_fitted_rows(const cli_train_job *job) {
    return job->fit_rows != NULL ? job->fit_rows : job->train;
}

/* The data sets as training holds them (one-hot encoded columns at their final width, which the
 * raw reading counted as one input each) and the copies training makes of the training rows: the
 * rows fit trains on, and with a validation split, fit's own two slices. */
static int check_data_budget(const cli_train_settings *s, cli_train_job *job) {
    size_t train = dn_dataset_bytes(job->train);
    job->data_bytes = train + dn_dataset_bytes(job->test) + dn_dataset_bytes(job->val) +
                      dn_dataset_bytes(job->fit_rows) +
                      dn_dataset_rows(job->train) * sizeof(size_t); /* fit's shuffle order */
    if (s->max_bytes == 0 || job->data_bytes <= s->max_bytes) return 0;
    return cli_error(-1, "--max-memory %s: the data needs %.1f MiB with the copies training "
                        "makes of it (training rows %.1f MiB), over the limit", s->max_memory,
                        (double)job->data_bytes / 1048576.0, (double)train / 1048576.0);
}

/* --checkpoint / --resume: the directory written (locked, cleaned) and the checkpoint found. */
static int open_checkpoints(const cli_train_settings *s, cli_train_job *job) {
    const char *dir = s->checkpoint ? s->checkpoint : s->resume;
    if (dir == NULL) return 0;
    cli_data_fingerprint_add(job->data_fingerprint, "train", job->train);
    cli_data_fingerprint_add(job->data_fingerprint, "val-data", job->val);
    int resuming_here = s->resume != NULL && strcmp(dir, s->resume) == 0;
    /* In an MPI job rank 0 alone creates, locks and cleans the directory (it alone writes
     * there); the others read the checkpoint once it has. */
    if (cli_parallel_is_root() && cli_checkpoint_open_dir(dir, resuming_here, &job->lock_fd) != 0)
        return -1;
    cli_parallel_barrier();
    if (s->resume == NULL) return 0;
    cli_checkpoint_budget budget = {.bytes_left = budget_left(s, job->data_bytes),
                                    .max_memory = s->max_memory};
    if (cli_checkpoint_find(s->resume, &job->resumed, &job->resumed_state, job->resumed_path,
                            &budget) != 0)
        return -1;
    uint64_t step = job->resumed ? dn_model_step(job->resumed) : 0;
    if (!cli_parallel_agree(step))
        return cli_error(-1, "--resume: the ranks found different checkpoints in %s (is it on a "
                            "file system every node sees?)", s->resume);
    return 0;
}

int cli_train_load(const cli_train_settings *s, cli_train_job *job) {
    *job = (cli_train_job){.lock_fd = -1};
    dn_error err;
    int code = open_data(s, s->train, task_option(s->task), NULL, &job->train, &job->data_bytes);
    if (code == 0) {
        job->regression = dn_dataset_targets(job->train) > 0;
        cli_columns_describe(stdout, s->train, job->train); /* what was read */
        if (job->regression && strcmp(s->task, "auto") == 0)
            fprintf(stderr, "note: %s: the label column holds continuous values: regression "
                    "(give --task classification to read them as classes)\n", s->train);
        if (job->regression && s->stratify)
            code = cli_error(-1, "--stratify keeps class proportions, and the regression target "
                                "of %s has no classes: use --val-shuffle for a random split",
                             s->train);
    }
    if (code == 0) code = split_rows(s, job);
    if (code == 0) code = cli_train_prepare(s, job);
    if (code == 0) code = open_other(s, s->test, job, &job->test);
    if (code == 0) code = open_other(s, s->val_data, job, &job->val);
    if (code == 0) code = align_to_train(job->train, job->test, s->test);
    if (code == 0) code = align_to_train(job->train, job->val, s->val_data);
    if (code == 0 && job->test && dn_dataset_features(job->test) != dn_dataset_features(job->train))
        code = cli_error(-1, "%s has %zu features but %s has %zu", s->test,
                            dn_dataset_features(job->test), s->train, dn_dataset_features(job->train));
    if (code == 0 && s->init) code = cli_model_file_fits("--init", s->init, budget_left(s, job->data_bytes), s->max_memory);
    if (code == 0 && s->init && dn_model_load(&job->init, s->init, &err) != DN_OK)
        code = cli_error(-1, "%s", err.message);
    if (code == 0 && job->regression) code = standardize_targets(s, job);
    if (code == 0 && job->regression && job->val != NULL) code = keep_val_history(s, job);
    if (code == 0) code = check_data_budget(s, job);
    /* In an MPI job every rank gets here, failed or not: if one could not read its data or is
     * over its --max-memory, all stop now, with that rank's error shown once. */
    code = cli_parallel_all_ok(code);
    if (code == 0) code = open_checkpoints(s, job);
    if (code != 0) cli_train_job_free(job);
    return code;
}

/* What fit's reproducible mode (--reproducible; always on under MPI) holds on this rank beside
 * the model: its gradient blocks, counted by the library (dn_memory_estimate.blocks). 0 otherwise,
 * and when the settings cannot run (check_parallel has refused them already). */
static size_t reproducible_bytes(const cli_train_settings *s, const dn_model *m) {
    if (!s->reproducible) return 0;
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = s->batch;
    fit.reproducible = 1;
    fit.block_rows = s->block_rows;
    dn_memory_estimate est;
    if (dn_model_fit_memory_estimate(m, &fit, cli_parallel_size(), &est, NULL) != DN_OK) return 0;
    return est.blocks;
}

/* The model fits in what --max-memory leaves after the data (and, in the reproducible mode, its
 * gradient blocks); else prints why not. */
int cli_train_check_memory(const cli_train_settings *s, const cli_train_job *job,
                           const dn_model *m) {
    if (s->max_bytes == 0) return 0;
    /* Batches of fit, then evaluation in batches of up to 256 rows. */
    size_t rows = s->batch > 256 ? s->batch : 256;
    size_t left = budget_left(s, job->data_bytes), blocks = reproducible_bytes(s, m);
    if (blocks >= left)
        return cli_error(-1, "--max-memory %s (%.1f MiB of it taken by the data): the reproducible "
                         "mode's gradient blocks need %.1f MiB (%zu-row blocks of a %zu-row batch); "
                         "give a larger --max-memory, or larger --block-rows", s->max_memory,
                         (double)job->data_bytes / 1048576.0, (double)blocks / 1048576.0,
                         s->block_rows ? s->block_rows : (size_t)DN_BLOCK_ROWS_DEFAULT, s->batch);
    dn_error err;
    if (dn_model_check_memory(m, rows, left - blocks, &err) == DN_OK) return 0;
    if (blocks)
        return cli_error(-1, "--max-memory %s (%.1f MiB of it taken by the data, %.1f MiB by the "
                         "reproducible mode's gradient blocks): %s", s->max_memory,
                         (double)job->data_bytes / 1048576.0, (double)blocks / 1048576.0,
                         err.message);
    return cli_error(-1, "--max-memory %s (%.1f MiB of it taken by the data): %s", s->max_memory,
                     (double)job->data_bytes / 1048576.0, err.message);
}
