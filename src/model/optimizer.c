/* optimizer.c — SGD (momentum, Nesterov) and Adam as single loops over the parameter slab.
 * The formulas are those documented at dn_optimizer_config in dropnet.h (Keras' forms). */
#include "model/optimizer.h"
#include "model/model.h"
#include "core/fpu.h"

#include "core/threads.h"

#include <math.h>

dn_optimizer_config dn_optimizer_defaults(dn_optimizer_kind kind) {
    dn_optimizer_config c = {.kind = kind,
                             .learning_rate = kind == DN_OPTIMIZER_ADAM ? 0.001f : 0.01f,
                             .momentum = 0.0f, .nesterov = 0, .beta1 = 0.9f, .beta2 = 0.999f,
                             .epsilon = 1e-7f};
    return c;
}

static void sgd(const dn_optimizer_config *c, float *w, const float *g, float *vel, size_t n) {
    float lr = c->learning_rate, mu = c->momentum;
    if (mu == 0.0f) {
#pragma omp simd
        for (size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
    } else if (c->nesterov) {
#pragma omp simd
        for (size_t i = 0; i < n; ++i) {
            vel[i] = mu * vel[i] - lr * g[i];
            w[i] += mu * vel[i] - lr * g[i];
        }
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; ++i) {
            vel[i] = mu * vel[i] - lr * g[i];
            w[i] += vel[i];
        }
    }
}

/* Adam's square roots never see a negative v, so errno never matters: the Makefile compiles this
 * file with -fno-math-errno, and the loop vectorises (the errno check was a branch per element
 * that kept it scalar: the update took 28 % of a W2 training run). Vector square roots and
 * divisions round exactly as the scalar ones and nothing is reassociated, so the results are bit
 * for bit the same. */
static void adam(const dn_optimizer_config *c, float *w, const float *g, float *m, float *v,
                 size_t n, float alpha) {
    float b1 = c->beta1, b2 = c->beta2, eps = c->epsilon;
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

float dni_optimizer_adam_alpha(const dn_optimizer_config *cfg, uint64_t t) {
    double td = (double)t;
    return (float)(cfg->learning_rate * sqrt(1.0 - pow(cfg->beta2, td)) /
                   (1.0 - pow(cfg->beta1, td)));
}

void dni_optimizer_update_span(const dn_optimizer_config *cfg, float *params, const float *grads,
                               float *m, float *v, size_t n, float adam_alpha) {
    if (cfg->kind == DN_OPTIMIZER_ADAM) adam(cfg, params, grads, m, v, n, adam_alpha);
    else sgd(cfg, params, grads, m, n);
}

/* The slab is cut into one contiguous band per thread: every element's update is the same
 * arithmetic whatever the cut (and the same as the fused update's parts, optimizer.h). */
void dni_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                          float *m, float *v, size_t n, uint64_t t, int threads) {
    int team = dni_threads_for(threads, n, 1 << 16);
    float alpha = dni_optimizer_adam_alpha(cfg, t);
#pragma omp parallel for num_threads(team) schedule(static)
    for (int b = 0; b < team; ++b) {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t begin = n * (size_t)b / (size_t)team, len = n * (size_t)(b + 1) / (size_t)team - begin;
        dni_optimizer_update_span(cfg, params + begin, grads + begin, m + begin, v + begin, len,
                                  alpha);
        dni_fpu_leave(fpu);
    }
}

void dni_optimizer_update_part(void *context, size_t i0, size_t rows, size_t j0, size_t n) {
    const dn_optimizer_part *part = context;
    for (size_t i = i0; i < i0 + rows; ++i) {
        size_t at = i * part->ld + j0;
        dni_optimizer_update_span(part->cfg, part->params + at, part->grads + at, part->m + at,
                                  part->v + at, n, part->adam_alpha);
    }
}
