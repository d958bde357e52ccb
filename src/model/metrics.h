/* metrics.h — predictions over whole datasets (metrics.c; internal). */
#ifndef DN_MODEL_METRICS_H
#define DN_MODEL_METRICS_H

#include "dropnet.h"

#include <stddef.h>

/* A dn_chunk_fn: runs the chunk at inference and copies its outputs to `out` [rows×outputs]
 * (a float array) at row `begin` (metrics.c). */
void dni_model_copy_outputs(dn_model *model, void *out, size_t begin, size_t rows);

#endif
