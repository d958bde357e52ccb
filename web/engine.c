/* engine.c — the playground's engine: dropnet's training loop behind a few functions the page's
 * Web Worker calls (web/worker.js), built to WebAssembly by `make web`.
 *
 * It is a client of the public API only (dropnet.h). One engine per worker: pg_setup builds the
 * data and the model, pg_train runs dn_model_fit to the end, and between batches the callback
 * hands each step to JavaScript and yields to the worker's event loop (Asyncify), so that Pause,
 * Step and the page's messages are served without stopping the fit: the numbers are those of one
 * uninterrupted dn_model_fit, the same as `dropnet demo --log`. */
#include "dropnet.h"

#include <emscripten.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PG_GRID = 40, PG_MC_PASSES = 20, PG_MAX_LAYERS = 64 };

typedef struct pg_engine {
    dn_model *model;
    dn_dataset *data;
    dn_fit_config fit;
    dn_epoch_metrics *history;
    uint8_t *mask;        /* the mask of the first dropout layer, [batch × width] */
    float *grid_x, *grid_p, *grid_std; /* the 2-D decision map: points, mean probabilities, std */
    int two_d;            /* data has 2 features: draw the decision map */
    float extent;         /* the map covers [-extent, extent]² */
    int mc;               /* MC-dropout band on the map */
    int first_row;        /* the first example of the first training batch (-1 before step 1) */
    dn_error err;
} pg_engine;

static pg_engine engine;

/* JavaScript side (worker.js defines these on the worker's global object). */
EM_JS(void, pg_js_mask, (int layer, const uint8_t *mask, int rows, int cols, double dropped), {
    self.pgMask(layer, HEAPU8.slice(mask, mask + rows * cols), rows, cols, dropped);
});
EM_JS(void, pg_js_batch, (double step, double epoch, double batch, double batches, double loss,
                          double accuracy, double rows, double first_row), {
    self.pgBatch(step, epoch, batch, batches, loss, accuracy, rows, first_row);
});
EM_JS(void, pg_js_epoch, (double epoch, double loss, double accuracy, double val_loss,
                          double val_accuracy, double seconds), {
    self.pgEpoch(epoch, loss, accuracy, val_loss, val_accuracy, seconds);
});
EM_JS(void, pg_js_map, (const float *p, const float *std, int n, int classes), {
    self.pgMap(HEAPF32.subarray(p >> 2, (p >> 2) + n * classes),
               std ? HEAPF32.subarray(std >> 2, (std >> 2) + n * classes) : null, n, classes);
});
/* What the worker wants after a batch (`at_epoch_end` 0) or an epoch (1): 0 go on, 1 wait
 * (paused, or pacing: sleep and ask again),
 * 2 stop (reset), 3 yield to its event loop once, then go on, 4 trace the example
 * pg_js_trace_row() first (between steps, where the model is whole). */
EM_JS(int, pg_js_gate, (int at_epoch_end), { return self.pgGate(at_epoch_end); });
EM_JS(int, pg_js_trace_row, (void), { return self.pgTraceRow(); });
/* gate 5: run pg_example(pgExampleRequest(0..2)) first (the train/inference toggle). */
EM_JS(double, pg_js_example_request, (int i), { return self.pgExampleRequest(i); });
static int trace_row(int row);
EMSCRIPTEN_KEEPALIVE int pg_example(int row, double step, int passes);

/* Waits for the worker's go; 0 to go on, 1 to stop. Its messages are served while it sleeps. */
static int wait_gate(int at_epoch_end) {
    for (;;) {
        int gate = pg_js_gate(at_epoch_end);
        if (gate == 0) return 0;
        if (gate == 2) return 1;
        if (gate == 4) {
            trace_row(pg_js_trace_row());
            continue;
        }
        if (gate == 5) {
            pg_example((int)pg_js_example_request(0), pg_js_example_request(1),
                       (int)pg_js_example_request(2));
            continue;
        }
        emscripten_sleep(gate == 1 ? 10 : 0);
        if (gate == 3) return 0;
    }
}

/* Class probabilities over the map's grid (and their MC-dropout spread when asked). */
static void send_map(void) {
    size_t classes = dn_model_output_size(engine.model), n = PG_GRID * PG_GRID;
    if (engine.mc) {
        if (dn_model_predict_mc(engine.model, engine.grid_x, n, PG_MC_PASSES, engine.grid_p,
                                engine.grid_std, NULL, NULL, &engine.err) != DN_OK) return;
    } else if (dn_model_predict(engine.model, engine.grid_x, n, engine.grid_p, &engine.err)
               != DN_OK) {
        return;
    }
    pg_js_map(engine.grid_p, engine.mc ? engine.grid_std : NULL, (int)n, (int)classes);
}

/* Every dropout layer's keep mask for the batch just trained, then the step itself. */
static void send_batch(const dn_event *ev) {
    if (dn_model_step(engine.model) == 1) engine.first_row = (int)ev->batch_index[0];
    size_t n = dn_model_layer_count(engine.model);
    for (size_t i = 0; i < n; ++i) {
        dn_layer_info info;
        size_t dropped = 0;
        if (dn_model_layer_info(engine.model, i, &info, NULL) == DN_OK &&
            info.kind == DN_LAYER_DROPOUT &&
            dn_model_dropout_mask(engine.model, i, engine.mask, &dropped, NULL) == DN_OK)
            pg_js_mask((int)i, engine.mask, (int)ev->batch_rows, (int)info.outputs,
                       (double)dropped);
    }
    pg_js_batch((double)dn_model_step(engine.model), (double)ev->epoch, (double)ev->batch,
                (double)ev->batches, ev->loss, ev->accuracy, (double)ev->batch_rows,
                (double)ev->batch_index[0]);
}

static int observe(const dn_event *ev, void *user) {
    (void)user;
    if (ev->kind == DN_EVENT_EPOCH_END) {
        const dn_epoch_metrics *m = ev->metrics;
        pg_js_epoch((double)m->epoch, m->loss, m->accuracy, m->val_loss, m->val_accuracy,
                    m->seconds);
        if (engine.two_d) send_map();
        return wait_gate(1); /* the next batch waits here, after the epoch's figures are out */
    }
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    send_batch(ev);
    return wait_gate(0);
}

static void release(void) {
    dn_model_free(engine.model);
    dn_dataset_free(engine.data);
    free(engine.history);
    free(engine.mask);
    free(engine.grid_x);
    free(engine.grid_p);
    free(engine.grid_std);
    memset(&engine, 0, sizeof engine);
}

/* The message of the last failure (empty when none). */
EMSCRIPTEN_KEEPALIVE const char *pg_error(void) { return engine.err.message; }

/*
 * Builds the engine. Data: x [rows×features] and labels [rows] from the page, or, when x is
 * NULL, the seed page's synthetic set (dn_dataset_create_synthetic(rows, features, classes,
 * seed)). Model: `spec` (dn_model_from_spec) compiled with sparse categorical cross-entropy and
 * `optimizer` (0 SGD, 1 momentum, 2 Nesterov, 3 Adam; Keras' defaults apart from the rate).
 * The last validation_split of the rows is held out, as in Keras and `dropnet demo`.
 * Returns 0, or -1 with pg_error() set.
 */
EMSCRIPTEN_KEEPALIVE int pg_setup(const float *x, const int32_t *labels, int rows, int features,
                                  int classes, const char *spec, int optimizer, float lr,
                                  int batch, int epochs, double validation_split, double seed,
                                  int mc, float extent) {
    release();
    uint64_t s = (uint64_t)seed;
    dn_status st = x ? dn_dataset_create_classification(&engine.data, (size_t)rows,
                                                        (size_t)features, x, labels,
                                                        (size_t)classes, &engine.err)
                     : dn_dataset_create_synthetic(&engine.data, (size_t)rows, (size_t)features,
                                                   (size_t)classes, s, &engine.err);
    if (st == DN_OK) st = dn_model_from_spec(&engine.model, (size_t)features, spec, &engine.err);
    if (st == DN_OK) {
        dn_optimizer_config opt =
            dn_optimizer_defaults(optimizer == 3 ? DN_OPTIMIZER_ADAM : DN_OPTIMIZER_SGD);
        opt.learning_rate = lr;
        opt.momentum = optimizer == 1 || optimizer == 2 ? 0.9f : 0.0f; /* Keras' usual 0.9 */
        opt.nesterov = optimizer == 2;
        st = dn_model_compile(engine.model, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &opt, s,
                              &engine.err);
    }
    if (st != DN_OK) return -1;
    engine.fit = dn_fit_defaults();
    engine.fit.epochs = (size_t)epochs;
    engine.fit.batch_size = (size_t)batch;
    engine.fit.validation_split = validation_split;
    engine.history = calloc((size_t)epochs, sizeof *engine.history);
    size_t widest = (size_t)features;
    for (size_t i = 0; i < dn_model_layer_count(engine.model); ++i) {
        dn_layer_info info;
        dn_model_layer_info(engine.model, i, &info, NULL);
        if (info.outputs > widest) widest = info.outputs;
    }
    engine.mask = malloc((size_t)batch * widest);
    engine.two_d = features == 2;
    engine.first_row = -1;
    engine.mc = mc;
    engine.extent = extent;
    if (engine.two_d) {
        size_t n = PG_GRID * PG_GRID;
        engine.grid_x = malloc(n * 2 * sizeof(float));
        engine.grid_p = malloc(n * (size_t)classes * sizeof(float));
        engine.grid_std = malloc(n * (size_t)classes * sizeof(float));
        if (engine.grid_x && engine.grid_p && engine.grid_std)
            for (size_t i = 0; i < n; ++i) { /* cell centres, row 0 at the top (largest y) */
                size_t r = i / PG_GRID, c = i % PG_GRID;
                engine.grid_x[2 * i] = extent * (2.0f * ((float)c + 0.5f) / PG_GRID - 1.0f);
                engine.grid_x[2 * i + 1] = extent * (1.0f - 2.0f * ((float)r + 0.5f) / PG_GRID);
            }
    }
    if (!engine.history || !engine.mask || (engine.two_d && !engine.grid_std)) {
        snprintf(engine.err.message, sizeof engine.err.message, "out of memory");
        return -1;
    }
    return 0;
}

/* Trains to the end (or until the page stops it). 0 done, 1 stopped, -1 failed (pg_error). */
EMSCRIPTEN_KEEPALIVE int pg_train(void) {
    if (engine.two_d) send_map();
    if (wait_gate(1)) return 1;
    dn_status st = dn_model_fit(engine.model, engine.data, &engine.fit, observe, NULL,
                                engine.history, &engine.err);
    if (st == DN_ERR_STOPPED) return 1;
    return st == DN_OK ? 0 : -1;
}

/* The layer-by-layer trace of one example at inference (as `dropnet trace`): every layer's
 * output for row `row` of the data, handed to the page (pgTrace). */
EM_JS(void, pg_js_trace, (int index, const float *a, int cols), {
    self.pgTrace(index, HEAPF32.subarray(a >> 2, (a >> 2) + cols));
});
EM_JS(void, pg_js_trace_label, (int label), { self.pgTraceLabel(label); });
static int trace_row(int row) {
    size_t features = dn_dataset_features(engine.data);
    float *x = malloc(features * sizeof(float));
    if (!x || dn_dataset_get_row(engine.data, (size_t)row, x, &engine.err) != DN_OK ||
        dn_model_forward(engine.model, x, 1, DN_MODE_INFERENCE, 0, NULL, &engine.err) != DN_OK) {
        free(x);
        return -1;
    }
    free(x);
    pg_js_trace_label((int)dn_dataset_label(engine.data, (size_t)row));
    for (size_t i = 0; i <= dn_model_layer_count(engine.model); ++i) {
        size_t cols;
        const float *a = dn_model_activation(engine.model, i, NULL, &cols);
        if (a) pg_js_trace((int)i, a, (int)cols);
    }
    return 0;
}

/* The trace when no fit is running (before Play, or after the last epoch). */
EMSCRIPTEN_KEEPALIVE int pg_trace(int row) { return trace_row(row); }

/* ---- one example, training against inference (the page's train/inference toggle) ----------- */
/* kind 0: inference, 1: the training pass of `step`, 2: the mean over `passes` training passes;
 * layer i's activation (0 the input). */
EM_JS(void, pg_js_example, (int kind, int index, const float *a, int cols), {
    self.pgExample(kind, index, HEAPF32.subarray(a >> 2, (a >> 2) + cols));
});
EM_JS(void, pg_js_example_mask, (int layer, const uint8_t *keep, int cols), {
    self.pgExampleMask(layer, HEAPU8.slice(keep, keep + cols));
});
EM_JS(void, pg_js_example_row, (int row, int label), { self.pgExampleRow(row, label); });

/* Every layer's activation of the last forward pass (one row), as `kind`. */
static void send_activations(int kind) {
    for (size_t i = 0; i <= dn_model_layer_count(engine.model); ++i) {
        size_t cols;
        const float *a = dn_model_activation(engine.model, i, NULL, &cols);
        if (a) pg_js_example(kind, (int)i, a, (int)cols);
    }
}

/*
 * Example `row` (-1: the first row of the first training batch, as `dropnet quiz` quotes it)
 * through the network three ways: at inference; in training with the masks of training step
 * `step` (1-based: the step the fit numbered; a one-row batch gets row 0 of that step's masks);
 * and the mean over training steps 1..passes of every layer's output. The fit's own state is
 * untouched: dn_model_forward keeps no gradient and the next batch runs its own forward pass.
 * Returns 0, or -1 with pg_error() set.
 */
EMSCRIPTEN_KEEPALIVE int pg_example(int row, double step, int passes) {
    if (row < 0) row = engine.first_row >= 0 ? engine.first_row : 0;
    size_t features = dn_dataset_features(engine.data), layers = dn_model_layer_count(engine.model);
    size_t widest = features;
    for (size_t i = 0; i <= layers; ++i) {
        size_t cols = i ? 0 : features;
        dn_layer_info info;
        if (i && dn_model_layer_info(engine.model, i - 1, &info, NULL) == DN_OK) cols = info.outputs;
        if (cols > widest) widest = cols;
    }
    float *x = malloc(features * sizeof(float));
    double *sum = calloc((layers + 1) * widest, sizeof(double));
    float *mean = malloc(widest * sizeof(float));
    uint8_t *keep = malloc(widest);
    int ok = x && sum && mean && keep &&
             dn_dataset_get_row(engine.data, (size_t)row, x, &engine.err) == DN_OK;
    if (ok) pg_js_example_row(row, (int)dn_dataset_label(engine.data, (size_t)row));
    ok = ok && dn_model_forward(engine.model, x, 1, DN_MODE_INFERENCE, 0, NULL, &engine.err) == DN_OK;
    if (ok) send_activations(0);
    ok = ok && dn_model_forward(engine.model, x, 1, DN_MODE_TRAINING, (uint64_t)(step - 1), NULL,
                                &engine.err) == DN_OK;
    if (ok) {
        send_activations(1);
        for (size_t i = 0; i < layers; ++i) {
            dn_layer_info info;
            if (dn_model_layer_info(engine.model, i, &info, NULL) == DN_OK &&
                info.kind == DN_LAYER_DROPOUT &&
                dn_model_dropout_mask(engine.model, i, keep, NULL, NULL) == DN_OK)
                pg_js_example_mask((int)i, keep, (int)info.outputs);
        }
    }
    for (int p = 0; ok && p < passes; ++p) { /* training steps 1..passes: their masks */
        ok = dn_model_forward(engine.model, x, 1, DN_MODE_TRAINING, (uint64_t)p, NULL,
                              &engine.err) == DN_OK;
        for (size_t i = 0; ok && i <= layers; ++i) {
            size_t cols;
            const float *a = dn_model_activation(engine.model, i, NULL, &cols);
            for (size_t j = 0; a && j < cols; ++j) sum[i * widest + j] += a[j];
        }
    }
    for (size_t i = 0; ok && passes > 0 && i <= layers; ++i) {
        size_t cols;
        dn_model_activation(engine.model, i, NULL, &cols);
        for (size_t j = 0; j < cols; ++j) mean[j] = (float)(sum[i * widest + j] / passes);
        pg_js_example(2, (int)i, mean, (int)cols);
    }
    if (!x || !sum || !mean || !keep) snprintf(engine.err.message, sizeof engine.err.message, "out of memory");
    free(x);
    free(sum);
    free(mean);
    free(keep);
    return ok ? 0 : -1;
}
