/* model.c — a model's lifecycle: create, compile (checks, slab layout, initialisation), free;
 * its setters and getters. Layers are added in model_build.c, weights initialised in
 * model_init.c, activation buffers planned in model_buffers.c. */
#include "model/model.h"
#include "model/metadata.h"
#include "model/model_buffers.h"
#include "model/model_init.h"
#include "model/preprocess.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

enum { DEFAULT_CAPACITY = 32 };

dn_status dn_model_create(dn_model **out, size_t input_size, dn_error *err) {
    if (out == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    if (input_size == 0) return dni_fail(err, DN_ERR_ARGUMENT, "input size must be > 0");
    dn_model *m = dni_alloc_zeroed(1, sizeof *m);
    if (m == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for a model");
    m->input_size = input_size;
    *out = m;
    return DN_OK;
}

void dn_model_free(dn_model *model) {
    if (model == NULL) return;
    dni_model_free_buffers(model);
    dni_free(model->layers);
    dni_free(model->params);
    dni_free(model->grads);
    dni_free(model->opt_m);
    dni_free(model->opt_v);
    dni_model_clear_standardization(model);
    dni_model_clear_annotations(model);
    dni_free(model);
}

size_t dn_model_input_size(const dn_model *m) { return m ? m->input_size : 0; }
size_t dn_model_layer_count(const dn_model *m) { return m ? m->layer_count : 0; }
size_t dn_model_param_count(const dn_model *m) { return m ? m->param_count : 0; }
dn_loss dn_model_loss(const dn_model *m) { return m ? m->loss : DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; }
uint64_t dn_model_seed(const dn_model *m) { return m ? m->seed : 0; }
uint64_t dn_model_step(const dn_model *m) { return m ? m->step : 0; }
uint64_t dn_model_epochs_done(const dn_model *m) { return m ? m->epochs_done : 0; }
float *dn_model_params(dn_model *m) { return m ? m->params : NULL; }
const float *dn_model_grads(const dn_model *m) { return m ? m->grads : NULL; }

size_t dn_model_output_size(const dn_model *m) {
    if (m == NULL) return 0;
    return m->layer_count ? m->layers[m->layer_count - 1].out : 0;
}

static dn_status check_optimizer(const dn_optimizer_config *c, dn_error *err) {
    if ((unsigned)c->kind > DN_OPTIMIZER_ADAM)
        return dni_fail(err, DN_ERR_ARGUMENT, "unknown optimizer kind %d", (int)c->kind);
    if (!(c->learning_rate > 0.0f) || !isfinite(c->learning_rate))
        return dni_fail(err, DN_ERR_ARGUMENT, "learning rate must be > 0, got %g",
                        (double)c->learning_rate);
    if (c->kind == DN_OPTIMIZER_SGD) {
        if (!(c->momentum >= 0.0f && c->momentum < 1.0f))
            return dni_fail(err, DN_ERR_ARGUMENT, "momentum must be in [0, 1), got %g",
                            (double)c->momentum);
        if (c->nesterov && c->momentum == 0.0f)
            return dni_fail(err, DN_ERR_ARGUMENT, "Nesterov momentum needs momentum > 0");
    } else {
        if (!(c->beta1 >= 0.0f && c->beta1 < 1.0f) || !(c->beta2 >= 0.0f && c->beta2 < 1.0f))
            return dni_fail(err, DN_ERR_ARGUMENT, "Adam betas must be in [0, 1), got %g and %g",
                            (double)c->beta1, (double)c->beta2);
        if (!(c->epsilon > 0.0f))
            return dni_fail(err, DN_ERR_ARGUMENT, "Adam epsilon must be > 0, got %g",
                            (double)c->epsilon);
    }
    return DN_OK;
}

static dn_status check_output(const dn_model *m, dn_loss loss, dn_error *err) {
    if (m->layer_count == 0) return dni_fail(err, DN_ERR_STATE, "the model has no layers");
    const dn_layer *last = &m->layers[m->layer_count - 1];
    if (last->kind != DN_LAYER_DENSE)
        return dni_fail(err, DN_ERR_SHAPE, "the last layer must be dense, found %s", last->name);
    dn_activation a = last->activation;
    switch (loss) {
    case DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        if (a != DN_ACT_SOFTMAX && a != DN_ACT_LINEAR)
            return dni_fail(err, DN_ERR_SHAPE,
                            "categorical cross-entropy needs a softmax (or linear "
                           "logits) output layer, found %s", dn_activation_name(a));
        if (last->out < 2)
            return dni_fail(err, DN_ERR_SHAPE, "categorical cross-entropy needs >= 2 output units, "
                            "found %zu", last->out);
        return DN_OK;
    case DN_LOSS_BINARY_CROSSENTROPY:
        if (a != DN_ACT_SIGMOID && a != DN_ACT_LINEAR)
            return dni_fail(err, DN_ERR_SHAPE, "binary cross-entropy needs a sigmoid (or linear "
                            "logits) output layer, found %s", dn_activation_name(a));
        return DN_OK;
    case DN_LOSS_MEAN_SQUARED_ERROR:
    case DN_LOSS_MEAN_ABSOLUTE_ERROR:
        return DN_OK;
    }
    return dni_fail(err, DN_ERR_ARGUMENT, "unknown loss %d", (int)loss);
}

dn_status dn_model_compile(dn_model *model, dn_loss loss, const dn_optimizer_config *optimizer,
                           uint64_t seed, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (model->compiled) return dni_fail(err, DN_ERR_STATE, "the model is already compiled");
    dn_optimizer_config opt = optimizer ? *optimizer : dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    dn_status st = check_optimizer(&opt, err);
    if (st == DN_OK) st = check_output(model, loss, err);
    if (st != DN_OK) return st;

    size_t total = 0;
    for (size_t i = 0; i < model->layer_count; ++i) {
        dn_layer *l = &model->layers[i];
        l->param_offset = total;
        if (total + l->param_count < total)
            return dni_fail(err, DN_ERR_MEMORY, "parameter count overflows");
        total += l->param_count;
    }
    model->params = dni_alloc_zeroed(total, sizeof(float));
    model->grads = dni_alloc_zeroed(total, sizeof(float));
    model->opt_m = dni_alloc_zeroed(total, sizeof(float));
    model->opt_v = dni_alloc_zeroed(total, sizeof(float));
    if (!model->params || !model->grads || !model->opt_m || !model->opt_v) {
        dni_free(model->params), dni_free(model->grads);
        dni_free(model->opt_m), dni_free(model->opt_v);
        model->params = model->grads = model->opt_m = model->opt_v = NULL;
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu parameters", total);
    }
    model->param_count = total;
    model->loss = loss;
    model->optimizer = opt;
    model->seed = seed;
    dni_model_init_weights(model);
    st = dni_model_reserve(model, DEFAULT_CAPACITY, err);
    /* Compiled only with buffers: every run loop steps by the capacity, which must not be 0. */
    model->compiled = st == DN_OK;
    return st;
}

dn_status dni_model_require_compiled(const dn_model *model, const char *context, dn_error *err) {
    /* Compiled only with buffers: every run loop steps by the capacity, which must not be 0. */
    if (model->compiled && model->capacity > 0) return DN_OK;
    if (context == NULL) return dni_fail(err, DN_ERR_STATE, "compile the model first");
    return dni_fail(err, DN_ERR_STATE, "%s: compile the model first (dn_model_compile)", context);
}

dn_status dn_model_set_threads(dn_model *model, int threads, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (threads < 0) return dni_fail(err, DN_ERR_ARGUMENT, "threads must be >= 0, got %d", threads);
    if (threads == model->threads) return DN_OK;
    model->threads = threads;
    if (model->capacity == 0) return DN_OK;
    /* The GEMM workspace is sized per thread: size everything again for the same rows. */
    size_t rows = model->capacity;
    dni_model_free_buffers(model);
    return dni_model_reserve(model, rows, err);
}

int dn_model_threads(const dn_model *model) { return model ? model->threads : 0; }

dn_status dn_model_set_precision(dn_model *model, dn_precision precision, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (precision != DN_PRECISION_FP32 && precision != DN_PRECISION_BF16)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "precision must be DN_PRECISION_FP32 or DN_PRECISION_BF16, got %d",
                        (int)precision);
    model->precision = precision;
    return DN_OK;
}

dn_precision dn_model_precision(const dn_model *model) {
    return model ? model->precision : DN_PRECISION_FP32;
}

dn_status dn_model_set_learning_rate(dn_model *model, float learning_rate, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    dn_status st = dni_model_require_compiled(model, NULL, err);
    if (st != DN_OK) return st;
    if (!(learning_rate > 0.0f) || !isfinite(learning_rate))
        return dni_fail(err, DN_ERR_ARGUMENT, "learning rate must be > 0, got %g",
                        (double)learning_rate);
    model->optimizer.learning_rate = learning_rate;
    return DN_OK;
}

dn_status dn_model_set_momentum(dn_model *model, float momentum, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    dn_status st = dni_model_require_compiled(model, NULL, err);
    if (st != DN_OK) return st;
    if (model->optimizer.kind != DN_OPTIMIZER_SGD)
        return dni_fail(err, DN_ERR_STATE, "momentum applies to a model compiled with SGD");
    if (!(momentum >= 0.0f && momentum < 1.0f))
        return dni_fail(err, DN_ERR_ARGUMENT, "momentum must be in [0, 1), got %g",
                        (double)momentum);
    if (model->optimizer.nesterov && momentum == 0.0f)
        return dni_fail(err, DN_ERR_ARGUMENT, "Nesterov momentum needs momentum > 0");
    model->optimizer.momentum = momentum;
    return DN_OK;
}

float dn_model_learning_rate(const dn_model *model) {
    return model && model->compiled ? model->optimizer.learning_rate : 0.0f;
}

dn_status dn_model_layer_info(const dn_model *model, size_t index, dn_layer_info *out,
                              dn_error *err) {
    if (model == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (index >= model->layer_count)
        return dni_fail(err, DN_ERR_ARGUMENT, "layer %zu does not exist (the model has %zu)", index,
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
