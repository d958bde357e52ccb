/* test_fit_blocks.c — fit's reproducible mode (src/model/fit_blocks.c) and the dn_reducer hook.
 *
 * W workers are emulated with W threads, each running dn_model_fit on its own model with a
 * reducer that adds through shared memory behind a barrier, so the hook is tested here without
 * MPI (the MPI glue has its own tests in tests/mpi/). The references: a single process in the
 * same mode (bits), and the plain mode, whose gradient tests/test_dense.c checks against
 * PyTorch (values within float rounding). */
#include "test.h"

#include "dropnet.h"
#include "model/fit_blocks.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WORKERS = 4 };

typedef struct shared_sum {
    pthread_barrier_t barrier;
    size_t workers;
    void *slots[MAX_WORKERS]; /* each worker's array, published for the others to read */
} shared_sum;

typedef struct worker_ctx {
    shared_sum *shared;
    dn_reducer reducer;
} worker_ctx;

/* Publish, wait, combine in rank order into a copy, wait, write back. */
static dn_status combine(void *values, size_t count, size_t size, int op, void *user) {
    worker_ctx *w = user;
    shared_sum *s = w->shared;
    s->slots[w->reducer.rank] = values;
    pthread_barrier_wait(&s->barrier);
    unsigned char *out = malloc(count * size);
    for (size_t i = 0; i < count; ++i) {
        if (op == 0) {
            int64_t t = 0;
            for (size_t r = 0; r < s->workers; ++r) t += ((int64_t *)s->slots[r])[i];
            ((int64_t *)(void *)out)[i] = t;
        } else {
            double t = op == 1 ? 0.0 : -INFINITY;
            for (size_t r = 0; r < s->workers; ++r) {
                double v = ((double *)s->slots[r])[i];
                t = op == 1 ? t + v : (v > t ? v : t);
            }
            ((double *)(void *)out)[i] = t;
        }
    }
    pthread_barrier_wait(&s->barrier);
    memcpy(values, out, count * size);
    free(out);
    return DN_OK;
}

static dn_status sum_int64(int64_t *v, size_t n, void *user, dn_error *err) {
    (void)err;
    return combine(v, n, sizeof *v, 0, user);
}
static dn_status sum_double(double *v, size_t n, void *user, dn_error *err) {
    (void)err;
    return combine(v, n, sizeof *v, 1, user);
}
static dn_status max_double(double *v, size_t n, void *user, dn_error *err) {
    (void)err;
    return combine(v, n, sizeof *v, 2, user);
}

typedef struct run {
    worker_ctx ctx;
    int use_reducer, reproducible;
    size_t block_rows;
    float *params; /* out: the trained slab (malloc) */
    size_t count;
    double val_loss, val_accuracy; /* out: the last epoch's validation */
    double eval_loss;              /* out: dn_model_evaluate_reduced of the trained model */
    dn_status status;
} run;

/* Dropout before and after a hidden layer 64 wide (the fused dense+dropout pass too), 203 rows
 * so the last batch of 32 is partial (11 rows: blocks of 8 and 3). */
static void *train(void *arg) {
    run *r = arg;
    dn_error err;
    dn_dataset *data = NULL, *val = NULL;
    dn_model *m = NULL;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    r->status = dn_dataset_create_synthetic(&data, 203, 12, 3, 7, &err);
    /* 997 validation rows: enough for float sums in another order to differ in the last bits */
    if (!r->status) r->status = dn_dataset_create_synthetic(&val, 997, 12, 3, 8, &err);
    if (!r->status)
        r->status = dn_model_from_spec(&m, 12, "dropout:0.2,dense:64:relu,dropout:0.5,"
                                       "dense:3:softmax", &err);
    if (!r->status) r->status = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam,
                                                 5, &err);
    if (!r->status) r->status = dn_model_set_threads(m, 1, &err);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 3;
    fit.batch_size = 32;
    fit.reproducible = r->reproducible;
    fit.block_rows = r->block_rows;
    fit.validation_data = val;
    fit.reducer = r->use_reducer ? &r->ctx.reducer : NULL;
    dn_epoch_metrics history[3];
    if (!r->status) r->status = dn_model_fit(m, data, &fit, NULL, NULL, history, &err);
    if (!r->status) {
        r->params = dn_test_copy_params(m, &r->count);
        r->val_loss = history[2].val_loss;
        r->val_accuracy = history[2].val_accuracy;
        r->status = dn_model_evaluate_reduced(m, val, fit.reducer, &r->eval_loss, NULL, &err);
    }
    dn_model_free(m);
    dn_dataset_free(data);
    dn_dataset_free(val);
    return NULL;
}

/* Runs W workers in threads; returns worker 0's run (the others are checked equal to it). */
static run train_workers(size_t workers, size_t block_rows) {
    shared_sum shared = {.workers = workers};
    pthread_barrier_init(&shared.barrier, NULL, (unsigned)workers);
    run runs[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS];
    for (size_t w = 0; w < workers; ++w) {
        runs[w] = (run){.use_reducer = 1, .reproducible = 1, .block_rows = block_rows};
        runs[w].ctx = (worker_ctx){.shared = &shared,
                                   .reducer = {.rank = w, .workers = workers,
                                               .sum_int64 = sum_int64, .max_double = max_double,
                                               .sum_double = sum_double}};
        runs[w].ctx.reducer.user = &runs[w].ctx;
    }
    for (size_t w = 0; w < workers; ++w) pthread_create(&threads[w], NULL, train, &runs[w]);
    for (size_t w = 0; w < workers; ++w) pthread_join(threads[w], NULL);
    pthread_barrier_destroy(&shared.barrier);
    for (size_t w = 1; w < workers; ++w) {
        CHECK(runs[w].status == DN_OK && runs[w].params != NULL);
        if (runs[w].params && runs[0].params)
            CHECK_MSG(memcmp(runs[w].params, runs[0].params, runs[0].count * sizeof(float)) == 0,
                      "worker %zu of %zu ends with other weights than worker 0", w, workers);
        free(runs[w].params);
    }
    return runs[0];
}

TEST(reproducible_fit_is_bit_identical_for_1_2_3_4_workers) {
    run alone = {.reproducible = 1, .block_rows = 8};
    train(&alone);
    CHECK(alone.status == DN_OK && alone.params != NULL);
    for (size_t w = 1; w <= 4 && alone.params; ++w) {
        run r = train_workers(w, 8);
        CHECK(r.status == DN_OK && r.params != NULL);
        if (r.params)
            CHECK_MSG(memcmp(r.params, alone.params, alone.count * sizeof(float)) == 0,
                      "%zu workers: weights differ from one process in the reproducible mode", w);
        /* Validation is split and its per-row losses summed exactly: the same bits as one
         * process, in fit and in dn_model_evaluate_reduced (equal to dn_model_evaluate's). */
        CHECK_MSG(memcmp(&r.val_loss, &alone.val_loss, sizeof(double)) == 0 &&
                  memcmp(&r.eval_loss, &alone.eval_loss, sizeof(double)) == 0 &&
                  r.val_accuracy == alone.val_accuracy,
                  "%zu workers: val loss %.17g, evaluated %.17g; one process %.17g, %.17g", w,
                  r.val_loss, r.eval_loss, alone.val_loss, alone.eval_loss);
        CHECK(memcmp(&r.val_loss, &r.eval_loss, sizeof(double)) == 0);
        free(r.params);
    }
    free(alone.params);
}

/* The blocks' exact sum is the batch's gradient: after three epochs the weights agree with the
 * plain mode (one block, float sums) to float rounding, not bit for bit. */
TEST(reproducible_fit_matches_the_plain_fit_to_rounding) {
    run plain = {.reproducible = 0}, blocks = {.reproducible = 1, .block_rows = 8};
    train(&plain);
    train(&blocks);
    CHECK(plain.status == DN_OK && blocks.status == DN_OK && plain.params && blocks.params);
    if (plain.params && blocks.params) {
        double worst = 0.0;
        size_t differ = 0;
        for (size_t i = 0; i < plain.count; ++i) {
            double d = fabs((double)plain.params[i] - blocks.params[i]);
            worst = d > worst ? d : worst;
            differ += plain.params[i] != blocks.params[i];
        }
        CHECK_MSG(worst < 1e-4, "largest weight difference %g", worst);
        CHECK(differ > 0); /* the modes are not the same computation */
    }
    free(plain.params);
    free(blocks.params);
}

/* The overflow bound of docs/SCALING.md, at its edges: count values of the largest magnitude
 * (the float maximum, or a power of two, which frexp puts at the top of its binade) sum within
 * 2^50 after scaling, inside the 2^51 that the rounding (round_small) and int64 allow. */
TEST(fixed_point_scale_cannot_overflow) {
    CHECK(dni_blocks_scale(1.0, 8) == 46);   /* 1 = 0.5·2^1; 50 − 3 − 1 */
    CHECK(dni_blocks_scale(0.0, 8) == 0);
    const double maxima[] = {3.4028234663852886e38, 1.0, 0.75, 1.4e-45, 1e-3};
    const size_t counts[] = {1, 2, 3, 7, 8, 1000, (size_t)1 << 20};
    for (size_t a = 0; a < sizeof maxima / sizeof *maxima; ++a)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; ++c) {
            int s = dni_blocks_scale(maxima[a], counts[c]);
            double q = maxima[a] * ldexp(1.0, s);
            CHECK_MSG(q * (double)counts[c] <= ldexp(1.0, 50), "max %g count %zu: %g", maxima[a],
                      counts[c], q);
            CHECK(q * 2.0 * (double)counts[c] > ldexp(1.0, 50) / 2.0); /* and no bits wasted */
        }
}

/* A block's largest magnitude, found on the float bits: hand-computed cases, a NaN or an
 * infinity anywhere (also past the first vector, and with 2 threads over a long slab), and
 * denormals counted as 0 as the flush-to-zero float comparison did. */
TEST(block_max_finds_the_largest_magnitude_and_non_finite_values) {
    float g[] = {0.5f, -3.25f, 1e-40f, -0.0f, 2.0f, 3.0f, -1e-45f};
    CHECK(dni_blocks_max(g, 7, 1) == 3.25);
    CHECK(dni_blocks_max(g + 2, 2, 1) == 0.0); /* a denormal and -0 */
    float big[] = {-3.4028234663852886e38f, 1.0f};
    CHECK(dni_blocks_max(big, 2, 1) == 3.4028234663852886e38);
    size_t n = 100003;
    float *slab = calloc(n, sizeof *slab);
    CHECK(slab != NULL);
    if (slab == NULL) return;
    for (size_t i = 0; i < n; ++i) slab[i] = (float)((double)(i % 977) * 1e-3 - 0.4);
    slab[70001] = -7.5f;
    CHECK(dni_blocks_max(slab, n, 1) == 7.5 && dni_blocks_max(slab, n, 2) == 7.5);
    slab[99999] = NAN;
    CHECK(isinf(dni_blocks_max(slab, n, 1)) && isinf(dni_blocks_max(slab, n, 2)));
    slab[99999] = -INFINITY;
    CHECK(isinf(dni_blocks_max(slab, n, 2)));
    slab[99999] = -NAN;
    CHECK(isinf(dni_blocks_max(slab, n, 1)));
    free(slab);
}

TEST(reproducible_mode_settings_are_checked) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    CHECK_OK(dn_dataset_create_synthetic(&data, 40, 4, 2, 1, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:2:softmax", &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err), &err);
    dn_fit_config fit = dn_fit_defaults();
    fit.reproducible = 1;
    fit.block_rows = 6;
    CHECK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "a multiple of 4 (whole Philox blocks of dropout masks), got 6") != NULL);
    worker_ctx ctx = {.reducer = {.rank = 0, .workers = 5, .sum_int64 = sum_int64,
                                  .max_double = max_double, .sum_double = sum_double}};
    fit.block_rows = 8;
    fit.reducer = &ctx.reducer; /* batch 32: 4 blocks of 8, for 5 workers */
    CHECK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "5 workers but a batch of 32 rows has only 4 blocks") != NULL);
    fit.reproducible = 0;
    CHECK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "a reducer needs the reproducible mode") != NULL);
    dn_model_free(m);
    dn_dataset_free(data);
}
