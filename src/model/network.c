/* network.c — running the layer stack forward and backward, and inspecting what it computed. */
#include "model/network.h"
#include "model/model.h"
#include "model/inference_plan.h"
#include "model/preprocess.h"

#include "core/error.h"
#include "layers/alpha_dropout.h"
#include "layers/dense.h"
#include "layers/dropconnect.h"
#include "layers/dropout.h"
#include "layers/gaussian_dropout.h"
#include "layers/gaussian_noise.h"

#include <string.h>

/* The input of layer i: the batch for the first layer, the previous output otherwise. */
static const float *layer_input(const dn_model *m, size_t i) {
    return i == 0 ? m->input : m->layers[i - 1].y;
}

dn_exec dni_model_exec(const dn_model *m) {
    dn_exec exec = {.threads = m->threads,
                    .kernel = dni_gemm_precision_kernel((dn_gemm_precision)m->precision),
                    .gemm_ws = &m->gemm_ws,
                    .row_offset = m->row_offset};
    return exec;
}

/* Layer i forward on x [rows×in]. */
static void forward_layer(dn_model *m, size_t i, const float *x, size_t rows, dn_mode mode,
                          uint64_t step, const dn_exec *exec) {
    dn_layer *l = &m->layers[i];
    uint32_t index = (uint32_t)i;
    const struct dn_gemm_impl *impl = NULL;
    const float *packed = NULL;
    switch (l->kind) {
    case DN_LAYER_DENSE:
        /* At inference a DropConnect layer is its plain kernel too: both take the packed copy
         * when the model has one for the family its precision runs in (inference_plan.h: an
         * fp32 packing never serves bf16 products, nor the reverse). In training a plain dense
         * layer takes it too when there is a fresh one (fit's reproducible step packs once for
         * its blocks): the same bits. */
        if ((mode == DN_MODE_INFERENCE || l->connect_rate == 0.0f) &&
            (packed = dni_inference_plan_kernel(m, i, &impl)) != NULL) {
            l->connect_active = 0;
            dni_dense_forward_packed(l, m->params, impl, packed, x, rows, exec);
        } else if (l->connect_rate > 0.0f)
            dni_dropconnect_forward(l, m->params, m->seed, index, x, rows, mode, step, exec);
        else
            dni_dense_forward(l, m->params, x, rows, exec);
        break;
    case DN_LAYER_DROPOUT: dni_dropout_forward(l, m->seed, index, x, rows, mode, step, exec); break;
    case DN_LAYER_ALPHA_DROPOUT:
        dni_alpha_dropout_forward(l, m->seed, index, x, rows, mode, step, exec);
        break;
    case DN_LAYER_GAUSSIAN_DROPOUT:
        dni_gaussian_dropout_forward(l, m->seed, index, x, rows, mode, step, exec);
        break;
    case DN_LAYER_GAUSSIAN_NOISE:
        dni_gaussian_noise_forward(l, m->seed, index, x, rows, mode, step, exec);
        break;
    }
}

/* In training, a dense layer followed by dropout runs as one pass (dense.c), when it can. */
static int forward_fused_pair(dn_model *m, size_t i, size_t rows, dn_mode mode, uint64_t step,
                              const dn_exec *exec) {
    if (mode != DN_MODE_TRAINING || i + 1 >= m->layer_count ||
        !dni_dense_dropout_fusable(&m->layers[i], &m->layers[i + 1]))
        return 0;
    dn_rng_stream stream = dni_exec_row_stream(dni_dropout_stream(m->seed, (uint32_t)(i + 1)), exec,
                                               m->layers[i + 1].out);
    const struct dn_gemm_impl *impl = NULL;
    const float *packed = dni_inference_plan_kernel(m, i, &impl);
    dni_dense_dropout_forward(&m->layers[i], &m->layers[i + 1], m->params, impl, packed,
                              layer_input(m, i), rows, &stream, step, exec);
    return 1;
}

const float *dni_model_run(dn_model *m, size_t rows, dn_mode mode, uint64_t step) {
    dn_exec exec = dni_model_exec(m);
    for (size_t i = 0; i < m->layer_count; ++i) {
        if (forward_fused_pair(m, i, rows, mode, step, &exec)) {
            i++; /* the dropout layer ran too */
            continue;
        }
        forward_layer(m, i, layer_input(m, i), rows, mode, step, &exec);
    }
    m->last_rows = rows;
    m->last_training = mode == DN_MODE_TRAINING;
    return m->layers[m->layer_count - 1].y;
}

/* Layer i backward from grad [rows×out] (dL/dy, or dL/dz when `pre`). */
static void backward_layer(dn_model *m, size_t i, float *grad, int pre, size_t rows,
                           const dn_exec *exec) {
    dn_layer *l = &m->layers[i];
    const float *x = layer_input(m, i);
    switch (l->kind) {
    case DN_LAYER_DENSE:
        if (l->connect_rate > 0.0f)
            dni_dropconnect_backward(l, m->params, m->grads, x, grad, pre, rows, exec);
        else
            dni_dense_backward(l, m->params, m->grads, x, grad, pre, rows, exec);
        break;
    case DN_LAYER_DROPOUT: dni_dropout_backward(l, grad, rows, exec); break;
    case DN_LAYER_ALPHA_DROPOUT: dni_alpha_dropout_backward(l, grad, rows, exec); break;
    case DN_LAYER_GAUSSIAN_DROPOUT: dni_gaussian_dropout_backward(l, grad, rows, exec); break;
    case DN_LAYER_GAUSSIAN_NOISE: dni_gaussian_noise_backward(l, grad, rows, exec); break;
    }
}

static void backprop_with(dn_model *m, size_t rows, int fused, const dn_exec *exec) {
    float *grad = m->loss_grad;
    for (size_t i = m->layer_count; i-- > 0;) {
        dn_layer *l = &m->layers[i];
        backward_layer(m, i, grad, fused && i + 1 == m->layer_count, rows, exec);
        if (l->d_in == NULL) break; /* nothing below learns */
        grad = l->d_in;
    }
}

void dni_model_backprop(dn_model *m, size_t rows, int fused) {
    dn_exec exec = dni_model_exec(m);
    backprop_with(m, rows, fused, &exec);
}

int dni_model_update_fusable(const dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->param_count == 0) continue;
        if (l->kind != DN_LAYER_DENSE || l->connect_rate > 0.0f ||
            l->param_count != l->in * l->out + l->out)
            return 0;
    }
    return 1;
}

void dni_model_backprop_update(dn_model *m, size_t rows, int fused, uint64_t t) {
    dn_exec_update update = {&m->optimizer, m->params, m->opt_m, m->opt_v,
                             dni_optimizer_adam_alpha(&m->optimizer, t)};
    dn_exec exec = dni_model_exec(m);
    exec.update = &update;
    backprop_with(m, rows, fused, &exec);
}

dn_status dn_model_forward(dn_model *model, const float *x, size_t rows, dn_mode mode,
                           uint64_t step, float *out, dn_error *err) {
    if (model == NULL || x == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and x must not be NULL");
    dn_status st = dni_model_require_compiled(model, NULL, err);
    if (st != DN_OK) return st;
    if (rows == 0 || rows > model->capacity)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "rows must be in 1..%zu (the batch capacity), got %zu",
                       model->capacity, rows);
    memcpy(model->input, x, rows * model->input_size * sizeof(float));
    dni_model_standardize_rows(model, model->input, rows);
    const float *y = dni_model_run(model, rows, mode, step);
    if (out != NULL) memcpy(out, y, rows * dn_model_output_size(model) * sizeof(float));
    return DN_OK;
}

const float *dn_model_activation(const dn_model *model, size_t index, size_t *rows, size_t *cols) {
    if (model == NULL || model->last_rows == 0 || index > model->layer_count) return NULL;
    if (rows) *rows = model->last_rows;
    if (cols) *cols = index == 0 ? model->input_size : model->layers[index - 1].out;
    return index == 0 ? model->input : model->layers[index - 1].y;
}

dn_status dn_model_dropout_mask(const dn_model *model, size_t layer, uint8_t *keep,
                                size_t *dropped, dn_error *err) {
    if (model == NULL || keep == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and keep must not be NULL");
    if (layer >= model->layer_count || (model->layers[layer].kind != DN_LAYER_DROPOUT &&
                                        model->layers[layer].kind != DN_LAYER_ALPHA_DROPOUT))
        return dni_fail(err, DN_ERR_ARGUMENT, "layer %zu is not a dropout layer", layer);
    if (model->last_rows == 0 || !model->last_training)
        return dni_fail(err, DN_ERR_STATE,
                        "no training-mode pass has run since the last inference");
    const dn_layer *l = &model->layers[layer];
    size_t n = model->last_rows * l->out, count = 0;
    for (size_t e = 0; e < n; ++e) {
        keep[e] = (uint8_t)dni_mask_kept(l->keep_bits, e);
        count += !keep[e];
    }
    if (dropped) *dropped = count;
    return DN_OK;
}
