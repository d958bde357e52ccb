/* columns.h — the column names and row ids a CSV dataset keeps (columns.c; internal). */
#ifndef DN_DATA_COLUMNS_H
#define DN_DATA_COLUMNS_H

#include "data/dataset.h"

/* Frees a dni_columns and every string in it; NULL is ignored. */
void dni_columns_free(dni_columns *columns);

/* A copy of `from` with the row ids [begin, end) only; DN_ERR_MEMORY leaves *out NULL. */
dn_status dni_columns_slice(const dni_columns *from, size_t begin, size_t end, dni_columns **out,
                            dn_error *err);

/* A copy of `from` with the row ids of rows[0..count) only. */
dn_status dni_columns_take(const dni_columns *from, const size_t *rows, size_t count,
                           dni_columns **out, dn_error *err);

/* A heap copy of `text` (NULL when memory runs out). */
char *dni_strdup(const char *text);

#endif
