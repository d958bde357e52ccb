/* fit.c — the training loop, evaluation and prediction, built on the network passes. */
#include "model/fit.h"
#include "model/model.h"
#include "model/fit_blocks.h"
#include "model/exact_sum.h"
#include "model/inference_plan.h"
#include "model/chunks.h"
#include "model/constraints.h"
#include "model/loss.h"
#include "model/metrics.h"
#include "model/model_buffers.h"
#include "model/network.h"
#include "model/optimizer.h"
#include "model/preprocess.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "data/raw_columns.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

dn_fit_config dn_fit_defaults(void) {
    dn_fit_config c = {.epochs = 1, .batch_size = 32, .shuffle = 1, .validation_split = 0.0,
                       .validation_data = NULL, .initial_epoch = 0, .cancel = NULL,
                       .reproducible = 0, .block_rows = 0, .reducer = NULL};
    return c;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const dn_layer *last_layer(const dn_model *m) { return &m->layers[m->layer_count - 1]; }

dn_status dni_model_check_data(const dn_model *m, const dn_dataset *d, const char *what,
                               dn_error *err) {
    size_t outputs = dn_model_output_size(m);
    dn_status raw = dni_dataset_require_prepared(d, what, err);
    if (raw != DN_OK) return raw;
    if (d->features != m->input_size)
        return dni_fail(err, DN_ERR_SHAPE, "%s has %zu features but the model expects %zu", what,
                        d->features, m->input_size);
    if (m->loss == DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        if (d->classes == 0)
            return dni_fail(err, DN_ERR_SHAPE, "%s has float targets but categorical cross-entropy "
                            "needs class labels", what);
        if (d->classes != outputs)
            return dni_fail(err, DN_ERR_SHAPE, "%s has %zu classes but the output layer has %zu "
                            "units (is the label column the right one? name it with --label COL)",
                            what, d->classes, outputs);
        return DN_OK;
    }
    if (d->targets == 0 && !(d->classes == 2 && outputs == 1))
        return dni_fail(err, DN_ERR_SHAPE, "%s has %zu classes; this loss needs float targets (or "
                        "2 classes with a 1-unit output)", what, d->classes);
    if (d->targets != 0 && d->targets != outputs)
        return dni_fail(err, DN_ERR_SHAPE,
                        "%s has %zu targets per row but the output layer has %zu "
                       "units", what, d->targets, outputs);
    if (m->loss == DN_LOSS_BINARY_CROSSENTROPY && d->y != NULL)
        for (size_t i = 0; i < d->rows * d->targets; ++i)
            if (!(d->y[i] >= 0.0f && d->y[i] <= 1.0f))
                return dni_fail(err, DN_ERR_ARGUMENT, "%s: target %zu of row %zu is %g; binary "
                                "cross-entropy needs targets in [0, 1]", what, i % d->targets,
                                i / d->targets, (double)d->y[i]);
    return DN_OK;
}

void dni_model_load_batch(dn_model *m, const dn_dataset *d, const size_t *index, size_t n) {
    dni_dataset_gather_x(d, index, n, m->input);
    dni_model_standardize_rows(m, m->input, n);
    if (m->loss == DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
        dni_dataset_gather_labels(d, index, n, m->batch_labels);
    else
        dni_dataset_gather_targets(d, index, n, dn_model_output_size(m), m->batch_targets);
}

/* Loss of the batch in the model's buffers after a forward pass; fills loss_grad. */
static void batch_loss(dn_model *m, size_t rows, double *loss_sum, double *correct) {
    const dn_layer *last = last_layer(m);
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, rows, rows, last->out,
                   m->batch_labels, m->batch_targets, m->loss_grad, loss_sum, correct);
}

/* Units over which accuracy counts: rows (categorical) or elements (binary). */
static double accuracy_units(const dn_model *m, size_t rows) {
    return m->loss == DN_LOSS_BINARY_CROSSENTROPY ? (double)rows * (double)dn_model_output_size(m)
                                                  : (double)rows;
}

static double accuracy_of(const dn_model *m, double correct, double units) {
    return dni_loss_is_regression(m->loss) ? NAN : correct / units;
}

/* Fisher-Yates with addressed draws: permutation of epoch e depends only on (seed, e). */
static void shuffle(size_t *index, size_t n, uint64_t seed, uint64_t epoch) {
    dn_rng_stream s = dni_rng_stream_make(seed, DN_RNG_SHUFFLE, 0);
    for (size_t i = n; i-- > 1;) {
        uint32_t w[4];
        dni_rng_block(&s, epoch, i, w);
        uint64_t r = ((uint64_t)w[0] << 32) | w[1];
        size_t j = (size_t)(r % (uint64_t)(i + 1));
        size_t t = index[i];
        index[i] = index[j];
        index[j] = t;
    }
}

typedef struct eval_sums {
    double *row_loss;       /* [rows] each row's loss, summed exactly at the end */
    double correct, units;  /* whole numbers */
} eval_sums;

/* Each row's loss on its own (dni_loss_batch one row at a time), so that the sum can be made
 * exact and the same however the rows are shared (exact_sum.h). */
static void evaluate_chunk(dn_model *m, void *user, size_t begin, size_t rows) {
    eval_sums *s = user;
    dni_model_run(m, rows, DN_MODE_INFERENCE, 0);
    const dn_layer *last = last_layer(m);
    size_t w = last->out;
    for (size_t r = 0; r < rows; ++r) {
        double row = 0.0;
        dni_loss_batch(m->loss, last->activation, last->pre + r * w, last->y + r * w, 1, rows, w,
                       m->batch_labels ? m->batch_labels + r : NULL,
                       m->batch_targets ? m->batch_targets + r * w : NULL, m->loss_grad + r * w,
                       &row, &s->correct);
        s->row_loss[begin + r] = row;
    }
    s->units += accuracy_units(m, rows);
}

/* Evaluates every row of `d` at inference; `index` is scratch [capacity] or NULL, `row_loss`
 * scratch [d->rows] or NULL. With a reducer, `d` is this worker's share and the sums are
 * combined over `rows` rows in all: the loss exactly (the same bits for any share), the counts
 * as integers. */
static dn_status evaluate_rows(dn_model *m, const dn_dataset *d, size_t rows,
                               const dn_reducer *reducer, size_t *index, double *row_loss,
                               double *loss, double *accuracy, dn_error *err) {
    double *owned = NULL;
    if (row_loss == NULL && d->rows > 0 &&
        (row_loss = owned = dni_alloc_zeroed(d->rows, sizeof *row_loss)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu row losses", d->rows);
    eval_sums s = {row_loss, 0.0, 0.0};
    dn_row_source src = {.data = d, .with_targets = 1, .index = index};
    dn_status st = d->rows ? dni_model_for_each_chunk(m, &src, 0, evaluate_chunk, &s, err) : DN_OK;
    int64_t counts[2] = {(int64_t)s.correct, (int64_t)s.units};
    double sum = NAN;
    if (st == DN_OK) st = dni_exact_sum(row_loss, d->rows, rows, counts, 2, reducer, &sum, err);
    dni_free(owned);
    *loss = sum / (double)rows;
    *accuracy = accuracy_of(m, (double)counts[0], (double)counts[1]);
    return st;
}

/* Worker `rank`'s share of `d`, rows [n·rank/W, n·(rank+1)/W), as a new dataset. */
static dn_status worker_share(const dn_dataset *d, const dn_reducer *r, dn_dataset **out,
                              dn_error *err) {
    size_t begin = d->rows * r->rank / r->workers, end = d->rows * (r->rank + 1) / r->workers;
    return dn_dataset_slice(d, begin, end, out, err);
}

static dn_status check_ready(const dn_model *m, const dn_dataset *d, dn_error *err) {
    if (m == NULL || d == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and data must not be NULL");
    return dni_model_require_compiled(m, NULL, err);
}

dn_status dn_model_evaluate(dn_model *model, const dn_dataset *data, double *loss,
                            double *accuracy, dn_error *err) {
    dn_status st = check_ready(model, data, err);
    if (st == DN_OK) st = dni_model_check_data(model, data, "the evaluation data", err);
    if (st != DN_OK) return st;
    double l, a;
    if ((st = evaluate_rows(model, data, data->rows, NULL, NULL, NULL, &l, &a, err)) != DN_OK)
        return st;
    if (loss) *loss = l;
    if (accuracy) *accuracy = a;
    return DN_OK;
}

dn_status dn_model_evaluate_reduced(dn_model *model, const dn_dataset *data,
                                    const dn_reducer *reducer, double *loss, double *accuracy,
                                    dn_error *err) {
    if (reducer == NULL) return dn_model_evaluate(model, data, loss, accuracy, err);
    dn_status st = check_ready(model, data, err);
    if (st == DN_OK) st = dni_model_check_data(model, data, "the evaluation data", err);
    if (st != DN_OK) return st;
    if (reducer->sum_int64 == NULL || reducer->max_double == NULL || reducer->workers == 0 ||
        reducer->rank >= reducer->workers)
        return dni_fail(err, DN_ERR_ARGUMENT, "the reducer needs sum_int64, max_double and a rank "
                        "below its worker count");
    dn_dataset *share = NULL;
    double l = NAN, a = NAN;
    if ((st = worker_share(data, reducer, &share, err)) == DN_OK)
        st = evaluate_rows(model, share, data->rows, reducer, NULL, NULL, &l, &a, err);
    dn_dataset_free(share);
    if (st != DN_OK) return st;
    if (loss) *loss = l;
    if (accuracy) *accuracy = a;
    return DN_OK;
}

dn_status dn_model_predict(dn_model *model, const float *x, size_t rows, float *out,
                           dn_error *err) {
    if (model == NULL || x == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model, x and out must not be NULL");
    dn_status st = dni_model_require_compiled(model, NULL, err);
    if (st != DN_OK) return st;
    dn_row_source src = {.x = x, .rows = rows};
    return dni_model_for_each_chunk(model, &src, 0, dni_model_copy_outputs, out, err);
}

/* Whether every parameter is finite. */
static int params_finite(const dn_model *m) {
    for (size_t i = 0; i < m->param_count; ++i)
        if (!isfinite(m->params[i])) return 0;
    return 1;
}

typedef struct fit_state {
    const dn_dataset *train, *val;
    dn_dataset *owned_train, *owned_val; /* slices made for validation_split */
    dn_dataset *val_share;               /* this worker's validation rows (with a reducer) */
    dni_blocks blocks;                   /* the reproducible mode's step (fit_blocks.c) */
    int reproducible;
    size_t *order;                       /* [train rows] */
    size_t *scratch;                     /* [capacity] for evaluation */
    double *val_losses;                  /* [validation rows of this worker] for evaluation */
    float *snapshot;                     /* params, m, v [3 × param_count] at the epoch's start */
    uint64_t snapshot_step, snapshot_epochs;
} fit_state;

static void fit_state_free(fit_state *s) {
    dn_dataset_free(s->owned_train);
    dn_dataset_free(s->owned_val);
    dn_dataset_free(s->val_share);
    dni_blocks_free(&s->blocks);
    dni_free(s->order);
    dni_free(s->scratch);
    dni_free(s->val_losses);
    dni_free(s->snapshot);
}

/* The last good model: parameters and optimizer state as the epoch began. One copy per epoch is
 * cheap next to the epoch; a per-step copy would not be. */
static void take_snapshot(dn_model *m, fit_state *s) {
    size_t n = m->param_count;
    memcpy(s->snapshot, m->params, n * sizeof(float));
    memcpy(s->snapshot + n, m->opt_m, n * sizeof(float));
    memcpy(s->snapshot + 2 * n, m->opt_v, n * sizeof(float));
    s->snapshot_step = m->step;
    s->snapshot_epochs = m->epochs_done;
}

static void restore_snapshot(dn_model *m, const fit_state *s) {
    size_t n = m->param_count;
    dni_model_weights_changed(m);
    memcpy(m->params, s->snapshot, n * sizeof(float));
    memcpy(m->opt_m, s->snapshot + n, n * sizeof(float));
    memcpy(m->opt_v, s->snapshot + 2 * n, n * sizeof(float));
    m->step = s->snapshot_step;
    m->epochs_done = s->snapshot_epochs;
}

/* Where the last forward pass first went non-finite: a layer's name, or "the loss". */
static const char *first_bad_layer(const dn_model *m, size_t rows) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        for (size_t e = 0; e < rows * l->out; ++e)
            if (!isfinite(l->y[e])) return l->name;
    }
    return "the loss";
}

/* Training went numerically wrong: restore the last good model and say where it broke. */
static dn_status numeric_failure(dn_model *m, const fit_state *s, size_t epoch, size_t batch,
                                 const char *what, size_t rows, dn_error *err) {
    char where[64];
    if (batch) snprintf(where, sizeof where, "epoch %zu, batch %zu", epoch, batch);
    else snprintf(where, sizeof where, "epoch %zu", epoch);
    const char *layer = batch ? first_bad_layer(m, rows) : "the parameters";
    restore_snapshot(m, s);
    return dni_fail(err, DN_ERR_NUMERIC, "%s became NaN or infinite in %s (first non-finite "
                    "values: %s); the model was restored to its state at the start of epoch %zu",
                    what, where, layer, epoch);
}

/* Keras' split: the last floor-complement rows (n − floor(n·(1 − split))) validate. */
static dn_status split_data(const dn_dataset *d, const dn_fit_config *c, fit_state *s,
                            dn_error *err) {
    s->train = d;
    if (c->validation_data != NULL) {
        s->val = c->validation_data;
        return DN_OK;
    }
    if (c->validation_split == 0.0) return DN_OK;
    if (!(c->validation_split > 0.0 && c->validation_split < 1.0))
        return dni_fail(err, DN_ERR_ARGUMENT, "validation split must be in [0, 1), got %g",
                        c->validation_split);
    size_t train_rows = (size_t)floor((double)d->rows * (1.0 - c->validation_split));
    if (train_rows == 0 || train_rows == d->rows)
        return dni_fail(err, DN_ERR_ARGUMENT, "validation split %g of %zu rows leaves an empty "
                        "training or validation set", c->validation_split, d->rows);
    dn_status st = dn_dataset_slice(d, 0, train_rows, &s->owned_train, err);
    if (st == DN_OK) st = dn_dataset_slice(d, train_rows, d->rows, &s->owned_val, err);
    s->train = s->owned_train;
    s->val = s->owned_val;
    return st;
}

static dn_status prepare_fit(dn_model *m, const dn_dataset *d, const dn_fit_config *c,
                             fit_state *s, dn_error *err) {
    dn_status st = check_ready(m, d, err);
    if (st != DN_OK) return st;
    if (c->batch_size == 0) return dni_fail(err, DN_ERR_ARGUMENT, "batch size must be > 0");
    if (c->initial_epoch > c->epochs)
        return dni_fail(err, DN_ERR_ARGUMENT, "initial_epoch %zu is beyond epochs %zu",
                        c->initial_epoch, c->epochs);
    if ((st = split_data(d, c, s, err)) != DN_OK) return st;
    if ((st = dni_model_check_data(m, s->train, "the training data", err)) != DN_OK) return st;
    if (s->val && (st = dni_model_check_data(m, s->val, "the validation data", err)) != DN_OK)
        return st;
    /* A batch never holds more rows than the training set has. */
    size_t rows = c->batch_size < s->train->rows ? c->batch_size : s->train->rows;
    s->reproducible = c->reproducible != 0;
    if (c->reducer != NULL && !s->reproducible)
        return dni_fail(err, DN_ERR_ARGUMENT, "a reducer needs the reproducible mode (the only "
                        "one whose sum does not depend on the order of additions)");
    if (s->reproducible) {
        if ((st = dni_blocks_init(&s->blocks, m, c, rows, err)) != DN_OK) return st;
        rows = dni_blocks_capacity(c, rows); /* the passes run one block at a time */
    }
    if (s->val && c->reducer && (st = worker_share(s->val, c->reducer, &s->val_share, err)) != DN_OK)
        return st;
    if ((st = dni_model_reserve(m, rows, err)) != DN_OK) return st;
    s->order = dni_alloc_zeroed(s->train->rows, sizeof(size_t));
    s->scratch = dni_alloc_zeroed(m->capacity, sizeof(size_t));
    s->snapshot = dni_alloc_zeroed(m->param_count, 3 * sizeof(float));
    const dn_dataset *val = s->val_share ? s->val_share : s->val;
    if (val && (s->val_losses = dni_alloc_zeroed(val->rows ? val->rows : 1, sizeof(double))) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    if (s->order == NULL || s->scratch == NULL || s->snapshot == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    return DN_OK;
}

/* The gradient of rows order[0..n) as one block: forward, loss, backward; *finite 0 on a bad
 * loss. With `update`, the backward pass applies the optimizer step too (network.h). Fails only
 * when rows kept on disk could not be read: checked before the rows are used, so no update is
 * made of the zeros a failed read leaves (data/disk_rows.h). */
static dn_status batch_gradient(dn_model *m, const dn_dataset *d, const size_t *rows_index,
                                size_t n, int update, double *loss_sum, double *correct,
                                int *finite, dn_error *err) {
    dni_model_load_batch(m, d, rows_index, n);
    dn_status st = dni_dataset_check_io(d, err);
    if (st != DN_OK) return st;
    dni_model_run(m, n, DN_MODE_TRAINING, m->step);
    double batch_sum = 0.0;
    batch_loss(m, n, &batch_sum, correct);
    *finite = isfinite(batch_sum) != 0;
    if (!*finite) return DN_OK;
    *loss_sum += batch_sum;
    int fused = dni_loss_is_fused(m->loss, last_layer(m)->activation);
    if (update) {
        dni_model_weights_changed(m); /* its packed copy is now stale (inference_plan.h) */
        dni_model_backprop_update(m, n, fused, m->step + 1);
    } else {
        dni_model_backprop(m, n, fused);
    }
    return DN_OK;
}

/* The optimizer step can run inside the backward pass (each kernel updated as its gradient's
 * tiles are finished) when nothing must see the whole gradient between the two: not in the
 * reproducible mode (its blocks are summed, and a reducer combines workers' gradients), not with
 * L2 (it joins the gradient first), and only when every parameter belongs to a plain dense layer.
 * Max-norm is applied after the step either way. */
static int update_fusable(const dn_model *m, const fit_state *s) {
    return !s->reproducible && m->regularization.l2 == 0.0f && dni_model_update_fusable(m);
}

/* One step on rows order[0..n): the gradient (one block, or the reproducible mode's blocks over
 * every worker), then the update. *finite is 0 on a bad loss (nothing updated). */
static dn_status train_step(dn_model *m, fit_state *s, const size_t *rows_index, size_t n,
                            double *loss_sum, double *correct, int *finite, dn_error *err) {
    int fuse = update_fusable(m, s);
    if (!s->reproducible) {
        dn_status st = batch_gradient(m, s->train, rows_index, n, fuse, loss_sum, correct, finite,
                                      err);
        if (st != DN_OK) return st;
    } else {
        dn_status st = dni_blocks_gradient(m, &s->blocks, s->train, rows_index, n, loss_sum,
                                           correct, finite, err);
        if (st != DN_OK) return st;
    }
    if (!*finite) return DN_OK;
    m->step++;
    if (!fuse) {
        dni_model_apply_l2(m); /* weight decay joins the gradient first (constraints.c) */
        dni_model_weights_changed(m); /* its packed copy is now stale (inference_plan.h) */
        dni_optimizer_update(&m->optimizer, m->params, m->grads, m->opt_m, m->opt_v,
                             m->param_count, m->step, m->threads);
    }
    dni_model_apply_max_norm(m); /* the constraint holds after every update (constraints.c) */
    return DN_OK;
}

static int notify(dn_callback cb, void *user, const dn_event *ev) {
    return cb != NULL && cb(ev, user) != 0;
}

static dn_status run_epoch(dn_model *m, fit_state *s, const dn_fit_config *c, size_t epoch,
                           dn_callback cb, void *user, dn_epoch_metrics *out, dn_error *err) {
    double start = now_seconds();
    size_t n = s->train->rows, batches = (n + c->batch_size - 1) / c->batch_size;
    for (size_t i = 0; i < n; ++i) s->order[i] = i;
    if (c->shuffle) shuffle(s->order, n, m->seed, m->epochs_done);
    take_snapshot(m, s);

    dn_event ev = {.kind = DN_EVENT_EPOCH_BEGIN, .epoch = epoch, .epochs = c->epochs,
                   .batches = batches};
    if (notify(cb, user, &ev)) return dni_fail(err, DN_ERR_STOPPED, "stopped by the callback");
    double loss_sum = 0.0, correct = 0.0, units = 0.0;
    for (size_t b = 0; b < batches; ++b) {
        size_t begin = b * c->batch_size;
        size_t rows = n - begin < c->batch_size ? n - begin : c->batch_size;
        if (c->cancel != NULL && *c->cancel)
            return dni_fail(err, DN_ERR_CANCELLED, "training cancelled in epoch %zu after batch "
                           "%zu of %zu", epoch, b, batches);
        int finite = 1;
        dn_status st = train_step(m, s, s->order + begin, rows, &loss_sum, &correct, &finite, err);
        if (st != DN_OK) return st;
        if (!finite) return numeric_failure(m, s, epoch, b + 1, "the loss", rows, err);
        units += accuracy_units(m, rows);
        size_t seen = begin + rows;
        ev = (dn_event){.kind = DN_EVENT_BATCH_END, .epoch = epoch, .epochs = c->epochs,
                        .batch = b + 1, .batches = batches, .batch_rows = rows,
                        .batch_index = s->order + begin, .loss = loss_sum / (double)seen,
                        .accuracy = accuracy_of(m, correct, units)};
        if (notify(cb, user, &ev)) return dni_fail(err, DN_ERR_STOPPED, "stopped by the callback");
    }
    m->epochs_done++;
    /* Checked once per epoch, not per step: a full scan of the slab would cost as much as a
     * small layer's update. A non-finite parameter also shows in the next batch's loss. */
    if (!params_finite(m)) return numeric_failure(m, s, epoch, 0, "a parameter", 0, err);

    *out = (dn_epoch_metrics){.epoch = epoch, .loss = loss_sum / (double)n,
                              .accuracy = accuracy_of(m, correct, units), .has_validation = 0,
                              .val_loss = NAN, .val_accuracy = NAN, .seconds = 0.0};
    if (s->val != NULL) {
        out->has_validation = 1;
        /* With fit's own scratch, evaluation allocates nothing and fails only in the reducer. */
        dn_status st = evaluate_rows(m, s->val_share ? s->val_share : s->val, s->val->rows,
                                     c->reducer, s->scratch, s->val_losses, &out->val_loss,
                                     &out->val_accuracy, err);
        if (st != DN_OK) return st;
    }
    out->seconds = now_seconds() - start;
    ev = (dn_event){.kind = DN_EVENT_EPOCH_END, .epoch = epoch, .epochs = c->epochs,
                    .batch = batches, .batches = batches, .loss = out->loss,
                    .accuracy = out->accuracy, .metrics = out};
    if (notify(cb, user, &ev)) return dni_fail(err, DN_ERR_STOPPED, "stopped by the callback");
    return DN_OK;
}

dn_status dn_model_fit(dn_model *model, const dn_dataset *data, const dn_fit_config *config,
                       dn_callback callback, void *user, dn_epoch_metrics *history,
                       dn_error *err) {
    dn_fit_config c = config ? *config : dn_fit_defaults();
    fit_state s = {0};
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model and data must not be NULL");
    dn_status st = prepare_fit(model, data, &c, &s, err);
    model->fitting = 1;
    for (size_t e = c.initial_epoch + 1; st == DN_OK && e <= c.epochs; ++e) {
        dn_epoch_metrics metrics;
        st = run_epoch(model, &s, &c, e, callback, user, &metrics, err);
        if (st == DN_OK && history != NULL) history[e - 1] = metrics;
    }
    model->fitting = 0;
    fit_state_free(&s);
    return st;
}
