/* dense.h — the dense layer, alone or fused with the dropout after it (dense.c; internal). */
#ifndef DN_LAYERS_DENSE_H
#define DN_LAYERS_DENSE_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Dense forward: pre = x·W + b, y = act(pre).   x [rows×in], W [in×out], b [out]. */
void dni_dense_forward(dn_layer *layer, const float *params, const float *x, size_t rows,
                       const dn_exec *exec);

/* dni_dense_forward with the kernel packed once for `impl` (kernels/gemm_packed.h; the model's
 * inference plan, model/inference_plan.h): bitwise the same outputs, without packing W per call.
 * `packed` NULL: exactly dni_dense_forward. The bias still comes from `params`. */
struct dn_gemm_impl;
void dni_dense_forward_packed(dn_layer *layer, const float *params,
                              const struct dn_gemm_impl *impl, const float *packed,
                              const float *x, size_t rows, const dn_exec *exec);

/* Whether a dense layer and the dropout layer after it can run as one fused pass in training:
 * a plain dense layer (no DropConnect) with an element-wise activation and a multiple of 64
 * units, and a dropout rate above 0 (rate 0 stays an exact copy). */
int dni_dense_dropout_fusable(const dn_layer *dense, const dn_layer *dropout);

/* Both layers in one pass: pre = x·W + b, y = act(pre), then the dropout layer's y and mask bits
 * from `stream` at `step`, all in the product's output pass; bitwise the same as running
 * dni_dense_forward then dni_dropout_forward. `packed` (for `impl`, or NULL) as in
 * dni_dense_forward_packed: the same bits without packing W per call. */
void dni_dense_dropout_forward(dn_layer *dense, dn_layer *dropout, const float *params,
                               const struct dn_gemm_impl *impl, const float *packed,
                               const float *x, size_t rows, const dn_rng_stream *stream,
                               uint64_t step, const dn_exec *exec);

/* Dense backward. grad [rows×out] holds dL/dy (or dL/dz when `grad_is_pre`, for a loss fused
 * with the activation) and is overwritten with dL/dz. Writes dW = xᵀ·dz, db = Σ_rows dz into
 * `grads` (overwriting) and, when layer->d_in is set, d_in = dz·Wᵀ. */
void dni_dense_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                        float *grad, int grad_is_pre, size_t rows, const dn_exec *exec);


#endif
