/* prepare.c — one-hot encoding and imputation of a dataset read raw (raw_columns.h), as
 * scikit-learn's OneHotEncoder(handle_unknown='ignore') and SimpleImputer do: the statistics and
 * categories come from the training rows (`fit`), and the same preparation (kept as JSON in the
 * dataset, and so in a model) is applied to any other data read later. */
#include "data/prepare.h"
#include "data/prepare_json.h"
#include "data/raw_columns.h"
#include "data/columns.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From this many training rows on, a text column distinct on every row is an identifier. */
enum { DN_MIN_ROWS_FOR_ID = 10 };

void dni_prep_free(dni_prep *prep) {
    if (prep == NULL) return;
    for (size_t j = 0; prep->columns != NULL && j < prep->count; ++j) {
        dni_prep_column *c = &prep->columns[j];
        for (size_t k = 0; c->categories != NULL && k < c->count; ++k) free(c->categories[k]);
        dni_free(c->categories);
        free(c->name);
    }
    dni_free(prep->columns);
    dni_free(prep);
}

size_t dni_prep_width(const dni_prep *prep) {
    size_t width = 0;
    for (size_t j = 0; j < prep->count; ++j)
        width += prep->columns[j].categorical ? prep->columns[j].count : 1;
    return width;
}

static int by_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The fill of a numeric column from its n present values (sorted here): SimpleImputer's mean,
 * median (the mean of the two middle values for an even count) or most frequent value (the
 * smallest of those most frequent). */
static double numeric_fill(double *v, size_t n, dn_impute impute) {
    if (impute == DN_IMPUTE_MEAN) {
        double sum = 0.0;
        for (size_t i = 0; i < n; ++i) sum += v[i];
        return sum / (double)n;
    }
    qsort(v, n, sizeof *v, by_double);
    if (impute == DN_IMPUTE_MEDIAN) return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    double best = v[0];
    size_t best_run = 0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && v[k] == v[i]) k++;
        if (k - i > best_run) best_run = k - i, best = v[i];
        i = k;
    }
    return best;
}

/* Column j of the fit rows: categories present (sorted, as the file's are) and the fill. */
static dn_status fit_column(const dn_dataset *fit, size_t j, dn_impute impute,
                            dni_prep_column *c, dn_error *err) {
    const dni_raw_columns *raw = fit->columns->raw;
    size_t rows = fit->rows, f = fit->features, n = 0;
    if (raw->categorical[j]) {
        size_t vocab = raw->category_count[j];
        size_t *count = dni_alloc_zeroed(vocab ? vocab : 1, sizeof *count);
        if (count == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for categories");
        for (size_t r = 0; r < rows; ++r)
            if (!isnan(fit->x[r * f + j])) count[(size_t)fit->x[r * f + j]]++, n++;
        c->categorical = 1;
        c->categories = dni_alloc_zeroed(vocab ? vocab : 1, sizeof *c->categories);
        int ok = c->categories != NULL;
        size_t best = 0;
        for (size_t k = 0; ok && k < vocab; ++k) {
            if (count[k] == 0) continue;
            if (count[k] > best) best = count[k], c->fill_category = c->count;
            ok = (c->categories[c->count++] = dni_strdup(raw->categories[j][k])) != NULL;
        }
        dni_free(count);
        if (!ok) return dni_fail(err, DN_ERR_MEMORY, "out of memory for categories");
        /* A text that differs on every row names the row: one-hot encoding it learns nothing
         * that carries over to new rows (issue 13: ids trained on as features). */
        if (rows >= DN_MIN_ROWS_FOR_ID && c->count == rows)
            return dni_fail(err, DN_ERR_FORMAT, "%s: column \"%s\" holds a different text on "
                            "each of the %zu training rows (\"%s\", ...): an identifier, not a "
                            "category; leave it out with --ignore \"%s\" (predict --id carries it "
                            "to the output)", raw->path, c->name, rows, c->categories[0], c->name);
        c->has_fill = impute != DN_IMPUTE_NONE;
    } else {
        double *v = dni_alloc_zeroed(rows, sizeof *v);
        if (v == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu values", rows);
        for (size_t r = 0; r < rows; ++r)
            if (!isnan(fit->x[r * f + j])) v[n++] = fit->x[r * f + j];
        if (n > 0 && impute != DN_IMPUTE_NONE) {
            c->fill = numeric_fill(v, n, impute);
            c->has_fill = 1;
        }
        dni_free(v);
    }
    if (n == 0 && (impute != DN_IMPUTE_NONE || c->categorical))
        return dni_fail(err, DN_ERR_FORMAT, "%s: column \"%s\" has no value in the %zu training "
                        "rows: nothing to learn or impute from; leave it out with --ignore",
                        raw->path, c->name, rows);
    return DN_OK;
}

/* data and fit hold the same columns, of the same kinds. */
static dn_status check_same_columns(const dn_dataset *data, const dn_dataset *fit,
                                    dn_error *err) {
    const dni_raw_columns *a = data->columns->raw, *b = fit->columns->raw;
    if (data->features != fit->features)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s has %zu feature columns but the training rows "
                        "(%s) have %zu", a->path, data->features, b->path, fit->features);
    for (size_t j = 0; j < data->features; ++j) {
        const char *name = data->columns->feature_names[j];
        if (strcmp(name, fit->columns->feature_names[j]) != 0)
            return dni_fail(err, DN_ERR_ARGUMENT, "%s: column %zu is \"%s\" but the training "
                            "rows' is \"%s\"", a->path, j, name, fit->columns->feature_names[j]);
        if (a->categorical[j] && !b->categorical[j])
            return dni_fail(err, DN_ERR_FORMAT, "%s: column \"%s\" holds text (\"%s\") but "
                            "numbers in the training rows (%s)", a->path, name,
                            a->category_count[j] ? a->categories[j][0] : "", b->path);
        if (!a->categorical[j] && b->categorical[j])
            return dni_fail(err, DN_ERR_FORMAT, "%s: column \"%s\" holds numbers but categories "
                            "in the training rows (%s): read it with the training file's "
                            "preprocessing", a->path, name, b->path);
    }
    return DN_OK;
}

static dn_status fit_prep(const dn_dataset *fit, dn_impute impute, dni_prep **out,
                          dn_error *err) {
    dni_prep *prep = dni_alloc_zeroed(1, sizeof *prep);
    if (prep == NULL || (prep->columns = dni_alloc_zeroed(fit->features,
                                                          sizeof *prep->columns)) == NULL) {
        dni_prep_free(prep);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for the preprocessing");
    }
    prep->impute = impute;
    prep->count = fit->features;
    dn_status st = DN_OK;
    for (size_t j = 0; st == DN_OK && j < fit->features; ++j) {
        prep->columns[j].name = dni_strdup(fit->columns->feature_names[j]);
        st = prep->columns[j].name == NULL
                 ? dni_fail(err, DN_ERR_MEMORY, "out of memory for the preprocessing")
                 : fit_column(fit, j, impute, &prep->columns[j], err);
    }
    if (st != DN_OK) {
        dni_prep_free(prep);
        return st;
    }
    *out = prep;
    return DN_OK;
}

/* What applying one prepared dataset found, for its warning line. */
typedef struct unknown_count {
    size_t rows;        /* rows with an unknown category in this column */
    const char *first;  /* the first such value */
} unknown_count;

typedef struct apply_state {
    dn_dataset *data;
    const dni_prep *prep;
    int strict;
    float *x;                /* [rows × width] the prepared features */
    size_t width;
    size_t **map;            /* [features] file category → prepared category, or SIZE_MAX */
    unknown_count *unknown;  /* [features] */
} apply_state;

static dn_status missing_error(const apply_state *a, size_t r, size_t j, dn_error *err) {
    const dni_raw_columns *raw = a->data->columns->raw;
    const char *name = a->prep->columns[j].name;
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: column \"%s\" has a missing value and no "
                    "imputation: give --impute mean|median|most_frequent (at train), or leave the "
                    "column out with --ignore \"%s\"", raw->path, raw->lines[r],
                    raw->file_column[j], name, name);
}

/* Feature j of row r into the prepared row at `out`. */
static dn_status apply_cell(apply_state *a, size_t r, size_t j, float *out, dn_error *err) {
    const dni_prep_column *c = &a->prep->columns[j];
    float v = a->data->x[r * a->data->features + j];
    if (!c->categorical) {
        if (isnan(v) && !c->has_fill) return missing_error(a, r, j, err);
        *out = isnan(v) ? (float)c->fill : v;
        return DN_OK;
    }
    size_t k;
    if (isnan(v)) {
        if (!c->has_fill) return missing_error(a, r, j, err);
        k = c->fill_category;
    } else {
        k = a->map[j][(size_t)v];
    }
    if (k != SIZE_MAX) {
        out[k] = 1.0f;
        return DN_OK;
    }
    const dni_raw_columns *raw = a->data->columns->raw;
    const char *value = raw->categories[j][(size_t)v];
    if (a->strict)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: column \"%s\" holds \"%.60s\", a "
                        "category the training rows did not (they hold %zu); give data with the "
                        "training categories, or leave out --strict to encode it as all zeros",
                        raw->path, raw->lines[r], raw->file_column[j], c->name, value, c->count);
    if (a->unknown[j].rows++ == 0) a->unknown[j].first = value;
    return DN_OK;
}

/* map[j][i] = the index of the file's category i among the prepared ones (SIZE_MAX: unknown). */
static dn_status build_maps(apply_state *a, dn_error *err) {
    const dni_raw_columns *raw = a->data->columns->raw;
    for (size_t j = 0; j < a->prep->count; ++j) {
        const dni_prep_column *c = &a->prep->columns[j];
        if (!c->categorical) continue;
        size_t n = raw->category_count[j];
        if ((a->map[j] = dni_alloc_zeroed(n ? n : 1, sizeof **a->map)) == NULL)
            return dni_fail(err, DN_ERR_MEMORY, "out of memory for categories");
        for (size_t i = 0; i < n; ++i) {
            a->map[j][i] = SIZE_MAX;
            for (size_t k = 0; k < c->count; ++k)
                if (strcmp(raw->categories[j][i], c->categories[k]) == 0) a->map[j][i] = k;
        }
    }
    return DN_OK;
}

/* "color=red" for category k of column j, or the column's name. */
static char *input_name(const dni_prep_column *c, size_t k) {
    if (!c->categorical) return dni_strdup(c->name);
    size_t n = strlen(c->name) + strlen(c->categories[k]) + 2;
    char *name = malloc(n);
    if (name != NULL) snprintf(name, n, "%s=%s", c->name, c->categories[k]);
    return name;
}

/* The prepared features replace the raw ones, named after what they hold. */
static dn_status install(apply_state *a, dn_error *err) {
    dn_dataset *d = a->data;
    dni_columns *cols = d->columns;
    char **names = dni_alloc_zeroed(a->width, sizeof *names);
    int ok = names != NULL;
    for (size_t j = 0, i = 0; ok && j < a->prep->count; ++j) {
        const dni_prep_column *c = &a->prep->columns[j];
        size_t n = c->categorical ? c->count : 1;
        for (size_t k = 0; ok && k < n; ++k) ok = (names[i++] = input_name(c, k)) != NULL;
    }
    char *json = ok ? dni_prep_to_json(a->prep) : NULL;
    if (json == NULL) {
        for (size_t i = 0; names != NULL && i < a->width; ++i) free(names[i]);
        dni_free(names);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for the prepared columns");
    }
    for (size_t j = 0; j < cols->feature_count; ++j) free(cols->feature_names[j]);
    dni_free(cols->feature_names);
    cols->feature_names = names;
    cols->feature_count = a->width;
    dni_raw_free(cols->raw);
    cols->raw = NULL;
    dni_free(d->x);
    d->x = a->x;
    a->x = NULL;
    d->features = a->width;
    free(d->preprocessing);
    d->preprocessing = json;
    return DN_OK;
}

/* "2 rows hold a category the training rows did not: color 2 ("purple"); ..." or nothing. */
static dn_status note_unknown(apply_state *a, dn_error *err) {
    size_t total = 0, used = 0, size = 512;
    for (size_t j = 0; j < a->prep->count; ++j) total += a->unknown[j].rows;
    if (total == 0) return DN_OK;
    char *text = malloc(size);
    if (text == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for a warning");
    used = (size_t)snprintf(text, size, "%zu cell%s hold%s a category the training rows did not, "
                            "encoded as all zeros (--strict refuses them):", total,
                            total == 1 ? "" : "s", total == 1 ? "s" : "");
    for (size_t j = 0, n = 0; j < a->prep->count && used + 1 < size; ++j)
        if (a->unknown[j].rows > 0)
            used += (size_t)snprintf(text + used, size - used, "%s \"%s\" %zu (first \"%.40s\")",
                                     n++ ? "," : "", a->prep->columns[j].name,
                                     a->unknown[j].rows, a->unknown[j].first);
    free(a->data->warning);
    a->data->warning = text;
    return DN_OK;
}

/* Applies `prep` to the raw dataset `data` in place. */
static dn_status apply_prep(dn_dataset *data, const dni_prep *prep, int strict, dn_error *err) {
    apply_state a = {.data = data, .prep = prep, .strict = strict, .width = dni_prep_width(prep)};
    size_t cells;
    if (!dni_mul_size(data->rows, a.width, &cells))
        return dni_fail(err, DN_ERR_MEMORY, "%zu rows × %zu inputs overflows", data->rows, a.width);
    a.x = dni_alloc_zeroed(cells, sizeof *a.x);
    a.map = dni_alloc_zeroed(prep->count, sizeof *a.map);
    a.unknown = dni_alloc_zeroed(prep->count, sizeof *a.unknown);
    dn_status st = a.x && a.map && a.unknown ? build_maps(&a, err)
                                             : dni_fail(err, DN_ERR_MEMORY, "out of memory for "
                                                        "%zu rows × %zu inputs", data->rows, a.width);
    for (size_t r = 0; st == DN_OK && r < data->rows; ++r)
        for (size_t j = 0, at = 0; st == DN_OK && j < prep->count; ++j) {
            st = apply_cell(&a, r, j, a.x + r * a.width + at, err);
            at += prep->columns[j].categorical ? prep->columns[j].count : 1;
        }
    if (st == DN_OK) st = note_unknown(&a, err);
    if (st == DN_OK) st = install(&a, err);
    for (size_t j = 0; a.map != NULL && j < prep->count; ++j) dni_free(a.map[j]);
    dni_free(a.map);
    dni_free(a.unknown);
    dni_free(a.x);
    return st;
}

static int is_raw(const dn_dataset *d) { return d->columns != NULL && d->columns->raw != NULL; }

/* The arguments of dn_dataset_prepare and dn_dataset_prepared_bytes checked; *needed: 1 when
 * `data` is encoded or imputed, 0 when it is only copied. */
static dn_status check_prepare(const dn_dataset *data, const dn_dataset *fit, dn_impute impute,
                               int *needed, dn_error *err) {
    if (data == NULL || fit == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "data and fit must not be NULL");
    if (impute < DN_IMPUTE_NONE || impute > DN_IMPUTE_MOST_FREQUENT)
        return dni_fail(err, DN_ERR_ARGUMENT, "impute must be a dn_impute, found %d", (int)impute);
    *needed = impute != DN_IMPUTE_NONE || dn_dataset_needs_preparing(data) ||
              dn_dataset_needs_preparing(fit);
    if (*needed && (!is_raw(data) || !is_raw(fit)))
        return dni_fail(err, DN_ERR_ARGUMENT, "encoding and imputing need data read from CSV with "
                        "dn_dataset_options.raw_columns");
    return *needed ? check_same_columns(data, fit, err) : DN_OK;
}

/* The inputs a row has once prepared against `fit` (dni_prep_width of fit_prep's result): 1 a
 * numeric column, and a categorical one as many as the categories the fit rows hold. Counted
 * from the codes alone, one column's flags at a time, so that the size is known before the
 * encoded rows are allocated. */
static dn_status prepared_width(const dn_dataset *fit, size_t *width, dn_error *err) {
    const dni_raw_columns *raw = fit->columns->raw;
    size_t f = fit->features;
    *width = 0;
    for (size_t j = 0; j < f; ++j) {
        if (!raw->categorical[j]) {
            ++*width;
            continue;
        }
        size_t vocab = raw->category_count[j];
        unsigned char *seen = dni_alloc_zeroed(vocab ? vocab : 1, 1);
        if (seen == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for categories");
        for (size_t r = 0; r < fit->rows; ++r) {
            float code = fit->x[r * f + j];
            if (!isnan(code) && !seen[(size_t)code]) seen[(size_t)code] = 1, ++*width;
        }
        dni_free(seen);
    }
    return DN_OK;
}

dn_status dn_dataset_prepared_bytes(const dn_dataset *data, const dn_dataset *fit,
                                    dn_impute impute, size_t *bytes, dn_error *err) {
    if (bytes == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "bytes must not be NULL");
    *bytes = 0;
    int needed = 0;
    dn_status st = check_prepare(data, fit, impute, &needed, err);
    if (st != DN_OK || !needed) {
        if (st == DN_OK) *bytes = dn_dataset_bytes(data); /* a copy */
        return st;
    }
    size_t width = 0;
    st = prepared_width(fit, &width, err);
    if (st == DN_OK)
        *bytes = dni_dataset_storage_bytes(data->rows, width, 0, data->classes, data->targets);
    return st;
}

dn_status dn_dataset_prepare(const dn_dataset *data, const dn_dataset *fit, dn_impute impute,
                             dn_dataset **out, dn_error *err) {
    if (out == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "data, fit and out must not be NULL");
    *out = NULL;
    int needed = 0;
    dn_status st = check_prepare(data, fit, impute, &needed, err);
    dn_dataset *copy = NULL;
    dni_prep *prep = NULL;
    if (st == DN_OK) st = dn_dataset_slice(data, 0, data->rows, &copy, err);
    if (st == DN_OK && needed) st = fit_prep(fit, impute, &prep, err);
    if (st == DN_OK && needed) st = apply_prep(copy, prep, 0, err);
    if (st == DN_OK && !needed && is_raw(copy)) { /* nothing to do: a plain dataset */
        dni_raw_free(copy->columns->raw);
        copy->columns->raw = NULL;
    }
    dni_prep_free(prep);
    if (st != DN_OK) {
        dn_dataset_free(copy);
        return st;
    }
    *out = copy;
    return DN_OK;
}

/* --max-memory (max_bytes) for the encoded rows a load with a preprocessing makes next to the
 * rows as read, checked before they are allocated: the reader counted the file at its raw
 * width, one input a categorical column. */
static dn_status check_encoded_cap(const dn_dataset *data, const dni_prep *prep, const char *path,
                                   size_t max_bytes, dn_error *err) {
    size_t width = dni_prep_width(prep);
    size_t encoded = dni_dataset_storage_bytes(data->rows, width, 0, 0, 0), held = dn_dataset_bytes(data);
    size_t needed = encoded > SIZE_MAX - held ? SIZE_MAX : encoded + held;
    char what[128];
    snprintf(what, sizeof what, "encoding %zu rows to %zu inputs (next to the %zu columns read)",
             data->rows, width, data->features);
    return dni_check_memory_cap(path, what, needed, max_bytes, err);
}

dn_status dni_prepare_load(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                           dni_csv_reader read, dn_error *err) {
    dni_prep *prep = NULL;
    dn_status st = dni_prep_from_json(opts->preprocessing, &prep, err);
    if (st != DN_OK) return st;
    unsigned char *preset = dni_alloc_zeroed(prep->count ? prep->count : 1, 1), *found = NULL;
    if (preset == NULL) st = dni_fail(err, DN_ERR_MEMORY, "out of memory for the preprocessing");
    else if (opts->feature_columns == NULL || opts->feature_column_count != prep->count)
        st = dni_fail(err, DN_ERR_ARGUMENT, "%s: the preprocessing describes %zu columns but "
                      "feature_columns names %zu", path, prep->count, opts->feature_column_count);
    for (size_t j = 0; st == DN_OK && j < prep->count; ++j) preset[j] = (unsigned char)prep->columns[j].categorical;
    dn_dataset *data = NULL;
    if (st == DN_OK) st = read(&data, path, opts, preset, &found, err);
    if (st == DN_OK) st = check_encoded_cap(data, prep, path, opts->max_bytes, err);
    if (st == DN_OK) st = apply_prep(data, prep, opts->strict_categories, err);
    dni_free(found);
    dni_free(preset);
    dni_prep_free(prep);
    if (st != DN_OK) {
        dn_dataset_free(data);
        return st;
    }
    *out = data;
    return DN_OK;
}

const char *dn_dataset_preprocessing(const dn_dataset *data) {
    return data != NULL ? data->preprocessing : NULL;
}

const char *dn_dataset_warning(const dn_dataset *data) {
    return data != NULL ? data->warning : NULL;
}
