/* split.c — holding rows out of one file: the end (Keras' validation_split), or a seeded random
 * choice, optionally stratified by class (scikit-learn's train_test_split(stratify=y)). */
#include "train/split.h"

#include "common/cli_error.h"
#include "common/columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A row and its random key; sorting by (class, key) shuffles each class. */
typedef struct keyed_row {
    int32_t label;
    uint64_t key;
    size_t row;
} keyed_row;

static int by_label_then_key(const void *a, const void *b) {
    const keyed_row *x = a, *y = b;
    if (x->label != y->label) return x->label < y->label ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

size_t cli_split_kept(size_t n, double fraction) {
    return (size_t)floor((double)n * (1.0 - fraction));
}

/* Philox(seed; row, purpose): the same key for a row whatever the thread count or order. The
 * stream word 0xFFFF0000 | purpose is one the library's draws (purpose << 16 | layer, small
 * purposes) never use. */
static uint64_t row_key(const cli_split *s, size_t row) {
    uint32_t counter[4] = {(uint32_t)row, 0xFFFF0000u | s->purpose, 0,
                           (uint32_t)((uint64_t)row >> 32)};
    uint32_t key[2] = {(uint32_t)s->seed, (uint32_t)(s->seed >> 32)}, out[4];
    dn_philox4x32_10(counter, key, out);
    return (uint64_t)out[0] << 32 | out[1];
}

/* Rows per class to hold: floor of the class's share of `held`, the rows left over going to the
 * classes with the largest remainders (ties: the lower class), so the total is exact. */
static void class_quotas(const size_t *count, size_t classes, size_t n, size_t held,
                         size_t *quota) {
    size_t given = 0;
    for (size_t c = 0; c < classes; ++c) {
        quota[c] = count[c] * held / n;
        given += quota[c];
    }
    while (given < held) {
        size_t best = 0;
        double best_rest = -1.0;
        for (size_t c = 0; c < classes; ++c) {
            double rest = (double)count[c] * (double)held / (double)n - (double)quota[c];
            if (quota[c] < count[c] && rest > best_rest) best = c, best_rest = rest;
        }
        quota[best]++, given++; /* its remainder is now negative: the next row goes elsewhere */
    }
}

/* mark[r] = 1 for the rows held out. */
static int choose_rows(const dn_dataset *data, const cli_split *s, size_t held, char *mark) {
    size_t n = dn_dataset_rows(data), classes = dn_dataset_classes(data);
    if (!s->shuffle && !s->stratify) {
        for (size_t r = n - held; r < n; ++r) mark[r] = 1;
        return 0;
    }
    int by_class = s->stratify && classes > 0;
    keyed_row *rows = calloc(n, sizeof *rows);
    size_t *count = calloc(classes + 1, sizeof *count), *quota = calloc(classes + 1, sizeof *quota);
    if (rows == NULL || count == NULL || quota == NULL) {
        free(rows), free(count), free(quota);
        return cli_error(-1, "out of memory for the %s split", s->what);
    }
    for (size_t r = 0; r < n; ++r) {
        rows[r] = (keyed_row){.label = by_class ? dn_dataset_label(data, r) : 0,
                              .key = row_key(s, r), .row = r};
        count[rows[r].label]++;
    }
    qsort(rows, n, sizeof *rows, by_label_then_key);
    if (by_class) class_quotas(count, classes, n, held, quota);
    else quota[0] = held;
    for (size_t r = 0, first = 0; r < n; ++r) {
        if (r > 0 && rows[r].label != rows[r - 1].label) first = r;
        if (r - first < quota[rows[r].label]) mark[rows[r].row] = 1;
    }
    free(rows), free(count), free(quota);
    return 0;
}

/* "warning: ..." when the held rows lack a class the kept rows have (a class-sorted file). */
static void warn_missing_classes(const dn_dataset *kept, const dn_dataset *held, const char *spec,
                                 const cli_split *s) {
    size_t classes = dn_dataset_classes(kept);
    if (classes == 0) return;
    char *in_held = calloc(classes, 1), *in_kept = calloc(classes, 1);
    if (in_held == NULL || in_kept == NULL) {
        free(in_held), free(in_kept);
        return;
    }
    for (size_t r = 0; r < dn_dataset_rows(held); ++r) in_held[dn_dataset_label(held, r)] = 1;
    for (size_t r = 0; r < dn_dataset_rows(kept); ++r) in_kept[dn_dataset_label(kept, r)] = 1;
    size_t missing = 0, present = 0;
    for (size_t c = 0; c < classes; ++c) missing += in_kept[c] && !in_held[c], present += in_held[c];
    if (missing > 0) {
        fprintf(stderr, "warning: the %s rows of %s (%zu) hold %zu of the %zu classes of the "
                        "training rows; missing:", s->what, spec, dn_dataset_rows(held), present,
                present + missing);
        for (size_t c = 0, shown = 0; c < classes && shown < 8; ++c)
            if (in_kept[c] && !in_held[c]) {
                const char *name = dn_dataset_class_name(kept, c);
                if (name) fprintf(stderr, " %s", name);
                else fprintf(stderr, " %zu", c);
                shown++;
            }
        fprintf(stderr, "%s\n", s->shuffle || s->stratify ? "" : " (is the file sorted by class? "
                                                                "add --stratify or --val-shuffle)");
    }
    free(in_held), free(in_kept);
}

int cli_split_rows(const dn_dataset *data, const char *spec, const cli_split *s,
                   dn_dataset **kept, dn_dataset **held) {
    size_t n = dn_dataset_rows(data), keep = cli_split_kept(n, s->fraction), out = n - keep;
    *kept = *held = NULL;
    if (keep == 0 || out == 0)
        return cli_error(-1, "--%s-split %g of the %zu rows of %s leaves an empty %s set",
                         s->what[0] == 't' ? "test" : "val", s->fraction, n, spec,
                         keep == 0 ? "training" : s->what);
    char *mark = calloc(n, 1);
    size_t *a = calloc(keep, sizeof *a), *b = calloc(out, sizeof *b);
    int code = mark && a && b ? choose_rows(data, s, out, mark)
                              : cli_error(-1, "out of memory for the %s split", s->what);
    dn_error err;
    if (code == 0) {
        size_t i = 0, j = 0;
        for (size_t r = 0; r < n; ++r) {
            if (mark[r]) b[j++] = r;
            else a[i++] = r;
        }
        if (dn_dataset_take(data, a, keep, kept, &err) != DN_OK ||
            dn_dataset_take(data, b, out, held, &err) != DN_OK) {
            dn_dataset_free(*kept);
            *kept = NULL;
            code = cli_error(-1, "%s", err.message);
        }
    }
    if (code == 0) {
        /* the sizes, so that a user can check them against Keras or scikit-learn */
        printf("%s: %zu rows -> %zu kept, %zu %s, %s", spec, n, keep, out, s->what,
               s->stratify ? "stratified" : s->shuffle ? "shuffled" : "the file's last rows");
        cli_columns_class_counts(stdout, *held);
        putchar('\n');
        warn_missing_classes(*kept, *held, spec, s);
    }
    free(mark), free(a), free(b);
    return code;
}
