/* targets.c — a dataset's float targets: read access and standardisation in place (regression
 * fits standardised targets; the CLI undoes it on the model's outputs). */
#include "data/dataset.h"

#include "core/error.h"

#include <math.h>

const float *dn_dataset_target_values(const dn_dataset *data) {
    return data != NULL && data->targets > 0 ? data->y : NULL;
}

dn_status dn_dataset_scale_targets(dn_dataset *data, const float *mean, const float *std,
                                   dn_error *err) {
    if (data == NULL || mean == NULL || std == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "data, mean and std must not be NULL");
    if (data->targets == 0 || data->y == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "the dataset has no float targets to scale");
    for (size_t j = 0; j < data->targets; ++j)
        if (!isfinite(mean[j]) || !isfinite(std[j]) || !(std[j] > 0.0f))
            return dni_fail(err, DN_ERR_ARGUMENT, "target %zu: expected a finite mean and a "
                            "finite std > 0, found mean %g, std %g", j, (double)mean[j],
                            (double)std[j]);
    for (size_t r = 0; r < data->rows; ++r)
        for (size_t j = 0; j < data->targets; ++j) {
            float *t = &data->y[r * data->targets + j];
            *t = (float)(((double)*t - mean[j]) / std[j]);
        }
    return DN_OK;
}
