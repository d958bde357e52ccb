/* chunks.c — the one loop that runs many rows through a model in chunks of its buffers: used by
 * evaluate and predict (fit.c), the dataset predictions and confusion counts (metrics.c) and MC
 * dropout (mc_dropout.c). It loads (and standardises) each chunk; the visitor runs it. */
#include "model/chunks.h"
#include "model/model.h"
#include "model/fit.h"
#include "model/model_buffers.h"
#include "model/preprocess.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"

#include <string.h>

/* Rows [begin, begin + n) of the source into the model's input (and labels or targets). */
static void load_chunk(dn_model *m, const dn_row_source *src, size_t *index, size_t begin,
                       size_t n) {
    if (src->x != NULL) {
        memcpy(m->input, src->x + begin * m->input_size, n * m->input_size * sizeof(float));
        dni_model_standardize_rows(m, m->input, n);
        return;
    }
    for (size_t i = 0; i < n; ++i) index[i] = begin + i;
    if (src->with_targets) {
        dni_model_load_batch(m, src->data, index, n); /* standardises too */
        return;
    }
    dni_dataset_gather_x(src->data, index, n, m->input);
    dni_model_standardize_rows(m, m->input, n);
}

dn_status dni_model_for_each_chunk(dn_model *m, const dn_row_source *src, size_t chunk,
                                   dn_chunk_fn visit, void *user, dn_error *err) {
    size_t rows = src->x != NULL ? src->rows : src->data->rows;
    if (chunk == 0) {
        dni_model_reserve_for_inference(m, rows);
        chunk = m->capacity;
    }
    size_t *index = src->index, *owned = NULL;
    if (src->x == NULL && index == NULL) {
        index = owned = dni_alloc_zeroed(chunk, sizeof *index);
        if (index == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    }
    dn_status st = DN_OK;
    for (size_t begin = 0; st == DN_OK && begin < rows; begin += chunk) {
        size_t n = rows - begin < chunk ? rows - begin : chunk;
        load_chunk(m, src, index, begin, n);
        /* rows read from a file: a failed read is not visited (data/disk_rows.h) */
        if (src->x == NULL && (st = dni_dataset_check_io(src->data, err)) != DN_OK) break;
        visit(m, user, begin, n);
    }
    dni_free(owned);
    return st;
}
