/* model.c — building a sequential model: layers, compile (slab layout, init), buffers. */
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { DEFAULT_CAPACITY = 32 };

dn_status dn_model_create(dn_model **out, size_t input_size, dn_error *err) {
    if (out == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    if (input_size == 0) return dn_fail(err, DN_ERR_ARGUMENT, "input size must be > 0");
    dn_model *m = dn_alloc_zeroed(1, sizeof *m);
    if (m == NULL) return dn_fail(err, DN_ERR_MEMORY, "out of memory for a model");
    m->input_size = input_size;
    *out = m;
    return DN_OK;
}

static void free_buffers(dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        dn_free(l->pre);
        dn_free(l->y);
        dn_free(l->keep_bits);
        dn_free(l->d_in);
        l->pre = l->y = l->d_in = NULL;
        l->keep_bits = NULL;
    }
    dn_free(m->input);
    dn_free(m->loss_grad);
    dn_free(m->batch_labels);
    dn_free(m->batch_targets);
    dn_free(m->gemm_ws.data);
    m->gemm_ws = (dn_gemm_workspace){NULL, 0};
    m->input = m->loss_grad = m->batch_targets = NULL;
    m->batch_labels = NULL;
    m->capacity = 0;
    m->last_rows = 0;
}

void dn_model_free(dn_model *model) {
    if (model == NULL) return;
    free_buffers(model);
    dn_free(model->layers);
    dn_free(model->params);
    dn_free(model->grads);
    dn_free(model->opt_m);
    dn_free(model->opt_v);
    dn_model_clear_standardization(model);
    dn_model_clear_annotations(model);
    dn_free(model);
}

size_t dn_model_input_size(const dn_model *m) { return m ? m->input_size : 0; }
size_t dn_model_layer_count(const dn_model *m) { return m ? m->layer_count : 0; }
size_t dn_model_param_count(const dn_model *m) { return m ? m->param_count : 0; }
dn_loss dn_model_loss(const dn_model *m) { return m ? m->loss : DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; }
uint64_t dn_model_seed(const dn_model *m) { return m ? m->seed : 0; }
uint64_t dn_model_step(const dn_model *m) { return m ? m->step : 0; }
float *dn_model_params(dn_model *m) { return m ? m->params : NULL; }
const float *dn_model_grads(const dn_model *m) { return m ? m->grads : NULL; }

size_t dn_model_output_size(const dn_model *m) {
    if (m == NULL) return 0;
    return m->layer_count ? m->layers[m->layer_count - 1].out : 0;
}

/* Appends a layer slot whose input is the current output width. */
static dn_status push_layer(dn_model *m, dn_layer **out, dn_error *err) {
    if (m->compiled)
        return dn_fail(err, DN_ERR_STATE, "cannot add a layer to a compiled model");
    if (m->layer_count == m->layer_slots) {
        size_t slots = m->layer_slots ? m->layer_slots * 2 : 8;
        dn_layer *grown = dn_alloc_zeroed(slots, sizeof *grown);
        if (grown == NULL) return dn_fail(err, DN_ERR_MEMORY, "out of memory for layers");
        if (m->layer_count) memcpy(grown, m->layers, m->layer_count * sizeof *grown);
        dn_free(m->layers);
        m->layers = grown;
        m->layer_slots = slots;
    }
    dn_layer *l = &m->layers[m->layer_count];
    memset(l, 0, sizeof *l);
    l->in = m->layer_count ? m->layers[m->layer_count - 1].out : m->input_size;
    *out = l;
    return DN_OK;
}

/* Keras names the first layer of a kind "dense", then "dense_1", "dense_2", ... */
static void keras_name(char *buf, size_t size, const char *base, size_t ordinal) {
    if (ordinal == 0) snprintf(buf, size, "%s", base);
    else snprintf(buf, size, "%s_%zu", base, ordinal);
}

dn_status dn_model_add_dense(dn_model *model, size_t units, dn_activation activation,
                             dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (units == 0) return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: units must be > 0, got 0");
    if ((unsigned)activation > DN_ACT_SOFTMAX)
        return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: unknown activation %d", (int)activation);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    size_t weights;
    if (!dn_mul_size(l->in, units, &weights) || weights + units < weights)
        return dn_fail(err, DN_ERR_MEMORY, "dense layer %zu×%zu is too large", l->in, units);
    l->kind = DN_LAYER_DENSE;
    l->out = units;
    l->activation = activation;
    l->param_count = weights + units;
    keras_name(l->name, sizeof l->name, "dense", model->dense_count++);
    model->layer_count++;
    return DN_OK;
}

dn_status dn_model_add_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "dropout rate must be in [0, 1), got %g", (double)rate);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    l->kind = DN_LAYER_DROPOUT;
    l->out = l->in;
    l->rate = rate;
    l->drop_threshold = dn_rng_drop_threshold(rate);
    l->keep_scale = (float)(1.0 / (1.0 - (double)rate));
    keras_name(l->name, sizeof l->name, "dropout", model->dropout_count++);
    model->layer_count++;
    return DN_OK;
}

static dn_status check_optimizer(const dn_optimizer_config *c, dn_error *err) {
    if ((unsigned)c->kind > DN_OPTIMIZER_ADAM)
        return dn_fail(err, DN_ERR_ARGUMENT, "unknown optimizer kind %d", (int)c->kind);
    if (!(c->learning_rate > 0.0f) || !isfinite(c->learning_rate))
        return dn_fail(err, DN_ERR_ARGUMENT, "learning rate must be > 0, got %g", (double)c->learning_rate);
    if (c->kind == DN_OPTIMIZER_SGD) {
        if (!(c->momentum >= 0.0f && c->momentum < 1.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "momentum must be in [0, 1), got %g", (double)c->momentum);
        if (c->nesterov && c->momentum == 0.0f)
            return dn_fail(err, DN_ERR_ARGUMENT, "Nesterov momentum needs momentum > 0");
    } else {
        if (!(c->beta1 >= 0.0f && c->beta1 < 1.0f) || !(c->beta2 >= 0.0f && c->beta2 < 1.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "Adam betas must be in [0, 1), got %g and %g",
                           (double)c->beta1, (double)c->beta2);
        if (!(c->epsilon > 0.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "Adam epsilon must be > 0, got %g", (double)c->epsilon);
    }
    return DN_OK;
}

static dn_status check_output(const dn_model *m, dn_loss loss, dn_error *err) {
    if (m->layer_count == 0) return dn_fail(err, DN_ERR_STATE, "the model has no layers");
    const dn_layer *last = &m->layers[m->layer_count - 1];
    if (last->kind != DN_LAYER_DENSE)
        return dn_fail(err, DN_ERR_SHAPE, "the last layer must be dense, found %s", last->name);
    dn_activation a = last->activation;
    switch (loss) {
    case DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        if (a != DN_ACT_SOFTMAX && a != DN_ACT_LINEAR)
            return dn_fail(err, DN_ERR_SHAPE, "categorical cross-entropy needs a softmax (or linear "
                           "logits) output layer, found %s", dn_activation_name(a));
        if (last->out < 2)
            return dn_fail(err, DN_ERR_SHAPE, "categorical cross-entropy needs >= 2 output units, "
                           "found %zu", last->out);
        return DN_OK;
    case DN_LOSS_BINARY_CROSSENTROPY:
        if (a != DN_ACT_SIGMOID && a != DN_ACT_LINEAR)
            return dn_fail(err, DN_ERR_SHAPE, "binary cross-entropy needs a sigmoid (or linear "
                           "logits) output layer, found %s", dn_activation_name(a));
        return DN_OK;
    case DN_LOSS_MEAN_SQUARED_ERROR:
        return DN_OK;
    }
    return dn_fail(err, DN_ERR_ARGUMENT, "unknown loss %d", (int)loss);
}

/* glorot_uniform: W ~ U(−l, l), l = √(6/(in+out)); bias stays 0. */
static void init_weights(dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        dn_rng_stream s = dn_rng_stream_make(m->seed, DN_RNG_INIT, (uint32_t)i);
        float limit = (float)sqrt(6.0 / (double)(l->in + l->out));
        float *w = m->params + l->param_offset;
        for (size_t k = 0; k < l->in * l->out; ++k)
            w[k] = (2.0f * dn_rng_uniform(&s, 0, k) - 1.0f) * limit;
    }
}

dn_status dn_model_compile(dn_model *model, dn_loss loss, const dn_optimizer_config *optimizer,
                           uint64_t seed, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (model->compiled) return dn_fail(err, DN_ERR_STATE, "the model is already compiled");
    dn_optimizer_config opt = optimizer ? *optimizer : dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    dn_status st = check_optimizer(&opt, err);
    if (st == DN_OK) st = check_output(model, loss, err);
    if (st != DN_OK) return st;

    size_t total = 0;
    for (size_t i = 0; i < model->layer_count; ++i) {
        dn_layer *l = &model->layers[i];
        l->param_offset = total;
        if (total + l->param_count < total)
            return dn_fail(err, DN_ERR_MEMORY, "parameter count overflows");
        total += l->param_count;
    }
    model->params = dn_alloc_zeroed(total, sizeof(float));
    model->grads = dn_alloc_zeroed(total, sizeof(float));
    model->opt_m = dn_alloc_zeroed(total, sizeof(float));
    model->opt_v = dn_alloc_zeroed(total, sizeof(float));
    if (!model->params || !model->grads || !model->opt_m || !model->opt_v) {
        dn_free(model->params), dn_free(model->grads), dn_free(model->opt_m), dn_free(model->opt_v);
        model->params = model->grads = model->opt_m = model->opt_v = NULL;
        return dn_fail(err, DN_ERR_MEMORY, "out of memory for %zu parameters", total);
    }
    model->param_count = total;
    model->loss = loss;
    model->optimizer = opt;
    model->seed = seed;
    init_weights(model);
    st = dn_model_reserve(model, DEFAULT_CAPACITY, err);
    /* Compiled only with buffers: every run loop steps by the capacity, which must not be 0. */
    model->compiled = st == DN_OK;
    return st;
}

/* Only layers above the first one with parameters need dL/d(input): below it nothing learns. */
static size_t first_trainable_layer(const dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].param_count) return i;
    return m->layer_count;
}

/* Allocates every activation buffer for `rows` rows; returns 0 when one allocation fails. */
static int alloc_buffers(dn_model *m, size_t rows) {
    size_t first = first_trainable_layer(m), outputs = dn_model_output_size(m);
    int ok = (m->input = dn_alloc_zeroed(rows, m->input_size * sizeof(float))) != NULL;
    ok &= (m->loss_grad = dn_alloc_zeroed(rows, outputs * sizeof(float))) != NULL;
    ok &= (m->batch_labels = dn_alloc_zeroed(rows, sizeof(int32_t))) != NULL;
    ok &= (m->batch_targets = dn_alloc_zeroed(rows, outputs * sizeof(float))) != NULL;
    size_t ws_floats = dn_gemm_workspace_floats(m->threads);
    ok &= (m->gemm_ws.data = dn_alloc_zeroed(ws_floats, sizeof(float))) != NULL;
    m->gemm_ws.floats = ok ? ws_floats : 0;
    for (size_t i = 0; ok && i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        size_t cells;
        ok &= dn_mul_size(rows, l->out, &cells);
        ok &= (l->y = dn_alloc_zeroed(cells, sizeof(float))) != NULL;
        if (l->kind == DN_LAYER_DENSE) ok &= (l->pre = dn_alloc_zeroed(cells, sizeof(float))) != NULL;
        if (l->kind == DN_LAYER_DROPOUT)
            ok &= (l->keep_bits = dn_alloc_zeroed(cells / 32 + 1, sizeof(uint32_t))) != NULL;
        if (i > first) ok &= (l->d_in = dn_alloc_zeroed(rows, l->in * sizeof(float))) != NULL;
    }
    if (ok) m->capacity = rows;
    return ok;
}

dn_status dn_model_reserve(dn_model *m, size_t rows, dn_error *err) {
    if (rows <= m->capacity) return DN_OK;
    size_t previous = m->capacity;
    free_buffers(m);
    if (alloc_buffers(m, rows)) return DN_OK;
    /* Leave the model as usable as before: the smaller buffers it had fit again. */
    free_buffers(m);
    if (previous > 0 && !alloc_buffers(m, previous)) free_buffers(m);
    return dn_fail(err, DN_ERR_MEMORY, "out of memory for activations of %zu rows", rows);
}

dn_status dn_model_set_threads(dn_model *model, int threads, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (threads < 0) return dn_fail(err, DN_ERR_ARGUMENT, "threads must be >= 0, got %d", threads);
    if (threads == model->threads) return DN_OK;
    model->threads = threads;
    if (model->capacity == 0) return DN_OK;
    /* The GEMM workspace is sized per thread: size everything again for the same rows. */
    size_t rows = model->capacity;
    free_buffers(model);
    return dn_model_reserve(model, rows, err);
}

int dn_model_threads(const dn_model *model) { return model ? model->threads : 0; }

dn_status dn_model_layer_info(const dn_model *model, size_t index, dn_layer_info *out,
                              dn_error *err) {
    if (model == NULL || out == NULL)
        return dn_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (index >= model->layer_count)
        return dn_fail(err, DN_ERR_ARGUMENT, "layer %zu does not exist (the model has %zu)", index,
                       model->layer_count);
    const dn_layer *l = &model->layers[index];
    out->kind = l->kind;
    out->name = l->name;
    out->inputs = l->in;
    out->outputs = l->out;
    out->activation = l->activation;
    out->rate = l->rate;
    out->param_count = l->param_count;
    out->param_offset = l->param_offset;
    return DN_OK;
}
