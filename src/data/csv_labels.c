/* csv_labels.c — CSV label cells to class ids: integers in numeric order, names in sorted order
 * (scikit-learn's LabelEncoder), the values kept as class names. */
#include "data/csv_labels.h"
#include "data/csv_row.h"
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
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

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Integers of any range are classes in numeric order, as scikit-learn's LabelEncoder numbers
 * them (1-based 1..10 → 0..9, {-1, 1} → 0, 1); their decimal texts are the class names. */
static dn_status integer_labels(dn_dataset *d, const dn_csv_label *labels, const char *path,
                                size_t column, dn_error *err) {
    int64_t *values = dni_alloc_zeroed(d->rows, sizeof *values);
    int64_t *sorted = dni_alloc_zeroed(d->rows, sizeof *sorted);
    char (*names)[24] = NULL;
    const char **name_list = NULL;
    dn_status st = DN_OK;
    if (values == NULL || sorted == NULL) st = dni_fail(err, DN_ERR_MEMORY, "out of memory for labels");
    for (size_t r = 0; st == DN_OK && r < d->rows; ++r) {
        double v = 0;
        dni_csv_parse_double(labels[r].text, &v);
        if (v != floor(v) || fabs(v) > (double)DN_MAX_INTEGER_LABEL)
            st = dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a class label (an integer in "
                          "-%lld..%lld, or a name), found \"%.40s\"%s", path, labels[r].line,
                          column, (long long)DN_MAX_INTEGER_LABEL, (long long)DN_MAX_INTEGER_LABEL,
                          labels[r].text, v != floor(v) ? " (a fraction: a continuous target "
                          "needs a regression model, --task regression)" : "");
        else
            values[r] = sorted[r] = (int64_t)v;
    }
    size_t distinct = 0;
    if (st == DN_OK) {
        qsort(sorted, d->rows, sizeof *sorted, compare_int64);
        for (size_t r = 0; r < d->rows; ++r)
            if (distinct == 0 || sorted[distinct - 1] != sorted[r]) sorted[distinct++] = sorted[r];
        names = dni_alloc_zeroed(distinct, sizeof *names);
        name_list = dni_alloc_zeroed(distinct, sizeof *name_list);
        if (names == NULL || name_list == NULL)
            st = dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu class names", distinct);
    }
    if (st == DN_OK) {
        for (size_t c = 0; c < distinct; ++c) {
            snprintf(names[c], sizeof names[c], "%lld", (long long)sorted[c]);
            name_list[c] = names[c];
        }
        for (size_t r = 0; r < d->rows; ++r) {
            const int64_t *hit = bsearch(&values[r], sorted, distinct, sizeof *sorted, compare_int64);
            d->labels[r] = (int32_t)(hit - sorted); /* always found */
        }
        d->classes = distinct;
        d->integer_classes = 1;
        st = dni_dataset_set_class_names(d, name_list, err);
    }
    dni_free(values);
    dni_free(sorted);
    dni_free(names);
    dni_free(name_list);
    return st;
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

/* At most this many bytes of a label are shown, each as up to 4 characters ("\xNN"). */
enum { SHOWN_BYTES = 40, SHOWN_SIZE = 4 * SHOWN_BYTES + 1 };

/* The first bytes of `text` for a message, bytes above 0x7F as "\xNN" (the invalid UTF-8 would
 * otherwise reach the terminal as it is). The terminating NUL has its own byte: 40 high bytes
 * fill the 160 characters (a 160-byte buffer overflowed by one, found by fuzz_csv). */
static const char *escape_high_bytes(const char *text, char out[SHOWN_SIZE]) {
    size_t w = 0;
    const unsigned char *c = (const unsigned char *)text;
    for (size_t i = 0; c[i] != '\0' && i < SHOWN_BYTES; ++i) {
        if (c[i] >= 0x80) w += (size_t)snprintf(out + w, SHOWN_SIZE - w, "\\x%02x", c[i]);
        else out[w++] = (char)c[i];
    }
    out[w] = '\0';
    return out;
}

dn_status dni_csv_assign_labels(dn_dataset *data, const dn_csv_label *labels, const char *path,
                               size_t column, dn_error *err) {
    char shown[SHOWN_SIZE];
    for (size_t r = 0; r < data->rows; ++r) {
        if (labels[r].text[0] == '\0')
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a class label, found an "
                           "empty cell", path, labels[r].line, column);
        size_t n = strlen(labels[r].text), bad = dni_utf8_invalid_at(labels[r].text, n);
        if (bad != n) /* the value is shown with its bytes escaped, e.g. "caf\xe9" */
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: class label \"%s\" is not valid "
                           "UTF-8 (byte %zu; save the file as UTF-8)", path, labels[r].line,
                           column, escape_high_bytes(labels[r].text, shown), bad + 1);
    }
    if (all_numeric(labels, data->rows)) return integer_labels(data, labels, path, column, err);
    return named_labels(data, labels, err);
}
