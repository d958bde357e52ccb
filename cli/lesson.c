/* lesson.c — the demo's first epoch, run again for the numbers the quiz quotes. */
#include "lesson.h"

#include "commands.h"

#include <math.h>
#include <stdlib.h>

enum { ROWS = 1000, FEATURES = 20, CLASSES = 3, HIDDEN = 10, BATCH = 32 };

typedef struct lesson_watch {
    dn_model *model;
    dn_lesson *lesson;
    uint8_t keep[BATCH * FEATURES];
    int done;
} lesson_watch;

/* The first surviving unit of the first row with |x| ≥ 0.1 (a value worth computing with). */
static void pick_survivor(dn_lesson *l, const float *before, const float *after, const uint8_t *keep) {
    l->sample_unit = 0;
    for (size_t j = 0; j < FEATURES; ++j)
        if (keep[j] && fabsf(before[j]) >= 0.1f) {
            l->sample_unit = j;
            break;
        }
    l->sample_before = before[l->sample_unit];
    l->sample_after = after[l->sample_unit];
}

static int watch(const dn_event *ev, void *user) {
    lesson_watch *w = user;
    if (ev->kind != DN_EVENT_BATCH_END || w->done) return 0;
    w->done = 1;
    dn_lesson *l = w->lesson;
    l->sample_row = ev->batch_index[0];
    l->batch_elements = ev->batch_rows * FEATURES;
    dn_model_dropout_mask(w->model, 0, w->keep, &l->batch_dropped, NULL);
    pick_survivor(l, dn_model_activation(w->model, 0, NULL, NULL),
                  dn_model_activation(w->model, 1, NULL, NULL), w->keep);
    return 0;
}

static dn_status build(dn_lesson *l, dn_model **out, dn_error *err) {
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.learning_rate = 0.005f; /* the demo's */
    dn_model *m = NULL;
    dn_status st = dn_model_create(&m, FEATURES, err);
    if (st == DN_OK) st = dn_model_add_dropout(m, l->rate, err);
    if (st == DN_OK) st = dn_model_add_dense(m, HIDDEN, DN_ACT_RELU, NULL, err);
    if (st == DN_OK) st = dn_model_add_dense(m, CLASSES, DN_ACT_SOFTMAX, NULL, err);
    if (st == DN_OK) st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, l->seed, err);
    if (st != DN_OK) dn_model_free(m);
    else *out = m;
    return st;
}

int dn_lesson_run(uint64_t seed, dn_lesson *l) {
    *l = (dn_lesson){.seed = seed, .rate = 0.2f, .rows = ROWS, .features = FEATURES,
                     .hidden = HIDDEN, .classes = CLASSES, .train_rows = ROWS * 4 / 5};
    dn_error err = {DN_OK, "out of memory"};
    dn_dataset *data = NULL;
    dn_model *model = NULL;
    lesson_watch *w = calloc(1, sizeof *w);
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = BATCH;
    fit.validation_split = 0.2;
    float first[FEATURES];
    dn_status st = w ? dn_dataset_create_synthetic(&data, ROWS, FEATURES, CLASSES, seed, &err) : DN_ERR_MEMORY;
    if (st == DN_OK) st = build(l, &model, &err);
    if (st == DN_OK) {
        *w = (lesson_watch){.model = model, .lesson = l};
        st = dn_model_fit(model, data, &fit, watch, w, &l->epoch1, &err);
    }
    if (st == DN_OK) st = dn_dataset_get_row(data, l->train_rows, first, &err);
    if (st == DN_OK) {
        dn_layer_info dense;
        dn_model_layer_info(model, 1, &dense, NULL);
        l->dense_params = dense.param_count;
        l->total_params = dn_model_param_count(model);
        l->validation_first = first[0];
    }
    free(w);
    dn_model_free(model);
    dn_dataset_free(data);
    return st == DN_OK ? 0 : dn_cli_error(1, "%s", err.message);
}
