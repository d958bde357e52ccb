/* fit.h — what the training loop shares with the other entry points (fit.c; internal). */
#ifndef DN_MODEL_FIT_H
#define DN_MODEL_FIT_H

#include "dropnet.h"

#include <stddef.h>

/* Checks that `data` suits the compiled model: features, classes or targets vs outputs. */
dn_status dni_model_check_data(const dn_model *model, const dn_dataset *data, const char *what,
                               dn_error *err);

/* Gathers rows index[0..n) of `data` into the model's input/label/target buffers. */
void dni_model_load_batch(dn_model *model, const dn_dataset *data, const size_t *index, size_t n);

#endif
