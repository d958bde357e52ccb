/* trace.h — text renderings of a model and a run: the Model Pipeline Trace sections. */
#ifndef CLI_TRACE_H
#define CLI_TRACE_H

#include "dropnet.h"

#include <stdio.h>

/* "[0.53, 1.21, 0.30, ..., 0.71]": the first three values, then the last (all when n ≤ 4). */
void cli_trace_row(FILE *out, const float *row, size_t n);

/* The Keras-style summary table: layer (type), output shape, parameter count, totals. */
void cli_trace_summary(FILE *out, const dn_model *model);

/* A horizontal bar per epoch, length proportional to the training loss. */
void cli_trace_loss_chart(FILE *out, const dn_epoch_metrics *history, size_t epochs);

/* What epoch `i` of `history` shows, derived from its numbers and the previous epoch's. */
void cli_trace_observation(const dn_epoch_metrics *history, size_t i, char *buf, size_t size);

/* The table epoch | loss | accuracy | val_loss | val_accuracy | observation. */
void cli_trace_epoch_table(FILE *out, const dn_epoch_metrics *history, size_t epochs);

/* The side of a square image when `features` is 784 (28 × 28) or another perfect square ≥ 64,
 * else 0: inputs that are drawn as pictures (IDX images). */
size_t cli_trace_image_side(size_t features);

/* side×side pixels as text, two characters a pixel from " .:-=+*#%@" (darkest to brightest,
 * scaled to the pixels' range), one line per pixel row. */
void cli_trace_image(FILE *out, const float *pixels, size_t side);

/* "Training trace" (train --trace): the loss chart and the epoch table; nothing for 0 epochs. */
void cli_trace_training(FILE *out, const dn_epoch_metrics *history, size_t epochs);

/* One example through the network at inference, layer by layer, with the predicted class and,
 * when true_label ≥ 0, the true one. Returns the predicted class or -1 on error. */
/* The first part of cli_trace_prediction: the input and every layer's output (one forward pass
 * at inference). Returns 0, or -1 with err filled. */
int cli_trace_layers(FILE *out, dn_model *model, const float *x, dn_error *err);

int cli_trace_prediction(FILE *out, dn_model *model, const float *x, int true_label, dn_error *err);

/* "Dropout", "Dense". */
const char *cli_trace_layer_type(dn_layer_kind kind);

#endif
