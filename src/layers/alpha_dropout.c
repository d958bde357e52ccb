/* alpha_dropout.c — dropout for SELU networks (Klambauer et al. 2017, Keras AlphaDropout).
 *
 * Dropping to 0 would shift the mean and variance that SELU keeps at (0, 1), so dropped units take
 * SELU's saturation value α' = −λα instead and an affine map y = a·x + b restores both moments
 * (constants computed in dn_model_add_alpha_dropout). The mask is the plain dropout mask of this
 * layer's stream, drawn by the shared kernel: first y = keep ? a·x : 0, then b (kept) or a·α' + b
 * (dropped) is added from the mask bits. */
#include "layers/layer.h"
#include "core/fpu.h"

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/dropout_kernel.h"

#include <string.h>

/* −λα of SELU (dn_model_add_alpha_dropout's α'). */
#define ALPHA_PRIME (-1.0507009873554804934193349852946f * 1.6732632423543772848170429916717f)

enum { PARALLEL_MIN_ELEMENTS = 1 << 15 };

/* y [n] holds keep ? a·x : 0; adds b to kept and a·α' + b to dropped elements. */
static void add_offsets(const uint32_t *bits, float a, float b, float *y, size_t n, int threads) {
    float dropped_value = a * ALPHA_PRIME + b;
    int team = dni_threads_for(threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t e = 0; e < n; ++e) y[e] = dni_mask_kept(bits, e) ? y[e] + b : dropped_value;
        dni_fpu_leave(fpu);
    }
}

void dni_alpha_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                               const float *x, size_t rows, dn_mode mode, uint64_t step,
                               const dn_exec *exec) {
    size_t n = rows * layer->out;
    if (dni_inference_identity(layer, x, n, mode)) return;
    dn_rng_stream stream = dni_exec_row_stream(dni_dropout_stream(seed, layer_index), exec,
                                               layer->out);
    dni_dropout_mask_apply(&stream, step, layer->drop_threshold, layer->alpha_a, x, layer->y,
                           layer->keep_bits, n, exec->threads);
    add_offsets(layer->keep_bits, layer->alpha_a, layer->alpha_b, layer->y, n, exec->threads);
}

/* dy/dx = a for kept units; dropped ones are constants. */
void dni_alpha_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                const dn_exec *exec) {
    if (layer->d_in == NULL) return;
    dni_dropout_mask_backward(layer->keep_bits, layer->alpha_a, grad, layer->d_in,
                              rows * layer->out, exec->threads);
}
