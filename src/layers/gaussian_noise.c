/* gaussian_noise.c — additive Gaussian noise (Keras GaussianNoise): y = x + σ·n while training,
 * n ~ N(0, 1) from the addressed stream (DN_RNG_NOISE, layer, step, element); identity at
 * inference. The noise does not depend on x, so the backward pass is the identity. */
#include "layers/layer.h"
#include "core/fpu.h"

#include "core/rng.h"
#include "core/threads.h"

#include <string.h>

enum { PARALLEL_MIN_ELEMENTS = 1 << 14 };

void dni_gaussian_noise_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                const float *x, size_t rows, dn_mode mode, uint64_t step,
                                const dn_exec *exec) {
    size_t n = rows * layer->out;
    if (mode != DN_MODE_TRAINING || layer->stddev == 0.0f) {
        memcpy(layer->y, x, n * sizeof(float));
        return;
    }
    dn_rng_stream s = dni_exec_row_stream(dni_rng_stream_make(seed, DN_RNG_NOISE, layer_index),
                                          exec, layer->out);
    double sigma = layer->stddev;
    float *y = layer->y;
    int team = dni_threads_for(exec->threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t e = 0; e < n; ++e)
            y[e] = (float)((double)x[e] + sigma * dni_rng_normal(&s, step, e));
        dni_fpu_leave(fpu);
    }
}

void dni_gaussian_noise_backward(dn_layer *layer, const float *grad, size_t rows,
                                 const dn_exec *exec) {
    (void)exec;
    if (layer->d_in == NULL) return;
    memcpy(layer->d_in, grad, rows * layer->out * sizeof(float));
}
