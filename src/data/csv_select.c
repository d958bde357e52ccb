/* csv_select.c — column lists ("sepal_length,3,5-9") resolved against a CSV file's line 1, for
 * choosing features (--features) or leaving columns out (--ignore). */
#include "data/csv_select.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "12" → 12 in *out; 0 for anything but digits that fit. */
static int parse_digits(const char *text, size_t len, size_t *out) {
    size_t v = 0;
    if (len == 0) return 0;
    for (size_t i = 0; i < len; ++i) {
        if (text[i] < '0' || text[i] > '9') return 0;
        size_t digit = (size_t)(text[i] - '0');
        if (v > (SIZE_MAX - digit) / 10) return 0;
        v = v * 10 + digit;
    }
    *out = v;
    return 1;
}

/* Line 1's cell equal to the token, or l->columns. */
static size_t by_name(const dni_column_list *l, const char *token, size_t len) {
    if (!l->names_allowed) return l->columns;
    for (size_t c = 0; c < l->columns; ++c)
        if (strlen(l->cells[c]) == len && memcmp(l->cells[c], token, len) == 0) return c;
    return l->columns;
}

static void add(size_t *out, size_t *count, size_t column) {
    for (size_t i = 0; i < *count; ++i)
        if (out[i] == column) return;
    out[(*count)++] = column;
}

static dn_status bad_token(const dni_column_list *l, const char *token, size_t len,
                           const char *why, dn_error *err) {
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: %s: expected a column name that line 1 holds, "
                    "a 0-based index in 0..%zu or a range N-M, found \"%.*s\"%s", l->path, l->line,
                    l->option, l->columns - 1, (int)(len > 60 ? 60 : len), token, why);
}

/* One token (spaces trimmed) into out. */
static dn_status resolve_token(const dni_column_list *l, const char *token, size_t len,
                               size_t *out, size_t *count, int *named, dn_error *err) {
    size_t column = by_name(l, token, len), first, last;
    if (column < l->columns) {
        *named = 1;
        add(out, count, column);
        return DN_OK;
    }
    const char *dash = memchr(token, '-', len);
    if (dash == NULL) {
        if (!parse_digits(token, len, &first))
            return bad_token(l, token, len, l->names_allowed ? "" : " (--header no: columns "
                             "have no names)", err);
        last = first;
    } else if (!parse_digits(token, (size_t)(dash - token), &first) ||
               !parse_digits(dash + 1, len - (size_t)(dash - token) - 1, &last) || last < first) {
        return bad_token(l, token, len, "", err);
    }
    if (last >= l->columns)
        return bad_token(l, token, len, " (beyond the file's columns)", err);
    for (size_t c = first; c <= last; ++c) add(out, count, c);
    return DN_OK;
}

dn_status dni_csv_select_columns(const dni_column_list *l, size_t *out, size_t *count, int *named,
                                 dn_error *err) {
    const char *s = l->spec;
    *count = 0;
    *named = 0;
    for (;;) {
        while (*s == ' ') s++;
        size_t len = strcspn(s, ",");
        size_t trimmed = len;
        while (trimmed > 0 && s[trimmed - 1] == ' ') trimmed--;
        if (trimmed > 0) {
            dn_status st = resolve_token(l, s, trimmed, out, count, named, err);
            if (st != DN_OK) return st;
        }
        if (s[len] == '\0') break;
        s += len + 1;
    }
    if (*count == 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: %s: expected at least one column, found \"%s\"",
                        l->path, l->option, l->spec);
    return DN_OK;
}
