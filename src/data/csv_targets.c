/* csv_targets.c — a CSV label column as regression targets (floats), or as class labels when the
 * task is classification or the auto rule finds the column discrete. */
#include "data/csv_targets.h"
#include "data/csv_row.h"
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 1 when every cell is a number and the column looks continuous (csv_targets.h); 0 otherwise,
 * or when memory for the sorted copy runs out (classification then decides, as before). */
static int looks_continuous(const dn_csv_label *labels, size_t rows) {
    double *v = dni_alloc_zeroed(rows, sizeof *v);
    if (v == NULL) return 0;
    int continuous = 1, fraction = 0;
    for (size_t r = 0; continuous && r < rows; ++r) {
        continuous = dni_csv_parse_double(labels[r].text, &v[r]) == DN_CSV_NUMBER;
        fraction |= continuous && v[r] != floor(v[r]);
    }
    if (continuous && !fraction) {
        qsort(v, rows, sizeof *v, compare_double);
        size_t distinct = rows > 0;
        for (size_t r = 1; r < rows; ++r) distinct += v[r] != v[r - 1];
        continuous = distinct > DN_AUTO_REGRESSION_DISTINCT &&
                     distinct * DN_AUTO_REGRESSION_ROWS_PER_VALUE > rows;
    }
    dni_free(v);
    return continuous;
}

/* Each label cell as a finite float target; the labels array gives way to y [rows×1]. */
static dn_status read_targets(dn_dataset *d, const dn_csv_label *labels, const char *path,
                              size_t column, dn_error *err) {
    float *y = dni_alloc_zeroed(d->rows, sizeof *y);
    if (y == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu targets", d->rows);
    for (size_t r = 0; r < d->rows; ++r) {
        double v = 0.0;
        dn_csv_number kind = dni_csv_parse_double(labels[r].text, &v);
        if (kind != DN_CSV_NUMBER || fabs(v) > 3.4e38) {
            dni_free(y);
            if (labels[r].text[0] == '\0')
                return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a number as the "
                                "regression target, found an empty cell", path, labels[r].line,
                                column);
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a finite number as the "
                            "regression target, found \"%.40s\" (class labels need a "
                            "classification model: --task classification)", path, labels[r].line,
                            column, labels[r].text);
        }
        y[r] = (float)v;
    }
    dni_free(d->labels);
    d->labels = NULL;
    d->classes = 0;
    d->y = y;
    d->targets = 1;
    return DN_OK;
}

dn_status dni_csv_assign_task(dn_dataset *data, const dn_csv_label *labels, const char *path,
                              size_t column, int task, dn_error *err) {
    if (task == DN_TASK_REGRESSION ||
        (task == DN_TASK_AUTO && looks_continuous(labels, data->rows)))
        return read_targets(data, labels, path, column, err);
    return dni_csv_assign_labels(data, labels, path, column, err);
}
