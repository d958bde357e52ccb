/* constraints.c — L2 weight decay and the max-norm constraint on dense kernels.
 *
 * Both act on kernels only (biases are left alone, as Keras' kernel_regularizer and
 * kernel_constraint do). fit calls dni_model_apply_l2 between backprop and the optimizer update
 * and dni_model_apply_max_norm after the update; neither allocates (the column norms go to a
 * buffer sized with the activations). Every element's arithmetic is fixed, so results do not
 * depend on the thread count. */
#include "model/constraints.h"
#include "model/model.h"

#include "core/error.h"

#include <math.h>

dn_status dn_model_set_regularization(dn_model *model, const dn_regularization *reg,
                                      dn_error *err) {
    if (model == NULL || reg == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and regularization must not be NULL");
    if (!(reg->l2 >= 0.0f) || !isfinite(reg->l2))
        return dni_fail(err, DN_ERR_ARGUMENT, "l2 must be >= 0 and finite, got %g",
                        (double)reg->l2);
    if (!(reg->max_norm >= 0.0f) || !isfinite(reg->max_norm))
        return dni_fail(err, DN_ERR_ARGUMENT, "max-norm must be >= 0 and finite (0 = off), got %g",
                        (double)reg->max_norm);
    model->regularization = *reg;
    return DN_OK;
}

dn_regularization dn_model_regularization(const dn_model *model) {
    dn_regularization none = {.l2 = 0.0f, .max_norm = 0.0f};
    return model ? model->regularization : none;
}

/* d(l2·Σ W²)/dW = 2·l2·W, added to the data gradient of every kernel. */
void dni_model_apply_l2(dn_model *m) {
    float twice = 2.0f * m->regularization.l2;
    if (twice == 0.0f) return;
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        const float *w = m->params + l->param_offset;
        float *g = m->grads + l->param_offset;
        size_t n = l->in * l->out;
#pragma omp simd
        for (size_t k = 0; k < n; ++k) g[k] += twice * w[k];
    }
}

/* Kernel [in×out] row-major: column j is unit j's incoming weights. Norms are summed row by row
 * (sequential in memory) into `norms` [out], in double so the bound is met to float rounding. */
static void clip_columns(float *w, size_t in, size_t out, double limit, double *norms) {
    for (size_t j = 0; j < out; ++j) norms[j] = 0.0;
    for (size_t r = 0; r < in; ++r)
        for (size_t j = 0; j < out; ++j) norms[j] += (double)w[r * out + j] * w[r * out + j];
    int any = 0;
    for (size_t j = 0; j < out; ++j) {
        double norm = sqrt(norms[j]);
        /* The factor for column j, 1 when it is within the bound (then left untouched). */
        norms[j] = norm > limit ? limit / norm : 1.0;
        any |= norm > limit;
    }
    if (!any) return;
    for (size_t r = 0; r < in; ++r)
        for (size_t j = 0; j < out; ++j)
            if (norms[j] != 1.0) w[r * out + j] = (float)(w[r * out + j] * norms[j]);
}

void dni_model_apply_max_norm(dn_model *m) {
    double limit = m->regularization.max_norm;
    if (limit == 0.0) return;
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind == DN_LAYER_DENSE)
            clip_columns(m->params + l->param_offset, l->in, l->out, limit, m->col_norms);
    }
}
