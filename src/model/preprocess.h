/* preprocess.h — the model's input standardisation (preprocess.c; internal). */
#ifndef DN_MODEL_PREPROCESS_H
#define DN_MODEL_PREPROCESS_H

#include "dropnet.h"

#include <stddef.h>

/* x [rows×input_size] ← (x − mean) / std in place, with the model's standardisation; a no-op
 * when none is set (model/preprocess.c). */
void dni_model_standardize_rows(const dn_model *model, float *x, size_t rows);

/* Releases the standardisation (for dn_model_free). */
void dni_model_clear_standardization(dn_model *model);

#endif
