/* dense.c — fully connected layer: y = act(x·W + b), W [in×out] as Keras stores it. */
#include "layers/dense.h"
#include "layers/layer.h"
#include "core/fpu.h"

#include "core/threads.h"
#include "kernels/activation.h"
#include "kernels/gemm.h"
#include "kernels/gemm_packed.h"
#include "model/optimizer.h"

#include <string.h>

/* The output pass fused into the product (gemm.h): bias, and the activation unless it is
 * softmax (row-wise, run after). */
static dn_gemm_epilogue output_pass(const dn_layer *layer, const float *params) {
    const float *bias = params + layer->param_offset + layer->in * layer->out;
    int softmax = layer->activation == DN_ACT_SOFTMAX;
    dn_gemm_epilogue e = {bias, (int)layer->activation, softmax ? NULL : layer->y, layer->out,
                          NULL, 0, 0, 1.0f, NULL, NULL, NULL, NULL};
    return e;
}

/* x [rows×in] · W [in×out] + b [out] → pre [rows×out]; y = act(pre), in the product's output
 * pass. */
void dni_dense_forward(dn_layer *layer, const float *params, const float *x, size_t rows,
                       const dn_exec *exec) {
    dni_dense_forward_packed(layer, params, NULL, NULL, x, rows, exec);
}

void dni_dense_forward_packed(dn_layer *layer, const float *params, const dn_gemm_impl *impl,
                              const float *packed, const float *x, size_t rows,
                              const dn_exec *exec) {
    size_t out = layer->out;
    dn_gemm_epilogue e = output_pass(layer, params);
    if (packed != NULL)
        dni_gemm_prepacked(impl, exec->gemm_ws, exec->threads, rows, out, layer->in, x, layer->in,
                           packed, layer->pre, out, &e);
    else
        dni_gemm_fused(exec->kernel, exec->gemm_ws, exec->threads, rows, out, layer->in, x,
                       layer->in, params + layer->param_offset, out, layer->pre, out, &e);
    if (e.y == NULL)
        dni_activation_forward(layer->activation, layer->pre, layer->y, rows, out, exec->threads);
}

int dni_dense_dropout_fusable(const dn_layer *dense, const dn_layer *dropout) {
    return dense->kind == DN_LAYER_DENSE && dense->connect_rate == 0.0f &&
           dense->activation != DN_ACT_SOFTMAX && dense->out % 64 == 0 &&
           dropout->kind == DN_LAYER_DROPOUT && dropout->drop_threshold != 0;
}

void dni_dense_dropout_forward(dn_layer *dense, dn_layer *dropout, const float *params,
                               const dn_gemm_impl *impl, const float *packed, const float *x,
                               size_t rows, const dn_rng_stream *stream, uint64_t step,
                               const dn_exec *exec) {
    const float *kernel = params + dense->param_offset;
    size_t out = dense->out;
    dn_gemm_epilogue e = output_pass(dense, params);
    e.stream = stream;
    e.step = step;
    e.threshold = dropout->drop_threshold;
    e.scale = dropout->keep_scale;
    e.dropped = dropout->y;
    e.bits = dropout->keep_bits;
    if (packed != NULL) /* the same sums in the same order (gemm_packed.h) */
        dni_gemm_prepacked(impl, exec->gemm_ws, exec->threads, rows, out, dense->in, x, dense->in,
                           packed, dense->pre, out, &e);
    else
        dni_gemm_fused(exec->kernel, exec->gemm_ws, exec->threads, rows, out, dense->in, x,
                       dense->in, kernel, out, dense->pre, out, &e);
}

/* Columns per band of the bias gradient: 64 sums stay in registers while the rows stream by. */
enum { DN_BIAS_BAND = 64 };

/* sum [64] += the 64 columns at dz of every row (rows `ld` apart), row after row. A fixed width
 * so the adds run as vectors across columns (with the band's width a variable, GCC kept them
 * scalar, each sum stored and reloaded per row: 2.5 % of a W2 epoch); per element the same adds
 * in the same order. */
static void full_band_sum(const float *dz, size_t rows, size_t ld, float *sum) {
    for (size_t r = 0; r < rows; ++r) {
        const float *row = dz + r * ld;
#pragma omp simd
        for (size_t j = 0; j < DN_BIAS_BAND; ++j) sum[j] += row[j];
    }
}

/* db [out] = Σ_rows dz, summed row by row in order whatever the thread count (threads split
 * the columns into bands). Each band walks dz row after row, so the reads are contiguous and
 * the adds vectorise across columns; every element is still 0 + dz[0][j] + dz[1][j] + … in that
 * order, so the result is the column-by-column loop's, bit for bit (it was 5 % of a W2 epoch
 * when it walked each column down the rows, a cache line per add). */
static void bias_gradient(const float *dz, float *d_bias, size_t rows, size_t out, int threads) {
    int team = dni_threads_for(threads, rows * out, 1 << 16);
    (void)team;
    size_t bands = (out + DN_BIAS_BAND - 1) / DN_BIAS_BAND;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t band = 0; band < bands; ++band) {
            size_t j0 = band * DN_BIAS_BAND, width = out - j0 < DN_BIAS_BAND ? out - j0 : DN_BIAS_BAND;
            float sum[DN_BIAS_BAND] = {0.0f};
            if (width == DN_BIAS_BAND)
                full_band_sum(dz + j0, rows, out, sum);
            else
                for (size_t r = 0; r < rows; ++r) {
                    const float *row = dz + r * out + j0;
                    for (size_t j = 0; j < width; ++j) sum[j] += row[j];
                }
            memcpy(d_bias + j0, sum, width * sizeof *sum);
        }
        dni_fpu_leave(fpu);
    }
}

/* d_in [rows×in] = dz·Wᵀ, when the layer below learns. */
static void input_gradient(const dn_layer *layer, const float *params, const float *dz,
                           size_t rows, const dn_exec *exec) {
    if (layer->d_in == NULL) return;
    const float *kernel = params + layer->param_offset;
    dni_gemm_ws_with(exec->kernel, exec->gemm_ws, exec->threads, 0, 1, rows, layer->in,
                     layer->out, dz, layer->out, kernel, layer->out, 0.0f, layer->d_in,
                     layer->in);
}

/* dW = xᵀ·dz, each finished part of it applied to W at once by the optimizer (optimizer.h),
 * while it is in cache; then db = Σ dz and the bias update. The same bits as the separate update
 * over the slab: every element gets the same arithmetic, once. */
static void gradient_and_update(const dn_layer *layer, float *grads, const float *x,
                                const float *dz, size_t rows, const dn_exec *exec) {
    const dn_exec_update *u = exec->update;
    size_t in = layer->in, out = layer->out, at = layer->param_offset;
    dn_optimizer_part part = {u->cfg, u->params + at, grads + at, u->m + at, u->v + at, out,
                              u->adam_alpha};
    dn_gemm_epilogue e = {.finished = dni_optimizer_update_part, .context = &part};
    dni_gemm_ws_epilogue(exec->kernel, exec->gemm_ws, exec->threads, 1, 0, in, out, rows, x, in,
                         dz, out, grads + at, out, &e);
    at += in * out; /* the bias */
    bias_gradient(dz, grads + at, rows, out, exec->threads);
    dni_optimizer_update_span(u->cfg, u->params + at, grads + at, u->m + at, u->v + at, out,
                              u->adam_alpha);
}

/* grad [rows×out] → dz (in place); dW [in×out] = xᵀ·dz; db [out] = Σ dz; d_in [rows×in] = dz·Wᵀ.
 * With exec->update the optimizer step is applied too, so d_in, which reads W, goes first. */
void dni_dense_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                        float *grad, int grad_is_pre, size_t rows, const dn_exec *exec) {
    size_t in = layer->in, out = layer->out;
    if (!grad_is_pre)
        dni_activation_backward(layer->activation, layer->pre, layer->y, grad, rows, out,
                                exec->threads);
    if (exec->update != NULL) {
        input_gradient(layer, params, grad, rows, exec);
        gradient_and_update(layer, grads, x, grad, rows, exec);
        return;
    }
    float *d_kernel = grads + layer->param_offset;
    float *d_bias = d_kernel + in * out;
    dni_gemm_ws_with(exec->kernel, exec->gemm_ws, exec->threads, 1, 0, in, out, rows, x, in, grad,
                     out, 0.0f, d_kernel, out);
    bias_gradient(grad, d_bias, rows, out, exec->threads);
    input_gradient(layer, params, grad, rows, exec);
}
