/* lesson.c — the demo's first epoch (learn/demo_pipeline.h), run again for the numbers the quiz
 * quotes. */
#include "learn/lesson.h"

#include "common/cli_error.h"
#include "learn/demo_pipeline.h"

#include <math.h>
#include <stdlib.h>

enum { FEATURES = CLI_DEMO_FEATURES }; /* the first batch's mask is batch × FEATURES */

typedef struct lesson_watch {
    dn_model *model;
    cli_lesson *lesson;
    uint8_t keep[CLI_DEMO_BATCH * FEATURES];
    int done;
} lesson_watch;

/* The first surviving unit of the first row with |x| ≥ 0.1 (a value worth computing with). */
static void pick_survivor(cli_lesson *l, const float *before, const float *after, const uint8_t *keep) {
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
    cli_lesson *l = w->lesson;
    l->sample_row = ev->batch_index[0];
    l->batch_elements = ev->batch_rows * FEATURES;
    dn_model_dropout_mask(w->model, 0, w->keep, &l->batch_dropped, NULL);
    pick_survivor(l, dn_model_activation(w->model, 0, NULL, NULL),
                  dn_model_activation(w->model, 1, NULL, NULL), w->keep);
    return 0;
}

int cli_lesson_run(uint64_t seed, cli_lesson *l) {
    *l = (cli_lesson){.seed = seed, .rate = CLI_DEMO_RATE, .rows = CLI_DEMO_ROWS,
                      .features = FEATURES, .hidden = CLI_DEMO_HIDDEN, .classes = CLI_DEMO_CLASSES,
                      .train_rows = CLI_DEMO_ROWS * 4 / 5};
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    dn_dataset *data = NULL;
    dn_model *model = NULL;
    lesson_watch *w = calloc(1, sizeof *w);
    dn_fit_config fit = cli_demo_fit(1, CLI_DEMO_BATCH);
    float first[FEATURES];
    dn_status st = w ? cli_demo_data(&data, seed, &err) : DN_ERR_MEMORY;
    if (st == DN_OK) st = cli_demo_model(&model, l->rate, CLI_DEMO_LEARNING_RATE, seed, &err);
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
    return st == DN_OK ? 0 : cli_error(-1, "%s", err.message);
}
