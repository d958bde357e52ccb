/* raw_columns.h — a CSV dataset read with dn_dataset_options.raw_columns, before
 * dn_dataset_prepare: which features hold category codes, each such column's categories as the
 * file wrote them, and the line of every row for messages (raw_columns.c; internal). */
#ifndef DN_DATA_RAW_COLUMNS_H
#define DN_DATA_RAW_COLUMNS_H

#include "data/dataset.h"

typedef struct dni_raw_columns {
    char *path;                 /* the file, for messages */
    size_t features, rows;
    unsigned char *categorical; /* [features] 1: x holds the code of the cell's category */
    char ***categories;         /* [features] a categorical column's distinct cells, sorted by
                                   strcmp (code i = categories[j][i]); NULL for a numeric one */
    size_t *category_count;     /* [features] */
    size_t *file_column;        /* [features] the 1-based column in the file */
    size_t *lines;              /* [rows] the 1-based line of each row */
} dni_raw_columns;

/* 1 when a cell is missing: empty, or one of pandas' default na_values (NA, NaN, nan, N/A,
 * null, None, ...) or "?" (docs/DATA.md "Missing values and categories"). */
int dni_is_missing(const char *cell);

/* A zeroed record for `features` columns and `rows` rows (path copied); NULL when memory runs
 * out. */
dni_raw_columns *dni_raw_alloc(const char *path, size_t features, size_t rows);
void dni_raw_free(dni_raw_columns *raw);

/* A copy of `from` for the rows rows[0..count), or [begin, begin + count) when rows is NULL. */
dn_status dni_raw_copy(const dni_raw_columns *from, const size_t *rows, size_t begin,
                       size_t count, dni_raw_columns **out, dn_error *err);

/* Makes feature j categorical: its categories are the distinct non-NULL texts[0..rows) sorted,
 * and x[r·stride + j] becomes the code of texts[r] (NaN for NULL: missing). */
dn_status dni_raw_encode(dni_raw_columns *raw, size_t j, char *const *texts, float *x,
                         size_t stride, dn_error *err);

/* DN_OK unless `data` still needs dn_dataset_prepare (then DN_ERR_ARGUMENT naming `what`). */
dn_status dni_dataset_require_prepared(const dn_dataset *data, const char *what, dn_error *err);

#endif
