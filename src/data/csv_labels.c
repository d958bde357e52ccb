/* csv_labels.c — CSV label cells to class ids: integers as they are, names in sorted order. */
#include "data/csv_labels.h"
#include "data/csv_row.h"
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Integer mode applies only when every label cell is a number. */
static int all_numeric(const dn_csv_label *labels, size_t rows) {
    double v;
    for (size_t r = 0; r < rows; ++r)
        if (dni_csv_parse_double(labels[r].text, &v) != DN_CSV_NUMBER) return 0;
    return 1;
}

static dn_status integer_labels(dn_dataset *d, const dn_csv_label *labels, const char *path,
                                size_t column, dn_error *err) {
    int32_t max = 0;
    for (size_t r = 0; r < d->rows; ++r) {
        double v = 0;
        dni_csv_parse_double(labels[r].text, &v);
        if (v < 0 || v != floor(v) || v > (double)DN_MAX_INTEGER_LABEL)
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a class label (an integer "
                            "in 0..%ld, or a name), found \"%.40s\"", path, labels[r].line, column,
                            DN_MAX_INTEGER_LABEL, labels[r].text);
        d->labels[r] = (int32_t)v;
        if (d->labels[r] > max) max = d->labels[r];
    }
    d->classes = (size_t)max + 1;
    return DN_OK;
}

static dn_status named_labels(dn_dataset *d, const dn_csv_label *labels, dn_error *err) {
    const char **names = dni_alloc_zeroed(d->rows, sizeof *names);
    if (names == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu labels", d->rows);
    for (size_t r = 0; r < d->rows; ++r) names[r] = labels[r].text;
    qsort(names, d->rows, sizeof *names, compare_names);
    size_t distinct = 0;
    for (size_t r = 0; r < d->rows; ++r)
        if (distinct == 0 || strcmp(names[distinct - 1], names[r]) != 0) names[distinct++] = names[r];
    for (size_t r = 0; r < d->rows; ++r) {
        const char **hit = bsearch(&labels[r].text, names, distinct, sizeof *names, compare_names);
        d->labels[r] = (int32_t)(hit - names); /* always found: names holds every label */
    }
    d->classes = distinct;
    dn_status st = dni_dataset_set_class_names(d, names, err);
    dni_free(names);
    return st;
}

dn_status dni_csv_assign_labels(dn_dataset *data, const dn_csv_label *labels, const char *path,
                                size_t column, dn_error *err) {
    for (size_t r = 0; r < data->rows; ++r)
        if (labels[r].text[0] == '\0')
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a class label, found an "
                            "empty cell", path, labels[r].line, column);
    if (all_numeric(labels, data->rows)) return integer_labels(data, labels, path, column, err);
    return named_labels(data, labels, err);
}
