/* alpha_dropout.h — alpha dropout (alpha_dropout.c; internal). */
#ifndef DN_LAYERS_ALPHA_DROPOUT_H
#define DN_LAYERS_ALPHA_DROPOUT_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Alpha dropout (alpha_dropout.c). x, y [rows×out]. Training: the dropout mask of
 * (DN_RNG_DROPOUT, layer, step), y = keep ? a·x + b : a·α' + b. Inference: y = x. */
void dni_alpha_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                               const float *x, size_t rows, dn_mode mode, uint64_t step,
                               const dn_exec *exec);
/* d_in = keep ? a·grad : 0. */
void dni_alpha_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                const dn_exec *exec);

#endif
