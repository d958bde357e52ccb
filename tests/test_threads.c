/* test_threads.c — training results do not depend on the thread count. */
#include "test.h"

#include "dropnet.h"

#include <stdlib.h>
#include <string.h>

/* Trains a network big enough that every parallel path (GEMM tiles, dropout chunks, activation
 * bands, optimizer bands) splits work, with `threads` threads; returns the parameter slab. */
static float *train_with_threads(int threads, size_t *count) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    float *copy = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.momentum = 0.9f;
    if (dn_dataset_create_synthetic(&data, 512, 300, 10, 5, &err) ||
        dn_model_from_spec(&m, 300, "dropout:0.2,dense:512:relu,dropout:0.5,dense:384:tanh,"
                           "dense:10:softmax", &err) ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 99, &err) ||
        dn_model_set_threads(m, threads, &err)) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", err.message);
        goto done;
    }
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 2;
    fit.batch_size = 128;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    CHECK(dn_model_threads(m) == threads);
    *count = dn_model_param_count(m);
    copy = malloc(*count * sizeof *copy);
    memcpy(copy, dn_model_params(m), *count * sizeof *copy);
done:
    dn_model_free(m);
    dn_dataset_free(data);
    return copy;
}

TEST(training_is_bit_identical_for_1_2_and_3_threads) {
    size_t n1 = 0, n2 = 0, n3 = 0;
    float *one = train_with_threads(1, &n1), *two = train_with_threads(2, &n2),
          *three = train_with_threads(3, &n3);
    CHECK(one && two && three && n1 == n2 && n2 == n3 && n1 > 0);
    if (one && two && three) {
        CHECK(memcmp(one, two, n1 * sizeof(float)) == 0);
        CHECK(memcmp(one, three, n1 * sizeof(float)) == 0);
        /* The run trained: parameters moved from their initial values somewhere. */
        size_t differ = 0;
        for (size_t i = 1; i < n1; ++i) differ += one[i] != one[i - 1];
        CHECK(differ > n1 / 2);
    }
    free(one);
    free(two);
    free(three);
}

TEST(threads_setting_is_validated) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 4, &err), &err);
    CHECK(dn_model_set_threads(m, -1, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "threads must be >= 0, got -1") != NULL);
    dn_model_free(m);
}
