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

/* dni_model_backprop that also applies the optimizer step t (1-based) to every parameter, each
 * dense kernel as its weight-gradient product finishes its tiles (dense.c): one pass over the
 * weights instead of two, and the same bits as the backward pass followed by
 * dni_optimizer_update. Only where nothing else must see the whole gradient first (fit.c) and
 * dni_model_update_fusable. The gradients are still written to model->grads. */
void dni_model_backprop_update(dn_model *model, size_t rows, int fused, uint64_t t);

/* 1 when every layer with parameters is a plain dense layer (kernel then bias; no
 * DropConnect), so the fused update covers the whole slab. */
int dni_model_update_fusable(const dn_model *model);

/* How the model's passes run: its thread setting and GEMM workspace. */
dn_exec dni_model_exec(const dn_model *model);

#endif
