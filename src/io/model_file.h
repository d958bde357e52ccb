/* model_file.h — the model file format's vocabulary, shared by model_save.c and model_load.c
 * (internal): the metadata keys, the loss and optimizer names, the tensor names. docs/FORMAT.md is
 * the specification; keep the three in step. */
#ifndef DN_IO_MODEL_FILE_H
#define DN_IO_MODEL_FILE_H

#include <stddef.h>

#define DNI_FORMAT_VERSION "1"

/* Every key the format defines, who needs it, and which optimizer it belongs to. */
enum { DNI_ANY_OPTIMIZER = -1 };
typedef struct dni_format_key {
    const char *key;
    int required;
    int optimizer; /* a dn_optimizer_kind, or DNI_ANY_OPTIMIZER */
} dni_format_key;
enum { DNI_FORMAT_KEY_COUNT = 22 };
extern const dni_format_key dni_format_keys[DNI_FORMAT_KEY_COUNT];

/* Indexed by dn_loss and dn_optimizer_kind. */
extern const char *const dni_loss_names[4];
extern const char *const dni_optimizer_names[2];

/* Tensor names: "layers.<i>.kernel" and "layers.<i>.bias", i the layer's index in the spec.
 * Checkpoints add the optimizer's slabs and the caller's floats, each one flat tensor. */
extern const char dni_tensor_opt_m[], dni_tensor_opt_v[], dni_tensor_extra[];
enum { DNI_TENSOR_NAME_SIZE = 48 };
void dni_tensor_name(char buf[DNI_TENSOR_NAME_SIZE], size_t layer, int bias);

#endif
