/* loss.h — losses over a batch (loss.c; internal). */
#ifndef DN_MODEL_LOSS_H
#define DN_MODEL_LOSS_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* Whether the loss is computed from the last layer's pre-activation (softmax/sigmoid fused). */
int dni_loss_is_fused(dn_loss loss, dn_activation last);

/* 1 for the losses on float targets without an accuracy (mean squared / absolute error). */
int dni_loss_is_regression(dn_loss loss);

/* Loss of `rows` rows of a batch of `mean_rows` (equal but for a block of a batch in the
 * reproducible mode). Adds Σ per-row loss to *loss_sum and correct predictions to *correct
 * (rows for categorical, elements for binary; untouched for MSE); writes the gradient, already
 * divided for the mean over `mean_rows`, to `grad` [rows×cols] (dL/dz when fused, else dL/dy). */
void dni_loss_batch(dn_loss loss, dn_activation last, const float *pre, const float *y,
                    size_t rows, size_t mean_rows, size_t cols, const int32_t *labels,
                    const float *targets, float *grad, double *loss_sum, double *correct);

#endif
