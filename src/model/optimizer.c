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
                 size_t n, uint64_t t) {
    float b1 = c->beta1, b2 = c->beta2, eps = c->epsilon;
    double td = (double)t;
    float alpha = (float)(c->learning_rate * sqrt(1.0 - pow(b2, td)) / (1.0 - pow(b1, td)));
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

/* The slab is cut into one contiguous band per thread: every element's update is the same
 * arithmetic whatever the cut. */
void dni_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                          float *m, float *v, size_t n, uint64_t t, int threads) {
    int team = dni_threads_for(threads, n, 1 << 16);
#pragma omp parallel for num_threads(team) schedule(static)
    for (int b = 0; b < team; ++b) {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t begin = n * (size_t)b / (size_t)team, len = n * (size_t)(b + 1) / (size_t)team - begin;
        if (cfg->kind == DN_OPTIMIZER_ADAM)
            adam(cfg, params + begin, grads + begin, m + begin, v + begin, len, t);
        else
            sgd(cfg, params + begin, grads + begin, m + begin, len);
        dni_fpu_leave(fpu);
    }
}
