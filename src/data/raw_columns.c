/* raw_columns.c — categories and missing cells of a CSV dataset before dn_dataset_prepare. */
#include "data/raw_columns.h"
#include "data/columns.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* pandas' default na_values (read_csv, pandas 2.x) plus "?", which UCI files write. */
static const char *const DN_MISSING[] = {
    "",     "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A",   "NA",   "NULL",    "NaN",      "None", "n/a",  "nan",
    "null", "?",
};

int dni_is_missing(const char *cell) {
    for (size_t i = 0; i < sizeof DN_MISSING / sizeof *DN_MISSING; ++i)
        if (strcmp(cell, DN_MISSING[i]) == 0) return 1;
    return 0;
}

dni_raw_columns *dni_raw_alloc(const char *path, size_t features, size_t rows) {
    dni_raw_columns *raw = dni_alloc_zeroed(1, sizeof *raw);
    if (raw == NULL) return NULL;
    raw->features = features;
    raw->rows = rows;
    raw->path = dni_strdup(path);
    raw->categorical = dni_alloc_zeroed(features, sizeof *raw->categorical);
    raw->categories = dni_alloc_zeroed(features, sizeof *raw->categories);
    raw->category_count = dni_alloc_zeroed(features, sizeof *raw->category_count);
    raw->file_column = dni_alloc_zeroed(features, sizeof *raw->file_column);
    raw->lines = dni_alloc_zeroed(rows ? rows : 1, sizeof *raw->lines);
    if (raw->path == NULL || raw->categorical == NULL || raw->categories == NULL ||
        raw->category_count == NULL || raw->file_column == NULL || raw->lines == NULL) {
        dni_raw_free(raw);
        return NULL;
    }
    return raw;
}

void dni_raw_free(dni_raw_columns *raw) {
    if (raw == NULL) return;
    for (size_t j = 0; raw->categories != NULL && j < raw->features; ++j) {
        for (size_t k = 0; raw->categories[j] != NULL && k < raw->category_count[j]; ++k)
            free(raw->categories[j][k]);
        dni_free(raw->categories[j]);
    }
    dni_free(raw->categories);
    dni_free(raw->category_count);
    dni_free(raw->categorical);
    dni_free(raw->file_column);
    dni_free(raw->lines);
    free(raw->path);
    dni_free(raw);
}

/* Feature j's categories copied from `from` into `to`; 0 when memory runs out. */
static int copy_categories(const dni_raw_columns *from, dni_raw_columns *to, size_t j) {
    size_t n = from->category_count[j];
    if (from->categories[j] == NULL) return 1;
    if ((to->categories[j] = dni_alloc_zeroed(n ? n : 1, sizeof(char *))) == NULL) return 0;
    to->category_count[j] = n;
    for (size_t k = 0; k < n; ++k)
        if ((to->categories[j][k] = dni_strdup(from->categories[j][k])) == NULL) return 0;
    return 1;
}

dn_status dni_raw_copy(const dni_raw_columns *from, const size_t *rows, size_t begin,
                       size_t count, dni_raw_columns **out, dn_error *err) {
    dni_raw_columns *to = dni_raw_alloc(from->path, from->features, count);
    int ok = to != NULL;
    for (size_t j = 0; ok && j < from->features; ++j) {
        to->categorical[j] = from->categorical[j];
        to->file_column[j] = from->file_column[j];
        ok = copy_categories(from, to, j);
    }
    for (size_t i = 0; ok && i < count; ++i) to->lines[i] = from->lines[rows ? rows[i] : begin + i];
    if (!ok) {
        dni_raw_free(to);
        *out = NULL;
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for the categories of %s", from->path);
    }
    *out = to;
    return DN_OK;
}

static int by_text(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index of `text` in sorted[0..n), which holds it. */
static size_t find_sorted(char *const *sorted, size_t n, const char *text) {
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(sorted[mid], text) <= 0) lo = mid;
        else hi = mid;
    }
    return lo;
}

dn_status dni_raw_encode(dni_raw_columns *raw, size_t j, char *const *texts, float *x,
                         size_t stride, dn_error *err) {
    size_t rows = raw->rows, n = 0;
    char **sorted = dni_alloc_zeroed(rows ? rows : 1, sizeof *sorted);
    if (sorted == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu cells", rows);
    for (size_t r = 0; r < rows; ++r)
        if (texts[r] != NULL) sorted[n++] = texts[r];
    qsort(sorted, n, sizeof *sorted, by_text);
    size_t distinct = 0;
    for (size_t i = 0; i < n; ++i)
        if (distinct == 0 || strcmp(sorted[distinct - 1], sorted[i]) != 0) sorted[distinct++] = sorted[i];
    for (size_t r = 0; r < rows; ++r)
        x[r * stride + j] = texts[r] == NULL ? NAN : (float)find_sorted(sorted, distinct, texts[r]);
    raw->categorical[j] = 1;
    raw->categories[j] = dni_alloc_zeroed(distinct ? distinct : 1, sizeof(char *));
    int ok = raw->categories[j] != NULL;
    for (size_t k = 0; ok && k < distinct; ++k) {
        ok = (raw->categories[j][k] = dni_strdup(sorted[k])) != NULL;
        raw->category_count[j] = k + 1;
    }
    dni_free(sorted);
    return ok ? DN_OK : dni_fail(err, DN_ERR_MEMORY, "out of memory for the categories of %s",
                                 raw->path);
}

int dn_dataset_needs_preparing(const dn_dataset *data) {
    if (data == NULL || data->columns == NULL || data->columns->raw == NULL || data->x == NULL)
        return 0;
    const dni_raw_columns *raw = data->columns->raw;
    for (size_t j = 0; j < raw->features; ++j)
        if (raw->categorical[j]) return 1;
    for (size_t i = 0; i < data->rows * data->features; ++i)
        if (isnan(data->x[i])) return 1;
    return 0;
}

dn_status dni_dataset_require_prepared(const dn_dataset *data, const char *what, dn_error *err) {
    if (!dn_dataset_needs_preparing(data)) return DN_OK;
    return dni_fail(err, DN_ERR_ARGUMENT, "%s (%s) holds categories or missing cells: encode and "
                    "impute it with dn_dataset_prepare first", what, data->columns->raw->path);
}
