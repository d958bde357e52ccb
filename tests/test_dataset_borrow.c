/* test_dataset_borrow.c — dn_dataset_borrow: the features are the caller's array (no copy, a
 * write is seen), training on it equals training on a copying dataset bit for bit, and bad
 * input is refused with the row named. */
#include "test.h"

#include "data/dataset.h"

#include "dropnet.h"

#include <string.h>

TEST(dataset_borrow_uses_the_callers_array) {
    float x[6] = {1, 2, 3, 4, 5, 6};
    int32_t labels[3] = {0, 1, 0};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_borrow(&d, 3, 2, x, labels, 2, 0, NULL, &err), &err);
    if (d == NULL) return;
    CHECK(d->x == x);
    float row[2];
    x[3] = 40.0f; /* a write through the caller's array is seen by the dataset */
    CHECK_OK(dn_dataset_get_row(d, 1, row, &err), &err);
    CHECK(row[0] == 3.0f && row[1] == 40.0f);
    labels[1] = 0; /* labels are copied */
    CHECK(dn_dataset_label(d, 1) == 1);
    dn_dataset_free(d); /* must not free x (ASan would report it) */
    CHECK(x[0] == 1.0f);
}

TEST(dataset_borrow_trains_as_a_copy_does) {
    dn_dataset *syn = NULL, *copy = NULL, *borrowed = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&syn, 96, 5, 3, 7, &err), &err);
    float x[96 * 5];
    int32_t labels[96];
    for (size_t r = 0; r < 96; ++r) {
        CHECK_OK(dn_dataset_get_row(syn, r, x + r * 5, &err), &err);
        labels[r] = dn_dataset_label(syn, r);
    }
    CHECK_OK(dn_dataset_create_classification(&copy, 96, 5, x, labels, 3, &err), &err);
    CHECK_OK(dn_dataset_borrow(&borrowed, 96, 5, x, labels, 3, 0, NULL, &err), &err);
    float weights[2][5 * 4 + 4 + 4 * 3 + 3];
    const dn_dataset *sets[2] = {copy, borrowed};
    for (int k = 0; k < 2; ++k) {
        dn_model *m = NULL;
        CHECK_OK(dn_model_from_spec(&m, 5, "dropout:0.2,dense:4:relu,dense:3:softmax", &err), &err);
        CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 3, &err), &err);
        dn_fit_config fit = dn_fit_defaults();
        fit.epochs = 2;
        CHECK_OK(dn_model_fit(m, sets[k], &fit, NULL, NULL, NULL, &err), &err);
        CHECK(dn_model_param_count(m) == sizeof weights[k] / sizeof(float));
        memcpy(weights[k], dn_model_params(m), sizeof weights[k]);
        dn_model_free(m);
    }
    CHECK(memcmp(weights[0], weights[1], sizeof weights[0]) == 0);
    dn_dataset_free(syn);
    dn_dataset_free(copy);
    dn_dataset_free(borrowed);
}

TEST(dataset_borrow_refuses_bad_input) {
    float x[4] = {1, 2, 3, 4};
    int32_t labels[2] = {0, 5};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK(dn_dataset_borrow(&d, 2, 2, x, labels, 2, 0, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "row 1 is 5") != NULL);
    labels[1] = 1;
    x[2] = NAN;
    CHECK(dn_dataset_borrow(&d, 2, 2, x, labels, 2, 0, NULL, &err) == DN_ERR_NUMERIC);
    CHECK(strstr(err.message, "feature 0 of row 1") != NULL);
    x[2] = 3.0f;
    CHECK(dn_dataset_borrow(&d, 2, 2, x, labels, 0, 0, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(d == NULL);
    CHECK_OK(dn_dataset_borrow(&d, 2, 2, x, NULL, 0, 0, NULL, &err), &err); /* features only */
    CHECK(d != NULL && dn_dataset_classes(d) == 0 && dn_dataset_targets(d) == 0);
    dn_dataset_free(d);
}
