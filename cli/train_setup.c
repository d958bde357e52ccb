/* train_setup.c — loading, building and fitting for `train` and `compare`. */
#include "train_setup.h"

#include "checkpoint.h"
#include "commands.h"
#include "schedule.h"
#include "train_resume.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SPEC_SIZE = 4096 };

void dn_train_settings_defaults(dn_train_settings *s) {
    *s = (dn_train_settings){0};
    s->optimizer = "adam";
    s->loss = "auto";
    s->epochs = 1;
    s->batch = 32;
    s->seed = 42;
    s->learning_rate = -1.0f; /* the optimizer's own default */
    s->lr_decay = 1.0f;
    s->monitor = "val_loss";
    s->patience = SIZE_MAX;
    s->threads = SIZE_MAX;    /* not given: DROPNET_THREADS decides (see dn_train_check) */
    s->checkpoint_every = 1;
    s->checkpoint_keep = 3;
}

size_t dn_train_option_table(dn_train_settings *s, dn_cli_option *t, int with_out) {
    size_t n = 0;
    t[n++] = (dn_cli_option){"train", DN_OPT_STRING, &s->train, "DATA", "training data (see docs/DATA.md)"};
    t[n++] = (dn_cli_option){"test", DN_OPT_STRING, &s->test, "DATA", "test data, evaluated after training"};
    t[n++] = (dn_cli_option){"model", DN_OPT_STRING, &s->model, "SPEC", "layers, e.g. \"dropout:0.2,dense:10:relu,dense:3:softmax\""};
    if (with_out)
        t[n++] = (dn_cli_option){"out", DN_OPT_STRING, &s->out, "FILE", "where to save the trained model (safetensors)"};
    t[n++] = (dn_cli_option){"epochs", DN_OPT_SIZE, &s->epochs, "N", "training epochs (1; 0 saves the initial model)"};
    t[n++] = (dn_cli_option){"batch", DN_OPT_SIZE, &s->batch, "N", "batch size (32)"};
    t[n++] = (dn_cli_option){"optimizer", DN_OPT_STRING, &s->optimizer, "NAME", "sgd or adam (adam)"};
    t[n++] = (dn_cli_option){"lr", DN_OPT_FLOAT, &s->learning_rate, "X", "learning rate (sgd 0.01, adam 0.001)"};
    t[n++] = (dn_cli_option){"lr-decay", DN_OPT_FLOAT, &s->lr_decay, "F", "multiply the learning rate by F in (0, 1] after every epoch (1)"};
    t[n++] = (dn_cli_option){"lr-schedule", DN_OPT_STRING, &s->lr_schedule, "SPEC", "exp:F, step:N:F, cosine or cosine:M (per epoch; constant)"};
    t[n++] = (dn_cli_option){"momentum-ramp", DN_OPT_STRING, &s->momentum_ramp, "A:B:N", "SGD momentum from A to B over the first N epochs"};
    t[n++] = (dn_cli_option){"early-stopping", DN_OPT_SIZE, &s->patience, "N", "stop after N epochs without improvement; keep the best weights"};
    t[n++] = (dn_cli_option){"monitor", DN_OPT_STRING, &s->monitor, "NAME", "val_loss or val_accuracy, for --early-stopping (val_loss)"};
    t[n++] = (dn_cli_option){"momentum", DN_OPT_FLOAT, &s->momentum, "X", "SGD momentum in [0, 1) (0)"};
    t[n++] = (dn_cli_option){"nesterov", DN_OPT_FLAG, &s->nesterov, NULL, "Nesterov momentum (SGD)"};
    t[n++] = (dn_cli_option){"loss", DN_OPT_STRING, &s->loss, "NAME", "auto, categorical, binary or mse (auto: from the output activation)"};
    t[n++] = (dn_cli_option){"seed", DN_OPT_U64, &s->seed, "N", "seed for init, shuffling and dropout masks (42)"};
    t[n++] = (dn_cli_option){"val-split", DN_OPT_FLOAT, &s->val_split, "F", "fraction in [0, 1) held out from the end for validation (0)"};
    t[n++] = (dn_cli_option){"val-data", DN_OPT_STRING, &s->val_data, "DATA", "validate on DATA after every epoch (Keras validation_data)"};
    t[n++] = (dn_cli_option){"no-shuffle", DN_OPT_FLAG, &s->no_shuffle, NULL, "keep the row order every epoch"};
    t[n++] = (dn_cli_option){"init", DN_OPT_STRING, &s->init, "FILE", "start from a saved model's weights"};
    t[n++] = (dn_cli_option){"log", DN_OPT_STRING, &s->log, "FILE", "write one JSON object per epoch to FILE"};
    t[n++] = (dn_cli_option){"label", DN_OPT_STRING, &s->label, "COL", "CSV label column, name or 0-based index (last)"};
    t[n++] = (dn_cli_option){"standardize", DN_OPT_FLAG, &s->standardize, NULL, "scale features by the training rows' mean and std"};
    t[n++] = (dn_cli_option){"max-rows", DN_OPT_SIZE, &s->max_rows, "N", "use only the first N rows of each data set"};
    t[n++] = (dn_cli_option){"report", DN_OPT_STRING, &s->report, "FILE", "write an HTML report of the run (docs/REPORT.md)"};
    t[n++] = (dn_cli_option){"trace", DN_OPT_FLAG, &s->trace, NULL, "print the loss chart and the epoch table after training"};
    t[n++] = (dn_cli_option){"max-norm", DN_OPT_FLOAT, &s->max_norm, "C", "after each update rescale every unit's incoming weights to norm <= C (0 = off)"};
    t[n++] = (dn_cli_option){"l2", DN_OPT_FLOAT, &s->l2, "X", "L2 weight decay: the loss gains X * sum of squared kernel weights (0)"};
    t[n++] = (dn_cli_option){"threads", DN_OPT_SIZE, &s->threads, "N", "threads (0 = all cores; default $DROPNET_THREADS or 0); results do not depend on it"};
    t[n++] = (dn_cli_option){"max-memory", DN_OPT_STRING, &s->max_memory, "SIZE", "refuse data and models that need more than SIZE (e.g. 512M, 2G; K/M/G/T = 1024^n)"};
    if (!with_out) return n;
    t[n++] = (dn_cli_option){"checkpoint", DN_OPT_STRING, &s->checkpoint, "DIR", "write crash-safe checkpoints to DIR (created; must hold none yet)"};
    t[n++] = (dn_cli_option){"checkpoint-every", DN_OPT_SIZE, &s->checkpoint_every, "N", "epochs between checkpoints (1); the last epoch always gets one"};
    t[n++] = (dn_cli_option){"checkpoint-keep", DN_OPT_SIZE, &s->checkpoint_keep, "N", "newest checkpoints kept (3)"};
    t[n++] = (dn_cli_option){"resume", DN_OPT_STRING, &s->resume, "DIR", "continue from DIR's newest valid checkpoint (same settings; --epochs may grow); checkpoints go on into DIR"};
    return n;
}

/* The directory part of `path` exists and is writable, so a long run does not end unable to save. */
static int output_dir_writable(const char *path) {
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    return access(dirname(copy), W_OK) == 0;
}

/* "512M", "2G", "1.5G", "4096" (bytes), an optional "B" or "iB" after the unit; > 0. */
static int parse_size(const char *text, size_t *out) {
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0.0)) return 0;
    static const char units[] = "KMGT";
    const char *unit = *end ? strchr(units, *end) : NULL;
    if (unit != NULL && *end != '\0') {
        for (const char *u = units; u <= unit; ++u) v *= 1024.0;
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0) end += strlen(end);
    }
    if (*end != '\0' || v >= 18446744073709549568.0 || v < 1.0) return 0;
    *out = (size_t)v;
    return 1;
}

int dn_train_check(dn_train_settings *s, const char *cmd, int needs_out) {
    char message[256];
    if (s->threads == SIZE_MAX && !dn_cli_env_threads(&s->threads, message, sizeof message))
        return dn_cli_error(2, "%s: %s", cmd, message);
    if (s->threads > 4096) return dn_cli_error(2, "%s: --threads must be at most 4096", cmd);
    if (s->train == NULL) return dn_cli_error(2, "%s: --train DATA is required", cmd);
    if (s->model == NULL && s->init == NULL)
        return dn_cli_error(2, "%s: --model SPEC (or --init FILE) is required", cmd);
    if (needs_out && s->out == NULL) return dn_cli_error(2, "%s: --out FILE is required", cmd);
    if (needs_out && !output_dir_writable(s->out))
        return dn_cli_error(2, "%s: cannot write --out %s: its directory does not exist or is not "
                            "writable", cmd, s->out);
    if (s->batch == 0) return dn_cli_error(2, "%s: --batch must be > 0", cmd);
    if (strcmp(s->optimizer, "sgd") != 0 && strcmp(s->optimizer, "adam") != 0)
        return dn_cli_error(2, "%s: --optimizer must be sgd or adam, got '%s'", cmd, s->optimizer);
    const char *losses[] = {"auto", "categorical", "binary", "mse"};
    int known = 0;
    for (size_t i = 0; i < 4; ++i) known |= strcmp(s->loss, losses[i]) == 0;
    if (!known)
        return dn_cli_error(2, "%s: --loss must be auto, categorical, binary or mse, got '%s'", cmd,
                            s->loss);
    if (s->val_data != NULL && s->val_split != 0.0f)
        return dn_cli_error(2, "%s: give --val-split or --val-data, not both", cmd);
    if (!(s->val_split >= 0.0f && s->val_split < 1.0f))
        return dn_cli_error(2, "%s: --val-split must be in [0, 1), got %g", cmd, (double)s->val_split);
    if (s->learning_rate != -1.0f && !(s->learning_rate > 0.0f))
        return dn_cli_error(2, "%s: --lr must be > 0, got %g", cmd, (double)s->learning_rate);
    if (!(s->lr_decay > 0.0f && s->lr_decay <= 1.0f))
        return dn_cli_error(2, "%s: --lr-decay must be in (0, 1], got %g", cmd, (double)s->lr_decay);
    if (s->lr_schedule != NULL && s->lr_decay != 1.0f)
        return dn_cli_error(2, "%s: give --lr-schedule or --lr-decay, not both", cmd);
    dn_schedule_spec spec;
    dn_momentum_ramp ramp;
    if (s->lr_schedule != NULL && !dn_schedule_parse(s->lr_schedule, &spec, message, sizeof message))
        return dn_cli_error(2, "%s: %s", cmd, message);
    if (s->momentum_ramp != NULL &&
        (strcmp(s->optimizer, "sgd") != 0 ||
         !dn_momentum_ramp_parse(s->momentum_ramp, &ramp, message, sizeof message)))
        return dn_cli_error(2, "%s: %s", cmd, strcmp(s->optimizer, "sgd") != 0
                            ? "--momentum-ramp needs --optimizer sgd" : message);
    if (strcmp(s->monitor, "val_loss") != 0 && strcmp(s->monitor, "val_accuracy") != 0)
        return dn_cli_error(2, "%s: --monitor must be val_loss or val_accuracy, got '%s'", cmd, s->monitor);
    if (s->patience != SIZE_MAX && s->val_split == 0.0f && s->val_data == NULL)
        return dn_cli_error(2, "%s: --early-stopping needs validation: --val-split F or --val-data DATA", cmd);
    if (!(s->momentum >= 0.0f && s->momentum < 1.0f))
        return dn_cli_error(2, "%s: --momentum must be in [0, 1), got %g", cmd, (double)s->momentum);
    if (!(s->max_norm >= 0.0f))
        return dn_cli_error(2, "%s: --max-norm must be >= 0 (0 = off), got %g", cmd, (double)s->max_norm);
    if (!(s->l2 >= 0.0f)) return dn_cli_error(2, "%s: --l2 must be >= 0, got %g", cmd, (double)s->l2);
    if (s->nesterov && (strcmp(s->optimizer, "sgd") != 0 || s->momentum == 0.0f))
        return dn_cli_error(2, "%s: --nesterov needs --optimizer sgd and --momentum > 0", cmd);
    if (s->max_memory && !parse_size(s->max_memory, &s->max_bytes))
        return dn_cli_error(2, "%s: --max-memory expects a size such as 512M, 2G or 1.5G (bytes, "
                            "K, M, G or T = 1024^n, > 0), got '%s'", cmd, s->max_memory);
    if (s->checkpoint_every == 0) return dn_cli_error(2, "%s: --checkpoint-every must be >= 1", cmd);
    if (s->checkpoint_keep == 0) return dn_cli_error(2, "%s: --checkpoint-keep must be >= 1", cmd);
    if (s->resume && s->init)
        return dn_cli_error(2, "%s: give --resume DIR or --init FILE, not both", cmd);
    return 0;
}

void dn_train_job_free(dn_train_job *job) {
    dn_dataset_free(job->train);
    dn_dataset_free(job->test);
    dn_dataset_free(job->val);
    dn_dataset_free(job->fit_rows);
    dn_model_free(job->init);
    dn_model_free(job->resumed);
    dn_checkpoint_state_free(&job->resumed_state);
    if (job->lock_fd >= 0) close(job->lock_fd);
    *job = (dn_train_job){0};
    job->lock_fd = -1;
}

/* What is left of --max-memory after `used` bytes (1 when nothing is: the loader then refuses). */
static size_t budget_left(const dn_train_settings *s, size_t used) {
    if (s->max_bytes == 0) return 0;
    return used < s->max_bytes ? s->max_bytes - used : 1;
}

static int open_data(const dn_train_settings *s, const char *spec, dn_dataset **out,
                     size_t *used) {
    dn_dataset_options opts = {s->label, s->max_rows, 0, budget_left(s, *used)};
    dn_error err;
    if (dn_dataset_open(out, spec, &opts, &err) != DN_OK)
        return dn_cli_error(1, "%s%s", err.status == DN_ERR_MEMORY && s->max_bytes ? "--max-memory: " : "",
                            err.message);
    *used += dn_dataset_bytes(*out);
    return 0;
}

/* Class ids of `other` renumbered to mean what they mean in `train` (CSV string labels are
 * numbered per file, so a test file missing a class would otherwise shift every id). */
static int align_to_train(const dn_dataset *train, dn_dataset *other, const char *spec) {
    size_t classes = dn_dataset_classes(train);
    if (other == NULL || dn_dataset_class_name(train, 0) == NULL) return 0;
    const char **names = calloc(classes, sizeof *names);
    if (names == NULL) return dn_cli_error(1, "out of memory");
    for (size_t i = 0; i < classes; ++i) names[i] = dn_dataset_class_name(train, i);
    dn_error err;
    dn_status st = dn_dataset_align_classes(other, names, classes, &err);
    free(names);
    return st == DN_OK ? 0 : dn_cli_error(1, "%s: %s", spec, err.message);
}

/* Keras' validation_split: the rows fit trains on are the first floor(n·(1 − split)). */
static int training_rows(const dn_train_settings *s, dn_train_job *job) {
    size_t n = dn_dataset_rows(job->train);
    size_t keep = (size_t)((double)n * (1.0 - (double)s->val_split));
    dn_error err;
    if (keep == 0) return dn_cli_error(1, "--val-split %g leaves no training rows of %zu", (double)s->val_split, n);
    if (keep == n) return 0; /* no copy: the training set itself */
    if (dn_dataset_slice(job->train, 0, keep, &job->fit_rows, &err) != DN_OK)
        return dn_cli_error(1, "%s", err.message);
    return 0;
}

const dn_dataset *dn_train_fitted_rows(const dn_train_job *job) {
    return job->fit_rows != NULL ? job->fit_rows : job->train;
}

/* The copies training makes of the training rows count too: the rows fit trains on, and with a
 * validation split, fit's own two slices. */
static int check_data_budget(const dn_train_settings *s, dn_train_job *job) {
    size_t train = dn_dataset_bytes(job->train);
    job->data_bytes += dn_dataset_bytes(job->fit_rows) + (s->val_split > 0.0f ? train : 0) +
                       dn_dataset_rows(job->train) * sizeof(size_t); /* fit's shuffle order */
    if (s->max_bytes == 0 || job->data_bytes <= s->max_bytes) return 0;
    return dn_cli_error(1, "--max-memory %s: the data needs %.1f MiB with the copies training "
                        "makes of it (training rows %.1f MiB), over the limit", s->max_memory,
                        (double)job->data_bytes / 1048576.0, (double)train / 1048576.0);
}

int dn_train_load(const dn_train_settings *s, dn_train_job *job) {
    *job = (dn_train_job){0};
    job->lock_fd = -1;
    dn_error err;
    int code = open_data(s, s->train, &job->train, &job->data_bytes);
    if (code == 0 && s->test) code = open_data(s, s->test, &job->test, &job->data_bytes);
    if (code == 0 && s->val_data) code = open_data(s, s->val_data, &job->val, &job->data_bytes);
    if (code == 0) code = align_to_train(job->train, job->test, s->test);
    if (code == 0) code = align_to_train(job->train, job->val, s->val_data);
    if (code == 0 && job->test && dn_dataset_features(job->test) != dn_dataset_features(job->train))
        code = dn_cli_error(1, "%s has %zu features but %s has %zu", s->test,
                            dn_dataset_features(job->test), s->train, dn_dataset_features(job->train));
    if (code == 0 && s->init && dn_model_load(&job->init, s->init, &err) != DN_OK)
        code = dn_cli_error(1, "%s", err.message);
    if (code == 0) code = training_rows(s, job);
    if (code == 0) code = check_data_budget(s, job);
    if (code == 0) code = dn_train_open_checkpoints(s, job);
    if (code != 0) dn_train_job_free(job);
    return code;
}

static dn_loss choose_loss(const char *name, dn_activation last) {
    if (strcmp(name, "categorical") == 0) return DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (strcmp(name, "binary") == 0) return DN_LOSS_BINARY_CROSSENTROPY;
    if (strcmp(name, "mse") == 0) return DN_LOSS_MEAN_SQUARED_ERROR;
    return last == DN_ACT_SIGMOID ? DN_LOSS_BINARY_CROSSENTROPY
                                  : DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
}

static dn_optimizer_config optimizer_of(const dn_train_settings *s) {
    int adam = strcmp(s->optimizer, "adam") == 0;
    dn_optimizer_config c = dn_optimizer_defaults(adam ? DN_OPTIMIZER_ADAM : DN_OPTIMIZER_SGD);
    if (s->learning_rate > 0.0f) c.learning_rate = s->learning_rate;
    c.momentum = s->momentum;
    c.nesterov = s->nesterov;
    return c;
}

/* Appends layer i of `from` to m with every stochastic part off (rates and stddev 0,
 * DropConnect off), keeping the initialiser. */
static dn_status add_without_noise(dn_model *m, const dn_model *from, size_t i, dn_error *err) {
    dn_layer_info info;
    dn_model_layer_info(from, i, &info, NULL);
    switch (info.kind) {
    case DN_LAYER_DENSE: break;
    case DN_LAYER_DROPOUT: return dn_model_add_dropout(m, 0.0f, err);
    case DN_LAYER_ALPHA_DROPOUT: return dn_model_add_alpha_dropout(m, 0.0f, err);
    case DN_LAYER_GAUSSIAN_DROPOUT: return dn_model_add_gaussian_dropout(m, 0.0f, err);
    case DN_LAYER_GAUSSIAN_NOISE: return dn_model_add_gaussian_noise(m, 0.0f, err);
    }
    dn_dense_options options;
    dn_model_dense_options(from, i, &options, NULL);
    options.dropconnect = 0.0f;
    return dn_model_add_dense(m, info.outputs, info.activation, &options, err);
}

/* The layers of `spec` (or of the --init model), with every dropout rate 0 when asked. */
static dn_status layers_of(const dn_train_settings *s, const dn_train_job *job, int zero_rates,
                           dn_model **out, dn_error *err) {
    char spec[SPEC_SIZE];
    if (s->model) snprintf(spec, sizeof spec, "%s", s->model);
    else if (dn_model_spec(job->init, spec, sizeof spec) >= sizeof spec)
        return DN_ERR_MEMORY;
    dn_model *parsed;
    size_t inputs = dn_dataset_features(job->train);
    dn_status st = dn_model_from_spec(&parsed, inputs, spec, err);
    if (st != DN_OK || !zero_rates) {
        if (st == DN_OK) *out = parsed;
        return st;
    }
    dn_model *m = NULL;
    st = dn_model_create(&m, inputs, err);
    for (size_t i = 0; st == DN_OK && i < dn_model_layer_count(parsed); ++i)
        st = add_without_noise(m, parsed, i, err);
    dn_model_free(parsed);
    if (st != DN_OK) dn_model_free(m);
    else *out = m;
    return st;
}

static dn_status set_class_names(dn_model *m, const dn_dataset *d, dn_error *err) {
    size_t classes = dn_dataset_classes(d);
    if (classes == 0 || dn_dataset_class_name(d, 0) == NULL || classes != dn_model_output_size(m))
        return DN_OK;
    const char **names = calloc(classes, sizeof *names);
    if (names == NULL) return DN_ERR_MEMORY;
    for (size_t i = 0; i < classes; ++i) names[i] = dn_dataset_class_name(d, i);
    dn_status st = dn_model_set_class_names(m, names, classes, err);
    free(names);
    return st;
}

static dn_status set_standardization(dn_model *m, const dn_dataset *rows, dn_error *err) {
    size_t f = dn_dataset_features(rows);
    float *mean = calloc(f, sizeof *mean), *std = calloc(f, sizeof *std);
    dn_status st = mean && std ? dn_dataset_feature_stats(rows, mean, std, err) : DN_ERR_MEMORY;
    if (st == DN_OK) st = dn_model_set_standardization(m, mean, std, err);
    free(mean);
    free(std);
    return st;
}

/* The settings that produce a model: everything that changes its weights, and the epochs. */
cJSON *dn_train_settings_json(const dn_train_settings *s) {
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddStringToObject(o, "train", s->train);
    if (s->test) cJSON_AddStringToObject(o, "test", s->test);
    if (s->init) cJSON_AddStringToObject(o, "init", s->init);
    cJSON_AddNumberToObject(o, "epochs", (double)s->epochs);
    cJSON_AddNumberToObject(o, "batch", (double)s->batch);
    cJSON_AddStringToObject(o, "optimizer", s->optimizer);
    dn_optimizer_config c = optimizer_of(s);
    cJSON_AddNumberToObject(o, "lr", (double)c.learning_rate);
    if (s->lr_schedule) cJSON_AddStringToObject(o, "lr_schedule", s->lr_schedule);
    if (s->momentum_ramp) cJSON_AddStringToObject(o, "momentum_ramp", s->momentum_ramp);
    if (s->patience != SIZE_MAX) {
        cJSON_AddNumberToObject(o, "early_stopping", (double)s->patience);
        cJSON_AddStringToObject(o, "monitor", s->monitor);
    }
    cJSON_AddNumberToObject(o, "lr_decay", (double)s->lr_decay);
    cJSON_AddNumberToObject(o, "momentum", (double)c.momentum);
    cJSON_AddBoolToObject(o, "nesterov", s->nesterov);
    cJSON_AddNumberToObject(o, "val_split", (double)s->val_split);
    cJSON_AddBoolToObject(o, "shuffle", !s->no_shuffle);
    cJSON_AddBoolToObject(o, "standardize", s->standardize);
    if (s->max_norm > 0.0f) cJSON_AddNumberToObject(o, "max_norm", (double)s->max_norm);
    if (s->l2 > 0.0f) cJSON_AddNumberToObject(o, "l2", (double)s->l2);
    if (s->label) cJSON_AddStringToObject(o, "label", s->label);
    if (s->max_rows) cJSON_AddNumberToObject(o, "max_rows", (double)s->max_rows);
    if (s->val_data) cJSON_AddStringToObject(o, "val_data", s->val_data);
    cJSON_AddStringToObject(o, "loss", s->loss);
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed); /* exact beyond 2^53 */
    cJSON_AddStringToObject(o, "seed", seed);
    /* A cosine schedule's rates depend on the total: then the epochs may not change on resume. */
    if (s->lr_schedule && strncmp(s->lr_schedule, "cosine", 6) == 0)
        cJSON_AddNumberToObject(o, "cosine_epochs", (double)s->epochs);
    return o;
}

/* Those settings as a JSON object string in the model's metadata ("training"). */
dn_status dn_train_record_settings(dn_model *m, const dn_train_settings *s, dn_error *err) {
    cJSON *o = dn_train_settings_json(s);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (text == NULL) return DN_ERR_MEMORY;
    dn_status st = dn_model_set_metadata(m, "training", text, err);
    cJSON_free(text);
    return st;
}

/* Whether the model would take more than what --max-memory leaves after the data (printed). */
int dn_train_model_over_budget(const dn_train_settings *s, const dn_train_job *job,
                               const dn_model *m) {
    if (s->max_bytes == 0) return 0;
    /* Batches of fit, then evaluation in batches of up to 256 rows. */
    size_t rows = s->batch > 256 ? s->batch : 256;
    dn_error err;
    if (dn_model_check_memory(m, rows, budget_left(s, job->data_bytes), &err) == DN_OK) return 0;
    dn_cli_error(1, "--max-memory %s (%.1f MiB of it taken by the data): %s", s->max_memory,
                 (double)job->data_bytes / 1048576.0, err.message);
    return 1;
}

int dn_train_build(const dn_train_settings *s, dn_train_job *job, int zero_rates,
                   dn_model **out) {
    if (job->resumed != NULL) return dn_train_take_resumed(s, job, out);
    dn_error err = {DN_OK, "out of memory"};
    dn_model *m = NULL;
    dn_status st = layers_of(s, job, zero_rates, &m, &err);
    /* Threads first: the GEMM workspace in the memory estimate is per thread. */
    if (st == DN_OK) st = dn_model_set_threads(m, (int)s->threads, &err);
    if (st == DN_OK && dn_train_model_over_budget(s, job, m)) {
        dn_model_free(m);
        return 1;
    }
    if (st == DN_OK) {
        dn_layer_info last;
        dn_model_layer_info(m, dn_model_layer_count(m) - 1, &last, NULL);
        dn_optimizer_config opt = optimizer_of(s);
        st = dn_model_compile(m, choose_loss(s->loss, last.activation), &opt, s->seed, &err);
    }
    if (st == DN_OK && job->init && (st = dn_model_copy_weights(m, job->init, &err)) != DN_OK) {
        dn_model_free(m);
        return dn_cli_error(1, "--init %s: %s", s->init, err.message);
    }
    if (st == DN_OK) st = set_class_names(m, job->train, &err);
    if (st == DN_OK && s->standardize) st = set_standardization(m, dn_train_fitted_rows(job), &err);
    dn_regularization reg = {s->l2, s->max_norm};
    if (st == DN_OK) st = dn_model_set_regularization(m, &reg, &err);
    if (st == DN_OK) st = dn_train_record_settings(m, s, &err);
    if (st != DN_OK) {
        dn_model_free(m);
        return dn_cli_error(1, "%s", err.message);
    }
    *out = m;
    return 0;
}

static int report_fit_end(const dn_train_settings *s, dn_controls *controls, dn_status st,
                          const dn_error *err) {
    st = dn_controls_finish(controls, st);
    if (controls->failed) return dn_cli_error(1, "training controls failed (out of memory)");
    if (st == DN_ERR_NUMERIC)
        return dn_cli_error(DN_TRAIN_NUMERIC_FAILURE, "training failed: %s", err->message);
    if (st != DN_OK) return dn_cli_error(1, "training failed: %s", err->message);
    if (controls->stopped_early)
        printf("early stopping after epoch %zu: best %s %.4f at epoch %zu, weights restored\n",
               controls->best_epoch + controls->waited, s->monitor, controls->best_value,
               controls->best_epoch);
    return 0;
}

int dn_train_fit(const dn_train_settings *s, const dn_train_job *job, dn_model *model,
                 const char *prefix, FILE *log, dn_callback extra, void *extra_user,
                 dn_epoch_metrics *history) {
    if (s->epochs == 0) return 0;
    dn_progress progress;
    dn_progress_init(&progress, stdout, log);
    progress.prefix = prefix;
    progress.next = extra;
    progress.next_user = extra_user;
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = s->epochs;
    fit.batch_size = s->batch;
    fit.shuffle = !s->no_shuffle;
    fit.validation_split = s->val_split;
    fit.validation_data = job->val;
    dn_controls controls = {0};
    controls.model = model;
    controls.initial_rate = optimizer_of(s).learning_rate; /* not the model's: a resumed one
                                                               holds its last scheduled rate */
    controls.epochs = s->epochs;
    controls.schedule = (dn_schedule_spec){DN_SCHEDULE_EXP, s->lr_decay, 1, 0.0f};
    if (s->lr_schedule) dn_schedule_parse(s->lr_schedule, &controls.schedule, NULL, 0);
    if (s->momentum_ramp) dn_momentum_ramp_parse(s->momentum_ramp, &controls.ramp, NULL, 0);
    controls.early_stopping = s->patience != SIZE_MAX;
    controls.patience = s->patience;
    controls.monitor_accuracy = strcmp(s->monitor, "val_accuracy") == 0;
    controls.next = dn_progress_callback;
    controls.next_user = &progress;
    dn_checkpointer writer = {s->checkpoint ? s->checkpoint : s->resume, s->checkpoint_every,
                              s->checkpoint_keep, s->epochs, &controls, history, 0};
    dn_callback observer = writer.dir ? dn_checkpoint_callback : dn_controls_callback;
    void *observer_user = writer.dir ? (void *)&writer : (void *)&controls;
    if (job->resumed_path[0] != '\0') { /* set only when --resume found a checkpoint */
        if (dn_train_restore_resumed(s, job, model, log, &controls, history) != 0) {
            free(controls.best);
            return 1;
        }
        fit.initial_epoch = (size_t)dn_model_epochs_done(model);
    }
    dn_error err = {DN_OK, ""};
    dn_status st = DN_OK;
    if (!controls.stopped_early) /* a run that stopped early is finished */
        st = dn_model_fit(model, job->train, &fit, observer, observer_user, history, &err);
    if (writer.failed) {
        free(controls.best);
        return 1;
    }
    return report_fit_end(s, &controls, st, &err);
}

int dn_train_open_log(const char *path, FILE **out) {
    *out = NULL;
    if (path == NULL) return 0;
    if ((*out = fopen(path, "w")) == NULL)
        return dn_cli_error(1, "cannot write log file %s: %s", path, strerror(errno));
    return 0;
}
