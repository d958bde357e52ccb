/* network.h — the forward and backward passes over the layer stack (network.c; internal). */
#ifndef DN_MODEL_NETWORK_H
#define DN_MODEL_NETWORK_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Forward pass over model->input [rows×input_size]; returns the output [rows×outputs]. */
const float *dni_model_run(dn_model *model, size_t rows, dn_mode mode, uint64_t step);

/* Backward pass from model->loss_grad; `fused` means loss_grad is dL/dz of the last layer. */
void dni_model_backprop(dn_model *model, size_t rows, int fused);

/* How the model's passes run: its thread setting and GEMM workspace. */
dn_exec dni_model_exec(const dn_model *model);

#endif
