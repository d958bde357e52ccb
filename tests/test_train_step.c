/* test_train_step.c — genann's check: one full-batch SGD step (no shuffle, dropout rate 0)
 * moves every weight by −lr × the central-difference gradient of the loss. */
#include "test.h"

#include "dropnet.h"

#include <stdlib.h>
#include <string.h>

TEST(sgd_step_moves_weights_by_minus_lr_times_numerical_gradient) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    const float lr = 0.1f;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.learning_rate = lr;
    CHECK_OK(dn_dataset_create_synthetic(&data, 24, 5, 3, 17, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, 5, "dropout:0,dense:6:tanh,dropout:0,dense:3:softmax", &err), &err);
    if (data == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 3, &err), &err);
    size_t n = dn_model_param_count(m);
    float *w = dn_model_params(m);
    float *before = malloc(n * sizeof *before);
    double *numeric = malloc(n * sizeof *numeric);
    memcpy(before, w, n * sizeof *before);
    /* dL/dw_i ≈ (L(w + h e_i) − L(w − h e_i)) / 2h, L the mean loss over all 24 rows. */
    const float h = 1e-2f;
    for (size_t i = 0; i < n; ++i) {
        double plus, minus;
        w[i] = before[i] + h;
        CHECK_OK(dn_model_evaluate(m, data, &plus, NULL, &err), &err);
        w[i] = before[i] - h;
        CHECK_OK(dn_model_evaluate(m, data, &minus, NULL, &err), &err);
        w[i] = before[i];
        numeric[i] = (plus - minus) / (2.0 * (double)h);
    }
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = 24; /* the whole set in one batch */
    fit.shuffle = 0;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    CHECK(dn_model_step(m) == 1);
    size_t moved = 0;
    for (size_t i = 0; i < n; ++i) {
        double delta = (double)w[i] - before[i], want = -(double)lr * numeric[i];
        /* float forward passes and a finite h: 1e-4 absolute plus 2 % relative. */
        CHECK_MSG(fabs(delta - want) <= 1e-4 + 0.02 * fabs(want), "param %zu moved %.8g, "
                  "expected −lr·g = %.8g", i, delta, want);
        moved += fabs(delta) > 1e-5;
    }
    CHECK(moved * 2 > n);
    free(before);
    free(numeric);
done:
    dn_model_free(m);
    dn_dataset_free(data);
}

/* A learning rate that blows the weights up: fit stops with a message naming the epoch, the batch
 * and the first layer whose output went bad, and keeps the last good model. */
TEST(numeric_blow_up_stops_and_keeps_last_good_model) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.learning_rate = 1e30f;
    CHECK_OK(dn_dataset_create_synthetic(&data, 64, 5, 3, 2, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, 5, "dense:8:relu,dense:3:softmax", &err), &err);
    if (data == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 3, &err), &err);
    size_t n = dn_model_param_count(m);
    float *initial = malloc(n * sizeof *initial);
    memcpy(initial, dn_model_params(m), n * sizeof *initial);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 3;
    fit.batch_size = 8;
    CHECK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err) == DN_ERR_NUMERIC);
    CHECK_MSG(strstr(err.message, "epoch 1, batch ") != NULL, "message: %s", err.message);
    CHECK_MSG(strstr(err.message, "first non-finite values: dense") != NULL, "message: %s", err.message);
    CHECK(strstr(err.message, "restored to its state at the start of epoch 1") != NULL);
    /* The model is the one epoch 1 started from, and it still predicts finite probabilities. */
    CHECK(memcmp(initial, dn_model_params(m), n * sizeof *initial) == 0);
    CHECK(dn_model_step(m) == 0);
    double loss, accuracy;
    CHECK_OK(dn_model_evaluate(m, data, &loss, &accuracy, &err), &err);
    CHECK(isfinite(loss));
    free(initial);
done:
    dn_model_free(m);
    dn_dataset_free(data);
}

/* A schedule changes the rate between steps: the next SGD step uses the new rate exactly. */
TEST(learning_rate_can_change_between_steps) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    CHECK_OK(dn_dataset_create_synthetic(&data, 16, 4, 3, 4, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:3:softmax", &err), &err);
    if (data == NULL || m == NULL) goto done;
    CHECK(dn_model_set_learning_rate(m, 0.5f, &err) == DN_ERR_STATE);
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1, &err), &err);
    CHECK(dn_model_learning_rate(m) == 0.01f);
    CHECK_OK(dn_model_set_learning_rate(m, 0.25f, &err), &err);
    CHECK(dn_model_learning_rate(m) == 0.25f);
    CHECK(dn_model_set_learning_rate(m, 0.0f, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_set_learning_rate(m, NAN, &err) == DN_ERR_ARGUMENT);
    size_t n = dn_model_param_count(m);
    float before[15];
    CHECK(n == 15);
    memcpy(before, dn_model_params(m), sizeof before);
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = 16;
    fit.shuffle = 0;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    const float *g = dn_model_grads(m), *w = dn_model_params(m);
    for (size_t i = 0; i < n; ++i)
        CHECK_NEAR(w[i], before[i] - 0.25 * g[i], 1e-6);
done:
    dn_model_free(m);
    dn_dataset_free(data);
}
