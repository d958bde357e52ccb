/* preprocess.c — the standardisation a model applies to its inputs, x ← (x − mean) / std.
 * Stored in the model (and its file) so that predictions on raw features use the statistics the
 * model was trained with. */
#include "model/preprocess.h"
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

void dni_model_clear_standardization(dn_model *model) {
    dni_free(model->std_mean);
    dni_free(model->std_scale);
    model->std_mean = model->std_scale = NULL;
}

/* The first index whose mean is not finite or whose std is not finite and > 0, checked before
 * anything is copied so a failed call changes nothing. */
static dn_status check_values(size_t n, const float *mean, const float *std, dn_error *err) {
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(mean[i]))
            return dni_fail(err, DN_ERR_ARGUMENT,
                            "standardization mean[%zu] must be finite, got %g",
                           i, (double)mean[i]);
        if (!(std[i] > 0.0f) || !isfinite(std[i]))
            return dni_fail(err, DN_ERR_ARGUMENT,
                            "standardization std[%zu] must be > 0 and finite, got %g", i,
                            (double)std[i]);
    }
    return DN_OK;
}

dn_status dn_model_set_standardization(dn_model *model, const float *mean, const float *std,
                                       dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (mean == NULL && std == NULL) {
        dni_model_clear_standardization(model);
        return DN_OK;
    }
    if (mean == NULL || std == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "standardization needs both mean and std (or neither, "
                        "to remove it); got %s NULL",
                        mean == NULL ? "mean" : "std");
    size_t n = model->input_size;
    dn_status st = check_values(n, mean, std, err);
    if (st != DN_OK) return st;
    float *m = dni_alloc_zeroed(n, sizeof(float)), *s = dni_alloc_zeroed(n, sizeof(float));
    if (m == NULL || s == NULL) {
        dni_free(m);
        dni_free(s);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for a standardization of %zu features",
                        n);
    }
    memcpy(m, mean, n * sizeof(float));
    memcpy(s, std, n * sizeof(float));
    dni_model_clear_standardization(model);
    model->std_mean = m;
    model->std_scale = s;
    return DN_OK;
}

int dn_model_get_standardization(const dn_model *model, const float **mean, const float **std) {
    if (model == NULL || model->std_mean == NULL) return 0;
    if (mean) *mean = model->std_mean;
    if (std) *std = model->std_scale;
    return 1;
}

void dni_model_standardize_rows(const dn_model *model, float *x, size_t rows) {
    if (model->std_mean == NULL) return;
    size_t n = model->input_size;
    const float *mean = model->std_mean, *std = model->std_scale;
    /* Division, not multiplication by 1/std: the same rounding as (x − mean) / std elsewhere. */
    for (size_t r = 0; r < rows; ++r, x += n)
        for (size_t j = 0; j < n; ++j) x[j] = (x[j] - mean[j]) / std[j];
}
