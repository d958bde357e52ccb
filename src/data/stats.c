/* stats.c — per-feature mean and standard deviation, for standardising inputs. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>

/* Rows are gathered in blocks so that u8 datasets are scaled exactly as a training batch is. */
enum { DN_STATS_BLOCK = 64 };

/* Adds f(value) over all rows into acc [features], where f is x (pass 1) or (x − mean)² (pass 2):
 * two passes instead of a running formula, because the sum of squared deviations from a known
 * mean does not cancel catastrophically. */
static void accumulate(const dn_dataset *d, const double *mean, float *block, double *acc) {
    size_t index[DN_STATS_BLOCK], f = d->features;
    for (size_t begin = 0; begin < d->rows; begin += DN_STATS_BLOCK) {
        size_t n = d->rows - begin < DN_STATS_BLOCK ? d->rows - begin : DN_STATS_BLOCK;
        for (size_t i = 0; i < n; ++i) index[i] = begin + i;
        dni_dataset_gather_x(d, index, n, block);
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < f; ++j) {
                double v = block[i * f + j];
                acc[j] += mean ? (v - mean[j]) * (v - mean[j]) : v;
            }
    }
}

dn_status dn_dataset_feature_stats(const dn_dataset *data, float *mean, float *std,
                                   dn_error *err) {
    if (data == NULL || mean == NULL || std == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "feature stats: data, mean and std must not be NULL");
    size_t f = data->features;
    double *sum = dni_alloc_zeroed(f, 2 * sizeof(double)); /* [f] sums, then [f] deviations */
    float *block = dni_alloc_zeroed(f, DN_STATS_BLOCK * sizeof(float)); /* [block×f] */
    if (sum == NULL || block == NULL) {
        dni_free(sum);
        dni_free(block);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for statistics of %zu features", f);
    }
    double *dev = sum + f;
    accumulate(data, NULL, block, sum);
    for (size_t j = 0; j < f; ++j) sum[j] /= (double)data->rows; /* now the means */
    accumulate(data, sum, block, dev);
    for (size_t j = 0; j < f; ++j) {
        /* A constant column's values are floats, whose double sum is exact, so its mean equals
         * each value and its variance is exactly 0. */
        float s = (float)sqrt(dev[j] / (double)data->rows);
        mean[j] = (float)sum[j];
        std[j] = s > 0 ? s : 1.0f; /* see the header; also catches an std below float range */
    }
    dni_free(sum);
    dni_free(block);
    return dni_dataset_check_io(data, err); /* rows read from a file (disk_rows.h) */
}
