/* optimizer.c — SGD (momentum, Nesterov) and Adam as single loops over the parameter slab.
 * The formulas are those documented at dn_optimizer_config in dropnet.h (Keras' forms). */
#include "model/model.h"

#include <math.h>

dn_optimizer_config dn_optimizer_defaults(dn_optimizer_kind kind) {
    dn_optimizer_config c = {kind, kind == DN_OPTIMIZER_ADAM ? 0.001f : 0.01f, 0.0f, 0, 0.9f,
                             0.999f, 1e-7f};
    return c;
}

static void sgd(const dn_optimizer_config *c, float *w, const float *g, float *vel, size_t n) {
    float lr = c->learning_rate, mu = c->momentum;
    if (mu == 0.0f) {
        for (size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
    } else if (c->nesterov) {
        for (size_t i = 0; i < n; ++i) {
            vel[i] = mu * vel[i] - lr * g[i];
            w[i] += mu * vel[i] - lr * g[i];
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            vel[i] = mu * vel[i] - lr * g[i];
            w[i] += vel[i];
        }
    }
}

static void adam(const dn_optimizer_config *c, float *w, const float *g, float *m, float *v,
                 size_t n, uint64_t t) {
    float b1 = c->beta1, b2 = c->beta2, eps = c->epsilon;
    double td = (double)t;
    float alpha = (float)(c->learning_rate * sqrt(1.0 - pow(b2, td)) / (1.0 - pow(b1, td)));
    for (size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

void dn_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                         float *m, float *v, size_t n, uint64_t t) {
    if (cfg->kind == DN_OPTIMIZER_ADAM)
        adam(cfg, params, grads, m, v, n, t);
    else
        sgd(cfg, params, grads, m, n);
}
