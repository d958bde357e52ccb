/* output_head.h — the output layer train gives a --model that leaves it out, and the check that
 * one given fits the data (docs/DATA.md "The output layer"; output_head.c). */
#ifndef CLI_TRAIN_OUTPUT_HEAD_H
#define CLI_TRAIN_OUTPUT_HEAD_H

#include "dropnet.h"

#include <stddef.h>

/* Writes to out [size] the spec to build for `train`: `spec` as given when its last layer is an
 * output layer (dense with softmax, sigmoid or linear) that fits the data (K classes: K-unit
 * softmax or linear logits, or for K = 2 one sigmoid unit; float targets: one linear unit);
 * `spec` with ",dense:K:softmax" (K ≥ 2 classes, 2 included) or ",dense:1:linear" (regression)
 * appended when its last layer is a dropout layer or a hidden dense layer (any other
 * activation), saying so on stderr when `say`. Prints the fix and returns -1 for an output layer
 * that does not fit, or a spec that does not parse; else 0. */
int cli_output_head(const char *spec, const dn_dataset *train, int say, char *out, size_t size);

#endif
