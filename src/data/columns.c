/* columns.c — what a CSV file said about its columns: feature names, the label's name, row ids
 * and the columns read as nothing, kept with the dataset so that a model can remember them. */
#include "data/dataset.h"
#include "data/columns.h"
#include "data/raw_columns.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

char *dni_strdup(const char *text) {
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy != NULL) memcpy(copy, text, n);
    return copy;
}

static void free_strings(char **strings, size_t count) {
    if (strings == NULL) return;
    for (size_t i = 0; i < count; ++i) free(strings[i]);
    dni_free(strings);
}

void dni_columns_free(dni_columns *columns) {
    if (columns == NULL) return;
    free_strings(columns->feature_names, columns->feature_count);
    free_strings(columns->row_ids, columns->row_count);
    free_strings(columns->ignored, columns->ignored_count);
    free(columns->label_name);
    dni_raw_free(columns->raw);
    dni_free(columns);
}

/* copy[0..count) = strings[0..count), each duplicated; 0 when memory runs out. */
static int copy_strings(char *const *strings, size_t count, char ***out) {
    *out = NULL;
    if (strings == NULL || count == 0) return 1;
    if ((*out = dni_alloc_zeroed(count, sizeof **out)) == NULL) return 0;
    for (size_t i = 0; i < count; ++i)
        if (((*out)[i] = dni_strdup(strings[i])) == NULL) return 0;
    return 1;
}

dn_status dni_columns_slice(const dni_columns *from, size_t begin, size_t end, dni_columns **out,
                            dn_error *err) {
    dni_columns *c = dni_alloc_zeroed(1, sizeof *c);
    *out = NULL;
    if (c == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for column names");
    c->has_header = from->has_header;
    c->delimiter = from->delimiter;
    c->index_dropped = from->index_dropped;
    c->feature_count = from->feature_count;
    c->ignored_count = from->ignored_count;
    c->row_count = from->row_ids ? end - begin : 0;
    int ok = copy_strings(from->feature_names, from->feature_count, &c->feature_names) &&
             copy_strings(from->ignored, from->ignored_count, &c->ignored) &&
             (from->row_ids == NULL || copy_strings(from->row_ids + begin, end - begin, &c->row_ids)) &&
             (from->label_name == NULL || (c->label_name = dni_strdup(from->label_name)) != NULL);
    if (ok && from->raw != NULL && dni_raw_copy(from->raw, NULL, begin, end - begin, &c->raw,
                                                NULL) != DN_OK)
        ok = 0;
    if (!ok) {
        dni_columns_free(c);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for column names");
    }
    *out = c;
    return DN_OK;
}

dn_status dni_columns_take(const dni_columns *from, const size_t *rows, size_t count,
                           dni_columns **out, dn_error *err) {
    dn_status st = dni_columns_slice(from, 0, 0, out, err); /* names only, no ids */
    if (st != DN_OK) return st;
    dni_columns *c = *out;
    int ok = 1;
    if (from->raw != NULL) { /* the lines of those rows */
        dni_raw_free(c->raw);
        ok = dni_raw_copy(from->raw, rows, 0, count, &c->raw, NULL) == DN_OK;
    }
    if (ok && (from->row_ids == NULL || count == 0)) return DN_OK;
    ok = ok && (c->row_ids = dni_alloc_zeroed(count, sizeof *c->row_ids)) != NULL;
    c->row_count = ok ? count : 0;
    for (size_t i = 0; ok && i < count; ++i)
        ok = (c->row_ids[i] = dni_strdup(from->row_ids[rows[i]])) != NULL;
    if (ok) return DN_OK;
    dni_columns_free(c);
    *out = NULL;
    return dni_fail(err, DN_ERR_MEMORY, "out of memory for row ids");
}

const char *dn_dataset_feature_name(const dn_dataset *data, size_t index) {
    if (data == NULL || data->columns == NULL || data->columns->feature_names == NULL ||
        index >= data->columns->feature_count)
        return NULL;
    return data->columns->feature_names[index];
}

const char *dn_dataset_label_name(const dn_dataset *data) {
    return data && data->columns ? data->columns->label_name : NULL;
}

int dn_dataset_has_header(const dn_dataset *data) {
    return data && data->columns ? data->columns->has_header : 0;
}

const char *dn_dataset_row_id(const dn_dataset *data, size_t row) {
    if (data == NULL || data->columns == NULL || data->columns->row_ids == NULL ||
        row >= data->columns->row_count)
        return NULL;
    return data->columns->row_ids[row];
}

size_t dn_dataset_ignored_count(const dn_dataset *data) {
    return data && data->columns ? data->columns->ignored_count : 0;
}

const char *dn_dataset_ignored_name(const dn_dataset *data, size_t index) {
    if (data == NULL || data->columns == NULL || index >= data->columns->ignored_count) return NULL;
    return data->columns->ignored[index];
}

char dn_dataset_delimiter(const dn_dataset *data) {
    return data && data->columns ? data->columns->delimiter : 0;
}

int dn_dataset_index_column_dropped(const dn_dataset *data) {
    return data && data->columns ? data->columns->index_dropped : 0;
}
