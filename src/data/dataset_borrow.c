/* dataset_borrow.c — a dataset over the caller's feature array, without a copy (dn_dataset_borrow).
 *
 * Bindings (Python's numpy arrays) hand over features they already hold as float32 rows; copying
 * a Fashion-MNIST-sized array would double the memory and cost a pass. Labels and targets are
 * small and are copied, so only x is borrowed. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

static dn_status check_borrow_arguments(dn_dataset **out, size_t rows, size_t features,
                                        const float *x, const int32_t *labels, size_t classes,
                                        size_t targets, const float *y, dn_error *err) {
    if (out == NULL || x == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset: out and x must not be NULL");
    if (rows == 0 || features == 0)
        return dni_fail(err, DN_ERR_ARGUMENT, "a dataset needs at least one row and one feature "
                       "(got %zu rows, %zu features)", rows, features);
    if ((labels == NULL) != (classes == 0) || (y == NULL) != (targets == 0) ||
        (classes > 0 && targets > 0))
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset: give labels with classes > 0, or y with "
                       "targets > 0, or neither (got classes %zu, targets %zu)", classes, targets);
    size_t cells;
    if (!dni_mul_size(rows, features, &cells))
        return dni_fail(err, DN_ERR_MEMORY, "%zu rows × %zu features overflows", rows, features);
    for (size_t i = 0; i < cells; ++i)
        if (!isfinite(x[i]))
            return dni_fail(err, DN_ERR_NUMERIC, "feature %zu of row %zu is not finite",
                           i % features, i / features);
    for (size_t r = 0; r < rows && classes > 0; ++r)
        if (labels[r] < 0 || (size_t)labels[r] >= classes)
            return dni_fail(err, DN_ERR_ARGUMENT, "label of row %zu is %d, expected 0..%zu", r,
                           (int)labels[r], classes - 1);
    if (targets > 0 && !dni_mul_size(rows, targets, &cells))
        return dni_fail(err, DN_ERR_MEMORY, "%zu rows × %zu targets overflows", rows, targets);
    for (size_t i = 0; targets > 0 && i < cells; ++i)
        if (!isfinite(y[i]))
            return dni_fail(err, DN_ERR_NUMERIC, "target %zu of row %zu is not finite", i % targets,
                           i / targets);
    return DN_OK;
}

dn_status dn_dataset_borrow(dn_dataset **out, size_t rows, size_t features, const float *x,
                            const int32_t *labels, size_t classes, size_t targets,
                            const float *y, dn_error *err) {
    dn_status st = check_borrow_arguments(out, rows, features, x, labels, classes, targets, y, err);
    if (st != DN_OK) return st;
    dn_dataset *d = NULL;
    st = dni_dataset_alloc(&d, rows, features, DNI_X_BORROWED, classes, targets, err);
    if (st != DN_OK) return st;
    d->x = (float *)x; /* read only: nothing in the library writes a dataset's features */
    if (classes > 0) memcpy(d->labels, labels, rows * sizeof(int32_t));
    if (targets > 0) memcpy(d->y, y, rows * targets * sizeof(float));
    *out = d;
    return DN_OK;
}
