/* test_model.c — building, compiling and fitting models: refused configurations and their
 * messages, Keras' validation_split (the LAST rows), shuffling determinism, glorot_uniform
 * initialisation statistics, learning a separable problem, and predict/evaluate consistency. */
#include "test.h"

#include "model/model.h"

#include "dropnet.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Whether `message` contains `value` as a whole decimal number. */
static int mentions_number(const char *message, unsigned long value) {
    for (const char *p = message; *p; ++p) {
        if (!isdigit((unsigned char)*p) || (p > message && isdigit((unsigned char)p[-1]))) continue;
        char *end;
        if (strtoul(p, &end, 10) == value) return 1;
    }
    return 0;
}

/* inputs → [Dense(hidden, relu)] → Dense(outputs, softmax), compiled with `seed`. */
static dn_model *classifier(size_t inputs, size_t hidden, size_t outputs,
                            const dn_optimizer_config *opt, uint64_t seed) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, inputs, &err), &err);
    if (m == NULL) return NULL;
    if (hidden) CHECK_OK(dn_model_add_dense(m, hidden, DN_ACT_RELU, NULL, &err), &err);
    CHECK_OK(dn_model_add_dense(m, outputs, DN_ACT_SOFTMAX, NULL, &err), &err);
    dn_status st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, opt, seed, &err);
    CHECK_MSG(st == DN_OK, "compile: %s", err.message);
    if (st != DN_OK) {
        dn_model_free(m);
        return NULL;
    }
    return m;
}

/* ---------------------------------------------------------------------------------------- */
/* Refused configurations                                                                    */
/* ---------------------------------------------------------------------------------------- */

TEST(model_fit_refuses_class_count_mismatch) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 40, 6, 5, 1, &err), &err);
    dn_model *m = classifier(6, 0, 3, NULL, 1);
    if (d != NULL && m != NULL) {
        memset(&err, 0, sizeof err);
        dn_status st = dn_model_fit(m, d, NULL, NULL, NULL, NULL, &err);
        CHECK(st == DN_ERR_SHAPE);
        CHECK(err.status == DN_ERR_SHAPE);
        CHECK_MSG(mentions_number(err.message, 5) && mentions_number(err.message, 3),
                  "message '%s' should name 5 classes and 3 units", err.message);
        CHECK(dn_model_step(m) == 0);
        /* evaluate refuses it the same way */
        CHECK(dn_model_evaluate(m, d, NULL, NULL, &err) == DN_ERR_SHAPE);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_fit_refuses_feature_count_mismatch) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 40, 7, 3, 1, &err), &err);
    dn_model *m = classifier(4, 0, 3, NULL, 1);
    if (d != NULL && m != NULL) {
        memset(&err, 0, sizeof err);
        CHECK(dn_model_fit(m, d, NULL, NULL, NULL, NULL, &err) == DN_ERR_SHAPE);
        CHECK_MSG(mentions_number(err.message, 7) && mentions_number(err.message, 4),
                  "message '%s' should name 7 features and 4 inputs", err.message);
        CHECK(dn_model_step(m) == 0);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_fit_before_compile_is_state_error) {
    dn_dataset *d = NULL;
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 20, 3, 2, 1, &err), &err);
    CHECK_OK(dn_model_create(&m, 3, &err), &err);
    if (d != NULL && m != NULL) {
        CHECK_OK(dn_model_add_dense(m, 2, DN_ACT_SOFTMAX, NULL, &err), &err);
        memset(&err, 0, sizeof err);
        CHECK(dn_model_fit(m, d, NULL, NULL, NULL, NULL, &err) == DN_ERR_STATE);
        CHECK(err.status == DN_ERR_STATE && err.message[0] != '\0');
        CHECK(dn_model_evaluate(m, d, NULL, NULL, &err) == DN_ERR_STATE);
        float x[3] = {0, 0, 0}, out[2];
        CHECK(dn_model_predict(m, x, 1, out, &err) == DN_ERR_STATE);
        CHECK(dn_model_params(m) == NULL);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_compile_refuses_relu_output_for_ce) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 3, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_RELU, NULL, &err), &err);
    memset(&err, 0, sizeof err);
    dn_status st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err);
    CHECK(st != DN_OK && err.status == st);
    CHECK_MSG(strstr(err.message, "relu") != NULL, "message '%s' should name relu", err.message);
    CHECK(dn_model_params(m) == NULL);
    /* The same architecture is fine for MSE. */
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 1, &err), &err);
    dn_model_free(m);

    /* A dropout last layer is refused for any loss. */
    CHECK_OK(dn_model_create(&m, 3, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_add_dropout(m, 0.5f, &err), &err);
    CHECK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 1, &err) != DN_OK);
    dn_model_free(m);
}

TEST(model_zero_units_refused) {
    dn_model *m = NULL;
    dn_error err;
    CHECK(dn_model_create(&m, 0, &err) == DN_ERR_ARGUMENT && m == NULL);
    CHECK_OK(dn_model_create(&m, 3, &err), &err);
    if (m == NULL) return;
    memset(&err, 0, sizeof err);
    CHECK(dn_model_add_dense(m, 0, DN_ACT_RELU, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(err.status == DN_ERR_ARGUMENT && err.message[0] != '\0');
    CHECK(dn_model_layer_count(m) == 0);
    CHECK_OK(dn_model_add_dense(m, 4, DN_ACT_RELU, NULL, &err), &err);
    CHECK(dn_model_layer_count(m) == 1 && dn_model_output_size(m) == 4);
    dn_model_free(m);
}

/* ---------------------------------------------------------------------------------------- */
/* validation_split                                                                          */
/* ---------------------------------------------------------------------------------------- */

enum { VS_ROWS = 100, VS_FEATURES = 3 };

typedef struct seen_rows {
    int count[VS_ROWS];
    size_t batches, outside;
} seen_rows;

/* Feature 0 of every row is row/100, so the trained input batch tells which rows were used. */
static int record_rows(const dn_event *ev, void *user) {
    seen_rows *s = user;
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    s->batches++;
    for (size_t i = 0; i < ev->batch_rows; ++i) {
        size_t r = ev->batch_index[i];
        if (r < VS_ROWS) s->count[r]++;
        else s->outside++;
    }
    return 0;
}

typedef struct input_rows {
    dn_model *model;
    int count[VS_ROWS];
    size_t bad;
} input_rows;

static int record_inputs(const dn_event *ev, void *user) {
    input_rows *s = user;
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    size_t rows = 0, cols = 0;
    const float *x = dn_model_activation(s->model, 0, &rows, &cols);
    if (x == NULL || rows != ev->batch_rows || cols != VS_FEATURES) {
        s->bad++;
        return 0;
    }
    for (size_t i = 0; i < rows; ++i) {
        long r = lround(x[i * cols] * 100.0);
        if (r >= 0 && r < VS_ROWS) s->count[r]++;
        else s->bad++;
    }
    return 0;
}

TEST(model_validation_split_takes_last_rows) {
    /* Rows 0..79: labels 0/1 alternating; rows 80..99 (the last 20 %): all label 2. */
    float x[VS_ROWS * VS_FEATURES];
    int32_t labels[VS_ROWS];
    for (size_t r = 0; r < VS_ROWS; ++r) {
        labels[r] = r >= 80 ? 2 : (int32_t)(r % 2);
        x[r * VS_FEATURES] = (float)r / 100.0f;
        x[r * VS_FEATURES + 1] = labels[r] == 1 ? 1.0f : -1.0f;
        x[r * VS_FEATURES + 2] = (float)sin((double)r);
    }
    dn_dataset *d = NULL, *tail = NULL, *head = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_classification(&d, VS_ROWS, VS_FEATURES, x, labels, 3, &err), &err);
    dn_model *m = classifier(VS_FEATURES, 0, 3, NULL, 4);
    if (d == NULL || m == NULL) goto done;
    CHECK_OK(dn_dataset_slice(d, 80, VS_ROWS, &tail, &err), &err);
    CHECK_OK(dn_dataset_slice(d, 0, 20, &head, &err), &err);

    input_rows seen = {m, {0}, 0};
    dn_fit_config cfg = dn_fit_defaults();
    cfg.epochs = 2;
    cfg.batch_size = 10;
    cfg.validation_split = 0.2;
    dn_epoch_metrics hist[2];
    CHECK_OK(dn_model_fit(m, d, &cfg, record_inputs, &seen, hist, &err), &err);
    CHECK(seen.bad == 0);
    size_t wrong = 0;
    for (size_t r = 0; r < VS_ROWS; ++r) wrong += seen.count[r] != (r < 80 ? 2 : 0);
    CHECK_MSG(wrong == 0, "training used rows other than the first 80, each once per epoch");
    CHECK(dn_model_step(m) == 16); /* 8 batches of 10 per epoch */

    /* The validation figures are those of the last 20 rows at inference. */
    double tail_loss = NAN, tail_acc = NAN, head_loss = NAN;
    CHECK_OK(dn_model_evaluate(m, tail, &tail_loss, &tail_acc, &err), &err);
    CHECK_OK(dn_model_evaluate(m, head, &head_loss, NULL, &err), &err);
    CHECK(hist[1].has_validation);
    CHECK_NEAR(hist[1].val_loss, tail_loss, 1e-12);
    CHECK_NEAR(hist[1].val_accuracy, tail_acc, 1e-12);
    /* …which are not the first 20 rows' (class 2 was never trained, so its loss is larger). */
    CHECK_MSG(fabs(hist[1].val_loss - head_loss) > 0.1, "val_loss %g vs first rows %g",
              hist[1].val_loss, head_loss);

    /* Indices reported to the callback cover rows 0..79 of the training part only. */
    dn_model_free(m);
    m = classifier(VS_FEATURES, 0, 3, NULL, 4);
    if (m == NULL) goto done;
    seen_rows idx = {{0}, 0, 0};
    cfg.epochs = 1;
    CHECK_OK(dn_model_fit(m, d, &cfg, record_rows, &idx, NULL, &err), &err);
    CHECK(idx.outside == 0 && idx.batches == 8);
    wrong = 0;
    for (size_t r = 0; r < VS_ROWS; ++r) wrong += idx.count[r] != (r < 80 ? 1 : 0);
    CHECK(wrong == 0);
done:
    dn_model_free(m);
    dn_dataset_free(d);
    dn_dataset_free(tail);
    dn_dataset_free(head);
}

/* ---------------------------------------------------------------------------------------- */
/* Shuffling                                                                                 */
/* ---------------------------------------------------------------------------------------- */

enum { SH_ROWS = 200, SH_PARAMS_MAX = 128 };

typedef struct order_log {
    size_t order[2][SH_ROWS];
    size_t filled[2];
} order_log;

static int record_order(const dn_event *ev, void *user) {
    order_log *o = user;
    if (ev->kind != DN_EVENT_BATCH_END || ev->epoch < 1 || ev->epoch > 2) return 0;
    size_t e = ev->epoch - 1;
    for (size_t i = 0; i < ev->batch_rows && o->filled[e] < SH_ROWS; ++i)
        o->order[e][o->filled[e]++] = ev->batch_index[i];
    return 0;
}

/* Trains 5 → Dense(8, relu) → Dense(3, softmax) for 2 epochs from the given initial weights
 * (NULL: the compile seed's) and returns the final slab. */
static size_t train_two_epochs(const dn_dataset *d, uint64_t seed, int shuffle,
                               const float *init, float *final_params, order_log *log) {
    dn_model *m = classifier(5, 8, 3, NULL, seed);
    if (m == NULL) return 0;
    size_t n = dn_model_param_count(m);
    if (!CHECK(n <= SH_PARAMS_MAX)) {
        dn_model_free(m);
        return 0;
    }
    if (init != NULL) memcpy(dn_model_params(m), init, n * sizeof(float));
    dn_fit_config cfg = dn_fit_defaults();
    cfg.epochs = 2;
    cfg.batch_size = 16;
    cfg.shuffle = shuffle;
    dn_error err;
    CHECK_OK(dn_model_fit(m, d, &cfg, log ? record_order : NULL, log, NULL, &err), &err);
    memcpy(final_params, dn_model_params(m), n * sizeof(float));
    dn_model_free(m);
    return n;
}

static int is_permutation(const size_t *order, size_t n) {
    int seen[SH_ROWS] = {0};
    for (size_t i = 0; i < n; ++i) {
        if (order[i] >= n || seen[order[i]]) return 0;
        seen[order[i]] = 1;
    }
    return 1;
}

TEST(model_shuffle_is_seeded_and_reproducible) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, SH_ROWS, 5, 3, 2, &err), &err);
    if (d == NULL) return;
    float a[SH_PARAMS_MAX], b[SH_PARAMS_MAX], c[SH_PARAMS_MAX], init[SH_PARAMS_MAX];
    static order_log la, lb, lc;
    memset(&la, 0, sizeof la), memset(&lb, 0, sizeof lb), memset(&lc, 0, sizeof lc);
    size_t n = train_two_epochs(d, 7, 1, NULL, a, &la);
    CHECK(train_two_epochs(d, 7, 1, NULL, b, &lb) == n && n > 0);
    CHECK_MSG(memcmp(a, b, n * sizeof(float)) == 0, "same seed: parameter slabs differ");
    CHECK(memcmp(&la, &lb, sizeof la) == 0);

    /* Each epoch visits every row once, in a new order. */
    CHECK(la.filled[0] == SH_ROWS && la.filled[1] == SH_ROWS);
    CHECK(is_permutation(la.order[0], SH_ROWS) && is_permutation(la.order[1], SH_ROWS));
    CHECK(memcmp(la.order[0], la.order[1], sizeof la.order[0]) != 0);
    size_t in_place = 0;
    for (size_t i = 0; i < SH_ROWS; ++i) in_place += la.order[0][i] == i;
    CHECK(in_place < 20); /* a random permutation fixes 1 row on average */

    /* A different seed with the SAME initial weights: only the shuffle differs. */
    dn_model *m7 = classifier(5, 8, 3, NULL, 7);
    if (m7 != NULL) memcpy(init, dn_model_params(m7), n * sizeof(float));
    dn_model_free(m7);
    train_two_epochs(d, 8, 1, init, c, &lc);
    CHECK_MSG(memcmp(a, c, n * sizeof(float)) != 0, "different shuffle seed: identical results");
    CHECK(memcmp(lc.order[0], la.order[0], sizeof la.order[0]) != 0);
    /* Seed 7's weights loaded into seed 7's model reproduce run a (sanity of the above). */
    train_two_epochs(d, 7, 1, init, c, NULL);
    CHECK(memcmp(a, c, n * sizeof(float)) == 0);

    /* shuffle off: rows in order, and a different result. */
    memset(&lc, 0, sizeof lc);
    train_two_epochs(d, 7, 0, NULL, c, &lc);
    size_t out_of_order = 0;
    for (size_t i = 0; i < SH_ROWS; ++i) out_of_order += lc.order[0][i] != i || lc.order[1][i] != i;
    CHECK(out_of_order == 0);
    CHECK(memcmp(a, c, n * sizeof(float)) != 0);
    dn_dataset_free(d);
}

/* ---------------------------------------------------------------------------------------- */
/* Initialisation                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Fixed points of each epoch's permutation, summed over the epochs of a fit. */
typedef struct fixed_point_count {
    size_t position[SH_ROWS + 1], epoch, fixed, epochs;
} fixed_point_count;

static int count_fixed_points(const dn_event *ev, void *user) {
    fixed_point_count *c = user;
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    if (ev->epoch != c->epoch) c->epoch = ev->epoch, c->position[SH_ROWS] = 0, c->epochs++;
    for (size_t i = 0; i < ev->batch_rows; ++i) c->fixed += ev->batch_index[i] == c->position[SH_ROWS]++;
    return 0;
}

/* The shuffle is a uniform permutation (Fisher-Yates), not a uniform cycle (Sattolo's variant,
 * j drawn below i instead of up to it), which never leaves a row in place. A uniform permutation
 * has on average one fixed point; the chance of none in 20 epochs is about e^-20 = 2e-9. */
TEST(model_shuffle_leaves_rows_in_place_as_often_as_a_uniform_permutation) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, SH_ROWS, 5, 3, 2, &err), &err);
    dn_model *m = classifier(5, 8, 3, NULL, 3);
    if (d != NULL && m != NULL) {
        dn_fit_config cfg = dn_fit_defaults();
        cfg.epochs = 20;
        cfg.batch_size = 16;
        fixed_point_count c = {{0}, 0, 0, 0};
        CHECK_OK(dn_model_fit(m, d, &cfg, count_fixed_points, &c, NULL, &err), &err);
        CHECK(c.epochs == 20);
        /* Poisson(20): 1 ≤ fixed ≤ 45 holds with probability above 1 − 1e-6. */
        CHECK_MSG(c.fixed >= 1 && c.fixed <= 45, "%zu rows left in place in 20 epochs", c.fixed);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_glorot_uniform_init) {
    /* Dense 200 → 300: l = √(6/500); W ~ U(−l, l) has mean 0 and variance l²/3.
     * For n = 60000 weights: sd of the mean = l/√(3n); sd of the mean square =
     * l²·√(4/45)/√n (Var U² = l⁴/5 − l⁴/9). Bounds are 5 sd. */
    enum { IN = 200, OUT = 300 };
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, IN, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, OUT, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 10, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 123, &err), &err);
    const float *p = dn_model_params(m);
    CHECK(dn_model_param_count(m) == IN * OUT + OUT + OUT * 10 + 10);
    if (p == NULL) goto done;
    double limit = sqrt(6.0 / (IN + OUT)), n = IN * OUT;
    double sum = 0.0, sq = 0.0, maxabs = 0.0;
    size_t outside = 0;
    for (size_t i = 0; i < IN * OUT; ++i) {
        double w = p[i];
        outside += !(fabs(w) <= limit);
        sum += w, sq += w * w;
        maxabs = fmax(maxabs, fabs(w));
    }
    CHECK_MSG(outside == 0, "%zu weights outside ±%g", outside, limit);
    CHECK_NEAR(sum / n, 0.0, 5.0 * limit / sqrt(3.0 * n));
    CHECK_NEAR(sq / n, limit * limit / 3.0, 5.0 * limit * limit * sqrt(4.0 / 45.0) / sqrt(n));
    CHECK(maxabs > 0.999 * limit); /* the range is used in full */
    /* Biases start at 0. */
    for (size_t j = 0; j < OUT; ++j) CHECK(p[IN * OUT + j] == 0.0f);
    /* Second layer: its own limit √(6/310), and its bias 0. */
    const float *w2 = p + IN * OUT + OUT;
    double l2 = sqrt(6.0 / (OUT + 10)), max2 = 0.0;
    for (size_t i = 0; i < OUT * 10; ++i) max2 = fmax(max2, fabs(w2[i]));
    CHECK(max2 <= l2 && max2 > 0.95 * l2);
    for (size_t j = 0; j < 10; ++j) CHECK(w2[OUT * 10 + j] == 0.0f);
    /* The layout reported by layer_info matches. */
    dn_layer_info info;
    CHECK_OK(dn_model_layer_info(m, 1, &info, &err), &err);
    CHECK(info.param_offset == IN * OUT + OUT && info.param_count == OUT * 10 + 10);
    CHECK(strcmp(info.name, "dense_1") == 0);
done:
    dn_model_free(m);
}

TEST(model_init_depends_on_seed_only) {
    dn_model *a = classifier(6, 4, 3, NULL, 5), *b = classifier(6, 4, 3, NULL, 5);
    dn_model *c = classifier(6, 4, 3, NULL, 6);
    if (a && b && c) {
        size_t n = dn_model_param_count(a);
        CHECK(memcmp(dn_model_params(a), dn_model_params(b), n * sizeof(float)) == 0);
        CHECK(memcmp(dn_model_params(a), dn_model_params(c), n * sizeof(float)) != 0);
    }
    dn_model_free(a);
    dn_model_free(b);
    dn_model_free(c);
}

/* ---------------------------------------------------------------------------------------- */
/* Learning, predict, evaluate                                                               */
/* ---------------------------------------------------------------------------------------- */

TEST(model_learns_separable_problem) {
    /* Three classes separated by feature 0 (< −1, |·| < 0.3, > 1), feature 1 is noise. */
    enum { ROWS = 60 };
    float x[ROWS * 2];
    int32_t labels[ROWS];
    for (size_t r = 0; r < ROWS; ++r) {
        labels[r] = (int32_t)(r % 3);
        double jitter = 0.25 * sin(3.7 * (double)r);
        x[2 * r] = (float)(labels[r] == 0 ? -2.0 + jitter : labels[r] == 1 ? jitter : 2.0 + jitter);
        x[2 * r + 1] = (float)cos(1.9 * (double)r);
    }
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_classification(&d, ROWS, 2, x, labels, 3, &err), &err);
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.learning_rate = 0.05f;
    dn_model *m = classifier(2, 8, 3, &adam, 3);
    if (d != NULL && m != NULL) {
        dn_fit_config cfg = dn_fit_defaults();
        cfg.epochs = 150;
        cfg.batch_size = 10;
        dn_epoch_metrics hist[150];
        CHECK_OK(dn_model_fit(m, d, &cfg, NULL, NULL, hist, &err), &err);
        double loss = NAN, acc = NAN;
        CHECK_OK(dn_model_evaluate(m, d, &loss, &acc, &err), &err);
        CHECK_MSG(acc == 1.0, "accuracy %g on a separable problem", acc);
        CHECK_MSG(loss < 0.1, "loss %g", loss);
        CHECK(hist[149].epoch == 150 && hist[149].loss < hist[0].loss);
        CHECK(!hist[0].has_validation && isnan(hist[0].val_loss));
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_predict_and_evaluate_agree) {
    enum { ROWS = 75, F = 6 }; /* more rows than the capacity of 32: predict works in chunks */
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, ROWS, F, 3, 11, &err), &err);
    dn_model *m = NULL;
    CHECK_OK(dn_model_create(&m, F, &err), &err);
    if (d == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_add_dense(m, 7, DN_ACT_TANH, NULL, &err), &err);
    CHECK_OK(dn_model_add_dropout(m, 0.3f, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 8, &err), &err);
    dn_fit_config cfg = dn_fit_defaults();
    cfg.epochs = 3;
    CHECK_OK(dn_model_fit(m, d, &cfg, NULL, NULL, NULL, &err), &err);

    float x[ROWS * F], probs[ROWS * 3];
    for (size_t r = 0; r < ROWS; ++r) CHECK_OK(dn_dataset_get_row(d, r, x + r * F, &err), &err);
    CHECK_OK(dn_model_predict(m, x, ROWS, probs, &err), &err);
    double ce = 0.0, correct = 0.0;
    size_t bad_rows = 0;
    for (size_t r = 0; r < ROWS; ++r) {
        const float *p = probs + 3 * r;
        double s = (double)p[0] + p[1] + p[2];
        bad_rows += !(fabs(s - 1.0) <= 1e-6) || p[0] < 0 || p[1] < 0 || p[2] < 0;
        int32_t t = dn_dataset_label(d, r);
        ce += -log((double)p[t]);
        size_t best = p[1] > p[0] ? 1 : 0;
        best = p[2] > p[best] ? 2 : best;
        correct += (int32_t)best == t;
    }
    CHECK_MSG(bad_rows == 0, "%zu rows of predict are not probability vectors", bad_rows);
    double loss = NAN, acc = NAN;
    CHECK_OK(dn_model_evaluate(m, d, &loss, &acc, &err), &err);
    CHECK_NEAR(loss, ce / ROWS, 1e-5);
    CHECK_NEAR(acc, correct / ROWS, 1e-12);

    /* Predict runs at inference: the same rows give the same output again, and the first chunk
     * equals dn_model_forward at inference. */
    float again[ROWS * 3], fwd[32 * 3];
    CHECK_OK(dn_model_predict(m, x, ROWS, again, &err), &err);
    CHECK(memcmp(probs, again, sizeof probs) == 0);
    CHECK_OK(dn_model_forward(m, x, 32, DN_MODE_INFERENCE, 0, fwd, &err), &err);
    CHECK(memcmp(probs, fwd, sizeof fwd) == 0);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

typedef struct stop_after {
    size_t batches, limit;
} stop_after;

static int stop_cb(const dn_event *ev, void *user) {
    stop_after *s = user;
    if (ev->kind == DN_EVENT_BATCH_END) s->batches++;
    return s->batches >= s->limit;
}

TEST(model_callback_can_stop_fit) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 100, 4, 3, 3, &err), &err);
    dn_model *m = classifier(4, 0, 3, NULL, 2);
    if (d != NULL && m != NULL) {
        stop_after s = {0, 2};
        dn_fit_config cfg = dn_fit_defaults();
        cfg.epochs = 5;
        CHECK(dn_model_fit(m, d, &cfg, stop_cb, &s, NULL, &err) == DN_ERR_STOPPED);
        CHECK(s.batches == 2 && dn_model_step(m) == 2);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_compile_twice_and_add_after_compile_refused) {
    dn_model *m = classifier(3, 0, 2, NULL, 1);
    if (m == NULL) return;
    dn_error err;
    CHECK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err) ==
          DN_ERR_STATE);
    CHECK(dn_model_add_dense(m, 2, DN_ACT_RELU, NULL, &err) == DN_ERR_STATE);
    CHECK(dn_model_layer_count(m) == 1);
    dn_model_free(m);
}

TEST(model_bce_on_two_class_labels) {
    /* A 1-unit sigmoid output trained with binary cross-entropy on integer labels 0/1. evaluate's
     * loss must equal −mean[t·log p + (1 − t)·log(1 − p)] from predict's probabilities. */
    enum { ROWS = 40, F = 3 };
    dn_dataset *d = NULL;
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, ROWS, F, 2, 17, &err), &err);
    CHECK_OK(dn_model_create(&m, F, &err), &err);
    if (d == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_add_dense(m, 1, DN_ACT_SIGMOID, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_BINARY_CROSSENTROPY, NULL, 2, &err), &err);
    dn_fit_config cfg = dn_fit_defaults();
    cfg.epochs = 2;
    dn_epoch_metrics hist[2];
    CHECK_OK(dn_model_fit(m, d, &cfg, NULL, NULL, hist, &err), &err);
    CHECK(isfinite(hist[1].loss) && hist[1].accuracy >= 0.0 && hist[1].accuracy <= 1.0);
    float x[ROWS * F], p[ROWS];
    for (size_t r = 0; r < ROWS; ++r) CHECK_OK(dn_dataset_get_row(d, r, x + r * F, &err), &err);
    CHECK_OK(dn_model_predict(m, x, ROWS, p, &err), &err);
    double ref = 0.0, right = 0.0;
    for (size_t r = 0; r < ROWS; ++r) {
        double t = dn_dataset_label(d, r);
        ref += -(t * log((double)p[r]) + (1.0 - t) * log(1.0 - (double)p[r])) / ROWS;
        right += (p[r] > 0.5f) == (t > 0.5);
    }
    double loss = NAN, acc = NAN;
    CHECK_OK(dn_model_evaluate(m, d, &loss, &acc, &err), &err);
    CHECK_NEAR(loss, ref, 1e-5);
    CHECK_NEAR(acc, right / ROWS, 1e-12);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

typedef struct first_batch {
    double loss;
    size_t batches;
} first_batch;

static int record_first_batch(const dn_event *ev, void *user) {
    first_batch *f = user;
    if (ev->kind == DN_EVENT_BATCH_END && f->batches++ == 0) f->loss = ev->loss;
    return 0;
}

TEST(model_training_loss_is_measured_with_dropout) {
    /* The first batch's reported loss is the CE of a training-mode pass at step 0 (dropout active)
     * from the initial weights, not the inference loss. */
    enum { ROWS = 30, F = 4, B = 10 };
    dn_dataset *d = NULL;
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, ROWS, F, 3, 23, &err), &err);
    CHECK_OK(dn_model_create(&m, F, &err), &err);
    if (d == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_add_dropout(m, 0.5f, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 31, &err), &err);
    float x[B * F], train_p[B * 3], infer_p[B * 3];
    for (size_t r = 0; r < B; ++r) CHECK_OK(dn_dataset_get_row(d, r, x + r * F, &err), &err);
    CHECK_OK(dn_model_forward(m, x, B, DN_MODE_TRAINING, 0, train_p, &err), &err);
    CHECK_OK(dn_model_forward(m, x, B, DN_MODE_INFERENCE, 0, infer_p, &err), &err);
    double train_ce = 0.0, infer_ce = 0.0;
    for (size_t r = 0; r < B; ++r) {
        int32_t t = dn_dataset_label(d, r);
        train_ce += -log((double)train_p[3 * r + (size_t)t]) / B;
        infer_ce += -log((double)infer_p[3 * r + (size_t)t]) / B;
    }
    CHECK(fabs(train_ce - infer_ce) > 1e-3); /* the test can tell the two apart */
    first_batch f = {NAN, 0};
    dn_fit_config cfg = dn_fit_defaults();
    cfg.batch_size = B;
    cfg.shuffle = 0;
    dn_epoch_metrics hist[1];
    CHECK_OK(dn_model_fit(m, d, &cfg, record_first_batch, &f, hist, &err), &err);
    CHECK(f.batches == 3);
    CHECK_NEAR(f.loss, train_ce, 1e-6);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(model_failed_fit_allocation_keeps_model_usable) {
    /* Buffers that cannot be allocated make dni_model_reserve fail with DN_ERR_MEMORY; the model
     * must stay as it was, able to run batches of its old capacity. A fit with a batch larger
     * than the data is not such a case: like Keras it trains one batch of every row. */
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 50, 4, 3, 1, &err), &err);
    dn_model *m = classifier(4, 0, 3, NULL, 1);
    if (d != NULL && m != NULL) {
        CHECK(dni_model_reserve(m, SIZE_MAX / 2, &err) == DN_ERR_MEMORY); /* sizes overflow */
        float x[2 * 4] = {0}, out[2 * 3];
        dn_status st = dn_model_forward(m, x, 2, DN_MODE_INFERENCE, 0, out, &err);
        CHECK_MSG(st == DN_OK, "after a failed reserve, forward of 2 rows fails: %s", err.message);
        dn_fit_config cfg = dn_fit_defaults();
        cfg.batch_size = SIZE_MAX / 2;
        CHECK_OK(dn_model_fit(m, d, &cfg, NULL, NULL, NULL, &err), &err);
        CHECK(dn_model_step(m) == 1); /* one batch of all 50 rows */
    }
    dn_model_free(m);
    dn_dataset_free(d);
}
