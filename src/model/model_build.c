/* model_build.c — adding layers to an uncompiled model: dense (with its initialiser and
 * DropConnect options) and the dropout family, each named as Keras names it. */
#include "model/model.h"
#include "model/model_init.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Appends a layer slot whose input is the current output width. */
static dn_status push_layer(dn_model *m, dn_layer **out, dn_error *err) {
    if (m->compiled)
        return dni_fail(err, DN_ERR_STATE, "cannot add a layer to a compiled model");
    if (m->layer_count == m->layer_slots) {
        size_t slots = m->layer_slots ? m->layer_slots * 2 : 8;
        dn_layer *grown = dni_alloc_zeroed(slots, sizeof *grown);
        if (grown == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for layers");
        if (m->layer_count) memcpy(grown, m->layers, m->layer_count * sizeof *grown);
        dni_free(m->layers);
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
                             const dn_dense_options *options, dn_error *err) {
    dn_dense_options opt =
        options ? *options : (dn_dense_options){.initializer = DN_INIT_DEFAULT, .dropconnect = 0.0f};
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (units == 0) return dni_fail(err, DN_ERR_ARGUMENT, "dense layer: units must be > 0, got 0");
    if ((unsigned)activation > DN_ACT_LEAKY_RELU)
        return dni_fail(err, DN_ERR_ARGUMENT, "dense layer: unknown activation %d",
                        (int)activation);
    if ((unsigned)opt.initializer > DN_INIT_LECUN_NORMAL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dense layer: unknown initializer %d",
                        (int)opt.initializer);
    if (!(opt.dropconnect >= 0.0f && opt.dropconnect < 1.0f))
        return dni_fail(err, DN_ERR_ARGUMENT, "dense layer: dropconnect rate must be in [0, 1), "
                        "got %g", (double)opt.dropconnect);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    size_t weights;
    if (!dni_mul_size(l->in, units, &weights) || weights + units < weights)
        return dni_fail(err, DN_ERR_MEMORY, "dense layer %zu×%zu is too large", l->in, units);
    l->kind = DN_LAYER_DENSE;
    l->out = units;
    l->activation = activation;
    l->init = dni_initializer_resolve(opt.initializer, activation);
    l->connect_rate = opt.dropconnect;
    l->connect_threshold = dni_rng_drop_threshold(opt.dropconnect);
    l->connect_scale = (float)(1.0 / (1.0 - (double)opt.dropconnect));
    l->param_count = weights + units;
    keras_name(l->name, sizeof l->name, "dense", model->dense_count++);
    model->layer_count++;
    return DN_OK;
}

dn_status dn_model_add_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dni_fail(err, DN_ERR_ARGUMENT, "dropout rate must be in [0, 1), got %g",
                        (double)rate);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    l->kind = DN_LAYER_DROPOUT;
    l->out = l->in;
    l->rate = rate;
    l->drop_threshold = dni_rng_drop_threshold(rate);
    l->keep_scale = (float)(1.0 / (1.0 - (double)rate));
    keras_name(l->name, sizeof l->name, "dropout", model->dropout_count++);
    model->layer_count++;
    return DN_OK;
}

dn_status dn_model_dense_options(const dn_model *model, size_t layer, dn_dense_options *out,
                                 dn_error *err) {
    if (model == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (layer >= model->layer_count || model->layers[layer].kind != DN_LAYER_DENSE)
        return dni_fail(err, DN_ERR_ARGUMENT, "layer %zu is not a dense layer", layer);
    out->initializer = model->layers[layer].init;
    out->dropconnect = model->layers[layer].connect_rate;
    return DN_OK;
}

/* Number of layers of `kind` so far, for Keras-style names of the noise layers. */
static size_t count_kind(const dn_model *m, dn_layer_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i) n += m->layers[i].kind == kind;
    return n;
}

/* Appends a width-preserving layer of `kind` named `base`; its parameters are set by the caller. */
static dn_status push_noise_layer(dn_model *m, dn_layer_kind kind, const char *base,
                                  dn_layer **out, dn_error *err) {
    size_t ordinal = count_kind(m, kind);
    dn_status st = push_layer(m, out, err);
    if (st != DN_OK) return st;
    (*out)->kind = kind;
    (*out)->out = (*out)->in;
    keras_name((*out)->name, sizeof (*out)->name, base, ordinal);
    m->layer_count++;
    return DN_OK;
}

/* −λα of SELU: the value SELU saturates to, which dropped units take. */
#define ALPHA_PRIME (-1.0507009873554804934193349852946 * 1.6732632423543772848170429916717)

dn_status dn_model_add_alpha_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dni_fail(err, DN_ERR_ARGUMENT, "alpha dropout rate must be in [0, 1), got %g",
                        (double)rate);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_ALPHA_DROPOUT, "alpha_dropout", &l, err);
    if (st != DN_OK) return st;
    double r = rate, a = 1.0 / sqrt((1.0 - r) * (1.0 + r * ALPHA_PRIME * ALPHA_PRIME));
    l->rate = rate;
    l->drop_threshold = dni_rng_drop_threshold(rate);
    l->alpha_a = (float)a;
    l->alpha_b = (float)(-a * ALPHA_PRIME * r);
    return DN_OK;
}

dn_status dn_model_add_gaussian_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dni_fail(err, DN_ERR_ARGUMENT, "gaussian dropout rate must be in [0, 1), got %g",
                        (double)rate);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_GAUSSIAN_DROPOUT, "gaussian_dropout", &l, err);
    if (st != DN_OK) return st;
    l->rate = rate;
    l->stddev = (float)sqrt((double)rate / (1.0 - (double)rate));
    return DN_OK;
}

dn_status dn_model_add_gaussian_noise(dn_model *model, float stddev, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(stddev >= 0.0f) || !isfinite(stddev))
        return dni_fail(err, DN_ERR_ARGUMENT, "gaussian noise stddev must be >= 0 and finite, "
                        "got %g", (double)stddev);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_GAUSSIAN_NOISE, "gaussian_noise", &l, err);
    if (st != DN_OK) return st;
    l->rate = stddev;
    l->stddev = stddev;
    return DN_OK;
}
