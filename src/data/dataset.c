/* dataset.c — creating, slicing and batching datasets. */
#include "data/dataset.h"
#include "data/columns.h"
#include "data/disk_rows.h"

#include "core/alloc.h"
#include "core/format_bytes.h"
#include "core/error.h"
#include "core/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_class_names(dn_dataset *data) {
    if (data->class_names == NULL) return;
    for (size_t c = 0; c < data->class_name_count; ++c) free(data->class_names[c]);
    dni_free(data->class_names);
    data->class_names = NULL;
    data->class_name_count = 0;
}

static int by_text(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Class names must tell classes apart and survive a model file (UTF-8 JSON): no empty name, no
 * name twice, valid UTF-8. (A NUL cannot occur: the CSV reader refuses NUL bytes.) */
static dn_status check_class_names(const char *const *names, size_t count, dn_error *err) {
    for (size_t c = 0; c < count; ++c) {
        if (names[c] == NULL || names[c][0] == '\0')
            return dni_fail(err, DN_ERR_ARGUMENT, "class name %zu is empty: every class needs a "
                           "name", c);
        size_t n = strlen(names[c]);
        if (dni_utf8_invalid_at(names[c], n) != n)
            return dni_fail(err, DN_ERR_ARGUMENT, "class name %zu (\"%.60s\") is not valid UTF-8",
                           c, names[c]);
    }
    const char **sorted = dni_alloc_zeroed(count ? count : 1, sizeof *sorted);
    if (sorted == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu class names",
                                       count);
    memcpy(sorted, names, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, by_text);
    dn_status st = DN_OK;
    for (size_t c = 1; c < count && st == DN_OK; ++c)
        if (strcmp(sorted[c - 1], sorted[c]) == 0)
            st = dni_fail(err, DN_ERR_ARGUMENT, "class name \"%.60s\" is given twice: each class "
                         "needs its own name", sorted[c]);
    dni_free(sorted);
    return st;
}

dn_status dni_dataset_set_class_names(dn_dataset *data, const char *const *names, dn_error *err) {
    dn_status checked = check_class_names(names, data->classes, err);
    if (checked != DN_OK) return checked;
    free_class_names(data);
    char **copy = dni_alloc_zeroed(data->classes, sizeof *copy);
    if (copy == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu class names", data->classes);
    /* installed first so that a partial copy is freed with it (its unset entries are NULL) */
    data->class_names = copy;
    data->class_name_count = data->classes;
    for (size_t c = 0; c < data->classes; ++c) {
        size_t n = strlen(names[c]) + 1;
        if ((copy[c] = malloc(n)) == NULL) {
            free_class_names(data);
            return dni_fail(err, DN_ERR_MEMORY, "out of memory for class name %zu", c);
        }
        memcpy(copy[c], names[c], n);
    }
    return DN_OK;
}

const char *dn_dataset_class_name(const dn_dataset *data, size_t class_index) {
    if (data == NULL || data->class_names == NULL || class_index >= data->classes ||
        class_index >= data->class_name_count)
        return NULL;
    return data->class_names[class_index];
}

void dn_dataset_free(dn_dataset *data) {
    if (data == NULL) return;
    free_class_names(data);
    dni_columns_free(data->columns);
    free(data->preprocessing);
    free(data->warning);
    if (!data->x_borrowed) dni_free(data->x);
    dni_free(data->x_u8);
    dni_disk_rows_free(data->disk);
    dni_free(data->labels);
    dni_free(data->y);
    dni_free(data);
}

dn_status dni_dataset_alloc(dn_dataset **out, size_t rows, size_t features, int compact,
                            size_t classes, size_t targets, dn_error *err) {
    size_t cells;
    if (rows == 0 || features == 0)
        return dni_fail(err, DN_ERR_ARGUMENT, "a dataset needs at least one row and one feature "
                        "(got %zu rows, %zu features)", rows, features);
    if (!dni_mul_size(rows, features, &cells))
        return dni_fail(err, DN_ERR_MEMORY, "%zu rows × %zu features overflows", rows, features);
    dn_dataset *d = dni_alloc_zeroed(1, sizeof *d);
    if (d == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for a dataset");
    d->rows = rows;
    d->features = features;
    d->classes = classes;
    d->targets = targets;
    d->u8_scale = 1.0f;
    int ok = 1;
    if (compact == DNI_X_BORROWED) d->x_borrowed = 1;
    else if (compact == DNI_X_ON_DISK) (void)0; /* the features stay in their file */
    else if (compact) ok &= (d->x_u8 = dni_alloc_zeroed(cells, 1)) != NULL;
    else ok &= (d->x = dni_alloc_zeroed(cells, sizeof(float))) != NULL;
    if (classes > 0) ok &= (d->labels = dni_alloc_zeroed(rows, sizeof(int32_t))) != NULL;
    if (targets > 0) ok &= (d->y = dni_alloc_zeroed(rows, targets * sizeof(float))) != NULL;
    if (!ok) {
        dn_dataset_free(d);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu rows × %zu features", rows,
                        features);
    }
    *out = d;
    return DN_OK;
}

static dn_status check_features(const float *x, size_t rows, size_t features, dn_error *err) {
    for (size_t i = 0; i < rows * features; ++i)
        if (!isfinite(x[i]))
            return dni_fail(err, DN_ERR_NUMERIC, "feature %zu of row %zu is not finite",
                            i % features, i / features);
    return DN_OK;
}

dn_status dn_dataset_create_classification(dn_dataset **out, size_t rows, size_t features,
                                           const float *x, const int32_t *labels,
                                           size_t classes, dn_error *err) {
    if (out == NULL || x == NULL || labels == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset: out, x and labels must not be NULL");
    if (classes == 0) return dni_fail(err, DN_ERR_ARGUMENT, "dataset: classes must be > 0");
    for (size_t r = 0; r < rows; ++r)
        if (labels[r] < 0 || (size_t)labels[r] >= classes)
            return dni_fail(err, DN_ERR_ARGUMENT, "label of row %zu is %d, expected 0..%zu", r,
                            (int)labels[r], classes - 1);
    dn_status st = check_features(x, rows, features, err);
    if (st != DN_OK) return st;
    dn_dataset *d;
    if ((st = dni_dataset_alloc(&d, rows, features, 0, classes, 0, err)) != DN_OK) return st;
    memcpy(d->x, x, rows * features * sizeof(float));
    memcpy(d->labels, labels, rows * sizeof(int32_t));
    *out = d;
    return DN_OK;
}

dn_status dn_dataset_create_targets(dn_dataset **out, size_t rows, size_t features,
                                    const float *x, size_t targets, const float *y,
                                    dn_error *err) {
    if (out == NULL || x == NULL || y == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset: out, x and y must not be NULL");
    if (targets == 0) return dni_fail(err, DN_ERR_ARGUMENT, "dataset: targets must be > 0");
    dn_status st = check_features(x, rows, features, err);
    if (st != DN_OK) return st;
    for (size_t i = 0; i < rows * targets; ++i)
        if (!isfinite(y[i]))
            return dni_fail(err, DN_ERR_NUMERIC, "target %zu of row %zu is not finite", i % targets,
                            i / targets);
    dn_dataset *d;
    if ((st = dni_dataset_alloc(&d, rows, features, 0, 0, targets, err)) != DN_OK) return st;
    memcpy(d->x, x, rows * features * sizeof(float));
    memcpy(d->y, y, rows * targets * sizeof(float));
    *out = d;
    return DN_OK;
}

size_t dn_dataset_rows(const dn_dataset *data) { return data ? data->rows : 0; }

size_t dni_dataset_storage_bytes(size_t rows, size_t features, int compact, size_t classes,
                                 size_t targets) {
    size_t cells, x, extra = 0;
    if (!dni_mul_size(rows, features, &cells) || !dni_mul_size(cells, compact ? 1 : 4, &x))
        return SIZE_MAX;
    if (classes > 0 && !dni_mul_size(rows, sizeof(int32_t), &extra)) return SIZE_MAX;
    size_t y = 0;
    if (targets > 0 && (!dni_mul_size(rows, targets, &y) || !dni_mul_size(y, sizeof(float), &y)))
        return SIZE_MAX;
    return x > SIZE_MAX - extra - y || extra > SIZE_MAX - y ? SIZE_MAX : x + extra + y;
}

size_t dn_dataset_bytes(const dn_dataset *data) {
    if (data == NULL) return 0;
    if (data->disk != NULL) /* the labels (or targets) and the row map; the features stay in the file */
        return dni_dataset_storage_bytes(data->rows, 0, 1, data->classes, data->targets) +
               dni_disk_rows_bytes(data->rows, data->disk->map != NULL);
    return dni_dataset_storage_bytes(data->rows, data->features, data->x_u8 != NULL, data->classes,
                                     data->targets);
}

dn_status dni_check_memory_cap(const char *path, const char *what, size_t needed, size_t max_bytes,
                               dn_error *err) {
    if (max_bytes == 0 || needed <= max_bytes) return DN_OK;
    char need[DN_BYTES_TEXT_SIZE], cap[DN_BYTES_TEXT_SIZE];
    dni_format_bytes(need, needed);
    dni_format_bytes(cap, max_bytes);
    if (strcmp(need, cap) == 0) { /* "60.0 KiB, over ... 60.0 KiB" says nothing: the bytes do */
        snprintf(need, sizeof need, "%zu B", needed);
        snprintf(cap, sizeof cap, "%zu B", max_bytes);
    }
    return dni_fail(err, DN_ERR_MEMORY, "%s: %s needs %s, over the memory limit of %s", path, what,
                    need, cap);
}
size_t dn_dataset_features(const dn_dataset *data) { return data ? data->features : 0; }
size_t dn_dataset_classes(const dn_dataset *data) { return data ? data->classes : 0; }
size_t dn_dataset_targets(const dn_dataset *data) { return data ? data->targets : 0; }

dn_status dn_dataset_get_row(const dn_dataset *data, size_t row, float *x_out, dn_error *err) {
    if (data == NULL || x_out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset and x_out must not be NULL");
    if (row >= data->rows)
        return dni_fail(err, DN_ERR_ARGUMENT, "row %zu is out of range (dataset has %zu rows)", row,
                        data->rows);
    dni_dataset_gather_x(data, &row, 1, x_out);
    return dni_dataset_check_io(data, err);
}

int dn_dataset_on_disk(const dn_dataset *data) { return data != NULL && data->disk != NULL; }

dn_status dni_dataset_check_io(const dn_dataset *data, dn_error *err) {
    return data->disk != NULL ? dni_disk_rows_check(data->disk, err) : DN_OK;
}

/* The features of a copy of `data`'s rows (rows[0..count), or [begin, begin + count) when rows
 * is NULL) into `d`: the bytes or floats, or for a dataset kept on disk a reader of those rows. */
static dn_status copy_features(const dn_dataset *data, const size_t *rows, size_t begin,
                               size_t count, dn_dataset *d, dn_error *err) {
    size_t f = data->features;
    d->u8_scale = data->u8_scale;
    if (data->disk != NULL) return dni_disk_rows_select(data->disk, rows, begin, count, &d->disk, err);
    for (size_t i = 0; i < count; ++i) {
        size_t r = rows ? rows[i] : begin + i;
        if (data->x_u8) memcpy(d->x_u8 + i * f, data->x_u8 + r * f, f);
        else memcpy(d->x + i * f, data->x + r * f, f * sizeof(float));
    }
    return DN_OK;
}

/* dni_dataset_alloc's `compact` for a copy of `data`. */
static int copy_storage(const dn_dataset *data) {
    return data->disk != NULL ? DNI_X_ON_DISK : data->x_u8 != NULL;
}

int32_t dn_dataset_label(const dn_dataset *data, size_t row) {
    if (data == NULL || data->labels == NULL || row >= data->rows) return -1;
    return data->labels[row];
}

/* The end of a copy (slice or take): the source's class names go with the rows; on failure the
 * copy is freed. `st` is the status of the copy so far. */
static dn_status finish_copy(const dn_dataset *data, dn_dataset *d, dn_status st, dn_dataset **out,
                             dn_error *err) {
    if (st == DN_OK && data->class_names != NULL)
        st = dni_dataset_set_class_names(d, (const char *const *)data->class_names, err);
    if (st == DN_OK && data->preprocessing != NULL &&
        (d->preprocessing = dni_strdup(data->preprocessing)) == NULL)
        st = dni_fail(err, DN_ERR_MEMORY, "out of memory for the preprocessing");
    if (st != DN_OK) {
        dn_dataset_free(d);
        return st;
    }
    *out = d;
    return DN_OK;
}

dn_status dn_dataset_slice(const dn_dataset *data, size_t begin, size_t end, dn_dataset **out,
                           dn_error *err) {
    if (data == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset and out must not be NULL");
    if (begin >= end || end > data->rows)
        return dni_fail(err, DN_ERR_ARGUMENT, "slice [%zu, %zu) is empty or exceeds %zu rows",
                        begin,
                       end, data->rows);
    size_t rows = end - begin, f = data->features;
    dn_dataset *d;
    dn_status st = dni_dataset_alloc(&d, rows, f, copy_storage(data), data->classes,
                                     data->targets, err);
    if (st != DN_OK) return st;
    st = copy_features(data, NULL, begin, rows, d, err);
    if (data->labels) memcpy(d->labels, data->labels + begin, rows * sizeof(int32_t));
    if (data->y) memcpy(d->y, data->y + begin * data->targets, rows * data->targets * sizeof(float));
    d->integer_classes = data->integer_classes;
    if (st == DN_OK && data->columns != NULL) st = dni_columns_slice(data->columns, begin, end, &d->columns, err);
    return finish_copy(data, d, st, out, err);
}

dn_status dn_dataset_take(const dn_dataset *data, const size_t *rows, size_t count,
                          dn_dataset **out, dn_error *err) {
    if (data == NULL || rows == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dataset, rows and out must not be NULL");
    for (size_t i = 0; i < count; ++i)
        if (rows[i] >= data->rows)
            return dni_fail(err, DN_ERR_ARGUMENT, "row %zu is out of range (dataset has %zu rows)",
                            rows[i], data->rows);
    size_t f = data->features;
    dn_dataset *d = NULL;
    dn_status st = dni_dataset_alloc(&d, count, f, copy_storage(data), data->classes,
                                     data->targets, err);
    if (st != DN_OK) return st;
    d->integer_classes = data->integer_classes;
    st = copy_features(data, rows, 0, count, d, err);
    for (size_t i = 0; i < count; ++i) {
        size_t r = rows[i];
        if (data->labels) d->labels[i] = data->labels[r];
        if (data->y) memcpy(d->y + i * data->targets, data->y + r * data->targets,
                            data->targets * sizeof(float));
    }
    if (st == DN_OK && data->columns != NULL) st = dni_columns_take(data->columns, rows, count, &d->columns, err);
    return finish_copy(data, d, st, out, err);
}

/* Row `i` of out = pixels · scale. The scale is read once: read through `data` in the loop, it
 * might alias `row` as far as the compiler knows, which kept the conversion scalar. */
static void gather_u8_row(const uint8_t *src, size_t f, float scale, float *row) {
#pragma omp simd
    for (size_t j = 0; j < f; ++j) row[j] = (float)src[j] * scale;
}

void dni_dataset_gather_x(const dn_dataset *data, const size_t *index, size_t n, float *out) {
    size_t f = data->features;
    if (data->disk != NULL) {
        dni_disk_rows_gather(data->disk, index, n, data->u8_scale, out);
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        float *row = out + i * f;
        if (data->x != NULL) {
            memcpy(row, data->x + index[i] * f, f * sizeof(float));
        } else {
            /* Shuffled rows lie anywhere in the set: fetch the next one while this one converts. */
            const uint8_t *next = i + 1 < n ? data->x_u8 + index[i + 1] * f : NULL;
            for (size_t j = 0; next != NULL && j < f; j += 64) __builtin_prefetch(next + j);
            gather_u8_row(data->x_u8 + index[i] * f, f, data->u8_scale, row);
        }
    }
}

void dni_dataset_gather_labels(const dn_dataset *data, const size_t *index, size_t n,
                               int32_t *out) {
    for (size_t i = 0; i < n; ++i) out[i] = data->labels[index[i]];
}

void dni_dataset_gather_targets(const dn_dataset *data, const size_t *index, size_t n,
                                size_t width, float *out) {
    for (size_t i = 0; i < n; ++i) {
        if (data->y != NULL)
            memcpy(out + i * width, data->y + index[i] * width, width * sizeof(float));
        else
            out[i] = (float)data->labels[index[i]];
    }
}
