/* csv.c — a CSV file to a classification dataset: header detection, label column, features.
 *
 * The whole file is read into memory (zlib makes gzip transparent) and parsed in place. The first
 * two lines are split before anything else because deciding whether line 1 is a header may need
 * line 2; the remaining lines are then counted so that the dataset is allocated once, at its
 * final size. Label cells are kept as text until every row is read, because whether labels are
 * integers or names depends on all of them. */
#include "data/csv.h"
#include "data/csv_row.h"
#include "data/dataset.h"
#include "data/csv_labels.h"
#include "data/read_text.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A UTF-8 byte order mark, which spreadsheet exports put before the first cell. */
static const char DN_UTF8_BOM[] = "\xEF\xBB\xBF";

typedef struct csv_row {
    char **cells;   /* [columns] */
    size_t count;   /* cells found on the line (may differ from columns: a ragged row) */
    size_t line;
    int present;
} csv_row;

typedef struct csv_parse {
    const char *path;
    dn_csv_cursor cursor;
    size_t columns, label_col; /* label_col is 0-based; == columns when unlabeled */
    int unlabeled;
    int header;
    csv_row first, second;     /* lines 1 and 2 (first non-blank lines) */
    dn_csv_label *labels;      /* [rows] */
    dn_dataset *data;
    size_t text_bytes, max_bytes; /* the file's text, the memory cap (0: none) */
} csv_parse;

static void csv_parse_free(csv_parse *p) {
    dni_free(p->first.cells);
    dni_free(p->second.cells);
    dni_free(p->labels);
    dn_dataset_free(p->data);
}

/* Reads and splits the next non-blank line into `row` (cells beyond p->columns not kept). */
static dn_status read_row(csv_parse *p, csv_row *row, dn_error *err) {
    char *line;
    size_t len;
    row->present = dni_csv_next_line(&p->cursor, &line, &len);
    if (!row->present) return DN_OK;
    row->line = p->cursor.line;
    return dni_csv_split(line, len, row->cells, p->columns, &row->count, p->path, row->line, err);
}

static dn_status ragged_error(const csv_parse *p, const csv_row *row, dn_error *err) {
    /* Point at the first missing cell of a short row, or the first extra cell of a long one. */
    size_t column = (row->count < p->columns ? row->count : p->columns) + 1;
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected %zu cells as on line %zu, found %zu",
                    p->path, row->line, column, p->columns, p->first.line, row->count);
}

static int is_number(const char *cell) {
    double v;
    return dni_csv_parse_double(cell, &v) == DN_CSV_NUMBER;
}

/* Parses "12" as 12; 0 for anything but a plain decimal number that fits. */
static int parse_index(const char *text, size_t *out) {
    size_t v = 0;
    if (*text == '\0') return 0;
    for (const char *c = text; *c; ++c) {
        if (*c < '0' || *c > '9') return 0;
        size_t digit = (size_t)(*c - '0');
        if (v > (SIZE_MAX - digit) / 10) return 0;
        v = v * 10 + digit;
    }
    *out = v;
    return 1;
}

static dn_status unknown_column(const csv_parse *p, const char *name, dn_error *err) {
    char names[200] = "";
    size_t used = 0;
    for (size_t c = 0; c < p->columns && used + 1 < sizeof names; ++c)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s\"%s\"", c ? ", " : "",
                                 p->first.cells[c]);
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected a label column named \"%s\" or an "
                    "index in 0..%zu, found the columns %s%s", p->path, p->first.line, name,
                    p->columns - 1, names, used + 1 < sizeof names ? "" : "...");
}

/* Picks the label column from the option: digits only are a 0-based index (so a data row whose
 * cell happens to read "1" is never mistaken for a header); anything else is a name that must
 * appear in line 1, which makes line 1 the header. */
static dn_status resolve_label_column(csv_parse *p, const char *spec, dn_error *err) {
    size_t index;
    if (p->unlabeled) {
        if (spec != NULL)
            return dni_fail(err, DN_ERR_ARGUMENT, "%s: a label column (%s) was given for data "
                            "read as unlabeled", p->path, spec);
        p->label_col = p->columns; /* no cell is the label */
        return DN_OK;
    }
    if (spec == NULL) {
        p->label_col = p->columns - 1;
        return DN_OK;
    }
    if (parse_index(spec, &index)) {
        if (index >= p->columns)
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a label column index in "
                            "0..%zu, found %s (the file has %zu columns)", p->path, p->first.line,
                            p->columns + 1, p->columns - 1, spec, p->columns);
        p->label_col = index;
        return DN_OK;
    }
    for (size_t c = 0; c < p->columns; ++c)
        if (strcmp(p->first.cells[c], spec) == 0) {
            p->label_col = c;
            p->header = 1;
            return DN_OK;
        }
    return unknown_column(p, spec, err);
}

/* Line 1 is a header when a feature cell is not a number, or when only its label cell is text
 * (not empty: that is a missing label) while line 2 has a numeric label (a header over integer
 * labels). */
static void detect_header(csv_parse *p) {
    if (p->header) return;
    for (size_t c = 0; c < p->columns; ++c)
        if (c != p->label_col && !is_number(p->first.cells[c])) {
            p->header = 1;
            return;
        }
    if (p->unlabeled) return;
    const char *label = p->first.cells[p->label_col];
    p->header = label[0] != '\0' && !is_number(label) && p->second.present &&
                p->second.count == p->columns &&
                is_number(p->second.cells[p->label_col]);
}

/* Stores a complete row as dataset row `r`: features in column order without the label. */
static dn_status store_row(csv_parse *p, const csv_row *row, size_t r, dn_error *err) {
    if (row->count != p->columns) return ragged_error(p, row, err);
    float *x = p->data->x + r * p->data->features;
    for (size_t c = 0; c < p->columns; ++c) {
        if (c == p->label_col) {
            p->labels[r] = (dn_csv_label){row->cells[c], row->line};
            continue;
        }
        dn_csv_number kind = dni_csv_parse_float(row->cells[c], x++);
        if (kind != DN_CSV_NUMBER)
            return dni_csv_number_error(kind, row->cells[c], p->path, row->line, c + 1, err);
    }
    return DN_OK;
}

/* Rows to load: the data lines left after the header, capped by max_rows. */
static size_t count_rows(const csv_parse *p, size_t max_rows) {
    size_t rows = (p->header ? 0 : 1) + (p->second.present ? 1 : 0);
    dn_csv_cursor ahead = p->cursor;
    char *line;
    size_t len;
    while ((max_rows == 0 || rows < max_rows) && dni_csv_next_line(&ahead, &line, &len)) rows++;
    return max_rows != 0 && rows > max_rows ? max_rows : rows;
}

/* Reads line 1 and 2 and settles the shape: columns, label column, header, rows. */
static dn_status read_layout(csv_parse *p, const char *label_column, size_t max_rows,
                             size_t *rows, dn_error *err) {
    char *line;
    size_t len;
    dn_csv_cursor peek = p->cursor;
    if (!dni_csv_next_line(&peek, &line, &len))
        return dni_fail(err, DN_ERR_FORMAT, "%s:1:1: expected a header or a data row, found an "
                        "empty file", p->path);
    p->columns = dni_csv_max_cells(line, len); /* capacity for lines 1 and 2 */
    p->first.cells = dni_alloc_zeroed(p->columns, sizeof(char *));
    p->second.cells = dni_alloc_zeroed(p->columns, sizeof(char *));
    if (p->first.cells == NULL || p->second.cells == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", p->columns);
    dn_status st = read_row(p, &p->first, err);
    if (st == DN_OK) st = read_row(p, &p->second, err);
    if (st != DN_OK) return st;
    p->columns = p->first.count; /* from here on, the real width */
    if (p->columns < 2 && !p->unlabeled)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:2: expected at least 2 cells (features and a "
                        "label), found 1", p->path, p->first.line);
    if ((st = resolve_label_column(p, label_column, err)) != DN_OK) return st;
    detect_header(p);
    *rows = count_rows(p, max_rows);
    if (*rows == 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected a data row after the header, found "
                        "the end of the file", p->path, p->cursor.line + 1);
    return DN_OK;
}

/* Fills every dataset row from lines 1-2 (already split) and the lines that follow. */
static dn_status read_rows(csv_parse *p, size_t rows, dn_error *err) {
    size_t r = 0;
    dn_status st = DN_OK;
    if (!p->header) st = store_row(p, &p->first, r++, err);
    if (st == DN_OK && r < rows) st = store_row(p, &p->second, r++, err);
    while (st == DN_OK && r < rows) {
        /* Lines 1 and 2 stay split in their own buffers; later lines reuse `second`'s. */
        if ((st = read_row(p, &p->second, err)) == DN_OK) st = store_row(p, &p->second, r++, err);
    }
    return st;
}

/* The text stays in memory while the rows are stored, so both count against the cap; so do the
 * label cells kept for naming classes. */
static dn_status check_cap(const csv_parse *p, size_t rows, dn_error *err) {
    size_t features = p->unlabeled ? p->columns : p->columns - 1;
    size_t data = dni_dataset_storage_bytes(rows, features, 0, !p->unlabeled, 0), labels = 0;
    if (!p->unlabeled && !dni_mul_size(rows, sizeof *p->labels, &labels)) labels = SIZE_MAX;
    size_t needed = data > SIZE_MAX - labels - p->text_bytes || labels > SIZE_MAX - p->text_bytes
                        ? SIZE_MAX : data + labels + p->text_bytes;
    char what[96];
    snprintf(what, sizeof what, "loading %zu rows x %zu features (with the file's text)", rows,
             features);
    return dni_check_memory_cap(p->path, what, needed, p->max_bytes, err);
}

static dn_status parse_text(csv_parse *p, const char *label_column, size_t max_rows,
                            dn_error *err) {
    size_t rows;
    dn_status st = read_layout(p, label_column, max_rows, &rows, err);
    if (st == DN_OK) st = check_cap(p, rows, err);
    if (st != DN_OK) return st;
    if (p->unlabeled) {
        if ((st = dni_dataset_alloc(&p->data, rows, p->columns, 0, 0, 0, err)) != DN_OK) return st;
        return read_rows(p, rows, err);
    }
    /* classes = 1 only to have the labels array allocated; the labels decide the real count. */
    if ((st = dni_dataset_alloc(&p->data, rows, p->columns - 1, 0, 1, 0, err)) != DN_OK) return st;
    if ((p->labels = dni_alloc_zeroed(rows, sizeof *p->labels)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu labels", rows);
    if ((st = read_rows(p, rows, err)) != DN_OK) return st;
    return dni_csv_assign_labels(p->data, p->labels, p->path, p->label_col + 1, err);
}

/* A NUL byte would silently end a cell early: refuse binary input outright. */
static dn_status check_text(const char *path, const char *text, size_t len, dn_error *err) {
    const char *nul = memchr(text, '\0', len);
    if (nul == NULL) return DN_OK;
    size_t line = 1;
    for (const char *c = text; c < nul; ++c) line += *c == '\n';
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu: expected text, found a NUL byte (at byte %zu)",
                    path, line, (size_t)(nul - text));
}

dn_status dni_csv_load(dn_dataset **out, const char *path, const char *label_column,
                       size_t max_rows, int unlabeled, size_t max_bytes, dn_error *err) {
    char *text;
    size_t len;
    dn_status st = dni_read_text_file(path, max_bytes, &text, &len, err);
    if (st != DN_OK) return st;
    if ((st = check_text(path, text, len, err)) != DN_OK) {
        free(text);
        return st;
    }
    size_t skip = len >= 3 && memcmp(text, DN_UTF8_BOM, 3) == 0 ? 3 : 0;
    csv_parse p = {.path = path, .cursor = dni_csv_cursor_make(text + skip, len - skip),
                   .unlabeled = unlabeled, .text_bytes = len, .max_bytes = max_bytes};
    st = parse_text(&p, label_column, max_rows, err);
    if (st == DN_OK) {
        *out = p.data;
        p.data = NULL;
    }
    csv_parse_free(&p);
    free(text); /* after the labels: their text lives in this buffer */
    return st;
}
