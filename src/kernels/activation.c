/* activation.c — forward and backward of the dense layer's activations. */
#include "kernels/activation.h"
#include "core/fpu.h"

#include "core/error.h"
#include "core/threads.h"

#include <math.h>
#include <string.h>

static void softmax_row(const float *z, float *y, size_t cols) {
    float max = z[0];
    for (size_t j = 1; j < cols; ++j) max = z[j] > max ? z[j] : max;
    double sum = 0.0;
    for (size_t j = 0; j < cols; ++j) {
        y[j] = expf(z[j] - max);
        sum += y[j];
    }
    float inv = (float)(1.0 / sum);
    for (size_t j = 0; j < cols; ++j) y[j] *= inv;
}

static float sigmoid(float z) {
    /* Split by sign so that expf never overflows. */
    if (z >= 0.0f) return 1.0f / (1.0f + expf(-z));
    float e = expf(z);
    return e / (1.0f + e);
}

/* SELU's constants (Klambauer et al. 2017, as Keras writes them), and the negative slope of
 * leaky_relu (Keras 2's default). */
#define SELU_LAMBDA 1.0507009873554804934193349852946f
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define LEAKY_SLOPE 0.3f
#define INV_SQRT2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

/* Below this many elements a thread team costs more than it saves. */
enum { PARALLEL_MIN_ELEMENTS = 1 << 15 };

static void forward_rows(dn_activation act, const float *z, float *y, size_t rows, size_t cols) {
    size_t n = rows * cols;
    switch (act) {
    case DN_ACT_LINEAR:
        if (y != z)
            for (size_t i = 0; i < n; ++i) y[i] = z[i];
        break;
    case DN_ACT_RELU:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) y[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
    case DN_ACT_SIGMOID:
        for (size_t i = 0; i < n; ++i) y[i] = sigmoid(z[i]);
        break;
    case DN_ACT_TANH:
        for (size_t i = 0; i < n; ++i) y[i] = tanhf(z[i]);
        break;
    case DN_ACT_SOFTMAX:
        for (size_t r = 0; r < rows; ++r) softmax_row(z + r * cols, y + r * cols, cols);
        break;
    case DN_ACT_SELU:
        /* expm1f keeps e^z − 1 accurate near 0, where the two branches meet. */
        for (size_t i = 0; i < n; ++i)
            y[i] = z[i] > 0.0f ? SELU_LAMBDA * z[i] : SELU_LAMBDA * SELU_ALPHA * expm1f(z[i]);
        break;
    case DN_ACT_ELU:
        for (size_t i = 0; i < n; ++i) y[i] = z[i] > 0.0f ? z[i] : expm1f(z[i]);
        break;
    case DN_ACT_GELU:
        for (size_t i = 0; i < n; ++i) y[i] = 0.5f * z[i] * (1.0f + erff(z[i] * INV_SQRT2));
        break;
    case DN_ACT_LEAKY_RELU:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) y[i] = z[i] > 0.0f ? z[i] : LEAKY_SLOPE * z[i];
        break;
    }
}

static void backward_rows(dn_activation act, const float *z, const float *y, float *grad,
                          size_t rows, size_t cols) {
    size_t n = rows * cols;
    switch (act) {
    case DN_ACT_LINEAR:
        break;
    case DN_ACT_RELU:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) grad[i] = z[i] > 0.0f ? grad[i] : 0.0f;
        break;
    case DN_ACT_SIGMOID:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) grad[i] *= y[i] * (1.0f - y[i]);
        break;
    case DN_ACT_TANH:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) grad[i] *= 1.0f - y[i] * y[i];
        break;
    case DN_ACT_SOFTMAX:
        for (size_t r = 0; r < rows; ++r) {
            float *g = grad + r * cols;
            const float *p = y + r * cols;
            double dot = 0.0;
            for (size_t j = 0; j < cols; ++j) dot += (double)g[j] * p[j];
            for (size_t j = 0; j < cols; ++j) g[j] = p[j] * (g[j] - (float)dot);
        }
        break;
    case DN_ACT_SELU: /* z ≤ 0: d/dz λα(e^z − 1) = λαe^z = y + λα */
#pragma omp simd
        for (size_t i = 0; i < n; ++i)
            grad[i] *= z[i] > 0.0f ? SELU_LAMBDA : y[i] + SELU_LAMBDA * SELU_ALPHA;
        break;
    case DN_ACT_ELU: /* z ≤ 0: d/dz (e^z − 1) = e^z = y + 1 */
#pragma omp simd
        for (size_t i = 0; i < n; ++i) grad[i] *= z[i] > 0.0f ? 1.0f : y[i] + 1.0f;
        break;
    case DN_ACT_GELU: /* d/dz z·Φ(z) = Φ(z) + z·φ(z) */
        for (size_t i = 0; i < n; ++i) {
            float cdf = 0.5f * (1.0f + erff(z[i] * INV_SQRT2));
            grad[i] *= cdf + z[i] * INV_SQRT_2PI * expf(-0.5f * z[i] * z[i]);
        }
        break;
    case DN_ACT_LEAKY_RELU:
#pragma omp simd
        for (size_t i = 0; i < n; ++i) grad[i] *= z[i] > 0.0f ? 1.0f : LEAKY_SLOPE;
        break;
    }
}

void dni_activation_forward_span(dn_activation act, const float *z, float *y, size_t n) {
    forward_rows(act, z, y, 1, n);
}

/* Rows split into one contiguous band per thread. */
void dni_activation_forward(dn_activation act, const float *z, float *y, size_t rows, size_t cols,
                            int threads) {
    int team = dni_threads_for(threads, rows * cols, PARALLEL_MIN_ELEMENTS);
    if (team == 1) {
        unsigned fpu = dni_fpu_enter(); /* as the parallel bodies: core/fpu.h */
        forward_rows(act, z, y, rows, cols);
        dni_fpu_leave(fpu);
        return;
    }
#pragma omp parallel for num_threads(team) schedule(static)
    for (int t = 0; t < team; ++t) {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t begin = rows * (size_t)t / (size_t)team, end = rows * (size_t)(t + 1) / (size_t)team;
        forward_rows(act, z + begin * cols, y + begin * cols, end - begin, cols);
        dni_fpu_leave(fpu);
    }
}

void dni_activation_backward(dn_activation act, const float *z, const float *y, float *grad,
                             size_t rows, size_t cols, int threads) {
    int team = dni_threads_for(threads, rows * cols, PARALLEL_MIN_ELEMENTS);
    if (team == 1) {
        unsigned fpu = dni_fpu_enter();
        backward_rows(act, z, y, grad, rows, cols);
        dni_fpu_leave(fpu);
        return;
    }
#pragma omp parallel for num_threads(team) schedule(static)
    for (int t = 0; t < team; ++t) {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t begin = rows * (size_t)t / (size_t)team, end = rows * (size_t)(t + 1) / (size_t)team;
        backward_rows(act, z + begin * cols, y + begin * cols, grad + begin * cols, end - begin, cols);
        dni_fpu_leave(fpu);
    }
}

const char *dn_activation_name(dn_activation activation) {
    switch (activation) {
    case DN_ACT_LINEAR: return "linear";
    case DN_ACT_RELU: return "relu";
    case DN_ACT_SIGMOID: return "sigmoid";
    case DN_ACT_TANH: return "tanh";
    case DN_ACT_SOFTMAX: return "softmax";
    case DN_ACT_SELU: return "selu";
    case DN_ACT_ELU: return "elu";
    case DN_ACT_GELU: return "gelu";
    case DN_ACT_LEAKY_RELU: return "leaky_relu";
    }
    return "?";
}

dn_status dn_activation_parse(const char *name, dn_activation *out, dn_error *err) {
    static const dn_activation all[] = {DN_ACT_LINEAR, DN_ACT_RELU, DN_ACT_SIGMOID, DN_ACT_TANH,
                                        DN_ACT_SOFTMAX, DN_ACT_SELU, DN_ACT_ELU, DN_ACT_GELU,
                                        DN_ACT_LEAKY_RELU};
    if (name == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "activation name is NULL");
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) {
        if (strcmp(name, dn_activation_name(all[i])) == 0) {
            *out = all[i];
            return DN_OK;
        }
    }
    return dni_fail(err, DN_ERR_FORMAT,
                    "unknown activation '%s' (expected linear, relu, sigmoid, tanh, softmax, selu, "
                    "elu, gelu or leaky_relu)", name);
}
