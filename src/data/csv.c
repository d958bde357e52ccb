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
#include "data/columns.h"
#include "data/csv_labels.h"
#include "data/csv_targets.h"
#include "data/csv_select.h"
#include "data/read_text.h"
#include "data/raw_columns.h"
#include "data/prepare.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
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
    const dn_dataset_options *opts;
    dn_csv_cursor cursor;
    size_t columns, label_col; /* label_col is 0-based; == columns when unlabeled */
    size_t id_col;             /* == columns when there is no id column */
    size_t index_col;          /* pandas' unnamed index column (0), or == columns when none */
    char delim;                /* the cell delimiter (given or detected) */
    size_t *listed, listed_count; /* the columns --features / --ignore name (csv_select.h) */
    size_t *feature_col;       /* [features] the file column of each feature */
    size_t features;
    int unlabeled;
    int header;
    char **ids;                /* [rows] id cells (pointers into the text), or NULL */
    csv_row first, second;     /* lines 1 and 2 (first non-blank lines) */
    dn_csv_label *labels;      /* [rows] */
    dn_dataset *data;
    size_t text_bytes, max_bytes; /* the file's text, the memory cap (0: none) */
    /* raw_columns / preprocessing (raw_columns.h): missing cells and categories kept */
    int raw;
    int discover;              /* a numeric feature that holds text becomes categorical */
    unsigned char *text_feature; /* [features] 1: read as categories (preset, or found) */
    int found_text;            /* discovered: the file is read again with text_feature */
    size_t *text_slot;         /* [features] the feature's column in `texts`, or SIZE_MAX */
    char **texts;              /* [slots × rows] category cells (NULL: missing) */
    dni_raw_columns *raw_cols; /* lines and categories, handed to the dataset's columns */
    const unsigned char *preset; /* [features] categorical features known before reading */
} csv_parse;

static void csv_parse_free(csv_parse *p) {
    dni_free(p->feature_col);
    dni_free(p->listed);
    dni_free(p->ids);
    dni_free(p->first.cells);
    dni_free(p->second.cells);
    dni_free(p->labels);
    dni_free(p->text_slot);
    dni_free(p->texts);
    dni_raw_free(p->raw_cols);
    dn_dataset_free(p->data);
}

/* Reads and splits the next non-blank line into `row` (cells beyond p->columns not kept). */
static dn_status read_row(csv_parse *p, csv_row *row, dn_error *err) {
    char *line;
    size_t len;
    row->present = dni_csv_next_line(&p->cursor, &line, &len);
    if (!row->present) return DN_OK;
    row->line = p->cursor.line;
    return dni_csv_split(line, len, p->delim, row->cells, p->columns, &row->count, p->path,
                         row->line, err);
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

/* "\"a\", \"b\", \"label\"" — line 1's cells, cut at the buffer's end with "...". */
static void list_columns(const csv_parse *p, char *names, size_t size) {
    size_t used = 0;
    names[0] = '\0';
    for (size_t c = 0; c < p->columns && used + 1 < size; ++c)
        used += (size_t)snprintf(names + used, size - used, "%s\"%s\"", c ? ", " : "",
                                 p->first.cells[c]);
    if (used + 1 >= size && size > 4) strcpy(names + size - 4, "...");
}

static dn_status unknown_column(const csv_parse *p, const char *what, const char *name,
                                dn_error *err) {
    char names[200];
    list_columns(p, names, sizeof names);
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected %s column named \"%s\" or an "
                    "index in 0..%zu, found the columns %s", p->path, p->first.line, what, name,
                    p->columns - 1, names);
}

/* Column `name` among line 1's cells, or p->columns. */
static size_t find_column(const csv_parse *p, const char *name) {
    for (size_t c = 0; c < p->columns; ++c)
        if (strcmp(p->first.cells[c], name) == 0) return c;
    return p->columns;
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
    for (size_t c = 0; c < p->columns && p->opts->header != DN_HEADER_NO; ++c)
        if (strcmp(p->first.cells[c], spec) == 0) {
            p->label_col = c;
            p->header = 1;
            return DN_OK;
        }
    if (p->opts->header == DN_HEADER_NO && !p->opts->label_optional)
        return dni_fail(err, DN_ERR_FORMAT, "%s: a label column named \"%s\" needs a header, but "
                        "the file is read with --header no: give the label as a 0-based index",
                        p->path, spec);
    if (p->opts->label_optional) {
        p->label_col = p->columns; /* a label the data does not hold: unlabeled data */
        return DN_OK;
    }
    return unknown_column(p, "a label", spec, err);
}

/* Line 1 is a header when a feature cell is not a number, or when only its label cell is text
 * (not empty: that is a missing label) while line 2 has a numeric label (a header over integer
 * labels). */
/* Column c can be a feature: not the label, id or index, and chosen by --features (when
 * given) and not left out by --ignore. Header detection looks at these columns only, so that
 * an ignored text column does not make line 1 a header. */
static int is_feature_column(const csv_parse *p, size_t c) {
    if (c == p->label_col || c == p->id_col || c == p->index_col) return 0;
    int listed = 0;
    for (size_t i = 0; i < p->listed_count && !listed; ++i) listed = p->listed[i] == c;
    return p->opts->select_columns != NULL ? listed : !listed;
}

/* Line 1's feature cells read left to right are the integers k, k+1, ... with k = 0 or 1 (at
 * least two of them), its label cell is text or the next integer, and line 2 is not that same
 * row: the column numbers pandas writes for
 * pd.DataFrame(X).to_csv(index=False), which a data row practically never is. */
static int is_column_number_row(const csv_parse *p) {
    size_t seen = 0;
    long long first = 0;
    for (size_t c = 0; c < p->columns; ++c) {
        if (!is_feature_column(p, c)) continue;
        size_t v;
        if (!parse_index(p->first.cells[c], &v) || v > 1000000000) return 0;
        if (seen == 0) first = (long long)v;
        if (first > 1 || (long long)v != first + (long long)seen) return 0;
        seen++;
    }
    if (seen < 2) return 0;
    if (p->label_col < p->columns) { /* the label's name, or the next column number */
        const char *label = p->first.cells[p->label_col];
        size_t v;
        if (label[0] == '\0') return 0;
        if (is_number(label) && (!parse_index(label, &v) || (long long)v != first + (long long)seen))
            return 0;
    }
    if (!p->second.present || p->second.count != p->columns) return 1;
    for (size_t c = 0; c < p->columns; ++c)
        if (strcmp(p->first.cells[c], p->second.cells[c]) != 0) return 1;
    return 0;
}

static void detect_header(csv_parse *p) {
    if (p->header || p->opts->header == DN_HEADER_NO) return;
    if (p->opts->header == DN_HEADER_YES || is_column_number_row(p)) {
        p->header = 1;
        return;
    }
    for (size_t c = 0; c < p->columns; ++c)
        if (is_feature_column(p, c) && !is_number(p->first.cells[c]) &&
            !(p->raw && p->first.cells[c][0] != '\0' && dni_is_missing(p->first.cells[c]))) {
            p->header = 1;
            return;
        }
    if (p->unlabeled) return;
    const char *label = p->first.cells[p->label_col];
    p->header = label[0] != '\0' && !is_number(label) && p->second.present &&
                p->second.count == p->columns &&
                is_number(p->second.cells[p->label_col]);
}

/* Stores a complete row as dataset row `r`: the selected features in their order, the label and
 * the id cell kept as text. */
/* A feature cell read raw: a category's text kept, a missing cell NaN, text in a numeric column
 * noted for the second reading. 0 when the cell is an ordinary number (or an error). */
static int store_raw_cell(csv_parse *p, size_t j, const char *cell, size_t r, float *x) {
    if (p->text_slot != NULL && p->text_slot[j] != SIZE_MAX) {
        p->texts[p->text_slot[j] * p->data->rows + r] = dni_is_missing(cell) ? NULL : (char *)cell;
        *x = 0.0f; /* the code, once every row is read */
        return 1;
    }
    if (dni_is_missing(cell)) {
        *x = NAN;
        return 1;
    }
    if (!p->discover || dni_csv_parse_float(cell, x) != DN_CSV_NOT_A_NUMBER) return 0;
    p->text_feature[j] = 1;
    p->found_text = 1;
    return 1;
}

static dn_status store_row(csv_parse *p, const csv_row *row, size_t r, dn_error *err) {
    if (row->count != p->columns) return ragged_error(p, row, err);
    float *x = p->data->x + r * p->data->features;
    if (p->raw_cols != NULL) p->raw_cols->lines[r] = row->line;
    if (p->raw && p->label_col < p->columns && dni_is_missing(row->cells[p->label_col]))
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: the label is missing (\"%s\"): every "
                        "row needs a label; drop the row or fill it in", p->path, row->line,
                        p->label_col + 1, row->cells[p->label_col]);
    for (size_t j = 0; j < p->features; ++j) {
        size_t c = p->feature_col[j];
        if (p->raw && store_raw_cell(p, j, row->cells[c], r, &x[j])) continue;
        dn_csv_number kind = dni_csv_parse_float(row->cells[c], &x[j]);
        if (kind != DN_CSV_NUMBER)
            return dni_csv_number_error(kind, row->cells[c], p->path, row->line, c + 1, err);
    }
    if (p->label_col < p->columns)
        p->labels[r] = (dn_csv_label){row->cells[p->label_col], row->line};
    if (p->ids != NULL) p->ids[r] = row->cells[p->id_col];
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

/* The id column: digits are a 0-based index, anything else a name that line 1 holds (which makes
 * line 1 the header). Settled after the label column, which it may not be. */
static dn_status resolve_id_column(csv_parse *p, dn_error *err) {
    const char *spec = p->opts->id_column;
    size_t index;
    p->id_col = p->columns;
    if (spec == NULL) return DN_OK;
    if (parse_index(spec, &index)) {
        if (index >= p->columns)
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected an id column index in 0..%zu, "
                            "found %s", p->path, p->first.line, p->columns - 1, spec);
    } else if (p->opts->header == DN_HEADER_NO || (index = find_column(p, spec)) == p->columns) {
        return unknown_column(p, "an id", spec, err);
    } else {
        p->header = 1;
    }
    if (index == p->label_col)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: the id column %s is also the label column",
                        p->path, spec);
    p->id_col = index;
    return DN_OK;
}

/* Every column but the label and the id is a feature, in file order. */
static dn_status all_features(csv_parse *p, dn_error *err) {
    if ((p->feature_col = dni_alloc_zeroed(p->columns, sizeof *p->feature_col)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", p->columns);
    p->features = 0;
    for (size_t c = 0; c < p->columns; ++c)
        if (c != p->label_col && c != p->id_col && c != p->index_col)
            p->feature_col[p->features++] = c;
    if (p->features == 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu: expected at least one feature column besides "
                        "the label and the id, found %zu columns", p->path, p->first.line,
                        p->columns);
    return DN_OK;
}

/* The requested features found in line 1, by name: 1 when every one is there. */
static int map_by_name(csv_parse *p) {
    const dn_dataset_options *o = p->opts;
    for (size_t j = 0; j < o->feature_column_count; ++j)
        if ((p->feature_col[j] = find_column(p, o->feature_columns[j])) == p->columns) return 0;
    return 1;
}

/* Line 1 looks like a header: some cell is text where line 2 holds a number (a string label
 * column is text on every line, so it alone does not make a header). */
static int looks_like_header(const csv_parse *p) {
    for (size_t c = 0; c < p->columns; ++c) {
        const char *cell = p->first.cells[c];
        if (cell[0] == '\0' || is_number(cell)) continue;
        if (!p->second.present || p->second.count != p->columns || is_number(p->second.cells[c]))
            return 1;
    }
    return 0;
}

/* Some of the requested names appear in line 1 (then it is a header that lacks the others). */
static int holds_some_name(const csv_parse *p) {
    const dn_dataset_options *o = p->opts;
    for (size_t j = 0; j < o->feature_column_count; ++j)
        if (find_column(p, o->feature_columns[j]) < p->columns) return 1;
    return o->label_column != NULL && find_column(p, o->label_column) < p->columns;
}

static dn_status missing_columns(const csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    char missing[200] = "", names[200];
    size_t used = 0, count = 0;
    for (size_t j = 0; j < o->feature_column_count; ++j)
        if (find_column(p, o->feature_columns[j]) == p->columns) {
            if (used + 1 < sizeof missing)
                used += (size_t)snprintf(missing + used, sizeof missing - used, "%s\"%s\"",
                                         count ? ", " : "", o->feature_columns[j]);
            count++;
        }
    list_columns(p, names, sizeof names);
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected the model's feature column%s %s%s, "
                    "which line 1 does not hold (it holds %s); give data with the training "
                    "columns", p->path, p->first.line, count == 1 ? "" : "s", missing,
                    used + 1 < sizeof missing ? "" : "...", names);
}

/* A headerless file (or match_by_position): the id column as an index, then the label is there
 * when one column more than the features remains (at label_column's index, else last). */
static dn_status map_by_position(csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    size_t index, f = o->feature_column_count;
    p->label_col = p->columns;
    dn_status st = resolve_id_column(p, err);
    if (st != DN_OK) return st;
    size_t rest = p->columns - (p->id_col < p->columns);
    if (rest == f + 1 && !p->unlabeled) {
        if (o->label_column != NULL && parse_index(o->label_column, &index) && index < p->columns &&
            index != p->id_col)
            p->label_col = index;
        else
            p->label_col = p->id_col == p->columns - 1 ? p->columns - 2 : p->columns - 1;
    } else if (rest != f) {
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected %zu feature columns (%zu with a "
                        "label) matched by position, found %zu columns%s", p->path, p->first.line,
                        f, f + 1, rest, p->header ? "" : " and no header: give a file whose line 1 "
                        "names the training columns");
    } else if (!p->unlabeled && !o->label_optional) {
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:1: expected a label column after the %zu "
                        "features, found none", p->path, p->first.line, f);
    }
    p->features = 0;
    for (size_t c = 0; c < p->columns; ++c)
        if (c != p->label_col && c != p->id_col) p->feature_col[p->features++] = c;
    return DN_OK;
}

/* Line 1 split into one cell: name another delimiter that the line holds, if any. */
static dn_status one_column(const csv_parse *p, dn_error *err) {
    static const char others[] = {',', ';', '\t', '|'};
    const char *cell = p->first.cells[0];
    for (size_t k = 0; k < sizeof others; ++k)
        if (others[k] != p->delim && dni_csv_count_delimiter(cell, strlen(cell), others[k]) > 0)
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:2: expected at least 2 cells (features "
                            "and a label) separated by \"%s\", found 1; the line holds \"%s\": "
                            "give --delimiter '%s'", p->path, p->first.line,
                            dni_csv_delimiter_name(p->delim), dni_csv_delimiter_name(others[k]),
                            dni_csv_delimiter_name(others[k]));
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:2: expected at least 2 cells (features and a "
                    "label) separated by \"%s\", found 1 (a table of one column has no features)",
                    p->path, p->first.line, dni_csv_delimiter_name(p->delim));
}

/* Columns chosen by the names a model remembers (feature_columns): by name when line 1 holds
 * them all, by position for a headerless file, an error naming the missing ones otherwise. */
static dn_status select_named(csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    size_t f = o->feature_column_count;
    if (p->columns < 2 && f > 1) return one_column(p, err); /* most likely the wrong delimiter */
    if ((p->feature_col = dni_alloc_zeroed(f, sizeof *p->feature_col)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", f);
    p->features = f;
    int named = !o->match_by_position && o->header != DN_HEADER_NO && map_by_name(p);
    if (!named) {
        p->header = o->header == DN_HEADER_AUTO ? holds_some_name(p) || looks_like_header(p)
                                                : o->header == DN_HEADER_YES;
        if (p->header && !o->match_by_position) return missing_columns(p, err);
        return map_by_position(p, err);
    }
    p->header = 1;
    p->label_col = p->columns;
    if (!p->unlabeled && o->label_column != NULL) {
        size_t c = find_column(p, o->label_column), index;
        if (c == p->columns && parse_index(o->label_column, &index) && index < p->columns) c = index;
        if (c == p->columns && !o->label_optional)
            return unknown_column(p, "a label", o->label_column, err);
        p->label_col = c;
    }
    dn_status st = resolve_id_column(p, err);
    for (size_t j = 0; st == DN_OK && j < f; ++j)
        if (p->feature_col[j] == p->label_col || p->feature_col[j] == p->id_col)
            st = dni_fail(err, DN_ERR_ARGUMENT, "%s: column \"%s\" is asked for as a feature and "
                          "as the label or id", p->path, o->feature_columns[j]);
    return st;
}

/* The delimiter: the option's, or detected from the first two lines (csv_row.h). */
static dn_status settle_delimiter(csv_parse *p, dn_error *err) {
    char given = p->opts->delimiter;
    if (given != 0) {
        if (given == '"' || given == '\n' || given == '\r' || given == ' ')
            return dni_fail(err, DN_ERR_ARGUMENT, "%s: a delimiter cannot be a quote, a space or "
                            "a line break (give , ; | or \\t)", p->path);
        p->delim = given;
        return DN_OK;
    }
    dn_csv_cursor peek = p->cursor;
    char *l1, *l2;
    size_t n1, n2;
    dni_csv_next_line(&peek, &l1, &n1);
    int two = dni_csv_next_line(&peek, &l2, &n2);
    p->delim = dni_csv_detect_delimiter(l1, n1, two ? l2 : NULL, two ? n2 : 0);
    return DN_OK;
}

/* Does the line's first cell read `value` in decimal (spaces around it allowed)? */
static int first_cell_is(const char *line, size_t len, char delim, size_t value) {
    char want[24];
    int n = snprintf(want, sizeof want, "%zu", value);
    size_t i = 0;
    while (i < len && (line[i] == ' ' || (line[i] == '\t' && delim != '\t'))) i++;
    if (len - i < (size_t)n || memcmp(line + i, want, (size_t)n) != 0) return 0;
    for (i += (size_t)n; i < len && line[i] != delim; ++i)
        if (line[i] != ' ' && line[i] != '\t') return 0;
    return 1;
}

/* pandas' unnamed index column (DataFrame.to_csv with its default index=True): line 1's first
 * cell is empty and column 0 holds 0, 1, ..., rows - 1 in order. It is left out of the features
 * (index_col) and line 1 is the header. Not when column 0 is the label or the id. */
static void detect_index_column(csv_parse *p) {
    p->index_col = p->columns;
    if (p->opts->header == DN_HEADER_NO || p->first.cells[0][0] != '\0' || p->label_col == 0 ||
        p->id_col == 0 || p->columns < 2 || !p->second.present ||
        p->second.count != p->columns || strcmp(p->second.cells[0], "0") != 0)
        return;
    dn_csv_cursor ahead = p->cursor;
    char *line;
    size_t len, row = 1, max_rows = p->opts->max_rows;
    while ((max_rows == 0 || row < max_rows) && dni_csv_next_line(&ahead, &line, &len))
        if (!first_cell_is(line, len, p->delim, row++)) return;
    p->index_col = 0;
    p->header = 1;
}

/* --features / --ignore (select_columns / ignore_columns) applied to the features all_features
 * chose: the listed columns in the order given, or those columns left out. */
static dn_status resolve_column_list(csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    int select = o->select_columns != NULL;
    if (!select && o->ignore_columns == NULL) return DN_OK;
    if ((p->listed = dni_alloc_zeroed(p->columns, sizeof *p->listed)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", p->columns);
    dni_column_list l = {select ? o->select_columns : o->ignore_columns,
                         select ? "--features" : "--ignore", p->first.cells, p->columns,
                         o->header != DN_HEADER_NO, p->path, p->first.line};
    int named;
    dn_status st = dni_csv_select_columns(&l, p->listed, &p->listed_count, &named, err);
    if (named) p->header = 1;
    return st;
}

static dn_status apply_column_list(csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    int select = o->select_columns != NULL;
    const size_t *list = p->listed, n = p->listed_count;
    dn_status st = DN_OK;
    for (size_t i = 0; st == DN_OK && i < n; ++i) {
        size_t c = list[i];
        const char *name = p->header ? p->first.cells[c] : "";
        if (select && (c == p->label_col || c == p->id_col))
            st = dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: --features lists column %zu \"%s\", "
                          "which is the %s column: leave it out, or name another label with "
                          "--label COL", p->path, p->first.line, c + 1, c, name,
                          c == p->label_col ? "label" : "id");
        else if (!select && c == p->label_col)
            st = dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: --ignore lists column %zu \"%s\", "
                          "which is the label column: name the label with --label COL", p->path,
                          p->first.line, c + 1, c, name);
    }
    if (st == DN_OK && select) {
        memcpy(p->feature_col, list, n * sizeof *list);
        p->features = n;
    } else if (st == DN_OK) {
        size_t kept = 0;
        for (size_t j = 0; j < p->features; ++j) {
            int dropped = 0;
            for (size_t i = 0; i < n && !dropped; ++i) dropped = list[i] == p->feature_col[j];
            if (!dropped) p->feature_col[kept++] = p->feature_col[j];
        }
        p->features = kept;
        if (kept == 0)
            st = dni_fail(err, DN_ERR_FORMAT, "%s: --ignore %s leaves no feature column", p->path,
                          o->ignore_columns);
    }
    return st;
}

/* Options that exclude each other. */
static dn_status check_column_options(const csv_parse *p, dn_error *err) {
    const dn_dataset_options *o = p->opts;
    if (o->select_columns != NULL && o->ignore_columns != NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: give --features or --ignore, not both", p->path);
    if ((o->select_columns != NULL || o->ignore_columns != NULL) && o->feature_columns != NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: --features and --ignore choose training "
                        "columns; a model's data is read by the names it remembers", p->path);
    if (o->task < DN_TASK_CLASSIFICATION || o->task > DN_TASK_AUTO)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: task must be DN_TASK_CLASSIFICATION, "
                        "_REGRESSION or _AUTO, found %d", p->path, o->task);
    if (o->header < DN_HEADER_AUTO || o->header > DN_HEADER_NO)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: header must be DN_HEADER_AUTO, _YES or _NO, "
                        "found %d", p->path, o->header);
    return DN_OK;
}

/* The columns of a file read without a model's names: label, id, pandas' index, header, then
 * the features (every other column, or those --features / --ignore choose). */
static dn_status select_unnamed(csv_parse *p, dn_error *err) {
    dn_status st;
    if (p->columns < 2 && !p->unlabeled) return one_column(p, err);
    if ((st = resolve_label_column(p, p->opts->label_column, err)) != DN_OK) return st;
    if ((st = resolve_id_column(p, err)) != DN_OK) return st;
    detect_index_column(p);
    if ((st = resolve_column_list(p, err)) != DN_OK) return st;
    detect_header(p);
    if ((st = all_features(p, err)) != DN_OK) return st;
    if (p->opts->select_columns == NULL && p->opts->ignore_columns == NULL) return DN_OK;
    return apply_column_list(p, err);
}

/* Reads line 1 and 2 and settles the shape: columns, label column, header, rows. */
static dn_status read_layout(csv_parse *p, size_t *rows, dn_error *err) {
    char *line;
    size_t len;
    dn_csv_cursor peek = p->cursor;
    if (!dni_csv_next_line(&peek, &line, &len))
        return dni_fail(err, DN_ERR_FORMAT, "%s:1:1: expected a header or a data row, found an "
                        "empty file", p->path);
    dn_status st = check_column_options(p, err);
    if (st == DN_OK) st = settle_delimiter(p, err);
    if (st != DN_OK) return st;
    p->columns = dni_csv_max_cells(line, len, p->delim); /* capacity for lines 1 and 2 */
    p->first.cells = dni_alloc_zeroed(p->columns, sizeof(char *));
    p->second.cells = dni_alloc_zeroed(p->columns, sizeof(char *));
    if (p->first.cells == NULL || p->second.cells == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", p->columns);
    st = read_row(p, &p->first, err);
    if (st == DN_OK) st = read_row(p, &p->second, err);
    if (st != DN_OK) return st;
    p->columns = p->first.count; /* from here on, the real width */
    p->index_col = p->columns;
    st = p->opts->feature_columns != NULL ? select_named(p, err) : select_unnamed(p, err);
    if (st != DN_OK) return st;
    if (p->label_col >= p->columns) p->unlabeled = 1;
    *rows = count_rows(p, p->opts->max_rows);
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
    size_t features = p->features;
    size_t data = dni_dataset_storage_bytes(rows, features, 0, !p->unlabeled, 0), labels = 0;
    if (!p->unlabeled && !dni_mul_size(rows, sizeof *p->labels, &labels)) labels = SIZE_MAX;
    size_t needed = data > SIZE_MAX - labels - p->text_bytes || labels > SIZE_MAX - p->text_bytes
                        ? SIZE_MAX : data + labels + p->text_bytes;
    char what[96];
    snprintf(what, sizeof what, "loading %zu rows x %zu features (with the file's text)", rows,
             features);
    return dni_check_memory_cap(p->path, what, needed, p->max_bytes, err);
}

/* strings[i] = a copy of text(i) for i < count; 0 when memory runs out (the caller frees). */
static int copy_cells(char ***strings, size_t count, const csv_parse *p,
                      const char *(*text)(const csv_parse *, size_t, char *), char *scratch) {
    if ((*strings = dni_alloc_zeroed(count ? count : 1, sizeof **strings)) == NULL) return 0;
    for (size_t i = 0; i < count; ++i)
        if (((*strings)[i] = dni_strdup(text(p, i, scratch))) == NULL) return 0;
    return 1;
}

static const char *feature_text(const csv_parse *p, size_t j, char *scratch) {
    if (p->header) return p->first.cells[p->feature_col[j]];
    sprintf(scratch, "x%zu", j);
    return scratch;
}

static const char *id_text(const csv_parse *p, size_t r, char *scratch) {
    (void)scratch;
    return p->ids[r];
}

/* The header cells of the columns that are neither features, label nor id. */
static const char *ignored_text(const csv_parse *p, size_t i, char *scratch) {
    (void)scratch;
    for (size_t c = 0, k = 0; c < p->columns; ++c) {
        int used = c == p->label_col || c == p->id_col;
        for (size_t j = 0; !used && j < p->features; ++j) used = p->feature_col[j] == c;
        if (!used && k++ == i) return p->first.cells[c];
    }
    return "";
}

/* What the file said about its columns, kept with the dataset (columns.c). */
static dn_status keep_columns(csv_parse *p, dn_error *err) {
    dni_columns *c = dni_alloc_zeroed(1, sizeof *c);
    if (c == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for column names");
    p->data->columns = c; /* freed with the dataset from here on */
    char scratch[32];
    c->has_header = p->header;
    c->delimiter = p->delim;
    c->index_dropped = p->index_col < p->columns;
    c->feature_count = p->features;
    size_t ignored = p->columns - p->features - (p->label_col < p->columns) -
                     (p->id_col < p->columns);
    c->ignored_count = p->header ? ignored : 0;
    c->row_count = p->ids ? p->data->rows : 0;
    int ok = copy_cells(&c->feature_names, c->feature_count, p, feature_text, scratch) &&
             copy_cells(&c->ignored, c->ignored_count, p, ignored_text, scratch) &&
             (p->ids == NULL || copy_cells(&c->row_ids, c->row_count, p, id_text, scratch));
    if (ok && p->label_col < p->columns) {
        if (!p->header) sprintf(scratch, "%zu", p->label_col);
        ok = (c->label_name = dni_strdup(p->header ? p->first.cells[p->label_col] : scratch)) != NULL;
    }
    return ok ? DN_OK : dni_fail(err, DN_ERR_MEMORY, "out of memory for column names");
}

/* Raw reading: the record of lines and categories, and room for the category cells. */
static dn_status start_raw(csv_parse *p, size_t rows, dn_error *err) {
    size_t f = p->features, slots = 0;
    if ((p->raw_cols = dni_raw_alloc(p->path, f, rows)) == NULL ||
        (p->text_feature = dni_alloc_zeroed(f, 1)) == NULL ||
        (p->text_slot = dni_alloc_zeroed(f, sizeof *p->text_slot)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu columns", f);
    for (size_t j = 0; j < f; ++j) {
        p->raw_cols->file_column[j] = p->feature_col[j] + 1;
        p->text_feature[j] = p->preset != NULL && p->preset[j];
        p->text_slot[j] = p->text_feature[j] ? slots++ : SIZE_MAX;
    }
    size_t cells;
    if (slots > 0 && (!dni_mul_size(slots, rows, &cells) ||
                      (p->texts = dni_alloc_zeroed(cells, sizeof *p->texts)) == NULL))
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu category columns", slots);
    return DN_OK;
}

/* Raw reading, every row stored: category cells to codes (raw_columns.h), the record to the
 * dataset's columns. */
static dn_status finish_raw(csv_parse *p, dn_error *err) {
    dn_status st = DN_OK;
    for (size_t j = 0; st == DN_OK && j < p->features; ++j)
        if (p->text_slot[j] != SIZE_MAX)
            st = dni_raw_encode(p->raw_cols, j, p->texts + p->text_slot[j] * p->data->rows,
                                p->data->x, p->features, err);
    if (st == DN_OK) {
        p->data->columns->raw = p->raw_cols;
        p->raw_cols = NULL;
    }
    return st;
}

static dn_status parse_text(csv_parse *p, dn_error *err) {
    size_t rows;
    dn_status st = read_layout(p, &rows, err);
    if (st == DN_OK) st = check_cap(p, rows, err);
    if (st == DN_OK && p->raw) st = start_raw(p, rows, err);
    if (st != DN_OK) return st;
    if (p->id_col < p->columns && (p->ids = dni_alloc_zeroed(rows, sizeof *p->ids)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu ids", rows);
    if (p->unlabeled) {
        if ((st = dni_dataset_alloc(&p->data, rows, p->features, 0, 0, 0, err)) != DN_OK) return st;
        if ((st = read_rows(p, rows, err)) != DN_OK || p->found_text) return st;
        if ((st = keep_columns(p, err)) != DN_OK) return st;
        return p->raw ? finish_raw(p, err) : DN_OK;
    }
    /* classes = 1 only to have the labels array allocated; the labels decide the real count. */
    if ((st = dni_dataset_alloc(&p->data, rows, p->features, 0, 1, 0, err)) != DN_OK) return st;
    if ((p->labels = dni_alloc_zeroed(rows, sizeof *p->labels)) == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu labels", rows);
    if ((st = read_rows(p, rows, err)) != DN_OK || p->found_text) return st;
    if ((st = dni_csv_assign_task(p->data, p->labels, p->path, p->label_col + 1, p->opts->task,
                                  err)) != DN_OK)
        return st;
    if ((st = keep_columns(p, err)) != DN_OK) return st;
    return p->raw ? finish_raw(p, err) : DN_OK;
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

/* One reading of the file. `preset` [features]: features read as categories (NULL: none);
 * *found [features] receives the features a discovering reading found to hold text (NULL when
 * none did: the dataset is then complete). */
static dn_status load_once(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                           const unsigned char *preset, unsigned char **found, dn_error *err) {
    char *text;
    size_t len;
    *found = NULL;
    dn_status st = dni_read_text_file(path, opts->max_bytes, &text, &len, err);
    if (st != DN_OK) return st;
    if ((st = check_text(path, text, len, err)) != DN_OK) {
        free(text);
        return st;
    }
    size_t skip = len >= 3 && memcmp(text, DN_UTF8_BOM, 3) == 0 ? 3 : 0;
    csv_parse p = {.path = path, .opts = opts, .cursor = dni_csv_cursor_make(text + skip, len - skip),
                   .unlabeled = opts->unlabeled, .text_bytes = len, .max_bytes = opts->max_bytes,
                   .raw = opts->raw_columns || opts->preprocessing != NULL,
                   .discover = opts->raw_columns && opts->preprocessing == NULL && preset == NULL,
                   .preset = preset};
    st = parse_text(&p, err);
    if (st == DN_OK && p.found_text) {
        *found = p.text_feature;
        p.text_feature = NULL;
    } else if (st == DN_OK) {
        *out = p.data;
        p.data = NULL;
    }
    dni_free(p.text_feature);
    csv_parse_free(&p);
    free(text); /* after the labels: their text lives in this buffer */
    return st;
}

dn_status dni_csv_load(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                       dn_error *err) {
    if (opts->preprocessing != NULL)
        return dni_prepare_load(out, path, opts, load_once, err);
    unsigned char *found;
    dn_status st = load_once(out, path, opts, NULL, &found, err);
    /* A feature column held text: read the file again with it as categories (the cells of the
     * rows before the first text cell are needed as text too, and the text was split in place). */
    if (st == DN_OK && found != NULL) {
        unsigned char *again;
        st = load_once(out, path, opts, found, &again, err);
        dni_free(again);
    }
    dni_free(found);
    return st;
}
