/* model_init.c — weight initialisers: names, Keras' defaults per activation, and the kernels
 * drawn from addressed Philox streams (one per layer) at compile. */
#include "model/model_init.h"
#include "model/model.h"
#include "model/inference_plan.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <string.h>

const char *dn_initializer_name(dn_initializer init) {
    switch (init) {
    case DN_INIT_DEFAULT: return "default";
    case DN_INIT_GLOROT_UNIFORM: return "glorot_uniform";
    case DN_INIT_HE_NORMAL: return "he_normal";
    case DN_INIT_LECUN_NORMAL: return "lecun_normal";
    }
    return "?";
}

dn_status dn_initializer_parse(const char *name, dn_initializer *out, dn_error *err) {
    if (name == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "initializer name and out must not be NULL");
    for (int i = DN_INIT_GLOROT_UNIFORM; i <= DN_INIT_LECUN_NORMAL; ++i) {
        if (strcmp(name, dn_initializer_name((dn_initializer)i)) == 0) {
            *out = (dn_initializer)i;
            return DN_OK;
        }
    }
    return dni_fail(err, DN_ERR_FORMAT, "unknown initializer '%s' (expected glorot_uniform, "
                    "he_normal or lecun_normal)", name);
}

/* Keras' defaults: lecun_normal belongs with selu (self-normalising networks), glorot_uniform
 * with everything else. */
dn_initializer dni_initializer_resolve(dn_initializer init, dn_activation activation) {
    if (init != DN_INIT_DEFAULT) return init;
    return activation == DN_ACT_SELU ? DN_INIT_LECUN_NORMAL : DN_INIT_GLOROT_UNIFORM;
}

/* Keras' truncated normal: n ~ N(0, 1) redrawn while |n| > 2 (attempt k uses step k; P(redraw)
 * = 4.6 %, so 64 attempts fail with probability 1e-86, and then the weight is 0). */
static float truncated_normal(const dn_rng_stream *s, size_t k, double stddev) {
    for (uint64_t attempt = 0; attempt < 64; ++attempt) {
        double n = dni_rng_normal(s, attempt, k);
        if (fabs(n) <= 2.0) return (float)(stddev * n);
    }
    return 0.0f;
}

/* The kernel of dense layer i from its initialiser (docs at dn_initializer); bias stays 0. */
static void init_kernel(const dn_model *m, size_t i) {
    const dn_layer *l = &m->layers[i];
    dn_rng_stream s = dni_rng_stream_make(m->seed, DN_RNG_INIT, (uint32_t)i);
    float *w = m->params + l->param_offset;
    size_t n = l->in * l->out;
    if (l->init == DN_INIT_HE_NORMAL || l->init == DN_INIT_LECUN_NORMAL) {
        double scale = l->init == DN_INIT_HE_NORMAL ? 2.0 : 1.0;
        double stddev = sqrt(scale / (double)l->in) / .87962566103423978;
        for (size_t k = 0; k < n; ++k) w[k] = truncated_normal(&s, k, stddev);
        return;
    }
    float limit = (float)sqrt(6.0 / (double)(l->in + l->out));
    for (size_t k = 0; k < n; ++k) w[k] = (2.0f * dni_rng_uniform(&s, 0, k) - 1.0f) * limit;
}

void dni_model_init_weights(dn_model *m) {
    dni_model_weights_changed(m);
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].kind == DN_LAYER_DENSE) init_kernel(m, i);
}
