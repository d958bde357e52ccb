/* metrics.c — predictions and confusion counts over whole datasets, at inference. */
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"

#include <string.h>

/* Runs rows [0, n) of `data` through the model in chunks of its capacity; for each chunk calls
 * `visit` with the first row's index, the row count and the outputs. */
typedef void (*chunk_visitor)(void *user, size_t begin, size_t rows, const float *y, size_t cols);

static dn_status for_each_chunk(dn_model *m, const dn_dataset *d, chunk_visitor visit, void *user,
                                dn_error *err) {
    dn_model_reserve_for_inference(m, d->rows);
    size_t *index = dn_alloc_zeroed(m->capacity, sizeof *index);
    if (index == NULL) return dn_fail(err, DN_ERR_MEMORY, "out of memory");
    size_t cols = dn_model_output_size(m);
    for (size_t begin = 0; begin < d->rows; begin += m->capacity) {
        size_t rows = d->rows - begin < m->capacity ? d->rows - begin : m->capacity;
        for (size_t i = 0; i < rows; ++i) index[i] = begin + i;
        dn_dataset_gather_x(d, index, rows, m->input);
        dn_model_standardize_rows(m, m->input, rows);
        visit(user, begin, rows, dn_model_run(m, rows, DN_MODE_INFERENCE, 0), cols);
    }
    dn_free(index);
    return DN_OK;
}

static dn_status check_features(const dn_model *m, const dn_dataset *d, dn_error *err) {
    if (m == NULL || d == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model and data must not be NULL");
    if (!m->compiled || m->capacity == 0)
        return dn_fail(err, DN_ERR_STATE, "compile the model first");
    if (d->features != m->input_size)
        return dn_fail(err, DN_ERR_SHAPE, "the data has %zu features but the model expects %zu",
                       d->features, m->input_size);
    return DN_OK;
}

static void copy_outputs(void *user, size_t begin, size_t rows, const float *y, size_t cols) {
    memcpy((float *)user + begin * cols, y, rows * cols * sizeof(float));
}

dn_status dn_model_predict_dataset(dn_model *model, const dn_dataset *data, float *out,
                                   dn_error *err) {
    dn_status st = check_features(model, data, err);
    if (st == DN_OK && out == NULL) st = dn_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    return st == DN_OK ? for_each_chunk(model, data, copy_outputs, out, err) : st;
}

size_t dn_predicted_class(const float *y, size_t cols) {
    if (cols == 1) return y[0] > 0.5f; /* one sigmoid unit: class 1 when p > 0.5, as Keras */
    size_t best = 0;
    for (size_t j = 1; j < cols; ++j)
        if (y[j] > y[best]) best = j;
    return best;
}

typedef struct confusion {
    const dn_dataset *data;
    uint64_t *matrix;
    size_t classes;
} confusion;

static void count_chunk(void *user, size_t begin, size_t rows, const float *y, size_t cols) {
    confusion *c = user;
    for (size_t r = 0; r < rows; ++r) {
        size_t truth = (size_t)c->data->labels[begin + r];
        c->matrix[truth * c->classes + dn_predicted_class(y + r * cols, cols)]++;
    }
}

dn_status dn_model_confusion_matrix(dn_model *model, const dn_dataset *data, uint64_t *matrix,
                                    dn_error *err) {
    dn_status st = check_features(model, data, err);
    if (st != DN_OK) return st;
    if (matrix == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "matrix must not be NULL");
    size_t outputs = dn_model_output_size(model);
    size_t classes = outputs == 1 ? 2 : outputs;
    if (data->classes == 0 || data->classes > classes)
        return dn_fail(err, DN_ERR_SHAPE, "the data has %zu classes but the model predicts %zu",
                       data->classes, classes);
    memset(matrix, 0, classes * classes * sizeof *matrix);
    confusion c = {data, matrix, classes};
    return for_each_chunk(model, data, count_chunk, &c, err);
}
