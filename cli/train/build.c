/* build.c — the model a training command fits: built from --model (or --init's layers),
 * compiled, given --init's weights, class names, standardisation and the settings as metadata;
 * or the resumed checkpoint's model. */
#include "train/build.h"

#include "common/cli_error.h"
#include "common/columns.h"
#include "common/regression.h"
#include "train/output_head.h"
#include "train/resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SPEC_SIZE = 4096 };

/* --loss; auto is mean squared error for regression, else cross-entropy by the last layer. */
static dn_loss choose_loss(const char *name, dn_activation last, int regression) {
    if (strcmp(name, "categorical") == 0) return DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (strcmp(name, "binary") == 0) return DN_LOSS_BINARY_CROSSENTROPY;
    if (strcmp(name, "mse") == 0) return DN_LOSS_MEAN_SQUARED_ERROR;
    if (strcmp(name, "mae") == 0) return DN_LOSS_MEAN_ABSOLUTE_ERROR;
    if (regression) return DN_LOSS_MEAN_SQUARED_ERROR;
    return last == DN_ACT_SIGMOID ? DN_LOSS_BINARY_CROSSENTROPY
                                  : DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
}

/* A regression target takes mse or mae; class labels any loss but mae. */
static int check_loss(const cli_train_settings *s, const cli_train_job *job) {
    int regression_loss = strcmp(s->loss, "mse") == 0 || strcmp(s->loss, "mae") == 0;
    if (job->regression && strcmp(s->loss, "auto") != 0 && !regression_loss)
        return cli_error(-1, "--loss %s needs class labels, but %s holds a regression target: "
                            "give --loss mse or mae (or --task classification)", s->loss, s->train);
    if (!job->regression && strcmp(s->loss, "mae") == 0)
        return cli_error(-1, "--loss mae needs a regression target, but %s holds class labels: "
                            "give --task regression", s->train);
    return 0;
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
static dn_status layers_of(const cli_train_settings *s, const cli_train_job *job, int zero_rates,
                           dn_model **out, dn_error *err) {
    char spec[SPEC_SIZE];
    if (s->model) {
        if (cli_output_head(s->model, job->train, !zero_rates, spec, sizeof spec) != 0)
            return DN_ERR_FORMAT; /* printed */
    } else if (dn_model_spec(job->init, spec, sizeof spec) >= sizeof spec)
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
    size_t outputs = dn_model_output_size(m);
    if (classes == 0 || dn_dataset_class_name(d, 0) == NULL ||
        (classes != outputs && !(classes == 2 && outputs == 1)))
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

/* Feature standardisation. An --init model that has one keeps it, with or without
 * --standardize: its weights were learnt on that scale, so new rows are fed to it on the same
 * scale (as the targets of an --init regression model keep theirs, docs/DATA.md) instead of a
 * scale recomputed from the new data, which would silently change what every input means. */
static dn_status standardize_features(const cli_train_settings *s, const cli_train_job *job,
                                      dn_model *m, dn_error *err) {
    const float *mean = NULL, *std = NULL;
    if (job->init != NULL && dn_model_get_standardization(job->init, &mean, &std)) {
        fprintf(stderr, "note: --init %s: the features keep the model's standardisation%s\n",
                s->init, s->standardize ? " (--standardize does not recompute it)" : "");
        return dn_model_set_standardization(m, mean, std, err);
    }
    if (!s->standardize) return DN_OK;
    if (job->init != NULL)
        fprintf(stderr, "note: --init %s was trained on unscaled features; --standardize feeds it "
                "standardised ones from now on\n", s->init);
    return set_standardization(m, cli_train_fitted_rows(job), err);
}

int cli_train_build(const cli_train_settings *s, cli_train_job *job, int zero_rates,
                   dn_model **out) {
    if (job->resumed != NULL) return cli_train_take_resumed(s, job, out);
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    dn_model *m = NULL;
    if (check_loss(s, job) != 0) return -1;
    dn_status st = layers_of(s, job, zero_rates, &m, &err);
    if (st == DN_ERR_FORMAT && s->model && err.status == DN_OK) return -1; /* printed */
    /* Threads first: the GEMM workspace in the memory estimate is per thread. */
    if (st == DN_OK) st = dn_model_set_threads(m, (int)s->threads, &err);
    if (st == DN_OK) st = dn_model_set_precision(m, s->precision, &err);
    if (st == DN_OK && cli_train_check_memory(s, job, m) != 0) {
        dn_model_free(m);
        return -1;
    }
    if (st == DN_OK) {
        dn_layer_info last;
        dn_model_layer_info(m, dn_model_layer_count(m) - 1, &last, NULL);
        dn_optimizer_config opt = cli_train_optimizer(s);
        st = dn_model_compile(m, choose_loss(s->loss, last.activation, job->regression), &opt,
                              s->seed, &err);
    }
    if (st == DN_OK && job->init && (st = dn_model_copy_weights(m, job->init, &err)) != DN_OK) {
        dn_model_free(m);
        return cli_error(-1, "--init %s: %s", s->init, err.message);
    }
    if (st == DN_OK) st = set_class_names(m, job->train, &err);
    if (st == DN_OK) st = cli_columns_record(m, job->train, &err);
    if (st == DN_OK && job->regression)
        st = cli_target_scale_record(m, dn_dataset_label_name(job->train), &job->target, &err);
    if (st == DN_OK) st = standardize_features(s, job, m, &err);
    dn_regularization reg = {.l2 = s->l2, .max_norm = s->max_norm};
    if (st == DN_OK) st = dn_model_set_regularization(m, &reg, &err);
    if (st == DN_OK) st = cli_train_record_settings(m, s, &err);
    if (st != DN_OK) {
        dn_model_free(m);
        return cli_error(-1, "%s", err.message);
    }
    *out = m;
    return 0;
}
