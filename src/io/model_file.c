/* model_file.c — the model file format's vocabulary (model_file.h), shared by saving
 * (model_save.c) and loading (model_load.c). */
#include "io/model_file.h"

#include "dropnet.h"
#include "io/checksum.h"

#include <stdio.h>

const dni_format_key dni_format_keys[DNI_FORMAT_KEY_COUNT] = {
    {"dropnet.format", 1, DNI_ANY_OPTIMIZER},
    {"dropnet.version", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.input_size", 1, DNI_ANY_OPTIMIZER},
    {"dropnet.spec", 1, DNI_ANY_OPTIMIZER},
    {"dropnet.loss", 1, DNI_ANY_OPTIMIZER},
    {"dropnet.optimizer", 1, DNI_ANY_OPTIMIZER},
    {"dropnet.learning_rate", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.momentum", 0, DN_OPTIMIZER_SGD},
    {"dropnet.nesterov", 0, DN_OPTIMIZER_SGD},
    {"dropnet.beta1", 0, DN_OPTIMIZER_ADAM},
    {"dropnet.beta2", 0, DN_OPTIMIZER_ADAM},
    {"dropnet.epsilon", 0, DN_OPTIMIZER_ADAM},
    {"dropnet.seed", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.step", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.epochs_done", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.class_names", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.standardization_mean", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.standardization_std", 0, DNI_ANY_OPTIMIZER},
    {"dropnet.l2", 0, DNI_ANY_OPTIMIZER},       /* dn_regularization, written when > 0 */
    {"dropnet.max_norm", 0, DNI_ANY_OPTIMIZER},
    {DN_CHECKSUM_KEY, 0, DNI_ANY_OPTIMIZER},      /* io/checksum.h; verified when present */
    {"dropnet.checkpoint_state", 0, DNI_ANY_OPTIMIZER}, /* the caller's text, checkpoints only */
};

const char *const dni_loss_names[4] = {"sparse_categorical_crossentropy", "mean_squared_error",
                                         "binary_crossentropy", "mean_absolute_error"};
const char *const dni_optimizer_names[2] = {"sgd", "adam"};

/* Tensor names: "layers.<i>.kernel" and "layers.<i>.bias", i the layer's index in the spec.
 * Checkpoints add the optimizer's slabs and the caller's floats, each one flat tensor. */
const char dni_tensor_opt_m[] = "optimizer.m", dni_tensor_opt_v[] = "optimizer.v", dni_tensor_extra[] = "checkpoint.values";
void dni_tensor_name(char buf[DNI_TENSOR_NAME_SIZE], size_t layer, int bias) {
    snprintf(buf, DNI_TENSOR_NAME_SIZE, "layers.%zu.%s", layer, bias ? "bias" : "kernel");
}

/* A new key must be added to the count too. */
_Static_assert(sizeof dni_format_keys / sizeof dni_format_keys[0] == DNI_FORMAT_KEY_COUNT, "key count");
