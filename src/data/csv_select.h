/* csv_select.h — column lists for --features and --ignore (csv_select.c; internal). */
#ifndef DN_DATA_CSV_SELECT_H
#define DN_DATA_CSV_SELECT_H

#include "dropnet.h"

#include <stddef.h>

/* Where a column list is resolved: line 1's cells, whether they may be names (0 for a file read
 * with --header no), and what to name in messages. */
typedef struct dni_column_list {
    const char *spec;          /* "a,3,5-9" */
    const char *option;        /* "--features" */
    char *const *cells;        /* [columns] line 1 */
    size_t columns;
    int names_allowed;
    const char *path;
    size_t line;
} dni_column_list;

/* Resolves l->spec to 0-based columns in the order given, repeats dropped: a token that is one
 * of line 1's cells is that column (*named = 1), digits are an index, "N-M" an inclusive range.
 * out has room for l->columns entries; *count receives how many. DN_ERR_FORMAT naming the token
 * that is none of these, or an empty list. */
dn_status dni_csv_select_columns(const dni_column_list *l, size_t *out, size_t *count, int *named,
                                 dn_error *err);

#endif
