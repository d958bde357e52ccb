/* dropconnect.c — a dense layer whose weights, not activations, are dropped while training
 * (Wan et al. 2013), with inverted scaling: W' = M⊙W/(1 − rate), one mask M per forward pass.
 *
 * The masked kernel and the bias are written to layer->connect_params in the slab's layout
 * (kernel [in×out] then bias [out]), so the dense layer's own forward and backward run unchanged
 * on them through a view of the layer whose parameters start at offset 0. The mask of kernel
 * element e is the dropout rule on the stream (DN_RNG_DROPCONNECT, layer, step), drawn by the
 * shared dropout kernel, which also keeps it as bits for the gradient. At inference the plain
 * dense layer runs: W is the mean of the masked kernels (the weight-scaling rule). */
#include "layers/dropconnect.h"
#include "layers/layer.h"
#include "layers/dense.h"

#include "core/rng.h"
#include "kernels/dropout_kernel.h"

#include <string.h>

/* The same layer with its parameters at offset 0 of connect_params (shares every buffer). */
static dn_layer masked_view(const dn_layer *layer) {
    dn_layer view = *layer;
    view.param_offset = 0;
    return view;
}

void dni_dropconnect_forward(dn_layer *layer, const float *params, uint64_t seed,
                             uint32_t layer_index, const float *x, size_t rows, dn_mode mode,
                             uint64_t step, const dn_exec *exec) {
    layer->connect_active = mode == DN_MODE_TRAINING;
    if (!layer->connect_active) {
        dni_dense_forward(layer, params, x, rows, exec);
        return;
    }
    size_t weights = layer->in * layer->out;
    const float *kernel = params + layer->param_offset;
    dn_rng_stream stream = dni_rng_stream_make(seed, DN_RNG_DROPCONNECT, layer_index);
    dni_dropout_mask_apply(&stream, step, layer->connect_threshold, layer->connect_scale, kernel,
                           layer->connect_params, layer->connect_bits, weights, exec->threads);
    memcpy(layer->connect_params + weights, kernel + weights, layer->out * sizeof(float));
    dn_layer view = masked_view(layer);
    dni_dense_forward(&view, layer->connect_params, x, rows, exec);
}

/* dL/dW = dL/dW' ⊙ M/(1 − rate): the dense backward through W', then the kernel gradient masked
 * and scaled in place (the bias is not masked). */
void dni_dropconnect_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                              float *grad, int grad_is_pre, size_t rows, const dn_exec *exec) {
    if (!layer->connect_active) {
        dni_dense_backward(layer, params, grads, x, grad, grad_is_pre, rows, exec);
        return;
    }
    dn_layer view = masked_view(layer);
    float *d_kernel = grads + layer->param_offset;
    dni_dense_backward(&view, layer->connect_params, d_kernel, x, grad, grad_is_pre, rows, exec);
    dni_dropout_mask_backward(layer->connect_bits, layer->connect_scale, d_kernel, d_kernel,
                              layer->in * layer->out, exec->threads);
}
