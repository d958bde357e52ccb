/* gaussian_dropout.c — multiplicative Gaussian noise (Srivastava et al. 2014, Keras
 * GaussianDropout): y = x·m, m = 1 + σ·n, σ = √(rate/(1 − rate)), n ~ N(0, 1).
 *
 * n of element e at step s is an addressed draw (DN_RNG_NOISE, layer, s, e), so the noise does
 * not depend on threads. The multipliers are kept for the backward pass (dx = dy·m) rather than
 * drawn again, since a Box-Muller draw costs far more than a load. */
#include "layers/layer.h"
#include "core/fpu.h"

#include "core/rng.h"
#include "core/threads.h"

#include <string.h>

enum { PARALLEL_MIN_ELEMENTS = 1 << 14 };

void dni_gaussian_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                  const float *x, size_t rows, dn_mode mode, uint64_t step,
                                  const dn_exec *exec) {
    size_t n = rows * layer->out;
    if (dni_inference_identity(layer, x, n, mode)) return;
    dn_rng_stream s = dni_exec_row_stream(dni_rng_stream_make(seed, DN_RNG_NOISE, layer_index),
                                          exec, layer->out);
    double sigma = layer->stddev;
    float *m = layer->noise, *y = layer->y;
    int team = dni_threads_for(exec->threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t e = 0; e < n; ++e) {
            m[e] = (float)(1.0 + sigma * dni_rng_normal(&s, step, e));
            y[e] = x[e] * m[e];
        }
        dni_fpu_leave(fpu);
    }
}

void dni_gaussian_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                   const dn_exec *exec) {
    if (layer->d_in == NULL) return;
    size_t n = rows * layer->out;
    int team = dni_threads_for(exec->threads, n, PARALLEL_MIN_ELEMENTS * 4);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t e = 0; e < n; ++e) layer->d_in[e] = grad[e] * layer->noise[e];
        dni_fpu_leave(fpu);
    }
}
