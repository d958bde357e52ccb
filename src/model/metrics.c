/* metrics.c — predictions and confusion counts over whole datasets, at inference. */
#include "model/metrics.h"
#include "model/model.h"
#include "model/chunks.h"
#include "model/network.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/raw_columns.h"

#include <string.h>

static dn_status check_features(const dn_model *m, const dn_dataset *d, dn_error *err) {
    if (m == NULL || d == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and data must not be NULL");
    dn_status st = dni_model_require_compiled(m, NULL, err);
    if (st == DN_OK) st = dni_dataset_require_prepared(d, "the data", err);
    if (st != DN_OK) return st;
    if (d->features != m->input_size)
        return dni_fail(err, DN_ERR_SHAPE, "the data has %zu features but the model expects %zu",
                        d->features, m->input_size);
    return DN_OK;
}

void dni_model_copy_outputs(dn_model *m, void *out, size_t begin, size_t rows) {
    size_t cols = dn_model_output_size(m);
    const float *y = dni_model_run(m, rows, DN_MODE_INFERENCE, 0);
    memcpy((float *)out + begin * cols, y, rows * cols * sizeof(float));
}

dn_status dn_model_predict_dataset(dn_model *model, const dn_dataset *data, float *out,
                                   dn_error *err) {
    dn_status st = check_features(model, data, err);
    if (st == DN_OK && out == NULL) st = dni_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    dn_row_source src = {.data = data};
    return st == DN_OK ? dni_model_for_each_chunk(model, &src, 0, dni_model_copy_outputs, out, err)
                       : st;
}

size_t dn_predicted_class(const float *y, size_t cols) {
    if (y == NULL || cols == 0) return 0;
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

static void count_chunk(dn_model *m, void *user, size_t begin, size_t rows) {
    confusion *c = user;
    size_t cols = dn_model_output_size(m);
    const float *y = dni_model_run(m, rows, DN_MODE_INFERENCE, 0);
    for (size_t r = 0; r < rows; ++r) {
        size_t truth = (size_t)c->data->labels[begin + r];
        c->matrix[truth * c->classes + dn_predicted_class(y + r * cols, cols)]++;
    }
}

dn_status dn_model_confusion_matrix(dn_model *model, const dn_dataset *data, uint64_t *matrix,
                                    dn_error *err) {
    dn_status st = check_features(model, data, err);
    if (st != DN_OK) return st;
    if (matrix == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "matrix must not be NULL");
    size_t outputs = dn_model_output_size(model);
    size_t classes = outputs == 1 ? 2 : outputs;
    if (data->classes == 0 || data->classes > classes)
        return dni_fail(err, DN_ERR_SHAPE, "the data has %zu classes but the model predicts %zu",
                        data->classes, classes);
    memset(matrix, 0, classes * classes * sizeof *matrix);
    confusion c = {data, matrix, classes};
    dn_row_source src = {.data = data};
    return dni_model_for_each_chunk(model, &src, 0, count_chunk, &c, err);
}
