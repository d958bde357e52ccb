/* fuzz_dataset_check.h — what every successfully loaded dataset must satisfy (CSV and IDX
 * harnesses): a fuzzer finds crashes by itself, but a wrong-yet-silent parse only through
 * invariants like these. */
#ifndef DN_FUZZ_DATASET_CHECK_H
#define DN_FUZZ_DATASET_CHECK_H

#include "fuzz_file.h"

#include "dropnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline void dn_fuzz_check_dataset(const dn_dataset *d, size_t max_rows, int unlabeled) {
    size_t rows = dn_dataset_rows(d), features = dn_dataset_features(d);
    size_t classes = dn_dataset_classes(d);
    DN_FUZZ_ASSERT(rows > 0 && features > 0);
    DN_FUZZ_ASSERT(max_rows == 0 || rows <= max_rows);
    DN_FUZZ_ASSERT(unlabeled ? classes == 0 : classes > 0);
    float *row = malloc(features * sizeof *row), *mean = malloc(features * sizeof *mean),
          *std = malloc(features * sizeof *std);
    if (row == NULL || mean == NULL || std == NULL) goto done;
    dn_error err;
    for (size_t r = 0; r < rows; ++r) {
        DN_FUZZ_ASSERT(dn_dataset_get_row(d, r, row, &err) == DN_OK);
        for (size_t c = 0; c < features; ++c) DN_FUZZ_ASSERT(isfinite(row[c]));
        if (!unlabeled) {
            int32_t label = dn_dataset_label(d, r);
            DN_FUZZ_ASSERT(label >= 0 && (size_t)label < classes);
        }
    }
    DN_FUZZ_ASSERT(dn_dataset_get_row(d, rows, row, &err) == DN_ERR_ARGUMENT);
    /* Class names, when present, are one per class, distinct and in order: numeric order for
     * integer labels (named by their decimal text: "4" before "12"), strcmp order for names. */
    if (dn_dataset_class_name(d, 0) != NULL)
        for (size_t k = 1; k < classes; ++k) {
            const char *a = dn_dataset_class_name(d, k - 1), *b = dn_dataset_class_name(d, k);
            DN_FUZZ_ASSERT(a != NULL && b != NULL);
            char *end_a, *end_b;
            long long x = strtoll(a, &end_a, 10), y = strtoll(b, &end_b, 10);
            if (*end_a == '\0' && *end_b == '\0' && end_a != a && end_b != b)
                DN_FUZZ_ASSERT(x < y);
            else
                DN_FUZZ_ASSERT(strcmp(a, b) < 0);
        }
    DN_FUZZ_ASSERT(dn_dataset_class_name(d, classes) == NULL);
    if (dn_dataset_feature_stats(d, mean, std, &err) == DN_OK)
        for (size_t c = 0; c < features; ++c) DN_FUZZ_ASSERT(std[c] > 0 || !isfinite(std[c]));
done:
    free(row);
    free(mean);
    free(std);
}

#endif
