/* chunks.h — the one chunked loop over many rows (chunks.c; internal). */
#ifndef DN_MODEL_CHUNKS_H
#define DN_MODEL_CHUNKS_H

#include "dropnet.h"

#include <stddef.h>

/* Where the rows of a chunked run come from: `x` [rows×input_size], or else `data` (all its
 * rows; with its labels or targets too when `with_targets`). `index`, when not NULL, is scratch
 * for the chunk's row numbers [chunk] (fit passes its own, so an epoch allocates nothing). */
typedef struct dn_row_source {
    const float *x;
    size_t rows;
    const dn_dataset *data;
    int with_targets;
    size_t *index;
} dn_row_source;

/* Called once per chunk, after rows [begin, begin + rows) are in the model's input buffers. */
typedef void (*dn_chunk_fn)(dn_model *model, void *user, size_t begin, size_t rows);

/* The one chunked loop over many rows (chunks.c): `chunk` rows at a time (≤ the capacity), or,
 * when 0, the capacity after growing it for inference. Fails only when out of memory. */
dn_status dni_model_for_each_chunk(dn_model *model, const dn_row_source *src, size_t chunk,
                                   dn_chunk_fn visit, void *user, dn_error *err);

#endif
